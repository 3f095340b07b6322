"""The saving card: what a measure saves, over what range of assumptions, why, and when it fails.

Computed from the design's points alone (uncertainty.py), in point order, with fixed seeds, so
the same points give the same card byte for byte. A saving is the paired difference base -
measure in the mean lead time of every counted truck (hours per truck; positive: the measure
saves). The parts:

- central: the paired saving and its t CI at the central values (as `compare` gives it);
- range: the 5-95% and min-max of the expected saving over the Latin hypercube sample (the
  groups drawn from their distributions), over all points and over those meeting the targets;
- spread: the sample's variance split into the assumptions' part and the simulation noise's
  (the mean squared standard error of the points' paired means);
- probability: the share of sampled points whose saving exceeds zero and the threshold;
- drivers: Morris screening (SALib) of every group, then first-order and total Sobol indices
  (SALib, bootstrap CIs) of the groups that matter, computed on a Gaussian-process emulator
  (scikit-learn, with a noise term) fitted on the sample, its error by 5-fold cross-validation;
- failure: PRIM boxes (EMA Workbench) of the assumptions where the saving is below the threshold,
  sought among the groups whose total index is at least DRIVER_ST (all groups without indices);
- EVPPI: the expected value of learning each group exactly, by regression of the net saving
  (saving - threshold) on that group alone.
"""
from __future__ import annotations

from collections import Counter

import math
import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from .results.stats import mean_ci, paired_difference

if TYPE_CHECKING:
    from .uncertainty import Design, PointResult

SCREEN_SHARE = 0.1      # a group matters when its Morris mu* is at least this share of the largest
MIN_SAMPLE = 8          # sampled points below which no emulator is fitted
SOBOL_N = 1024          # base sample of the Sobol design evaluated on the emulator
BOOTSTRAP = 200         # resamples of the bootstrap CIs (Morris, Sobol)
PRIM_DENSITY = 0.8      # the box kept: the largest coverage with at least this density,
PRIM_MAX_DIMS = 3       # among the boxes that restrict at most this many groups
TORNADO_Q = (0.05, 0.95)
DRIVER_ST = 0.01       # a total index below this drives nothing worth naming


def _num(x: Any) -> float | None:
    """A float for JSON: None for NaN or infinity."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def savings(points: Sequence["PointResult"], measure: str) -> tuple[np.ndarray, np.ndarray]:
    """Per point: the mean paired saving (base - measure) and its squared standard error."""
    means, se2 = [], []
    for p in points:
        d = np.asarray(p.lead["base"], dtype=float) - np.asarray(p.lead[measure], dtype=float)
        d = d[np.isfinite(d)]
        means.append(float(d.mean()) if len(d) else float("nan"))
        se2.append(float(d.var(ddof=1) / len(d)) if len(d) > 1 else float("nan"))
    return np.asarray(means), np.asarray(se2)


def spread(values: np.ndarray, se2: np.ndarray) -> dict[str, Any]:
    """The sample's variance of the saving, split between the assumptions and simulation noise."""
    total = float(np.var(values, ddof=1)) if len(values) > 1 else float("nan")
    noise = float(np.nanmean(se2)) if len(se2) and np.isfinite(se2).any() else float("nan")
    if not math.isfinite(total) or total <= 0:
        return {"variance": _num(total), "noise_variance": _num(noise), "assumptions_share": None, "noise_share": None}
    noise_share = min(noise / total, 1.0) if math.isfinite(noise) else float("nan")
    return {"variance": total, "noise_variance": _num(noise), "assumptions_share": _num(1 - noise_share),
            "noise_share": _num(noise_share)}


def value_range(values: np.ndarray) -> dict[str, Any]:
    values = values[np.isfinite(values)]
    if not len(values):
        return {"n": 0, "p05": None, "p95": None, "min": None, "max": None, "mean": None}
    q05, q95 = np.quantile(values, [0.05, 0.95])
    return {"n": int(len(values)), "p05": float(q05), "p95": float(q95), "min": float(values.min()),
            "max": float(values.max()), "mean": float(values.mean())}


def morris_screen(u: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int) -> list[dict[str, Any]]:
    """Morris elementary effects (SALib) of each group over its whole range, in hours."""
    from SALib.analyze import morris

    from .uncertainty import MORRIS_LEVELS, unit_problem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one trajectory has no sigma: numpy says so, the card gives None
        result = morris.analyze(unit_problem(names), u, y, num_levels=MORRIS_LEVELS, conf_level=0.95,
                                num_resamples=BOOTSTRAP, seed=seed)
    rows: list[dict[str, Any]] = [{"group": n, "mu_star": _num(result["mu_star"][i]), "mu_star_conf": _num(result["mu_star_conf"][i]),
             "mu": _num(result["mu"][i]), "sigma": _num(result["sigma"][i])} for i, n in enumerate(names)]
    top = max((r["mu_star"] or 0.0 for r in rows), default=0.0)
    for r in rows:
        r["matters"] = bool(top > 0 and (r["mu_star"] or 0.0) >= SCREEN_SHARE * top)
    return rows


