"""Ready-made comparisons for workshops: AEO recognition, e-TIR, risk-based selection, a caravan,
post-clearance audit, scanners, information exchange between customs.

Each demo pairs two bundled scenarios (package data in `corridor_sim/data/demos/`, the corridor's
main line with a short horizon so it runs in well under a minute on two cores), runs them on the
same replications and seeds (common random numbers), writes plots and `report.html`, and states
the result in plain language with the measured figure and its paired 95% confidence interval.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import CorridorSimError, OutputError
from .results.keys import ALL

if TYPE_CHECKING:  # the experiment layer (pandas, SimPy) loads only when a demo runs
    from .experiment import Progress
    from .results.run_result import RunResult
    from .scenario import Scenario

DEMO_DIR = Path(str(resources.files("corridor_sim") / "data" / "demos"))
BORDER = ("closed", "queue", "document", "inspection")  # the time a truck spends at the controls

Measure = Callable[[dict[str, Any]], float | None]  # one replication's group statistics -> a figure


@dataclass(frozen=True)
class Demo:
    """A bundled comparison: baseline and measure files, what it shows, how to say what it found."""

    name: str
    baseline: str
    measure: str
    title: str
    question: str  # what the demo answers, in one line (`demo --list`)
    takeaway: Callable[[RunResult], list[str]] = field(repr=False)
    focus: str | None = None  # the flow the takeaway speaks of, which the plots then show (None: all trucks)

    def files(self) -> tuple[Path, Path]:
        """The baseline's and the measure's scenario files."""
        return DEMO_DIR / self.baseline, DEMO_DIR / self.measure

    def scenarios(self, overrides: Sequence[str] = ()) -> list[Scenario]:
        """Both scenarios, with `overrides` (`PATH=VALUE`, as `run --set`) applied to each."""
        from .scenario import load_scenario

        return [load_scenario(file, overrides) for file in self.files()]


# --- measured figures -------------------------------------------------------------------------

def border_hours(g: dict[str, Any]) -> float:
    return sum(g[c] for c in BORDER)


def hours_in(component: str) -> Measure:
    return lambda g: g[component]


def per_100(key: str) -> Measure:
    return lambda g: 100.0 * g[key] / g["trucks"]


def detection_rate(g: dict[str, Any]) -> float | None:
    return g["detected"] / g["noncompliant"] if g.get("noncompliant") else None


def paired(result: RunResult, group: str, measure: Measure) -> dict[str, Any] | None:
    """Measure minus baseline, paired over the replications in which both have trucks of `group`."""
    base_name, other_name = list(result.scenarios)
    pairs = []
    for base, other in zip(result.stats[base_name], result.stats[other_name]):
        b, o = base["groups"].get(group), other["groups"].get(group)
        if b and o and b.get("trucks") and o.get("trucks"):
            vb, vo = measure(b), measure(o)
            if vb is not None and vo is not None:
                pairs.append((vo, vb))
    if len(pairs) < 2:
        return None
    from .results.stats import paired_difference  # numpy: not for `--help` or `validate`

    return paired_difference([p[0] for p in pairs], [p[1] for p in pairs])


def change(d: dict[str, Any] | None, clear: str, unclear: str, less: str = "less", more: str = "more",
           unit: str = " h", digits: int = 1) -> str:
    """A sentence about a paired difference `d` (measure minus baseline).

    When its 95% CI excludes zero, `clear` with `{amount}` filled in ('5.2 h less') and the CI
    appended; otherwise `unclear` with the estimate and its CI appended, so an effect the
    replications cannot tell from zero is never reported as one.
    """
    if d is None:
        return f"{unclear} (too few replications to measure it)"
    mean, low, high = d["mean"], d["ci_low"], d["ci_high"]
    if d["significant"]:
        size, word = abs(mean), less if mean < 0 else more
        a, b = sorted((abs(low), abs(high)))
        return clear.format(amount=f"{size:.{digits}f}{unit} {word}") + f" (95% CI {a:.{digits}f}–{b:.{digits}f}{unit})"
    return f"{unclear} ({mean:+.{digits}f}{unit}, 95% CI {low:+.{digits}f} to {high:+.{digits}f}{unit})"


POINTS = " percentage points"  # the unit of a difference between two shares


def as_points(d: dict[str, Any]) -> dict[str, Any]:
    """A paired difference of shares in percentage points (for `change`)."""
    return {**d, **{k: 100 * d[k] for k in ("mean", "ci_low", "ci_high")}}


def points_change(d: dict[str, Any] | None, clear: str, unclear: str, less: str = "lower",
                  more: str = "higher") -> str:
    """`change` for a paired difference of shares: in percentage points, the unit said with the
    figure and with its CI (a bare "-8, 95% CI -16 to +1" leaves a reader to guess)."""
    return change(None if d is None else as_points(d), clear, unclear, less, more, unit=POINTS, digits=0)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 case`, `7 cases`: a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def journey_controls(scenario: Scenario, group: str) -> tuple[int, int]:
    """The fewest and the most controls a truck of `group` (a flow, a caravan, or every counted
    truck) passes on its route, counted from the routes as the model builds them."""
    from .scenario.network import build_graph, controls_at, resolve_route

    items = {**{name: f for name, f in scenario.traffic.items() if not f.background}, **scenario.caravans}
    chosen = list(items.values()) if group == ALL else [items[group]] if group in items else []
    if not chosen:
        return 0, 0
    graph = build_graph(scenario)
    routes = [resolve_route(graph, item.route, item.from_, item.to) for item in chosen]
    counts = [sum(len(controls_at(scenario, graph, route, i)) for i in range(len(route))) for route in routes]
    return min(counts), max(counts)


def journey(result: RunResult, group: str) -> str:
    """`over a journey of 8 controls` (`over journeys of 6 to 8 controls` where routes differ): what
    a rate per 100 trucks counts, since a truck is inspected, or not, at each control it passes."""
    spans = [journey_controls(s, group) for s in result.scenarios.values()]
    low, high = min(a for a, _ in spans), max(b for _, b in spans)
    if low == high:
        return f"over a journey of {counted(low, 'control')}"
    return f"over journeys of {low} to {high} controls"


def money_and_co2(result: RunResult, group: str) -> list[str]:
    """What the change costs or saves per truck of `group` in money and CO2 (the ledger), paired
    with the baseline; and, where the money clearly changed, a year at the flows' volume."""
    cost = paired(result, group, lambda g: g.get("cost_usd"))
    co2 = paired(result, group, lambda g: g.get("co2_kg"))
    if cost is None and co2 is None:
        return []
    lines = [change(cost, "In money (truck, driver, fuel, fees and the cargo's time), each truck cost {amount}",
                    "In money (truck, driver, fuel, fees and the cargo's time), the cost per truck did not clearly "
                    "change", unit=" US$", digits=0) + ".",
             change(co2, "CO2 from its fuel, driving and idling: {amount} a truck",
                    "The CO2 per truck did not clearly change", unit=" kg", digits=1) + "."]
    other = list(result.scenarios)[1]
    flows = ((result.summary_dict.get("comparison") or {}).get(other) or {}).get("flows", {})
    ledger = (flows.get(group) or {}).get("ledger") or {}
    year = ledger.get("per_year") or {}
    if year.get("cost_usd") and year.get("co2_kg") and year["cost_usd"]["significant"]:
        def scaled(d: dict[str, Any], factor: float) -> dict[str, Any]:
            return {**d, **{k: d[k] * factor for k in ("mean", "ci_low", "ci_high")}}

        sentence = change(scaled(year["cost_usd"], 1e-6), f"A year, at the {ledger['trucks_per_year']:,.0f} trucks "
                          "these flows carry: {amount}", "", unit=" million US$", digits=2)
        sentence += change(scaled(year["co2_kg"], 1e-3), ", and {amount} in CO2",
                           ", and a change in CO2 that is not clear", unit=" t", digits=0)
        lines.append(sentence + ".")
    return lines


