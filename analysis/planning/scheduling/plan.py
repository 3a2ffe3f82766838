"""What the optimiser plans with: templates, count limits and options after rules are applied."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from .errors import TemplateFileError, validation_problems
from .templates import PlanOptions, RuleSettings, ShiftTemplate, TemplateFile, template_cost


@dataclass(frozen=True)
class CountLimit:
    """Bounds on the number of agents on a set of templates together."""

    name: str
    templates: tuple[str, ...]
    minimum: int = 0
    maximum: int | None = None


@dataclass(frozen=True)
class PlanSetup:
    """Templates to choose from, limits on their counts, and the plan options.

    Built from a template file by :func:`analysis.scheduling.rules.apply_rules`
    (or :meth:`from_file` for the file as written); rules return new setups.
    """

    templates: tuple[ShiftTemplate, ...]
    options: PlanOptions
    count_limits: tuple[CountLimit, ...] = ()
    settings: RuleSettings = field(default_factory=RuleSettings)
    rules: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, template_file: TemplateFile) -> "PlanSetup":
        """The templates as written, with each template's own min/max count as a limit."""
        limits = tuple(CountLimit(template.name, (template.name,), template.min_count or 0, template.max_count)
                       for template in template_file.templates
                       if template.min_count is not None or template.max_count is not None)
        return cls(tuple(template_file.templates), template_file.options, limits, template_file.rules)

    def template_costs(self) -> dict[str, float]:
        """Cost of one shift of each template."""
        return {template.name: template_cost(template, self.options) for template in self.templates}

    def with_options(self, **changes: Any) -> "PlanSetup":
        """The same setup with some options changed (validated), e.g. ``shortage_penalty=5.0``."""
        try:
            options = PlanOptions.model_validate({**self.options.model_dump(), **changes})
        except ValidationError as error:
            raise TemplateFileError(validation_problems(error, PlanOptions), "options") from None
        return replace(self, options=options)
