"""The documentation's headline figures (README.md and docs/**/*.md) are the output of
`docs/readme_figures.py`, not typed by hand."""
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


def test_every_figure_block_of_the_pages_is_the_scripts_rendering_of_its_figures():
    script = _script()
    figures = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))
    blocks = []
    assert script.pages()[0] == ROOT / "README.md" and ROOT / "docs" / "reference" / "plots.md" in script.pages()
    for page in script.pages():
        text = page.read_text(encoding="utf-8")
        blocks += [m.group(2) for m in script.BLOCK.finditer(text)]
        assert script.rendered_readme(text, figures) == text, f"{page}: run python docs/readme_figures.py --render"
    assert sorted(blocks) == sorted(script.RENDER), "one block per rendering, each once over all pages"
    for name in blocks:
        assert script.RENDER[name](script.data_of(name, figures)).strip(), name


def test_check_and_render_cover_every_page(tmp_path, monkeypatch, capsys):
    """--check finds a stale block on a page under docs/, and --render rewrites it there."""
    script = _script()
    (tmp_path / "docs" / "reference").mkdir(parents=True)
    figures = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))
    (tmp_path / "docs" / "figures.json").write_text(json.dumps(figures), encoding="utf-8")
    (tmp_path / "README.md").write_text("# front\n", encoding="utf-8")
    page = tmp_path / "docs" / "reference" / "corridor.md"
    page.write_text("<!-- figures: calibration -->\nstale\n<!-- /figures: calibration -->\n", encoding="utf-8")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    monkeypatch.setattr(script, "README", tmp_path / "README.md")
    monkeypatch.setattr(script, "FIGURES", tmp_path / "docs" / "figures.json")
    assert script.main(["--check"]) == 1
    assert "docs/reference/corridor.md does not match" in capsys.readouterr().err
    assert script.main(["--render"]) == 0
    assert "stale" not in page.read_text(encoding="utf-8") and script.main(["--check"]) == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# front\n"


def test_a_changed_figure_shows_as_a_mismatch():
    script = _script()
    text = (ROOT / "docs" / "reference" / "corridor.md").read_text(encoding="utf-8")
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


@pytest.mark.slow
def test_the_validation_table_reruns_within_its_confidence_intervals():
    """The out-of-sample table the README shows, rerun as the script runs it: each 2021
    prediction lies within the confidence interval recorded for it (same seeds: it should be equal)."""
    script = _script()
    recorded = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))["validation"]["predicted"]
    fresh = script.measure_calibration(recorded["replications"], "middle_corridor_2021.yaml", "targets_2021.yaml")
    for old, new in zip(recorded["rows"], fresh["rows"]):
        assert old["where"] == new["where"]
        assert old["ci_low"] <= new["simulated"] <= old["ci_high"], (old, new)


def test_the_validation_table_shows_the_left_out_values_once_the_cross_validation_is_measured():
    """Without the `crossval` figures the table has no left-out column; with them each 2022
    target a fold left out shows its out-of-sample value, and a crossing time no fold leaves
    out says it is in every fit."""
    script = _script()
    figures = json.loads((ROOT / "docs" / "figures.json").read_text(encoding="utf-8"))
    figures.pop("crossval", None)
    plain = script.render_validation(script.data_of("validation", figures))
    assert "left out" not in plain.splitlines()[2]
    rows = [{"metric": r["metric"], "where": r["where"], "fold": "outbound" if "exit" in r["where"] else "inbound",
             "value": r["value"], "simulated": 99.0, "relative_error": 1.5, "within": False}
            for r in figures["calibration"]["rows"] if r["metric"] == "control_time"]
    figures["crossval"] = {"replications": 4, "generations": 3, "population": 4, "seconds": 600.0, "machine": "m",
                           "fits": 3, "rows": rows,
                           "folds": [{"name": "outbound", "fitted": {}, "points": 10}, {"name": "inbound", "fitted": {}, "points": 10}]}
    table = script.render_validation(script.data_of("validation", figures))
    header, _, *body = table.split("\n\n")[1].splitlines()
    assert "2022 model, left out" in header
    assert sum("99.0 (+150%, **outside**)" in line for line in body) == len(rows)
    khorgos = next(line for line in body if line.startswith("| Khorgos CN→KZ"))
    assert "in every fit" in khorgos
    assert f"outbound, 0 of {sum(r['fold'] == 'outbound' for r in rows)} within tolerance" in table


@pytest.mark.slow
def test_the_cross_validation_measurement_runs_cut_short(tmp_path, monkeypatch):
    """The figures script's cross-validation, on one replication a point and the shortest search:
    every target that names a direction is left out once, with its value at the refitted point."""
    script = _script()
    monkeypatch.setattr(script, "CROSSVAL", tmp_path / "crossval")
    monkeypatch.setattr(script, "CROSSVAL_REPLICATIONS", 1)
    monkeypatch.setattr(script, "CROSSVAL_SEARCH", {"generations": 1, "population": 1})
    data = script.measure_crossval(1)
    assert sorted(f["name"] for f in data["folds"]) == ["inbound", "outbound"] and data["fits"] == 3
    assert len(data["rows"]) == 14 and all(r["simulated"] is not None for r in data["rows"])
