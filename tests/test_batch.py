"""Batch runs: parallel and distributed executors, resume after a kill, bad inputs, timeouts,
consolidated Parquet and Excel copies. Inputs are made here; small slices of the sample."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, run_cli
from pipeline.batch import BatchOptions, Executor, run
from pipeline.errors import OutputError
from pipeline.export import MANIFEST_COLUMNS
from pipeline.options import RunOptions

SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").split("\n")
VIETNAMESE = ("Báo cáo kết quả thực hiện Nghị quyết số 42-NQ/TW của Ủy ban nhân dân thành phố "
              "về chính sách xã hội, bảo hiểm xã hội và người có công với cách mạng.\n")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def make_corpus(folder: Path) -> Path:
    """Four small legacy-OCR texts: prose, an Appendix I slice, an Appendix II slice, prose."""
    folder.mkdir(parents=True, exist_ok=True)
    slices = {"a prose.txt": (0, 40), "b phụ lục I.txt": (893, 960),
              "c phụ lục II.txt": (1179, 1215), "d prose.txt": (300, 330)}
    for name, (a, b) in slices.items():
        (folder / name).write_text("\n".join(SAMPLE_LINES[a:b]) + "\n", encoding="utf-8")
    return folder


def snapshot(outdir: Path) -> dict[str, object]:
    """Every output's content, minus what differs between equal runs (timings, manifest)."""
    import pyarrow.parquet as pq

    snap: dict[str, object] = {}
    for p in sorted(outdir.rglob("*")):
        rel = p.relative_to(outdir).as_posix()
        if not p.is_file() or rel in ("manifest.csv", "indicators.xlsx"):
            continue
        assert not p.name.endswith(".tmp"), f"temporary file left: {rel}"
        if p.suffix == ".parquet":
            snap[rel] = pq.read_table(p).to_pylist()
        elif p.name == "report.json":
            rep = json.loads(p.read_text(encoding="utf-8"))
            rep.pop("timings")
            rep.pop("resources")
            snap[rel] = rep
        else:
            snap[rel] = p.read_bytes()
    return snap


def manifest_view(outdir: Path) -> list[tuple[str, str, str, str, str]]:
    return [(m["source"], m["doc_id"], m["status"], m["sha256"], m["pages"])
            for m in read_csv(outdir / "manifest.csv")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "in")


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """An uninterrupted one-worker run in this process (the baseline every run must equal)."""
    out = tmp_path_factory.mktemp("reference")
    summary = run([corpus], out, RunOptions(workers=1), batch=BatchOptions(timeout=None,
                                                                           excel=True))
    assert summary.count("ok") == 4 and summary.failed == 0
    return out


def test_reference_outputs_and_manifest(reference, corpus):
    rows = read_csv(reference / "manifest.csv")
    assert tuple(rows[0].keys()) == MANIFEST_COLUMNS
    assert [r["status"] for r in rows] == ["ok"] * 4 and all(r["pages"] == "1" for r in rows)
    assert [r["doc_id"] for r in rows] == ["a_prose", "b_phụ_lục_I", "c_phụ_lục_II", "d_prose"]
    indicators = read_csv(reference / "indicators.csv")
    assert len(indicators) >= 10
    assert str(corpus / "b phụ lục I.txt") in {r["source"] for r in indicators}


def test_parquet_and_excel_copies(reference):
    import openpyxl
    import pyarrow.parquet as pq

    for name in ("indicators", "indicator_values"):
        rows = read_csv(reference / f"{name}.csv")
        table = pq.read_table(reference / f"{name}.parquet")
        assert table.column_names == list(rows[0].keys()) and table.num_rows == len(rows)
    values = pq.read_table(reference / "indicator_values.parquet").to_pylist()
    assert any(isinstance(v["value"], float) for v in values)
    assert str(pq.read_schema(reference / "indicators.parquet").field("row_no").type) == "int64"
    wb = openpyxl.load_workbook(reference / "indicators.xlsx", read_only=True)
    assert wb.sheetnames == ["indicators", "indicator_values"]
    sheet = list(wb["indicators"].iter_rows(values_only=True))
    csv_rows = read_csv(reference / "indicators.csv")
    assert list(sheet[0]) == list(csv_rows[0].keys()) and len(sheet) == len(csv_rows) + 1
    assert [r[4] for r in sheet[1:]] == [r["indicator"] for r in csv_rows]


def test_two_workers_give_the_same_outputs(reference, corpus, tmp_path):
    summary = run([corpus], tmp_path, RunOptions(workers=2), batch=BatchOptions(excel=True))
    assert summary.count("ok") == 4
    assert snapshot(tmp_path) == snapshot(reference)
    assert manifest_view(tmp_path) == manifest_view(reference)


