"""The workspace: a folder with an ``ntmgis.toml`` naming the area, layers, tables and fields.

Offices name their columns as they like (``MaXa``, ``ma_xa``, ``TenXa`` ...):
the ``fields`` table of each layer maps ntmgis's canonical names onto the
user's columns, and where a mapping is absent the reader tries the usual
aliases listed here.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.i18n import LANGUAGES, catalog, t
from ntmgis.core.text import is_iso_date

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Workspace", "LayerConfig", "TableConfig", "PlanConfig", "load_workspace", "find_workspace",
    "FIELD_ALIASES", "CONTEXT_ALIASES", "LAYER_NAMES", "TABLE_NAMES", "TABLE_FIELDS",
    "LEGACY_ENCODINGS", "YEAR_RANGE", "encoding_known", "crs_settings", "config_error",
]

CONFIG_NAME = "ntmgis.toml"

LAYER_NAMES = ("communes", "villages", "facilities", "roads", "project_geometry")
TABLE_NAMES = (
    "commune_status", "village_status", "projects", "plan_targets", "plan_funding",
    "commune_targets", "village_criteria", "crosswalk_2025", "indicator_values",
    "indicator_thresholds", "offices", "roadmap",
)
#: The canonical fields of the tables whose readers keep their own column aliases
#: (ntmgis.inputs.offices, ntmgis.inputs.roadmap): ``[tables.X.fields]`` may map these.
TABLE_FIELDS: dict[str, frozenset[str]] = {
    "offices": frozenset({"criterion", "indicator", "lead", "lead_code", "support",
                          "support_code", "note"}),
    "roadmap": frozenset({"code", "name", "criterion", "due", "kind", "target_communes",
                          "target_share", "from_year", "source", "text", "note"}),
}

# Canonical field -> column names seen in offices' files (compared case-, accent-
# and underscore-insensitively). The first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma_xa", "maxa", "ma_ban", "maban", "gso_code", "ma_dvhc", "id"),
    "name": ("name", "ten", "ten_xa", "tenxa", "ten_ban", "tenban", "ten_du_an", "ten_dvhc"),
    "commune_code": ("commune_code", "ma_xa", "maxa", "ma_xa_phuong"),
    "commune_name": ("commune_name", "ten_xa", "tenxa", "xa"),
    "village_code": ("village_code", "ma_ban", "maban", "ma_thon"),
    "village_name": ("village_name", "ten_ban", "tenban", "ban", "thon"),
    "unit_type": ("unit_type", "loai", "cap"),
    "district_code": ("district_code", "ma_huyen", "mahuyen", "district_gso_code"),
    "district_name": ("district_name", "ten_huyen", "tenhuyen", "huyen"),
    "province_code": ("province_code", "ma_tinh", "matinh", "province_gso_code"),
    "province_name": ("province_name", "ten_tinh", "tentinh", "tinh"),
    "population": ("population", "dan_so", "danso", "population_2009", "so_dan"),
    "year": ("year", "nam"),
    "date": ("date", "ngay", "ngay_bao_cao", "ngay_so_lieu"),  # a report's day (or period)
    "period": ("period", "ky", "ky_bao_cao"),
    "criterion": ("criterion", "tieu_chi", "tieuchi", "tc", "so_tc"),
    "met": ("met", "dat", "ket_qua", "ketqua", "trang_thai"),
    "project_id": ("project_id", "ma_du_an", "maduan", "ma_da", "stt"),
    "category": ("category", "loai_cong_trinh", "linh_vuc", "loai"),
    "criteria": ("criteria", "tieu_chi", "tieu_chi_phuc_vu", "tc_phuc_vu"),
    "year_start": ("year_start", "nam_bat_dau", "nam_khoi_cong", "tu_nam"),
    "year_end": ("year_end", "nam_ket_thuc", "nam_hoan_thanh", "den_nam"),
    "status": ("status", "tinh_trang", "trang_thai", "tien_do"),
    "cap_central": ("cap_central", "ngan_sach_trung_uong", "ns_trung_uong", "ns_tw", "nstw"),
    "cap_local": ("cap_local", "ngan_sach_dia_phuong", "ns_dia_phuong", "ns_dp", "nsdp"),
    "cap_integrated": ("cap_integrated", "von_long_ghep", "long_ghep"),
    "cap_credit": ("cap_credit", "von_tin_dung", "tin_dung"),
    "cap_mobilised": ("cap_mobilised", "von_huy_dong", "huy_dong"),
    "cap_community": ("cap_community", "cong_dong", "dan_gop", "nhan_dan_dong_gop"),
    "disbursed": ("disbursed", "giai_ngan", "da_giai_ngan"),
    "lon": ("lon", "long", "longitude", "kinh_do", "x_wgs84"),
    "lat": ("lat", "latitude", "vi_do", "y_wgs84"),
    "x": ("x", "toa_do_x", "x_vn2000", "easting"),
    "y": ("y", "toa_do_y", "y_vn2000", "northing"),
    "facility_id": ("facility_id", "ma_cs", "ma", "id"),
    "type": ("type", "loai", "loai_co_so"),
    "road_id": ("road_id", "ma_duong", "id"),
    "road_class": ("road_class", "cap_duong", "loai_duong"),
    "in_programme": ("in_programme", "trong_chuong_trinh"),
    "number": ("number", "so", "stt", "tieu_chi"),
    "name_vi": ("name_vi", "ten", "ten_tieu_chi"),
    "name_en": ("name_en",),
    "target_communes": ("target_communes", "so_xa_dat", "chi_tieu"),
    "target_share_text": ("target_share_text", "ty_le", "ti_le"),
    "source": ("source", "nguon_von", "nguon"),
    "plan": ("plan", "ke_hoach", "von_ke_hoach"),
    "target_ntm": ("target_ntm", "muc_tieu_ntm"),
    "target_criteria": ("target_criteria", "muc_tieu_tieu_chi"),
    "old_code": ("old_code", "ma_cu", "old_ward_code"),
    "old_name": ("old_name", "ten_cu", "old_ward_name"),
    "new_code": ("new_code", "ma_moi", "new_ward_code"),
    "new_name": ("new_name", "ten_moi", "new_ward_name"),
}


# Where a layer's own code and name are named differently from a commune's.
CONTEXT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "villages": {
        "code": ("code", "ma_ban", "maban", "ma_thon", "mathon", "id"),
        "name": ("name", "ten_ban", "tenban", "ten_thon", "tenthon", "ten"),
    },
    "village_status": {
        "code": ("code", "ma_ban", "maban", "ma_thon", "mathon"),
        "name": ("name", "ten_ban", "tenban", "ten_thon", "ten"),
    },
    "projects": {"name": ("name", "ten_du_an", "tenduan", "ten_cong_trinh", "ten")},
    "facilities": {"name": ("name", "ten", "ten_co_so")},
    "roads": {"name": ("name", "ten", "ten_duong")},
}


@dataclass(frozen=True)
class LayerConfig:
    """A vector layer of the workspace."""

    name: str
    path: Path
    layer: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    crs: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class TableConfig:
    """A table (CSV or Excel) of the workspace."""

    name: str
    path: Path
    sheet: str | int | None = None
    form: str = "long"
    fields: dict[str, str] = field(default_factory=dict)
    xy_crs: str | None = None
    encoding: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanConfig:
    """Headline targets of the plan (the per-criterion targets are a table)."""

    name: str = ""
    year: int = 2025
    ntm_communes: int | None = None
    ntm_villages: int | None = None
    villages_total: int | None = None
    min_criteria: int | None = None
    income_factor: float | None = None


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace. Build it with :func:`load_workspace`."""

    root: Path
    config_path: Path
    name: str
    province: str = ""
    province_code: str = ""
    district_code: str = ""
    crs: str = "EPSG:4326"
    assume_crs: str | None = None
    encoding: str = "utf-8"
    decimal: str = ","
    language: str = "vi"
    data_date: str = ""
    years: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)
    code_width: int | None = None
    group_by: str | None = None  # communes layer column grouping communes (default district)
    group_label: str | None = None  # the groups' heading ("Cụm xã"; default "Huyện")
    layers: dict[str, LayerConfig] = field(default_factory=dict)
    tables: dict[str, TableConfig] = field(default_factory=dict)
    plan: PlanConfig = field(default_factory=PlanConfig)
    commune_set: str = "qd318-2022"
    commune_group: str | None = None
    village_set_name: str = "Bộ tiêu chí bản nông thôn mới"
    village_set_name_en: str = "Village criteria set"
    elevation: Path | None = None
    output_gpkg: Path = Path("layers/monitoring.gpkg")
    maps_dir: Path = Path("maps")
    reports_dir: Path = Path("reports")
    village_distance_m: float = 3000.0
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def layer(self, name: str) -> LayerConfig | None:
        """The configured layer ``name`` (see LAYER_NAMES), or None."""
        return self.layers.get(name)

    def table(self, name: str) -> TableConfig | None:
        """The configured table ``name`` (see TABLE_NAMES), or None."""
        return self.tables.get(name)

    @property
    def plan_year(self) -> int:
        """The year the plan's targets are for."""
        return self.plan.year

    def input_paths(self) -> list[Path]:
        """Every input file the workspace names, in a stable order (for provenance)."""
        paths = [self.config_path]
        paths += [c.path for _, c in sorted(self.layers.items()) if isinstance(c.path, Path)]
        paths += [c.path for _, c in sorted(self.tables.items()) if isinstance(c.path, Path)]
        if self.elevation:
            paths.append(self.elevation)
        return paths


