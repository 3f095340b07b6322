"""The corridor as a networkx DiGraph, and route resolution."""
from __future__ import annotations

import networkx as nx

from .scenario.schema import Link, Scenario


def expected_link_hours(scenario: Scenario, link: Link) -> float:
    """Expected hours to traverse a link, used to find shortest routes (no waits at controls)."""
    if link.mode == "ferry":
        rule = link.departure
        wait = (rule.every or rule.when_full_or_after or 0.0) / 2
        return link.sailing.mean() + wait  # type: ignore[union-attr]
    speed = link.speed_kmh.mean() if link.speed_kmh is not None else scenario.drivers.speed_kmh.mean()
    return (link.km or 0.0) / speed


def build_graph(scenario: Scenario) -> nx.DiGraph:
    """Nodes carry kind, countries, lat/lon, label; edges carry the link, its key, mode, km, hours."""
    graph = nx.DiGraph(name=scenario.name)
    for name, node in scenario.nodes.items():
        graph.add_node(name, kind=node.kind, countries=node.countries, lat=node.lat, lon=node.lon,
                       label=node.label or name)
    for a, b, both, key in scenario.link_ends():
        link = scenario.links[key]
        both = both or link.mode == "ferry"
        attrs = dict(link=link, key=key, mode=link.mode, km=link.km or 0.0, hours=expected_link_hours(scenario, link))
        graph.add_edge(a, b, **attrs)
        if both:
            graph.add_edge(b, a, **attrs)
    return graph


def resolve_route(graph: nx.DiGraph, route: tuple[str, ...] | None, source: str | None, target: str | None) -> tuple[str, ...]:
    """The explicit route, or the shortest path by expected hours from `source` to `target`."""
    if route is not None:
        return tuple(route)
    return tuple(nx.shortest_path(graph, source, target, weight="hours"))
