"""OCR stage: TSV parsing, reading order, page preparation, PDF triage, TIFF frames, page
failures, missing dependencies, searchable PDF. Most tests replay saved Tesseract TSV
(tests/data/ocr/); the few marked ``tesseract`` run the real binary on small images."""
from __future__ import annotations

import io
import shutil
from dataclasses import replace

import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import DATA, FONT
from pipeline.errors import InputFileError, MissingDependencyError, OcrError
from pipeline.ingest import read_image, read_pdf
from pipeline.models import Token
from pipeline.ocr import (PageSource, check_tesseract, ocr_image, ocr_sources,
                          parse_tesseract_tsv, require_ocr)
from pipeline.ocr.engine import parse_osd
from pipeline.ocr.order import order_lines, split_line_at_gaps
from pipeline.ocr.preprocess import (prepare_page, skew_angle,
                                     skew_from_boxes)
from pipeline.ocr.tsv import OcrLine, OcrWord
from pipeline.options import IngestOptions, OcrOptions
from pipeline.searchable_pdf import line_words, write_searchable_pdf

OCR = DATA / "ocr"
TITLE_TSV = (OCR / "ben-tre-title-block.vie.tsv").read_text(encoding="utf-8")
SIGNATURE_TSV = (OCR / "ben-tre-signature-page.vie.tsv").read_text(encoding="utf-8")
LINES = ["Kết quả thực hiện Nghị quyết số 42-NQ/TW",
         "Ủy ban nhân dân tỉnh Bến Tre báo cáo",
         "người có công với cách mạng"]
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract not installed")


class ReplayEngine:
    """Serves saved TSV instead of running Tesseract (picklable, for the process pool)."""

    def __init__(self, tsv: str):
        self.tsv = tsv

    def image_to_tsv(self, image, options):
        return self.tsv

    def image_to_osd(self, image):
        return "Rotate: 0\nOrientation confidence: 9.0\n"


class NoEngine:
    def image_to_tsv(self, image, options):
        raise AssertionError("OCR must not run on this page")

    image_to_osd = image_to_tsv


def page_image(lines=LINES, size=(1000, 400), font_size=36) -> Image.Image:
    im = Image.new("L", size, 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(FONT), font_size)
    for i, text in enumerate(lines):
        draw.text((40, 40 + i * 110), text, font=font, fill=0)
    im.info["dpi"] = (300, 300)
    return im


def tsv_for(lines=LINES) -> str:
    """A Tesseract-shaped TSV for page_image(lines): one block, a line per text line."""
    head = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
            "\tconf\ttext")
    rows = [head, "1\t1\t0\t0\t0\t0\t0\t0\t1000\t400\t-1\t"]
    for ln, text in enumerate(lines, start=1):
        x = 40
        rows.append(f"4\t1\t1\t1\t{ln}\t0\t40\t{40 + (ln - 1) * 110}\t900\t40\t-1\t")
        for wn, word in enumerate(text.split(), start=1):
            w = 18 * len(word)
            rows.append(f"5\t1\t1\t1\t{ln}\t{wn}\t{x}\t{40 + (ln - 1) * 110}\t{w}\t40\t95.5\t{word}")
            x += w + 14
    return "\n".join(rows) + "\n"


# --- TSV and reading order ------------------------------------------------------------

def test_parse_tsv_words_boxes_confidences():
    lines = parse_tesseract_tsv(tsv_for())
    assert [ln.text for ln in lines] == LINES
    w = lines[0].words[0]
    assert (w.text, w.conf, w.left, w.top, w.width, w.height) == ("Kết", 0.955, 40, 40, 54, 40)


def test_parse_tsv_rejects_other_text():
    with pytest.raises(ValueError, match="not Tesseract TSV"):
        parse_tesseract_tsv("hello\tworld\n1\t2\n")


def test_title_block_read_column_by_column():
    """Tesseract gives the agency and the national motto side by side, row by row."""
    text = [ln.text for ln in order_lines(parse_tesseract_tsv(TITLE_TSV))]
    assert text[:7] == ["ỦY BAN NHÂN DÂN", "TỈNH BẾN TRE", "Số: 3187/BC-UBND",
                        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                        "Bến Tre, ngày 10 tháng 6 năm 2025", "BÁO CÁO"]
    assert text[-1] == "Kính gửi: Bộ Nội vụ"


