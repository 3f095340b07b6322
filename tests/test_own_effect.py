"""A measure's own effect apart from its fleet effect (`compare --own-effect`)."""
from __future__ import annotations

import corridor_sim
from corridor_sim.results.stats import paired_difference
from corridor_sim.own_effect import own_effect_variant, with_own_effects
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny


def base_data() -> dict:
    """A one-lane post shared by a headline flow and a larger background flow, both paper TIR
    (45-minute checks); e-TIR takes 6 minutes."""
    return merge(tiny(), {
        "clock": {"start": "2026-01-05T00:00", "horizon": "12d", "warmup": "2d"},
        "customs": {"default": {"document": {"paper_tir": "45min", "etir": "6min"},
                                "document_error": {"paper_tir": 0, "etir": 0},
                                "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"post": {"lanes": 1}},
        "traffic": {"main": {"per_day": 8},
                    "local": {"route": ["origin", "post", "destination"], "per_day": 20, "background": True}},
    })


def etir_for_all(data: dict) -> dict:
    return merge(data, {"name": "etir", "traffic": {"main": {"regime": {"etir": 1}}, "local": {"regime": {"etir": 1}}}})


def test_the_variant_keeps_the_background_as_the_baseline_has_it():
    base = build_scenario(base_data())
    measure = build_scenario(etir_for_all(base_data()))
    own = own_effect_variant(base, measure)
    assert own is not None and own.name == "etir-own"
    assert own.traffic["main"].regime == {"etir": 1.0}            # the headline flow adopts it
    assert own.traffic["local"].regime == base.traffic["local"].regime  # the background does not
    # a measure that leaves the background alone has no fleet effect to part
    headline_only = build_scenario(merge(base_data(), {"name": "mine", "traffic": {"main": {"regime": {"etir": 1}}}}))
    assert own_effect_variant(base, headline_only) is None
    assert [s.name for s in with_own_effects([base, measure, headline_only])] == ["tiny", "etir", "etir-own", "mine"]


def test_adopting_alone_saves_less_than_when_everyone_adopts():
    # utilisation at the post: 28 a day x 45 min = 0.875 before; everyone on e-TIR: 0.12; only the
    # headline: 0.70. The headline trucks save their own 39 minutes of checking either way, and
    # most of their queue only when the background adopts too
    base = build_scenario(base_data())
    measure = build_scenario(etir_for_all(base_data()))
    result = corridor_sim.compare(base, [measure], replications=6, own_effect=True)
    comparison = result.summary_dict["comparison"]
    own = comparison["etir-own"]["flows"]["main"]["lead_time_h"]
    assert own["ci_high"] < -0.6  # more than the 0.65 h of its own check: its queue shrinks too
    # the fleet effect, paired replication by replication: the whole fleet saves more
    def means(name: str) -> list[float]:
        return [rep["groups"]["main"]["lead_time_mean"] for rep in result.stats[name]]

    fleet = paired_difference(means("etir"), means("etir-own"))
    assert fleet["ci_high"] < 0, fleet
