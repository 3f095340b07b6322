"""Plots: each plot's drawn data equals what it was drawn from (summary, tables); files are reproducible."""
from __future__ import annotations

import copy
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex

import corridor_sim as cs
from corridor_sim.errors import OutputError
from corridor_sim.plots import PLOTS, supported_plots, write_plots
from corridor_sim.plots.components import time_components
from corridor_sim.plots.crossings import crossing_times
from corridor_sim.plots.lead_time import ecdf_points, lead_time_ecdf
from corridor_sim.plots.network_map import link_delays, network_map
from corridor_sim.plots.paired import paired_differences
from corridor_sim.plots.queues import busiest_controls, queue_lengths
from corridor_sim.plots.style import COMPONENT_COLOURS, FORMATS, OKABE_ITO, SCENARIO_COLOURS, save_figure
from corridor_sim.plots.sweep import sweep_curve, sweep_frame
from corridor_sim.plots.time_distance import median_journey, time_distance
from corridor_sim.model.truck import COMPONENTS
from corridor_sim.scenario.loader import build_scenario, derive

from conftest import tiny

ROUTE = ["origin", "post", "port_b", "port_c", "destination"]


def located(**sections) -> dict:
    """origin -> post (bcp AA/BB) -> port_b ~ferry~ port_c -> destination, every node with lat/lon,
    a headline flow each way, and a 4-truck convoy westward (caravans are always traced)."""
    data = tiny(
        name="located",
        clock={"start": "2026-01-05T00:00", "horizon": "6d", "warmup": "1d"},
        experiment={"replications": 3, "seed": 7},
        nodes={
            "origin": {"kind": "terminal", "country": "AA", "lat": 41.0, "lon": 60.0},
            "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 1, "lat": 41.2, "lon": 61.0},
            "port_b": {"kind": "port", "country": "BB", "lanes": 2, "lat": 41.1, "lon": 62.0},
            "port_c": {"kind": "port", "country": "CC", "lanes": 2, "lat": 40.6, "lon": 63.5},
            "destination": {"kind": "terminal", "country": "CC", "lat": 40.5, "lon": 64.5},
        },
        links={
            "origin <-> post": {"km": 60},
            "post <-> port_b": {"km": 90},
            "port_b <-> port_c": {"mode": "ferry", "km": 120, "vessels": 1, "capacity": 60, "sailing": "5h",
                                  "departs": {"every": "12h"}},
            "port_c <-> destination": {"km": 60},
        },
        traffic={
            "west": {"route": ROUTE, "per_day": 14, "aeo": 0.3},
            "east": {"route": ROUTE[::-1], "per_day": 6},
        },
        caravans={"convoy": {"route": ROUTE, "depart": "2026-01-06T08:00", "trucks": 4, "convoy": True}},
    )
    for key, value in sections.items():
        data[key] = copy.deepcopy(value)
    return data


@pytest.fixture(scope="module")
def compared():
    """A baseline and a variant with a second lane at the border, 3 paired replications."""
    base = build_scenario(located())
    more = derive(base, {"name": "more-lanes", "nodes.post.lanes": 2})
    return cs.compare(base, [more], replications=3)


@pytest.fixture(scope="module")
def saved(compared, tmp_path_factory):
    """The same comparison written to a run directory and read back (tables from disk)."""
    return cs.load_results(compared.to_dir(tmp_path_factory.mktemp("run") / "cmp"))


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def container(ax, key):
    """A bar container by its bars' gid, or an error-bar container by its (hidden) label."""
    (found,) = [c for c in ax.containers
                if (getattr(c, "patches", None) and c.patches[0].get_gid() == key) or c.get_label() == key]
    return found


# --- 1. lead-time ECDF ------------------------------------------------------------------------

def test_ecdf_steps_mean_and_ci_are_the_trucks_and_the_summary(compared):
    fig = lead_time_ecdf(compared)
    ax = fig.axes[0]
    for name in compared.scenarios:
        (line,) = by_gid(ax, f"ecdf:{name}")
        times = np.sort(compared.trucks.loc[compared.trucks["scenario"] == name, "lead_time_h"].to_numpy())
        assert np.array_equal(line.get_xdata(), times)
        assert np.allclose(line.get_ydata(), np.arange(1, len(times) + 1) / len(times))
        assert line.get_drawstyle() == "steps-post"
        lead = compared.scenario(name)["lead_time_h"]
        (mean,) = by_gid(ax, f"mean:{name}")
        assert mean.get_xdata()[0] == pytest.approx(lead["mean"])
        assert name in line.get_label() and f"{lead['mean']:.1f} h" in line.get_label()
        if name != compared.baseline:  # its own band would overlap the baseline's: the paired CI instead
            assert not by_gid(ax, f"ci:{name}")
            d = compared.summary_dict["comparison"][name]["flows"]["*"]["lead_time_h"]
            assert f"{d['mean']:+.1f} h vs baseline (paired 95% CI {d['ci_low']:+.1f} to {d['ci_high']:+.1f})" \
                in line.get_label()
            continue
        (band,) = by_gid(ax, f"ci:{name}")
        extent = band.get_bbox()  # a rectangle spanning the CI, full height
        assert extent.x0 == pytest.approx(lead["ci_low"]) and extent.x1 == pytest.approx(lead["ci_high"])
    assert "(h)" in ax.get_xlabel()


