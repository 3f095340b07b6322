"""An animated map of one replication: trucks moving along the corridor, queues at the controls.

For workshops: one replication is simulated with every truck traced and the queue lengths
recorded, over a short window after the warm-up (the horizon is cut to `warmup + days`, so it is
quick), and drawn as a GIF: trucks as dots interpolated between their trace events (on the
road, at sea, or standing at a node), each control's queue and the trucks waiting at each port
for a vessel as circles on the map and bars on the side, and the simulated clock. With a second
scenario (a measure beside its baseline), two panels on one clock: the same replication and
seed, so the same trucks set off in both.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
from matplotlib.animation import AbstractMovieWriter, FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.lines import Line2D
from PIL import Image

from .errors import CorridorSimError, OutputError, Problem, ScenarioError
from .results.modes import as_created
from .model import simulate
from .model.records import ReplicationResult
from .model.stats import Changes
from .scenario.budget import check_budget, wall_limit
from .scenario.network import build_graph, place_name
from .plots.basemap import draw_basemap
from .plots.style import OKABE_ITO, style
from .scenario import Scenario, derive

TOP_QUEUES = 8
MAX_FRAMES = 600
DPI = 80  # 800 x 400 pixels: readable on a projector, small enough to mail
FIGSIZE = (10.0, 5.0)  # a panel; two scenarios side by side are twice as wide
QUEUE_AREA = 12.0  # marker area (pt^2) per queueing truck
QUEUE_COLOUR, QUEUE_LABEL = OKABE_ITO["vermillion"], "queue at a control (area: trucks)"
FERRY_COLOUR, FERRY_LABEL = OKABE_ITO["bluish_green"], "waiting for a ferry (area: trucks)"


@dataclass(frozen=True)
class Moves:
    """Every truck's stretches between consecutive trace events: where it was from t0 to t1."""

    truck: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    start: np.ndarray  # (n, 2) lon, lat
    end: np.ndarray
    caravan: np.ndarray  # bool: the truck belongs to a caravan

    def positions(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat of every truck under way or at a node at time t, and whether each is a caravan truck."""
        active = (self.t0 <= t) & (t < self.t1)
        span = np.where(self.t1 > self.t0, self.t1 - self.t0, 1.0)
        share = np.clip((t - self.t0) / span, 0.0, 1.0)[active, None]
        return self.start[active] + (self.end[active] - self.start[active]) * share, self.caravan[active]


def check_coordinates(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Lon/lat of every node a truck can pass; a clear error names the nodes without them."""
    used = {n for a, b in build_graph(scenario).edges for n in (a, b)} or set(scenario.nodes)
    missing = sorted(n for n in used if scenario.nodes[n].lat is None or scenario.nodes[n].lon is None)
    if missing:
        raise ScenarioError([Problem(f"nodes.{n}", "has no lat/lon; the animation needs coordinates for every "
                                                    "node on a route") for n in missing])
    return {n: (float(s.lon), float(s.lat)) for n, s in scenario.nodes.items()  # type: ignore[arg-type]
            if s.lat is not None and s.lon is not None}


def check_pair(base: Scenario, other: Scenario) -> None:
    """The two panels share one map and one clock, so the second scenario must have the first's
    nodes, in the same places, and its dates (a measure changes what happens there, not where or
    when); what differs is said in one line."""
    differ = []
    first, second = set(base.nodes), set(other.nodes)
    for only, name in ((first - second, base.name), (second - first, other.name)):
        if only:
            differ.append(f"{_some('node', sorted(only))} only in {name}")
    moved = sorted(n for n in first & second
                   if (base.nodes[n].lat, base.nodes[n].lon) != (other.nodes[n].lat, other.nodes[n].lon))
    if moved:
        differ.append(f"{_some('node', moved)} at another lat/lon")
    for key in ("start", "warmup", "horizon"):
        a, b = getattr(base.clock, key), getattr(other.clock, key)
        if a != b:
            differ.append(f"clock.{key} {_when(b)} where {base.name} has {_when(a)}")
    if differ:
        raise CorridorSimError(f"{other.name} cannot be shown beside {base.name}, the panels share one map and "
                               f"one clock: {'; '.join(differ)}")


def _some(what: str, names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{what}{'s' if len(names) > 1 else ''} {shown}"


def _when(value: dt.datetime | float) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, dt.datetime) else f"{value:g} h"


def moves_from_trace(rep: ReplicationResult, coords: dict[str, tuple[float, float]]) -> Moves:
    """Stretches between consecutive events of each truck: moving when the node changes, else standing."""
    caravan_groups = {i for i, kind in enumerate(rep.group_kinds) if kind == "caravan"}
    caravan_trucks = {int(t) for t, g in zip(rep.trucks["truck"], rep.trucks["group"]) if int(g) in caravan_groups}
    rows = sorted(rep.trace, key=lambda r: (r[0], r[3]))
    truck, t0, t1, start, end = [], [], [], [], []
    for a, b in zip(rows, rows[1:]):
        if a[0] != b[0]:
            continue
        truck.append(a[0])
        t0.append(a[3])
        t1.append(b[3])
        start.append(coords[a[1]])
        end.append(coords[b[1]])
    ids = np.asarray(truck, dtype=np.int64)
    return Moves(ids, np.asarray(t0, dtype=float), np.asarray(t1, dtype=float),
                 np.asarray(start, dtype=float).reshape(-1, 2), np.asarray(end, dtype=float).reshape(-1, 2),
                 np.isin(ids, list(caravan_trucks)))


def ferry_queues(rep: ReplicationResult) -> dict[tuple[str, str], Changes]:
    """The trucks waiting at each port for a vessel, by (port, the port the vessel sails to), as
    (time, level) changes.

    The model records a ferry's sailings, loads and mean wait, not its waiting trucks over time,
    so the level is counted from the trace (every truck is traced for an animation): a truck
    waits from its `leave` at the port (its controls there passed) to its `board`, the
    ferry_wait of its time booking, and the next node it reaches is the other port. Every
    direction of a ferry link is there, with no changes if no truck waited on it.
    """
    events: dict[tuple[str, str], list[tuple[float, int]]] = {(f.from_, f.to): [] for f in rep.ferries}
    rows = sorted(rep.trace, key=lambda r: (r[0], r[3]))  # stable: a truck's events keep their order
    for a, b, c in zip(rows, rows[1:], rows[2:]):
        if a[0] == b[0] == c[0] and a[2] == "leave" and b[2] == "board" and a[1] == b[1]:
            events.setdefault((a[1], c[1]), []).extend([(a[3], 1), (b[3], -1)])
    series = {}
    for key, changes in sorted(events.items()):
        t = np.asarray([e[0] for e in changes], dtype=float)
        order = np.argsort(t, kind="stable")
        t = t[order]
        level = np.cumsum(np.asarray([e[1] for e in changes], dtype=np.int64)[order])
        last = np.append(t[1:] != t[:-1], True)  # the level once every change at that time is made
        series[key] = Changes(zip(t[last].tolist(), level[last].tolist()))
    return series


def queue_at(series: Changes, times: np.ndarray) -> np.ndarray:
    """The queue length at each of `times` from its (time, level) change record."""
    if not len(series):
        return np.zeros(len(times))
    t, level = series.arrays()
    idx = np.searchsorted(t, times, side="right") - 1
    return np.where(idx >= 0, level[np.clip(idx, 0, None)], 0.0)


class QueueKey(NamedTuple):
    """A queue drawn at `node`: a control's (`side`: its country and direction, `BB exit`) or, with
    `ferry`, the trucks waiting there for a vessel to the port `side`."""

    node: str
    side: str
    ferry: bool


@dataclass(frozen=True)
class Panel:
    """What one scenario's panel shows: its map, its trucks' moves and its queues at every frame."""

    scenario: Scenario
    coords: dict[str, tuple[float, float]]
    moves: Moves
    queues: dict[QueueKey, np.ndarray]


def panel_of(scenario: Scenario, rep: ReplicationResult, coords: dict[str, tuple[float, float]],
             times: np.ndarray) -> Panel:
    """A replication reduced to what is drawn: the moves and every queue's length at each frame."""
    queues = {}
    for name, series in rep.queue_series.items():
        node, _, side = name.partition(" ")
        queues[QueueKey(node, side.strip(), False)] = queue_at(series, times)
    for (port, to), series in ferry_queues(rep).items():
        queues[QueueKey(port, to, True)] = queue_at(series, times)
    return Panel(scenario, coords, moves_from_trace(rep, coords), queues)


def animate(scenario: Scenario, output: str | Path, days: float = 7.0, frames: int = 120, fps: int = 10,
            replication: int = 0, seed: int | None = None, force: bool = False,
            other: Scenario | None = None) -> Path:
    """Simulate one replication over `days` after the warm-up and write the animation (GIF) to `output`;
    with `other`, that scenario's beside it, on the same replication and seed (the first's by
    default: common random numbers), the same frames and clock."""
    output = Path(output)
    if output.suffix.lower() != ".gif":
        raise OutputError(f"{output}: the animation is written as a GIF; give a file name ending in .gif")
    if output.exists() and not force:
        raise OutputError(f"{output} already exists; use --force to replace it, or -o to write elsewhere")
    if output.is_dir():  # said before the replication runs, not when the finished GIF is put in place
        raise OutputError(f"{output} is a directory; give the animation's file name, e.g. {output / 'animation.gif'}")
    blocking = next((p for p in output.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise OutputError(f"cannot write {output}: {blocking} is a file, not a directory")
    if not 0 < days <= 366:
        raise OutputError(f"--days must be between 0 and 366, got {days:g}")
    if not 2 <= frames <= MAX_FRAMES:
        raise OutputError(f"--frames must be between 2 and {MAX_FRAMES}, got {frames}")
    if not 1 <= fps <= 50:
        raise OutputError(f"--fps must be between 1 and 50, got {fps}")
    if other is not None:
        check_pair(scenario, other)
    start_h = scenario.clock.warmup
    stop_h = start_h + days * 24.0
    scenarios = [derive(s, {"clock.horizon": stop_h}) if stop_h < s.clock.horizon else s
                 for s in ([scenario] if other is None else [scenario, other])]
    coords = [check_coordinates(s) for s in scenarios]
    # every truck traced, and the frames held until the file is written (a byte a pixel); one
    # replication at a time: the first is reduced to its moves and queues before the second runs
    check_budget(scenarios, at_once=1, trace=True, what="animate", lift=None,
                 extra_bytes=frames * len(scenarios) * FIGSIZE[0] * FIGSIZE[1] * DPI * DPI)
    seed = scenario.experiment.seed if seed is None else seed
    times = np.linspace(start_h, stop_h, frames)
    panels = []
    for s, c in zip(scenarios, coords):
        rep = simulate(s, replication, seed, trace=True, record_queues=True, wall_limit=wall_limit(s))
        panels.append(panel_of(s, rep, c, times))
        del rep  # the trace is drawn from the moves
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".gif", dir=output.parent)
    os.close(fd)
    try:
        with style():
            _draw(panels, times, fps, Path(tmp_name))
        os.chmod(tmp_name, as_created(0o666))  # as a file opened normally, not mkstemp's owner-only mode
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return output


class _FrameCanvas(FigureCanvasAgg):
    """An Agg canvas that draws only when the writer grabs a frame.

    FuncAnimation asks for a full redraw after every frame; the writer below draws the frame
    itself, once, so that request is dropped.
    """

    def draw_idle(self, *args, **kwargs) -> None:
        pass


class LayeredGifWriter(AbstractMovieWriter):
    """A Pillow GIF writer that draws the still parts (map, axes, labels) once.

    Each frame restores that background and draws only the moving artists on it, so a frame
    costs a few milliseconds instead of a full figure draw.
    """

    def __init__(self, moving: list, fps: int):
        super().__init__(fps=fps)
        self.moving = moving
        self.frames: list[Image.Image] = []
        self.background = None

    def setup(self, fig, outfile, dpi=None) -> None:
        super().setup(fig, outfile, dpi)
        self.frames = []
        self.background = None

    def grab_frame(self, **savefig_kwargs) -> None:
        canvas = self.fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)  # the figure is made on a _FrameCanvas
        if self.background is None:
            for artist in self.moving:
                artist.set_visible(False)
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.moving:
                artist.set_visible(True)
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        width, height = canvas.get_width_height()
        self.frames.append(Image.frombuffer("RGBA", (width, height), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
                           .convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT))

    def finish(self) -> None:
        self.frames[0].save(self.outfile, save_all=True, append_images=self.frames[1:],
                            duration=round(1000 / self.fps), loop=0, optimize=True)


def _draw(panels: list[Panel], times: np.ndarray, fps: int, file: Path) -> None:
    fig, frame, moving = figure(panels, times)
    animation = FuncAnimation(fig, frame, frames=len(times), blit=False, repeat=False)
    animation.save(str(file), writer=LayeredGifWriter(moving, fps), dpi=DPI)


def _tick(scenario: Scenario, key: QueueKey) -> str:
    """A bar's label: the place, then the control's side or the ferry's destination."""
    where = f"ferry to {place_name(scenario, key.side, short=True)}" if key.ferry else key.side
    return place_name(scenario, key.node, short=True) + "\n" + where


def figure(panels: list[Panel], times: np.ndarray) -> tuple[Figure, Callable[[int], tuple], list]:
    """The animation's figure laid out once (a panel per scenario, the same bars on the same scale
    in each, so they compare), the function that moves it to frame i, and the artists that move
    (the rest is drawn once, as the background of every frame)."""
    fig = Figure(figsize=(FIGSIZE[0] * len(panels), FIGSIZE[1]), dpi=DPI)
    _FrameCanvas(fig)
    grid = fig.add_gridspec(2, len(panels), height_ratios=[2.4, 1.0])
    zero = np.zeros(len(times))
    peaks: dict[QueueKey, float] = {}
    for panel in panels:
        for key, values in panel.queues.items():
            peaks[key] = max(peaks.get(key, 0.0), float(values.max()))
    top = sorted(peaks, key=lambda k: (-peaks[k], k))[:TOP_QUEUES]
    peak = max([peaks[k] for k in top] + [1.0])
    single = len(panels) == 1
    first = panels[0].scenario
    clock = fig.suptitle(f"{first.name + ': ' if single else ''}Mon 01 Jan 2024 00:00 (day 0.0)"
                         f"{', 0000 trucks under way' if single else ''}", x=0.01, ha="left", fontsize=10,
                         fontweight="bold")  # full length, so the layout leaves room
    drawn = [_panel(fig, grid, col, panel, top, peak, times, zero, titled=not single)
             for col, panel in enumerate(panels)]
    fig.canvas.draw()              # lay the figure out once, then keep it: frames only move artists
    fig.set_layout_engine("none")
    moving = [clock, *(artist for _, artists in drawn for artist in artists)]

    def frame(i: int) -> tuple:
        t = float(times[i])
        under_way = [update(i) for update, _ in drawn]
        when = f"{first.clock.start + dt.timedelta(hours=t):%a %d %b %Y %H:%M} (day {t / 24:.1f})"
        clock.set_text(f"{first.name}: {when}, {under_way[0]} trucks under way" if single else when)
        return tuple(moving)

    return fig, frame, moving


def _panel(fig: Figure, grid: GridSpec, col: int, panel: Panel, top: list[QueueKey], peak: float, times: np.ndarray,
           zero: np.ndarray, titled: bool) -> tuple[Callable[[int], int], list[Artist]]:
    """One scenario's map above its bars, in the grid's column `col`; `titled` (beside another
    scenario, the clock shared) it is titled with the scenario's label and counts its own trucks
    under way. Returns the function that moves it to frame i (giving the trucks under way) and
    its moving artists."""
    scenario, coords, moves, queues = panel.scenario, panel.coords, panel.moves, panel.queues
    ax = fig.add_subplot(grid[0, col])
    side = fig.add_subplot(grid[1, col])
    graph = build_graph(scenario)
    for a, b, data in graph.edges(data=True):
        if a < b or not graph.has_edge(b, a):
            (x0, y0), (x1, y1) = coords[a], coords[b]
            ax.plot([x0, x1], [y0, y1], color="#bbbbbb", linewidth=2.0, zorder=1,
                    linestyle="--" if data["mode"] == "ferry" else "-")
    for name, (x, y) in coords.items():
        if scenario.nodes[name].kind != "terminal":
            ax.annotate(place_name(scenario, name, short=True), (x, y), xytext=(4, -11), textcoords="offset points",
                        fontsize=7, color="#444444")
    lons = [c[0] for c in coords.values()]
    lats = [c[1] for c in coords.values()]
    ax.set_xlim(min(lons) - 1.5, max(lons) + 1.5)
    ax.set_ylim(min(lats) - 3.0, max(lats) + 2.0)
    draw_basemap(ax)
    ax.set_aspect(1.0 / math.cos(math.radians(float(np.mean(lats)))), adjustable="box")
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    trucks = ax.scatter([], [], s=9, color=OKABE_ITO["blue"], zorder=3, label="truck")
    caravan = ax.scatter([], [], s=28, color=OKABE_ITO["orange"], edgecolor="black", linewidth=0.5, zorder=4,
                         label="caravan truck")
    handles: list[Artist] = [trucks, caravan]
    circles = []  # (kind, nodes, scatter): a circle per node, its area the trucks of every such queue there
    for ferry, colour, label, zorder in ((True, FERRY_COLOUR, FERRY_LABEL, 2.0),
                                         (False, QUEUE_COLOUR, QUEUE_LABEL, 2.1)):
        nodes = sorted({k.node for k in queues if k.ferry is ferry})
        if not nodes:
            continue
        xy = np.asarray([coords[n] for n in nodes]).reshape(-1, 2)
        circles.append((ferry, nodes, ax.scatter(xy[:, 0], xy[:, 1], s=np.zeros(len(nodes)), facecolor=colour,
                                                 alpha=0.35, edgecolor=colour, zorder=zorder, label=label,
                                                 gid="ferry_queues" if ferry else "control_queues")))
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, color=colour, alpha=0.35, label=label))
    ax.legend(handles=handles, loc="lower left", fontsize=7, ncol=2)
    count = None
    if titled:
        ax.set_title(scenario.label or scenario.name, loc="left", fontsize=10, fontweight="bold")
        count = ax.text(0.99, 0.98, "0000 trucks under way", transform=ax.transAxes, ha="right", va="top",
                        fontsize=8, zorder=5, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    bars = side.bar(range(len(top)), [0.0] * len(top), width=0.6,
                    color=[FERRY_COLOUR if k.ferry else QUEUE_COLOUR for k in top])
    side.set_xticks(range(len(top)), [_tick(scenario, k) for k in top], fontsize=7)
    side.set_ylim(0, peak * 1.1)
    side.set_ylabel("trucks queueing")
    side.grid(axis="x", visible=False)
    moving: list[Artist] = [trucks, caravan, *(c for _, _, c in circles), *bars]
    if count is not None:
        moving.append(count)

    def update(i: int) -> int:
        xy, is_caravan = moves.positions(float(times[i]))
        trucks.set_offsets(xy[~is_caravan] if len(xy) else np.empty((0, 2)))
        caravan.set_offsets(xy[is_caravan] if is_caravan.any() else np.empty((0, 2)))
        for ferry, nodes, scatter in circles:
            per_node = dict.fromkeys(nodes, 0.0)
            for key, values in queues.items():
                if key.ferry is ferry:
                    per_node[key.node] += values[i]
            scatter.set_sizes([QUEUE_AREA * per_node[n] for n in nodes])
        for bar, key in zip(bars, top):
            bar.set_height(queues.get(key, zero)[i])
        if count is not None:
            count.set_text(f"{len(xy)} trucks under way")
        return len(xy)

    return update, moving
