"""A searchable PDF copy of a scanned input: the page images with the restored text laid
over them as an invisible text layer at the OCR word boxes (as OCRmyPDF does).

- PDF input: the source pages are kept byte for byte; OCR'd pages get the text layer
  grafted on (born-digital pages already have one and are left alone).
- Image input (PNG, JPEG, TIFF incl. multi-page): one PDF page per frame at the image's
  resolution, JPEG data embedded without re-encoding.

The text of each OCR word box is its text as read with every restored token substituted,
so search and copy give the restored Vietnamese. Words need ``Token.bbox`` (fractions of
the page, set at ingest for OCR'd pages).
"""
from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import MissingDependencyError, OutputError
from .models import Document, Line, Page

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)
FONT_NAME = "VnocrText"
DEFAULT_IMAGE_DPI = 300


def line_words(line: Line) -> Iterator[tuple[str, tuple[float, float, float, float]]]:
    """(restored text, bbox) of each word box of an OCR line, in order.

    A word box is a whitespace-delimited piece of ``line.text`` covered by tokens with a
    bbox; its text is the piece with each token's span replaced by ``token.restored``.
    """
    text = line.text
    pos = 0
    for piece in text.split(" "):
        start, end = pos, pos + len(piece)
        pos = end + 1
        if not piece:
            continue
        inside = [t for t in line.tokens if start <= t.start < end]
        boxes = [t.bbox for t in inside if t.bbox is not None]
        if not boxes:
            continue
        out, cur = [], start
        for t in sorted(inside, key=lambda t: t.start):
            if t.start < cur:
                continue
            out.append(text[cur:t.start])
            out.append(t.restored if t.restored else text[t.start:t.end])
            cur = min(end, t.end)
        out.append(text[cur:end])
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
               max(b[2] for b in boxes), max(b[3] for b in boxes))
        yield "".join(out), box


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(FONT_NAME, path))
            return FONT_NAME
    raise MissingDependencyError("no font with Vietnamese letters for the searchable PDF: "
                                 "apt-get install fonts-liberation2")


def _draw_text_layer(canvas, page: Page, width: float, height: float) -> None:
    """Invisible words (render mode 3) at their boxes on a width×height pt page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = _font()
    for line in page.lines:
        for word, (x0, y0, x1, y1) in line_words(line):
            w, h = (x1 - x0) * width, (y1 - y0) * height
            if w <= 0 or h <= 0:
                continue
            size = max(1.0, h * 0.8)
            natural = stringWidth(word, font, size)
            t = canvas.beginText()
            t.setTextRenderMode(3)
            t.setFont(font, size)
            t.setHorizScale(100.0 * w / natural if natural > 0 else 100.0)
            t.setTextOrigin(x0 * width, height - y1 * height + 0.15 * h)
            t.textOut(word)
            canvas.drawText(t)


def _atomic_write(out: Path, data: bytes) -> None:
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write ({e.strerror or e})") from e


def _image_pdf(doc: Document, source: Path) -> bytes:
    from PIL import Image, ImageSequence
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1)
    pages = {p.number: p for p in doc.pages}
    with Image.open(source) as im:
        single_jpeg = im.format == "JPEG"
        for index, frame in enumerate(ImageSequence.Iterator(im)):
            dpi = frame.info.get("dpi") or im.info.get("dpi") or (DEFAULT_IMAGE_DPI,) * 2
            try:
                dx, dy = float(dpi[0]) or DEFAULT_IMAGE_DPI, float(dpi[1]) or DEFAULT_IMAGE_DPI
            except (TypeError, ValueError, IndexError):
                dx = dy = DEFAULT_IMAGE_DPI
            width, height = frame.width * 72.0 / dx, frame.height * 72.0 / dy
            canvas.setPageSize((width, height))
            if single_jpeg:   # embedded as is: no second round of JPEG compression
                canvas.drawImage(str(source), 0, 0, width, height)
            else:
                img = frame.convert("1" if frame.mode == "1" else
                                    "L" if frame.mode in ("L", "I;16", "I", "F") else "RGB")
                canvas.drawImage(ImageReader(img), 0, 0, width, height)
            page = pages.get(index + 1)
            if page is not None:
                _draw_text_layer(canvas, page, width, height)
            canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _pdf_with_text(doc: Document, source: Path) -> bytes:
    import pypdfium2 as pdfium
    from reportlab.pdfgen.canvas import Canvas

    dest = pdfium.PdfDocument(str(source))
    try:
        todo = []
        for page in doc.pages:
            if page.kind != "ocr" or not page.lines or page.number > len(dest):
                continue
            p = dest[page.number - 1]
            if p.get_rotation() % 360:
                log.warning("%s: page %d is rotated in the PDF; no text layer added",
                            source, page.number)
                continue
            left, bottom, right, top = p.get_cropbox()
            todo.append((page, left, bottom, right - left, top - bottom))
        if todo:
            buf = io.BytesIO()
            canvas = Canvas(buf, invariant=1)
            for page, _, _, width, height in todo:
                canvas.setPageSize((width, height))
                _draw_text_layer(canvas, page, width, height)
                canvas.showPage()
            canvas.save()
            layer = pdfium.PdfDocument(buf.getvalue())
            for k, (page, left, bottom, _, _) in enumerate(todo):
                target = dest[page.number - 1]
                obj = layer.page_as_xobject(k, dest).as_pageobject()
                if left or bottom:
                    obj.transform(pdfium.PdfMatrix().translate(left, bottom))
                target.insert_obj(obj)
                target.gen_content()
        out = io.BytesIO()
        dest.save(out)
        return out.getvalue()
    finally:
        dest.close()


def write_searchable_pdf(doc: Document, source: Path, out: Path) -> None:
    """Write a searchable PDF of a scanned *source* with *doc*'s restored text to *out*.

    Args:
        doc: the document read from *source* (after restoration, or as read).
        source: the input PDF or image file.
        out: where to write; written to a temporary name and renamed.
    Raises:
        ValueError: *source* is not a PDF or an image (text input has no page images).
        MissingDependencyError: no font with Vietnamese letters.
        OutputError: *out* cannot be written.
    """
    source = Path(source)
    suffix = source.suffix.lower()
    if suffix == ".pdf":
        data = _pdf_with_text(doc, source)
    elif doc.encoding == "image":
        data = _image_pdf(doc, source)
    else:
        raise ValueError(f"{source}: no page images to make a searchable PDF from")
    _atomic_write(Path(out), data)
