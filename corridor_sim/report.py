"""`report.html`: one self-contained page per result (tables, paired differences, plots inline).

Everything is in the file (CSS inline, images as base64 PNG), so it can be mailed, archived or
opened offline. The numbers are the summary's; nothing is computed here that the result does
not already hold.
"""
from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from .measures.ledger import LEDGER_COLUMNS
from .model.truck import COMPONENTS
from .results.comparison import CHECKS
from .results.keys import ALL
from .results.rates import MIN_TRIALS, shown
from .results.run_result import RunResult
from .results.summary import SHARES

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 980px; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.8em;
       border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
.question { font-size: 1.1em; color: #333; }
.takeaway { background: #eef6fb; border-left: 5px solid #0072B2; padding: 0.6em 1em; margin: 1em 0; }
.takeaway p { margin: 0.4em 0; }
.warnings { background: #fff4e5; border-left: 5px solid #D55E00; padding: 0.5em 1em; margin: 1em 0; }
.warnings h2 { margin-top: 0.2em; border: none; font-size: 1.1em; } .warnings li { margin: 0.3em 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.88em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
td { white-space: nowrap; } td.name { white-space: normal; min-width: 7em; }
th { background: #f3f3f3; } td.name, th.name { text-align: left; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; }
.note { font-size: 0.85em; color: #555; }
footer { margin-top: 2.5em; font-size: 0.8em; color: #666; border-top: 1px solid #ccc; padding-top: 0.6em; }
table.headline { font-size: 1.15em; } table.headline td, table.headline th { padding: 0.35em 0.8em; }
details { margin: 0.8em 0; border-top: 1px solid #ccc; padding-top: 0.3em; }
details > summary { font-size: 1.15em; font-weight: bold; cursor: pointer; padding: 0.2em 0; }
"""


def _num(x: Any, digits: int = 1, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    try:
        value = float(x)
    except (TypeError, ValueError):
        return html.escape(str(x))
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def _ci(low: Any, high: Any, digits: int = 1, sign: bool = False) -> str:
    if _num(low) == "–" or _num(high) == "–":
        return "–"
    return f"{_num(low, digits, sign)} to {_num(high, digits, sign)}"


def _table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[str]], names: int = 1,
           css: str = "") -> str:
    """An HTML table; the first `names` columns are text (left-aligned), the rest figures (escaped already)."""
    head = "".join(f'<th class="name">{html.escape(h)}</th>' if i < names else f"<th>{html.escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = "".join(f'<td class="name">{html.escape(str(c))}</td>' if i < names else f"<td>{c}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    kind = f' class="{css}"' if css else ""
    return f'<table id="{table_id}"{kind}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


ZERO = re.compile(r"[+\-]?0(\.0+)?%?( to [+\-]?0(\.0+)?%?)?")


def _without_zeros(rows: list[tuple[Any, ...]], names: int) -> tuple[list[tuple[Any, ...]], int]:
    """The rows with a figure that is not zero to the precision shown (`+0.00 to +0.00` says
    nothing), and how many were left out."""
    kept = [r for r in rows if not all(ZERO.fullmatch(str(c)) for c in r[names:])]
    return kept, len(rows) - len(kept)


def _left_out(count: int) -> str:
    if not count:
        return ""
    rows = "row" if count == 1 else "rows"
    return f'<p class="note">{count} {rows} where every figure is zero to the precision shown left out.</p>'


def _fold(title: str, body: str, fold_id: str, open_: bool = False) -> str:
    """A section folded under its title: the detail behind the headline, one click away."""
    if not body:
        return ""
    return (f'<details id="{fold_id}"{" open" if open_ else ""}><summary>{html.escape(title)}</summary>\n'
            f"{body}\n</details>")


def _label(result: RunResult, name: str) -> str:
    """A scenario as people know it: its `label`, else its name."""
    scenario = result.scenarios.get(name)
    return (scenario.label if scenario is not None and scenario.label else None) or name


def _crossing_label(result: RunResult, scenario: str, node: str, crossing: str) -> str:
    """A crossing by its node's label where the scenario gives one (`Red Bridge AZ->GE`)."""
    from .scenario.network import place_name

    s = result.scenarios.get(scenario)
    return f"{place_name(s, node, short=True) if s is not None and node in s.nodes else node} {crossing}"


def _point_label(result: RunResult, name: str) -> str:
    """A sweep point by its values (`nodes.post.lanes = 3`), any other scenario by its label."""
    for point in (result.summary_dict.get("sweep") or {}).get("points") or []:
        if point.get("scenario") == name and point.get("values"):
            return ", ".join(f"{path} = {value}" for path, value in point["values"].items())
    return _label(result, name)


def _headline_section(result: RunResult, flow: str = ALL) -> str:
    """The answer first: one row per scenario with the mean lead time of `flow` (every counted
    truck by default) and its CI, and for a comparison or sweep the paired saving against the
    baseline with its CI."""
    summary = result.summary_dict
    comparison = summary.get("comparison") or {}
    baseline = result.baseline
    rows = []
    for name in result.scenarios:
        s = summary["scenarios"].get(name) or {}
        f = s if flow == ALL else (s.get("flows") or {}).get(flow) or {}
        lead = f.get("lead_time_h")
        row: list[str] = [_point_label(result, name), _num(lead["mean"]) if lead else "–",
                          _ci(lead["ci_low"], lead["ci_high"]) if lead else "–"]
        if comparison:
            d = (((comparison.get(name) or {}).get("flows") or {}).get(flow) or {}).get("lead_time_h")
            if name == baseline:
                row += ["baseline", "", ""]
            elif d:
                row += [_num(-d["mean"], 1, True), _ci(-d["ci_high"], -d["ci_low"], 1, True),
                        "yes" if d["significant"] else "not clearly"]
            else:
                row += ["–", "–", ""]
        rows.append(row)
    headers = ["scenario", "mean lead time h", "95% CI h"]
    note = (f"Lead time of {'every counted truck' if flow == ALL else html.escape(flow)}, mean over "
            f"{summary.get('replications')} replications with its 95% CI.")
    if comparison:
        headers += [f"saving h vs {_point_label(result, baseline) if baseline else 'baseline'}", "95% CI h", "clear?"]
        note += (" Saving: the baseline's lead time minus the scenario's, paired replication by replication on "
                 "the same random numbers (positive: faster); clear when its CI excludes zero.")
    return f'<p class="note">{note}</p>' + _table("headline", headers, rows, css="headline")


def question(result: RunResult) -> str:
    """The question the result answers, in words."""
    names = list(result.scenarios)
    if result.kind == "compare" and result.baseline:
        others = [_label(result, n) for n in names if n != result.baseline]
        subject = f"does {others[0]}" if len(others) == 1 else f"do {', '.join(others[:-1])} and {others[-1]} each"
        return (f"How much lead time {subject} save against {_label(result, result.baseline)}, and where "
                f"(paired over the same replications, with common random numbers)?")
    if result.kind == "sweep":
        paths = ", ".join((result.summary_dict.get("sweep") or {}).get("vary") or [])
        return f"How does the lead time change as {paths} varies?"
    return f"How long does a truck take in {', '.join(_label(result, n) for n in names)}, and where does the time go?"


def _scenarios_section(result: RunResult) -> str:
    summary = result.summary_dict
    rows = []
    for name, scenario in result.scenarios.items():
        s = summary["scenarios"].get(name) or {}
        flows = [f for f in scenario.traffic.values() if not f.background]
        shown = f"{scenario.label} ({name})" if scenario.label else name
        rows.append((shown, scenario.description or "–", _num(s.get("trucks_per_replication"), 0),
                     str(len(flows)), str(len(scenario.caravans))))
    return _table("scenarios", ["scenario", "description", "counted trucks per replication", "flows", "caravans"],
                  rows, names=2)


def _summary_section(result: RunResult) -> str:
    frame = result.summary
    if frame.empty:
        return '<p class="note">No counted trucks arrived: there is no lead-time summary.</p>'
    rows = []
    for r in frame.to_dict("records"):
        rows.append((_label(result, r["scenario"]), "all counted" if r["flow"] == ALL else r["flow"], _num(r["lead_time_mean_h"]),
                     _num(r["lead_time_half_width_h"]), _ci(r["lead_time_ci_low_h"], r["lead_time_ci_high_h"]),
                     _num(r["lead_time_median_h"]), _num(r["lead_time_p95_h"]), _num(r["swod_kmh"]),
                     _num(r["swd_kmh"])))
    return _table("summary", ["scenario", "flow", "mean lead time h", "± h", "95% CI h", "median h", "p95 h",
                              "SWOD km/h", "SWD km/h"], rows, names=2)


# how the report names the rates of the summary (per 100 trucks over a journey, shares of the non-compliant trucks)
RATE_LABELS = {"inspections_per_100": "physical inspections per 100 trucks", "yellow_per_100": "yellow checks per 100 trucks",
               "audits_per_100": "post-clearance audits per 100 trucks", "scans_per_100": "scans per 100 trucks",
               "detection_rate": "share of non-compliant trucks found at a border",
               "audit_detection_rate": "share of non-compliant trucks found in audit",
               "missed_rate": "share of non-compliant trucks missed"}


RATE_KEYS = dict.fromkeys([*CHECKS, *SHARES])  # the summary's rates: never in a table of hours


def _rate_label(key: str) -> str:
    return RATE_LABELS.get(key, key.replace("_", " "))


def _rate_rows(f: dict[str, Any]) -> tuple[list[tuple[str, str, str, str, str]], int]:
    """A flow's rates as (figure, value, 95% CI, n, interval): the counts per 100 trucks over a
    journey (a truck meets several controls, so they are not shares: a t interval over the
    replications), then the shares of the non-compliant trucks (Wilson, pooled over the
    replications, "–" below `rates.MIN_TRIALS` trucks). Rates that are zero with a zero interval
    (a measure the scenario does not have) are left out: how many is the second value."""

    out = []
    zero = 0
    trucks = (f.get("trucks_per_replication") or 0) * (f.get("replications") or 0)
    for key in CHECKS:
        d = f.get(key)
        if d and not any(d.get(k) for k in ("mean", "ci_low", "ci_high")):
            zero += 1
        elif d:
            out.append((_rate_label(key), _num(d["mean"]), _ci(d["ci_low"], d["ci_high"]), _num(trucks, 0),
                        "t over replications"))
    for key in SHARES:
        d = f.get(key)
        if not d:
            continue
        ok = shown(d)
        out.append((_rate_label(key), _num(d["mean"], 2) if ok else "–", _ci(d["ci_low"], d["ci_high"], 2) if ok else "–",
                    _num(d["n"], 0) if "n" in d else "–", "Wilson, pooled"))
    return out, zero


def _rates_section(result: RunResult) -> str:
    """Rates apart from hours: per 100 trucks and shares of the non-compliant trucks, each with the
    trucks it is counted over, by scenario and flow."""

    rows = []
    hidden = 0
    for name, s in result.summary_dict["scenarios"].items():
        for flow, f in [(ALL, s), *(s.get("flows") or {}).items()]:
            if "lead_time_h" in f:
                found, zero = _rate_rows(f)
                rows += [(_label(result, name), "all counted" if flow == ALL else flow, *r) for r in found]
                hidden += zero
    if not rows:
        return ""
    return ('<p class="note">Per 100 trucks: counts over a journey (a truck meets several controls), means over '
            "replications with 95% t intervals, n the trucks counted. Shares of the non-compliant trucks: pooled over "
            f"the replications (each truck once), 95% Wilson intervals, n the non-compliant trucks; below {MIN_TRIALS} "
            "trucks a share is not shown (\u2013).</p>"
            + _table("rates", ["scenario", "flow", "figure", "value", "95% CI", "n", "interval"], rows, names=3)
            + _left_out(hidden))


def _components_section(result: RunResult) -> str:
    """Mean hours per truck by component; a component that is zero to the shown precision in
    every scenario (a mechanism none of them has) is left out, with a note."""
    found = {name: s for name, s in result.summary_dict["scenarios"].items() if "components_h" in s}
    if not found:
        return ""
    shown = [c for c in COMPONENTS if any(not ZERO.fullmatch(_num(s["components_h"][c])) for s in found.values())]
    rows = [(_label(result, name), *(_num(s["components_h"][c]) for c in shown), _num(s["lead_time_h"]["mean"]))
            for name, s in found.items()]
    hidden = [c for c in COMPONENTS if c not in shown]
    note = (f'<p class="note">Zero to the precision shown in every scenario, left out: {html.escape(", ".join(hidden))}.</p>'
            if hidden else "")
    return _table("components", ["scenario", *shown, "lead time"], rows) + note


def _comparison_section(result: RunResult) -> str:
    if not result.summary_dict.get("comparison"):
        return ('<p class="note" id="no-comparison">This result has no baseline to compare with '
                "(a single run); paired differences appear for compare and sweep runs.</p>")
    frame = result.comparison
    if frame.empty:
        return '<p class="note" id="no-comparison">No paired differences could be formed.</p>'
    lead = frame[frame["measure"] == "lead_time_h"]
    rows: list[tuple[Any, ...]] = []
    for r in lead.to_dict("records"):
        rows.append((_label(result, r["scenario"]), "all counted" if r["flow"] == ALL else r["flow"], _num(r["baseline_mean"]),
                     _num(r["scenario_mean"]), _num(r["difference"], 1, True),
                     _ci(r["ci_low"], r["ci_high"], 1, True),
                     f"{r['relative']:+.1%}" if _num(r["relative"]) != "–" else "–",
                     "yes" if r["significant"] else "no", str(r["replications"])))
    out = [f"<p>Baseline: <b>{html.escape(_label(result, str(result.baseline)))}</b>. Differences are other minus baseline, "
           "paired replication by replication (paired t, 95%); negative means faster.</p>",
           _table("comparison", ["scenario", "flow", "baseline h", "scenario h", "difference h", "95% CI h",
                                 "relative", "significant", "replications"], rows, names=2)]
    money = frame[(frame["flow"] == ALL) & frame["measure"].isin(list(SAVINGS))]
    if not money.empty:
        rows = [(_label(result, r["scenario"]), SAVINGS[r["measure"]], _num(r["baseline_mean"], 2), _num(r["scenario_mean"], 2),
                 _num(r["difference"], 2, True), _ci(r["ci_low"], r["ci_high"], 2, True))
                for r in money.to_dict("records")]
        out.append("<p>Money, fuel and emissions (all counted trucks; a year: at the flows' volume of trucks; "
                   "negative means saved):</p>")
        out.append(_table("comparison-savings", ["scenario", "figure", "baseline", "scenario", "difference",
                                                 "95% CI"], rows, names=2))
    ledger = [*LEDGER_COLUMNS, *(f"{c}_per_year" for c in LEDGER_COLUMNS)]  # money, not time: above
    rates = _paired_rates(result)  # not hours: a table of their own
    parts = frame[(frame["flow"] == ALL) & (frame["measure"] != "lead_time_h") & (frame["where"] == "")
                  & ~frame["measure"].isin(ledger) & ~frame["measure"].isin(list(RATE_KEYS))]
    if not parts.empty:
        rows = [(_label(result, r["scenario"]), r["measure"].removesuffix("_h"), _num(r["baseline_mean"]),
                 _num(r["scenario_mean"]), _num(r["difference"], 2, True), _ci(r["ci_low"], r["ci_high"], 2, True))
                for r in parts.to_dict("records")]
        rows, hidden = _without_zeros(rows, 2)
        out.append("<p>Where the time changes (all counted trucks, hours per truck):</p>")
        out.append(_table("comparison-components", ["scenario", "component", "baseline h", "scenario h",
                                                     "difference h", "95% CI h"], rows, names=2) + _left_out(hidden))
    if rates:
        out.append(rates)
    return "\n".join(out)


def _paired_rates(result: RunResult) -> str:
    """Paired differences of the rates (all counted trucks): per 100 trucks, and shares of the
    non-compliant trucks with the trucks they are of on both sides ("–" below `rates.MIN_TRIALS`)."""

    rows = []
    zero = 0  # checks neither side has (a measure neither scenario uses)
    for name, entry in (result.summary_dict.get("comparison") or {}).items():
        f = (entry.get("flows") or {}).get(ALL) or {}
        for key, d in (f.get("checks") or {}).items():
            zero += bool(d) and not any(d.get(k) for k in ("baseline_mean", "scenario_mean", "ci_low", "ci_high"))
            if d and any(d.get(k) for k in ("baseline_mean", "scenario_mean", "ci_low", "ci_high")):
                rows.append((_label(result, name), _rate_label(key), _num(d["baseline_mean"]), _num(d["scenario_mean"]),
                             _num(d["mean"], 1, True), _ci(d["ci_low"], d["ci_high"], 1, True), "–"))
        for key in SHARES:
            d = (f.get("violations") or {}).get(key)
            if not d:
                continue
            base_n, other_n = d.get("baseline_n"), d.get("scenario_n")
            counted = base_n is not None and other_n is not None
            ok = not counted or min(base_n, other_n) >= MIN_TRIALS
            counts = f"{base_n:,} / {other_n:,}" if counted else "–"
            rows.append((_label(result, name), _rate_label(key), _num(d["baseline_mean"], 2) if ok else "–",
                         _num(d["scenario_mean"], 2) if ok else "–", _num(d["mean"], 2, True) if ok else "–",
                         _ci(d["ci_low"], d["ci_high"], 2, True) if ok else "–", counts))
    if not rows:
        return ""
    return ("<p>Rates (all counted trucks): per 100 trucks over a journey, and shares of the non-compliant trucks "
            f"(n: the non-compliant trucks of the baseline / of the scenario; below {MIN_TRIALS} not shown):</p>"
            + _table("comparison-rates", ["scenario", "figure", "baseline", "scenario", "difference", "95% CI", "n"],
                     rows, names=2) + _left_out(zero))


# the ledger's figures a comparison states, as the report names them (per truck, and a year)
SAVINGS = {"cost_usd": "cost, US$ a truck", "cost_usd_per_year": "cost, US$ a year",
           "fuel_l": "fuel, L a truck", "fuel_l_per_year": "fuel, L a year",
           "co2_kg": "CO2, kg a truck", "co2_kg_per_year": "CO2, kg a year",
           "co2e_wtw_kg": "CO2e well-to-wheel, kg a truck", "co2e_wtw_kg_per_year": "CO2e well-to-wheel, kg a year"}


def _costs_section(result: RunResult) -> str:
    """What the time costs: the ledger per truck, and CPMM's TFI1 and TFI2 by crossing, TFI3 by section."""
    scenarios = {name: s for name, s in result.summary_dict["scenarios"].items() if s.get("ledger")}
    if not scenarios:
        return ""
    rows: list[tuple[Any, ...]]
    parts = ['<p class="note">Per counted truck, means over replications with 95% CIs: the ledger values every '
             "hour at the truck's and its driver's cost, prices the fuel driving and idling, adds fees, ferry "
             "tariffs and the cargo's time cost (the scenario's <code>costs</code>, over the package defaults).</p>"]
    rows = []
    for name, s in scenarios.items():
        ledger = s["ledger"]
        rows.append((_label(result, name), _num(ledger["cost_usd"]["mean"], 0), _ci(ledger["cost_usd"]["ci_low"], ledger["cost_usd"]["ci_high"], 0),
                     _num(ledger["cost_cargo_usd"]["mean"], 0), _num(ledger["fuel_l"]["mean"]),
                     _num(ledger["fuel_idle_l"]["mean"]), _num(ledger["co2_kg"]["mean"]), _num(ledger["nox_g"]["mean"]),
                     _num(ledger["pm_g"]["mean"], 2)))
    parts.append(_table("costs", ["scenario", "cost US$", "95% CI", "of which cargo time US$", "fuel L",
                                  "idling L", "CO2 kg", "NOx g", "PM g"], rows))
    rows = []
    for name, s in scenarios.items():
        for x in s.get("crossings") or []:
            if "cost_usd" in x:
                rows.append((_label(result, name), _crossing_label(result, name, x["node"], x["crossing"]),
                             _num(x["time_h"]["mean"]),
                             _ci(x["time_h"]["ci_low"], x["time_h"]["ci_high"]), _num(x["cost_usd"]["mean"], 0)))
    if rows:
        parts.append("<p>CPMM's border indicators: TFI1, the hours to clear a crossing, and TFI2, what a truck "
                     "pays there (official fees and informal payments), by crossing and direction:</p>")
        parts.append(_table("cpmm-crossings", ["scenario", "crossing", "TFI1 h", "95% CI h", "TFI2 US$"], rows, names=2))
    rows = []
    for name, s in scenarios.items():
        for x in (s.get("cost_indicators") or {}).get("sections", []):
            d = x["usd_per_500km_20t"]
            rows.append((_label(result, name), x["flow"], "whole road route" if x["country"] == "*" else x["country"],
                         _num(x["km"], 0),
                         _num(d["mean"], 0), _ci(d["ci_low"], d["ci_high"], 0)))
    if rows:
        parts.append("<p>CPMM's TFI3, the cost of travelling a section (a flow's road in a country: driving, rests, "
                     "time and fees at its controls; no ferry), in US$ per 500 km per 20 t:</p>")
        parts.append(_table("cpmm-sections", ["scenario", "flow", "section", "km", "TFI3", "95% CI"], rows, names=3))
    return "\n".join(parts)


def _sweep_section(result: RunResult) -> str:
    table = result.sweep
    if table.empty:
        return ""
    paths = list((result.summary_dict.get("sweep") or {}).get("vary") or [])
    rows = []
    for r in table.to_dict("records"):
        rows.append((*(str(r[p]) for p in paths), _num(r.get("lead_time_mean_h")),
                     _ci(r.get("lead_time_ci_low_h"), r.get("lead_time_ci_high_h")),
                     _num(r.get("difference_h"), 1, True),
                     _ci(r.get("difference_ci_low_h"), r.get("difference_ci_high_h"), 1, True)))
    return _table("sweep", [*paths, "mean lead time h", "95% CI h", "vs first point h", "95% CI h"], rows, names=len(paths))


def _figures_section(result: RunResult, figures: list | None) -> str:
    from .plots import render_plots
    from .plots.style import figure_bytes

    out = []
    for plot, fig in figures if figures is not None else render_plots(result):
        data = base64.b64encode(figure_bytes(fig, "png")).decode("ascii")
        out.append(f'<figure id="plot-{plot.name}"><img alt="{html.escape(plot.title)}" '
                   f'src="data:image/png;base64,{data}"><figcaption>{html.escape(plot.title)}</figcaption></figure>')
    return "\n".join(out)


def report_warnings(result: RunResult) -> list[tuple[str, str]]:
    """Every warning the run said or kept, as (who, sentence): each scenario's (its settings, then
    what the run found), the comparison's, and replications run again after damage. A sentence
    several scenarios share is given once, naming them."""
    from .results.warnings import said_once

    summary = result.summary_dict
    out = said_once({name: list(s.get("warnings") or []) for name, s in summary.get("scenarios", {}).items()},
                    lambda name: _label(result, name))
    out += [(result.kind, line) for line in summary.get("warnings") or []]
    out += [("damaged in the interrupted run", f"{line}; run again") for line in (result.meta or {}).get("rerun_damaged", [])]
    return out


def _warnings_section(result: RunResult) -> str:
    """A box at the top with every warning: a figure below may not mean what it seems without it."""
    found = report_warnings(result)
    if not found:
        return ""
    items = "".join(f"<li><b>{html.escape(who)}</b>: {html.escape(line)}</li>" for who, line in found)
    return (f'<div class="warnings" id="warnings" role="alert"><h2>Warnings ({len(found)})</h2>'
            f'<p class="note">Read the figures below with these in mind; the run printed them too.</p>'
            f"<ul>{items}</ul></div>")


def _provenance(result: RunResult) -> str:
    meta = result.meta or {}
    versions = meta.get("versions") or {}
    items = [
        f"corridor-sim {versions.get('corridor-sim') or ''}".strip(),
        f"{result.summary_dict.get('replications')} replications, seed {result.summary_dict.get('seed')}",
    ]
    if meta.get("git_revision"):
        items.append(f"git {meta['git_revision'][:12]}")
    if meta.get("command"):
        items.append("command: " + " ".join(str(c) for c in meta["command"]))
    return " · ".join(html.escape(i) for i in items)


def render_report(result: RunResult, takeaway: Sequence[str] = (), title: str | None = None,
                  figures: list | None = None, flow: str | None = None) -> str:
    """The report page as HTML text (`takeaway`: plain-language sentences shown at the top).

    The answer comes first (the headline: each scenario's lead time of `flow`, every counted
    truck by default, and a comparison's paired saving), then the detail folded section by
    section, so a sweep's hundred rows of paired figures do not stand before its answer.
    `figures` (from `corridor_sim.plots.render_plots`) embeds already drawn plots; by default
    every plot the result supports is drawn.
    """
    names = ", ".join(_label(result, n) for n in result.scenarios)
    title = title or f"corridor-sim {result.kind}: {names}"
    box = ""
    if takeaway:
        box = '<div class="takeaway" id="takeaway">' + "".join(f"<p>{html.escape(t)}</p>" for t in takeaway) + "</div>"
    headline = flow if flow and any(flow in (s.get("flows") or {}) for s in result.summary_dict["scenarios"].values()) else ALL
    plots = _figures_section(result, figures)
    comparison = _comparison_section(result)
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="question">{html.escape(question(result))}</p>',
        _warnings_section(result),
        box,
        "<h2>Headline</h2>", _headline_section(result, headline),
        _fold("Scenarios", _scenarios_section(result), "fold-scenarios"),
        _fold("Sweep: every point", _sweep_section(result), "fold-sweep"),
        _fold("Paired differences", comparison, "fold-comparison") if result.summary_dict.get("comparison") else comparison,
        _fold("Lead time by flow", '<p class="note">Means over replications with 95% t confidence intervals; median '
              "and p95 are per-replication quantiles averaged over replications. SWOD: speed without delays (km / "
              "driving hours); SWD: speed with delays (km / lead time).</p>" + _summary_section(result), "fold-lead-time"),
        _fold("Where the time goes (mean hours per truck)", _components_section(result), "fold-components"),
        _fold("Rates: inspections and violations found", _rates_section(result), "fold-rates"),
        _fold("What the time costs", _costs_section(result), "fold-costs"),
        _fold(f"Plots ({plots.count('<figure')})", plots, "fold-plots"),
        f"<footer>{_provenance(result)}</footer>",
    ]
    body = "\n".join(s for s in sections if s)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def write_report(result: RunResult, directory: str | Path, takeaway: Sequence[str] = (),
                 title: str | None = None, figures: list | None = None, flow: str | None = None) -> Path:
    """Write `directory/report.html` (written to a temporary name, then renamed into place)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "report.html"
    tmp = directory / ".report.html.tmp"
    tmp.write_text(render_report(result, takeaway, title, figures, flow), encoding="utf-8")
    tmp.replace(target)
    return target
