"""A measure's own effect apart from its fleet effect.

When a measure changes the background traffic too (e-TIR for everyone frees lane time for all),
part of what the headline trucks save comes from the others adopting it. The *own-effect*
variant of a measure keeps every background flow as the baseline has it, so comparing it with
the baseline says what a trader gets by adopting the measure alone; the rest of the measure's
saving is the fleet effect.
"""
from __future__ import annotations

from .scenario.loader import build_scenario
from .scenario.schema import Scenario

SUFFIX = "-own"


def own_effect_variant(baseline: Scenario, measure: Scenario) -> Scenario | None:
    """`measure` with each background flow the baseline also has put back as the baseline has
    it; None when the measure leaves every such flow as it is (there is no fleet effect to part)."""
    data = measure.raw
    base_traffic = baseline.raw.get("traffic") or {}
    traffic = dict(data.get("traffic") or {})
    changed = [name for name, flow in traffic.items()
               if measure.traffic[name].background and name in base_traffic and base_traffic[name] != flow]
    if not changed:
        return None
    for name in changed:
        traffic[name] = base_traffic[name]
    description = (f"{measure.name} adopted by the headline flows only: background flows "
                   f"{', '.join(changed)} as in {baseline.name}")
    return build_scenario({**data, "traffic": traffic, "name": measure.name + SUFFIX, "description": description})


def with_own_effects(scenarios: list[Scenario]) -> list[Scenario]:
    """The baseline, then each measure followed by its own-effect variant where it has one."""
    baseline, *measures = scenarios
    out = [baseline]
    for measure in measures:
        out.append(measure)
        variant = own_effect_variant(baseline, measure)
        if variant is not None:
            out.append(variant)
    return out
