"""The OCR channel P(ocr | syllable) and candidate generation.

A channel is a table of character confusions: for each Vietnamese character g (lowercase,
with its marks) the OCR strings it is read as, with log10 probabilities — learned by
``scripts/build_channel.py`` from aligned pairs (gold text rendered, scanned, OCR'd). An OCR
token is decoded against a trie of every valid syllable by best-first search: each trie step
consumes 0–3 OCR characters, paying the confusion cost, so ``s6`` reaches ``số`` through
6←ố, ``ciia`` reaches ``của`` through ii←ủ, and a kept mark (``é`` in ``Két``) is evidence for
ế over e. Tokens no search explains well fall back to a fuzzy skeleton match (rapidfuzz).
"""
from __future__ import annotations

import functools
import heapq
import logging
import math
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .lm import DICTIONARIES
from .syllables import (
    attested_syllables,
    skeleton,
    skeleton_index,
    strip_tone,
    syllable_inventory,
    syllable_letters,
)

log = logging.getLogger(__name__)

CHANNEL_FORMAT_VERSION = 1
UNSEEN_SUB_COST = 3.5     # log10 cost of a confusion never seen in training
INSERT_COST = 2.5          # an OCR character with no source character
MAX_SUB_LEN = 3
# Per-process caches stop growing at these sizes, so a worker's memory stays bounded over
# a batch of thousands of documents (about 100 MB each at most).
TOKEN_CACHE_SIZE = 100_000
# Syllables kept per OCR form by the search (and read back from the warm-start cache).
SEARCH_CANDIDATES = 40
NODE_CACHE_SIZE = 150_000
MARKED_VOWEL_COST = 2.5    # a marked vowel read as a Latin-1 accented vowel of another base
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True, slots=True)
class Channel:
    """Confusion costs: ``costs[g][sub]`` = -log10 P(sub | g) for a source character g."""

    name: str
    costs: dict[str, dict[str, float]]

    def cost(self, g: str, sub: str) -> float:
        table = self.costs.get(g)
        if table is not None and sub in table:
            return table[sub]
        return _fallback_cost(g, sub)


# Symbols that are a letter with its mark to OCR: a Y with its mark read as ¥, an ỉ (its hook
# over a dotless stem) as ¡ ("T¡ lệ" for Tỉ lệ, from both models).
_SYMBOL_LETTERS = {"¥": "y", "¡": "i"}


def _fallback_cost(g: str, sub: str) -> float:
    """Cost of a confusion absent from the table: cheap when only marks differ."""
    if sub == "":
        return UNSEEN_SUB_COST + 0.5
    if len(sub) == 1:
        if sub == g:
            return 0.3
        if skeleton(sub) == skeleton(g):
            return 1.0 if sub.isascii() else 1.6
        if _SYMBOL_LETTERS.get(sub) == skeleton(g) and g != skeleton(g):
            return MARKED_VOWEL_COST    # k¥ is kỹ or ký rather than kĩ
        if not sub.isascii() and sub.isalpha() and skeleton(sub) in _VOWELS \
                and skeleton(g) in _VOWELS and g != skeleton(g):
            # An accented Latin-1 vowel (é, ô, à) is evidence of some mark on some vowel:
            # English OCR reads ă, ơ, ư and stacked marks as the nearest glyph it knows.
            return MARKED_VOWEL_COST
        return UNSEEN_SUB_COST
    return UNSEEN_SUB_COST + 1.0


def _tsv_rows(path: Path, header: str) -> Iterator[list[str]]:
    """The tab-separated rows of a file whose first line must be *header* (a format and
    version); comment and blank lines skipped. ValueError names the file otherwise."""
    with open(path, encoding="utf-8") as f:
        if f.readline().rstrip("\n") != header:
            raise ValueError(f"{path}: not a file of the form {header[2:]!r};"
                             " rebuild it with scripts/build_channel.py")
        for line in f:
            if not line.startswith("#") and line.strip():
                yield line.rstrip("\n").split("\t")


def plain_channel(name: str = "plain") -> Channel:
    """The channel of text whose marks were all lost before it (typed without them, or
    stripped): every letter is read as itself and every marked letter as its bare letter,
    all as surely, so the language model alone chooses among the syllables of one skeleton.
    (The English channel with the loss of marks made free read held-out prose worse: its
    OCR confusions are alternatives such text never needs.)"""
    letters = syllable_letters()
    costs = {g: {g: 0.0} for g in letters}
    for g in letters:
        base = skeleton(g)
        if base != g and len(base) == 1:
            costs[g][base] = 0.0
    return Channel(name, costs)


