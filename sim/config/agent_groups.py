"""Agent groups: their staffing (headcount, shifts, rosters), breaks, availability, overtime and surge.

Part of the scenario schema (:mod:`sim.config.scenario`); frozen pydantic
models that reject unknown keys.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .distributions import Distribution
from .economics import TrainingEffect
from .errors import FieldError
from .staffing_changes import apply_staffing_changes, check_extra_agents
from .types import (
    MAX_AGENTS,
    AgentChange,
    AgentCount,
    Count,
    FileReference,
    Label,
    Name,
    NonNegativeReal,
    PositiveCount,
    PositiveReal,
    Sessions,
    StrictModel,
    TimeOfDay,
    Weekday,
    exactly_one,
    factors_by_minute,
    skills_from_list,
)

# The fields an agent group's staffing comes from (exactly one per group).
STAFFING_KEYS: tuple[str, ...] = ("headcount", "headcount_rows", "headcount_file", "shifts", "roster_file")


class Break(StrictModel):
    """A break starting at ``start``; with the group's ``break_deferral`` rule it may start as late as
    ``latest`` (default: ``max_delay_minutes`` after ``start``)."""

    start: TimeOfDay
    minutes: PositiveReal
    paid: bool = False
    latest: TimeOfDay | None = Field(None, description="Latest start when the group defers breaks.")


class Shift(StrictModel):
    """``count`` agents working from ``start`` for ``length_hours`` (may cross midnight)."""

    name: Label | None = None
    start: TimeOfDay
    length_hours: float = Field(gt=0, le=24)
    count: AgentCount = 1
    breaks: list[Break] = Field(default_factory=list)
    weekdays: list[Weekday] | None = Field(None, description="Weekdays the shift is worked (default: every day).")


class HeadcountRow(StrictModel):
    interval: TimeOfDay
    headcount: AgentCount
    weekday: Weekday | None = None
    day: PositiveCount | None = None


class Overtime(StrictModel):
    """Agents whose shift ends while more than ``queue_above`` contacts wait for the
    group's skills stay on until the queue is back at or under that level, taking
    no new contact after ``max_minutes`` (the one in hand is finished); overtime is
    paid at wage x (1 + ``premium``)."""

    queue_above: Count
    max_minutes: PositiveReal = 60.0
    premium: NonNegativeReal = 0.5


class Surge(StrictModel):
    """Agents scheduled but off the phones (the group's shrinkage: back-office work,
    coaching) come to the phones, up to ``max_agents`` at a time, while more than
    ``queue_above`` contacts wait for the group's skills, and go back to their
    other work once it is at or under that level. They are paid already: no extra cost."""

    queue_above: Count
    max_agents: PositiveCount


class Recall(StrictModel):
    """Away agents come back early while the queue is long: while at least ``queue_at_least``
    contacts wait for the group's skills, or the oldest of them has waited more than
    ``oldest_wait_above_seconds``, each away agent returns at ``rate_per_minute`` (a hazard
    rate: the chance of returning within a short time dt is rate x dt), independently of how long
    each has been away, times ``factor_per_agent_on_duty`` for each agent on duty beyond the first
    (the group's agents on duty, away ones included; 1: the rate does not depend on them)."""

    queue_at_least: PositiveCount | None = None
    oldest_wait_above_seconds: NonNegativeReal | None = None
    rate_per_minute: PositiveReal = Field(le=10_000, description="At most 10,000 (back within milliseconds).")
    factor_per_agent_on_duty: float = Field(
        1.0, gt=0, le=1, description="Factor on the rate for each agent on duty beyond the first: with D on duty "
                                     "the rate is rate_per_minute x factor^(D - 1).")

    @model_validator(mode="after")
    def _has_a_condition(self) -> "Recall":
        if self.queue_at_least is None and self.oldest_wait_above_seconds is None:
            raise ValueError("recall needs queue_at_least, oldest_wait_above_seconds or both")
        return self


class Availability(StrictModel):
    """Agents on duty alternate between available (on the phones, busy or idle) and away
    (after-call admin, personal time, short aux work) instead of losing a fixed share.

    Two ways to step away (either or both):

    * ``available_time`` (clock time): each agent coming on duty or back starts an
      available spell of that length; when it runs out the agent steps away, at once
      if idle or after the contact in hand;
    * ``step_away_after_contact``: at the end of each contact the agent steps away with
      a probability that depends on how many contacts wait for the group's skills at
      that moment (entry k for k waiting, the last entry for that many or more), times
      the factor of ``step_away_time_of_day`` in force (1 without it).

    An away spell lasts ``away_time``, unless a ``recall`` brings the agent back first.
    Away time is paid (it is inside the shift)."""

    available_time: Distribution | None = None
    step_away_after_contact: list[float] | None = Field(
        None, min_length=1, description="Probability of stepping away after a contact, by contacts waiting then.")
    step_away_time_of_day: dict[TimeOfDay, NonNegativeReal] | None = Field(
        None, description='Factor on step_away_after_contact from each time of day on, e.g. {"12:00" = 1.4}.')
    away_time: Distribution
    recall: Recall | None = None

    @field_validator("step_away_after_contact")
    @classmethod
    def _probabilities(cls, values: list[float] | None) -> list[float] | None:
        if values is not None and any(not 0.0 <= value <= 1.0 for value in values):
            raise ValueError("probabilities must be between 0 and 1")
        return values

    @model_validator(mode="after")
    def _spells_take_time(self) -> "Availability":
        # Spells of zero mean length would switch agents back and forth without the clock moving.
        for key in ("available_time", "away_time"):
            spell = getattr(self, key)
            if spell is not None and not spell.mean_seconds() > 0:
                raise FieldError(key, "the mean must be more than 0 s (agents would switch without end)")
        return self

    @model_validator(mode="after")
    def _a_way_to_step_away(self) -> "Availability":
        if self.available_time is None and self.step_away_after_contact is None:
            raise ValueError("availability needs available_time, step_away_after_contact or both")
        if self.step_away_time_of_day is not None and self.step_away_after_contact is None:
            raise ValueError("step_away_time_of_day scales step_away_after_contact, which is missing")
        return self

    def share_available(self, mean_busy_seconds: float | None = None) -> float:
        """The share of time on the phones of a fully occupied agent, recalls ignored: E[available] /
        (E[available] + E[away]) per available spell, and per contact (``mean_busy_seconds`` of talk and
        after-call work) mean busy / (mean busy + P(step away) x E[away]) with the probability when
        nothing waits (the highest an estimate gives) and the time-of-day factors' mean over the day."""
        away = self.away_time.mean_seconds()
        share = 1.0
        if self.available_time is not None:
            available = self.available_time.mean_seconds()
            share = available / (available + away)
        if self.step_away_after_contact is not None:
            if mean_busy_seconds is None or mean_busy_seconds <= 0:
                raise ValueError("the share available with step_away_after_contact needs the mean busy time")
            factors = factors_by_minute(self.step_away_time_of_day)
            probability = min(1.0, self.step_away_after_contact[0] * sum(factors) / len(factors))
            share *= mean_busy_seconds / (mean_busy_seconds + probability * away)
        return share


INDUSTRY_FIRST_CONTACT_RESOLUTION = 0.70
"""Industry-average first-contact resolution of in-house agents (SQM Group's benchmark of 500+ North American
call centers, post-contact surveys: average 70%, "good" 70-79%, world class 80% and above)."""


class BreakDeferral(StrictModel):
    """Breaks of the group's shifts wait while the queue is long.

    At a break's planned start, if more than ``defer_while_queue_above``
    contacts wait for the group's skills, the break is deferred; it starts as
    soon as an agent of the group finishes a contact with the queue at or
    under that level, and at the latest at the end of its window (the break's
    ``latest``, else ``max_delay_minutes`` after its start). A paid break
    still deferred then is missed (the agent stays on the phones); an unpaid
    one is taken then. A break lasts its planned minutes whenever it starts,
    and paid hours follow the plan, so deferring changes no one's pay.
    """

    defer_while_queue_above: Count
    max_delay_minutes: PositiveReal = 30.0


class AgentGroup(StrictModel):
    """In-house agents with the same skills, schedule and pay.

    Staffing comes from exactly one of ``headcount`` (agents scheduled per
    interval, repeated every day), ``headcount_rows``/``headcount_file``
    (per interval, optionally per weekday or day), ``shifts`` or
    ``roster_file`` (a roster CSV: shift counts, or named agents and the
    days they work as ``ccsim schedule`` writes them, see
    :mod:`sim.config.agent_roster`).
    ``shrinkage`` is the share of scheduled time lost to absence, meetings and
    other off-phone work not modelled as explicit breaks: agents available =
    round(scheduled x (1 - shrinkage)). ``availability`` instead lets each
    agent on duty step away and come back (see :class:`Availability`). At
    shift end an agent finishes the contact in hand, then leaves.
    """

    name: Name
    skills: dict[Name, PositiveCount] = Field(
        description="Contact types served, with priority (1 = served first when several wait)."
    )
    headcount: list[AgentCount] | None = None
    headcount_rows: list[HeadcountRow] | None = None
    headcount_file: FileReference | None = None
    shifts: list[Shift] | None = None
    roster_file: FileReference | None = None
    shrinkage: float = Field(0.0, ge=0, lt=1)
    handle_time_multiplier: PositiveReal = 1.0
    wage_per_hour: NonNegativeReal = 0.0
    on_costs: dict[Name, NonNegativeReal] = Field(
        default_factory=dict,
        description="Employer costs as a share of wages, e.g. {social_insurance = 0.22}.",
    )
    training_cost_per_agent_day: NonNegativeReal = 0.0
    training_effect: TrainingEffect | None = Field(
        None, description="How training spend changes handle time and first-contact resolution.")
    first_contact_resolution: float = Field(
        INDUSTRY_FIRST_CONTACT_RESOLUTION, gt=0, le=1,
        description="Share of contacts resolved; the rest come back as repeat contacts. Default 0.70: the call "
                    "center industry average measured by post-contact surveys (SQM Group benchmark).")
    dedicated: bool = Field(
        False, description="Own queues, fed only by routing rules naming this group (e.g. a VIP desk).")
    overtime: Overtime | None = None
    surge: Surge | None = None
    availability: Availability | None = Field(
        None, description="Agents step away and come back (instead of, or on top of, shrinkage).")
    staffing_scale: PositiveReal | None = Field(
        None, description="Multiply the staffing (every shift's count, or every interval's headcount) by this, "
                          "rounded to whole agents; folded into the counts on loading "
                          "(see sim.config.staffing_changes).")
    extra_agents: AgentChange | dict[str, AgentChange] | None = Field(
        None, description="Agents added: {shift name or start time = N, ...}, or N for the only shift or every "
                          "staffed interval; folded into the counts on loading.")
    concurrency: dict[Name, Sessions] = Field(
        default_factory=dict,
        description="Sessions an agent holds at once per channel (chat, messaging, email; default 1 each).")
    realtime_preempts_backlog: bool = Field(
        False, description="A call or chat finding no free agent takes one who is working only on backlog "
                           "items; the items go back to the head of the backlog with the work left.")
    break_deferral: BreakDeferral | None = Field(
        None, description="Breaks wait while the queue is long, within their window.")

    _normalise_skills = field_validator("skills", mode="before")(skills_from_list)
    _check_extra_agents = field_validator("extra_agents", mode="before")(check_extra_agents)

    def effective_shrinkage(self, mean_busy_seconds: float | None = None) -> float:
        """Share of scheduled agents off the phones on average: shrinkage, then the availability
        model's time away (recalls ignored, so this errs on the safe side for planning);
        ``mean_busy_seconds`` (talk and after-call work per contact) is needed when agents step away
        after contacts."""
        on_phones = 1.0 - self.shrinkage
        if self.availability is not None:
            on_phones *= self.availability.share_available(mean_busy_seconds)
        return 1.0 - on_phones

    @property
    def trained_handle_time_multiplier(self) -> float:
        """``handle_time_multiplier`` with the effect of the training spend (see :class:`TrainingEffect`)."""
        effect = self.training_effect
        if effect is None:
            return self.handle_time_multiplier
        return self.handle_time_multiplier * effect.handle_time_factor(self.training_cost_per_agent_day)

    @property
    def trained_first_contact_resolution(self) -> float:
        """``first_contact_resolution`` with the effect of the training spend, within 0-1."""
        effect = self.training_effect
        if effect is None:
            return self.first_contact_resolution
        change = effect.resolution_change(self.training_cost_per_agent_day)
        return min(max(self.first_contact_resolution + change, 0.0), 1.0)

    @model_validator(mode="after")
    def _one_staffing_source(self) -> "AgentGroup":
        exactly_one(
            self,
            {key: (key,) for key in STAFFING_KEYS},
            "agent group staffing",
        )
        if not self.skills:
            raise ValueError("skills must name at least one contact type")
        return self

    @model_validator(mode="after")
    def _apply_staffing_changes(self) -> "AgentGroup":
        changed = apply_staffing_changes(self)
        counts = ([shift.count for shift in changed.shifts or []] + list(changed.headcount or [])
                  + [row.headcount for row in changed.headcount_rows or []])
        if max(counts, default=0) > MAX_AGENTS:
            raise ValueError(f"staffing_scale and extra_agents make {max(counts):,} agents in one shift or interval, "
                             f"more than {MAX_AGENTS:,}")
        return changed
