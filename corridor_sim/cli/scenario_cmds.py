"""`validate`, `schema` and `show`: reading scenarios without running them."""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from ..errors import ScenarioError
from .common import console, console_err, scenario_lint


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario (or calibration targets) files; one line per file, every problem listed",
                       description="Check scenario files (or calibration targets files) without running them: "
                                   "'ok: NAME (...)' per good file, each problem of a bad one on stderr with its file, "
                                   "line, column and YAML path; exit 2 when any file has a problem.")
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario or targets files")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value, e.g. traffic.main.per_day=80 (repeatable)")
    p.set_defaults(func=validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format",
                       description="Print the JSON Schema of the scenario format (for editors' completion and "
                                   "checks); the same as the shipped corridor_sim/scenario.schema.json.")
    p.set_defaults(func=schema)

    p = sub.add_parser("show", help="a readable summary of a scenario: nodes, controls, links, flows",
                       description="A readable summary of a scenario as it will run (overlays and --set applied): "
                                   "the clock, the nodes, each control's lanes, hours, holidays and customs policy, "
                                   "its capacity a day against the demand a day (utilisation; SATURATED at 1 or more), "
                                   "the links with their expected hours, the flows and caravans with their routes.")
    p.add_argument("file", metavar="SCENARIO", help="scenario file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value, e.g. traffic.main.per_day=80 (repeatable)")
    p.set_defaults(func=show)


def validate(args: argparse.Namespace) -> int:
    """Each file is a scenario, or a calibration targets file (a top-level `targets:` list)."""
    status = 0
    for file in args.files:
        try:
            console.line(_check(file, args.overrides))
        except ScenarioError as exc:
            for problem in exc.problems:
                console_err.line(str(problem), "error:", "bold red")
            status = 2
    return status


def _check(file: str, overrides: list[str]) -> str:
    from ..scenario.loader import load_scenario, read_yaml

    document = read_yaml(Path(file))  # read once: it says which kind of file this is
    data = document.data
    if isinstance(data, dict) and "targets" in data and not {"nodes", "extends"} & set(data):
        from ..calibrate import check_targets, load_targets, load_year_scenarios

        targets = load_targets(file, document)
        years = load_year_scenarios(targets, file, overrides)  # each year's scenario loads, and has what its targets name
        if years:
            check_targets(None, targets, file, years)
            return (f"ok: {targets.name} (calibration targets, {len(targets.targets)} targets, years "
                    f"{', '.join(map(str, years))})")
        return f"ok: {targets.name} (calibration targets, {len(targets.targets)} targets)"
    s = load_scenario(file, overrides, document=document)
    scenario_lint([s])
    # the line's form is fixed ("N nodes, M links, K flows"): scripts read it
    caravans = f", {len(s.caravans)} caravans" if s.caravans else ""
    return f"ok: {s.name} ({len(s.nodes)} nodes, {len(s.links)} links, {len(s.traffic)} flows{caravans})"


