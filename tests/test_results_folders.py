"""Results folders: one writer at a time, no silent overwrite, no followed links, reports of intact folders only."""

from __future__ import annotations

import json
import shutil
import signal

import pytest

from analysis.cli import main
from analysis.outputs.folders import ResultsFolder, check_folder, read_record, unfinished_command

from .processes import lock_holder, run_ccsim, start_ccsim, wait_until
from .test_experiments_common import LHS_SWEEP, write_sweep, write_tiny_scenario

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX processes and signals")

RUN_FILES = {"intervals.csv", "days.csv", "contacts.csv", "cost_to_serve.csv", "segment_profit.csv",
             "cost_to_serve.png"}


def _run(scenario, out, *extra: str) -> int:
    return main(["run", str(scenario), "--reps", "2", "--workers", "1", "--quiet", "--out", str(out), *extra])


# --- one writer per folder ---------------------------------------------------------------------

def test_a_second_run_into_a_folder_in_use_is_refused_at_once_naming_the_holder(tmp_path):
    scenario = write_tiny_scenario(tmp_path, replace={"days = 1": "days = 300"})  # long enough to be caught
    out = tmp_path / "out"
    first = start_ccsim("run", scenario, "--reps", "50", "--workers", "1", "--quiet", "--out", out)
    try:
        wait_until(lambda: f"pid {first.pid}" in lock_holder(out), 60, "the first run to lock its folder", first)
        second = run_ccsim("run", scenario, "--reps", "2", "--workers", "1", "--quiet", "--out", out, timeout=60)
        assert second.returncode == 2
        assert f"is in use by pid {first.pid} (ccsim run" in second.stderr and "choose another --out" in second.stderr
        assert first.poll() is None  # the holder was not disturbed
    finally:
        first.kill()
        first.wait()
    assert read_record(out) is None and [path.name for path in out.iterdir()] == [".ccsim"]  # nothing written yet


