"""Appendix records from real table grids (``Table`` from a PDF's geometry or a scan's lines).

The linearised-text parser (:mod:`.appendix`) has to guess where cells begin and end; here
the grid says it. What is left is reading the header (which column is the name, the unit,
and what each value column means by role and year), telling group rows from indicator rows,
and naming sub-rows — by the same rules as :mod:`.appendix` and the gold generator:

- Header rows are the rows covered by the top-left cells' row spans (``TT`` / ``Chỉ tiêu``
  spanning two rows over a two-level header), plus rows that read as header labels or as a
  column-number row ``(1) (2) …``. Continuation tables on later pages repeat the header;
  it is recognised and skipped. A continuation table without a header continues the
  previous table's columns when it has the same number of columns.
- A value column's role comes from its own label first, then from its parent label:
  ``ước`` / ``dự kiến`` → estimate; ``kết quả`` / ``thực hiện`` → actual; ``mục tiêu`` /
  ``chỉ tiêu`` / ``kế hoạch`` / ``Nghị quyết`` / ``đến năm`` → target. Its year is the last
  ``20xx`` in its own label, else in its parent's. Names are ``role_year`` (``_2`` added to
  a repeated name, as the gold generator does).
- A group row has a group number in the TT column (``1``, ``II``) and a name that spans the
  name and unit columns, or no unit and no values; a single cell spanning the whole row and
  starting with a number is a group row too.
- A sub-row is a row labelled like ``Thành thị`` / ``Nông thôn`` / ``Nam`` (see
  ``appendix.SUBROW_LABELS``), or, under a row without any value, a row starting in
  lowercase, with a bullet (``-``, ``+``) or with one of the self-describing prefixes below
  (``Số giường bệnh`` under ``Chỉ tiêu số lượng trên 10.000 dân``). The grid carries no
  italics or indentation, so other children read as top-level rows. It is named
  ``<parent> - <child>`` unless the child begins with ``Tỉ lệ``, ``Tỷ lệ``, ``Số``, ``Mức`` or
  ``Chỉ số`` (then it keeps its own name) — except a count under a heading (a parent labelled
  ``Chỉ tiêu ...``) that states no reference of its own (``Số giường bệnh``, but not ``Số lần
  khám bệnh bình quân/người/năm``): it is read per the heading's ``trên 10.000 dân`` and named
  after it (``appendix.heads_count_row``).

Cell texts are kept exactly as read (spaces trimmed; ``TableCell.restored`` when set, else
``text``): ``-`` and ``""`` stay distinct.
"""
from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from itertools import pairwise

import regex
from rapidfuzz import fuzz

from ..models import DocumentRecord, Table, TableCell, ValueColumn
from ..restore.syllables import skeleton
from .appendix import (
    SUBROW_LABELS,
    ParsedRow,
    doc_type_of,
    heads_count_row,
    iso_date,
    parse_code,
    unglue_code,
)

log = logging.getLogger(__name__)

__all__ = [
    "document_records_from_table",
    "grid_rows",
    "header_row_count",
    "indicator_rows_from_table",
    "indicator_table_rows",
    "table_kind",
    "value_columns_from_header",
]

#: Child names that describe themselves and are not prefixed with their parent's name.
SELF_NAMED_PREFIXES = ("ti le", "ty le", "so ", "muc ", "chi so")
_SUB_SKELETONS = {skeleton(s) for s in SUBROW_LABELS}
_GROUP_NO = regex.compile(r"^(?:\d{1,2}|[IVXLC]{1,6})\.?$")
_GROUP_LEAD = regex.compile(r"^\s*(\d{1,2}|[IVXLC]{1,6})\s*[.)/:-]?\s+(\p{L}.*)$")
_HEADER_WORDS = regex.compile(
    r"\b(nam|20\d\d|du kien|uoc|muc tieu|ket qua|thuc hien|chi tieu|ke hoach|nghi quyet|"
    r"don vi|ghi chu|tt|stt)\b")
_COLNUM = regex.compile(r"^\(?\s*\d{1,2}\s*\)?$|^\(?\s*\d{1,2}\s*=.*\)$")


