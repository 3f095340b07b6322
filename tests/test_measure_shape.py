"""Measures are pieces: a measure written outside the model's core plugs into a world through
`measures.MECHANISMS` and the hooks of `measure.Measure`, and the model's own measures each say
nothing when their scenario section is absent."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from corridor_sim.model import measures, simulate, world as world_module
from corridor_sim.model.measure import Measure
from corridor_sim.model.priority import give_priority, priority_table
from corridor_sim.results.tables import replication_frames
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.schema import REGIMES

from test_model_components import exit_customs, world


@dataclass(frozen=True)
class ReleaseRecord:
    control: str
    released: int


class CountAndFavourEtir(Measure):
    """A measure a user might add: e-TIR trucks go first at every control, and each control's
    releases are counted through `on_release` into a table of the measure's own."""

    table = "releases"

    def __init__(self, world) -> None:
        self.counts: dict[str, int] = {}

    def wire(self, world, control, authorities, key) -> None:
        give_priority(control.first, regime=REGIMES.index("etir"))
        self.counts[control.name] = 0

        def released(truck, channel, detected, now, name=control.name):
            self.counts[name] += 1
        control.on_release = released

    def records(self) -> list[ReleaseRecord]:
        return [ReleaseRecord(name, n) for name, n in self.counts.items()]


def _queue_times(result) -> dict[tuple[str, int], float]:
    trucks = replication_frames(result)["trucks"]
    return {(c, int(i)): float(q) for c, i, q in zip(trucks["caravan"], trucks["index"], trucks["queue_h"])}


def test_a_measure_from_outside_the_core_plugs_in_through_the_list(monkeypatch):
    # one lane at AA's exit, 1 h checks; two paper-TIR trucks at 10:00, an e-TIR truck at 10:30:
    # the added measure lets the e-TIR truck go next (0.5 h queue instead of 1.5 h) and counts
    # the three releases at each of the two controls (AA's exit, BB's entry)
    data = world(caravans={"pair": {"trucks": 2},
                           "green": {"route": ["a", "post", "b"], "depart": "2026-01-05T10:30", "trucks": 1,
                                     "regime": "etir", "risk": "low"}},
                 **exit_customs(document={"paper_tir": "1h", "etir": "1h"}))
    scenario = build_scenario(data)
    plain = simulate(scenario, 0, 3)
    assert _queue_times(plain)[("green", 0)] == pytest.approx(1.5)
    assert "releases" not in plain.tables
    monkeypatch.setattr(world_module, "MECHANISMS", (*measures.MECHANISMS, CountAndFavourEtir))
    added = simulate(scenario, 0, 3)
    assert _queue_times(added) == pytest.approx({("pair", 0): 0.0, ("pair", 1): 2.0, ("green", 0): 0.5})
    assert [r.released for r in added.tables["releases"]] == [3, 3]


def test_without_their_sections_the_measures_leave_a_control_as_built():
    # no AEO recognition, pre-clearing, green lanes, scanners, exchange, audit or permits: no
    # control has a hook set, nobody goes first, and the tables of the measures are empty
    data = world(caravans={"pair": {"trucks": 2}},
                 customs={c: {"document": {"paper_tir": "1h"}, "etir_preclear": 0.0} for c in ("AA", "BB")})
    built = world_module.World(build_scenario(data), 0, 3)
    built.run()
    for control in built.controls.values():
        assert control.screen is None and control.before_lane is None and control.on_release is None
        assert control.first == priority_table()
        for authority in control.authorities:
            assert authority.adjust is None
            assert authority.preclear == [[0.0] * len(REGIMES)] * 2
            assert all(row[0] == row[1] for row in authority.thresholds)
    assert all(not records for records in built._result(built.finished_at).tables.values())


def test_give_priority_marks_exactly_the_classes_named():
    table = priority_table()
    give_priority(table, aeo=True)
    give_priority(table, regime=REGIMES.index("etir"))
    etir = REGIMES.index("etir")
    for aeo in (False, True):
        for r in range(len(REGIMES)):
            assert table[aeo][r] == (aeo or r == etir)
