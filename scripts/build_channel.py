#!/usr/bin/env python3
"""Learn the OCR channels P(ocr | character) from aligned pairs into dictionaries/.

Input: gold<TAB>ocr line pairs (scripts/make_channel_pairs.py writes data/pairs/eng.tsv and
vie.tsv; --extra adds more pair files, e.g. the dev half of the real sample's gold lines).
Lines are aligned word by word (edit distance over skeletons), each 1:1 word pair is
aligned character by character (a source character emits 0–3 OCR characters), and hard EM
re-estimates the confusion probabilities twice. Output: dictionaries/vi_channel_<name>.tsv
with -log10 P(sub | g), add-k smoothed, rare confusions pruned.

Usage: python scripts/build_channel.py [--pairs data/pairs] [--extra tests/data/gold/...]
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.restore.channel import (  # noqa: E402
    CHANNEL_FORMAT_VERSION,
    DICTIONARIES,
    MAX_SUB_LEN,
    UNSEEN_SUB_COST,
    WORD_CONFUSION_VERSION,
    CandidateGenerator,
    load_channel,
    load_word_confusions,
    save_candidate_cache,
    word_confusion_path,
)
from pipeline.restore.syllables import (  # noqa: E402
    is_syllable,
    normalize_tone_placement,
    skeleton,
    strip_tone,
    syllable_inventory,
)
from pipeline.restore.tokens import split_line  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402


def words(line: str, glue_apostrophe: bool = False) -> list[str]:
    return [p[0] for p in split_line(line, glue_apostrophe) if p[3] == "word"]


def align_words(gold: list[str], ocr: list[str]) -> list[tuple[str, str]]:
    """1:1 word pairs from a Levenshtein alignment over word skeletons."""
    n, m = len(gold), len(ocr)
    gs = [skeleton(w) for w in gold]
    os_ = [skeleton(w) for w in ocr]
    INF = 10**9
    d = [[INF] * (m + 1) for _ in range(n + 1)]
    bt = [[None] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            if i < n and d[i][j] + 1 < d[i + 1][j]:
                d[i + 1][j], bt[i + 1][j] = d[i][j] + 1, (i, j)
            if j < m and d[i][j] + 1 < d[i][j + 1]:
                d[i][j + 1], bt[i][j + 1] = d[i][j] + 1, (i, j)
            if i < n and j < m:
                c = Levenshtein.normalized_distance(gs[i], os_[j]) * 1.5
                if d[i][j] + c < d[i + 1][j + 1]:
                    d[i + 1][j + 1], bt[i + 1][j + 1] = d[i][j] + c, (i, j)
    steps = []      # diagonal steps: (gold index, OCR index, skeleton distance)
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = bt[i][j]
        if pi == i - 1 and pj == j - 1:
            steps.append((pi, pj, Levenshtein.normalized_distance(gs[pi], os_[pj])))
        i, j = pi, pj
    steps.reverse()
    pairs = []
    for k, (gi, oi, dist) in enumerate(steps):
        # A word read as one or two unlike glyphs (có as ¢, là as 13) shares no letters with
        # it: kept when the words on both sides are aligned pairs (a 1:1 substitution
        # between anchors), not as noise between gaps.
        anchored = 0 < k < len(steps) - 1 and len(ocr[oi]) <= 2 \
            and steps[k - 1][:2] == (gi - 1, oi - 1) and steps[k + 1][:2] == (gi + 1, oi + 1) \
            and steps[k - 1][2] <= 0.6 and steps[k + 1][2] <= 0.6
        if dist <= 0.6 or anchored:
            pairs.append((gold[gi], ocr[oi]))
    return pairs


def initial_cost(g: str, sub: str) -> float:
    if sub == "":
        return 2.0
    if len(sub) == 1:
        if sub == g:
            return 0.0
        if skeleton(sub) == skeleton(g):
            return 0.5
        return 1.5
    return 1.5 + 0.5 * (len(sub) - 1)


def align_chars(g: str, o: str, cost) -> list[tuple[str, str]] | None:
    """Best segmentation of OCR string o into len(g) pieces (each 0..MAX_SUB_LEN chars)."""
    n, m = len(g), len(o)
    INF = math.inf
    d = [[INF] * (m + 1) for _ in range(n + 1)]
    bt = [[0] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n):
        for j in range(m + 1):
            if d[i][j] == INF:
                continue
            for k in range(0, MAX_SUB_LEN + 1):
                if j + k > m:
                    break
                c = d[i][j] + cost(g[i], o[j:j + k])
                if c < d[i + 1][j + k]:
                    d[i + 1][j + k], bt[i + 1][j + k] = c, k
    if d[n][m] == INF:
        return None
    out = []
    j = m
    for i in range(n, 0, -1):
        k = bt[i][j]
        out.append((g[i - 1], o[j - k:j]))
        j -= k
    return out[::-1]


def learn(pairs: list[tuple[str, str]], iterations: int = 3, min_count: int = 2) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}

    def cost(g: str, sub: str) -> float:
        t = table.get(g)
        if t is not None and sub in t:
            return t[sub]
        return initial_cost(g, sub) + (2.0 if table else 0.0)

    for _ in range(iterations):
        counts: dict[str, Counter] = defaultdict(Counter)
        for g, o in pairs:
            seg = align_chars(g, o, cost)
            if seg:
                for gc, sub in seg:
                    counts[gc][sub] += 1
        new: dict[str, dict[str, float]] = {}
        for gc, c in counts.items():
            total = sum(c.values()) + 1.0
            new[gc] = {sub: round(-math.log10(k / total), 3) for sub, k in c.items()
                       if k >= min_count or sub == gc}
        table = new
    return table


TONE_BACKOFF = 0.5   # log10 cost added to a confusion borrowed from a vowel's other tones


def tone_backoff(table: dict[str, dict[str, float]]) -> int:
    """Give a marked vowel the confusions its siblings under other tones show and it does
    not, at their mean cost plus TONE_BACKOFF (capped at the unseen cost). English OCR reads
    the vowel's shape, which its tone changes little: ờ, ở, ớ are read as 6, so ỡ and ợ,
    too rare in the pairs to be seen so, are too. Returns the number of entries added."""
    families: dict[str, list[str]] = defaultdict(list)
    for syl in syllable_inventory():
        for ch in syl:
            base = strip_tone(ch)[0]
            if (base != ch or ch in "aăâeêioôơuưy") and ch not in families[base]:
                families[base].append(ch)
    added = 0
    for members in families.values():
        subs: dict[str, list[float]] = defaultdict(list)
        for g in members:
            for sub, c in table.get(g, {}).items():
                if sub and sub != g:
                    subs[sub].append(c)
        for g in members:
            own = table.setdefault(g, {})
            for sub, costs in subs.items():
                if sub not in own and len(costs) >= 2:
                    own[sub] = round(min(UNSEEN_SUB_COST, sum(costs) / len(costs) + TONE_BACKOFF), 3)
                    added += 1
    return added


def word_pairs(path: Path, gold_col: str | None = None) -> list[tuple[str, str]]:
    out = []
    if path.suffix == ".tsv" and gold_col:
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        lines = [(r["gold"], r["ocr"]) for r in rows if r.get("split", "dev") == "dev"]
    else:
        lines = [tuple(ln.split("\t", 1)) for ln in path.read_text(encoding="utf-8").splitlines() if "\t" in ln]
    glue = path.stem != "vie"   # split as the eng decoder splits
    for gold, ocr in lines:
        for g, o in align_words(words(gold), words(ocr, glue)):
            if is_syllable(g):
                out.append((normalize_tone_placement(g.lower()), o.lower()))
    return out


def word_confusions(pairs: list[tuple[str, str]], gen: CandidateGenerator, min_count: int = 3,
                    min_share: float = 0.03, min_posterior: float = 0.5
                    ) -> list[tuple[str, str, float]]:
    """(syllable, OCR form, -log10 P(form | syllable)) for whole-word misreadings seen at least
    *min_count* times that the character channel prices well above what they cost here.

    A misreading counts when it is a fair share of the syllable's readings (*min_share*), or
    when the OCR form, whatever its rate, stands for this syllable most of the times it is
    seen (*min_posterior*): a frequent word read now and then as one odd glyph (có as ¢ in
    one font) is rare among the word's readings but reliable from the OCR side."""
    from collections import Counter

    per_word: Counter = Counter(g for g, _ in pairs)
    per_form: Counter = Counter(o for _, o in pairs)
    seen: Counter = Counter((g, o) for g, o in pairs if g != o and o)
    out = []
    for (g, o), k in sorted(seen.items()):
        share = k / per_word[g]
        if k < min_count or (share < min_share and k / per_form[o] < min_posterior):
            continue
        cost = round(-math.log10(share), 3)
        char_cost = dict((syl, -c) for syl, c in gen.search(o)).get(g, math.inf)
        if char_cost > cost + 0.3:
            out.append((g, o, cost))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=Path, nargs="+", default=[ROOT / "data" / "pairs"],
                    help="folders of make_channel_pairs.py output (eng.tsv, vie.tsv)")
    ap.add_argument("--extra", type=Path, nargs="*", default=[
        ROOT / "tests" / "data" / "gold" / "hai-phong-nq42.lines.tsv"])
    ap.add_argument("--extra-weight", type=int, default=10,
                    help="how many times each --extra pair counts: the real sample is the only "
                         "real scan among rendered pages (10 chosen by two-fold cross-validation "
                         "on its dev lines: 3 -> 10 gains 0.3-0.4 points on the held-out fold)")
    ap.add_argument("--cache-forms", type=int, default=12000,
                    help="how many frequent OCR forms to precompute candidates for")
    ap.add_argument("--variants", type=int, default=8,
                    help="likeliest OCR spellings per LM syllable to precompute")
    args = ap.parse_args()
    print(f"{'channel':<8} {'word pairs':>10} {'chars':>6} {'confusions':>10} {'identity':>9}")
    for name in ("eng", "vie"):
        pairs = [p for folder in args.pairs if (folder / f"{name}.tsv").exists()
                 for p in word_pairs(folder / f"{name}.tsv")]
        if name == "eng":
            for extra in args.extra:
                if extra.exists():
                    pairs += word_pairs(extra, gold_col="gold") * args.extra_weight
        table = learn(pairs)
        if name == "eng":   # Tesseract vie knows the marks: its confusions are the tone's own
            tone_backoff(table)
        out = DICTIONARIES / f"vi_channel_{name}.tsv"
        with open(out, "w", encoding="utf-8") as f:
            f.write(f"# vnocr channel v{CHANNEL_FORMAT_VERSION}\n")
            f.write(f"# source char<TAB>ocr string<TAB>-log10 P; learned from {len(pairs)} word pairs\n")
            for g in sorted(table):
                for sub, c in sorted(table[g].items(), key=lambda x: x[1]):
                    f.write(f"{g}\t{sub}\t{c}\n")
        ident = sum(1 for g in table if g in table[g])
        print(f"{name:<8} {len(pairs):>10} {len(table):>6} {sum(map(len, table.values())):>10} {ident:>9}")
        channel = load_channel(name, out)
        confusions = word_confusions(pairs, CandidateGenerator(channel))
        words_out = word_confusion_path(out)
        with open(words_out, "w", encoding="utf-8") as f:
            f.write(f"# vnocr word confusions v{WORD_CONFUSION_VERSION}\n")
            f.write("# syllable<TAB>ocr form<TAB>-log10 P(form | syllable); seen >= 3 times in the pairs\n")
            for g, o, c in confusions:
                f.write(f"{g}\t{o}\t{c}\n")
        print(f"{name:<8} word confusions: {len(confusions)}")
        # Warm start: the frequent OCR forms of the training pairs, searched once here.
        forms: set[str] = set()
        for folder in args.pairs:
            if (folder / f"{name}.tsv").exists():
                forms |= set(frequent_forms(folder / f"{name}.tsv", args.cache_forms))
        forms = sorted(forms | likely_forms(channel, args.variants))
        gen = CandidateGenerator(channel, word_confusions=load_word_confusions(words_out))
        n = save_candidate_cache(gen, forms, out, DICTIONARIES / f"vi_candidates_{name}.tsv.gz")
        print(f"{name:<8} candidate cache: {n} OCR forms")


