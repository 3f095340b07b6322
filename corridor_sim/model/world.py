"""The corridor world for one replication: controls, ferries, flows, caravans, trucks."""
from __future__ import annotations

from collections import Counter
from math import nan
from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from ..errors import SimulationError
from ..scenario.network import ControlKey, build_graph, controls_at, crossing_label, resolve_route, run_on_until
from ..scenario.schema import REGIMES, Caravan, Flow, Scenario, parse_link_key
from .features import Features, choose, control_features
from .measures import MECHANISMS
from .plan import ARRIVE, CONTROL, DRIVE, FERRY, GATHER, LEAVE, control_order, until_last_stop, untraced
from ..scenario.calendar import Calendar
from .caravan import Convoy
from .control import Control, ControlSettings
from .customs import Authority
from .driving import DrivingRules, drive
from .ferry import Ferry
from .source import Source
from .records import (ControlFlowRecord, ControlRecord, FerryFlowRecord, FerryRecord, ReplicationResult, join_columns,
                      truck_columns)
from .rng import Streams, replication_seed
from .staffing import LaneSchedule
from .truck import Truck
from .watchdog import WallClockExceeded, wall_clock_limit

if TYPE_CHECKING:
    from .batch import Batch


ROW_CHUNK = 50_000  # counted trucks' rows kept as tuples before they become typed columns
DRAIN_CAP_H = 365 * 24.0  # a run may drain for at most a year past the horizon


