"""Tests for the 68/NQ-CP indicator catalog and its fuzzy matcher."""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest

from pipeline.tables.catalog import (
    CSV_COLUMNS,
    DEFAULT_CATALOG_PATH,
    MATCH_THRESHOLD,
    Catalog,
    CatalogEntry,
    load_catalog,
    normalize_group,
    normalize_text,
    skeleton,
)

ID_RE = re.compile(r"^G(10|[1-9])\.\d{2}(\.\d+)?$")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --------------------------------------------------------------------------
# catalog sanity
# --------------------------------------------------------------------------


def test_csv_header_and_encoding() -> None:
    raw = DEFAULT_CATALOG_PATH.read_bytes()
    text = raw.decode("utf-8")  # must be valid UTF-8
    assert not text.startswith("\ufeff")
    assert unicodedata.is_normalized("NFC", text)
    rows = list(csv.reader(text.splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert all(len(r) == len(CSV_COLUMNS) for r in rows[1:])


def test_catalog_sanity(catalog: Catalog) -> None:
    entries = list(catalog)
    ids = [e.indicator_id for e in entries]
    assert len(ids) == len(set(ids)), "indicator ids must be unique"
    assert 70 <= len(entries) <= 120
    by_id = {e.indicator_id: e for e in entries}
    groups = {e.group_no for e in entries}
    assert groups == {str(i) for i in range(1, 11)}
    for e in entries:
        assert ID_RE.match(e.indicator_id), e.indicator_id
        assert e.indicator_id.isascii()
        assert e.indicator_id.startswith(f"G{e.group_no}.")
        for value in (e.group, e.name, e.unit, *e.variants):
            assert unicodedata.is_normalized("NFC", value), (e.indicator_id, value)
        assert e.name and e.group
        assert e.name not in e.variants
        assert "Tỷ lệ" not in e.name, "canonical names use 'Tỉ lệ'"
        if e.parent_id:
            assert e.parent_id in by_id, f"{e.indicator_id}: unknown parent {e.parent_id}"
            parent = by_id[e.parent_id]
            assert e.indicator_id.startswith(parent.indicator_id + ".")
            assert e.name.startswith(parent.name + " - ")
            assert e.group_no == parent.group_no
            assert not parent.parent_id, "only one level of sub-indicators"
        elif not catalog.children(e.indicator_id):
            assert e.unit, f"{e.indicator_id}: leaf entry without unit"
    # one group name per group number
    names = {(e.group_no, e.group) for e in entries}
    assert len(names) == 10


def test_default_catalog_is_cached() -> None:
    assert load_catalog() is load_catalog()
    assert load_catalog(DEFAULT_CATALOG_PATH) is not load_catalog()


def test_required_sub_indicators(catalog: Catalog) -> None:
    beds = catalog.get("G7.03.2")
    assert beds is not None and beds.name == "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh"
    assert beds.unit == "Giường"
    labels = {e.name.rsplit(" - ", 1)[1] for e in catalog if e.parent_id}
    assert {"Thành thị", "Nông thôn", "Các vùng còn lại"} <= labels
    assert any(lbl.startswith("Vùng sâu, vùng xa") for lbl in labels)


def test_entry_is_frozen(catalog: Catalog) -> None:
    entry = next(iter(catalog))
    assert isinstance(entry, CatalogEntry)
    with pytest.raises(AttributeError):
        entry.name = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tỷ lệ thất nghiệp", "tỉ lệ thất nghiệp"),
        ("Số bác sỹ/vạn dân", "số bác sĩ 10000 dân"),
        ("Tỷ lệ LLLĐ tham gia BHXH (%)", "tỉ lệ lực lượng lao động tham gia bảo hiểm xã hội"),
        ("Số năm sống khoẻ mạnh", "số năm sống khỏe mạnh"),
        ("hoà, hoá, thuỷ, quý", "hòa hóa thủy quý"),
        ("1. Số giường bệnh trên 10.000 dân", "số giường bệnh trên 10000 dân"),
        ("a) Tỉ lệ hộ nghèo", "tỉ lệ hộ nghèo"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_skeleton() -> None:
    assert skeleton("Tỉ lệ thất nghiệp chung") == skeleton("Ti le that nghiep chung")
    assert skeleton("Tỷ lệ LLLĐ") == "ti le luc luong lao dong"
    assert skeleton("Đường") == "duong"


@pytest.mark.parametrize(("raw", "expected"), [("IV", "4"), ("G4", "4"), ("04", "4"), (10, "10"), ("x", "10"), (None, "")])
def test_normalize_group(raw: object, expected: str) -> None:
    assert normalize_group(raw) == expected  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        # exact canonical names
        ("Tỉ lệ thất nghiệp chung", "G2.01"),
        ("Tuổi thọ bình quân", "G7.01"),
        ("Số năm sống khỏe mạnh", "G7.02"),
        ("Tỉ lệ lao động qua đào tạo", "G3.01"),
        ("Tỉ lệ lao động qua đào tạo có bằng cấp, chứng chỉ", "G3.02"),
        ("Tỉ lệ lực lượng lao động trong độ tuổi tham gia bảo hiểm xã hội", "G4.01"),
        ("Tỉ lệ lực lượng lao động trong độ tuổi tham gia bảo hiểm thất nghiệp", "G4.03"),
        ("Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều", "G5.01"),
        ("Diện tích nhà ở bình quân đầu người", "G9.05"),
        ("Diện tích nhà ở bình quân đầu người - Thành thị", "G9.05.1"),
        ("Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh", "G7.03.2"),
        ("Tỉ lệ dân số được sử dụng nước sạch - Nông thôn", "G10.01.2"),
    ],
)
def test_match_exact(catalog: Catalog, name: str, expected_id: str) -> None:
    entry, score = catalog.match(name)
    assert entry is not None and entry.indicator_id == expected_id
    assert score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        ("Tỷ lệ thất nghiệp chung", "G2.01"),
        ("Tỷ lệ thất nghiệp khu vực thành thị", "G2.01.1"),
        ("Số bác sỹ trên 10.000 dân", "G7.03.1"),
        ("Số bác sĩ trên 10.000 dân", "G7.03.1"),
        ("Số bác sĩ/vạn dân", "G7.03.1"),
        ("Số giường bệnh trên 1 vạn dân", "G7.03.2"),
        ("Chỉ tiêu số lượng trên 10.000 dân (Số bác sĩ)", "G7.03.1"),
        ("Tỷ lệ LLLĐ trong độ tuổi tham gia BHXH", "G4.01"),
        ("Tỷ lệ LLLĐ tham gia BHTN", "G4.03"),
        ("Tỷ lệ tham gia BHYT", "G4.05"),
        ("Tỷ lệ bao phủ bảo hiểm y tế", "G4.05"),
        ("Tỷ lệ hộ nghèo đa chiều", "G5.01"),
        ("Số năm sống khoẻ mạnh", "G7.02"),
        ("Tỷ lệ lao động qua đào tạo có bằng cấp chứng chỉ", "G3.02"),
        ("Diện tích nhà ở bình quân đầu người tại đô thị", "G9.05.1"),
        ("2. Tỷ lệ trường đạt chuẩn quốc gia (%)", "G6.07"),
    ],
)
def test_match_variants(catalog: Catalog, name: str, expected_id: str) -> None:
    entry, score = catalog.match(name)
    assert entry is not None, (name, score)
    assert entry.indicator_id == expected_id
    assert score >= MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        ("Ti le that nghiep chung", "G2.01"),
        ("Ty le that nghiep chung", "G2.01"),
        ("Tỉ lê thât nghiêp chung", "G2.01"),  # partly wrong marks
        ("Tuoi tho binh quan", "G7.01"),
        ("So bac sy tren 10.000 dan", "G7.03.1"),
        ("Tí lệ hộ nghẻo theo chuẩn nghèo đa chiều", "G5.01"),
        ("Ty le LLLD trong do tuoi tham gia BHXH", "G4.01"),
        ("Dien tich nha o binh quan dau nguoi", "G9.05"),
    ],
)
def test_match_stripped_diacritics(catalog: Catalog, name: str, expected_id: str) -> None:
    entry, score = catalog.match(name)
    assert entry is not None, (name, score)
    assert entry.indicator_id == expected_id
    assert score >= MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("name", "unit", "group_no"),
    [
        ("Số km đường giao thông nông thôn được cứng hóa", None, None),
        ("Số km đường giao thông nông thôn được cứng hóa", "Km", "10"),
        ("Số km đường giao thông nông thôn được cứng hóa", "%", "10"),
        ("Tổng sản phẩm trên địa bàn (GRDP)", None, None),
        ("Tỷ lệ che phủ rừng", "%", None),
        ("Thu nhập bình quân đầu người", "Triệu đồng", "5"),
        ("", None, None),
    ],
)
def test_match_nothing(catalog: Catalog, name: str, unit: str | None, group_no: str | None) -> None:
    entry, score = catalog.match(name, unit, group_no)
    assert entry is None
    assert 0.0 <= score < MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Tỉ lệ lực lượng lao động trong độ tuổi tham gia bảo hiểm xã hội", "Tỷ lệ LLLĐ tham gia BHXH"),
        ("Số giường bệnh trên 10.000 dân", "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh"),
        ("Tỷ lệ hộ nghèo đa chiều", "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều"),
        ("Tuổi thọ trung bình", "Tuổi thọ bình quân"),
        ("Tỷ lệ thất nghiệp ở khu vực thành thị", "Tỉ lệ thất nghiệp chung - Thành thị"),
        ("Số lao động được giải quyết việc làm", "Số lao động được tạo việc làm mới"),
    ],
)
def test_same_indicator_same_id(catalog: Catalog, first: str, second: str) -> None:
    a, _ = catalog.match(first)
    b, _ = catalog.match(second)
    assert a is not None and b is not None
    assert a.indicator_id == b.indicator_id


