"""Appendix records from table grids: header naming, groups, sub-rows, continuation pages."""
from __future__ import annotations

import pytest

from pipeline.models import Table, TableCell
from pipeline.tables.records import (
    document_records_from_table,
    grid_rows,
    header_row_count,
    indicator_rows_from_table,
    indicator_table_rows,
    table_kind,
)


def make_table(rows: list[list[str | None]], spans: dict[tuple[int, int], tuple[int, int]] = (),
               page: int = 1) -> Table:
    """Rows of texts; None marks a position covered by a span; spans[(r, c)] = (rs, cs)."""
    spans = dict(spans)
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            cells.append(TableCell(r, c, text, rs, cs))
    return Table(page=page, n_rows=len(rows), n_cols=len(rows[0]), cells=tuple(cells))


HEADER = [["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu Nghị quyết", None, "Kết quả", None],
          [None, None, None, "Đến năm 2025", "Đến năm 2030", "Năm 2024", "Đến 2025 (dự kiến)"]]
HEADER_SPANS = {(0, 0): (2, 1), (0, 1): (2, 1), (0, 2): (2, 1), (0, 3): (1, 2), (0, 5): (1, 2)}


def appendix(body: list[list[str | None]], group_rows: list[int], page: int = 1,
             header: bool = True) -> Table:
    rows = (HEADER if header else []) + body
    off = 2 if header else 0
    spans = dict(HEADER_SPANS) if header else {}
    for g in group_rows:
        spans[(g + off, 1)] = (1, 6)
    return make_table(rows, spans, page)


def group(no: str, name: str) -> list[str | None]:
    return [no, name, None, None, None, None, None]


def test_grid_rows_top_left_or_filled():
    t = appendix([group("1", "Ưu đãi người có công")], [0])
    rows = grid_rows(t)
    assert rows[0] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu Nghị quyết", "", "Kết quả", ""]
    assert rows[1] == ["", "", "", "Đến năm 2025", "Đến năm 2030", "Năm 2024",
                       "Đến 2025 (dự kiến)"]
    assert rows[2] == ["1", "Ưu đãi người có công", "", "", "", "", ""]
    filled = grid_rows(t, fill=True)
    assert filled[0][4] == "Mục tiêu Nghị quyết" and filled[1][0] == "TT"
    assert filled[2][6] == "Ưu đãi người có công"


def test_table_kind_and_header_rows():
    t = appendix([group("1", "Ưu đãi người có công")], [0])
    assert table_kind(t) == "indicators"
    assert header_row_count(t) == 2
    docs = make_table([["TT", "Tên văn bản", "Cơ quan chủ trì", "Loại văn bản"]])
    assert table_kind(docs) == "documents"
    body_only = appendix([["", "Số bác sĩ", "Người", "10", "15", "9,5", "9,8"]], [], header=False)
    assert table_kind(body_only) is None and header_row_count(body_only) == 0


def test_indicator_rows_standard_header_groups_and_children():
    body = [group("1", "Ưu đãi người có công với cách mạng"),
            ["", "Tỉ lệ hộ nghèo", "%", "-", "<3", "1,76", "1,75"],
            group("2", "Nhà ở"),
            ["", "Tỉ lệ nhà ở kiên cố", "%", "-", "85-90", "", ""],
            ["", "Thành thị", "%", "-", "95", "93,6", "94,3"],
            ["", "Nông thôn", "%", "-", "85", "81,4", "83,2"],
            ["", "Số căn hộ nhà ở xã hội hoàn thành", "Căn", "-", "2.000", "-", "420"]]
    columns, rows = indicator_rows_from_table([appendix(body, [0, 2])], [])
    assert [c.name for c in columns] == ["target_2025", "target_2030", "actual_2024",
                                         "estimate_2025"]
    assert [(c.role, c.year) for c in columns] == [("target", 2025), ("target", 2030),
                                                   ("actual", 2024), ("estimate", 2025)]
    assert [(r.group_no, r.group) for r in rows] == [
        ("1", "Ưu đãi người có công với cách mạng")] + [("2", "Nhà ở")] * 4
    assert [r.indicator for r in rows] == [
        "Tỉ lệ hộ nghèo", "Tỉ lệ nhà ở kiên cố", "Tỉ lệ nhà ở kiên cố - Thành thị",
        "Tỉ lệ nhà ở kiên cố - Nông thôn", "Số căn hộ nhà ở xã hội hoàn thành"]
    assert rows[1].cells == ("-", "85-90", "", "")           # "-" and "" stay distinct
    assert rows[1].is_parent and not rows[2].is_parent and not rows[0].is_parent
    assert rows[4].unit == "Căn" and rows[4].cells == ("-", "2.000", "-", "420")
    assert all(r.lines == () and r.flags == () for r in rows)


