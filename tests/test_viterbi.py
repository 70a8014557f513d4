"""The vectorised Viterbi of the decoder against a scalar reference written the plain way."""
from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import pipeline.restore.lm as lm_mod

ROOT = Path(__file__).resolve().parents[1]


def _dicts(lm):
    """The model's n-grams as plain dicts (trigram, bigram, unigram probabilities; bigram
    and unigram backoffs), for the scalar reference below."""
    a = lm.arrays
    def table(keys, vals):
        return dict(zip(keys[:-1].tolist(), vals[:-1].tolist()))   # [:-1]: the sentinel
    ids = range(len(a.uni) - 1)
    return (table(a.keys3, a.lp3), table(a.keys2, a.lp2), {i: float(a.uni[i]) for i in ids},
            table(a.keys2, a.bow2), {i: float(a.bo1[i]) for i in ids})


def reference_viterbi(self, positions):
    """The decoder's Viterbi written with scalar dict lookups, one transition at a time."""
    p3, p2, p1, bo2, bo1 = _dicts(self.lm)
    unk = self.lm.unk_logprob
    B = lm_mod._BITS

    def lp(u: int, v: int, w: int) -> float:
        """log10 P(w | u v) with backoff, from the dicts."""
        h = (u << B) | v
        sc = p3.get((h << B) | w)
        if sc is not None:
            return sc
        sc = p2.get((v << B) | w)
        b2 = bo2.get(h, 0.0)
        return b2 + sc if sc is not None else b2 + bo1.get(v, 0.0) + p1.get(w, unk)

    n = len(positions)
    # Forward Viterbi with trigram context from the back-pointer's predecessor.
    fwd: list[list[float]] = []
    back: list[list[int]] = []
    prev_tok: list[list[int]] = []      # token before each candidate on its best path
    trans: list[list[list[float]]] = []  # trans[i][c][p] (for the backward pass)
    first = positions[0]
    fwd.append([lp(self._bos, self._bos, t) + e for t, e in zip(first.tokens, first.emit)])
    back.append([-1] * len(first.tokens))
    prev_tok.append([self._bos] * len(first.tokens))
    trans.append([[0.0] for _ in first.tokens])
    for i in range(1, n):
        cur, prev = positions[i], positions[i - 1]
        f_prev = fwd[i - 1]
        pt_prev = prev_tok[i - 1]
        # Per previous candidate: its history key and backoff weights (inlined logprob).
        ctx = []
        for k, pt in enumerate(prev.tokens):
            h = (pt_prev[k] << B) | pt
            ctx.append((h << B, bo2.get(h, 0.0), pt << B, bo1.get(pt, 0.0), f_prev[k]))
        row_f, row_b, row_p, row_t = [], [], [], []
        for t, e in zip(cur.tokens, cur.emit):
            best, arg = -math.inf, 0
            tr = []
            uni = None
            for k, (h3, b2, h2, b1, fp) in enumerate(ctx):
                sc = p3.get(h3 | t)
                if sc is None:
                    sc = p2.get(h2 | t)
                    if sc is None:
                        if uni is None:
                            uni = p1.get(t, unk)
                        sc = b2 + b1 + uni
                    else:
                        sc += b2
                tr.append(sc)
                if fp + sc > best:
                    best, arg = fp + sc, k
            row_f.append(best + e)
            row_b.append(arg)
            row_p.append(prev.tokens[arg])
            row_t.append(tr)
        fwd.append(row_f)
        back.append(row_b)
        prev_tok.append(row_p)
        trans.append(row_t)
    last = positions[-1]
    final = [f + lp(pt, t, self._eos) for f, pt, t in zip(fwd[-1], prev_tok[-1], last.tokens)]
    # Backward max pass over the same transition scores.
    bwd: list[list[float]] = [[0.0] * len(p.tokens) for p in positions]
    bwd[-1] = [fin - f for fin, f in zip(final, fwd[-1])]
    for i in range(n - 2, -1, -1):
        nxt = positions[i + 1]
        tr_next = trans[i + 1]
        ahead = [e + b for e, b in zip(nxt.emit, bwd[i + 1])]
        if len(ahead) == 1:
            bwd[i] = [t + ahead[0] for t in tr_next[0]]
        else:
            bwd[i] = [max(tr_next[c][k] + ahead[c] for c in range(len(ahead)))
                      for k in range(len(positions[i].tokens))]
    # Best path.
    k = max(range(len(final)), key=final.__getitem__)
    path = [0] * n
    for i in range(n - 1, -1, -1):
        path[i] = k
        k = back[i][k]
    return path, fwd, bwd


