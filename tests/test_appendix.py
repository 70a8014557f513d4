from __future__ import annotations

from pipeline.tables.appendix import (
    find_appendices,
    iso_date,
    parse_code,
    parse_indicator_lines,
    split_values,
)

GROUPS = ["Lao động, việc làm, phát triển thị trường lao động", "Nhà ở"]


def test_split_values():
    assert split_values("Tỉ lệ thất nghiệp chung % <3 <3 1,76 1,75") == (
        "Tỉ lệ thất nghiệp chung", "%", ["<3", "<3", "1,76", "1,75"])
    assert split_values("Tỉ lệ dân số tham gia bảo hiểm y tế % 95 > 95 94,17% 95%")[2] == [
        "95", ">95", "94,17%", "95%"]


#: The genre's header, a group and its first row: how the tables below begin.
OPENING = ["Chỉ tiêu Đơn vị Đến năm 2025 Đến năm 2030 Năm 2024 Đến 2025 (dự kiến)",
           "2 | Lao động, việc làm, phát triển thị trường lao động",
           "Tỉ lệ thất nghiệp chung % <3 <3 1,76 1,75"]


def test_wrapped_rows_parent_and_children():
    lines = list(enumerate([
        *OPENING,
        "Tỉ lệ người có công và gia đình có mức",
        "sống từ trung bình khá trở lên % - 100 80 85",
        "so với mức sống của cộng đồng dân cư",
        "9 | Nhà ở",
        "Tỉ lệ nhà ở kiên cố % - 85-90 99,9 99,9",
        "Thành thị % - 100 100 100",
    ], start=1))
    columns, rows = parse_indicator_lines(lines, GROUPS)
    assert [c.name for c in columns] == ["target_2025", "target_2030", "actual_2024", "estimate_2025"]
    names = [r.indicator for r in rows]
    assert names[0] == "Tỉ lệ thất nghiệp chung"
    assert names[1] == ("Tỉ lệ người có công và gia đình có mức sống từ trung bình khá trở lên "
                        "so với mức sống của cộng đồng dân cư")
    assert rows[1].cells == ("-", "100", "80", "85") and rows[1].lines == (4, 5, 6)
    assert names[3] == "Tỉ lệ nhà ở kiên cố - Thành thị"
    assert [r.group_no for r in rows] == ["2", "2", "9", "9"]


def test_find_appendices_and_documents():
    lines = ["báo cáo", "Phụ lục I", "x", "Phụ lục II", "y"]
    assert find_appendices(lines) == (1, 3)
    assert parse_code("Kế hoạch số 146/KH-UBND của Ủy ban") == "146/KH-UBND"
    assert parse_code("Chương trình hành động số 73-CTr/TU") == "73-CTr/TU"
    assert iso_date("8/5/2024") == "2024-05-08" and iso_date("213/2024") == ""


def test_name_prefix_repair():
    from pipeline.tables.appendix import repair_name_prefix

    assert repair_name_prefix("Từ 18 thất nghiệp khu vực thành thị") == "Tỉ lệ thất nghiệp khu vực thành thị"
    assert repair_name_prefix("Ti1é LLLĐ trong độ tuổi") == "Tỉ lệ LLLĐ trong độ tuổi"
    assert repair_name_prefix("Ty 1e hộ nghèo giảm") == "Tỷ lệ hộ nghèo giảm"
    for keep in ("Từ ngày 1 tháng 7", "Tổ chức thực hiện", "Tỉ lệ nhà ở kiên cố"):
        assert repair_name_prefix(keep) == keep
    # the OCR line's opening is judged too: the decoder made two other words of "Ti I¢"
    raw = "Ti I¢ hoan thanh cép trung hoc co s¢ % - 99 99,23 99,31"
    assert repair_name_prefix("Từ Úc hoàn thành cấp trung học cơ sở", raw) == \
        "Tỉ lệ hoàn thành cấp trung học cơ sở"
    assert repair_name_prefix("Từ Úc hoàn thành", "Tu Uc hoan thanh") == "Từ Úc hoàn thành"
    assert repair_name_prefix("Tỉ lệ hoàn thành cấp", raw) == "Tỉ lệ hoàn thành cấp"
    # "Tỉ" lost altogether
    assert repair_name_prefix("lệ dân số tham gia bảo hiểm") == "Tỉ lệ dân số tham gia bảo hiểm"
    assert repair_name_prefix("Lễ hội văn hóa dân gian") == "Lễ hội văn hóa dân gian"


def test_group_headings_in_order_and_wrapped():
    groups = [("1", "Ưu đãi người có công với cách mạng"),
              ("2", "Lao động, việc làm, phát triển thị trường lao động"),
              ("4", "Bảo hiểm xã hội, bảo hiểm thất nghiệp, bảo hiểm y tế")]
    lines = list(enumerate([
        "Chỉ tiêu Đơn vị Đến năm 2025 Đến năm 2030 Năm 2024 Đến 2025 (dự kiến)",
        "Ưu đãi NCC với cách mạng",
        "Tỉ lệ hộ người có công được hỗ trợ % - 100 80 85",
        "Lao động, việc làm, phát triển thị",
        "trường lao động",
        "Tỉ lệ thất nghiệp chung % <3 <3 1,76 1,75",
        "Tỉ lệ đồng bào dân tộc thiểu số tham gia % 98 - - -",
        "BHYT",
    ], start=1))
    _, rows = parse_indicator_lines(lines, groups)
    assert [(r.group_no, r.indicator) for r in rows] == [
        ("1", "Tỉ lệ hộ người có công được hỗ trợ"),
        ("2", "Tỉ lệ thất nghiệp chung"),
        ("2", "Tỉ lệ đồng bào dân tộc thiểu số tham gia BHYT")]
    assert rows[1].group == "Lao động, việc làm, phát triển thị trường lao động"


def _names(columns):
    return [c.name for c in columns]


def test_header_columns_by_role_and_year():
    from pipeline.tables.appendix import header_columns

    # printed order kept when it reads as targets then results
    assert _names(header_columns("Mục tiêu đến năm 2030 Năm 2023 Năm 2024 Ước năm 2025", 4)) == [
        "target_2030", "actual_2023", "actual_2024", "estimate_2025"]
    assert _names(header_columns("Năm 2025 Năm 2030 Năm 2023 Năm 2024 Ước năm 2025", 4)) == [
        "target_2025", "target_2030", "actual_2023", "actual_2024", "estimate_2025"]
    assert _names(header_columns("Đến năm 2025 Đến năm 2030 Năm 2023 Năm 2024", 4)) == [
        "target_2025", "target_2030", "actual_2023", "actual_2024"]
    # two-line labels read out of order; "dự kiến" split by the linearisation
    assert _names(header_columns("Đến Đến 2025 nam nam 2024 (dự 2025 2030 kiến)", 4)) == [
        "target_2025", "target_2030", "actual_2024", "estimate_2025"]
    assert _names(header_columns("Mục tiêu năm 2030 Thực hiện năm 2025 Ước thực hiện năm 2026", 3)) == [
        "target_2030", "actual_2025", "estimate_2026"]


def test_header_years_skip_dates_and_read_misread_year():
    from pipeline.tables.appendix import header_years

    assert header_years("(Kèm theo Báo cáo số 3187/BC-UBND ngày 10/6/2025)") == []
    assert header_years("2025 2030 2023 2024 9025") == [2025, 2030, 2023, 2024, 2025]


def test_header_end_ignores_dash_marks_and_repeated_header_skipped():
    lines = list(enumerate([
        "(Kèm theo Báo cáo số 3187/BC-UBND ngày 10/6/2025 của Ủy ban nhân dân",
        "Mục tiêu Nghị quyết Kết quả",
        "tính ẩn năm ẩn năm . .",
        "2025 2030 Năm 2023 | Năm 2024",
        "Tỷ lệ hộ nghèo % - - 2,08 1,43",
        "",
        "| Số] Meestes | còn",
        "TT Chỉ tiêu đồ :",
        "2025 2030 2023 2024",
        "Tỷ lệ hộ cận nghèo % - - 3,41 2,67",
    ], start=1))
    columns, rows = parse_indicator_lines(lines, GROUPS)
    assert _names(columns) == ["target_2025", "target_2030", "actual_2023", "actual_2024"]
    assert [(r.indicator, r.cells) for r in rows] == [
        ("Tỷ lệ hộ nghèo", ("-", "-", "2,08", "1,43")),
        ("Tỷ lệ hộ cận nghèo", ("-", "-", "3,41", "2,67"))]


HEAD4 = "Chỉ tiêu Đơn vị Đến năm 2025 Đến năm 2030 Năm 2024 Đến 2025 (dự kiến)"


def _rows_head(head, *texts):
    return parse_indicator_lines(list(enumerate([head, *texts], start=1)), GROUPS)


def _rows(*texts):
    _, rows = parse_indicator_lines(list(enumerate([HEAD4, *texts], start=1)), GROUPS)
    return [(r.indicator, r.unit, r.cells) for r in rows]


DOC_HEAD = ("TT Tên văn bản Số, ký hiệu Cơ quan chủ trì Cơ quan phối hợp Cấp ban hành Thời gian "
            "Loại văn bản")


def _doc_rows(*texts):
    """Phụ lục II rows of *texts* under the table's header line, as linearised OCR."""
    from pipeline.tables.appendix import parse_document_rows

    return parse_document_rows(list(enumerate([DOC_HEAD, *texts], start=1)), "x.txt")


def test_split_row_line_at_unit_keeps_unreadable_cells():
    from pipeline.tables.appendix import split_row_line

    parts = split_row_line("Tỷ lệ hộ cận nghèo % : : cer a", 4)
    assert (parts.name, parts.unit, parts.cells) == ("Tỷ lệ hộ cận nghèo", "%", [":", ":", "cer", "a"])
    assert parts.kinds == ["d", "d", "j", "j"]
    # a misread unit word, an operator apart from its number, a colon for a decimal comma
    parts = split_row_line("Số bác sĩ Newoi 11 >= 15 1:33 11,5", 4)
    assert (parts.name, parts.unit, parts.cells) == ("Số bác sĩ", "Người", ["11", ">=15", "1,33", "11,5"])
    # numbers inside a name are no value region
    assert split_row_line("mầm non cho trẻ mẫu giáo từ 3 đến 5 tuổi", 4).cells == []
    # a region's word before its cell's ";" is no unit ("Đông;" is not the unit Đồng)
    parts = split_row_line("bình quân hằng năm %/năm | 1-1,7 1-1,5 | Đông; 0,3", 4)
    assert (parts.name, parts.unit) == ("bình quân hằng năm", "%/năm")
    assert parts.cells == ["1-1,7", "1-1,5", "Đông;", "0,3"]


