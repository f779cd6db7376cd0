"""How the programme is run, in ``ntmgis report``: periods, offices and the roadmap (issue 14).

- **Periods** (``--period 2025-Q3``): the criteria and headline tables show what was
  known at the end of the period (:func:`ntmgis.core.periods.values_at`; a year of the
  yearly status stands for 31/12), the previous period of the same kind, the change,
  and the day the figures were last reported.
- **Offices** (``--office``, ``--by-office``): the criteria an office leads or supports
  (:func:`ntmgis.inputs.offices.office_criteria`, both roles); one section per office.
- **Milestones**: every roadmap target judged at the end of each year up to the
  report's year (or period) by :func:`ntmgis.monitoring.milestones.judge_milestones`,
  with the plan's section it comes from ("Tiến độ so với lộ trình").

Each section carries the cells to read (Markdown, Word, Excel: numbers the language's
way, dates ``30/09/2025``) and the same values for machines (its CSV: plain numbers
``30614``, ``76.9``, ISO dates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.errors import OptionError, ValidationFailed
from ntmgis.core.i18n import catalog, fmt_money, fmt_number, fmt_percent
from ntmgis.core.i18n import label as enum_label
from ntmgis.core.i18n import t as shared_text
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.periods import Period, parse_period, values_at
from ntmgis.core.text import display_name
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.offices import (
    criterion_offices,
    find_office,
    office_assignments,
    office_list,
    read_workspace_offices,
)
from ntmgis.inputs.roadmap import read_workspace_roadmap
from ntmgis.monitoring.gpkg import MonitoringLayers
from ntmgis.monitoring.milestones import judge_milestones, milestone_label, needed_communes

__all__ = ["ReportSection", "Programme", "read_programme", "workspace_office",
           "report_moments", "period_tables", "milestone_section", "office_sections",
           "funding_section", "date_text"]

_T = catalog({
    "no_offices": ("thư mục dữ liệu chưa kê khai bảng phân công cơ quan ([tables.offices] trong "
                   "{path}); --office cần bảng này",
                   "the workspace declares no offices table ([tables.offices] in {path}); "
                   "--office needs it"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "criterion": ("Tiêu chí", "Criterion"),
    "name": ("Tên tiêu chí", "Name"),
    "met_at": ("Số xã đạt ({label})", "Communes meeting it ({label})"),
    "change": ("Thay đổi", "Change"),
    "reported": ("Số liệu đến ngày", "Reported on"),
    "target": ("Mục tiêu {y}", "Target {y}"),
    "target_share": ("Tỷ lệ so với kế hoạch (%)", "Share of the plan's target (%)"),
    "gap": ("Số xã còn thiếu so với KH", "Communes short of the plan"),
    "ntm_communes": ("Xã đạt chuẩn NTM", "Communes recognised NTM"),
    "avg": ("Bình quân tiêu chí/xã", "Average criteria per commune"),
    "sum": ("Tổng số tiêu chí đạt", "Criteria met in total"),
    "below10": ("Số xã dưới {n} tiêu chí", "Communes below {n} criteria"),
    "ntm_villages": ("Bản đạt chuẩn NTM", "Villages recognised NTM"),
    "office_note": ("Chỉ các tiêu chí {office} chủ trì hoặc phối hợp: {criteria}.",
                    "Only the criteria {office} leads or supports: {criteria}."),
    "office_none": ("{office} không chủ trì, phối hợp tiêu chí nào.",
                    "{office} leads or supports no criterion."),
    "t_miles": ("Tiến độ so với lộ trình", "Progress against the roadmap"),
    "s_miles": ("Lộ trình", "Roadmap"),
    "m_target": ("Mục tiêu", "Target"),
    "m_due": ("Hạn", "Due"),
    "m_source": ("Nguồn", "Source"),
    "m_count": ("{n}/{total} xã", "{n}/{total} communes"),
    "m_share": ("{share} ({n}/{total} xã)", "{share} ({n}/{total} communes)"),
    "m_keep": ("duy trì {what}", "keep {what}"),
    "t_office": ("Cơ quan: {office}", "Office: {office}"),
    "s_office": ("CQ {office}", "Office {office}"),
    "role": ("Vai trò", "Role"),
    "lead": ("Chủ trì", "Lead"),
    "support": ("Phối hợp", "Support"),
    "others": ("Cơ quan khác", "Other offices"),
    "progress": ("Tiến độ ({label})", "Progress ({label})"),
    "t_fund_crit": ("Vốn theo tiêu chí (triệu đồng)", "Funding by criterion (million VND)"),
    "s_fund_crit": ("Vốn theo tiêu chí", "Funding by criterion"),
    "projects": ("Số dự án", "Projects"),
    "cap_total": ("Tổng vốn", "Total"),
})


@dataclass
class ReportSection:
    """A table a report adds after its own three (milestones, offices, funding by criterion).

    ``frame`` holds the cells to read, ``data`` the same values for machines, written to
    ``csv`` (sections sharing a file name are written one after the other into it).
    """

    key: str
    title: str
    frame: pd.DataFrame
    data: pd.DataFrame
    csv: str
    sheet: str
    key_columns: int = 2


@dataclass
class Programme:
    """The workspace's offices and roadmap (None when not declared) and the office asked."""

    offices: pd.DataFrame | None = None
    roadmap: pd.DataFrame | None = None
    office: str | None = None
    criteria: tuple[int, ...] | None = None
    notes: list[str] = field(default_factory=list)


