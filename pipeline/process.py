"""One document end to end: ingest → restore → tables. Where the stages meet."""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from .ingest import read_document
from .models import Document
from .options import RunOptions
from .restore import restore_document
from .tables import parse_tables

log = logging.getLogger(__name__)


def process_document(path: Path, doc_id: str, options: RunOptions | None = None) -> Document:
    """Read, restore and parse one input file. Raises VnocrError subclasses on bad input."""
    options = options or RunOptions()
    timings = []
    t0 = time.perf_counter()
    doc = read_document(path, doc_id, options.ingest, options.ocr)
    t1 = time.perf_counter()
    timings.append(("ingest", round(t1 - t0, 3)))
    doc = restore_document(doc, options.restore)
    t2 = time.perf_counter()
    timings.append(("restore", round(t2 - t1, 3)))
    doc = parse_tables(doc)
    t3 = time.perf_counter()
    timings.append(("tables", round(t3 - t2, 3)))
    return replace(doc, timings=tuple(timings))
