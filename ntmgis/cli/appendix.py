"""``ntmgis appendix``: the print-ready map appendix."""

from __future__ import annotations

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Command, option
from ntmgis.cli.options import (
    lang_option,
    open_workspace,
    overwrite_option,
    workspace_option,
    year_option,
)
from ntmgis.outputs.appendix import (
    PAGE_KINDS,
    SIZES,
    SPLIT_ABOVE,
    render_appendix,
    summary_lines,
)

__all__ = ["command"]


@click.command("appendix", cls=Command, help_en="""Render the print-ready map appendix.

    One PDF and one PNG per page, into maps/appendix/ of the workspace. Pages are
    rendered on every CPU core at once; a progress bar names each page on a terminal.
    An appendix of more than 100 pages (--split-above) whose communes fall into
    districts (or [area] group_by) is split: an index and the area-wide pages in
    one PDF, each district's commune pages in its own PDF.
    """)
@workspace_option
@year_option
@option("--size", type=click.Choice(SIZES, case_sensitive=False), default="A4",
        show_default=True, help=("Khổ giấy (ngang).", "Paper size (landscape)."))
@option("--format", "formats", default="pdf,png", show_default=True,
        help=("pdf, png hoặc cả hai, cách nhau bằng dấu phẩy.",
              "pdf, png or both, comma-separated."))
@lang_option
@overwrite_option
@option("--dpi", type=click.IntRange(20, 1200), default=300, show_default=True,
        help=("Độ phân giải ảnh PNG.", "Resolution of the PNG pages."))
@option("--pages", default=None,
        help=("Chỉ các trang: " + ", ".join(PAGE_KINDS) + " (mặc định: tất cả).",
              "Only these pages: " + ", ".join(PAGE_KINDS) + " (default: all)."))
@option("--workers", "-j", type=click.IntRange(min=1), default=None,
        help=("Số tiến trình vẽ trang cùng lúc (1: lần lượt; mặc định: biến môi trường "
              "NTMGIS_WORKERS, nếu không có thì bằng số nhân CPU). Kết quả như nhau.",
              "Processes rendering pages at once (1: one by one; default: the "
              "NTMGIS_WORKERS environment variable, else one per CPU core). Same files."))
@option("--office", default=None, metavar=("TÊN|MÃ", "NAME|CODE"),
        help=("Chỉ trang các tiêu chí cơ quan chủ trì hoặc phối hợp, vào "
              "maps/co-quan/<tên>/appendix/.",
              "Only the pages of the criteria an office leads or supports, in "
              "maps/co-quan/<name>/appendix/."))
@option("--split-above", type=click.IntRange(min=0), default=SPLIT_ABOVE, show_default=True,
        metavar=("SỐ_TRANG", "PAGES"),
        help=("Phụ lục nhiều hơn số trang này thì chia: mục lục và các trang chung một tệp "
              "PDF, trang các xã của mỗi huyện (nhóm xã) một tệp PDF; 0: luôn chia.",
              "Above this many pages the appendix is split: an index and the area-wide "
              "pages in one PDF, each district's (group's) commune pages in its own PDF; "
              "0: always split."))
@option("--no-split", is_flag=True, default=False,
        help=("Luôn ghi một tệp PDF, dù nhiều trang.",
              "Always write one PDF, however many pages."))
@handle_errors
def command(workspace: str, year: int | None, size: str, formats: str, lang: str | None,
            overwrite: bool, dpi: int, pages: str | None, workers: int | None,
            office: str | None, split_above: int, no_split: bool) -> None:
    """Phụ lục bản đồ in được.

    Một tệp PDF và một ảnh PNG cho mỗi trang, ghi vào maps/appendix/ của thư mục dữ liệu.
    Các trang được vẽ song song trên mọi nhân CPU; trên màn hình lệnh có thanh tiến độ
    ghi tên từng trang. Phụ lục hơn 100 trang (--split-above) mà các xã thuộc nhiều huyện
    (hoặc nhóm theo [area] group_by) được chia: mục lục và các trang chung một tệp PDF,
    trang các xã của mỗi huyện một tệp PDF.
    """
    ws, use_lang = open_workspace(workspace, lang)
    paths = render_appendix(ws, year=year, size=size, formats=formats, lang=use_lang,
                            overwrite=overwrite, dpi=dpi, pages=pages, workers=workers,
                            office=office, split_above=None if no_split else split_above)
    for line in summary_lines(paths, use_lang):
        click.echo(line)
