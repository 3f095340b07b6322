"""Post-clearance audit: the audit office is an M/M/c queue when audits come as a Poisson stream,
its FIFO recursion matches a case worked by hand, released trucks skip the border check and
nothing else changes, and the scenario checks name the bad key."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from corridor_sim.errors import ScenarioError
from corridor_sim.model import simulate
from corridor_sim.model.audit import AuditOffice
from corridor_sim.results.replication import replication_stats
from corridor_sim.results.summary import scenario_summary
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import PostClearanceAudit, REGIMES

from conftest import tiny
from test_analytic import assert_theory, erlang_c

NONE = {r: 0 for r in REGIMES}


def audited_world(per_day: float, auditors: int, mean_audit_h: float, days: int, detection: float = 0.5) -> dict:
    """Every truck non-compliant and selected red at BB's entry, every selection released and
    audited; no time at the border (many lanes, no document time), so audits come as the
    departures do: a Poisson stream."""
    return merge(tiny(), {
        "clock": {"horizon": f"{days}d", "warmup": "5d"},
        "risk_classes": {"low": {"noncompliance": 1.0}},
        "customs": {"default": {"document": NONE, "document_error": NONE, "channels": {"low": {"yellow": 0, "red": 0}}},
                    "BB": {"channels": {"low": {"yellow": 0, "red": 1.0}}}},
        "nodes": {"post": {"lanes": 50}},
        "traffic": {"main": {"per_day": per_day}},
        "post_clearance_audit": {"BB": {"release": {"red": 1.0}, "auditors": auditors, "detection": detection,
                                        "duration": {"dist": "exponential", "mean": mean_audit_h}}},
    })


@pytest.mark.parametrize("auditors, rho", [(1, 0.6), (3, 0.75)])
def test_the_audit_office_is_an_mmc_queue(auditors, rho):
    mean_audit = 2.0
    rate = rho * auditors / mean_audit  # audits an hour
    scenario = build_scenario(audited_world(rate * 24, auditors, mean_audit, days=400))
    wait = erlang_c(auditors, rate * mean_audit) * mean_audit / (auditors - rate * mean_audit)
    records = [simulate(scenario, r, 3).tables["audits"][0] for r in range(20)]
    assert_theory([a.mean_wait_h for a in records], wait)
    assert_theory([a.auditor_utilisation for a in records], rho)
    assert_theory([a.mean_backlog for a in records], rate * wait)  # Little's law
    # detection is independent of the audit's length: found, on average, after a wait and an audit
    assert_theory([a.mean_delay_h for a in records], wait + mean_audit)
    assert_theory([a.detected / a.audited for a in records], 0.5)
    assert all(a.released == a.audited == a.noncompliant == a.detected + a.missed for a in records)


def test_audits_wait_in_order_of_release_for_free_auditors_worked_by_hand():
    spec = PostClearanceAudit(release={"red": 1.0}, auditors=2, duration=1.0, detection=1.0)
    office = AuditOffice("BB", spec, warmup=0.0, horizon=10.0)
    trucks = [SimpleNamespace(id=i, group=0, index=i, counted=True, noncompliant=i != 2) for i in range(5)]
    # released at 0, 0, 0, 1 and 5 h; audits of 2, 3, 1, 1 and 1 h; the fourth is not audited
    receipts = list(zip([0, 0, 0, 1, 5], trucks, [True, True, True, False, True], [2, 3, 1, 1, 1]))
    for now, truck, audited, duration in receipts:
        office.receive(truck, audited, float(duration), 0.0, float(now))
    record = office.settle()
    # an engine that works trucks out in another order hands the releases in out of time order, and
    # those released at one moment (as a control opens) in any order: they are taken by flow and number
    shuffled = AuditOffice("BB", spec, warmup=0.0, horizon=10.0)
    for now, truck, audited, duration in [receipts[4], receipts[3], receipts[2], receipts[0], receipts[1]]:
        shuffled.receive(truck, audited, float(duration), 0.0, float(now))
    assert shuffled.settle() == record and shuffled.outcomes == office.outcomes
    # two auditors: 0-2 and 0-3; the third waits for the first free one (2 h), 2-3; the fifth at 5-6
    assert [delay for _, _, delay, _ in office.outcomes] == [2.0, 3.0, 3.0, 1.0]
    assert record.released == 5 and record.audited == 4 and record.noncompliant == 4
    assert record.detected == 3 and record.missed == 1  # truck 2 is compliant, truck 3 never audited
    assert record.mean_wait_h == pytest.approx(2.0 / 4)
    assert record.mean_delay_h == pytest.approx((2 + 3 + 1) / 3)
    assert record.auditor_utilisation == pytest.approx((2 + 3 + 1 + 1) / (2 * 10.0))
    assert record.mean_backlog == pytest.approx(2.0 / 10.0)


def test_released_trucks_skip_the_check_and_the_rest_is_unchanged():
    base = merge(tiny(), {
        "risk_classes": {"low": {"noncompliance": 0.1}, "high": {"noncompliance": 0.4}},
        "customs": {"default": {"channels": {"low": {"yellow": 0.2, "red": 0.1}, "high": {"yellow": 0.2, "red": 0.5}},
                                "inspection": "2h"}},
        "nodes": {"post": {"inspection_bays": 1}},
        "traffic": {"main": {"per_day": 30, "risk": {"low": 0.5, "high": 0.5}}},
    })
    audit = {"BB": {"release": {"red": 1.0, "yellow": 1.0}, "risk_classes": ["low"], "audited": {"low": 0.5},
                    "auditors": 1, "duration": "6h", "detection": 0.9}}
    without = simulate(build_scenario(base), 0)
    released = simulate(build_scenario(merge(base, {"post_clearance_audit": audit})), 0)
    zero = simulate(build_scenario(merge(base, {"post_clearance_audit": {"BB": {**audit["BB"], "release": {"red": 0}}}})), 0)
    # an audit that releases nothing draws from its own stream only: every truck as without it
    for name in without.trucks:
        np.testing.assert_array_equal(without.trucks[name], zero.trucks[name], err_msg=name)
    # releases at BB only, and of low-risk trucks only: AA's checks and the high-risk trucks' are the same
    controls = {(c.country, c.direction): c for c in released.controls}
    before = {(c.country, c.direction): c for c in without.controls}
    assert controls[("AA", "exit")].red == before[("AA", "exit")].red
    assert controls[("BB", "entry")].red < before[("BB", "entry")].red
    t = released.trucks
    low = t["risk"] == 0
    assert t["audits"][~low].sum() == 0 and t["audits"][low].sum() > 0
    assert not (t["audit_detected"] & ~t["noncompliant"]).any()
    assert np.isnan(t["audit_delay_h"][~t["audit_detected"]]).all()
    assert (t["audit_delay_h"][t["audit_detected"]] >= 6.0).all()
    assert t["lead_time_h" if "lead_time_h" in t else "arrive_h"].mean() <= without.trucks["arrive_h"].mean()
    # the summary has the audit's figures, and what became of the non-compliant trucks
    summary = scenario_summary("s", "", [replication_stats(released)])
    assert summary["post_clearance_audit"]["BB"]["released_per_replication"] == released.tables["audits"][0].released
    shares = [summary[k]["mean"] for k in ("detection_rate", "audit_detection_rate", "missed_rate")]
    stats = replication_stats(released)["groups"]["*"]
    assert stats["detected"] + stats["audit_detected"] >= stats["noncompliant"] - stats["missed"]
    assert shares[2] == pytest.approx(stats["missed"] / stats["noncompliant"])


@pytest.mark.parametrize("audit, path, message", [
    ({"CC": {"release": {"red": 1}, "auditors": 1, "duration": "1h", "detection": 1}},
     "post_clearance_audit.CC", "no node lies in 'CC'"),
    ({"BB": {"release": {"red": 1}, "risk_classes": ["lo"], "auditors": 1, "duration": "1h", "detection": 1}},
     "post_clearance_audit.BB.risk_classes[0]", "unknown risk class 'lo'"),
    ({"BB": {"release": {"red": 1}, "audited": {"hi": 1}, "auditors": 1, "duration": "1h", "detection": 1}},
     "post_clearance_audit.BB.audited.hi", "unknown risk class 'hi'"),
    ({"BB": {"release": {"green": 1}, "auditors": 1, "duration": "1h", "detection": 1}},
     "post_clearance_audit.BB.release", "yellow"),
    ({"BB": {"release": {"red": 1}, "auditors": 0, "duration": "1h", "detection": 1}},
     "post_clearance_audit.BB.auditors", "1"),
])
def test_a_bad_audit_is_refused_with_its_path(audit, path, message):
    with pytest.raises(ScenarioError) as exc:
        build_scenario(merge(tiny(), {"post_clearance_audit": audit}))
    assert path in str(exc.value) and message in str(exc.value)


def test_a_saturated_audit_office_is_a_warning():
    from corridor_sim.results.warnings import saturation_warnings

    scenario = build_scenario(audited_world(per_day=30, auditors=1, mean_audit_h=2.0, days=20))
    warnings = saturation_warnings([replication_stats(simulate(scenario, 0))])
    assert any("audit office of BB is saturated" in w for w in warnings), warnings
    calm = build_scenario(audited_world(per_day=6, auditors=2, mean_audit_h=2.0, days=20))
    assert not saturation_warnings([replication_stats(simulate(calm, 0))])
