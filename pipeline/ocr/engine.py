"""Running Tesseract: the engine behind a small protocol, one thread per process.

Only this module starts the ``tesseract`` program (through pytesseract). Everything else in
``pipeline.ocr`` talks to an :class:`OcrEngine`, so tests can replay saved TSV output.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from PIL import Image

from ..errors import MissingDependencyError, OcrError
from ..options import OcrOptions

log = logging.getLogger(__name__)

# Tesseract's OpenMP threads make a page ~5x slower on 2 cores; parallelise across pages.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-vie"


class OcrEngine(Protocol):
    """What the OCR stage needs from an engine (Tesseract, or saved output in tests)."""

    def image_to_tsv(self, image: Image.Image, options: OcrOptions) -> str:
        """Tesseract TSV (``image_to_data``) of one page image."""
        ...

    def image_to_osd(self, image: Image.Image) -> str:
        """Tesseract's orientation and script detection text for one page image."""
        ...

    # Optional: an engine with ``image_to_line_tsv(image, options) -> str`` (one line of
    # text, ``--psm 7``) also gets the second look of :mod:`pipeline.ocr.reread`.


@functools.lru_cache(maxsize=4)
def check_tesseract(language: str = "vie") -> str:
    """Return Tesseract's version; raise MissingDependencyError naming what to install.

    Args:
        language: a Tesseract language spec such as ``vie`` or ``eng+vie``.
    Raises:
        MissingDependencyError: no ``tesseract`` program, or a model of *language* missing.
    """
    import pytesseract

    try:
        version = str(pytesseract.get_tesseract_version())
        langs = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise MissingDependencyError(f"tesseract is not installed: {INSTALL_HINT}") from e
    for lang in language.split("+"):
        if lang not in langs:
            raise MissingDependencyError(
                f"Tesseract has no '{lang}' model: apt-get install tesseract-ocr-{lang}")
    return version


def _config(options: OcrOptions, dpi: int) -> str:
    # Tesseract 5 re-reads low-confidence lines inverted by default; report pages are dark
    # text on light paper, and skipping that check saves ~10% per page.
    return f"--psm {options.psm} --dpi {dpi} -c tessedit_do_invert=0"


class TesseractEngine:
    """The real engine: ``tesseract`` through pytesseract, images passed as uncompressed PNM.

    pytesseract writes PIL images as PNG, which costs ~0.2 s per A4 page at 300 dpi; a PNM
    file costs almost nothing to write and Tesseract (Leptonica) reads it directly.
    """

    def __init__(self, dpi: int = 300):
        self.dpi = dpi

    def _dpi(self, image: Image.Image) -> int:
        dpi = image.info.get("dpi")
        try:
            value = int(round(float(dpi[0]))) if dpi else self.dpi
        except (TypeError, ValueError, IndexError):
            value = self.dpi
        return value if 50 <= value <= 1200 else self.dpi

    def _run(self, image: Image.Image, fn, **kwargs) -> str:
        import pytesseract

        mode = "L" if image.mode in ("1", "L", "LA", "P") else "RGB"
        with tempfile.TemporaryDirectory(prefix="vnocr-") as tmp:
            path = Path(tmp) / ("page.pgm" if mode == "L" else "page.ppm")
            image.convert(mode).save(path)
            try:
                return fn(str(path), **kwargs)
            except pytesseract.TesseractNotFoundError as e:
                raise MissingDependencyError(
                    f"tesseract is not installed: {INSTALL_HINT}") from e
            except (pytesseract.TesseractError, RuntimeError) as e:
                raise OcrError(f"tesseract failed: {str(e).strip()[:200]}") from e

    def _tsv(self, image: Image.Image, options: OcrOptions, config: str) -> str:
        import pytesseract

        check_tesseract(options.language.value)
        return self._run(image, pytesseract.image_to_data, lang=options.language.value,
                         config=config, output_type=pytesseract.Output.STRING)

    def image_to_tsv(self, image: Image.Image, options: OcrOptions) -> str:
        return self._tsv(image, options, _config(options, self._dpi(image)))

    def image_to_line_tsv(self, image: Image.Image, options: OcrOptions) -> str:
        """TSV of an image holding one line of text (a region cut out for a second look)."""
        return self._tsv(image, options,
                         f"--psm 7 --dpi {self._dpi(image)} -c tessedit_do_invert=0")

    def image_to_osd(self, image: Image.Image) -> str:
        import pytesseract

        return self._run(image, pytesseract.image_to_osd,
                         config=f"--psm 0 --dpi {self._dpi(image)}")


_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONF = re.compile(r"Orientation confidence:\s*([\d.]+)")


def parse_osd(text: str) -> tuple[int, float]:
    """(degrees to rotate clockwise to make the page upright, confidence) from OSD text."""
    rot = _OSD_ROTATE.search(text)
    conf = _OSD_CONF.search(text)
    return (int(rot.group(1)) % 360 if rot else 0, float(conf.group(1)) if conf else 0.0)


def run_tesseract(image: Image.Image, options: OcrOptions,
                  engine: OcrEngine | None = None) -> str:
    """Run the engine (Tesseract by default) on one page image and return its TSV output."""
    return (engine or TesseractEngine()).image_to_tsv(image, options)
