"""Syllable trigram language model (interpolated Kneser–Ney, stored in backoff form).

The model is built by ``scripts/build_lm.py`` and stored as one ``.npz`` file in
``dictionaries/``: the vocabulary, and for each order the packed n-gram keys with their
log10 probabilities and backoff weights. Loading takes a few hundred milliseconds and the
model is shared read-only by everything in the process.
"""
from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .syllables import DICTIONARIES, compose, decompose, is_name_syllable, loanwords

log = logging.getLogger(__name__)

LM_FORMAT_VERSION = 5   # 3: shares (61,4%) are <pct>, no longer <code>; 4: see END_AS;
# 5: years (2025) are <year>, no longer <num>
DEFAULT_LM_PATH = DICTIONARIES / "vi_lm_syllable_trigram.npz"

BOS, EOS, UNK, NUM, CODE = "<s>", "</s>", "<unk>", "<num>", "<code>"
PCT = "<pct>"
YEAR = "<year>"
FIGURES = (NUM, CODE, PCT, YEAR)
PUNCT = frozenset(",.;:()\"“”'-/%!?")
# A semicolon that ends a list item ends it as a full stop ends a sentence: where a
# sentence ends after it (the end of a training line; in the decoder, a sentence break or
# a block's end) it is the full stop's token. As a token of its own it was rarer there
# ("còn xa;" than "xã;": read "còn xã").
END_AS = {";": "."}
_BITS = 21  # vocabulary ids fit in 21 bits: three of them pack into one int64


@functools.lru_cache(maxsize=1 << 16)   # pure, and called for every chosen word
def lm_token(word: str) -> str:
    """Map a surface word to its language-model token.

    Vietnamese syllables become lowercase with classic tone placement; numbers become
    ``<num>``, but years (``2025``: four digits from 1900 to 2099) ``<year>``, which the
    words around them follow as they do no count ("năm 2025 chi tiết", "5 chỉ tiêu");
    shares (``61,4%``) ``<pct>``; words with digits or slashes (document codes,
    dates) ``<code>``; punctuation stays itself; anything else (foreign words,
    abbreviations) ``<unk>``.
    """
    if len(word) == 1 and word in PUNCT:
        return word
    w = unicodedata.normalize("NFC", word)
    parts = decompose(w)
    if parts is not None:
        onset, rhyme, tone = parts
        if rhyme == "y" and onset not in ("", "qu"):
            # tỷ/tỉ, kỹ/kĩ, lý/lí, sỹ/sĩ are one word spelled two ways: one LM token
            # (the i form); the channel picks the spelling the page shows.
            return compose(onset, "i", tone)
        return compose(onset, rhyme, tone)
    if is_name_syllable(w):
        return w.lower()   # Đắk, Krông, Kạn: words of place names the domain list holds
    if w in loanwords():
        return w           # gen, vitamin: loanwords of the domain list's terms
    if w.isupper() and w.isalpha() and 2 <= len(w) <= 8:
        return w   # abbreviations (UBND, HĐND, BHXH) are words of their own to the LM
    if any(c.isdigit() for c in w):
        stripped = w.replace(".", "").replace(",", "")
        if stripped.endswith("%") and stripped[:-1].isdigit():
            return PCT
        if not stripped.isdigit():
            return CODE
        return YEAR if len(w) == 4 and w.isdigit() and w[:2] in ("19", "20") else NUM
    return UNK


def pack(ids: Sequence[int]) -> int:
    key = 0
    for i in ids:
        key = (key << _BITS) | i
    return key


FILTER_BITS = 22     # presence filter slots (bytes): 4 MB, about 1 % false hits at 200k keys
_MIX = np.uint64(0x9E3779B97F4A7C15)   # Fibonacci hashing: the top bits of key x this
SORTED_SEARCH_MIN = 256   # keys below which lm.search does not sort them first


