"""What each contact brings with it, drawn when it arrives: handle time,
after-call work, patience, and its time and outcome draw in the AI.

Drawing these per contact at arrival (from one stream per attribute and
contact type) rather than when served keeps them identical across scenarios
that differ only in staffing, routing or AI settings: common random numbers.
The AI outcome is a uniform number compared with the containment and
escalation probabilities, so raising containment turns exactly the contacts
with the lowest draws from escalations into containments.
"""

from __future__ import annotations

import numpy as np

from .config import SECONDS_PER_DAY, Scenario, factors_by_minute
from .distributions import Sampler, sampler_for
from .random import BufferedDraws, RandomStreams

ATTRIBUTES = ("handle_time", "after_call_work", "patience", "ai_session_time", "ai_outcome")


def _zeros(generator: np.random.Generator, size: int) -> np.ndarray:
    return np.zeros(size)


def _uniform(generator: np.random.Generator, size: int) -> np.ndarray:
    return generator.random(size)


def attribute_samplers(scenario: Scenario) -> list[dict[str, Sampler]]:
    """Per contact type, the sampler of each attribute (patience before segment multipliers)."""
    samplers = []
    ai = scenario.ai
    for contact_type in scenario.contact_types:
        outcome = ai.contact_types.get(contact_type.name) if ai is not None else None
        session = (outcome.session_time or ai.session_time) if outcome is not None else None
        samplers.append({
            "handle_time": sampler_for(contact_type.handle_time),
            "after_call_work": sampler_for(contact_type.after_call_work) if contact_type.after_call_work else _zeros,
            "patience": sampler_for(contact_type.patience),
            "ai_session_time": sampler_for(session) if session is not None else _zeros,
            "ai_outcome": _uniform if outcome is not None else _zeros,
        })
    return samplers


class CustomerDraws:
    """Attribute draws for contacts of each type, in blocks (arrivals) or one by one (retrials, repeats)."""

    def __init__(self, scenario: Scenario, streams: RandomStreams, prefix: str = "") -> None:
        self._names = scenario.contact_type_names()
        self._samplers = attribute_samplers(scenario)
        # Per type, the handle-time factor of each minute of the day (None: no time-of-day profile).
        self._handle_factors = [np.array(factors_by_minute(t.handle_time_by_time_of_day))
                                if t.handle_time_by_time_of_day else None for t in scenario.contact_types]
        self._streams = streams
        self._prefix = prefix
        self._patience_multiplier = np.array([segment.patience_multiplier for segment in scenario.segments])
        # Plain floats for one(): a numpy scalar would make the patience, and times scheduled from it, numpy floats.
        self._segment_patience = self._patience_multiplier.tolist()
        self._buffers: dict[tuple[int, str], BufferedDraws] = {}

    def _generator(self, type_index: int, attribute: str) -> np.random.Generator:
        return self._streams.get(f"{self._prefix}{attribute}/{self._names[type_index]}")

    def block(self, type_index: int, segments: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
        """Attributes of ``len(segments)`` contacts of one type arriving at ``times``: patience scaled by
        segment, handle time by the type's time-of-day factor."""
        count = len(segments)
        values = {attribute: sampler(self._generator(type_index, attribute), count)
                  for attribute, sampler in self._samplers[type_index].items()}
        values["patience"] = values["patience"] * self._patience_multiplier[segments]
        factors = self._handle_factors[type_index]
        if factors is not None:
            values["handle_time"] = values["handle_time"] * factors[_minute_of_day(times)]
        return values

    def one(self, type_index: int, segment: int, time: float) -> tuple[float, ...]:
        """Attributes of a single contact arriving at ``time``, in the order of :data:`ATTRIBUTES`."""
        values = []
        for attribute in ATTRIBUTES:
            key = (type_index, attribute)
            buffer = self._buffers.get(key)
            if buffer is None:
                buffer = BufferedDraws(self._generator(type_index, attribute), self._samplers[type_index][attribute])
                self._buffers[key] = buffer
            values.append(buffer.next())
        values[2] *= self._segment_patience[segment]
        factors = self._handle_factors[type_index]
        if factors is not None:
            values[0] *= float(factors[int(time % SECONDS_PER_DAY) // 60])
        return tuple(values)


def _minute_of_day(times: np.ndarray) -> np.ndarray:
    return (np.mod(times, SECONDS_PER_DAY) // 60).astype(np.int64)
