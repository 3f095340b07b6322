"""A world worked out control by control, its trucks in numpy columns rather than one by one.

Where every truck only drives and passes first-come first-served controls (`fifo.py`), a truck's
start at a control depends only on the trucks that reached it before; so once every truck's
arrival there is known, the control can serve them all at once: in order of arrival, by the
multi-server FIFO recursion, the only step taken truck by truck. Its trucks then drive on, and
their arrivals at the next control are known. Controls are taken in an order in which every
control comes after those its trucks pass before it (the routes make no cycle).

Each step is the arithmetic of the event loop (`Control.fifo_lane`, `fifo_bay`,
`tally`, `driving.driven`) done on columns, one float operation for another, in the same order,
and each truck takes its row of each table of draws (`rng.PerTruck`: the truck with index k in
its flow takes row k), so every truck gets the times the loop would give it, to the last bit,
and the tallies add up in the same order (the loop's order of leaving). Only where two trucks
reach a server at the very same instant could the loop, whose order there is that of its heap,
take them in another order; continuous times never give such ties. Tests compare the two ways
on random worlds.

This is a way of computing, not a modelling choice: the `columns` engine of `features.py`, which
takes a world only where every feature it has is one the engine declares (not a ferry, a
caravan, a calendar, a measure that holds or re-decides a truck, a joint control, a trace, routes
that pass one control twice or make a cycle, or a background flow that runs on after the horizon
while a counted truck is due at its controls: when that stops depends on the counted trucks'
progress, `Source.stopped`).
"""
from __future__ import annotations

import math
from collections import Counter
from heapq import heapreplace
from typing import Any

import numpy as np

from ..errors import SimulationError
from .customs import Channel, CustomsDraws
from .driving import EPS, rest_needed
from .fifo import Busy, FifoServers, Waits
from .plan import CONTROL, control_order
from .rng import BLOCK, MASK, SHIFT
from .source import Source
from .truck import COMPONENTS, IDENTITY, RECORD_COLUMNS, Component

GREEN, YELLOW, RED = int(Channel.GREEN), int(Channel.YELLOW), int(Channel.RED)
DRIVE, REST, QUEUE, DOCUMENT, INSPECTION = (int(c) for c in (Component.DRIVE, Component.REST, Component.QUEUE,
                                                             Component.DOCUMENT, Component.INSPECTION))


def per_truck_column(table: Any, group: int, n: int, start: int = 0) -> np.ndarray:
    """Rows start..start+n-1 of a `rng.PerTruck` table of values (or a constant) for `group`, as
    one column: the blocks `locate` would make, from the same generators."""
    constant = getattr(table, "constant", None)
    if constant is not None:
        return np.full(n, constant)
    parts = [np.asarray(table.make_block(generator, BLOCK), dtype=float)
             for generator in _generators(table, group, n, start)]
    skip = start & MASK
    return np.concatenate(parts)[skip:skip + n] if parts else np.zeros(0)


def customs_columns(authority: Any, group: int, n: int, start: int = 0) -> dict[str, Any]:
    """Rows start..start+n-1 of an authority's table of draws (`customs.CustomsDraws`) for
    `group`, by name, as columns (`documents`: one per regime): the blocks' draws, without
    their lists."""
    blocks = [CustomsDraws.draw(generator, BLOCK, authority.policy)
              for generator in _generators(authority.draws, group, n, start)]
    if not blocks:
        empty = np.zeros(0)
        return {"u": np.zeros((4, 0)), "documents": [empty] * len(authority.error_rate), "error_delay": empty,
                "yellow_check": empty, "inspection": empty}
    skip = start & MASK
    join = lambda arrays: np.concatenate(arrays)[skip:skip + n]  # noqa: E731
    return {"u": np.concatenate([b[0] for b in blocks], axis=1)[:, skip:skip + n],
            "documents": [join([b[1][r] for b in blocks]) for r in range(len(blocks[0][1]))],
            "error_delay": join([b[2] for b in blocks]), "yellow_check": join([b[3] for b in blocks]),
            "inspection": join([b[4] for b in blocks])}


