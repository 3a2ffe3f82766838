"""Fuzzing the command line with mutated scenario and sweep files.

Hypothesis mutates a small but feature-rich scenario (and a sweep around
it): values of the wrong type, magnitude or sign, infinities and NaN, text
with markup and bidirectional controls, deep nesting, unknown or missing
keys, broken encodings and garbage referenced files. Every run must end in
a clean refusal (exit 2, ``error:`` naming the field, nothing written) or a
valid result with finite KPIs, within a time and memory budget (see
:mod:`tests.fuzz_harness`). The quick tests try a fixed, bounded set of
examples; the ``slow`` ones try more, random ones (``CCSIM_FUZZ_DEEP_EXAMPLES``, default 150 scenarios,
75 sweeps and 15 schedules).
"""

from __future__ import annotations

import copy
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import SCENARIOS
from .fuzz_harness import Sandbox, judge
from .hostile_inputs import RawToml, tiny_data, toml_text

# Browser, every results kind or many generated inputs: the full suite, not the fast loop.
pytestmark = pytest.mark.slow

OUTCOMES: dict[str, Counter] = {"scenario": Counter(), "sweep": Counter(), "shift templates": Counter()}
MAX_CONTACTS = "20000"
MAX_VARIANTS = "12"


def base_scenario() -> dict[str, Any]:
    """The tiny scenario with most optional sections, so mutations reach them."""
    data = tiny_data()
    data["segments"] = [{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2, "priority": 1,
                                                            "queue_boost_seconds": 30.0, "patience_multiplier": 1.5}]
    data["retrial"] = {"probability": 0.3, "delay": {"dist": "exponential", "mean": 10.0, "unit": "min"},
                       "max_attempts": 3}
    data["contact_types"][1]["after_call_work"] = {"dist": "mixture", "components": [
        {"weight": 0.2, "distribution": {"dist": "deterministic", "value": 5.0, "unit": "s"}},
        {"weight": 0.8, "distribution": {"dist": "gamma", "mean": 40.0, "sd": 20.0, "unit": "s"}}]}
    data["ai"] = {"capacity": 5, "session_time": {"dist": "weibull", "shape": 1.5, "scale": 3.0, "unit": "min"},
                  "cost_per_session": 0.3, "contact_types": {"billing": {"containment": 0.5, "escalation": 0.4}}}
    data["vendors"] = [{"name": "bpo", "skills": ["billing", "tech"], "seats": 2,
                        "price": {"model": "per_minute", "rate": 0.5}}]
    data["routing"] = [{"name": "overflow", "to": "bpo", "expected_wait_above_seconds": 60.0},
                       {"name": "bot", "to": "ai", "contact_types": ["billing"]}]
    data["value"] = {"customers": 20000.0, "revenue_per_customer_year": 300.0, "discount_rate": 0.05}
    data["agent_groups"][0]["overtime"] = {"queue_above": 3, "max_minutes": 30.0}
    data["agent_groups"][1]["availability"] = {
        "available_time": {"dist": "exponential", "mean": 20.0, "unit": "min"},
        "away_time": {"dist": "lognormal", "mean": 3.0, "sd": 2.0, "unit": "min"},
        "recall": {"queue_at_least": 3, "rate_per_minute": 0.5}}
    return data


def base_sweep() -> dict[str, Any]:
    return {"name": "fuzz", "base": "tiny.toml", "replications": 2, "seed": 3, "design": {"kind": "grid"},
            "factors": [{"path": "agent_groups.front.wage_per_hour", "values": [18.0, 22.0], "label": "wage"},
                        {"path": "contact_types.billing.handle_time.mean", "low": 3.0, "high": 5.0, "steps": 2}]}


def paths_in(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value (tables, lists and leaves) in ``node``."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_in(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_in(value, prefix + (index,))
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _nested(depth: int, leaf: Any) -> RawToml:
    return RawToml("[" * depth + toml_text({"x": leaf})[6:-1] + "]" * depth) if depth > 150 else _deep(depth, leaf)


def _deep(depth: int, leaf: Any) -> Any:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"a": leaf}
    return leaf


SPECIAL_NUMBERS = [0, -1, 0.5, 1.5, 3, 24, 366, 367, 1e-300, 5e-324, 1e12, 1.0000001e12, 1e13, 1e300, -1e300,
                   10**9, 2**63 - 1, -(2**63), float("inf"), float("-inf"), float("nan")]
