"""The equivalence harness: every engine against the reference, on worlds that draw every feature.

`engine_worlds` draws a world with a random set of the registered features (`FEATURES`), each
added by its recipe (`RECIPES`). For every drawn world, the engine chosen for it (`auto`) and
each engine asked for by name that supports it give the reference engine's results: every
truck to the bit, every table of records (controls, per-flow tallies, ferries, measure
tables) to 1e-9 where sums are taken in another order (`worlds.close`). The meta-tests fail
when a registered feature has no recipe or its recipe does not give it, and when the chooser
gives a control or a world to an engine that lacks one of its features. The worlds have no
ties (continuous times, links longer than 0 km), so no two trucks reach a server at once.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from corridor_sim.errors import SimulationError
from corridor_sim.model import simulate
from corridor_sim.model.features import ENGINES, FEATURES, FIFO, EngineError, choose
from corridor_sim.model.measure import Measure
from corridor_sim.model.world import World
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from worlds import close

EXP = lambda mean: {"dist": "exponential", "mean": mean}  # noqa: E731
LOGN = lambda mean: {"dist": "lognormal", "mean": mean, "cv": 0.6}  # noqa: E731


@st.composite
def base_worlds(draw) -> dict:
    """Two bcps in a row (AA|BB, BB|CC), a counted flow each way, continuous times, no feature."""
    times = st.sampled_from([EXP(0.3), LOGN(0.5), EXP(1.0)])
    lanes = st.integers(1, 3)
    return merge(tiny(), {
        "clock": {"horizon": f"{draw(st.integers(2, 4))}d", "warmup": f"{draw(st.integers(0, 12))}h"},
        "drivers": {"rules": draw(st.sampled_from(["aetr", "none"])), "speed_kmh": 60},
        "risk_classes": {"low": {"noncompliance": draw(st.floats(0, 0.4))}},
        "customs": {"default": {
            "document": {"paper_tir": draw(times), "etir": draw(times), "national": draw(times)},
            "document_error": {"paper_tir": draw(st.floats(0, 0.2)), "etir": 0.0, "national": 0.0},
            "channels": {"low": {"yellow": draw(st.floats(0, 0.4)), "red": draw(st.floats(0, 0.3))}},
            "inspection": draw(times), "yellow_check": draw(times)}},
        "nodes": {"post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": draw(lanes), "inspection_bays": draw(lanes)},
                  "second": {"kind": "bcp", "border": ["BB", "CC"], "lanes": draw(lanes),
                             "inspection_bays": draw(lanes)},
                  "destination": {"kind": "terminal", "country": "CC"}},
        "links": {"origin -> post": {"km": draw(st.floats(1, 300))}, "post -> second": {"km": draw(st.floats(1, 300))},
                  "second -> destination": {"km": 60.5}, "destination -> second": {"km": 60.5},
                  "second -> post": {"km": 100.5}, "post -> origin": {"km": 30.5}},
        "traffic": {
            "main": {"route": ["origin", "post", "second", "destination"], "per_day": draw(st.floats(5, 80)),
                     "aeo": draw(st.floats(0, 1)), "regime": {"paper_tir": 0.5, "etir": 0.5}},
            "back": {"route": ["destination", "second", "post", "origin"], "per_day": draw(st.floats(1, 40))},
        },
    })


def _set(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    data[last] = value


def _caravan(draw, data: dict) -> None:
    _set(data, "caravans.c", {"route": ["origin", "post", "second", "destination"], "depart": "2026-01-05T10:00",
                              "trucks": draw(st.integers(1, 4)), "pre_notified": draw(st.booleans()),
                              "convoy": draw(st.booleans())})


def _exchange(draw, data: dict) -> None:
    _set(data, "information_exchange", {"AA -> BB": {"recognition": 0.5, "alerts": {"red_factor": 3, "duration": "6h"},
                                                     "pre_arrival": {"preclear": 0.5, "document_factor": 0.5}}})


def _ferry(draw, data: dict) -> None:
    _set(data, "nodes.port_a", {"kind": "port", "country": "CC", "lanes": draw(st.integers(1, 3))})
    _set(data, "nodes.port_b", {"kind": "port", "country": "DD", "lanes": draw(st.integers(1, 3))})
    _set(data, "links.port_a -> port_b", {"mode": "ferry", "vessels": 1, "capacity": draw(st.integers(5, 30)),
                                          "sailing": "10h", "departs": {"every": "12h"}})
    _set(data, "traffic.sea", {"route": ["port_a", "port_b"], "per_day": draw(st.floats(5, 30))})


def _loop(draw, data: dict) -> None:
    """A flow that passes post's AA exit twice, round by a third crossing."""
    _set(data, "nodes.gate", {"kind": "bcp", "border": ["CC", "AA"], "lanes": 2})
    _set(data, "links.destination -> gate", {"km": 40.5})
    _set(data, "links.gate -> origin", {"km": 40.5})
    _set(data, "traffic.round", {"route": ["origin", "post", "second", "destination", "gate", "origin", "post",
                                           "second", "destination"], "per_day": draw(st.floats(1, 10))})


