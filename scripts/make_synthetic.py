#!/usr/bin/env python3
"""Generate synthetic scanned Vietnamese government reports with gold text/tables.

For every JSON report spec (see scripts/make_synthetic.md for the schema) this
renders a born-digital A4 PDF (reportlab, Liberation Serif), rasterises it at
300 dpi (pypdfium2), degrades the pages like a cheap office scanner, runs
tesseract (eng + vie) on the degraded pages and writes gold files:

    OUT/<id>/gold.txt  indicators.csv  documents.csv  clean.pdf  scan.pdf
             pages/page-NNN.jpg  eng.txt  vie.txt  meta.json  spec.json

Everything is deterministic from --seed: the same seed gives byte-identical
gold files, PDFs and page images.

Standalone on purpose: imports only stdlib, numpy, Pillow, reportlab and
pypdfium2 (and calls the `tesseract` binary).  Does not import `pipeline`.

Usage:
    python scripts/make_synthetic.py --specs scripts/synthetic_reports --out DIR \
        [--seed 42] [--jobs 2] [--only ID ...] [--no-ocr] [--variants N]
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import csv
import difflib
import glob
import hashlib
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageFilter

import pypdfium2 as pdfium
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Table, TableStyle

DPI = 300
CELL_SEP = " | "

# --------------------------------------------------------------------------
# fonts
# --------------------------------------------------------------------------
# NB: Debian's fonts-liberation (1.07, /usr/share/fonts/truetype/liberation/)
# has NO Vietnamese precomposed letters (ạ, ộ, ữ ...); fonts-liberation2
# (2.1.x, .../liberation2/) does.  We pick the first directory whose
# Regular face covers Vietnamese.
FONT_DIRS = [
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/liberation",
]
FACES = {"R": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}
FONT = {k: f"LibSerif-{k}" for k in FACES}
VIET_PROBE = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐđƠơƯư"
_FONTS_OK = False
_CMAP: set[int] = set()


def register_fonts() -> str:
    global _FONTS_OK, _CMAP
    if _FONTS_OK:
        return ""
    for d in FONT_DIRS:
        paths = {k: os.path.join(d, f"LiberationSerif-{v}.ttf") for k, v in FACES.items()}
        if not all(os.path.exists(p) for p in paths.values()):
            continue
        f = TTFont(FONT["R"], paths["R"])
        cmap = set(f.face.charToGlyph)
        if not all(ord(ch) in cmap for ch in VIET_PROBE):
            continue
        pdfmetrics.registerFont(f)
        for k in ("B", "I", "BI"):
            pdfmetrics.registerFont(TTFont(FONT[k], paths[k]))
        pdfmetrics.registerFontFamily(FONT["R"], normal=FONT["R"], bold=FONT["B"],
                                      italic=FONT["I"], boldItalic=FONT["BI"])
        _CMAP = cmap
        _FONTS_OK = True
        return d
    sys.exit("make_synthetic: no Liberation Serif with Vietnamese glyphs found "
             "(install fonts-liberation2)")


def sw(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


# --------------------------------------------------------------------------
# small utilities
# --------------------------------------------------------------------------
def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def clean(s) -> str:
    return re.sub(r"\s+", " ", nfc(str(s if s is not None else ""))).strip()


def derive_seed(*parts) -> int:
    h = hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()
    return int(h[:15], 16)


def strip_diacritics(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


def wrap_words(text: str, font: str, size: float, width: float, first_indent: float = 0.0):
    """Greedy word wrap; returns list of lists of words."""
    words = text.split()
    lines, cur, curw = [], [], 0.0
    avail = width - first_indent
    space = sw(" ", font, size)
    for w in words:
        ww = sw(w, font, size)
        if cur and curw + space + ww > avail:
            lines.append(cur)
            cur, curw, avail = [w], ww, width
        else:
            curw = ww if not cur else curw + space + ww
            cur.append(w)
    if cur:
        lines.append(cur)
    return lines


# --------------------------------------------------------------------------
# layout parameters and spec perturbation (variants)
# --------------------------------------------------------------------------
DEFAULT_LAYOUT = {
    "body_size": 14.0,
    "leading": 1.3,          # x font size
    "indent_cm": 1.0,        # first-line indent
    "para_space": 6.0,       # pt before a paragraph
    "header_size": 12.5,
    "table_size": 12.0,
    "margin_left_cm": 2.0,
    "margin_right_cm": 2.0,
    "margin_top_cm": 2.0,
    "margin_bottom_cm": 2.0,
    "page_numbers": True,
    "appendix2_landscape": True,
    "chitieu_frac": 0.36,    # share of table width for "Chỉ tiêu" (4 value columns)
}


def random_layout(rng: random.Random) -> dict:
    L = dict(DEFAULT_LAYOUT)
    L["body_size"] = rng.choice([13.0, 13.5, 14.0])
    L["leading"] = round(rng.uniform(1.2, 1.42), 3)
    L["indent_cm"] = rng.choice([1.0, 1.0, 1.27])
    L["para_space"] = rng.choice([3.0, 6.0, 6.0, 8.0])
    L["header_size"] = rng.choice([12.0, 12.5, 13.0])
    L["table_size"] = rng.choice([11.0, 11.5, 12.0, 12.0])
    L["margin_left_cm"] = rng.choice([2.0, 2.0, 2.5, 3.0])
    L["margin_right_cm"] = rng.choice([1.5, 2.0, 2.0])
    L["page_numbers"] = rng.random() < 0.8
    L["appendix2_landscape"] = rng.random() < 0.7
    L["chitieu_frac"] = round(rng.uniform(0.32, 0.40), 3)
    return L


NUM_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)|\d+(?:,\d+)?")


def perturb_value(v: str, unit: str, rng: random.Random) -> str:
    if not NUM_RE.search(v) or rng.random() < 0.35:
        return v
    factor = rng.uniform(0.8, 1.2)
    cap = 100.0 if unit.strip() == "%" or v.endswith("%") else None

    def repl(m):
        t = m.group(0)
        if "." in t:                                   # 49.400 (thousands)
            x = int(t.replace(".", ""))
            y = max(1, int(round(x * factor)))
            return f"{y:,}".replace(",", ".")
        if "," in t:                                   # 45,9 (decimal comma)
            ip, dp = t.split(",")
            x = float(ip + "." + dp)
            y = x * factor
            if cap is not None and x <= cap:
                y = min(y, cap)
            return f"{y:.{len(dp)}f}".replace(".", ",")
        x = int(t)
        if x == 0:
            return t
        y = max(1, int(round(x * factor)))
        if cap is not None and x <= cap:
            y = min(y, int(cap))
        return str(y)

    return NUM_RE.sub(repl, v)


def perturb_spec(spec: dict, rng: random.Random) -> dict:
    s = copy.deepcopy(spec)

    def walk(rows):
        for r in rows:
            unit = r.get("unit", "")
            r["values"] = [perturb_value(v, unit, rng) for v in r.get("values", [])]
            ch = r.get("children") or []
            if len(ch) > 1 and rng.random() < 0.3:
                rng.shuffle(ch)
            walk(ch)

    for g in s["appendix1"]["groups"]:
        if len(g["rows"]) > 1 and rng.random() < 0.7:
            rng.shuffle(g["rows"])
        walk(g["rows"])
    a2 = s.get("appendix2")
    if a2 and a2.get("rows") and rng.random() < 0.7:
        rows = a2["rows"]
        rng.shuffle(rows)
        if all(str(r.get("no", "")).isdigit() for r in rows):
            for i, r in enumerate(rows, 1):
                r["no"] = str(i)
    return s


# --------------------------------------------------------------------------
# gold records
# --------------------------------------------------------------------------
FULL_PREFIXES = ("Tỉ lệ", "Tỷ lệ", "Số", "Mức", "Chỉ số")


def child_name(parent: str, child: str) -> str:
    # A heading ("Chỉ tiêu số lượng trên 10.000 dân") is not an indicator: its "Số ..." rows
    # are counts per its qualifier and do not describe themselves (as pipeline/tables names them).
    if parent.startswith(("Chỉ tiêu", "Các chỉ tiêu")):
        return f"{parent} - {child}"
    if child.startswith(FULL_PREFIXES):
        return child
    return f"{parent} - {child}"


def value_columns(a1: dict) -> list[str]:
    names, seen = [], {}
    for c in a1["columns"]:
        n = f"{c.get('role', 'value')}_{c.get('year', '')}".rstrip("_")
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 1
        names.append(n)
    return names


def indicator_records(a1: dict) -> tuple[list[str], list[list[str]]]:
    vcols = value_columns(a1)
    header = ["group_no", "group", "row_no", "indicator", "unit", *vcols, "certain", "note"]
    out, n = [], 0

    def walk(g, rows, parent):
        nonlocal n
        for r in rows:
            name = clean(r["indicator"])
            full = name if parent is None else child_name(parent, name)
            n += 1
            vals = [clean(v) for v in r.get("values", [])]
            vals += [""] * (len(vcols) - len(vals))
            out.append([clean(g.get("no", "")), clean(g.get("name", "")), str(n), full,
                        clean(r.get("unit", "")), *vals[:len(vcols)], "1", ""])
            walk(g, r.get("children") or [], full)

    for g in a1["groups"]:
        walk(g, g["rows"], None)
    return header, out


def iso_date(raw: str) -> str:
    raw = clean(raw)
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if m:
        d, mo, y = map(int, m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", raw)
    if m:
        mo, y = map(int, m.groups())
        return f"{y:04d}-{mo:02d}"
    m = re.fullmatch(r"\d{4}", raw)
    return raw if m else ""


DOC_FIELDS = ["no", "title", "code", "lead_agency", "partner_agency", "level",
              "issued_on", "issued_on_raw", "doc_type", "certain", "note"]


def document_records(a2: dict) -> list[list[str]]:
    out = []
    for r in a2["rows"]:
        rec = {k: clean(r.get(k, "")) for k in DOC_FIELDS}
        rec["issued_on"] = iso_date(r.get("issued_on_raw", ""))
        rec["certain"], rec["note"] = "1", ""
        out.append([rec[k] for k in DOC_FIELDS])
    return out


def write_csv(path: str, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------
def line_item(x):
    """Header/signature lines may be strings or {"text", "bold", "italic", "size"}."""
    if isinstance(x, dict):
        return clean(x.get("text", "")), x
    return clean(x), {}


def is_upper(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def face(bold: bool, italic: bool) -> str:
    return FONT["BI" if bold and italic else "B" if bold else "I" if italic else "R"]


class Renderer:
    def __init__(self, path: str, L: dict):
        self.L = L
        self.c = canvas.Canvas(path, pagesize=A4, invariant=1, pageCompression=1)
        self.c.setTitle("")
        self.c.setAuthor("")
        self.c.setCreator("vnocr make_synthetic")
        self.c.setProducer("vnocr make_synthetic")
        self.pages: list[list[str]] = []
        self.kinds: list[str] = []   # 'body' | 'appendix1' | 'appendix2'
        self.body_page_no = 0
        self.started = False

    # -- page management ---------------------------------------------------
    def new_page(self, kind="body", size=A4):
        if self.started:
            self.c.showPage()
        self.started = True
        self.c.setPageSize(size)
        self.W, self.H = size
        L = self.L
        self.x0 = L["margin_left_cm"] * cm
        self.x1 = self.W - L["margin_right_cm"] * cm
        self.top = self.H - L["margin_top_cm"] * cm
        self.bottom = L["margin_bottom_cm"] * cm
        self.y = self.top
        self.cur: list[str] = []
        self.pages.append(self.cur)
        self.kinds.append(kind)
        if kind == "body":
            self.body_page_no += 1
            if L["page_numbers"] and self.body_page_no >= 2:
                size_ = L["body_size"] - 1
                self.c.setFont(FONT["R"], size_)
                txt = str(self.body_page_no)
                self.c.drawCentredString(self.W / 2, self.H - 1.2 * cm, txt)
                self.cur.append(txt)

    @property
    def width(self):
        return self.x1 - self.x0

    def emit(self, text: str):
        self.cur.append(text)

    # -- text primitives ---------------------------------------------------
    def draw_words(self, words, font, size, x, y, width, align, justify, emit=True):
        c = self.c
        c.setFont(font, size)
        text = " ".join(words)
        if align == "center":
            c.drawCentredString(x + width / 2, y, text)
        elif align == "right":
            c.drawRightString(x + width, y, text)
        elif justify and len(words) > 1:
            ws = [sw(w, font, size) for w in words]
            gap = (width - sum(ws)) / (len(words) - 1)
            xx = x
            for w, wd in zip(words, ws):
                c.drawString(xx, y, w)
                xx += wd + gap
        else:
            c.drawString(x, y, text)
        if emit:
            self.emit(text)

    def block(self, text, font, size, align="justify", indent=0.0, space_before=0.0,
              keep_lines=1, x=None, width=None, extra_keep=0.0):
        """Flowing paragraph in the main column (may break across pages).

        keep_lines: lines that must fit on the current page (else new page);
        extra_keep: extra points that must fit too (used to keep a short last
        paragraph together with the signature block)."""
        x = self.x0 if x is None else x
        width = self.width if width is None else width
        lead = size * self.L["leading"]
        lines = wrap_words(text, font, size, width, indent if align == "justify" else 0.0)
        need = space_before + lead * min(len(lines), keep_lines) + extra_keep
        if self.y - need < self.bottom:
            self.new_page("body")
        else:
            self.y -= space_before
        for i, ln in enumerate(lines):
            if self.y - lead < self.bottom:
                self.new_page("body")
            self.y -= lead
            base = self.y + 0.28 * lead
            if align == "justify":
                xi = x + (indent if i == 0 else 0.0)
                self.draw_words(ln, font, size, xi, base, width - (indent if i == 0 else 0.0),
                                "left", justify=(i < len(lines) - 1))
            else:
                self.draw_words(ln, font, size, x, base, width, align, False)
        return lines

    def column(self, items, x, width, y, align, style_fn, dry=False):
        """Lay out a list of (text, font, size, gap_before) in a fixed column.

        Returns (y_end, [(text, font, size, x, baseline, width, align)])."""
        ops = []
        for text, font, size, gap in style_fn(items):
            y -= gap
            if not text:
                continue
            lead = size * 1.22
            for ln in wrap_words(text, font, size, width):
                y -= lead
                ops.append((ln, font, size, x, y + 0.28 * lead, width, align))
        return y, ops

    def flush_ops(self, ops, emit=True):
        for ln, font, size, x, base, width, align in ops:
            self.draw_words(ln, font, size, x, base, width, align, False, emit=emit)

    def flush_columns(self, lops, rops):
        """Draw a two-column block and emit its gold lines.

        column order: all left-column lines, then all right-column lines.
        row order (default): lines whose baselines are within half a line of
        each other form one printed line, left part + " " + right part (this
        is what tesseract --psm 3 usually returns for these blocks)."""
        self.flush_ops(lops, emit=False)
        self.flush_ops(rops, emit=False)
        if self.L.get("column_order", "row") == "column":
            for o in lops + rops:
                self.emit(" ".join(o[0]))
            return
        rows: list[list] = []
        for o in sorted(lops + rops, key=lambda o: (-o[4], o[3])):
            if rows and abs(rows[-1][0][4] - o[4]) < 0.5 * max(o[2], rows[-1][0][2]):
                rows[-1].append(o)
            else:
                rows.append([o])
        for r in rows:
            self.emit(" ".join(" ".join(o[0]) for o in sorted(r, key=lambda o: o[3])))

    # -- document parts ----------------------------------------------------
    def header(self, hdr):
        L = self.L
        hs = L["header_size"]
        W = self.width
        lw, rw = 0.40 * W, 0.60 * W
        lx, rx = self.x0 - 0.02 * W, self.x0 + 0.40 * W

        def left_style(items):
            items = [line_item(i) for i in items]
            out = []
            for k, (t, o) in enumerate(items):
                up = is_upper(t)
                nxt_up = k + 1 < len(items) and is_upper(items[k + 1][0])
                bold = o.get("bold", up and not (k == 0 and nxt_up and len(items) > 2))
                italic = o.get("italic", False)
                gap = 9.0 if (k > 0 and not up and is_upper(items[k - 1][0])) else 0.0
                out.append((t, face(bold, italic), o.get("size", hs), gap))
            return out

        def right_style(items):
            items = [line_item(i) for i in items]
            out = []
            for k, (t, o) in enumerate(items):
                up = is_upper(t)
                italic = o.get("italic", bool(re.search(r"ngày .*tháng", t)))
                bold = o.get("bold", up or t.startswith("Độc lập"))
                size = o.get("size", hs if up else hs + 0.5)
                gap = 11.0 if italic and k > 0 else 0.0
                out.append((t, face(bold, italic), size, gap))
            return out

        yl, lops = self.column(hdr.get("left", []), lx, lw, self.y, "center", left_style)
        yr, rops = self.column(hdr.get("right", []), rx, rw, self.y, "center", right_style)
        self.flush_columns(lops, rops)
        # short rules under the agency name and under the motto (as in real reports)
        for ops, x, w in ((lops, lx, lw), (rops, rx, rw)):
            bold_ops = [o for o in ops if o[1] in (FONT["B"], FONT["BI"])]
            if bold_ops:
                last = bold_ops[-1]
                tw = min(sw(" ".join(last[0]), last[1], last[2]), w)
                rl = tw * (0.45 if ops is lops else 0.75)
                yb = last[4] - 0.5 * last[2]
                self.c.setLineWidth(0.6)
                self.c.line(x + (w - rl) / 2, yb, x + (w + rl) / 2, yb)
        self.y = min(yl, yr) - 14

    def title(self, lines, recipient):
        bs = self.L["body_size"]
        for k, t in enumerate(lines):
            t = clean(t)
            size = bs
            w = self.width * (1.0 if k == 0 else 0.92)
            x = self.x0 + (self.width - w) / 2
            self.block(t, FONT["B"], size, align="center", x=x, width=w,
                       space_before=10.0 if k == 0 else 0.0)
        # rule under the title
        rl = self.width * 0.22
        yb = self.y - 3
        self.c.setLineWidth(0.6)
        self.c.line(self.x0 + (self.width - rl) / 2, yb, self.x0 + (self.width + rl) / 2, yb)
        self.y -= 8
        if recipient:
            self.block(clean(recipient), FONT["R"], bs, align="center", space_before=6.0)
        self.y -= 6

    def body(self, blocks, tail_keep=0.0):
        L = self.L
        bs = L["body_size"]
        ind = L["indent_cm"] * cm
        last = max([i for i, b in enumerate(blocks) if clean(b.get("text", ""))] or [-1])
        for i, b in enumerate(blocks):
            kind = b.get("kind", "paragraph")
            text = clean(b.get("text", ""))
            if not text:
                continue
            if kind == "heading":
                lvl = int(b.get("level", 2))
                font = {1: FONT["B"], 2: FONT["B"], 3: FONT["BI"], 4: FONT["I"]}.get(lvl, FONT["B"])
                n = len(wrap_words(text, font, bs, self.width, ind))
                self.block(text, font, bs, "justify", ind, space_before=L["para_space"] + 2,
                           keep_lines=n + 2)
            else:
                keep, extra = 2, 0.0
                if i == last and tail_keep:
                    n = len(wrap_words(text, FONT["R"], bs, self.width, ind))
                    if n <= 4:          # short closing paragraph travels with the signature
                        keep, extra = n, tail_keep
                self.block(text, FONT["R"], bs, "justify", ind, space_before=L["para_space"],
                           keep_lines=keep, extra_keep=extra)

    def signature(self, sig, measure=False):
        W = self.width
        lw, rw = 0.48 * W, 0.52 * W
        lx, rx = self.x0, self.x0 + 0.48 * W
        hs = self.L["header_size"]

        def left_style(items):
            out = []
            for k, it in enumerate(items):
                t, o = line_item(it)
                if k == 0:
                    out.append((t, face(o.get("bold", True), o.get("italic", True)),
                                o.get("size", 12.0), 0.0))
                else:
                    out.append((t, face(o.get("bold", False), o.get("italic", False)),
                                o.get("size", 11.0), 0.0 if t else 11.0))
            return out

        def right_style(items):
            items = [line_item(i) for i in items]
            has_gap = any(not t for t, _ in items)
            out = []
            for k, (t, o) in enumerate(items):
                last = k == len(items) - 1
                gap = 0.0
                if not t:
                    gap = 50.0
                elif last and not has_gap and len(items) > 1:
                    gap = 62.0
                bold = o.get("bold", is_upper(t) or last)
                out.append((t, face(bold, o.get("italic", False)), o.get("size", hs + 0.5), gap))
            return out

        y0 = self.y - 10
        yl, _ = self.column(sig.get("left", []), lx, lw, y0, "left", left_style)
        yr, _ = self.column(sig.get("right", []), rx, rw, y0, "center", right_style)
        if measure:
            return self.y - min(yl, yr)
        if min(yl, yr) < self.bottom:
            self.new_page("body")
            y0 = self.y - 4
        yl, lops = self.column(sig.get("left", []), lx, lw, y0, "left", left_style)
        yr, rops = self.column(sig.get("right", []), rx, rw, y0, "center", right_style)
        self.flush_columns(lops, rops)
        self.y = min(yl, yr)

    # -- appendices ----------------------------------------------------------
    def appendix_title(self, lines, subtitle, default_label):
        lines = [clean(t) for t in lines if clean(t)]
        if not lines or not lines[0].lower().startswith("phụ lục"):
            lines = [default_label] + lines
        bs = self.L["body_size"]
        for k, t in enumerate(lines):
            self.block(t, FONT["B"], bs if k == 0 else bs - 0.5, align="center",
                       x=self.x0 + 0.05 * self.width, width=0.9 * self.width,
                       space_before=0.0)
        if subtitle:
            self.block(clean(subtitle), FONT["I"], bs - 1, align="center",
                       x=self.x0 + 0.08 * self.width, width=0.84 * self.width, space_before=2.0)
        self.y -= 10

    def table(self, header_rows, header_spans, body_rows, col_widths, kind, size):
        """header_rows / body_rows: list of (cells, styles, spans, kind) where
        cells are strings (None = covered by a span).  Paginates by rows,
        repeating the header rows on each page."""
        ts = size
        lead = ts * 1.18

        def PS(name, **kw):
            return ParagraphStyle(name, splitLongWords=0, **kw)

        st = {
            "c": PS("c", fontName=FONT["R"], fontSize=ts, leading=lead, alignment=TA_CENTER),
            "l": PS("l", fontName=FONT["R"], fontSize=ts, leading=lead, alignment=TA_LEFT),
            "hb": PS("hb", fontName=FONT["B"], fontSize=ts, leading=lead, alignment=TA_CENTER),
            "gb": PS("gb", fontName=FONT["B"], fontSize=ts, leading=lead, alignment=TA_LEFT),
            "gbc": PS("gbc", fontName=FONT["B"], fontSize=ts, leading=lead, alignment=TA_CENTER),
            "ci": PS("ci", fontName=FONT["I"], fontSize=ts, leading=lead, alignment=TA_LEFT,
                                 leftIndent=6),
            "cii": PS("cii", fontName=FONT["I"], fontSize=ts, leading=lead, alignment=TA_LEFT,
                                  leftIndent=14),
        }

        def flow(row):
            cells, styles, spans, _ = row
            return [Paragraph(escape(c), st[s]) if c else "" for c, s in zip(cells, styles)]

        base_style = [
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]

        def make(rows):
            data = [flow(r) for r in rows]
            style = list(base_style)
            for i, r in enumerate(rows):
                for (c0, r0, c1, r1) in r[2]:
                    style.append(("SPAN", (c0, i + r0), (c1, i + r1)))
            for (c0, r0, c1, r1) in header_spans:
                style.append(("SPAN", (c0, r0), (c1, r1)))
            t = Table(data, colWidths=col_widths)
            t.setStyle(TableStyle(style))
            return t

        def gold(row):
            # spanned-over cells are skipped; strip() so empty first/last cells leave no
            # leading/trailing blanks (the "|" separators keep the cell count)
            return CELL_SEP.join(c for c in row[0] if c is not None).strip()

        # measure row heights once
        full = make(header_rows + body_rows)
        full.wrap(self.width, 10 ** 6)
        rh = full._rowHeights
        hh = sum(rh[:len(header_rows)])
        heights = rh[len(header_rows):]
        i = 0
        while i < len(body_rows):
            avail = self.y - self.bottom - hh
            j, used = i, 0.0
            while j < len(body_rows) and used + heights[j] <= avail:
                used += heights[j]
                j += 1
            if j == i:
                if self.y < self.top - 1:      # not at top of page: retry on a fresh page
                    self.new_page(kind, (self.W, self.H))
                    continue
                j = i + 1                       # oversize row: let it overflow
            chunk = header_rows + body_rows[i:j]
            t = make(chunk)
            tw, th = t.wrapOn(self.c, self.width, 10 ** 6)
            t.drawOn(self.c, self.x0 + (self.width - tw) / 2, self.y - th)
            self.y -= th
            for r in chunk:
                self.emit(gold(r))
            i = j
            if i < len(body_rows):
                self.new_page(kind, (self.W, self.H))

    def appendix1(self, a1):
        size = A4
        self.new_page("appendix1", size)
        self.appendix_title(a1.get("title", []), a1.get("subtitle", ""), "Phụ lục I")
        cols = a1["columns"]
        groups_ = a1.get("column_groups") or []
        nv = len(cols)
        W = self.width
        ts = self.L["table_size"]

        def longest_word(texts, font):
            return max([sw(w, font, ts) for t in texts for w in clean(t).split()] or [0.0])

        rows_all = []

        def collect(rows):
            for r in rows:
                rows_all.append(r)
                collect(r.get("children") or [])
        for g in a1["groups"]:
            collect(g["rows"])
        tt_w = max(0.058 * W, longest_word([g.get("no", "") for g in a1["groups"]] + ["TT"], FONT["B"]) + 8)
        unit_w = max(0.105 * W, longest_word([r.get("unit", "") for r in rows_all] + ["Đơn vị"], FONT["B"]) + 8)
        name_w = W * (self.L["chitieu_frac"] if nv >= 4 else self.L["chitieu_frac"] + 0.08)
        v_w = (W - tt_w - unit_w - name_w) / nv
        v_min = longest_word([v for r in rows_all for v in r.get("values", [])], FONT["R"]) + 8
        v_min = max(v_min, longest_word([c.get("label", "") for c in cols], FONT["B"]) + 8)
        if v_w < v_min:
            v_w = v_min
            name_w = W - tt_w - unit_w - nv * v_w
        widths = [tt_w, name_w, unit_w] + [v_w] * nv
        ncol = 3 + nv
        header_rows, header_spans = [], []
        if groups_:
            r0 = ["TT", "Chỉ tiêu", "Đơn vị tính"]
            c = 3
            for g in groups_:
                span = int(g.get("span", 1))
                r0 += [clean(g.get("label", ""))] + [None] * (span - 1)
                if span > 1:
                    header_spans.append((c, 0, c + span - 1, 0))
                c += span
            r0 += [""] * (ncol - len(r0))
            r1 = [None, None, None] + [clean(x.get("label", "")) for x in cols]
            header_spans += [(0, 0, 0, 1), (1, 0, 1, 1), (2, 0, 2, 1)]
            header_rows = [(r0, ["hb"] * ncol, [], "header"), (r1, ["hb"] * ncol, [], "header")]
        else:
            r0 = ["TT", "Chỉ tiêu", "Đơn vị tính"] + [clean(x.get("label", "")) for x in cols]
            header_rows = [(r0, ["hb"] * ncol, [], "header")]
        body = []

        def walk(rows, depth):
            for r in rows:
                vals = [clean(v) for v in r.get("values", [])][:nv]
                vals += [""] * (nv - len(vals))
                name_style = "l" if depth == 0 else ("ci" if depth == 1 else "cii")
                cells = [clean(r.get("no", "")), clean(r["indicator"]), clean(r.get("unit", ""))] + vals
                body.append((cells, ["c", name_style, "c"] + ["c"] * nv, [], "row"))
                walk(r.get("children") or [], depth + 1)

        for g in a1["groups"]:
            cells = [clean(g.get("no", "")), clean(g.get("name", ""))] + [None] * (ncol - 2)
            body.append((cells, ["gbc", "gb"] + ["c"] * (ncol - 2), [(1, 0, ncol - 1, 0)], "group"))
            walk(g["rows"], 0)
        self.table(header_rows, header_spans, body, widths, "appendix1", self.L["table_size"])

    def appendix2(self, a2):
        size = landscape(A4) if self.L["appendix2_landscape"] else A4
        self.new_page("appendix2", size)
        self.appendix_title(a2.get("title", []), a2.get("subtitle", ""), "Phụ lục II")
        rows = a2["rows"]
        need_code = any(clean(r.get("code", "")) and clean(r.get("code", "")) not in clean(r.get("title", ""))
                        for r in rows)
        W = self.width
        names = ["TT", "Tên văn bản"] + (["Số, ký hiệu"] if need_code else []) + \
            ["Cơ quan chủ trì", "Cơ quan phối hợp", "Cấp ban hành", "Thời gian ban hành", "Loại văn bản"]
        fr = [0.045, 0.30] + ([0.12] if need_code else []) + [0.16, 0.16, 0.09, 0.105, 0.14]
        s = sum(fr)
        widths = [W * f / s for f in fr]
        ncol = len(names)
        header_rows = [(names, ["hb"] * ncol, [], "header")]
        body = []
        for r in rows:
            cells = [clean(r.get("no", "")), clean(r.get("title", ""))] + \
                ([clean(r.get("code", ""))] if need_code else []) + \
                [clean(r.get(k, "")) for k in ("lead_agency", "partner_agency", "level", "issued_on_raw", "doc_type")]
            styles = ["c", "l"] + (["c"] if need_code else []) + ["l", "l", "c", "c", "l"]
            body.append((cells, styles, [], "row"))
        self.table(header_rows, [], body, widths, "appendix2", self.L["table_size"])

    def save(self):
        self.c.showPage()
        self.c.save()


def check_glyphs(spec: dict):
    missing = set()

    def walk(o):
        if isinstance(o, str):
            for ch in nfc(o):
                if not ch.isspace() and ord(ch) not in _CMAP:
                    missing.add(ch)
        elif isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(spec)
    if missing:
        print(f"  warning: {spec.get('id')}: glyphs missing in font: {''.join(sorted(missing))}",
              file=sys.stderr)


def render_pdf(spec: dict, L: dict, path: str):
    r = Renderer(path, L)
    r.new_page("body")
    r.header(spec.get("header", {}))
    r.title(spec.get("title", []), spec.get("recipient", ""))
    sig_h = r.signature(spec["signature"], measure=True) if spec.get("signature") else 0.0
    r.body(spec.get("body", []), tail_keep=sig_h)
    if spec.get("signature"):
        r.signature(spec["signature"])
    if spec.get("appendix1"):
        r.appendix1(spec["appendix1"])
    if spec.get("appendix2") and spec["appendix2"].get("rows"):
        r.appendix2(spec["appendix2"])
    r.save()
    return r.pages, r.kinds


# --------------------------------------------------------------------------
# scanner degradation (runs in worker processes)
# --------------------------------------------------------------------------
def degrade_params(seed: int) -> dict:
    rng = random.Random(seed)
    return {
        "seed": seed,
        "angle": round(rng.choice([-1, 1]) * rng.uniform(0.3, 1.5), 3),
        "ink": round(rng.uniform(18, 60), 1),          # darkest grey of the ink
        "paper": round(rng.uniform(232, 252), 1),      # paper grey
        "illum_strength": round(rng.uniform(0.03, 0.12), 3),
        "illum_dir": round(rng.uniform(0, 2 * math.pi), 3),
        "vignette": round(rng.uniform(0.0, 0.06), 3),
        "noise_sigma": round(rng.uniform(1.0, 3.0), 2),
        "blur_radius": round(rng.uniform(0.55, 1.0), 3),
        "speckles": rng.randint(0, 250),
        "jpeg_quality": rng.randint(75, 83),
    }


def degrade(img: Image.Image, p: dict) -> Image.Image:
    rng = np.random.default_rng(p["seed"])
    img = img.convert("L").rotate(p["angle"], resample=Image.BICUBIC, expand=False, fillcolor=255)
    a = np.asarray(img, dtype=np.float32) / 255.0
    h, w = a.shape
    v = p["ink"] + (p["paper"] - p["ink"]) * a                      # contrast loss
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xn, yn = xx / w - 0.5, yy / h - 0.5
    d = math.cos(p["illum_dir"]) * xn + math.sin(p["illum_dir"]) * yn   # in [-0.7, 0.7]
    field = 1.0 - p["illum_strength"] * (d + 0.71) / 1.42 - p["vignette"] * (xn ** 2 + yn ** 2) * 2
    v *= field
    v += rng.normal(0.0, p["noise_sigma"], size=v.shape).astype(np.float32)
    n = p["speckles"]
    if n:
        ys = rng.integers(0, h - 4, n)
        xs = rng.integers(0, w - 4, n)
        sz = rng.integers(1, 4, n)
        for y0, x0, s in zip(ys, xs, sz):
            v[y0:y0 + s, x0:x0 + s] *= 0.45
    out = Image.fromarray(np.clip(v, 0, 255).astype(np.uint8), "L")
    return out.filter(ImageFilter.GaussianBlur(p["blur_radius"]))


def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
        return (out.stdout or out.stderr).splitlines()[0].strip()
    except Exception:
        return "unavailable"


def ocr(jpg: str, lang: str) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    res = subprocess.run(["tesseract", jpg, "-", "-l", lang, "--psm", "3", "-c", "page_separator="],
                         capture_output=True, env=env, check=True)
    return nfc(res.stdout.decode("utf-8", "replace"))


def page_task(pdf_path: str, index: int, params: dict, jpg_path: str, do_ocr: bool):
    t0 = time.time()
    pdf = pdfium.PdfDocument(pdf_path)
    page = pdf[index]
    img = page.render(scale=DPI / 72.0, grayscale=True).to_pil().convert("L")
    page.close()
    pdf.close()
    out = degrade(img, params)
    out.save(jpg_path, "JPEG", quality=params["jpeg_quality"], dpi=(DPI, DPI), optimize=True,
             progressive=True)
    t1 = time.time()
    res = {"index": index, "render_s": t1 - t0, "size": out.size}
    if do_ocr:
        res["eng"] = ocr(jpg_path, "eng")
        res["vie"] = ocr(jpg_path, "vie")
    res["ocr_s"] = time.time() - t1
    return res


# --------------------------------------------------------------------------
# image-only PDF (embeds the page JPEGs byte for byte, no re-encoding)
# --------------------------------------------------------------------------
def write_image_pdf(jpgs: list[str], sizes: list[tuple[int, int]], path: str):
    objs: list[bytes] = []
    kids = []
    npages = len(jpgs)
    # object numbering: 1 catalog, 2 pages, then per page: page, image, content
    for i, (jpg, (w, h)) in enumerate(zip(jpgs, sizes)):
        pno, ino, cno = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        kids.append(f"{pno} 0 R")
        pw, ph = w * 72.0 / DPI, h * 72.0 / DPI
        with open(jpg, "rb") as f:
            data = f.read()
        content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
        objs.append((pno, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
                          f"/Resources << /XObject << /Im0 {ino} 0 R >> /ProcSet [/PDF /ImageB] >> "
                          f"/Contents {cno} 0 R >>".encode()))
        objs.append((ino, f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} "
                          f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                          f"/Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"))
        objs.append((cno, f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"))
    objs.insert(0, (2, f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {npages} >>".encode()))
    objs.insert(0, (1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    objs.sort()
    buf = io.BytesIO()
    buf.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num, body in objs:
        offsets[num] = buf.tell()
        buf.write(f"{num} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = buf.tell()
    n = len(objs) + 1
    buf.write(f"xref\n0 {n}\n0000000000 65535 f \n".encode())
    for num in range(1, n):
        buf.write(f"{offsets[num]:010d} 00000 n \n".encode())
    buf.write(f"trailer\n<< /Size {n} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# --------------------------------------------------------------------------
# rough OCR word accuracy against gold
# --------------------------------------------------------------------------
WORD_RE = re.compile(r"\w+")


def word_accuracy(gold: str, hyp: str, fold=False, bag=False) -> tuple[int, int]:
    """(matched, total) gold words.  Sequence alignment (difflib) by default;
    bag=True counts the multiset intersection (order-free, for tables whose
    reading order tesseract scrambles)."""
    if fold:
        gold, hyp = strip_diacritics(gold), strip_diacritics(hyp)
    g, h = WORD_RE.findall(gold), WORD_RE.findall(hyp)
    if not g:
        return 0, 0
    if bag:
        from collections import Counter
        cg, ch = Counter(g), Counter(h)
        return sum(min(n, ch[w]) for w, n in cg.items()), len(g)
    sm = difflib.SequenceMatcher(None, g, h, autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()), len(g)


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------
def load_specs(spec_dir: str, only):
    paths = [spec_dir] if os.path.isfile(spec_dir) else sorted(glob.glob(os.path.join(spec_dir, "*.json")))
    specs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            s = json.load(f)
        if only and s["id"] not in only:
            continue
        specs.append(s)
    return specs


def build_one(spec: dict, variant: int, args, pool, tess_ver: str) -> dict:
    t0 = time.time()
    base_id = spec["id"]
    vid = base_id if variant == 1 else f"{base_id}-v{variant}"
    doc_seed = derive_seed(args.seed, vid)
    rng = random.Random(doc_seed)
    if variant == 1:
        L = dict(DEFAULT_LAYOUT)
        eff = copy.deepcopy(spec)
    else:
        L = random_layout(rng)
        eff = perturb_spec(spec, rng)
    eff["id"] = vid
    L["column_order"] = args.column_order
    check_glyphs(eff)
    out = os.path.join(args.out, vid)
    os.makedirs(os.path.join(out, "pages"), exist_ok=True)
    for old in glob.glob(os.path.join(out, "pages", "page-*.jpg")):
        os.remove(old)

    # 1. born-digital PDF + gold
    pdf_path = os.path.join(out, "clean.pdf")
    pages, kinds = render_pdf(eff, L, pdf_path)
    gold_pages = ["\n".join(nfc(x) for x in p) + "\n" for p in pages]
    with open(os.path.join(out, "gold.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\f".join(gold_pages))
    hdr, recs = indicator_records(eff["appendix1"])
    write_csv(os.path.join(out, "indicators.csv"), hdr, recs)
    if eff.get("appendix2") and eff["appendix2"].get("rows"):
        write_csv(os.path.join(out, "documents.csv"), DOC_FIELDS, document_records(eff["appendix2"]))
    elif os.path.exists(os.path.join(out, "documents.csv")):
        os.remove(os.path.join(out, "documents.csv"))
    with open(os.path.join(out, "spec.json"), "w", encoding="utf-8") as f:
        json.dump(eff, f, ensure_ascii=False, indent=1)
        f.write("\n")
    t_render = time.time() - t0

    # 2. raster + degrade (+ OCR), pages in parallel
    params = [degrade_params(derive_seed(doc_seed, "page", i)) for i in range(len(pages))]
    jpgs = [os.path.join(out, "pages", f"page-{i + 1:03d}.jpg") for i in range(len(pages))]
    do_ocr = not args.no_ocr
    futs = [pool.submit(page_task, pdf_path, i, params[i], jpgs[i], do_ocr) for i in range(len(pages))]
    results = sorted((f.result() for f in futs), key=lambda r: r["index"])
    write_image_pdf(jpgs, [r["size"] for r in results], os.path.join(out, "scan.pdf"))

    acc = {}
    if do_ocr:
        for lang in ("eng", "vie"):
            with open(os.path.join(out, f"{lang}.txt"), "w", encoding="utf-8", newline="\n") as f:
                f.write("\f".join(r[lang] for r in results))
        for lang in ("vie", "eng"):
            for part in ("body", "appendix"):
                m = n = 0
                for r, g, k in zip(results, gold_pages, kinds):
                    if (k == "body") == (part == "body"):
                        a, b = word_accuracy(g.replace(CELL_SEP, " "), r[lang], fold=(lang == "eng"),
                                             bag=(part == "appendix"))
                        m, n = m + a, n + b
                acc[f"{lang}_{part}"] = round(m / n, 4) if n else None
    else:
        for lang in ("eng", "vie"):
            p = os.path.join(out, f"{lang}.txt")
            if os.path.exists(p):
                os.remove(p)

    meta = {
        "id": vid, "base_id": base_id, "variant": variant, "seed": args.seed, "doc_seed": doc_seed,
        "page_count": len(pages), "page_kinds": kinds, "dpi": DPI,
        "layout": L, "degradation": params,
        "tesseract": tess_ver if do_ocr else None,
        "ocr_cmd": "OMP_THREAD_LIMIT=1 tesseract PAGE - -l LANG --psm 3 -c page_separator=" if do_ocr else None,
        "word_accuracy": acc or None,
        "word_accuracy_note": "matched words / gold words on \\w+ tokens; body pages: difflib "
                              "sequence alignment, appendix pages: order-free multiset overlap; "
                              "eng compared after stripping diacritics from both sides",
    }
    with open(os.path.join(out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
        f.write("\n")
    secs = time.time() - t0
    return {"id": vid, "pages": len(pages), "seconds": secs, "render": t_render,
            "page_s": sum(r["render_s"] for r in results) / len(results),
            "ocr_s": sum(r["ocr_s"] for r in results) / len(results), "acc": acc,
            "kb": sum(os.path.getsize(j) for j in jpgs) / 1024 / len(jpgs)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--specs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "synthetic_reports"),
                    help="directory of *.json specs (or a single .json file)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for raster/OCR (default 2)")
    ap.add_argument("--only", nargs="*", default=None, help="spec ids to build")
    ap.add_argument("--no-ocr", action="store_true", help="skip tesseract (no eng.txt/vie.txt)")
    ap.add_argument("--column-order", choices=["row", "column"], default="row",
                    help="gold order of the two-column title/signature blocks (default: row, "
                         "i.e. side-by-side lines merged like tesseract does)")
    ap.add_argument("--variants", type=int, default=1,
                    help="render each spec N times: <id>, <id>-v2 ... <id>-vN (perturbed)")
    args = ap.parse_args(argv)

    font_dir = register_fonts()
    specs = load_specs(args.specs, set(args.only) if args.only else None)
    if not specs:
        sys.exit(f"no specs found in {args.specs}")
    os.makedirs(args.out, exist_ok=True)
    tess_ver = tesseract_version() if not args.no_ocr else None
    print(f"fonts: {font_dir}  specs: {len(specs)}  variants: {args.variants}  seed: {args.seed}  "
          f"jobs: {args.jobs}  tesseract: {tess_ver or 'skipped'}", flush=True)
    rows = []
    t_all = time.time()
    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for spec in specs:
            for v in range(1, args.variants + 1):
                r = build_one(spec, v, args, pool, tess_ver)
                rows.append(r)
                a = r["acc"]
                accs = "" if not a else "  vie body/app %.3f/%.3f  eng body/app %.3f/%.3f" % tuple(
                    (a.get(k) or 0.0) for k in ("vie_body", "vie_appendix", "eng_body", "eng_appendix"))
                print(f"  {r['id']:<28} {r['pages']:>3} pages {r['seconds']:7.1f} s{accs}", flush=True)
    print()
    print(f"{'id':<28} {'pages':>5} {'seconds':>8} {'s/page':>7} {'KB/page':>8} "
          f"{'vie_body':>8} {'vie_app':>8} {'eng_body':>8} {'eng_app':>8}")
    for r in rows:
        a = r["acc"] or {}
        f = lambda k: f"{a[k]:.3f}" if a.get(k) is not None else "-"
        print(f"{r['id']:<28} {r['pages']:>5} {r['seconds']:>8.1f} {r['seconds'] / r['pages']:>7.1f} "
              f"{r['kb']:>8.0f} {f('vie_body'):>8} {f('vie_appendix'):>8} {f('eng_body'):>8} {f('eng_appendix'):>8}")
    tp = sum(r["pages"] for r in rows)
    print(f"{'TOTAL':<28} {tp:>5} {time.time() - t_all:>8.1f}")


if __name__ == "__main__":
    main()
