"""Read an input file into a Document: legacy OCR text, PDFs and page images.

Text: UTF-8 with or without BOM, UTF-16 with BOM, Windows-1258; the TCVN3 (ABC) and VNI
8-bit encodings are detected and refused with a message rather than decoded into garbage.
NFC everywhere; a form feed starts a new page. PDFs: the text layer through pdfplumber,
pages without text OCR'd; images (PNG, JPEG, TIFF incl. multi-page) OCR'd with Tesseract.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from .errors import InputFileError, VnocrError
from .models import Document, Line, Page
from .options import IngestOptions, OcrOptions

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".ocr", ""}
PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
INPUT_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES

# Characters typical of Vietnamese text in the TCVN3 (ABC) and VNI fonts when read as
# Windows-1258: TCVN3 puts toned vowels at 0xA1-0xFE, VNI writes marks as separate letters.
_TCVN3_MARKERS = set("µ¸¶·¹¨©®ª«¬ÕÞÖ×ÐÏÓÒÔ¾½¼»ÆÇÊÈÉËÌÎÑ")
_VNI_PATTERN = re.compile(r"[aeiouyAEIOUY][âäáàùøûõï]")
_WORD = re.compile(r"\w+")
# Characters some fonts and OCR engines use for Đ/đ (Icelandic eth) mapped to Vietnamese.
_CANON = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110"})


def normalize_text(text: str) -> str:
    """NFC, Vietnamese Đ for look-alikes, Windows/Mac line ends to \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).translate(_CANON)


def _vietnamese_ratio(text: str) -> float:
    from .restore.syllables import has_marks, is_syllable

    words = _WORD.findall(text[:20000])
    if not words:
        return 0.0
    good = sum(1 for w in words if has_marks(w) and is_syllable(w))
    return good / len(words)


