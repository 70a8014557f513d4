from __future__ import annotations

import pytest

from pipeline.errors import InputFileError
from pipeline.ingest import decode_text, normalize_text, read_document

TEXT = "Kết quả thực hiện Nghị quyết số 42-NQ/TW của Ủy ban nhân dân thành phố Hải Phòng\n"


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                             ("utf-16", b""), ("cp1258", b"")])
def test_encodings_decoded(encoding, prefix):

    text = TEXT
    if encoding == "cp1258":
        # Windows-1258 has ê, ơ, ư... precomposed but writes tone marks as combining marks.
        from pipeline.restore.syllables import TONE_TO_MARK, _strip_tone_char

        text = "".join(b + (TONE_TO_MARK[t] if t else "") for b, t in map(_strip_tone_char, TEXT))
    raw = prefix + text.encode(encoding)
    text, _ = decode_text(raw, "x.txt")
    assert normalize_text(text) == TEXT


def test_tcvn3_refused():
    # "Kết quả thực hiện" in the TCVN3 (ABC) 8-bit font encoding.
    tcvn3 = "KÕt qu¶ thùc hiÖn NghÞ quyÕt sè 42 cña ñy ban nh©n d©n thµnh phè".encode("cp1252")
    with pytest.raises(InputFileError, match="TCVN3"):
        decode_text(tcvn3 * 5, "legacy.txt")


def test_vni_refused():
    # "Kết quả thực hiện Nghị quyết" in the VNI-Windows font encoding.
    vni = "Keát quaû thöïc hieän Nghò quyeát soá 42 cuûa UÛy ban nhaân daân".encode("cp1252")
    with pytest.raises(InputFileError, match="VNI"):
        decode_text(vni * 5, "legacy.txt")


@pytest.mark.parametrize("data,reason", [(b"", "empty file"), (b"  \n\n", "empty file"),
                                         (bytes(range(256)) * 4, "binary file")])
def test_bad_text_named(tmp_path, data, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    with pytest.raises(InputFileError) as e:
        read_document(p, "bad")
    assert str(p) in str(e.value) and reason in str(e.value)


def test_form_feed_pages_and_nfc(tmp_path):
    import unicodedata

    p = tmp_path / "two.txt"
    p.write_text(unicodedata.normalize("NFD", "trang một\ndòng hai\fTrang hai\n"), encoding="utf-8")
    doc = read_document(p, "two")
    assert len(doc.pages) == 2
    assert [ln.text for ln in doc.lines] == ["trang một", "dòng hai", "Trang hai"]
    assert [ln.number for ln in doc.lines] == [1, 2, 3]


@pytest.mark.parametrize("name,data,reason", [
    ("fake.pdf", b"hello, not a pdf", "not a PDF"),
    ("trunc.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "PDF"),
    ("fake.png", b"\x89PNG\r\n\x1a\nnot really", "image"),
])
def test_bad_pdf_and_image_named(tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputFileError) as e:
        read_document(p, "x")
    assert str(p) in str(e.value) and reason in str(e.value)
