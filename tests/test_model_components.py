"""Each component of a lead time on its own.

Every case is a deterministic world (fixed times, caravans leaving at a known hour, links of
0 km) in which a truck spends time in one way only, so the whole lead time must be booked to
that one component and nothing to the others. Hand-computed answers, exact to rounding.
"""
from __future__ import annotations

import pytest

from corridor_sim.model import COMPONENTS, simulate
from corridor_sim.results.tables import replication_frames
from corridor_sim.scenario.loader import build_scenario, merge

QUIET = {  # customs that take no time and select nobody
    "default": {
        "document": {"paper_tir": 0, "etir": 0, "national": 0},
        "document_error": {"paper_tir": 0, "etir": 0, "national": 0},
        "channels": {"low": {"yellow": 0, "red": 0}},
        "yellow_check": "1h", "inspection": "1h", "error_delay": "1h",
    }
}


def world(**overrides) -> dict:
    """terminal `a` -> bcp `post` (AA/BB, one lane) -> terminal `b`, 0 km each; one caravan of
    two trucks (not a convoy) leaves `a` on Monday 2026-01-05 at 10:00 (hour 10)."""
    data = {
        "name": "components",
        "clock": {"start": "2026-01-05T00:00", "horizon": "2d"},
        "drivers": {"rules": "none", "speed_kmh": 50},
        "risk_classes": {"low": {"noncompliance": 0.0}},
        "customs": QUIET,
        "nodes": {
            "a": {"kind": "terminal", "country": "AA"},
            "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 1, "inspection_bays": 1},
            "b": {"kind": "terminal", "country": "BB"},
        },
        "links": {"a -> post": {"km": 0}, "post -> b": {"km": 0}},
        "caravans": {"pair": {"route": ["a", "post", "b"], "depart": "2026-01-05T10:00", "trucks": 1,
                              "regime": "paper_tir", "risk": "low"}},
    }
    return merge(data, overrides)


def booked(data: dict) -> list[dict[str, float]]:
    trucks = replication_frames(simulate(build_scenario(data), 0, 3))["trucks"].sort_values("index")
    return [{c: float(row[f"{c}_h"]) for c in COMPONENTS} | {"lead": float(row["lead_time_h"])}
            for _, row in trucks.iterrows()]


def assert_booked(times: dict[str, float], **hours: float) -> None:
    """The named components hold these hours and every other component nothing."""
    for component, expected in hours.items():
        assert times[component] == pytest.approx(expected, abs=1e-9), (component, times)
    others = {c: times[c] for c in COMPONENTS if c not in hours}
    assert all(abs(v) < 1e-9 for v in others.values()), others


def assert_only(times: dict[str, float], component: str, hours: float) -> None:
    assert times["lead"] == pytest.approx(hours, abs=1e-9)
    assert_booked(times, **{component: hours})


def exit_customs(**policy) -> dict:
    return {"customs": {"AA": policy}}


CASES = {
    # 120 km at a fixed 50 km/h, no driving rules
    "drive": ({"links": {"a -> post": {"km": 120}}}, "drive", 2.4),
    # the post opens at 13:00; the truck is there at 10:00
    "closed": ({"nodes": {"post": {"hours": "13:00-23:00"}}}, "closed", 3.0),
    # paper TIR document check at AA's exit
    "document": (exit_customs(document={"paper_tir": "45min"}), "document", 0.75),
    # a document error always, corrected in 2 h, with no check time of its own
    "error correction": (exit_customs(document_error={"paper_tir": 1.0}, error_delay="2h"), "document", 2.0),
    # every truck yellow: the documentary check is document time, in the lane
    "yellow check": (exit_customs(channels={"low": {"yellow": 1.0, "red": 0}}, yellow_check="1.5h"), "document", 1.5),
    # every truck red: the inspection in a bay
    "inspection": (exit_customs(channels={"low": {"yellow": 0, "red": 1.0}}, inspection="4h"), "inspection", 4.0),
    # physical handling in the lane (transloading) is booked with inspection; at AA's control only
    "handling": ({"nodes": {"post": {"controls": {"AA": {"handling": "1.25h"}}}}}, "inspection", 1.25),
    # no road permit left for the day the clock starts in: the truck waits at BB's entry for midnight
    "permit": ({"road_permits": {"AA -> BB": {"permits": 5, "period": "day", "at_start": 0}}}, "permit", 14.0),
    # every truck red at AA, scanned (20 min) and cleared: the scan is inspection time, no bay
    "scan": ({"customs": {"AA": {"channels": {"low": {"yellow": 0, "red": 1.0}}}},
              "nodes": {"post": {"controls": {"AA": {"scanners": {"count": 1, "scan": "20min", "hit_rate": 1,
                                                                 "false_alarm": 0}}}}}}, "inspection", 1 / 3),
}


@pytest.mark.parametrize("case", CASES)
def test_one_kind_of_time_is_booked_to_its_component_only(case):
    overrides, component, hours = CASES[case]
    (truck,) = booked(world(**overrides))
    assert_only(truck, component, hours)