def test_ecdf_of_one_flow_uses_that_flows_trucks_and_summary(compared):
    ax = lead_time_ecdf(compared, flow="east").axes[0]
    trucks = compared.trucks
    for name in compared.scenarios:
        (line,) = by_gid(ax, f"ecdf:{name}")
        mine = trucks[(trucks["scenario"] == name) & (trucks["flow"] == "east")]["lead_time_h"]
        assert np.array_equal(line.get_xdata(), np.sort(mine.to_numpy()))
        (mean,) = by_gid(ax, f"mean:{name}")
        assert mean.get_xdata()[0] == pytest.approx(compared.scenario(name)["flows"]["east"]["lead_time_h"]["mean"])


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=200))
@settings(max_examples=60, deadline=None)
def test_ecdf_points_are_a_distribution(values):
    x, y = ecdf_points(np.asarray(values))
    assert len(x) == len(y) == len(values)
    assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) > 0)
    assert y[-1] == pytest.approx(1.0) and y[0] == pytest.approx(1 / len(values))
    assert sorted(values) == list(x)


# --- paired differences (a forest plot) ----------------------------------------------------------

def test_paired_differences_are_the_comparison_s_per_measure_and_flow(compared):
    """A paired saving is shown as the paired difference with its CI, each measure and flow a row."""
    ax = paired_differences(compared).axes[0]
    flows = compared.summary_dict["comparison"]["more-lanes"]["flows"]
    drawn = {c.get_label() for c in ax.containers}
    expected = {f"_diff:more-lanes:{f}:lead_time_h" for f in flows}
    expected |= {f"_diff:more-lanes:*:{c}_h" for c, d in flows["*"]["components_h"].items()
                 if d and max(abs(d["baseline_mean"]), abs(d["scenario_mean"])) > 1e-9}
    assert drawn == expected | {"_diff:more-lanes:*:border_h"}
    border = [sum(r["groups"]["*"][c] for c in ("closed", "queue", "document", "inspection"))
              for s in (compared.baseline, "more-lanes") for r in compared.stats[s]]
    n = len(compared.stats["more-lanes"])
    diffs = np.subtract(border[n:], border[:n])
    assert container(ax, "_diff:more-lanes:*:border_h").lines[0].get_xdata()[0] == pytest.approx(diffs.mean())
    for key in expected:
        _, _, flow, measure = key.split(":")
        f = flows[flow]
        d = f["lead_time_h"] if measure == "lead_time_h" else f["components_h"][measure.removesuffix("_h")]
        (segment,) = container(ax, key).lines[2][0].get_segments()
        assert segment[0][0] == pytest.approx(d["ci_low"]) and segment[1][0] == pytest.approx(d["ci_high"])
        assert container(ax, key).lines[0].get_xdata()[0] == pytest.approx(d["mean"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "lead time, all counted trucks" in labels and "lead time, west" in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["more-lanes"]
    assert "paired 95% CI" in ax.get_xlabel()


def test_paired_differences_of_one_flow_lead_with_its_components(compared):
    ax = paired_differences(compared, flow="west").axes[0]
    top_down = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
    assert top_down[0] == "lead time, west" and "lead time, all counted trucks" in top_down
    assert all(label.endswith(", west") for label in top_down[:2])


# --- 2. where the time goes ---------------------------------------------------------------------

def test_stacked_bars_are_the_component_means_and_sum_to_the_lead_time(compared):
    fig = time_components(compared)
    ax = fig.axes[0]
    names = list(compared.scenarios)
    left = np.zeros(len(names))
    for c in COMPONENTS:
        if all(compared.scenario(n)["components_h"][c] == 0 for n in names):
            continue
        bars = container(ax, f"component:{c}")
        widths = np.array([b.get_width() for b in bars])
        expected = np.array([compared.scenario(n)["components_h"][c] for n in names])
        assert np.allclose(widths, expected)
        assert np.allclose([b.get_x() for b in bars], left)
        assert to_hex(bars[0].get_facecolor()) == to_hex(COMPONENT_COLOURS[c])
        left += widths
    for i, name in enumerate(names):
        lead = compared.scenario(name)["lead_time_h"]
        assert left[i] == pytest.approx(lead["mean"], rel=1e-9)  # the eight components tile the lead time
        (segment,) = container(ax, f"_lead_ci:{name}").lines[2][0].get_segments()
        assert segment[0][0] == pytest.approx(lead["ci_low"]) and segment[1][0] == pytest.approx(lead["ci_high"])
    # first scenario on top
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    assert labels[int(np.argmax(ticks))] == names[0]


# --- 3. time at each crossing --------------------------------------------------------------------

def test_crossing_bars_and_error_bars_are_the_summary_in_route_order(compared):
    ax = crossing_times(compared).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    top_down = [label for _, label in sorted(zip(ticks, labels), reverse=True)]
    # westbound along the first flow's route, then what only the eastbound flow meets
    assert top_down == ["post  AA->BB", "port_b  BB outbound", "port_c  CC inbound",
                        "port_c  CC outbound", "port_b  BB inbound", "post  BB->AA"]
    for name in compared.scenarios:
        crossings = {f"{x['node']}  {x['crossing']}": x["time_h"] for x in compared.scenario(name)["crossings"]}
        bars = container(ax, f"bars:{name}")
        segments = container(ax, f"_ci:{name}").lines[2][0].get_segments()
        for bar, segment in zip(bars, segments):
            label = min(zip(ticks, labels), key=lambda tl: abs(tl[0] - (bar.get_y() + bar.get_height() / 2)))[1]
            t = crossings[label]
            assert bar.get_width() == pytest.approx(t["mean"])
            assert segment[0][0] == pytest.approx(t["ci_low"]) and segment[1][0] == pytest.approx(t["ci_high"])


# --- 4. time-distance ----------------------------------------------------------------------------

def test_time_distance_line_is_the_median_convoy_truck_with_sea_km(compared):
    ax = time_distance(compared, replication=0).axes[0]
    trucks, trace = compared.trucks, compared.trace
    for name in compared.scenarios:
        members = trucks[(trucks["scenario"] == name) & (trucks["replication"] == 0) & (trucks["caravan"] == "convoy")]
        ordered = members.sort_values(["lead_time_h", "truck"])
        chosen = ordered.iloc[(len(ordered) - 1) // 2]
        events = trace[(trace["scenario"] == name) & (trace["replication"] == 0) & (trace["truck"] == chosen["truck"])]
        events = events.sort_values("time_h", kind="stable")
        boarded = (events["event"] == "board").cumsum().to_numpy()
        arrived_after_board = (events["node"] == "port_c").to_numpy() & (boarded > 0)
        sea = np.where(arrived_after_board, 120.0, 0.0)  # the ferry link's km, from port_c on
        sea = np.maximum.accumulate(sea)
        (line,) = by_gid(ax, f"journey:{name}")
        assert np.allclose(line.get_xdata(), events["time_h"].to_numpy() - chosen["depart_h"])
        assert np.allclose(line.get_ydata(), events["km"].to_numpy() + sea)
        assert line.get_xdata()[-1] == pytest.approx(chosen["lead_time_h"])
        assert line.get_ydata()[-1] == pytest.approx(60 + 90 + 120 + 60)


def test_time_distance_is_the_median_over_replications_with_their_range(compared):
    """One replication's median truck can sit far from the summary: the chart is over all of them."""
    from corridor_sim.plots.time_distance import replication_journeys

    ax = time_distance(compared).axes[0]
    for name in compared.scenarios:
        journeys = replication_journeys(compared, name, "convoy")
        assert len(journeys) == 3
        assert [j.lead_time_h for j in journeys] == [median_journey(compared, name, "convoy", r).lead_time_h
                                                     for r in range(3)]
        (line,) = by_gid(ax, f"journey:{name}")
        hours = line.get_xdata()
        km = np.vstack([np.interp(hours, j.hours, j.km) for j in journeys])
        assert np.allclose(line.get_ydata(), np.median(km, axis=0))
        (band,) = by_gid(ax, f"band:{name}")
        ys = band.get_paths()[0].vertices[:, 1]
        assert ys.min() == pytest.approx(km.min()) and ys.max() == pytest.approx(km.max())
        assert f"median {np.median([j.lead_time_h for j in journeys]):.0f} h" in line.get_label()
    assert "over 3 replications" in ax.get_title("left")


def test_time_distance_needs_a_trace(tmp_path):
    result = cs.run(build_scenario(located(caravans={})), replications=2)
    assert "time_distance" not in [p.name for p in supported_plots(result)]
    with pytest.raises(OutputError, match="--trace"):
        time_distance(result)
    traced = cs.run(build_scenario(located(caravans={})), replications=2, trace=True)
    journey = median_journey(traced, "located", "west")
    assert journey is not None and journey.km[-1] == pytest.approx(330)
    assert "time_distance" in [p.name for p in supported_plots(traced)]


# --- 5. queues -----------------------------------------------------------------------------------

def test_queue_panels_are_the_busiest_controls_and_their_series(compared):
    fig = queue_lengths(compared, top=2)
    queues = compared.queues
    means = queues.groupby(["control", "scenario"])["queue_length"].mean().groupby(level="control").max()
    expected = list(means.sort_values(ascending=False, kind="stable").index[:2])
    assert busiest_controls(queues, 2) == expected
    axes = [ax for ax in fig.axes if ax.get_title("left")]
    assert [ax.get_title("left") for ax in axes] == expected
    for ax, control in zip(axes, expected):
        for name in compared.scenarios:
            series = queues[(queues["scenario"] == name) & (queues["control"] == control)]
            (line,) = by_gid(ax, f"queue:{name}:{control}")
            assert np.allclose(line.get_xdata(), series["time_h"].to_numpy() / 24)
            assert np.array_equal(line.get_ydata(), series["queue_length"].to_numpy())
        assert ax.get_ylabel() == "trucks"
    assert "days" in axes[-1].get_xlabel()


# --- 6. sweeps -----------------------------------------------------------------------------------

def test_sweep_curve_from_a_table_draws_means_and_the_ci_band():
    table = pd.DataFrame({"value": [3, 1, 2], "mean": [10.0, 30.0, 20.0], "ci_low": [9.0, 27.0, 18.5],
                          "ci_high": [11.0, 33.0, 21.5]})
    ax = sweep_curve(table, xlabel="nodes.post.lanes").axes[0]
    (line,) = by_gid(ax, "mean:sweep")
    assert list(line.get_xdata()) == [1, 2, 3] and list(line.get_ydata()) == [30.0, 20.0, 10.0]
    (band,) = by_gid(ax, "ci:sweep")
    vertices = band.get_paths()[0].vertices
    for x, low, high in [(1, 27.0, 33.0), (2, 18.5, 21.5), (3, 9.0, 11.0)]:
        at_x = vertices[np.isclose(vertices[:, 0], x), 1]
        assert at_x.min() == pytest.approx(low) and at_x.max() == pytest.approx(high)
    assert ax.get_xlabel() == "nodes.post.lanes" and "(h)" in ax.get_ylabel()


def test_sweep_curve_with_text_values_uses_labelled_positions():
    table = pd.DataFrame({"value": ["paper", "etir"], "mean": [5.0, 4.0], "ci_low": [4.0, 3.0], "ci_high": [6.0, 5.0]})
    ax = sweep_curve(table).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["paper", "etir"]
    with pytest.raises(OutputError, match="ci_high"):
        sweep_curve(table.drop(columns="ci_high"))


def test_sweep_result_plot_is_its_sweep_table():
    result = cs.sweep(build_scenario(located(caravans={})), {"nodes.post.lanes": [1, 2, 3]}, replications=2)
    frame, path = sweep_frame(result)
    assert path == "nodes.post.lanes"
    assert list(frame["value"]) == [1, 2, 3]
    assert np.allclose(frame["mean"], result.sweep["lead_time_mean_h"])
    assert "sweep" in [p.name for p in supported_plots(result)]
    top, bottom = sweep_curve(result).axes
    (line,) = by_gid(top, "mean:sweep")
    assert np.allclose(line.get_ydata(), result.sweep["lead_time_mean_h"])
    # the points share their seeds: the plot shows the paired difference to the first, not their own bands
    assert not by_gid(top, "ci:sweep")
    (diff,) = by_gid(bottom, "difference:sweep")
    assert np.allclose(diff.get_ydata(), result.sweep["difference_h"])
    (band,) = by_gid(bottom, "difference_ci:sweep")
    (path,) = band.get_paths()
    ys = path.vertices[:, 1]
    assert ys.min() == pytest.approx(result.sweep["difference_ci_low_h"].min())
    assert ys.max() == pytest.approx(result.sweep["difference_ci_high_h"].max())
    assert "paired 95% CI" in bottom.get_ylabel()


# --- 7. network map ------------------------------------------------------------------------------

def test_map_links_are_coloured_by_the_crossing_times_at_their_ends(compared):
    fig = network_map(compared)
    name = "located"
    crossings = {(x["node"], x["crossing"]): x["time_h"]["mean"] for x in compared.scenario(name)["crossings"]}
    delays = link_delays(compared, name)
    # each link: the mean over its directions that end at a control
    assert delays[("origin", "post")] == pytest.approx(crossings[("post", "AA->BB")])
    assert delays[("port_b", "post")] == pytest.approx(
        (crossings[("port_b", "BB outbound")] + crossings[("post", "BB->AA")]) / 2)
    assert delays[("port_b", "port_c")] == pytest.approx(
        (crossings[("port_c", "CC inbound")] + crossings[("port_b", "BB inbound")]) / 2)
    assert delays[("destination", "port_c")] == pytest.approx(crossings[("port_c", "CC outbound")])
    (ax,) = [a for a in fig.axes if a.get_title("left") == name]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "links"]
    assert np.allclose(lines.get_array(), [delays[p] for p in sorted(delays)])
    assert lines.norm.vmin == 0 and lines.norm.vmax >= max(max(link_delays(compared, n).values())
                                                           for n in compared.scenarios)
    assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    kinds = {c.get_gid() for c in ax.collections}
    assert {"nodes:terminal", "nodes:bcp", "nodes:port"} <= kinds


def test_a_scenario_without_coordinates_has_no_map():
    result = cs.run(build_scenario(tiny()), replications=2)
    assert "network_map" not in [p.name for p in supported_plots(result)]
    with pytest.raises(OutputError, match="lat"):
        network_map(result)


# --- all plots -----------------------------------------------------------------------------------

def test_every_plot_has_units_and_uses_the_palette(compared):
    scenario_colours = {to_hex(c) for c in SCENARIO_COLOURS}
    assert to_hex(OKABE_ITO["blue"]) == "#0072b2"
    for plot in supported_plots(compared):
        fig = plot.draw(compared)
        for ax in fig.axes:
            if not ax.get_visible() or ax.get_label() == "<colorbar>":
                continue
            for label in (ax.get_xlabel(), ax.get_ylabel()):
                if label and plot.name not in ("network_map", "difference_map"):  # degrees
                    assert re.search(r"\((h|km|days?|trucks|US\$|.*h\)|.*km.*)\)|trucks|days", label), (plot.name, label)
            for line in ax.get_lines():
                if line.get_gid() and ":" in line.get_gid() and line.get_gid().split(":")[1] in compared.scenarios:
                    assert to_hex(line.get_color()) in scenario_colours, (plot.name, line.get_gid())


def test_no_module_uses_pyplot_state():
    """Plots are drawn with the object API only: no module of the package imports pyplot."""
    import ast
    from pathlib import Path

    package = Path(cs.__file__).parent
    offenders = []
    for file in package.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            module = getattr(node, "module", None) or ""
            if any("pyplot" in n for n in names + [module]):
                offenders.append(str(file.relative_to(package)))
    assert not offenders


@pytest.fixture(scope="module")
def written(saved, tmp_path_factory):
    return write_plots(saved, tmp_path_factory.mktemp("plots") / "plots")


def test_write_plots_writes_every_supported_plot(saved, written):
    names = [p.name for p in supported_plots(saved)]
    assert names == ["lead_time", "paired_differences", "time_components", "crossings", "time_distance", "cost_distance",
                     "queues", "network_map", "difference_map", "tradeoff"]
    assert [f.name for f in written] == [f"{n}.png" for n in names]
    assert all(f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 5000 for f in written)


def test_plot_files_are_byte_identical_in_every_format_and_carry_no_date(saved, tmp_path):
    for plot in [p for p in PLOTS if p.name in ("lead_time", "time_distance")]:
        first = [save_figure(plot.draw(saved), tmp_path / f"a-{plot.name}", fmt) for fmt in FORMATS]
        second = [save_figure(plot.draw(saved), tmp_path / f"b-{plot.name}", fmt) for fmt in FORMATS]
        assert [f.suffix for f in first] == [".png", ".svg", ".pdf"]
        for a, b in zip(first, second):
            assert a.read_bytes() == b.read_bytes(), a.name
    svg = (tmp_path / "a-lead_time.svg").read_text()
    assert svg.startswith("<?xml") and "<dc:date>" not in svg
    pdf = (tmp_path / "a-lead_time.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf


def test_plots_from_disk_equal_plots_from_memory(compared, written, tmp_path):
    again = write_plots(compared, tmp_path / "memory")
    assert [f.name for f in again] == [f.name for f in written]
    for x, y in zip(again, written):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_unknown_format_is_refused(compared, tmp_path):
    with pytest.raises(OutputError, match="unknown plot format jpg"):
        write_plots(compared, tmp_path, formats=("png", "jpg"))


def test_a_result_without_counted_trucks_draws_what_it_can(tmp_path):
    quiet = located(traffic={"west": {"route": ROUTE, "per_day": 0.01}}, caravans={})
    result = cs.run(build_scenario(quiet), replications=2, seed=3)
    files = write_plots(result, tmp_path)  # must not fail, whatever the result holds
    assert all(f.exists() for f in files)
    assert {p.name for p in PLOTS} >= {f.stem for f in files}


def test_sixteen_scenarios_get_sixteen_distinct_colours_starting_with_okabe_ito():
    from corridor_sim.plots.style import scenario_colours

    names = [f"s{i}" for i in range(16)]
    colours = scenario_colours(names)
    assert len(set(colours.values())) == 16
    assert [colours[n] for n in names[:8]] == list(OKABE_ITO.values())


def test_the_map_says_when_it_shows_only_some_scenarios(compared):
    many = [n for n in compared.scenarios] * 3  # more names than panels
    fig = network_map(compared, scenarios=many)
    assert f"the first 4 of {len(many)} scenarios" in fig._suptitle.get_text()


# --- 8. time saved against violations let through --------------------------------------------

def test_tradeoff_points_are_the_paired_differences_of_the_summary():
    from corridor_sim.plots.tradeoff import tradeoff, tradeoff_frame

    base = build_scenario(located(risk_classes={"low": {"noncompliance": 0.3}},
                                  customs={"default": {"channels": {"low": {"yellow": 0.1, "red": 0.3}}}}))
    scanned = derive(base, {"name": "scanned", "nodes.post.scanners": {"count": 1, "scan": "10min", "hit_rate": 0.5,
                                                                       "false_alarm": 0.0}})
    result = cs.compare(base, [scanned], replications=3)
    (row,) = tradeoff_frame(result).to_dict("records")
    f = result.summary_dict["comparison"]["scanned"]["flows"]["*"]
    assert row["saved_h"] == pytest.approx(-f["lead_time_h"]["mean"])
    assert row["missed_points"] == pytest.approx(100 * f["violations"]["missed_rate"]["mean"])
    assert row["missed_points"] > 0  # a scan that finds half the violations lets the rest through
    fig = tradeoff(result)
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert line.get_xdata()[0] == pytest.approx(row["saved_h"]) and line.get_ydata()[0] == pytest.approx(row["missed_points"])
    assert "(h)" in ax.get_xlabel()
    # the money saved per truck on x instead (the ledger's paired difference)
    assert row["saved_usd"] == pytest.approx(-f["ledger"]["cost_usd"]["mean"])
    (ax,) = tradeoff(result, saving="cost").axes
    (line,) = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert line.get_xdata()[0] == pytest.approx(row["saved_usd"]) and "(US$)" in ax.get_xlabel()


def test_the_map_draws_land_sea_and_borders_from_the_shipped_natural_earth_data(compared):
    from matplotlib.path import Path as MplPath

    from corridor_sim.plots.basemap import BASEMAP_GID, SEA, country_rings, draw_basemap
    from corridor_sim.plots.style import new_figure

    fig = network_map(compared)
    for ax in fig.axes[:-1]:  # every panel, not the colour bar
        (land,) = [c for c in ax.collections if c.get_gid() == BASEMAP_GID]
        assert land.get_zorder() < min(c.get_zorder() for c in ax.collections if c is not land)
    # on the corridor's own extent: Baku on land in Azerbaijan, the middle of the Caspian at sea
    ax = new_figure(6, 4).subplots()
    ax.set_xlim(25, 90)
    ax.set_ylim(35, 48)
    land = draw_basemap(ax)
    paths = [MplPath(p.vertices) for p in land.get_paths()]
    assert len(paths) >= 20 and ax.get_facecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(SEA))
    assert any(p.contains_point((49.87, 40.41)) for p in paths)       # Baku
    assert not any(p.contains_point((51.0, 42.0)) for p in paths)     # the Caspian Sea
    assert not any(p.contains_point((34.0, 43.0)) for p in paths)     # the Black Sea
    baku = [iso for iso, ring in country_rings() if MplPath(ring).contains_point((49.87, 40.41))]
    assert baku == ["AZE"]


def test_render_plots_can_show_one_flow_as_a_demo_takeaway_does(compared):
    from corridor_sim.plots import render_plots

    flow = next(iter(next(iter(compared.scenarios.values())).traffic))
    figures = dict((plot.name, fig) for plot, fig in render_plots(compared, flow=flow))
    assert f"flow {flow}" in figures["lead_time"].axes[0].get_title("left")
    whole = dict((plot.name, fig) for plot, fig in render_plots(compared))
    assert "all counted trucks" in whole["lead_time"].axes[0].get_title("left")


# --- several scenarios: one colour each, every drawn one in the legend ------------------------

@pytest.fixture(scope="module")
def three():
    """A baseline, a second lane at the border, and a joint control there (its own control)."""
    base = build_scenario(located(caravans={}))
    more = derive(base, {"name": "more-lanes", "nodes.post.lanes": 2})
    joint = derive(base, {"name": "joint", "nodes.post.joint_control": True})
    return cs.compare(base, [more, joint], replications=3)


def test_queue_plot_has_every_drawn_scenario_in_its_legend_and_the_joint_control_s_own_queue(three):
    from corridor_sim.plots.data import scenario_label

    fig = queue_lengths(three)
    axes = [ax for ax in fig.axes if ax.get_title("left")]
    assert "post AA+BB joint" in [ax.get_title("left") for ax in axes]
    drawn = {line.get_gid().split(":")[1] for ax in axes for line in ax.get_lines() if (line.get_gid() or "").startswith("queue:")}
    assert drawn == set(three.scenarios)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [scenario_label(three, n) for n in three.scenarios]
    for ax in axes:  # the baseline is drawn over the others
        lines = {line.get_gid().split(":")[1]: line for line in ax.get_lines() if (line.get_gid() or "").startswith("queue:")}
        if three.baseline in lines:
            assert lines[three.baseline].get_zorder() == max(line.get_zorder() for line in lines.values())


def test_a_scenario_has_one_colour_in_the_queue_and_trade_off_plots(three):
    from corridor_sim.plots.tradeoff import tradeoff, tradeoff_frame

    assert set(tradeoff_frame(three)["scenario"]) == {"more-lanes", "joint"}
    queues = queue_lengths(three)
    colour = {line.get_gid().split(":")[1]: to_hex(line.get_color()) for ax in queues.axes for line in ax.get_lines()
              if (line.get_gid() or "").startswith("queue:")}
    fig = tradeoff(three)
    points = {c.get_label(): to_hex(c.lines[0].get_color()) for c in fig.axes[0].containers}
    from corridor_sim.plots.data import scenario_label

    for name in ("more-lanes", "joint"):
        assert points[scenario_label(three, name)] == colour[name]


# --- readable figures on the plots -------------------------------------------------------------

def edited(result, change):
    """The same result with its summary changed by `change(summary)` (tables and stats shared)."""
    from corridor_sim.results.run_result import RunResult

    summary = copy.deepcopy(result.summary_dict)
    change(summary)
    return RunResult(list(result.scenarios.values()), result.stats, meta=result.meta, summary=summary,
                     source=result.source)


def test_hours_on_labels_keep_a_decimal_below_ten_hours():
    from corridor_sim.plots.style import hours_text

    assert [hours_text(h) for h in (0.0, 0.28, 3.04, 9.94, 9.96, 12.4, 251.6)] == \
        ["0.0", "0.3", "3.0", "9.9", "10", "12", "252"]


def test_component_labels_say_a_short_wait_with_its_decimal(compared):
    """A 0.28 h segment is written 0.3, not 0 (read as none)."""
    def short_and_long(summary):
        for s in summary["scenarios"].values():
            s["components_h"] = {c: 0.0 for c in COMPONENTS} | {"queue": 0.28, "drive": 3.04, "ferry_wait": 1.0}
            s["lead_time_h"] = {**s["lead_time_h"], "mean": 4.32, "ci_low": 4.0, "ci_high": 4.6}

    ax = time_components(edited(compared, short_and_long)).axes[0]
    texts = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("hours:")}
    assert texts == {f"hours:{c}:{n}": text for n in compared.scenarios
                     for c, text in (("queue", "0.3"), ("drive", "3.0"), ("ferry_wait", "1.0"))}


def test_a_component_at_zero_in_every_scenario_is_left_out_of_the_bars_and_the_legend(compared):
    from corridor_sim.plots.style import COMPONENT_LABELS

    def no_ferry_wait_anywhere_and_a_permit_wait_in_one(summary):
        for i, s in enumerate(summary["scenarios"].values()):
            s["components_h"]["ferry_wait"] = 0.0
            s["components_h"]["permit"] = 0.5 if i == 1 else 0.0

    fig = time_components(edited(compared, no_ferry_wait_anywhere_and_a_permit_wait_in_one))
    ax = fig.axes[0]
    drawn = [p.get_gid().split(":")[1] for p in ax.patches if (p.get_gid() or "").startswith("component:")]
    assert "ferry_wait" not in drawn and "permit" in drawn
    (legend,) = fig.legends
    entries = [t.get_text() for t in legend.get_texts()]
    assert COMPONENT_LABELS["ferry_wait"] not in entries and COMPONENT_LABELS["permit"] in entries
    assert entries == [COMPONENT_LABELS[c] for c in COMPONENTS if c in drawn]


def test_a_sweep_over_whole_numbers_gets_whole_ticks_only():
    """Lanes, bays, vessels: no tick at 2.5 lanes."""
    from matplotlib.ticker import MaxNLocator

    table = pd.DataFrame({"value": [1, 2, 3], "mean": [30.0, 20.0, 10.0], "ci_low": [27.0, 18.5, 9.0],
                          "ci_high": [33.0, 21.5, 11.0], "difference": [0.0, -10.0, -20.0],
                          "difference_ci_low": [0.0, -11.0, -22.0], "difference_ci_high": [0.0, -9.0, -18.0]})
    for fig in (sweep_curve(table, xlabel="nodes.post.lanes"),
                sweep_curve(table.drop(columns=["difference", "difference_ci_low", "difference_ci_high"]))):
        for ax in fig.axes:
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks), ticks
            assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator)
    # a parameter with fractional values keeps the usual ticks
    shares = table.assign(value=[0.1, 0.25, 0.4])
    ax = sweep_curve(shares).axes[0]
    assert not all(float(t).is_integer() for t in ax.get_xticks())


