"""``ntmgis report``: the plan against what was achieved, as the plan writes its figures.

Tables: each criterion's communes met per year against the plan's target
(count and share, "10 xã = 76,9%"); the headline targets (NTM communes 4/13 =
30,8%, 16,38 criteria per commune = 213/13, no commune below 10, 18 NTM bản =
17,8%); funding by source against the plan (608.989 million VND). Written to
the terminal, to CSV (UTF-8 with BOM, for Excel) and to Markdown.

How the programme is run (:mod:`ntmgis.outputs.report_programme`): a reporting
period (``period``: the figures known at its end, the change since the period
before, the day they were reported), an office's criteria (``office``), one
section per office (``by_office``) and, when the workspace has a roadmap, the
milestones ("Tiến độ so với lộ trình"). Without these the report is what it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ntmgis.core.i18n import catalog, fmt_money, fmt_number, fmt_percent, label
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.periods import Period, parse_period
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.core.spreadsheet import csv_frame
from ntmgis.core.vocabulary import is_illustrative
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.load import load_inputs
from ntmgis.monitoring.compute import compute_layers
from ntmgis.monitoring.gpkg import (
    MonitoringLayers,
    layers_criteria_set,
    read_layers,
    summary_groups,
    summary_total,
)
from ntmgis.outputs.report_programme import (
    ReportSection,
    funding_section,
    milestone_section,
    office_sections,
    period_tables,
    read_programme,
    report_moments,
)

__all__ = ["PlanReport", "plan_report", "write_report"]

_H = {
    "criterion": ("Tiêu chí", "Criterion"),
    "name": ("Tên tiêu chí", "Name"),
    "target": ("Mục tiêu {y}", "Target {y}"),
    "target_share": ("Tỷ lệ so với kế hoạch (%)", "Share of the plan's target (%)"),
    "gap": ("Số xã còn thiếu so với KH", "Communes short of the plan"),
    "of": ("Trên tổng số", "Out of"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "source": ("Nguồn vốn", "Source"),
    "plan": ("Kế hoạch: dự kiến nhu cầu vốn (triệu đồng)",
             "Plan: expected funding need (million VND)"),
    "list": ("Danh mục dự án (triệu đồng)", "Investment list (million VND)"),
    "diff": ("Chênh lệch", "Difference"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
    "ntm_communes": ("Xã đạt chuẩn NTM", "Communes recognised NTM"),
    "avg": ("Bình quân tiêu chí/xã", "Average criteria per commune"),
    "sum": ("Tổng số tiêu chí đạt", "Criteria met in total"),
    "below10": ("Số xã dưới {n} tiêu chí", "Communes below {n} criteria"),
    "ntm_villages": ("Bản đạt chuẩn NTM", "Villages recognised NTM"),
    "total": ("Tổng", "Total"),
    "all_groups": ("Toàn {area}", "Whole of {area}"),
    "district": ("Huyện", "District"),
    "group": ("Nhóm xã", "Group"),
    "communes": ("Số xã", "Communes"),
    "t_groups": ("Kết quả theo {group} năm {y}", "Results by {group}, {y}"),
    "title": ("Kết quả thực hiện so với kế hoạch", "Plan against actual"),
    "t_criteria": ("Số xã đạt từng tiêu chí", "Communes meeting each criterion"),
    "t_head": ("Chỉ tiêu chủ yếu", "Headline targets"),
    "t_fund": ("Nguồn vốn", "Funding by source"),
    "illustrative": (
        "Số liệu thực hiện của bộ dữ liệu mẫu là minh họa; mục tiêu và nguồn vốn theo kế hoạch.",
        "The sample workspace's actual figures are illustrative; targets and funding are the "
        "plan's.",
    ),
    "period_note": ("Kỳ báo cáo: {label}, số liệu biết đến ngày {end}; so sánh với {prev}.",
                    "Reporting period: {label}, figures known on {end}; compared with "
                    "{prev}."),
    "illustrative_no_plan": (
        "Số liệu thực hiện của bộ dữ liệu mẫu là minh họa; bộ dữ liệu không có mục tiêu "
        "và nguồn vốn của kế hoạch.",
        "The sample workspace's actual figures are illustrative; the workspace has no plan "
        "targets or funding.",
    ),
}


_h = catalog(_H)


@dataclass
class PlanReport:
    """The report's tables, with cells already formatted for the language."""

    title: str
    criteria: pd.DataFrame
    headline: pd.DataFrame
    funding: pd.DataFrame
    lang: str = "vi"
    notes: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    #: Tables after the three (milestones, offices, funding by criterion).
    sections: list[ReportSection] = field(default_factory=list)
    #: Plain machine values for a table's CSV instead of its cells (``criteria``...).
    csv_data: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The reporting period's key (``2025-Q3``) and the office, when asked for.
    period: str | None = None
    office: str | None = None
    #: The day the figures stand for ("30/09/2025"), and the year the map shows.
    as_of: str | None = None
    map_year: int | None = None