def test_unit_and_group_boost(catalog: Catalog) -> None:
    name = "Tỷ lệ người dân tham gia BHXH"
    entry, plain = catalog.match(name)
    boosted_entry, boosted = catalog.match(name, unit="%", group_no="IV")
    assert entry is not None and boosted_entry is not None
    assert entry.indicator_id == boosted_entry.indicator_id == "G4.01"
    assert boosted > plain
    assert boosted <= 1.0


def test_unit_disambiguates(catalog: Catalog) -> None:
    entry, _ = catalog.match("Tỷ lệ hộ nghèo giảm", unit="%/năm")
    assert entry is not None and entry.indicator_id == "G5.02"


def test_custom_threshold(catalog: Catalog) -> None:
    strict = Catalog(list(catalog), threshold=0.999)
    entry, score = strict.match("Ti le that nghiep chung")
    assert entry is None and score < 0.999
    entry, _ = strict.match("Tỉ lệ thất nghiệp chung")
    assert entry is not None and entry.indicator_id == "G2.01"


def test_numbers_in_a_name_must_agree(catalog: Catalog) -> None:
    # an age range is another indicator than one age, however alike the words
    entry, _ = catalog.match("Tỷ lệ trẻ em 3-5 tuổi đi học mẫu giáo")
    assert entry is not None and entry.indicator_id == "G6.02"
    entry, _ = catalog.match("Tỉ lệ trẻ em 5 tuổi đi học mẫu giáo")
    assert entry is not None and entry.indicator_id == "G6.03"


