"""Semantic checks: each cross-reference rule of the format, with the YAML path it reports."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor_sim.errors import ScenarioError
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.network import build_graph, controls_at
from conftest import tiny


def problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        build_scenario(data)
    return [(p.path, p.message) for p in info.value.problems]


def one(data: dict) -> tuple[str, str]:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def with_ports() -> dict:
    """origin (AA) -> post (bcp AA/BB) -> west (port BB) ~ferry~ east (port CC) -> end (CC)."""
    data = tiny()
    data["nodes"] |= {"west": {"kind": "port", "country": "BB"}, "east": {"kind": "port", "country": "CC"},
                      "end": {"kind": "terminal", "country": "CC"}}
    data["links"] |= {"post -> west": {"km": 10}, "west -> east": {"mode": "ferry", "capacity": 10, "sailing": "5h"},
                      "east -> end": {"km": 10}}
    return data


def test_the_bases_are_valid():
    build_scenario(tiny())
    build_scenario(with_ports())


def test_route_nodes_exist():
    data = tiny()
    data["traffic"]["main"]["route"] = ["origin", "post", "destinaton"]
    path, message = one(data)
    assert path == "traffic.main.route[2]" and "unknown node 'destinaton'" in message and "did you mean 'destination'" in message


def test_consecutive_route_nodes_are_linked():
    data = tiny()
    data["links"] = {"origin -> post": {"km": 60}, "destination -> post": {"km": 60}}
    path, message = one(data)
    assert path == "traffic.main.route[2]" and "no link from 'post' to 'destination'" in message


def test_both_way_links_serve_both_directions():
    data = tiny()
    data["links"] = {"origin <-> post": {"km": 60}, "post <-> destination": {"km": 60}}
    data["traffic"]["back"] = {"route": ["destination", "post", "origin"], "per_day": 5}
    build_scenario(data)


def test_links_name_known_nodes_and_each_direction_once():
    data = tiny()
    data["links"]["post -> nowhere"] = {"km": 1}
    data["links"]["origin <-> post"] = {"km": 1}
    found = problems(data)
    assert ('links["post -> nowhere"]', "unknown node 'nowhere'") in found
    assert any(p == 'links["origin <-> post"]' and "a second link from 'origin' to 'post'" in m for p, m in found)


def test_link_keys_have_an_arrow():
    data = tiny()
    data["links"]["origin => post"] = data["links"].pop("origin -> post")
    found = problems(data)
    assert found[0][0] == 'links["origin => post"]' and "'a -> b' or 'a <-> b'" in found[0][1]


def test_from_to_flows_need_a_path():
    data = tiny()
    data["traffic"]["back"] = {"from": "destination", "to": "origin", "per_day": 5}
    assert one(data) == ("traffic.back", "no path from 'destination' to 'origin' along the links")


def test_from_to_flows_resolve_by_shortest_expected_time():
    data = tiny()
    data["traffic"]["main"] = {"from": "origin", "to": "destination", "per_day": 5}
    assert build_scenario(data).traffic["main"].route is None
    data["traffic"]["main"]["to"] = "destiny"
    path, message = one(data)
    assert path == "traffic.main.to" and "did you mean 'destination'" in message


def test_shares_are_probabilities_and_mixes_sum_to_one():
    data = tiny()
    data["traffic"]["main"] |= {"aeo": 1.2, "regime": {"paper_tir": 0.5, "etir": 0.6}}
    found = dict(problems(data))
    assert "at most 1" in found["traffic.main.aeo"]
    assert "must sum to 1, got 1.1 (paper_tir 0.5, etir 0.6)" in found["traffic.main.regime"]
    data = tiny()
    data["risk_classes"]["high"] = {"noncompliance": 0.2}
    data["customs"] = {"default": {"channels": {"high": {"yellow": 0.2, "red": 0.1}}}}
    data["traffic"]["main"]["risk"] = {"low": 0.5, "high": 0.4}
    assert one(data) == ("traffic.main.risk", "the shares must sum to 1, got 0.9 (low 0.5, high 0.4)")


def test_regime_keys_are_the_three_regimes():
    data = tiny()
    data["traffic"]["main"]["regime"] = {"paper": 1.0}
    path, message = one(data)
    assert path == "traffic.main.regime.paper" and "did you mean 'paper_tir'" in message


def test_a_flow_needs_a_risk_mix_when_there_are_several_classes():
    data = tiny()
    data["risk_classes"]["high"] = {"noncompliance": 0.2}
    path, message = one(data)
    assert path == "traffic.main" and "give a `risk` mix" in message


def test_risk_classes_used_by_traffic_have_channels_in_every_country():
    data = tiny()
    data["risk_classes"]["high"] = {"noncompliance": 0.2}
    data["customs"] = {"default": {"channels": {"low": {"yellow": 0.1}}}, "BB": {"channels": {"high": {"red": 0.5}}}}
    data["traffic"]["main"]["risk"] = {"low": 0.5, "high": 0.5}
    path, message = one(data)  # BB has channels for high; AA (from default) does not
    assert path == "customs.default.channels" and "AA's customs has no channels for risk class 'high'" in message


def test_a_class_with_zero_share_needs_no_channels():
    data = tiny()
    data["risk_classes"]["high"] = {"noncompliance": 0.2}
    data["traffic"]["main"]["risk"] = {"low": 1.0, "high": 0.0}
    build_scenario(data)


def test_unknown_risk_classes():
    data = tiny()
    data["traffic"]["main"]["risk"] = {"lo": 1.0}
    data["customs"] = {"AA": {"channels": {"medium": {"yellow": 0.1}}}}
    found = problems(data)
    assert ("traffic.main.risk.lo", "unknown risk class 'lo' (did you mean 'low'?); defined: low") in found
    assert any(p == "customs.AA.channels.medium" and "unknown risk class 'medium'" in m for p, m in found)


def test_customs_keys_are_countries_of_the_scenario():
    data = tiny()
    data["customs"] = {"AB": {"detection": 0.5}}
    path, message = one(data)
    assert path == "customs.AB" and message.startswith("no node lies in 'AB'") and message.endswith("countries: AA, BB")
    data["customs"] = {"kz": {}}
    path, message = one(data)
    assert path == "customs.kz" and "country code" in message


def test_a_bcp_border_names_two_different_countries():
    for border, words in ((["AA"], "two countries"), (["AA", "AA"], "two different countries"), ("AA", "two countries")):
        data = tiny()
        data["nodes"]["post"]["border"] = border
        path, message = one(data)
        assert path == "nodes.post" if border == ["AA", "AA"] else path == "nodes.post.border"
        assert words in message


def test_a_bcp_neighbours_lie_in_its_countries():
    data = tiny()
    data["nodes"]["destination"]["country"] = "CC"
    path, message = one(data)
    assert path == "traffic.main.route[1]" and "goes on to 'destination' in CC, but bcp 'post' joins AA and BB" in message


def test_a_route_crosses_a_bcp_from_one_side_to_the_other():
    data = tiny()
    data["nodes"]["back"] = {"kind": "terminal", "country": "AA"}
    data["links"]["post -> back"] = {"km": 5}
    data["traffic"]["main"]["route"] = ["origin", "post", "back"]
    assert one(data) == ("traffic.main.route[1]", "enters and leaves bcp 'post' on the same side (AA)")


def test_two_adjacent_bcps_must_share_one_country():
    data = tiny()
    data["nodes"] |= {"second": {"kind": "bcp", "border": ["BB", "CC"]}, "far": {"kind": "terminal", "country": "CC"}}
    data["links"] |= {"post -> second": {"km": 5}, "second -> far": {"km": 5}}
    data["traffic"]["main"]["route"] = ["origin", "post", "second", "far"]
    scenario = build_scenario(data)  # AA -> post -> (BB) -> second -> CC
    graph = build_graph(scenario)
    route = ("origin", "post", "second", "far")
    assert controls_at(scenario, graph, route, 1) == [("post", ("AA",), "exit"), ("post", ("BB",), "entry")]
    assert controls_at(scenario, graph, route, 2) == [("second", ("BB",), "exit"), ("second", ("CC",), "entry")]
    data["nodes"]["second"]["border"] = ["DD", "CC"]
    found = problems(data)
    assert all(p.startswith("traffic.main.route[") for p, _ in found)
    assert any("must share exactly one country" in m for _, m in found)


def test_from_to_routes_are_checked_at_their_bcps_too():
    data = tiny()
    data["nodes"]["destination"]["country"] = "CC"
    data["traffic"]["main"] = {"from": "origin", "to": "destination", "per_day": 5}
    path, message = one(data)
    assert path == "traffic.main" and message.startswith("the shortest route origin -> post -> destination goes on to")


def test_ferry_links_join_two_ports():
    data = with_ports()
    data["links"]["post -> west"] = {"mode": "ferry", "capacity": 10, "sailing": "1h"}
    path, message = one(data)
    assert path == 'links["post -> west"]' and "a ferry link joins two ports; 'post' is a bcp" in message


def test_a_ferry_serves_both_directions():
    data = with_ports()
    data["traffic"]["back"] = {"route": ["end", "east", "west"], "per_day": 2}
    data["links"]["end -> east"] = {"km": 10}
    build_scenario(data)


def test_ferry_and_road_fields_do_not_mix():
    data = with_ports()
    data["links"]["east -> end"]["capacity"] = 4
    data["links"]["west -> east"]["speed_kmh"] = 40
    del data["links"]["west -> east"]["sailing"]
    found = dict(problems(data))
    assert "capacity apply to ferry links only" in found['links["east -> end"]']
    assert "needs sailing" in found['links["west -> east"]']


@pytest.mark.parametrize("path, value, words", [
    (("traffic", "main", "per_day"), 0, "greater than 0"),
    (("nodes", "post", "lanes"), 0, "at least 1"),
    (("nodes", "post", "inspection_bays"), -2, "at least 1"),
    (("links", "west -> east", "capacity"), 0, "at least 1"),
    (("links", "west -> east", "vessels"), 0, "at least 1"),
    (("links", "west -> east", "departs"), {"every": 0}, "greater than 0"),
    (("links", "west -> east", "departs"), {"every": "24h", "when_full": True}, "exactly one departure rule"),
    (("links", "west -> east", "storms"), {"per_year": -1, "duration": "1d"}, "at least 0"),
    (("links", "west -> east", "storms"), {"per_year": 2, "duration": "1d", "months": [13]}, "1..12"),
    (("drivers", "speed_kmh"), 0, "between 1 and 200 km/h"),
    (("links", "east -> end", "speed_kmh"), {"dist": "uniform", "min": 0, "max": 80}, "must be positive"),
    (("caravans",), {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-05T00:00", "trucks": 0}}, "at least 1"),
])
def test_rates_and_capacities_are_positive(path, value, words):
    data = with_ports()
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    found = problems(data)
    assert any(words in m for _, m in found), found


def test_horizon_is_longer_than_warmup():
    data = tiny()
    data["clock"] |= {"horizon": "2d", "warmup": "3d"}
    assert one(data) == ("clock", "horizon (48 h) must be longer than warmup (72 h)")
    data["clock"] |= {"horizon": "200w", "warmup": 0}
    build_scenario(data)
    data["clock"]["horizon"] = "5300w"
    assert "at most 100 years" in one(data)[1]


def test_caravans_depart_after_the_clock_start():
    data = tiny(caravans={"c": {"route": ["origin", "post", "destination"], "depart": "2025-12-31T08:00", "trucks": 3}})
    assert one(data) == ("caravans.c.depart", "departs at 2025-12-31 08:00, before the clock start 2026-01-05 00:00")
    data["caravans"]["c"]["depart"] = "2026-01-06"  # a date means midnight
    assert build_scenario(data).caravans["c"].depart.hour == 0


def test_controls_overrides_name_the_node_countries():
    data = tiny()
    data["nodes"]["post"]["controls"] = {"CC": {"lanes": 3}}
    path, message = one(data)
    assert path == "nodes.post" and "controls names 'CC'" in message


def test_a_scenario_needs_nodes_and_a_risk_class():
    data = tiny(nodes={}, links={}, traffic={}, risk_classes={})
    found = dict(problems(data))
    assert found["nodes"] == "at least one node is needed"
    assert found["risk_classes"] == "at least one risk class is needed"


def test_defaults_fill_every_optional_section():
    s = build_scenario({"name": "bare", "nodes": {"a": {"kind": "terminal", "country": "AA"}}})
    assert (s.clock.horizon, s.clock.warmup, s.experiment.replications, s.experiment.seed) == (720.0, 0.0, 10, 12345)
    assert (s.drivers.rules, s.drivers.crew, s.drivers.speed_kmh.mean()) == ("aetr", "single", 60.0)
    assert list(s.risk_classes) == ["low"] and s.risk_classes["low"].noncompliance == 0.005
    node = s.nodes["a"]
    assert (node.lanes, node.inspection_bays, node.hours.always_open, node.holidays, node.joint_control) == (2, 1, True, (), False)
    policy = s.policy("AA")
    assert policy.detection == 0.9 and policy.document["etir"].mean() == pytest.approx(0.1)


def test_a_loaded_scenario_is_frozen():
    s = build_scenario(tiny())
    with pytest.raises(ValidationError):
        s.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.nodes["post"].lanes = 9  # type: ignore[misc]
