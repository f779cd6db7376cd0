"""Criterion gaps: communes (or villages) failing a criterion in a year.

:func:`gaps` lists them with the projects addressing each (a project serving
the criterion there, planned, under way or finished after that year:
"addressed"; none: "unaddressed"); :func:`gap_summary` counts them per
criterion for the district. These are *criterion* gaps, unlike the coverage
holes between communes that :mod:`ntmgis.monitoring.checks` looks for.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.analysis.query_data import QueryData, grouped_join, load_data, message, pick_year
from ntmgis.core.criteria import CriteriaSet, Criterion
from ntmgis.core.errors import CriteriaError, DataError, OptionError
from ntmgis.core.i18n import catalog
from ntmgis.core.text import fold
from ntmgis.monitoring.compute import commune_groups
from ntmgis.monitoring.gpkg import metadata_criteria_set
from ntmgis.outputs.report_programme import workspace_office

__all__ = ["gaps", "gap_summary"]

#: Project statuses that still count as addressing a gap whatever their years.
_OPEN_STATUS = ("preparing", "under_way")

# Messages of this module: key -> (Vietnamese, English).
_MSG: dict[str, tuple[str, str]] = {
    "group_not_built": ("lớp giám sát không có cột '{column}' để nhóm xã; tạo lại với "
                        "'ntmgis build --group-by {column}'",
                        "the monitoring layers have no column '{column}' to group communes "
                        "by; rebuild with 'ntmgis build --group-by {column}'"),
    "bad_level": ("cấp '{value}' không có; dùng commune (xã) hoặc village (bản)",
                  "level '{value}' is unknown; use commune or village"),
    "no_workspace_office": ("--office cần một thư mục dữ liệu (bảng phân công cơ quan)",
                            "--office needs a workspace (its offices table)"),
    "no_village_set": (
        "thư mục dữ liệu không có bộ tiêu chí bản (bảng village_status không có cột vcNN)",
        "the workspace has no village criteria set (village_status has no vcNN columns)",
    ),
}

_m = catalog(_MSG, message)


def _criteria_long(status: pd.DataFrame, cset: CriteriaSet,
                   numbers: list[int]) -> pd.DataFrame:
    """Long form ``(row index, criterion, met)`` of the wide status columns."""
    parts = []
    for n in numbers:
        key = cset.get(n).key
        col = status[key] if key in status else pd.Series(np.nan, index=status.index)
        parts.append(pd.DataFrame({"_row": status.index, "criterion": n,
                                   "met": pd.to_numeric(col, errors="coerce").to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["_row", "criterion", "met"])
    return pd.concat(parts, ignore_index=True)


def _criteria_numbers(text: str) -> list[int]:
    """``"2;5"`` / ``"2, 5"`` -> ``[2, 5]``; tokens that are not numbers are left out."""
    out = []
    for token in text.replace(",", ";").split(";"):
        try:
            x = float(token.strip())
        except ValueError:
            continue
        if x == x:  # not NaN
            out.append(int(x))
    return out


def _projects_by_criterion(prj: pd.DataFrame) -> pd.DataFrame:
    """One row per project and commune criterion it serves.

    Each distinct criteria text is parsed once (a national list repeats a few
    dozen of them over 150.000 projects), then broadcast with numpy.
    """
    crit = prj["criteria"].astype(object).where(prj["criteria"].notna(), "").astype(str)
    codes, uniques = pd.factorize(crit.to_numpy(dtype=object))
    parsed = [_criteria_numbers(u) for u in uniques]
    lens = np.array([len(p) for p in parsed], dtype=np.int64)
    if not len(codes) or lens.sum() == 0:
        return prj.iloc[:0].assign(criterion=pd.Series(dtype=int))
    flat = np.fromiter((n for p in parsed for n in p), dtype=np.int64, count=int(lens.sum()))
    first = np.cumsum(lens) - lens
    counts = lens[codes]
    row = np.repeat(np.arange(len(prj)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    out = prj.iloc[row].copy()
    out["criterion"] = flat[np.repeat(first[codes], counts) + within]
    return out


def _addresses(prj: pd.DataFrame, year: int) -> pd.Series:
    """Whether a project is planned, under way, or finished after ``year``."""
    status = prj["status"].astype(object)
    end = pd.to_numeric(prj["year_end"], errors="coerce")
    open_ = status.isin(_OPEN_STATUS)
    finished_later = (status == "finished") & (end > year)
    unknown_later = status.isna() & (end > year)
    return (open_ | finished_later | unknown_later).fillna(False).astype(bool)


def _join_projects(g: pd.DataFrame, cand: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Aggregate candidate projects onto gap rows by ``keys``."""
    if len(cand):
        cand = cand.sort_values("project_id", kind="stable")
        agg = grouped_join(cand, keys, {"project_ids": "project_id",
                                         "project_status": "status"})
        agg = agg.rename(columns={"_n": "projects"})
        cap = pd.to_numeric(cand["cap_total"], errors="coerce").fillna(0.0)
        capital = cap.groupby([cand[k] for k in keys], sort=False).sum().rename("capital")
        agg = agg.merge(capital.reset_index(), on=keys, how="left")
        g = g.merge(agg, on=keys, how="left")
    else:
        g = g.assign(projects=np.nan, project_ids=None, project_status=None, capital=np.nan)
    g["projects"] = g["projects"].fillna(0).astype(int)
    g["capital"] = g["capital"].fillna(0.0).astype(float)
    g["project_ids"] = g["project_ids"].fillna("").astype(str)
    g["project_status"] = g["project_status"].fillna("").astype(str)
    g["gap_status"] = np.where(g["projects"] > 0, "addressed", "unaddressed")
    return g


