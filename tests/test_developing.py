"""DEVELOPING.md's walk-through of adding a measure runs as written: its examples are executed in
order, in one namespace, and their assertions hold."""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import corridor_sim.model.world as world_module

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = re.compile(r"<!-- example: measure -->\n```python\n(.*?)```", re.S)


@contextmanager
def measures_plus(measure):
    """The world's measures with `measure` put at the end of the list, as `model/measures.py` would."""
    before = world_module.MECHANISMS
    world_module.MECHANISMS = (*before, measure)
    try:
        yield
    finally:
        world_module.MECHANISMS = before


def test_the_walk_through_of_adding_a_measure_runs_as_written():
    blocks = EXAMPLE.findall((ROOT / "DEVELOPING.md").read_text(encoding="utf-8"))
    assert len(blocks) == 3
    namespace: dict = {"measures_plus": measures_plus, "__name__": "developing"}
    for block in blocks:
        exec(compile(block, "DEVELOPING.md", "exec"), namespace)  # noqa: S102 (the project's own document)
    assert world_module.MECHANISMS == tuple(m for m in world_module.MECHANISMS if m.__name__ != "Toll")
