#!/usr/bin/env python3
"""Check the generated syllable inventory against Debian's hunspell-vi and Tesseract's vie
word lists, and write it to dictionaries/vi_syllables_generated_<N>.tsv with attestations.

Sources: /usr/share/hunspell/vi_VN.dic (package hunspell-vi, GPL-2 word list: used only to
check, never shipped) and Tesseract's vie.traineddata word list (package tesseract-ocr-vie,
Apache-2.0; extracted with `combine_tessdata -u` then `dawg2wordlist`).

Usage: python scripts/check_lexicon.py   (prints the counts and the disagreements)
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.restore.syllables import (
    decompose,
    generate_inventory,
    has_marks,
    normalize_tone_placement,
)

HUNSPELL = Path("/usr/share/hunspell/vi_VN.dic")


def tesseract_words() -> list[str]:
    tessdata = next(Path("/usr/share/tesseract-ocr").rglob("vie.traineddata"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["combine_tessdata", "-u", str(tessdata), f"{tmp}/vie."], check=True,
                       capture_output=True)
        out = Path(tmp) / "words.txt"
        subprocess.run(["dawg2wordlist", f"{tmp}/vie.lstm-unicharset", f"{tmp}/vie.lstm-word-dawg",
                        str(out)], check=True, capture_output=True)
        return out.read_text(encoding="utf-8").split()


def hunspell_words() -> list[str]:
    lines = HUNSPELL.read_text(encoding="utf-8").splitlines()[1:]
    return [ln.split("/")[0] for ln in lines if ln.strip()]


def syllables_of(words: list[str]) -> Counter:
    c: Counter = Counter()
    for w in words:
        for part in unicodedata.normalize("NFC", w).replace("-", " ").split():
            if part.isalpha():
                c[part.lower()] += 1
    return c


def main() -> None:
    inv = set(generate_inventory())
    sources = {"hunspell-vi": syllables_of(hunspell_words()),
               "tesseract vie": syllables_of(tesseract_words())}
    print(f"generated inventory: {len(inv)} toned syllables")
    attested = {}
    for name, counts in sources.items():
        viet = {s for s in counts if has_marks(s) or decompose(s)}
        normal = {normalize_tone_placement(s) for s in viet}
        inside = {s for s in normal if s in inv}
        outside = sorted(s for s in normal if s not in inv and has_marks(s))
        attested[name] = inside
        print(f"{name}: {len(counts)} distinct lowercase words/syllables; {len(inside)} in the "
              f"inventory; {len(outside)} marked words not in it, e.g. {', '.join(outside[:25])}")
    both = attested["hunspell-vi"] | attested["tesseract vie"]
    print(f"inventory syllables attested by either list: {len(both)}; by neither: {len(inv - both)}")
    out = ROOT / "dictionaries" / f"vi_syllables_generated_{len(inv)}.tsv"
    with open(out, "w", encoding="utf-8") as f:
        f.write("syllable\tonset\trhyme\ttone\thunspell\ttesseract\n")
        for s in sorted(inv):
            o, r, t = decompose(s)
            f.write(f"{s}\t{o}\t{r}\t{t}\t{int(s in attested['hunspell-vi'])}\t"
                    f"{int(s in attested['tesseract vie'])}\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