def test_children_of_a_row_without_values():
    body = [group("I", "Y tế"),
            ["", "Chỉ tiêu số lượng trên 10.000 dân", "", "", "", "", ""],
            ["", "Số giường bệnh", "Giường", "30", "35", "29,6", "30,4"],
            ["", "- bác sĩ", "Người", "10", "15", "9,5", "9,8"],
            ["", "Số lần khám bệnh bình quân/người/năm", "Lần", "-", "-", "1,9", "2"],
            ["", "Tổng tỷ suất sinh", "Con", ">= 2", "2,1", "1,61", "1,58"]]
    _, rows = indicator_rows_from_table([appendix(body, [0])], [])
    # a count under a heading is read per the heading's "trên 10.000 dân": named after it;
    # a count that states its own reference describes itself
    assert [r.indicator for r in rows] == [
        "Chỉ tiêu số lượng trên 10.000 dân", "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh",
        "Chỉ tiêu số lượng trên 10.000 dân - bác sĩ", "Số lần khám bệnh bình quân/người/năm",
        "Tổng tỷ suất sinh"]
    assert rows[0].group_no == "I" and rows[0].is_parent


def test_continuation_pages_skip_the_repeated_header():
    p1 = appendix([group("1", "Lao động, việc làm"),
                   ["", "Tỉ lệ thất nghiệp", "%", "<4", "<3", "2,86", "2,8"]], [0], page=6)
    p2 = appendix([["", "Số người được giải quyết việc làm", "Người", "45.000", "-", "49.400",
                    "50.000"],
                   group("2", "Giáo dục")], [1], page=7)
    p3 = appendix([["", "Tỷ lệ biết chữ", "%", "98", "99", "97", "98"]], [], page=8,
                  header=False)
    columns, rows = indicator_table_rows([p1, p2, p3], [])
    assert len(columns) == 4
    assert [(r.indicator, r.group_no, page) for r, page in rows] == [
        ("Tỉ lệ thất nghiệp", "1", 6), ("Số người được giải quyết việc làm", "1", 7),
        ("Tỷ lệ biết chữ", "2", 8)]


@pytest.mark.parametrize("top, leaf, names", [
    (["Mục tiêu Nghị quyết", None, "Kết quả", None],
     ["Đến năm 2025", "Đến năm 2030", "Năm 2023", "Năm 2024"],
     ["target_2025", "target_2030", "actual_2023", "actual_2024"]),
    (["Mục tiêu Chương trình hành động", None, "Kết quả thực hiện", None, None],
     ["Năm 2025", "Năm 2030", "Năm 2023", "Năm 2024", "Ước năm 2025"],
     ["target_2025", "target_2030", "actual_2023", "actual_2024", "estimate_2025"]),
    (["Nghị quyết số 68/NQ-CP", "Kết quả thực hiện", None, None],
     ["Mục tiêu đến năm 2030", "Năm 2023", "Năm 2024", "Ước năm 2025"],
     ["target_2030", "actual_2023", "actual_2024", "estimate_2025"]),
    (["Mục tiêu theo Nghị quyết số 68/NQ-CP", None, "Thực hiện"],
     ["Chỉ tiêu đến năm 2025", "Chỉ tiêu đến năm 2030", "Kết quả thực hiện năm 2024"],
     ["target_2025", "target_2030", "actual_2024"]),
    (["Chỉ tiêu theo Nghị quyết số 68/NQ-CP", None, "Kết quả thực hiện của tỉnh", None],
     ["Mục tiêu đến năm 2025", "Mục tiêu đến năm 2030", "Thực hiện năm 2024",
      "Ước thực hiện năm 2025"],
     ["target_2025", "target_2030", "actual_2024", "estimate_2025"]),
])
def test_value_column_names_from_two_level_headers(top, leaf, names):
    n = len(leaf)
    rows = [["TT", "Chỉ tiêu", "Đơn vị tính", *top], [None, None, None, *leaf],
            ["", "Tỉ lệ hộ nghèo", "%", *(["1"] * n)]]
    spans = {(0, 0): (2, 1), (0, 1): (2, 1), (0, 2): (2, 1)}
    k = 0
    while k < n:
        width = 1
        while k + width < n and top[k + width] is None:
            width += 1
        if width > 1:
            spans[(0, 3 + k)] = (1, width)
        elif top[k] is not None and leaf[k] is not None and top[k] != leaf[k]:
            pass
        k += width
    columns, parsed = indicator_rows_from_table([make_table(rows, spans)], [])
    assert [c.name for c in columns] == names
    assert parsed[0].cells == ("1",) * n