def load_channel(name: str, path: Path | None = None) -> Channel:
    """Read ``dictionaries/vi_channel_<name>.tsv`` (source, ocr, log10 cost per line)."""
    path = path or DICTIONARIES / f"vi_channel_{name}.tsv"
    costs: dict[str, dict[str, float]] = {}
    for g, sub, cost in _tsv_rows(path, f"# vnocr channel v{CHANNEL_FORMAT_VERSION}"):
        costs.setdefault(g, {})[sub] = float(cost)
    return Channel(name, costs)


WORD_CONFUSION_VERSION = 1


def word_confusion_path(channel_path: Path) -> Path:
    return channel_path.with_name(channel_path.name.replace("vi_channel_", "vi_wordconf_"))


def load_word_confusions(path: Path) -> dict[str, tuple[tuple[str, float], ...]]:
    """Whole-word confusions an OCR makes more often than its character confusions explain
    (Tesseract vie reads chi as chỉ half the time, its own dictionary at work): OCR form ->
    ((syllable, -log10 P(form | syllable)), ...). Missing file: none."""
    if not path.exists():
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for syl, form, cost in _tsv_rows(path, f"# vnocr word confusions v{WORD_CONFUSION_VERSION}"):
        out.setdefault(form, []).append((syl, float(cost)))
    return {k: tuple(v) for k, v in out.items()}


# A syllable no word list attests (nểm, nẽm: well formed, but no Vietnamese word) enters a
# token's candidate list only after attested ones this much (log10) cheaper: it keeps its
# channel cost, but the list of SEARCH_CANDIDATES no longer fills up with such forms before
# a real word a little further away (ném: năm).
UNATTESTED_COST = 2.0


@functools.lru_cache(maxsize=1)
def syllable_trie() -> dict:
    """Every generated syllable as a character trie ("$": the syllable at its end node;
    "$$": the search's extra cost for a syllable no word list attests). Built once."""
    root: dict = {}
    attested = attested_syllables() or frozenset(syllable_inventory())
    for syl in syllable_inventory():
        node = root
        for ch in syl:
            node = node.setdefault(ch, {})
        node["$"] = syl
        if syl not in attested:
            node["$$"] = UNATTESTED_COST
    return root