def test_fit_cells_drops_dust_before_shifting():
    from pipeline.tables.appendix import fit_cells

    cells, flags = fit_cells(["-", "-", "*", "2,08", "1,43"], ["d", "d", "j", "v", "v"], 4)
    assert cells == ["-", "-", "2,08", "1,43"] and flags == ["dropped unreadable token '*'"]
    cells, flags = fit_cells([":", "cer", "2,08"], ["d", "j", "v"], 4)
    assert cells == ["-", "cer", "2,08", ""] and "unreadable cell 'cer'" in flags
    # a full stop after the values is dust, not a dash: the first value stays
    cells, flags = fit_cells(["80", "100", "86,6", "81,5", "95", "."], ["v"] * 5 + ["d"], 5)
    assert cells == ["80", "100", "86,6", "81,5", "95"] and flags == ["dropped mark '.'"]
    # ...but when the row has no more tokens than columns, it is the last cell's dash
    cells, flags = fit_cells(["80", "100", "86,6", "81,5", "."], ["v"] * 4 + ["d"], 5)
    assert cells == ["80", "100", "86,6", "81,5", "-"] and flags == []


def test_values_on_the_middle_line_of_a_wrapped_name():
    # eng-OCR puts the values on the middle line, garbling its words; the name before it
    # ends mid-phrase ("có"), so the garbled line goes on with that row.
    assert _rows(
        "Tỷ lệ gia đình người có công có",
        "He Sng Dane Dope Cao % - 100 94,5 100,0",
        "sống trung bình của cộng đồng dân cư",
        "Số nhà tình nghĩa được xây mới Căn - - 478 559",
    ) == [
        ("Tỷ lệ gia đình người có công có He Sng Dane Dope Cao sống trung bình của cộng đồng dân cư",
         "%", ("-", "100", "94,5", "100,0")),
        ("Số nhà tình nghĩa được xây mới", "Căn", ("-", "-", "478", "559"))]


def test_second_value_set_opens_a_row_and_stray_dash_ignored():
    assert _rows(
        "Tỷ lệ trẻ em 3-5 tuổi đi học mẫu giáo % >94 89 96,5 97,2",
        "ở trẻ em đi học đúng độ tuổi tiểu học % 100,0 100,0 100,0 100,0",
        "Tỷ lệ lao động qua đào tạo có bằng % 27-29 35-40 31,9 25,9",
        "cấp, chứng chỉ -",
    ) == [
        ("Tỷ lệ trẻ em 3-5 tuổi đi học mẫu giáo", "%", (">94", "89", "96,5", "97,2")),
        ("ở trẻ em đi học đúng độ tuổi tiểu học", "%", ("100,0", "100,0", "100,0", "100,0")),
        ("Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ", "%", ("27-29", "35-40", "31,9", "25,9"))]


def test_stray_value_on_a_name_line_does_not_split_the_row():
    assert _rows(
        "Tỉ lệ người gây bạo lực gia đình, bạo lực",
        "trên cơ sở giới được phát hiện ở mức chưa 0",
        ". . . A1 % 50 70 - -",
    )[0][2] == ("50", "70", "-", "-")


def test_value_ocr_slips_repaired():
    from pipeline.tables.appendix import split_row_line

    parts = split_row_line("Tỷ lệ trẻ em 3-5 tuổi đi học mẫu giáo % S95 $100 2.92. 53.", 4)
    assert parts.cells == [">95", ">100", "2.92", "53"]
    parts = split_row_line("Tỷ lệ học sinh tốt nghiệp 0% Pợ $= 97 88,83 99,52", 4)
    assert (parts.unit, parts.cells) == ("%", ["Pợ", ">=97", "88,83", "99,52"])
    parts = split_row_line("Mức giảm tỉ lệ hộ nghèo đa chiều hàng op/mam | 1-1,5 1-1,6 0,3 0,3", 4)
    assert (parts.name, parts.unit) == ("Mức giảm tỉ lệ hộ nghèo đa chiều hàng", "%/năm")
    parts = split_row_line("Tỉ trọng lao động nông nghiệp % <-50 <=40 53,8 51,9", 4)
    assert parts.cells == ["<=50", "<=40", "53,8", "51,9"]


def test_short_and_garbled_group_headings():
    groups = [("5", "Trợ giúp xã hội và giảm nghèo"), ("6", "Giáo dục"), ("7", "Y tế")]
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "5 |Trg giúp xã hội và giảm nghèo",
        "Bảo đảm nước sinh hoạt cho hộ nghèo Mức độ | Giải quyết | Bảo đảm | Giải quyết | Giải quyết",
        "Giáo dục",
        "a trẻ em 3-5 tuổi đi học mẫu giáo % >95 97 100,0 90,0",
        "7 1v tê",
        "Số năm sống khỏe Năm - 68 - -",
    ], start=1)), groups)
    assert [(r.group_no, r.indicator) for r in rows][1:] == [
        ("6", "a trẻ em 3-5 tuổi đi học mẫu giáo"), ("7", "Số năm sống khỏe")]


def test_estimate_column_when_its_label_is_lost():
    from pipeline.tables.appendix import header_columns

    # "Ước năm" glued by OCR
    assert _names(header_columns("Nghị quyết số 68/NQ-CP Kết quả Năm Năm |Uécnam 2030 2023 2024 2025", 4))[-1] \
        == "estimate_2025"
    # the label lost altogether: a result for the year the report is dated in
    assert _names(header_columns("(Kèm theo Báo cáo số 356/BC-UBND ngày 19/9/2025) Nam Nam Nam "
                                 "2030 2023 2024 2025", 4)) == [
        "target_2030", "actual_2023", "actual_2024", "estimate_2025"]
    # a result for a target's own year
    assert _names(header_columns("Năm Năm Năm Năm 2025 2030 2023 2024 2025", 5))[-1] == "estimate_2025"
    assert _names(header_columns("(ngày 10/6/2025) Đến năm 2025 Đến năm 2030 Năm 2023 Năm 2024", 4)) == [
        "target_2025", "target_2030", "actual_2023", "actual_2024"]


def test_qualitative_cells_after_their_unit():
    from pipeline.tables.appendix import split_row_line

    parts = split_row_line("Mức độ giải quyết nhà ở cho người Mức độ | Giải quyết | Bảo đảm | Hoàn thành | Bảo đảm", 4)
    assert (parts.name, parts.unit, parts.cells) == (
        "Mức độ giải quyết nhà ở cho người", "Mức độ", ["Giải quyết", "Bảo đảm", "Hoàn thành", "Bảo đảm"])
    # without the column rules the words are kept together, and the row is flagged
    rows = parse_indicator_lines(list(enumerate([HEAD4, "Bảo đảm nước sinh hoạt Mức độ quyết có vững chắc"])),
                                 GROUPS)[1]
    assert rows[0].cells == ("quyết có vững chắc", "", "", "")
    assert rows[0].flags == ("1 qualitative text, not split into columns for 4 columns",)


def test_garbled_sub_row_label_and_header_split_over_lines():
    assert _rows(
        "Tỷ lệ nhà ở kiên cố % - 85-90",
        "Thành thị % - 100 100 100",
        "Nó6ng thôn % - 80 88,6 89",
        "",
        "Nghị",
        "",
        "quyết số Kết quả thực hiện",
        "đến năm | Năm 2023 | Năm 2024 2025",
        "2030 |",
        "Số giường bệnh Giường Z7 30 29,6 34,4",
    ) == [
        ("Tỷ lệ nhà ở kiên cố", "%", ("-", "85-90", "", "")),
        ("Tỷ lệ nhà ở kiên cố - Thành thị", "%", ("-", "100", "100", "100")),
        ("Tỷ lệ nhà ở kiên cố - Nông thôn", "%", ("-", "80", "88,6", "89")),
        ("Số giường bệnh", "Giường", ("Z7", "30", "29,6", "34,4"))]


def test_counts_under_a_heading_are_named_after_it():
    # the heading follows its group's line behind a rule mark, and is no part of the group name
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4, "7 | Y tế",
        "‘| Chỉ tiêu số lượng trên 10.000 dân",
        "Số giường bệnh Giường 37 41 43,9 43",
        "Số bác sĩ Người - 19 16,3 15",
        "Số lần khám bệnh bình quân/người/năm Lần - - 2,4 2,1",
        "Tổng tỷ suất sinh Con 2,1 2,1 1,76 1,8"])), [*GROUPS, "Y tế"])
    assert {r.group for r in rows} == {"Y tế"}
    assert [r.indicator for r in rows] == [
        "Chỉ tiêu số lượng trên 10.000 dân",
        "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh",
        "Chỉ tiêu số lượng trên 10.000 dân - Số bác sĩ",
        "Số lần khám bệnh bình quân/người/năm", "Tổng tỷ suất sinh"]
    assert rows[0].is_parent and rows[1].cells == ("37", "41", "43,9", "43")


def test_a_dust_mark_after_a_whole_name_is_no_cell_but_after_a_name_that_goes_on_it_is():
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4, "7 | Y tế",
        "Chỉ tiêu số lượng trên 10.000 dân .",
        "Số giường bệnh Giường 32 35 31,6 32,4",
        "Tỉ lệ trường đạt chuẩn quốc gia % 60 70-75 62,3 64,1",
        "Số năm đi học bình quân của .",
        "người từ 25 tuổi trở lên Năm - 9,5 8,6 8,7"], start=1)), [*GROUPS, "Y tế"])
    assert [r.indicator for r in rows][:2] == [
        "Chỉ tiêu số lượng trên 10.000 dân",
        "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh"]
    assert rows[0].is_parent and rows[0].cells == ()
    # the mark after "của" keeps the wrapped name apart from the full row above
    assert rows[2].indicator == "Tỉ lệ trường đạt chuẩn quốc gia"
    assert rows[3].indicator.startswith("Số năm đi học bình quân của người")


def test_junk_value_line_lone_word_and_region_fragments_stay_with_their_row():
    rows = _rows(
        "Tỉ lệ hộ chăn nuôi, trang trại được xử lý 0",
        "FOPASAN Nợ %o - 75 - -",
        "chất thải chăn nuôi",
        "Tỉ lệ tiêm chủng mở rộng với 14 loại Vắc % - 95 - -",
        "Xin",
        "Tỉ lệ hộ gia đình được sử dụng nước sạch",
        "Thành thị % - 100 100% 100%",
        "phía",
        "n n Đông",
        "Nông thôn % - 80 99 81%",
        "Tay",
        "",
        "(Kèm theo Báo cáo số",
        "NGHỊ QUYẾT SỐ 42-NQ/TW",
    )
    assert [r[0] for r in rows] == [
        "Tỉ lệ hộ chăn nuôi, trang trại được xử lý FOPASAN Nợ chất thải chăn nuôi",
        "Tỉ lệ tiêm chủng mở rộng với 14 loại Vắc Xin",
        "Tỉ lệ hộ gia đình được sử dụng nước sạch",
        "Tỉ lệ hộ gia đình được sử dụng nước sạch - Thành thị",
        "Tỉ lệ hộ gia đình được sử dụng nước sạch - Nông thôn"]
    assert rows[0][2] == ("-", "75", "-", "-")
    _, parsed = parse_indicator_lines(list(enumerate([HEAD4, "Thành thị % - 100 100% 100%", "phía", "Tay"])),
                                      GROUPS)
    assert parsed[0].flags == ("cell text by region not placed: phía / Tay",)


