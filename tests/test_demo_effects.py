"""Each bundled demo at its own size shows the effect its takeaway names, within its time.

Apart from tests/test_demo.py so that the suite's workers can run these long checks beside it.
"""
from __future__ import annotations

import re
import resource
import time

import pytest

from corridor_sim.demo import DEMOS, run_demo


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEMOS))
def test_each_demo_shows_its_effect_within_a_minute_on_two_cores(name, tmp_path):
    """The default demo (its own replications, 2 workers, plots left out as in the README's timings;
    tests/test_demo.py draws them): CPU time within two core-minutes, and the effect it is about is
    clear (its 95% CI excludes zero) in the expected direction."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = run_demo(name, tmp_path / name, workers=2, plots=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    assert cpu < 120, f"demo {name}: {cpu:.0f} s of CPU ({wall:.0f} s wall)"
    text = " ".join(run.takeaway)
    expected = {
        "aeo": r"AEO trucks spent [\d.]+ h less at the borders \(95% CI",
        "etir": r"Mean lead time: [\d.]+ h shorter \(95% CI",
        "risk": r"caught: \d+% under blanket selection, \d+% risk-based, \d+ percentage points higher \(95% CI",
        "caravan": r"caravan reached Istanbul [\d.]+ h sooner \(95% CI",
        "audit": r"corridor trucks spent [\d.]+ h less at the borders \(95% CI.*\d+% found in a post-clearance audit",
        "scanners": r"physical inspections per 100 trucks over a journey of 8 controls, instead of.*spent [\d.]+ h less "
                    r"in inspections",
        "exchange": r"spent [\d.]+ h less in document checks \(95% CI",
    }[name]
    assert re.search(expected, text), text
    assert (tmp_path / name / "summary.json").exists()
