"""`corridor-sim animate`: trucks placed on their trace, queues from their records, a GIF of the window."""
from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from corridor_sim.animate import (FERRY_LABEL, QUEUE_AREA, Moves, QueueKey, animate, check_coordinates, figure,
                                  ferry_queues, moves_from_trace, panel_of, queue_at)
from corridor_sim.model.stats import Changes
from corridor_sim.cli import main
from corridor_sim.errors import OutputError, ScenarioError
from corridor_sim.model import simulate
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny
from test_plots import located


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "located.yaml"
    path.write_text(yaml.safe_dump(located(), sort_keys=False), encoding="utf-8")
    return path


def test_a_truck_is_interpolated_between_its_trace_events():
    moves = Moves(truck=np.array([1, 1]), t0=np.array([0.0, 10.0]), t1=np.array([10.0, 14.0]),
                  start=np.array([[60.0, 40.0], [62.0, 41.0]]), end=np.array([[62.0, 41.0], [62.0, 41.0]]),
                  caravan=np.array([False, False]))
    xy, _ = moves.positions(5.0)
    assert np.allclose(xy, [[61.0, 40.5]])       # half way along the road
    xy, _ = moves.positions(12.0)
    assert np.allclose(xy, [[62.0, 41.0]])       # standing at the node
    assert len(moves.positions(14.0)[0]) == 0    # arrived: off the map


@given(t0=st.floats(0, 100), length=st.floats(0.01, 50), share=st.floats(0, 0.999),
       a=st.tuples(st.floats(-10, 10), st.floats(-10, 10)), b=st.tuples(st.floats(-10, 10), st.floats(-10, 10)))
@settings(max_examples=80, deadline=None)
def test_positions_stay_on_the_segment(t0, length, share, a, b):
    moves = Moves(np.array([1]), np.array([t0]), np.array([t0 + length]), np.array([a]), np.array([b]),
                  np.array([False]))
    xy, _ = moves.positions(t0 + share * length)
    assert len(xy) == 1
    lo, hi = np.minimum(a, b) - 1e-9, np.maximum(a, b) + 1e-9
    assert np.all(xy[0] >= lo) and np.all(xy[0] <= hi)


def test_queue_lengths_hold_between_changes():
    series = Changes([(1.0, 1), (2.0, 2), (2.0, 1), (5.0, 0)])
    assert list(queue_at(series, np.array([0.5, 1.0, 1.5, 2.0, 4.9, 5.0, 9.0]))) == [0, 1, 1, 1, 1, 0, 0]
    assert list(queue_at(Changes(), np.array([1.0, 2.0]))) == [0, 0]


def test_moves_follow_the_trace_of_one_replication():
    scenario = build_scenario(located())
    rep = simulate(scenario, 0, trace=True, record_queues=True)
    coords = check_coordinates(scenario)
    moves = moves_from_trace(rep, coords)
    per_truck = {}
    for truck, _node, _event, t, _km in rep.trace:
        per_truck.setdefault(truck, []).append(t)
    assert len(moves.t0) == sum(len(v) - 1 for v in per_truck.values())
    assert np.all(moves.t1 >= moves.t0)
    convoy = {t for t in rep.trucks["truck"][rep.trucks["group"] == rep.groups.index("convoy")]}
    assert set(moves.truck[moves.caravan]) == convoy and len(convoy) == 4


def _waiting(trace, port, t):
    """Trucks that left `port` (their controls passed) and had not yet boarded a vessel at time t."""
    rows = sorted(trace, key=lambda r: (r[0], r[3]))
    return sum(1 for a, b in zip(rows, rows[1:]) if a[0] == b[0] and a[1] == b[1] == port
               and (a[2], b[2]) == ("leave", "board") and a[3] <= t < b[3])


