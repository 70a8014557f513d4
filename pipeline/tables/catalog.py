"""Indicator catalog of Government Resolution 68/NQ-CP and fuzzy matching against it.

The catalog (``dictionaries/vi_indicator_catalog_68nqcp.csv``) lists the main
targets ("Các chỉ tiêu chủ yếu") of the Government's action programme
implementing Resolution 42-NQ/TW.  Provincial reports reproduce these
indicators with many small differences in wording, spelling (``Tỷ lệ`` /
``Tỉ lệ``, ``bác sỹ`` / ``bác sĩ``, ``hoá`` / ``hóa``), abbreviations
(``BHXH``, ``LLLĐ`` ...) and OCR damage (missing or wrong diacritics).

:class:`Catalog.match` maps such a row label to a :class:`CatalogEntry`:

1. both the query and every catalog name/variant are normalised
   (:func:`normalize_text`): NFC, lowercase, classic tone placement,
   ``tỷ``→``tỉ``, ``sỹ``→``sĩ``, abbreviations expanded, numbers and
   punctuation canonicalised;
2. they are compared with rapidfuzz both as they are and as a
   diacritic-free skeleton (:func:`skeleton`), keeping the better score;
3. a candidate with the same unit and/or the same group gets a small boost;
4. a label of the form ``"<parent> - <child>"`` is also matched part by part
   against parent indicators and their sub-indicators.

Scores are in 0..1; below :data:`MATCH_THRESHOLD` no entry is returned.
"""

from __future__ import annotations

import csv
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from ..restore.syllables import normalize_tone_placement
from ..restore.syllables import skeleton as syllable_skeleton

log = logging.getLogger(__name__)

#: Default location of the catalog CSV (repository ``dictionaries/`` folder).
DEFAULT_CATALOG_PATH: Path = (
    Path(__file__).resolve().parents[2] / "dictionaries" / "vi_indicator_catalog_68nqcp.csv"
)

#: Minimum score (0..1) for :meth:`Catalog.match` to return an entry.
MATCH_THRESHOLD: float = 0.80
#: Score added when the caller's unit equals the entry's unit (most entries
#: are in %, so this is kept small).
UNIT_BOOST: float = 0.03
#: Score added when the caller's group equals the entry's group.
GROUP_BOOST: float = 0.04
#: Score subtracted when the caller's unit is a catalog unit different from the entry's.
UNIT_PENALTY: float = 0.05
#: Score subtracted when a count ("Số ...") is compared with a rate ("Tỉ lệ ...").
KIND_PENALTY: float = 0.10
#: Score subtracted when a candidate's numbers differ from the label's (trẻ em 3-5 tuổi
#: against trẻ em 5 tuổi): another indicator, however alike the words.
NUMBER_PENALTY: float = 0.15
#: Weight of the word-overlap (Dice on skeleton words) in the final score; the
#: rest is the rapidfuzz ``token_sort_ratio``.  Word overlap stops labels that
#: merely share a long common tail ("... bình quân đầu người") from matching.
WORD_WEIGHT: float = 0.25
#: rapidfuzz scores (0..100) below this are not considered at all.
SCORE_CUTOFF: float = 40.0
#: Factor applied to skeleton (diacritic-free) scores so that, on ties, a
#: match that also agrees on diacritics wins.
SKELETON_FACTOR: float = 0.99

CSV_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "group_no",
    "group",
    "name",
    "unit",
    "parent_id",
    "variants",
)
VARIANT_SEPARATOR = " | "

# Abbreviations used in provincial reports, expanded before matching
# (keys are lowercase; matched as whole words).
ABBREVIATIONS: dict[str, str] = {
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "lllđ": "lực lượng lao động",
    "llld": "lực lượng lao động",
    "ncc": "người có công",
    "dtts": "dân tộc thiểu số",
    "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông",
    "gdnn": "giáo dục nghề nghiệp",
    "nơxh": "nhà ở xã hội",
    "noxh": "nhà ở xã hội",
    "cntt": "công nghệ thông tin",
}

# Whole-word spelling variants mapped to the canonical spelling.
_WORD_SPELLINGS: dict[str, str] = {
    "tỷ": "tỉ",
    "sỹ": "sĩ",
    "kỹ": "kĩ",
    "hàng": "hằng",  # "hàng năm/tháng" vs "hằng năm/tháng"
}
# The same, for the diacritic-free skeleton.
_SKELETON_SPELLINGS: dict[str, str] = {"ty": "ti", "sy": "si", "ky": "ki"}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}

