"""Uncertain inputs, declared once: groups of scenario values that move together over a range.

An assumptions file lists groups, each with a name, the YAML paths it moves (`--set` paths), a
range `[low, central, high]` with a distribution over it, and the source or the reasoning
behind it. A group's value is set at every path (`mode: value`), multiplies each path's own
value (`factor`: 1 is the scenario as it is), or raises it to a power (`power`: for a list of
daily weights, 0 flattens them, 1 keeps them, above 1 makes the peak sharper; the model
rescales the weights to mean 1). Positions in the design are probabilities (`u` in [0, 1]), the
value is the distribution's quantile, so a design in the unit cube samples every group from its
own distribution.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, ScenarioError
from .scenario.dists import did_you_mean
from .scenario.loader import derive, format_path, read_yaml
from .scenario.units import parse_duration
from .scenario.yamlfile import YamlDocument

if TYPE_CHECKING:
    from .scenario.schema import Scenario


class Assumption(BaseModel):
    """One group of scenario values that move together."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=80, description="what the group is, as the card names it")
    paths: list[str] = Field(min_length=1, description="--set paths the group moves together")
    range: tuple[float, float, float] = Field(description="low, central, high")
    distribution: Literal["uniform", "triangular"] = Field(
        "uniform", description="over [low, high]; triangular peaks at the central value")
    mode: Literal["value", "factor", "power"] = Field(
        "value", description="value: set at every path; factor: multiplies each path's value; power: raises it")
    integer: bool = Field(False, description="round what is set to whole numbers (lanes, bays)")
    source: Optional[str] = Field(None, description="a key of `sources` or a citation")
    reasoning: Optional[str] = Field(None, description="why the range, where no source gives one (ASSUMPTION)")

    @model_validator(mode="after")
    def _ordered(self) -> "Assumption":
        low, central, high = self.range
        if not low < high:
            raise ValueError(f"range: low must be below high, got [{low:g}, {central:g}, {high:g}]")
        if not low <= central <= high:
            raise ValueError(f"range: the central value {central:g} lies outside [{low:g}, {high:g}]")
        if not (self.source or self.reasoning):
            raise ValueError("give a `source` or the `reasoning` behind the range")
        if self.mode == "power" and low < 0:
            raise ValueError("range: a power must be at least 0")
        return self

    def value_at(self, u: float) -> float:
        """The group's value at probability `u` of its distribution."""
        low, central, high = self.range
        u = min(max(float(u), 0.0), 1.0)
        if self.distribution == "uniform":
            return low + u * (high - low)
        cut = (central - low) / (high - low)  # the triangular quantile, as scipy.stats.triang has it
        if u <= cut:
            return low + math.sqrt(u * (high - low) * (central - low))
        return high - math.sqrt((1 - u) * (high - low) * (high - central))

    def u_of(self, value: float) -> float:
        """The probability at which the group takes `value` (the inverse of `value_at`)."""
        low, central, high = self.range
        if self.distribution == "uniform":
            return (value - low) / (high - low)
        if value <= central:
            return (value - low) ** 2 / ((high - low) * (central - low)) if central > low else 0.0
        return 1 - (high - value) ** 2 / ((high - low) * (high - central)) if high > central else 1.0


class Assumptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "assumptions"
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    assumptions: list[Assumption] = Field(description="the groups (at least one: an empty design has nothing to vary)")

    @model_validator(mode="after")
    def _distinct(self) -> "Assumptions":
        if not self.assumptions:
            raise ValueError("assumptions: the design is empty; list at least one group")
        return self  # two groups of one name: load_assumptions, which can say where

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.assumptions]

    def central_u(self) -> list[float]:
        return [a.u_of(a.range[1]) for a in self.assumptions]


def load_assumptions(path: str | Path, document: YamlDocument | None = None) -> Assumptions:
    """Read an assumptions file; errors name the file, line and YAML path like scenario errors."""
    doc = document or read_yaml(Path(path))
    if isinstance(doc.data, dict) and "assumptions" not in doc.data:  # another kind of file: one line
        kind = " (it is a scenario file)" if {"nodes", "traffic", "extends"} & set(doc.data) else \
            " (it is a targets file)" if "targets" in doc.data else ""
        raise ScenarioError(Problem("assumptions", f"not an assumptions file{kind}: it has no `assumptions:` list "
                                                   "of groups", file=str(path)))
    try:
        assumptions = Assumptions.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                fields = list(Assumption.model_fields) if "assumptions" in loc[:1] and len(loc) > 2 \
                    else list(Assumptions.model_fields)
                msg = f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), fields)}"
            elif err["type"] == "literal_error":
                msg = f"expected one of {err['ctx']['expected']}, got {err.get('input')!r}"
            elif err["type"] == "missing":
                msg = "required key is missing"
            if len(loc) > 2 and loc[2] == "range" and err["type"] in ("missing", "too_long", "tuple_type"):
                loc, msg = loc[:3], "expected [low, central, high], three numbers"
            problems.append(_located(doc, str(path), loc, msg))
        raise ScenarioError(problems) from None
    names = assumptions.names
    twice = [
        _located(doc, str(path), ("assumptions", i, "name"), f"another group is also named {name!r}")
        for i, name in enumerate(names) if name in names[:i]]
    if twice:
        raise ScenarioError(twice)
    return assumptions


