"""Settings that validate but do nothing: said once, before a run, so no result hides them."""
from __future__ import annotations

import types
import typing
from typing import Any, Iterator

from pydantic import BaseModel

from .dists import DIST_KEYS
from .hours import parse_hours
from .problems import format_path
from .schema import CONTROL_SETTINGS, MINUTES_SCALE, Node, Scenario
from .units import bare_number
from .warning_codes import coded, unacknowledged

WEEK = 168.0
# customs keys whose values merge over the default by regime (1 level) or by risk class and field (2)
CUSTOMS_DEPTH = {"document": 1, "document_error": 1, "channels": 2}


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One sentence per setting the model will not use as written, each ending in its code;
    those the scenario acknowledges (`acknowledge:`) are left out."""
    out = []
    if not any(scenario.policy(c).recognises_aeo for c in scenario.countries):
        aeo = [name for name, f in scenario.traffic.items() if f.aeo > 0]
        aeo += [name for name, c in scenario.caravans.items() if c.aeo]
        if aeo:
            named = ", ".join(aeo[:3]) + (f" and {len(aeo) - 3} more" if len(aeo) > 3 else "")
            out.append(coded("aeo-not-recognised", f"the AEO trucks of {named} are treated like any other: no country "
                                                   f"recognises AEO (set customs.<country>.recognises_aeo: true)"))
    for name, node in scenario.nodes.items():
        if node.joint_control:
            ignored = sorted({key for spec in node.controls.values() for key in _set_keys(spec)})
            if ignored:
                out.append(coded("joint-control-ignores-controls",
                                 f"nodes.{name}.controls ({', '.join(ignored)}) are not used: a joint control takes "
                                 f"the node's own settings (nodes.{name}.lanes, hours, ...)"))
    return unacknowledged(out + bare_hours_warnings(scenario) + shadowed_warnings(scenario), scenario.acknowledge)


# who sets numbers that are hours by construction (a range has no unit, a search draws floats)
COMPUTED = ("--vary", "--fit", "assumptions")


def bare_hours_warnings(scenario: Scenario) -> list[str]:
    """One sentence per service time (a setting the schema marks `MINUTES_SCALE`: a document
    check, an inspection, a scan) written as a bare number, which is read as hours, where minutes
    are the usual scale: `document: {paper_tir: 30}` is 30 hours. In the files and `--set`; not
    the numbers a `--vary`, a fit or an assumption puts there, which are hours by construction."""
    out = []
    for path, numbers in _bare_service_times(Scenario, scenario.raw, ()):
        if _origin(scenario, path) in COMPUTED:
            continue
        shown = [f"{n:g}" for n in numbers]
        where = format_path(path)
        if len(shown) == 1:
            n = shown[0]
            text = f"{where}: {n} is read as {n} hours; write {n}h, or {n}min if minutes were meant"
        elif len(shown) <= 3:
            text = (f"{where}: {_and(shown)} are read as hours; write {_and([n + 'h' for n in shown])}, "
                    f"or {_and([n + 'min' for n in shown])} if minutes were meant")
        else:
            n = shown[0]
            text = (f"{where}: {len(shown)} numbers without a unit ({n} to {max(numbers):g}) are read as hours; "
                    f"write each with its unit: {n}h, or {n}min if minutes were meant")
        out.append(coded("service-time-in-hours", text))
    return out


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _types(annotation: Any, marked: bool = False) -> list[tuple[Any, bool]]:
    """The types an annotation allows (Optional, Union and Annotated unwrapped), each with whether
    it carries the `MINUTES_SCALE` mark."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return _types(base, marked or any(m is MINUTES_SCALE for m in metadata))
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) if arg is not type(None) for t in _types(arg, marked)]
    return [(annotation, marked)]


