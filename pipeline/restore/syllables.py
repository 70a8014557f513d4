"""Vietnamese syllable phonotactics: decomposition, composition, inventory, skeletons.

A written Vietnamese syllable is onset + rhyme + tone. The inventory is generated from
onset x rhyme x tone with the spelling rules (c/k/q, g/gh, ng/ngh, gi) and the rule that
stop finals (c, ch, p, t) take only the sắc or nặng tone.

Tone placement convention (applied to every output): the *classic* one — hòa, khỏe, thủy,
quả, già, người, hoàn, thuyết. Inputs in the newer convention (hoà, khoẻ, thuỷ) are
accepted and re-placed by :func:`normalize_tone_placement`.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

# Tone numbers: 0 ngang, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng.
TONE_MARKS = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
TONE_TO_MARK = {v: k for k, v in TONE_MARKS.items()}
TONE_NAMES = ("ngang", "huyền", "sắc", "hỏi", "ngã", "nặng")

ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
    "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)

_FINALS = ("c", "ch", "m", "n", "ng", "nh", "p", "t")
_STOP_FINALS = ("c", "ch", "p", "t")

# Rhymes written as after a plain onset (medial o, i not y, iê not yê).
_OPEN_RHYMES = (
    "a", "e", "ê", "i", "y", "o", "ô", "ơ", "u", "ư",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oa", "oai", "oay", "oe",
    "oeo", "oi", "ôi", "ơi", "ua", "uây", "uê", "ui", "uôi", "uơ", "uy", "uya", "uyu",
    "ưa", "ưi", "ưu", "ươi", "ươu", "iêu", "yêu", "oao", "ya",
)
_CLOSED_NUCLEI = {
    "a": _FINALS,
    "ă": ("c", "m", "n", "ng", "p", "t"),
    "â": ("c", "m", "n", "ng", "p", "t"),
    "e": ("c", "ch", "m", "n", "ng", "p", "t"),
    "ê": ("ch", "m", "n", "nh", "p", "t", "c"),
    "i": ("ch", "m", "n", "nh", "p", "t", "c"),
    "y": ("ch", "nh", "t", "n", "m", "p"),
    "o": ("c", "m", "n", "ng", "p", "t", "i"),
    "oo": ("c", "ng"),
    "ô": ("c", "m", "n", "ng", "p", "t"),
    "ơ": ("m", "n", "p", "t", "c"),
    "u": ("c", "m", "n", "ng", "p", "t", "ch"),
    "ư": ("c", "m", "n", "ng", "t"),
    "iê": ("c", "m", "n", "ng", "p", "t"),
    "yê": ("m", "n", "ng", "t", "c", "p"),
    "uô": ("c", "m", "n", "ng", "t", "p"),
    "ươ": ("c", "m", "n", "ng", "p", "t"),
    "oa": _FINALS,
    "oă": ("c", "m", "n", "ng", "t", "p"),
    "oe": ("c", "m", "n", "ng", "t", "ch"),
    "uâ": ("c", "n", "ng", "t", "y"),
    "uê": ("ch", "nh", "n", "t", "c"),
    "uy": ("ch", "n", "nh", "p", "t", "c"),
    "uyê": ("n", "t", "c", "m", "ng"),
}
RHYMES: tuple[str, ...] = tuple(
    sorted(set(_OPEN_RHYMES) | {n + f for n, fs in _CLOSED_NUCLEI.items() for f in fs})
)
_RHYME_SET = frozenset(RHYMES)

_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")


def _strip_tone_char(ch: str) -> tuple[str, int]:
    """Split one character into (character without tone mark, tone number)."""
    nfd = unicodedata.normalize("NFD", ch)
    tone = 0
    kept = []
    for c in nfd:
        if c in TONE_MARKS:
            tone = TONE_MARKS[c]
        else:
            kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def strip_tone(word: str) -> tuple[str, int]:
    """Remove the tone mark of a word; return (toneless word, tone number)."""
    tone = 0
    out = []
    for ch in word:
        base, t = _strip_tone_char(ch)
        if t:
            tone = t
        out.append(base)
    return "".join(out), tone


_SKELETON_TABLE = {ord("đ"): "d", ord("Đ"): "D"}


@functools.lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """Lowercase, all diacritics removed, đ→d: the key of the lexicon index."""
    nfd = unicodedata.normalize("NFD", word.translate(_SKELETON_TABLE))
    return "".join(c for c in nfd if not unicodedata.combining(c)).lower()


def has_marks(word: str) -> bool:
    """True when the word carries any Vietnamese diacritic (tone or vowel mark, or đ)."""
    return skeleton(word) != word.lower()


def _vowel_span(rhyme: str) -> tuple[int, int]:
    """Index range of the vowel cluster in a rhyme (final consonant and y/i/o/u glides excluded
    are handled by the caller)."""
    i = 0
    while i < len(rhyme) and rhyme[i] in _VOWELS:
        i += 1
    return 0, i


def _tone_position(rhyme: str, onset: str) -> int:
    """Index in *rhyme* of the vowel that carries the tone (classic convention)."""
    start, end = _vowel_span(rhyme)
    vowels = rhyme[start:end]
    has_final = end < len(rhyme)
    # A vowel with its own mark carries the tone (ươ: the ơ).
    for i in range(len(vowels) - 1, -1, -1):
        if vowels[i] in _MARKED_VOWELS:
            return i
    if len(vowels) == 1:
        return 0
    if has_final:
        return len(vowels) - 1
    if len(vowels) == 3:
        return 1
    # Open two-vowel rhymes: classic style marks the first vowel (hòa, khỏe, thủy, mía, múa).
    return 0


def compose(onset: str, rhyme: str, tone: int) -> str:
    """Build the written syllable from onset, rhyme (toneless, plain-onset spelling) and tone.

    Spelling rules: qu absorbs the medial (qua, quy, quân), gi absorbs a following i
    (gì, gìn, giếng), iê is written yê without onset (yên), k/gh/ngh only before i, e, ê, y.
    Raises ValueError for an unknown onset or rhyme or a combination the spelling forbids.
    """
    if onset not in ONSETS or rhyme not in _RHYME_SET or not 0 <= tone <= 5:
        raise ValueError(f"not a Vietnamese syllable: {onset!r}+{rhyme!r}+{tone}")
    if rhyme[-1] in "ctp" or rhyme.endswith("ch"):
        if tone not in (2, 5):
            raise ValueError("stop finals take only sắc or nặng")
    first = rhyme[0]
    if onset in ("k", "gh", "ngh") and first not in "ieêy":
        raise ValueError("k, gh, ngh only before i, e, ê, y")
    if onset in ("c", "g", "ng") and first in "ieêy":
        raise ValueError("c, g, ng not before i, e, ê, y")
    r = rhyme
    if onset == "qu":
        if r[:2] in ("oa", "oă", "oe", "uâ", "uê", "uy", "uơ"):
            r = r[1:]
        elif first in "ouưi":
            raise ValueError("qu takes no second medial")
    elif onset == "gi":
        if first == "i":
            r = r[1:]
        elif first == "y":
            raise ValueError("gi before y")
    elif onset == "" and r.startswith("iê"):
        r = "y" + r[1:]
    body = onset + r
    if r == "":
        return _place(body, 1, tone)  # gì: the onset's i carries the tone
    return _place(body, len(onset) + _tone_position(r, onset), tone)


def _place(body: str, pos: int, tone: int) -> str:
    if tone == 0:
        return unicodedata.normalize("NFC", body)
    ch = unicodedata.normalize("NFC", body[pos] + TONE_TO_MARK[tone])
    return unicodedata.normalize("NFC", body[:pos] + ch + body[pos + 1 :])


_ONSETS_BY_LENGTH = sorted(ONSETS, key=len, reverse=True)


@functools.lru_cache(maxsize=200_000)
def decompose(word: str) -> tuple[str, str, int] | None:
    """Split a written syllable into (onset, rhyme, tone), rhyme in plain-onset spelling.

    Accepts either tone-placement convention and any case. Returns None when the word is
    not a valid Vietnamese syllable.
    """
    if not word or len(word) > 8:
        return None
    toneless, tone = strip_tone(unicodedata.normalize("NFC", word).lower())
    for onset in _ONSETS_BY_LENGTH:
        if not toneless.startswith(onset):
            continue
        rest = toneless[len(onset):]
        if onset == "qu":
            options = ["o" + rest, "u" + rest, rest]
        else:
            options = [rest, "o" + rest, "u" + rest, "i" + rest]
        if rest.startswith("y"):
            options.append("i" + rest[1:])
        for rhyme in options:
            if rhyme not in _RHYME_SET:
                continue
            try:
                rebuilt = compose(onset, rhyme, tone)
            except ValueError:
                continue
            if strip_tone(rebuilt)[0] == toneless:
                return onset, rhyme, tone
    return None


def is_syllable(word: str) -> bool:
    """True when *word* is a valid Vietnamese syllable (either tone convention, any case)."""
    return decompose(word) is not None


@functools.lru_cache(maxsize=200_000)
def normalize_tone_placement(word: str) -> str:
    """Rewrite a syllable with the classic tone placement, keeping its case pattern.

    Words that are not Vietnamese syllables are returned unchanged (NFC).
    """
    word = unicodedata.normalize("NFC", word)
    parts = decompose(word)
    if parts is None:
        return word
    out = compose(*parts)
    return apply_case(word, out)


#: Capitals English-model OCR prints for a small letter (Iy for lý, Jan for lần, G for ở),
#: by the first letter of the word they stand for: no capital.
_SMALL_LETTER_CAPITALS = {"I": "l", "J": "l", "G": "ở"}


def apply_case(pattern: str, word: str) -> str:
    """Give *word* the case pattern of *pattern* (lower, UPPER, Title or per-character)."""
    if pattern.islower() or not any(c.isalpha() for c in pattern):
        return word
    if pattern.isupper() and len([c for c in pattern if c.isalpha()]) > 1:
        return word.upper()
    if pattern[:1].isupper() and (len(pattern) == 1 or pattern[1:].islower()):
        if _SMALL_LETTER_CAPITALS.get(pattern[0]) == word[:1]:
            return word  # an OCR capital standing for a small letter (Iy → lý) is no capital
        return word[:1].upper() + word[1:]
    if len(pattern) == len(word):
        return "".join(w.upper() if p.isupper() else w for p, w in zip(pattern, word))
    return word[:1].upper() + word[1:] if pattern[:1].isupper() else word


#: Where vnocr's derived data lives (the language model, channels, lexicon).
DICTIONARIES = Path(__file__).resolve().parents[2] / "dictionaries"
#: Every generated syllable, its decomposition and whether hunspell-vi / Tesseract's vie list
#: attest it (scripts/check_lexicon.py).
LEXICON = DICTIONARIES / "vi_syllables_generated_20174.tsv"


def generate_inventory() -> tuple[str, ...]:
    """Every valid lowercase toned syllable, sorted, generated from the phonotactics (a third
    of a second: :func:`syllable_inventory` reads the table scripts/check_lexicon.py wrote)."""
    out: set[str] = set()
    for onset in ONSETS:
        for rhyme in RHYMES:
            for tone in range(6):
                try:
                    s = compose(onset, rhyme, tone)
                except ValueError:
                    continue
                if decompose(s) == (onset, rhyme, tone):
                    out.add(s)
    return tuple(sorted(out))


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, ...], frozenset[str]] | None:
    """:data:`LEXICON` read once: its syllables in order, and those hunspell-vi's or Tesseract
    vie's word list attests; None when the file is missing."""
    if not LEXICON.exists():
        return None
    with open(LEXICON, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        hun, tess = head.index("hunspell"), head.index("tesseract")
        rows = [ln.rstrip("\n").split("\t") for ln in f]
    return (tuple(row[0] for row in rows),
            frozenset(row[0] for row in rows if row[hun] == "1" or row[tess] == "1"))


@functools.lru_cache(maxsize=1)
def syllable_inventory() -> tuple[str, ...]:
    """Every valid lowercase toned syllable, sorted: the first column of :data:`LEXICON`, which
    scripts/check_lexicon.py writes from :func:`generate_inventory` (a test keeps them equal).
    Generated when the file is missing."""
    table = _lexicon()
    return table[0] if table is not None else generate_inventory()


def attested_syllables() -> frozenset[str]:
    """Syllables that hunspell-vi's or Tesseract vie's word list attests (the lexicon file's
    columns; see scripts/check_lexicon.py). Empty when the file is missing."""
    table = _lexicon()
    return table[1] if table is not None else frozenset()


@functools.lru_cache(maxsize=1)
def skeleton_index() -> dict[str, tuple[str, ...]]:
    """Map skeleton → all toned syllables that share it."""
    index: dict[str, list[str]] = {}
    for s in syllable_inventory():
        index.setdefault(skeleton(s), []).append(s)
    return {k: tuple(v) for k, v in index.items()}


#: The domain word list (place names of all provinces and districts among its terms).
DOMAIN_TERMS = DICTIONARIES / "sources" / "domain_terms.txt"
_NAME_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
#: The team's list of places by name (communes, wards, villages, rivers, islands, passes).
PLACE_NAMES = DICTIONARIES / "sources" / "place_names.txt"


def _terms(path: Path) -> tuple[str, ...]:
    """A list's lines (NFC, comments and blank lines left out); none when it is missing."""
    if not path.exists():
        return ()
    with open(path, encoding="utf-8") as f:
        lines = (unicodedata.normalize("NFC", ln.strip()) for ln in f)
        return tuple(ln for ln in lines if ln and not ln.startswith("#"))


@functools.lru_cache(maxsize=1)
def _domain_terms() -> tuple[str, ...]:
    """The domain list's terms, read once for :func:`name_syllables`, :func:`loanwords` and
    :func:`proper_names`."""
    return _terms(DOMAIN_TERMS)


@functools.lru_cache(maxsize=1)
def _place_terms() -> tuple[str, ...]:
    """The place list's lines ("xã Vạn Thọ", "đầm Cầu Hai") without its headings, for
    :func:`name_syllables` and :func:`place_names`."""
    return tuple(ln for ln in _place_lines() if not ln.startswith("#"))


@functools.lru_cache(maxsize=1)
def name_syllables() -> dict[str, tuple[str, ...]]:
    """Words of the domain and place lists' names that are no Vietnamese syllable — the
    Central Highlands' and the north's place names (Đắk, Krông, Kạn, Lắk, Ea, Pleiku, Rốk)
    — lowercase, keyed by skeleton. From ``dictionaries/sources/domain_terms.txt`` and
    ``place_names.txt``; empty when they are missing."""
    index: dict[str, set[str]] = {}
    for word in set(_domain_words()):
        key = skeleton(word)
        if 2 <= len(word) <= 8 and word[:1].isupper() and not word.isupper() \
                and set(key) <= _NAME_LETTERS and not is_syllable(word) \
                and any(c in "aeiouy" for c in key):
            index.setdefault(key, set()).add(word.lower())
    return {k: tuple(sorted(v)) for k, v in index.items()}


@functools.lru_cache(maxsize=1)
def loanwords() -> frozenset[str]:
    """Words in small letters of the domain list that are no Vietnamese syllable: loanwords
    a report writes as they are (gen in "giám định gen", vitamin, internet). To the LM they
    are words of their own, so the list's terms hold them; from
    ``dictionaries/sources/domain_terms.txt``."""
    return frozenset(w for w in _domain_words()
                     if 2 <= len(w) <= 12 and w.isalpha() and w.islower()
                     and set(skeleton(w)) <= _NAME_LETTERS and not is_syllable(w))


def _domain_words():
    """The words of the domain list's terms and the place list's names (not their kinds),
    punctuation stripped."""
    for line in _domain_terms():
        for word in line.split():
            yield word.strip(",.;:()")
    for line in _place_terms():
        for word in line.split():
            if word[:1].isupper():
                yield word.strip(",.;:()")


_APOSTROPHE_WORD = re.compile(r"[^\W\d_]+['’][^\W\d_]+")


@functools.lru_cache(maxsize=1)
def apostrophe_names() -> dict[str, str]:
    """Words of the domain and place lists' names with an apostrophe inside (M'Nông, H'Mông,
    M'Đrắk of the district, H'Leo of Ea H'Leo), in lower case with ' for the apostrophe, keyed
    by skeleton. No syllable spells them, so the lists are all that can give them their
    marks. A skeleton two of them share is left out."""
    index: dict[str, set[str]] = {}
    for word in _domain_words():
        if _APOSTROPHE_WORD.fullmatch(word):
            low = word.replace("’", "'").lower()
            index.setdefault(skeleton(low), set()).add(low)
    return {k: next(iter(v)) for k, v in index.items() if len(v) == 1}


def apostrophe_name(word: str) -> str | None:
    """*word* (M'Nong, H’MONG) spelt as the lists' name that shares its letters, with its
    own case and apostrophe (M'Nông, H’MÔNG); None when the lists hold no such name."""
    word = unicodedata.normalize("NFC", word)
    name = apostrophe_names().get(skeleton(word.replace("’", "'")))
    if name is None or len(name) != len(word) \
            or not set(word.lower()) <= _NAME_CHARACTERS | syllable_letters():
        return None     # (a letter with a mark no Vietnamese letter has is kept: Ḿ'Nong)
    return "".join(w if w in "'’" else (n.upper() if w.isupper() else n)
                   for w, n in zip(word, name))


#: What a name with an apostrophe may hold besides the syllables' letters.
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz'’")


@functools.lru_cache(maxsize=1)
def syllable_letters() -> frozenset[str]:
    """The small letters the syllables are written with, marked ones included."""
    return frozenset("".join(syllable_inventory()))


def is_name_syllable(word: str) -> bool:
    """Is *word* (any case) one of :func:`name_syllables`?"""
    w = unicodedata.normalize("NFC", word).lower()
    return w in name_syllables().get(skeleton(w), ())


def _capital(w: str) -> bool:
    """A word of a name: capitalised, letters only, not an abbreviation."""
    return w[:1].isupper() and w.isalpha() and not (len(w) > 1 and w.isupper())


#: Lower-case words that open a name's line in the domain list ("tỉnh Lâm Đồng").
_NAME_KINDS = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường",
               "đặc khu", "sông", "núi", "đảo", "hồ", "dân tộc", "đồng bào", "người")


