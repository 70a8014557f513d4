"""Diacritic restoration: syllable lexicon, OCR channel, n-gram LM and Viterbi decoder.

Python API::

    from pipeline.restore import restore_text, restore_detailed
    restore_text("Két qua thuc hién Nghi quyét s6 42-NQ/TW")   # 'Kết quả thực hiện Nghị quyết số 42-NQ/TW'
    result = restore_detailed(text)   # lines plus every word's alternatives and confidence

Models load once per process (first call) and are shared read-only.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import math
import unicodedata
from dataclasses import dataclass
from enum import Enum

import regex

from .channel import (
    DICTIONARIES,
    SEARCH_CANDIDATES,
    CandidateGenerator,
    load_candidate_cache,
    load_channel,
    load_word_confusions,
    plain_channel,
    syllable_trie,
    word_confusion_path,
)
from .decoder import Decoder, DecoderParams, WordChoice
from .lm import get_model

__all__ = ["Source", "RestoreResult", "WordChoice", "detect_source", "get_decoder",
           "restore_text", "restore_detailed", "restore_lines", "restore_document"]


class Source(str, Enum):
    """Which OCR produced the text: the legacy English model, or Tesseract's Vietnamese one;
    or text with no marks at all (typed without them, or stripped), read by a channel
    that only drops marks."""

    ENG = "eng"
    VIE = "vie"
    PLAIN = "plain"


@dataclass(frozen=True, slots=True)
class RestoreResult:
    lines: tuple[str, ...]
    words: tuple[WordChoice, ...]   # WordChoice.line indexes *lines*


VIE_CHANNEL_WEIGHT = 1.5
# Tesseract vie text is mostly right: its channel is sharp and a short candidate list per
# word loses nothing on synth-vie (text without marks needs SEARCH_CANDIDATES: every tone of
# every vowel reading).
VIE_SEARCH_CANDIDATES = 24
# Candidates more than this (log10, channel + unigram) below a token's best are dropped
# before decoding. Text without marks: 3.0 (the default) decodes the dev sets exactly as
# 4.0 did with 43 % fewer candidate pairs; vie text loses a word at 3.0, so keeps 4.0.
VIE_PRUNE_MARGIN = 4.0
# A name's word as Tesseract vie printed it gains this much (log10) on the LM's likelier
# readings: on a fresh round of reports it kept Vũ Đình Tiệp (not Hiệp), xã Lìa (not La),
# Bà Lường (not Lương); 1.5 kept half of them; no other dev set changed at 3.
VIE_NAME_KEEP_BONUS = 3.0
# In eng-OCR text a word of a village's name (after thôn, bản, buôn, ...) keeps its printed
# letters where the search chose another reading with less confidence than this. The LM
# knows next to no village, so there its choice is a coin's toss: on rounds 5-7 of the
# development reports 0.9 kept eleven right words from being made wrong (bản Hon, thôn Ma
# Hoa, bản Na Sành) and left eleven marks lost (bản Huồi Cáng, the Tà of thôn Tà Lang);
# rounds 1-4 and the real sample did not change. 0.8 kept two. A word so kept is less sure
# than the review threshold, so review.csv lists it with the reading it was not given.
VILLAGE_KEEP = 0.9


def get_decoder(source: Source = Source.ENG) -> Decoder:
    """The shared decoder for one OCR source (built on first use)."""
    return _decoder(Source(source).value)   # one cache key per source, however it is named


@functools.lru_cache(maxsize=4)
def _decoder(name: str) -> Decoder:
    source = Source(name)
    english = source is not Source.VIE
    if english:
        params = DecoderParams(glue_apostrophe=True, village_keep=VILLAGE_KEEP)
    else:
        params = DecoderParams(
            keep_cost=2.0, channel_weight=VIE_CHANNEL_WEIGHT, keep_foreign_ascii=True,
            prune_margin=VIE_PRUNE_MARGIN, place_names=False,
            name_keep_bonus=VIE_NAME_KEEP_BONUS)
    if source is Source.PLAIN:
        # a bare word in text without marks is no evidence of being right as it is
        params = dataclasses.replace(params, same_bonus=0.0, village_keep=0.0)
        gen = CandidateGenerator(plain_channel(), max_candidates=SEARCH_CANDIDATES)
    else:
        channel_path = DICTIONARIES / f"vi_channel_{source.value}.tsv"
        gen = CandidateGenerator(load_channel(source.value, channel_path),
                                 max_candidates=SEARCH_CANDIDATES if english
                                 else VIE_SEARCH_CANDIDATES,
                                 word_confusions=load_word_confusions(
                                     word_confusion_path(channel_path)))
        gen.preload(load_candidate_cache(DICTIONARIES / f"vi_candidates_{source.value}.tsv.gz",
                                         channel_path))
    decoder = Decoder(get_model(), gen, params)
    syllable_trie()   # what the candidate search walks (a quarter second): part of loading
    # The models are half a million Python objects that live as long as the process; out of
    # the collector's sight, its full collections during decoding stop walking them all
    # (the warm decoder runs about 15 % faster).
    gc.freeze()
    return decoder


MARKED_SHARE_VIE = 0.35   # text this rich in correct marks was read by a Vietnamese model
PLAIN_MIN_WORDS = 30      # a text of at least this many words...
PLAIN_MAX_SHARE = 0.005   # ...with no more of them holding a non-ASCII letter has no marks
PLAIN_MAX_GARBLED = 0.05  # ...and is no OCR when fewer of its words than this are no syllable


def detect_source(lines: list[str]) -> Source:
    """Which OCR made this text: English-model output keeps few valid marked syllables
    (about 7 % of words), Vietnamese OCR or born-digital text most (70 % and more), and
    text without marks (typed or stripped) none at all."""
    import regex

    from .syllables import has_marks, is_syllable

    words = [w for ln in lines[:2000] for w in regex.findall(r"\p{L}+", ln)]
    if not words:
        return Source.ENG
    # English OCR of Vietnamese shows some accented letter in a sixth of its words (on the
    # poorest page of the sample and the synthetic reports, 3 %): a long text with none at
    # all had its marks removed before it, or never had them, or was read by an OCR that
    # knows no accents. That OCR leaves its mark too: words that are no syllable at all
    # (dugc, cta, s6) — 15-17 % of such words on the sample and the dev reports, against
    # under 2 % in stripped prose (foreign words included).
    if len(words) >= PLAIN_MIN_WORDS and \
            sum(1 for w in words if not w.isascii()) <= PLAIN_MAX_SHARE * len(words):
        from .syllables import skeleton_index

        index = skeleton_index()
        tokens = [w for ln in lines[:2000] for w in regex.findall(r"[\p{L}\d&¢€©@$]+", ln)
                  if regex.search(r"\p{L}", w) and not w.isupper()]
        garbled = sum(1 for w in tokens if w.lower() not in index)
        return Source.ENG if garbled >= PLAIN_MAX_GARBLED * max(len(tokens), 1) else Source.PLAIN
    marked = sum(1 for w in words if has_marks(w) and is_syllable(w))
    return Source.VIE if marked / len(words) >= MARKED_SHARE_VIE else Source.ENG


def _blocks(lines: list[str], max_lines: int = 60):
    """Paragraph blocks: runs of non-empty lines (decoded as one stream). A run longer than
    *max_lines* is cut after a line that ends a sentence (after twice as many, anywhere)."""
    start = None
    for i, line in enumerate(lines + [""]):
        if line.strip():
            if start is None:
                start = i
            elif i - start >= 2 * max_lines or \
                    (i - start >= max_lines and _ends_sentence(lines[i - 1])):
                yield start, i
                start = i
        elif start is not None:
            yield start, i
            start = None


_SENTENCE_ENDS = frozenset(".!?:;…")
PAGE_GAP_LINES = 4   # blank and page-number lines a sentence may run on across
JOINED_MAX_LINES = 120   # a joined block grows no longer (text that never ends a sentence)


def _ends_sentence(line: str) -> bool:
    tail = line.rstrip()
    return not tail or tail[-1] in _SENTENCE_ENDS


def _goes_on(line: str, nxt: str) -> bool:
    """Does the sentence *line* leaves open go on at *nxt*, whose first letter or figure is a
    small letter ("… thời" / "gian giải quyết …")? (A figure may open a paragraph of its
    own after a heading: "d) Văn hóa, thông tin và truyền thông" / "100% xã, phường …".)"""
    if _ends_sentence(line):
        return False
    head = next((c for c in nxt if c.isalnum()), "")
    return head.islower()


_PAGE_NUMBER = regex.compile(r"[-–—.\s]*(?:trang\s*)?\d{1,3}[-–—.\s]*", regex.IGNORECASE)


def _page_furniture(line: str) -> bool:
    """A page number or the dust OCR makes of one ("3", "- 4 -", "pi"), at a page's edge."""
    s = line.strip()
    return bool(s) and (len(s) <= 3 and " " not in s or bool(_PAGE_NUMBER.fullmatch(s)))


