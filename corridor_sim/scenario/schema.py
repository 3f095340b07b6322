"""The scenario format (docs/reference/scenario-format.md) as frozen pydantic models.

After validation every duration is hours (float), every distribution a `Dist`, every
opening-hours text a `WeeklyHours`: model code never sees unit strings or raw dicts.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from pydantic_core import PydanticKnownError
from pydantic_core.core_schema import ErrorType

from .dists import Dist, parse_dist
from .hours import WeeklyHours, parse_holiday, parse_hours
from .overlay import merge
from .units import format_hours, parse_duration, parse_km, parse_number, parse_quantity
from .warning_codes import CODES

Regime = Literal["paper_tir", "etir", "national"]
REGIMES: tuple[Regime, ...] = ("paper_tir", "etir", "national")

COUNTRY_PATTERN = r"^[A-Z]{2,3}$"
SCENARIO_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
LINK_KEY_PATTERN = r"^\s*\S+\s*(<->|->)\s*\S+\s*$"
CUSTOMS_KEY_PATTERN = r"^(default|[A-Z]{2,3})$"

# Upper bounds that no real corridor reaches; beyond them a run would never finish.
MAX_PER_DAY = 100_000
MAX_HORIZON_H = 100 * 365 * 24.0
MAX_LINK_KM = 20_000
MIN_SPEED_KMH, MAX_SPEED_KMH = 1.0, 200.0


def _dist_to_plain(d: Dist) -> Any:
    if d.kind == "fixed":
        return d.params[0]
    keys = {"exponential": ("mean",), "lognormal": ("mean", "cv"), "gamma": ("mean", "cv"),
            "triangular": ("min", "mode", "max"), "uniform": ("min", "max")}
    if d.kind == "empirical":
        return {"dist": "empirical", "values": list(d.params)}
    return {"dist": d.kind, **dict(zip(keys[d.kind], d.params))}


DATETIME_EXPECTED = "expected a date-time such as 2024-03-04T08:00 (or a date such as 2024-03-04)"


def _local_datetime(value: Any) -> dt.datetime:
    """A local date-time from a date-time, a date (midnight) or ISO text; anything else is refused.

    A time zone is refused (every time is on the scenario's one clock), and so are numbers and
    booleans: pydantic would read `0` as a Unix timestamp in UTC, a date-time with a time zone
    that nothing here could compare with the clock.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{DATETIME_EXPECTED}, got {value!r}") from None
    if not isinstance(value, dt.datetime):
        text = repr(value)
        raise ValueError(f"{DATETIME_EXPECTED}, got {text if len(text) <= 60 else text[:57] + '...'}")
    if value.tzinfo is not None:
        raise ValueError(f"give a local date-time without a time zone, e.g. 2024-03-04T08:00, got {value.isoformat()!r}")
    return value


# The JSON Schema of these types lives once in `$defs` (see json_schema.py); each field names it.
def _ref(name: str) -> WithJsonSchema:
    return WithJsonSchema({"x-scenario-type": name})


def _not_boolean(kind: ErrorType):
    """`lanes: true` is an error, not one lane (pydantic would read a boolean as 1)."""
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticKnownError(kind)
        return value
    return BeforeValidator(check)


# for numbers inside lists and mappings (Base checks its own fields); constraints such as
# Field(ge=...) go before these in an Annotated, or JSON Schema loses them
NOT_BOOL_INT, NOT_BOOL_FLOAT = _not_boolean("int_type"), _not_boolean("float_type")
Hours = Annotated[float, BeforeValidator(parse_duration), _ref("Duration")]
TimeDist = Annotated[
    Dist, BeforeValidator(lambda v: parse_dist(v, parse_duration)), PlainSerializer(_dist_to_plain), _ref("DurationDist"),
]


class MinutesScale:
    """Marks a duration that is a service time at a control (a document check, an inspection, a
    scan): minutes to a few hours, where a bare number, read as hours, is most likely minutes
    meant. `lint.bare_hours_warnings` finds such settings by this mark, not by a list of paths."""

    def __repr__(self) -> str:
        return "MINUTES_SCALE"


MINUTES_SCALE = MinutesScale()
ServiceTime = Annotated[TimeDist, MINUTES_SCALE]
NumberDist = Annotated[
    Dist, BeforeValidator(lambda v: parse_dist(v, parse_number)), PlainSerializer(_dist_to_plain), _ref("NumberDist"),
]
# the bounds are Distance's in the JSON Schema (json_schema.py), which replaces this type's there
Kilometres = Annotated[float, Field(ge=0, le=MAX_LINK_KM), BeforeValidator(parse_km), _ref("Distance")]
OpeningHours = Annotated[WeeklyHours, BeforeValidator(parse_hours), PlainSerializer(lambda h: h.text), _ref("OpeningHours")]
Holiday = Annotated[
    tuple[dt.date, dt.date],
    BeforeValidator(parse_holiday),
    PlainSerializer(lambda h: h[0].isoformat() if h[0] == h[1] else f"{h[0]}..{h[1]}"),
    _ref("Holiday"),
]
LocalDateTime = Annotated[dt.datetime, BeforeValidator(_local_datetime), _ref("DateTime")]
Probability = Annotated[float, Field(ge=0, le=1), NOT_BOOL_FLOAT]
Country = Annotated[str, Field(pattern=COUNTRY_PATTERN, description="ISO country code, e.g. KZ")]
def _printable_name(name: str) -> str:
    """Names are shown in terminals, tables and plots: no control characters, no markup brackets."""
    bad = sorted({c for c in name if c in "[]\\" or ord(c) < 32 or ord(c) == 127})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise ValueError(f"a name may not contain control characters, brackets or backslashes; {name!r} has {shown}")
    return name


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable_name)]