def test_counts_under_a_heading_are_named_and_matched_through_it() -> None:
    from pathlib import Path

    from pipeline.process import process_document

    pdf = Path(__file__).parent / "data" / "synthetic" / "ben-tre-nq42" / "clean.pdf"
    ids = {r.indicator: r.indicator_id for r in process_document(pdf, "ben-tre").indicators}
    # alone, "Số bác sĩ" matches nothing; under "Chỉ tiêu số lượng trên 10.000 dân" it is G7.03.1
    assert ids["Chỉ tiêu số lượng trên 10.000 dân - Số bác sĩ"] == "G7.03.1"
    assert ids["Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh"] == "G7.03.2"
    assert ids["Chỉ tiêu số lượng trên 10.000 dân"] == "G7.03"


def test_region_named_in_the_label_picks_the_region_child(catalog: Catalog) -> None:
    # a report writes the region into the name instead of a sub-row
    entry, _ = catalog.match("Tỉ lệ thất nghiệp của lực lượng lao động trong độ tuổi ở khu vực thành thị")
    assert entry is not None and entry.indicator_id == "G2.01.1"
    entry, _ = catalog.match("Tỉ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý đạt chuẩn")
    assert entry is not None and entry.indicator_id == "G10.04.1"
    # and a name without a region is the whole indicator, not a region of it
    entry, _ = catalog.match("Tỷ lệ chất thải rắn sinh hoạt được thu gom, xử lý theo quy định")
    assert entry is not None and entry.indicator_id == "G10.04"


def test_spelled_out_denominator_does_not_hide_the_indicator(catalog: Catalog) -> None:
    entry, _ = catalog.match("Tỷ lệ lao động qua đào tạo so với tổng số lao động có việc làm")
    assert entry is not None and entry.indicator_id == "G3.01"


def test_a_level_unit_and_a_households_qualifier_do_not_hide_the_indicator(catalog: Catalog) -> None:
    # a province states the target as a level (Mức độ) of an indicator the programme counts
    # in houses, and names whom it is for or where: the core label decides
    for label in ("Xóa nhà tạm, nhà dột nát trên địa bàn",
                  "Nhà tạm, nhà dột nát của hộ nghèo, hộ cận nghèo",
                  "Xóa nhà tạm, nhà dột nát cho hộ nghèo, hộ cận nghèo, hộ khó khăn"):
        entry, _ = catalog.match(label, "Mức độ", "5")
        assert entry is not None and entry.indicator_id == "G9.04", label
    # a unit that does contradict still counts against an entry
    _, level = catalog.match("Xóa nhà tạm, nhà dột nát", "Mức độ", "9")
    _, wrong = catalog.match("Xóa nhà tạm, nhà dột nát", "%", "9")
    assert wrong < level
