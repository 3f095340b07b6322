"""The budget before the work: the estimate of trucks a replication, and the limit it is held to."""
from __future__ import annotations

import pytest

from corridor_sim.errors import CorridorSimError
from corridor_sim.model.world import World
from corridor_sim.scenario import budget
from corridor_sim.scenario.loader import build_scenario, derive, load_scenario, merge

from conftest import ROOT, tiny


def test_the_estimate_is_rate_times_days_times_the_mean_weekly_factor_plus_the_caravans():
    data = merge(tiny(), {"traffic": {"main": {"per_day": 30, "weekly": {"Sat": 0.5, "Sun": 0}},
                                      "extra": {"route": ["origin", "post", "destination"], "per_day": 4,
                                                "hourly": [0] * 12 + [2] * 12, "monthly": {1: 3}}},
                          "caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T08:00",
                                             "trucks": 7}}})
    est = budget.estimate(build_scenario(data))
    january = 3 / ((3 * 31 + 334) / 365)  # the month's weight over the days-weighted mean of the year's
    # the clock starts on a Monday at midnight and runs 10 whole days: the weekly weights fall on
    # Mon..Sun, Mon..Wed (8.5 days' worth); the hourly weights average 1 over whole days
    assert est.by_flow == pytest.approx({"main": 30 * 8.5, "extra": 4 * 10 * january, "c": 7})
    assert est.trucks == pytest.approx(sum(est.by_flow.values()))
    assert est.memory_bytes == pytest.approx(est.trucks * budget.MEMORY_BYTES_PER_TRUCK)


@pytest.mark.parametrize("clock, profile", [
    ({"horizon": "60d", "warmup": 0}, {"weekly": {"Sun": 0}}),
    # a horizon inside a peak month, starting on a Saturday afternoon, with hours of the day
    ({"start": "2026-02-07T15:30", "horizon": "15d", "warmup": 0},
     {"per_day": 10, "weekly": {"Sat": 4, "Sun": 0}, "hourly": [0] * 6 + [3] * 12 + [0] * 6,
      "monthly": {2: 1000, 3: 0}}),
    # across months, the horizon ending in a month of weight 0
    ({"start": "2026-11-20T06:00", "horizon": "30d", "warmup": 0}, {"monthly": {11: 5, 12: 0}}),
])
def test_the_estimate_matches_the_trucks_a_replication_departs(clock, profile):
    """Poisson departures: the count lies within four standard deviations of the estimate."""
    scenario = build_scenario(merge(tiny(), {"clock": clock, "traffic": {"main": {"per_day": 200} | profile}}))
    world = World(scenario, 0, 3)
    world.run()
    expected = budget.estimate(scenario).trucks
    assert abs(world.next_id - expected) < 4 * expected ** 0.5  # no flow runs on: every truck left before the horizon


def test_a_horizon_inside_the_peak_month_counts_that_months_rate_not_the_years():
    """Monthly weights 1000 in February and 1 elsewhere: February's rate is 13 times the year's mean."""
    scenario = build_scenario(merge(tiny(), {"clock": {"start": "2026-02-01T00:00", "horizon": "20d"},
                                             "traffic": {"main": {"per_day": 100, "monthly": {2: 1000}}}}))
    assert budget.estimate(scenario).trucks == pytest.approx(100 * 20 * 1000 * 365 / (1000 * 28 + 337))
    assert budget.estimate(scenario).trucks > 12.8 * 100 * 20
    with pytest.raises(CorridorSimError, match=r"tiny: about 25,761 trucks a replication: up to 33.5 MB of memory each, "
                                               r"more than --max-trucks 10,000 allows \(13 MB, at 1.3 kB a truck\)"):
        budget.check_budget([scenario], at_once=1, max_trucks=10_000)


def test_the_drain_counts_the_flows_that_run_on_after_the_horizon_as_long_again():
    """A background flow runs on while counted trucks are due at its controls (at a saturated
    control, for as long again as the horizon, the model's limit); a counted flow without a
    ferry does not."""
    from corridor_sim.model import world

    assert budget.DRAIN_CAP_H == world.DRAIN_CAP_H
    alone = build_scenario(tiny())
    assert budget.estimate(alone).drain == 0
    both = build_scenario(merge(tiny(), {"traffic": {"bg": {"route": ["origin", "post", "destination"], "per_day": 50,
                                                            "background": True}}}))
    est = budget.estimate(both)
    assert est.drain == pytest.approx(50 * 10)  # the horizon of tiny(): 10 days
    assert est.memory_bytes == pytest.approx(est.trucks * budget.MEMORY_BYTES_PER_TRUCK
                                             + 50 * 10 * budget.LIVE_BYTES_PER_TRUCK)
    with pytest.raises(CorridorSimError, match=r"about 700 trucks a replication .* and up to 500 more departing "
                                               r"in the drain after the horizon: up to 1.91 MB of memory each, more than --max-trucks 1,000"):
        budget.check_budget([both], at_once=1, max_trucks=1_000)
    background_only = build_scenario(merge(tiny(), {"traffic": {"main": {"background": True}}}))
    assert budget.estimate(background_only).drain == 0  # no counted truck keeps it going


