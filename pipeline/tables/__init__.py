"""Appendix tables → indicator and document records (the ``tables`` stage)."""
from __future__ import annotations

import logging
from dataclasses import replace

import regex
from rapidfuzz import fuzz

from ..models import Document, IndicatorRecord
from ..restore.syllables import is_syllable
from .appendix import (
    ParsedRow,
    body_citations,
    catalog_group,
    check_row,
    cite_documents,
    find_appendices,
    heads_sub_rows,
    normalize_cell,
    opens_as_indicator,
    parse_document_lines,
    parse_document_rows,
    parse_indicator_lines,
    repair_name_prefix,
    restore_dropped_comma,
    restore_misread_number,
    restore_thousands_dot,
)
from .catalog import Catalog, load_catalog, normalize_text, normalize_unit
from .catalog import skeleton as cat_skeleton

log = logging.getLogger(__name__)

__all__ = ["parse_tables"]


def parse_tables(doc: Document) -> Document:
    """Find Phụ lục I and II in the restored text and build their records."""
    lines = doc.lines
    texts = [ln.restored if ln.restored is not None else ln.text for ln in lines]
    first, second = find_appendices(texts)
    # the report's text before its appendices (a grid's table is blanked out of its page's
    # text), which cites the documents Phụ lục II lists
    body = texts[:min((i for i in (first, second) if i is not None), default=len(texts))]
    warnings = list(doc.warnings)
    indicators: list[IndicatorRecord] = []
    documents = []
    columns = ()
    catalog = load_catalog()
    groups = sorted({(int(e.group_no), e.group) for e in catalog.entries if e.group_no.isdigit()})
    groups = [(str(no), name) for no, name in groups]
    grid_tables = [t for page in doc.pages for t in page.tables]
    if grid_tables:
        from .records import document_records_from_table, indicator_table_rows, table_kind

        kinds = [table_kind(t) for t in grid_tables]
        ind_tables = [t for t, k in zip(grid_tables, kinds) if k != "documents"]
        doc_tables = [t for t, k in zip(grid_tables, kinds) if k == "documents"]
        if any(k == "indicators" for k in kinds):
            columns, rows_pages = indicator_table_rows(ind_tables, [g for _, g in groups])
            rows = [r for r, _ in rows_pages]
            pages_of = [pg for _, pg in rows_pages]
            indicators = _records(doc, rows, columns, catalog, warnings, pages_of)
            first = None   # the grid replaces the linearised text
        if doc_tables and any(k == "documents" for k in kinds):
            documents = document_records_from_table(doc_tables, doc.source)
            second = None
    if first is not None:
        end = second if second is not None else len(lines)
        region = [(lines[i].number, texts[i]) for i in range(first + 1, end)]
        raw = {lines[i].number: lines[i].text for i in range(first + 1, end)}
        columns, rows = parse_indicator_lines(region, groups, raw)
        rows = join_name_tails(rows, catalog)
        rows = complete_garbled_names(rows, catalog)
        rows = unglue_names(rows, catalog)
        rows = name_by_catalog_run(rows, catalog)
        rows = name_parents_by_children(rows, catalog)
        rows = name_by_group_entry(rows, catalog, groups)
        page_of = {ln.number: ln.page for ln in lines}
        pages_of = [page_of.get(r.lines[0], 0) if r.lines else 0 for r in rows]
        indicators = _records(doc, rows, columns, catalog, warnings, pages_of, text=True)
        if not indicators:
            warnings.append("Phụ lục I found but no indicator rows could be read")
    if second is not None:
        region = [(lines[i].number, texts[i]) for i in range(second + 1, len(lines))]
        documents = parse_document_lines(region, doc.source) or \
            parse_document_rows(region, doc.source)
        if not documents:
            warnings.append("Phụ lục II found but no document rows could be read")
    if documents:
        documents = cite_documents(documents, body_citations("\n".join(body)))
    return replace(doc, columns=tuple(columns), indicators=tuple(indicators),
                   documents=tuple(documents), warnings=tuple(warnings))


TAIL_GAIN = 0.05   # catalog score a wrapped name's tail must add to join the row above


