"""Agents stepping away after calls and coming back, estimated from the gaps between their calls.

The engine's model (``AgentGroup.availability`` with ``step_away_after_contact``):
after each call the agent does a short call set-up (written as after-call
work) and takes the next caller, or steps away with a probability that
depends on how many callers wait at that moment (and on the time of day),
for an away spell; while at least N callers wait an away agent may also come
back early at a recall rate. The estimators read only what the log settles.
While callers of the agent's pool wait, an available agent who is not talking
takes one at once, so for each gap between consecutive calls of a duty span
(:mod:`~analysis.calibration.agent_activity`), with G the time from the end of
one call to the next answer:

* G up to ``connect_seconds`` is call set-up; a longer G means the agent was
  away. The next answer shows the return exactly when it took a waiting
  caller; otherwise the agent came back in (L, G] with L the last moment
  callers waited (interval-censored; nothing is known when nobody waited).
* **Away spells** have a piecewise-constant return hazard in G (bins
  :data:`GAP_EDGES`) plus the recall term r 1[queue >= N], fitted by maximum
  likelihood on the spells that surely began at the end of a call (callers
  were waiting then); N from 1 to :data:`MAX_RECALL_QUEUE`, and the recall is
  kept only when the likelihood-ratio test against r = 0 rejects at
  :data:`RECALL_SIGNIFICANCE`. Written as a mixture of uniform bins (the
  spell's length after the set-up).
* **Time of day**: the away time per call end while callers wait, by hour of
  day, relative to its mean, shrunk towards 1 by its sampling error
  (empirical Bayes); it scales the step-away probabilities.
* **Step-away probabilities** by callers waiting at the end of the call
  (0, 1, ..., :data:`QUEUE_LEVELS` - 1 or more; counted when the set-up
  ends, as the engine decides after the after-call work), by maximum likelihood over
  every gap with the away spells above held fixed: a mixture of set-up (its
  observed distribution) and an away spell for censored gaps.

The log refutes the clock-time alternative (an available spell of exponential
length, so that the chance of stepping away grows with the call's length):
:attr:`AvailabilityFit.step_away_by_call_length` shows the share barely
moves with call length.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .agent_activity import AgentActivity
from .canonical import SECONDS_PER_DAY
from .recall_team import TeamRecall, fit_team_recall, recall_exposure_by_duty
from .time_of_day import hourly_ratios, hourly_spec

GAP_EDGES = (20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 90.0, 120.0, 180.0, 300.0, 450.0, 600.0, 900.0, 1200.0, 1800.0,
             2700.0, 3600.0)  # seconds from the call's end; below the first: the set-up threshold
QUEUE_LEVELS = 6  # step-away probabilities for 0, 1, ..., 4 callers waiting and 5 or more
MAX_RECALL_QUEUE = 10
RECALL_SIGNIFICANCE = 0.01
MIN_GAPS = 30  # fewer away spells than this: no estimate (the log is too sparse)
MIN_BIN_WEIGHT = 1e-4
CALL_LENGTH_BINS = (0.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, math.inf)


@dataclass(frozen=True)
class GapObservations:
    """One row per gap between consecutive calls of a duty span; times in seconds from the call's end."""

    queue_at_end: np.ndarray  # callers waiting when the call's set-up ended, where the engine decides
    hour: np.ndarray  # hour of day of the call's end
    call_length: np.ndarray
    exact: np.ndarray  # bool: the next answer took a waiting caller, so the agent was back exactly then
    low: np.ndarray  # exact: the gap; else the last moment callers waited (0 when none did)
    high: np.ndarray  # the gap (time to the next answer)
    recall_exposure: np.ndarray  # (MAX_RECALL_QUEUE, n): seconds past the set-up, up to ``low``, with >= N waiting
    queue_at_return: np.ndarray  # callers waiting just before the next answer
    call_end: np.ndarray  # absolute seconds (the activity's axis)


