"""Table geometry: born-digital PDF tables and scanned ruling-line grids → Table."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.tables.grid import (
    Grid,
    GridCell,
    find_table_grids,
    join_cell_lines,
    tables_from_image,
    tables_from_pdf_page,
    tesseract_cell_ocr,
)

DATA = Path(__file__).parent / "data" / "tables"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")

HEADER = [["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu Nghị quyết", None, "Kết quả", None],
          [None, None, None, "Đến năm 2025", "Đến năm 2030", "Năm 2024", "Đến 2025 (dự kiến)"]]
BODY = [["1", "Ưu đãi người có công với cách mạng", None, None, None, None, None],
        ["", "Tỉ lệ người có công và gia đình có mức sống từ trung bình khá trở lên so với "
             "mức sống của cộng đồng dân cư nơi cư trú", "%", "-", "100", "98,5", "99"],
        ["", "Tỉ lệ nhà ở kiên cố", "%", "-", "85-90", "", ""],
        ["", "Thành thị", "%", "-", ">= 95", "1.146", "Giải quyết cơ bản"]]
SPANS = [(0, 0, 0, 1), (1, 0, 1, 1), (2, 0, 2, 1), (3, 0, 4, 0), (5, 0, 6, 0), (1, 2, 6, 2)]


@pytest.mark.parametrize("raw, joined", [
    ("Đến năm\n2025", "Đến năm 2025"),
    ("Giải\nquyết cơ\nbản", "Giải quyết cơ bản"),
    ("Kế hoạch số 146/KH-\nUBND", "Kế hoạch số 146/KH- UBND"),   # uppercase next: a space
    ("tỉ lệ 35-\n40", "tỉ lệ 35-40"),
    ("kinh tế -\nxã hội", "kinh tế - xã hội"),                  # a spaced dash keeps its space
    ("  a  \n\n b ", "a b"),
    ("", ""),
])
def test_join_cell_lines(raw, joined):
    assert join_cell_lines(raw) == joined


def _render_pdf() -> bytes:
    reportlab = pytest.importorskip("reportlab")
    del reportlab
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    if not (FONT_DIR / "LiberationSerif-Regular.ttf").exists():
        pytest.skip("fonts-liberation2 not installed")
    pdfmetrics.registerFont(TTFont("LibSerif", str(FONT_DIR / "LiberationSerif-Regular.ttf")))
    style = ParagraphStyle("c", fontName="LibSerif", fontSize=11, leading=13)
    data = [[Paragraph(c, style) if c else "" for c in row] for row in HEADER + BODY]
    t = Table(data, colWidths=[28, 190, 50, 55, 55, 55, 70])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black)]
                          + [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in SPANS]))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, invariant=1).build([t])
    return buf.getvalue()


def test_tables_from_pdf_page_cells_and_spans():
    import pdfplumber

    with pdfplumber.open(io.BytesIO(_render_pdf())) as pdf:
        tables = tables_from_pdf_page(pdf.pages[0], 1)
    assert len(tables) == 1
    t = tables[0]
    assert (t.n_rows, t.n_cols, t.page, t.source) == (6, 7, 1, "pdf")
    by_pos = {(c.row, c.col): c for c in t.cells}
    # Every grid position covered exactly once.
    covered = sorted((r, k) for c in t.cells for r in range(c.row, c.row + c.rowspan)
                     for k in range(c.col, c.col + c.colspan))
    assert covered == [(r, k) for r in range(6) for k in range(7)]
    spans = {(c.row, c.col, c.rowspan, c.colspan) for c in t.cells
             if c.rowspan > 1 or c.colspan > 1}
    assert spans == {(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 1, 2), (0, 5, 1, 2),
                     (2, 1, 1, 6)}
    for r, row in enumerate(HEADER + BODY):
        for k, text in enumerate(row):
            if text is not None:
                assert by_pos[(r, k)].text == text, (r, k)
    assert by_pos[(4, 5)].text == "" and by_pos[(4, 5)].confidence == 1.0
    x0, y0, x1, y1 = by_pos[(2, 1)].bbox
    assert x1 - x0 > 300 and y1 > y0


def test_find_table_grids_on_a_degraded_rotated_scan():
    # A 300 dpi synthetic scan rotated by about 1.2°, with noise, blur, specks and JPEG.
    image = Image.open(DATA / "da-nang-appendix1-top.jpg")
    grids = find_table_grids(image)
    assert len(grids) == 1
    g = grids[0]
    assert isinstance(g, Grid)
    assert 1.0 < abs(g.rotation) < 1.4
    assert (g.n_rows, g.n_cols) == (5, 7)
    merged = {(c.row, c.col, c.rowspan, c.colspan) for c in g.cells
              if c.rowspan > 1 or c.colspan > 1}
    assert merged == {(0, 0, 2, 1), (0, 1, 2, 1), (0, 2, 2, 1), (0, 3, 1, 2), (0, 5, 1, 2),
                      (2, 1, 1, 6)}
    assert sum(c.rowspan * c.colspan for c in g.cells) == 5 * 7
    assert all(isinstance(v, int) for v in g.row_bounds + g.col_bounds)


def test_tables_from_image_crops_cells_and_skips_blank_ones():
    image = Image.open(DATA / "da-nang-appendix1-top.jpg")
    seen: list[tuple[int, int]] = []

    def fake_ocr(img: Image.Image) -> tuple[str, float]:
        a = np.asarray(img.convert("L"))
        # Cropped inside the ruling lines: no full-height or full-width dark line left.
        assert not ((a < 128).mean(axis=0) > 0.9).any()
        assert not ((a < 128).mean(axis=1) > 0.9).any()
        seen.append(img.size)
        return f"cell{len(seen)}\n", 0.5

    (t,) = tables_from_image(image, 6, fake_ocr)
    assert (t.n_rows, t.n_cols, t.source, t.page) == (5, 7, "scan", 6)
    by_pos = {(c.row, c.col): c for c in t.cells}
    assert by_pos[(3, 0)].text == "" and by_pos[(3, 0)].confidence == 1.0   # blank TT cell
    assert by_pos[(3, 3)].text == "-"                                      # dash by shape
    assert by_pos[(0, 0)].text.startswith("cell") and by_pos[(0, 0)].confidence == 0.5
    assert by_pos[(0, 3)].colspan == 2
    # 35 positions, 25 cells (three 2-row, two 2-column and one 6-column merges); the blank
    # TT cells of the two indicator rows are not sent to OCR, nor is a lone dash.
    assert len(t.cells) == 25
    assert [c.text for c in t.cells].count("") == 2
    assert len(seen) == sum(c.text.startswith("cell") for c in t.cells) <= 25 - 2 - 2


def test_find_table_grids_on_a_blank_page():
    assert find_table_grids(Image.new("L", (1240, 1754), 255)) == []


def test_grid_cell_box():
    g = Grid((10, 50, 90), (0, 100, 200, 300), (GridCell(0, 0, 1, 3), GridCell(1, 0),
                                                 GridCell(1, 1, 1, 2)))
    assert (g.n_rows, g.n_cols, g.bbox) == (2, 3, (0, 10, 300, 90))
    assert g.cell_box(g.cells[0]) == (0, 10, 300, 50)
    assert g.cell_box(g.cells[2]) == (100, 50, 300, 90)


@pytest.fixture
def appendix_top_vie():
    """The top of a scanned Phụ lục I, for tests that run Tesseract vie on it."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed")
    pytesseract = pytest.importorskip("pytesseract")
    if "vie" not in pytesseract.get_languages(config=""):
        pytest.skip("no vie model")
    return Image.open(DATA / "da-nang-appendix1-top.jpg")


