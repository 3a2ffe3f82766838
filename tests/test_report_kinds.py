"""``ccsim report`` builds a page for every kind of results directory the command line writes."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from analysis.cli import main
from analysis.outputs.report.sections import KINDS, result_kind
from analysis.outputs.toml_text import toml_document

from .test_calibration_backtest import EXCERPT
from .test_experiments_common import write_tiny_scenario
from .test_staffing_schedule import CENTER, TEMPLATES

# Browser, every results kind or many generated inputs: the full suite, not the fast loop.
pytestmark = pytest.mark.slow

QUICK = ["--reps", "2", "--workers", "1", "--quiet"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """One results directory per command, written by the command line on tiny inputs."""
    root = tmp_path_factory.mktemp("kinds")
    tiny = write_tiny_scenario(root)
    center = root / "center.toml"
    center.write_text(toml_document(CENTER))
    shifts = root / "shifts.toml"
    shifts.write_text(toml_document(TEMPLATES))
    sweep = root / "sweep.toml"
    sweep.write_text('base = "tiny.toml"\nreplications = 2\n[design]\nkind = "grid"\n[[factors]]\n'
                     'path = "agent_groups.front.shrinkage"\nvalues = [0.0, 0.2]\n')
    commands = {
        "run": ["run", str(tiny), *QUICK],
        "compare": ["compare", str(tiny), str(tiny), *QUICK],
        "sweep": ["sweep", str(sweep), "--workers", "1", "--quiet"],
        "breakeven": ["breakeven", str(tiny), "--param", "agent_groups.front.wage_per_hour", "--range", "15:30:3",
                      "--target", "900", *QUICK],
        "staff": ["staff", str(center), "--method", "erlang-c", *QUICK],
        "schedule": ["schedule", str(center), "--shifts", str(shifts), "--rules", "on_the_hour,staggered_15", *QUICK],
        "backtest": ["backtest", str(EXCERPT), str(root / "calibrate" / "excerpt.toml"), "--format", "technion",
                     "--end", "1999-01-03", *QUICK],
    }
    calibrated = root / "calibrate" / "excerpt.toml"
    assert main(["calibrate", str(EXCERPT), "--format", "technion", "--out", str(calibrated)]) == 0
    for kind, arguments in commands.items():
        assert main([*arguments, "--out", str(root / kind)]) == 0, kind
    return root


@pytest.mark.parametrize("kind", KINDS)
def test_report_builds_for_every_kind_of_results_directory(folders, kind, capsys):
    folder = folders / kind
    assert result_kind(folder) == kind
    assert main(["report", str(folder)]) == 0
    page = (folder / "report.html").read_text()
    assert "could not be read" not in page and "Traceback" not in page
    expected = {
        "run": ["run: KPIs", "run: per day", "run: per interval", "Open intervals", "EUR"],
        "compare": ["Scenario comparison", " pp", "tiny_2: per interval"],
        "sweep": ["KPIs against the factors", "KPIs per variant: mean and 95% CI"],
        "breakeven": ["Break-even", "Mean KPI and gap per grid value"],
        "staff": ["Staffing plan", "Requirement and plan per interval", "rounded up", "cannot be told apart"],
        "schedule": ["Rule options compared", "Option on_the_hour", "Roster (roster_agents.csv)"],
        "calibrate": ["fitted numbers", "Handle time per contact type", "Calibration excerpt: Summary"],
        "backtest": ["Back-test", "The whole period", "Back-test by hour: all days"],
    }[kind]
    for text in expected:
        assert text in page, (kind, text)
    assert page.count("<img") >= 1


def test_report_of_a_calibration_report_folder_and_of_an_interrupted_sweep(folders, tmp_path):
    assert main(["report", str(folders / "calibrate" / "excerpt_report")]) == 0
    assert "Handle time per contact type" in (folders / "calibrate" / "excerpt_report" / "report.html").read_text()
    partial = tmp_path / "partial"
    shutil.copytree(folders / "sweep", partial)
    for name in ("results.csv", "variants.csv", "crossings.csv", "summary.json", "budget.csv", "frontier.csv"):
        (partial / name).unlink(missing_ok=True)
    record = json.loads((partial / ".ccsim" / "record.json").read_text())  # as an interrupted sweep leaves it
    record.pop("files")
    (partial / ".ccsim" / "record.json").write_text(json.dumps({**record, "state": "running"}))
    assert main(["report", str(partial)]) == 0
    assert "has not finished" in (partial / "report.html").read_text()


def _table_rows(page: str, caption: str) -> list[tuple[bool, list[str]]]:
    """(highlighted, cells) of each body row of the table with ``caption``."""
    table = page.split(f"<caption>{caption}")[1].split("</table>")[0]
    rows = re.findall(r"<tr( class=\"miss\")?>(.*?)</tr>", table.split("<tbody>")[1])
    return [(bool(marked), re.findall(r"<td>(.*?)</td>", cells)) for marked, cells in rows]


def test_run_report_marks_intervals_below_target_and_shows_shares_as_percentages(folders):
    page = (folders / "run" / "report.html").read_text()
    assert "service level &gt;= 80% within 20 s" in page
    header = page.split("<caption>Open intervals")[1].split("</thead>")[0]
    columns = re.findall(r"<th>(.*?)</th>", header)
    level, missed = columns.index("service_level"), columns.index("targets_missed")
    rows = _table_rows(page, "Open intervals")
    assert [cells[2] for _, cells in rows] == ["08:00", "09:00", "10:00"]
    for marked, cells in rows:
        assert cells[level].endswith("%") and marked == (cells[missed] == "service_level")
        assert marked == (float(cells[level].rstrip("%")) < 80)