def _generators(table: Any, group: int, n: int, start: int = 0):
    """The generators of the blocks of a `rng.PerTruck` table that hold rows start..start+n-1
    for `group`."""
    if n <= 0:
        return
    for b in range(start >> SHIFT, ((start + n - 1) >> SHIFT) + 1):
        yield table.streams.generator(*table.name, table.groups[group], b)


class Cohort:
    """The trucks of one flow, as columns: who they are and where their times have gone."""

    def __init__(self, source: Source, departs: np.ndarray, rows: np.ndarray, first: int = 0) -> None:
        n = len(departs)
        self.source = source
        self.group = source.group
        self.n = n
        self.first = first  # the index in its flow of the first of these trucks
        self.depart = departs
        u_aeo, u_regime, u_risk, u_violation = rows.T if n else (np.zeros(0),) * 4
        self.aeo = u_aeo < source.aeo
        self.regime = pick(source.regime_cum, u_regime)
        self.risk = pick(source.risk_cum, u_risk)
        self.noncompliant = u_violation < np.asarray(source.noncompliance)[self.risk]
        self.counted = source.counted & (departs >= source.warmup)
        self.now = departs.copy()      # when each truck is where it is
        self.mark = departs.copy()     # Truck.mark: when its last component began
        self.times = np.zeros((len(COMPONENTS), n))
        self.km = np.zeros(n)
        self.yellow = np.zeros(n, dtype=np.int32)
        self.inspections = np.zeros(n, dtype=np.int32)
        self.detected = np.zeros(n, dtype=bool)
        self.pos = 0                   # the next step of the plan
        self.ids = np.zeros(n, dtype=np.int64)
        # under driving rules: hours since the last break and today, and when the last drive ended
        self.since_break: np.ndarray | None = None
        self.today: np.ndarray | None = None
        self.last_drive_end: np.ndarray | None = None
        self.stuck: dict[int, str] = {}       # a truck whose step ends past the loop's cap: where it is then

    def book(self, component: int, where: np.ndarray, now: np.ndarray) -> None:
        """`Truck.book` for the trucks `where` holds, each at its `now`."""
        if where is None:
            self.times[component] += now - self.mark
            self.mark = now.copy()
            return
        self.times[component][where] += now[where] - self.mark[where]
        self.mark[where] = now[where]


def pick(cumulative: list[float], u: np.ndarray) -> np.ndarray:
    """`source.pick` for a column of uniforms: the first class whose cumulative share exceeds u."""
    edges = np.asarray(cumulative)
    chosen = np.searchsorted(edges, u, side="right")
    over = chosen >= len(edges)
    if over.any():  # rounding: the last class with a positive share
        last = next((i for i in range(len(edges) - 1, 0, -1) if edges[i] > edges[i - 1]), 0)
        chosen[over] = last
    return chosen.astype(np.int64)


