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
from dataclasses import dataclass, field

import regex
from rapidfuzz import fuzz

from ..models import DocumentRecord, ValueColumn
from ..restore.syllables import skeleton
from .values import is_value_token, parse_cell

log = logging.getLogger(__name__)

DEFAULT_COLUMNS = (
    ValueColumn("target_2025", "target", 2025),
    ValueColumn("target_2030", "target", 2030),
    ValueColumn("actual_2024", "actual", 2024),
    ValueColumn("estimate_2025", "estimate", 2025),
)
UNITS = ("%/năm", "%", "người", "tuổi", "năm", "lần", "giường", "căn", "mức độ", "m2 sàn/người",
         "m2", "bậc học", "xã", "hộ", "đồng", "triệu đồng", "số", "chỉ số", "điểm", "ha", "km")
_UNIT_SKELETONS = {skeleton(u): u for u in UNITS}
_DASH_LIKE = {"-", "–", "—", "i", ")", "!", "|", "l", ":", "-)", "."}
SUBROW_LABELS = ("thành thị", "nông thôn", "vùng sâu, vùng xa, biên giới, hải đảo",
                 "các vùng còn lại", "trong đó", "nam", "nữ")
GROUP_HINT = regex.compile(r"^\s*(\d{1,2})\s*[|.)\]]*\s*[\[|]?\s*(\p{L}.*)$")


@dataclass(slots=True)
class RawRow:
    group_no: str
    group: str
    name_parts: list[str]
    unit: str
    cells: list[str]
    lines: list[int]
    parent: str = ""
    flags: list[str] = field(default_factory=list)


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
        elif first is None and lines[i].strip().isupper() and "chi tieu" in sk and (
                "chuong trinh" in sk or "nghi quyet" in sk or "chu yeu" in sk):
            first = i  # the appendix title without its "Phụ lục I" line
    if second is None:
        for i, line in enumerate(lines):
            if first is not None and i > first and skeleton(line).startswith("danh muc van ban"):
                second = max(first + 1, i - 1)
                break
    return first, second


def header_columns(header_text: str, n_values: int) -> tuple[ValueColumn, ...]:
    """Name the value columns by role and year from the header text.

    Targets are the years after "Đến năm" under "Mục tiêu"; results the years under
    "Kết quả", the last of them an estimate when the header says "dự kiến". When the
    linearised header cannot be read, the genre's standard four columns are assumed.
    """
    sk = skeleton(header_text)
    years = [int(y) for y in regex.findall(r"\b(20\d\d)\b", sk)]
    estimate = "du kien" in sk or "dw kien" in sk or "uoc" in sk.split()
    distinct = sorted(set(years))
    if n_values == 4 and estimate and len(distinct) >= 2:
        targets = [y for y in distinct if y >= distinct[-1] - 10][-2:]
        if len(targets) == 2 and targets[0] < targets[1]:
            actual = distinct[0] if distinct[0] < targets[0] else targets[0] - 1
            return (ValueColumn(f"target_{targets[0]}", "target", targets[0]),
                    ValueColumn(f"target_{targets[1]}", "target", targets[1]),
                    ValueColumn(f"actual_{actual}", "actual", actual),
                    ValueColumn(f"estimate_{targets[0]}", "estimate", targets[0]))
    if n_values == 3 and len(distinct) >= 3 and not estimate:
        t1, t2 = distinct[-2], distinct[-1]
        a = distinct[0]
        return (ValueColumn(f"target_{t1}", "target", t1), ValueColumn(f"target_{t2}", "target", t2),
                ValueColumn(f"actual_{a}", "actual", a))
    if n_values == 4 and not estimate and len(distinct) >= 4:
        t1, t2 = distinct[-2], distinct[-1]
        a1, a2 = distinct[0], distinct[1]
        return (ValueColumn(f"target_{t1}", "target", t1), ValueColumn(f"target_{t2}", "target", t2),
                ValueColumn(f"actual_{a1}", "actual", a1), ValueColumn(f"actual_{a2}", "actual", a2))
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


def _is_group_heading(text: str, groups, after: int = 0) -> tuple[str, str] | None:
    """(printed or catalog group number, heading text) when *text* reads as a group heading.

    A heading with its number printed needs a loose match; one without must match a known
    group name closely, be at least three words long and come later than group *after*
    (groups are printed in order), so a wrapped name's last line ("BHYT") is no heading.
    """
    m = GROUP_HINT.match(text)
    name = m.group(2) if m else text
    name = name.strip(" |[]")
    sk = _expand(skeleton(name))
    best_no, score = "", 0.0
    for no, g in _group_list(groups):
        gs = _expand(skeleton(g))
        # partial matching only for a line shorter than the name (a wrapped heading's first
        # line); a long row name merely containing a short group name ("... nhà ở ...") is no heading
        s = fuzz.partial_ratio(sk, gs) if 6 <= len(sk) <= len(gs) + 3 else 0
        s2 = fuzz.ratio(sk, gs)
        s = max(s * 0.9, s2)
        if s > score:
            best_no, score = no, s
    if m and score >= 60:
        return m.group(1), name
    numbered_later = not best_no.isdigit() or int(best_no) > after
    if score >= 88 and len(name.split()) >= 3 and numbered_later and name[:1].isupper():
        return best_no, name
    return None


