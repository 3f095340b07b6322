"""Checks that need the whole scenario: links, routes, borders, risk classes, customs policies.

The schema checks each value on its own; these checks relate values to each other (a route
names nodes, a bcp's neighbours lie in its countries, every risk class used has channels).
Each finds every problem, not only the first, and names the YAML path to fix.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterable

from pydantic import ValidationError

from ..errors import Problem
from .dists import did_you_mean
from .network import build_graph
from .problems import format_path, with_loc
from .schema import Caravan, Flow, Scenario, exchange_countries, parse_link_key, resolve_policy

if TYPE_CHECKING:
    import networkx as nx

PathT = tuple[Any, ...]


def semantic_problems(scenario: Scenario) -> list[Problem]:
    """Every cross-reference problem of a schema-valid scenario (empty when it is consistent)."""
    problems, edges = _link_problems(scenario)
    flows_and_caravans: list[Flow | Caravan] = [*scenario.traffic.values(), *scenario.caravans.values()]
    by_ends = any(item.route is None for item in flows_and_caravans)
    graph = _graph(scenario) if by_ends and not problems else None  # networkx only for from/to routes
    used_classes: set[str] = set()
    for section, items in (("traffic", scenario.traffic), ("caravans", scenario.caravans)):
        for name, item in items.items():
            problems += _item_problems(scenario, (section, name), item, edges, graph, used_classes)
    problems += _customs_problems(scenario, used_classes)
    problems += _audit_problems(scenario)
    problems += _exchange_problems(scenario)
    problems += _calendar_problems(scenario)
    from .costs import cost_problems  # the package defaults are read only when a scenario is checked

    problems += cost_problems(scenario)
    return problems


def _calendar_problems(scenario: Scenario) -> list[Problem]:
    """A control closed from the clock start to the end of the horizon: every truck would wait
    past it, and the run would end stuck after a year of draining."""
    from .calendar import Calendar  # the calendar the run keeps, so the check is what the run does

    clock = scenario.clock
    horizon = clock.horizon
    end = clock.start + dt.timedelta(hours=horizon)
    problems: list[Problem] = []
    for name, node in scenario.nodes.items():
        if node.kind == "terminal":
            continue
        # the node's own settings, and each country's control in each direction, as the run builds them
        places: dict[PathT, tuple] = {("nodes", name): (None, "exit")}
        for country, spec in node.controls.items():
            for direction in ("exit", "entry"):
                override = getattr(spec, direction)
                sets = override is not None and (override.hours is not None or override.holidays is not None)
                if sets or spec.hours is not None or spec.holidays is not None:  # where the calendar is set
                    places.setdefault(("nodes", name, "controls", country, *((direction,) if sets else ())),
                                      (country, direction))
        for where, (country, direction) in places.items():
            settings = node.control_settings(country, direction)
            hours, holidays = settings["hours"], settings["holidays"]
            if Calendar(hours, holidays, clock.start).next_open(0.0) >= horizon:
                key = "holidays" if holidays else "hours"
                problems.append(with_loc(where + (key,), f"closed from the clock start ({clock.start:%Y-%m-%d %H:%M}) "
                                         f"to the end of the horizon ({end:%Y-%m-%d %H:%M}): no truck could cross"))
    return problems


def _exchange_problems(scenario: Scenario) -> list[Problem]:
    """An exchange, or a permit quota, joins two different countries of the scenario."""
    problems: list[Problem] = []
    countries = list(scenario.countries)
    flows_and_caravans: list[Flow | Caravan] = [*scenario.traffic.values(), *scenario.caravans.values()]
    registered = sorted({_registered(scenario, item) for item in flows_and_caravans})
    for section in ("information_exchange", "road_permits"):
        for key in getattr(scenario, section):
            a, b = exchange_countries(key)
            if a == b:
                problems.append(with_loc((section, key), f"{key!r} needs two different countries"))
            for country in (a, b) if section == "information_exchange" else (b,):
                if country not in countries:
                    problems.append(with_loc((section, key),
                                             f"no node lies in {country!r}{did_you_mean(country, countries)}; countries: {', '.join(countries)}"))
            if section == "road_permits" and a not in registered:
                problems.append(with_loc((section, key), f"no flow's or caravan's trucks are registered in {a!r}"
                                         f"{did_you_mean(a, registered)}; they are registered in {', '.join(registered) or 'none'} "
                                         f"(set `registered:` on a flow)"))
    return problems


def _registered(scenario: Scenario, item: Flow | Caravan) -> str:
    """Where a flow's or caravan's trucks are registered: given, or the first node's country."""
    if item.registered:
        return item.registered
    first = item.route[0] if item.route else item.from_
    assert first is not None  # _check_route_or_ends: a route, or `from` and `to`
    node = scenario.nodes.get(first)
    return node.countries[0] if node is not None else ""


