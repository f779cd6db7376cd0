"""Reporting periods (ntmgis.core.periods): parsing, labels, previous period, values at a period."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ntmgis.core.errors import DataError, OptionError
from ntmgis.core.periods import (
    KINDS,
    Period,
    PeriodError,
    accepted_forms,
    end_dates,
    parse_period,
    values_at,
)

D = dt.date


@pytest.mark.parametrize("text, kind, start, end, key", [
    ("2025", "year", D(2025, 1, 1), D(2025, 12, 31), "2025"),
    ("2025-Q3", "quarter", D(2025, 7, 1), D(2025, 9, 30), "2025-Q3"),
    ("2025q1", "quarter", D(2025, 1, 1), D(2025, 3, 31), "2025-Q1"),
    ("Q4/2024", "quarter", D(2024, 10, 1), D(2024, 12, 31), "2024-Q4"),
    ("2025-6T", "six_months", D(2025, 1, 1), D(2025, 6, 30), "2025-6T"),
    ("2025-6t", "six_months", D(2025, 1, 1), D(2025, 6, 30), "2025-6T"),
    ("2025-H1", "six_months", D(2025, 1, 1), D(2025, 6, 30), "2025-6T"),
    ("2025-9T", "nine_months", D(2025, 1, 1), D(2025, 9, 30), "2025-9T"),
    ("2025-9M", "nine_months", D(2025, 1, 1), D(2025, 9, 30), "2025-9T"),
    ("2025-T10", "month", D(2025, 10, 1), D(2025, 10, 31), "2025-T10"),
    ("2024-T2", "month", D(2024, 2, 1), D(2024, 2, 29), "2024-T2"),
    ("2025-02", "month", D(2025, 2, 1), D(2025, 2, 28), "2025-T2"),
    (" 2025 - T 10 ", "month", D(2025, 10, 1), D(2025, 10, 31), "2025-T10"),
    ("2025-10-31", "day", D(2025, 10, 31), D(2025, 10, 31), "2025-10-31"),
    ("31/10/2025", "day", D(2025, 10, 31), D(2025, 10, 31), "2025-10-31"),
    (2023, "year", D(2023, 1, 1), D(2023, 12, 31), "2023"),
    (2023.0, "year", D(2023, 1, 1), D(2023, 12, 31), "2023"),
    (D(2025, 3, 5), "day", D(2025, 3, 5), D(2025, 3, 5), "2025-03-05"),
    (pd.Timestamp("2025-03-05"), "day", D(2025, 3, 5), D(2025, 3, 5), "2025-03-05"),
])
def test_every_form_parses(text, kind, start, end, key):
    p = parse_period(text)
    assert (p.kind, p.start, p.end, p.key, str(p)) == (kind, start, end, key, key)
    assert kind in KINDS
    assert parse_period(p.key) == p  # the key reads back
    assert parse_period(p) is p
    assert p.contains(start) and p.contains(end) and not p.contains(end + dt.timedelta(1))


@pytest.mark.parametrize("text, vi, en", [
    ("2025", "Năm 2025", "Year 2025"),
    ("2025-Q3", "Quý III/2025", "Q3 2025"),
    ("2025-Q4", "Quý IV/2025", "Q4 2025"),
    ("2025-6T", "6 tháng đầu năm 2025", "First 6 months of 2025"),
    ("2025-9T", "9 tháng năm 2025", "First 9 months of 2025"),
    ("2025-T10", "Tháng 10/2025", "October 2025"),
    ("2025-10-31", "Ngày 31/10/2025", "31 October 2025"),
])
def test_labels_in_both_languages(text, vi, en):
    p = parse_period(text)
    assert p.label("vi") == vi and p.label() == vi
    assert p.label("en") == en


@pytest.mark.parametrize("text, previous", [
    ("2025", "2024"),
    ("2025-Q3", "2025-Q2"),
    ("2025-Q1", "2024-Q4"),
    ("2025-6T", "2024-6T"),
    ("2025-9T", "2024-9T"),
    ("2025-T10", "2025-T9"),
    ("2025-T1", "2024-T12"),
    ("2025-10-31", "2024-10-31"),
    ("2024-02-29", "2023-02-28"),
])
def test_previous_period_is_of_the_same_kind(text, previous):
    p = parse_period(text)
    prev = p.previous()
    assert prev.key == previous and prev.kind == p.kind and prev < p


@pytest.mark.parametrize("bad", ["2025-Q5", "2025-T13", "2025-7T", "năm ngoái", "", None,
                                 "2025-02-30", "30/02/2025", True, "1999", "20255"])
def test_bad_periods_name_the_value_and_the_forms(bad):
    with pytest.raises(PeriodError) as vi:
        parse_period(bad)
    assert isinstance(vi.value, OptionError) and isinstance(vi.value, ValueError)
    assert vi.value.value == bad
    with pytest.raises(PeriodError) as en:
        parse_period(bad, lang="en")
    if bad != "1999":
        assert "kỳ báo cáo" in str(vi.value) and "2025-Q3 (quý III)" in str(vi.value)
        assert "reporting period" in str(en.value) and "2025-6T (first 6 months)" in str(
            en.value)
    else:
        assert "2010" in str(vi.value) and "outside" in str(en.value)
    assert "2025-T10" in accepted_forms("vi") and "October" in accepted_forms("en")


def test_a_year_means_the_31st_of_december():
    s = pd.Series([2024, "2025", "2025-Q3", "15/03/2025", None], name="nam")
    out = end_dates(s)
    assert out.tolist()[:4] == [pd.Timestamp(x) for x in ("2024-12-31", "2025-12-31",
                                                           "2025-09-30", "2025-03-15")]
    assert pd.isna(out.iloc[4])


def test_a_bad_cell_names_its_row_column_and_value():
    s = pd.Series(["2025", "quý 3"], name="ky")
    with pytest.raises(DataError) as err:
        end_dates(s, rows=[7, 8], lang="en")
    e = err.value
    assert (e.row, e.column, e.value) == (8, "ky", "quý 3")
    assert "row 8" in str(e) and "'quý 3'" in str(e)
    table = pd.DataFrame({"code": ["a"], "value": [1], "period": ["2025-Q9"], "_row": [12]})
    with pytest.raises(DataError, match="dòng 12"):
        values_at(table, "2025", keys=["code"])


@pytest.fixture
def reports() -> pd.DataFrame:
    """Two communes' met value of criterion 5 at dates, quarters and years."""
    return pd.DataFrame({
        "code": ["A", "A", "A", "A", "B", "B", "C"],
        "criterion": [5] * 7,
        "value": [0, 1, 0, 1, 0, 1, 1],
        "date": ["2024", "2025-03-15", "2025-Q2", "2025-10-02", "2024-6T", "31/12/2025",
                 "2026-01-05"],
    })


