"""Benchmark: the README's facilitation compare, this checkout against another one.

The compare the README's headline figures come from (`docs/readme_figures.py`: the bundled base
and its eight measure overlays) runs as a whole process, `corridor-sim compare` on one worker,
once with this checkout's package and once with the package of `--against` (a checkout of
another revision, e.g. `git worktree add /tmp/base <commit>`), in turn, so a change in the
machine's load hits both alike. The ratio of their CPU seconds (user + system) is taken pair by
pair; the median is printed. Both must give the same figures (`--check-same` compares their
summary.json's lead times).

    python benchmarks/bench_compare.py --against /tmp/base                 # 2 replications, 2 pairs
    python benchmarks/bench_compare.py --against /tmp/base -n 4 --pairs 3 --horizon 60d
    python benchmarks/bench_compare.py --against /tmp/base --overlays post_clearance_audit scanners_kapikule
    python benchmarks/bench_compare.py --against /tmp/base --own-scenarios  # each its own scenarios/

`--own-scenarios` runs each checkout on its own `scenarios/`, for a revision that reads an older
scenario format (the lead times are then the same only where the files mean the same model).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "docs")]
from bench_startup import cpu_seconds  # noqa: E402
from readme_figures import OVERLAYS  # noqa: E402  (the README's own list of overlays)

SCENARIOS = ROOT / "scenarios"


def command(package: Path, out: Path, replications: int, horizon: str | None, overlays: list[str],
            scenarios: Path = SCENARIOS) -> list[str]:
    """`corridor-sim compare` of the base and `overlays` in `scenarios` with the package found in `package`."""
    sets = [] if horizon is None else ["--set", f"clock.horizon={horizon}"]
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(package)!r}); "
            "from corridor_sim.cli import entry; sys.exit(entry())",
            "compare", str(scenarios / "middle_corridor.yaml"), *[str(scenarios / f"{o}.yaml") for o in overlays],
            "-n", str(replications), "--workers", "1", "--no-plots", "--quiet", "--force", "-o", str(out), *sets]


def lead_times(out: Path) -> dict[str, float]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {name: s["lead_time_h"]["mean"] for name, s in summary["scenarios"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="a checkout of the revision to compare with")
    parser.add_argument("-n", "--replications", type=int, default=2, help="replications (default 2)")
    parser.add_argument("--pairs", type=int, default=2, help="interleaved pairs (default 2)")
    parser.add_argument("--horizon", help="a shorter clock.horizon for both, e.g. 60d (default: the scenarios')")
    parser.add_argument("--overlays", nargs="+", default=OVERLAYS, metavar="NAME",
                        help="the overlays of scenarios/ to compare with the base (default: the README's eight)")
    parser.add_argument("--own-scenarios", action="store_true",
                        help="run the other checkout on its own scenarios/ (an older scenario format)")
    args = parser.parse_args(argv)
    if not (args.against / "corridor_sim" / "__init__.py").is_file():
        parser.error(f"{args.against} holds no corridor_sim package")
    os.environ.setdefault("COLUMNS", "100")
    with tempfile.TemporaryDirectory() as tmp:
        ours_out, theirs_out = Path(tmp) / "ours", Path(tmp) / "theirs"
        ours_cmd = command(ROOT, ours_out, args.replications, args.horizon, args.overlays)
        theirs_cmd = command(args.against.resolve(), theirs_out, args.replications, args.horizon, args.overlays,
                             args.against.resolve() / "scenarios" if args.own_scenarios else SCENARIOS)
        ours, theirs = [], []
        for _ in range(args.pairs):
            ours.append(cpu_seconds(ours_cmd))
            theirs.append(cpu_seconds(theirs_cmd))
        same = lead_times(ours_out) == lead_times(theirs_out)
    ratio = statistics.median(a / b for a, b in zip(ours, theirs))
    print(f"this checkout  {statistics.median(ours):8.1f} s CPU (median of {args.pairs})")
    print(f"{str(args.against):<14} {statistics.median(theirs):8.1f} s CPU")
    print(f"ratio          {ratio:8.2f} (CPU of this checkout / the other's, pairs interleaved); "
          f"lead times {'the same' if same else 'DIFFER'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
