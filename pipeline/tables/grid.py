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
                    "size": float(run[0].get("size") or 10.0)})
    return out


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
            cells.append(TableCell(row=r, col=c, text=_runs_to_text(inside), rowspan=rs,
                                   colspan=cs, bbox=tuple(round(v, 2) for v in bbox),
                                   confidence=1.0))
        tables.append(Table(page=page_no, n_rows=n_rows, n_cols=n_cols, cells=tuple(cells),
                            source="pdf"))
    return tuple(tables)


# --------------------------------------------------------------------------- scans

def _cv2() -> Any:
    import cv2

    cv2.setNumThreads(1)
    return cv2


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
    cv2 = _cv2()
    binary = _binarise(gray)
    h, w = binary.shape
    seg = _open(binary, max(20, int(dpi * 0.13)), 1)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(seg, connectivity=8)
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
    cv2 = _cv2()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
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
    binary = _binarise(gray)
    h, w = binary.shape
    # Kernels longer than any letter stroke (12-13 pt type: stems under 0.15 in), shorter
    # than a one-line table row (about 0.25 in). At 300 dpi: 70 and 58 px.
    klen_h, klen_v = int(res * 0.23), int(res * 0.195)
    h_mask = _open(binary, klen_h, 1)
    v_mask = _open(binary, 1, klen_v)
    lines = cv2.bitwise_or(h_mask, v_mask)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(lines, np.ones((5, 5), np.uint8)), connectivity=8)
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
    lines_wide = cv2.dilate(lines, np.ones((5, 5), np.uint8))
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
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary_crop, connectivity=8)
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


def tables_from_image(image: Image.Image, page_no: int, ocr_cell: OcrCell | None = None,
                      dpi: float | None = None) -> tuple[Table, ...]:
    """Tables of a scanned page: grid from the ruling lines, text by OCR of each cell.

    Each cell is cropped from the deskewed page inside its ruling lines (the lines' own pixels
    whitened too, so Tesseract does not read them as ``|``), specks removed; cells with almost
    no ink are blank (text ``""``, confidence 1.0) and not sent to OCR.

    Args:
        image: the page image.
        page_no: 1-based page number stored in the tables.
        ocr_cell: reads one cell image → (text, confidence 0..1); default
            :func:`tesseract_cell_ocr`.
        dpi: the image's resolution (see :func:`find_table_grids`).
    Returns:
        The tables, ``source="scan"``, ``bbox`` in pixels of the deskewed page.
    """
    ocr = ocr_cell or tesseract_cell_ocr
    pa = _analyse(image, dpi)
    min_ink = BLANK_INK_PX * (pa.dpi / 300.0) ** 2
    tables = []
    m = CELL_MARGIN_PX
    for grid in pa.grids:
        cells = []
        for gc in grid.cells:
            x0, y0, x1, y1 = grid.cell_box(gc)
            cx0, cy0, cx1, cy1 = x0 + m, y0 + m, x1 - m, y1 - m
            text, conf = "", 1.0
            if cx1 - cx0 > 4 and cy1 - cy0 > 4:
                ink = pa.binary[cy0:cy1, cx0:cx1] > 0
                on_line = pa.lines[cy0:cy1, cx0:cx1] > 0
                glyphs = _clean_cell((ink & ~on_line).astype(np.uint8))
                if glyphs.sum() >= min_ink:
                    if _is_dash(glyphs):
                        text, conf = "-", 0.9
                    else:
                        img = _cell_image(pa.gray[cy0:cy1, cx0:cx1], ink, glyphs)
                        text, conf = ocr(_trim(img, glyphs))
                        text = _operator_space(text, glyphs, pa.dpi)
                    text = join_cell_lines(text)
            cells.append(TableCell(row=gc.row, col=gc.col, text=text, rowspan=gc.rowspan,
                                   colspan=gc.colspan, bbox=(float(x0), float(y0), float(x1),
                                                             float(y1)),
                                   confidence=round(float(conf), 3)))
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
