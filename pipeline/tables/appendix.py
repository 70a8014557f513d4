"""Appendix tables from linearised text: Phụ lục I → indicator rows, Phụ lục II → documents.

Legacy OCR reads a bordered table row by row as text: ``name unit v1 v2 v3 v4`` on a line,
long names wrapped over neighbouring lines, group headings on their own line. Rows are
rebuilt by evidence: trailing value tokens (value grammar), the unit vocabulary, the
column count from the header, the catalog's group names, and the case of wrapped lines.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import pairwise

import regex
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..models import DocumentRecord, ValueColumn
from ..restore.syllables import is_syllable, proper_names, skeleton
from .values import is_value_token, parse_cell

log = logging.getLogger(__name__)

DEFAULT_COLUMNS = (
    ValueColumn("target_2025", "target", 2025),
    ValueColumn("target_2030", "target", 2030),
    ValueColumn("actual_2024", "actual", 2024),
    ValueColumn("estimate_2025", "estimate", 2025),
)
UNITS = ("%/năm", "%", "người", "tuổi", "năm", "lần", "giường", "căn", "mức độ", "m2 sàn/người",
         "m2", "bậc học", "xã", "hộ", "đồng", "triệu đồng", "số", "chỉ số", "điểm", "ha", "km",
         "con", "lượt", "cơ sở", "trường", "tỷ đồng")
_UNIT_SKELETONS = {skeleton(u): u for u in UNITS}
#: A unit whose cell wraps over three lines ("Bé" / "trai/100 bé" / "gái"): the part on the
#: row's line names it, with the case of its first line.
_UNIT_MIDDLES = {"trai/100 be": "Bé trai/100 bé gái", "be trai/100 be": "Bé trai/100 bé gái"}
_DASH_LIKE = {"-", "–", "—", "i", ")", "!", "|", "l", ":", "-)", "."}
SUBROW_LABELS = ("thành thị", "nông thôn", "khu vực thành thị", "khu vực nông thôn",
                 "vùng sâu, vùng xa, biên giới, hải đảo", "vùng sâu, vùng xa",
                 "các vùng còn lại", "vùng đồng bào", "vùng khác", "vùng cao", "vùng thấp",
                 "trong đó", "nam", "nữ")
#: Labels that begin a heading row: a set of indicators, not an indicator ("Chỉ tiêu số lượng trên
#: 10.000 dân"); its "Số ..." rows are counts per its qualifier, so they do not describe themselves.
_HEADING_LEADS = ("chi tieu ", "cac chi tieu ")
#: A count that states its own reference ("Số lần khám bệnh bình quân/người/năm") describes itself.
_OWN_REFERENCE = regex.compile(r"/|\b(?:tren|binh quan|moi|hang nam|trong nam)\b")
#: Rules and marks OCR reads before a label ("‘| Chi tiéu ...", ") Khống chế").
_NOT_LETTER_LEAD = regex.compile(r"^[^\p{L}\p{N}]+")
_RULE_MARKS = "|)'‘’`"


def heads_count_row(parent: str, child: str) -> bool:
    """True when *child* ("Số giường bệnh") is a count row under the heading *parent*: it begins
    with "Số" and names no reference of its own, so it is read per the heading's."""
    def sk(text: str) -> str:
        return " ".join(_NOT_LETTER_LEAD.sub("", skeleton(text)).split())
    child_sk = sk(child)
    return (sk(parent).startswith(_HEADING_LEADS) and child_sk.startswith("so ")
            and not _OWN_REFERENCE.search(child_sk))


# (a Roman numeral stands apart from the name: "XAHOI" is no group X)
GROUP_HINT = regex.compile(r"^\s*(\d{1,2}|[IVX]{1,4}(?![\p{L}]))\s*[|.)\]]*\s*[\[|]?\s*(\S.*)$")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def group_int(no: str) -> int | None:
    """A printed group number as an integer ("7" → 7, "VII" → 7); None when it is neither."""
    if no.isdigit():
        return int(no)
    return _ROMAN.index(no) + 1 if no in _ROMAN else None


@dataclass(frozen=True, slots=True)
class ParsedRow:
    group_no: str
    group: str
    indicator: str
    unit: str
    cells: tuple[str, ...]
    lines: tuple[int, ...]
    flags: tuple[str, ...]
    is_parent: bool = False


def _appendix_no(sk: str) -> int | None:
    """1 or 2 for a 'Phụ lục I/II' heading skeleton (OCR forms: |, l, 1, 11, ll), else None."""
    m = regex.match(r"^phu\s*luc\s*(so\s*)?(ii|11|ll|i1|1i|l1|1l|2|02|i|1|\||l|01)?\b\W*$", sk)
    if not m:
        return None
    num = m.group(2) or "i"
    return 2 if num in ("ii", "11", "ll", "i1", "1i", "l1", "1l", "2", "02") else 1