def _permits(draw, data: dict) -> None:
    _set(data, "road_permits", {"AA -> BB": {"permits": draw(st.integers(3, 40)),
                                             "period": draw(st.sampled_from(["day", "week"]))}})


def _shared_permits(draw, data: dict) -> None:
    """AA's trucks enter BB at post and at a second crossing, ford: one quota, asked at both."""
    _permits(draw, data)
    _set(data, "nodes.ford", {"kind": "bcp", "border": ["AA", "BB"], "lanes": draw(st.integers(1, 3))})
    _set(data, "links.origin -> ford", {"km": draw(st.floats(1, 200))})
    _set(data, "links.ford -> second", {"km": 80.5})
    _set(data, "traffic.ford", {"route": ["origin", "ford", "second", "destination"], "per_day": draw(st.floats(5, 40))})


# each registered feature: how a world gets it (draw, data) -> None; traces come with the run
RECIPES = {
    "opening_hours": lambda draw, d: _set(d, "nodes.post.hours", draw(st.sampled_from(
        ["Mon-Fri 06:00-22:00", "Mon-Sun 07:00-19:00"]))),
    "daily_cap": lambda draw, d: _set(d, "nodes.second.admissions_per_day", draw(st.integers(10, 60))),
    "coupling": lambda draw, d: _set(d, "nodes.second.neutral_zone", draw(st.integers(0, 3))),
    "handling": lambda draw, d: _set(d, "nodes.post.handling", EXP(draw(st.floats(0.05, 0.5)))),
    "shifts": lambda draw, d: _set(d, "nodes.second.shifts", {"08:00-20:00": d["nodes"]["second"]["lanes"] + 1}),
    "outages": lambda draw, d: _set(d, "nodes.post.outages", {"random": {
        "per_year": 200, "duration": {"dist": "uniform", "min": "1h", "max": "6h"}, "lanes": draw(st.integers(0, 1))}}),
    "pull_aside": lambda draw, d: _set(d, "nodes.second.pull_aside", draw(st.sampled_from(
        [["yellow_check"], ["error_correction", "yellow_check"]]))),
    "joint_control": lambda draw, d: _set(d, "nodes.post.joint_control", True),
    "aeo_recognition": lambda draw, d: _set(d, "customs.BB.recognises_aeo", True),
    "preclearing": lambda draw, d: _set(d, "customs.BB.etir_preclear", 0.5),
    "priority_classes": lambda draw, d: _set(d, "customs.CC.priority_regimes", ["etir"]),
    "caravan_stop": _caravan,
    "caravans": _caravan,
    "scanners": lambda draw, d: _set(d, draw(st.sampled_from(["nodes.second.scanners", "nodes.post.scanners"])), {
        "count": draw(st.integers(1, 2)), "scan": EXP(0.2), "hit_rate": draw(st.floats(0, 1)),
        "false_alarm": draw(st.floats(0, 0.5)), "green_share": draw(st.sampled_from([0, 0.2])),
        "hours": draw(st.sampled_from(["24/7", "Mon-Fri 08:00-18:00"]))}),
    "classed_opening_hours": lambda draw, d: (_set(d, "customs.CC.priority_regimes", ["etir"]), _set(
        d, "nodes.second.hours", draw(st.sampled_from(["Mon-Fri 06:00-22:00", "Mon-Sun 07:00-19:00"])))),
    "classed_scanners": lambda draw, d: (_set(d, "customs.CC.priority_regimes", ["etir"]) if draw(st.booleans())
                                         else _exchange(draw, d), _set(
        d, "nodes.second.scanners", {"count": 1, "scan": EXP(0.2), "hit_rate": 0.5, "false_alarm": 0.1})),
    "shared_scanners": lambda draw, d: _set(d, "nodes.second.scanners", {
        "count": draw(st.integers(1, 2)), "scan": EXP(0.2), "hit_rate": draw(st.floats(0, 1)),
        "false_alarm": draw(st.floats(0, 0.5)), "serves": "both_directions"}),
    "exchange_release": _exchange,
    "exchange_verdict": _exchange,
    # hooks a measure sets without saying what they are: no scenario gives them, a test measure
    # does (`test_an_unnamed_hook_keeps_its_control_on_the_reference_engine`)
    "release_hook": None,
    "verdict_adjuster": None,
    "release_to_audit": lambda draw, d: _set(d, "post_clearance_audit", {draw(st.sampled_from(["BB", "CC"])): {
        "release": {"red": draw(st.sampled_from([0.5, 1.0])), "yellow": 0.5}, "auditors": draw(st.integers(1, 2)),
        "duration": EXP(2.0), "detection": 0.8}}),
    "before_lane": None,  # a gate a measure sets without saying what it is: as release_hook
    "road_permits": lambda draw, d: _permits(draw, d),
    "shared_road_permits": _shared_permits,
    "road_permits_with_hours": lambda draw, d: (_permits(draw, d), _set(d, "nodes.post.hours", "Mon-Sun 07:00-19:00")),
    "classed_road_permits": lambda draw, d: (_permits(draw, d), _set(d, "customs.BB.priority_regimes", ["etir"])),
    "ferries": _ferry,
    "traces": lambda draw, d: None,
    "runs_on": lambda draw, d: _set(d, "traffic.local", {
        "route": draw(st.sampled_from([["origin", "post"], ["origin", "post", "second"]])),
        "per_day": draw(st.floats(5, 60)), "background": True}),
    "crossing_routes": _loop,
}