_DB_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgis://")

#: Legacy Vietnamese encodings ntmgis decodes itself (:mod:`ntmgis.inputs.encodings`),
#: by every name offices use for them.
LEGACY_ENCODINGS: dict[str, str] = {
    **dict.fromkeys(("tcvn3", "abc", "tcvn", "tcvn-3", "tcvn5712", "vn3"), "tcvn3"),
    **dict.fromkeys(("vni", "vni-windows", "vniwin", "vni-win"), "vni"),
}
#: Years a workspace may name: the programme began in 2010; a typo such as 20255 would
#: make every per-year table enormous.
YEAR_RANGE = (2010, 2035)

# Every key ntmgis reads, section by section (modules that read ``ws.raw`` included:
# [appendix] in outputs.appendix, [terrain] road_speeds_kmh in analysis.access).
_SECTION_KEYS: dict[str, frozenset[str]] = {
    "area": frozenset({"name", "province", "province_code", "district_code", "crs",
                       "assume_crs", "encoding", "decimal", "language", "data_date", "years",
                       "code_width", "group_by", "group_label"}),
    "plan": frozenset({"name", "year", "ntm_communes", "ntm_villages", "villages_total",
                       "min_criteria", "income_factor"}),
    "criteria": frozenset({"commune_set", "commune_group", "village_set_name",
                           "village_set_name_en"}),
    "layers": frozenset(LAYER_NAMES),
    "tables": frozenset(TABLE_NAMES),
    "terrain": frozenset({"elevation", "road_speeds_kmh"}),
    "appendix": frozenset({"source", "province_outline", "report_ref", "report_date", "issuer"}),
    "checks": frozenset({"village_distance_m"}),
    "output": frozenset({"gpkg", "maps", "reports", "outside_workspace"}),
}
_LAYER_KEYS = frozenset({"path", "layer", "crs", "encoding", "fields"})
_TABLE_FIELDS = frozenset({"path", "sheet", "form", "fields", "xy_crs", "encoding"})
# The rest go to ``options``: ``layer`` (a PostGIS table or query), the wide form's columns.
_TABLE_KEYS = _TABLE_FIELDS | {"blank", "layer", "criterion_columns"}
_FIELD_NAMES = frozenset(FIELD_ALIASES) | {"group"}  # group: a commune's class in its set
_OPEN_FIELDS = frozenset({"indicator_values", "indicator_thresholds"})  # any field name

