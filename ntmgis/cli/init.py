"""``ntmgis init DIR``: a new workspace, empty or a copy of the sample."""

from __future__ import annotations

from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.options import lang_option, overwrite_option
from ntmgis.core.i18n import t
from ntmgis.outputs.scaffold import init_workspace

__all__ = ["command"]


@click.command(name="init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--sample", is_flag=True,
              help="Sao chép vùng làm việc mẫu Mường Tè / copy the sample.")
@overwrite_option
@lang_option
@handle_errors
def command(directory: Path, sample: bool, overwrite: bool, lang: str | None) -> None:
    """Tạo vùng làm việc mới / create a new workspace (empty, or --sample)."""
    lang = lang or "vi"
    path = init_workspace(directory, sample=sample, overwrite=overwrite, lang=lang)
    click.echo(t("sample_copied" if sample else "workspace_created", lang, path=path))