#: The folder of ``maps/`` holding one office's maps and appendix (``--office``).
OFFICE_DIR = "co-quan"


def workspace_office(ws: Workspace, query: str, cset: CriteriaSet, *, lang: str = "vi",
                     offices: pd.DataFrame | None = None) -> tuple[str, tuple[int, ...]]:
    """The office ``query`` names and the criteria it leads or supports.

    Raises
    ------
    OptionError
        The workspace has no offices table, or no office matches (the message lists the
        offices; :func:`ntmgis.inputs.offices.find_office`).
    """
    if offices is None:
        offices = read_workspace_offices(ws, IssueLog(lang=lang, root=ws.root), cset)
    if offices is None:
        raise OptionError(_T("no_offices", lang, path=ws.config_path))
    name = find_office(offices, query, lang=lang)
    rows = office_assignments(offices, name, lang=lang)
    return name, tuple(sorted({int(c) for c in rows["criterion"].dropna()}))


def read_programme(ws: Workspace, cset: CriteriaSet, *, office: str | None = None,
                   lang: str = "vi") -> Programme:
    """Read the offices and roadmap tables; resolve ``office`` (see :func:`workspace_office`).

    Raises
    ------
    ValidationFailed
        A table has errors (rows that would be left out), naming file, row and column.
    """
    log = IssueLog(lang=lang, root=ws.root)
    prog = Programme(offices=read_workspace_offices(ws, log, cset),
                     roadmap=read_workspace_roadmap(ws, log, cset))
    if log.errors:  # rows left out would silently change the report and the maps
        lines = "\n".join(i.format(lang) for i in log.errors[:20])
        raise ValidationFailed(shared_text("validation_failed", lang, errors=len(log.errors),
                                           path="ntmgis validate") + "\n" + lines,
                               log.sorted())
    if office is not None:
        prog.office, prog.criteria = workspace_office(ws, office, cset, lang=lang,
                                                      offices=prog.offices)
        key = "office_note" if prog.criteria else "office_none"
        prog.notes.append(_T(key, lang, office=prog.office,
                             criteria=", ".join(map(str, prog.criteria))))
    return prog


def date_text(day: object, lang: str = "vi") -> str:
    """A day as the language writes it: ``30/09/2025`` (vi), ``2025-09-30`` (en)."""
    if day is None or pd.isna(day):
        return "–"
    d = pd.Timestamp(day)
    return d.strftime("%Y-%m-%d" if lang == "en" else "%d/%m/%Y")


def _span(days: pd.Series, lang: str) -> str:
    days = pd.to_datetime(days).dropna()
    if not len(days):
        return "–"
    lo, hi = days.min(), days.max()
    return date_text(hi, lang) if lo == hi else f"{date_text(lo, lang)}–{date_text(hi, lang)}"


