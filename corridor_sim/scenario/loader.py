"""Reading scenario files: safe YAML, `extends` overlays, `--set` overrides, clear errors."""
from __future__ import annotations

import copy
import types
import typing
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import Problem, ScenarioError
from .dists import did_you_mean
from .schema import Scenario

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_YAML_NODES = 200_000  # after alias expansion
MAX_EXTENDS_DEPTH = 20

PathT = tuple[Any, ...]


def format_path(path: Iterable[Any]) -> str:
    """('links', 'a -> b', 'km') -> links["a -> b"].km ; ints become [i]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (" " in part or "." in part or not part):
            out += f'["{part}"]'
        else:
            out += ("." if out else "") + str(part)
    return out


class _Document:
    """One YAML file: its data and where each key stands in it."""

    def __init__(self, path: Path, data: dict, positions: dict[PathT, tuple[int, int]]):
        self.path = path
        self.data = data
        self.positions = positions


def _count_expanded(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 200:
        raise ScenarioError("the YAML document nests deeper than 200 levels")
    memo[key] = 1  # guards recursive aliases
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_count_expanded(n, memo, depth + 1) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_count_expanded(k, memo, depth + 1) + _count_expanded(v, memo, depth + 1) for k, v in node.value)
    memo[key] = total
    return total


def _positions(node: yaml.Node, prefix: PathT, out: dict[PathT, tuple[int, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                path = prefix + (k.value,)
                out.setdefault(path, (k.start_mark.line + 1, k.start_mark.column + 1))
                _positions(v, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            path = prefix + (i,)
            out.setdefault(path, (v.start_mark.line + 1, v.start_mark.column + 1))
            _positions(v, path, out)


def read_yaml(path: Path) -> _Document:
    """Parse one file with the safe loader, refusing huge files and alias bombs."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError(Problem("", "file not found", file=str(path))) from None
    except OSError as exc:
        raise ScenarioError(Problem("", f"cannot read the file: {exc.strerror}", file=str(path))) from None
    if path.is_dir():
        raise ScenarioError(Problem("", "is a directory, expected a scenario YAML file", file=str(path)))
    if size > MAX_FILE_BYTES:
        raise ScenarioError(Problem("", f"file is {size / 1e6:.1f} MB; scenario files are limited to 10 MB", file=str(path)))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(Problem("", "is not UTF-8 text", file=str(path))) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(Problem("", "the file is empty; expected a scenario mapping", file=str(path)))
        if _count_expanded(node, {}) > MAX_YAML_NODES:
            raise ScenarioError(Problem("", f"the document expands to more than {MAX_YAML_NODES} values (aliases); refused", file=str(path)))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax error: {exc.problem or exc.context}"
        raise ScenarioError(Problem("", message, file=str(path), line=mark.line + 1 if mark else None,
                                    column=mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(Problem("", f"YAML error: {exc}", file=str(path))) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(Problem("", f"expected a mapping of scenario sections, got {type(data).__name__}", file=str(path)))
    positions: dict[PathT, tuple[int, int]] = {}
    _positions(node, (), positions)
    return _Document(path, data, positions)


def merge(base: Mapping, over: Mapping) -> dict:
    """The overlay rule: mappings merge, lists and scalars replace."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_chain(path: Path) -> list[_Document]:
    """The file and every file it extends, the file itself first."""
    chain: list[_Document] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(p.name for p in seen + [resolved])
            raise ScenarioError(Problem("extends", f"extends forms a cycle: {cycle}", file=str(chain[-1].path)))
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(Problem("extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends", file=str(current)))
        seen.append(resolved)
        doc = read_yaml(current)
        chain.append(doc)
        base = doc.data.get("extends")
        if base is None:
            return chain
        if not isinstance(base, str) or not base.strip():
            line = doc.positions.get(("extends",), (None, None))
            raise ScenarioError(Problem("extends", f"expected a file name, got {base!r}", file=str(current), line=line[0], column=line[1]))
        target = (current.parent / base).resolve()
        if not target.exists():
            line = doc.positions.get(("extends",), (None, None))
            raise ScenarioError(Problem("extends", f"the base scenario {base!r} was not found (looked for {target})",
                                        file=str(current), line=line[0], column=line[1]))
        current = target


def parse_override(text: str) -> tuple[list[str], Any]:
    """`traffic.china-turkey.aeo=0.5` -> (['traffic', 'china-turkey', 'aeo'], 0.5), value read as YAML."""
    if "=" not in text:
        raise ScenarioError(Problem("--set", f"expected PATH=VALUE, got {text!r}"))
    key, _, value_text = text.partition("=")
    parts = [p.strip() for p in key.split(".")]
    if not key.strip() or any(not p for p in parts):
        raise ScenarioError(Problem("--set", f"expected a dotted path such as traffic.main.per_day, got {key!r}"))
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else ""
    except yaml.YAMLError as exc:
        raise ScenarioError(Problem("--set " + key, f"cannot read the value {value_text!r}: {exc}")) from None
    return parts, value


def apply_override(data: dict, parts: list[str], value: Any) -> dict:
    """Set one dotted path in a copy of `data` with the overlay rule."""
    out = copy.deepcopy(data)
    target: Any = out
    for i, part in enumerate(parts[:-1]):
        if isinstance(target, list):
            try:
                target = target[int(part)]
                continue
            except (ValueError, IndexError):
                raise ScenarioError(Problem(format_path(parts[: i + 1]), "is not an index of that list")) from None
        if not isinstance(target, dict):
            raise ScenarioError(Problem(format_path(parts[:i]), f"is a value, not a mapping; cannot set {'.'.join(parts)}"))
        target = target.setdefault(part, {})
        if target is None:
            target = {}
    last = parts[-1]
    if isinstance(target, list):
        try:
            target[int(last)] = value
        except (ValueError, IndexError):
            raise ScenarioError(Problem(format_path(parts), "is not an index of that list")) from None
    elif isinstance(target, dict):
        if isinstance(value, Mapping) and isinstance(target.get(last), Mapping):
            target[last] = merge(target[last], value)
        else:
            target[last] = value
    else:
        raise ScenarioError(Problem(format_path(parts[:-1]), f"is a value, not a mapping; cannot set {'.'.join(parts)}"))
    return out


# --- pydantic errors to Problems ---------------------------------------------------------

def _unwrap(ann: Any) -> list[Any]:
    """The concrete types inside Optional/Annotated/Union."""
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(ann):
            if arg is not type(None):
                out.extend(_unwrap(arg))
        return out
    return [ann]


def _fields_at(loc: PathT) -> list[str] | None:
    """The valid keys of the model that stands at `loc` in a Scenario, if it is a model."""
    current: list[Any] = [Scenario]
    for part in loc:
        nxt: list[Any] = []
        for ann in current:
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                for name, field in ann.model_fields.items():
                    if part in (name, field.alias):
                        nxt.extend(_unwrap(field.annotation))
            elif typing.get_origin(ann) is dict:
                nxt.extend(_unwrap(typing.get_args(ann)[1]))
            elif typing.get_origin(ann) is tuple:
                nxt.extend(_unwrap(typing.get_args(ann)[0]))
        current = nxt
    for ann in current:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return [f.alias or n for n, f in ann.model_fields.items()]
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            key = err.get("input")
            expected = ""
            if "ctx" in err and "expected" in err["ctx"]:
                expected = err["ctx"]["expected"].replace("'", "")
                choices = [c.strip() for c in expected.replace(" or ", ", ").split(",")]
                msg = f"unknown key {key!r}{did_you_mean(key, choices)}; expected one of {expected}"
            else:
                msg = f"invalid key {key!r}: {msg}"
            loc = loc[:-1] if loc and loc[-1] == key else loc
        elif kind == "extra_forbidden":
            key = loc[-1]
            fields = _fields_at(loc[:-1]) or []
            msg = f"unknown key {key!r}{did_you_mean(str(key), fields)}"
            if fields:
                msg += f"; expected one of {', '.join(fields)}"
        elif kind == "missing":
            msg = "required key is missing"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
            msg = f"expected one of {expected.replace(chr(39), '')}, got {_short(err.get('input'))}{did_you_mean(str(err.get('input')), choices)}"
        elif kind in ("value_error", "assertion_error"):
            pass
        else:
            msg = f"{msg[0].lower()}{msg[1:]}, got {_short(err.get('input'))}"
        problems.append(Problem(format_path(loc), msg, loc=loc))
    return problems


def _locate(problems: list[Problem], chain: list[_Document], set_paths: list[PathT]) -> list[Problem]:
    located: list[Problem] = []
    for p in problems:
        loc: PathT = p.loc
        if any(loc[: len(s)] == s for s in set_paths):
            located.append(Problem(p.path, p.message + " (from --set)"))
            continue
        found = None
        for size in range(len(loc), -1, -1):
            for doc in chain:
                if loc[:size] in doc.positions:
                    found = (doc, doc.positions[loc[:size]])
                    break
            if found:
                break
        if found:
            located.append(Problem(p.path, p.message, file=str(found[0].path), line=found[1][0], column=found[1][1]))
        else:
            located.append(Problem(p.path, p.message, file=str(chain[0].path) if chain else None))
    return located


def with_loc(path: PathT, message: str) -> Problem:
    return Problem(format_path(path), message, loc=tuple(path))


def build_scenario(data: dict, chain: list[_Document] | None = None, set_paths: list[PathT] | None = None) -> Scenario:
    """Validate merged plain data into a Scenario, running the semantic checks too."""
    from .checks import semantic_problems

    chain = chain or []
    set_paths = set_paths or []
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_locate(problems_from_validation(exc), chain, set_paths)) from None
    problems = semantic_problems(scenario)
    if problems:
        raise ScenarioError(_locate(problems, chain, set_paths))
    scenario._raw = data
    return scenario


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Read, merge and validate a scenario file; `overrides` are `PATH=VALUE` texts or a mapping.

    Raises ScenarioError with one Problem per thing wrong (file, line, YAML path, message).
    """
    chain = _read_chain(Path(path))
    data: dict = {}
    for doc in reversed(chain):
        data = merge(data, doc.data)
    data.pop("extends", None)
    data, set_paths = _apply_overrides(data, overrides)
    return build_scenario(data, chain, set_paths)


def _apply_overrides(data: dict, overrides: Iterable[str] | Mapping[str, Any]) -> tuple[dict, list[PathT]]:
    items = overrides.items() if isinstance(overrides, Mapping) else (parse_override(t) for t in overrides)
    set_paths: list[PathT] = []
    for key, value in items:
        parts = key.split(".") if isinstance(key, str) else list(key)
        data = apply_override(data, parts, value)
        set_paths.append(tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in parts))
    return data, set_paths


def derive(scenario: Scenario, overrides: Iterable[str] | Mapping[str, Any]) -> Scenario:
    """A new scenario from `scenario` with `--set`-style overrides applied."""
    data, set_paths = _apply_overrides(scenario.raw, overrides)
    return build_scenario(data, [], set_paths)