SPECIAL_TEXT = ["", " ", "0.3", "inf", "nan", "true", "\u202e", "a\u202eb", "\u2066x\u2069", "x\x07", "\u200b",
                "<b>x</b>", "<script>alert(1)</script>", "$x^$", "../x", "/dev/zero", "/tmp", "08:00", "25:00",
                "24:00", "7:5", "monday", "exponential", "mixture", "empirical", "s", "min", "h", "billing", "tech",
                "front", "bpo", "ai", "inhouse", "\u05e9\u05dc\u05d5\u05dd", "x" * 300]
TEXT = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be written to a file at all
KEYS = ["dist", "mean", "sd", "unit", "value", "name", "share", "weight", "distribution", "components", "kind", "x"]
leaves = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL_TEXT), st.text(TEXT, max_size=12),
    st.booleans())
structures = st.recursive(leaves, lambda children: st.lists(children, max_size=4)
                          | st.dictionaries(st.sampled_from(KEYS) | st.text(TEXT, min_size=1, max_size=6), children,
                                            max_size=4), max_leaves=10)
deep = st.builds(_nested, st.integers(min_value=1, max_value=600), leaves)


def _weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, drawn in proportion to the weights (one_of draws them evenly)."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(min_value=0, max_value=len(pool) - 1).flatmap(lambda index: pool[index])


values = _weighted((6, leaves), (2, structures), (1, deep))
GARBAGE_FILES = st.one_of(
    st.binary(max_size=200),
    st.lists(st.lists(st.sampled_from(["interval", "volume", "day", "weekday", "08:00", "09:00", "10:00", "30",
                                        "-1", "inf", "nan", "1e300", "x", "", "monday", "2", "\u202e"]),
                      max_size=5), max_size=6).map(lambda rows: "\n".join(",".join(row) for row in rows).encode()),
    st.sampled_from([b"interval,volume\n08:00,30\n09:00,\xff\n", "interval,volume\n08:00,30\n".encode("utf-16"),
                     b"\xef\xbb\xbfinterval,volume\n08:00,30\n09:00,45\n10:00,35\n",
                     b"interval,volume\n08:00,30,1\n", b"interval,volume\n08:00\n", b"\x00" * 50]))


@st.composite
def mutations(draw, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one to three changes: a value replaced, a key removed or an unknown key added."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        paths = paths_in(data)
        action = draw(st.sampled_from(["replace", "replace", "scale", "scale", "scale", "remove", "add"]))
        if action == "scale":  # most scaled numbers stay valid, so these runs reach the simulation
            paths = [path for path in paths if _is_number(_parent(data, path)[path[-1]])] or paths
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        current = parent[path[-1]]
        if action == "scale" and _is_number(current):
            # Plausible-looking changes reach the simulation more often than wild ones.
            factor = draw(st.sampled_from([0, 0.01, 0.5, 2, 10, 1000, 1e6]))
            scaled = current * factor
            parent[path[-1]] = int(scaled) if isinstance(current, int) and scaled < 2**63 else scaled
        elif action in ("replace", "scale"):
            parent[path[-1]] = draw(values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS + ["colour"]))] = draw(values)
    return data


ENCODINGS = st.sampled_from(["utf-8"] * 15 + ["utf-16", "latin-1", "bom", "flip", "truncate"])


def _encode(text: str, encoding: str, where: int) -> bytes:
    if encoding == "utf-16":
        return text.encode("utf-16")
    if encoding == "latin-1":
        return text.encode("latin-1", "replace")
    raw = text.encode("utf-8")
    if encoding == "bom":
        return b"\xef\xbb\xbf" + raw
    if encoding == "flip" and raw:
        position = where % len(raw)
        return raw[:position] + bytes([raw[position] ^ 0xFF]) + raw[position + 1:]
    if encoding == "truncate":
        return raw[:where % (len(raw) + 1)]
    return raw


