"""Write a processed Document: text, CSVs and the JSON report, each file atomically.

Column orders are contracts (README, "Output files"); change them only on purpose.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
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
                    "issued_on", "issued_on_raw", "doc_type")
REVIEW_COLUMNS = ("source", "line", "column", "ocr", "chosen", "alternatives", "confidence")
MANIFEST_COLUMNS = ("source", "doc_id", "status", "error", "seconds", "sha256")
DOC_FILES = ("text.txt", "indicators.csv", "indicator_values.csv", "documents.csv", "review.csv",
             "report.json")


def atomic_write(path: Path, data: str) -> None:
    """Write *data* to *path* through a temporary file renamed into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from e


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
         r.issued_on_raw, r.doc_type] for r in doc.documents)))
    rep = report(doc, threshold, tables_only)
    rep.update(extra or {})
    atomic_write(d / "report.json", json.dumps(rep, ensure_ascii=False, indent=2) + "\n")
    return d


def consolidate(outdir: Path, doc_ids: Sequence[str]) -> None:
    """Rebuild OUTDIR/indicators.csv and indicator_values.csv from the per-document files."""
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
    atomic_write(outdir / "indicators.csv",
                 csv_text(full, ([r.get(h, "") for h in full] for r in rows)))
    atomic_write(outdir / "indicator_values.csv", csv_text(VALUE_COLUMNS, vrows))
