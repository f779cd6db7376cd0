"""The ``ntmgis`` command line.

Each command parses options, calls one library function, and turns library
errors into a clear message and an exit code.

Exit codes (see ``ntmgis._options``): 0 success (warnings allowed), 1 the data
has errors, 2 wrong usage, 3 workspace or configuration problem, 4 an output
exists (use --overwrite), 5 a missing dependency.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from ._options import (
    EXIT_DATA,
    handle_errors,
    lang_option,
    overwrite_option,
    workspace_option,
)
from .i18n import t

__all__ = ["main", "handle_errors"]


def _load(workspace: str, lang: str | None):
    from .workspace import load_workspace

    ws = load_workspace(workspace, lang=lang)
    return ws, (lang or ws.language)


def _progress(msg: str) -> None:
    click.echo(f"→ {msg}…", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ntmgis")
def main() -> None:
    """ntmgis: giám sát Chương trình xây dựng nông thôn mới trên bản đồ số.

    Monitoring Vietnam's New Rural Development programme (nông thôn mới) on
    digital maps: monitoring layers, offline web maps, map appendices, and
    spatial queries on infrastructure gaps.
    """


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--sample", is_flag=True,
              help="Sao chép vùng làm việc mẫu Mường Tè / copy the sample.")
@overwrite_option
@lang_option
@handle_errors
def init(directory: Path, sample: bool, overwrite: bool, lang: str | None) -> None:
    """Tạo vùng làm việc mới / create a new workspace (empty, or --sample)."""
    from .scaffold import init_workspace

    lang = lang or "vi"
    path = init_workspace(directory, sample=sample, overwrite=overwrite, lang=lang)
    click.echo(t("sample_copied" if sample else "workspace_created", lang, path=path))


@main.command()
@workspace_option
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None,
              help="Tệp CSV danh sách lỗi (mặc định validation.csv) / issues CSV.")
@click.option("--brief", is_flag=True,
              help="Chỉ in lỗi; cảnh báo in gộp theo loại / errors in full, warnings counted.")
@overwrite_option
@lang_option
@handle_errors
def validate(workspace: str, csv_path: Path | None, brief: bool, overwrite: bool,
             lang: str | None) -> None:
    """Kiểm tra dữ liệu / check the workspace's data; exit 1 if it has errors."""
    from collections import Counter

    from .i18n import label
    from .io_utils import require_writable
    from .validate import validate as run

    ws, lang = _load(workspace, lang)
    out = csv_path or (ws.root / "validation.csv")
    require_writable(out, overwrite, lang)
    log = run(ws, lang=lang, csv_path=out)
    for issue in log.sorted():
        if not (brief and issue.severity == "warning"):
            click.echo(issue.format(lang))
    if brief:
        for check, n in sorted(Counter(i.check for i in log.warnings).items()):
            example = next(i for i in log.sorted() if i.check == check)
            eg = "e.g." if lang == "en" else "ví dụ"
            click.echo(f"{label('severity', 'warning', lang)} {n} × {check} ({eg} "
                       f"{example.file}: {example.message})")
    click.echo(t("validation_summary", lang, errors=len(log.errors),
                 warnings=len(log.warnings)))
    click.echo(t("written", lang, path=out))
    if log.errors:
        sys.exit(EXIT_DATA)


@main.command()
@workspace_option
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Tệp GeoPackage kết quả / output GeoPackage (default layers/monitoring.gpkg).")
@click.option("--store", default=None, metavar="URL",
              help="Ghi thêm vào PostGIS / also write into PostGIS: postgresql://user@host/db")
@click.option("--schema", default=None,
              help="Schema PostGIS (mặc định theo tên vùng) / PostGIS schema.")
@overwrite_option
@lang_option
@handle_errors
def build(workspace: str, output: Path | None, store: str | None, schema: str | None,
          overwrite: bool, lang: str | None) -> None:
    """Tạo các lớp giám sát / build the monitoring layers (GeoPackage, optionally PostGIS)."""
    from .issues import IssueLog
    from .layers import build as run

    ws, lang = _load(workspace, lang)
    log = IssueLog(lang=lang, root=ws.root)
    path = run(ws, lang=lang, overwrite=overwrite, output=output, progress=_progress,
               store=store, schema=schema, log=log)
    if log.warnings:
        click.echo(t("build_warnings", lang, warnings=len(log.warnings)), err=True)
    click.echo(t("built", lang, path=path))
    if store:
        click.echo(t("written", lang, path=f"{store} ({schema or 'schema'})"))


@main.command()
@workspace_option
@click.option("-o", "--output-dir", type=click.Path(path_type=Path), default=None,
              help="Thư mục báo cáo / report folder (default reports/).")
@overwrite_option
@lang_option
@handle_errors
def report(workspace: str, output_dir: Path | None, overwrite: bool, lang: str | None) -> None:
    """Kết quả so với kế hoạch / plan against actual (terminal, CSV, Markdown)."""
    from .report import plan_report, write_report

    ws, lang = _load(workspace, lang)
    rep = plan_report(ws, lang=lang)
    _print_report(rep)
    for p in write_report(rep, output_dir or ws.reports_dir, overwrite=overwrite):
        click.echo(t("written", lang, path=p))


def _print_report(rep) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    console.print(f"[bold]{rep.title}[/bold]")
    for frame in (rep.headline, rep.criteria, rep.funding):
        table = Table(show_lines=False)
        for c in frame.columns:
            table.add_column(str(c), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*["–" if v is None or v != v else str(v) for v in row])
        console.print(table)
    for n in rep.notes:
        console.print(f"[italic]{n}[/italic]")


def _register_area_commands() -> None:
    """The commands that live beside their library code (map, appendix, query, store, forms).

    Every area ships with the package, so a failing import is a bug and must show.
    """
    import importlib

    for module in ("ntmgis.webmap.cli", "ntmgis.appendix", "ntmgis.queries_cli",
                   "ntmgis.postgis", "ntmgis.forms"):
        main.add_command(importlib.import_module(module).cli_command)


_register_area_commands()