class ColumnRun:
    """One replication of `world` worked out in columns, leaving the world as the loop would."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.rules = world.rules
        self.cap = float("inf")

    def _past_cap(self, cohort: Cohort, end: np.ndarray, where: str) -> None:
        """The trucks whose step ends at or after the cap: the loop would leave them there."""
        for k in np.flatnonzero(end >= self.cap).tolist():
            cohort.stuck.setdefault(k, where)

    # --- departures ---------------------------------------------------------------------

    def _cohort(self, source: Source) -> Cohort:
        times = list(source.times())  # drawn as the loop draws them (counted flows stop at the horizon)
        departs = np.empty(len(times))
        now = 0.0
        for k, t in enumerate(times):  # the loop's clock: each departure scheduled from the one before
            now = now + (t - now)
            departs[k] = now
        rows = source.attributes
        n = len(times)
        blocks = [rows.rng.random((BLOCK, rows.width)) for _ in range((n + BLOCK - 1) // BLOCK)]
        table = np.concatenate(blocks)[:n] if blocks else np.zeros((0, rows.width))
        source.index = n
        return Cohort(source, departs, table)

    # --- steps ----------------------------------------------------------------------------

    def _drive(self, cohort: Cohort, speeds: Any, km: float) -> None:
        """A link of `km`: each truck's wheel time at its speed, its rests, and its arrival."""
        n = cohort.n
        hours = km / per_truck_column(speeds, cohort.group, n, cohort.first)
        moving = hours > 0
        start = cohort.now
        if self.rules is None:
            end = np.where(moving, start + hours, start)
            cohort.book(DRIVE, moving, end)
        else:
            rest = self._rests(cohort, start, hours, moving)
            end = np.where(moving, start + (hours + rest), start)
            resting = moving & (rest > 0)
            # book_split: the wheel time to driving, the rest of the span to rests
            cohort.times[DRIVE][resting] += hours[resting]
            cohort.times[REST][resting] += end[resting] - cohort.mark[resting] - hours[resting]
            cohort.mark[resting] = end[resting]
            cohort.book(DRIVE, moving & ~resting, end)
            assert cohort.last_drive_end is not None  # set by _rests
            cohort.last_drive_end = np.where(moving, end, cohort.last_drive_end)
        cohort.km = cohort.km + km
        cohort.now = end
        self._past_cap(cohort, end, "driving")

    def _rests(self, cohort: Cohort, start: np.ndarray, hours: np.ndarray, moving: np.ndarray) -> np.ndarray:
        """`driving.rest_needed` for each moving truck, its hours since a break and today updated:
        a drive that needs no rest (most) in columns, the others one by one."""
        rules = self.rules
        n = cohort.n
        if cohort.since_break is None or cohort.today is None or cohort.last_drive_end is None:  # nothing driven yet
            cohort.since_break, cohort.today, cohort.last_drive_end = np.zeros(n), np.zeros(n), np.full(n, -np.inf)
        before = cohort.since_break, cohort.today
        last_drive_end = cohort.last_drive_end
        # as rest_needed starts: a long enough stop since the last drive was a break or a daily rest
        idle = start - last_drive_end
        rested = idle >= rules.daily_rest - EPS
        since_break = np.where(rested | (idle >= rules.break_h - EPS), 0.0, before[0])
        today = np.where(rested, 0.0, before[1])
        # one segment and done: neither limit reached, and the drive fits under both
        whole = (hours > EPS) & (today < rules.max_day - EPS) & (since_break < rules.max_block - EPS) & \
            (hours <= rules.max_block - since_break) & (hours <= rules.max_day - today)
        since_now = cohort.since_break = np.where(moving, np.where(whole, since_break + hours, since_break), before[0])
        today_now = cohort.today = np.where(moving, np.where(whole, today + hours, today), before[1])
        rest = np.zeros(n)
        probe = _Probe()
        for k in np.flatnonzero(moving & ~whole & (hours > EPS)).tolist():
            probe.since_break, probe.today, probe.last_drive_end = \
                float(before[0][k]), float(before[1][k]), float(last_drive_end[k])
            rest[k] = rest_needed(probe, start[k], hours[k], rules)
            since_now[k], today_now[k] = probe.since_break, probe.today
        return rest

    def _serve(self, control: Any, visits: list[tuple[Cohort, np.ndarray]]) -> list:
        """Every truck of `visits` (a cohort and its trucks' arrivals) through `control`, in order
        of arrival; what each leaves with, for the tallies."""
        authority = control.single
        parts = [(cohort, *_verdicts(control, cohort)[:6]) for cohort, _ in visits]
        # the lanes: every truck in order of arrival
        arrival = np.concatenate([cohort.now for cohort, *_ in parts])
        order = np.argsort(arrival, kind="stable")
        lane = np.concatenate([p[1] for p in parts])[order]
        handling = None if control.handling is None else np.concatenate([p[3] for p in parts])[order]
        arrived = arrival[order]
        served = _take(control.fifo_lanes, arrived, lane, handling)
        waits = [(arrived, served)]
        # each cohort's trucks, booked as fifo_lane books them
        place = np.empty(len(order), dtype=np.int64)
        place[order] = np.arange(len(order))
        offset = 0
        out = []
        bay_arrivals, bay_keys = [], []
        for index, (cohort, lane_h, aside, handling_h, channel, inspection, u_detect) in enumerate(parts):
            n = cohort.n
            mine = place[offset:offset + n]
            offset += n
            now = cohort.now
            start = served[mine]
            queue0 = cohort.times[QUEUE].copy()
            cohort.book(QUEUE, start > now, start)
            end = start.copy()
            documented = lane_h > 0
            end[documented] = start[documented] + lane_h[documented]
            cohort.book(DOCUMENT, documented, end)
            if handling_h is not None:
                handled = handling_h > 0
                end[handled] = end[handled] + handling_h[handled]
                cohort.book(INSPECTION, handled, end)
            aside_h = aside > 0
            if aside_h.any():
                end[aside_h] = end[aside_h] + aside[aside_h]
                cohort.book(DOCUMENT, aside_h, end)
            reds = np.flatnonzero(channel == RED)
            bay_arrivals.append(end[reds])
            bay_keys.append((index, reds))
            out.append((cohort, now, queue0, end, channel, inspection, u_detect, np.zeros(n, dtype=bool)))
        # the bays: the red trucks in order of their arrival there
        bay_at = np.concatenate(bay_arrivals)
        if len(bay_at):
            bay_order = np.argsort(bay_at, kind="stable")
            inspection = np.concatenate([out[i][5][reds] for i, reds in bay_keys])[bay_order]
            bay_start = np.empty(len(bay_at))
            bay_start[bay_order] = _take(control.fifo_bays, bay_at[bay_order], inspection, None)
            waits.append((bay_at[bay_order], bay_start[bay_order]))
            offset = 0
            for i, reds in bay_keys:
                cohort, now, queue0, end, channel, inspection_h, u_detect, detected = out[i]
                k = len(reds)
                begun = bay_start[offset:offset + k]
                offset += k
                if not k:
                    continue
                lane_end = end[reds]
                waited = begun > lane_end
                bay_end = np.where(waited, begun, lane_end)
                full = np.zeros(cohort.n, dtype=bool)
                full[reds[waited]] = True
                stamp = cohort.now.copy()
                stamp[reds] = bay_end
                cohort.book(QUEUE, full, stamp)
                h = inspection_h[reds]
                inspected = h > 0
                bay_end = np.where(inspected, bay_end + h, bay_end)
                full[:] = False
                full[reds[inspected]] = True
                stamp[reds] = bay_end
                cohort.book(INSPECTION, full, stamp)
                end[reds] = bay_end
                cohort.inspections[reds] += 1
                found = reds[cohort.noncompliant[reds] & (u_detect[reds] < authority.detection)]
                cohort.detected[found] = True
                detected[found] = True
        _add_waits(control.queue_level, waits)
        results = []
        for cohort, now, queue0, end, channel, _, _, detected in out:
            cohort.yellow[channel == YELLOW] += 1
            results.append((cohort, now, queue0, end, channel, detected))
            cohort.now = end
            self._past_cap(cohort, end, control.name)
        return results

    def _tally(self, control: Any, results: list) -> None:
        """`Control.tally` for every truck, in order of leaving."""
        leave = np.concatenate([end for _, _, _, end, _, _ in results])
        if not len(leave):
            return
        start = np.concatenate([now for _, now, _, _, _, _ in results])
        queued = np.concatenate([cohort.times[QUEUE] - queue0 for cohort, _, queue0, _, _, _ in results])
        channel = np.concatenate([c for *_, c, _ in results])
        detected = np.concatenate([d for *_, d in results])
        group = np.concatenate([np.full(cohort.n, cohort.group) for cohort, *_ in results])
        order = np.argsort(leave, kind="stable")
        counted = np.concatenate([cohort.counted for cohort, *_ in results])[order]
        if counted.any():
            spent_all = (leave - start)[order]
            counted_group = np.concatenate([np.full(cohort.n, cohort.group) for cohort, *_ in results])[order]
            for g in np.unique(counted_group[counted]).tolist():
                mine = counted & (counted_group == g)
                tally = control.counted_tally[g]
                tally[0] += int(mine.sum())
                tally[1] = _running_sum(tally[1], spent_all[mine])
        inside = (control.warmup <= start[order]) & (start[order] < control.horizon)
        order = order[inside]
        if not len(order):
            return
        spent = leave[order] - start[order]
        queued = queued[order]
        control.n += len(order)
        control.times.extend(spent.tolist())
        control.queue_sum = _running_sum(control.queue_sum, queued)
        group = group[order]
        for g in np.unique(group).tolist():
            mine = group == g
            tally = control.group_tally[g]
            tally[0] += int(mine.sum())
            tally[1] = _running_sum(tally[1], spent[mine])
            tally[2] = _running_sum(tally[2], queued[mine])
        channel, detected = channel[order], detected[order]
        control.yellow += int((channel == YELLOW).sum())
        control.red += int((channel == RED).sum())
        control.detections += int((detected & (channel == RED)).sum())

    # --- the run ----------------------------------------------------------------------------

    def run(self, cap: float) -> None:
        """Every truck of every flow; the world's `finished_at` and records as the loop leaves them."""
        world = self.world
        self.cap = cap
        cohorts = [self._cohort(source) for source in world.sources]
        _number(cohorts, world)
        plans = world.plans
        for control in control_order(world.plans) or []:
            visits = []
            for cohort in cohorts:
                plan = plans[cohort.group]
                if cohort.pos < len(plan) and _reaches(plan, cohort.pos, control):
                    self._to(cohort, plan, control)
                    visits.append((cohort, cohort.now))
            results = self._serve(control, visits)
            self._tally(control, results)
            for cohort, *_ in results:
                cohort.pos += 1
        for cohort in cohorts:  # the drives after the last control
            self._to(cohort, plans[cohort.group], None)
        world.created += sum(c.n for c in cohorts)
        world.outside += sum(c.n for c in cohorts)
        if any(cohort.stuck for cohort in cohorts):
            self._stuck(cohorts)
        world.arrived += sum(c.n for c in cohorts)
        ends = [c.now.max() for c in cohorts if c.n]
        world.finished_at = max(ends) if ends else 0.0
        world.row_chunks.append(_records(cohorts))

    def _to(self, cohort: Cohort, plan: list, control: Any) -> None:
        """Drive the cohort from its place in `plan` up to `control` (None: to the end)."""
        while cohort.pos < len(plan):
            kind, step, km = plan[cohort.pos]
            if kind == CONTROL:
                if step is control:
                    return
                raise AssertionError("controls out of order")  # control_order makes this impossible
            if km > 0:
                self._drive(cohort, step, km)
            cohort.pos += 1

    def _stuck(self, cohorts: list[Cohort]) -> None:
        world = self.world
        # the counted trucks first, as World.run says it
        counted = Counter(where for cohort in cohorts for i, where in cohort.stuck.items() if cohort.counted[i])
        others = Counter(where for cohort in cohorts for i, where in cohort.stuck.items() if not cohort.counted[i])
        parts = [f"{label} {'; '.join(f'{n} at {p}' for p, n in places.most_common(3))}"
                 for label, places in (("counted trucks stuck:", counted), ("not counted:", others)) if places]
        raise SimulationError(
            f"{sum(counted.values()) + sum(others.values())} trucks had not arrived {self.cap - world.horizon:.0f} h "
            f"after the horizon (scenario {world.scenario.name!r}, replication {world.replication}); {'; '.join(parts)}")