def _plain(x: object) -> object:
    """A machine number for a CSV: 30614 (not "30.614"), 1234.5; None when missing."""
    if x is None:
        return None
    try:
        f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return x
    if pd.isna(f):
        return None
    f = round(f, 3)
    return int(f) if f.is_integer() else f


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Plain values as objects: integers stay integers (no 30614.0), missing stays empty."""
    return pd.DataFrame([{k: _plain(v) for k, v in r.items()} for r in rows], dtype=object)


def _count_share(n: int | None, total: int | None, lang: str) -> str:
    if n is None or total in (None, 0):
        return "–"
    return f"{n}/{total} = {fmt_percent(n / total, lang)}"


def plan_report(ws: Workspace, *, lang: str = "vi",
                layers: MonitoringLayers | None = None, period: str | Period | None = None,
                office: str | None = None, by_office: bool = False,
                group_by: str | None = None, group_label: str | None = None) -> PlanReport:
    """Compute the plan-against-actual tables.

    Uses the built GeoPackage when it exists, otherwise joins the inputs in
    memory (nothing is written).

    Parameters
    ----------
    ws : Workspace
        The workspace.
    lang : {"vi", "en"}
        Language of the cells.
    layers : MonitoringLayers, optional
        The layers (default: the built GeoPackage, else computed in memory).
    period : str or Period, optional
        ``2025``, ``2025-Q3``, ``2025-6T``, ``2025-9T``, ``2025-T10``: the criteria and
        headline tables at the end of the period (a year of yearly data is its 31/12),
        against the previous period of the same kind, with the day reported.
    office : str, optional
        An office's name or code in ``[tables.offices]``: only the criteria it leads or
        supports (the headline and source tables, which are not per criterion, give way
        to the funding of those criteria).
    by_office : bool
        Add one section per office (only ``office``'s when given).
    group_by : str, optional
        The communes layer's column grouping communes (default: the workspace's
        ``[area] group_by``, else the district). Given, the layers are computed in memory
        with that grouping even when a GeoPackage is built (nothing is written).
    group_label : str, optional
        The groups' heading ("Cụm xã"; default ``[area] group_label``, else "Huyện" for
        districts and "Nhóm xã" for another column). With more than one group the
        report adds a table with a row per group and the total.

    Raises
    ------
    OptionError
        A period that cannot be read (the message lists the accepted forms), an unknown
        office (the message lists the offices) or no offices table (exit 2).
    """
    p = parse_period(period, lang=lang) if period is not None else None
    if layers is None:
        # a grouping other than the built one is computed afresh (nothing is written)
        if ws.output_gpkg.exists() and group_by is None:
            layers = read_layers(ws, lang=lang)
        else:
            # the grouping column must be read along with the communes
            wsg = ws if group_by is None else replace(ws, group_by=group_by)
            layers = compute_layers(load_inputs(wsg, IssueLog(lang=lang, root=ws.root)),
                                    lang=lang, group_by=group_by)
    years = list(ws.years)
    cset = layers_criteria_set(layers, ws, lang=lang)
    prog = read_programme(ws, cset, office=office, lang=lang)
    py = ws.plan.year
    ds = summary_total(layers.district_summary)
    total = int(ds["communes_total"].iloc[0]) if len(ds) else 0
    pt = layers.plan_targets
    share_text = {}
    if pt is not None:
        share_text = dict(zip(pt["criterion"], pt["target_share_text"], strict=True))
    rows, crit_data = [], []
    for crit, grp in ds.groupby("criterion", sort=True):
        g = grp.set_index("year")
        tgt = g["target"].iloc[0]
        tgt = None if pd.isna(tgt) else int(tgt)
        row = {_h("criterion", lang): int(crit),
               _h("name", lang): g["name_en" if lang == "en" else "name_vi"].iloc[0]}
        for y in years:
            row[str(y)] = int(g.loc[y, "communes_met"]) if y in g.index else None
        row[_h("target", lang, y=py)] = tgt
        txt = share_text.get(crit)
        if lang == "en" and txt:
            txt = txt.replace(",", ".")
        row[_h("target_share", lang)] = txt or (
            fmt_percent(tgt / total, lang) if tgt is not None and total else "–")
        last = row[str(years[-1])]
        row[_h("gap", lang)] = (max(tgt - last, 0) if tgt is not None
                                              and last is not None else None)
        rows.append(row)
        plain = dict(row)
        plain[_h("target_share", lang)] = (round(tgt / total * 100, 1)
                                            if tgt is not None and total else None)
        crit_data.append(plain)
    criteria = pd.DataFrame(rows)

    ov = summary_total(layers.district_overview).set_index("year")
    targets = [int(v) for v in pt["target_communes"]] if pt is not None else []
    t_sum = sum(targets) if targets else None
    plan = ws.plan
    vt = plan.villages_total or (int(ov["villages_total"].iloc[-1])
                                 if "villages_total" in ov and not ov["villages_total"].isna().all()
                                 else None)
    head, head_data = [], []

    def add(key: str, per_year: dict[int, str], target: str, values: dict[int, object],
            target_value: object, of: int | None = None, **kw: object) -> None:
        name = _h(key, lang, **kw)
        head.append({_h("indicator", lang): name,
                     **{str(y): per_year.get(y, "–") for y in years},
                     _h("target", lang, y=py): target})
        head_data.append({_h("indicator", lang): name,
                          **{str(y): values.get(y) for y in years},
                          _h("target", lang, y=py): target_value, _h("of", lang): of})

    def col(name: str, cast: type = int) -> dict[int, object]:
        return {y: cast(ov.loc[y, name]) for y in ov.index}

    ntm = col("ntm_communes")
    add("ntm_communes", {y: _count_share(v, total, lang) for y, v in ntm.items()},
        _count_share(plan.ntm_communes, total, lang) if plan.ntm_communes is not None else "–",
        ntm, plan.ntm_communes, total)
    sums = col("criteria_sum")
    add("sum", {y: fmt_number(v, lang) for y, v in sums.items()},
        fmt_number(t_sum, lang) if t_sum is not None else "–", sums, t_sum)
    avgs = {y: round(v, 2) for y, v in col("avg_criteria", float).items()}
    t_avg = round(t_sum / total, 2) if t_sum is not None and total else None
    add("avg", {y: fmt_number(v, lang, 2) for y, v in avgs.items()},
        fmt_number(t_avg, lang, 2) if t_avg is not None else "–", avgs, t_avg)
    # below the lowest band's bound: 10 of 19 criteria (the plan's "no commune below 10")
    below = col("below_10")
    add("below10", {y: str(v) for y, v in below.items()},
        "0" if plan.min_criteria else "–", below, 0 if plan.min_criteria else None,
        n=cset.bands[-1])
    if "ntm_villages" in ov and not ov["ntm_villages"].isna().all():
        nv = col("ntm_villages")
        add("ntm_villages", {y: _count_share(v, vt, lang) for y, v in nv.items()},
            _count_share(plan.ntm_villages, vt, lang) if plan.ntm_villages is not None else "–",
            nv, plan.ntm_villages, vt)
    headline = pd.DataFrame(head)

    fund_rows, fund_data = [], []
    fs = layers.funding_by_source
    if fs is not None:
        fbc = layers.funding_by_commune
        for r in fs.itertuples():
            fund_rows.append({
                _h("source", lang): label("source", r.source, lang),
                _h("plan", lang): fmt_money(None if pd.isna(r.plan) else r.plan, lang),
                _h("list", lang): fmt_money(r.projects_total, lang),
                _h("diff", lang): fmt_money(None if pd.isna(r.difference) else r.difference,
                                            lang),
            })
            fund_data.append({_h("source", lang): fund_rows[-1][_h("source", lang)],
                              _h("plan", lang): _plain(r.plan),
                              _h("list", lang): _plain(r.projects_total),
                              _h("diff", lang): _plain(r.difference)})
        plan_total = fs["plan"].sum(min_count=1)
        fund_rows.append({
            _h("source", lang): _h("total", lang),
            _h("plan", lang): fmt_money(None if pd.isna(plan_total) else plan_total, lang),
            _h("list", lang): fmt_money(fs["projects_total"].sum(), lang),
            _h("diff", lang): fmt_money(None if pd.isna(plan_total)
                                        else fs["projects_total"].sum() - plan_total, lang),
        })
        fund_data.append({_h("source", lang): _h("total", lang),
                          _h("plan", lang): _plain(plan_total),
                          _h("list", lang): _plain(fs["projects_total"].sum()),
                          _h("diff", lang): _plain(None if pd.isna(plan_total) else
                                                   fs["projects_total"].sum() - plan_total)})
        if fbc is not None:
            fund_rows[-1][_h("disbursed", lang)] = fmt_money(fbc["disbursed"].sum(), lang)
            fund_data[-1][_h("disbursed", lang)] = _plain(fbc["disbursed"].sum())
    funding = pd.DataFrame(fund_rows)
    span = f"{years[0]}-{years[-1]}" if years[-1] != years[0] else str(years[0])
    title = f"{_h('title', lang)}: {area_name(ws)} ({span})"
    notes = []
    if is_illustrative(ws):
        notes.append(_h("illustrative" if pt is not None or fs is not None
                        else "illustrative_no_plan", lang))
    rep = PlanReport(title=title, criteria=criteria, headline=headline, funding=funding,
                     lang=lang, notes=notes,
                     csv_data={"criteria": _frame(crit_data), "headline": _frame(head_data),
                               "funding": _frame(fund_data)})
    groups = group_section(ws, layers, lang=lang, label=group_label, group_by=group_by)
    if groups is not None:
        rep.sections.append(groups)
    _programme(rep, ws, layers, cset, prog, p, by_office)
    return rep


def area_name(ws: Workspace) -> str:
    """"Huyện Mường Tè, Tỉnh Lai Châu"; a province's workspace names itself once."""
    parts = [ws.name]
    if ws.province and ws.province.strip().casefold() != (ws.name or "").strip().casefold():
        parts.append(ws.province)
    return ", ".join(p for p in parts if p)


