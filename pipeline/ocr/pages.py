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
from pathlib import Path

from PIL import Image

from ..errors import InputFileError, MissingDependencyError, OcrError, VnocrError
from ..options import OcrOptions
from .engine import OcrEngine, TesseractEngine, parse_osd
from .order import order_lines
from .preprocess import (
    MIN_SKEW_DEGREES,
    PageTransform,
    estimate_dpi,
    image_dpi,
    ink_bands,
    prepare_page,
    skew_angle,
    skew_from_boxes,
    to_gray,
)
from .reread import reread_lines
from .tsv import OcrLine, OcrWord, mean_conf, parse_tesseract_tsv

log = logging.getLogger(__name__)

# A page reads badly (maybe sideways or upside down) below these; then ask Tesseract's OSD.
POOR_MEAN_CONFIDENCE = 0.60
MIN_OSD_CONFIDENCE = 2.0
#: White between two bands of text stacked for OCR, in inches.
BAND_GAP_IN = 0.3


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
    read_from = prepared
    lines = parse_tesseract_tsv(engine.image_to_tsv(prepared, options))
    if options.orientation and mean_conf(lines) < POOR_MEAN_CONFIDENCE:
        turn = _osd_turn(prepared, engine)
        if turn:
            retry, retry_t = prepare_page(image, options, dpi, turn=turn)
            retry_lines = parse_tesseract_tsv(engine.image_to_tsv(retry, options))
            if mean_conf(retry_lines) > mean_conf(lines):
                prepared, lines, transform = retry, retry_lines, retry_t
                read_from = retry
    if options.deskew:
        rough = skew_from_boxes([[(w.left, w.top, w.right, w.bottom) for w in ln.words]
                                 for ln in lines])
        if abs(rough) >= MIN_SKEW_DEGREES:
            angle = skew_angle(prepared)
            if abs(angle) >= MIN_SKEW_DEGREES / 2:
                retry, retry_t = prepare_page(image, options, dpi, turn=transform.turn,
                                              skew=angle)
                retry_lines = parse_tesseract_tsv(engine.image_to_tsv(retry, options))
                if mean_conf(retry_lines) >= mean_conf(lines):
                    lines, transform, read_from = retry_lines, retry_t, retry
    if hasattr(engine, "image_to_line_tsv"):
        lines = reread_lines(read_from, lines, engine, options)
    return _to_source(order_lines(lines), transform), transform


def ocr_source(source: PageSource, options: OcrOptions,
               engine: OcrEngine | None = None) -> OcrPage:
    """Load, prepare and OCR one page. Raises InputFileError / OcrError for this page.

    Ruled tables (``options.tables``) are found first; their cells are read together
    (:func:`pipeline.tables.grid.tables_from_analysis`), the tables blanked out of the page
    for the body-text pass, and their rows put back into the page's lines as text.
    """
    t0 = time.perf_counter()
    image, dpi = load_page_image(source, options.dpi)
    width, height = image.size
    tables: tuple = ()
    table_lines: list[tuple[float, tuple[OcrLine, ...]]] = []
    if options.tables:
        tables, table_lines, blanked = _tables_first(source, image, dpi)
    try:
        if table_lines:
            # The body text around the tables; the page is checked for orientation on
            # all its words (the cells' too) below, not on the few left outside the tables.
            lines, transform = _ocr_bands(blanked, replace(options, orientation=False),
                                          engine, dpi)
            confs = ([w.conf for ln in lines for w in ln.words]
                     + [w.conf for _, rows in table_lines for ln in rows for w in ln.words])
            if options.orientation and sum(confs) / len(confs) < POOR_MEAN_CONFIDENCE:
                # a turned page? read it whole as before; when it turns, so do the tables
                full, full_t = ocr_image(image, options, engine, dpi)
                if full_t.turn:
                    lines, transform, table_lines = full, full_t, []
                    tables = _tables_upright(source, image, dpi, full_t.turn)
        else:
            lines, transform = ocr_image(image, options, engine, dpi)
            if tables and transform.turn:
                tables = _tables_upright(source, image, dpi, transform.turn)
    except ValueError as e:
        raise OcrError(f"{source.path}: page {source.index + 1}: unreadable OCR output ({e})"
                       ) from e
    return OcrPage(source, _merge_table_lines(lines, table_lines), width, height, transform,
                   round(time.perf_counter() - t0, 3), tables)