class CandidateGenerator:
    """Candidate syllables for OCR tokens under one channel; results cached per token."""

    def __init__(self, channel: Channel, max_candidates: int = SEARCH_CANDIDATES,
                 beam_margin: float = 4.0,
                 max_cost: float = 5.0,
                 word_confusions: dict[str, tuple[tuple[str, float], ...]] | None = None):
        self.channel = channel
        self.word_confusions = word_confusions or {}
        self.max_cost = max_cost
        self._opt_cache: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self.max_candidates = max_candidates
        self.beam_margin = beam_margin
        # For each source char: OCR substrings grouped by their first character.
        self._subs: dict[str, dict[str, list[tuple[str, float]]]] = {}
        self._deletions: dict[str, float] = {}
        for g, table in channel.costs.items():
            grouped: dict[str, list[tuple[str, float]]] = {}
            for sub, c in table.items():
                if sub == "":
                    self._deletions[g] = c
                else:
                    grouped.setdefault(sub[0], []).append((sub, c))
            self._subs[g] = grouped
        self._cache: dict[str, tuple[tuple[str, float], ...]] = {}
        self._fresh: list[str] = []     # forms searched here since the last take_fresh()
        # Keyed by id() of nodes of the process-wide trie, which lives as long as the process.
        self._node_opt_cache: dict[tuple[int, str], list[tuple[float, str, dict]]] = {}
        self._node_del_cache: dict[int, list[tuple[float, dict]]] = {}

    def preload(self, cache: dict[str, str]) -> None:
        """Start with precomputed search results (:func:`load_candidate_cache`): each form's
        line stays text until the form is first met, so a worker holds only what it uses."""
        self._cache.update(cache)

    def _options_for(self, g: str, ch: str) -> list[tuple[str, float]]:
        """OCR strings starting with *ch* that source char *g* is read as, with costs."""
        key = (g, ch)
        hit = self._opt_cache.get(key)
        if hit is not None:
            return hit
        grouped = self._subs.get(g, {})
        out = list(grouped.get(ch, ()))
        if ch and all(s != ch for s, _ in out):
            out.append((ch, _fallback_cost(g, ch)))
        out = [(s, c) for s, c in out if c <= self.max_cost]
        self._opt_cache[key] = out
        return out

    def _node_options(self, node: dict, ch: str) -> list[tuple[float, str, dict]]:
        """(cost, OCR string, child) for every child of a trie node whose character can be
        read as an OCR string starting with *ch*, cheapest first (memoised per node)."""
        key = (id(node), ch)
        hit = self._node_opt_cache.get(key)
        if hit is None:
            hit = sorted(((c, sub, child) for g, child in node.items() if g[0] != "$"
                          for sub, c in self._options_for(g, ch)), key=lambda x: x[0])
            if len(self._node_opt_cache) < NODE_CACHE_SIZE:
                self._node_opt_cache[key] = hit
        return hit

    def _node_deletions(self, node: dict) -> list[tuple[float, dict]]:
        """(cost, child) for the children of a node that OCR may drop, cheapest first."""
        hit = self._node_del_cache.get(id(node))
        if hit is None:
            hit = sorted(((self._deletions.get(g, UNSEEN_SUB_COST + 0.5), child)
                          for g, child in node.items() if g[0] != "$"), key=lambda x: x[0])
            hit = [(c, child) for c, child in hit if c <= self.max_cost]
            self._node_del_cache[id(node)] = hit
        return hit

    def search(self, token: str) -> tuple[tuple[str, float], ...]:
        """Best syllables for *token* as (syllable, log10 channel probability), best first.

        Best-first search over the syllable trie; each step consumes 0-3 OCR characters
        at the confusion cost; paths costing more than ``max_cost`` are never expanded.
        """
        key = token.lower()
        hit = self._cache.get(key)
        if hit is not None:
            if isinstance(hit, str):   # preloaded, not parsed yet
                hit = parse_cached(hit, self.max_candidates)
                self._cache[key] = hit
            return hit
        text = unicodedata.normalize("NFC", key)
        n = len(text)
        results: dict[str, float] = {}
        root = syllable_trie()
        # Heap entries: (cost, tie-breaker, OCR position, trie node, at the root?); a finished
        # unattested syllable waits as (cost + prior, tie-breaker, position, (syllable, cost),
        # None).
        heap: list[tuple[float, int, int, dict, bool]] = [(0.0, 0, 0, root, True)]
        counter = 0
        best = math.inf
        pops = 0
        max_cost, beam, max_candidates = self.max_cost, self.beam_margin, self.max_candidates
        push, pop = heapq.heappush, heapq.heappop
        # the per-node memos, read here directly (the loop runs a few hundred times a form)
        node_dels, node_opts = self._node_del_cache, self._node_opt_cache
        while heap and pops < 20000:
            cost, _, pos, node, at_root = pop(heap)
            pops += 1
            if cost > best + beam or len(results) >= max_candidates:
                break
            if at_root is None:          # a finished syllable, queued at cost + its prior
                syl, raw = node
                if syl not in results:
                    results[syl] = raw
                    best = min(best, cost)
                continue
            if pos == n and "$" in node:
                prior = node.get("$$", 0.0)
                if prior:
                    counter += 1
                    push(heap, (cost + prior, counter, pos, (node["$"], cost), None))
                else:
                    syl = node["$"]
                    if syl not in results:
                        results[syl] = cost
                        best = min(best, cost)
            if pos < n and not at_root and cost + INSERT_COST <= max_cost:
                counter += 1
                push(heap, (cost + INSERT_COST, counter, pos + 1, node, False))
            nid = id(node)
            dels = node_dels.get(nid)
            for dele, child in dels if dels is not None else self._node_deletions(node):
                if cost + dele > max_cost:
                    break
                counter += 1
                push(heap, (cost + dele, counter, pos, child, False))
            if pos < n:
                opts = node_opts.get((nid, text[pos]))
                for c, sub, child in opts if opts is not None else \
                        self._node_options(node, text[pos]):
                    if cost + c > max_cost:
                        break
                    if len(sub) == 1 or text.startswith(sub, pos):
                        counter += 1
                        push(heap, (cost + c, counter, pos + len(sub), child, False))
        for syl, c in self.word_confusions.get(text, ()):
            if c < results.get(syl, math.inf):
                results[syl] = c
        if not results:
            results = dict(self._fuzzy(text))
        ranked = tuple(sorted(((s, -c) for s, c in results.items()), key=lambda x: -x[1]))
        ranked = ranked[: self.max_candidates]
        if len(self._cache) < TOKEN_CACHE_SIZE:
            self._cache[key] = ranked
            self._fresh.append(key)
        return ranked

    def take_fresh(self) -> list[tuple[str, tuple[tuple[str, float], ...]]]:
        """The forms this process searched itself since the last call, with their results
        (for other processes of a run to adopt, see :mod:`pipeline.restore.sharing`)."""
        out = [(k, self._cache[k]) for k in self._fresh]
        self._fresh = []
        return out

    def adopt(self, form: str, ranked: tuple[tuple[str, float], ...]) -> None:
        """Take another process's search result for *form* (the same channel and code give
        the same result, so nothing downstream depends on who searched)."""
        if form not in self._cache and len(self._cache) < TOKEN_CACHE_SIZE:
            self._cache[form] = ranked

    def _fuzzy(self, text: str) -> list[tuple[str, float]]:
        """Damaged tokens: nearest skeletons by edit distance, all their toned forms."""
        skel = skeleton(text)
        index = skeleton_index()
        hits = process.extract(skel, list(index), scorer=Levenshtein.distance, limit=3,
                               score_cutoff=2)
        out = []
        for sk, dist, _ in hits:
            for syl in index[sk]:
                out.append((syl, 2.5 * dist + 1.0 + 0.2 * strip_tone(syl)[1]))
        return out


