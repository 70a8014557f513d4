"""The hand-labelled catalog ids of the synthetic reports (tests/data/gold/synthetic_indicator_ids.csv).

scripts/evaluate.py scores the matcher against this file, so a label pointing at an id the
catalog does not have, or a gold row without a label, would silently skew the id accuracy.
"""

from __future__ import annotations

import csv
import unicodedata

from conftest import DATA

from pipeline.tables.catalog import DEFAULT_CATALOG_PATH

GOLD_IDS = DATA / "gold" / "synthetic_indicator_ids.csv"
SYNTH = DATA / "synthetic"
COLUMNS = ["report", "group_no", "row_no", "indicator", "gold_indicator_id", "certain", "note"]


def read(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_gold_ids_exist_in_catalog() -> None:
    catalog = {r["indicator_id"] for r in read(DEFAULT_CATALOG_PATH)}
    rows = read(GOLD_IDS)
    unknown = sorted({r["gold_indicator_id"] for r in rows} - catalog - {""})
    assert unknown == []
    assert all(r["certain"] in ("0", "1") for r in rows)


def test_every_gold_row_has_one_label() -> None:
    labels = [(r["report"], r["group_no"], r["row_no"], r["indicator"]) for r in read(GOLD_IDS)]
    gold = [(d.name, r["group_no"], r["row_no"], r["indicator"])
            for d in sorted(SYNTH.iterdir()) if (d / "indicators.csv").exists()
            for r in read(d / "indicators.csv")]
    assert len(gold) > 300
    assert labels == gold   # same rows, same order, no duplicates


def test_gold_ids_file_format() -> None:
    text = GOLD_IDS.read_bytes().decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert text.split("\r\n", 1)[0].split(",") == COLUMNS
