"""The README's headline figures are the output of `docs/readme_figures.py`, not typed by hand."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "docs" / "readme_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_every_figure_block_of_the_readme_is_the_scripts_rendering_of_its_figures():
    script = _script()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    figures = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))
    blocks = [m.group(2) for m in script.BLOCK.finditer(text)]
    assert sorted(blocks) == sorted(script.RENDER), "one block per rendering, each once"
    assert script.rendered_readme(text, figures) == text, "run python docs/readme_figures.py"
    for name in blocks:
        assert script.RENDER[name](figures[script.SOURCE.get(name, name)]).strip(), name


def test_a_changed_figure_shows_as_a_mismatch():
    script = _script()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    figures = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))
    figures["calibration"]["rows"][0]["simulated"] += 1.0
    assert script.rendered_readme(text, figures) != text


@pytest.mark.slow
def test_the_calibration_table_reruns_within_its_confidence_intervals():
    """The calibration the README shows, rerun as the script runs it: every simulated mean lies
    within the confidence interval the README gives for it (same seeds: it should be equal)."""
    script = _script()
    recorded = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))["calibration"]
    fresh = script.measure_calibration(recorded["replications"])
    for old, new in zip(recorded["rows"], fresh["rows"]):
        assert old["where"] == new["where"]
        assert old["ci_low"] <= new["simulated"] <= old["ci_high"], (old, new)
        assert new["within"], new