def schema(args: argparse.Namespace) -> int:
    from ..scenario.json_schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def show(args: argparse.Namespace) -> int:
    from .tables import plain_table as Table

    from ..scenario.loader import load_scenario
    from ..scenario.network import build_graph, resolve_route
    from ..scenario.units import format_hours

    s = load_scenario(args.file, args.overrides)
    scenario_lint([s])
    graph = build_graph(s)
    console.line(" ".join((s.description or "").splitlines()), f"{s.name}:", "bold")
    clock = s.clock
    console.print(f"clock: start {clock.start:%Y-%m-%d %H:%M} ({clock.start:%a}), horizon {format_hours(clock.horizon)}, "
                  f"warm-up {format_hours(clock.warmup)}; {s.experiment.replications} replications, seed {s.experiment.seed}",
                  soft_wrap=True)
    console.print(f"drivers: rules {s.drivers.rules}, crew {s.drivers.crew}, speed {s.drivers.speed_kmh.describe()} km/h",
                  soft_wrap=True)

    by_kind: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, node in s.nodes.items():
        by_kind[node.kind]["/".join(node.countries)].append(name)
    nodes = Table(title="nodes", show_lines=False)
    for col in ("kind", "country", "nodes"):
        nodes.add_column(col)
    for kind in ("terminal", "bcp", "port"):
        for country, names in sorted(by_kind[kind].items()):
            nodes.add_row(kind, country, ", ".join(names))
    console.print(nodes)
    _show_controls(s, graph)
    _show_capacity(s)
    _show_customs(s)

    links = Table(title="links")
    for col in ("link", "mode", "km", "expected h", "details"):
        links.add_column(col)
    for key, link in s.links.items():
        if link.mode == "ferry":
            d = link.departure
            rule = f"every {format_hours(d.every)}" if d.every else \
                f"when full or after {format_hours(d.when_full_or_after)}" if d.when_full_or_after else "when full"
            assert link.sailing is not None  # Link._mode_fields: a ferry link has one
            detail = f"{link.n_vessels} vessel(s) x {link.capacity} trucks, sailing {link.sailing.describe(format_hours)}, departs {rule}"
            if link.storms:
                detail += f", {link.storms.per_year:g} storms/yr"
        else:
            detail = f"speed {link.speed_kmh.describe()} km/h" if link.speed_kmh else ""
        a, b, _, _ = next(e for e in s.link_ends() if e[3] == key)
        links.add_row(key, link.mode, f"{link.km:g}" if link.km is not None else "", f"{graph.edges[a, b]['hours']:.1f}", detail)
    console.print(links)

    flows = Table(title="traffic and caravans")
    for col in ("name", "per day", "route"):
        flows.add_column(col)
    for name, flow in s.traffic.items():
        route = resolve_route(graph, flow.route, flow.from_, flow.to)
        flows.add_row(name + (" (background)" if flow.background else ""), f"{flow.per_day:g}", " → ".join(route))
    for name, c in s.caravans.items():
        route = resolve_route(graph, c.route, c.from_, c.to)
        flows.add_row(f"{name} (caravan, {c.trucks} trucks)", f"{c.depart:%Y-%m-%d %H:%M}", " → ".join(route))
    console.print(flows)
    return 0


def _holidays_text(holidays) -> str:
    if not holidays:
        return "none"
    days = sum((b - a).days + 1 for a, b in holidays)
    return f"{days} days, {min(a for a, _ in holidays):%Y-%m-%d} to {max(b for _, b in holidays):%Y-%m-%d}"


def _show_controls(s, graph) -> None:
    """Each control a route passes (a country's side of a border or port, one direction): the
    settings it works with, after the node's, its country's and its direction's are laid over
    each other, so no figure is shown that no control uses."""
    from .tables import plain_table as Table

    from ..scenario.lint import _whole_week
    from ..scenario.network import controls_at, place_name, resolve_route
    from ..scenario.units import format_hours

    keys: dict = {}
    for item in [*s.traffic.values(), *s.caravans.values()]:
        route = resolve_route(graph, item.route, item.from_, item.to)
        for i in range(len(route)):
            for key in controls_at(s, graph, route, i):
                keys.setdefault(key, None)
    table = Table(title="controls (each country's side of a border or port, each direction a route passes)")
    for col in ("node", "control", "lanes", "bays", "hours", "holidays", "other"):
        table.add_column(col, overflow="fold")
    order = list(s.nodes)
    for key in sorted(keys, key=lambda k: (order.index(k.node), k.country, k.direction != "exit")):
        node = s.nodes[key.node]
        joint = key.direction == "joint"
        c = node.control_settings(None if joint else key.country, "exit" if joint else key.direction)
        lanes = str(c["lanes"])
        if c["shifts"]:
            shifts = "; ".join(f"{n} {text}" for text, n in c["shifts"].items())
            lanes = shifts if _whole_week(list(c["shifts"])) else f"{shifts}; {c['lanes']} otherwise"
        other = []
        if c["handling"].mean() > 0:
            other.append(f"handling {c['handling'].describe(format_hours)}")
        if c["admissions_per_day"]:
            other.append(f"at most {c['admissions_per_day']} a day")
        if c["scanners"]:
            other.append(f"{c['scanners'].count} scanner(s)")
        if c["outages"]:
            other.append("outages")
        if c["pull_aside"]:
            aside = {"yellow_check": "yellow", "error_correction": "errors"}
            other.append(f"aside: {', '.join(aside.get(a, a) for a in c['pull_aside'])}")
        control = f"{key.country} joint" if joint else f"{key.country} {key.direction}"
        table.add_row(place_name(s, key.node, short=True), control, lanes, str(c["inspection_bays"]), c["hours"].text,
                      _holidays_text(c["holidays"]), ", ".join(other) or "–")
    if table.row_count:
        console.print(table)


