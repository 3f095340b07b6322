"""Opening hours and holidays: a closed control starts no service, and waiting for it is `closed` time.

Whether a control is open is decided here from the calendar date with `datetime`, independently
of the model's week arithmetic; the model's trace has a `service` event when officers start on a
truck.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from corridor_sim.model import simulate
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from worlds import close

START = dt.datetime(2026, 1, 5, 0, 0)  # a Monday
HOLIDAYS = {dt.date(2026, 1, 7), dt.date(2026, 1, 8), dt.date(2026, 1, 14)}
EPS_H = 1e-6


def open_at(hours: float) -> bool:
    """Mon-Fri 08:00-18:00 and Sat 10:00-14:00, closed on the holidays."""
    moment = START + dt.timedelta(hours=hours + EPS_H)  # a service that starts on the hour is open
    if moment.date() in HOLIDAYS:
        return False
    clock = moment.hour + moment.minute / 60 + moment.second / 3600
    if moment.weekday() < 5:
        return 8 <= clock < 18
    if moment.weekday() == 5:
        return 10 <= clock < 14
    return False


def calendar_world(**changes) -> dict:
    return merge(tiny(), {
        "clock": {"start": START.isoformat(), "horizon": "21d", "warmup": "0h"},
        "customs": {"default": {"document": {"paper_tir": {"dist": "lognormal", "mean": "40min", "cv": 0.6}}}},
        "nodes": {"post": {"lanes": 2, "hours": "Mon-Fri 08:00-18:00; Sat 10:00-14:00",
                           "holidays": ["2026-01-07..2026-01-08", "2026-01-14"]}},
        "links": {"origin -> post": {"km": 90}},
        "traffic": {"main": {"per_day": 30}},
        **changes,
    })


@pytest.fixture(scope="module")
def traced():
    result = simulate(build_scenario(calendar_world()), 0, 2, trace=True)
    return result, pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])


def test_no_service_starts_while_the_control_is_closed(traced):
    result, trace = traced
    starts = trace.loc[(trace["node"] == "post") & (trace["event"] == "service"), "time_h"]
    assert len(starts) == 2 * result.created  # AA's exit and BB's entry, every truck
    closed = [t for t in starts if not open_at(t)]
    assert closed == []
    # and trucks did come while it was closed: they waited, as `closed` time
    arrivals = trace.loc[(trace["node"] == "post") & (trace["event"] == "arrive"), "time_h"]
    assert sum(not open_at(t) for t in arrivals) > 100
    assert result.trucks["closed_h"].max() > 24 * 2  # over the two-day holiday


def next_opening(hours: float) -> float:
    """The first instant from `hours` on when the post is open (openings fall on whole hours)."""
    if open_at(hours):
        return hours
    t = float(np.ceil(hours))
    while not open_at(t):
        t += 1.0
    return t


def test_closed_time_is_exactly_the_wait_for_opening():
    # lanes to spare and BB's entry always open: the only wait is for AA's exit to open
    data = calendar_world()
    data["nodes"]["post"].update({"lanes": 100, "inspection_bays": 100, "controls": {"BB": {"hours": "24/7", "holidays": []}}})
    result = simulate(build_scenario(data), 0, 2, trace=True)
    trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
    post = trace[trace["node"] == "post"]
    arrive = post[post["event"] == "arrive"].set_index("truck")["time_h"]
    first_service = post[post["event"] == "service"].groupby("truck")["time_h"].min()
    trucks = pd.DataFrame(dict(result.trucks)).set_index("truck")
    assert (trucks["queue_h"] == 0).all()
    expected = np.array([next_opening(a) - a for a in arrive[trucks.index]])
    np.testing.assert_allclose(trucks["closed_h"], expected, atol=1e-9)
    np.testing.assert_allclose(first_service[trucks.index] - arrive[trucks.index], expected, atol=1e-9)
    assert (expected > 0).sum() > 100 and (expected == 0).sum() > 100


def test_a_truck_that_arrives_at_closing_time_waits_for_the_morning():
    data = calendar_world(caravans={"late": {"route": ["origin", "post", "destination"],
                                             "depart": "2026-01-05T16:30", "trucks": 1}})
    data["traffic"] = {}
    data["customs"] = {"default": {"document": {"paper_tir": "1h"}, "document_error": {"paper_tir": 0},
                                   "channels": {"low": {"yellow": 0, "red": 0}}}}
    result = simulate(build_scenario(data), 0, trace=True)
    trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
    services = trace.loc[trace["event"] == "service", "time_h"].tolist()
    # arrives 18:00 Monday: closed; both checks on Tuesday from 08:00 (AA 08:00-09:00, BB 09:00-10:00)
    assert services == [24 + 8.0, 24 + 9.0]
    assert result.trucks["closed_h"][0] == pytest.approx(14.0)


def test_a_shift_that_starts_as_the_control_opens_serves_the_trucks_waiting_for_it():
    # one lane at night, fifty from 08:00 to 20:00; the post opens at 08:00: the trucks that came
    # after it closed at 18:00 (fewer than fifty) ask for lanes at 08:00 and find the day shift's lanes, on every engine
    data = calendar_world()
    data["nodes"]["post"].update({"lanes": 1, "inspection_bays": 100, "shifts": {"08:00-20:00": 50}, "holidays": [],
                                  "hours": "Mon-Sun 08:00-18:00"})
    data["customs"] = {"default": {"document": {"paper_tir": "20min"}, "document_error": {"paper_tir": 0},
                                   "channels": {"low": {"yellow": 0, "red": 0}}}}
    scenario = build_scenario(data)
    for engine in ("reference", "fifo"):
        result = simulate(scenario, 0, engine=engine)
        post = next(c for c in result.controls if c.node == "post" and c.direction == "exit")
        assert post.max_queue_len == 0 and post.mean_queue_h == 0.0, engine
        assert result.trucks["closed_h"].max() > 12  # trucks did wait for the opening


def test_trucks_let_in_at_an_opening_start_in_order_of_arrival_on_every_engine():
    # two lanes and a background flow beside the counted one: at each opening the trucks outside the
    # event loop and those in it that came while the post was closed take the lanes in order of arrival
    data = calendar_world()
    data["traffic"]["local"] = {"route": ["origin", "post"], "per_day": 40, "background": True}
    scenario = build_scenario(data)
    reference = simulate(scenario, 0, 2, record_queues=True, engine="reference")
    fifo = simulate(scenario, 0, 2, record_queues=True)
    assert fifo.engine == "fifo" and fifo.outside > 0
    close(fifo, reference)
