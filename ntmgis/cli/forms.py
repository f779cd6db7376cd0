"""``ntmgis forms``: write the Excel forms to fill in."""

from __future__ import annotations

from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import lang_option, open_workspace, overwrite_option, workspace_option
from ntmgis.core.i18n import catalog, t
from ntmgis.outputs.forms import write_workspace_templates

__all__ = ["command"]

_m = catalog({
    # Said, so that an office looking for the indicator form learns why there is none.
    "no_indicator_form": (
        "Không ghi biểu số liệu chỉ tiêu: bộ tiêu chí '{set}' chưa có chỉ tiêu "
        "(biểu này cần một bộ có chỉ tiêu, ví dụ tệp .toml của tỉnh ở [criteria] commune_set).",
        "No indicator values form: the criteria set '{set}' has no indicators (the form "
        "needs a set with indicators, e.g. a province's .toml file in [criteria] commune_set).",
    ),
})


@click.command(name="forms", cls=Command, help_en="""Write the Excel forms to fill in.

    Forms for commune criteria, village criteria and the investment list (Biểu 04),
    with the codes and names of the workspace's communes and villages filled in; and,
    when the workspace's commune criteria set has indicators, a form for the
    indicator values (one column per indicator, with its unit and checks).
    """)
@workspace_option
@option("-o", "--output", "output", default=None,
        type=click.Path(file_okay=False, path_type=Path),
        help=("Thư mục ghi biểu (mặc định: templates/).",
              "Output folder (default: templates/)."))
@overwrite_option
@lang_option
@handle_errors
def command(workspace: str, output: Path | None, overwrite: bool,
            lang: str | None) -> None:
    """Ghi biểu mẫu Excel để điền số liệu.

    Biểu tiêu chí xã, tiêu chí bản và danh mục dự án (Biểu 04), điền sẵn mã và tên
    xã, bản của thư mục dữ liệu; và, khi bộ tiêu chí xã của thư mục dữ liệu có chỉ
    tiêu, biểu số liệu chỉ tiêu (mỗi chỉ tiêu một cột, kèm đơn vị và kiểm tra).
    """
    ws, use_lang = open_workspace(workspace, lang)  # messages in the workspace's language
    paths = write_workspace_templates(ws, folder=output, overwrite=overwrite, lang=use_lang)
    for p in paths.values():
        click.echo(t("written", use_lang, path=p))
    if "indicator_values" not in paths:
        click.echo(_m("no_indicator_form", use_lang, set=ws.commune_set))
