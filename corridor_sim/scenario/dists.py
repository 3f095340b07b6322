"""Probability distributions of the scenario format, sampled through scipy.stats in blocks."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .units import parse_number

MAX_CV = 100.0  # beyond this, lognormal and gamma draws underflow to 0 or overflow
# dist name -> the keys it takes (all required)
DIST_KEYS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "triangular": ("min", "mode", "max"),
    "uniform": ("min", "max"),
    "empirical": ("values",),
}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Dist:
    """A resolved distribution; `params` are in hours (durations) or plain units."""

    kind: str
    params: tuple[float, ...]

    @staticmethod
    def fixed(value: float) -> "Dist":
        return Dist("fixed", (float(value),))

    @property
    def is_fixed(self) -> bool:
        return self.kind == "fixed"

    def mean(self) -> float:
        p = self.params
        if self.kind in ("fixed", "exponential", "lognormal", "gamma"):
            return p[0]
        if self.kind == "triangular":
            return (p[0] + p[1] + p[2]) / 3
        if self.kind == "uniform":
            return (p[0] + p[1]) / 2
        return float(np.mean(p))

    def cv(self) -> float:
        """Coefficient of variation (0 for fixed), used by analytic checks and `show`."""
        m = self.mean()
        if m == 0:
            return 0.0
        if self.kind == "fixed":
            return 0.0
        if self.kind == "exponential":
            return 1.0
        if self.kind in ("lognormal", "gamma"):
            return self.params[1]
        if self.kind == "empirical":
            return float(np.std(self.params)) / m
        return float(self.scipy().std()) / m

    def scipy(self):
        """The scipy.stats frozen distribution (None for fixed and empirical).

        scipy.stats is imported here, not with the module: it takes most of a second to
        import, and validating a scenario or simulating it never needs it.
        """
        from scipy import stats

        p = self.params
        if self.kind == "exponential":
            return stats.expon(scale=p[0])
        if self.kind == "lognormal":
            sigma2 = np.log1p(p[1] ** 2)
            return stats.lognorm(s=np.sqrt(sigma2), scale=p[0] * np.exp(-sigma2 / 2))
        if self.kind == "gamma":
            return stats.gamma(a=1 / p[1] ** 2, scale=p[0] * p[1] ** 2)
        if self.kind == "triangular":
            lo, mode, hi = p
            return stats.triang(c=(mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if self.kind == "uniform":
            return stats.uniform(loc=p[0], scale=p[1] - p[0])
        return None

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` draws from `rng` in one call.

        numpy's Generator methods draw the same distributions as `scipy()` (a test checks it
        with Kolmogorov-Smirnov) at a fraction of scipy's per-call overhead, which matters in
        the model's block refills.
        """
        p = self.params
        kind = self.kind
        if kind == "fixed":
            return np.full(size, p[0])
        if kind == "exponential":
            return rng.exponential(p[0], size)
        if kind == "lognormal":
            sigma2 = np.log1p(p[1] ** 2)
            return rng.lognormal(np.log(p[0]) - sigma2 / 2, np.sqrt(sigma2), size)
        if kind == "gamma":
            return rng.gamma(1 / p[1] ** 2, p[0] * p[1] ** 2, size)
        if kind == "triangular":
            return rng.triangular(p[0], p[1], p[2], size)
        if kind == "uniform":
            return rng.uniform(p[0], p[1], size)
        return rng.choice(np.asarray(p), size=size)

    def scaled(self, factor: float) -> "Dist":
        """The same shape with every value multiplied by `factor` (mean scales too)."""
        if self.kind in ("lognormal", "gamma"):
            return Dist(self.kind, (self.params[0] * factor, self.params[1]))
        return Dist(self.kind, tuple(v * factor for v in self.params))

    def describe(self, fmt: Callable[[float], str] = lambda v: f"{v:g}") -> str:
        p = self.params
        if self.kind == "fixed":
            return fmt(p[0])
        if self.kind == "exponential":
            return f"exponential(mean {fmt(p[0])})"
        if self.kind in ("lognormal", "gamma"):
            return f"{self.kind}(mean {fmt(p[0])}, cv {p[1]:g})"
        if self.kind == "triangular":
            return f"triangular({fmt(p[0])}, {fmt(p[1])}, {fmt(p[2])})"
        if self.kind == "uniform":
            return f"uniform({fmt(p[0])}, {fmt(p[1])})"
        return f"empirical({len(p)} values, mean {fmt(self.mean())})"


def parse_dist(value: object, parse_value: Callable[[object], float]) -> Dist:
    """A Dist from a scalar or a `{dist: ..., ...}` mapping; values go through `parse_value`."""
    if isinstance(value, Dist):
        return value
    if not isinstance(value, dict):
        return Dist.fixed(parse_value(value))
    if "dist" not in value:
        raise ValueError(
            f"a distribution mapping needs a 'dist' key (one of {', '.join(DIST_KEYS)}), got {value!r}"
        )
    kind = value["dist"]
    if not isinstance(kind, str) or kind not in DIST_KEYS:
        raise ValueError(
            f"unknown distribution {kind!r}{did_you_mean(str(kind), list(DIST_KEYS))}; "
            f"expected one of {', '.join(DIST_KEYS)}"
        )
    keys = DIST_KEYS[kind]
    for key in value:
        if key != "dist" and key not in keys:
            raise ValueError(
                f"unknown key {key!r} for a {kind} distribution{did_you_mean(str(key), keys)}; "
                f"expected {', '.join(keys)}"
            )
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"a {kind} distribution needs {', '.join(keys)}; missing {', '.join(missing)}")
    if kind == "empirical":
        values = value["values"]
        if not isinstance(values, list) or not values:
            raise ValueError(f"empirical values must be a non-empty list, got {values!r}")
        return Dist("empirical", tuple(parse_value(v) for v in values))
    if kind in ("lognormal", "gamma"):
        mean = parse_value(value["mean"])
        try:
            cv = parse_number(value["cv"])
        except ValueError:
            raise ValueError(f"cv (the coefficient of variation) must be a number of at least 0, got {value['cv']!r}") from None
        if cv > MAX_CV:
            raise ValueError(f"cv (the coefficient of variation) must be at most {MAX_CV:g}, got {cv:g}")
        if cv == 0 or mean == 0:
            return Dist.fixed(mean)
        return Dist(kind, (mean, cv))
    params = tuple(parse_value(value[k]) for k in keys)
    if kind == "exponential":
        return Dist.fixed(0.0) if params[0] == 0 else Dist(kind, params)
    if kind == "fixed":
        return Dist.fixed(params[0])
    if kind == "triangular":
        lo, mode, hi = params
        if not lo <= mode <= hi:
            raise ValueError(f"triangular needs min <= mode <= max, got {lo:g}, {mode:g}, {hi:g} (hours)")
        return Dist.fixed(lo) if lo == hi else Dist(kind, params)
    lo, hi = params
    if lo > hi:
        raise ValueError(f"uniform needs min <= max, got {lo:g} > {hi:g}")
    return Dist.fixed(lo) if lo == hi else Dist(kind, params)
