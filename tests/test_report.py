"""report.html: the tables and paired differences of the summary, every plot inline; checked in Chromium."""
from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

import corridor_sim as cs
from corridor_sim.model.truck import COMPONENTS
from corridor_sim.plots import supported_plots
from corridor_sim.report import render_report, write_report
from corridor_sim.scenario.loader import build_scenario, derive

from test_plots import located


@pytest.fixture(scope="module")
def compared():
    base = build_scenario(located())
    return cs.compare(base, [derive(base, {"name": "more-lanes", "nodes.post.lanes": 2})], replications=3)


@pytest.fixture(scope="module")
def page(compared):
    """The comparison's report, drawn once for the tests that read it."""
    return Page(render_report(compared, takeaway=["Two lanes save time."]))


@pytest.fixture(scope="module")
def single():
    return cs.run(build_scenario(located(caravans={})), replications=2)


class Page(HTMLParser):
    """Tables (id -> rows of cell texts), images (src) and all text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[dict[str, str]] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._table = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(attrs)
        elif tag in ("link", "script") or (tag == "a" and attrs.get("href")):
            self.links.append(attrs.get("href") or attrs.get("src") or tag)

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_summary_table_is_the_summary_with_its_cis(compared, page):
    header, *rows = page.tables["summary"]
    assert header[:5] == ["scenario", "flow", "mean lead time h", "± h", "95% CI h"]
    frame = compared.summary
    assert len(rows) == len(frame)
    for row, r in zip(rows, frame.to_dict("records")):
        assert row[0] == r["scenario"]
        assert row[2] == f"{r['lead_time_mean_h']:,.1f}" and row[3] == f"{r['lead_time_half_width_h']:,.1f}"
        assert row[4] == f"{r['lead_time_ci_low_h']:,.1f} to {r['lead_time_ci_high_h']:,.1f}"


def test_paired_differences_are_the_comparison(compared, page):
    header, *rows = page.tables["comparison"]
    lead = compared.comparison[compared.comparison["measure"] == "lead_time_h"]
    assert len(rows) == len(lead) > 0
    for row, r in zip(rows, lead.to_dict("records")):
        assert row[0] == "more-lanes" and row[4] == f"{r['difference']:+,.1f}"
        assert row[5] == f"{r['ci_low']:+,.1f} to {r['ci_high']:+,.1f}"
        assert row[7] == ("yes" if r["significant"] else "no")
    assert "components" in page.tables and "comparison-components" in page.tables
    assert "How much lead time does more-lanes save against located" in "".join(page.text)


def test_a_single_run_says_there_is_no_comparison(single):
    page = Page(render_report(single))
    assert "comparison" not in page.tables
    assert "no baseline to compare with" in "".join(page.text)
    assert {"scenarios", "summary", "components"} <= set(page.tables)


def test_every_supported_plot_is_embedded_and_nothing_is_fetched(compared, page):
    names = [p.name for p in supported_plots(compared)]
    assert len(page.images) == len(names) == 10  # with the difference map of the two
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,") and image["alt"]
        png = base64.b64decode(image["src"].split(",", 1)[1])
        assert Image.open(io.BytesIO(png)).size[0] >= 600
    assert page.links == []  # self-contained: no stylesheet, script or link to load
    assert "Two lanes save time." in "".join(page.text)


def test_write_report_replaces_the_file(single, tmp_path):
    first = write_report(single, tmp_path)
    assert first == tmp_path / "report.html" and first.read_text().startswith("<!DOCTYPE html>")
    write_report(single, tmp_path, title="Again")
    assert "<title>Again</title>" in first.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


# --- in a real browser -------------------------------------------------------------------------

def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    reason = "the report is tested in headless Chromium: install it (apt-get install chromium)"
    if os.environ.get("CI"):  # .ci/run installs it: there its absence is a failure
        pytest.fail(reason)
    pytest.skip(reason)


def headless(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}", *args],
        capture_output=True, text=not any(a.startswith("--screenshot") for a in args), timeout=120)


def test_the_report_renders_in_chromium(compared, tmp_path):
    report = write_report(compared, tmp_path / "run", takeaway=["A takeaway."])
    dom = headless(tmp_path, "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr
    page = Page(dom.stdout)
    assert {"scenarios", "summary", "components", "comparison", "comparison-components"} <= set(page.tables)
    assert len(page.tables["summary"]) == len(compared.summary) + 1
    assert len(page.images) == len(supported_plots(compared))
    assert all(i["src"].startswith("data:image/png;base64,") for i in page.images)

    shot = tmp_path / "report.png"
    done = headless(tmp_path, f"--screenshot={shot}", "--window-size=1100,1600", "--hide-scrollbars",
                    report.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr
    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert image.shape == (1600, 1100)
    assert image.std() > 10                     # not a blank page
    assert (image < 128).mean() > 0.01          # text and tables drawn in dark ink


# --- the run's warnings travel with it ---------------------------------------------------------

def _saturated(tmp_path):
    """A run written by the command line with its report, with three kinds of warning: a saturated
    control (30 trucks a day at one lane of 1 h checks), a --set value the controls' own hide, and
    AEO trucks where no country recognises AEO."""
    import yaml

    from corridor_sim.cli import main
    from corridor_sim.scenario.loader import merge

    from conftest import tiny

    data = merge(tiny(), {"clock": {"horizon": "6d", "warmup": "0h"},
                          "customs": {"default": {"document": {"paper_tir": "1h"}, "document_error": {"paper_tir": 0},
                                                  "channels": {"low": {"yellow": 0, "red": 0}}}},
                          "nodes": {"post": {"lanes": 1, "controls": {"AA": {"exit": {"lanes": 1}, "entry": {"lanes": 1}}}}},
                          "traffic": {"main": {"per_day": 30, "aeo": 0.5}}})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(path), "-n", "2", "-o", str(out), "--quiet", "--set", "nodes.post.controls.AA.lanes=2"]) == 0
    return out


def test_the_report_carries_every_warning_of_the_run_near_the_top(tmp_path, capsys):
    out = _saturated(tmp_path)
    err = [line.removeprefix("warning: tiny: ") for line in capsys.readouterr().err.splitlines()
           if line.startswith("warning: ")]
    assert any("is saturated" in w for w in err) and any("changes nothing" in w for w in err)
    assert any("AEO trucks of main" in w for w in err)
    text = (out / "report.html").read_text(encoding="utf-8")
    box = text.index('<div class="warnings" id="warnings"')
    assert box < text.index('id="headline"')  # before any figure
    page = Page(text[box:text.index("</div>", box)])
    said = " ".join("".join(page.text).split())
    for line in err:
        assert html_text(line) in said
    import json

    kept = json.loads((out / "summary.json").read_text(encoding="utf-8"))["scenarios"]["tiny"]["warnings"]
    assert sorted(kept) == sorted(err)  # what the terminal said is what summary.json keeps


def html_text(line: str) -> str:
    return " ".join(line.split())


def test_warnings_are_escaped_and_a_comparison_s_own_are_shown(compared):
    base = compared.scenarios[compared.baseline]
    unrelated = derive(compared.scenarios["more-lanes"], {"name": "later", "clock.horizon": base.clock.horizon + 24})
    result = cs.compare(base, [unrelated], replications=2)
    assert any("other dates" in w for w in result.summary_dict["warnings"])
    result.summary_dict["scenarios"]["later"]["warnings"].append("queue <script>alert(1)</script> & more")
    text = render_report(result)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text and "<script>" not in text
    page = Page(text)
    assert "later is simulated over other dates than the baseline" in "".join(page.text)


def test_a_report_without_warnings_has_no_box():
    from conftest import tiny

    assert 'id="warnings"' not in render_report(cs.run(build_scenario(tiny()), replications=1), figures=[])


def test_the_saturation_warning_is_shown_in_chromium(tmp_path, capsys):
    out = _saturated(tmp_path)
    dom = headless(tmp_path, "--dump-dom", (out / "report.html").as_uri())
    assert dom.returncode == 0, dom.stderr
    assert 'id="warnings"' in dom.stdout and "is saturated" in dom.stdout


# --- provenance: every report says what made it ------------------------------------------------

def _footer(directory) -> str:
    text = (directory / "report.html").read_text(encoding="utf-8")
    return html_text("".join(Page(text[text.index("<footer>"):]).text))


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "demo"])
def test_every_command_s_report_carries_version_revision_seed_and_command(command, tmp_path, capsys):
    """The report is drawn inside the run directory before it is renamed into place; it used to be
    drawn before the manifest, so only `plot DIR` showed where the figures came from."""
    import json

    import yaml

    from corridor_sim.cli import main

    from conftest import tiny

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny(clock={"start": "2026-01-05T00:00", "horizon": "3d", "warmup": "0h"})),
                    encoding="utf-8")
    other = tmp_path / "o.yaml"
    other.write_text(yaml.safe_dump({"extends": "s.yaml", "name": "other", "nodes": {"post": {"lanes": 3}}}),
                     encoding="utf-8")
    out = tmp_path / "out"
    args = {"run": ["run", str(path)], "compare": ["compare", str(path), str(other)],
            "sweep": ["sweep", str(path), "--vary", "nodes.post.lanes=2,3"],
            "demo": ["demo", "etir"]}[command]
    assert main([*args, "-n", "1", "--seed", "4242", "-o", str(out), "--quiet"] if command != "demo"
                else [*args, "-n", "1", "-o", str(out), "--quiet"]) == 0
    meta = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    footer = _footer(out)
    assert f"corridor-sim {meta['versions']['corridor-sim']}" in footer
    assert f"seed {meta['seed']}" in footer and (command == "demo" or meta["seed"] == 4242)
    assert meta["git_revision"] and f"git {meta['git_revision'][:12]}" in footer
    assert "command: " in footer and " ".join(meta["command"]) in footer


# --- the answer first, the detail folded, people's names --------------------------------------

def test_the_headline_comes_first_with_each_scenario_s_paired_saving(compared, page):
    text = render_report(compared, figures=[])
    assert text.index('id="headline"') < text.index("<details")  # the answer before any detail
    header, *rows = page.tables["headline"]
    assert header == ["scenario", "mean lead time h", "95% CI h", "saving h vs located", "95% CI h", "clear?"]
    summary = compared.summary_dict
    assert [r[0] for r in rows] == ["located", "more-lanes"]
    lead = summary["scenarios"]["more-lanes"]["lead_time_h"]
    d = summary["comparison"]["more-lanes"]["flows"]["*"]["lead_time_h"]
    assert rows[0][3] == "baseline"
    assert rows[1][1:5] == [f"{lead['mean']:,.1f}", f"{lead['ci_low']:,.1f} to {lead['ci_high']:,.1f}",
                            f"{-d['mean']:+,.1f}", f"{-d['ci_high']:+,.1f} to {-d['ci_low']:+,.1f}"]
    assert rows[1][5] == ("yes" if d["significant"] else "not clearly")


def test_every_detail_is_folded_under_its_title(compared):
    text = render_report(compared, figures=[])
    assert [h for h in re.findall(r"<h2>([^<]*)</h2>", text) if not h.startswith("Warnings")] == ["Headline"]
    folds = re.findall(r'<details id="([^"]+)"', text)
    assert folds == ["fold-scenarios", "fold-comparison", "fold-lead-time", "fold-components", "fold-rates",
                     "fold-costs"]
    for table in ("scenarios", "comparison", "summary", "components", "rates"):
        start = text.index(f'<table id="{table}"')
        assert text.rfind("<details", 0, start) > text.rfind("</details>", 0, start)  # inside a fold


def test_rates_are_apart_from_hours_and_zero_rows_are_left_out_with_a_note(compared, page):
    hours = page.tables["comparison-components"]
    assert not any("per 100" in r[1] or "share" in r[1] for r in hours[1:])
    assert "physical inspections per 100 trucks" in [r[1] for r in page.tables["comparison-rates"][1:]]
    zero = re.compile(r"[+-]?0\.0+( to [+-]?0\.0+)?")
    assert not any(all(zero.fullmatch(c) for c in r[2:]) for r in hours[1:])
    frame = compared.comparison
    parts = frame[(frame["flow"] == "*") & frame["measure"].isin([f"{c}_h" for c in COMPONENTS])]
    left = sum(all(f"{v:.1f}".lstrip("-") == "0.0" for v in (r["baseline_mean"], r["scenario_mean"]))
               and all(f"{v:.2f}".lstrip("-") == "0.00" for v in (r["difference"], r["ci_low"], r["ci_high"]))
               for r in parts.to_dict("records"))
    assert left > 0 and len(hours) - 1 == len(parts) - left  # e.g. no driving-time rules: no rest, no breaks
    said = " ".join("".join(page.text).split())
    assert f"{left} rows where every figure is zero to the precision shown left out" in said


def test_a_sweep_s_headline_names_its_points_by_their_values():
    from corridor_sim.experiment import sweep

    from conftest import tiny

    result = sweep(build_scenario(tiny(clock={"start": "2026-01-05T00:00", "horizon": "3d", "warmup": "0h"})),
                   {"nodes.post.lanes": [1, 3]}, replications=2)
    rows = Page(render_report(result, figures=[])).tables["headline"]
    assert [r[0] for r in rows[1:]] == ["nodes.post.lanes = 1", "nodes.post.lanes = 3"]
    assert rows[0][3] == "saving h vs nodes.post.lanes = 1" and rows[1][3] == "baseline"
    assert "sweep" in Page(render_report(result, figures=[])).tables


def test_scenarios_and_crossings_go_by_their_labels_escaped(tmp_path):
    from conftest import tiny

    data = tiny(label="Today <b>&</b> now", clock={"start": "2026-01-05T00:00", "horizon": "3d", "warmup": "0h"})
    data["nodes"]["post"]["label"] = "Red <i>Bridge</i> (AA/BB)"
    base = build_scenario(data)
    other = derive(base, {"name": "lanes", "label": "More <lanes>", "nodes.post.lanes": 3})
    text = render_report(cs.compare(base, [other], replications=2), figures=[])
    assert "<b>&</b>" not in text and "<lanes>" not in text and "<i>" not in text
    page = Page(text)
    assert [r[0] for r in page.tables["headline"][1:]] == ["Today <b>&</b> now", "More <lanes>"]
    assert page.tables["headline"][0][3] == "saving h vs Today <b>&</b> now"
    assert {r[0] for r in page.tables["summary"][1:]} == {"Today <b>&</b> now", "More <lanes>"}
    crossings = [r[1] for r in page.tables["cpmm-crossings"][1:]]
    assert crossings and all(c.startswith("Red <i>Bridge</i> ") for c in crossings)
    assert "How much lead time does More <lanes> save against Today <b>&</b> now" in "".join(page.text)


def test_the_question_agrees_with_how_many_measures_are_compared():
    from types import SimpleNamespace

    from corridor_sim.report import question

    def compared(*names: str) -> SimpleNamespace:
        labels = {"base": "Today", "etir": "e-TIR", "aeo": "AEO", "ferry": None}
        return SimpleNamespace(kind="compare", baseline="base",
                               scenarios={n: SimpleNamespace(label=labels[n]) for n in ("base", *names)})

    assert question(compared("etir")).startswith("How much lead time does e-TIR save against Today, and where")
    assert question(compared("etir", "aeo", "ferry")).startswith(
        "How much lead time do e-TIR, AEO and ferry each save against Today, and where")
