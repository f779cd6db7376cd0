"""Which office leads and which offices support each criterion (the plan's Biểu 06).

``[tables.offices]`` (CSV or Excel) has one row per criterion, or per indicator where
the set has them: ``tieu_chi`` (number, ``TC5`` or the criterion's name), optional
``chi_tieu`` (indicator key, ``17.1``), ``co_quan_chu_tri`` (the lead office), optional
``co_quan_phoi_hop`` (supporting offices, separated by ``;``: office names hold
commas, and the table reader reads a line break inside a cell as a space), optional
short codes ``ma_chu_tri`` / ``ma_phoi_hop`` (in the same order) and ``ghi_chu``.
English names (``criterion``, ``indicator``, ``lead``, ``support``, ``lead_code``,
``support_code``, ``note``) work too; ``[tables.offices.fields]`` maps other names.

:func:`read_offices` returns the assignments in long form (one row per criterion,
indicator and office) and logs every problem with its file, row, column and value;
:func:`find_office` and :func:`office_criteria` answer "the criteria my office is
responsible for", matching names and codes whatever their case, accents or Unicode form.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, is_missing, nfc
from ntmgis.core.workspace import TableConfig, Workspace
from ntmgis.inputs.columns import ROW, add_messages, column_key, column_map, report
from ntmgis.inputs.indicators import indicator_key
from ntmgis.inputs.tables import read_table

__all__ = ["read_offices", "read_workspace_offices", "find_office", "office_criteria",
           "office_assignments", "criterion_offices", "office_list", "OFFICE_COLUMNS",
           "ROLES", "ALIASES"]

#: Columns of the frame :func:`read_offices` returns.
OFFICE_COLUMNS = ("criterion", "indicator", "office", "office_code", "role", "note", ROW,
                  "_column")
#: The roles an office has for a criterion: ``lead`` (chủ trì), ``support`` (phối hợp).
ROLES = ("lead", "support")

#: Names offices give the columns (compared case-, accent- and separator-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "criterion": ("criterion", "tieu_chi", "tieuchi", "tc", "so_tc", "tieu_chi_so"),
    "indicator": ("indicator", "chi_tieu", "chitieu", "ma_chi_tieu"),
    "lead": ("lead", "co_quan_chu_tri", "chu_tri", "don_vi_chu_tri", "co_quan_phu_trach",
             "lead_office", "responsible"),
    "lead_code": ("lead_code", "ma_chu_tri", "ma_co_quan_chu_tri", "lead_office_code"),
    "support": ("support", "co_quan_phoi_hop", "phoi_hop", "don_vi_phoi_hop",
                "support_offices", "supporting"),
    "support_code": ("support_code", "ma_phoi_hop", "ma_co_quan_phoi_hop", "support_codes"),
    "note": ("note", "ghi_chu", "ghichu", "notes"),
}

_SPLIT = re.compile(r"\s*(?:;|\n)+\s*")

add_messages({
    "office_bad_criterion": ("'{value}' không phải tiêu chí của bộ {set} (số {lo}–{hi} hoặc "
                             "tên tiêu chí)",
                             "'{value}' is not a criterion of the set {set} (number {lo}-{hi} "
                             "or the criterion's name)"),
    "office_bad_criterion.expected": ("số tiêu chí {lo}–{hi} hoặc tên tiêu chí",
                                      "a criterion number {lo}-{hi} or its name"),
    "office_bad_indicator": ("chỉ tiêu '{value}' không thuộc tiêu chí {criterion}{known}",
                             "indicator '{value}' is not one of criterion {criterion}{known}"),
    "office_bad_indicator.expected": ("một chỉ tiêu của tiêu chí (ví dụ {criterion}.1)",
                                      "an indicator of the criterion (e.g. {criterion}.1)"),
    "office_no_lead": ("tiêu chí {criterion} không có cơ quan chủ trì",
                       "criterion {criterion} has no lead office"),
    "office_no_lead.expected": ("tên cơ quan chủ trì", "the lead office's name"),
    "office_two_leads": ("tiêu chí {what} đã giao cho '{first}' chủ trì ở dòng {row_first}; "
                         "mỗi tiêu chí (chỉ tiêu) chỉ một cơ quan chủ trì",
                         "criterion {what} already has '{first}' as lead office at row "
                         "{row_first}; a criterion (indicator) has one lead office"),
    "office_two_leads.expected": ("một cơ quan chủ trì", "one lead office"),
    "office_codes": ("có {codes} mã cho {names} cơ quan; mã phải theo đúng thứ tự tên, "
                     "cách nhau bằng ';'",
                     "{codes} codes for {names} offices; codes follow the names' order, "
                     "separated by ';'"),
    "office_codes.expected": ("mỗi cơ quan một mã", "one code per office"),
    "office_code_clash": ("mã '{value}' đã dùng cho '{other}' (dòng {row_first})",
                          "code '{value}' is already used for '{other}' (row {row_first})"),
    "office_code_clash.expected": ("mỗi cơ quan một mã riêng", "one code per office"),
    "office_lead_support": ("'{value}' vừa chủ trì vừa phối hợp tiêu chí {what}",
                            "'{value}' both leads and supports criterion {what}"),
    "office_lead_support.expected": ("cơ quan phối hợp khác cơ quan chủ trì",
                                     "supporting offices other than the lead"),
    "office_uncovered": ("{count} tiêu chí chưa có cơ quan chủ trì: {criteria}",
                         "{count} criteria have no lead office: {criteria}"),
    "office_uncovered.expected": ("mỗi tiêu chí của bộ một cơ quan chủ trì",
                                  "a lead office for every criterion of the set"),
})

_MSG = {
    "unknown": ("không có cơ quan '{value}' trong bảng phân công{hint}; các cơ quan: {known}",
                "no office '{value}' in the assignments table{hint}; offices: {known}"),
    "ambiguous": ("'{value}' khớp với nhiều cơ quan: {hits}; ghi rõ tên hoặc mã",
                  "'{value}' matches several offices: {hits}; give the full name or code"),
    "hint": (" (có phải '{near}'?)", " (did you mean '{near}'?)"),
    "roles": ("vai trò '{value}' không hợp lệ; dùng: lead (chủ trì), support (phối hợp)",
              "role '{value}' is not valid; use: lead, support"),
}
_m = catalog(_MSG)


def criterion_of(value: Any, cset: CriteriaSet) -> int | None:
    """The criterion a cell names: ``5``, ``"TC05"``, ``"Tiêu chí số 5"`` or ``"Trường học"``.

    Raises ValueError when it names none of the set's criteria; None for an empty cell.
    """
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value))
    names = {fold(c.name_vi): c.number for c in cset} | {fold(c.name_en): c.number for c in cset}
    if fold(text) in names:
        return names[fold(text)]
    m = re.fullmatch(r"(?:tc|tieu chi|tieu chi so|criterion|c)?\s*0*(\d+)", fold(text))
    if m and int(m.group(1)) in cset.numbers:
        return int(m.group(1))
    raise ValueError(value)


def _split(value: Any) -> list[str]:
    return [] if is_missing(value) else [nfc(s) for s in _SPLIT.split(str(value)) if nfc(s)]


class _Names:
    """Office names as first written, whatever later rows' case, accents or spacing."""

    def __init__(self, path: Path, log: IssueLog) -> None:
        self.path, self.log = path, log
        self.names: dict[str, str] = {}
        self.codes: dict[str, tuple[str, str, int]] = {}  # folded code -> (code, key, row)
        self.code_of: dict[str, str] = {}

    def add(self, name: str, code: str | None, row: int, column: str) -> tuple[str, str | None]:
        key = column_key(name)
        name = self.names.setdefault(key, name)
        if code:
            known = self.codes.setdefault(column_key(code), (code, key, row))
            if known[1] != key:
                report(self.log, "error", "duplicate_code", "office_code_clash", file=self.path,
                       row=row, column=column, value=code, other=self.names[known[1]],
                       row_first=known[2])
            else:
                self.code_of.setdefault(key, known[0])
        return name, code


