from __future__ import annotations

import pytest

from pipeline.tables.values import parse_cell, parse_number


@pytest.mark.parametrize("text,value", [("1,76", 1.76), ("10.694", 10694), ("1.234,5", 1234.5),
                                        ("49.400", 49400), ("3.8", 3.8), ("100", 100)])
def test_numbers(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("raw,op,value,low,high,unit", [
    ("<3", "<", 3, None, None, "%"), (">95", ">", 95, None, None, "%"),
    (">= 2", ">=", 2, None, None, "%"), ("28-30", "range", None, 28, 30, "%"),
    ("94,17%", "=", 94.17, None, None, "%"), ("10.694", "=", 10694, None, None, "Căn"),
])
def test_cells(raw, op, value, low, high, unit):
    (v,) = parse_cell(raw, "%" if unit == "%" else unit)
    assert (v.op, v.value, v.low, v.high, v.unit, v.ok) == (op, value, low, high, unit, True)


def test_empty_and_qualitative():
    assert parse_cell("-")[0].value is None and parse_cell("-")[0].ok
    q = parse_cell("Giải quyết cơ bản")[0]
    assert q.value is None and q.ok and q.reason == "qualitative"


def test_region_split():
    vals = parse_cell("0,32% phía Đông; 0,38% phía Tây", "%/năm")
    assert [(v.value, v.region) for v in vals] == [(0.32, "phía Đông"), (0.38, "phía Tây")]


def test_region_split_by_any_area_name():
    cells = parse_cell("0,98% đồng bằng; 5,74% miền núi")
    assert [(c.value, c.unit, c.region, c.ok) for c in cells] == [
        (0.98, "%", "đồng bằng", True), (5.74, "%", "miền núi", True)]
    assert [c.region for c in parse_cell("91% đô thị; 74,5% nông thôn")] == ["đô thị", "nông thôn"]
    # one figure with a unit is no split, and two bare figures are not a region split
    assert parse_cell("30,2 m2")[0].unit == "m2"
    assert not parse_cell("100; 98")[0].ok