_MSG = {
    "unknown_key": ("{path}: khóa '{key}' trong [{section}] không được hỗ trợ{hint}; các khóa "
                    "hợp lệ: {valid}",
                    "{path}: unknown key '{key}' in [{section}]{hint}; valid keys: {valid}"),
    "unknown_section": ("{path}: mục [{key}] không được hỗ trợ{hint}; các mục hợp lệ: {valid}",
                        "{path}: unknown section [{key}]{hint}; valid sections: {valid}"),
    "hint": (" (có phải là '{near}'?)", " (did you mean '{near}'?)"),
    "bad_value": ("{path}: [{section}] {key} = {value}: {why}",
                  "{path}: [{section}] {key} = {value}: {why}"),
    "want_text": ("cần một chuỗi trong dấu ngoặc kép", "expected text in quotes"),
    "want_int": ("cần một số nguyên", "expected a whole number"),
    "want_positive": ("cần một số lớn hơn 0", "expected a number above 0"),
    "want_count": ("cần một số nguyên không âm", "expected a whole number, 0 or more"),
    "want_bool": ("cần true hoặc false", "expected true or false"),
    "want_date": ("cần một ngày dạng \"2025-12-20\"", "expected a date such as \"2025-12-20\""),
    "want_table": ("cần một bảng, ví dụ [{section}.{key}] hoặc {key} = {{ ... }}",
                   "expected a table, e.g. [{section}.{key}] or {key} = {{ ... }}"),
    "want_choice": ("cần một trong: {choices}", "expected one of: {choices}"),
    "want_code": ("mã phải viết trong dấu ngoặc kép để giữ số 0 ở đầu, ví dụ {key} = \"01\"",
                  "write codes in quotes so that leading zeros stay, e.g. {key} = \"01\""),
    "years": ("cần danh sách năm tăng dần, ví dụ [2021, 2025]",
              "expected a list of years in increasing order, e.g. [2021, 2025]"),
    "years_order": ("các năm phải theo thứ tự tăng dần, ví dụ [{lo}, {hi}]",
                    "years must be in increasing order, e.g. [{lo}, {hi}]"),
    "year_range": ("năm phải trong khoảng {lo}–{hi}", "years must be within {lo}-{hi}"),
    "code_width": ("cần số chữ số của mã, từ 1 đến {hi} (mã xã GSO có 5 chữ số)",
                   "expected the number of digits of a code, 1 to {hi} (GSO commune codes: 5)"),
    "encoding": ("bảng mã không được hỗ trợ; dùng utf-8, cp1258, tcvn3 hoặc vni",
                 "unknown encoding; use utf-8, cp1258, tcvn3 or vni"),
}
_m = catalog(_MSG)