def _footnote(result: RunResult) -> str:
    n = result.summary_dict.get("replications")
    over = counted(n, "replication") if isinstance(n, int) else f"{n} replications"
    return (f"Means over {over} of both scenarios on the same random numbers; the ranges are "
            "95% confidence intervals of the paired difference.")


# why a part of the journey can grow while a measure shortens the journey: the rule of the model
# that moves the time there (said only where that part clearly grew and the lead time clearly fell)
MOVED_BY = {
    "rest": "a wait at a border, a port or the ferry long enough for the driver's break or daily rest counts as one "
            "(AETR rules), so with shorter waits more of the rest is taken on the road",
}


def grown_parts(result: RunResult, group: str) -> list[str]:
    """A line for each part of the journey that clearly grew while the lead time clearly fell,
    with the model's rule that moved the time there where there is one: a bar that rises under a
    measure that saves time is the first thing a room asks about."""
    from .model.truck import COMPONENTS
    from .plots.style import COMPONENT_LABELS  # the names the plots give the components

    lead = paired(result, group, lambda g: g["lead_time_mean"])
    if not lead or not lead["significant"] or lead["mean"] >= 0:
        return []
    lines = []
    for component in COMPONENTS:
        d = paired(result, group, hours_in(component))
        if d and d["significant"] and d["mean"] > 0:
            label = COMPONENT_LABELS[component]
            reason = MOVED_BY.get(component)
            lines.append(change(d, f"{label[0].upper()}{label[1:]}: {{amount}} a truck", "")
                         + (f", although the journey is shorter: {reason}." if reason
                            else ", although the journey is shorter."))
    return lines


