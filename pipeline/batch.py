"""Many inputs: collect, name, process in parallel, resume, and keep a manifest."""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError, VnocrError
from .export import MANIFEST_COLUMNS, atomic_write, consolidate, csv_text, write_document
from .ingest import INPUT_SUFFIXES
from .options import RunOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InputItem:
    path: Path
    doc_id: str


@dataclass(frozen=True, slots=True)
class ManifestRow:
    source: str
    doc_id: str
    status: str          # ok | failed | skipped
    error: str
    seconds: float
    sha256: str


@dataclass(frozen=True, slots=True)
class RunSummary:
    outdir: Path
    rows: tuple[ManifestRow, ...]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")


def collect_inputs(inputs: Sequence[str | Path]) -> list[InputItem]:
    """Files as given, folders recursed (known suffixes, hidden files skipped); ids unique."""
    paths: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file()
                           and f.suffix.lower() in INPUT_SUFFIXES - {""}
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            paths.extend(found)
        else:
            paths.append(p)
    seen: dict[str, int] = {}
    out = []
    for p in paths:
        stem = p.stem if p.suffix.lower() in INPUT_SUFFIXES else p.name
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "document"
        n = seen.get(stem, 0) + 1
        seen[stem] = n
        out.append(InputItem(p, stem if n == 1 else f"{stem}-{n}"))
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def check_outdir(outdir: Path) -> None:
    """Create OUTDIR and prove it writable, before any work starts."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe = outdir / f".vnocr-write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as e:
        raise OutputError(f"{outdir}: output folder cannot be written ({e.strerror or e})") from e


def is_complete(outdir: Path, item: InputItem, sha: str, tables_only: bool) -> bool:
    rep = outdir / item.doc_id / "report.json"
    try:
        data = json.loads(rep.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("sha256") == sha and data.get("tables_only", False) == tables_only


def process_one(item: InputItem, outdir: Path, options: RunOptions) -> ManifestRow:
    """Process and write one input; failures become a failed row, never an exception."""
    from .process import process_document

    t0 = time.perf_counter()
    sha = file_sha256(item.path)
    try:
        doc = process_document(item.path, item.doc_id, options)
        write_document(doc, outdir, options.restore.review_threshold, options.tables_only,
                       extra={"sha256": sha})
        return ManifestRow(str(item.path), item.doc_id, "ok", "",
                           round(time.perf_counter() - t0, 3), sha)
    except VnocrError as e:
        if isinstance(e, OutputError):
            raise
        return ManifestRow(str(item.path), item.doc_id, "failed", e.message,
                           round(time.perf_counter() - t0, 3), sha)
    except Exception as e:  # noqa: BLE001 - a batch records every failure and goes on
        log.debug("internal error on %s:\n%s", item.path, traceback.format_exc())
        return ManifestRow(str(item.path), item.doc_id, "failed",
                           f"{item.path}: internal error ({type(e).__name__}: {e})",
                           round(time.perf_counter() - t0, 3), sha)


def write_manifest(outdir: Path, rows: Sequence[ManifestRow]) -> None:
    atomic_write(outdir / "manifest.csv", csv_text(MANIFEST_COLUMNS, (
        [r.source, r.doc_id, r.status, r.error, f"{r.seconds:.3f}", r.sha256] for r in rows)))


def run(inputs: Sequence[str | Path], outdir: Path, options: RunOptions | None = None,
        on_done: Callable[[ManifestRow], None] | None = None) -> RunSummary:
    """Process every input into OUTDIR; the function the CLI calls.

    Inputs already complete with unchanged content are skipped unless options.force.
    Raises OutputError (exit 2) when OUTDIR cannot be written; input failures are rows.
    """
    options = options or RunOptions()
    outdir = Path(outdir)
    check_outdir(outdir)
    items = collect_inputs(inputs)
    rows: dict[int, ManifestRow] = {}
    todo: list[tuple[int, InputItem]] = []
    for k, item in enumerate(items):
        sha = file_sha256(item.path) if item.path.is_file() else ""
        if not options.force and sha and is_complete(outdir, item, sha, options.tables_only):
            rows[k] = ManifestRow(str(item.path), item.doc_id, "skipped", "", 0.0, sha)
            if on_done:
                on_done(rows[k])
        else:
            todo.append((k, item))

    def ordered() -> list[ManifestRow]:
        return [rows[k] for k in sorted(rows)]

    workers = min(options.workers, max(1, len(todo)))
    if workers <= 1:
        for k, item in todo:
            rows[k] = process_one(item, outdir, options)
            write_manifest(outdir, ordered())
            if on_done:
                on_done(rows[k])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(process_one, item, outdir, options): k for k, item in todo}
            for fut in as_completed(futures):
                k = futures[fut]
                rows[k] = fut.result()
                write_manifest(outdir, ordered())
                if on_done:
                    on_done(rows[k])
    final = ordered()
    write_manifest(outdir, final)
    consolidate(outdir, [r.doc_id for r in final if r.status in ("ok", "skipped")])
    return RunSummary(outdir, tuple(final))
