"""Shift-template files: the bundled example loads; bad files name the field, the value and what is allowed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from analysis.planning.scheduling import PlanSetup, TemplateFileError, load_templates, parse_templates, template_cost

STANDARD = Path(__file__).resolve().parent.parent / "scenarios" / "shifts" / "standard.toml"

GOOD = {
    "options": {"hourly_cost": 20.0},
    "rules": {},
    "templates": [
        {"name": "early", "starts": ["07:00", "08:00"], "length_hours": 8.5,
         "breaks": [{"minutes": 30, "earliest_offset_minutes": 210, "latest_offset_minutes": 270}]},
        {"name": "late", "start_window": {"earliest": "12:00", "latest": "14:00", "step_minutes": 60},
         "length_hours": 6, "kind": "part_time", "cost_per_shift": 150.0},
    ],
}


def problems_of(data: dict) -> list[str]:
    with pytest.raises(TemplateFileError) as caught:
        parse_templates(data)
    return [str(problem) for problem in caught.value.problems]


def changed(path: list, value) -> dict:
    """GOOD with the value at ``path`` (keys and list indices) replaced; ``...`` deletes it."""
    data = copy.deepcopy(GOOD)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def test_bundled_standard_file_loads():
    template_file = load_templates(STANDARD)
    names = [template.name for template in template_file.templates]
    assert names == ["day", "evening", "short_day"]
    assert [contract.name for contract in template_file.contracts] == ["full_time", "part_time"]
    day = template_file.templates[0]
    assert day.start_minutes()[0] == 6 * 60 and day.start_minutes()[-1] == 13 * 60 + 30
    assert day.paid_minutes == 8 * 60
    assert template_cost(day, template_file.options) == pytest.approx(24.0 * 8)
    assert template_file.rules.part_time_peak is not None


def test_costs_and_limits():
    template_file = parse_templates(changed(["templates", 0, "max_count"], 12))
    setup = PlanSetup.from_file(template_file)
    assert setup.template_costs() == {"early": 20.0 * 8, "late": 150.0}
    [limit] = setup.count_limits
    assert (limit.templates, limit.minimum, limit.maximum) == (("early",), 0, 12)


BAD_FILES = [
    (["templates", 0, "starts", 1], "25:00",
     "templates[0].starts[1]: '25:00' is not a time of day (HH:MM"),
    (["templates", 0, "starts", 1], "8:00",
     "templates[0].starts[1]: '8:00' is not a time of day (HH:MM)"),
    (["templates", 0, "starts", 1], "07:00",
     "templates[0].starts[1]: '07:00' is listed twice"),
    (["templates", 1, "start_window", "latest"], "11:00",
     "templates[1].start_window.latest: '11:00' is before earliest '12:00'"),
    (["templates", 1, "start_window", "step_minutes"], 0,
     "templates[1].start_window.step_minutes: 0 is not allowed: input should be greater than 0"),
    (["templates", 0, "length_hours"], 30,
     "templates[0].length_hours: 30 is not allowed: input should be less than or equal to 24"),
    (["templates", 0, "length_hours"], 8.3333,
     "templates[0].length_hours: 8.3333 hours is not a whole number of minutes"),
    (["templates", 0, "kind"], "seasonal",
     "templates[0].kind: 'seasonal' is not allowed: input should be 'full_time' or 'part_time'"),
    (["templates", 0, "breaks", 0, "latest_offset_minutes"], 500,
     "templates[0].breaks[0].latest_offset_minutes: 500 + 30 break minutes ends after the 8.5-hour shift "
     "(at most 480)"),
    (["templates", 0, "breaks", 0, "latest_offset_minutes"], 100,
     "templates[0].breaks[0].latest_offset_minutes: 100 is before earliest_offset_minutes 210"),
    (["templates", 0, "breaks", 0, "minutes"], -5,
     "templates[0].breaks[0].minutes: -5 is not allowed: input should be greater than 0"),
    (["templates", 0, "breaks", 0, "length"], 30,
     "templates[0].breaks[0].length: unknown key (allowed: minutes, paid, earliest_offset_minutes,"),
    (["templates", 0, "start_time"], "08:00",
     "templates[0].start_time: unknown key (allowed: starts, start_window, name,"),
    (["templates", 0, "starts"], ...,
     "templates[0].starts: required, but missing"),
    (["templates", 1, "starts"], ["12:00"],
     "templates[1].start_window: give either starts or start_window, not both"),
    (["templates", 1, "name"], "early",
     "templates[1].name: 'early' is used twice; names must be unique"),
    (["templates", 1, "name"], "2nd shift",
     "templates[1].name: '2nd shift' is not a valid name"),
    (["options", "hourly_cost"], ...,
     "templates[0].cost_per_shift: required, but missing (or give hourly_cost here or options.hourly_cost)"),
    (["options", "allow_under_coverage"], True,
     "options.shortage_penalty: required when allow_under_coverage = true"),
    (["options", "max_part_time_share"], 1.5,
     "options.max_part_time_share: 1.5 is not allowed: input should be less than or equal to 1"),
    (["templates"], [],
     "templates: [] is not allowed: list should have at least 1 item"),
    (["rules", "split_shifts"], {"min_gap_minutes": 180, "max_gap_minutes": 120},
     "rules.split_shifts.max_gap_minutes: 120 is less than min_gap_minutes 180"),
    (["rules", "overtime"], {},
     "rules.overtime: unknown key (allowed: part_time_peak, split_shifts)"),
]


@pytest.mark.parametrize("path, value, expected", BAD_FILES, ids=[case[2].split(":")[0] for case in BAD_FILES])
def test_bad_fields_are_named_with_value_and_allowed(path, value, expected):
    [message] = problems_of(changed(path, value))
    assert message.startswith(expected), message


def test_min_above_max_count():
    data = changed(["templates", 1, "min_count"], 5)
    data["templates"][1]["max_count"] = 2
    assert problems_of(data) == ["templates[1].min_count: 5 is more than max_count 2"]


def test_breaks_that_cannot_avoid_each_other():
    data = changed(["templates", 0, "breaks"], [
        {"minutes": 60, "earliest_offset_minutes": 120, "latest_offset_minutes": 150},
        {"minutes": 60, "earliest_offset_minutes": 120, "latest_offset_minutes": 150},
    ])
    assert problems_of(data) == ["templates[0].breaks: no placement of these breaks within their windows "
                                 "avoids overlaps"]


def test_file_errors_name_the_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[templates]]\nname = 'a'\nstarts = ['08:00'\n", encoding="utf-8")
    with pytest.raises(TemplateFileError, match="(?s)broken.toml: 1 problem.*not valid TOML"):
        load_templates(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[[templates]]\nname = 'a'\nstarts = ['24:00']\nlength_hours = 8\ncost_per_shift = 1\n",
                     encoding="utf-8")
    with pytest.raises(TemplateFileError) as caught:
        load_templates(wrong)
    assert str(caught.value).startswith(f"{wrong}: 1 problem")
    assert str(caught.value.problems[0]).startswith("templates[0].starts[0]: '24:00' is not a time of day")
    with pytest.raises(TemplateFileError, match="cannot read"):
        load_templates(tmp_path / "missing.toml")


def test_options_can_be_changed_with_validation():
    setup = PlanSetup.from_file(parse_templates(GOOD))
    changed_setup = setup.with_options(allow_under_coverage=True, shortage_penalty=7.5)
    assert changed_setup.options.shortage_penalty == 7.5 and setup.options.shortage_penalty is None
    with pytest.raises(TemplateFileError, match="(?s)options: 1 problem.*shortage_penalty: required"):
        setup.with_options(allow_under_coverage=True)