def _spans(lines: list[str]) -> list[tuple[int, int, frozenset[int]]]:
    """The blocks to decode, as (start, end, apart): paragraph blocks (:func:`_blocks`),
    joined where a sentence runs on over a page break or a blank line, so each word keeps
    its context ("thời" / "gian" must not become "thời" / "giản"). The page numbers between
    them (*apart*) are left out of the joined block's stream and read as blocks of their own."""
    spans: list[tuple[int, int, frozenset[int]]] = []
    last: tuple[int, int] | None = None   # the last span with words, and its last word line
    for a, b in _blocks(lines):
        body = [i for i in range(a, b) if not _page_furniture(lines[i])]
        if body and last is not None:
            k, end = last
            if body[0] - end - 1 <= PAGE_GAP_LINES and b - spans[k][0] <= JOINED_MAX_LINES \
                    and _goes_on(lines[end], lines[body[0]]):
                start, _b, apart = spans[k]
                del spans[k + 1:]   # page numbers alone between the two: now apart
                spans[k] = (start, b, apart | {i for i in range(end + 1, body[0])
                                               if lines[i].strip()})
                last = (k, body[-1])
                continue
        spans.append((a, b, frozenset()))
        if body:
            last = (len(spans) - 1, body[-1])
    alone = [(i, i + 1, frozenset()) for _a, _b, apart in spans for i in sorted(apart)]
    return spans + alone


