"""The workshop kit in a real browser (Playwright driving Debian's Chromium, from file://): every
toggle combination shows the run's numbers to the decimals displayed, the languages switch, the
workshop mode steps through its questions, nothing is requested from a network, a scenario's
label is shown as text, and every view (and its PNG export) draws something.

Playwright cannot download its own browsers here, so it launches the system's Chromium. Without
Playwright or Chromium the tests are skipped, with the reason; in CI (CI=1) they fail instead.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from corridor_sim.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "workshop"
I18N = json.loads((Path(__file__).resolve().parent.parent / "corridor_sim" / "data" / "workshop" / "i18n.json")
                  .read_text(encoding="utf-8"))
VIEWS = ("time", "crossings", "queues", "journey", "checks", "map")
HOSTILE = 'Risk <b>targeted</b> & "safe" </script><img src=x onerror="document.title=1">'
RISK = f"""extends: border.yaml
name: risk-targeted
label: '{HOSTILE}'
customs:
  default:
    channels: {{low: {{yellow: 0.05, red: 0.01}}, high: {{yellow: 0.40, red: 0.50}}}}
"""


def _missing(reason: str):
    if os.environ.get("CI"):  # CI installs both: there their absence is a failure
        pytest.fail(reason)
    pytest.skip(reason)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    _missing("the workshop kit is tested in headless Chromium: install it (apt-get install chromium)")
    raise AssertionError  # not reached


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A kit of the single border and three measures (one with a hostile label), with traces."""
    where = tmp_path_factory.mktemp("kit")
    for f in FIXTURES.glob("*.yaml"):
        shutil.copy(f, where / f.name)
    (where / "risk.yaml").write_text(RISK)
    assert main(["workshop", *(str(where / n) for n in ("border.yaml", "etir.yaml", "lanes.yaml", "risk.yaml")),
                 "-n", "3", "--trace", "--workers", "1", "--quiet", "-o", str(where / "kit.html")]) == 0
    return where


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the workshop kit is tested with Playwright: pip install -e '.[test]'")
    executable = chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


class Opened:
    """A page of the kit, with every request it made and every script error."""

    def __init__(self, browser, file: Path):
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def route(r) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                self.refused.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.goto(file.as_uri())
        self.page.wait_for_selector("body[data-ready='1']")

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.text_content() or ""

    def select(self, measures: set[str]) -> None:
        for box in self.page.locator("input[data-measure]").all():
            if (box.get_attribute("data-measure") in measures) != box.is_checked():
                box.click()

    def view(self, name: str) -> None:
        self.page.click(f"nav button[data-view='{name}']")

    def offline(self) -> None:
        assert self.refused == []
        assert [u for u in self.requests if not u.startswith(("file:", "data:"))] == []
        assert self.errors == []


@pytest.fixture
def opened(browser, kit):
    page = Opened(browser, kit / "kit.html")
    yield page
    page.offline()  # whatever the test did: no request left the machine, no script failed
    page.page.close()


