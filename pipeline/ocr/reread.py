"""A second look at what the page pass missed or read badly: small text standing alone.

Tesseract's page layout analysis (``--psm 3``) drops or garbles short text that stands
alone on a scan — a page number centred above the body (``2`` read as ``Z``, ``“`` or not
at all), a lone numeral. Alone on a line, such text has no neighbours to be read with, and
on a grey, noisy scan Tesseract's own thresholding of the whole page loses it. Cropped,
thresholded on its own ink (Otsu) and read as one line (``--psm 7``), it is read right.

Two kinds of region are re-read:

- *missed ink*: text-sized ink that no word box covers;
- *lone unsure lines*: lines of one or two words that Tesseract read with low confidence.

A re-read is kept only when Tesseract is sure of it (``MIN_REREAD_CONFIDENCE``) and, for a
line it had read, surer than the first time.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image, ImageOps

from ..options import OcrOptions
from .tsv import OcrLine, OcrWord, mean_conf, parse_tesseract_tsv

log = logging.getLogger(__name__)

MIN_REREAD_CONFIDENCE = 0.8   # a re-read line is kept only when Tesseract is this sure of it
LONE_LINE_WORDS = 2           # lines of at most this many words...
LONE_LINE_CONFIDENCE = 0.5    # ...read less surely than this are read again
MAX_REREADS = 8               # regions re-read per page at most (bounded time on noisy pages)
# Missed ink is text-sized: its height within these multiples of the median word height.
MIN_INK_HEIGHT = 0.5
MAX_INK_HEIGHT = 2.0
WORD_GAP = 1.0                # ink runs closer than this many heights are one region


class LineReader(Protocol):
    def image_to_line_tsv(self, image: Image.Image, options: OcrOptions) -> str:
        """Tesseract TSV of an image holding one line of text (``--psm 7``)."""
        ...


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top


def ink_mask(gray: Image.Image) -> np.ndarray:
    """Boolean ink mask of a greyscale page (dark against its own paper)."""
    a = np.asarray(gray if gray.mode == "L" else gray.convert("L"))
    return a < min(160, int(np.median(a)) - 60)


def median_word_height(lines: tuple[OcrLine, ...] | list[OcrLine]) -> int:
    heights = sorted(w.height for ln in lines for w in ln.words)
    return heights[len(heights) // 2] if heights else 0


def _runs(flags: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """(start, end) of runs of True in *flags*, runs closer than max_gap merged."""
    idx = np.nonzero(flags)[0]
    if not len(idx):
        return []
    runs = [[int(idx[0]), int(idx[0]) + 1]]
    for i in idx[1:].tolist():
        if i - runs[-1][1] <= max_gap:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(a, b) for a, b in runs]


def missed_ink_boxes(ink: np.ndarray, lines: tuple[OcrLine, ...] | list[OcrLine]) -> list[Box]:
    """Text-sized regions of ink that no word box covers (a dropped page number).

    Word boxes are blanked (with a margin) out of *ink*; what is left is cut into rows and
    then into runs of columns. A region is kept when its ink is as tall as text — specks,
    rules and table lines are not.
    """
    height = median_word_height(lines)
    if not height:
        return []
    left = ink.copy()
    m = max(2, height // 4)
    for ln in lines:
        for w in ln.words:
            left[max(0, w.top - m):w.bottom + m, max(0, w.left - m):w.right + m] = False
    out = []
    row_ink = left.sum(axis=1) >= 2
    for y0, y1 in _runs(row_ink, max(1, height // 4)):
        if not MIN_INK_HEIGHT * height <= y1 - y0 <= MAX_INK_HEIGHT * height:
            continue
        band = left[y0:y1]
        for x0, x1 in _runs(band.any(axis=0), int(WORD_GAP * height)):
            region = band[:, x0:x1]
            rows = np.nonzero(region.any(axis=1))[0]
            top, bottom = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
            if bottom - top < MIN_INK_HEIGHT * height or x1 - x0 < 0.2 * height \
                    or region.sum() < 0.05 * height * height:
                continue
            out.append(Box(x0, top, x1, bottom))
    return out


def lone_unsure_lines(lines: tuple[OcrLine, ...] | list[OcrLine]) -> list[int]:
    """Indexes of lines of at most LONE_LINE_WORDS words Tesseract was unsure of."""
    return [i for i, ln in enumerate(lines)
            if len(ln.words) <= LONE_LINE_WORDS
            and mean_conf([ln]) < LONE_LINE_CONFIDENCE]


def otsu_threshold(a: np.ndarray) -> int:
    """Otsu's threshold of a uint8 array (the grey level that best splits ink and paper)."""
    hist = np.bincount(a.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(between.argmax())


def crop_for_reading(gray: Image.Image, box: Box) -> tuple[Image.Image, int, int]:
    """The region around *box*, thresholded on its own ink and padded with white: (image,
    x and y of the image's origin on the page)."""
    h = max(1, box.height)
    x0, y0 = max(0, box.left - h // 2), max(0, box.top - h // 3)
    x1, y1 = min(gray.width, box.right + h // 2), min(gray.height, box.bottom + h // 3)
    a = np.asarray(gray.crop((x0, y0, x1, y1)).convert("L"))
    t = otsu_threshold(a)
    bw = Image.fromarray(np.where(a <= t, 0, 255).astype(np.uint8), mode="L")
    pad = h // 2
    out = ImageOps.expand(bw, border=pad, fill=255)
    out.info["dpi"] = gray.info.get("dpi", (300, 300))
    return out, x0 - pad, y0 - pad


def read_region(gray: Image.Image, box: Box, reader: LineReader, options: OcrOptions,
                block: int) -> OcrLine | None:
    """Read one region as a line; None unless Tesseract is sure of what it read."""
    image, dx, dy = crop_for_reading(gray, box)
    read = parse_tesseract_tsv(reader.image_to_line_tsv(image, options))
    words = [w for ln in read for w in ln.words]
    if not words or not any(c.isalnum() for w in words for c in w.text):
        return None
    if mean_conf(read) < MIN_REREAD_CONFIDENCE:
        return None
    return OcrLine(block, 0, tuple(OcrWord(w.text, w.conf, w.left + dx, w.top + dy, w.width,
                                           w.height) for w in words))


def reread_lines(gray: Image.Image, lines: tuple[OcrLine, ...], reader: LineReader,
                 options: OcrOptions) -> tuple[OcrLine, ...]:
    """*lines* with lone unsure lines read again and missed ink read and put in its place
    (before the first line below it). Boxes are in pixels of *gray*."""
    out = list(lines)
    budget = MAX_REREADS
    for i in lone_unsure_lines(lines)[:budget]:
        ln = lines[i]
        budget -= 1
        new = read_region(gray, Box(ln.left, ln.top, ln.right, ln.bottom), reader, options,
                          ln.block)
        if new is not None and mean_conf([new]) > mean_conf([ln]):
            log.debug("re-read %r as %r", ln.text, new.text)
            out[i] = new
    if budget <= 0:
        return tuple(out)
    block = max((ln.block for ln in lines), default=0) + 1
    for box in missed_ink_boxes(ink_mask(gray), lines)[:budget]:
        new = read_region(gray, box, reader, options, block)
        if new is None:
            continue
        log.debug("read missed ink at %s as %r", box, new.text)
        at = next((k for k, ln in enumerate(out) if ln.top > box.top), len(out))
        out.insert(at, new)
    return tuple(out)
