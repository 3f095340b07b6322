"""`sweep`: a grid of scenario variants (`--vary PATH=V1,V2,...`) with common random numbers."""
from __future__ import annotations

import argparse
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import Problem, ScenarioError
from ..scenario.yamlfile import parse_value, yaml_error_text
from .common import (add_experiment_options, check_experiment_args, console, final_line, output_dir, result_warnings,
                     run_to_directory)

if TYPE_CHECKING:
    from ..results.run_result import RunResult

NUMBER = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
RANGE = re.compile(rf"^\s*({NUMBER})\s*:\s*({NUMBER})\s*:\s*({NUMBER})\s*$")
MAX_POINTS_PER_RANGE = 10_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a grid of scenario variants (--vary PATH=V1,V2,...) with common random numbers",
                       description="Run every point of a grid of scenario variants on the same replications and "
                                   "seeds. Each --vary PATH=V1,V2,... adds a dimension (values are read as YAML, "
                                   "like --set); START:STOP:STEP gives numbers from START to STOP inclusive.")
    p.add_argument("file", metavar="SCENARIO", nargs="?", help="the base scenario file (not needed with --resume)")
    p.add_argument("--vary", action="append", default=[], metavar="PATH=V1,V2,...",
                   help="a dimension of the grid, e.g. nodes.post.lanes=2,3,4 or traffic.main.aeo=0:1:0.25 (repeatable)")
    add_experiment_options(p, "results/<name>-sweep")
    p.set_defaults(func=sweep)


def _range(text: str, where: str) -> list[Any]:
    m = RANGE.match(text)
    assert m is not None
    start, stop, step = (Decimal(g) for g in (m.group(1), m.group(5), m.group(9)))
    if step <= 0 or stop < start:
        raise ScenarioError(Problem(where, f"{text!r}: expected START:STOP:STEP with STEP > 0 and STOP >= START"))
    count = int((stop - start) / step) + 1
    if count > MAX_POINTS_PER_RANGE:
        raise ScenarioError(Problem(where, f"{text!r} gives {count} values; at most {MAX_POINTS_PER_RANGE}"))
    integral = all(d == d.to_integral_value() and "." not in g and "e" not in g.lower()
                   for d, g in ((start, m.group(1)), (stop, m.group(5)), (step, m.group(9))))
    values = [start + i * step for i in range(count)]
    return [int(v) if integral else float(v) for v in values]


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """`nodes.post.lanes=2,3,4` -> ('nodes.post.lanes', [2, 3, 4]); `a.b=0:1:0.5` -> ('a.b', [0.0, 0.5, 1.0])."""
    path, sep, values_text = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not p.strip() for p in path.split(".")):
        raise ScenarioError(Problem("--vary", f"expected PATH=V1,V2,... or PATH=START:STOP:STEP, got {text!r}"))
    where = f"--vary {path}"
    values: list[Any] = []
    for item in values_text.split(","):
        if not item.strip():
            raise ScenarioError(Problem(where, f"an empty value in {values_text!r}"))
        if RANGE.match(item):
            values += _range(item, where)
            continue
        try:
            values.append(parse_value(item))
        except yaml.YAMLError as exc:
            from ..scenario.problems import short  # pydantic: only for the error

            raise ScenarioError(Problem(where, f"cannot read the value {short(item)}: {yaml_error_text(exc)}")) from None
    return path, values


def _f(x: Any, digits: int = 2, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def print_sweep(result: RunResult) -> None:
    from ..experiment import short_keys
    from .tables import add_number_columns, text_table

    table = result.sweep
    paths = list(result.summary_dict["sweep"]["vary"])
    out = text_table(f"sweep over {', '.join(paths)}: lead time of all counted trucks "
                     f"({result.summary_dict['replications']} replications per point)")
    keys = short_keys(paths)
    add_number_columns(out, [*(keys[p] for p in paths), "mean h", "±95% CI", "p95 h", "vs first h", "95% CI"])
    for row in table.to_dict("records"):
        if "lead_time_mean_h" not in row or row["lead_time_mean_h"] != row["lead_time_mean_h"]:
            out.add_row(*[str(row[p]) for p in paths], "no counted trucks", "", "", "", "")
            continue
        diff = row.get("difference_h")
        ci = f"[{_f(row.get('difference_ci_low_h'), 2, True)}, {_f(row.get('difference_ci_high_h'), 2, True)}]" \
            if row["point"] else ""
        out.add_row(*[str(row[p]) for p in paths], _f(row["lead_time_mean_h"]), _f(row["lead_time_half_width_h"]),
                    _f(row["lead_time_p95_h"]), _f(diff, 2, True) if row["point"] else "baseline", ci)
    console.print(out)


def sweep(args: argparse.Namespace) -> int:
    from ..experiment import resume_plan, sweep_plan
    from ..scenario import load_scenario

    check_experiment_args(args, [args.file])
    if args.file:
        vary = dict(parse_vary(v) for v in args.vary)
        if len(vary) < len(args.vary):
            raise ScenarioError(Problem("--vary", "the same PATH is varied twice; give all its values in one --vary"))
        base = load_scenario(args.file, args.overrides)
        plan = sweep_plan(base, vary, args.replications, args.seed, args.trace)
        target = output_dir(args, f"{base.name}-sweep")
    else:
        plan = resume_plan(args.resume, "sweep")
        target = output_dir(args, "")
    result = run_to_directory(args, plan, target)
    print_sweep(result)
    result_warnings(result)
    final_line(result, target)
    return 0