def test_rest_is_booked_as_rest_and_driving_as_drive():
    # 12 h of wheel time under AETR: 4.5 h, 45 min break, 4.5 h, 11 h daily rest (9 h a day), 3 h
    (truck,) = booked(world(drivers={"rules": "aetr", "speed_kmh": 50}, links={"a -> post": {"km": 600}}))
    assert_booked(truck, drive=12.0, rest=0.75 + 11.0)
    assert truck["lead"] == pytest.approx(12.0 + 11.75, abs=1e-9)


def test_waiting_for_the_lane_is_queue_time():
    # two trucks at a one-lane post with a 1 h document check: the second waits 1 h for the lane
    data = world(caravans={"pair": {"trucks": 2}}, **exit_customs(document={"paper_tir": "1h"}))
    first, second = booked(data)
    assert_only(first, "document", 1.0)
    assert_booked(second, queue=1.0, document=1.0)


def test_waiting_for_an_inspection_bay_is_queue_time():
    data = world(caravans={"pair": {"trucks": 2}},
                 nodes={"post": {"lanes": 2}},
                 **exit_customs(channels={"low": {"yellow": 0, "red": 1.0}}, inspection="3h"))
    first, second = booked(data)
    assert_only(first, "inspection", 3.0)
    assert_booked(second, queue=3.0, inspection=3.0)


def test_waiting_for_the_rest_of_the_convoy_is_queue_time():
    # a convoy of two at a one-lane post with a 1 h check: the first through waits 1 h for the
    # second before they leave together (queue, not rest), the second waited 1 h for the lane
    data = world(caravans={"pair": {"trucks": 2, "convoy": True}}, **exit_customs(document={"paper_tir": "1h"}))
    first, second = booked(data)
    for truck in (first, second):
        assert truck["queue"] == pytest.approx(1.0, abs=1e-9)
        assert truck["document"] == pytest.approx(1.0, abs=1e-9)
        assert truck["rest"] == 0 and truck["lead"] == pytest.approx(2.0, abs=1e-9)


def ferry_world() -> dict:
    """Port `p` (KZ) -> ferry to port `q` (AZ), daily departures at 00:00, 10 h at sea."""
    return {
        "name": "ferry-components",
        "clock": {"start": "2026-01-05T00:00", "horizon": "3d"},
        "drivers": {"rules": "none"},
        "risk_classes": {"low": {"noncompliance": 0.0}},
        "customs": QUIET,
        "nodes": {"p": {"kind": "port", "country": "KZ"}, "q": {"kind": "port", "country": "AZ"}},
        "links": {"p <-> q": {"mode": "ferry", "vessels": 2, "capacity": 10, "sailing": "10h",
                              "departs": {"every": "24h"}}},
        "caravans": {"one": {"route": ["p", "q"], "depart": "2026-01-05T05:00", "trucks": 1}},
    }


def test_ferry_wait_and_sailing_are_booked_apart():
    (truck,) = booked(ferry_world())
    assert_booked(truck, ferry_wait=19.0, ferry_sail=10.0)  # 05:00 to the next day's 00:00 sailing
    assert truck["lead"] == pytest.approx(29.0, abs=1e-9)


def test_lane_utilisation_covers_the_whole_window_after_the_last_truck():
    # one truck, 1 h at AA's one lane, in a 2-day window: the lane was busy 1 h of 48, although
    # the simulation ends at hour 11, when the truck arrives
    result = simulate(build_scenario(world(**exit_customs(document={"paper_tir": "1h"}))), 0, 3)
    assert result.end_h == pytest.approx(11.0)
    (aa,) = [c for c in result.controls if c.country == "AA"]
    assert aa.lane_utilisation == pytest.approx(1.0 / 48.0, abs=1e-12)


@pytest.mark.parametrize("aside, second_queue", [((), 2.5), (("yellow_check",), 0.5)])
def test_a_yellow_check_done_aside_frees_the_lane(aside, second_queue):
    # one lane, a 30-minute document check, every truck yellow with a 2 h check; two trucks at 10:00.
    # In the lane the second waits 2.5 h; pulled aside, only for the first's document check
    data = world(caravans={"pair": {"trucks": 2}}, nodes={"post": {"pull_aside": list(aside)}},
                 **exit_customs(document={"paper_tir": "30min"}, channels={"low": {"yellow": 1.0, "red": 0}},
                                yellow_check="2h"))
    first, second = booked(data)
    assert_only(first, "document", 2.5)
    assert second["queue"] == pytest.approx(second_queue, abs=1e-9)
    assert second["document"] == pytest.approx(2.5, abs=1e-9)


def test_an_error_corrected_aside_is_document_time_out_of_the_lane():
    data = world(caravans={"pair": {"trucks": 2}}, nodes={"post": {"pull_aside": ["error_correction"]}},
                 **exit_customs(document={"paper_tir": "30min"}, document_error={"paper_tir": 1.0}, error_delay="3h"))
    first, second = booked(data)
    assert_only(first, "document", 3.5)
    assert second["queue"] == pytest.approx(0.5, abs=1e-9) and second["document"] == pytest.approx(3.5, abs=1e-9)
