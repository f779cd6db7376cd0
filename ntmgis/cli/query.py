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

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.options import check_criterion, check_enum, open_workspace
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import enum_keys, t

__all__ = ["command"]

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
        click.option("-w", "--workspace", default=".", show_default=True,
                     type=click.Path(file_okay=True, dir_okay=True, path_type=str),
                     help="Thư mục vùng làm việc / workspace folder (holding ntmgis.toml)."),
        click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
                     help="Ngôn ngữ / language (default: the workspace's, usually vi)."),
        click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
                     help="Ghi kết quả ra CSV / write the result as CSV."),
        click.option("--geojson", "geojson_path", type=click.Path(path_type=Path), default=None,
                     help="Ghi kết quả ra GeoJSON / write the result as GeoJSON (WGS 84)."),
        click.option("--gpkg", "gpkg_layer", is_flag=False, flag_value="", default=None,
                     metavar="[LAYER]",
                     help="Thêm lớp vào monitoring.gpkg / add the result as a layer of the "
                          "monitoring GeoPackage (default name: query_...)."),
        *([click.option("--map", "map_path", is_flag=False, flag_value="", default=None,
                        metavar="[PATH]",
                        help="Bản đồ HTML ngoại tuyến / offline HTML map (default in maps/).")]
          if with_map else []),
        click.option("--overwrite", is_flag=True, default=False,
                     help="Ghi đè tệp / lớp đã có / replace existing outputs."),
        click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True,
                     help="Số dòng tối đa in ra màn hình (0: tất cả) / rows printed "
                          "(0: all); files always get every row."),
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


def _print(frame, lang: str, title: str = "", limit: int = 0) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ntmgis.analysis.formatting import result_table
    from ntmgis.core.i18n import fmt_number

    more = len(frame) - limit if limit and len(frame) > limit else 0
    shown = result_table(frame.iloc[:limit] if more else frame, lang=lang)
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


def _outputs(result, ws, lang: str, name: str, *, csv_path, geojson_path, gpkg_layer,
             map_path, overwrite: bool, data=None) -> None:
    """Write the outputs asked for (all checked first) and say where."""
    from ntmgis.analysis.results import write_outputs

    for p in write_outputs(result, ws, name, csv=csv_path, geojson=geojson_path,
                           gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite,
                           data=data, lang=lang):
        click.echo(t("written", lang, path=p))