DRAWN = sorted(name for name, recipe in RECIPES.items() if recipe is not None)


@st.composite
def engine_worlds(draw, only: str | None = None) -> tuple[dict, bool, set[str]]:
    """A world with a random set of features (or only `only`), whether it traces, and the features drawn."""
    data = draw(base_worlds())
    wanted = {only} if only else draw(st.sets(st.sampled_from(DRAWN), max_size=4))
    if not only and draw(st.booleans()):  # background traffic, outside the event loop where it can be
        wanted.add("runs_on")
    if "coupling" in wanted and "joint_control" in wanted:
        data["nodes"]["post"]["joint_control"] = True  # the neutral zone is at second
    for name in sorted(wanted):
        RECIPES[name](draw, data)
    return data, "traces" in wanted, wanted


def _check_choice(world: World) -> None:
    """The chooser gives no control, and no world, to an engine that lacks one of its features."""
    choice, features = world.choice, world.features
    engine = ENGINES[choice.engine]
    assert not features.world - engine.world or choice.engine == "reference"
    for control in world.controls.values():
        if control.name in choice.fifo:
            assert control.features <= FIFO.control and control.fifo_lanes is not None
            assert control.features <= engine.control
        else:
            assert control.fifo_lanes is None
    if choice.engine == "columns":
        assert not features.unsupported(engine)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(drawn=engine_worlds(), replication=st.integers(0, 3))
def test_every_engine_gives_the_reference_engines_results(drawn, replication):
    data, trace, _ = drawn
    scenario = build_scenario(data)
    world = World(scenario, replication, trace=trace)
    _check_choice(world)
    event(f"engine {world.choice.engine}" + (", background outside the event loop" if world.batch else ""))
    try:
        reference = simulate(scenario, replication, trace=trace, record_queues=True, engine="reference")
    except SimulationError:  # too much traffic to drain within the cap: so on every engine
        with pytest.raises(SimulationError):
            simulate(scenario, replication, trace=trace)
        return
    close(simulate(scenario, replication, trace=trace, record_queues=True), reference)
    for name in ("columns", "fifo"):
        try:
            result = simulate(scenario, replication, trace=trace, record_queues=True, engine=name)
        except EngineError as exc:  # it lacks a feature of the world: refused, never ignored
            assert World(scenario, replication, trace=trace).features.unsupported(ENGINES[name]), exc
            continue
        close(result, reference)


FAST = sorted((FIFO.control | FIFO.world | ENGINES["columns"].control) & set(DRAWN))  # what some fast engine supports