def _customs_key(key: str) -> str:
    if key != "default" and not re.match(COUNTRY_PATTERN, key):
        raise ValueError("expected `default` or a country code of 2 or 3 capital letters such as KZ")
    return key


CustomsKey = Annotated[str, AfterValidator(_customs_key)]

if typing.TYPE_CHECKING:
    WarningCode = str
else:  # one of the codes warnings are said with: a misspelt one is refused with the nearest
    WarningCode = Literal[tuple(CODES)]


def _check_speed(d: Dist) -> Dist:
    """Speeds in km/h: the mean in [1, 200], and never a draw of 0 or less."""
    if not MIN_SPEED_KMH <= d.mean() <= MAX_SPEED_KMH:
        raise ValueError(f"expected a mean speed between {MIN_SPEED_KMH:g} and {MAX_SPEED_KMH:g} km/h, got {d.mean():g}")
    if d.kind in ("uniform", "triangular", "empirical") and min(d.params) <= 0:
        raise ValueError(f"speeds must be positive; this {d.kind} distribution allows {min(d.params):g} km/h")
    return d


Speed = Annotated[NumberDist, AfterValidator(_check_speed)]


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """`lanes: true` is an error, not one lane (pydantic would read a boolean as 1)."""
        if isinstance(value, bool) and info.field_name is not None:
            kind = _numeric_fields(cls).get(info.field_name)
            if kind is not None:
                raise PydanticKnownError(kind)
        return value


@functools.cache
def _numeric_fields(model: type[BaseModel]) -> dict[str, ErrorType]:
    """A model's int and float fields (optional or not), with the error a boolean gets there."""
    kinds: dict[type, ErrorType] = {int: "int_type", float: "float_type"}
    out = {}
    for name, field in model.model_fields.items():
        types = [field.annotation, *typing.get_args(field.annotation)] if typing.get_origin(field.annotation) is Union \
            else [field.annotation]
        found = [kinds[t] for t in types if t in kinds]
        if found:
            out[name] = found[0]
    return out


class Clock(Base):
    """The simulated period; the run drains after the horizon until every truck has arrived."""

    start: LocalDateTime = Field(dt.datetime(2024, 1, 1), description="date-time of simulated hour 0; its weekday and hour drive opening hours")
    horizon: Hours = Field(30 * 24.0, gt=0, description="trucks depart in [0, horizon); default 30d")
    warmup: Hours = Field(0.0, description="trucks departing before this are simulated but not counted; default 0")

    @model_validator(mode="after")
    def _horizon_after_warmup(self) -> "Clock":
        if self.horizon > MAX_HORIZON_H:
            raise ValueError(f"the horizon is at most 100 years ({MAX_HORIZON_H:g} h), got {self.horizon:g} h")
        if self.horizon <= self.warmup:
            raise ValueError(f"horizon ({self.horizon:g} h) must be longer than warmup ({self.warmup:g} h)")
        # the calendar ends with the year 9999: the horizon, a drain of up to a year (storms and
        # monthly weights read the date there) and the month after must fall within it
        last = dt.datetime.max - dt.timedelta(days=366 + 31)
        if self.start > last or self.horizon / 24 > (last - self.start).total_seconds() / 86400:
            raise ValueError(f"clock.start {self.start.isoformat()} is too late: the horizon and a drain of up to a "
                             "year after it must end more than a month before the year 10000; start earlier")
        return self


class Experiment(Base):
    """Defaults for `corridor-sim run`; `-n` and `--seed` override them."""

    replications: int = Field(10, ge=1, le=100_000, description="independent replications")
    seed: int = Field(12345, ge=0, description="root seed; replication r uses SeedSequence(seed).spawn(...)[r]")


class Drivers(Base):
    """How trucks drive: speed and driving-time rules."""

    rules: Literal["aetr", "none"] = Field("aetr", description="aetr: 4.5 h driving then a 45 min break, at most 9 h a "
                                                              "day, then 11 h rest; none: drive non-stop")
    crew: Literal["single", "double"] = Field("single", description="a double crew drives longer before resting")
    speed_kmh: Speed = Field(Dist.fixed(60.0), description="km/h, drawn per link traverse; default 60")


class RiskClass(Base):
    """The true behaviour of a class of traders."""

    noncompliance: Probability = Field(0.0, description="share of this class's trucks that carry a violation")


class Channel(Base):
    """Probabilities of the yellow (documentary check) and red (inspection) channels; green is the rest."""

    yellow: Probability = Field(0.0, description="probability of a documentary check in the lane")
    red: Probability = Field(0.0, description="probability of a physical inspection in a bay")

    @model_validator(mode="after")
    def _sum(self) -> "Channel":
        if self.yellow + self.red > 1 + 1e-9:
            raise ValueError(f"yellow + red must be at most 1, got {self.yellow:g} + {self.red:g}")
        return self


class RegimeTimes(Base):
    paper_tir: Optional[ServiceTime] = None
    etir: Optional[ServiceTime] = None
    national: Optional[ServiceTime] = None


