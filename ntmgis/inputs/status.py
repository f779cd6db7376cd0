"""Criteria status tables, long or wide.

Long: one row per unit, year, criterion; wide: one column per criterion, values such as
"Đạt", "Chưa đạt", "x", 1/0).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.vocabulary import parse_met
from ntmgis.core.workspace import (
    TableConfig,
    Workspace,
)
from ntmgis.inputs.cells import code_cells, int_cell
from ntmgis.inputs.columns import ROW, column_key, map_columns, source_column
from ntmgis.inputs.legacy_text import per_unique
from ntmgis.inputs.tables import read_table


def read_status(cfg: TableConfig, ws: Workspace, log: IssueLog, cset: CriteriaSet,
                *, code_width: int | None) -> pd.DataFrame | None:
    """Criteria status in long form: ``code, year, criterion, met, _row, _column``.

    Wide tables (``form = "wide"``) have one column per criterion, found by the
    ``criterion_columns`` pattern (``"TC{n}"``) or by names such as ``TC5``,
    ``tc05``, ``Tiêu chí 5``.
    """
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    lo_y, hi_y = ws.years[0], ws.years[-1]
    numbers = set(cset.numbers)
    if cfg.form == "wide":
        base = map_columns(df, cfg.fields, ("code", "year"), ("name",), path=path, log=log,
                           context=cfg.name)
        if "code" not in base or "year" not in base:
            return None
        pattern = cfg.options.get("criterion_columns")
        crit_cols: dict[str, int] = {}
        if pattern:
            rx = re.compile("^" + re.escape(column_key(pattern)).replace(r"\{n\}", r"0*(\d+)")
                            + "$")
        else:
            rx = re.compile(r"^(?:tc|tieuchi|tchi|vc|criterion|c)0*(\d+)$")
        for c in df.columns:
            m = rx.match(column_key(c))
            if m:
                crit_cols[c] = int(m.group(1))
        if not crit_cols:
            log.error("missing_column", "missing_column", file=path,
                      column=pattern or "TC1..TC19", configured=pattern or "TC{n}",
                      available=", ".join(map(str, df.columns[:-1])), expected="TC1..TC19")
            return None
        for c, n in crit_cols.items():
            if n not in numbers:
                log.error("criterion_range", "criterion_range", file=path, column=c, value=n,
                          lo=min(numbers), hi=max(numbers))
        codes = code_cells(base, "code", ws, log, path, code_width)
        years = int_cell(base, "year", log, path, lo=lo_y, hi=hi_y, key="year_range")
        parts = []
        for c, n in crit_cols.items():
            if n not in numbers:
                continue
            mets, bad = per_unique(df[c], parse_met)
            for i in np.flatnonzero(bad):
                log.error("bad_status_value", "bad_status_value", file=path,
                          row=df[ROW].iloc[i], column=c, value=df[c].iloc[i])
            parts.append(pd.DataFrame({"code": codes, "year": years,
                                       "criterion": pd.array([n] * len(df), dtype="Int64"),
                                       "met": pd.array(mets, dtype="Int64"), ROW: df[ROW],
                                       "_column": c}))
        long = pd.concat(parts, ignore_index=True)
        if "name" in base:
            long["name"] = np.tile(base["name"].to_numpy(dtype=object), len(parts))
    else:
        base = map_columns(df, cfg.fields, ("code", "year", "criterion", "met"), ("name",),
                           path=path, log=log, context=cfg.name)
        if not {"code", "year", "criterion", "met"} <= set(base.columns):
            return None
        mets, bad = per_unique(base["met"], parse_met)
        for i in np.flatnonzero(bad):
            log.error("bad_status_value", "bad_status_value", file=path, row=base[ROW].iloc[i],
                      column=source_column(base, "met"), value=base["met"].iloc[i])

        def crit_number(v: Any) -> int:
            m = re.search(r"\d+", str(v or ""))
            n = int(m.group()) if m else None
            if n not in numbers:
                raise ValueError(v)
            return n

        crit, bad = per_unique(base["criterion"], crit_number)
        for i in np.flatnonzero(bad):
            log.error("criterion_range", "criterion_range", file=path, row=base[ROW].iloc[i],
                      column=source_column(base, "criterion"), value=base["criterion"].iloc[i],
                      lo=min(numbers), hi=max(numbers))
        long = pd.DataFrame({
            "code": code_cells(base, "code", ws, log, path, code_width),
            "year": int_cell(base, "year", log, path, lo=lo_y, hi=hi_y, key="year_range"),
            "criterion": pd.array(crit, dtype="Int64"),
            "met": pd.array(mets, dtype="Int64"),
            ROW: base[ROW],
            "_column": source_column(base, "met"),
        })
        if "name" in base:
            long["name"] = base["name"].to_numpy(dtype=object)
    long.attrs["path"] = str(path)
    return long
