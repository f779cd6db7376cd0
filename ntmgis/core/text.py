"""Text helpers: Unicode normalisation, tolerant name matching, number parsing."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

__all__ = ["nfc", "fold", "parse_number", "normalise_code", "is_missing", "is_iso_date",
           "display_name", "slug"]

# Prefixes that offices write or omit at will before a unit's name.
_UNIT_PREFIXES = ("thi tran ", "xa ", "phuong ", "ban ", "thon ", "tt. ", "tt ")


def is_missing(value: Any) -> bool:
    """Whether ``value`` is empty: None, NaN, pandas NA or a blank string."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)  # NaN and pandas.NA
    except (TypeError, ValueError):
        return False


def nfc(value: Any) -> Any:
    """Return ``value`` in Unicode NFC with outer spaces trimmed; non-strings pass through."""
    if not isinstance(value, str):
        return value
    # split/join is the regex's "\s+" -> " " and strip (both use str.isspace), 2,7 times as
    # fast: a national build calls this millions of times
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold(value: str, *, strip_unit: bool = False) -> str:
    """Fold a name for tolerant matching: lower case, no accents, ``đ`` as ``d``.

    Parameters
    ----------
    value : str
        A name such as ``"Xã Pa ủ"``.
    strip_unit : bool
        Also drop a leading unit word ("Xã", "Thị trấn", "Bản" ...), so that
        ``"Xã Kan Hồ"`` and ``"Kan Hồ"`` match.

    Returns
    -------
    str
        For example ``"xa pa u"`` (or ``"pa u"`` with ``strip_unit``).
    """
    s = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
    s = " ".join(s.split())  # as in nfc
    if strip_unit:
        for prefix in _UNIT_PREFIXES:
            if s.startswith(prefix):
                s = s[len(prefix) :]
                break
    return s


def slug(value: str) -> str:
    """A name as a file or folder name: "Phòng Văn hóa - Thông tin" -> ``phong-van-hoa-thong-tin``.

    ASCII letters and digits joined by single hyphens, so that a path works on any
    machine and USB stick (no accents to be mangled by a FAT file system or a zip tool).
    """
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in fold(value))
    return re.sub("-{2,}", "-", out).strip("-")


_VN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: Any, *, decimal: str = ",") -> float | None:
    """Parse a number as offices write it.

    Vietnamese writes ``608.989`` (thousands) and ``76,9`` (decimal); files
    made by software write ``608989`` and ``76.9``. Ambiguous inputs with a
    single separator and three digits after it (``"1.234"``) are read with the
    ``decimal`` convention of the workspace (Vietnamese by default: a
    thousands separator).

    Parameters
    ----------
    value : Any
        A string, a number, or empty.
    decimal : {",", "."}
        The decimal mark to assume when the text alone cannot tell.

    Returns
    -------
    float or None
        None for empty cells.

    Raises
    ------
    ValueError
        When the text is not a number; the message names the value.
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    s = nfc(str(value)).replace("\u00a0", "").replace(" ", "")
    s = s.removesuffix("%")
    if not s:
        return None
    if _VN_THOUSANDS.match(s) and (decimal == "," or "," in s or s.count(".") > 1):
        return float(s.replace(".", "").replace(",", "."))
    if _EN_THOUSANDS.match(s) and (decimal == "." or "." in s or s.count(",") > 1):
        return float(s.replace(",", ""))
    if s.count(",") == 1 and "." not in s:
        return float(s.replace(",", "."))
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


def normalise_code(value: Any, width: int | None = None) -> str | None:
    """Return an administrative code as a string, keeping or restoring leading zeros.

    ``3436`` (a number that lost its zero in Excel) becomes ``"03436"`` when
    ``width`` is 5; ``"03436"`` stays as it is. Floats such as ``3436.0`` are
    accepted. Returns None for empty cells.
    """
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = nfc(str(value))
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if width and s.isdigit() and len(s) < width:
        s = s.zfill(width)
    return s


def is_iso_date(value: Any) -> bool:
    """Whether ``value`` is a real calendar date written as YYYY-MM-DD ("2025-12-20")."""
    import datetime

    text = str(value)
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# Unit words written before a place's name, kept as written ("Thị trấn", not "Thị Trấn").
_DISPLAY_UNITS = ("thành phố", "thị trấn", "thị xã", "tổ dân phố", "tiểu khu", "xã", "phường",
                  "huyện", "quận", "tỉnh", "bản", "thôn", "xóm", "làng", "ấp", "khu", "khối",
                  "tổ", "tt.", "tt")


def display_name(value: Any) -> Any:
    """A place name as it is displayed: each syllable of the name itself capitalised.

    The GSO list writes some names with a lower-case syllable ("Xã Pa ủ"); the source
    spelling stays the key (codes, matching), and this is how the name is shown:
    ``"Xã Pa ủ" -> "Xã Pa Ủ"``, ``"Pa ủ" -> "Pa Ủ"``. A leading unit word ("Xã",
    "Thị trấn", "Bản") keeps its own case; numbers and non-strings pass through.

    Examples
    --------
    >>> display_name("Thị trấn Mường Tè")
    'Thị trấn Mường Tè'
    >>> display_name("Bản Nậm ngà 2")
    'Bản Nậm Ngà 2'
    """
    if not isinstance(value, str) or not value.strip():
        return value
    text = nfc(value)
    low = text.lower()
    head = ""
    for unit in _DISPLAY_UNITS:
        if low.startswith(unit + " "):
            head, text = text[: len(unit) + 1], text[len(unit) + 1 :]
            break
    words = [w[:1].upper() + w[1:] if w[:1].islower() else w for w in text.split(" ")]
    return head + " ".join(words)
