"""Options every command shares, defined once, and the checks of option values.

A value the command line cannot use is an :class:`~ntmgis.core.errors.OptionError`
(exit 2, wrong usage) in the user's language, naming the option and what it accepts.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from ntmgis.cli.language import explicit, option
from ntmgis.core.criteria import load_criteria_set
from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog, enum_keys, labels
from ntmgis.core.text import fold
from ntmgis.core.workspace import Workspace, config_error, crs_settings, load_workspace

__all__ = ["workspace_option", "lang_option", "overwrite_option", "year_option",
           "open_workspace", "check_enum", "check_criterion"]

_MSG = {
    "bad_crs": ("hệ tọa độ không xác định; dùng mã EPSG, ví dụ EPSG:9205 (VN-2000 / TM-3 "
                "103-00) hoặc EPSG:4326 (WGS 84)",
                "unknown coordinate reference system; use an EPSG code, e.g. EPSG:9205 "
                "(VN-2000 / TM-3 103-00) or EPSG:4326 (WGS 84)"),
    "bad_choice": ("{option}: {what} '{value}' không hợp lệ; chọn một trong: {choices}",
                   "{option}: {what} '{value}' is not valid; use one of: {choices}"),
    "bad_criterion": ("{option} {value}: tiêu chí {value} không có trong bộ tiêu chí {set}; "
                      "chọn từ {lo} đến {hi}",
                      "{option} {value}: criterion {value} is not in the criteria set {set}; "
                      "use {lo} to {hi}"),
    "what_status": ("tình trạng", "status"),
    "what_category": ("loại công trình", "category"),
    "what_source": ("nguồn vốn", "funding source"),
    "what_facility": ("loại cơ sở", "facility type"),
}
_m = catalog(_MSG)


def _check_crs(ws: Workspace, lang: str) -> None:
    """Refuse a CRS that PROJ does not know, naming the key (it would fail much later)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    for section, key, value in crs_settings(ws):
        try:
            CRS.from_user_input(value)
        except CRSError as exc:
            raise config_error(ws.config_path, section, key, value, _m("bad_crs", lang),
                               lang) from exc


def open_workspace(path: str, lang: str | None) -> tuple[Workspace, str]:
    """Load the workspace at ``path``; the language is ``--lang`` or else the workspace's.

    ``--lang`` given anywhere on the command line (``ntmgis --lang en validate``) or
    ``NTMGIS_LANG`` counts as the command's own ``--lang``.
    """
    lang = lang or explicit()
    ws = load_workspace(path, lang=lang)
    use_lang = lang or ws.language or "vi"
    _check_crs(ws, use_lang)
    return ws, use_lang


def check_enum(option: str, kind: str, values: Iterable[str], lang: str) -> list[str]:
    """The enumeration keys of ``values`` given as keys or labels (either language).

    Parameters
    ----------
    option : str
        The option's name as typed (``"--status"``), for the message.
    kind : {"status", "category", "source", "facility"}
        The enumeration of :func:`ntmgis.core.i18n.labels`.
    values : iterable of str
        What the user typed; accents and case do not matter.
    lang : {"vi", "en"}
        Language of the message.

    Raises
    ------
    OptionError
        For a value that is none of them (exit 2), listing the valid keys.
    """
    keys = enum_keys(kind)
    names = {fold(name): k for k in keys
             for name in (k, labels(kind, "vi")[k], labels(kind, "en")[k])}
    out = []
    for value in values:
        if fold(str(value)) not in names:
            raise OptionError(_m("bad_choice", lang, option=option, value=value,
                                 what=_m(f"what_{kind}", lang), choices=", ".join(keys)))
        out.append(names[fold(str(value))])
    return out


def check_criterion(option: str, number: int | None, ws: Workspace, lang: str) -> None:
    """Refuse a commune criterion number that the workspace's criteria set does not have.

    Raises
    ------
    OptionError
        Naming the set and its range of numbers (exit 2).
    """
    if number is None:
        return
    numbers = sorted(load_criteria_set(ws.commune_set, lang=lang).numbers)
    if number not in numbers:
        raise OptionError(_m("bad_criterion", lang, option=option, value=number,
                             set=ws.commune_set, lo=numbers[0], hi=numbers[-1]))


workspace_option = option(
    "-w", "--workspace", "workspace", default=".", show_default=True,
    type=click.Path(file_okay=True, dir_okay=True, path_type=str),
    help=("Thư mục dữ liệu (có tệp ntmgis.toml).", "Workspace folder (holding ntmgis.toml)."),
)
lang_option = option(
    "--lang", type=click.Choice(["vi", "en"]), default=None,
    help=("Ngôn ngữ: vi hoặc en (mặc định theo thư mục dữ liệu, thường là vi).",
          "Language: vi or en (default: the workspace's, usually vi)."),
)
overwrite_option = option(
    "--overwrite", is_flag=True, default=False,
    help=("Ghi đè tệp kết quả đã có.", "Replace existing output files."),
)
year_option = option(
    "--year", type=click.IntRange(1900, 2100), default=None,
    help=("Năm đánh giá (mặc định: năm cuối).", "Year assessed (default: the latest)."),
)
group_by_option = option(
    "--group-by", "group_by", default=None, metavar=("CỘT", "COLUMN"),
    help=("Cột của lớp xã dùng để nhóm xã (huyện cũ, cụm xã; mặc định [area] group_by, "
          "không có thì theo huyện).",
          "Column of the communes layer grouping communes (former district, cluster; "
          "default [area] group_by, else the district)."),
)
group_label_option = option(
    "--group-label", "group_label", default=None, metavar=("TÊN", "NAME"),
    help=("Tên gọi của nhóm trong bảng (ví dụ \"Cụm xã\").",
          "The groups' heading in tables (e.g. \"Cluster\")."),
)
