"""scripts/evaluate.py's measures: what counts as a right word made wrong."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import evaluate


def test_a_right_word_the_system_changed_is_damaged():
    gold, inp = ["tỉnh", "và", "xã"], ["tinh", "và", "xã"]
    assert evaluate.damaged(gold, inp, ["tỉnh", "vá", "xã"]) == {1}
    assert evaluate.damaged(gold, inp, ["tỉnh", "và", "xã"]) == set()
    counts = evaluate.score_pair("tỉnh và xã", "tinh và xã", "tỉnh vá xã")
    assert (counts.kept, counts.kept_broken, counts.right) == (2, 1, 2)


def test_a_word_left_as_it_was_is_not_damaged_where_the_alignment_moves():
    # OCR moved a name ahead of a garbled word; the system put the garbled one right and
    # left the rest. Aligned to the gold, the output pairs its first "Minh" elsewhere than
    # the input did, so "output does not match" would count "Khang" as made wrong.
    gold, inp, out = ["Minh", "Khang", "Minh"], ["Khang", "Minh", "Mjnh"], \
        ["Khang", "Minh", "Minh"]
    assert evaluate.aligned_right(gold, inp) - evaluate.aligned_right(gold, out)
    assert evaluate.damaged(gold, inp, out) == set()
    errors = evaluate.word_errors(" ".join(gold), " ".join(inp), " ".join(out))
    assert all(kind != "damaged" for kind, *_ in errors)