class RegimeRates(Base):
    paper_tir: Optional[Probability] = None
    etir: Optional[Probability] = None
    national: Optional[Probability] = None


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
    "priority_regimes": (),
    "etir_preclear": 0.5,
}


def _plain(value: Any) -> str:
    """A built-in default as it would be written in a scenario file."""
    if isinstance(value, Dist):
        return value.describe(format_hours)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _builtin(key: str, text: str) -> str:
    return f"{text}; built-in default {_plain(BUILTIN_CUSTOMS[key])}"


class CustomsSpec(Base):
    """One country's customs policy, or the `default` one; every field optional (merged)."""

    document: Optional[RegimeTimes] = Field(None, description=_builtin("document", "document check time per transit regime"))
    document_error: Optional[RegimeRates] = Field(None, description=_builtin("document_error", "probability of a document error per regime"))
    error_delay: Optional[ServiceTime] = Field(None, description=_builtin("error_delay", "correction delay after a document error"))
    channels: Optional[dict[Name, Channel]] = Field(None, description=_builtin("channels", "yellow/red probabilities per risk class"))
    yellow_check: Optional[ServiceTime] = Field(None, description=_builtin("yellow_check", "documentary check time in the lane (yellow)"))
    inspection: Optional[ServiceTime] = Field(None, description=_builtin("inspection", "physical inspection time in a bay (red)"))
    detection: Optional[Probability] = Field(None, description=_builtin("detection", "probability a red inspection finds a violation"))
    recognises_aeo: Optional[bool] = Field(None, description=_builtin("recognises_aeo", "this country honours the trucks' AEO status"))
    aeo_factor: Optional[float] = Field(None, ge=0, le=1, description=_builtin("aeo_factor", "multiplies yellow and red for recognised AEO trucks"))
    aeo_priority_lane: Optional[bool] = Field(None, description=_builtin("aeo_priority_lane", "recognised AEO trucks go first in the lane queue"))
    priority_regimes: Optional[tuple[Regime, ...]] = Field(None, description=_builtin(
        "priority_regimes", "transit regimes whose trucks go first in the lane queue (TIR green lanes), e.g. [etir]"))
    etir_preclear: Optional[Probability] = Field(None, description=_builtin(
        "etir_preclear", "share of yellow checks that e-TIR advance data turns green"))


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
    priority_regimes: tuple[Regime, ...]
    etir_preclear: Probability


def _check_shifts(shifts: dict[str, int]) -> dict[str, int]:
    """Each key is an opening-hours text (the hours grammar), each value the lanes staffed then."""
    for text in shifts:
        try:
            parse_hours(text)
        except ValueError as exc:
            raise ValueError(f"shift {text!r}: {exc}") from None
    return shifts


Shifts = Annotated[dict[str, Annotated[int, Field(ge=1, le=10_000), NOT_BOOL_INT]], AfterValidator(_check_shifts)]


def _check_months(v: tuple[int, ...]) -> tuple[int, ...]:
    bad = [m for m in v if not 1 <= m <= 12]
    if bad or not v:
        raise ValueError(f"months must be a non-empty list of 1..12, got {list(v)}")
    return v


Months = Annotated[tuple[Annotated[int, NOT_BOOL_INT], ...], AfterValidator(_check_months)]


AsideCheck = Literal["yellow_check", "error_correction"]


class DatedOutage(Base):
    """A known stop or slowdown of a control: a strike, an IT failure, a snowfall."""

    from_: LocalDateTime = Field(alias="from", description="when it starts")
    to: LocalDateTime = Field(description="when it ends")
    lanes: int = Field(0, ge=0, le=10_000, description="lanes still working meanwhile; default 0 (no service)")

    @model_validator(mode="after")
    def _ordered(self) -> "DatedOutage":
        if self.to <= self.from_:
            raise ValueError(f"`to` ({self.to.isoformat()}) must come after `from` ({self.from_.isoformat()})")
        return self


class RandomOutages(Base):
    """Unplanned stops of a control (IT failures, power cuts, weather): Poisson starts, drawn durations."""

    per_year: float = Field(ge=0, le=8760, description="outages a year (Poisson)")
    duration: TimeDist = Field(description="how long an outage lasts")
    months: Months = Field(tuple(range(1, 13)), description="months in which outages start")
    lanes: int = Field(0, ge=0, le=10_000, description="lanes still working meanwhile; default 0 (no service)")


class Outages(Base):
    """When a control stops or slows down: dated outages and random ones."""

    dated: tuple[DatedOutage, ...] = Field((), description="known outages: [{from, to, lanes}]")
    random: Optional[RandomOutages] = Field(None, description="{per_year, duration, months, lanes}")


class Scanners(Base):
    """Non-intrusive inspection at a control: a truck selected for a physical inspection is
    scanned first, and only a scan that shows an anomaly sends it to the bay."""

    count: int = Field(ge=1, le=1_000, description="scanners of the control, each scanning one truck at a time")
    scan: ServiceTime = Field(description="time to scan one truck, queueing for the scanner apart")
    hit_rate: Probability = Field(description="probability that the scan of a non-compliant truck shows an anomaly")
    false_alarm: Probability = Field(description="probability that the scan of a compliant truck shows an anomaly")
    green_share: Probability = Field(0.0, description="share of the green trucks scanned too (an anomaly sends them "
                                                      "to the bay); default 0")
    hours: Optional[OpeningHours] = Field(None, description="when the scanners work; default the control's hours. "
                                                            "Outside them a selected truck goes to the bay unscanned")
    serves: Literal["own_lanes", "both_directions"] = Field(
        "own_lanes", description="the lanes the scanners serve: own_lanes (each control with these scanners has its "
                                 "own) or both_directions (one scanner site between a country's exit and entry lanes "
                                 "at the node: both controls' trucks queue for the same scanners); default own_lanes")


