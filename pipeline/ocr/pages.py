"""OCR of whole pages: load a page image, prepare it, read it, map boxes back; many pages
in parallel processes.

A page is named by a :class:`PageSource` (file, page index, kind) rather than passed as
pixels, so worker processes load and render their own pages and nothing large is pickled.
"""
from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from PIL import Image

from ..errors import InputFileError, MissingDependencyError, OcrError, VnocrError
from ..options import OcrOptions
from .engine import OcrEngine, TesseractEngine, parse_osd
from .order import order_lines
from .preprocess import (MIN_SKEW_DEGREES, PageTransform, prepare_page, skew_angle,
                         skew_from_boxes)
from .tsv import OcrLine, parse_tesseract_tsv

log = logging.getLogger(__name__)

# A page reads badly (maybe sideways or upside down) below these; then ask Tesseract's OSD.
POOR_MEAN_CONFIDENCE = 0.60
MIN_OSD_CONFIDENCE = 2.0


@dataclass(frozen=True, slots=True)
class PageSource:
    """One page to OCR: ``kind`` is ``pdf`` (render page ``index``) or ``image`` (frame)."""

    path: str
    index: int                  # 0-based page of the PDF or frame of the image
    kind: str = "image"


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The words of one page, boxes in pixels of the source page image (``width``×``height``)."""

    source: PageSource
    lines: tuple[OcrLine, ...]
    width: int
    height: int
    transform: PageTransform
    seconds: float = 0.0
    tables: tuple = ()          # models.Table found by the page's ruling lines (cells OCR'd)


def load_page_image(source: PageSource, dpi: int) -> tuple[Image.Image, int | None]:
    """The page's pixels and, for rendered PDF pages, their resolution.

    Raises InputFileError when the page cannot be decoded.
    """
    if source.kind == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(source.path)
            try:
                page = pdf[source.index]
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                image = bitmap.to_pil().convert("L")
            finally:
                pdf.close()
        except pdfium.PdfiumError as e:
            raise InputFileError(source.path, f"page {source.index + 1}: cannot render ({e})"
                                 ) from e
        return image, dpi
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source.path) as im:
                im.seek(source.index)
                im.load()
                image = im.copy()
                image.info.update(im.info)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputFileError(source.path, "image too large (decompression bomb refused)") from e
    except (OSError, EOFError, ValueError, SyntaxError) as e:
        raise InputFileError(source.path, f"page {source.index + 1}: cannot decode image ({e})"
                             ) from e
    return image, None


def _mean_conf(lines: tuple[OcrLine, ...]) -> float:
    confs = [w.conf for ln in lines for w in ln.words]
    return sum(confs) / len(confs) if confs else 0.0


def _to_source(lines: tuple[OcrLine, ...], transform: PageTransform) -> tuple[OcrLine, ...]:
    out = []
    for ln in lines:
        words = []
        for w in ln.words:
            x0, y0, x1, y1 = transform.to_source((w.left, w.top, w.right, w.bottom))
            words.append(replace(w, left=int(x0), top=int(y0), width=max(1, round(x1 - x0)),
                                 height=max(1, round(y1 - y0))))
        out.append(replace(ln, words=tuple(words)))
    return tuple(out)


def _osd_turn(image: Image.Image, engine: OcrEngine) -> int:
    """Degrees counter-clockwise that OSD says make the page upright (0 when unsure)."""
    try:
        turn, conf = parse_osd(engine.image_to_osd(image))
    except OcrError as e:  # OSD fails on pages with too little text; keep what we have
        log.debug("OSD failed: %s", e)
        return 0
    # OSD's "Rotate: N" is clockwise; PIL turns counter-clockwise
    return (360 - turn) % 360 if conf >= MIN_OSD_CONFIDENCE else 0


def ocr_image(image: Image.Image, options: OcrOptions, engine: OcrEngine | None = None,
              dpi: int | None = None) -> tuple[tuple[OcrLine, ...], PageTransform]:
    """OCR one page image: prepare, read, retry turned if OSD says so, order, map back.

    Returns the lines in reading order (word boxes in source pixels) and the transform.
    """
    engine = engine or TesseractEngine(options.dpi)
    prepared, transform = prepare_page(image, options, dpi)
    lines = parse_tesseract_tsv(engine.image_to_tsv(prepared, options))
    if options.orientation and _mean_conf(lines) < POOR_MEAN_CONFIDENCE:
        turn = _osd_turn(prepared, engine)
        if turn:
            retry, retry_t = prepare_page(image, options, dpi, turn=turn)
            retry_lines = parse_tesseract_tsv(engine.image_to_tsv(retry, options))
            if _mean_conf(retry_lines) > _mean_conf(lines):
                prepared, lines, transform = retry, retry_lines, retry_t
    if options.deskew:
        rough = skew_from_boxes([[(w.left, w.top, w.right, w.bottom) for w in ln.words]
                                 for ln in lines])
        if abs(rough) >= MIN_SKEW_DEGREES:
            angle = skew_angle(prepared)
            if abs(angle) >= MIN_SKEW_DEGREES / 2:
                retry, retry_t = prepare_page(image, options, dpi, turn=transform.turn,
                                              skew=angle)
                retry_lines = parse_tesseract_tsv(engine.image_to_tsv(retry, options))
                if _mean_conf(retry_lines) >= _mean_conf(lines):
                    lines, transform = retry_lines, retry_t
    return _to_source(order_lines(lines), transform), transform


def ocr_source(source: PageSource, options: OcrOptions,
               engine: OcrEngine | None = None) -> OcrPage:
    """Load, prepare and OCR one page. Raises InputFileError / OcrError for this page."""
    t0 = time.perf_counter()
    image, dpi = load_page_image(source, options.dpi)
    width, height = image.size
    try:
        lines, transform = ocr_image(image, options, engine, dpi)
    except ValueError as e:
        raise OcrError(f"{source.path}: page {source.index + 1}: unreadable OCR output ({e})"
                       ) from e
    tables: tuple = ()
    if options.tables:
        # Ruled tables: the grid from the page's lines, each cell OCR'd on its own
        # (a whole-page pass misplaces short cells and drops empty ones).
        from ..tables.grid import tables_from_image

        try:
            tables = tables_from_image(image, source.index + 1, dpi=dpi)
        except Exception as e:  # noqa: BLE001 - a table failure must not lose the page text
            log.warning("%s: page %d: table grid failed: %s", source.path, source.index + 1, e)
    return OcrPage(source, lines, width, height, transform, round(time.perf_counter() - t0, 3),
                   tables)


def _worker_init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _pool_task(source: PageSource, options: OcrOptions,
               engine: OcrEngine | None) -> OcrPage | OcrError:
    # InputFileError does not survive pickling (two-argument constructor): send the message
    try:
        return ocr_source(source, options, engine)
    except MissingDependencyError:
        raise
    except VnocrError as e:
        return OcrError(e.message)


def ocr_sources(sources: Sequence[PageSource], options: OcrOptions,
                engine: OcrEngine | None = None) -> list[OcrPage | VnocrError]:
    """OCR many pages, in ``options.page_workers`` processes; results in input order.

    A page that fails gives its error in its place (the caller reports it and goes on);
    a missing Tesseract or model is raised at once since no page can succeed.
    """
    workers = min(options.page_workers, len(sources))
    results: list[OcrPage | VnocrError] = []
    if workers <= 1:
        for src in sources:
            try:
                results.append(ocr_source(src, options, engine))
            except MissingDependencyError:
                raise
            except VnocrError as e:
                results.append(e)
        return results
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
        futures = [pool.submit(_pool_task, src, options, engine) for src in sources]
        results.extend(fut.result() for fut in futures)
    return results
