"""Viterbi decoding of OCR text over the candidate lattice, with per-word confidence.

Each paragraph (consecutive non-empty lines) is one stream, so context crosses line ends.
Every word piece becomes a lattice position with candidates from the channel; numbers,
codes, punctuation and foreign words are fixed positions that still give context (as
``<num>``, ``<year>``, ``<pct>``, ``<code>``, ``<unk>`` or the punctuation itself). The
best path maximises LM log10 P + channel weight x channel log10 P. Max-marginals from a
forward and a backward pass give every word a posterior-like confidence and ranked
alternatives.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import logging
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex
from rapidfuzz.distance import Levenshtein

from .case import SURNAMES, capital_logprob, mid_sentence, name_run, title_case
from .channel import TOKEN_CACHE_SIZE, CandidateGenerator, attested_syllables
from .lm import BOS, CODE, END_AS, EOS, FIGURES, NUM, UNK, NgramModel, lm_token
from .numbering import roman_value
from .syllables import (
    apostrophe_name,
    apply_case,
    document_places,
    document_provinces,
    has_marks,
    is_name_syllable,
    is_syllable,
    name_skeletons,
    name_syllables,
    normalize_tone_placement,
    place_names,
    proper_names,
    skeleton,
    skeleton_index,
)
from .tokens import split_line
from .viterbi import Decoded, Stream, polish, viterbi_many

log = logging.getLogger(__name__)

_NUMBER = regex.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")
_HAS_DIGIT = regex.compile(r"\d")
_LETTERS = regex.compile(r"\p{L}")
# OCR glyphs that stand for Vietnamese letters inside words (6 for ô, 1 for l, & for ă ...).
_WORDISH_DIGITS = set("016843")
_CONFUSABLE_SYMBOLS = set("&¢€©®¥§$@£¡")
_EMAIL = regex.compile(r"^[\w.+-]+@[\w-]+\.[\w.]+$")
# Units written as abbreviations after a figure ("156 km", "25 m2"): no syllable that lost
# its marks ("km" is no "em", "kê"). Not "ha", a syllable there too ("năm 2024 hạ tầng").
_UNITS_AFTER_FIGURE = frozenset(("km", "km2", "kg", "m", "m2", "m3", "cm", "mm", "ml", "mg",
                                 "kw", "kwh", "mw", "mwh", "gb", "mb"))
#: Onsets no Vietnamese syllable has and eng-OCR makes of none (not once in 148,000 aligned
#: word pairs of eng-OCR against gold): kb, sh, k before a, o or u, kr, pr, fl, gl, kl, pl
#: (Krông's and Glei's are name words of the domain list, read as such). Other consonants
#: + l or r and s + consonant are left out: OCR makes them of marked vowels ("cla" of của,
#: "Chl" of Chú, "Crtu" of Cửu, "sng" of sống, "Blén" of BIẾN).
_FOREIGN_ONSET = regex.compile(r"(?:kb|sh|k[aou]|[kp]r|[fgkp]l)")


def foreign_onset(piece: str) -> bool:
    """A capitalised unmarked word whose onset is not Vietnamese and not one OCR makes, and
    that is no place-name word of the domain list: a name of a people's language or a
    foreign name printed as it is (Kbang, chè Shan, Kon Ka Kinh, Plei)."""
    if not (piece[:1].isupper() and piece.isascii() and piece.isalpha() and len(piece) >= 2):
        return False
    low = piece.lower()
    return bool(_FOREIGN_ONSET.match(low)) and not is_syllable(low) \
        and skeleton(low) not in name_syllables()


_SINGLE_VOWELS = set("aeiouyăâêôơư") | set("àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


MAX_STREAM = 2000   # positions decoded as one Viterbi stream
# A new sentence opens after one (Decoder._sentence_breaks): the LM's training text puts a
# list's items and what introduces them on lines of their own too ("như sau:", "xã hội;").
# Not ! or ?: OCR prints them for I ("THO! GIAN") and for hooks ("tt? vong").
SENTENCE_ENDS = (".", ";", ":")
_NO_OPENING = frozenset(".;:,…")   # a dot leader or an ellipsis, before or after, opens none
# Marks no report's text has between two words: OCR's reading of a speck or a table's rule.
_NOISE = frozenset("|¦_~»«")
_DASHES = frozenset("-–")
_OPEN_QUOTES, _CLOSE_QUOTES = frozenset("“\"‘"), frozenset("”’")
MIN_SEGMENT = 24    # positions before a stream is cut where its path is forced (_segments)


def _segments(counts: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, positions shared with the segment before) of the pieces a stream is
    decoded in. Where two positions in a row hold one candidate each (punctuation, figures,
    words read only one way) every path passes through the same two tokens, which are the
    whole history a trigram model sees: the stream is cut there, each piece keeping the two
    (the first ends with them, the next starts with them). The best path is the same and
    each candidate's max-marginal changes by one constant per piece, so confidences are the
    same; a batch of short pieces takes fewer Viterbi steps than one long stream. Pieces
    are at least MIN_SEGMENT positions; one still longer than MAX_STREAM is cut in windows
    (an approximation, for a 1 MB single-line file)."""
    n = len(counts)
    forced = np.flatnonzero((counts[:-1] == 1) & (counts[1:] == 1)).tolist() if n > 1 else []
    out: list[tuple[int, int, int]] = []
    a, shared = 0, 0
    for i in forced:
        if i - a >= MIN_SEGMENT and n - i > MIN_SEGMENT:
            out.append((a, i + 2, shared))
            a, shared = i, 2
    out.append((a, n, shared))
    windows = []
    for a, z, shared in out:
        for w in range(a, z, MAX_STREAM):
            windows.append((w, min(w + MAX_STREAM, z), shared if w == a else 0))
    return windows


@dataclass(frozen=True, slots=True)
class DecoderParams:
    channel_weight: float = 1.0
    keep_cost: float = 1.0
    # A token that is a syllable as printed is read as itself with this much more weight
    # (log10): a word already right is not traded for a likelier neighbour on a small margin
    # (qua/quà, ba/bà). 0.2 halved the right words made wrong on the dev sets (fresh reports
    # 0.0025 -> 0.0016, real-dev 0.0053 -> 0.0026) and lost no word; 0.4 lost 12.
    same_bonus: float = 0.2
    max_channel_cost: float = 7.0   # candidates worse than this are not considered
    max_candidates: int = 20
    keep_foreign_ascii: bool = False  # vie OCR: unmarked non-syllables are foreign words
    # A place-name word no syllable has, printed as read (Chro of Kông Chro, Krông): OCR
    # does not make such a word of another, so it outweighs a likelier syllable near it.
    name_same_bonus: float = 2.0
    glue_min_cost: float = 3.0     # a token this well explained whole is never split
    glue_part_cost: float = 1.0    # each half of a split must be at least this good
    glue_penalty: float = 1.5      # log10 cost of a missing space
    digit_word_cost: float = 0.0   # extra cost of reading a bare number as a syllable
    prune_margin: float = 3.0      # drop candidates this far (log10) below the token's best
    temperature: float = 1.0        # softens max-marginals into confidences
    glue_apostrophe: bool = False   # eng OCR: an apostrophe after a word is a misread mark
    place_names: bool = True        # read the domain list's names into unmarked capitals
    # Weight of the case channel (pipeline/restore/case.py): a capital inside a sentence
    # marks a name, so readings often capitalised there (Minh, An) gain on those never so
    # (mình, ăn). 0 turns it off.
    case_weight: float = 1.0
    # The words of a name (pipeline/restore/case.py, name_run: after ông, xã, a family name)
    # are weighed by how often each reading stands in a name, not just capitalised.
    names: bool = True
    # ... and their printed form gains this much (log10): Tesseract vie reads a name right
    # far more often than the LM knows it (Vũ Đình Tiệp is no Vũ Đình Hiệp, xã Lìa no La).
    name_keep_bonus: float = 0.0
    # A word of a village's name (after thôn, bản, buôn, ấp, sóc, xóm, làng) keeps its
    # printed letters where the search chose another reading with less than this confidence:
    # the LM knows next to no village, and eng-OCR's unmarked letters are as often right
    # (bản Hon, thôn Ma Hoa) as marks lost (bản Huồi Cáng). 0 turns it off.
    village_keep: float = 0.0
    # After the first-order search (pipeline/restore/viterbi.py), each candidate of at least
    # polish_floor confidence is tried in place of the chosen word with the path's true
    # trigram histories, and taken when the whole path scores polish_margin (log10) higher:
    # "- Như trên, - Ban Chính sách" keeps Ban (the best path into "chính" came through
    # "bản"). On the dev sets a margin of 0.3-0.5 gained 0.001-0.0015 word accuracy and cut
    # the right words made wrong by a third on fresh reports; 0 or 0.2 also took LM pulls
    # such as "qua thông tin" -> "quả". A floor of 0.05 tries 40 % of the candidates 0.01
    # does and read the same (report prose a little better). A floor of 1 turns it off.
    polish_floor: float = 0.05
    polish_margin: float = 0.4


@dataclass(frozen=True, slots=True)
class WordChoice:
    """One decoded word: where it is, what OCR said, what was chosen and how sure."""

    line: int          # 0-based index of the line in the decoded block
    start: int         # character span in the source line
    end: int
    ocr: str
    chosen: str
    alternatives: tuple[tuple[str, float], ...]   # (text, confidence), best first
    confidence: float
    changed: bool
    glued: bool = False   # OCR lost the space before this word: the restored text adds it


@dataclass(frozen=True, slots=True)
class BlockPath:
    """A decoded block: the chosen candidate and every candidate's confidence, by position.

    *kept*: when the block was decoded over part of its lattice (:meth:`Decoder.recheck`),
    the lattice candidates decoded at each position; *path* and *confs* index into them."""

    path: list[int]
    confs: list[list[float]]
    stream: Stream | None = None        # the candidates decoded, flat (all positions)
    flat: np.ndarray | None = None      # their confidences, flat
    kept: list[list[int]] | None = None


@dataclass(slots=True)
class _Pos:
    line: int
    start: int
    end: int
    ocr: str
    texts: list[str]        # surface forms (case restored)
    tokens: list[int]       # LM ids
    emit: list[float]       # channel log10
    decodable: bool
    glued: bool = False     # second half of a token OCR glued together: restored with a space
    name: bool = False      # a word of a name (case.name_run): no sentence opens at it
    village: bool = False   # a word of a village's name: unsure, it keeps its letters


