"""The canonical contact frame every fitting module reads, and the checks that build it.

Canonical frame (one row per contact, :data:`CANONICAL_COLUMNS`):

======================  =========================================================
``source_line``         1-based line of the record in its file (header = line 1)
``date``                calendar day the contact arrived (``datetime64``, midnight)
``weekday``             lowercase English weekday of ``date`` ("monday", ...)
``contact_type``        reason for contact (str)
``segment``             customer segment or priority class (str)
``outcome``             "answered", "abandoned" or "self_served"
``agent_id``            agent who served it; missing (``NaN``) when none / unknown
``arrival_seconds``     seconds after midnight of ``date`` (in [0, 86400))
``queue_entry_seconds`` when it joined the agent queue; NaN when it never queued
``queue_exit_seconds``  when it left the queue (answered or gave up); NaN if n/a
``answer_seconds``      when an agent started serving it; NaN if not served
``end_seconds``         when the contact ended (service end, hang-up, bot exit)
``queued``              True when it joined the agent queue
``wait_seconds``        queue exit - queue entry; 0 if never queued, NaN if exit unknown
``handle_seconds``      end - answer for answered contacts; NaN otherwise
``bot_seconds``         time with the bot / voice-response unit; NaN when unknown
======================  =========================================================

All times are seconds after midnight of the arrival ``date`` so a contact that
runs past midnight simply has times above 86,400; the engine also works in
seconds, which keeps phase 2 (scenario files) a direct mapping.

Rules (each violation is reported with its line number):

* malformed - skipped, or raised under ``on_error="raise"``: unknown outcome,
  empty contact type, and times out of order by more than the clock tolerance
  (queue entry or answer before arrival, queue exit before queue entry, end
  before arrival or before answer), an abandoned contact with an answer time;
* kept with a note: an answered contact without answer/end time (counts for
  volumes and rates, not for handle time), an answered contact without agent,
  a contact that left the queue without a queue-exit or end time (no wait, so
  no patience information), service starting before the recorded queue exit.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

# The scenario vocabulary's day, re-exported for the calibration modules that read it from here.
from sim.config import SECONDS_PER_DAY as SECONDS_PER_DAY
from sim.config import WEEKDAYS as WEEKDAYS

from .report import Action, OnError, ParseReport, raise_if_malformed

OUTCOMES: tuple[str, ...] = ("answered", "abandoned", "self_served")
DEFAULT_SEGMENT = "standard"

TIME_COLUMNS: tuple[str, ...] = (
    "arrival_seconds", "queue_entry_seconds", "queue_exit_seconds", "answer_seconds", "end_seconds",
)
CANONICAL_COLUMNS: tuple[str, ...] = (
    "source_line", "date", "weekday", "contact_type", "segment", "outcome", "agent_id",
    *TIME_COLUMNS, "queued", "wait_seconds", "handle_seconds", "bot_seconds",
)
# Staging columns an adapter must provide before finalize_contacts().
STAGING_COLUMNS: tuple[str, ...] = (
    "source_line", "date", "contact_type", "segment", "outcome", "agent_id", *TIME_COLUMNS, "bot_seconds",
)

DetailFunction = Callable[[pd.DataFrame], "pd.Series[str]"]


def flag_rows(report: ParseReport, frame: pd.DataFrame, mask: pd.Series, code: str, description: str,
              action: Action, detail: DetailFunction | None = None) -> None:
    """Report the rows of ``frame`` selected by ``mask`` (details only for the first few)."""
    flagged = frame.loc[mask.to_numpy(dtype=bool), :]
    if flagged.empty:
        return
    flagged = flagged.sort_values("source_line")
    lines = flagged["source_line"].to_numpy()
    first = flagged.iloc[: report.max_examples]
    details = list(detail(first)) if detail is not None else None
    # Only the first rows carry a detail; pad so details align with lines.
    if details is not None:
        details += [""] * (len(lines) - len(details))
    report.add(code, description, action, lines, details)


def drop_malformed(report: ParseReport, frame: pd.DataFrame, mask: pd.Series, code: str,
                   description: str, detail: DetailFunction | None = None) -> pd.DataFrame:
    """Report rows selected by ``mask`` as malformed and return the frame without them."""
    flag_rows(report, frame, mask, code, description, "skipped", detail)
    return frame.loc[~mask.to_numpy(dtype=bool), :]


def _before(later: pd.Series, earlier: pd.Series, tolerance: float) -> pd.Series:
    """True where both times are known and ``later`` precedes ``earlier`` by more than ``tolerance``."""
    return (later < earlier - tolerance).fillna(False)


def _seconds_detail(first: str, second: str) -> DetailFunction:
    return lambda rows: (f"{first} {rows[first].round(1).astype(str)} s is before "
                         f"{second} {rows[second].round(1).astype(str)} s")


# (earlier column, later column): an interval of the contact's life that must not run backwards.
_ORDER_RULES: tuple[tuple[str, str, str], ...] = (
    ("arrival_seconds", "queue_entry_seconds", "queue_entry_before_arrival"),
    ("queue_entry_seconds", "queue_exit_seconds", "queue_exit_before_entry"),
    ("arrival_seconds", "answer_seconds", "answer_before_arrival"),
    ("answer_seconds", "end_seconds", "end_before_answer"),
    ("arrival_seconds", "end_seconds", "end_before_arrival"),
)


def _drop_invalid(frame: pd.DataFrame, report: ParseReport, tolerance: float) -> pd.DataFrame:
    """Remove (and report) rows that cannot be a real contact."""
    frame = drop_malformed(
        report, frame, ~frame["outcome"].isin(OUTCOMES), "unknown_outcome",
        f"outcome not one of {', '.join(OUTCOMES)}", lambda rows: "outcome " + rows["outcome"].astype(str))
    frame = drop_malformed(
        report, frame, frame["contact_type"].fillna("").astype(str).str.strip() == "",
        "missing_contact_type", "contact_type is empty")
    for earlier, later, code in _ORDER_RULES:
        frame = drop_malformed(
            report, frame, _before(frame[later], frame[earlier], tolerance), code,
            f"{later} before {earlier} by more than the clock tolerance", _seconds_detail(later, earlier))
    served_and_abandoned = (frame["outcome"] == "abandoned") & frame["answer_seconds"].notna()
    return drop_malformed(report, frame, served_and_abandoned, "abandoned_with_answer_time",
                          "an abandoned contact has an answer time")


def _note_incomplete(frame: pd.DataFrame, report: ParseReport, tolerance: float) -> None:
    """Report rows kept although part of what some analyses need is missing."""
    answered = frame["outcome"] == "answered"
    missing_service = answered & (frame["answer_seconds"].isna() | frame["end_seconds"].isna())
    flag_rows(report, frame, missing_service, "answered_without_service_times",
              "answered but answer or end time missing: counted in volumes, not in handle time", "kept")
    flag_rows(report, frame, answered & frame["agent_id"].isna(), "answered_without_agent",
              "answered but no agent recorded: not attributed in staffing", "kept")
    unknown_wait = frame["queue_entry_seconds"].notna() & frame["queue_exit_seconds"].isna()
    flag_rows(report, frame, unknown_wait, "queued_without_exit_time",
              "queued but time of leaving the queue unknown: no wait, left out of patience", "kept")
    overlap = answered & _before(frame["answer_seconds"], frame["queue_exit_seconds"], tolerance)
    flag_rows(report, frame, overlap, "service_before_queue_exit",
              "service started before the recorded queue exit (inconsistent clocks); wait taken "
              "from the queue times", "kept", _seconds_detail("answer_seconds", "queue_exit_seconds"))


def _fill_queue_exit(frame: pd.DataFrame) -> pd.DataFrame:
    """A queued contact leaves the queue when answered, or at its end when it gives up."""
    queued = frame["queue_entry_seconds"].notna()
    leaves_by_answer = queued & (frame["outcome"] == "answered")
    implied = frame["answer_seconds"].where(leaves_by_answer, frame["end_seconds"]).where(queued)
    frame["queue_exit_seconds"] = frame["queue_exit_seconds"].fillna(implied)
    return frame


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add weekday, queued flag, wait and handle time."""
    frame["weekday"] = weekday_names(frame["date"])
    frame["queued"] = frame["queue_entry_seconds"].notna()
    # Small negative differences are clock granularity already tolerated above: clip them.
    wait = (frame["queue_exit_seconds"] - frame["queue_entry_seconds"]).clip(lower=0.0)
    frame["wait_seconds"] = wait.where(frame["queued"], 0.0)
    handle = (frame["end_seconds"] - frame["answer_seconds"]).clip(lower=0.0)
    frame["handle_seconds"] = handle.where(frame["outcome"] == "answered")
    return frame


