"""``ntmgis report``: plan against actual, on the terminal and as files."""

from __future__ import annotations

from pathlib import Path

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import (
    group_by_option,
    group_label_option,
    lang_option,
    open_workspace,
    overwrite_option,
    workspace_option,
)
from ntmgis.core.i18n import catalog, t
from ntmgis.core.progress import Progress, wants_progress
from ntmgis.core.safe_write import check_output_paths
from ntmgis.outputs.report import plan_report
from ntmgis.outputs.report_docx import FORMATS, parse_formats, write_report_formats

__all__ = ["command"]

_m = catalog({"title": ("Lập báo cáo", "Writing the report"),
              "step_compute": ("Tính kết quả so với kế hoạch", "Comparing results with the plan"),
              "step_write": ("Ghi tệp {formats}", "Writing the {formats} files")})


@click.command(name="report", cls=Command,
               help_en="Plan against actual (terminal, CSV, Markdown, Word, Excel).")
@workspace_option
@option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
        help=("Thư mục báo cáo (mặc định reports/).", "Report folder (default reports/)."))
@option("--format", "formats", default="md", show_default=True,
        help=(f"Định dạng, cách nhau bởi dấu phẩy: {', '.join(FORMATS)} (md: Markdown + CSV; "
              "docx: Word; xlsx: Excel).",
              f"Comma-separated formats: {', '.join(FORMATS)} (md: Markdown + CSV; "
              "docx: Word; xlsx: Excel)."))
@option("--period", default=None, metavar=("KỲ", "PERIOD"),
        help=("Kỳ báo cáo: 2025, 2025-Q3, 2025-6T, 2025-9T, 2025-T10 (số liệu biết đến cuối "
              "kỳ, so với kỳ trước).",
              "Reporting period: 2025, 2025-Q3, 2025-6T, 2025-9T, 2025-T10 (figures known "
              "at its end, against the period before)."))
@option("--office", default=None, metavar=("TÊN|MÃ", "NAME|CODE"),
        help=("Chỉ các tiêu chí cơ quan chủ trì hoặc phối hợp (tên hoặc mã trong "
              "[tables.offices]).",
              "Only the criteria an office leads or supports (name or code in "
              "[tables.offices])."))
@option("--by-office", is_flag=True, default=False,
        help=("Thêm một mục cho mỗi cơ quan.", "Add one section per office."))
@group_by_option
@group_label_option
@overwrite_option
@lang_option
@handle_errors
def command(workspace: str, output_dir: Path | None, formats: str, period: str | None,
            office: str | None, by_office: bool, group_by: str | None, group_label: str | None,
            overwrite: bool, lang: str | None) -> None:
    """Kết quả so với kế hoạch (màn hình, CSV, Markdown, Word, Excel)."""
    ws, lang = open_workspace(workspace, lang)
    fmts = parse_formats(formats, lang)  # a wrong --format fails before any work
    if output_dir is None:  # the configured folder must lie in the workspace; -o is the user's own
        check_output_paths(ws, lang)
    # a bar on a terminal only, and never while the tables print on standard output
    with Progress(_m("title", lang), lang, enabled=wants_progress()) as bar:
        bar.step(_m("step_compute", lang))
        rep = plan_report(ws, lang=lang, period=period, office=office, by_office=by_office,
                          group_by=group_by, group_label=group_label)
    _print_report(rep)
    with Progress(_m("title", lang), lang, enabled=wants_progress()) as bar:
        bar.step(_m("step_write", lang, formats=", ".join(fmts)))
        paths = write_report_formats(ws, rep, output_dir or ws.reports_dir, fmts,
                                     overwrite=overwrite)
    for p in paths:
        click.echo(t("written", lang, path=p))


def _print_report(rep) -> None:
    """Print the report's tables; names from the data never act as Rich markup."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Area, commune and project names are the user's: "[/bold]" in one would end Rich's
    # markup early (an error) and "[link=…]" would become a live link, so escape them.
    console = Console(width=160)
    console.print(f"[bold]{escape(str(rep.title))}[/bold]")
    for frame in (rep.headline, rep.criteria, rep.funding, *(s.frame for s in rep.sections)):
        if not len(frame.columns):
            continue
        table = Table(show_lines=False)
        for c in frame.columns:
            table.add_column(escape(str(c)), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*["–" if v is None or v != v else escape(str(v)) for v in row])
        console.print(table)
    for n in rep.notes:
        console.print(f"[italic]{escape(str(n))}[/italic]")