def test_one_level_header_and_column_number_row():
    rows = [["STT", "Chỉ tiêu", "Đơn vị", "Mục tiêu năm 2030", "Thực hiện năm 2024"],
            ["(1)", "(2)", "(3)", "(4)", "(5)"],
            ["1", "Giáo dục", None, None, None],
            ["", "Tỷ lệ biết chữ", "%", "98", "97"]]
    columns, parsed = indicator_rows_from_table([make_table(rows, {(2, 1): (1, 4)})], [])
    assert [c.name for c in columns] == ["target_2030", "actual_2024"]
    assert [(r.group_no, r.group, r.indicator, r.unit, r.cells) for r in parsed] == [
        ("1", "Giáo dục", "Tỷ lệ biết chữ", "%", ("98", "97"))]


def test_group_row_in_one_cell_over_the_whole_row():
    rows = HEADER + [["1. Y tế", None, None, None, None, None, None],
                     ["", "Tuổi thọ bình quân", "Tuổi", "76", "76,5", "75,9", "76,2"]]
    spans = dict(HEADER_SPANS)
    spans[(2, 0)] = (1, 7)
    _, parsed = indicator_rows_from_table([make_table(rows, spans)], [])
    assert [(r.group_no, r.group, r.indicator) for r in parsed] == [
        ("1", "Y tế", "Tuổi thọ bình quân")]


DOC_HEADER = ["TT", "Tên văn bản", "Số, ký hiệu", "Cơ quan chủ trì", "Cơ quan phối hợp",
              "Cấp ban hành", "Thời gian ban hành", "Loại văn bản"]


def test_document_records_with_code_column_and_continuation():
    p1 = make_table([DOC_HEADER,
                     ["1", "Kế hoạch triển khai Nghị quyết số 68/NQ-CP", "4015/KH-UBND",
                      "UBND tỉnh", "Sở Nội vụ", "Tỉnh", "01/7/2024", "Kế hoạch"]], page=9)
    p2 = make_table([DOC_HEADER,
                     ["2", "Công văn về việc tiếp tục thực hiện", "412/SNV-LĐVL", "Sở Nội vụ",
                      "", "Sở", "3/2025", ""]], page=10)
    docs = document_records_from_table([p1, p2], "x.pdf")
    assert [(d.no, d.code, d.lead_agency, d.partner_agency, d.level, d.issued_on,
             d.issued_on_raw, d.doc_type, d.page) for d in docs] == [
        ("1", "4015/KH-UBND", "UBND tỉnh", "Sở Nội vụ", "Tỉnh", "2024-07-01", "01/7/2024",
         "Kế hoạch", 9),
        ("2", "412/SNV-LĐVL", "Sở Nội vụ", "", "Sở", "2025-03", "3/2025", "Công văn", 10)]
    assert docs[0].source == "x.pdf" and docs[0].title.startswith("Kế hoạch triển khai")


def test_document_records_code_from_title():
    header = [c for c in DOC_HEADER if c != "Số, ký hiệu"]
    t = make_table([header, ["1", "Kế hoạch số 146/KH-UBND của UBND thành phố", "UBND thành phố",
                             "Sở Y tế", "Thành phố", "24/6/2024", "Kế hoạch"]])
    (d,) = document_records_from_table([t], "s")
    assert (d.code, d.issued_on) == ("146/KH-UBND", "2024-06-24")
    # An indicator table is not read as documents, and vice versa.
    assert document_records_from_table([appendix([], [])], "s") == []
    assert indicator_rows_from_table([t], []) == ((), [])