def syllable_pieces(line: str) -> list[tuple[str, int, int, str]]:
    """split_line's pieces with compounds cut into their parts as the decoder cuts them
    (nhiệm-vụ → nhiệm, -, vụ; a separator is a "punct" piece): how the LM's and the case
    table's training text is read."""
    out = []
    for text, start, end, kind in split_line(line):
        parts = split_compound(text) if kind == "word" else [text]
        out.extend((p, start, end, kind if p.isalnum() or kind != "word" else "punct")
                   for p in parts)
    return out


def compound_separator(piece: str, kind: str) -> str | None:
    """The separator of words joined into one piece (đồng/tháng, tế-xã), which the decoder
    reads apart, the separator a position of its own; None for other pieces. *kind*: the
    piece's :func:`classify`."""
    if kind == "slash":
        return "/"
    if kind == "word" and "-" in piece.strip("-") and len(piece) > 3:
        return "-"
    return None


def split_compound(piece: str) -> list[str]:
    """A piece cut as the decoder reads it (see :func:`compound_separator`). The language
    model's training text is cut the same way (scripts/build_lm.py): it has seen "/ tháng"."""
    sep = compound_separator(piece, classify(piece))
    if sep is None:
        return [piece]
    return [p for p in regex.split(f"({regex.escape(sep)})", piece) if p]


@functools.lru_cache(maxsize=1)
def _attested_skeletons() -> frozenset[str]:
    """Skeletons of the syllables a word list attests (see ``channel.attested_syllables``);
    all generated syllables' when the lexicon file is missing."""
    return frozenset(skeleton(s) for s in attested_syllables()) or frozenset(skeleton_index())


_NAME_PREFIX = regex.compile(r"^\p{Lu}[’']\p{Lu}\p{Ll}+$")


def classify(piece: str) -> str:
    """'num', 'code', 'slash', 'word' or 'foreign' for a word piece (punctuation split off)."""
    if _NUMBER.match(piece):
        return "num"
    letters = len(_LETTERS.findall(piece)) + sum(1 for c in piece if c in _CONFUSABLE_SYMBOLS)
    if letters == 0:
        return "code" if _HAS_DIGIT.search(piece) else "foreign"
    if piece.startswith("www") or _EMAIL.match(piece) or "://" in piece or ".gov" in piece:
        return "code"
    if "/" in piece:
        parts = piece.split("/")
        if all(len(p) == 1 and p.isalpha() for p in parts):
            return "foreign"   # b/c (báo cáo), v/v (về việc), đ/c: abbreviations
        if all(p and not _HAS_DIGIT.search(p) and not (p.isupper() and len(p) > 1)
               and len(p) <= 8 for p in parts):
            return "slash"   # đồng/tháng, buổi/tuần: words joined by a slash
        if any(_LETTERS.search(p) for p in parts) and all(
                p and (_NUMBER.match(p) or p.lower() in _UNITS_AFTER_FIGURE
                       or (not _HAS_DIGIT.search(p) and p.islower() and len(p) <= 8))
                for p in parts):
            return "slash"   # 3,6%/năm, sĩ/10.000 dân, m3/ngày: a figure or unit per a unit
        return "code"
    if _NAME_PREFIX.match(piece):
        return "foreign"     # K’Ho, M’Nông, H’Mông: a people's or a person's name
    if _HAS_DIGIT.search(piece):
        if piece[0].isdigit() and piece.isupper():
            return "code"    # 4G, 5G, 3D: a figure and a capital are a name, not a word
        digits = [c for c in piece if c.isdigit()]
        if len(piece) <= 6 and len(digits) <= 2 and all(c in _WORDISH_DIGITS for c in digits) \
                and letters >= 1 and not (piece.isupper() and letters > 1):
            return "word"    # s6 → số, 1am → làm, 16n → lớn, d6i → đổi
        return "code"
    if piece.isupper() and len(piece) >= 2 and not is_syllable(piece) and \
            skeleton(piece) not in _attested_skeletons() and \
            not any(c in _CONFUSABLE_SYMBOLS for c in piece):
        # UBND, BHXH, YT (Y tế; ýt is a syllable the word lists never attest); but TICH,
        # QUOC are capitals that lost their marks
        return "foreign"
    if "z" in piece.lower() and piece.isalpha() and len(piece) >= 3 and piece[0].isupper():
        # Zalo, Amazon: a name with a letter Vietnamese lacks (OCR reads one as z now and
        # then, inside a word: "miza" for mùa)
        return "foreign"
    if _PLURAL_ABBREVIATION.fullmatch(piece):
        return "foreign"   # NGOs, SMEs: an abbreviation in the plural
    if len(piece) >= 2 and piece[-1].isupper() and any(c.islower() for c in piece) and not (
            piece[0].islower() and skeleton(piece) in skeleton_index()):
        return "foreign"   # CoV, NgV, mL; but sO is số with its ố read as O
    if len(piece) > 9 and not any(c in _CONFUSABLE_SYMBOLS for c in piece):
        return "foreign"
    return "word"


#: What a lone "0" between words is read as a number before; any other word after it makes
#: the "0" the cost of :data:`ZERO_WORD_COST` (log10) less likely a number than a syllable.
_ZERO_UNITS = frozenset(skeleton(w) for w in (
    "đồng", "độ", "giờ", "điểm", "trường", "ca", "người", "hộ", "xã"))
ZERO_WORD_COST = 2.0

#: Abbreviated kinds of place before a period: thành phố, thị xã, thị trấn.
_PLACE_ABBREVIATIONS = frozenset(("Tp", "TP", "tp", "Tx", "TX", "tx", "TT"))

_PLACE_KIND = regex.compile(r"((?:{})\.)\p{{Lu}}\S*".format(   # "Tp.Hồ", "TX.Sơn"
    "|".join(sorted(_PLACE_ABBREVIATIONS))))

#: A person's initials and name in one token: "N.T.Thủy", "Tr.V.Thiện", "Ng.V.Nam".
_INITIALS = regex.compile(r"((?:(?:Ng|Tr|Th|Ch|Ph|Nh|Kh|Gi|[A-ZĐ])\.){1,3})\p{Lu}\p{Ll}\S*")

#: Sở and Bộ before an agency's name, their marked o read as G ("SG Nội vụ", "BG Y tế").
_G_FOR_MARKED_O = {"SG": "Sở", "BG": "Bộ"}

#: Kinds of place a name follows, by their words' skeletons: "Quan" before Ngô Quyền is quận.
_PLACE_KIND_SKELETONS = {tuple(skeleton(w) for w in kind.split()): tuple(kind.split())
                         for kind in ("tỉnh", "huyện", "quận", "xã", "phường", "thành phố",
                                      "thị xã", "thị trấn")}

#: An abbreviation in the plural (NGOs, SMEs).
_PLURAL_ABBREVIATION = regex.compile(r"[A-Z]{2,}s")

#: A word in capitals but for a small i or two (NGHiA, CHiNH): OCR's i for a marked I.
_CAPITALS_WITH_I = regex.compile(r"[A-Z]+(?:i[A-Z]*)+")


# Abbreviations inside document codes that are written with Đ (NĐ-CP, QĐ-TTg, HĐND, ...),
# keyed by how OCR without Vietnamese reads them (Đ as D, P, B, DB, DP, PD).
_D_CODES = ("NĐ", "QĐ", "HĐND", "BGDĐT", "GDĐT", "LĐ", "LĐTBXH", "BLĐTBXH", "BCĐ", "TLĐLĐ",
            "QĐND", "BTĐKT", "TĐKT", "KHĐT", "BKHĐT", "VPĐK", "LĐVP")


def _code_variants() -> dict[str, str]:
    out: dict[str, str] = {}
    for code in _D_CODES:
        forms = [""]
        for ch in code:
            alts = ("D", "P", "B", "DB", "DP", "PD", "Đ") if len(code) > 2 else ("D", "Đ")
            forms = [f + alt for f in forms for alt in (alts if ch == "Đ" else (ch,))]
        for f in forms:
            if f != code:
                out.setdefault(f, code)
    for garbled in ("NP", "NB", "NDB", "ND"):
        out[garbled] = "NĐ"
    return out


_CODE_FIX = _code_variants()
_CODE_SEGMENT = regex.compile(r"(?<![\p{L}])[A-ZĐ]{2,}(?![\p{L}])")


def repair_code(code: str) -> str:
    """Restore Đ in the abbreviations of a document code: 77/2024/NDB-CP → 77/2024/NĐ-CP.

    Only whole upper-case segments listed in the table are changed; a D that belongs to
    the abbreviation (UBND, KH) is never touched.
    """
    def fix(m: regex.Match) -> str:
        seg = m.group(0)
        rep = _CODE_FIX.get(seg)
        if rep is None:
            return seg
        if seg in ("ND", "NP", "NB", "NDB") and not code[m.end():m.end() + 3] == "-CP":
            return seg
        return rep
    return _CODE_SEGMENT.sub(fix, code)


_HOST = regex.compile(r"^((?:[a-zA-Z][a-zA-Z0-9+.-]*://)?)([\w.-]+\.[A-Za-z]{2,})(?=$|[/:?#])")


def repair_web_address(piece: str) -> str:
    """Host names in lower case: www.thongtinlietsi.gov.Vn → www.thongtinlietsi.gov.vn.

    Host names are case-blind and printed in lower case; OCR reads the c, o, s, v, w, x, z
    of a domain as capitals (gov.VN). The path, which may be case-sensitive, is kept.
    """
    if "@" in piece:
        user, _, host = piece.rpartition("@")
        return f"{user}@{host.lower()}" if "." in host else piece
    m = _HOST.match(piece)
    if not m or not (piece.startswith("www") or m.group(1) or ".gov" in piece):
        return piece
    host = _GOV_LABEL.sub(_gov, m.group(2).lower())
    return m.group(1) + host + piece[m.end():]


# The ".gov" of a Vietnamese government host as OCR misreads it: "øov", "g0v", "8g0ov".
_GOV_LABEL = regex.compile(r"(?<=\.)([\wø]{3,5})(?=\.vn$)")


def _gov(m: regex.Match) -> str:
    """"gov" for a label that shows OCR's slips (ø, 0, 8, q; letters added) and reads as it;
    else the label (vov.vn is a host of its own)."""
    label = m.group(1)
    read = label.translate(str.maketrans("ø08q", "oogg"))
    slipped = read != label or len(label) > 3
    return "gov" if slipped and read.endswith("v") and \
        Levenshtein.distance(read, "gov") <= (1 if len(read) <= 3 else 2) else label


_DOT_PERCENT = regex.compile(r"^(\d+)\.(\d{1,2}%)$")


