"""The scenario format (DESIGN.md §4) as frozen pydantic models.

After validation every duration is hours (float), every distribution a `Dist`, every
opening-hours text a `WeeklyHours`: model code never sees unit strings or raw dicts.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .dists import Dist, parse_dist
from .hours import DAYS, WeeklyHours, parse_holiday, parse_hours
from .units import parse_duration, parse_number

REGIMES = ("paper_tir", "etir", "national")
Regime = Literal["paper_tir", "etir", "national"]

_DIST_JSON = {
    "oneOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "description": "a value with a unit, e.g. 45min, 2h, 1.5d"},
        {
            "type": "object",
            "required": ["dist"],
            "properties": {
                "dist": {"enum": ["fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical"]},
                "value": {}, "mean": {}, "cv": {"type": "number", "minimum": 0},
                "min": {}, "mode": {}, "max": {}, "values": {"type": "array"},
            },
            "additionalProperties": False,
        },
    ]
}


def _dist_to_plain(d: Dist) -> Any:
    if d.kind == "fixed":
        return d.params[0]
    keys = {"exponential": ("mean",), "lognormal": ("mean", "cv"), "gamma": ("mean", "cv"),
            "triangular": ("min", "mode", "max"), "uniform": ("min", "max")}
    if d.kind == "empirical":
        return {"dist": "empirical", "values": list(d.params)}
    return {"dist": d.kind, **dict(zip(keys[d.kind], d.params))}


Hours = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema({"oneOf": [{"type": "number", "minimum": 0}, {"type": "string", "description": "duration, e.g. 45min, 2h, 1.5d"}]}),
]
TimeDist = Annotated[
    Dist,
    BeforeValidator(lambda v: parse_dist(v, parse_duration)),
    PlainSerializer(_dist_to_plain),
    WithJsonSchema({**_DIST_JSON, "description": "a duration or a distribution of durations (hours)"}),
]
NumberDist = Annotated[
    Dist,
    BeforeValidator(lambda v: parse_dist(v, parse_number)),
    PlainSerializer(_dist_to_plain),
    WithJsonSchema({**_DIST_JSON, "description": "a number or a distribution of numbers"}),
]
OpeningHours = Annotated[
    WeeklyHours,
    BeforeValidator(parse_hours),
    PlainSerializer(lambda h: h.text),
    WithJsonSchema({"type": "string", "description": "'24/7' or e.g. 'Mon-Fri 09:00-18:00; Sat 09:00-13:00'"}),
]
Holiday = Annotated[
    tuple[dt.date, dt.date],
    BeforeValidator(parse_holiday),
    PlainSerializer(lambda h: h[0].isoformat() if h[0] == h[1] else f"{h[0]}..{h[1]}"),
    WithJsonSchema({"type": "string", "description": "a date 2024-10-01 or a range 2024-10-01..2024-10-06"}),
]
Probability = Annotated[float, Field(ge=0, le=1)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2,3}$", description="ISO country code, e.g. KZ")]
Name = Annotated[str, Field(min_length=1)]


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)


class Clock(Base):
    start: dt.datetime = Field(dt.datetime(2024, 1, 1), description="date-time of simulated hour 0; weekday and hour drive calendars")
    horizon: Hours = Field(30 * 24.0, gt=0, description="trucks depart in [0, horizon)")
    warmup: Hours = Field(0.0, description="trucks departing before this are simulated but not counted")

    @field_validator("start", mode="before")
    @classmethod
    def _date_is_midnight(cls, v: Any) -> Any:
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return dt.datetime.combine(v, dt.time())
        return v

    @model_validator(mode="after")
    def _horizon_after_warmup(self) -> "Clock":
        if self.horizon <= self.warmup:
            raise ValueError(f"horizon ({self.horizon:g} h) must be longer than warmup ({self.warmup:g} h)")
        return self


class Experiment(Base):
    replications: int = Field(10, ge=1, le=100_000, description="independent replications")
    seed: int = Field(12345, ge=0, description="root seed; replication r uses SeedSequence(seed).spawn(...)[r]")


class Drivers(Base):
    rules: Literal["aetr", "none"] = Field("aetr", description="AETR-like driving-time rules, or none")
    crew: Literal["single", "double"] = "single"
    speed_kmh: NumberDist = Field(Dist.fixed(60.0), description="speed drawn per link traverse")

    @field_validator("speed_kmh")
    @classmethod
    def _positive_speed(cls, d: Dist) -> Dist:
        if d.mean() <= 0 or (d.kind in ("uniform", "triangular", "empirical") and min(d.params) <= 0):
            raise ValueError("speeds must be positive")
        return d


class RiskClass(Base):
    noncompliance: Probability = Field(0.0, description="share of this class's trucks that carry a violation")


class Channel(Base):
    yellow: Probability = 0.0
    red: Probability = 0.0

    @model_validator(mode="after")
    def _sum(self) -> "Channel":
        if self.yellow + self.red > 1 + 1e-9:
            raise ValueError(f"yellow + red must be at most 1, got {self.yellow:g} + {self.red:g}")
        return self


class RegimeTimes(Base):
    paper_tir: Optional[TimeDist] = None
    etir: Optional[TimeDist] = None
    national: Optional[TimeDist] = None


class RegimeRates(Base):
    paper_tir: Optional[Probability] = None
    etir: Optional[Probability] = None
    national: Optional[Probability] = None


class CustomsSpec(Base):
    """One country's customs policy, or the `default` one; every field optional (merged)."""

    document: Optional[RegimeTimes] = Field(None, description="document check time per transit regime")
    document_error: Optional[RegimeRates] = Field(None, description="probability of a document error per regime")
    error_delay: Optional[TimeDist] = Field(None, description="correction delay after a document error")
    channels: Optional[dict[Name, Channel]] = Field(None, description="yellow/red probabilities per risk class")
    yellow_check: Optional[TimeDist] = None
    inspection: Optional[TimeDist] = Field(None, description="physical inspection time in a bay (red)")
    detection: Optional[Probability] = Field(None, description="probability a red inspection finds a violation")
    recognises_aeo: Optional[bool] = None
    aeo_factor: Optional[float] = Field(None, ge=0, le=1, description="multiplies yellow and red for recognised AEO trucks")
    aeo_priority_lane: Optional[bool] = None
    etir_preclear: Optional[Probability] = Field(None, description="share of yellow checks that advance data turns green")