@pytest.mark.parametrize("feature", FAST)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), replication=st.integers(0, 3))
def test_each_feature_a_fast_engine_supports_gives_the_reference_results(feature, data, replication):
    """`feature` with background traffic (outside the event loop where the feature allows) and up
    to two other features a fast engine supports: every path of the engine meets it."""
    world_data = data.draw(base_worlds())
    others = data.draw(st.sets(st.sampled_from([f for f in FAST if f != feature]), max_size=2))
    for name in sorted({feature, "runs_on", *others}):
        RECIPES[name](data.draw, world_data)
    scenario = build_scenario(world_data)
    world = World(scenario, replication)
    _check_choice(world)
    event(f"engine {world.choice.engine}" + (", background outside the event loop" if world.batch else ""))
    try:
        reference = simulate(scenario, replication, record_queues=True, engine="reference")
    except SimulationError:
        with pytest.raises(SimulationError):
            simulate(scenario, replication)
        return
    close(simulate(scenario, replication, record_queues=True), reference)


def test_every_registered_feature_has_a_recipe():
    assert set(RECIPES) == set(FEATURES)


@pytest.mark.parametrize("feature", DRAWN)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_each_recipe_gives_its_feature(feature, data):
    world_data, trace, _ = data.draw(engine_worlds(only=feature))
    world = World(build_scenario(world_data), 0, trace=trace)
    found = set(world.features.world).union(*world.features.controls.values())
    assert feature in found


def test_a_plain_world_runs_in_columns_and_each_feature_is_served_where_an_engine_supports_it():
    plain = World(build_scenario(tiny()), 0)
    assert plain.choice.engine == "columns" and plain.choice.reasons == {}
    handling = World(build_scenario(merge(tiny(), {"nodes": {"post": {"handling": EXP(0.1)}}})), 0)
    assert handling.choice.engine == "columns"
    hours = World(build_scenario(merge(tiny(), {"nodes": {"post": {"controls": {"BB": {"hours": "Mon-Fri 08:00-18:00"}}}}})), 0)
    assert hours.choice.engine == "fifo" and hours.choice.fifo == {"post AA exit", "post BB entry"}
    capped = World(build_scenario(merge(tiny(), {"nodes": {"post": {"controls": {"BB": {"admissions_per_day": 20}}}}})), 0)
    assert capped.choice.engine == "fifo" and capped.choice.fifo == {"post AA exit"}
    assert capped.choice.reasons == {"post BB entry": ["daily_cap"]}
    assert World(build_scenario(tiny()), 0, engine="reference").choice.fifo == frozenset()


# --- a measure that changes the verdict: undeclared, or declared as what no fast engine supports -----

FEE_H = 0.25


class Fee(Measure):
    """A fee at BB's entry that takes FEE_H hours in the lane: wraps the control's verdict."""

    def wire(self, world, control, authorities, key) -> None:
        if key.country == "BB" and key.direction == "entry":
            verdict = control.verdict

            def with_fee(truck, now):
                lane, *rest = verdict(truck, now)
                return (lane + FEE_H, *rest)

            control.verdict = with_fee


class DeclaredFee(Fee):
    def features(self, control):
        return {"verdict_fee"} if control.name == "post BB entry" else set()