class World:
    """Everything one replication needs, built from a Scenario and named random streams.

    Which engine runs it is chosen from its features when it is built (`features.py`):
    `engine="auto"` the fastest that supports them all, or the one named (`reference`: SimPy's
    pools everywhere, the specification), refused with an EngineError where it lacks one."""

    def __init__(self, scenario: Scenario, replication: int, seed: int | None = None,
                 trace: bool = False, record_queues: bool = False, engine: str = "auto"):
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.experiment.seed if seed is None else seed
        self.env = simpy.Environment()
        self.streams = Streams(replication_seed(self.seed, replication))
        self.graph = build_graph(scenario)
        self.horizon = scenario.clock.horizon
        self.warmup = scenario.clock.warmup
        self.trace_all = trace
        self.record_queues = record_queues
        self.rules = None if scenario.drivers.rules == "none" else DrivingRules.for_crew(scenario.drivers.crew)
        self.risk_classes = list(scenario.risk_classes)
        self.groups: list[str] = list(scenario.traffic) + list(scenario.caravans)
        self.controls: dict[ControlKey, Control] = {}
        self.ferries: dict[str, Ferry] = {}
        self.measures = [mechanism(self) for mechanism in MECHANISMS]  # customs measures (measures.py)
        # where each flow's and caravan's trucks are registered: given, or the first node's country
        items: list[Flow | Caravan] = [*scenario.traffic.values(), *scenario.caravans.values()]
        self.registered = [item.registered or scenario.nodes[self._route(item)[0]].countries[0] for item in items]
        self.speeds: dict[str, object] = {}
        self.drained = self.env.event()
        self.done = self.env.event()
        self.sources_left = len(scenario.traffic) + len(scenario.caravans)
        self.live: dict[int, Truck] = {}
        self.next_id = 0
        self.created = 0
        self.outside = 0  # trucks worked out outside the event loop (columns.py, batch.py)
        self.arrived = 0
        self.rows: list[tuple] = []  # Truck.record of the counted trucks since the last chunk
        self.row_chunks: list[dict[str, np.ndarray]] = []  # earlier ones, as typed columns
        self.traces: list[tuple] = []
        self.plans = [self._plan(self._route(f), False) for f in scenario.traffic.values()]
        # a background truck is not counted: after its last control or ferry nothing it does can
        # be observed, so its journey ends there (one drive fewer a truck), traced or not, so that
        # a trace changes no figure of the run; untraced, the trucks skip the steps that only log
        self.plans = [until_last_stop(plan) if flow.background else plan
                      for plan, flow in zip(self.plans, scenario.traffic.values())]
        # nor is a counted flow's truck that leaves after the horizon
        self.tails = [until_last_stop(plan) for plan in self.plans]
        if not trace:
            self.plans, self.tails = [untraced(plan) for plan in self.plans], [untraced(plan) for plan in self.tails]
        self.plans += [self._plan(self._route(c), c.convoy) for c in scenario.caravans.values()]
        # per plan, the ferry sides and controls on it: counted once, not at every truck's launch
        self.stops = [([s for k, s, _ in plan if k == FERRY], [s for k, s, _ in plan if k == CONTROL])
                      for plan in self.plans]
        self.run_on_until = run_on_until(scenario, self.graph, [self._route(item) for item in (
            *(f for f in scenario.traffic.values() if not f.background), *scenario.caravans.values())])
        self.sources = [Source(self, index, name, flow) for index, (name, flow) in enumerate(scenario.traffic.items())]
        self.event_sources = self.sources  # the flows whose trucks take the event loop
        self.batch: Batch | None = None  # the background flows that go outside it (batch.py)
        self.features = self._features()
        self.choice = choose(self.features, engine)
        if self.choice.engine != "reference":
            self._serve_in_order()
        self.finished_at: float | None = None  # when the last truck arrived and no more will depart
        if self.sources_left == 0:
            self.drained.succeed()
            self.done.succeed()
            self.finished_at = 0.0

    # --- building -------------------------------------------------------------------------

    def _route(self, item) -> tuple[str, ...]:
        return resolve_route(self.graph, item.route, item.from_, item.to)

    def control_values(self, key: ControlKey) -> dict:
        """The settings of the control `key` (a joint control: the node's own), by name."""
        country = None if len(key.countries) > 1 else key.countries[0]
        return self.scenario.nodes[key.node].control_settings(country, key.direction)

    def _settings(self, key: ControlKey) -> ControlSettings:
        values = self.control_values(key)
        start = self.scenario.clock.start
        calendar = Calendar(values["hours"], values["holidays"], start)
        return ControlSettings(LaneSchedule(values["lanes"], values["shifts"]), values["inspection_bays"], calendar,
                               values["handling"], values["outages"], start, values["pull_aside"],
                               values["admissions_per_day"])

    def _control(self, key: ControlKey) -> Control:
        control = self.controls.get(key)
        if control is None:
            node, countries, direction = key
            settings = self._settings(key)
            authorities = [Authority(c, self.scenario.policy(c), self.risk_classes, self.streams, self.groups,
                                     (node, c, direction)) for c in countries]
            control = Control(self.env, node, countries, direction, settings, authorities, self.streams,
                              self.groups, self.warmup, self.horizon, self.record_queues)
            for measure in self.measures:
                measure.wire(self, control, authorities, key)
            self.controls[key] = control
        return control

    def _speed(self, key: str):
        """Each truck's speed on link `key` (km/h), keyed by the truck."""
        sampler = self.speeds.get(key)
        if sampler is None:
            link = self.scenario.links[key]
            drivers = self.scenario.drivers.speed_kmh
            if link.speed_kmh is None:
                dist = drivers
            elif link.speed_kmh.is_fixed:
                dist = drivers.scaled(link.speed_kmh.mean() / drivers.mean())
            else:
                dist = link.speed_kmh
            sampler = self.streams.per_truck_values(dist, self.groups, "speed", key)
            self.speeds[key] = sampler
        return sampler

    def _ferry(self, key: str, a: str, b: str) -> tuple[Ferry, int]:
        ferry = self.ferries.get(key)
        if ferry is None:
            pa, pb, _ = parse_link_key(key)
            ferry = Ferry(self.env, key, pa, pb, self.scenario.links[key], self.streams, self.scenario.clock.start,
                          self.warmup, self.horizon)
            for measure in self.measures:
                measure.wire_ferry(self, ferry)
            self.ferries[key] = ferry
        side = 0 if ferry.sides[0].port == a else 1
        return ferry, side

    def _features(self) -> Features:
        """What changes a truck's times here, at each control and in the world (features.py)."""
        prenotified: dict[int, bool] = {}  # the controls caravans pass: whether a pre-notified one does
        for plan, caravan in zip(self.plans[len(self.sources):], self.scenario.caravans.values()):
            for kind, step, _ in plan:
                if kind == CONTROL:
                    prenotified[id(step)] = prenotified.get(id(step), False) or caravan.pre_notified
        world: set[str] = set()
        controls = {}
        for control in self.controls.values():
            declared: set[str] = set()
            if id(control) in prenotified:  # a pre-notified caravan's trucks go first in its queues
                declared.update({"caravan_stop", "priority_classes"} if prenotified[id(control)] else {"caravan_stop"})
            for measure in self.measures:
                said = measure.features(control)
                if said is None:  # a measure that does not say what it changes: the reference engine
                    world.add(f"undeclared measure {type(measure).__name__}")
                else:
                    declared.update(said)
            control.features = controls[control.name] = control_features(control, declared)
        if self.ferries:
            world.add("ferries")
        if self.scenario.caravans:
            world.add("caravans")
        if self.trace_all:
            world.add("traces")
        if self._watch():
            world.add("runs_on")
        if control_order(self.plans) is None:
            world.add("crossing_routes")
        return Features(controls, frozenset(world))

    def _watch(self) -> bool:
        """Which stops keep each flow going after the horizon (`Source.runs_on`), and whether any
        flow can run on at all.

        Every flow runs on while a counted truck (of a counted flow or a caravan) is due at
        either side of a ferry link it sails: the vessels come back with the other side's
        trucks, instead of waiting days for a load that no longer comes. A background flow also
        runs on while a counted truck is due at one of its controls, so the last counted trucks
        meet its traffic there. A counted flow does not run on for its controls: at a saturated
        border it would keep the queue growing for as long as counted trucks wait in it."""
        counted = [group for group in range(len(self.plans))
                   if group >= len(self.sources) or self.sources[group].counted]
        passed = {id(stop) for group in counted for stop in (*self.stops[group][0], *self.stops[group][1])}
        passed |= {id(side.other) for group in counted for side in self.stops[group][0]}
        runs_on = False
        for source in self.sources:
            ferries, controls = self.stops[source.group]
            watch = [*ferries, *(side.other for side in ferries), *([] if source.counted else controls)]
            source.watch = [stop for stop in watch if id(stop) in passed]
            runs_on = runs_on or bool(source.watch)
        return runs_on

    def _serve_in_order(self) -> None:
        """Make first-come first-served servers of the controls the chosen engine serves so, and
        take the background flows that pass only such controls outside the event loop (batch.py)."""
        from .batch import Batch, batch_order, batch_plan
        from .classed import ClassServers

        for control in self.controls.values():
            if control.name in self.choice.fifo:
                control.use_fifo(self.record_queues, self.horizon + DRAIN_CAP_H)
        batched = [source for source in self.sources if not source.counted and batch_plan(self.plans[source.group])]
        if not batched or batch_order(self, batched) is None:
            return
        self.batch = Batch(self, batched)
        self.event_sources = [source for source in self.sources if source not in batched]
        self.sources_left -= len(batched)
        shared = {id(step) for source in batched for kind, step, _ in self.plans[source.group] if kind == CONTROL}
        for control in self.controls.values():
            if id(control) in shared:
                control.catch_up = self.batch.advance
                if isinstance(control.fifo_lanes, ClassServers):
                    control.serve_through = self.batch.through(control)
                elif not control.calendar.always_open or control.permit_quotas is not None:
                    control.open_through = self.batch.opening(control)

    def _plan(self, route: tuple[str, ...], convoy: bool) -> list[tuple]:
        """The steps a truck on `route` takes: arrive, controls, (convoy), leave, link..."""
        steps: list[tuple] = []
        for i, name in enumerate(route):
            steps.append((ARRIVE, name, i))
            controls = [self._control(key) for key in controls_at(self.scenario, self.graph, route, i)]
            node = self.scenario.nodes[name]
            room = node.neutral_zone if node.kind == "bcp" and not node.joint_control else None
            if room is not None and controls[0].onward is None:
                controls[0].couple(controls[1], room)  # a bcp's exit side hands trucks to its entry side
            steps += [(CONTROL, control, None) for control in controls]
            if i == len(route) - 1:
                break
            if convoy:
                steps.append((GATHER, None, i))
            steps.append((LEAVE, name, i))
            edge = self.graph.edges[name, route[i + 1]]
            if edge["mode"] == "ferry":
                ferry, side = self._ferry(edge["key"], name, route[i + 1])
                steps.append((FERRY, ferry.sides[side], None))
            else:
                steps.append((DRIVE, self._speed(edge["key"]), edge["km"]))
        return steps

    # --- trucks ---------------------------------------------------------------------------

    def _launch(self, truck: Truck, plan: list[tuple], convoy: Convoy | None, watched: bool = True) -> None:
        """Start `truck` on `plan`, as a SimPy process."""
        self._register(truck, watched)
        self.env.process(self._journey(truck, plan, convoy, watched))

    def catch_up(self, now: float) -> None:
        """Before a truck of the event loop sets off at `now`: the background outside the loop up
        to now, so trucks get their numbers in order of departure and the count of trucks due at
        a control (which decides when background flows stop) changes in order of time."""
        if self.batch is not None:
            self.batch.advance(now)

    def _register(self, truck: Truck, watched: bool) -> None:
        """`truck` is on its way; a `watched` truck (not background) keeps the background
        traffic of the controls it still has to pass going after the horizon."""
        ferries, controls = self.stops[truck.group]
        for side in ferries:
            side.pending += 1
        if watched:
            for stop in (*ferries, *controls):
                stop.due += 1
        if self.trace_all or truck.caravan is not None:
            truck.trace = []
        self.live[truck.id] = truck
        self.created += 1

    def _journey(self, truck: Truck, plan: list[tuple], convoy: Convoy | None, watched: bool) -> Generator:
        env = self.env
        rules = self.rules
        for kind, step, arg in plan:
            if kind == CONTROL:
                yield from step.passage(truck)
                if watched:
                    step.due -= 1
            elif kind == DRIVE:
                if arg > 0:
                    truck.where = "driving"
                    yield from drive(env, truck, arg / step.value(truck.group, truck.index), rules)
                    truck.km += arg
            elif kind == FERRY:
                yield from step.carry(truck)
                if watched:
                    step.due -= 1
            elif kind == ARRIVE:
                truck.where = step
                if truck.trace is not None:
                    truck.log(step, "arrive", env.now)
            elif kind == LEAVE:
                if truck.trace is not None:
                    truck.log(step, "leave", env.now)
            else:
                yield from convoy.gather(truck, arg)  # type: ignore[union-attr]
        self._finish(truck, env.now)

    def _finish(self, truck: Truck, now: float) -> None:
        del self.live[truck.id]
        self.arrived += 1
        if truck.counted:
            rows = self.rows
            rows.append(truck.record(now))
            if len(rows) >= ROW_CHUNK:  # typed columns take a sixth of the tuples' memory
                self.row_chunks.append(truck_columns(rows))
                rows.clear()
        if truck.trace is not None:
            self.traces.extend(truck.trace)
        if not self.live and self.drained.triggered and not self.done.triggered:
            self.done.succeed()
            self.finished_at = now

    def _source_finished(self, now: float) -> None:
        self.sources_left -= 1
        if self.sources_left == 0:
            self.drained.succeed()
            if not self.live:
                self.done.succeed()
                self.finished_at = now

    def _arrivals(self, source: Source) -> Generator:
        env = self.env
        for t in source.times():
            yield env.timeout(t - env.now)
            if source.stopped(t):
                break
            self.catch_up(env.now)
            if env.now < self.horizon:
                self._launch(source.truck(env.now), self.plans[source.group], None, source.counted)
            else:  # running on past the horizon: not counted, nor keeping others going
                self._launch(source.truck(env.now), self.tails[source.group], None, False)
        self._source_finished(env.now)

    def _caravan(self, group: int, name: str, caravan) -> Generator:
        env = self.env
        depart = (caravan.depart - self.scenario.clock.start).total_seconds() / 3600
        if depart > env.now:
            yield env.timeout(depart - env.now)
        plan = self.plans[group]
        risk = self.risk_classes.index(caravan.risk) if caravan.risk else 0
        rate = self.scenario.risk_classes[self.risk_classes[risk]].noncompliance
        u = self.streams.uniforms("caravan", name)
        convoy = Convoy(env, caravan.trucks, len(self._route(caravan))) if caravan.convoy else None
        self.catch_up(env.now)
        for index in range(caravan.trucks):
            self.next_id += 1
            truck = Truck(self.next_id, group, index, env.now, caravan.aeo, REGIMES.index(caravan.regime), risk,
                          u() < rate, caravan.pre_notified, True, caravan=name)
            self._launch(truck, plan, convoy)
        self._source_finished(env.now)

    # --- running --------------------------------------------------------------------------

    def run(self) -> ReplicationResult:
        env = self.env
        cap = self.horizon + DRAIN_CAP_H
        if self.finished_at is None and self.choice.engine == "columns":  # all at once (columns.py)
            from .columns import ColumnRun

            ColumnRun(self).run(cap)
            return self._result(self.finished_at)  # type: ignore[arg-type]
        batch = self.batch
        if batch is not None:  # the background flows outside the loop: their first departures
            batch.start()
        if self.finished_at is None:  # (a world without traffic is finished before it starts)
            for source in self.event_sources:
                env.process(self._arrivals(source))
            for offset, (name, caravan) in enumerate(self.scenario.caravans.items()):
                env.process(self._caravan(len(self.sources) + offset, name, caravan))
            # the cap's timeout is always scheduled, so SimPy never runs out of events here;
            # an exception from inside the model is a bug and goes up as it is
            env.run(until=env.any_of([self.done, env.timeout(cap)]))
            if self.done.triggered and env.now < self.horizon:
                # the last truck arrived before the horizon (thin traffic): the shifts and outages
                # go on to it, as the fast engines work them out, so the window's levels are whole
                env.run(until=self.horizon)
        outside = 0 if batch is None else batch.finish(cap)  # trucks outside the loop still on their way
        if outside:
            self.finished_at = None
        elif batch is not None and self.finished_at is not None:
            self.finished_at = max(self.finished_at, batch.ended)
        if self.finished_at is None:
            raise SimulationError(
                f"{len(self.live) + outside} trucks had not arrived {cap - self.horizon:.0f} h after the horizon "
                f"(scenario {self.scenario.name!r}, replication {self.replication}); {self.stuck(outside)}"
            )
        return self._result(self.finished_at)  # type: ignore[arg-type]

    def stuck(self, outside: int = 0) -> str:
        """Where the trucks still on their way are, the counted ones first: the blockage that
        matters, not the traffic queued behind it (`outside`: background trucks the batch holds,
        each at the control it is at or heading for)."""
        counted = Counter(t.where for t in self.live.values() if t.counted)
        others = Counter(t.where for t in self.live.values() if not t.counted)
        if outside and self.batch is not None:
            others.update(self.batch.places())
        parts = [f"{label} {'; '.join(f'{n} at {p}' for p, n in places.most_common(3))}"
                 for label, places in (("counted trucks stuck:", counted), ("not counted:", others)) if places]
        return "; ".join(parts) or "no truck on its way"

    def release(self) -> None:
        """Drop what the world holds for each truck (the controls' times, the trucks on their way,
        the background's columns) once its records are made: the world's reference cycles would
        keep them until the garbage collector came round, beside the next replication's."""
        for control in self.controls.values():
            control.times = []
        self.live.clear()
        self.rows = []
        self.row_chunks = []
        self.batch = None

    def _result(self, end: float) -> ReplicationResult:
        """The records of this replication, which ended at `end` (tallies and levels cover
        [warm-up, horizon))."""
        scenario = self.scenario
        window = self.horizon - self.warmup
        # levels cover the whole window even when the last truck arrived before the horizon
        # (thin traffic): the lanes stood empty from then on
        until = max(end, self.horizon)
        kinds = ["background" if f.background else "flow" for f in scenario.traffic.values()]
        kinds += ["caravan"] * len(scenario.caravans)
        controls, control_groups = [], []
        for key, c in self.controls.items():
            node, country, direction = key.node, key.country, key.direction
            crossing = crossing_label(scenario, key)
            times = np.asarray(c.times)
            lanes, bays = c.most_lanes, c.bays.capacity
            # utilisation over the lane-hours staffed (all lanes, or the shifts' lanes)
            lane_hours = c.staffed_level.mean(until) if c.staffed_level is not None else lanes
            controls.append(ControlRecord(
                node=node, country=country, direction=direction, crossing=crossing,
                lanes=lanes, inspection_bays=bays, trucks=c.n,
                arrivals_per_h=c.n / window if window > 0 else 0.0,
                mean_time_h=float(times.mean()) if c.n else float("nan"),
                p95_time_h=float(np.quantile(times, 0.95)) if c.n else float("nan"),
                mean_queue_h=c.queue_sum / c.n if c.n else float("nan"),
                mean_closed_h=c.closed_sum / c.n if c.n else float("nan"),
                lane_utilisation=c.busy_level.mean(until) / lane_hours if lane_hours > 0 else 0.0,
                bay_utilisation=c.bay_busy.mean(until) / bays,
                mean_queue_len=c.queue_level.mean(until), max_queue_len=c.queue_level.peak,
                yellow=c.yellow, red=c.red, detections=c.detections,
                outage_hours=c.staffing.hours_out(until) if c.staffing is not None else 0.0,
                **{name: value for m in self.measures for name, value in m.control_fields(c, until).items()},
            ))
            control_groups += [
                ControlFlowRecord(node=node, country=country, direction=direction, crossing=crossing,
                                  group=self.groups[g], trucks=int(n), mean_time_h=time_sum / n if n else nan,
                                  mean_queue_h=queue_sum / n if n else nan, counted=int(k),
                                  counted_time_h=counted_sum / k if k else nan)
                for g, ((n, time_sum, queue_sum), (k, counted_sum)) in enumerate(zip(c.group_tally, c.counted_tally))
                if n or k
            ]
        ferries, ferry_groups = [], []
        for link, f in self.ferries.items():
            for side in f.sides:
                crossing = crossing_label(scenario, ControlKey(side.port, scenario.nodes[side.port].countries[:1], "exit"))
                tallies = sorted(side.group_waits.items())
                counted = side.counted_waits
                ferry_groups += [
                    FerryFlowRecord(link=link, from_=side.port, to=side.to, crossing=crossing, group=self.groups[g],
                                    trucks=int(n), mean_wait_h=wait_sum / n if n else nan,
                                    counted=int(counted.get(g, (0, 0.0))[0]),
                                    counted_wait_h=counted[g][1] / counted[g][0] if g in counted else nan)
                    for g, (n, wait_sum) in sorted({**{g: (0, 0.0) for g in counted}, **side.group_waits}.items())
                ]
                waits = sum(int(n) for _, (n, _) in tallies)
                wait_sum = sum(w for _, (_, w) in tallies)
                ferries.append(FerryRecord(
                    link=link, from_=side.port, to=side.to, crossing=crossing, vessels=f.link.n_vessels,
                    capacity=f.capacity, sailings=side.sailings,
                    mean_load=side.load_sum / side.sailings if side.sailings else 0.0,
                    trucks=waits, mean_wait_h=wait_sum / waits if waits else float("nan"),
                    storm_hours=f.storm_hours,
                ))
        # settled before their columns
        tables = {measure.table: measure.records() for measure in self.measures if measure.table is not None}
        self.row_chunks.append(truck_columns(self.rows))
        self.rows = []
        trucks = join_columns(self.row_chunks)
        self.row_chunks = []  # the chunks go now, not when the garbage collector finds the world's cycles
        for measure in self.measures:
            trucks.update(measure.truck_columns(trucks["truck"]))
        series = {c.name: c.queue_level.series for c in self.controls.values() if c.queue_level.series is not None}
        return ReplicationResult(
            scenario=scenario.name, replication=self.replication, seed=self.seed,
            groups=self.groups, group_kinds=kinds, risk_classes=self.risk_classes,
            trucks=trucks, controls=controls, tables=tables, control_groups=control_groups, ferries=ferries,
            ferry_groups=ferry_groups, trace=self.traces, queue_series=series, created=self.created,
            arrived=self.arrived, end_h=end, warmup_h=self.warmup,
            engine=self.choice.engine, engine_reasons=self.choice.reasons, outside=self.outside,
        )


def _seconds(s: float | None) -> str:
    return "?" if s is None else f"{s:,.0f} s" if s >= 1 else f"{s:.2f} s"


def simulate(scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False,
             record_queues: bool = False, engine: str = "auto", wall_limit: float | None = None) -> ReplicationResult:
    """One replication as a pure function of (scenario, seed, replication); `engine` as `World` takes it.
    `wall_limit`: the seconds of wall-clock time it may take (`watchdog.py`; None: no limit)."""
    world = World(scenario, replication, seed, trace, record_queues, engine)
    try:
        with wall_clock_limit(wall_limit):
            try:
                return world.run()
            except WallClockExceeded:
                raise SimulationError(
                    f"replication {replication} of scenario {scenario.name!r} still ran after {_seconds(wall_limit)} "
                    f"of wall-clock time, at simulated hour {world.env.now:,.1f} (horizon {world.horizon:,.0f} h), "
                    f"far longer than its trucks should take; {world.stuck()}") from None
    finally:
        world.release()