def _positions(stream) -> list[SimpleNamespace]:
    bounds = np.concatenate([[0], np.cumsum(stream.counts)]).tolist()
    return [SimpleNamespace(tokens=stream.tokens[a:b].tolist(), emit=stream.emits[a:b].tolist())
            for a, b in pairwise(bounds)]


def test_batched_viterbi_matches_scalar_reference():
    from pipeline.restore import Source, _blocks, get_decoder
    from pipeline.restore.viterbi import viterbi_many

    decoder = get_decoder(Source.ENG)
    lines = (ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt").read_text(encoding="utf-8").split("\n")
    blocks = list(_blocks(lines))[:40]
    assert len(blocks) == 40
    lattices = [decoder.lattice(lines[a:b]) for a, b in blocks]
    streams = [decoder._stream(positions, None) for positions in lattices]
    # the reference reads what the search reads: the stream (a semicolon that ends a
    # sentence is a full stop there)
    refs = [reference_viterbi(decoder, _positions(stream)) for stream in streams]
    # all streams in one batch, and cut into many small batches
    for budget in (10**9, 500):
        decoded = viterbi_many(decoder.lm.arrays, decoder._bos, decoder._eos, streams, budget)
        for positions, stream, dec, (ref_path, ref_fwd, ref_bwd) in zip(lattices, streams,
                                                                        decoded, refs):
            assert dec.path == ref_path
            assert len(dec.fwd) == len(stream.tokens) == len(dec.bwd)
            assert np.allclose(dec.fwd, np.concatenate(ref_fwd), atol=1e-9)
            assert np.allclose(dec.bwd, np.concatenate(ref_bwd), atol=1e-9)


def test_every_trigram_of_the_shipped_model_has_its_suffix_bigram():
    # the batched Viterbi looks a trigram up only where its suffix bigram exists
    from pipeline.restore.lm import get_model

    a = get_model().arrays
    suffix = a.keys3[:-1] & ((1 << (2 * lm_mod._BITS)) - 1)
    j = np.searchsorted(a.keys2, suffix)
    assert (a.keys2[j] == suffix).all()


def test_presence_filter_finds_exactly_the_stored_bigrams():
    """LmArrays.find_bigrams (filter, then binary search) against plain membership, on keys
    that are stored, keys one off a stored one, and random keys."""
    from pipeline.restore.lm import get_model

    a = get_model().arrays
    rng = np.random.default_rng(5)
    table = a.keys2[:-1]
    stored = table[rng.integers(0, len(table), 3000)]
    keys = np.concatenate([stored, stored + 1, stored - 1,
                           rng.integers(0, int(table[-1]), 3000)])
    idx, j = a.find_bigrams(keys)
    expected = np.flatnonzero(np.isin(keys, table))
    assert idx.tolist() == expected.tolist()
    assert (table[j] == keys[idx]).all()
    assert len(idx) >= 3000


def test_streams_cut_where_the_path_is_forced_decode_as_the_whole_stream(monkeypatch):
    """A block cut at two single-candidate positions in a row (decoder._segments) has the
    same best path and the same confidences as the block decoded in one stream."""
    import pipeline.restore.decoder as dec_mod
    from pipeline.restore import Source, _blocks, get_decoder

    decoder = get_decoder(Source.ENG)
    lines = (ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt").read_text(encoding="utf-8").split("\n")
    blocks = [(lines[a:b], decoder.lattice(lines[a:b])) for a, b in list(_blocks(lines))[:60]]
    streams = [decoder._stream(positions, None) for _l, positions in blocks]
    pieces = [dec_mod._segments(s.counts) for s in streams]
    assert sum(len(p) > 1 for p in pieces) >= 10          # the cut is exercised
    for s, p in zip(streams, pieces):
        assert p[0][0] == 0 and p[-1][1] == len(s.counts)
        for (_a0, z0, _), (a1, _z1, shared) in pairwise(p):
            assert shared == 2 and a1 == z0 - 2 and (s.counts[a1:z0] == 1).all()
    cut = decoder._search_streams(streams)
    monkeypatch.setattr(dec_mod, "MIN_SEGMENT", 10**9)
    whole = decoder._search_streams(streams)
    for c, w in zip(cut, whole):
        assert c.path == w.path
        assert np.allclose(c.flat, w.flat, atol=1e-9)
