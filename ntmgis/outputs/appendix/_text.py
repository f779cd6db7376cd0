"""Messages of the map appendix (Vietnamese first, English as an option)."""

from __future__ import annotations

from ntmgis.core.i18n import catalog
from ntmgis.core.i18n import t as _core_t

__all__ = ["tr", "fmt_date", "PAGE_KINDS"]

# The kinds of page, in the order of the appendix.
PAGE_KINDS = ("overview", "criteria", "communes", "investment", "progress")
# Above this many pages an atlas is split by group (:mod:`._split`); kept here, with the
# other names the command line needs, so that ``ntmgis`` starts without matplotlib.
SPLIT_ABOVE = 100

# key -> (Vietnamese, English); formatted with str.format(**kw).
MESSAGES: dict[str, tuple[str, str]] = {
    "appendix_title": ("Phụ lục bản đồ", "Map appendix"),
    "page_no": ("Phụ lục bản đồ số {n}", "Map appendix no. {n}"),
    "report_line": ("(Kèm theo Báo cáo số {ref} ngày {date} của {issuer})",
                    "(Attached to Report No. {ref} of {date} by {issuer})"),
    "crs_tm_zone": ("Hệ tọa độ {datum}, kinh tuyến trục {lon}, múi chiếu {zone}° ({code})",
                    "Coordinates: {datum}, central meridian {lon}, {zone}° zone ({code})"),
    "crs_tm": ("Hệ tọa độ {datum}, kinh tuyến trục {lon} ({code})",
               "Coordinates: {datum}, central meridian {lon} ({code})"),
    "crs_other": ("Hệ tọa độ {name} ({code})", "Coordinates: {name} ({code})"),
    "subtitle": ("{district}, {province} – năm {year}", "{district}, {province} – {year}"),
    "subtitle_one": ("{area} – năm {year}", "{area} – {year}"),
    "subtitle_range": ("{district}, {province} – giai đoạn {period}",
                       "{district}, {province} – {period}"),
    "source": ("Nguồn: {source}. Số liệu đến ngày {date}.", "Source: {source}. Data as of {date}."),
    "source_default": (
        "cơ sở dữ liệu giám sát nông thôn mới {area} (ntmgis {version}); "
        "nền địa hình tính từ mô hình số độ cao",
        "new rural development monitoring database, {area} (ntmgis {version}); "
        "relief shaded from the elevation model",
    ),
    "source_default_flat": (
        "cơ sở dữ liệu giám sát nông thôn mới {area} (ntmgis {version})",
        "new rural development monitoring database, {area} (ntmgis {version})",
    ),
    "title_overview": ("KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI",
                       "COMMUNES BY NEW RURAL DEVELOPMENT CRITERIA MET"),
    "title_criterion": ("TIÊU CHÍ SỐ {n}: {name}", "CRITERION {n}: {name}"),
    "title_commune": ("{name}: BẢN, DỰ ÁN, CƠ SỞ VÀ {n} TIÊU CHÍ",
                      "{name}: VILLAGES, PROJECTS, FACILITIES AND {n} CRITERIA"),
    "title_investment": ("VỐN ĐẦU TƯ XÂY DỰNG NÔNG THÔN MỚI",
                         "INVESTMENT IN NEW RURAL DEVELOPMENT"),
    "title_progress": ("TIẾN ĐỘ XÂY DỰNG NÔNG THÔN MỚI {period}",
                       "NEW RURAL DEVELOPMENT PROGRESS {period}"),
    "legend": ("CHÚ GIẢI", "LEGEND"),
    "locator": ("Sơ đồ vị trí", "Location map"),
    "criteria_met": ("Số tiêu chí đạt", "Criteria met"),
    "ntm_marker": ("Xã đạt chuẩn nông thôn mới", "Commune recognised NTM"),
    "not_in_programme": ("Thị trấn (không xét xã NTM)", "Not in the programme (township)"),
    "district_boundary": ("Ranh giới huyện", "District boundary"),
    "area_boundary": ("Ranh giới {kind}", "{kind} boundary"),
    "commune_boundary": ("Ranh giới xã", "Commune boundary"),
    "province_boundary": ("Ranh giới tỉnh", "Province boundary"),
    "this_commune": ("Xã đang xem", "This commune"),
    "map_extent": ("Phạm vi bản đồ", "Map extent"),
    "neighbour": ("Xã lân cận", "Neighbouring commune"),
    "relief": ("Nền địa hình (bóng đổ)", "Relief (hillshade)"),
    "scale": ("Tỷ lệ 1:{d}", "Scale 1:{d}"),
    "north": ("B", "N"),
    "km": ("km", "km"),
    "million_vnd": ("triệu đồng", "million VND"),
    "projects_by_status": ("Dự án (theo tình trạng)", "Projects (by status)"),
    "project_line": ("Tuyến công trình", "Project lines"),
    "facilities": ("Cơ sở hạ tầng", "Facilities"),
    "roads": ("Đường", "Roads"),
    "villages": ("Bản", "Villages"),
    "village_ntm": ("Bản đạt chuẩn nông thôn mới", "Village recognised NTM"),
    "village_not": ("Bản chưa đạt chuẩn", "Village not yet NTM"),
    "village_unknown": ("Bản (chưa có số liệu đạt chuẩn)", "Village (no NTM data)"),
    "no_data": ("chưa có số liệu", "no data"),
    "symbol_true_place": ("Vị trí thật (ký hiệu dời ra cho khỏi chồng nhau)",
                          "True place (symbols moved apart)"),
    "criterion_result": ("Kết quả tiêu chí", "Criterion result"),
    # overview table
    "tbl_indicator": ("Chỉ tiêu", "Indicator"),
    "tbl_result": ("Kết quả {year}", "{year}"),
    "tbl_plan": ("Kế hoạch {year}", "Plan {year}"),
    "row_ntm": ("Xã đạt chuẩn NTM", "Communes recognised NTM"),
    "row_avg": ("Bình quân tiêu chí/xã", "Average criteria per commune"),
    "row_below": ("Xã dưới {n} tiêu chí", "Communes below {n} criteria"),
    "row_villages": ("Bản đạt chuẩn NTM", "Villages recognised NTM"),
    "row_classes": ("Số xã theo nhóm", "Communes by class"),
    "summary": ("TỔNG HỢP TOÀN {kind}", "{kind} SUMMARY"),
    "plan_reached": ("Đạt hoặc vượt kế hoạch", "Plan reached"),
    "plan_short": ("Chưa đạt kế hoạch", "Short of the plan"),
    "n_of": ("{n}/{total}", "{n}/{total}"),
    "communes_in_class": ("{n} xã", "{n} communes"),
    # criterion page
    "crit_met": ("Số xã đạt năm {year}: {met}/{total} ({share})",
                 "Communes meeting it in {year}: {met}/{total} ({share})"),
    "crit_target": ("Kế hoạch đến {year}: {target} xã ({share})",
                    "Plan for {year}: {target} communes ({share})"),
    "crit_gap": ("Còn thiếu so với kế hoạch: {gap} xã", "Short of the plan by {gap} communes"),
    "crit_reached": ("Đã đạt kế hoạch", "Plan target reached"),
    "crit_projects": ("Dự án phục vụ tiêu chí: {n}; vốn {cap} triệu đồng",
                      "Projects serving it: {n}; {cap} million VND"),
    "col_commune": ("Xã", "Commune"),
    "col_result": ("Kết quả", "Result"),
    "col_projects": ("Số dự án", "Projects"),
    "col_capital": ("Vốn (tr.đ)", "Capital (m VND)"),
    "col_no": ("TT", "No."),
    "col_criterion": ("Tiêu chí", "Criterion"),
    "col_since": ("Năm đạt", "Met since"),
    "total": ("Tổng", "Total"),
    "too_many_rows": ("Bảng theo xã ({n} xã): xem báo cáo kèm theo",
                      "Table by commune ({n} communes): see the report"),
    "by_commune": ("THEO XÃ", "BY COMMUNE"),
    # commune page
    "scorecard": ("KẾT QUẢ {n} TIÊU CHÍ NĂM {year}", "{n} CRITERIA IN {year}"),
    "com_met": ("Đạt {met}/{total} tiêu chí{ntm}", "{met}/{total} criteria met{ntm}"),
    "com_ntm_suffix": (" - đạt chuẩn nông thôn mới", " - recognised NTM"),
    "com_villages": ("Bản đạt chuẩn NTM: {n}/{total}", "Villages recognised NTM: {n}/{total}"),
    "com_villages_unknown": ("Bản đạt chuẩn NTM: chưa có số liệu ({total} bản)",
                             "Villages recognised NTM: no data ({total} villages)"),
    "com_missed": ("⚠ KHÔNG ĐẠT MỤC TIÊU {year}: {gap}", "⚠ TARGET FOR {year} MISSED: {gap}"),
    "office_none": ("{office} không chủ trì, phối hợp tiêu chí nào: không có trang để vẽ",
                    "{office} leads or supports no criterion: there is no page to draw"),
    "com_late": ("⚠ Chậm so với lộ trình: tiêu chí {criteria}",
                 "⚠ Behind the roadmap: criteria {criteria}"),
    "com_behind": ("⚠ Chưa đạt mục tiêu {year}: {gap}", "⚠ Not yet at the {year} target: {gap}"),
    "gap_ntm": ("chưa đạt chuẩn NTM", "not recognised NTM"),
    "gap_criteria": ("còn thiếu {n} tiêu chí", "{n} criteria short"),
    "com_projects": ("Dự án: {n}; vốn {cap} triệu đồng", "Projects: {n}; {cap} million VND"),
    "com_target": ("Mục tiêu {year}: {target}", "Target {year}: {target}"),
    "target_ntm": ("đạt chuẩn NTM", "recognised NTM"),
    "target_criteria": ("{n} tiêu chí", "{n} criteria"),
    # investment page
    "cap_by_commune": ("Tổng vốn theo xã (triệu đồng)", "Capital by commune (million VND)"),
    "cap_by_group": ("Tổng vốn theo {kind} (triệu đồng)", "Capital by {kind} (million VND)"),
    "cap_by_group_note": ("Vòng tròn từng xã chồng lên nhau ở tỷ lệ này: gộp theo {kind}",
                          "Commune circles would overlap at this scale: summed by {kind}"),
    "by_group": ("THEO {kind}", "BY {kind}"),
    "col_group": ("Đơn vị", "Unit"),
    "cap_by_source": ("VỐN THEO NGUỒN (triệu đồng)", "CAPITAL BY SOURCE (million VND)"),
    "col_source": ("Nguồn vốn", "Source"),
    "col_plan": ("Kế hoạch", "Plan"),
    "col_list": ("Dự án đến {year}", "Projects to {year}"),
    "inv_total": ("Tổng vốn danh mục: {cap} triệu đồng; {n} dự án",
                  "Project list total: {cap} million VND; {n} projects"),
    # progress page
    "prog_year": ("{ntm} xã NTM; bình quân {avg} tiêu chí/xã", "{ntm} NTM; avg {avg} criteria"),
    "col_year": ("Năm", "Year"),
    "col_ntm": ("Xã NTM", "NTM"),
    "col_avg": ("BQ TC/xã", "Avg. crit."),
    "col_below": ("Dưới {n} TC", "Below {n}"),
    "col_ntm_villages": ("Bản NTM", "NTM villages"),
    "plan_row": ("KH {year}", "Plan {year}"),
    "plan_row_note": ("KH {year}: kế hoạch đến năm {year}",
                      "Plan {year}: the plan's target for {year}"),
    "same_scale": ("Các bản đồ cùng tỷ lệ 1:{d}", "All maps at scale 1:{d}"),
    # errors / cli
    "bad_year": ("Năm {year} không có trong số liệu; các năm có: {years}",
                 "Year {year} is not in the data; years present: {years}"),
    "bad_size": ("Khổ giấy '{size}' không hỗ trợ; dùng A4 hoặc A3",
                 "Paper size '{size}' is not supported; use A4 or A3"),
    "bad_format": ("Định dạng '{fmt}' không hỗ trợ; dùng pdf, png",
                   "Format '{fmt}' is not supported; use pdf, png"),
    "bad_pages": ("Loại trang '{kind}' không có; dùng: {kinds}",
                  "Kind of page '{kind}' is unknown; use: {kinds}"),
    "missing_layer": ("{path}: thiếu lớp '{layer}'; chạy lại 'ntmgis build'",
                      "{path}: layer '{layer}' is missing; run 'ntmgis build' again"),
    "missing_columns": ("{path}, lớp '{layer}': thiếu cột {columns}",
                        "{path}, layer '{layer}': columns {columns} are missing"),
    "no_communes": ("{path}: lớp '{layer}' không có xã nào trong chương trình",
                    "{path}: layer '{layer}' has no commune in the programme"),
    # progress bar (on a terminal only) and what a failed page worker says
    "progress_title": ("Vẽ phụ lục bản đồ", "Rendering the map appendix"),
    "progress_pdf": ("Ghi tệp PDF", "Writing the PDF"),
    "page_overview": ("Tổng quan", "Overview"),
    "page_criterion": ("Tiêu chí {n}: {name}", "Criterion {n}: {name}"),
    "page_investment": ("Vốn đầu tư", "Investment"),
    "page_progress": ("Tiến độ {period}", "Progress {period}"),
    "worker_died": ("Một tiến trình vẽ trang đã dừng đột ngột (có thể do hết bộ nhớ); "
                    "chạy lại với --workers 1 hoặc ít tiến trình hơn",
                    "A page-rendering process stopped abruptly (perhaps out of memory); "
                    "run again with --workers 1 or fewer workers"),
    "bad_workers": ("Số tiến trình '{n}' không hợp lệ; dùng một số nguyên từ 1",
                    "Number of workers '{n}' is not valid; use a whole number from 1"),
    "bad_split": ("Số trang '{n}' để chia phụ lục không hợp lệ; dùng một số nguyên từ 0",
                  "Split threshold '{n}' is not valid; use a whole number from 0"),
    "written_pdf": ("Đã ghi phụ lục bản đồ: {path}", "Wrote the map appendix: {path}"),
    "written_split": ("Phụ lục bản đồ chia thành {n} tệp PDF; mục lục ở trang đầu tệp {name}",
                      "The map appendix is split into {n} PDF files; the index opens {name}"),
    "outputs_exist": ("{n} tệp đã có trong {folder}: {paths}; thêm --overwrite để ghi đè",
                      "{n} files exist in {folder}: {paths}; add --overwrite to replace them"),
    "and_more": ("và {n} tệp khác", "and {n} more"),
    # index of a split appendix
    "ix_title": ("MỤC LỤC PHỤ LỤC BẢN ĐỒ", "MAP APPENDIX: INDEX"),
    "ix_page": ("Mục lục", "Index"),
    "ix_page_k": ("Mục lục {k}/{n}", "Index {k}/{n}"),
    "ix_intro": ("Phụ lục gồm {files} tệp PDF, tổng cộng {pages} trang. Số trang là số thứ tự "
                 "của trang trong toàn bộ phụ lục.",
                 "The appendix is {files} PDF files, {pages} pages in all. Page numbers are "
                 "those of the whole appendix."),
    "ix_files": ("CÁC TỆP CỦA PHỤ LỤC", "THE APPENDIX'S FILES"),
    "ix_communes": ("TRA CỨU TRANG CỦA XÃ (THEO THỨ TỰ A-Z)",
                    "FIND A COMMUNE'S PAGE (A TO Z)"),
    "ix_col_no": ("TT", "No."),
    "ix_col_file": ("Tệp", "File"),
    "ix_col_part": ("Nội dung", "Contents"),
    "ix_col_count": ("Số trang", "Pages"),
    "ix_col_numbers": ("Trang số", "Page numbers"),
    "ix_col_communes": ("Số xã", "Communes"),
    "ix_col_group": ("Thuộc", "In"),
    "ix_col_page": ("Trang", "Page"),
    "ix_area_part": ("Mục lục và các trang chung (toàn vùng)", "Index and area-wide pages"),
    "ix_no_group": ("Xã chưa xếp nhóm", "Communes in no group"),
    "written_pngs": ("Đã ghi {n} trang PNG vào {path}", "Wrote {n} PNG pages to {path}"),
}


#: The appendix's messages; keys it lacks come from :data:`ntmgis.core.i18n.t`.
tr = catalog(MESSAGES, fallback=_core_t)


def fmt_date(iso: str, lang: str = "vi") -> str:
    """``"2025-12-31"`` -> ``"31/12/2025"`` (vi) or ``"31 Dec 2025"`` (en); other text as is."""
    parts = str(iso).split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return str(iso)
    y, m, d = (int(p) for p in parts)
    if lang == "en":
        months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        return f"{d} {months[m - 1]} {y}"
    return f"{d:02d}/{m:02d}/{y}"
