"""Tables as offices have them.

CSV (any delimiter, UTF-8 with or without BOM, or a legacy encoding), Excel, filled ntmgis
forms, and PostGIS tables or queries.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ntmgis.core.errors import DataError
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import nfc
from ntmgis.core.workspace import (
    TableConfig,
    Workspace,
    is_database_url,
)
from ntmgis.inputs.columns import ROW, input_text, report
from ntmgis.inputs.forms import HEADER_ROWS, form_kind, read_form
from ntmgis.inputs.legacy_text import encoding_of_bytes, fix_text, legacy_table
from ntmgis.inputs.postgis import read_postgis_layer, safe_url

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")



def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    return max(counts, key=lambda d: (counts[d], d == ","))



def read_table(cfg: TableConfig, ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    """Read a CSV or Excel table with every cell as text (codes keep their zeros)."""
    path = cfg.path
    if is_database_url(path):
        df = read_database(path, cfg.options.get("layer"), log)
        if df is None:
            return None
        df = pd.DataFrame(df.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        df[ROW] = df.index + 2
        return fix_text(df, path, log)
    if not path.exists():
        log.error("file_missing", "file_missing", file=path, path=log._rel(path))
        return None
    suffix = path.suffix.lower()
    encoding = (cfg.encoding or ws.encoding).lower()
    kind = form_kind_of(path)
    if kind is not None:
        return read_filled_form(path, kind, ws, log)
    has_nul = True  # unless the text was seen whole
    try:
        # header=None: the header row is taken by hand below, so that a name written
        # twice stays visible (pandas would rename it "name.1") and blank lines keep
        # their place, which keeps row numbers equal to the spreadsheet's.
        if suffix in (".xlsx", ".xlsm", ".xls"):
            raw_df = pd.read_excel(path, sheet_name=cfg.sheet or 0, dtype=str, header=None,
                                   keep_default_na=False)
            encoding = "utf-8"
        elif suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            if encoding in ("utf-8", "utf8"):
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    # Offices' exports are often legacy while the workspace says UTF-8:
                    # read them in the encoding their words fit (cp1258 when none does
                    # clearly), and say which one to declare.
                    guess = encoding_of_bytes(raw) or "cp1258"
                    guess = "cp1258" if guess == "utf-8" else guess
                    text = raw.decode("latin-1")
                    log.warning("legacy_encoding", "legacy_encoding", file=path,
                                value=legacy_table(pd.DataFrame({"v": [text[:40]]}),
                                                   guess)["v"].iloc[0][:20], guess=guess)
                    encoding = guess
            else:
                try:
                    # Valid UTF-8 with accents is never legacy text by accident.
                    text = raw.decode("utf-8-sig")
                    encoding = "utf-8"
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
            raw_df = _read_csv_text(text)
            has_nul = "\x00" in text  # one scan of the text, not one per column
        else:
            log.error("format", "unsupported_format", file=path, path=log._rel(path),
                      ext=suffix, expected=", ".join(TABLE_SUFFIXES))
            return None
    except Exception as exc:  # noqa: BLE001 - parsers raise many kinds
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None
    df = _with_header(raw_df, path, log)
    if has_nul:
        df = _strip_nul(df, path, log)
    if not len(df):
        _report_empty(cfg, log)
    if encoding in ("utf-8", "utf8"):
        df = fix_text(df, path, log)
    elif encoding == (cfg.encoding or ws.encoding).lower():
        # Declared: check that it fits, naming where to declare the one that does.
        section = f"tables.{cfg.name}" if cfg.encoding else "area"
        df = legacy_table(df, encoding, path=path, log=log, section=section)
    else:
        df = legacy_table(df, encoding)
    df.attrs["path"] = str(path)
    return df



def _read_csv_text(text: str) -> pd.DataFrame:
    """Every line of a CSV as a row of text cells, the header row included.

    Lines longer than the header (a trailing separator, a stray cell) get columns
    of their own ("Unnamed: n") instead of failing the whole file.
    """
    sep = _sniff_delimiter(text[:4096])
    kw = {"sep": sep, "dtype": str, "header": None, "keep_default_na": False,
          "skipinitialspace": True, "skip_blank_lines": False}
    try:
        return pd.read_csv(io.StringIO(text), **kw)
    except pd.errors.ParserError:
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=0)
        return pd.read_csv(io.StringIO(text), names=list(range(width)), **kw)



def _column_letter(i: int) -> str:
    """The spreadsheet letter of 0-based column ``i`` (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out



def _with_header(raw: pd.DataFrame, path: Path, log: IssueLog) -> pd.DataFrame:
    """The first row as header, the rest as data numbered as the spreadsheet shows it.

    A name that appears twice is an error: which of the two holds the data cannot be
    told, and keeping either silently loses the other (offices' files link projects
    to villages through such a column). Both are renamed so that neither is used.
    Rows whose cells are all empty (blank lines) are dropped after numbering.
    """
    if not len(raw):
        return pd.DataFrame({ROW: pd.Series([], dtype="int64")})
    names = []
    for i, v in enumerate(raw.iloc[0].tolist()):
        name = "" if v is None or (isinstance(v, float) and np.isnan(v)) else nfc(str(v)).strip()
        names.append(name or f"Unnamed: {i}")
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        if not name.startswith("Unnamed: "):
            seen.setdefault(name, []).append(i)
    for name, idx in seen.items():
        if len(idx) > 1:
            report(log, "error", "duplicate_column", "duplicate_column", file=path, row=1,
                   column=name, value=name, count=len(idx),
                   positions=", ".join(_column_letter(i) for i in idx))
            for i in idx:
                names[i] = f"{name} ({_column_letter(i)})"
    df = raw.iloc[1:].copy()
    df.columns = names
    # The header is spreadsheet row 1; data row k (0-based in the file) is row k + 1.
    df[ROW] = np.arange(2, len(raw) + 1)
    data = df.columns[:-1]
    df[data] = df[data].replace("", None)
    df = df.dropna(how="all", subset=list(data)).reset_index(drop=True)
    return df



def _strip_nul(df: pd.DataFrame, path: Path, log: IssueLog) -> pd.DataFrame:
    """Remove NUL characters from text cells, each one reported (GDAL cuts text at NUL)."""
    for col in df.columns:
        if col == ROW or df[col].dtype.kind in "iufb":
            continue
        cells = df[col]
        has = (cells.astype("string").str.contains("\x00", regex=False)
               .fillna(False).to_numpy(dtype=bool))
        for i in np.flatnonzero(has):
            fixed = cells.iloc[i].replace("\x00", "")
            report(log, "warning", "nul_byte", "nul_byte", file=path,
                   row=int(df[ROW].iloc[i]), column=col,
                   value=cells.iloc[i].replace("\x00", "\\0"), fixed=fixed)
            df.iloc[i, df.columns.get_loc(col)] = fixed or None
    return df



def _report_empty(cfg: TableConfig, log: IssueLog) -> None:
    """Report a table with a header and no rows.

    An error for the status tables (nothing to monitor), a warning for the others
    (a new office may not have projects yet).
    """
    status = cfg.name in ("commune_status", "village_status")
    report(log, "error" if status else "warning", "empty_table", "empty_table", file=cfg.path,
           row=1, consequence=input_text("empty_status", log.lang) if status else "")



def read_database(url: str, layer: str | None, log: IssueLog) -> pd.DataFrame | None:
    """A PostGIS table, view or query (see ntmgis.outputs.postgis_store); problems become issues."""
    shown = safe_url(url)  # messages and validation.csv never show the password
    if not layer:
        log.error("file_unreadable", "file_unreadable", file=shown, path=shown,
                  reason="layer = \"schema.table\" or a SELECT query is required")
        return None
    try:
        return read_postgis_layer(url, layer, lang=log.lang)
    except (DataError, ConnectionError, OSError, ImportError, ValueError) as exc:
        log.error("file_unreadable", "file_unreadable", file=shown, path=shown,
                  reason=str(exc).splitlines()[0])
        return None



def form_kind_of(path: Path) -> str | None:
    """The kind of ntmgis form ``path`` is, or None (only Excel files are opened)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None

    return form_kind(path)



def read_filled_form(path: Path, kind: str, ws: Workspace, log: IssueLog) -> pd.DataFrame | None:
    """An ntmgis Excel form, read strictly by ntmgis.outputs.forms (errors name sheet and cell)."""
    try:
        df = read_form(path, kind, code_width=ws.code_width, years=ws.years, lang=log.lang)
    except DataError as exc:
        log.error("form", "file_unreadable", file=path, path=log._rel(path), row=exc.row,
                  column=exc.column, value=exc.value, reason=str(exc))
        return None
    rows = df.attrs.pop("sheet_rows", None)
    df = df.reset_index(drop=True)
    # Messages name the row Excel shows: the form skips empty rows, so the
    # position after the header rows is not the row once a row was left blank.
    df[ROW] = rows if rows is not None else df.index + HEADER_ROWS + 1
    for col in df.columns:
        if col != ROW and df[col].dtype.kind in "iufb":
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df.attrs["path"] = str(path)
    return df