_WORD_RE = re.compile(r"\w+")
_THOUSANDS_RE = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")
_VAN_DAN_RE = re.compile(r"\b(?:1\s*)?vạn\s+dân\b")
_VAN_DAN_SKEL_RE = re.compile(r"\b(?:1\s*)?van\s+dan\b")
_ENUM_RE = re.compile(
    r"^\s*(?:[-+*•·–—]+\s*|(?:[ivx]+|\d+(?:\.\d+)*|[a-zđ])\s*[.):]\s*|\(\s*(?:[ivx]+|\d+|[a-zđ])\s*\)\s*)"
)
_PUNCT_RE = re.compile(r"[\W_]+")
_TRAILING_PAREN_RE = re.compile(r"\(([^()]{1,40})\)\s*$")
_RATE_RE = re.compile(r"^(?:ti (?:le|trong|suat|so)|muc giam|toc do)\b")
_COUNT_RE = re.compile(r"^so\b")
_CHILD_SPLIT_RE = re.compile(r"\s+[-–—]\s+|\s*:\s+")
# A denominator or scope spelled out after the indicator proper.
_LEVEL_UNIT = "mứcđộ"   # normalize_unit("Mức độ")
# Where a label's core ends: a denominator ("so với ..."), the area ("trên địa bàn", also at
# the end) or the households it is for ("cho hộ nghèo, hộ cận nghèo", "của hộ nghèo").
_QUALIFIER_RE = re.compile(
    r"\s+(?:so với|trên tổng số|trên địa bàn|(?:cho|của) (?:các )?hộ nghèo)\b", re.IGNORECASE)
# Region sub-indicators and the ways reports name the region (skeleton forms).
_REGION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "thanh thi": ("thanh thi", "do thi"),
    "nong thon": ("nong thon",),
}


@dataclass(frozen=True, slots=True)
class _Choices:
    """Parallel lists of match strings: normalised, skeleton, owner index, skeleton words."""

    norm: list[str]
    skel: list[str]
    owner: list[int]
    words: list[frozenset[str]]
    kinds: list[str]


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One indicator (or sub-indicator) of the 68/NQ-CP list of main targets."""

    indicator_id: str
    group_no: str
    group: str
    name: str
    unit: str
    parent_id: str
    variants: tuple[str, ...]

    @property
    def is_child(self) -> bool:
        """True for a sub-indicator (e.g. ``... - Thành thị``)."""
        return bool(self.parent_id)


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Canonical comparison form of an indicator label (keeps diacritics).

    NFC, lowercase, leading enumerators (``1.``, ``a)``, ``-``) removed,
    classic tone placement, ``tỷ``→``tỉ`` / ``sỹ``→``sĩ``, abbreviations
    expanded, thousands separators dropped (``10.000``→``10000``),
    ``vạn dân``→``10000 dân``, punctuation and whitespace collapsed.
    """
    s = unicodedata.normalize("NFC", text).lower()
    s = _ENUM_RE.sub("", s, count=1)
    s = _THOUSANDS_RE.sub("", s)
    s = _WORD_RE.sub(lambda m: _canon_word(m.group(0)), s)
    s = _VAN_DAN_RE.sub("10000 dân", s)
    s = _PUNCT_RE.sub(" ", s)
    return " ".join(s.split())


def _canon_word(word: str) -> str:
    word = normalize_tone_placement(word)
    word = _WORD_SPELLINGS.get(word, word)
    return ABBREVIATIONS.get(word, word)


def skeleton(text: str) -> str:
    """Diacritic-free form of :func:`normalize_text` (for OCR-damaged labels).

    ``"Tỉ lệ thất nghiệp chung"`` and ``"Ti le that nghiep chung"`` have the
    same skeleton ``"ti le that nghiep chung"``.
    """
    s = syllable_skeleton(normalize_text(text))
    # abbreviations typed without diacritics (LLLD) and spelling variants
    s = _WORD_RE.sub(lambda m: _skel_word(m.group(0)), s)
    s = _VAN_DAN_SKEL_RE.sub("10000 dan", s)
    return " ".join(s.split())


def _skel_word(word: str) -> str:
    expanded = ABBREVIATIONS.get(word)
    if expanded is not None:
        return syllable_skeleton(expanded)
    return _SKELETON_SPELLINGS.get(word, word)


def _kind(skel: str) -> str:
    """``"rate"`` for "Tỉ lệ/Tỉ trọng/Tỉ suất/..." labels, ``"count"`` for "Số ...", else ``""``."""
    if _RATE_RE.match(skel):
        return "rate"
    if _COUNT_RE.match(skel):
        return "count"
    return ""