def test_header_year_of_a_two_line_label_read_first():
    from pipeline.tables.appendix import header_columns

    # "Năm 2024" sits one line above "2025 2030 năm 2025": read in order it would make 2024 a target
    assert _names(header_columns("Đến năm | Đến năm | Dự kiến tính Năm 2024 2025 2030 năm 2025", 4)) == [
        "target_2025", "target_2030", "actual_2024", "estimate_2025"]


def test_broken_m2_unit_wrapped_unit_word_and_garbled_unit_on_a_name():
    assert _rows(
        'Diện tích nhà ở bình quân đầu người "I‘lzg ;‘;’:/ 27 30 30,2 31',
        "Thành thị m2 san/ 28 32 32,8 33,5",
        "người",
        "Nông thôn m2san’ gỗ người 28 30 29,6 31",
        "Số nhà ở người có công Căn A 195 434 433",
    ) == [
        ("Diện tích nhà ở bình quân đầu người", "", ("27", "30", "30,2", "31")),
        ("Diện tích nhà ở bình quân đầu người - Thành thị", "m2 sàn/người", ("28", "32", "32,8", "33,5")),
        ("Diện tích nhà ở bình quân đầu người - Nông thôn", "m2 sàn/người", ("28", "30", "29,6", "31")),
        ("Số nhà ở người có công", "Căn", ("-", "195", "434", "433"))]  # a lone letter is a dash


def test_lost_thousands_dot_and_so_prefix():
    from pipeline.tables.appendix import repair_name_prefix, restore_thousands_dot

    assert restore_thousands_dot("3662", "", ("10604", "49.400", "3662", "11.900")) == "3.662"
    assert restore_thousands_dot("1135", "Người", ("1.000", "-", "1.108", "1135")) == "1.135"
    assert restore_thousands_dot("12500", "người", ("-", "12500")) == "12.500"
    # the dot read as a comma: a count has no three decimals
    assert restore_thousands_dot("39,500", "Người", ("39,500", "40.215")) == "39.500"
    assert restore_thousands_dot(">=38,000", "Căn", (">=38,000",)) == ">=38.000"
    for cell, unit, row in (("2021", "năm", ("-", "2021")), ("995", "%", ("995",)),
                            ("1135", "%", ("1.000", "1135")), ("2,5", "người", ("2,5",)),
                            ("10,5", "Người", ("10,5",)), ("39,500", "%", ("39,500",)),
                            ("2,125", "Tuổi", ("2,125",))):
        assert restore_thousands_dot(cell, unit, row) is None
    assert repair_name_prefix("S6 Bà mẹ Việt Nam anh hùng") == "Số Bà mẹ Việt Nam anh hùng"


def test_cells_and_units_read_from_the_raw_ocr_line():
    from pipeline.tables.appendix import split_row_line

    # the decoder turned the broken unit "%o" into the word "do"
    parts = split_row_line("FOPASAN Nợ do - 75 - -", 4, raw="FOPASAN N %o - 75 - -")
    assert (parts.name, parts.unit, parts.cells) == ("FOPASAN Nợ", "%", ["-", "75", "-", "-"])
    # token counts differ: the restored line alone is used
    assert split_row_line("Tỷ lệ hộ nghèo % - - 2,08 1,43", 4, raw="Ty le").cells == ["-", "-", "2,08", "1,43"]


def test_garbled_level_unit_opens_qualitative_cells():
    from pipeline.tables.appendix import split_row_line

    parts = split_row_line("Giải quyết nhà ở cho người có công Mức a6 | Giải quyết | Giải quyết | Hoàn thành", 3)
    assert (parts.name, parts.unit, parts.cells) == (
        "Giải quyết nhà ở cho người có công", "Mức độ", ["Giải quyết", "Giải quyết", "Hoàn thành"])


def test_capitalised_line_after_an_unfinished_name_continues_it():
    assert [r[0] for r in _rows(
        "Tỉ lệ phụ nữ sinh con ở cơ sở y tế hoặc có % 100 100 100 100",
        "Sự trợ giúp của cán bộ y tế",
        "Tỉ lệ tiêm chủng mở rộng % - 95 - -",
    )] == ["Tỉ lệ phụ nữ sinh con ở cơ sở y tế hoặc có Sự trợ giúp của cán bộ y tế",
           "Tỉ lệ tiêm chủng mở rộng"]


def test_one_lost_dash_in_a_row_of_numbers_goes_first():
    from pipeline.tables.appendix import fit_cells

    assert fit_cells(["195", "434", "433"], ["v", "v", "v"], 4)[0] == ["", "195", "434", "433"]
    assert fit_cells(["-", "74-78"], ["d", "v"], 4)[0] == ["-", "74-78", "", ""]


def test_cell_fragments_left_out_of_names_and_flagged():
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Tỷ lệ lực lượng lao động trong độ : tuổi tham gia BHTN . ze - one % 24 35 21,4 22,5",
        "Tỷ lệ xã có trung tâm văn hóa - thể thao % 81 100 79,6 97,46%",
    ])), GROUPS)
    assert rows[0].indicator == "Tỷ lệ lực lượng lao động trong độ tuổi tham gia BHTN"
    assert rows[0].flags == ("unread text left out of the name: . ze - one :",)
    assert rows[1].indicator == "Tỷ lệ xã có trung tâm văn hóa - thể thao"


def test_rate_opening_with_its_first_word_lost_opens_a_row():
    assert [r[0] for r in _rows(
        "Số người lao động đi làm việc ở -",
        "nước ngoài theo hợp đồng",
        "a lệ thất nghiệp khu vực thành thị % <3 2,77 3,44 2,6",
    )] == ["Số người lao động đi làm việc ở nước ngoài theo hợp đồng",
           "a lệ thất nghiệp khu vực thành thị"]


def test_header_missing_its_last_year_gets_the_column_the_rows_show():
    from pipeline.tables.appendix import header_columns

    # "Ước thực hiện năm 2026" lost but for "026": rows have three cells, the header two years
    header = "(Kèm theo Báo cáo số 57/BC-UBND ngày 12/3/2026) Mục tiêu | Thực hiện nam 2030 | nam 2025 026"
    assert _names(header_columns(header, 3)) == ["target_2030", "actual_2025", "estimate_2026"]
    assert _names(header_columns(header, 2)) == ["target_2030", "actual_2025"]


def test_wrapped_name_tails_are_no_rows_and_no_region_fragments():
    rows = _rows(
        "Số người được giải quyết việc làm trong Người E 49.400 50.000 51.000",
        "năm",
        "Chỉ số vốn nhân lực (HCI) theo phương pháp của Ngân hàng Mức độ >= 0,7 - 0,69 0,69",
        "Thế giới",
        "Tỉ lệ hộ nghèo % - - 2,08 1,43",
    )
    assert rows == [
        ("Số người được giải quyết việc làm trong năm", "Người", ("-", "49.400", "50.000", "51.000")),
        ("Chỉ số vốn nhân lực (HCI) theo phương pháp của Ngân hàng Thế giới", "Mức độ",
         (">=0,7", "-", "0,69", "0,69")),
        ("Tỉ lệ hộ nghèo", "%", ("-", "-", "2,08", "1,43"))]


def test_misread_number_put_right_by_its_row():
    from pipeline.tables.appendix import restore_misread_number

    assert restore_misread_number("21", "Con", ("21", "1,76", "18")) == "2,1"
    assert restore_misread_number("25", "Lần", ("-", "2,4", "25")) == "2,5"
    assert restore_misread_number("712", "Tuổi", ("75", "712", "78,8")) == "71,2"
    assert restore_misread_number("595", "%", ("595", "92,3", "94")) == ">95"
    assert restore_misread_number("995", "%", ("995", "99,8", "99,8")) == "99,5"
    # numbers of the row's own size, rows without decimals, and thousands are left alone
    for cell, unit, row in (("75", "Tuổi", ("75", "76,4", "76,5")), ("260", "Người", ("260", "412", "415")),
                            ("35", "Giường", ("35", "42,5", "43")), ("3.125", "Căn", ("3.125", "2,1"))):
        assert restore_misread_number(cell, unit, row) is None
    # a 9 read as 0 in a percent row near a hundred; a small rate keeps its lost comma
    assert restore_misread_number(">05", "%", ("-", ">05", "99,72", "99,78")) == ">95"
    assert restore_misread_number(">05", "%", ("-", ">05", "90", ">90")) == ">95"
    assert restore_misread_number("<03", "%", ("<03", "<03", "0,29", "<0,3")) is None
    assert restore_misread_number(">05", "%", (">05", "-", "-")) is None
    assert restore_misread_number(">05", "Người", (">05", "90", "90")) is None


def test_header_with_only_its_target_years_gets_the_result_columns_the_rows_show():
    from pipeline.tables.appendix import header_columns

    assert _names(header_columns("Mục tiêu Nghị Kết quả quyết Đơn vị Đến nam nam 2025 2030 Be (dy kién)", 4)) == [
        "target_2025", "target_2030", "actual_2024", "estimate_2025"]


def test_appendix_title_with_a_letter_read_in_lower_case():
    lines = ["báo cáo", "Phu ne I", "CAC CHi TIEU CHU YEU TRONG CHUONG TRINH HANH DONG", "x"]
    assert find_appendices(lines) == (2, None)


def test_wrapped_word_cells_rebuilt_from_the_genre_phrases():
    head3 = "Chỉ tiêu Đơn vị Mục tiêu năm 2030 Thực hiện năm 2025 Ước thực hiện năm 2026"
    _, rows = parse_indicator_lines(list(enumerate([
        head3,
        "Mức độ giải quyết nhà ở cho người có Mức độ Hoàn | Giải quyết| Hoàn",
        "công có khó khăn về nhà ở : thành cơ bản thành",
        "Nhà tạm, nhà dột nát của hộ nghèo, hộ cận Mức độ a 3.125 Xóa bỏ",
        "nghèo toàn bộ",
        "Tuổi thọ trung bình tính từ lúc sinh Tuổi 75 76,4 - 76,5",
    ])), GROUPS)
    assert [(r.indicator, r.cells) for r in rows] == [
        ("Mức độ giải quyết nhà ở cho người có công có khó khăn về nhà ở",
         ("Hoàn thành", "Giải quyết cơ bản", "Hoàn thành")),
        ("Nhà tạm, nhà dột nát của hộ nghèo, hộ cận nghèo", ("-", "3.125", "Xóa bỏ toàn bộ")),
        ("Tuổi thọ trung bình tính từ lúc sinh", ("75", "76,4", "76,5"))]


