"""Cell geometry of bordered tables: born-digital PDF pages and page scans → ``Table``.

Two sources, one result (:class:`pipeline.models.Table` with merged cells as spans):

- **Born-digital PDF** (:func:`tables_from_pdf_page`): pdfplumber's table finder with the
  ``lines`` strategy gives the cell rectangles; the distinct rectangle edges are the grid's
  row and column boundaries, a rectangle covering several of them is a merged cell. The cell
  text is the PDF's own text, no OCR.
- **Scan** (:func:`find_table_grids`, :func:`tables_from_image`): the page is binarised, its
  skew is measured on the long horizontal ruling lines and undone, then the ruling lines are
  isolated with long thin morphological openings (horizontal and vertical kernels, longer
  than any letter stroke). Line segments cluster into row and column boundaries; a boundary
  segment between two grid cells without a continuous line means the two cells are merged.
  Each cell is cropped inside its lines and read by a caller-supplied OCR function, blank
  cells skipped.

Wrapped cell text is unwrapped by one rule (:func:`join_cell_lines`): lines are joined with
one space, except that a line ending in a hyphen glued to a word (``KH-``, ``35-``) joins the
next line without a space when that line starts with a lowercase letter or a digit. A spaced
dash (``kinh tế -`` / ``xã hội``) keeps its space.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from ..models import Table, TableCell

if TYPE_CHECKING:  # pragma: no cover
    import pdfplumber.page

log = logging.getLogger(__name__)

__all__ = [
    "Grid",
    "GridCell",
    "find_table_grids",
    "join_cell_lines",
    "tables_from_image",
    "tables_from_pdf_page",
    "tesseract_cell_ocr",
]

#: Largest skew (degrees) corrected; beyond this the page is taken as it is.
MAX_SKEW_DEG = 5.0
#: Ink pixels (at 300 dpi; after removing ruling lines and specks) below which a cell is blank.
BLANK_INK_PX = 25
#: Pixels kept clear of a cell's ruling lines when cropping it for OCR.
CELL_MARGIN_PX = 4
#: Edge-clustering tolerance for PDF cell rectangles (PDF points).
PDF_EDGE_TOL = 1.5

OcrCell = Callable[[Image.Image], tuple[str, float]]
OcrCells = Callable[[Sequence[Image.Image]], list[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell of a grid: its top-left grid position and spans."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class Grid:
    """A table's ruling-line grid found on a page image.

    ``row_bounds`` and ``col_bounds`` are the y and x pixel positions of the ruling lines in
    the image after rotating it by ``rotation`` degrees (counter-clockwise, about the image
    centre, same size — see :func:`deskew_image`); n boundaries make n-1 rows or columns.
    ``cells`` cover the grid exactly once, merged cells with spans.
    """

    row_bounds: tuple[int, ...]
    col_bounds: tuple[int, ...]
    cells: tuple[GridCell, ...]
    rotation: float = 0.0

    @property
    def n_rows(self) -> int:
        return len(self.row_bounds) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_bounds) - 1

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return (self.col_bounds[0], self.row_bounds[0], self.col_bounds[-1], self.row_bounds[-1])

    def cell_box(self, cell: GridCell) -> tuple[int, int, int, int]:
        """Pixel box (x0, y0, x1, y1) of *cell* between its ruling lines."""
        return (self.col_bounds[cell.col], self.row_bounds[cell.row],
                self.col_bounds[cell.col + cell.colspan], self.row_bounds[cell.row + cell.rowspan])


# --------------------------------------------------------------------------- text

def join_cell_lines(text: str) -> str:
    """Unwrap a cell's text: NFC, lines joined by one space, runs of spaces collapsed.

    A line ending in a hyphen attached to a word (``146/KH-``, ``35-``) joins the next line
    without a space when that line starts with a lowercase letter or a digit (a word or number
    broken at its hyphen); otherwise, and always after a spaced dash, one space.
    """
    lines = [" ".join(ln.split()) for ln in unicodedata.normalize("NFC", text).splitlines()]
    out = ""
    for ln in lines:
        if not ln:
            continue
        if not out:
            out = ln
        elif (out.endswith("-") and len(out) >= 2 and not out[-2].isspace()
              and (ln[0].islower() or ln[0].isdigit())):
            out += ln
        else:
            out += " " + ln
    return out.strip()


# --------------------------------------------------------------------------- PDF

def _cluster(values: Sequence[float], tol: float) -> list[float]:
    """Sorted cluster centres of *values*: neighbours closer than *tol* are one cluster."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _index(bounds: Sequence[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _spans_to_cells(n_rows: int, n_cols: int,
                    boxes: list[tuple[int, int, int, int, Any]]) -> list[tuple[int, int, int, int, Any]]:
    """Keep non-overlapping (row, col, rowspan, colspan, payload) boxes; fill holes with 1×1."""
    taken = [[False] * n_cols for _ in range(n_rows)]
    kept = []
    for r, c, rs, cs, payload in sorted(boxes, key=lambda b: (b[0], b[1])):
        if rs < 1 or cs < 1 or any(taken[i][j] for i in range(r, r + rs) for j in range(c, c + cs)):
            continue
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                taken[i][j] = True
        kept.append((r, c, rs, cs, payload))
    for i in range(n_rows):
        for j in range(n_cols):
            if not taken[i][j]:
                kept.append((i, j, 1, 1, None))
    kept.sort(key=lambda b: (b[0], b[1]))
    return kept


