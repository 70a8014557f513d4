#!/usr/bin/env python3
"""Speed and memory of vnocr, printed as one table with the size of each run.

- restoration: start-up (import + model load), words/s on one core after loading (cold
  candidate cache: first pass; warm: the same text again, WARM_PASSES times, the median
  pass and the best one (a pass takes half a second, and this machine's speed moves by a
  third between runs: one pass measures the moment as much as the code); distinct
  documents: the --legacy set one after another, after ten of them), peak memory;
- whole pipeline (`vnocr run`, fresh process each time, 1 and 2 workers): pages/s on legacy
  text, born-digital PDFs and scans, plus a rerun with nothing changed;
- Tesseract's own single-threaded time on the same scan pages (`tesseract -l vie`), and the
  pipeline's time per page against it at one worker: over the whole run (process start,
  model loading and the consolidated tables included) and over the documents' own
  processing time (manifest.csv). --scans times a longer set than the two committed scans.

Legacy text is timed twice when a folder of distinct documents is at hand (--legacy): the
bundled inputs copied --repeat times, and distinct documents. Copies flatter the run: every
copy after the first finds the OCR forms of that exact text already searched (at two workers
too, as a copy waits while the first is being read); an archive holds distinct documents.
Make the distinct set once (about 20 minutes, kept under data/, which git ignores):

  python scripts/make_synthetic.py --specs scripts/synthetic_reports --out data/bench/legacy-v4 \
      --variants 4 --seed 4242 --jobs 2

(the seven reports, each in four variants with their own layout, degradation and OCR noise).

Usage: python scripts/bench.py [--synth tests/data/synthetic] [--legacy DIR] [--skip-scans]
                              [--scans DIR]
       python scripts/bench.py --baseline REV [--rounds 2]
  (the restoration rows only, of this tree and of git revision REV in turn, each in its own
  process with the same probes and inputs: this machine's speed drifts by 10-20 % between
  sittings, so a change is measured against its base side by side)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt"
ENV = dict(os.environ, OMP_THREAD_LIMIT="1", PYTHONPATH=str(ROOT))

RESTORE_PROBE = r"""
import resource, sys, time
t0 = time.perf_counter()
from pipeline.restore import get_decoder, restore_text
get_decoder()
t1 = time.perf_counter()
text = open(sys.argv[1], encoding="utf-8").read()
words = len(text.split())
restore_text(text)
t2 = time.perf_counter()
warm = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    restore_text(text)
    warm.append(time.perf_counter() - t)