def test_dask_executor_gives_the_same_outputs(reference, corpus, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        summary = run([corpus], tmp_path, RunOptions(),
                      batch=BatchOptions(executor=Executor.DASK, excel=True,
                                         scheduler=cluster.scheduler_address))
    assert summary.count("ok") == 4
    assert snapshot(tmp_path) == snapshot(reference)
    assert manifest_view(tmp_path) == manifest_view(reference)


def wait_for_first_document(proc: subprocess.Popen, out: Path) -> None:
    deadline = time.monotonic() + 120
    while (not any(out.glob("*/report.json")) and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.01)


def test_killed_run_resumes_to_the_same_outputs(reference, corpus, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(out),
                             "--workers", "1", "-q"], cwd=ROOT, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    wait_for_first_document(proc, out)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert len(list(out.glob("*/report.json"))) < 4
    # Whatever is there is whole: a report.json only beside complete files.
    for rep in out.glob("*/report.json"):
        assert json.loads(rep.read_text(encoding="utf-8"))["sha256"]
    res = run_cli("run", str(corpus), "-o", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr.decode()
    assert snapshot(out) == snapshot(reference)
    statuses = [m["status"] for m in read_csv(out / "manifest.csv")]
    assert "skipped" in statuses and set(statuses) <= {"ok", "skipped"}
    assert "skipped" in res.stderr.decode() and "Traceback" not in res.stderr.decode()


def test_interrupted_run_stops_cleanly_and_resumes(corpus, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(out),
                             "--workers", "1"], cwd=ROOT, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    wait_for_first_document(proc, out)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    assert {m["status"] for m in read_csv(out / "manifest.csv")} <= {"ok"}
    summary = run([corpus], out, RunOptions(workers=1), batch=BatchOptions(timeout=None))
    assert summary.failed == 0 and summary.count("skipped") >= 1
    assert len(read_csv(out / "manifest.csv")) == 4
    assert not list(out.rglob("*.tmp"))   # a stopped worker's temporary files are swept


def test_timeout_fails_the_stuck_document_and_goes_on(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a-long.txt").write_text("\n".join(SAMPLE_LINES), encoding="utf-8")
    (inp / "b-short.txt").write_text("Ket qua thuc hién\n", encoding="utf-8")
    summary = run([inp], tmp_path / "out", RunOptions(workers=1),
                  batch=BatchOptions(timeout=1.5))
    rows = {r.doc_id: r for r in summary.rows}
    assert rows["a-long"].status == "failed"
    assert rows["a-long"].error == f"{inp / 'a-long.txt'}: timed out after 1.5s (worker stopped)"
    assert rows["b-short"].status == "ok"
    assert not (tmp_path / "out" / "a-long").exists()


def test_unwritable_outdir_stops_before_any_work(tmp_path, corpus):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot be written"):
        run([corpus], blocker / "out", RunOptions(workers=2))


# ---------------------------------------------------------------- bad inputs

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png() -> bytes:
    """A small PNG whose header declares 40000 x 40000 pixels."""
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 40001 * 4)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def zero_page_pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, xref))
    return out.getvalue()


def text_pdf(encrypt: str | None = None) -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = StandardEncryption(encrypt, ownerPassword="owner") if encrypt else None
    c = canvas.Canvas(buf, encrypt=enc, invariant=1)
    for i in range(3):
        c.drawString(72, 720, f"Report page {i + 1}: the indicators of the province in 2024.")
        c.showPage()
    c.save()
    return buf.getvalue()