def _char_runs(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Characters in drawing order → runs (text drawn as one piece on one baseline).

    A run breaks where the next character is on another baseline, goes backwards, or jumps
    more than a fifth of an em to the right. Spaces are characters in the PDF, so a run is
    typically one wrapped line of one cell.
    """
    runs: list[list[dict[str, Any]]] = []
    for ch in chars:
        if runs:
            prev = runs[-1][-1]
            size = max(float(prev.get("size") or 10.0), 1.0)
            if (abs(ch["top"] - prev["top"]) <= 1.0 and ch["x0"] >= prev["x1"] - 0.5
                    and ch["x0"] - prev["x1"] <= 0.2 * size):
                runs[-1].append(ch)
                continue
        runs.append([ch])
    out = []
    for run in runs:
        text = "".join(c["text"] for c in run)
        if not text.strip():
            continue
        out.append({"text": text, "x0": min(c["x0"] for c in run), "x1": max(c["x1"] for c in run),
                    "top": min(c["top"] for c in run), "bottom": max(c["bottom"] for c in run),
                    "size": float(run[0].get("size") or 10.0),
                    "italic": all(_ITALIC.search(c.get("fontname") or "") for c in run
                                  if c["text"].strip())})
    return out


#: Font names of italic faces (``LiberationSerif-Italic``, ``TimesNewRomanPS-ItalicMT``,
#: ``Arial-BoldItalicMT``, ``…-Oblique``).
_ITALIC = re.compile(r"Italic|Oblique|-It\b", re.IGNORECASE)


def _runs_indent_italic(runs: list[dict[str, Any]], left: float) -> tuple[float | None, bool | None]:
    """Where a cell's text starts (points right of *left*, its left edge) and whether all of
    it is italic: what tells an indented or italic sub-row from its parent."""
    if not runs:
        return None, None
    return round(min(w["x0"] for w in runs) - left, 2), all(w["italic"] for w in runs)


def _runs_to_text(runs: list[dict[str, Any]]) -> str:
    """A cell's runs as text: lines by baseline (top within 3 pt), unwrapped."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(runs, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    texts = []
    for ln in lines:
        ln.sort(key=lambda w: w["x0"])
        t = ln[0]["text"]
        for prev, w in zip(ln, ln[1:]):
            t += (" " if w["x0"] - prev["x1"] > 0.15 * w["size"] else "") + w["text"]
        texts.append(t)
    return join_cell_lines("\n".join(texts))


def tables_from_pdf_page(page: pdfplumber.page.Page, page_no: int) -> tuple[Table, ...]:
    """Bordered tables of a born-digital PDF page with their text (no OCR).

    pdfplumber's table finder (``lines`` strategy) gives the cell rectangles. Their distinct
    edges are the row and column boundaries; a rectangle covering several grid rows or
    columns becomes one cell with ``rowspan``/``colspan``. Every grid position is covered by
    exactly one cell; empty cells are kept with text ``""``. Cell text is the runs of
    characters (see :func:`_char_runs`) whose centre lies in the rectangle, line by line, unwrapped by :func:`join_cell_lines`;
    ``bbox`` is in PDF points from the page's top-left (pdfplumber's ``x0, top, x1, bottom``).

    Args:
        page: a pdfplumber page.
        page_no: 1-based page number stored in the tables.
    Returns:
        The tables in pdfplumber's order (top to bottom), ``source="pdf"``.
    """
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    found = page.find_tables(table_settings=settings)
    if not found:
        return ()
    # Runs of characters, not single characters, go to cells (by their centre): a code wider
    # than its narrow column overflows into its neighbours (even over their text) but belongs
    # to the column it is centred in.
    words = _char_runs(page.chars)
    tables = []
    for ft in found:
        rects = [tuple(c) for c in ft.cells]
        if not rects:
            continue
        xs = _cluster([x for r in rects for x in (r[0], r[2])], PDF_EDGE_TOL)
        ys = _cluster([y for r in rects for y in (r[1], r[3])], PDF_EDGE_TOL)
        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        if n_rows < 1 or n_cols < 1:
            continue
        boxes = []
        for x0, top, x1, bottom in rects:
            c0, c1 = _index(xs, x0), _index(xs, x1)
            r0, r1 = _index(ys, top), _index(ys, bottom)
            boxes.append((r0, c0, r1 - r0, c1 - c0, (x0, top, x1, bottom)))
        table_words = [w for w in words
                       if xs[0] - 1 <= (w["x0"] + w["x1"]) / 2 <= xs[-1] + 1
                       and ys[0] - 1 <= (w["top"] + w["bottom"]) / 2 <= ys[-1] + 1]
        cells = []
        for r, c, rs, cs, bbox in _spans_to_cells(n_rows, n_cols, boxes):
            if bbox is None:
                bbox = (xs[c], ys[r], xs[c + cs], ys[r + rs])
            x0, top, x1, bottom = bbox
            inside = [w for w in table_words
                      if x0 <= (w["x0"] + w["x1"]) / 2 < x1
                      and top <= (w["top"] + w["bottom"]) / 2 < bottom]
            indent, italic = _runs_indent_italic(inside, x0)
            cells.append(TableCell(row=r, col=c, text=_runs_to_text(inside), rowspan=rs,
                                   colspan=cs, bbox=tuple(round(v, 2) for v in bbox),
                                   confidence=1.0, indent=indent, italic=italic))
        tables.append(Table(page=page_no, n_rows=n_rows, n_cols=n_cols, cells=tuple(cells),
                            source="pdf"))
    return tuple(tables)


# --------------------------------------------------------------------------- scans

def _cv2() -> Any:
    import cv2

    cv2.setNumThreads(1)
    return cv2


def _components(mask: np.ndarray, connectivity: int = 8
                ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats`` with 16-bit labels (about 3x faster on a page),
    32-bit when a mask has too many components for them."""
    cv2 = _cv2()
    try:
        out = cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_16U)
        if out[0] < 65535:
            return out
    except cv2.error:
        pass
    return cv2.connectedComponentsWithStats(mask, connectivity=connectivity, ltype=cv2.CV_32S)


def _binarise(gray: np.ndarray) -> np.ndarray:
    """Ink = 255 on a 0 background; adaptive so uneven lighting does not matter."""
    cv2 = _cv2()
    block = max(15, (min(gray.shape) // 80) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 block, 15)


def _open(binary: np.ndarray, width: int, height: int) -> np.ndarray:
    cv2 = _cv2()
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(1, width), max(1, height)))
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)


def estimate_skew(gray: np.ndarray, dpi: float = 300.0) -> float:
    """Skew (degrees; positive = lines fall to the right) from long horizontal lines.

    Short horizontal openings survive a small rotation as a staircase of touching runs, so
    each long ruling line stays one component; a least-squares line through its pixels gives
    its slope, and the length-weighted median over the lines is the page's skew. 0.0 when
    the page has no long lines.
    """
    binary = _binarise(gray)
    h, w = binary.shape
    seg = _open(binary, max(20, int(dpi * 0.13)), 1)
    n, labels, stats, _ = _components(seg, connectivity=8)
    angles: list[tuple[float, float]] = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < dpi * 1.2 or bh > bw * 0.12:
            continue
        ys, xs = np.nonzero(labels[y:y + bh, x:x + bw] == i)
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append((math.degrees(math.atan(slope)), float(bw)))
    if not angles:
        return 0.0
    angles.sort()
    total = sum(wt for _, wt in angles)
    acc = 0.0
    for a, wt in angles:
        acc += wt
        if acc >= total / 2:
            return a if abs(a) <= MAX_SKEW_DEG else 0.0
    return 0.0  # pragma: no cover


def deskew_image(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate a grayscale page by *angle* degrees counter-clockwise (white fill, same size)."""
    if abs(angle) < 0.02:
        return gray
    cv2 = _cv2()
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _segments(mask: np.ndarray, horizontal: bool) -> list[tuple[float, int, int]]:
    """(position across, start, end along) of each line component of a line mask."""
    n, labels, stats, _ = _components(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if horizontal:
            rows = np.nonzero((labels[y:y + bh, x:x + bw] == i).any(axis=1))[0]
            out.append((y + float(np.median(rows)) if len(rows) else y + bh / 2, x, x + bw))
        else:
            cols = np.nonzero((labels[y:y + bh, x:x + bw] == i).any(axis=0))[0]
            out.append((x + float(np.median(cols)) if len(cols) else x + bw / 2, y, y + bh))
    return out


def _boundaries(segs: list[tuple[float, int, int]], tol: float, min_total: float) -> list[int]:
    """Cluster segment positions into ruling-line positions (length-weighted centres)."""
    segs = sorted(segs)
    clusters: list[list[tuple[float, int, int]]] = []
    for s in segs:
        if clusters and s[0] - clusters[-1][-1][0] <= tol:
            clusters[-1].append(s)
        else:
            clusters.append([s])
    out = []
    for cl in clusters:
        total = sum(e - b for _, b, e in cl)
        if total < min_total:
            continue
        out.append(int(round(sum(p * (e - b) for p, b, e in cl) / total)))
    return out


def _has_line(binary: np.ndarray, pos: int, start: int, end: int, horizontal: bool,
              band: int) -> bool:
    """Is there a continuous ruling line at *pos* from *start* to *end*?

    The ink is maxed over a ±band strip (tolerates residual skew), small gaps are bridged,
    and the longest run must cover most of the segment: letters crossing a missing line
    (a merged cell's text) give only short runs.
    """
    lo, hi = start + band + 2, end - band - 2
    if hi - lo < 4:
        return True
    if horizontal:
        strip = binary[max(0, pos - band):pos + band + 1, lo:hi]
        ink = strip.max(axis=0) > 0
    else:
        strip = binary[lo:hi, max(0, pos - band):pos + band + 1]
        ink = strip.max(axis=1) > 0
    best = run = gap = 0
    for v in ink:
        if v:
            run += gap + 1
            gap = 0
        elif run and gap < 3:
            gap += 1
        else:
            run = gap = 0
        best = max(best, run)
    return best >= 0.85 * len(ink)


def _grid_cells(binary: np.ndarray, rows: list[int], cols: list[int], band: int) -> tuple[GridCell, ...]:
    n_r, n_c = len(rows) - 1, len(cols) - 1
    # open_right[r][c]: no vertical line between (r, c) and (r, c+1); open_down likewise.
    open_right = [[not _has_line(binary, cols[c + 1], rows[r], rows[r + 1], False, band)
                   for c in range(n_c - 1)] for r in range(n_r)]
    open_down = [[not _has_line(binary, rows[r + 1], cols[c], cols[c + 1], True, band)
                  for c in range(n_c)] for r in range(n_r - 1)]
    taken = [[False] * n_c for _ in range(n_r)]
    cells = []
    for r in range(n_r):
        for c in range(n_c):
            if taken[r][c]:
                continue
            cs = 1
            while c + cs < n_c and open_right[r][c + cs - 1] and not taken[r][c + cs]:
                cs += 1
            rs = 1
            while (r + rs < n_r and all(open_down[r + rs - 1][j] for j in range(c, c + cs))
                   and not any(taken[r + rs][j] for j in range(c, c + cs))
                   and all(open_right[r + rs][j] for j in range(c, c + cs - 1))):
                rs += 1
            for i in range(r, r + rs):
                for j in range(c, c + cs):
                    taken[i][j] = True
            cells.append(GridCell(r, c, rs, cs))
    return tuple(cells)


@dataclass(frozen=True, slots=True)
class _PageAnalysis:
    gray: np.ndarray          # deskewed grayscale page
    binary: np.ndarray        # its ink mask
    lines: np.ndarray         # ruling-line mask (dilated), to erase before OCR
    grids: tuple[Grid, ...]
    dpi: float


def image_dpi(image: Image.Image) -> float:
    """Resolution of a page image: its DPI tag, else its long side taken as A4's 11.69 in."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if 100 <= value <= 1200:
        return value
    return max(image.size) / 11.69


def _analyse(image: Image.Image, dpi: float | None = None) -> _PageAnalysis:
    cv2 = _cv2()
    gray0 = np.asarray(image.convert("L"))
    res = dpi or image_dpi(image)
    angle = estimate_skew(gray0, res)
    gray = deskew_image(gray0, angle)
    del gray0   # full-page arrays are 9 MB each at 300 dpi: hold no more than needed
    binary = _binarise(gray)
    h, w = binary.shape
    # Kernels longer than any letter stroke (12-13 pt type: stems under 0.15 in), shorter
    # than a one-line table row (about 0.25 in). At 300 dpi: 70 and 58 px.
    klen_h, klen_v = int(res * 0.23), int(res * 0.195)
    h_mask = _open(binary, klen_h, 1)
    v_mask = _open(binary, 1, klen_v)
    lines = cv2.bitwise_or(h_mask, v_mask)
    lines_wide = cv2.dilate(lines, np.ones((5, 5), np.uint8))
    del lines
    n, labels, stats, _ = _components(lines_wide, connectivity=8)
    band = max(3, int(res / 75))
    grids = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if bw < res * 1.0 or bh < res * 0.2:
            continue
        region = labels[y:y + bh, x:x + bw] == i
        hs = _segments((h_mask[y:y + bh, x:x + bw] * region).astype(np.uint8), True)
        vs = _segments((v_mask[y:y + bh, x:x + bw] * region).astype(np.uint8), False)
        tol = max(6, int(res / 25))
        rows = [int(y) + p for p in _boundaries(hs, tol, klen_h)]
        cols = [int(x) + p for p in _boundaries(vs, tol, klen_v)]
        if len(rows) < 2 or len(cols) < 2:
            continue
        # Boundaries closer than a text line are one line drawn twice (or noise).
        gap = res * 0.08
        rows = [p for k, p in enumerate(rows) if k == 0 or p - rows[k - 1] > gap]
        cols = [p for k, p in enumerate(cols) if k == 0 or p - cols[k - 1] > gap]
        if len(rows) < 3 or len(cols) < 2:
            continue
        cells = _grid_cells(binary, rows, cols, band)
        grids.append(Grid(tuple(rows), tuple(cols), cells, rotation=round(angle, 3)))
    grids.sort(key=lambda g: (g.row_bounds[0], g.col_bounds[0]))
    return _PageAnalysis(gray, binary, lines_wide, tuple(grids), res)


def find_table_grids(image: Image.Image, dpi: float | None = None) -> list[Grid]:
    """Ruling-line grids of the bordered tables on a page image, top to bottom.

    The page is binarised (adaptive threshold), its skew estimated from the long horizontal
    lines (:func:`estimate_skew`) and undone; the ruling lines are isolated by morphological
    openings with long horizontal and vertical kernels; each connected set of lines is a
    table whose line positions, clustered, are the row and column boundaries. A boundary
    without a continuous line between two grid cells merges them (spans).

    Args:
        image: a page image (any mode), best at 200-400 dpi.
        dpi: its resolution; default its DPI tag, else its long side taken as A4's.
    Returns:
        One :class:`Grid` per table, in the coordinates of the deskewed image.
    """
    return list(_analyse(image, dpi).grids)


def _clean_cell(binary_crop: np.ndarray) -> np.ndarray:
    """Ink mask of a cell's glyphs: specks (tiny components far from any glyph) dropped.

    Diacritic dots are as small as scanner dust, so size alone cannot tell them apart; a
    small component counts only when it lies near a real glyph.
    """
    cv2 = _cv2()
    n, labels, stats, centroids = _components(binary_crop, connectivity=8)
    if n <= 1:
        return np.zeros(binary_crop.shape, dtype=bool)
    area, bw, bh = stats[:, cv2.CC_STAT_AREA], stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    big = (area >= 30) | (bw >= 9) | (bh >= 12)
    big[0] = False
    if not big.any():
        return np.zeros(binary_crop.shape, dtype=bool)
    # Marks and punctuation sit within a few pixels of their letters; dust lies anywhere.
    near = cv2.dilate(big[labels].astype(np.uint8), np.ones((13, 13), np.uint8)) > 0
    keep = big.copy()
    for i in np.nonzero(~big)[0]:
        if i == 0:
            continue
        cx, cy = centroids[i]
        keep[i] = bool(near[int(cy), int(cx)])
    keep[0] = False
    return keep[labels]


def _is_dash(glyphs: np.ndarray) -> bool:
    """A cell holding only a short horizontal bar (the "no value" dash).

    Tesseract often misreads a lone dash in a tiny crop, so it is recognised by shape.
    """
    ys, xs = np.nonzero(glyphs)
    if not len(xs):
        return False
    h = ys.max() - ys.min() + 1
    w = xs.max() - xs.min() + 1
    return bool(h <= 8 and w >= 2.0 * h and w <= 40 and glyphs.sum() >= 0.6 * h * w)


_OPERATOR = re.compile(r"^(<=|>=|=<|=>|≤|≥|<|>)\s*(\d.*)$", re.S)


def _operator_space(text: str, glyphs: np.ndarray, dpi: float) -> str:
    """Put back the space after a comparison sign when the print has one (``>= 95``).

    Tesseract reads ``>= 95`` and ``>=95`` alike; the glyph columns tell them apart: the gap
    after the operator's last sign is a word space (over 0.03 in) or a letter gap.
    """
    m = _OPERATOR.match(text.strip())
    if not m:
        return text
    op, rest = m.group(1), m.group(2)
    n_signs = 1 if op in ("<", ">", "≤", "≥") else 2
    cols = glyphs.any(axis=0)
    runs: list[tuple[int, int]] = []
    start = None
    for x, v in enumerate(cols):
        if v and start is None:
            start = x
        elif not v and start is not None:
            runs.append((start, x))
            start = None
    if start is not None:
        runs.append((start, len(cols)))
    if len(runs) <= n_signs:
        return text
    gap = runs[n_signs][0] - runs[n_signs - 1][1]
    return f"{op} {rest}" if gap > dpi * 0.03 else f"{op}{rest}"


def _cell_image(gray: np.ndarray, ink: np.ndarray, glyphs: np.ndarray) -> Image.Image:
    """The cell as Tesseract should see it: glyphs on pure white, paper level stretched."""
    cv2 = _cv2()
    paper_px = gray[~ink]
    paper = float(np.median(paper_px)) if paper_px.size else 255.0
    stretched = np.clip(gray.astype(np.float32) * (255.0 / max(paper, 1.0)), 0, 255).astype(np.uint8)
    # The grey fringe of each stroke (below the binarisation threshold) belongs to the glyph:
    # cutting it off turns 5 into 9 and commas into slashes.
    region = cv2.dilate(glyphs.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    out = np.full(gray.shape, 255, dtype=np.uint8)
    out[region] = stretched[region]
    return Image.fromarray(out)


def _cell_crops(pa: _PageAnalysis, grid: Grid) -> list[tuple[GridCell, tuple[int, int, int, int],
                                                              str | None, Image.Image | None,
                                                              np.ndarray | None]]:
    """Per cell of *grid*: (cell, box, text decided without OCR or None, image to read, glyphs).

    Blank cells give ``""`` and a lone dash ``"-"`` (no image); the others their trimmed image.
    """
    min_ink = BLANK_INK_PX * (pa.dpi / 300.0) ** 2
    m = CELL_MARGIN_PX
    out = []
    for gc in grid.cells:
        x0, y0, x1, y1 = grid.cell_box(gc)
        cx0, cy0, cx1, cy1 = x0 + m, y0 + m, x1 - m, y1 - m
        text: str | None = ""
        img = glyphs = None
        if cx1 - cx0 > 4 and cy1 - cy0 > 4:
            ink = pa.binary[cy0:cy1, cx0:cx1] > 0
            on_line = pa.lines[cy0:cy1, cx0:cx1] > 0
            glyphs = _clean_cell((ink & ~on_line).astype(np.uint8))
            if glyphs.sum() >= min_ink:
                if _is_dash(glyphs):
                    text = "-"
                else:
                    text = None
                    img = _trim(_cell_image(pa.gray[cy0:cy1, cx0:cx1], ink, glyphs), glyphs)
        out.append((gc, (x0, y0, x1, y1), text, img, glyphs))
    return out


def tables_from_image(image: Image.Image, page_no: int, ocr_cell: OcrCell | None = None,
                      dpi: float | None = None, ocr_cells: OcrCells | None = None,
                      ) -> tuple[Table, ...]:
    """Tables of a scanned page: grid from the ruling lines, text by OCR of the cells.

    Each cell is cropped from the deskewed page inside its ruling lines (the lines' own pixels
    whitened too, so Tesseract does not read them as ``|``), specks removed; cells with almost
    no ink are blank (text ``""``, confidence 1.0) and not sent to OCR, nor is a lone dash.

    Args:
        image: the page image.
        page_no: 1-based page number stored in the tables.
        ocr_cell: reads one cell image → (text, confidence 0..1), called once per cell; when
            given it is used instead of *ocr_cells*.
        dpi: the image's resolution (see :func:`find_table_grids`).
        ocr_cells: reads all the cell images of a table at once → one (text, confidence)
            each; default :func:`tesseract_mosaic_ocr` (one Tesseract run per table).
    Returns:
        The tables, ``source="scan"``, ``bbox`` in pixels of the deskewed page.
    """
    return tables_from_analysis(_analyse(image, dpi), page_no, ocr_cell, ocr_cells)


def tables_from_analysis(pa: _PageAnalysis, page_no: int, ocr_cell: OcrCell | None = None,
                         ocr_cells: OcrCells | None = None) -> tuple[Table, ...]:
    """:func:`tables_from_image` on a page already analysed (:func:`analyse_page`)."""
    if ocr_cell is not None:
        def read_all(images: Sequence[Image.Image]) -> list[tuple[str, float]]:
            return [ocr_cell(img) for img in images]
    else:
        read_all = ocr_cells or functools.partial(tesseract_mosaic_ocr, dpi=round(pa.dpi))
    tables = []
    for grid in pa.grids:
        crops = _cell_crops(pa, grid)
        to_read = [k for k, c in enumerate(crops) if c[2] is None]
        read = read_all([crops[k][3] for k in to_read]) if to_read else []
        texts: dict[int, tuple[str, float]] = dict(zip(to_read, read))
        cells = []
        for k, (gc, (x0, y0, x1, y1), text, _img, glyphs) in enumerate(crops):
            if text is None:
                text, conf = texts[k]
                text = join_cell_lines(_operator_space(text, glyphs, pa.dpi))
            else:
                conf = 0.9 if text == "-" else 1.0
            indent = None
            if glyphs is not None and glyphs.any():
                # the first ink column, from the cell's left line, in points
                first = int(np.nonzero(glyphs.any(axis=0))[0][0]) + CELL_MARGIN_PX
                indent = round(first * 72.0 / pa.dpi, 2)
            cells.append(TableCell(row=gc.row, col=gc.col, text=text, rowspan=gc.rowspan,
                                   colspan=gc.colspan, bbox=(float(x0), float(y0), float(x1),
                                                             float(y1)),
                                   confidence=round(float(conf), 3), indent=indent))
        tables.append(Table(page=page_no, n_rows=grid.n_rows, n_cols=grid.n_cols,
                            cells=tuple(cells), source="scan"))
    return tuple(tables)


def _trim(img: Image.Image, glyphs: np.ndarray, pad: int = 12) -> Image.Image:
    """Crop to the ink with a white border of *pad* pixels (Tesseract likes a margin)."""
    ys, xs = np.nonzero(glyphs)
    if not len(xs):
        return img
    box = img.crop((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    out = Image.new("L", (box.width + 2 * pad, box.height + 2 * pad), 255)
    out.paste(box, (pad, pad))
    return out


def _count_text_lines(img: Image.Image) -> int:
    a = np.asarray(img.convert("L")) < 128
    rows = a.any(axis=1)
    n = 0
    prev = False
    run = 0
    for v in rows:
        if v and not prev:
            run = 0
        if v:
            run += 1
        if not v and prev and run >= 6:
            n += 1
        prev = v
    if prev and run >= 6:
        n += 1
    return max(n, 1)


_NUMERIC = re.compile(r"^[<>=≤≥]*\s*\d[\d.,%\s-]*$")
#: Characters of a numeric cell, for the second reading with Tesseract's ``eng`` model.
DIGIT_WHITELIST = "0123456789.,<>=%-"


def _tesseract_read(img: Image.Image, lang: str, config: str) -> tuple[str, float]:
    import pytesseract

    data = pytesseract.image_to_data(img, lang=lang, config=config,
                                     output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confs = []
    for k, word in enumerate(data["text"]):
        word = (word or "").strip()
        if not word:
            continue
        key = (data["block_num"][k], data["par_num"][k], data["line_num"][k])
        lines.setdefault(key, []).append(word)
        try:
            c = float(data["conf"][k])
        except (TypeError, ValueError):
            c = -1.0
        if c >= 0:
            confs.append(c / 100.0)
    text = "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))
    conf = sum(confs) / len(confs) if confs else 0.0
    return unicodedata.normalize("NFC", text), conf


def tesseract_cell_ocr(img: Image.Image, lang: str = "vie") -> tuple[str, float]:
    """Read one cell with Tesseract (``--psm 7`` for a one-line cell, else ``--psm 6``).

    A one-line cell that ``vie`` reads as a number is read again with the ``eng`` model
    restricted to digits and number signs (:data:`DIGIT_WHITELIST`), which confuses 5/9
    and 8/9 far less; that reading wins when it is a number too.

    Returns:
        (text with one line per text line, mean word confidence 0..1; 0.0 if nothing read).
    Raises:
        pytesseract.TesseractNotFoundError: Tesseract is missing (the caller translates).
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    psm = 7 if _count_text_lines(img) == 1 else 6
    text, conf = _tesseract_read(img, lang, f"--psm {psm}")
    if psm == 7 and _NUMERIC.match(text.strip()) and _has_eng():
        digits, dconf = _tesseract_read(
            img, "eng", f"--psm 7 -c tessedit_char_whitelist={DIGIT_WHITELIST}")
        if digits and _NUMERIC.match(digits.strip()):
            return digits, dconf
    return text, conf


@functools.lru_cache(maxsize=1)
def _has_eng() -> bool:
    import pytesseract

    try:
        return "eng" in pytesseract.get_languages(config="")
    except Exception:  # noqa: BLE001 - no second reading without the model
        return False


# --------------------------------------------------------------------------- mosaic OCR

#: White space between two cells in a mosaic, in inches (about three text lines at 12 pt):
#: enough that Tesseract never joins the lines of two cells into one.
MOSAIC_GAP_IN = 0.2
#: Mosaics are read as one uniform block of text (no column finding to go wrong).
MOSAIC_PSM = 6


def cells_mosaic(images: Sequence[Image.Image], gap: int = 60
                 ) -> tuple[Image.Image, list[tuple[int, int]]]:
    """Stack cell images into one white image, one cell per band, *gap* pixels apart.

    Args:
        images: the cell images (each already trimmed with a white margin).
        gap: white pixels between two bands (and above the first, below the last).
    Returns:
        (the mosaic, greyscale; the (top, bottom) pixel rows of each cell's band).
    """
    width = max((im.width for im in images), default=1) + 2 * gap
    height = gap + sum(im.height + gap for im in images)
    out = Image.new("L", (width, max(height, 1)), 255)
    bands = []
    y = gap
    for im in images:
        out.paste(im.convert("L"), (gap, y))
        bands.append((y, y + im.height))
        y += im.height + gap
    return out, bands


def mosaic_lines_to_cells(lines: Sequence[Any], bands: Sequence[tuple[int, int]]
                          ) -> list[tuple[str, float]]:
    """Words read on a mosaic → each band's (text, mean word confidence 0..1).

    A word belongs to the band its vertical centre falls in (or the nearest band). Within a
    band, words group into text lines by Tesseract's own lines, split at band boundaries;
    lines are ordered top to bottom, words left to right; lines joined by newlines.

    Args:
        lines: :class:`pipeline.ocr.tsv.OcrLine` objects (anything with ``.words`` whose items
            have ``text``, ``conf``, ``left``, ``top``, ``height``).
        bands: (top, bottom) of each cell's band, top to bottom (:func:`cells_mosaic`).
    """
    starts = [b[0] for b in bands]
    per_band: list[dict[int, list[Any]]] = [{} for _ in bands]
    for k, ln in enumerate(lines):
        for w in ln.words:
            if not bands:
                break
            cy = w.top + w.height / 2
            i = max(0, min(len(bands) - 1, int(np.searchsorted(starts, cy, side="right")) - 1))
            # in the gap below band i: take the nearer of i and i+1
            if cy > bands[i][1] and i + 1 < len(bands) and bands[i + 1][0] - cy < cy - bands[i][1]:
                i += 1
            per_band[i].setdefault(k, []).append(w)
    out = []
    for groups in per_band:
        if not groups:
            out.append(("", 0.0))
            continue
        ordered = sorted(groups.values(), key=lambda ws: min(w.top for w in ws))
        text = "\n".join(" ".join(w.text for w in sorted(ws, key=lambda w: w.left))
                         for ws in ordered)
        confs = [w.conf for ws in ordered for w in ws]
        out.append((unicodedata.normalize("NFC", text), sum(confs) / len(confs)))
    return out


def _numeric_like(text: str) -> bool:
    """A reading that is or may be a misread number: digits, no letters, no date slashes
    (``94,17%``, ``<=6§5``; not ``2J1``, ``17/6/2024``), on one line."""
    t = text.strip()
    if _NUMERIC.match(t):
        return True
    return (any(c.isdigit() for c in t) and not any(c.isalpha() for c in t)
            and "/" not in t and "\n" not in t)


def _tesseract_tsv(img: Image.Image, lang: str, config: str) -> str:
    """Tesseract's TSV of *img*, passed as an uncompressed PGM (cheaper to write than PNG)."""
    import tempfile

    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="vnocr-") as tmp:
        path = os.path.join(tmp, "cells.pgm")
        img.convert("L").save(path)
        return pytesseract.image_to_data(path, lang=lang, config=config,
                                         output_type=pytesseract.Output.STRING)


def _read_mosaic(images: Sequence[Image.Image], lang: str, config: str, dpi: int
                 ) -> list[tuple[str, float]]:
    from ..ocr.tsv import parse_tesseract_tsv

    mosaic, bands = cells_mosaic(images, gap=round(dpi * MOSAIC_GAP_IN))
    tsv = _tesseract_tsv(mosaic, lang, f"--psm {MOSAIC_PSM} --dpi {dpi} {config}".strip())
    return mosaic_lines_to_cells(parse_tesseract_tsv(tsv), bands)


def tesseract_mosaic_ocr(images: Sequence[Image.Image], lang: str = "vie", dpi: int = 300
                         ) -> list[tuple[str, float]]:
    """Read many cell images with two Tesseract runs instead of one or two per cell.

    The cells are stacked into one mosaic (:func:`cells_mosaic`) read with ``--psm 6``, and
    the words mapped back to their cells by position (:func:`mosaic_lines_to_cells`). The
    one-line cells that ``vie`` reads as numbers, or as digits and signs without letters
    (``<=6§5``), are then read again, together, by the ``eng`` model restricted to
    :data:`DIGIT_WHITELIST` (as :func:`tesseract_cell_ocr` does for one cell); that reading
    wins where it is a number. On the two synthetic scans (751 cells) the texts are those of
    one run per cell but for 3 cells, 2 of them read better (``2,1`` for ``2J1``).

    Returns:
        One (text with one line per text line, mean word confidence 0..1) per image.
    Raises:
        pytesseract.TesseractNotFoundError: Tesseract is missing (the caller translates).
    """
    if not images:
        return []
    out = _read_mosaic(images, lang, "", dpi)
    numeric = [k for k, (text, _) in enumerate(out)
               if _numeric_like(text) and _count_text_lines(images[k]) == 1]
    if numeric and _has_eng():
        digits = _read_mosaic([images[k] for k in numeric], "eng",
                              f"-c tessedit_char_whitelist={DIGIT_WHITELIST}", dpi)
        for k, (text, conf) in zip(numeric, digits):
            if text and _NUMERIC.match(text.strip()):
                out[k] = (text, conf)
    return out


# --------------------------------------------------------------------------- page pass

def analyse_page(image: Image.Image, dpi: float | None = None) -> _PageAnalysis:
    """Deskewed page, ink and ruling-line masks and the table grids, for
    :func:`tables_from_analysis` and :func:`blank_tables` (one analysis serves both)."""
    return _analyse(image, dpi)


def might_have_tables(image: Image.Image, dpi: float | None = None) -> bool:
    """A cheap test (some 10 ms) that a page may hold a ruled table, run before the grid search.

    At a quarter of the resolution (minimum over 4×4 blocks, so thin lines stay dark), a
    table has at least three horizontal lines over an inch long and two vertical ones over
    a fifth of an inch. The openings are short (skew turns a line into a staircase of short
    runs; 8-connected, the runs make one component again) and the components measured.
    Conservative: ``False`` only when :func:`find_table_grids` would find nothing.
    """
    cv2 = _cv2()
    res = dpi or image_dpi(image)
    a = np.asarray(image if image.mode == "L" else image.convert("L"))
    f = 4
    h, w = (a.shape[0] // f) * f, (a.shape[1] // f) * f
    if h == 0 or w == 0:
        return False
    small = a[0:h:f, 0:w:f].copy()
    for dy in range(f):
        for dx in range(f):
            if dy or dx:
                np.minimum(small, a[dy:h:f, dx:w:f], out=small)
    ink = (small < min(160, int(np.median(small)) - 60)).astype(np.uint8)
    r = res / f
    _, _, h_stats, _ = _components(_open(ink, int(r * 0.3), 1), connectivity=8)
    _, _, v_stats, _ = _components(_open(ink, 1, int(r * 0.1)), connectivity=8)
    n_h = int((h_stats[1:, cv2.CC_STAT_WIDTH] >= r * 1.0).sum())
    n_v = int((v_stats[1:, cv2.CC_STAT_HEIGHT] >= r * 0.2).sum())
    return n_h >= 3 and n_v >= 2


def source_box(pa: _PageAnalysis, box: Sequence[float]) -> tuple[float, float, float, float]:
    """A box (x0, y0, x1, y1) on the deskewed page of *pa* → its bounding box on the page
    image as given (the deskew rotation undone)."""
    angle = pa.grids[0].rotation if pa.grids else 0.0
    h, w = pa.gray.shape
    x0, y0, x1, y1 = box
    if abs(angle) < 0.02:
        return (float(x0), float(y0), float(x1), float(y1))
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = w / 2, h / 2
    pts = []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        # deskew_image rotated by +angle (counter-clockwise on screen, y down): undo it
        dx, dy = x - cx, y - cy
        pts.append((cx + dx * cos - dy * sin, cy + dx * sin + dy * cos))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (max(0.0, min(xs)), max(0.0, min(ys)), min(float(w), max(xs)), min(float(h), max(ys)))


def blank_tables(image: Image.Image, pa: _PageAnalysis, pad: int = 6) -> Image.Image:
    """The page image with each table of *pa* painted white, for the body-text pass
    (the cells are read on their own; reading them twice costs a second OCR of the table)."""
    from PIL import ImageDraw

    angle = pa.grids[0].rotation if pa.grids else 0.0
    h, w = pa.gray.shape
    out = image.copy()
    draw = ImageDraw.Draw(out)
    fill = 255 if out.mode in ("L", "1", "P") else (255,) * len(out.getbands())
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    for g in pa.grids:
        x0, y0, x1, y1 = g.bbox
        corners = [(x0 - pad, y0 - pad), (x1 + pad, y0 - pad), (x1 + pad, y1 + pad),
                   (x0 - pad, y1 + pad)]
        poly = []
        for x, y in corners:
            dx, dy = x - w / 2, y - h / 2
            poly.append((w / 2 + dx * cos - dy * sin, h / 2 + dx * sin + dy * cos))
        draw.polygon(poly, fill=fill)
    out.info.update(image.info)
    return out