def likely_forms(channel, per_syllable: int) -> set[str]:
    """The most probable OCR spellings of every syllable the LM knows, under the channel
    (each character's three likeliest readings, combinations ranked by total cost)."""
    import heapq
    import itertools

    from pipeline.restore.lm import get_model
    from pipeline.restore.syllables import is_syllable

    out: set[str] = set()
    for word in get_model().vocab:
        if not is_syllable(word):
            continue
        options = []
        for g in word:
            subs = sorted(channel.costs.get(g, {g: 0.0}).items(), key=lambda x: x[1])[:3]
            options.append(subs or [(g, 0.0)])
        combos = heapq.nsmallest(per_syllable, itertools.product(*options),
                                 key=lambda c: sum(x[1] for x in c))
        for combo in combos:
            form = "".join(x[0] for x in combo)
            if form:
                out.add(form)
    return out


def frequent_forms(path: Path, limit: int) -> list[str]:
    """Lower-cased OCR word forms seen at least twice, most frequent first."""
    from collections import Counter

    from pipeline.restore.decoder import classify

    counts: Counter = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        _, _, ocr = line.partition("\t")
        for w in words(ocr):
            if classify(w) == "word":
                counts[w.lower()] += 1
    # Text whose marks were stripped outright reads as bare skeletons: add those of every
    # syllable the language model knows.
    from pipeline.restore.lm import get_model
    from pipeline.restore.syllables import is_syllable, skeleton

    for word in get_model().vocab:
        if is_syllable(word):
            counts[skeleton(word)] += 1
    return sorted(w for w, _ in counts.most_common(limit))


if __name__ == "__main__":
    main()
