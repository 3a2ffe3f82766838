"""Initiatives files: investments and the changes they make, to evaluate against a baseline.

TOML validated with pydantic (unknown keys are errors); every problem is
reported at once with its dotted path, the bad value and what is allowed::

    name = "baseline_initiatives"
    scenario = "../baseline.toml"          # the baseline center's typical week
    plan = "../plans/baseline_annual.toml" # optional: months, demand, headcount flow
    months = 12
    replications = 10
    baseline_changes = { first_contact_resolution = -0.1 }   # the baseline measured against

    [[initiatives]]
    name = "training_8_to_5"
    investment = 150000                    # one-off, before the first month
    recurring_per_month = 2000
    ramp_weeks = 12                        # the effect builds up linearly over 12 weeks
    changes = { handle_time = { change = -0.375, contact_types = ["billing"] } }

Changes (all optional, applied in this order; initiatives combined apply
theirs one after another): ``add_vendors`` (vendor tables added to the
scenario), ``set`` (any scenario field by dotted path), ``merge_groups``,
``handle_time``, ``first_contact_resolution``, ``containment``,
``overtime``, ``vendor_share``, and for the plan ``roster_efficiency`` and
``attrition``. See :mod:`.changes` for what each does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.errors import InputError, nesting_problem, validation_problems
from sim.config.loader import read_toml
from sim.config.types import NonNegativeReal, PositiveCount
from sim.limits import MAX_REPLICATIONS

MAX_MONTHS = 120


class InitiativesFileError(InputError):
    """An initiatives file that cannot be evaluated; ``problems`` lists every issue found."""

    what = "initiatives file"


class _Strict(BaseModel):
    # As in scenario files: numbers finite and written as numbers.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class HandleTimeChange(_Strict):
    """Handle time x (1 + ``change``): of the listed contact types (their distributions are
    scaled), else of every in-house group listed in ``groups`` (default all)."""

    change: float = Field(gt=-1, le=5)
    contact_types: list[str] | None = None
    groups: list[str] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "HandleTimeChange":
        if self.contact_types is not None and self.groups is not None:
            raise ValueError("give contact_types or groups, not both")
        return self


class ResolutionChange(_Strict):
    """First-contact resolution + ``change`` points for the listed in-house groups (default all), within 0-1."""

    change: float = Field(ge=-1, le=1)
    groups: list[str] | None = None


class MergeGroups(_Strict):
    """In-house groups merged into one: skills united (best priority), paid ``wage_per_hour``.

    The merged group takes the groups' mean handle-time multiplier x (1 +
    ``handle_time_change``), mean first-contact resolution +
    ``first_contact_resolution_change`` points, mean shrinkage (unless given)
    and training cost; on-costs and the training effect come from the first
    group. Changes are relative, so earlier initiatives (training, a
    knowledge base) carry over into the merged role. Staffing is re-planned
    (or, with ``staffing = "keep"``, the groups' shifts or headcounts added up).
    """

    groups: list[str] = Field(min_length=2)
    into: str = Field(min_length=1)
    wage_per_hour: NonNegativeReal
    handle_time_change: float = Field(0.0, gt=-1, le=5)
    first_contact_resolution_change: float = Field(0.0, ge=-1, le=1)
    shrinkage: float | None = Field(None, ge=0, lt=1)


class VendorShare(_Strict):
    """A fixed ``share`` of new contacts (of the listed types and segments) sent to ``vendor``,
    before any other routing rule."""

    vendor: str
    share: float = Field(gt=0, le=1)
    contact_types: list[str] | None = None
    segments: list[str] | None = None


class Changes(_Strict):
    add_vendors: list[dict[str, Any]] = Field(default_factory=list)
    set: dict[str, Any] = Field(default_factory=dict)
    merge_groups: MergeGroups | None = None
    handle_time: HandleTimeChange | None = None
    first_contact_resolution: ResolutionChange | float | None = None
    containment: dict[str, float] = Field(
        default_factory=dict, description="Points of AI containment per contact type.")
    overtime: dict[str, dict[str, Any] | None] = Field(
        default_factory=dict, description="Overtime rule per in-house group (an empty table removes it).")
    vendor_share: VendorShare | None = None
    roster_efficiency: float = Field(0.0, ge=-1, le=1, description="Points added to the plan's roster efficiency.")
    attrition: float = Field(0.0, ge=-1, le=5, description="Relative change of every attrition rate of the plan.")

    @property
    def changes_workforce(self) -> bool:
        return self.attrition != 0.0


class Initiative(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    investment: NonNegativeReal = Field(0.0, description="One-off, paid before the first month.")
    recurring_per_month: NonNegativeReal = 0.0
    start_month: PositiveCount = Field(
        1, description="Month the effect starts building up (and recurring costs start).")
    ramp_weeks: NonNegativeReal = Field(0.0, le=520, description="Weeks for the effect to build up linearly.")
    changes: Changes = Field(default_factory=Changes)


class InitiativesSpec(_Strict):
    """A validated initiatives file (paths already resolved against the file's folder)."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str | None = Field(None, description="baseline scenario (default: the plan's scenario)")
    plan: str | None = Field(None, description="plan file: months, demand and headcount flow")
    months: PositiveCount | None = Field(
        None, le=MAX_MONTHS, description="horizon (default: the plan's periods, else 12)")
    replications: PositiveCount = Field(10, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0)
    discount_rate: float | None = Field(
        None, ge=0, lt=1, description="yearly, for NPV (default: the scenario's value.discount_rate, else 0.08)")
    staffing: Literal["replan", "keep"] = "replan"
    target: str | None = Field(None, description="staffing target when re-planning (default: the scenario's)")
    baseline_changes: Changes = Field(
        default_factory=Changes,
        description="changes to the scenario that make the baseline (e.g. today's overtime rules)")
    combinations: list[list[str]] = Field(default_factory=list, description="groups of initiatives evaluated together")
    all_together: bool = True
    initiatives: list[Initiative] = Field(min_length=1)

    @model_validator(mode="after")
    def _scenario_or_plan(self) -> "InitiativesSpec":
        if self.scenario is None and self.plan is None:
            raise ValueError("give scenario (the baseline) or plan (whose scenario is the baseline)")
        return self


def load_initiatives_file(path: str | Path) -> InitiativesSpec:
    """Read and validate an initiatives file's own fields; :func:`.evaluate.prepare` checks the rest."""
    path = Path(path)
    raw = read_toml(path, InitiativesFileError)  # a regular UTF-8 file of bounded size, as scenarios are read
    for key in ("scenario", "plan"):
        if isinstance(raw.get(key), str) and "\0" not in raw[key]:
            raw[key] = str((path.parent / raw[key]).resolve())
    raw.setdefault("name", path.stem)
    return parse_initiatives(raw, source=str(path))


def parse_initiatives(data: dict[str, Any], source: str | None = None) -> InitiativesSpec:
    too_deep = nesting_problem(data)
    if too_deep is not None:
        raise InitiativesFileError([too_deep], source)
    try:
        return InitiativesSpec.model_validate(data)
    except ValidationError as error:
        raise InitiativesFileError(validation_problems(error, InitiativesSpec), source) from None
