"""The benchmark script runs and reports a ratio (no timing is asserted: machines differ)."""
from __future__ import annotations

import importlib.util
import math
import re
import sys

from conftest import ROOT


def load_benchmark():
    spec = importlib.util.spec_from_file_location("bench_tandem", ROOT / "benchmarks" / "bench_tandem.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_benchmark_completes_and_reports_a_ratio(capsys):
    bench = load_benchmark()
    assert bench.main(["--days", "4", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    rates = re.findall(r"^(corridor-sim|plain SimPy)\s+(\d+) trucks .* ([\d.]+) trucks/s .* mean lead time ([\d.]+) h", out, re.M)
    assert [name for name, *_ in rates] == ["corridor-sim", "plain SimPy"]
    assert re.search(r"^  event loop .* ratio [\d.]+$", out, re.M) and re.search(r"^  on SimPy .* ratio [\d.]+$", out, re.M)
    assert rates[0][1] == rates[1][1] and int(rates[0][1]) > 100  # the same number of trucks on both sides
    ratio = float(re.search(r"^ratio\s+([\d.]+)", out, re.M).group(1))
    assert math.isfinite(ratio) and ratio > 0


def test_both_sides_model_the_same_queue():
    """The plain SimPy twin is the contract's tandem M/M/3: both give its lead time (4.81 h)."""
    bench = load_benchmark()
    ours = bench.corridor_sim_run(60, seed=3)
    plain = bench.plain_simpy_run(ours.trucks, seed=3)
    assert ours.trucks == plain.trucks > 3000
    for timing in (ours, plain):
        assert 3.5 < timing.mean_lead_h < 6.5  # a wrong queue (other lanes or rates) lands far outside


def test_the_mm4_benchmark_models_five_mm4_queues(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_mm4", ROOT / "benchmarks" / "bench_mm4.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.main(["--trucks", "3000", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    leads = [float(x) for x in re.findall(r"mean lead time ([\d.]+) h", out)]
    assert len(leads) == 4 and leads[0] == leads[1] == leads[2]  # columns, the event loop, SimPy: the same trucks
    assert all(6.0 < lead < 12.0 for lead in leads)  # 5 x 1.75 h in theory; a wrong queue lands far outside
    assert abs(module.theory(0.8) - 8.728) < 0.001