@functools.lru_cache(maxsize=1)
def proper_names() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names of two to four capitalised words in the domain list (Lâm Đồng, Cao Lãnh, Đắk
    Nông, An Khê, Gia Rai): a term all of whose words are capitalised, once a lower-case
    kind before it is set aside ("tỉnh Lâm Đồng", "dân tộc Gia Rai"), keyed by its words'
    skeletons. Part of a term is none ("Hội Chữ" of "Hội Chữ thập đỏ"), nor is a term with
    an abbreviation ("Lưu VT", "Sở LĐTBXH": no place's name). A skeleton two names
    share (the people Gia Rai and the town Giá Rai) is left out: the letters do not say
    which one it is; so is one that the capitalised words opening another term share (the
    people Bố Y and the Bộ Y of "Bộ Y tế")."""
    index: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    openings: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in _domain_terms():
        for kind in _NAME_KINDS:
            if line.startswith(kind + " "):
                line = line[len(kind) + 1:]
                break
        words = tuple(line.split())
        if 2 <= len(words) <= 4 and all(map(_capital, words)):
            index.setdefault(tuple(skeleton(w) for w in words), set()).add(words)
        for n in range(2, min(len(words), 5)):   # "Bộ Y" of "Bộ Y tế"
            if all(map(_capital, words[:n])):
                openings.setdefault(tuple(skeleton(w) for w in words[:n]), set()).add(words[:n])
    return {k: next(iter(v)) for k, v in index.items()
            if len(v) == 1 and openings.get(k, v) <= v}


@functools.lru_cache(maxsize=1)
def _place_index() -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """The place list's names of two to four capitalised words (the words after its kind:
    "Cầu Hai" of "đầm Cầu Hai"), by skeleton."""
    index: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in _place_terms():
        name = _name_of(line)
        if 2 <= len(name) <= 4:
            index.setdefault(tuple(skeleton(w) for w in name), set()).add(name)
    return index


@functools.lru_cache(maxsize=1)
def place_names() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names of two to four capitalised words in the place list (communes, wards, villages,
    rivers: "Lăng Cô" of "thị trấn Lăng Cô"), keyed by skeleton, that :func:`proper_names` does
    not hold. A skeleton two of its names share is left out (Vinh Hưng, Vĩnh Hưng), and so
    is one a run of capitalised words of the domain list spells otherwise: the district
    Minh Hóa keeps its letters from the commune Minh Hòa, the people Vân Kiều from the
    commune Văn Kiều. The decoder reads them only where they stand alone
    (:func:`pipeline.restore.decoder._stands_alone`)."""
    proper, domain = proper_names(), _domain_runs()
    return {k: next(iter(v)) for k, v in _place_index().items()
            if len(v) == 1 and k not in proper and domain.get(k, v) <= v}


