"""Technion "Anonymous Bank" adapter: source conventions, malformed rows, headline figures.

``tests/data/anonymous_bank_1999-01_excerpt.tsv`` holds the header, the first
250 records of ``1999-01.tsv`` and a few records showing each quirk of the
source (PHANTOM calls, negative vru_time, calls past midnight, missing service
stamps, ...), byte for byte. The full data, when present next to the
repository (``../shared/data/anonymous-bank``), is checked against the
headline figures of its README.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.calibration import (
    ANONYMOUS_BANK_DAY_TYPES,
    CalibrationSettings,
    LogFormatError,
    calibrate,
    censored_waits,
    format_summary,
    load_anonymous_bank,
)

EXCERPT = Path(__file__).parent / "data" / "anonymous_bank_1999-01_excerpt.tsv"
FULL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "anonymous-bank"
JANUARY = FULL_DATA / "1999-01.tsv"


@pytest.fixture(scope="module")
def excerpt():
    return load_anonymous_bank(EXCERPT, on_error="raise")


def _row(contacts, line):
    return contacts.loc[contacts["source_line"] == line].iloc[0]


def test_phantom_rows_are_dropped_and_counted(excerpt):
    contacts, report = excerpt
    assert report.count("phantom") == 3
    assert report.rows_read == 268 and report.rows_kept == 265 == len(contacts)
    assert report.skipped == 0


def test_plain_rows_map_onto_the_canonical_frame(excerpt):
    contacts, _ = excerpt
    # Line 2: PS, priority 2, queued 0:00:36-0:03:09, HANG.
    hang = _row(contacts, 2)
    assert (hang["outcome"], hang["segment"], hang["contact_type"]) == ("abandoned", "priority", "PS")
    assert hang["queued"] and hang["wait_seconds"] == 153 and hang["bot_seconds"] == 5
    assert hang["weekday"] == "friday"  # 1 January 1999
    # Line 5: never queued (q_start 0:00:00), answered by BASCH for 208 s.
    direct = _row(contacts, 5)
    assert not direct["queued"] and direct["wait_seconds"] == 0
    assert direct["handle_seconds"] == 208 and direct["agent_id"] == "BASCH" and direct["segment"] == "regular"


def test_call_past_midnight_keeps_its_duration(excerpt):
    contacts, report = excerpt
    line = report.lines("crosses_midnight")[0]
    row = _row(contacts, line)
    assert row["end_seconds"] > 86_400
    assert 0 < row["handle_seconds"] < 3600  # not a negative or day-long call


def test_negative_vru_time_is_reported_and_repaired(excerpt):
    contacts, report = excerpt
    for line in report.lines("negative_vru_time"):
        row = _row(contacts, line)
        assert np.isnan(row["bot_seconds"])
        assert row["arrival_seconds"] <= row["end_seconds"]


def test_missing_service_stamps_keep_the_call_but_not_its_handle_time(excerpt):
    contacts, report = excerpt
    for line in report.lines("answered_without_service_times"):
        row = _row(contacts, line)
        assert row["outcome"] == "answered" and np.isnan(row["handle_seconds"])


def test_abandoned_call_with_service_stamps_stays_abandoned(excerpt):
    contacts, report = excerpt
    for line in report.lines("abandoned_with_service_record"):
        row = _row(contacts, line)
        assert row["outcome"] == "abandoned" and np.isnan(row["answer_seconds"])


def _corrupt(tmp_path, replacements: dict[int, tuple[str, str]]) -> Path:
    """Copy the excerpt, replacing text on given (1-based) lines."""
    lines = EXCERPT.read_bytes().decode().splitlines(keepends=True)  # the source uses CRLF; keep it
    for line, (old, new) in replacements.items():
        assert old in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / "corrupt.tsv"
    path.write_bytes("".join(lines).encode())
    return path


def test_malformed_rows_skip_or_raise(tmp_path):
    path = _corrupt(tmp_path, {10: ("\tAGENT\t", "\tBUSY\t"), 4: ("\t6:55:20\t", "\t6:75:20\t"),
                               30: ("\t990101\t", "\t99-01-01\t")})
    contacts, report = load_anonymous_bank(path, on_error="skip")
    assert report.lines("unknown_outcome") == [10]
    assert report.lines("unparseable_vru_entry") == [4]
    assert report.lines("unparseable_date") == [30]
    assert report.problems["unparseable_vru_entry"].examples[4] == "vru_entry '6:75:20'"
    assert len(contacts) == 265 - 3
    with pytest.raises(LogFormatError) as caught:
        load_anonymous_bank(path, on_error="raise")
    assert caught.value.line == 4


def test_not_a_technion_file_is_refused(tmp_path):
    path = tmp_path / "other.tsv"
    path.write_text("a\tb\n1\t2\n")
    with pytest.raises(LogFormatError, match="missing field"):
        load_anonymous_bank(path)


needs_full_data = pytest.mark.skipif(not JANUARY.exists(), reason="Anonymous Bank data not available")


@pytest.fixture(scope="module")
def january():
    return load_anonymous_bank(JANUARY, on_error="raise")


@needs_full_data
def test_january_matches_the_readme_headline_figures(january):
    contacts, report = january
    queued = contacts.loc[contacts["queued"]]
    answered = contacts.loc[contacts["outcome"] == "answered", "handle_seconds"].dropna()
    figures = {
        "calls": len(contacts),
        "reached_agent": (contacts["outcome"] == "answered").mean(),
        "queued_abandon": (queued["outcome"] == "abandoned").mean(),
        "mean_service": answered.mean(),
        "median_service": answered.median(),
    }
    print("January headline figures:", figures, "\n", report)
    assert figures["calls"] == 31_359 and report.count("phantom") == 240
    assert figures["reached_agent"] == pytest.approx(0.86, abs=0.005)
    assert figures["queued_abandon"] == pytest.approx(0.19, abs=0.005)
    # 42 served calls have no service stamps; the README counts them as 0 s, we leave them out.
    assert figures["mean_service"] == pytest.approx(183, abs=1.5)
    assert figures["median_service"] == pytest.approx(113, abs=1)


def _abandonment_rate(waits, abandoned, start, end):
    """Abandonments per second at risk in [start, end), with its Poisson standard error."""
    events = int((abandoned & (waits >= start) & (waits < end)).sum())
    exposure = float(np.clip(waits - start, 0, end - start).sum())
    return events / exposure, np.sqrt(events) / exposure


@needs_full_data
def test_january_abandonment_bump_when_the_queue_message_replays(january):
    """The README: the message replays near 60 s, which shows as a bump in abandonment."""
    waits, abandoned = censored_waits(january[0])
    bump, bump_error = _abandonment_rate(waits, abandoned, 55, 65)
    for start, end in ((30, 55), (65, 90)):
        rate, error = _abandonment_rate(waits, abandoned, start, end)
        assert bump - rate > 3 * np.hypot(bump_error, error)


@needs_full_data
def test_january_calibration_is_plausible(january):
    contacts, report = january
    result = calibrate(contacts, CalibrationSettings(day_types=ANONYMOUS_BANK_DAY_TYPES), report)
    print(format_summary(result))
    # The README: service times close to lognormal once calls under 10 s are set aside.
    assert result.handle_time["PS"].best_family == "lognormal"
    assert result.arrivals.days_observed == {"sun-thu": 19, "friday": 5, "saturday": 5}  # 11-12 Jan missing
    assert result.arrivals.busyness_cv > 0
    # At most 13 regular agents, 5 internet agents and a supervisor were on duty.
    assert result.staffing.per_day["agents_on_duty"].max() <= 13 + 5 + 1
    pooled = result.patience["all"]
    assert pooled.exponential.mean() > 3 * pooled.naive_mean_seconds
