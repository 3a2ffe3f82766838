"""Which contact type an agent takes first: per-type queue boosts from the log's choices.

Every answer of a queued caller is a *choice*: the agent who answered took
that caller's type while callers of other types she serves may have been
waiting. Her types are those she answered on that date. The alternatives are
the types with a caller waiting just before the answer, each with the age of
its oldest waiting caller. Under first come, first served the oldest is
taken; with a ``queue_boost_seconds`` b_t per type (the engine's rule) the
largest age + b_t is. The fit is a conditional logit, P(type t) proportional to
exp((age_t + b_t) / scale), by maximum likelihood; the scale absorbs what the
boosts do not explain (segment boosts, agents' own habits) and is left out of
the scenario. Boosts are relative: the smallest is 0. A type that competed
in fewer than :data:`MIN_CHOICES` choices keeps 0. The boosts are written
only when a likelihood-ratio test against none (first come, first served)
rejects it at 1%.

Routing rules change: the fit looks for the date from which the log's
choices are best described by boosts of their own (the split that most
raises the likelihood, kept when its likelihood-ratio test rejects one set
of boosts for the whole window at 1%, Bonferroni over the dates tried) and
fits the boosts on the choices from that date on, the rule the center uses
now. Measured on the Anonymous Bank: until 10 January 1999 agents took the
oldest caller whatever the type; from 13 January (11 and 12 are missing)
PS callers went ahead of NW callers who had waited up to two minutes longer
(97% of the choices with an NW caller older by under a minute, 84% by one
to two), NE ahead of PS, and February kept the same order.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

SIGNIFICANCE = 0.01
MIN_CHOICES = 30  # choices a type must compete in (with another type waiting) to get a boost of its own
MIN_SIDE_SHARE = 0.2  # a change date leaves at least this share of the choices on each side
MIN_SCALE = 1.0  # seconds: the logit's scale is kept above it (a deterministic rule has none)
MAX_BOOST = 3600.0
BOOST_UNIT = 100.0  # seconds per unit of the optimiser's boost parameters (keeps them near the scale's)


@dataclass(frozen=True)
class Choices:
    """Choices with at least two types waiting: ``ages[i, t]`` the oldest waiting caller's age of type t in
    choice i (NaN: none waiting, or the agent does not serve it), ``taken[i]`` the type taken."""

    types: tuple[str, ...]
    ages: np.ndarray
    taken: np.ndarray
    dates: np.ndarray  # datetime64[D] of each choice


@dataclass(frozen=True)
class TypeOrderFit:
    """Per-type boosts (seconds, smallest 0), the logit scale, and the evidence."""

    boosts: dict[str, float]
    scale: float
    choices: int
    competed: dict[str, int]  # choices in which each type was an alternative
    log_likelihood: float
    log_likelihood_fifo: float
    p_value: float
    since: pd.Timestamp | None  # the change date the boosts were fitted from (None: the whole window)
    change_p_value: float  # of the best change date (nan when none could be tried)
    boosts_before: dict[str, float] | None  # fitted on the choices before ``since``

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE and any(value > 0 for value in self.boosts.values())

    def describe(self) -> str:
        """One line: the boosts, the evidence and the window they come from."""
        order = ", ".join(f"{name} {value:g} s" for name, value in sorted(self.boosts.items(), key=lambda kv: -kv[1]))
        window = ("the whole window" if self.since is None else
                  f"choices from {self.since.date()} on, where the rule changed (p = {self.change_p_value:.2g}; "
                  "before: " + ", ".join(f"{name} {value:g} s" for name, value in sorted(
                      (self.boosts_before or {}).items(), key=lambda kv: -kv[1])) + ")")
        return (f"queue boost by type from {self.choices} agents' choices among waiting types ({order}; "
                f"logit scale {self.scale:.0f} s; likelihood-ratio p = {max(self.p_value, 1e-300):.2g} against "
                f"first come, first served; {window})")

    def table(self) -> pd.DataFrame:
        """contact_type, queue_boost_seconds, choices_competed, boost_before_change, since, p_value, written."""
        before = self.boosts_before or {}
        return pd.DataFrame({
            "contact_type": list(self.boosts), "queue_boost_seconds": list(self.boosts.values()),
            "choices_competed": [self.competed.get(name, 0) for name in self.boosts],
            "boost_before_change": [before.get(name, np.nan) for name in self.boosts],
            "since": "" if self.since is None else str(self.since.date()), "scale_seconds": round(self.scale, 1),
            "p_value": self.p_value, "change_p_value": self.change_p_value, "written": self.significant})


def choice_events(contacts: pd.DataFrame) -> Choices:
    """The choices of a canonical log (answered queued callers with an agent, queue entry and exit)."""
    queued = contacts.loc[contacts["queued"] & contacts["queue_entry_seconds"].notna()
                          & contacts["queue_exit_seconds"].notna()]
    types = tuple(sorted(queued["contact_type"].astype(str).unique()))
    type_index = {name: index for index, name in enumerate(types)}
    dates = pd.to_datetime(queued["date"])
    day = (dates - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    entry = day * 86_400.0 + queued["queue_entry_seconds"].to_numpy(dtype=float)
    leave = day * 86_400.0 + queued["queue_exit_seconds"].to_numpy(dtype=float)
    leave = np.maximum(leave, entry)
    kind = queued["contact_type"].astype(str).map(type_index).to_numpy()
    agent = queued["agent_id"].astype("string").fillna("").to_numpy()
    answered = (queued["outcome"] == "answered").to_numpy() & (agent != "")
    serves = _agent_day_types(contacts, type_index)
    heaps: list[list[tuple[float, int]]] = [[] for _ in types]
    live = np.zeros(len(entry), dtype=bool)
    rows_ages, rows_taken, rows_dates = [], [], []
    # At each instant: choices see the callers waiting just before it (those leaving now included),
    # then leavers go, then joiners come.
    times = np.union1d(entry, leave)
    by_entry = _groups(entry, times)
    by_leave = _groups(leave, times)
    for position in range(len(times)):
        for caller in by_leave.get(position, ()):
            if not answered[caller]:
                continue
            ages = np.full(len(types), np.nan)
            for type_number in serves.get((agent[caller], int(day[caller])), ()):
                heap = heaps[type_number]
                while heap and not live[heap[0][1]]:
                    heapq.heappop(heap)
                if heap:
                    ages[type_number] = leave[caller] - heap[0][0]
            if np.isnan(ages[kind[caller]]) or np.count_nonzero(~np.isnan(ages)) < 2:
                continue
            rows_ages.append(ages)
            rows_taken.append(kind[caller])
            rows_dates.append(day[caller])
        for caller in by_leave.get(position, ()):
            live[caller] = False
        for caller in by_entry.get(position, ()):
            if leave[caller] <= entry[caller]:
                continue  # never waited
            live[caller] = True
            heapq.heappush(heaps[kind[caller]], (entry[caller], caller))
    ages = np.array(rows_ages).reshape(-1, len(types))
    return Choices(types, ages, np.array(rows_taken, dtype=np.int64),
                   np.array(rows_dates, dtype="datetime64[D]"))


def _groups(values: np.ndarray, times: np.ndarray) -> dict[int, list[int]]:
    positions = np.searchsorted(times, values)
    order = np.argsort(positions, kind="stable")
    groups: dict[int, list[int]] = {}
    for index in order:
        groups.setdefault(int(positions[index]), []).append(int(index))
    return groups


def _agent_day_types(contacts: pd.DataFrame, type_index: dict[str, int]) -> dict[tuple[str, int], tuple[int, ...]]:
    """Per (agent, day number) the types the agent answered that day."""
    answered = contacts.loc[(contacts["outcome"] == "answered") & contacts["agent_id"].notna()
                            & contacts["contact_type"].isin(type_index)]
    day = (pd.to_datetime(answered["date"]) - pd.Timestamp("1970-01-01")).dt.days
    frame = pd.DataFrame({"agent": answered["agent_id"].astype(str).to_numpy(), "day": day.to_numpy(),
                          "type": answered["contact_type"].map(type_index).to_numpy()}).drop_duplicates()
    return {(agent, int(day_number)): tuple(sorted(group["type"]))
            for (agent, day_number), group in frame.groupby(["agent", "day"])}


def _fit(choices: Choices, mask: np.ndarray, free: np.ndarray,
         with_null: bool = True) -> tuple[np.ndarray, float, float, float]:
    """Boosts (free types only, others 0), scale and log-likelihoods (with the boosts, first come first
    served; nan unless ``with_null``) of the choices selected by ``mask``."""
    ages = choices.ages[mask]
    taken = choices.taken[mask]
    available = ~np.isnan(ages)
    filled = np.where(available, ages, 0.0)
    rows = np.arange(len(taken))
    free_index = np.flatnonzero(free)

    chosen = np.zeros(ages.shape, dtype=bool)
    chosen[rows, taken] = True

    def negative_log_likelihood(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        boosts = np.zeros(ages.shape[1])
        boosts[free_index] = parameters[:-1] * BOOST_UNIT
        scale = MIN_SCALE + math.exp(parameters[-1])
        shifted = filled + boosts
        utility = np.where(available, shifted / scale, -np.inf)
        normaliser = special.logsumexp(utility, axis=1)
        residual = np.where(available, chosen - np.exp(utility - normaliser[:, None]), 0.0)
        gradient = np.empty(len(parameters))
        gradient[:-1] = -residual[:, free_index].sum(axis=0) / scale * BOOST_UNIT
        gradient[-1] = float(np.sum(residual * shifted)) / scale ** 2 * math.exp(parameters[-1])
        return -float(np.sum(utility[rows, taken] - normaliser)), gradient

    scale_bounds = (-3.0, 12.0)  # log of (scale - MIN_SCALE)
    null_log_likelihood = math.nan
    start_scale = math.log(30.0)
    if with_null:
        null = optimize.minimize_scalar(
            lambda p: negative_log_likelihood(np.concatenate([np.zeros(len(free_index)), [p]]))[0],
            bounds=scale_bounds, method="bounded")
        null_log_likelihood, start_scale = -float(null.fun), float(null.x)
    full = optimize.minimize(negative_log_likelihood, np.concatenate([np.zeros(len(free_index)), [start_scale]]),
                             jac=True, method="L-BFGS-B",
                             bounds=[(-MAX_BOOST / BOOST_UNIT, MAX_BOOST / BOOST_UNIT)] * len(free_index)
                             + [scale_bounds])
    boosts = np.zeros(ages.shape[1])
    boosts[free_index] = full.x[:-1] * BOOST_UNIT
    return boosts, MIN_SCALE + math.exp(full.x[-1]), -float(full.fun), null_log_likelihood


def _free_types(choices: Choices, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Types with a boost to fit: those that competed in enough choices, but the most frequent of them (the
    reference, boost 0 in the fit); and how often each type competed."""
    competed = np.sum(~np.isnan(choices.ages[mask]), axis=0)
    free = competed >= MIN_CHOICES
    if free.any():
        free[int(np.argmax(competed))] = False
    return free, competed