def _audit_problems(scenario: Scenario) -> list[Problem]:
    """An audit belongs to a country of the scenario and names its risk classes."""
    problems: list[Problem] = []
    countries, classes = list(scenario.countries), list(scenario.risk_classes)
    for country, audit in scenario.post_clearance_audit.items():
        base = ("post_clearance_audit", country)
        if country not in countries:
            problems.append(with_loc(base, f"no node lies in {country!r}{did_you_mean(country, countries)}; countries: {', '.join(countries)}"))
        named: list[tuple[str, int | str, str]] = [("risk_classes", i, cls) for i, cls in enumerate(audit.risk_classes or ())]
        named += [("audited", cls, cls) for cls in (audit.audited if isinstance(audit.audited, dict) else {})]
        for key, index, cls in named:
            if cls not in classes:
                problems.append(with_loc(base + (key, index),
                                         f"unknown risk class {cls!r}{did_you_mean(cls, classes)}; defined: {', '.join(classes)}"))
    return problems


def _link_problems(scenario: Scenario) -> tuple[list[Problem], set[tuple[str, str]]]:
    """Link keys, their nodes, ferries between ports, each direction once; and the directed edges."""
    problems: list[Problem] = []
    edges: set[tuple[str, str]] = set()
    names = list(scenario.nodes)
    for key, link in scenario.links.items():
        try:
            a, b, both = parse_link_key(key)
        except ValueError as exc:
            problems.append(with_loc(("links", key), str(exc)))
            continue
        missing = [n for n in (a, b) if n not in scenario.nodes]
        for n in missing:
            problems.append(with_loc(("links", key), f"unknown node {n!r}{did_you_mean(n, names)}"))
        if missing:
            continue
        if link.mode == "ferry":
            kinds = [scenario.nodes[n].kind for n in (a, b)]
            if kinds != ["port", "port"]:
                problems.append(with_loc(("links", key), f"a ferry link joins two ports; {a!r} is a {kinds[0]} and {b!r} a {kinds[1]}"))
            both = True
        for pair in ([(a, b), (b, a)] if both else [(a, b)]):
            if pair in edges:
                problems.append(with_loc(("links", key), f"a second link from {pair[0]!r} to {pair[1]!r}; give each direction once"))
            edges.add(pair)
    return problems, edges


def _graph(scenario: Scenario) -> nx.DiGraph:
    """The graph the model routes on, so a from/to route is checked exactly as it will be driven."""
    return build_graph(scenario)


