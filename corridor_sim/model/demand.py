"""How a flow's departure rate varies with the clock: weekday, hour of day and month of year."""
from __future__ import annotations

import bisect
import datetime as dt

import numpy as np

from ..scenario.hours import DAYS
from ..scenario.calendar import week_hour

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year


def hourly_factors(weights: tuple[float, ...] | None) -> list[float] | None:
    """Hour-of-day weights scaled to mean 1 over the day."""
    if weights is None:
        return None
    total = sum(weights)
    return [24 * w / total for w in weights]


def monthly_factors(weights: dict[int, float] | None) -> list[float] | None:
    """Month weights (months left out weigh 1) scaled so that their mean over a common year,
    weighted by days, is 1: `per_day` stays the daily mean over a year."""
    if weights is None:
        return None
    raw = [weights.get(m, 1.0) for m in range(1, 13)]
    mean = sum(w * d for w, d in zip(raw, DAYS_IN_MONTH)) / sum(DAYS_IN_MONTH)
    return [w / mean for w in raw]


class DemandProfile:
    """The multiplier of `per_day` at simulated hour t: weekly x hourly x monthly.

    `weekly` multiplies the rate as given (days left out keep 1); `hourly` and `monthly` are
    scaled to mean 1 (see above). Departures are drawn at the peak rate and thinned.
    """

    def __init__(self, weekly: dict[str, float] | None, hourly: tuple[float, ...] | None,
                 monthly: dict[int, float] | None, start: dt.datetime, horizon: float):
        self.weekly = [weekly.get(d, 1.0) for d in DAYS] if weekly else None
        self.hourly = hourly_factors(hourly)
        self.monthly = monthly_factors(monthly)
        self.offset = week_hour(start)
        self.peak = ((max(self.weekly) if self.weekly else 1.0) * (max(self.hourly) if self.hourly else 1.0)
                     * (max(self.monthly) if self.monthly else 1.0))
        self.varies = bool(self.weekly or self.hourly or self.monthly)
        # month changes on the simulated clock, in hours, over [0, horizon]
        self.month_starts: list[float] = []
        self.month_factor: list[float] = []
        if self.monthly:
            first = dt.datetime(start.year, start.month, 1)
            month = first
            while True:
                at = (month - start).total_seconds() / 3600
                if at > horizon:
                    break
                self.month_starts.append(max(at, 0.0))
                self.month_factor.append(self.monthly[month.month - 1])
                month = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        # past the horizon the month of the horizon goes on: the mean factor there over a week
        self.after_horizon = ((sum(self.weekly) / 7 if self.weekly else 1.0)
                              * (self.month_factor[-1] if self.monthly else 1.0))

    def factors(self, t: np.ndarray) -> np.ndarray:
        """`factor` at each hour of `t`: the same arithmetic, on a column."""
        f = np.ones(len(t))
        week = (t + self.offset) % 168.0
        if self.weekly:
            f = f * np.asarray(self.weekly)[(week // 24).astype(np.int64)]
        if self.hourly:
            f = f * np.asarray(self.hourly)[(week % 24).astype(np.int64)]
        if self.monthly:
            f = f * np.asarray(self.month_factor)[np.searchsorted(self.month_starts, t, side="right") - 1]
        return f

    def factor(self, t: float) -> float:
        """The multiplier at simulated hour t."""
        f = 1.0
        week = (t + self.offset) % 168.0
        if self.weekly:
            f *= self.weekly[int(week // 24)]
        if self.hourly:
            f *= self.hourly[int(week % 24)]
        if self.monthly:
            f *= self.month_factor[bisect.bisect_right(self.month_starts, t) - 1]
        return f