def _located(doc: YamlDocument | None, file: str | None, loc: tuple, message: str) -> Problem:
    """A problem at `loc`, with the line and column of the nearest key the file has."""
    line = None
    if doc is not None:
        for size in range(len(loc), -1, -1):
            if loc[:size] in doc.positions:
                line = doc.positions[loc[:size]]
                break
    return Problem(format_path(loc), message, file=file, line=line[0] if line else None,
                   column=line[1] if line else None, loc=loc)


def _lookup(raw: dict, path: str) -> Any:
    """The value at a dotted path of a scenario's data, or KeyError."""
    node: Any = raw
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def _number(value: Any) -> float:
    """A scenario number or duration (`30min`) in its plain unit (hours for durations)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    return parse_duration(value)


def _moved(current: Any, assumption: Assumption, x: float) -> Any:
    """What the group at value `x` makes of the value `current` at one of its paths."""
    if isinstance(current, list) and assumption.mode != "value":
        return [_moved(item, assumption, x) for item in current]
    if assumption.mode == "value":
        out: float = x
    elif assumption.mode == "factor":
        out = _number(current) * x
    else:
        out = _number(current) ** x
    return int(round(out)) if assumption.integer else float(out)


def overrides_at(scenario: "Scenario", assumptions: Assumptions, values: dict[str, float],
                 only: set[str] | None = None) -> dict[str, Any]:
    """The `--set` overrides that put each group at its value in `values` (by name); `only`:
    the paths this scenario has (a group's other paths are left out)."""
    out: dict[str, Any] = {}
    for a in assumptions.assumptions:
        for path in a.paths:
            if only is not None and path not in only:
                continue
            out[path] = _moved(_lookup(scenario.raw, path), a, values[a.name])
    return out


def apply(scenario: "Scenario", assumptions: Assumptions, values: dict[str, float], name: str | None = None,
          only: set[str] | None = None) -> "Scenario":
    """The scenario with every group at its value (`name`: the derived scenario's name)."""
    overrides = overrides_at(scenario, assumptions, values, only)
    if name is not None:
        overrides["name"] = name
    return derive(scenario, overrides, origin="assumptions")


def paths_in(scenario: "Scenario", assumptions: Assumptions) -> set[str]:
    """The groups' paths that `scenario` has (a calibration year may lack some)."""
    out = set()
    for a in assumptions.assumptions:
        for path in a.paths:
            try:
                _lookup(scenario.raw, path)
            except KeyError:
                continue
            out.add(path)
    return out


def check_assumptions(scenario: "Scenario", assumptions: Assumptions, file: str | None = None,
                      document: YamlDocument | None = None, shared_only: bool = False) -> None:
    """Every path names a value of `scenario` that the group's mode can move, and the scenario
    stays valid with each group at both ends of its range (the others central). `shared_only`:
    the paths `scenario` lacks are left out (a calibration year that shares some groups)."""
    problems: list[Problem] = []
    central = {a.name: a.range[1] for a in assumptions.assumptions}
    only = paths_in(scenario, assumptions) if shared_only else None
    for i, a in enumerate(assumptions.assumptions):
        bad = False
        for j, path in enumerate(a.paths):
            if only is not None and path not in only:
                continue
            try:
                current = _lookup(scenario.raw, path)
            except KeyError as exc:
                problems.append(_located(document, file, ("assumptions", i, "paths", j),
                                         f"scenario {scenario.name!r} has no value at {path} (no {exc.args[0]!r})"))
                bad = True
                continue
            if a.mode != "value":
                try:
                    items = current if isinstance(current, list) else [current]
                    for item in items:
                        _number(item)
                except ValueError:
                    problems.append(_located(document, file, ("assumptions", i, "paths", j),
                                             f"{path} is {current!r}; mode {a.mode} needs a number, a duration or "
                                             "a list of them"))
                    bad = True
        if bad:
            continue
        for end, x in (("low", a.range[0]), ("high", a.range[2])):
            try:
                derive(scenario, overrides_at(scenario, assumptions, {**central, a.name: x}, only),
                       origin="assumptions")
            except ScenarioError as exc:
                first = exc.problems[0]
                problems.append(_located(document, file, ("assumptions", i, "range"),
                                         f"at its {end} end ({x:g}) the scenario is invalid: "
                                         f"{first.path}: {first.message.removesuffix(' (from --set)')}"))
                break
    if problems:
        raise ScenarioError(problems)
