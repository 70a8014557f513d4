"""Write a processed Document: text, CSVs and the JSON report, each file atomically.

Column orders are contracts (README, "Output files"); change them only on purpose.
"""
from __future__ import annotations

import csv
import io
import json
import os
import resource
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import OutputError
from .models import Document, ValueColumn
from .tables.values import parse_cell

INDICATOR_HEAD = ("source", "group_no", "group", "row_no", "indicator", "indicator_id", "unit")
INDICATOR_TAIL = ("confidence", "flags", "page", "lines")
VALUE_COLUMNS = ("source", "row_no", "indicator_id", "indicator", "unit", "column", "role", "year",
                 "raw", "op", "value", "low", "high", "region", "ok", "reason")
DOCUMENT_COLUMNS = ("source", "no", "title", "code", "lead_agency", "partner_agency", "level",
                    "issued_on", "issued_on_raw", "doc_type", "flags")
REVIEW_COLUMNS = ("source", "line", "column", "ocr", "chosen", "alternatives", "confidence")
MANIFEST_COLUMNS = ("source", "doc_id", "status", "error", "seconds", "sha256", "pages")
DOC_FILES = ("text.txt", "indicators.csv", "indicator_values.csv", "documents.csv", "review.csv",
             "report.json")
TABLES_ONLY_FILES = ("indicators.csv", "indicator_values.csv", "documents.csv", "report.json")
EXCEL_NAME = "indicators.xlsx"
# Typed columns of the Parquet and Excel copies (every other column is text as in the CSV).
_INT_COLUMNS = frozenset({"row_no", "page", "year"})
_FLOAT_COLUMNS = frozenset({"confidence", "value", "low", "high"})
_BOOL_COLUMNS = frozenset({"ok"})
_TMP_SUFFIX = ".tmp"
# mkstemp makes files 0600; outputs get the permissions an ordinary open() would give.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success rename it into place, else delete it.

    For writers that want a file name (pyarrow, openpyxl). Raises OutputError on OSError.
    """
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TMP_SUFFIX, dir=path.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)
        yield Path(tmp)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from e
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def atomic_write(path: Path, data: str) -> None:
    """Write *data* to *path* through a temporary file renamed into place."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(data)


def sweep_temp_files(outdir: Path) -> int:
    """Delete temporary files a killed run left in OUTDIR and its document folders.

    Only names made by atomic_path (``.<name>.<random>.tmp``) are touched. Returns the count.
    """
    removed = 0
    try:
        folders = [outdir, *(d for d in outdir.iterdir() if d.is_dir())]
    except OSError:
        return 0
    for folder in folders:
        try:
            names = [f for f in folder.iterdir()
                     if f.name.startswith(".") and f.name.endswith(_TMP_SUFFIX) and f.is_file()]
        except OSError:
            continue
        for f in names:
            try:
                f.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.10g}"


def indicator_header(columns: Sequence[ValueColumn]) -> tuple[str, ...]:
    return INDICATOR_HEAD + tuple(c.name for c in columns) + INDICATOR_TAIL


def indicator_rows(doc: Document, columns: Sequence[ValueColumn]) -> list[list[object]]:
    rows = []
    for r in doc.indicators:
        vals = dict(r.values)
        rows.append([r.source, r.group_no, r.group, r.row_no, r.indicator, r.indicator_id, r.unit,
                     *[vals.get(c.name, "") for c in columns], f"{r.confidence:.2f}",
                     "; ".join(r.flags), r.page, " ".join(map(str, r.lines))])
    return rows


def value_rows(doc: Document) -> list[list[object]]:
    cols = {c.name: c for c in doc.columns}
    rows = []
    for r in doc.indicators:
        for name, raw in r.values:
            col = cols.get(name)
            for v in parse_cell(raw, r.unit):
                rows.append([r.source, r.row_no, r.indicator_id, r.indicator, r.unit, name,
                             col.role if col else "", col.year if col and col.year else "", v.raw,
                             v.op, _fmt(v.value), _fmt(v.low), _fmt(v.high), v.region,
                             "true" if v.ok else "false", v.reason])
    return rows


def review_rows(doc: Document, threshold: float) -> list[list[object]]:
    rows = []
    for line in doc.lines:
        for t in line.tokens:
            if t.confidence < threshold:
                alts = " | ".join(f"{a}:{c:.2f}" for a, c in t.alternatives if a != t.restored)
                rows.append([doc.source, line.number, t.start + 1, t.text, t.restored, alts,
                             f"{t.confidence:.3f}"])
    return rows


