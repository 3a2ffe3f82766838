"""Parameter sweeps: a sweep file, its design, variants run on common random numbers, resumable results.

Modules: :mod:`.spec` (the sweep file), :mod:`.design` (variants),
:mod:`.variants` (validated scenarios), :mod:`.tasks` (one replication),
:mod:`.runner` (running and resuming), :mod:`.journal` (files on disk),
:mod:`.outputs` (budget, frontier and sensitivity files).
Nothing is imported here, so worker processes that only need
:mod:`.tasks` start quickly.

>>> from analysis.sweep.spec import load_sweep_file  # doctest: +SKIP
>>> from analysis.sweep.runner import run_sweep  # doctest: +SKIP
>>> outcome = run_sweep(load_sweep_file("scenarios/sweeps/baseline_budget.toml"), "results/budget")  # doctest: +SKIP
"""