def read_offices(cfg: TableConfig, ws: Workspace, log: IssueLog,
                 cset: CriteriaSet) -> pd.DataFrame | None:
    """The offices table in long form: :data:`OFFICE_COLUMNS`, one row per office and role.

    ``criterion`` is the criterion's number, ``indicator`` its indicator key or None (the
    whole criterion), ``office`` the name as first written in the table, ``office_code``
    its short code where some row gives one, ``role`` ``lead`` or ``support``. Problems
    (unknown criterion or indicator, no lead or two leads, codes that do not match the
    names, a criterion of the set nobody leads) go into ``log``. None when the table
    cannot be read or lacks the criterion or lead column.
    """
    df = read_table(cfg, ws, log)
    if df is None:
        return None
    path = cfg.path
    col = column_map(df, ALIASES, cfg.fields, ("criterion", "lead"), path=cfg.path, log=log)
    if col is None:
        return None
    names = _Names(path, log)
    lo, hi = min(cset.numbers), max(cset.numbers)
    known_ind = {i.key for i in cset.indicators}
    rows: list[dict[str, Any]] = []
    leads: dict[tuple[int, str | None], tuple[str, int]] = {}
    for rec in df.to_dict("records"):
        row = int(rec[ROW])
        ind = indicator_key(rec.get(col.get("indicator", ""))) if "indicator" in col else None
        try:
            crit = criterion_of(rec[col["criterion"]], cset)
        except ValueError:
            report(log, "error", "criterion_range", "office_bad_criterion", file=path, row=row,
                   column=col["criterion"], value=rec[col["criterion"]], set=cset.key, lo=lo,
                   hi=hi)
            continue
        if crit is None and ind is not None and int(ind.split(".")[0]) in cset.numbers:
            crit = int(ind.split(".")[0])
        if crit is None:
            report(log, "error", "missing_value", "office_bad_criterion", file=path, row=row,
                   column=col["criterion"], value="", set=cset.key, lo=lo, hi=hi)
            continue
        if ind is not None and (ind.split(".")[0] != str(crit)
                                or (known_ind and ind not in known_ind)):
            report(log, "error", "unknown_indicator", "office_bad_indicator", file=path,
                   row=row, column=col["indicator"], value=rec[col["indicator"]],
                   criterion=crit, known="")
            continue
        what = f"{crit}" + (f" ({ind})" if ind else "")
        note = None if "note" not in col or is_missing(rec[col["note"]]) else nfc(
            str(rec[col["note"]]))
        for role, name_col, code_col in (("lead", "lead", "lead_code"),
                                         ("support", "support", "support_code")):
            if name_col not in col:
                continue
            people = _split(rec[col[name_col]])
            codes = _split(rec[col[code_col]]) if code_col in col else []
            if role == "lead" and not people:
                report(log, "error", "missing_value", "office_no_lead", file=path, row=row,
                       column=col["lead"], value="", criterion=what)
                continue
            if role == "lead" and len(people) > 1:
                report(log, "error", "duplicate_lead", "office_two_leads", file=path, row=row,
                       column=col["lead"], value=rec[col["lead"]], what=what,
                       first=people[0], row_first=row)
                people = people[:1]
            if codes and len(codes) != len(people):
                report(log, "error", "office_codes", "office_codes", file=path, row=row,
                       column=col[code_col], value=rec[col[code_col]], codes=len(codes),
                       names=len(people))
                codes = []
            for i, person in enumerate(people):
                office, code = names.add(person, codes[i] if codes else None, row,
                                         col.get(code_col, col[name_col]))
                if role == "lead":
                    first = leads.setdefault((crit, ind), (office, row))
                    if first[1] != row:
                        report(log, "error", "duplicate_lead", "office_two_leads", file=path,
                               row=row, column=col["lead"], value=person, what=what,
                               first=first[0], row_first=first[1])
                        continue
                elif column_key(office) == column_key(leads.get((crit, ind), ("", 0))[0]):
                    report(log, "warning", "office_lead_support", "office_lead_support",
                           file=path, row=row, column=col["support"], value=person, what=what)
                    continue
                rows.append({"criterion": crit, "indicator": ind, "office": office,
                             "office_code": code, "role": role, "note": note, ROW: row,
                             "_column": col[name_col]})
    led = {c for c, _ in leads}
    uncovered = [n for n in cset.numbers if n not in led]
    if uncovered and len(df):
        report(log, "warning", "office_uncovered", "office_uncovered", file=path,
               column=col["criterion"], value=", ".join(map(str, uncovered)),
               count=len(uncovered), criteria=", ".join(map(str, uncovered)))
    out = pd.DataFrame(rows, columns=list(OFFICE_COLUMNS))
    if len(out):
        keys = out["office"].map(column_key)
        out["office_code"] = [c or names.code_of.get(k) for c, k in
                              zip(out["office_code"], keys, strict=True)]
    out["criterion"] = out["criterion"].astype("Int64")
    out = out.sort_values(["criterion", "indicator", "role", ROW], na_position="first",
                          kind="stable").reset_index(drop=True)
    out.attrs["path"] = str(path)
    return out


