"""``ccsim validate`` and ``ccsim schema``."""

from __future__ import annotations

import json


def register_validate(subparsers) -> None:
    validate = subparsers.add_parser("validate", help="check a scenario file without running it")
    validate.add_argument("scenario", help="scenario TOML file")
    validate.set_defaults(handler=_validate)


def register_schema(subparsers) -> None:
    schema = subparsers.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.set_defaults(handler=_schema)


def _validate(args) -> int:
    from sim.config import load_scenario

    scenario = load_scenario(args.scenario)
    groups = ", ".join(group.name for group in scenario.agent_groups)
    print(f"{args.scenario}: valid scenario {scenario.name!r} ({scenario.horizon.days} day(s), "
          f"{len(scenario.contact_types)} contact type(s), agent groups: {groups})")
    return 0


def _schema(args) -> int:
    from sim.config import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0
