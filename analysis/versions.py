"""Versions of the software that decides a run's numbers (bit-identical reruns depend on them)."""

from __future__ import annotations

import platform
from importlib import metadata

from analysis import __version__

PINNED_PACKAGES = ("numpy", "pandas", "simpy")


def software_versions() -> dict[str, str]:
    """Python, ccsim, and the packages whose versions change random draws or arithmetic."""
    found = {"python": platform.python_version(), "ccsim": __version__}
    for package in PINNED_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