def join_name_tails(rows: list[ParsedRow], catalog: Catalog) -> list[ParsedRow]:
    """Rows that are the wrapped last line of the row above.

    A name's last line that begins with a capital ("Tỉ lệ hộ gia đình được sử dụng % >95
    ..." / "Internet băng rộng cáp quang") reads as a row of its own. It is joined to the row
    above when it names no indicator alone, heads no sub-rows, and the joined name matches
    the catalog better than the row above alone did (by names alone: :data:`TAIL_GAIN`).
    The same holds when the values stand on the last line instead ("Tỉ lệ hộ gia đình có
    kết nối" / "Internet băng rộng cáp quang % 80 100 ..."), the row above having none and
    heading no sub-rows. Text tables only: a grid keeps a cell's lines together."""
    out: list[ParsedRow] = []
    for k, row in enumerate(rows):
        prev = out[-1] if out else None
        if prev is not None and not any(prev.cells) and any(row.cells) \
                and prev.group_no == row.group_no and " - " not in row.indicator \
                and " - " not in prev.indicator and not heads_sub_rows(rows, k - 1) \
                and catalog.match(row.indicator)[0] is None:
            # the values on the wrapped name's last line ("Tỉ lệ hộ gia đình có kết nối" /
            # "Internet băng rộng cáp quang % 80 100 ..."): one row
            joined = f"{prev.indicator} {row.indicator}"
            entry, score = catalog.match(joined)
            _, before = catalog.match(prev.indicator)
            if entry is not None and score >= before + TAIL_GAIN:
                out[-1] = replace(row, indicator=joined, unit=row.unit or prev.unit,
                                  lines=prev.lines + row.lines, flags=prev.flags + row.flags)
                continue
        if prev is not None and any(prev.cells) and not any(row.cells) and not row.unit \
                and prev.group_no == row.group_no and " - " not in row.indicator \
                and not heads_sub_rows(rows, k) \
                and catalog.match(row.indicator)[0] is None:
            joined = f"{prev.indicator} {row.indicator}"
            # (names alone: the unit's and group's boosts would hide the gain at the top)
            entry, score = catalog.match(joined)
            _, before = catalog.match(prev.indicator)
            if entry is not None and score >= before + TAIL_GAIN:
                out[-1] = replace(prev, indicator=joined, lines=prev.lines + row.lines,
                                  flags=prev.flags + row.flags)
                continue
        out.append(row)
    return out


#: Words of a name's readable end that must match a catalog name's end before the junk
#: before them is replaced (see :func:`complete_garbled_names`).
MIN_TAIL_WORDS = 4


def _junk_token(tok: str) -> bool:
    """An OCR token that is no Vietnamese syllable, figure, code or abbreviation."""
    t = tok.strip(".,;:!?()[]|'\"‘’“”")
    if not t or not regex.search(r"\p{L}", t) or (t.isupper() and len(t) <= 5):
        return not t or not regex.search(r"[\p{L}\p{N}]", t)
    if t[:1].isupper() and t[1:].islower() and t.isalpha():
        return False    # a name or a foreign word ("Internet")
    return not is_syllable(t.lower())


def _entry_of(row: ParsedRow, catalog: Catalog):
    """The catalog entry of the row's name as read (its unit and group as hints), or None."""
    return catalog.match(row.indicator, row.unit or None, row.group_no or None)[0]


def _known(row: ParsedRow, catalog: Catalog) -> bool:
    """Does the catalog know the row's name as read?"""
    return _entry_of(row, catalog) is not None


def _claims(rows: list[ParsedRow], catalog: Catalog) -> tuple[list, set[str]]:
    """Each row's own entry (None for a name the catalog does not know), and the ids of the
    entries the table names (a sub-indicator's parent for it): the entries a garbled row
    may not take."""
    matched = [_entry_of(row, catalog) for row in rows]
    return matched, {e.parent_id or e.indicator_id for e in matched if e is not None}


