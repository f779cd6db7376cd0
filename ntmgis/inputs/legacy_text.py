"""Text in frames made right: legacy Vietnamese encodings (TCVN3, VNI) decoded, NFC.

Also the checks that an encoding fits: a TCVN3 file declared as cp1258 (or the
reverse) decodes without an error into improbable Vietnamese ("X· NËm Loáng"),
and a legacy file read as UTF-8 fails on its first accented byte. Both are told
which encoding fits (:func:`fitting_encoding`, :func:`decode_error_reason`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.i18n import catalog
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import nfc
from ntmgis.core.workspace import LEGACY_ENCODINGS
from ntmgis.inputs.columns import ROW
from ntmgis.inputs.encodings import (
    decode_legacy,
    fix_legacy_text,
    looks_like_legacy,
    plausibility,
)

__all__ = ["per_unique", "fix_text", "legacy_table", "fitting_encoding", "encoding_of_bytes",
           "decode_error_reason", "encoding_text"]

#: The encodings Vietnamese offices' files come in, tried in this order.
CANDIDATES = ("utf-8", "cp1258", "tcvn3", "vni")

_MSG = {
    "encoding_mismatch": (
        "văn bản đọc theo bảng mã {declared} không giống tiếng Việt (ví dụ '{value}'); tệp có "
        "vẻ dùng bảng mã {guess} (sẽ đọc ra '{fixed}'): khai báo encoding = \"{guess}\" {where}",
        "text read as {declared} does not look like Vietnamese (e.g. '{value}'); the file "
        "seems to be {guess} (it would read '{fixed}'): set encoding = \"{guess}\" {where}",
    ),
    "encoding_mismatch.expected": ("văn bản tiếng Việt đọc được theo bảng mã đã kê khai",
                                   "Vietnamese text in the declared encoding"),
    "not_utf8": (
        "tệp không phải UTF-8 (byte {byte} không hợp lệ); có vẻ là bảng mã {guess} (đọc ra "
        "'{fixed}'): khai báo encoding = \"{guess}\" {where}",
        "the file is not UTF-8 (byte {byte} is invalid); it seems to be {guess} (it reads "
        "'{fixed}'): set encoding = \"{guess}\" {where}",
    ),
    "not_utf8_unknown": (
        "tệp không phải UTF-8 (byte {byte} không hợp lệ); khai báo encoding {where}: cp1258, "
        "tcvn3 hoặc vni",
        "the file is not UTF-8 (byte {byte} is invalid); set encoding {where}: cp1258, tcvn3 "
        "or vni",
    ),
    "where_section": ("trong [{section}] của ntmgis.toml", "in [{section}] of ntmgis.toml"),
    "where_file": ("cho tệp này trong ntmgis.toml ([layers.…] hoặc [tables.…], hoặc [area] "
                   "cho mọi tệp)",
                   "for this file in ntmgis.toml ([layers.…] or [tables.…], or [area] for "
                   "every file)"),
}
#: This module's messages (``encoding_text("not_utf8", lang, ...)``).
encoding_text = catalog(_MSG)

# Bytes between words of a CSV or DBF: controls, spaces, separators and quotes.
_BYTE_WORDS = re.compile(rb"[\x00-\x20,;|\"]+")


def _canonical(encoding: str) -> str:
    """One name per encoding ("utf8", "UTF-8-SIG" -> "utf-8"; "abc" -> "tcvn3")."""
    name = encoding.strip().lower().replace("_", "-")
    if name in LEGACY_ENCODINGS:
        return LEGACY_ENCODINGS[name]
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    return "utf-8" if name == "utf-8-sig" else name


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return decode_legacy(raw, encoding)
    except UnicodeDecodeError:
        return None


def _scores(samples: list[bytes]) -> dict[str, tuple[int, int]]:
    """(possible, impossible) Vietnamese words of the samples read in each candidate."""
    out = {}
    for enc in CANDIDATES:
        good = bad = 0
        for raw in samples:
            text = _decode(raw, enc)
            g, b = plausibility(text) if text is not None else (0, 1)
            good, bad = good + g, bad + b
        out[enc] = (good, bad)
    return out


def fitting_encoding(samples: Iterable[bytes], declared: str | None = None,
                     limit: int = 500) -> str | None:
    """The encoding whose reading of ``samples`` is clearly Vietnamese, if not ``declared``.

    Parameters
    ----------
    samples : iterable of bytes
        Text as stored in the file (cells, or words); those without a byte above
        0x7F say nothing and are skipped, and at most ``limit`` distinct ones are read.
    declared : str, optional
        The encoding the workspace declares. When given, an answer is only
        returned if that reading has impossible words and the answer reads
        clearly better.
    limit : int
        How many distinct samples to read at most.

    Returns
    -------
    str or None
        One of :data:`CANDIDATES`, or None when the declared one fits or
        nothing fits clearly.
    """
    distinct: list[bytes] = []
    for raw in dict.fromkeys(samples):
        if max(raw, default=0) >= 0x80:
            distinct.append(raw)
            if len(distinct) >= limit:
                break
    if not distinct:
        return None
    scores = _scores(distinct)
    base = (0, 0)
    if declared is not None:
        declared = _canonical(declared)
        base = scores.get(declared) or plausibility(
            " ".join(_decode(r, declared) or "\ufffd" for r in distinct))
    best = max(CANDIDATES, key=lambda e: (scores[e][0] - 4 * scores[e][1], -CANDIDATES.index(e)))
    good, bad = scores[best]
    if best == declared or not good or bad * 4 > good:
        return None
    if declared is not None and (base[1] == 0 or good - bad <= base[0] - base[1]):
        return None
    return best


def encoding_of_bytes(data: bytes, declared: str | None = None) -> str | None:
    """:func:`fitting_encoding` of a whole CSV or DBF file's bytes, word by word."""
    return fitting_encoding(_BYTE_WORDS.split(data), declared)


