"""Agents stepping away and coming back, estimated from the gaps between their calls.

The engine's availability model (``AgentGroup.availability``): an agent on
duty is available (talking or idle) for a spell of ``available_time``, then
steps away (after the call in hand) for ``away_time``, and while at least
``queue_at_least`` callers wait an away agent also comes back at
``rate_per_minute``. The estimators read only moments at which the log
settles what the agent was doing: while callers of the agent's pool wait,
an available agent who is not talking takes one at once. So, for the gaps
between consecutive calls of a duty span (:mod:`~analysis.calibration.agent_activity`):

* **call set-up** (written as after-call work): the mean of the gaps of at
  most ``connect_seconds`` that agents took while callers kept waiting;
* **stepping away** (a *check*): a call that ends while callers wait, and
  they still wait ``connect_seconds`` later (or until the agent's next
  answer, if sooner). The agent stepped away if the gap is longer than
  ``connect_seconds``. With an exponential available spell of rate
  lambda and the agent busy throughout, P(step away after a call of length
  s) = 1 - exp(-lambda (s + set-up)); lambda is the maximum-likelihood
  estimate over all checks;
* **away spells**: the gaps after checks that stepped away, from the end of
  set-up. The return is seen exactly when the agent's next answer took a
  waiting caller; otherwise the agent was surely away up to the last moment
  callers waited and back by the next answer, with nobody waiting in between
  (interval-censored: dropping the upper bound would hide every return made
  while nobody waited and fake a queue response). The return hazard is
  h(t) = h_away(t) + r 1[queue(t) >= N]: h_away that of one exponential or
  of a two-exponential mixture (short personal time and longer breaks),
  chosen by AIC; N from 1 to :data:`MAX_RECALL_QUEUE` by likelihood, and
  the recall term kept only when the likelihood-ratio test against r = 0
  rejects at :data:`RECALL_SIGNIFICANCE`.

Stepping away is assumed not to depend on the queue; :attr:`AvailabilityFit.step_away_by_queue`
shows whether the log agrees (the engine cannot express a dependence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .agent_activity import AgentActivity

MAX_RECALL_QUEUE = 10
RECALL_SIGNIFICANCE = 0.01
MIN_CHECKS = 30  # fewer checks or away spells than this: no estimate (the log is too sparse)
MIN_COMPONENT_WEIGHT = 0.01
QUEUE_BINS = (1, 2, 3, 4, 6, 8, 11)  # queue lengths at a call's end, for the step-away table


@dataclass(frozen=True)
class AwayObservations:
    """Away spells as the log shows them: durations, whether the return was seen, and queue exposure."""

    duration: np.ndarray
    returned: np.ndarray  # bool: return seen (else it happened after ``duration``, by ``upper``)
    upper: np.ndarray  # the next answer: a return unseen happened by then, while nobody waited
    time_queue_at_least: np.ndarray  # shape (MAX_RECALL_QUEUE, n): seconds with queue >= N, N = 1..
    queue_at_return: np.ndarray  # callers waiting just before the return (or the censoring time)


@dataclass(frozen=True)
class AwayFit:
    """Return hazard: mixture of exponentials (weights, means in seconds) plus recall at rate r (per second)."""

    weights: tuple[float, ...]
    means: tuple[float, ...]
    recall_queue: int | None
    recall_rate: float
    log_likelihood: float
    recall_p_value: float
    capped: bool = False  # a mean was cut to the longest away spell a duty span can hold

    @property
    def mean_seconds(self) -> float:
        return float(np.dot(self.weights, self.means))

    def spec(self) -> dict:
        if len(self.means) == 1:
            return {"dist": "exponential", "mean": round(self.means[0], 3), "unit": "s"}
        return {"dist": "mixture", "components": [
            {"weight": round(w, 6), "distribution": {"dist": "exponential", "mean": round(m, 3), "unit": "s"}}
            for w, m in zip(self.weights, self.means)]}


@dataclass(frozen=True)
class AvailabilityFit:
    """The pool's availability model and the evidence behind it."""

    pool: str
    setup_seconds: float  # mean call set-up (after-call work)
    checks: int
    stepped_away: int
    available_mean_seconds: float
    away: AwayFit | None
    away_spells: int
    returns_seen: int
    step_away_by_queue: pd.DataFrame = field(repr=False)  # queue_at_end, checks, stepped_away, share

    @property
    def usable(self) -> bool:
        return self.away is not None and math.isfinite(self.available_mean_seconds)

    @property
    def share_available(self) -> float:
        if not self.usable:
            return math.nan
        return self.available_mean_seconds / (self.available_mean_seconds + self.away.mean_seconds)

    def spec(self) -> dict | None:
        """``AgentGroup.availability`` of the scenario format, or None when not estimable."""
        if not self.usable:
            return None
        spec = {"available_time": {"dist": "exponential", "mean": round(self.available_mean_seconds, 3),
                                   "unit": "s"},
                "away_time": self.away.spec()}
        if self.away.recall_queue is not None:
            spec["recall"] = {"queue_at_least": self.away.recall_queue,
                              "rate_per_minute": round(self.away.recall_rate * 60.0, 6)}
        return spec

    def describe(self) -> list[str]:
        if not self.usable:
            return [f"availability ({self.pool}): {self.checks} checks and {self.away_spells} away spells: too few "
                    "to estimate, not modelled"]
        away = self.away
        parts = " + ".join(f"{w:.0%} exponential mean {m / 60:.1f} min" for w, m in zip(away.weights, away.means))
        lines = [f"calls end while callers wait {self.checks} times; the agent stepped away after {self.stepped_away} "
                 f"({self.stepped_away / self.checks:.1%}): available spell exponential, mean "
                 f"{self.available_mean_seconds / 60:.1f} min of clock time",
                 f"away spells ({self.away_spells}, return seen in {self.returns_seen}): {parts} "
                 f"(mean {away.mean_seconds / 60:.1f} min); share of time available "
                 f"{self.share_available:.1%} without recall"
                 + (" (the longer spells' mean is not identified: agents are seen coming back only while "
                    "callers wait; cut to the off-duty gap)" if away.capped else ""),
                 f"call set-up between calls: {self.setup_seconds:.1f} s (after-call work)"]
        if away.recall_queue is None:
            lines.append(f"no queue-responsive return (likelihood-ratio p = {away.recall_p_value:.3g})")
        else:
            lines.append(f"recall: while at least {away.recall_queue} callers wait, away agents come back at "
                         f"{away.recall_rate * 60:.3f} per minute on top (likelihood-ratio p = "
                         f"{away.recall_p_value:.2g})")
        return lines


