"""Times stay Python floats in every bundled scenario.

A time taken from a numpy table or array (a retrial moved to the next
opening, a follow-up's patience) put numpy floats on SimPy's heap, and the
clock became one whenever such an event came up: the same values, several
times slower to add and compare, so runs got up to a third slower without
any result changing. This checks every number each contact carries (its
times, patience, draws) and every time waiting on the heap at the end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim.engine.model as model
from sim.config import apply_overrides, load_scenario
from sim.engine.contact import LATER_FIELDS, Contact
from sim.run import simulate

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))
FIELDS = [*Contact.__mro__[1].__slots__, *LATER_FIELDS]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_no_numpy_number_reaches_the_engine(path, monkeypatch):
    engines = []
    run = model.Engine.run

    def keep(engine):
        engines.append(engine)
        run(engine)

    monkeypatch.setattr(model.Engine, "run", keep)
    simulate(apply_overrides(load_scenario(path), {"horizon.days": 3}), seed=3, records=True)
    engine = engines[0]
    leaks = {(name, type(value).__name__) for contact in engine.contacts for name in FIELDS
             if isinstance(value := getattr(contact, name, None), np.generic)}
    assert not leaks, f"numpy numbers on contacts: {sorted(leaks)}"
    assert {type(entry[0]) for entry in engine.env._queue} <= {float}
    assert type(engine.env.now) is float
