"""Bytes as ASCII text inside a ``<script>`` element: 6 bytes in 7 characters of 123.

The data block of a large map is the bulk of the page (9 MB for a country), and
the browser reads all of it before the map can start: as plain ASCII the page's
UTF-8 is decoded on its fast path and the block is kept one byte a character
(a text with a few characters beyond ASCII, as :mod:`.text7` writes, is decoded
more slowly and kept two bytes a character: about 0,2 s more for a country on a
2-core machine). The text is 2 % longer than text7's bytes (7/6 against 8/7).

The alphabet is the 123 ASCII characters other than NUL (the parser replaces
it), CR (the parser turns it into LF), ``<`` (it could end the element), ``>``
and ``&`` (kept out so that nothing in the text looks like markup); a digit
``d`` is the ``d``-th of them in code order. Six bytes, read as a big-endian
48-bit number, are seven digits base 123 (123**7 > 2**48), most significant
first; a last group of ``m < 6`` bytes is ``m + 1`` digits. Numbers below
2**53 are exact in a JavaScript double, so ``app.js`` (``text123``) reads a
group with plain arithmetic. Other control characters (tab, LF, U+0001 ...) are
written as themselves: the HTML parser keeps them in a script element (a
"parse error" that only a validator reports).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ALPHABET", "encode123", "decode123", "clean_cut"]

FORBIDDEN = (0, 13, 60, 62, 38)  # NUL, CR, "<", ">", "&"
ALPHABET = bytes(c for c in range(128) if c not in FORBIDDEN)
BASE = len(ALPHABET)  # 123
_DIGIT = np.full(128, -1, dtype=np.int64)
_DIGIT[np.frombuffer(ALPHABET, dtype=np.uint8)] = np.arange(BASE)
_CHARS = np.frombuffer(ALPHABET, dtype=np.uint8)
# digits of a last group of m bytes: m + 1 (123**(m+1) >= 256**m for m = 1..5)
_TAIL_DIGITS = {m: m + 1 for m in range(1, 6)}
_STEP = 6 * 2**17  # bytes a block: bounded memory for a country's 9 MB


def _encode_words(words: np.ndarray, digits: int) -> np.ndarray:
    """Each of ``words`` (uint64) as ``digits`` characters, most significant first."""
    out = np.empty((len(words), digits), dtype=np.uint8)
    w = words.copy()
    for k in range(digits - 1, -1, -1):
        out[:, k] = _CHARS[(w % BASE).astype(np.int64)]
        w //= BASE
    return out.reshape(-1)


def _words(chunk: bytes, width: int) -> np.ndarray:
    """``chunk`` (a multiple of ``width`` bytes) as big-endian numbers of ``width`` bytes."""
    b = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, width).astype(np.uint64)
    w = np.zeros(len(b), dtype=np.uint64)
    for k in range(width):
        w = (w << np.uint64(8)) | b[:, k]
    return w


def encode123(data: bytes) -> str:
    """``data`` as text (see the module's notes); vectorised (9 MB in about 0,3 s)."""
    full = len(data) - len(data) % 6
    parts = [_encode_words(_words(data[at:min(at + _STEP, full)], 6), 7).tobytes()
             for at in range(0, full, _STEP)]
    m = len(data) - full
    if m:
        parts.append(_encode_words(_words(data[full:], m), _TAIL_DIGITS[m]).tobytes())
    return b"".join(parts).decode("ascii")


def decode123(text: str) -> bytes:
    """The bytes of :func:`encode123`'s text.

    Raises
    ------
    ValueError
        A character outside the alphabet, or a length no text of it has.
    """
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    d = _DIGIT[raw]
    if (d < 0).any():
        raise ValueError("not a text123 text: a character outside its alphabet")
    n_full, rest = divmod(len(d), 7)
    if rest == 1:
        raise ValueError("not a text123 text: a last group of one character")
    parts = []
    groups = ((d[:n_full * 7], 6, n_full), (d[n_full * 7:], rest - 1, 1 if rest else 0))
    for digits, width, n in groups:
        if not n:
            continue
        g = digits.reshape(n, -1).astype(np.uint64)
        w = np.zeros(n, dtype=np.uint64)
        for k in range(g.shape[1]):
            w = w * np.uint64(BASE) + g[:, k]
        out = np.empty((n, width), dtype=np.uint8)
        for k in range(width - 1, -1, -1):
            out[:, k] = (w & np.uint64(255)).astype(np.uint8)
            w >>= np.uint64(8)
        parts.append(out.tobytes())
    return b"".join(parts)


def clean_cut(data: bytes, cut: int) -> int:
    """The largest multiple of 6 bytes <= ``cut``: text of ``data[:c]`` and of ``data[c:]`` join."""
    del data  # every multiple of 6 bytes is a clean cut (kept for text7's signature)
    return max(0, cut - cut % 6)