def _mostly_upper(text: str) -> bool:
    """A line in capitals, but for a letter or two OCR read in lower case ("CAC CHi TIEU")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def find_appendices(lines: list[str]) -> tuple[int | None, int | None]:
    """Line indexes where Phụ lục I and Phụ lục II start (None when absent).

    Accepts the heading split over two lines ("Phụ" / "lục I") and, without a heading,
    an upper-case title naming the indicators (CÁC CHỈ TIÊU ...).
    """
    first = second = None
    nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
    for k, i in enumerate(nonempty):
        sk = skeleton(lines[i]).strip(" '\"`.:")
        no = _appendix_no(sk)
        if no is None and sk in ("phu", "phu luc") and k + 1 < len(nonempty):
            nxt = skeleton(lines[nonempty[k + 1]]).strip(" '\"`.:")
            no = _appendix_no(("phu " + nxt) if sk == "phu" else ("phu luc " + nxt))
        if no == 1 and first is None:
            first = i
        elif no == 2 and second is None and first is not None:
            second = i
        elif first is None and _mostly_upper(lines[i]) and "chi tieu" in sk and (
                "chuong trinh" in sk or "nghi quyet" in sk or "chu yeu" in sk):
            first = i  # the appendix title without its "Phụ lục I" line
    if second is None:
        for i, line in enumerate(lines):
            if first is not None and i > first and skeleton(line).startswith("danh muc van ban"):
                second = max(first + 1, i - 1)
                break
    return first, second


_HEADER_YEAR = regex.compile(r"(?<![/\d-])(20\d\d|[3-9]0[1-5]\d)(?![/\d])")


def header_years(header_text: str) -> list[int]:
    """The column years of a linearised header, in reading order.

    Dates (the subtitle's "ngày 10/6/2025") and periods ("2021-2025") are not column labels.
    A year whose first digit OCR misread ("9025") is taken for 20xx: nothing else in a
    header has four digits.
    """
    return [2000 + int(y[2:]) for y in _HEADER_YEAR.findall(header_text)]


def _columns_in_order(years: list[int], estimate: bool, report_year: int | None = None
                      ) -> tuple[ValueColumn, ...] | None:
    """Columns from years read in printed order: targets rise to the horizon, then the
    results start over at an earlier year. None when the order is not of that shape
    (eng-OCR often reads a two-line header label's year out of order).

    The results end before the horizon, or at it when it is the year of the report
    (*report_year*): "Kế hoạch năm 2025 | Thực hiện năm 2024 | Ước thực hiện năm 2025" in a
    report of 2025 — the last result is then the estimate for the target's year."""
    cut = next((k for k in range(1, len(years)) if years[k] < years[k - 1]), None)
    if cut is None:
        return None
    targets, results = years[:cut], years[cut:]
    rising = all(a < b for a, b in pairwise(targets)) and all(a < b for a, b in pairwise(results))
    reach = max(targets) if report_year is not None and max(targets) <= report_year \
        else max(targets) - 1
    # results run up to the horizon but start no later than the first target
    if not rising or max(results) > reach or min(results) > min(targets):
        return None
    return _named(targets, results, estimate)


def _label_role(label: str, after: str) -> str | None:
    """The role the last words before a header year give it ("Đến năm" a target, "Thực hiện
    năm" a result, "Ước" or a "(dự kiến)" after the year an estimate); None when they say none
    ("Chỉ tiêu" is the name column's label, no target)."""
    words = " ".join(label.split()[-4:])
    if regex.search(r"\b(uoc|du kien)\b", words) or regex.match(r"\W*\(?\s*(du kien|uoc)\b", after):
        return "estimate"
    if regex.search(r"\b(muc tieu|ke hoach|nghi quyet|den nam|den)\b", words):
        return "target"
    if regex.search(r"\b(ket qua|thuc hien|nam)\b", words):
        return "actual"
    return None


def _columns_labelled(header_text: str) -> tuple[ValueColumn, ...] | None:
    """Columns from the label printed before each year, for a header whose years rise
    throughout with its results first ("Năm 2021 … Năm 2024 | Mục tiêu 2025"): the genre's
    order (targets, then results) would name them wrongly. None unless every year's label
    says its role and a result comes before a target."""
    sk = skeleton(header_text)
    found = list(_HEADER_YEAR.finditer(sk))
    roles, prev = [], 0
    for m in found:
        role = _label_role(sk[prev:m.start()], sk[m.end():m.end() + 12])
        if role is None:
            return None
        roles.append((role, 2000 + int(m.group(1)[2:])))
        prev = m.end()
    first_target = next((k for k, (r, _) in enumerate(roles) if r == "target"), None)
    if first_target is None or not any(r == "actual" for r, _ in roles[:first_target]):
        return None
    return _value_columns(roles)


def _columns_from_set(years: list[int], estimate: bool) -> tuple[ValueColumn, ...]:
    """Columns from the header's years when their order cannot be trusted.

    The horizon (the latest year) is a target. With an estimate ("dự kiến", "ước"), the
    estimate's year is the latest one before the horizon; years from it on are targets,
    earlier ones results. Without one, plan years (ending in 0 or 5) are targets and the
    others results (a plan year printed twice is both). Printed order is the genre's: targets, results, estimate.
    """
    rest = sorted(years)
    horizon = rest.pop()
    targets, results = [horizon], []
    est = None
    if estimate and rest:
        est = rest.pop()
        results = [y for y in rest if y < est]
        targets = sorted([y for y in rest if y >= est] + targets)
    else:
        plan = [y for y in rest if y % 5 == 0 and y != horizon]
        plan = sorted(set(plan))       # a plan year printed twice is a target and a result
        targets = plan + targets
        results = sorted(rest)
        for y in targets:
            if y in results:
                results.remove(y)
    return _named(targets, results + ([est] if est is not None else []), est is not None)


def _named(targets: list[int], results: list[int], estimate: bool) -> tuple[ValueColumn, ...]:
    """role_year columns; the last result is the estimate when the header says so or when
    it is for a target year (see :func:`_value_columns`)."""
    cols = [("target", y) for y in targets] + [("actual", y) for y in results]
    # A result for a target's own year is an estimate: the report is written before that
    # year is out (and OCR often loses the "Ước" / "dự kiến" that says so).
    if results and (estimate or results[-1] in targets):
        cols[-1] = ("estimate", cols[-1][1])
    return _value_columns(cols)


def _value_columns(cols: list[tuple[str, int]]) -> tuple[ValueColumn, ...]:
    """role_year columns from (role, year) pairs; a repeated name gets a ``_2`` suffix."""
    out, seen = [], Counter()
    for role, year in cols:
        name = f"{role}_{year}"
        seen[name] += 1
        out.append(ValueColumn(name if seen[name] == 1 else f"{name}_{seen[name]}", role, year))
    return tuple(out)


#: The report's date in the subtitle ("ngày 22/9/2025"): a result for its year is an estimate.
_DATED = regex.compile(r"/\s*(20\d\d)\b")


def _report_year(header_text: str) -> int | None:
    """The year of the last date in the header (the report's: :data:`_DATED`), or None."""
    dated = _DATED.findall(header_text)
    return int(dated[-1]) if dated else None


def _header_estimate(header_text: str) -> bool:
    """Does the header say a column is an estimate? "dự kiến" is often split by the
    linearisation ("(dự" ... "kiến)"), "Ước năm" glued ("Uécnam")."""
    return bool(regex.search(r"\bki[ea]n\b|\bu[oe]c", skeleton(header_text)))


def header_columns(header_text: str, n_values: int, rows_sure: bool = True) -> tuple[ValueColumn, ...]:
    """Name the value columns by role and year from the linearised header text.

    Targets ("Mục tiêu", "Đến năm") come first, then results ("Kết quả", "Năm"), the last
    an estimate when the header says "dự kiến" or "ước". The years are taken in printed
    order when that order is plausible, else by their values (see :func:`_columns_from_set`).
    When the header shows no usable years, the genre's standard four columns are assumed.

    Args:
        header_text: the header lines joined.
        n_values: the number of value cells the table's rows mostly have; used when the
            header's years cannot give the count, and to add a last column whose year OCR
            lost ("Ước thực hiện năm 2026" read as "026").
        rows_sure: whether enough rows show *n_values* to add columns for it.
    """
    estimate, report_year = _header_estimate(header_text), _report_year(header_text)
    years = header_years(header_text)
    if 2 <= len(years) <= 6:
        cols = _columns_in_order(years, estimate, report_year) or _columns_labelled(header_text) \
            or _columns_from_set(years, estimate)
        missing = n_values - len(cols)
        if rows_sure and 1 <= missing <= 2:
            # the rows have more cells than the header has years: the last labels' years
            # were lost. The genre's results follow the targets: after a result, the years
            # after it; after targets alone, from the year before the first target on.
            results = any(b < a for a, b in pairwise(years))
            start = years[-1] + 1 if results else years[0] - 1
            cols = _columns_in_order(years + list(range(start, start + missing)), estimate,
                                     report_year) or cols
        last = cols[-1]
        if report_year is not None and last.role == "actual" and last.year is not None \
                and last.year >= report_year:
            cols = cols[:-1] + (ValueColumn(f"estimate_{last.year}", "estimate", last.year),)
        return cols
    if n_values == 3:
        return DEFAULT_COLUMNS[:3]
    return DEFAULT_COLUMNS


def split_values(line: str) -> tuple[str, str, list[str]]:
    """Split a table line into (name text, unit, trailing value tokens).

    Stray column rules read as '|' are dropped first.
    """
    toks = [t.strip("|[]") for t in line.split()]
    toks = [t for t in toks if t]
    vals: list[str] = []
    i = len(toks)
    while i > 0:
        t = toks[i - 1].strip(",;")
        if is_value_token(t) or (t in _DASH_LIKE and vals is not None and len(vals) < 6 and i < len(toks) + 1
                                 and (vals or i == len(toks))):
            vals.append("-" if t in _DASH_LIKE else t)
            i -= 1
            continue
        break
    vals.reverse()
    # Join a lone operator with its number: "> 95" → ">95"; number and %: "94,17 %".
    merged: list[str] = []
    for v in vals:
        if merged and merged[-1] in ("<", ">", "<=", ">=", "≤", "≥"):
            merged[-1] += v
        elif v == "%" and merged and merged[-1][-1:].isdigit():
            merged[-1] += "%"
        else:
            merged.append(v)
    unit = ""
    rest = toks[:i]
    # A "%" directly before the values (and after the name) is the unit column; eng-OCR
    # often reads a lone "%" in a narrow column as "0%" or "%0".
    if merged and merged[0] in ("0%", "%0", "%o", "o%") and len(merged) > 1:
        merged[0] = "%"
    if merged and merged[0] == "%":
        unit = "%"
        merged = merged[1:]
    if not unit and rest and merged:
        for n in (3, 2, 1):
            cand = " ".join(rest[-n:])
            key = skeleton(cand)
            exact = cand.lower() in UNITS or (cand.isascii() and key in _UNIT_SKELETONS)
            if exact and len(rest) > n:
                unit = _UNIT_SKELETONS[key]
                if cand[:1].isupper():
                    unit = unit[:1].upper() + unit[1:]
                rest = rest[:-n]
                break
    return " ".join(rest), unit, merged


_ABBREVIATIONS = {"ncc": "nguoi co cong", "bhxh": "bao hiem xa hoi", "bhyt": "bao hiem y te",
                  "bhtn": "bao hiem that nghiep", "gdnn": "giao duc nghe nghiep",
                  "lllđ": "luc luong lao dong", "llld": "luc luong lao dong"}


def _expand(sk: str) -> str:
    return " ".join(_ABBREVIATIONS.get(w, w) for w in sk.split())


def _group_list(groups) -> list[tuple[str, str]]:
    """(number, name) pairs from names or pairs (the catalog's groups in order)."""
    out = []
    for k, g in enumerate(groups, start=1):
        out.append((str(g[0]), g[1]) if isinstance(g, tuple) else (str(k), g))
    return out


_GLUED_ROMAN = regex.compile(r"^\s*([IVX]{1,4})(\p{Ll}.*)$")


def _group_score(name: str, groups) -> tuple[str, float, float]:
    """(number of the closest group, its score, the best reworded score) for a heading."""
    sk = _expand(skeleton(name))
    best_no, score, reworded = "", 0.0, 0.0
    for no, g in _group_list(groups):
        gs = _expand(skeleton(g))
        # the same words in another order or with a few added ("Văn hóa, thông tin và
        # truyền thông" for "Phát triển văn hóa và thông tin, truyền thông")
        reworded = max(reworded, fuzz.token_sort_ratio(sk, gs))
        # partial matching only for a line shorter than the name (a wrapped heading's first
        # line); a long row name merely containing a short group name ("... nhà ở ...") is no heading
        s = fuzz.partial_ratio(sk, gs) if 6 <= len(sk) <= len(gs) + 3 else 0
        s2 = fuzz.ratio(sk, gs)
        s = max(s * 0.9, s2)
        if s > score:
            best_no, score = no, s
    return best_no, score, reworded


def catalog_group(heading: str, group_no: str, groups) -> str | None:
    """The catalog group a row's group *heading* (printed number *group_no*) is: the group
    whose name the heading matches closely, or loosely when the printed number is that
    group's too ("IX | Nha@é" for "Nhà ở"); None when it names none. A province numbers
    its groups its own way, so the number alone says nothing."""
    if not heading:
        return None
    no, score, _ = _group_score(heading, groups)
    printed = group_int(group_no)
    if score >= 70 or (score >= 50 and printed is not None and printed == group_int(no)):
        return no
    return None


def opens_as_indicator(name: str) -> bool:
    """Does *name* open as an indicator's name does ("Tỉ lệ", "Số", "Mức", "Tuổi" ...), or as
    a sub-row's label ("Trong đó, các huyện nghèo", "Thành thị")?"""
    sk = skeleton(name)
    words = sk.replace(",", " ").split()
    return bool(_INDICATOR_OPENING.match(sk)) or any(
        words[:len(s.split())] == s.split() for s in _SUBROW_SKELETONS)


def _is_group_heading(text: str, groups, after: int = 0) -> tuple[str, str] | None:
    """(printed or catalog group number, heading text) when *text* reads as a group heading.

    A heading with its number printed needs a loose match; one without must match a known
    group name closely, be at least three words long (two when it matches exactly) and come
    later than group *after* (groups are printed in order), so a wrapped name's last line
    ("BHYT") is no heading. A policy area named the province's own way (:func:`_names_area`)
    is a heading after the next group's number, or alone (its number lost) unless it opens
    as an indicator does; the caller keeps it a parent row when sub-rows follow.
    """
    m = GROUP_HINT.match(text)
    name = m.group(2) if m else text
    name = name.strip(" |[]")
    best_no, score, reworded = _group_score(name, groups)
    if m and score >= 60:
        return m.group(1), name
    # A capital I, V or X glued to the next letters is a word's first letter ("Internet",
    # "XAHOI"; no number to GROUP_HINT) unless the rest matches a group name closely
    # ("V|Giáo dục" restored as "Với giáo dục").
    glued = _GLUED_ROMAN.match(text) if m is None else None
    if glued and _group_score(glued.group(2), groups)[1] >= 88:
        return glued.group(1), glued.group(2)
    # The next group's number before a few garbled words ("7 1v tê" for "7 | Y tế").
    if m and group_int(m.group(1)) == after + 1 \
            and not is_value_token(name.split()[0]) and (
            (len(name.split()) <= 6 and score >= 35) or (len(name.split()) <= 3 and name[:1].isupper())):
        return m.group(1), name
    # The next group's number before a policy area named the province's own way ("III
    # Giáo dục nghề nghiệp, nâng cao chất lượng nguồn nhân lực")
    if m and group_int(m.group(1)) == after + 1 and _names_area(name, groups):
        return m.group(1), name
    numbered_later = not best_no.isdigit() or int(best_no) > after
    long_enough = len(name.split()) >= 3 or (score >= 95 and len(name.split()) >= 2)
    if score >= 88 and long_enough and numbered_later and name[:1].isupper():
        return best_no, name
    if reworded >= 80 and len(name.split()) >= 4 and name[:1].isupper():
        return "", name
    if _names_area(name, groups):
        return "", name     # its number lost: "Giáo dục và đào tạo", "Giảm nghèo bền vững"
    return None


#: How the genre's policy areas open beyond the catalog's group names.
AREA_OPENINGS = ("giam ngheo", "van hoa", "dan so", "viec lam", "chinh sach", "an sinh",
                 "binh dang")
_INDICATOR_OPENING = regex.compile(
    r"^(?:ti le|ty le|ti so|ty so|ti trong|ty trong|ti suat|ty suat|so |muc |tong |chi so|"
    r"chi tieu|tuoi|dien tich|thu nhap|toc do|nang suat|giam ti|giam ty|tang )")


def _sub_row_next(lines: list[tuple[int, str]], k: int) -> bool:
    """Does the next non-empty line after *k* open with a sub-row label (Thành thị, Nam)?"""
    nxt = next((t.strip() for _, t in lines[k + 1:k + 4] if t.strip()), "")
    words = skeleton(nxt).split()
    return any(words[:len(s.split())] == s.split() for s in _SUBROW_SKELETONS)


def _names_area(name: str, groups) -> bool:
    """Does *name* (no values, no unit) read as a policy area's heading: capitalised, two to
    twelve words, opening as a catalog group does ("Giáo dục …", "Y tế …", "Lao động …") or
    as the genre's other areas do (:data:`AREA_OPENINGS`), and no indicator's opening?"""
    words = name.split()
    if not 2 <= len(words) <= 12 or not name[:1].isupper() or _garbled(name):
        return False
    sk = " ".join(skeleton(name).replace(",", " ").split())
    if _INDICATOR_OPENING.match(sk):
        return False
    heads = {" ".join(skeleton(g).replace(",", " ").split()[:2]) for _, g in _group_list(groups)}
    return any(sk == h or sk.startswith(h + " ") for h in heads | set(AREA_OPENINGS))


_HEADER_WORDS = frozenset(
    "tt stt chi tieu don vi tinh den nam muc nghi quyet so nq cp ket qua thuc hien du kien uoc "
    "giai doan ke hoach dat theo tw va ghi chu".split())


_FIGURE = regex.compile(r"\d[.,]\d")
_NAME_REFERENCE = regex.compile(r"\b(?:tren|moi|binh quan)\b")


def is_header_line(text: str) -> bool:
    """A line of the table header (printed again on every page): column labels and years."""
    sk = skeleton(text)
    words = regex.findall(r"[a-z]+|\d{4}", sk)
    if not words or _FIGURE.search(text):
        return False    # a figure is no label: "Chỉ tiêu số lượng trên 10.000" is a row
    years = sum(1 for w in words if regex.fullmatch(r"20\d\d", w))
    header = sum(1 for w in words if w in _HEADER_WORDS)
    has_label = any(k in sk for k in ("chi tieu", "don vi", "den nam", "du kien", "muc tieu",
                                      "ket qua", "thuc hien"))
    if years >= 2 and years + header >= 0.6 * len(words):
        return True
    if not years and _NAME_REFERENCE.search(sk):
        return False    # "Chỉ tiêu số lượng trên" / "10.000 dân": a heading row's name
    return has_label and (header + years) >= 0.6 * len(words)


def _starts_new_name(text: str) -> bool:
    """Does this line open a new row name (capitalised), rather than continue one?
    A line of one or two abbreviations (BHYT, BHXH) continues the row above."""
    toks = text.split()
    if 0 < len(toks) <= 2 and all(t.isupper() and len(t) >= 2 for t in toks):
        return False
    t = text.lstrip(" -•+\"" + _RULE_MARKS)   # bullets, rules and dust before the name
    return bool(t) and (t[0].isupper() or t[0].isdigit())


def _numbers(vals: list[str]) -> int:
    """How many value tokens carry a number that is not a header year."""
    return sum(1 for v in vals if regex.search(r"\d", v) and not regex.fullmatch(r"20\d\d", v))


def title_end(lines: list[tuple[int, str]]) -> int:
    """Index of the first line after the appendix's title: the capital lines it opens with
    (a title of three lines, "… VỀ CHÍNH SÁCH" / "XÃ HỘI" / "THEO NGHỊ QUYẾT SỐ 68/NQ-CP …",
    reads like a group heading or the next appendix's title). The subtitle ("(Kèm theo Báo
    cáo số …)"), which dates the report, and a line of bare years are not title."""
    k = 0
    while k < min(len(lines), 12):
        letters = [c for c in lines[k][1] if c.isalpha()]
        if letters and (len(letters) < 2 or sum(c.isupper() for c in letters) < 0.9 * len(letters)):
            break
        k += 1
    return k if k < min(len(lines), 12) else 0


def header_end(lines: list[tuple[int, str]], groups) -> int:
    """Index of the first body line of the table, after the (first) header.

    The header ends with its column years ("2025 2030 2023 2024", or "Năm 2024" labels); the
    body begins at the first group heading or row with numbers after that. Dashes do not
    count as numbers: eng-OCR reads rules and dust in the header as ".", ")" or "i".
    """
    def is_row(k: int, text: str) -> bool:
        vals = split_values(text)[2]
        return (_numbers(vals) >= 2 and len(header_years(text)) < 2) or (
            k >= 1 and _is_group_heading(text, groups) is not None)

    scan = lines[:30]
    year_lines = [k for k, (_, t) in enumerate(scan) if header_years(t) and not is_row(k, t)]
    first_row = next((k for k, (_, t) in enumerate(scan) if is_row(k, t)), None)
    before = [k for k in year_lines if first_row is None or k < first_row]
    if before:
        return before[-1] + 1
    for k, (_, text) in enumerate(lines):
        if is_header_line(text):
            continue
        if is_row(k, text):
            return k
    return 0


_HEADER_KEYS = ("chi tieu", "don vi", "den nam", "du kien", "muc tieu", "ket qua", "thuc hien",
                "nghi quyet", "tt ", "tinh")


def _is_years_line(text: str) -> bool:
    """The last line of a header: two or more column years and no other number."""
    vals = [t for t in text.replace("|", " ").split() if regex.search(r"\d", t)]
    return len(header_years(text)) >= 2 and len(header_years(text)) == len(vals)


def _mostly_header_words(text: str) -> bool:
    words = regex.findall(r"[a-z]+", skeleton(text))
    return bool(words) and sum(w in _HEADER_WORDS for w in words) >= 0.6 * len(words)


def repeated_headers(lines: list[tuple[int, str]], start: int) -> set[int]:
    """Indexes of the header printed again at the top of later pages.

    eng-OCR garbles it ("| S] Meestes | econ", "th =| én nam|Dén nam| Nam Nam") but it has
    a line of column years. The lines above that, up to a blank line (the page break) and
    at most seven, are header too unless they hold numbers (without a blank line, only
    those that read as header labels); above the blank, lines of header words ("Nghị");
    below it, a lone year wrapped from its label ("2030 |").
    """
    out: set[int] = set()
    for k in range(start, len(lines)):
        if not _is_years_line(lines[k][1]):
            continue
        out.add(k)
        block: list[int] = []
        blank = False
        for j in range(k - 1, max(start, k - 8) - 1, -1):
            text = lines[j][1].strip()
            if not text:
                blank = True
                continue
            if _numbers(split_values(text)[2]) or regex.match(r"^\s*\d{1,2}\b", text):
                break
            if not blank:
                block.append(j)
            elif _mostly_header_words(text):
                out.add(j)
            else:
                break
        if blank:
            out.update(block)
        else:
            out.update(j for j in block if is_header_line(lines[j][1])
                       or any(key in skeleton(lines[j][1]) + " " for key in _HEADER_KEYS))
        for j in range(k + 1, min(k + 3, len(lines))):
            words = lines[j][1].replace("|", " ").split()
            if not words or len(words) > 3 or not all(header_years(t) for t in words):
                break
            out.add(j)
    return out


# Marks eng-OCR prints for a dash cell (a thin rule): it reads them as letters and punctuation.
_DASH_MARKS = _DASH_LIKE | {"‘", "’", "'", "`", ",", ";", "~", "_", "=", "ì", "í", "ỉ", "ị", "—", "-—"}
_PERCENT_UNIT = regex.compile(r"^(?:%|0%|%0|%o|o%|9%|%[.:;,]|[.:;,]%)$")
# "m2 sàn/người" as eng-OCR breaks it: "m2 san/ người", "m2san’ gỗ người", "m2 san/"
_M2_UNIT = regex.compile(
    r"(?<!\S)m2\s*s[aàảạáã]n[^\s/]{0,2}(?:\s+(?!ng)[^\s/]{1,2})?\s*(?:/\s*)?(?:ng\S{2,4}(?!\S))?", regex.I)
# its second line alone, the "m2" printed on the line above ("san/ngudi", "sannguoi")
_M2_TAIL = regex.compile(r"(?<!m2\s*)(?<!\S)s\p{L}n(?:\s*/\s*|/?)ng\S{2,4}(?!\S)", regex.I)
# "Mức độ" as eng-OCR reads it: "Mitc d6", "Mức a6", "Mức 46", "Mặt để", "Mire dé"
_LEVEL_UNIT = (regex.compile(r"^M\S{1,3}$"), regex.compile(r"^[dđa4][ộoô6óéểệe93dđ]$|^[6ộô]$"))
_PER_YEAR_UNIT = regex.compile(r"^[%o0ôơởóò6]p?/[nm][aăâãàảạ]m?$", regex.I)   # "%/năm", "op/mam"
_TRAILING_FRAGMENT = regex.compile(r"^[\W\d_]{1,3}$|^\p{L}[\W_]?$|.*[\"‘’“”;:{}\[\]|\\]")
# A name line ending in one of these words is unfinished: the name goes on.
_OPEN_ENDINGS = frozenset((
    "có", "của", "và", "với", "cho", "được", "trong", "từ", "theo", "về", "các", "những", "tại",
    "trên", "dưới", "so", "đến", "để", "là", "hoặc", "người", "gia", "bình"))


@dataclass(slots=True)
class LineParts:
    """One table line split into the name text, the unit and the value region.

    ``cells`` holds the value region's tokens in order; ``kinds`` says of each whether it
    reads as a value (``v``), a dash cell (``d``) or something OCR could not read (``j``).
    """
    name: str
    unit: str
    cells: list[str]
    kinds: list[str]


def _unit_of(tokens: list[str]) -> str | None:
    """The unit a phrase of one to three tokens spells ("%", "Người", "m2 sàn/người"),
    with its printed case; None when it is no unit."""
    cand = " ".join(tokens)
    if len(tokens) == 1 and _PERCENT_UNIT.match(cand):
        return "%"
    if len(tokens) == 1 and _PER_YEAR_UNIT.match(cand.strip("|")):
        return "%/năm"
    if len(tokens) == 2 and _LEVEL_UNIT[0].match(tokens[0]) and _LEVEL_UNIT[1].match(tokens[1]):
        return "Mức độ"
    key = skeleton(cand).strip("(|[]{}:.,;")
    if key in _UNIT_MIDDLES:
        return _UNIT_MIDDLES[key]
    unit = _UNIT_SKELETONS.get(key) or _unit_misread(cand, key)
    if unit is None:
        return None
    return unit[:1].upper() + unit[1:] if cand.lstrip("(|[")[:1].isupper() else unit


def _unit_misread(cand: str, key: str) -> str | None:
    """A capitalised word unit with one or two letters misread ("Newoi", "Givong", "Cin"):
    same first letter, at most one edit in four letters, two in five or more."""
    if " " in cand or not cand[:1].isupper() or not key.isalpha() or len(key) < 3:
        return None
    for k, unit in _UNIT_SKELETONS.items():
        if " " in k or k[0] != key[0] or len(k) < 3 or abs(len(k) - len(key)) > 1:
            continue
        if Levenshtein.distance(k, key) <= (1 if len(key) <= 4 else 2):
            return unit
    return None


def _is_word(tok: str) -> bool:
    """A lowercase Vietnamese syllable of two letters or more (a name word, not OCR junk)."""
    return len(tok) >= 2 and tok.islower() and tok.isalpha() and is_syllable(tok)


def _kind(tok: str) -> str:
    if is_value_token(tok) or _repair_value(tok) != tok:
        return "v"
    return "d" if tok in _DASH_MARKS else "j"


def _repair_value(tok: str) -> str:
    """A value token with an OCR slip only a number can have: "1:33" → "1,33", "<5]" → "<5",
    "2.92." → "2.92" (dust after it), "S95" / "$100" → ">95" / ">100", "$=" → ">=" (eng-OCR's
    forms of ">"), "<-50" → "<=50"."""
    t = tok.strip("[]|")
    t = regex.sub(r"^([<>]=?)?(\d+):(\d+)(%?)$", r"\1\2,\3\4", t)
    t = regex.sub(r"(?<=[\d%])[.:;,]$", "", t)
    t = regex.sub(r"^[S$+](=?)(?=\d|$)", r">\1", t) if regex.match(r"^[S$+]=?\d*$", t) \
        and t not in ("S", "+") else t
    t = regex.sub(r"^([<>])[-_~](?=\d)", r"\1=", t)   # "<-50": the "=" read as a dash
    return t if is_value_token(t) else tok


def _region(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(cells, kinds) of a value region's tokens; a lone operator joins its number
    ("> 95" → ">95", as :func:`split_values` does)."""
    cells: list[str] = []
    kinds: list[str] = []
    for tok in tokens:
        kind = _kind(tok)
        if cells and cells[-1] in ("<", ">", "<=", ">=", "≤", "≥") and kind == "v":
            cells[-1] += _repair_value(tok)
            continue
        cells.append(_repair_value(tok) if kind == "v" else tok)
        kinds.append(kind)
    return cells, kinds


def _framed(kinds: list[str], n: int) -> bool:
    """A value region after a capitalised unit word (the unit column's "Tuổi", "Người")
    that opens and closes with a value, with junk between them no more than two tokens over
    its n cells: a value OCR broke into words ("85 y di Be 74,2")."""
    return len(kinds) <= n + 2 and kinds[0] == "v" and kinds[-1] == "v" \
        and sum(k == "v" for k in kinds) >= 2


def _acceptable(kinds: list[str], unit: str, n: int, first_has_digit: bool = False) -> bool:
    """Is this a value region? It starts with a readable cell and at least half of it
    reads as values or dashes; after a "%" unit (a strong anchor) one readable cell in
    at most n + 2 tokens is enough. A first token with a digit is a misread number ("Z7");
    an unreadable first of exactly n tokens is a cell too (a dash read as "A")."""
    readable = sum(k != "j" for k in kinds)
    lead_ok = kinds[0] != "j" or unit == "%" or first_has_digit or (
        len(kinds) == n and readable == n - 1)
    if not readable or not lead_ok:
        return False
    return readable * 2 >= len(kinds) or (unit == "%" and len(kinds) <= n + 2)


_YEAR = regex.compile(r"(?:19|20)\d\d")
_RANGE_START = regex.compile(r"^(?:[<>]=?|[≤≥])?\d+(?:,\d+)?-$")
_RANGE_END = regex.compile(r"^\d+(?:,\d+)?%?$")


def _m2_unit(text: str) -> str:
    """The unit "m2 sàn/người" spelt as one token group however OCR broke it."""
    return _M2_TAIL.sub(" m2 sàn/người ", _M2_UNIT.sub(" m2 sàn/người ", text))


# the "m2" ending a line, dust after it allowed ("5 : m2 oe")
_M2_TOP = regex.compile(r"(?:^|\s)m2(?:\s+[^\s\d]{1,2}){0,2}$")


def _unit_top(text: str, raw: str | None) -> str | None:
    """A line ending in the "m2" of a unit printed over two lines, with no cells: the line
    without it, "" when the rest is dust ("Re . m2", "A A m2", "Ser Ree Ror te m2" as OCR
    read the blank top of a name cell); None when the line is something else."""
    m = _M2_TOP.search(text)
    if m is None:
        return None
    rest = text[:m.start()].strip()
    seen = (raw or text).strip()
    m_raw = _M2_TOP.search(seen)
    seen = seen[:m_raw.start()].strip() if m_raw else rest
    words = regex.findall(r"\p{L}+", seen)
    if not words or all(len(w) <= 2 for w in words) or _garbled(seen):
        return ""
    return rest


def _tokens(text: str) -> list[str]:
    """The tokens of a table line, column rules dropped; a range OCR broke after its dash
    ("95- 97") is one token again."""
    out: list[str] = []
    for t in (t.strip("|[]") for t in _m2_unit(text).split()):
        if not t:
            continue
        if out and _RANGE_START.match(out[-1]) and _RANGE_END.match(t):
            out[-1] += t
        else:
            out.append(t)
    return out


def split_row_line(text: str, n: int, raw: str | None = None) -> LineParts:
    """Split a table line at its unit: name before, the value region after.

    The value region may hold cells OCR could not read ("Bee : : s ee"); see
    :func:`_acceptable`. Without a unit, the region is the longest tail that starts with a
    number and reads as values; failing that, the trailing value tokens
    (:func:`split_values`). A lone "%" read as "0%" or "9%" before n values is the unit.

    Args:
        text: the restored line; the name comes from it.
        n: the number of value columns.
        raw: the same line as OCR read it, token for token. Cells and units are read from
            it when given: the decoder makes words of OCR junk ("Bee" → "Bê") and of a
            broken unit ("%o" → "do").
    """
    toks = _tokens(text)
    rtoks = _tokens(raw) if raw else toks
    if len(rtoks) != len(toks):
        rtoks = toks
    text = _m2_unit(text)
    if n > 1 and len(toks) >= 3 and _YEAR.fullmatch(rtoks[-1]) and skeleton(toks[-2]) == "nam":
        return LineParts(" ".join(toks), "", [], [])   # "... so với năm 2021": the name's year
    level = _level_row(toks, rtoks)
    if level is not None:
        return level
    for end in range(len(toks) - 1, 0, -1):
        if len(toks) - end > 2 * n + 2:
            break
        for width in (3, 2, 1):
            if end - width < 1:
                continue
            unit = _unit_of(toks[end - width:end]) or _unit_of(rtoks[end - width:end])
            if unit is None or (skeleton(unit) == "xa" and skeleton(toks[end]) == "hoi") \
                    or toks[end - 1].endswith(";") or rtoks[end - 1].endswith(";"):
                # (the "xã" of "xã hội" before cells is no unit, nor a region's word before
                # its cell's ";": "0,32% phía Đông; 0,38% phía Tây")
                continue
            at = end + (rtoks[end] == "+" and end + 1 < len(rtoks))   # (a lone "+" is dust)
            cells, kinds = _region(rtoks[at:])
            if _acceptable(kinds, unit, n, bool(regex.search(r"\d", rtoks[at]))) or (
                    unit[:1].isupper() and _framed(kinds, n)):
                return LineParts(" ".join(toks[:end - width]), unit, cells, kinds)
            if width >= 2 and unit.lower() in _QUALITATIVE_UNITS:
                return _qualitative(_raw_tail(text, end), toks[:end - width], unit, n)
    if len(toks) >= 2 and toks[-2:] == ["m2", "sàn/người"]:
        return LineParts(" ".join(toks[:-2]), "m2 sàn/người", [], [])   # its cells below
    name, unit, vals = split_values(text)
    kinds = ["d" if v == "-" else "v" for v in vals]
    for start in range(max(1, len(toks) - 2 * n - 2), len(toks)):
        if not regex.search(r"\d", toks[start]) or _kind(toks[start]) != "v" \
                or _kind(toks[start - 1]) == "v":
            continue
        cells, kinds2 = _region(rtoks[start:])
        # numbers inside a name ("trẻ mẫu giáo từ 3 đến 5 tuổi") are no region: words there
        # are OCR junk, not Vietnamese
        if len(cells) > len(vals) and len(cells) >= n - 1 and sum(k == "v" for k in kinds2) >= 2 \
                and not any(_is_word(c) for c in toks[start:]) and _acceptable(kinds2, "", n):
            name, unit, vals, kinds = " ".join(toks[:start]), "", cells, kinds2
        break
    if not unit and len(vals) == n + 1 and _PERCENT_UNIT.match(vals[0]):
        unit, vals, kinds = "%", vals[1:], kinds[1:]
    if not unit and vals and name and skeleton(name.split()[-1]) in _REFERENCE_WORDS \
            and kinds[0] == "v" and all(k == "d" for k in kinds[1:]):
        # "Chỉ tiêu số lượng trên 10.000" / "dân": the name's reference, wrapped (dust
        # after it: "trên 10.000 | :")
        return LineParts(f"{name} {vals[0]}", "", [], [])
    if not unit and n > 1 and kinds == ["d"] and rtoks[-1] in _DUST_MARKS and name \
            and name.split()[-1].lower() not in _OPEN_ENDINGS:
        # one dust mark after a whole name without unit ("Chỉ tiêu số lượng trên 10.000 dân
        # ."): no cell; the row may head sub-rows. (After a name that goes on, "Số năm đi học
        # bình quân của .", the mark keeps it a row of its own, as a cell.)
        return LineParts(name, "", [], [])
    return LineParts(name, unit, vals, kinds)


#: Marks that stand alone after a name as dust, never as a dash cell of their own.
_DUST_MARKS = frozenset((".", ":", ",", ";", "'", "‘", "’", "`", "_"))


#: Words before a figure that is the name's own reference ("trên 10.000 dân").
_REFERENCE_WORDS = frozenset(("tren", "moi", "duoi"))


def _level_at(toks: list[str], i: int) -> str | None:
    """The level digit of a "Mức độ" pair starting at token *i* ("" when it has none), or
    None when no pair starts there: "Mitc d6 2", "Mitc d62", "Mic dé 3", "Mttc d6__"."""
    if i + 1 >= len(toks) or not _LEVEL_UNIT[0].match(toks[i]):
        return None
    word = toks[i + 1].lower().rstrip("_")
    if len(word) == 3 and word[2].isdigit() and _LEVEL_UNIT[1].match(word[:2]):
        return word[2]      # "d62": the digit glued on
    if not _LEVEL_UNIT[1].match(word):
        return None
    nxt = toks[i + 2] if i + 2 < len(toks) else ""
    return nxt if regex.fullmatch(r"\d", nxt) else ""


def _level_row(toks: list[str], rtoks: list[str]) -> LineParts | None:
    """A row of level cells ("Phổ cập giáo dục THCS | Mức độ | Mức độ 2 | Mức độ 3 | ..."):
    two or more "Mức độ" pairs. The first one without a digit is the unit; each later pair
    is a cell "Mức độ N" (just "Mức độ" when OCR lost the digit)."""
    at = []
    i = 1
    while i < len(rtoks) - 1:
        digit = _level_at(rtoks, i)
        if digit is None:
            i += 1
            continue
        at.append((i, digit))
        i += 2 + (digit != "" and not rtoks[i + 1][-1:].isdigit())
    if len(at) < 2:
        return None
    unit_first = at[0][1] == ""
    cells = [f"Mức độ {d}" if d else "Mức độ" for _, d in at[unit_first:]]
    return LineParts(" ".join(toks[:at[0][0]]), "Mức độ", cells, ["q"] * len(cells))


# Units of rows whose cells are words ("Giải quyết cơ bản", "Bảo đảm vững chắc").
_QUALITATIVE_UNITS = ("mức độ",)


def _raw_tail(text: str, index: int) -> str:
    """The text from the *index*-th token of the split line on, column rules ("|") kept."""
    count = 0
    for m in regex.finditer(r"\S+", text):
        if not m.group(0).strip("|[]"):
            continue
        if count == index:
            return text[m.start():]
        count += 1
    return ""


def _qualitative(tail: str, name: list[str], unit: str, n: int) -> LineParts:
    """A row of word cells after its "Mức độ" unit: the cells are split at the column rules
    OCR kept ("|"); without n of them the words stay together in one cell (kind ``q``) and
    the row is flagged, rather than guessed apart."""
    parts = [" ".join(p.split()) for p in tail.split("|")]
    parts = [p for p in parts if p]
    if len(parts) == n:
        return LineParts(" ".join(name), unit, parts, ["q"] * n)
    return LineParts(" ".join(name), unit, [" ".join(tail.replace("|", " ").split())], ["q"])


LOST_FIRST = "the value lost taken to be the first column's"
LOST_LAST = "the value lost taken to be the last column's (targets last)"


def _lost_to_targets(rows: list[ParsedRow], columns: tuple[ValueColumn, ...]) -> list[ParsedRow]:
    """Where the targets are the last columns (results first), a row's lost value is the last
    column's, not the first's (see :func:`fit_cells`)."""
    roles = [c.role for c in columns]
    if "target" not in roles or roles[0] == "target" or roles[-1] != "target":
        return rows
    out = []
    for r in rows:
        if LOST_FIRST in r.flags and r.cells[:1] == ("",):
            flags = tuple(LOST_LAST if f == LOST_FIRST else f for f in r.flags)
            r = replace(r, cells=(*r.cells[1:], ""), flags=flags)
        out.append(r)
    return out


#: A full stop, comma or semicolon standing alone among a row's value tokens: dust, where
#: eng-OCR reads a dash as "-", "i", ")" or "|".
_DOT_MARK = regex.compile(r"[.,;]+")


def fit_cells(cells: list[str], kinds: list[str], n: int) -> tuple[list[str], list[str]]:
    """Fit a row's value tokens to its n columns; returns (cells, flags).

    One run of unreadable tokens between values that is as long as the tokens over n, plus
    one, is one value OCR broke into words and becomes one cell ("85 y di Be 74,2"). Other
    tokens OCR could not read are dropped first when there are too many (dust), else kept
    in their place and flagged; dash marks become "-". Missing cells are left empty and
    flagged: at the end, except that one missing from a row of numbers without any dash is
    put first (eng-OCR loses thin dashes, not digits, and the genre's dashes stand mostly in
    the target columns, which come first).
    """
    flags: list[str] = []
    pairs = list(zip(cells, kinds))
    over = len(pairs) - n
    runs = [i for i in range(len(pairs) - over) if all(k == "j" for _, k in pairs[i:i + over + 1])]
    if over > 0 and len(runs) == 1 and 0 < runs[0] and runs[0] + over + 1 < len(pairs):
        # one run of junk between values, as many tokens over as it is long less one: a
        # value OCR broke into words ("85 y di Be 74,2"), one unreadable cell
        i = runs[0]
        pairs[i:i + over + 1] = [(" ".join(c for c, _ in pairs[i:i + over + 1]), "j")]
    while len(pairs) > n:
        # a full stop or comma standing alone is dust before it is a dash ("80 100 86,6 81,5
        # 95 .", "16,4 17,5 18,7 19,6 , 3d"); eng-OCR reads dashes as "-", "i", ")", "|"
        dots = [i for i, (c, k) in enumerate(pairs) if k == "d" and _DOT_MARK.fullmatch(c)]
        if not dots:
            break
        flags.append(f"dropped mark {pairs[dots[-1]][0]!r}")
        del pairs[dots[-1]]
    while len(pairs) > n and any(k == "j" for _, k in pairs):
        j = max(i for i, (_, k) in enumerate(pairs) if k == "j")
        flags.append(f"dropped unreadable token {pairs[j][0]!r}")
        del pairs[j]
    while len(pairs) > n:
        # a dash mark between two numbers is dust or a rule (eng-OCR reads "76,4 - 65,7" for
        # two cells): the genre's dashes stand before the numbers, in the target columns
        late = [i for i in range(1, len(pairs) - 1) if (pairs[i][1] == "d" or pairs[i][0] in ("-", "–"))
                and regex.search(r"\d\D*\d", pairs[i - 1][0]) and regex.search(r"\d\D*\d", pairs[i + 1][0])]
        if not late:
            break
        flags.append(f"dropped mark {pairs[late[-1]][0]!r} between values")
        del pairs[late[-1]]
    if len(pairs) != n:
        what = "qualitative text, not split into columns" if any(k == "q" for _, k in pairs) \
            else "values"
        flags.append(f"{len(pairs)} {what} for {n} columns")
    if len(pairs) > n:
        pairs = pairs[-n:]
    out = []
    for cell, kind in pairs:
        if kind == "j" and len(pairs) == n and len(cell) == 1 and not cell.isdigit():
            # one mark in a row of exactly n cells is a dash OCR read as a letter ("E", "a")
            flags.append(f"unreadable cell {cell!r} read as a dash")
            kind = "d"
        elif kind == "j":
            flags.append(f"unreadable cell {cell!r}")
        out.append("-" if kind == "d" else cell)
    if out and not any(k == "d" for _, k in pairs) and len(out) == n - 1:
        flags.append(LOST_FIRST)
        return [""] + out, flags
    return out + [""] * (n - len(out)), flags


@dataclass(slots=True)
class _Block:
    """The lines of one table row while they are collected."""
    group_no: str
    group: str
    names: list[str] = field(default_factory=list)
    unit: str = ""
    cells: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)   # region fragments not placed in a cell
    cells_at: int = -1     # names[cells_at:] are the lines after the first line with cells

    def add(self, ln: int, parts: LineParts, n: int) -> None:
        if parts.unit and not self.unit and len(parts.cells) == n and self.cells \
                and self.names and all(regex.fullmatch(r"[1-9]\d{1,3}", c) for c in self.cells):
            # the row's values come with its unit on this line: the numbers read before it
            # ended a wrapped name's line ("... trẻ em dưới 36" / "tháng tuổi % - 100 - -")
            self.names[-1] = f"{self.names[-1]} {' '.join(self.cells)}"
            self.cells, self.kinds, self.cells_at = [], [], -1
        if parts.unit and not self.unit and self.cells and all(k == "d" for k in self.kinds) \
                and sum(not (k == "d" and _DOT_MARK.fullmatch(c))
                        for c, k in zip(parts.cells, parts.kinds)) >= n:
            # a dash mark that ended a wrapped name's line ("… được hỗ -" / "trợ xây mới,
            # sửa chữa Căn 454 386 …") is dust when the unit's line holds all the values
            self.cells, self.kinds, self.cells_at = [], [], -1
        if parts.name:
            self.names.append(parts.name)
        if not self.unit or (self.unit == "m2" and parts.unit == "m2 sàn/người"):
            self.unit = parts.unit or self.unit    # "m2" / "sàn/người" on the next line
        if parts.cells and self.cells_at < 0:
            self.cells_at = len(self.names)
        # Dash marks on a wrapped name's last line after a full row are rules and dust.
        if not (len(self.cells) >= n and all(k == "d" for k in parts.kinds)):
            self.cells += parts.cells
            self.kinds += parts.kinds
        self.lines.append(ln)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.names).split())


def _unfinished(block: _Block) -> bool:
    """Does the block's name stop mid-phrase ("... người có công có")?"""
    words = block.text.split()
    return bool(words) and words[-1].lower().strip(",") in _OPEN_ENDINGS


def _opens_row(parts: LineParts, block: _Block | None, n: int) -> bool:
    """Does this line start a new row rather than go on with *block*?

    A capitalised name starts one, and so does a named line with values after a row that
    has its values (OCR lowers the first letter of "Tỷ lệ": "ở trẻ em ..."). A line with
    values starts none while the block lacks its values and either its name is unfinished
    or the line's words are OCR junk: eng-OCR sets the values on the middle line of a
    wrapped name, often garbling that line ("He Sng Dane Dope : 100 94,5"). A line without
    values after an unfinished name, or a lone word ("Xin" of "Vắc xin"), goes on with the
    row above.
    """
    if block is None:
        return True
    if len(block.cells) >= n - 1 and parts.name and (
            sum(k == "v" for k in parts.kinds) >= 2
            or (parts.unit == "Mức độ" and len(parts.cells) >= 2)):
        return True     # a second set of values is a row of its own, whatever its case
    if _RATE_OPENING.match(parts.name):
        return True     # "a lệ thất nghiệp ...": "Tỷ lệ" with its first word lost
    starts = _starts_new_name(parts.name) if parts.name else False
    if not starts or (parts.name[:1].isdigit() and not block.cells):
        return False    # "10.000 dân Người ..." goes on with "Số sinh viên ... trên"
    if parts.cells and not block.cells and block.names and _unfinished(block):
        return False
    if not parts.cells and not parts.unit and _unfinished(block) \
            and not skeleton(parts.name).startswith(("ti le", "ty le") + _HEADING_LEADS):
        return False    # "... y tế hoặc có" / "Sự trợ giúp của cán bộ y tế"
    if parts.cells and len(block.cells) < n - 1 and block.names and _garbled(parts.name):
        return False
    if not parts.cells and not parts.unit and block.cells and block.names \
            and _garbled(block.text) and not _garbled(parts.name) \
            and not skeleton(parts.name).startswith(("ti le", "ty le") + _HEADING_LEADS):
        return False    # "a ee ee % 80 100 …" / "Internet băng rộng cáp quang": the name's end
    lone_word = not parts.cells and not parts.unit and len(parts.name.split()) == 1
    # two words without values after a row that has its values are that name's wrapped
    # last line ("Ngân hàng" / "Thế giới"): no indicator is named in two words, and a
    # sub-row label ("Thành thị") comes with values
    tail = not parts.cells and not parts.unit and len(parts.name.split()) == 2 \
        and len(block.cells) >= n - 1 and skeleton(parts.name).strip() not in _SUBROW_SKELETONS
    return not ((lone_word or tail) and block.names)


_SUBROW_SKELETONS = frozenset(skeleton(s) for s in SUBROW_LABELS)


_REGION_WORDS = frozenset(("phia", "dong", "tay", "nam", "bac", "hai", "phong", "khu", "vuc",
                           "vung", "mien"))


def _region_fragment(text: str) -> bool:
    """A line of a cell split by region ("0,32% phía Đông; 0,38% phía Tây") that OCR spread
    over its own lines: "Tay", "- Tay - Tay", "Phong: | Phong:", "100% 100%". It belongs to
    the row above and is no row of its own."""
    words = [t.strip("|:;,.-") for t in text.split()]
    words = [w for w in words if w]
    if not words or not any(skeleton(w) in _REGION_WORDS for w in words):
        return False
    return all(skeleton(w) in _REGION_WORDS or is_value_token(w) or len(w) == 1 for w in words)


_REGION_MARKERS = frozenset(("phia", "khu", "vung", "mien"))


def _region_expected(text: str, recent: list[_Block]) -> bool:
    """Is a region fragment line (see :func:`_region_fragment`) really one? A line of bare
    place words ("Tây", "Nam") is one only after a cell of this row or the row above began
    a region split ("phía", "Đông;"): else it is a wrapped name's last word ("... trong" /
    "năm")."""
    words = [skeleton(t.strip("|:;,.-")) for t in text.split()]
    if any(w in _REGION_MARKERS or regex.search(r"\d", w) for w in words):
        return True
    seen = [skeleton(t) for b in recent for part in b.cells + b.loose for t in part.split()]
    return any(w.strip(";:,") in _REGION_MARKERS or w.endswith((";", ":")) for w in seen)


def _ends_table(text: str) -> bool:
    """The next appendix's title block, which OCR may set before its "Phụ lục II" line:
    "(Kèm theo Báo cáo số", a title in capitals."""
    sk = skeleton(text).strip()
    if sk.startswith(("(kem theo", "kem theo")):
        return True
    words = regex.findall(r"\p{L}{2,}", text)
    return len(words) >= 3 and all(w.isupper() for w in words) and (
        "nghi quyet" in sk or "danh muc" in sk or "chuong trinh" in sk)


# "Tỷ lệ" / "Tỉ lệ" opening a line with its first word garbled to a letter or two ("a lệ")
_RATE_OPENING = regex.compile(r"^\S{1,2}\s+(?:lệ|lé|1é|1e|lẽ|lễ)\s", regex.I)


def _garbled(name: str) -> bool:
    """Are half or more of these words OCR junk rather than Vietnamese ("FOPASAN Nợ")?
    Short capitals (BHXH, HDI) count as neither."""
    words = [w for w in regex.findall(r"\p{L}+", name) if not (w.isupper() and 2 <= len(w) <= 4)]
    return bool(words) and sum(is_syllable(w.lower()) for w in words) * 2 <= len(words)


def _strip_fragments(name: str) -> tuple[str, list[str]]:
    """Fragments of unread cells left on a name: returns (name, the fragments).

    At the end: punctuation, single letters, short lowercase non-words and tokens with
    quotes or semicolons ("... dưỡng Bê : : số e" keeps "Bê"; "... BHTN . ze - one" keeps
    "BHTN"; a garbled unit such as "I‘lzg ;‘;’:/" goes). Inside: lone marks no indicator
    name has (":", "*", "=", "‘"); a lone "-" stays ("văn hóa - thể thao").
    """
    toks = name.split()
    cut = []
    while len(toks) > 1 and (_TRAILING_FRAGMENT.match(toks[-1]) or _non_word(toks[-1])) \
            and not _marked_word(toks[-1]) \
            and not (toks[-1].isdigit() and toks[-2].lower() in _NUMBERED_WORDS):
        cut.insert(0, toks.pop())
    kept = []
    for t in toks:
        if _INNER_FRAGMENT.match(t):
            cut.append(t)
        else:
            kept.append(t)
    return " ".join(kept), cut


#: Words a number ends a name after ("vào lớp 1", "biết chữ mức độ 2"): the number is the
#: name's, not dust.
_NUMBERED_WORDS = frozenset(("lớp", "độ", "cấp", "nhóm", "loại", "hạng", "bậc"))


def _marked_word(tok: str) -> bool:
    """A one-letter word with its mark ("nhà ở"): a name word, not a fragment."""
    return len(tok) == 1 and not tok.isascii() and tok.isalpha() and is_syllable(tok.lower())


_INNER_FRAGMENT = regex.compile(r"^[:*=‘’'`~_;.,]+$")


def _non_word(tok: str) -> bool:
    """A short lowercase token that is no Vietnamese syllable ("ze", "yar", "ime")."""
    return tok.isalpha() and tok.islower() and len(tok) <= 4 and not is_syllable(tok)


def parse_indicator_lines(lines: list[tuple[int, str]], groups: list[str],
                          raw: dict[int, str] | None = None
                          ) -> tuple[tuple[ValueColumn, ...], list[ParsedRow]]:
    """Rebuild Appendix I rows from (line number, restored text) pairs of the appendix.

    Lines are grouped into rows (a capitalised name opens one; see :func:`_opens_row`),
    each line split at its unit into name and value region (:func:`split_row_line`), and
    a row's value tokens fitted to the header's columns (:func:`fit_cells`). Group headings
    and the header repeated on later pages are recognised and left out of the rows.
    *raw* maps line numbers to the OCR text before restoration, for cells and units.
    """
    title = title_end(lines)
    body_start = title + header_end(lines[title:], groups)
    header_text = " ".join(t for _, t in lines[title:body_start])
    counts = Counter(len(split_values(t)[2]) for _, t in lines[body_start:] if split_values(t)[2])
    n_values = next((k for k, _ in counts.most_common() if 3 <= k <= 6), 4)
    columns = header_columns(header_text, n_values, rows_sure=counts[n_values] >= 5)
    n = len(columns)
    skip = repeated_headers(lines, body_start)
    blocks: list[_Block] = []
    block: _Block | None = None
    group_no, group = "", ""
    last_group_int = 0
    after_heading = False
    pending: list[int] = []     # lines of the next row's unit read before it
    for k, (ln, text) in enumerate(lines[body_start:], start=body_start):
        text = text.strip()
        if not text or k in skip or is_header_line(text):
            continue
        if _ends_table(text):
            break
        if block is not None and _region_fragment(text) and _region_expected(text, blocks[-2:]):
            block.lines.append(ln)
            block.loose.append(text)
            continue
        parts = split_row_line(text, n, raw.get(ln) if raw else None)
        if not parts.cells and not parts.unit:
            top = _unit_top(text, raw.get(ln) if raw else None)
            if top == "":
                continue
            if top:
                text, parts = top, split_row_line(top, n)
        if block is not None and block.unit and (
                " " not in text and _unit_of([text]) is not None
                and skeleton(text).strip() in skeleton(block.unit)
                or _unit_end(text, block.unit)):
            block.lines.append(ln)      # the unit's wrapped last word ("m2 sàn/" / "người")
            continue
        if " " not in text.strip(" .;:,|-'‘’") and not parts.cells and k + 1 < len(lines) \
                and _unit_start(text, lines[k + 1][1], n, raw.get(lines[k + 1][0]) if raw else None):
            pending.append(ln)          # the first word of the next row's unit ("Bé")
            continue
        if not parts.cells and not parts.unit:
            # (a rule or mark may come before the next name: "‘| Chỉ tiêu số lượng ...")
            if after_heading and not _starts_new_name(_NOT_LETTER_LEAD.sub("", text)):
                group = f"{group} {text}"   # the heading's wrapped second line
                continue
            heading = _is_group_heading(text, groups, last_group_int)
            if heading and not heading[0] and _sub_row_next(lines, k):
                heading = None      # "Dân số" / "Thành thị % …": a parent, not a heading
            if heading and (block is None or block.cells or GROUP_HINT.match(text)
                            or not _unfinished(block)):
                no, gname = heading
                group_no = no or str(last_group_int + 1)
                group = gname
                last_group_int = group_int(group_no) or last_group_int + 1
                block, after_heading = None, True
                continue
        after_heading = False
        year = text.strip(" .,;:|")
        if block is not None and block.cells and _YEAR.fullmatch(year) \
                and skeleton(block.text).split()[-1:] == ["nam"]:
            # the year of "… so với năm" wrapped below the row's values ("… năm Lần 1,39 1,65
            # 2,0 1,8" / "2020"): the name's, not a value
            block.names.append(year)
            block.lines.append(ln)
            continue
        if block is not None and len(block.cells) >= n and not parts.name and not parts.unit \
                and 0 < len(parts.cells) <= 2 and all(k == "v" for k in parts.kinds):
            # a value or two on their own line after a row with all its values: the top of
            # a cell split by region ("100%" above "phía Đông"), the row's or the next one's
            block.lines.append(ln)
            block.loose.append(text)
            continue
        if _opens_row(parts, block, n):
            block = _Block(group_no, group)
            blocks.append(block)
        assert block is not None
        block.lines += pending
        pending = []
        block.add(ln, parts, n)
    rows = _blocks_to_rows(blocks, n)
    columns = columns_by_shapes(header_text, rows, n) or columns
    return columns, _lost_to_targets(rows, columns)


def _unit_end(word: str, unit: str) -> bool:
    """Is *word* alone on its line the last word of a unit of several words printed
    before it ("gái" under "trai/100 bé")?"""
    words = skeleton(unit).split()
    return len(words) > 2 and skeleton(word).strip(" ;:.,|-") == words[-1]


def _unit_start(word: str, below: str, n: int, raw_below: str | None) -> bool:
    """Is *word* alone on its line the first word of the unit of the row below ("Bé" over
    "Tỉ số giới tính khi sinh trai/100 bé| ...")? Only for a unit whose middle part names
    it (:data:`_UNIT_MIDDLES`)."""
    unit = split_row_line(below.strip(), n, raw_below).unit
    return unit in _UNIT_MIDDLES.values() and \
        skeleton(word).strip(" ;:.,|-'‘’") == skeleton(unit).split()[0]


#: A target cell: a bound ("<3", ">= 95") or a range ("35-40"); results are plain figures.
_TARGET_SHAPE = regex.compile(r"^\s*(?:[<>≤≥]=?|=)\s*\d|^\d+(?:[.,]\d+)?\s*[-–]\s*\d+(?:[.,]\d+)?%?$")
TARGET_SHARE = 0.1   # a column with at least this share of bounds and ranges holds targets
MIN_SHAPED = 4       # ...judged on at least this many figures


def columns_by_shapes(header_text: str, rows: list[ParsedRow], n: int
                      ) -> tuple[ValueColumn, ...] | None:
    """Columns named from the cells when the header's years are all there but their printed
    order says nothing (eng-OCR reads a two-line label's year after the next label's): which
    columns hold targets is told by their bounds and ranges ("<3", "35-40"), which results
    never have; the targets take the latest years, the results the others in order, the last
    an estimate when the header says so or it is for a target's or the report's year. None
    when the header's order or labels can be read, or the cells do not tell one block of
    targets from one block of results."""
    years = header_years(header_text)
    if not 2 <= n <= 6 or not n - 2 <= len(years) <= n or len(years) < 2:
        return None
    estimate, report_year = _header_estimate(header_text), _report_year(header_text)
    if len(years) == n and (_columns_in_order(years, estimate, report_year)
                            or _columns_labelled(header_text)):
        return None
    roles = []
    for k in range(n):
        cells = [r.cells[k].strip() for r in rows if k < len(r.cells)]
        figures = [c for c in cells if regex.search(r"\d", c)]
        if len(figures) < MIN_SHAPED:
            return None
        bounded = sum(bool(_TARGET_SHAPE.match(c)) for c in figures)
        roles.append("target" if bounded >= TARGET_SHARE * len(figures) else "result")
    blocks = [role for k, role in enumerate(roles) if k == 0 or role != roles[k - 1]]
    if len(blocks) != 2:
        return None
    t = roles.count("target")
    ordered = sorted(years)
    if len(ordered) <= t:
        return None
    targets, results = ordered[-t:], ordered[:-t]
    if len(results) < n - t:
        # years OCR lost are results': consecutive years up to the latest one read, or to
        # the report's own year (the estimate) when that is the next one
        last = max(results)
        if report_year == last + 1:
            last += 1
        results = list(range(last - (n - t) + 1, last + 1))
    cols = _named(targets, results,
                  estimate or (report_year is not None and results[-1] >= report_year))
    return cols if roles[0] == "target" else cols[t:] + cols[:t]


def _sub_label_opening(label: str) -> bool:
    """Does a name's skeleton open with a sub-row label of three words or more that OCR
    damaged ("vung dung bao khmer" for Vùng đồng bào Khmer)? Fuzzy, word for word."""
    words = label.split()
    for s in _SUBROW_SKELETONS:
        k = len(s.split())
        if k >= 3 and len(words) > k and fuzz.ratio(" ".join(words[:k]), s) >= 85:
            return True
    return False


def _sub_label(name: str) -> str:
    """A sub-row label OCR damaged ("Nó6ng thôn") put right, in its printed case."""
    key = skeleton(name).strip()
    if len(key) < 6 or len(key.split()) > 6:
        return name
    for label in SUBROW_LABELS:
        if key != skeleton(label) and fuzz.ratio(key, skeleton(label)) >= 85:
            return label[:1].upper() + label[1:] if name[:1].isupper() else label
    return name


# Word cells of the genre ("Mức độ" rows); a narrow column wraps them over two lines.
WORD_CELLS = ("Hoàn thành", "Cơ bản hoàn thành", "Giải quyết cơ bản", "Giải quyết", "Xóa bỏ toàn bộ",
              "Bảo đảm vững chắc", "Bảo đảm", "Đạt", "Không còn")
_WORD_CELL_WORDS = tuple((skeleton(p).split(), p) for p in WORD_CELLS)


def _same_word(ocr: str, word: str) -> bool:
    key = skeleton(ocr).strip("|.,:;!?'\"“”‘’()")
    # one letter off only between words of three letters or more: "bỏ" (a dash read as b)
    # is no "Bảo"
    return key == word or (min(len(word), len(key)) >= 3 and Levenshtein.distance(key, word) <= 1)


def _word_cell_prefixes(tokens: list[str], i: int) -> list[tuple[int, str, list[str]]]:
    """(words used, phrase, words still to come) of each word cell *tokens[i:]* opens."""
    out = []
    for words, phrase in _WORD_CELL_WORDS:
        k = 0
        while k < len(words) and i + k < len(tokens) and _same_word(tokens[i + k], words[k]):
            k += 1
        if k:
            out.append((k, phrase, words[k:]))
    return out


def _word_cell_items(tokens: list[str]) -> list[list[tuple[int, str, list[str]]]] | None:
    """The cells a row's value tokens make when its word cells are read as the genre's
    phrases: for each cell the phrases it may be (see :func:`_word_cell_prefixes`); a
    number is itself, a mark or a short non-phrase token a dash. None when a word opens
    no phrase."""
    items: list[list[tuple[int, str, list[str]]]] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        cands = _word_cell_prefixes(tokens, i) if _kind(t) != "v" else []
        if not cands and (_kind(t) == "v" or t in _DASH_MARKS
                          or (len(t) <= 2 and not regex.search(r"\d", t))):
            items.append([(1, "-" if _kind(t) != "v" else _repair_value(t), [])])
            i += 1
            continue
        if not cands:
            return None
        k = max(c[0] for c in cands)
        items.append([c for c in cands if c[0] == k])
        i += k
    return items


def _complete_word_cells(block: _Block, n: int) -> None:
    """Rebuild a row's word cells ("Giải quyết cơ bản") from the genre's phrases when OCR
    ran them together or wrapped them: the first line holds each cell's first words
    ("Hoàn | Giải quyết | Hoàn"), the next line ends with the rest ("... thành cơ bản
    thành"), which is taken off the name. Left unchanged unless this gives n cells."""
    tokens = [t for c in block.cells for t in c.replace("|", " ").split()]
    cont = block.names[block.cells_at:] if block.cells_at >= 0 else []
    tail = " ".join(cont).split()
    items = _word_cell_items(tokens)
    if items is not None and len(items) != n:
        # dots and quotes between word cells are dust, not dash cells
        items = _word_cell_items([t for t in tokens if regex.search(r"\w", t)])
    if items is None or len(items) != n or all(c[0][2] == [] and len(c) == 1 and c[0][0] == 1
                                               and not c[0][1][:1].isalpha() for c in items):
        return      # no word cell in the row
    # the words still to come end the next line, in cell order: match them from the right
    cells: list[str] = []
    used = 0
    for cands in reversed(items):
        pick = None
        for _, phrase, rest in sorted(cands, key=lambda c: -len(c[2])):
            end = len(tail) - used
            if rest and end - len(rest) >= 0 and all(
                    _same_word(a, b) for a, b in zip(tail[end - len(rest):end], rest)):
                pick, used = phrase, used + len(rest)
                break
            if not rest:
                pick = phrase
                break
        if pick is None:
            return
        cells.append(pick)
    cells.reverse()
    if used:
        kept = tail[:len(tail) - used]
        block.names[block.cells_at:] = [" ".join(kept)] if kept else []
    block.cells = cells
    block.kinds = ["d" if c == "-" else ("v" if _kind(c) == "v" else "q") for c in cells]


def _blocks_to_rows(blocks: list[_Block], n: int) -> list[ParsedRow]:
    """Rows from blocks: cells fitted, sub-rows named after their parent."""
    out: list[ParsedRow] = []
    parent: ParsedRow | None = None
    parent_name = ""
    for b in blocks:
        if any(k in "jq" for k in b.kinds):
            _complete_word_cells(b, n)
        # (a rule or dust read before the name: ") Khống chế", "‘| Chỉ tiêu")
        name, fragments = _strip_fragments(b.text.strip(" |-").lstrip(" " + _RULE_MARKS))
        if b.cells:
            cells, flags = fit_cells(b.cells, b.kinds, n)
        else:
            cells, flags = [], []
        if fragments:
            flags.append("unread text left out of the name: " + " ".join(fragments))
        if b.loose:
            flags.append("cell text by region not placed: " + " / ".join(b.loose))
        if parent is not None and parent.group != b.group:
            parent = None
        name = _sub_label(name)
        label = skeleton(name).strip()
        # a two-word label with OCR junk after it ("Thành thị nợ nợ Đọng") is a sub-row too
        # ("Trong đó: có văn bằng" is one by its label)
        bare = label.replace(":", " ")
        known_sub = any(label == skeleton(s) or (" " in s and bare.startswith(skeleton(s) + " "))
                        for s in SUBROW_LABELS) or _sub_label_opening(bare)
        self_named = label.startswith(("ti le", "ty le", "chi so", "muc ", "so "))
        is_sub = parent is not None and (
            known_sub
            or (not parent.cells and not self_named and name[:1].islower())
            or (not parent.cells and heads_count_row(parent_name, name)))
        full = f"{parent_name} - {name}" if is_sub else name
        row = ParsedRow(b.group_no, b.group, full, b.unit, tuple(cells), tuple(b.lines),
                        tuple(flags), is_parent=not cells)
        out.append(row)
        if not is_sub:
            parent, parent_name = row, name
    return _without_debris(out)


def heads_sub_rows(rows: list[ParsedRow], k: int) -> bool:
    """Does row *k* head sub-rows (the next row is named "<its name> - <child>")?"""
    return k + 1 < len(rows) and rows[k + 1].indicator.startswith(rows[k].indicator + " - ")


def _without_debris(rows: list[ParsedRow]) -> list[ParsedRow]:
    """Rows without values, unit or sub-rows named in at most two words are OCR debris —
    the top of a word cell printed over several lines ("Bảo" / "đảm" of Bảo đảm vững chắc),
    region words ("Tây - Tây"): no indicator is named in two words. Their text goes into
    the flags of the row above (the row below when there is none); nothing is dropped."""
    out: list[ParsedRow] = []
    pending: list[str] = []
    for k, row in enumerate(rows):
        if not row.cells and not row.unit and len(regex.findall(r"\p{L}+", row.indicator)) <= 2 \
                and not heads_sub_rows(rows, k):
            text = "text between rows not placed: " + row.indicator
            if out:
                out[-1] = replace(out[-1], lines=out[-1].lines + row.lines,
                                  flags=out[-1].flags + (text,))
            else:
                pending.append(text)
            continue
        if pending:
            row, pending = replace(row, flags=tuple(pending) + row.flags), []
        out.append(row)
    return out


_DATE = regex.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")
_DATE_ANY = regex.compile(r"^\s*[\d/ ]{4,12}\s*$")
_CODE = regex.compile(r"\d+(?:/\d{4})?[-/][\p{Lu}Đ][\p{L}&]*(?:[-/][\p{Lu}Đ][\p{L}&]*)*")
DOC_TYPES = ("Chương trình hành động", "Kế hoạch", "Quyết định", "Chỉ thị", "Nghị quyết",
             "Công văn", "Thông báo", "Hướng dẫn", "Đề án", "Chương trình", "Báo cáo")


def _close_slashes(text: str) -> str:
    """*text* with the slashes OCR set apart in codes closed up ("146 /KH-UBND")."""
    return text.replace(" /", "/").replace("/ ", "/")


def find_codes(text: str) -> list[str]:
    """The document codes in *text*, in order, a slash OCR set apart closed up."""
    return [m.group(0) for m in _CODE.finditer(_close_slashes(text))]


def parse_code(title: str) -> str:
    """The document code in a title: 'Kế hoạch số 146/KH-UBND của ...' → '146/KH-UBND'."""
    codes = find_codes(title)
    return codes[0] if codes else ""


#: The letters of document codes in this genre (agencies, document types, fields), to
#: repair what eng-OCR makes of them (see :func:`repair_doc_code`).
CODE_PARTS = frozenset((
    "UBND", "HĐND", "NQ", "CP", "TW", "KH", "BC", "TU", "CTr", "QĐ", "NĐ", "CT", "QH", "TT",
    "TTg", "TB", "HD", "TTr", "KL", "ĐA", "BNV", "SNV", "SLĐTBXH", "LĐTBXH", "BLĐTBXH",
    "BTXH", "VX", "KGVX", "VHXH", "CTXH", "CSXH", "SYT", "BYT", "SGDĐT", "BGDĐT", "BTC",
    "STC", "SKHĐT", "BKHĐT", "BTP", "STP", "BTNMT", "STNMT", "BHXH", "LĐVL", "VL", "GDNN",
    "MTTQ", "UBMTTQ", "VP", "VPCP", "BCĐ", "BDT", "BTGTU", "DVVL", "TCCB", "KTXH"))
_PART_BY_SKELETON = {p.upper().replace("Đ", "D"): p for p in CODE_PARTS}
#: "HĐND" as eng-OCR reads it: its Đ a run of strokes ("NQ-HDNBDND", "NQ-HPDND")
_HDND_READ = regex.compile(r"H[DPB][A-Z]{0,5}ND")


def repair_doc_code(code: str) -> str:
    """A document code's letter parts read back through eng-OCR's damage: Đ read as D, B or
    P (SLDTBXH → SLĐTBXH, Qb → QĐ), HĐND's Đ as a run of strokes (HDNBDND → HĐND), a part
    one letter off a known one of four letters or more (UBN, UBNI → UBND). Parts not close
    to exactly one of :data:`CODE_PARTS` are kept as printed."""
    def fix(m: regex.Match) -> str:
        part = m.group(0)
        if part in CODE_PARTS:
            return part
        flat = part.upper().replace("Đ", "D")
        if flat in _PART_BY_SKELETON:
            return _PART_BY_SKELETON[flat]
        as_d = regex.sub(r"(?<=.)[BP](?=[A-Z]|$)", "D", flat)
        if "Đ" in _PART_BY_SKELETON.get(as_d, ""):
            return _PART_BY_SKELETON[as_d]     # Đ read as B or P
        if _HDND_READ.fullmatch(flat) and len(part) >= 5:
            return "HĐND"
        near = {p for k, p in _PART_BY_SKELETON.items()
                if len(k) >= 4 and Levenshtein.distance(flat, k, score_cutoff=1) <= 1}
        return near.pop() if len(near) == 1 and len(part) >= 3 else part
    return regex.sub(r"(?<=[-/])[\p{L}&]+", fix, code)


#: The letters a document type's code carries after its number (146/KH-UBND, 41-CTr/TU);
#: a Công văn's code opens with its agency instead (86/UBND-VHXH).
TYPE_CODES = {"Chương trình hành động": "CTR", "Chương trình": "CTR", "Kế hoạch": "KH",
              "Quyết định": "QĐ", "Chỉ thị": "CT", "Nghị quyết": "NQ", "Thông báo": "TB",
              "Hướng dẫn": "HD", "Đề án": "ĐA", "Báo cáo": "BC", "Kết luận": "KL",
              "Tờ trình": "TTR"}
_TYPE_SEGMENTS = frozenset(TYPE_CODES.values())
_TYPE_OF_CODE = {c: t for t, c in reversed(TYPE_CODES.items())}   # CTR: Chương trình hành động


def _type_segment(code: str) -> str:
    """The first letters of a code after its number, in capitals ("41-CTr/TU" → "CTR")."""
    m = regex.search(r"[\p{L}&]+", code)
    return m.group(0).upper() if m else ""


def _type_wanted(doc_type: str) -> set[str]:
    """The type letters a code of *doc_type* may carry (none for a type without them)."""
    want = TYPE_CODES.get(doc_type)
    # (OCR mistakes a Nghị quyết for a Quyết định and back: the two share "quyết")
    return {want, *(("NQ", "QĐ") if want in ("NQ", "QĐ") else ())} if want else set()


def code_of_type(lines: list[str], at: int, doc_type: str) -> str:
    """The document's own code among the codes of its row's lines (*at*: the line with its
    date and type): the nearest to that line whose letters after the number are its type's
    (a Kế hoạch's KH) — the title may name other documents ("Kế hoạch triển khai Nghị
    quyết số 68/NQ-CP") and a neighbour's code may stray in — else the nearest that names
    no type; "" when there is none (a code of another type is a title's reference)."""
    found = [(abs(k - at), -k, c) for k, line in enumerate(lines) for c in find_codes(line)]
    codes = [c for *_, c in sorted(found)]
    wants = _type_wanted(doc_type)
    own = [c for c in codes if _type_segment(c) in wants]
    if own:
        return own[0]
    free = [c for c in codes if _type_segment(c) not in _TYPE_SEGMENTS]
    return free[0] if free else ""


def _code_fits(code: str, doc_type: str) -> bool:
    """Is *code* of a document of *doc_type*: its type's letters after the number (a Kế
    hoạch's KH), or for a type without them (a Công văn) letters that name no type?"""
    wants = _type_wanted(doc_type)
    seg = _type_segment(code)
    return seg in wants if wants else seg not in _TYPE_SEGMENTS


#: "… số 214/KH-UBND ngày 17/7/2024" (or "ngày 17 tháng 7 năm 2024"): a code cited in running
#: text, with its date.
_CITED_DATE = regex.compile(r"\s*,?\s*ngày\s+(?:(\d{1,2}\s*/\s*\d{1,2}\s*/\s*(?:19|20)\d\d)(?![\d/])"
                            r"|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)(?!\d))")


@dataclass(frozen=True, slots=True)
class Citation:
    """A document the report's text cites: the date and issuer printed with its code ("" for
    none)."""
    date: str = ""
    issuer: str = ""


#: An issuer named in running text: a party committee (with its Ban Thường vụ), a people's
#: council or committee of a unit; then its place, up to three capitalised words.
_ISSUER = (r"(?:Ban Thường vụ\s+)?(?:Tỉnh|Thành|Huyện)\s+ủy"
           r"|(?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân)\s+(?:tỉnh|thành phố|huyện|thị xã|xã|phường)")
_PLACE = r"(?:\s+(?!Kế|Quyết|Nghị|Chỉ|Chương|Công|Hướng|Thông)\p{Lu}\p{Ll}*){0,3}"
#: "UBND tỉnh Tuyên Quang (đã) ban hành Kế hoạch số" before a code ...
_ISSUER_BEFORE = regex.compile(r"(?<![\p{L}])(" + _ISSUER + r")(" + _PLACE + r")\s+(?:đã\s+)?"
                               r"(?:ban hành|thông qua)\s+(?:\p{L}+\s+){1,4}?số\s*$")
#: ... and "… ngày 17/6/2024 của UBND tỉnh Lâm Đồng" after it (its date cited first).
_ISSUER_AFTER = regex.compile(r"\s*của\s+(" + _ISSUER + r")(" + _PLACE + r")(?![\p{L}])")
_ISSUER_SHORT = (("Ủy ban nhân dân", "UBND"), ("Hội đồng nhân dân", "HĐND"))


def _issuer_name(head: str, place: str) -> str:
    """An issuer as Phụ lục II names it: "Ủy ban nhân dân tỉnh" as "UBND tỉnh", its place
    after it."""
    for long, short in _ISSUER_SHORT:
        if head.startswith(long):
            head = short + head[len(long):]
    return " ".join(f"{head} {place}".split())


def _cited_date(m: regex.Match) -> str:
    """A date cited in running text as d/m/yyyy ("17 tháng 7 năm 2024" → "17/7/2024")."""
    if m.group(1):
        return regex.sub(r"\s+", "", m.group(1))
    return f"{int(m.group(2))}/{int(m.group(3))}/{m.group(4)}"


def body_citations(text: str) -> dict[str, Citation]:
    """The documents the report's text cites: code (its letters read back through OCR
    damage, :func:`repair_doc_code`) → the date printed with it and its issuer, named
    before it ("UBND tỉnh Tuyên Quang ban hành Kế hoạch số 214/KH-UBND") or after its date
    ("… ngày 17/6/2024 của UBND tỉnh Lâm Đồng"). A code cited with two issuers keeps none."""
    text = " ".join(_close_slashes(text).split())
    dates: dict[str, str] = {}
    issuers: dict[str, set[str]] = {}
    for m in _CODE.finditer(text):
        if not regex.search(r"[-/]\p{L}", m.group(0)):
            continue
        code = repair_doc_code(m.group(0))
        d = _CITED_DATE.match(text, m.end())
        if d or code not in dates:
            dates[code] = _cited_date(d) if d else dates.get(code, "")
        found = issuers.setdefault(code, set())
        before = _ISSUER_BEFORE.search(text[max(0, m.start() - 120):m.start()])
        if before:
            found.add(_issuer_name(before.group(1), before.group(2)))
        after = _ISSUER_AFTER.match(text, d.end()) if d else None
        if after:
            found.add(_issuer_name(after.group(1), after.group(2)))
    return {c: Citation(dates[c], _one_issuer(issuers[c])) for c in dates}


def _one_issuer(names: set[str]) -> str:
    """The issuer all these namings of it name, the fullest ("HĐND tỉnh" and "HĐND tỉnh
    Thanh Hóa"), or "" when they name two."""
    full = max(names, key=len, default="")
    return full if all(_words_within(n, full) for n in names) else ""


def _code_garbled(code: str, doc_type: str, cited: str) -> bool:
    """Is a row's *code* one OCR lost or garbled, as against the *cited* code of its type and
    date: empty, of another type's letters or letters no code has ("954/Q-HĐND",
    "96/GI-UBND"), or the cited code with one digit of its number misread? A clean code the
    text does not cite (a Công văn of the same day) is the row's own."""
    if not code or not _code_fits(code, doc_type):
        return True
    if any(p not in CODE_PARTS for p in regex.findall(r"(?<=[-/])[\p{L}&]+", code)):
        return True
    (num, rest), (cnum, crest) = _code_number(code), _code_number(cited)
    return rest == crest and Levenshtein.distance(num, cnum) <= 1


def _code_number(code: str) -> tuple[str, str]:
    """A code's number and the rest after its first separator ("41-CTr/TU" → 41, CTr/TU;
    "17/2024/NQ-HĐND" → 17, 2024/NQ-HĐND)."""
    num, _, rest = code.partition("-" if "-" in code.split("/")[0] else "/")
    return num, rest


def cite_documents(records: list[DocumentRecord], cited: dict[str, Citation]) -> list[DocumentRecord]:
    """Phụ lục II rows from linearised OCR text completed from the report's own text, which
    cites the documents it lists ("UBND tỉnh ban hành Kế hoạch số 214/KH-UBND ngày
    17/7/2024"; :func:`body_citations`):

    - a row whose code OCR lost or garbled (:func:`_code_garbled`: "", "954/Q-HĐND",
      "96/GI-UBND") takes the one code of its type that the text cites with the row's date
      and that no other row has;
    - a row whose date cell OCR lost takes the date its code is cited with;
    - a row whose lead agency's cell was unread takes the issuer its code is cited with
      ("UBND tỉnh Tuyên Quang", "Ban Thường vụ Tỉnh ủy"), over the issuer the code names
      (:func:`issuer_of_code`: "UBND tỉnh", "Tỉnh ủy") when it holds that; failing that, a
      row given a code takes the issuer the new code names. A lead read from its cell is
      kept as printed ("UBND thành phố", though the text says "… thành phố Hải Phòng").

    Each such row is flagged with what was taken and what the cell held."""
    used = {r.code for r in records if r.code in cited}
    out = []
    for r in records:
        flags = list(r.flags)
        code, issued_on, raw = r.code, r.issued_on, r.issued_on_raw
        if code not in cited and r.issued_on and r.doc_type:
            same = [c for c, ct in cited.items() if ct.date and iso_date(ct.date) == r.issued_on
                    and c not in used and _code_fits(c, r.doc_type)]
            if len(same) == 1 and _code_garbled(code, r.doc_type, same[0]):
                code = same[0]
                used.add(code)
                flags.append(f"code {code} as the report's text cites it with this date"
                             + (f" (the cell read {r.code!r})" if r.code else " (the cell unread)"))
        ct = cited.get(code, Citation())
        if ct.date and not (issued_on and len(issued_on) == 10):
            iso = iso_date(ct.date)
            if iso and (not issued_on or iso.startswith(issued_on)):
                flags.append(f"issued date {ct.date} as the report's text cites {code}"
                             + (f" (the cell read {raw!r})" if raw else " (the cell unread)"))
                issued_on, raw = iso, ct.date
        lead, level = r.lead_agency, r.level
        from_code = _code_issuer_flag(lead, r.code)
        by_code = from_code in flags    # its cell unread, the lead the issuer its code names
        new = None
        if ct.issuer and (not lead or (by_code and _words_within(lead, ct.issuer))):
            new = ct.issuer
            note = f"lead agency {new} as the report's text names the issuer of {code} " \
                "(the cell unread)"
        elif code != r.code and (not lead or by_code):
            # (the lead agency's cell unread too: the issuer the new code names)
            new = issuer_of_code(code, level)
            note = _code_issuer_flag(new, code) if new else ""
        if new is not None:
            if by_code:
                flags.remove(from_code)
            if note:
                flags.append(note)
            lead = new
        level = level or level_of_agency(lead)
        out.append(replace(r, code=code, issued_on=issued_on, issued_on_raw=raw,
                           lead_agency=lead, level=level, flags=tuple(flags))
                   if flags != list(r.flags) else r)
    return out


def _code_issuer_flag(lead: str, code: str) -> str:
    """The flag of a lead agency read from the code, its cell unread."""
    return f"lead agency {lead} as the code {code} names its issuer (the cell unread)"


def _words_within(short: str, full: str) -> bool:
    """Are the words of *short* ("" included) a run of the words of *full*, by skeleton
    ("UBND tỉnh" in "UBND tỉnh Tuyên Quang", "Tỉnh ủy" in "Ban Thường vụ Tỉnh ủy")?"""
    a, b = skeleton(short).split(), skeleton(full).split()
    return any(b[i:i + len(a)] == a for i in range(len(b) - len(a) + 1))


def iso_date(raw: str) -> str:
    """An issued date as ISO 8601: d/m/yyyy → yyyy-mm-dd, m/yyyy → yyyy-mm, yyyy as it is;
    "" for anything else."""
    m = _DATE.match(raw)
    if m:
        d, mth, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return f"{y:04d}-{mth:02d}-{d:02d}" if 1 <= d <= 31 and 1 <= mth <= 12 else ""
    m = regex.match(r"^\s*(\d{1,2})\s*/\s*(\d{4})\s*$", raw)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{int(m.group(2)):04d}-{int(m.group(1)):02d}"
    m = regex.match(r"^\s*(\d{4})\s*$", raw)
    return m.group(1) if m else ""


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if not out:
            out = p
        elif out.endswith("-") and not out.endswith(" -"):
            out += p
        else:
            out += " " + p
    return " ".join(out.split())


def parse_document_lines(lines: list[tuple[int, str]], source: str) -> list[DocumentRecord]:
    """Rebuild Appendix II rows read out cell by cell (paragraphs between blank lines)."""
    paras: list[tuple[list[int], str]] = []
    cur: list[tuple[int, str]] = []
    for ln, text in lines + [(0, "")]:
        if text.strip():
            cur.append((ln, text))
        elif cur:
            paras.append(([l for l, _ in cur], _join([t for _, t in cur])))
            cur = []
    # Skip the title and the header cells (up to "Loại văn bản").
    start = 0
    for k, (_, text) in enumerate(paras):
        if skeleton(text).startswith("loai van ban"):
            start = k + 1
            break
    body = paras[start:]
    records = []
    prev_end = 0
    date_idx = [k for k, (_, t) in enumerate(body) if _DATE_ANY.match(t) and "/" in t]
    for n, k in enumerate(date_idx, start=1):
        span = body[prev_end:k]
        doc_type = body[k + 1][1] if k + 1 < len(body) and not _DATE_ANY.match(body[k + 1][1]) else ""
        prev_end = k + 2 if doc_type else k + 1
        if not span:
            continue
        no = ""
        if regex.fullmatch(r"\d{1,3}\.?", span[0][1]):
            no = span[0][1].rstrip(".")
            span = span[1:]
        if not span:
            continue
        title = span[0][1]
        level = span[-1][1] if len(span) >= 3 else ""
        lead = span[1][1] if len(span) >= 2 else ""
        partner = "; ".join(t for _, t in span[2:-1]) if len(span) >= 4 else ""
        raw = " ".join(body[k][1].split())
        line_nums = tuple(l for ls, _ in span for l in ls) + tuple(body[k][0])
        records.append(DocumentRecord(source, no or str(n), title,
                                      repair_doc_code(parse_code(title)), lead, partner, level,
                                      iso_date(raw), raw, doc_type or doc_type_of(title), 0,
                                      line_nums))
    return records


# The issued date of an Appendix II row: d/m/yyyy or m/yyyy standing alone (not inside a
# code such as 24/2024/NQ-HĐND); the title's "ngày 09/5/2024" is no issued date.
_ISSUED = regex.compile(r"(?<![\d/])(\d{1,2}\s*/\s*\d{1,2}\s*/\s*(?:19|20)\d\d|\d{1,2}/(?:19|20)\d\d)(?![\d/])")
#: A date cell that holds only the year (see :func:`parse_document_rows`).
_YEAR_ISSUED = regex.compile(r"(?<![\d/.,-])((?:19|20)\d\d)(?![\d/.,-])")
_NO_LEAD = regex.compile(r"^\W*\d{1,2}\s*[|.)]?\s+")    # a row's number before its title
#: A line that opens a document's title: its type and "số" ("Kế hoạch số 95/KH-UBND").
_TITLE_OPENING = regex.compile(r"\W*(?:{}) so\b".format("|".join(
    sorted({" ".join(skeleton(t).split()) for t in DOC_TYPES}, key=len, reverse=True))))

LEVELS = ("Tỉnh", "Thành phố", "Huyện", "Sở", "Xã", "Trung ương")
_ROW_NO = regex.compile(r"^\W{0,2}(\d{1,2})\s*[|.)]?\s+\S")


#: The head of an agency's name in the lead agency's cell
_AGENCY_HEAD = regex.compile(
    r"(?<![\p{L}])(?:(UBND|HĐND|BHXH|Ủy ban nhân dân|Hội đồng nhân dân)\s+"
    r"(t[iíìỉĩị]nh|thành phố|huyện|thị xã|quận|xã|phường)"
    r"|(?:Ban Thường vụ\s+)?(Tỉnh|Thành|Huyện)\s+ủy|(S[ởốớ])(?=\s+\p{Lu}))(?![\p{L}])")
#: The words that start another agency's name or the level: where a lead agency ends.
_AGENCY_STOP = frozenset(("sở", "số", "ban", "phòng", "bộ", "ủy", "hội", "các", "tỉnh", "huyện",
                          "xã", "phường", "ubnd", "hđnd", "bhxh", "đài", "báo", "thành", "trung"))
_SO_LDTBXH = "Sở Lao động - Thương binh và Xã hội"
#: The unit after an agency's UBND or HĐND, by its skeleton.
_UNIT_WORDS = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã", "phuong": "phường"}


def lead_agency(line: str, code: str = "", below: str = "") -> str:
    """The lead agency of a Phụ lục II row from its date line (*line*, up to the date; its
    cells side by side: title, code, lead, partner, level): the first agency named after
    the code, or after the title's "của ..." when the code is elsewhere. "UBND tỉnh" /
    "Tỉnh ủy" take the place after them when the domain list knows it (a place OCR garbled
    is left out: "UBND tỉnh"), a Sở its name's words up to the next agency; "" when no
    agency stands on the line. A place wrapped in its cell ("UBND huyện Krông" / "Pa") is
    completed when *below*, the next line, holds the rest of one name."""
    at = line.rfind(code) + len(code) if code and code in line else 0
    line = f"{line[:at]} {line[at:]}"     # the lead's UBND run into the code, cut off it
    after = line[at:].strip(" |]").split()
    unit = _UNIT_WORDS.get(skeleton(after[0]).strip(",;.:|")) if after else None
    if at and unit and regex.search(r"(?i)[-/]\p{L}*(?:UBND|H\p{L}{2,}ND)$", code):
        # the lead's UBND / HĐND run into the code beside it ("2156/QĐ-UBNDUBND tỉnh",
        # "27/2024/NQ-HDNHDND tính"): its unit and place follow the code
        head = "HĐND" if repair_doc_code(code).endswith("HĐND") \
            and not code.upper().endswith("UBND") else "UBND"
        return f"{head} {unit} {_known_place(after[1:], below)}".strip()
    for m in _AGENCY_HEAD.finditer(line, at):
        if skeleton(line[max(0, m.start() - 5):m.start()]).strip().endswith(("cua", "cia", "ctia")):
            continue    # the title's "của UBND tỉnh ...": the issuer named in the title
        head = m.group(0)
        rest = line[m.end():].split()
        words = []
        for w in rest:
            w = w.strip(",;.:|]")
            if not w or not regex.fullmatch(r"\p{L}+", w) or w.lower() in _AGENCY_STOP:
                break
            words.append(w)
        if m.group(4):      # a Sở: its name's words (Sở Nội vụ, Sở Y tế, Sở Tài chính)
            name = " ".join(words[:4])
            if skeleton(name).startswith("lao dong"):
                return _SO_LDTBXH
            return f"Sở {name}" if 1 <= len(words) <= 4 and words[0][:1].isupper() else ""
        if skeleton(m.group(2) or "") == "tinh":
            head = f"{m.group(1)} tỉnh"     # "UBND tính": the unit's mark misread
        place = _known_place(words, below)
        return f"{head} {place}".strip() if place or not words or not words[0][:1].isupper() \
            else head
    return ""


#: Issuers named by the agency part of a document code (Decree 30/2020/NĐ-CP: a code is
#: number/type-issuer, or number/issuer-unit for a Công văn): the Sở of this genre.
_CODE_ISSUERS = {"SLĐTBXH": _SO_LDTBXH, "SNV": "Sở Nội vụ", "SYT": "Sở Y tế",
                 "SGDĐT": "Sở Giáo dục và Đào tạo", "STC": "Sở Tài chính",
                 "SKHĐT": "Sở Kế hoạch và Đầu tư", "STP": "Sở Tư pháp",
                 "STNMT": "Sở Tài nguyên và Môi trường"}
#: Issuers of every level, named with the unit of the row's level (UBND tỉnh, BHXH huyện);
#: a party committee (TU) by it too. (Not at the level Xã, which holds phường and đặc khu.)
_UNIT_ISSUERS = ("UBND", "HĐND", "BHXH")
_LEVEL_UNITS = {"Tỉnh": "tỉnh", "Thành phố": "thành phố", "Huyện": "huyện"}
_LEVEL_PARTY = {"Tỉnh": "Tỉnh ủy", "Thành phố": "Thành ủy", "Huyện": "Huyện ủy"}
#: The unit an agency's name holds, or a Sở: the level it issues at (_LEVEL_OF_GROUP).
_AGENCY_LEVEL = regex.compile(
    r"(?i)\b(?:(tỉnh)|(thành phố)|(huyện|thị xã|quận)|(xã|phường|đặc khu|thị trấn))\b"
    r"|\b(thành) ủy\b|^(sở)\b")
_LEVEL_OF_GROUP = ("Tỉnh", "Thành phố", "Huyện", "Xã", "Thành phố", "Sở")


def level_of_agency(agency: str) -> str:
    """The level an agency issues at, for a row whose level cell OCR lost: a Sở's is Sở, a
    UBND's, HĐND's or party committee's that of its unit ("UBND tỉnh Hà Giang" → Tỉnh,
    "UBND huyện Tri Tôn" → Huyện, "UBND phường Châu Đốc" → Xã, "Thành ủy" → Thành phố);
    "" when the agency names none."""
    m = _AGENCY_LEVEL.search(agency)
    if not m:
        return ""
    return _LEVEL_OF_GROUP[next(i for i, g in enumerate(m.groups()) if g)]


def issuer_of_code(code: str, level: str) -> str:
    """The issuing agency a document's code names, for a row whose lead agency's cell OCR
    could not read: "97/KH-SLĐTBXH" → Sở Lao động - Thương binh và Xã hội, "1462/SNV-CTXH"
    → Sở Nội vụ, "105/KH-UBND" at the level Tỉnh → "UBND tỉnh" (the place, not in the code,
    is not guessed), "61-CTr/TU" → "Tỉnh ủy"; "" when the code names none this genre knows
    or the level does not give a UBND's, HĐND's or party committee's unit."""
    parts = regex.findall(r"[\p{L}&]+", code)
    if not parts:
        return ""
    agency = parts[1] if parts[0].upper() in _TYPE_SEGMENTS and len(parts) > 1 else parts[0]
    if agency in _UNIT_ISSUERS:
        unit = _LEVEL_UNITS.get(level, "")
        return f"{agency} {unit}" if unit else ""
    if agency == "TU":
        return _LEVEL_PARTY.get(level, "")
    return _CODE_ISSUERS.get(agency, "")


def _known_place(words: list[str], below: str = "") -> str:
    """The longest run of capitalised words opening *words* that names a place of the domain
    list ("Hà Giang", "Đắk Nông"), or ""; when a name's first words end *words* and its
    other words stand on the line *below* (the cell wrapped), that name if it is one only."""
    names = proper_names()
    for n in (4, 3, 2):
        run = words[:n]
        if len(run) == n and all(w[:1].isupper() for w in run) \
                and tuple(skeleton(w) for w in run) in names:
            return " ".join(names[tuple(skeleton(w) for w in run)])
    keys = [skeleton(w) for w in words[:3]]
    under = set(skeleton(below).replace("|", " ").split())
    if keys and words[0][:1].isupper() and len(words) <= 3:
        fits = {v for k, v in names.items() if len(k) > len(keys) and list(k[:len(keys)]) == keys
                and set(k[len(keys):]) <= under}
        if len(fits) == 1:
            return " ".join(fits.pop())
    return ""


def _level_before(text: str) -> str:
    """The level a date's cell follows ("... Tỉnh |" before "15/3/2024"), or ""."""
    words = skeleton(text.rstrip(" |:;.,")).split()
    for lv in LEVELS:
        n = len(lv.split())
        if words[-n:] and fuzz.ratio(" ".join(words[-n:]), skeleton(lv)) >= 75:
            return lv
    return ""


def _doc_type_at(text: str) -> str:
    """The document type a cell's text opens with, read through OCR damage ("Kéhoach",
    "Neb quyet"), or ""."""
    sk = " ".join(skeleton(text).replace("|", " ").split())
    best, best_score = "", 0.0
    for t in DOC_TYPES:
        key = skeleton(t)
        score = fuzz.ratio(sk[:len(key) + 1].replace(" ", ""), key.replace(" ", ""))
        if score > best_score:
            best, best_score = t, score
    return best if best_score >= 75 else ""


def unglue_code(code: str) -> str:
    """A code run into the lead agency beside it ("1468/QĐ-UBNDUBND tỉnh", "3027/UBND-VXUBND
    tỉnh": by OCR, or by a code wider than its PDF cell): the agency's UBND is cut off its
    last part."""
    head, sep, last = max(code.rpartition("-"), code.rpartition("/"), key=lambda p: len(p[0]))
    if last.endswith("UBND") and len(last) > 4:
        return head + sep + last[:-4]
    return code


def parse_document_rows(lines: list[tuple[int, str]], source: str) -> list[DocumentRecord]:
    """Appendix II read row by row, as an English OCR pass over the page gives it: each
    row's cells side by side over a few lines, its issued date, level and type on the
    row's middle line ("2 |68/NQ-CP ngày 09/5/2024 của Chính {105/KH-UBND … Tỉnh 17/6/2024 |Kế
    hoạch"). A row is found by its issued date with a type after it, or a level before it
    when OCR lost the type (a date cell of only the year needs both); its lines run from a line opening its title ("Công văn số ...")
    or the middle between its date and the one above. The code (:func:`code_of_type`),
    date, level, type and lead agency (:func:`lead_agency`; when its cell is unread, the
    issuer the code names, :func:`issuer_of_code`) are read from the row, and a level OCR
    lost is the lead agency's (:func:`level_of_agency`); the
    title holds the row's other words and the partner agency stays empty (its lines cannot
    be told from the title's in such text)."""
    start = 0
    for k, (_, text) in enumerate(lines[:20]):
        sk = skeleton(text)
        if "loai van ban" in sk or "ten van ban" in sk or sk.strip().startswith("(kem theo"):
            start = k + 1
    body = [(ln, " ".join(t.split())) for ln, t in lines[start:] if t.strip()]
    anchors = []   # (index in body, date match, document type after it)
    for k, (_, text) in enumerate(body):
        found = [m for m in _ISSUED.finditer(text)
                 if skeleton(text[:m.start()]).split()[-1:] != ["ngay"]]
        if not found:
            # a date cell that holds only the year, between the level and the type ("Sở |
            # 2024 | Kế hoạch")
            found = [m for m in _YEAR_ISSUED.finditer(text)
                     if _level_before(text[:m.start()])
                     and _doc_type_at(text[m.end():].strip(" |:;.,"))][-1:]
        doc_type = _doc_type_at(text[found[-1].end():].strip(" |:;.,")) if found else ""
        if doc_type or (found and _level_before(text[:found[-1].start()])):
            # the date with its type after it, or its level before it when OCR lost the
            # type's cell ("Tỉnh | 15/3/2024 a")
            anchors.append((k, found[-1], doc_type))
    # a row's lines run from the middle between its date line and the one above, or from a
    # line that opens a title ("Công văn số 86/UBND-VHXH ngày"), to where the next begins
    starts = [0]
    for (a, _, _), (b, _, _) in pairwise(anchors):
        # (the last such line: an earlier one may be the title above naming a document,
        # "Nghị quyết số 68/NQ-CP" wrapped to open a line)
        opening = next((t for t in range(b, a, -1)
                        if _TITLE_OPENING.match(skeleton(_NO_LEAD.sub("", body[t][1])))), None)
        starts.append(opening if opening is not None else (a + b) // 2 + 1)
    records = []
    for i, (k, m, doc_type) in enumerate(anchors):
        lo = starts[i]
        hi = len(body) if i + 1 == len(anchors) else starts[i + 1]
        rows = body[lo:hi]
        text = body[k][1]
        raw_date = regex.sub(r"\s+", "", m.group(1))
        before = text[:m.start()].rstrip(" |:;")
        level = _level_before(before)
        # the code cell comes after the title (whose "Nghị quyết số 68/NQ-CP" is a code too)
        codes = find_codes(before)
        first = _NO_LEAD.sub("", rows[0][1]) if rows else ""
        opens = _doc_type_at(first) if _TITLE_OPENING.match(skeleton(first)) else ""
        kind = doc_type or opens   # (a type cell OCR lost: the type the title opens with)
        last = unglue_code(codes[-1]) if codes else ""
        if last and (not _type_wanted(kind)
                     or _type_segment(repair_doc_code(last)) in _type_wanted(kind)):
            code = last
        else:
            # none on the date line, or one of another type there (the title's "Nghị quyết
            # số 68/NO-CP"): the row's code of its type ("Kế hoạch số 214/KH-UBND ngày")
            code = code_of_type([t for _, t in rows], k - lo, kind) or last
        printed, code = code, repair_doc_code(code)
        no_m = _ROW_NO.match(text) or (_ROW_NO.match(rows[0][1]) if rows else None)
        title = " ".join(t for _, t in rows[:k - lo]) + " " + before
        if printed:     # the code cell beside the title; a title naming its own code keeps it
            title = regex.sub(r"(?<!\bsố\s)" + regex.escape(printed), " ", title)
            title = title.replace(f"số {printed}", f"số {code}")
        title = " ".join(regex.sub(r"^\W*\d{1,2}\s*[|.)]\s*|\|", " ", title).split())
        if not doc_type:    # its cell lost: the type the title opens with, or its code's
            doc_type = opens or _TYPE_OF_CODE.get(_type_segment(code), "")
        lead = lead_agency(before, printed, body[k + 1][1] if k + 1 < len(body) else "")
        flags: tuple[str, ...] = ()
        if not lead:
            lead = issuer_of_code(code, level)
            flags = (_code_issuer_flag(lead, code),) if lead else ()
        level = level or level_of_agency(lead)
        records.append(DocumentRecord(source, no_m.group(1) if no_m else str(i + 1), title,
                                      code, lead, "", level, iso_date(raw_date), raw_date,
                                      doc_type, 0, tuple(ln for ln, _ in rows), flags))
    return records


def doc_type_of(title: str) -> str:
    """The document type a title opens with ("Kế hoạch số 146/KH-UBND …" → "Kế hoạch")."""
    sk = " ".join(skeleton(title).split())
    for t in DOC_TYPES:
        if sk.startswith(skeleton(t)):
            return t
    return ""


_TILE_FIRST = regex.compile(r"^t[iuyưừíìỉỳýỷ}]?[}\]]?$", regex.I)
_TILE_SECOND = regex.compile(r"^(?:[1lI|][eéèẹệề€¢&8é6]?|[1lI]?[€¢&8]|le|lé|lệ|lẻ|i)[,.]?$", regex.I)
_TILE_GLUED = regex.compile(r"^t[iíỉyỷ\p{L}]{0,3}[1lI][eéèẹệề€¢&8]$", regex.I)


def repair_name_prefix(name: str, raw: str | None = None) -> str:
    """Indicator names of this genre mostly open with "Tỉ lệ", which legacy OCR garbles
    beyond what the decoder can rebuild ("Từ 18", "Ti 1€", "Ti1é", "Từ I"): such openings
    are put back (Tỷ when the OCR shows y). So is "Số" read as "S6" / "SO".

    *raw*: the row's first line as OCR read it. Its opening is judged too, since the
    decoder may have made two other words of it ("Ti I¢" restored as "Từ Úc")."""
    toks = name.split()
    if len(toks) < 3:
        return name
    rtoks = _NOT_LETTER_LEAD.sub("", raw or "").split()
    if len(rtoks) >= 3 and skeleton(" ".join(toks[:2])) not in ("ti le", "ty le") \
            and _TILE_FIRST.match(skeleton(rtoks[0])) and _TILE_SECOND.match(rtoks[1]) \
            and skeleton(rtoks[2]) == skeleton(toks[2]):
        return " ".join(["Tỷ lệ" if "y" in rtoks[0].lower() else "Tỉ lệ"] + toks[2:])
    first, second = skeleton(toks[0]), toks[1]
    ti = "Tỷ lệ" if "y" in first else "Tỉ lệ"
    if _TILE_FIRST.match(first) and _TILE_SECOND.match(second) and skeleton(second) != "le" \
            or (_TILE_FIRST.match(first) and skeleton(second) == "le" and toks[0] != "Tỉ"):
        return " ".join([ti] + toks[2:])
    if _TILE_GLUED.match(toks[0]) and len(toks[0]) <= 6:
        return " ".join([ti] + toks[1:])
    if toks[0] == "lệ":
        return " ".join(["Tỉ lệ"] + toks[1:])   # "Tỉ" lost: no name opens with "lệ" alone
    if toks[0] in ("S6", "S0", "SO", "$6", "$o", "Sé", "S6é"):
        return " ".join(["Số"] + toks[1:])   # "Số" with its ố read as a digit
    return name


def check_row(cells: tuple[str, ...], columns: tuple[ValueColumn, ...], unit: str) -> list[str]:
    """Checks that flag, never drop: percents outside 0–100, unparsable cells."""
    flags = []
    for col, cell in zip(columns, cells):
        for v in parse_cell(cell, unit):
            if not v.ok:
                flags.append(f"{col.name}: {v.reason}")
            if (v.unit == "%" or unit == "%") and v.value is not None and not 0 <= v.value <= 100:
                flags.append(f"{col.name}: percent {v.value:g} outside 0-100")
    return flags


_POINT_DECIMAL = regex.compile(r"(?<![\d.])(\d+)\.(\d{1,2})(?![\d.])")
_DROPPED_COMMA = regex.compile(r"^([<>]=?|[≤≥])?(\d{2})(\d{1,2})(%?)$")


def normalize_cell(cell: str) -> str:
    """Spaces collapsed, NFC, and a decimal point read where Vietnamese prints a decimal
    comma (3.8 → 3,8; a dot before exactly three digits stays a thousands separator)."""
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", cell).strip())
    return _POINT_DECIMAL.sub(r"\1,\2", text)


_RANGE_LOST_COMMA = regex.compile(r"^(\d{1,2})-(\d{2,3})(%?)$")
_LEADING_ZERO = regex.compile(r"^((?:[<>]=?|[≤≥])\s*)?0(\d{1,2})(%?)$")


def restore_dropped_comma(cell: str, unit: str) -> str | None:
    """A number printed without its decimal comma: one with a leading zero, which Vietnamese
    numbers never have (>07 → >0,7, <03 → <0,3), or a percent cell over 100 (995 → 99,5,
    >995 → >99,5); None when the cell is not of that shape."""
    m = _LEADING_ZERO.match(cell)
    if m:
        return f"{m.group(1) or ''}0,{m.group(2)}{m.group(3)}"
    m = _RANGE_LOST_COMMA.match(cell)
    if m and "%" in unit + cell and m.group(2)[:-1] == m.group(1):
        # a range whose high end repeats the low end with one more digit: 1-15 for 1-1,5
        return f"{m.group(1)}-{m.group(1)},{m.group(2)[-1]}{m.group(3)}"
    if unit != "%" and not cell.endswith("%"):
        return None
    m = _DROPPED_COMMA.match(cell)
    if not m or int(m.group(2) + m.group(3)) <= 100:
        return None
    return f"{m.group(1) or ''}{m.group(2)},{m.group(3)}{m.group(4)}"


_BARE_COUNT = regex.compile(r"^([<>]=?|[≤≥])?(\d{4,})$")
COUNT_UNITS = ("người", "căn", "hộ", "lượt", "giường", "xã", "trường", "cơ sở")


_COMMA_COUNT = regex.compile(r"^((?:[<>]=?|[≤≥])?\s*\d{1,3}),(\d{3})$")


def restore_thousands_dot(cell: str, unit: str, row: tuple[str, ...]) -> str | None:
    """A count of a thousand or more printed without its thousands dots, which eng-OCR
    drops ("3662" → "3.662") or reads as a comma ("39,500" → "39.500"); None when the
    cell is not of that shape.

    Only in a row that counts things: its unit is a count unit or another of its cells
    carries thousands dots. Percent rows and year-like numbers in other rows are left alone.
    """
    m = _BARE_COUNT.match(cell)
    comma = _COMMA_COUNT.match(cell)
    if not (m or comma) or unit == "%":
        return None
    dotted = any(regex.search(r"\d\.\d{3}(?!\d)", c) for c in row if c != cell)
    if not (dotted or unit.lower() in COUNT_UNITS):
        return None
    if comma:   # the dot read as a comma ("39,500"): no count has three decimals
        return f"{comma.group(1)}.{comma.group(2)}"
    digits = m.group(2)
    if not dotted and 1900 <= int(digits) <= 2100:
        return None
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return (m.group(1) or "") + ".".join([digits] + groups)


_BARE_NUMBER = regex.compile(r"^(\d{2,3})(%?)$")
_DECIMAL = regex.compile(r"^(?:[<>]=?|[≤≥])?\s*(\d+,\d+)%?$")
# eng-OCR's readings of ">" before a number: "595" for ">95", "388" for ">88"
_GT_DIGITS = "53"


def _ratio(a: float, b: float) -> float:
    return max(a, b) / max(min(a, b), 1e-9)


_ANY_NUMBER = regex.compile(r"^(?:[<>]=?|[≤≥])?\s*(\d+(?:,\d+)?)%?$")


def _nine_read_as_zero(cell: str, unit: str, row: tuple[str, ...]) -> str | None:
    """A percent with a leading zero (">05") in a row whose other cells are near a hundred
    ("90", ">90", "99,72"): the 9 read as 0 (">95"), not a lost comma (">0,5"). Only when
    the nine reading is within a fifth of the row's median."""
    m = _LEADING_ZERO.match(cell)
    if not m or len(m.group(2)) != 1 or not (unit == "%" or m.group(3)):
        return None
    refs = sorted(float(d.group(1).replace(",", ".")) for c in row if c != cell
                  for d in [_ANY_NUMBER.match(c.strip())] if d)
    if not refs:
        return None
    nine = 90 + int(m.group(2))
    if _ratio(nine, refs[len(refs) // 2]) > 1.2:
        return None
    return f"{m.group(1) or ''}{nine}{m.group(3)}"


def restore_misread_number(cell: str, unit: str, row: tuple[str, ...]) -> str | None:
    """A bare number of two or three digits that legacy OCR misread, put right by the
    magnitude of the row's decimal cells (the same indicator in other years): a decimal
    comma lost ("21" → "2,1" beside "1,76"; "712" → "71,2" beside "78,8"), or in a percent
    row a ">" read as a digit ("595" → ">95" beside "92,3" and "94"). None when the cell is
    not of that shape, the row has no decimal cell, or no reading is clearly closer. A
    percent with a leading zero near a hundred is a 9 read as 0 (:func:`_nine_read_as_zero`).

    A reading is taken only when the cell as read is at least four times off the row's
    median and the reading within a factor of two of it.
    """
    nine = _nine_read_as_zero(cell, unit, row)
    if nine is not None:
        return nine
    m = _BARE_NUMBER.match(cell)
    if not m:
        return None
    digits, pct = m.group(1), m.group(2)
    refs = []
    for c in row:
        d = _DECIMAL.match(c.strip()) if c != cell else None
        if d:
            refs.append(float(d.group(1).replace(",", ".")))
    refs = [r for r in refs if r > 0]
    if not refs:
        return None
    refs.sort()
    mid = refs[len(refs) // 2]
    value = float(digits)
    percent = unit == "%" or bool(pct)
    readings: list[tuple[float, str]] = []
    if percent and len(digits) == 3 and digits[0] in _GT_DIGITS and 0 < int(digits[1:]) <= 100:
        readings.append((_ratio(float(digits[1:]), mid), f">{digits[1:]}{pct}"))
    for k in range(1, len(digits)):
        if digits[k:] != "0" * (len(digits) - k):
            readings.append((_ratio(float(f"{digits[:k]}.{digits[k:]}"), mid),
                             f"{digits[:k]},{digits[k:]}{pct}"))
    # a percent over 100 is misread whatever the row says
    if not readings or not (_ratio(value, mid) >= 4 or (percent and value > 100)):
        return None
    best_ratio, best = min(readings)
    return best if best_ratio < 2 else None