def _sk(text: str) -> str:
    return " ".join(skeleton(text or "").split())


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _text(cell: TableCell) -> str:
    """A cell's text: the restored one when the restore stage has set it."""
    return cell.restored if cell.restored is not None else cell.text


def _origins(table: Table) -> dict[tuple[int, int], TableCell]:
    return {(c.row, c.col): c for c in table.cells}


def _owners(table: Table) -> list[list[TableCell | None]]:
    """owner[r][c]: the cell covering grid position (r, c)."""
    own: list[list[TableCell | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        for r in range(c.row, min(c.row + c.rowspan, table.n_rows)):
            for k in range(c.col, min(c.col + c.colspan, table.n_cols)):
                own[r][k] = c
    return own


def grid_rows(table: Table, fill: bool = False) -> list[list[str]]:
    """The table as a dense ``n_rows × n_cols`` matrix of cell texts.

    A merged cell's text stands at its top-left position only; the other positions it covers
    are ``""`` — or, with ``fill=True``, repeat its text (handy for reading headers).
    """
    out = [[""] * table.n_cols for _ in range(table.n_rows)]
    for c in table.cells:
        text = _clean(_text(c))
        for r in range(c.row, min(c.row + c.rowspan, table.n_rows)):
            for k in range(c.col, min(c.col + c.colspan, table.n_cols)):
                if fill or (r == c.row and k == c.col):
                    out[r][k] = text
    return out


def _header_text(table: Table, n: int = 3) -> str:
    return " ".join(_text(c) for c in table.cells if c.row < n)


def table_kind(table: Table) -> str | None:
    """``"indicators"`` (Phụ lục I), ``"documents"`` (Phụ lục II) or None, from the header."""
    sk = _sk(_header_text(table))
    if "ten van ban" in sk or "loai van ban" in sk or "co quan chu tri" in sk:
        return "documents"
    if "chi tieu" in sk and ("don vi" in sk or "muc tieu" in sk or "ket qua" in sk
                             or "thuc hien" in sk):
        return "indicators"
    return None


def header_row_count(table: Table) -> int:
    """How many rows at the top of *table* are header rows (0 for a continuation page)."""
    if table_kind(table) is None:
        return 0
    rows = grid_rows(table)
    n = max((c.rowspan for c in table.cells if c.row == 0), default=1)
    n = min(n, table.n_rows)
    while n < table.n_rows:
        texts = [t for t in rows[n] if t]
        if not texts:
            break
        if all(_COLNUM.match(t) for t in texts) and len(texts) >= 3:
            n += 1           # a column-number row "(1) (2) (3) ..."
            continue
        first = rows[n][0]
        if first and _GROUP_NO.match(first):
            break
        if all(_HEADER_WORDS.search(_sk(t)) for t in texts) and not any(
                regex.search(r"\d", t) and not regex.search(r"20\d\d", t) for t in texts):
            n += 1
            continue
        break
    return n


def _role(label: str) -> str | None:
    sk = _sk(label)
    if regex.search(r"\b(uoc|du kien)\b", sk):
        return "estimate"
    if regex.search(r"\b(ket qua|thuc hien)\b", sk):
        return "actual"
    if regex.search(r"\b(muc tieu|chi tieu|ke hoach|nghi quyet|den nam)\b", sk):
        return "target"
    return None


def value_columns_from_header(table: Table, n_header: int
                              ) -> tuple[dict[str, int], list[tuple[int, ValueColumn]]]:
    """Read the header: the TT / name / unit column indexes and the value columns.

    Returns:
        ({"tt": i, "name": j, "unit": k} for those found, [(column index, ValueColumn)]).
    """
    own = _owners(table)
    labels: list[list[str]] = []   # per column, the distinct header labels top-down
    for k in range(table.n_cols):
        seen: list[str] = []
        ids: list[int] = []
        for r in range(n_header):
            cell = own[r][k]
            if cell is not None and id(cell) not in ids and _clean(_text(cell)) \
                    and not _COLNUM.match(_clean(_text(cell))):
                ids.append(id(cell))
                seen.append(_clean(_text(cell)))
        labels.append(seen)
    roles: dict[str, int] = {}
    for k, labs in enumerate(labels):
        leaf = _sk(labs[-1]) if labs else ""
        if "tt" not in roles and leaf in ("tt", "stt", "so tt", "so thu tu"):
            roles["tt"] = k
        elif "name" not in roles and len(labs) == 1 and regex.search(
                r"\b(chi tieu|noi dung|ten chi tieu)\b", leaf) and not _role_has_year(leaf):
            roles["name"] = k
        elif "unit" not in roles and "don vi" in leaf:
            roles["unit"] = k
    if "name" not in roles:
        roles["name"] = 1 if roles.get("tt") == 0 and table.n_cols > 1 else 0
    fixed = set(roles.values())
    columns: list[tuple[int, ValueColumn]] = []
    names: dict[str, int] = {}
    for k, labs in enumerate(labels):
        if k in fixed or k < roles["name"]:
            continue
        if labs and "ghi chu" in _sk(labs[-1]):
            continue
        leaf = labs[-1] if labs else ""
        parents = labs[:-1]
        role = _role(leaf)
        for p in reversed(parents):
            if role is None:
                role = _role(p)
        if role is None:
            role = "actual" if regex.search(r"\bnam\b", _sk(leaf)) else "target"
        year = None
        for lab in [leaf, *reversed(parents)]:
            years = regex.findall(r"\b(20\d\d)\b", lab)
            if years:
                year = int(years[-1])
                break
        name = f"{role}_{year}" if year else role
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name = f"{name}_{names[name]}"
        columns.append((k, ValueColumn(name, role, year)))
    return roles, columns


def _role_has_year(sk: str) -> bool:
    return bool(regex.search(r"\b20\d\d\b", sk))


def _match_group(text: str, groups: Sequence[str]) -> bool:
    sk = _sk(text)
    return len(sk) >= 5 and any(fuzz.ratio(sk, _sk(g)) >= 88 for g in groups)


def _known_group(name: str, groups: Sequence[str]) -> str:
    """A known group name spelt the same but for spaces (OCR's ``Ytế`` for ``Y tế``)."""
    key = name.replace(" ", "")
    for g in groups:
        if g.replace(" ", "") == key:
            return g
    return name


def _is_sub_label(name: str) -> bool:
    sk = _sk(name).strip(" -+:")
    return sk in _SUB_SKELETONS


#: A name cell whose text starts at least this many points right of the column's usual start
#: is indented: a sub-row of the row above it that is not (born-digital and scanned grids).
INDENT_STEP = 3.0
#: The column is left-aligned when its names start at no more than this many distinct places
#: (1.5 points apart or less are one): the edge and one or two indents. A centred column's
#: starts vary with each name's length and say nothing.
MAX_STARTS = 3


def _layout_cues(table: Table, n_header: int, name_col: int) -> tuple[float | None, bool]:
    """What the name column's geometry says of sub-rows: the usual left start of its names
    (None when the column is not left-aligned or no name is indented), and whether italics
    mark sub-rows (some names italic, most not)."""
    cells = [c for c in table.cells if c.row >= n_header and c.col == name_col
             and c.colspan == 1 and _clean(_text(c))]
    starts = [c.indent for c in cells if c.indent is not None]
    base: float | None = None
    if len(starts) >= 3:
        ordered = sorted(starts)
        places = 1 + sum(b - a > 1.5 for a, b in pairwise(ordered))
        left = ordered[0]
        if places <= MAX_STARTS and ordered[-1] >= left + INDENT_STEP \
                and sum(x <= left + 1.5 for x in starts) >= len(starts) / 4:
            base = left
    italics = [c.italic for c in cells if c.italic is not None]
    italic = bool(italics) and 0 < sum(italics) <= len(italics) / 2
    return base, italic


def _child_name(parent: str, child: str) -> str:
    child = child.lstrip("-+•* ").strip()
    if heads_count_row(parent, child):
        return f"{parent} - {child}"
    if _sk(child).startswith(SELF_NAMED_PREFIXES) or _sk(child) == "so":
        return child
    return f"{parent} - {child}"


def indicator_table_rows(tables: Sequence[Table], groups: Sequence[str] = ()
                         ) -> tuple[tuple[ValueColumn, ...], list[tuple[ParsedRow, int]]]:
    """Like :func:`indicator_rows_from_table`, each row with the page it was read on."""
    columns: tuple[ValueColumn, ...] = ()
    layout: tuple[dict[str, int], list[tuple[int, ValueColumn]]] | None = None
    n_cols = 0
    out: list[tuple[ParsedRow, int]] = []
    children_of: dict[int, int] = {}
    group_no = group = ""
    anchor: int | None = None            # index in out of the last non-child row
    anchor_empty = False
    nest: list[tuple[float, int]] = []   # (indent depth, index in out) of the rows open above
    last_group_int = 0
    group_rows: list[int] = []
    for table in tables:
        n_header = header_row_count(table)
        if n_header:
            if table_kind(table) != "indicators":
                continue
            lay = value_columns_from_header(table, n_header)
            if layout is None:
                layout, n_cols = lay, table.n_cols
                columns = tuple(vc for _, vc in lay[1])
            elif table.n_cols != n_cols:
                log.debug("page %d: table with %d columns, expected %d", table.page,
                          table.n_cols, n_cols)
                continue
        elif layout is None or table.n_cols != n_cols:
            continue
        roles, vcols = layout
        tt_col, name_col, unit_col = roles.get("tt"), roles["name"], roles.get("unit")
        origins = _origins(table)
        own = _owners(table)
        indent_base, italic_cue = _layout_cues(table, n_header, name_col)
        for r in range(n_header, table.n_rows):
            def text_at(k: int | None) -> str:
                if k is None:
                    return ""
                cell = origins.get((r, k))
                return _clean(_text(cell)) if cell is not None else ""

            row_cells = [c for c in table.cells if c.row == r]
            if not any(_clean(_text(c)) for c in row_cells):
                continue
            tt = text_at(tt_col)
            name_cell = origins.get((r, name_col))
            name = _clean(_text(name_cell)) if name_cell is not None else ""
            unit = text_at(unit_col)
            values = tuple(text_at(k) for k, _ in vcols)
            if table.source == "scan":
                values = tuple(fix_value_ocr(v) for v in values)
                unit = unit.rstrip(".:;,") if unit.startswith("%") else unit
            # One cell over the whole row ("1. Ưu đãi người có công ..." or a bare heading).
            first = origins.get((r, 0))
            if first is not None and first.colspan >= table.n_cols - 1 and first.colspan > 1 \
                    and not any(values):
                text = _clean(_text(first))
                m = _GROUP_LEAD.match(text)
                if m or _match_group(text, groups):
                    group_no = m.group(1) if m else str(last_group_int + 1)
                    group = m.group(2).strip() if m else text
                    last_group_int = int(group_no) if group_no.isdigit() else last_group_int + 1
                    anchor, nest = None, []
                    group_rows.append(len(out))
                    continue
            spans_unit = name_cell is not None and unit_col is not None and \
                name_cell.col <= unit_col < name_cell.col + name_cell.colspan
            spans_all = name_cell is not None and vcols and \
                name_cell.col + name_cell.colspan > vcols[-1][0]
            if (tt and _GROUP_NO.match(tt) and (spans_unit or (not unit and not any(values)))) \
                    or (spans_all and not unit and not any(values) and name):
                group_no, group = tt.rstrip(".").strip(), _known_group(name, groups)
                last_group_int = int(group_no) if group_no.isdigit() else last_group_int + 1
                anchor, nest = None, []
                group_rows.append(len(out))
                continue
            if not name and not any(values) and not unit:
                continue
            flags: list[str] = []
            for k, vc in vcols:
                cell = own[r][k]
                if cell is not None and (cell.row, cell.col) != (r, k) and cell.row == r:
                    flags.append(f"{vc.name}: merged with the cell to its left")
            depth = 0.0   # how far the name is indented (0: not, or not known)
            if indent_base is not None or italic_cue:
                # The page shows which rows are sub-rows: indented or italic names.
                start = name_cell.indent if name_cell is not None else None
                if indent_base is not None and start is not None and \
                        start >= indent_base + INDENT_STEP:
                    depth = start - indent_base
                elif italic_cue and name_cell is not None and name_cell.italic:
                    depth = INDENT_STEP
                while nest and nest[-1][0] >= depth - 1.5:
                    nest.pop()
                parent_at = nest[-1][1] if nest else None
                is_child = parent_at is not None and (depth > 0 or _is_sub_label(name))
            else:
                parent_at = anchor
                is_child = anchor is not None and (
                    _is_sub_label(name)
                    or (anchor_empty and (name[:1].islower() or name[:1] in "-+•"
                                          or _sk(name).startswith(SELF_NAMED_PREFIXES))))
            if is_child and parent_at is not None:
                parent_row = out[parent_at][0]
                full = _child_name(parent_row.indicator, name)
                children_of[parent_at] = children_of.get(parent_at, 0) + 1
            else:
                full = name
            out.append((ParsedRow(group_no, group, full, unit, values, (), tuple(flags)),
                        table.page))
            if not is_child:
                anchor = len(out) - 1
                anchor_empty = not any(values)
                nest = [(0.0, anchor)]
            elif depth > 0:
                nest.append((depth, len(out) - 1))
    out = _renumber_groups(out)
    rows = []
    for i, (row, page) in enumerate(out):
        if i in children_of:
            row = ParsedRow(row.group_no, row.group, row.indicator, row.unit, row.cells,
                            row.lines, row.flags, is_parent=True)
        rows.append((row, page))
    return columns, rows


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


def _renumber_groups(out: list[tuple[ParsedRow, int]]) -> list[tuple[ParsedRow, int]]:
    """Repair group numbers misread by OCR (``1I``, ``Il``, ``H`` for ``II``; empty).

    Groups are numbered in sequence in one style, Arabic or Roman: the style is the one most
    group numbers are valid in; a number not valid in it becomes its predecessor's successor.
    """
    seen: list[str] = []
    for row, _ in out:
        if not seen or seen[-1] != row.group_no + "\x00" + row.group:
            seen.append(row.group_no + "\x00" + row.group)
    numbers = [g.split("\x00")[0] for g in seen]
    if not numbers:
        return out
    # "1" is as likely a misread "I" as an Arabic one: it does not vote.
    roman = sum(n in _ROMAN for n in numbers) > sum(n.isdigit() and n != "1" for n in numbers)
    fixed: dict[str, str] = {}
    prev = 0
    for key, n in zip(seen, numbers):
        if roman:
            k = _ROMAN.index(n) + 1 if n in _ROMAN else (1 if n == "1" and prev == 0 else prev + 1)
            new = _ROMAN[k - 1] if 0 < k <= len(_ROMAN) else n
        else:
            k = int(n) if n.isdigit() else prev + 1
            new = str(k)
        prev = k
        fixed[key] = new
    return [(ParsedRow(fixed.get(r.group_no + "\x00" + r.group, r.group_no), r.group, r.indicator,
                       r.unit, r.cells, r.lines, r.flags, r.is_parent), p) for r, p in out]


_NUMLIKE = regex.compile(r"^[<>=≤≥]*\s*[\d.,/jJ⁄øOo%\-–]+[.:;,]?$")


def fix_value_ocr(text: str) -> str:
    """Undo OCR slips in a numeric value cell of a scanned table; other cells unchanged.

    Only cells made of digits and number punctuation are touched: ``97/1``, ``2j1``, ``5⁄6``
    → decimal comma; ``44.8`` (one or two digits after a dot — a thousands dot has three)
    → ``44,8``; ``6ø0`` / ``6O0`` → ``600``; a trailing ``.`` ``:`` ``;`` dropped (dust).
    Dates and other cells with letters are left alone.
    """
    t = text.strip()
    if not t or not _NUMLIKE.match(t) or not regex.search(r"\d", t):
        return t
    t = regex.sub(r"(?<=\d)[øOo](?=\d)|(?<=\d)[øOo]$", "0", t)
    t = regex.sub(r"(?<=\d)[jJ⁄](?=\d)", ",", t)
    t = regex.sub(r"^([<>=≤≥]*\s*\d{1,3})/(\d{1,2}%?)$", r"\1,\2", t)
    t = regex.sub(r"^([<>=≤≥]*\s*\d+)\.(\d{1,2}%?)$", r"\1,\2", t)
    t = regex.sub(r"(?<=[\d%])[.:;,]$", "", t)
    return t


def indicator_rows_from_table(tables: Sequence[Table], groups: Sequence[str] = ()
                              ) -> tuple[tuple[ValueColumn, ...], list[ParsedRow]]:
    """Phụ lục I rows from the consecutive tables of one appendix (pages continue each other).

    Args:
        tables: the appendix's tables in page order; the first must carry the header (tables
            before it that are not indicator tables are ignored); headers repeated on later
            pages are skipped.
        groups: known group names (the catalog's), to recognise a heading row without a
            number.
    Returns:
        (value columns named ``role_year`` from the header, rows). Each row's ``cells`` has
        one text per value column, as printed; ``lines`` is empty (geometry, not text lines);
        ``is_parent`` is True for a row that has sub-rows; ``flags`` notes value cells merged
        across columns.
    """
    columns, rows = indicator_table_rows(tables, groups)
    return columns, [r for r, _ in rows]


_DOC_FIELDS = (
    ("no", ("tt", "stt", "so tt")),
    ("code", ("so, ky hieu", "so ky hieu", "ky hieu")),
    ("title", ("ten van ban", "trich yeu", "van ban")),
    ("lead_agency", ("chu tri",)),
    ("partner_agency", ("phoi hop",)),
    ("level", ("cap ban hanh", "cap")),
    ("issued_on_raw", ("thoi gian", "ngay ban hanh", "ngay")),
    ("doc_type", ("loai van ban", "loai")),
)


def _doc_columns(table: Table, n_header: int) -> dict[str, int]:
    rows = grid_rows(table, fill=True)
    out: dict[str, int] = {}
    for k in range(table.n_cols):
        label = _sk(" ".join(rows[r][k] for r in range(n_header)))
        label_punct = " ".join(skeleton(" ".join(rows[r][k] for r in range(n_header))).split())
        for field, keys in _DOC_FIELDS:
            if field in out:
                continue
            if any((label == key if len(key) <= 6 else key in label_punct or key in label)
                   for key in keys):
                out[field] = k
                break
    return out


def document_records_from_table(tables: Sequence[Table], source: str) -> list[DocumentRecord]:
    """Phụ lục II records from its consecutive tables (header rows repeated on later pages skipped).

    Columns are found by their header labels (TT | Tên văn bản | [Số, ký hiệu] | Cơ quan chủ
    trì | Cơ quan phối hợp | Cấp ban hành | Thời gian ban hành | Loại văn bản). ``code`` is the
    ``Số, ký hiệu`` cell when there is one, else parsed from the title
    (:func:`appendix.parse_code`); ``issued_on`` is ISO 8601 (``d/m/yyyy`` → ``yyyy-mm-dd``,
    ``m/yyyy`` → ``yyyy-mm``, ``yyyy``); ``doc_type`` falls back to the title's first words.
    """
    records: list[DocumentRecord] = []
    cols: dict[str, int] | None = None
    n_cols = 0
    for table in tables:
        n_header = header_row_count(table)
        if n_header:
            if table_kind(table) != "documents":
                continue
            cols, n_cols = _doc_columns(table, n_header), table.n_cols
        elif cols is None or table.n_cols != n_cols:
            continue
        rows = grid_rows(table)
        for r in range(n_header, table.n_rows):
            row = rows[r]
            if not any(row):
                continue

            def get(field: str) -> str:
                k = cols.get(field) if cols else None
                return row[k] if k is not None else ""

            title = get("title")
            if not title:
                continue
            raw = get("issued_on_raw")
            cell, lead = get("code"), get("lead_agency")
            code = cell or parse_code(title)
            found = parse_code(cell)
            if not lead and found and cell.startswith(found) and len(cell) > len(found):
                # a code wider than its cell ran into the lead agency's text beside it
                code = unglue_code(found)
                lead = cell[len(code):].strip()
            no = get("no").rstrip(".") or str(len(records) + 1)
            records.append(DocumentRecord(
                source=source, no=no, title=title, code=code, lead_agency=lead,
                partner_agency=get("partner_agency"), level=get("level"),
                issued_on=iso_date(raw), issued_on_raw=raw,
                doc_type=get("doc_type") or doc_type_of(title), page=table.page, lines=()))
    return records
