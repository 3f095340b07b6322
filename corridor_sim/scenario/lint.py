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


def _set_keys(spec) -> list[str]:
    keys = [k for k in spec.model_fields_set if k not in ("exit", "entry") and getattr(spec, k) is not None]
    for side in ("exit", "entry"):
        sub = getattr(spec, side)
        if sub is not None:
            keys += [f"{side}.{k}" for k in sub.model_fields_set if getattr(sub, k) is not None]
    return keys
