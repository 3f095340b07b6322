"""Turning validation errors into Problems a user can act on: YAML path, value, expectation, line.

pydantic's own messages name Python types and internal locations; users need the key they wrote,
the value they gave, what was expected, and (for unknown keys) the key they probably meant.
"""
from __future__ import annotations

import types
import typing
from typing import Any, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from .dists import did_you_mean
from .schema import COUNTRY_PATTERN, SCENARIO_NAME_PATTERN
from .yamlfile import PathT, YamlDocument

PATTERN_MEANINGS = {
    COUNTRY_PATTERN: "a country code of 2 or 3 capital letters, such as KZ",
    SCENARIO_NAME_PATTERN: "a name of letters, digits, '_', '.' and '-' (no spaces), starting with a letter or digit",
}


def format_path(path: Iterable[Any]) -> str:
    """('links', 'a -> b', 'km') -> links["a -> b"].km ; ints become [i]."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and not part.isprintable():  # a control character shown, not obeyed
            out += f"[{part!r}]"
        elif isinstance(part, str) and (" " in part or "." in part or not part):
            out += f'["{part}"]'
        else:
            out += ("." if out else "") + str(part)
    return out


def with_loc(path: PathT, message: str) -> Problem:
    """A Problem at a YAML path, to be located in the files later."""
    return Problem(format_path(path), message, loc=tuple(path))


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


def fields_at(root: type[BaseModel], loc: PathT) -> list[str] | None:
    """The valid keys of the model that stands at `loc` below `root`, if a model stands there."""
    current: list[Any] = [root]
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


def short(value: Any) -> str:
    """A value as the user wrote it, cut to one readable line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _choices(expected: str) -> list[str]:
    return [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]


def _type_message(kind: str, msg: str, value: Any, ctx: dict) -> str:
    """What was expected, in the words of the scenario format rather than Python's types."""
    bounds = {"greater_than": "a number greater than {gt}", "greater_than_equal": "a number of at least {ge}",
              "less_than": "a number less than {lt}", "less_than_equal": "a number of at most {le}",
              "too_short": "at least {min_length} item(s)", "too_long": "at most {max_length} item(s)",
              "string_too_short": "text of at least {min_length} character(s)"}
    if kind in bounds:
        text = bounds[kind].format(**{k: _number(v) for k, v in ctx.items()})
    elif kind == "string_pattern_mismatch":
        text = PATTERN_MEANINGS.get(ctx.get("pattern", ""), f"text matching {ctx.get('pattern')}")
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        text = "a mapping of keys to values"
    elif kind in ("list_type", "tuple_type"):
        text = "a list, e.g. [a, b]"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        text = "a whole number"
    elif kind in ("float_type", "float_parsing"):
        text = "a number"
    elif kind in ("bool_type", "bool_parsing"):
        text = "true or false"
    elif kind in ("string_type",):
        text = "text"
    elif kind.startswith(("datetime", "date")):
        text = "a date-time such as 2024-03-04T08:00 (or a date such as 2024-03-04)"
    else:
        text = (msg[0].lower() + msg[1:]).removeprefix("input should be ") if msg else "a valid value"
    return f"expected {text}, got {short(value)}"


def _number(v: Any) -> Any:
    return f"{v:g}" if isinstance(v, float) else v


def problems_from_validation(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """One Problem per pydantic error, with the YAML path of the bad key or value."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        kind = err["type"]
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if loc and loc[-1] == "[key]":
            loc = loc[:-1]
            expected = err.get("ctx", {}).get("expected")
            if expected:
                expected = expected.replace("'", "")
                msg = f"unknown key {value!r}{did_you_mean(str(value), _choices(expected))}; expected one of {expected}"
            elif kind in ("value_error", "assertion_error"):
                msg = f"invalid key {value!r}: {msg}"
            else:
                msg = f"invalid key {value!r}: {_type_message(kind, err['msg'], value, err.get('ctx', {})).rsplit(', got', 1)[0]}"
        elif kind == "extra_forbidden":
            key = loc[-1]
            fields = fields_at(root, loc[:-1]) or []
            msg = f"unknown key {key!r}{did_you_mean(str(key), fields)}"
            if fields:
                msg += f"; expected one of {', '.join(fields)}"
        elif kind == "missing":
            msg = "required key is missing"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = (f"expected one of {expected.replace(chr(39), '')}, got {short(value)}"
                   f"{did_you_mean(str(value), _choices(expected))}")
        elif kind in ("value_error", "assertion_error"):
            pass
        else:
            msg = _type_message(kind, msg, value, err.get("ctx", {}))
        problems.append(Problem(format_path(loc), msg, loc=loc))
    return problems


def locate(problems: Sequence[Problem], chain: Sequence[YamlDocument], set_paths: Sequence[PathT]) -> list[Problem]:
    """Attach the file, line and column where each problem's path was written (or `--set`)."""
    located: list[Problem] = []
    for p in problems:
        loc: PathT = p.loc
        if any(loc[: len(s)] == s for s in set_paths):
            located.append(Problem(p.path, p.message + " (from --set)", loc=loc))
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
            located.append(Problem(p.path, p.message, file=str(found[0].path), line=found[1][0],
                                   column=found[1][1], loc=loc))
        else:
            located.append(Problem(p.path, p.message, file=str(chain[0].path) if chain else None, loc=loc))
    return located
