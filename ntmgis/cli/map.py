"""``ntmgis map``: the offline HTML monitoring maps, or one indicator's map (``--indicator``)."""

from __future__ import annotations

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import (
    lang_option,
    open_workspace,
    overwrite_option,
    workspace_option,
    year_option,
)
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, t
from ntmgis.core.progress import Progress, wants_progress
from ntmgis.outputs.webmap import render_maps
from ntmgis.outputs.webmap.indicator_map import write_indicator_map

__all__ = ["command"]

_m = catalog({"year_or_period": ("dùng --year hoặc --period, không dùng cả hai",
                                 "give --year or --period, not both"),
              "not_with_indicator": ("--indicator không dùng cùng {option}",
                                     "--indicator cannot be used with {option}"),
              "title": ("Vẽ bản đồ web", "Drawing the web maps"),
              "indicator": ("Bản đồ chỉ tiêu {key}", "Map of indicator {key}")})


@click.command(name="map", cls=Command, help_en="""Write the offline HTML maps.

    maps/index.html (overview), maps/criteria/tc01.html ... tc19.html (one per
    criterion), maps/list.html (list). With --indicator KEY:
    maps/indicator_KEY_YEAR.html only (the indicator's value in classes split at its
    threshold). With --office: that office's criterion maps and their list only.
    """)
@workspace_option
@lang_option
@overwrite_option
@year_option
@option("--online-tiles/--no-online-tiles", default=True, show_default=True,
        help=("Cho phép bật bản đồ nền trực tuyến (OpenStreetMap; tắt khi mở bản đồ).",
              "Offer an online base map to switch on (off when the map opens)."))
@option("--level-of-detail", "lod", type=click.Choice(["auto", "on", "off"]),
        default="auto", show_default=True,
        help=("Tỉnh → huyện → xã theo mức phóng to (auto: khi có trên 300 xã).",
              "Provinces, then districts, then communes by zoom (auto: above 300 "
              "communes)."))
@option("--indicator", default=None, metavar=("MÃ", "KEY"),
        help=("Chỉ vẽ bản đồ giá trị của một chỉ tiêu so với ngưỡng (ví dụ 10, 17.1).",
              "Only map one indicator's value against its threshold (e.g. 10, 17.1)."))
@option("--office", default=None, metavar=("TÊN|MÃ", "NAME|CODE"),
        help=("Chỉ bản đồ các tiêu chí cơ quan chủ trì hoặc phối hợp, vào maps/co-quan/<tên>/.",
              "Only the maps of the criteria an office leads or supports, in "
              "maps/co-quan/<name>/."))
@option("--period", default=None, metavar=("KỲ", "PERIOD"),
        help=("Kỳ báo cáo: 2025-Q3, 2025-6T, 2025-9T, 2025-T10 (số liệu biết đến cuối kỳ, so "
              "với kỳ trước), vào maps/ky/<kỳ>/; 2025 như --year 2025.",
              "Reporting period: 2025-Q3, 2025-6T, 2025-9T, 2025-T10 (figures known at its "
              "end, against the period before), in maps/ky/<period>/; 2025 as --year 2025."))
@handle_errors
def command(workspace: str, lang: str | None, overwrite: bool, year: int | None,
            online_tiles: bool, lod: str, indicator: str | None, office: str | None,
            period: str | None) -> None:
    """Vẽ bản đồ HTML ngoại tuyến.

    maps/index.html (tổng quan), maps/criteria/tc01.html ... tc19.html (từng tiêu
    chí), maps/list.html (danh sách). Với --indicator MÃ: chỉ
    maps/indicator_MÃ_NĂM.html (giá trị chỉ tiêu theo cấp, tách tại ngưỡng). Với
    --office: chỉ bản đồ các tiêu chí của cơ quan đó và trang danh sách của chúng.
    """
    ws, use_lang = open_workspace(workspace, lang)
    if year is not None and period is not None:
        raise OptionError(_m("year_or_period", use_lang))
    if indicator is not None:
        for opt, given in (("--office", office is not None), ("--period", period is not None),
                           ("--level-of-detail", lod != "auto")):
            if given:  # the indicator map has none of these: refuse rather than ignore
                raise OptionError(_m("not_with_indicator", use_lang, option=opt))
        with Progress(_m("title", use_lang), use_lang, enabled=wants_progress()) as bar:
            bar.step(_m("indicator", use_lang, key=indicator))  # one page: a named step
            path = write_indicator_map(ws, indicator, year=year, overwrite=overwrite,
                                       lang=use_lang, online_tiles=online_tiles)
        click.echo(t("written", use_lang, path=path))
        return
    # on a terminal only: piped or logged, standard error stays empty
    with Progress(_m("title", use_lang), use_lang, enabled=wants_progress()) as bar:
        paths = render_maps(ws, lang=use_lang, overwrite=overwrite, year=year,
                            online_tiles=online_tiles,
                            level_of_detail={"auto": None, "on": True, "off": False}[lod],
                            office=office, period=period, progress=bar)
    for p in paths:
        click.echo(t("written", use_lang, path=p))
