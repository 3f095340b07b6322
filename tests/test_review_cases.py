"""Figures a plausible slip in the model or its statistics would change, each against an answer
known independently: by construction, from the trace, or from a formula.

Every scenario here is small and built from YAML text; the tests read only the scenario format,
`run` and the result tables and summary, never the model's internals.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import corridor_sim
from corridor_sim.calibrate import evaluate, load_targets

ONE_BORDER = """\
  origin: {kind: terminal, country: AA}
  post: {kind: bcp, border: [AA, BB], POST}
  destination: {kind: terminal, country: BB}
links:
  origin <-> post: {km: 60}
  post <-> destination: {km: 60}
"""


def load(tmp_path: Path, text: str, name: str = "s.yaml") -> corridor_sim.Scenario:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return corridor_sim.load_scenario(path)


def control(result, node: str, direction: str, country: str | None = None):
    rows = result.controls[(result.controls["node"] == node) & (result.controls["direction"] == direction)]
    if country is not None:
        rows = rows[rows["country"] == country]
    assert len(rows) == len(result.controls["replication"].unique()), rows
    return rows


# --- a joint control takes the stricter country's detection -----------------------------------

JOINT_DETECTION = """\
name: joint-detection
clock: {start: 2026-01-05T00:00, horizon: 4d, warmup: 1d}
drivers: {rules: none, speed_kmh: 60}
risk_classes: {bad: {noncompliance: 1}}
customs:
  default: {channels: {bad: {yellow: 0, red: 1}}, inspection: 6min}
  AA: {detection: DET_AA}
  BB: {detection: DET_BB}
nodes:
""" + ONE_BORDER.replace("POST", "joint_control: true, lanes: 4, inspection_bays: 4") + """\
traffic:
  main: {route: [origin, post, destination], per_day: 24}
"""


@pytest.mark.parametrize("aa, bb", [(1.0, 0.0), (0.0, 1.0)], ids=["AA-strict", "BB-strict"])
def test_joint_control_detects_with_the_stricter_countrys_rate(tmp_path, aa, bb):
    # Every truck is non-compliant and sent red; one country always finds the violation, the other
    # never does. With the higher of the two rates every red truck is caught, with the lower none,
    # so the expected figures are exact (no sampling tolerance). Both orders: not "the first country".
    text = JOINT_DETECTION.replace("DET_AA", str(aa)).replace("DET_BB", str(bb))
    result = corridor_sim.run(load(tmp_path, text), replications=1, seed=3)
    row = control(result, "post", "joint").iloc[0]
    assert row["trucks"] > 30
    assert row["red"] == row["trucks"] and row["detections"] == row["trucks"]
    trucks = result.trucks
    assert len(trucks) > 30 and trucks["noncompliant"].all() and (trucks["inspections"] == 1).all()
    assert trucks["detected"].all()
    assert result.scenario()["detection_rate"]["mean"] == 1.0


# --- a control's p95 time is the 95th percentile of the times spent there ---------------------

SPREAD_TIMES = """\
name: control-p95
clock: {start: 2026-01-05T00:00, horizon: 11d, warmup: 1d}
drivers: {rules: none, speed_kmh: 60}
customs:
  default:
    document: {paper_tir: {dist: exponential, mean: 3h}}
    document_error: {paper_tir: 0}
    channels: {low: {yellow: 0, red: 0}}
nodes:
""" + ONE_BORDER.replace("POST", "joint_control: true, lanes: 40") + """\
traffic:
  main: {route: [origin, post, destination], per_day: 24}