def read_workspace_offices(ws: Workspace, log: IssueLog,
                           cset: CriteriaSet) -> pd.DataFrame | None:
    """The workspace's ``[tables.offices]`` (see :func:`read_offices`), None if not declared."""
    cfg = ws.table("offices")
    return None if cfg is None else read_offices(cfg, ws, log, cset)


def _match_key(text: Any) -> str:
    return column_key(nfc(str(text)))


def office_list(offices: pd.DataFrame) -> pd.DataFrame:
    """Every office once, in the order offices first appear in the table.

    Columns ``office``, ``office_code``, ``lead`` and ``support`` (criteria, "2;5").
    """
    rows = []
    for name, grp in offices.groupby("office", sort=False):
        codes = grp["office_code"].dropna()
        rows.append({"office": name, "office_code": codes.iloc[0] if len(codes) else None,
                     **{role: ";".join(str(int(c)) for c in sorted(set(
                         grp.loc[grp["role"] == role, "criterion"].dropna())))
                        for role in ROLES}})
    return pd.DataFrame(rows, columns=["office", "office_code", "lead", "support"])


def find_office(offices: pd.DataFrame, query: str, *, lang: str = "vi") -> str:
    """The office ``query`` names, as written in the table.

    ``query`` is an office's name or short code, compared in Unicode NFC without case,
    accents, spaces or punctuation ("phong van hoa thong tin", "VHTT"); failing that, a
    part of one name ("văn hóa - thông tin") when it fits a single office.

    Raises
    ------
    OptionError
        No office matches (the message lists them, with the nearest), or the part fits
        several (the message lists those).
    """
    table = office_list(offices)
    q = _match_key(query)
    exact = [r.office for r in table.itertuples()
             if q and q in (_match_key(r.office), _match_key(r.office_code or ""))]
    if exact:
        return exact[0]
    part = [r.office for r in table.itertuples() if q and q in _match_key(r.office)]
    if len(part) == 1:
        return part[0]
    if part:
        raise OptionError(_m("ambiguous", lang, value=query, hits="; ".join(part)))
    labels = [f"{r.office} ({r.office_code})" if r.office_code else r.office
              for r in table.itertuples()]
    near = difflib.get_close_matches(fold(str(query)), [fold(n) for n in table["office"]],
                                     n=1, cutoff=0.5)
    hint = ""
    if near:
        hint = _m("hint", lang, near=table["office"][[fold(n) for n in table["office"]]
                                                     .index(near[0])])
    raise OptionError(_m("unknown", lang, value=query, hint=hint, known="; ".join(labels)))


