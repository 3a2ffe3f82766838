"""How big one replication of a scenario will be, estimated before anything runs, and the limits on it.

A scenario can ask for far more than a machine can do (``volume = 1e7`` per
interval, a year of a large center): the estimate catches that before the
run instead of after an out-of-memory kill. Per replication:

* contacts: the expected first attempts (demand x factors over the horizon
  and warm-up), times an allowance for busy days (the 99.9% point of the
  busyness factor averaged over the days), times the most attempts retrials
  and repeat contacts can add per customer. It is an upper estimate.
* events: scheduled engine events, about :data:`EVENTS_PER_CONTACT` per
  contact plus the agents' comings and goings, and their steps away and
  back under an availability model.
* memory: :data:`BASE_BYTES` for the process, plus per contact
  :data:`BYTES_PER_CONTACT` (the engine counts contacts as they end) or, for
  the replication whose contact records are kept (``contacts.csv``),
  :data:`BYTES_PER_RECORDED_CONTACT`, plus :data:`BYTES_PER_AGENT_SPELL` per
  agent on-duty spell (measured on the bundled baseline over 20 and 60 days).

:func:`check_run` refuses runs above ``max_contacts`` (default
:data:`DEFAULT_MAX_CONTACTS`, raised with ``--max-contacts``) or above
:data:`EVENTS_PER_CONTACT` times as many events, and runs whose replications
running side by side would not fit in the memory available. Sweeps make at
most :data:`DEFAULT_MAX_VARIANTS` variants (``--max-variants``) and every
command at most :data:`MAX_REPLICATIONS` replications. Nothing heavy is
imported until an estimate is asked for, so ``--help`` texts can quote these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the limits below are read by --help texts, so this module imports nothing heavy at first
    from .calendar import Calendar
    from .config import Scenario

DEFAULT_MAX_CONTACTS = 2_000_000
DEFAULT_MAX_VARIANTS = 10_000  # variants of a sweep design
MAX_REPLICATIONS = 10_000
EVENTS_PER_CONTACT = 6
EVENTS_PER_AGENT_SPELL = 4
BYTES_PER_CONTACT = 100  # measured 50-70 with the streaming collector
BYTES_PER_RECORDED_CONTACT = 2_100  # measured about 2,000 with the contact records kept
BYTES_PER_AGENT_SPELL = 300
BASE_BYTES = 150 * 2**20
BUSY_DAYS_QUANTILE = 0.999


@dataclass(frozen=True)
class RunEstimate:
    """The size of one replication (see the module docstring for how each figure is estimated)."""

    expected_first_contacts: float
    busy_days_allowance: float
    attempts_per_customer: float
    agent_spells: float
    availability_spells: float = 0.0

    @property
    def contacts(self) -> float:
        """Upper estimate of contact attempts in one replication."""
        return self.expected_first_contacts * self.busy_days_allowance * self.attempts_per_customer

    @property
    def events(self) -> float:
        return (self.contacts * EVENTS_PER_CONTACT
                + (self.agent_spells + self.availability_spells) * EVENTS_PER_AGENT_SPELL)

    def memory_bytes(self, records: bool = False) -> float:
        """Peak memory of a process running one replication (keeping its contact records or not)."""
        per_contact = BYTES_PER_RECORDED_CONTACT if records else BYTES_PER_CONTACT
        return BASE_BYTES + self.contacts * per_contact + self.agent_spells * BYTES_PER_AGENT_SPELL

    def side_by_side_bytes(self, processes: int, records: int = 1) -> float:
        """Memory of ``processes`` replications at once while the contact records of ``records`` replications
        are held (1 for ``contacts.csv`` of the first, every replication with ``--contacts all``)."""
        if processes < 1:
            return 0.0
        return (processes * self.memory_bytes()
                + records * self.contacts * (BYTES_PER_RECORDED_CONTACT - BYTES_PER_CONTACT))

    def describe(self) -> str:
        """``about 47,000 contacts (an upper estimate: 31,000 expected first attempts), 300,000 events ...``."""
        return (f"about {_round(self.contacts):,} contacts (an upper estimate: "
                f"{_round(self.expected_first_contacts):,} expected first attempts), {_round(self.events):,} events "
                f"and {self.memory_bytes() / 2**20:,.0f} MB per replication ({self.memory_bytes(True) / 2**20:,.0f} "
                "MB for one whose contact records are written)")


def estimate_run(scenario: Scenario) -> RunEstimate:
    """The size of one replication of ``scenario``."""
    from .calendar import Calendar

    calendar = Calendar.from_scenario(scenario)
    first_contacts = math.fsum(_day_volume(scenario, calendar, day) for day in _days(calendar))
    return RunEstimate(first_contacts, _busy_days_allowance(scenario, calendar), _attempts_per_customer(scenario),
                       _agent_spells(scenario, calendar), _availability_spells(scenario, calendar))


def check_run(scenario: Scenario, max_contacts: float = DEFAULT_MAX_CONTACTS, side_by_side: int = 1,
              source: str | None = None, records: int = 1) -> RunEstimate:
    """The estimate of ``scenario``, or :class:`RunTooLarge` if it exceeds ``max_contacts`` per replication
    or ``side_by_side`` replications at once, with the contact records of ``records`` replications held, would
    not fit in the memory available."""
    from .config.errors import Problem, RunTooLarge

    estimate = estimate_run(scenario)
    if not estimate.contacts <= max_contacts:
        raise RunTooLarge([Problem("demand", f"{estimate.describe()}, more than the limit of {max_contacts:,.0f} "
                                             "contacts; if you mean it, raise the limit with --max-contacts")],
                          source)
    if not estimate.events <= max_contacts * EVENTS_PER_CONTACT:
        raise RunTooLarge([Problem("agent_groups", f"{estimate.describe()}, more than the limit of "
                                                   f"{max_contacts * EVENTS_PER_CONTACT:,.0f} events "
                                                   f"({EVENTS_PER_CONTACT} x --max-contacts); agents on duty step "
                                                   "away and back very often or there are very many of them")],
                          source)
    available = available_memory_bytes()
    needed = estimate.side_by_side_bytes(side_by_side, records)
    if available is not None and needed > available:
        fitting = max((n for n in range(1, side_by_side) if estimate.side_by_side_bytes(n, records) <= available),
                      default=0)
        advice = (f"run at most {fitting} replication(s) at once (--workers {fitting})" if fitting >= 1
                  else "simulate fewer days or less demand")
        if records > 1:
            advice += f", or keep the contact records of fewer than {records} replications"
        raise RunTooLarge([Problem("demand", f"{estimate.describe()}; {side_by_side} side by side need about "
                                             f"{needed / 2**30:.1f} GB but {available / 2**30:.1f} GB are "
                                             f"available: {advice}")], source)
    return estimate


def available_memory_bytes() -> float | None:
    """Memory available to new processes (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _round(value: float) -> int:
    """Two significant figures: an estimate should not look precise."""
    if value < 100:
        return int(round(value))
    digits = int(math.floor(math.log10(value))) - 1
    return int(round(value, -digits))


def _days(calendar: Calendar) -> range:
    return range(-1 if calendar.warmup_seconds > 0 else 0, calendar.days)


def _day_volume(scenario: Scenario, calendar: Calendar, day: int) -> float:
    import numpy as np

    from .demand import expected_volume

    volume = expected_volume(scenario, calendar, day).sum(axis=1)
    if day >= 0:
        return float(volume.sum())
    # Only the warm-up's tail of the day before the horizon brings contacts.
    ends = (np.arange(calendar.intervals_per_day) + 1) * calendar.interval_seconds
    day_seconds = calendar.intervals_per_day * calendar.interval_seconds
    inside = np.clip((ends - (day_seconds - calendar.warmup_seconds)) / calendar.interval_seconds, 0.0, 1.0)
    return float((volume * inside).sum())


def _busy_days_allowance(scenario: Scenario, calendar: Calendar) -> float:
    """The 99.9% point of the mean busyness factor over the run's days (1 without busyness)."""
    cv = scenario.demand.busyness_cv
    if cv == 0:
        return 1.0
    from scipy.stats import gamma  # only scenarios with busyness pay for the import

    shape = len(_days(calendar)) / cv**2  # the mean of n gamma(k, 1/k) factors is gamma(n k, 1/(n k))
    return float(gamma.ppf(BUSY_DAYS_QUANTILE, shape, scale=1.0 / shape))


def _attempts_per_customer(scenario: Scenario) -> float:
    """Most attempts per customer on average: every abandonment retried, every unresolved contact repeated."""
    retrial = scenario.retrial
    retrials = sum(retrial.probability**k for k in range(retrial.max_attempts))
    unresolved = max([1 - group.first_contact_resolution for group in scenario.agent_groups]
                     + [1 - vendor.first_contact_resolution for vendor in scenario.vendors]
                     + [outcome.false_containment for outcome in (scenario.ai.contact_types.values()
                                                                  if scenario.ai else [])]
                     + [0.0])
    repeats = sum(unresolved**k for k in range(scenario.repeat_contacts.max_repeats + 1))
    return retrials * repeats


def _availability_spells(scenario: Scenario, calendar: Calendar) -> float:
    """Steps away and back of agents under an availability model: a pair per mean cycle of timed available
    spells and agent on duty (steps away after a contact come with contacts, which are counted already)."""
    seconds = (len(_days(calendar)) + 1) * calendar.intervals_per_day * calendar.interval_seconds
    spells = 0.0
    for group in scenario.agent_groups:
        availability = group.availability
        if availability is not None and availability.available_time is not None:
            cycle = availability.available_time.mean_seconds() + availability.away_time.mean_seconds()
            spells += _group_peak(group) * 2 * seconds / cycle
    return spells


def _group_peak(group) -> int:
    if group.headcount is not None:
        return max(group.headcount, default=0)
    if group.headcount_rows is not None:
        return max((row.headcount for row in group.headcount_rows), default=0)
    return sum(shift.count * (1 + len(shift.breaks)) for shift in group.shifts or [])


def _agent_spells(scenario: Scenario, calendar: Calendar) -> float:
    """On-duty spells of agents and vendor seats: the peak number on duty, a few spells a day each."""
    peak = sum(_group_peak(group) for group in scenario.agent_groups)
    for vendor in scenario.vendors:
        peak += vendor.seats if vendor.seats is not None else max(vendor.seats_per_interval or [0])
    return float(peak) * (len(_days(calendar)) + 1) * 2
