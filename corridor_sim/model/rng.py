"""Named random streams and block samplers.

A stream's generator is derived from (seed, replication, purpose, owner...) by hashing the
names, never from creation order: adding a node or a flow shifts no other stream, so common
random numbers hold across scenarios. Draws come from numpy in blocks.

Draws that belong to a truck (its speed on a link, its document time, channel and inspection
at a control, ...) come from `PerTruck` tables: the truck with index k in its flow takes row k,
whenever it gets there and whatever the other trucks did. Rows are drawn in blocks, each block
from a generator keyed by (purpose, place, flow, block number), so any row can be reached
without drawing the rows before it in another order.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np

from ..scenario.dists import Dist

BLOCK = 512
SHIFT = 9  # BLOCK == 1 << SHIFT
MASK = BLOCK - 1


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

    def sampler(self, dist: Dist, *name: object) -> "Sampler | Fixed":
        if dist.is_fixed:
            return Fixed(dist.params[0])
        return Sampler(dist, self.generator(*name))

    def uniforms(self, *name: object) -> "Uniforms":
        return Uniforms(self.generator(*name))

    def uniform_rows(self, width: int, *name: object) -> "UniformRows":
        return UniformRows(self.generator(*name), width)

    def per_truck(self, make_block: Callable[[np.random.Generator, int], Any], groups: list[str],
                  *name: object) -> "PerTruck":
        return PerTruck(self, make_block, groups, name)

    def per_truck_values(self, dist: Dist, groups: list[str], *name: object) -> "PerTruck | FixedPerTruck":
        """One value of `dist` per truck (a constant needs no draws)."""
        if dist.is_fixed:
            return FixedPerTruck(dist.params[0])
        return PerTruck(self, lambda rng, n: dist.sample(rng, n).tolist(), groups, name)


class PerTruck:
    """Row `index` of a table of draws for each group (flow or caravan), made in blocks.

    `make_block(rng, n)` returns a block of n rows (a list of values, or any object with
    columns); `locate` gives the block and the row's place in it, `value` the row of a list.
    A block is dropped once each of its rows has been taken; a row asked for again is the
    same row (the block is made again from its key).
    """

    __slots__ = ("streams", "make_block", "groups", "name", "blocks")

    def __init__(self, streams: Streams, make_block: Callable[[np.random.Generator, int], Any],
                 groups: list[str], name: tuple):
        self.streams = streams
        self.make_block = make_block
        self.groups = groups
        self.name = name
        self.blocks: dict[tuple[int, int], list] = {}  # key -> [block, rows taken]

    def locate(self, group: int, index: int) -> tuple[Any, int]:
        key = (group, index >> SHIFT)
        entry = self.blocks.get(key)
        if entry is None:
            rng = self.streams.generator(*self.name, self.groups[group], key[1])
            entry = self.blocks[key] = [self.make_block(rng, BLOCK), 0]
        entry[1] += 1
        if entry[1] == BLOCK:
            del self.blocks[key]
        return entry[0], index & MASK

    def value(self, group: int, index: int) -> Any:
        block, i = self.locate(group, index)
        return block[i]


class FixedPerTruck:
    """A constant that looks like a per-truck table."""

    __slots__ = ("constant",)

    def __init__(self, value: float):
        self.constant = float(value)

    def value(self, group: int, index: int) -> float:
        return self.constant


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


class UniformRows:
    """Rows of `width` Uniform(0, 1) draws, one row a call, out of blocks."""

    __slots__ = ("rng", "width", "buf", "i")

    def __init__(self, rng: np.random.Generator, width: int):
        self.rng = rng
        self.width = width
        self.buf: list[list[float]] = []
        self.i = 0

    def __call__(self) -> list[float]:
        i = self.i
        if i == len(self.buf):
            self.buf = self.rng.random((BLOCK, self.width)).tolist()
            i = 0
        self.i = i + 1
        return self.buf[i]
