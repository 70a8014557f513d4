"""The data passed between stages: frozen records, tuples not lists.

Provenance: every Line knows its source file, page and 1-based line number; every Token its
line and character span in that line's text.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Token:
    """A word as read and as restored, with its alternatives and confidence."""

    text: str                  # as read (OCR)
    restored: str              # after restoration (== text when unchanged or not a word)
    line: int                  # 1-based line number in the source
    start: int                 # character span in the line's source text
    end: int
    confidence: float = 1.0
    alternatives: tuple[tuple[str, float], ...] = ()
    ocr_confidence: float | None = None   # Tesseract's word confidence (0-1) on scans
    # word box on scans: (x0, y0, x1, y1) as fractions 0..1 of the page image's width and
    # height, origin top-left (the page is Page.image_ref); None for text input
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True, slots=True)
class Line:
    number: int                # 1-based line number over the whole document
    page: int                  # 1-based page number
    text: str                  # as read, NFC
    restored: str | None = None
    tokens: tuple[Token, ...] = ()


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a table read from real geometry (PDF ruling lines or a scan's grid)."""

    row: int                   # 0-based grid row and column of the top-left corner
    col: int
    text: str                  # as read (pdfplumber text or OCR), NFC
    rowspan: int = 1
    colspan: int = 1
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)   # x0, y0, x1, y1 (page units)
    confidence: float = 1.0    # OCR confidence 0..1 (1.0 for born-digital text)
    restored: str | None = None
    indent: float | None = None   # points from the cell's left edge to its text (None: empty)
    italic: bool | None = None    # every letter in an italic face (None: not known, scans)


@dataclass(frozen=True, slots=True)
class Table:
    """A table found on a page with its cell grid (merged cells carry spans)."""

    page: int
    n_rows: int
    n_cols: int
    cells: tuple[TableCell, ...]
    source: str = "pdf"        # pdf | scan


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    lines: tuple[Line, ...]
    kind: str = "text"         # text | pdf-text | ocr
    tables: tuple[Table, ...] = ()
    image_ref: str = ""        # "<path>#<page index>" for pages that came from an image/PDF


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One row of Appendix I."""

    source: str
    group_no: str
    group: str
    row_no: int
    indicator: str
    indicator_id: str
    unit: str
    values: tuple[tuple[str, str], ...]   # (column name e.g. target_2025, cell text)
    confidence: float
    flags: tuple[str, ...] = ()
    page: int = 0
    lines: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ValueColumn:
    name: str     # role_year, e.g. target_2025
    role: str     # target | actual | estimate
    year: int | None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One row of Appendix II (a document the province issued)."""

    source: str
    no: str
    title: str
    code: str
    lead_agency: str
    partner_agency: str
    level: str
    issued_on: str        # ISO 8601 or empty
    issued_on_raw: str
    doc_type: str
    page: int = 0
    lines: tuple[int, ...] = ()
    flags: tuple[str, ...] = ()     # what was read from elsewhere than the row's cells


@dataclass(frozen=True, slots=True)
class Document:
    source: str                         # the input path as given
    doc_id: str
    pages: tuple[Page, ...]
    encoding: str = "utf-8"
    trailing_newline: bool = True       # the source text ended with a line break
    columns: tuple[ValueColumn, ...] = ()
    indicators: tuple[IndicatorRecord, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    warnings: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = field(default=())

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for page in self.pages for line in page.lines)
