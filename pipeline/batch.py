"""Many inputs: collect, name, process in parallel, resume, and keep a manifest.

Three ways to run the same per-document function (:func:`process_one`):

- in this process (one worker and no timeout: the ``tables`` command, quick API calls);
- a local pool of worker processes, each loading the models once, fed one document at a
  time; a watchdog kills a worker whose document passes the timeout (with its Tesseract
  children) and starts a fresh one, and a worker that dies only fails its own document;
- a dask.distributed cluster (``Executor.DASK``), inputs and OUTDIR on a shared path.

Every file is written atomically and a document's report.json last, so a run killed at any
point leaves complete documents and no half-written file; the next run skips what is
complete and unchanged and rebuilds the manifest and the consolidated tables.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .errors import MissingDependencyError, OutputError, UsageError, VnocrError
from .export import (
    DOC_FILES,
    MANIFEST_COLUMNS,
    TABLES_ONLY_FILES,
    atomic_write,
    consolidate,
    csv_text,
    sweep_temp_files,
    warm_export,
    write_document,
)
from .ingest import IMAGE_SUFFIXES, INPUT_SUFFIXES, PDF_SUFFIXES
from .options import RunOptions

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3600.0          # seconds per document; a stuck document fails, the run goes on
MANIFEST_FLUSH_SECONDS = 2.0      # rewrite manifest.csv at most this often during a run


class Executor(str, Enum):
    LOCAL = "local"
    DASK = "dask"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How a batch runs (where, how long a document may take, extra consolidated copies)."""

    executor: Executor = Executor.LOCAL
    scheduler: str = ""               # dask scheduler address, e.g. tcp://10.0.0.5:8786
    timeout: float | None = DEFAULT_TIMEOUT
    excel: bool = False               # also write OUTDIR/indicators.xlsx

    def __post_init__(self) -> None:
        object.__setattr__(self, "executor", Executor(self.executor))
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("timeout must be positive (or None for no limit)")
        if self.executor is Executor.DASK and not self.scheduler:
            raise ValueError("the dask executor needs a scheduler address")


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
    pages: int = 0


@dataclass(frozen=True, slots=True)
class RunSummary:
    outdir: Path
    rows: tuple[ManifestRow, ...]
    seconds: float = 0.0
    outputs: tuple[Path, ...] = field(default=())

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def pages(self) -> int:
        """Pages processed in this run (documents done now, not skipped ones)."""
        return sum(r.pages for r in self.rows if r.status == "ok")


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


def completed_pages(outdir: Path, item: InputItem, sha: str, tables_only: bool) -> int | None:
    """Page count of a document whose outputs are complete for content *sha*, else None."""
    d = outdir / item.doc_id
    try:
        data = json.loads((d / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("sha256") != sha or data.get("tables_only", False) != tables_only:
        return None
    if not all((d / name).is_file() for name in (TABLES_ONLY_FILES if tables_only else DOC_FILES)):
        return None
    return int(data.get("pages", 0))


def is_complete(outdir: Path, item: InputItem, sha: str, tables_only: bool) -> bool:
    return completed_pages(outdir, item, sha, tables_only) is not None


def process_one(item: InputItem, outdir: Path, options: RunOptions,
                sha: str | None = None) -> ManifestRow:
    """Process and write one input; failures become a failed row, never an exception.

    The one function every executor runs. Raises only OutputError (OUTDIR unusable).
    """
    from .process import process_document

    t0 = time.perf_counter()
    sha = sha or file_sha256(item.path)
    try:
        doc = process_document(item.path, item.doc_id, options)
        write_document(doc, outdir, options.restore.review_threshold, options.tables_only,
                       extra={"sha256": sha})
        if options.ocr.searchable_pdf and doc.encoding in ("pdf", "image"):
            from .searchable_pdf import write_searchable_pdf

            write_searchable_pdf(doc, item.path, outdir / item.doc_id / "searchable.pdf")
        return ManifestRow(str(item.path), item.doc_id, "ok", "",
                           round(time.perf_counter() - t0, 3), sha, len(doc.pages))
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
        [r.source, r.doc_id, r.status, r.error, f"{r.seconds:.3f}", r.sha256, r.pages]
        for r in rows)))


def _failed(task: _Task, reason: str, seconds: float) -> ManifestRow:
    return ManifestRow(str(task.item.path), task.item.doc_id, "failed",
                       f"{task.item.path}: {reason}", round(seconds, 3), task.sha)


@dataclass(frozen=True, slots=True)
class _Task:
    index: int
    item: InputItem
    sha: str

    @property
    def scanned(self) -> bool:
        return self.item.path.suffix.lower() in PDF_SUFFIXES | IMAGE_SUFFIXES


