"""The workspace: a folder with an ``ntmgis.toml`` naming the area, layers, tables and fields.

Offices name their columns as they like (``MaXa``, ``ma_xa``, ``TenXa`` ...):
the ``fields`` table of each layer maps ntmgis's canonical names onto the
user's columns, and where a mapping is absent the reader tries the usual
aliases listed here.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ntmgis.core.errors import WorkspaceError
from ntmgis.core.i18n import check_lang, t

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Workspace",
    "LayerConfig",
    "TableConfig",
    "PlanConfig",
    "load_workspace",
    "find_workspace",
    "FIELD_ALIASES",
    "CONTEXT_ALIASES",
    "LAYER_NAMES",
    "TABLE_NAMES",
]

CONFIG_NAME = "ntmgis.toml"

LAYER_NAMES = ("communes", "villages", "facilities", "roads", "project_geometry")
TABLE_NAMES = (
    "commune_status",
    "village_status",
    "projects",
    "plan_targets",
    "plan_funding",
    "commune_targets",
    "village_criteria",
    "crosswalk_2025",
    "indicator_values",
    "indicator_thresholds",
)

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


def is_database_url(path: object) -> bool:
    """Whether a configured ``path`` names a PostgreSQL/PostGIS database, not a file."""
    return isinstance(path, str) and path.strip().lower().startswith(_DB_PREFIXES)


def find_workspace(start: str | Path = ".") -> Path:
    """The folder holding ``ntmgis.toml``: ``start`` or one of its parents."""
    p = Path(start).resolve()
    if p.is_file():
        p = p.parent
    for d in (p, *p.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    raise WorkspaceError(t("workspace_missing", "vi", path=Path(start)), path=start)


def _req(section: dict, key: str, sect_name: str, cfg: Path, lang: str) -> Any:
    if key not in section:
        raise WorkspaceError(
            t("workspace_key", lang, path=cfg, section=sect_name, key=key), path=cfg
        )
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
        When there is no ``ntmgis.toml`` or it is malformed; the message says
        which key is missing or wrong.
    """
    msg_lang = lang or "vi"
    p = Path(path)
    root = p.parent if p.suffix == ".toml" else find_workspace(p)
    cfg = root / CONFIG_NAME if p.suffix != ".toml" else p
    if not cfg.is_file():
        raise WorkspaceError(t("workspace_missing", msg_lang, path=root), path=root)
    try:
        raw = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(t("workspace_bad", msg_lang, path=cfg, reason=exc), path=cfg) from exc
    root = cfg.parent.resolve()

    area = raw.get("area", {})
    name = _req(area, "name", "area", cfg, msg_lang)
    language = check_lang(str(area.get("language", "vi")))
    years_raw = area.get("years", [2021, 2025])
    try:
        lo, hi = int(years_raw[0]), int(years_raw[-1])
    except (TypeError, ValueError, IndexError) as exc:
        raise WorkspaceError(
            t("workspace_bad", msg_lang, path=cfg, reason=f"[area] years = {years_raw!r}"),
            path=cfg,
        ) from exc
    encoding = str(area.get("encoding", "utf-8")).lower()

    def resolve(rel: str | None) -> Path | None:
        if not rel:
            return None
        if is_database_url(rel):
            return rel  # a PostGIS input stays a URL (see ntmgis.outputs.postgis_store)
        return root / rel

    layers: dict[str, LayerConfig] = {}
    for lname, sect in raw.get("layers", {}).items():
        if lname not in LAYER_NAMES:
            raise WorkspaceError(
                t("workspace_bad", msg_lang, path=cfg,
                  reason=f"[layers.{lname}]: unknown layer; expected one of {LAYER_NAMES}"),
                path=cfg,
            )
        layers[lname] = LayerConfig(
            name=lname,
            path=resolve(_req(sect, "path", f"layers.{lname}", cfg, msg_lang)),
            layer=sect.get("layer"),
            fields=dict(sect.get("fields", {})),
            crs=sect.get("crs"),
            encoding=sect.get("encoding"),
        )
    tables: dict[str, TableConfig] = {}
    for tname, sect in raw.get("tables", {}).items():
        if tname not in TABLE_NAMES:
            raise WorkspaceError(
                t("workspace_bad", msg_lang, path=cfg,
                  reason=f"[tables.{tname}]: unknown table; expected one of {TABLE_NAMES}"),
                path=cfg,
            )
        known = {"path", "sheet", "form", "fields", "xy_crs", "encoding"}
        tables[tname] = TableConfig(
            name=tname,
            path=resolve(_req(sect, "path", f"tables.{tname}", cfg, msg_lang)),
            sheet=sect.get("sheet"),
            form=str(sect.get("form", "long")),
            fields=dict(sect.get("fields", {})),
            xy_crs=sect.get("xy_crs"),
            encoding=sect.get("encoding"),
            options={k: v for k, v in sect.items() if k not in known},
        )
    plan_raw = raw.get("plan", {})
    plan = PlanConfig(
        name=str(plan_raw.get("name", "")),
        year=int(plan_raw.get("year", hi)),
        ntm_communes=plan_raw.get("ntm_communes"),
        ntm_villages=plan_raw.get("ntm_villages"),
        villages_total=plan_raw.get("villages_total"),
        min_criteria=plan_raw.get("min_criteria"),
        income_factor=plan_raw.get("income_factor"),
    )
    crit = raw.get("criteria", {})
    out = raw.get("output", {})
    terrain = raw.get("terrain", {})
    return Workspace(
        root=root,
        config_path=cfg,
        name=str(name),
        province=str(area.get("province", "")),
        province_code=str(area.get("province_code", "")),
        district_code=str(area.get("district_code", "")),
        crs=str(area.get("crs", "EPSG:4326")),
        assume_crs=area.get("assume_crs"),
        encoding=encoding,
        decimal=str(area.get("decimal", ",")),
        language=language,
        data_date=str(area.get("data_date", "")),
        years=tuple(range(lo, hi + 1)),
        code_width=area.get("code_width"),
        layers=layers,
        tables=tables,
        plan=plan,
        commune_set=str(crit.get("commune_set", "qd318-2022")),
        commune_group=crit.get("commune_group"),
        village_set_name=str(crit.get("village_set_name", "Bộ tiêu chí bản nông thôn mới")),
        village_set_name_en=str(crit.get("village_set_name_en", "Village criteria set")),
        elevation=resolve(terrain.get("elevation")),
        output_gpkg=resolve(out.get("gpkg", "layers/monitoring.gpkg")),
        maps_dir=resolve(out.get("maps", "maps")),
        reports_dir=resolve(out.get("reports", "reports")),
        village_distance_m=float(raw.get("checks", {}).get("village_distance_m", 3000.0)),
        raw=raw,
    )
