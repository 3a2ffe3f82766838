"""Scenario validation: good files load, bad ones are reported with path, value and what is allowed."""

from __future__ import annotations

import json

import pytest

from analysis.outputs.toml_text import toml_document
from sim.config import ScenarioError, apply_overrides, get_value, load_scenario, parse_scenario, scenario_json_schema
from sim.config.distributions import Gamma, Lognormal

from .conftest import SCENARIOS, small_data


def problems_of(data: dict, base_dir=None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, base_dir=base_dir)
    return [str(problem) for problem in caught.value.problems]


BUNDLED = sorted(SCENARIOS.glob("*.toml")) + sorted((SCENARIOS / "validation").glob("*.toml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_are_valid(path):
    scenario = load_scenario(path)
    assert scenario.contact_types


def test_defaults_fill_in():
    scenario = parse_scenario(small_data())
    assert scenario.service_level.threshold_seconds == 20
    assert [segment.name for segment in scenario.segments] == ["standard"]
    assert scenario.agent_groups[1].skills == {"tech": 1}  # a list means equal priority


def test_unknown_key_lists_allowed_keys():
    data = small_data()
    data["horizon"]["colse"] = "20:00"
    [message] = problems_of(data)
    assert message.startswith("horizon.colse: unknown key (allowed: days, interval_minutes, open, close,")


def test_bad_time_of_day_names_field_and_value():
    data = small_data()
    del data["agent_groups"][1]["headcount"]
    data["agent_groups"][1]["shifts"] = [{"start": "25:00", "length_hours": 8}]
    assert problems_of(data) == [
        "agent_groups[1].shifts[0].start: '25:00' is not a time of day (HH:MM, 00:00 to 24:00)"]


def test_out_of_range_and_literal_values_say_what_is_allowed():
    data = small_data()
    data["horizon"]["interval_minutes"] = 45
    data["contact_types"][0]["handle_time"]["mean"] = -2
    messages = problems_of(data)
    assert "horizon.interval_minutes: 45 is not allowed: input should be 15, 30 or 60" in messages
    assert "contact_types[0].handle_time.mean: -2 is not allowed: input should be greater than 0" in messages


def test_unknown_distribution_family():
    data = small_data()
    data["contact_types"][0]["patience"] = {"dist": "normal", "mean": 3, "unit": "min"}
    [message] = problems_of(data)
    assert message.startswith("contact_types[0].patience: ")
    assert "'normal'" in message and "'lognormal'" in message


def test_unit_is_required():
    data = small_data()
    del data["contact_types"][0]["handle_time"]["unit"]
    assert problems_of(data) == ["contact_types[0].handle_time.unit: required, but missing"]


def test_lognormal_needs_one_parameterisation():
    data = small_data()
    data["contact_types"][1]["handle_time"] = {"dist": "lognormal", "mean": 6, "mu": 1, "unit": "min"}
    [message] = problems_of(data)
    assert message.startswith("contact_types[1].handle_time: lognormal takes either mean and sd or mu and sigma")


def test_cross_field_problems_are_all_reported():
    data = small_data()
    data["contact_types"][0]["share"] = 0.7
    data["agent_groups"][0]["skills"] = {"billing": 1, "bogus": 2}
    data["agent_groups"][1]["headcount"] = [1, 2]
    data["demand"]["volume"] = [1, 2, 3]
    messages = problems_of(data)
    assert any(m.startswith("contact_types: contact type shares add up to 1.1") for m in messages)
    assert "agent_groups[0].skills.bogus: 'bogus' is not a contact type (known: billing, tech)" in messages
    assert ("agent_groups[1].headcount: has 2 entries; expected 24 (whole day) or 4 (opening hours) "
            "for 60-minute intervals") in messages
    assert any(m.startswith("demand.volume: has 3 entries") for m in messages)


def test_unserved_type_and_duplicate_names():
    data = small_data()
    data["agent_groups"] = [data["agent_groups"][0] | {"skills": ["billing"]},
                            data["agent_groups"][0] | {"skills": ["billing"]}]
    messages = problems_of(data)
    assert "agent_groups[1].name: 'front' is used twice; names must be unique" in messages
    assert ("contact_types[1].name: 'tech' is not served by any agent group or vendor "
            "(add it to some non-dedicated group's or vendor's skills)") in messages


def test_staffing_needs_exactly_one_source():
    data = small_data()
    data["agent_groups"][0]["shifts"] = [{"start": "08:00", "length_hours": 4}]
    [message] = problems_of(data)
    assert message.startswith("agent_groups[0]: agent group staffing needs exactly one of")


def test_break_outside_shift():
    data = small_data()
    del data["agent_groups"][0]["headcount"]
    data["agent_groups"][0]["shifts"] = [{"start": "08:00", "length_hours": 4,
                                          "breaks": [{"start": "11:45", "minutes": 30}]}]
    [message] = problems_of(data)
    assert message.startswith("agent_groups[0].shifts[0].breaks[0]: break 11:45 for 30 min does not fit")


def test_retrial_requires_delay():
    data = small_data(retrial={"probability": 0.2})
    [message] = problems_of(data)
    assert message == "retrial: retrial.delay is required when retrial.probability > 0"


def test_opening_hours_must_sit_on_the_interval_grid():
    data = small_data()
    data["horizon"]["open"] = "08:15"
    assert "horizon.open: '08:15' is not a multiple of the 60-minute interval" in problems_of(data)


def test_files_are_read_and_inlined(tmp_path):
    (tmp_path / "volume.csv").write_text("interval,volume,contact_type\n08:00,10,billing\n08:00,5,tech\n"
                                         "09:00,12,billing\n")
    (tmp_path / "roster.csv").write_text("name,start,length_hours,count,unpaid_breaks,paid_breaks\n"
                                         "early,08:00,4,3,,09:30/15\nlate,10:00,2,2,10:30/30,\n")
    (tmp_path / "samples.csv").write_text("seconds\n100\n200\n300\n")
    data = small_data()
    data["demand"] = {"volume_file": "volume.csv"}
    for contact_type in data["contact_types"]:
        del contact_type["share"]
    data["contact_types"][0]["handle_time"] = {"dist": "empirical", "file": "samples.csv", "unit": "s"}
    data["agent_groups"][0] = {"name": "front", "skills": ["billing", "tech"], "roster_file": "roster.csv"}
    scenario = parse_scenario(data, base_dir=tmp_path)
    assert scenario.demand.volume_file is None and len(scenario.demand.rows) == 3
    assert scenario.contact_types[0].handle_time.values == [100, 200, 300]
    shifts = scenario.agent_groups[0].shifts
    assert [(s.name, s.start, s.count) for s in shifts] == [("early", "08:00", 3), ("late", "10:00", 2)]
    assert shifts[0].breaks[0].paid and not shifts[1].breaks[0].paid
    # A resolved scenario is self-contained: its dump loads again without the files.
    assert parse_scenario(json.loads(json.dumps(scenario.model_dump(mode="json")))) == scenario


def test_bad_file_rows_name_file_and_line(tmp_path):
    (tmp_path / "volume.csv").write_text("interval,volume\n08:00,10\n09:00,lots\n")
    data = small_data()
    data["demand"] = {"volume_file": "volume.csv"}
    assert problems_of(data, tmp_path) == [
        "demand.volume_file: volume.csv line 3, column volume: 'lots' is not a number"]
    (tmp_path / "volume.csv").write_text("interval,volume\n08:00,10\n29:00,3\n")
    assert problems_of(data, tmp_path) == [
        "demand.volume_file: volume.csv line 3, interval: '29:00' is not a time of day (HH:MM, 00:00 to 24:00)"]
    data["demand"] = {"volume_file": "missing.csv"}
    [message] = problems_of(data, tmp_path)
    assert message.startswith("demand.volume_file: cannot read") and "missing.csv" in message


def test_toml_syntax_error_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = 'x'\n[horizon\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(path)


def test_units_convert_to_seconds():
    lognormal = Lognormal(dist="lognormal", mean=6, sd=3, unit="min")
    assert lognormal.mean_seconds() == pytest.approx(360)
    assert Gamma(dist="gamma", mean=2, sd=1, unit="h").in_seconds().shape_scale() == pytest.approx((4, 1800))


def test_overrides_by_index_and_by_name():
    scenario = parse_scenario(small_data())
    changed = apply_overrides(scenario, {"horizon.days": 3, "agent_groups.back.wage_per_hour": 30,
                                         "contact_types[0].handle_time.mean": 5})
    assert changed.horizon.days == 3
    assert get_value(changed, "agent_groups[1].wage_per_hour") == 30
    assert get_value(changed, "contact_types.billing.handle_time.mean") == 5
    assert scenario.horizon.days == 1  # the original is untouched


def test_bad_overrides_are_reported():
    scenario = parse_scenario(small_data())
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(scenario, {"agent_groups.nobody.wage_per_hour": 1, "horizon.days": 0})
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "agent_groups.nobody.wage_per_hour: cannot override: no item named 'nobody' (names: front, back)"]
    with pytest.raises(ScenarioError, match="horizon.days: 0 is not allowed"):
        apply_overrides(scenario, {"horizon.days": 0})


def test_json_schema_describes_the_format():
    schema = scenario_json_schema()
    assert schema["title"] == "Scenario"
    assert {"demand", "contact_types"} <= set(schema["required"])
    assert {"agent_groups", "ai", "vendors", "routing", "satisfaction", "value"} <= set(schema["properties"])
    assert "horizon" in schema["properties"]
    json.dumps(schema)


def test_mixture_distribution_and_errors_inside_it():
    data = small_data()
    short = {"dist": "uniform", "low": 0, "high": 10, "unit": "s"}
    body = {"dist": "lognormal", "mean": 5, "sd": 2, "unit": "min"}
    data["contact_types"][0]["handle_time"] = {"dist": "mixture", "components": [
        {"weight": 1, "distribution": short}, {"weight": 3, "distribution": body}]}
    scenario = parse_scenario(data)
    assert scenario.contact_types[0].handle_time.mean_seconds() == pytest.approx((5 + 3 * 300) / 4)
    data["contact_types"][0]["handle_time"]["components"][1]["distribution"]["sd"] = -1
    assert problems_of(data) == ["contact_types[0].handle_time.components[1].distribution.sd: -1 is not allowed: "
                                 "input should be greater than 0"]


def test_segment_shares_per_contact_type():
    data = small_data(segments=[{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2}])
    data["contact_types"][1]["segment_shares"] = {"standard": 0.5, "vipp": 0.4}
    messages = problems_of(data)
    assert "contact_types[1].segment_shares.vipp: 'vipp' is not a segment (known: standard, vip)" in messages
    assert "contact_types[1].segment_shares: standard=0.5, vipp=0.4 must be non-negative and add up to 1" in messages


def test_extends_merges_named_tables_but_replaces_the_routing_list(tmp_path):
    data = small_data(routing=[{"name": "first", "to": "inhouse", "contact_types": ["billing"]}])
    data["agent_groups"][1]["dedicated"] = True
    (tmp_path / "base.toml").write_text(toml_document(data))
    (tmp_path / "variant.toml").write_text(
        'extends = "base.toml"\nname = "variant"\n'
        'routing = [{ name = "second", to = "back", contact_types = ["tech"] }, { name = "first", to = "inhouse" }]\n'
        '[[agent_groups]]\nname = "back"\nwage_per_hour = 25\n')
    variant = load_scenario(tmp_path / "variant.toml")
    # Named tables still merge item by item ...
    back = next(group for group in variant.agent_groups if group.name == "back")
    assert back.wage_per_hour == 25 and back.skills == {"tech": 1}
    # ... but order is meaning for routing: the variant's list is taken whole, not merged by name.
    assert [rule.name for rule in variant.routing] == ["second", "first"]
    assert variant.routing[1].contact_types is None


def test_bundled_vip_tiering_routes_vips_before_the_ai():
    scenario = load_scenario(SCENARIOS / "vip_tiering.toml")
    assert [rule.name for rule in scenario.routing] == ["vip_desk", "ai_first"]