def _largest_first(tasks: Sequence[_Task]) -> deque[_Task]:
    """Big inputs first, so no worker is left with a long document while the others idle.
    (The order of work never shows in the outputs: rows are kept in input order.)"""
    def size(t: _Task) -> int:
        try:
            return t.item.path.stat().st_size
        except OSError:
            return 0
    return deque(sorted(tasks, key=lambda t: (-size(t), t.index)))


def _next_task(pending: deque[_Task], running: set[str]) -> _Task:
    """The next task, passing over copies of a document being read right now (the same
    content hash): a copy read after the first finds its OCR forms already searched (by the
    same worker, or shared by the other), read alongside it both workers search them."""
    for k, task in enumerate(pending):
        if not task.sha or task.sha not in running:
            del pending[k]
            return task
    return pending.popleft()


def _task_options(options: RunOptions, board: Path | None) -> RunOptions:
    """Put a scan's pages on *board* (pipeline/ocr/board.py), where idle workers help."""
    if board is None:
        return options
    return replace(options, ocr=replace(options.ocr, page_board=str(board)))


# ---------------------------------------------------------------- local worker processes

def _become_worker() -> None:
    """Worker process set-up: own process group (Ctrl-C goes to the parent, which stops the
    workers; a timeout kills the group, Tesseract included), die with the parent, and one
    Tesseract thread per process."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.setpgrp()
    except OSError:
        pass
    try:  # Linux: be killed when the parent dies, even by SIGKILL
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(0)
    except (OSError, AttributeError):
        pass


def warm_models() -> None:
    """Load the lexicon, language model and both channels now (once per process)."""
    from .restore import Source, restore_text

    for source in Source:
        restore_text("Ket qua thuc hien", source)


SHARED_DIR = ".vnocr-searches"   # in OUTDIR while a run's workers share their searches
BOARDS_DIR = ".vnocr-pages"      # in OUTDIR while a run's workers share the pages of scans


def _help(board: str) -> int:
    """Read pages of another worker's scan; a failure here is the owner's to report."""
    from .ocr.board import help_read
    from .ocr.pages import _pool_task

    try:
        return help_read(Path(board), _pool_task)
    except Exception:  # noqa: BLE001 - the page was given back; its owner reads it
        log.debug("helping with %s failed:\n%s", board, traceback.format_exc())
        return 0


def _worker_main(conn: Connection, outdir: str, share: bool = False) -> None:
    _become_worker()
    try:
        warm_models()
    except Exception:  # noqa: BLE001 - the document that needs them will report it
        log.debug("model warm-up failed:\n%s", traceback.format_exc())
    from .restore.sharing import SharedSearches

    shared = SharedSearches(Path(outdir) / SHARED_DIR, f"worker-{os.getpid()}") if share else None
    conn.send(("ready",))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            # Everything is written and reported: skip the interpreter's teardown of the
            # models (most of a second), so the last worker does not hold up the run's end.
            logging.shutdown()
            os._exit(0)
        if msg[0] == "help":
            conn.send(("helped", _help(msg[1])))
            continue
        index, item, options, sha = msg
        if shared:
            _share(shared.collect)
        try:
            row = process_one(item, Path(outdir), options, sha)
        except OutputError as e:
            conn.send(("output-error", index, e.message))
            return
        conn.send(("done", index, row))
        if shared:
            _share(shared.publish)


def _share(step: Callable[[], int]) -> None:
    """Sharing searches only saves time: a failure of it is logged, never a document's."""
    try:
        step()
    except Exception:  # noqa: BLE001
        log.debug("sharing candidate searches failed:\n%s", traceback.format_exc())


class _Slot:
    """One worker process and the document it is working on."""

    def __init__(self, ctx, outdir: Path, share: bool = False):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, str(outdir), share),
                                name="vnocr-worker")
        self.proc.start()
        child.close()
        self.ready = False
        self.task: _Task | None = None
        self.started = 0.0
        self.helping = False               # reading pages of another worker's scan
        self.helped: set[int] = set()      # the documents it was sent to help with

    def give(self, task: _Task, options: RunOptions) -> None:
        self.conn.send((task.index, task.item, options, task.sha))
        self.task = task
        self.started = time.monotonic()

    def help(self, task: _Task, board: Path) -> None:
        self.conn.send(("help", str(board)))
        self.helping = True
        self.helped.add(task.index)

    def kill(self) -> None:
        if self.proc.pid is not None and self.proc.is_alive():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        self.kill()


