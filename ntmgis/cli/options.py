"""Options every command shares, defined once."""

from __future__ import annotations

import click

from ntmgis.core.workspace import Workspace, load_workspace

__all__ = ["workspace_option", "lang_option", "overwrite_option", "year_option",
           "open_workspace"]


def open_workspace(path: str, lang: str | None) -> tuple[Workspace, str]:
    """Load the workspace at ``path``; the language is ``--lang`` or else the workspace's."""
    ws = load_workspace(path, lang=lang)
    return ws, (lang or ws.language or "vi")


workspace_option = click.option(
    "-w", "--workspace", "workspace", default=".", show_default=True,
    type=click.Path(file_okay=True, dir_okay=True, path_type=str),
    help="Thư mục vùng làm việc (có ntmgis.toml) / workspace folder (holding ntmgis.toml).",
)
lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None,
    help="Ngôn ngữ / language (mặc định theo vùng làm việc, thường là vi).",
)
overwrite_option = click.option(
    "--overwrite", is_flag=True, default=False,
    help="Ghi đè tệp kết quả đã có / replace existing output files.",
)
year_option = click.option(
    "--year", type=int, default=None,
    help="Năm đánh giá (mặc định: năm cuối) / year (default: the latest).",
)