LABELS = {"post": "Red Bridge $\\nosuch$ / Qirmizi Korpu", "port_b": "Alat_port (Baku)", "port_c": "Aktau: new port"}
SHORT = {"post": "Red Bridge $\\nosuch$", "port_b": "Alat_port", "port_c": "Aktau"}


def labelled(result):
    """The same result, its nodes labelled as people know them (a `$` that mathtext cannot parse)."""
    from corridor_sim.results.run_result import RunResult

    scenarios = [derive(s, {f"nodes.{n}.label": label for n, label in LABELS.items()}) for s in result.scenarios.values()]
    return RunResult(scenarios, result.stats, meta=result.meta, summary=result.summary_dict, source=result.source)


def drawn_as_written(fig, texts):
    """Every text is drawn as written (no mathtext) and the figure renders."""
    assert all(t.get_parse_math() is False for t in texts)
    fig.canvas.draw()  # `$\nosuch$` parsed as mathtext would raise here


def test_plots_name_nodes_controls_and_crossings_by_their_labels(compared):
    result = labelled(compared)
    fig = crossing_times(result)
    ticks = fig.axes[0].get_yticklabels()
    assert [t.get_text() for t in ticks][:3] == [f"{SHORT['post']}  AA->BB", f"{SHORT['port_b']}  BB outbound",
                                                f"{SHORT['port_c']}  CC inbound"]
    drawn_as_written(fig, ticks)

    fig = queue_lengths(result)
    panels = [ax for ax in fig.axes if (ax.get_gid() or "").startswith("control:")]
    assert len(panels) == len(busiest_controls(result.queues))
    assert any(ax.get_gid().split(" ")[0].removeprefix("control:") in SHORT for ax in panels)
    for ax in panels:
        node, rest = ax.get_gid().removeprefix("control:").split(" ", 1)
        assert ax.get_title("left") == f"{SHORT.get(node, node)} {rest}"
    drawn_as_written(fig, [t for ax in panels for t in ax.get_children()
                           if isinstance(t, matplotlib.text.Text) and t.get_text() == ax.get_title("left")])

    for fig in (time_distance(result), time_distance(result, replication=0)):
        ax = fig.axes[0]
        stops = [t for t in ax.texts if (t.get_gid() or "").startswith("stop:")]
        assert stops and all(t.get_text().startswith(SHORT[t.get_gid().split(":")[1]] + " ") for t in stops
                             if t.get_gid().split(":")[1] in SHORT)
        right = [a for a in ax.child_axes if a.get_yticklabels()]
        names = [t.get_text() for a in right for t in a.get_yticklabels()]
        assert set(SHORT.values()) & set(names) and not set(LABELS) & set(names)
        drawn_as_written(fig, stops + [t for a in right for t in a.get_yticklabels()])

    fig = network_map(result)
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.texts} == set(SHORT.values())
    drawn_as_written(fig, ax.texts)


