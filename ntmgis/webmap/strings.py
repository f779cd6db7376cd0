"""Texts of the HTML maps, Vietnamese and English, handed to the browser as data.

Kept here rather than in :mod:`ntmgis.i18n` because only the map's script
uses them; enum labels (status, category, sources ...) still come from
``ntmgis.i18n.labels``.
"""

from __future__ import annotations

__all__ = ["map_strings"]

_STRINGS: dict[str, tuple[str, str]] = {
    "overview": ("Bản đồ tổng quan nông thôn mới", "New rural development overview map"),
    "criterion_title": ("Tiêu chí {n}: {name}", "Criterion {n}: {name}"),
    "year": ("Năm", "Year"),
    "data_date": ("Số liệu đến ngày", "Data as of"),
    "view": ("Hiển thị xã theo", "Show communes by"),
    "view_count": ("Số tiêu chí đạt", "Criteria met"),
    "view_met": ("Đạt / chưa đạt tiêu chí", "Criterion met / not met"),
    "view_change": ("Thay đổi so với năm trước", "Change since the previous year"),
    "layers": ("Lớp bản đồ", "Layers"),
    "g_background": ("Nền", "Background"),
    "g_monitoring": ("Giám sát nông thôn mới", "NTM monitoring"),
    "g_investment": ("Đầu tư", "Investment"),
    "g_infrastructure": ("Hạ tầng", "Infrastructure"),
    "g_results": ("Kết quả", "Results"),
    "g_context": ("Tham khảo", "Context"),
    "hillshade": ("Địa hình (bóng đổ)", "Terrain (hillshade)"),
    "osm": ("Bản đồ nền trực tuyến (OpenStreetMap, cần mạng)",
            "Online base map (OpenStreetMap, needs internet)"),
    "communes": ("Xã", "Communes"),
    "villages": ("Bản", "Villages"),
    "projects": ("Dự án", "Projects"),
    "project_lines": ("Tuyến công trình", "Project lines"),
    "facilities": ("Cơ sở hạ tầng xã hội", "Social facilities"),
    "roads": ("Đường giao thông", "Roads"),
    "size_by_capital": ("Kích thước theo tổng vốn", "Size by total capital"),
    "legend": ("Chú giải", "Legend"),
    "search": ("Tìm xã, bản, dự án…", "Find a commune, village, project…"),
    "search_results": ("Tìm kiếm", "Search"),
    "no_results": ("Không tìm thấy", "Nothing found"),
    "fullscreen": ("Toàn màn hình", "Full screen"),
    "criterion": ("Tiêu chí", "Criterion"),
    "communes_meeting": ("Số xã đạt", "Communes meeting it"),
    "criteria_met": ("Số tiêu chí đạt", "Criteria met"),
    "ntm_yes": ("Đạt chuẩn nông thôn mới", "Recognised NTM"),
    "ntm_no": ("Chưa đạt chuẩn nông thôn mới", "Not yet NTM"),
    "not_in_programme": ("Không thuộc chương trình", "Not in the programme"),
    "no_data": ("Chưa có số liệu", "No data"),
    "target": ("Mục tiêu kế hoạch {year}", "Plan target {year}"),
    "target_ntm": ("đạt chuẩn nông thôn mới", "recognised NTM"),
    "target_criteria": ("{n} tiêu chí", "{n} criteria"),
    "target_none": ("không đặt", "none set"),
    "projects_in_commune": ("Dự án trên địa bàn xã", "Projects in the commune"),
    "no_projects": ("Không có dự án", "No projects"),
    "total": ("Tổng cộng", "Total"),
    "funding_total": ("Tổng vốn", "Total capital"),
    "million": ("triệu đồng", "million VND"),
    "capital_by_source": ("Vốn theo nguồn (triệu đồng)", "Capital by source (million VND)"),
    "disbursed": ("Đã giải ngân", "Disbursed"),
    "criteria_served": ("Tiêu chí phục vụ", "Criteria served"),
    "years": ("Thời gian thực hiện", "Years"),
    "status": ("Tình trạng", "Status"),
    "location": ("Địa điểm", "Location"),
    "category": ("Loại công trình", "Category"),
    "gained": ("Tiêu chí mới đạt", "Criteria newly met"),
    "lost": ("Tiêu chí không còn đạt", "Criteria lost"),
    "change_gained": ("Có tiêu chí mới đạt", "Criteria newly met"),
    "change_lost": ("Có tiêu chí không còn đạt", "Criteria lost"),
    "change_both": ("Vừa có tiêu chí mới đạt, vừa mất", "Both gained and lost"),
    "change_none": ("Không thay đổi", "No change"),
    "change_first": ("Năm đầu kỳ: không có năm trước", "First year: no previous year"),
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "village_ntm": ("Bản đạt chuẩn nông thôn mới", "NTM village"),
    "village_not": ("Bản chưa đạt chuẩn", "Village not yet NTM"),
    "village_criteria": ("Tiêu chí bản đạt", "Village criteria met"),
    "communes_met": ("Số xã đạt: {met}/{total}", "Communes meeting it: {met}/{total}"),
    "communes_target": ("mục tiêu {year}: {n} xã", "target {year}: {n} communes"),
    "ntm_communes": ("Xã đạt chuẩn NTM: {n}/{total}", "NTM communes: {n}/{total}"),
    "avg_criteria": ("Bình quân {x} tiêu chí/xã", "On average {x} criteria per commune"),
    "all_maps": ("Danh sách bản đồ", "All maps"),
    "commune": ("Xã", "Commune"),
    "village": ("Bản", "Village"),
    "project": ("Dự án", "Project"),
    "facility": ("Cơ sở", "Facility"),
    "serving": ("phục vụ tiêu chí {n}", "serving criterion {n}"),
    "population": ("Dân số", "Population"),
    "close": ("Đóng", "Close"),
    "features": ("đối tượng", "features"),
    "note_status": ("Tình trạng dự án theo năm suy ra từ năm bắt đầu/kết thúc",
                    "Project status by year derived from start/end years"),
}


def map_strings(lang: str) -> dict[str, str]:
    """All texts of the map in ``lang`` (``"vi"`` or ``"en"``)."""
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in _STRINGS.items()}