def _run_local(tasks: list[_Task], outdir: Path, options: RunOptions, workers: int,
               timeout: float | None, record: Callable[[int, ManifestRow], None]) -> None:
    ctx = multiprocessing.get_context("spawn")
    # A worker with no document of its own still reads pages of the others' scans.
    n = workers if any(t.scanned for t in tasks) else min(workers, len(tasks))
    share = n > 1    # one worker has no one to share its searches or pages with
    shared = outdir / SHARED_DIR
    boards = outdir / BOARDS_DIR
    for folder in (shared, boards):
        shutil.rmtree(folder, ignore_errors=True)   # a killed run's files: start afresh
        if share:
            folder.mkdir()

    def board(task: _Task) -> Path | None:
        return boards / str(task.index) if share and task.scanned else None

    def close_board(task: _Task) -> None:
        """The document ended: helpers on their way to its board find nothing to do."""
        where = board(task)
        if where is not None:
            from .ocr.board import close

            with contextlib.suppress(OSError):
                close(where)

    def finished(k: int, row: ManifestRow) -> None:
        close_board(by_index[k])
        record(k, row)

    by_index = {t.index: t for t in tasks}
    pending = _largest_first(tasks)
    slots: list = [_Slot(ctx, outdir, share) for _ in range(n)]
    warming = None
    try:
        while pending or any(s.task for s in slots):
            if not pending and warming is None:
                # The last documents are out: load what the consolidation step needs while
                # they run, not after.
                warming = threading.Thread(target=warm_export, daemon=True)
                warming.start()
            for s in slots:
                if not s.ready or s.task is not None or s.helping:
                    continue
                if pending:
                    task = _next_task(pending, {o.task.sha for o in slots if o.task})
                    s.give(task, _task_options(options, board(task)))
                    continue
                # Nothing left to hand out: help read the pages of a scan still running.
                for o in sorted((o for o in slots if o.task is not None and o.task.scanned
                                 and o.task.index not in s.helped), key=lambda o: o.started):
                    s.help(o.task, board(o.task))
                    break
            now = time.monotonic()
            deadlines = [s.started + timeout for s in slots if s.task and timeout]
            wait_for = min([max(0.0, d - now) for d in deadlines] + [MANIFEST_FLUSH_SECONDS])
            wait([s.conn for s in slots] + [s.proc.sentinel for s in slots], wait_for)
            for i, s in enumerate(slots):
                alive = _drain(s, finished)
                now = time.monotonic()
                reason = ""
                if s.task and timeout and now - s.started > timeout:
                    reason = f"timed out after {timeout:g}s (worker stopped)"
                elif not alive:
                    code = s.proc.exitcode
                    if not s.ready:
                        raise VnocrError(f"a worker process failed to start (exit code {code})")
                    reason = f"worker process died (exit code {code})"
                if not reason:
                    continue
                if s.task:
                    finished(s.task.index, _failed(s.task, reason, now - s.started))
                    s.task = None
                s.kill()
                slots[i] = _Slot(ctx, outdir, share) if pending else None
            slots = [s for s in slots if s is not None]
    finally:
        for s in slots:
            s.kill() if s.task else s.stop()
        for folder in (shared, boards):
            shutil.rmtree(folder, ignore_errors=True)


def _drain(slot: _Slot, record: Callable[[int, ManifestRow], None]) -> bool:
    """Read every message a worker sent; False when the worker is gone."""
    try:
        while slot.conn.poll():
            msg = slot.conn.recv()
            if msg[0] == "ready":
                slot.ready = True
            elif msg[0] == "done":
                slot.task = None
                record(msg[1], msg[2])
            elif msg[0] == "helped":
                slot.helping = False
                log.debug("worker %s read %d page(s) of another worker's scan", slot.proc.pid,
                          msg[1])
            elif msg[0] == "output-error":
                raise OutputError(msg[2])
    except (EOFError, OSError):
        return False
    return slot.proc.is_alive() or slot.conn.poll()


# ---------------------------------------------------------------- dask.distributed

