"""``ntmgis query``: gaps, access, misplaced, projects, closest, income.

Each subcommand parses its options, calls one query of :mod:`ntmgis.analysis`
(gaps, access, misplaced, project_search; indicators for ``gaps --indicator``,
``closest`` and ``income``), prints the result as a table
(Vietnamese headings by default, :mod:`ntmgis.analysis.formatting`), and writes
the outputs asked for with :func:`ntmgis.analysis.results.write_outputs`:
``--csv``, ``--geojson``, ``--gpkg [LAYER]`` (a layer added to the monitoring
GeoPackage) and ``--map [PATH]`` (an offline HTML map; not for the indicator queries,
whose values ``ntmgis map --indicator`` draws). Library errors become a message and
an exit code: 1 data, 2 an option value that cannot be used, 3 workspace, 4 output exists,
5 missing dependency. Names from the data are printed as plain text (``rich.text.Text``),
so a name holding ``[bold]`` or ``[link=…]`` shows as typed.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Group, option
from ntmgis.cli.options import (
    check_criterion,
    check_enum,
    group_by_option,
    lang_option,
    open_workspace,
    workspace_option,
)
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, enum_keys, labels, t
from ntmgis.core.progress import Progress, wants_progress

__all__ = ["command"]

_m = catalog({
    "title": ("Truy vấn", "Query"),
    "access_title": ("Tính khả năng tiếp cận", "Computing access"),
    "working": ("Đọc dữ liệu và tính", "Reading the data and computing"),
})


@contextlib.contextmanager
def _working(lang: str, title: str = "title") -> Iterator[Progress]:
    """A bar naming the query's step while it runs, on a terminal only.

    Only around the library call: the table printed afterwards on standard output
    must not interleave with a bar being redrawn on standard error.
    """
    with Progress(_m(title, lang), lang, enabled=wants_progress()) as bar:
        bar.step(_m("working", lang))
        yield bar

# Output options that name a file, checked before the query runs.
_FILE_OUTPUTS = ("csv_path", "geojson_path", "map_path", "summary_csv", "raster_path")


def _handle(func: Callable[..., Any]) -> Callable[..., Any]:
    """Map errors to exit codes; refuse unwritable output files before any work.

    A query can take a while and prints its table; an output path that is an
    input (``--csv layers/projects.csv``) or exists without ``--overwrite`` is
    refused first, so nothing is printed as if it had worked.
    """
    @functools.wraps(func)
    def checked(**kw: Any) -> Any:
        paths = [kw.get(k) for k in _FILE_OUTPUTS if kw.get(k)]  # "" : the default place
        if paths:
            from ntmgis.core.safe_write import require_writable

            ws, lang = open_workspace(kw["workspace"], kw.get("lang"))
            for p in paths:
                require_writable(p, kw.get("overwrite", False), lang, ws=ws)
        return func(**kw)

    return handle_errors(checked)


def _options(*, with_map: bool = True) -> list[Callable[..., Any]]:
    """Options every query shares: workspace, language, outputs, overwrite."""
    opts = [
        workspace_option,
        lang_option,
        option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
               help=("Ghi kết quả ra tệp CSV.", "Write the result as CSV.")),
        option("--geojson", "geojson_path", type=click.Path(path_type=Path), default=None,
               help=("Ghi kết quả ra GeoJSON (WGS 84).", "Write the result as GeoJSON (WGS 84).")),
        option("--gpkg", "gpkg_layer", is_flag=False, flag_value="", default=None,
               metavar=("[LỚP]", "[LAYER]"),
               help=("Thêm kết quả thành một lớp của monitoring.gpkg (tên mặc định: query_...).",
                     "Add the result as a layer of the monitoring GeoPackage (default name: "
                     "query_...).")),
        *([option("--map", "map_path", is_flag=False, flag_value="", default=None,
                  metavar=("[ĐƯỜNG_DẪN]", "[PATH]"),
                  help=("Bản đồ HTML ngoại tuyến (mặc định trong maps/).",
                        "Offline HTML map (default in maps/)."))]
          if with_map else []),
        option("--overwrite", is_flag=True, default=False,
               help=("Ghi đè tệp hoặc lớp đã có.", "Replace existing outputs.")),
        option("--limit", type=click.IntRange(min=0), default=100, show_default=True,
               help=("Số dòng tối đa in ra màn hình (0: tất cả); tệp luôn có đủ mọi dòng.",
                     "Rows printed (0: all); files always get every row.")),
    ]
    return opts


def _common(func: Callable[..., Any], *, with_map: bool = True) -> Callable[..., Any]:
    """Add the shared options (:func:`_options`) to a command."""
    for opt in reversed(_options(with_map=with_map)):
        func = opt(func)
    return func


def _common_no_map(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared options without ``--map``.

    Indicator results have no map drawing yet; ``ntmgis map --indicator`` maps the
    indicator values.
    """
    return _common(func, with_map=False)