class ControlOverride(Base):
    """What one country's control at a node does differently from the node's settings."""

    lanes: Optional[int] = Field(None, ge=1, le=10_000, description="lanes of this control")
    shifts: Optional[Shifts] = Field(None, description="lanes staffed by weekday and hour: {hours: lanes}; `lanes` outside them")
    outages: Optional[Outages] = Field(None, description="when this control stops or slows down")
    pull_aside: Optional[tuple[AsideCheck, ...]] = Field(None, description="checks done with the truck parked aside")
    admissions_per_day: Optional[int] = Field(None, ge=1, le=1_000_000, description="at most this many trucks admitted a day")
    inspection_bays: Optional[int] = Field(None, ge=1, le=10_000, description="inspection bays of this control")
    hours: Optional[OpeningHours] = Field(None, description="opening hours of this control")
    holidays: Optional[tuple[Holiday, ...]] = Field(None, description="closed days of this control")
    handling: Optional[ServiceTime] = Field(None, description="physical handling in the lane")
    scanners: Optional[Scanners] = Field(None, description="non-intrusive inspection before the bay at this control")


CONTROL_SETTINGS = ("lanes", "shifts", "outages", "inspection_bays", "hours", "holidays", "handling", "pull_aside",
                    "admissions_per_day", "scanners")  # what a country's control may set for itself


class ControlSpec(ControlOverride):
    exit: Optional[ControlOverride] = Field(None, description="overrides for trucks leaving this country")
    entry: Optional[ControlOverride] = Field(None, description="overrides for trucks entering this country")


class Node(Base):
    """A place on the corridor: a terminal (origin, destination, inland office), a land border (bcp) or a sea port."""

    kind: Literal["terminal", "bcp", "port"] = Field(description="terminal, bcp (a land border) or port (a sea port with customs)")
    country: Optional[Country] = Field(None, description="the country of a terminal or port")
    border: Optional[tuple[Country, Country]] = Field(None, description="the two countries of a bcp, e.g. [CN, KZ]")
    label: Optional[str] = Field(None, description="a display name")
    lat: Optional[float] = Field(None, ge=-90, le=90, description="latitude, for maps")
    lon: Optional[float] = Field(None, ge=-180, le=180, description="longitude, for maps")
    lanes: int = Field(2, ge=1, le=10_000, description="lanes of each control (country side, direction); default 2")
    shifts: Shifts = Field(default_factory=dict, description="lanes staffed by weekday and hour, e.g. "
                           "{'Mon-Fri 08:00-20:00': 6}: `lanes` outside them, the largest where they overlap")
    outages: Optional[Outages] = Field(None, description="when the node's controls stop or slow down")
    pull_aside: tuple[AsideCheck, ...] = Field((), description="checks done with the truck parked aside, freeing "
                                               "the lane: yellow_check, error_correction; default none")
    admissions_per_day: Optional[int] = Field(None, ge=1, le=1_000_000, description=(
        "at most this many trucks admitted to each control a day (an e-queue); the rest book the next free "
        "day's slot, first come first served; default no cap"))
    inspection_bays: int = Field(1, ge=1, le=10_000, description="inspection bays of each control; default 1")
    hours: OpeningHours = Field(WeeklyHours(((0.0, 168.0),), "24/7"), description="opening hours of every control")
    holidays: tuple[Holiday, ...] = Field((), description="closed days")
    handling: ServiceTime = Field(Dist.fixed(0.0), description="physical handling in the lane (e.g. transloading); counted as inspection")
    scanners: Optional[Scanners] = Field(None, description="non-intrusive inspection before the bay at each control; default none")
    joint_control: bool = Field(False, description="both countries check in one stop")
    neutral_zone: Optional[int] = Field(None, ge=0, le=100_000, description=(
        "a bcp's two sides coupled: a truck cleared by the exit side leaves it only when the entry side can take "
        "it, with room for this many trucks waiting between them (0: none); default uncoupled"))
    controls: dict[Country, ControlSpec] = Field(default_factory=dict, description="per-country (and per-direction) overrides")

    @field_validator("border", mode="before")
    @classmethod
    def _two_countries(cls, v: Any) -> Any:
        if v is not None and (not isinstance(v, (list, tuple)) or len(v) != 2):
            raise ValueError(f"a bcp's border is a list of the two countries it joins, e.g. [CN, KZ], got {v!r}")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> "Node":
        if self.kind == "bcp":
            if self.border is None:
                raise ValueError("a bcp needs `border: [A, B]`, the two countries it joins")
            if self.border[0] == self.border[1]:
                raise ValueError(f"a bcp's border needs two different countries, got {list(self.border)}")
            if self.country is not None:
                raise ValueError("a bcp has `border: [A, B]`, not `country`")
            if self.joint_control and self.neutral_zone is not None:
                raise ValueError("neutral_zone couples a bcp's two sides; a joint control has one side only")
        else:
            if self.country is None:
                raise ValueError(f"a {self.kind} needs `country`")
            if self.border is not None:
                raise ValueError(f"only a bcp has `border`; a {self.kind} has `country`")
            if self.joint_control:
                raise ValueError("joint_control applies to a bcp only")
            if self.neutral_zone is not None:
                raise ValueError("neutral_zone applies to a bcp only")
        for country in self.controls:
            if country not in self.countries:
                raise ValueError(f"controls names {country!r}, which is not a country of this node ({', '.join(self.countries)})")
        return self

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self.border) if self.border else (self.country,)  # type: ignore[return-value]

    def control_settings(self, country: str | None, direction: str) -> dict[str, Any]:
        """One control's settings: the node's, then its country's overrides, then that country's
        for the direction (`exit`/`entry`); `country` None (a joint control): the node's own."""
        values = {key: getattr(self, key) for key in CONTROL_SETTINGS}
        spec = self.controls.get(country) if country else None
        for override in (spec, getattr(spec, direction, None) if spec else None):
            if override is None:
                continue
            for key in values:
                value = getattr(override, key)
                if value is not None:
                    values[key] = value
        return values


