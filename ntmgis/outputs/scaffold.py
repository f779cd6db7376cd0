"""``ntmgis init``: a new empty workspace with templates, or a copy of a sample.

Two samples ship with ntmgis: Mường Tè's 13 communes of 2021-2025 (Decision 318/QĐ-TTg,
the repository root's ``ntmgis.toml`` and ``layers/``; ``ntmgis/_sample/`` in the wheel)
and its 8 communes since the merger of 1 July 2025, assessed for 2026 against Decision
51/2025/QĐ-TTg (``sample_2026/``; ``ntmgis/_sample_2026/`` in the wheel).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from ntmgis.core.criteria import COMMUNE_CRITERIA
from ntmgis.core.errors import OutputExistsError, WorkspaceError
from ntmgis.core.i18n import labels, t
from ntmgis.outputs.forms import write_templates

__all__ = ["init_workspace", "sample_root", "SAMPLES"]

#: The samples: key -> (folder inside the installed package, folder in the repository).
SAMPLES = {"2021-2025": ("_sample", "."), "2026": ("_sample_2026", "sample_2026")}

_TEMPLATE_TOML = """\
# ntmgis workspace. Paths are relative to this file. See README.md, "The workspace".
# Lines starting with # are comments: uncomment and edit what applies to your data.

[area]
name = "Huyện ..."               # the area's name, as it appears on maps and reports
province = "Tỉnh ..."
# province_code = "12"           # GSO codes, as strings (keep leading zeros)
# district_code = "107"
crs = "EPSG:9205"                # working CRS: VN-2000 / TM-3 with your province's meridian
assume_crs = "EPSG:9205"         # CRS for files without one (Shapefiles without .prj)
encoding = "utf-8"               # legacy DBF/CSV text: utf-8, cp1258, tcvn3 or vni
decimal = ","                    # "1.234" is one thousand two hundred and thirty-four
language = "vi"                  # vi or en
data_date = "2025-12-31"
years = [2021, 2025]
code_width = 5                   # commune codes have 5 digits: 3436 -> 03436

[plan]
year = 2025
# ntm_communes = 4               # headline targets of your plan
# ntm_villages = 18
# villages_total = 101
min_criteria = 10

[layers.communes]
path = "layers/communes.shp"     # GeoPackage, Shapefile, MapInfo TAB or GeoJSON
[layers.communes.fields]         # your column names for ntmgis's fields
code = "MaXa"
name = "TenXa"
# population = "DanSo"

# [layers.villages]
# path = "layers/villages.gpkg"
# [layers.villages.fields]
# code = "MaBan"
# name = "TenBan"
# commune_code = "MaXa"

# [layers.facilities]            # type: school, health_station, cultural_house, market
# path = "layers/facilities.gpkg"

# [layers.roads]
# path = "layers/roads.gpkg"

[tables.commune_status]
path = "layers/commune_status.csv"   # or .xlsx (add sheet = "...")
form = "wide"                        # wide: one column per criterion; long: one row each
criterion_columns = "TC{n}"

[tables.plan_targets]
path = "layers/plan_targets.csv"

[tables.plan_funding]
path = "layers/plan_funding.csv"

[tables.projects]
path = "layers/projects.csv"
# xy_crs = "EPSG:9205"           # when locations are VN-2000 X/Y columns instead of lon/lat

# [terrain]
# elevation = "layers/elevation.tif"

[output]
gpkg = "layers/monitoring.gpkg"
maps = "maps"
reports = "reports"
"""

_PROJECT_HEADER = ["ma_du_an", "ten_du_an", "loai", "ma_xa", "ma_ban", "tieu_chi", "nam_bat_dau",
                   "nam_ket_thuc", "tinh_trang", "kinh_do", "vi_do", "ns_trung_uong",
                   "ns_dia_phuong", "von_long_ghep", "von_tin_dung", "von_huy_dong", "cong_dong",
                   "da_giai_ngan"]


def sample_root(which: str = "2021-2025", *, lang: str = "vi") -> Path:
    """Where a sample workspace is (:data:`SAMPLES`): inside the wheel, or the repository."""
    inside, in_repo = SAMPLES[which]
    package = Path(__file__).resolve().parents[1]  # ntmgis/
    packaged = package / inside
    if (packaged / "ntmgis.toml").is_file():
        return packaged
    repo = (package.parent / in_repo).resolve()
    if (repo / "ntmgis.toml").is_file() and (repo / "layers").is_dir():
        return repo
    raise WorkspaceError(t("sample_missing", lang, which=which))


def _prepare(target: Path, overwrite: bool, lang: str) -> None:
    if target.exists() and any(target.iterdir()) and not overwrite:
        raise OutputExistsError(t("dir_not_empty", lang, path=target))
    target.mkdir(parents=True, exist_ok=True)


def init_workspace(path: str | Path, *, sample: bool | str = False, overwrite: bool = False,
                   lang: str = "vi") -> Path:
    """Create a workspace at ``path``.

    Parameters
    ----------
    path : path
        The folder to create (it must be empty unless ``overwrite``).
    sample : bool or str
        Copy a sample instead of writing empty templates: True or ``"2021-2025"`` for
        the Mường Tè sample of 2021-2025, ``"2026"`` for its 8 communes in 2026
        (:data:`SAMPLES`).
    overwrite : bool
        Allow a non-empty folder; existing files of the same names are replaced.
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    Path
        The workspace folder.
    """
    which = "2021-2025" if sample is True else (str(sample) if sample else None)
    if which is not None and which not in SAMPLES:
        raise WorkspaceError(t("sample_unknown", lang, which=which, samples=", ".join(SAMPLES)))
    target = Path(path)
    _prepare(target, overwrite, lang)
    if which is not None:
        src = sample_root(which, lang=lang)
        shutil.copyfile(src / "ntmgis.toml", target / "ntmgis.toml")
        shutil.copytree(src / "layers", target / "layers", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*", ".*"))
        return target
    (target / "ntmgis.toml").write_text(_TEMPLATE_TOML, encoding="utf-8")
    layers = target / "layers"
    layers.mkdir(exist_ok=True)
    with open(layers / "commune_status.csv", "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerow(["MaXa", "TenXa", "Nam"] + [f"TC{c.number}"
                                                         for c in COMMUNE_CRITERIA])
    with open(layers / "plan_targets.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["tieu_chi", "ten_tieu_chi", "so_xa_dat", "ty_le"])
        for c in COMMUNE_CRITERIA:
            w.writerow([c.number, c.name_vi, "", ""])
    with open(layers / "plan_funding.csv", "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["nguon_von", "ke_hoach"])
        for name in labels("source", "vi").values():
            w.writerow([name, ""])
    with open(layers / "projects.csv", "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerow(_PROJECT_HEADER)

    # Empty forms (no communes to pre-fill yet): the commune, village and Biểu 04 sheets.
    write_templates(target / "templates", lang=lang, overwrite=overwrite)
    return target
