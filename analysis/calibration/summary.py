"""A plain-text digest of a :class:`~analysis.calibration.fitting.CalibrationResult`."""

from __future__ import annotations

import math

from .distributions import EmpiricalDistribution, FittedDistribution
from .fitting import CalibrationResult
from .handle_time import DurationFit
from .patience import PatienceEstimate


def _parameters(fit: FittedDistribution) -> str:
    return ", ".join(f"{name}={value:.4g}" for name, value in fit.parameters.items())


def _handle_line(label: str, fit: DurationFit) -> str:
    best = fit.best
    head = (f"  {label}: n={fit.sample_size} (excluded {fit.excluded_short} short, "
            f"{fit.excluded_non_positive} non-positive)")
    if best is None:
        return head + f"; too few for a family, empirical mean {fit.empirical.mean():.1f} s"
    recommended = "empirical" if isinstance(fit.recommended, EmpiricalDistribution) else best.family
    return (head + f"; best {best.family} ({_parameters(best)}), mean {best.mean():.1f} s, "
            f"KS {best.ks_statistic:.3f}; recommended: {recommended}")


def _patience_line(label: str, estimate: PatienceEstimate) -> str:
    curve = estimate.kaplan_meier
    text = (f"  {label}: queued {estimate.queued}, abandoned {estimate.abandoned} "
            f"({estimate.abandonment_share:.1%}); KM S(60 s)={float(curve.survival_at(60.0)):.3f}, "
            f"median {curve.median():.0f} s; naive mean {estimate.naive_mean_seconds:.1f} s")
    if estimate.exponential is not None and estimate.weibull is not None:
        exponential, weibull = estimate.exponential, estimate.weibull
        text += (f"; exponential mean {exponential.parameters['mean']:.1f} s "
                 f"(+/- {exponential.standard_errors['mean']:.1f}); Weibull shape "
                 f"{weibull.parameters['shape']:.3f}, scale {weibull.parameters['scale']:.1f} s "
                 f"(mean {weibull.mean():.1f} s)")
    return text


def format_summary(result: CalibrationResult) -> str:
    """Headline numbers of a calibration, one topic per block."""
    lines = [f"Contacts {result.contacts} from {result.first_date} to {result.last_date}; "
             f"answered {result.answered_share:.1%}; abandoned in queue "
             f"{result.abandonment_share_of_queued:.1%} of {result.queued} queued"]
    arrivals = result.arrivals
    lines.append(f"Arrivals ({arrivals.interval_seconds // 60}-min intervals), busyness CV "
                 f"{arrivals.busyness_cv:.3f}:")
    for label in arrivals.day_types.labels:
        days = arrivals.days_observed.get(label, 0)
        if days:
            lines.append(f"  {label}: {days} days, {arrivals.expected_daily_total(label):.1f} expected per day")
    lines.append("Handle time:")
    lines.extend(_handle_line(label, fit) for label, fit in result.handle_time.items())
    lines.append("Patience:")
    lines.extend(_patience_line(label, estimate) for label, estimate in result.patience.items())
    queue = result.queue_patience
    if queue is not None:
        kept = "written" if queue.significant else "not written (no clear difference)"
        lines.append(f"Patience by callers ahead (extra hang-up rate in the first {queue.within_seconds:.0f} s, "
                     f"chi-square p = {queue.p_value:.2g}, {kept}): {queue.describe()}")
    order = result.type_order
    if order is not None:
        kept = "written" if order.significant else "not written (agents took the oldest caller)"
        lines.append(f"Type order ({kept}): {order.describe()}")
    bot = result.bot_time
    if bot.fit is not None:
        lines.append(f"Bot time: {bot.contacts_with_bot_time} contacts, mean {bot.mean_seconds:.1f} s")
    share = "unknown" if bot.self_service_share is None else f"{bot.self_service_share:.1%}"
    lines.append(f"Self-service share: {share} ({bot.self_service_note})")
    staffing = result.staffing
    peak = staffing.by_day_type["mean_agents"].max() if len(staffing.by_day_type) else math.nan
    lines.append(f"Staffing: {staffing.distinct_agents} agents seen; peak mean on duty {peak:.1f}, "
                 f"max in any interval {staffing.per_day['agents_on_duty'].max()}")
    lines.extend(f"Note: {note}" for note in result.notes)
    return "\n".join(lines)
