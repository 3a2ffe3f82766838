"""Defaults that drive comparisons: the in-house FCR is the industry's, and what a scenario leaves out is listed."""

from __future__ import annotations

from analysis.cli import main
from sim.config import load_scenario, parse_scenario
from sim.config.agent_groups import INDUSTRY_FIRST_CONTACT_RESOLUTION
from sim.config.defaults import assumed_defaults

from .conftest import small_data

AI = {"capacity": 10, "session_time": {"dist": "exponential", "mean": 2, "unit": "min"},
      "contact_types": {"billing": {"containment": 0.6, "escalation": 0.3}}}
VENDOR = {"name": "bpo", "skills": ["billing"], "seats": 3, "satisfaction": 70,
          "price": {"model": "per_contact", "rate": 3.0}}


def paths(scenario) -> list[str]:
    return [default.path for default in assumed_defaults(scenario)]


def test_in_house_resolution_defaults_to_the_industry_average_not_to_perfection():
    data = small_data()
    del data["agent_groups"][0]["first_contact_resolution"]
    scenario = parse_scenario(data)
    assert scenario.agent_groups[0].first_contact_resolution == INDUSTRY_FIRST_CONTACT_RESOLUTION == 0.70
    listed = paths(scenario)
    assert "agent_groups[0].first_contact_resolution" in listed
    assert "agent_groups[1].first_contact_resolution" not in listed   # stated in the data
    assert "repeat_contacts" in listed   # how unresolved customers come back is assumed too
    assert "satisfaction.inhouse" in listed and "satisfaction.ai" not in listed   # no AI: its score cannot matter


def test_channels_list_their_own_defaults_and_stated_values_are_not_listed():
    data = small_data(ai=AI, vendors=[VENDOR], satisfaction={"inhouse": 88, "ai": 75})
    scenario = parse_scenario(data)
    listed = paths(scenario)
    assert "ai.contact_types.billing.false_containment" in listed
    assert "vendors[0].first_contact_resolution" in listed
    assert "satisfaction.escalation_penalty" in listed
    assert not {"satisfaction.inhouse", "satisfaction.ai", "satisfaction.vendor"} & set(listed)
    line = next(d for d in assumed_defaults(scenario) if "false_containment" in d.path).line()
    assert line.startswith("ai.contact_types.billing.false_containment = 0.0: billing:")


def test_a_value_stated_in_a_base_file_counts_as_stated(tmp_path):
    (tmp_path / "base.toml").write_text(
        'name = "base"\n[horizon]\nopen = "08:00"\nclose = "10:00"\n[demand]\nvolume = [10, 10, 10, 10]\n'
        '[[contact_types]]\nname = "calls"\nhandle_time = { dist = "exponential", mean = 3, unit = "min" }\n'
        '[[agent_groups]]\nname = "team"\nskills = ["calls"]\nheadcount = [2, 2, 2, 2]\n'
        'first_contact_resolution = 0.8\n')
    (tmp_path / "variant.toml").write_text('extends = "base.toml"\nname = "variant"\n')
    variant = load_scenario(tmp_path / "variant.toml")
    assert variant.agent_groups[0].first_contact_resolution == 0.8
    assert "agent_groups[0].first_contact_resolution" not in paths(variant)


def test_validate_prints_the_defaults_relied_on(tmp_path, capsys):
    path = tmp_path / "lean.toml"
    path.write_text('name = "lean"\n[horizon]\nopen = "08:00"\nclose = "10:00"\n[demand]\nvolume = [10, 10, 10, 10]\n'
                    '[[contact_types]]\nname = "calls"\n'
                    'handle_time = { dist = "exponential", mean = 3, unit = "min" }\n'
                    '[[agent_groups]]\nname = "team"\nskills = ["calls"]\nheadcount = [2, 2, 2, 2]\n')
    assert main(["validate", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "defaults it relies on that drive comparisons" in printed
    assert "agent_groups[0].first_contact_resolution = 0.7: team:" in printed
