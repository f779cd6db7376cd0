"""A graduated map of one numeric indicator, split at its threshold (``ntmgis map --indicator``).

For planners asking "how far off, and who is closest?": each commune is coloured
by its value of one indicator (chỉ tiêu) in one year, in classes that split
exactly at the threshold, the failing side in reds and oranges, the passing side
in blues (ColorBrewer RdYlBu, marked colour-blind safe, as the other maps).
Where the thresholds differ between communes (by region or commune group), the
classes are of the distance to each commune's own threshold, and the legend
says so. Communes without a value are grey.

The values come from the ``indicator_status`` layer of ``monitoring.gpkg``
(``docs/CONTRACT.md``), read through :mod:`ntmgis.monitoring.gpkg`; the page is
drawn by :func:`~ntmgis.outputs.webmap.result.render_result_map` (one offline
HTML file, user strings only ever set as text in the browser).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ntmgis.core.errors import CriteriaError, DataError, OptionError, WorkspaceError
from ntmgis.core.i18n import catalog, check_lang, fmt_number, label, t
from ntmgis.core.safe_write import require_writable
from ntmgis.core.text import is_missing
from ntmgis.core.version import __version__
from ntmgis.core.vocabulary import is_illustrative
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.monitoring.gpkg import read_layer
from ntmgis.monitoring.indicators import criteria_set_for
from ntmgis.outputs.webmap.encode import simplify_coverage
from ntmgis.outputs.webmap.monitoring import SIMPLIFY_TOLERANCE_M
from ntmgis.outputs.webmap.result import ResultLayer, render_result_map

__all__ = ["write_indicator_map", "mappable_indicators", "classify", "FAIL_COLORS",
           "PASS_COLORS", "NO_DATA_COLOR"]

#: Classes on the failing side, farthest from the threshold first (ColorBrewer RdYlBu).
FAIL_COLORS = {1: ("#fc8d59",), 2: ("#d7191c", "#fdae61"), 3: ("#d73027", "#fc8d59", "#fee090")}
#: Classes on the passing side, nearest to the threshold first (ColorBrewer RdYlBu).
PASS_COLORS = {1: ("#91bfdb",), 2: ("#abd9e9", "#2c7bb6"), 3: ("#e0f3f8", "#91bfdb", "#4575b4")}
#: Values without a threshold to compare with (ColorBrewer Purples, low to high).
PLAIN_COLORS = {1: ("#9e9ac8",), 2: ("#cbc9e2", "#6a51a3"), 3: ("#dadaeb", "#9e9ac8", "#54278f"),
                4: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3")}
NO_DATA_COLOR = "#bdbdbd"
NO_THRESHOLD_COLOR = "#ffffff"
MAX_SIDE_CLASSES = 3

_MSG: dict[str, tuple[str, str]] = {
    "no_layer": (
        "chưa có số liệu chỉ tiêu (lớp indicator_status trong {path}); khai báo "
        "[tables.indicator_values] trong ntmgis.toml rồi chạy lại 'ntmgis build --overwrite'",
        "there are no indicator values (layer indicator_status in {path}); declare "
        "[tables.indicator_values] in ntmgis.toml and run 'ntmgis build --overwrite' again"),
    "unknown": ("--indicator {key}: không có chỉ tiêu '{key}' trong số liệu; các chỉ tiêu vẽ "
                "được: {mappable}",
                "--indicator {key}: there is no indicator '{key}' in the values; indicators "
                "that can be mapped: {mappable}"),
    "yes_no": ("--indicator {key}: chỉ tiêu '{key}' là chỉ tiêu đạt/không đạt, không có giá trị "
               "số để vẽ theo cấp; các chỉ tiêu vẽ được: {mappable}",
               "--indicator {key}: indicator '{key}' is met/not met, with no numeric value to "
               "grade; indicators that can be mapped: {mappable}"),
    "no_values": ("chỉ tiêu '{key}' chưa có giá trị số nào; các chỉ tiêu vẽ được: {mappable}",
                  "indicator '{key}' has no numeric values; indicators that can be mapped: "
                  "{mappable}"),
    "bad_year": ("--year {year}: chỉ tiêu '{key}' không có giá trị năm {year}; các năm có: "
                 "{years}",
                 "--year {year}: indicator '{key}' has no values for {year}; years with "
                 "values: {years}"),
    "none": ("không có", "none"),
    "title": ("Chỉ tiêu {key}: {name} – năm {year}", "Indicator {key}: {name} – {year}"),
    "title_noname": ("Chỉ tiêu {key} – năm {year}", "Indicator {key} – {year}"),
    "group": ("Chỉ tiêu {key}, năm {year}", "Indicator {key}, {year}"),
    "threshold": ("Ngưỡng {req}", "Threshold {req}"),
    "by_distance": ("Theo khoảng cách đến ngưỡng của từng xã; ngưỡng: {ths}",
                    "By the distance to each commune's own threshold; thresholds: {ths}"),
    "plain": ("Giá trị (chưa có ngưỡng để so sánh)", "Value (no threshold to compare with)"),
    "no_threshold": ("Có số liệu, chưa có ngưỡng", "Value, no threshold"),
    "no_data": ("Không có số liệu", "No data"),
    "ge_lt": ("từ {a} đến dưới {b}", "{a} to under {b}"),
    "lt": ("dưới {b}", "under {b}"),
    "ge": ("từ {a} trở lên", "{a} or more"),
    "gt_le": ("trên {a} đến {b}", "over {a} to {b}"),
    "gt": ("trên {a}", "over {a}"),
    "le": ("từ {b} trở xuống", "{b} or less"),
    "short_upto": ("còn thiếu đến {b}", "short by up to {b}"),
    "short_range": ("còn thiếu trên {a} đến {b}", "short by over {a} to {b}"),
    "short_over": ("còn thiếu trên {a}", "short by over {a}"),
    "over_under": ("vượt dưới {b}", "above it by under {b}"),
    "over_range": ("vượt từ {a} đến dưới {b}", "above it by {a} to under {b}"),
    "over_more": ("vượt từ {a} trở lên", "above it by {a} or more"),
    "class_met": ("{range} (đạt)", "{range} (met)"),
    "class_unmet": ("{range} (chưa đạt)", "{range} (not met)"),
    "met_count": ("Đạt: {met}/{n} xã có số liệu", "Met: {met} of {n} communes with values"),
    "closest": ("gần ngưỡng nhất: {names}", "closest to it: {names}"),
    "source": ("Nguồn: {src}; ngưỡng: {ths}", "Source: {src}; thresholds: {ths}"),
    "source_default": ("cơ sở dữ liệu giám sát nông thôn mới {area} (ntmgis {version})",
                       "new rural development monitoring database, {area} (ntmgis {version})"),
    "illustrative": ("Số liệu minh họa, không phải số liệu thật",
                     "Illustrative data, not real figures"),
    "f_code": ("Mã xã", "Commune code"),
    "f_year": ("Năm", "Year"),
    "f_value": ("Giá trị", "Value"),
    "f_threshold": ("Ngưỡng", "Threshold"),
    "f_result": ("Kết quả", "Result"),
    "f_distance": ("Khoảng cách đến ngưỡng", "Distance to the threshold"),
    "f_class": ("Nhóm/vùng áp ngưỡng", "Class of the threshold"),
    "f_source": ("Nguồn ngưỡng", "Threshold source"),
    "d_short": ("còn thiếu {x}", "{x} short"),
    "d_over": ("vượt {x}", "{x} above it"),
    "d_exact": ("đúng bằng ngưỡng", "exactly at the threshold"),
}
_m = catalog(_MSG, t)


def _num(x: float, lang: str) -> str:
    """A value as planners write it: up to two decimals, none when whole (1.234,5)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    for d in (0, 1, 2):
        if abs(round(x, d) - x) < 1e-9:
            return fmt_number(float(x), lang, d)
    return fmt_number(float(x), lang, 2)


