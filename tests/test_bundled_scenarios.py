"""Every bundled scenario validates, runs, and says where each of its numbers comes from."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import corridor_sim
from corridor_sim.cli import main
from conftest import uncited_numbers

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.startswith(("targets", "assumptions")))
SHORT = ["clock.horizon=7d", "clock.warmup=1d"]
# a caravan departs inside the simulated period, so a shortened run moves it forward too
SHORT_CARAVANS = {"caravan_demo": ["caravans.silk-road-caravan.depart=2024-02-28T08:00"]}


def test_the_bundle_is_complete():
    names = {p.stem for p in FILES}
    assert {"middle_corridor", "middle_corridor_2022", "etir", "aeo_mutual_recognition", "risk_based",
            "blanket_inspection", "joint_control_red_bridge", "extra_ferry", "kyrgyz_weekends",
            "facilitated_2030", "caravan_demo", "post_clearance_audit", "scanners_kapikule", "information_exchange", "road_permits"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bundled_scenario_validates_and_runs(path: Path, tmp_path: Path, capsys):
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    out = tmp_path / "run"
    code = main(["run", str(path), "-n", "2", "--workers", "2", "--quiet", "--no-plots", "-o", str(out),
                 *sum((["--set", s] for s in SHORT + SHORT_CARAVANS.get(path.stem, [])), [])])
    assert code == 0
    summary = corridor_sim.load_results(out).summary_dict
    (name, s), = summary["scenarios"].items()
    assert s["lead_time_h"]["mean"] > 0
    created, arrived = s["conservation"]["created"], s["conservation"]["arrived"]
    assert created == arrived > 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_number_cites_a_source_or_says_assumption(path: Path):
    """Each line that sets a number says where it comes from: a `sources:` key, ASSUMPTION,
    DERIVED, or the file it repeats (`as risk_based.yaml`)."""
    text = path.read_text(encoding="utf-8")
    keys = set(yaml.safe_load((SCENARIOS / "middle_corridor.yaml").read_text(encoding="utf-8"))["sources"])
    keys |= set(yaml.safe_load(text).get("sources") or {})
    uncited = uncited_numbers(text, keys, {"name", "description", "start", "depart", "seed", "extends", "label"},
                              cited=lambda comment: bool(re.search(r"\bas (the base|\w+\.yaml)", comment)))
    assert not uncited, "numbers without a source, ASSUMPTION or DERIVED:\n" + "\n".join(uncited)


VOLUME = re.compile(r"#.*\bvolume ((?:\w+->\w+ [\d.]+(?:, )?)+) a (?:calendar )?day")
CORRIDOR = ["middle_corridor", "middle_corridor_2022"]


def cited_volumes(stem: str) -> dict[tuple[str, str], float]:
    """`# volume CN->KZ 725, KZ->CN 725 a day [source]` lines under a node, by (node, crossing);
    an overlay's lines replace its base's."""
    text = (SCENARIOS / f"{stem}.yaml").read_text(encoding="utf-8")
    volumes = {} if "extends:" not in text else cited_volumes("middle_corridor")
    node = None
    for line in text.splitlines():
        if re.match(r"^  \w+:", line):
            node = line.split(":")[0].strip()
        m = VOLUME.search(line)
        if m and node:
            for part in m.group(1).split(", "):
                crossing, value = part.split()
                volumes[node, crossing] = float(value)
    return volumes


@pytest.mark.parametrize("stem", CORRIDOR)
def test_background_volumes_match_the_cited_throughput_of_each_crossing(stem: str):
    """Every bcp's daily volume in each direction (background and headline flows, weekly factors
    averaged) is within 15% of the throughput the file cites for it."""
    from corridor_sim.scenario.network import build_graph, controls_at, crossing_label

    scenario = corridor_sim.load_scenario(SCENARIOS / f"{stem}.yaml")
    graph = build_graph(scenario)
    cited = cited_volumes(stem)
    simulated: dict[tuple[str, str], float] = {}
    for flow in scenario.traffic.values():
        weekly = sum((flow.weekly or {}).get(d, 1.0) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")) / 7
        route = tuple(flow.route)
        for i, name in enumerate(route):
            if scenario.nodes[name].kind != "bcp":
                continue
            exit_side = controls_at(scenario, graph, route, i)[0]
            key = (name, crossing_label(scenario, exit_side))
            simulated[key] = simulated.get(key, 0.0) + flow.per_day * weekly
    bcps = {n for n, spec in scenario.nodes.items() if spec.kind == "bcp"}
    assert {node for node, _ in cited} == bcps, "every bcp cites its volume"
    assert set(cited) == set(simulated)
    off = {k: (simulated[k], v) for k, v in cited.items() if abs(simulated[k] / v - 1) > 0.15}
    assert not off, f"(simulated, cited) trucks a day more than 15% apart: {off}"
