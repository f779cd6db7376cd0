"""Vietnamese-first messages, labels and number formats (English as an option).

Every string a user sees goes through :func:`t` or :func:`label`, so that a
new language is a new column here, not a hunt through the code.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from ntmgis.core.errors import OptionError

__all__ = [
    "LANGUAGES",
    "catalog",
    "t",
    "label",
    "labels",
    "check_label",
    "fmt_number",
    "fmt_percent",
    "fmt_money",
    "check_lang",
]

LANGUAGES = ("vi", "en")

# Enumerations: key -> (Vietnamese, English). Keys are the values stored in layers.
_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "preparing": ("Chuẩn bị đầu tư", "Preparing"),
        "under_way": ("Đang thực hiện", "Under way"),
        "finished": ("Hoàn thành", "Finished"),
    },
    "category": {
        "road": ("Giao thông", "Road"),
        "irrigation": ("Thủy lợi", "Irrigation"),
        "electricity": ("Điện", "Electricity"),
        "school": ("Trường học", "School"),
        "culture": ("Nhà văn hóa", "Cultural house"),
        "market": ("Chợ", "Market"),
        "telecom": ("Thông tin - truyền thông", "Telecommunications"),
        "housing": ("Nhà ở", "Housing"),
        "production": ("Phát triển sản xuất", "Production"),
        "water": ("Nước sạch", "Clean water"),
        "health": ("Y tế", "Health"),
        "environment": ("Môi trường", "Environment"),
        "other": ("Khác", "Other"),
    },
    "facility": {
        "school": ("Trường học", "School"),
        "health_station": ("Trạm y tế", "Health station"),
        "cultural_house": ("Nhà văn hóa", "Cultural house"),
        "market": ("Chợ", "Market"),
    },
    "road_class": {
        "provincial": ("Đường tỉnh", "Provincial road"),
        "district": ("Đường huyện", "District road"),
        "commune": ("Đường xã", "Commune road"),
        "village_track": ("Đường bản", "Village track"),
    },
    "source": {
        "central": ("Ngân sách Trung ương", "Central budget"),
        "local": ("Ngân sách địa phương", "Local budget"),
        "integrated": ("Vốn lồng ghép", "Integrated from other programmes"),
        "credit": ("Vốn tín dụng", "Credit"),
        "mobilised": ("Vốn huy động", "Mobilised"),
        "community": ("Cộng đồng dân cư đóng góp", "Community contributions"),
    },
    "class": {
        "ntm": ("Đạt chuẩn NTM (19 tiêu chí)", "Recognised NTM (19 criteria)"),
        "15-18": ("15 - 18 tiêu chí", "15-18 criteria"),
        "10-14": ("10 - 14 tiêu chí", "10-14 criteria"),
        "lt10": ("Dưới 10 tiêu chí", "Below 10 criteria"),
    },
    "met": {
        "1": ("Đạt", "Met"),
        "0": ("Chưa đạt", "Not met"),
        "": ("Chưa có số liệu", "No data"),
    },
    # Checks of ``ntmgis validate`` (the ``check`` column of validation.csv keeps the key).
    "check": {
        "file_missing": ("thiếu tệp", "missing file"),
        "file_unreadable": ("tệp không đọc được", "unreadable file"),
        "format": ("định dạng tệp", "file format"),
        "form": ("biểu mẫu Excel", "Excel form"),
        "missing_column": ("thiếu cột", "missing column"),
        "duplicate_column": ("cột trùng tên", "duplicate column"),
        "missing_value": ("ô trống ở cột bắt buộc", "empty required cell"),
        "blank_cells": ("ô trống", "blank cells"),
        "bad_blank": ("cách hiểu ô trống", "meaning of blank cells"),
        "empty_table": ("bảng trống", "empty table"),
        "nul_byte": ("ký tự rỗng trong tệp", "NUL byte in file"),
        "too_large": ("tệp quá lớn", "file too large"),
        "duplicate_code": ("mã trùng", "duplicate code"),
        "unknown_code": ("mã không có trong danh mục", "unknown code"),
        "code_lost_zero": ("mã mất số 0 ở đầu", "code lost its leading zero"),
        "name_mismatch": ("tên khác với mã", "name differs from code"),
        "no_name": ("thiếu tên", "missing name"),
        "invalid_geometry": ("hình học không hợp lệ", "invalid geometry"),
        "empty_geometry": ("hình học trống", "empty geometry"),
        "geometry_type": ("kiểu hình học", "geometry type"),
        "no_geometry": ("thiếu hình học", "no geometry"),
        "overlap": ("ranh giới xã chồng lấn", "overlapping communes"),
        "gap": ("khoảng hở giữa các xã", "gap between communes"),
        "outside_commune": ("điểm nằm ngoài xã đã kê khai", "point outside its commune"),
        "village_far": ("dự án xa bản đã kê khai", "project far from its village"),
        "latlon_swapped": ("kinh độ, vĩ độ bị đảo", "longitude and latitude swapped"),
        "xy_swapped": ("tọa độ X, Y bị đảo", "X and Y swapped"),
        "out_of_area": ("tọa độ ngoài địa bàn", "coordinates outside the area"),
        "xy_out_of_area": ("tọa độ ngoài địa bàn", "coordinates outside the area"),
        "no_crs": ("thiếu hệ tọa độ", "no CRS"),
        "crs_mismatch": ("tọa độ không khớp hệ tọa độ", "coordinates do not fit the CRS"),
        "crs_geographic": ("hệ tọa độ địa lý", "geographic CRS"),
        "crs_unknown": ("hệ tọa độ không xác định", "unknown CRS"),
        "year_range": ("năm ngoài khoảng", "year out of range"),
        "bad_period": ("ngày hoặc kỳ báo cáo không đọc được", "unreadable date or period"),
        "roadmap_target": ("mục tiêu lộ trình", "roadmap target"),
        "duplicate_lead": ("hai cơ quan chủ trì", "two lead offices"),
        "unknown_indicator": ("chỉ tiêu không có trong bộ", "indicator not in the set"),
        "bad_option": ("khai báo trong ntmgis.toml", "setting in ntmgis.toml"),
        "year_mismatch": ("năm khác với ngày báo cáo", "year differs from the report's date"),
        "year_order": ("năm bắt đầu sau năm kết thúc", "start year after end year"),
        "criterion_range": ("số tiêu chí không có trong bộ", "criterion not in the set"),
        "criteria_set": ("bộ tiêu chí", "criteria set"),
        "missing_criterion": ("thiếu tiêu chí", "missing criterion"),
        "bad_status_value": ("giá trị đạt/chưa đạt không hiểu được", "unreadable met value"),
        "not_a_number": ("không phải là số", "not a number"),
        "negative": ("số âm", "negative value"),
        "bad_enum": ("giá trị ngoài danh mục", "value not in the list"),
        "funding_total": ("tổng vốn khác kế hoạch", "funding total differs from the plan"),
        "ntm_inconsistent": ("đạt chuẩn nhưng thiếu tiêu chí", "NTM with criteria not met"),
        "no_location": ("dự án không có vị trí", "project without location"),
        "no_location_hard": ("dự án không có vị trí", "project without location"),
        "no_location_soft": ("dự án không có vị trí", "project without location"),
        "project_points": ("vị trí dự án", "project locations"),
        "legacy_encoding": ("bảng mã cũ (TCVN3/VNI)", "legacy encoding (TCVN3/VNI)"),
        "encoding_mismatch": ("bảng mã không khớp", "encoding mismatch"),
        "crosswalk": ("bảng chuyển đổi xã 2025", "2025 commune crosswalk"),
        "indicator_disagrees": ("chỉ tiêu trái với kết quả tiêu chí",
                                "indicator disagrees with the criterion"),
        "office_bad_criterion": ("phân công: tiêu chí không có", "offices: unknown criterion"),
        "office_bad_indicator": ("phân công: chỉ tiêu không có", "offices: unknown indicator"),
        "office_code_clash": ("phân công: mã cơ quan trùng", "offices: code clash"),
        "office_codes": ("phân công: mã cơ quan", "offices: codes"),
        "office_lead_support": ("phân công: vừa chủ trì vừa phối hợp",
                                "offices: both lead and support"),
        "office_no_lead": ("phân công: chưa có cơ quan chủ trì", "offices: no lead"),
        "office_two_leads": ("phân công: hai cơ quan chủ trì", "offices: two leads"),
        "office_uncovered": ("phân công: tiêu chí chưa có cơ quan", "offices: criterion uncovered"),
        "roadmap_bad_count": ("lộ trình: số lượng sai", "roadmap: bad count"),
        "roadmap_bad_due": ("lộ trình: thời hạn sai", "roadmap: bad due date"),
        "roadmap_bad_kind": ("lộ trình: loại sai", "roadmap: bad kind"),
        "roadmap_bad_share": ("lộ trình: tỷ lệ sai", "roadmap: bad share"),
        "roadmap_both": ("lộ trình: vừa số lượng vừa tỷ lệ", "roadmap: both count and share"),
        "roadmap_duplicate": ("lộ trình: dòng trùng", "roadmap: duplicate row"),
        "roadmap_from_after": ("lộ trình: năm bắt đầu sau hạn", "roadmap: start after due"),
        "roadmap_no_target": ("lộ trình: thiếu mục tiêu", "roadmap: no target"),
        "roadmap_not_in_programme": ("lộ trình: thị trấn không xét NTM",
                                     "roadmap: township not assessed"),
        "roadmap_too_many": ("lộ trình: vượt số xã", "roadmap: more than the communes"),
        "lvml": ("chỉ tiêu chưa có ngưỡng", "indicator without threshold"),
    },
    # The workspace's layers ([layers.<key>] in ntmgis.toml), as messages name them.
    "layer": {
        "communes": ("ranh giới xã", "communes"),
        "villages": ("bản", "villages"),
        "facilities": ("cơ sở (trường, trạm y tế, chợ, nhà văn hóa)", "facilities"),
        "roads": ("đường giao thông", "roads"),
        "project_geometry": ("hình học dự án", "project geometry"),
    },
    "gap_status": {
        "addressed": ("Đã có dự án", "Addressed"),
        "unaddressed": ("Chưa có dự án", "Unaddressed"),
    },
    "severity": {
        "error": ("LỖI", "ERROR"),
        "warning": ("CẢNH BÁO", "WARNING"),
    },
}

# Messages: key -> (Vietnamese, English), formatted with str.format(**kw).
_MESSAGES: dict[str, tuple[str, str]] = {
    # generic
    "error": ("Lỗi", "Error"),
    "warning": ("Cảnh báo", "Warning"),
    # An issue whose sentence a module's own Catalog has already put together.
    "issue_text": ("{text}", "{text}"),
    "file_missing": ("Không tìm thấy tệp {path}", "File not found: {path}"),
    "file_unreadable": ("Không đọc được tệp {path}: {reason}", "Cannot read {path}: {reason}"),
    "output_exists": (
        "Tệp {path} đã có; thêm --overwrite để ghi đè",
        "{path} exists; add --overwrite to replace it",
    ),
    "workspace_missing": (
        "Không tìm thấy ntmgis.toml trong {path}; chạy 'ntmgis init {path}' để tạo thư mục dữ liệu",
        "No ntmgis.toml in {path}; run 'ntmgis init {path}' to create a workspace",
    ),
    "workspace_bad": (
        "Tệp cấu hình {path} không hợp lệ: {reason}",
        "Invalid configuration {path}: {reason}",
    ),
    "workspace_key": (
        "{path}: thiếu mục [{section}] {key}",
        "{path}: [{section}] {key} is missing",
    ),
    "unknown_encoding": (
        "Bảng mã '{encoding}' không được hỗ trợ; dùng một trong: {supported}",
        "Encoding '{encoding}' is not supported; use one of: {supported}",
    ),
    "unsupported_format": (
        "{path}: định dạng '{ext}' không được hỗ trợ; cần {expected}",
        "{path}: format '{ext}' is not supported; expected {expected}",
    ),
    # validation
    "missing_column": (
        "thiếu cột '{column}' (tên trong cấu hình: {configured}); các cột có: {available}",
        "column '{column}' is missing (configured as {configured}); columns present: {available}",
    ),
    "missing_value": ("ô trống ở cột bắt buộc", "empty cell in a required column"),
    "duplicate_code": ("mã '{value}' bị trùng (đã có ở dòng {first})",
                       "code '{value}' is duplicated (first at row {first})"),
    "unknown_code": ("mã '{value}' không có trong {where}", "code '{value}' is not in {where}"),
    "code_lost_zero": (
        "mã '{value}' có vẻ đã mất số 0 ở đầu (đúng là '{fixed}'); đã dùng '{fixed}'",
        "code '{value}' seems to have lost its leading zero ('{fixed}'); used '{fixed}'",
    ),
    "name_mismatch": (
        "tên '{value}' khác tên của mã {code} ('{expected}')",
        "name '{value}' differs from the name of code {code} ('{expected}')",
    ),
    "invalid_geometry": ("hình học không hợp lệ: {reason}", "invalid geometry: {reason}"),
    "empty_geometry": ("hình học trống", "empty geometry"),
    "overlap": (
        "{a} và {b} chồng lấn nhau {area} km²",
        "{a} and {b} overlap by {area} km²",
    ),
    "gap": (
        "có khoảng hở {area} km² giữa các xã (gần {where})",
        "a gap of {area} km² between communes (near {where})",
    ),
    "outside_commune": (
        "điểm nằm ngoài xã đã kê khai ({declared}), cách ranh giới {distance} m; "
        "nằm trong {located}",
        "point lies outside its declared commune ({declared}), {distance} m from its edge; "
        "it lies in {located}",
    ),
    "latlon_swapped": (
        "kinh độ/vĩ độ có vẻ bị đảo ({lon}, {lat}); đảo lại thì nằm trong vùng",
        "longitude/latitude look swapped ({lon}, {lat}); swapped back they fall in the area",
    ),
    "out_of_area": (
        "tọa độ ({x}, {y}) nằm ngoài địa bàn",
        "coordinates ({x}, {y}) lie outside the workspace area",
    ),
    "no_crs": (
        "tệp không có hệ tọa độ (.prj); đã dùng {crs} theo ntmgis.toml",
        "file has no CRS (.prj); assumed {crs} from ntmgis.toml",
    ),
    "no_crs_error": (
        "tệp không có hệ tọa độ và ntmgis.toml không khai báo [area] assume_crs",
        "file has no CRS and ntmgis.toml sets no [area] assume_crs",
    ),
    "crs_mismatch": (
        "tọa độ không khớp hệ {crs}: hình bao {bounds} nằm ngoài vùng",
        "coordinates do not fit {crs}: bounds {bounds} lie outside the area",
    ),
    "year_range": ("năm {value} ngoài khoảng {lo}-{hi}", "year {value} outside {lo}-{hi}"),
    "criterion_range": (
        "số tiêu chí {value} không có trong bộ tiêu chí ({lo}-{hi})",
        "criterion {value} is not in the criteria set ({lo}-{hi})",
    ),
    "bad_status_value": (
        "giá trị '{value}' không hiểu được; cần Đạt / Chưa đạt / x / 1 / 0",
        "value '{value}' not understood; expected Đạt / Chưa đạt / x / 1 / 0",
    ),
    "not_a_number": ("'{value}' không phải là số", "'{value}' is not a number"),
    "negative": ("số âm {value}", "negative value {value}"),
    "bad_enum": ("giá trị '{value}' không hợp lệ; cần một trong: {expected}",
                 "value '{value}' is not valid; expected one of: {expected}"),
    "funding_total": (
        "tổng vốn {source} của danh mục dự án là {actual} triệu đồng, kế hoạch là {plan}",
        "the investment list's {source} total is {actual} million VND; the plan says {plan}",
    ),
    "ntm_inconsistent": (
        "xã ghi là đạt chuẩn NTM nhưng chỉ đạt {met}/{total} tiêu chí",
        "commune recorded as NTM but meets only {met}/{total} criteria",
    ),
    "no_location": (
        "dự án không có vị trí (thiếu tọa độ và hình học)",
        "project has no location (no coordinates and no geometry)",
    ),
    "year_order": ("năm bắt đầu {start} sau năm kết thúc {end}",
                   "start year {start} is after end year {end}"),
    "village_far": (
        "dự án cách bản đã kê khai {distance} m (ngưỡng {limit} m)",
        "project is {distance} m from its declared village (threshold {limit} m)",
    ),
    "legacy_encoding": (
        "văn bản có vẻ ở bảng mã {guess} (ví dụ '{value}'); khai báo [area] encoding = \"{guess}\"",
        "text looks like {guess} (e.g. '{value}'); set [area] encoding = \"{guess}\"",
    ),
    "validation_summary": (
        "{errors} lỗi, {warnings} cảnh báo",
        "{errors} errors, {warnings} warnings",
    ),
    "validation_failed": (
        "Dữ liệu có {errors} lỗi; xem {path}",
        "The data has {errors} errors; see {path}",
    ),
    # build / report
    "step_read": ("Đọc dữ liệu", "Reading data"),
    "step_join": ("Ghép dữ liệu", "Joining"),
    "step_write": ("Ghi lớp bản đồ", "Writing layers"),
    "step_postgis": ("Ghi vào cơ sở dữ liệu PostGIS", "Storing in the PostGIS database"),
    "build_warnings": (
        "Dữ liệu có {warnings} cảnh báo (xem 'ntmgis validate')",
        "The data has {warnings} warnings (see 'ntmgis validate')",
    ),
    "built": ("Đã ghi các lớp giám sát vào {path}", "Monitoring layers written to {path}"),
    "written": ("Đã ghi {path}", "Wrote {path}"),
    "sample_copied": ("Đã sao chép bộ dữ liệu mẫu vào {path}",
                      "Sample workspace copied to {path}"),
    "workspace_created": ("Đã tạo thư mục dữ liệu trống ở {path}",
                          "Created an empty workspace in {path}"),
    "dir_not_empty": ("Thư mục {path} không trống; thêm --overwrite",
                      "{path} is not empty; add --overwrite"),
    "not_built": (
        "Chưa có {path}; chạy 'ntmgis build' trước",
        "{path} does not exist; run 'ntmgis build' first",
    ),
    "sample_missing": (
        "Bộ dữ liệu mẫu {which} không được cài kèm bản ntmgis này",
        "the sample workspace {which} is not installed with this copy of ntmgis",
    ),
    "sample_unknown": (
        "Không có bộ dữ liệu mẫu '{which}'; chọn một trong: {samples}",
        "no sample '{which}'; choose one of: {samples}",
    ),
}


class Catalog:
    """The one translator: a table of ``(vi, en)`` pairs with ``str.format`` fields.

    Modules keep their messages beside their code and share this one mechanism::

        _m = catalog({"bad_url": ("URL '{url}' không hợp lệ", "invalid URL '{url}'")})
        _m("bad_url", "en", url=u)

    Parameters
    ----------
    messages : dict of str to (str, str)
        Key to the Vietnamese and the English text.
    fallback : Catalog, optional
        Asked for keys this table does not have (a module's table falls back on
        the shared messages of :func:`t`).
    """

    def __init__(self, messages: dict[str, tuple[str, str]],
                 fallback: Catalog | None = None) -> None:
        self.messages = messages
        self.fallback = fallback

    def __call__(self, key: str, lang: str = "vi", /, **kw: object) -> str:
        """Translate ``key`` into ``lang`` and fill in ``kw``."""
        pair = self.messages.get(key)
        if pair is None:
            if self.fallback is None:
                raise KeyError(key)
            return self.fallback(key, lang, **kw)
        text = pair[1] if lang == "en" else pair[0]
        return text.format(**kw) if kw else text

    def table(self, lang: str) -> dict[str, str]:
        """Every text of this table in ``lang`` (for a page that translates itself)."""
        i = 1 if lang == "en" else 0
        return {k: v[i] for k, v in self.messages.items()}


def catalog(messages: dict[str, tuple[str, str]],
            fallback: Catalog | None = None) -> Catalog:
    """Make the :class:`Catalog` of a module's own messages."""
    return Catalog(messages, fallback)


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise OptionError (a ValueError) naming the choices."""
    if lang not in LANGUAGES:
        # Neither language can be chosen for a message about the language itself: say both.
        choices = ", ".join(LANGUAGES)
        raise OptionError(f"ngôn ngữ {lang!r} không được hỗ trợ; chọn {choices} / "
                          f"language {lang!r} is not supported; use one of {choices}")
    return lang


#: The messages shared by every module: ``t("written", lang, path=p)``.
t = Catalog(_MESSAGES)


def label(kind: str, key: object, lang: str = "vi") -> str:
    """Label of an enumeration value, e.g. ``label("status", "finished") == "Hoàn thành"``.

    Unknown keys are returned as they are, so that a user's own category still shows
    (except a check name, an internal key: see :func:`check_label`).
    """
    pair = _LABELS.get(kind, {}).get(str(key) if key is not None else "")
    if pair is None:
        return "" if key is None else str(key)
    return pair[1] if lang == "en" else pair[0]


def check_label(check: str, lang: str = "vi") -> str:
    """A validation check's name for people (``"gap"`` -> ``"khoảng hở giữa các xã"``).

    A check without a label reads as its key with spaces, never with underscores.
    """
    pair = _LABELS["check"].get(check)
    if pair is None:
        return check.replace("_", " ")
    return pair[1] if lang == "en" else pair[0]


def labels(kind: str, lang: str = "vi") -> dict[str, str]:
    """All labels of an enumeration, in the order of their definition."""
    return {k: (en if lang == "en" else vi) for k, (vi, en) in _LABELS[kind].items()}


def enum_keys(kind: str) -> tuple[str, ...]:
    """The keys of an enumeration (``enum_keys("source")``)."""
    return tuple(_LABELS[kind])


def _round(x: float, decimals: int) -> Decimal:
    # Half-up, as the plan rounds (4/13 = 30,769... -> 30,8); binary floats
    # such as 16.375 must not round to 16,37.
    q = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def fmt_number(x: float | int | None, lang: str = "vi", decimals: int = 0) -> str:
    """Format a number: ``608989 -> "608.989"`` (vi) or ``"608,989"`` (en).

    ``None`` and NaN give an en dash.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    d = _round(x, decimals)
    sign = "-" if d < 0 else ""
    d = abs(d)
    whole, _, frac = f"{d:.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, dec = (",", ".") if lang == "en" else (".", ",")
    out = thousands.join(groups)
    if decimals:
        out += dec + frac
    return sign + out


def fmt_percent(share: float | None, lang: str = "vi", decimals: int = 1) -> str:
    """Format a share (0..1) as the plan writes it: ``4/13 -> "30,8%"``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return fmt_number(share * 100, lang, decimals) + "%"


def fmt_money(million_vnd: float | None, lang: str = "vi") -> str:
    """Million VND with up to three decimals, trailing zeros dropped (``"1.234,5"``)."""
    if million_vnd is None or (isinstance(million_vnd, float) and math.isnan(million_vnd)):
        return "–"
    if float(million_vnd).is_integer():
        return fmt_number(million_vnd, lang, 0)
    s = fmt_number(million_vnd, lang, 3)
    dec = "." if lang == "en" else ","
    return s.rstrip("0").rstrip(dec)