"""


def test_control_p95_time_is_the_95th_percentile_of_traced_times(tmp_path):
    # A joint control is the only stop at its node, so a truck's time there is its `leave` minus
    # its `arrive` event at the node; the controls table counts the trucks that arrive in
    # [warm-up, horizon). The same floats go into both, so the quantiles agree to rounding.
    scenario = load(tmp_path, SPREAD_TIMES)
    result = corridor_sim.run(scenario, replications=1, seed=5, trace=True)
    trace = result.trace
    at_post = trace[trace["node"] == "post"].pivot_table(index="truck", columns="event", values="time_h", aggfunc="first")
    warmup, horizon = scenario.clock.warmup, scenario.clock.horizon
    window = at_post[(at_post["arrive"] >= warmup) & (at_post["arrive"] < horizon)]
    times = (window["leave"] - window["arrive"]).to_numpy()
    row = control(result, "post", "joint").iloc[0]
    assert row["trucks"] == len(times) > 150
    assert row["mean_time_h"] == pytest.approx(times.mean(), rel=1e-9)
    assert row["p95_time_h"] == pytest.approx(np.quantile(times, 0.95), rel=1e-9)
    # the stop lasts the longer of two exponential checks (mean 3 h): its p95 and p90 lie 2.1 h
    # apart, so a p90 reported as p95 cannot pass for it; checked on the sample itself
    assert np.quantile(times, 0.95) - np.quantile(times, 0.90) > 0.5


# --- bay utilisation is the inspection work over the inspection bays ------------------------

BAYS = """\
name: bay-utilisation
clock: {start: 2026-01-05T00:00, horizon: 21d, warmup: 1d}
drivers: {rules: none, speed_kmh: 60}
customs:
  default: {channels: {low: {yellow: 0, red: 0}}, inspection: 2h}
  AA: {channels: {low: {yellow: 0, red: 0.25}}}
nodes:
""" + ONE_BORDER.replace("POST", "lanes: 4, inspection_bays: 2") + """\
traffic:
  main: {route: [origin, post, destination], per_day: 48}
"""


def test_bay_utilisation_is_inspection_work_over_the_bays(tmp_path):
    # AA's exit control sends a quarter of the trucks to a fixed 2 h inspection in one of 2 bays
    # (4 lanes, so dividing by the lanes would halve the figure). Busy bay-hours in the window are
    # the red trucks counted in it times 2 h, up to the inspections under way or queued at the
    # warm-up and at the horizon: at ~50% utilisation a few trucks at each end, some 20 of
    # 960 bay-hours, 2%. Using the table's own arrival count and red count removes the Poisson
    # noise of the arrivals, so 5% is a sound tolerance, and the wrong divisor is off by 50%.
    result = corridor_sim.run(load(tmp_path, BAYS), replications=1, seed=8)
    row = control(result, "post", "exit", "AA").iloc[0]
    assert (row["lanes"], row["inspection_bays"]) == (4, 2)
    assert row["red"] > 150
    expected = row["arrivals_per_h"] * (row["red"] / row["trucks"]) * 2.0 / 2
    assert row["bay_utilisation"] == pytest.approx(expected, rel=0.05)
    assert control(result, "post", "entry", "BB").iloc[0]["bay_utilisation"] == 0.0


# --- calibration combines controls weighted by their trucks -----------------------------------

UNEQUAL = """\
name: unequal-controls
clock: {start: 2026-01-05T00:00, horizon: 8d, warmup: 1d}
drivers: {rules: none, speed_kmh: 60}
customs:
  default:
    document: {paper_tir: 0h, etir: 0h}
    document_error: {paper_tir: 0, etir: 0}
    channels: {low: {yellow: 1, red: 0}}
    yellow_check: 0h
    etir_preclear: 1
nodes:
""" + ONE_BORDER.replace("POST", "lanes: 50, controls: {AA: {entry: {handling: 5h}}, BB: {exit: {handling: 5h}}}") + """\
traffic:
  eastbound: {route: [origin, post, destination], per_day: 40}
  westbound: {route: [destination, post, origin], per_day: 4, regime: {etir: 1}}
"""

UNEQUAL_TARGETS = """\
name: unequal
targets:
  - {metric: control_time, node: post, value: 0.5}
  - {metric: yellow_share, node: post, country: AA, value: 0.9}
