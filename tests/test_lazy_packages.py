"""Packages that load their modules on first use still give every public name, from the module that has it."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["analysis.calibration", "analysis.planning.staffing"])
def test_every_public_name_resolves_to_its_module(package):
    module = importlib.import_module(package)
    listed = {name for names in module._SOURCES.values() for name in names}
    assert set(module.__all__) == listed
    for source, names in module._SOURCES.items():
        defining = importlib.import_module(f"{package}.{source}")
        for name in names:
            assert getattr(module, name) is getattr(defining, name), f"{package}.{name}"
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        module.not_a_name
