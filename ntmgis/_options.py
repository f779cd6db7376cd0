"""What every command shares, defined once: options, and the error-to-exit-code mapping.

Exit codes: 0 success (warnings allowed), 1 the data has errors, 2 wrong usage,
3 workspace or configuration problem, 4 an output exists (use --overwrite),
5 a missing dependency.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import (
    DataError,
    MissingDependencyError,
    NtmgisError,
    OutputExistsError,
    ValidationFailed,
    WorkspaceError,
)
from .i18n import t

__all__ = ["workspace_option", "lang_option", "overwrite_option", "year_option",
           "handle_errors", "EXIT_DATA", "EXIT_WORKSPACE", "EXIT_EXISTS", "EXIT_DEPENDENCY"]

EXIT_DATA, EXIT_WORKSPACE, EXIT_EXISTS, EXIT_DEPENDENCY = 1, 3, 4, 5

# Most specific first: ValidationFailed and OutputExistsError subclass the others.
_EXIT_CODES: tuple[tuple[type[BaseException] | tuple, int], ...] = (
    (ValidationFailed, EXIT_DATA),
    (OutputExistsError, EXIT_EXISTS),
    ((WorkspaceError, FileNotFoundError), EXIT_WORKSPACE),
    (MissingDependencyError, EXIT_DEPENDENCY),
    ((DataError, NtmgisError, ValueError), EXIT_DATA),
)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into a message in the user's language and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValidationFailed, OutputExistsError, WorkspaceError, FileNotFoundError,
                MissingDependencyError, DataError, NtmgisError, ValueError) as exc:
            prefix = t("error", kwargs.get("lang") or "vi")
            click.echo(f"{prefix}: {exc}", err=True)
            code = next(c for types, c in _EXIT_CODES if isinstance(exc, types))
            sys.exit(code)

    return wrapper

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