class Departs(Base):
    """When a ferry leaves: exactly one rule."""

    when_full: Optional[bool] = Field(None, description="leave only when full")
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
    """Storms that close a ferry link."""

    per_year: float = Field(ge=0, le=365, description="storms a year (Poisson)")
    duration: TimeDist = Field(description="how long a storm closes the link")
    months: Months = Field(tuple(range(1, 13)), description="months in which storms start")


class Link(Base):
    """A road between two nodes, or a ferry between two ports (keyed `a -> b` or `a <-> b`)."""

    mode: Literal["road", "ferry"] = Field("road", description="road (default) or ferry")
    km: Optional[Kilometres] = Field(None, description="road length in km (`50`, or with its "
                                                                            "unit: `50 km`, `800 m`); required for a "
                                                                            "road link")
    speed_kmh: Optional[Speed] = Field(None, description="a number sets this link's mean speed (drivers' variability kept); a dist replaces it")
    vessels: Optional[int] = Field(None, ge=1, le=1000, description="ferries shuttling on the link; default 1")
    capacity: Optional[int] = Field(None, ge=1, le=100_000, description="trucks per sailing")
    sailing: Optional[TimeDist] = Field(None, description="sailing time, port to port")
    departs: Optional[Departs] = Field(None, description="departure rule; default when_full_or_after: 48h")
    storms: Optional[Storms] = Field(None, description="random closures; default none")

    @model_validator(mode="after")
    def _mode_fields(self) -> "Link":
        if self.mode == "road":
            if self.km is None:
                raise ValueError("a road link needs `km`")
            extra = [k for k in ("vessels", "capacity", "sailing", "departs", "storms") if getattr(self, k) is not None]
            if extra:
                raise ValueError(f"{', '.join(extra)} apply to ferry links only (add `mode: ferry`)")
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


def _mix(mix: dict[str, float]) -> dict[str, float]:
    """Shares that must add up to 1 (regime and risk mixes)."""
    total = sum(mix.values())
    if abs(total - 1) > 1e-6:
        shares = ", ".join(f"{k} {v:g}" for k, v in mix.items()) or "nothing"
        raise ValueError(f"the shares must sum to 1, got {total:g} ({shares})")
    return mix


def _positive_hour(weights: tuple[float, ...]) -> tuple[float, ...]:
    if sum(weights) <= 0:
        raise ValueError("at least one hour needs a positive weight")
    return weights


def _positive_somewhere(weights: dict[int, float]) -> dict[int, float]:
    if weights and all(weights.get(m, 1.0) <= 0 for m in range(1, 13)):
        raise ValueError("at least one month needs a positive weight")
    return weights


class Flow(Base):
    """A stream of trucks with Poisson departures, on a route or from/to (shortest expected time)."""

    route: Optional[tuple[Name, ...]] = Field(None, min_length=2, description="the nodes in order")
    from_: Optional[Name] = Field(None, alias="from", description="first node (with `to`, instead of `route`)")
    to: Optional[Name] = Field(None, description="last node (with `from`, instead of `route`)")
    per_day: float = Field(gt=0, le=MAX_PER_DAY, description="Poisson departures a day")
    aeo: Probability = Field(0.0, description="share of AEO trucks; default 0")
    registered: Optional[Country] = Field(None, description="country the trucks are registered in (road permits); "
                                                            "default the country of the route's first node")
    regime: Annotated[dict[Regime, Probability], AfterValidator(_mix)] = Field(
        # the lambda's keys are Regimes; mypy does not infer it against pydantic's two factory signatures
        default_factory=lambda: {"paper_tir": 1.0},  # type: ignore[arg-type]
        description="transit regime mix; default {paper_tir: 1}")
    risk: Optional[Annotated[dict[Name, Probability], AfterValidator(_mix)]] = Field(
        None, description="risk class mix; default: the first risk class")
    background: bool = Field(False, description="in the queues, but out of the headline lead-time summary")
    weekly: Optional[dict[Weekday, Annotated[float, Field(ge=0, le=1000), NOT_BOOL_FLOAT]]] = Field(
        None, description="departure-rate multiplier per weekday; days left out keep 1")
    hourly: Optional[Annotated[tuple[Annotated[float, Field(ge=0, le=1000), NOT_BOOL_FLOAT], ...],
                               Field(min_length=24, max_length=24), AfterValidator(_positive_hour)]] = Field(
        None, description="24 weights of the departure rate by hour of day (00:00-01:00 first), scaled to mean 1")
    monthly: Optional[Annotated[dict[Annotated[int, Field(ge=1, le=12), NOT_BOOL_INT], Annotated[float, Field(ge=0, le=1000), NOT_BOOL_FLOAT]],
                                AfterValidator(_positive_somewhere)]] = Field(
        None, description="weights of the departure rate by month (1-12; months left out weigh 1), scaled to a "
                          "day-weighted mean of 1 over the year")

    @model_validator(mode="after")
    def _route_or_ends(self) -> "Flow":
        _check_route_or_ends(self)
        return self