def _iso(day: object) -> str | None:
    return None if day is None or pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m-%d")


def _programme_codes(layers: MonitoringLayers) -> list[str]:
    cs = layers.commune_status
    return sorted({str(c) for c in cs["code"]}) if cs is not None else []


def _status(layers: MonitoringLayers) -> pd.DataFrame:
    """The ``commune_criteria`` layer of the programme's communes."""
    cc = pd.DataFrame(layers.commune_criteria).drop(columns="geometry", errors="ignore")
    codes = set(_programme_codes(layers))
    return cc[cc["code"].astype(str).isin(codes)].reset_index(drop=True)


def report_moments(ws: Workspace, period: Period | None) -> list[Period]:
    """The moments a report judges milestones at: each year, up to the period's end."""
    years = sorted(int(y) for y in ws.years)
    if period is None:
        return [Period.of_year(y) for y in years]
    return [Period.of_year(y) for y in years if y < period.year] + [period]


def _moment_label(p: Period, lang: str) -> str:
    return str(p.year) if p.kind == "year" else p.label(lang)


def criteria_at(layers: MonitoringLayers, period: Period, lang: str = "vi") -> pd.DataFrame:
    """Per criterion, communes meeting it at the end of ``period`` and of the one before.

    Columns ``criterion``, ``met``, ``previous``, ``change``, ``reported`` (the latest day
    a value stands for), ``reported_first`` (the earliest), ``previous_reported``.
    """
    vals = values_at(_status(layers), period, keys=["code", "criterion"], value="met",
                     lang=lang)
    rows = []
    for crit, g in vals.groupby("criterion", sort=True):
        now = int((g["met"] == 1).sum())
        known_before = g["previous_met"].notna().any()
        prev = int((g["previous_met"] == 1).sum()) if known_before else None
        rows.append({"criterion": int(crit), "met": now, "previous": prev,
                     "change": None if prev is None else now - prev,
                     "reported": g["reported"].max(), "reported_first": g["reported"].min(),
                     "previous_reported": g["previous_reported"].max()})
    return pd.DataFrame(rows, columns=["criterion", "met", "previous", "change", "reported",
                                       "reported_first", "previous_reported"])


def period_tables(ws: Workspace, layers: MonitoringLayers, cset: CriteriaSet, period: Period,
                  targets: dict[int, tuple[int | None, str | None]], lang: str = "vi",
                  ) -> dict[str, pd.DataFrame]:
    """The criteria and headline tables at the end of ``period``: cells and CSV data.

    ``targets``: criterion -> (communes to meet it by the plan's year, the plan's share
    text). Returns ``criteria``, ``criteria_data``, ``headline``, ``headline_data``.
    """
    prev = period.previous()
    label, plabel = period.label(lang), prev.label(lang)
    py = ws.plan.year
    total = len(_programme_codes(layers))
    at = criteria_at(layers, period, lang)
    crit_rows, crit_data = [], []
    for r in at.itertuples(index=False):
        c = cset.get(r.criterion)
        tgt, txt = targets.get(r.criterion, (None, None))
        gap = None if tgt is None else max(tgt - r.met, 0)
        reported = _span(pd.Series([r.reported_first, r.reported]), lang)
        if lang == "en" and txt:
            txt = txt.replace(",", ".")
        crit_rows.append({
            _T("criterion", lang): r.criterion, _T("name", lang): c.name(lang),
            _T("met_at", lang, label=label): r.met, plabel: r.previous,
            _T("change", lang): r.change, _T("reported", lang): reported,
            _T("target", lang, y=py): tgt,
            _T("target_share", lang): txt or (fmt_percent(tgt / total, lang)
                                              if tgt is not None and total else "–"),
            _T("gap", lang): gap,
        })
        crit_data.append({
            "criterion": r.criterion, "name": c.name(lang), "period": period.key,
            "communes_met": r.met, "previous_period": prev.key, "communes_met_previous":
            r.previous, "change": r.change, "reported": _iso(r.reported),
            "reported_first": _iso(r.reported_first),
            "previous_reported": _iso(r.previous_reported), "communes_total": total,
            "target": tgt, "target_share": None if tgt is None or not total
            else round(tgt / total, 4), "gap": gap,
        })
    head, head_data = _headline(ws, layers, cset, period, lang, at, total)
    return {"criteria": pd.DataFrame(crit_rows, dtype=object),
            "criteria_data": pd.DataFrame(crit_data, dtype=object),
            "headline": head, "headline_data": head_data}