def repair_decimal(number: str) -> str:
    """A percentage with a dot before one or two digits is a decimal comma OCR misread
    (95.6% → 95,6%): in Vietnamese the dot groups thousands, three digits at a time."""
    return _DOT_PERCENT.sub(r"\1,\2", number)


# A label glued to what follows its colon (Số:57/BC-UBND, Kính gửi:Bộ): the space is lost
# when the gap after the colon is narrow. Not after a digit (8:30) or before '/' (https://).
_LABEL_GLUE = regex.compile(r"^(\p{L}+)(:)(?=[\p{Lu}\d])")

# Two words joined by a period that stands for a lost space or a sentence end whose space was
# lost (vdi.Co, s6.chinh, cu.Tinh): not a web address (gov.vn), abbreviation (TP.HCM) or
# initials (Tr.V).
_TOP_DOMAINS = frozenset({"vn", "com", "net", "org", "edu", "gov", "int", "info", "io"})


def period_glued(piece: str) -> bool:
    """Is *piece* words joined by periods (each part a word on its own)?"""
    if "." not in piece or piece.lower().startswith("www"):
        return False
    parts = piece.split(".")
    return (parts[-1].lower() not in _TOP_DOMAINS
            and all(len(p) >= 2 and not (p.isupper() and p.isalpha()) and classify(p) == "word"
                    for p in parts))


_YEAR_PIECE = regex.compile(r"^(?:19|20)\d\d$")
_ROMAN_LEAD = regex.compile(r"^[IVX]{1,6}$")
_ROMAN_OCR = regex.compile(r"^[IVX1l|]*[1l|][IVX1l|]*$")   # section and term numbers: I to XXXIX


def roman_numeral(piece: str) -> str:
    """A Roman numeral whose I strokes OCR read as 1, l or | (khóa X111 → XIII, I1 → II),
    put right; '' for anything else. Needs a real numeral letter (so 11 stays 11). A capital
    I alone is the numeral one (a section "I" whose period OCR lost, "quý I", "khóa I"): the
    syllables ì, í, ỉ are all but unused in writing."""
    if piece == "I":
        return piece
    if len(piece) < 2 or not _ROMAN_OCR.match(piece) or not regex.search(r"[IVX]", piece):
        return ""
    fixed = regex.sub(r"[1l|]", "I", piece)
    return fixed if roman_value(fixed) is not None else ""