# --- takeaways ----------------------------------------------------------------------------------

AEO_FLOW = "westbound-aeo"      # the AEO demo's takeaway is about these trucks, and so are its plots
CARAVAN = "silk-road-caravan"   # the caravan demo's


def aeo_takeaway(result: RunResult) -> list[str]:
    border = paired(result, AEO_FLOW, border_hours)
    lead = paired(result, AEO_FLOW, lambda g: g["lead_time_mean"])
    others = paired(result, "westbound", border_hours)
    inspections = paired(result, AEO_FLOW, per_100("inspections"))
    lines = [change(border, "With mutual recognition and priority lanes, AEO trucks spent {amount} at the borders",
                    "With mutual recognition and priority lanes, AEO trucks' time at the borders did not clearly change"),
             change(lead, "Their Urumqi–Istanbul lead time was {amount}", "Their lead time did not clearly change",
                    "shorter", "longer") + "."]
    lines[0] += "."
    if inspections:
        lines.append(f"Physical inspections per 100 AEO trucks {journey(result, AEO_FLOW)}: "
                     f"{inspections['baseline_mean']:.1f} without recognition, {inspections['scenario_mean']:.1f} with it.")
    sentence = change(others, "Westbound trucks without AEO status spent {amount} at the borders",
                      "For westbound trucks without AEO status, the time at the borders did not clearly change")
    if others and others["significant"]:
        sentence += (": AEO trucks, in the background traffic too, need fewer checks, which frees the lanes"
                     if others["mean"] < 0 else ": AEO trucks go ahead of them in the queues")
    return lines + [sentence + ".", *grown_parts(result, AEO_FLOW), *money_and_co2(result, AEO_FLOW),
                    _footnote(result)]


