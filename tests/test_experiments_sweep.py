"""Sweeps: sweep-file errors, designs, identical results wherever they run, resuming after an interruption."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.runs.execution import ExecutionPlan
from analysis.studies.sweep.design import VARIED, build_design
from analysis.studies.sweep.journal import SweepMismatchError
from analysis.studies.sweep.runner import run_sweep
from analysis.studies.sweep.spec import SweepFileError, load_sweep_file, parse_sweep
from sim.config import load_scenario

from .test_experiments_common import LHS_SWEEP, write_sweep, write_tiny_scenario


def _spec(tmp_path, body=LHS_SWEEP):
    return load_sweep_file(write_sweep(tmp_path, body))


def _problems(error: SweepFileError) -> str:
    return "\n".join(str(problem) for problem in error.problems)


# --- the sweep file ---------------------------------------------------------------------------

def test_sweep_file_errors_name_the_field_value_and_allowed(tmp_path):
    body = """
replications = 0
colour = "red"
[design]
kind = "lhs"
[[factors]]
path = "agent_groups.front.wage_per_hour"
low = 18.0
"""
    with pytest.raises(SweepFileError) as caught:
        _spec(tmp_path, body)
    text = _problems(caught.value)
    assert "replications: 0 is not allowed: input should be greater than 0" in text
    assert "colour: unknown key (allowed: " in text and "factors" in text
    assert "design.samples: required, but missing" in text


def test_design_specific_problems_name_the_factor(tmp_path):
    body = """
[design]
kind = "sobol"
base_samples = 6
[[factors]]
path = "agent_groups.front.wage_per_hour"
low = 18.0
[[factors]]
path = "contact_types.billing.handle_time.mean"
values = [3, 4]
"""
    with pytest.raises(SweepFileError) as caught:
        _spec(tmp_path, body)
    text = _problems(caught.value)
    assert "design: base_samples must be a power of 2" in text
    body = body.replace("base_samples = 6", "base_samples = 8")
    with pytest.raises(SweepFileError) as caught:
        _spec(tmp_path, body)
    text = _problems(caught.value)
    assert "factors[0].high: required with low" in text
    assert "factors[1]: the sobol design samples a range: give low and high" in text
    expected = r"design: .*'taguchi'.* expected tags: 'grid', 'oat', 'lhs', 'sobol', 'morris'"
    with pytest.raises(SweepFileError, match=expected):
        parse_sweep({"base": "x.toml", "name": "x", "design": {"kind": "taguchi"},
                     "factors": [{"path": "a", "values": [1]}]})


def test_every_bad_path_and_value_is_reported_before_anything_runs(tmp_path):
    body = """
