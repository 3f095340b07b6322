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
    assert re.search(r"^  fifo engine .* ratio [\d.]+$", out, re.M) and re.search(r"^  reference engine .* ratio [\d.]+$", out, re.M)
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


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_memory_benchmark_reports_each_runs_peak_and_its_trucks(capsys):
    assert load_script("bench_memory").main(["--days", "20", "-n", "1", "-n", "2"]) == 0
    found = re.findall(r"^(\d) replication\(s\) of ([\d,]+) counted trucks: peak ([\d,]+) MiB \((within|OVER)", capsys.readouterr().out, re.M)
    assert [n for n, *_ in found] == ["1", "2"]
    for _, trucks, mib, _ in found:
        assert 600 < int(trucks.replace(",", "")) < 1500 and 50 < int(mib.replace(",", "")) < 1024


def test_the_workers_benchmark_times_both_sides_of_each_pair(capsys):
    scenario = str(ROOT / "tests" / "fixtures" / "contract" / "tandem_mmc.yaml")
    assert load_script("bench_workers").main([scenario, "-n", "2", "--pairs", "1"]) == 0
    out = capsys.readouterr().out
    pair = re.search(r"^pair 1:\s+([\d.]+) s against\s+([\d.]+) s wall; speed-up, 2 workers / 1 ([\d.]+)$", out, re.M)
    one, two, ratio = map(float, pair.groups())
    # the seconds are printed to 0.1 s, the ratio from the unrounded ones
    assert one > 0 and two > 0 and abs(ratio - one / two) <= one / two * (0.05 / one + 0.05 / two) + 0.01
    assert re.search(r"^median speed-up, 2 workers / 1: [\d.]+$", out, re.M)


def test_the_compare_benchmark_times_both_checkouts_and_checks_their_figures(capsys):
    # this checkout against itself: both sides give the same lead times, and a ratio is printed
    bench = load_script("bench_compare")
    assert bench.main(["--against", str(ROOT), "-n", "1", "--pairs", "1", "--horizon", "9d", "--overlays", "etir"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^ratio\s+[\d.]+ \(CPU of this checkout / the other's, pairs interleaved\); lead times the same$",
                     out, re.M)


def test_the_ledger_benchmark_times_both_sides_of_each_pair(capsys):
    scenario = str(ROOT / "tests" / "fixtures" / "contract" / "tandem_mmc.yaml")
    assert load_script("bench_ledger").main([scenario, "--pairs", "2", "--set", "clock.horizon=25d"]) == 0
    out = capsys.readouterr().out
    pairs = re.findall(r"^pair \d: ([\d.]+) s without the ledger, ([\d.]+) s with it; ratio ([\d.]+); "
                       r"the ledger's own steps ([\d.]+) s, ([\d.]+)% of the replication without it$", out, re.M)
    assert len(pairs) == 2
    for without, with_, ratio, own, share in pairs:
        assert float(without) > 0 and abs(float(ratio) - float(with_) / float(without)) < 0.01 + 0.002 / float(without)
        assert 0 < float(own) < float(with_) and float(share) > 0
    assert re.search(r"^median ratio, with the ledger / without: [\d.]+ \([\d.]+-[\d.]+\); (within|OVER) the goal of 1\.05$",
                     out, re.M)