warm.sort()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{t1 - t0:.3f} {words} {t2 - t1:.3f} {warm[len(warm) // 2]:.3f} {warm[0]:.3f} {rss:.0f}")
"""


def _probe(code: str, args: list[str], root: Path) -> list[str]:
    """Run a probe with the vnocr of *root* (this tree, or a baseline's files)."""
    res = subprocess.run([sys.executable, "-c", code, *args], env=dict(ENV, PYTHONPATH=str(root)),
                         cwd=root, capture_output=True, text=True, check=True)
    return res.stdout.split()


WARM_PASSES = 5


def restoration_rows(root: Path = ROOT, label: str = "") -> list[tuple[str, ...]]:
    startup, words, cold, warm, best, rss = _probe(RESTORE_PROBE,
                                                   [str(SAMPLE), str(WARM_PASSES)], root)
    w = int(words)
    return [
        (f"restore start-up (import + load){label}", "1 process", f"{float(startup):.2f} s", "",
         f"{rss} MB"),
        (f"restore words/s, cold cache{label}", f"{w} words", f"{w / float(cold):,.0f} words/s",
         f"{float(cold):.2f} s", ""),
        (f"restore words/s, warm cache, median pass{label}", f"{WARM_PASSES} x {w} words",
         f"{w / float(warm):,.0f} words/s", f"{float(warm):.2f} s", ""),
        (f"restore words/s, warm cache, best pass{label}", f"{WARM_PASSES} x {w} words",
         f"{w / float(best):,.0f} words/s", f"{float(best):.2f} s", ""),
    ]


# Restoration as a batch worker meets it: distinct documents one after another in one process,
# timed after the first WARMUP_DOCS (each document's OCR noise brings forms no cache holds yet).
STEADY_PROBE = r"""
import sys, time
from pipeline.restore import get_decoder, restore_text
get_decoder()
warmup = int(sys.argv[1])
words = seconds = 0.0
for k, path in enumerate(sys.argv[2:]):
    text = open(path, encoding="utf-8").read()
    t0 = time.perf_counter()
    restore_text(text)
    if k >= warmup:
        seconds += time.perf_counter() - t0
        words += len(text.split())
print(f"{int(words)} {seconds:.3f}")
"""
WARMUP_DOCS = 10


def steady_rows(docs: list[Path], root: Path = ROOT, label: str = "") -> list[tuple[str, ...]]:
    """Words/s on distinct documents after WARMUP_DOCS others (an order fixed by name)."""
    if len(docs) <= WARMUP_DOCS:
        return []
    words, seconds = _probe(STEADY_PROBE, [str(WARMUP_DOCS), *map(str, docs)], root)
    return [(f"restore words/s, distinct docs after {WARMUP_DOCS}{label}",
             f"{len(docs) - WARMUP_DOCS} docs, {words} words",
             f"{int(words) / float(seconds):,.0f} words/s", f"{float(seconds):.2f} s", "")]


def compared_rows(baseline: str, rounds: int, docs: list[Path]) -> list[tuple[str, ...]]:
    """The restoration rows of this tree and of git revision *baseline*, measured in turn
    *rounds* times: on a machine whose speed drifts, only runs side by side compare."""
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as t:
        base = Path(t)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for k in range(1, rounds + 1):
            for root, name in ((base, baseline), (ROOT, "this tree")):
                label = f" [{name}, round {k}]"
                rows += restoration_rows(root, label) + steady_rows(docs, root, label)
    return rows


def count_pages(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        if p.suffix == ".pdf":
            import pdfplumber

            with pdfplumber.open(p) as pdf:
                n += len(pdf.pages)
        else:
            n += p.read_text(encoding="utf-8", errors="replace").count("\f") + 1
    return n


# Runs `vnocr run` and prints the peak RSS of its whole process tree (itself, its workers,
# their Tesseract processes): a fresh wrapper per run, so one run's peak is not another's.
RUN_PROBE = r"""
import resource, subprocess, sys
res = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(res.stderr)
print(res.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def run_pipeline(inputs: list[Path], workers: int, out: Path) -> tuple[float, str]:
    """(seconds, 'worker W MB / tree T MB'): W is the largest worker's own peak (report.json),
    T the peak of any process of the run, Tesseract included."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", RUN_PROBE, sys.executable, "-m", "pipeline", "run",
                          *map(str, inputs), "-o", str(out), "--workers", str(workers), "-q"],
                         env=ENV, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    code, tree = res.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"vnocr run failed: {res.stderr.strip()}")
    worker = max((json.loads(p.read_text(encoding="utf-8")).get("resources", {})
                  .get("worker_peak_rss_mb", 0.0) for p in out.glob("*/report.json")), default=0.0)
    return dt, f"worker {worker:.0f} / tree {float(tree):.0f} MB"


def document_seconds(out: Path) -> float:
    """The documents' own processing time in a run (manifest.csv), without the run's start-up
    (process start, model loading) and its consolidation step."""
    import csv

    with open(out / "manifest.csv", encoding="utf-8", newline="") as f:
        return sum(float(r["seconds"] or 0) for r in csv.DictReader(f))


def stage(files: list[Path], tmp: Path, label: str, repeat: int = 1,
          per_page: dict | None = None) -> list[tuple[str, ...]]:
    """Copy the inputs (repeat times) under unique names so each copy is its own document."""
    inputs = []
    for r in range(repeat):
        for f in files:
            dst = tmp / "in" / label / f"{f.parent.name}-{r}{f.suffix}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dst)
            inputs.append(dst)
    pages = count_pages(inputs)
    rows = []
    times = {}
    for workers in (1, 2):
        out = tmp / f"out-{label}-{workers}"
        dt, rss = run_pipeline(inputs, workers, out)
        times[workers] = dt
        if workers == 1 and per_page is not None:
            per_page.update(run=dt / pages, work=document_seconds(out) / pages)
        rows.append((f"pipeline {label}, {workers} worker(s)", f"{len(inputs)} docs, {pages} pages",
                     f"{pages / dt:.2f} pages/s", f"{dt:.1f} s", rss))
    rows.append((f"  speed-up 2 vs 1 workers ({label})", "", f"{times[1] / times[2]:.2f}x", "", ""))
    dt, _ = run_pipeline(inputs, 2, tmp / f"out-{label}-2")
    rows.append((f"  rerun, nothing changed ({label})", "", f"{dt / times[2]:.1%} of first run",
                 f"{dt:.1f} s", ""))
    return rows


def tesseract_rows(scans: list[Path], tmp: Path, per_page: dict | None = None
                   ) -> list[tuple[str, ...]]:
    import pypdfium2 as pdfium

    images = []
    for s in scans:
        pdf = pdfium.PdfDocument(str(s))
        for i in range(len(pdf)):
            img = pdf[i].render(scale=300 / 72).to_pil()
            path = tmp / f"tess-{s.parent.name}-{i}.png"
            img.save(path)
            images.append(path)
    t0 = time.perf_counter()
    for img in images:
        subprocess.run(["tesseract", str(img), "-", "-l", "vie"], env=ENV, capture_output=True,
                       check=True)
    dt = time.perf_counter() - t0
    rows = [("tesseract -l vie alone, 1 thread", f"{len(images)} pages",
             f"{len(images) / dt:.2f} pages/s", f"{dt / len(images):.2f} s/page", "")]
    if per_page:
        tess = dt / len(images)
        rows.append(("  scan time per page / tesseract's, 1 worker", "whole run | documents",
                     f"{per_page['run'] / tess:.2f}x | {per_page['work'] / tess:.2f}x",
                     f"{per_page['run']:.2f} | {per_page['work']:.2f} s/page", ""))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synth", type=Path, default=ROOT / "tests" / "data" / "synthetic")
    ap.add_argument("--legacy", type=Path, default=ROOT / "data" / "bench" / "legacy-v4",
                    help="make_synthetic.py output whose */eng.txt are distinct legacy documents "
                         "(skipped when missing)")
    ap.add_argument("--skip-scans", action="store_true")
    ap.add_argument("--scans", type=Path, default=None,
                    help="make_synthetic.py output whose */scan.pdf to time instead of the "
                         "committed scans of --synth (a longer run: start-up weighs less)")
    ap.add_argument("--baseline", metavar="REV",
                    help="only the restoration rows, of this tree and of git revision REV in turn")
    ap.add_argument("--rounds", type=int, default=2, help="turns each with --baseline")
    ap.add_argument("--repeat", type=int, default=4,
                    help="copies of each text/PDF input, so the run is long enough that "
                         "process start-up (about 1 s) does not hide the scaling")
    args = ap.parse_args()
    docs = sorted(p.parent for p in args.synth.glob("*/gold.txt"))
    legacy_docs = sorted(p.resolve() for p in args.legacy.glob("*/eng.txt")) \
        if args.legacy.is_dir() else []   # absolute: a baseline runs in its own folder
    if args.baseline:
        _print(compared_rows(args.baseline, args.rounds, legacy_docs))
        return
    rows = restoration_rows()
    rows += steady_rows(legacy_docs)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        legacy = [SAMPLE.parent / SAMPLE.name] + [d / "eng.txt" for d in docs]
        rows += stage(legacy, tmp, "legacy text", args.repeat)
        distinct = sorted(args.legacy.glob("*/eng.txt")) if args.legacy.is_dir() else []
        if distinct:
            rows += stage([SAMPLE] + distinct, tmp, "legacy text, distinct docs")
        pdfs = [d / "clean.pdf" for d in docs if (d / "clean.pdf").exists()]
        if pdfs:
            rows += stage(pdfs, tmp, "born-digital pdf", args.repeat)
        scan_docs = sorted(p.parent for p in args.scans.glob("*/scan.pdf")) if args.scans \
            else docs
        scans = [d / "scan.pdf" for d in scan_docs if (d / "scan.pdf").exists()]
        if scans and not args.skip_scans:
            per_page: dict = {}
            rows += stage(scans, tmp, "scan pdf", per_page=per_page)
            rows += tesseract_rows(scans, tmp, per_page)
    _print(rows)


def _print(rows: list[tuple[str, ...]]) -> None:
    header = ("measure", "size of run", "rate", "time", "peak memory")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
