"""Packages whose public names load their modules on first use (PEP 562).

A package lists which of its modules defines each name; importing the
package then costs nothing, and the command line can read a light module of
it (option words, defaults) without loading pandas, SciPy or the simulator.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, namespace: dict[str, Any],
                    sources: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: a name of ``sources`` (module -> the names it defines) is
    imported from its module when first asked for and kept in ``namespace`` (the package's globals)."""
    module_of = {name: module for module, names in sources.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    return __getattr__