def _item_problems(scenario: Scenario, base: PathT, item: Flow | Caravan, edges: set[tuple[str, str]],
                   graph: nx.DiGraph | None, used_classes: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if item.route is not None:
        problems += _route_problems(scenario, base, item.route, edges)
    else:
        problems += _ends_problems(scenario, base, item, graph)
    classes = list(scenario.risk_classes)
    if isinstance(item, Flow):
        if item.risk is None:
            if len(classes) > 1:
                problems.append(with_loc(base, f"give a `risk` mix: the scenario has {len(classes)} risk classes ({', '.join(classes)})"))
            used_classes.add(classes[0])
        for cls, share in (item.risk or {}).items():
            if cls not in scenario.risk_classes:
                problems.append(with_loc(base + ("risk", cls), f"unknown risk class {cls!r}{did_you_mean(cls, classes)}; "
                                                               f"defined: {', '.join(classes)}"))
            elif share > 0:
                used_classes.add(cls)
    else:
        if item.risk is not None and item.risk not in scenario.risk_classes:
            problems.append(with_loc(base + ("risk",), f"unknown risk class {item.risk!r}"
                                                       f"{did_you_mean(item.risk, classes)}; defined: {', '.join(classes)}"))
        else:
            used_classes.add(item.risk or classes[0])
        clock = scenario.clock
        end = clock.start + dt.timedelta(hours=clock.horizon)
        if item.depart < clock.start:
            problems.append(with_loc(base + ("depart",), f"departs at {item.depart:%Y-%m-%d %H:%M}, "
                                                         f"before the clock start {clock.start:%Y-%m-%d %H:%M}"))
        elif item.depart >= end:
            problems.append(with_loc(base + ("depart",), f"departs at {item.depart:%Y-%m-%d %H:%M}, at or after the end of "
                                     f"the horizon {end:%Y-%m-%d %H:%M} (trucks depart from the clock start to the horizon)"))
    return problems


def _ends_problems(scenario: Scenario, base: PathT, item: Flow | Caravan, graph: nx.DiGraph | None) -> list[Problem]:
    """`from`/`to`: both nodes exist, a path joins them, and the shortest one crosses each bcp properly."""
    names = list(scenario.nodes)
    problems = [with_loc(base + (key,), f"unknown node {end!r}{did_you_mean(str(end), names)}")
                for key, end in (("from", item.from_), ("to", item.to)) if end not in scenario.nodes]
    if problems or graph is None:
        return problems
    if item.from_ == item.to:
        return [with_loc(base + ("to",), f"`from` and `to` are both {item.to!r}; a flow goes somewhere else")]
    import networkx as nx

    if not nx.has_path(graph, item.from_, item.to):
        return [with_loc(base, f"no path from {item.from_!r} to {item.to!r} along the links")]
    route = tuple(nx.shortest_path(graph, item.from_, item.to, weight="hours"))
    crossing = _crossing_problems(scenario, route)
    return [with_loc(base, f"the shortest route {' -> '.join(route)} {message}") for _, message in crossing]


def _route_problems(scenario: Scenario, base: PathT, route: tuple[str, ...], edges: set[tuple[str, str]]) -> list[Problem]:
    """An explicit route: known nodes, a link for each step, each bcp crossed from one side to the other."""
    names = list(scenario.nodes)
    problems = [with_loc(base + ("route", i), f"unknown node {name!r}{did_you_mean(name, names)}")
                for i, name in enumerate(route) if name not in scenario.nodes]
    if problems:
        return problems
    for i, (a, b) in enumerate(zip(route, route[1:])):
        if (a, b) not in edges:
            problems.append(with_loc(base + ("route", i + 1), f"no link from {a!r} to {b!r}; add `{a} -> {b}` to links"))
    problems += [with_loc(base + ("route", i), message) for i, message in _crossing_problems(scenario, route)]
    return problems


def _crossing_problems(scenario: Scenario, route: tuple[str, ...]) -> list[tuple[int, str]]:
    """(route index, message) for each bcp the route does not cross from one of its countries to the other."""
    out: list[tuple[int, str]] = []
    for i, name in enumerate(route):
        node = scenario.nodes[name]
        if node.kind != "bcp":
            continue
        sides: list[str | None] = []
        for j, where in ((i - 1, "comes from"), (i + 1, "goes on to")):
            if not 0 <= j < len(route):
                sides.append(None)
                continue
            side = scenario.side_between(route[j], name)
            if side is None:
                out.append((i, f"{where} bcp {route[j]!r} ({'/'.join(scenario.nodes[route[j]].countries)}) directly, but "
                               f"bcp {name!r} ({'/'.join(node.countries)}) must share exactly one country with it; "
                               f"put a node of the country between them in the route"))
            elif side not in node.countries:
                out.append((i, f"{where} {route[j]!r} in {side}, but bcp {name!r} joins {' and '.join(node.countries)}"))
                side = None
            sides.append(side)
        if sides[0] is not None and sides[0] == sides[1]:
            out.append((i, f"enters and leaves bcp {name!r} on the same side ({sides[0]})"))
    return _unique(out)


def _unique(items: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    return list(dict.fromkeys(items))


def _customs_problems(scenario: Scenario, used_classes: set[str]) -> list[Problem]:
    """Customs keys name countries of the scenario; channels name risk classes; every class used has channels."""
    problems: list[Problem] = []
    countries = list(scenario.countries)
    classes = list(scenario.risk_classes)
    for key, spec in scenario.customs.items():
        if key != "default" and key not in scenario.countries:
            problems.append(with_loc(("customs", key), f"no node lies in {key!r}{did_you_mean(key, countries)}; countries: {', '.join(countries)}"))
        for cls in (spec.channels or {}):
            if cls not in scenario.risk_classes:
                problems.append(with_loc(("customs", key, "channels", cls),
                                         f"unknown risk class {cls!r}{did_you_mean(cls, classes)}; defined: {', '.join(classes)}"))
    with_controls = sorted({c for n in scenario.nodes.values() if n.kind != "terminal" for c in n.countries})
    for country in with_controls:
        where = ("customs", country) if country in scenario.customs else ("customs", "default")
        try:
            policy = resolve_policy(scenario, country)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                problems.append(with_loc(where + tuple(err["loc"]), err["msg"].removeprefix("Value error, ")))
            continue
        scenario._policies[country] = policy
        for cls in sorted(used_classes):
            if cls not in policy.channels:
                problems.append(with_loc(where + ("channels",),
                                         f"{country}'s customs has no channels for risk class {cls!r}, which the traffic uses; "
                                         f"add `{cls}: {{yellow: ..., red: ...}}` under {format_path(where + ('channels',))}"))
    return problems