def complete_garbled_names(rows: list[ParsedRow], catalog: Catalog) -> list[ParsedRow]:
    """Names whose opening words OCR garbled past reading, completed from the catalog.

    eng-OCR often garbles the first line of a wrapped name ("ỉ ở eee còi của trẻ em dưới 5
    tuổi" for "Tỉ lệ suy dinh dưỡng thể thấp còi ..."). When the name's last
    :data:`MIN_TAIL_WORDS` words or more are the end of exactly one catalog entry's name (or
    variant) and no longer, half or more of the words before that end are no Vietnamese
    (the decoder left them as read: "pradeagepnupenemntie", "eee"), and they are no more
    than the entry's, they are replaced by the entry's and the row is flagged with what
    was replaced. Sub-rows and names the catalog already knows are left alone."""
    out = []
    for row in rows:
        if " - " in row.indicator or not row.lines or _known(row, catalog):
            out.append(row)
            continue
        words = row.indicator.split()
        best = None
        for cut in range(1, len(words) - MIN_TAIL_WORDS + 1):
            hits = catalog.names_ending(cat_skeleton(" ".join(words[cut:])))
            if len(hits) == 1:
                entry, text = next(iter(hits.values()))
                if row.unit and entry.unit and normalize_unit(row.unit) != normalize_unit(entry.unit):
                    break
                full = text.split()
                lead = full[:len(full) - (len(words) - cut)]
                junk = words[:cut]
                if len(junk) <= len(lead) + 1 and 2 * sum(map(_junk_token, junk)) >= len(junk):
                    best = (lead, junk)
                break
            if hits:
                break   # the end is more than one entry's
        if best is None:
            out.append(row)
            continue
        lead, junk = best
        name = " ".join(lead + words[len(junk):])
        flag = f"name's unread opening {' '.join(junk)!r} completed from the catalog"
        out.append(replace(row, indicator=name, flags=row.flags + (flag,)))
    return out


#: Spaceless name skeleton ratio (0-100) at which a name with glued words is read as a
#: catalog name, and the lead it needs over the next entry (see :func:`unglue_names`).
UNGLUE_RATIO = 90
UNGLUE_LEAD = 4


def unglue_names(rows: list[ParsedRow], catalog: Catalog) -> list[ParsedRow]:
    """Names whose words OCR glued together, read as the catalog name they spell.

    eng-OCR drops the spaces of a tightly set name ("Mức giảm tiléhG ngheodachi€u bình
    quân"); the decoder, which reads syllables, leaves such tokens as read and the name
    matches no entry. When a name the catalog does not know has a glued token (no syllable,
    five letters or more) and its letters without spaces spell one entry's name or variant
    (:data:`UNGLUE_RATIO`, ahead of any other entry by :data:`UNGLUE_LEAD`), the name is
    that entry's, flagged with the tokens that were glued. Sub-rows are left alone."""
    out = []
    for row in rows:
        glued = [w for w in row.indicator.split()
                 if _junk_token(w) and len(regex.sub(r"\P{L}", "", w)) >= 5]
        if not glued or " - " in row.indicator or not row.lines or _known(row, catalog):
            out.append(row)
            continue
        flat = cat_skeleton(row.indicator).replace(" ", "")
        best: dict[str, tuple[float, str]] = {}
        for entry, text, sk in catalog.name_skeletons():
            score = fuzz.ratio(flat, sk.replace(" ", ""))
            if score > best.get(entry.indicator_id, (-1.0, ""))[0]:
                best[entry.indicator_id] = (score, text)
        ranked = sorted(best.values(), reverse=True)
        if not ranked or ranked[0][0] < UNGLUE_RATIO or (
                len(ranked) > 1 and ranked[1][0] > ranked[0][0] - UNGLUE_LEAD):
            out.append(row)
            continue
        flag = f"name with glued words {' '.join(glued)!r} read as the catalog's"
        out.append(replace(row, indicator=ranked[0][1], flags=row.flags + (flag,)))
    return out


#: A run of words a garbled name shares with one catalog name: at least this many words
#: and letters (see :func:`name_by_catalog_run`).
RUN_WORDS = 3
RUN_LETTERS = 10
#: Vietnamese words outside the run that are not the entry's: more means another name.
RUN_STRAY_WORDS = 2


#: A figure only a cell holds (a decimal, a percent), not a name's count ("với 14 loại").
_CELL_FIGURE = regex.compile(r"\d[.,]\d|\d%")


