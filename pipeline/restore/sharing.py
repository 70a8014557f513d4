"""Candidate searches shared by the worker processes of one run.

Each worker searches the channel for the OCR forms it meets and keeps the results; without
sharing, two workers each search the forms common to the documents of a batch. Here every
worker appends the forms it searched to its own file in a run folder after each document,
and reads what the others appended before the next one. A search result depends only on
the form, the channel and the code, so outputs do not depend on which worker searched.
"""
from __future__ import annotations

from pathlib import Path

from . import Source, get_decoder
from .channel import format_cached, parse_cached


class SharedSearches:
    """One worker's view of the run's shared search files (``<folder>/<name>.tsv``)."""

    def __init__(self, folder: Path, name: str):
        self.folder = folder
        self.path = folder / f"{name}.tsv"
        self._offsets: dict[Path, int] = {}

    def publish(self) -> int:
        """Append the forms this process searched since the last call; returns the count."""
        lines = []
        for source in Source:
            for form, ranked in get_decoder(source).gen.take_fresh():
                lines.append(f"{source.value}\t{form}\t{format_cached(ranked)}\n")
        if lines:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("".join(lines))
        return len(lines)

    def collect(self) -> int:
        """Adopt what the other workers appended since the last call (whole lines only: a
        line being written is read next time); returns the count."""
        n = 0
        for path in sorted(self.folder.glob("*.tsv")):
            if path == self.path:
                continue
            start = self._offsets.get(path, 0)
            with open(path, "rb") as f:
                f.seek(start)
                data = f.read()
            end = data.rfind(b"\n") + 1
            self._offsets[path] = start + end
            for line in data[:end].decode("utf-8").splitlines():
                source, form, rest = line.split("\t", 2)
                get_decoder(Source(source)).gen.adopt(form, parse_cached(rest, None))
                n += 1
        return n