def fit_type_order(choices: Choices, find_change: bool = True) -> TypeOrderFit | None:
    """Fit the boosts (see the module doc); None when no two types ever competed."""
    everything = np.ones(len(choices.taken), dtype=bool)
    if len(choices.taken) < MIN_CHOICES:
        return None
    since, change_p, before = None, math.nan, None
    mask = everything
    if find_change:
        since, change_p = _change_date(choices)
        if since is not None:
            mask = choices.dates >= np.datetime64(since.date(), "D")
            before = _boost_table(choices, ~mask)
    free, competed = _free_types(choices, mask)
    if not free.any():
        return None
    boosts, scale, log_likelihood, fifo = _fit(choices, mask, free)
    p_value = float(stats.chi2.sf(2.0 * (log_likelihood - fifo), int(free.sum())))
    return TypeOrderFit(_relative(choices.types, boosts, competed >= MIN_CHOICES), scale, int(mask.sum()),
                        {name: int(count) for name, count in zip(choices.types, competed)},
                        log_likelihood, fifo, p_value, since, change_p, before)


def _relative(types: tuple[str, ...], boosts: np.ndarray, fitted: np.ndarray) -> dict[str, float]:
    """Boosts shifted so that the smallest among the ``fitted`` types (reference included) is 0; the
    others get 0."""
    floor = float(boosts[fitted].min())
    return {name: (round(float(value) - floor, 1) if is_fitted else 0.0)
            for name, value, is_fitted in zip(types, boosts, fitted)}