def _verdicts(control: Any, cohort: Cohort) -> tuple:
    """`Control.verdict` for each truck of `cohort`: time in the lane, time aside, handling (or
    None), channel, inspection time, the uniform that decides detection and the chance of
    detection, as columns (a joint control's rule, `joint.py`, one truck at a time)."""
    authority = control.single
    if authority is None:
        return _verdicts_one_by_one(control, cohort)
    n, g = cohort.n, cohort.group
    draws = customs_columns(authority, g, n, cohort.first)
    u_error, u_channel, u_preclear, u_detect = draws["u"]
    regime = cohort.regime
    document = np.choose(regime, draws["documents"]) if n else np.zeros(0)
    error_rate = np.asarray(authority.error_rate)[regime]
    error = np.where(u_error < error_rate, draws["error_delay"], 0.0)
    thresholds = np.asarray(authority.thresholds, dtype=float)  # [risk][aeo][red, red or yellow]
    aeo = cohort.aeo.astype(int)
    red, red_or_yellow = thresholds[cohort.risk, aeo, 0], thresholds[cohort.risk, aeo, 1]
    preclear = np.asarray(authority.preclear[False])[regime]  # flows are never pre-notified
    channel = np.where(u_channel < red, RED,
                       np.where((u_channel < red_or_yellow) & ~(u_preclear < preclear), YELLOW, GREEN))
    yellow = np.where(channel == YELLOW, draws["yellow_check"], 0.0)
    errors_aside, yellow_aside = control.errors_aside, control.yellow_aside
    if not (errors_aside or yellow_aside):  # most controls: everything in the lane
        lane, aside = document + error + yellow, np.zeros(n)
    else:
        in_lane = document + (0.0 if errors_aside else error) + (0.0 if yellow_aside else yellow)
        parked = (error if errors_aside else 0.0) + (yellow if yellow_aside else 0.0)
        lane, aside = np.broadcast_to(in_lane, n).copy(), np.broadcast_to(parked, n).copy()
    handling = None if control.handling is None else per_truck_column(control.handling, g, n, cohort.first)
    return lane, aside, handling, channel, draws["inspection"], u_detect, np.full(n, authority.detection)