def gap_observations(activity: AgentActivity, pool: str) -> GapObservations:
    """The gaps of ``pool``'s duty spans with what the queue says about them (see module docstring)."""
    gaps = activity.gaps.loc[activity.gaps["pool"] == pool]
    queue = activity.queues[pool]
    connect = activity.settings.connect_seconds
    end, answer = gaps["talk_end"].to_numpy(dtype=float), gaps["next_answer"].to_numpy(dtype=float)
    answer = np.maximum(answer, end)
    exact = queue.before(answer) >= 1
    # The engine decides whether to step away when the after-call work (the set-up) ends: the queue then.
    continued = answer - end
    setup = float(continued[exact & (continued <= connect)].mean()) if (exact & (continued <= connect)).any() else 0.0
    decided = end + setup
    queue_then = np.where(decided < answer, queue.at(decided), queue.before(answer))
    last = queue.last_at_least(1, end, answer)
    low = np.where(exact, answer, last) - end
    start = end + np.minimum(connect, low)
    exposure = np.vstack([queue.time_at_least(level, start, end + low) for level in range(1, MAX_RECALL_QUEUE + 1)])
    return GapObservations(queue_then.astype(int), ((end % SECONDS_PER_DAY) // 3600).astype(int),
                           (end - gaps["talk_start"].to_numpy(dtype=float)), exact, low, answer - end, exposure,
                           queue.before(answer).astype(int), end)


@dataclass(frozen=True)
class AwayFit:
    """Return hazard per bin of time since the call's end (``edges``) and the recall term."""

    edges: tuple[float, ...]  # bin edges, the first one the set-up threshold, the last the longest gap
    hazards: tuple[float, ...]  # per second, one per bin
    recall_queue: int | None
    recall_rate: float  # per second
    log_likelihood: float
    recall_p_value: float
    spells: int
    returns_seen: int
    team: TeamRecall | None = None  # the recall rate by agents on duty (None: not fitted); recall_rate is at one

    def bin_probabilities(self) -> np.ndarray:
        """P(the spell ends in each bin) without recall; the last bin takes what is left."""
        widths = np.diff(self.edges)
        survival = np.exp(-np.r_[0.0, np.cumsum(np.asarray(self.hazards) * widths)])
        probabilities = survival[:-1] - survival[1:]
        probabilities[-1] += survival[-1]
        return probabilities

    def mean_gap_seconds(self) -> float:
        edges = np.asarray(self.edges)
        return float(np.dot(self.bin_probabilities(), (edges[:-1] + edges[1:]) / 2.0))

    def spec(self, setup_seconds: float) -> dict:
        """The away spell after the set-up, as a mixture of uniform bins (scenario format)."""
        weights = self.bin_probabilities()
        keep = weights >= MIN_BIN_WEIGHT
        weights = weights[keep] / weights[keep].sum()
        edges = np.asarray(self.edges)
        return {"dist": "mixture", "components": [
            {"weight": round(float(weight), 6),
             "distribution": {"dist": "uniform", "low": round(float(low - setup_seconds), 3),
                              "high": round(float(high - setup_seconds), 3), "unit": "s"}}
            for weight, low, high in zip(weights, edges[:-1][keep], edges[1:][keep])]}

    def survival_at(self, gap: np.ndarray, recall: np.ndarray) -> np.ndarray:
        """P(still away ``gap`` seconds after the call's end), with ``recall`` seconds of recall exposure."""
        return np.exp(-_bin_overlap(np.full(len(gap), self.edges[0]), gap, self.edges) @ np.asarray(self.hazards)
                      - self.recall_rate * recall)


def _bin_overlap(start: np.ndarray, stop: np.ndarray, edges) -> np.ndarray:
    """(n, bins): seconds of each window ``[start, stop]`` inside each bin."""
    edges = np.asarray(edges, dtype=float)
    low = np.clip(start[:, None], edges[:-1], edges[1:])
    high = np.clip(stop[:, None], edges[:-1], edges[1:])
    return np.maximum(high - low, 0.0)


def _fit_hazards(obs: GapObservations, rows: np.ndarray, edges: tuple[float, ...], recall_queue: int | None,
                 weighted: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, np.ndarray, float]:
    """Maximum log-likelihood, hazards and recall rate of the spells ``rows`` (exact or interval-censored);
    ``weighted``: per spell of ``obs``, the recall seconds and the recall's weight at the return, when the rate
    varies (:mod:`.recall_team`)."""
    connect = edges[0]
    exact = obs.exact[rows]
    low, high = obs.low[rows], obs.high[rows]
    seen = np.where(exact, high, low)
    exposure = _bin_overlap(np.full(len(seen), connect), seen, edges)
    event_bin = np.clip(np.searchsorted(edges, high, side="right") - 1, 0, len(edges) - 2)
    window = _bin_overlap(low, high, edges)[~exact]  # censored: back in (low, high], nobody waiting there
    recall_time = obs.recall_exposure[recall_queue - 1][rows] if recall_queue else np.zeros(len(rows))
    recall_on = (obs.queue_at_return[rows] >= recall_queue)[exact] if recall_queue else np.zeros(exact.sum())
    if recall_queue and weighted is not None:
        recall_time, recall_on = weighted[0][rows], (recall_on * weighted[1][rows][exact])
    events = np.bincount(event_bin[exact], minlength=len(edges) - 1)

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        hazards = np.exp(theta[:len(edges) - 1])
        rate = math.exp(theta[-1]) if recall_queue else 0.0
        at_event = hazards[event_bin[exact]] + rate * recall_on
        inside = np.maximum(window @ hazards, 1e-12)
        escape = -np.expm1(-inside)
        value = (exposure.sum(axis=0) @ hazards + rate * recall_time.sum() - np.log(at_event).sum()
                 - np.log(escape).sum())
        gradient = (exposure.sum(axis=0) - np.bincount(event_bin[exact], weights=1.0 / at_event,
                                                        minlength=len(hazards))
                    - (window * (np.exp(-inside) / escape)[:, None]).sum(axis=0)) * hazards
        if recall_queue:
            gradient = np.r_[gradient, (recall_time.sum() - (recall_on / at_event).sum()) * rate]
        return float(value), gradient

    totals = exposure.sum(axis=0) + window.sum(axis=0)
    start = np.log(np.maximum(events + 0.5, 0.5) / np.maximum(totals, 1.0))
    if recall_queue:
        start = np.r_[start, math.log(1e-3)]
    result = optimize.minimize(negative, start, jac=True, method="L-BFGS-B",
                               bounds=[(-20.0, 5.0)] * len(start), options={"maxiter": 500})
    hazards = np.exp(result.x[:len(edges) - 1])
    return -float(result.fun), hazards, (math.exp(result.x[-1]) if recall_queue else 0.0)


def fit_away(obs: GapObservations, rows: np.ndarray, connect_seconds: float) -> AwayFit:
    """Away spells of ``rows`` (spells known to have begun at the call's end): hazards, then the recall term."""
    longest = max(float(obs.high[rows].max()), GAP_EDGES[-1] + 1.0)
    edges = (connect_seconds, *[edge for edge in GAP_EDGES if edge > connect_seconds], longest)
    base, hazards, _ = _fit_hazards(obs, rows, edges, None)
    best_queue, best = None, (base, hazards, 0.0)
    for queue in range(1, MAX_RECALL_QUEUE + 1):
        if obs.recall_exposure[queue - 1][rows].sum() <= 0:
            break
        candidate = _fit_hazards(obs, rows, edges, queue)
        if candidate[0] > best[0]:
            best_queue, best = queue, candidate
    # N is chosen too, so the test takes two degrees of freedom (a conservative approximation).
    p_value = float(stats.chi2.sf(2 * (best[0] - base), 2)) if best_queue else 1.0
    if best_queue is None or p_value >= RECALL_SIGNIFICANCE:
        best_queue, best = None, (base, hazards, 0.0)
    return AwayFit(edges, tuple(float(h) for h in best[1]), best_queue, best[2], best[0], p_value, len(rows),
                   int(obs.exact[rows].sum()))


def with_team_recall(obs: GapObservations, rows: np.ndarray, away: AwayFit, activity: AgentActivity,
                     pool: str) -> tuple[AwayFit, np.ndarray | None]:
    """The fit with the recall rate by agents on duty (:mod:`.recall_team`) when the log shows it: r and f given
    the hazards, then the hazards and r again given f (twice); and every gap's weighted recall seconds."""
    queue_level = away.recall_queue
    if queue_level is None:
        return away, None
    duty = activity.on_duty(pool)
    low = obs.low
    by_duty = recall_exposure_by_duty(activity.queues[pool], duty, queue_level,
                                      obs.call_end + np.minimum(activity.settings.connect_seconds, low),
                                      obs.call_end + low)
    duty_at_return = duty.before(obs.call_end + obs.high)
    seen = obs.exact & (obs.queue_at_return >= queue_level)
    fit = away
    for _ in range(2):
        edges = np.asarray(fit.edges)
        event_bin = np.clip(np.searchsorted(edges, obs.high, side="right") - 1, 0, len(edges) - 2)
        chosen = np.zeros(len(obs.high), dtype=bool)
        chosen[rows] = True
        team = fit_team_recall(np.asarray(fit.hazards)[event_bin][chosen & seen], duty_at_return[chosen & seen],
                               by_duty[rows], fit.recall_rate)
        fit = dataclasses.replace(fit, team=team)
        if team is None or not team.significant:
            return fit, None
        weights = team.factor ** np.maximum(duty_at_return - 1, 0)
        log_likelihood, hazards, rate = _fit_hazards(obs, rows, fit.edges, queue_level,
                                                     (team.effective_exposure(by_duty), weights))
        fit = dataclasses.replace(fit, hazards=tuple(float(h) for h in hazards), recall_rate=rate,
                                  log_likelihood=log_likelihood)
    return fit, fit.team.effective_exposure(by_duty)


def hour_factors(obs: GapObservations, connect_seconds: float) -> dict[int, float]:
    """Away time per call end while callers wait, by hour of day, over its mean (shrunk: :mod:`.time_of_day`)."""
    busy = obs.queue_at_end >= 1
    away = np.maximum(np.where(obs.exact, obs.high, obs.low) - connect_seconds, 0.0)
    return hourly_ratios(away[busy], obs.hour[busy])


def _setup_probabilities(obs: GapObservations, connect_seconds: float) -> tuple[float, np.ndarray]:
    """Mean set-up and, per censored gap, the chance a set-up ends in its window."""
    continued = np.sort(obs.high[obs.exact & (obs.high <= connect_seconds)])
    mean = float(continued.mean()) if len(continued) else 0.0
    if not len(continued):
        return mean, np.zeros(len(obs.high))
    # Back in (low, high]; with nobody waiting at all (low = 0) a set-up of length 0 counts too.
    below = np.where(obs.low > 0, np.searchsorted(continued, obs.low, side="right"), 0)
    inside = (np.searchsorted(continued, obs.high, side="right") - below) / len(continued)
    return mean, inside


def fit_probabilities(obs: GapObservations, away: AwayFit, factors: dict[int, float],
                      connect_seconds: float, recall: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Step-away probability by callers waiting at the call's end (see module docstring), and the set-up
    (``recall``: each gap's recall seconds, weighted when the rate varies)."""
    setup, setup_inside = _setup_probabilities(obs, connect_seconds)
    if recall is None:
        recall = obs.recall_exposure[away.recall_queue - 1] if away.recall_queue else np.zeros(len(obs.low))
    begin = np.maximum(obs.low, connect_seconds)
    away_inside = np.where(obs.high > connect_seconds,
                           away.survival_at(begin, recall)
                           * (1.0 - np.exp(-_bin_overlap(begin, obs.high, away.edges) @ np.asarray(away.hazards))),
                           0.0)
    factor = np.array([factors.get(int(hour), 1.0) for hour in obs.hour])
    level = np.minimum(obs.queue_at_end, QUEUE_LEVELS - 1)
    stepped = obs.exact & (obs.high > connect_seconds)
    stayed = obs.exact & (obs.high <= connect_seconds)
    probabilities = np.zeros(QUEUE_LEVELS)
    for queue in range(QUEUE_LEVELS):
        rows = level == queue
        if not rows.any():
            probabilities[queue] = probabilities[queue - 1] if queue else 0.0
            continue
        scale, up, down = factor[rows], stepped[rows], stayed[rows]
        censored = ~obs.exact[rows]
        keep, leave = setup_inside[rows][censored], away_inside[rows][censored]

        def negative(p: float) -> float:
            chance = np.clip(p * scale, 1e-9, 1.0 - 1e-9)
            mixed = (1.0 - chance[censored]) * keep + chance[censored] * leave
            return -(np.log(chance[up]).sum() + np.log1p(-chance[down]).sum() + np.log(np.maximum(mixed, 1e-300)).sum())

        upper = 1.0 / max(float(scale.max()), 1.0)
        probabilities[queue] = optimize.minimize_scalar(negative, bounds=(1e-6, upper), method="bounded").x
    return probabilities, setup


@dataclass(frozen=True)
class AvailabilityFit:
    """The pool's availability model and the evidence behind it."""

    pool: str
    setup_seconds: float  # mean call set-up (after-call work)
    gaps: int
    probabilities: tuple[float, ...]  # by callers waiting at the call's end (the last: that many or more)
    time_of_day: dict[int, float]  # hour -> factor on the probabilities
    away: AwayFit | None
    mean_call_seconds: float
    step_away_by_queue: pd.DataFrame = field(repr=False)  # queue_at_end, calls, stepped_away, share (while waiting)
    step_away_by_call_length: pd.DataFrame = field(repr=False)  # call_seconds, calls, stepped_away, share

    @property
    def usable(self) -> bool:
        return self.away is not None

    @property
    def away_mean_seconds(self) -> float:
        return self.away.mean_gap_seconds() - self.setup_seconds if self.usable else math.nan

    def spec(self) -> dict | None:
        """``AgentGroup.availability`` of the scenario format, or None when not estimable."""
        if not self.usable:
            return None
        spec = {"step_away_after_contact": [round(float(p), 6) for p in self.probabilities],
                "away_time": self.away.spec(self.setup_seconds)}
        profile = hourly_spec(self.time_of_day)
        if profile:
            spec["step_away_time_of_day"] = profile
        if self.away.recall_queue is not None:
            spec["recall"] = {"queue_at_least": self.away.recall_queue,
                              "rate_per_minute": round(self.away.recall_rate * 60.0, 6)}
            team = self.away.team
            if team is not None and team.significant:
                spec["recall"]["factor_per_agent_on_duty"] = round(team.factor, 4)
        return spec

    def describe(self) -> list[str]:
        if not self.usable:
            return [f"availability ({self.pool}): {self.gaps} gaps between calls: too few away spells to estimate, "
                    "not modelled"]
        away = self.away
        shares = ", ".join(f"{p:.0%}" for p in self.probabilities)
        busy = self.mean_call_seconds + self.setup_seconds
        share = busy / (busy + self.probabilities[0] * self.away_mean_seconds)
        lengths = self.step_away_by_call_length
        lines = [f"after a call the agent steps away with probability {shares} for 0, 1, ..., "
                 f"{QUEUE_LEVELS - 1}+ callers waiting ({self.gaps} gaps between calls)",
                 f"away spells ({away.spells} that began while callers waited, return seen in {away.returns_seen}): "
                 f"mean {self.away_mean_seconds / 60:.1f} min after the set-up, median "
                 f"{self._median_gap() - self.setup_seconds:.0f} s; a fully busy agent is on the phones "
                 f"{share:.0%} of the time with nobody waiting",
                 "step-away share while callers wait, by call length: "
                 + ", ".join(f"{row.call_seconds} s {row.share:.0%}" for row in lengths.itertuples(index=False)
                             if row.calls) + " (a clock-time spell would make it grow with the call's length)",
                 f"call set-up between calls: {self.setup_seconds:.1f} s (after-call work)"]
        if self.time_of_day:
            lines.append("time of day (factor on the probabilities): " + ", ".join(
                f"{hour}h {factor:.2f}" for hour, factor in sorted(self.time_of_day.items())))
        if away.recall_queue is None:
            lines.append(f"no queue-responsive return (likelihood-ratio p = {away.recall_p_value:.3g})")
        else:
            team = away.team
            head = (f"recall: while at least {away.recall_queue} callers wait, away agents come back at "
                    f"{away.recall_rate * 60:.3f} per minute on top")
            if team is not None and team.significant:
                eight = away.recall_rate * 60 * team.factor ** 7
                lines.append(f"{head} with one agent on duty, times {team.factor:.3f} for each agent more ({eight:.3f} "
                             f"with 8; likelihood-ratio p = {away.recall_p_value:.2g}, for the factor "
                             f"{team.p_value:.2g})")
            else:
                unvaried = "" if team is None else f"; no dependence on agents on duty, p = {team.p_value:.2g}"
                lines.append(f"{head} (likelihood-ratio p = {away.recall_p_value:.2g}{unvaried})")
        return lines

    def _median_gap(self) -> float:
        probabilities = np.cumsum(self.away.bin_probabilities())
        index = int(np.searchsorted(probabilities, 0.5))
        edges = self.away.edges
        below = probabilities[index - 1] if index else 0.0
        inside = (0.5 - below) / max(probabilities[index] - below, 1e-12)
        return float(edges[index] + inside * (edges[index + 1] - edges[index]))


def _share_table(obs: GapObservations, rows: np.ndarray, groups: np.ndarray, labels: list[str], name: str,
                 connect_seconds: float) -> pd.DataFrame:
    """While callers wait at the call's end and the outcome is known: calls and share stepping away."""
    known = rows & (obs.exact | (obs.low > connect_seconds))
    away = known & ((obs.exact & (obs.high > connect_seconds)) | (~obs.exact & (obs.low > connect_seconds)))
    calls = np.bincount(groups[known], minlength=len(labels))
    stepped = np.bincount(groups[away], minlength=len(labels))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = stepped / calls
    return pd.DataFrame({name: labels, "calls": calls, "stepped_away": stepped, "share": share})


def _evidence(obs: GapObservations, connect_seconds: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    waiting = obs.queue_at_end >= 1
    level = np.minimum(obs.queue_at_end, QUEUE_LEVELS - 1)
    by_queue = _share_table(obs, waiting, level, [f"{q}" if q < QUEUE_LEVELS - 1 else f"{q}+"
                                                  for q in range(QUEUE_LEVELS)], "queue_at_end", connect_seconds)
    edges = np.asarray(CALL_LENGTH_BINS)
    length_bin = np.clip(np.searchsorted(edges, obs.call_length, side="right") - 1, 0, len(edges) - 2)
    labels = [f"{edges[i]:.0f}-{edges[i + 1]:.0f}" if math.isfinite(edges[i + 1]) else f"{edges[i]:.0f}+"
              for i in range(len(edges) - 1)]
    return by_queue.iloc[1:].reset_index(drop=True), _share_table(obs, waiting, length_bin, labels, "call_seconds",
                                                                 connect_seconds)


def fit_availability(activity: AgentActivity, pool: str) -> AvailabilityFit:
    """The availability model of one pool (see module docstring)."""
    connect = activity.settings.connect_seconds
    obs = gap_observations(activity, pool)
    by_queue, by_length = _evidence(obs, connect)
    surely_away = (obs.queue_at_end >= 1) & ((obs.exact & (obs.high > connect)) | (~obs.exact & (obs.low > connect)))
    mean_call = float(obs.call_length.mean()) if len(obs.call_length) else math.nan
    if surely_away.sum() < MIN_GAPS or obs.exact[surely_away].sum() < MIN_GAPS:
        setup, _ = _setup_probabilities(obs, connect)
        return AvailabilityFit(pool, setup, len(obs.high), (), {}, None, mean_call, by_queue, by_length)
    rows = np.flatnonzero(surely_away)
    away, recall_seconds = with_team_recall(obs, rows, fit_away(obs, rows, connect), activity, pool)
    factors = hour_factors(obs, connect)
    probabilities, setup = fit_probabilities(obs, away, factors, connect, recall_seconds)
    return AvailabilityFit(pool, setup, len(obs.high), tuple(float(p) for p in probabilities), factors, away,
                           mean_call, by_queue, by_length)