def fixed(x: float | None, digits: int) -> str:
    """JavaScript's toFixed: the exact binary value rounded half away from zero."""
    if x is None:
        return "–"
    x = x + 0.0  # -0.0 shows as 0
    return str(Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def signed(x: float | None, digits: int) -> str:
    return ("+" if x is not None and x + 0.0 >= 0 else "") + fixed(x, digits)


def between(text: str, low: float, high: float) -> bool:
    """`95% CI 1.2–3.4 h`, or across zero `95% CI -1.2 to +3.4 h`."""
    if low < 0 <= high:
        return f"{signed(low, 1)} to {signed(high, 1)} h" in text
    return f"{fixed(low, 1)}–{fixed(high, 1)} h" in text


# --- the numbers --------------------------------------------------------------------------------------

def test_every_toggle_combination_shows_the_runs_numbers(opened, kit):
    summary = json.loads((kit / "kit-data" / "summary.json").read_text())
    data = json.loads((kit / "kit-data" / "workshop.json").read_text())
    base = summary["baseline"]
    keys = [m["key"] for m in data["measures"]]
    scenario_of = {frozenset(c["measures"]): c["scenario"] for c in data["combinations"]}
    combos = [set(c) for n in range(len(keys) + 1) for c in itertools.combinations(keys, n)]
    assert len(combos) == 8
    for chosen in combos:
        opened.select(chosen)
        name = scenario_of[frozenset(chosen)]
        b = summary["scenarios"][base]
        assert opened.text("#lead-base") == fixed(b["lead_time_h"]["mean"], 1) + " h"
        assert between(opened.text("#lead-base-ci"), b["lead_time_h"]["ci_low"], b["lead_time_h"]["ci_high"])
        opened.view("time")
        for c, v in b["components_h"].items():
            if v > 0:
                assert opened.text(f'[data-v="component:{c}:base"]') == fixed(v, 1)
        if not chosen:
            assert opened.page.locator("#saving").count() == 0
            continue
        s = summary["scenarios"][name]
        d = summary["comparison"][name]["flows"]["*"]
        lead = d["lead_time_h"]
        assert opened.text("#saving") == fixed(-lead["mean"], 1) + " h", name
        assert between(opened.text("#saving-ci"), -lead["ci_high"], -lead["ci_low"])
        assert opened.text("#saving-rel").startswith(signed(100 * lead["relative"], 1) + "%")
        assert (opened.page.locator("#saving-unclear").count() == 0) == lead["significant"]
        assert opened.text("#lead-sel") == fixed(s["lead_time_h"]["mean"], 1) + " h"
        for c, v in s["components_h"].items():
            if v > 0 or b["components_h"][c] > 0:
                assert opened.text(f'[data-v="component:{c}:sel"]') == fixed(v, 1)
                assert opened.text(f'[data-v="component:{c}:diff"]') == signed(d["components_h"][c]["mean"], 1)
        opened.view("crossings")
        for x in s["crossings"]:
            assert opened.text(f'[data-v="crossing:{x["node"]}|{x["crossing"]}:sel"]') == fixed(x["time_h"]["mean"], 1)
        for x in d["crossings"]:
            assert opened.text(f'[data-v="crossing:{x["node"]}|{x["crossing"]}:diff"]') == signed(x["time_h"]["mean"], 1)
        opened.view("checks")
        assert opened.text('[data-v="inspections:sel"]') == fixed(s["inspections_per_100"]["mean"], 1)
        assert opened.text('[data-v="inspections:base"]') == fixed(b["inspections_per_100"]["mean"], 1)
        assert opened.text('[data-v="missed:sel"]') == fixed(100 * s["missed_rate"]["mean"], 0) + "%"
        missed = d["violations"]["missed_rate"]
        assert signed(100 * missed["mean"], 0) + " " in opened.text('[data-v="missed:diff"]')
        # every view says which run it shows
        stamp = opened.text(".svg-stamp")
        assert f"seed {summary['seed']}" in stamp and f"{summary['replications']} replications" in stamp
        assert f"{name} against {base}" in stamp
        assert f"lead time saved {fixed(-lead['mean'], 1)} h" in opened.text(".svg-headline")  # on the exported chart too


def test_the_headline_of_one_flow_is_that_flows_paired_saving(opened, kit):
    summary = json.loads((kit / "kit-data" / "summary.json").read_text())
    data = json.loads((kit / "kit-data" / "workshop.json").read_text())
    assert data["flows"] == ["westbound", "eastbound"]
    base = summary["scenarios"][summary["baseline"]]["flows"]["westbound"]["lead_time_h"]
    for c in data["combinations"][1:]:
        opened.select(set(c["measures"]))
        opened.page.select_option("#flow", "westbound")
        lead = summary["comparison"][c["scenario"]]["flows"]["westbound"]["lead_time_h"]
        own = summary["scenarios"][c["scenario"]]["flows"]["westbound"]["lead_time_h"]
        assert opened.text("#lead-base") == fixed(base["mean"], 1) + " h"
        assert opened.text("#lead-sel") == fixed(own["mean"], 1) + " h"
        assert opened.text("#saving") == fixed(-lead["mean"], 1) + " h", c["scenario"]
        assert between(opened.text("#saving-ci"), -lead["ci_high"], -lead["ci_low"])
        assert "flow westbound" in opened.text("#takeaway li")
    opened.page.select_option("#flow", "*")
    lead = summary["comparison"][data["combinations"][-1]["scenario"]]["flows"]["*"]["lead_time_h"]
    assert opened.text("#saving") == fixed(-lead["mean"], 1) + " h"


def test_a_labels_markup_is_shown_as_text(opened):
    labels = [opened.text("#toggles label:nth-of-type(%d) span" % i) for i in (1, 2, 3)]
    assert HOSTILE in labels
    assert opened.page.locator("img, b").count() == 0
    assert opened.page.title().startswith("Workshop kit")


def test_a_combination_the_kit_does_not_hold_says_so(browser, tmp_path):
    for f in ("border.yaml", "etir.yaml", "lanes.yaml"):
        shutil.copy(FIXTURES / f, tmp_path / f)
    assert main(["workshop", *(str(tmp_path / n) for n in ("border.yaml", "etir.yaml", "lanes.yaml")), "--max-size", "1",
                 "-n", "2", "--workers", "1", "--quiet", "-o", str(tmp_path / "kit.html")]) == 0
    page = Opened(browser, tmp_path / "kit.html")
    page.select({"etir", "more-lanes"})
    assert "up to 1 measures" in page.text("#not-built")
    page.select({"etir"})
    assert page.page.locator("#not-built").count() == 0 and page.text("#saving").endswith(" h")
    page.offline()
    page.page.close()


def test_a_slider_sets_a_measures_intensity(browser, tmp_path):
    for f in ("border.yaml", "etir.yaml", "etir_half.yaml", "lanes.yaml"):
        shutil.copy(FIXTURES / f, tmp_path / f)
    assert main(["workshop", str(tmp_path / "border.yaml"), f"{tmp_path / 'etir_half.yaml'},{tmp_path / 'etir.yaml'}",
                 str(tmp_path / "lanes.yaml"), "-n", "2", "--workers", "1", "--quiet", "-o", str(tmp_path / "kit.html")]) == 0
    summary = json.loads((tmp_path / "kit-data" / "summary.json").read_text())
    page = Opened(browser, tmp_path / "kit.html")
    assert page.page.locator("input[data-levels]").count() == 1  # e-TIR has two levels, the lanes one
    for index, name, label in ((1, "etir", "e-TIR"), (0, "etir-half", "e-TIR 60%"), (1, "etir", "e-TIR")):
        page.page.locator("input[data-levels='etir']").fill(str(index))
        assert page.page.locator("input[data-measure='etir']").is_checked()  # moving the slider ticks the measure
        assert page.text("[data-level-label='etir']") == label
        lead = summary["comparison"][name]["flows"]["*"]["lead_time_h"]
        assert page.text("#saving") == fixed(-lead["mean"], 1) + " h"
    page.page.click("input[data-measure='more-lanes']")
    lead = summary["comparison"]["etir__more-lanes"]["flows"]["*"]["lead_time_h"]
    assert page.text("#saving") == fixed(-lead["mean"], 1) + " h"
    page.offline()
    page.page.close()


def test_one_replication_has_no_intervals_and_the_page_says_so(browser, tmp_path):
    for f in ("border.yaml", "etir.yaml", "lanes.yaml"):
        shutil.copy(FIXTURES / f, tmp_path / f)
    assert main(["workshop", *(str(tmp_path / n) for n in ("border.yaml", "etir.yaml", "lanes.yaml")), "-n", "1",
                 "--workers", "1", "--quiet", "-o", str(tmp_path / "kit.html")]) == 0
    page = Opened(browser, tmp_path / "kit.html")
    page.select({"etir", "more-lanes"})
    assert page.text("#saving").endswith(" h") and page.text("#saving-ci") == I18N["en"]["no_ci"]
    for view in VIEWS:
        page.view(view)
    page.page.click("#mode")
    while True:
        page.page.click("#q-reveal")
        assert page.text("#answer")
        if page.page.locator("#q-next").is_disabled():
            break
        page.page.click("#q-next")
    page.offline()  # and no script error on the way
    page.page.close()


def test_a_range_a_cost_and_co2_are_shown_where_the_data_have_them(browser, kit, tmp_path):
    from corridor_sim.workshop import write_kit

    data = json.loads((kit / "kit-data" / "workshop.json").read_text())
    data["scenarios"]["etir"]["difference"].update({
        "range_h": {"low": -3.25, "high": -0.5},
        "cost": {"mean": -120.0, "ci_low": -150.5, "ci_high": -90.0, "unit": "USD per truck"},
        "co2": {"mean": -2.5, "ci_low": -3.0, "ci_high": -2.0, "unit": "kg per truck"}})
    page = Opened(browser, write_kit(data, tmp_path / "kit.html"))
    page.select({"etir"})
    assert page.text("#range") == f"{fixed(0.5, 1)}–{fixed(3.25, 1)} h" == "0.5–3.3 h"  # toFixed: half away from 0
    assert page.text("#cost") == "-120.0 USD per truck" and page.text("#co2") == "-2.5 kg per truck"
    page.select({"more-lanes"})
    assert page.page.locator("#range, #cost, #co2").count() == 0
    page.offline()
    page.page.close()


# --- languages and the workshop mode ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ru", "tr", "en"])
def test_the_labels_switch_language_and_the_numbers_stay(opened, lang, tmp_path):
    opened.select({"etir"})
    saving = opened.text("#saving")
    assert saving.endswith(" h")
    opened.page.select_option("#lang", lang)
    words = I18N[lang]
    assert opened.text("nav button[data-view='crossings']") == words["v_crossings"]
    assert opened.text("#workshop ~ h2, h2[data-i18n='takeaway_heading']") == words["takeaway_heading"]
    assert opened.page.locator("html").get_attribute("lang") == lang
    assert opened.text("#saving") == saving.replace(" h", " " + words["unit_h"])
    shot = tmp_path / f"lang-{lang}.png"
    opened.page.screenshot(path=str(shot))
    assert_drawn(shot)


def test_the_workshop_mode_steps_through_its_questions_and_reveals(opened, kit):
    data = json.loads((kit / "kit-data" / "workshop.json").read_text())
    opened.page.click("#mode")
    count = opened.text("#q-count")
    total = int(count.split()[-1])
    assert total >= 4 and count == f"Question 1 of {total}"
    seen = []
    for i in range(total):
        assert opened.text("#q-count") == f"Question {i + 1} of {total}"
        question = opened.text("#question")
        assert question and question not in seen
        seen.append(question)
        assert opened.page.locator("#answer").count() == 0
        options = opened.page.locator("#workshop .options button")
        if options.count():
            options.first.click()
            assert opened.page.locator("#workshop .options button[aria-pressed='true']").count() == 1
        opened.page.click("#q-reveal")
        answer = opened.text("#answer")
        assert answer and any(ch.isdigit() for ch in answer)
        assert opened.page.locator("input[data-measure]:checked").count() >= 1  # the reveal shows its combination
        if i == 0:  # which saves more: the paired difference of the two measures, as the data hold it
            pair = data["pairs"][0]
            assert f"{signed(pair['mean'], 1)} h" in answer
            assert opened.page.locator("nav button[aria-selected='true']").get_attribute("data-view") == "time"
        if i < total - 1:
            opened.page.click("#q-next")
    assert opened.page.locator("#q-next").is_disabled()
    opened.page.click("#q-prev")
    assert opened.text("#q-count") == f"Question {total - 1} of {total}"
    # a presenter's clicker: Page Down reveals, then moves on; Page Up goes back
    opened.page.keyboard.press("PageUp")
    assert opened.text("#q-count") == f"Question {total - 2} of {total}"
    opened.page.keyboard.press("PageDown")
    assert opened.page.locator("#answer").count() == 1
    opened.page.keyboard.press("PageDown")
    assert opened.text("#q-count") == f"Question {total - 1} of {total}" and opened.page.locator("#answer").count() == 0


# --- pictures ----------------------------------------------------------------------------------------------

def assert_drawn(png: Path) -> None:
    """Not blank: many colours, and a good share of the pixels not white."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20
    white = max(count for count, colour in colours if colour == (255, 255, 255)) if any(
        c == (255, 255, 255) for _, c in colours) else 0
    assert white < 0.995 * image.width * image.height


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_draws_and_exports_a_png(opened, view, tmp_path):
    opened.select({"etir", "more-lanes"})
    opened.view(view)
    assert opened.page.locator("#view svg .no-data").count() == 0  # the kit has every view's data
    shot = tmp_path / f"{view}.png"
    opened.page.locator("#view").screenshot(path=str(shot))
    assert_drawn(shot)
    with opened.page.expect_download() as download:
        opened.page.click("#export")
    saved = tmp_path / f"export-{view}.png"
    download.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and download.value.suggested_filename == f"workshop-{view}.png"
    assert_drawn(saved)
    if os.environ.get("WORKSHOP_SHOTS"):  # to look at them: WORKSHOP_SHOTS=DIR
        shutil.copy(shot, Path(os.environ["WORKSHOP_SHOTS"]) / shot.name)
        shutil.copy(saved, Path(os.environ["WORKSHOP_SHOTS"]) / saved.name)


def test_the_address_holds_the_view(browser, kit):
    page = Opened(browser, kit / "kit.html")
    page.select({"etir", "more-lanes"})
    page.view("map")
    page.page.select_option("#lang", "tr")
    address = page.page.url
    assert address.endswith("#measures=etir%2Cmore-lanes&view=map&lang=tr")
    again = Opened(browser, kit / "kit.html")
    again.page.goto(address)
    again.page.reload()
    again.page.wait_for_selector("body[data-ready='1']")
    assert again.page.locator("input[data-measure]:checked").count() == 2
    assert again.page.locator("#view").get_attribute("data-view") == "map"
    assert again.text("#saving") == page.text("#saving").replace(" h", " sa")  # in Turkish: saat
    for opened in (page, again):
        opened.offline()
        opened.page.close()


# --- Firefox: not driven by Playwright here (it needs its own build), but a headless screenshot ------------

def firefox() -> str:
    path = shutil.which("firefox-esr") or shutil.which("firefox")
    if not path:  # optional: CI installs Chromium only
        pytest.skip("Firefox is not installed (apt-get install firefox-esr) for the screenshot of the kit in Firefox")
    return path


@pytest.mark.parametrize("view, lang", [("time", "en"), ("map", "ru"), ("queues", "tr")])
def test_firefox_draws_the_kit_from_file(kit, tmp_path, view, lang):
    import subprocess

    executable = firefox()
    shot = tmp_path / f"firefox-{view}.png"
    (tmp_path / "profile").mkdir()
    url = (kit / "kit.html").as_uri() + f"#measures=etir,more-lanes&view={view}&lang={lang}"
    subprocess.run([executable, "--headless", "--no-remote", "--profile", str(tmp_path / "profile"),
                    "--window-size=1400,1000", "--screenshot", str(shot), url],
                   capture_output=True, timeout=120, check=True, env={**os.environ, "MOZ_DISABLE_AUTO_SAFE_MODE": "1"})
    assert_drawn(shot)
    if os.environ.get("WORKSHOP_SHOTS"):
        shutil.copy(shot, Path(os.environ["WORKSHOP_SHOTS"]) / shot.name)
