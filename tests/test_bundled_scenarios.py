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
FILES = sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.startswith("targets"))
SHORT = ["clock.horizon=21d", "clock.warmup=7d"]


def test_the_bundle_is_complete():
    names = {p.stem for p in FILES}
    assert {"middle_corridor", "middle_corridor_2022", "etir", "aeo_mutual_recognition", "risk_based",
            "blanket_inspection", "joint_control_red_bridge", "extra_ferry", "kyrgyz_weekends",
            "facilitated_2030", "caravan_demo"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bundled_scenario_validates_and_runs(path: Path, tmp_path: Path, capsys):
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    out = tmp_path / "run"
    code = main(["run", str(path), "-n", "2", "--quiet", "--no-plots", "-o", str(out), *sum((["--set", s] for s in SHORT), [])])
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
