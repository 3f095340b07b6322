"""Loading scenario files: every kind of bad input gives one located Problem; overlays and --set merge."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_sim.errors import ScenarioError
from corridor_sim.scenario import Scenario, derive, load_scenario, merge
from corridor_sim.scenario.loader import MAX_FILE_BYTES, apply_override, parse_override
from conftest import CONTRACT, tiny

# Line numbers in the tests below refer to this text.
TINY = """\
name: tiny
clock: {start: 2026-01-05T00:00, horizon: 10d, warmup: 1d}
experiment: {replications: 2, seed: 1}
drivers: {rules: none, speed_kmh: 60}
risk_classes:
  low: {noncompliance: 0.05}
nodes:
  origin: {kind: terminal, country: AA}
  post: {kind: bcp, border: [AA, BB], lanes: 2}
  destination: {kind: terminal, country: BB}
links:
  origin -> post: {km: 60}
  post -> destination: {km: 60}
traffic:
  main:
    route: [origin, post, destination]
    per_day: 20
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, overrides=()) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert info.value.problems, "a ScenarioError always carries its problems"
    return info.value.problems


def only(path: Path, overrides=()):
    found = problems(path, overrides)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_tiny_text_loads(tmp_path):
    s = load_scenario(write(tmp_path, TINY))
    assert isinstance(s, Scenario)
    assert s.clock.horizon == 240 and s.clock.warmup == 24
    assert s.nodes["post"].border == ("AA", "BB")


@pytest.mark.parametrize("name", sorted(p.name for p in CONTRACT.glob("*.yaml")))
def test_contract_files_load_unchanged(name):
    s = load_scenario(CONTRACT / name)
    assert s.name == yaml.safe_load((CONTRACT / name).read_text())["name"]


# --- YAML itself -----------------------------------------------------------------------

def test_yaml_syntax_error_has_line_and_column(tmp_path):
    p = only(write(tmp_path, TINY.replace("lanes: 2}", "lanes: 2")))
    assert p.file.endswith("s.yaml") and p.line == 10 and p.column is not None
    assert "YAML syntax error" in p.message


def test_yaml_tab_indentation_is_a_located_syntax_error(tmp_path):
    p = only(write(tmp_path, TINY + "\tbad: 1\n"))
    assert (p.line, p.column, p.message) == (18, 1, "tabs cannot indent YAML; use spaces")


def test_duplicate_keys_are_refused_with_both_lines(tmp_path):
    p = only(write(tmp_path, TINY.replace("  destination: {kind: terminal, country: BB}\n",
                                          "  destination: {kind: terminal, country: BB}\n  post: {kind: terminal, country: BB}\n")))
    assert p.line == 11 and "duplicate key 'post'" in p.message and "line 9" in p.message


def test_invalid_dates_are_located_not_crashes(tmp_path):
    p = only(write(tmp_path, TINY.replace("lanes: 2}", "lanes: 2, holidays: [2026-02-30]}")))
    assert p.line == 9 and "invalid date '2026-02-30'" in p.message


def test_python_tags_are_refused(tmp_path):
    p = only(write(tmp_path, TINY + "description: !!python/object/apply:os.system [echo hi]\n"))
    assert p.line == 18 and "not allowed" in p.message and "!!python/object/apply:os.system" in p.message


