"""OCR with Tesseract: running the engine (engine.py) apart from parsing its TSV (tsv.py)."""
from __future__ import annotations

from .engine import check_tesseract, ocr_image
from .tsv import OcrLine, OcrWord, parse_tesseract_tsv

__all__ = ["check_tesseract", "ocr_image", "parse_tesseract_tsv", "OcrLine", "OcrWord"]
