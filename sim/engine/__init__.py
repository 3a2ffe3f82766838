"""The simulation engine (SimPy event loop, agent pools, queues)."""

from .model import Engine

__all__ = ["Engine"]