def _run_dask(tasks: list[_Task], outdir: Path, options: RunOptions, scheduler: str,
              timeout: float | None, record: Callable[[int, ManifestRow], None]) -> None:
    """Run process_one on a dask.distributed cluster, as many documents at once as it has
    threads. A document past the timeout is failed and its task cancelled (dask cannot stop a
    running thread, so the worker may still finish and write it; the next run then skips it).
    """
    try:
        from distributed import Client
        from distributed import wait as dask_wait
    except ImportError as e:
        raise MissingDependencyError(
            "the dask executor needs dask.distributed: pip install 'vnocr[dask]'") from e
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise UsageError(f"cannot reach the dask scheduler at {scheduler} ({e})") from e
    pending = _largest_first(tasks)
    running: dict[object, tuple[_Task, float]] = {}
    try:
        while pending or running:
            capacity = max(1, sum(client.nthreads().values()))
            while pending and len(running) < capacity:
                task = pending.popleft()
                fut = client.submit(process_one, task.item, outdir, options, task.sha,
                                    pure=False, key=f"vnocr-{task.index}-{task.item.doc_id}-"
                                                    f"{os.urandom(4).hex()}")
                running[fut] = (task, time.monotonic())
            now = time.monotonic()
            deadlines = [t0 + timeout for _, t0 in running.values()] if timeout else []
            wait_for = min([max(0.05, d - now) for d in deadlines] + [MANIFEST_FLUSH_SECONDS])
            try:
                with client.as_current():
                    done = dask_wait(list(running), timeout=wait_for,
                                     return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for fut in done:
                task, t0 = running.pop(fut)
                try:
                    row = fut.result()
                except OutputError:
                    raise
                except Exception as e:  # noqa: BLE001 - a lost worker fails its document only
                    row = _failed(task, f"dask task failed ({type(e).__name__}: {e})",
                                  time.monotonic() - t0)
                record(task.index, row)
            now = time.monotonic()
            for fut, (task, t0) in list(running.items()):
                if timeout and now - t0 > timeout:
                    del running[fut]
                    fut.cancel()
                    record(task.index, _failed(task, f"timed out after {timeout:g}s", now - t0))
    finally:
        for fut in running:
            fut.cancel()
        client.close()


# ---------------------------------------------------------------- the batch

def run(inputs: Sequence[str | Path], outdir: Path, options: RunOptions | None = None,
        on_done: Callable[[ManifestRow], None] | None = None, *,
        batch: BatchOptions | None = None,
        on_start: Callable[[int, int], None] | None = None) -> RunSummary:
    """Process every input into OUTDIR; the function the CLI calls.

    Args:
        inputs: files and folders (searched recursively for known suffixes).
        outdir: output folder, created if missing.
        options: processing options; ``options.workers`` worker processes.
        on_done: called with each input's manifest row as it is settled (skipped ones first).
        batch: executor, per-document timeout, Excel copy.
        on_start: called once with (inputs found, inputs already complete) before any work.
    Returns:
        RunSummary with one manifest row per input, in input order.
    Raises:
        OutputError (exit 2) when OUTDIR cannot be written, before any work; input failures
        are rows. KeyboardInterrupt after stopping the workers and writing the manifest of
        what is done.
    """
    started = time.perf_counter()
    options = options or RunOptions()
    batch = batch or BatchOptions()
    outdir = Path(outdir)
    check_outdir(outdir)
    sweep_temp_files(outdir)
    items = collect_inputs(inputs)
    rows: dict[int, ManifestRow] = {}
    tasks: list[_Task] = []
    for k, item in enumerate(items):
        sha = file_sha256(item.path) if item.path.is_file() else ""
        pages = (completed_pages(outdir, item, sha, options.tables_only)
                 if sha and not options.force else None)
        if pages is not None:
            rows[k] = ManifestRow(str(item.path), item.doc_id, "skipped", "", 0.0, sha, pages)
        else:
            tasks.append(_Task(k, item, sha))
    # A missing Tesseract or model stops the run before any work (exit 2), not per file;
    # only the inputs still to do are looked at (a rerun need not open every PDF).
    from .ocr import require_ocr

    require_ocr([t.item.path for t in tasks], options.ocr.language)
    if on_start:
        on_start(len(items), len(rows))
    if on_done:
        for k in sorted(rows):
            on_done(rows[k])

    def ordered() -> list[ManifestRow]:
        return [rows[k] for k in sorted(rows)]

    flushed = time.monotonic()

    def record(k: int, row: ManifestRow) -> None:
        nonlocal flushed
        rows[k] = row
        if on_done:
            on_done(row)
        if time.monotonic() - flushed >= MANIFEST_FLUSH_SECONDS:
            write_manifest(outdir, ordered())
            flushed = time.monotonic()

    try:
        if not tasks:
            pass
        elif batch.executor is Executor.DASK:
            _run_dask(tasks, outdir, options, batch.scheduler, batch.timeout, record)
        elif options.workers == 1 and batch.timeout is None:
            for task in tasks:
                record(task.index, process_one(task.item, outdir, options, task.sha))
        else:
            _run_local(tasks, outdir, options, options.workers, batch.timeout, record)
    except BaseException:
        write_manifest(outdir, ordered())   # what is settled; the next run completes it
        raise
    final = ordered()
    write_manifest(outdir, final)
    outputs = consolidate(outdir, [r.doc_id for r in final if r.status in ("ok", "skipped")],
                          excel=batch.excel)
    return RunSummary(outdir, tuple(final), round(time.perf_counter() - started, 3),
                      (outdir / "manifest.csv", *outputs))