def etir_takeaway(result: RunResult) -> list[str]:
    doc = paired(result, ALL, lambda g: g["document"])
    queue = paired(result, ALL, lambda g: g["queue"])
    lead = paired(result, ALL, lambda g: g["lead_time_mean"])
    lines = [change(doc, "With e-TIR instead of paper carnets, corridor trucks spent {amount} in document checks",
                    "With e-TIR instead of paper carnets, the time in document checks did not clearly change") + ".",
             change(queue, "They spent {amount} queueing", "The time queueing did not clearly change") + ".",
             change(lead, "Mean lead time: {amount}", "The mean lead time did not clearly change",
                    "shorter", "longer") + "."]
    if doc and queue and queue["mean"] < doc["mean"] < 0 and queue["significant"]:
        lines.append("Most of the saving is in the queues: quicker checks free the lanes for every truck behind.")
    return lines + [*grown_parts(result, ALL), *money_and_co2(result, ALL), _footnote(result)]


def risk_takeaway(result: RunResult) -> list[str]:
    inspections = paired(result, ALL, per_100("inspections"))
    caught = paired(result, ALL, detection_rate)
    lead = paired(result, ALL, lambda g: g["lead_time_mean"])
    lines = []
    if inspections:
        lines.append(f"Risk-based selection: {inspections['scenario_mean']:.1f} physical inspections per 100 trucks "
                     f"{journey(result, ALL)}, instead of {inspections['baseline_mean']:.1f} under blanket (random) "
                     "selection.")
    if caught:
        lines.append(points_change(caught, f"Share of non-compliant trucks caught: {caught['baseline_mean']:.0%} under "
                                           f"blanket selection, {caught['scenario_mean']:.0%} risk-based, {{amount}}",
                                   f"Share of non-compliant trucks caught: {caught['baseline_mean']:.0%} under blanket "
                                   f"selection, {caught['scenario_mean']:.0%} risk-based, not a clear difference")
                     + ".")
    lines.append(change(lead, "Mean lead time: {amount}", "The mean lead time did not clearly change",
                        "shorter", "longer") + ".")
    return lines + [*grown_parts(result, ALL), *money_and_co2(result, ALL), _footnote(result)]


def caravan_takeaway(result: RunResult) -> list[str]:
    group = CARAVAN
    scenario = next(iter(result.scenarios.values()))
    route = scenario.caravans[group].route or ()
    destination = (scenario.nodes[route[-1]].label or route[-1]) if route else "its destination"
    trucks = scenario.caravans[group].trucks
    lead = paired(result, group, lambda g: g["lead_time_mean"])
    border = paired(result, group, border_hours)
    return [change(lead, f"Pre-notified under e-TIR, the {trucks}-truck caravan reached {destination} {{amount}}",
                   f"Pre-notified under e-TIR, the {trucks}-truck caravan's lead time did not clearly change",
                   "sooner", "later") + ".",
            change(border, "It spent {amount} at the borders",
                   "Its time at the borders did not clearly change") + ".",
            *_largest_component(result, group),
            *grown_parts(result, group),
            "Both caravans travel as a convoy: each truck waits at every node until all of them have passed, "
            "so a caravan is slower than a lone truck on the same road.",
            "The time–distance chart (every replication: the median and their range) shows where: each flat "
            "stretch is a stop at a border, a port or the ferry.",
            *money_and_co2(result, group), _footnote(result)]


def _largest_component(result: RunResult, group: str) -> list[str]:
    """Where the change comes from: of the components that clearly changed, the one that changed most."""
    from .plots.style import COMPONENT_LABELS  # the names the plots give the components
    from .model.truck import COMPONENTS

    found = [(c, d) for c in COMPONENTS if (d := paired(result, group, hours_in(c))) and d["significant"]]
    if not found:
        return []
    component, d = max(found, key=lambda cd: abs(cd[1]["mean"]))
    return [change(d, f"The part of the journey that changed most clearly: {COMPONENT_LABELS[component]}, {{amount}}", "") + "."]


def share_of_noncompliant(key: str) -> Measure:
    """A replication's share of the non-compliant trucks counted under `key` (None without any)."""
    return lambda g: g[key] / g["noncompliant"] if g.get("noncompliant") else None


