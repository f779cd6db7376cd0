"""``ntmgis forms``: write the Excel forms to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.options import lang_option, open_workspace, overwrite_option, workspace_option
from ntmgis.core.i18n import t
from ntmgis.outputs.forms import write_workspace_templates

__all__ = ["command"]


@click.command(name="forms")
@workspace_option
@click.option("-o", "--output", "output", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi biểu (mặc định: templates/) / output folder.")
@overwrite_option
@lang_option
@handle_errors
def command(workspace: str, output: Path | None, overwrite: bool,
            lang: str | None) -> None:
    """Ghi biểu mẫu Excel để điền số liệu / write the Excel forms to fill in.

    Biểu tiêu chí xã, tiêu chí bản và danh mục dự án (Biểu 04), điền sẵn mã và tên
    xã, bản của vùng làm việc.
    """
    ws, use_lang = open_workspace(workspace, lang)  # messages in the workspace's language
    paths = write_workspace_templates(ws, folder=output, overwrite=overwrite, lang=use_lang)
    for p in paths.values():
        click.echo(t("written", use_lang, path=p))
