"""Control capacity that changes: shifts, outages, regime priority lanes and the two sides of a
crossing coupled by a neutral zone; hand-computed cases, and conservation, Little's law and
utilisation under random traffic."""
from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.errors import ScenarioError
from corridor_sim.model import simulate
from corridor_sim.model.staffing import LaneSchedule
from corridor_sim.results.tables import replication_frames
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from test_model_components import exit_customs, world

MON = 0.0  # week hours: Monday 00:00
SAT, SUN = 5 * 24.0, 6 * 24.0


def test_the_schedule_takes_the_shift_in_force_and_the_largest_where_shifts_overlap():
    schedule = LaneSchedule(2, {"Mon-Fri 08:00-20:00": 5, "Sat 09:00-13:00": 3, "Mon 10:00-12:00": 7})
    assert schedule.at(MON + 7)[0] == 2
    assert schedule.at(MON + 9) == (5, MON + 10)
    assert schedule.at(MON + 11) == (7, MON + 12)
    assert schedule.at(MON + 12)[0] == 5
    assert schedule.at(SAT + 10) == (3, SAT + 13)
    assert schedule.at(SUN + 23)[0] == 2 and schedule.most == 7
    assert LaneSchedule(4, {}).constant and LaneSchedule(4, {"Mon 08:00-09:00": 4}).constant


def test_a_lane_that_closes_finishes_its_truck_and_takes_no_new_one():
    # one lane, three from 08:00 to 10:00 on Monday; a 2 h check at AA's exit. Three trucks come at
    # 09:00 and are all served at once (09:00-11:00), although two lanes close at 10:00; two more
    # come at 10:30 and wait: the one lane left takes the first at 11:00 and the second at 13:00
    data = world(caravans={"pair": {"trucks": 3, "depart": "2026-01-05T09:00"},
                           "later": {"route": ["a", "post", "b"], "depart": "2026-01-05T10:30", "trucks": 2,
                                     "regime": "paper_tir", "risk": "low"}},
                 nodes={"post": {"controls": {"AA": {"exit": {"shifts": {"Mon 08:00-10:00": 3}}}}}},
                 **exit_customs(document={"paper_tir": "2h"}))
    trucks = replication_frames(simulate(build_scenario(data), 0, 3))["trucks"]

    def times(caravan: str) -> list[dict[str, float]]:
        rows = trucks[trucks["caravan"] == caravan].sort_values("index")
        return [{"queue": float(r["queue_h"]), "lead": float(r["lead_time_h"])} for _, r in rows.iterrows()]

    first, later = times("pair"), times("later")
    assert [t["queue"] for t in first] == [0.0, 0.0, 0.0]
    assert [t["lead"] for t in first] == pytest.approx([2.0, 2.0, 2.0], abs=1e-9)
    assert [t["queue"] for t in later] == pytest.approx([0.5, 2.5], abs=1e-9)
    assert [t["lead"] for t in later] == pytest.approx([2.5, 4.5], abs=1e-9)
    result = simulate(build_scenario(data), 0, 3)
    (aa,) = [c for c in result.controls if c.country == "AA"]
    # busy 3 x 2 + 2 x 2 = 10 lane-hours of 1 x 48 + 2 x 2 = 52 staffed in the two-day window
    assert aa.lanes == 3
    assert aa.lane_utilisation == pytest.approx(10 / 52, abs=1e-12)


