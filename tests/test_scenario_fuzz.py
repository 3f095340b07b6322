"""Random damage to valid scenarios: the loader either loads or raises ScenarioError, never anything else.

The draws are derandomized (the same examples on every run, no example database), so a failure
here is a failure on every run and on every machine; cases once found by chance are `@example`s.
"""
from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corridor_sim.errors import ScenarioError
from corridor_sim.scenario import Scenario, load_scenario
from corridor_sim.scenario.loader import build_scenario
from conftest import tiny

RICH: dict[str, Any] = {
    "name": "rich",
    "description": "every section, for mutation",
    "sources": {"made_up": "test data"},
    "clock": {"start": "2026-01-05T00:00", "horizon": "20d", "warmup": "2d"},
    "experiment": {"replications": 2, "seed": 7},
    "drivers": {"rules": "aetr", "crew": "single", "speed_kmh": {"dist": "lognormal", "mean": 55, "cv": 0.15}},
    "risk_classes": {"low": {"noncompliance": 0.01}, "high": {"noncompliance": 0.1}},
    "customs": {
        "default": {
            "document": {"paper_tir": {"dist": "lognormal", "mean": "30min", "cv": 0.5}, "etir": "6min", "national": "90min"},
            "document_error": {"paper_tir": 0.05, "etir": 0.005, "national": 0.05},
            "error_delay": {"dist": "gamma", "mean": "2h", "cv": 1},
            "channels": {"low": {"yellow": 0.1, "red": 0.02}, "high": {"yellow": 0.3, "red": 0.2}},
            "yellow_check": {"dist": "triangular", "min": "30min", "mode": "2h", "max": "4h"},
            "inspection": {"dist": "uniform", "min": "2h", "max": "8h"},
            "detection": 0.9,
            "aeo_factor": 0.2,
        },
        "BB": {"recognises_aeo": True, "aeo_priority_lane": True, "etir_preclear": 0.5},
    },
    "nodes": {
        "origin": {"kind": "terminal", "country": "AA", "lat": 44.0, "lon": 80.0},
        "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 3, "inspection_bays": 2,
                 "hours": "Mon-Fri 08:00-20:00; Sat 09:00-13:00", "holidays": ["2026-01-07", "2026-01-10..2026-01-11"],
                 "controls": {"BB": {"lanes": 4, "entry": {"hours": "24/7"}}}},
        "port_b": {"kind": "port", "country": "BB", "lanes": 2, "handling": {"dist": "exponential", "mean": "20min"}},
        "port_c": {"kind": "port", "country": "CC"},
        "joint": {"kind": "bcp", "border": ["CC", "DD"], "joint_control": True},
        "destination": {"kind": "terminal", "country": "DD"},
    },
    "links": {
        "origin -> post": {"km": 300},
        "post -> port_b": {"km": 200, "speed_kmh": 50},
        "port_b <-> port_c": {"mode": "ferry", "vessels": 2, "capacity": 40, "sailing": {"dist": "lognormal", "mean": "20h", "cv": 0.1},
                              "departs": {"when_full_or_after": "48h"},
                              "storms": {"per_year": 6, "duration": {"dist": "uniform", "min": "1d", "max": "3d"}, "months": [1, 2, 12]}},
        "port_c -> joint": {"km": 100},
        "joint -> destination": {"km": 50},
    },
    "traffic": {
        "main": {"route": ["origin", "post", "port_b", "port_c", "joint", "destination"], "per_day": 20, "aeo": 0.2,
                 "regime": {"paper_tir": 0.7, "etir": 0.3}, "risk": {"low": 0.8, "high": 0.2}, "weekly": {"Sun": 0.2}},
        "local": {"from": "port_b", "to": "destination", "per_day": 5, "background": True, "risk": {"low": 1.0}},
    },
    "caravans": {
        "demo": {"route": ["origin", "post", "port_b"], "depart": "2026-01-06T08:00", "trucks": 5, "aeo": True,
                 "regime": "etir", "risk": "low", "convoy": True, "pre_notified": True},
    },
}

NODE_NAMES = ["origin", "post", "port_b", "port_c", "joint", "destination", "pots", ""]

