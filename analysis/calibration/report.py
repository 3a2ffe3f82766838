"""What happened to each row while a contact log was read.

Every row that is not turned into a contact as written is accounted for here:
malformed rows (skipped, or the cause of a :class:`LogFormatError`), rows the
source itself marks as not real (dropped, e.g. Technion PHANTOM calls) and
rows kept after a documented repair or with a part missing (kept). Nothing is
discarded or changed silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sim.config.errors import UserInputError

# skipped: malformed, left out; dropped: not a real contact, left out; kept: see the description.
Action = Literal["skipped", "dropped", "kept"]
OnError = Literal["skip", "raise"]


@dataclass
class ProblemTally:
    """One kind of problem: how often it occurred and where (1-based file line numbers)."""

    code: str
    description: str
    action: Action
    count: int = 0
    examples: dict[int, str] = field(default_factory=dict)  # line -> what was wrong there

    @property
    def first_lines(self) -> list[int]:
        return sorted(self.examples)


@dataclass
class ParseReport:
    """Counts per problem and the first ``max_examples`` line numbers of each.

    ``rows_read`` counts data records (the header is line 1 and not a record);
    ``rows_kept`` the contacts in the loaded frame.
    """

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    max_examples: int = 10
    problems: dict[str, ProblemTally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, code: str, description: str, action: Action, lines: Sequence[int],
            details: Sequence[str] | None = None) -> None:
        """Record rows (by line number) with problem ``code``; ``details`` align with ``lines``.

        A no-op when ``lines`` is empty, so callers can report a mask unconditionally.
        """
        if len(lines) == 0:
            return
        detail_list = list(details) if details is not None else [""] * len(lines)
        by_line = sorted(zip((int(line) for line in lines), detail_list))
        tally = self.problems.setdefault(code, ProblemTally(code, description, action))
        tally.count += len(by_line)
        merged = sorted(list(tally.examples.items()) + by_line[: self.max_examples])
        tally.examples = dict(merged[: self.max_examples])

    def count(self, code: str) -> int:
        """How many rows had problem ``code`` (0 when it never occurred)."""
        tally = self.problems.get(code)
        return tally.count if tally else 0

    def lines(self, code: str) -> list[int]:
        """The first line numbers (ascending) with problem ``code``."""
        tally = self.problems.get(code)
        return tally.first_lines if tally else []

    def total(self, action: Action) -> int:
        """Rows with a problem handled by ``action`` (a kept row may count under several codes)."""
        return sum(t.count for t in self.problems.values() if t.action == action)

    @property
    def skipped(self) -> int:
        return self.total("skipped")

    @property
    def dropped(self) -> int:
        return self.total("dropped")

    def format(self) -> str:
        """A human-readable multi-line summary."""
        lines = [f"{self.source}: {self.rows_read} records read, {self.rows_kept} contacts kept"]
        for tally in sorted(self.problems.values(), key=lambda t: (t.action, t.code)):
            where = ", ".join(str(line) for line in tally.first_lines)
            more = ", ..." if tally.count > len(tally.first_lines) else ""
            lines.append(f"  [{tally.action}] {tally.code}: {tally.count} "
                         f"({tally.description}); lines {where}{more}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


class LogFormatError(UserInputError):
    """A contact log cannot be read as configured.

    ``line`` is the 1-based line number of the first offending record (None
    for file-level problems such as a missing column); ``report`` holds every
    problem found before giving up.
    """

    def __init__(self, message: str, line: int | None = None, code: str | None = None,
                 report: ParseReport | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
        self.code = code
        self.report = report


def raise_if_malformed(report: ParseReport, on_error: OnError) -> None:
    """Under ``on_error="raise"``, raise for the first malformed line found (if any)."""
    if on_error != "raise":
        return
    first: tuple[int, ProblemTally] | None = None
    for tally in report.problems.values():
        if tally.action == "skipped" and tally.examples:
            line = min(tally.examples)
            if first is None or line < first[0]:
                first = (line, tally)
    if first is not None:
        line, tally = first
        detail = tally.examples[line] or tally.description
        raise LogFormatError(f"{tally.code}: {detail}", line=line, code=tally.code, report=report)


def check_on_error(on_error: str) -> None:
    """Reject anything but the two documented policies early, before any work."""
    if on_error not in ("skip", "raise"):
        raise ValueError(f'on_error must be "skip" or "raise", not {on_error!r}')