def _verdicts_one_by_one(control: Any, cohort: Cohort) -> tuple:
    """`_verdicts` by `Control.verdict` on each truck in turn, ahead of time: only where no hook
    reads the clock (the engines' features say so; `features.ONE_BY_ONE`), so the time given is none."""
    from .truck import Truck

    n, g = cohort.n, cohort.group
    rows = []
    for k, (aeo, regime, risk, noncompliant) in enumerate(zip(cohort.aeo.tolist(), cohort.regime.tolist(),
                                                              cohort.risk.tolist(), cohort.noncompliant.tolist())):
        rows.append(control.verdict(Truck(0, g, cohort.first + k, 0.0, aeo, regime, risk, noncompliant, False, False),
                                    math.nan))
    lane, aside, channel, inspection, detection, u_detect = (np.asarray(c, dtype=float) for c in zip(*rows)) \
        if rows else (np.zeros(0),) * 6
    handling = None if control.handling is None else per_truck_column(control.handling, g, n, cohort.first)
    return lane, aside, handling, channel.astype(np.int64), inspection, u_detect, detection


class _Probe:
    """What `rest_needed` reads and writes of a truck."""

    __slots__ = ("since_break", "today", "last_drive_end")
    since_break: float
    today: float
    last_drive_end: float


def _reaches(plan: list, pos: int, control: Any) -> bool:
    return any(step is control for _, step, _ in plan[pos:])


