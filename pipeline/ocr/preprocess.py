"""Page images before OCR: resolution, skew, grey levels; and the way back to the source.

Pure functions over PIL images. :func:`prepare_page` returns the image Tesseract reads and
a :class:`PageTransform` that maps word boxes on it back onto the source page, so word
boxes (and the searchable PDF's text layer) refer to the page as scanned.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from ..options import ImageNormalization, OcrOptions

log = logging.getLogger(__name__)

A4_LONG_SIDE_INCHES = 11.69
MAX_SKEW_DEGREES = 5.0
# Tesseract's own line finding copes with small skew, and resampling a scan costs accuracy
# and ~0.15 s: measured on synthetic pages skewed 0.3-1.5°, straightening them first gave
# 32 word errors against 27 without (4250 words). Straighten only beyond this.
MIN_SKEW_DEGREES = 2.0


@dataclass(frozen=True, slots=True)
class PageTransform:
    """How the OCR'd image was made from the source page image.

    Forward: turn the source by ``turn`` degrees counter-clockwise (a multiple of 90,
    canvas expanded), scale by ``scale``, then rotate by ``skew`` degrees counter-clockwise
    about the centre (canvas kept).
    """

    width: int                 # source page image size in pixels
    height: int
    turn: int = 0
    scale: float = 1.0
    skew: float = 0.0
    dpi: int = 300             # resolution of the OCR'd image

    def to_source(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """Map a box (x0, y0, x1, y1) on the OCR'd image to source page pixels."""
        x0, y0, x1, y1 = box
        corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
        turned_w, turned_h = ((self.width, self.height) if self.turn in (0, 180)
                              else (self.height, self.width))
        cx, cy = turned_w * self.scale / 2, turned_h * self.scale / 2
        a = math.radians(self.skew)
        cos, sin = math.cos(a), math.sin(a)
        out = []
        for x, y in corners:
            # undo the skew rotation (PIL rotates counter-clockwise on screen, y down)
            dx, dy = x - cx, y - cy
            x, y = cx + dx * cos - dy * sin, cy + dx * sin + dy * cos
            x, y = x / self.scale, y / self.scale
            if self.turn == 90:
                x, y = self.width - y, x
            elif self.turn == 180:
                x, y = self.width - x, self.height - y
            elif self.turn == 270:
                x, y = y, self.height - x
            out.append((x, y))
        xs = [p[0] for p in out]
        ys = [p[1] for p in out]
        return (max(0.0, min(xs)), max(0.0, min(ys)),
                min(float(self.width), max(xs)), min(float(self.height), max(ys)))


