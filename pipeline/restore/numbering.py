"""Roman numerals OCR misreads: section numbers, and the numeral after Phụ lục, Chương ...

Section numbers: a report's top-level headings count I., II., III., IV. in order.

OCR reads the strokes of a Roman numeral badly and alone (Tesseract ``vie`` reads ``III.``
as ``II.`` in most scans, and as ``HI.``; ``II`` as ``IIL``), but the heading before it says
what it must be. A heading numeral is the first word of a line, followed by a heading in
capitals. One that repeats the number before it, or is no numeral at all, and is one edit
away from the next number in the sequence, is that number. A numeral that goes back to I
(a new part starting its own count) or jumps ahead is left as it is.

After a word that takes a Roman numeral (Phụ lục, Chương, Phần, Mục, khóa), a lone token
of stroke-like glyphs that is no numeral (``[``, ``|``, ``H``, ``IH``) is read as one:
Tesseract reads the I of ``Phụ lục I`` as ``[`` at the start of a line, II as ``H``.

List letters: items a), b), c), d), đ), e) ... count in the Vietnamese alphabet. One read
as its look-alike (``đ)`` for d) after c)) or behind a speck (``_b)`` after a)) is the letter
the count expects.
"""
from __future__ import annotations

import regex
from rapidfuzz.distance import Levenshtein

from .syllables import normalize_tone_placement

# numeral-like first word, optional full stop, then a word in capitals
_HEADING = regex.compile(r"^(\s*)([IVXHLl1|]{1,6})(\.?\s+)(\p{Lu}[\p{Lu}\p{M}]+)")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman(n: int) -> str:
    """The Roman numeral of 1 <= n < 40."""
    out = "X" * (n // 10)
    n %= 10
    return out + ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")[n]


def roman_value(text: str) -> int | None:
    """Value of a Roman numeral I..XXXIX written in canonical form, else None."""
    total, prev = 0, 0
    for ch in reversed(text):
        v = _VALUES.get(ch)
        if v is None or v == 50:
            return None
        total += -v if v < prev else v
        prev = max(prev, v)
    return total if 0 < total < 40 and roman(total) == text else None


def section_number_fixes(lines: list[str]) -> dict[int, tuple[int, int, str]]:
    """Line index -> (start, end, numeral) for heading numerals that break the sequence
    I, II, III, ... in a way one OCR misreading explains."""
    fixes: dict[int, tuple[int, int, str]] = {}
    prev = 0
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if not m:
            continue
        token = m.group(2)
        # I strokes read as 1, l or |; two of them joined by a speck or blur read as H
        read = regex.sub(r"[l1|]", "I", token).replace("H", "II")
        value = roman_value(read)
        expected = roman(prev + 1) if prev + 1 < 40 else ""
        if value == prev + 1:
            if read != token:
                fixes[i] = (m.start(2), m.end(2), read)
            prev = value
        elif expected and (value is None or 1 < value <= prev) \
                and Levenshtein.distance(read, expected) <= 1:
            fixes[i] = (m.start(2), m.end(2), expected)
            prev += 1
        elif value is not None:
            prev = value
    return fixes


# words that are followed by a Roman numeral (lower case, classic tone placement)
NUMERAL_NOUNS = (("phụ", "lục"), ("chương",), ("phần",), ("mục",), ("khóa",))
_TOKEN = regex.compile(r"\S+")
_STROKES = regex.compile(r"^[IVXHl1|\[\]]+$")


def _as_numeral(token: str) -> str:
    """The Roman numeral a token of stroke-like glyphs stands for, '' if none."""
    if not _STROKES.match(token) or token.isdigit() or roman_value(token) is not None \
            or (("[" in token or "]" in token) and len(token) > 1):   # [1] is a reference
        return ""
    read = regex.sub(r"[l1|\[\]]", "I", token).replace("H", "II")
    return read if roman_value(read) is not None else ""


def numeral_after_noun_fixes(lines: list[str]) -> dict[int, list[tuple[int, int, str]]]:
    """Line index -> [(start, end, numeral)] for misread numerals after NUMERAL_NOUNS (the
    noun may end the line before)."""
    fixes: dict[int, list[tuple[int, int, str]]] = {}
    prev: list[str] = []          # skeletons of the last two words seen
    for i, line in enumerate(lines):
        for m in _TOKEN.finditer(line):
            token = m.group()
            core = token.rstrip(".,;:)")
            if any(tuple(prev[-len(n):]) == n for n in NUMERAL_NOUNS) and core \
                    and not (core == "[" and "]" in line[m.end():]):
                numeral = _as_numeral(core)
                if numeral:
                    fixes.setdefault(i, []).append((m.start(), m.start() + len(core), numeral))
            prev = (prev + [normalize_tone_placement(token.strip(".,;:()[]").lower())])[-2:]
    return fixes


LIST_LETTERS = "abcdđeghiklmnopqrstuvxy"   # the Vietnamese alphabet lists count in
_LIST_ITEM = regex.compile(r"^(\s*)([_\-.,'`~]*)(\p{Ll})(\))\s")


def list_letter_fixes(lines: list[str]) -> dict[int, tuple[int, int, str]]:
    """Line index -> (start, end, letter) for list letters a), b), ... that break the count
    and are explained by a look-alike letter (d/đ) or junk before the letter."""
    fixes: dict[int, tuple[int, int, str]] = {}
    prev = -1
    for i, line in enumerate(lines):
        m = _LIST_ITEM.match(line)
        if not m or m.group(3) not in LIST_LETTERS:
            continue
        letter, junk = m.group(3), m.group(2)
        nexts = [LIST_LETTERS[k] for k in (prev + 1, prev + 2) if 0 <= k < len(LIST_LETTERS)]
        if prev >= 0 and LIST_LETTERS[prev] == "d":
            nexts = nexts[:2]       # after d) comes đ) or, in lists without đ, e)
        else:
            nexts = nexts[:1]
        if letter in nexts:
            if junk:
                fixes[i] = (m.start(2), m.end(3), letter)
        else:
            want = next((n for n in nexts if {n, letter} == {"d", "đ"}), "")
            if want:
                fixes[i] = (m.start(2), m.end(3), want)
                letter = want
        prev = LIST_LETTERS.index(letter)
    return fixes