def test_a_traced_truck_costs_its_log_of_each_node_of_the_route():
    scenario = build_scenario(tiny())
    plain, traced = budget.estimate(scenario), budget.estimate(scenario, trace=True)
    assert traced.trucks == plain.trucks
    assert traced.memory_bytes == pytest.approx(plain.trucks * (budget.MEMORY_BYTES_PER_TRUCK
                                                                + 3 * budget.TRACE_BYTES_PER_NODE))
    limit = int(plain.trucks * 1.5)
    budget.check_budget([scenario], at_once=1, max_trucks=limit)
    with pytest.raises(CorridorSimError, match="traced trucks a replication"):
        budget.check_budget([scenario], at_once=1, max_trucks=limit, trace=True)


def test_a_year_of_the_bundled_corridor_fits_two_workers_of_a_24_gb_machine(monkeypatch):
    scenario = load_scenario(ROOT / "scenarios" / "middle_corridor.yaml", ["clock.horizon=365d"])
    monkeypatch.setattr(budget, "physical_memory", lambda: 24 * 10**9)
    assert 1.4e6 < budget.estimate(scenario).trucks < 1.6e6
    budget.check_budget([scenario], at_once=2)  # no refusal
    assert budget.default_max_trucks(2) == int(24e9 * 0.5 / budget.MEMORY_BYTES_PER_TRUCK / 2)


def test_over_the_limit_is_refused_with_the_estimate_and_the_option(monkeypatch):
    scenario = build_scenario(merge(tiny(), {"traffic": {"main": {"per_day": 100_000}}, "clock": {"horizon": "36500d"}}))
    with pytest.raises(CorridorSimError, match=r"about 3.65e9 trucks a replication: up to 4.75 TB .* more than --max-trucks 1,000,000 "
                                               r"allows .*--max-trucks N$"):
        budget.check_budget([scenario], at_once=1, max_trucks=1_000_000)
    monkeypatch.setattr(budget, "physical_memory", lambda: None)  # a machine that does not say: no default limit
    budget.check_budget([scenario], at_once=1)


def test_each_candidate_of_a_fit_is_checked_before_it_runs(monkeypatch):
    """A box too big to check by its corners is checked candidate by candidate: the first one
    over the budget stops the search before it runs."""
    from corridor_sim import experiment
    from corridor_sim.calibrate import Targets
    from corridor_sim.fit import Parameter, fit

    def never(*args, **kwargs):
        raise AssertionError("a candidate ran")

    monkeypatch.setattr(experiment, "run_many", never)
    scenario = build_scenario(tiny())
    targets = Targets.model_validate({"name": "t", "targets": [{"metric": "lead_time", "value": 1}]})
    seen = []

    def check(candidate, values):
        seen.append(values)
        budget.check_budget([candidate], at_once=1, max_trucks=1000, what="--fit")

    with pytest.raises(CorridorSimError, match=r"--fit: tiny: about [\d,]+ trucks a replication"):
        fit(scenario, targets, [Parameter("traffic.main.per_day", 200, 300)], 1, 1, check=check)
    assert len(seen) == 1 and 200 <= seen[0]["traffic.main.per_day"] <= 300


