"""How query results read: column headings, display strings, one-line summaries.

:func:`result_table` is what ``ntmgis query`` prints; :func:`describe` the
summary line above it (and the subtitle of the result map).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.i18n import fmt_money, fmt_number, label

__all__ = ["HEADINGS", "heading", "result_table", "describe"]

#: Column headings: column -> (Vietnamese, English).
HEADINGS: dict[str, tuple[str, str]] = {
    "year": ("Năm", "Year"),
    "criterion": ("TC", "No."),
    "criterion_name": ("Tiêu chí", "Criterion"),
    "commune_code": ("Mã xã", "Commune code"),
    "commune_name": ("Xã", "Commune"),
    "village_code": ("Mã bản", "Village code"),
    "village_name": ("Bản", "Village"),
    "population": ("Dân số", "Population"),
    "commune_criteria": ("TC xã liên quan", "Commune criteria"),
    "projects": ("Số dự án", "Projects"),
    "project_ids": ("Dự án", "Projects"),
    "project_status": ("Tình trạng", "Status"),
    "capital": ("Vốn (triệu đồng)", "Capital (million VND)"),
    "gap_status": ("Kết luận", "Gap"),
    "finished_ids": ("Dự án đã xong, vẫn chưa đạt", "Finished, gap remains"),
    "gaps": ("Số nơi chưa đạt", "Gaps"),
    "addressed": ("Đã có dự án", "Addressed"),
    "unaddressed": ("Chưa có dự án", "Unaddressed"),
    "population_unaddressed": ("Dân số chưa có dự án", "Population unaddressed"),
    "facility_id": ("Mã cơ sở", "Facility id"),
    "facility_name": ("Cơ sở gần nhất", "Nearest facility"),
    "distance_km": ("Khoảng cách (km)", "Distance (km)"),
    "minutes": ("Thời gian (phút)", "Time (minutes)"),
    "offroad_m": ("Đi bộ ra đường (m)", "Walk to road (m)"),
    "gap": ("Vượt ngưỡng", "Beyond threshold"),
    "project_id": ("Mã dự án", "Project id"),
    "name": ("Tên", "Name"),
    "category": ("Loại", "Category"),
    "status": ("Tình trạng", "Status"),
    "located_commune_code": ("Mã xã thực tế", "Located in (code)"),
    "located_commune_name": ("Nằm trong xã", "Located in"),
    "dist_commune_m": ("Cách ranh giới xã (m)", "From commune edge (m)"),
    "dist_village_m": ("Cách bản (m)", "From village (m)"),
    "outside_commune": ("Ngoài xã", "Outside commune"),
    "far_from_village": ("Xa bản", "Far from village"),
    "unknown_commune": ("Mã xã lạ", "Unknown commune"),
    "criteria": ("Tiêu chí", "Criteria"),
    "year_start": ("Bắt đầu", "Start"),
    "year_end": ("Kết thúc", "End"),
    "cap_total": ("Tổng vốn (triệu đồng)", "Total (million VND)"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
}

_GAP_LABELS = {"addressed": ("Đã có dự án", "Addressed"),
               "unaddressed": ("Chưa có dự án", "Unaddressed")}

#: Columns shown in the terminal table of each query.
_TABLE_COLUMNS: dict[str, list[str]] = {
    "gaps-commune": ["criterion", "criterion_name", "commune_code", "commune_name",
                     "gap_status", "project_ids", "project_status", "capital",
                     "finished_ids"],
    "gaps-village": ["criterion", "criterion_name", "village_name", "commune_name",
                     "population", "commune_criteria", "gap_status", "project_ids",
                     "project_status", "capital", "finished_ids"],
    "gap_summary": ["criterion", "criterion_name", "gaps", "addressed", "unaddressed",
                    "capital", "population_unaddressed"],
    "access": ["village_code", "village_name", "commune_name", "population", "facility_name",
               "distance_km", "minutes", "offroad_m", "gap"],
    "misplaced": ["project_id", "name", "commune_name", "located_commune_name",
                  "dist_commune_m", "village_name", "dist_village_m"],
    "projects": ["project_id", "name", "commune_name", "village_name", "criteria",
                 "year_start", "year_end", "status", "cap_total", "distance_km"],
}

_DECIMALS = {"distance_km": 2, "minutes": 0, "offroad_m": 0, "dist_commune_m": 0,
             "dist_village_m": 0}


def heading(column: str, lang: str = "vi") -> str:
    """The heading of a result column in ``lang`` (the column name if unknown)."""
    pair = HEADINGS.get(column)
    return column if pair is None else (pair[1] if lang == "en" else pair[0])


def _fmt(column: str, value: Any, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if column == "gap_status":
        return _GAP_LABELS[value][1 if lang == "en" else 0]
    if column in ("status", "category"):
        return label(column, value, lang)
    if column == "project_status":
        return "; ".join(label("status", s, lang) for s in str(value).split(";") if s)
    if isinstance(value, (bool, np.bool_)):
        return ("Có" if value else "Không") if lang != "en" else ("yes" if value else "no")
    if column in ("capital", "cap_total", "disbursed"):
        return fmt_money(float(value), lang)
    if column in ("year", "year_start", "year_end", "criterion"):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return fmt_number(int(value), lang)
    if isinstance(value, (float, np.floating)):
        return fmt_number(float(value), lang, _DECIMALS.get(column, 1))
    return str(value)


def _table_kind(result: pd.DataFrame) -> str:
    kind = result.attrs.get("query", "")
    if kind == "gaps":
        return f"gaps-{result.attrs.get('level', 'commune')}"
    return kind


def result_table(result: pd.DataFrame, *, lang: str = "vi",
                 columns: list[str] | None = None) -> pd.DataFrame:
    """The result as display strings with headings in ``lang`` (what the terminal shows).

    Numbers are formatted the Vietnamese way (1.234,5) or the English way,
    statuses and categories are labelled, missing values are an en dash.
    """
    cols = columns or _TABLE_COLUMNS.get(_table_kind(result)) or [
        c for c in result.columns if c != "geometry"]
    cols = [c for c in cols if c in result.columns]
    out = pd.DataFrame({heading(c, lang): [_fmt(c, v, lang) for v in result[c]] for c in cols})
    out.attrs = dict(result.attrs)
    return out


def describe(result: pd.DataFrame, *, lang: str = "vi") -> str:
    """A one-line summary of a result, for the terminal and the map subtitle."""
    kind = result.attrs.get("query")
    en = lang == "en"
    if kind == "gaps":
        unit = ("villages" if en else "bản") if result.attrs.get("level") == "village" else (
            "communes" if en else "xã")
        n_un = int((result["gap_status"] == "unaddressed").sum())
        year = result.attrs.get("year")
        if en:
            return (f"{len(result)} gaps ({unit} not meeting a criterion) in {year}; "
                    f"{n_un} without a project")
        return (f"{len(result)} trường hợp {unit} chưa đạt tiêu chí năm {year}; "
                f"{n_un} chưa có dự án")
    if kind == "access":
        a = result.attrs
        fac = label("facility", a["to"], lang)
        mode = {"straight": ("đường chim bay", "straight line"),
                "road": ("theo đường bộ", "along roads"),
                "terrain": ("theo địa hình", "over terrain")}[a["by"]][1 if en else 0]
        if a.get("max_km") is None and a.get("max_minutes") is None:
            return (f"Nearest {fac.lower()} from each village, {mode}" if en else
                    f"{fac} gần nhất của mỗi bản, {mode}")
        lim = (f"{fmt_number(a['max_km'], lang, 1)} km" if a.get("max_km") is not None
               else f"{fmt_number(a['max_minutes'], lang)} {'minutes' if en else 'phút'}")
        pop = fmt_number(a["gap_population"], lang)
        if en:
            return (f"{a['gaps']} villages beyond {lim} from a {fac.lower()} ({mode}); "
                    f"population {pop}")
        return f"{a['gaps']} bản cách {fac.lower()} quá {lim} ({mode}); dân số {pop}"
    if kind == "misplaced":
        lim = fmt_number(result.attrs.get("max_village_m", 0), lang)
        if en:
            return (f"{len(result)} of {result.attrs.get('checked')} projects outside their "
                    f"commune or over {lim} m from their village")
        return (f"{len(result)}/{result.attrs.get('checked')} dự án nằm ngoài xã đã kê khai "
                f"hoặc cách bản quá {lim} m")
    if kind == "projects":
        return f"{len(result)} projects" if en else f"{len(result)} dự án"
    return ""