def test_decimal_comma_lost_in_ocr_is_put_back():
    from pipeline.tables.appendix import restore_dropped_comma

    # a leading zero: no Vietnamese number has one, whatever the unit
    assert restore_dropped_comma(">07", "") == ">0,7"
    assert restore_dropped_comma("<03", "%") == "<0,3"
    assert restore_dropped_comma("05%", "") == "0,5%"
    # a percent over 100
    assert restore_dropped_comma("995", "%") == "99,5"
    assert restore_dropped_comma(">995", "%") == ">99,5"
    # a range whose high end repeats the low end with one more digit, in a percent row
    assert restore_dropped_comma("1-15", "%/năm") == "1-1,5"
    assert restore_dropped_comma("2-25%", "") == "2-2,5%"
    for cell, unit in (("0", "%"), ("0,7", ""), ("100", "%"), ("995", "người"), ("2030", ""),
                       ("95-97", "%"), ("1-15", "tuổi"), ("1-25", "%")):
        assert restore_dropped_comma(cell, unit) is None


def test_range_broken_after_its_dash_and_a_year_that_ends_the_name():
    assert _rows(
        "Tỉ lệ huy động trẻ em mẫu giáo % 95 95- 97 98,5 99",
        "Mức tăng thu nhập bình quân đầu người Lần 2 - - -",
        "của hộ nghèo so với năm 2021",
    ) == [
        ("Tỉ lệ huy động trẻ em mẫu giáo", "%", ("95", "95-97", "98,5", "99")),
        ("Mức tăng thu nhập bình quân đầu người của hộ nghèo so với năm 2021", "Lần",
         ("2", "-", "-", "-"))]


def test_a_rule_mark_before_a_capitalised_name_opens_a_row():
    # ")" is a column rule OCR read before the next row's name; the row above had no values
    rows = _rows(
        "Chấm dứt các dịch bệnh AIDS, lao và loại",
        "trừ sốt rét",
        ") Khống chế tỉ lệ người nhiễm HIV trong % <0,3 <0,3 0,29 <0,3",
        "cộng đồng dân cư")
    assert [r[0] for r in rows] == ["Chấm dứt các dịch bệnh AIDS, lao và loại trừ sốt rét",
                                    "Khống chế tỉ lệ người nhiễm HIV trong cộng đồng dân cư"]
    assert rows[1][2] == ("<0,3", "<0,3", "0,29", "<0,3")


def test_lines_of_two_words_without_values_are_debris_kept_in_a_flag():
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Tỉ lệ hộ gia đình được sử dụng nước sạch % - 80 99,8 100",
        "- Tây - Tây",
        "Hải Hai",
        "Tỉ lệ xã đạt chuẩn nông thôn mới % >60 100 52,8 100"])), GROUPS)
    assert [r.indicator for r in rows] == ["Tỉ lệ hộ gia đình được sử dụng nước sạch",
                                           "Tỉ lệ xã đạt chuẩn nông thôn mới"]
    assert "text between rows not placed: Hải Hai" in rows[0].flags
    assert any("Tây" in f for f in rows[0].flags)
    # a parent without values named in two words keeps its sub-rows
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4, "Dân số", "Thành thị % - 100 100 100"])), GROUPS)
    assert [r.indicator for r in rows] == ["Dân số", "Dân số - Thành thị"]


def test_numbers_ending_a_wrapped_name_line_go_back_into_the_name():
    assert _rows(
        "Tỉ lệ hộ gia đình chăm sóc trẻ em dưới 36",
        "tháng tuổi, thuộc hộ nghèo % - 100 - -",
        "được hưởng trợ cấp xã hội",
    ) == [("Tỉ lệ hộ gia đình chăm sóc trẻ em dưới 36 tháng tuổi, thuộc hộ nghèo được hưởng "
           "trợ cấp xã hội", "%", ("-", "100", "-", "-"))]


def test_a_lone_value_line_after_a_full_row_is_kept_aside_not_counted():
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Tỉ lệ người có hoàn cảnh khó khăn được bảo đảm mức sống % - 100 - -",
        "tối thiểu",
        "100",
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều % - - 0,29 0,2",
        "0,32%",
        "Mức giảm tỉ lệ hộ nghèo đa chiều %/năm 1-1,5 1-1,5 0,32% 0,3"])), GROUPS)
    assert [r.cells for r in rows] == [("-", "100", "-", "-"), ("-", "-", "0,29", "0,2"),
                                       ("1-1,5", "1-1,5", "0,32%", "0,3")]
    assert rows[0].flags == ("cell text by region not placed: 100",)
    assert rows[1].flags == ("cell text by region not placed: 0,32%",)


def test_a_capitalised_last_line_of_a_name_joins_the_row_when_the_catalog_says_so():
    from pipeline.tables import join_name_tails
    from pipeline.tables.catalog import load_catalog

    catalog = load_catalog()
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Tỉ lệ hộ gia đình được sử dụng % >95 >95 92,3 94",
        "Internet băng rộng cáp quang",
        "Tỉ lệ dân số được phủ sóng phát thanh, truyền hình % 100 100 100 100",
        "Tỉ lệ nhà ở kiên cố % - 85-90 99,9 99,9",
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều",
        "Thành thị % - 100 100 100"])), GROUPS)
    assert len(rows) == 6    # the parser alone reads "Internet ..." as a row
    joined = join_name_tails(rows, catalog)
    assert [r.indicator for r in joined] == [
        "Tỉ lệ hộ gia đình được sử dụng Internet băng rộng cáp quang",
        "Tỉ lệ dân số được phủ sóng phát thanh, truyền hình",
        "Tỉ lệ nhà ở kiên cố",
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều",   # a parent: it names an indicator
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều - Thành thị"]
    assert joined[0].cells == (">95", ">95", "92,3", "94") and joined[0].lines == (1, 2)
    # the same with the values on the last line, and with a unit's and group's boosts
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "8 | Phát triển văn hóa và thông tin, truyền thông",
        "Tỉ lệ hộ gia đình có kết nối % 80 100 82,3 85",
        "Internet băng rộng cáp quang",
        "Tỉ lệ hộ gia đình có kết nối",
        "Internet băng rộng cáp quang % 80 100 86,6 81,5",
        "Tỉ lệ hộ gia đình được tiếp cận thông tin",
        "Vùng sâu, vùng xa % 90 95 91,6 92"])), [*GROUPS, "Phát triển văn hóa và thông tin, truyền thông"])
    joined = join_name_tails(rows, catalog)
    assert [(r.indicator, r.cells[2:]) for r in joined] == [
        ("Tỉ lệ hộ gia đình có kết nối Internet băng rộng cáp quang", ("82,3", "85")),
        ("Tỉ lệ hộ gia đình có kết nối Internet băng rộng cáp quang", ("86,6", "81,5")),
        ("Tỉ lệ hộ gia đình được tiếp cận thông tin", ()),
        ("Tỉ lệ hộ gia đình được tiếp cận thông tin - Vùng sâu, vùng xa", ("91,6", "92"))]


def test_the_xa_of_xa_hoi_before_cells_is_no_unit():
    from pipeline.tables.appendix import split_row_line

    parts = split_row_line("cận nghèo được hưởng trợ cấp xã hội 0 í ới", 4,
                           "can ngheo dugc hudng trg cép xa hoi 0 i i")
    assert parts.unit == "" and "trợ cấp xã hội" in parts.name
    parts = split_row_line("Số xã đạt chuẩn nông thôn mới Xã 12 15 10 11", 4)
    assert parts.unit == "Xã" and parts.cells == ["12", "15", "10", "11"]


def test_word_cells_after_a_level_unit_read_as_digits():
    # "Mức độ" read "Mite 6" / "Mite 43"; the dash before the number read as "b" (restored
    # "bỏ"), which is no "Bảo"; the cells' last words end the name's wrapped line
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Nhà tạm, nhà dột nát của hộ nghèo, hộ Mức 6 Giải quyết bỏ 3.210 Xóa bỏ",
        "cận nghèo cơ bản toàn bộ"])), GROUPS, dict(enumerate([
            HEAD4,
            "Nha tam, nha d6t nat cia h6 nghéo, hé Mite 6 Giai quyét b 3.210 Xoa bo",
            "can nghéo co ban toan bd"])))
    assert [(r.indicator, r.unit, r.cells) for r in rows] == [
        ("Nhà tạm, nhà dột nát của hộ nghèo, hộ cận nghèo", "Mức độ",
         ("Giải quyết cơ bản", "-", "3.210", "Xóa bỏ toàn bộ"))]
    from pipeline.tables.appendix import split_row_line
    parts = split_row_line("Nhà tạm của hộ nghèo Mức 43 Giải quyết : 3.125 Xóa bỏ", 4)
    assert parts.unit == "Mức độ"


def test_a_header_with_its_results_first_names_columns_by_their_labels():
    from pipeline.tables.appendix import header_columns

    head = "Chỉ tiêu Đơn vị Năm 2021 Năm 2022 Năm 2023 Năm 2024 Mục tiêu 2025"
    assert [c.name for c in header_columns(head, 5)] == [
        "actual_2021", "actual_2022", "actual_2023", "actual_2024", "target_2025"]
    assert [c.name for c in header_columns(
        "Chỉ tiêu Đơn vị Thực hiện năm 2023 Thực hiện năm 2024 Kế hoạch năm 2025", 3)] == [
        "actual_2023", "actual_2024", "target_2025"]
    # the genre's own order, and a jumbled eng-OCR header, keep their reading
    assert [c.name for c in header_columns(HEAD4, 4)] == [
        "target_2025", "target_2030", "actual_2024", "estimate_2025"]
    assert [c.name for c in header_columns(
        "Muc tiéu Nghi quyét Két qua Chi tieu tinh |Dénnam|Déenndam| Nam | Den 2025 "
        "2025 2030 2024 | (dy kién)", 4)] == [
        "target_2025", "target_2030", "actual_2024", "estimate_2025"]
    columns, rows = parse_indicator_lines(list(enumerate([
        head, "Tỉ lệ thất nghiệp chung % 2,1 1,9 1,8 1,76 <3"])), GROUPS)
    assert dict(zip((c.name for c in columns), rows[0].cells)) == {
        "actual_2021": "2,1", "actual_2022": "1,9", "actual_2023": "1,8",
        "actual_2024": "1,76", "target_2025": "<3"}
    # a row one value short: with the targets last, the lost value is the target's
    _, rows = parse_indicator_lines(list(enumerate([
        head, "Tỉ lệ thất nghiệp chung % 2,1 1,9 1,8 1,76 <3",
        "Số lao động di cư được tư vấn Người 4.870 6.215 5.600 5.800"])), GROUPS)
    assert rows[1].cells == ("4.870", "6.215", "5.600", "5.800", "")
    assert any("last column" in f for f in rows[1].flags)
    _, rows = _rows_head(HEAD4, "Số lao động di cư được tư vấn Người 6.215 5.600 5.800")
    assert rows[0].cells == ("", "6.215", "5.600", "5.800")


