"""The documentation's headline figures, measured: the calibration table, the validation against another year, the facilitation comparison, the demos.

Runs the two commands the documentation shows (through the API, with the same arguments), keeps
every figure in `docs/figures.json`, and rewrites the blocks between `<!-- figures: NAME -->` and
`<!-- /figures: NAME -->` from it, in README.md and every page under docs/ (`PAGES`), so no
figure there is typed by hand. `--check` only re-renders the blocks from `docs/figures.json` and
says whether every page matches (what the test suite runs).

    python docs/readme_figures.py                 # measure (about 15 minutes on two cores) and write
    python docs/readme_figures.py --only demos    # one block; the others keep their figures
    python docs/readme_figures.py --check         # the pages match docs/figures.json
    python docs/readme_figures.py --render        # rewrite the blocks from docs/figures.json
    python docs/readme_figures.py --only cards    # each measure's range over the assumptions and its
                                                  # drivers (the saving cards: an estimated 1.5 hours on two cores)
    python docs/readme_figures.py --only crossval # the 2022 fit cross-validated by direction (about 20 minutes)

The cards and the cross-validation are measured only when asked (`--only cards`, `--only crossval`);
once `docs/figures.json` holds them, the headline table shows each measure's range over the
assumptions and its three main drivers, and the validation table each 2022 target's value when it
was left out of the fit.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def pages() -> list[Path]:
    """The pages that may hold figure blocks: the README and every Markdown page under docs/."""
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


FIGURES = Path(__file__).resolve().parent / "figures.json"
SCENARIOS = ROOT / "scenarios"
OVERLAYS = ["etir", "aeo_mutual_recognition", "risk_based", "blanket_inspection", "joint_control_red_bridge",
            "extra_ferry", "kyrgyz_weekends", "facilitated_2030"]
FLOW = "cn-tr-khorgos"
WORKERS = 2
BLOCK = re.compile(r"(<!-- figures: (\w+) -->\n)(.*?)(<!-- /figures: \2 -->)", re.S)

WHERE = {"khorgos": "Khorgos", "torugart": "Torugart", "irkeshtam": "Irkeshtam", "kuryk": "Kuryk",
         "alat": "Alat", "red_bridge": "Red Bridge", "sarp": "Sarp", "kapikule": "Kapıkule"}
METRIC = {"crossing_time": "crossing time, h", "control_time": "control time, h", "yellow_share": "yellow share",
          "red_share": "red share", "swod": "SWOD, km/h", "lead_time": "lead time, h", "queue_wait": "queue wait, h",
          "bcp_cost": "CPMM TFI2, US$", "section_cost": "CPMM TFI3, US$ per 500 km per 20 t"}


# --- measuring -----------------------------------------------------------------------------------

def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"


def measure_calibration(replications: int, scenario_file: str = "middle_corridor_2022.yaml",
                        targets_file: str = "targets_2022.yaml") -> dict[str, Any]:
    """`corridor-sim calibrate SCENARIO TARGETS -n N`: each target beside its simulated mean."""
    import corridor_sim
    from corridor_sim.calibrate import evaluate, load_targets

    scenario = corridor_sim.load_scenario(SCENARIOS / scenario_file)
    targets = load_targets(SCENARIOS / targets_file)
    started = time.perf_counter()
    result = corridor_sim.run(scenario, replications, workers=WORKERS)
    seconds = time.perf_counter() - started
    table = evaluate(result, targets)
    rows = []
    for target, (_, row) in zip(targets.targets, table.iterrows()):
        rows.append({"metric": target.metric, "where": row["where"], "value": target.value,
                     "simulated": row["simulated"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                     "relative_error": row["relative_error"], "tolerance": target.tolerance,
                     "abs_tolerance": target.abs_tolerance, "within": bool(row["within"]), "source": target.source})
    return {"replications": replications, "seconds": seconds, "machine": machine(), "rows": rows}


def measure_validation(replications: int) -> dict[str, Any]:
    """The out-of-sample test: 2021's inputs with the 2022 mechanisms, against CPMM 2021 (not
    fitted); shown beside the 2022 calibration, the `calibration` block's figures."""
    return {"predicted": measure_calibration(replications, "middle_corridor_2021.yaml", "targets_2021.yaml")}


CROSSVAL = ROOT / "results" / "readme-crossval"  # the run's own files (the fit's overlay and its JSON)
CROSSVAL_REPLICATIONS = 4  # a point of the search
CROSSVAL_SEARCH = {"generations": 3, "population": 4}  # a short search: three fits of at most 48 points


