"""Shift-template files: which shifts a planner may hand out, and what they cost.

A template file is TOML (see ``scenarios/shifts/standard.toml``) with four
sections: ``[options]`` (costs and coverage policy), ``[[templates]]`` (shift
families), ``[rules.*]`` (settings of the scheduling rules that generate
extra templates, see :mod:`.rules`) and ``[[contracts]]`` (days off, weekly
hours and rest for weekly tours, see :mod:`.contracts`). Models are frozen and reject unknown
keys; every error names the dotted path of the field, e.g.
``templates[1].starts[0]: '25:00' is not a time of day (HH:MM)``. Numbers
are finite and written as numbers; break windows may allow at most
:data:`MAX_BREAK_PLACEMENTS` placements per shift start.

Break windows are offsets in minutes from the shift start: a break may
*start* anywhere from ``earliest_offset_minutes`` to
``latest_offset_minutes`` in steps of ``step_minutes``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sim.config import MINUTES_PER_DAY, time_of_day_minutes
from sim.config.errors import nesting_problem
from sim.config.loader import read_toml
from sim.config.types import Count as NonNegativeInt
from sim.config.types import NonNegativeReal as NonNegativeFloat
from sim.config.types import PositiveCount as PositiveInt
from sim.config.types import PositiveReal as PositiveFloat

from .contracts import Contract, rotation_weeks
from .errors import FieldError, TemplateFileError, validation_problems
from .fields import FrozenModel, Hours, Kind, Name, TimeOfDay

MAX_BREAK_PLACEMENTS = 200_000
"""Break placements per shift start a template may allow (the optimiser enumerates them all)."""
MAX_SHIFT_CANDIDATES = 1_000_000
"""Start times x break placements of one template: enumerating a million takes about ten seconds."""

class StartWindow(FrozenModel):
    """Starts from ``earliest`` to ``latest`` (inclusive, same day) every ``step_minutes``."""

    earliest: TimeOfDay
    latest: TimeOfDay
    step_minutes: PositiveInt = 30

    @model_validator(mode="after")
    def _ordered(self) -> "StartWindow":
        if time_of_day_minutes(self.latest) < time_of_day_minutes(self.earliest):
            raise FieldError("latest", f"{self.latest!r} is before earliest {self.earliest!r} "
                                       "(list starts explicitly for a window across midnight)")
        return self

    def minutes(self) -> list[int]:
        return list(range(time_of_day_minutes(self.earliest), time_of_day_minutes(self.latest) + 1, self.step_minutes))


class BreakWindow(FrozenModel):
    """A break of ``minutes`` that starts between two offsets from the shift start."""

    minutes: PositiveInt
    paid: bool = False
    earliest_offset_minutes: NonNegativeInt
    latest_offset_minutes: NonNegativeInt
    step_minutes: PositiveInt = 15

    @model_validator(mode="after")
    def _ordered(self) -> "BreakWindow":
        if self.latest_offset_minutes < self.earliest_offset_minutes:
            raise FieldError("latest_offset_minutes", f"{self.latest_offset_minutes} is before "
                             f"earliest_offset_minutes {self.earliest_offset_minutes}")
        return self

    def offsets(self) -> list[int]:
        """Every allowed start offset, in minutes from the shift start."""
        return list(range(self.earliest_offset_minutes, self.latest_offset_minutes + 1, self.step_minutes))


class StartChoice(FrozenModel):
    """Start times as an explicit list (``starts``) or a window (``start_window``), never both."""

    starts: list[TimeOfDay] | None = None
    start_window: StartWindow | None = None

    @model_validator(mode="after")
    def _one_start_source(self) -> "StartChoice":
        if self.starts is not None and self.start_window is not None:
            raise FieldError("start_window", "give either starts or start_window, not both")
        if self.starts is not None:
            if not self.starts:
                raise FieldError("starts", "[] is not allowed: list at least one start time")
            seen: set[int] = set()
            for index, text in enumerate(self.starts):
                if time_of_day_minutes(text) in seen:
                    raise FieldError(f"starts[{index}]", f"{text!r} is listed twice")
                seen.add(time_of_day_minutes(text))
        return self

    def start_minutes(self) -> list[int]:
        """Allowed start times in minutes after midnight, ascending (empty when neither is given)."""
        if self.start_window is not None:
            return self.start_window.minutes()
        return sorted(time_of_day_minutes(text) for text in self.starts or [])


class ShiftTemplate(StartChoice):
    """A family of shifts with the same length, breaks and cost, starting at any allowed time.

    Cost per shift is ``cost_per_shift`` when given, else paid hours (length
    less unpaid breaks) times ``hourly_cost`` (or the file's
    ``options.hourly_cost``). ``min_count``/``max_count`` bound the number
    of agents on this template.
    """

    name: Name
    kind: Kind = "full_time"
    length_hours: Hours
    breaks: list[BreakWindow] = Field(default_factory=list)
    min_count: NonNegativeInt | None = None
    max_count: NonNegativeInt | None = None
    cost_per_shift: NonNegativeFloat | None = None
    hourly_cost: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ShiftTemplate":
        if self.starts is None and self.start_window is None:
            raise FieldError("starts", "required, but missing (give starts = [\"HH:MM\", ...] or start_window)")
        for index, window in enumerate(self.breaks):
            if window.latest_offset_minutes + window.minutes > self.length_minutes:
                raise FieldError(f"breaks[{index}].latest_offset_minutes",
                                 f"{window.latest_offset_minutes} + {window.minutes} break minutes ends after the "
                                 f"{self.length_hours:g}-hour shift (at most {self.length_minutes - window.minutes})")
        if self.min_count is not None and self.max_count is not None and self.min_count > self.max_count:
            raise FieldError("min_count", f"{self.min_count} is more than max_count {self.max_count}")
        check_break_placements(self.breaks, "breaks")
        candidates = len(self.start_minutes()) * math.prod(len(window.offsets()) for window in self.breaks)
        if candidates > MAX_SHIFT_CANDIDATES:
            raise FieldError("breaks" if self.breaks else "starts",
                             f"{len(self.start_minutes()):,} start times and these break windows make {candidates:,} "
                             f"candidate shifts, more than {MAX_SHIFT_CANDIDATES:,}; use fewer start times or larger "
                             "step_minutes")
        return self

    @property
    def length_minutes(self) -> int:
        return round(self.length_hours * 60)

    @property
    def paid_minutes(self) -> int:
        return self.length_minutes - sum(window.minutes for window in self.breaks if not window.paid)


def check_break_placements(breaks: list[BreakWindow], field: str) -> None:
    """Raise a FieldError unless the breaks allow at least one and at most ``MAX_BREAK_PLACEMENTS`` placements."""
    if not breaks:
        return
    count = math.prod(len(window.offsets()) for window in breaks)
    if count > MAX_BREAK_PLACEMENTS:
        raise FieldError(field, f"these break windows allow {count:,} placements per shift start, more than "
                                f"{MAX_BREAK_PLACEMENTS:,}; use a larger step_minutes or narrower windows")
    if sum(window.minutes for window in breaks) > MINUTES_PER_DAY or first_break_placement(breaks) is None:
        raise FieldError(field, "no placement of these breaks within their windows avoids overlaps")


def first_break_placement(breaks: list[BreakWindow]) -> tuple[int, ...] | None:
    """Offsets placing every break in its window without overlaps, or None (depth-first search)."""
    def extend(placed: tuple[int, ...]) -> tuple[int, ...] | None:
        if len(placed) == len(breaks):
            return placed
        window = breaks[len(placed)]
        for offset in window.offsets():
            clashes = any(offset < other + breaks[index].minutes and other < offset + window.minutes
                          for index, other in enumerate(placed))
            if not clashes:
                found = extend(placed + (offset,))
                if found is not None:
                    return found
        return None

    return extend(())


class PlanOptions(FrozenModel):
    """Costs and coverage policy for the whole plan."""

    hourly_cost: NonNegativeFloat | None = Field(
        None, description="Cost of a paid hour for templates without cost_per_shift or hourly_cost.")
    allow_under_coverage: bool = False
    shortage_penalty: PositiveFloat | None = Field(
        None, description="Cost per agent short in one interval (needed when allow_under_coverage).")
    max_part_time_share: float | None = Field(None, ge=0, le=1)
    part_time_share_of: Literal["shifts", "paid_hours"] = "shifts"

    @model_validator(mode="after")
    def _penalty_when_allowed(self) -> "PlanOptions":
        if self.allow_under_coverage and self.shortage_penalty is None:
            raise FieldError("shortage_penalty", "required when allow_under_coverage = true")
        return self


class PartTimePeakSettings(StartChoice):
    """Settings of the ``part_time_peak`` rule: one extra part-time template for the peaks."""

    name: Name = "part_time_peak"
    length_hours: Hours = 4.0
    breaks: list[BreakWindow] = Field(default_factory=list)
    cost_factor: PositiveFloat = Field(
        1.0, description="Times the reference cost of a paid hour: above 1 a premium, below 1 a discount.")
    cost_per_shift: NonNegativeFloat | None = None
    min_count: NonNegativeInt | None = None
    max_count: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _placeable(self) -> "PartTimePeakSettings":
        check_break_placements(self.breaks, "breaks")
        return self


class SplitShiftSettings(StartChoice):
    """Settings of the ``split_shifts`` rule: two pieces of work with an unpaid gap between them.

    Without starts, split shifts may start whenever a full-time template may.
    ``piece_breaks`` apply to each piece, with offsets from that piece's start.
    """

    name_prefix: Name = "split"
    kind: Kind = "full_time"
    first_piece_hours: Hours = 4.0
    second_piece_hours: Hours = 4.0
    min_gap_minutes: PositiveInt = 120
    max_gap_minutes: PositiveInt = 240
    gap_step_minutes: PositiveInt = 60
    piece_breaks: list[BreakWindow] = Field(default_factory=list)
    cost_factor: PositiveFloat = 1.0
    cost_per_shift: NonNegativeFloat | None = None
    max_count: NonNegativeInt | None = Field(None, description="Limit on all split shifts together.")

    @model_validator(mode="after")
    def _fits(self) -> "SplitShiftSettings":
        if self.max_gap_minutes < self.min_gap_minutes:
            raise FieldError("max_gap_minutes", f"{self.max_gap_minutes} is less than min_gap_minutes "
                                                f"{self.min_gap_minutes}")
        longest = round((self.first_piece_hours + self.second_piece_hours) * 60) + self.max_gap_minutes
        if longest > MINUTES_PER_DAY:
            raise FieldError("max_gap_minutes", f"{self.max_gap_minutes} makes a split shift longer than 24 hours")
        shorter_piece = round(min(self.first_piece_hours, self.second_piece_hours) * 60)
        for index, window in enumerate(self.piece_breaks):
            if window.latest_offset_minutes + window.minutes > shorter_piece:
                raise FieldError(f"piece_breaks[{index}].latest_offset_minutes",
                                 f"{window.latest_offset_minutes} + {window.minutes} break minutes ends after the "
                                 f"shorter piece ({shorter_piece} minutes)")
        check_break_placements(self.piece_breaks, "piece_breaks")
        return self


class RuleSettings(FrozenModel):
    """Settings for rules that need them; a rule whose settings are missing says so when applied."""

    part_time_peak: PartTimePeakSettings | None = None
    split_shifts: SplitShiftSettings = Field(default_factory=SplitShiftSettings)


class TemplateFile(FrozenModel):
    """A whole shift-template file."""

    options: PlanOptions = Field(default_factory=PlanOptions)
    templates: list[ShiftTemplate] = Field(min_length=1)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    contracts: list[Contract] = Field(
        default_factory=list, description="Contracts for weekly tours (default: one per template kind).")

    @model_validator(mode="after")
    def _names_and_costs(self) -> "TemplateFile":
        seen: set[str] = set()
        for index, template in enumerate(self.templates):
            if template.name in seen:
                raise FieldError(f"templates[{index}].name", f"{template.name!r} is used twice; names must be unique")
            seen.add(template.name)
            if template.cost_per_shift is None and template.hourly_cost is None and self.options.hourly_cost is None:
                raise FieldError(f"templates[{index}].cost_per_shift",
                                 "required, but missing (or give hourly_cost here or options.hourly_cost)")
        _check_contracts(self.contracts, self.templates)
        return self


def _check_contracts(contracts: list[Contract], templates: list[ShiftTemplate]) -> None:
    """Names unique and known, every template on some contract, weekly hours a week of shifts can give."""
    names = {template.name for template in templates}
    seen: set[str] = set()
    for index, contract in enumerate(contracts):
        if contract.name in seen:
            raise FieldError(f"contracts[{index}].name", f"{contract.name!r} is used twice; names must be unique")
        seen.add(contract.name)
        for position, name in enumerate(contract.templates or []):
            if name not in names:
                raise FieldError(f"contracts[{index}].templates[{position}]",
                                 f"{name!r} is not a template (known: {', '.join(sorted(names))})")
        covered = [template for template in templates if contract.covers(template.name, template.kind)]
        if covered:
            _check_weekly_hours(contract, covered, index)
    try:
        rotation_weeks(contracts)
    except ValueError as error:
        raise FieldError("contracts", str(error)) from None
    if contracts:
        for index, template in enumerate(templates):
            if not any(contract.covers(template.name, template.kind) for contract in contracts):
                raise FieldError(f"templates[{index}].kind",
                                 f"template {template.name!r} ({template.kind}) is on no contract: add a contract "
                                 f"of kind {template.kind!r} or list the template in a contract's templates")


def _check_weekly_hours(contract: Contract, templates: list[ShiftTemplate], index: int) -> None:
    shortest = min(templates, key=lambda template: template.paid_minutes)
    longest = max(templates, key=lambda template: template.paid_minutes)
    fewest = contract.fewest_days * shortest.paid_minutes / 60
    if contract.max_weekly_hours < shortest.paid_minutes / 60:
        raise FieldError(f"contracts[{index}].max_weekly_hours",
                         f"{contract.max_weekly_hours:g} is less than one shift (template {shortest.name!r}: "
                         f"{shortest.paid_minutes / 60:g} paid hours)")
    if contract.max_weekly_hours < fewest:
        raise FieldError(f"contracts[{index}].max_weekly_hours",
                         f"{contract.max_weekly_hours:g} is less than {contract.fewest_days} days of the shortest "
                         f"shift (template {shortest.name!r}: {shortest.paid_minutes / 60:g} paid hours) = {fewest:g}")
    most = contract.days_per_week * longest.paid_minutes / 60
    if contract.min_weekly_hours > most:
        raise FieldError(f"contracts[{index}].min_weekly_hours",
                         f"{contract.min_weekly_hours:g} is more than {contract.days_per_week} days of the longest "
                         f"shift (template {longest.name!r}: {longest.paid_minutes / 60:g} paid hours) = {most:g}")


def template_cost(template: ShiftTemplate, options: PlanOptions) -> float:
    """Cost of one shift of ``template``: its own cost, else paid hours times the hourly cost."""
    if template.cost_per_shift is not None:
        return template.cost_per_shift
    hourly = template.hourly_cost if template.hourly_cost is not None else options.hourly_cost
    if hourly is None:
        raise ValueError(f"template {template.name!r} has no cost_per_shift and no hourly cost")
    return hourly * template.paid_minutes / 60.0


def parse_templates(data: dict[str, Any], source: str | None = None) -> TemplateFile:
    """A validated template file from plain data; raises :class:`TemplateFileError`."""
    too_deep = nesting_problem(data)
    if too_deep is not None:
        raise TemplateFileError([too_deep], source)
    try:
        return TemplateFile.model_validate(data)
    except ValidationError as error:
        raise TemplateFileError(validation_problems(error, TemplateFile), source) from None


def load_templates(path: str | Path) -> TemplateFile:
    """Read and validate a TOML shift-template file; raises :class:`TemplateFileError`."""
    path = Path(path)
    return parse_templates(read_toml(path, TemplateFileError), str(path))
