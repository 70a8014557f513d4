"""Split a line into words and punctuation with character spans (no character is lost)."""
from __future__ import annotations

from collections.abc import Iterator

import regex

_LEAD = "(\"“‘'[{"
_TRAIL = ",.;:)\"”’'!?]}…"
_SPACE = regex.compile(r"\S+")


def split_line(line: str) -> Iterator[tuple[str, int, int, str]]:
    """Yield (text, start, end, kind) for each piece of *line*.

    kind is "word" for the core of a whitespace token and "punct" for leading or trailing
    punctuation peeled off it. Concatenating the pieces with the original whitespace gives
    back the line exactly.
    """
    for m in _SPACE.finditer(line):
        tok, start = m.group(), m.start()
        i, j = 0, len(tok)
        while i < j and tok[i] in _LEAD:
            i += 1
        while j > i and tok[j - 1] in _TRAIL:
            j -= 1
        for k in range(i):
            yield tok[k], start + k, start + k + 1, "punct"
        if j > i:
            yield tok[i:j], start + i, start + j, "word"
        for k in range(j, len(tok)):
            yield tok[k], start + k, start + k + 1, "punct"


def words_of(text: str) -> list[str]:
    """All pieces of *text*, words and punctuation, in order (for language-model training)."""
    return [p[0] for line in text.splitlines() for p in split_line(line)]
