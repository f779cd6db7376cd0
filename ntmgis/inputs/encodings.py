"""Legacy Vietnamese 8-bit encodings (TCVN3/ABC and VNI-Windows) to Unicode NFC.

Before Unicode became common, Vietnamese offices typed with the ABC (TCVN3,
TCVN 5712:1993 "VN3", fonts ``.VnTime``/``.VnTimeH``) or VNI-Windows (fonts
``VNI-Times`` ...) font encodings. Shapefile DBFs and CSVs made in that era hold
those bytes, and GDAL or pandas read them as cp1252/latin-1, which gives
mojibake such as ``"Mêng TÌ"`` (TCVN3) or ``"Möôøng Teø"`` (VNI) for
``"Mường Tè"``. This module turns such bytes or strings back into Unicode NFC.

TCVN3 (ABC) is a single-byte table. ASCII is kept; the lower-case Vietnamese
letters occupy 0xA8-0xFE and the upper-case base letters Ă Â Ê Ô Ơ Ư Đ are
0xA1-0xA7. There are no separate upper-case toned letters: such text is written
with the lower-case toned bytes shown in an upper-case font (``.VnTimeH``).
Decoding therefore gives lower-case letters for toned bytes, and encoding an
upper-case toned letter gives the lower-case byte (so a round trip lower-cases
``"Ủ"`` to ``"ủ"``). Bytes the table leaves free decode as cp1252 (0x80-0x9F)
or latin-1 (the others); the full TCVN 5712 "VN1" positions for upper-case
toned letters (0x01-0x17, 0x80-0x9F ...) are deliberately not used, because
ABC fonts put cp1252 punctuation there.

VNI-Windows writes a letter as an ASCII base letter followed by one modifier
byte (tone, circumflex + tone or breve + tone), e.g. ``"a" + 0xF8 = "à"``,
``"a" + 0xE1 = "ấ"``, ``"a" + 0xE9 = "ắ"``; ơ ư đ and the toned i and ỵ are
single bytes (0xF4 0xF6 0xF1 0xEC 0xED 0xE6 0xF3 0xF2 0xEE). Upper-case
letters use the same bytes minus 0x20.

The tables were cross-checked against libiconv's ``tcvn.h`` (TCVN 5712), the
``vietnamese-conversion`` npm package and other public converters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ntmgis.core.workspace import LEGACY_ENCODINGS

__all__ = [
    "SUPPORTED",
    "decode_tcvn3",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "tcvn3_from_mojibake",
    "vni_from_mojibake",
    "decode_legacy",
    "fix_legacy_text",
    "looks_like_legacy",
    "plausibility",
]

SUPPORTED = ("utf-8", "cp1258", "tcvn3", "vni")


# ---------------------------------------------------------------------------
# TCVN3 (ABC)
# ---------------------------------------------------------------------------

# Each row: a vowel with no tone, grave, hook, tilde, acute, dot below, and the
# TCVN3 bytes of those six letters (0 where the toneless letter is plain ASCII).
_TCVN3_ROWS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("aàảãáạ", (0x00, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9)),
    ("ăằẳẵắặ", (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6)),
    ("âầẩẫấậ", (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB)),
    ("eèẻẽéẹ", (0x00, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1)),
    ("êềểễếệ", (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6)),
    ("iìỉĩíị", (0x00, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE)),
    ("oòỏõóọ", (0x00, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4)),
    ("ôồổỗốộ", (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9)),
    ("ơờởỡớợ", (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE)),
    ("uùủũúụ", (0x00, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4)),
    ("ưừửữứự", (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9)),
    ("yỳỷỹýỵ", (0x00, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE)),
)

_TCVN3_DECODE: dict[int, str] = {
    0xA1: "Ă",
    0xA2: "Â",
    0xA3: "Ê",
    0xA4: "Ô",
    0xA5: "Ơ",
    0xA6: "Ư",
    0xA7: "Đ",
    0xAE: "đ",
}
for _letters, _codes in _TCVN3_ROWS:
    for _letter, _code in zip(_letters, _codes, strict=True):
        if _code:
            _TCVN3_DECODE[_code] = _letter

_TCVN3_ENCODE: dict[str, int] = {}
for _code, _letter in _TCVN3_DECODE.items():
    _TCVN3_ENCODE[_letter] = _code
    # Upper-case toned letters share the lower-case byte (shown by .VnTimeH).
    _TCVN3_ENCODE.setdefault(_letter.upper(), _code)

# ---------------------------------------------------------------------------
# VNI-Windows
# ---------------------------------------------------------------------------

_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONES = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)

# Lower-case modifier bytes (upper-case text uses the same byte minus 0x20).
_VNI_TONE = {0xF8: _GRAVE, 0xF9: _ACUTE, 0xFB: _HOOK, 0xF5: _TILDE, 0xEF: _DOT}
_VNI_CIRC = {
    0xE2: "",
    0xE0: _GRAVE,
    0xE1: _ACUTE,
    0xE5: _HOOK,
    0xE3: _TILDE,
    0xE4: _DOT,
}
_VNI_BREVE = {
    0xEA: "",
    0xE8: _GRAVE,
    0xE9: _ACUTE,
    0xFA: _HOOK,
    0xFC: _TILDE,
    0xEB: _DOT,
}
# Letters written as one byte.
_VNI_SINGLE = {
    0xF1: "đ",
    0xF4: "ơ",
    0xF6: "ư",
    0xEC: "ì",
    0xED: "í",
    0xE6: "ỉ",
    0xF3: "ĩ",
    0xF2: "ị",
    0xEE: "ỵ",
}


def _both_cases(table: dict[int, str]) -> dict[int, str]:
    out = dict(table)
    for code, value in table.items():
        out[code - 0x20] = value.upper() if len(value) == 1 and value.isalpha() else value
    return out


_VNI_TONE_ALL = _both_cases(_VNI_TONE)
_VNI_CIRC_ALL = _both_cases(_VNI_CIRC)
_VNI_BREVE_ALL = _both_cases(_VNI_BREVE)
_VNI_SINGLE_ALL = _both_cases(_VNI_SINGLE)
_VNI_MODIFIERS = frozenset(_VNI_TONE_ALL) | frozenset(_VNI_CIRC_ALL) | frozenset(_VNI_BREVE_ALL)

_VNI_TONE_BYTE = {mark: code for code, mark in _VNI_TONE.items()}
_VNI_CIRC_BYTE = {mark: code for code, mark in _VNI_CIRC.items()}
_VNI_BREVE_BYTE = {mark: code for code, mark in _VNI_BREVE.items()}
_VNI_SINGLE_BYTE = {letter: code for code, letter in _VNI_SINGLE.items()}

# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

# Bytes cp1252 leaves undefined; Windows maps them to the C1 control characters.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})

_Token = int | str  # a legacy byte, or a character passed through unchanged


def _byte_char(code: int) -> str:
    """Show a byte the legacy table leaves free as cp1252 (0x80-0x9F) or latin-1."""
    if 0x80 <= code <= 0x9F and code not in _CP1252_UNDEFINED:
        return bytes([code]).decode("cp1252")
    return chr(code)


def _char_to_byte(char: str, assumed: str) -> int | None:
    """Return the byte that ``char`` came from when bytes were decoded with ``assumed``."""
    try:
        raw = char.encode(assumed)
    except (UnicodeError, LookupError):
        raw = b""
    if len(raw) == 1:
        return raw[0]
    code = ord(char)
    if code < 0x100:  # latin-1, including U+0081 ... for cp1252's undefined bytes
        return code
    try:
        raw = char.encode("cp1252")
    except UnicodeError:
        return None
    return raw[0] if len(raw) == 1 else None


def _tokens_from_mojibake(s: str, assumed: str) -> list[_Token]:
    codecs.lookup(assumed)  # raise LookupError early for a bad name
    tokens: list[_Token] = []
    for char in s:
        code = _char_to_byte(char, assumed)
        tokens.append(char if code is None else code)
    return tokens


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _decode_tcvn3_tokens(tokens: list[_Token]) -> str:
    out = []
    for tok in tokens:
        if isinstance(tok, str):
            out.append(tok)
        elif tok < 0x80:
            out.append(chr(tok))
        else:
            out.append(_TCVN3_DECODE.get(tok) or _byte_char(tok))
    return _nfc("".join(out))


def _vni_base(tok: _Token) -> str | None:
    """Return the base letter that a VNI modifier may follow, or None."""
    if isinstance(tok, str):
        return None
    if tok < 0x80:
        char = chr(tok)
        return char if char in "aeiouyAEIOUY" else None
    if tok in (0xF4, 0xF6, 0xD4, 0xD6):  # ơ ư Ơ Ư take tones too
        return _VNI_SINGLE_ALL[tok]
    return None


def _decode_vni_tokens(tokens: list[_Token]) -> str:
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        i += 1
        base = _vni_base(tok)
        if base is None:
            if isinstance(tok, str):
                out.append(tok)
            elif tok < 0x80:
                out.append(chr(tok))
            elif tok in _VNI_SINGLE_ALL:
                out.append(_VNI_SINGLE_ALL[tok])
            else:
                out.append(_byte_char(tok))
            continue
        marks = ""
        nxt = tokens[i] if i < n else None
        if isinstance(nxt, int):
            lower = base.lower()
            if lower in "aeo" and nxt in _VNI_CIRC_ALL:
                marks, i = _CIRC + _VNI_CIRC_ALL[nxt], i + 1
            elif lower == "a" and nxt in _VNI_BREVE_ALL:
                marks, i = _BREVE + _VNI_BREVE_ALL[nxt], i + 1
            elif nxt in _VNI_TONE_ALL:
                marks, i = _VNI_TONE_ALL[nxt], i + 1
            # Tolerate a separate tone byte after a bare circumflex or breve.
            after = tokens[i] if i < n else None
            if marks in (_CIRC, _BREVE) and isinstance(after, int) and after in _VNI_TONE_ALL:
                marks, i = marks + _VNI_TONE_ALL[after], i + 1
        out.append(base + marks)
    return _nfc("".join(out))


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def decode_tcvn3(data: bytes) -> str:
    r"""Decode TCVN3 (ABC) bytes to Unicode NFC.

    Parameters
    ----------
    data : bytes
        Text in TCVN3, e.g. ``b"M\xad\xeang T\xcc"``.

    Returns
    -------
    str
        Unicode NFC, e.g. ``"Mường Tè"``. Toned letters come out in lower case
        (TCVN3 has no upper-case toned letters, see the module notes).
    """
    return _decode_tcvn3_tokens(list(bytes(data)))


def decode_vni(data: bytes) -> str:
    r"""Decode VNI-Windows bytes (``b"M\xf6\xf4\xf8ng Te\xf8"``) to Unicode NFC ("Mường Tè")."""
    return _decode_vni_tokens(list(bytes(data)))


def tcvn3_from_mojibake(s: str, assumed: str = "latin-1") -> str:
    """Repair TCVN3 text that was decoded with a Western single-byte codec.

    Parameters
    ----------
    s : str
        Mojibake such as ``"Mêng TÌ"`` (TCVN3 bytes seen as latin-1/cp1252).
    assumed : str
        The codec that was wrongly used. Characters it cannot encode are tried
        as latin-1 (which also covers U+0081 ... for the bytes cp1252 leaves
        undefined) and cp1252; characters none of these can encode (already
        proper Unicode) are kept.

    Returns
    -------
    str
        Unicode NFC, e.g. ``"Mường Tè"``.
    """
    return _decode_tcvn3_tokens(_tokens_from_mojibake(s, assumed))


def vni_from_mojibake(s: str, assumed: str = "cp1252") -> str:
    """Repair VNI text decoded with a Western codec (``assumed``, see :func:`tcvn3_from_mojibake`).

    ``"Möôøng Teø"`` (VNI bytes seen as cp1252/latin-1) becomes ``"Mường Tè"`` (NFC).
    """
    return _decode_vni_tokens(_tokens_from_mojibake(s, assumed))


def _other_byte(char: str, encoding: str) -> int:
    """Encode a character that is not a Vietnamese letter (cp1252, else latin-1)."""
    if ord(char) < 0x80:
        return ord(char)
    try:
        raw = char.encode("cp1252")
    except UnicodeEncodeError:
        raw = b""
    if len(raw) == 1:
        return raw[0]
    if ord(char) < 0x100:
        return ord(char)
    raise UnicodeEncodeError(encoding, char, 0, 1, "character has no byte in this encoding")


def encode_tcvn3(s: str) -> bytes:
    """Encode text as TCVN3 (ABC) bytes, the reverse of :func:`decode_tcvn3`.

    Parameters
    ----------
    s : str
        Unicode text (any normal form).

    Returns
    -------
    bytes
        TCVN3 bytes. Upper-case toned letters get the lower-case byte, as in
        ``.VnTimeH`` text, so decoding lower-cases them; everything else round
        trips exactly.

    Raises
    ------
    UnicodeEncodeError
        For a character with no TCVN3 byte.
    """
    out = bytearray()
    for char in _nfc(s):
        code = _TCVN3_ENCODE.get(char)
        out.append(code if code is not None else _other_byte(char, "tcvn3"))
    return bytes(out)


def _vni_encode_char(char: str) -> bytes | None:
    lower = char.lower()
    upper = char != lower
    shift = 0x20 if upper else 0

    if lower in _VNI_SINGLE_BYTE:
        return bytes([_VNI_SINGLE_BYTE[lower] - shift])
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    if base not in "aeiouy" or not marks:
        return None
    tone = next((m for m in marks if m in _TONES), "")
    shape = marks.replace(tone, "") if tone else marks
    base_out = base.upper() if upper else base
    if shape == _HORN and base in "ou":
        head = bytes([_VNI_SINGLE_BYTE["ơ" if base == "o" else "ư"] - shift])
        return head + (bytes([_VNI_TONE_BYTE[tone] - shift]) if tone else b"")
    if shape == _CIRC and base in "aeo":
        return base_out.encode() + bytes([_VNI_CIRC_BYTE[tone] - shift])
    if shape == _BREVE and base == "a":
        return base_out.encode() + bytes([_VNI_BREVE_BYTE[tone] - shift])
    if shape == "" and tone:
        return base_out.encode() + bytes([_VNI_TONE_BYTE[tone] - shift])
    return None


def encode_vni(s: str) -> bytes:
    """Encode text as VNI-Windows bytes, the reverse of :func:`decode_vni`.

    Parameters
    ----------
    s : str
        Unicode text (any normal form).

    Returns
    -------
    bytes
        VNI bytes; all Vietnamese letters, upper and lower case, round trip.

    Raises
    ------
    UnicodeEncodeError
        For a character with no VNI byte sequence.
    """
    out = bytearray()
    for char in _nfc(s):
        raw = _vni_encode_char(char)
        if raw is None:
            out.append(_other_byte(char, "vni"))
        else:
            out += raw
    return bytes(out)


def _canonical(encoding: str) -> str:
    name = encoding.strip().lower().replace("_", "-")
    if name in LEGACY_ENCODINGS:
        return LEGACY_ENCODINGS[name]
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise LookupError(
            f"unknown encoding {encoding!r}; supported: {', '.join(SUPPORTED)} "
            "(aliases 'abc' and 'tcvn' for tcvn3) or any Python text codec"
        )
    return info.name


def decode_legacy(data: bytes, encoding: str) -> str:
    """Decode bytes in a legacy or ordinary encoding to Unicode NFC.

    Parameters
    ----------
    data : bytes
        The raw text.
    encoding : str
        Case-insensitive: ``"tcvn3"`` (also ``"abc"``, ``"tcvn"``), ``"vni"``, or
        any Python codec name such as ``"utf-8"`` or ``"cp1258"``.

    Returns
    -------
    str
        Unicode NFC (cp1258 text uses combining tone marks, which are composed).

    Raises
    ------
    LookupError
        If the encoding is unknown.
    UnicodeDecodeError
        If ``data`` is not valid in a Python codec.
    """
    name = _canonical(encoding)
    if name == "tcvn3":
        return decode_tcvn3(data)
    if name == "vni":
        return decode_vni(data)
    return _nfc(bytes(data).decode(name))


def fix_legacy_text(s: str, encoding: str) -> str:
    """Repair a string whose bytes were decoded as latin-1/cp1252 instead of ``encoding``.

    Parameters
    ----------
    s : str
        The wrongly decoded string.
    encoding : str
        The true encoding, with the names :func:`decode_legacy` accepts.

    Returns
    -------
    str
        Unicode NFC. For a Python codec (``"utf-8"``, ``"cp1258"`` ...) the
        string is re-encoded as latin-1 (cp1252 for characters latin-1 lacks)
        and decoded with that codec; if that fails, e.g. because ``s`` is
        already proper Unicode, ``s`` is returned in NFC unchanged.

    Raises
    ------
    LookupError
        If the encoding is unknown.
    """
    name = _canonical(encoding)
    if name == "tcvn3":
        return tcvn3_from_mojibake(s)
    if name == "vni":
        return vni_from_mojibake(s)
    codes = [tok for tok in _tokens_from_mojibake(s, "latin-1") if isinstance(tok, int)]
    if len(codes) != len(s):
        return _nfc(s)
    try:
        return _nfc(bytes(codes).decode(name))
    except UnicodeError:
        return _nfc(s)


# ---------------------------------------------------------------------------
# Detection heuristic
# ---------------------------------------------------------------------------

_VIET_LETTERS = frozenset(
    "".join(letters for letters, _ in _TCVN3_ROWS)
    + "".join(letters for letters, _ in _TCVN3_ROWS).upper()
    + "đĐ"
)
# Letters that only Vietnamese uses (no other Latin-1 language has them).
_VIET_ONLY = frozenset(c for c in _VIET_LETTERS if ord(c) > 0xFF)
# TCVN3 letters that are symbols in latin-1 (0xA1-0xBE): a strong TCVN3 sign.
_TCVN3_SYMBOLS = frozenset(chr(c) for c in _TCVN3_DECODE if c < 0xC0)
_VNI_MODIFIER_CHARS = "".join(chr(c) for c in sorted(_VNI_MODIFIERS))
_VNI_PAIR = re.compile("[aeiouyAEIOUY\u00f4\u00f6\u00d4\u00d6][" + _VNI_MODIFIER_CHARS + "]")
# An upper-case latin-1 letter inside a word ("NËm" for "Nậm"): TCVN3 toned letters.
_TCVN3_INNER_CAPITAL = re.compile("[A-Za-z][\u00c0-\u00d6\u00d8-\u00de][a-z]|[a-z][\u00c0-\u00de]")
_WORD_SPLIT = re.compile(r"[\s\d!-/:-@\[-`{-~]+")
# A Vietnamese syllable without its tone: onset, vowel nucleus (with its glides), coda.
# Loose on purpose (any coda after any nucleus; f j w z for names of other languages):
# mojibake fails on letters and shapes, not on rare rhymes.
_NUCLEI = ("uyê uya uyu iêu yêu oai oay oeo uây uôi ươi ươu ai ao au ay âu ây eo êu ia iê "
           "iu oa oă oe oi ôi ơi oo ôô ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê a ă â e ê i o ô "
           "ơ u ư y").split()
_SYLLABLE = re.compile("(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđfghjklmnprstvwxz])?(?:"
                       + "|".join(_NUCLEI) + ")(?:ch|ng|nh|[cmnpt])?")


def _vietnamese_word(word: str) -> bool:
    """Whether a word with diacritics can be Vietnamese: letters, case, one tone, shape."""
    if not (word.islower() or word.isupper() or word.istitle()):
        return False  # "NËm": TCVN3 toned letters seen as capitals inside a word
    bare = unicodedata.normalize("NFD", word.lower())
    toneless = "".join(c for c in bare if c not in _TONES)
    return (len(bare) - len(toneless) <= 1
            and _SYLLABLE.fullmatch(unicodedata.normalize("NFC", toneless)) is not None)


def _word_score(decoded: str) -> tuple[int, int]:
    """(words with Vietnamese diacritics, words that are not possible Vietnamese)."""
    good = bad = 0
    for word in _WORD_SPLIT.split(decoded):
        if not word or word.isascii():
            continue
        if any(not (c.isascii() and c.isalpha()) and c not in _VIET_LETTERS for c in word):
            bad += 1
        elif _vietnamese_word(word):
            good += 1
        else:
            bad += 1
    return good, bad


def plausibility(text: str) -> tuple[int, int]:
    """How much ``text`` reads as Vietnamese: (possible words, impossible words).

    Only words with letters beyond ASCII count: a possible word is a Vietnamese
    syllable (onset, vowels, final consonant, at most one tone mark, sensible
    case); an impossible one holds a symbol or a letter Vietnamese does not use
    (``"X·"``, ``"NËm"``, ``"Möôøng"``) or an impossible shape.
    """
    return _word_score(_nfc(text))


def looks_like_legacy(s: str) -> str | None:
    """Guess whether ``s`` is TCVN3 or VNI text read with a Western codec.

    A heuristic for warning users who forgot to declare a layer's encoding.

    Parameters
    ----------
    s : str
        A string as read (e.g. a DBF value decoded as cp1252).

    Returns
    -------
    str or None
        ``"tcvn3"`` or ``"vni"`` when the string carries the typical marks of
        that mojibake and repairing it gives plausible Vietnamese words;
        ``None`` for ASCII, proper Unicode Vietnamese and anything unclear.
    """
    if s.isascii() or any(c in _VIET_ONLY for c in _nfc(s)):
        return None
    if any(ord(c) > 0xFF and _char_to_byte(c, "cp1252") is None for c in s):
        return None  # other Unicode text, not a single-byte misreading
    if _word_score(_nfc(s))[1] == 0:
        return None  # already possible Vietnamese ("Hoàn thành", "Xã Pa Khoá"): keep it
    candidates: list[tuple[int, str]] = []
    if any(c in _TCVN3_SYMBOLS for c in s) or _TCVN3_INNER_CAPITAL.search(s):
        good, bad = _word_score(tcvn3_from_mojibake(s, "cp1252"))
        if good and bad * 4 <= good:
            candidates.append((good - bad, "tcvn3"))
    if _VNI_PAIR.search(s):
        good, bad = _word_score(vni_from_mojibake(s, "cp1252"))
        if good and bad * 4 <= good:
            candidates.append((good - bad, "vni"))
    if not candidates:
        return None
    return max(candidates)[1]
