#!/usr/bin/env python3
"""Validate the synthetic gold reports in this directory.

Checks: valid JSON, required keys, NFC for every string, classic tone
placement (hòa/hóa/khỏe/thủy), len(values) == len(columns) for every row
and child row, and prints per-file counts. Exit status 1 on any error.
"""
import glob, json, os, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REQ_TOP = ["id", "province", "header", "title", "recipient", "body", "signature", "appendix1"]
REQ_A1 = ["title", "subtitle", "columns", "column_groups", "groups"]
REQ_A2 = ["no", "title", "code", "lead_agency", "partner_agency", "level", "issued_on_raw", "doc_type"]
# modern ("new-style") tone placement on open oa/oe/uy syllables, e.g. "hoà", "khoẻ", "thuỷ"
NEW_STYLE = re.compile(r"(?<![qQ])(?:[oO][àáảãạ]|[oO][èéẻẽẹ]|[uU][ỳýỷỹỵ])(?![a-zA-ZÀ-ỹ])")

SHAPES = {
    "<n": r"^<\s?\d", "<=n": r"^<=\s?\d", ">n": r"^>\s?\d", ">= n": r"^>=\s\d",
    "range": r"^\d+(,\d+)?-\d+(,\d+)?$", "decimal": r"^\d+,\d+$", "thousands": r"^\d{1,3}(\.\d{3})+$",
    "percent": r"^\d+(,\d+)?%$", "dash": r"^-$", "empty": r"^$",
    "qualitative": r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]+ [a-zà-ỹđ ]+$", "split": r";",
}

def strings(o):
    if isinstance(o, str): yield o
    elif isinstance(o, dict):
        for k, v in o.items(): yield k; yield from strings(v)
    elif isinstance(o, list):
        for v in o: yield from strings(v)

def rows_of(a1):
    for g in a1["groups"]:
        for r in g["rows"]:
            yield r
            for c in r.get("children", []): yield c

def check(path, errs):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    name = os.path.basename(path)
    for k in REQ_TOP:
        if k not in d: errs.append(f"{name}: missing {k}")
    for s in strings(d):
        if unicodedata.normalize("NFC", s) != s: errs.append(f"{name}: not NFC: {s[:60]!r}")
        for m in NEW_STYLE.finditer(s):
            errs.append(f"{name}: new-style tone '{s[max(0,m.start()-8):m.end()+3]}'")
    a1 = d["appendix1"]
    for k in REQ_A1:
        if k not in a1: errs.append(f"{name}: appendix1 missing {k}")
    n = len(a1["columns"])
    if sum(g["span"] for g in a1["column_groups"]) != n: errs.append(f"{name}: column_groups span != {n}")
    shapes = set()
    for r in rows_of(a1):
        for k in ("indicator", "unit", "values"):
            if k not in r: errs.append(f"{name}: row missing {k}")
        if len(r["values"]) != n: errs.append(f"{name}: {len(r['values'])} values != {n}: {r['indicator'][:50]}")
        for v in r["values"]:
            for sh, rx in SHAPES.items():
                if re.search(rx, v): shapes.add(sh)
    missing = set(SHAPES) - shapes
    if missing: errs.append(f"{name}: value shapes not covered: {sorted(missing)}")
    for b in d["body"]:
        if b["kind"] not in ("heading", "paragraph", "bullet"): errs.append(f"{name}: bad kind {b['kind']}")
        if b["kind"] == "heading" and b.get("level") not in (1, 2, 3, 4): errs.append(f"{name}: bad level")
    a2 = d.get("appendix2")
    if a2:
        for r in a2["rows"]:
            for k in REQ_A2:
                if k not in r: errs.append(f"{name}: appendix2 row missing {k}")
    words = sum(len(b["text"].split()) for b in d["body"])
    # rough printed-line estimate: ~95 characters per line on A4, 13-14 pt
    lines = sum(-(-len(b["text"]) // 95) for b in d["body"])
    nrows = sum(1 for _ in rows_of(a1))
    return d, words, lines, nrows, len(a1["groups"]), n, (len(a2["rows"]) if a2 else 0)

def sentences(d):
    for b in d["body"]:
        if b["kind"] == "heading": continue
        for s in re.split(r"(?<=[.;:])\s+", b["text"].lstrip("- ")):
            if len(s.split()) >= 8: yield s.strip()

def main():
    errs, seen = [], {}
    files = sorted(glob.glob(os.path.join(HERE, "*.json")))
    print(f"{'file':28} {'body_words':>10} {'est_lines':>9} {'groups':>6} {'cols':>4} {'a1_rows':>7} {'a2_rows':>7}")
    for p in files:
        d, w, l, r, g, n, a2 = check(p, errs)
        print(f"{os.path.basename(p):28} {w:>10} {l:>9} {g:>6} {n:>4} {r:>7} {a2:>7}")
        for s in sentences(d):
            if s in seen and seen[s] != d["id"]: errs.append(f"sentence reused in {seen[s]} and {d['id']}: {s[:70]}")
            seen.setdefault(s, d["id"])
    for e in errs: print("ERROR", e)
    print("OK" if not errs else f"{len(errs)} error(s)")
    sys.exit(1 if errs else 0)

if __name__ == "__main__":
    main()