def _join_finished(g: pd.DataFrame, done: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add ``finished_ids``: projects serving the criterion finished by the year."""
    if len(done):
        ids = grouped_join(done.sort_values("project_id", kind="stable"), keys,
                            {"finished_ids": "project_id"}).drop(columns="_n")
        g = g.merge(ids, on=keys, how="left")
    else:
        g = g.assign(finished_ids=None)
    g["finished_ids"] = g["finished_ids"].fillna("").astype(str)
    return g


# --------------------------------------------------------------------------------------
def gaps(data: Any, /, *, criterion: int | None = None, year: int | None = None,
         level: str = "commune", office: str | None = None,
         group_by: str | None = None, lang: str = "vi") -> gpd.GeoDataFrame:
    """Communes (or villages) failing a criterion in a year, and the projects addressing it.

    A gap is a commune (village) whose criterion is recorded as not met (0)
    in ``year``; unknown values are not gaps. It is "addressed" when a
    project in that commune (in that village) serving the criterion is
    preparing or under way, or finished after ``year``; a project finished
    by ``year`` did not close the gap and does not count.

    Parameters
    ----------
    data : workspace, path, QueryData or layers
        See :func:`~ntmgis.analysis.query_data.load_data`.
    criterion : int, optional
        Criterion number (of the commune set the layers were built on: 1-19 for
        QĐ 318, 1-10 for QĐ 51; the village set's numbers for villages).
        Default: every criterion.
    year : int, optional
        Default: the latest year in the data.
    level : {"commune", "village"}
        Commune criteria (the workspace's set) or the village criteria set.
        A village criterion is served by the projects of the commune
        criteria linked to it (the village criteria table's
        ``commune_criteria`` column, or the commune criterion of the same
        name).
    office : str, optional
        An office's name or code in the workspace's ``[tables.offices]``: only the
        criteria it leads or supports (for villages, the village criteria linked to
        those). ``attrs["office"]`` names it.
    group_by : str, optional
        The communes layer's column grouping communes (default: ``group_code`` when
        the layers were built with a grouping of the user's own, else the district).
        With more than one group the rows carry ``group_code`` and ``group_name`` and
        :func:`gap_summary` counts per group.
    lang : {"vi", "en"}
        Language of the criterion names and of error messages.

    Returns
    -------
    GeoDataFrame
        One row per gap, sorted by criterion and code: ``year``, ``criterion``,
        ``criterion_name``, ``commune_code``, ``commune_name`` (villages also
        ``village_code``, ``village_name``, ``population``,
        ``commune_criteria``), ``projects`` (count), ``project_ids``,
        ``project_status``, ``capital`` (million VND), ``gap_status``
        ("addressed" / "unaddressed"), ``finished_ids`` (projects serving the
        criterion there that were finished by ``year``: the gap remains
        although a project was done) and the unit's geometry.
        ``attrs["criteria"]`` lists the criteria asked for.

    Raises
    ------
    CriteriaError
        For a criterion number not in the set.
    DataError
        For a year without data.
    OptionError
        For an unknown office (the message lists them), or a workspace without an
        offices table.
    """
    q = load_data(data, lang=lang)
    if level not in ("commune", "village"):
        raise DataError(_m("bad_level", lang, value=level), value=level)
    if level == "commune":
        cset = _commune_set(q)
        status = q.get("commune_status")
        code_col = "code"
    else:
        status = q.get("village_status")
        cset = _village_set(q, status)
        code_col = "code"
    numbers = list(cset.numbers) if criterion is None else [cset.get(int(criterion)).number]
    office_name = None
    if office is not None:
        office_name, mine = _office_criteria(q, office)
        if level == "village":
            links = _village_links(q, cset)
            numbers = [n for n in numbers if set(links.get(n, ())) & set(mine)]
        else:
            numbers = [n for n in numbers if n in mine]
    year = pick_year(status["year"], year, lang)
    st = status[pd.to_numeric(status["year"], errors="coerce") == year]
    long = _criteria_long(st, cset, numbers)
    long = long[long["met"] == 0]
    rows = st.loc[long["_row"].to_numpy()].reset_index(drop=True)
    g = pd.DataFrame({
        "year": year,
        "criterion": long["criterion"].to_numpy(dtype=int),
        "criterion_name": [cset.get(n).name(lang) for n in long["criterion"]],
    })
    prj = q.get("projects", geometry=False, columns=(
        "project_id", "commune_code", "village_code", "criteria", "status", "year_end",
        "cap_total"))
    by_crit = _projects_by_criterion(pd.DataFrame(prj.drop(columns="geometry", errors="ignore")))
    addressing = _addresses(by_crit, year)
    # Projects serving the criterion that were finished by ``year`` and yet the gap remains.
    done = by_crit[~addressing & (by_crit["status"] == "finished")]
    by_crit = by_crit[addressing]
    if level == "commune":
        g["commune_code"] = rows[code_col].to_numpy()
        g["commune_name"] = rows["name"].to_numpy()
        g = _join_projects(g, by_crit, ["commune_code", "criterion"])
        g = _join_finished(g, done, ["commune_code", "criterion"])
        geom = _unit_geometry(q, rows, "communes", st)
        cols = ["year", "criterion", "criterion_name", "commune_code", "commune_name",
                "projects", "project_ids", "project_status", "capital", "gap_status",
                "finished_ids"]
        sort = ["criterion", "commune_code"]
    else:
        vill = q.get("villages", required=False)
        g["village_code"] = rows[code_col].to_numpy()
        g["village_name"] = rows["name"].to_numpy()
        g["commune_code"] = rows["commune_code"].to_numpy()
        names = {}
        if vill is not None:
            names = dict(zip(vill["code"], vill.get("commune_name", vill["commune_code"]),
                             strict=False))
        g["commune_name"] = g["village_code"].map(names)
        pop = {} if vill is None or "population" not in vill else dict(
            zip(vill["code"], vill["population"], strict=False))
        g["population"] = pd.array(g["village_code"].map(pop), dtype="Int64")
        links = _village_links(q, cset)
        g["commune_criteria"] = g["criterion"].map(lambda n: ";".join(map(str, links.get(n, ()))))
        # A village criterion is served by projects in the village serving a linked
        # commune criterion.
        link_rows = pd.DataFrame([(v, c) for v, cs in links.items() for c in cs],
                                 columns=["criterion", "commune_criterion"])
        def linked(frame: pd.DataFrame) -> pd.DataFrame:
            out = frame.rename(columns={"criterion": "commune_criterion"}).merge(
                link_rows, on="commune_criterion")
            return out.drop_duplicates(["project_id", "village_code", "criterion"])

        g = _join_projects(g, linked(by_crit), ["village_code", "criterion"])
        g = _join_finished(g, linked(done), ["village_code", "criterion"])
        geom = _unit_geometry(q, rows, "villages", st)
        cols = ["year", "criterion", "criterion_name", "village_code", "village_name",
                "commune_code", "commune_name", "population", "commune_criteria", "projects",
                "project_ids", "project_status", "capital", "gap_status", "finished_ids"]
        sort = ["criterion", "village_code"]
    out = gpd.GeoDataFrame(g[cols], geometry=geom.to_numpy(), crs=geom.crs)
    out = out.sort_values(sort, kind="stable").reset_index(drop=True)
    out.attrs.update(query="gaps", level=level, year=year, criteria=numbers,
                     criteria_names={n: cset.get(n).name(lang) for n in numbers})
    if office_name is not None:
        out.attrs["office"] = office_name
    groups = _groups(q, group_by, lang)
    if groups is not None:  # a province: each gap's group, for the summary per group
        out.attrs["groups"] = sorted({g for g in groups.values() if g[0]})
        out.insert(0, "group_name", [groups.get(str(c), ("", ""))[1] for c in out["commune_code"]])
        out.insert(0, "group_code", [groups.get(str(c), ("", ""))[0] for c in out["commune_code"]])
    return out


def _groups(q: QueryData, group_by: str | None, lang: str) -> dict | None:
    """Each commune's group (code -> (code, name)), or None when there is only one."""
    communes = q.get("communes", required=False, geometry=False)
    if communes is None or not len(communes):
        return None
    ws = q.workspace
    by = group_by if group_by is not None else (
        "group_code" if "group_code" in communes else getattr(ws, "group_by", None))
    if by is not None and by not in communes and by not in ("district_code", "district_name"):
        if group_by is not None:  # the built layers keep only the grouping they were built by
            raise OptionError(_m("group_not_built", lang, column=by))
        by = None  # the workspace names a column the built layers do not carry
    groups = commune_groups(communes, by, getattr(ws, "district_code", None),
                            getattr(ws, "name", None), lang)
    return groups if len({g for g in groups.values() if g[0]}) > 1 else None


def _office_criteria(q: QueryData, office: str) -> tuple[str, tuple[int, ...]]:
    """The office ``office`` names in the workspace's offices table, and its criteria."""
    if q.workspace is None:
        raise OptionError(_m("no_workspace_office", q.lang))
    return workspace_office(q.workspace, office, _commune_set(q), lang=q.lang)


def _village_set(q: QueryData, status: pd.DataFrame) -> CriteriaSet:
    if q.village_set is not None:
        return q.village_set
    nums = sorted(int(c[2:]) for c in status.columns if c.startswith("vc") and c[2:].isdigit())
    if not nums:
        raise CriteriaError(_m("no_village_set", q.lang))
    crits = tuple(Criterion(n, f"Tiêu chí {n}", f"Criterion {n}", prefix="vc") for n in nums)
    return CriteriaSet("village", "Bộ tiêu chí bản", "Village criteria", crits)


def _commune_set(q: QueryData) -> CriteriaSet:
    """The commune set the layers were built on (``metadata``: QĐ 318 unless it names one)."""
    return metadata_criteria_set(q.get("metadata", required=False, geometry=False),
                                 q.workspace, lang=q.lang)


def _village_links(q: QueryData, vset: CriteriaSet) -> dict[int, tuple[int, ...]]:
    """Commune criteria serving each village criterion: configured, else by equal name."""
    by_name = {fold(c.name_vi): c.number for c in _commune_set(q)}
    links = {}
    for c in vset:
        if c.number in q.village_links:
            links[c.number] = tuple(q.village_links[c.number])
        elif fold(c.name_vi) in by_name:
            links[c.number] = (by_name[fold(c.name_vi)],)
    return links


def _unit_geometry(q: QueryData, rows: pd.DataFrame, layer: str,
                   status: pd.DataFrame) -> gpd.GeoSeries:
    """Geometry of each gap row: the status layer's own, else the unit layer's by code."""
    if isinstance(status, gpd.GeoDataFrame) and status.geometry.notna().any():
        return gpd.GeoSeries(rows.geometry.to_numpy(), crs=status.crs)
    units = q.get(layer, required=False)
    if units is None:
        return gpd.GeoSeries([None] * len(rows), crs=q.crs)
    geo = dict(zip(units["code"], units.geometry, strict=False))
    return gpd.GeoSeries(rows["code"].map(geo).to_numpy(), crs=units.crs)


def gap_summary(gap_rows: pd.DataFrame, *, lang: str = "vi") -> pd.DataFrame:
    """District-level count per criterion of the gaps from :func:`gaps`.

    Parameters
    ----------
    gap_rows : DataFrame
        The result of :func:`gaps`; every criterion it was asked for gets a
        row, with zeros where there is no gap.
    lang : {"vi", "en"}
        Language of the criterion names.

    Returns
    -------
    DataFrame
        ``criterion``, ``criterion_name``, ``gaps``, ``addressed``,
        ``unaddressed``, ``capital`` (million VND of the addressing
        projects) and, for villages, ``population_unaddressed``. When the rows
        carry groups (:func:`gaps` on several groups), ``group_code`` and
        ``group_name`` come first: the total's rows (group empty), then each
        group's, sorted by group code.
    """
    if "group_code" in gap_rows:
        parts = [_summary(gap_rows, lang).assign(group_code="", group_name="")]
        # every group, a group without gaps too (its rows of zeros)
        groups = gap_rows.attrs.get("groups") or sorted(
            set(zip(gap_rows["group_code"], gap_rows["group_name"], strict=True)))
        for code, name in groups:
            rows = gap_rows[(gap_rows["group_code"] == code).to_numpy()]
            rows.attrs = dict(gap_rows.attrs)
            parts.append(_summary(rows, lang).assign(group_code=code, group_name=name))
        out = pd.concat(parts, ignore_index=True)
        out = out[["group_code", "group_name", *[c for c in out.columns
                                                  if c not in ("group_code", "group_name")]]]
        out.attrs.update(parts[0].attrs)
        return out
    return _summary(gap_rows, lang)


def _summary(gap_rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """:func:`gap_summary` of one set of rows."""
    numbers = gap_rows.attrs.get("criteria") or sorted(gap_rows["criterion"].unique())
    names = gap_rows.attrs.get("criteria_names") or dict(
        zip(gap_rows["criterion"], gap_rows["criterion_name"], strict=False))
    g = pd.DataFrame(gap_rows.drop(columns="geometry", errors="ignore"))
    g["_addr"] = g["gap_status"] == "addressed"
    g["_unaddr"] = ~g["_addr"]
    agg = {"gaps": ("gap_status", "size"), "addressed": ("_addr", "sum"),
           "unaddressed": ("_unaddr", "sum"), "capital": ("capital", "sum")}
    village = "population" in g
    if village:
        g["_pop_un"] = pd.to_numeric(g["population"], errors="coerce").where(g["_unaddr"])
        agg["population_unaddressed"] = ("_pop_un", "sum")
    s = g.groupby("criterion").agg(**agg) if len(g) else None
    out = pd.DataFrame({"criterion": [int(n) for n in numbers]})
    out["criterion_name"] = out["criterion"].map(lambda n: names.get(n, str(n)))
    if s is not None:
        out = out.merge(s.reset_index(), on="criterion", how="left")
    for col in ("gaps", "addressed", "unaddressed") + (
            ("population_unaddressed",) if village else ()):
        out[col] = (out[col] if col in out else 0)
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    out["capital"] = pd.to_numeric(out.get("capital", 0.0)).fillna(0.0).astype(float)
    cols = ["criterion", "criterion_name", "gaps", "addressed", "unaddressed", "capital"]
    if village:
        cols.append("population_unaddressed")
    out = out[cols]
    out.attrs.update(query="gap_summary", level=gap_rows.attrs.get("level"),
                     year=gap_rows.attrs.get("year"))
    return out