def _ocr_bands(image: Image.Image, options: OcrOptions, engine: OcrEngine | None,
               dpi: int | None) -> tuple[tuple[OcrLine, ...], PageTransform]:
    """OCR only the bands of the page that hold ink, stacked into one image.

    Tesseract spends most of a second on a blank A4 page; a page whose tables are blanked
    out is mostly blank. Word boxes are mapped back onto the page; the transform returned
    is the page's own (no turn, no skew: straightening happens on the stacked bands).
    """
    res = dpi or image_dpi(image) or estimate_dpi(image)
    scale = options.dpi / res if res < options.min_scan_dpi else 1.0
    page_t = PageTransform(image.width, image.height, 0, scale, 0.0,
                           options.dpi if scale != 1.0 else res)
    bands = ink_bands(to_gray(image), res)
    if not bands:
        return (), page_t
    gap = max(8, int(res * BAND_GAP_IN))
    height = gap + sum(y1 - y0 + gap for y0, y1 in bands)
    stack = Image.new("L", (image.width, height), 255)
    offsets = []            # (top in the stack, bottom in the stack, shift to the page)
    y = gap
    gray = to_gray(image)
    for y0, y1 in bands:
        stack.paste(gray.crop((0, y0, image.width, y1)), (0, y))
        offsets.append((y, y + y1 - y0, y0 - y))
        y += y1 - y0 + gap
    stack.info["dpi"] = (res, res)
    lines, _ = ocr_image(stack, options, engine, res)
    out = []
    for ln in lines:
        words = []
        for w in ln.words:
            cy = w.top + w.height / 2
            shift = next((s for t, b, s in offsets if cy <= b + gap / 2), offsets[-1][2])
            words.append(replace(w, top=w.top + shift))
        out.append(replace(ln, words=tuple(words)))
    return tuple(out), page_t


def _tables_first(source: PageSource, image: Image.Image, dpi: int | None):
    """(tables, their rows as lines with each table's top, the page with the tables blanked).

    A quick look for ruling lines first, so pages without tables pay a few milliseconds.
    """
    from ..tables.grid import (
        analyse_page,
        blank_tables,
        might_have_tables,
        source_box,
        tables_from_analysis,
    )

    try:
        if not might_have_tables(image, dpi):
            return (), [], image
        pa = analyse_page(image, dpi)
        if not pa.grids:
            return (), [], image
        tables = tables_from_analysis(pa, source.index + 1)
    except MissingDependencyError:
        raise
    except Exception as e:  # noqa: BLE001 - a table failure must not lose the page text
        log.warning("%s: page %d: table grid failed: %s", source.path, source.index + 1, e)
        return (), [], image
    table_lines = []
    for t in tables:
        rows = table_rows_to_lines(t, lambda box: source_box(pa, box))
        if rows:
            table_lines.append((source_box(pa, _table_bbox(t))[1], rows))
    if not table_lines:
        return tables, [], image
    return tables, table_lines, blank_tables(image, pa)


def _tables_upright(source: PageSource, image: Image.Image, dpi: int | None, turn: int
                    ) -> tuple:
    from ..tables.grid import tables_from_image

    try:
        return tables_from_image(image.rotate(turn, expand=True), source.index + 1, dpi=dpi)
    except Exception as e:  # noqa: BLE001 - a table failure must not lose the page text
        log.warning("%s: page %d: table grid failed: %s", source.path, source.index + 1, e)
        return ()


def _table_bbox(table) -> tuple[float, float, float, float]:
    boxes = [c.bbox for c in table.cells]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def table_rows_to_lines(table, to_source) -> tuple[OcrLine, ...]:
    """A table's text as OCR lines: one line per grid row, the cells starting in that row
    left to right, each cell's words spread over its box (mapped by *to_source*)."""
    out = []
    for r in range(table.n_rows):
        words = []
        for cell in sorted((c for c in table.cells if c.row == r), key=lambda c: c.col):
            texts = cell.text.split()
            if not texts:
                continue
            x0, y0, x1, y1 = to_source(cell.bbox)
            n = sum(len(t) + 1 for t in texts)
            x = x0
            for t in texts:
                w = (x1 - x0) * len(t) / n
                words.append(OcrWord(t, cell.confidence, int(x), int(y0), max(1, round(w)),
                                     max(1, round(y1 - y0))))
                x += (x1 - x0) * (len(t) + 1) / n
        if words:
            out.append(OcrLine(0, r, tuple(words)))
    return tuple(out)


def _merge_table_lines(lines: tuple[OcrLine, ...],
                       tables: list[tuple[float, tuple[OcrLine, ...]]]) -> tuple[OcrLine, ...]:
    """Put each table's lines before the first page line below the table's top."""
    out = list(lines)
    for top, rows in sorted(tables, key=lambda t: t[0], reverse=True):
        at = next((k for k, ln in enumerate(out) if ln.top >= top), len(out))
        out[at:at] = rows
    return tuple(out)


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
    if options.page_board and len(sources) > 1:
        from .board import read_pages

        return read_pages(Path(options.page_board), sources, options, engine, _pool_task)
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