def _bare_service_times(annotation: Any, data: Any, path: tuple, marked: bool = False
                        ) -> Iterator[tuple[tuple, list[float]]]:
    """(YAML path, its bare numbers) of each marked setting in `data`, walked with its model."""
    allowed = _types(annotation, marked)
    if any(m for _, m in allowed):
        numbers = _bare_numbers(data)
        if numbers:
            yield path, numbers
        return
    for kind, _ in allowed:
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if isinstance(data, dict):
                for name, field in kind.model_fields.items():
                    key = field.alias or name
                    if key in data:
                        mark = any(m is MINUTES_SCALE for m in field.metadata)
                        yield from _bare_service_times(field.annotation, data[key], (*path, key), mark)
            return
        origin = typing.get_origin(kind)
        if origin is dict and isinstance(data, dict):
            for key, value in data.items():
                yield from _bare_service_times(typing.get_args(kind)[1], value, (*path, key))
            return
        if origin is tuple and isinstance(data, list):
            for i, value in enumerate(data):
                yield from _bare_service_times(typing.get_args(kind)[0], value, (*path, i))
            return


def _bare_numbers(value: Any) -> list[float]:
    """The durations of a scalar or a `{dist: ...}` mapping written without a unit (0 apart:
    zero hours and zero minutes are the same)."""
    items = [value]
    if isinstance(value, dict):
        kind = value.get("dist")
        keys = [k for k in DIST_KEYS.get(kind, ()) if k != "cv"] if isinstance(kind, str) else []
        items = [item for k in keys
                 for item in (value[k] if k == "values" and isinstance(value.get(k), list) else [value.get(k)])]
    return [n for n in map(bare_number, items) if n]


def _origin(scenario: Scenario, path: tuple) -> str | None:
    """Who set the value at `path` over the base file (the last to set it or a mapping around
    it), or None: the base file."""
    parts = tuple(map(str, path))
    found = None
    for leaf, origin in scenario.set_by:
        size = min(len(leaf), len(parts))
        if tuple(leaf[:size]) == parts[:size]:
            found = origin
    return found


def shadowed_warnings(scenario: Scenario) -> list[str]:
    """One sentence per value set over the base file (overlay, `--set`, `--vary`) that a more
    specific setting hides at some or all of the controls or countries it would apply to: a
    node's `lanes` under each country's own, a country's under its `exit:`/`entry:`, `lanes`
    under shifts that cover the week, `customs.default` under a country's. Both paths are named."""
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    written: dict[str, set[str]] = {}
    for parts, origin in scenario.set_by:
        written.setdefault(origin, set()).add(".".join(parts))
    for parts, origin in scenario.set_by:
        if parts in seen:
            continue
        seen.add(parts)
        hidden, used = _hidden(scenario, parts)
        # a setting hidden by one its own origin wrote too is meant so (an overlay setting both)
        meant = [place for place, by in hidden.items() if any(w == by or w.startswith(by + ".") for w in written[origin])]
        used += meant
        hidden = {place: by for place, by in hidden.items() if place not in meant}
        if not hidden:
            continue
        path = ".".join(parts)
        by = sorted(set(hidden.values()))
        where = ", ".join(hidden)
        overrides = ", ".join(by[:-1]) + " and " * (len(by) > 1) + by[-1]
        verb = "overrides" if len(by) == 1 else "override"
        if used:
            out.append(coded("setting-hidden", f"{origin} {path} is not used at {where}: {overrides} {verb} it there"))
        else:
            out.append(coded("setting-hidden", f"{origin} {path} changes nothing: {overrides} {verb} it wherever it "
                                               f"would apply ({where}); set {'that' if len(by) == 1 else 'those'} instead"))
    return out


