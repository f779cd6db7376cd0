"""``ntmgis map``: parse options, call :func:`ntmgis.webmap.render_maps`, map errors.

Exit codes follow ``ntmgis.cli``: 1 data error, 3 workspace problem,
4 an output exists (use ``--overwrite``), 5 a missing dependency.
"""

from __future__ import annotations

import sys

import click

from .._options import lang_option, overwrite_option, workspace_option, year_option
from ..errors import MissingDependencyError, NtmgisError, OutputExistsError, WorkspaceError
from ..i18n import t

__all__ = ["cli_command"]


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
def cli_command(workspace: str, lang: str | None, overwrite: bool, year: int | None,
                online_tiles: bool, lod: str) -> None:
    """Vẽ bản đồ HTML ngoại tuyến / write the offline HTML maps.

    maps/index.html (tổng quan / overview), maps/criteria/tc01.html ... tc19.html
    (từng tiêu chí / one per criterion), maps/list.html (danh sách / list).
    """
    from ..workspace import find_workspace, load_workspace
    from .monitoring import render_maps

    msg_lang = lang or "vi"
    try:
        ws = load_workspace(find_workspace(workspace))
        msg_lang = lang or getattr(ws, "language", None) or "vi"
        paths = render_maps(ws, lang=msg_lang, overwrite=overwrite, year=year,
                            online_tiles=online_tiles,
                            level_of_detail={"auto": None, "on": True, "off": False}[lod])
    except OutputExistsError as exc:
        _fail(exc, msg_lang, 4)
    except (WorkspaceError, FileNotFoundError) as exc:
        _fail(exc, msg_lang, 3)
    except MissingDependencyError as exc:
        _fail(exc, msg_lang, 5)
    except (NtmgisError, ValueError) as exc:
        _fail(exc, msg_lang, 1)
    for p in paths:
        click.echo(t("written", msg_lang, path=p))


def _fail(exc: Exception, lang: str, code: int) -> None:
    click.echo(f"{t('error', lang)}: {exc}", err=True)
    sys.exit(code)