def normalize_unit(unit: str | None) -> str:
    """Canonical form of a unit string for equality tests (``"M2 sàn / người"``→``"m2sàn/người"``;
    a ratio's leading "Số" is optional: ``"Số bé trai/100 bé gái"`` = ``"Bé trai/100 bé gái"``)."""
    if not unit:
        return ""
    s = unicodedata.normalize("NFC", unit).lower().strip()
    s = s.replace("²", "2").replace("tỷ", "tỉ")
    s = s.strip("()[] ")
    s = re.sub(r"\s+", "", s)
    return re.sub(r"^số(?=\S+/)", "", s)


def normalize_group(group_no: str | int | None) -> str:
    """Group number as a plain decimal string (``"IV"``, ``"G4"``, ``"04"``, ``4`` → ``"4"``)."""
    if group_no is None:
        return ""
    s = str(group_no).strip().lower().rstrip(".")
    if s in _ROMAN:
        return str(_ROMAN[s])
    digits = re.search(r"\d+", s)
    if digits:
        return str(int(digits.group(0)))
    tail = s.split()[-1] if s.split() else ""
    return str(_ROMAN[tail]) if tail in _ROMAN else ""


# --------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------


#: Answers of :meth:`Catalog.match` kept before the store is emptied (a report asks a few
#: hundred; a batch worker keeps one catalog for all its files).
MATCH_CACHE = 20_000


