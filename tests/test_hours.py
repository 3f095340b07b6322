"""Opening hours and holidays: parsing, and `next_open` against a brute-force minute grid."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.scenario.calendar import Calendar
from corridor_sim.scenario.hours import DAYS, WEEK, parse_holiday, parse_hours


def test_24_7_is_always_open():
    hours = parse_hours("24/7")
    assert hours.always_open and hours.open_hours_per_week() == WEEK
    assert parse_hours("always").always_open


@pytest.mark.parametrize("text, per_week, first", [
    ("Mon-Fri 09:00-18:00", 45.0, (9.0, 18.0)),
    ("Mon-Fri 08:00-20:00; Sat 09:00-13:00", 64.0, (8.0, 20.0)),
    ("09:00-17:00", 56.0, (9.0, 17.0)),
    ("Sat,Sun 10:00-14:00", 8.0, (5 * 24 + 10.0, 5 * 24 + 14.0)),
    ("Fri-Mon 06:00-22:00", 64.0, (6.0, 22.0)),  # a day range may wrap round the week
    ("Sun 22:00-06:00", 8.0, (0.0, 6.0)),  # overnight into Monday wraps to the week's start
    ("Mon-Sun 00:00-24:00", WEEK, (0.0, WEEK)),
])
def test_weekly_ranges(text, per_week, first):
    hours = parse_hours(text)
    assert hours.open_hours_per_week() == pytest.approx(per_week)
    assert hours.intervals[0] == pytest.approx(first)
    assert hours.text == text


@pytest.mark.parametrize("bad, words", [
    ("Mon-Fri 9-18", "HH:MM-HH:MM"), ("Mon-Fri 09:00-25:00", "invalid time"), ("Moonday 09:00-10:00", "cannot read the days"),
    ("Mon 09:00-09:00", "empty time range"), ("", "never open"), (24, "expected opening hours"),
])
def test_bad_opening_hours_name_the_part_that_is_wrong(bad, words):
    with pytest.raises(ValueError) as info:
        parse_hours(bad)
    assert words in str(info.value)


def test_holidays_are_days_or_inclusive_ranges():
    assert parse_holiday("2024-10-01") == (dt.date(2024, 10, 1),) * 2
    assert parse_holiday(dt.date(2024, 10, 1)) == (dt.date(2024, 10, 1),) * 2
    assert parse_holiday("2024-10-01..2024-10-06") == (dt.date(2024, 10, 1), dt.date(2024, 10, 6))
    for bad in ("2024-10-06..2024-10-01", "2024-13-01", "tomorrow", 5):
        with pytest.raises(ValueError):
            parse_holiday(bad)


# --- next_open against brute force ------------------------------------------------------
# Opening hours are generated as data, written as text, parsed, and compared minute by minute
# with an oracle that reads the same data directly: open if some range covers the minute (an
# overnight range runs into the next day) and the calendar date is not a holiday.

START = dt.datetime(2026, 1, 5)  # a Monday
HORIZON_MIN = 3 * 7 * 24 * 60  # three weeks of minutes


@st.composite
def schedules(draw):
    ranges = []
    for _ in range(draw(st.integers(1, 3))):
        first, last = sorted(draw(st.lists(st.integers(0, 6), min_size=2, max_size=2)))
        start = draw(st.integers(0, 24 * 4 - 1)) * 15
        length = draw(st.integers(1, 24 * 4 - 1)) * 15
        ranges.append((first, last, start, (start + length) % (24 * 60)))
    offset = draw(st.integers(0, 7 * 24 * 4 - 1)) * 15  # clock start minutes after Monday 00:00
    holidays = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 2)), max_size=2))
    return ranges, offset, holidays


def _text(ranges) -> str:
    def hhmm(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"
    return "; ".join(f"{DAYS[a]}-{DAYS[b]} {hhmm(s)}-{hhmm(e)}" for a, b, s, e in ranges)


def _oracle(ranges, offset, holidays):
    start = START + dt.timedelta(minutes=offset)
    closed_days = {START.date() + dt.timedelta(days=d + k) for d, n in holidays for k in range(n + 1)}

    def is_open(minute: int) -> bool:
        when = start + dt.timedelta(minutes=minute)
        if when.date() in closed_days:
            return False
        day, m = when.weekday(), when.hour * 60 + when.minute
        for a, b, s, e in ranges:
            if e > s and a <= day <= b and s <= m < e:
                return True
            if e <= s and ((a <= day <= b and m >= s) or (a <= (day - 1) % 7 <= b and m < e)):
                return True
        return False

    return start, closed_days, is_open


@settings(max_examples=150, deadline=None)
@given(schedules(), st.integers(0, HORIZON_MIN))
def test_next_open_is_the_first_open_minute(schedule, t_min):
    ranges, offset, holidays = schedule
    start, closed_days, is_open = _oracle(ranges, offset, holidays)
    holiday_spans = tuple((d, d) for d in sorted(closed_days))
    calendar = Calendar(parse_hours(_text(ranges)), holiday_spans, start)
    t = t_min / 60
    opens = calendar.next_open(t)
    assert opens >= t
    assert calendar.is_open(opens)
    # brute force: the first open minute at or after t (schedules open at least 15 min a week,
    # and holidays last at most three days, so one is found within two weeks)
    first = next(m for m in range(t_min, t_min + 3 * 7 * 24 * 60) if is_open(m))
    assert opens == pytest.approx(first / 60, abs=1e-9)
    assert calendar.next_open(opens) == opens


@settings(max_examples=50, deadline=None)
@given(schedules(), st.integers(0, HORIZON_MIN))
def test_an_open_instant_is_its_own_next_open(schedule, t_min):
    ranges, offset, holidays = schedule
    start, closed_days, is_open = _oracle(ranges, offset, holidays)
    calendar = Calendar(parse_hours(_text(ranges)), tuple((d, d) for d in sorted(closed_days)), start)
    assert calendar.is_open(t_min / 60) == is_open(t_min)