def _per_commune(vals: pd.DataFrame, cset: CriteriaSet, column: str) -> tuple[int, int, int,
                                                                               int] | None:
    """(communes recognised, criteria met in all, communes below the lowest band, known)."""
    known = vals[vals[column].notna()]
    if not len(known):
        return None
    ntm = total = below = 0
    for _, g in known.groupby("code"):
        met = {int(c) for c, v in zip(g["criterion"], g[column], strict=True) if v == 1}
        ntm += cset.is_recognised(met)
        total += len(met)
        below += len(met) < cset.bands[-1]
    return ntm, total, below, known["code"].nunique()


def _headline(ws: Workspace, layers: MonitoringLayers, cset: CriteriaSet, period: Period,
              lang: str, at: pd.DataFrame, total: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    prev = period.previous()
    label, plabel = period.label(lang), prev.label(lang)
    plan, py = ws.plan, ws.plan.year
    vals = values_at(_status(layers), period, keys=["code", "criterion"], value="met",
                     lang=lang)
    now, before = (_per_commune(vals, cset, "met"),
                   _per_commune(vals, cset, "previous_met"))
    t_sum = None
    if layers.plan_targets is not None and len(layers.plan_targets):
        t_sum = int(pd.to_numeric(layers.plan_targets["target_communes"]).sum())
    reported = _span(vals["reported"], lang)
    rows, data = [], []

    def share(n: int | None, of: int | None) -> str:
        return "–" if n is None or not of else f"{n}/{of} = {fmt_percent(n / of, lang)}"

    def add(key: str, v: object, p: object, text: str, ptext: str, change: object,
            target: object, ttext: str, rep: str = reported, decimals: int = 0,
            **kw: object) -> None:
        shown = change if change is None or not decimals else fmt_number(change, lang,
                                                                          decimals)
        rows.append({_T("indicator", lang): _T(key, lang, **kw), label: text, plabel: ptext,
                     _T("change", lang): shown, _T("reported", lang): rep,
                     _T("target", lang, y=py): ttext})
        data.append({"indicator": key, "period": period.key, "value": v,
                     "previous_period": prev.key, "previous": p, "change": change,
                     "target": target, "reported": _iso(vals["reported"].max())})

    def diff(a: object, b: object) -> object:
        return None if a is None or b is None else a - b  # type: ignore[operator]

    n = now or (None, None, None, None)
    b = before or (None, None, None, None)
    add("ntm_communes", n[0], b[0], share(n[0], total), share(b[0], total), diff(n[0], b[0]),
        plan.ntm_communes, share(plan.ntm_communes, total))
    add("sum", n[1], b[1], fmt_number(n[1], lang), fmt_number(b[1], lang), diff(n[1], b[1]),
        t_sum, fmt_number(t_sum, lang))
    avg = None if n[1] is None or not total else round(n[1] / total, 2)
    pavg = None if b[1] is None or not total else round(b[1] / total, 2)
    tavg = None if t_sum is None or not total else round(t_sum / total, 2)
    add("avg", avg, pavg, fmt_number(avg, lang, 2), fmt_number(pavg, lang, 2),
        None if avg is None or pavg is None else round(avg - pavg, 2), tavg,
        fmt_number(tavg, lang, 2), decimals=2)
    add("below10", n[2], b[2], fmt_number(n[2], lang), fmt_number(b[2], lang),
        diff(n[2], b[2]), 0 if plan.min_criteria else None, "0" if plan.min_criteria else "–",
        n=cset.bands[-1])
    vs = layers.village_status
    if vs is not None and len(vs) and "ntm" in vs:
        v = pd.DataFrame(vs).drop(columns="geometry", errors="ignore")
        v = v.assign(ntm=v["ntm"].astype(float))
        vv = values_at(v, period, keys=["code"], value="ntm", lang=lang)
        vt = plan.villages_total or int(v["code"].nunique())
        vn = int((vv["ntm"] == 1).sum()) if len(vv) else None
        vp = int((vv["previous_ntm"] == 1).sum()) if vv["previous_ntm"].notna().any() \
            else None
        add("ntm_villages", vn, vp, share(vn, vt), share(vp, vt), diff(vn, vp),
            plan.ntm_villages, share(plan.ntm_villages, vt) if plan.ntm_villages is not None
            else "–", rep=_span(vv["reported"], lang))
    return pd.DataFrame(rows, dtype=object), pd.DataFrame(data, dtype=object)


def _target_text(t: dict, total: int, names: dict[str, str], lang: str) -> str:
    if t["scope"] == "commune":
        what = names.get(str(t["code"]), str(t["code"]))
    elif not pd.isna(t["target_communes"]):
        what = _T("m_count", lang, n=int(t["target_communes"]), total=total)
    else:
        n = needed_communes(t, total)  # as the milestone is judged
        what = _T("m_share", lang, share=fmt_percent(float(t["target_share"]), lang, 0),
                  n=n, total=total)
    return _T("m_keep", lang, what=what) if t["kind"] == "duy_tri" else what


def milestone_section(ws: Workspace, layers: MonitoringLayers, cset: CriteriaSet,
                      roadmap: pd.DataFrame, moments: Sequence[Period], *,
                      criteria: Sequence[int] | None = None,
                      lang: str = "vi") -> ReportSection | None:
    """"Tiến độ so với lộ trình": each target's status at each moment, and its source."""
    rm = roadmap
    if criteria is not None:
        rm = rm[rm["criterion"].isin(list(criteria)).to_numpy(dtype=bool)]
    codes = _programme_codes(layers)
    if not len(rm) or not codes:
        return None
    judged = judge_milestones(rm, _status(layers), at=list(moments), communes=codes, lang=lang)
    names = dict(zip(layers.communes["code"].astype(str),
                     layers.communes["name"].map(display_name),
                     strict=False))
    total = len(codes)
    cells, data = [], []
    for t in rm.to_dict("records"):
        j = judged[(judged["target_id"] == t["target_id"]).to_numpy(dtype=bool)]
        row = {_T("criterion", lang): int(t["criterion"]),
               _T("name", lang): cset.get(int(t["criterion"])).name(lang),
               _T("m_target", lang): _target_text(t, total, names, lang),
               _T("m_due", lang): parse_period(t["due"]).label(lang)}
        for p, r in zip(moments, j.to_dict("records"), strict=True):
            text = milestone_label(r["status"], lang)
            if t["scope"] == "area" and not pd.isna(r["value"]):
                text += f" ({int(r['value'])}/{total})"
            row[_moment_label(p, lang)] = text
            data.append({
                "target_id": int(t["target_id"]), "criterion": int(t["criterion"]),
                "scope": t["scope"], "code": t["code"], "kind": t["kind"], "due": t["due"],
                "at": r["at"], "target": None if pd.isna(r["target"]) else int(r["target"]),
                "value": None if pd.isna(r["value"]) else int(r["value"]),
                "status": r["status"], "reported": _iso(r["reported"]),
                "value_at_due": None if pd.isna(r["value_at_due"]) else int(r["value_at_due"]),
                "reached": _iso(r["reached"]), "lost": _iso(r["lost"]), "source": t["source"],
            })
        row[_T("m_source", lang)] = t["source"] or "–"
        cells.append(row)
    return ReportSection("milestones", _T("t_miles", lang), pd.DataFrame(cells, dtype=object),
                         pd.DataFrame(data, dtype=object), "milestones.csv",
                         _T("s_miles", lang), 2)


def office_sections(ws: Workspace, layers: MonitoringLayers, cset: CriteriaSet,
                    offices: pd.DataFrame, moment: Period, *,
                    targets: dict[int, tuple[int | None, str | None]],
                    milestones: ReportSection | None = None, only: str | None = None,
                    lang: str = "vi") -> list[ReportSection]:
    """One section per office (or only the office ``only``).

    Each lists the criteria the office leads or supports, the communes meeting each at
    ``moment``, the target, what is still short, the roadmap's judgement at ``moment``
    and the other offices on the criterion.
    """
    at = criteria_at(layers, moment, lang).set_index("criterion")
    label = _moment_label(moment, lang)
    status: dict[int, list[str]] = {}
    if milestones is not None:
        d = milestones.data
        for c, s in zip(d.loc[d["at"] == moment.key, "criterion"],
                        d.loc[d["at"] == moment.key, "status"], strict=True):
            status.setdefault(int(c), [])
            if s not in status[int(c)]:
                status[int(c)].append(s)
    out = []
    for o in office_list(offices).itertuples(index=False):
        if only is not None and o.office != only:
            continue
        rows = office_assignments(offices, o.office, lang=lang)
        rows = rows[rows["indicator"].isna().to_numpy(dtype=bool)] if rows[
            "indicator"].isna().any() else rows
        cells, data = [], []
        for r in rows.drop_duplicates(["criterion", "role"]).itertuples(index=False):
            c = int(r.criterion)
            met = int(at.loc[c, "met"]) if c in at.index else None
            tgt = targets.get(c, (None, None))[0]
            gap = None if tgt is None or met is None else max(tgt - met, 0)
            who = criterion_offices(offices, c)
            others = [who["lead"]] if r.role == "support" and who["lead"] else []
            others += [s for s in who["support"] if s != o.office]
            progress = "; ".join(milestone_label(s, lang) for s in status.get(c, [])) or "–"
            cells.append({_T("criterion", lang): c, _T("name", lang): cset.get(c).name(lang),
                          _T("role", lang): _T(r.role, lang),
                          _T("met_at", lang, label=label): met,
                          _T("target", lang, y=ws.plan.year): tgt, _T("gap", lang): gap,
                          _T("progress", lang, label=label): progress,
                          _T("others", lang): "; ".join(others) or "–"})
            data.append({"office": o.office, "office_code": o.office_code, "criterion": c,
                         "role": r.role, "at": moment.key, "communes_met": met,
                         "target": tgt, "gap": gap, "milestones": ";".join(status.get(c, [])),
                         "other_offices": ";".join(others)})
        out.append(ReportSection(f"office:{o.office}", _T("t_office", lang, office=o.office),
                                 pd.DataFrame(cells, dtype=object),
                                 pd.DataFrame(data, dtype=object), "offices.csv",
                                 _T("s_office", lang, office=o.office_code or o.office), 2))
    return out


def funding_section(layers: MonitoringLayers, cset: CriteriaSet, criteria: Sequence[int], *,
                    lang: str = "vi") -> ReportSection | None:
    """Funding of the projects serving ``criteria`` (an office's report: no source table)."""
    fc = layers.funding_by_criterion
    if fc is None:
        return None
    fc = pd.DataFrame(fc).drop(columns="geometry", errors="ignore")
    fc = fc[fc["criterion"].isin(list(criteria)).to_numpy(dtype=bool)]
    caps = [c for c in fc.columns if c.startswith("cap_") and c != "cap_total"]
    cells = []
    for r in fc.to_dict("records"):
        row = {_T("criterion", lang): int(r["criterion"]),
               _T("name", lang): cset.get(int(r["criterion"])).name(lang),
               _T("projects", lang): int(r["projects"])}
        for c in caps:
            row[enum_label("source", c[4:], lang)] = fmt_money(float(r[c]), lang)
        row[_T("cap_total", lang)] = fmt_money(float(r["cap_total"]), lang)
        cells.append(row)
    data = fc[["criterion", "projects", *caps, "cap_total"]].reset_index(drop=True)
    return ReportSection("funding_criteria", _T("t_fund_crit", lang),
                         pd.DataFrame(cells, dtype=object), data, "funding_by_criterion.csv",
                         _T("s_fund_crit", lang), 2)