def test_tesseract_reads_header_cells(appendix_top_vie):
    image = appendix_top_vie
    calls = 0

    def header_only(img: Image.Image) -> tuple[str, float]:
        nonlocal calls
        calls += 1
        return tesseract_cell_ocr(img) if calls <= 5 else ("", 0.0)

    (t,) = tables_from_image(image, 1, header_only)
    by_pos = {(c.row, c.col): c for c in t.cells}
    assert by_pos[(0, 3)].text == "Mục tiêu Nghị quyết"
    assert by_pos[(0, 5)].text == "Kết quả"
    assert by_pos[(0, 2)].text == "Đơn vị tính"
    assert 0.5 < by_pos[(0, 3)].confidence <= 1.0


def test_operator_space_from_glyph_gaps():
    from pipeline.tables.grid import _operator_space

    glyphs = np.zeros((20, 120), dtype=bool)
    glyphs[5:15, 0:10] = True        # ">"
    glyphs[5:15, 13:23] = True       # "="
    glyphs[5:15, 40:50] = True       # "9", after a word space (17 px at 300 dpi)
    glyphs[5:15, 53:63] = True       # "5"
    assert _operator_space(">=95", glyphs, 300) == ">= 95"
    tight = np.zeros((20, 60), dtype=bool)
    tight[5:15, 0:10] = tight[5:15, 13:23] = tight[5:15, 26:36] = tight[5:15, 39:49] = True
    assert _operator_space(">= 95", tight, 300) == ">=95"
    assert _operator_space("Hoàn thành", tight, 300) == "Hoàn thành"