# where a violation ends: its count in a replication's statistics, and how the takeaway says it
WHERE_FOUND = (("detected", "found at a border"), ("audit_detected", "found in a post-clearance audit"),
               ("missed", "missed"))


def _violations(result: RunResult, group: str = ALL) -> str:
    """Where the violations went, baseline against measure: found at a border, in audit (only on
    the side that has a post-clearance audit: "0% in audit" without one is a category that does
    not exist), missed."""
    audits = [bool(s.post_clearance_audit) for s in result.scenarios.values()]
    keys = [k for k, _ in WHERE_FOUND if k != "audit_detected" or any(audits)]
    pairs = {k: paired(result, group, share_of_noncompliant(k)) for k in keys}
    shares = {k: d for k, d in pairs.items() if d is not None}
    if len(shares) < len(pairs):
        return "Too few non-compliant trucks were counted to say where their violations were found."

    def where(side: str, audited: bool) -> str:
        return ", ".join(f"{100 * shares[k][side]:.0f}% {words}" for k, words in WHERE_FOUND
                         if k in shares and (k != "audit_detected" or audited))

    return (f"Of the non-compliant trucks: {where('baseline_mean', audits[0])} before; "
            f"{where('scenario_mean', audits[-1])} with the measure. "
            + points_change(shares["missed"], "Share of violations missed: {amount}",
                            "Share of violations missed: not a clear difference") + ".")


def audit_hours(scenario: Scenario) -> str:
    """How long one audit takes an auditor on average (`4 h`, or `3–6 h` where countries differ)."""
    means = sorted({spec.duration.mean() for spec in scenario.post_clearance_audit.values()})
    if not means:
        return "an unknown time"
    return f"{means[0]:.3g} h" if len(means) == 1 else f"{means[0]:.3g}–{means[-1]:.3g} h"


def audit_found(result: RunResult) -> list[str]:
    """When the model's audits found violations, said with what the model's audit is: a desk check
    of the declaration, started when an auditor is free after the release. Its delay is hours,
    where a real post-clearance audit comes weeks or months later; the model counts which
    violations an audit finds, not when, and the sentence says so."""
    name, scenario = list(result.scenarios.items())[-1]
    trucks = result.trucks
    found = trucks[(trucks["scenario"] == name) & trucks["audit_detected"].astype(bool)]
    if not len(found):
        return []
    delay = float(found["audit_delay_h"].mean())
    when = f"{delay:.1f} h" if delay < 48 else f"{delay / 24:.1f} days"
    return [f"The model's post-clearance audit is a desk check of the truck's declaration ({audit_hours(scenario)} "
            "of an auditor's time on average), started as soon as an auditor is free after the release: it found "
            f"a violation {when} after the release on average ({counted(len(found), 'case')} over all replications), "
            "after the truck had left the border. Real audits come weeks or months after the release: the model "
            "counts which violations an audit finds, not when."]


def audit_takeaway(result: RunResult) -> list[str]:
    border = paired(result, ALL, border_hours)
    inspections = paired(result, ALL, per_100("inspections"))
    lines = [change(border, "Releasing low- and medium-risk selections for audit after clearance, corridor trucks "
                            "spent {amount} at the borders",
                    "Releasing low- and medium-risk selections for audit after clearance, the time at the borders "
                    "did not clearly change") + "."]
    if inspections:
        lines.append(f"Physical inspections per 100 trucks {journey(result, ALL)}: "
                     f"{inspections['baseline_mean']:.1f} before, {inspections['scenario_mean']:.1f} with audits.")
    lines.append(_violations(result))
    lines += audit_found(result)
    return lines + [*grown_parts(result, ALL), *money_and_co2(result, ALL), _footnote(result)]


