"""Page boards: the pages of one scan read by its owner and by idle workers of the run
(pipeline/ocr/board.py). Helpers run in forked processes; the batch test runs real Tesseract."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from pipeline.ocr.board import help_read, read_pages

FORK = multiprocessing.get_context("fork")


def slow_read(source, options, engine):
    """A stand-in for ocr_source: which page, read by which process."""
    time.sleep(0.15)
    return (source, os.getpid())


def dying_read(source, options, engine):
    os._exit(3)   # the helper dies holding its claim, before writing a result


def failing_read(source, options, engine):
    raise RuntimeError("broken helper")


def _helper(board: Path, run) -> multiprocessing.Process:
    proc = FORK.Process(target=help_read, args=(board, run))
    proc.start()
    # reap it as soon as it ends (a dead, unreaped claimant must count as dead anyway)
    threading.Thread(target=proc.join, daemon=True).start()
    return proc


def test_owner_and_helper_read_every_page_once_in_order(tmp_path):
    board = tmp_path / "board"
    helper = _helper(board, slow_read)
    results = read_pages(board, list(range(8)), None, None, slow_read)
    helper.join(10)
    assert [page for page, _pid in results] == list(range(8))
    readers = {pid for _page, pid in results}
    assert readers == {os.getpid(), helper.pid}
    # the helper takes pages from the end: the owner's share is a prefix
    owner_pages = [page for page, pid in results if pid == os.getpid()]
    assert owner_pages == list(range(len(owner_pages)))
    assert sorted(p.name for p in board.iterdir()) == ["done"]


def test_page_of_a_helper_that_died_is_read_by_the_owner(tmp_path):
    board = tmp_path / "board"
    helper = _helper(board, dying_read)
    results = read_pages(board, list(range(6)), None, None, slow_read)
    helper.join(10)
    assert helper.exitcode == 3
    assert results == [(i, os.getpid()) for i in range(6)]


def test_page_a_helper_fails_on_is_given_back(tmp_path):
    board = tmp_path / "board"
    helper = _helper(board, failing_read)
    results = read_pages(board, list(range(6)), None, None, slow_read)
    helper.join(10)
    assert helper.exitcode != 0
    assert results == [(i, os.getpid()) for i in range(6)]


def test_helper_of_a_finished_document_returns_at_once(tmp_path):
    board = tmp_path / "board"
    board.mkdir()
    (board / "done").touch()
    t0 = time.monotonic()
    assert help_read(board, slow_read) == 0
    assert time.monotonic() - t0 < 1.0


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_two_workers_share_the_pages_of_one_scan(tmp_path):
    from test_batch import snapshot
    from test_ocr import LINES, _tiff, page_image

    from pipeline.batch import run
    from pipeline.options import RunOptions

    src = tmp_path / "in" / "bốn trang.tif"
    src.parent.mkdir()
    _tiff(src, [page_image([line] + LINES) for line in LINES + LINES[:1]])
    one, two = tmp_path / "one", tmp_path / "two"
    assert run([src], one, RunOptions(workers=1)).count("ok") == 1
    assert run([src], two, RunOptions(workers=2)).count("ok") == 1
    assert snapshot(two) == snapshot(one)
    assert not (two / ".vnocr-pages").exists()
