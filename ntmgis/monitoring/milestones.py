"""Milestones: each target of the roadmap judged against the communes' criteria status.

A target (:mod:`ntmgis.inputs.roadmap`) is a commune's criterion met by a due date, or a
number (share) of communes meeting a criterion by then; ``dat`` targets are to be
reached, ``duy_tri`` targets to be kept. Judged at a moment (the end of a year or of any
period of :mod:`ntmgis.core.periods`) with what was known then:

============== =========================================================================
status         meaning
============== =========================================================================
achieved_early not yet due, already reached (``dat``)
not_yet_due    not yet due, not reached yet
on_track       due and reached by the due date (``duy_tri``: reached and never lost,
               also before the due date)
late           due and not reached; for ``duy_tri``: lost after being reached (or not
               met from ``from_year`` on), whenever that happened up to the due date
achieved_late  reached after the due date
no_data        nothing known for the commune (or criterion) at that moment
============== =========================================================================

The commune status is the ``commune_criteria`` layer (long: ``code``, ``year``,
``criterion``, ``met``; a ``date`` or ``period`` column may replace ``year``) or the
``commune_status`` layer (one ``tcNN`` column per criterion). A year stands for 31/12.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.errors import OptionError
from ntmgis.core.i18n import catalog
from ntmgis.core.periods import Period, end_dates, parse_period

__all__ = ["judge_milestones", "commune_milestones", "milestone_label", "milestone_summary",
           "needed_communes",
           "status_long",
           "STATUSES", "MILESTONE_COLUMNS"]

#: The judgements, in the order a report lists them.
STATUSES = ("late", "achieved_late", "on_track", "achieved_early", "not_yet_due", "no_data")

#: Columns of the frame :func:`judge_milestones` returns.
MILESTONE_COLUMNS = ("target_id", "scope", "code", "criterion", "kind", "due", "due_year",
                     "at", "at_year", "target", "value", "reported", "value_at_due",
                     "reached", "lost", "status", "source")

_LABELS = catalog({
    "late": ("Chậm tiến độ", "Late"),
    "achieved_late": ("Đạt muộn", "Achieved late"),
    "on_track": ("Đúng tiến độ", "On track"),
    "achieved_early": ("Đạt sớm", "Achieved early"),
    "not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "no_data": ("Chưa có số liệu", "No data"),
    "no_when": ("bảng kết quả tiêu chí cần cột năm (year), kỳ (period) hoặc ngày (date)",
                "the criteria status needs a year, period or date column"),
})


def milestone_label(status: str, lang: str = "vi") -> str:
    """The label of a status: ``milestone_label("late") == "Chậm tiến độ"``."""
    return _LABELS(status, lang)


def status_long(status: pd.DataFrame, *, lang: str = "vi") -> pd.DataFrame:
    """Commune status as ``code``, ``criterion``, ``met`` (0/1/NA), ``reported`` (a day).

    Takes the long ``commune_criteria`` form or the wide ``commune_status`` layer
    (``tc01`` ... columns); the moment comes from ``date``, ``period`` or ``year``.
    """
    df = pd.DataFrame(status).drop(columns="geometry", errors="ignore")
    when = next((c for c in ("date", "period", "year") if c in df.columns), None)
    if when is None:
        raise OptionError(_LABELS("no_when", lang))
    if "criterion" not in df.columns:
        wide = {c: int(m.group(1)) for c in df.columns if (m := re.fullmatch(r"tc(\d+)", c))}
        df = df.melt(id_vars=["code", when], value_vars=list(wide), var_name="criterion",
                     value_name="met")
        df["criterion"] = df["criterion"].map(wide)
    rows = df["_row"].tolist() if "_row" in df.columns else None
    out = pd.DataFrame({
        "code": df["code"].astype(str).to_numpy(),
        "criterion": pd.to_numeric(df["criterion"]).astype("Int64").to_numpy(),
        "met": pd.to_numeric(df["met"], errors="coerce").astype("Int64").to_numpy(),
        "reported": end_dates(df[when], lang=lang, column=when, rows=rows).to_numpy(),
    })
    return out[out["reported"].notna()].reset_index(drop=True)


def _moments(at: Any, long: pd.DataFrame, lang: str) -> list[Period]:
    if at is None:
        return [Period.of_year(int(y)) for y in sorted(long["reported"].dt.year.unique())]
    if isinstance(at, str | int | Period) or not isinstance(at, Iterable):
        at = [at]
    return [parse_period(a, lang=lang) for a in at]


def _known(long: pd.DataFrame, criterion: int) -> pd.DataFrame:
    """Latest met value of each commune (columns) known at each report day (rows)."""
    one = long[(long["criterion"] == criterion).to_numpy(dtype=bool)]
    if not len(one):
        return pd.DataFrame()
    table = one.pivot_table(index="reported", columns="code", values="met", aggfunc="last")
    return table.sort_index().ffill()


def _series(known: pd.DataFrame, target: dict, communes: Sequence[str]) -> pd.Series:
    """The target's measure at each report day: the commune's met, or communes met."""
    if not len(known) or (target["scope"] == "commune" and target["code"] not in known.columns):
        return pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    if target["scope"] == "commune":
        return known[target["code"]]
    cols = [c for c in known.columns if c in set(communes)]
    met = known[cols].eq(1).sum(axis=1).astype(float)
    met[known[cols].isna().all(axis=1)] = np.nan
    return met


def needed_communes(target: dict, n_communes: int) -> int:
    """Communes a target needs (the report prints the same number it is judged by).

    1 for a commune's target, its count, or its share of ``n_communes`` rounded up
    (100 % of 13 is 13; 30 % of 13 is 4).
    """
    if target["scope"] == "commune":
        return 1
    if not pd.isna(target["target_communes"]):
        return int(target["target_communes"])
    return int(np.ceil(float(target["target_share"]) * n_communes - 1e-9))


def _judge(series: pd.Series, needed: int, target: dict, at: Period) -> dict[str, Any]:
    """One target at one moment (see the module's table)."""
    a, due = pd.Timestamp(at.end), pd.Timestamp(target["due_date"])
    upto = series[series.index <= a].dropna()
    out: dict[str, Any] = {"value": None, "reported": pd.NaT, "value_at_due": None,
                           "reached": pd.NaT, "lost": pd.NaT}
    if not len(upto):
        return {**out, "status": "no_data"}
    ok = upto >= needed
    out.update(value=upto.iloc[-1], reported=upto.index[-1])
    if ok.any():
        out["reached"] = ok.index[ok.to_numpy()][0]
    by_due = upto[upto.index <= due]
    if a >= due and len(by_due):
        out["value_at_due"] = by_due.iloc[-1]
    now_ok = bool(ok.iloc[-1])
    if target["kind"] == "duy_tri":
        window = ok[ok.index <= min(a, due)]
        if not pd.isna(target.get("from_year")):
            held = window[window.index >= pd.Timestamp(int(target["from_year"]), 12, 31)]
        else:
            held = window[window.cumsum() > 0] if window.any() else window.iloc[0:0]
        if len(held) and not held.all():
            out["lost"] = held.index[~held.to_numpy()][0]
            return {**out, "status": "late"}
        if a < due:
            return {**out, "status": "on_track" if now_ok else "not_yet_due"}
    elif a < due:
        return {**out, "status": "achieved_early" if now_ok else "not_yet_due"}
    due_ok = len(by_due) > 0 and bool(by_due.iloc[-1] >= needed)
    return {**out, "status": "on_track" if due_ok else (
        "achieved_late" if now_ok else "late")}


def judge_milestones(roadmap: pd.DataFrame, status: pd.DataFrame, *, at: Any = None,
                     communes: Sequence[str] | None = None, lang: str = "vi") -> pd.DataFrame:
    """Judge every target of ``roadmap`` at each moment of ``at``.

    Parameters
    ----------
    roadmap : DataFrame
        What :func:`ntmgis.inputs.roadmap.read_roadmap` returns.
    status : DataFrame
        The communes' criteria status: the ``commune_criteria`` layer (or the wide
        ``commune_status`` layer); see :func:`status_long`.
    at : period or sequence of periods, optional
        When to judge (``2023``, ``"2025-Q3"``, a :class:`~ntmgis.core.periods.Period`);
        default: the end of every year the status covers.
    communes : sequence of str, optional
        The communes a district-wide target counts (and a share is taken of); default:
        every commune in ``status``.
    lang : {"vi", "en"}
        Language of error messages.

    Returns
    -------
    DataFrame
        :data:`MILESTONE_COLUMNS`, one row per target and moment, sorted by moment, due
        date, criterion and commune: ``at`` (the period's key) and ``at_year``,
        ``target`` (communes needed; 1 for a commune's target), ``value`` (communes
        meeting the criterion, or the commune's met 0/1, known at ``at``), ``reported``
        (the day that value stands for), ``value_at_due`` (once due), ``reached`` (first
        day the target was met), ``lost`` (``duy_tri``: first day it was not kept),
        ``status`` (:data:`STATUSES`; labels: :func:`milestone_label`).
    """
    long = status_long(status, lang=lang)
    codes = list(communes) if communes is not None else sorted(long["code"].unique())
    moments = _moments(at, long, lang)
    known = {int(c): _known(long, int(c)) for c in roadmap["criterion"].dropna().unique()}
    rows = []
    for target in roadmap.to_dict("records"):
        series = _series(known[int(target["criterion"])], target, codes)
        needed = needed_communes(target, len(codes))
        for p in moments:
            rows.append({
                "target_id": target["target_id"], "scope": target["scope"],
                "code": target["code"], "criterion": target["criterion"],
                "kind": target["kind"], "due": target["due"], "due_year": target["due_year"],
                "at": p.key, "at_year": p.year, "target": needed,
                "source": target.get("source"), "_at_end": p.end,
                "_due_date": target["due_date"],
                **_judge(series, needed, target, p),
            })
    out = pd.DataFrame(rows, columns=[*MILESTONE_COLUMNS, "_at_end", "_due_date"])
    out = out.sort_values(["_at_end", "_due_date", "criterion", "code", "target_id"],
                          na_position="first", kind="stable")
    out = out.drop(columns=["_at_end", "_due_date"]).reset_index(drop=True)
    for c in ("criterion", "due_year", "at_year", "target"):
        out[c] = out[c].astype("Int64")
    for c in ("value", "value_at_due"):
        out[c] = pd.to_numeric(out[c], errors="coerce")
    for c in ("reported", "reached", "lost"):
        out[c] = pd.to_datetime(out[c])
    return out


def milestone_summary(judged: pd.DataFrame) -> pd.DataFrame:
    """Targets counted by moment and status: ``at``, then one column per status."""
    table = judged.pivot_table(index="at", columns="status", values="target_id",
                               aggfunc="count", fill_value=0, sort=False)
    return table.reindex(columns=list(STATUSES), fill_value=0).reset_index()


def commune_milestones(roadmap: pd.DataFrame, status: pd.DataFrame, *, at: Any = None,
                       communes: Sequence[str] | None = None,
                       lang: str = "vi") -> pd.DataFrame:
    """Milestones per commune and criterion, for maps and commune pages.

    The roadmap's commune targets, plus every district-wide target that needs all the
    communes (``100%``, ``13/13``) read as one target per commune: "all 13 by 2023" is
    late in 2023 for each commune that did not meet the criterion then. District-wide
    targets of fewer communes (``10/13``) do not say which communes, so they are left
    to :func:`judge_milestones`. Same columns as :func:`judge_milestones`, plus
    ``from_area`` (True for a row that comes from a district-wide target).
    """
    codes = list(communes) if communes is not None else sorted(
        status_long(status, lang=lang)["code"].unique())
    rows = []
    for t in roadmap.to_dict("records"):
        if t["scope"] == "commune":
            rows.append({**t, "from_area": False})
        elif needed_communes(t, len(codes)) >= len(codes):
            rows += [{**t, "scope": "commune", "code": c, "target_communes": None,
                      "target_share": None, "from_area": True} for c in codes]
    expanded = pd.DataFrame(rows, columns=[*roadmap.columns, "from_area"])
    judged = judge_milestones(expanded, status, at=at, communes=codes, lang=lang)
    area = expanded.set_index(["target_id", "code"])["from_area"]
    judged["from_area"] = [bool(area.get((t, c), False)) for t, c in
                           zip(judged["target_id"], judged["code"], strict=True)]
    return judged
