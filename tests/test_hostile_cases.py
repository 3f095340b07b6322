"""A table of hostile and faulty cases: input files, options, output paths, damaged directories.

Each case runs the command in-process in a scratch directory and asserts what the README
promises: the exit code, a one-line message (with the words that say what is wrong), no
traceback, and nothing changed outside the output directory (nothing created, removed or
rewritten in the scratch directory, which also holds the inputs).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import yaml

from corridor_sim.cli import main

from conftest import CONTRACT, tiny

TINY = yaml.safe_dump(tiny(), sort_keys=False)
QUICK = ["-n", "1", "--quiet", "--no-plots"]
TARGETS = "name: t\ntargets:\n  - {metric: lead_time, value: 1}\n"
BOMB = "[" + ", ".join(["&a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]"
                                                                  for i in range(1, 7)]) + "]"


STORMY = yaml.safe_dump(tiny(
    nodes={"origin": {"kind": "terminal", "country": "AA"}, "west": {"kind": "port", "country": "AA", "lanes": 2},
           "east": {"kind": "port", "country": "AA", "lanes": 2}},
    links={"origin -> west": {"km": 60}, "west <-> east": {
        "mode": "ferry", "vessels": 1, "capacity": 10, "sailing": "2h", "departs": {"every": "12h"},
        "storms": {"per_year": 50, "duration": "1d"}}},
    traffic={"main": {"route": ["origin", "west", "east"], "per_day": 5}}), sort_keys=False)


def edit(old: str, new: str) -> str:
    assert old in TINY, old
    return TINY.replace(old, new, 1)


@dataclass
class Case:
    id: str
    argv: list[str]  # `{x}` is the scratch path of x
    code: int
    words: str  # what the message says (case-insensitive)
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    out: str | None = "out"  # may be written (and must then be whole); None: nothing may change


def bad_file(id: str, words: str, text: str | bytes) -> Case:
    """`corridor-sim validate s.yaml` on a file that must be refused, with nothing written."""
    return Case(id, ["validate", "{s.yaml}"], 2, words, {"s.yaml": text}, out=None)


def _run_dir(path: Path) -> None:
    """A finished run in `out` (for the cases that damage one)."""
    assert main(["run", str(path / "s.yaml"), *QUICK, "-o", str(path / "out")]) == 0


def _damage(name: str, text: str) -> Callable[[Path], None]:
    def setup(path: Path) -> None:
        _run_dir(path)
        (path / "out" / name).write_text(text, encoding="utf-8")
    return setup


def _parquet_run(path: Path) -> None:
    assert main(["run", str(path / "s.yaml"), *QUICK, "--format", "parquet", "-o", str(path / "out")]) == 0


def _damage_bytes(name: str, cut: Callable[[bytes], bytes], run: Callable[[Path], None] = _run_dir) -> Callable[[Path], None]:
    def setup(path: Path) -> None:
        run(path)
        file = path / "out" / name
        file.write_bytes(cut(file.read_bytes()))
    return setup


def _words_in_trucks(text: bytes) -> bytes:
    """trucks.csv with a word where its first truck's lead time was."""
    lines = text.decode("utf-8").split("\n")
    at = lines[0].split(",").index("lead_time_h")
    row = lines[1].split(",")
    row[at] = "soon"
    lines[1] = ",".join(row)
    return "\n".join(lines).encode("utf-8")


class _Stop(Exception):
    pass


def _partial(path: Path) -> Path:
    """An interrupted run: `out.partial` with two of three replications finished."""
    from corridor_sim.experiment import Output, Plan, run_plan
    from corridor_sim.results.paths import partial_path
    from corridor_sim.scenario.loader import load_scenario

    scenario = load_scenario(path / "s.yaml")

    def stop_after_two(name: str, done: int, total: int) -> None:
        if done >= 2:
            raise _Stop

    with pytest.raises(_Stop):
        run_plan(Plan((scenario,), 3, scenario.experiment.seed), progress=stop_after_two, output=Output(path / "out"))
    return partial_path(path / "out")


def _damaged_partial(what: str) -> Callable[[Path], None]:
    def setup(path: Path) -> None:
        partial = _partial(path)
        if what == "plan":
            (partial / "plan.json").write_text("{not json", encoding="utf-8")
        elif what == "no plan":
            (partial / "plan.json").unlink()
        elif what == "saved scenario bomb":
            saved = next((partial / "scenarios").glob("*.yaml"))
            saved.write_text(saved.read_text(encoding="utf-8") + f"\nbomb: {BOMB}\n", encoding="utf-8")
        elif what == "saved scenario gone":
            next((partial / "scenarios").glob("*.yaml")).unlink()
        elif what in ("plan without checksum", "plan of 10^9", "plan escaping", "plan a list"):
            import json

            from corridor_sim.results.paths import plan_checksum

            plan = json.loads((partial / "plan.json").read_text(encoding="utf-8"))
            if what == "plan of 10^9":
                plan["replications"] = 10**9
            elif what == "plan escaping":
                plan["scenarios"] = ["../../victim"]
            body: object = plan
            if what == "plan without checksum":
                del plan["checksum"]
            elif what == "plan a list":
                body = [plan]
            else:
                plan["checksum"] = plan_checksum(plan)  # a digest anyone can recompute
            (partial / "plan.json").write_text(json.dumps(body), encoding="utf-8")
        elif what == "edited plan":
            plan = (partial / "plan.json").read_text(encoding="utf-8")
            (partial / "plan.json").write_text(plan.replace('"replications": 3', '"replications": 30'), encoding="utf-8")
    return setup


def _interrupted_demo(path: Path) -> None:
    """`demo aeo -o out` stopped after its first replication: `out.partial` kept."""
    from corridor_sim.demo import run_demo

    def stop(name: str, done: int, total: int) -> None:
        if done >= 1:
            raise _Stop

    with pytest.raises(_Stop):
        run_demo("aeo", path / "out", 1, progress=stop, plots=False)


