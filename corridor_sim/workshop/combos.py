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
from typing import Any, Iterable, Mapping, Sequence

from ..errors import CorridorSimError, Problem, ScenarioError
from ..scenario import Scenario, load_scenario
from ..scenario.loader import build_scenario, derive, merge, read_chain, set_leaves

OWN_KEYS = ("extends", "name", "label", "description")  # what names a file, not what it changes
JOIN = "__"  # combination names: etir__extra-ferry


@dataclass(frozen=True)
class Level:
    """One overlay of the base: its key (the overlay's scenario name), label, file and what it sets."""

    key: str
    label: str
    file: str
    layer: Mapping[str, Any]


@dataclass(frozen=True)
class Measure:
    """A measure: one overlay, or several that are its intensities (e-TIR for half the trucks, for
    all), of which a combination takes at most one. Keyed and named by its last (strongest) level."""

    levels: tuple[Level, ...]

    @property
    def key(self) -> str:
        return self.levels[-1].key

    @property
    def label(self) -> str:
        """The words the levels' labels share at their start (`e-TIR 50%`, `e-TIR 100%`: `e-TIR`)."""
        if len(self.levels) == 1:
            return self.levels[0].label
        words = [level.label.split() for level in self.levels]
        common = []
        for group in zip(*words):
            if len(set(group)) > 1:
                break
            common.append(group[0])
        return " ".join(common) or self.levels[-1].label


@dataclass(frozen=True)
class Kit:
    """The base, the measures and the scenario of each combination (the base's first, no measure);
    a combination is the keys of the levels it takes, one per measure."""

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
    """Refuse two measures that set one value differently (sources, which cite, are not values);
    the levels of one measure may, since no combination takes two of them."""
    leaves = [(m, level, {p: v for p, v in _leaves(level.layer).items() if p[0] != "sources"})
              for m in measures for level in m.levels]
    for (ma, a, la), (mb, b, lb) in itertools.combinations(leaves, 2):
        if ma is mb:
            continue
        for path, value in la.items():
            clash = path in lb and lb[path] != value
            nested = next((q for q in lb if q != path and (q[:len(path)] == path or path[:len(q)] == q)), None)
            if clash or nested:
                where = ".".join(path if clash or nested is None or len(path) <= len(nested) else nested)
                raise CorridorSimError(f"{a.file} and {b.file} both set {where}, differently: their combination "
                                       "would depend on the order they are named in; give only one of them, or "
                                       "both as levels of one measure (A.yaml,B.yaml)")


def measures_of(base: Path, overlays: Iterable[str | Path | Sequence[str | Path]],
                labels: Mapping[str, str] | None = None) -> list[Measure]:
    """Each overlay file as a measure (a sequence of files: one measure's levels, weakest first),
    each level keyed by its scenario name (its file's stem where two share one), named by its
    `label`, else by `labels` (by key), else by its key."""
    measures: list[Measure] = []
    keys: set[str] = set()
    seen: set[Path] = set()
    for item in overlays:
        files = [item] if isinstance(item, (str, Path)) else list(item)
        levels = []
        for file in files:
            path = Path(file)
            if path.resolve() in seen:
                raise CorridorSimError(f"{path} is given twice; give each measure once")
            seen.add(path.resolve())
            layer = overlay_layer(path, base)
            scenario = load_scenario(path)
            key = scenario.name if scenario.name not in keys else path.stem
            if key in keys:
                raise CorridorSimError(f"{path}: another overlay of this workshop has the same name {key!r}; give "
                                       "each measure once")
            keys.add(key)
            levels.append(Level(key, scenario.label or (labels or {}).get(key) or key, str(path), layer))
        if levels:
            measures.append(Measure(tuple(levels)))
    return measures


def combinations(measures: list[Measure], max_size: int) -> list[tuple[str, ...]]:
    """Every combination of up to `max_size` measures, each at each of its levels, smallest first,
    in the order they were given."""
    return [tuple(level.key for level in levels)
            for size in range(1, max_size + 1) for chosen in itertools.combinations(measures, size)
            for levels in itertools.product(*(m.levels for m in chosen))]


def combination_scenario(base: Scenario, chosen: list[Level], overrides: Iterable[str] | Mapping[str, Any],
                         base_file: str) -> Scenario:
    """The base with the levels' layers laid over it, named after them; `--set` applied last."""
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


def build_kit(base_file: str | Path, overlay_files: Iterable[str | Path | Sequence[str | Path]],
              max_size: int | None = None,
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
    combos = combinations(measures, size)
    by_key = {level.key: level for m in measures for level in m.levels}
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
