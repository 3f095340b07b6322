"""What in a world changes a truck's times, and which engine may run it.

Every setting, hook and step that changes when a truck leaves a control is a named feature
(`FEATURES`). A world computes its features once, when it is built: those of each control (from
its settings, from the hooks set on it, and from what each measure declares there) and those of
the world as a whole. Each engine declares the features it supports (`ENGINES`); `choose` picks
the fastest engine that covers them. The list is an allow-list: a feature that no fast engine
names, a name that is not registered, or a measure that declares nothing (`Measure.features`
returns None) leaves the world, or the control, to the reference engine, SimPy's pools, which
is the specification. What is new is correct and slow until a fast engine declares it and the
equivalence tests (tests/test_engines.py) prove it, never fast and wrong.

The engines, fastest first:

- `columns` (`columns.py`): the whole world at once, control by control, in numpy columns;
- `fifo` (`fifo.py`, `classed.py`, `batch.py`): controls served first come, first served, a
  truck's start known when it arrives, or by class where some trucks go first, each start made
  when the clock gets there; background flows that pass only such controls go outside the event
  loop; the rest (counted trucks, ferries, caravans, controls it does not cover) on SimPy;
- `reference`: every truck event by event on SimPy, every control by its pools.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SimulationError

# name -> what it is; a feature is at a control unless it says "(world)"
FEATURES: dict[str, str] = {
    "opening_hours": "the control keeps hours or holidays: trucks wait for it to open",
    "daily_cap": "a daily cap on the trucks admitted (an e-queue)",
    "coupling": "a bcp's exit side hands trucks to its entry side (a neutral zone, or none)",
    "handling": "physical handling of every truck in the lane",
    "shifts": "the number of lanes working changes with the hour (shifts)",
    "outages": "lanes go out of service (dated or random outages)",
    "pull_aside": "error correction or yellow checks done with the truck parked aside",
    "joint_control": "two countries' officers at one stop combine their verdicts",
    "aeo_recognition": "recognised AEO trucks are selected at lower rates (the verdict's tables)",
    "preclearing": "advance data pre-clear a share of yellow checks (the verdict's tables)",
    "classed_opening_hours": "the control keeps hours where lanes are taken in order of time, not of arrival "
                             "(priority classes, an exchange's verdict)",
    "priority_classes": "some trucks go first in the queues (AEO or green lanes by regime)",
    "caravan_stop": "a caravan passes the control (its trucks arrive together; pre-notified, they go first: "
                    "priority_classes)",
    "scanners": "trucks are screened by scanners between the lanes and the bays",
    "classed_scanners": "the control's own scanners where lanes and bays are taken in order of time, not of "
                        "arrival (priority classes, an exchange's verdict)",
    "shared_scanners": "one scanner site between a country's exit and entry lanes at a node (both directions)",
    "release_hook": "a measure is told of each release, and has not said what it is",
    "verdict_adjuster": "a measure changes the verdict, and has not said what it is",
    "exchange_release": "the exporting side of an information exchange records each release (who, when, "
                        "whether inspected and found compliant, a violation found raises an alert)",
    "exchange_verdict": "the importing side's verdict reads what the exporting side sent (alerts in force, "
                        "recognition of its results, pre-arrival data)",
    "release_to_audit": "selections released at the border to a post-clearance audit, dated when the officers "
                        "start on the truck",
    "before_lane": "a measure holds trucks before the lane, and has not said what it is",
    "road_permits": "a truck registered in a country with a quota of permits here takes one, or waits for a "
                    "later period's",
    "shared_road_permits": "a quota's permits are also taken at another control (requests at both in order of "
                           "time)",
    "road_permits_with_hours": "a truck that waited for a permit may find the control closed",
    "classed_road_permits": "road permits where lanes are taken in order of time, not of arrival",
    "ferries": "(world) Caspian ferries: sailings, boarding, storms",
    "caravans": "(world) caravans of trucks, with a convoy that gathers",
    "traces": "(world) every truck keeps a trace of its journey",
    "runs_on": "(world) a flow runs on after the horizon while counted trucks are due at a ferry link it sails "
               "(or, a background flow, at one of its controls)",
    "crossing_routes": "(world) routes that pass a control twice, or controls in both orders",
}

# the features of the verdict and the lanes that the first-come first-served solver works out
FIFO_CONTROL = frozenset({"opening_hours", "road_permits", "handling", "shifts", "outages", "pull_aside", "joint_control", "aeo_recognition",
                          "preclearing", "release_to_audit", "caravan_stop", "scanners", "priority_classes",
                          "exchange_release", "exchange_verdict"})
# features the batch works out one truck at a time as each takes its lane (batch.Stop), not ahead in
# columns: a verdict that reads when the officers start on the truck (a release to audit is dated
# then), a truck that may go on to the scanners
ONE_BY_ONE = frozenset({"release_to_audit", "scanners", "exchange_verdict"})
# features whose lanes and bays are taken in order of time, each start made when the clock gets
# there (classed.py): some trucks go first; a verdict reads what the other trucks met up to its start
CLASSED = frozenset({"priority_classes", "exchange_verdict"})


@dataclass(frozen=True)
class Engine:
    """An engine and the features it supports at a control and in the world."""

    name: str
    control: frozenset[str]
    world: frozenset[str]
    partial: bool = False  # it leaves a control it does not cover to the pools, the rest of the world its own


REFERENCE = Engine("reference", frozenset(FEATURES), frozenset(FEATURES))
FIFO = Engine("fifo", FIFO_CONTROL,
              frozenset({"ferries", "caravans", "traces", "runs_on", "crossing_routes"}), partial=True)
COLUMNS = Engine("columns", FIFO_CONTROL - {"opening_hours", "road_permits", "joint_control", "caravan_stop", "exchange_release"}
                 - CLASSED - ONE_BY_ONE,
                 frozenset())
ENGINES = {engine.name: engine for engine in (COLUMNS, FIFO, REFERENCE)}  # fastest first
CHOICES = ("auto", *ENGINES)
ASKED = "asked for the reference engine"  # the reason given when it was


class EngineError(SimulationError):
    """An engine was asked to run what it does not support."""


@dataclass
class Features:
    """A world's features: at each control (by name) and in the world as a whole."""

    controls: dict[str, frozenset[str]]
    world: frozenset[str]

    def unsupported(self, engine: Engine) -> dict[str, list[str]]:
        """What `engine` lacks, by place (`world` or a control's name): empty when it covers all."""
        lacks = {name: sorted(f - engine.control) for name, f in self.controls.items() if f - engine.control}
        if self.world - engine.world:
            lacks = {"world": sorted(self.world - engine.world), **lacks}
        return lacks