def finalize_contacts(staging: pd.DataFrame, report: ParseReport, on_error: OnError,
                      clock_tolerance_seconds: float = 5.0) -> pd.DataFrame:
    """Validate a staging frame (:data:`STAGING_COLUMNS`) and return the canonical frame.

    Rows that break a rule are reported; under ``on_error="raise"`` the first
    malformed line raises :class:`~analysis.calibration.report.LogFormatError`
    (with the full report attached).
    """
    missing = [column for column in STAGING_COLUMNS if column not in staging.columns]
    if missing:
        raise ValueError(f"staging frame lacks columns: {', '.join(missing)}")
    frame = staging.loc[:, list(STAGING_COLUMNS)].copy()
    for column in (*TIME_COLUMNS, "bot_seconds"):
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    frame = _drop_invalid(frame, report, clock_tolerance_seconds)
    raise_if_malformed(report, on_error)
    frame = _fill_queue_exit(frame)
    _note_incomplete(frame, report, clock_tolerance_seconds)
    frame = _derive(frame)
    frame = frame.loc[:, list(CANONICAL_COLUMNS)].sort_values(["date", "arrival_seconds", "source_line"])
    report.rows_kept = len(frame)
    return frame.reset_index(drop=True)


def empty_staging() -> pd.DataFrame:
    """A staging frame with no rows and the right columns (for empty logs)."""
    return pd.DataFrame({column: pd.Series(dtype=float) for column in STAGING_COLUMNS})


def seconds_after_midnight(times: pd.Series, dates: pd.Series) -> pd.Series:
    """Seconds from midnight of ``dates`` to ``times`` (NaN where the time is missing)."""
    return (times - dates).dt.total_seconds()


def weekday_names(dates: pd.Series) -> pd.Series:
    """Lowercase English weekday name of each date."""
    return dates.dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
