"""Column aliases: the names offices give a column, mapped to ntmgis's canonical names."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold
from ntmgis.core.workspace import (
    CONTEXT_ALIASES,
    FIELD_ALIASES,
)

ROW = "_row"



def column_key(name: str) -> str:
    """A column name folded for matching: no accents, case, spaces or punctuation."""
    return re.sub(r"[\s_\-./()]+", "", fold(str(name)))



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