def _lower_first(name: str) -> str:
    """"Tỉnh Lai Châu" inside a line: "tỉnh Lai Châu" (Nghị định 30/2020/NĐ-CP)."""
    return name[:1].lower() + name[1:] if name else name


def group_section(ws: Workspace, layers: MonitoringLayers, *, lang: str = "vi",
                  label: str | None = None, year: int | None = None,
                  group_by: str | None = None) -> ReportSection | None:
    """One row per group of communes (district, former district, cluster) and the total.

    None when the workspace has one group. ``year``: the workspace's last by default.
    ``group_by``: the column the layers were grouped by, when not the workspace's.
    """
    og = summary_groups(layers.district_overview)
    if not len(og):
        return None
    ov = summary_total(layers.district_overview)
    year = year if year is not None else int(ov["year"].max())
    # a heading the workspace names, else "Huyện" for districts, else the neutral "Nhóm xã"
    by = group_by if group_by is not None else ws.group_by
    glabel = label or ws.group_label or _h(
        "district" if by in (None, "district_code", "district_name") else "group", lang)
    cset = layers_criteria_set(layers, ws, lang=lang)
    low = cset.bands[-1]
    rows, data = [], []
    parts = [(r, False) for r in og[og["year"] == year].itertuples(index=False)]
    parts += [(r, True) for r in ov[ov["year"] == year].itertuples(index=False)]
    for r, total in parts:
        name = _h("all_groups", lang, area=_lower_first(ws.name)) if total else r.group_name
        n, ntm, crit = int(r.communes_total), int(r.ntm_communes), int(r.criteria_sum)
        avg = crit / n if n else None
        rows.append({glabel: name, _h("communes", lang): n,
                     _h("ntm_communes", lang): _count_share(ntm, n, lang),
                     _h("sum", lang): fmt_number(crit, lang),
                     _h("avg", lang): fmt_number(avg, lang, 2) if avg is not None else "–",
                     _h("below10", lang, n=low): int(r.below_10)})
        data.append({"year": year, "group_code": None if total else r.group_code,
                     "group_name": name, "communes_total": n, "ntm_communes": ntm,
                     "ntm_share": round(ntm / n, 4) if n else None, "criteria_sum": crit,
                     "avg_criteria": round(avg, 2) if avg is not None else None,
                     "below_10": int(r.below_10)})
    title = _h("t_groups", lang, group=glabel.lower(), y=year)
    return ReportSection("groups", title, pd.DataFrame(rows, dtype=object),
                         pd.DataFrame(data, dtype=object), "groups.csv", glabel[:31],
                         key_columns=1)