def _stray_word(w: str, known: set[str], bare: set[str]) -> bool:
    """Is *w* a Vietnamese word that a catalog name of words *known* (and their skeletons
    *bare*) lacks?"""
    return _word_of_a_name(w) and not _in_name(normalize_text(w), cat_skeleton(w), known, bare)


def _word_of_a_name(w: str) -> bool:
    """Could *w* be a word of some indicator's name: Vietnamese, two letters or more, not
    an abbreviation in capitals?"""
    return len(w) >= 2 and not _junk_token(w) \
        and bool(regex.fullmatch(r"\p{L}+", w.strip(".,;:!?()"))) and not w.isupper()


def _in_name(word: str, sk: str, known: set[str], bare: set[str]) -> bool:
    """Is a *word* (normalised; its skeleton *sk*) one of a catalog name's words *known*
    (their skeletons *bare*)? An unmarked word may be one that lost its marks ("le" for
    lệ); a marked one is that word only with its marks (tông is not tổng)."""
    return word in known or (sk == word and word in bare)


def _leading(flags: list[bool]) -> int:
    """How many of *flags* are true before the first false one."""
    return next((k for k, f in enumerate(flags) if not f), len(flags))


def _longest_run(a: list[str], b: list[str]) -> tuple[int, int, int]:
    """(length, start in *a*, start in *b*) of the longest run of words *a* and *b* share."""
    best = (0, 0, 0)
    prev = [0] * (len(b) + 1)
    for i, x in enumerate(a, 1):
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best[0]:
                    best = (cur[j], i - cur[j], j - cur[j])
        prev = cur
    return best


def name_by_catalog_run(rows: list[ParsedRow], catalog: Catalog) -> list[ParsedRow]:
    """Names eng-OCR garbled around a readable run, read as the catalog name of the run.

    A wrapped name's first line often comes out as noise while the rest reads ("pe Nét
    grease AAS IIS của trẻ em dưới 5 tuổi Bề", "eee i nông thôn được sử dụng nước"), or
    the values' dust runs into a whole name ("Tỉ lệ hộ gia đình có nhà tiêu hợp vệ sinh %
    Âu % a ở 126 ..."). Such a name matches no entry as a whole. It is read as the one
    entry, among those no other row of the table names, that shares a run of
    :data:`RUN_WORDS` words (:data:`RUN_LETTERS` letters) or more with it, longer than any
    other such entry's, whose unit agrees, and when the words outside the run are not
    another name: at most :data:`RUN_STRAY_WORDS` of them are Vietnamese words of two
    letters or more that the entry's name lacks, and the tokens before the run are no more
    than the entry's words before it (one more for dust). A name that opens with the whole
    of an entry's name may go on with any words when junk or a cell's figure (a decimal, a
    percent; not a count, "với 14 loại vắc xin") among them shows them to be the cells' dust. A sub-row (its name a row above's, " - ", its label) whose
    label is such a name, noise put under the parent above, leaves the parent. The row is
    flagged with the name as read."""
    # (each row's own entry, matched once: whether it is known, and what the table names)
    matched, claimed = _claims(rows, catalog)
    names = [(entry, text, sk.split()) for entry, text, sk in catalog.name_skeletons()]
    out = []
    seen: set[str] = set()
    for row, entry_known in zip(rows, matched):
        head, _, label = row.indicator.rpartition(" - ")
        # (a sub-row's own label; " - " in dust is no parent's: "... 76,2% zB - a")
        own = label if head in seen else row.indicator
        seen.add(row.indicator)
        if not row.lines or entry_known is not None or len(own.split()) < RUN_WORDS:
            out.append(row)
            continue
        words = own.split()
        sks = [cat_skeleton(w) for w in words]
        runs: dict[str, tuple[int, int, int, str, list[str]]] = {}
        for entry, text, ew in names:
            if entry.indicator_id in claimed:
                continue
            n, i, j = _longest_run(sks, ew)
            if n and sum(len(w) for w in ew[j:j + n]) >= RUN_LETTERS \
                    and n > runs.get(entry.indicator_id, (0,))[0]:
                runs[entry.indicator_id] = (n, i, j, text, ew)
        ranked = sorted(runs.items(), key=lambda kv: -kv[1][0])
        if not ranked or ranked[0][1][0] < RUN_WORDS or (
                len(ranked) > 1 and ranked[1][1][0] >= ranked[0][1][0]):
            out.append(row)
            continue
        eid, (n, i, j, text, ew) = ranked[0]
        entry = catalog.get(eid)
        if row.unit and entry.unit and normalize_unit(row.unit) != normalize_unit(entry.unit):
            out.append(row)
            continue
        spelt, bare = set(normalize_text(text).split()), set(ew)
        stray = [_stray_word(w, spelt, bare) for w in words]
        before, after = stray[:i][::-1], stray[i + n:]
        whole = i == 0 and n == len(ew) >= RUN_WORDS + 1 and any(
            _junk_token(w) or _CELL_FIGURE.search(w) for w in words[i + n:])
        # (a whole name, then the cells' dust: "... có nhà tiêu hợp vệ sinh eter ea 79% độ";
        # two words of another name next to the run where the entry's go on: "Trong đó,
        # các huyện nghèo", "... được phủ sóng di động")
        if (not whole and sum(before + after) > RUN_STRAY_WORDS) or i > j + 1 \
                or (j and _leading(before) >= 2) or (j + n < len(ew) and _leading(after) >= 2):
            out.append(row)
            continue
        claimed.add(eid)
        flag = f"name read {own!r}: the catalog's, by the words it shares"
        out.append(replace(row, indicator=text, flags=row.flags + (flag,)))
    return out