[design]
kind = "grid"
[[factors]]
path = "agent_groups.frnt.wage_per_hour"
values = [18, 20]
[[factors]]
path = "contact_types.billing.handle_tim.mean"
values = [3]
[[factors]]
path = "agent_groups.back.shrinkage"
values = [0.1, 1.5]
"""
    with pytest.raises(SweepFileError) as caught:
        run_sweep(_spec(tmp_path, body), tmp_path / "out", ExecutionPlan(workers=1), show_progress=False)
    text = _problems(caught.value)
    assert "factors[0].path: 'agent_groups.frnt.wage_per_hour' cannot override: no item named 'frnt'" in text
    assert "factors[1].path: 'contact_types.billing.handle_tim.mean' cannot override: no key 'handle_tim'" in text
    assert not (tmp_path / "out").exists()
    fixed = body.replace("frnt", "front").replace("handle_tim.", "handle_time.")
    with pytest.raises(SweepFileError) as caught:
        run_sweep(_spec(tmp_path, fixed), tmp_path / "out", ExecutionPlan(workers=1), show_progress=False)
    text = _problems(caught.value)
    assert "agent_groups[1].shrinkage: 1.5 is not allowed" in text and "(variants 1, 3)" in text
    assert not (tmp_path / "out").exists()


def test_sweep_check_command_validates_without_running(tmp_path, capsys):
    path = write_sweep(tmp_path, LHS_SWEEP)
    assert main(["sweep", str(path), "--check"]) == 0
    assert "lhs design, 6 variant(s) x 3 replication(s) = 18 runs" in capsys.readouterr().out
    bad = write_sweep(tmp_path, LHS_SWEEP.replace("low = 3.0", "lo = 3.0"), name="bad.toml")
    assert main(["sweep", str(bad), "--check"]) == 2
    assert "factors[1].lo: unknown key" in capsys.readouterr().err


# --- designs ----------------------------------------------------------------------------------

def test_designs_have_the_documented_shape(tmp_path):
    base = load_scenario(write_tiny_scenario(tmp_path))
    factors = [{"path": "agent_groups.front.wage_per_hour", "low": 18.0, "high": 24.0},
               {"path": "contact_types.billing.handle_time.mean", "low": 3.0, "high": 5.0},
               {"path": "agent_groups.back.shrinkage", "low": 0.0, "high": 0.2}]

    def design(kind: dict, with_steps: bool = False):
        chosen = [dict(f, steps=3) if with_steps else f for f in factors]
        return build_design(parse_sweep({"name": "d", "base": "x", "seed": 3, "design": kind, "factors": chosen}), base)

    grid = design({"kind": "grid"}, with_steps=True)
    assert len(grid) == 27 and sorted(grid["agent_groups.front.wage_per_hour"].unique()) == [18.0, 21.0, 24.0]
    oat = design({"kind": "oat"})
    assert len(oat) == 7 and oat.at[0, VARIED] == "(base)"
    assert oat.loc[0, "agent_groups.front.wage_per_hour"] == 20.0  # the base scenario's value
    moved = oat[oat[VARIED] == "agent_groups.back.shrinkage"]
    assert list(moved["agent_groups.back.shrinkage"]) == [0.0, 0.2]
    assert (moved["agent_groups.front.wage_per_hour"] == 20.0).all()
    lhs = design({"kind": "lhs", "samples": 10})
    strata = np.floor((lhs["agent_groups.front.wage_per_hour"] - 18.0) / 6.0 * 10).astype(int)
    assert sorted(strata) == list(range(10))  # one point per stratum of every factor
    assert lhs.equals(design({"kind": "lhs", "samples": 10}))  # same seed, same design
    assert len(design({"kind": "sobol", "base_samples": 8})) == 8 * (3 + 2)
    assert len(design({"kind": "sobol", "base_samples": 8, "second_order": True})) == 8 * (2 * 3 + 2)
    assert len(design({"kind": "morris", "trajectories": 4})) == 4 * (3 + 1)


# --- running ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_serial_parallel_and_dask_runs_give_identical_tables(tmp_path):
    from dask.distributed import LocalCluster

    spec = _spec(tmp_path)
    serial = run_sweep(spec, tmp_path / "serial", ExecutionPlan(workers=1), show_progress=False)
    parallel = run_sweep(spec, tmp_path / "parallel", ExecutionPlan(workers=2), show_progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = run_sweep(spec, tmp_path / "dask", ExecutionPlan(scheduler=cluster.scheduler_address),
                         show_progress=False)
    assert len(serial.results) == 6 * 3
    assert serial.results["total_cost"].nunique() > 1
    pd.testing.assert_frame_equal(serial.results, parallel.results)
    pd.testing.assert_frame_equal(serial.results, dask.results)
    for name in ("serial", "parallel", "dask"):
        assert (tmp_path / name / "results.csv").read_bytes() == (tmp_path / "serial" / "results.csv").read_bytes()


def test_results_table_has_factors_kpis_and_cost_columns(tmp_path):
    outcome = run_sweep(_spec(tmp_path), tmp_path / "out", ExecutionPlan(workers=1), show_progress=False)
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results.columns[:5]) == ["variant", "replication", "agent_groups.front.wage_per_hour",
                                         "contact_types.billing.handle_time.mean", "agent_groups.front.shrinkage"]
    assert {"service_level", "total_cost", "cost:wages", "cost:fixed"} <= set(results.columns)
    costs = results[[c for c in results.columns if c.startswith("cost:")]].sum(axis=1)
    assert costs.to_numpy() == pytest.approx(results["total_cost"].to_numpy())
    assert sorted(set(zip(results["variant"], results["replication"]))) == [(v, r) for v in range(6) for r in range(3)]
    # variants share their random numbers: contacts offered do not depend on wages or shrinkage
    offered = results.pivot(index="replication", columns="variant", values="contacts_offered")
    assert (offered.nunique(axis=1) == 1).all()
    pd.testing.assert_frame_equal(results, outcome.results)


class _Interrupt(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("workers", [1, 2])
def test_interrupted_sweep_resumes_and_ends_with_the_same_table(tmp_path, workers):
    spec = _spec(tmp_path)
    complete = run_sweep(spec, tmp_path / "complete", ExecutionPlan(workers=1), show_progress=False)
    out = tmp_path / "interrupted"
    finished: list[int] = []

    def stop_after_two(variant: int) -> None:
        finished.append(variant)
        if len(finished) == 2:
            raise _Interrupt

    with pytest.raises(_Interrupt):
        run_sweep(spec, out, ExecutionPlan(workers=workers), show_progress=False, on_variant_done=stop_after_two)
    files = sorted((out / "variants").iterdir())
    assert [f.name for f in files] == [f"variant-{v:06d}.csv" for v in sorted(finished)]
    assert all(len(pd.read_csv(f)) == spec.replications for f in files)
    assert not (out / "results.csv").exists() and not list(out.rglob(".*tmp"))

    resumed = run_sweep(spec, out, ExecutionPlan(workers=workers), show_progress=False)
    assert resumed.skipped == sorted(finished)
    assert sorted(resumed.ran) == sorted(set(range(6)) - set(finished))
    pd.testing.assert_frame_equal(resumed.results, complete.results)
    assert (out / "results.csv").read_bytes() == (tmp_path / "complete" / "results.csv").read_bytes()
    again = run_sweep(spec, out, ExecutionPlan(workers=1), show_progress=False)
    assert again.ran == [] and again.skipped == list(range(6))


def test_a_changed_sweep_refuses_old_results_unless_restarted(tmp_path):
    out = tmp_path / "out"
    run_sweep(_spec(tmp_path), out, ExecutionPlan(workers=1), show_progress=False)
    changed = _spec(tmp_path, LHS_SWEEP.replace("seed = 7", "seed = 8"))
    with pytest.raises(SweepMismatchError, match="different sweep"):
        run_sweep(changed, out, ExecutionPlan(workers=1), show_progress=False)
    restarted = run_sweep(changed, out, ExecutionPlan(workers=1), show_progress=False, restart=True)
    assert restarted.skipped == [] and len(restarted.ran) == 6


def test_sweep_command_writes_tornado_budget_and_frontier(tmp_path, capsys):
    body = """
