"""Checks that need the whole scenario: routes, borders, mixes, policies."""
from __future__ import annotations

from typing import Any

import networkx as nx
from pydantic import ValidationError

from ..errors import Problem
from .dists import did_you_mean
from .schema import Scenario, parse_link_key, resolve_policy


def _p(path: tuple[Any, ...], message: str) -> Problem:
    from .loader import with_loc

    return with_loc(path, message)


def _side(scenario: Scenario, name: str) -> str | None:
    node = scenario.nodes[name]
    return node.country if node.kind != "bcp" else None


def _route_problems(scenario: Scenario, base: tuple[Any, ...], route: tuple[str, ...], edges: set[tuple[str, str]]) -> list[Problem]:
    problems: list[Problem] = []
    names = list(scenario.nodes)
    for i, name in enumerate(route):
        if name not in scenario.nodes:
            problems.append(_p(base + ("route", i), f"unknown node {name!r}{did_you_mean(name, names)}"))
    if problems:
        return problems
    for i, (a, b) in enumerate(zip(route, route[1:])):
        if (a, b) not in edges:
            problems.append(_p(base + ("route", i + 1), f"no link from {a!r} to {b!r}; add `{a} -> {b}` to links"))
    for i, name in enumerate(route):
        node = scenario.nodes[name]
        if node.kind != "bcp":
            continue
        prev = _side(scenario, route[i - 1]) if i > 0 else None
        nxt = _side(scenario, route[i + 1]) if i + 1 < len(route) else None
        for other, where in ((prev, "comes from"), (nxt, "goes on to")):
            if other is not None and other not in node.border:  # type: ignore[operator]
                problems.append(_p(base + ("route", i), f"the route {where} {other}, but bcp {name!r} joins {' and '.join(node.border)}"))  # type: ignore[arg-type]
        if prev is not None and nxt is not None and prev == nxt:
            problems.append(_p(base + ("route", i), f"the route enters and leaves bcp {name!r} on the same side ({prev})"))
    return problems


def semantic_problems(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    names = list(scenario.nodes)
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    edges: set[tuple[str, str]] = set()
    for key, link in scenario.links.items():
        try:
            a, b, both = parse_link_key(key)
        except ValueError as exc:
            problems.append(_p(("links", key), str(exc)))
            continue
        missing = [n for n in (a, b) if n not in scenario.nodes]
        for n in missing:
            problems.append(_p(("links", key), f"unknown node {n!r}{did_you_mean(n, names)}"))
        if missing:
            continue
        if link.mode == "ferry":
            kinds = [scenario.nodes[n].kind for n in (a, b)]
            if kinds != ["port", "port"]:
                problems.append(_p(("links", key), f"a ferry link joins two ports; {a!r} is a {kinds[0]} and {b!r} a {kinds[1]}"))
            both = True
        pairs = [(a, b), (b, a)] if both else [(a, b)]
        for pair in pairs:
            if pair in edges:
                problems.append(_p(("links", key), f"a second link from {pair[0]!r} to {pair[1]!r}; give each direction once"))
            edges.add(pair)
            graph.add_edge(*pair)

    used_classes: set[str] = set()
    classes = list(scenario.risk_classes)
    groups = (("traffic", scenario.traffic), ("caravans", scenario.caravans))
    for section, items in groups:
        for name, item in items.items():
            base = (section, name)
            if item.route is not None:
                problems.extend(_route_problems(scenario, base, item.route, edges))
            else:
                bad = False
                for key, end in (("from", item.from_), ("to", item.to)):
                    if end not in scenario.nodes:
                        problems.append(_p(base + (key,), f"unknown node {end!r}{did_you_mean(str(end), names)}"))
                        bad = True
                if not bad:
                    if not nx.has_path(graph, item.from_, item.to):
                        problems.append(_p(base, f"no path from {item.from_!r} to {item.to!r} along the links"))
            if section == "traffic":
                mix = item.risk
                if mix is None:
                    if len(classes) > 1:
                        problems.append(_p(base, f"give a `risk` mix: the scenario has {len(classes)} risk classes ({', '.join(classes)})"))
                    used_classes.add(classes[0])
                else:
                    for cls in mix:
                        if cls not in scenario.risk_classes:
                            problems.append(_p(base + ("risk", cls), f"unknown risk class {cls!r}{did_you_mean(cls, classes)}; defined: {', '.join(classes)}"))
                        elif mix[cls] > 0:
                            used_classes.add(cls)
            else:
                cls = item.risk or classes[0]
                if item.risk is not None and cls not in scenario.risk_classes:
                    problems.append(_p(base + ("risk",), f"unknown risk class {cls!r}{did_you_mean(cls, classes)}; defined: {', '.join(classes)}"))
                else:
                    used_classes.add(cls)
                if item.depart < scenario.clock.start:
                    problems.append(_p(base + ("depart",), f"departs at {item.depart}, before the clock start {scenario.clock.start}"))

    countries_with_controls = sorted({c for n in scenario.nodes.values() if n.kind != "terminal" for c in n.countries})
    for key in scenario.customs:
        if key != "default" and key not in scenario.countries:
            problems.append(_p(("customs", key), f"no node lies in {key!r}{did_you_mean(key, list(scenario.countries))}; countries: {', '.join(scenario.countries)}"))
    for country in countries_with_controls:
        where = ("customs", country) if country in scenario.customs else ("customs", "default")
        try:
            policy = resolve_policy(scenario, country)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                problems.append(_p(where + tuple(err["loc"]), err["msg"].removeprefix("Value error, ")))
            continue
        scenario._policies[country] = policy
        for cls in sorted(used_classes):
            if cls not in policy.channels:
                problems.append(_p(where + ("channels",), f"no channels for risk class {cls!r} in {country}'s customs; traffic uses it"))
    return problems