def measure_crossval(replications: int) -> dict[str, Any]:
    """`corridor-sim calibrate ... --fit --cross-validate --folds direction`: the 2022 fit's
    magnitudes searched again on the outbound targets alone and on the inbound ones alone, and
    each left-out target's value at that point, its out-of-sample error."""
    from corridor_sim.cli import main as cli

    CROSSVAL.mkdir(parents=True, exist_ok=True)
    report = CROSSVAL / "cross-validation.json"
    report.unlink(missing_ok=True)
    started = time.perf_counter()
    code = cli(["calibrate", str(SCENARIOS / "middle_corridor_2022.yaml"), str(SCENARIOS / "targets_2022.yaml"),
                "--fit", "--cross-validate", "--folds", "direction", "-n", str(CROSSVAL_REPLICATIONS),
                "--workers", str(WORKERS), "--generations", str(CROSSVAL_SEARCH["generations"]),
                "--population", str(CROSSVAL_SEARCH["population"]), "--json", str(report),
                "--overlay", str(CROSSVAL / "fit.yaml"), "--force", "--quiet"])
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"corridor-sim calibrate --cross-validate failed (exit {code})")
    section = json.loads(report.read_text(encoding="utf-8"))["cross_validation"]
    rows = [{"metric": t["metric"], "where": t["where"], "fold": fold["name"], "value": t["target"],
             "simulated": t["out_of_sample"], "relative_error": t["out_of_sample_error"],
             "within": t["out_of_sample_within"]}
            for fold in section["folds"] for t in fold["targets"]]
    folds = [{"name": fold["name"], "fitted": fold["fitted"], "points": fold["points"]} for fold in section["folds"]]
    return {"replications": CROSSVAL_REPLICATIONS, **CROSSVAL_SEARCH, "seconds": seconds, "machine": machine(),
            "fits": section["fits"], "folds": folds, "rows": rows}


def measure_facilitation(replications: int) -> dict[str, Any]:
    import corridor_sim

    started = time.perf_counter()
    result = corridor_sim.compare(SCENARIOS / "middle_corridor.yaml", [SCENARIOS / f"{o}.yaml" for o in OVERLAYS],
                                  replications=replications, workers=WORKERS)
    seconds = time.perf_counter() - started
    summary, comparison = result.summary, result.comparison
    names = list(dict.fromkeys(summary["scenario"]))

    def mean(scenario: str, flow: str = FLOW, column: str = "lead_time_mean_h") -> float:
        rows = summary[(summary["scenario"] == scenario) & (summary["flow"] == flow)]
        return float(rows[column].iloc[0])

    def paired(scenario: str, flow: str = FLOW, measure: str = "lead_time_h", where: str | None = None) -> dict:
        rows = comparison[(comparison["scenario"] == scenario) & (comparison["flow"] == flow)
                          & (comparison["measure"] == measure)]
        if where is not None:
            rows = rows[rows["where"] == where]
        row = rows.iloc[0]
        return {k: float(row[k]) for k in ("difference", "ci_low", "ci_high", "relative", "crn_variance_ratio")} | \
            {"significant": bool(row["ci_high"] < 0 or row["ci_low"] > 0)}

    base = names[0]
    rows = [{"file": "middle_corridor.yaml", "scenario": base, "mean": mean(base),
             "ci_low": mean(base, column="lead_time_ci_low_h"), "ci_high": mean(base, column="lead_time_ci_high_h")}]
    for overlay, name in zip(OVERLAYS, names[1:]):
        rows.append({"file": f"{overlay}.yaml", "scenario": name, "mean": mean(name),
                     "ci_low": mean(name, column="lead_time_ci_low_h"),
                     "ci_high": mean(name, column="lead_time_ci_high_h"), "saving": paired(name)})
    by_file = dict(zip(["middle_corridor"] + OVERLAYS, names))
    facts = {
        "etir_all": paired(by_file["etir"], "*"),
        "etir_queue": paired(by_file["etir"], "*", "queue_h"),
        "inspections": {f: mean(by_file[f], "*", "inspections_per_100")
                        for f in ("middle_corridor", "risk_based", "blanket_inspection")},
        "detection": {f: mean(by_file[f], "*", "detection_rate") for f in ("middle_corridor", "risk_based", "blanket_inspection")},
        "joint_crossing": paired(by_file["joint_control_red_bridge"], "*", "crossing_time_h", "red_bridge AZ->GE"),
        "joint_base_crossing": _crossing(result, base, "red_bridge AZ->GE"),
        "weekends_torugart": paired(by_file["kyrgyz_weekends"], "cn-tr-torugart"),
        "all_share": paired(by_file["facilitated_2030"])["relative"],
    }
    return {"replications": replications, "seconds": seconds, "machine": machine(), "rows": rows, "facts": facts}