@dataclass
class Choice:
    """The engine that runs a world, the controls it serves first come first served, and what
    kept the rest on the reference engine (by place: `world` or a control's name)."""

    engine: str
    fifo: frozenset[str]
    reasons: dict[str, list[str]] = field(default_factory=dict)


def choose(features: Features, wanted: str = "auto") -> Choice:
    """The fastest engine that covers `features` (`wanted`: that engine, or an EngineError naming
    what it lacks; `auto`: the fastest that can run the world)."""
    if wanted not in CHOICES:
        raise EngineError(f"unknown engine {wanted!r}; expected one of {', '.join(CHOICES)}")
    every = frozenset(features.controls)
    if wanted == "reference":
        return Choice("reference", frozenset(), {"world": [ASKED]})
    if wanted != "auto":
        engine = ENGINES[wanted]
        lacks = features.unsupported(engine)
        if lacks:
            raise EngineError(f"the {wanted} engine does not support {describe(lacks)}")
        return Choice(wanted, every)
    if not features.unsupported(COLUMNS):
        return Choice("columns", every)
    lacks = features.unsupported(FIFO)
    if "world" in lacks:
        return Choice("reference", frozenset(), lacks)
    served = every - set(lacks)
    return Choice("fifo" if served else "reference", served, lacks)


def describe(lacks: dict[str, list[str]]) -> str:
    """`lacks` in one line: 'world: ferries; khorgos KZ entry: opening_hours, daily_cap'."""
    return "; ".join(f"{place}: {', '.join(names)}" for place, names in lacks.items())


def control_features(control: Any, declared: set[str]) -> frozenset[str]:
    """A control's features: its settings, the hooks set on it, and what the measures declared."""
    found = set(declared)
    if not control.calendar.always_open:
        found.add("opening_hours")
    if control.admission is not None:
        found.add("daily_cap")
    if control.onward is not None or control.handed:
        found.add("coupling")
    if control.handling is not None:
        found.add("handling")
    if control.shifts:
        found.add("shifts")
    if control.outages:
        found.add("outages")
    if control.aside_checks:
        found.add("pull_aside")
    if control.single is None:
        found.add("joint_control")
    # a hook set by anyone is a feature, whether or not its measure declared it
    hooks = {"priority_classes": any(any(row) for row in control.first), "scanners": control.screen is not None,
             # an adjuster set other than through `add_adjuster`, which names it
             "verdict_adjuster": any(a.adjust is not None and not a.adjusting for a in control.authorities)}
    found.update(name for name, present in hooks.items() if present)
    if control.before_lane is not None:  # set by `set_before_lane`, which names it, or by anyone
        gate = control.before_lane_feature
        found.add(gate[1] if gate is not None and gate[0] is control.before_lane else "before_lane")
    if control.on_release is not None:  # set by `set_on_release`, which names it, or by anyone
        told = control.release_feature
        found.add(told[1] if told is not None and told[0] is control.on_release else "release_hook")
    for authority in control.authorities:
        found.update(authority.adjusting)
    if found & CLASSED and "scanners" in found:
        found.add("classed_scanners")
    if found & CLASSED and "opening_hours" in found:
        found.add("classed_opening_hours")
    if "road_permits" in found and "opening_hours" in found:
        found.add("road_permits_with_hours")
    if "road_permits" in found and found & CLASSED:
        found.add("classed_road_permits")
    return frozenset(found)