SHAPED_ROWS = [
    "1 | Lao động, việc làm, phát triển thị trường lao động",
    "Tỉ lệ thất nghiệp chung % 2,31 2,12 2,05 <3",
    "Tỉ lệ lao động qua đào tạo % 66,8 68,2 69,5 70-72",
    "Tỉ lệ lao động có bằng cấp, chứng chỉ % 28,4 29,9 31,2 >= 32",
    "Số lao động được tạo việc làm Người 21.486 22.150 22.900 22.000",
    "Tỉ lệ lao động làm việc trong khu vực phi chính thức % 58,4 57,2 56 <=55",
    "Tỉ lệ tham gia bảo hiểm xã hội % 24,1 26,3 28 >30",
]


def test_columns_named_by_their_cells_when_the_header_order_says_nothing():
    """An eng-OCR header whose labels wrapped (results first, the target last) gives its
    years in no telling order; the bounds and ranges of the last column say it holds the
    targets, and the report's year makes the last result an estimate."""
    head = ["PHỤ LỤC CÁC CHỈ TIÊU CHỦ YẾU", "XÃ HỘI",
            "THEO NGHỊ QUYẾT SỐ 68/NQ-CP TRÊN ĐỊA BÀN TỈNH",
            "(Kèm theo Báo cáo số 1275/BC-UBND ngày 05/9/2025 của Ủy ban nhân dân tỉnh)",
            "TT Chỉ tiêu Đơn vị Kết quả thực hiện Nghị quyết",
            "Năm Năm | Ước năm fee ô", "2023 2024 2025 2025"]
    columns, rows = parse_indicator_lines(list(enumerate(head + SHAPED_ROWS, start=1)), GROUPS)
    assert [c.name for c in columns] == ["actual_2023", "actual_2024", "estimate_2025",
                                         "target_2025"]
    assert len(rows) == 6 and rows[0].cells == ("2,31", "2,12", "2,05", "<3")


def test_columns_by_cells_fill_years_ocr_lost_before_the_report_year():
    """Two result years lost ("ee —"): the results run up to the report's year."""
    head = ["(Kèm theo Báo cáo số 516/BC-UBND ngày 12/9/2025 của UBND tỉnh)",
            "Mục tiêu Nghị quyết Kết quả", "2025 2030 ee — 2025"]
    rows = ["1 | Lao động, việc làm, phát triển thị trường lao động",
            "Tỉ lệ thất nghiệp chung % <3 <2,5 2,31 2,12 2,05",
            "Tỉ lệ lao động qua đào tạo % 70 75-80 66,8 68,2 69,5",
            "Tỉ lệ lao động có bằng cấp % >= 30 >= 35 28,4 29,9 31,2",
            "Số lao động được tạo việc làm Người 22.000 22.000 21.486 22.150 22.900",
            "Tỉ lệ lao động phi chính thức % <=55 <=50 58,4 57,2 56"]
    columns, _ = parse_indicator_lines(list(enumerate(head + rows, start=1)), GROUPS)
    assert [c.name for c in columns] == ["target_2025", "target_2030", "actual_2023",
                                         "actual_2024", "estimate_2025"]


def test_header_columns_read_from_the_header_are_kept():
    """A header whose order is plain (targets rising, then results) is not second-guessed
    by the cells, however they look."""
    head = ["Chỉ tiêu Đơn vị Đến năm 2025 Đến năm 2030 Năm 2024 Đến 2025 (dự kiến)"]
    columns, _ = parse_indicator_lines(list(enumerate(head + SHAPED_ROWS, start=1)), GROUPS)
    assert [c.name for c in columns] == ["target_2025", "target_2030", "actual_2024",
                                         "estimate_2025"]


def test_area_sub_rows_under_a_row_with_values():
    lines = list(enumerate([
        *OPENING,
        "Khu vực thành thị % <4 <3,5 3,12 3,05",
        "Khu vực nông thôn % <2,5 <2 1,74 1,7",
        "Tỉ lệ hộ gia đình được tiếp cận thông tin % 95 100 96 97",
        "Vùng sâu, vùng xa % 90 95 91,6 92",
    ], start=1))
    _, rows = parse_indicator_lines(lines, GROUPS)
    assert [r.indicator for r in rows] == [
        "Tỉ lệ thất nghiệp chung", "Tỉ lệ thất nghiệp chung - Khu vực thành thị",
        "Tỉ lệ thất nghiệp chung - Khu vực nông thôn",
        "Tỉ lệ hộ gia đình được tiếp cận thông tin",
        "Tỉ lệ hộ gia đình được tiếp cận thông tin - Vùng sâu, vùng xa"]


def test_documents_read_row_by_row():
    """Appendix II as an English OCR pass over the page linearises it: a row's cells side by
    side over a few lines, its date, level and type on its middle line."""
    from pipeline.tables.appendix import parse_document_rows

    lines = list(enumerate([
        "(Kèm theo Báo cáo số 516/BC-UBND ngày 12/9/2025 của UBND tỉnh)",
        "TT Tên văn bản Số, ký hiệu Cơ quan chủ trì Cơ quan phối hợp Cấp ban hành Thời gian Loại văn bản",
        "Kế hoạch triển khai Nghị quyết số UBND Sở Lao động -",
        "2 |68/NQ-CP ngày 09/5/2024 của Chính {105/KH-UBND tỉnh Thương binh và Xã Tỉnh 17/6/2024 |Kế hoạch",
        "phủ hội",
        "Tăng cường phát triển người tham gia 08/CT-UBND UBND tỉnh BHXH tỉnh Tỉnh 15/5/2024 | Chỉ thị",
        "bảo hiểm xã hội",
        "Danh mục văn bản tiếp tục áp dụng",
        "6 |trong lĩnh vực chính sách 1287/QĐ-UBNDUBND tỉnh Sở Tư pháp Tỉnh | 7/2025 | Quyết dinh",
    ], start=1))
    docs = parse_document_rows(lines, "x.txt")
    assert [(d.no, d.code, d.level, d.issued_on, d.issued_on_raw, d.doc_type) for d in docs] == [
        ("2", "105/KH-UBND", "Tỉnh", "2024-06-17", "17/6/2024", "Kế hoạch"),
        ("2", "08/CT-UBND", "Tỉnh", "2024-05-15", "15/5/2024", "Chỉ thị"),
        ("6", "1287/QĐ-UBND", "Tỉnh", "2025-07", "7/2025", "Quyết định")]
    assert docs[0].title.startswith("Kế hoạch triển khai Nghị quyết số")
    assert "68/NQ-CP ngày 09/5/2024" in docs[0].title     # the title's own date is no row