def _fee_world() -> dict:
    """No checks, and lanes enough that nobody queues: a truck's time at a control is the fee."""
    none = {"paper_tir": 0, "etir": 0, "national": 0}
    return tiny(nodes={**tiny()["nodes"], "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 50}},
                customs={"default": {"document": none, "document_error": none,
                                     "channels": {"low": {"yellow": 0, "red": 0}}}},
                traffic={"main": {"route": ["origin", "post", "destination"], "per_day": 10},
                         "local": {"route": ["origin", "post", "destination"], "per_day": 10, "background": True}})


@pytest.fixture
def with_measure(monkeypatch):
    import corridor_sim.model.world as world_module

    def add(measure) -> None:
        monkeypatch.setattr(world_module, "MECHANISMS", (*world_module.MECHANISMS, measure))
    return add


def test_an_undeclared_measure_runs_on_the_reference_engine_and_the_manifest_says_why(with_measure, tmp_path):
    from corridor_sim import run

    with_measure(Fee)
    scenario = build_scenario(_fee_world())
    world = World(scenario, 0)
    assert world.choice.engine == "reference" and world.choice.reasons == {"world": ["undeclared measure Fee"]}
    result = simulate(scenario, 0)
    # no queue, no check: every truck spends exactly the fee at BB's entry
    bb = next(c for c in result.controls if c.country == "BB")
    assert bb.mean_time_h == pytest.approx(FEE_H)
    lead = result.trucks["arrive_h"] - result.trucks["depart_h"]
    assert lead == pytest.approx(2.0 + FEE_H)  # 120 km at 60 km/h, and the fee
    run_result = run(scenario, 1, output=tmp_path / "run")
    engines = run_result.meta["engines"][scenario.name]
    assert engines["engine"] == "reference" and engines["reference_because"] == {"world": ["undeclared measure Fee"]}
    import json

    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["engines"] == run_result.meta["engines"]
    from corridor_sim.cli.common import engine_line

    assert engine_line(run_result.meta["engines"]) == \
        "engine: reference, 0% of trucks outside the event loop; 1 whole world on the reference engine (why: manifest.json)"


def test_a_measure_declared_as_what_the_solver_lacks_is_refused_by_it_never_ignored(with_measure):
    with_measure(DeclaredFee)
    scenario = build_scenario(_fee_world())
    world = World(scenario, 0)
    assert world.choice.engine == "fifo" and world.choice.reasons == {"post BB entry": ["verdict_fee"]}
    assert world.batch is None  # the background passes a control on the pools: it stays in the event loop
    with pytest.raises(EngineError, match="verdict_fee"):
        World(scenario, 0, engine="fifo")
    with pytest.raises(EngineError, match="verdict_fee"):
        World(scenario, 0, engine="columns")
    bb = world.controls[next(k for k in world.controls if k.country == "BB")]
    with pytest.raises(EngineError, match="verdict_fee"):
        bb.use_fifo(False, 100.0)
    lead = simulate(scenario, 0).trucks
    assert (lead["arrive_h"] - lead["depart_h"]) == pytest.approx(2.0 + FEE_H)


class UnnamedHooks(Measure):
    """A release hook set straight on the control and an adjuster without a name, at BB's entry:
    declared as no feature, each is still found on the control, by what it is not."""

    def wire(self, world, control, authorities, key) -> None:
        if key.country == "BB":
            control.on_release = lambda truck, channel, detected, now: None
            authorities[0].adjust = lambda truck, document, channel, u, red, now: (document, channel)

    def features(self, control):
        return set()


def test_an_unnamed_hook_keeps_its_control_on_the_reference_engine(with_measure):
    with_measure(UnnamedHooks)
    world = World(build_scenario(_fee_world()), 0)
    assert world.choice.engine == "fifo"
    assert world.choice.reasons == {"post BB entry": ["release_hook", "verdict_adjuster"]}
    assert world.batch is None


def test_asking_for_an_engine_that_lacks_a_feature_names_it():
    scenario = build_scenario(merge(tiny(), {"nodes": {"post": {"hours": "Mon-Fri 08:00-18:00"}}}))
    with pytest.raises(EngineError, match="post AA exit: opening_hours"):
        simulate(scenario, 0, engine="columns")
    scenario = build_scenario(merge(tiny(), {"nodes": {"post": {"admissions_per_day": 20}}}))
    with pytest.raises(EngineError, match="post AA exit: daily_cap"):
        simulate(scenario, 0, engine="fifo")
    with pytest.raises(EngineError, match="unknown engine 'fast'"):
        choose(World(scenario, 0).features, "fast")


def test_a_flow_runs_on_after_the_horizon_for_the_counted_trucks_due_at_its_ferry_link():
    """Two counted flows through one control stop at the horizon; a counted flow that sails a
    ferry link watches both its sides (the vessels bring back the other side's trucks)."""
    flows = {name: {"route": ["origin", "post", "destination"], "per_day": 5} for name in ("main", "other")}
    two = World(build_scenario(tiny(traffic=flows)), 0)
    assert "runs_on" not in two.features.world and all(source.watch == [] for source in two.sources)
    data = tiny()
    _set(data, "nodes.port_a", {"kind": "port", "country": "CC"})
    _set(data, "nodes.port_b", {"kind": "port", "country": "DD"})
    _set(data, "links.port_a -> port_b", {"mode": "ferry", "capacity": 10, "sailing": "10h"})
    _set(data, "traffic.sea", {"route": ["port_a", "port_b"], "per_day": 5})
    world = World(build_scenario(data), 0)
    assert "runs_on" in world.features.world
    main, sea = world.sources
    ferry = world.ferries["port_a -> port_b"]
    assert main.watch == [] and sea.watch == [ferry.sides[0], ferry.sides[1]]