def decode_text(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode the bytes of a text file; return (text, encoding name).

    Raises InputFileError for empty or binary files and for legacy Vietnamese encodings
    that are recognised but not converted.
    """
    if not data.strip():
        raise InputFileError(path, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise InputFileError(path, f"invalid UTF-16 text at byte {e.start}") from e
    sample = data[:65536]
    if b"\x00" in sample:
        raise InputFileError(path, "binary file, not text (contains NUL bytes)")
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(8, len(sample) // 100):
        raise InputFileError(path, "binary file, not text (control characters)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        pos = utf8_error.start
    text = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    marks = sum(1 for c in text if c in _TCVN3_MARKERS)
    words = max(1, len(_WORD.findall(text)))
    if _vietnamese_ratio(text) >= 0.15:
        return text, "windows-1258"
    vni = len(_VNI_PATTERN.findall(text))
    if vni / words > 0.05 and vni > marks:
        raise InputFileError(path, "VNI legacy encoding is not supported; convert the file to "
                                   "Unicode (UTF-8) first")
    if marks / words > 0.05:
        raise InputFileError(path, "TCVN3 (ABC) legacy encoding is not supported; convert the "
                                   "file to Unicode (UTF-8) first")
    raise InputFileError(path, f"not UTF-8 text (invalid byte at offset {pos}) and not a "
                               "recognised Vietnamese encoding")


def text_to_pages(text: str) -> tuple[Page, ...]:
    """Split text into pages at form feeds; number lines 1.. over the whole document."""
    pages = []
    number = 0
    for pno, chunk in enumerate(text.split("\f"), start=1):
        lines = chunk.split("\n")
        if pno > 1 and lines and lines[0] == "":
            pass
        out = []
        for raw in lines:
            number += 1
            out.append(Line(number=number, page=pno, text=raw))
        pages.append(Page(number=pno, lines=tuple(out), kind="text"))
    return tuple(pages)


def read_text(path: Path, doc_id: str, options: IngestOptions) -> Document:
    data = _read_bytes(path, options)
    text, encoding = decode_text(data, path)
    text = normalize_text(text)
    trailing = text.endswith("\n")
    if trailing:
        text = text[:-1]
    return Document(source=str(path), doc_id=doc_id, pages=text_to_pages(text),
                    encoding=encoding, trailing_newline=trailing)


def _read_bytes(path: Path, options: IngestOptions) -> bytes:
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            raise InputFileError(path, f"file too large ({size} bytes; limit "
                                       f"{options.max_file_bytes})")
        return path.read_bytes()
    except OSError as e:
        raise InputFileError(path, e.strerror or str(e)) from e


def _lines_from_ocr(page, page_no: int, start: int) -> tuple[Line, ...]:
    """Lines of one OCR'd page (pipeline.ocr.OcrPage): tokens with spans, confidences, boxes.

    Line.text is the words joined by single spaces, so token spans index into it.
    """
    from .models import Token

    out = []
    n = start
    w_px, h_px = max(1, page.width), max(1, page.height)
    for ol in page.lines:
        n += 1
        tokens = []
        col = 0
        for w in ol.words:
            wt = normalize_text(w.text)
            bbox = (round(w.left / w_px, 5), round(w.top / h_px, 5),
                    round(min(w_px, w.left + w.width) / w_px, 5),
                    round(min(h_px, w.top + w.height) / h_px, 5))
            tokens.append(Token(wt, wt, n, col, col + len(wt), 1.0, (), w.conf, bbox))
            col += len(wt) + 1
        text = " ".join(t.text for t in tokens)
        out.append(Line(number=n, page=page_no, text=text, tokens=tuple(tokens)))
    return tuple(out)


def _ocr_pages(path: Path, sources: list, ocr: OcrOptions, engine=None
               ) -> tuple[dict[int, tuple], list[str]]:
    """OCR the given page sources; {page index: OcrPage} and one warning per failed page.

    Raises the first page's error when every page failed (nothing would come out).
    """
    from .ocr import ocr_sources

    results = ocr_sources(sources, ocr, engine)
    done = {}
    warnings = []
    for src, res in zip(sources, results):
        if isinstance(res, VnocrError):
            log.debug("%s: page %d failed: %s", path, src.index + 1, res.message)
            reason = res.message.removeprefix(f"{path}: ")
            if not reason.startswith("page "):
                reason = f"page {src.index + 1}: {reason}"
            warnings.append(f"{reason}; page left empty")
        else:
            done[src.index] = res
    if sources and not done:
        first = results[0]
        assert isinstance(first, VnocrError)
        if isinstance(first, InputFileError):
            raise first
        raise InputFileError(path, first.message.removeprefix(f"{path}: "))
    return done, warnings


def _usable_text(text: str) -> str:
    """Text-layer characters that carry meaning: no whitespace, (cid:N) glyphs or U+FFFD."""
    return "".join(re.sub(r"\(cid:\d+\)", "", text).replace("\ufffd", "").split())


def read_pdf(path: Path, doc_id: str, options: IngestOptions, ocr: OcrOptions,
             engine=None) -> Document:
    """Per-page triage: the text layer through pdfplumber where it is usable, Tesseract on the
    other pages (rendered at ``ocr.dpi``), as OCRmyPDF's --skip-text does.

    A page that cannot be rendered or read becomes an empty page and a document warning.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    from .ocr import PageSource

    data = _read_bytes(path, options)
    if not data.strip():
        raise InputFileError(path, "empty file")
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputFileError(path, "not a PDF (no %PDF header)")
    from .tables.grid import tables_from_pdf_page

    text_pages: dict[int, str] = {}
    pdf_tables: dict[int, tuple] = {}
    n_pages = 0
    try:
        with pdfplumber.open(path) as pdf:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise InputFileError(path, "PDF has no pages")
            for index, page in enumerate(pdf.pages):
                text = page.extract_text() or ""
                if len(_usable_text(text)) >= ocr.min_text_chars:
                    text_pages[index] = text
                    # Born-digital tables: cell geometry and text from the PDF itself.
                    found = tables_from_pdf_page(page, index + 1)
                    if found:
                        pdf_tables[index] = found
    except VnocrError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise InputFileError(path, "encrypted PDF (password required)") from e
    except PDFSyntaxError as e:
        raise InputFileError(path, f"corrupt PDF ({e})") from e
    except Exception as e:  # pdfminer raises many types for damaged files
        # pdfplumber wraps pdfminer's error as PdfminerException(error): judge the inner one
        inner = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
        name = type(inner).__name__
        if "Password" in name or "Encrypt" in name:
            raise InputFileError(path, "encrypted PDF (password required)") from e
        raise InputFileError(path, f"corrupt or truncated PDF ({name}: {inner})") from e
    sources = [PageSource(str(path), i, "pdf") for i in range(n_pages) if i not in text_pages]
    ocred, warnings = _ocr_pages(path, sources, ocr, engine)
    pages: list[Page] = []
    number = 0
    for index in range(n_pages):
        pno, ref = index + 1, f"{path}#{index}"
        if index in text_pages:
            lines = []
            for raw in normalize_text(text_pages[index]).split("\n"):
                number += 1
                lines.append(Line(number=number, page=pno, text=raw))
            pages.append(Page(pno, tuple(lines), kind="pdf-text", image_ref=ref,
                              tables=pdf_tables.get(index, ())))
        else:
            lines_t = _lines_from_ocr(ocred[index], pno, number) if index in ocred else ()
            number += len(lines_t)
            tables = ocred[index].tables if index in ocred else ()
            pages.append(Page(pno, lines_t, kind="ocr", image_ref=ref, tables=tables))
    return Document(source=str(path), doc_id=doc_id, pages=tuple(pages),
                    encoding="pdf", warnings=tuple(warnings))


def read_image(path: Path, doc_id: str, options: IngestOptions, ocr: OcrOptions,
               engine=None) -> Document:
    """OCR every frame of an image file (multi-page TIFF gives several pages).

    A frame that cannot be decoded becomes an empty page and a document warning.
    """
    import warnings as _warnings

    from PIL import Image, UnidentifiedImageError

    from .ocr import PageSource

    _read_bytes(path, options)  # size check
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                n_frames = getattr(im, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputFileError(path, "image too large (decompression bomb refused)") from e
    except UnidentifiedImageError as e:
        raise InputFileError(path, "not an image file (unrecognised format)") from e
    except (OSError, EOFError, ValueError, SyntaxError) as e:
        raise InputFileError(path, f"unreadable or truncated image ({e})") from e
    sources = [PageSource(str(path), i, "image") for i in range(n_frames)]
    ocred, warnings = _ocr_pages(path, sources, ocr, engine)
    pages: list[Page] = []
    number = 0
    for index in range(n_frames):
        lines = _lines_from_ocr(ocred[index], index + 1, number) if index in ocred else ()
        number += len(lines)
        tables = ocred[index].tables if index in ocred else ()
        pages.append(Page(index + 1, lines, kind="ocr", image_ref=f"{path}#{index}",
                          tables=tables))
    return Document(source=str(path), doc_id=doc_id, pages=tuple(pages), encoding="image",
                    warnings=tuple(warnings))


def read_document(path: Path, doc_id: str, options: IngestOptions | None = None,
                  ocr: OcrOptions | None = None) -> Document:
    """Read any supported input into a Document. Raises InputFileError naming the reason."""
    options = options or IngestOptions()
    ocr = ocr or OcrOptions()
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder")
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return read_pdf(path, doc_id, options, ocr)
    if suffix in IMAGE_SUFFIXES:
        return read_image(path, doc_id, options, ocr)
    return read_text(path, doc_id, options)