name = "tiny_oat"
replications = 2
[design]
kind = "oat"
[[factors]]
path = "agent_groups.front.wage_per_hour"
low = 18.0
high = 24.0
[[factors]]
path = "agent_groups.back.headcount"
values = [[1, 2, 1], [1, 2, 2]]
label = "back office headcount"
"""
    out = tmp_path / "out"
    assert main(["sweep", str(write_sweep(tmp_path, body)), "--out", str(out), "--workers", "1", "--quiet",
                 "--benefit-kpi", "service_level"]) == 0
    assert "ran 5, reused 0" in capsys.readouterr().out
    tornado = pd.read_csv(out / "tornado_total_cost.csv").set_index("factor")
    assert tornado.at["agent_groups.front.wage_per_hour", "swing"] == pytest.approx(6 * 10 * 1.2)
    assert tornado.at["agent_groups.back.headcount", "swing"] == pytest.approx(25.0)  # one more hour at 25
    assert tornado.index[0] == "agent_groups.front.wage_per_hour"  # largest swing first
    assert tornado.at["agent_groups.back.headcount", "label"] == "back office headcount"
    assert (out / "tornado_service_level.png").stat().st_size > 1000
    frontier = pd.read_csv(out / "frontier.csv")
    assert list(frontier.columns) == ["variant", "total_cost", "service_level", "efficient"]
    assert frontier["efficient"].any()
    budget = pd.read_csv(out / "budget.csv")
    assert budget["total"].to_numpy() == pytest.approx(pd.read_csv(out / "variants.csv")["total_cost"].to_numpy())
    assert main(["sweep", str(tmp_path / "sweep.toml"), "--out", str(out), "--quiet"]) == 0
    assert "ran 0, reused 5" in capsys.readouterr().out


@pytest.mark.slow
def test_a_killed_sweep_process_resumes_to_the_same_table(tmp_path):
    body = LHS_SWEEP.replace("samples = 6", "samples = 30")
    spec = _spec(tmp_path, body)
    out = tmp_path / "killed"
    command = [sys.executable, "-c", "import sys; from analysis.cli import main; sys.exit(main(sys.argv[1:]))",
               "sweep", str(tmp_path / "sweep.toml"), "--out", str(out), "--workers", "1", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("variants/variant-*.csv"))) < 3 and time.monotonic() < deadline:
            assert process.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert not (out / "results.csv").exists()
    done = {int(path.stem.split("-")[1]) for path in out.glob("variants/variant-*.csv")}
    assert 3 <= len(done) < 30
    resumed = run_sweep(spec, out, ExecutionPlan(workers=1), show_progress=False)
    assert set(resumed.skipped) == done and len(resumed.ran) == 30 - len(done)
    assert not list(out.rglob(".*tmp"))
    run_sweep(spec, tmp_path / "complete", ExecutionPlan(workers=1), show_progress=False)
    assert (out / "results.csv").read_bytes() == (tmp_path / "complete" / "results.csv").read_bytes()