def test_a_document_row_takes_its_own_code_and_a_title_opening_starts_a_row():
    from pipeline.tables.appendix import parse_document_rows, repair_doc_code

    lines = list(enumerate([
        "TT Tên văn bản Số, ký hiệu Cơ quan chủ trì Cơ quan phối hợp Cấp ban hành Thời gian Loại văn bản",
        "Kế hoạch số 95/KH-UBND ngày 05/7/2024 Các sở, ban, ngành;",
        "2 về triển khai thực hiện Nghị quyết số UBND tỉnh Gia Lai Tỉnh 05/7/2024 |Kế hoạch",
        "68/NQ-CP của Chính phủ trên địa bàn tỉnh",
        "Chỉ thị số 07/CT-UBND ngày 19/9/2024 về .",
        "4 tăng cường phát triển người tham gia UBND tỉnh BHXH tỉnh Tỉnh 19/9/2024 | Chỉ thị",
        "hiểm xã hội, bảo hiểm y tế",
        "Công văn số 86/UBND-VHXH ngày",
        "20/8/2025 của UBND xã Ia Pa về rà soát, Ủy ban MTTQ Xã 20/8/2025 Công văn",
        "cập nhật danh sách hộ nghèo",
        "Quy định mức hỗ trợ đóng bảo hiểm xã hội 17/2024/NQ-HDNBDND HĐND tỉnh Tỉnh 9/7/2024 | Nghị quyết",
    ], start=1))
    docs = parse_document_rows(lines, "x.txt")
    # the title's "Nghị quyết số 68/NQ-CP" is a reference; "Công văn số ..." opens its row
    assert [d.code for d in docs] == ["95/KH-UBND", "07/CT-UBND", "86/UBND-VHXH",
                                      "17/2024/NQ-HĐND"]
    assert docs[2].title.startswith("Công văn số") and "Công văn" not in docs[1].title
    # a row whose type cell OCR lost is found by its level before its date; its type is
    # the one its title opens with, or its code's; a title's wrapped "Nghị quyết số 68/NQ-CP"
    # opening a line stays with the title above
    docs = _doc_rows(
        "Chương trình hành động thực hiện : re ở",
        "1 nghị quyết số 42-NQ/TW của Ban 61-CTr/TU sự Tỉnh | 15/3/2024 a",
        "Kế hoạch số 318/KH-UBND ngày Sở Lao động - Thương",
        "19/6/2024 triển khai Chương trình hành UBND tỉnh bình và Xã hội Tỉnh 15/6/2024 | Kế hoạch",
        "động của Chính phủ ban hành kèm theo",
        "Nghị quyết số 68/NQ-CP",
        "Nghị quyết số 15/2024/NQ-HĐND quy",
        "định mức hỗ trợ đóng BHYT HĐND tỉnh Tỉnh 12/7/2024 | Nghị quyết")
    assert [(d.code, d.doc_type, d.level, d.issued_on) for d in docs] == [
        ("61-CTr/TU", "Chương trình hành động", "Tỉnh", "2024-03-15"),
        ("318/KH-UBND", "Kế hoạch", "Tỉnh", "2024-06-15"),
        ("15/2024/NQ-HĐND", "Nghị quyết", "Tỉnh", "2024-07-12")]
    assert docs[2].title.startswith("Nghị quyết số 15/2024/NQ-HĐND quy định")
    # the title's own code over a reference on the date line; a row whose type cell OCR
    # lost takes the code of the type its title opens with
    more = _doc_rows(
        "Kế hoạch số 214/KH-UBND ngày",
        "26/7/2024 của UBND tỉnh Tuyên Quang UBND tỉnh Tuyên Sở Lao động - Thương",
        "2 | thực hiện Nghị quyết số 68/NO-CP của Quang bình và Xã hội Tỉnh 26/7/2024 | Kế hoạch",
        "Chương trình hành động số 35-CTr/TU ngày",
        "02/4/2024 của Ban Thường vụ Tỉnh ủy Kiên eae ủy mẹ epics eee Tỉnh | 02/04/2024 pe",
        "Giang thực hiện Nghị quyết số 42-NQ/TW")
    assert [(d.code, d.doc_type) for d in more] == [
        ("214/KH-UBND", "Kế hoạch"), ("35-CTr/TU", "Chương trình hành động")]
    # (the first row's lead agency cell is unread: its issuer is the one its code names)
    assert [d.lead_agency for d in docs] == ["Tỉnh ủy", "UBND tỉnh", "HĐND tỉnh"]
    from pipeline.tables.appendix import issuer_of_code, level_of_agency

    # a level cell OCR lost is the lead agency's level
    assert [level_of_agency(a) for a in (
        "UBND tỉnh Hà Giang", "UBND huyện Tri Tôn", "UBND phường Châu Đốc", "Thành ủy Hải Phòng",
        "Sở Lao động - Thương binh và Xã hội", "Ban Thường vụ Tỉnh ủy", "")] == [
        "Tỉnh", "Huyện", "Xã", "Thành phố", "Sở", "Tỉnh", ""]
    lost = _doc_rows(
        "7 Bảo đảm chi trả trợ cấp cho đối tượng 1462/SNV-CTXH XS Nội vụ UBND các xã, ô. 4/7/2025 | Công văn")
    assert [(d.code, d.lead_agency, d.level) for d in lost] == [
        ("1462/SNV-CTXH", "Sở Nội vụ", "Sở")]
    # a date cell holding only the year, between the level and the type; a year in a title
    # ("giai đoạn 2024-2030", "năm 2025") is no date
    years = _doc_rows(
        "Kế hoạch tuyên truyền Nghị quyết số Sở Lao động - Báo Đồng Tháp;",
        "8 |42-NQ/TW và Nghị quyết số 97/KH-SLĐTBXH | Đài Phát thanh và Sở 2024 Kế hoạch",
        "68/NQ-CP trong năm 2025 hội Truyền hình tỉnh",
        "9 | Thực hiện giai đoạn 2024-2030 trên địa bàn 94/KH-UBND UBND huyện Huyện | 3/9/2024 | Kế hoạch")
    assert [(d.code, d.issued_on_raw, d.issued_on, d.level) for d in years] == [
        ("97/KH-SLĐTBXH", "2024", "2024", "Sở"), ("94/KH-UBND", "3/9/2024", "2024-09-03", "Huyện")]

    assert [issuer_of_code(c, lv) for c, lv in (
        ("97/KH-SLĐTBXH", "Sở"), ("1462/SNV-CTXH", "Sở"), ("105/KH-UBND", "Tỉnh"),
        ("23/2024/NQ-HĐND", "Huyện"), ("73-CTr/TU", "Thành phố"), ("86/UBND-VHXH", "Tỉnh"),
        ("12/KH-UBND", "Xã"), ("12/KH-UBND", ""), ("5/KH-BCĐ", "Tỉnh"),
        ("1201/BHXH-QLT", "Tỉnh"))] == [
        "Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ", "UBND tỉnh", "HĐND huyện",
        "Thành ủy", "UBND tỉnh", "", "", "", "BHXH tỉnh"]
    # the lead agency: the first agency after the code (not the title's "của UBND ..."),
    # its place when the domain list knows it, completed from the line below when wrapped
    from pipeline.tables.appendix import lead_agency

    assert lead_agency("5 | tăng cường phát triển người tham gia UBND tỉnh Hà Giang | BHXH "
                       "tỉnh Hà Giang Tỉnh") == "UBND tỉnh Hà Giang"
    assert lead_agency("26/7/2024 của UBND tỉnh Tuyên Quang UBND tỉnh Tuyển Số Lao động "
                       "Tỉnh") == "UBND tỉnh"
    assert lead_agency("trên địa bàn huyện giai đoạn 156/KH-UBND UBND huyện Tháp |-chồng "
                       "Huyện", "156/KH-UBND", "Mười xi -") == "UBND huyện Tháp Mười"
    assert lead_agency("ở nhà tạm 2156/QĐ-UBNDUBND tính Sở Xây dựng Tỉnh",
                       "2156/QĐ-UBND") == "UBND tỉnh"
    assert lead_agency("theo 27/2024/NQ-HDNHDND tính UBND tỉnh Tỉnh",
                       "27/2024/NQ-HDNHDND") == "HĐND tỉnh"
    assert lead_agency("2 | 96/KH-UBND | Số Lao động - Thương Huyện", "96/KH-UBND") == \
        "Sở Lao động - Thương binh và Xã hội"
    assert lead_agency("Quy định mức chuẩn trợ giúp xã hội trên địa bàn") == ""
    # a code's parts read back through eng-OCR's damage; unknown parts kept as printed
    assert [repair_doc_code(c) for c in ("1287/Qb-UBN", "246/KH-SLDTBXH", "07/2024/NQ-HPDND",
                                         "12/2024/QD-UBND", "41-CTr/TU", "2186/SLĐTBXH-YThuong")
            ] == ["1287/QĐ-UBND", "246/KH-SLĐTBXH", "07/2024/NQ-HĐND", "12/2024/QĐ-UBND",
                  "41-CTr/TU", "2186/SLĐTBXH-YThuong"]


def test_a_heading_wrapped_after_its_figure_or_after_a_full_row_is_a_parent():
    # "Chỉ tiêu số lượng trên 10.000" is no header line (a figure), "dân" goes on with it; a
    # heading after a row whose name ends on an open word ("... bình") still opens a row
    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4, "7 | Y tế",
        "Tuổi thọ trung bình Tuổi 74 75 74,7 74,8",
        "Chỉ tiêu số lượng trên 10.000",
        "dân",
        "Số giường bệnh Giường 29 32 33,0 34,8",
        "Chỉ tiêu số lượng trên",
        "10.000 dân",
        "Số bác sĩ Người 14 19 12,6 14,2",
        "Chỉ tiêu số lượng trên 10.000 | :",
        "dân",
        "Số giường bệnh Giường 29 32 33,0 34,8"], start=1)), [*GROUPS, "Y tế"])
    assert [r.indicator for r in rows] == [
        "Tuổi thọ trung bình", "Chỉ tiêu số lượng trên 10.000 dân",
        "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh",
        "Chỉ tiêu số lượng trên 10.000 dân",
        "Chỉ tiêu số lượng trên 10.000 dân - Số bác sĩ",
        "Chỉ tiêu số lượng trên 10.000 dân",      # dust after the figure
        "Chỉ tiêu số lượng trên 10.000 dân - Số giường bệnh"]
    assert rows[0].cells == ("74", "75", "74,7", "74,8") and rows[1].cells == ()


def test_m2_unit_printed_over_two_lines_above_and_beside_the_name():
    # the cell "m2 / sàn/người" is centred on the row: "m2" on the line above (with OCR dust
    # for the blank top of the name cell), "sàn/người" beside the name or on a line of its own
    assert _rows(
        "Diện tích nhà ở bình quân đầu m2",
        "người san/ngudi 25 30 27,6 28,1",
        "Thành thị ab 28 32 30,2 30,7",
        "sannguoi",
        "Re . m2 oe",
        "Nông thôn sin/ngutti 25 28 25,8 26,2",
    ) == [
        ("Diện tích nhà ở bình quân đầu người", "m2 sàn/người", ("25", "30", "27,6", "28,1")),
        ("Diện tích nhà ở bình quân đầu người - Thành thị", "m2 sàn/người",
         ("28", "32", "30,2", "30,7")),
        ("Diện tích nhà ở bình quân đầu người - Nông thôn", "m2 sàn/người",
         ("25", "28", "25,8", "26,2"))]


def test_trong_do_row_is_a_sub_row_and_level_cells_read_pair_by_pair():
    rows = _rows(
        "Tỉ lệ lao động qua đào tạo % 60 65 56,2 58,5",
        "Trong đó: có văn bằng, chứng chỉ % 30-35 35 24,6 26,1",
        "Phổ cập giáo dục THCS Mitc dé | Mic d6 2 | Mic dé 3 | Mic do 2 Mic do 2",
        "Xóa mù chữ Mttc dd | Mitc d62 | Mitc dO 1 | Mitc d6 2 | Mức độ",
    )
    assert rows[1][0] == "Tỉ lệ lao động qua đào tạo - Trong đó: có văn bằng, chứng chỉ"
    assert rows[2] == ("Phổ cập giáo dục THCS", "Mức độ",
                       ("Mức độ 2", "Mức độ 3", "Mức độ 2", "Mức độ 2"))
    assert rows[3] == ("Xóa mù chữ", "Mức độ", ("Mức độ 2", "Mức độ 1", "Mức độ 2", "Mức độ"))


def test_a_level_row_after_a_full_row_is_a_row_of_its_own_whatever_its_opening():
    # OCR garbled "Chuẩn" into a lowercase "em": the level cells still open a row and do not
    # replace the values of the row above
    rows = _rows(
        "Tỉ lệ trẻ em 6 tuổi vào lớp 1 % 99,5 100 99,82 99,85",
        "em phổ cập giáo dục trung học | gõ a | Mức độ 2 | Mức độ 3 | Mức độ 2 | Mức độ 2",
    )
    assert rows[0] == ("Tỉ lệ trẻ em 6 tuổi vào lớp 1", "%", ("99,5", "100", "99,82", "99,85"))
    assert len(rows) == 2 and rows[1][2] == ("Mức độ 2", "Mức độ 3", "Mức độ 2", "Mức độ 2")


def test_a_name_with_glued_words_is_read_as_the_catalog_name_it_spells():
    from pipeline.tables import unglue_names
    from pipeline.tables.catalog import load_catalog

    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Số căn hộ nhadxahoihoan thành Căn 3.500 12.000 1.086 1.620",
        "Mức giảm tiléhG ngheodachi€u bình quân % 1-1,5 1-1,5 1,93 1,41",
        "Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh % 75 85-90 78,4 80,2",
    ], start=1)), GROUPS)
    done = unglue_names(rows, load_catalog())
    assert done[0].indicator == "Số căn hộ nhà ở xã hội hoàn thành"
    assert any("'nhadxahoihoan'" in f for f in done[0].flags)
    # "đa chiều" is in no catalog name: the name stays as read, not made another entry's
    assert done[1].indicator == rows[1].indicator and done[1].flags == rows[1].flags
    assert done[2] == rows[2]      # nothing glued: left alone


def test_a_garbled_opening_is_completed_from_the_catalog_only_when_its_end_is_one_entrys():
    from pipeline.tables import complete_garbled_names
    from pipeline.tables.catalog import load_catalog

    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "pradeagepnupenemntie tiêm chủng đầy đủ % >= 95 >= 95 96,8 97",
        "eee còi của trẻ em dưới 5 tuổi % <15 <12 15,9 15,2",
        "eee ee ee thẻ bảo hiểm y tế % 100 100 100 100",
        "Tỉ lệ người có công được hưởng trợ cấp ưu đãi % 100 100 100 100",
        "a ee ee % 80 100 76,3 81,5",
        "Internet băng rộng cáp quang",
    ], start=1)), GROUPS)
    done = complete_garbled_names(rows, load_catalog())
    assert [r.indicator for r in done][:4] == [
        "Tỉ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ",
        "Tỉ lệ suy dinh dưỡng thể thấp còi của trẻ em dưới 5 tuổi",
        "eee ee ee thẻ bảo hiểm y tế",   # the end of more than one entry's name
        "Tỉ lệ người có công được hưởng trợ cấp ưu đãi"]    # no junk: left as read
    assert any("'pradeagepnupenemntie' completed from the catalog" in f for f in done[0].flags)
    assert done[0].cells == (">=95", ">=95", "96,8", "97")
    # a garbled name's readable last line goes on with it (no row of its own)
    assert len(done) == 5 and done[4].indicator.endswith("Internet băng rộng cáp quang")