def truncated_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(im).text((20, 80), "Bao cao ket qua 2024", fill=0)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters precomposed, tone marks as combining characters."""
    import unicodedata

    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = [c for c in d if c in "\u0300\u0301\u0303\u0309\u0323"]
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += (base + "".join(tones)).encode("cp1258")
    return bytes(out)


def one_mb_line() -> str:
    """A 1 MB text file that is one line: a table dump of numbers, codes and a few words."""
    unit = "Tỉ lệ 1,76% 2.345 <3 28-30 94,17% - 10.694 146/KH-UBND 24/11/2023 "
    return unit * (1_000_000 // len(unit.encode()) + 1) + "\n"


BAD_INPUTS: dict[str, tuple[str, str]] = {
    # file name → (doc_id, words the failure reason must contain)
    "empty.txt": ("empty", "empty file"),
    "junk.txt": ("junk", "binary file"),
    "not-a-pdf.pdf": ("not-a-pdf", "not a PDF"),
    "truncated.pdf": ("truncated", "PDF"),
    "encrypted.pdf": ("encrypted", "encrypted PDF"),
    "zero-pages.pdf": ("zero-pages", "no pages"),
    "not-an-image.png": ("not-an-image", "not an image"),
    "bomb.png": ("bomb", "decompression bomb"),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    inp = tmp_path_factory.mktemp("bad") / "in"
    inp.mkdir()
    (inp / "empty.txt").write_bytes(b"")
    (inp / "junk.txt").write_bytes(bytes(range(256)) * 64)
    (inp / "not-a-pdf.pdf").write_text("Ket qua thuc hien\n")
    pdf = text_pdf()
    (inp / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (inp / "encrypted.pdf").write_bytes(text_pdf(encrypt="secret"))
    (inp / "zero-pages.pdf").write_bytes(zero_page_pdf())
    (inp / "not-an-image.png").write_bytes(b"Ket qua thuc hien\n" * 20)
    (inp / "bomb.png").write_bytes(bomb_png())
    (inp / "truncated-scan.jpg").write_bytes(truncated_jpeg())
    (inp / "utf16.txt").write_bytes(VIETNAMESE.encode("utf-16"))
    (inp / "windows1258.txt").write_bytes(cp1258(VIETNAMESE))
    (inp / "Báo cáo số 5 năm 2024.txt").write_text("Ket qua thuc hién Nghi quyét s6 42-NQ/TW\n",
                                                  encoding="utf-8")
    (inp / "one-line.txt").write_text(one_mb_line(), encoding="utf-8")
    out = inp.parent / "out"
    t0 = time.perf_counter()
    res = run_cli("run", str(inp), "-o", str(out), "--workers", "2")
    return inp, out, res, time.perf_counter() - t0


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_alone_with_its_reason(bad_run, name):
    inp, out, res, _ = bad_run
    doc_id, reason = BAD_INPUTS[name]
    row = {m["doc_id"]: m for m in read_csv(out / "manifest.csv")}[doc_id]
    assert row["status"] == "failed" and reason in row["error"], row
    assert row["error"].startswith(f"{inp / name}: ")
    err_lines = res.stderr.decode().splitlines()
    assert f"vnocr: {row['error']}" in err_lines
    assert not (out / doc_id).exists()


def test_bad_inputs_batch_goes_on(bad_run):
    inp, out, res, seconds = bad_run
    err = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in err
    manifest = read_csv(out / "manifest.csv")
    assert len(manifest) == len(list(inp.iterdir()))   # every input accounted for
    assert all(m["status"] in ("ok", "failed") for m in manifest)
    assert all(m["error"] == "" for m in manifest if m["status"] == "ok")
    assert "vnocr: 5 ok, 8 failed, 0 skipped" in err or "vnocr: 4 ok, 9 failed" in err, err
    assert seconds < 80


def test_truncated_jpeg_is_failed_or_warned_never_a_crash(bad_run):
    inp, out, res, _ = bad_run
    row = {m["doc_id"]: m for m in read_csv(out / "manifest.csv")}["truncated-scan"]
    if row["status"] == "failed":
        assert row["error"].startswith(f"{inp / 'truncated-scan.jpg'}: ")
        assert "internal error" not in row["error"]
    else:
        rep = json.loads((out / "truncated-scan" / "report.json").read_text(encoding="utf-8"))
        assert rep["warnings"]


@pytest.mark.parametrize("doc_id", ["utf16", "windows1258"])
def test_unicode_and_windows_1258_decoded(bad_run, doc_id):
    _, out, _, _ = bad_run
    assert (out / doc_id / "text.txt").read_text(encoding="utf-8") == VIETNAMESE


def test_vietnamese_file_name_and_long_line(bad_run):
    inp, out, _, _ = bad_run
    rows = {m["doc_id"]: m for m in read_csv(out / "manifest.csv")}
    assert rows["Báo_cáo_số_5_năm_2024"]["source"] == str(inp / "Báo cáo số 5 năm 2024.txt")
    assert (out / "Báo_cáo_số_5_năm_2024" / "text.txt").read_text(
        encoding="utf-8").startswith("Kết quả thực hiện")
    assert rows["one-line"]["status"] == "ok"
    text = (out / "one-line" / "text.txt").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and len(text) >= 900_000


def test_copies_of_a_document_being_read_wait_their_turn():
    from collections import deque

    from pipeline.batch import InputItem, _next_task, _Task

    def task(k: int, sha: str) -> _Task:
        return _Task(k, InputItem(Path(f"{k}.txt"), str(k)), sha)

    pending = deque([task(0, "x"), task(1, "x"), task(2, "y"), task(3, "")])
    assert _next_task(pending, {"x"}).index == 2          # x is being read: y first
    assert _next_task(pending, {"x"}).index == 3          # no hash: never held back
    assert _next_task(pending, {"x"}).index == 0          # only copies left: take one
    assert _next_task(pending, set()).index == 1 and not pending
