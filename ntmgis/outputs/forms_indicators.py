"""What the indicator form (``bieu_chi_tieu_xa.xlsx``) adds to the other forms.

The form is :func:`ntmgis.outputs.forms.write_template` of kind
``indicator_values``: one row per commune in the programme and year, one column
per indicator of the workspace's commune criteria set, headed
``<key>. <name> (<unit>)``. It is written only when the set has indicators
(the shipped QĐ 318 and QĐ 51 sets have none yet; a workspace's own set file
may). This module holds its checks, instructions and page layout:

* a share (unit ``%``) accepts a decimal from 0 to 100, any other numeric
  indicator a decimal ≥ 0, a yes/no indicator the drop-down Đạt / Chưa đạt:
  the same rules :func:`ntmgis.inputs.indicators.read_indicator_values` applies
  when it reads the filled form back;
* the year check also accepts the year before the workspace's first, the
  plan's base year (income per head of 2020 for the "× 1,5" target), which
  the reader accepts too;
* the instructions list every indicator with its unit and accepted values;
* the form is printed on as many A4 pages across as groups of
  :data:`INDICATORS_PER_PAGE` indicators need (a fit to one page's width
  would shrink QĐ 318's 57 columns beyond reading), with the code, name and
  year columns repeated on each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ntmgis.core.criteria import CriteriaSet, Indicator
from ntmgis.core.i18n import catalog
from ntmgis.inputs.forms import FormColumn

__all__ = ["INDICATORS_PER_PAGE", "accepted_years", "heading_height", "help_lines",
           "help_list", "pages_across", "validations"]

#: Indicator columns printed on one page across (with the key columns repeated).
INDICATORS_PER_PAGE = 10
# Characters of a heading line in an indicator column (width 20, bold Times New Roman 11).
_HEADING_CHARS = 17
_LINE = 15.0  # points per heading line, room for the accents

_MSG = {
    "help_values": (
        "Mỗi ô chỉ tiêu: ghi số liệu của xã trong năm đó theo đơn vị ghi trong ngoặc ở tiêu "
        "đề cột; chỉ ghi số, không ghi chữ hay đơn vị vào ô; để trống nếu chưa có số liệu.",
        "Each indicator cell: the commune's value for that year, in the unit shown in "
        "brackets in the column heading; numbers only, no words or units in the cell; leave "
        "it empty when unknown.",
    ),
    "help_share": (
        "Chỉ tiêu tính bằng tỷ lệ (%): ghi số từ 0 đến 100, ví dụ 85,5 nghĩa là 85,5%; "
        "không ghi 0,855.",
        "Indicators in percent (%): a number from 0 to 100, e.g. 85.5 for 85.5 %; not 0.855.",
    ),
    "help_amount": (
        "Chỉ tiêu có đơn vị khác (triệu đồng, km, người, ...): ghi số không âm (từ 0 trở lên).",
        "Indicators in other units (million VND, km, people, ...): a number of 0 or more.",
    ),
    "help_yes_no": (
        "Chỉ tiêu đánh giá đạt hay không (không có đơn vị): chọn 'Đạt' hoặc 'Chưa đạt' trong "
        "danh sách (cũng nhận x = Đạt, 1 = Đạt, 0 = Chưa đạt).",
        "Met / not met indicators (no unit): pick 'Đạt' (met) or 'Chưa đạt' (not met) from "
        "the list (x and 1 also mean met, 0 not met).",
    ),
    "help_judged": (
        "Không cần ghi đạt hay chưa đạt cho chỉ tiêu tính bằng số: phần mềm so sánh số liệu "
        "với ngưỡng của bộ tiêu chí.",
        "Numeric indicators need no met / not met: the software compares the values with the "
        "set's thresholds.",
    ),
    "help_base_year": (
        "Số liệu năm {base} (năm gốc của kế hoạch, ví dụ thu nhập bình quân đầu người) ghi "
        "vào các dòng trống bên dưới: mã xã, tên xã, năm {base} và số liệu.",
        "Values of {base} (the plan's base year, e.g. income per head) go in the empty rows "
        "below: commune code, name, the year {base} and the values.",
    ),
    "help_list": ("Danh sách chỉ tiêu", "The indicators"),
    "unit": ("đơn vị", "unit"),
    "accepts_share": ("nhập số từ 0 đến 100", "enter a number from 0 to 100"),
    "accepts_amount": ("nhập số không âm (≥ 0)", "enter a number ≥ 0"),
    "accepts_yes_no": ("chọn Đạt hoặc Chưa đạt", "pick Đạt or Chưa đạt"),
    "error_share": ("Nhập số từ 0 đến 100 (tỷ lệ %; 85,5 nghĩa là 85,5%).",
                    "Enter a number from 0 to 100 (a share in %; 85.5 means 85.5 %)."),
    "error_amount": ("Nhập số không âm (từ 0 trở lên), theo đơn vị ở tiêu đề cột.",
                     "Enter a number of 0 or more, in the unit of the column heading."),
}

_text = catalog(_MSG)


def accepted_years(years: Sequence[int]) -> tuple[int, ...]:
    """The years the indicator form accepts: the plan's base year, then ``years``."""
    return (min(years) - 1, *years)


