#!/usr/bin/env python3
"""Make aligned (gold line, OCR line) pairs for learning the OCR channel.

Training sentences (never held-out or evaluation text) are wrapped into lines, rendered as
scan-like page images in Liberation Serif (13–14 pt at 300 dpi, some bold, light blur, noise,
JPEG), and read by ``tesseract -l eng`` (the legacy path) and ``-l vie`` (the fresh path),
one line per text line (``--psm 6``). Pages whose OCR line count differs from the rendered
count are aligned by similarity and unmatched lines dropped.

Usage: python scripts/make_channel_pairs.py --pages 120 --out data/pairs
Writes OUT/eng.tsv and OUT/vie.tsv: gold<TAB>ocr per line.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
LINES_PER_PAGE = 28


def load_lines(corpus: Path, seed: int, pattern: str = "*.train.txt") -> list[str]:
    rng = random.Random(seed)
    lines: list[str] = []
    for path in sorted(corpus.glob(pattern)):
        sents = path.read_text(encoding="utf-8").splitlines()
        rng.shuffle(sents)
        for s in sents[:4000]:
            lines.extend(textwrap.wrap(s, rng.randint(60, 80)))
    terms = ROOT / "dictionaries" / "sources" / "domain_terms.txt"
    if terms.exists() and pattern == "*.train.txt":
        ts = [t for t in terms.read_text(encoding="utf-8").splitlines() if t and not t.startswith("#")]
        rng.shuffle(ts)
        for i in range(0, min(len(ts), 1500), 4):
            lines.append(", ".join(ts[i:i + 4]))
    rng.shuffle(lines)
    return lines


def render(lines: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    size = rng.choice([54, 56, 58])
    font = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), size)
    bold = ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Bold.ttf"), size)
    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    y = 200
    for line in lines:
        draw.text((220, y), line, font=bold if rng.random() < 0.12 else font, fill=rng.randint(0, 40))
        y += int(size * 1.5)
    img = img.rotate(rng.uniform(-0.4, 0.4), fillcolor=255, resample=Image.BICUBIC)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.1)))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr * rng.uniform(0.8, 0.95) + rng.uniform(5, 30)
    arr += np.random.default_rng(seed).normal(0, rng.uniform(3, 9), arr.shape)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(70, 85))
    return buf.getvalue()


def ocr(image: bytes, lang: str) -> list[str]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    res = subprocess.run(["tesseract", "stdin", "stdout", "-l", lang, "--psm", "6"],
                         input=image, capture_output=True, env=env, check=True)
    return [ln for ln in res.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]


def align(gold: list[str], got: list[str]) -> list[tuple[str, str]]:
    if len(gold) == len(got):
        return list(zip(gold, got))
    pairs, j = [], 0
    for g in gold:
        best, best_k = 0.0, -1
        for k in range(j, min(j + 3, len(got))):
            s = fuzz.ratio(g, got[k])
            if s > best:
                best, best_k = s, k
        if best_k >= 0 and best > 50:
            pairs.append((g, got[best_k]))
            j = best_k + 1
    return pairs


def page_job(args: tuple[list[str], int]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    lines, seed = args
    image = render(lines, seed)
    return align(lines, ocr(image, "eng")), align(lines, ocr(image, "vie"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--pages", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "pairs")
    ap.add_argument("--pattern", default="*.train.txt",
                    help="corpus files to render; 'libreoffice.heldout.txt' makes the prose-eng "
                         "evaluation set (python scripts/make_channel_pairs.py --pattern "
                         "libreoffice.heldout.txt --pages 12 --out data/eval)")
    args = ap.parse_args()
    lines = load_lines(args.corpus, args.seed, args.pattern)
    jobs = [(lines[i * LINES_PER_PAGE:(i + 1) * LINES_PER_PAGE], args.seed + i)
            for i in range(args.pages) if (i + 1) * LINES_PER_PAGE <= len(lines)]
    args.out.mkdir(parents=True, exist_ok=True)
    # Pairs are written page by page, so a long run that is stopped keeps what it made.
    n_eng = n_vie = 0
    with ProcessPoolExecutor(args.jobs) as pool, \
            open(args.out / "eng.tsv", "w", encoding="utf-8") as f_eng, \
            open(args.out / "vie.tsv", "w", encoding="utf-8") as f_vie:
        for n, (e, v) in enumerate(pool.map(page_job, jobs), 1):
            f_eng.writelines(f"{g}\t{o}\n" for g, o in e)
            f_vie.writelines(f"{g}\t{o}\n" for g, o in v)
            f_eng.flush()
            f_vie.flush()
            n_eng += len(e)
            n_vie += len(v)
            if n % 10 == 0:
                print(f"{n}/{len(jobs)} pages", file=sys.stderr)
    print(f"pages {len(jobs)}  eng pairs {n_eng}  vie pairs {n_vie}")


if __name__ == "__main__":
    main()
