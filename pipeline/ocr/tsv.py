"""Parse Tesseract's TSV output (image_to_data) into lines of words with confidences."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    conf: float          # 0..1, Tesseract's word confidence
    left: int            # box in pixels of the image Tesseract read
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


@dataclass(frozen=True, slots=True)
class OcrLine:
    block: int
    paragraph: int
    words: tuple[OcrWord, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.right for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> int:
        """Median word height: robust to a tall diacritic or a speck in the line."""
        heights = sorted(w.height for w in self.words)
        return heights[len(heights) // 2]


def mean_conf(lines) -> float:
    """Mean word confidence of *lines* (0.0 when they hold no word)."""
    confs = [w.conf for ln in lines for w in ln.words]
    return sum(confs) / len(confs) if confs else 0.0


def parse_tesseract_tsv(tsv: str) -> tuple[OcrLine, ...]:
    """Group the word rows (level 5) of a Tesseract TSV by block, paragraph and line.

    Lines come out in Tesseract's order (block by block). Lines without any word text are
    dropped; word text is NFC. Raises ValueError when the text is not Tesseract TSV.
    """
    rows = tsv.splitlines()
    if not rows:
        return ()
    header = rows[0].split("\t")
    idx = {name: i for i, name in enumerate(header)}
    missing = {"level", "page_num", "block_num", "par_num", "line_num", "left", "top",
               "width", "height", "conf", "text"} - set(idx)
    if missing:
        raise ValueError(f"not Tesseract TSV (no column {', '.join(sorted(missing))})")
    lines: dict[tuple[int, int, int, int], list[OcrWord]] = {}
    order: list[tuple[int, int, int, int]] = []
    for row in rows[1:]:
        cols = row.split("\t")
        if len(cols) < len(header) or cols[idx["level"]] != "5":
            continue
        text = unicodedata.normalize("NFC", cols[idx["text"]].strip())
        if not text:
            continue
        key = (int(cols[idx["page_num"]]), int(cols[idx["block_num"]]),
               int(cols[idx["par_num"]]), int(cols[idx["line_num"]]))
        if key not in lines:
            lines[key] = []
            order.append(key)
        conf = float(cols[idx["conf"]])
        lines[key].append(OcrWord(text, max(conf, 0.0) / 100.0, int(cols[idx["left"]]),
                                  int(cols[idx["top"]]), int(cols[idx["width"]]),
                                  int(cols[idx["height"]])))
    return tuple(OcrLine(k[1], k[2], tuple(lines[k])) for k in order)