def image_dpi(image: Image.Image) -> int | None:
    """The resolution recorded in the image file, or None when absent or implausible."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return int(round(value)) if 50 <= value <= 1200 else None


def estimate_dpi(image: Image.Image) -> int:
    """Resolution of a page image without a usable dpi tag, assuming an A4 page."""
    return max(50, int(round(max(image.size) / A4_LONG_SIDE_INCHES)))


def to_gray(image: Image.Image) -> Image.Image:
    """8-bit greyscale; Tesseract reads colour as grey anyway and L is a third of the bytes."""
    if image.mode == "L":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("L")


def _ink_points(gray: Image.Image, target_width: int = 900) -> tuple[np.ndarray, np.ndarray]:
    factor = max(1, gray.width // target_width)
    small = gray.reduce(factor) if factor > 1 else gray
    a = np.asarray(small, dtype=np.uint8)
    threshold = min(160, int(a.mean()) - 40)
    ys, xs = np.nonzero(a < threshold)
    return xs.astype(np.float64), ys.astype(np.float64)


def _profile_score(xs: np.ndarray, ys: np.ndarray, slope: float) -> float:
    proj = np.round(ys - xs * slope).astype(np.int64)
    proj -= proj.min()
    counts = np.bincount(proj)
    return float(np.dot(counts, counts))


def skew_angle(gray: Image.Image, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """Skew of the text lines in degrees (positive: lines fall to the right on screen).

    Projection profiles of the ink pixels on a reduced image: the slope at which rows of
    ink are sharpest (largest sum of squared row counts) is the skew. Coarse 0.25° steps,
    then 0.025° around the best.
    """
    xs, ys = _ink_points(gray)
    if len(xs) < 200:
        return 0.0

    def best(candidates):
        return max(candidates, key=lambda d: _profile_score(xs, ys, math.tan(math.radians(d))))

    coarse = best(np.arange(-max_degrees, max_degrees + 1e-9, 0.25))
    return round(float(best(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.025))), 3)


def deskew(gray: Image.Image, angle: float) -> Image.Image:
    """Rotate so that lines falling by *angle* degrees become level (white corners)."""
    return gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)


def normalize_contrast(gray: Image.Image) -> Image.Image:
    """Stretch the grey levels so paper is white and ink black (1% clipped each end)."""
    return ImageOps.autocontrast(gray, cutoff=1)


def binarize(gray: Image.Image, window: int = 51, k: float = 0.15) -> Image.Image:
    """Local-mean threshold (Bradley): ink where a pixel is k darker than its window."""
    a = np.asarray(gray, dtype=np.float64)
    integral = np.pad(a, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    h, w = a.shape
    r = window // 2
    y0 = np.clip(np.arange(h) - r, 0, h)
    y1 = np.clip(np.arange(h) + r + 1, 0, h)
    x0 = np.clip(np.arange(w) - r, 0, w)
    x1 = np.clip(np.arange(w) + r + 1, 0, w)
    total = (integral[y1][:, x1] - integral[y0][:, x1] - integral[y1][:, x0]
             + integral[y0][:, x0])
    area = np.outer(y1 - y0, x1 - x0)
    out = np.where(a * area < total * (1.0 - k), 0, 255).astype(np.uint8)
    return Image.fromarray(out, mode="L")


def skew_from_boxes(lines: list[list[tuple[float, float, float, float]]]) -> float:
    """Skew in degrees estimated from word boxes (x0, y0, x1, y1) of OCR lines.

    The median over lines of four words or more of the least-squares slope of the word
    centres; 0.0 when there are too few such lines. Free after a first OCR pass.
    """
    slopes = []
    for boxes in lines:
        if len(boxes) < 4:
            continue
        xs = np.array([(b[0] + b[2]) / 2 for b in boxes])
        ys = np.array([(b[1] + b[3]) / 2 for b in boxes])
        if xs.max() - xs.min() < 200:
            continue
        slopes.append(np.polyfit(xs, ys, 1)[0])
    if len(slopes) < 3:
        return 0.0
    return float(math.degrees(math.atan(float(np.median(slopes)))))


def prepare_page(image: Image.Image, options: OcrOptions, dpi: int | None = None,
                 turn: int = 0, skew: float = 0.0) -> tuple[Image.Image, PageTransform]:
    """Make the image Tesseract reads from a source page image.

    Args:
        image: the page as scanned or rendered.
        options: OCR options (deskew, normalisation, resolutions).
        dpi: the page's resolution when known (rendered PDFs); else read or estimated.
        turn: degrees counter-clockwise to make the page upright (from OSD), multiple of 90.
        skew: straighten lines falling by this many degrees (0: leave as is).
    Returns:
        (greyscale image with its ``dpi`` in ``info``, the transform back to the source).
    """
    width, height = image.size
    dpi = dpi or image_dpi(image) or estimate_dpi(image)
    gray = to_gray(image)
    if turn:
        gray = gray.rotate(turn, expand=True)
    scale = 1.0
    if dpi < options.min_scan_dpi:
        scale = options.dpi / dpi
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)),
                           Image.Resampling.LANCZOS)
        dpi = options.dpi
    angle = skew if options.deskew else 0.0
    if angle:
        gray = deskew(gray, angle)
    if options.normalization is ImageNormalization.CONTRAST:
        gray = normalize_contrast(gray)
    elif options.normalization is ImageNormalization.BINARIZE:
        gray = binarize(gray)
    gray.info["dpi"] = (dpi, dpi)
    return gray, PageTransform(width, height, turn, scale, angle, dpi)


def ink_bands(gray: Image.Image, dpi: int, min_gap_in: float = 0.25, pad_in: float = 0.08,
              min_ink: int = 12) -> list[tuple[int, int]]:
    """Horizontal bands (y0, y1) of a page that hold ink, with a margin; blank stretches of
    more than *min_gap_in* inches between them left out.

    Measured at a quarter of the resolution (minimum over 4×4 blocks, so thin strokes
    stay); a band with fewer than *min_ink* ink pixels there (a speck) is dropped.
    """
    f = 4
    a = np.asarray(gray if gray.mode == "L" else gray.convert("L"))
    h, w = (a.shape[0] // f) * f, (a.shape[1] // f) * f
    if h == 0 or w == 0:
        return []
    small = a[0:h:f, 0:w:f].copy()
    for dy in range(f):
        for dx in range(f):
            if dy or dx:
                np.minimum(small, a[dy:h:f, dx:w:f], out=small)
    ink_rows = (small < min(160, int(np.median(small)) - 60)).sum(axis=1)
    gap = max(1, int(dpi * min_gap_in / f))
    bands: list[list[int]] = []
    for y in np.nonzero(ink_rows)[0]:
        y = int(y)
        if bands and y - bands[-1][1] <= gap:
            bands[-1][1] = y
            bands[-1][2] += int(ink_rows[y])
        else:
            bands.append([y, y, int(ink_rows[y])])
    pad = int(dpi * pad_in)
    return [(max(0, y0 * f - pad), min(a.shape[0], (y1 + 1) * f + pad))
            for y0, y1, n in bands if n >= min_ink]