_HEADER_WORDS = frozenset(
    "tt stt chi tieu don vi tinh den nam muc nghi quyet so nq cp ket qua thuc hien du kien uoc "
    "giai doan ke hoach dat theo tw va ghi chu".split())


def is_header_line(text: str) -> bool:
    """A line of the table header (printed again on every page): column labels and years."""
    sk = skeleton(text)
    words = regex.findall(r"[a-z]+|\d{4}", sk)
    if not words:
        return False
    years = sum(1 for w in words if regex.fullmatch(r"20\d\d", w))
    header = sum(1 for w in words if w in _HEADER_WORDS)
    has_label = any(k in sk for k in ("chi tieu", "don vi", "den nam", "du kien", "muc tieu",
                                      "ket qua", "thuc hien"))
    if years >= 2 and years + header >= 0.6 * len(words):
        return True
    return has_label and (header + years) >= 0.6 * len(words)


def _starts_new_name(text: str) -> bool:
    """Does this line open a new row name (capitalised), rather than continue one?
    A line of one or two abbreviations (BHYT, BHXH) continues the row above."""
    toks = text.split()
    if 0 < len(toks) <= 2 and all(t.isupper() and len(t) >= 2 for t in toks):
        return False
    t = text.lstrip(" -•+|")
    return bool(t) and (t[0].isupper() or t[0].isdigit())


def parse_indicator_lines(lines: list[tuple[int, str]], groups: list[str]
                          ) -> tuple[tuple[ValueColumn, ...], list[ParsedRow]]:
    """Rebuild Appendix I rows from (line number, restored text) pairs of the appendix."""
    # Header: lines before the first group heading or value row.
    body_start = 0
    for k, (_, text) in enumerate(lines):
        if is_header_line(text):
            continue
        _, _, vals = split_values(text)
        if len(vals) >= 2 and not regex.search(r"\b20\d\d\b\s+20\d\d\b", text) or (
                k >= 1 and _is_group_heading(text, groups)):  # noqa: E501
            body_start = k
            break
    header_text = " ".join(t for _, t in lines[:body_start])
    counts = Counter(len(split_values(t)[2]) for _, t in lines[body_start:] if split_values(t)[2])
    n_values = 4
    for n, _ in counts.most_common():
        if 3 <= n <= 6:
            n_values = n
            break
    columns = header_columns(header_text, n_values)
    n = len(columns)
    rows: list[RawRow] = []
    pending: list[tuple[int, str]] = []
    group_no, group = "", ""
    parent: RawRow | None = None
    last_group_int = 0
    after_heading = False

    def flush_pending_as_parent() -> RawRow | None:
        nonlocal pending
        if not pending:
            return None
        row = RawRow(group_no, group, [t for _, t in pending], "", [], [ln for ln, _ in pending])
        rows.append(row)
        pending = []
        return row

    for ln, text in lines[body_start:]:
        text = text.strip()
        if not text or is_header_line(text):
            continue
        name, unit, vals = split_values(text)
        if not vals and not unit and after_heading and not _starts_new_name(text):
            group = f"{group} {text}"   # the heading's wrapped second line
            continue
        after_heading = False
        if not vals and not unit:
            heading = _is_group_heading(text, groups, last_group_int)
            if heading and not pending:
                no, gname = heading
                if not no:
                    no = str(last_group_int + 1)
                group_no, group = no, gname
                last_group_int = int(no) if no.isdigit() else last_group_int + 1
                parent = None
                after_heading = True
                continue
            if rows and not pending and not _starts_new_name(text) and rows[-1].cells:
                rows[-1].name_parts.append(text)
                rows[-1].lines.append(ln)
                continue
            if pending and not _starts_new_name(text):
                pending.append((ln, text))
                continue
            if pending:
                # Previous pending name had no values: a parent row (or a group heading).
                joined = " ".join(t for _, t in pending)
                heading = _is_group_heading(joined, groups, last_group_int)
                if heading:
                    no, gname = heading
                    group_no = no or str(last_group_int + 1)
                    group = gname
                    last_group_int = int(group_no) if group_no.isdigit() else last_group_int
                    pending = []
                    parent = None
                else:
                    parent = flush_pending_as_parent()
            pending.append((ln, text))
            continue
        # A value row. A name of its own (capitalised) after a complete pending name makes
        # the pending lines a parent row without values ("Chỉ tiêu số lượng trên 10.000 dân"
        # then "Số giường bệnh Giường 30 35 40 40,5").
        if pending and name and _starts_new_name(name) and _starts_new_name(pending[0][1]) \
                and len(" ".join(t for _, t in pending).split()) >= 3:
            parent = flush_pending_as_parent()
        name_parts = [t for _, t in pending] + ([name] if name else [])
        row_lines = [l for l, _ in pending] + [ln]
        pending = []
        cells = vals
        flags = []
        if len(cells) > n:
            flags.append(f"{len(cells)} values for {n} columns")
            cells = cells[-n:]
        elif len(cells) < n:
            flags.append(f"{len(cells)} values for {n} columns")
            cells = cells + [""] * (n - len(cells))
        row = RawRow(group_no, group, name_parts, unit, cells, row_lines, flags=flags)
        label = skeleton(" ".join(name_parts)).strip()
        known_sub = any(label == skeleton(s) for s in SUBROW_LABELS)
        full_name = label.startswith(("ti le", "ty le", "chi so", "muc "))
        is_sub = parent is not None and (known_sub or (not parent.cells and not full_name))
        if is_sub and parent is not None:
            row.parent = " ".join(parent.name_parts)
        rows.append(row)
        if not is_sub:
            parent = row
    if pending:
        flush_pending_as_parent()
    out = []
    for r in rows:
        name = " ".join(" ".join(r.name_parts).split())
        name = name.strip(" |-")
        if r.parent:
            name = f"{' '.join(r.parent.split())} - {name}"
        out.append(ParsedRow(r.group_no, r.group, name, r.unit, tuple(r.cells), tuple(r.lines),
                             tuple(r.flags), is_parent=not r.cells))
    return columns, out


