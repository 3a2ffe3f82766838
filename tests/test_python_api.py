"""The Python API from a plain script and a notebook-like session (no ``__main__`` guard), and the entry points."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ccsim
from analysis import __version__
from analysis.cli import main

from .processes import environment, run_ccsim
from .test_experiments_common import write_tiny_scenario

SCRIPT = """
import ccsim

scenario = ccsim.load_scenario({path!r})
result = ccsim.run_experiment(scenario, replications=3, seed=4, workers=2, show_progress=False)
summary = result.kpi_summary()
print("service level", repr(summary.loc["service_level", "mean"]), summary.loc["service_level", "unit"])
print("tables", len(result.kpi_table()), len(result.intervals()), len(result.first_contacts) > 0)
"""


def _expected(path) -> str:
    result = ccsim.run_experiment(ccsim.load_scenario(path), replications=3, seed=4, workers=1, show_progress=False)
    return f"service level {result.kpi_summary().loc['service_level', 'mean']!r} share"


@pytest.mark.slow  # a real interpreter with worker processes
def test_run_experiment_works_from_a_script_without_a_main_guard(tmp_path):
    path = write_tiny_scenario(tmp_path)
    script = tmp_path / "my_analysis.py"
    script.write_text(SCRIPT.format(path=str(path)))
    finished = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                              env=environment(), cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert lines == [_expected(path), "tables 3 24 True"]  # printed once: workers never re-ran the script


@pytest.mark.slow  # a real interpreter with worker processes
def test_run_experiment_works_from_a_session_without_a_file(tmp_path):
    # Like a notebook: __main__ has no file; the code arrives on standard input.
    path = write_tiny_scenario(tmp_path)
    finished = subprocess.run([sys.executable, "-"], input=SCRIPT.format(path=str(path)), capture_output=True,
                              text=True, timeout=120, env=environment(), cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[0] == _expected(path)


def test_version_and_python_dash_m():
    finished = run_ccsim("--version", timeout=60)
    assert finished.returncode == 0 and finished.stdout.strip() == f"ccsim {__version__}"
    assert ccsim.__version__ == __version__


def test_run_json_prints_only_json_on_standard_output(tmp_path, capsys):
    path = write_tiny_scenario(tmp_path)
    assert main(["run", str(path), "--reps", "2", "--workers", "1", "--quiet", "--json",
                 "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["replications"] == 2 and data["seed"] == 0 and data["scenario"] == "tiny"
    level = data["kpis"]["service_level"]
    assert set(level) == {"mean", "ci95", "unit"} and 0 <= level["mean"] <= 1
    assert "results written to" in captured.err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["kpis"]["service_level"] == level
    versions = summary["provenance"]["versions"]
    assert set(versions) == {"python", "ccsim", "numpy", "pandas", "simpy"}


def test_compare_json_has_each_scenario_and_the_paired_difference(tmp_path, capsys):
    path = write_tiny_scenario(tmp_path)
    assert main(["compare", str(path), str(path), "--reps", "2", "--workers", "1", "--quiet", "--json",
                 "--out", str(tmp_path / "out")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reference"] == "tiny" and data["scenarios"] == ["tiny", "tiny_2"]
    level = data["kpis"]["service_level"]
    assert level["tiny_2"]["diff"] == 0 and level["tiny_2"]["mean"] == level["tiny"]["mean"]
    assert "diff" not in level["tiny"]


def test_sweep_restaff_choices_match_the_restaff_modes():
    # The sweep parser lists them literally, so ccsim sweep --help need not import the planning code.
    from analysis.cli import build_parser
    from analysis.studies.sweep.restaff import RESTAFF_MODES

    parser = build_parser(["sweep"])
    sweep = parser._subparsers._group_actions[0].choices["sweep"]
    restaff = next(action for action in sweep._actions if action.dest == "restaff")
    assert tuple(restaff.choices) == (*RESTAFF_MODES, "off")