def scanners_takeaway(result: RunResult) -> list[str]:
    inspections = paired(result, ALL, per_100("inspections"))
    hours = paired(result, ALL, lambda g: g["inspection"])
    caught = paired(result, ALL, detection_rate)
    lines = []
    if inspections:
        lines.append(f"With scanners before the bays, {inspections['scenario_mean']:.1f} physical inspections per 100 "
                     f"trucks {journey(result, ALL)}, instead of {inspections['baseline_mean']:.1f}: a scan that "
                     "shows nothing saves the bay.")
    lines.append(change(hours, "Corridor trucks spent {amount} in inspections, scans included",
                        "The time in inspections, scans included, did not clearly change") + ".")
    if caught:
        lines.append(points_change(caught, f"Share of non-compliant trucks caught: {caught['baseline_mean']:.0%} without "
                                           f"scanners, {caught['scenario_mean']:.0%} with them, {{amount}}",
                                   f"Share of non-compliant trucks caught: {caught['baseline_mean']:.0%} without "
                                   f"scanners, {caught['scenario_mean']:.0%} with them, not a clear difference")
                     + (": a scan misses some violations, and scans find none that the bay would not."
                        if caught["mean"] < 0 else "."))
    return lines + [*grown_parts(result, ALL), *money_and_co2(result, ALL), _footnote(result)]


def exchange_takeaway(result: RunResult) -> list[str]:
    doc = paired(result, ALL, lambda g: g["document"])
    border = paired(result, ALL, border_hours)
    lead = paired(result, ALL, lambda g: g["lead_time_mean"])
    return [change(doc, "With advance data from the neighbouring customs, corridor trucks spent {amount} in "
                        "document checks", "With advance data from the neighbouring customs, the time in document "
                                           "checks did not clearly change") + ".",
            change(border, "At the borders altogether: {amount}", "Their time at the borders did not clearly change") + ".",
            change(lead, "Mean lead time: {amount}", "The mean lead time did not clearly change", "shorter", "longer") + ".",
            _violations(result), *grown_parts(result, ALL), *money_and_co2(result, ALL), _footnote(result)]


DEMOS: dict[str, Demo] = {d.name: d for d in (
    Demo("aeo", "corridor.yaml", "aeo.yaml", "AEO mutual recognition on the Middle Corridor",
         "How much time do AEO trucks save when every corridor state recognises AEO status?", aeo_takeaway, AEO_FLOW),
    Demo("etir", "corridor.yaml", "etir.yaml", "e-TIR instead of paper TIR carnets",
         "How much time do corridor trucks save with e-TIR instead of paper TIR carnets?", etir_takeaway),
    Demo("risk", "blanket.yaml", "risk_based.yaml", "Risk-based instead of blanket inspection",
         "Do risk-based channels find more violations with fewer inspections than random selection?", risk_takeaway),
    Demo("caravan", "caravan.yaml", "caravan_prenotified.yaml", "A pre-notified e-TIR caravan against an unprepared one",
         "How much sooner does a 10-truck caravan arrive when it is pre-notified under e-TIR?", caravan_takeaway,
         CARAVAN),
    Demo("audit", "corridor.yaml", "audit.yaml", "Post-clearance audit instead of checks at the border",
         "What do releasing selections at the border and auditing them afterwards save, and what do they miss?",
         audit_takeaway),
    Demo("scanners", "corridor.yaml", "scanners.yaml", "Scanners before the inspection bays",
         "How many physical inspections and hours do scanners before the bays save, and what do they miss?",
         scanners_takeaway),
    Demo("exchange", "corridor.yaml", "exchange.yaml", "Advance information exchange between customs",
         "How much time does advance data from the neighbouring customs save, and does enforcement suffer?",
         exchange_takeaway),
)}


@dataclass
class DemoRun:
    """What a demo produced: the result, the takeaway sentences and where the files are."""

    demo: Demo
    result: RunResult
    takeaway: list[str]
    directory: Path


def get_demo(name: str) -> Demo:
    if name not in DEMOS:
        raise CorridorSimError(f"no demo {name!r}; demos: {', '.join(DEMOS)}")
    return DEMOS[name]


