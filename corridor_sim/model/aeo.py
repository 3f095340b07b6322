"""AEO status and its mutual recognition (`customs.<country>.recognises_aeo`).

A country that recognises the AEO status of a truck's operator selects it for checks at
`aeo_factor` times the rates of its risk class (the same channel draw, so a recognised AEO truck
is never checked when the same truck without the status would not be), and, with
`aeo_priority_lane`, lets it go first in the lane, bay and scanner queues of its controls and in
the ferry queue at its ports. Who holds the status is drawn with the truck (`traffic.<flow>.aeo`),
so this measure takes no draws of its own.
"""
from __future__ import annotations

from .measure import Measure
from .priority import give_priority


class AeoMeasure(Measure):
    def wire(self, world, control, authorities: list, key) -> None:
        for authority in authorities:
            policy = authority.policy
            if policy.recognises_aeo:
                authority.scale_aeo_thresholds(policy.aeo_factor)
                if policy.aeo_priority_lane:
                    give_priority(control.first, aeo=True)

    def features(self, control) -> set[str]:
        found = set()
        for authority in control.authorities:
            if authority.policy.recognises_aeo:
                found.add("aeo_recognition")
                if authority.policy.aeo_priority_lane:
                    found.add("priority_classes")
        return found

    def wire_ferry(self, world, ferry) -> None:
        for side in ferry.sides:
            policy = world.scenario.policy(world.scenario.nodes[side.port].country)
            if policy.recognises_aeo and policy.aeo_priority_lane:
                give_priority(side.first, aeo=True)