#: Columns holding place names from the data, shown with :func:`~ntmgis.core.text.display_name`.
_NAME_COLUMNS = ("commune_name", "village_name", "located_commune_name")


def _display_names(frame):
    """The frame with its place names as displayed ("Pa ủ" -> "Pa Ủ"); keys untouched."""
    from ntmgis.core.text import display_name

    present = [c for c in _NAME_COLUMNS if c in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    for c in present:
        out[c] = out[c].map(display_name)
    return out


def _print(frame, lang: str, title: str = "", limit: int = 0) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ntmgis.analysis.formatting import result_table
    from ntmgis.core.i18n import fmt_number

    more = len(frame) - limit if limit and len(frame) > limit else 0
    shown = result_table(_display_names(frame.iloc[:limit] if more else frame), lang=lang)
    console = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    table = Table(title=Text(title) if title else None, show_lines=False)
    for c in shown.columns:
        table.add_column(Text(str(c)), overflow="fold")
    for row in shown.itertuples(index=False, name=None):
        table.add_row(*[Text(str(v)) for v in row])
    console.print(table)
    if more:
        n = fmt_number(more, lang)
        console.print(Text(f"… và {n} dòng nữa (--limit 0 để in hết, hoặc --csv)" if lang != "en"
                           else f"… and {n} more rows (--limit 0 prints all, or use --csv)"))


#: Columns holding enumeration keys (a machine contract) -> the enumeration of their labels.
_KEYED = {"status": "status", "project_status": "status", "category": "category",
          "gap_status": "gap_status"}


def _with_labels(result, lang: str):
    """The result with a ``<column>_label`` beside each column of keys (``under_way``).

    The keys stay for programs; the labels are the words people read in the files.
    """
    from ntmgis.core.i18n import label
    from ntmgis.core.text import is_missing

    def words(value, kind: str):
        if is_missing(value):
            return value
        return ", ".join(label(kind, part.strip(), lang) for part in str(value).split(","))

    out = result
    for column, kind in _KEYED.items():
        if column in result.columns and f"{column}_label" not in result.columns:
            if out is result:
                out = result.copy()
            out.insert(out.columns.get_loc(column) + 1, f"{column}_label",
                       out[column].map(lambda v, k=kind: words(v, k)))
    return out


def _outputs(result, ws, lang: str, name: str, *, csv_path, geojson_path, gpkg_layer,
             map_path, overwrite: bool, data=None) -> None:
    """Write the outputs asked for (all checked first) and say where."""
    from ntmgis.analysis.results import write_outputs

    if csv_path is not None or geojson_path is not None or gpkg_layer is not None:
        result = _with_labels(result, lang)
    for p in write_outputs(result, ws, name, csv=csv_path, geojson=geojson_path,
                           gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite,
                           data=data, lang=lang):
        click.echo(t("written", lang, path=p))


@click.group(name="query", cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             help_en="""Queries on gaps, access, locations, projects, income.

             gaps: communes and villages missing criteria; access: distance to
             facilities; misplaced: projects out of place; projects: filter the
             investment list; closest: communes closest to recognition; income: the
             income target.""")
@lang_option
def command(lang: str | None) -> None:
    """Truy vấn về những chỗ còn thiếu, khoảng cách, vị trí, dự án, thu nhập.

    gaps: xã, bản chưa đạt; access: khoảng cách đến cơ sở; misplaced: dự án sai vị trí;
    projects: lọc dự án; closest: xã gần đạt chuẩn; income: mục tiêu thu nhập.
    """


_DISTANCE = click.FloatRange(min=0)
_YEAR = click.IntRange(1900, 2100)
_YEAR_HELP = ("Năm (mặc định: năm cuối trong số liệu).", "Year (default: the latest in the data).")


def _choices(kind: str, lang: str) -> str:
    """The keys of an enumeration with their labels, for an option's help."""
    names = labels(kind, lang)
    return ", ".join(f"{k} ({names[k]})" for k in enum_keys(kind))


@command.command("gaps", help_en="""Gaps: communes or villages missing criteria, and the
    projects addressing them.

    With --indicator: communes missing an indicator, with the value, threshold, unit,
    distance and the threshold's source.""")
@option("--criterion", "-c", type=click.IntRange(min=1), default=None,
        help=("Số tiêu chí (mặc định: tất cả).", "Criterion number (default: all)."))
@option("--year", type=_YEAR, default=None, help=_YEAR_HELP)
@option("--level", type=click.Choice(["commune", "village"]), default="commune",
        show_default=True, help=("Cấp xã (commune) hoặc bản (village).",
                                 "Communes or villages."))
@option("--summary-csv", type=click.Path(path_type=Path), default=None,
        help=("Ghi bảng tổng hợp toàn huyện ra CSV.", "Write the district summary as CSV."))
@option("--indicator", "-i", default=None, metavar=("MÃ", "KEY"),
        help=("Xã chưa đạt một chỉ tiêu (10, 17.1) và còn thiếu bao nhiêu (cần số liệu chỉ "
              "tiêu).", "Communes missing an indicator and by how much (needs indicator "
              "values)."))
@option("--office", default=None, metavar=("TÊN|MÃ", "NAME|CODE"),
        help=("Chỉ các tiêu chí cơ quan chủ trì hoặc phối hợp (tên hoặc mã trong "
              "[tables.offices]).", "Only the criteria an office leads or supports (name "
              "or code in [tables.offices])."))
@group_by_option
@_common
@_handle
def gaps_cmd(criterion: int | None, year: int | None, level: str, summary_csv: Path | None,
             indicator: str | None, office: str | None, group_by: str | None,
             workspace: str, lang: str | None,
             csv_path, geojson_path, gpkg_layer, map_path, overwrite: bool,
             limit: int) -> None:
    """Xã, bản chưa đạt tiêu chí và các dự án đang xử lý.

    Với --indicator: xã chưa đạt một chỉ tiêu, kèm giá trị, ngưỡng, đơn vị, mức còn
    thiếu và nguồn của ngưỡng.
    """
    from ntmgis.analysis.formatting import describe
    from ntmgis.analysis.gaps import gap_summary, gaps
    from ntmgis.analysis.results import write_csv
    from ntmgis.core.safe_write import require_writable

    ws, lang = open_workspace(workspace, lang)
    if indicator is not None:
        for option, given in (("--criterion", criterion is not None),
                              ("--level village", level != "commune"),
                              ("--summary-csv", summary_csv is not None),
                              ("--office", office is not None),
                              ("--group-by", group_by is not None)):
            if given:
                raise OptionError(f"--indicator không dùng cùng {option}" if lang != "en"
                                  else f"--indicator cannot be used with {option}")
        if map_path is not None:
            raise OptionError("--map chưa dùng được với --indicator; bản đồ chỉ tiêu: "
                              "'ntmgis map --indicator KEY'" if lang != "en" else
                              "--map is not available with --indicator; to map an indicator: "
                              "'ntmgis map --indicator KEY'")
        return _indicator_gaps(ws, lang, indicator, year, limit, csv_path=csv_path,
                               geojson_path=geojson_path, gpkg_layer=gpkg_layer,
                               map_path=None, overwrite=overwrite)
    if level == "commune":  # village criteria sets are the workspace's own table
        check_criterion("--criterion", criterion, ws, lang)
    if summary_csv is not None:
        require_writable(summary_csv, overwrite, lang, ws=ws)
    with _working(lang):
        result = gaps(ws, criterion=criterion, year=year, level=level, office=office,
                      group_by=group_by, lang=lang)
        summary = gap_summary(result, lang=lang)
    _print(result, lang, describe(result, lang=lang), limit)
    _print(summary, lang, "Tổng hợp toàn huyện" if lang != "en" else "District summary")
    name = f"query_gaps_{level}" + (f"_tc{criterion:02d}" if criterion else "") + \
        f"_{result.attrs['year']}"
    _outputs(result, ws, lang, name, csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)
    if summary_csv is not None:
        click.echo(t("written", lang, path=write_csv(summary, summary_csv, overwrite=overwrite,
                                                     lang=lang, ws=ws)))


@command.command("access", help_en="Distance or time from villages to the nearest facility.")
@option("--to", "to", default="health_station", show_default=True,
        help=("Loại cơ sở: " + _choices("facility", "vi") + ".",
              "Facility type: " + _choices("facility", "en") + "."))
@option("--by", "by", type=click.Choice(["straight", "road", "terrain"]),
        default="straight", show_default=True,
        help=("Đường chim bay (straight), đường bộ (road), theo địa hình (terrain).",
              "Straight line, roads, terrain."))
@option("--max-km", type=_DISTANCE, default=None,
        help=("Ngưỡng khoảng cách (km).", "Threshold in km."))
@option("--max-minutes", type=_DISTANCE, default=None,
        help=("Ngưỡng thời gian (phút).", "Threshold in minutes."))
@option("--raster", "raster_path", type=click.Path(path_type=Path), default=None,
        help=("Ảnh GeoTIFF số phút (terrain; mặc định maps/query_access_<loại>_terrain.tif).",
              "GeoTIFF of minutes (terrain; default maps/query_access_<to>_terrain.tif)."))
@_common
@_handle
def access_cmd(to: str, by: str, max_km: float | None, max_minutes: float | None,
               raster_path: Path | None, workspace: str, lang: str | None, csv_path,
               geojson_path, gpkg_layer, map_path, overwrite: bool, limit: int) -> None:
    """Khoảng cách hoặc thời gian từ bản đến cơ sở gần nhất."""
    from ntmgis.analysis.access import access
    from ntmgis.analysis.formatting import describe
    from ntmgis.core.safe_write import require_writable

    ws, lang = open_workspace(workspace, lang)
    (to,) = check_enum("--to", "facility", [to], lang)
    name = f"query_access_{to}_{by}"
    raster = None
    if by == "terrain":
        raster = raster_path or Path(ws.maps_dir) / f"{name}.tif"
        require_writable(raster, overwrite, lang)
    for p in (csv_path, geojson_path):
        if p is not None:
            require_writable(p, overwrite, lang)
    # the steps on a terminal only (a terrain search can take minutes): pipes stay clean
    with _working(lang, "access_title") as bar:
        result = access(ws, to=to, by=by, max_km=max_km, max_minutes=max_minutes,
                        raster_out=raster, overwrite=overwrite, lang=lang, progress=bar)
    _print(result, lang, describe(result, lang=lang), limit)
    if raster is not None:
        click.echo(t("written", lang, path=raster))
    _outputs(result, ws, lang, name, csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)


@command.command("misplaced",
                 help_en="Projects outside their commune or far from their village.")
@option("--max-village-m", type=_DISTANCE, default=None,
        help=("Khoảng cách tối đa đến bản đã kê khai (m; mặc định: [checks] "
              "village_distance_m).", "Max distance from the declared village in m "
              "(default: [checks] village_distance_m)."))
@_common
@_handle
def misplaced_cmd(max_village_m: float | None, workspace: str, lang: str | None, csv_path,
                  geojson_path, gpkg_layer, map_path, overwrite: bool, limit: int) -> None:
    """Dự án nằm ngoài xã hoặc xa bản đã kê khai."""
    from ntmgis.analysis.formatting import describe
    from ntmgis.analysis.misplaced import misplaced

    ws, lang = open_workspace(workspace, lang)
    with _working(lang):
        result = misplaced(ws, max_village_m=max_village_m, lang=lang)
    _print(result, lang, describe(result, lang=lang), limit)
    _outputs(result, ws, lang, "query_misplaced", csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)


@command.command("projects", help_en="Filter the investment list.")
@option("--criterion", "-c", type=click.IntRange(min=1), default=None,
        help=("Phục vụ tiêu chí số.", "Serving this criterion."))
@option("--commune", default=None, help=("Xã (mã hoặc tên).", "Commune (code or name)."))
@option("--village", default=None, help=("Bản (mã hoặc tên).", "Village (code or name)."))
@option("--status", multiple=True,
        help=("Tình trạng: " + _choices("status", "vi") + "; dùng nhiều lần được.",
              "Status: " + _choices("status", "en") + "; repeatable."))
@option("--category", multiple=True,
        help=("Loại công trình: " + _choices("category", "vi") + "; dùng nhiều lần được.",
              "Category: " + _choices("category", "en") + "; repeatable."))
@option("--year", type=_YEAR, default=None,
        help=("Đang triển khai trong năm.", "Running in this year."))
@option("--source", multiple=True,
        help=("Nguồn vốn: " + _choices("source", "vi") + "; dùng nhiều lần được.",
              "Funding source: " + _choices("source", "en") + "; repeatable."))
@option("--near", default=None,
        help=("Gần nơi có tên (xã, bản, cơ sở).", "Near a named place (commune, village, "
              "facility)."))
@option("--within-km", type=_DISTANCE, default=None,
        help=("Trong bán kính (km).", "Within this many km."))
@_common
@_handle
def projects_cmd(criterion, commune, village, status, category, year, source, near, within_km,
                 workspace: str, lang: str | None, csv_path, geojson_path, gpkg_layer, map_path,
                 overwrite: bool, limit: int) -> None:
    """Lọc danh mục dự án."""
    from ntmgis.analysis.formatting import describe
    from ntmgis.analysis.project_search import find_projects

    ws, lang = open_workspace(workspace, lang)
    check_criterion("--criterion", criterion, ws, lang)
    status, category, source = (check_enum(option, kind, values, lang) for option, kind, values
                                in (("--status", "status", status),
                                    ("--category", "category", category),
                                    ("--source", "source", source)))
    with _working(lang):
        result = find_projects(ws, criterion=criterion, commune=commune, village=village,
                               status=status or None, category=category or None,
                               year=year, source=source or None, near=near,
                               within_km=within_km, lang=lang)
    _print(result, lang, describe(result, lang=lang), limit)
    _outputs(result, ws, lang, "query_projects", csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)


def _indicator_gaps(ws, lang: str, indicator: str, year: int | None, limit: int,
                    **outputs) -> None:
    """``query gaps --indicator``: who misses the indicator and by how much."""
    from ntmgis.analysis.indicators import (
        check_indicator,
        describe_indicators,
        indicator_gaps,
        indicator_table,
    )

    key = check_indicator(ws, indicator, lang=lang)  # exit 2 for a key without values
    with _working(lang):
        result = indicator_gaps(ws, key, year, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    name = f"query_indicator_{key.replace('.', '_')}_{result.attrs['year']}"
    _outputs(result, ws, lang, name, **outputs)


@command.command("closest", help_en="""Communes closest to recognition.

    Ranks the communes not yet recognised by the criteria they miss, then the
    indicators and by how much (where indicator values exist).""")
@option("--year", type=_YEAR, default=None, help=_YEAR_HELP)
@_common_no_map
@_handle
def closest_cmd(year: int | None, workspace: str, lang: str | None, csv_path, geojson_path,
                gpkg_layer, overwrite: bool, limit: int) -> None:
    """Xã gần đạt chuẩn NTM nhất.

    Xếp hạng xã chưa đạt chuẩn theo số tiêu chí còn thiếu, rồi các chỉ tiêu còn thiếu
    và còn thiếu bao nhiêu (nếu có số liệu chỉ tiêu).
    """
    from ntmgis.analysis.indicators import (
        closest_to_recognition,
        describe_indicators,
        indicator_table,
    )

    ws, lang = open_workspace(workspace, lang)
    with _working(lang):
        result = closest_to_recognition(ws, year, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    _outputs(result, ws, lang, f"query_closest_{result.attrs['year']}", csv_path=csv_path,
             geojson_path=geojson_path, gpkg_layer=gpkg_layer, map_path=None,
             overwrite=overwrite)


@command.command("income", help_en="""The plan's income target per commune.

    Target = factor × the income per head of the base year (the year before the plan's
    period, 2020 for 2021-2025).""")
@option("--year", type=_YEAR, default=None,
        help=("Năm so với mục tiêu (mặc định: năm cuối có số liệu).",
              "Year compared (default: the latest with values)."))
@option("--factor", type=click.FloatRange(min=0, min_open=True), default=None,
        help=("Hệ số so với năm gốc (mặc định: [plan] income_factor).",
              "Factor over the base year (default: [plan] income_factor)."))
@_common_no_map
@_handle
def income_cmd(year: int | None, factor: float | None, workspace: str, lang: str | None,
               csv_path, geojson_path, gpkg_layer, overwrite: bool, limit: int) -> None:
    """Mục tiêu thu nhập của kế hoạch cho từng xã.

    Mục tiêu = hệ số × thu nhập bình quân đầu người năm gốc (năm trước kỳ kế hoạch,
    2020 cho 2021-2025).
    """
    from ntmgis.analysis.indicators import describe_indicators, income_target, indicator_table

    ws, lang = open_workspace(workspace, lang)
    with _working(lang):
        result = income_target(ws, year, factor=factor, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    _outputs(result, ws, lang, f"query_income_{result.attrs['year']}", csv_path=csv_path,
             geojson_path=geojson_path, gpkg_layer=gpkg_layer, map_path=None,
             overwrite=overwrite)