def channel_digest(path: Path) -> str:
    import hashlib

    # The search's own costs are part of what a cached result depends on.
    costs = (f"{UNSEEN_SUB_COST} {INSERT_COST} {MARKED_VOWEL_COST} {MAX_SUB_LEN} "
             f"{sorted(_SYMBOL_LETTERS.items())}").encode()
    words = word_confusion_path(path)
    extra = words.read_bytes() if words.exists() else b""
    return hashlib.sha1(path.read_bytes() + extra + costs).hexdigest()[:16]


def save_candidate_cache(gen: CandidateGenerator, forms: list[str], channel_path: Path,
                         out: Path) -> int:
    """Precompute the search results of frequent OCR forms (gzip TSV, tied to the channel
    file by its digest) so a fresh process starts with a warm cache."""
    import gzip

    tmp = out.with_suffix(".tmp")
    n = 0
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        f.write(f"# vnocr candidates v{CHANNEL_FORMAT_VERSION} channel={channel_digest(channel_path)}\n")
        for form in forms:
            ranked = gen.search(form)
            f.write(form + "\t" + format_cached(ranked, 3) + "\n")
            n += 1
    tmp.replace(out)
    return n


def load_candidate_cache(path: Path, channel_path: Path) -> dict[str, str]:
    """Read a cache written by :func:`save_candidate_cache`: OCR form -> its line of
    "syllable cost ..." pairs, unparsed (:func:`parse_cached` reads one when needed); empty
    if it belongs to another channel file (then the cache is simply rebuilt lazily at run
    time)."""
    import gzip

    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        header = f.readline().strip()
        if not header.endswith(f"channel={channel_digest(channel_path)}"):
            log.warning("%s does not match %s; ignored (rebuild with scripts/build_channel.py)",
                        path, channel_path)
            return {}
        cache = {}
        for line in f:
            form, _, rest = line.rstrip("\n").partition("\t")
            cache[form] = rest
    return cache


def format_cached(ranked: tuple[tuple[str, float], ...], digits: int | None = None) -> str:
    """One cache line for :func:`parse_cached`: "syllable cost ...", cost = -log10
    probability, rounded to *digits* or exact (repr) when None."""
    return " ".join(f"{s} {-c:.{digits}f}" if digits is not None else f"{s} {-c!r}"
                    for s, c in ranked)


def parse_cached(rest: str, limit: int | None = SEARCH_CANDIDATES) -> tuple[tuple[str, float], ...]:
    """The best *limit* (all when None) (syllable, log10 probability) pairs of one cache
    line ("syllable cost ...", cost = -log10 probability)."""
    parts = rest.split(" ") if rest else []
    n = len(parts) if limit is None else min(len(parts), 2 * limit)
    return tuple((sys.intern(parts[i]), -float(parts[i + 1])) for i in range(0, n, 2))