# --- all cells of a table in one Tesseract run (mosaic) -----------------------------------

def test_cells_mosaic_stacks_cells_in_bands_and_maps_words_back():
    from types import SimpleNamespace as W

    from pipeline.tables.grid import cells_mosaic, mosaic_lines_to_cells

    images = [Image.new("L", (120, 40), 0), Image.new("L", (300, 80), 0),
              Image.new("L", (50, 30), 0)]
    mosaic, bands = cells_mosaic(images, gap=20)
    assert bands == [(20, 60), (80, 160), (180, 210)]
    assert mosaic.size == (300 + 40, 20 + 60 + 100 + 50)
    a = np.asarray(mosaic)
    assert a[20:60, 20:140].max() == 0 and a[60:80].min() == 255    # ink in bands, white gaps

    def word(text, left, top, conf=0.9):
        return W(text=text, conf=conf, left=left, top=top, width=30, height=20)

    # Tesseract's line 2 runs over two bands; a word drawn in a gap goes to the nearer band.
    lines = [W(words=(word("Tỉ", 20, 82), word("lệ", 60, 82))),
             W(words=(word("nghèo", 20, 120, 0.5), word("12,5", 20, 185))),
             W(words=(word("x", 100, 58),))]
    assert mosaic_lines_to_cells(lines, bands) == [
        ("x", 0.9), ("Tỉ lệ\nnghèo", pytest.approx(0.7667, abs=1e-3)), ("12,5", 0.9)]
    assert mosaic_lines_to_cells([], bands) == [("", 0.0)] * 3


def test_mosaic_reads_the_same_cells_as_one_run_per_cell(appendix_top_vie):
    image = appendix_top_vie
    (mosaic,) = tables_from_image(image, 1)
    (single,) = tables_from_image(image, 1, tesseract_cell_ocr)
    assert [(c.row, c.col, c.text) for c in mosaic.cells] == \
        [(c.row, c.col, c.text) for c in single.cells]
    by_pos = {(c.row, c.col): c.text for c in mosaic.cells}
    # short numeric cells, a dash, an empty cell, a wrapped name
    assert (by_pos[(3, 5)], by_pos[(3, 6)], by_pos[(4, 5)]) == ("98,5", "99", "12,4")
    assert (by_pos[(3, 3)], by_pos[(3, 0)], by_pos[(3, 2)]) == ("-", "", "%")
    assert by_pos[(4, 1)].endswith("xác định danh tính")


def test_numeric_like_readings():
    from pipeline.tables.grid import _numeric_like

    assert _numeric_like("94,17%") and _numeric_like("<=6§5")
    assert not _numeric_like("2J1") and not _numeric_like("17/6/2024")
    assert not _numeric_like("Năm 2024")


def _text_page() -> Image.Image:
    from PIL import ImageDraw, ImageFont

    im = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 50)
    for i in range(40):
        draw.text((200, 200 + 75 * i), "Kết quả thực hiện Nghị quyết số 42-NQ/TW — " * 2,
                  font=font, fill=0)
    draw.line((200, 3300, 2280, 3300), fill=0, width=3)     # one rule is not a table
    im.info["dpi"] = (300, 300)
    return im


def test_quick_table_check_before_the_grid_search():
    from pipeline.tables.grid import analyse_page, blank_tables, might_have_tables

    if not (FONT_DIR / "LiberationSerif-Regular.ttf").exists():
        pytest.skip("fonts-liberation2 not installed")
    image = Image.open(DATA / "da-nang-appendix1-top.jpg")     # skewed 1.2°, noisy
    assert might_have_tables(image)
    assert not might_have_tables(Image.new("L", (1240, 1754), 255))
    assert not might_have_tables(_text_page())
    # the table blanked out for the body-text pass: no line of it left
    blanked = blank_tables(image, analyse_page(image))
    assert not might_have_tables(blanked) and find_table_grids(blanked) == []
    assert blanked.size == image.size and blanked.mode == image.mode
