"""The corridor as a networkx DiGraph, route resolution, and the controls along a route.

`controls_at` and `crossing_label` are the one definition of which controls a truck passes and
how their crossing is named; the model, the summary and the plots all use them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .schema import Link, Scenario

if TYPE_CHECKING:  # networkx is imported where a graph is built: validating needs it only for from/to routes
    import networkx as nx


class ControlKey(NamedTuple):
    """One control: a country's customs (or, joint, both countries') at a node, one direction."""

    node: str
    countries: tuple[str, ...]
    direction: str  # "exit", "entry" or "joint"

    @property
    def country(self) -> str:
        return "+".join(self.countries)


def expected_link_hours(scenario: Scenario, link: Link) -> float:
    """Expected hours to traverse a link, used to find shortest routes (no waits at controls)."""
    if link.mode == "ferry":
        rule = link.departure
        wait = (rule.every or rule.when_full_or_after or 0.0) / 2
        return link.sailing.mean() + wait  # type: ignore[union-attr]
    speed = link.speed_kmh.mean() if link.speed_kmh is not None else scenario.drivers.speed_kmh.mean()
    return (link.km or 0.0) / speed


# a journey takes several times its hours without waits: AETR rests alone make 9 hours of driving
# a day's journey (x 2.7), and the borders and ports add their queues
RUN_ON_JOURNEYS = 4.0


def run_on_until(scenario: Scenario, graph: nx.DiGraph, routes: list[tuple[str, ...]]) -> float:
    """The time after which no flow departs any more, even with counted trucks still due: past the
    horizon by as long again, or by four times the longest counted route's hours without waits if
    that is longer. A counted truck still due then is in a system that does not drain, as the
    window's own figures show; flows running on for as long as it waits would keep its queue, the
    run and its memory growing to the drain's cap."""
    longest = max((sum(graph.edges[a, b]["hours"] for a, b in zip(route, route[1:])) for route in routes), default=0.0)
    horizon = scenario.clock.horizon
    return horizon + max(horizon, RUN_ON_JOURNEYS * longest)


def build_graph(scenario: Scenario) -> nx.DiGraph:
    """Nodes carry kind, countries, lat/lon, label; edges carry the link, its key, mode, km, hours."""
    import networkx as nx

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
    import networkx as nx

    return tuple(nx.shortest_path(graph, source, target, weight="hours"))


def controls_at(scenario: Scenario, graph: nx.DiGraph, route: tuple[str, ...], i: int) -> list[ControlKey]:
    """The controls a truck on `route` passes at `route[i]`, in order.

    A bcp: the exit control of the country it leaves, then the entry control of the one it
    enters (one joint control where `joint_control` is set). A port: its entry control when the
    truck arrives by ferry, its exit control when it leaves by ferry. Terminals have none.
    """
    name = route[i]
    node = scenario.nodes[name]
    if node.kind == "bcp":
        a, b = _border_direction(scenario, route, i)
        if node.joint_control:
            return [ControlKey(name, (a, b), "joint")]
        return [ControlKey(name, (a,), "exit"), ControlKey(name, (b,), "entry")]
    if node.kind == "port":
        assert node.country is not None  # Node._kind_fields: a port has a country
        out = []
        if i > 0 and graph.edges[route[i - 1], name]["mode"] == "ferry":
            out.append(ControlKey(name, (node.country,), "entry"))
        if i + 1 < len(route) and graph.edges[name, route[i + 1]]["mode"] == "ferry":
            out.append(ControlKey(name, (node.country,), "exit"))
        return out
    return []


def _border_direction(scenario: Scenario, route: tuple[str, ...], i: int) -> tuple[str, str]:
    """(exit country, entry country) of the bcp at route[i]."""
    node = scenario.nodes[route[i]]
    a, b = node.border  # type: ignore[misc]
    prev = scenario.side_between(route[i - 1], route[i]) if i > 0 else None
    nxt = scenario.side_between(route[i + 1], route[i]) if i + 1 < len(route) else None
    if prev is not None:
        return (prev, b if prev == a else a)
    if nxt is not None:
        return (a if nxt == b else b, nxt)
    return (a, b)


def crossing_label(scenario: Scenario, control: ControlKey) -> str:
    """Which crossing a control belongs to: `AZ->GE` at a bcp, `KZ outbound` at a port."""
    spec = scenario.nodes[control.node]
    country, direction = control.country, control.direction
    if spec.kind == "bcp":
        if direction == "joint":
            return "->".join(control.countries)
        other = spec.border[1] if spec.border[0] == country else spec.border[0]  # type: ignore[index]
        return f"{country}->{other}" if direction == "exit" else f"{other}->{country}"
    return f"{country} {'outbound' if direction == 'exit' else 'inbound'}"


def place_name(scenario: Scenario, node: str, short: bool = False) -> str:
    """How a node is shown: its `label` (its id when it has none). `short` keeps the label up to
    its first " / ", " (" or ": " (`Red Bridge: Qirmizi Korpu / ...` -> `Red Bridge`), for maps
    and 80-column tables where long names would overlap or fold."""
    label = scenario.nodes[node].label or node
    if short:
        label = label.split(" / ")[0].split(" (")[0].split(": ")[0].strip() or node
    return label