@pytest.mark.parametrize("raw, fixed", [
    ("97/1", "97,1"), ("2j1", "2,1"), ("5⁄6", "5,6"), ("44.8", "44,8"), ("1.146", "1.146"),
    ("<6ø0", "<600"), ("99.", "99"), ("94,17%:", "94,17%"), (">= 0,7", ">= 0,7"),
    ("-", "-"), ("", ""), ("24/6/2024", "24/6/2024"), ("Giải quyết cơ bản", "Giải quyết cơ bản"),
    ("0,32% phía Đông; 0,38% phía Tây", "0,32% phía Đông; 0,38% phía Tây"),
])
def test_fix_value_ocr(raw, fixed):
    from pipeline.tables.records import fix_value_ocr

    assert fix_value_ocr(raw) == fixed


def test_scanned_group_numbers_repaired_and_value_slips_fixed():
    body = [group("1", "Ưu đãi người có công"),
            ["", "Tỉ lệ hộ nghèo", "%.", "-", "<3", "97/1", "99."],
            group("Il", "Lao động, việc làm"),
            ["", "Tỉ lệ thất nghiệp", "%", "<4", "<3", "2,86", "2,8"],
            group("", "Giáo dục"),
            ["", "Tỷ lệ biết chữ", "%", "98", "99", "97", "98"]]
    t = appendix(body, [0, 2, 4])
    scan = Table(t.page, t.n_rows, t.n_cols, t.cells, source="scan")
    _, rows = indicator_rows_from_table([scan], [])
    assert [(r.group_no, r.group) for r in rows] == [
        ("1", "Ưu đãi người có công"), ("2", "Lao động, việc làm"), ("3", "Giáo dục")]
    assert rows[0].unit == "%" and rows[0].cells == ("-", "<3", "97,1", "99")
    roman = appendix([group("1", "A b c"), ["", "Tỉ lệ x", "%", "1", "2", "3", "4"],
                      group("II", "D e f"), ["", "Tỉ lệ y", "%", "1", "2", "3", "4"]], [0, 2])
    _, rows = indicator_rows_from_table([roman], [])
    assert [r.group_no for r in rows] == ["I", "II"]


def test_group_name_spaces_restored_from_known_groups():
    t = appendix([group("7", "Ytế"), ["", "Tuổi thọ trung bình", "Tuổi", "76", "76,5", "75,9",
                                      "76,2"]], [0])
    _, rows = indicator_rows_from_table([t], ["Y tế", "Nhà ở"])
    assert rows[0].group == "Y tế"
    _, rows = indicator_rows_from_table([t], [])
    assert rows[0].group == "Ytế"


def test_restored_cell_text_is_preferred():
    t = appendix([group("1", "Y tế"), ["", "Tuổi thợ trung bình", "Tuổi", "76", "76,5", "75,9",
                                       "76,2"]], [0])
    cells = tuple(TableCell(c.row, c.col, c.text, c.rowspan, c.colspan,
                            restored="Tuổi thọ trung bình" if c.text == "Tuổi thợ trung bình"
                            else None) for c in t.cells)
    _, rows = indicator_rows_from_table([Table(1, t.n_rows, t.n_cols, cells)], [])
    assert rows[0].indicator == "Tuổi thọ trung bình"


def _with_layout(table: Table, indents: dict[int, float], italic: set[int] = frozenset(),
                 name_col: int = 1, known_italic: bool = True) -> Table:
    """The table with name cells placed as a page shows them: *indents* by body row (points
    from the cell's edge; 3 elsewhere), italic rows."""
    cells = []
    for c in table.cells:
        if c.col == name_col and c.row >= 2 and c.colspan == 1 and c.text:
            r = c.row - 2
            c = TableCell(c.row, c.col, c.text, c.rowspan, c.colspan,
                          indent=indents.get(r, 3.0),
                          italic=(r in italic) if known_italic else None)
        cells.append(c)
    return Table(table.page, table.n_rows, table.n_cols, tuple(cells))