def search(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.searchsorted(table, keys)``, faster for many keys: sorted, they walk the table in
    order (numpy's search starts each key where the one before it stopped) instead of
    missing the cache at every step of every key (5,000 keys in the trigram table: a
    quarter of the time)."""
    if len(keys) < SORTED_SEARCH_MIN:
        return np.searchsorted(table, keys)
    order = np.argsort(keys)
    out = np.empty(len(keys), dtype=np.intp)
    out[order] = np.searchsorted(table, keys[order])
    return out


def _slot(keys: np.ndarray) -> np.ndarray:
    return ((keys.astype(np.uint64) * _MIX) >> np.uint64(64 - FILTER_BITS)).astype(np.int64)


def presence_filter(keys: np.ndarray) -> np.ndarray:
    """A byte per hash slot, set where some key falls: a key whose slot is clear is not in
    *keys*; one whose slot is set may be (a Bloom filter with one hash)."""
    out = np.zeros(1 << FILTER_BITS, dtype=np.bool_)
    out[_slot(keys)] = True
    return out


@dataclass(frozen=True, slots=True)
class LmArrays:
    """The same model as sorted arrays, for vectorised lookups (numpy.searchsorted)."""

    uni: np.ndarray     # log10 P(w) by id; index len(vocab) is the out-of-vocabulary id
    bo1: np.ndarray     # unigram backoff weights by id
    keys2: np.ndarray   # packed bigram keys, sorted, ending with a sentinel (int64 max)
    lp2: np.ndarray
    bow2: np.ndarray
    keys3: np.ndarray   # packed trigram keys, sorted
    lp3: np.ndarray
    has2: np.ndarray    # presence filter of the bigram keys (see :func:`presence_filter`)

    def find_bigrams(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into *keys* of the bigrams the model has, their indices in ``keys2``).
        The presence filter rules out most keys in one gather (a document's candidate pairs
        are mostly unseen); the binary search checks the rest. (The Viterbi's per-step
        trigram lookups, a few hundred keys each, were no faster through a filter.)"""
        maybe = np.flatnonzero(self.has2[_slot(keys)])
        j = search(self.keys2, keys[maybe])
        hit = self.keys2[j] == keys[maybe]
        return maybe[hit], j[hit]

    def logprob(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """log10 P(w | u v) for arrays of ids, with backoff to the bigram and the unigram."""
        key3 = (((u << _BITS) | v) << _BITS) | w
        j3 = search(self.keys3, key3)
        hist = (u << _BITS) | v
        jh = search(self.keys2, hist)
        bow = np.where(self.keys2[jh] == hist, self.bow2[jh], 0.0)
        key2 = (v << _BITS) | w
        j2 = search(self.keys2, key2)
        lower = np.where(self.keys2[j2] == key2, bow + self.lp2[j2],
                         bow + self.bo1[v] + self.uni[w])
        return np.where(self.keys3[j3] == key3, self.lp3[j3], lower)


@dataclass(frozen=True, slots=True)
class NgramModel:
    """A backoff trigram model over syllable ids. Query with :meth:`logprob`.

    Bigrams, their backoff weights and trigrams live only in the sorted arrays (the decoder
    looks them up a step at a time with numpy); the unigrams, looked up one by one in the
    decoder's candidate ranking, are a dict too.
    """

    vocab: dict[str, int]
    unigrams: dict[int, float]           # log10 P(w) by id
    unk_logprob: float
    arrays: LmArrays

    def word_id(self, token: str) -> int:
        """Id of a token; a syllable never seen in training gets the out-of-vocabulary id,
        which costs more than any seen word (unlike ``<unk>``, a seen class of tokens)."""
        return self.vocab.get(token, len(self.vocab))

    def logprob(self, u: int, v: int, w: int) -> float:
        """log10 P(w | u v) with backoff to bigram and unigram (:meth:`LmArrays.logprob`)."""
        return float(self.arrays.logprob(*(np.array([x], dtype=np.int64) for x in (u, v, w)))[0])

    def score_tokens(self, tokens: Iterable[str]) -> float:
        """Total log10 probability of a token sequence with sentence boundaries."""
        ids = np.array([self.vocab[BOS], self.vocab[BOS]] + [self.word_id(t) for t in tokens]
                       + [self.vocab[EOS]], dtype=np.int64)
        return float(self.arrays.logprob(ids[:-2], ids[1:-1], ids[2:]).sum())


def save_model(path: Path, vocab: list[str], orders: list[dict[tuple[int, ...], tuple[float, float]]],
               meta: dict[str, str]) -> None:
    """Write the model: vocab plus, per order, packed keys, log10 probs and backoffs."""
    arrays: dict[str, np.ndarray] = {
        "version": np.array([LM_FORMAT_VERSION], dtype=np.int32),
        "vocab": np.array("\n".join(vocab).encode("utf-8")),
        "meta": np.array("\n".join(f"{k}={v}" for k, v in meta.items()).encode("utf-8")),
    }
    for n, table in enumerate(orders, start=1):
        items = sorted(table.items())
        arrays[f"keys{n}"] = np.array([pack(k) for k, _ in items], dtype=np.int64)
        arrays[f"lp{n}"] = np.array([v[0] for _, v in items], dtype=np.float32)
        arrays[f"bow{n}"] = np.array([v[1] for _, v in items], dtype=np.float32)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def load_model(path: Path = DEFAULT_LM_PATH) -> NgramModel:
    """Load a model written by :func:`save_model`; raises ValueError on a version mismatch."""
    with np.load(path) as z:
        version = int(z["version"][0])
        if version != LM_FORMAT_VERSION:
            raise ValueError(
                f"{path}: language model format {version}, this vnocr reads {LM_FORMAT_VERSION};"
                " rebuild it with scripts/build_lm.py"
            )
        vocab_list = bytes(z["vocab"]).decode("utf-8").split("\n")
        raw = {name: z[name] for name in z.files}
    unigrams = dict(zip(raw["keys1"].tolist(), raw["lp1"].tolist()))
    vocab = {w: i for i, w in enumerate(vocab_list)}
    unk = min(unigrams.values()) - 1.0  # out-of-vocabulary syllables
    size = len(vocab) + 1
    uni = np.full(size, unk, dtype=np.float64)
    bo1 = np.zeros(size, dtype=np.float64)
    ids1 = raw["keys1"].astype(np.int64)
    uni[ids1] = raw["lp1"]
    bo1[ids1] = raw["bow1"]
    # A sentinel key past every real one, so a search never falls off the end.
    end = np.array([np.iinfo(np.int64).max], dtype=np.int64)
    arrays = LmArrays(uni, bo1,
                      np.concatenate([raw["keys2"].astype(np.int64), end]),
                      np.append(raw["lp2"].astype(np.float64), 0.0),
                      np.append(raw["bow2"].astype(np.float64), 0.0),
                      np.concatenate([raw["keys3"].astype(np.int64), end]),
                      np.append(raw["lp3"].astype(np.float64), 0.0),
                      presence_filter(raw["keys2"].astype(np.int64)))
    log.debug("loaded %s: %d words, %d/%d/%d n-grams", path, len(vocab),
              *(len(raw[f"keys{n}"]) for n in (1, 2, 3)))
    return NgramModel(vocab, unigrams, unk, arrays)


@functools.lru_cache(maxsize=4)
def get_model(path: Path = DEFAULT_LM_PATH) -> NgramModel:
    """The process-wide shared model (loaded once)."""
    return load_model(path)