def office_assignments(offices: pd.DataFrame, query: str, *, roles: tuple[str, ...] = ROLES,
                       lang: str = "vi") -> pd.DataFrame:
    """The rows of :func:`read_offices` for one office (see :func:`find_office`) and roles."""
    if bad := [r for r in roles if r not in ROLES]:
        raise OptionError(_m("roles", lang, value=bad[0]))
    name = find_office(offices, query, lang=lang)
    hit = (offices["office"] == name).to_numpy(dtype=bool) & offices["role"].isin(
        roles).to_numpy(dtype=bool)
    return offices[hit].reset_index(drop=True)


def office_criteria(offices: pd.DataFrame, query: str, *, roles: tuple[str, ...] = ROLES,
                    lang: str = "vi") -> tuple[int, ...]:
    """The criteria (sorted numbers) one office leads or supports: the ``--office`` filter.

    ``roles=("lead",)`` keeps only those it leads. A criterion counts when the office has
    it whole or any of its indicators.
    """
    rows = office_assignments(offices, query, roles=roles, lang=lang)
    return tuple(sorted({int(c) for c in rows["criterion"].dropna()}))


def criterion_offices(offices: pd.DataFrame, criterion: int,
                      indicator: str | None = None) -> dict[str, Any]:
    """Who runs a criterion (or one of its indicators).

    ``{"lead": name or None, "support": [names]}``; an indicator without its own row
    falls back on its criterion.
    """
    rows = offices[(offices["criterion"] == criterion).to_numpy(dtype=bool)]
    if indicator is not None and (rows["indicator"] == indicator).any():
        rows = rows[(rows["indicator"] == indicator).to_numpy(dtype=bool)]
    else:
        rows = rows[rows["indicator"].isna().to_numpy(dtype=bool)]
    lead = rows.loc[rows["role"] == "lead", "office"]
    support = list(dict.fromkeys(rows.loc[rows["role"] == "support", "office"]))
    return {"lead": lead.iloc[0] if len(lead) else None, "support": support}