def test_the_queue_plot_marks_the_horizon_so_the_drain_is_read_as_such(compared):
    fig = queue_lengths(compared)
    panels = [ax for ax in fig.axes if (ax.get_gid() or "").startswith("control:")]
    horizon_days = next(iter(compared.scenarios.values())).clock.horizon / 24
    assert horizon_days == pytest.approx(6.0)  # the fixture's 6d
    for ax in panels:
        (line,) = by_gid(ax, "horizon:0")
        assert list(line.get_xdata()) == [horizon_days, horizon_days]
        # the series go on after it: the drain is drawn, on the far side of the line
        assert max(max(ln.get_xdata()) for ln in ax.get_lines() if (ln.get_gid() or "").startswith("queue:")) \
            > horizon_days
    labels = [t for ax in panels for t in ax.texts if t.get_gid() == "horizon_label:0"]
    assert len(labels) == 1 and labels[0].get_text() == "horizon: counted departures end"
    assert "horizon" in panels[-1].get_xlabel()



# --- the map's colour scales ------------------------------------------------------------------

def colour_bar(fig):
    (bar,) = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    return bar


def test_a_few_long_port_delays_do_not_make_every_border_one_colour():
    """Ferry ports' days beside borders' hours: a log scale above 1 h, said on the colour bar."""
    from matplotlib.colors import Normalize, SymLogNorm

    from corridor_sim.plots.network_map import colour_scale

    hours = [2.0, 3.0, 2.5, 4.0, 80.0, 60.0]
    scale = colour_scale(hours)
    assert isinstance(scale.norm, SymLogNorm) and "log scale" in scale.note
    assert scale.norm.vmin == 0 and scale.norm.vmax == 80.0
    assert scale.norm(3.0) - scale.norm(2.0) > 0.05  # on a linear scale: 1/80 of it, the same colour
    assert scale.ticks[0] == 0 and all(t <= 80 for t in scale.ticks)
    even = colour_scale([2.0, 3.0, 2.5, 4.0, 6.0])
    assert type(even.norm) is Normalize and even.note == "" and even.norm.vmax == 6.0
    centred = colour_scale([-3.0, 0.2, 0.1, -0.3, 0.5], centred=True)
    assert centred.norm.vmin == -3.0 and centred.norm.vmax == 3.0 and centred.norm(0.0) == pytest.approx(0.5)
    assert centred.ticks == sorted(-t for t in centred.ticks)  # symmetric about zero


