"""Initiatives: investments with effects, evaluated alone and together against a baseline.

* :mod:`.spec`: the initiatives file (validated, problems with field paths).
* :mod:`.changes`: what an initiative changes in the scenario.
* :mod:`.evaluate`: variants on common random numbers, savings, customer value, workforce savings.
* :mod:`.finance`: effect ramps, ROI, payback month, NPV.
* :mod:`.outputs`: ranked table, cash flows, chart.
"""

from .evaluate import ALL, BASELINE, Evaluation, evaluate, prepare
from .spec import InitiativesFileError, InitiativesSpec, load_initiatives_file, parse_initiatives

__all__ = ["ALL", "BASELINE", "Evaluation", "InitiativesFileError", "InitiativesSpec", "evaluate",
           "load_initiatives_file", "parse_initiatives", "prepare"]