class CustomsPolicy(Base):
    """A fully resolved customs policy of one country."""

    document: dict[Regime, TimeDist]
    document_error: dict[Regime, Probability]
    error_delay: TimeDist
    channels: dict[Name, Channel]
    yellow_check: TimeDist
    inspection: TimeDist
    detection: Probability
    recognises_aeo: bool
    aeo_factor: float = Field(ge=0, le=1)
    aeo_priority_lane: bool
    etir_preclear: Probability


BUILTIN_CUSTOMS: dict[str, Any] = {
    "document": {
        "paper_tir": Dist("lognormal", (0.5, 0.5)),
        "etir": Dist.fixed(0.1),
        "national": Dist("lognormal", (1.5, 0.5)),
    },
    "document_error": {"paper_tir": 0.05, "etir": 0.005, "national": 0.05},
    "error_delay": Dist("lognormal", (2.0, 1.0)),
    "channels": {"low": {"yellow": 0.10, "red": 0.02}},
    "yellow_check": Dist("triangular", (0.5, 2.0, 4.0)),
    "inspection": Dist("triangular", (2.0, 4.0, 8.0)),
    "detection": 0.9,
    "recognises_aeo": False,
    "aeo_factor": 0.2,
    "aeo_priority_lane": False,
    "etir_preclear": 0.5,
}


class ControlOverride(Base):
    lanes: Optional[int] = Field(None, ge=1, le=10_000)
    inspection_bays: Optional[int] = Field(None, ge=1, le=10_000)
    hours: Optional[OpeningHours] = None
    holidays: Optional[tuple[Holiday, ...]] = None
    handling: Optional[TimeDist] = None


class ControlSpec(ControlOverride):
    exit: Optional[ControlOverride] = Field(None, description="overrides for trucks leaving this country")
    entry: Optional[ControlOverride] = Field(None, description="overrides for trucks entering this country")


class Node(Base):
    kind: Literal["terminal", "bcp", "port"]
    country: Optional[Country] = Field(None, description="the country of a terminal or port")
    border: Optional[tuple[Country, Country]] = Field(None, description="the two countries of a bcp")
    label: Optional[str] = None
    lat: Optional[float] = Field(None, ge=-90, le=90)
    lon: Optional[float] = Field(None, ge=-180, le=180)
    lanes: int = Field(2, ge=1, le=10_000, description="lanes of each control (country side, direction)")
    inspection_bays: int = Field(1, ge=1, le=10_000)
    hours: OpeningHours = Field(WeeklyHours(((0.0, 168.0),), "24/7"), description="opening hours of every control")
    holidays: tuple[Holiday, ...] = Field((), description="closed days")
    handling: TimeDist = Field(Dist.fixed(0.0), description="physical handling in the lane (e.g. transloading); counted as inspection")
    joint_control: bool = Field(False, description="both countries check in one stop")
    controls: dict[Country, ControlSpec] = Field(default_factory=dict, description="per-country (and per-direction) overrides")

    @model_validator(mode="after")
    def _kind_fields(self) -> "Node":
        if self.kind == "bcp":
            if self.border is None:
                raise ValueError("a bcp needs `border: [A, B]`, the two countries it joins")
            if self.border[0] == self.border[1]:
                raise ValueError(f"a bcp's border needs two different countries, got {list(self.border)}")
            if self.country is not None:
                raise ValueError("a bcp has `border: [A, B]`, not `country`")
        else:
            if self.country is None:
                raise ValueError(f"a {self.kind} needs `country`")
            if self.border is not None:
                raise ValueError(f"only a bcp has `border`; a {self.kind} has `country`")
            if self.joint_control:
                raise ValueError("joint_control applies to a bcp only")
        for country in self.controls:
            if country not in self.countries:
                raise ValueError(f"controls names {country!r}, which is not a country of this node ({', '.join(self.countries)})")
        return self

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self.border) if self.border else (self.country,)  # type: ignore[return-value]