def test_every_design_point_of_the_uncertainty_card_is_checked_before_the_first_runs(tmp_path, capsys, monkeypatch):
    """The central point fits; the high end of the volume's range does not: refused, nothing written."""
    pytest.importorskip("SALib")
    import yaml

    from corridor_sim.cli import main

    monkeypatch.setattr(budget, "physical_memory", lambda: 2 * 10**9)  # a limit of a million trucks
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(merge(tiny(), {"clock": {"horizon": "3650d"}})), encoding="utf-8")
    (tmp_path / "measure.yaml").write_text("extends: base.yaml\nname: more-lanes\nnodes: {post: {lanes: 3}}\n",
                                           encoding="utf-8")
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"assumptions": [
        {"name": "volume", "paths": ["traffic.main.per_day"], "range": [30, 40, 100000], "reasoning": "a test"}]}),
        encoding="utf-8")
    out = tmp_path / "card"
    assert main(["uncertainty", str(tmp_path / "base.yaml"), str(tmp_path / "measure.yaml"), "--assumptions",
                 str(tmp_path / "a.yaml"), "--trajectories", "0", "--samples", "4", "-n", "1", "--quiet",
                 "-o", str(out)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "error: design point " in err[0] and "trucks a replication" in err[0], err
    assert "--max-trucks" not in err[0]  # an option the command does not have
    assert not out.exists() and not (tmp_path / "card.partial").exists()


def test_a_demo_is_checked_before_it_runs(tmp_path, capsys, monkeypatch):
    from corridor_sim.cli import main

    monkeypatch.setattr(budget, "physical_memory", lambda: 10**6)  # a machine of a megabyte
    out = tmp_path / "demo"
    assert main(["demo", "aeo", "-n", "1", "--workers", "1", "--quiet", "-o", str(out)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "error: demo aeo: " in err[0] and "trucks a replication" in err[0], err
    assert "--max-trucks" not in err[0]
    assert not out.exists() and not (tmp_path / "demo.partial").exists()


def test_an_animation_counts_its_traced_trucks_and_its_frames(tmp_path, monkeypatch):
    """600 frames of 800 x 400 pixels are 192 MB held until the GIF is written: on a machine
    where the traced trucks fit and the frames do not, animate refuses before it simulates."""
    from corridor_sim import animate

    data = merge(tiny(), {"nodes": {"origin": {"lat": 40, "lon": 50}, "post": {"lat": 40, "lon": 51},
                                    "destination": {"lat": 40, "lon": 52}}})
    scenario = build_scenario(data)
    monkeypatch.setattr(budget, "physical_memory", lambda: 2 * 100 * 10**6)  # half of it: 100 MB
    assert budget.estimate(scenario, trace=True).memory_bytes < 10**6
    with pytest.raises(CorridorSimError, match=r"^animate: tiny: about [\d,]+ traced trucks a replication: up to 192 MB "
                                               r"of memory each, 192 MB of it the frames, .*lower the rates$"):
        animate.animate(scenario, tmp_path / "a.gif", days=2, frames=600)
    assert not (tmp_path / "a.gif").exists()
    animate.animate(scenario, tmp_path / "a.gif", days=2, frames=20)  # 6.4 MB of frames: drawn
    assert (tmp_path / "a.gif").stat().st_size > 0


def test_the_default_limit_says_how_much_memory_and_to_run_fewer_at_once(monkeypatch):
    scenario = build_scenario(merge(tiny(), {"traffic": {"main": {"per_day": 1000}}}))  # 10,000 trucks
    monkeypatch.setattr(budget, "physical_memory", lambda: 26 * 10**6)  # 13 MB for the runs
    budget.check_budget([scenario], at_once=1)
    with pytest.raises(CorridorSimError, match=r"^tiny: about 10,000 trucks a replication: up to 13 MB of memory each, "
                                               r"more than the 6.5 MB \(5,000 trucks at 1.3 kB\) that fit 2 at once into "
                                               r"half of this machine's memory; run fewer at once \(--workers\), "):
        budget.check_budget([scenario], at_once=2)


@pytest.mark.parametrize("kind", ["tiny", "background", "ferry", "background only", "corridor"])
def test_the_flows_the_drain_counts_are_those_the_model_keeps_going(kind):
    """The budget's flows that may run on after the horizon are the model's (World._watch): a
    background flow at a control a counted truck passes, any flow on a ferry link a counted truck
    sails, none where no truck is counted."""
    bg = {"route": ["origin", "post", "destination"], "per_day": 5, "background": True}
    if kind == "corridor":
        scenario = load_scenario(ROOT / "scenarios" / "middle_corridor.yaml")
    elif kind == "ferry":
        scenario = build_scenario(tiny(
            nodes={"origin": {"kind": "terminal", "country": "AA"}, "west": {"kind": "port", "country": "AA", "lanes": 2},
                   "east": {"kind": "port", "country": "AA", "lanes": 2}},
            links={"origin -> west": {"km": 60}, "west <-> east": {"mode": "ferry", "vessels": 1, "capacity": 10,
                                                                   "sailing": "2h", "departs": {"every": "12h"}}},
            traffic={"main": {"route": ["origin", "west", "east"], "per_day": 5},
                     "back": {"route": ["east", "west"], "per_day": 5, "background": True}}))
    else:
        extra = {"background": {"bg": bg}, "background only": {"main": {"background": True}}}.get(kind, {})
        scenario = build_scenario(merge(tiny(), {"traffic": extra}))
    world = World(scenario, 0)
    model = {source.name for source in world.sources if source.watch}
    assert set(budget.estimate(scenario).running_on) == model
    assert (budget.estimate(scenario).drain > 0) == bool(model)


def test_a_resumed_design_checks_the_points_still_to_run_on_this_machine(tmp_path, capsys, monkeypatch):
    """A design interrupted after one point, resumed where memory is smaller: refused before the
    next point runs, the finished one kept."""
    pytest.importorskip("SALib")
    import yaml

    import corridor_sim.uncertainty as unc
    from corridor_sim.cli import main

    (tmp_path / "base.yaml").write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    (tmp_path / "measure.yaml").write_text("extends: base.yaml\nname: more-lanes\nnodes: {post: {lanes: 3}}\n",
                                           encoding="utf-8")
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"assumptions": [
        {"name": "volume", "paths": ["traffic.main.per_day"], "range": [10, 20, 30], "reasoning": "a test"}]}),
        encoding="utf-8")
    real, calls = unc.run_point, []

    def cut(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(unc, "run_point", cut)
    out = tmp_path / "card"
    assert main(["uncertainty", str(tmp_path / "base.yaml"), str(tmp_path / "measure.yaml"), "--assumptions",
                 str(tmp_path / "a.yaml"), "--trajectories", "0", "--samples", "3", "-n", "1", "--quiet",
                 "--no-plots", "-o", str(out)]) == 130
    monkeypatch.setattr(unc, "run_point", real)
    kept = (tmp_path / "card.partial" / "points.jsonl").read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(budget, "physical_memory", lambda: 2 * 100 * 10**3)  # 100 trucks
    assert main(["uncertainty", "--resume", str(out), "--quiet", "--no-plots"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "error: design point 1: tiny.p1: about" in err[0], err
    assert (tmp_path / "card.partial" / "points.jsonl").read_bytes() == kept and not out.exists()


def _weights(keys, high=5.0):
    from hypothesis import strategies as st

    return st.one_of(st.none(), st.dictionaries(st.sampled_from(keys), st.sampled_from([0.0, 0.5, 1.0, 2.0, high]),
                                                min_size=1, max_size=len(keys)))


def test_the_estimate_follows_any_profile_on_any_clock():
    """Random weekly, hourly and monthly weights (zeros included), starts and horizons: the trucks
    a replication departs lie within five standard deviations of the estimate."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    @given(weekly=_weights(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]), monthly=_weights(list(range(1, 13)), 20.0),
           hourly=st.one_of(st.none(), st.lists(st.sampled_from([0.0, 1.0, 3.0]), min_size=24, max_size=24).filter(any)),
           month=st.integers(1, 12), day=st.integers(1, 28), hour=st.floats(0, 23.9), days=st.floats(2, 70))
    def check(weekly, monthly, hourly, month, day, hour, days):
        flow = {"per_day": 30, "weekly": weekly, "hourly": hourly, "monthly": monthly}
        start = f"2026-{month:02d}-{day:02d}T{int(hour):02d}:{int(hour % 1 * 60):02d}"
        data = merge(tiny(), {"clock": {"start": start, "horizon": f"{days}d", "warmup": 0},
                              "traffic": {"main": {k: v for k, v in flow.items() if v is not None}}})
        data["nodes"]["post"]["lanes"] = 20  # never saturated: every truck arrives
        scenario = build_scenario(data)
        world = World(scenario, 0, 3)
        world.run()
        expected = budget.estimate(scenario).trucks
        assert abs(world.next_id - expected) <= 5 * expected ** 0.5 + 3, (world.next_id, expected)

    check()


def test_values_outside_the_sections_the_estimate_reads_do_not_change_it():
    """The uncertainty check makes each point with only budget.SECTIONS' paths: what else a group
    moves (lanes, officers, risk) must leave the estimate as it is; what it reads must not."""
    scenario = load_scenario(ROOT / "scenarios" / "middle_corridor.yaml")
    plain = budget.estimate(scenario)
    moved = derive(scenario, {"nodes.red_bridge.controls.AZ.exit.lanes": 1, "risk_classes.low.noncompliance": 0.5,
                              "customs.default.document.paper_tir.mean": "9h"})
    assert budget.estimate(moved) == plain
    assert budget.estimate(derive(scenario, {"traffic.bg-khorgos-west.per_day": 2000})).trucks > plain.trucks
    assert {"traffic", "clock", "caravans"} <= set(budget.SECTIONS)
