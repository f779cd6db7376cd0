"""Exceptions and warnings of ntmgis.

Every exception subclasses a built-in so that callers who do not know ntmgis
can still catch it (``except ValueError``). Messages are already translated
into the user's language when raised from code that knows the language; the
structured fields (``path``, ``row``, ``column``, ``value``) stay available
for programs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "NtmgisError",
    "WorkspaceError",
    "DataError",
    "CRSError",
    "CriteriaError",
    "OutputExistsError",
    "OutputIsInputError",
    "WorkspaceBusyError",
    "ValidationFailed",
    "MissingDependencyError",
    "OptionError",
    "NtmgisWarning",
    "DataWarning",
    "OverlapWarning",
    "CRSWarning",
    "LegacyEncodingWarning",
]


class NtmgisError(Exception):
    """Base class of ntmgis errors; never raised by itself."""


class WorkspaceError(NtmgisError, ValueError):
    """The workspace (``ntmgis.toml`` or a file it names) is missing or malformed."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = str(path) if path is not None else None


class DataError(NtmgisError, ValueError):
    """A value in an input file is not what was expected.

    Parameters
    ----------
    message : str
        The full, translated message.
    path, row, column, value, expected
        Where the problem is and what was found; ``row`` counts data rows from 1
        as a spreadsheet user sees them (the header is row 1, so the first data
        row is 2) for tables, and the feature number from 1 for layers.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected


class CRSError(DataError):
    """A layer has no coordinate reference system, or one that does not fit."""


class CriteriaError(NtmgisError, ValueError):
    """An unknown criterion number or a malformed criteria set."""


class OutputExistsError(NtmgisError, FileExistsError):
    """An output would overwrite an existing file and ``overwrite`` was not given."""


class WorkspaceBusyError(WorkspaceError):
    """Another command is writing the workspace (its lock is held); exit code 3."""


class ValidationFailed(NtmgisError, ValueError):
    """Validation found errors; ``issues`` holds all of them (warnings included)."""

    def __init__(self, message: str, issues: list | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


class OptionError(NtmgisError, ValueError):
    """A value given for an option or parameter is not one of those accepted (exit code 2)."""


class OutputIsInputError(OptionError):
    """An output path names an input of the workspace (never replaced, even with overwrite)."""


class MissingDependencyError(NtmgisError, ImportError):
    """An optional dependency (or a system program such as Chromium) is not installed."""


class NtmgisWarning(UserWarning):
    """Base class of ntmgis warnings."""


class DataWarning(NtmgisWarning):
    """Input data is usable but suspicious (e.g. a point just outside its commune)."""


class OverlapWarning(DataWarning):
    """Neighbouring units overlap or leave a gap."""


class CRSWarning(NtmgisWarning):
    """A CRS was assumed from the workspace configuration."""


class LegacyEncodingWarning(NtmgisWarning):
    """Text looks like a legacy Vietnamese encoding (TCVN3, VNI) read as Unicode."""