class Caravan(Base):
    """A named group of trucks that departs together; traced in full."""

    route: Optional[tuple[Name, ...]] = Field(None, min_length=2, description="the nodes in order")
    from_: Optional[Name] = Field(None, alias="from", description="first node (with `to`, instead of `route`)")
    to: Optional[Name] = Field(None, description="last node (with `from`, instead of `route`)")
    depart: LocalDateTime = Field(description="departure date-time, e.g. 2024-05-06T08:00")
    trucks: int = Field(ge=1, le=10_000, description="number of trucks")
    aeo: bool = Field(False, description="the trucks are AEO")
    registered: Optional[Country] = Field(None, description="country the trucks are registered in (road permits); "
                                                            "default the country of the route's first node")
    regime: Regime = Field("paper_tir", description="transit regime of every truck")
    risk: Optional[Name] = Field(None, description="risk class of every truck; default: the first risk class")
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


class PostClearanceAudit(Base):
    """A country's post-clearance audit: a share of the checks its risk engine selects at the
    border is released without the check and audited afterwards from the declaration records.

    The audit office is one queue for the country (first come, first served, `auditors` working
    in parallel around the clock); an audit that finds a violation finds it when it ends, so the
    delay to detection is the wait for an auditor plus the audit. Lead times do not include it.
    """

    release: dict[Literal["yellow", "red"], Probability] = Field(
        description="share of the yellow and red selections released at the border and passed to audit, e.g. {red: 0.5}")
    risk_classes: Optional[tuple[Name, ...]] = Field(
        None, description="risk classes whose selections may be released; default every class")
    audited: Union[Probability, dict[Name, Probability]] = Field(
        1.0, description="share of the released trucks audited: one share (random), or one per risk class "
                         "(risk-targeted, e.g. {low: 0.1, high: 1}); default 1")
    auditors: int = Field(ge=1, le=10_000, description="audits in progress at once")
    duration: TimeDist = Field(description="how long one audit takes an auditor")
    detection: Probability = Field(description="probability that an audit of a non-compliant truck finds the violation")


class PreArrival(Base):
    """The exporting side's data reach the importing side before the truck: a risk assessment
    before arrival, for any transit regime."""

    preclear: Probability = Field(description="share of the importing side's yellow checks that the assessment turns green")
    document_factor: float = Field(1.0, ge=0, le=1, description="multiplies the importing side's document check time; default 1")
    delay: Hours = Field(0.0, ge=0, le=8760, description="how long the data take to arrive after the exporting side "
                                                         "releases the truck; a truck that is there sooner is checked "
                                                         "without them; default 0h")


class Alerts(Base):
    """A violation found by the exporting side raises the importing side's red probability for
    the same flow's trucks for a while."""

    red_factor: float = Field(ge=1, le=1000, description="multiplies the importing side's red probability (at most 1)")
    duration: Hours = Field(gt=0, le=8760, description="how long an alert lasts after the detection")


class InformationExchange(Base):
    """What one country's customs (exporting side) tells the next one (importing side) about a truck."""

    pre_arrival: Optional[PreArrival] = Field(None, description="{preclear, document_factor, delay}: risk assessment "
                                                                "before arrival; default none")
    recognition: Probability = Field(0.0, description="probability that a truck the exporting side inspected and "
                                                      "found compliant is not inspected again (red turns green); default 0")
    alerts: Optional[Alerts] = Field(None, description="{red_factor, duration}: enforcement alerts; default none")


class RoadPermits(Base):
    """Bilateral road permits: trucks registered in A enter (or cross) B only with one of the
    permits B issues to A's hauliers, so many a period."""

    permits: int = Field(ge=1, le=1_000_000_000, description="permits a period")
    period: Literal["day", "week", "month", "year"] = Field(
        "year", description="the quota resets at the start of each calendar day, week (Monday), month or year; default year")
    at_start: Optional[int] = Field(None, ge=0, le=1_000_000_000, description=(
        "permits left when the clock starts, in the period it starts in; default `permits` times the share of "
        "that period still to come (the rest went before the clock started)"))


EXCHANGE_KEY_PATTERN = r"^[A-Z]{2,3} -> [A-Z]{2,3}$"


def exchange_countries(key: str) -> tuple[str, str]:
    """`"GE -> TR"` -> ("GE", "TR"): the exporting and the importing side."""
    a, b = key.split(" -> ")
    return a, b


# --- money, fuel and emissions (the `costs` section) --------------------------------------------
#
# Every figure carries its unit ("0.65 usd/L"); a bare number or a unit of another kind is an
# error at its YAML path. Everything is optional here: a scenario gives what differs from the
# package defaults (corridor_sim/data/costs.yaml), and `costs.resolve_costs` fills in the rest.