class Departs(Base):
    when_full: Optional[bool] = None
    every: Optional[Hours] = Field(None, gt=0, description="a departure slot every ... from the clock start")
    when_full_or_after: Optional[Hours] = Field(None, gt=0, description="full, or this long after the vessel is ready")

    @model_validator(mode="after")
    def _one_rule(self) -> "Departs":
        given = [k for k in ("when_full", "every", "when_full_or_after") if getattr(self, k) not in (None, False)]
        if len(given) != 1:
            raise ValueError("give exactly one departure rule: when_full: true, every: 24h, or when_full_or_after: 48h")
        return self

    @property
    def rule(self) -> str:
        return "every" if self.every is not None else "when_full_or_after" if self.when_full_or_after is not None else "when_full"


class Storms(Base):
    per_year: float = Field(ge=0, description="storms a year (Poisson)")
    duration: TimeDist
    months: tuple[int, ...] = Field(tuple(range(1, 13)), description="months in which storms start")

    @field_validator("months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [m for m in v if not 1 <= m <= 12]
        if bad or not v:
            raise ValueError(f"months must be a non-empty list of 1..12, got {list(v)}")
        return v


class Link(Base):
    mode: Literal["road", "ferry"] = "road"
    km: Optional[float] = Field(None, ge=0)
    speed_kmh: Optional[NumberDist] = Field(None, description="a number sets this link's mean speed (drivers' variability kept); a dist replaces it")
    vessels: Optional[int] = Field(None, ge=1, le=1000)
    capacity: Optional[int] = Field(None, ge=1, description="trucks per sailing")
    sailing: Optional[TimeDist] = None
    departs: Optional[Departs] = None
    storms: Optional[Storms] = None

    @model_validator(mode="after")
    def _mode_fields(self) -> "Link":
        if self.mode == "road":
            if self.km is None:
                raise ValueError("a road link needs `km`")
            extra = [k for k in ("vessels", "capacity", "sailing", "departs", "storms") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} apply to ferry links only (add `mode: ferry`)")
            if self.speed_kmh is not None and self.speed_kmh.mean() <= 0:
                raise ValueError("speed_kmh must be positive")
        else:
            missing = [k for k in ("capacity", "sailing") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"a ferry link needs {', '.join(missing)}")
            if self.speed_kmh is not None:
                raise ValueError("speed_kmh applies to road links; a ferry link has `sailing`")
        return self

    @property
    def n_vessels(self) -> int:
        return self.vessels or 1

    @property
    def departure(self) -> Departs:
        return self.departs or Departs(when_full_or_after=48.0)


Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Flow(Base):
    route: Optional[tuple[Name, ...]] = Field(None, min_length=2, description="the nodes in order")
    from_: Optional[Name] = Field(None, alias="from")
    to: Optional[Name] = None
    per_day: float = Field(gt=0, description="Poisson departures a day")
    aeo: Probability = Field(0.0, description="share of AEO trucks")
    regime: dict[Regime, Probability] = Field(default_factory=lambda: {"paper_tir": 1.0})
    risk: Optional[dict[Name, Probability]] = Field(None, description="risk class mix; default: the only class")
    background: bool = Field(False, description="in the queues, but out of the headline lead-time summary")
    weekly: Optional[dict[Weekday, float]] = Field(None, description="departure-rate multiplier per weekday")

    @model_validator(mode="after")
    def _route_or_ends(self) -> "Flow":
        _check_route_or_ends(self)
        for key, mix in (("regime", self.regime), ("risk", self.risk)):
            if mix is not None:
                total = sum(mix.values())
                if abs(total - 1) > 1e-6:
                    raise ValueError(f"the {key} mix must sum to 1, got {total:g}")
        if self.weekly is not None and any(v < 0 for v in self.weekly.values()):
            raise ValueError("weekly multipliers must be at least 0")
        return self


class Caravan(Base):
    route: Optional[tuple[Name, ...]] = Field(None, min_length=2)
    from_: Optional[Name] = Field(None, alias="from")
    to: Optional[Name] = None
    depart: dt.datetime
    trucks: int = Field(ge=1, le=10_000)
    aeo: bool = False
    regime: Regime = "paper_tir"
    risk: Optional[Name] = None
    convoy: bool = Field(False, description="every member waits at each node until all have passed")
    pre_notified: bool = Field(False, description="priority and advance (e-TIR-like) data at every control")

    @model_validator(mode="after")
    def _route_or_ends(self) -> "Caravan":
        _check_route_or_ends(self)
        return self


def _check_route_or_ends(item: Flow | Caravan) -> None:
    if item.route is None and (item.from_ is None or item.to is None):
        raise ValueError("give `route: [...]`, or both `from` and `to`")
    if item.route is not None and (item.from_ is not None or item.to is not None):
        raise ValueError("give either `route` or `from`/`to`, not both")


_LINK_KEY = re.compile(r"^\s*(\S+)\s*(<->|->)\s*(\S+)\s*$")


def parse_link_key(key: str) -> tuple[str, str, bool]:
    """`a -> b` or `a <-> b` to (a, b, both_ways)."""
    match = _LINK_KEY.match(key)
    if not match:
        raise ValueError(f"a link key must be 'a -> b' or 'a <-> b', got {key!r}")
    a, arrow, b = match.groups()
    if a == b:
        raise ValueError(f"a link joins two different nodes, got {key!r}")
    return a, b, arrow == "<->"


class Scenario(Base):
    """A validated, frozen scenario. Build it with `load_scenario`."""

    name: Name = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="used in result tables and directory names")
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict, description="citation keys used in comments")
    extends: Optional[str] = Field(None, description="a base scenario file, relative to this one")
    clock: Clock = Clock()
    experiment: Experiment = Experiment()
    drivers: Drivers = Drivers()
    risk_classes: dict[Name, RiskClass] = Field(default_factory=lambda: {"low": RiskClass(noncompliance=0.005)})
    customs: dict[str, CustomsSpec] = Field(default_factory=dict, description="`default` and per-country overrides")
    nodes: dict[Name, Node]
    links: dict[str, Link] = Field(default_factory=dict)
    traffic: dict[Name, Flow] = Field(default_factory=dict)
    caravans: dict[Name, Caravan] = Field(default_factory=dict)

    _raw: dict = PrivateAttr(default_factory=dict)
    _policies: dict = PrivateAttr(default_factory=dict)

    @field_validator("customs")
    @classmethod
    def _customs_keys(cls, v: dict[str, CustomsSpec]) -> dict[str, CustomsSpec]:
        for key in v:
            if key != "default" and not re.match(r"^[A-Z]{2,3}$", key):
                raise ValueError(f"customs keys are `default` or a country code such as KZ, got {key!r}")
        return v

    @field_validator("risk_classes")
    @classmethod
    def _some_classes(cls, v: dict[str, RiskClass]) -> dict[str, RiskClass]:
        if not v:
            raise ValueError("at least one risk class is needed")
        return v

    @property
    def raw(self) -> dict:
        """The merged scenario as plain data (after `extends` and overrides)."""
        return self._raw

    @property
    def countries(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for node in self.nodes.values():
            for c in node.countries:
                seen[c] = None
        return tuple(seen)

    def link_ends(self) -> list[tuple[str, str, bool, str]]:
        """(a, b, both_ways, key) for every link; keys are checked at load time."""
        return [(*parse_link_key(key), key) for key in self.links]

    def policy(self, country: str) -> CustomsPolicy:
        """The resolved customs policy of `country` (built-in defaults, then `default`, then the country)."""
        if country not in self._policies:
            self._policies[country] = resolve_policy(self, country)
        return self._policies[country]

    def default_risk(self) -> str:
        return next(iter(self.risk_classes))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _spec_dict(spec: CustomsSpec | None) -> dict:
    if spec is None:
        return {}
    out: dict[str, Any] = {}
    for name in spec.model_fields_set:
        value = getattr(spec, name)
        if value is None:
            continue
        if isinstance(value, BaseModel):
            value = {k: getattr(value, k) for k in value.model_fields_set if getattr(value, k) is not None}
        elif isinstance(value, dict):
            value = {k: ({f: getattr(c, f) for f in c.model_fields_set} if isinstance(c, BaseModel) else c) for k, c in value.items()}
        out[name] = value
    return out


def resolve_policy(scenario: Scenario, country: str) -> CustomsPolicy:
    merged = _merge(_merge(BUILTIN_CUSTOMS, _spec_dict(scenario.customs.get("default"))), _spec_dict(scenario.customs.get(country)))
    return CustomsPolicy.model_validate(merged)


WEEKDAYS = DAYS
