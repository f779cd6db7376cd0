"""What every appendix page says about itself: its CRS, the report it is attached to, the area.

* :func:`crs_note`: "Hệ tọa độ VN-2000, kinh tuyến trục 103°00′, múi chiếu 3° (EPSG:9205)",
  read from the workspace's CRS with pyproj, never hard-coded;
* :func:`report_line`: "Kèm theo Báo cáo số …/BC-UBND ngày … của …", from the workspace's
  ``[appendix]`` keys ``report_ref``, ``report_date`` and ``issuer``; blank dots for what is
  not set (no number or date is ever made up);
* :func:`area_kind`: what kind of unit the workspace covers (a district, or since 1 July
  2025 often a group of communes), so that pages say "Ranh giới huyện" only for a district.
"""

from __future__ import annotations

import math

from ntmgis.outputs.appendix._text import fmt_date, tr

__all__ = ["crs_note", "report_line", "area_kind", "appendix_conf"]

# Blank dots where a reference is not set: the office fills them in by hand.
DOTS = "……"

# Name prefixes of administrative units -> (kind in Vietnamese, in English, is a district).
_KINDS = (
    ("huyện ", "huyện", "district", True),
    ("thị xã ", "thị xã", "town", True),
    ("thành phố ", "thành phố", "city", True),
    ("quận ", "quận", "urban district", True),
    ("tỉnh ", "tỉnh", "province", False),
    ("xã ", "xã", "commune", False),
    ("phường ", "phường", "ward", False),
    ("đặc khu ", "đặc khu", "special zone", False),
    ("khu vực ", "khu vực", "area", False),
)


def appendix_conf(ws) -> dict:
    """The workspace's ``[appendix]`` table (empty when it has none)."""
    raw = getattr(ws, "raw", None)
    conf = raw.get("appendix", {}) if isinstance(raw, dict) else {}
    return conf if isinstance(conf, dict) else {}


def area_kind(ws) -> tuple[str, str, bool]:
    """(kind in Vietnamese, kind in English, is a district-level unit) of the workspace's area.

    Read from the start of its name ("Huyện Mường Tè" -> huyện); an area whose name
    names no unit (the 2026 sample's "Khu vực Mường Tè cũ (8 xã)") is a "khu vực".
    """
    name = str(getattr(ws, "name", "") or "").strip().lower()
    for prefix, vi, en, district in _KINDS:
        if name.startswith(prefix):
            return vi, en, district
    return "khu vực", "area", False


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def report_line(ws, lang: str) -> str:
    """The line for the report the appendix is attached to, with its issuing body."""
    conf = appendix_conf(ws)
    ref = str(conf.get("report_ref") or "").strip()
    date = str(conf.get("report_date") or "").strip()
    issuer = str(conf.get("issuer") or "").strip()
    if not ref:
        ref = f"{DOTS}/BC-UBND"
    date = fmt_date(date, lang) if date else f"{DOTS}/{DOTS}/{DOTS}"
    if not issuer:
        vi_kind, en_kind, _ = area_kind(ws)
        name = str(getattr(ws, "name", "") or "").strip()
        known = name.lower().startswith(vi_kind + " ") and vi_kind != "khu vực"
        if not known:
            issuer = DOTS
        elif lang == "en":
            issuer = f"the People's Committee of {name[len(vi_kind) + 1:]} {en_kind}"
        else:
            issuer = f"Ủy ban nhân dân {_lower_first(name)}"
    return tr("report_line", lang, ref=ref, date=date, issuer=issuer)


def _dms(deg: float) -> str:
    """103.0 -> "103°00′"; 105.75 -> "105°45′"."""
    sign = "-" if deg < 0 else ""
    deg = abs(deg)
    d = math.floor(deg + 1e-9)
    m = round((deg - d) * 60.0, 1)
    if m >= 60.0:
        d, m = d + 1, 0.0
    mm = f"{int(m):02d}" if float(m).is_integer() else f"{m:04.1f}"
    return f"{sign}{d}°{mm}′"


def crs_note(crs: str, lang: str) -> str:
    """The map's coordinate reference system in words, read from ``crs`` with pyproj."""
    try:
        from pyproj import CRS

        c = CRS.from_user_input(crs)
    except Exception:  # noqa: BLE001 - an unreadable CRS is still named as written
        return tr("crs_other", lang, name=str(crs), code=str(crs))
    auth = c.to_authority()
    code = f"{auth[0]}:{auth[1]}" if auth else str(crs)
    datum = c.datum.name if c.datum is not None else ""
    datum_txt = "VN-2000" if "vietnam 2000" in datum.lower() or "VN-2000" in c.name else None
    op = c.coordinate_operation
    params = {p.name: p.value for p in op.params} if op is not None else {}
    lon0 = params.get("Longitude of natural origin")
    k0 = params.get("Scale factor at natural origin")
    if op is None or lon0 is None or "transverse mercator" not in op.method_name.lower():
        return tr("crs_other", lang, name=c.name, code=code)
    zone = 3 if k0 is not None and abs(k0 - 0.9999) < 1e-9 else (
        6 if k0 is not None and abs(k0 - 0.9996) < 1e-9 else None)
    name = datum_txt or (c.geodetic_crs.name if c.geodetic_crs is not None else c.name)
    key = "crs_tm_zone" if zone else "crs_tm"
    return tr(key, lang, datum=name, lon=_dms(float(lon0)), zone=zone, code=code)
