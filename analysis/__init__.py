"""Everything downstream of a simulation run: metrics, runs, studies, planning, calibration, outputs, CLI."""

__version__ = "0.1.0"
