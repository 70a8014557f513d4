"""Split a line into words and punctuation with character spans (no character is lost)."""
from __future__ import annotations

from collections.abc import Iterator

import regex

_LEAD = "(\"“‘'[{-–"    # a dash glued to a word is a list bullet (-nguodi for "- người")
_TRAIL = ",.;:)\"”’'!?]}…"
_PEELED_LAST = _TRAIL + "/"   # a last character that may come off ("./" ends a document)
_SPACE = regex.compile(r"\S+")


_APOSTROPHES = "’'"
_OPENING = "‘“'\""


def split_line(line: str, glue_apostrophe: bool = False) -> Iterator[tuple[str, int, int, str]]:
    """Yield (text, start, end, kind) for each piece of *line*.

    kind is "word" for the core of a whitespace token and "punct" for leading or trailing
    punctuation peeled off it. Concatenating the pieces with the original whitespace gives
    back the line exactly.

    *glue_apostrophe* (English-model OCR): an apostrophe right after a word's last letter
    stays in the word when no quotation opens before it on the line — that OCR reads the
    horn of ơ, ư or a tone mark as one (``co’ bản`` for cơ bản, ``thu’`` for thư). So does a
    question mark that ends a word when the next word goes on in small letters: no question
    ends there, it is the hook of ử or ở (``tt? vong`` for tử vong, ``thi? ba`` for thứ ba).
    """
    quoted = False
    found = list(_SPACE.finditer(line))
    for n, m in enumerate(found):
        tok, start = m.group(), m.start()
        if tok[0] not in _LEAD and tok[-1] not in _PEELED_LAST:
            yield tok, start, m.end(), "word"   # nothing to peel (most words)
            continue
        i, j = 0, len(tok)
        while i < j and tok[i] in _LEAD:
            i += 1
        quoted = quoted or any(c in _OPENING for c in tok[:i])
        # (a document's closing "./." or "./" is punctuation too: "tổng hợp./.")
        while j > i and (tok[j - 1] in _TRAIL or tok[j - 1] == "/" and tok[j - 2:j - 1] == "."):
            j -= 1
        mark = (not quoted and j < len(tok) and tok[j] in _APOSTROPHES) or \
            (tok[j:] == "?" and n + 1 < len(found) and found[n + 1].group()[:1].islower())
        if glue_apostrophe and mark and tok[j - 1:j].isalpha():
            j += 1
        for k in range(i):
            yield tok[k], start + k, start + k + 1, "punct"
        if j > i:
            yield tok[i:j], start + i, start + j, "word"
        for k in range(j, len(tok)):
            yield tok[k], start + k, start + k + 1, "punct"


def words_of(text: str) -> list[str]:
    """All pieces of *text*, words and punctuation, in order (for language-model training)."""
    return [p[0] for line in text.splitlines() for p in split_line(line)]