def _programme(rep: PlanReport, ws: Workspace, layers: MonitoringLayers, cset, prog,
               p: Period | None, by_office: bool) -> None:
    """The period, office and milestone parts of the report (none unless asked or declared)."""
    from ntmgis.outputs.report_programme import date_text

    lang = rep.lang
    pt = layers.plan_targets
    targets = {}
    if pt is not None:
        targets = {int(c): (None if pd.isna(n) else int(n), txt) for c, n, txt in zip(
            pt["criterion"], pt["target_communes"], pt["target_share_text"], strict=True)}
    if p is not None:
        tables = period_tables(ws, layers, cset, p, targets, lang)
        rep.criteria, rep.headline = tables["criteria"], tables["headline"]
        rep.csv_data.update(criteria=tables["criteria_data"], headline=tables["headline_data"])
        rep.period, rep.as_of = p.key, date_text(p.end, lang)
        known = [y for y in ws.years if pd.Timestamp(int(y), 12, 31) <= pd.Timestamp(p.end)]
        rep.map_year = max(known) if known else None
        rep.title = f"{_h('title', lang)}: {area_name(ws)} ({p.label(lang)})"
        rep.notes.insert(0, _h("period_note", lang, label=p.label(lang),
                               end=date_text(p.end, lang), prev=p.previous().label(lang)))
    moments = report_moments(ws, p)
    miles = None
    if prog.roadmap is not None and len(prog.roadmap):
        miles = milestone_section(ws, layers, cset, prog.roadmap, moments,
                                  criteria=prog.criteria, lang=lang)
    if prog.office is not None:
        crit_col = rep.criteria.columns[0]
        keep = rep.criteria[crit_col].isin(list(prog.criteria)).to_numpy(dtype=bool)
        rep.criteria = rep.criteria[keep].reset_index(drop=True)
        if "criteria" in rep.csv_data:
            d = rep.csv_data["criteria"]
            rep.csv_data["criteria"] = d[d[d.columns[0]].isin(list(prog.criteria))]
        rep.headline = rep.funding = pd.DataFrame()
        rep.office = prog.office
        rep.title += f" – {prog.office}"
        rep.notes[:0] = prog.notes
        fund = funding_section(layers, cset, prog.criteria, lang=lang)
        if fund is not None:
            rep.sections.append(fund)
    if miles is not None:
        rep.sections.append(miles)
    if (by_office or prog.office is not None) and prog.offices is not None:
        rep.sections += office_sections(ws, layers, cset, prog.offices, moments[-1],
                                        targets=targets, milestones=miles,
                                        only=prog.office, lang=lang)


