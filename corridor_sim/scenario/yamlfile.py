"""Reading one YAML file safely: size and alias limits, duplicate keys, and where each key stands.

Scenario files come from users and from shared folders, so the reader must never run code
(safe loader only), never blow up on a crafted file (size limit, alias-bomb and recursion
guards), and never lose a key silently (duplicate keys are errors). Every problem it finds is a
`ScenarioError` carrying the file, line and column.
"""
from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, ScenarioError

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_YAML_NODES = 200_000  # values after alias expansion
MAX_DEPTH = 100  # nesting levels; a scenario needs fewer than 10

PathT = tuple[Any, ...]
Positions = dict[PathT, tuple[int, int]]


class YamlDocument:
    """One YAML file: its data and the (line, column) of each key path in it (1-based)."""

    def __init__(self, path: Path, data: dict, positions: Positions):
        self.path = path
        self.data = data
        self.positions = positions


# libyaml's parser where PyYAML has it (several times faster on a large scenario), else PyYAML's;
# both with the safe constructor only
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[misc, valid-type]
    """The safe loader, with dates that fail as located YAML errors rather than ValueErrors."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> dt.date | dt.datetime:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r} ({exc})", node.start_mark) from None


    def construct_yaml_int(self, node: yaml.Node) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python refuses to read integers of more than 4,300 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"the integer of {len(node.value):,} digits is too long", node.start_mark) from None

    def refuse_tag(self, node: yaml.Node) -> Any:
        """Types a scenario never holds (bytes, sets, ordered pairs) would pass validation as
        something else and fail inside the run; they are refused where they stand."""
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"the YAML tag {tag!r} is not allowed; scenario files are plain YAML", node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.refuse_tag)


def _problem(path: Path, message: str, mark: Any = None) -> ScenarioError:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return ScenarioError(Problem("", message, file=str(path), line=line, column=column))


def _count_expanded(node: yaml.Node, path: Path) -> int:
    """Values in the document once aliases are expanded; refuses recursive aliases and deep nesting."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def count(n: yaml.Node, depth: int) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if key in active:
            raise _problem(path, "an alias refers to the mapping or list that contains it (a recursive alias); refused",
                           n.start_mark)
        if depth > MAX_DEPTH:
            raise _problem(path, f"the document nests deeper than {MAX_DEPTH} levels; refused", n.start_mark)
        active.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(count(v, depth + 1) for v in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(count(k, depth + 1) + count(v, depth + 1) for k, v in n.value)
        active.discard(key)
        memo[key] = total
        return total

    return count(node, 0)


def _walk(node: yaml.Node, prefix: PathT, out: Positions, file: Path) -> None:
    """Record where each key stands; refuse a key given twice in one mapping."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            if k.value in seen and k.value != "<<":
                first = seen[k.value].start_mark.line + 1
                where = ".".join(str(p) for p in prefix + (k.value,))
                raise _problem(file, f"duplicate key {k.value!r} (also on line {first}); "
                                     f"give {where} once", k.start_mark)
            seen[k.value] = k
            path = prefix + (_key_value(k),)
            out.setdefault(path, (k.start_mark.line + 1, k.start_mark.column + 1))
            _walk(v, path, out, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            path = prefix + (i,)
            out.setdefault(path, (v.start_mark.line + 1, v.start_mark.column + 1))
            _walk(v, path, out, file)


def _key_value(node: yaml.ScalarNode) -> Any:
    """A mapping key as the loader will construct it (so `5:` is found at the int 5)."""
    if node.tag == "tag:yaml.org,2002:int":
        try:
            return int(node.value)
        except ValueError:
            return node.value
    return node.value


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError):
        problem = exc.problem or ""
        if problem.startswith("could not determine a constructor for the tag"):
            tag = problem.split("tag", 1)[1].strip(" '").replace("tag:yaml.org,2002:", "!!")
            return f"the YAML tag {tag!r} is not allowed; scenario files are plain YAML"
        return problem
    problem = exc.problem or exc.context or "cannot read the file"
    if "maximum nesting depth" in problem:  # libyaml's own guard
        return f"the document nests deeper than {MAX_DEPTH} levels; refused"
    if exc.context and problem.startswith("but "):
        problem = f"{exc.context}, {problem}"
    return f"YAML syntax error: {problem}"


def unshared(value: Any) -> Any:
    """`value` with every place an alias stands in a copy of its own: the loader gives `*name` the
    very object of `&name`, so a `--set` under one of them (`post_clearance_audit.TR.duration`
    where every country's audit is `*audit`) would change them all."""
    if isinstance(value, dict):
        return {key: unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unshared(item) for item in value]
    return value  # scalars, dates: immutable


def read_yaml(path: Path) -> YamlDocument:
    """Parse one file with the safe loader, refusing huge files, alias bombs and duplicate keys."""
    try:
        if path.is_dir():
            raise _problem(path, "is a directory, expected a scenario YAML file")
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a device (/dev/zero) reads for ever, a FIFO waits for ever
            raise _problem(path, "is not a regular file (a device, a pipe or a socket); expected a scenario YAML file")
        size = info.st_size
    except FileNotFoundError:
        raise _problem(path, "file not found") from None
    except OSError as exc:
        raise _problem(path, f"cannot read the file: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise _problem(path, f"file is {size / 1e6:.1f} MB; scenario files are limited to {MAX_FILE_BYTES / 1e6:.0f} MB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _problem(path, "is not UTF-8 text") from None
    except OSError as exc:
        raise _problem(path, f"cannot read the file: {exc.strerror}") from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """`read_yaml` on text already read; `path` names it in messages."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _problem(path, "the file is empty; expected a scenario mapping")
        if _count_expanded(node, path) > MAX_YAML_NODES:
            raise _problem(path, f"the document expands to more than {MAX_YAML_NODES} values (aliases); refused")
        positions: Positions = {}
        _walk(node, (), positions, path)
        data = unshared(loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        tab = _indenting_tab(text, mark.line if mark is not None else None)
        if tab is not None:
            raise ScenarioError(Problem("", "tabs cannot indent YAML; use spaces", file=str(path), line=tab[0],
                                        column=tab[1])) from None
        raise _problem(path, _yaml_message(exc), mark) from None
    except yaml.YAMLError as exc:  # e.g. a reader error: a NUL byte or another unprintable character
        raise _problem(path, f"YAML error: {yaml_error_text(exc)}") from None
    except RecursionError:
        raise _problem(path, f"the document nests deeper than {MAX_DEPTH} levels; refused") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _problem(path, f"expected a mapping of scenario sections (name:, nodes:, ...), got a {type(data).__name__}")
    return YamlDocument(path, data, positions)


def _indenting_tab(text: str, error_line: int | None) -> tuple[int, int] | None:
    """(line, column), 1-based, of a tab in the indentation of the line a YAML error stands on
    (0-based `error_line`), or None. YAML forbids tabs there, and the parser's own words ("found
    character that cannot start any token") do not say so."""
    lines = text.splitlines()
    if error_line is None or not 0 <= error_line < len(lines):
        return None
    line = lines[error_line]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    return (error_line + 1, indent.index("\t") + 1) if "\t" in indent else None


def parse_value(text: str) -> Any:
    """One YAML value (a `--set` or `--vary` value) with the same safe loader and the same limits
    on aliases and nesting; raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            if _count_expanded(node, Path("value")) > MAX_YAML_NODES:
                raise yaml.YAMLError(f"the value expands to more than {MAX_YAML_NODES} values (aliases); refused")
        except ScenarioError as exc:
            raise yaml.YAMLError(str(exc).split(": ", 1)[-1]) from None
        return unshared(loader.construct_document(node))
    except RecursionError:
        raise yaml.YAMLError(f"the value nests deeper than {MAX_DEPTH} levels; refused") from None
    finally:
        loader.dispose()


def yaml_error_text(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error in a short text such as a `--set` value."""
    if isinstance(exc, yaml.MarkedYAMLError):
        message = _yaml_message(exc).removeprefix("YAML syntax error: ")
        mark = exc.problem_mark or exc.context_mark
        return f"{message} (column {mark.column + 1})" if mark is not None else message
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f"the character U+{code:04X} at position {exc.position} is not allowed ({exc.reason})"
    return str(exc).splitlines()[0]