def report(doc: Document, threshold: float, tables_only: bool = False) -> dict:
    tokens = [t for ln in doc.lines for t in ln.tokens]
    return {
        "vnocr": __version__,
        "source": doc.source,
        "doc_id": doc.doc_id,
        "encoding": doc.encoding,
        "pages": len(doc.pages),
        "page_kinds": sorted({p.kind for p in doc.pages}),
        "lines": len(doc.lines),
        "words": len(tokens),
        "words_changed": sum(1 for t in tokens if t.restored != t.text),
        "words_for_review": sum(1 for t in tokens if t.confidence < threshold),
        "review_threshold": threshold,
        "columns": [c.name for c in doc.columns],
        "indicators": len(doc.indicators),
        "indicators_matched": sum(1 for r in doc.indicators if r.indicator_id),
        "indicators_flagged": sum(1 for r in doc.indicators if r.flags),
        "documents": len(doc.documents),
        "tables_only": tables_only,
        "timings": dict(doc.timings),
        # the peak resident memory of the process that made this document (a batch worker),
        # Tesseract's own processes not included; differs from run to run like the timings
        "resources": {"worker_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)},
        "warnings": list(doc.warnings),
    }


def write_document(doc: Document, outdir: Path, threshold: float, tables_only: bool = False,
                   extra: dict | None = None) -> Path:
    """Write every output file of *doc* into OUTDIR/<doc_id>/; report.json goes last."""
    d = outdir / doc.doc_id
    if not tables_only:
        text = "\n".join(ln.restored if ln.restored is not None else ln.text for ln in doc.lines)
        atomic_write(d / "text.txt", text + ("\n" if doc.trailing_newline else ""))
        atomic_write(d / "review.csv", csv_text(REVIEW_COLUMNS, review_rows(doc, threshold)))
    atomic_write(d / "indicators.csv",
                 csv_text(indicator_header(doc.columns), indicator_rows(doc, doc.columns)))
    atomic_write(d / "indicator_values.csv", csv_text(VALUE_COLUMNS, value_rows(doc)))
    atomic_write(d / "documents.csv", csv_text(DOCUMENT_COLUMNS, (
        [r.source, r.no, r.title, r.code, r.lead_agency, r.partner_agency, r.level, r.issued_on,
         r.issued_on_raw, r.doc_type, "; ".join(r.flags)] for r in doc.documents)))
    rep = report(doc, threshold, tables_only)
    rep.update(extra or {})
    atomic_write(d / "report.json", json.dumps(rep, ensure_ascii=False, indent=2) + "\n")
    return d


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r, [])
        return header, list(r)


def _typed(name: str, cell: str) -> object:
    """A CSV cell as the Parquet/Excel value of its column (None for empty)."""
    if name in _INT_COLUMNS:
        try:
            return int(cell)
        except ValueError:
            return None
    if name in _FLOAT_COLUMNS:
        try:
            return float(cell)
        except ValueError:
            return None
    if name in _BOOL_COLUMNS:
        return {"true": True, "false": False}.get(cell)
    return cell


def warm_export() -> None:
    """Import what the Parquet copies need (pyarrow, and the pandas it loads to write
    metadata: about half a second), so a caller can do it while other work runs."""
    try:
        import pandas  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:   # reported where the Parquet copy is written
        pass


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write a consolidated CSV table as Parquet (typed numeric columns), atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields, arrays = [], []
    for j, name in enumerate(header):
        kind = (pa.int64() if name in _INT_COLUMNS else pa.float64() if name in _FLOAT_COLUMNS
                else pa.bool_() if name in _BOOL_COLUMNS else pa.string())
        fields.append(pa.field(name, kind))
        arrays.append(pa.array([_typed(name, r[j] if j < len(r) else "") for r in rows],
                               type=kind))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_excel(path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]]
                ) -> None:
    """Write (sheet name, header, rows) tables into one .xlsx workbook, atomically.

    Numbers are stored as numbers; text is always text (a cell such as ``=1`` never becomes
    a formula); characters XML forbids are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.append(list(header))
        for r in rows:
            out = []
            for j, name in enumerate(header):
                v = _typed(name, r[j] if j < len(r) else "")
                if isinstance(v, str):
                    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", v))
                    cell.data_type = "s"
                    out.append(cell)
                else:
                    out.append(v)
            ws.append(out)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _fresh(copy: Path, source: Path) -> bool:
    """True when *copy* was written after *source* (copies are written after their CSV)."""
    try:
        return copy.stat().st_mtime_ns >= source.stat().st_mtime_ns
    except OSError:
        return False


def consolidate(outdir: Path, doc_ids: Sequence[str], excel: bool = False) -> tuple[Path, ...]:
    """Rebuild OUTDIR/indicators.csv and indicator_values.csv from the per-document files.

    Each CSV also gets a Parquet copy, and with *excel* both go into one workbook
    (indicators.xlsx). Files whose content would not change are left alone, so a rerun with
    nothing new is quick. Returns the consolidated files' paths.
    """
    header: list[str] = []
    rows: list[dict[str, str]] = []
    vrows: list[list[str]] = []
    for doc_id in doc_ids:
        p = outdir / doc_id / "indicators.csv"
        if p.exists():
            with open(p, encoding="utf-8", newline="") as f:
                r = csv.DictReader(f)
                for name in r.fieldnames or []:
                    if name not in header:
                        header.append(name)
                rows.extend(r)
        v = outdir / doc_id / "indicator_values.csv"
        if v.exists():
            with open(v, encoding="utf-8", newline="") as f:
                vr = csv.reader(f)
                next(vr, None)
                vrows.extend(vr)
    value_names = [h for h in header if h not in INDICATOR_HEAD + INDICATOR_TAIL]
    full = list(INDICATOR_HEAD) + value_names + list(INDICATOR_TAIL)
    irows = [[r.get(h, "") or "" for h in full] for r in rows]
    tables = (("indicators", full, irows), ("indicator_values", list(VALUE_COLUMNS), vrows))
    written: list[Path] = []
    for name, head, body in tables:
        path = outdir / f"{name}.csv"
        text = csv_text(head, body)
        try:
            same = path.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            atomic_write(path, text)
        parquet = outdir / f"{name}.parquet"
        if not _fresh(parquet, path):
            write_parquet(parquet, head, body)
        written += [path, parquet]
    if excel:
        book = outdir / EXCEL_NAME
        if not all(_fresh(book, outdir / f"{name}.csv") for name, _, _ in tables):
            write_excel(book, tables)
        written.append(book)
    return tuple(written)
