"""Running Tesseract through pytesseract: one thread per process, errors translated."""
from __future__ import annotations

import functools
import logging
import os

from PIL import Image

from ..errors import MissingDependencyError, OcrError
from ..options import OcrOptions
from .tsv import OcrLine, parse_tesseract_tsv

log = logging.getLogger(__name__)

# Tesseract's OpenMP threads make a page ~5x slower on 2 cores; parallelise across pages.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@functools.lru_cache(maxsize=4)
def check_tesseract(language: str = "vie") -> str:
    """Return Tesseract's version; raise MissingDependencyError naming what to install."""
    import pytesseract

    try:
        version = str(pytesseract.get_tesseract_version())
        langs = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise MissingDependencyError(
            "tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-vie"
        ) from e
    for lang in language.split("+"):
        if lang not in langs:
            raise MissingDependencyError(
                f"Tesseract has no '{lang}' model: apt-get install tesseract-ocr-{lang}")
    return version


def run_tesseract(image: Image.Image, options: OcrOptions) -> str:
    """Run Tesseract on one page image and return its TSV output."""
    import pytesseract

    check_tesseract(options.language.value)
    try:
        return pytesseract.image_to_data(image, lang=options.language.value,
                                         config="--psm 3", output_type=pytesseract.Output.STRING)
    except pytesseract.TesseractError as e:
        raise OcrError(f"tesseract failed: {e}") from e


def ocr_image(image: Image.Image, options: OcrOptions) -> tuple[OcrLine, ...]:
    """OCR one page: words, boxes and confidences grouped into lines."""
    return parse_tesseract_tsv(run_tesseract(image, options))