#: The gazetteer of administrative units before and after the July 2025 reorganisation
#: (scripts/build_places.py), and its format line.
ADMIN_UNITS = DICTIONARIES / "vi_admin_units.tsv.gz"
ADMIN_UNITS_FORMAT = "# vnocr admin units 1"


@functools.lru_cache(maxsize=1)
def _admin_rows() -> tuple[tuple[str, str, str, str], ...]:
    """The gazetteer's rows (province since 2025, province and district before, unit); none
    when the file is missing or of another format."""
    if not ADMIN_UNITS.exists():
        return ()
    import gzip
    with gzip.open(ADMIN_UNITS, "rt", encoding="utf-8") as f:
        lines = unicodedata.normalize("NFC", f.read()).splitlines()
    if not lines or lines[0] != ADMIN_UNITS_FORMAT:
        return ()
    return tuple(tuple(ln.split("\t")) for ln in lines if not ln.startswith("#"))


def _name_of(unit: str) -> tuple[str, ...]:
    """The capitalised words that end a unit or a place ("Nghi Lâm" of "xã Nghi Lâm"); none
    when a kind does not come first."""
    words = unit.split()
    i = len(words)
    while i > 0 and _capital(words[i - 1]):
        i -= 1
    return tuple(words[i:]) if i > 0 else ()


