"""``ntmgis store URL``: copy a built GeoPackage into PostGIS."""

from __future__ import annotations

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, argument, option
from ntmgis.cli.options import lang_option, open_workspace, overwrite_option, workspace_option
from ntmgis.core.i18n import catalog
from ntmgis.core.progress import Progress, wants_progress
from ntmgis.outputs.postgis_store import store_workspace

__all__ = ["command"]

_m = catalog({"title": ("Ghi vào PostGIS", "Storing in PostGIS"),
              "step": ("Chép các lớp giám sát vào cơ sở dữ liệu",
                       "Copying the monitoring layers into the database")})


@click.command(name="store", cls=Command, help_en="""Store the built layers in PostGIS.

    URL: postgresql://user@host:port/database (password through PGPASSWORD or
    ~/.pgpass). Only schemas ntmgis created are replaced; public is never written.
    """)
@argument("url")
@workspace_option
@option("--schema", default=None,
        help=("Schema đích (mặc định: tên địa bàn, ví dụ huyen_muong_te).",
              "Target schema (default: the area's name, e.g. huyen_muong_te)."))
@option("--no-styles", is_flag=True, default=False,
        help=("Không ghi kiểu hiển thị QGIS.", "Do not store QGIS styles."))
@overwrite_option
@lang_option
@handle_errors
def command(url: str, workspace: str, schema: str | None, no_styles: bool,
            overwrite: bool, lang: str | None) -> None:
    """Ghi các lớp giám sát đã dựng vào PostGIS.

    URL: postgresql://người_dùng@máy:cổng/cơ_sở_dữ_liệu (mật khẩu qua PGPASSWORD
    hoặc ~/.pgpass). Chỉ thay schema do ntmgis tạo; không bao giờ ghi vào public.
    """
    ws, lg = open_workspace(workspace, lang)
    with Progress(_m("title", lg), lg, enabled=wants_progress()) as bar:  # terminal only
        bar.step(_m("step", lg))
        res = store_workspace(ws, url, schema=schema, overwrite=overwrite,
                              styles=not no_styles, lang=lg)
    click.echo(res.summary(lg))