@click.group(name="query", context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """Truy vấn / queries: gaps, access, misplaced, projects, closest, income."""


_DISTANCE = click.FloatRange(min=0)
_YEAR = click.IntRange(1900, 2100)


@command.command("gaps")
@click.option("--criterion", "-c", type=click.IntRange(min=1), default=None,
              help="Số tiêu chí / criterion number (default: all).")
@click.option("--year", type=_YEAR, default=None,
              help="Năm / year (default: the latest in the data).")
@click.option("--level", type=click.Choice(["commune", "village"]), default="commune",
              show_default=True, help="Xã hoặc bản / communes or villages.")
@click.option("--summary-csv", type=click.Path(path_type=Path), default=None,
              help="Ghi bảng tổng hợp toàn huyện ra CSV / write the district summary as CSV.")
@click.option("--indicator", "-i", default=None, metavar="KEY",
              help="Xã chưa đạt một chỉ tiêu (10, 17.1) và còn thiếu bao nhiêu / communes "
                   "missing an indicator and by how much (needs indicator values).")
@click.option("--office", default=None, metavar="TÊN|MÃ",
              help="Chỉ các tiêu chí cơ quan chủ trì hoặc phối hợp / only the criteria an "
                   "office leads or supports (name or code in [tables.offices]).")
@_common
@_handle
def gaps_cmd(criterion: int | None, year: int | None, level: str, summary_csv: Path | None,
             indicator: str | None, office: str | None, workspace: str, lang: str | None,
             csv_path, geojson_path, gpkg_layer, map_path, overwrite: bool,
             limit: int) -> None:
    """Xã / bản chưa đạt tiêu chí và dự án xử lý / gaps and the projects addressing them.

    Với --indicator: xã chưa đạt một chỉ tiêu / with --indicator: communes missing an
    indicator, with the value, threshold, unit, distance and the threshold's source.
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
                              ("--office", office is not None)):
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
    result = gaps(ws, criterion=criterion, year=year, level=level, office=office, lang=lang)
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


@command.command("access")
@click.option("--to", "to", default="health_station", show_default=True,
              help="Loại cơ sở / facility type: " + ", ".join(enum_keys("facility")) + ".")
@click.option("--by", "by", type=click.Choice(["straight", "road", "terrain"]),
              default="straight", show_default=True,
              help="Đường chim bay, đường bộ, địa hình / straight line, roads, terrain.")
@click.option("--max-km", type=_DISTANCE, default=None, help="Ngưỡng km / threshold in km.")
@click.option("--max-minutes", type=_DISTANCE, default=None,
              help="Ngưỡng phút / threshold in minutes.")
@click.option("--raster", "raster_path", type=click.Path(path_type=Path), default=None,
              help="GeoTIFF số phút (terrain; default maps/query_access_<to>_terrain.tif).")
@_common
@_handle
def access_cmd(to: str, by: str, max_km: float | None, max_minutes: float | None,
               raster_path: Path | None, workspace: str, lang: str | None, csv_path,
               geojson_path, gpkg_layer, map_path, overwrite: bool, limit: int) -> None:
    """Khoảng cách / thời gian từ bản đến cơ sở gần nhất / access to the nearest facility."""
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
    result = access(ws, to=to, by=by, max_km=max_km, max_minutes=max_minutes,
                    raster_out=raster, overwrite=overwrite, lang=lang)
    _print(result, lang, describe(result, lang=lang), limit)
    if raster is not None:
        click.echo(t("written", lang, path=raster))
    _outputs(result, ws, lang, name, csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)


@command.command("misplaced")
@click.option("--max-village-m", type=_DISTANCE, default=None,
              help="Khoảng cách tối đa đến bản (m) / max distance from the declared village "
                   "(default: [checks] village_distance_m).")
@_common
@_handle
def misplaced_cmd(max_village_m: float | None, workspace: str, lang: str | None, csv_path,
                  geojson_path, gpkg_layer, map_path, overwrite: bool, limit: int) -> None:
    """Dự án nằm sai vị trí / projects outside their commune or far from their village."""
    from ntmgis.analysis.formatting import describe
    from ntmgis.analysis.misplaced import misplaced

    ws, lang = open_workspace(workspace, lang)
    result = misplaced(ws, max_village_m=max_village_m, lang=lang)
    _print(result, lang, describe(result, lang=lang), limit)
    _outputs(result, ws, lang, "query_misplaced", csv_path=csv_path, geojson_path=geojson_path,
             gpkg_layer=gpkg_layer, map_path=map_path, overwrite=overwrite)


@command.command("projects")
@click.option("--criterion", "-c", type=click.IntRange(min=1), default=None,
              help="Phục vụ tiêu chí / criterion.")
@click.option("--commune", default=None, help="Xã (mã hoặc tên) / commune (code or name).")
@click.option("--village", default=None, help="Bản (mã hoặc tên) / village (code or name).")
@click.option("--status", multiple=True,
              help="preparing, under_way, finished (or the label); repeatable.")
@click.option("--category", multiple=True, help="road, school, health, ... ; repeatable.")
@click.option("--year", type=_YEAR, default=None,
              help="Đang triển khai trong năm / running in.")
@click.option("--source", multiple=True,
              help="Nguồn vốn / funding source: central, local, integrated, credit, mobilised, "
                   "community; repeatable.")
@click.option("--near", default=None, help="Gần nơi (xã, bản, cơ sở) / near a named place.")
@click.option("--within-km", type=_DISTANCE, default=None,
              help="Trong bán kính km / within km.")
@_common
@_handle
def projects_cmd(criterion, commune, village, status, category, year, source, near, within_km,
                 workspace: str, lang: str | None, csv_path, geojson_path, gpkg_layer, map_path,
                 overwrite: bool, limit: int) -> None:
    """Lọc danh mục dự án / filter the investment list."""
    from ntmgis.analysis.formatting import describe
    from ntmgis.analysis.project_search import find_projects

    ws, lang = open_workspace(workspace, lang)
    check_criterion("--criterion", criterion, ws, lang)
    status, category, source = (check_enum(option, kind, values, lang) for option, kind, values
                                in (("--status", "status", status),
                                    ("--category", "category", category),
                                    ("--source", "source", source)))
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
    result = indicator_gaps(ws, key, year, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    name = f"query_indicator_{key.replace('.', '_')}_{result.attrs['year']}"
    _outputs(result, ws, lang, name, **outputs)


@command.command("closest")
@click.option("--year", type=_YEAR, default=None,
              help="Năm / year (default: the latest in the data).")
@_common_no_map
@_handle
def closest_cmd(year: int | None, workspace: str, lang: str | None, csv_path, geojson_path,
                gpkg_layer, overwrite: bool, limit: int) -> None:
    """Xã gần đạt chuẩn NTM nhất / communes closest to recognition.

    Xếp hạng xã chưa đạt chuẩn theo số tiêu chí còn thiếu, rồi các chỉ tiêu còn thiếu
    và còn thiếu bao nhiêu (nếu có số liệu chỉ tiêu) / ranks the communes not yet
    recognised by the criteria they miss, then the indicators and by how much.
    """
    from ntmgis.analysis.indicators import (
        closest_to_recognition,
        describe_indicators,
        indicator_table,
    )

    ws, lang = open_workspace(workspace, lang)
    result = closest_to_recognition(ws, year, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    _outputs(result, ws, lang, f"query_closest_{result.attrs['year']}", csv_path=csv_path,
             geojson_path=geojson_path, gpkg_layer=gpkg_layer, map_path=None,
             overwrite=overwrite)


@command.command("income")
@click.option("--year", type=_YEAR, default=None,
              help="Năm so với mục tiêu / year compared (default: the latest with values).")
@click.option("--factor", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Hệ số so với năm gốc / factor over the base year (default: "
                   "[plan] income_factor).")
@_common_no_map
@_handle
def income_cmd(year: int | None, factor: float | None, workspace: str, lang: str | None,
               csv_path, geojson_path, gpkg_layer, overwrite: bool, limit: int) -> None:
    """Mục tiêu thu nhập của kế hoạch / the plan's income target per commune.

    Mục tiêu = hệ số × thu nhập bình quân đầu người năm gốc (năm trước kỳ kế hoạch,
    2020 cho 2021-2025) / target = factor × the income per head of the base year.
    """
    from ntmgis.analysis.indicators import describe_indicators, income_target, indicator_table

    ws, lang = open_workspace(workspace, lang)
    result = income_target(ws, year, factor=factor, lang=lang)
    _print(indicator_table(result, lang=lang), lang, describe_indicators(result, lang=lang),
           limit)
    _outputs(result, ws, lang, f"query_income_{result.attrs['year']}", csv_path=csv_path,
             geojson_path=geojson_path, gpkg_layer=gpkg_layer, map_path=None,
             overwrite=overwrite)
