"""Column aliases: the names offices give a column, mapped to ntmgis's canonical names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from ntmgis.core.i18n import catalog, t
from ntmgis.core.issue_log import Issue, IssueLog
from ntmgis.core.text import fold
from ntmgis.core.workspace import (
    CONTEXT_ALIASES,
    FIELD_ALIASES,
)

ROW = "_row"

# The readers' own messages; ``<key>.expected`` is what the check expected instead
# (the "expected" column of validation.csv). Keys missing here fall back on the shared ones.
_MSG: dict[str, tuple[str, str]] = {
    "empty_table": (
        "bảng không có dòng số liệu nào, chỉ có dòng tiêu đề{consequence}",
        "the table has no data rows, only its header{consequence}",
    ),
    "empty_table.expected": ("ít nhất một dòng số liệu dưới dòng tiêu đề",
                             "at least one data row below the header"),
    "empty_status": (
        ": không có tiêu chí nào của xã/bản nào được ghi nhận",
        ": no unit has any criterion recorded",
    ),
    "duplicate_column": (
        "tên cột '{value}' có {count} lần trong dòng tiêu đề (cột {positions}); không biết "
        "lấy cột nào nên các cột này bị bỏ qua; đổi tên hoặc xóa cột thừa",
        "column name '{value}' appears {count} times in the header (columns {positions}); "
        "it is not known which one holds the data, so these columns are ignored; rename or "
        "delete the extra one",
    ),
    "duplicate_column.expected": ("mỗi tên cột chỉ có một lần", "each column name once"),
    "nul_byte": (
        "ô có ký tự NUL (mã 0, thường do phần mềm xuất lỗi) làm văn bản bị cắt ngắn khi ghi; "
        "đã bỏ ký tự này, đọc là '{fixed}'",
        "the cell holds a NUL character (code 0, usually from a faulty export) that would cut "
        "the text short when written; it was removed, read as '{fixed}'",
    ),
    "nul_byte.expected": ("văn bản không có ký tự điều khiển",
                          "text without control characters"),
}

input_text = catalog(_MSG, fallback=t)


def report(log: IssueLog, severity: str, check: str, key: str, *, file: Any = None,
           row: int | None = None, column: str | None = None, value: Any = None,
           **kw: Any) -> Issue:
    """Log an issue whose sentence comes from the readers' own catalog.

    Parameters
    ----------
    log : IssueLog
        Receives the issue (in its language).
    severity : {"error", "warning"}
        How serious it is.
    check : str
        The check's name (``check`` column of validation.csv).
    key : str
        The message of :data:`input_text`; ``key + ".expected"`` gives the expected text.
    file, row, column, value
        Where the problem is and what was found.
    **kw
        The message's other fields.
    """
    fields = {"column": column or "", "value": value, **kw}
    text = input_text(key, log.lang, **fields)
    exp_key = f"{key}.expected"
    expected = input_text(exp_key, log.lang, **fields) if exp_key in _MSG else ""
    return log.add(severity, check, "issue_text", file=file, row=row, column=column,
                   value=value, expected=expected, text=text)


def row_ranges(rows: Any, limit: int = 12) -> str:
    """Row numbers as a person reads them: ``"2–5, 9, 12–14"``, the rest counted (``+40``)."""
    nums = sorted({int(r) for r in rows})
    runs: list[tuple[int, int]] = []
    for r in nums:
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:limit]]
    if len(runs) > limit:
        parts.append(f"… (+{sum(b - a + 1 for a, b in runs[limit:])})")
    return ", ".join(parts)


def add_messages(messages: dict[str, tuple[str, str]]) -> None:
    """Add a reader module's own messages to :data:`input_text` (keys must be new)."""
    clash = set(messages) & set(_MSG)
    if clash:
        raise KeyError(f"message keys defined twice: {sorted(clash)}")
    _MSG.update(messages)



def column_key(name: str) -> str:
    """A column name folded for matching: no accents, case, spaces or punctuation."""
    return re.sub(r"[\s_\-./()]+", "", fold(str(name)))



def column_map(df: pd.DataFrame, aliases: dict[str, tuple[str, ...]],
               fields: dict[str, str], required: tuple[str, ...], *, path: Path,
               log: IssueLog) -> dict[str, str] | None:
    """The table's column of each field of ``aliases`` (a configured name first).

    For a reader that keeps the user's column names (to name them in messages) rather
    than renaming them as :func:`map_columns` does. A missing ``required`` field is an
    error; None when one is missing.
    """
    cols = [c for c in df.columns if c != ROW]
    out: dict[str, str] = {}
    for canon, names in aliases.items():
        cands = (fields[canon],) if canon in fields else names
        hit = find_column([c for c in cols if c not in out.values()], cands)
        if hit is not None:
            out[canon] = hit
        elif canon in required:
            log.error("missing_column", "missing_column", file=path, column=cands[0],
                      expected=", ".join(cands[:5]), configured=" / ".join(cands[:5]),
                      available=", ".join(map(str, cols)))
    return out if set(required) <= set(out) else None


def find_column(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first of ``columns`` that matches one of the alias ``candidates``, or None."""
    keys = {column_key(c): c for c in reversed(columns)}
    for cand in candidates:
        hit = keys.get(column_key(cand))
        if hit is not None:
            return hit
    return None



def map_columns(df: pd.DataFrame, fields: dict[str, str], required: tuple[str, ...],
                optional: tuple[str, ...], *, path: Path, log: IssueLog,
                context: str = "") -> pd.DataFrame:
    """Rename the user's columns to canonical names; report required ones that are missing.

    A configured name is looked up first (case-, accent- and underscore-
    insensitively), then the usual aliases of :data:`FIELD_ALIASES` (those of
    ``context``, e.g. "villages", first). Configured fields claim their
    columns before any alias is tried, and references to other units
    (``commune_code``) before the unit's own ``code``.
    """
    cols = [c for c in df.columns if c not in (ROW, "geometry")]
    rename: dict[str, str] = {}
    taken: set[str] = {fields[c] for c in required + optional if fields.get(c)}
    ctx = CONTEXT_ALIASES.get(context, {})
    wanted = sorted(required + optional,
                    key=lambda c: (not fields.get(c), c not in ("commune_code", "village_code",
                                                                 "commune_name", "village_name")))
    for canon in wanted:
        configured = fields.get(canon)
        if configured:
            taken.discard(configured)
        cands = (configured,) if configured else ctx.get(
            canon, (canon, *FIELD_ALIASES.get(canon, ())))
        hit = find_column([c for c in cols if c not in taken], cands)
        if hit is None:
            if canon in required:
                log.error("missing_column", "missing_column", file=path, column=configured or canon,
                          expected=", ".join(dict.fromkeys(cands[:5])),
                          configured=configured or " / ".join(dict.fromkeys(cands[:5])),
                          available=", ".join(map(str, cols)))
            continue
        taken.add(hit)
        rename[hit] = canon
    out = df.rename(columns=rename)
    out.attrs["source_columns"] = {v: k for k, v in rename.items()}
    out.attrs["path"] = str(path)
    keep = [c for c in out.columns if c in rename.values() or c in (ROW, "geometry")]
    return out[keep].copy()



def source_column(df: pd.DataFrame, canon: str) -> str:
    """The user's own name of canonical column ``canon`` (for messages)."""
    return df.attrs.get("source_columns", {}).get(canon, canon)