def test_latest_value_at_the_end_of_a_period(reports):
    q3 = values_at(reports, "2025-Q3", keys=["code", "criterion"])
    assert q3["code"].tolist() == ["A", "B"]  # C reported only after the period
    a = q3.set_index("code").loc["A"]
    # A: 1 on 15/3, then 0 for Q2 (30/6); the 2/10 report lies after 30/9.
    assert a["value"] == 0 and a["reported"] == pd.Timestamp("2025-06-30")
    # Previous quarter (Q2): the same Q2 report.
    assert a["previous_value"] == 0 and a["previous_reported"] == pd.Timestamp("2025-06-30")
    assert a["change"] == 0
    b = q3.set_index("code").loc["B"]
    assert b["value"] == 0 and b["reported"] == pd.Timestamp("2024-06-30")
    assert q3.attrs == {"period": "2025-Q3", "previous": "2025-Q2"}


def test_change_since_the_previous_year(reports):
    y = values_at(reports, 2025, keys=["code"]).set_index("code")
    assert y.loc["A", "value"] == 1 and y.loc["A", "reported"] == pd.Timestamp("2025-10-02")
    assert y.loc["A", "previous_value"] == 0 and y.loc["A", "change"] == 1
    assert y.loc["B", "value"] == 1 and y.loc["B", "change"] == 1
    m1 = values_at(reports, "2025-T1", keys=["code"]).set_index("code")
    assert m1.loc["A", "value"] == 0 and m1.loc["A", "reported"] == pd.Timestamp("2024-12-31")


def test_yearly_tables_keep_working():
    yearly = pd.DataFrame({"code": ["A", "A", "B"], "year": [2023, 2024, 2024],
                           "met": [1, 0, 1], "criterion_met": [12, 11, 15]})
    out = values_at(yearly, "2024", keys=["code"], value=["met", "criterion_met"])
    assert out.columns.tolist() == ["code", "met", "criterion_met", "reported",
                                    "previous_met", "change_met", "previous_criterion_met",
                                    "change_criterion_met", "previous_reported"]
    a = out.set_index("code").loc["A"]
    assert (a["met"], a["previous_met"], a["change_met"]) == (0, 1, -1)
    assert pd.isna(out.set_index("code").loc["B", "previous_met"])
    # A quarter inside 2024 knows only what was reported for 2023.
    q = values_at(yearly, "2024-Q2", keys=["code"], value="met").set_index("code")
    assert q.index.tolist() == ["A"] and q.loc["A", "met"] == 1


def test_same_day_reports_keep_the_last_row():
    t = pd.DataFrame({"code": ["A", "A"], "value": [3, 4], "date": ["2025", "2025-12-31"]})
    assert values_at(t, "2025", keys=["code"])["value"].tolist() == [4]


def test_an_empty_report_does_not_hide_the_last_known_value():
    """Blank cells are no report: the value before them stands, as the milestones see it."""
    from ntmgis.monitoring.milestones import _known, status_long

    t = pd.DataFrame({"code": ["A", "A", "B", "B"], "year": [2024, 2025, 2024, 2025],
                      "tc01": [1, None, 0, 1]})
    long = status_long(t)
    v = values_at(long.assign(value=long["met"]), 2025, keys=["code"],
                  when="reported").set_index("code")
    assert v.loc["A", "value"] == 1 and v.loc["A", "reported"] == pd.Timestamp("2024-12-31")
    assert v.loc["B", "value"] == 1 and v.loc["B", "reported"] == pd.Timestamp("2025-12-31")
    known = _known(long, 1)
    assert known.loc[pd.Timestamp("2025-12-31")].to_dict() == {"A": 1, "B": 1}


def test_a_table_without_a_when_column_is_refused():
    with pytest.raises(OptionError, match="year, period or date"):
        values_at(pd.DataFrame({"code": ["A"], "value": [1]}), "2025", keys=["code"],
                  lang="en")
    with pytest.raises(PeriodError):
        values_at(pd.DataFrame({"code": ["A"], "value": [1], "year": [2025]}), "2025Q",
                  keys=["code"])


def test_periods_sort_by_their_end():
    ps = [parse_period(x) for x in ("2025", "2025-Q3", "2025-6T", "2025-T10", "2024")]
    assert [p.key for p in sorted(ps)] == ["2024", "2025-6T", "2025-Q3", "2025-T10", "2025"]
    assert Period.of_year(2025).year == 2025 and Period.of_quarter(2025, 3).number == 3
