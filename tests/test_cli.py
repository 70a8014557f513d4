from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest


from conftest import SAMPLE, run_cli
from pipeline.export import DOC_FILES, DOCUMENT_COLUMNS, REVIEW_COLUMNS


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_version_and_help():
    res = run_cli("--version")
    assert res.returncode == 0 and b"vnocr" in res.stdout
    for sub in ("restore", "run", "tables"):
        res = run_cli(sub, "--help")
        assert res.returncode == 0 and b"Usage" in res.stdout


def test_restore_keeps_line_count_and_restores():
    text = "Két qua thuc hién Nghi quyét s6 42-NQ/TW\n\nUy ban nhan dan thanh phé\nBHXH, www.example.gov.vn\n"
    res = run_cli("restore", "-", input=text.encode())
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out.count("\n") == text.count("\n")
    lines = out.split("\n")
    assert lines[0].startswith("Kết quả thực hiện Nghị quyết số 42-NQ/TW")
    assert lines[1] == ""
    assert "BHXH" in lines[3] and "www.example.gov.vn" in lines[3]


def test_restore_file_error_named(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    res = run_cli("restore", str(tmp_path / "missing.txt"))
    assert res.returncode == 1
    err = res.stderr.decode().strip()
    assert "missing.txt" in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_run_sample_writes_contract(sample_run):
    doc = sample_run / "hai-phong-nq42.eng-ocr"
    for name in DOC_FILES:
        assert (doc / name).exists(), name
    src = SAMPLE.read_text(encoding="utf-8").split("\n")
    out = (doc / "text.txt").read_text(encoding="utf-8").split("\n")
    assert len(out) == len(src)
    assert "Kết quả thực hiện Nghị quyết số 42-NQ/TW" in out[2]
    ind = read_csv(doc / "indicators.csv")
    assert len(ind) >= 60
    head = list(ind[0].keys())
    for col in ("source", "group_no", "group", "row_no", "indicator", "indicator_id", "unit",
                "target_2025", "target_2030", "actual_2024", "estimate_2025", "confidence",
                "page", "lines"):
        assert col in head
    assert any(r["indicator_id"] for r in ind)
    docs = read_csv(doc / "documents.csv")
    assert list(docs[0].keys()) == list(DOCUMENT_COLUMNS)
    assert any(d["code"] == "146/KH-UBND" and d["issued_on"] == "2024-06-24" for d in docs)
    review = read_csv(doc / "review.csv")
    assert review and list(review[0].keys()) == list(REVIEW_COLUMNS)
    rep = json.loads((doc / "report.json").read_text(encoding="utf-8"))
    assert rep["lines"] == len(src) and rep["indicators"] == len(ind)
    consolidated = read_csv(sample_run / "indicators.csv")
    assert len(consolidated) == len(ind) and consolidated[0]["source"].endswith(SAMPLE.name)
    manifest = read_csv(sample_run / "manifest.csv")
    assert [(m["doc_id"], m["status"]) for m in manifest] == [("hai-phong-nq42.eng-ocr", "ok")]


def test_run_bad_inputs_fail_alone(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "empty.txt").write_bytes(b"")
    (inp / "junk.txt").write_bytes(os.urandom(4096).replace(b"\n", b"\x00"))
    (inp / "fake.pdf").write_text("not a pdf")
    (inp / "fake.png").write_text("not an image")
    (inp / "good báo cáo.txt").write_text("Ket qua thuc hién Nghi quyét s6 42-NQ/TW\n", encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("run", str(inp), "-o", str(out))
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "Traceback" not in err
    manifest = {m["doc_id"]: m for m in read_csv(out / "manifest.csv")}
    assert manifest["good_báo_cáo"]["status"] == "ok"
    reasons = {"empty": "empty file", "junk": "binary", "fake": "not a PDF", "fake-2": "image"}
    for doc_id, reason in reasons.items():
        row = manifest[doc_id]
        assert row["status"] == "failed" and reason in row["error"], row
        assert row["source"] in row["error"]
        assert row["error"] in err
    assert (out / "good_báo_cáo" / "text.txt").read_text(encoding="utf-8").startswith("Kết quả")


def test_unwritable_outdir_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = run_cli("run", str(SAMPLE), "-o", str(blocker / "out"))
    assert res.returncode == 2
    assert "cannot be written" in res.stderr.decode() and "Traceback" not in res.stderr.decode()


def test_usage_error_exit_2():
    res = run_cli("run", str(SAMPLE))
    assert res.returncode == 2


def test_tables_only(tmp_path):
    res = run_cli("tables", str(SAMPLE), "-o", str(tmp_path))
    assert res.returncode == 0, res.stderr
    d = tmp_path / "hai-phong-nq42.eng-ocr"
    assert (d / "indicators.csv").exists() and not (d / "text.txt").exists()


def test_rerun_skips_unchanged(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Ket qua thuc hién\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", str(p), "-o", str(out)).returncode == 0
    assert read_csv(out / "manifest.csv")[0]["status"] == "ok"
    assert run_cli("run", str(p), "-o", str(out)).returncode == 0
    assert read_csv(out / "manifest.csv")[0]["status"] == "skipped"
    p.write_text("Ket qua thuc hién khac\n", encoding="utf-8")
    assert run_cli("run", str(p), "-o", str(out)).returncode == 0
    assert read_csv(out / "manifest.csv")[0]["status"] == "ok"


def _page_png(path, lines):
    from PIL import Image, ImageDraw, ImageFont

    from conftest import FONT

    font = ImageFont.truetype(str(FONT), 44)
    img = Image.new("L", (1400, 120 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 80 * i), line, font=font, fill=0)
    img.save(path, dpi=(300, 300))


def test_scan_with_searchable_pdf(tmp_path):
    import pdfplumber

    png = tmp_path / "trang.png"
    _page_png(png, ["Kết quả thực hiện Nghị quyết số 42-NQ/TW", "của Ủy ban nhân dân thành phố"])
    out = tmp_path / "out"
    res = run_cli("run", str(png), "-o", str(out), "--pdf", "--workers", "1")
    assert res.returncode == 0, res.stderr
    text = (out / "trang" / "text.txt").read_text(encoding="utf-8")
    assert "Nghị quyết" in text and "Ủy ban nhân dân" in text
    with pdfplumber.open(out / "trang" / "searchable.pdf") as pdf:
        layer = pdf.pages[0].extract_text() or ""
    assert "Nghị" in layer


def test_missing_tesseract_stops_before_work(tmp_path):
    png = tmp_path / "trang.png"
    _page_png(png, ["Báo cáo"])
    txt = tmp_path / "a.txt"
    txt.write_text("Ket qua\n", encoding="utf-8")
    env = dict(os.environ, PATH="/nonexistent", PYTHONPATH=str(SAMPLE.parents[1]))
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "pipeline", "run", str(png), str(txt), "-o",
                          str(tmp_path / "out")], capture_output=True, env=env, timeout=120)
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "tesseract" in err and "apt-get install" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "a").exists()


