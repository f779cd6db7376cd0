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

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ntmgis.core.i18n import catalog, fmt_money, fmt_number, fmt_percent, label
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.periods import Period, parse_period
from ntmgis.core.safe_write import atomic_output, require_writable
from ntmgis.core.spreadsheet import csv_frame
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.load import load_inputs
from ntmgis.monitoring.compute import compute_layers
from ntmgis.monitoring.gpkg import MonitoringLayers, layers_criteria_set, read_layers
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
    "target_share": ("Tỷ lệ mục tiêu", "Target share"),
    "gap": ("Còn thiếu ({y})", "Short of target ({y})"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "source": ("Nguồn vốn", "Source"),
    "plan": ("Kế hoạch (triệu đồng)", "Plan (million VND)"),
    "list": ("Danh mục dự án (triệu đồng)", "Investment list (million VND)"),
    "diff": ("Chênh lệch", "Difference"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
    "ntm_communes": ("Xã đạt chuẩn NTM", "Communes recognised NTM"),
    "avg": ("Bình quân tiêu chí/xã", "Average criteria per commune"),
    "sum": ("Tổng số tiêu chí đạt", "Criteria met in total"),
    "below10": ("Số xã dưới {n} tiêu chí", "Communes below {n} criteria"),
    "ntm_villages": ("Bản đạt chuẩn NTM", "Villages recognised NTM"),
    "total": ("Tổng", "Total"),
    "title": ("Kết quả thực hiện so với kế hoạch", "Plan against actual"),
    "t_criteria": ("Số xã đạt từng tiêu chí", "Communes meeting each criterion"),
    "t_head": ("Chỉ tiêu chủ yếu", "Headline targets"),
    "t_fund": ("Nguồn vốn", "Funding by source"),
    "illustrative": (
        "Số liệu thực hiện của vùng làm việc mẫu là minh họa; mục tiêu và nguồn vốn theo kế hoạch.",
        "The sample workspace's actual figures are illustrative; targets and funding are the "
        "plan's.",
    ),
    "period_note": ("Kỳ báo cáo: {label}, số liệu biết đến ngày {end}; so sánh với {prev}.",
                    "Reporting period: {label}, figures known on {end}; compared with "
                    "{prev}."),
    "illustrative_no_plan": (
        "Số liệu thực hiện của vùng làm việc mẫu là minh họa; vùng làm việc không có mục tiêu "
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


def _count_share(n: int | None, total: int | None, lang: str) -> str:
    if n is None or total in (None, 0):
        return "–"
    return f"{n}/{total} = {fmt_percent(n / total, lang)}"


def plan_report(ws: Workspace, *, lang: str = "vi",
                layers: MonitoringLayers | None = None, period: str | Period | None = None,
                office: str | None = None, by_office: bool = False) -> PlanReport:
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

    Raises
    ------
    OptionError
        A period that cannot be read (the message lists the accepted forms), an unknown
        office (the message lists the offices) or no offices table (exit 2).
    """
    p = parse_period(period, lang=lang) if period is not None else None
    if layers is None:
        if ws.output_gpkg.exists():
            layers = read_layers(ws, lang=lang)
        else:
            layers = compute_layers(load_inputs(ws, IssueLog(lang=lang, root=ws.root)),
                                    lang=lang)
    years = list(ws.years)
    cset = layers_criteria_set(layers, ws, lang=lang)
    prog = read_programme(ws, cset, office=office, lang=lang)
    py = ws.plan.year
    ds = layers.district_summary
    total = int(ds["communes_total"].iloc[0]) if len(ds) else 0
    pt = layers.plan_targets
    share_text = {}
    if pt is not None:
        share_text = dict(zip(pt["criterion"], pt["target_share_text"], strict=True))
    rows = []
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
        row[_h("gap", lang, y=years[-1])] = (max(tgt - last, 0) if tgt is not None
                                              and last is not None else None)
        rows.append(row)
    criteria = pd.DataFrame(rows)

    ov = layers.district_overview.set_index("year")
    targets = [int(v) for v in pt["target_communes"]] if pt is not None else []
    t_sum = sum(targets) if targets else None
    plan = ws.plan
    vt = plan.villages_total or (int(ov["villages_total"].iloc[-1])
                                 if "villages_total" in ov and not ov["villages_total"].isna().all()
                                 else None)
    head = []

    def add(key: str, per_year: dict[int, str], target: str, **kw: object) -> None:
        head.append({_h("indicator", lang): _h(key, lang, **kw),
                     **{str(y): per_year.get(y, "–") for y in years},
                     _h("target", lang, y=py): target})

    add("ntm_communes", {y: _count_share(int(ov.loc[y, "ntm_communes"]), total, lang)
                         for y in ov.index},
        _count_share(plan.ntm_communes, total, lang) if plan.ntm_communes is not None else "–")
    add("sum", {y: fmt_number(int(ov.loc[y, "criteria_sum"]), lang) for y in ov.index},
        fmt_number(t_sum, lang) if t_sum is not None else "–")
    add("avg", {y: fmt_number(float(ov.loc[y, "avg_criteria"]), lang, 2) for y in ov.index},
        fmt_number(t_sum / total, lang, 2) if t_sum is not None and total else "–")
    # below the lowest band's bound: 10 of 19 criteria (the plan's "no commune below 10")
    add("below10", {y: str(int(ov.loc[y, "below_10"])) for y in ov.index},
        "0" if plan.min_criteria else "–", n=cset.bands[-1])
    if "ntm_villages" in ov and not ov["ntm_villages"].isna().all():
        add("ntm_villages", {y: _count_share(int(ov.loc[y, "ntm_villages"]), vt, lang)
                             for y in ov.index},
            _count_share(plan.ntm_villages, vt, lang) if plan.ntm_villages is not None else "–")
    headline = pd.DataFrame(head)

    fund_rows = []
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
        plan_total = fs["plan"].sum(min_count=1)
        fund_rows.append({
            _h("source", lang): _h("total", lang),
            _h("plan", lang): fmt_money(None if pd.isna(plan_total) else plan_total, lang),
            _h("list", lang): fmt_money(fs["projects_total"].sum(), lang),
            _h("diff", lang): fmt_money(None if pd.isna(plan_total)
                                        else fs["projects_total"].sum() - plan_total, lang),
        })
        if fbc is not None:
            fund_rows[-1][_h("disbursed", lang)] = fmt_money(fbc["disbursed"].sum(), lang)
    funding = pd.DataFrame(fund_rows)
    span = f"{years[0]}-{years[-1]}" if years[-1] != years[0] else str(years[0])
    title = f"{_h('title', lang)}: {ws.name}, {ws.province} ({span})"
    notes = []
    if "illustrative" in ws.village_set_name.lower() or "minh họa" in ws.village_set_name:
        notes.append(_h("illustrative" if pt is not None or fs is not None
                        else "illustrative_no_plan", lang))
    rep = PlanReport(title=title, criteria=criteria, headline=headline, funding=funding,
                     lang=lang, notes=notes)
    _programme(rep, ws, layers, cset, prog, p, by_office)
    return rep


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
        rep.title = f"{_h('title', lang)}: {ws.name}, {ws.province} ({p.label(lang)})"
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
            rep.csv_data["criteria"] = d[d["criterion"].isin(list(prog.criteria))]
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
