"""Named random streams: one numpy Generator per random source.

Each stream is seeded from ``SeedSequence(seed, spawn_key=(replication, key(name)))``
where ``key`` is a stable hash of the stream's name. So a stream depends only
on (seed, replication, name): the same seed reproduces a run bit for bit,
replications are independent whatever process runs them, and two scenarios
that differ only in staffing draw identical customers (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "little")


class RandomStreams:
    """Factory of independent generators for one replication."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative")
        self.seed = seed
        self.replication = replication
        self._streams: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator for ``name`` (created on first use, then reused)."""
        generator = self._streams.get(name)
        if generator is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, stream_key(name)))
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = generator
        return generator


class BufferedDraws:
    """Scalar draws from a vectorised sampler, refilled in blocks for speed.

    Used for quantities drawn one at a time during the run (retrial delays,
    decisions); the block size is fixed, so runs stay reproducible.
    """

    __slots__ = ("_generator", "_sampler", "_block", "_buffer", "_position")

    def __init__(self, generator: np.random.Generator, sampler, block: int = 1024) -> None:
        self._generator = generator
        self._sampler = sampler
        self._block = block
        self._buffer: list[float] = []
        self._position = 0

    def next(self) -> float:
        if self._position >= len(self._buffer):
            self._buffer = self._sampler(self._generator, self._block).tolist()
            self._position = 0
        value = self._buffer[self._position]
        self._position += 1
        return value
