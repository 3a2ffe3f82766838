"""Scheduling rules: named policies that turn a base template file into the templates to plan with.

Planning the same demand under several rules shows what a policy costs, e.g.
``on_the_hour`` versus ``staggered_15`` starts. Rules are applied in a fixed
order whatever order they are named in: rules that add templates first (so
the others also shape the added templates), then start-time rules, then break
rules. Rules that contradict each other cannot be combined.

Dynamic policies (overtime when the queue grows, sending agents home early)
act during a simulated day and belong to the engine, not here.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from sim.config import format_minutes_of_day

from .errors import RuleError, validation_problems
from .plan import CountLimit, PlanSetup
from .templates import BreakWindow, ShiftTemplate, StartChoice, TemplateFile, template_cost

ADD_TEMPLATES, START_TIMES, BREAK_TIMES = 0, 1, 2


@dataclass(frozen=True)
class SchedulingRule:
    """A named transformation of a plan setup; its docstring says what it does."""

    name: str
    phase: int
    transform: Callable[[PlanSetup], PlanSetup]
    conflicts: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        return inspect.getdoc(self.transform) or ""


RULES: dict[str, SchedulingRule] = {}


def _register(name: str, phase: int, conflicts: tuple[str, ...] = ()):
    def decorate(transform: Callable[[PlanSetup], PlanSetup]) -> Callable[[PlanSetup], PlanSetup]:
        RULES[name] = SchedulingRule(name, phase, transform, conflicts)
        return transform
    return decorate


def describe_rules() -> dict[str, str]:
    """Each registered rule's name and the first line of its description."""
    return {name: rule.description.splitlines()[0] for name, rule in RULES.items()}


def apply_rules(base: TemplateFile | PlanSetup, names: Sequence[str] = ()) -> PlanSetup:
    """The setup to plan with: ``base`` (a template file or setup) transformed by the named rules."""
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise RuleError(f"unknown scheduling rule(s) {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(RULES)})")
    for name in names:
        clashes = [other for other in RULES[name].conflicts if other in names]
        if clashes:
            raise RuleError(f"rule {name!r} cannot be combined with {', '.join(map(repr, clashes))}")
    setup = base if isinstance(base, PlanSetup) else PlanSetup.from_file(base)
    for rule in sorted((RULES[name] for name in dict.fromkeys(names)), key=lambda rule: rule.phase):
        setup = replace(rule.transform(setup), rules=setup.rules + (rule.name,))
    return setup


# --- start times ---------------------------------------------------------------------------------

@_register("on_the_hour", START_TIMES, conflicts=("staggered_15",))
def on_the_hour(setup: PlanSetup) -> PlanSetup:
    """Shifts start only on full hours, every hour from a template's earliest to its latest allowed start."""
    return _starts_every(setup, 60, "on_the_hour")


@_register("staggered_15", START_TIMES, conflicts=("on_the_hour",))
def staggered_15(setup: PlanSetup) -> PlanSetup:
    """Shifts may start every 15 minutes from a template's earliest to its latest allowed start.

    This includes every full-hour start, so it never costs more than ``on_the_hour``.
    """
    return _starts_every(setup, 15, "staggered_15")


def _starts_every(setup: PlanSetup, step: int, rule: str) -> PlanSetup:
    templates = []
    for template in setup.templates:
        allowed = template.start_minutes()
        starts = range(math.ceil(allowed[0] / step) * step, allowed[-1] + 1, step)
        if not starts:
            raise RuleError(f"{rule}: template {template.name!r} starts between {format_minutes_of_day(allowed[0])} "
                            f"and {format_minutes_of_day(allowed[-1])}, which holds no start every {step} minutes")
        templates.append(_revised(template, rule, starts=[format_minutes_of_day(start) for start in starts],
                                  start_window=None))
    return replace(setup, templates=tuple(templates))


# --- breaks --------------------------------------------------------------------------------------

