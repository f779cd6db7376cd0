"""The one error-to-exit-code mapping of the command line.

Exit codes: 0 success (warnings allowed), 1 the data has errors, 2 wrong usage
(an output path that is one of the inputs among them), 3 workspace or
configuration problem (or a database that cannot be reached, a folder or disk
that cannot be written: a full disk, a read-only folder, an output path that
is a folder; or another ntmgis command writing in the same workspace), 4 an
output exists (use --overwrite), 5 a missing dependency, 130 interrupted
(Ctrl-C).

Only errors a user or the machine can cause are mapped. A plain ``ValueError``
or ``TypeError`` from inside ntmgis is a bug and must show as one (a traceback),
so it is not caught here.
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import click

from ntmgis.cli.language import current
from ntmgis.core.errors import (
    DataError,
    MissingDependencyError,
    NtmgisError,
    OptionError,
    OutputExistsError,
    ValidationFailed,
    WorkspaceError,
)
from ntmgis.core.i18n import catalog, t

__all__ = ["handle_errors", "exit_code", "fail", "os_message", "EXIT_DATA", "EXIT_USAGE",
           "EXIT_WORKSPACE", "EXIT_EXISTS", "EXIT_DEPENDENCY", "EXIT_INTERRUPTED"]

EXIT_DATA, EXIT_USAGE, EXIT_WORKSPACE, EXIT_EXISTS, EXIT_DEPENDENCY = 1, 2, 3, 4, 5
#: 128 + SIGINT, as shells report a program stopped with Ctrl-C.
EXIT_INTERRUPTED = 130

# Most specific first: ValidationFailed and OutputExistsError subclass the others, and
# OutputExistsError (a FileExistsError) and ConnectionError are OSErrors too.
_EXIT_CODES: tuple[tuple[type[BaseException] | tuple, int], ...] = (
    (ValidationFailed, EXIT_DATA),
    (OutputExistsError, EXIT_EXISTS),
    (OptionError, EXIT_USAGE),
    ((WorkspaceError, FileNotFoundError, ConnectionError), EXIT_WORKSPACE),
    # a page-rendering process killed by the system (memory): the machine's problem
    (BrokenProcessPool, EXIT_WORKSPACE),
    (MissingDependencyError, EXIT_DEPENDENCY),
    ((DataError, NtmgisError), EXIT_DATA),
    # What the machine says about a file or folder (disk full, read-only, a folder
    # where a file should be): the user must fix the place, not the data.
    (OSError, EXIT_WORKSPACE),
)
_MAPPED = tuple(t for types, _ in _EXIT_CODES
                for t in (types if isinstance(types, tuple) else (types,)))

_MSG = {
    "interrupted": ("Đã dừng theo yêu cầu (Ctrl-C); các tệp kết quả đang ghi dở không được giữ "
                    "lại", "Interrupted (Ctrl-C); outputs being written were not kept"),
    "os_nospace": ("Ổ đĩa đã đầy, không ghi được {path}; giải phóng dung lượng rồi chạy lại",
                   "The disk is full; cannot write {path}; free some space and run again"),
    "os_denied": ("Không có quyền ghi hoặc đọc {path}; chọn thư mục khác hoặc xin cấp quyền",
                  "Permission denied for {path}; choose another folder or ask for access"),
    "os_readonly": ("{path} nằm trên ổ chỉ đọc; chọn thư mục ghi được (ví dụ --output hoặc "
                    "[output] trong ntmgis.toml)",
                    "{path} is on a read-only file system; choose a writable folder (e.g. "
                    "--output, or [output] in ntmgis.toml)"),
    "os_isdir": ("{path} là một thư mục, không phải tệp; hãy ghi rõ tên tệp",
                 "{path} is a folder, not a file; give a file name"),
    "os_notdir": ("Một phần của đường dẫn {path} là tệp, không phải thư mục",
                  "Part of the path {path} is a file, not a folder"),
    "os_missing": ("Không tìm thấy tệp hoặc thư mục {path}",
                   "No such file or folder: {path}"),
    "os_other": ("Không đọc hoặc ghi được {path}: {reason}",
                 "Cannot read or write {path}: {reason}"),
}
_m = catalog(_MSG)
_OS_KEYS = {
    errno.ENOENT: "os_missing",
    errno.ENOSPC: "os_nospace",
    errno.EDQUOT: "os_nospace",
    errno.EACCES: "os_denied",
    errno.EPERM: "os_denied",
    errno.EROFS: "os_readonly",
    errno.EISDIR: "os_isdir",
    errno.ENOTDIR: "os_notdir",
}


def exit_code(exc: BaseException) -> int | None:
    """Return the exit code for a library error, or None when ``exc`` is not one (a bug)."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return next((c for types, c in _EXIT_CODES if isinstance(exc, types)), None)


def os_message(exc: OSError, lang: str) -> str:
    """A sentence naming the path and what to do, for an error the machine reported.

    Parameters
    ----------
    exc : OSError
        The error, with ``filename`` where the system gave one.
    lang : {"vi", "en"}
        Language of the message.
    """
    # A rename onto the target (how outputs are written safely) names the target second.
    path = next((f for f in (exc.filename2, exc.filename) if f is not None), "?")
    key = _OS_KEYS.get(exc.errno, "os_other")
    return _m(key, lang, path=path, reason=exc.strerror or exc)


def fail(exc: BaseException, lang: str | None) -> None:
    """Print ``exc`` as an error message in the user's language and exit with its code.

    Without ``--lang`` the language is the command line's (:func:`ntmgis.cli.language.current`:
    ``NTMGIS_LANG`` or the workspace's ``[area] language``).
    """
    lang = lang or current()
    if isinstance(exc, KeyboardInterrupt):
        click.echo(_m("interrupted", lang), err=True)
        sys.exit(EXIT_INTERRUPTED)
    # ntmgis's own errors and ConnectionError already say what happened in a sentence.
    plain_os = isinstance(exc, OSError) and not isinstance(
        exc, NtmgisError | ConnectionError) and exc.errno is not None
    text = os_message(exc, lang) if plain_os else str(exc)
    click.echo(f"{t('error', lang)}: {text}", err=True)
    sys.exit(exit_code(exc))


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into a message in the user's language and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            raise  # ``ntmgis ... | head``: click ends quietly, as other tools do
        except (*_MAPPED, KeyboardInterrupt) as exc:
            fail(exc, kwargs.get("lang"))

    return wrapper