def _with_unit(text: str, unit: str) -> str:
    unit = str(unit or "").strip()
    if not unit or text.endswith(unit):
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _requirement(direction: str, threshold: float, requirement: str, unit: str,
                 lang: str) -> str:
    """``≥ 45 triệu đồng/người/năm`` from the data (the decision's words when no number)."""
    if threshold is None or math.isnan(threshold):
        return _with_unit(str(requirement or "").strip(), unit) if requirement else ""
    sign = "≤" if direction == "at_most" else "≥"
    return _with_unit(f"{sign} {_num(threshold, lang)}", unit)


def _nice_step(span: float, n: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k with ``n`` steps covering ``span``."""
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    for f in (1, 2, 2.5, 5, 10):
        if f * mag >= raw * (1 - 1e-9):
            return f * mag
    return 10 * mag  # pragma: no cover


@dataclasses.dataclass(frozen=True)
class _Class:
    side: str    # "fail", "pass" or "plain"
    index: int   # 0 nearest the threshold (plain: lowest value)
    lo: float    # edges in distance (fail), margin (pass) or value (plain)
    hi: float    # math.inf for the open class
    color: str


def _side(x: np.ndarray, side: str, step: float) -> tuple[list[_Class], np.ndarray]:
    """Up to three classes of ``x`` >= 0 (distance or margin) from 0, and each one's class."""
    top = float(np.max(x)) if len(x) else 0.0
    k = 1 if step == 0 else max(1, min(MAX_SIDE_CLASSES, math.ceil(round(top / step, 9))))
    q = np.round(x / step, 9) if step else np.zeros(len(x))
    # failing: (e_i, e_i+1] (a distance of 0 is met); passing: [e_j, e_j+1)
    idx = np.ceil(q) - 1 if side == "fail" else np.floor(q)
    idx = np.clip(idx, 0, k - 1).astype(int)
    colors = FAIL_COLORS[k][::-1] if side == "fail" else PASS_COLORS[k]
    classes = [_Class(side, i, i * step, (i + 1) * step if i < k - 1 else math.inf, colors[i])
               for i in range(k)]
    return classes, idx


def _min_step(scale: float) -> float:
    """The finest class width for numbers of the size of ``scale`` (1 for 45, 0,1 for 5)."""
    return 10.0 ** (math.floor(math.log10(abs(scale))) - 1) if scale else 0.0


def classify(distance: np.ndarray, scale: float = 0.0) -> tuple[list[_Class], np.ndarray]:
    """Classes of signed distances to a threshold (positive: still missing), split at 0.

    Both sides have classes of one round width (1, 2, 2,5 or 5 × 10^k: a third
    of the largest distance, at least a tenth of the order of ``scale``, the
    threshold), up to three a side, the last one open; a side without communes
    gets one. Returns the classes (failing farthest first, then passing nearest
    first) and each distance's index into them.
    """
    d = np.round(np.asarray(distance, dtype=float), 9)
    fail = d > 0
    top = float(np.max(np.abs(d))) if len(d) else 0.0
    step = max(_nice_step(top, MAX_SIDE_CLASSES), _min_step(scale)) if top > 0 else 0.0
    fc, fi = _side(d[fail], "fail", step)
    pc, pi = _side(-d[~fail], "pass", step)
    order = fc[::-1] + pc
    out = np.empty(len(d), dtype=int)
    out[fail] = len(fc) - 1 - fi
    out[~fail] = len(fc) + pi
    return order, out


def _plain(values: np.ndarray) -> tuple[list[_Class], np.ndarray]:
    """Up to four classes of equal round width for values without a threshold."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if hi <= lo:
        return [_Class("plain", 0, lo, math.inf, PLAIN_COLORS[1][0])], np.zeros(len(values), int)
    step = max(_nice_step(hi - lo, 4), _min_step(max(abs(lo), abs(hi))))
    start = math.floor(round(lo / step, 9)) * step
    k = max(1, min(4, math.floor(round((hi - start) / step, 9)) + 1))
    idx = np.clip(np.floor(np.round((values - start) / step, 9)), 0, k - 1).astype(int)
    return [_Class("plain", i, start + i * step, start + (i + 1) * step if i < k - 1
                   else math.inf, PLAIN_COLORS[k][i]) for i in range(k)], idx


def _ranged(key: str, lang: str, unit: str, a: float | None = None,
            b: float | None = None) -> str:
    """A range text, the unit after its last number, a percent sign after each.

    "từ 40 đến dưới 45 triệu đồng/người/năm", "từ 45 triệu đồng/người/năm trở lên",
    "trên 11% đến 13%".
    """
    tpl = _m.table(lang)[key]
    last = "a" if tpl.rfind("{a}") > tpl.rfind("{b}") else "b"
    out = {}
    for k, v in (("a", a), ("b", b)):
        text = "" if v is None else _num(v, lang)
        if v is not None and unit == "%":
            text += "%"
        elif v is not None and k == last and unit:
            text += f" {unit}"
        out[k] = text
    return _m(key, lang, **out)


def _class_label(c: _Class, mode: str, direction: str, th: float, unit: str, lang: str) -> str:
    """The legend label of a class: its range in the unit, and met or not."""
    unit = str(unit or "").strip()
    open_ = c.hi == math.inf
    hi = None if open_ else c.hi
    if c.side == "plain":
        return _ranged("ge", lang, unit, a=c.lo) if open_ else _ranged(
            "ge_lt", lang, unit, a=c.lo, b=c.hi)
    if mode == "distance":
        if c.index == 0 and open_:
            return label("met", "0" if c.side == "fail" else "1", lang)
        if c.side == "fail":
            key = "short_over" if open_ else ("short_upto" if c.index == 0 else "short_range")
        else:
            key = "over_more" if open_ else ("over_under" if c.index == 0 else "over_range")
        return _ranged(key, lang, unit, a=c.lo, b=hi)
    # value mode: distance d = th - v (at least), v - th (at most); margin m = -d
    at_most = direction == "at_most"
    if c.side == "fail":
        if at_most:  # v in (th + lo, th + hi]
            text = _ranged("gt", lang, unit, a=th + c.lo) if open_ else _ranged(
                "gt_le", lang, unit, a=th + c.lo, b=th + c.hi)
        else:        # v in [th - hi, th - lo)
            text = _ranged("lt", lang, unit, b=th - c.lo) if open_ else _ranged(
                "ge_lt", lang, unit, a=th - c.hi, b=th - c.lo)
        return _m("class_unmet", lang, range=text)
    if at_most:      # v in (th - hi, th - lo]
        text = _ranged("le", lang, unit, b=th - c.lo) if open_ else _ranged(
            "gt_le", lang, unit, a=th - c.hi, b=th - c.lo)
    else:            # v in [th + lo, th + hi)
        text = _ranged("ge", lang, unit, a=th + c.lo) if open_ else _ranged(
            "ge_lt", lang, unit, a=th + c.lo, b=th + c.hi)
    return _m("class_met", lang, range=text)


def _numeric(st: pd.DataFrame) -> pd.Series:
    """Rows of numeric indicators (a direction to compare in) that have a value."""
    direction = st["direction"].fillna("").astype(str)
    return direction.isin(["at_least", "at_most"]) & pd.to_numeric(st["value"]).notna()


def mappable_indicators(status: pd.DataFrame) -> dict[str, list[int]]:
    """The indicators of an ``indicator_status`` layer that can be mapped, with their years.

    An indicator can be mapped when it is numeric and has at least one value;
    keys in the layer's (the set's) order, years ascending.
    """
    st = status[_numeric(status)]
    out: dict[str, list[int]] = {}
    for key, year in zip(st["indicator"].astype(str), pd.to_numeric(st["year"]), strict=True):
        out.setdefault(key, [])
        if int(year) not in out[key]:
            out[key].append(int(year))
    return {k: sorted(v) for k, v in out.items()}


def _years_text(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _mappable_text(m: dict[str, list[int]], lang: str) -> str:
    return "; ".join(f"{k} ({_years_text(y)})" for k, y in m.items()) or _m("none", lang)


def _safe_key(key: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]+", "_", key).strip("._") or "indicator"


def _text(v: object) -> str:
    return "" if is_missing(v) else str(v)


def _grade(value: np.ndarray, dist: np.ndarray, thresholds: list[float], direction: str,
           unit: str, lang: str) -> tuple[str, np.ndarray, dict[str, str], dict[str, str]]:
    """Each commune's class: mode, class keys, legend labels and colours by key.

    ``value`` mode with one threshold (labels in values), ``distance`` with
    several (labels in distances), ``plain`` with none (sequential classes of
    the values). Keys sort in the legend's order: ``c0``... (failing farthest
    first), ``x`` a value without threshold, ``y`` no value.
    """
    has_value = ~np.isnan(value)
    judged = has_value & ~np.isnan(dist)
    mode = "plain" if not thresholds else ("value" if len(thresholds) == 1 else "distance")
    cat = np.full(len(value), "y", dtype=object)
    cat[has_value & ~judged] = "x"
    if mode == "plain":
        classes, idx = _plain(value[has_value])
        cat[has_value] = [f"c{i}" for i in idx]
    else:
        classes, idx = classify(dist[judged], scale=max(abs(x) for x in thresholds))
        cat[judged] = [f"c{i}" for i in idx]
    th0 = thresholds[0] if thresholds else math.nan
    labels = {f"c{i}": _class_label(c, mode, direction, th0, unit, lang)
              for i, c in enumerate(classes)}
    colors = {f"c{i}": c.color for i, c in enumerate(classes)}
    labels.update(x=_m("no_threshold", lang), y=_m("no_data", lang))
    colors.update(x=NO_THRESHOLD_COLOR, y=NO_DATA_COLOR)
    return mode, cat, labels, colors


def _distance_text(d: float, unit: str, lang: str) -> str:
    """"còn thiếu 1 triệu đồng/người/năm", "vượt 6%", or "" when unknown."""
    if np.isnan(d):
        return ""
    if round(d, 9) == 0:
        return _m("d_exact", lang)
    return _m("d_short" if d > 0 else "d_over", lang, x=_with_unit(_num(abs(d), lang), unit))


def _summary(ws: Workspace, threshold: str, judged: np.ndarray, met: np.ndarray,
             dist: np.ndarray, codes: np.ndarray, names: list[str], sources: pd.Series,
             unit: str, lang: str) -> str:
    """The line under the title: threshold, how many meet it, who is closest, source."""
    parts = [threshold] if threshold else []
    if judged.any():
        parts.append(_m("met_count", lang, met=int(np.sum(met[judged] == 1)),
                        n=int(judged.sum())))
        short = np.flatnonzero(judged & (dist > 0))
        short = short[np.lexsort((codes[short], dist[short]))][:3]
        if len(short):
            parts.append(_m("closest", lang, names=", ".join(
                f"{names[i]} ({_distance_text(dist[i], unit, lang)})" for i in short)))
    conf = ws.raw.get("appendix", {}) if isinstance(ws.raw, dict) else {}
    src = conf.get("source") or _m("source_default", lang, area=ws.name, version=__version__)
    th_sources = list(dict.fromkeys(x for x in sources if x))
    parts.append(_m("source", lang, src=src, ths="; ".join(th_sources) or "–"))
    if is_illustrative(ws):
        parts.append(_m("illustrative", lang))
    return " · ".join(parts)


def _rows_of(gpkg: Path, key: str, year: int | None, lang: str) -> tuple[pd.DataFrame, int]:
    """The ``indicator_status`` rows of ``key`` in ``year`` (default the latest), by code.

    Refuses, naming what can be mapped, an indicator the layer lacks or a yes/no
    one (OptionError), a numeric one without values (DataError), a year without
    values (OptionError).
    """
    if not gpkg.is_file():
        raise FileNotFoundError(t("not_built", lang, path=gpkg))
    status = read_layer(gpkg, "indicator_status", geometry=False)
    if status is None or status.empty:
        raise DataError(_m("no_layer", lang, path=gpkg))
    status = pd.DataFrame(status)
    status["indicator"] = status["indicator"].astype(str)
    status["code"] = status["code"].astype(str)
    mappable = mappable_indicators(status)
    listed = _mappable_text(mappable, lang)
    rows = status[status["indicator"] == key]
    if rows.empty:
        raise OptionError(_m("unknown", lang, key=key, mappable=listed))
    if key not in mappable:
        if not rows["direction"].fillna("").astype(str).isin(["at_least", "at_most"]).any():
            raise OptionError(_m("yes_no", lang, key=key, mappable=listed))
        raise DataError(_m("no_values", lang, key=key, mappable=listed), value=key,
                        expected=listed)
    years = mappable[key]
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise OptionError(_m("bad_year", lang, key=key, year=year, years=_years_text(years)))
    year = int(year)
    r = rows[pd.to_numeric(rows["year"]) == year].drop_duplicates("code").set_index("code")
    return r, year


def write_indicator_map(ws: Workspace | str | Path, indicator: str, *, year: int | None = None,
                        path: str | Path | None = None, overwrite: bool = False,
                        lang: str = "vi", online_tiles: bool = True) -> Path:
    """Write a graduated map of one numeric indicator's value, its threshold marked.

    Parameters
    ----------
    ws : Workspace or path
        A built workspace whose ``monitoring.gpkg`` has the ``indicator_status``
        layer (the workspace declares ``[tables.indicator_values]``).
    indicator : str
        The indicator's key ("10", "17.1").
    year : int, optional
        Default: the latest year with values of the indicator.
    path : str or Path, optional
        Default ``maps/indicator_<key>_<year>.html`` of the workspace.
    overwrite : bool
        Replace an existing file (otherwise OutputExistsError, exit code 4).
    lang : {"vi", "en"}
        Language of the map's texts and number formats.
    online_tiles : bool
        Offer an OpenStreetMap layer that the user can switch on when online.

    Returns
    -------
    Path
        The file written: one offline HTML page.

    Raises
    ------
    OptionError
        An indicator the values do not have, a yes/no one, or a year without
        values (the message names what can be mapped).
    DataError
        No indicator values in the workspace, or none for a numeric indicator.
    """
    check_lang(lang)
    if not isinstance(ws, Workspace):
        ws = load_workspace(ws, lang=lang)
    key = str(indicator).strip()
    gpkg = Path(ws.output_gpkg)
    r, year = _rows_of(gpkg, key, year, lang)
    target = Path(path) if path is not None else (
        Path(ws.maps_dir) / f"indicator_{_safe_key(key)}_{year}.html")
    require_writable(target, overwrite, lang, ws=ws)  # refuse before any work is done

    try:
        cset = criteria_set_for(ws, lang=lang)
        ind = cset.indicator(key)
        name = ind.name(lang)
        class_names = {c.key: c.name(lang) for c in cset.classes}
    except (WorkspaceError, CriteriaError):  # the set changed since the build
        name, class_names = "", {}

    communes = read_layer(gpkg, "communes")
    communes = communes.sort_values("code").reset_index(drop=True)
    communes["code"] = communes["code"].astype(str)
    unit = next((u for u in r["unit"].astype(str) if u and u != "nan"), "")
    direction = next(d for d in r["direction"].astype(str) if d in ("at_least", "at_most"))

    codes = communes["code"]
    value = pd.to_numeric(r["value"]).reindex(codes).to_numpy(dtype=float)
    thr = pd.to_numeric(r["threshold"]).reindex(codes).to_numpy(dtype=float)
    dist = pd.to_numeric(r["distance"]).reindex(codes).to_numpy(dtype=float)
    met = pd.to_numeric(r["met"]).reindex(codes).to_numpy(dtype=float)
    has_value = ~np.isnan(value)
    judged = has_value & ~np.isnan(dist)
    thresholds = sorted(set(thr[judged].tolist()))
    mode, cat, labels, colors = _grade(value, dist, thresholds, direction, unit, lang)
    th0 = thresholds[0] if thresholds else math.nan

    req_of = {}
    for code, rr in r.iterrows():
        req_of[code] = _requirement(direction, float(pd.to_numeric(rr["threshold"])),
                                    _text(rr["requirement"]), unit, lang)
    if mode == "value":
        legend_title = _m("threshold", lang, req=_requirement(direction, th0, "", unit, lang))
    elif mode == "distance":
        per_class = dict.fromkeys(
            f"{class_names.get(_text(r.at[c, 'class']), _text(r.at[c, 'class']))} "
            f"{req_of[c]}".strip() for c in codes[judged])
        legend_title = _m("by_distance", lang, ths="; ".join(per_class))
    else:
        legend_title = _m("plain", lang)

    names = communes["name"].astype(str).tolist()
    in_r = codes.isin(r.index).to_numpy()
    frame = pd.DataFrame({
        "title": [f"{n}: {_with_unit(_num(v, lang), unit)}" if hv else
                  f"{n}: {_m('no_data', lang)}"
                  for n, v, hv in zip(names, value, has_value, strict=True)],
        "code": codes.to_numpy(), "year": str(year),
        "value": [_with_unit(_num(v, lang), unit) if hv else _m("no_data", lang)
                  for v, hv in zip(value, has_value, strict=True)],
        "threshold": [req_of.get(c, "") for c in codes],
        "result": [label("met", "" if np.isnan(x) else str(int(x)), lang) for x in met],
        "distance": [_distance_text(d, unit, lang) for d in dist],
        "class": [class_names.get(_text(r.at[c, "class"]), _text(r.at[c, "class"]))
                  if ok else "" for c, ok in zip(codes, in_r, strict=True)],
        "source": [_text(r.at[c, "threshold_source"]) if ok else ""
                   for c, ok in zip(codes, in_r, strict=True)],
        "cat": cat,
    })
    # simplified as the monitoring maps are (a coverage, in metres)
    metric = communes.crs if not communes.crs.is_geographic else communes.estimate_utm_crs()
    geo, _valid = simplify_coverage(communes.geometry.to_crs(metric), SIMPLIFY_TOLERANCE_M)
    gdf = gpd.GeoDataFrame(frame, geometry=geo.to_numpy(), crs=metric)
    fields = ["code", "year", "value", "threshold", "result", "distance", "class", "source"]
    if not any(frame["class"]):
        fields.remove("class")
    layer = ResultLayer(
        gdf, legend_title, category="cat", colors=colors, labels=labels, fields=fields,
        field_labels={f: _m(f"f_{f}", lang) for f in fields},
        title_field="title", group=_m("group", lang, key=key, year=year), fill_opacity=0.8)

    subtitle = _summary(ws, legend_title if mode == "value" else "", judged, met, dist,
                        codes.to_numpy(), names, frame["source"], unit, lang)
    title = _m("title" if name else "title_noname", lang, key=key, name=name, year=year)
    # The communes are the map's own layer: without a GeoPackage to read, the writer
    # leaves out its context copy of them (and still takes the hillshade, area, date).
    context = dataclasses.replace(ws, output_gpkg=None)
    return render_result_map([layer], target, title=title, lang=lang, overwrite=overwrite,
                             workspace=context, subtitle=subtitle,
                             online_tiles=online_tiles)
