"""Ferries: vessels alternate between the ports, departure rules, storms, priority on board."""
from __future__ import annotations

import datetime as dt
from typing import Generator

import numpy as np
import pandas as pd
import pytest

from corridor_sim.model import simulate
from corridor_sim.model.ferry import Ferry
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny

START = dt.datetime(2026, 1, 5)


def ferry_world(link: dict, per_day: float = 20, days: int = 60, both_ways: bool = True, **traffic) -> dict:
    """Two ports with instant customs; Poisson trucks west -> east (and east -> west)."""
    none = {r: 0 for r in REGIMES}
    data = tiny()
    data.update({
        "clock": {"start": START.isoformat(), "horizon": f"{days}d", "warmup": "0h"},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": none, "document_error": none, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"west": {"kind": "port", "country": "AA", "lanes": 100},
                  "east": {"kind": "port", "country": "BB", "lanes": 100}},
        "links": {"west -> east": {"mode": "ferry", **link}},
        "traffic": {"eastbound": {"route": ["west", "east"], "per_day": per_day, **traffic}},
    })
    if both_ways:
        data["traffic"]["westbound"] = {"route": ["east", "west"], "per_day": per_day, **traffic}
    return data


def boardings(result) -> pd.DataFrame:
    trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
    return trace[trace["event"] == "board"]


def test_one_vessel_alternates_between_the_ports():
    data = ferry_world({"vessels": 1, "capacity": 500, "sailing": "10h", "departs": {"every": "24h"}})
    board = boardings(simulate(build_scenario(data), 0, trace=True))
    # one vessel starts at west (the link's first port): west at 0, 48, 96 h..., east at 24, 72 h...
    for port, first in (("west", 0.0), ("east", 24.0)):
        times = np.sort(board.loc[board["node"] == port, "time_h"].unique())
        assert len(times) > 20
        np.testing.assert_allclose((times - first) % 48.0, 0.0, atol=1e-9)


def test_two_vessels_serve_each_port_on_every_slot():
    data = ferry_world({"vessels": 2, "capacity": 500, "sailing": "10h", "departs": {"every": "24h"}})
    result = simulate(build_scenario(data), 0, trace=True)
    board = boardings(result)
    for port in ("west", "east"):
        times = np.sort(board.loc[board["node"] == port, "time_h"].unique())
        np.testing.assert_allclose(np.diff(times), 24.0)
    t = result.trucks
    np.testing.assert_allclose(t["ferry_sail_h"], 10.0)
    assert (t["ferry_wait_h"] < 24.0 + 1e-9).all()


def test_when_full_sails_full_until_the_drain():
    capacity = 12
    data = ferry_world({"vessels": 2, "capacity": capacity, "sailing": "6h", "departs": {"when_full": True}})
    result = simulate(build_scenario(data), 0, trace=True)
    board = boardings(result)
    drain = result.trucks["depart_h"].max()  # the last departure: no truck will come after it
    loads = board[board["time_h"] < drain].groupby(["node", "time_h"]).size()
    assert len(loads) > 100
    assert (loads % capacity == 0).all()  # full (two vessels may leave together)
    # after the drain the rest go part-full, and every truck arrives
    assert (board["time_h"] >= drain).any()
    assert result.created == result.arrived


def test_when_full_or_after_waits_no_longer_than_the_deadline():
    data = ferry_world({"vessels": 1, "capacity": 1000, "sailing": "5h", "departs": {"when_full_or_after": "30h"}},
                       per_day=4)
    board = boardings(simulate(build_scenario(data), 0, trace=True))
    # never full: the vessel leaves each port 30 h after it is ready there, and sails 5 h
    for port, first in (("west", 30.0), ("east", 30.0 + 5 + 30)):
        times = np.sort(board.loc[board["node"] == port, "time_h"].unique())
        assert times[0] == pytest.approx(first)
        np.testing.assert_allclose(np.diff(times), 2 * (30 + 5))


