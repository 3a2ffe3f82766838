"""Every case of the hardening issue (tracebacks, out of memory, hangs, silent infinities) is refused cleanly.

A clean refusal: exit status 2, ``error:`` with the dotted path of the field
and what is wrong, no traceback, nothing written.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.cli import main

from .conftest import ROOT, SCENARIOS
from .hostile_inputs import RawToml, assert_refused, tiny_data, toml_text, toml_value, write_toml

EXPONENTIAL = {"dist": "exponential", "mean": 1.0, "unit": "min"}


def _nested_mixture(depth: int) -> RawToml:
    opening = '{ dist = "mixture", components = [{ weight = 1.0, distribution = '
    return RawToml(opening * depth + toml_value(EXPONENTIAL) + " }] }" * depth)


def _set(path: str, value) -> Callable[[dict], None]:
    """A mutation setting ``path`` (dots and [index]) of the scenario data to ``value``."""
    def mutate(data: dict) -> None:
        node, parts = data, path.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = parts[-1]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


SCENARIO_CASES = {
    # tracebacks
    "volume inf": (_set("demand.volume[1]", float("inf")), "demand.volume[1]", "finite"),
    "handle time mean inf": (_set("contact_types[0].handle_time.mean", float("inf")),
                             "contact_types[0].handle_time.mean", "finite"),
    "busyness_cv inf": (_set("demand.busyness_cv", float("inf")), "demand.busyness_cv", "finite"),
    "busyness_cv 1e300": (_set("demand.busyness_cv", 1e300), "demand.busyness_cv", "less than or equal to 3"),
    "weibull tiny shape": (_set("contact_types[0].handle_time", {"dist": "weibull", "shape": 0.001, "scale": 3.0,
                                                                 "unit": "min"}),
                           "contact_types[0].handle_time", "weibull has mean too large to compute"),
    "gamma tiny sd": (_set("contact_types[0].handle_time", {"dist": "gamma", "mean": 5.0, "sd": 1e-300,
                                                            "unit": "min"}),
                      "contact_types[0].handle_time", "shape (mean/sd)^2"),
    "lognormal huge sigma": (_set("contact_types[1].handle_time", {"dist": "lognormal", "mu": 1.0, "sigma": 40.0,
                                                                   "unit": "s"}),
                             "contact_types[1].handle_time", "lognormal has mean"),
    "mixture nested 300 deep": (_set("contact_types[0].handle_time", _nested_mixture(300)), "error: ", "nested"),
    "mixture nested 10 deep": (_set("contact_types[0].handle_time", _nested_mixture(10)),
                               "contact_types[0].handle_time.components[0]", "nested more than 32 levels"),
    "mixture weight inf": (_set("contact_types[0].handle_time", {"dist": "mixture", "components": [
        {"weight": float("inf"), "distribution": EXPONENTIAL}]}),
        "contact_types[0].handle_time.components[0].weight", "finite"),
    # out of memory
    "volume 1e7 per interval": (_set("demand.volume", [1e7, 1e7, 1e7]), "demand:", "--max-contacts"),
    "volume 1e12 per interval": (_set("demand.volume", [1e12, 1e12, 1e12]), "demand:", "--max-contacts"),
    # hangs
    "headcount 1e9": (_set("agent_groups[0].headcount[0]", 1_000_000_000), "agent_groups[0].headcount[0]",
                      "less than or equal to 100000"),
    # silent infinities
    "wage inf": (_set("agent_groups[0].wage_per_hour", float("inf")), "agent_groups[0].wage_per_hour", "finite"),
    "fixed cost inf": (_set("costs.fixed_per_day", float("inf")), "costs.fixed_per_day", "finite"),
    "drain inf": (_set("horizon.drain_minutes", float("inf")), "horizon.drain_minutes", "finite"),
    "service level threshold inf": (_set("service_level.threshold_seconds", float("inf")),
                                    "service_level.threshold_seconds", "finite"),
    "queue boost inf": (_set("segments", [{"name": "standard", "share": 1.0, "queue_boost_seconds": float("inf")}]),
                        "segments[0].queue_boost_seconds", "finite"),
    "patience multiplier inf": (_set("segments", [{"name": "standard", "share": 1.0,
                                                   "patience_multiplier": float("inf")}]),
                                "segments[0].patience_multiplier", "finite"),
    "handle time sd inf": (_set("contact_types[1].handle_time.sd", float("inf")),
                           "contact_types[1].handle_time.sd", "finite"),
    "wage nan": (_set("agent_groups[1].wage_per_hour", float("nan")), "agent_groups[1].wage_per_hour", "finite"),
    "wage 1e300": (_set("agent_groups[1].wage_per_hour", 1e300), "agent_groups[1].wage_per_hour",
                   "less than or equal to"),
    "share as text": (_set("contact_types[0].share", "0.3"), "contact_types[0].share", "'0.3' is text"),
    "headcount as text": (_set("agent_groups[1].headcount[0]", "2"), "agent_groups[1].headcount[0]", "is text"),
    "days as true": (_set("horizon.days", True), "horizon.days", "true/false"),
    # display safety (issue 19)
    "name with right-to-left override": (_set("name", "tiny\u202egnp.exe"), "name:", "U+202E"),
    "description with a bell": (_set("description", "ding\x07"), "description:", "U+0007"),
    "shift name with zero-width space": (_set("agent_groups[0]", {
        "name": "front", "skills": ["billing"], "shifts": [{"name": "early\u200b", "start": "08:00",
                                                            "length_hours": 3.0}]}),
        "agent_groups[0].shifts[0].name", "U+200B"),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_bad_scenario_is_refused_with_its_field_path(case, tmp_path, capsys):
    mutate, path, reason = SCENARIO_CASES[case]
    data = tiny_data()
    mutate(data)
    scenario = write_toml(tmp_path / "bad.toml", data)
    out = tmp_path / "out"
    err = assert_refused(["run", str(scenario), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out)],
                         out, capsys, path, reason)
    assert "\u202e" not in err and "\x07" not in err  # hidden characters are escaped, never printed raw


def _write_csv(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


FILE_CASES = {
    "volume csv with an extra cell": (
        "demand", {"volume_file": "volume.csv"}, "volume.csv",
        b"interval,volume\n08:00,30\n09:00,45,7\n10:00,35\n", "demand.volume_file", "line 3: 3 cell(s)"),
    "volume csv with a short row": (
        "demand", {"volume_file": "volume.csv"}, "volume.csv",
        b"interval,volume\n08:00,30\n09:00\n", "demand.volume_file", "line 3: 1 cell(s)"),
    "volume csv not utf-8": (
        "demand", {"volume_file": "volume.csv"}, "volume.csv",
        b"interval,volume\n08:00,30\n09:00,4\xff5\n", "demand.volume_file", "line 3: not UTF-8"),
    "volume csv with inf": (
        "demand", {"volume_file": "volume.csv"}, "volume.csv",
        b"interval,volume\n08:00,inf\n", "demand.volume_file", "not a finite number"),
    "volume csv with NUL bytes": (
        "demand", {"volume_file": "volume.csv"}, "volume.csv",
        b"interval,volume\n08:00,3\x000\n", "demand.volume_file", "line 2, column volume"),
    "empirical csv with a short row": (
        "contact_types[0].handle_time", {"dist": "empirical", "file": "samples.csv", "column": "seconds",
                                         "unit": "s"}, "samples.csv",
        b"id,seconds\n1,120\n2\n3,200\n", "contact_types[0].handle_time.file", "line 3: 1 cell(s)"),
    "empirical csv not utf-8": (
        "contact_types[0].handle_time", {"dist": "empirical", "file": "samples.csv", "unit": "s"}, "samples.csv",
        b"seconds\n120\n\xc3\x28\n", "contact_types[0].handle_time.file", "line 3: not UTF-8"),
    "roster with an empty start": (
        "agent_groups[1]", {"name": "back", "skills": ["tech"], "roster_file": "roster.csv"}, "roster.csv",
        b"name,start,length_hours,count\nday,,8,2\n", "agent_groups[1].roster_file", "line 2, column start: empty"),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_bad_referenced_file_is_refused_with_file_and_line(case, tmp_path, capsys):
    section, value, name, content, path, reason = FILE_CASES[case]
    _write_csv(tmp_path / name, content)
    data = tiny_data()
    if section == "demand":
        data["demand"] = value
    else:
        _set(section, value)(data)
    scenario = write_toml(tmp_path / "bad.toml", data)
    out = tmp_path / "out"
    assert_refused(["run", str(scenario), "--workers", "1", "--quiet", "--out", str(out)], out, capsys, path, reason)


@pytest.mark.parametrize("target", ["/dev/zero", "folder", "pipe"])
def test_devices_directories_and_pipes_are_never_read(target, tmp_path, capsys):
    if target == "folder":
        (tmp_path / "folder").mkdir()
    elif target == "pipe":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(tmp_path / "pipe")  # reading it would wait for a writer forever
    elif not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    data = tiny_data()
    data["demand"] = {"volume_file": target}
    scenario = write_toml(tmp_path / "bad.toml", data)
    out = tmp_path / "out"
    reason = "a directory" if target == "folder" else "not a regular file"
    assert_refused(["run", str(scenario), "--quiet", "--out", str(out)], out, capsys, "demand.volume_file", reason)
    assert_refused(["validate", str(tmp_path / target if target != "/dev/zero" else target)], out, capsys, reason)


def test_a_year_of_the_baseline_is_refused_unless_the_limit_is_raised(tmp_path, capsys):
    out = tmp_path / "out"
    err = assert_refused(["run", str(SCENARIOS / "baseline.toml"), "--days", "366", "--quiet", "--out", str(out)],
                         out, capsys, "demand:", "more than the limit of 2,000,000 contacts", "--max-contacts")
    assert "per replication" in err
    # The limit is what refuses it: the same run fits once the limit is raised (checked without running it).
    from analysis.cli.common import check_size
    from sim.config import apply_overrides, load_scenario

    year = apply_overrides(load_scenario(SCENARIOS / "baseline.toml"), {"horizon.days": 366})
    options = type("Args", (), {"max_contacts": 4_000_000, "workers": 1, "reps": 1, "scheduler": None})()
    check_size(year, options)


def test_max_contacts_refuses_and_allows(tmp_path, capsys):
    scenario = write_toml(tmp_path / "tiny.toml", tiny_data())
    out = tmp_path / "out"
    assert_refused(["run", str(scenario), "--max-contacts", "50", "--quiet", "--out", str(out)], out, capsys,
                   "more than the limit of 50 contacts")
    assert main(["run", str(scenario), "--max-contacts", "1e4", "--reps", "2", "--workers", "1", "--quiet",
                 "--out", str(out)]) == 0
    assert (out / "summary.json").exists()
    assert main(["validate", str(scenario)]) == 0
    assert "estimated size: about" in capsys.readouterr().out


def _sweep_file(directory: Path, body: bytes, name: str = "sweep.toml") -> Path:
    write_toml(directory / "tiny.toml", tiny_data())
    path = directory / name
    path.write_bytes(b'base = "tiny.toml"\n' + body)
    return path


GRID = '[design]\nkind = "grid"\n[[factors]]\npath = "agent_groups.front.wage_per_hour"\n'

SWEEP_CASES = {
    "binary garbage": (b"\x00\x9f\x92\x96\xff\xfe" * 50, "", "not UTF-8"),
    "invalid utf-8": ('name = "caf\xe9"\n'.encode("latin-1"), "", "line 2: not UTF-8"),
    "arrays nested 5000 deep": (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "", "nested too deeply"),
    "tables nested 100 deep": (("overrides = " + "{ a = " * 100 + "1" + " }" * 100 + "\n").encode() + GRID.encode()
                               + b"values = [20.0]\n", "overrides", "nested more than 32 levels"),
    "lhs with 1e9 samples": (b'[design]\nkind = "lhs"\nsamples = 1000000000\n[[factors]]\n'
                             b'path = "agent_groups.front.wage_per_hour"\nlow = 18.0\nhigh = 24.0\n',
                             "design", "1,000,000,000 variants"),
    "grid with 1e9 steps": (GRID.encode() + b"low = 18.0\nhigh = 24.0\nsteps = 1000000000\n", "design",
                            "--max-variants"),
    "absolute name": (b'name = "/tmp/elsewhere"\n' + GRID.encode() + b"values = [20.0]\n", "name", "results folder"),
    "name with ..": (b'name = "../../outside"\n' + GRID.encode() + b"values = [20.0]\n", "name", "results folder"),
    "replications as text": (b'replications = "3"\n' + GRID.encode() + b"values = [20.0]\n", "replications",
                             "is text"),
    "factor low inf": (GRID.encode() + b"low = -inf\nhigh = 24.0\nsteps = 3\n", "factors[0].low", "finite"),
    "label with bidi isolate": (GRID.encode() + 'values = [20.0]\nlabel = "wage\u2067"\n'.encode(),
                                "factors[0].label", "U+2067"),
    "variant out of range": (GRID.encode() + b"values = [20.0, 1e300]\n", "", "wage_per_hour"),
}


@pytest.mark.parametrize("case", sorted(SWEEP_CASES))
def test_bad_sweep_is_refused_and_writes_nothing(case, tmp_path, capsys, monkeypatch):
    body, path, reason = SWEEP_CASES[case]
    sweep = _sweep_file(tmp_path, body)
    monkeypatch.chdir(tmp_path)  # the default results folder, results/<name>, must not appear either
    out = tmp_path / "results"
    assert_refused(["sweep", str(sweep), "--workers", "1", "--quiet"], out, capsys, path, reason)
    assert not (tmp_path.parent / "outside").exists() and not Path("/tmp/elsewhere").exists()


def test_internal_errors_are_reported_as_bugs_not_input_errors(tmp_path, capsys, monkeypatch):
    import analysis.runs.experiment as experiment

    def broken(*args, **kwargs):
        raise ValueError("a bug, not bad input")

    monkeypatch.setattr(experiment, "run_experiment", broken)  # the run command imports it when it runs
    scenario = write_toml(tmp_path / "tiny.toml", tiny_data())
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "internal error" in err and "ValueError: a bug, not bad input" in err and "This is a bug" in err
    assert "Traceback" not in err and "--debug" in err
    assert main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "out"), "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "in broken" in err


def test_calibrate_and_backtest_report_bugs_as_bugs(tmp_path, capsys, monkeypatch):
    # The commands import these in their handlers (so --help stays light): patched where they live.
    import analysis.calibration as calibration
    import analysis.calibration.log_input as log_input

    def broken(*args, **kwargs):
        raise ValueError("unexpected")

    log = tmp_path / "log.csv"
    log.write_text("arrival_time,contact_type,outcome\n2024-01-01T08:00:00,billing,answered\n", encoding="utf-8")
    monkeypatch.setattr(calibration, "calibrate", broken)
    assert main(["calibrate", str(log), "--out", str(tmp_path / "s.toml")]) == 1
    assert "internal error" in capsys.readouterr().err
    monkeypatch.setattr(log_input, "load_log", broken)
    scenario = write_toml(tmp_path / "tiny.toml", tiny_data())
    assert main(["backtest", str(log), str(scenario), "--out", str(tmp_path / "bt")]) == 1
    assert "internal error" in capsys.readouterr().err
    # A real input error is still one.
    monkeypatch.undo()
    assert main(["calibrate", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "s.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_command_line_numbers_must_be_finite_and_bounded(tmp_path, capsys):
    scenario = write_toml(tmp_path / "tiny.toml", tiny_data())
    for argv in (["breakeven", str(scenario), "--param", "costs.fixed_per_day", "--range", "0:inf", "--target", "1"],
                 ["breakeven", str(scenario), "--param", "costs.fixed_per_day", "--range", "0:1:1000000000",
                  "--target", "1"],
                 ["breakeven", str(scenario), "--param", "costs.fixed_per_day", "--range", "0:1", "--target", "nan"],
                 ["compare", str(scenario), "--half-width", "nan"],
                 ["run", str(scenario), "--reps", "1000000000"],
                 ["run", str(scenario), "--max-contacts", "inf"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_hidden_characters_in_a_file_name_are_escaped_in_the_terminal(tmp_path, capsys):
    missing = tmp_path / "report\u202efdp.toml"
    assert main(["validate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "\u202e" not in err and "\\u202e" in err


def _descendants(pid: int) -> int:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    count, frontier = 0, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        count += len(frontier)
    return count


def _wait_for_workers(pid: int, workers: int, timeout: float = 60.0) -> None:
    """Until the command's worker processes are running."""
    deadline = time.monotonic() + timeout
    while _descendants(pid) < workers and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.slow  # real worker processes
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the worker processes")
def test_ctrl_c_stops_a_long_run_without_leaving_results_that_look_complete(tmp_path):
    """A terminal's Ctrl-C reaches the whole process group: the command and its worker processes."""
    out = tmp_path / "out"
    command = [sys.executable, "-c", "import sys; from analysis.cli import main; sys.exit(main())", "run",
               str(SCENARIOS / "baseline.toml"), "--days", "40", "--reps", "4", "--workers", "2", "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _wait_for_workers(process.pid, 2)
        time.sleep(1.0)  # simulating: 4 replications of 40 days take far longer
        assert process.poll() is None
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    text = err.decode()
    assert process.returncode == 130, text
    assert "interrupted" in text and "Traceback" not in text
    assert not (out / "summary.json").exists()
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_resolved_scenario_data_round_trips_through_the_hostile_writer(tmp_path):
    """The test writer itself: a valid scenario written by it loads to the same scenario."""
    from sim.config import load_scenario, parse_scenario

    data = tiny_data()
    assert load_scenario(write_toml(tmp_path / "t.toml", copy.deepcopy(data))) == parse_scenario(data)
    assert toml_text({"x": float("nan")}) == '"x" = nan\n'
