"""Dates as registers leave them, read by the growth importer (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from yanxiu.growth.importing.values import BadValue, check_date_bounds, parse_date


@pytest.mark.parametrize("cell, day", [
    (45567, dt.date(2024, 10, 2)),  # an Excel serial number (xls gives an int)
    (45567.0, dt.date(2024, 10, 2)),  # (xlsx a float)
    (45567.75, dt.date(2024, 10, 2)),  # with a time of day
    ("45567", dt.date(2024, 10, 2)),  # a serial whose cell lost its date format
    (dt.datetime(2025, 9, 3, 14, 30), dt.date(2025, 9, 3)),
    (dt.date(2025, 9, 3), dt.date(2025, 9, 3)),
    ("2025/9/3", dt.date(2025, 9, 3)),
    ("2025.9.3", dt.date(2025, 9, 3)),
    ("2025年9月3日", dt.date(2025, 9, 3)),
    ("２０２５年９月３日", dt.date(2025, 9, 3)),
    ("2025-09-03 14:30", dt.date(2025, 9, 3)),
    ("2025/9/3 8:00:00", dt.date(2025, 9, 3)),
    ("20250903", dt.date(2025, 9, 3)),
    (20250903, dt.date(2025, 9, 3)),
    ("2025年9月", dt.date(2025, 9, 1)),
])
def test_dates_are_read(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", [10**30, 10**400, 1e30, float("nan"), -3, 0, "去年", "2025-13-01", "2025-02-30", "1" * 200,
                                  True, "10000000000000000000000000000000-01-01"])
def test_what_is_not_a_date_is_refused_in_chinese(cell):
    with pytest.raises(BadValue) as refused:
        parse_date(cell)
    assert "日期" in str(refused.value) and len(str(refused.value)) < 120


def test_the_bounds_of_a_record_date():
    today = dt.date(2026, 1, 15)
    assert check_date_bounds(dt.date(1949, 12, 31), today=today, first_year=1950) == "日期 1949-12-31 早于 1950 年。"
    assert check_date_bounds(dt.date(2026, 1, 16), today=today, first_year=1950) == "日期 2026-01-16 晚于今天。"
    assert check_date_bounds(today, today=today, first_year=1950) == ""
