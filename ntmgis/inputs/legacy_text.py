"""Text in frames made right: legacy Vietnamese encodings (TCVN3, VNI) decoded, NFC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import nfc
from ntmgis.inputs.columns import ROW
from ntmgis.inputs.encodings import fix_legacy_text, looks_like_legacy


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



def legacy_table(df: pd.DataFrame, encoding: str) -> pd.DataFrame:
    """Decode every text cell of a table read in a legacy encoding (TCVN3, VNI)."""
    for col in df.columns:
        if col in (ROW, "geometry"):
            continue
        df[col] = [_legacy_value(v, encoding) if isinstance(v, str) else v for v in df[col]]
    df.columns = [_legacy_value(str(c), encoding) if c not in (ROW, "geometry") else c
                  for c in df.columns]
    return df