"""


def test_calibration_weights_controls_by_their_trucks(tmp_path):
    # The heavy eastbound flow (40 a day, paper TIR) passes AA exit and BB entry in no time at
    # all and always yellow at AA; the light westbound flow (4 a day, e-TIR, so every yellow
    # check is pre-cleared) is handled 5 h at BB exit and at AA entry. No queue (50 lanes), no
    # document time: every truck's time at a control is 0 or 5 h by construction (to rounding). So the
    # truck-weighted figures are exact functions of the controls' truck counts; the plain mean
    # over controls would be 2.5 h and 0.5 instead of about 0.45 h and 0.91.
    result = corridor_sim.run(load(tmp_path, UNEQUAL), replications=2, seed=4)
    (tmp_path / "targets.yaml").write_text(UNEQUAL_TARGETS, encoding="utf-8")
    table = evaluate(result, load_targets(tmp_path / "targets.yaml")).set_index("metric")
    rows = result.controls[result.controls["node"] == "post"]
    counts = rows.pivot_table(index="replication", columns=["country", "direction"], values="trucks")
    times = rows.set_index(["country", "direction"])["mean_time_h"]
    assert np.allclose(times.loc[[("AA", "entry"), ("BB", "exit")]], 5.0, rtol=1e-12, atol=1e-9)
    assert np.allclose(times.loc[[("AA", "exit"), ("BB", "entry")]], 0.0, rtol=0, atol=1e-9)
    slow = counts[("AA", "entry")] + counts[("BB", "exit")]
    control_time = (5.0 * slow / counts.sum(axis=1)).mean()
    yellow_share = (counts[("AA", "exit")] / (counts[("AA", "exit")] + counts[("AA", "entry")])).mean()
    assert counts[("AA", "exit")].min() > 3 * counts[("AA", "entry")].max()  # weighting matters
    assert table.loc["control_time", "simulated"] == pytest.approx(control_time, rel=1e-9)
    assert table.loc["yellow_share", "simulated"] == pytest.approx(yellow_share, rel=1e-9)
    assert table.loc["control_time", "replications"] == 2


# --- storm hours are the hours some storm closes the link, overlaps counted once --------------

STORMS = """\
name: overlapping-storms
clock: {start: 2026-01-05T00:00, horizon: 105d, warmup: 5d}
drivers: {rules: none, speed_kmh: 60}
customs:
  default: {channels: {low: {yellow: 0, red: 0}}}
nodes:
  origin: {kind: terminal, country: AA}
  west: {kind: port, country: AA, lanes: 20}
  east: {kind: port, country: BB, lanes: 20}
  end: {kind: terminal, country: BB}
links:
  origin -> west: {km: 60}
  west <-> east:
    mode: ferry
    capacity: 500
    sailing: 5h
    departs: {every: 12h}
    storms: {per_year: 365, duration: {dist: empirical, values: [6h, 90h]}}
  east -> end: {km: 600}
traffic:
  main: {route: [origin, west, east, end], per_day: 24}
"""


def test_storm_hours_count_overlapping_storms_once(tmp_path):
    # Storms start as a Poisson process of rate 1/24 per hour in every month and last 6 h or 90 h
    # (mean 48 h), so at any instant after the first 90 h the number of storms under way is
    # Poisson with mean 2: the link is closed a share 1 - e^-2 = 86.5% of the time. Summing
    # each storm's length would give about twice the window, more than the window itself.
    scenario = load(tmp_path, STORMS)
    result = corridor_sim.run(scenario, replications=1, seed=12)
    ferries = result.ferries
    assert len(ferries) == 2 and ferries["storm_hours"].nunique() == 1  # one figure for the link
    hours = float(ferries["storm_hours"].iloc[0])
    window = scenario.clock.horizon - scenario.clock.warmup
    assert hours <= window
    # The closed time C of a window W has mean pW, p = 1 - q, q = e^(-lambda E[D]), and variance
    # at most 2W * integral of Cov(h) dh, where Cov(h) = q exp(-lambda E[min(h, D)]) - q^2 is the
    # covariance of "closed" at two instants h apart (zero beyond the longest storm, 90 h).
    lam, durations = 1 / 24, np.array([6.0, 90.0])
    q = math.exp(-lam * durations.mean())
    h = np.linspace(0.0, durations.max(), 2001)
    cov = q * np.exp(-lam * np.minimum(h[:, None], durations).mean(axis=1)) - q * q
    sd = math.sqrt(2 * window * float(np.sum((cov[1:] + cov[:-1]) / 2 * np.diff(h))))
    # sd is 125 h (a Monte Carlo of the same storm process gives 126 h); 4 sd, 500 h of 2075 h,
    # fails once in ~15,000 seeds, while counting overlaps twice adds some 2,700 h
    assert abs(hours - (1 - q) * window) <= 4 * sd, (hours, (1 - q) * window, sd)


# --- background flows load the queues but stay out of the headline figures --------------------

BACKGROUND = """\
name: with-background
clock: {start: 2026-01-05T00:00, horizon: 6d, warmup: 1d}
drivers: {rules: none, speed_kmh: 60}
customs:
  default: {channels: {low: {yellow: 0, red: 0}}}
nodes:
  origin: {kind: terminal, country: AA}
  post: {kind: bcp, border: [AA, BB], lanes: 4}
  destination: {kind: terminal, country: BB}
  far: {kind: terminal, country: BB}
links:
  origin -> post: {km: 60}
  post -> destination: {km: 60}
  destination -> far: {km: 1200}
