"""The roadmap: targets per year, per commune and criterion or as district-wide counts.

The plan wants "kế hoạch cụ thể trong giai đoạn và hàng năm đến từng tiêu chí, từng xã"
(section VIII.5) and gives dated milestones ("Trong năm 2022 … quy hoạch 03 xã … năm
2023 … 100%", III.1). ``[tables.roadmap]`` (CSV or Excel) has one row per target:

- ``tieu_chi``: the criterion (number, ``TC5`` or its name);
- ``nam`` (or ``han``): when it is due, a year (31/12 of it) or any period
  :func:`ntmgis.core.periods.parse_period` reads (``2025-6T``);
- ``ma_xa``: a commune's code for a commune target (the criterion met by then); empty for
  a district-wide target, which gives ``so_xa`` (communes meeting the criterion) or
  ``ty_le`` (a share of the communes, ``100%``);
- ``loai``: ``dat`` (reach it by then; the default) or ``duy_tri`` (keep it met until
  then: losing it once met is late);
- optional ``tu_nam`` (a ``duy_tri`` target holds from that year), ``nguon`` (where the
  target comes from: the plan's section), ``noi_dung`` (the plan's words), ``ghi_chu``.

English names (``criterion``, ``due``/``year``, ``code``, ``target_communes``,
``target_share``, ``kind``, ``from_year``, ``source``, ``text``, ``note``) work too.
Judging the targets against the communes' status is :mod:`ntmgis.monitoring.milestones`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.periods import PeriodError, parse_period
from ntmgis.core.text import fold, is_missing, nfc, normalise_code, parse_number
from ntmgis.core.workspace import TableConfig, Workspace
from ntmgis.inputs.columns import ROW, add_messages, column_map, report
from ntmgis.inputs.offices import criterion_of
from ntmgis.inputs.tables import read_table

__all__ = ["read_roadmap", "read_workspace_roadmap", "ROADMAP_COLUMNS", "KINDS", "ALIASES",
           "kind_of"]

#: Columns of the frame :func:`read_roadmap` returns.
ROADMAP_COLUMNS = ("target_id", "scope", "code", "criterion", "due", "due_year", "due_date",
                   "kind", "target_communes", "target_share", "from_year", "source", "text",
                   "note", ROW)
#: Kinds of target: reach the criterion by the due date, or keep it met until then.
KINDS = ("dat", "duy_tri")
_KIND_WORDS = {"dat": "dat", "dat chuan": "dat", "reach": "dat", "achieve": "dat",
               "hoan thanh": "dat", "duy tri": "duy_tri", "duy_tri": "duy_tri",
               "maintain": "duy_tri", "keep": "duy_tri"}

#: Names offices give the columns (compared case-, accent- and separator-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "criterion": ("criterion", "tieu_chi", "tieuchi", "tc", "so_tc"),
    "due": ("due", "nam", "han", "den_nam", "thoi_han", "year", "deadline", "ky"),
    "code": ("code", "ma_xa", "maxa", "commune_code", "ma"),
    "name": ("name", "ten_xa", "tenxa", "commune_name"),
    "kind": ("kind", "loai", "loai_muc_tieu", "type"),
    "target_communes": ("target_communes", "so_xa", "so_xa_dat", "communes"),
    "target_share": ("target_share", "ty_le", "ti_le", "share"),
    "from_year": ("from_year", "tu_nam", "start", "since"),
    "source": ("source", "nguon", "can_cu", "muc"),
    "text": ("text", "noi_dung", "trich_dan", "quote"),
    "note": ("note", "ghi_chu", "ghichu", "notes"),
}

add_messages({
    "roadmap_bad_due": ("'{value}' không phải năm hay kỳ ({forms})",
                        "'{value}' is not a year or a period ({forms})"),
    "roadmap_bad_due.expected": ("năm (2025) hoặc kỳ (2025-6T, 2025-Q3)",
                                 "a year (2025) or a period (2025-6T, 2025-Q3)"),
    "roadmap_bad_kind": ("loại mục tiêu '{value}' không hợp lệ; dùng dat (đạt) hoặc duy_tri "
                         "(duy trì)",
                         "target kind '{value}' is not valid; use dat (reach) or duy_tri "
                         "(maintain)"),
    "roadmap_bad_kind.expected": ("dat hoặc duy_tri", "dat or duy_tri"),
    "roadmap_no_target": ("mục tiêu toàn huyện cần số xã (so_xa) hoặc tỷ lệ (ty_le); mục "
                          "tiêu của một xã cần mã xã (ma_xa)",
                          "a district-wide target needs a number of communes (so_xa) or a "
                          "share (ty_le); a commune's target needs its code (ma_xa)"),
    "roadmap_no_target.expected": ("so_xa, ty_le hoặc ma_xa", "so_xa, ty_le or ma_xa"),
    "roadmap_both": ("dòng có cả mã xã và số xã/tỷ lệ: không rõ là mục tiêu của xã hay "
                     "toàn huyện",
                     "the row has both a commune code and a count or share: it is not clear "
                     "whether the target is the commune's or the district's"),
    "roadmap_both.expected": ("mã xã, hoặc số xã/tỷ lệ", "a commune code, or a count/share"),
    "roadmap_bad_count": ("số xã '{value}' phải là số nguyên không âm",
                          "number of communes '{value}' must be a whole number, 0 or more"),
    "roadmap_bad_count.expected": ("số nguyên ≥ 0", "a whole number ≥ 0"),
    "roadmap_bad_share": ("tỷ lệ '{value}' ngoài khoảng 0–100%",
                          "share '{value}' is outside 0-100%"),
    "roadmap_bad_share.expected": ("tỷ lệ từ 0 đến 100%", "a share from 0 to 100%"),
    "roadmap_from_after": ("năm bắt đầu {value} sau hạn {due}",
                           "start year {value} is after the due year {due}"),
    "roadmap_from_after.expected": ("năm bắt đầu ≤ năm đến hạn", "start year ≤ due year"),
    "roadmap_duplicate": ("mục tiêu trùng với dòng {first}", "the target repeats row {first}"),
    "roadmap_duplicate.expected": ("mỗi mục tiêu một dòng", "each target once"),
})


def kind_of(value: Any) -> str | None:
    """``dat`` or ``duy_tri`` from a cell ("Đạt", "duy trì", "maintain"); "dat" when empty.

    Raises ValueError for other words.
    """
    if is_missing(value):
        return "dat"
    k = fold(nfc(str(value))).replace("_", " ").replace("-", " ").strip()
    if k in _KIND_WORDS:
        return _KIND_WORDS[k]
    raise ValueError(value)


def read_roadmap(cfg: TableConfig, ws: Workspace, log: IssueLog, cset: CriteriaSet, *,
                 code_width: int | None = None) -> pd.DataFrame | None:
    """The roadmap's targets: :data:`ROADMAP_COLUMNS`, one row per valid target.

    ``scope`` is ``commune`` (``code`` set) or ``area`` (``target_communes`` and/or
    ``target_share`` set); ``due`` the period's key (``"2023"``), ``due_year`` its year
    and ``due_date`` its last day; ``kind`` ``dat`` or ``duy_tri``; ``target_id`` the
    row number (stable for joins). A bad row is logged (file, row, column, value) and
    left out; None when the table cannot be read or lacks a criterion or due column.
    """
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    col = column_map(df, ALIASES, cfg.fields, ("criterion", "due"), path=cfg.path, log=log)
    if col is None:
        return None
    width = code_width if code_width is not None else ws.code_width
    lo, hi = min(cset.numbers), max(cset.numbers)
    seen: dict[tuple, int] = {}
    rows: list[dict[str, Any]] = []

    def cell(rec: dict, canon: str) -> Any:
        return rec.get(col[canon]) if canon in col else None

    def bad(check: str, key: str, rec: dict, canon: str, **kw: Any) -> None:
        report(log, "error", check, key, file=path, row=int(rec[ROW]), column=col.get(canon),
               value=cell(rec, canon), **kw)

    for rec in df.to_dict("records"):
        try:
            crit = criterion_of(cell(rec, "criterion"), cset)
        except ValueError:
            crit = -1
        if crit is None or crit < 0:
            bad("criterion_range", "office_bad_criterion", rec, "criterion", set=cset.key,
                lo=lo, hi=hi)
            continue
        try:
            due = parse_period(cell(rec, "due"), lang=log.lang)
        except PeriodError as exc:
            bad("bad_period", "roadmap_bad_due", rec, "due", forms=exc.forms)
            continue
        try:
            kind = kind_of(cell(rec, "kind"))
        except ValueError:
            bad("bad_enum", "roadmap_bad_kind", rec, "kind")
            continue
        code = normalise_code(cell(rec, "code"), width)
        count = share = None
        try:
            count = parse_number(cell(rec, "target_communes"))
            if count is not None and (count < 0 or not float(count).is_integer()):
                raise ValueError(count)
        except ValueError:
            bad("not_a_number", "roadmap_bad_count", rec, "target_communes")
            continue
        raw_share = cell(rec, "target_share")
        try:
            share = parse_number(raw_share)
            if share is not None and ("%" in str(raw_share) or share > 1):
                share = share / 100
            if share is not None and not 0 <= share <= 1:
                raise ValueError(share)
        except ValueError:
            bad("not_a_number", "roadmap_bad_share", rec, "target_share")
            continue
        if code is not None and (count is not None or share is not None):
            bad("roadmap_target", "roadmap_both", rec, "code")
            continue
        if code is None and count is None and share is None:
            bad("roadmap_target", "roadmap_no_target", rec,
                "target_communes" if "target_communes" in col else "criterion")
            continue
        try:
            start = parse_number(cell(rec, "from_year"))
            if start is not None and not float(start).is_integer():
                raise ValueError(start)
        except ValueError:
            bad("not_a_number", "not_a_number", rec, "from_year")
            continue
        if start is not None and int(start) > due.year:
            bad("year_order", "roadmap_from_after", rec, "from_year", due=due.year)
            continue
        key = (code, crit, due.key, kind, count, share)
        if key in seen:
            report(log, "warning", "roadmap_duplicate", "roadmap_duplicate", file=path,
                   row=int(rec[ROW]), column=col["criterion"], value=cell(rec, "criterion"),
                   first=seen[key])
            continue
        seen[key] = int(rec[ROW])

        def text(canon: str, rec: dict = rec) -> str | None:
            v = cell(rec, canon)
            return None if is_missing(v) else nfc(str(v))

        rows.append({
            "target_id": int(rec[ROW]), "scope": "commune" if code is not None else "area",
            "code": code, "criterion": crit, "due": due.key, "due_year": due.year,
            "due_date": pd.Timestamp(due.end), "kind": kind,
            "target_communes": None if count is None else int(count),
            "target_share": share, "from_year": None if start is None else int(start),
            "source": text("source"), "text": text("text"), "note": text("note"),
            ROW: int(rec[ROW]),
        })
    out = pd.DataFrame(rows, columns=list(ROADMAP_COLUMNS))
    for c in ("criterion", "due_year", "target_communes", "from_year"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    out["target_share"] = pd.to_numeric(out["target_share"], errors="coerce").astype(float)
    out["due_date"] = pd.to_datetime(out["due_date"])
    out = out.sort_values(["due_date", "criterion", "scope", "code", ROW],
                          na_position="first", kind="stable").reset_index(drop=True)
    out.attrs["path"] = str(path)
    return out


def read_workspace_roadmap(ws: Workspace, log: IssueLog,
                           cset: CriteriaSet) -> pd.DataFrame | None:
    """The workspace's ``[tables.roadmap]`` (see :func:`read_roadmap`), None if not declared."""
    cfg = ws.table("roadmap")
    return None if cfg is None else read_roadmap(cfg, ws, log, cset)