def _utilisation_cell(value: float):
    """The utilisation as a number; at 1 or more in bold red and said: the queue grows without end."""
    from rich.text import Text

    if value >= 1:
        return Text(f"{value:.2f} SATURATED", style="bold red")
    return f"{value:.2f}"


def _show_capacity(s) -> None:
    """Each control's lane-hours, mean service, capacity a day against the demand a day, and
    utilisation (`capacity.control_loads`), so a saturated design is seen before it runs."""
    from .tables import add_name_column, add_number_columns, text_table
    from .text import plain

    from ..capacity import control_loads
    from ..scenario.network import place_name

    loads = control_loads(s)
    if not loads:
        return
    places = [place_name(s, load.key.node, short=True) for load in loads]
    controls = [f"{load.key.country} {load.key.direction}" for load in loads]
    table = text_table("capacity against demand a day, from the scenario's means")
    table.add_column("node", overflow="fold")  # a long port name folds; the figures keep their place
    add_name_column(table, "control", controls)
    add_number_columns(table, ("lane-h", "service", "capacity", "demand", "util", "bays"))
    for place, control, load in zip(places, controls, loads):
        capacity = "no limit" if load.capacity == float("inf") else f"{load.capacity:,.0f}"
        table.add_row(place, control, f"{load.lane_hours:,.0f}", _minutes(load.service_h), capacity,
                      f"{load.demand:,.1f}", _utilisation_cell(load.utilisation),
                      _utilisation_cell(load.bay_utilisation))
    console.print(table)
    console.print(plain("lane-h: lane-hours staffed and open a day; service: mean time a truck holds a lane; "
                        "capacity and demand: trucks a day; util: demand / capacity (at 1 or more the queue grows "
                        "without end); bays: the same for the inspection bays. Caravans, outages and the measures "
                        "that change verdicts are left out."), soft_wrap=False)


def _minutes(hours: float) -> str:
    """A service time: whole minutes up to two hours, hours to a tenth beyond."""
    return f"{hours * 60:.0f}min" if hours < 2 else f"{hours:.1f}h"


def _show_customs(s) -> None:
    """Each country's customs policy: channels by risk class, check times, AEO and e-TIR rules."""
    from .tables import plain_table as Table

    from ..scenario.schema import resolve_policy

    table = Table(title="customs by country (channels: yellow / red probability per risk class; AEO recognised: "
                        "their channels multiplied by)")
    for col in ("country", "channels", "detection", "AEO", "e-TIR pre-clear", "priority"):
        table.add_column(col, overflow="fold")
    for country in s.countries:
        p = resolve_policy(s, country)
        channels = ", ".join(f"{cls} {ch.yellow:.0%}/{ch.red:.0%}" for cls, ch in p.channels.items() if cls in s.risk_classes)
        aeo = f"x{p.aeo_factor:g}" if p.recognises_aeo else "no"
        priority = ", ".join([*(["AEO lane"] if p.aeo_priority_lane else []), *p.priority_regimes]) or "–"
        table.add_row(country, channels or "–", f"{p.detection:.0%}", aeo, f"{p.etir_preclear:.0%}", priority)
    console.print(table)