def test_the_map_scale_keeps_border_differences_visible_beside_the_ports(compared):
    from matplotlib.colors import SymLogNorm

    def a_slow_port(summary):  # days to leave port_c by sea, hours everywhere else
        for s in summary["scenarios"].values():
            for x in s["crossings"]:
                if (x["node"], x["crossing"]) == ("port_c", "CC outbound"):
                    x["time_h"] = {**x["time_h"], "mean": 80.0}

    result = edited(compared, a_slow_port)
    assert sorted(link_delays(result, "located").values())[-2] < 80.0 / 5
    fig = network_map(result)
    (lines,) = [c for c in fig.axes[0].collections if c.get_gid() == "links"]
    assert isinstance(lines.norm, SymLogNorm)
    bar = colour_bar(fig)
    assert "log scale above 1 h" in bar.get_xlabel()
    labels = [t.get_text() for t in bar.get_xticklabels()]
    assert labels[:3] == ["0", "1", "3"] and not any("$" in t for t in labels)


def test_a_comparison_of_two_gets_a_difference_map_centred_on_zero(compared, three):
    from corridor_sim.plots.network_map import difference_map, link_changes

    assert "difference_map" in [p.name for p in supported_plots(compared)]
    assert "difference_map" not in [p.name for p in supported_plots(three)]  # three scenarios: which pair?
    fig = difference_map(compared)
    ax = fig.axes[0]
    (lines,) = by_gid(ax, "links")
    changes = link_changes(compared, "more-lanes")
    crossings = {(x["node"], x["crossing"]): x["time_h"]["mean"]
                 for x in compared.summary_dict["comparison"]["more-lanes"]["flows"]["*"]["crossings"]}
    assert changes[("origin", "post")] == pytest.approx(crossings[("post", "AA->BB")])
    assert changes[("port_b", "post")] == pytest.approx(
        (crossings[("port_b", "BB outbound")] + crossings[("post", "BB->AA")]) / 2)
    assert np.allclose(lines.get_array(), [changes[p] for p in sorted(changes)])
    assert lines.get_cmap().name == "RdBu_r"
    assert lines.norm(0.0) == pytest.approx(0.5) and lines.norm.vmin == -lines.norm.vmax
    assert lines.norm.vmax >= max(abs(v) for v in changes.values())
    bar = colour_bar(fig)  # its own colour bar, not the delay map's
    assert "paired change" in bar.get_xlabel() and "(h)" in bar.get_xlabel()
    assert "more-lanes against located" == ax.get_title("left")


