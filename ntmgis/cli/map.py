"""``ntmgis map``: the offline HTML monitoring maps, or one indicator's map (``--indicator``)."""

from __future__ import annotations

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.options import (
    lang_option,
    open_workspace,
    overwrite_option,
    workspace_option,
    year_option,
)
from ntmgis.core.i18n import t
from ntmgis.outputs.webmap import render_maps
from ntmgis.outputs.webmap.indicator_map import write_indicator_map

__all__ = ["command"]


@click.command(name="map")
@workspace_option
@lang_option
@overwrite_option
@year_option
@click.option("--online-tiles/--no-online-tiles", default=True, show_default=True,
              help="Cho phép bật bản đồ nền trực tuyến (OpenStreetMap; tắt khi mở bản đồ) / "
                   "offer an online base map to switch on (off when the map opens).")
@click.option("--level-of-detail", "lod", type=click.Choice(["auto", "on", "off"]),
              default="auto", show_default=True,
              help="Tỉnh → huyện → xã theo mức phóng to (auto: khi có trên 300 xã) / "
                   "provinces, then districts, then communes by zoom (auto: above 300 communes).")
@click.option("--indicator", default=None, metavar="KEY",
              help="Chỉ vẽ bản đồ giá trị của một chỉ tiêu so với ngưỡng (ví dụ 10, 17.1) / "
                   "only map one indicator's value against its threshold (e.g. 10, 17.1).")
@handle_errors
def command(workspace: str, lang: str | None, overwrite: bool, year: int | None,
            online_tiles: bool, lod: str, indicator: str | None) -> None:
    """Vẽ bản đồ HTML ngoại tuyến / write the offline HTML maps.

    maps/index.html (tổng quan / overview), maps/criteria/tc01.html ... tc19.html
    (từng tiêu chí / one per criterion), maps/list.html (danh sách / list).
    With --indicator KEY: maps/indicator_KEY_YEAR.html only (giá trị chỉ tiêu theo
    cấp, tách tại ngưỡng / the indicator's value in classes split at its threshold).
    """
    ws, use_lang = open_workspace(workspace, lang)
    if indicator is not None:
        path = write_indicator_map(ws, indicator, year=year, overwrite=overwrite,
                                   lang=use_lang, online_tiles=online_tiles)
        click.echo(t("written", use_lang, path=path))
        return
    paths = render_maps(ws, lang=use_lang, overwrite=overwrite, year=year,
                        online_tiles=online_tiles,
                        level_of_detail={"auto": None, "on": True, "off": False}[lod])
    for p in paths:
        click.echo(t("written", use_lang, path=p))