def _render_unruled_table(path, style):
    """An appendix page whose table has no ruling lines (or only rules under the rows), as
    some born-digital reports print it."""
    pytest.importorskip("reportlab")
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    if not font.exists():
        pytest.skip("fonts-liberation2 missing")
    pdfmetrics.registerFont(TTFont("LibSerifU", str(font)))
    st = ParagraphStyle("c", fontName="LibSerifU", fontSize=11, leading=13)
    rows = [["TT", "Chỉ tiêu", "Đơn vị tính", "Đến năm 2025", "Đến năm 2030", "Năm 2024",
             "Đến 2025 (dự kiến)"],
            ["2", "Lao động, việc làm, phát triển thị trường lao động", "", "", "", "", ""],
            ["", "Tỉ lệ thất nghiệp chung", "%", "<3", "<3", "1,76", "1,75"],
            ["", "Số người được giải quyết việc làm trong năm", "Người", "-", "-", "49.400",
             "50.000"]]
    table = Table([[Paragraph(c, st) for c in r] for r in rows],
                  colWidths=[28, 190, 50, 55, 55, 55, 70])
    if style == "rules":
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.black)]))
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        [Paragraph("Phụ lục I", st), Paragraph("CÁC CHỈ TIÊU CHỦ YẾU", st), Spacer(1, 6), table])


def test_born_digital_table_without_ruling_lines_is_read_from_its_text(tmp_path):
    for style in ("none", "rules"):
        pdf = tmp_path / f"unruled-{style}.pdf"
        _render_unruled_table(pdf, style)
        res = run_cli("tables", str(pdf), "-o", str(tmp_path / style))
        assert res.returncode == 0, res.stderr
        rows = read_csv(tmp_path / style / pdf.stem / "indicators.csv")
        got = [(r["indicator"], r["unit"], r["target_2025"], r["target_2030"], r["actual_2024"],
                r["estimate_2025"]) for r in rows]
        assert got == [
            ("Tỉ lệ thất nghiệp chung", "%", "<3", "<3", "1,76", "1,75"),
            ("Số người được giải quyết việc làm trong năm", "Người", "-", "-", "49.400", "50.000"),
        ], style