def _example(samples: list[bytes], declared: str, guess: str) -> tuple[str, str]:
    """A sample that is impossible as declared and possible as guessed, in both readings."""
    first = None
    for raw in samples:
        shown, fixed = _decode(raw, declared), _decode(raw, guess)
        if fixed is None:
            continue
        first = first or (shown or raw.decode("latin-1"), fixed)
        if shown is None or plausibility(shown)[1] > plausibility(fixed)[1]:
            return shown or raw.decode("latin-1"), fixed
    return first or ("", "")


def _where(section: str | None, lang: str) -> str:
    if section:
        return encoding_text("where_section", lang, section=section)
    return encoding_text("where_file", lang)


def decode_error_reason(exc: UnicodeDecodeError, lang: str = "vi", *,
                        path: str | Path | None = None, section: str | None = None) -> str:
    """What to tell a user whose legacy file failed to decode as UTF-8, and the fix.

    Parameters
    ----------
    exc : UnicodeDecodeError
        The error (its ``object`` holds the bytes that failed).
    lang : {"vi", "en"}
        Language of the sentence.
    path : path, optional
        The file (for a Shapefile, its ``.dbf`` is read): more words than the
        one value in ``exc`` make the guess sure.
    section : str, optional
        Where the encoding goes (``"layers.villages"``); else the sentence
        names the choices.

    Returns
    -------
    str
        E.g. ``tệp không phải UTF-8 (byte 0xb7 không hợp lệ); có vẻ là bảng mã
        tcvn3 (đọc ra 'Xã Nậm …'): khai báo encoding = "tcvn3" trong [layers.villages] …``.
    """
    data = bytes(exc.object) if isinstance(exc.object, bytes | bytearray) else b""
    byte = f"0x{data[exc.start]:02x}" if exc.start < len(data) else "?"
    words = [w for w in _BYTE_WORDS.split(data) if w]
    if path is not None:
        p = Path(path)
        p = p.with_suffix(".dbf") if p.suffix.lower() == ".shp" else p
        if p.is_file():
            words += _BYTE_WORDS.split(p.read_bytes()[:2_000_000])
    guess = fitting_encoding(words)
    if guess is None or guess == "utf-8":
        return encoding_text("not_utf8_unknown", lang, byte=byte, where=_where(section, lang))
    value = data[max(0, exc.start - 20):exc.start + 40] or data
    fixed = _decode(value, guess) or ""
    return encoding_text("not_utf8", lang, byte=byte, guess=guess, fixed=fixed.strip(),
                         where=_where(section, lang))