def _boost_table(choices: Choices, mask: np.ndarray) -> dict[str, float] | None:
    free, competed = _free_types(choices, mask)
    if not free.any() or mask.sum() < MIN_CHOICES:
        return None
    boosts, *_ = _fit(choices, mask, free)
    return _relative(choices.types, boosts, competed >= MIN_CHOICES)


def _change_date(choices: Choices) -> tuple[pd.Timestamp | None, float]:
    """The date from which a second set of boosts most raises the likelihood, when significant."""
    dates = np.unique(choices.dates)
    counts = np.array([np.sum(choices.dates < date) for date in dates])
    total = len(choices.dates)
    candidates = [date for date, count in zip(dates, counts)
                  if MIN_SIDE_SHARE * total <= count <= (1 - MIN_SIDE_SHARE) * total]
    if not candidates:
        return None, math.nan
    everything = np.ones(total, dtype=bool)
    free, _ = _free_types(choices, everything)
    if not free.any():
        return None, math.nan
    _, _, whole, _ = _fit(choices, everything, free, with_null=False)
    def gain(date) -> float:
        after = choices.dates >= date
        total_gain = -whole
        for mask in (~after, after):
            side_free, _ = _free_types(choices, mask)
            side_free &= free
            total_gain += _fit(choices, mask, side_free if side_free.any() else free, with_null=False)[2]
        return total_gain

    # Every third date, then the dates next to the best of them.
    gains = {index: gain(candidates[index]) for index in range(0, len(candidates), 3)}
    best = max(gains, key=gains.get)
    for index in range(max(0, best - 2), min(len(candidates), best + 3)):
        if index not in gains:
            gains[index] = gain(candidates[index])
    best = max(gains, key=gains.get)
    best_gain, best_date = gains[best], candidates[best]
    parameters = int(free.sum()) + 1  # the second side's boosts and scale
    p_value = min(1.0, float(stats.chi2.sf(2.0 * best_gain, parameters)) * len(candidates))
    if p_value >= SIGNIFICANCE:
        return None, p_value
    return pd.Timestamp(best_date), p_value