def test_a_stale_lock_of_a_killed_run_is_taken_over(tmp_path):
    scenario = write_tiny_scenario(tmp_path, replace={"days = 1": "days = 300"})
    out = tmp_path / "out"
    first = start_ccsim("run", scenario, "--reps", "2", "--workers", "1", "--quiet", "--out", out)
    wait_until(lambda: f"pid {first.pid}" in lock_holder(out), 60, "the run to lock its folder", first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _run(scenario, out, "--days", "1") == 0
    assert read_record(out)["state"] == "finished" and check_folder(out) == []


def test_a_folder_held_in_this_process_is_refused_to_a_command(tmp_path):
    out = tmp_path / "out"
    with ResultsFolder(out, "run", {"seed": 0}):
        finished = run_ccsim("run", write_tiny_scenario(tmp_path), "--reps", "2", "--out", out, "--quiet",
                             timeout=60)
    assert finished.returncode == 2 and "is in use by pid" in finished.stderr


# --- no silent overwrite -----------------------------------------------------------------------

def test_other_inputs_are_refused_and_overwrite_deletes_only_ccsims_files(tmp_path, capsys):
    scenario, out = write_tiny_scenario(tmp_path), tmp_path / "out"
    assert _run(scenario, out, "--seed", "0") == 0
    (out / "notes.txt").write_text("mine")
    assert _run(scenario, out, "--seed", "0") == 0  # the same inputs simply run again
    capsys.readouterr()
    assert _run(scenario, out, "--seed", "1") == 2
    error = capsys.readouterr().err
    assert "holds results of `ccsim run" in error and "seed 0 there, 1 now" in error and "--overwrite" in error
    assert json.loads((out / "summary.json").read_text())["provenance"]["seed"] == 0  # untouched
    assert _run(scenario, out, "--seed", "1", "--overwrite") == 0
    assert json.loads((out / "summary.json").read_text())["provenance"]["seed"] == 1
    assert (out / "notes.txt").read_text() == "mine"


def test_a_sweep_folder_refuses_a_run_and_overwrite_clears_the_sweep(tmp_path, capsys):
    sweep = write_sweep(tmp_path, LHS_SWEEP.replace("samples = 6", "samples = 2"))
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert _run(tmp_path / "tiny.toml", out) == 2
    assert "holds results of `ccsim sweep" in capsys.readouterr().err
    assert _run(tmp_path / "tiny.toml", out, "--overwrite") == 0
    assert not (out / "variants").exists() and not (out / "results.csv").exists() and not (out / "sweep.json").exists()
    assert {path.name for path in out.iterdir()} == {".ccsim", "summary.json", *RUN_FILES}


def test_a_folder_with_foreign_files_is_refused_and_overwrite_deletes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    (out / "mine.csv").write_text("x")
    assert _run(write_tiny_scenario(tmp_path), out) == 2
    assert "already holds files ccsim has no record of (mine.csv, summary.json)" in capsys.readouterr().err
    assert _run(tmp_path / "tiny.toml", out, "--overwrite") == 0
    assert (out / "mine.csv").read_text() == "x" and "kpis" in json.loads((out / "summary.json").read_text())


def test_summary_lists_the_files_and_report_refuses_a_changed_folder_and_warns_of_an_unfinished_one(tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(write_tiny_scenario(tmp_path), out) == 0
    files = json.loads((out / "summary.json").read_text())["files"]
    assert set(files) == RUN_FILES
    assert all(len(f["sha256"]) == 64 for f in files.values())
    assert set(read_record(out)["files"]) == {*RUN_FILES, "summary.json"}
    assert main(["report", str(out)]) == 0
    with open(out / "intervals.csv", "a") as stream:
        stream.write("1,2,3\n")
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    assert "intervals.csv differs from the file the run wrote" in capsys.readouterr().err
    (out / "intervals.csv").write_bytes((out / "intervals.csv").read_bytes()[:-6])  # back as written
    record = read_record(out)
    (out / ".ccsim" / "record.json").write_text(json.dumps({**record, "state": "running"}))
    assert main(["report", str(out)]) == 0  # an unfinished folder is shown, with a warning
    assert "is incomplete: `ccsim run" in capsys.readouterr().err and unfinished_command(out)


# --- no followed links -------------------------------------------------------------------------

def test_a_planted_variants_link_is_refused_and_nothing_is_written_or_deleted_through_it(tmp_path, capsys):
    sweep = write_sweep(tmp_path, LHS_SWEEP.replace("samples = 6", "samples = 2"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".variant-000001.csv.abc.tmp").write_text("not yours")
    (elsewhere / "keep.csv").write_text("x")
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    shutil.rmtree(out / "variants")
    (out / "variants").symlink_to(elsewhere, target_is_directory=True)
    (out / "results.csv").unlink()
    for extra in ([], ["--restart"]):
        assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet", *extra]) == 2
        assert "symbolic link" in capsys.readouterr().err
    assert sorted(path.name for path in elsewhere.iterdir()) == [".variant-000001.csv.abc.tmp", "keep.csv"]
    assert not (out / "results.csv").exists()


def test_a_planted_compare_subfolder_link_and_a_linked_out_are_refused(tmp_path, capsys):
    scenario = write_tiny_scenario(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "tiny").symlink_to(elsewhere, target_is_directory=True)
    arguments = ["compare", str(scenario), str(scenario), "--reps", "2", "--workers", "1", "--quiet"]
    assert main([*arguments, "--out", str(out), "--overwrite"]) == 2
    assert "tiny is a symbolic link" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []
    linked = tmp_path / "linked_out"
    linked.symlink_to(elsewhere, target_is_directory=True)
    assert _run(scenario, linked) == 2
    assert "is a symbolic link; give the real folder" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_a_file_link_is_never_written_through(tmp_path, capsys):
    outside = tmp_path / "precious.json"
    outside.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").symlink_to(outside)
    assert _run(write_tiny_scenario(tmp_path), out, "--overwrite") == 2
    assert "summary.json is a symbolic link" in capsys.readouterr().err
    assert outside.read_text() == "precious"
