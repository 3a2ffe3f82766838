"""The words of staffing's options (methods, scopes, rounding rules, target syntax), with no heavy imports.

The command line builds its parsers from these, so ``ccsim staff --help``
does not load SciPy and the simulator; the modules that implement each
option import their names from here.
"""

from __future__ import annotations

METHODS: tuple[str, ...] = ("erlang-c", "erlang-a", "simulation")
SCOPES: tuple[str, ...] = ("interval", "daily")
ROUNDING_RULES = ("up", "nearest")
ALL_GROUPS = "all_groups"
TARGET_SYNTAX = "sl:SHARE/SECONDS (e.g. sl:0.8/20), abandon:RATE (e.g. abandon:0.05) or asa:SECONDS (e.g. asa:30)"