@functools.lru_cache(maxsize=1)
def province_keys() -> dict[tuple[str, ...], frozenset[str]]:
    """The provinces' names before and after the 2025 reorganisation (Nghệ An, Thừa Thiên
    Huế, Huế, Hồ Chí Minh), by their words' skeletons → the provinces since 2025 they name
    or went into."""
    out: dict[tuple[str, ...], set[str]] = {}
    for new, old, _d, unit in _admin_rows():
        if not unit:
            for name in (new, old, *_PROVINCE_ALIASES.get(old, ())):
                key = tuple(skeleton(w) for w in name.split() if _capital(w))
                out.setdefault(key, set()).add(new)
    return {k: frozenset(v) for k, v in out.items()}


#: Names of provinces the gazetteer's short names leave out.
_PROVINCE_ALIASES = {"Huế": ("Thừa Thiên Huế", "Thừa Thiên - Huế")}
#: Words a province's name follows (skeletons): tỉnh, thành phố, TP.
_PROVINCE_KINDS = frozenset(("tinh", "pho", "tp"))
_WORD_RUN = re.compile(r"[^\W\d_]+")


def document_provinces(lines) -> tuple[str, ...]:
    """The provinces since 2025 a document names most (those tied first): its own province,
    from its title block and its text ("UY BAN NHAN DAN TINH NGHE AN", "tỉnh Nghệ An";
    a province of before the reorganisation counts for the one it went into). A name of
    one word (Huế) counts only after tỉnh, thành phố or TP. None when none is named twice:
    a name met once says where something else is, not where the document is."""
    keys = province_keys()
    counts: dict[str, int] = {}
    for line in lines:
        words = _WORD_RUN.findall(line)
        run = 0     # capitalised words in a row from word i on
        for i in range(len(words) - 1, -1, -1):
            run = run + 1 if words[i][:1].isupper() else 0
            if run == 0 or (run == 1 and i == 0):
                continue
            before = words[i - 1] if i else ""
            after_kind = bool(before) and skeleton(before) in _PROVINCE_KINDS
            if run == 1 and not after_kind:
                continue
            for n in (3, 2, 1) if after_kind else (3, 2):
                if n <= run:
                    found = keys.get(tuple(map(skeleton, words[i:i + n])))
                    if found:
                        for province in found:
                            counts[province] = counts.get(province, 0) + 1
                        break
    top = max(counts.values(), default=0)
    if top < 2:
        return ()
    return tuple(sorted(p for p, c in counts.items() if c == top))