class Catalog:
    """The indicator list with fuzzy lookup (see :meth:`match`)."""

    def __init__(self, entries: list[CatalogEntry], threshold: float = MATCH_THRESHOLD) -> None:
        """Index ``entries`` for matching; ``threshold`` is the minimum accepted score."""
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self.threshold = threshold
        self._by_id: dict[str, CatalogEntry] = {e.indicator_id: e for e in self.entries}
        self._index: dict[str, int] = {e.indicator_id: i for i, e in enumerate(self.entries)}
        if len(self._by_id) != len(self.entries):
            raise ValueError("duplicate indicator_id in catalog")
        self._units = {normalize_unit(e.unit) for e in self.entries if e.unit}
        self._children: dict[str, list[CatalogEntry]] = {}
        for e in self.entries:
            if e.parent_id:
                self._children.setdefault(e.parent_id, []).append(e)

        # Flat choice lists for the whole catalog (names + variants).
        self._all = self._build_choices((e, [e.name, *e.variants]) for e in self.entries)
        # Parents only, for "<parent> - <child>" labels.
        parents = [e for e in self.entries if e.indicator_id in self._children]
        self._parents = self._build_choices((e, [e.name, *e.variants]) for e in parents)
        # Per parent: child labels ("Thành thị") and child variants.
        self._child_choices: dict[str, _Choices] = {}
        for pid, kids in self._children.items():
            self._child_choices[pid] = self._build_choices(
                (k, [self._child_label(k), *k.variants]) for k in kids
            )
        log.debug("catalog indexed: %d entries, %d choices", len(self.entries), len(self._all.norm))
        self._name_skeletons: list[tuple[CatalogEntry, str, str]] | None = None
        self._matched: dict[tuple, tuple[CatalogEntry | None, float]] = {}

    # -- construction helpers ------------------------------------------------

    def _build_choices(
        self, items: Iterable[tuple[CatalogEntry, list[str]]]
    ) -> _Choices:
        """Normalised and skeleton choice strings, with the owning entry index of each."""
        norm: list[str] = []
        skel: list[str] = []
        owner: list[int] = []
        index = self._index
        for entry, texts in items:
            seen: set[str] = set()
            for t in texts:
                n = normalize_text(t)
                if not n or n in seen:
                    continue
                seen.add(n)
                norm.append(n)
                skel.append(skeleton(t))
                owner.append(index[entry.indicator_id])
        return _Choices(norm, skel, owner, [frozenset(x.split()) for x in skel], [_kind(x) for x in skel])

    def _child_label(self, child: CatalogEntry) -> str:
        parent = self._by_id.get(child.parent_id)
        prefix = f"{parent.name} - " if parent else ""
        if prefix and child.name.startswith(prefix):
            return child.name[len(prefix):]
        return child.name

    # -- container protocol --------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def get(self, indicator_id: str) -> CatalogEntry | None:
        """Entry with this id, or None."""
        return self._by_id.get(indicator_id)

    def name_skeletons(self) -> list[tuple[CatalogEntry, str, str]]:
        """(entry, name, its :func:`skeleton`) for each name and variant of the top-level
        entries, the entry's own name before its variants; taken once, on the first call."""
        if self._name_skeletons is None:
            self._name_skeletons = [(e, t, skeleton(t)) for e in self.entries if not e.is_child
                                    for t in (e.name, *e.variants)]
        return self._name_skeletons

    def names_ending(self, tail: str) -> dict[str, tuple[CatalogEntry, str]]:
        """Top-level entries one of whose names ends with the words of *tail* (a
        :func:`skeleton`): indicator id -> (entry, that name, the entry's own name tried
        before its variants)."""
        hits: dict[str, tuple[CatalogEntry, str]] = {}
        for entry, text, sk in self.name_skeletons():
            if sk.endswith(" " + tail):
                hits.setdefault(entry.indicator_id, (entry, text))
        return hits

    def children(self, parent_id: str) -> list[CatalogEntry]:
        """Sub-indicators of ``parent_id`` in catalog order."""
        return list(self._children.get(parent_id, []))

    # -- matching --------------------------------------------------------------

    def _strip_unit_suffix(self, name: str) -> str:
        """Drop a trailing ``(unit)`` such as ``(%)`` or ``(m2 sàn/người)``."""
        m = _TRAILING_PAREN_RE.search(name)
        if m and normalize_unit(m.group(1)) in self._units:
            return name[: m.start()].rstrip()
        return name

    @staticmethod
    def _scores(query: str, choices: _Choices) -> dict[int, float]:
        """Best score (0..1) per owning entry index, over accented and skeleton forms.

        Each choice scores ``(1 - WORD_WEIGHT) * token_sort_ratio +
        WORD_WEIGHT * dice(skeleton words)``; the skeleton comparison is
        damped by :data:`SKELETON_FACTOR`.
        """
        best: dict[int, float] = {}
        qn = normalize_text(query)
        qs = skeleton(query)
        if not qn or not choices.norm:
            return best
        qwords = frozenset(qs.split())
        qnums = frozenset(w for w in qwords if w.isdigit())
        qkind = _kind(qs)
        for q, strings, factor in ((qn, choices.norm, 1.0), (qs, choices.skel, SKELETON_FACTOR)):
            for _choice, score, idx in process.extract(
                q, strings, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=SCORE_CUTOFF
            ):
                words = choices.words[idx]
                dice = 2 * len(qwords & words) / (len(qwords) + len(words)) if words else 0.0
                s = ((1.0 - WORD_WEIGHT) * score / 100.0 + WORD_WEIGHT * dice) * factor
                if qkind and choices.kinds[idx] and qkind != choices.kinds[idx]:
                    s -= KIND_PENALTY
                nums = frozenset(w for w in words if w.isdigit())
                if nums and nums != qnums:
                    s -= NUMBER_PENALTY
                o = choices.owner[idx]
                if s > best.get(o, 0.0):
                    best[o] = s
        return best

    def _boost(self, entry: CatalogEntry, score: float, unit_n: str, group_n: str) -> float:
        """Apply the unit/group boosts (and the unit-mismatch penalty); clamp to 0..1."""
        entry_unit = normalize_unit(entry.unit)
        if unit_n and entry_unit and unit_n != _LEVEL_UNIT:
            # (a target stated as a level, "Mức độ", contradicts no indicator's unit)
            if entry_unit == unit_n:
                score += UNIT_BOOST
            elif unit_n in self._units:
                score -= UNIT_PENALTY
        if group_n and entry.group_no == group_n:
            score += GROUP_BOOST
        return max(0.0, min(score, 1.0))

    def _match_composite(self, name: str) -> tuple[int, float] | None:
        """Match ``"<parent> - <child>"`` part by part; returns (entry index, score)."""
        parts = _CHILD_SPLIT_RE.split(name)
        if len(parts) < 2:
            return None
        best: tuple[int, float] | None = None
        # try every split point: parent names may themselves contain " - "
        for cut in range(1, len(parts)):
            left = " - ".join(parts[:cut])
            right = " - ".join(parts[cut:])
            pscores = self._scores(left, self._parents)
            for pidx, ps in pscores.items():
                if ps < 0.6:
                    continue
                parent = self.entries[pidx]
                kids = self._child_choices[parent.indicator_id]
                for cidx, csc in self._scores(right, kids).items():
                    combined = math.sqrt(ps * csc)
                    if best is None or combined > best[1]:
                        best = (cidx, combined)
        return best

    def _region_words(self, entry: CatalogEntry) -> tuple[str, ...]:
        """How reports name the region of a region sub-indicator (skeletons); () for others."""
        return _REGION_SYNONYMS.get(skeleton(self._child_label(entry)), ()) if entry.parent_id else ()

    def _region_of(self, entry: CatalogEntry, label: str) -> CatalogEntry:
        """The region child of *entry* that *label* names (khu vực thành thị, đô thị), or
        the parent of a region child whose region *label* does not name."""
        def says(text: str, child: CatalogEntry) -> bool:
            words = f" {skeleton(text)} "
            return any(f" {w} " in words for w in self._region_words(child))

        named = [k for k in self._children.get(entry.indicator_id, ()) if says(label, k)]
        if len(named) == 1 and not says(entry.name, named[0]):
            return named[0]
        parent = self._by_id.get(entry.parent_id)
        if parent is not None and self._region_words(entry) and not says(label, entry):
            return parent
        return entry

    def match(
        self, name: str, unit: str | None = None, group_no: str | None = None
    ) -> tuple[CatalogEntry | None, float]:
        """Find the catalog entry for a row label.

        ``name`` is the indicator label as read from a report (any spelling,
        abbreviations, damaged diacritics; a sub-row may be given as
        ``"<parent> - <child>"``).  ``unit`` and ``group_no`` (``"4"``,
        ``"IV"`` ...) are optional hints that add a small boost to candidates
        that agree with them.

        Returns ``(entry, score)`` with ``score`` in 0..1, or ``(None, score)``
        when the best score is below the threshold. Answers are kept (the catalog does
        not change, and the table stage asks about the same rows in several passes).
        """
        key = (name, unit, group_no)
        hit = self._matched.get(key)
        if hit is None:
            if len(self._matched) >= MATCH_CACHE:
                self._matched.clear()
            hit = self._matched[key] = self._match(name, unit, group_no)
        return hit

    def _match(
        self, name: str, unit: str | None, group_no: str | None
    ) -> tuple[CatalogEntry | None, float]:
        """:meth:`match`, uncached."""
        if not name or not name.strip():
            return None, 0.0
        label = self._strip_unit_suffix(name.strip())
        unit_n = normalize_unit(unit)
        group_n = normalize_group(group_no)

        candidates = self._scores(label, self._all)
        base = _QUALIFIER_RE.split(label, maxsplit=1)[0].rstrip(" ,")
        if base != label and len(base.split()) >= 4:
            # "... so với tổng số lao động có việc làm": the denominator spelled out
            for idx, sc in self._scores(base, self._all).items():
                candidates[idx] = max(candidates.get(idx, 0.0), sc)
        composite = self._match_composite(label)
        if composite is not None:
            cidx, cscore = composite
            if cscore > candidates.get(cidx, 0.0):
                candidates[cidx] = cscore

        best_entry: CatalogEntry | None = None
        best_score = 0.0
        for idx, raw in candidates.items():
            entry = self.entries[idx]
            score = self._boost(entry, raw, unit_n, group_n)
            if score > best_score or (
                score == best_score and best_entry is not None and len(entry.name) < len(best_entry.name)
            ):
                best_entry, best_score = entry, score

        if best_entry is None or best_score < self.threshold:
            log.debug("no catalog match for %r (best %.3f)", name, best_score)
            return None, best_score
        best_entry = self._region_of(best_entry, label)
        log.debug("matched %r -> %s (%.3f)", name, best_entry.indicator_id, best_score)
        return best_entry, best_score


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def _read_entries(path: Path) -> list[CatalogEntry]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}")
        entries: list[CatalogEntry] = []
        for row in reader:
            clean = {k: unicodedata.normalize("NFC", (row.get(k) or "").strip()) for k in CSV_COLUMNS}
            variants = tuple(
                v.strip() for v in clean["variants"].split(VARIANT_SEPARATOR.strip()) if v.strip()
            )
            entries.append(
                CatalogEntry(
                    indicator_id=clean["indicator_id"],
                    group_no=clean["group_no"],
                    group=clean["group"],
                    name=clean["name"],
                    unit=clean["unit"],
                    parent_id=clean["parent_id"],
                    variants=variants,
                )
            )
    return entries


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalog:
    return _load(DEFAULT_CATALOG_PATH)


def _load(path: Path) -> Catalog:
    entries = _read_entries(path)
    log.info("loaded %d catalog entries from %s", len(entries), path)
    return Catalog(entries)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the indicator catalog.

    With no ``path`` the repository's
    ``dictionaries/vi_indicator_catalog_68nqcp.csv`` is used and the result is
    cached (the same :class:`Catalog` object is returned on every call).
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


__all__ = [
    "Catalog",
    "CatalogEntry",
    "DEFAULT_CATALOG_PATH",
    "MATCH_THRESHOLD",
    "load_catalog",
    "normalize_text",
    "normalize_unit",
    "normalize_group",
    "skeleton",
]