_DATE = regex.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")
_DATE_ANY = regex.compile(r"^\s*[\d/ ]{4,12}\s*$")
_CODE = regex.compile(r"\d+(?:/\d{4})?[-/][\p{Lu}Đ][\p{L}&]*(?:[-/][\p{Lu}Đ][\p{L}&]*)*")
DOC_TYPES = ("Chương trình hành động", "Kế hoạch", "Quyết định", "Chỉ thị", "Nghị quyết",
             "Công văn", "Thông báo", "Hướng dẫn", "Đề án", "Chương trình", "Báo cáo")


def parse_code(title: str) -> str:
    """The document code in a title: 'Kế hoạch số 146/KH-UBND của ...' → '146/KH-UBND'."""
    m = _CODE.search(title.replace(" /", "/").replace("/ ", "/"))
    return m.group(0) if m else ""


def iso_date(raw: str) -> str:
    m = _DATE.match(raw)
    if not m:
        return ""
    d, mth, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= d <= 31 and 1 <= mth <= 12):
        return ""
    return f"{y:04d}-{mth:02d}-{d:02d}"


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
        records.append(DocumentRecord(source, no or str(n), title, parse_code(title), lead, partner,
                                      level, iso_date(raw), raw, doc_type or doc_type_of(title),
                                      0, line_nums))
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


def repair_name_prefix(name: str) -> str:
    """Indicator names of this genre mostly open with "Tỉ lệ", which legacy OCR garbles
    beyond what the decoder can rebuild ("Từ 18", "Ti 1€", "Ti1é", "Từ I"): such openings
    are put back (Tỷ when the OCR shows y)."""
    toks = name.split()
    if len(toks) < 3:
        return name
    first, second = skeleton(toks[0]), toks[1]
    ti = "Tỷ lệ" if "y" in first else "Tỉ lệ"
    if _TILE_FIRST.match(first) and _TILE_SECOND.match(second) and skeleton(second) != "le" \
            or (_TILE_FIRST.match(first) and skeleton(second) == "le" and toks[0] != "Tỉ"):
        return " ".join([ti] + toks[2:])
    if _TILE_GLUED.match(toks[0]) and len(toks[0]) <= 6:
        return " ".join([ti] + toks[1:])
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


def restore_dropped_comma(cell: str, unit: str) -> str | None:
    """A percent cell over 100 printed without its decimal comma (995 → 99,5, >995 → >99,5);
    None when the cell is not of that shape."""
    if unit != "%" and not cell.endswith("%"):
        return None
    m = _DROPPED_COMMA.match(cell)
    if not m or int(m.group(2) + m.group(3)) <= 100:
        return None
    return f"{m.group(1) or ''}{m.group(2)},{m.group(3)}{m.group(4)}"
