"""Reading order of OCR lines: keep two-column blocks together.

Tesseract (``--psm 3``) often reads the title block of a report (agency | national motto)
and the signature block (recipients | signer) as single lines running across both
columns: ``ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``. We split lines at gaps
much wider than a word space and, where several consecutive lines split into exactly two
parts around one gutter, read the left column to its end and then the right column.
"""
from __future__ import annotations

from .tsv import OcrLine

GAP_FACTOR = 3.0          # a gap wider than this many line heights separates columns
MIN_SPLIT_LINES = 2       # a two-column zone needs this many lines read across both columns
CUT_TOLERANCE = 0.12      # the lines of a zone are cut within this fraction of the text width
NEAR_FACTOR = 2.6         # a one-column line joins the zone within this many line heights
LOOKBACK_ROWS = 4         # a line may join a row this many rows back (see lines_to_rows)


NOISE_CONFIDENCE = 0.6   # a lone character read less surely than this in a gutter is noise


def split_line_at_gaps(line: OcrLine, gap_factor: float = GAP_FACTOR) -> tuple[OcrLine, ...]:
    """Split one OCR line where the space between two words exceeds gap_factor × height.

    A single character Tesseract was unsure of, out in such a gap (``Nơi nhận: | TM. ỦY
    BAN``; ``- Chủ tịch, các PCT UBND TP;      :      ẽ``: specks or the edge of a stamp),
    neither bridges it nor makes a column of its own: it is dropped from the split line.
    """
    words = sorted(line.words, key=lambda w: w.left)
    limit = gap_factor * max(1, line.height)
    noise = [len(w.text) == 1 and w.conf < NOISE_CONFIDENCE for w in words]
    if not all(noise):
        def out_in_a_gap(k: int) -> bool:
            left = next((w for w, n in zip(reversed(words[:k]), reversed(noise[:k])) if not n),
                        None)
            right = next((w for w, n in zip(words[k + 1:], noise[k + 1:]) if not n), None)
            if left is not None and right is not None:
                return right.left - left.right > limit
            near = left.right if left is not None else right.left   # type: ignore[union-attr]
            return abs(words[k].left - near) > limit

        words = [w for k, w in enumerate(words) if not (noise[k] and out_in_a_gap(k))]
    parts = [[words[0]]]
    for prev, word in zip(words, words[1:]):
        if word.left - prev.right > limit:
            parts.append([])
        parts[-1].append(word)
    if len(parts) == 1 and len(words) == len(line.words):
        return (line,)
    return tuple(OcrLine(line.block, line.paragraph, tuple(p)) for p in parts)


def _cut(parts: tuple[OcrLine, ...]) -> float:
    return (parts[0].right + parts[1].left) / 2


def _same_row(parts: list[OcrLine], line: OcrLine) -> bool:
    """Whether *line* sits beside *parts* (overlapping vertically, apart horizontally)."""
    for p in parts:
        overlap = min(p.bottom, line.bottom) - max(p.top, line.top)
        if overlap < 0.5 * min(p.height, line.height):
            return False
        if min(p.right, line.right) > max(p.left, line.left):
            return False
    return True


def lines_to_rows(lines) -> list[tuple[tuple[OcrLine, ...], tuple[OcrLine, ...]]]:
    """Group lines that sit side by side into rows: (lines, parts left to right).

    Parts are the lines split at wide gaps, so a row read across two columns has two parts
    whether Tesseract gave it as one line or as two. A line joins the row it sits beside
    among the last LOOKBACK_ROWS rows: Tesseract may read a right-hand column as blocks of
    its own between the lines of the left one (Nơi nhận:, - Như trên;, TM. ỦY BAN ...).
    """
    rows: list[tuple[list[OcrLine], list[OcrLine]]] = []
    for line in lines:
        segs = split_line_at_gaps(line)
        row = next((r for r in reversed(rows[-LOOKBACK_ROWS:]) if _same_row(r[1], line)), None)
        if row is not None:
            row[0].append(line)
            row[1].extend(segs)
        else:
            rows.append(([line], list(segs)))
    return [(tuple(ls), tuple(sorted(ps, key=lambda p: p.left))) for ls, ps in rows]


def order_lines(lines: tuple[OcrLine, ...] | list[OcrLine]) -> tuple[OcrLine, ...]:
    """Lines in reading order, two-column zones read column by column.

    Rows are runs of lines side by side (:func:`lines_to_rows`). A zone is a run of rows in
    which at least MIN_SPLIT_LINES rows have exactly two parts, all cut at about the same x
    (within CUT_TOLERANCE of the text width) in the middle half of the text width;
    one-part rows next to them join the zone when they are vertically close and do not
    straddle the cut. Zones are read left column, then right column; rows with three or
    more parts (table rows) end a zone; everything outside zones keeps Tesseract's order.
    """
    if not lines:
        return ()
    rows = lines_to_rows(lines)
    text_left = min(ln.left for ln in lines)
    width = max(1, max(ln.right for ln in lines) - text_left)
    tolerance = CUT_TOLERANCE * width
    parts = [r[1] for r in rows]
    out: list[OcrLine] = []
    i = 0
    while i < len(rows):
        if len(parts[i]) != 2:
            out.extend(rows[i][0])
            i += 1
            continue
        cuts = [_cut(parts[i])]
        j = i
        k = i + 1
        while k < len(rows) and len(parts[k]) <= 2:
            cut = sum(cuts) / len(cuts)
            if len(parts[k]) == 2:
                if abs(_cut(parts[k]) - cut) > tolerance:
                    break
                cuts.append(_cut(parts[k]))
                j = k
            elif not _near(parts[k - 1], parts[k]) or _crosses(parts[k][0], cut, tolerance):
                break
            k += 1
        cut = sum(cuts) / len(cuts)
        if len(cuts) < MIN_SPLIT_LINES or not 0.25 <= (cut - text_left) / width <= 0.75:
            out.extend(rows[i][0])
            i += 1
            continue
        start = i
        while (start > 0 and len(parts[start - 1]) == 1 and len(rows[start - 1][0]) == 1
               and out and out[-1] is rows[start - 1][0][0]
               and _near(parts[start - 1], parts[start])
               and not _crosses(parts[start - 1][0], cut, tolerance)):
            start -= 1
            out.pop()
        end = j
        while (end + 1 < len(rows) and len(parts[end + 1]) == 1
               and _near(parts[end], parts[end + 1])
               and not _crosses(parts[end + 1][0], cut, tolerance)):
            end += 1
        left, right = [], []
        for ps in parts[start:end + 1]:
            if len(ps) == 2:
                left.append(ps[0])
                right.append(ps[1])
            elif (ps[0].left + ps[0].right) / 2 < cut:
                left.append(ps[0])
            else:
                right.append(ps[0])
        out.extend(sorted(left, key=lambda p: p.top))
        out.extend(sorted(right, key=lambda p: p.top))
        i = end + 1
    return tuple(out)


def _crosses(line: OcrLine, cut: float, tolerance: float) -> bool:
    return line.left < cut - tolerance and line.right > cut + tolerance


def _near(upper: tuple[OcrLine, ...], lower: tuple[OcrLine, ...]) -> bool:
    height = max(p.height for p in upper + lower)
    return min(p.top for p in lower) - max(p.top for p in upper) <= NEAR_FACTOR * height
