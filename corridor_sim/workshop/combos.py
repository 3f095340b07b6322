"""A workshop kit's scenarios: the base and every combination of its measures, one scenario each.

A measure is an overlay of the base (`extends:`, directly or through other files). Its *layer* is
what its files set over the base; a combination lays the layers of its measures over the base, in
the order the measures were given, and applies `--set` last, as `compare` does for each file. A
single measure's scenario is its overlay as `compare` would run it (only its name and label
differ, which draw no random numbers), so the kit's figures for one measure are `compare`'s.
Two measures that set the same value differently are refused: their combination would depend on
the order they were named in.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import CorridorSimError, Problem, ScenarioError
from ..scenario import Scenario, load_scenario
from ..scenario.loader import build_scenario, derive, merge, read_chain, set_leaves

OWN_KEYS = ("extends", "name", "label", "description")  # what names a file, not what it changes
JOIN = "__"  # combination names: etir__extra-ferry


@dataclass(frozen=True)
class Measure:
    """One overlay of the base: its key (the overlay's scenario name), label and file."""

    key: str
    label: str
    file: str
    layer: Mapping[str, Any]


@dataclass(frozen=True)
class Kit:
    """The base, the measures and the scenario of each combination (the base's first, no measure)."""

    base: Scenario
    measures: tuple[Measure, ...]
    combinations: tuple[tuple[str, ...], ...]
    scenarios: tuple[Scenario, ...]
    max_size: int

    def runs(self, replications: int) -> int:
        return len(self.scenarios) * replications


def overlay_layer(overlay: Path, base: Path) -> dict[str, Any]:
    """What `overlay` sets over `base`: its files between it and the base, merged; CorridorSimError
    when the base is not among the files it extends."""
    chain = read_chain(overlay)
    paths = [doc.path.resolve() for doc in chain]
    if base.resolve() not in paths[1:]:
        names = " -> ".join(p.name for p in paths)
        raise CorridorSimError(f"{overlay}: does not extend {base} (its files: {names}); each measure of a "
                               "workshop is an overlay of its base (extends: ...)")
    data: dict[str, Any] = {}
    for doc in reversed(chain[:paths.index(base.resolve(), 1)]):
        data = merge(data, doc.data)
    for key in OWN_KEYS:
        data.pop(key, None)
    return data


def _leaves(data: Mapping[str, Any], parts: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.update(_leaves(value, (*parts, str(key))))
        else:
            out[(*parts, str(key))] = value
    return out


def check_compatible(measures: list[Measure]) -> None:
    """Refuse two measures that set one value differently (sources, which cite, are not values)."""
    leaves = [{p: v for p, v in _leaves(m.layer).items() if p[0] != "sources"} for m in measures]
    for (a, la), (b, lb) in itertools.combinations(zip(measures, leaves), 2):
        for path, value in la.items():
            clash = path in lb and lb[path] != value
            nested = next((q for q in lb if q != path and (q[:len(path)] == path or path[:len(q)] == q)), None)
            if clash or nested:
                where = ".".join(path if clash or nested is None or len(path) <= len(nested) else nested)
                raise CorridorSimError(f"{a.file} and {b.file} both set {where}, differently: their combination "
                                       "would depend on the order they are named in; give only one of them")


def measures_of(base: Path, overlays: Iterable[str | Path], labels: Mapping[str, str] | None = None) -> list[Measure]:
    """Each overlay file as a measure, keyed by its scenario name (its file's stem where two share one),
    named by its `label`, else by `labels` (by key), else by its key."""
    measures: list[Measure] = []
    for file in overlays:
        path = Path(file)
        layer = overlay_layer(path, base)
        scenario = load_scenario(path)
        key = scenario.name
        if key in {m.key for m in measures}:
            key = path.stem
        if key in {m.key for m in measures}:
            raise CorridorSimError(f"{path}: another overlay of this workshop has the same name {key!r}; give each "
                                   "measure once")
        measures.append(Measure(key, scenario.label or (labels or {}).get(key) or key, str(path), layer))
    return measures


def combinations(keys: list[str], max_size: int) -> list[tuple[str, ...]]:
    """Every combination of up to `max_size` measures, smallest first, in the order they were given."""
    return [combo for size in range(1, max_size + 1) for combo in itertools.combinations(keys, size)]


def combination_scenario(base: Scenario, chosen: list[Measure], overrides: Iterable[str] | Mapping[str, Any],
                         base_file: str) -> Scenario:
    """The base with the measures' layers laid over it, named after them; `--set` applied last."""
    data = base.raw
    for m in chosen:
        data = merge(data, m.layer)
    name = JOIN.join(m.key for m in chosen)
    data = {**data, "name": name, "label": " + ".join(m.label for m in chosen),
            "description": f"{base.name} with " + ", ".join(m.key for m in chosen)}
    set_by = [(leaf, Path(m.file).name) for m in chosen for leaf in set_leaves((), m.layer)]
    try:
        scenario = build_scenario(data, [], [], base.set_by + set_by)
        return derive(scenario, overrides) if overrides else scenario
    except ScenarioError as exc:
        files = " + ".join(Path(m.file).name for m in chosen)
        raise ScenarioError([Problem(f"{p.path}", f"{p.message} (in {files} over {base_file})", file=p.file)
                             for p in exc.problems]) from None


def build_kit(base_file: str | Path, overlay_files: Iterable[str | Path], max_size: int | None = None,
              overrides: Iterable[str] | Mapping[str, Any] = (), labels: Mapping[str, str] | None = None) -> Kit:
    """The kit of `base_file` and its measure overlays: every combination of up to `max_size`
    measures (default: all of them together too); `labels` names measures whose files give none."""
    base_path = Path(base_file)
    overrides = overrides if isinstance(overrides, Mapping) else list(overrides)
    measures = measures_of(base_path, overlay_files, labels)
    if not measures:
        raise CorridorSimError("a workshop needs at least one measure: give the overlay files after the base")
    check_compatible(measures)
    size = len(measures) if max_size is None else max_size
    if not 1 <= size:
        raise CorridorSimError(f"--max-size must be at least 1, got {size}")
    size = min(size, len(measures))
    raw_base = load_scenario(base_path)
    base = load_scenario(base_path, overrides) if overrides else raw_base
    combos = combinations([m.key for m in measures], size)
    by_key = {m.key: m for m in measures}
    scenarios = [base] + [combination_scenario(raw_base, [by_key[k] for k in combo], overrides, base_path.name)
                          for combo in combos]
    if base.name in {s.name for s in scenarios[1:]}:
        raise CorridorSimError(f"{base_path}: the base has the name of one of its measures ({base.name!r}); "
                               "give the base or the overlay a name of its own")
    return Kit(base, tuple(measures), tuple(combos), tuple(scenarios), size)


def check_runs(kit: Kit, replications: int, max_runs: int) -> None:
    """Too many runs for the budget: one line that says how many and what to cut, before anything runs."""
    runs = kit.runs(replications)
    if runs > max_runs:
        raise CorridorSimError(
            f"the kit needs {runs:,} runs ({len(kit.scenarios)} scenarios: the base and {len(kit.combinations)} "
            f"combinations of {len(kit.measures)} measures, × {replications} replications), more than "
            f"--max-runs {max_runs:,}; give fewer measures, a smaller --max-size or fewer replications")