def test_alias_bomb_is_refused(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    p = only(write(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than" in p.message and "aliases" in p.message


def test_recursive_alias_is_refused(tmp_path):
    p = only(write(tmp_path, "name: x\nnodes: &n {a: *n}\n"))
    assert p.line == 2 and "recursive alias" in p.message


def test_deep_nesting_is_refused(tmp_path):
    p = only(write(tmp_path, "name: x\nnodes: " + "[" * 3000 + "]" * 3000 + "\n"))
    assert "nests deeper" in p.message


def test_files_over_ten_megabytes_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    p = only(path)
    assert "limited to 10 MB" in p.message


@pytest.mark.parametrize("text, words", [
    ("", "the file is empty"), ("- a\n- b\n", "got a list"), ("name: x\n---\nname: y\n", "a single document"),
])
def test_not_a_scenario_mapping(tmp_path, text, words):
    assert words in only(write(tmp_path, text)).message


def test_missing_file_and_directory(tmp_path):
    assert only(tmp_path / "nope.yaml").message == "file not found"
    assert "is a directory" in only(tmp_path).message


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in only(path).message


# --- the schema: keys, types, ranges, units ----------------------------------------------

def test_unknown_key_has_path_line_and_did_you_mean(tmp_path):
    p = only(write(tmp_path, TINY.replace("lanes: 2}", "lanse: 2}")))
    assert p.path == "nodes.post.lanse" and p.line == 9
    assert "unknown key 'lanse'" in p.message and "did you mean 'lanes'" in p.message and "inspection_bays" in p.message


def test_unknown_top_level_section_has_did_you_mean(tmp_path):
    p = only(write(tmp_path, TINY.replace("traffic:", "trafic:")))
    assert p.path == "trafic" and p.line == 14 and "did you mean 'traffic'" in p.message


def test_unknown_link_key_shows_the_quoted_path(tmp_path):
    p = only(write(tmp_path, TINY.replace("origin -> post: {km: 60}", "origin -> post: {kms: 60}")))
    assert p.path == 'links["origin -> post"].kms' and p.line == 12 and "did you mean 'km'" in p.message


@pytest.mark.parametrize("old, new, path, line, words", [
    ("per_day: 20", "per_day: -5", "traffic.main.per_day", 17, ["greater than 0", "-5"]),
    ("per_day: 20", "per_day: lots", "traffic.main.per_day", 17, ["a number", "'lots'"]),
    ("lanes: 2}", "lanes: 0}", "nodes.post.lanes", 9, ["at least 1", "got 0"]),
    ("lanes: 2}", "lanes: 2.5}", "nodes.post.lanes", 9, ["whole number", "2.5"]),
    ("replications: 2", "replications: many", "experiment.replications", 3, ["whole number", "'many'"]),
    ("noncompliance: 0.05", "noncompliance: 1.5", "risk_classes.low.noncompliance", 6, ["at most 1", "1.5"]),
    ("kind: bcp", "kind: border", "nodes.post.kind", 9, ["terminal, bcp or port", "'border'"]),
    ("rules: none", "rules: eu", "drivers.rules", 4, ["aetr", "'eu'"]),
    ("country: AA}", "country: aa}", "nodes.origin.country", 8, ["country code", "'aa'"]),
    ("name: tiny", "name: my scenario", "name", 1, ["no spaces", "'my scenario'"]),
    ("per_day: 20", "per_day: 20\n    background: maybe", "traffic.main.background", 18, ["true or false", "'maybe'"]),
    ("start: 2026-01-05T00:00", "start: next monday", "clock.start", 2, ["date-time", "'next monday'"]),
    ("border: [AA, BB]", "border: [AA]", "nodes.post.border", 9, ["two countries", "['AA']"]),
    ("km: 60}\n  post", "km: 1e9}\n  post", 'links["origin -> post"].km', 12, ["at most 20000", "'1e9'"]),
])
def test_wrong_types_and_ranges_name_path_value_and_expectation(tmp_path, old, new, path, line, words):
    assert old in TINY
    p = only(write(tmp_path, TINY.replace(old, new, 1)))
    assert (p.path, p.line) == (path, line), str(p)
    for w in words:
        assert w in p.message, str(p)


def test_unknown_unit(tmp_path):
    p = only(write(tmp_path, TINY.replace("horizon: 10d", "horizon: 3 parsecs")))
    assert (p.path, p.line) == ("clock.horizon", 2)
    assert "unknown unit 'parsecs' in '3 parsecs'" in p.message and "min, h, d" in p.message


def test_a_road_length_may_carry_its_unit_km_or_m(tmp_path):
    """`km: 50 km` is what a user writes from a map: it is 50, as `50` and `50000 m` are; a unit of
    another kind, or a word, is refused in one line with the path and what is accepted."""
    for text in ("60", "60 km", "60km", "60000 m", '"60"'):
        scenario = load_scenario(write(tmp_path, TINY.replace("km: 60}", f"km: {text}}}", 1)))
        assert scenario.links["origin -> post"].km == 60.0, text
    for text, words in (("60 mi", ["'mi' is not a unit of a distance", "km, m"]),
                        ("2h", ["'h' is not a unit of a distance"]),
                        ("far", ["a length in km such as 50, or with its unit (50 km, 800 m)", "'far'"]),
                        ("true", ["a length in km", "True"]),
                        ("30000 km", ["at most 20000"]),
                        ("-1 km", ["at least 0"])):
        p = only(write(tmp_path, TINY.replace("km: 60}", f"km: {text}}}", 1)))
        assert (p.path, p.line) == ('links["origin -> post"].km', 12), str(p)
        for w in words:
            assert w in p.message, str(p)


def test_a_tab_that_indents_is_named_in_one_line_with_its_place(tmp_path, capsys):
    from corridor_sim.cli import main

    indented = TINY.replace("  post: {kind: bcp", "\tpost: {kind: bcp", 1)
    p = only(write(tmp_path, indented))
    assert (p.line, p.column, p.message) == (9, 1, "tabs cannot indent YAML; use spaces"), str(p)
    deeper = TINY.replace("  low: {noncompliance: 0.05}", "  low:\n  \tnoncompliance: 0.05", 1)
    p = only(write(tmp_path, deeper))
    assert (p.line, p.column, p.message) == (7, 3, "tabs cannot indent YAML; use spaces"), str(p)
    assert main(["validate", str(write(tmp_path, indented))]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 's.yaml'}:9:1: tabs cannot indent YAML; use spaces\n"
    # a tab between a key and its value is YAML's whitespace, not indentation
    assert load_scenario(write(tmp_path, TINY.replace("per_day: 20", "per_day:\t20", 1))).traffic["main"].per_day == 20


def test_unknown_unit_inside_a_distribution(tmp_path):
    text = TINY.replace("lanes: 2}", "lanes: 2, handling: {dist: exponential, mean: 2 fortnights}}")
    p = only(write(tmp_path, text))
    assert (p.path, p.line) == ("nodes.post.handling", 9) and "unknown unit 'fortnights'" in p.message


def test_bad_opening_hours_and_holidays(tmp_path):
    text = TINY.replace("lanes: 2}", 'lanes: 2, hours: "Mon-Fri 9-18", holidays: [2026-01-01, soon]}')
    found = problems(write(tmp_path, text))
    assert {p.path for p in found} == {"nodes.post.hours", "nodes.post.holidays[1]"}
    assert all(p.line == 9 for p in found)


def test_time_zones_are_refused(tmp_path):
    p = only(write(tmp_path, TINY.replace("2026-01-05T00:00", "2026-01-05T00:00:00+03:00")))
    assert p.path == "clock.start" and "without a time zone" in p.message


# A number or boolean where a date or date-time belongs. Left to pydantic, `depart: 0` became a Unix
# timestamp with a UTC time zone, passed the time-zone check, and crashed the cross-section checks
# comparing it with the (local) clock start.
WITH_CARAVAN = TINY + "caravans:\n  demo: {route: [origin, post, destination], depart: 2026-01-06T08:00, trucks: 3}\n"
NOT_DATES = [pytest.param(text, shown, id=text) for text, shown in
             [("0", "0"), ("1.5", "1.5"), ("-3", "-3"), ("1767225600", "1767225600"), ("true", "True"), ("false", "False")]]


@pytest.mark.parametrize("text, shown", NOT_DATES)
@pytest.mark.parametrize("old, new, path, line", [
    ("start: 2026-01-05T00:00", "start: {}", "clock.start", 2),
    ("depart: 2026-01-06T08:00", "depart: {}", "caravans.demo.depart", 19),
], ids=["clock.start", "caravan.depart"])
def test_numbers_and_booleans_are_not_date_times(tmp_path, text, shown, old, new, path, line):
    p = only(write(tmp_path, WITH_CARAVAN.replace(old, new.format(text))))
    assert (p.path, p.line) == (path, line), str(p)
    assert p.message == f"expected a date-time such as 2024-03-04T08:00 (or a date such as 2024-03-04), got {shown}"


@pytest.mark.parametrize("text, shown", NOT_DATES)
def test_numbers_and_booleans_are_not_holidays(tmp_path, text, shown):
    p = only(write(tmp_path, TINY.replace("lanes: 2}", f"lanes: 2, holidays: [2026-01-07, {text}]}}")))
    assert (p.path, p.line) == ("nodes.post.holidays[1]", 9), str(p)
    assert p.message == f"expected a date 2024-10-01 or a range 2024-10-01..2024-10-06, got {shown}"


@pytest.mark.parametrize("overrides", [["caravans.demo.depart=0"], ["clock.start=0"], {"caravans.demo.depart": 0},
                                       {"clock.start": 2.5}, {"nodes.post.holidays": [True]}])
def test_numbers_as_dates_from_set_and_derive(tmp_path, overrides):
    path = write(tmp_path, WITH_CARAVAN)
    p = only(path, overrides)
    assert p.message.startswith("expected a date") and p.message.endswith("(from --set)"), str(p)
    with pytest.raises(ScenarioError) as info:
        derive(load_scenario(path), overrides)
    assert [q.path for q in info.value.problems] == [p.path]


def test_validate_refuses_a_number_as_departure_with_exit_code_2(tmp_path, capsys):
    from corridor_sim.cli import main

    path = write(tmp_path, WITH_CARAVAN.replace("depart: 2026-01-06T08:00", "depart: 0"))
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    column = WITH_CARAVAN.splitlines()[18].index("depart") + 1
    assert err.strip() == (f"error: {path}:19:{column}: caravans.demo.depart: expected a date-time such as "
                           "2024-03-04T08:00 (or a date such as 2024-03-04), got 0")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    text = TINY.replace("lanes: 2}", "lanes: 0}").replace("per_day: 20", "per_day: -1").replace("rules: none", "rules: x")
    assert {p.path for p in problems(write(tmp_path, text))} == {"nodes.post.lanes", "traffic.main.per_day", "drivers.rules"}


def test_missing_required_keys(tmp_path):
    found = problems(write(tmp_path, TINY.replace("    per_day: 20\n", "")))
    assert [(p.path, p.message) for p in found] == [("traffic.main.per_day", "required key is missing")]
    assert found[0].line == 15  # the mapping that lacks it


# --- semantic checks through files -------------------------------------------------------

def test_unknown_route_node_has_the_list_index_and_did_you_mean(tmp_path):
    p = only(write(tmp_path, TINY.replace("route: [origin, post, destination]", "route: [origin, pots, destination]")))
    assert p.path == "traffic.main.route[1]" and p.line == 16
    assert "unknown node 'pots'" in p.message and "did you mean 'post'" in p.message


def test_route_in_block_style_points_at_the_item(tmp_path):
    text = TINY.replace("route: [origin, post, destination]", "route:\n      - origin\n      - post\n      - destinaton")
    p = only(write(tmp_path, text))
    assert p.path == "traffic.main.route[2]" and p.line == 19


def test_problem_str_is_file_line_column_path_message(tmp_path):
    p = only(write(tmp_path, TINY.replace("per_day: 20", "per_day: -5")))
    assert str(p).startswith(f"{tmp_path / 's.yaml'}:17:5: traffic.main.per_day: expected")


# --- overlays ------------------------------------------------------------------------------

def test_extends_is_relative_to_the_file_and_merges_mappings(tmp_path):
    write(tmp_path, TINY, "base.yaml")
    (tmp_path / "variants").mkdir()
    overlay = write(tmp_path / "variants", "extends: ../base.yaml\nname: more-lanes\nnodes:\n  post: {lanes: 5}\n", "o.yaml")
    s = load_scenario(overlay)
    assert s.name == "more-lanes"
    assert s.nodes["post"].lanes == 5 and s.nodes["post"].border == ("AA", "BB")  # merged, not replaced
    assert s.traffic["main"].per_day == 20
    assert "extends" not in s.raw and s.extends is None


def test_extends_chains_and_lists_replace(tmp_path):
    write(tmp_path, TINY, "base.yaml")
    write(tmp_path, "extends: base.yaml\nname: mid\nnodes: {post: {lanes: 3, hours: 24/7}}\n", "mid.yaml")
    top = write(tmp_path, "extends: mid.yaml\nname: top\nnodes: {post: {border: [BB, AA]}}\n", "top.yaml")
    s = load_scenario(top)
    assert (s.name, s.nodes["post"].lanes, s.nodes["post"].border) == ("top", 3, ("BB", "AA"))


def test_a_problem_is_located_in_the_file_that_wrote_it(tmp_path):
    write(tmp_path, TINY, "base.yaml")
    overlay = write(tmp_path, "extends: base.yaml\nname: x\nnodes:\n  post: {lanes: -1}\n", "o.yaml")
    p = only(overlay)
    assert p.file.endswith("o.yaml") and p.line == 4
    bad_base = write(tmp_path, TINY.replace("per_day: 20", "per_day: 0"), "bad_base.yaml")
    overlay = write(tmp_path, "extends: bad_base.yaml\nname: y\n", "o2.yaml")
    p = only(overlay)
    assert p.file == str(bad_base) and p.line == 17


def test_missing_extends_file(tmp_path):
    p = only(write(tmp_path, "extends: nowhere.yaml\nname: x\n"))
    assert (p.path, p.line) == ("extends", 1)
    assert "'nowhere.yaml' was not found" in p.message and str(tmp_path / "nowhere.yaml") in p.message


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    p = only(tmp_path / "a.yaml")
    assert p.path == "extends" and "cycle: a.yaml -> b.yaml -> a.yaml" in p.message
    p = only(write(tmp_path, "extends: self.yaml\nname: s\n", "self.yaml"))
    assert "cycle: self.yaml -> self.yaml" in p.message


def test_extends_must_be_a_file_name(tmp_path):
    p = only(write(tmp_path, "extends: [a.yaml]\nname: x\n"))
    assert p.path == "extends" and "file name" in p.message


# --- --set --------------------------------------------------------------------------------

def test_set_values_are_yaml_typed_and_follow_the_merge_rule(tmp_path):
    path = write(tmp_path, TINY)
    s = load_scenario(path, ["traffic.main.per_day=35.5", "nodes.post.lanes=4", "clock.horizon=2w",
                             "nodes.post={inspection_bays: 3}", "drivers.rules=aetr"])
    assert s.traffic["main"].per_day == 35.5 and s.clock.horizon == 336
    assert (s.nodes["post"].lanes, s.nodes["post"].inspection_bays, s.nodes["post"].border) == (4, 3, ("AA", "BB"))
    s = load_scenario(path, ["traffic.main.route=[origin, post]", "links.origin -> post.km=10"])
    assert s.traffic["main"].route == ("origin", "post") and s.links["origin -> post"].km == 10
    s = load_scenario(path, {"traffic.main.route.2": "destination", "customs.AA": {"detection": 0.5}})
    assert s.policy("AA").detection == 0.5


def test_set_problems_are_marked_as_from_set(tmp_path):
    p = only(write(tmp_path, TINY), ["traffic.main.per_day=-3"])
    assert p.path == "traffic.main.per_day" and p.message.endswith("(from --set)") and p.line is None
    p = only(write(tmp_path, TINY), ["traffic.main.route.1=pots"])
    assert p.path == "traffic.main.route[1]" and "did you mean 'post'" in p.message and "(from --set)" in p.message


@pytest.mark.parametrize("text, words", [
    ("noequals", "expected PATH=VALUE"), ("traffic..x=1", "dotted path"), ("nodes.post.lanes=[1", "cannot read the value"),
    ("name.x=1", "not a mapping"), ("traffic.main.route.7=x", "expected an index 0..2"), ("extends=o.yaml", "extends"),
    ("x=!!python/name:os.system", "not allowed"),
])
def test_bad_set_texts(tmp_path, text, words):
    p = only(write(tmp_path, TINY), [text])
    assert p.path.startswith("--set") and words in p.message


def test_derive_applies_overrides_to_a_loaded_scenario(tmp_path):
    base = load_scenario(write(tmp_path, TINY))
    more = derive(base, {"nodes.post.lanes": 6})
    assert (base.nodes["post"].lanes, more.nodes["post"].lanes) == (2, 6)
    with pytest.raises(ScenarioError) as info:
        derive(base, ["nodes.post.lanes=0"])
    assert info.value.problems[0].path == "nodes.post.lanes"


def test_parse_override_reads_yaml_values():
    assert parse_override("a.b=0.5") == (["a", "b"], 0.5)
    assert parse_override("a=[x, y]") == (["a"], ["x", "y"])
    assert parse_override("a={k: 1}") == (["a"], {"k": 1})
    assert parse_override("a=2h") == (["a"], "2h")
    assert parse_override("a=") == (["a"], "")
    assert parse_override("a=b=c") == (["a"], "b=c")


# The merge rule (the README's overlays): mappings merge, lists and scalars replace.
keys = st.sampled_from(["a", "b", "c", "d"])
scalars = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.booleans(), st.none())
values = st.recursive(st.one_of(scalars, st.lists(scalars, max_size=3)),
                      lambda inner: st.dictionaries(keys, inner, max_size=3), max_leaves=12)
mappings = st.dictionaries(keys, values, max_size=4)


relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@relaxed
@given(mappings, mappings)
def test_merge_rule(base, over):
    before = copy.deepcopy((base, over))
    out = merge(base, over)
    assert (base, over) == before  # inputs untouched
    removed = {k for k, v in over.items() if v is None}  # a key set to null is removed
    assert set(out) == (set(base) | set(over)) - removed
    for k in out:
        if k not in over:
            assert out[k] == base[k]
        elif isinstance(over[k], dict) and isinstance(base.get(k), dict):
            assert out[k] == merge(base[k], over[k])
        else:
            assert out[k] == over[k]


@relaxed
@given(mappings, st.lists(keys, min_size=1, max_size=3), values)
def test_set_follows_the_merge_rule(data, path, value):
    target = data
    for part in path[:-1]:  # only paths through mappings (or absent keys) are settable
        if part in target and not isinstance(target[part], dict | None):
            return
        target = target.get(part) or {}
    out = apply_override(data, path, value)
    node = out
    for part in path[:-1]:
        node = node[part]
    old = target.get(path[-1])
    expected = merge(old, value) if isinstance(value, dict) and isinstance(old, dict) else value
    if value is None:  # null removes the key, as in an overlay
        assert path[-1] not in node
    else:
        assert node[path[-1]] == expected
    # nothing outside the path changes
    rest_out = {k: v for k, v in out.items() if k != path[0]}
    assert rest_out == {k: v for k, v in data.items() if k != path[0]}


def test_overrides_are_applied_to_one_copy_and_never_share_the_callers_values():
    """`derive` copies the scenario's data once for all its overrides (a design sets dozens):
    the base and the caller's values stay as they were, a later path into an earlier value too."""
    from corridor_sim.scenario.loader import build_scenario, derive

    from conftest import tiny

    base = build_scenario(tiny())
    before = repr(base.raw)
    flow = {"route": ["origin", "post", "destination"], "per_day": 5}
    derived = derive(base, {"traffic.extra": flow, "traffic.extra.per_day": 7, "traffic.main.per_day": 9})
    assert flow == {"route": ["origin", "post", "destination"], "per_day": 5}
    assert repr(base.raw) == before
    assert derived.traffic["extra"].per_day == 7 and derived.traffic["main"].per_day == 9


def test_a_set_under_an_alias_changes_that_place_only(tmp_path):
    """`BB: *checks` is the very object of `&checks` once loaded: a `--set` under one changed
    both (every country of the audit demo, which writes each country's audit as `*audit`)."""
    path = write(tmp_path, TINY + "customs:\n  AA: &checks {detection: 0.5}\n  BB: *checks\n")
    scenario = load_scenario(path, ["customs.BB.detection=0.9"])
    assert scenario.customs["AA"].detection == 0.5 and scenario.customs["BB"].detection == 0.9
    derived = derive(load_scenario(path), {"customs.AA.detection": 0.7})
    assert derived.customs["AA"].detection == 0.7 and derived.customs["BB"].detection == 0.5
    value = "{x: &v {detection: 0.5}, y: *v}"
    parts, data = parse_override(f"customs={value}")
    assert data["x"] is not data["y"]


def test_a_key_set_to_null_in_an_overlay_is_removed():
    from corridor_sim.scenario.overlay import merge as overlay

    base = {"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]}
    assert overlay(base, {"b": {"c": None}, "e": None, "f": None}) == {"a": 1, "b": {"d": 3}}
    # a flow of the base that an overlay does not have, and on the command line
    data = merge(tiny(), {"traffic": {"extra": {"route": ["origin", "post", "destination"], "per_day": 5}}})
    from corridor_sim.scenario.loader import build_scenario

    assert "extra" in build_scenario(data).traffic
    assert "extra" not in build_scenario(merge(data, {"traffic": {"extra": None}})).traffic
    assert "extra" not in build_scenario(apply_override(data, ["traffic", "extra"], None)).traffic
