#!/usr/bin/env python3
"""Accuracy of vnocr's restoration and table parsing on held-out data, printed as tables.

Restoration sets (each optional; missing data is reported, not faked):
  real-test     the test half of the hand-restored lines of the real sample (never tuned on)
  real-dev      its dev half (tuned on; shown for contrast)
  real-dev2     the sample's other body lines, restored by hand later (never trained on;
                worked on: the real OCR's dev set for restoration decisions)
  synth-eng     synthetic reports OCR'd with tesseract -l eng (body text vs gold.txt)
  synth-eng-unseen  synth-eng without the reports whose body text a dev spec shares (the dev
                specs in scripts/synthetic_reports_dev that were made from a held-out report)
  synth-vie     the same pages OCR'd with -l vie (post-correction of the fresh path)
  synth-scan    scan.pdf through vnocr's own OCR (vie) and post-correction, end to end
  prose-strip   held-out Vietnamese prose of another domain (LibreOffice help), marks stripped
  prose-eng     the same prose rendered, scanned and read by tesseract -l eng
Systems: identity (input unchanged), vnocr, and pyvi's ViUtils.add_accents when installed.

Metrics: CER; word accuracy; accuracy on words that carry diacritics; and "damaged": the share
of words already right in the input that the system made wrong. Words are aligned by
Levenshtein over tokens, line by line when line counts match, else over the whole document.
Tone placement is normalised to one convention before comparing.

Tables: cell exact-match rate (cells trimmed; '-' and empty both mean no value), row recall
and precision against gold indicators.csv, on the real sample (certain rows) and on the
synthetic reports from eng-OCR text, born-digital PDF and scan.

Indicator ids: the catalog id of each row of the seven committed synthetic reports against the
hand-labelled gold/synthetic_indicator_ids.csv: id accuracy (empty == empty is right, a gold
row the parser did not output is wrong), and cross-province agreement, over all pairs of gold
rows of different reports with the same non-empty gold id: the share where both predicted ids
equal the gold id.

Usage: python scripts/evaluate.py [--synth DIR] [--sets real-test synth-eng ...] [--no-tables]
             [--errors FILE] [--ocr-cache DIR] [--normalization none|contrast|binarize]
  --errors FILE   every gold word vnocr gets wrong (still wrong, or damaged) and every word
                  it fixed, as TSV: set, document, kind, gold, OCR, vnocr, gold context
  --ocr-cache DIR keep synth-scan's OCR stage output (pickles keyed by the scan's and the
                  OCR code's digests) so reruns only redo restoration
  --normalization  page pixels before OCR on synth-scan: Tesseract's own binarisation
                  (none, the default), a contrast stretch, or vnocr's adaptive threshold
       python scripts/evaluate.py --no-restore [--id-errors]   # tables and ids only
"""
from __future__ import annotations

import argparse
import csv
import functools
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from pipeline.restore import Source, detect_source, fix_numbering, restore_lines  # noqa: E402
from pipeline.restore.syllables import has_marks, normalize_tone_placement, skeleton  # noqa: E402
from pipeline.restore.tokens import split_line  # noqa: E402

GOLD = ROOT / "tests" / "data" / "gold"
GOLD_IDS = GOLD / "synthetic_indicator_ids.csv"
SAMPLE = ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt"
DEFAULT_SYNTH = [ROOT / "tests" / "data" / "synthetic", Path("/tmp/synth")]
CORPUS = ROOT / "data" / "corpus"
EVAL_DATA = ROOT / "data" / "eval"


def norm_word(w: str) -> str:
    return normalize_tone_placement(unicodedata.normalize("NFC", w))


def words(line: str) -> list[str]:
    return [norm_word(p[0]) for p in split_line(line) if p[3] == "word"]


@dataclass
class Counts:
    chars: int = 0
    char_err: int = 0
    words: int = 0
    right: int = 0
    marked: int = 0
    marked_right: int = 0
    kept: int = 0          # gold words already right in the input
    kept_broken: int = 0   # ... that the system made wrong

    def add(self, other: "Counts") -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def row(self) -> tuple[str, ...]:
        def r(a, b):
            return f"{a / b:.4f}" if b else "-"
        return (r(self.char_err, self.chars), r(self.right, self.words),
                r(self.marked_right, self.marked), r(self.kept_broken, self.kept), str(self.words))


