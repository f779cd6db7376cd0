"""The one error-to-exit-code mapping of the command line.

Exit codes: 0 success (warnings allowed), 1 the data has errors, 2 wrong usage,
3 workspace or configuration problem (or a database that cannot be reached),
4 an output exists (use --overwrite), 5 a missing dependency.

Only errors a user or the machine can cause are mapped. A plain ``ValueError``
or ``TypeError`` from inside ntmgis is a bug and must show as one (a traceback),
so it is not caught here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from ntmgis.core.errors import (
    DataError,
    MissingDependencyError,
    NtmgisError,
    OptionError,
    OutputExistsError,
    ValidationFailed,
    WorkspaceError,
)
from ntmgis.core.i18n import t

__all__ = ["handle_errors", "exit_code", "fail", "EXIT_DATA", "EXIT_USAGE", "EXIT_WORKSPACE",
           "EXIT_EXISTS", "EXIT_DEPENDENCY"]

EXIT_DATA, EXIT_USAGE, EXIT_WORKSPACE, EXIT_EXISTS, EXIT_DEPENDENCY = 1, 2, 3, 4, 5

# Most specific first: ValidationFailed and OutputExistsError subclass the others.
_EXIT_CODES: tuple[tuple[type[BaseException] | tuple, int], ...] = (
    (ValidationFailed, EXIT_DATA),
    (OutputExistsError, EXIT_EXISTS),
    (OptionError, EXIT_USAGE),
    ((WorkspaceError, FileNotFoundError, ConnectionError), EXIT_WORKSPACE),
    (MissingDependencyError, EXIT_DEPENDENCY),
    ((DataError, NtmgisError), EXIT_DATA),
)
_MAPPED = tuple(t for types, _ in _EXIT_CODES
                for t in (types if isinstance(types, tuple) else (types,)))


def exit_code(exc: BaseException) -> int | None:
    """Return the exit code for a library error, or None when ``exc`` is not one (a bug)."""
    return next((c for types, c in _EXIT_CODES if isinstance(exc, types)), None)


def fail(exc: BaseException, lang: str | None) -> None:
    """Print ``exc`` as an error message in the user's language and exit with its code."""
    click.echo(f"{t('error', lang or 'vi')}: {exc}", err=True)
    sys.exit(exit_code(exc))


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into a message in the user's language and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _MAPPED as exc:
            fail(exc, kwargs.get("lang"))

    return wrapper