CACHE_MIN_CONFIDENCE = 0.95   # words this sure make up the document's own vocabulary...
CACHE_WEIGHT = 0.3            # ...which weighs log10(1 + count) x this in a second pass
CACHE_RECHECK = 0.9           # blocks with a word less sure than this are decoded again
                              # (words at least this sure keep their choice)...
RECHECK_FLOOR = 1e-4          # ...without the candidates the first pass gave less than this
# (a second pass over all of them chose the same word for every one of 71,128 words of the
# sample and the synthetic reports, at a quarter of the cost; 1e-3 did too)


def document_bonus(decoder: Decoder, words) -> dict[int, float]:
    """A cache language model: syllables the document itself uses with confidence weigh more
    where it is unsure (a report says tỉnh far more often than the legal codes do).
    *words*: (OCR, chosen, confidence) of each word."""
    from collections import Counter

    from .lm import lm_token

    counts: Counter = Counter()
    for ocr, chosen, confidence in words:
        if confidence >= CACHE_MIN_CONFIDENCE and not ocr.isdigit():
            counts[lm_token(chosen)] += 1
    vocab = decoder.lm.vocab
    return {vocab[t]: CACHE_WEIGHT * math.log10(1 + n) for t, n in counts.items() if t in vocab}


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while a document is decoded: it builds a hundred
    thousand small objects (lattice positions, candidate lists, word choices) that hold no
    cycles, and the collections they trigger cost a fifth of the decoding time. Cycles
    made meanwhile are collected once it is on again. (Threads share the switch: one
    resuming it while another decodes only costs that one the speed.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def restore_lines(lines: list[str], source: Source = Source.ENG) -> RestoreResult:
    """Restore each line; output has exactly as many lines as the input.

    Text from the English model gets two passes: the second re-decodes the blocks that hold
    an unsure word, with the document's confidently restored vocabulary as a cache
    language model.
    """
    with _collector_paused():
        return _restore_lines(lines, source)


def _restore_lines(lines: list[str], source: Source) -> RestoreResult:
    decoder = get_decoder(source)
    lines = [unicodedata.normalize("NFC", ln) for ln in lines]
    out = list(lines)
    spans = _spans(lines)
    with decoder.document(lines):
        blocks = [(lines[a:b], decoder.lattice([("" if a + i in apart else ln)
                                                for i, ln in enumerate(lines[a:b])]))
                  for a, b, apart in spans]
    first = decoder.search(blocks)
    again: list[int] = []
    bonus: dict[int, float] = {}
    if Source(source) is not Source.VIE:   # Tesseract vie text already shows its marks
        chosen = [decoder.chosen(lat, dec) for (_, lat), dec in zip(blocks, first)]
        bonus = document_bonus(decoder, [w for words in chosen for w in words])
        if bonus:
            again = [k for k, words in enumerate(chosen)
                     if any(conf < CACHE_RECHECK for _o, _c, conf in words)]
    redone = decoder.recheck([blocks[k] for k in again], [first[k] for k in again],
                             RECHECK_FLOOR, bonus, [spans[k][0] for k in again], CACHE_RECHECK)
    results = dict(zip(again, redone))
    words: list[WordChoice] = []
    for k, ((a, _b, apart), (block_lines, lat)) in enumerate(zip(spans, blocks)):
        restored, choices = results[k] if k in results else \
            decoder.render(block_lines, lat, first[k], a)
        for i, line in enumerate(restored):
            if a + i not in apart:   # (a page number inside a joined block is read alone)
                out[a + i] = line
        words.extend(choices)
    words.sort(key=lambda w: (w.line, w.start))
    return RestoreResult(tuple(out), tuple(words))


def restore_detailed(text: str, source: Source = Source.ENG) -> RestoreResult:
    """Restore *text* (any number of lines) keeping every word's alternatives."""
    return restore_lines(text.split("\n"), source)


def restore_text(text: str, source: Source = Source.ENG) -> str:
    """Restore diacritics and OCR confusions in *text*; line structure is kept."""
    return "\n".join(restore_detailed(text, source).lines)


OCR_TRUST = 0.93        # Tesseract word confidence above which a change needs...
OCR_TRUST_OVERRIDE = 0.99  # ...at least this decoder confidence
# A whole-word misreading Tesseract is known to make (chỉ for chi) is put right against its
# confidence only when the decoder is fairly sure: chi tiêu and chỉ tiêu are both Vietnamese.
KNOWN_MISREADING_OVERRIDE = 0.75


def apply_choices(text: str, choices) -> str:
    """Rebuild a line from its source text and the accepted word choices (spans)."""
    from .decoder import splice

    return splice(text, [(c.start, c.end, " " + c.chosen if c.glued else c.chosen)
                         for c in choices])


def restore_document(doc, options=None):
    """The ``restore`` stage: fill Line.restored and Line.tokens for every page.

    Legacy text pages use the English-OCR channel, OCR'd pages the ``vie`` channel. On
    OCR'd pages Tesseract's word confidence counts too: a word Tesseract is sure of
    (>= OCR_TRUST) is changed only when the decoder is surer still (>= OCR_TRUST_OVERRIDE).
    Born-digital PDF text is kept as it is.
    """
    from dataclasses import replace as _replace

    from ..models import Token
    from ..options import RestoreOptions

    options = options or RestoreOptions()
    text_source = detect_source([ln.text for p in doc.pages if p.kind == "text" for ln in p.lines])
    # The pages of a legacy text are restored as one text, so the cache language model of
    # the second pass learns from the whole document, not one page at a time.
    text_pages = [k for k, p in enumerate(doc.pages) if p.kind == "text"] if options.enabled else []
    by_page = _split_result(restore_lines(_joined(doc.pages, text_pages), text_source),
                            doc.pages, text_pages) if text_pages else {}
    pages = []
    for k, page in enumerate(doc.pages):
        if not options.enabled or page.kind == "pdf-text":
            pages.append(_replace(page, lines=tuple(_replace(ln, restored=ln.text)
                                                    for ln in page.lines)))
            continue
        source = Source.VIE if page.kind == "ocr" else text_source
        result = by_page[k] if k in by_page else restore_lines([ln.text for ln in page.lines], source)
        per_line: dict[int, list[Token]] = {}
        accepted: dict[int, list[WordChoice]] = {}
        for w in result.words:
            ln = page.lines[w.line]
            ocr_conf = bbox = None
            for t in ln.tokens:
                if t.start <= w.start < t.end:
                    ocr_conf, bbox = t.ocr_confidence, t.bbox
            chosen = w.chosen
            if (w.changed and ocr_conf is not None and ocr_conf >= OCR_TRUST
                    and w.confidence < OCR_TRUST_OVERRIDE
                    and not (w.confidence >= KNOWN_MISREADING_OVERRIDE
                             and _known_misreading(source, w.ocr, w.chosen))):
                chosen = w.ocr
            if chosen != w.ocr or w.glued:
                accepted.setdefault(w.line, []).append(_replace(w, chosen=chosen))
            conf = w.confidence if ocr_conf is None else min(1.0, 0.7 * w.confidence + 0.3 * ocr_conf)
            per_line.setdefault(w.line, []).append(Token(
                w.ocr, chosen, ln.number, w.start, w.end, round(conf, 4), w.alternatives,
                ocr_conf, bbox))
        lines = tuple(_replace(ln, restored=apply_choices(ln.text, accepted.get(i, ())),
                               tokens=tuple(per_line.get(i, ())))
                      for i, ln in enumerate(page.lines))
        pages.append(_replace(page, lines=lines, tables=_restore_tables(page.tables)))
    if options.enabled:
        pages = _fix_numbering(pages)
    return _replace(doc, pages=tuple(pages))


def numbering_spans(texts: list[str]) -> dict[int, list[tuple[int, int, str]]]:
    """The numerals and list letters to put right in the restored *texts* of a document's
    lines (see :mod:`pipeline.restore.numbering`): (start, end, numeral) by line."""
    from .numbering import list_letter_fixes, numeral_after_noun_fixes, section_number_fixes

    fixes: dict[int, list[tuple[int, int, str]]] = numeral_after_noun_fixes(texts)
    for found in (section_number_fixes(texts), list_letter_fixes(texts)):
        for i, span in found.items():
            fixes.setdefault(i, []).append(span)
    return fixes


def fix_numbering(restored: list[str]) -> list[str]:
    """*restored* lines of one document with the numbering put right, as a document run
    does (:func:`restore_document`)."""
    from .decoder import splice

    out = list(restored)
    for i, spans in numbering_spans(out).items():
        out[i] = splice(out[i], sorted(set(spans)))
    return out


def _fix_numbering(pages: list) -> list:
    """Put right the heading numerals and list letters that break the document's count
    (I, II, III; a), b), c)) and the numerals misread after Phụ lục, Chương ... (see
    :mod:`pipeline.restore.numbering`); born-digital pages are left alone."""
    from dataclasses import replace as _replace

    from ..models import Token
    from .decoder import splice

    where = [(p, k) for p, page in enumerate(pages) if page.kind != "pdf-text"
             for k in range(len(page.lines))]
    texts = [pages[p].lines[k].restored or pages[p].lines[k].text for p, k in where]
    fixes = numbering_spans(texts)
    if not fixes:
        return pages
    new_lines = {p: list(page.lines) for p, page in enumerate(pages)}
    for i, spans in fixes.items():
        p, k = where[i]
        ln = new_lines[p][k]
        tokens = list(ln.tokens)
        for start, end, numeral in spans:
            if texts[i][:end] != ln.text[:end]:
                continue   # restoration moved the text before it: spans differ, no token
            # the token read at this place of the OCR text, or a new one
            at = next((n for n, t in enumerate(tokens) if t.start == start and t.end == end),
                      None)
            token = Token(ln.text[start:end], numeral, ln.number, start, end, 1.0,
                          ((numeral, 1.0),))
            if at is None:
                tokens.append(token)
            else:
                tokens[at] = _replace(tokens[at], restored=numeral,
                                      alternatives=((numeral, 1.0),))
        tokens.sort(key=lambda t: t.start)
        new_lines[p][k] = _replace(ln, restored=splice(texts[i], sorted(set(spans))),
                                   tokens=tuple(tokens))
    return [_replace(page, lines=tuple(new_lines[p])) for p, page in enumerate(pages)]


def _joined(pages, chosen: list[int]) -> list[str]:
    """The lines of the chosen pages, an empty line between pages (a block spans two only
    where a sentence runs on: :func:`_spans`)."""
    out: list[str] = []
    for k in chosen:
        if out:
            out.append("")
        out.extend(ln.text for ln in pages[k].lines)
    return out


def _split_result(result: RestoreResult, pages, chosen: list[int]) -> dict[int, RestoreResult]:
    """Cut a restore_lines result over _joined pages back into one result per page."""
    out: dict[int, RestoreResult] = {}
    start = 0
    words = list(result.words)
    for k in chosen:
        n = len(pages[k].lines)
        mine = tuple(dataclasses.replace(w, line=w.line - start) for w in words
                     if start <= w.line < start + n)
        out[k] = RestoreResult(result.lines[start:start + n], mine)
        start += n + 1
    return out


def _known_misreading(source: Source, ocr: str, chosen: str) -> bool:
    """Is *ocr* for *chosen* a whole-word misreading this OCR is known to make (Tesseract
    vie's chỉ for chi)? Its confidence in such a word comes from its own dictionary, so it
    does not outvote the decoder."""
    table = get_decoder(source).gen.word_confusions.get(ocr.lower(), ())
    return any(syl == chosen.lower() for syl, _ in table)


def _restore_tables(tables):
    """Post-correct the text of OCR'd table cells (each cell decoded on its own)."""
    from dataclasses import replace as _replace

    if not tables:
        return tables
    out = []
    for table in tables:
        if table.source != "scan":
            out.append(table)
            continue
        texts = [c.text for c in table.cells]
        # An empty line between cells keeps each cell its own decoding stream.
        spaced = [x for t in texts for x in (t.replace("\n", " "), "")]
        restored = restore_lines(spaced, Source.VIE).lines[::2]
        cells = tuple(_replace(c, restored=r) if r != c.text and not c.text.replace(",", "")
                      .replace(".", "").replace("%", "").strip("<>=-").isdigit() else c
                      for c, r in zip(table.cells, restored))
        out.append(_replace(table, cells=cells))
    return tuple(out)