CARD_REPLICATIONS = 4  # a point of the cards' design: the base, the eight measures and the 2022 calibration


CARDS = ROOT / "results" / "readme-cards"  # kept, so an interrupted measurement resumes where it stopped


def measure_cards(replications: int) -> dict[str, Any]:
    """Every measure's saving card on the westbound Khorgos flow, in one design: the bundled
    assumptions, each point scored against the 2022 targets (`corridor-sim uncertainty`).

    The design runs into `results/readme-cards`; if an earlier measurement was interrupted
    (`readme-cards.partial/` is there), it is completed with `--resume` instead of started again."""
    from corridor_sim.cli import main as cli

    partial = CARDS.with_name(CARDS.name + ".partial")
    resumed = partial.exists()
    started = time.perf_counter()
    if resumed:
        code = cli(["uncertainty", "--resume", str(CARDS), "--workers", str(WORKERS), "--quiet", "--no-plots"])
    else:
        code = cli(["uncertainty", str(SCENARIOS / "middle_corridor.yaml"), *[str(SCENARIOS / f"{o}.yaml") for o in OVERLAYS],
                    "--assumptions", str(SCENARIOS / "assumptions.yaml"), "--flow", FLOW, "--threshold", "2",
                    "--targets", str(SCENARIOS / "targets_2022.yaml"),
                    "--calibration", str(SCENARIOS / "middle_corridor_2022.yaml"), "-n", str(CARD_REPLICATIONS),
                    "--workers", str(WORKERS), "--quiet", "--no-plots", "--force", "-o", str(CARDS)])
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"corridor-sim uncertainty failed (exit {code}); run this again to resume it")
    section = json.loads((CARDS / "summary.json").read_text(encoding="utf-8"))["uncertainty"]
    cards = {}
    for overlay, (name, card) in zip(OVERLAYS, section["measures"].items()):
        plausible = card.get("range_plausible") or {}
        cards[f"{overlay}.yaml"] = {"scenario": name, "p05": card["range"]["p05"], "p95": card["range"]["p95"],
                                    "plausible_n": plausible.get("n"), "plausible_p05": plausible.get("p05"),
                                    "plausible_p95": plausible.get("p95"), "drivers": card["drivers"]}
    return {"replications": CARD_REPLICATIONS, "seconds": seconds, "machine": machine(),
            "resumed": resumed, "points": section["design"]["points"],
            "sampled": section["design"]["sample"], "model_runs": section["design"]["model_runs"], "cards": cards}


def _crossing(result, scenario: str, where: str) -> float:
    crossings = result.summary_dict["scenarios"][scenario]["crossings"]
    return float(next(c["time_h"]["mean"] for c in crossings if f"{c['node']} {c['crossing']}" == where))


DEMO_ROWS = {
    "aeo": "no AEO recognition → every state recognises AEO status, priority lanes and priority ferry boarding",
    "etir": "paper TIR carnets → e-TIR on every flow",
    "risk": "blanket random selection (red 10%) → risk-based channels",
    "caravan": "a 10-truck convoy under paper TIR → the same convoy pre-notified under e-TIR",
    "audit": "checks at the border → low- and medium-risk selections released and a risk-targeted share audited after clearance, in every state",
    "scanners": "inspections straight in the bays → scanners first at every control, the bay only after an anomaly",
    "exchange": "no data between customs → pre-arrival data, recognised inspections and enforcement alerts between neighbours",
}


