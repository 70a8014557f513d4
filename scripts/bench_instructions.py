#!/usr/bin/env python3
"""Instruction counts of restoration under valgrind's callgrind: unlike seconds, they do not
drift with the machine's load, so two versions compare on a busy machine.

A child process loads vnocr, restores the real sample once (cold) and then N more times
(warm); it runs twice, with 0 and with N warm passes, and the difference is the warm cost.
Slow: about four minutes a run (both runs go in parallel).

Usage: python scripts/bench_instructions.py [--warm 2] [--tree DIR]   (DIR: a checkout, by
default this one; its .venv is used)
"""
from __future__ import annotations

import argparse
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, str(Path.cwd()))
from pipeline.restore import Source, restore_lines
lines = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
for _ in range(1 + int(sys.argv[2])):
    restore_lines(lines, Source.ENG)
"""


def count(tree: Path, sample: Path, warm: int) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         str(tree / ".venv" / "bin" / "python"), "-c", CHILD, str(sample), str(warm)],
        cwd=tree, capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", run.stderr)
    if not m:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warm", type=int, default=2, help="warm passes after the cold one")
    ap.add_argument("--tree", type=Path, default=ROOT)
    args = ap.parse_args()
    sample = ROOT / "samples" / "hai-phong-nq42.eng-ocr.txt"
    with ThreadPoolExecutor(2) as pool:
        cold, both = pool.map(lambda n: count(args.tree.resolve(), sample, n), (0, args.warm))
    print("measure | instructions")
    print("-|-")
    print(f"load + one cold pass | {cold / 1e9:.2f} G")
    print(f"{args.warm} warm passes | {(both - cold) / 1e9:.2f} G")


if __name__ == "__main__":
    main()
