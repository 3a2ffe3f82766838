"""Studies built on many runs: sweeps, sensitivity indices, break-even, budget views."""
