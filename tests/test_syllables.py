from __future__ import annotations

import pytest

from pipeline.restore.syllables import (
    LEXICON,
    compose,
    decompose,
    generate_inventory,
    is_syllable,
    normalize_tone_placement,
    skeleton,
    skeleton_index,
    syllable_inventory,
)


def test_inventory_size_and_nfc():
    import unicodedata

    inv = syllable_inventory()
    assert 15_000 < len(inv) < 25_000
    assert all(unicodedata.is_normalized("NFC", s) for s in inv)
    assert len(set(inv)) == len(inv)


def test_the_committed_lexicon_is_the_generated_inventory():
    """The runtime reads the syllables scripts/check_lexicon.py wrote; they must be what the
    phonotactics generate now, each with the decomposition that reads back."""
    import csv

    generated = generate_inventory()
    assert syllable_inventory() == generated
    with open(LEXICON, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == len(generated) and LEXICON.name.endswith(f"_{len(generated)}.tsv")
    for row in rows:
        assert decompose(row["syllable"]) == (row["onset"], row["rhyme"], int(row["tone"]))


@pytest.mark.parametrize("word", ["người", "được", "của", "quốc", "quyết", "giếng", "gì", "khuỷu",
                                  "hòa", "khỏe", "thủy", "yên", "nghĩa", "Đảng", "xã", "tỉ", "tỷ",
                                  "huyện", "thoát", "xoong", "kết", "lệ"])
def test_round_trip(word):
    parts = decompose(word)
    assert parts is not None
    assert compose(*parts) == word.lower()


@pytest.mark.parametrize("word", ["kêt", "ghá", "ca̱", "ngê", "kan", "tak", "bàc", "ghu", "xyz",
                                  "quu", "thr", "aaa", "cế", "Facebook", "ong1"])
def test_rejects_impossible(word):
    assert not is_syllable(word)


def test_stop_finals_take_only_sac_or_nang():
    assert is_syllable("tốt") and is_syllable("tộc")
    for bad in ("tồt", "tổt", "tỗt", "tôt", "tàc", "hap"):
        assert not is_syllable(bad), bad


@pytest.mark.parametrize("new,classic", [("hoà", "hòa"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"),
                                         ("Hoá", "Hóa"), ("HOÀ", "HÒA"), ("hòa", "hòa")])
def test_tone_placement_convention(new, classic):
    assert normalize_tone_placement(new) == classic


def test_skeleton_index():
    assert skeleton("Đường") == "duong"
    idx = skeleton_index()
    assert "số" in idx["so"] and "sở" in idx["so"] and "sơ" in idx["so"]
    assert "đảng" in idx["dang"]