@_register("fixed_breaks", BREAK_TIMES, conflicts=("staggered_breaks",))
def fixed_breaks(setup: PlanSetup) -> PlanSetup:
    """Every break starts at a fixed offset from the shift start: the middle allowed offset of its window."""
    templates = []
    for template in setup.templates:
        breaks = []
        for window in template.breaks:
            offsets = window.offsets()
            middle = offsets[(len(offsets) - 1) // 2]
            breaks.append(window.model_copy(update={"earliest_offset_minutes": middle,
                                                    "latest_offset_minutes": middle}))
        templates.append(_revised(template, "fixed_breaks", breaks=[item.model_dump() for item in breaks]))
    return replace(setup, templates=tuple(templates))


@_register("staggered_breaks", BREAK_TIMES, conflicts=("fixed_breaks",))
def staggered_breaks(setup: PlanSetup) -> PlanSetup:
    """Breaks may start at any allowed offset in their windows, so agents on the same shift break at different times.

    This is how template files are read anyway; the rule exists so comparisons can name it.
    """
    return setup


# --- extra templates -----------------------------------------------------------------------------

@_register("part_time_peak", ADD_TEMPLATES)
def part_time_peak(setup: PlanSetup) -> PlanSetup:
    """Adds a part-time template (4 h by default) for the peaks, configured in ``[rules.part_time_peak]``.

    Its cost is ``cost_per_shift`` if given, else paid hours times the
    reference hourly cost times ``cost_factor`` (above 1 a premium, below 1
    a discount). The reference hourly cost is ``options.hourly_cost``, else the
    lowest cost per paid hour among full-time templates.
    """
    settings = setup.settings.part_time_peak
    if settings is None or not settings.start_minutes():
        raise RuleError("part_time_peak needs a [rules.part_time_peak] section with starts or start_window")
    _check_new_names(setup, [settings.name], "part_time_peak")
    data = {"name": settings.name, "kind": "part_time", "length_hours": settings.length_hours,
            "breaks": [window.model_dump() for window in settings.breaks],
            "min_count": settings.min_count, "max_count": settings.max_count,
            **_start_fields(settings), **_cost_fields(setup, settings.cost_per_shift, settings.cost_factor)}
    template = _validated_template(data, "rules.part_time_peak")
    limits = setup.count_limits
    if settings.min_count is not None or settings.max_count is not None:
        limits += (CountLimit(settings.name, (settings.name,), settings.min_count or 0, settings.max_count),)
    return replace(setup, templates=setup.templates + (template,), count_limits=limits)


@_register("split_shifts", ADD_TEMPLATES)
def split_shifts(setup: PlanSetup) -> PlanSetup:
    """Adds split shifts: two pieces of work (4 h + 4 h by default) with an unpaid gap of 2 to 4 hours.

    Configured in ``[rules.split_shifts]``. Each allowed gap length becomes a
    template ``<name_prefix>_gap<minutes>`` whose gap is an unpaid break, so a
    roster and the simulator read split shifts like any other shift.
    ``max_count`` limits all split shifts together. Costs follow the same
    rule as ``part_time_peak``.
    """
    settings = setup.settings.split_shifts
    starts = settings.start_minutes() or sorted({minute for template in setup.templates
                                                 if template.kind == "full_time"
                                                 for minute in template.start_minutes()})
    if not starts:
        raise RuleError("split_shifts needs starts or start_window in [rules.split_shifts] "
                        "(or a full-time template whose starts it can use)")
    first = round(settings.first_piece_hours * 60)
    second = round(settings.second_piece_hours * 60)
    templates = []
    for gap in range(settings.min_gap_minutes, settings.max_gap_minutes + 1, settings.gap_step_minutes):
        gap_break = BreakWindow(minutes=gap, paid=False, earliest_offset_minutes=first, latest_offset_minutes=first)
        breaks = ([window.model_dump() for window in settings.piece_breaks] + [gap_break.model_dump()]
                  + [_shifted(window, first + gap).model_dump() for window in settings.piece_breaks])
        data = {"name": f"{settings.name_prefix}_gap{gap}", "kind": settings.kind,
                "length_hours": (first + gap + second) / 60, "breaks": breaks,
                "starts": [format_minutes_of_day(start) for start in starts],
                **_cost_fields(setup, settings.cost_per_shift, settings.cost_factor)}
        templates.append(_validated_template(data, "rules.split_shifts"))
    _check_new_names(setup, [template.name for template in templates], "split_shifts")
    limits = setup.count_limits
    if settings.max_count is not None:
        limits += (CountLimit(settings.name_prefix, tuple(template.name for template in templates),
                              0, settings.max_count),)
    return replace(setup, templates=setup.templates + tuple(templates), count_limits=limits)


def reference_hourly_cost(setup: PlanSetup) -> float:
    """Cost of a paid hour that generated templates are priced from (see :func:`part_time_peak`)."""
    if setup.options.hourly_cost is not None:
        return setup.options.hourly_cost
    full_time = [template for template in setup.templates if template.kind == "full_time"] or list(setup.templates)
    return min(template_cost(template, setup.options) / (template.paid_minutes / 60) for template in full_time)


def _cost_fields(setup: PlanSetup, cost_per_shift: float | None, cost_factor: float) -> dict[str, float]:
    if cost_per_shift is not None:
        return {"cost_per_shift": cost_per_shift}
    return {"hourly_cost": reference_hourly_cost(setup) * cost_factor}


def _start_fields(choice: StartChoice) -> dict[str, Any]:
    if choice.start_window is not None:
        return {"start_window": choice.start_window.model_dump()}
    return {"starts": list(choice.starts or [])}


def _shifted(window: BreakWindow, minutes: int) -> BreakWindow:
    return window.model_copy(update={"earliest_offset_minutes": window.earliest_offset_minutes + minutes,
                                     "latest_offset_minutes": window.latest_offset_minutes + minutes})


def _check_new_names(setup: PlanSetup, names: list[str], rule: str) -> None:
    taken = {template.name for template in setup.templates}
    clashes = [name for name in names if name in taken]
    if clashes:
        raise RuleError(f"{rule}: template name(s) {', '.join(map(repr, clashes))} already used in the template file")


def _validated_template(data: dict[str, Any], where: str) -> ShiftTemplate:
    try:
        return ShiftTemplate.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(str(problem) for problem in validation_problems(error, ShiftTemplate))
        raise RuleError(f"{where} gives an invalid template: {problems}") from None


def _revised(template: ShiftTemplate, rule: str, **changes: Any) -> ShiftTemplate:
    return _validated_template({**template.model_dump(), **changes}, f"{rule} on template {template.name!r}")
