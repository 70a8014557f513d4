"""Options of each stage: frozen dataclasses with DEFAULT_* constants checked on creation."""
from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

DEFAULT_REVIEW_THRESHOLD = 0.90
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_WORKERS = os.cpu_count() or 1
DEFAULT_DPI = 300
DEFAULT_LANG = "vie"
DEFAULT_PSM = 3                  # Tesseract page segmentation: automatic, no OSD
DEFAULT_MIN_SCAN_DPI = 250       # scans below this are upscaled to DEFAULT_DPI before OCR
DEFAULT_MIN_TEXT_CHARS = 20      # a PDF page with fewer usable text-layer characters is OCR'd


class OcrLanguage(str, Enum):
    VIE = "vie"
    ENG_VIE = "eng+vie"


class ImageNormalization(str, Enum):
    """What to do to page pixels before OCR (Tesseract binarises with Otsu itself)."""

    NONE = "none"
    CONTRAST = "contrast"      # stretch grey levels per page (autocontrast)
    BINARIZE = "binarize"      # our own adaptive threshold instead of Tesseract's Otsu


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
    page_workers: int = 1            # pages of one document OCR'd in parallel (processes)
    psm: int = DEFAULT_PSM
    deskew: bool = True              # measure skew and straighten the page before OCR
    orientation: bool = True         # Tesseract OSD on pages that read badly; turn and retry
    normalization: ImageNormalization = ImageNormalization.NONE
    min_scan_dpi: int = DEFAULT_MIN_SCAN_DPI
    min_text_chars: int = DEFAULT_MIN_TEXT_CHARS
    tables: bool = True              # find ruled tables on scans and OCR them cell by cell
    # A folder where the pages of a document of several pages wait for any worker of the
    # run to read them (pipeline/ocr/board.py); set per document by `vnocr run`.
    page_board: str = ""

    def __post_init__(self) -> None:
        if not 50 <= self.dpi <= 1200:
            raise ValueError("dpi must be between 50 and 1200")
        if self.page_workers < 1:
            raise ValueError("page_workers must be at least 1")
        if self.psm not in (1, 3, 4, 6, 11, 12):
            raise ValueError("psm must be one of 1, 3, 4, 6, 11, 12")
        if not 50 <= self.min_scan_dpi <= self.dpi:
            raise ValueError("min_scan_dpi must be between 50 and dpi")
        if self.min_text_chars < 0:
            raise ValueError("min_text_chars must not be negative")
        object.__setattr__(self, "language", OcrLanguage(self.language))
        object.__setattr__(self, "normalization", ImageNormalization(self.normalization))


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