def _log(kind: str, outcome: str, stderr: str) -> None:
    """With CCSIM_FUZZ_LOG set, one line per run: kind, outcome and the first problem reported."""
    if os.environ.get("CCSIM_FUZZ_LOG"):
        lines = stderr.splitlines()
        detail = (lines[1] if len(lines) > 1 else lines[0] if lines else "").strip()
        with open(os.environ["CCSIM_FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{kind}\t{outcome}\t{detail[:160]!r}\n")


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox()
    yield box
    box.close()
    for kind, outcomes in OUTCOMES.items():
        if outcomes:
            print(f"\nfuzzed {kind} files: {sum(outcomes.values())} runs: {dict(outcomes)}")


def _fuzz_scenario(sandbox: Sandbox, folder: Path, data: dict, encoding: str, where: int, garbage: bytes | None):
    folder = _fresh(folder)
    if garbage is not None:
        (folder / "volume.csv").write_bytes(garbage)
        data = copy.deepcopy(data)
        data["demand"] = {"volume_file": "volume.csv"}
    (folder / "scenario.toml").write_bytes(_encode(toml_text(data), encoding, where))
    out = folder / "out"
    run = sandbox.run(["run", "scenario.toml", "--reps", "2", "--workers", "1", "--quiet",
                       "--max-contacts", MAX_CONTACTS, "--out", str(out)], folder)
    outcome = judge(run, out)
    OUTCOMES["scenario"][outcome] += 1
    _log("scenario", outcome, run.stderr)
    assert outcome in ("refused", "result"), f"{outcome}\n--- scenario\n{toml_text(data)[:3000]}\n--- " \
                                             f"stderr\n{run.stderr}"


def _fuzz_sweep(sandbox: Sandbox, folder: Path, data: dict, encoding: str, where: int):
    replications = data.get("replications")
    if _is_number(replications) and 20 < replications <= 10_000:
        data = {**data, "replications": 20}  # valid, but thousands of runs are slow rather than wrong
    folder = _fresh(folder)
    (folder / "tiny.toml").write_text(toml_text(tiny_data()), encoding="utf-8")
    (folder / "sweep.toml").write_bytes(_encode(toml_text(data), encoding, where))
    out = folder / "results"  # the default results/<sweep name>: the name decides where it goes
    run = sandbox.run(["sweep", "sweep.toml", "--workers", "1", "--quiet", "--max-variants", MAX_VARIANTS,
                       "--max-contacts", MAX_CONTACTS], folder)
    outcome = judge(run, out, "sweep")
    OUTCOMES["sweep"][outcome] += 1
    _log("sweep", outcome, run.stderr)
    leaked = [path for path in folder.parent.iterdir() if path.name not in (folder.name, "scenario", "sweep")]
    assert not leaked, f"a sweep wrote outside its folder: {leaked}"
    assert outcome in ("refused", "result"), f"{outcome}\n--- sweep\n{toml_text(data)[:3000]}\n--- " \
                                             f"stderr\n{run.stderr}"


SCENARIO_EXAMPLES = int(os.environ.get("CCSIM_FUZZ_EXAMPLES", "60"))
QUICK = settings(max_examples=SCENARIO_EXAMPLES, deadline=None, derandomize=True, database=None,
                 suppress_health_check=list(HealthCheck))
DEEP_EXAMPLES = int(os.environ.get("CCSIM_FUZZ_DEEP_EXAMPLES", "150"))  # 400 or more for a thorough look
DEEP = settings(max_examples=DEEP_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
SCENARIO_CASE = (mutations(base_scenario()), ENCODINGS, st.integers(min_value=0, max_value=10**6),
                 _weighted((5, st.none()), (1, GARBAGE_FILES)))
SWEEP_DESIGNS = st.sampled_from([{"kind": "grid"}, {"kind": "oat"}, {"kind": "lhs", "samples": 3},
                                 {"kind": "sobol", "base_samples": 2}, {"kind": "morris", "trajectories": 2}])


@st.composite
def sweep_cases(draw) -> dict[str, Any]:
    data = base_sweep()
    data["design"] = draw(SWEEP_DESIGNS)
    if data["design"]["kind"] in ("lhs", "sobol", "morris"):
        data["factors"][0] = {"path": "agent_groups.front.wage_per_hour", "low": 18.0, "high": 22.0}
        del data["factors"][1]["steps"]
    if data["design"]["kind"] == "oat":
        del data["factors"][1]["steps"]
        data["factors"][1]["values"] = [3.0, 5.0]
        del data["factors"][1]["low"], data["factors"][1]["high"]
    return draw(mutations(data))


@QUICK
@given(case=st.tuples(*SCENARIO_CASE))
def test_mutated_scenarios_are_refused_cleanly_or_give_finite_kpis(sandbox, tmp_path_factory, case):
    data, encoding, where, garbage = case
    _fuzz_scenario(sandbox, tmp_path_factory.getbasetemp() / "fuzz" / "scenario", data, encoding, where, garbage)


@settings(QUICK, max_examples=max(SCENARIO_EXAMPLES // 2, 1))
@given(data=sweep_cases(), encoding=ENCODINGS, where=st.integers(min_value=0, max_value=10**6))
def test_mutated_sweeps_are_refused_cleanly_or_run_within_their_folder(sandbox, tmp_path_factory, data, encoding,
                                                                        where):
    _fuzz_sweep(sandbox, tmp_path_factory.getbasetemp() / "fuzz" / "sweep", data, encoding, where)


@pytest.mark.slow
@DEEP
@given(case=st.tuples(*SCENARIO_CASE))
def test_many_mutated_scenarios(sandbox, tmp_path_factory, case):
    data, encoding, where, garbage = case
    _fuzz_scenario(sandbox, tmp_path_factory.getbasetemp() / "fuzz" / "scenario", data, encoding, where, garbage)


@pytest.mark.slow
@settings(DEEP, max_examples=max(DEEP_EXAMPLES // 2, 1))
@given(data=sweep_cases(), encoding=ENCODINGS, where=st.integers(min_value=0, max_value=10**6))
def test_many_mutated_sweeps(sandbox, tmp_path_factory, data, encoding, where):
    _fuzz_sweep(sandbox, tmp_path_factory.getbasetemp() / "fuzz" / "sweep", data, encoding, where)


def test_the_unmutated_files_run(sandbox, tmp_path):
    """The fuzz bases are valid, so mutations start from something that works."""
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "scenario.toml").write_text(toml_text(base_scenario()), encoding="utf-8")
    run = sandbox.run(["run", "scenario.toml", "--reps", "2", "--workers", "1", "--quiet", "--out", "out"], folder)
    assert judge(run, folder / "out") == "result", run.stderr
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "tiny.toml").write_text(toml_text(tiny_data()), encoding="utf-8")
    (folder / "sweep.toml").write_text(toml_text(base_sweep()), encoding="utf-8")
    run = sandbox.run(["sweep", "sweep.toml", "--workers", "1", "--quiet", "--out", "out"], folder)
    assert judge(run, folder / "out", "sweep") == "result", run.stderr


def base_templates() -> dict[str, Any]:
    import tomllib

    return tomllib.loads((SCENARIOS / "shifts" / "standard.toml").read_text(encoding="utf-8"))


@settings(QUICK, max_examples=max(SCENARIO_EXAMPLES, 1))
@given(data=mutations(base_templates()))
def test_mutated_shift_templates_are_refused_cleanly_or_valid(data):
    import time

    from analysis.planning.scheduling import TemplateFileError, parse_templates

    started = time.perf_counter()
    try:
        parse_templates(data)
        outcome = "valid"
    except TemplateFileError as error:
        assert error.problems and all(str(problem) for problem in error.problems)
        outcome = "refused"
    assert time.perf_counter() - started < 5.0
    OUTCOMES["shift templates"][outcome] += 1


@pytest.mark.slow
@settings(DEEP, max_examples=max(DEEP_EXAMPLES // 10, 1))
@given(data=mutations(base_templates()), encoding=ENCODINGS, where=st.integers(min_value=0, max_value=10**6))
def test_schedules_from_mutated_shift_templates(sandbox, tmp_path_factory, data, encoding, where):
    folder = _fresh(tmp_path_factory.getbasetemp() / "fuzz" / "schedule")
    (folder / "tiny.toml").write_text(toml_text(tiny_data()), encoding="utf-8")
    (folder / "shifts.toml").write_bytes(_encode(toml_text(data), encoding, where))
    out = folder / "out"
    run = sandbox.run(["schedule", "tiny.toml", "--shifts", "shifts.toml", "--method", "erlang-c", "--reps", "2",
                       "--workers", "1", "--quiet", "--max-contacts", MAX_CONTACTS, "--time-limit", "10",
                       "--out", str(out)], folder)
    outcome = judge(run, out, "schedule")
    OUTCOMES["shift templates"][outcome] += 1
    _log("schedule", outcome, run.stderr)
    assert outcome in ("refused", "result"), f"{outcome}\n--- shift templates\n{toml_text(data)[:3000]}\n--- " \
                                             f"stderr\n{run.stderr}"
