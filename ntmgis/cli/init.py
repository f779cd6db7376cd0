"""``ntmgis init DIR``: a new workspace, empty or a copy of a sample.

``--sample`` copies the Mường Tè sample of 2021-2025 (13 communes, Decision 318/QĐ-TTg);
``--sample-2026`` its 8 communes since 1 July 2025, assessed for 2026 against Decision
51/2025/QĐ-TTg. A flag of its own rather than ``--year``: the two are different
workspaces (communes, codes, criteria set), where ``--year`` elsewhere picks a year
inside one.
"""

from __future__ import annotations

from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, argument, current, option
from ntmgis.cli.options import lang_option, overwrite_option
from ntmgis.core.i18n import t
from ntmgis.outputs.scaffold import init_workspace

__all__ = ["command"]


@click.command(name="init", cls=Command,
               help_en="Create a new workspace (empty, --sample or --sample-2026).")
@argument("directory", type=click.Path(path_type=Path), metavar=("THƯ_MỤC", "DIRECTORY"))
@option("--sample", is_flag=True,
        help=("Sao chép bộ dữ liệu mẫu Mường Tè 2021-2025.",
              "Copy the Mường Tè sample of 2021-2025."))
@option("--sample-2026", "sample_2026", is_flag=True,
        help=("Sao chép bộ dữ liệu mẫu 2026 (8 xã sau sắp xếp, QĐ 51/2025/QĐ-TTg).",
              "Copy the 2026 sample (8 merged communes, Decision 51/2025/QĐ-TTg)."))
@overwrite_option
@lang_option
@handle_errors
def command(directory: Path, sample: bool, sample_2026: bool, overwrite: bool,
            lang: str | None) -> None:
    """Tạo thư mục dữ liệu mới (trống, --sample hoặc --sample-2026)."""
    lang = lang or current()
    if sample and sample_2026:
        raise click.UsageError("--sample / --sample-2026: "
                               + ("chọn một" if lang == "vi" else "choose one"))
    which: bool | str = "2026" if sample_2026 else sample
    path = init_workspace(directory, sample=which, overwrite=overwrite, lang=lang)
    click.echo(t("sample_copied" if which else "workspace_created", lang, path=path))