def _equal_pairs(a: list[str], b: list[str]) -> dict[int, int]:
    """Index in *a* → index in *b* of the tokens a Levenshtein alignment matches exactly."""
    out: dict[int, int] = {}
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            out.update((op.src_start + k, op.dest_start + k)
                       for k in range(op.src_end - op.src_start))
    return out


def aligned_right(gold: list[str], hyp: list[str]) -> set[int]:
    """Indexes of gold tokens matched exactly by hyp under a Levenshtein alignment."""
    return set(_equal_pairs(gold, hyp))


def damaged(gold: list[str], inp: list[str], hyp: list[str]) -> set[int]:
    """Indexes of the gold words the input had right that the system changed: their input
    token has no equal partner in the alignment of input and output. (Asking instead which
    of them the output does not match sees an alignment's choice among equal paths: where
    OCR moved a name among garbled lines, the gold-output alignment may pair its words
    with other copies while the system left every one as it was.)"""
    unchanged = _equal_pairs(inp, hyp)
    return {k for k, j in _equal_pairs(gold, inp).items() if j not in unchanged}


def score_pair(gold_text: str, inp_text: str, hyp_text: str) -> Counts:
    c = Counts()
    g, i, h = words(gold_text), words(inp_text), words(hyp_text)
    gl = " ".join(g)
    c.chars = len(gl)
    c.char_err = Levenshtein.distance(gl, " ".join(h))
    right = aligned_right(g, h)
    kept = aligned_right(g, i)
    c.words = len(g)
    c.right = len(right)
    marked = [k for k, w in enumerate(g) if has_marks(w)]
    c.marked = len(marked)
    c.marked_right = sum(1 for k in marked if k in right)
    c.kept = len(kept)
    c.kept_broken = len(damaged(g, i, h))
    return c


def score(gold: list[str], inp: list[str], hyp: list[str]) -> Counts:
    total = Counts()
    if len(gold) == len(inp) == len(hyp):
        for g, i, h in zip(gold, inp, hyp):
            total.add(score_pair(g, i, h))
    else:
        total.add(score_pair(" ".join(gold), " ".join(inp), " ".join(hyp)))
    return total


def word_map(gold: list[str], other: list[str]) -> list[str]:
    """For each gold word, the word of *other* aligned to it ('' if none)."""
    out = [""] * len(gold)
    for op in Levenshtein.opcodes(gold, other):
        if op.tag in ("equal", "replace"):
            for k in range(op.src_end - op.src_start):
                j = op.dest_start + k
                if j < op.dest_end:
                    out[op.src_start + k] = other[j]
            if op.tag == "replace" and op.dest_end - op.dest_start > op.src_end - op.src_start:
                # OCR split a word: the extra pieces go with the last gold word of the block
                out[op.src_end - 1] = " ".join(other[op.dest_start + op.src_end - op.src_start - 1:
                                                     op.dest_end])
    return out


def word_errors(gold_text: str, inp_text: str, hyp_text: str) -> list[tuple[str, ...]]:
    """(kind, gold, OCR, vnocr, context) for every gold word wrong after vnocr ('wrong' if
    the OCR had it wrong too, 'damaged' if not) and every word vnocr put right ('fixed')."""
    g, i, h = words(gold_text), words(inp_text), words(hyp_text)
    right, kept, broken = aligned_right(g, h), aligned_right(g, i), damaged(g, i, h)
    im, hm = word_map(g, i), word_map(g, h)
    out = []
    for k, w in enumerate(g):
        if k in kept and k not in broken:
            continue   # right in the input, and left as it was
        kind = "damaged" if k in broken else "fixed" if k in right else "wrong"
        ctx = " ".join(g[max(0, k - 4):k]) + " [" + w + "] " + " ".join(g[k + 1:k + 5])
        out.append((kind, w, im[k], hm[k], ctx))
    return out


def write_errors(path: Path, name: str, make, gold: list[str], inp: list[str],
                 hyp: list[str]) -> None:
    names = getattr(make, "names", None) or [str(k) for k in range(len(gold))]
    if not (len(gold) == len(inp) == len(hyp) == len(names)):
        names, gold, inp, hyp = ["all"], [" ".join(gold)], [" ".join(inp)], [" ".join(hyp)]
    new = not path.exists()
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write("set\tdocument\tkind\tgold\tocr\tvnocr\tcontext\n")
        for doc, g, i, h in zip(names, gold, inp, hyp):
            f.writelines("\t".join((name, doc, *row)) + "\n" for row in word_errors(g, i, h))