class Decoder:
    """Restores lines of OCR text. Build once (it caches candidates), use for many lines."""

    def __init__(self, lm: NgramModel, candidates: CandidateGenerator,
                 params: DecoderParams | None = None):
        self.lm = lm
        self.gen = candidates
        self.params = params or DecoderParams()
        self._bos = lm.vocab[BOS]
        self._eos = lm.vocab[EOS]
        self._unk = lm.vocab[UNK]
        self._full_stops = np.array(sorted(lm.vocab[t] for t in SENTENCE_ENDS if t in lm.vocab),
                                    dtype=np.int64)
        self._end_as = {lm.vocab[a]: lm.vocab[b] for a, b in END_AS.items()
                        if a in lm.vocab and b in lm.vocab}
        self._rank_cache: dict[str, list[tuple[str, int, float]]] = {}
        # Per-thread decoding state: one Decoder is shared by the threads of a process
        # (dask workers run documents in threads).
        self._state = threading.local()
        self._cand_cache: dict[tuple[str, bool], tuple] = {}
        self._pos_cache: dict[tuple[str, bool], tuple] = {}
        self._spell_cache: dict[str, tuple[str, ...]] = {}
        self._capital_cost: dict[bool, np.ndarray] = {}

    @contextlib.contextmanager
    def document(self, lines: Sequence[str]):
        """Within this context the lattices of this thread read the place names the
        document's province settles (:func:`~pipeline.restore.syllables.document_provinces`,
        :func:`~pipeline.restore.syllables.document_places`): Vinh Hưng in a report of
        Nghệ An, Vĩnh Hưng elsewhere."""
        places = _NO_PLACES
        if self.params.place_names:
            here = document_places(document_provinces(lines))
            places = (here, frozenset(k[0] for k in here))
        self._state.places = places
        try:
            yield self
        finally:
            self._state.places = _NO_PLACES

    # --- lattice -------------------------------------------------------------------------
    def _word_positions(self, piece: str, line: int, start: int) -> list[_Pos]:
        """The lattice positions of one word piece at (*line*, *start*): built once per piece
        (and capitals' company), then placed."""
        key = (piece, getattr(self._state, "capitals", 0))   # _capitals_level(), inlined
        made = self._pos_cache.get(key)
        if made is None:
            made = tuple((q.start, q.end, q.ocr, tuple(q.texts), tuple(q.tokens), tuple(q.emit),
                          q.decodable, q.glued) for q in self._build_word_positions(piece, 0, 0))
            if len(self._pos_cache) < TOKEN_CACHE_SIZE:
                self._pos_cache[key] = made
        return [_Pos(line, start + a, start + b, ocr, texts, tokens, emit, decodable, glued)
                for a, b, ocr, texts, tokens, emit, decodable, glued in made]

    def _build_word_positions(self, piece: str, line: int, start: int) -> list[_Pos]:
        initials = _INITIALS.fullmatch(piece) or _PLACE_KIND.fullmatch(piece)
        if initials:
            # a person's initials before the name ("N.T.Thuy", "Tr.V.Thién" in the list of
            # recipients), a kind of place before its name ("Tp.Hồ"): kept, the name read
            head = initials.group(1)
            return [self._fixed(head, line, start, UNK),
                    *self._word_positions(piece[len(head):], line, start + len(head))]
        glue = _LABEL_GLUE.match(piece)
        if glue:
            label = glue.group(1)
            rest = self._word_positions(piece[glue.end():], line, start + glue.end())
            rest[0].glued = True
            return [*self._word_positions(label, line, start),
                    self._fixed(":", line, start + len(label), ":"), *rest]
        if period_glued(piece):
            out = self._split_on(piece, ".", line, start)
            for k in range(1, len(out)):
                if out[k - 1].ocr == ".":
                    out[k].glued = True     # the word after the period gains its space
            return out
        if "'" in piece or "’" in piece:
            name = apostrophe_name(piece)
            if name is not None:   # M'Nong: the people M'Nông of the lists
                return [self._fixed(name, line, start, UNK, piece)]
        roman = roman_numeral(piece)
        if roman:
            return [self._fixed(roman, line, start, lm_token(roman), piece)]
        kind = classify(piece)
        if kind == "foreign" and _CAPITALS_WITH_I.fullmatch(piece) \
                and skeleton(piece.lower()) in skeleton_index():
            # "NGHiA": a word in capitals whose marked I (Ĩ, Í) OCR read as a small i
            out = self._build_word_positions(piece.upper(), line, start)
            for q in out:
                q.ocr = piece[q.start - start:q.end - start]
            return out
        if kind == "num":
            number = repair_decimal(piece)   # a share (61,4%) is a token of its own, as in training
            return [self._fixed(number, line, start, lm_token(number), piece)]
        if kind == "code":
            return [self._fixed(repair_web_address(repair_code(piece)), line, start, CODE,
                                piece)]
        if kind == "foreign":
            # an abbreviation written with Đ (HĐND, GDĐT) read without it: put it back
            fixed = _CODE_FIX.get(piece, piece) if piece.isupper() and len(piece) > 2 else piece
            return [self._fixed(fixed, line, start, lm_token(fixed), piece)]
        sep = compound_separator(piece, kind)
        if sep is not None:
            return self._split_on(piece, sep, line, start)
        if self.params.keep_foreign_ascii and piece.isascii() and piece.isalpha() \
                and not is_syllable(piece):
            # Tesseract's vie model reads Vietnamese with marks; an unmarked word that is no
            # syllable (Java, tab, PDF) is a foreign word read right.
            return [self._fixed(piece, line, start, UNK)]
        if foreign_onset(piece):
            return [self._fixed(piece, line, start, UNK)]
        split = self._glued_split(piece)
        if split:
            first = self._candidates(piece[:split], line, start)
            second = self._candidates(piece[split:], line, start + split)
            second.glued = True
            return [first, second]
        return [self._candidates(piece, line, start)]

    def _glued_split(self, piece: str) -> int:
        """Where OCR glued two syllables into one token (nhiémvu, Ti1é, thanhpho): the split
        point when two good syllables explain it much better than one; 0 otherwise."""
        p = self.params
        if len(piece) < 3 or not piece[0].isalpha() or piece.isascii() and piece.isalpha():
            return 0   # plain ASCII words are left whole: foreign words are too often split
        whole = self._ranked(piece)
        whole_cost = -whole[0][2] if whole else 99.0
        if whole_cost <= p.glue_min_cost:
            return 0
        best, at = whole_cost, 0
        # a one-letter first syllable (Ytế → Y tế, ởnhà) is a vowel; others take two letters
        first = 1 if piece[0].lower() in _SINGLE_VOWELS else 2
        for i in range(first, len(piece) - 1):
            a = self._ranked(piece[:i])
            if not a or -a[0][2] > p.glue_part_cost:
                continue
            b = self._ranked(piece[i:])
            if not b or -b[0][2] > p.glue_part_cost:
                continue
            cost = -a[0][2] - b[0][2] + p.glue_penalty
            if cost < best:
                best, at = cost, i
        return at

    def _split_on(self, piece: str, sep: str, line: int, start: int) -> list[_Pos]:
        """Words joined by a hyphen or slash (kinh tế-xã hội, đồng/tháng): each part decoded,
        the separator kept as a fixed position."""
        out: list[_Pos] = []
        offset = 0
        for part in regex.split(f"({regex.escape(sep)})", piece):
            if part == sep:
                out.append(self._fixed(sep, line, start + offset, sep))
            elif part.lower() in _UNITS_AFTER_FIGURE:   # kg/người, m3/ngày: no syllable
                out.append(self._fixed(part, line, start + offset, lm_token(part)))
            elif part:
                out.extend(self._word_positions(part, line, start + offset))
            offset += len(part)
        return out

    def _fixed(self, text: str, line: int, start: int, token: str, ocr: str | None = None) -> _Pos:
        ocr = text if ocr is None else ocr
        return _Pos(line, start, start + len(ocr), ocr, [text], [self.lm.word_id(token)], [0.0],
                    False)

    def _ranked(self, piece: str) -> list[tuple[str, int, float]]:
        """Candidate (syllable, LM id, weighted channel log10) for a token, pruned by
        channel + unigram score to ``max_candidates``; cached per token."""
        hit = self._rank_cache.get(piece)
        if hit is not None:
            return hit
        p = self.params
        scored = []
        p1 = self.lm.unigrams
        for syl, logp in self.gen.search(piece):
            if -logp > p.max_channel_cost:
                continue
            wid = self.lm.word_id(lm_token(syl))
            emit = p.channel_weight * logp
            if syl == piece.lower():
                emit += p.same_bonus
            scored.append((emit + p1.get(wid, self.lm.unk_logprob), syl, wid, emit))
        scored.sort(key=lambda x: -x[0])
        floor = scored[0][0] - p.prune_margin if scored else 0.0
        out = [(syl, wid, emit) for sc, syl, wid, emit in scored[: p.max_candidates]
               if sc >= floor]
        if len(self._rank_cache) < TOKEN_CACHE_SIZE:
            self._rank_cache[piece] = out
        return out

    def _in_capitals(self) -> bool:
        """Is the word being decoded (in this thread) in capitals' company: a line mostly
        in capitals, or a capital word next to it?"""
        return self._capitals_level() > 0

    def _capitals_level(self) -> int:
        """0: lower-case company; 1: a capital word next to it; 2: a line mostly in capitals."""
        return getattr(self._state, "capitals", 0)

    def _case_pattern(self, piece: str) -> str:
        """The case to give the restored word. Capitals inside a lower-case word are OCR
        misreads of marked vowels (dOng → động, vGi → với); a short all-caps token in a
        lower-case line is a capitalised word (BO → Bộ)."""
        if piece[:1].islower() and piece != piece.lower():
            return piece.lower()       # sO, dOng: a marked vowel read as a capital
        if len(piece) > 1 and piece[1:] != piece[1:].lower() and piece[1:] != piece[1:].upper():
            letters = [c for c in piece if c.isalpha()]
            if self._capitals_level() == 2 and piece[0].isupper() and \
                    sum(c.isupper() for c in letters) * 2 > len(letters):
                return piece.upper()   # CHi in a line of capitals: an Ỉ read as i
            return piece[0] + piece[1:].lower()
        if piece.isupper() and len(piece) <= 4 and not self._in_capitals():
            return piece[0] + piece[1:].lower()
        if piece.isupper() and not piece.isalpha() and self._capitals_level() == 2:
            return "X" * len(piece)    # T6 in a line of capitals (VÀ T6 CHỨC): TỔ
        return piece

    def _candidates(self, piece: str, line: int, start: int) -> _Pos:
        key = (piece, self._capitals_level())
        hit = self._cand_cache.get(key)
        if hit is None:
            hit = self._make_candidates(piece)
            if len(self._cand_cache) < TOKEN_CACHE_SIZE:
                self._cand_cache[key] = hit
        texts, tokens, emit = hit
        return _Pos(line, start, start + len(piece), piece, list(texts), list(tokens), list(emit),
                    True)

    def _make_candidates(self, piece: str) -> tuple[tuple[str, ...], tuple[int, ...],
                                                    tuple[float, ...]]:
        """Surface forms (case restored), LM ids and channel scores for one token."""
        p = self.params
        texts: list[str] = []
        tokens: list[int] = []
        emits: list[float] = []
        seen = set()
        pattern = self._case_pattern(piece)
        for syl, wid, emit in self._ranked(piece):
            # The case fix-up applies only to words that gain marks (REM stays REM).
            text = apply_case(pattern if has_marks(syl) else piece, syl)
            if text in seen:
                continue
            seen.add(text)
            texts.append(text)
            tokens.append(wid)
            emits.append(emit)
        for name, wid, emit in self._name_candidates(piece):
            text = apply_case(piece, name)
            if text not in seen:
                seen.add(text)
                texts.append(text)
                tokens.append(wid)
                emits.append(emit)
        own = normalize_tone_placement(unicodedata.normalize("NFC", piece))
        if own not in seen:
            # Leaving the token as it is: a foreign word, a name, or damage we can't repair.
            # A kept non-syllable is an out-of-vocabulary word to the LM (not <unk>, which
            # stands for the foreign words and abbreviations seen in training).
            # A word with OCR digits in it (S6, I6n) is no number or code to the LM either.
            tok = lm_token(own)
            texts.append(own)
            tokens.append(self.lm.word_id(tok) if tok != UNK and tok not in FIGURES
                          else len(self.lm.vocab))
            emits.append(-p.keep_cost * p.channel_weight)
        return tuple(texts), tuple(tokens), tuple(emits)

    def _name_candidates(self, piece: str) -> list[tuple[str, int, float]]:
        """Place-name words no syllable search finds (``Dak`` → Đắk, ``Krong`` → Krông):
        the domain list's :func:`name_syllables` with a capitalised token's skeleton (or of
        its length, when a digit stands for a marked vowel: ``K6ng`` → Kông), as (word, LM
        id, weighted channel log10), the channel priced letter by letter."""
        if not piece[:1].isupper() or not piece.isalnum():
            return []
        out = []
        read = unicodedata.normalize("NFC", piece).lower()
        if read.isalpha():
            names = name_syllables().get(skeleton(read), ())
        else:   # a digit for a marked vowel ("K6ng" → Kông): the names of its length
            names = _name_words_by_length().get((skeleton(read[0]), len(read)), ())
        for name in names:
            if len(name) != len(read):
                continue
            cost = sum(self.gen.channel.cost(g, o) for g, o in zip(name, read))
            if cost <= self.params.max_channel_cost:
                out.append((name, self.lm.word_id(name),
                            -cost * self.params.channel_weight + (self.params.name_same_bonus
                                                                  if name == read else 0.0)))
        return out

    def _names_in(self, pieces: list[tuple[str, int, int, str]]) -> dict[int, str]:
        """The words of the domain list's place names read without their marks on this line
        ("Cao Lanh" → Cao Lãnh, "Dak Nong" → Đắk Nông, "LAM DONG" → LÂM ĐỒNG): piece index →
        the name's word in lower case. Two to four capitalised words in a row, spelt as the
        name but for its marks (:func:`proper_names`); the longest name first. A name of the
        place list (:func:`place_names`: "xa Van Tho" → xã Vạn Thọ) only where its words
        stand alone (:func:`_stands_alone`). A word OCR garbled may spell its name's word
        through one of its readings (:meth:`_name_spellings`: "Lang Cé" → Lăng Cô), when
        that makes one name only; a word with a digit for a marked vowel only after the
        name's kind of place ("xa Vinh L6c" → xã Vinh Lộc)."""
        caps = [k for k, (text, _, _, kind) in enumerate(pieces)
                if text[:1].isupper() and kind == "word" and text.isalnum()]
        if len(caps) < 2:
            return {}
        names, firsts = proper_names(), _name_firsts()
        here, here_firsts = getattr(self._state, "places", _NO_PLACES)
        skel = {k: self._name_spellings(pieces[k][0]) for k in caps}
        out: dict[int, str] = {}
        for k in caps:
            if k in out or not any(a in firsts or a in here_firsts for a in skel[k]):
                continue
            for n in (4, 3, 2):
                spellings = [skel.get(k + i) for i in range(n)]
                if None in spellings or (not _kind_named(pieces, k) and any(
                        not pieces[k + i][0].isalpha() for i in range(n))):
                    continue    # ("V6n Chuong trinh": a digit in a name only after its kind)
                titled = bool(here) and all(title_case(pieces[k + i][0]) for i in range(n))
                name = self._one_name(spellings, names, _stands_alone(pieces, k, n),
                                      here if titled else None)
                if name is not None:
                    for i in range(n):
                        out[k + i] = name[i].lower()
                    out.update(_kind_before(pieces, k, out))
                    break
        return out

    @staticmethod
    def _one_name(spellings: list[tuple[str, ...]], names: dict, alone: bool,
                  here: dict | None = None) -> tuple[str, ...] | None:
        """The name the words' *spellings* (each word's own letters first) make: as printed
        if they make one; else, where they *stand alone* and one word at least is not garbled,
        the only name the garbled words' readings make with the others' letters; none if
        they make two, or spell one the lists cannot tell apart ("Thanh Héa": Thanh Hóa and
        Thanh Hòa share their letters, and Thanh Hà is a reading away too). Where they stand
        alone, a name the document's province settles (*here*,
        :func:`~pipeline.restore.syllables.document_places`) comes first."""
        literal = tuple(s[0] for s in spellings)
        here = here or {}
        name = here.get(literal) if alone else None
        if name is None:
            name = names.get(literal)
        if name is None and alone:
            name = place_names().get(literal)
        garbled = sum(len(s) > 1 for s in spellings)
        if name is not None or not alone or garbled in (0, len(spellings)):
            return name
        known = name_skeletons()
        found = [keys for keys in itertools.islice(itertools.product(*spellings), 1,
                                                   _MAX_SPELLINGS)
                 if keys in known and any(k == s[0] for k, s in zip(keys, spellings))]
        if len(found) != 1:
            return None
        return here.get(found[0]) or names.get(found[0]) or place_names().get(found[0])

    def _name_spellings(self, word: str) -> tuple[str, ...]:
        """A capitalised word's skeleton, and when OCR garbled it (a word in title case whose
        letters spell no syllable, "Chudi", "Cé", "Héa", or a marked one the LM never saw,
        "Thé", "Léc") the skeletons of its likeliest readings a letter away (chuoi; co; hoa;
        tho; loc): cached per word."""
        hit = self._spell_cache.get(word)
        if hit is not None:
            return hit
        own = skeleton(word)
        out = [own]
        if word[1:].islower() and not is_name_syllable(word) and not (
                own in skeleton_index() if word.isascii()
                else normalize_tone_placement(word.lower()) in self.lm.vocab):
            for syl, _wid, _emit in self._ranked(word.lower())[:_NAME_READINGS]:
                key = skeleton(syl)
                if key not in out and Levenshtein.distance(key, own) <= 1:
                    out.append(key)
        if len(self._spell_cache) < TOKEN_CACHE_SIZE:
            self._spell_cache[word] = tuple(out)
        return tuple(out)

    def _special(self, pieces: list[tuple[str, int, int, str]], cased: bool = True
                 ) -> dict[int, tuple[str, str]]:
        """Pieces read by a rule of their line rather than one by one: piece index →
        (what, text). "join": a capital OCR set apart from its word ("N ghi quyết", the
        next piece "skip"); "name": a place name's word (:meth:`_names_in`); "keep": a unit
        after a figure ("156 km"); "numeral": "Phụ lục |" (the text to print). Without
        *cased* (no capital anywhere on the line) the rules of capitals are not tried."""
        special: dict[int, tuple[str, str]] = {}
        for k, (text, start, _end, kind) in enumerate(pieces):
            if kind != "word":
                continue
            if text[:1] == "|":
                if _after_appendix(pieces, k):
                    special[k] = ("numeral", "I" * len(text))
            elif text in _PLACE_ABBREVIATIONS and k + 1 < len(pieces) \
                    and pieces[k + 1][0] == "." and pieces[k + 1][1] == _end:
                special[k] = ("keep", text)     # "Tp. Hồ Chí Minh", "TX. Sơn Tây"
            elif text in _G_FOR_MARKED_O and k + 1 < len(pieces) \
                    and pieces[k + 1][0][:1].isupper():
                word = _G_FOR_MARKED_O[text]
                after = next((p[0] for p in pieces[k + 1:] if len(p[0]) > 1 and p[0].isalpha()),
                             "")
                special[k] = ("keep", word.upper() if after.isupper() else word)
            elif k and len(text) <= 3 and text.lower() in _UNITS_AFTER_FIGURE \
                    and _NUMBER.match(pieces[k - 1][0]) and pieces[k - 1][2] < start:
                special[k] = ("keep", text)
            elif k and text.isupper() and _brand_abbreviation(pieces, k):
                special[k] = ("keep", text)     # "Zalo OA": no Òa
        if not cased:
            return special
        if self.params.place_names:
            special.update((k, ("name", w)) for k, w in self._names_in(pieces).items())
        special.update((k, ("keep", w)) for k, w in _capital_i_names(pieces).items())
        for k in _split_initials(pieces):
            special[k], special[k + 1] = ("join", ""), ("skip", "")
        return special

    def lattice(self, lines: Sequence[str]) -> list[_Pos]:
        positions: list[_Pos] = []
        carried: dict[int, tuple[str, str]] = {}
        state_level = -1   # the capitals level last set in self._state (set on first use)
        next_pieces = list(split_line(lines[0], self.params.glue_apostrophe)) if lines else []
        next_cased = any(map(str.isupper, lines[0])) if lines else False
        for li, line in enumerate(lines):
            pieces, cased = next_pieces, next_cased   # (cased: a capital on the line)
            if li + 1 < len(lines):
                next_pieces = list(split_line(lines[li + 1], self.params.glue_apostrophe))
                next_cased = any(map(str.isupper, lines[li + 1]))
            else:
                next_pieces, next_cased = [], False
            letters = "".join(filter(str.isalpha, line))
            line_upper = bool(letters) and sum(map(str.isupper, letters)) > 0.6 * len(letters)
            special = self._special(pieces, cased)
            special.update(carried)
            first = len(positions)
            words: dict[int, _Pos] = {}   # piece index -> position, capitals read alone
            carried = {}
            if self.params.place_names and pieces and next_pieces and (cased or next_cased):
                # a place name broken over two lines ("tỉnh Gia" / "Lai báo cáo"): its
                # words on the next line are read with it
                # (dust may open the next line: "~ Lai báo cáo")
                lead = next((i for i, q in enumerate(next_pieces[:3])
                             if q[3] == "word" and q[0][:1].isalpha()), 0)
                tail = pieces[-3:]
                for k, w in self._names_in(tail + next_pieces[lead:lead + 3]).items():
                    if k >= len(tail):
                        carried[k - len(tail) + lead] = ("name", w)
                    elif len(pieces) - len(tail) + k not in special:
                        special[len(pieces) - len(tail) + k] = ("name", w)
            caps = [False] if line_upper else _caps_words(pieces) if cased \
                else [False] * (len(pieces) + 2)
            for k, (text, start, _end, kind) in enumerate(pieces):
                level = 2 if line_upper else int(caps[k] or caps[k + 2])
                if level != state_level:
                    self._state.capitals = state_level = level
                rule = special.get(k) if special else None
                if rule is not None:
                    self._by_rule(rule, pieces, k, line, li, positions)
                elif kind == "punct":
                    positions.append(self._fixed(text, li, start, lm_token(text)))
                elif len(text) == 1 and text.isalpha() and text.lower() not in _SINGLE_VOWELS \
                        and k + 1 < len(pieces) and pieces[k + 1][0] in (")", ".") \
                        and pieces[k + 1][1] == _end:
                    # a list letter: b) c. — not a syllable that lost its vowel
                    positions.append(self._fixed(text, li, start, lm_token(text)))
                elif (text.lower() in _ENGLISH_JOINS and _english_join(pieces, k)) \
                        or (len(text) == 1 and _label_letter(pieces, k)):
                    # an English name's small word ("Cooperation and Participation"), or a
                    # letter that labels a class or a clause (loại A, B; điểm a, b và c)
                    positions.append(self._fixed(text, li, start, UNK))
                elif k == 0 and _ROMAN_LEAD.match(text) and roman_value(text) is not None \
                        and k + 1 < len(pieces) and pieces[k + 1][0] in ("|", ".", ")"):
                    # a section or table group number opening its line: "VI | Giáo dục",
                    # "XI. ..." — no syllable (vi, xi)
                    positions.append(self._fixed(text, li, start, lm_token(text)))
                elif text.isdigit() and self._digit_word(pieces, k):
                    # a lone 0 between words is no count (three in 900,000 words of prose,
                    # each before a unit: "0 đồng"): eng-OCR's "ở"
                    nxt = pieces[k + 1] if k + 1 < len(pieces) else None
                    zero = text == "0" and nxt is not None and nxt[3] == "word" \
                        and skeleton(nxt[0]) not in _ZERO_UNITS
                    positions.append(self._number_or_word(text, li, start,
                                                          ZERO_WORD_COST if zero else 0.0))
                else:
                    if text == "¥" and not any(p[3] == "word" and _LETTERS.search(p[0])
                                               for p in pieces[:k]):
                        # the yen sign, caseless, opening a line or its heading ("5.2. ¥
                        # tế"): OCR's capital Y (mid-line it is as often ý: "về ¥ nghĩa")
                        found = self._word_positions("Y", li, start)
                        found[0].ocr = text
                    else:
                        found = self._word_positions(text, li, start)
                    if text[:1].isupper() and found[0].decodable and found[0].start == start:
                        words[k] = found[0]
                    positions.extend(found)
            if self.params.case_weight and not line_upper:
                self._capitals_seen(pieces, positions[first:], words)
        return positions

    def _capitals_seen(self, pieces: list[tuple[str, int, int, str]], line: list[_Pos],
                       words: dict[int, _Pos]) -> None:
        """Weigh the readings of the capitalised words of a line (*words*: piece index → its
        lattice position) inside a sentence by how often each is written so there
        (:mod:`pipeline.restore.case`); a name's words (:func:`name_run`: after ông, xã,
        sông, or a family name; *line*: all the line's positions, to read the words before
        them) as :meth:`_name_seen` says."""
        if not words:
            return
        at: dict[int, _Pos] = {}

        def reads(i: int, group: frozenset[str]) -> bool:
            if not at:
                at.update((pos.start, pos) for pos in line)
            pos = at.get(pieces[i][1]) if pieces[i][3] == "word" else None
            if pos is None:
                return False
            if group is SURNAMES and skeleton(pos.ocr) in _surname_skeletons():
                return True   # "Do Quang Thinh": Đỗ, though the LM likes Đó better
            return any(t.lower() in group for t in pos.texts[:3])
        names = name_run(pieces, reads) if self.params.names else set()
        for k, pos in words.items():
            if k in names:
                pos.name = True
                self._name_seen(pos)
            elif title_case(pieces[k][0]) and mid_sentence(pieces[k - 1] if k else None):
                self._capital_seen(pos)
            if self.params.village_keep:
                pos.village = _in_village_name(pieces, k, reads)

    def _name_seen(self, pos: _Pos) -> None:
        """Weigh the readings of a name's word by how often each stands in a name, with next
        to no allowance for a sentence start OCR lost; the printed form gains
        ``name_keep_bonus`` (Tesseract vie text)."""
        self._capital_seen(pos, True)
        if self.params.name_keep_bonus:
            own = normalize_tone_placement(unicodedata.normalize("NFC", pos.ocr))
            pos.emit = [e + self.params.name_keep_bonus if t == own else e
                        for e, t in zip(pos.emit, pos.texts)]

    def _capital_seen(self, pos: _Pos, name: bool = False) -> None:
        """Weigh the readings of a word capitalised inside a sentence by how often each is
        written so there, or with *name*, how often each stands in a name
        (:mod:`pipeline.restore.case`)."""
        cost = self._capital_cost.get(name)
        if cost is None:
            vocab = sorted(self.lm.vocab, key=self.lm.vocab.__getitem__)
            cost = self.params.case_weight * capital_logprob(tuple(vocab), names=name)
            self._capital_cost[name] = cost
        pos.emit = [e + cost[t] for e, t in zip(pos.emit, pos.tokens)]

    def _by_rule(self, rule: tuple[str, str], pieces: list[tuple[str, int, int, str]], k: int,
                 line: str, li: int, positions: list[_Pos]) -> None:
        """The positions of piece *k* read by its line's rule (see :meth:`_special`)."""
        what, value = rule
        text, start = pieces[k][0], pieces[k][1]
        if what == "join":
            # "N ghi quyết": one word again when the two read as one
            end = pieces[k + 1][2]
            joined = self._word_positions(text + pieces[k + 1][0], li, start)
            if len(joined) == 1:
                joined[0].end, joined[0].ocr = end, line[start:end]
                positions.extend(joined)
            else:
                positions.extend(self._word_positions(text, li, start))
                positions.extend(self._word_positions(pieces[k + 1][0], li, pieces[k + 1][1]))
        elif what == "name":
            word = apply_case(self._case_pattern(text), value)
            positions.append(self._fixed(word, li, start, lm_token(word), text))
        elif what in ("keep", "numeral"):
            positions.append(self._fixed(value, li, start, lm_token(value), text))

    @staticmethod
    def _digit_word(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
        """A 1–2 digit 'number' between two words (eng-OCR's x4 for xã is one too), or a
        word and a document's code, may be a misread syllable (Tỉ 18 → Tỉ lệ, phía Đông 13
        → là, nhà 6 x4 hội → ở, Quyết định 56 1468/QĐ-UBND → số); so may a lone 0 or 6
        between a small word and a count of something (thí điểm 0 36 xã, có mặt 6 87,3% xã
        → ở), or between a share and a small word (đạt 99,1% 6 đô thị → ở). In a table's
        linearised row a number after a label is followed by more numbers or the line's end,
        not by a small word; and the reading is only offered: the language model weighs it
        against the number."""
        text = pieces[k][0]
        if not (text.isdigit() and len(text) <= 2 and set(text) <= set("013568")):
            return False
        def is_word(piece: tuple[str, int, int, str]) -> bool:
            return piece[3] == "word" and classify(piece[0]) == "word"

        if len(pieces) == 1:
            return False
        if k == 0:   # line start: only before a lower-case word (not a numbered heading)
            return is_word(pieces[1]) and pieces[1][0][:1].islower()
        if k + 1 >= len(pieces):   # line end: after a word ("nhà 6" wrapped)
            return is_word(pieces[k - 1])
        nxt = pieces[k + 1]
        if _YEAR_PIECE.match(pieces[k - 1][0]) and is_word(nxt) and nxt[0][:1].islower():
            return True   # after a year, before a lower-case word ("năm 2024 6 mức": ở)
        if is_word(pieces[k - 1]) and nxt[3] == "word" and classify(nxt[0]) == "code" \
                and "/" in nxt[0]:
            return True   # before a document's code ("Quyết định 56 1468/QĐ-UBND": số)
        if text in ("0", "6") and k + 2 < len(pieces) and is_word(pieces[k - 1]) \
                and pieces[k - 1][0].islower() and _NUMBER.match(nxt[0]) \
                and is_word(pieces[k + 2]) and pieces[k + 2][0].islower():
            return True   # before a count of something ("thí điểm 0 36 xã": ở)
        if text in ("0", "6") and pieces[k - 1][0].endswith("%") \
                and _NUMBER.match(pieces[k - 1][0]) and is_word(nxt) and nxt[0].islower():
            return True   # after a share, before a small word ("đạt 95,3% 6 nông thôn": ở)
        return is_word(pieces[k - 1]) and (is_word(nxt) or nxt[0] in (",", ";", ":", ")"))

    def _number_or_word(self, piece: str, line: int, start: int, number_cost: float = 0.0
                        ) -> _Pos:
        p = self.params
        pos = _Pos(line, start, start + len(piece), piece, [piece], [self.lm.word_id(NUM)],
                   [-number_cost], True)
        for syl, wid, emit in self._ranked(piece):
            pos.texts.append(syl)
            pos.tokens.append(wid)
            pos.emit.append(emit - p.digit_word_cost)
        return pos

    # --- search --------------------------------------------------------------------------
    def decode(self, lines: Sequence[str], bonus: dict[int, float] | None = None
               ) -> tuple[list[str], list[WordChoice]]:
        """Restore a block of lines decoded as one stream; returns (lines, word choices).

        *bonus* adds log10 weight to LM tokens (the document's own vocabulary, see
        :func:`pipeline.restore.restore_lines`). Very long streams (a 1 MB single-line
        file) are decoded in windows of MAX_STREAM positions so time and memory stay linear.
        """
        return self.decode_lattice(lines, self.lattice(lines), bonus)

    def decode_lattice(self, lines: Sequence[str], positions: list[_Pos],
                       bonus: dict[int, float] | None = None
                       ) -> tuple[list[str], list[WordChoice]]:
        """:meth:`decode` on a lattice already built from *lines* (a second pass reuses it)."""
        return self.decode_lattices([(lines, positions)], bonus)[0]

    def decode_lattices(self, blocks: Sequence[tuple[Sequence[str], list[_Pos]]],
                        bonus: dict[int, float] | None = None,
                        line_offsets: Sequence[int] | None = None
                        ) -> list[tuple[list[str], list[WordChoice]]]:
        """Decode many blocks (lines with their lattice) together: one batched Viterbi
        (:mod:`pipeline.restore.viterbi`) over all their streams. A block's word choices
        count lines from its *line_offsets* entry (0 by default)."""
        decoded = self.search(blocks, bonus)
        offsets = line_offsets or [0] * len(blocks)
        return [self.render(lines, positions, dec, off)
                for (lines, positions), dec, off in zip(blocks, decoded, offsets)]

    def search(self, blocks: Sequence[tuple[Sequence[str], list[_Pos]]],
               bonus: dict[int, float] | None = None) -> list[BlockPath]:
        """The best path and every candidate's confidence, per block."""
        return self._search_streams([self._stream(positions, bonus) for _l, positions in blocks])

    def _sentence_breaks(self, st: Stream) -> tuple[Stream, np.ndarray | None]:
        """*st* as the LM reads it: without the positions it is not to see (``st.skips``:
        OCR's stray dots, specks and rules), and with ``</s> <s> <s>`` after each end of a
        sentence (``st.ends``; both from :meth:`_ends_and_skips`); and, for each of the
        block's own positions, where it stands in that stream, or -1 for one skipped (None:
        the stream is *st*).

        The LM learnt from one sentence (or list item) a line: a full stop is followed by
        ``</s>`` and a sentence opens after ``<s> <s>``. Inside a block the word after a
        full stop would have ``(word, .)`` for history, which training almost never saw
        (after "." the model gave "Tỉ" 10^-6.9 against 10^-1.7 at a sentence's start). The
        three virtual positions, one candidate each, give the next sentence the history it
        was trained with; they add the same terms to every path. A dot OCR put between two
        words of a sentence ("ngoài quy. định") is history training never saw either: the
        words around it are read as if it were not there. Both are mended after the search
        (:meth:`_search_streams`)."""
        ends, skips, counts = st.ends, st.skips, st.counts
        if ends is None and skips is None:
            return st, None
        tokens, emits = st.tokens, st.emits
        own = np.ones(len(counts), dtype=bool)
        if skips is not None:
            own[skips] = False
            kept = np.repeat(own, counts)
            tokens, emits, counts = tokens[kept], emits[kept], counts[own]
        where = np.cumsum(own) - 1   # each own position's index among those kept
        if ends is not None:
            at = np.repeat(where[ends] + 1, 3)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            virtual = np.tile(np.array([self._eos, self._bos, self._bos], dtype=np.int64),
                              len(ends))
            cand_at = np.repeat(starts[where[ends] + 1], 3)
            tokens, emits = np.insert(tokens, cand_at, virtual), np.insert(emits, cand_at, 0.0)
            counts = np.insert(counts, at, 1)
            # each virtual position shifts those after it on by one
            where = where + 3 * np.searchsorted(where[ends], where, side="left")
        where[~own] = -1
        return Stream(tokens, emits, counts), where

    def _search_streams(self, block_streams: Sequence[Stream]) -> list[BlockPath]:
        """:meth:`search` over each block's candidates, flat; a block is cut into the
        streams of :func:`_segments` and put back together."""
        given = block_streams
        broken = [self._sentence_breaks(st) for st in given]
        block_streams = [st for st, _real in broken]
        streams: list[Stream] = []
        owner: list[tuple[int, int]] = []  # the block of each stream, its leading positions shared
        for b, st in enumerate(block_streams):
            first = np.concatenate([[0], np.cumsum(st.counts)])
            for a, z, shared in _segments(st.counts):
                lo, hi = int(first[a]), int(first[z])
                streams.append(Stream(st.tokens[lo:hi], st.emits[lo:hi], st.counts[a:z]))
                owner.append((b, shared))
        decoded = viterbi_many(self.lm.arrays, self._bos, self._eos, streams)
        parts: list[list[Decoded]] = [[] for _ in block_streams]
        for (b, shared), dec in zip(owner, decoded):
            # (positions shared with the segment before hold one candidate each)
            parts[b].append(Decoded(dec.path[shared:], dec.fwd[shared:], dec.bwd[shared:]))
        out = []
        for st, got in zip(block_streams, parts):
            if not got:
                out.append(BlockPath([], [], st, np.zeros(0)))
                continue
            path = [k for d in got for k in d.path]
            fwd = np.concatenate([d.fwd for d in got])
            bwd = np.concatenate([d.bwd for d in got])
            confs, flat = self._confidences(fwd, bwd, st.counts)
            out.append(BlockPath(path, confs, st, flat))
        p = self.params
        if p.polish_floor < 1.0 and out:
            paths, swaps = polish(self.lm.arrays, self._bos, self._eos, [d.stream for d in out],
                                  [d.path for d in out], [d.flat for d in out], p.polish_floor,
                                  p.polish_margin)
            starts: dict[int, np.ndarray] = {}
            for b, i, left, k, gain in swaps:
                if b not in starts:
                    starts[b] = np.concatenate([[0], np.cumsum(out[b].stream.counts)])
                self._confide(out[b], i, left, k, gain, int(starts[b][i]))
            out = [dataclasses.replace(d, path=q) for d, q in zip(out, paths)]
        for b, (st, (_st, where)) in enumerate(zip(given, broken)):
            if where is not None:   # virtual positions out, skipped ones back in
                d = out[b]
                path = [d.path[i] if i >= 0 else 0 for i in where.tolist()]
                confs = [d.confs[i] if i >= 0 else [1.0] for i in where.tolist()]
                real = np.zeros(len(d.stream.counts), dtype=bool)
                real[where[where >= 0]] = True
                flat = np.ones(len(st.tokens), dtype=np.float64)
                flat[np.repeat(where >= 0, st.counts)] = d.flat[np.repeat(real, d.stream.counts)]
                out[b] = BlockPath(path, confs, st, flat)
        return out

    def _confide(self, dec: BlockPath, i: int, left: int, k: int, gain: float,
                 start: int) -> None:
        """Position *i*'s confidences once polishing took its candidate *k* for *left*, by
        *gain* (log10) on the whole path: the path through *k* is that much likelier, so
        *k*'s max-marginal is at least *left*'s plus *gain* (shares recomputed in place, in
        both the list and the flat array from *start*). On real-dev2 it takes 9 words off
        the review list, 8 of them right."""
        conf = dec.confs[i]
        t = self.params.temperature
        m = [t * math.log10(c) if c > 0 else -math.inf for c in conf]
        m[k] = max(m[k], m[left] + gain)
        top = max(m)
        w = [10.0 ** ((x - top) / t) for x in m]
        total = sum(w)
        for j, x in enumerate(w):
            conf[j] = x / total
            dec.flat[start + j] = x / total

    def recheck(self, blocks: Sequence[tuple[Sequence[str], list[_Pos]]],
                first: Sequence[BlockPath], floor: float, bonus: dict[int, float] | None,
                line_offsets: Sequence[int], pin: float = 1.0
                ) -> list[tuple[list[str], list[WordChoice]]]:
        """Decode blocks again with *bonus*, over only the candidates their first pass
        (*first*, decoded without a bonus) gave at least *floor* of confidence, the chosen
        one always kept: much cheaper than the whole lattice, and the same choices. A word
        the first pass chose with at least *pin* of confidence keeps its choice alone: the
        bonus only weighs where the first pass was unsure (a report's frequent "công" had
        pulled a sure "cộng tác viên")."""
        streams, kept_all = [], []
        for dec in first:
            st = dec.stream
            starts = np.concatenate([[0], np.cumsum(st.counts)[:-1]]).astype(np.int64) \
                if len(st.counts) else np.zeros(0, dtype=np.int64)
            keep = dec.flat >= floor
            chosen_at = starts + np.asarray(dec.path, dtype=np.int64)
            if pin < 1.0 and len(chosen_at):
                keep &= np.repeat(dec.flat[chosen_at] < pin, st.counts)
            keep[chosen_at] = True
            idx = np.flatnonzero(keep)
            counts = np.add.reduceat(keep.astype(np.int64), starts) if len(starts) else st.counts
            local = (idx - np.repeat(starts, st.counts)[idx]).tolist()
            cut = np.concatenate([[0], np.cumsum(counts)]).tolist()
            kept_all.append([local[a:b] for a, b in zip(cut, cut[1:])])
            tokens = st.tokens[idx]
            streams.append(Stream(tokens, _with_bonus(tokens, st.emits[idx], bonus), counts,
                                  st.ends, st.skips))
        decoded = self._search_streams(streams)
        return [self.render(lines, positions,
                            BlockPath(dec.path, dec.confs, dec.stream, dec.flat, kept), off)
                for (lines, positions), dec, kept, off in zip(blocks, decoded, kept_all,
                                                               line_offsets)]

    @staticmethod
    def chosen(positions: list[_Pos], dec: BlockPath) -> list[tuple[str, str, float]]:
        """(OCR, chosen, confidence) of the words :meth:`render` would list, without their
        alternatives: enough to judge a first pass."""
        out = []
        for pos, k, conf in zip(positions, dec.path, dec.confs):
            chosen = pos.texts[k]
            if pos.decodable:
                out.append((pos.ocr, chosen, round(conf[k], 4)))
            elif chosen != pos.ocr or pos.glued:
                out.append((pos.ocr, chosen, 1.0))
        return out

    def _stream(self, positions: list[_Pos], bonus: dict[int, float] | None) -> Stream:
        counts = np.fromiter(map(len, [p.tokens for p in positions]), dtype=np.int64,
                             count=len(positions))
        n = int(counts.sum())
        tokens = np.fromiter(itertools.chain.from_iterable([p.tokens for p in positions]),
                             dtype=np.int64, count=n)
        emits = np.fromiter(itertools.chain.from_iterable([p.emit for p in positions]),
                            dtype=np.float64, count=n)
        starts = np.concatenate([[0], np.cumsum(counts[:-1])]).astype(np.int64)
        ends, skips = self._ends_and_skips(positions, tokens, counts, starts)
        if self._end_as and n:
            # a semicolon a sentence's end follows is a full stop to the LM (END_AS); an end
            # has one candidate, so it starts where it ends
            last = np.array([n - 1]) if counts[-1] == 1 else np.zeros(0, dtype=np.int64)
            at = last if ends is None else np.concatenate([starts[ends], last])
            for i in at.tolist():
                tokens[i] = self._end_as.get(int(tokens[i]), tokens[i])
        return Stream(tokens, _with_bonus(tokens, emits, bonus), counts, ends, skips)

    def _ends_and_skips(self, positions: list[_Pos], tokens: np.ndarray, counts: np.ndarray,
                        starts: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The positions that end a sentence another one follows, and those the LM is not
        to see (None: none).

        A sentence ends at a full stop, semicolon or colon read only so
        (:data:`SENTENCE_ENDS`), unless more of the same comes next or before it (a dot
        leader: "Tỉ lệ ...... 45%"), a name's word ("Lưu: VT, KGVX. Đỗ Quang Thịnh": the
        signer, set beside the recipients; a name seldom opens a sentence of the training
        text, and the name's own weights read it) or a word in small letters. A full stop
        between two words in small letters is OCR's stray dot ("ngoài quy. định"), and a
        mark no text has between two words (:data:`_NOISE`: "còn xa | Tỉ lệ") a speck or a
        rule; so is a dash opening a line between two words, the sentence running on in
        small letters ("với quy" / "- mô 3.280 căn": no list item opens so, it is a page
        break's or a rule's trace), and a closing quote no opening one comes before in the
        block ("hội chẩn tt” xa": the hook of ừ). The LM reads the words on either side as
        neighbours."""
        if len(counts) < 2 or not len(self._full_stops):
            return None, None
        full_stop = np.isin(tokens[starts], self._full_stops)
        ends, skips = [], []
        opened = False   # a quotation opened earlier in the block
        for i in np.flatnonzero(counts[:-1] == 1).tolist():
            pos, after = positions[i], positions[i + 1]
            before = positions[i - 1] if i else None
            if full_stop[i]:
                if after.ocr[:1] in _NO_OPENING or (before and before.ocr in _NO_OPENING):
                    continue
                if after.ocr[:1].islower():
                    if after.decodable and before and before.decodable and pos.ocr == ".":
                        skips.append(i)
                elif not after.name:
                    ends.append(i)
            elif pos.ocr in _OPEN_QUOTES:
                opened = True
            elif before and before.decodable and after.decodable and (
                    (pos.ocr in _NOISE and tokens[starts[i]] == self._unk)
                    or (pos.ocr in _CLOSE_QUOTES and not opened)
                    or (pos.ocr in _DASHES and before.line != pos.line
                        and after.ocr[:1].islower())):
                skips.append(i)
        return (np.array(ends, dtype=np.int64) if ends else None,
                np.array(sorted(skips), dtype=np.int64) if skips else None)

    def render(self, lines: Sequence[str], positions: list[_Pos], dec: BlockPath,
               line_offset: int = 0) -> tuple[list[str], list[WordChoice]]:
        """The restored lines and the word choices of a decoded block (their line numbers
        counted from *line_offset*)."""
        path, confs, kept = dec.path, dec.confs, dec.kept
        # the confidences rounded to 4 places as a word's choice shows them, in one numpy
        # pass over the block's flat array (the same values as *confs*, position by position)
        shown_all = np.round(dec.flat, 4).tolist()
        at = 0
        out_lines = list(lines)
        edits: dict[int, list[tuple[int, int, str]]] = {}
        choices: list[WordChoice] = []
        for i, pos in enumerate(positions):
            texts = pos.texts if kept is None or len(kept[i]) == len(pos.texts) \
                else [pos.texts[j] for j in kept[i]]
            k = path[i]
            chosen = texts[k]
            conf, a = confs[i], at
            at += len(conf)
            if pos.village and chosen != pos.ocr and conf[k] < self.params.village_keep:
                own = normalize_tone_placement(unicodedata.normalize("NFC", pos.ocr))
                if own in texts:     # a village's name the search is unsure of: as printed
                    k = texts.index(own)
                    chosen = own
            if not pos.decodable:
                if chosen != pos.ocr or pos.glued:   # a repaired code, or a lost space
                    text = " " + chosen if pos.glued else chosen
                    edits.setdefault(pos.line, []).append((pos.start, pos.end, text))
                    choices.append(WordChoice(pos.line + line_offset, pos.start, pos.end,
                                              pos.ocr, chosen, ((chosen, 1.0),), 1.0, True,
                                              pos.glued))
                continue
            alts = tuple([(texts[j], shown_all[a + j])
                          for j in sorted(range(len(conf)), key=conf.__getitem__,
                                          reverse=True)[:4]]) \
                if len(conf) > 1 else ((chosen, shown_all[a]),)
            changed = chosen != pos.ocr or pos.glued   # a glued half gains its space
            choices.append(WordChoice(pos.line + line_offset, pos.start, pos.end, pos.ocr,
                                      chosen, alts, shown_all[a + k], changed, pos.glued))
            if changed:
                text = " " + chosen if pos.glued else chosen
                edits.setdefault(pos.line, []).append((pos.start, pos.end, text))
        for li, spans in edits.items():
            out_lines[li] = splice(out_lines[li], spans)
        return out_lines, choices


    def _confidences(self, fwd: np.ndarray, bwd: np.ndarray, sizes: np.ndarray
                     ) -> tuple[list[list[float]], np.ndarray]:
        """Per position, each candidate's share of 10^(max-marginal / temperature), computed
        for the whole block at once (*fwd*, *bwd*: flat; *sizes*: candidates per position);
        also flat."""
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        m = fwd + bwd
        m -= np.repeat(np.maximum.reduceat(m, starts), sizes)
        w = np.power(10.0, m / self.params.temperature)
        w /= np.repeat(np.add.reduceat(w, starts), sizes)
        flat = w.tolist()
        return [flat[a:a + n] for a, n in zip(starts.tolist(), sizes.tolist())], w


@functools.lru_cache(maxsize=1)
def _surname_skeletons() -> frozenset[str]:
    """The family names' letters without their marks (do for Đỗ, le for Lê)."""
    return frozenset(skeleton(w) for w in SURNAMES)


def _after_appendix(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
    """Is the piece at *k* the Roman numeral after "Phụ lục" read as strokes ("Phụ lục |",
    "Phụ lục ||")? A token of one to three "|" after "lục" and a space."""
    return k > 0 and regex.fullmatch(r"\|{1,3}", pieces[k][0]) is not None \
        and pieces[k - 1][3] == "word" and skeleton(pieces[k - 1][0]) == "luc" \
        and pieces[k - 1][2] < pieces[k][1]


def _capital_i_names(pieces: list[tuple[str, int, int, str]]) -> dict[int, str]:
    """A place name's first word whose capital I OCR read as l ("la Pa", "la Grai" for Ia
    Pa, Ia Grai; both models do): piece index → the word with its I, when it and the
    capitalised words after it spell a name of :func:`proper_names`."""
    out: dict[int, str] = {}
    for k, (text, _, _, kind) in enumerate(pieces):
        if kind != "word" or text[:1] != "l" or not text.isalpha() or k + 1 >= len(pieces) \
                or not pieces[k + 1][0][:1].isupper():
            continue
        word = "I" + text[1:]
        for n in (2, 3, 4):
            rest = [p[0] for p in pieces[k + 1:k + n]]
            if len(rest) == n - 1 and all(w[:1].isupper() and w.isalpha() for w in rest) \
                    and tuple(skeleton(w) for w in (word, *rest)) in proper_names():
                out[k] = word
                break
    return out


@functools.lru_cache(maxsize=1)
def _name_words_by_length() -> dict[tuple[str, int], tuple[str, ...]]:
    """The words of :func:`name_syllables` by (first letter's skeleton, length)."""
    out: dict[tuple[str, int], list[str]] = {}
    for words in name_syllables().values():
        for w in words:
            out.setdefault((skeleton(w[0]), len(w)), []).append(w)
    return {k: tuple(v) for k, v in out.items()}


#: Readings of a garbled capitalised word tried as a name's word, and spellings of a run of
#: words tried in all.
_NAME_READINGS = 6
_MAX_SPELLINGS = 64


#: Kinds of place that open a sentence before a name ("Xã Vạn Thọ ..."), as skeletons; those
#: that are family names too (Trần of "thị trấn", Hồ, Đào) are left out.
_KINDS_BEFORE_NAME = frozenset(("xa", "phuong", "huyen", "tinh", "thon", "buon", "ap", "soc",
                                "plei", "xom", "song", "nui", "deo", "dam", "pha"))


def _kind_named(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
    """Does a kind of place in small letters stand right before piece *k* (xã, phường)?"""
    return k > 0 and pieces[k - 1][0].islower() \
        and skeleton(pieces[k - 1][0]) in _KINDS_BEFORE_NAME


#: Kinds of village a name follows in small letters (case.PLACE_KINDS has them all).
VILLAGE_KINDS = frozenset(("thôn", "xóm", "bản", "ấp", "làng", "buôn", "sóc"))
#: Words that make a kind's letters part of another word: già làng (a village elder's
#: title), địa bàn, văn bản, phiên bản, cơ bản.
_KIND_AS_PART = frozenset(("già", "địa", "văn", "phiên", "cơ"))
#: Their letters without marks: eng-OCR's "ban" is bản as often as ban or bán.
_VILLAGE_SKELETONS = frozenset(skeleton(w) for w in VILLAGE_KINDS)


def _in_village_name(pieces: list[tuple[str, int, int, str]], k: int, reads) -> bool:
    """Is piece *k* a word of a village's name: one of the capitalised words in a row after
    a kind of village in small letters (thôn, bản, buôn: :data:`VILLAGE_KINDS`), read by its
    letters or by its readings (*reads*, as in :func:`~pipeline.restore.case.name_run`)? Not
    where those letters are part of another word (già làng, a village elder's title; địa
    bàn; văn bản: :data:`_KIND_AS_PART`)."""
    start = k
    while start > 0 and pieces[start - 1][3] == "word" and title_case(pieces[start - 1][0]):
        start -= 1
    if start == 0 or pieces[start - 1][3] != "word" or not pieces[start - 1][0].islower():
        return False
    kind = skeleton(pieces[start - 1][0]) in _VILLAGE_SKELETONS \
        or reads(start - 1, VILLAGE_KINDS)
    return kind and not (start > 1 and reads(start - 2, _KIND_AS_PART))


#: No document's places: the lattices of a thread outside :meth:`Decoder.document`.
_NO_PLACES: tuple[dict, frozenset] = ({}, frozenset())


def _stands_alone(pieces: list[tuple[str, int, int, str]], k: int, n: int) -> bool:
    """Do the *n* capitalised words from piece *k* make a name of their own: no capitalised
    word right after them, and none right before but a kind of place opening a sentence?
    A person's name holds words the place list spells (Trần Văn Thanh: Văn Thành), and so
    may a longer name the list lacks; a word whose capital OCR kept but whose letters it
    broke ("N6ng Van Tuong" of Nông Văn Tường) still counts."""
    def capital(j: int) -> bool:
        return 0 <= j < len(pieces) and pieces[j][3] == "word" and pieces[j][0][:1].isupper()
    return not capital(k + n) and (not capital(k - 1) or
                                   skeleton(pieces[k - 1][0].lower()) in _KINDS_BEFORE_NAME)


@functools.lru_cache(maxsize=1)
def _name_firsts() -> frozenset[str]:
    """The skeletons that open a name of :func:`proper_names` or :func:`place_names` (a
    quick test per word)."""
    return frozenset(k[0] for names in (proper_names(), place_names()) for k in names)


def _split_initials(pieces: list[tuple[str, int, int, str]]) -> set[int]:
    """Indexes of capital consonants OCR set apart from the rest of their word ("N ghi
    quyết" for Nghị quyết): a lone capital that is no vowel, one space before a lower-case
    word, the two spelling a syllable but for marks (a lone "T" before "quốc" is Tổ that lost
    its vowel: "Tquoc" spells none)."""
    out: set[int] = set()
    for k in [k for k in range(len(pieces) - 1) if len(pieces[k][0]) == 1]:
        (a, _, a_end, a_kind), (b, b_start, _, b_kind) = pieces[k], pieces[k + 1]
        if a_kind == b_kind == "word" and len(a) == 1 and a.isupper() and a.isalpha() \
                and a.lower() not in _SINGLE_VOWELS and b_start == a_end + 1 \
                and len(b) >= 2 and b.isalpha() and b.islower() \
                and skeleton(a + b) in skeleton_index() and (k - 1) not in out:
            out.add(k)
    return out


def _with_bonus(tokens: np.ndarray, emits: np.ndarray, bonus: dict[int, float] | None
                ) -> np.ndarray:
    """*emits* plus the document's cache-LM weight of each candidate's token."""
    if not bonus:
        return emits
    return emits + np.array([bonus.get(t, 0.0) for t in tokens.tolist()])


#: English small words that are no Vietnamese syllable, found inside English names of
#: foreign partners and projects ("Cooperation and Participation in Overseas NGOs").
_ENGLISH_JOINS = frozenset(("and", "of", "for", "with", "from"))


def _kind_before(pieces: list[tuple[str, int, int, str]], k: int,
                 read: dict[int, str]) -> dict[int, str]:
    """The kind of place before the name that opens at piece *k*, its marks lost too, as
    piece index → word; none when a piece is already *read*. An administrative kind
    capitalised ("Quan Ngo Quyen": Quận), or one of :data:`_SMALL_KINDS` in small letters
    ("song Ngan Sau": sông, "phuong Ea Kao": phường). A small "xa" before a name may be far
    from it ("cách xa Hà Nội") and "TiNH" keeps its own rule."""
    for size in (2, 1):
        before = pieces[k - size:k] if k >= size else []
        kind = _PLACE_KIND_SKELETONS.get(tuple(skeleton(p[0].lower()) for p in before))
        if kind and before[0][0][:1].isupper() and all(
                p[3] == "word" and k - size + i not in read
                and (p[0].isupper() or p[0][1:].islower()) for i, p in enumerate(before)):
            return {k - size + i: word for i, word in enumerate(kind)}
    if k > 0 and k - 1 not in read:
        text, _start, _end, what = pieces[k - 1]
        word = _SMALL_KINDS.get(skeleton(text)) if what == "word" and text.islower() else None
        if word:
            return {k - 1: word}
    return {}


#: Kinds of place in small letters that a name of the domain or place list follows, by
#: skeleton: before one, "phuong" is no phương, "song" no song or sống, "nui" no nuôi, "cang"
#: no cẳng, "vinh" no vĩnh (on a fresh dev round, 16 words that were read wrong). Not xa
#: (cách xa), ho (hộ, họ), dao (đạo), quan (cơ quan), ban (bản, Ban), which read otherwise
#: before a name too.
_SMALL_KINDS = {"phuong": "phường", "huyen": "huyện", "tinh": "tỉnh", "thon": "thôn",
                "song": "sông", "nui": "núi", "vinh": "vịnh", "cang": "cảng", "deo": "đèo",
                "dam": "đầm", "buon": "buôn"}


def _english_join(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
    """Is piece *k* an English small word next to a foreign word (and so kept, not read as
    ảnh or ở)?"""
    if pieces[k][0].lower() not in _ENGLISH_JOINS:
        return False
    return any(0 <= j < len(pieces) and pieces[j][0].isalpha() and pieces[j][0].isascii()
               and classify(pieces[j][0]) == "foreign" for j in (k - 1, k + 1))


#: Words a letter labels a class or a clause after (loại A, hạng B, nhóm C, khối D, viêm gan
#: B, cúm A, tuýp B, vitamin A, khu C; điểm a khoản 1), as skeletons.
_LABEL_NOUNS = frozenset(("loai", "hang", "nhom", "khoi", "gan", "cum", "tuyp", "vitamin", "khu",
                          "diem"))
_LIST_JOINS = frozenset((",", "va", "hoac"))


def _brand_abbreviation(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
    """Is piece *k* two to four capitals right after a foreign name kept as printed ("Zalo
    OA", "Google AI")? It is the name's own abbreviation, not a word OCR printed in capitals
    (those follow Vietnamese words: "Sở GD", "BO" for Bộ)."""
    text, start, _e, kind = pieces[k]
    prev = pieces[k - 1]
    return kind == "word" and 2 <= len(text) <= 4 and text.isascii() and text.isalpha() \
        and text.isupper() and prev[3] == "word" and prev[2] + 1 == start \
        and prev[0].isascii() and prev[0].isalpha() and prev[0][:1].isupper() \
        and prev[0][1:].islower() and classify(prev[0]) == "foreign"


def _lone_letter(text: str) -> bool:
    return len(text) == 1 and text.isascii() and text.isalpha()


def _label_letter(pieces: list[tuple[str, int, int, str]], k: int) -> bool:
    """Is piece *k* a letter standing alone as a label: after a word that takes one (loại A,
    viêm gan B, điểm a), or in a list of such letters (A, B; điểm a, b, c và d)? Its vowel
    was not lost (eng-OCR's "B Y tế" is Bộ Y tế): it is kept, not read as Bỏ, cổ or ở."""
    if not _lone_letter(pieces[k][0]):
        return False
    if k > 0 and skeleton(pieces[k - 1][0].lower()) in _LABEL_NOUNS:
        return True
    for step in (-1, 1):
        j = k + step
        if 0 <= j < len(pieces) and skeleton(pieces[j][0].lower()) in _LIST_JOINS:
            j += step
        if j != k + step and 0 <= j < len(pieces) and _lone_letter(pieces[j][0]):
            return True
    return False


def _caps_words(pieces: list[tuple[str, int, int, str]]) -> list[bool]:
    """Which pieces are words written in capitals, with a False either end: piece k's
    neighbours are at k and k + 2. A word next to capitals (UBND TINH BEN TRE in a title
    block whose other column is lower-case) stays capitals when short."""
    return [False, *(kind == "word" and text.isupper() and sum(c.isalpha() for c in text) >= 2
                     for text, _s, _e, kind in pieces), False]


def splice(line: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """Replace non-overlapping (start, end, text) spans of *line* in one pass."""
    parts = []
    pos = 0
    for start, end, text in sorted(spans):
        parts.append(line[pos:start])
        parts.append(text)
        pos = end
    parts.append(line[pos:])
    return "".join(parts)
