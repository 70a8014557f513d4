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

The words of a name are weighed more sharply. After a person's title or a kind of place
(ông Đỗ Minh Khang, xã Na Sang, phường An Xuyên) or a family name (Tạ Văn Phong),
:func:`name_run`, a capital is a name's for sure, and how often a reading is a name's word
says more than how often it is capitalised: Quỹ, Ban and Sở are capitalised as institutions,
not as names. The table's third count is how often each syllable stands in such a name in
the training text (and in the domain list's names); the decoder weighs a name's words by it,
with :data:`NAME_MISSED_START` for the floor.
"""
from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .channel import DICTIONARIES

CASE_FORMAT = "# vnocr case table v2"
DEFAULT_CASE_PATH = DICTIONARIES / "vi_case_capitals.tsv"
PRIOR_WEIGHT = 20.0    # pseudo-counts of the overall rate added to each syllable's counts
#: Share of mid-sentence capitals that in fact open a sentence (a full stop OCR lost) or
#: a title (Hội thi Sản phẩm Mới): in the dev reports' gold, 0.1 % of the words inside a
#: sentence are capitals of syllables next to never capitalised there, and eng-OCR loses
#: some full stops. 0.01-0.002 read alike on the dev rounds, 0.005 their middle: against
#: 0.05, eng-OCR wrong 1,961 -> 1,955 and right words made wrong 39 -> 37, Tesseract vie's
#: made wrong 28 -> 24.
MISSED_START = 0.005
NAME_MISSED_START = 0.001   # the same for the words of a name (after ông, xã, Nguyễn Văn)

#: Words a person's name follows: ông Đỗ Minh Khang, đồng chí Tạ Thị Minh Dung; in capitals
#: they head the name's row too (Ông Lê Văn Giàu).
PERSON_TITLES = frozenset((
    "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "thầy", "chí", "già",
    "mẹ",
))
#: Kinds of place a name follows in small letters: xã Na Sang, phường An Xuyên, sông Vàm Nao,
#: dân tộc Thái, đồng bào Chăm. In capitals they are the name's own (Sông Mã, Hồ Tây).
PLACE_KINDS = frozenset((
    "xã", "phường", "huyện", "quận", "tỉnh", "thôn", "xóm", "bản", "ấp", "làng", "buôn",
    "sóc", "trấn", "phố", "sông", "suối", "núi", "đèo", "hồ", "đảo", "vịnh", "đầm", "kênh",
    "khẩu", "cảng", "chùa", "đình", "đền", "tộc", "bào",
))
NAME_INTRODUCERS = PERSON_TITLES | PLACE_KINDS
#: Family names: three capitals in a row after one, or two with Văn or Thị in the middle,
#: are a person's name (Dương Công Khánh, Tạ Văn Phong).
SURNAMES = frozenset((
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi",
    "đỗ", "hồ", "ngô", "dương", "lý", "lí", "đinh", "đoàn", "lương", "lưu", "trịnh", "mai",
    "trương", "cao", "lâm", "hà", "tạ", "nông", "lò", "quàng", "tô", "thái", "kiều", "chu",
    "tăng", "la", "vi", "hứa", "triệu", "hầu", "lục", "mạc", "quách", "lại", "khổng",
    "tống", "thạch", "kim", "vương", "đào", "lã", "giáp", "đàm", "khúc",
))
MIDDLE_NAMES = frozenset(("văn", "thị"))


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


def read_counts(path: Path = DEFAULT_CASE_PATH) -> dict[str, tuple[int, int, int]]:
    """token -> (times inside a sentence, of which capitalised, of which in a name)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != CASE_FORMAT:
        raise ValueError(f"{path}: not a {CASE_FORMAT!r} file; rebuild it with "
                         "scripts/build_case.py")
    out = {}
    for line in lines[2:]:
        token, mid, cap, name = line.split("\t")
        out[token] = (int(mid), int(cap), int(name))
    return out


@functools.lru_cache(maxsize=4)
def capital_logprob(vocab_items: tuple[str, ...], path: Path = DEFAULT_CASE_PATH,
                    names: bool = False) -> np.ndarray:
    """log10 P(a capital is seen | word) by LM id (*vocab_items*: the LM's words in id order;
    the last slot is the out-of-vocabulary id). Words never counted, and a printed word kept
    as no syllable, get the overall rate: a capitalised "Mtre" is eng-OCR's Mức as often as
    a name.) With *names*, log10 P(a name's word is seen | word), for the words of a name
    (:func:`name_run`): the capitals of institutions (Quỹ, Ban, Sở) do not count there, and
    a sentence start OCR lost is next to impossible."""
    counts = read_counts(path)
    col, missed = (2, NAME_MISSED_START) if names else (1, MISSED_START)
    mid = sum(c[0] for c in counts.values())
    rate = sum(c[col] for c in counts.values()) / mid if mid else 0.05
    out = np.full(len(vocab_items) + 1, _observed(rate, missed), dtype=np.float64)
    for i, token in enumerate(vocab_items):
        c = counts.get(token)
        if c is not None:
            out[i] = _observed((c[col] + PRIOR_WEIGHT * rate) / (c[0] + PRIOR_WEIGHT), missed)
    return out


def name_run(pieces: Sequence[tuple[str, int, int, str]], reads) -> set[int]:
    """Indexes of the pieces that make a name: capitalised words in a row after a word in
    small letters that says a name follows (:data:`NAME_INTRODUCERS`: ông, xã, sông), after
    a person's title in capitals heading the row ("Ông Lê Văn Giàu"), or from a family name
    (:data:`SURNAMES`) on, three in a row or two with Văn or Thị second, wherever they stand
    (the signer at the foot of a report: "Lưu: VT. Đỗ Quang Thịnh"); and rows of two or
    more capitals a comma apart, a list of names (Yên Phong, Quế Võ). *reads(i, group)* says
    whether piece *i* reads as one of *group*, so the counting of training text and the
    decoder's reading of OCR can each say it in their own way. A single capital before a
    small-letter word is left out: it is as often a title (đồng chí Bí thư) as a name."""
    out: set[int] = set()
    rows: list[tuple[int, int]] = []   # every row of two or more capitals
    n = len(pieces)
    capital = [_capital_word(p) for p in pieces] + [False]
    k = 0
    while k < n:
        if not capital[k]:
            k += 1
            continue
        titled = capital[k + 1] and reads(k, PERSON_TITLES)
        if titled:
            k += 1
        j = k
        while capital[j]:
            j += 1
        before = pieces[k - 1] if k else None
        named = titled or (before is not None and before[3] == "word" and before[0].islower()
                           and reads(k - 1, NAME_INTRODUCERS)) \
            or (reads(k, SURNAMES)
                and (j - k >= 3 or (j - k == 2 and reads(k + 1, MIDDLE_NAMES))))
        if named and (j - k >= 2 or j == n or pieces[j][3] != "word"):
            out.update(range(k, j))
        if j - k >= 2:
            rows.append((k, j))
        k = j
    # a list of names: rows of two or more capitals a comma apart (Yên Phong, Quế Võ, Quang
    # Châu; Hòn Tre, Lại Sơn, An Sơn)
    for (a, b), (c, d) in itertools.pairwise(rows):
        if c == b + 1 and pieces[b][0] == ",":
            out.update(range(a, b))
            out.update(range(c, d))
    return out


def _capital_word(piece: tuple[str, int, int, str]) -> bool:
    """A word of letters (or OCR's digits for them: "D6" is Đỗ) with a capital first and
    small letters after, if any."""
    text = piece[0]
    return text[:1].isupper() and piece[3] == "word" and text.isalnum() \
        and not any(map(str.isupper, text[1:]))


def _observed(p: float, missed_start: float) -> float:
    return math.log10(missed_start + (1.0 - missed_start) * p)


def count(sentences: Sequence[list[tuple[str, int, int, str]]], token_of) -> dict[str, list[int]]:
    """Counts for the table from sentences given as split_line pieces: for each word inside
    a sentence (:func:`mid_sentence`) not in capitals, its token (*token_of*), whether it
    is capitalised and whether it stands in a name (:func:`name_run`)."""
    out: dict[str, list[int]] = {}
    for pieces in sentences:
        toks = [token_of(p[0]) for p in pieces]
        names = name_run(pieces, lambda i, group, toks=toks: toks[i] in group)
        prev = None
        for k, piece in enumerate(pieces):
            text, _s, _e, kind = piece
            if kind == "word" and text.isalpha() and mid_sentence(prev) \
                    and (title_case(text) or text.islower()):
                c = out.setdefault(toks[k], [0, 0, 0])
                c[0] += 1
                c[1] += title_case(text)
                c[2] += k in names
            prev = piece
    return out
