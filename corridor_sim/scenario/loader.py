"""Reading scenario files: safe YAML, `extends` overlays, `--set` overrides, clear errors."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .dists import did_you_mean
from .overlay import merge
from .problems import format_path, locate, problems_from_validation, short, with_loc
from .schema import Scenario
from .yamlfile import MAX_FILE_BYTES, MAX_YAML_NODES, PathT, YamlDocument, parse_value, read_yaml, yaml_error_text

MAX_EXTENDS_DEPTH = 20

__all__ = ["load_scenario", "derive", "build_scenario", "merge", "parse_override", "apply_override",
           "format_path", "with_loc", "read_yaml", "MAX_FILE_BYTES", "MAX_YAML_NODES"]


def _extends_problem(doc: YamlDocument, message: str) -> ScenarioError:
    line, column = doc.positions.get(("extends",), (None, None))
    return ScenarioError(Problem("extends", message, file=str(doc.path), line=line, column=column, loc=("extends",)))


SCENARIO_KEYS = {*Scenario.model_fields, "extends"}


def read_chain(path: Path, first: YamlDocument | None = None) -> list[YamlDocument]:
    """The file and every file it extends (each relative to the file that names it), the file itself first.

    `first` is the file already parsed, when the caller has read it.
    """
    chain: list[YamlDocument] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(p.name for p in seen + [resolved])
            raise _extends_problem(chain[-1], f"extends forms a cycle: {cycle}")
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise _extends_problem(chain[-1], f"more than {MAX_EXTENDS_DEPTH} levels of extends")
        seen.append(resolved)
        doc = first if first is not None and not chain else read_yaml(current)
        if not set(doc.data) & SCENARIO_KEYS:  # say so in one line, never echo a foreign file's keys
            raise ScenarioError(Problem("", "is not a scenario file (none of its top-level keys is a scenario "
                                            "section such as name, nodes, links or traffic)", file=str(current)))
        other = next((k for k in ("targets", "assumptions") if k in doc.data), None)
        if other and not {"nodes", "extends"} & set(doc.data):  # files given in the wrong order: one line
            what = "calibration targets" if other == "targets" else "assumptions"
            raise ScenarioError(Problem("", f"is a file of {what} (a top-level `{other}:` list), not a scenario "
                                            "file", file=str(current)))
        chain.append(doc)
        base = doc.data.get("extends")
        if base is None:
            return chain
        if not isinstance(base, str) or not base.strip():
            raise _extends_problem(doc, f"expected the file name of a base scenario, got {base!r}")
        target = current.parent / base.strip()
        if not target.is_file():
            what = "is a directory" if target.is_dir() else "was not found"
            raise _extends_problem(doc, f"the base scenario {base!r} {what} (looked for {target.resolve()})")
        current = target


def parse_override(text: str) -> tuple[list[str], Any]:
    """`traffic.china-turkey.aeo=0.5` -> (['traffic', 'china-turkey', 'aeo'], 0.5), the value read as YAML."""
    if "=" not in text:
        raise ScenarioError(Problem("--set", f"expected PATH=VALUE such as traffic.main.per_day=80, got {text!r}"))
    key, _, value_text = text.partition("=")
    parts = [p.strip() for p in key.split(".")]
    if not key.strip() or any(not p for p in parts):
        raise ScenarioError(Problem("--set", f"expected a dotted path such as traffic.main.per_day, got {key!r}"))
    try:
        value = parse_value(value_text) if value_text.strip() else ""
    except yaml.YAMLError as exc:
        raise ScenarioError(Problem(f"--set {key}", f"cannot read the value {short(value_text)} as YAML: {yaml_error_text(exc)}")) from None
    return parts, value


def apply_override(data: dict, parts: list[str], value: Any, in_place: bool = False) -> dict:
    """Set one dotted path in a copy of `data` (`in_place`: in `data` itself, a copy already) with
    the overlay rule (mappings merge, the rest replaces, null removes); `value` is copied, never shared."""
    if parts and parts[0] == "extends":
        raise ScenarioError(Problem("--set extends", "extends is read from the file; name the overlay file to load instead"))
    out = data if in_place else copy.deepcopy(data)
    value = copy.deepcopy(value)
    target: Any = out
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(target, list):
            if not (part.isdigit() and int(part) < len(target)):
                where = format_path(_typed(parts[:i]))  # said only on an error: a long path is not walked again a step
                raise ScenarioError(Problem(f"--set {'.'.join(parts)}",
                                            f"{where} is a list of {len(target)} item(s); expected an index 0..{len(target) - 1}, got {part!r}"))
            if last:
                target[int(part)] = value
            else:
                target = target[int(part)]
        elif isinstance(target, dict):
            if last:
                current = target.get(part)
                if value is None:  # null removes the key, as in an overlay
                    target.pop(part, None)
                else:
                    target[part] = merge(current, value) if isinstance(value, Mapping) and isinstance(current, Mapping) else value
            else:
                if target.get(part) is None:
                    if i == 1 and parts[0] in NAMED_SECTIONS:
                        raise _unknown_name(parts, target)
                    target[part] = {}
                target = target[part]
        else:
            where = format_path(_typed(parts[:i]))
            raise ScenarioError(Problem(f"--set {'.'.join(parts)}", f"{where} is the value {target!r}, not a mapping"))
    return out


NAMED_SECTIONS = {"nodes": "node", "links": "link", "traffic": "flow", "caravans": "caravan"}


def _unknown_name(parts: list[str], section: dict) -> ScenarioError:
    """`--set traffic.nope.per_day=3`: a misspelt name would otherwise create a half-defined entry."""
    kind = NAMED_SECTIONS[parts[0]]
    names = [str(n) for n in section]
    return ScenarioError(Problem(
        f"--set {'.'.join(parts)}",
        f"the scenario has no {kind} {parts[1]!r}{did_you_mean(parts[1], names)}; --set changes what is there "
        f"(set a whole new {kind} with --set {parts[0]}.{parts[1]}={{...}}, or add it in an overlay file)"))


def _typed(parts: Iterable[Any]) -> tuple[Any, ...]:
    """A dotted path's parts with list indices as ints, as they appear in validation errors."""
    return tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in parts)