def record_storms(monkeypatch) -> list[tuple[float, float]]:
    """Wrap Ferry.storms to note every storm as (start, end of the closure) when it begins."""
    spans: list[tuple[float, float]] = []
    original = Ferry.storms

    def spying(self, streams) -> Generator:
        inner = original(self, streams)
        value = None
        while True:
            before = self.storm_until
            try:
                event = inner.send(value)
            except StopIteration:
                return
            if self.storm_until != before:
                spans.append((self.env.now, self.storm_until))
            value = yield event

    monkeypatch.setattr(Ferry, "storms", spying)
    return spans


def test_no_sailing_departs_during_a_storm(monkeypatch):
    spans = record_storms(monkeypatch)
    data = ferry_world({"vessels": 2, "capacity": 500, "sailing": "10h", "departs": {"every": "24h"},
                        "storms": {"per_year": 50, "duration": {"dist": "uniform", "min": "1d", "max": "3d"}}},
                       days=150)
    result = simulate(build_scenario(data), 0, trace=True)
    departures = np.sort(boardings(result)["time_h"].unique())
    assert len(spans) > 10
    for start, end in spans:
        assert not ((departures > start + 1e-9) & (departures < end - 1e-9)).any(), (start, end)
    # storms did hold sailings back: some left at a storm's end, off the 24 h timetable
    ends = np.array([end for _, end in spans])
    delayed = departures[np.abs((departures + 12) % 24 - 12) > 1e-6]
    assert len(delayed) > 0
    assert all(np.isclose(ends, d).any() for d in delayed)
    assert all(row.storm_hours > 24 for row in result.ferries)
    assert result.trucks["ferry_wait_h"].max() > 24


def test_storms_start_only_in_their_months(monkeypatch):
    spans = record_storms(monkeypatch)
    data = ferry_world({"vessels": 1, "capacity": 500, "sailing": "10h", "departs": {"every": "24h"},
                        "storms": {"per_year": 20, "duration": "1d", "months": [2]}},
                       days=120, per_day=2)
    simulate(build_scenario(data), 0)
    months = {(START + dt.timedelta(hours=start)).month for start, _ in spans}
    assert months == {2}
    assert len(spans) >= 2  # about 20 in February


def test_recognised_aeo_trucks_board_first():
    data = ferry_world({"vessels": 1, "capacity": 10, "sailing": "8h", "departs": {"every": "24h"}},
                       per_day=9, days=60, aeo=0.3)  # 18 a day on 10 places every 48 h: a queue builds
    data["customs"]["AA"] = {"recognises_aeo": True, "aeo_priority_lane": True}
    t = simulate(build_scenario(data), 0).trucks
    east = t["group"] == 0  # eastbound boards at west (AA), where AEO status is recognised
    west = ~east
    aeo = t["aeo"].astype(bool)
    assert t["ferry_wait_h"][east & aeo].mean() < 0.5 * t["ferry_wait_h"][east & ~aeo].mean()
    # at east (BB) it is not: no advantage beyond noise
    assert t["ferry_wait_h"][west & aeo].mean() > 0.7 * t["ferry_wait_h"][west & ~aeo].mean()


def test_the_last_counted_trucks_find_the_ferries_of_a_normal_day():
    """After the horizon the flows go on, no longer counted, while a counted truck is still due at
    their ferry link: the vessel that left with the last counted trucks comes back full from the
    other side, as on any other day, instead of waiting up to the rule's limit (240 h here) for
    trucks that no longer come; so a measure's saving does not hang on how the run ends."""
    data = ferry_world({"vessels": 1, "capacity": 40, "sailing": "4h", "departs": {"when_full_or_after": "240h"}},
                       per_day=40, days=20)
    result = simulate(build_scenario(data), 0)
    trucks = pd.DataFrame(result.trucks)
    horizon = 20 * 24.0
    assert trucks["depart_h"].max() < horizon  # the trucks that leave after it are not counted
    late = trucks[trucks["depart_h"] >= horizon - 48]
    early = trucks[trucks["depart_h"] < horizon - 48]
    assert len(late) > 50
    # a vessel takes 40 trucks a day each way: a day's wait at most, at the end as before it
    assert late["ferry_wait_h"].max() < 60
    assert late["ferry_wait_h"].mean() < 2 * early["ferry_wait_h"].mean()
