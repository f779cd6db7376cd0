"""``ntmgis validate``: every problem in the workspace's data, with file, row and column."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ntmgis.cli.exits import EXIT_DATA, handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import lang_option, open_workspace, overwrite_option, workspace_option
from ntmgis.core.i18n import catalog, check_label, label, t
from ntmgis.core.progress import Progress, wants_progress
from ntmgis.core.safe_write import require_writable
from ntmgis.monitoring.checks import validate

__all__ = ["command"]

_m = catalog({"title": ("Kiểm tra dữ liệu", "Checking the data"),
              "step": ("Đọc và kiểm tra các lớp, các bảng", "Reading and checking layers, tables")})


@click.command(name="validate", cls=Command,
               help_en="Check the workspace's data; exit 1 if it has errors.")
@workspace_option
@option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
        help=("Tệp CSV danh sách lỗi (mặc định validation.csv).",
              "CSV file of the issues (default validation.csv)."))
@option("--brief", is_flag=True,
        help=("Chỉ in lỗi; cảnh báo in gộp theo loại.",
              "Errors in full; warnings counted by kind."))
@overwrite_option
@lang_option
@handle_errors
def command(workspace: str, csv_path: Path | None, brief: bool, overwrite: bool,
            lang: str | None) -> None:
    """Kiểm tra dữ liệu; thoát với mã 1 nếu dữ liệu có lỗi."""
    ws, lang = open_workspace(workspace, lang)
    out = csv_path or (ws.root / "validation.csv")
    require_writable(out, overwrite, lang)
    with Progress(_m("title", lang), lang, enabled=wants_progress()) as bar:  # terminal only
        bar.step(_m("step", lang))
        log = validate(ws, lang=lang, csv_path=out)
    issues = log.sorted()
    for issue in issues:
        if not (brief and issue.severity == "warning"):
            click.echo(issue.format(lang))
    if brief:
        first = {}  # each check's first warning, as an example (not an error's message)
        for issue in log.warnings:
            first.setdefault(issue.check, issue)
        for check, n in sorted(Counter(i.check for i in log.warnings).items()):
            example = first[check]
            eg = "e.g." if lang == "en" else "ví dụ"
            name = check_label(check, lang)
            click.echo(f"{label('severity', 'warning', lang)} {n} × {name} ({eg} "
                       f"{example.file}: {example.message})")
    click.echo(t("validation_summary", lang, errors=len(log.errors),
                 warnings=len(log.warnings)))
    click.echo(t("written", lang, path=out))
    if log.errors:
        sys.exit(EXIT_DATA)
