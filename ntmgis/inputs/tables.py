"""Tables as offices have them.

CSV (any delimiter, UTF-8 with or without BOM, or a legacy encoding), Excel, filled ntmgis
forms, and PostGIS tables or queries.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ntmgis.core.errors import DataError
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import nfc
from ntmgis.core.workspace import (
    TableConfig,
    Workspace,
    is_database_url,
)
from ntmgis.inputs.columns import ROW
from ntmgis.inputs.forms import HEADER_ROWS, form_kind, read_form
from ntmgis.inputs.legacy_text import fix_text, legacy_table
from ntmgis.inputs.postgis import read_postgis_layer

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
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, sheet_name=cfg.sheet or 0, dtype=str,
                               keep_default_na=False)
            encoding = "utf-8"
        elif suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            if encoding in ("utf-8", "utf8"):
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    # Offices' exports are often cp1258 while the workspace says UTF-8.
                    text = raw.decode("cp1258")
                    log.warning("legacy_encoding", "legacy_encoding", file=path,
                                value=text[:20], guess="cp1258")
            else:
                try:
                    # Valid UTF-8 with accents is never legacy text by accident.
                    text = raw.decode("utf-8-sig")
                    encoding = "utf-8"
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
            import io

            df = pd.read_csv(io.StringIO(text), sep=_sniff_delimiter(text[:4096]), dtype=str,
                             keep_default_na=False, skipinitialspace=True)
        else:
            log.error("format", "unsupported_format", file=path, path=log._rel(path),
                      ext=suffix, expected=", ".join(TABLE_SUFFIXES))
            return None
    except Exception as exc:  # noqa: BLE001 - parsers raise many kinds
        log.error("file_unreadable", "file_unreadable", file=path, path=log._rel(path),
                  reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return None
    df.columns = [nfc(str(c)) for c in df.columns]
    df = df.replace("", None)
    df = df.dropna(how="all").reset_index(drop=True) if len(df) else df
    df[ROW] = df.index + 2
    if encoding in ("utf-8", "utf8"):
        df = fix_text(df, path, log)
    else:
        df = legacy_table(df, encoding)
    df.attrs["path"] = str(path)
    return df



def read_database(url: str, layer: str | None, log: IssueLog) -> pd.DataFrame | None:
    """A PostGIS table, view or query (see ntmgis.outputs.postgis_store); problems become issues."""
    if not layer:
        log.error("file_unreadable", "file_unreadable", file=url, path=url,
                  reason="layer = \"schema.table\" or a SELECT query is required")
        return None
    try:
        return read_postgis_layer(url, layer, lang=log.lang)
    except (DataError, ConnectionError, OSError, ImportError, ValueError) as exc:
        log.error("file_unreadable", "file_unreadable", file=url, path=url,
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
    df = df.reset_index(drop=True)
    # The forms have header rows (labels, then column keys) before the data.
    df[ROW] = df.index + HEADER_ROWS + 1
    for col in df.columns:
        if col != ROW and df[col].dtype.kind in "iufb":
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    df.attrs["path"] = str(path)
    return df