def test_the_ferry_queue_is_the_trucks_between_leaving_the_port_and_boarding():
    scenario = build_scenario(located())
    rep = simulate(scenario, 0, trace=True, record_queues=True)
    series = ferry_queues(rep)
    assert set(series) == {("port_b", "port_c"), ("port_c", "port_b")}
    times = np.linspace(24.0, 96.0, 40)
    for (port, _), changes in series.items():
        assert list(queue_at(changes, times)) == [_waiting(rep.trace, port, t) for t in times]
    # the stretch counted is the ferry wait of the trucks' own time booking
    rows = sorted(rep.trace, key=lambda r: (r[0], r[3]))
    waits = {}
    for a, b in zip(rows, rows[1:]):
        if a[0] == b[0] and (a[2], b[2]) == ("leave", "board"):
            waits[a[0]] = waits.get(a[0], 0.0) + b[3] - a[3]
    booked = dict(zip(rep.trucks["truck"].tolist(), rep.trucks["ferry_wait_h"].tolist()))
    assert any(w > 0 for w in booked.values())
    assert booked == pytest.approx({truck: waits.get(truck, 0.0) for truck in booked})


def test_the_ferry_queue_is_drawn_at_its_port_sized_by_the_trucks_waiting():
    scenario = build_scenario(located())
    rep = simulate(scenario, 0, trace=True, record_queues=True)
    times = np.linspace(24.0, 72.0, 25)
    panel = panel_of(scenario, rep, check_coordinates(scenario), times)
    key = QueueKey("port_b", "port_c", True)
    i = int(np.argmax(panel.queues[key]))
    expected = _waiting(rep.trace, "port_b", times[i])
    assert expected > 0 and panel.queues[key][i] == expected
    fig, frame, moving = figure([panel], times)
    frame(i)
    ax = fig.axes[0]
    (ferry,) = [c for c in ax.collections if c.get_gid() == "ferry_queues"]
    assert ferry in moving
    ports = [tuple(xy) for xy in ferry.get_offsets()]
    sizes = dict(zip(ports, ferry.get_sizes()))
    assert sizes[(62.0, 41.1)] == QUEUE_AREA * expected  # port_b
    assert sizes[(63.5, 40.6)] == QUEUE_AREA * panel.queues[QueueKey("port_c", "port_b", True)][i]
    assert FERRY_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert "port_b\nferry to port_c" in ticks


