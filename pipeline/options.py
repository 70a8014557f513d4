"""Options of each stage: frozen dataclasses with DEFAULT_* constants checked on creation."""
from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

DEFAULT_REVIEW_THRESHOLD = 0.80
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_WORKERS = os.cpu_count() or 1
DEFAULT_DPI = 300
DEFAULT_LANG = "vie"


class OcrLanguage(str, Enum):
    VIE = "vie"
    ENG_VIE = "eng+vie"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    dpi: int = DEFAULT_DPI

    def __post_init__(self) -> None:
        if self.max_file_bytes <= 0:
            raise ValueError("max_file_bytes must be positive")
        if not 50 <= self.dpi <= 1200:
            raise ValueError("dpi must be between 50 and 1200")


@dataclass(frozen=True, slots=True)
class OcrOptions:
    language: OcrLanguage = OcrLanguage.VIE
    dpi: int = DEFAULT_DPI
    searchable_pdf: bool = False     # also write OUTDIR/<doc_id>/searchable.pdf (--pdf)
    page_workers: int = 1            # pages of one document OCR'd in parallel

    def __post_init__(self) -> None:
        if not 50 <= self.dpi <= 1200:
            raise ValueError("dpi must be between 50 and 1200")


@dataclass(frozen=True, slots=True)
class RestoreOptions:
    enabled: bool = True
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_threshold <= 1.0:
            raise ValueError("review_threshold must be within 0..1")


@dataclass(frozen=True, slots=True)
class RunOptions:
    ingest: IngestOptions = IngestOptions()
    ocr: OcrOptions = OcrOptions()
    restore: RestoreOptions = RestoreOptions()
    workers: int = DEFAULT_WORKERS
    force: bool = False
    tables_only: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