def test_little_and_utilisation_hold_when_lanes_follow_shifts():
    # two lanes at night and at weekends, five on weekday days; 100 trucks a day, exponential
    # 30-minute checks: nights run over capacity (rho 1.04) and the days clear them
    shifts = {"Mon-Fri 08:00-20:00": 5}
    data = merge(tiny(), {
        "clock": {"start": "2026-01-05T00:00", "horizon": "56d", "warmup": "7d"},
        "customs": {"default": {"document": {"paper_tir": {"dist": "exponential", "mean": "30min"}},
                                "document_error": {"paper_tir": 0}, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"post": {"lanes": 2, "shifts": shifts}},
        "traffic": {"main": {"per_day": 100}},
    })
    scenario = build_scenario(data)
    staffed = (2 * (168 - 60) + 5 * 60) / 168  # mean lanes staffed over a week
    for replication in range(2):
        result = simulate(scenario, replication, 9)
        assert result.arrived == result.created  # conservation: every truck got through
        for c in result.controls:
            assert c.trucks > 4000 and c.lanes == 5
            little = c.arrivals_per_h * c.mean_queue_h
            assert c.mean_queue_len == pytest.approx(little, rel=0.03, abs=1e-3), c
            # busy lane-hours = arrivals x mean check: about 100 / 24 x 0.5 lanes busy
            assert c.lane_utilisation == pytest.approx(100 / 24 * 0.5 / staffed, rel=0.05), c
        assert max(c.mean_queue_h for c in result.controls) > 0.1  # the night shift does make queues


def test_a_shift_that_is_not_opening_hours_is_refused_with_its_path():
    with pytest.raises(ScenarioError, match=r"nodes\.post\.shifts.*shift 'Mon 25:00-26:00'"):
        build_scenario(merge(tiny(), {"nodes": {"post": {"shifts": {"Mon 25:00-26:00": 3}}}}))
    with pytest.raises(ScenarioError, match=r"nodes\.post\.shifts"):
        build_scenario(merge(tiny(), {"nodes": {"post": {"shifts": {"Mon 08:00-10:00": 0}}}}))


def outage_world(**outage) -> dict:
    """Two caravans at AA's one-lane exit (a 1 h check): one at 09:00, one at 10:00 on Monday."""
    return world(caravans={"pair": {"trucks": 1, "depart": "2026-01-05T09:00"},
                           "later": {"route": ["a", "post", "b"], "depart": "2026-01-05T10:00", "trucks": 1,
                                     "regime": "paper_tir", "risk": "low"}},
                 nodes={"post": {"controls": {"AA": {"exit": {"outages": outage}}}}},
                 **exit_customs(document={"paper_tir": "1h"}))


def queue_times(data: dict) -> dict[str, float]:
    trucks = replication_frames(simulate(build_scenario(data), 0, 3))["trucks"]
    return dict(zip(trucks["caravan"], trucks["queue_h"]))


def test_no_service_during_a_dated_outage_and_the_truck_in_service_finishes():
    # IT failure 09:30-12:00: the 09:00 truck finishes at 10:00; the 10:00 truck waits until 12:00
    data = outage_world(dated=[{"from": "2026-01-05T09:30", "to": "2026-01-05T12:00"}])
    assert queue_times(data) == pytest.approx({"pair": 0.0, "later": 2.0}, abs=1e-9)
    result = simulate(build_scenario(data), 0, 3)
    (aa,) = [c for c in result.controls if c.country == "AA"]
    assert aa.outage_hours == pytest.approx(2.5)
    # lane-hours worked: 48 h less the 2.5 h out; busy 2 h
    assert aa.lane_utilisation == pytest.approx(2.0 / 45.5, abs=1e-12)


def test_an_outage_that_leaves_lanes_working_only_slows_the_control():
    # three lanes, one left working from 09:30: the 10:00 truck still finds it free once the
    # 09:00 truck has left it at 10:00
    data = merge(outage_world(dated=[{"from": "2026-01-05T09:30", "to": "2026-01-05T12:00", "lanes": 1}]),
                 {"nodes": {"post": {"lanes": 3}}, "caravans": {"later": {"depart": "2026-01-05T09:45"}}})
    assert queue_times(data) == pytest.approx({"pair": 0.0, "later": 0.25}, abs=1e-9)


def test_random_outages_cover_the_share_of_time_poisson_starts_predict():
    # starts at 2 a day, each 3 h: the share of time with an outage in progress is 1 - exp(-2 x 3 / 24)
    data = merge(tiny(), {"clock": {"start": "2026-01-05T00:00", "horizon": "200d"},
                          "nodes": {"post": {"outages": {"random": {"per_year": 730, "duration": "3h"}}}},
                          "traffic": {"main": {"per_day": 1}}})
    result = simulate(build_scenario(data), 0, 5)
    expected = 1 - np.exp(-730 / 8760 * 3)
    for c in result.controls:  # both controls of the post, each with its own outages
        # about 400 outages: the share's sd is about 0.015
        assert c.outage_hours / (200 * 24) == pytest.approx(expected, abs=0.05)
    a, b = (c.outage_hours for c in result.controls)
    assert a != b


def test_a_regime_priority_lane_serves_that_regime_first():
    # one lane at AA's exit, 1 h checks; two paper-TIR trucks come at 10:00, an e-TIR truck at 10:30.
    # Without priority it waits for both (1.5 h); with AA's green lane for e-TIR it goes next (0.5 h)
    # and the second paper truck waits for it (2 h)
    def run(priority: list[str]) -> dict[tuple[str, int], float]:
        data = world(caravans={"pair": {"trucks": 2},
                               "green": {"route": ["a", "post", "b"], "depart": "2026-01-05T10:30", "trucks": 1,
                                         "regime": "etir", "risk": "low"}},
                     **exit_customs(document={"paper_tir": "1h", "etir": "1h"}, priority_regimes=priority))
        trucks = replication_frames(simulate(build_scenario(data), 0, 3))["trucks"]
        return {(c, int(i)): float(q) for c, i, q in zip(trucks["caravan"], trucks["index"], trucks["queue_h"])}

    assert run([]) == pytest.approx({("pair", 0): 0.0, ("pair", 1): 1.0, ("green", 0): 1.5})
    assert run(["etir"]) == pytest.approx({("pair", 0): 0.0, ("pair", 1): 2.0, ("green", 0): 0.5})


@pytest.mark.parametrize("room, exit_means, entry_means", [
    (None, 2.0, 5.0),        # uncoupled: the entry side's queue forms at the entry side
    (0, 4.0, 3.0),           # no room between: trucks wait in the exit lane, and block it
    (1, 7 / 3, 14 / 3),      # room for one: the second waits in the zone, the third in the exit lane
])
def test_the_two_sides_of_a_crossing_coupled_by_a_neutral_zone(room, exit_means, entry_means):
    # three trucks at 10:00; AA's exit: one lane, 1 h; BB's entry: one lane, 3 h. Uncoupled, exit
    # times 1, 2, 3 h and entry times 3, 5, 7 h. No room: the second is cleared at 12:00 but holds
    # the exit lane until BB takes it at 14:00 (exit 4 h, entry 3 h) and the third starts at 14:00
    # (exit 7 h, entry 3 h). Room for one: the second leaves the lane for the zone at 12:00 (exit 2 h,
    # entry 5 h); the third, cleared at 13:00, waits for the zone until 14:00 (exit 4 h, entry 6 h)
    nodes = {"post": {"neutral_zone": room}} if room is not None else {}
    data = world(caravans={"pair": {"trucks": 3}}, nodes=nodes,
                 customs={"AA": {"document": {"paper_tir": "1h"}}, "BB": {"document": {"paper_tir": "3h"}}})
    data = merge(data, {"nodes": {"post": {"controls": {"BB": {"lanes": 1}}}}})
    result = simulate(build_scenario(data), 0, 3)
    by_side = {r.direction: r for r in result.control_groups}
    assert by_side["exit"].mean_time_h == pytest.approx(exit_means, abs=1e-9)
    assert by_side["entry"].mean_time_h == pytest.approx(entry_means, abs=1e-9)
    lead = result.trucks["arrive_h"] - result.trucks["depart_h"]
    assert sorted(lead) == pytest.approx([4.0, 7.0, 10.0], abs=1e-9)  # the entry side sets the pace


def test_a_neutral_zone_belongs_to_a_two_sided_crossing():
    with pytest.raises(ScenarioError, match="joint control has one side"):
        build_scenario(merge(tiny(), {"nodes": {"post": {"joint_control": True, "neutral_zone": 5}}}))
    with pytest.raises(ScenarioError, match="neutral_zone applies to a bcp"):
        build_scenario(merge(tiny(), {"nodes": {"origin": {"neutral_zone": 5}}}))


@pytest.mark.parametrize("room", [0, 3])
def test_coupled_sides_under_random_traffic_lose_no_truck_and_book_every_hour(room):
    data = merge(tiny(), {
        "clock": {"start": "2026-01-05T00:00", "horizon": "20d", "warmup": "2d"},
        "customs": {"default": {"document": {"paper_tir": {"dist": "exponential", "mean": "40min"}},
                                "channels": {"low": {"yellow": 0.2, "red": 0.1}}},
                    "BB": {"document": {"paper_tir": {"dist": "exponential", "mean": "50min"}}}},
        "nodes": {"post": {"lanes": 2, "neutral_zone": room, "pull_aside": ["yellow_check"]}},
        "traffic": {"main": {"per_day": 50}},
    })
    result = simulate(build_scenario(data), 0, 2)
    assert result.arrived == result.created
    t = result.trucks
    parts = sum(t[f"{c}_h"] for c in ("drive", "rest", "closed", "queue", "document", "inspection",
                                       "ferry_wait", "ferry_sail"))
    assert np.allclose(parts, t["arrive_h"] - t["depart_h"], atol=1e-9)
    assert (t["queue_h"] >= 0).all() and len(t["truck"]) > 700


def test_an_admission_cap_books_the_next_free_day_first_come_first_served():
    # at most two trucks a day at AA's exit; five come on Monday at 10:00 (no checks): two pass at
    # once, two on Tuesday at 00:00 (14 h in the e-queue) and the last on Wednesday at 00:00 (38 h)
    data = world(caravans={"pair": {"trucks": 5}},
                 nodes={"post": {"controls": {"AA": {"exit": {"admissions_per_day": 2}}}}})
    trucks = replication_frames(simulate(build_scenario(data), 0, 3))["trucks"].sort_values("index")
    assert list(trucks["booking_h"]) == pytest.approx([0, 0, 14, 14, 38], abs=1e-9)
    assert list(trucks["lead_time_h"]) == pytest.approx([0, 0, 14, 14, 38], abs=1e-9)
    assert (trucks["queue_h"] == 0).all()


def test_never_more_than_the_cap_admitted_a_day_under_random_traffic():
    # 30 trucks a day against a cap of 20: the e-queue grows, and no day admits more than 20
    data = merge(tiny(), {"clock": {"start": "2026-01-05T06:00", "horizon": "10d", "warmup": "0h"},
                          "drivers": {"rules": "none", "speed_kmh": 60},
                          "nodes": {"post": {"lanes": 5, "controls": {"AA": {"admissions_per_day": 20}}}},
                          "traffic": {"main": {"per_day": 30}}})
    result = simulate(build_scenario(data), 0, 4)
    t = result.trucks
    assert result.arrived == result.created
    # the post is 1 h from the origin; trucks are admitted to the exit control after their booking
    admitted = t["depart_h"] + 1.0 + t["booking_h"]
    days = np.floor((admitted + 6.0) / 24.0 + 1e-9).astype(int)  # hour 0 is 06:00
    assert np.bincount(days).max() <= 20
    assert np.bincount(days)[2:8].min() == 20  # once the queue has formed, every day is full
    assert t["booking_h"].max() > 48