#: Letters of a garbled name's words that set its entry apart from the other entries left
#: in its group, and the fewest words and letters it must share with it (see
#: :func:`name_by_group_entry`).
GROUP_ENTRY_LEAD = 4
GROUP_ENTRY_WORDS = 2
GROUP_ENTRY_LETTERS = 8
#: Marks around a word that are not the word's.
_WORD_DUST = ".,;:!?()"


def name_by_group_entry(rows: list[ParsedRow], catalog: Catalog, groups) -> list[ParsedRow]:
    """Garbled names read as the one entry of their group, left unnamed, that shares their
    words.

    A wrapped name's first line often comes out as noise the decoder turns into words
    ("Bảy em ai cộng với cách mạng", "Xe cũ ở đỉnh dutge công nhận gia đình văn hóa")
    with no run long enough for :func:`name_by_catalog_run`. When such a row has values,
    its heading names a catalog group (:func:`~.appendix.catalog_group`) and its name
    opens as no indicator does or holds two junk tokens, it is read as the entry of that
    group, named by no other row and of the same unit, with whose name or variant it
    shares the most letters of words (:data:`GROUP_ENTRY_WORDS` words and
    :data:`GROUP_ENTRY_LETTERS` letters at least), by :data:`GROUP_ENTRY_LEAD` letters more
    than the next entry, when at most one Vietnamese word the entry lacks comes after the
    first word they share (the noise stands before the legible end; words of another name
    go on after it: "… được phủ sóng di động"). A marked word is the entry's only with its
    marks (thành is not truyền thanh's). The row takes that name or variant, the wording
    closest to what was printed ("Tỉ lệ dân số được phủ sóng phát thanh, truyền hình", a
    variant of "Tỉ lệ hộ gia đình được tiếp cận thông tin"). A name with a cell's figure
    in it (region dust, "81,9% đô thị") is left alone. The row is flagged with the name as
    read."""
    matched, claimed = _claims(rows, catalog)
    names = [(entry, text, set(normalize_text(text).split()), set(sk.split()))
             for entry, text, sk in catalog.name_skeletons()]
    out = []
    for row, known in zip(rows, matched):
        words = row.indicator.split()
        group = catalog_group(row.group, row.group_no, groups) \
            if known is None and row.lines and any(row.cells) else None
        if group is None or " - " in row.indicator or _CELL_FIGURE.search(row.indicator) \
                or (opens_as_indicator(row.indicator) and sum(map(_junk_token, words)) < 2):
            out.append(row)
            continue
        unit = normalize_unit(row.unit) if row.unit else ""
        # each word: as spelt, its skeleton, and whether it may be a word the entry lacks
        feats = [(normalize_text(w.strip(_WORD_DUST)), cat_skeleton(w), _word_of_a_name(w))
                 for w in words]
        # id -> (letters, words, -stray words), and the entry's name or variant that has them
        best: dict[str, tuple[tuple[int, int, int], str]] = {}
        for entry, text, spelt, bare in names:
            if entry.group_no != group or entry.indicator_id in claimed \
                    or (unit and entry.unit and normalize_unit(entry.unit) != unit):
                continue
            named = [_in_name(n, sk, spelt, bare) for n, sk, _ in feats]
            hit = [h and len(n) >= 2 for h, (n, _, _) in zip(named, feats)]
            shared = {n for (n, _, _), h in zip(feats, hit) if h}
            first = hit.index(True) if True in hit else len(hit)
            stray = sum(may and not h for (_, _, may), h in zip(feats[first:], named[first:]))
            key = (sum(len(cat_skeleton(n)) for n in shared), len(shared), -stray)
            if key > best.get(entry.indicator_id, ((-1, 0, 0), ""))[0]:
                best[entry.indicator_id] = (key, text)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0][0])
        if not ranked:
            out.append(row)
            continue
        eid, ((letters, n, minus_stray), text) = ranked[0]
        lead = letters - (ranked[1][1][0][0] if len(ranked) > 1 else 0)
        if lead < GROUP_ENTRY_LEAD or n < GROUP_ENTRY_WORDS or letters < GROUP_ENTRY_LETTERS \
                or -minus_stray > 1:
            out.append(row)
            continue
        claimed.add(eid)
        flag = f"name read {row.indicator!r}: the entry of its group that shares its words"
        out.append(replace(row, indicator=text, flags=row.flags + (flag,)))
    return out


