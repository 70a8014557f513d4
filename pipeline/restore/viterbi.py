"""Trigram Viterbi over many candidate lattices at once, with max-marginals.

A document is a few hundred streams (paragraph blocks) of 10 to 600 positions, each with
one to a dozen candidates. Stepping through one stream at a time costs a dozen numpy calls
per position; here all the streams of a batch advance together, so a step is a dozen numpy
calls over every stream still running, and a document takes as many steps as its longest
block. The streams are laid out position by position: step 0 is a virtual ``<s>`` position
in every stream, step t the t-th position of every stream at least t long (streams sorted
longest first, so the running ones are always a prefix).

The scores are exactly those of a one-stream-at-a-time decoder (the same floating-point
operations in the same order): transition log10 P(c | u v) from the trigram table when the
trigram was seen, else the bigram (or unigram backoff) plus the history's backoff weight.
A trigram (u, v, c) is only looked up when the bigram (v, c) exists: a Kneser–Ney model
keeps the suffix bigram of every trigram (scripts/build_lm.py checks it), so the other
pairs (most of them) cannot have one.

The search is a first-order approximation of trigram Viterbi: each candidate keeps the best
path into it, and that path's previous token is the history u of every trigram that follows
(the exact search keeps the best path into each pair of candidates). In "- Như trên, - Ban
Chính sách" the best path into "chính" comes through "bản", so (ban, chính, sách) is never
scored and "Ban" reads "Bản". An exact search (measured 2026-11-30 with a slow reference)
gains 0.03–0.10 points on synthetic reports and report prose but loses 0.04 on real OCR
(real-dev2) with today's weights: the language model's pull, which the approximation partly
hides, would need retuning first. :func:`polish` mends the approximation where it is clearly
wrong: one word at a time, from the first-order path, scored with the path's true histories
and taken only on a margin (``DecoderParams.polish_margin``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .lm import _BITS, LmArrays, search

PAIR_BUDGET = 400_000   # candidate pairs per batch: bounds memory on very long documents


@dataclass(frozen=True, slots=True)
class Stream:
    """One lattice: candidate LM ids and emission scores, flat, with counts per position."""

    tokens: np.ndarray   # int64, all candidates of all positions
    emits: np.ndarray    # float64, the same length
    counts: np.ndarray   # int64, candidates per position (each >= 1)
    # positions that end a sentence another follows (pipeline.restore.decoder decodes the
    # next one from <s> <s>, as the LM was trained); None: none
    ends: np.ndarray | None = None
    # positions (one candidate each) the LM does not see: OCR's stray dot inside a sentence
    # ("ngoài quy. định"), a speck or a rule between two words; None: none
    skips: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    path: list[int]      # chosen candidate, per position (index within the position)
    fwd: np.ndarray      # forward max score of every candidate (flat, stream order)
    bwd: np.ndarray      # best completion score of every candidate


def viterbi_many(arrays: LmArrays, bos: int, eos: int, streams: Sequence[Stream],
                 budget: int = PAIR_BUDGET) -> list[Decoded]:
    """Best path and forward/backward max scores of every stream."""
    batches: list[list[int]] = []
    pairs = 0
    for i in sorted(range(len(streams)), key=lambda i: -len(streams[i].counts)):
        c = streams[i].counts
        size = int(c[0]) + int((c[1:] * c[:-1]).sum()) if len(c) else 0
        if not batches or pairs + size > budget:
            batches.append([])
            pairs = 0
        batches[-1].append(i)
        pairs += size
    out: list[Decoded | None] = [None] * len(streams)
    for batch in batches:
        for j, dec in zip(batch, _batch(arrays, bos, eos, [streams[j] for j in batch])):
            out[j] = dec
    return out   # type: ignore[return-value]


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenated aranges: start[i], start[i]+1, ..., start[i]+size[i]-1 for each i."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + sizes, sizes)


def _batch(a: LmArrays, bos: int, eos: int, streams: list[Stream]) -> list[Decoded]:
    """Decode streams sorted longest first."""
    B = _BITS
    S = len(streams)
    lengths = np.array([len(s.counts) for s in streams], dtype=np.int64)
    T = int(lengths[0]) + 1                       # steps, with the virtual <s> at step 0
    # Stream-order candidate arrays, each stream's virtual <s> candidate first.
    src_counts = np.concatenate([np.concatenate([[1], s.counts]) for s in streams])
    src_tok = np.concatenate([np.concatenate([[bos], s.tokens]) for s in streams])
    src_emit = np.concatenate([np.concatenate([[0.0], s.emits]) for s in streams])
    pos_first = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])   # stream -> first position
    src_start = np.concatenate([[0], np.cumsum(src_counts)[:-1]])    # position -> first candidate
    # Step-major positions: (t, s) for every stream s with at least t real positions.
    active = (lengths[None, :] >= np.arange(T)[:, None]).sum(axis=1)
    step_pos = np.concatenate([[0], np.cumsum(active)])               # step -> first position
    pos_t = np.repeat(np.arange(T), active)
    pos_s = _ranges(np.zeros(T, dtype=np.int64), active)
    src_pos = pos_first[pos_s] + pos_t                                # step-major -> stream
    counts = src_counts[src_pos]
    start = np.concatenate([[0], np.cumsum(counts)])                  # position -> candidates
    src_cand = _ranges(src_start[src_pos], counts)                    # step-major -> stream
    tok = src_tok[src_cand]
    emit = src_emit[src_cand]
    n = len(tok)
    step_cand = start[step_pos]
    # Pairs (k of the previous position, c of this one) of every real position (the ones
    # after step 0), grouped by c with k ascending, in step-major order.
    real = np.arange(S, len(counts))
    prev = real - active[pos_t[real] - 1]         # the same stream one step back
    kp, kc = counts[prev], counts[real]
    pair_start = np.concatenate([[0], np.cumsum(kp * kc)])
    off = int(start[S])                           # candidates before the first real position
    seg_len = np.repeat(kp, kc)                   # pairs of each real candidate (from off)
    seg_start = np.concatenate([[0], np.cumsum(seg_len)[:-1]])
    cur_idx = np.repeat(np.arange(off, n), seg_len)
    prev_idx = _ranges(np.repeat(start[prev], kc), seg_len)
    step_pair = np.concatenate([[0], pair_start[step_pos[1:] - S]])   # step -> first pair
    # The bigram part of every pair at once (it does not depend on the path).
    tp, tc = tok[prev_idx], tok[cur_idx]
    found, j = a.find_bigrams((tp << B) | tc)      # the pairs that may have a trigram
    bigram = a.bo1[tp] + a.uni[tc]
    bigram[found] = a.lp2[j]
    step_found = np.searchsorted(found, step_pair)
    # Each pair's bigram in keys2 (the sentinel's index, backoff 0, where the model has none):
    # the pair a candidate's best path comes through is its history, so the history's
    # backoff weight needs no search of its own.
    none = len(a.keys2) - 1
    pair_j2 = np.full(len(prev_idx), none, dtype=np.int64)
    pair_j2[found] = j
    del tp, tc, j

    fwd = np.zeros(n)
    ptp = np.full(n, bos, dtype=np.int64)          # the token before each candidate on its path
    start_hist = np.array([(bos << B) | bos], dtype=np.int64)
    jb = int(np.searchsorted(a.keys2, start_hist)[0])
    hist_j = np.full(n, jb if a.keys2[jb] == start_hist[0] else none, dtype=np.int64)
    back = np.zeros(n, dtype=np.int64)
    trans = np.empty(len(prev_idx))
    big = np.iinfo(np.int64).max
    for t in range(1, T):
        lo, hi = int(step_pair[t]), int(step_pair[t + 1])
        c0, c1 = int(step_cand[t]), int(step_cand[t + 1])
        p0 = int(step_cand[t - 1])
        p1 = int(start[step_pos[t - 1] + active[t]])
        hist = (ptp[p0:p1] << B) | tok[p0:p1]      # the histories the previous step ends in
        b2 = a.bow2[hist_j[p0:p1]]
        pi = prev_idx[lo:hi]
        s = bigram[lo:hi] + b2[pi - p0]
        f = found[step_found[t]:step_found[t + 1]]
        if len(f):
            k3 = (hist[prev_idx[f] - p0] << B) | tok[cur_idx[f]]
            j3 = search(a.keys3, k3)
            hit = a.keys3[j3] == k3
            s[f[hit] - lo] = a.lp3[j3[hit]]
        trans[lo:hi] = s
        tot = fwd[pi] + s
        seg = seg_start[c0 - off:c1 - off] - lo
        mx = np.maximum.reduceat(tot, seg)
        top = np.flatnonzero(tot == np.repeat(mx, seg_len[c0 - off:c1 - off]))
        if len(top) > c1 - c0:   # ties: the first k of each segment, as argmax takes it
            at = np.full(hi - lo, big)
            at[top] = top
            top = np.minimum.reduceat(at, seg)
        bp = pi[top]
        fwd[c0:c1] = mx + emit[c0:c1]
        back[c0:c1] = bp
        ptp[c0:c1] = tok[bp]
        hist_j[c0:c1] = pair_j2[lo + top]

    # The end of each stream: P(</s> | u v) for the candidates of its last position.
    last_pos = step_pos[lengths] + np.arange(S)
    last_counts = counts[last_pos]
    last_c = _ranges(start[last_pos], last_counts)
    final = fwd[last_c] + a.logprob(ptp[last_c], tok[last_c], np.full(len(last_c), eos))
    bwd = np.zeros(n)
    bwd[last_c] = final - fwd[last_c]
    # Backward: the best completion of each candidate, max over the pairs it starts.
    for t in range(T - 1, 1, -1):
        lo, hi = int(step_pair[t]), int(step_pair[t + 1])
        c0, c1 = int(step_cand[t]), int(step_cand[t + 1])
        p0 = int(step_cand[t - 1])
        p1 = int(start[step_pos[t - 1] + active[t]])
        ci = cur_idx[lo:hi]
        val = trans[lo:hi] + (emit[c0:c1] + bwd[c0:c1])[ci - c0]
        bwd[p0:p1] = -np.inf
        np.maximum.at(bwd, prev_idx[lo:hi], val)
    # Paths: each stream's best last candidate (the first of equals), then the back-pointers.
    fin_start = np.concatenate([[0], np.cumsum(last_counts)[:-1]])
    at = np.where(final == np.repeat(np.maximum.reduceat(final, fin_start), last_counts),
                  np.arange(len(final)), big)
    best = last_c[np.minimum.reduceat(at, fin_start)]
    # Back-pointers followed a step at a time for all streams together (the running ones are
    # a prefix; a stream joins at its last step).
    chosen = np.zeros(len(counts), dtype=np.int64)   # step-major position -> its candidate
    cur = np.zeros(S, dtype=np.int64)
    for t in range(T - 1, 0, -1):
        m = int(active[t])
        e0 = int(active[t + 1]) if t + 1 < T else 0
        cur[e0:m] = best[e0:m]
        chosen[step_pos[t]:step_pos[t] + m] = cur[:m]
        cur[:m] = back[cur[:m]]
    local = np.zeros(len(src_counts), dtype=np.int64)
    local[src_pos] = chosen - start[:-1]
    path_src = local.tolist()
    f_src = np.empty(len(src_tok))
    f_src[src_cand] = fwd
    b_src = np.empty(len(src_tok))
    b_src[src_cand] = bwd
    out = []
    for s_i, stream in enumerate(streams):
        first = int(pos_first[s_i]) + 1
        lo = int(src_start[pos_first[s_i]]) + 1
        hi = lo + len(stream.tokens)
        out.append(Decoded(path_src[first:first + int(lengths[s_i])], f_src[lo:hi],
                           b_src[lo:hi]))
    return out


def polish(a: LmArrays, bos: int, eos: int, streams: Sequence[Stream],
           paths: Sequence[list[int]], flats: Sequence[np.ndarray], floor: float,
           margin: float, rounds: int = 2
           ) -> tuple[list[list[int]], list[tuple[int, int, int, int, float]]]:
    """Local exact search from first-order paths (one per stream), all streams at once.

    Each candidate of at least *floor* confidence (*flats*: per stream, flat) is tried in
    place of its position's chosen word, scored with the true trigram histories of the path
    around it, and taken when the whole path scores more than *margin* higher; the best
    gains first, no two within two positions of each other, *rounds* times. Returns the
    paths and the swaps made, in order: (stream, position, candidate left, candidate taken,
    gain in log10)."""
    swaps: list[tuple[int, int, int, int, float]] = []
    if not streams:
        return [], swaps
    counts = np.concatenate([s.counts for s in streams])
    npos = len(counts)
    if npos == 0:
        return [list(p) for p in paths], swaps
    lengths = np.array([len(s.counts) for s in streams], dtype=np.int64)
    tokens = np.concatenate([s.tokens for s in streams])
    emits = np.concatenate([s.emits for s in streams])
    flat = np.concatenate(flats)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])      # position -> first candidate
    pos_of = np.repeat(np.arange(npos), counts)                  # candidate -> position
    block = np.repeat(np.arange(len(streams)), lengths)          # position -> stream
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])       # stream -> first position
    local = np.arange(npos) - first[block]                       # position within its stream
    # Each stream's path as a sequence [<s>, <s>, w0 .. w(n-1), </s>], all laid end to end.
    ext_first = first + 3 * np.arange(len(streams))
    at = ext_first[block] + 2 + local                            # position -> index in ext
    end = ext_first + lengths + 2                                # stream -> index of </s>
    ext = np.full(npos + 3 * len(streams), bos, dtype=np.int64)
    ext[end] = eos
    path = np.concatenate([np.asarray(p, dtype=np.int64) for p in paths])
    cand = np.flatnonzero(flat >= floor)
    for _ in range(rounds):
        chosen = starts + path
        alt = cand[cand != chosen[pos_of[cand]]]
        if not len(alt):
            break
        ext[at] = tokens[chosen]
        i = pos_of[alt]
        c = tokens[alt]
        j = at[i]
        last = end[block[i]]
        has2 = j + 2 <= last                       # a second word (or </s>) after this one
        j2 = np.minimum(j + 2, last)
        # the path's own terms, only where a tried candidate changes one
        k = np.unique(np.concatenate([j, j + 1, j2]))
        terms = a.logprob(ext[k - 2], ext[k - 1], ext[k])
        old = terms[np.searchsorted(k, j)] + terms[np.searchsorted(k, j + 1)] + \
            np.where(has2, terms[np.searchsorted(k, j2)], 0.0)
        new = a.logprob(ext[j - 2], ext[j - 1], c) + a.logprob(ext[j - 1], c, ext[j + 1]) + \
            np.where(has2, a.logprob(c, ext[j + 1], ext[j2]), 0.0)
        gain = new - old + emits[alt] - emits[chosen[i]]
        good = np.flatnonzero(gain > margin)
        if not len(good):
            break
        blocked = np.zeros(len(ext) + 2, dtype=bool)   # within two positions of a swap
        for g in good[np.argsort(-gain[good], kind="stable")].tolist():
            q = int(j[g])
            if not blocked[q]:
                blocked[q - 2:q + 3] = True
                p = int(i[g])
                left = int(path[p])
                path[p] = alt[g] - starts[p]
                swaps.append((int(block[p]), int(local[p]), left, int(path[p]), float(gain[g])))
        # Only a candidate near a swap can score otherwise now: one elsewhere that gained
        # enough was taken, unless a swap near it blocked it.
        cand = cand[blocked[at[pos_of[cand]]]]
    out = path.tolist()
    return [out[f:f + n] for f, n in zip(first.tolist(), lengths.tolist())], swaps