traffic:
  main: {route: [origin, post, destination], per_day: 12}
  local: {route: [origin, post, destination, far], per_day: 24, background: true}
"""


def test_background_trucks_stay_out_of_the_summary(tmp_path):
    # The background flow is twice as busy as the counted one and drives 20 h further, so any of
    # its trucks in the counted figures would shift the mean lead time by hours.
    result = corridor_sim.run(load(tmp_path, BACKGROUND), replications=2, seed=6)
    trucks = result.trucks
    assert set(trucks["flow"]) == {"main"} and set(trucks["caravan"]) == {""}
    per_rep = trucks.groupby("replication")["lead_time_h"]
    assert per_rep.mean().max() < 5  # 2 h of driving and a short stop at the post

    reps = result.replications
    assert set(reps["flow"]) == {"*", "main"}
    for flow in ("*", "main"):
        rows = reps[reps["flow"] == flow].set_index("replication")
        assert (rows["trucks"] == per_rep.size()).all()
        assert np.allclose(rows["lead_time_mean_h"], per_rep.mean(), rtol=1e-12)

    summary = result.scenario()
    assert set(summary["flows"]) == {"main"}
    assert summary["trucks_per_replication"] == summary["flows"]["main"]["trucks_per_replication"] == per_rep.size().mean()
    assert summary["lead_time_h"]["mean"] == pytest.approx(per_rep.mean().mean(), rel=1e-12)
    assert summary["lead_time_h"]["mean"] == pytest.approx(summary["flows"]["main"]["lead_time_h"]["mean"], rel=1e-12)
    assert set(result.summary["flow"]) == {"*", "main"}

    # the background trucks were there: the post's controls saw about three times the counted trucks
    exit_trucks = control(result, "post", "exit", "AA")["trucks"].sum()
    assert exit_trucks > 2 * per_rep.size().sum()


def test_a_controls_closed_time_is_the_closed_time_its_trucks_booked():
    """`mean_closed_h` of a control is the mean of the closed time its trucks booked there, kept
    apart from the queue (a post closed at weekends is not a bottleneck)."""
    from conftest import tiny

    from corridor_sim.model import simulate
    from corridor_sim.scenario.loader import build_scenario, merge

    data = merge(tiny(), {"clock": {"horizon": "14d", "warmup": "0h"},
                          "nodes": {"post": {"hours": "Mon-Fri 08:00-18:00", "lanes": 4}},
                          "traffic": {"main": {"per_day": 30}}})
    result = simulate(build_scenario(data), 0, 3)
    t = result.trucks
    controls = {c.country: c for c in result.controls}
    assert controls["AA"].mean_closed_h > 5  # most trucks meet the post closed
    # trucks that reached the post before the horizon are the ones the controls counted; BB's entry
    # opens with AA's exit, so all the closed time is AA's
    reached = t["depart_h"] + 1.0 < 14 * 24
    booked = t["closed_h"][reached].sum()
    counted = sum(c.mean_closed_h * c.trucks for c in controls.values())
    assert counted == pytest.approx(booked, rel=0.02)
    assert controls["AA"].mean_queue_h < controls["AA"].mean_closed_h


def test_the_run_summary_ranks_controls_by_the_hours_trucks_lose_there():
    import pandas as pd

    from corridor_sim.cli.run_cmd import busiest_waits

    rows = [  # a weekend-closed post: long waits, few trucks; a big crossing: short waits, many trucks
        {"node": "post", "country": "KG", "direction": "exit", "arrivals_per_h": 2.0, "mean_time_h": 20.0,
         "mean_closed_h": 18.0, "mean_queue_h": 1.0, "lane_utilisation": 0.3},
        {"node": "bridge", "country": "AZ", "direction": "exit", "arrivals_per_h": 12.0, "mean_time_h": 6.0,
         "mean_closed_h": 0.0, "mean_queue_h": 4.0, "lane_utilisation": 0.9},
    ]
    waits = busiest_waits(pd.DataFrame(rows + [dict(rows[1], arrivals_per_h=14.0)]))
    assert list(waits.index.get_level_values("node")) == ["bridge", "post"]
    assert waits.iloc[0]["trucks_per_day"] == pytest.approx(13 * 24)  # the mean over replications
    assert waits.iloc[0]["truck_hours_per_day"] == pytest.approx(13 * 24 * 6.0)
    assert waits.iloc[1]["mean_closed_h"] == 18.0