def fit_emulator(u: np.ndarray, y: np.ndarray, seed: int):
    """A Gaussian process with a noise term, fitted on all points; its error on points held back:
    each fifth of them predicted by the process fitted on the other four (5-fold cross-validation)."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    from sklearn.model_selection import KFold, cross_val_predict

    dims = u.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF([0.5] * dims, (1e-2, 1e2)) + WhiteKernel(0.1, (1e-8, 1e1))
    gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes of the kernel's optimiser
        predicted = cross_val_predict(gp, u, y, cv=KFold(min(5, len(y))))
        model = gp.fit(u, y)
    error = predicted - y
    spread_y = float(np.var(y))
    check = {"held_out": int(len(y)), "folds": min(5, len(y)), "rmse": float(np.sqrt(np.mean(error ** 2))),
             "r2": _num(1 - float(np.mean(error ** 2)) / spread_y) if spread_y > 0 else None,
             "kernel": str(model.kernel_)}
    return model, check


def sobol_indices(predict: Callable[[np.ndarray], np.ndarray], names: Sequence[str], seed: int,
                  n: int = SOBOL_N) -> list[dict[str, Any]]:
    """First-order and total Sobol indices (SALib, Saltelli's design) of `predict` over the unit
    cube, with bootstrap 95% CIs."""
    from SALib.analyze import sobol
    from SALib.sample import sobol as sobol_sample

    from .uncertainty import unit_problem

    problem = unit_problem(names)
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = np.asarray(predict(x), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, num_resamples=BOOTSTRAP,
                               seed=seed)
    return [{"group": name, "S1": _num(result["S1"][i]), "S1_conf": _num(result["S1_conf"][i]),
             "ST": _num(result["ST"][i]), "ST_conf": _num(result["ST_conf"][i])} for i, name in enumerate(names)]


def prim_boxes(values: dict[str, np.ndarray], fails: np.ndarray, units: dict[str, tuple[float, float]]
               ) -> dict[str, Any] | None:
    """The box (EMA Workbench's PRIM) of assumptions where the measure fails: the step of the
    peeling trajectory that restricts at most PRIM_MAX_DIMS groups with the largest coverage among
    those of density at least PRIM_DENSITY (else the densest such step)."""
    import logging

    import pandas as pd

    if fails.sum() == 0 or fails.all() or len(fails) < MIN_SAMPLE:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    x = pd.DataFrame(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library's own deprecation notes
        finder = prim.Prim(x, fails.astype(bool), threshold=PRIM_DENSITY, peel_alpha=0.1)
        box = finder.find_box()
    trajectory = box.peeling_trajectory
    readable = trajectory[trajectory["res_dim"] <= PRIM_MAX_DIMS]  # a box a trainer can read, and that a
    dense = readable[readable["density"] >= PRIM_DENSITY]          # small sample does not overfit
    step = int(dense.sort_values(["coverage", "density"], ascending=False).index[0]) if len(dense) \
        else int(readable["density"].idxmax())
    row = trajectory.loc[step]
    box.select(step)
    limits = []
    start = box.box_lims[0]  # the sample's own extent: a limit there restricts nothing
    for name in x.columns:
        low, high = float(box.box_lim[name].iloc[0]), float(box.box_lim[name].iloc[1])
        if low > float(start[name].iloc[0]) or high < float(start[name].iloc[1]):
            limits.append({"group": name, "low": low, "high": high, "range": list(units[name]),
                           "lower_bound": low > float(start[name].iloc[0]),
                           "upper_bound": high < float(start[name].iloc[1])})
    inside = int(round(float(row["n"])))
    return {"coverage": float(row["coverage"]), "density": float(row["density"]), "points_in_box": inside,
            "failing_points": int(fails.sum()), "points": int(len(fails)), "limits": limits}


def box_words(measure: str, threshold: float, box: dict[str, Any] | None, failing: int, total: int) -> str:
    """The box in a sentence a trainer can read."""
    if total == 0:
        return f"{measure}: no sampled points."
    if failing == 0:
        return f"{measure} saves at least {threshold:g} h at every one of the {total} sampled points."
    if failing == total:
        return f"{measure} saves less than {threshold:g} h at every one of the {total} sampled points."
    if box is None or not box["limits"]:
        return (f"{measure} saves less than {threshold:g} h at {failing} of {total} sampled points, "
                "with no box of assumptions that singles them out.")
    parts = []
    for lim in box["limits"]:
        if lim["lower_bound"] and lim["upper_bound"]:
            parts.append(f"{lim['group']} is between {lim['low']:.3g} and {lim['high']:.3g}")
        elif lim["lower_bound"]:
            parts.append(f"{lim['group']} is above {lim['low']:.3g}")
        else:
            parts.append(f"{lim['group']} is below {lim['high']:.3g}")
    return (f"{measure} saves less than {threshold:g} h when {' and '.join(parts)} "
            f"(coverage {box['coverage']:.0%}: the box holds that many of the {failing} failing points; "
            f"density {box['density']:.0%}: that share of the points in the box fail).")


def evppi(u: np.ndarray, net: np.ndarray, names: Sequence[str], seed: int) -> dict[str, Any]:
    """Expected value of perfect information, overall and per group (regression on that group
    alone by a one-dimensional Gaussian process), for the choice adopt / do not adopt with the
    net benefit `saving - threshold` in hours per truck."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    now = max(float(net.mean()), 0.0)
    out: dict[str, Any] = {"evpi": float(np.mean(np.maximum(net, 0.0))) - now, "groups": {}}
    for j, name in enumerate(names):
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(0.3, (1e-2, 1e2)) + WhiteKernel(0.5, (1e-8, 1e1))
        model = GaussianProcessRegressor(kernel, normalize_y=True, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = model.fit(u[:, [j]], net).predict(u[:, [j]])
        out["groups"][name] = max(float(np.mean(np.maximum(fitted, 0.0))) - max(float(fitted.mean()), 0.0), 0.0)
    return out


def saving_card(design: "Design", points: Sequence["PointResult"], measure: str, threshold: float,
                ranges: dict[str, tuple[float, float]], seed: int) -> dict[str, Any]:
    """The card of one measure (see the module's docstring); `ranges`: each group's low and high."""
    names = list(design.names)
    kinds = np.asarray(design.kinds)
    u = np.asarray(design.u, dtype=float)
    y, se2 = savings(points, measure)
    central = paired_difference(points[0].lead["base"], points[0].lead[measure])
    card: dict[str, Any] = {
        "measure": measure, "threshold_h": threshold, "model_runs": None,
        "central": {k: _num(central[k]) for k in ("mean", "ci_low", "ci_high", "half_width")}
        | {"n": int(central["n"]), "values": points[0].values},
    }
    sample = kinds == "sample"
    ys, se2s = y[sample], se2[sample]
    card["range"] = value_range(ys)
    plausible = np.asarray([p.plausible for p in points], dtype=object)[sample]
    if any(v is not None for v in plausible):
        card["range_plausible"] = value_range(ys[plausible == True])  # noqa: E712 (an array of objects)
    card["spread"] = spread(ys, se2s)
    finite = ys[np.isfinite(ys)]
    card["probability"] = {"n": int(len(finite)),
                           "above_zero": _num(np.mean(finite > 0)) if len(finite) else None,
                           "above_threshold": _num(np.mean(finite > threshold)) if len(finite) else None}
    morris_rows = kinds == "morris"
    if morris_rows.any() and np.isfinite(y[morris_rows]).all():
        card["screening"] = morris_screen(u[morris_rows], y[morris_rows], names, seed)
    else:
        card["screening"] = None
    matters = [r["group"] for r in card["screening"] or [] if r["matters"]] if card["screening"] else names
    card["indices"], card["emulator"], card["tornado"] = None, None, None
    us = u[sample]
    if len(ys) >= MIN_SAMPLE and np.isfinite(ys).all() and matters and np.var(ys) > 0:
        cols = [names.index(m) for m in matters]
        model, check = fit_emulator(us[:, cols], ys, seed)
        card["emulator"] = check | {"groups": matters, "points": int(len(ys))}
        card["indices"] = sobol_indices(lambda x: model.predict(x), matters, seed)
        centre = np.asarray(design.u[0], dtype=float)[cols]
        card["emulator"]["at_central"] = float(model.predict(centre[None, :])[0])
        tornado = []
        for k, name in enumerate(matters):
            at = np.tile(centre, (2, 1))
            at[:, k] = TORNADO_Q
            low, high = model.predict(at)
            tornado.append({"group": name, "at_p05": float(low), "at_p95": float(high),
                            "swing": float(abs(high - low))})
        card["tornado"] = sorted(tornado, key=lambda r: -r["swing"])
        card["evppi"] = evppi(us, ys - threshold, names, seed)
    else:
        card["evppi"] = None
    if len(ys) and np.isfinite(ys).all():
        # the box is sought among the groups that drive the saving (a feature selection before PRIM: with
        # a small sample, peeling along the others only fits noise)
        drivers = [r["group"] for r in card["indices"] or [] if (r["ST"] or 0.0) >= DRIVER_ST] or names
        values = {n: np.asarray([p.values[n] for p, s in zip(points, sample) if s], dtype=float) for n in drivers}
        fails = ys < threshold
        box = prim_boxes(values, fails, ranges)
        card["failure"] = {"box": box, "words": box_words(measure, threshold, box, int(fails.sum()), len(ys))}
    else:
        card["failure"] = None
    card["drivers"] = _drivers(card)
    return card


def _drivers(card: dict[str, Any]) -> list[str]:
    """The three groups that drive the saving most: by total Sobol index, else by Morris mu*."""
    if card.get("indices"):
        rows = sorted(card["indices"], key=lambda r: -(r["ST"] or 0.0))
        return [r["group"] for r in rows[:3] if (r["ST"] or 0.0) >= DRIVER_ST]
    if card.get("screening"):
        rows = sorted(card["screening"], key=lambda r: -(r["mu_star"] or 0.0))
        return [r["group"] for r in rows[:3] if (r["mu_star"] or 0) > 0]
    return []


def baseline_range(points: Sequence["PointResult"]) -> dict[str, Any]:
    """The base's mean lead time over the design: the points where it is lowest and highest, with
    their t CIs over replications."""
    cis = [mean_ci(p.lead["base"]) for p in points]
    means = np.asarray([c["mean"] for c in cis])
    out: dict[str, Any] = {"central": {k: _num(v) for k, v in cis[0].items()} | {"n": int(cis[0]["n"])}}
    for key, i in (("lowest", int(np.nanargmin(means))), ("highest", int(np.nanargmax(means)))):
        out[key] = {"point": i, "values": points[i].values} | {k: _num(v) for k, v in cis[i].items()} \
            | {"n": int(cis[i]["n"])}
    return out


def plausible_counts(points: Sequence["PointResult"], design: "Design") -> dict[str, Any] | None:
    """How many sampled points meet every target, of how many, and the targets that rule out the
    most sampled points (most first): where the data and the assumptions' ranges disagree."""
    sampled = [p for p, k in zip(points, design.kinds) if k == "sample"]
    if all(p.plausible is None for p in points):
        return None
    missed = Counter(t for p in sampled for t in p.missed or [])
    return {"sampled": len(sampled), "plausible": sum(1 for p in sampled if p.plausible),
            "all_points_plausible": sum(1 for p in points if p.plausible), "all_points": len(points),
            "ruled_out_by": [{"target": t, "points": n} for t, n in sorted(missed.items(), key=lambda i: (-i[1], i[0]))]}


def plausible_words(counts: dict[str, Any] | None, top: int = 3) -> str | None:
    """The counts in one sentence: how many sampled points meet every target, and which rule out most."""
    if not counts:
        return None
    words = f"{counts['plausible']} of {counts['sampled']} sampled points meet every target"
    ruled = counts.get("ruled_out_by") or []
    if ruled:
        words += "; missed most often: " + ", ".join(f"{r['target']} ({r['points']} points)" for r in ruled[:top])
    return words


def card_summary(inputs, points: Sequence["PointResult"]) -> dict[str, Any]:
    """The `uncertainty` section of summary.json: the design, the base's range, a card per measure."""
    design = inputs.design
    ranges = {a.name: (a.range[0], a.range[2]) for a in inputs.assumptions.assumptions}
    runs_per_point = inputs.replications * (1 + len(inputs.measures)
                                            + (1 if inputs.targets is not None and inputs.calibration is not None else 0))
    kinds = list(design.kinds)
    section: dict[str, Any] = {
        "groups": [{"name": a.name, "paths": list(a.paths), "range": list(a.range), "distribution": a.distribution,
                    "mode": a.mode} for a in inputs.assumptions.assumptions],
        "design": {"points": len(kinds), "central": kinds.count("central"), "morris": kinds.count("morris"),
                   "trajectories": design.trajectories, "sample": kinds.count("sample"),
                   "replications": inputs.replications, "seed": inputs.seed,
                   "model_runs": runs_per_point * len(kinds)},
        "threshold_h": inputs.threshold,
        "baseline_lead_time_h": baseline_range(points),
        "plausible": plausible_counts(points, design),
        "measures": {},
    }
    for m in inputs.measures:
        card = saving_card(design, points, m.name, inputs.threshold, ranges, inputs.seed)
        card["model_runs"] = section["design"]["model_runs"]
        section["measures"][m.name] = card
    return section