def measure_demos(replications: int | None) -> dict[str, Any]:
    """Each demo as `corridor-sim demo NAME` runs it (its own replications), into a scratch directory."""
    import tempfile

    from corridor_sim.demo import run_demo

    out: dict[str, Any] = {"machine": machine(), "demos": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in DEMO_ROWS:
            started = time.perf_counter()
            run = run_demo(name, Path(tmp) / name, workers=WORKERS, plots=False)
            out["demos"][name] = {"seconds": time.perf_counter() - started, "takeaway": run.takeaway,
                                  "replications": int(run.result.summary_dict["replications"])}
    return out


# --- rendering -----------------------------------------------------------------------------------

def _h(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"


def _ci(low: float, high: float, digits: int = 1) -> str:
    sep = " to " if low < 0 < high or high < 0 else "–"
    return f"{low:.{digits}f}{sep}{high:.{digits}f}"


def _tolerance(row: dict) -> str:
    parts = []
    if row["tolerance"]:
        parts.append(f"±{row['tolerance']:.0%}")
    if row["abs_tolerance"] is not None:
        unit = "" if row["metric"] in ("yellow_share", "red_share") else " h" if row["metric"] != "swod" else " km/h"
        parts.append(f"±{row['abs_tolerance']:g}{unit}")
    return " or ".join(parts)


def _where(text: str) -> str:
    node, _, rest = text.partition(" ")
    if node == "flow":
        return f"flow `{rest}`"
    return f"{WHERE.get(node, node)} {rest.replace('->', '→')}".strip()


def render_calibration(data: dict) -> str:
    digits = {"yellow_share": 3, "red_share": 3}
    lines = ["| metric | where | target | simulated (95% CI) | error | within tolerance | source |",
             "|---|---|---:|---:|---:|---|---|"]
    for r in data["rows"]:
        d = digits.get(r["metric"], 1)
        lines.append(f"| {METRIC.get(r['metric'], r['metric'])} | {_where(r['where'])} | {r['value']:g} | "
                     f"{r['simulated']:.{d}f} ({_ci(r['ci_low'], r['ci_high'], d)}) | {r['relative_error']:+.0%} | "
                     f"{'yes' if r['within'] else 'no'} ({_tolerance(r)}) | `{r['source']}` |")
    met = sum(r["within"] for r in data["rows"])
    return (f"gives ({data['replications']} replications, {data['seconds']:.0f} s on {WORKERS} workers; "
            f"{data['machine']}): {met} of {len(data['rows'])} targets within tolerance.\n\n" + "\n".join(lines) + "\n")


def render_validation(data: dict) -> str:
    """One row per crossing time in either year: the 2022 figure and the calibrated model's, and
    the 2021 figure and what the model predicts for it with 2021's inputs and nothing refitted."""
    fitted = {(r["metric"], r["where"]): r for r in data["fitted"]["rows"] if r["metric"] in ("crossing_time", "control_time")}
    predicted = {(r["metric"], r["where"]): r for r in data["predicted"]["rows"]}
    crossval = data.get("crossval")  # measured apart (--only crossval)
    left_out = {} if crossval is None else {(r["metric"], r["where"]): r for r in crossval["rows"]}
    lines = ["| crossing | 2022 CPMM, h | 2022 model, fitted |" + (" 2022 model, left out |" if crossval else "")
             + " 2021 CPMM, h | 2021 model, predicted |",
             "|---|---:|---:|" + ("---:|" if crossval else "") + "---:|---:|"]

    def model(r: dict) -> str:
        verdict = "" if r["within"] else ", **outside**"
        return f"{r['simulated']:.1f} ({r['relative_error']:+.0%}{verdict})"

    def cells(r: dict | None) -> str:
        return " | " if r is None else f"{r['value']:g} | {model(r)}"
    for key in [*fitted, *(k for k in predicted if k not in fitted)]:
        out = "" if not crossval else f" {model(left_out[key]) if key in left_out else ('in every fit' if key in fitted else '')} |"
        lines.append(f"| {_where(key[1])} | {cells(fitted.get(key))} |{out} {cells(predicted.get(key))} |")
    f, p = data["fitted"], data["predicted"]
    met = lambda rows: sum(r["within"] for r in rows)  # noqa: E731
    text = (f"{p['replications']} replications a year ({f['machine']}). In sample, 2022: {met(f['rows'])} of "
            f"{len(f['rows'])} targets within tolerance (every target of `targets_2022.yaml`, costs and shares "
            f"included); out of sample, 2021: {met(p['rows'])} of {len(p['rows'])}.\n\n" + "\n".join(lines) + "\n")
    if crossval:
        by_fold = {fold["name"]: [r for r in crossval["rows"] if r["fold"] == fold["name"]] for fold in crossval["folds"]}
        folds = "; ".join(f"{name}, {met(rows)} of {len(rows)} within tolerance" for name, rows in by_fold.items())
        text += (f"\nLeft out: the fit's magnitudes searched again without one direction's targets, and those "
                 f"targets' values at the point found ({crossval['fits']} fits, {crossval['replications']} "
                 f"replications a point, {crossval['generations']} generations of {crossval['population']} a "
                 f"parameter, {crossval['seconds'] / 60:.0f} min, {crossval['machine']}): {folds} (the fold's "
                 f"costs included). A crossing time that names no direction is in every fit.\n")
    return text


def _card_cells(card: dict | None) -> str:
    """A measure's range over the assumptions (and over the points meeting the 2022 targets) and its drivers."""
    if card is None:
        return " | |"
    spread = _ci(card["p05"], card["p95"])
    if card.get("plausible_n"):
        spread += f"; {_ci(card['plausible_p05'], card['plausible_p95'])} at the {card['plausible_n']} plausible"
    return f" {spread} | {', '.join(card['drivers']) or '–'} |"


def render_facilitation(data: dict) -> str:
    n, f = data["replications"], data["facts"]
    cards = data.get("cards")
    lines = [f"It took {data['seconds']:.0f} s ({data['machine']}). Westbound Khorgos → Istanbul (flow "
             f"`{FLOW}`; `comparison.csv`, rows `flow == \"{FLOW}\"` and `measure == \"lead_time_h\"`), "
             f"{n} replications:", "",
             "| scenario | mean lead time, h (95% CI) | saving, h (paired 95% CI) | change | CRN variance ratio |"
             + (" range over the assumptions, h (5–95%) | main drivers |" if cards else ""),
             "|---|---:|---:|---:|---:|" + ("---:|---|" if cards else "")]
    for r in data["rows"]:
        head = f"| `{r['file']}` | {_h(r['mean'])} ({_ci(r['ci_low'], r['ci_high'])}) |"
        s = r.get("saving")
        if s is None:
            lines.append(head + " | | |" + (" | |" if cards else ""))
            continue
        saving = f"{-s['difference']:.1f} ({_ci(-s['ci_high'], -s['ci_low'])})"
        saving = f"**{saving}**" if s["significant"] else f"{saving}, not significant"
        lines.append(f"{head} {saving} | {s['relative']:+.1%} | {s['crn_variance_ratio']:.2f} |"
                     + (_card_cells(cards["cards"].get(r["file"])) if cards else ""))
    if cards:
        lines += ["", f"The range over the assumptions: the 5–95% of the expected saving over {cards['sampled']} "
                      f"points sampled from `scenarios/assumptions.yaml` ({cards['replications']} paired replications a "
                      f"point, {cards['model_runs']} model runs"
                      + (f", the last of them in {cards['seconds'] / 3600:.1f} h after a resume" if cards.get("resumed")
                         else f" in {cards['seconds'] / 3600:.1f} h") + f", {cards['machine']}; "
                      "`corridor-sim uncertainty`, see \"The saving card\"), then over the points that also meet the "
                      "2022 calibration targets; the drivers: the largest total Sobol indices."]
    e, q, j = f["etir_all"], f["etir_queue"], f["joint_crossing"]
    insp, det, wk = f["inspections"], f["detection"], f["weekends_torugart"]
    lines += ["", "Measured in the same run, over all counted trucks unless a flow is named:", "",
              f"* **e-TIR**: {-e['difference']:.1f} h shorter lead time ({_ci(-e['ci_high'], -e['ci_low'])}), "
              f"{-q['difference']:.1f} h of it less queueing ({_ci(-q['ci_high'], -q['ci_low'])}).",
              f"* **Inspections per 100 trucks**: base {insp['middle_corridor']:.1f}, risk-based "
              f"{insp['risk_based']:.1f}, blanket {insp['blanket_inspection']:.1f}; share of non-compliant trucks "
              f"caught: {det['middle_corridor']:.0%}, {det['risk_based']:.0%}, {det['blanket_inspection']:.0%}.",
              f"* **Joint control at Red Bridge**: clearing Red Bridge westbound takes {f['joint_base_crossing']:.1f} h "
              f"in the base, {-j['difference']:.1f} h less ({_ci(-j['ci_high'], -j['ci_low'])}) with one joint stop.",
              f"* **Weekend opening in Kyrgyzstan**, flow `cn-tr-torugart`: {-wk['difference']:.1f} h shorter "
              f"({_ci(-wk['ci_high'], -wk['ci_low'])}).",
              f"* **All measures together**: {f['all_share']:+.1%} on the westbound Khorgos lead time."]
    return "\n".join(lines) + "\n"


def render_demos(data: dict) -> str:
    demos = data["demos"]
    n = demos["etir"]["replications"]
    slowest = max(d["seconds"] for d in demos.values())
    lines = [f"Each demo ({n} replications of two scenarios, plots left out) took at most {slowest:.0f} s "
             f"({data['machine']}; demos use two worker processes unless `--workers` says otherwise).", "",
             f"| demo | baseline → measure | what it tells (measured, {n} replications) |", "|---|---|---|"]
    for name, row in DEMO_ROWS.items():
        told = " ".join(line for line in demos[name]["takeaway"][:-1])
        lines.append(f"| `{name}` | {row} | {told} |")
    lines += ["", "```bash", "corridor-sim demo etir", "```", "", "prints", "", "```", *demos["etir"]["takeaway"], "",
              "Plots and report: results/demo-etir/report.html", "```"]
    return "\n".join(lines) + "\n"


def render_compare(data: dict) -> str:
    """The compare example's figures: the same replications and seeds as the facilitation run
    (common random numbers), so its base, e-TIR and joint-control figures are these."""
    f = data["facts"]
    e, q, j = f["etir_all"], f["etir_queue"], f["joint_crossing"]
    return (f"For all counted trucks ({data['replications']} replications; {data['machine']}): e-TIR "
            f"{e['difference']:+.1f} h [{e['ci_low']:.1f}, {e['ci_high']:.1f}] ({e['relative']:+.1%}), "
            f"{q['difference']:+.1f} h of it queueing; a joint control at Red Bridge takes the time to clear "
            f"Red Bridge westbound from {f['joint_base_crossing']:.1f} h to "
            f"{f['joint_base_crossing'] + j['difference']:.1f} h.\n")


RENDER = {"calibration": render_calibration, "facilitation": render_facilitation, "demos": render_demos,
          "compare": render_compare, "validation": render_validation}
SOURCE = {"compare": "facilitation"}  # a block rendered from another block's figures


def data_of(name: str, figures: dict) -> dict:
    """The figures block `name` is rendered from: its own, or another block's, with those it shows beside them."""
    data = figures[SOURCE.get(name, name)]
    if name == "facilitation" and "cards" in figures:  # measured apart (--only cards), shown in its table
        data = {**data, "cards": figures["cards"]}
    if name == "validation":  # the 2022 fit beside the 2021 prediction: the calibration block's figures
        data = {**data, "fitted": figures["calibration"]}
        if "crossval" in figures:  # measured apart (--only crossval), shown in its table
            data = {**data, "crossval": figures["crossval"]}
    return data


def rendered_readme(text: str, figures: dict) -> str:
    def block(m: re.Match) -> str:
        name = m.group(2)
        return m.group(1) + RENDER[name](data_of(name, figures)) + m.group(4)
    return BLOCK.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the pages against docs/figures.json")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite the pages' blocks from docs/figures.json (figures measured elsewhere)")
    parser.add_argument("--only", choices=sorted(set(RENDER) - set(SOURCE) | {"cards", "crossval"}),
                        help="measure one block, keep the others' figures")
    parser.add_argument("-n", "--replications", type=int, default=10)
    args = parser.parse_args(argv)
    texts = {page: page.read_text(encoding="utf-8") for page in pages()}
    figures = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.exists() else {}
    if args.check:
        stale = [page for page, text in texts.items() if rendered_readme(text, figures) != text]
        for page in stale:
            print(f"{page.relative_to(ROOT)} does not match docs/figures.json: run python docs/readme_figures.py",
                  file=sys.stderr)
        if stale:
            return 1
        print("the pages' figure blocks match docs/figures.json")
        return 0
    for name in [] if args.render else [args.only] if args.only else [n for n in RENDER if n not in SOURCE]:
        measure = {"calibration": measure_calibration, "facilitation": measure_facilitation,
                   "demos": measure_demos, "cards": measure_cards, "validation": measure_validation,
                   "crossval": measure_crossval}[name]
        figures[name] = measure(args.replications)
    FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for page, text in texts.items():
        rendered = rendered_readme(text, figures)
        if rendered != text:
            page.write_text(rendered, encoding="utf-8")
    print(f"wrote {FIGURES.relative_to(ROOT)} and the pages' figure blocks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