LAYOUT_BODY = [group("1", "Lao động, việc làm"),
               ["", "Tỉ lệ thất nghiệp chung", "%", "<4", "<3,5", "3,1", "3"],
               ["", "Khu vực thành thị", "%", "<4", "<3,5", "3,5", "3,4"],
               ["", "Khu vực nông thôn", "%", "<3", "<2,5", "2,1", "2"],
               group("2", "Y tế"),
               ["", "Chỉ tiêu số lượng trên 10.000 dân", "", "", "", "", ""],
               ["", "Số giường bệnh", "Giường", "32", "35", "30", "31"],
               ["", "Số năm sống khỏe mạnh", "Năm", "-", "68", "", ""]]


@pytest.mark.parametrize("cue", ["indent", "italic", "scan indent"])
def test_sub_rows_told_by_indentation_or_italics(cue):
    """A page that indents or italicises its sub-rows says which rows they are: a child of a
    row with values ("Khu vực thành thị" under the unemployment rate) and a row that is none
    though it follows a heading's children and starts like one ("Số năm sống khỏe mạnh")."""
    table = appendix(LAYOUT_BODY, [0, 4])
    children = {2, 3, 6}
    if cue == "indent":
        table = _with_layout(table, {r: 9.0 for r in children})
    elif cue == "italic":
        table = _with_layout(table, {}, italic=children)
    else:   # a scan: starts measured from the cell's line, no font known
        table = _with_layout(table, {r: 10.2 for r in children} | {1: 4.1, 5: 3.6, 7: 3.9},
                             known_italic=False)
    _, rows = indicator_rows_from_table([table], [])
    names = [r.indicator for r in rows]
    assert names == ["Tỉ lệ thất nghiệp chung",
                     "Tỉ lệ thất nghiệp chung - Khu vực thành thị",
                     "Tỉ lệ thất nghiệp chung - Khu vực nông thôn",
                     "Chỉ tiêu số lượng trên 10.000 dân",
                     "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh",
                     "Số năm sống khỏe mạnh"]
    assert [r.is_parent for r in rows] == [True, False, False, True, False, False]


def test_sub_rows_by_the_text_when_the_page_shows_no_layout():
    """Without indentation (every name at one start, or unknown) the text rules decide, as
    before: a heading's "Số ..." rows are its children, and an area label is a sub-row."""
    for table in (appendix(LAYOUT_BODY, [0, 4]), _with_layout(appendix(LAYOUT_BODY, [0, 4]), {})):
        _, rows = indicator_rows_from_table([table], [])
        names = [r.indicator for r in rows]
        assert "Chỉ tiêu số lượng trên 10.000 dân - Số năm sống khỏe mạnh" in names
        assert "Tỉ lệ thất nghiệp chung - Khu vực thành thị" in names


def test_centred_names_say_nothing_of_sub_rows():
    """Names centred in their cells start wherever their length puts them: no sub-rows."""
    indents = {1: 20.0, 2: 60.0, 3: 61.0, 5: 8.0, 6: 58.0, 7: 50.0}
    table = _with_layout(appendix(LAYOUT_BODY, [0, 4]), indents, known_italic=False)
    _, rows = indicator_rows_from_table([table], [])
    assert "Chỉ tiêu số lượng trên 10.000 dân - Số năm sống khỏe mạnh" in [r.indicator for r in rows]


def test_document_code_wider_than_its_cell():
    """A code wider than its PDF cell runs into the lead agency's text beside it: the cell
    reads "1468/QĐ-UBNDUBND tỉnh" and the agency's own cell is empty."""
    header = ["TT", "Tên văn bản", "Số, ký hiệu", "Cơ quan chủ trì", "Cơ quan phối hợp",
              "Cấp ban hành", "Thời gian ban hành", "Loại văn bản"]
    table = make_table([header,
                        ["1", "Quyết định phê duyệt Đề án", "1468/QĐ-UBNDUBND tỉnh", "",
                         "Sở Nội vụ", "Tỉnh", "28/10/2024", "Quyết định"],
                        ["2", "Kế hoạch thực hiện", "214/KH-UBND", "UBND tỉnh", "Sở Y tế",
                         "Tỉnh", "6/2024", "Kế hoạch"]])
    docs = document_records_from_table([table], "x.pdf")
    assert [(d.code, d.lead_agency, d.issued_on) for d in docs] == [
        ("1468/QĐ-UBND", "UBND tỉnh", "2024-10-28"), ("214/KH-UBND", "UBND tỉnh", "2024-06")]
