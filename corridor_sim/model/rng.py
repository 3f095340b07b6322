"""Named random streams and block samplers.

A stream's generator is derived from (seed, replication, purpose, owner...) by hashing the
names, never from creation order: adding a node or a flow shifts no other stream, so common
random numbers hold across scenarios. Draws come from numpy in blocks.
"""
from __future__ import annotations

import hashlib

import numpy as np

from ..scenario.dists import Dist

BLOCK = 512


def _word(part: object) -> int:
    return int.from_bytes(hashlib.blake2b(str(part).encode(), digest_size=4).digest(), "little")


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The same as `SeedSequence(seed).spawn(n)[replication]` for any n > replication."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


class Streams:
    """Factory of generators named by purpose and owner inside one replication."""

    def __init__(self, root: np.random.SeedSequence):
        self.root = root

    def generator(self, *name: object) -> np.random.Generator:
        key = self.root.spawn_key + tuple(_word(p) for p in name)
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.root.entropy, spawn_key=key)))

    def sampler(self, dist: Dist, *name: object) -> "Sampler":
        if dist.is_fixed:
            return Fixed(dist.params[0])
        return Sampler(dist, self.generator(*name))

    def uniforms(self, *name: object) -> "Uniforms":
        return Uniforms(self.generator(*name))


class Fixed:
    """A constant that looks like a sampler (no generator, no draws)."""

    __slots__ = ("value",)

    def __init__(self, value: float):
        self.value = float(value)

    def __call__(self) -> float:
        return self.value


class Sampler:
    """Draws from `dist` one at a time out of blocks of BLOCK values."""

    __slots__ = ("dist", "rng", "buf", "i")

    def __init__(self, dist: Dist, rng: np.random.Generator):
        self.dist = dist
        self.rng = rng
        self.buf: list[float] = []
        self.i = 0

    def __call__(self) -> float:
        i = self.i
        if i == len(self.buf):
            self.buf = self.dist.sample(self.rng, BLOCK).tolist()
            i = 0
        self.i = i + 1
        return self.buf[i]


class Uniforms(Sampler):
    """Uniform(0, 1) draws in blocks."""

    __slots__ = ()

    def __init__(self, rng: np.random.Generator):
        super().__init__(Dist("uniform", (0.0, 1.0)), rng)

    def __call__(self) -> float:
        i = self.i
        if i == len(self.buf):
            self.buf = self.rng.random(BLOCK).tolist()
            i = 0
        self.i = i + 1
        return self.buf[i]