def test_signature_block_read_column_by_column_and_body_kept():
    raw = parse_tesseract_tsv(SIGNATURE_TSV)
    text = [ln.text for ln in order_lines(raw)]
    start = text.index("Nơi nhận:")
    assert text[start:] == ["Nơi nhận:", "- Như trên;", "- TT.TU, TT.HĐND tỉnh;",
                            "- CT, các PCT UBND tỉnh;", "- Sở Nội vụ;",
                            "- Chánh, PCVP UBND tỉnh;", "- Phòng: KGVX, TH;", "- Lưu: VT.",
                            "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                            "Võ Thị Kim Loan"]
    # body paragraphs above keep Tesseract's order and line breaks
    assert text[:start] == [ln.text for ln in raw][:start]


def test_right_column_read_as_blocks_of_its_own_is_still_read_after_the_left():
    # Tesseract gives the columns of a signature block as separate lines, the right-hand
    # ones after two left-hand ones; no line is read across the gutter
    def line(text, x, row):
        words, out = text.split(), []
        for w in words:
            out.append(OcrWord(w, 0.95, x, 1000 + 60 * row, 20 * len(w), 40))
            x += 20 * len(w) + 15
        return OcrLine(1, 1, tuple(out))

    left = ["Nơi nhận:", "- Như trên;", "- Sở Nội vụ;", "- Lưu: VT."]
    right = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    body = [OcrLine(0, 0, (OcrWord("Trên", 0.95, 100, 900, 80, 40),
                           OcrWord("đây", 0.95, 200, 900, 60, 40)))]
    lines = body + [line(left[0], 100, 0), line(left[1], 100, 1),
                    line(right[0], 1300, 0), line(right[1], 1300, 1),
                    line(left[2], 100, 2), line(left[3], 100, 3)]
    assert [ln.text for ln in order_lines(lines)] == ["Trên đây", *left, *right]


def test_unsure_character_in_the_gutter_does_not_join_the_columns():
    # Tesseract reads a speck in the gutter as "|" or "ì": the line still splits there
    raw = list(parse_tesseract_tsv(SIGNATURE_TSV))
    k = next(i for i, ln in enumerate(raw) if ln.text.startswith("Nơi nhận:"))
    words = raw[k].words
    gap = next(j for j in range(1, len(words)) if words[j].text == "TM.")
    mid = (words[gap - 1].right + words[gap].left) // 2
    for junk, conf in (("|", 0.46), ("ì", 0.37)):
        noise = replace(words[0], text=junk, conf=conf, left=mid, width=12)
        raw[k] = replace(raw[k], words=words[:gap] + (noise,) + words[gap:])
        assert [p.text for p in split_line_at_gaps(raw[k])] == ["Nơi nhận:",
                                                                "TM. ỦY BAN NHÂN DÂN"]
        text = [ln.text for ln in order_lines(raw)]
        assert text[text.index("Nơi nhận:") + 1] == "- Như trên;"
    # specks read far out to the right of a left-column line make no column of their own
    row = next(ln for ln in raw if ln.text == "- CT, các PCT UBND tỉnh;")
    far = [replace(words[0], text=t, conf=c, left=1500 + 300 * n, width=10)
           for n, (t, c) in enumerate(((":", 0.39), ("ẽ", 0.0)))]
    specked = replace(row, words=row.words + tuple(far))
    assert [p.text for p in split_line_at_gaps(specked)] == [row.text]
    # a character Tesseract is sure of is a word of its own and stays
    sure = replace(words[0], text="x", conf=0.95, left=mid, width=12)
    line = replace(raw[k], words=words[:gap] + (sure,) + words[gap:])
    assert "x" in " ".join(p.text for p in split_line_at_gaps(line))


def test_table_row_is_not_split_or_reordered():
    tsv = tsv_for(["Tỉ lệ thất nghiệp chung"] * 3)
    lines = list(parse_tesseract_tsv(tsv))
    # put three far-apart value cells on each line: a table row, not two columns
    row = []
    for ln in lines:
        extra = tuple(replace(ln.words[0], text=v, left=900 + 300 * k)
                      for k, v in enumerate(["%", "<3", "1,76"]))
        row.append(replace(ln, words=ln.words + extra))
    assert len(split_line_at_gaps(row[0])) == 4
    assert [ln.text for ln in order_lines(row)] == [ln.text for ln in row]


# --- page preparation -----------------------------------------------------------------

@pytest.mark.parametrize("turn,scale,skew", [(0, 1.0, 0.0), (0, 1.5, 3.0), (90, 1.0, 0.0),
                                             (180, 2.0, -2.5), (270, 1.0, 4.0)])
def test_transform_maps_boxes_back_to_the_source(turn, scale, skew):
    src = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(src).rectangle((100, 200, 139, 229), fill=0)
    opts = OcrOptions(min_scan_dpi=250)
    src.info["dpi"] = (200,) * 2 if scale != 1.0 else (300,) * 2
    img, t = prepare_page(src, replace(opts, dpi=int(200 * scale)) if scale != 1.0 else opts,
                          turn=turn, skew=skew)
    assert t.turn == turn and t.scale == pytest.approx(scale) and t.skew == skew
    ys, xs = _ink_box(img)
    x0, y0, x1, y1 = t.to_source((xs[0], ys[0], xs[1], ys[1]))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    assert abs(cx - 120) < 4 and abs(cy - 215) < 4


def _ink_box(img):
    import numpy as np

    a = np.asarray(img) < 128
    ys = np.nonzero(a.any(axis=1))[0]
    xs = np.nonzero(a.any(axis=0))[0]
    return (ys[0], ys[-1] + 1), (xs[0], xs[-1] + 1)


def test_skew_measured_from_pixels_and_from_word_boxes():
    im = page_image(LINES * 3, size=(1400, 1800), font_size=40)
    tilted = im.rotate(-3, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert skew_angle(tilted) == pytest.approx(3.0, abs=0.15)
    boxes = [[(x, 100 + k * 80 + x * 0.05, x + 60, 140 + k * 80 + x * 0.05)
              for x in range(0, 1000, 100)] for k in range(5)]
    assert skew_from_boxes(boxes) == pytest.approx(2.862, abs=0.01)
    assert skew_from_boxes(boxes[:2]) == 0.0


def test_low_resolution_scan_is_upscaled():
    im = page_image().resize((500, 200))
    im.info["dpi"] = (150, 150)
    out, t = prepare_page(im, OcrOptions())
    assert out.size == (1000, 400) and t.scale == 2.0 and out.info["dpi"] == (300, 300)


def test_parse_osd():
    assert parse_osd("Page number: 0\nOrientation in degrees: 180\nRotate: 180\n"
                     "Orientation confidence: 12.5\nScript: Latin\n") == (180, 12.5)
    assert parse_osd("garbage") == (0, 0.0)


# --- ingest: images, TIFF frames, PDFs ------------------------------------------------

def test_image_words_become_tokens_with_boxes(tmp_path):
    p = tmp_path / "page.png"
    page_image().save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    (page,) = doc.pages
    assert page.kind == "ocr" and page.image_ref == f"{p}#0"
    assert [ln.text for ln in page.lines] == LINES
    for ln in page.lines:
        for t in ln.tokens:
            assert ln.text[t.start:t.end] == t.text and t.ocr_confidence == 0.955
            x0, y0, x1, y1 = t.bbox
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert page.lines[0].tokens[0].bbox == (0.04, 0.1, 0.094, 0.2)


def _tiff(path, frames, corrupt_second=False):
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    if corrupt_second:
        data = bytearray(path.read_bytes())
        with Image.open(path) as im:
            im.seek(1)
            offset = im.tag_v2[273][0]   # StripOffsets of the second frame
        data[offset:offset + 64] = b"\xff" * 64
        path.write_bytes(bytes(data))


def test_multipage_tiff_gives_pages(tmp_path):
    p = tmp_path / "two.tif"
    _tiff(p, [page_image(), page_image(LINES[:1])])
    doc = read_image(p, "two", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    assert [pg.number for pg in doc.pages] == [1, 2]
    assert [ln.number for ln in doc.lines] == [1, 2, 3, 4, 5, 6]
    assert doc.pages[1].image_ref == f"{p}#1" and not doc.warnings


def test_page_that_fails_to_decode_is_a_warning(tmp_path):
    p = tmp_path / "bad2.tif"
    _tiff(p, [page_image(), page_image()], corrupt_second=True)
    doc = read_image(p, "bad2", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    assert [ln.text for ln in doc.pages[0].lines] == LINES
    assert doc.pages[1].lines == ()
    (warning,) = doc.warnings
    assert warning.startswith("page 2: cannot decode image") and "page left empty" in warning


def test_every_page_failing_is_an_input_error(tmp_path):
    p = tmp_path / "trunc.png"
    buf = io.BytesIO()
    page_image().save(buf, format="PNG")
    p.write_bytes(buf.getvalue()[:400])
    with pytest.raises(InputFileError) as e:
        read_image(p, "trunc", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    assert str(p) in str(e.value) and "page 1: cannot decode image" in str(e.value)


def _pdf(path, pages):
    """pages: a list of 'text' (born-digital) or a PIL image (scanned page)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("LibSerif", str(FONT)))
    c = Canvas(str(path), pagesize=(240, 96))
    for page in pages:
        if page == "text":
            c.setFont("LibSerif", 12)
            for i, text in enumerate(LINES):
                c.drawString(10, 80 - 16 * i, text)
        else:
            c.drawImage(ImageReader(page), 0, 0, 240, 96)
        c.showPage()
    c.save()


def test_born_digital_pdf_is_not_ocred(tmp_path):
    p = tmp_path / "digital.pdf"
    _pdf(p, ["text", "text"])
    doc = read_pdf(p, "digital", IngestOptions(), OcrOptions(), engine=NoEngine())
    assert [pg.kind for pg in doc.pages] == ["pdf-text", "pdf-text"]
    assert [ln.text for ln in doc.pages[0].lines] == LINES


def test_mixed_pdf_ocrs_only_pages_without_text(tmp_path):
    p = tmp_path / "mixed.pdf"
    _pdf(p, ["text", page_image(), "text"])
    doc = read_pdf(p, "mixed", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    assert [pg.kind for pg in doc.pages] == ["pdf-text", "ocr", "pdf-text"]
    assert [ln.text for ln in doc.pages[1].lines] == LINES
    assert doc.pages[1].image_ref == f"{p}#1"
    assert [ln.number for ln in doc.lines] == list(range(1, 10))


def test_pages_in_a_process_pool_keep_their_order(tmp_path):
    p = tmp_path / "three.tif"
    _tiff(p, [page_image(), page_image(), page_image()])
    srcs = [PageSource(str(p), i, "image") for i in range(3)]
    res = ocr_sources(srcs, OcrOptions(page_workers=2), ReplayEngine(tsv_for()))
    assert [r.source.index for r in res] == [0, 1, 2]
    assert all(r.lines[0].text == LINES[0] for r in res)


# --- dependencies -----------------------------------------------------------------------

def test_missing_model_is_named_with_exit_code_2():
    with pytest.raises(MissingDependencyError) as e:
        check_tesseract("xyz")
    assert e.value.exit_code == 2
    assert e.value.message == "Tesseract has no 'xyz' model: apt-get install tesseract-ocr-xyz"


def test_missing_tesseract_binary(monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    check_tesseract.cache_clear()
    try:
        with pytest.raises(MissingDependencyError) as e:
            require_ocr([DATA / "nothing.png"])
    finally:
        check_tesseract.cache_clear()
    assert e.value.exit_code == 2
    assert "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-vie" in \
        e.value.message


def test_text_and_born_digital_inputs_need_no_tesseract(tmp_path, monkeypatch):
    import pipeline.ocr as ocr

    def boom(language):
        raise AssertionError("checked")

    monkeypatch.setattr(ocr, "check_tesseract", boom)
    p = tmp_path / "digital.pdf"
    _pdf(p, ["text"])
    (tmp_path / "a.txt").write_text("xin chào", encoding="utf-8")
    require_ocr([tmp_path / "a.txt", p])
    require_ocr([tmp_path])                       # folders are searched too
    page_image().save(tmp_path / "scan.png")
    with pytest.raises(AssertionError, match="checked"):
        require_ocr([tmp_path])


# --- searchable PDF ------------------------------------------------------------------

def _restored(doc):
    """Pretend restoration: 'Ủy' → 'Uỷ' (keeps bboxes on tokens as restore must)."""
    pages = []
    for pg in doc.pages:
        lines = []
        for ln in pg.lines:
            toks = tuple(replace(t, restored="Uỷ") if t.text == "Ủy" else t for t in ln.tokens)
            lines.append(replace(ln, tokens=toks))
        pages.append(replace(pg, lines=tuple(lines)))
    return replace(doc, pages=tuple(pages))


def _pdf_text(path):
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_line_words_substitute_restored_tokens():
    from pipeline.models import Line

    ln = Line(1, 1, "s6 42-NQ/TW,", tokens=(
        Token("s6", "số", 1, 0, 2, bbox=(0.1, 0.1, 0.2, 0.2)),
        Token("42-NQ/TW", "42-NQ/TW", 1, 3, 11, bbox=(0.3, 0.1, 0.5, 0.2))))
    assert list(line_words(ln)) == [("số", (0.1, 0.1, 0.2, 0.2)),
                                    ("42-NQ/TW,", (0.3, 0.1, 0.5, 0.2))]


def test_searchable_pdf_from_image(tmp_path):
    p = tmp_path / "page.png"
    page_image().save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    out = tmp_path / "out" / "searchable.pdf"
    write_searchable_pdf(_restored(doc), p, out)
    (text,) = _pdf_text(out)
    assert "Uỷ ban nhân dân tỉnh Bến Tre" in text and "42-NQ/TW" in text
    assert not list(out.parent.glob(".*tmp*"))


def test_searchable_pdf_from_mixed_pdf_keeps_text_pages(tmp_path):
    p = tmp_path / "mixed.pdf"
    _pdf(p, ["text", page_image()])
    doc = read_pdf(p, "mixed", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for()))
    out = tmp_path / "searchable.pdf"
    write_searchable_pdf(_restored(doc), p, out)
    first, second = _pdf_text(out)
    assert LINES[1] in first
    assert "Uỷ ban nhân dân" in second and "cách mạng" in second


# --- the real engine (few and small) ------------------------------------------------------

@needs_tesseract
def test_real_tesseract_reads_vietnamese_page():
    lines, t = ocr_image(page_image(), OcrOptions())
    words = [w.text for ln in lines for w in ln.words]
    gold = " ".join(LINES).split()
    hits = sum(1 for w in gold if w in words)
    assert hits >= 0.9 * len(gold), words
    assert all(0 <= w.conf <= 1 for ln in lines for w in ln.words)


@needs_tesseract
def test_real_tesseract_turns_an_upside_down_page_and_pool_runs(tmp_path):
    p = tmp_path / "two.tif"
    big = page_image(LINES * 4, size=(1300, 1500), font_size=40)
    _tiff(p, [big, big.rotate(180)])
    res = ocr_sources([PageSource(str(p), i, "image") for i in range(2)],
                      OcrOptions(page_workers=2))
    assert not any(isinstance(r, OcrError) for r in res)
    assert res[1].transform.turn == 180
    assert res[0].lines[0].text == res[1].lines[0].text == LINES[0]


def _table_page(tmp_path, turn: int = 0):
    """An A4 page at 300 dpi: a heading, then a scanned ruled table (tests/data/tables)."""
    table = Image.open(DATA / "tables" / "da-nang-appendix1-top.jpg").convert("L")
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 48)
    for i, text in enumerate(LINES):
        draw.text((200, 200 + 90 * i), text, font=font, fill=0)
    page.paste(table, (180, 600))
    draw.text((200, 1600), LINES[0], font=font, fill=0)
    p = tmp_path / "table.png"
    page.rotate(turn, expand=True).save(p, dpi=(300, 300))
    return PageSource(str(p), 0, "image")


@needs_tesseract
@pytest.mark.parametrize("turn", [0, 180])
def test_table_page_cells_read_once_and_rows_kept_in_the_text(tmp_path, turn):
    from pipeline.ocr.pages import ocr_source

    page = ocr_source(_table_page(tmp_path, turn), OcrOptions())
    assert page.transform.turn == turn
    (table,) = page.tables
    cells = {(c.row, c.col): c.text for c in table.cells}
    assert cells[(0, 3)] == "Mục tiêu Nghị quyết" and cells[(3, 5)] == "98,5"
    texts = [ln.text for ln in page.lines]
    assert texts[:3] == LINES and texts[-1] == LINES[0]
    if turn:
        return      # a turned page is read whole (table too) before its tables are read upright
    # heading, the table row by row, the line below the table; the table's text once;
    # the words outside the table (read on stacked bands of the page) in their place
    assert 1595 < page.lines[-1].top < 1630 and 195 < page.lines[0].top < 230
    assert sum("Ưu đãi người có công" in t for t in texts) == 1
    row = next(t for t in texts if t.startswith("Tỉ lệ hài cốt"))
    assert row.endswith("% - - 12,4 15")


def test_ink_bands_skip_blank_stretches_and_specks():
    from pipeline.ocr.preprocess import ink_bands

    im = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(im)
    draw.rectangle((200, 300, 2000, 340), fill=0)        # a text line
    draw.rectangle((200, 380, 1500, 420), fill=0)        # the next line, same band
    draw.rectangle((1200, 3300, 1240, 3340), fill=0)     # page number at the foot
    draw.point((600, 2000), fill=0)                      # a speck
    bands = ink_bands(im, 300)
    assert len(bands) == 2
    (a0, a1), (b0, b1) = bands
    assert a0 < 300 and 420 < a1 < 500 and b0 < 3300 and 3340 < b1 <= 3508
    assert ink_bands(Image.new("L", (2480, 3508), 255), 300) == []


def test_known_vie_misreading_is_corrected_despite_tesseract_confidence(tmp_path):
    from pipeline.restore import restore_document

    # Tesseract vie writes chỉ for chi with high confidence (its own dictionary at work);
    # other confident words are left alone unless the decoder is surer still
    lines = ["Tỉnh đang quản lý chỉ trả trợ cấp hằng tháng cho người có công"]
    p = tmp_path / "page.png"
    page_image(lines).save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for(lines)))
    assert all(t.ocr_confidence >= 0.93 for t in doc.pages[0].lines[0].tokens)
    restored = restore_document(doc).pages[0].lines[0].restored
    assert restored == "Tỉnh đang quản lý chi trả trợ cấp hằng tháng cho người có công"


# --- second look at lone text ---------------------------------------------------------

def test_missed_ink_is_text_sized_ink_no_word_box_covers():
    import numpy as np

    from pipeline.ocr.reread import Box, missed_ink_boxes

    lines = parse_tesseract_tsv(tsv_for())          # words 40 px high from y = 40
    ink = np.zeros((600, 1000), dtype=bool)
    for ln in lines:
        for w in ln.words:
            ink[w.top + 5:w.bottom - 5, w.left + 2:w.right - 2] = True   # read text
    ink[420:455, 480:500] = True        # a page number nobody read
    ink[500:502, 100:900] = True        # a rule
    ink[530:533, 300:303] = True        # a speck
    assert missed_ink_boxes(ink, lines) == [Box(480, 420, 500, 455)]


def test_lone_unsure_lines_and_otsu_threshold():
    import numpy as np

    from pipeline.ocr.reread import lone_unsure_lines, otsu_threshold

    lines = list(parse_tesseract_tsv(tsv_for(["Z", "Kết quả thực hiện", "R2 x"])))
    lines[0] = replace(lines[0], words=(replace(lines[0].words[0], conf=0.24),))
    assert lone_unsure_lines(lines) == [0]
    a = np.array([40] * 30 + [235] * 70, dtype=np.uint8)
    assert 40 <= otsu_threshold(a) < 235


@needs_tesseract
def test_page_number_standing_alone_is_read_on_a_grey_scan(tmp_path):
    import numpy as np

    # a grey, noisy scan: Tesseract's page pass loses the lone page number above the body
    body = ["Công tác thông tin, tuyên truyền được triển khai đa dạng trên các",
            "nền tảng số; tổ chức hội nghị phổ biến chính sách cho cán bộ cơ sở."]
    im = Image.new("L", (2480, 1200), 244)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(FONT), 54)
    draw.text((1220, 90), "2", fill=52, font=font)
    for i, text in enumerate(body):
        draw.text((280, 300 + 90 * i), text, fill=52, font=font)
    rng = np.random.default_rng(3)
    a = np.asarray(im, dtype=np.float64) + rng.normal(0, 3, (1200, 2480))
    noisy = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")
    p = tmp_path / "page.png"
    noisy.save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions())
    text = [ln.text for ln in doc.pages[0].lines]
    assert text[0] == "2"
    assert text[1].startswith("Công tác thông tin")


def test_known_vie_misreading_needs_a_fairly_sure_decoder_against_tesseract(tmp_path):
    from pipeline.restore import restore_document

    # chỉ tiêu and chi tiêu are both Vietnamese: Tesseract's sure chỉ is not outvoted by an
    # unsure decoder
    lines = ["Ban hành thống nhất cho hệ thống chỉ tiêu về chính sách xã hội"]
    p = tmp_path / "page.png"
    page_image(lines).save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for(lines)))
    assert restore_document(doc).pages[0].lines[0].restored == lines[0]


def test_scan_restoration_puts_back_the_spaces_ocr_lost(tmp_path):
    from pipeline.restore import restore_document

    lines = ["công tác thànhphố Hà Nội theo Số:57/BC-UBND"]
    p = tmp_path / "page.png"
    page_image(lines).save(p, dpi=(300, 300))
    doc = read_image(p, "page", IngestOptions(), OcrOptions(), engine=ReplayEngine(tsv_for(lines)))
    restored = restore_document(doc).pages[0].lines[0].restored
    assert restored == "công tác thành phố Hà Nội theo Số: 57/BC-UBND"