def build_scenario(data: dict, chain: list[YamlDocument] | None = None, set_paths: list[PathT] | None = None,
                   set_by: list[tuple[tuple[str, ...], str]] | None = None) -> Scenario:
    """Validate merged plain data into a Scenario, running the semantic checks too.

    Raises ScenarioError with one Problem per thing wrong, located in `chain` (the files read)
    or marked as coming from `--set` when its path is under one of `set_paths`. `set_by`: the
    paths set over the base file and by whom (`Scenario.set_by`), so a value that a more specific
    setting hides can be named (`lint.shadowed_warnings`).
    """
    from .checks import semantic_problems

    chain = chain or []
    set_paths = set_paths or []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(locate(problems_from_validation(exc, Scenario), chain, set_paths)) from None
    problems = semantic_problems(scenario)
    if problems:
        raise ScenarioError(locate(problems, chain, set_paths))
    scenario._raw = copy.deepcopy(data)  # the caller's dict may change later; what is saved must not
    scenario._set_by = list(set_by or [])
    return scenario


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = (), *,
                  document: YamlDocument | None = None) -> Scenario:
    """Read, merge and validate a scenario file; `overrides` are `PATH=VALUE` texts or a mapping;
    `document` is the file already parsed (`read_yaml`), to save reading it again.

    Raises ScenarioError with one Problem per thing wrong (file, line, YAML path, message).
    """
    chain = read_chain(Path(path), document)
    data: dict = {}
    for i, doc in enumerate(reversed(chain)):
        if "name" in doc.data and "label" not in doc.data:
            data.pop("label", None)  # a label names its own scenario: one of another name does not inherit it
        # the file at the root is read as it is (a null there is an error); each overlay merges onto it
        data = copy.deepcopy(dict(doc.data)) if i == 0 else merge(data, doc.data)
    data.pop("extends", None)
    set_by = [(leaf, doc.path.name) for doc in reversed(chain[:-1]) for leaf in set_leaves((), doc.data)
              if leaf[0] != "extends"]
    data, set_paths, by_override = _apply_overrides(data, overrides, "--set")
    return build_scenario(data, chain, set_paths, set_by + by_override)


def set_leaves(parts: tuple[str, ...], value: Any) -> list[tuple[str, ...]]:
    """The paths a value set at `parts` sets: `parts` itself, or each leaf of a mapping
    (`nodes.post={lanes: 3}` sets `nodes.post.lanes`)."""
    if isinstance(value, Mapping) and value:
        return [leaf for key, sub in value.items() for leaf in set_leaves((*parts, str(key)), sub)]
    return [parts] if parts else []


def _apply_overrides(data: dict, overrides: Iterable[str] | Mapping[str, Any],
                     origin: str) -> tuple[dict, list[PathT], list[tuple[tuple[str, ...], str]]]:
    items = overrides.items() if isinstance(overrides, Mapping) else (parse_override(t) for t in overrides)
    set_paths: list[PathT] = []
    set_by: list[tuple[tuple[str, ...], str]] = []
    data = copy.deepcopy(data)  # once: a scenario's data is large, and a design sets dozens of paths
    for key, value in items:
        parts = key.split(".") if isinstance(key, str) else [str(p) for p in key]
        data = apply_override(data, parts, value, in_place=True)
        set_paths.append(_typed(parts))
        set_by += [(leaf, origin) for leaf in set_leaves(tuple(parts), value)]
    return data, set_paths, set_by


def derive(scenario: Scenario, overrides: Iterable[str] | Mapping[str, Any], origin: str = "--set") -> Scenario:
    """A new scenario from `scenario` with `--set`-style overrides applied; `origin` says who set
    them (`--set`, `--vary`, ...) where a warning names one that changes nothing."""
    data, set_paths, set_by = _apply_overrides(scenario.raw, overrides, origin)
    return build_scenario(data, [], set_paths, scenario.set_by + set_by)