def name_parents_by_children(rows: list[ParsedRow], catalog: Catalog) -> list[ParsedRow]:
    """A parent row whose name OCR garbled ("Ai" over "Ai - Thành thị", "Ai - Nông thôn"),
    named by its sub-rows: the one catalog entry whose sub-indicators include every label
    of them and whose unit agrees with the rows' (a province numbers its groups its own
    way, so the group does not narrow it). The parent and its sub-rows take the entry's
    name, flagged. A name the catalog knows, or with two or more words that are Vietnamese,
    is left alone."""
    out = list(rows)
    k = 0
    while k < len(out):
        row = out[k]
        prefix = row.indicator + " - "
        subs = []
        j = k + 1
        while j < len(out) and out[j].indicator.startswith(prefix) \
                and out[j].group_no == row.group_no:
            subs.append(j)
            j += 1
        if not subs or " - " in row.indicator or _known(row, catalog) \
                or sum(not _junk_token(w) and len(w) > 1 for w in row.indicator.split()) >= 2:
            k = j
            continue
        labels = [out[i].indicator[len(prefix):] for i in subs]
        units = {normalize_unit(r.unit) for r in (row, *(out[i] for i in subs)) if r.unit}
        fits = []
        for entry in catalog.entries:
            children = catalog.children(entry.indicator_id)
            if children and all(_child_label(label, children) for label in labels) \
                    and (not units or units == {normalize_unit(entry.unit)}):
                fits.append(entry)
        if len(fits) == 1:
            name = fits[0].name
            flag = f"name {row.indicator!r} read from its sub-rows as the catalog's"
            lines = row.lines
            before = out[k - 1] if k else None
            if before is not None and not any(before.cells) and before.group_no == row.group_no \
                    and cat_skeleton(name).startswith(cat_skeleton(before.indicator) + " "):
                # the name's first line, parted from the row by its garbled last one
                # ("Diện tích nhà ở bình quân đầu" / "Ai % 24,8 ..."): one row
                lines = before.lines + row.lines
                del out[k - 1]
                k, j, subs = k - 1, j - 1, [i - 1 for i in subs]
            out[k] = replace(row, indicator=name, lines=lines, flags=row.flags + (flag,))
            children = catalog.children(fits[0].indicator_id)
            for i, label in zip(subs, labels):
                child = _child_label(label, children) or label
                if len(child.split()) < len(label.split()):
                    label = child       # the label's end was the unit's dust
                out[i] = replace(out[i], indicator=f"{name} - {label}",
                                 flags=out[i].flags + (flag,))
        k = j
    return out