def test_a_result_for_the_target_year_in_a_report_of_that_year_is_its_estimate():
    from pipeline.tables.appendix import GROUP_HINT, header_columns

    head = ("(Kèm theo Báo cáo số 527/BC-UBND ngày 19/9/2025 của UBND tỉnh) Mục tiêu Kết quả "
            "Chỉ tiêu | Kế hoạch | Thực hiện | Ước thực hiện năm 2025 | năm 2024 | 2025")
    assert [c.name for c in header_columns(head, 3)] == [
        "target_2025", "actual_2024", "estimate_2025"]
    # read in printed order, a result reaches the horizon only in a report of that year
    from pipeline.tables.appendix import _columns_in_order
    assert [c.name for c in _columns_in_order([2025, 2024, 2025], False, 2025)] == [
        "target_2025", "actual_2024", "estimate_2025"]
    assert _columns_in_order([2025, 2024, 2025], False) is None
    assert _columns_in_order([2030, 2024, 2030], False, 2025) is None
    # a Roman numeral stands apart from its group's name: "XAHOI" is no group X
    assert GROUP_HINT.match("XAHOI ~") is None and GROUP_HINT.match("X. Nước sạch")


def test_a_roman_numeral_glued_to_its_group_name_only_when_the_rest_is_that_name():
    from pipeline.tables.appendix import _is_group_heading

    groups = [("6", "Giáo dục"), ("7", "Y tế")]
    assert _is_group_heading("VI | Giáo dục", groups, 5) == ("VI", "Giáo dục")
    assert _is_group_heading("Với giáo dục", groups, 5) == ("V", "ới giáo dục")
    assert _is_group_heading("XAHOI ~", groups, 5) is None
    assert _is_group_heading("Internet băng rộng", groups, 5) is None


def test_policy_area_headings_named_the_provinces_own_way():
    from pipeline.tables.appendix import _is_group_heading

    groups = [("2", "Lao động, việc làm, phát triển thị trường lao động"),
              ("3", "Phát triển nguồn nhân lực"), ("6", "Giáo dục"), ("7", "Y tế")]
    assert _is_group_heading("III Giáo dục nghề nghiệp, nâng cao chất lượng nguồn nhân lực",
                             groups, 2) == ("III", "Giáo dục nghề nghiệp, nâng cao chất lượng nguồn nhân lực")
    # the number lost
    assert _is_group_heading("Giảm nghèo bền vững", groups, 4) == ("", "Giảm nghèo bền vững")
    assert _is_group_heading("Y tế và chăm sóc sức khỏe nhân dân", groups, 6)[1].startswith("Y tế")
    # an indicator's opening is no heading
    for row in ("Tỉ lệ hộ nghèo", "Số lao động được giải quyết việc làm", "Trẻ em dưới 5 tuổi"):
        assert _is_group_heading(row, groups, 4) is None


def test_area_sub_rows_named_by_their_people_or_height():
    rows = _rows(
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều",
        "Vùng đồng bào DTTS % <15 <8 17,36 13,9",
        "Các vùng còn lại % <3 <1,5 2,02 1,68",
        "Tỉ lệ dân số được sử dụng nước sạch % 90 95 91,2 92",
        "Vùng cao % 85 90 80,4 82,1",
        "Tỉ lệ hộ nghèo phân theo vùng",
        "Vùng dùng bào Khmer % >10 <=3 6,12 5,1")      # "đồng" read as "dùng"
    assert [r[0] for r in rows] == [
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều",
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều - Vùng đồng bào DTTS",
        "Tỉ lệ hộ nghèo theo chuẩn nghèo đa chiều - Các vùng còn lại",
        "Tỉ lệ dân số được sử dụng nước sạch",
        "Tỉ lệ dân số được sử dụng nước sạch - Vùng cao",
        "Tỉ lệ hộ nghèo phân theo vùng", "Tỉ lệ hộ nghèo phân theo vùng - Vùng dùng bào Khmer"]


def test_a_garbled_parent_is_named_by_its_sub_rows_and_unit():
    from pipeline.tables import name_parents_by_children
    from pipeline.tables.catalog import load_catalog

    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Diện tích nhà ở bình quân đầu",
        "Ai m2 sàn/người 24,8 27,5 31,3 32",
        "Nông thôn m2 sàn/người 23,9 29,1 25,8 25",
        "Thành thị sàn/ngữ m2 sàn/người 30,4 30,0 29,8 30",
        "Ee a % 3 3 2,9 2,8",
        "Thành thị % 4 3 3,1 3",
        "Nông thôn % 2 2 1,5 1,4",
    ], start=1)), GROUPS)
    assert [r.indicator for r in rows][:2] == ["Diện tích nhà ở bình quân đầu", "Ai"]
    done = name_parents_by_children(rows, load_catalog())
    names = [r.indicator for r in done]
    # the name's first line joins the row its garbled last line parted it from
    assert names[:3] == ["Diện tích nhà ở bình quân đầu người",
                         "Diện tích nhà ở bình quân đầu người - Nông thôn",
                         "Diện tích nhà ở bình quân đầu người - Thành thị"]
    assert done[0].cells == ("24,8", "27,5", "31,3", "32") and len(done[0].lines) == 2
    assert any("'Ai' read from its sub-rows" in f for f in done[1].flags)
    # Thành thị / Nông thôn in % are the sub-rows of more than one entry: left as read
    assert names[3:] == ["Ee", "Ee - Thành thị", "Ee - Nông thôn"]


