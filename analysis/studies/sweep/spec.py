"""Sweep files: a base scenario, the factors to vary by dotted path, and a design.

A sweep file is TOML validated with pydantic (unknown keys are errors);
every problem is reported at once with its dotted path, the bad value and
what is allowed::

    name = "budget"
    base = "../baseline.toml"          # relative to the sweep file
    replications = 5
    seed = 1
    overrides = { "horizon.days" = 1 } # fixed changes to the base, applied to every variant

    [design]
    kind = "lhs"                       # grid | oat | lhs | sobol | morris
    samples = 20

    [[factors]]
    path = "agent_groups.generalists.wage_per_hour"
    low = 20.0
    high = 26.0

    [[factors]]                        # a linked factor: one value sets several parameters
    path = "ai.contact_types.billing.containment"
    label = "containment"
    values = [0.2, 0.4, 0.6]
    [factors.sets]                     # parameter path = expression of x, this factor's value
    "ai.contact_types.billing.escalation" = "0.9 - x"    # give-up stays at 10%

Linked parameters (``sets``) follow their factor through an arithmetic
expression of ``x`` (numbers, ``+ - * / **``, parentheses, ``min``,
``max``, ``abs``, ``round``; see :mod:`.expressions`, nothing is
evaluated as code). ``restaff = "erlang-a"`` (or ``"simulation"``) staffs
every variant to the base scenario's targets before it runs, so the sweep
answers "what does it cost at constant service level"
(:mod:`.restaff`).

``name`` names the default results folder (``results/<name>``), so it is a
plain name: no path separators, no ``..``, not starting with a dot. Free
text (``name``, ``description``, factor ``label``) must be printable:
bidirectional controls and other invisible characters are refused.
Numbers are finite and written as numbers (``"5"`` is text, not 5).

Design kinds: ``grid`` (every combination of the factors' values, or of
``steps`` points from ``low`` to ``high``), ``oat`` (one factor at a time
around the base, for tornado charts), ``lhs`` (Latin hypercube of
``samples`` points), ``sobol`` (Saltelli/Sobol' sample of ``base_samples``
x (factors + 2) points, x (2 factors + 2) with ``second_order``), ``morris``
(``trajectories`` x (factors + 1) points on ``levels`` levels).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config import Problem
from sim.config.errors import InputError, join_path, nesting_problem, validation_problems
from sim.config.loader import read_toml
from sim.config.text import check_display_text
from sim.config.types import MAX_NAME_LENGTH, Count, Description, FileReference, Label, PositiveCount, Real
from sim.limits import MAX_REPLICATIONS

from .expressions import ExpressionError, parse_expression

# Any value the scenario accepts at the path (numbers, strings, lists such as a headcount profile,
# tables such as a distribution); apply_overrides validates it against the scenario schema.
FactorValue = Any


class SweepFileError(InputError):
    """A sweep that cannot run; ``problems`` lists every issue found."""

    what = "sweep"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def _check_folder_name(text: str) -> str:
    """A sweep name becomes a folder under ``results/``: it must not lead anywhere else."""
    check_display_text(text)
    if "/" in text or "\\" in text or ".." in text or text.startswith(".") or not text.strip():
        raise ValueError(f"{text!r} is not allowed: the name becomes the results folder, so it must not be empty, "
                         "contain '/', '\\' or '..', or start with '.'")
    return text


FolderName = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(_check_folder_name)]
FactorPath = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(check_display_text)]
Expression = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(check_display_text)]


class Factor(_Strict):
    """One parameter to vary: its dotted scenario path and its values or range."""

    path: FactorPath = Field(description="dotted path as accepted by sim.config.apply_overrides")
    values: list[FactorValue] | None = Field(default=None, min_length=1)
    low: Real | None = None
    high: Real | None = None
    steps: Count | None = Field(default=None, ge=2, description="grid points from low to high (grid design)")
    integer: bool = Field(default=False, description="round sampled values to whole numbers")
    base: FactorValue | None = Field(default=None,
                                     description="centre of an oat design (default: the base scenario's value)")
    label: Label | None = Field(default=None, description="short name for tables and charts")
    sets: dict[FactorPath, Expression] = Field(default_factory=dict,
                                 description="linked parameters: dotted path -> expression of x, this factor's value "
                                             "(e.g. '0.9 - x')")

    @property
    def name(self) -> str:
        return self.label or self.path

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None


class GridDesign(_Strict):
    kind: Literal["grid"]


class OneAtATimeDesign(_Strict):
    kind: Literal["oat"]


class LatinHypercubeDesign(_Strict):
    kind: Literal["lhs"]
    samples: PositiveCount


class SobolDesign(_Strict):
    kind: Literal["sobol"]
    base_samples: PositiveCount = Field(description="N of Saltelli's scheme; a power of 2")
    second_order: bool = False

    @model_validator(mode="after")
    def _power_of_two(self) -> "SobolDesign":
        if self.base_samples & (self.base_samples - 1):
            raise ValueError(f"base_samples must be a power of 2 (Sobol' sequence); got {self.base_samples}")
        return self


class MorrisDesign(_Strict):
    kind: Literal["morris"]
    trajectories: PositiveCount = Field(ge=2)
    levels: Count = Field(default=4, ge=2, le=1000, description="grid levels per factor; even")

    @model_validator(mode="after")
    def _even_levels(self) -> "MorrisDesign":
        if self.levels % 2:
            raise ValueError(f"levels must be even (Morris grid); got {self.levels}")
        return self


Design = Annotated[Union[GridDesign, OneAtATimeDesign, LatinHypercubeDesign, SobolDesign, MorrisDesign],
                   Field(discriminator="kind")]


class SweepSpec(_Strict):
    """A validated sweep file (``base`` already resolved against the file's folder)."""

    name: FolderName
    description: Description = ""
    base: FileReference = Field(description="base scenario file, relative to the sweep file")
    replications: PositiveCount = Field(5, le=MAX_REPLICATIONS)
    seed: Count = Field(default=0, description="0 or more")
    overrides: dict[str, FactorValue] = Field(default_factory=dict)
    design: Design
    factors: list[Factor] = Field(min_length=1)
    restaff: Literal["erlang-a", "simulation"] | None = Field(
        default=None, description="staff every variant to the base scenario's targets before running it")

    @property
    def factor_paths(self) -> list[str]:
        return [factor.path for factor in self.factors]

    @property
    def parameter_paths(self) -> list[str]:
        """Every scenario path a variant sets: the factors' and their linked parameters'."""
        return self.factor_paths + [path for factor in self.factors for path in factor.sets]


def load_sweep_file(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; raise :class:`SweepFileError` naming every bad field."""
    path = Path(path)
    raw = read_toml(path, SweepFileError)
    if isinstance(raw.get("base"), str) and "\0" not in raw["base"]:
        raw["base"] = str((path.parent / raw["base"]).resolve())
    raw.setdefault("name", path.stem)
    return parse_sweep(raw, source=str(path))


def parse_sweep(data: dict[str, Any], source: str | None = None) -> SweepSpec:
    """Validate a sweep given as plain data, including the checks that depend on the design."""
    too_deep = nesting_problem(data)
    if too_deep is not None:
        raise SweepFileError([too_deep], source)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        raise SweepFileError(validation_problems(error, SweepSpec), source) from None
    problems = design_problems(spec)
    if problems:
        raise SweepFileError(problems, source)
    return spec


def design_problems(spec: SweepSpec) -> list[Problem]:
    """What the chosen design needs from each factor (values, a range, steps)."""
    problems: list[Problem] = []
    kind = spec.design.kind
    seen: dict[str, str] = {}  # path -> where it is set
    for index, factor in enumerate(spec.factors):
        where = join_path("factors", index)
        if factor.path in seen:
            problems.append(Problem(join_path(where, "path"), f"{factor.path!r} is already set by {seen[factor.path]}"))
        seen.setdefault(factor.path, join_path(where, "path"))
        if (factor.low is None) != (factor.high is None):
            missing, given = ("high", "low") if factor.high is None else ("low", "high")
            problems.append(Problem(join_path(where, missing), f"required with {given}"))
            continue
        if factor.has_range and factor.low >= factor.high:
            problems.append(Problem(join_path(where, "high"),
                                    f"{factor.high!r} must be greater than low ({factor.low!r})"))
        if factor.values is not None and factor.has_range:
            problems.append(Problem(where, "give either values or low + high, not both"))
        problems.extend(_design_needs(kind, factor, where))
        problems.extend(_linked_problems(factor, where, seen))
    return problems


def _linked_problems(factor: Factor, where: str, seen: dict[str, str]) -> list[Problem]:
    """Each linked parameter: a valid expression, numeric factor values, a path set only once."""
    problems = []
    if factor.sets and factor.values is not None and not all(
            isinstance(value, (int, float)) and not isinstance(value, bool) for value in factor.values):
        problems.append(Problem(join_path(where, "values"), "a factor with linked parameters (sets) needs numbers"))
    for path, text in factor.sets.items():
        place = f'{join_path(where, "sets")}["{path}"]'
        if path in seen:
            problems.append(Problem(place, f"{path!r} is already set by {seen[path]}"))
        seen.setdefault(path, place)
        try:
            parse_expression(text)
        except ExpressionError as error:
            problems.append(Problem(place, str(error)))
    return problems


def _design_needs(kind: str, factor: Factor, where: str) -> list[Problem]:
    if kind in ("lhs", "sobol", "morris"):
        found = []
        if not factor.has_range:
            found.append(Problem(where, f"the {kind} design samples a range: give low and high"))
        if factor.steps is not None:
            found.append(Problem(join_path(where, "steps"), f"only the grid design uses steps (design is {kind})"))
        if kind == "morris" and factor.integer:
            found.append(Problem(join_path(where, "integer"),
                                 "the morris design needs unrounded values (elementary effects divide by the step)"))
        return found
    if kind == "grid" and factor.has_range and factor.steps is None:
        return [Problem(join_path(where, "steps"), "required for a grid over low..high (or give values)")]
    if factor.values is None and not factor.has_range:
        return [Problem(where, f"the {kind} design needs values, or low and high")]
    if kind == "oat" and factor.steps is not None:
        return [Problem(join_path(where, "steps"), "the oat design tries low and high only; list values instead")]
    return []
