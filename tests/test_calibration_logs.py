"""Generic contact-log loader: derived fields, malformed rows and their line numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.calibration import LogFormatError, load_contact_log, write_contact_log
from analysis.calibration.synthetic import SyntheticSpec, synthetic_contact_log

HEADER = "arrival_time,contact_type,segment,queue_entry,answer_time,end_time,outcome,agent_id,bot_time_seconds"

# Line numbers below count the header as line 1.
LOG_WITH_PROBLEMS = "\n".join([
    HEADER,
    "2024-03-04T09:00:00,billing,gold,2024-03-04T09:00:20,2024-03-04T09:01:20,2024-03-04T09:05:20,answered,ann,20",
    "2024-03-04T09:01:00,billing,gold,2024-03-04T09:01:10,09:0x,2024-03-04T09:05:00,answered,bob,10",  # 3
    "2024-03-04T09:02:00,billing,gold,,,2024-03-04T09:03:00,transferred,,",  # 4: unknown outcome
    "2024-03-04T09:03:00,sales,,,2024-03-04T09:04:00,2024-03-04T09:03:30,answered,ann,",  # 5: end before answer
    "2024-03-04T09:04:00,sales,,2024-03-04T09:04:05,,2024-03-04T09:06:05,abandoned,,5",  # 6
    "",  # 7: blank
    "2024-03-04T09:05:00,sales,answered",  # 8: wrong field count
    "2024-03-04T09:06:00+02:00,sales,,,2024-03-04T09:06:01,2024-03-04T09:07:00,answered,bob,",  # 9: offset
    "2024-03-04 09:07:00,sales,,,2024-03-04 09:07:02.5,2024-03-04 09:09:02.5,answered,bob,",  # 10: not queued
    "2024-03-04T09:08:00,,,,,2024-03-04T09:08:30,abandoned,,",  # 11: no contact type
    "2024-03-04T23:59:00,billing,,2024-03-04T23:59:30,2024-03-05T00:00:30,2024-03-05T00:10:30,answered,ann,30",
    "2024-03-04T10:00:00,billing,,,,2024-03-04T10:00:40,self_served,,40",  # 13
    "2024-03-04T10:01:00,billing,,,,,answered,ann,",  # 14: answered, no service times (kept)
    "2024-03-04T10:02:00,billing,,,,,answered,ann,-3",  # 15: negative bot time
]) + "\n"


@pytest.fixture
def log_path(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(LOG_WITH_PROBLEMS)
    return path


def test_skip_reports_every_malformed_row_with_its_line(log_path):
    contacts, report = load_contact_log(log_path, on_error="skip")
    assert report.lines("unparseable_answer_time") == [3]
    assert report.lines("unknown_outcome") == [4]
    assert report.lines("end_before_answer") == [5]
    assert report.lines("blank_line") == [7]
    assert report.lines("wrong_field_count") == [8]
    assert report.lines("timezone_offset") == [9]
    assert report.lines("missing_contact_type") == [11]
    assert report.lines("invalid_bot_time") == [15]
    assert report.lines("answered_without_service_times") == [14]
    assert report.problems["unparseable_answer_time"].examples[3] == "answer_time '09:0x'"
    assert report.skipped == 7
    assert report.rows_read == 13  # 14 lines after the header, one of them blank
    assert sorted(contacts["source_line"]) == [2, 6, 10, 12, 13, 14]
    assert report.rows_kept == 6


def test_raise_names_the_first_malformed_line(log_path):
    with pytest.raises(LogFormatError) as caught:
        load_contact_log(log_path, on_error="raise")
    assert caught.value.line == 3
    assert caught.value.code == "unparseable_answer_time"
    assert "line 3" in str(caught.value)
    # The attached report still lists everything found.
    assert caught.value.report.lines("wrong_field_count") == [8]


def test_derived_fields(log_path):
    contacts, _ = load_contact_log(log_path, on_error="skip")
    row = contacts.set_index("source_line")
    assert row.loc[2, "queued"] and row.loc[2, "wait_seconds"] == 60.0 and row.loc[2, "handle_seconds"] == 240.0
    assert row.loc[2, "arrival_seconds"] == 9 * 3600 and row.loc[2, "weekday"] == "monday"
    assert row.loc[2, "segment"] == "gold" and row.loc[6, "segment"] == "standard"
    # Abandoned: waited from queue entry until it left (its end), no handle time.
    assert row.loc[6, "wait_seconds"] == 120.0 and np.isnan(row.loc[6, "handle_seconds"])
    # Never queued: zero wait, fractional seconds kept.
    assert not row.loc[10, "queued"] and row.loc[10, "wait_seconds"] == 0.0
    assert row.loc[10, "handle_seconds"] == pytest.approx(120.0)
    # Past midnight: times stay relative to the arrival date.
    assert row.loc[12, "date"] == pd.Timestamp("2024-03-04")
    assert row.loc[12, "end_seconds"] == pytest.approx(86_400 + 630)
    assert row.loc[12, "handle_seconds"] == 600.0 and row.loc[12, "wait_seconds"] == 60.0
    assert row.loc[13, "outcome"] == "self_served" and row.loc[13, "bot_seconds"] == 40.0
    assert np.isnan(row.loc[14, "handle_seconds"])


def test_clean_log_loads_under_raise(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text("arrival_time,contact_type,outcome\n2024-01-01T08:00:00,sales,abandoned\n")
    contacts, report = load_contact_log(path)
    assert len(contacts) == 1 and report.skipped == 0
    assert contacts.loc[0, "segment"] == "standard" and not contacts.loc[0, "queued"]


def test_quoted_field_spanning_lines_keeps_true_line_numbers(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('arrival_time,contact_type,outcome\n2024-01-01T08:00:00,"two\nlines",answered\n'
                    "2024-01-01T08:01:00,sales,nonsense\n")
    _, report = load_contact_log(path, on_error="skip")
    assert report.lines("unknown_outcome") == [4]


def test_small_clock_mismatch_is_tolerated_large_one_is_not(tmp_path):
    path = tmp_path / "clock.csv"
    path.write_text("arrival_time,contact_type,outcome,queue_entry,answer_time,end_time\n"
                    "2024-01-01T08:00:10,a,answered,2024-01-01T08:00:08,2024-01-01T08:01:00,2024-01-01T08:02:00\n"
                    "2024-01-01T08:00:10,a,answered,2024-01-01T07:59:00,2024-01-01T08:01:00,2024-01-01T08:02:00\n")
    contacts, report = load_contact_log(path, on_error="skip", clock_tolerance_seconds=5)
    assert list(contacts["source_line"]) == [2]
    assert report.lines("queue_entry_before_arrival") == [3]


def test_missing_required_column_always_raises(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("arrival_time,outcome\n2024-01-01T08:00:00,answered\n")
    with pytest.raises(LogFormatError, match="contact_type"):
        load_contact_log(path, on_error="skip")


def test_unknown_error_policy_is_refused(log_path):
    with pytest.raises(ValueError, match="on_error"):
        load_contact_log(log_path, on_error="ignore")  # type: ignore[arg-type]


def test_synthetic_log_round_trips_through_csv(tmp_path):
    spec = SyntheticSpec(days=2, self_service_share=0.2)
    log = synthetic_contact_log(np.random.default_rng(1), spec)
    path = tmp_path / "synthetic.csv"
    write_contact_log(log, path)
    contacts, report = load_contact_log(path, on_error="raise")
    assert len(contacts) == len(log) and report.skipped == 0
    assert (contacts["outcome"].value_counts().sort_index() == log["outcome"].value_counts().sort_index()).all()
    answered = log["outcome"] == "answered"
    expected_handle = (log["end_time"] - log["answer_time"]).dt.total_seconds()[answered].sort_values()
    loaded_handle = contacts.loc[contacts["outcome"] == "answered", "handle_seconds"].sort_values()
    np.testing.assert_allclose(loaded_handle.to_numpy(), expected_handle.to_numpy(), atol=1e-3)