def test_map_labels_of_nearby_nodes_do_not_overlap(compared):
    """Two ports a few km apart with long names: each label goes where it overlaps no other."""
    from corridor_sim.results.run_result import RunResult

    moved = {"nodes.port_c.lat": 41.14, "nodes.port_c.lon": 62.12, "nodes.port_b.label": "Baku International Sea Port",
             "nodes.port_c.label": "Turkmenbashi International Port", "nodes.post.lat": 41.13, "nodes.post.lon": 61.9}
    result = RunResult([derive(s, moved) for s in compared.scenarios.values()], compared.stats, meta=compared.meta,
                       summary=compared.summary_dict, source=compared.source)

    def label_boxes(fig):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        return [{t.get_gid(): t.get_window_extent(renderer) for t in ax.texts if (t.get_gid() or "").startswith("label:")}
                for ax in fig.axes if ax.get_label() != "<colorbar>"]

    fig = network_map(result)
    for boxes in label_boxes(fig):
        assert set(boxes) == {"label:post", "label:port_b", "label:port_c"}
        ax = fig.axes[0]
        b, c = (ax.transData.transform((s.lon, s.lat)) for s in (result.scenarios["located"].nodes[n]
                                                                  for n in ("port_b", "port_c")))
        assert abs(b[0] - c[0]) < boxes["label:port_c"].width  # at one offset each, they would overlap
        for a, other in [(a, o) for a in boxes for o in boxes if a < o]:
            assert not boxes[a].overlaps(boxes[other]), (a, other)
    # the same places every time (the files are byte-identical)
    again = network_map(result)
    assert [[(k, tuple(v.extents)) for k, v in sorted(p.items())] for p in label_boxes(again)] == \
        [[(k, tuple(v.extents)) for k, v in sorted(p.items())] for p in label_boxes(fig)]
    from corridor_sim.plots.network_map import difference_map

    (boxes,) = label_boxes(difference_map(result))
    assert not any(boxes[a].overlaps(boxes[o]) for a in boxes for o in boxes if a < o)