def test_animate_writes_a_gif_with_the_frames_asked_for(scenario_file, tmp_path, capsys):
    out = tmp_path / "anim" / "corridor.gif"
    assert main(["animate", str(scenario_file), "-o", str(out), "--days", "2", "--frames", "6", "--fps", "5"]) == 0
    assert str(out) in capsys.readouterr().out
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6 and gif.size == (800, 400)
        gif.seek(3)
        frame = np.asarray(gif.convert("L"), dtype=float)
        assert frame.std() > 5  # something is drawn
    assert [p.name for p in out.parent.iterdir()] == ["corridor.gif"]  # no temporary file left
    assert main(["animate", str(scenario_file), "-o", str(out), "--days", "1", "--frames", "2"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["animate", str(scenario_file), "-o", str(out), "--days", "1", "--frames", "2", "--force"]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 2


@pytest.mark.parametrize("args, message", [
    (["-o", "x.mp4"], "ending in .gif"),
    (["--frames", "1"], "--frames must be between 2"),
    (["--days", "0"], "--days must be between 0 and 366"),
    (["--set", "nodes.post.lanes=0"], "nodes.post.lanes"),
])
def test_bad_options_exit_2(scenario_file, tmp_path, capsys, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["animate", str(scenario_file), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_nodes_without_coordinates_are_named(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        animate(build_scenario(tiny()), tmp_path / "a.gif", days=1, frames=2)
    assert {p.path for p in exc.value.problems} == {"nodes.origin", "nodes.post", "nodes.destination"}
    assert not (tmp_path / "a.gif").exists()
    with pytest.raises(OutputError):
        animate(build_scenario(located()), tmp_path / "a.gif", days=1, frames=2, fps=0)


def test_the_animation_is_drawn_on_the_base_map_with_the_places_named(scenario_file, tmp_path, monkeypatch):
    import corridor_sim.animate as animate_module

    real, drawn = animate_module.draw_basemap, []

    def recording(ax):
        drawn.append((ax, real(ax)))
        return drawn[-1][1]

    monkeypatch.setattr(animate_module, "draw_basemap", recording)
    assert main(["animate", str(scenario_file), "-o", str(tmp_path / "a.gif"), "--days", "1", "--frames", "2"]) == 0
    ((ax, land),) = drawn
    assert land in ax.collections and len(land.get_paths()) > 0
    assert land.get_zorder() < min(c.get_zorder() for c in ax.collections if c is not land)


def _scenario_file(tmp_path, file, **changes):
    data = located(**changes)
    path = tmp_path / f"{file}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_a_measure_is_drawn_beside_its_baseline_on_the_same_trucks_and_clock(tmp_path, monkeypatch, capsys):
    import corridor_sim.animate as animate_module

    base = _scenario_file(tmp_path, "base")
    data = located(name="two-lanes", experiment={"replications": 3, "seed": 99})  # its own seed is not used
    data["label"] = "Two lanes $2"
    data["nodes"]["post"]["lanes"] = 2
    measure = tmp_path / "measure.yaml"
    measure.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    real, built = animate_module.figure, []

    def recording(panels, times):
        built.append((panels, real(panels, times)))
        return built[-1][1]

    monkeypatch.setattr(animate_module, "figure", recording)
    monkeypatch.chdir(tmp_path)
    assert main(["animate", str(base), str(measure), "--days", "1", "--frames", "4", "--fps", "5"]) == 0
    out = tmp_path / "results" / "located-vs-two-lanes-animation.gif"
    assert str(out.relative_to(tmp_path)) in capsys.readouterr().out
    with Image.open(out) as gif:
        assert gif.n_frames == 4 and gif.size == (1600, 400)
    ((panels, (fig, _frame, _moving)),) = built
    maps = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert [ax.get_title(loc="left") for ax in maps] == ["located", "Two lanes $2"]  # drawn as written
    assert len(fig.axes) == 4
    bars = [ax for ax in fig.axes if ax not in maps]
    assert [t.get_text() for t in bars[0].get_xticklabels()] == [t.get_text() for t in bars[1].get_xticklabels()]
    assert bars[0].get_ylim() == bars[1].get_ylim()
    # common random numbers: the trucks that set off in the window set off at the same times in both
    departures = []
    for panel in panels:
        first = {}
        for truck, t0 in zip(panel.moves.truck.tolist(), panel.moves.t0.tolist()):
            first[truck] = min(t0, first.get(truck, t0))
        departures.append(sorted(t for t in first.values() if t < 48.0))
    assert departures[0] and departures[0] == departures[1]


@pytest.mark.parametrize("change, said", [
    ({"clock": {"start": "2026-01-06T00:00", "horizon": "6d", "warmup": "1d"}},
     "clock.start 2026-01-06 00:00 where located has 2026-01-05 00:00"),
    ({"nodes": {**located()["nodes"], "depot": {"kind": "terminal", "country": "AA", "lat": 41.0, "lon": 59.0}}},
     "node depot only in other"),
    ({"clock": {"start": "2026-01-05T00:00", "horizon": "6d", "warmup": "2d"}},  # past the window of --days 1
     "clock.warmup 48 h where located has 24 h"),
])
def test_a_second_scenario_with_other_nodes_or_dates_is_refused_in_one_line(tmp_path, capsys, change, said):
    base = _scenario_file(tmp_path, "base")
    other = _scenario_file(tmp_path, "other", name="other", **change)
    out = tmp_path / "a.gif"
    assert main(["animate", str(base), str(other), "-o", str(out), "--days", "1", "--frames", "2"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "other cannot be shown beside located" in err[0] and said in err[0], err
    assert not out.exists()