DEMO_FILE = "demo.json"


def saved_demo(directory: str | Path) -> dict[str, Any] | None:
    """The title, takeaway and focus flow a demo saved in its run directory (None for any other run)."""
    file = Path(directory) / DEMO_FILE
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data["takeaway"], list):
            raise TypeError(f"it holds a JSON {type(data).__name__}, not the object a demo writes")
        focus = data.get("focus")
        return {"title": str(data["title"]), "takeaway": [str(line) for line in data["takeaway"]],
                "focus": None if focus is None else str(focus)}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{file} is damaged ({exc}); rerun the demo") from None


def written_by(directory: str | Path) -> str | None:
    """The demo whose finished run `directory` holds: a run directory corridor-sim wrote (its
    marker, see results/ownership.py) with that demo's `demo.json`; None for anything else."""
    from .results.io import is_run_dir

    directory = Path(directory)
    if not is_run_dir(directory):
        return None
    try:
        data = json.loads((directory / DEMO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("demo") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name in DEMOS else None


def replaces_own_run(directory: str | Path, name: str) -> bool:
    """`directory` holds a finished run of demo `name` and no interrupted run beside it: the demo
    may replace it without --force (an interrupted run, whatever wrote it, still needs --force)."""
    from .results.paths import partial_path

    return written_by(directory) == name and not partial_path(Path(directory)).exists()


def with_settings(takeaway: list[str], overrides: Sequence[str]) -> list[str]:
    """The takeaway with, before its footnote, the `--set` values both scenarios ran with: a
    figure of a changed demo must not read as the bundled demo's."""
    if not overrides:
        return takeaway
    return [*takeaway[:-1], f"Both scenarios were run with --set {', '.join(overrides)}.", *takeaway[-1:]]


def run_demo(name: str, directory: str | Path | None = None, replications: int | None = None,
             workers: int = 1, force: bool = False, progress: Progress | None = None,
             plots: bool = True, overrides: Sequence[str] = (), plot_formats: Sequence[str] = ("png",),
             dpi: int | None = None) -> DemoRun:
    """Run demo `name` into `directory` (default `results/demo-<name>`): tables, plots (in
    `plot_formats`, at `dpi`, None: the style's), report.html.

    `overrides` (`PATH=VALUE`, as `run --set`) change both scenarios. An earlier run of the same
    demo in `directory` is replaced without `force` (a demo is rerun, never resumed); anything
    else there needs `force`, and what corridor-sim did not write is never replaced."""
    from .experiment import Output, compare

    demo = get_demo(name)
    target = Path(directory) if directory else Path("results") / f"demo-{name}"
    baseline, measure = demo.scenarios(overrides)
    force = force or replaces_own_run(target, name)
    takeaway: list[str] = []

    def extras(result: RunResult, tmp: Path) -> None:
        from .results.io import dump_json  # pandas: only once there is something to write

        takeaway[:] = with_settings(demo.takeaway(result), overrides)
        # kept with the run, so `corridor-sim plot DIR` redraws the report with its takeaway
        dump_json({"demo": demo.name, "title": f"Demo: {demo.title}", "takeaway": takeaway, "focus": demo.focus,
                   "set": list(overrides)}, tmp / DEMO_FILE)
        if plots:
            from .plots import render_plots, with_cached_tables, write_plots
            from .report import write_report

            result = with_cached_tables(result)
            figures = render_plots(result, flow=demo.focus)
            write_plots(result, tmp / "plots", plot_formats, figures=figures, dpi=dpi)
            write_report(result, tmp, takeaway=takeaway, title=f"Demo: {demo.title}", figures=figures, flow=demo.focus)

    result = compare(baseline, [measure], replications, workers=workers, progress=progress,
                     output=Output(target, force=force, extra_files=extras, resumable=False))
    return DemoRun(demo, result, takeaway, target)