Money = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "money")), _ref("Money")]
FuelPrice = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "fuel_price")), _ref("FuelPrice")]
HourlyCost = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "hourly_cost")), _ref("HourlyCost")]
FuelPerDistance = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "fuel_per_distance")), _ref("FuelPerDistance")]
FuelPerHour = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "fuel_per_hour")), _ref("FuelPerHour")]
SharePerDay = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "share_per_day")), _ref("SharePerDay")]
KgPerLitre = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "kg_per_litre")), _ref("KgPerLitre")]
GramsPerLitre = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "g_per_litre")), _ref("GramsPerLitre")]
GramsPerHour = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "g_per_hour")), _ref("GramsPerHour")]
Tonnes = Annotated[float, BeforeValidator(functools.partial(parse_quantity, "tonnes")), _ref("Tonnes")]


class Fees(Base):
    """What a truck pays at a country's control, leaving it (`exit`) or entering it (`entry`)."""

    exit: Optional[Money] = Field(None, description="paid at the exit control, per truck, e.g. 43 usd")
    entry: Optional[Money] = Field(None, description="paid at the entry control, per truck, e.g. 69 usd")


class NodeFees(Base):
    """A country's fees at one node, where they differ from the country's."""

    fees: Optional[Fees] = Field(None, description="official fees {exit, entry} at this node")
    informal: Optional[Fees] = Field(None, description="informal payments {exit, entry} at this node (CPMM counts them)")


class CountryCosts(Base):
    """One country's prices and border fees (or the `default` country's)."""

    diesel: Optional[FuelPrice] = Field(None, description="diesel price, e.g. 0.65 usd/L")
    driver_wage: Optional[HourlyCost] = Field(None, description="a driver's pay per hour of the trip, for trucks "
                                                                "registered in this country, e.g. 2 usd/h")
    fees: Optional[Fees] = Field(None, description="official fees {exit, entry} at each of this country's controls")
    informal: Optional[Fees] = Field(None, description="informal payments {exit, entry} at each of its controls")
    at: dict[Name, NodeFees] = Field(default_factory=dict, description="per node: {fees, informal} where they differ")


class EngineOn(Base):
    """The share of a truck's waiting time with the engine running (idling)."""

    queueing: Optional[Probability] = Field(None, description="share of the time at controls and waiting for a "
                                                              "ferry with the engine on")
    rest: Optional[Probability] = Field(None, description="share of the drivers' breaks and rests with the engine on")


def _fleet_mix(mix: dict[str, float]) -> dict[str, float]:
    return _mix(mix)


class FlowCosts(Base):
    """One flow's (or caravan's) trucks and cargo, or the `default` flow's."""

    cargo_value: Optional[Money] = Field(None, description="value of one truck's cargo, e.g. 50000 usd")
    cargo_time: Optional[SharePerDay] = Field(None, description="time cost of the cargo, a share of its value per "
                                                                "day in transit (ad valorem), e.g. 1.35 %/d")
    truck_cost: Optional[HourlyCost] = Field(None, description="the truck's own cost per hour of the trip (capital, "
                                                               "insurance, upkeep; not fuel or driver), e.g. 25 usd/h")
    fuel_driving: Optional[FuelPerDistance] = Field(None, description="fuel use driving, e.g. 33 L/100km")
    fuel_idle: Optional[FuelPerHour] = Field(None, description="fuel use idling, e.g. 3 L/h")
    engine_on: Optional[EngineOn] = Field(None, description="{queueing, rest}: shares of waiting with the engine on")
    payload: Optional[Tonnes] = Field(None, description="cargo carried, for CPMM's cost per 20 t, e.g. 20 t")
    fleet: Optional[Annotated[dict[Name, Probability], AfterValidator(_fleet_mix)]] = Field(
        None, description="the trucks' emission classes (keys of costs.emissions.classes) and their shares, "
                          "summing to 1; replaces the default's mix as a whole")

    @field_validator("payload")
    @classmethod
    def _some_cargo(cls, value: Optional[float]) -> Optional[float]:
        if value is not None and value <= 0:  # CPMM's cost is per 20 t of it: a truck carries some
            raise ValueError(f"expected a mass of cargo above 0 t, e.g. 20 t, got {value:g} t")
        return value


class EmissionClass(Base):
    """Pollutant factors of one class of engines (e.g. Euro IV-V)."""

    nox: Optional[GramsPerLitre] = Field(None, description="NOx per litre burnt driving, e.g. 37 g/L")
    pm: Optional[GramsPerLitre] = Field(None, description="particulate matter per litre burnt driving, e.g. 1 g/L")
    nox_idle: Optional[GramsPerHour] = Field(None, description="NOx per hour idling, e.g. 85 g/h")
    pm_idle: Optional[GramsPerHour] = Field(None, description="particulate matter per hour idling, e.g. 1.8 g/h")


class Emissions(Base):
    """Emission factors: CO2 per litre of diesel, and pollutants by engine class."""

    co2_ttw: Optional[KgPerLitre] = Field(None, description="CO2 per litre burnt, tank-to-wheel, e.g. 2.69 kg/L")
    co2e_wtw: Optional[KgPerLitre] = Field(None, description="greenhouse gases per litre, well-to-wheel (ISO 14083, "
                                                             "GLEC), CO2 equivalent, e.g. 3.3 kg/L")
    classes: dict[Name, EmissionClass] = Field(default_factory=dict, description="pollutant factors by engine class")


