"""Tests of ntmgis.inputs.encodings (TCVN3/ABC and VNI-Windows legacy encodings)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ntmgis.core.issue_log import IssueLog
from ntmgis.inputs.encodings import (
    SUPPORTED,
    decode_legacy,
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    fix_legacy_text,
    looks_like_legacy,
    plausibility,
    tcvn3_from_mojibake,
    vni_from_mojibake,
)
from ntmgis.inputs.legacy_text import (
    decode_error_reason,
    encoding_of_bytes,
    fitting_encoding,
    legacy_table,
)

WORDS = [
    "Mường Tè",
    "Nậm Khao",
    "Tà Tổng",
    "Ủy ban nhân dân",
    "Trường học",
    "Đạt",
    "Chưa đạt",
]

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LOWER_LETTERS = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + ["đ"]
UPPER_LETTERS = [c.upper() for c in LOWER_LETTERS]

# Bytes from published tables (libiconv tcvn.h, the vietnamese-conversion npm
# package and its README examples such as "Xin chaøo caùc baïn").
TCVN3_FIXTURES = [
    (b"M\xad\xeang T\xcc", "Mường Tè"),
    (b"M\xad\xeang Kh\xad\xacng", "Mường Khương"),
    (b"B\xb6o Th\xbeng", "Bảo Thắng"),
    (b"B\xb8t X\xb8t", "Bát Xát"),
    (b"N\xcbm Khao", "Nậm Khao"),
    (b"\xa7\xb9t", "Đạt"),
    (b"Ch\xada \xae\xb9t", "Chưa đạt"),
    (b"\xf1y ban nh\xa9n d\xa9n", "ủy ban nhân dân"),
    (b"\xa1\xa2\xa3\xa4\xa5\xa6\xa7", "ĂÂÊÔƠƯĐ"),
    (b"\xa8\xa9\xaa\xab\xac\xad\xae", "ăâêôơưđ"),
]
VNI_FIXTURES = [
    (b"Xin cha\xf8o ca\xf9c ba\xefn", "Xin chào các bạn"),
    (b"M\xf6\xf4\xf8ng Te\xf8", "Mường Tè"),
    (b"Tr\xf6\xf4\xf8ng ho\xefc", "Trường học"),
    (b"Na\xe4m Khao", "Nậm Khao"),
    (b"Ta\xf8 To\xe5ng", "Tà Tổng"),
    (b"U\xdby ban nha\xe2n da\xe2n", "Ủy ban nhân dân"),
    (b"\xd1a\xeft", "Đạt"),
    (b"Ch\xf6a \xf1a\xeft", "Chưa đạt"),
    (b"a\xea a\xe9 a\xe8 a\xfa a\xfc a\xeb", "ă ắ ằ ẳ ẵ ặ"),
    (b"\xec \xed \xe6 \xf3 \xf2 \xee", "ì í ỉ ĩ ị ỵ"),
    (b"A\xc2 O\xc1 E\xc4 \xd4\xd9 \xd6\xd8", "Â Ố Ệ Ớ Ừ"),
]


def nfc_ok(s: str) -> bool:
    return unicodedata.is_normalized("NFC", s)


def test_supported() -> None:
    assert SUPPORTED == ("utf-8", "cp1258", "tcvn3", "vni")


@pytest.mark.parametrize(("data", "text"), TCVN3_FIXTURES)
def test_decode_tcvn3_published_bytes(data: bytes, text: str) -> None:
    out = decode_tcvn3(data)
    assert out == text
    assert nfc_ok(out)
    assert encode_tcvn3(text) == data


@pytest.mark.parametrize(("data", "text"), VNI_FIXTURES)
def test_decode_vni_published_bytes(data: bytes, text: str) -> None:
    out = decode_vni(data)
    assert out == text
    assert nfc_ok(out)
    assert encode_vni(text) == data


@pytest.mark.parametrize("word", WORDS)
def test_round_trip_words(word: str) -> None:
    assert decode_vni(encode_vni(word)) == word
    # TCVN3 has no upper-case toned letters: "Ủ" comes back as "ủ".
    expected = "ủy ban nhân dân" if word.startswith("Ủ") else word
    assert decode_tcvn3(encode_tcvn3(word)) == expected


def test_round_trip_all_letters_vni() -> None:
    for letter in LOWER_LETTERS + UPPER_LETTERS:
        assert decode_vni(encode_vni(letter)) == letter, letter
        word = f"x{letter}n {letter}"
        assert decode_vni(encode_vni(word)) == word, word


def test_round_trip_all_letters_tcvn3() -> None:
    bases = ["Ă", "Â", "Đ", "Ê", "Ô", "Ơ", "Ư"]
    for letter in LOWER_LETTERS + bases:
        data = encode_tcvn3(letter)
        assert len(data) == 1
        assert decode_tcvn3(data) == letter, letter
    # Every lower-case letter has its own byte.
    assert len({encode_tcvn3(c) for c in LOWER_LETTERS}) == len(LOWER_LETTERS)
    # Upper-case toned letters share the lower-case byte (.VnTimeH style).
    assert encode_tcvn3("Ấ") == encode_tcvn3("ấ") == b"\xca"
    assert decode_tcvn3(encode_tcvn3("ẤP")) == "ấP"


def test_encode_accepts_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "Mường Tè")
    assert encode_vni(nfd) == b"M\xf6\xf4\xf8ng Te\xf8"
    assert encode_tcvn3(nfd) == b"M\xad\xeang T\xcc"


def test_ascii_unchanged() -> None:
    text = "Xa Pa U, ma 123 (ok)"
    assert decode_tcvn3(text.encode()) == text
    assert decode_vni(text.encode()) == text


def test_mojibake_fixing() -> None:
    assert tcvn3_from_mojibake("M\xadêng TÌ") == "Mường Tè"
    assert tcvn3_from_mojibake("Tr\xadêng häc", assumed="cp1252") == "Trường học"
    assert vni_from_mojibake("Möôøng Teø") == "Mường Tè"
    assert vni_from_mojibake("UÛy ban nhaân daân", assumed="latin-1") == "Ủy ban nhân dân"
    for word in WORDS:
        seen = encode_vni(word).decode("cp1252", errors="strict")
        fixed = vni_from_mojibake(seen)
        assert fixed == word
        assert nfc_ok(fixed)
        seen = encode_tcvn3(word).decode("latin-1")
        assert tcvn3_from_mojibake(seen) == decode_tcvn3(encode_tcvn3(word))


def test_mojibake_cp1252_undefined_bytes() -> None:
    # Bytes cp1252 leaves undefined arrive as U+0081 ...; cp1252 punctuation
    # (0x93/0x94 quotes) arrives as the real quote characters.
    data = b"\x93\xa7\xb9t\x94 \x81"
    seen = "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in data
    )
    assert tcvn3_from_mojibake(seen, assumed="cp1252") == "\u201cĐạt\u201d \x81"
    assert tcvn3_from_mojibake(seen) == decode_tcvn3(data)
    assert vni_from_mojibake("\u201cÑaït\u201d\x8d") == "\u201cĐạt\u201d\x8d"


def test_mojibake_keeps_proper_unicode() -> None:
    assert vni_from_mojibake("Mường") == "Mường"
    assert tcvn3_from_mojibake("Đạt") == "Đạt"


def test_decode_legacy_names() -> None:
    tcvn = encode_tcvn3("Trường học")
    for name in ("tcvn3", "TCVN3", "abc", "ABC", "tcvn", " Tcvn "):
        assert decode_legacy(tcvn, name) == "Trường học"
    vni = encode_vni("Trường học")
    for name in ("vni", "VNI", "Vni"):
        assert decode_legacy(vni, name) == "Trường học"
    assert decode_legacy("Trường học".encode(), "UTF-8") == "Trường học"


def test_decode_legacy_cp1258_is_nfc() -> None:
    # cp1258 has ư (0xFD) and ơ (0xF5) but writes tones as combining bytes (grave 0xCC).
    data = "Tr\u01b0\u01a1\u0300ng".encode("cp1258")
    assert data == b"Tr\xfd\xf5\xccng"
    assert b"\xcc" in data  # the tone is a separate combining byte
    out = decode_legacy(data, "cp1258")
    assert out == "Trường"
    assert nfc_ok(out)
    assert len(out) == 6


def test_fix_legacy_text() -> None:
    assert fix_legacy_text("Tr\xadêng häc", "TCVN3") == "Trường học"
    assert fix_legacy_text("Tröôøng hoïc", "vni") == "Trường học"
    utf8_seen = "Trường học".encode().decode("latin-1")
    assert fix_legacy_text(utf8_seen, "utf-8") == "Trường học"
    cp1258_seen = b"Tr\xfd\xf5\xccng".decode("latin-1")
    out = fix_legacy_text(cp1258_seen, "cp1258")
    assert out == "Trường"
    assert nfc_ok(out)
    # Already proper text, or bytes invalid in the codec: returned (NFC) unchanged.
    assert fix_legacy_text("Trường học", "utf-8") == "Trường học"
    assert fix_legacy_text("Hà", "utf-8") == "Hà"
    nfd = unicodedata.normalize("NFD", "Nậm")
    assert fix_legacy_text(nfd, "utf-8") == "Nậm"


@pytest.mark.parametrize("word", WORDS)
def test_looks_like_legacy_detects(word: str) -> None:
    vni_seen = encode_vni(word).decode("cp1252")
    tcvn_seen = encode_tcvn3(word).decode("latin-1")
    assert looks_like_legacy(vni_seen) == "vni"
    assert looks_like_legacy(tcvn_seen) == "tcvn3"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Xa Pa U",
        "Ban Nam Khao 2",
        "Ủy ban nhân dân",
        "Trường học",
        "Chưa đạt",
        "Hà Nội",
        unicodedata.normalize("NFD", "Mường Tè"),
        "café",
        "Müller",
        # Genuine Unicode with only latin-1 letters once read as VNI (issue 12): the
        # advice to declare vni would have garbled everything.
        "Xã Pa Khoá",
        "Xã Thanh Xuân",
        "Thôn Uyên Sính",
        "Hoàn thành",
        "HOÀN THÀNH",
    ],
)
def test_looks_like_legacy_none(text: str) -> None:
    assert looks_like_legacy(text) is None


def test_unknown_encoding() -> None:
    with pytest.raises(LookupError) as info:
        decode_legacy(b"abc", "vn-klingon")
    message = str(info.value)
    assert "vn-klingon" in message
    for name in SUPPORTED:
        assert name in message
    with pytest.raises(LookupError, match="vn-klingon"):
        fix_legacy_text("abc", "vn-klingon")


# --- Which encoding fits (issue 12, item 4) --------------------------------------------

NAMES = ["Xã Nậm Loỏng", "Mường Tè", "Bản Hua Bum", "Hoàn thành", "Đang thực hiện",
         "Xã Pa Khoá", "Thôn Uyên Sính", "Trường học"]


def _cp1258(s: str) -> bytes:
    """cp1258 as Windows writes it: base letters with their shape, tones combining."""
    out = b""
    for ch in unicodedata.normalize("NFC", s):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            shape = "".join(c for c in d[1:] if c in "\u0302\u0306\u031b")
            tone = "".join(c for c in d[1:] if c not in shape)
            out += (unicodedata.normalize("NFC", d[0] + shape) + tone).encode("cp1258")
    return out


ENCODERS = {"utf-8": str.encode, "cp1258": _cp1258, "tcvn3": encode_tcvn3, "vni": encode_vni}


def test_plausibility_tells_vietnamese_from_mojibake() -> None:
    assert plausibility("Thôn Uyên Sính, Hoàn thành") == (5, 0)
    assert plausibility("X· NËm Loáng")[1] == 2  # "X·" and "NËm" are no Vietnamese
    assert plausibility("Möôøng Teø") == (0, 2)
    assert plausibility("Trýừèng")[1] == 1  # three tones in one syllable


@pytest.mark.parametrize("true", list(ENCODERS))
@pytest.mark.parametrize("declared", list(ENCODERS))
def test_fitting_encoding_names_the_one_that_fits(true: str, declared: str) -> None:
    samples = [ENCODERS[true](n) for n in NAMES]
    assert fitting_encoding(samples, declared=declared) == (None if true == declared else true)
    assert fitting_encoding(samples) == true


def test_fitting_encoding_says_nothing_about_ascii_or_noise() -> None:
    assert fitting_encoding([b"Ban Hua Bum", b"123"]) is None
    assert fitting_encoding([bytes(range(0x80, 0x100))]) is None
    data = "ma,ten\n1,Xã Nậm Loỏng\n2,Mường Tè\n".encode()
    assert encoding_of_bytes(encode_tcvn3(data.decode())) == "tcvn3"
    assert encoding_of_bytes(data, declared="utf-8") is None


def test_a_legacy_file_read_as_utf8_is_told_the_encoding() -> None:
    with pytest.raises(UnicodeDecodeError) as info:
        encode_tcvn3("Xã Nậm Loỏng").decode("utf-8")
    vi = decode_error_reason(info.value, "vi", section="layers.villages")
    assert vi.startswith("tệp không phải UTF-8 (byte 0xb7 không hợp lệ); có vẻ là bảng mã tcvn3")
    assert "'Xã Nậm Loỏng'" in vi and 'encoding = "tcvn3" trong [layers.villages]' in vi
    en = decode_error_reason(info.value, "en")
    assert 'set encoding = "tcvn3" for this file' in en
    with pytest.raises(UnicodeDecodeError) as info:
        b"\xff\xfe\xfd".decode("utf-8")
    assert "cp1258, tcvn3 hoặc vni" in decode_error_reason(info.value)


def test_legacy_table_reports_a_declared_encoding_that_does_not_fit() -> None:
    cells = [encode_tcvn3(n).decode("latin-1") for n in NAMES]
    log = IssueLog(lang="vi")
    out = legacy_table(pd.DataFrame({"ten": cells}), "cp1258", path=Path("ds.csv"), log=log,
                       section="tables.projects")
    assert out["ten"][0] == "X· NËm Loáng"  # decoded as declared; the error says why
    (issue,) = log.issues
    assert issue.severity == "error" and issue.check == "encoding_mismatch"
    assert issue.column == "ten" and issue.value == "X· NËm Loáng"
    assert 'khai báo encoding = "tcvn3" trong [tables.projects]' in issue.message
    assert "'Xã Nậm Loỏng'" in issue.message
    log = IssueLog()
    legacy_table(pd.DataFrame({"ten": cells}), "tcvn3", path=Path("ds.csv"), log=log)
    assert log.issues == []
