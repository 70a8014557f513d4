#!/usr/bin/env python3
"""Precision and recall of review.csv's confidence threshold on the real sample's gold lines.

A word is "wrong" when its restoration differs from the gold word it aligns to; review.csv
lists the words whose confidence is below the threshold. Precision: share of listed words
that are wrong; recall: share of wrong words that are listed.

Usage: python scripts/review_threshold.py [--split dev|test]
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from evaluate import GOLD, SAMPLE, norm_word, words as gold_words  # noqa: E402
from pipeline.restore import restore_lines  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev")
    args = ap.parse_args()
    rows = [r for r in csv.DictReader(open(GOLD / "hai-phong-nq42.lines.tsv", encoding="utf-8"),
                                      delimiter="\t", quoting=csv.QUOTE_NONE)
            if r["split"] == args.split]
    src = SAMPLE.read_text(encoding="utf-8").split("\n")
    res = restore_lines(src)
    by_line: dict[int, list] = {}
    for w in res.words:
        by_line.setdefault(w.line, []).append(w)
    scored = []   # (confidence, wrong)
    for r in rows:
        words = sorted(by_line.get(int(r["line"]) - 1, []), key=lambda w: w.start)
        gold = gold_words(r["gold"])
        hyp = [norm_word(w.chosen) for w in words]
        ok = set()
        for op in Levenshtein.opcodes(hyp, gold):
            if op.tag == "equal":
                ok.update(range(op.src_start, op.src_end))
        scored += [(w.confidence, i not in ok) for i, w in enumerate(words)]
    wrong = sum(1 for _, bad in scored if bad)
    print(f"split {args.split}: {len(scored)} restored words, {wrong} wrong")
    print("threshold | listed | precision | recall")
    for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99):
        listed = [bad for c, bad in scored if c < t]
        tp = sum(listed)
        print(f"{t:9.2f} | {len(listed):6d} | {tp / max(len(listed), 1):9.3f} | {tp / max(wrong, 1):6.3f}")


if __name__ == "__main__":
    main()