def test_a_unit_ocr_lost_is_the_parent_rows_or_the_catalogs(tmp_path):
    """Legacy text: a sub-row without its unit takes its parent's, another row its catalog
    entry's; both flagged. The unit then lets the cells be read (a percent's decimal comma)."""
    from pipeline.process import process_document

    src = tmp_path / "bao-cao.txt"
    lines = [
        "UY BAN NHAN DAN TINH BEN TRE",
        "Phu luc I",
        "CAC CHI TIEU CHU YEU",
        "Chi tieu Don vi Den nam 2025 Den nam 2030 Nam 2024 Uoc nam 2025",
        "1 | Uu dai nguoi co cong",
        ("Ti le ho gia dinh nguoi co cong co muc song bang hoac cao hon muc song trung binh "
         "cua dan cu noi cu tru 100 100 99,6 99,8"),
        "2 | Lao dong, viec lam",
        "Ti le that nghiep chung % <4 <3 3,2 3,1",
        "Thanh thi <4 <3 3,5 3,4",
        "Nong thon % <3 <2 2,1 2,0",
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = {r.indicator: r for r in process_document(src, "bao-cao").indicators}
    first = next(r for name, r in rows.items() if name.startswith("Tỉ lệ hộ gia đình"))
    assert first.unit == "%" and "unit lost in OCR: the catalog's" in first.flags
    urban = rows["Tỉ lệ thất nghiệp chung - Thành thị"]
    assert urban.unit == "%" and "unit lost in OCR: the parent row's" in urban.flags
    rural = rows["Tỉ lệ thất nghiệp chung - Nông thôn"]
    assert rural.unit == "%" and not any("unit lost" in f for f in rural.flags)


def test_a_name_garbled_around_a_readable_run_is_read_as_the_one_catalog_name_of_the_run():
    from pipeline.tables import name_by_catalog_run
    from pipeline.tables.catalog import load_catalog

    _, rows = parse_indicator_lines(list(enumerate([
        HEAD4,
        "Bỵ a deals em văn bằng, chứng chỉ % 25,6 27,3 31,4 28-30",
        "eee i nông thôn được sử dụng nước % 100 92,6 94 95",
        "Trong đó, các huyện nghèo %/năm 4-5 - - -",
        "Tỉ lệ dân số được phủ sóng di động % 100 100 100 100",
        "Bê tông nông venleD trong tổng số lao động có việc làm % 40 35 36 37",
        "Tỉ lệ dân số nông thôn được sử dụng nước hợp vệ sinh % 60 70 55 58",
        "Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh eter ea eee 79% độ 99% độ đồ % 90 95 93 92",
        ("Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh tại các thôn bản vùng cao biên giới phía Bắc"
         " % 90 95 93 92"),
    ], start=1)), GROUPS)
    catalog = load_catalog()
    done = name_by_catalog_run(rows, catalog)
    assert done[0].indicator == "Tỉ lệ lao động qua đào tạo có văn bằng, chứng chỉ"
    assert any("'Bỵ a deals em văn bằng, chứng chỉ'" in f for f in done[0].flags)
    assert done[0].cells == rows[0].cells
    # the one entry of "nông thôn được sử dụng nước" is the last row's: a table names an
    # indicator once, so the garbled row is left as read
    assert done[1] == rows[1]
    alone = name_by_catalog_run(rows[:5], catalog)
    assert alone[1].indicator == "Tỉ lệ dân số nông thôn được sử dụng nước hợp vệ sinh"
    # words of another name next to the run where the entry's go on: not the entry
    assert done[2] == rows[2] and done[3] == rows[3]
    # outside the run, "tông" and "nông" are words no entry's name has there
    assert done[4] == rows[4]
    # a whole name, then the cells' dust: the entry's; a whole name going on in words: not
    assert done[6].indicator == "Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh"
    assert name_by_catalog_run(rows[7:], catalog) == rows[7:]
    from dataclasses import replace

    # a count in a name is no cell's figure: "... với 14 loại vắc xin" is another name
    counted = replace(rows[0], indicator="Tỉ lệ tiêm chủng mở rộng với 14 loại Vắc Xin")
    assert name_by_catalog_run([counted], catalog) == [counted]
    # " - " in the dust is no parent's: the whole name is read, not what follows the dash
    dusty = replace(rows[0], indicator="eee ee có nhà tiêu hợp vệ sinh 7 zB - a ea")
    assert name_by_catalog_run([dusty], catalog)[0].indicator == \
        "Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh"


def test_a_garbled_name_is_read_as_the_one_entry_left_in_its_group_that_shares_its_words():
    from dataclasses import replace

    from pipeline.tables import name_by_group_entry
    from pipeline.tables.appendix import ParsedRow
    from pipeline.tables.catalog import load_catalog

    catalog = load_catalog()
    groups = sorted({(int(e.group_no), e.group) for e in catalog.entries})
    groups = [(str(no), name) for no, name in groups]

    def row(group_no, group, name, unit, line):
        return ParsedRow(group_no, group, name, unit, ("276", "1.053", "476", "-"), (line,), ())

    housing = [
        row("IX", "Nha@é", "Số căn hộ nhà ở xã hội hoàn thành", "Căn", 1),
        # the heading garbled, but its number is the group's; noise before "với cách mạng"
        row("IX", "Nha@é", "Bảy em ai cộng với cách mạng", "Căn", 2),
        # one word shared is too little
        row("IX", "Nha@é", "Cả xe thành", "Căn", 3),
    ]
    done = name_by_group_entry(housing, catalog, groups)
    assert done[1].indicator == ("Số căn nhà ở người có công với cách mạng được hỗ trợ xây "
                                 "mới, sửa chữa")
    assert any("'Bảy em ai cộng với cách mạng'" in f for f in done[1].flags)
    assert done[1].cells == housing[1].cells
    assert done[0] == housing[0] and done[2] == housing[2]
    # the entry is another row's: a table names an indicator once
    named = replace(housing[0], indicator=done[1].indicator)
    assert name_by_group_entry([named, housing[1]], catalog, groups)[1] == housing[1]
    # a heading that names no group, and a unit the entry lacks
    assert name_by_group_entry([replace(housing[1], group="Ab")], catalog, groups)[0].flags == ()
    assert name_by_group_entry([replace(housing[1], unit="%")], catalog, groups)[0].flags == ()

    culture = "Phát triển văn hóa và thông tin, truyền thông"
    rows = [
        row("VIII", culture, "Xe cũ ở đỉnh dutge công nhận gia đình văn hóa", "%", 1),
        # legible words of another name after the shared ones: a name the catalog lacks
        row("VIII", culture, "Xe cũ em dân cư được phủ sóng di động", "%", 2),
        # region dust, not a name
        row("VIII", culture, "81,9% độ thủ đô thị", "%", 3),
        # a name that opens as a sub-row's label is legible
        row("V", "Trợ giúp xã hội và giảm nghèo", "Trong đó, các huyện nghèo", "%/năm", 4),
    ]
    done = name_by_group_entry(rows, catalog, groups)
    # the entry's variant that shares the words, the wording closest to what was printed
    assert done[0].indicator == "Tỉ lệ hộ gia đình được công nhận gia đình văn hóa"
    assert done[1:] == rows[1:]
    # no values: a heading's or a parent's line, left alone
    bare = replace(rows[0], cells=("", "", "", ""))
    assert name_by_group_entry([bare], catalog, groups) == [bare]


def test_the_year_of_so_voi_nam_wrapped_below_the_values_is_the_names():
    rows = _rows("Thu nhập bình quân đầu người", "của hộ nghèo tăng so với năm Lần 1,39 1,65 2,0 1,8",
                 "2020", "Tỉ lệ hộ nghèo % 2,87 2,14 1,49 <2")
    assert rows[0] == ("Thu nhập bình quân đầu người của hộ nghèo tăng so với năm 2020", "Lần",
                       ("1,39", "1,65", "2,0", "1,8"))
    # a lone year after a name that does not end in "năm" is no name's
    rows = _rows("Số lao động được tạo việc làm Người 1.200 1.300 1.250 1.400", "2020")
    assert rows[0][0] == "Số lao động được tạo việc làm"


def test_a_dash_ending_a_wrapped_names_line_is_dust_when_the_units_line_holds_all_values():
    rows = _rows("Tỉ lệ lực lượng lao động trong -",
                 "độ tuổi tham gia BHXH % 16,4 17,5 18,7 3d")
    assert rows[0] == ("Tỉ lệ lực lượng lao động trong độ tuổi tham gia BHXH", "%",
                       ("16,4", "17,5", "18,7", "3d"))
    # with a value short, the dash may be the first cell's: it stays
    rows = _rows("Tỉ lệ lực lượng lao động trong -", "độ tuổi tham gia BHXH % 17,5 18,7 19,6")
    assert rows[0][2] == ("-", "17,5", "18,7", "19,6")


def test_a_value_ocr_broke_into_words_after_a_unit_word_is_one_unreadable_cell():
    # the unit column's capitalised word, values at both ends of the region and junk
    # between them: the junk is one cell, kept as read (flagged), not dropped
    rows = _rows("Tuổi thọ bình quân Tuổi 73 75 y di Be 74,2",
                 "Tỉ lệ hộ nghèo % <5 3,2 a b c")
    assert rows[0] == ("Tuổi thọ bình quân", "Tuổi", ("73", "75", "y di Be", "74,2"))
    # two runs of junk that could be the one cell: left to the usual fitting
    assert rows[1][2][:2] == ("<5", "3,2")


def test_a_unit_wrapped_over_three_lines_stays_out_of_the_names_above_and_below():
    # "Bé" / "trai/100 bé" / "gái": the first word on the line above (after the row above,
    # with dust), the middle beside the name (a "}" or a lone "+" after it), the last below
    rows = _rows(
        "Tỉ lệ suy dinh dưỡng thể thấp còi của trẻ em dưới 5 tuổi % <19 <15 27,8 23,4",
        ". Bé",
        "Tỉ số giới tính khi sinh trai/100 bé| + <=94 <=110 120,9 117,9",
        "gai ;",
        "Tổng tỉ suất sinh Con 2,1 2,1 2,38 2,12",
        "Tỉ số giới tính khi sinh trai/100 bé} 118,2 94,1 126,0 94,0",
        "gai -")
    assert rows == [
        ("Tỉ lệ suy dinh dưỡng thể thấp còi của trẻ em dưới 5 tuổi", "%",
         ("<19", "<15", "27,8", "23,4")),
        ("Tỉ số giới tính khi sinh", "Bé trai/100 bé gái", ("<=94", "<=110", "120,9", "117,9")),
        ("Tổng tỉ suất sinh", "Con", ("2,1", "2,1", "2,38", "2,12")),
        ("Tỉ số giới tính khi sinh", "Bé trai/100 bé gái", ("118,2", "94,1", "126,0", "94,0"))]
    from pipeline.tables.catalog import normalize_unit

    # the catalog's "Số bé trai/100 bé gái" is the same unit
    assert normalize_unit("Số bé trai/100 bé gái") == normalize_unit("Bé trai/100 bé gái")
    assert normalize_unit("Số") == "số"


def test_documents_cited_in_the_reports_text_complete_rows_ocr_garbled():
    from pipeline.tables.appendix import Citation, body_citations, cite_documents

    body = ("Ngày 17/7/2024, UBND tỉnh Tuyên Quang ban hành Kế hoạch số 214/KH-UBND ngày "
            "17/7/2024 và Chỉ thị số 08 /CT-UBND ngày 12/9/2024 của Ủy ban nhân dân tỉnh "
            "Tuyên Quang; HĐND tỉnh thông qua Nghị quyết số 17/2024/NQ-HĐND ngày 10/12/2024 "
            "và Nghị quyết số 09/2025/NQ-HĐND. Ủy ban nhân dân tỉnh Tuyên Quang ban hành Quyết "
            "định số 1468/QĐ-UBND ngày 28/7/2025 về danh mục văn bản.")
    cited = body_citations(body)
    assert cited == {"214/KH-UBND": Citation("17/7/2024", "UBND tỉnh Tuyên Quang"),
                     "08/CT-UBND": Citation("12/9/2024", "UBND tỉnh Tuyên Quang"),
                     "17/2024/NQ-HĐND": Citation("10/12/2024", "HĐND tỉnh"),
                     "09/2025/NQ-HĐND": Citation(),
                     "1468/QĐ-UBND": Citation("28/7/2025", "UBND tỉnh Tuyên Quang")}
    rows = _doc_rows(
        "Kế hoạch triển khai Chương trình hành 4ncH-UBND | Tỉnh | 17/7/2024 | Kế hoạch",
        "Tăng cường phát triển người tham gia 96/GI-UBND | UBND tỉnh | Tỉnh | 12/9/2024 | Chỉ thị",
        "Quy định mức chuẩn trợ giúp xã hội 954/Q-HĐND | HĐND tỉnh | Tỉnh | 10/12/2024 | Nghị quyết",
        "Rà soát danh sách hộ nghèo 2186/SLĐTBXH-VL | Sở | 06/11/2024 | Công văn",
        "Danh mục văn bản tiếp tục áp dụng 1468/QĐ-UBND | ; | Tỉnh | 98/7/2025 | Quyết định",
    )
    assert [r.code for r in rows] == ["", "96/GI-UBND", "954/Q-HĐND", "2186/SLĐTBXH-VL",
                                      "1468/QĐ-UBND"]
    done = cite_documents(rows, cited)
    assert [r.code for r in done] == ["214/KH-UBND", "08/CT-UBND", "17/2024/NQ-HĐND",
                                      "2186/SLĐTBXH-VL", "1468/QĐ-UBND"]
    assert "(the cell read '96/GI-UBND')" in done[1].flags[0]
    # a lead agency's cell unread: the issuer the text names with the code; a lead read from
    # its cell stays as printed (the text's "… tỉnh Tuyên Quang" is not added to it)
    assert done[0].lead_agency == "UBND tỉnh Tuyên Quang"
    assert done[1].lead_agency == "UBND tỉnh"
    # ... over the issuer the code names, which holds no place
    assert rows[4].lead_agency == "UBND tỉnh" and "as the code 1468/QĐ-UBND" in rows[4].flags[0]
    assert done[4].lead_agency == "UBND tỉnh Tuyên Quang"
    assert not any("as the code" in f for f in done[4].flags)
    # a clean code the text does not cite is the row's own, whatever the date
    assert done[3] == rows[3]
    # a date OCR garbled: the date its code is cited with
    assert (done[4].issued_on, done[4].issued_on_raw) == ("2025-07-28", "28/7/2025")
    assert any("(the cell read '98/7/2025')" in f for f in done[4].flags)
    # a date in words; an issuer named twice, once with its place: the fuller; two issuers:
    # none
    assert body_citations(
        "HĐND tỉnh ban hành Nghị quyết số 41/2024/NQ-HĐND ngày 10 tháng 12 năm 2024 của HĐND "
        "tỉnh Thanh Hóa. Kế hoạch số 5/KH-UBND ngày 3/4/2024 của UBND tỉnh Thanh Hóa; UBND "
        "huyện Bá Thước ban hành Kế hoạch số 5/KH-UBND.") == {
        "41/2024/NQ-HĐND": Citation("10/12/2024", "HĐND tỉnh Thanh Hóa"),
        "5/KH-UBND": Citation("3/4/2024", "")}
    # two codes of the row's type cited with its date: neither is taken
    twin = cite_documents([rows[0]], {"214/KH-UBND": Citation("17/7/2024"),
                                      "215/KH-UBND": Citation("17/7/2024")})
    assert twin == [rows[0]]