def document_places(provinces) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The gazetteer's names that are one name only inside the document's *provinces*
    (:func:`document_provinces`), by skeleton: names whose letters places elsewhere share
    (Vinh Hưng of Nghệ An; Vĩnh Hưng of Long An, now Tây Ninh), which :func:`place_names`
    leaves out and the domain list's name (:func:`proper_names`) gives way to once a
    document says where it is, and names the lists lack (Tân Ân of Cà Mau). Only where the
    gazetteer says where every spelling the lists know lies: a name of the team's place list
    or the domain list it lacks keeps its skeleton unsettled."""
    if not provinces:
        return {}
    return _document_places(frozenset(provinces))


@functools.lru_cache(maxsize=64)
def _document_places(provinces: frozenset[str]) -> dict[tuple[str, ...], tuple[str, ...]]:
    admin, index = _located_places(), _place_index()
    proper, domain = proper_names(), _domain_runs()
    out = {}
    for key, spellings in admin.items():
        here = [name for name, where in spellings.items() if where & provinces]
        if len(here) != 1:
            continue
        known = index.get(key, set()) | domain.get(key, set())
        if key in proper:
            known = known | {proper[key]}
        if known <= spellings.keys():
            out[key] = here[0]
    return out


@functools.lru_cache(maxsize=1)
def _located_places() -> dict[tuple[str, ...], dict[tuple[str, ...], frozenset[str]]]:
    """:func:`admin_places` and the team's place list (villages, rivers, parks as well as
    communes), each of its names in the provinces since 2025 its heading (``# Tỉnh Quảng
    Bình (...)``) went into; by skeleton → spelling → provinces."""
    out = {k: dict(v) for k, v in admin_places().items()}
    keys = province_keys()
    where: frozenset[str] = frozenset()
    for line in _place_lines():
        if line.startswith("# "):
            m = _PROVINCE_HEADING.match(line)
            if m:
                key = tuple(skeleton(w) for w in m.group(1).split() if _capital(w))
                where = keys.get(key, frozenset())
            continue
        if where:
            _locate(out, _name_of(line), where)
    return out


#: A heading of the place list that opens a province's names ("# Tỉnh Quảng Bình (từ ...)").
_PROVINCE_HEADING = re.compile(r"# (?:Tỉnh|Thành phố) ([^(,:]+)")


@functools.lru_cache(maxsize=1)
def _place_lines() -> tuple[str, ...]:
    """The place list's lines with its headings (NFC, blank lines left out), read once."""
    if not PLACE_NAMES.exists():
        return ()
    with open(PLACE_NAMES, encoding="utf-8") as f:
        return tuple(ln for ln in (unicodedata.normalize("NFC", x.strip()) for x in f) if ln)


