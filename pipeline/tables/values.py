"""The grammar of indicator cells: Vietnamese numbers, comparisons, ranges, regions.

Vietnamese formatting: decimal comma, thousands dot (1.234,5; 10.694; 94,17%). A cell is
one of: empty or '-' (no value); a number with an optional comparison (<3, >95, >= 2,
≤ 4); a range (28-30, 95 - 97); qualitative text (Giải quyết cơ bản); or region parts
("0,32% phía Đông; 0,38% phía Tây"), each parsed on its own.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

_OPS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "=<": "<=",
        "=>": ">=", "=": "="}
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|\d+\.\d+"
_CELL = regex.compile(
    rf"^\s*(?P<op><=|>=|=<|=>|≤|≥|<|>|=)?\s*(?P<a>{_NUM})\s*(?P<pa>%)?"
    rf"(?:\s*(?:-|–|÷|đến)\s*(?P<b>{_NUM})\s*(?P<pb>%)?)?\s*(?P<rest>.*?)\s*$"
)
_REGION = regex.compile(r"(phía\s+\p{L}+|khu vực\s+\p{L}+(?:\s+\p{L}+)?|\p{Lu}\p{L}+ Hải Phòng)",
                        regex.I)


@dataclass(frozen=True, slots=True)
class CellValue:
    raw: str
    op: str = ""           # <, >, <=, >=, =, range, or "" when no number
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    region: str = ""
    ok: bool = True
    reason: str = ""


def parse_number(text: str) -> float:
    """Parse a number in Vietnamese format: '1.234,5' → 1234.5, '10.694' → 10694, '1,76' → 1.76.

    A dot followed by exactly three digits is a thousands separator; a single dot with
    other digit counts is read as a decimal point (OCR often prints 3.8 for 3,8).
    Raises ValueError when *text* is not a number.
    """
    t = text.strip().replace(" ", "")
    if regex.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t):
        return float(t.replace(".", "").replace(",", "."))
    if regex.fullmatch(r"\d+,\d+", t):
        return float(t.replace(",", "."))
    if regex.fullmatch(r"\d+\.\d+", t):
        return float(t)
    if regex.fullmatch(r"\d+", t):
        return float(t)
    raise ValueError(f"not a number: {text!r}")


def parse_cell(raw: str, unit: str = "") -> tuple[CellValue, ...]:
    """Parse one cell; region splits give one CellValue per region."""
    text = unicodedata.normalize("NFC", raw).strip()
    if text in ("", "-", "–", "—", "x", "X"):
        return (CellValue(raw=text, unit=unit),)
    parts = [p.strip() for p in regex.split(r";\s*|\n", text) if p.strip()]
    if len(parts) > 1 and all(_REGION.search(p) or _LABELLED.match(p) for p in parts):
        return tuple(_parse_one(p, unit, split=True) for p in parts)
    return (_parse_one(text, unit),)


#: One part of a cell split by area: a figure and the area's name ("0,98% đồng bằng",
#: "74,5% nông thôn").
_LABELLED = regex.compile(rf"^\s*(?:<=|>=|≤|≥|<|>)?\s*(?:{_NUM})\s*%?\s+(?P<label>\p{{L}}[\p{{L}}\s,]*)$")


def _parse_one(text: str, unit: str, split: bool = False) -> CellValue:
    region = ""
    m_region = _REGION.search(text)
    labelled = _LABELLED.match(text) if split else None
    if m_region and not text.startswith(m_region.group(0)) or (m_region and regex.match(r"^\D", text) is None):
        region = m_region.group(0).rstrip(":").strip()
    elif labelled:
        region = labelled.group("label").strip(" ,")
    body = text.replace(region, "").strip(" :;,") if region else text
    m = _CELL.match(body)
    if not m:
        if any(c.isdigit() for c in body):
            return CellValue(raw=text, unit=unit, region=region, ok=False,
                             reason="unparsed number")
        return CellValue(raw=text, unit=unit, region=region, ok=True, reason="qualitative")
    rest = m.group("rest")
    cell_unit = "%" if (m.group("pa") or m.group("pb")) else unit
    try:
        a = parse_number(m.group("a"))
        b = parse_number(m.group("b")) if m.group("b") else None
    except ValueError:
        return CellValue(raw=text, unit=unit, region=region, ok=False, reason="unparsed number")
    if rest and not region:
        if regex.fullmatch(r"[\p{L}\s./0-9²]+", rest) and len(rest) <= 20:
            cell_unit = rest  # e.g. "30,2 m2"
        else:
            return CellValue(raw=text, unit=cell_unit, ok=False, reason=f"trailing text {rest!r}")
    if b is not None:
        return CellValue(raw=text, op="range", low=min(a, b), high=max(a, b), unit=cell_unit,
                         region=region)
    op = _OPS.get(m.group("op") or "=", "=")
    return CellValue(raw=text, op=op, value=a, unit=cell_unit, region=region)


def is_value_token(tok: str) -> bool:
    """True for tokens that can be (part of) a value cell in linearised table text."""
    t = tok.strip()
    if t in ("-", "–", "%"):
        return True
    return bool(regex.fullmatch(rf"(?:<=|>=|≤|≥|<|>)?(?:{_NUM})%?(?:-(?:{_NUM})%?)?|(?:<=|>=|≤|≥|<|>)", t))