def _markdown_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = ["–" if (v is None or (isinstance(v, float) and pd.isna(v))) else str(v)
                 for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def write_report(rep: PlanReport, out_dir: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``plan_vs_actual.md`` and three CSVs into ``out_dir`` (atomically, each).

    Text cells of the CSVs that would open as a formula get a leading ``'``
    (:func:`ntmgis.core.spreadsheet.csv_frame`); no output may be an input.
    """
    names = {attr: name for attr, name in (("criteria", "criteria.csv"),
                                           ("headline", "targets.csv"),
                                           ("funding", "funding.csv"))
             if len(getattr(rep, attr).columns)}  # an office's report has no headline
    extra: dict[str, list[pd.DataFrame]] = {}
    for sec in rep.sections:  # sections sharing a file (offices.csv) follow each other
        extra.setdefault(sec.csv, []).append(sec.data)
    md_path = out_dir / "plan_vs_actual.md"
    for p in [md_path, *(out_dir / n for n in [*names.values(), *extra])]:
        require_writable(p, overwrite, rep.lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    frames = [(name, rep.csv_data.get(attr, getattr(rep, attr)))
              for attr, name in names.items()]
    frames += [(name, pd.concat(parts, ignore_index=True)) for name, parts in extra.items()]
    for name, frame in frames:
        with atomic_output(out_dir / name, overwrite=overwrite, lang=rep.lang) as tmp:
            # names come from the inputs: none may open as a formula in Excel
            csv_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
        paths.append(out_dir / name)
    md = [f"# {rep.title}", ""]
    for key, frame in (("t_head", rep.headline), ("t_criteria", rep.criteria),
                       ("t_fund", rep.funding)):
        if len(frame.columns):
            md += [f"## {_h(key, rep.lang)}", "", _markdown_table(frame), ""]
    for sec in rep.sections:
        md += [f"## {sec.title}", "", _markdown_table(sec.frame), ""]
    md += [f"_{n}_" for n in rep.notes]
    with atomic_output(md_path, overwrite=overwrite, lang=rep.lang) as tmp:
        tmp.write_text("\n".join(md) + "\n", encoding="utf-8")
    paths.insert(0, md_path)
    rep.paths = paths
    return paths