@functools.lru_cache(maxsize=1)
def admin_places() -> dict[tuple[str, ...], dict[tuple[str, ...], frozenset[str]]]:
    """The gazetteer's names of two to four capitalised words (the communes, wards and
    districts of both maps), by skeleton → each spelling → the provinces since 2025 it lies
    in: what tells Vinh Hưng (Nghệ An) from Vĩnh Hưng (Long An) once a document's province
    is known."""
    provinces: dict[str, set[str]] = {}    # unit → its provinces (before and after: once)
    for new, _old, _d, unit in _admin_rows():
        provinces.setdefault(unit, set()).add(new)
    out: dict[tuple[str, ...], dict[tuple[str, ...], frozenset[str]]] = {}
    for unit, where in provinces.items():
        _locate(out, _name_of(unit), frozenset(where))
    return out


def _locate(out: dict[tuple[str, ...], dict[tuple[str, ...], frozenset[str]]],
            name: tuple[str, ...], where: frozenset[str]) -> None:
    """Put a place's *name* of two to four words, lying in the provinces *where*, into
    *out* (skeleton → spelling → provinces), as :func:`admin_places` holds them."""
    if 2 <= len(name) <= 4:
        spellings = out.setdefault(tuple(map(skeleton, name)), {})
        spellings[name] = spellings.get(name, frozenset()) | where


@functools.lru_cache(maxsize=1)
def _domain_runs() -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Every run of two to four capitalised words in the domain list's terms, by skeleton."""
    runs: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for line in _domain_terms():
        words = tuple(line.split())
        run = 0   # capitalised words in a row up to word b
        for b, w in enumerate(words):
            run = run + 1 if _capital(w) else 0
            for n in range(2, min(run, 4) + 1):   # the runs that end at word b
                part = words[b + 1 - n:b + 1]
                runs.setdefault(tuple(skeleton(x) for x in part), set()).add(part)
    return runs


@functools.lru_cache(maxsize=1)
def name_skeletons() -> frozenset[tuple[str, ...]]:
    """The skeletons of every name of two to four capitalised words in the domain and place
    lists, those two names share included: what a garbled name's readings may spell."""
    return frozenset(_place_index()) | frozenset(_domain_runs())