def _hidden(scenario: Scenario, parts: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Where the value at `parts` is hidden ({place: the path that hides it there}) and where it is used."""
    if len(parts) >= 3 and parts[0] == "customs" and parts[1] == "default":
        return _hidden_customs(scenario, parts[2:])
    if len(parts) < 3 or parts[0] != "nodes" or parts[1] not in scenario.nodes:
        return {}, []
    name, rest = parts[1], parts[2:]
    node = scenario.nodes[name]
    if node.kind == "terminal" or node.joint_control:
        return {}, []  # a terminal has no control; a joint control takes the node's settings (its own warning)
    if rest[0] in CONTROL_SETTINGS:
        country, direction, key = None, None, rest[0]
    elif rest[0] == "controls" and len(rest) >= 3 and rest[2] in CONTROL_SETTINGS:
        country, direction, key = rest[1], None, rest[2]
    elif rest[0] == "controls" and len(rest) >= 4 and rest[2] in ("exit", "entry") and rest[3] in CONTROL_SETTINGS:
        country, direction, key = rest[1], rest[2], rest[3]
    else:
        return {}, []
    hidden: dict[str, str] = {}
    used: list[str] = []
    for c in ([country] if country else node.countries):
        for d in ([direction] if direction else ("exit", "entry")):
            by = _hider(name, node, c, d, key, 2 if direction else 1 if country else 0)
            place = f"{name} {c} {d}"
            if by:
                hidden[place] = by
            else:
                used.append(place)
    return hidden, used


def _hider(name: str, node: Node, country: str, direction: str, key: str, level: int) -> str | None:
    """The path of the setting that takes the place of `key` set at `level` (0 the node, 1 the
    country, 2 its direction) at one control, or None when the control uses it."""
    spec = node.controls.get(country)
    side = getattr(spec, direction) if spec is not None else None
    if level < 2 and side is not None and getattr(side, key) is not None:
        return f"nodes.{name}.controls.{country}.{direction}.{key}"
    if level < 1 and spec is not None and getattr(spec, key) is not None:
        return f"nodes.{name}.controls.{country}.{key}"
    if key == "lanes":  # lanes count only outside every shift
        for path, shifts in ((f"nodes.{name}.controls.{country}.{direction}.shifts", side and side.shifts),
                             (f"nodes.{name}.controls.{country}.shifts", spec and spec.shifts),
                             (f"nodes.{name}.shifts", node.shifts)):
            if shifts:
                return path if _whole_week(list(shifts)) else None
    return None


def _whole_week(texts: list[str]) -> bool:
    """Whether opening-hours texts together cover every hour of the week."""
    reach = 0.0
    for a, b in sorted(i for t in texts for i in parse_hours(t).intervals):
        if a > reach:
            return False
        reach = max(reach, b)
    return reach >= WEEK


def _hidden_customs(scenario: Scenario, rest: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """A `customs.default` value: hidden in each country whose own customs set the same key
    (for keys that merge, the same regime, or risk class and field)."""
    prefix = rest[:1 + CUSTOMS_DEPTH.get(rest[0], 0)]
    customs = scenario.raw.get("customs") or {}
    hidden: dict[str, str] = {}
    used: list[str] = []
    for country in scenario.countries:
        value = customs.get(country)
        for part in prefix:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            hidden[country] = ".".join(("customs", country, *prefix))
        else:
            used.append(country)
    return hidden, used


def comparison_warnings(baseline: Scenario, others: list[Scenario]) -> list[str]:
    """Scenarios whose paired differences with the baseline would not mean what they seem (unless
    the scenario acknowledges the code)."""
    out = []
    groups = set(baseline.traffic) | set(baseline.caravans)
    clock = baseline.clock
    for s in others:
        found = []
        if not groups & (set(s.traffic) | set(s.caravans)):
            found.append(coded("no-shared-flow", f"{s.name} shares no flow or caravan with the baseline {baseline.name}: "
                                                 f"common random numbers pair trucks by flow name and index, so its "
                                                 f"paired differences compare different traffic"))
        if (s.clock.start, s.clock.horizon, s.clock.warmup) != (clock.start, clock.horizon, clock.warmup):
            found.append(coded("other-dates", f"{s.name} is simulated over other dates than the baseline {baseline.name} "
                                              f"(start {s.clock.start:%Y-%m-%d %H:%M}, {s.clock.horizon / 24:g} days against "
                                              f"{clock.start:%Y-%m-%d %H:%M}, {clock.horizon / 24:g} days): its differences "
                                              f"mix the measure with the calendar"))
        out += unacknowledged(found, s.acknowledge)
    return out


def _set_keys(spec) -> list[str]:
    keys = [k for k in spec.model_fields_set if k not in ("exit", "entry") and getattr(spec, k) is not None]
    for side in ("exit", "entry"):
        sub = getattr(spec, side)
        if sub is not None:
            keys += [f"{side}.{k}" for k in sub.model_fields_set if getattr(sub, k) is not None]
    return keys