def _setup_and_checks(activity: AgentActivity, pool: str) -> tuple[float, pd.DataFrame]:
    gaps = activity.gaps.loc[activity.gaps["pool"] == pool]
    queue = activity.queues[pool]
    connect = activity.settings.connect_seconds
    end, gap = gaps["talk_end"].to_numpy(), gaps["gap"].to_numpy()
    window = np.minimum(gap, connect)
    slack = np.minimum(1.0, 0.5 * window)  # one clock tick of a log in whole seconds
    waiting = (queue.before(end) >= 1) & (queue.time_at_least(1, end, end + window) >= window - slack)
    checks = gaps.loc[waiting].assign(queue_at_end=queue.at(end[waiting]),
                                      stepped_away=gap[waiting] > connect)
    continued = checks.loc[~checks["stepped_away"], "gap"]
    setup = float(continued.mean()) if len(continued) else 0.0
    return setup, checks


def _available_rate(checks: pd.DataFrame, setup: float) -> float:
    """MLE of lambda: sum over checks of y log(1 - exp(-lambda s)) - (1 - y) lambda s."""
    exposure = (checks["talk_end"] - checks["talk_start"]).to_numpy() + setup
    exposure = np.maximum(exposure, 1.0)
    away = checks["stepped_away"].to_numpy()
    if away.sum() == 0 or away.all():
        return math.nan

    def negative(log_rate: float) -> float:
        rate = math.exp(log_rate)
        return -(np.log(-np.expm1(-rate * exposure[away])).sum() - rate * exposure[~away].sum())

    start = math.log(away.sum() / exposure.sum())
    best = optimize.minimize_scalar(negative, bounds=(start - 5, start + 5), method="bounded")
    return math.exp(best.x)