def _number(cohorts: list[Cohort], world: Any) -> None:
    """Truck ids in order of departure over all flows (ties: in flow order, as the loop starts them)."""
    departs = np.concatenate([c.depart for c in cohorts]) if cohorts else np.zeros(0)
    order = np.argsort(departs, kind="stable")
    ids = np.empty(len(departs), dtype=np.int64)
    ids[order] = np.arange(world.next_id + 1, world.next_id + 1 + len(departs))
    world.next_id += len(departs)
    offset = 0
    for cohort in cohorts:
        cohort.ids = ids[offset:offset + cohort.n]
        offset += cohort.n


def _take(servers: Any, arrivals: np.ndarray, hours: np.ndarray, more: np.ndarray | None) -> np.ndarray:
    """`servers.take` for each truck in turn (arrivals in order): their starts. The busy hours
    are added here; the waits are left to the caller (a control's lanes and bays share them)."""
    if isinstance(servers, FifoServers):
        free = servers.free
        starts: list[float] = []
        append = starts.append
        if more is None:
            for a, h in zip(arrivals.tolist(), hours.tolist()):
                s = free[0]
                if s <= a:
                    s = a
                heapreplace(free, s + h)
                append(s)
            start = np.asarray(starts, dtype=np.float64)
            end = start + hours
        else:
            for a, h, m in zip(arrivals.tolist(), hours.tolist(), more.tolist()):
                s = free[0]
                if s <= a:
                    s = a
                e = s + h
                if m > 0:
                    e = e + m
                heapreplace(free, e)
                append(s)
            start = np.asarray(starts, dtype=np.float64)
            end = np.where(more > 0, (start + hours) + more, start + hours)
        _add_busy(servers.busy, start, end)
        return start
    # lanes whose number changes: their own recursion, its waits and busy hours collected
    busy, waits = servers.busy, servers.waits
    spans = _Spans()
    servers.busy, servers.waits = spans, _Spans()
    try:
        extra = [0.0] * len(arrivals) if more is None else more.tolist()
        start = np.asarray([servers.take(a, h, m) for a, h, m in zip(arrivals.tolist(), hours.tolist(), extra)],
                           dtype=float)
    finally:
        servers.busy, servers.waits = busy, waits
    if len(spans.begins):
        _add_busy(busy, np.asarray(spans.begins), np.asarray(spans.ends))
    return start if len(start) else np.zeros(0)


