"""Settings that validate but do nothing: said once, before a run, so no result hides them."""
from __future__ import annotations

from .schema import Scenario


def scenario_warnings(scenario: Scenario) -> list[str]:
    """One sentence per setting the model will not use as written."""
    out = []
    if not any(scenario.policy(c).recognises_aeo for c in scenario.countries):
        aeo = [name for name, f in scenario.traffic.items() if f.aeo > 0]
        aeo += [name for name, c in scenario.caravans.items() if c.aeo]
        if aeo:
            named = ", ".join(aeo[:3]) + (f" and {len(aeo) - 3} more" if len(aeo) > 3 else "")
            out.append(f"the AEO trucks of {named} are treated like any other: no country recognises AEO "
                       f"(set customs.<country>.recognises_aeo: true)")
    for name, node in scenario.nodes.items():
        if node.joint_control:
            ignored = sorted({key for spec in node.controls.values() for key in _set_keys(spec)})
            if ignored:
                out.append(f"nodes.{name}.controls ({', '.join(ignored)}) are not used: a joint control takes "
                           f"the node's own settings (nodes.{name}.lanes, hours, ...)")
    return out


def comparison_warnings(baseline: Scenario, others: list[Scenario]) -> list[str]:
    """Scenarios whose paired differences with the baseline would not mean what they seem."""
    out = []
    groups = set(baseline.traffic) | set(baseline.caravans)
    clock = baseline.clock
    for s in others:
        if not groups & (set(s.traffic) | set(s.caravans)):
            out.append(f"{s.name} shares no flow or caravan with the baseline {baseline.name}: common random numbers "
                       f"pair trucks by flow name and index, so its paired differences compare different traffic")
        if (s.clock.start, s.clock.horizon, s.clock.warmup) != (clock.start, clock.horizon, clock.warmup):
            out.append(f"{s.name} is simulated over other dates than the baseline {baseline.name} (start "
                       f"{s.clock.start:%Y-%m-%d %H:%M}, {s.clock.horizon / 24:g} days against {clock.start:%Y-%m-%d %H:%M}, "
                       f"{clock.horizon / 24:g} days): its differences mix the measure with the calendar")
    return out


def _set_keys(spec) -> list[str]:
    keys = [k for k in spec.model_fields_set if k not in ("exit", "entry") and getattr(spec, k) is not None]
    for side in ("exit", "entry"):
        sub = getattr(spec, side)
        if sub is not None:
            keys += [f"{side}.{k}" for k in sub.model_fields_set if getattr(sub, k) is not None]
    return keys
