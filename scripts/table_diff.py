#!/usr/bin/env python3
"""Gold vs parsed Phụ lục I cells of synthetic eng-OCR reports, row by row (a development aid).

For each gold row: the parsed row it matched (the greedy name matching of
scripts/evaluate.py), its gold and parsed cells, and for each wrong cell whether the gold
value appears in the OCR text at all. The restored document is cached per input (restoration
is the slow part), so after a change to the table parser only ``parse_tables`` reruns.

Usage: python scripts/table_diff.py DIR [DIR ...] [--only-wrong] [--summary]
       (DIR: one make_synthetic.py report folder, or a folder of them)
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from pipeline.restore.syllables import skeleton  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from evaluate import cell_norm, match_rows, ocr_stage_digest, read_rows, value_columns  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "vnocr-table-diff-cache"


@functools.lru_cache(maxsize=1)
def _restoration_digest() -> bytes:
    """A digest of the code that reads and restores a document (ingest, OCR, the grid reader,
    the record types, restoration) and of its dictionaries: a cached document is stale when
    any of them changes."""
    h = hashlib.sha256(ocr_stage_digest().encode())
    for f in sorted([*(ROOT / "pipeline" / "restore").glob("*.py"),
                     *(ROOT / "dictionaries").glob("vi_*")]):
        h.update(f.name.encode() + f.read_bytes())
    return h.digest()


def restored(path: Path):
    """The ingested and restored document of *path*, cached by content."""
    from pipeline.ingest import read_document
    from pipeline.options import RunOptions
    from pipeline.restore import restore_document

    key = hashlib.sha256(path.read_bytes() + _restoration_digest()).hexdigest()[:16]
    CACHE.mkdir(exist_ok=True)
    f = CACHE / f"{path.parent.name}-{key}.pkl"
    if f.exists():
        return pickle.loads(f.read_bytes())
    opts = RunOptions()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (path.parent.name + path.suffix)
        src.symlink_to(path.resolve())
        doc = restore_document(read_document(src, src.stem, opts.ingest, opts.ocr), opts.restore)
    f.write_bytes(pickle.dumps(doc))
    return doc


def parsed_rows(path: Path) -> list[dict]:
    from pipeline.export import indicator_header, indicator_rows
    from pipeline.tables import parse_tables

    doc = parse_tables(restored(path))
    header = indicator_header(doc.columns)
    return [dict(zip(header, map(str, row))) for row in indicator_rows(doc, doc.columns)]


def report_dirs(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if (p / "indicators.csv").exists():
            out.append(p)
        else:
            out += sorted(d for d in p.iterdir() if (d / "indicators.csv").exists())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", type=Path, nargs="+")
    ap.add_argument("--only-wrong", action="store_true", help="list only rows with a wrong cell")
    ap.add_argument("--summary", action="store_true", help="totals only")
    args = ap.parse_args()
    tot = Counter()
    for d in report_dirs(args.dirs):
        gold = read_rows(d / "indicators.csv")
        got = parsed_rows(d / "eng.txt")
        ocr_lines = (d / "eng.txt").read_text(encoding="utf-8").splitlines()
        ocr = " ".join(" ".join(ocr_lines).split())
        cols = value_columns(gold)
        js = match_rows(gold, got)
        used = set(js)
        if not args.summary:
            print(f"=== {d.name}: {len(gold)} gold rows, {len(got)} parsed")
        for g, j in zip(gold, js):
            r = got[j] if j >= 0 else {}
            gc = [cell_norm(g.get(c, "")) for c in cols]
            pc = [cell_norm(r.get(c, "")) for c in cols]
            wrong = [k for k in range(len(cols)) if gc[k] != pc[k]]
            tot["cells"] += len(cols)
            tot["right"] += len(cols) - len(wrong)
            tot["rows"] += 1
            tot["found"] += j >= 0
            # a wrong cell whose gold value OCR never printed is out of reach of the parser
            absent = [k for k in wrong if gc[k] and g.get(cols[k], "").strip() not in ocr]
            tot["absent"] += len(absent)
            if j >= 0 and r.get("lines"):
                # ...or not printed on the OCR lines of the row found (two lines either side):
                # a value misread there ("a5" for "95") may still be printed elsewhere
                nums = [int(x) for x in str(r["lines"]).split()]
                near = " ".join(ocr_lines[max(min(nums) - 3, 0):max(nums) + 2]).replace("|", " ")
                toks = set(near.split())
                far = [k for k in wrong if gc[k] and not set(g.get(cols[k], "").split()) <= toks]
            else:
                far = absent
            tot["absent_near"] += len(far)
            if args.summary or (args.only_wrong and not wrong):
                continue
            mark = "OK " if not wrong else ("MISS" if j < 0 else "BAD")
            print(f"{mark} [{g['group_no']}] {g['indicator'][:70]}")
            if j >= 0 and skeleton(r["indicator"]) != skeleton(g["indicator"]):
                print(f"     name: {r['indicator'][:90]}")
            if wrong:
                print(f"     gold: {' | '.join(g.get(c, '') for c in cols)}   unit {g['unit']}")
                if j >= 0:
                    print(f"     got : {' | '.join(r.get(c, '') for c in cols)}   unit {r['unit']}"
                          f"  lines {r['lines']}")
                    if r.get("flags"):
                        print(f"     flags: {r['flags'][:160]}")
                if absent:
                    print(f"     not in OCR: {', '.join(cols[k] for k in absent)}")
                if set(far) - set(absent):
                    print(f"     not on the row's lines: {', '.join(cols[k] for k in far if k not in absent)}")
        extra = [r for j, r in enumerate(got) if j not in used]
        tot["got"] += len(got)
        tot["extra"] += len(extra)
        if not args.summary:
            for r in extra:
                vals = " | ".join(r.get(c, "") for c in cols)
                print(f"EXTRA {r['indicator'][:70]} | {vals}  lines {r['lines']}")
    print(f"cells {tot['right'] / max(tot['cells'], 1):.4f} ({tot['right']}/{tot['cells']}; "
          f"{tot['absent']} wrong cells not in OCR, {tot['absent_near']} not on their row's "
          f"lines)  recall {tot['found'] / max(tot['rows'], 1):.4f}  "
          f"precision {(tot['got'] - tot['extra']) / max(tot['got'], 1):.4f}")


if __name__ == "__main__":
    main()
