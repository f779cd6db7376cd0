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

from ntmgis.core.i18n import label, t
from ntmgis.core.spreadsheet import csv_cell

__all__ = ["Issue", "IssueLog", "ERROR", "WARNING", "DATA_CHANGING"]

ERROR = "error"
WARNING = "warning"

# What a check expected, when the reporter does not say it more precisely
# (the "expected" column of validation.csv): (Vietnamese, English).
_EXPECTED: dict[str, tuple[str, str]] = {
    "file_missing": ("tệp có ở đường dẫn đã kê khai", "the file at the configured path"),
    "file_unreadable": ("tệp đọc được bằng GDAL / pandas", "a file GDAL or pandas can read"),
    "format": ("GeoPackage, Shapefile, TAB, GeoJSON, CSV, Excel",
               "GeoPackage, Shapefile, TAB, GeoJSON, CSV, Excel"),
    "missing_column": ("cột có trong tệp", "the column in the file"),
    "missing_value": ("một giá trị", "a value"),
    "duplicate_code": ("mã không trùng", "a unique code"),
    "unknown_code": ("mã có trong lớp tương ứng", "a code present in the matching layer"),
    "code_lost_zero": ("mã dạng chuỗi, giữ số 0 ở đầu", "a text code with its leading zeros"),
    "name_mismatch": ("tên đúng với mã", "the name of that code"),
    "invalid_geometry": ("hình học hợp lệ (OGC)", "a valid (OGC) geometry"),
    "empty_geometry": ("hình học không trống", "a non-empty geometry"),
    "overlap": ("các xã không chồng lấn", "communes that do not overlap"),
    "gap": ("các xã khít nhau, không hở", "communes without gaps between them"),
    "outside_commune": ("điểm nằm trong xã đã kê khai", "a point inside its declared commune"),
    "village_far": ("dự án gần bản đã kê khai", "a project near its declared village"),
    "latlon_swapped": ("kinh độ ở cột kinh độ, vĩ độ ở cột vĩ độ",
                       "longitude in the lon column, latitude in the lat column"),
    "out_of_area": ("tọa độ trong địa bàn", "coordinates inside the workspace's area"),
    "no_crs": ("tệp .prj, hoặc [area] assume_crs", "a .prj file, or [area] assume_crs"),
    "crs_mismatch": ("tọa độ khớp với hệ tọa độ khai báo",
                     "coordinates that fit the declared CRS"),
    "year_range": ("năm trong khoảng năm của bộ dữ liệu", "a year within the workspace's years"),
    "criterion_range": ("số tiêu chí có trong bộ tiêu chí", "a criterion number of the set"),
    "bad_status_value": ("Đạt / Chưa đạt / x / 1 / 0", "Đạt / Chưa đạt / x / 1 / 0"),
    "not_a_number": ("một số (608.989 hoặc 608989)", "a number (608.989 or 608989)"),
    "negative": ("số không âm", "a number ≥ 0"),
    "bad_enum": ("một giá trị trong danh mục", "one of the listed values"),
    "year_order": ("năm bắt đầu ≤ năm kết thúc", "start year ≤ end year"),
    "no_location": ("tọa độ hoặc hình học theo mã dự án",
                    "coordinates, or a geometry joined by project id"),
    "funding_total": ("tổng vốn bằng kế hoạch", "totals equal to the plan's"),
    "legacy_encoding": ("văn bản Unicode", "Unicode text"),
}


#: Warning checks whose data is left out or changed on the way to the outputs.
DATA_CHANGING = frozenset({
    "no_location", "geometry_type", "blank_cells", "missing_value", "nul_byte",
    "empty_table", "code_lost_zero", "legacy_encoding", "indicator_disagrees",
})


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
    # path as given -> as shown: resolving asks the file system, and a national list can
    # have 10.000 warnings on one file
    _shown: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _rel(self, path: str | Path | None) -> str:
        if path is None:
            return ""
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._relative(Path(path))
        return shown

    def _relative(self, p: Path) -> str:
        if self.root is not None:
            try:
                return str(p.resolve().relative_to(self.root))
            except ValueError:
                pass
        return str(p)

    def add(self, severity: str, check: str, key: str, *, file: str | Path | None = None,
            row: int | None = None, column: str | None = None, value: Any = None,
            expected: str = "", **kw: Any) -> Issue:
        """Record an issue whose message is ``t(key, lang, **kw)``."""
        msg = t(key, self.lang,
                **{"column": column or "", "value": value, "expected": expected, **kw})
        if not expected and check in _EXPECTED:
            expected = _EXPECTED[check][1 if self.lang == "en" else 0]
        issue = Issue(severity, check, msg, self._rel(file), row, column or "",
                      "" if value is None else str(value), expected)
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

    @property
    def data_changing(self) -> list[Issue]:
        """Warnings after which the outputs hold less or other data than the inputs.

        A command that succeeds with these must still show each of them in full
        (a dropped project, a name cut at a NUL byte), not only count them.
        """
        return [i for i in self.sorted() if i.severity == WARNING and i.check in DATA_CHANGING]

    def sorted(self) -> list[Issue]:
        """Issues ordered by severity, file, row: the order a person fixes them in."""
        return sorted(
            self.issues,
            key=lambda i: (i.severity != ERROR, i.file, i.row or 0, i.column, i.check, i.value),
        )

    def write_csv(self, path: str | Path) -> None:
        """Write the issues to a CSV (UTF-8 with BOM so that Excel shows the accents).

        The values come from the input files (a name such as ``=HYPERLINK(…)``):
        each cell passes through :func:`ntmgis.core.spreadsheet.csv_cell`, so
        none opens as a formula.
        """
        cols = list(Issue.__dataclass_fields__)
        with open(path, "w", newline="", encoding="utf-8-sig") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for i in self.sorted():
                w.writerow({k: ("" if v is None else csv_cell(v)) for k, v in asdict(i).items()})