class Costs(Base):
    """Money, fuel and emissions: merged over the package defaults (corridor_sim/data/costs.yaml)."""

    countries: dict[CustomsKey, CountryCosts] = Field(
        default_factory=dict, description="`default` and per-country prices, wages and border fees",
        json_schema_extra={"propertyNames": {"pattern": CUSTOMS_KEY_PATTERN}})
    flows: dict[Name, FlowCosts] = Field(default_factory=dict, description="`default` and per flow or caravan: cargo, "
                                                                            "truck, fuel use, fleet")
    ferries: dict[str, Money] = Field(default_factory=dict, description="tariff per truck and crossing, by ferry link "
                                                                        "key (e.g. 'kuryk <-> alat'), or `default`")
    emissions: Optional[Emissions] = Field(None, description="{co2_ttw, co2e_wtw, classes}")



class Scenario(Base):
    """A validated, frozen scenario. Build it with `load_scenario`."""

    name: Name = Field(pattern=SCENARIO_NAME_PATTERN, description="used in result tables and directory names")
    description: str = Field("", description="one or two sentences for people")
    label: Optional[Name] = Field(None, description="a name for people in legends and reports, e.g. 'AEO recognised' "
                                                    "(default: the name)")
    sources: dict[str, str] = Field(default_factory=dict, description="citation key -> reference; comments beside numbers cite the keys")
    extends: Optional[str] = Field(None, description="a base scenario file, relative to this one; this file gives only what differs")
    acknowledge: list[WarningCode] = Field(
        default_factory=list, description="codes of warnings this scenario means (the code ends each warning, e.g. "
                                          "aeo-not-recognised): they are not said for it; a file that extends this one "
                                          "inherits the list")
    clock: Clock = Field(Clock(), description="simulated period")
    experiment: Experiment = Field(Experiment(), description="replications and seed")
    drivers: Drivers = Field(Drivers(), description="speed and driving-time rules")
    risk_classes: dict[Name, RiskClass] = Field(
        default_factory=lambda: {"low": RiskClass(noncompliance=0.005)}, description="trader classes; default {low: {noncompliance: 0.005}}")
    customs: dict[CustomsKey, CustomsSpec] = Field(
        default_factory=dict, description="`default` and per-country customs policies, merged over the built-in defaults",
        json_schema_extra={"propertyNames": {"pattern": CUSTOMS_KEY_PATTERN}})
    nodes: dict[Name, Node] = Field(description="terminals, border crossings and ports, keyed by name",
                                    json_schema_extra={"minProperties": 1})
    links: dict[str, Link] = Field(default_factory=dict, description="keyed `a -> b` (one way) or `a <-> b` (both ways)",
                                   json_schema_extra={"propertyNames": {"pattern": LINK_KEY_PATTERN}})
    traffic: dict[Name, Flow] = Field(default_factory=dict, description="flows of trucks, keyed by name")
    caravans: dict[Name, Caravan] = Field(default_factory=dict, description="caravans, keyed by name")
    post_clearance_audit: dict[Country, PostClearanceAudit] = Field(
        default_factory=dict, description="per country: releasing selected trucks at the border and auditing them afterwards")
    information_exchange: dict[Annotated[str, Field(pattern=EXCHANGE_KEY_PATTERN)], InformationExchange] = Field(
        default_factory=dict, description="per ordered pair of countries, `A -> B` (A the exporting side): what A's "
                                          "customs tells B's", json_schema_extra={"propertyNames": {"pattern": EXCHANGE_KEY_PATTERN}})
    road_permits: dict[Annotated[str, Field(pattern=EXCHANGE_KEY_PATTERN)], RoadPermits] = Field(
        default_factory=dict, description="per ordered pair `A -> B`: the permits B issues a period to trucks "
                                          "registered in A", json_schema_extra={"propertyNames": {"pattern": EXCHANGE_KEY_PATTERN}})
    costs: Costs = Field(Costs(), description="money, fuel and emissions, merged over the package defaults: "
                                              "countries (prices, wages, fees), flows, ferries, emissions")

    _raw: dict = PrivateAttr(default_factory=dict)
    _policies: dict = PrivateAttr(default_factory=dict)
    _set_by: list = PrivateAttr(default_factory=list)  # (path parts, who set it): what lint checks is used

    @property
    def set_by(self) -> list[tuple[tuple[str, ...], str]]:
        """The dotted paths set over the base file (by an overlay, `--set` or `--vary`), each with
        who set it (`--set`, `--vary`, an overlay's file name), in order."""
        return self._set_by

    @field_validator("nodes")
    @classmethod
    def _some_nodes(cls, v: dict[str, Node]) -> dict[str, Node]:
        if not v:
            raise ValueError("at least one node is needed")
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

    def side_between(self, a: str, b: str) -> str | None:
        """The country in which the road from node `a` to node `b` lies.

        A terminal's or port's own country; between two bcps, the one country they share (None
        when they share none or both). It tells which way a route crosses a bcp.
        """
        first, second = self.nodes[a], self.nodes[b]
        if first.kind != "bcp":
            return first.country
        if second.kind != "bcp":
            return second.country
        shared = set(first.countries) & set(second.countries)
        return shared.pop() if len(shared) == 1 else None


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
    merged = merge(merge(BUILTIN_CUSTOMS, _spec_dict(scenario.customs.get("default"))), _spec_dict(scenario.customs.get(country)))
    return CustomsPolicy.model_validate(merged)
