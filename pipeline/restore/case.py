"""How often each syllable is written with a capital inside a sentence: a case channel.

The language model reads every syllable in lower case, so it cannot see what a capital in
mid-sentence says: the word is (part of) a name. "cảm ơn Minh", "phường Chiềng An", "đồng bào
Chăm và Hoa": eng-OCR prints each without its marks, and the model, blind to the capital,
prefers the commoner mình, ăn, hóa. This table is P(capital | syllable, inside a sentence),
counted in the LM's training text by scripts/build_case.py; the decoder adds
log10 P(capital | candidate) to each reading of a capitalised word inside a sentence.

Two guards keep it an observation, not a verdict:
- counts are smoothed towards the rate over all syllables (:data:`PRIOR_WEIGHT` pseudo-counts),
  so a syllable seen a few times (đặng) weighs little;
- a capital that looks mid-sentence may open one whose full stop OCR lost, or a heading's
  first line: that happens :data:`MISSED_START` of the time, whatever the word.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .channel import DICTIONARIES

CASE_FORMAT = "# vnocr case table v1"
DEFAULT_CASE_PATH = DICTIONARIES / "vi_case_capitals.tsv"
PRIOR_WEIGHT = 20.0    # pseudo-counts of the overall rate added to each syllable's counts
MISSED_START = 0.05    # share of mid-sentence capitals that in fact open a sentence


def mid_sentence(prev: tuple[str, int, int, str] | None) -> bool:
    """Does a word after the piece *prev* (split_line's (text, start, end, kind), None at
    the start of a line) stand inside a sentence? After a comma or a word of letters on its
    line; not after a full stop, colon, bracket, quote, dash, figure or code. A line's first
    word tells nothing: it may open a table row, a list item or a paragraph."""
    if prev is None:
        return False
    return prev[0] == "," or (prev[3] == "word" and prev[0].isalpha())


def title_case(text: str) -> bool:
    """A capital and then small letters (Minh, Y), not a word in capitals (UBND)."""
    return text[:1].isupper() and (len(text) == 1 or not text.isupper())


def read_counts(path: Path = DEFAULT_CASE_PATH) -> dict[str, tuple[int, int]]:
    """token -> (times inside a sentence, of which capitalised)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != CASE_FORMAT:
        raise ValueError(f"{path}: not a {CASE_FORMAT!r} file; rebuild it with "
                         "scripts/build_case.py")
    out = {}
    for line in lines[2:]:
        token, mid, cap = line.split("\t")
        out[token] = (int(mid), int(cap))
    return out


@functools.lru_cache(maxsize=4)
def capital_logprob(vocab_items: tuple[str, ...], path: Path = DEFAULT_CASE_PATH) -> np.ndarray:
    """log10 P(a capital is seen | word) by LM id (*vocab_items*: the LM's words in id order;
    the last slot is the out-of-vocabulary id). Words never counted, and a printed word kept
    as no syllable, get the overall rate: a capitalised "Mtre" is eng-OCR's Mức as often as
    a name.)"""
    counts = read_counts(path)
    mid = sum(m for m, _ in counts.values())
    rate = sum(c for _, c in counts.values()) / mid if mid else 0.05
    out = np.full(len(vocab_items) + 1, _observed(rate), dtype=np.float64)
    for i, token in enumerate(vocab_items):
        m, c = counts.get(token, (0, 0))
        out[i] = _observed((c + PRIOR_WEIGHT * rate) / (m + PRIOR_WEIGHT))
    return out


def _observed(p: float) -> float:
    return math.log10(MISSED_START + (1.0 - MISSED_START) * p)


def count(sentences: Sequence[list[tuple[str, int, int, str]]], token_of) -> dict[str, list[int]]:
    """Counts for the table from sentences given as split_line pieces: for each word inside
    a sentence (:func:`mid_sentence`) not in capitals, its token (*token_of*) and whether it
    is capitalised."""
    out: dict[str, list[int]] = {}
    for pieces in sentences:
        prev = None
        for piece in pieces:
            text, _s, _e, kind = piece
            if kind == "word" and text.isalpha() and mid_sentence(prev) \
                    and (title_case(text) or text.islower()):
                c = out.setdefault(token_of(text), [0, 0])
                c[0] += 1
                c[1] += title_case(text)
            prev = piece
    return out
