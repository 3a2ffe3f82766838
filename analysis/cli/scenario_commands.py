"""``ccsim validate`` and ``ccsim schema``."""

from __future__ import annotations

import json


def register_validate(subparsers) -> None:
    validate = subparsers.add_parser(
        "validate", help="check a scenario file without running it and estimate the size of one replication",
        description="Check a scenario file (schema, referenced files, cross-field rules) without running it, "
                    "print the estimated contacts, events and memory of one replication, which commands "
                    "that simulate compare with --max-contacts before they start, and list the defaults the "
                    "scenario relies on that drive comparisons (first-contact resolution, satisfaction scores, "
                    "the AI's false containment and automatable share, complaint chances).")
    validate.add_argument("scenario", help="scenario TOML file")
    validate.set_defaults(handler=_validate)


def register_schema(subparsers) -> None:
    schema = subparsers.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.set_defaults(handler=_schema)


def _validate(args) -> int:
    from sim.config import load_scenario
    from sim.config.defaults import assumed_defaults
    from sim.limits import DEFAULT_MAX_CONTACTS, estimate_run

    scenario = load_scenario(args.scenario)
    groups = ", ".join(group.name for group in scenario.agent_groups)
    print(f"{args.scenario}: valid scenario {scenario.name!r} ({scenario.horizon.days} day(s), "
          f"{len(scenario.contact_types)} contact type(s), agent groups: {groups})")
    estimate = estimate_run(scenario)
    print(f"estimated size: {estimate.describe()}")
    if estimate.contacts > DEFAULT_MAX_CONTACTS:
        print(f"note: above the default limit of {DEFAULT_MAX_CONTACTS:,} contacts per replication: "
              f"runs need --max-contacts {int(estimate.contacts) + 1}")
    defaults = assumed_defaults(scenario)
    if defaults:
        print("defaults it relies on that drive comparisons (state your own values to change them):")
        for default in defaults:
            print(f"  {default.line()}")
    return 0


def _schema(args) -> int:
    from sim.config import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0
