"""Agents on duty inferred from service activity, on a hand-made log."""

from __future__ import annotations

import pytest

from analysis.calibration import infer_staffing, load_contact_log

HEADER = "arrival_time,contact_type,outcome,answer_time,end_time,agent_id"
ROWS = [
    # Monday 1 January 2024
    "2024-01-01T08:10:00,a,answered,2024-01-01T08:10:00,2024-01-01T08:20:00,ann",  # 08:00 slot
    "2024-01-01T08:25:00,a,answered,2024-01-01T08:25:00,2024-01-01T08:40:00,ann",  # 08:00 and 08:30
    "2024-01-01T08:29:00,a,answered,2024-01-01T08:29:00,2024-01-01T08:30:00,bob",  # ends on the boundary
    "2024-01-01T09:00:00,a,answered,2024-01-01T09:00:00,2024-01-01T09:00:00,bob",  # zero length
    "2024-01-01T23:50:00,a,answered,2024-01-01T23:50:00,2024-01-02T00:20:00,cara",  # past midnight
    "2024-01-01T08:15:00,a,answered,2024-01-01T08:15:00,2024-01-01T08:16:00,",  # no agent recorded
    "2024-01-01T08:16:00,a,abandoned,,2024-01-01T08:17:00,",
    # Tuesday 2 January
    "2024-01-02T10:00:00,a,answered,2024-01-02T10:00:00,2024-01-02T10:05:00,dan",
    # Monday 8 January
    "2024-01-08T08:10:00,a,answered,2024-01-08T08:10:00,2024-01-08T08:20:00,ann",
]
SLOT = 1800


@pytest.fixture(scope="module")
def staffing(tmp_path_factory):
    path = tmp_path_factory.mktemp("staffing") / "log.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    contacts, _ = load_contact_log(path)
    return infer_staffing(contacts, interval_minutes=30)


def _on_duty(staffing, day: str) -> dict[int, int]:
    rows = staffing.per_day.loc[staffing.per_day["date"] == day]
    return {int(start) // SLOT: int(count) for start, count in
            zip(rows["interval_start_seconds"], rows["agents_on_duty"]) if count}


def test_agents_per_interval_by_hand(staffing):
    # 08:00 ann+bob, 08:30 ann, 09:00 bob (zero-length), 23:30 cara.
    assert _on_duty(staffing, "2024-01-01") == {16: 2, 17: 1, 18: 1, 47: 1}
    # cara's call runs into Tuesday 00:00; dan at 10:00.
    assert _on_duty(staffing, "2024-01-02") == {0: 1, 20: 1}
    assert staffing.unattributed_services == 1
    assert staffing.attributed_services == 7 and staffing.distinct_agents == 4


def test_average_per_day_type(staffing):
    monday = staffing.by_day_type.loc[staffing.by_day_type["day_type"] == "monday"].set_index(
        "interval_start_seconds")
    assert monday.loc[16 * SLOT, "mean_agents"] == 1.5  # 2 on the 1st, 1 on the 8th
    assert (monday.loc[16 * SLOT, "min_agents"], monday.loc[16 * SLOT, "max_agents"]) == (1, 2)
    assert monday.loc[16 * SLOT, "days"] == 2
    assert len(staffing.mean_per_interval("monday")) == 48
    rows = staffing.headcount_rows()
    assert {"interval": "08:00", "headcount": 2, "weekday": "monday"} in rows
