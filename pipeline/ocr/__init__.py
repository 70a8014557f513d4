"""OCR of scans with Tesseract: running the engine (engine.py) apart from parsing its TSV
(tsv.py); page preparation (preprocess.py), reading order (order.py), pages in parallel
(pages.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..options import DEFAULT_MIN_TEXT_CHARS, OcrLanguage
from .engine import OcrEngine, TesseractEngine, check_tesseract, run_tesseract
from .pages import OcrPage, PageSource, ocr_image, ocr_source, ocr_sources
from .tsv import OcrLine, OcrWord, parse_tesseract_tsv

__all__ = ["check_tesseract", "require_ocr", "needs_ocr", "run_tesseract", "ocr_image",
           "ocr_source", "ocr_sources", "parse_tesseract_tsv", "OcrEngine", "TesseractEngine",
           "OcrLine", "OcrWord", "OcrPage", "PageSource"]

SCAN_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


def needs_ocr(path: str | Path, min_text_chars: int = DEFAULT_MIN_TEXT_CHARS) -> bool:
    """Whether an input needs Tesseract: images, and PDFs with a page without text.

    A PDF that cannot be opened counts as not needing OCR: ingest reports it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in SCAN_SUFFIXES:
        return True
    if suffix != ".pdf" or not path.is_file():
        return False
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError):
        return False
    try:
        for page in pdf:
            text = page.get_textpage().get_text_range()
            if len("".join(text.split())) < min_text_chars:
                return True
        return False
    except pdfium.PdfiumError:
        return False
    finally:
        pdf.close()


def require_ocr(paths: Iterable[str | Path],
                language: OcrLanguage | str = OcrLanguage.VIE) -> None:
    """Check Tesseract and its models up front when any input may need OCR.

    Call before any work starts, so a missing dependency stops the run with one message
    (exit code 2) instead of failing every scanned input. Text inputs need nothing.
    Raises:
        MissingDependencyError: naming what to install.
    """
    for p in paths:
        if Path(p).is_dir():
            found = any(needs_ocr(f) for f in Path(p).rglob("*") if f.is_file())
        else:
            found = needs_ocr(p)
        if found:
            check_tesseract(OcrLanguage(language).value)
            return
