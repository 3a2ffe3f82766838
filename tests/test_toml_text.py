"""The TOML writer: anything it writes reads back as the same data, comments included where asked."""

from __future__ import annotations

import math
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.outputs.toml_text import toml_document
from sim.config import load_scenario, parse_scenario

from .conftest import SCENARIOS

keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=8)
scalars = (st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=12)
           | st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=12) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=20)
documents = st.dictionaries(keys, values | st.lists(st.dictionaries(keys, values, min_size=1, max_size=3),
                                                    min_size=1, max_size=3), max_size=6)


@given(documents)
def test_any_plain_data_round_trips(data):
    assert tomllib.loads(toml_document(data)) == data


@pytest.mark.parametrize("name", ["baseline.toml", "ai_first_30.toml", "vip_tiering.toml", "outsourced_overflow.toml"])
def test_resolved_scenarios_round_trip(name):
    scenario = load_scenario(SCENARIOS / name)
    data = scenario.model_dump(mode="json", exclude_none=True)
    assert parse_scenario(tomllib.loads(toml_document(data))) == scenario


def test_comments_open_their_sections_and_small_tables_stay_inline():
    data = {"name": "x", "demand": {"volume": [1, 2]},
            "contact_types": [{"name": "billing", "handle_time": {"dist": "exponential", "mean": 300.0}}],
            "skip": None}
    text = toml_document(data, comments={"demand": ["expected arrivals"], "contact_types.billing": ["from the log"]},
                         header=["written by a test"])
    lines = text.splitlines()
    assert lines[0] == "# written by a test"
    assert lines[lines.index("[demand]") - 1] == "# expected arrivals"
    assert lines[lines.index("[[contact_types]]") - 1] == "# from the log"
    assert 'handle_time = { dist = "exponential", mean = 300.0 }' in lines
    assert "skip" not in text
    assert tomllib.loads(text) == {key: value for key, value in data.items() if value is not None}


def test_float_digits_round_for_reading_and_nan_is_refused():
    text = toml_document({"a": 0.123456789, "b": 0.0000123456789, "c": math.inf}, float_digits=4)
    assert tomllib.loads(text) == {"a": 0.1235, "b": 1.235e-05, "c": math.inf}
    with pytest.raises(ValueError, match="NaN"):
        toml_document({"a": math.nan})
