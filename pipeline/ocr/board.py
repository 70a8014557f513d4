"""Page boards: the pages of one scan, open to every worker of a run.

A batch hands out whole documents, so near the end of a run one worker may still be reading
a long scan while the others have nothing left. A worker that starts the OCR of a document
of several pages therefore posts each page as a task file on a board (a folder in OUTDIR,
named by the run) and reads the pages in order, claiming each by renaming its task file:
a rename is atomic, so exactly one claimant wins. A worker with nothing left to do is sent
to the board and claims pages from the other end, writing each result next to its task.
The owner then waits for the pages others claimed; the page of a claimant that died (its
process gone) it reads itself. Who reads a page never changes what is read: the task holds
everything the page's OCR depends on.

Board files: ``task-NNNNN.pkl`` (page source, OCR options, engine), ``claim-NNNNN-PID.pkl``
(the same, claimed by process PID), ``result-NNNNN.pkl`` (the OcrPage or the page's error),
``done`` (the owner needs no more help; also written by the run when the document ends).
"""
from __future__ import annotations

import logging
import os
import pickle
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 0.02
DONE = "done"


def _task(board: Path, i: int) -> Path:
    return board / f"task-{i:05d}.pkl"


def _result(board: Path, i: int) -> Path:
    return board / f"result-{i:05d}.pkl"


def _mine(board: Path, i: int) -> Path:
    """Page *i*'s task file as claimed by this process."""
    return board / f"claim-{i:05d}-{os.getpid()}.pkl"


def close(board: Path) -> None:
    """Mark *board* done (creating it if its owner never posted): a helper on its way, or
    still looking for pages, learns there is nothing left to read."""
    board.mkdir(parents=True, exist_ok=True)
    (board / DONE).touch()


def _write(path: Path, obj) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def claim(board: Path, i: int) -> Path | None:
    """Claim page *i* for this process; None when another process has it."""
    mine = _mine(board, i)
    try:
        os.rename(_task(board, i), mine)
    except FileNotFoundError:
        return None
    return mine


def _claimant(board: Path, i: int) -> tuple[Path, int] | None:
    for p in board.glob(f"claim-{i:05d}-*.pkl"):
        try:
            return p, int(p.stem.rsplit("-", 1)[1])
        except ValueError:
            continue
    return None


def _alive(pid: int) -> bool:
    """Is process *pid* still running (a zombie, dead but not yet reaped, is not)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:   # Linux: the state field follows the parenthesised command name
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:][:1] != "Z"
    except (OSError, ValueError):
        return True


def read_page(claimed: Path, run: Callable) -> object:
    """*run(source, options, engine)* on a claimed task (``pages._pool_task``: the OcrPage,
    or the page's error as an OcrError)."""
    with open(claimed, "rb") as f:
        source, options, engine = pickle.load(f)
    return run(source, options, engine)


def read_pages(board: Path, sources: Sequence, options, engine, run: Callable) -> list:
    """The owner's side: post every page, read them in order unless claimed by a helper,
    then collect the helpers' results. Results in input order, as ``ocr_sources`` gives."""
    n = len(sources)
    posting = board.with_name(f".{board.name}.posting")
    shutil.rmtree(posting, ignore_errors=True)
    posting.mkdir(parents=True)
    for i, src in enumerate(sources):
        _write(_task(posting, i), (src, options, engine))
    os.rename(posting, board)     # the board appears with every task on it
    results: list = [None] * n
    try:
        for i in range(n):
            mine = claim(board, i)
            if mine is not None:
                results[i] = read_page(mine, run)
        close(board)
        for i in range(n):
            while results[i] is None:
                results[i] = _collect(board, i, run)
    finally:
        shutil.rmtree(board, ignore_errors=True)
        close(board)
    return results


def _collect(board: Path, i: int, run: Callable):
    """A helper's result for page *i*; reads the page itself when its claimant died or gave
    it back. None while the page is still being read."""
    path = _result(board, i)
    if path.exists():
        with open(path, "rb") as f:
            return pickle.load(f)
    mine = claim(board, i)           # given back by its helper
    if mine is not None:
        return read_page(mine, run)
    held = _claimant(board, i)
    if held is not None and not _alive(held[1]):
        mine = _mine(board, i)
        try:
            os.rename(held[0], mine)
        except FileNotFoundError:
            return None
        log.debug("%s: page %d's reader (pid %d) died; reading it here", board, i + 1, held[1])
        return read_page(mine, run)
    time.sleep(POLL_SECONDS)
    return None


def help_read(board: Path, run: Callable, wait_seconds: float = 10.0) -> int:
    """The helper's side: claim pages of *board* from the last down and read them until none
    is left or the owner is done; returns how many were read. Waits up to *wait_seconds* for
    the owner to post the board."""
    deadline = time.monotonic() + wait_seconds
    while not board.is_dir():
        if time.monotonic() > deadline:
            return 0
        time.sleep(POLL_SECONDS)
    done = 0
    while not (board / DONE).exists():
        tasks = sorted(board.glob("task-*.pkl"), reverse=True)
        if not tasks:
            return done
        for task in tasks:
            i = int(task.stem.split("-")[1])
            mine = claim(board, i)
            if mine is None:
                continue
            try:
                result = read_page(mine, run)
            except Exception:
                # give the page back: its owner reads it (and reports what goes wrong)
                try:
                    os.rename(mine, _task(board, i))
                except OSError:
                    pass
                raise
            try:
                _write(_result(board, i), result)
            except OSError:   # the document ended (timed out) meanwhile
                return done
            done += 1
            break
    return done