CASES: list[Case] = [
    # --- files that are not scenario files -------------------------------------------------
    Case("missing file", ["validate", "{nope.yaml}"], 2, "file not found", out=None),
    Case("a directory", ["validate", "{d}"], 2, "is a directory", setup=lambda p: (p / "d").mkdir(), out=None),
    Case("a device", ["validate", "/dev/zero"], 2, "is not a regular file", out=None),
    Case("a pipe", ["validate", "{fifo.yaml}"], 2, "is not a regular file", setup=lambda p: os.mkfifo(p / "fifo.yaml"), out=None),
    bad_file("an empty file", "the file is empty", ""),
    bad_file("only a comment", "the file is empty", "# nothing\n"),
    bad_file("binary garbage", "is not utf-8", b"\xff\xfe\x00\x81garbage"),
    bad_file("latin-1 text", "is not utf-8", "name: Kapıkule\n".encode("latin-1", "replace") + b"\xe9\n"),
    bad_file("a list", "expected a mapping", "- a\n- b\n"),
    bad_file("a scalar", "expected a mapping", "just text\n"),
    bad_file("not a scenario", "is not a scenario file", "user: root\npassword: x\n"),
    bad_file("a file over 10 MB", "limited to 10 mb", "name: x\n" + "#" * (11 * 1024 * 1024)),
    bad_file("a python tag", "is not allowed", "name: !!python/object/apply:os.system [echo hi]\n"),
    bad_file("a local tag", "is not allowed", edit("name: tiny", "name: !secret tiny")),
    bad_file("a binary value", "'!!binary' is not allowed", edit("name: tiny", "name: !!binary dGlueQ==")),
    bad_file("a binary key", "'!!binary' is not allowed", "!!binary bmFtZQ==: tiny\n" + TINY),
    bad_file("a set", "'!!set' is not allowed", TINY + "description: !!set {a, b}\n"),
    bad_file("an omap", "'!!omap' is not allowed", TINY + "description: !!omap [a: 1]\n"),
    bad_file("pairs", "'!!pairs' is not allowed", TINY + "description: !!pairs [a: 1]\n"),
    bad_file("an alias bomb", "aliases", TINY + f"description: {BOMB}\n"),
    bad_file("deep nesting", "nests deeper", "name: " + "[" * 5000 + "]" * 5000 + "\n"),
    bad_file("duplicate keys", "duplicate", TINY + "name: again\n"),
    bad_file("a tab indent", "3:1: tabs cannot indent YAML; use spaces", "name: x\nclock:\n\thorizon: 5d\n"),
    bad_file("unclosed bracket", "yaml syntax error", "name: [x\n"),
    bad_file("a NUL byte", "the character U+0000 at position 8 is not allowed", TINY.replace("name: tiny", "name: ti\x00ny")),
    bad_file("a huge integer", "digits is too long", edit("seed: 1", "seed: " + "9" * 5000)),
    bad_file("an impossible date", "clock.start: expected a date-time", edit("2026-01-05T00:00", "2026-02-30T00:00")),
    bad_file("extends a missing file", "was not found", "extends: nope.yaml\nname: x\n"),
    Case("extends a secret", ["validate", "{s.yaml}"], 2, "is not a scenario file",
         {"s.yaml": "extends: shadow\nname: x\n", "shadow": "root:$6$salt:1::\n"}, out=None),
    bad_file("extends itself", "cycle", "extends: s.yaml\nname: x\n"),
    Case("extends a directory", ["validate", "{s.yaml}"], 2, "is a directory", {"s.yaml": "extends: d\nname: x\n"},
         setup=lambda p: (p / "d").mkdir(), out=None),
    # --- values that validate one by one but not together, or not as numbers ------------------
    bad_file("lanes: true", "nodes.post.lanes: expected a whole number", edit("lanes: 2", "lanes: true")),
    bad_file("per_day: true", "traffic.main.per_day: expected a number", edit("per_day: 20", "per_day: true")),
    bad_file("km: false", "km: expected a length in km such as 50", edit("km: 60", "km: false")),
    bad_file("noncompliance: yes", "noncompliance: expected a number", edit("noncompliance: 0.05", "noncompliance: true")),
    bad_file("per_day: .nan", "traffic.main.per_day", edit("per_day: 20", "per_day: .nan")),
    bad_file("per_day: .inf", "traffic.main.per_day", edit("per_day: 20", "per_day: .inf")),
    bad_file("per_day: -1", "traffic.main.per_day", edit("per_day: 20", "per_day: -1")),
    bad_file("horizon: 0", "clock.horizon", edit("horizon: 10d", "horizon: 0d")),
    bad_file("horizon: -1d", "clock.horizon", edit("horizon: 10d", "horizon: -1d")),
    bad_file("horizon of 1000 years", "the horizon is at most 100 years", edit("horizon: 10d", "horizon: 365000d")),
    bad_file("seed: -1", "experiment.seed", edit("seed: 1", "seed: -1")),
    bad_file("replications: 0", "experiment.replications", edit("replications: 2", "replications: 0")),
    bad_file("replications: 10^6", "experiment.replications", edit("replications: 2", "replications: 1000000")),
    bad_file("an unknown top-level key", "unknown key", TINY + "trafic: {}\n"),
    bad_file("an unknown node key", "did you mean 'lanes'", edit("lanes: 2", "lanse: 2")),
    bad_file("a route to nowhere", "unknown node", edit("- destination\n    per_day", "- nowhere\n    per_day")),
    bad_file("a name with markup", "brackets", edit("  main:", "  '[/x]':")),
    bad_file("a name with an escape", "control characters", edit("  main:", '  "a\\e[31mred":')),
    bad_file("a name with a newline", "control characters", edit("  main:", '  "a\\nb":')),
    bad_file("a name of 300 characters", "at most 200", edit("name: tiny", "name: " + "x" * 300)),
    bad_file("closed for the whole horizon", "no truck could cross",
         edit("lanes: 2", "lanes: 2\n    holidays: ['2026-01-01..2027-12-31']")),
    bad_file("12,000 holidays in a row", "no truck could cross",
         edit("lanes: 2", "lanes: 2\n    holidays: [" + ", ".join(
             f"'{(__import__('datetime').date(2026, 1, 1) + __import__('datetime').timedelta(d)).isoformat()}'"
             for d in range(12_000)) + "]")),
    bad_file("one control closed throughout", "nodes.post.controls.AA.holidays",
         edit("lanes: 2", "lanes: 2\n    controls: {AA: {holidays: ['2026-01-01..2026-12-31']}}")),
    bad_file("a start near the year 9999 with monthly weights", "clock.start 9999-11-20t00:00:00 is too late",
             edit("2026-01-05T00:00", "9999-11-20T00:00").replace("per_day: 20", "per_day: 20\n    monthly: {1: 2}")),
    bad_file("a start near the year 9999 with storms", "clock.start 9999-06-01t00:00:00 is too late",
             STORMY.replace("2026-01-05T00:00", "9999-06-01T00:00")),
    bad_file("a caravan after the horizon", "after the end of the horizon",
         TINY + "caravans: {c: {route: [origin, post, destination], depart: '9999-01-05T08:00', trucks: 2}}\n"),
    bad_file("a caravan before the start", "before the clock start",
         TINY + "caravans: {c: {route: [origin, post, destination], depart: '2000-01-05T08:00', trucks: 2}}\n"),
    bad_file("10^4 caravan trucks over the limit", "caravans.c.trucks",
         TINY + "caravans: {c: {route: [origin, post, destination], depart: '2026-01-06T08:00', trucks: 100000}}\n"),
    # --- --set values -------------------------------------------------------------------------
    Case("--set without =", ["validate", "{s.yaml}", "--set", "clock.horizon"], 2, "expected path=value", {"s.yaml": TINY}, out=None),
    Case("--set an empty path", ["validate", "{s.yaml}", "--set", "=5"], 2, "dotted path", {"s.yaml": TINY}, out=None),
    Case("--set a..b", ["validate", "{s.yaml}", "--set", "nodes..lanes=5"], 2, "dotted path", {"s.yaml": TINY}, out=None),
    Case("--set an alias bomb", ["validate", "{s.yaml}", "--set", f"description={BOMB}"], 2, "aliases", {"s.yaml": TINY}, out=None),
    Case("--set deep nesting", ["validate", "{s.yaml}", "--set", "description=" + "[" * 10_000 + "]" * 10_000], 2,
         "nests deeper", {"s.yaml": TINY}, out=None),
    Case("--set nested 10,000 deep", ["validate", "{s.yaml}", "--set", ".".join(["a"] * 10_000) + "=1"], 2, "", {"s.yaml": TINY}, out=None),
    Case("--set a huge integer", ["validate", "{s.yaml}", "--set", "experiment.seed=" + "9" * 5000], 2,
         "digits is too long", {"s.yaml": TINY}, out=None),
    Case("--set a control character", ["validate", "{s.yaml}", "--set", "name=a\x01b"], 2, "control characters", {"s.yaml": TINY}, out=None),
    Case("--set a binary value", ["validate", "{s.yaml}", "--set", "name=!!binary aGk="], 2, "'!!binary' is not allowed", {"s.yaml": TINY}, out=None),
    Case("--set lanes=true", ["validate", "{s.yaml}", "--set", "nodes.post.lanes=true"], 2, "expected a whole number", {"s.yaml": TINY}, out=None),
    Case("--set a flow that does not exist", ["validate", "{s.yaml}", "--set", "traffic.mian.per_day=5"], 2, "mian", {"s.yaml": TINY}, out=None),
    # --- options -----------------------------------------------------------------------------
    Case("-n 0", ["run", "{s.yaml}", "-n", "0", "-o", "{out}"], 2, "at least 1", {"s.yaml": TINY}),
    Case("-n -5", ["run", "{s.yaml}", "-n", "-5", "-o", "{out}"], 2, "at least 1", {"s.yaml": TINY}),
    Case("-n 10^9", ["run", "{s.yaml}", "-n", "1000000000", "-o", "{out}"], 2, "at most 100,000", {"s.yaml": TINY}),
    Case("--workers 0", ["run", "{s.yaml}", *QUICK, "--workers", "0", "-o", "{out}"], 2, "at least 1", {"s.yaml": TINY}),
    Case("--workers 10^5", ["run", "{s.yaml}", *QUICK, "--workers", "100000", "-o", "{out}"], 2, "at most 1,024", {"s.yaml": TINY}),
    Case("--seed -1", ["run", "{s.yaml}", *QUICK, "--seed", "-1", "-o", "{out}"], 2, "--seed must be", {"s.yaml": TINY}),
    Case("--max-trucks 0", ["run", "{s.yaml}", *QUICK, "--max-trucks", "0", "-o", "{out}"], 2, "at least 1", {"s.yaml": TINY}),
    Case("--dask-address not a url", ["run", "{s.yaml}", *QUICK, "--dask-address", "not a url", "-o", "{out}"], 2,
         "cannot reach the dask scheduler", {"s.yaml": TINY}),
    Case("--dask-address with serial", ["run", "{s.yaml}", *QUICK, "--executor", "serial", "--dask-address", "tcp://x:1", "-o", "{out}"], 2,
         "needs --executor dask", {"s.yaml": TINY}),
    Case("--resume with -n", ["run", "--resume", "{out}", "-n", "3"], 2, "cannot change", {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--resume with --seed", ["run", "--resume", "{out}", "--seed", "3"], 2, "cannot change", {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--resume with --set", ["run", "--resume", "{out}", "--set", "name=x"], 2, "cannot change", {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--resume with --trace", ["run", "--resume", "{out}", "--trace"], 2, "cannot change", {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--resume with --engine", ["run", "--resume", "{out}", "--engine", "reference"], 2, "cannot change",
         {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--resume of nothing", ["run", "--resume", "{out}", "--quiet"], 2, "nothing to resume", {"s.yaml": TINY}),
    Case("--resume and another -o", ["run", "--resume", "{out}", "-o", "{other}"], 2, "name different directories", {"s.yaml": TINY}),
    Case("compare --resume of a run", ["compare", "--resume", "{out}", "--quiet", "--no-plots"], 2, "not a compare",
         {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("sweep --resume of a run", ["sweep", "--resume", "{out}", "--quiet", "--no-plots"], 2, "not a sweep",
         {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("no scenario and no --resume", ["run", "-o", "{out}"], 2, "give the scenario file", {"s.yaml": TINY}),
    Case("a bad --vary", ["sweep", "{s.yaml}", "--vary", "nodes.post.lanes", "-o", "{out}", "--quiet"], 2, "--vary", {"s.yaml": TINY}),
    Case("--vary a bomb", ["sweep", "{s.yaml}", "--vary", f"traffic.main.per_day={BOMB}", "-o", "{out}", "--quiet"], 2,
         "cannot read the value", {"s.yaml": TINY}),
    # --- a budget before the work ------------------------------------------------------------
    Case("10^5 trucks a day for 100 years", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2, "trucks a replication",
         {"s.yaml": edit("per_day: 20", "per_day: 100000").replace("horizon: 10d", "horizon: 36500d")}),
    Case("a weekly peak of 1000", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--max-trucks", "10000"], 2, "more than --max-trucks 10,000",
         {"s.yaml": edit("per_day: 20", "per_day: 20\n    weekly: {Mon: 1000}")}),
    Case("many flows together", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--max-trucks", "1000"], 2, "more than --max-trucks 1,000",
         {"s.yaml": TINY.replace("traffic:\n", "traffic:\n" + "".join(
             f"  f{i}: {{route: [origin, post, destination], per_day: 10}}\n" for i in range(20)))}),
    Case("compare over budget", ["compare", "{s.yaml}", "{b.yaml}", *QUICK, "-o", "{out}", "--max-trucks", "100"], 2, "more than --max-trucks",
         {"s.yaml": TINY, "b.yaml": "extends: s.yaml\nname: b\n"}),
    Case("sweep over budget", ["sweep", "{s.yaml}", "--vary", "traffic.main.per_day=5,500", *QUICK, "-o", "{out}", "--max-trucks", "1000"],
         2, "more than --max-trucks", {"s.yaml": TINY}),
    Case("calibrate over budget", ["calibrate", str(CONTRACT / "tandem_mmc.yaml"), "{t.yaml}", "-n", "1", "--quiet",
                                   "--set", "clock.horizon=36500d", "--set", "traffic.main.per_day=100000"], 2, "trucks a replication",
         {"t.yaml": "name: t\ntargets:\n  - {metric: lead_time, value: 1}\n"}, out=None),
    Case("a horizon inside a peak month of 13x", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--max-trucks", "10000"], 2,
         "about 25,761 trucks a replication",
         {"s.yaml": edit("per_day: 20", "per_day: 100\n    monthly: {2: 1000}").replace(
             "2026-01-05T00:00", "2026-02-01T00:00").replace("horizon: 10d", "horizon: 20d")}),
    Case("a background flow running on after the horizon", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--max-trucks", "1000"], 2,
         "up to 500 more departing in the drain after the horizon",
         {"s.yaml": TINY.replace("traffic:\n", "traffic:\n  bg: {route: [origin, post, destination], per_day: 50, "
                                              "background: true}\n")}),
    Case("--trace over budget", ["run", "{s.yaml}", *QUICK, "--trace", "-o", "{out}", "--max-trucks", "300"], 2,
         "traced trucks a replication", {"s.yaml": TINY}),
    Case("a fit bound of 100,000 a day over 100 years", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet",
                                                         "--set", "clock.horizon=36500d",
                                                         "--fit", "traffic.main.per_day=1:100000"], 2,
         "--fit at traffic.main.per_day=100000: tiny: about 3.65e9 trucks a replication",
         {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
    Case("a fit of the horizon to 100 years", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet",
                                               "--fit", "traffic.main.per_day=1:100000", "--fit", "clock.horizon=48:876000"],
         2, "--fit at traffic.main.per_day=100000, clock.horizon=876000: tiny: about 3.65e9 trucks",
         {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
    Case("animate over budget", ["animate", "{s.yaml}", "-o", "{out.gif}", "--days", "366"], 2,
         "animate: tiny: about 3.67e7 traced trucks a replication",
         {"s.yaml": edit("per_day: 20", "per_day: 100000").replace("horizon: 10d", "horizon: 400d").replace(
             "    country: AA\n", "    country: AA\n    lat: 40\n    lon: 50\n").replace(
             "    lanes: 2\n", "    lanes: 2\n    lat: 40\n    lon: 51\n").replace(
             "    country: BB\n", "    country: BB\n    lat: 40\n    lon: 52\n")}, out=None),
    # --- calibrate --fit -----------------------------------------------------------------------
    Case("calibrate --seed -1", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet", "--seed", "-1"], 2,
         "--seed must be", {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
    Case("a target of .inf", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet", "--strict"], 2,
         "targets[0].value: input should be a finite number",
         {"s.yaml": TINY, "t.yaml": TARGETS.replace("value: 1", "value: .inf")}, out=None),
    Case("a target of .nan", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet"], 2,
         "targets[0].value: input should be a finite number",
         {"s.yaml": TINY, "t.yaml": TARGETS.replace("value: 1", "value: .nan")}, out=None),
    Case("a tolerance of .inf", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet"], 2,
         "targets[0].tolerance: input should be a finite number",
         {"s.yaml": TINY, "t.yaml": TARGETS.replace("value: 1", "value: 1, tolerance: .inf")}, out=None),
    Case("a fit bound of .inf", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet", "--fit"], 2,
         "fit[0].max: input should be a finite number",
         {"s.yaml": TINY, "t.yaml": TARGETS + "fit:\n  - {path: traffic.main.per_day, min: 1, max: .inf}\n"}, out=None),
    Case("a fit bound of -.inf", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet", "--fit"], 2,
         "fit[0].min: input should be a finite number",
         {"s.yaml": TINY, "t.yaml": TARGETS + "fit:\n  - {path: traffic.main.per_day, min: -.inf, max: 5}\n"}, out=None),
    Case("--fit bounds of 1e999", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet",
                                   "--fit", "traffic.main.per_day=1:1e999"], 2, "must be finite numbers",
         {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
    Case("--overlay through a file, before the search", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet",
                                                        "--fit", "traffic.main.per_day=5:30", "--overlay", "{s.yaml}/fit.yaml"],
         2, "cannot write", {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
    Case("--overlay a directory", ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet",
                                  "--fit", "traffic.main.per_day=5:30", "--overlay", "{d}"],
         2, "is a directory", {"s.yaml": TINY, "t.yaml": TARGETS, "d/notes.txt": "mine"}, out=None),
    # --- output paths ------------------------------------------------------------------------
    Case("-o .", ["run", "{s.yaml}", *QUICK, "-o", "."], 2, "cannot be a run directory", {"s.yaml": TINY}, out=None),
    Case("-o ..", ["run", "{s.yaml}", *QUICK, "-o", ".."], 2, "cannot be a run directory", {"s.yaml": TINY}, out=None),
    Case("-o /", ["run", "{s.yaml}", *QUICK, "-o", "/"], 2, "cannot be a run directory", {"s.yaml": TINY}, out=None),
    Case("-o the scratch directory", ["run", "{s.yaml}", *QUICK, "-o", "{}"], 2, "holds the current directory", {"s.yaml": TINY}, out=None),
    Case("-o through a file", ["run", "{s.yaml}", *QUICK, "-o", "{s.yaml}/sub"], 2, "is a file, not a directory", {"s.yaml": TINY}, out=None),
    Case("-o an existing file", ["run", "{s.yaml}", *QUICK, "-o", "{s.yaml}"], 2, "is not a directory", {"s.yaml": TINY}, out=None),
    Case("-o /proc/x", ["run", "{s.yaml}", *QUICK, "-o", "/proc/corridor-sim-x"], 2, "cannot write", {"s.yaml": TINY}, out=None),
    Case("-o a name too long", ["run", "{s.yaml}", *QUICK, "-o", "{" + "a" * 250 + "}"], 2, "choose a shorter -o", {"s.yaml": TINY}, out=None),
    Case("-o a folder of notes", ["run", "{s.yaml}", *QUICK, "-o", "{docs}"], 2, "not a corridor-sim run",
         {"s.yaml": TINY, "docs/thesis.txt": "my thesis"}, out=None),
    Case("-o a folder of notes --force", ["run", "{s.yaml}", *QUICK, "-o", "{docs}", "--force"], 2, "not a corridor-sim run",
         {"s.yaml": TINY, "docs/thesis.txt": "my thesis"}, out=None),
    Case("-o a run without --force", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2, "already holds results", {"s.yaml": TINY},
         setup=_run_dir),
    Case("-o with an interrupted run", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2, "holds an interrupted run", {"s.yaml": TINY},
         setup=lambda p: _partial(p)),
    Case("--force on a web app", ["run", "{s.yaml}", *QUICK, "-o", "{webapp}", "--force"], 2, "not a corridor-sim run",
         {"s.yaml": TINY, "webapp/manifest.json": '{"name": "My PWA"}', "webapp/summary.json": "{}",
          "webapp/src/app.js": "code"}, out=None),
    Case("--force on a run's files with a thesis among them", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--force"], 2,
         "not a corridor-sim run", {"s.yaml": TINY},
         setup=lambda p: (_run_dir(p), (p / "out" / ".corridor-sim-run").unlink(), (p / "out" / "thesis.txt").write_text("mine")),
         out=None),
    Case("--force on a foreign DIR.partial", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--force"], 2,
         "out.partial is not an interrupted corridor-sim run", {"s.yaml": TINY, "out.partial/thesis.txt": "mine"}, out=None),
    Case("a foreign DIR.partial without --force", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2,
         "not an interrupted corridor-sim run", {"s.yaml": TINY, "out.partial/plan.json": "{}"}, out=None),
    Case("--resume of a foreign DIR.partial", ["run", "--resume", "{out}", "--quiet"], 2,
         "not an interrupted corridor-sim run", {"out.partial/plan.json": '{"kind": "run"}', "out.partial/reps/x": "mine"},
         out=None),
    Case("--resume of a partial with a forged marker", ["run", "--resume", "{out}", "--quiet"], 2,
         "not an interrupted corridor-sim run", {"out.partial/.corridor-sim-run": '{"token": "x"}', "out.partial/a": "b"},
         out=None),
    Case("-o a folder of notes named runs[old]", ["run", "{s.yaml}", *QUICK, "-o", "{runs[old]}", "--force"], 2,
         "runs[old] is not a corridor-sim run", {"s.yaml": TINY, "runs[old]/notes.txt": "mine"}, out=None),
    Case("-o a folder of notes named with escapes", ["run", "{s.yaml}", *QUICK, "-o", "{t\x1b]0;x\x07}", "--force"], 2,
         "t\\x1b]0;x\\x07 is not a corridor-sim run", {"s.yaml": TINY, "t\x1b]0;x\x07/notes.txt": "mine"}, out=None),
    Case("a lock held by a live process", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2, "is being written by",
         {"s.yaml": TINY, ".out.lock": f"1\n{__import__('socket').gethostname()}\n2026-12-01T10:00:00\n"}, out=None),
    Case("--force on a partial run held by a live process", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--force"], 2,
         "is being written by", {"s.yaml": TINY},
         setup=lambda p: (_partial(p), (p / ".out.lock").write_text(
             f"1\n{__import__('socket').gethostname()}\n2026-12-01T10:00:00\n")), out=None),
    Case("--force on a run, over budget", ["run", "{s.yaml}", *QUICK, "-o", "{out}", "--force", "--max-trucks", "10"], 2,
         "more than --max-trucks 10", {"s.yaml": TINY}, setup=_run_dir, out=None),
    Case("an interrupted demo run again", ["demo", "aeo", "-n", "1", "--workers", "1", "--quiet", "-o", "{out}"], 2,
         "out.partial holds an interrupted run; use --force to start over", setup=_interrupted_demo, out=None),
    # --- damaged directories -----------------------------------------------------------------
    Case("plot of a missing directory", ["plot", "{nope}"], 2, "no summary.json", out=None),
    Case("plot of a folder of notes", ["plot", "{docs}"], 2, "no summary.json", {"docs/thesis.txt": "my thesis"}, out=None),
    Case("plot with a damaged summary", ["plot", "{out}"], 2, "cannot read", {"s.yaml": TINY}, setup=_damage("summary.json", "{not json"), out=None),
    Case("plot with a damaged manifest", ["plot", "{out}"], 2, "cannot read", {"s.yaml": TINY}, setup=_damage("manifest.json", "[1, "), out=None),
    Case("plot with damaged replications", ["plot", "{out}"], 2, "replications.jsonl", {"s.yaml": TINY},
         setup=_damage("replications.jsonl", '{"scenario": "tiny", \n'), out=None),
    Case("plot with a saved scenario bomb", ["plot", "{out}"], 2, "aliases", {"s.yaml": TINY},
         setup=_damage("scenario.yaml", TINY + f"\nbomb: {BOMB}\n"), out=None),
    Case("plot with the saved scenario gone", ["plot", "{out}"], 2, "has lost its saved scenario", {"s.yaml": TINY},
         setup=lambda p: (_run_dir(p), (p / "out" / "scenario.yaml").unlink()), out=None),
    Case("plot with a summary that is a list", ["plot", "{out}"], 2, "summary.json is damaged: it holds a json list",
         {"s.yaml": TINY}, setup=_damage("summary.json", "[]"), out=None),
    Case("plot with a summary that is a string", ["plot", "{out}"], 2, "holds a json str", {"s.yaml": TINY},
         setup=_damage("summary.json", '"x"'), out=None),
    Case("plot with a summary whose scenarios are a list", ["plot", "{out}"], 2, "summary.json: scenarios",
         {"s.yaml": TINY}, setup=_damage("summary.json", '{"scenarios": []}'), out=None),
    Case("plot with a manifest that is a list", ["plot", "{out}"], 2, "manifest.json is damaged", {"s.yaml": TINY},
         setup=_damage("manifest.json", "[1]"), out=None),
    Case("plot with a manifest naming 5 scenarios", ["plot", "{out}"], 2, "manifest.json: scenarios", {"s.yaml": TINY},
         setup=_damage("manifest.json", '{"scenarios": 5}'), out=None),
    Case("plot with a manifest of another kind", ["plot", "{out}"], 2, "manifest.json: kind", {"s.yaml": TINY},
         setup=_damage("manifest.json", '{"kind": ["run"]}'), out=None),
    Case("plot with demo.json a list", ["plot", "{out}"], 2, "demo.json is damaged", {"s.yaml": TINY},
         setup=_damage("demo.json", "[1]"), out=None),
    Case("plot with demo.json a string", ["plot", "{out}"], 2, "demo.json is damaged", {"s.yaml": TINY},
         setup=_damage("demo.json", '"x"'), out=None),
    Case("plot with a garbled trucks.csv", ["plot", "{out}"], 2, "trucks.csv is damaged", {"s.yaml": TINY},
         setup=_damage_bytes("trucks.csv", lambda b: bytes(range(256)) * 4), out=None),
    Case("plot with an unclosed quote in trucks.csv", ["plot", "{out}"], 2, "trucks.csv is damaged", {"s.yaml": TINY},
         setup=_damage("trucks.csv", 'a,b\n"1,2\n'), out=None),
    Case("plot with an empty trucks.csv", ["plot", "{out}"], 2, "without even the header", {"s.yaml": TINY},
         setup=_damage("trucks.csv", ""), out=None),
    Case("plot with a trucks.csv of other columns", ["plot", "{out}"], 2, "lacks the columns scenario, replication",
         {"s.yaml": TINY}, setup=_damage("trucks.csv", "a\n1\n"), out=None),
    Case("plot with a trucks.csv without lead times", ["plot", "{out}"], 2, "lacks the column lead_time_h",
         {"s.yaml": TINY}, setup=_damage_bytes("trucks.csv", lambda b: b.replace(b",lead_time_h,", b",lead_time,", 1)),
         out=None),
    Case("plot with words among trucks.csv's numbers", ["plot", "{out}"], 2, "holds something other than numbers",
         {"s.yaml": TINY}, setup=_damage_bytes("trucks.csv", _words_in_trucks), out=None),
    Case("plot with a truncated Parquet table", ["plot", "{out}"], 2, "trucks.parquet is damaged", {"s.yaml": TINY},
         setup=_damage_bytes("trucks.parquet", lambda b: b[: len(b) // 2], _parquet_run), out=None),
    Case("plot with a Parquet table of text", ["plot", "{out}"], 2, "trucks.parquet is damaged", {"s.yaml": TINY},
         setup=_damage_bytes("trucks.parquet", lambda b: b"hi\n", _parquet_run), out=None),
    Case("resume with a plan without its checksum", ["run", "--resume", "{out}", "--quiet"], 2, "has no checksum",
         {"s.yaml": TINY}, setup=_damaged_partial("plan without checksum"), out=None),
    Case("resume with a crafted plan of 10^9 replications", ["run", "--resume", "{out}", "--quiet"], 2,
         "replications must be a whole number from 1 to 100,000", {"s.yaml": TINY},
         setup=_damaged_partial("plan of 10^9"), out=None),
    Case("resume with a crafted plan naming ../../victim", ["run", "--resume", "{out}", "--quiet"], 2,
         "not a plain file name", {"s.yaml": TINY}, setup=_damaged_partial("plan escaping"), out=None),
    Case("resume with a plan that is a list", ["run", "--resume", "{out}", "--quiet"], 2, "has no checksum",
         {"s.yaml": TINY}, setup=_damaged_partial("plan a list"), out=None),
    Case("resume with a damaged plan", ["run", "--resume", "{out}", "--quiet"], 2, "plan.json", {"s.yaml": TINY},
         setup=_damaged_partial("plan"), out=None),
    Case("resume with a hand-edited plan", ["run", "--resume", "{out}", "--quiet"], 2, "has been changed", {"s.yaml": TINY},
         setup=_damaged_partial("edited plan"), out=None),
    Case("resume with no plan", ["run", "--resume", "{out}", "--quiet"], 2, "not an interrupted corridor-sim run", {"s.yaml": TINY},
         setup=_damaged_partial("no plan"), out=None),
    Case("resume with a saved scenario bomb", ["run", "--resume", "{out}", "--quiet"], 2, "aliases", {"s.yaml": TINY},
         setup=_damaged_partial("saved scenario bomb"), out=None),
    Case("resume with the saved scenario gone", ["run", "--resume", "{out}", "--quiet"], 2, "cannot be read back", {"s.yaml": TINY},
         setup=_damaged_partial("saved scenario gone"), out=None),
]


# --- the costs section: units, names, shares (money, fuel and emissions) ----------------------

def costs(text: str) -> str:
    """TINY with a `costs:` section (`text` indented under it)."""
    return TINY + "costs:\n" + "".join(f"  {line}\n" for line in text.splitlines())


CASES += [
    bad_file("a diesel price without its unit", "costs.countries.AA.diesel: give the unit",
             costs("countries: {AA: {diesel: 0.65}}")),
    bad_file("a wage in litres an hour", "'L/h' is not a unit of a cost per hour (l/h is a unit of a fuel use per hour)",
             costs("countries: {AA: {driver_wage: 3 L/h}}")),
    bad_file("fuel use in dollars", "costs.flows.main.fuel_driving: 'usd' is not a unit of a fuel use per distance",
             costs("flows: {main: {fuel_driving: 33 usd}}")),
    bad_file("a cargo time cost as a bare share", "costs.flows.main.cargo_time: give the unit",
             costs("flows: {main: {cargo_time: 1.35}}")),
    bad_file("a negative cargo value", "costs.flows.main.cargo_value: expected an amount of money of at least 0",
             costs("flows: {main: {cargo_value: -5 usd}}")),
    bad_file("a fee of 1e999 dollars", "costs.countries.AA.fees.exit: expected an amount of money that is finite",
             costs("countries: {AA: {fees: {exit: 1e999 usd}}}")),
    bad_file("a fee of inf dollars", "costs.countries.AA.fees.exit: expected an amount of money with its unit",
             costs("countries: {AA: {fees: {exit: inf usd}}}")),
    bad_file("a fee written as true", "costs.countries.AA.fees.exit: expected an amount of money",
             costs("countries: {AA: {fees: {exit: true}}}")),
    bad_file("fees as one number", "costs.countries.AA.fees", costs("countries: {AA: {fees: 40 usd}}")),
    bad_file("a ferry tariff as a list", "costs.ferries", costs("ferries: {default: [1500 usd]}")),
    bad_file("costs of a flow that does not exist", "costs.flows.mian: the scenario has no flow or caravan 'mian'",
             costs("flows: {mian: {cargo_value: 5 usd}}")),
    bad_file("a tariff of a ferry that does not exist", "the scenario has no ferry link",
             costs("ferries: {origin <-> post: 1500 usd}")),
    bad_file("fees at a node that does not exist", "costs.countries.AA.at.nowhere: the scenario has no node 'nowhere'",
             costs("countries: {AA: {at: {nowhere: {fees: {exit: 5 usd}}}}}")),
    bad_file("fees at a terminal", "origin is a terminal: it has no controls and no fees",
             costs("countries: {AA: {at: {origin: {fees: {exit: 5 usd}}}}}")),
    bad_file("fees of a country with no control at the node", "CC has no control at post",
             costs("countries: {CC: {at: {post: {fees: {exit: 5 usd}}}}}")),
    bad_file("a fleet of an unknown engine class", "costs.flows.main.fleet.euro_9: no emission class 'euro_9'",
             costs("flows: {main: {fleet: {euro_9: 1}}}")),
    bad_file("a fleet whose shares do not sum to 1", "costs.flows.main.fleet", costs("flows: {main: {fleet: {euro_6: 0.5}}}")),
    bad_file("an engine on 150% of the time", "costs.flows.main.engine_on.queueing",
             costs("flows: {main: {engine_on: {queueing: 1.5}}}")),
    bad_file("a new emission class without its idle factors", "a new emission class needs nox_idle",
             costs("emissions: {classes: {euro_7: {nox: 1 g/L, pm: 0.01 g/L}}}")),
    bad_file("CO2 per hour where it is per litre", "costs.emissions.co2_ttw: 'kg/h' is not a unit of a mass per litre",
             costs("emissions: {co2_ttw: 2.69 kg/h}")),
    bad_file("a misspelt costs key", "did you mean 'flows'", costs("flow: {main: {cargo_value: 5 usd}}")),
    bad_file("a lower-case country in costs", "costs.countries", costs("countries: {aa: {diesel: 0.65 usd/L}}")),
    bad_file("a payload of 0 t", "costs.flows.main.payload: expected a mass of cargo above 0 t",
             costs("flows: {main: {payload: 0 t}}")),
    bad_file("a default payload of 0 kg", "costs.flows.default.payload: expected a mass of cargo above 0 t",
             costs("flows: {default: {payload: 0 kg}}")),
    Case("run with a payload of 0 t", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2, "costs.flows.main.payload",
         {"s.yaml": costs("flows: {main: {payload: 0 t}}")}),
    bad_file("a unit with markup", "costs.flows.main.payload", costs("flows: {main: {payload: '20 [bold]t'}}")),
    Case("--set a diesel price without its unit", ["validate", "{s.yaml}", "--set", "costs.countries.AA.diesel=0.7"], 2,
         "costs.countries.AA.diesel: give the unit", {"s.yaml": TINY}, out=None),
    Case("run with a wage in the wrong unit", ["run", "{s.yaml}", *QUICK, "-o", "{out}"], 2,
         "is not a unit of a cost per hour", {"s.yaml": costs("countries: {AA: {driver_wage: 3 L/h}}")}),
    Case("compare with an overlay whose fees lack their unit", ["compare", "{s.yaml}", "{b.yaml}", *QUICK, "-o", "{out}"], 2,
         "costs.countries.BB.fees.entry: give the unit",
         {"s.yaml": TINY, "b.yaml": "extends: s.yaml\nname: b\ncosts: {countries: {BB: {fees: {entry: 69}}}}\n"}),
]

# --- calibrate: targets files, several years, --cross-validate, --folds, --csv and --json ------

TWO = TARGETS + "  - {metric: control_time, node: post, value: 2}\n"
YEARS = ("name: t\nscenarios: {2021: y21.yaml}\ntargets:\n  - {metric: lead_time, value: 1}\n"
         "  - {metric: lead_time, value: 1, year: 2021}\n")
CAL = ["calibrate", "{s.yaml}", "{t.yaml}", "-n", "1", "--quiet"]


def cal(id: str, extra: list[str], words: str, targets: str = TARGETS, files: dict | None = None, **kw) -> Case:
    """`calibrate s.yaml t.yaml -n 1 --quiet EXTRA` refused, nothing written."""
    return Case(id, [*CAL, *extra], 2, words, {"s.yaml": TINY, "t.yaml": targets, **(files or {})}, out=None, **kw)


CASES += [
    cal("--cross-validate without --fit", ["--cross-validate"], "--cross-validate refits the search of --fit: give --fit too"),
    cal("--folds without --cross-validate", ["--fit", "traffic.main.per_day=5:30", "--folds", "crossing"],
        "--folds chooses what --cross-validate leaves out: give --cross-validate too"),
    cal("--cross-validate of one target", ["--fit", "traffic.main.per_day=5:30", "--cross-validate"],
        "--folds: target needs at least two groups"),
    cal("--folds year without years", ["--fit", "traffic.main.per_day=5:30", "--cross-validate", "--folds", "year"],
        "--folds: year needs at least two groups", TWO),
    cal("--folds crossing with one node", ["--fit", "traffic.main.per_day=5:30", "--cross-validate", "--folds", "crossing"],
        "--folds: crossing needs at least two groups", TWO),
    cal("--folds direction without directions", ["--fit", "traffic.main.per_day=5:30", "--cross-validate", "--folds",
                                                 "direction"], "--folds: direction needs at least two groups", TWO),
    cal("--folds year with one year", ["--fit", "traffic.main.per_day=5:30", "--cross-validate", "--folds", "year"],
        "--folds: year needs at least two groups", YEARS, {"y21.yaml": "extends: s.yaml\nname: tiny-2021\n"}),
    cal("a year in a targets file with no scenario", [], "targets[0].year: year 2021 is not a year of `scenarios` (years: none)",
        "name: t\ntargets:\n  - {metric: lead_time, value: 1, year: 2021}\n"),
    cal("a year whose scenario file is missing", [], "scenarios.2021: no scenario file", YEARS),
    cal("a year given in words", [], "scenarios", "name: t\nscenarios: {twenty-one: y21.yaml}\ntargets:\n"
                                                 "  - {metric: lead_time, value: 1}\n"),
    cal("a year whose scenario is broken", [], "y21.yaml", YEARS, {"y21.yaml": "extends: s.yaml\nname: [x\n"}),
    cal("a year whose scenario lacks the flow", [], "targets[1].flow: scenario 'tiny-2021' has no flow 'main'",
        YEARS.replace("year: 2021", "year: 2021, flow: main"),
        {"y21.yaml": TINY.replace("name: tiny", "name: tiny-2021").replace("  main:", "  west:")}),
    cal("a source that is not cited", [], "targets[0].source: source 'cpmm' is not a key of `sources`",
        "name: t\nsources: {cpmm22: CPMM 2022}\ntargets:\n  - {metric: lead_time, value: 1, source: cpmm}\n"),
    cal("an unknown metric", [], "targets[0].metric: expected one of", "name: t\ntargets:\n  - {metric: speed, value: 1}\n"),
    cal("a control time without its node", [], "control_time needs node",
        "name: t\ntargets:\n  - {metric: control_time, value: 1}\n"),
    cal("from without to", [], "give both `from` and `to`, or neither",
        "name: t\ntargets:\n  - {metric: lead_time, value: 1, from: origin}\n"),
    cal("a border cost of a crossing without its node", [], "bcp_cost with a crossing needs node",
        "name: t\ntargets:\n  - {metric: bcp_cost, value: 43, crossing: AA->BB}\n"),
    cal("a section cost without its flow", [], "section_cost needs flow",
        "name: t\ntargets:\n  - {metric: section_cost, value: 945}\n"),
    cal("a target of a flow that does not exist", [], "targets[0].flow: scenario 'tiny' has no flow 'mian'",
        "name: t\ntargets:\n  - {metric: lead_time, value: 1, flow: mian}\n"),
    cal("a target of a node that does not exist", [], "targets[0].node: scenario 'tiny' has no node 'psot'",
        "name: t\ntargets:\n  - {metric: control_time, value: 1, node: psot}\n"),
    cal("a crossing that is not at the node", [], "targets[0].crossing: scenario 'tiny' has no crossing 'XX->YY' at post",
        "name: t\ntargets:\n  - {metric: crossing_time, node: post, crossing: XX->YY, value: 5}\n"),
    cal("a crossing written the other way round", [], "its crossings there: AA->BB",
        "name: t\ntargets:\n  - {metric: bcp_cost, node: post, crossing: BB->AA, value: 5}\n"),
    cal("a control time at a terminal", [], "targets[0].node: no route of scenario 'tiny' passes a control at origin",
        "name: t\ntargets:\n  - {metric: control_time, node: origin, value: 5}\n"),
    cal("a border cost at a terminal", [], "passes a control at destination",
        "name: t\ntargets:\n  - {metric: bcp_cost, node: destination, value: 5}\n"),
    cal("a negative tolerance", [], "targets[0].tolerance", TARGETS.replace("value: 1", "value: 1, tolerance: -0.1")),
    cal("no targets", [], "targets", "name: t\ntargets: []\n"),
    cal("a misspelt target key", [], "did you mean 'tolerance'", TARGETS.replace("value: 1", "value: 1, tolerence: 0.1")),
    cal("a fit range whose min is above its max", ["--fit"], "fit[0]: min must be below max",
        TARGETS + "fit:\n  - {path: traffic.main.per_day, min: 30, max: 5}\n"),
    cal("--fit alone without a fit section", ["--fit"], "name the values to fit"),
    cal("--fit without bounds", ["--fit", "traffic.main.per_day"], "expected PATH=LOW:HIGH"),
    cal("--fit with LOW above HIGH", ["--fit", "traffic.main.per_day=30:5"], "LOW must be below HIGH"),
    cal("--generations 0", ["--fit", "traffic.main.per_day=5:30", "--generations", "0"], "--generations must be at least 1"),
    cal("--population 0", ["--fit", "traffic.main.per_day=5:30", "--population", "0"], "--population must be at least 1"),
    cal("--overlay over a file without --force", ["--fit", "traffic.main.per_day=5:30", "--overlay", "{fit.yaml}"],
        "exists; use --force", files={"fit.yaml": "mine\n"}),
    cal("--json a directory", ["--json", "{d}"], "--json", files={"d/notes.txt": "mine"}),
    cal("--csv a directory", ["--csv", "{d}"], "--csv", files={"d/notes.txt": "mine"}),
    cal("--csv through a file", ["--csv", "{s.yaml}/t.csv"], "cannot write"),
    cal("--csv into a new folder, then a refused --fit", ["--csv", "{new}/t.csv", "--fit", "traffic.main.per_day"],
        "expected PATH=LOW:HIGH"),
    cal("--overlay into a new folder, then refused folds",
        ["--fit", "traffic.main.per_day=5:30", "--overlay", "{new}/fit.yaml", "--cross-validate", "--folds", "year"],
        "--folds: year needs at least two groups", TWO),
    Case("validate a targets file whose year has no scenario file", ["validate", "{t.yaml}"], 2, "scenarios.2021: no scenario file",
         {"t.yaml": YEARS}, out=None),
]


# --- uncertainty: the assumptions file, the design's options, the card's directory -------------

ASSUME = ("assumptions:\n  - name: lanes\n    paths: [nodes.post.lanes]\n    range: [1, 2, 3]\n    integer: true\n"
          "    reasoning: 'ASSUMPTION: a lane more or less'\n")
MORE = "extends: s.yaml\nname: more\nnodes: {post: {lanes: 3}}\n"
UNC = ["uncertainty", "{s.yaml}", "{m.yaml}", "--assumptions", "{a.yaml}", "-n", "1", "--trajectories", "0",
       "--samples", "2", "--quiet", "--no-plots", "-o", "{out}"]


def unc(id: str, extra: list[str], words: str, assume: str = ASSUME, files: dict | None = None,
        argv: list[str] | None = None, **kw) -> Case:
    """`uncertainty s.yaml m.yaml --assumptions a.yaml ... EXTRA` refused, nothing written."""
    kw.setdefault("out", None)
    return Case(id, [*(argv or UNC), *extra], 2, words, {"s.yaml": TINY, "m.yaml": MORE, "a.yaml": assume, **(files or {})},
                **kw)


def group(**fields: str) -> str:
    """An assumptions file of one group: ASSUME's with `fields` replaced (a value of '' drops the key)."""
    base = {"name": "lanes", "paths": "[nodes.post.lanes]", "range": "[1, 2, 3]", "integer": "true",
            "reasoning": "'ASSUMPTION: a lane more or less'"}
    base.update(fields)
    return "assumptions:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in base.items() if v != "") + "\n"


def _interrupted_design(path: Path) -> None:
    """`uncertainty ... -o out` stopped after its first point: `out.partial` kept."""
    from corridor_sim import uncertainty

    real = uncertainty.DesignStore.add

    def add_then_stop(self, point) -> None:
        real(self, point)
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as m:
        m.setattr(uncertainty.DesignStore, "add", add_then_stop)
        assert main(_argv(Case("", UNC, 0, ""), path)) == 130


def _edited_design(edit: Callable[[dict], object], sign: bool = True) -> Callable[[Path], None]:
    """An interrupted design whose design.json is edited, its checksum made again (`sign`: a digest
    anyone can recompute) or left as it was."""
    def setup(path: Path) -> None:
        import json

        from corridor_sim.uncertainty import _checksum

        _interrupted_design(path)
        plan = path / "out.partial" / "design.json"
        body = edit(json.loads(plan.read_text(encoding="utf-8")))
        if sign and isinstance(body, dict):
            body["checksum"] = _checksum({k: v for k, v in body.items() if k != "checksum"})
        plan.write_text(json.dumps(body), encoding="utf-8")
    return setup


CASES += [
    unc("uncertainty without --assumptions", [], "give the assumptions file: --assumptions FILE",
        argv=[a for a in UNC if a not in ("--assumptions", "{a.yaml}")]),
    unc("uncertainty without a measure", [], "give at least one measure", argv=[a for a in UNC if a != "{m.yaml}"]),
    unc("uncertainty without a base", [], "give the base scenario", argv=["uncertainty", "-o", "{out}", "--quiet"]),
    unc("uncertainty of a measure named as the base", [], "two scenarios are both named 'tiny'",
        files={"m.yaml": "extends: s.yaml\nnodes: {post: {lanes: 3}}\n"}),
    unc("--threshold nan", ["--threshold", "nan"], "--threshold must be a finite number"),
    unc("--threshold inf", ["--threshold", "inf"], "--threshold must be a finite number"),
    unc("--trajectories -1", ["--trajectories", "-1"], "--trajectories must be between 0 and 10,000"),
    unc("--samples 10^6", ["--samples", "1000000"], "--samples must be between 0 and 10,000"),
    unc("an empty design", ["--samples", "0"], "the design is empty"),
    unc("--calibration without --targets", ["--calibration", "{s.yaml}"], "give --targets too"),
    unc("--flow that does not exist", ["--flow", "mian"], "--flow: scenario 'tiny' has no flow or caravan 'mian'"),
    unc("uncertainty -n 0", ["-n", "0"], "at least 1"),
    unc("uncertainty --workers 0", ["--workers", "0"], "at least 1"),
    unc("uncertainty --seed -1", ["--seed", "-1"], "--seed must be"),
    unc("uncertainty --dask-address with serial", ["--executor", "serial", "--dask-address", "tcp://x:1"],
        "needs --executor dask"),
    unc("--targets of several years", ["--targets", "{t.yaml}"], "holds targets of several years",
        files={"t.yaml": YEARS, "y21.yaml": "extends: s.yaml\nname: tiny-2021\n"}),
    unc("--targets naming a node the base lacks", ["--targets", "{t.yaml}"], "targets[0].node: scenario 'tiny' has no node",
        files={"t.yaml": "name: t\ntargets:\n  - {metric: control_time, value: 1, node: psot}\n"}),
    unc("an assumptions file that is missing", ["--assumptions", "{nope.yaml}"], "file not found"),
    unc("an assumptions file that is a directory", ["--assumptions", "{d}"], "is a directory",
        files={"d/notes.txt": "mine"}),
    unc("a path the base does not have", [], "assumptions[0].paths[0]: scenario 'tiny' has no value at nodes.psot.lanes",
        group(paths="[nodes.psot.lanes]")),
    unc("a range that excludes its central value", [], "the central value 5 lies outside [1, 3]", group(range="[1, 5, 3]")),
    unc("a range whose low is its high", [], "low must be below high", group(range="[2, 2, 2]")),
    unc("a range of two numbers", [], "assumptions[0].range: expected [low, central, high], three numbers",
        group(range="[1, 3]")),
    unc("a range of .nan", [], "assumptions[0].range", group(range="[1, .nan, 3]")),
    unc("a range of .inf", [], "assumptions[0].range", group(range="[1, 2, .inf]")),
    unc("a group with neither source nor reasoning", [], "give a `source` or the `reasoning`", group(reasoning="")),
    unc("an assumptions file with no groups", [], "the design is empty", "assumptions: []\n"),
    unc("two groups of one name", [], "another group is also named 'lanes'",
        ASSUME + ASSUME.removeprefix("assumptions:\n").replace("[1, 2, 3]", "[1, 2, 4]")),
    unc("a misspelt group key", [], "did you mean 'distribution'", group(distributon="uniform")),
    unc("an unknown distribution", [], "assumptions[0].distribution: expected one of", group(distribution="normal")),
    unc("a factor of a name", [], "mode factor needs a number", group(paths="[name]", mode="factor", integer="false",
                                                                       range="[0.5, 1, 1.5]")),
    unc("a range whose low end breaks the scenario", [], "at its low end (0) the scenario is invalid", group(range="[0, 2, 3]")),
    unc("a negative power", [], "a power must be at least 0", group(paths="[traffic.main.per_day]", mode="power",
                                                                    integer="false", range="[-1, 1, 2]")),
    unc("a group name of 81 characters", [], "assumptions[0].name", group(name="x" * 81)),
    unc("a design point over budget", [], "design point", group(paths="[traffic.main.per_day]", integer="false",
                                                                range="[1, 1, 100000]"),
        files={"s.yaml": TINY.replace("horizon: 10d", "horizon: 36500d")}),
    unc("uncertainty -o a run without --force", [], "already exists; use --force",
        files={"out/summary.json": "{}", "out/.corridor-sim-run": "{}"}),
    unc("uncertainty --force on a folder of notes", ["--force"], "not a corridor-sim run", files={"out/thesis.txt": "mine"}),
    unc("uncertainty --force on a foreign DIR.partial", ["--force"], "out.partial is not an interrupted corridor-sim run",
        files={"out.partial/thesis.txt": "mine"}),
    unc("uncertainty --resume of nothing", [], "nothing to resume", argv=["uncertainty", "--resume", "{out}", "--quiet"]),
    unc("uncertainty --resume with the scenario files", ["--resume", "{out}"], "give no scenario files nor --flow"),
    unc("uncertainty of an interrupted design without --resume", [], "holds an interrupted design",
        setup=_interrupted_design),
    unc("uncertainty --resume of a design.json that is a list", [], "design.json has no checksum",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"], setup=_edited_design(lambda d: [d])),
    unc("uncertainty --resume of a hand-edited threshold", [], "design.json has been changed since the design started",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"],
        setup=_edited_design(lambda d: {**d, "threshold": 5.0}, sign=False)),
    unc("uncertainty --resume of a design.json without its base", [], "cannot be read back",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"],
        setup=_edited_design(lambda d: {k: v for k, v in d.items() if k != "base"})),
    unc("uncertainty --resume of a design of 10^9 replications", [],
        "replications must be a whole number from 1 to 100,000",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"],
        setup=_edited_design(lambda d: {**d, "replications": 10**9})),
    unc("uncertainty --resume of a design of 10^5 points", [], "its design must hold at most",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"],
        setup=_edited_design(lambda d: {**d, "design": {**d["design"], "u": [[0.5]] * 10**5,
                                                         "kinds": ["sample"] * 10**5}})),
    unc("uncertainty --resume of damaged design.json", [], "is not an interrupted uncertainty design",
        argv=["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"],
        setup=lambda p: (_interrupted_design(p), (p / "out.partial" / "design.json").write_text("{not json"))),
]


# --- workshop: overlays that are not of the base, too many runs, pages and run directories ------

ETIR = "extends: s.yaml\nname: etir\nlabel: e-TIR\ntraffic: {main: {regime: {paper_tir: 0, etir: 1}}}\n"
LANES = "extends: s.yaml\nname: more-lanes\nnodes: {post: {lanes: 3}}\n"
WS = ["workshop", "{s.yaml}", "{e.yaml}", "{l.yaml}", "-n", "1", "--workers", "1", "--quiet", "-o", "{kit.html}"]


def ws(id: str, extra: list[str], words: str, files: dict | None = None, argv: list[str] | None = None, **kw) -> Case:
    """`workshop s.yaml e.yaml l.yaml -n 1 -o kit.html EXTRA` refused, nothing written."""
    kw.setdefault("out", None)
    return Case(id, [*(argv or WS), *extra], 2, words, {"s.yaml": TINY, "e.yaml": ETIR, "l.yaml": LANES, **(files or {})},
                **kw)


def _interrupted_kit(path: Path) -> None:
    """`workshop ... -o kit.html` stopped after its first replication: `kit-data.partial` kept."""
    from corridor_sim.workshop import build_kit, kit_plan

    kit = build_kit(path / "s.yaml", [path / "e.yaml", path / "l.yaml"])

    def stop(name: str, done: int, total: int) -> None:
        if done >= 1:
            raise _Stop

    from corridor_sim.experiment import Output, run_plan

    with pytest.raises(_Stop):
        run_plan(kit_plan(kit, 1), progress=stop, output=Output(path / "kit-data"))


CASES += [
    ws("an overlay that does not extend the base", [], "does not extend",
       {"e.yaml": ETIR.replace("extends: s.yaml", "extends: other.yaml"), "other.yaml": TINY.replace("name: tiny", "name: other")}),
    ws("an overlay that is the base itself", [], "does not extend", argv=[a if a != "{l.yaml}" else "{s.yaml}" for a in WS]),
    ws("a base without overlays", [], "give the measures after", argv=["workshop", "{s.yaml}", "-o", "{kit.html}", "--quiet"]),
    ws("too many runs for --max-runs", ["--max-runs", "3"], "the kit needs 4 runs"),
    ws("too many combinations for the budget of runs", ["-n", "100", "--max-runs", "100"], "more than --max-runs 100"),
    ws("--max-size 0", ["--max-size", "0"], "at least 1"),
    ws("--max-runs 0", ["--max-runs", "0"], "at least 1"),
    ws("workshop -n 0", ["-n", "0"], "at least 1"),
    ws("workshop --workers 0", ["--workers", "0"], "at least 1"),
    ws("workshop --seed -1", ["--seed", "-1"], "--seed must be"),
    ws("workshop --max-trucks 0", ["--max-trucks", "0"], "at least 1"),
    ws("workshop over budget", ["--max-trucks", "10"], "more than --max-trucks 10"),
    ws("workshop --dask-address with serial", ["--executor", "serial", "--dask-address", "tcp://x:1"], "needs --executor dask"),
    ws("two measures that set one value differently", [], "both set nodes.post.lanes, differently",
       {"e.yaml": ETIR.replace("traffic:", "nodes: {post: {lanes: 4}}\ntraffic:")}),
    ws("one overlay given twice", [], "e.yaml is given twice; give each measure once",
       argv=[a if a != "{l.yaml}" else "{e.yaml}" for a in WS]),
    ws("an overlay named as the base", [], "the base has the name of one of its measures",
       {"l.yaml": LANES.replace("name: more-lanes", "name: tiny")}),
    ws("an overlay with a bad value", [], "nodes.post.lanes", {"l.yaml": LANES.replace("lanes: 3", "lanes: -3")}),
    ws("an overlay that is missing", [], "file not found", argv=[a if a != "{l.yaml}" else "{nope.yaml}" for a in WS]),
    ws("workshop --set a flow that does not exist", ["--set", "traffic.mian.per_day=5"], "mian"),
    ws("a kit page that exists without --force", [], "kit.html exists; use --force", {"kit.html": "<p>mine</p>"}),
    ws("--force on a page that is not a kit", ["--force"], "exists and is not a workshop kit", {"kit.html": "<p>mine</p>"}),
    ws("a kit page that is not HTML", ["-o", "{kit.txt}"], "give a name ending in .html"),
    ws("a kit page that is a directory", [], "is a directory", {"kit.html/notes.txt": "mine"}),
    ws("a kit page through a file", ["-o", "{s.yaml}/kit.html"], "s.yaml"),
    ws("--data a folder of notes", ["--data", "{docs}"], "not a corridor-sim run", {"docs/thesis.txt": "mine"}),
    ws("--data a folder of notes --force", ["--data", "{docs}", "--force"], "not a corridor-sim run", {"docs/thesis.txt": "mine"}),
    ws("--data a run without --force", ["--data", "{out}"], "already holds results", setup=_run_dir),
    ws("--data -o .", ["--data", "."], "cannot be a run directory"),
    ws("workshop --resume of nothing", ["--resume"], "nothing to resume"),
    ws("workshop --resume with other replications", ["--resume", "-n", "2"], "was started with other measures or options",
       setup=_interrupted_kit),
    ws("workshop of an interrupted kit without --resume", [], "holds an interrupted run", setup=_interrupted_kit),
]

# --- plot formats, engines, demos and animations -------------------------------------------------

MAPPED = (TINY.replace("    country: AA\n", "    country: AA\n    lat: 40\n    lon: 50\n")
          .replace("    lanes: 2\n", "    lanes: 2\n    lat: 40\n    lon: 51\n")
          .replace("    country: BB\n", "    country: BB\n    lat: 40\n    lon: 52\n"))
ANIM = ["animate", "{s.yaml}", "-o", "{a.gif}"]

CASES += [
    Case("plot --format gif", ["plot", "{out}", "--format", "gif"], 2, "unknown plot format gif", {"s.yaml": TINY},
         setup=_run_dir, out=None),
    Case("plot --format with markup", ["plot", "{out}", "--format", "png,[bold]svg"], 2, "unknown plot format [bold]svg",
         {"s.yaml": TINY}, setup=_run_dir, out=None),
    Case("plot --format of nothing", ["plot", "{out}", "--format", ","], 2, "unknown plot format (none)", {"s.yaml": TINY}, setup=_run_dir,
         out=None),
    Case("--engine reference on a resumed compare", ["compare", "--resume", "{out}", "--engine", "reference"], 2, "cannot change",
         {"s.yaml": TINY}, setup=lambda p: _partial(p)),
    Case("--engine reference over budget", ["run", "{s.yaml}", *QUICK, "--engine", "reference", "-o", "{out}", "--max-trucks",
                                            "10"], 2, "more than --max-trucks 10", {"s.yaml": TINY}),
    Case("sweep --engine reference of a bad --vary", ["sweep", "{s.yaml}", "--engine", "reference", "--vary",
                                                      "nodes.post.lanes=2,-1", *QUICK, "-o", "{out}"], 2,
         "nodes.post.lanes", {"s.yaml": TINY}),
    Case("demo -n 0", ["demo", "aeo", "-n", "0", "--quiet", "-o", "{out}"], 2, "at least 1"),
    Case("demo --workers 0", ["demo", "aeo", "--workers", "0", "--quiet", "-o", "{out}"], 2, "at least 1"),
    Case("demo -o a folder of notes", ["demo", "aeo", "-n", "1", "--quiet", "-o", "{docs}", "--force"], 2,
         "not a corridor-sim run", {"docs/thesis.txt": "mine"}, out=None),
    Case("demo -o a run without --force", ["demo", "aeo", "-n", "1", "--quiet", "-o", "{out}"], 2, "already holds results",
         {"s.yaml": TINY}, setup=_run_dir, out=None),
    Case("animate without coordinates at one node", ANIM, 2, "nodes.destination: has no lat/lon",
         {"s.yaml": MAPPED.replace("    country: BB\n    lat: 40\n    lon: 52\n", "    country: BB\n")}, out=None),
    Case("animate --days 0", [*ANIM, "--days", "0"], 2, "--days", {"s.yaml": MAPPED}, out=None),
    Case("animate --frames 0", [*ANIM, "--frames", "0"], 2, "--frames", {"s.yaml": MAPPED}, out=None),
    Case("animate --fps 0", [*ANIM, "--fps", "0"], 2, "--fps", {"s.yaml": MAPPED}, out=None),
    Case("animate --replication -1", [*ANIM, "--replication", "-1"], 2, "--replication", {"s.yaml": MAPPED}, out=None),
    Case("animate --seed -1", [*ANIM, "--seed", "-1"], 2, "--seed", {"s.yaml": MAPPED}, out=None),
    Case("animate over a file without --force", ANIM, 2, "--force", {"s.yaml": MAPPED, "a.gif": "mine"}, out=None),
    Case("animate into a directory", ["animate", "{s.yaml}", "-o", "{d.gif}"], 2, "already exists",
         {"s.yaml": MAPPED, "d.gif/notes.txt": "mine"}, out=None),
    Case("animate --force into a directory", ["animate", "{s.yaml}", "-o", "{d.gif}", "--force"], 2, "is a directory",
         {"s.yaml": MAPPED, "d.gif/notes.txt": "mine"}, out=None),
    Case("animate through a file", ["animate", "{s.yaml}", "-o", "{s.yaml}/a.gif"], 2, "is a file, not a directory",
         {"s.yaml": MAPPED}, out=None),
    Case("animate to a file that is not a GIF", ["animate", "{s.yaml}", "-o", "{a.png}"], 2, "ending in .gif",
         {"s.yaml": MAPPED}, out=None),
]

CASES += [
    ws("workshop --trace over budget", ["--trace", "--max-trucks", "300"], "traced trucks a replication"),
    ws("workshop --engine reference over budget", ["--engine", "reference", "--max-trucks", "10"], "more than --max-trucks 10"),
    ws("a level that does not extend the base", [], "does not extend",
       {"half.yaml": ETIR.replace("extends: s.yaml", "extends: other.yaml"), "other.yaml": TINY.replace("name: tiny", "name: other")},
       argv=[a if a != "{e.yaml}" else "{half.yaml},{e.yaml}" for a in WS]),
    ws("an overlay label with markup", [], "brackets", {"l.yaml": LANES + "label: '[/x] more'\n"}),
    unc("--calibration that is missing", ["--targets", "{t.yaml}", "--calibration", "{nope.yaml}"], "file not found",
        files={"t.yaml": TARGETS}),
    unc("--calibration that lacks the targets' node", ["--targets", "{t.yaml}", "--calibration", "{c.yaml}"],
        "targets[0].node: scenario 'cal' has no node 'post'",
        files={"t.yaml": "name: t\ntargets:\n  - {metric: control_time, value: 1, node: post}\n",
               "c.yaml": TINY.replace("name: tiny", "name: cal").replace("post", "gate")}),
    unc("--targets that is a scenario file", ["--targets", "{s.yaml}"], "targets: not a targets file (it is a scenario file)"),
    unc("--assumptions that is a scenario file", ["--assumptions", "{s.yaml}"],
        "assumptions: not an assumptions file (it is a scenario file)"),
    unc("uncertainty with the assumptions file as a measure", [], "a.yaml: is not a scenario file",
        argv=[a if a != "{m.yaml}" else "{a.yaml}" for a in UNC]),
    unc("--assumptions that is a targets file", ["--assumptions", "{t.yaml}"],
        "assumptions: not an assumptions file (it is a targets file)", files={"t.yaml": TARGETS}),
    Case("calibrate a targets file that is a scenario", [*CAL[:2], "{s.yaml}", *CAL[3:]], 2,
         "targets: not a targets file (it is a scenario file)", {"s.yaml": TINY}, out=None),
    Case("calibrate with its files swapped", [CAL[0], "{t.yaml}", "{s.yaml}", *CAL[3:]], 2,
         "is a file of calibration targets (a top-level `targets:` list), not a scenario file",
         {"s.yaml": TINY, "t.yaml": TARGETS}, out=None),
]


def _edited_points(line: str) -> Callable[[Path], None]:
    """An interrupted design with `line` appended to its points.jsonl."""
    def setup(path: Path) -> None:
        _interrupted_design(path)
        with open(path / "out.partial" / "points.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")
    return setup


RESUME_UNC = ["uncertainty", "--resume", "{out}", "--quiet", "--no-plots"]

CASES += [
    unc("--threshold -inf", ["--threshold=-inf"], "--threshold must be a finite number"),
    unc("a factor of a price with its unit", [], "mode factor needs a number",
        group(paths="[costs.countries.AA.diesel]", mode="factor", integer="false", range="[0.5, 1, 1.5]"),
        files={"s.yaml": costs("countries: {AA: {diesel: 0.65 usd/L}}")}),
    unc("uncertainty -o a folder of notes named runs[old]", ["-o", "{runs[old]}", "--force"], "runs[old] is not a corridor-sim run",
        files={"runs[old]/notes.txt": "mine"}),
    unc("uncertainty --resume of a foreign DIR.partial", [], "not an interrupted corridor-sim run", argv=RESUME_UNC,
        files={"out.partial/design.json": "{}", "out.partial/notes.txt": "mine"}),
    unc("uncertainty --resume of a partial without its marker", [], "not an interrupted corridor-sim run", argv=RESUME_UNC,
        setup=lambda p: (_interrupted_design(p), (p / "out.partial" / ".corridor-sim-run").unlink())),
    unc("uncertainty --resume with a point outside the design", [], "points.jsonl holds a point that is not one of this design's", argv=RESUME_UNC,
        setup=_edited_points('{"index": 999, "values": {"lanes": 2}, "lead": {"base": [1.0], "more": [1.0]}}')),
    unc("uncertainty --resume with a point of other scenarios", [], "points.jsonl holds a point that is not one of this design's", argv=RESUME_UNC,
        setup=_edited_points('{"index": 2, "values": {"lanes": 2}, "lead": {"x": [1.0]}}')),
    ws("a kit page named kit[old].html without --force", ["-o", "{kit[old].html}"], "kit[old].html exists",
       {"kit[old].html": "<p>mine</p>"}),
    ws("workshop --set a price without its unit", ["--set", "costs.countries.AA.diesel=0.7"], "give the unit"),
    cal("--json into /proc", ["--json", "/proc/corridor-sim-x/t.json"], "cannot write"),
    cal("--overlay named fit[old].yaml without --force", ["--fit", "traffic.main.per_day=5:30", "--overlay", "{fit[old].yaml}"],
        "fit[old].yaml exists", files={"fit[old].yaml": "mine\n"}),
]

CASES += [
    cal("--overlay the scenario itself, with --force", ["--fit", "traffic.main.per_day=5:30", "--overlay", "{s.yaml}", "--force"],
        "is one of the command's input files"),
    cal("--overlay the base the scenario extends, with --force",
        ["--fit", "traffic.main.per_day=5:30", "--overlay", "{base.yaml}", "--force"], "is one of the command's input files",
        files={"s.yaml": "extends: base.yaml\nname: child\n", "base.yaml": TINY}),
    cal("--csv the scenario file", ["--csv", "{s.yaml}"], "is one of the command's input files"),
    cal("--json the targets file", ["--json", "{t.yaml}"], "is one of the command's input files"),
    cal("--csv a year's scenario file", ["--csv", "{y21.yaml}"], "is one of the command's input files", YEARS,
        {"y21.yaml": "extends: s.yaml\nname: tiny-2021\n"}),
]

CASES += [
    ws("--data the page itself", ["--data", "{kit.html}"], "name the same place"),
    ws("the page inside --data", ["--data", "{kd}", "-o", "{kd}/kit.html"], "name the same place"),
    ws("workshop --resume of a foreign DIR.partial", ["--resume"], "not an interrupted corridor-sim run",
       {"kit-data.partial/thesis.txt": "mine"}),
    ws("workshop --resume of a partial with a damaged plan", ["--resume"], "plan.json",
       setup=lambda p: (_interrupted_kit(p), (p / "kit-data.partial" / "plan.json").write_text("{not json"))),
    ws("--data a folder of notes inside another", ["--data", "{notes}/run"], "not a corridor-sim run",
       {"notes/run/thesis.txt": "mine"}),
]

CASES += [
    cal("--fit a path the scenario does not have", ["--fit", "traffic.mian.per_day=5:30"], "mian"),
    cal("--fit a path that is not a number", ["--fit", "name=1:5"], "name"),
    cal("--fit the number of a list that does not exist", ["--fit", "traffic.main.hourly.30=0:2"], "hourly"),
    ws("workshop --resume --force of nothing", ["--resume", "--force"], "nothing to resume"),
    unc("uncertainty --resume --force of nothing", [], "nothing to resume",
        argv=["uncertainty", "--resume", "{out}", "--force", "--quiet"]),
    Case("run --resume --force of nothing", ["run", "--resume", "{out}", "--force", "--quiet"], 2, "nothing to resume",
         out=None),
]

CASES += [
    unc("uncertainty -o the base file", ["-o", "{s.yaml}"], "s.yaml"),
    unc("uncertainty -o .", ["-o", "."], "cannot be a run directory"),
    unc("uncertainty -o a name too long", ["-o", "{" + "a" * 250 + "}"], "choose a shorter -o"),
    unc("a path through a list item that is not there", [], "has no value at traffic.main.hourly.30",
        group(paths="[traffic.main.hourly.30]", integer="false", range="[0, 1, 2]")),
    ws("a kit page named with an escape", ["-o", "{k\x1b]0;x\x07.html}"], "k\\x1b]0;x\\x07.html exists",
       {"k\x1b]0;x\x07.html": "<p>mine</p>"}),
]

CASES += [
    Case("sweep --vary a price without its unit", ["sweep", "{s.yaml}", "--vary", "costs.countries.AA.diesel=0.6,0.7", *QUICK,
                                                   "-o", "{out}"], 2, "give the unit", {"s.yaml": TINY}),
    Case("sweep --vary a payload down to 0 t", ["sweep", "{s.yaml}", "--vary", "costs.flows.main.payload=0 t,20 t", *QUICK,
                                                "-o", "{out}"], 2, "above 0 t", {"s.yaml": TINY}),
    cal("a negative absolute tolerance", [], "targets[0].abs_tolerance", TARGETS.replace("value: 1", "value: 1, abs_tolerance: -1h")),
    cal("a percentile that is not offered", [], "targets[0].stat: expected one of", TARGETS.replace("value: 1", "value: 1, stat: p99")),
    cal("a target value with a unit", [], "targets[0].value", TARGETS.replace("value: 1", "value: 5 h")),
]

CASES += [
    cal("--fit a flow a year's scenario lacks", ["--fit", "traffic.main.per_day=5:30"],
        "--set traffic.main.per_day: the scenario has no flow 'main'",
        YEARS, {"y21.yaml": TINY.replace("name: tiny", "name: tiny-2021").replace("  main:", "  west:")}),
    ws("workshop --set a horizon of 0", ["--set", "clock.horizon=0d"], "clock.horizon"),
    ws("an overlay whose combination is over budget", ["--max-trucks", "1000"], "more than --max-trucks 1,000",
       {"l.yaml": LANES + "traffic: {main: {per_day: 2000}}\n"}),
]


def _snapshot(root: Path, skip: set[Path]) -> dict[str, tuple[int, int]]:
    """Every file and directory under `root` (size and mtime), leaving out the output directory."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            path = here / name
            if path in skip:
                continue
            info = path.lstat()
            found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return found


def _argv(case: Case, root: Path) -> list[str]:
    """`{name}` -> the scratch path of name, `{}` -> the scratch directory (only in path arguments)."""
    def path(match: re.Match) -> str:
        return str(root / match.group(1)) if match.group(1) else str(root)

    return [arg if arg.startswith(("[", "description=")) else re.sub(r"\{([^{}\s,]*)\}", path, arg) for arg in case.argv]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_hostile_case_ends_in_one_line_and_changes_nothing_else(case: Case, tmp_path: Path, capsys, monkeypatch):
    root = tmp_path / "scratch"
    root.mkdir()
    monkeypatch.chdir(root)
    for name, content in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.setup is not None:
        case.setup(root)
    capsys.readouterr()
    skip = {root / case.out, root / f"{case.out}.partial"} if case.out else set()
    before = _snapshot(root, skip)
    try:
        code = main(_argv(case, root))
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    err = capsys.readouterr().err
    assert code == case.code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert case.words.lower() in lines[0].lower(), lines[0]
    assert _snapshot(root, skip) == before, "something outside the output directory changed"
    if case.out and (root / case.out).exists():  # whatever is there is a whole run
        assert (root / case.out / "summary.json").is_file()


def test_there_are_at_least_250_cases():
    assert len(CASES) >= 250 and len({c.id for c in CASES}) == len(CASES)


def _swap(a: Path, b: Path) -> None:
    a.rename(a.with_name("swap"))
    b.rename(a)
    a.with_name("swap").rename(b)


DAMAGE = {
    "a truncated table piece": lambda rep: (rep / "trucks.csv").write_bytes((rep / "trucks.csv").read_bytes()[:-40]),
    "a table piece gone": lambda rep: (rep / "controls.csv").unlink(),
    "damaged statistics": lambda rep: (rep / "stats.json").write_text("{not json", encoding="utf-8"),
    "the checksums gone": lambda rep: (rep / "pieces.json").unlink(),
    "two replications swapped": lambda rep: _swap(rep, rep.with_name("r00000")),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_piece_of_an_interrupted_run_is_found_and_run_again(damage, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    partial = _partial(tmp_path)
    DAMAGE[damage](partial / "reps" / "tiny" / "r00001")
    capsys.readouterr()
    assert main(["run", "--resume", str(tmp_path / "out"), "--quiet", "--no-plots"]) == 0
    captured = capsys.readouterr()
    warned = [line for line in captured.err.splitlines() if line.strip()]
    assert warned and all(line.startswith("warning: damaged in the interrupted run: tiny replication") for line in warned)
    assert "Traceback" not in captured.err
    # two of three were finished: the damaged one (both, when swapped) and the third run now
    resumed = 0 if damage == "two replications swapped" else 1
    final = captured.out.replace("\n", " ")
    assert (f"{resumed} resumed, {3 - resumed} run now" in final) if resumed else ("resumed" not in final)
    assert main(["run", str(tmp_path / "s.yaml"), "-n", "3", "-o", str(tmp_path / "ref"), "--quiet", "--no-plots"]) == 0
    for name in ("trucks.csv", "controls.csv", "summary.json"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_of_an_older_version_without_a_marker_is_still_replaced(tmp_path, capsys):
    """A run directory from before the marker is known by its files (and nothing else) and its
    manifest's fields: --force replaces it, and says so."""
    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    _run_dir(tmp_path)
    (tmp_path / "out" / ".corridor-sim-run").unlink()
    capsys.readouterr()
    assert main(["run", str(tmp_path / "s.yaml"), *QUICK, "-o", str(tmp_path / "out"), "--force"]) == 0
    assert "replacing the earlier run" in capsys.readouterr().err
    assert (tmp_path / "out" / ".corridor-sim-run").is_file()


def test_stale_copies_of_a_dead_process_are_cleaned_and_only_those(tmp_path, capsys):
    """kill -9 during the final write leaves `.DIR.*.tmp` and `.DIR.old-PID`, and during a
    replication `.rNNNNN.tmp-PID` in the partial: the next run of the directory removes them, and
    nothing that is not marked as ours, not of a dead process, or not of this directory."""
    from corridor_sim.results.ownership import write_marker

    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    partial = _partial(tmp_path)
    dead = _dead_pid()
    ours = [tmp_path / ".out.abcd_123.tmp", tmp_path / f".out.old-{dead}"]
    for path in ours:
        path.mkdir()
        write_marker(path)
        (path / "trucks.csv").write_text("half")
    piece = partial / "reps" / "tiny" / f".r00002.tmp-{dead}"
    piece.mkdir()
    (piece / "trucks.csv").write_text("half")
    kept = {tmp_path / f".out.old-{dead + 1 if dead < 2**22 else 1}": False,  # not marked: someone else's
            tmp_path / f".out.old-{os.getpid()}": True,  # a live process's
            tmp_path / ".outer.abcd_123.tmp": True,  # another directory's
            tmp_path / ".out.abcd_123.tmp.bak": True}  # not a name the program gives
    for path, marked in kept.items():
        path.mkdir()
        if marked:
            write_marker(path)
        (path / "mine.txt").write_text("mine")
    assert main(["run", "--resume", str(tmp_path / "out"), "--quiet", "--no-plots"]) == 0
    assert not any(path.exists() for path in [*ours, piece])
    assert all((path / "mine.txt").read_text() == "mine" for path in kept)


def test_a_parquet_run_plotted_without_pyarrow_is_one_line(tmp_path, capsys, monkeypatch):
    import sys

    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    _parquet_run(tmp_path)
    for module in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, module, None)  # an import of it now fails, as where it is not installed
    capsys.readouterr()
    assert main(["plot", str(tmp_path / "out"), "--no-report"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "trucks.parquet is a Parquet table; reading it needs pyarrow" in err[0], err


@pytest.mark.parametrize("name, text", [("summary.json", "[]"), ("manifest.json", '{"scenarios": 5}'),
                                        ("trucks.csv", "a\n1\n"), ("trucks.csv", "")])
def test_load_results_of_a_damaged_directory_is_an_output_error(name, text, tmp_path):
    """The API refuses a damaged directory with the same one-line error as `plot` (tables when first read)."""
    from corridor_sim.errors import OutputError
    from corridor_sim.results import load_results

    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    _damage(name, text)(tmp_path)
    with pytest.raises(OutputError, match="damaged"):
        len(load_results(tmp_path / "out").trucks)


def test_an_interrupted_demo_points_to_force_not_to_a_resume_it_does_not_have(tmp_path):
    """Through the API too: `run_demo` on a directory with an interrupted demo says to start over."""
    from corridor_sim.demo import run_demo
    from corridor_sim.errors import OutputError

    _interrupted_demo(tmp_path)
    with pytest.raises(OutputError, match=r"out\.partial holds an interrupted run; use --force to start over$"):
        run_demo("aeo", tmp_path / "out", 1, plots=False)


def test_the_latest_start_the_calendar_allows_runs_with_monthly_weights_and_storms():
    """A start near the year 9999 ended in an OverflowError (storms read the date through the
    drain, monthly weights the month after the horizon's); the latest start allowed runs, a
    minute later is refused with the YAML path."""
    import datetime as dt

    from corridor_sim.errors import ScenarioError
    from corridor_sim.model import simulate
    from corridor_sim.scenario.loader import build_scenario, merge

    latest = dt.datetime.max - dt.timedelta(days=366 + 31 + 10)
    data = merge(tiny(), {
        "clock": {"start": latest.strftime("%Y-%m-%dT%H:%M"), "horizon": "10d", "warmup": "1d"},
        "nodes": {"west": {"kind": "port", "country": "BB", "lanes": 2},
                  "destination": {"kind": "port", "country": "BB", "lanes": 2}},
        "links": {"post -> destination": None, "post -> west": {"km": 60},
                  "west <-> destination": {"mode": "ferry", "vessels": 1, "capacity": 10, "sailing": "2h",
                                           "departs": {"every": "12h"}, "storms": {"per_year": 300, "duration": "1d"}}},
        "traffic": {"main": {"route": ["origin", "post", "west", "destination"], "monthly": {12: 3, 1: 0}}}})
    data["links"] = {k: v for k, v in data["links"].items() if v is not None}
    result = simulate(build_scenario(data), 0)
    assert len(result.trucks["arrive_h"]) > 0 and result.ferries
    data["clock"]["start"] = (latest + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    with pytest.raises(ScenarioError, match=r"clock: clock.start 9998-\S+ is too late"):
        build_scenario(data)


def test_files_whose_names_are_not_names_can_be_compared(tmp_path, capsys):
    """Two copies of a scenario keep its name, so the second takes its file's name: `my copy.yaml`
    was refused as a name with a space, and the message blamed --set."""
    import json

    for name in ("base.yaml", "my copy.yaml", "my-copy.yaml", "ça va?.yaml"):
        (tmp_path / name).write_text(TINY, encoding="utf-8")
    files = [str(tmp_path / n) for n in ("base.yaml", "my copy.yaml", "my-copy.yaml", "ça va?.yaml")]
    assert main(["compare", *files, *QUICK, "-o", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["scenarios"]) == ["tiny", "my-copy", "my-copy-2", "a-va"]


def test_a_refused_format_leaves_no_empty_results_folder(tmp_path, capsys, monkeypatch):
    """`--format parquet` without pyarrow is refused before the lock makes `results/`."""
    import sys

    (tmp_path / "s.yaml").write_text(TINY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for module in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, module, None)
    assert main(["run", "s.yaml", *QUICK, "--format", "parquet"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "--format parquet needs pyarrow" in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_an_interrupted_demo_says_how_to_start_over(tmp_path, capsys, monkeypatch):
    """Ctrl-C during a demo: one line that says where the finished replications are and to run it
    again with --force (a demo has no --resume)."""
    from corridor_sim import experiment

    real, calls = experiment._result, []

    def stop(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(experiment, "_result", stop)
    out = tmp_path / "demo"
    assert main(["demo", "aeo", "-n", "2", "--workers", "1", "--quiet", "-o", str(out)]) == 130
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err[-1] == (f"interrupted: the finished replications are in {tmp_path / 'demo.partial'}/; run the demo "
                       "again with --force to start over"), err
    assert "--resume" not in " ".join(err)