def per_unique(values: Any, func: Any) -> tuple[np.ndarray, np.ndarray]:
    """Apply a pure per-cell function once per distinct value and broadcast the results.

    Offices' columns repeat few values ("Đạt", years, a commune's code), so
    this turns millions of Python calls into a few. Returns the results
    (object array; None where ``func`` raised ValueError) and a mask of the
    cells where it raised, for the caller to report row by row.
    """
    vals = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(vals, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(vals)  # missing -> -1
        uniques = list(uniques) + [None]
    else:  # mixed types: factorize would merge 1, 1.0 and True
        codes, uniques = np.arange(len(vals)), list(vals)
    res = np.empty(len(uniques), dtype=object)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        try:
            res[i] = func(u)
        except ValueError:
            res[i], bad[i] = None, True
    return res[codes], bad[codes]



def fix_text(df: pd.DataFrame, path: Path, log: IssueLog) -> pd.DataFrame:
    """NFC every text column, trim spaces; warn once when text looks like TCVN3/VNI."""
    warned = False
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        s = df[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        vals = s.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(vals, skipna=True) != "string":
            is_str = np.array([isinstance(v, str) for v in vals], dtype=bool)
            if not is_str.any():
                continue
            vals = vals.copy()
            vals[is_str] = [nfc(v) for v in vals[is_str]]
        else:
            # All text (or missing): normalise each distinct value once.
            fixed, _ = per_unique(vals, nfc)
            missing = pd.isna(vals)
            fixed[missing] = vals[missing]
            vals = fixed
            is_str = ~missing
        df[col] = pd.Series(vals, index=df.index, dtype=object)
        if not warned:
            # A sample is enough to notice an undeclared legacy encoding.
            for v in vals[is_str][:200]:
                guess = looks_like_legacy(v)
                if guess:
                    log.warning("legacy_encoding", "legacy_encoding", file=path, column=col,
                                value=v, guess=guess)
                    warned = True
                    break
    return df



def _legacy_value(v: str, encoding: str) -> str:
    """Decode a legacy cell that was read as latin-1; cells that are really UTF-8 stay so."""
    try:
        raw = v.encode("latin-1")
    except UnicodeEncodeError:
        return nfc(v)
    if max(raw, default=0) >= 0x80:
        try:
            return nfc(raw.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return nfc(fix_legacy_text(v, encoding))



def legacy_table(df: pd.DataFrame, encoding: str, *, path: Path | None = None,
                 log: IssueLog | None = None, section: str | None = None) -> pd.DataFrame:
    """Decode every text cell of a table read as latin-1 in its legacy encoding.

    Parameters
    ----------
    df : DataFrame
        Text read as latin-1, so that each cell keeps the file's bytes.
    encoding : str
        The declared encoding (``tcvn3``, ``vni``, ``cp1258`` ...).
    path, log, section : optional
        With a ``log``, a declared encoding that reads as improbable Vietnamese
        while another reads as Vietnamese is an ``encoding_mismatch`` error naming
        the one that fits (the names would be garbled in every output);
        ``section`` (``"tables.projects"``) says where to declare it.
    """
    if log is not None:
        _check_fit(df, encoding, path, log, section)
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        df[col] = [_legacy_value(v, encoding) if isinstance(v, str) else v for v in df[col]]
    df.columns = [_legacy_value(str(c), encoding) if c not in (ROW, "geometry") else c
                  for c in df.columns]
    return df


def _check_fit(df: pd.DataFrame, encoding: str, path: Path | None, log: IssueLog,
               section: str | None) -> None:
    """Log an error when the declared encoding does not fit the cells' bytes."""
    samples: dict[bytes, str] = {}  # cell bytes -> its column
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        for v in df[col].drop_duplicates().head(200):
            if isinstance(v, str):
                try:
                    raw = v.encode("latin-1")
                except UnicodeEncodeError:
                    continue
                if max(raw, default=0) < 0x80:
                    continue
                try:
                    raw.decode("utf-8")  # UTF-8 cells are read as UTF-8 whatever is declared
                    continue
                except UnicodeDecodeError:
                    samples.setdefault(raw, str(col))
    guess = fitting_encoding(samples, declared=encoding)
    if guess is None:
        return
    shown, fixed = _example(list(samples), encoding, guess)
    raw = next((r for r in samples if _decode(r, encoding) == shown), b"")
    fields = {"declared": encoding, "guess": guess, "value": shown, "fixed": fixed,
              "where": _where(section, log.lang)}
    log.add("error", "encoding_mismatch", "issue_text", file=path,
            column=samples.get(raw), value=shown,
            expected=encoding_text("encoding_mismatch.expected", log.lang),
            text=encoding_text("encoding_mismatch", log.lang, **fields))
