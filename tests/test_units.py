"""Durations with units: parsing, refusing what is not a duration, and the round trip through text."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor_sim.scenario.units import HOURS_PER_UNIT, format_hours, parse_duration, parse_number


@pytest.mark.parametrize("text, hours", [
    ("45min", 0.75), ("2h", 2.0), ("1.5d", 36.0), ("1w", 168.0), ("90 s", 0.025), (" 30 minutes ", 0.5),
    ("2", 2.0), (".5h", 0.5), ("1e1h", 10.0), (3, 3.0), (0.25, 0.25), ("0", 0.0), ("+2h", 2.0),
])
def test_durations_become_hours(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("bad, words", [
    ("3 parsecs", "unknown unit 'parsecs'"), ("2 fortnights", "unknown unit"), ("-2h", "at least 0"), (-1, "at least 0"),
    ("h", "expected a duration"), ("", "expected a duration"), ("2h30min", "expected a duration"), (True, "expected a duration"),
    (None, "expected a duration"), ([1], "expected a duration"), ("1e400h", "finite"), (math.inf, "finite"), (math.nan, "finite"),
])
def test_what_is_not_a_duration_is_refused_with_the_value(bad, words):
    with pytest.raises(ValueError) as info:
        parse_duration(bad)
    assert words in str(info.value)
    if isinstance(bad, str) and bad:
        assert repr(bad) in str(info.value)


def test_numbers_accept_numeric_text_and_refuse_the_rest():
    assert parse_number("55") == 55.0
    assert parse_number(7) == 7.0
    for bad in ("fast", -3, True, None, math.inf, "nan"):
        with pytest.raises(ValueError):
            parse_number(bad)


@pytest.mark.parametrize("hours, text", [(0, "0h"), (0.75, "45min"), (2, "2h"), (48, "2d"), (50, "50h"), (120 * 24, "120d")])
def test_format_hours_is_the_readable_form(hours, text):
    assert format_hours(hours) == text
    assert format_hours(hours, exact=True) == text


hours_values = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(hours_values)
def test_exact_format_reads_back_to_the_same_float(hours):
    assert parse_duration(format_hours(hours, exact=True)) == hours


@given(hours_values)
def test_display_format_reads_back_within_its_four_digits(hours):
    assert parse_duration(format_hours(hours)) == pytest.approx(hours, rel=5.01e-4, abs=0)


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(HOURS_PER_UNIT)))
def test_every_unit_scales_the_number(number, unit):
    assert parse_duration(f"{number}{unit}") == pytest.approx(number * HOURS_PER_UNIT[unit])
    assert parse_duration(f"{number} {unit}") == parse_duration(f"{number}{unit}")