def heading_height(cols: list[FormColumn]) -> float:
    """Points for the heading row, so that the longest indicator heading shows whole."""
    lines = max((math.ceil(len(c.heading) / _HEADING_CHARS) for c in cols), default=1)
    return max(60.0, _LINE * lines + 8)


def pages_across(cols: list[FormColumn]) -> int:
    """Pages across the form prints on: one per :data:`INDICATORS_PER_PAGE` indicators."""
    n = sum(1 for c in cols if c.kind in ("share", "amount", "met"))
    return max(1, math.ceil(n / INDICATORS_PER_PAGE))


def validations(lang: str) -> dict[str, Any]:
    """The data validations of the indicator columns by kind: ``share`` and ``amount``.

    Yes/no columns (kind ``met``) take the criteria forms' drop-down. Errors
    stop the entry: a share of 140 or an amount of -5 is never right.
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    share = DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                           allow_blank=True, showErrorMessage=True, errorStyle="stop",
                           error=_text("error_share", lang))
    amount = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, showErrorMessage=True, errorStyle="stop",
                            error=_text("error_amount", lang))
    return {"share": share, "amount": amount}


def help_lines(cset: CriteriaSet, lang: str, base_year: int) -> list[str]:
    """The instructions on filling the indicator cells (those kinds the set has)."""
    kinds = {"met" if i.kind == "yes_no" else ("share" if i.is_share else "amount")
             for i in cset.indicators}
    lines = [_text("help_values", lang)]
    lines += [_text(f"help_{k}", lang) for k, there in
              (("share", "share" in kinds), ("amount", "amount" in kinds),
               ("yes_no", "met" in kinds)) if there]
    if kinds - {"met"}:
        lines.append(_text("help_judged", lang))
    lines.append(_text("help_base_year", lang, base=base_year))
    return lines


def _accepts(ind: Indicator, lang: str) -> str:
    if ind.kind == "yes_no":
        return _text("accepts_yes_no", lang)
    return _text("accepts_share" if ind.is_share else "accepts_amount", lang)


def help_list(cset: CriteriaSet, lang: str) -> list[tuple[str | None, str, bool]]:
    """The list of the instructions: ``(key, text, bold)`` rows, criteria then indicators.

    Each indicator's row gives its name, unit and accepted values, e.g.
    ``("11", "Tỷ lệ nghèo đa chiều — đơn vị: %; nhập số từ 0 đến 100", False)``.
    """
    rows: list[tuple[str | None, str, bool]] = [
        (None, f"{_text('help_list', lang)}: {cset.name(lang)}", True)]
    for c in cset:
        if not c.indicators:
            continue
        rows.append((f"TC{c.number}", c.name(lang), True))
        for ind in c.indicators:
            unit = f" — {_text('unit', lang)}: {ind.unit}" if ind.unit.strip() else ""
            sep = ";" if unit else " —"
            rows.append((ind.key, f"{ind.name(lang)}{unit}{sep} {_accepts(ind, lang)}", False))
    return rows