def is_database_url(path: object) -> bool:
    """Whether a configured ``path`` names a PostgreSQL/PostGIS database, not a file."""
    return isinstance(path, str) and path.strip().lower().startswith(_DB_PREFIXES)


def encoding_known(name: str) -> bool:
    """Whether ``name`` is a text encoding ntmgis can read (Python codec or TCVN3/VNI)."""
    key = name.strip().lower().replace("_", "-")
    if key in LEGACY_ENCODINGS:
        return True
    try:
        info = codecs.lookup(key)
    except LookupError:
        return False
    return bool(getattr(info, "_is_text_encoding", True))


def find_workspace(start: str | Path = ".", *, lang: str = "vi") -> Path:
    """The folder holding ``ntmgis.toml``: ``start`` or one of its parents."""
    p = Path(start).resolve()
    if p.is_file():
        p = p.parent
    for d in (p, *p.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    raise WorkspaceError(t("workspace_missing", lang, path=Path(start)), path=start)


def _show(value: Any) -> str:
    """A value as it was written in TOML, for messages."""
    if isinstance(value, bool | str):
        return {True: "true", False: "false"}.get(value, f'"{value}"')
    return str(value)


def config_error(cfg: Path, section: str, key: str, value: Any, why: str, lang: str,
                 **kw: Any) -> WorkspaceError:
    """The error for a configured value that cannot be used, naming its key.

    Parameters
    ----------
    cfg : Path
        The ``ntmgis.toml``.
    section, key, value
        Where the value is (``"layers.villages"``, ``"crs"``) and what it is.
    why : str
        Key of the reason in this module's catalog, or the reason itself.
    lang : {"vi", "en"}
        Language of the message.
    **kw
        Fields of the reason's text.
    """
    reason = _m(why, lang, section=section, key=key, value=value, **kw) if why in _MSG else why
    return WorkspaceError(_m("bad_value", lang, path=cfg, section=section, key=key,
                             value=_show(value), why=reason), path=cfg)


def crs_settings(ws: Workspace) -> list[tuple[str, str, str]]:
    """Every CRS the workspace names, as (section, key, value), for a caller to check.

    The core layer holds no geodesy library; the command line checks these with pyproj.
    """
    out = [("area", "crs", ws.crs), ("area", "assume_crs", ws.assume_crs)]
    out += [(f"layers.{n}", "crs", c.crs) for n, c in ws.layers.items()]
    return [s for s in out + [(f"tables.{n}", "xy_crs", c.xy_crs)
                              for n, c in ws.tables.items()] if s[2]]


class _Reader:
    """Typed reads of ``ntmgis.toml`` sections that name the key of any bad value."""

    def __init__(self, cfg: Path, lang: str) -> None:
        self.cfg, self.lang = cfg, lang

    def fail(self, section: str, key: str, value: Any, why: str, **kw: Any) -> WorkspaceError:
        return config_error(self.cfg, section, key, value, why, self.lang, **kw)

    def known(self, section: str, sect: dict, valid: frozenset[str] | tuple[str, ...],
              what: str = "unknown_key") -> None:
        """Refuse a key that nothing reads: a typo would otherwise be ignored silently."""
        for key in sect:
            if key not in valid:
                near = [v for v in sorted(valid) if sorted(v.split("_")) == sorted(
                    str(key).split("_"))] or difflib.get_close_matches(str(key), sorted(valid),
                                                                       n=1, cutoff=0.6)
                hint = _m("hint", self.lang, near=near[0]) if near else ""
                raise WorkspaceError(_m(what, self.lang, path=self.cfg, section=section, key=key,
                                        hint=hint, valid=", ".join(sorted(valid))),
                                     path=self.cfg)

    def table(self, parent: str, sect: dict, key: str) -> dict:
        if not isinstance(value := sect.get(key, {}), dict):
            raise self.fail(parent, key, value, "want_table")
        return value

    def text(self, section: str, sect: dict, key: str, default: Any = None) -> Any:
        if key not in sect:
            return default
        value = sect[key]
        if isinstance(value, dt.date):  # an unquoted TOML date: data_date = 2025-12-31
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fail(section, key, value, "want_text")
        return value

    def code(self, section: str, sect: dict, key: str) -> str:
        if isinstance(value := sect.get(key, ""), int) and not isinstance(value, bool):
            raise self.fail(section, key, value, "want_code")
        return self.text(section, sect, key, "")

    def number(self, section: str, sect: dict, key: str, default: Any = None, *,
               integer: bool = False, positive: bool = False) -> Any:
        if key not in sect:
            return default
        value = sect[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                integer and not isinstance(value, int)):
            raise self.fail(section, key, value, "want_int" if integer else "want_positive")
        if (positive and value <= 0) or value < 0:
            raise self.fail(section, key, value, "want_positive" if positive else "want_count")
        return value

    def choice(self, section: str, sect: dict, key: str, choices: tuple[str, ...],
               default: str | None) -> str | None:
        value = sect.get(key, default)
        if key in sect and value not in choices:
            raise self.fail(section, key, value, "want_choice", choices=", ".join(choices))
        return value

    def encoding(self, section: str, sect: dict) -> str | None:
        if (value := self.text(section, sect, "encoding")) and not encoding_known(value):
            raise self.fail(section, "encoding", value, "encoding")
        return value.lower() if value is not None else None

    def year(self, section: str, key: str, value: Any, shown: Any = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(section, key, shown or value, "years")
        if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
            raise self.fail(section, key, shown or value, "year_range", lo=YEAR_RANGE[0],
                            hi=YEAR_RANGE[1])
        return value

    def years(self, area: dict) -> tuple[int, int]:
        value = area.get("years", [2021, 2025])
        if not isinstance(value, list) or not value:
            raise self.fail("area", "years", value, "years")
        years = [self.year("area", "years", y, value) for y in value]
        if any(b < a for a, b in zip(years, years[1:], strict=False)):
            raise self.fail("area", "years", value, "years_order", lo=min(years), hi=max(years))
        return years[0], years[-1]

    def fields(self, section: str, sect: dict, open_names: bool,
               names: frozenset[str] = _FIELD_NAMES) -> dict[str, str]:
        fields = self.table(section, sect, "fields")
        if not open_names:
            self.known(f"{section}.fields", fields, names)
        if bad := [k for k, v in fields.items() if not isinstance(v, str)]:
            raise self.fail(f"{section}.fields", bad[0], fields[bad[0]], "want_text")
        return dict(fields)

    def path(self, section: str, sect: dict) -> str:
        value = _req(sect, "path", section, self.cfg, self.lang)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(section, "path", value, "want_text")
        return value


def _req(section: dict, key: str, sect_name: str, cfg: Path, lang: str) -> Any:
    if key not in section:
        raise WorkspaceError(t("workspace_key", lang, path=cfg, section=sect_name, key=key),
                             path=cfg)
    return section[key]


def load_workspace(path: str | Path = ".", *, lang: str | None = None) -> Workspace:
    """Load the workspace at ``path`` (a folder, or its ``ntmgis.toml``).

    Parameters
    ----------
    path : str or Path
        The workspace folder or its configuration file. Parent folders are
        searched, as git does.
    lang : {"vi", "en"}, optional
        Language of error messages; defaults to the workspace's own.

    Raises
    ------
    WorkspaceError
        When there is no ``ntmgis.toml`` or it is malformed: a missing key, a
        key nothing reads (with the nearest valid one), or a value of the wrong
        kind, out of range or in the wrong order; the message names the key.
    """
    msg_lang = lang or "vi"
    p = Path(path)
    root = p.parent if p.suffix == ".toml" else find_workspace(p, lang=msg_lang)
    cfg = root / CONFIG_NAME if p.suffix != ".toml" else p
    if not cfg.is_file():
        raise WorkspaceError(t("workspace_missing", msg_lang, path=root), path=root)
    try:
        raw = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(t("workspace_bad", msg_lang, path=cfg, reason=exc), path=cfg) from exc
    root = cfg.parent.resolve()
    # Without --lang, messages speak the workspace's own language once it is known.
    own = raw["area"].get("language") if isinstance(raw.get("area"), dict) else None
    r = _Reader(cfg, lang or (own if own in LANGUAGES else "vi"))
    r.known("", raw, frozenset(_SECTION_KEYS), "unknown_section")
    sects = {name: r.table("", raw, name) for name in _SECTION_KEYS}
    for name, keys in _SECTION_KEYS.items():
        r.known(name, sects[name], keys)

    area = sects["area"]
    name = _req(area, "name", "area", cfg, r.lang)
    language = r.choice("area", area, "language", LANGUAGES, "vi")
    lo, hi = r.years(area)
    code_width = r.number("area", area, "code_width", integer=True)
    if code_width is not None and not 1 <= code_width <= 15:
        raise r.fail("area", "code_width", code_width, "code_width", hi=15)

    def resolve(rel: str | None) -> Path | None:
        if not rel:
            return None
        if is_database_url(rel):
            return rel  # a PostGIS input stays a URL (see ntmgis.outputs.postgis_store)
        return root / rel

    layers: dict[str, LayerConfig] = {}
    for lname in sects["layers"]:
        sname = f"layers.{lname}"
        sect = r.table("layers", sects["layers"], lname)
        r.known(sname, sect, _LAYER_KEYS)
        layers[lname] = LayerConfig(
            name=lname,
            path=resolve(r.path(sname, sect)),
            layer=r.text(sname, sect, "layer"),
            fields=r.fields(sname, sect, open_names=False),
            crs=r.text(sname, sect, "crs"),
            encoding=r.encoding(sname, sect),
        )
    tables: dict[str, TableConfig] = {}
    for tname in sects["tables"]:
        sname = f"tables.{tname}"
        sect = r.table("tables", sects["tables"], tname)
        r.known(sname, sect, _TABLE_KEYS)
        sheet = sect.get("sheet")
        if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
            raise r.fail(sname, "sheet", sheet, "want_text")
        r.choice(sname, sect, "blank", ("not_met", "unknown"), None)
        for key in ("layer", "criterion_columns"):
            r.text(sname, sect, key)
        tables[tname] = TableConfig(
            name=tname,
            path=resolve(r.path(sname, sect)),
            sheet=sheet,
            form=str(r.choice(sname, sect, "form", ("long", "wide"), "long")),
            fields=r.fields(sname, sect, tname in _OPEN_FIELDS,
                            TABLE_FIELDS.get(tname, _FIELD_NAMES)),
            xy_crs=r.text(sname, sect, "xy_crs"),
            encoding=r.encoding(sname, sect),
            options={k: v for k, v in sect.items() if k not in _TABLE_FIELDS},
        )
    plan_raw = sects["plan"]
    counts = {k: r.number("plan", plan_raw, k, integer=True)
              for k in ("ntm_communes", "ntm_villages", "villages_total", "min_criteria")}
    plan = PlanConfig(
        name=r.text("plan", plan_raw, "name", ""),
        year=r.year("plan", "year", plan_raw.get("year", hi)),
        income_factor=r.number("plan", plan_raw, "income_factor", positive=True),
        **counts,
    )
    crit, out, terrain = sects["criteria"], sects["output"], sects["terrain"]
    speeds = r.table("terrain", terrain, "road_speeds_kmh")
    for cls in speeds:
        r.number("terrain.road_speeds_kmh", speeds, cls, positive=True)
    if not isinstance(outside := out.get("outside_workspace", False), bool):
        raise r.fail("output", "outside_workspace", outside, "want_bool")
    for key in ("source", "province_outline", "report_ref", "report_date", "issuer"):
        r.text("appendix", sects["appendix"], key)
    if (when := sects["appendix"].get("report_date")) is not None and not is_iso_date(when):
        raise r.fail("appendix", "report_date", when, "want_date")
    return Workspace(
        root=root, config_path=cfg,
        name=r.text("area", area, "name", name),
        province=r.text("area", area, "province", ""),
        province_code=r.code("area", area, "province_code"),
        district_code=r.code("area", area, "district_code"),
        crs=r.text("area", area, "crs", "EPSG:4326"), assume_crs=r.text("area", area, "assume_crs"),
        encoding=r.encoding("area", area) or "utf-8",
        decimal=str(r.choice("area", area, "decimal", (",", "."), ",")),
        language=str(language),
        data_date=r.text("area", area, "data_date", ""),
        years=tuple(range(lo, hi + 1)),
        code_width=code_width,
        group_by=r.text("area", area, "group_by"), group_label=r.text("area", area, "group_label"),
        layers=layers, tables=tables, plan=plan,
        commune_set=r.text("criteria", crit, "commune_set", "qd318-2022"),
        commune_group=r.text("criteria", crit, "commune_group"),
        village_set_name=r.text("criteria", crit, "village_set_name",
                                "Bộ tiêu chí bản nông thôn mới"),
        village_set_name_en=r.text("criteria", crit, "village_set_name_en",
                                   "Village criteria set"),
        elevation=resolve(r.text("terrain", terrain, "elevation")),
        output_gpkg=resolve(r.text("output", out, "gpkg", "layers/monitoring.gpkg")),
        maps_dir=resolve(r.text("output", out, "maps", "maps")),
        reports_dir=resolve(r.text("output", out, "reports", "reports")),
        village_distance_m=float(r.number("checks", sects["checks"], "village_distance_m",
                                          3000.0, positive=True)),
        raw=raw,
    )

