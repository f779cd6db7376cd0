"""``ntmgis build``: the monitoring GeoPackage, and optionally the same layers in PostGIS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import (
    group_by_option,
    lang_option,
    open_workspace,
    overwrite_option,
    workspace_option,
)
from ntmgis.core.i18n import catalog, t
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.progress import Progress, wants_progress
from ntmgis.outputs.postgis_store import build_and_store

__all__ = ["command"]


_m = catalog({"title": ("Dựng lớp giám sát", "Building the monitoring layers")})


@click.command(name="build", cls=Command,
               help_en="Build the monitoring layers (GeoPackage, optionally PostGIS).")
@workspace_option
@option("-o", "--output", type=click.Path(path_type=Path), default=None,
        help=("Tệp GeoPackage kết quả (mặc định layers/monitoring.gpkg).",
              "Output GeoPackage (default layers/monitoring.gpkg)."))
@option("--store", default=None, metavar="URL",
        help=("Ghi thêm vào PostGIS: postgresql://người_dùng@máy/cơ_sở_dữ_liệu",
              "Also write into PostGIS: postgresql://user@host/db"))
@option("--schema", default=None,
        help=("Schema PostGIS (mặc định theo tên địa bàn).",
              "PostGIS schema (default: from the area's name)."))
@group_by_option
@overwrite_option
@lang_option
@handle_errors
def command(workspace: str, output: Path | None, store: str | None, schema: str | None,
            group_by: str | None, overwrite: bool, lang: str | None) -> None:
    """Tạo các lớp giám sát (GeoPackage, có thể ghi thêm vào PostGIS)."""
    ws, lang = open_workspace(workspace, lang)
    if group_by is not None:  # the option stands in for [area] group_by
        ws = replace(ws, group_by=group_by)
    log = IssueLog(lang=lang, root=ws.root)
    # the steps on a terminal only: piped or logged, standard error holds only what matters
    with Progress(_m("title", lang), lang, enabled=wants_progress()) as bar:
        path, stored = build_and_store(ws, store, schema=schema, lang=lang,
                                       overwrite=overwrite, output=output, progress=bar,
                                       log=log)
    for issue in log.data_changing:  # what was dropped or changed is shown, not only counted
        click.echo(issue.format(lang), err=True)
    if log.warnings:
        click.echo(t("build_warnings", lang, warnings=len(log.warnings)), err=True)
    click.echo(t("built", lang, path=path))
    if stored is not None:
        click.echo(stored.summary(lang))  # the URL as stored: password masked