def _child_label(label: str, children) -> str | None:
    """The label of the sub-indicator among *children* that a sub-row's *label* opens with
    (word for word, by skeleton: a label may keep the unit's dust, "Thành thị sàn/ngữ"),
    or None."""
    key = cat_skeleton(label) + " "
    for c in children:
        own = c.name.rsplit(" - ", 1)[-1]
        if key.startswith(cat_skeleton(own) + " "):
            return own
    return None


def _records(doc: Document, rows, columns, catalog, warnings: list[str],
             pages_of: list[int], text: bool = False) -> list[IndicatorRecord]:
    """Indicator records with catalog ids, checks that flag (never drop) and confidences.

    *text*: rows from linearised OCR text, whose lost thousands dots are put back (a grid
    cell is read on its own and keeps them)."""
    out = []
    parent = None   # the last row with sub-rows, in its group
    raw_of = {ln.number: ln.text for ln in doc.lines} if text else {}
    for row_no, (row, page) in enumerate(zip(rows, pages_of), start=1):
        raw = raw_of.get(row.lines[0]) if row.lines else None
        parts = row.indicator.split(" - ")
        # (the raw line opens the row's own name: a sub-row's last part, or the whole name)
        name = " - ".join(repair_name_prefix(part, raw if k == len(parts) - 1 else None)
                          for k, part in enumerate(parts))
        row = replace(row, indicator=name)
        entry, _score = catalog.match(row.indicator, row.unit or None, row.group_no or None)
        if parent is not None and parent.group_no != row.group_no:
            parent = None
        if entry is None and parent is not None and not row.indicator.startswith(parent.indicator):
            # a self-named sub-row (Số bác sĩ under Chỉ tiêu số lượng trên 10.000 dân)
            entry, _score = catalog.match(f"{parent.indicator} - {row.indicator}",
                                          row.unit or None, row.group_no or None)
        flags = list(row.flags)
        if text and not row.unit:
            # a unit OCR lost: a sub-row's is its parent's, another row's its catalog entry's
            above = next((r for r in reversed(out) if " - " not in r.indicator), None)
            if " - " in row.indicator and above is not None and above.unit \
                    and row.indicator.startswith(above.indicator + " - "):
                row = replace(row, unit=above.unit)
                flags.append("unit lost in OCR: the parent row's")
            elif entry is not None and entry.unit:
                row = replace(row, unit=entry.unit)
                flags.append("unit lost in OCR: the catalog's")
        if row.is_parent:
            parent = row
        cells = tuple(normalize_cell(c) for c in row.cells)
        fixed = []
        for col, cell in zip(columns, cells):
            repaired = restore_misread_number(cell, row.unit, cells) if text else None
            if repaired is not None:
                flags.append(f"{col.name}: {cell} read as {repaired} (misread beside the row's other cells)")
                cell = repaired
            repaired = restore_dropped_comma(cell, row.unit)
            if repaired is not None:
                flags.append(f"{col.name}: {cell} read as {repaired} (decimal comma lost in OCR)")
                cell = repaired
            repaired = restore_thousands_dot(cell, row.unit, cells) if text else None
            if repaired is not None:
                flags.append(f"{col.name}: {cell} read as {repaired} (thousands dot lost in OCR)")
                cell = repaired
            fixed.append(cell)
        cells = tuple(fixed)
        flags += check_row(cells, columns, row.unit)
        confidence = 1.0 - 0.2 * len(flags) - (0.1 if entry is None else 0.0)
        values = tuple((c.name, cells[i] if i < len(cells) else "") for i, c in enumerate(columns))
        out.append(IndicatorRecord(
            source=doc.source, group_no=row.group_no, group=row.group, row_no=row_no,
            indicator=row.indicator, indicator_id=entry.indicator_id if entry else "",
            unit=row.unit, values=values, confidence=round(max(confidence, 0.0), 2),
            flags=tuple(flags), page=page, lines=row.lines))
        for f in flags:
            warnings.append(f"Phụ lục I row {row_no} ({row.indicator[:40]}): {f}")
    return out