class _Spans:
    """Collects the spans a server adds, for adding them to the levels in columns."""

    def __init__(self) -> None:
        self.begins: list[float] = []
        self.ends: list[float] = []

    def add(self, begin: float, end: float) -> None:
        self.begins.append(begin)
        self.ends.append(end)


def _running_sum(total: float, values: np.ndarray) -> float:
    """`total += v` for each value in turn (a running sum: the loop's floats, not a pairwise sum's)."""
    if not len(values):
        return total
    return float(np.add.accumulate(np.concatenate([[total], values]))[-1])


def _add_busy(busy: Busy, begin: np.ndarray, end: np.ndarray) -> None:
    """`Busy.add` for each span in turn."""
    low = np.where(begin > busy.start, begin, busy.start)
    high = np.where(end < busy.stop, end, busy.stop)
    spans = high - low
    busy.area = _running_sum(busy.area, spans[high > low])


def _add_waits(waits: Waits, spans: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """`Waits.add` for every wait (arrival before start) of a control's lanes and bays, in order
    of their beginning, as the loop adds them; the level's peak from the changes in order."""
    begin = np.concatenate([a[s > a] for a, s in spans])
    end = np.concatenate([s[s > a] for a, s in spans])
    if not len(begin):
        return
    order = np.argsort(begin, kind="stable")
    begin, end = begin[order], end[order]
    if waits.level or waits.pending or waits.area:
        for b, e in zip(begin.tolist(), end.tolist()):  # the waits already there: one at a time
            waits.add(b, e)
        return
    low = np.where(begin > waits.start, begin, waits.start)
    high = np.where(end < waits.stop, end, waits.stop)
    waits.area = _running_sum(0.0, (high - low)[high > low])
    # the level at each change: waits that end by a time go before ones that begin then
    times = np.concatenate([end, begin])
    steps = np.concatenate([np.full(len(end), -1), np.ones(len(begin), dtype=np.int64)])
    changes = np.lexsort((steps, times))
    level = np.cumsum(steps[changes])
    at = times[changes]
    # a beginning counts the level after it, an end the level before it, inside the window
    seen = np.where(steps[changes] > 0, level, level + 1)
    inside = (waits.start <= at) & (at <= waits.stop)
    if inside.any():
        waits.top = max(waits.top, int(seen[inside].max()))
    if waits.begins is not None:
        waits.begins.extend(begin.tolist())
        waits.ends.extend(end.tolist())  # type: ignore[union-attr]


def _records(cohorts: list[Cohort]) -> dict[str, np.ndarray]:
    """The counted trucks' rows (`Truck.record`) as typed columns, in order of arrival."""
    columns: dict[str, list] = {name: [] for name, _ in RECORD_COLUMNS}
    for c in cohorts:
        keep = c.counted
        values = {"truck": c.ids, "group": np.full(c.n, c.group), "index": np.arange(c.n), "aeo": c.aeo,
                  "regime": c.regime, "risk": c.risk, "noncompliant": c.noncompliant, "detected": c.detected,
                  "depart_h": c.depart, "km": c.km, "yellow": c.yellow, "inspections": c.inspections,
                  "scans": np.zeros(c.n, dtype=np.int32), "arrive_h": c.now}
        values.update({f"{name}_h": c.times[i] for i, name in enumerate(COMPONENTS)})
        for name, _ in RECORD_COLUMNS:
            columns[name].append(np.asarray(values[name])[keep])
    arrive = np.concatenate(columns["arrive_h"])
    order = np.argsort(arrive, kind="stable")
    assert len(IDENTITY) + 1 + len(COMPONENTS) == len(RECORD_COLUMNS)
    return {name: np.concatenate(columns[name]).astype(dtype)[order] for name, dtype in RECORD_COLUMNS}