def away_observations(activity: AgentActivity, pool: str, checks: pd.DataFrame, setup: float) -> AwayObservations:
    """Away spells after the checks that stepped away (see module docstring)."""
    queue = activity.queues[pool]
    spells = checks.loc[checks["stepped_away"]]
    begin = spells["talk_end"].to_numpy() + setup
    answer = spells["next_answer"].to_numpy()
    returned = queue.before(answer) >= 1
    last = queue.last_at_least(1, begin, answer)
    stop = np.where(returned, answer, last)
    keep = (stop > begin) | (~returned & (answer > begin))
    begin, stop, returned = begin[keep], stop[keep], returned[keep]
    exposure = np.vstack([queue.time_at_least(level, begin, stop) for level in range(1, MAX_RECALL_QUEUE + 1)])
    return AwayObservations(stop - begin, returned, answer[keep] - begin, exposure, queue.before(stop))


def _mixture_terms(params: np.ndarray, components: int, duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log survival and hazard of the exponential mixture at ``duration``."""
    rates = np.exp(params[:components])
    if components == 1:
        return -rates[0] * duration, np.full_like(duration, rates[0])
    weight = 1.0 / (1.0 + math.exp(-params[components]))
    log_parts = np.vstack([math.log(weight) - rates[0] * duration, math.log1p(-weight) - rates[1] * duration])
    log_survival = np.logaddexp(log_parts[0], log_parts[1])
    hazard = (np.exp(log_parts[0]) * rates[0] + np.exp(log_parts[1]) * rates[1]) / np.exp(log_survival)
    return log_survival, hazard


def _fit_away(obs: AwayObservations, components: int, recall_queue: int | None) -> tuple[float, np.ndarray]:
    """Maximum log-likelihood and parameters (log rates, [logit weight], [log recall rate])."""
    exposure = obs.time_queue_at_least[recall_queue - 1] if recall_queue else None
    at_return = (obs.queue_at_return >= recall_queue) if recall_queue else None

    def negative(params: np.ndarray) -> float:
        log_survival, hazard = _mixture_terms(params, components, obs.duration)
        if recall_queue:
            rate = math.exp(params[-1])
            log_survival = log_survival - rate * exposure
            hazard = hazard + rate * at_return
        # A return unseen fell in (duration, upper], with nobody waiting: no recall there.
        unseen = ~obs.returned
        log_later, _ = _mixture_terms(params, components, obs.upper[unseen])
        log_now, _ = _mixture_terms(params, components, obs.duration[unseen])
        inside = np.log(-np.expm1(np.minimum(log_later - log_now, -1e-12)))
        return -(log_survival.sum() + np.log(hazard[obs.returned]).sum() + inside.sum())

    mean = obs.duration.sum() / max(obs.returned.sum(), 1)
    starts = [[-math.log(mean)]] if components == 1 else [[-math.log(mean / 4), -math.log(mean * 4), 1.0],
                                                          [-math.log(30.0), -math.log(1200.0), 2.0]]
    best = None
    for start in starts:
        start = np.array(start + ([-math.log(600.0)] if recall_queue else []))
        result = optimize.minimize(negative, start, method="Nelder-Mead",
                                   options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-6})
        if best is None or result.fun < best.fun:
            best = result
    return -float(best.fun), best.x


def fit_away(obs: AwayObservations, max_mean_seconds: float = math.inf) -> AwayFit:
    """Exponential or two-exponential mixture by AIC, then the recall term (see module docstring).

    Returns seen only while callers wait cannot tell how fast agents come back
    while nobody does; when the fit puts a component's mean beyond
    ``max_mean_seconds`` (the longest absence a duty span holds) it is cut there."""
    fits = {components: _fit_away(obs, components, None) for components in (1, 2)}
    components = min(fits, key=lambda k: 2 * (2 * k - 1) - 2 * fits[k][0])
    weight = 1.0 / (1.0 + math.exp(-fits[2][1][2]))
    if min(weight, 1.0 - weight) < MIN_COMPONENT_WEIGHT:
        components = 1  # a component this rare is no second kind of absence
    base_likelihood, params = fits[components]
    best_queue, best = None, (base_likelihood, params)
    for queue in range(1, MAX_RECALL_QUEUE + 1):
        if obs.time_queue_at_least[queue - 1].sum() <= 0:
            break
        candidate = _fit_away(obs, components, queue)
        if candidate[0] > best[0]:
            best_queue, best = queue, candidate
    # N is chosen too, so the test takes two degrees of freedom (a conservative approximation).
    p_value = float(stats.chi2.sf(2 * (best[0] - base_likelihood), 2)) if best_queue else 1.0
    if best_queue is None or p_value >= RECALL_SIGNIFICANCE:
        best_queue, best = None, (base_likelihood, params)
    likelihood, params = best
    means = tuple(float(1.0 / math.exp(p)) for p in params[:components])
    weights = (1.0,) if components == 1 else (1.0 / (1.0 + math.exp(-params[components])),)
    if components == 2:
        weights = (weights[0], 1.0 - weights[0])
        order = np.argsort(means)
        means, weights = tuple(means[i] for i in order), tuple(weights[i] for i in order)
    if len(means) == 2 and min(weights) < MIN_COMPONENT_WEIGHT:
        means, weights = (means[int(np.argmax(weights))],), (1.0,)
    rate = float(math.exp(params[-1])) if best_queue else 0.0
    capped = max(means) > max_mean_seconds
    means = tuple(min(m, max_mean_seconds) for m in means)
    return AwayFit(weights, means, best_queue, rate, likelihood, p_value, capped)


def _step_away_table(checks: pd.DataFrame) -> pd.DataFrame:
    bins = pd.cut(checks["queue_at_end"], [*QUEUE_BINS[:-1], np.inf], right=False,
                  labels=[f"{a}" if b == a + 1 else (f"{a}+" if b == np.inf else f"{a}-{b - 1}")
                          for a, b in zip(QUEUE_BINS[:-1], [*QUEUE_BINS[1:-1], np.inf])])
    table = checks.groupby(bins, observed=False)["stepped_away"].agg(["size", "sum"]).reset_index()
    table.columns = ["queue_at_end", "checks", "stepped_away"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = table["stepped_away"] / table["checks"]
    return table


def fit_availability(activity: AgentActivity, pool: str) -> AvailabilityFit:
    """The availability model of one pool (see module docstring)."""
    setup, checks = _setup_and_checks(activity, pool)
    rate = _available_rate(checks, setup) if len(checks) >= MIN_CHECKS else math.nan
    obs = away_observations(activity, pool, checks, setup)
    longest = activity.settings.off_duty_gap_minutes * 60.0
    away = fit_away(obs, longest) if obs.returned.sum() >= MIN_CHECKS and math.isfinite(rate) else None
    return AvailabilityFit(pool=pool, setup_seconds=setup, checks=len(checks),
                           stepped_away=int(checks["stepped_away"].sum()),
                           available_mean_seconds=1.0 / rate if math.isfinite(rate) else math.nan,
                           away=away, away_spells=len(obs.duration), returns_seen=int(obs.returned.sum()),
                           step_away_by_queue=_step_away_table(checks))