# --- systems ------------------------------------------------------------------------------
def sys_identity(lines: list[str], source: Source) -> list[str]:
    return list(lines)


def sys_vnocr(lines: list[str], source: Source) -> list[str]:
    return list(restore_lines(lines, source).lines)


def sys_pyvi():
    try:
        from pyvi import ViUtils  # type: ignore
    except ImportError:
        return None

    def run(lines: list[str], source: Source) -> list[str]:
        out = []
        for ln in lines:
            try:
                out.append(ViUtils.add_accents(ln))
            except Exception:  # noqa: BLE001 - pyvi raises KeyError on OCR junk
                out.append(ln)
        return out
    return run


# --- data sets ----------------------------------------------------------------------------
def real_sample(split: str):
    """Whole sample restored in context; scored on the gold lines of one split."""
    rows = list(csv.DictReader(open(GOLD / "hai-phong-nq42.lines.tsv", encoding="utf-8"),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = [r for r in rows if r["split"] == split]
    src = SAMPLE.read_text(encoding="utf-8").split("\n")

    def make(system):
        out = system(src, Source.ENG)
        return ([r["gold"] for r in rows], [r["ocr"] for r in rows],
                [out[int(r["line"]) - 1].strip() for r in rows])
    return make


def body_of(text: str) -> list[str]:
    """Lines before the first appendix heading (tables are scored separately)."""
    out = []
    for line in text.replace("\f", "\n").split("\n"):
        sk = skeleton(line).strip()
        if sk.startswith("phu luc"):
            break
        out.append(line)
    return out


def synth_dirs(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/gold.txt"))


DEV_SPECS = ROOT / "scripts" / "synthetic_reports_dev"


def _sentences(text: str) -> list[str]:
    """The sentences of eight words or more of *text*, spaces normalised."""
    return [" ".join(s.split()) for s in re.split(r"(?<=[.;:])\s+", text) if len(s.split()) >= 8]


@functools.cache
def dev_sentences() -> frozenset[str]:
    """Body sentences of the development specs (scripts/synthetic_reports_dev)."""
    import json

    return frozenset(s for p in DEV_SPECS.glob("*.json")
                     for block in json.loads(p.read_text(encoding="utf-8"))["body"]
                     for s in _sentences(block["text"]))


def seen_in_dev(d: Path) -> bool:
    """A held-out report whose body text a development spec shares (more than a tenth of its
    sentences): quang-ninh-dev was made from da-nang-nq42 by changing names and numbers, so
    decisions tuned on the dev sets saw that report's text. The "-unseen" sets leave it out."""
    sents = _sentences(" ".join((d / "gold.txt").read_text(encoding="utf-8").split()))
    dev = dev_sentences()
    return bool(sents) and sum(s in dev for s in sents) > len(sents) / 10


def synthetic(root: Path, kind: str, unseen: bool = False):
    docs = [d for d in synth_dirs(root) if not (unseen and seen_in_dev(d))]

    def make(system):
        gold, inp, hyp = [], [], []
        for d in docs:
            f = d / f"{kind}.txt"
            if not f.exists():
                continue
            g = body_of((d / "gold.txt").read_text(encoding="utf-8"))
            i = body_of(f.read_text(encoding="utf-8"))
            h = system(i, Source.ENG if kind == "eng" else Source.VIE)
            if system is sys_vnocr:   # a whole document: its numbering put right, as a run does
                h = fix_numbering(h)
            gold.append(" ".join(g))
            inp.append(" ".join(i))
            hyp.append(" ".join(h))
        return gold, inp, hyp
    return make if docs else None


def ocr_stage_digest() -> str:
    """Digest of the code that turns a scan into OCR lines and table grids (ingest and ocr
    stages, the grid reader, and the records they are pickled as)."""
    import hashlib

    files = [ROOT / "pipeline" / "ingest.py", *sorted((ROOT / "pipeline" / "ocr").glob("*.py")),
             ROOT / "pipeline" / "tables" / "grid.py", ROOT / "pipeline" / "models.py"]
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]


def read_scan(path: Path, doc_id: str, cache_dir: Path | None, normalization: str = "none"):
    """read_document(scan) — Tesseract, with the page *normalization* (none, contrast,
    binarize) — through an optional pickle cache."""
    import hashlib
    import pickle

    from pipeline.ingest import read_document
    from pipeline.options import RunOptions

    opts = RunOptions()
    opts = replace(opts, ocr=replace(opts.ocr, normalization=normalization))
    if cache_dir is None:
        return read_document(path, doc_id, opts.ingest, opts.ocr)
    key = hashlib.sha1(path.read_bytes()).hexdigest()[:12] + "-" + ocr_stage_digest() + \
        ("" if normalization == "none" else f"-{normalization}")
    f = cache_dir / f"{doc_id}-{key}.pkl"
    if f.exists():
        return pickle.loads(f.read_bytes())
    doc = read_document(path, doc_id, opts.ingest, opts.ocr)
    cache_dir.mkdir(parents=True, exist_ok=True)
    f.write_bytes(pickle.dumps(doc))
    return doc


def synthetic_scans(root: Path, ocr_cache: Path | None = None, normalization: str = "none"):
    """The scan path end to end: scan.pdf → Tesseract vie → post-correction (body text).
    identity = Tesseract's own text through vnocr's OCR stage, vnocr = after restoration."""
    docs = [d for d in synth_dirs(root) if (d / "scan.pdf").exists()]
    cache: dict[Path, tuple[list[str], list[str]]] = {}

    def make(system):
        from pipeline.restore import restore_document

        gold, inp, hyp = [], [], []
        for d in docs:
            if d not in cache:
                # the restore stage alone: table parsing does not change the lines
                doc = restore_document(read_scan(d / "scan.pdf", d.name, ocr_cache,
                                                 normalization))
                cache[d] = ([ln.text for ln in doc.lines], [ln.restored or ln.text for ln in doc.lines])
            raw, restored = cache[d]
            n = len(body_of("\n".join(raw)))
            # vnocr reads a two-column block (title, signature) column by column: score it
            # against the gold in that order when make_synthetic.py wrote one
            gold_file = d / "gold.column.txt" if (d / "gold.column.txt").exists() else d / "gold.txt"
            gold.append(" ".join(body_of(gold_file.read_text(encoding="utf-8"))))
            inp.append(" ".join(raw[:n]))
            hyp.append(" ".join(restored[:n] if system is sys_vnocr else system(raw[:n], Source.VIE)))
        return gold, inp, hyp
    make.names = [d.name for d in docs]
    return make if docs else None


def strip_marks(text: str) -> str:
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d" if ch == "đ" else "D")
            continue
        nfd = unicodedata.normalize("NFD", ch)
        out.append("".join(c for c in nfd if not unicodedata.combining(c)))
    return "".join(out)


PROSE = ROOT / "tests" / "data" / "prose"


def prose_strip(limit: int):
    path = CORPUS / "libreoffice.heldout.txt"
    if not path.exists():
        path = PROSE / "libreoffice-heldout.vi.txt"   # the committed first 1,000 sentences
    if not path.exists():
        return None
    gold = path.read_text(encoding="utf-8").splitlines()[:limit]

    def make(system):
        inp = [strip_marks(g) for g in gold]
        return gold, inp, system(inp, detect_source(inp))   # as vnocr's own run would
    return make


def prose_eng():
    path = EVAL_DATA / "prose-eng.tsv"
    if not path.exists():
        path = PROSE / "libreoffice-heldout.eng-ocr.tsv"
    if not path.exists():
        return None
    pairs = [ln.split("\t", 1) for ln in path.read_text(encoding="utf-8").splitlines() if "\t" in ln]

    def make(system):
        gold = [g for g, _ in pairs]
        inp = [o for _, o in pairs]
        return gold, inp, system(inp, Source.ENG)
    return make


# --- tables -------------------------------------------------------------------------------
def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def cell_norm(v: str) -> str:
    v = " ".join((v or "").split())
    return "" if v in ("-", "–") else v.replace(" ", "")


def match_rows(gold: list[dict], got: list[dict]) -> list[int]:
    """Index into *got* of each gold row's match (-1: none): greedy, by the skeleton names'
    token_sort_ratio, at least 70."""
    used: set[int] = set()
    out = []
    for g in gold:
        best, best_j = 0.0, -1
        gk = skeleton(g["indicator"])
        for j, r in enumerate(got):
            if j in used:
                continue
            s = fuzz.token_sort_ratio(gk, skeleton(r.get("indicator", "")))
            if s > best:
                best, best_j = s, j
        if best_j >= 0 and best >= 70:
            used.add(best_j)
            out.append(best_j)
        else:
            out.append(-1)
    return out


def value_columns(gold: list[dict]) -> list[str]:
    """The value columns of gold indicator rows (target_2025, actual_2024, ...)."""
    return [k for k in (gold[0] if gold else {}) if k.split("_")[0] in ("target", "actual", "estimate")]


def gold_rows(gold: list[dict], certain_only: bool) -> list[dict]:
    """The gold rows, or only those whose reading is certain."""
    return [g for g in gold if not certain_only or g.get("certain", "1") == "1"]


def table_scores(gold: list[dict], got: list[dict], certain_only: bool) -> tuple[int, int, int, int, int]:
    """(gold rows, found rows, got rows, cells, cells right) with greedy name matching."""
    value_cols = value_columns(gold)
    found = cells = right = 0
    g_rows = gold_rows(gold, certain_only)
    for g, j in zip(g_rows, match_rows(g_rows, got)):
        if j >= 0:
            found += 1
            r = got[j]
            for col in value_cols:
                cells += 1
                right += cell_norm(g.get(col, "")) == cell_norm(r.get(col, ""))
        else:
            cells += len(value_cols)
    return len(g_rows), found, len(got), cells, right


def parse(path: Path) -> list[dict]:
    """Indicator rows of one input as exported (dicts keyed by indicator_header)."""
    return exported_rows(process(path))


def exported_rows(doc) -> list[dict]:
    """A processed document's indicator rows as exported (dicts keyed by indicator_header)."""
    from pipeline.export import indicator_header, indicator_rows

    header = indicator_header(doc.columns)
    return [dict(zip(header, map(str, row))) for row in indicator_rows(doc, doc.columns)]


@functools.cache
def process(path: Path):
    """The processed document of one input (cached: the indicator and document tables and
    the ids read the same inputs)."""
    from pipeline.process import process_document

    return process_document(path, path.stem)


DOC_FIELDS = ("code", "issued_on", "level", "doc_type", "lead_agency")


def document_scores(gold: list[dict], got: list) -> tuple[int, int, int, list[int]]:
    """(gold rows, rows found, rows output, right per field of DOC_FIELDS) for one report's
    Phụ lục II. A gold row pairs with an output row of the same code, else of the same date
    as printed and a title alike (token_sort_ratio >= 50 on skeletons), else of a title
    alike at >= 80; best first, each output row once."""
    cands = []
    for k, g in enumerate(gold):
        for j, r in enumerate(got):
            t = fuzz.token_sort_ratio(skeleton(g["title"]), skeleton(r.title))
            same_code = bool(g["code"]) and g["code"] == r.code
            same_date = bool(g["issued_on_raw"]) and g["issued_on_raw"] == r.issued_on_raw
            if same_code or (same_date and t >= 50) or t >= 80:
                cands.append((2 * same_code + same_date + t / 100, k, j))
    used_g: set[int] = set()
    used_r: set[int] = set()
    right = [0] * len(DOC_FIELDS)
    for _, k, j in sorted(cands, reverse=True):
        if k in used_g or j in used_r:
            continue
        used_g.add(k)
        used_r.add(j)
        for i, f in enumerate(DOC_FIELDS):
            right[i] += (getattr(got[j], f) or "") == (gold[k][f] or "")
    return len(gold), len(used_g), len(got), right


def run_documents(synth_root: Path | None) -> list[tuple[str, ...]]:
    """Phụ lục II: rows found (recall, precision) and each field's accuracy over gold rows."""
    def row(data: str, kind: str, tot: list) -> tuple[str, ...]:
        n, found, n_got, right = tot
        return (data, kind, f"{found / max(n, 1):.4f}", f"{found / max(n_got, 1):.4f}",
                *(f"{r / max(n, 1):.4f}" for r in right), str(n))

    out = [row("real sample", "eng-ocr text", document_scores(
        read_rows(GOLD / "hai-phong-nq42.documents.csv"), list(process(SAMPLE).documents)))]
    if synth_root:
        for kind, fname in (("eng-ocr text", "eng.txt"), ("born-digital pdf", "clean.pdf"),
                            ("scan pdf", "scan.pdf")):
            tot = [0, 0, 0, [0] * len(DOC_FIELDS)]
            for d in synth_dirs(synth_root):
                if not (d / fname).exists() or not (d / "documents.csv").exists():
                    continue
                n, found, n_got, right = document_scores(read_rows(d / "documents.csv"),
                                                         list(synth_doc(d, fname).documents))
                tot = [tot[0] + n, tot[1] + found, tot[2] + n_got,
                       [a + b for a, b in zip(tot[3], right)]]
            if tot[0]:
                out.append(row("synthetic", kind, tot))
    return out


@functools.cache
def synth_doc(d: Path, fname: str):
    """The processed document of one synthetic input, named after its report (cached: the
    tables use it in turn); an empty document when it cannot be read."""
    import tempfile

    from pipeline.models import Document

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (d.name + Path(fname).suffix)
        src.symlink_to((d / fname).resolve())
        try:
            return process(src)
        except Exception as e:  # noqa: BLE001
            print(f"  {d.name}/{fname}: {e}", file=sys.stderr)
            return Document(source=str(src), doc_id=d.name, pages=())


@functools.cache
def parse_synth(d: Path, fname: str) -> tuple[dict, ...]:
    """parse() of one synthetic input (its indicator rows as exported)."""
    return tuple(exported_rows(synth_doc(d, fname)))


def cells_printed(gold: list[dict], text: str, certain_only: bool = False) -> tuple[int, int]:
    """(gold cells whose value the OCR *text* prints somewhere, gold cells): the most a text
    parser can get right. A value counts as printed when it, or it with its decimal comma or
    thousands dot dropped or swapped, stands anywhere in the text, spaces ignored; so the
    share is an upper bound (a "100" or "95" is nearly always somewhere). Empty and "-"
    cells count as printed."""
    flat = " ".join(text.split())
    tight = flat.replace(" ", "")
    printed = total = 0
    cols = value_columns(gold)
    for g in gold_rows(gold, certain_only):
        for col in cols:
            v = (g.get(col) or "").strip()
            total += 1
            forms = {v, v.replace(",", ""), v.replace(".", ""), v.replace(",", "."),
                     v.replace(" ", "")} - {""}
            printed += not cell_norm(v) or any(f in flat or f in tight for f in forms)
    return printed, total


def run_tables(synth_root: Path | None) -> list[tuple[str, ...]]:
    out = []
    gold = read_rows(GOLD / "hai-phong-nq42.indicators.csv")
    got = parse(SAMPLE)
    text = SAMPLE.read_text(encoding="utf-8")
    _, found_all, _, _, _ = table_scores(gold, got, False)
    for certain in (True, False):
        n, found, n_got, cells, right = table_scores(gold, got, certain)
        printed, total = cells_printed(gold, text, certain)
        # precision: rows output that match some gold row (certain or not) / rows output
        out.append(("real sample" + (" (certain rows)" if certain else " (all rows)"), "eng-ocr text",
                    f"{right / max(cells, 1):.4f}", f"{printed / max(total, 1):.4f}",
                    f"{found / max(n, 1):.4f}",
                    f"{min(found_all, n_got) / max(n_got, 1):.4f}", str(n)))
    if synth_root:
        for kind, fname, unseen in (("eng-ocr text", "eng.txt", False),
                                    ("eng-ocr text, unseen", "eng.txt", True),
                                    ("born-digital pdf", "clean.pdf", False),
                                    ("scan pdf", "scan.pdf", False)):
            tot = [0, 0, 0, 0, 0]
            printed = [0, 0]
            for d in synth_dirs(synth_root):
                if not (d / fname).exists() or not (d / "indicators.csv").exists():
                    continue
                if unseen and seen_in_dev(d):
                    continue
                got = list(parse_synth(d, fname))
                g = read_rows(d / "indicators.csv")
                for k, v in enumerate(table_scores(g, got, False)):
                    tot[k] += v
                if fname.endswith(".txt"):
                    for k, v in enumerate(cells_printed(g, (d / fname).read_text(encoding="utf-8"))):
                        printed[k] += v
            if tot[0]:
                n, found, n_got, cells, right = tot
                out.append(("synthetic", kind, f"{right / max(cells, 1):.4f}",
                            f"{printed[0] / printed[1]:.4f}" if printed[1] else "-",
                            f"{found / max(n, 1):.4f}", f"{min(found, n_got) / max(n_got, 1):.4f}", str(n)))
    return out


def predicted_ids(gold: list[dict], got: list[dict]) -> list[dict | None]:
    """The output row of each gold row of one report, or None.

    Pairs are taken best first by name (token_sort_ratio on skeletons, also against the part
    after " - " since a sub-row may be output as "<parent> - <child>"; +1 when (group_no,
    row_no) agree, since OCR can shift the numbering); a pair needs a ratio >= 70 as in
    table_scores, or >= 50 with the same (group_no, row_no). Best-first rather than in gold
    order, so that "Tỷ lệ hộ nghèo" is not taken by "Tỷ lệ hộ cận nghèo" before its own row."""
    cands = []
    for k, g in enumerate(gold):
        gk = skeleton(g["indicator"])
        for j, r in enumerate(got):
            name = r.get("indicator", "")
            s = max(fuzz.token_sort_ratio(gk, skeleton(name)),
                    fuzz.token_sort_ratio(gk, skeleton(name.rsplit(" - ", 1)[-1])))
            same = (g["group_no"], g["row_no"]) == (r.get("group_no", ""), r.get("row_no", ""))
            if s >= 70 or (same and s >= 50):
                cands.append((s + same, k, j))
    out: list[dict | None] = [None] * len(gold)
    used: set[int] = set()
    for _, k, j in sorted(cands, key=lambda c: (-c[0], c[1], c[2])):
        if out[k] is None and j not in used:
            used.add(j)
            out[k] = got[j]
    return out


def id_scores(gold: list[dict], pred: list[str | None]) -> tuple[int, int, int, int]:
    """(gold rows, ids right, cross-report pairs, pairs where both ids are right).

    gold: rows with report and gold_indicator_id; pred: the predicted id of each (None when the
    row was not output). A pair is two gold rows of different reports with the same non-empty
    gold id; it agrees when both predicted ids equal each other and the gold id."""
    right = [p is not None and p == g["gold_indicator_id"] for g, p in zip(gold, pred)]
    by_id: dict[str, list[int]] = {}
    for k, g in enumerate(gold):
        if g["gold_indicator_id"]:
            by_id.setdefault(g["gold_indicator_id"], []).append(k)
    pairs = agree = 0
    for ks in by_id.values():
        for a, i in enumerate(ks):
            for j in ks[a + 1:]:
                if gold[i]["report"] != gold[j]["report"]:
                    pairs += 1
                    agree += right[i] and right[j]
    return len(gold), sum(right), pairs, agree


def run_ids(show_errors: bool = False) -> list[tuple[str, ...]]:
    """Rows of the indicator-id table for the committed synthetic reports (born-digital, eng)."""
    synth_root = DEFAULT_SYNTH[0]   # the gold ids label these seven reports
    if not GOLD_IDS.exists():
        return []
    gold = read_rows(GOLD_IDS)
    reports = sorted({g["report"] for g in gold})
    out = []
    for kind, fname in (("born-digital pdf", "clean.pdf"), ("eng-ocr text", "eng.txt")):
        if not all((synth_root / r / fname).exists() for r in reports):
            continue
        pred: list[str | None] = []
        rows: list[dict | None] = []
        for rep in reports:
            g = [x for x in gold if x["report"] == rep]
            got = predicted_ids(g, list(parse_synth(synth_root / rep, fname)))
            rows += got
            pred += [None if r is None else r.get("indicator_id", "") for r in got]
        n, right, pairs, agree = id_scores(gold, pred)
        cert = [k for k, g in enumerate(gold) if g.get("certain", "1") == "1"]
        _, c_right, _, _ = id_scores([gold[k] for k in cert], [pred[k] for k in cert])
        out.append(("synthetic", kind, f"{right / max(n, 1):.4f}", f"{c_right / max(len(cert), 1):.4f}",
                    f"{agree / max(pairs, 1):.4f}", str(pairs), str(n)))
        if show_errors:
            for g, p, r in zip(gold, pred, rows):
                if p != g["gold_indicator_id"]:
                    got_name = "(row not found)" if r is None else r.get("indicator", "")
                    print(f"  {kind}\t{g['report']}\t{g['row_no']}\t{g['indicator']}\t"
                          f"gold={g['gold_indicator_id'] or '-'}\tgot={p or '-'}\t{got_name}",
                          file=sys.stderr)
    return out


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    if not rows:
        print("(no rows)")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", type=Path, default=None, help="folder of make_synthetic.py output")
    ap.add_argument("--sets", nargs="*", default=None)
    ap.add_argument("--prose-lines", type=int, default=1000)
    ap.add_argument("--no-tables", action="store_true")
    ap.add_argument("--no-restore", action="store_true", help="skip the restoration sets")
    ap.add_argument("--id-errors", action="store_true",
                    help="list the rows whose indicator id is wrong (stderr)")
    ap.add_argument("--no-pyvi", action="store_true")
    ap.add_argument("--errors", type=Path, default=None,
                    help="write vnocr's remaining, damaged and fixed words here (TSV)")
    ap.add_argument("--normalization", choices=("none", "contrast", "binarize"), default="none",
                    help="page pixels before OCR on synth-scan (the default is none: Tesseract's "
                         "own Otsu binarisation)")
    ap.add_argument("--ocr-cache", type=Path, default=None,
                    help="cache synth-scan's OCR stage output in this folder")
    args = ap.parse_args()
    if args.errors and args.errors.exists():
        args.errors.unlink()
    synth_root = args.synth or next((p for p in DEFAULT_SYNTH if p.exists() and synth_dirs(p)), None)
    sets = {
        "real-test": real_sample("test"),
        "real-dev": real_sample("dev"),
        "real-dev2": real_sample("dev2"),
        "synth-eng": synthetic(synth_root, "eng") if synth_root else None,
        "synth-eng-unseen": synthetic(synth_root, "eng", unseen=True) if synth_root else None,
        "synth-vie": synthetic(synth_root, "vie") if synth_root else None,
        "synth-scan": synthetic_scans(synth_root, args.ocr_cache, args.normalization)
        if synth_root else None,
        "prose-strip": prose_strip(args.prose_lines),
        "prose-eng": prose_eng(),
    }
    systems = [("identity", sys_identity), ("vnocr", sys_vnocr)]
    pyvi = None if args.no_pyvi else sys_pyvi()
    if pyvi:
        systems.append(("pyvi", pyvi))
    rows = []
    for name, make in sets.items():
        if args.no_restore or (args.sets and name not in args.sets):
            continue
        if make is None:
            print(f"(set {name}: data missing, skipped)", file=sys.stderr)
            continue
        for sname, system in systems:
            t0 = time.perf_counter()
            gold, inp, hyp = make(system)
            c = score(gold, inp, hyp)
            if args.errors and system is sys_vnocr:
                write_errors(args.errors, name, make, gold, inp, hyp)
            rows.append((name, sname, *c.row(), f"{time.perf_counter() - t0:.1f}"))
    if not args.no_restore:
        print("Restoration (word accuracy by Levenshtein alignment; damaged = right words made wrong)")
        print_table(("set", "system", "CER", "word acc", "marked acc", "damaged", "words", "s"), rows)
    if not args.no_tables:
        print()
        print("Tables (Phụ lục I; cells trimmed, '-' = empty; cells printed = gold cells whose value "
              "the OCR text prints anywhere, the most a text parser can get right)")
        print_table(("data", "input", "cells exact", "cells printed", "row recall", "row precision",
                     "gold rows"),
                    run_tables(synth_root))
        print()
        print("Documents (Phụ lục II; rows paired by code, else date and title; fields right of "
              "gold rows)")
        print_table(("data", "input", "row recall", "row precision", *DOC_FIELDS, "gold rows"),
                    run_documents(synth_root))
        print()
        print("Indicator ids (gold/synthetic_indicator_ids.csv; pairs = gold rows of two reports "
              "with the same id; agree = both ids right)")
        print_table(("data", "input", "id acc", "id acc (certain)", "pair agree", "pairs", "gold rows"),
                    run_ids(args.id_errors))


if __name__ == "__main__":
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    main()
