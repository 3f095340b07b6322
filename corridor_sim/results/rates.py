"""Shares of trucks (of the non-compliant ones: found at a border, in audit, missed) from counts
pooled over replications, with a Wilson interval and the count they rest on.

A share from a handful of trucks is not precise: four non-compliant trucks of which none was
found gave `0.00 [0, 0]` as a mean over replications with a t interval. Pooled, 0 of 4 has a
Wilson interval of 0 to 0.49, and below `MIN_TRIALS` the tables show "-" with the count.
"""
from __future__ import annotations

import math
from typing import Any

MIN_TRIALS = 10
"""The fewest trucks (pooled over replications) a share is shown for. Below it one truck more or
less moves the share by ten points or more and its 95% Wilson interval spans more than a quarter
of the range (0 of 10: 0 to 0.28), so a figure would look like a finding and say nothing: tables
show "-" with the count instead."""

LEVEL = 0.95


def wilson(k: int, n: int, level: float = LEVEL) -> dict[str, Any]:
    """`k` of `n` trucks as a share with its Wilson score interval (the interval of
    `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`, worked out here so that a run
    does not import scipy.stats: tests check the two agree). `pooled`: the counts are sums over
    replications, each truck one trial."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"a share needs 0 <= k <= n and n > 0, got {k} of {n}")
    from scipy.special import ndtri

    z = float(ndtri(0.5 + level / 2))
    p = k / n
    scale = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return {"mean": p, "ci_low": low, "ci_high": high, "half_width": (high - low) / 2, "k": int(k), "n": int(n),
            "interval": "wilson, pooled over replications"}


def pooled_share(reps: list[dict[str, Any]], count: str, of: str) -> dict[str, Any] | None:
    """The share `count` / `of` with both summed over the replications `reps` (None when no
    replication has any `of`: there is no share to give)."""
    n = int(sum(r.get(of, 0) for r in reps))
    if n <= 0:
        return None
    return wilson(int(sum(r.get(count, 0) for r in reps)), n)


def shown(d: dict[str, Any] | None) -> bool:
    """Whether a share rests on enough trucks to be shown (`MIN_TRIALS`); a share kept before
    the counts were (no `n`) is shown as it was."""
    if not d or d.get("mean") != d.get("mean"):
        return False
    return int(d.get("n", MIN_TRIALS)) >= MIN_TRIALS


def share_text(d: dict[str, Any] | None, digits: int = 2, interval: bool = True, percent: bool = False,
               count: str = "n ") -> str:
    """`0.50 (0.45 to 0.55, n 412)`, `0.50 (n 412)` without the interval, `– (n 4)` below the
    minimum count, `–` where there is no share (`count`: what goes before the count)."""
    if not d or d.get("mean") != d.get("mean"):
        return "–"
    trials = f"{count}{d['n']:,}" if "n" in d else ""
    if not shown(d):
        return f"– ({trials})" if trials else "–"

    def fmt(x: float) -> str:
        return f"{100 * x:.{max(digits - 2, 0)}f}%" if percent else f"{x:.{digits}f}"

    parts = [f"{fmt(d['ci_low'])} to {fmt(d['ci_high'])}"] if interval else []
    parts += [trials] if trials else []
    return f"{fmt(d['mean'])} ({', '.join(parts)})" if parts else fmt(d["mean"])