odd_values = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, 0, 1, -0.5, 1e308, 1e-308, 10**6, 2**63, "", " ", "3 parsecs", "2 fortnights", "-4h", "1e400h",
                     "45min", "1.5d", "24/7", "Mon-Fri 09:00-18:00", "Mon-Fri 9-18", "2024-10-01", "2024-13-01",
                     "2026-01-05T00:00+03:00", "AA", "ZZ", "aa", "a -> b", "paper_tir", "lognormal", "low", "high",
                     [], {}, [1, 2], ["AA"], ["AA", "AA"], ["origin", "destination"], {"dist": "lognormal"},
                     {"dist": "lognormal", "mean": "1h", "cv": -1}, {"dist": "gamma", "mean": "1h", "cv": 1e9},
                     {"dist": "empirical", "values": []}, {"dist": "triangular", "min": 3, "mode": 1, "max": 2},
                     {"dist": "uniform", "min": "-1h", "max": "1h"}, {"dist": "nope"}, {"when_full": True}, {"every": 0}]),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=4), st.none()), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(-3, 3), st.text(max_size=4)), max_size=3),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(prefix + (k,))
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append(prefix + (i,))
            out += _paths(v, prefix + (i,))
    return out


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def damaged(draw, base: dict) -> dict:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        key = path[-1]
        op = draw(st.sampled_from(["delete", "rename", "replace", "replace", "replace", "swap_route", "typo"]))
        if op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.one_of(st.text(max_size=8), st.integers(-2, 2), st.sampled_from(NODE_NAMES)))] = parent.pop(key)
        elif op == "typo" and isinstance(parent, dict) and isinstance(key, str) and key:
            i = draw(st.integers(0, len(key) - 1))
            parent[key[:i] + key[i + 1:]] = parent.pop(key)
        elif op == "swap_route":
            routes = [p for p in paths if p[-1] == "route" and isinstance(_parent(data, p)[p[-1]], list)]
            if routes:
                route = _parent(data, routes[0])["route"]
                action = draw(st.sampled_from(["permute", "replace", "drop", "repeat"]))
                if action == "permute":
                    route[:] = draw(st.permutations(route))
                elif action == "replace" and route:
                    route[draw(st.integers(0, len(route) - 1))] = draw(st.sampled_from(NODE_NAMES))
                elif action == "drop" and route:
                    route.pop(draw(st.integers(0, len(route) - 1)))
                else:
                    route.append(route[-1] if route else "origin")
        else:
            parent[key] = copy.deepcopy(draw(odd_values))  # sampled constants are shared between examples
    return data


def _outcome(load) -> Scenario | ScenarioError:
    try:
        return load()
    except ScenarioError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message and str(p)
            assert "Traceback" not in str(p)
        return exc


fuzz = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _with(data: dict, path: tuple, value: Any) -> dict:
    data = copy.deepcopy(data)
    _parent(data, path)[path[-1]] = value
    return data


# A number where a date-time belongs once passed the time-zone check as a UTC timestamp and
# crashed the cross-section checks (caravan departure against the clock start).
DEPART_ZERO_CARAVAN = {"route": ["origin", "post", "destination"], "depart": 0, "trucks": 2}


def test_the_mutation_bases_are_valid():
    assert build_scenario(copy.deepcopy(RICH)).name == "rich"
    assert build_scenario(tiny()).name == "tiny"


@fuzz
@given(damaged(RICH))
@example(_with(RICH, ("caravans", "demo", "depart"), 0))
@example(_with(RICH, ("clock", "start"), 0))
def test_damaged_rich_scenario_loads_or_raises_scenario_error(data):
    result = _outcome(lambda: build_scenario(data))
    assert isinstance(result, (Scenario, ScenarioError))


@fuzz
@given(damaged(tiny()))
@example(tiny(caravans={"demo": DEPART_ZERO_CARAVAN}))
def test_damaged_tiny_scenario_through_a_file_gives_the_same_answer(data):
    direct = _outcome(lambda: build_scenario(copy.deepcopy(data)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        via_file = _outcome(lambda: load_scenario(path))
    assert type(direct) is type(via_file)
    if isinstance(direct, ScenarioError):
        assert [p.path for p in direct.problems] == [p.path for p in via_file.problems]
        assert all(p.file == str(path) for p in via_file.problems)


@fuzz
@given(st.lists(st.tuples(st.sampled_from(["traffic.main.per_day", "nodes.post.lanes", "nodes.post", "clock.horizon",
                                            "traffic.main.route.1", "links.origin -> post.km", "customs.AA.detection",
                                            "risk_classes.low", "drivers.speed_kmh", "x.y.z", "traffic.main.route.9"]),
                          st.text(max_size=15)), min_size=1, max_size=3))
@example([("caravans", "{demo: {route: [origin, post, destination], depart: 0, trucks: 2}}")])
def test_random_set_texts_load_or_raise_scenario_error(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
        result = _outcome(lambda: load_scenario(path, [f"{k}={v}" for k, v in pairs]))
    assert isinstance(result, (Scenario, ScenarioError))


def test_nan_and_infinity_are_refused_everywhere():
    for path, value in ((("traffic", "main", "per_day"), math.nan), (("nodes", "post", "lat"), math.nan),
                        (("clock", "horizon"), math.inf), (("customs",), {"default": {"detection": math.nan}})):
        data = tiny()
        _parent(data, path)[path[-1]] = value
        result = _outcome(lambda: build_scenario(data))  # noqa: B023 (called at once, in the loop)
        assert isinstance(result, ScenarioError), (path, value)
