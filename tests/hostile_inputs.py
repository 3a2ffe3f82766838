"""Helpers for the hardening tests: scenario and sweep data written as TOML, and a clean-refusal check.

The writer handles what a hostile file may hold and the project's own
writer refuses (NaN), using only inline tables so any nesting depth can be
written.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from analysis.cli import main

from .test_experiments_common import TINY_SCENARIO

# "error: SOURCE: N problem(s) in WHAT" then one "  path: message" line per problem.
ERROR_HEADER = re.compile(r"^error: .*\d+ problems? in [a-z ]+\n", re.MULTILINE)


def tiny_data() -> dict[str, Any]:
    """The tiny one-day scenario of the experiment tests, as plain data."""
    return tomllib.loads(TINY_SCENARIO)


class RawToml(str):
    """TOML text written as is (e.g. nesting deeper than a recursive writer could go)."""


def toml_value(value: Any) -> str:
    if isinstance(value, RawToml):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(type(value))


def toml_text(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(str(key))} = {toml_value(value)}\n" for key, value in data.items())


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(toml_text(data), encoding="utf-8")
    return path


def assert_refused(argv: list[str], out: Path, capsys, *fragments: str) -> str:
    """Run the command line; it must exit 2 with an ``error:`` naming every fragment, and write nothing."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err and "internal error" not in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert not out.exists(), f"{out} was written by a refused run"
    return err
