"""Problems found in input data, collected rather than raised one at a time.

Readers and checks report into an :class:`IssueLog`; ``ntmgis validate``
prints and writes the whole list, ``ntmgis build`` refuses to build while it
holds errors. A reader called without a log raises :class:`DataError` at the
first error instead.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError
from .i18n import label, t

__all__ = ["Issue", "IssueLog", "ERROR", "WARNING"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem: where it is, what was found, what was expected."""

    severity: str
    check: str
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    expected: str = ""

    def format(self, lang: str = "vi") -> str:
        """One line for the terminal: ``LỖI projects.csv dòng 12, cột tieu_chi: ...``."""
        where = self.file
        if self.row is not None:
            where += f" {'row' if lang == 'en' else 'dòng'} {self.row}"
        if self.column:
            where += f", {'column' if lang == 'en' else 'cột'} {self.column}"
        return f"{label('severity', self.severity, lang)} {where}: {self.message}"


@dataclass
class IssueLog:
    """A list of issues in the user's language, with the file paths shown relative to ``root``."""

    lang: str = "vi"
    root: Path | None = None
    issues: list[Issue] = field(default_factory=list)
    raise_errors: bool = False

    def _rel(self, path: str | Path | None) -> str:
        if path is None:
            return ""
        p = Path(path)
        if self.root is not None:
            try:
                return str(p.resolve().relative_to(self.root))
            except ValueError:
                pass
        return str(p)

    def add(self, severity: str, check: str, key: str, *, file: str | Path | None = None,
            row: int | None = None, column: str | None = None, value: Any = None,
            expected: str = "", **kw: Any) -> Issue:
        """Record an issue whose message is ``t(key, lang, **kw)``; raise if asked to."""
        msg = t(key, self.lang,
                **{"column": column or "", "value": value, "expected": expected, **kw})
        issue = Issue(severity, check, msg, self._rel(file), row, column or "",
                      "" if value is None else str(value), expected)
        if severity == ERROR and self.raise_errors:
            raise DataError(issue.format(self.lang), path=file, row=row, column=column,
                            value=value, expected=expected)
        self.issues.append(issue)
        return issue

    def error(self, check: str, key: str, **kw: Any) -> Issue:
        """Record an error (see :meth:`add`)."""
        return self.add(ERROR, check, key, **kw)

    def warning(self, check: str, key: str, **kw: Any) -> Issue:
        """Record a warning (see :meth:`add`)."""
        return self.add(WARNING, check, key, **kw)

    @property
    def errors(self) -> list[Issue]:
        """The issues of severity error."""
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """The issues of severity warning."""
        return [i for i in self.issues if i.severity == WARNING]

    def sorted(self) -> list[Issue]:
        """Issues ordered by severity, file, row: the order a person fixes them in."""
        return sorted(
            self.issues,
            key=lambda i: (i.severity != ERROR, i.file, i.row or 0, i.column, i.check, i.value),
        )

    def write_csv(self, path: str | Path) -> None:
        """Write the issues to a CSV (UTF-8 with BOM so that Excel shows the accents)."""
        cols = list(Issue.__dataclass_fields__)
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for i in self.sorted():
                w.writerow({k: ("" if v is None else v) for k, v in asdict(i).items()})
