"""The maps of a reporting period (``map --period 2025-Q3``): what was known at its end.

Offices report by quarter, 6 and 9 months (the plan's section VIII). A period's map
set shows the years before the period's year as they are, and, in the period's year's
place, each commune's criteria as last reported on or before the period's last day
(:func:`ntmgis.core.periods.values_at`: a year's row stands for its 31/12), with the
change since the previous period of the same kind (Q3 against Q2) and the day the
latest value was reported. Villages and projects, which are kept by year, show the
last year ended before the period's end.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet
from ntmgis.core.periods import Period, values_at
from ntmgis.monitoring.gpkg import MonitoringLayers

__all__ = ["period_layers", "period_info"]


def _joined(flags: np.ndarray, nums: np.ndarray) -> list[str]:
    return [";".join(str(n) for n in nums[row]) for row in flags]


def period_layers(layers: MonitoringLayers, cset: CriteriaSet, period: Period, *,
                  lang: str = "vi") -> tuple[MonitoringLayers, pd.DataFrame]:
    """The layers with the period's status in the place of its year's.

    Returns
    -------
    (MonitoringLayers, DataFrame)
        A copy whose ``commune_status`` keeps the years before ``period.year`` and has,
        for ``period.year``, one row per commune as known at the period's end (criteria,
        count, band, NTM, gained and lost since the previous period of the same kind);
        and the long values (``code``, ``criterion``, ``met``, ``reported``,
        ``previous_met``, ``previous_reported``) they were made from.
    """
    cs = layers.commune_status
    codes = sorted({str(c) for c in cs["code"]})
    cc = pd.DataFrame(layers.commune_criteria).drop(columns="geometry", errors="ignore")
    cc = cc[cc["code"].astype(str).isin(set(codes))].reset_index(drop=True)
    vals = values_at(cc, period, keys=["code", "criterion"], value="met", lang=lang)
    keys, nums = list(cset.keys), np.array(cset.numbers)
    first = cs.sort_values("year").drop_duplicates("code").set_index(
        cs.sort_values("year").drop_duplicates("code")["code"].astype(str))

    def grid(column: str) -> np.ndarray:
        wide = vals.pivot_table(index="code", columns="criterion", values=column,
                                aggfunc="last")
        wide = wide.reindex(index=codes, columns=list(cset.numbers))
        return wide.to_numpy(dtype="float64", na_value=np.nan)

    now, before = grid("met"), grid("previous_met")
    known = ~np.isnan(now).all(axis=1)
    rows = pd.DataFrame({"code": codes, "year": period.year})
    for j, k in enumerate(keys):
        rows[k] = pd.array([None if np.isnan(v) else int(v) for v in now[:, j]],
                           dtype="Int64")
    met = np.nansum(now == 1, axis=1).astype(int)
    rows["criteria_met"] = met
    rows["criteria_total"] = len(cset)
    rows["ntm"] = (now == 1).all(axis=1)
    rows["gained"] = _joined((now == 1) & (before == 0), nums)
    rows["lost"] = _joined((now == 0) & (before == 1), nums)
    rows["band"] = [cset.band(int(n)) for n in met]
    rows.loc[rows["ntm"], "band"] = "ntm"
    for col in ("name", "target_ntm", "target_criteria", "geometry"):
        if col in cs:
            rows[col] = first.loc[codes, col].to_numpy()
    rows = rows[known].reset_index(drop=True)  # a commune nothing was known of: no row
    kept = cs[(cs["year"].astype(int) < period.year).to_numpy()]
    status = pd.concat([pd.DataFrame(kept), rows[[c for c in cs.columns if c in rows]]],
                       ignore_index=True)
    out = type(cs)(status, geometry="geometry", crs=cs.crs) if "geometry" in cs else status
    return replace(layers, commune_status=out), vals


def period_info(period: Period, vals: pd.DataFrame, lang: str) -> dict:
    """The ``period`` block of the maps: its year's slot, label, end and last report."""
    reported = pd.to_datetime(vals["reported"]).max() if len(vals) else None
    return {"slot": str(period.year), "key": period.key, "label": period.label(lang),
            "end": period.end.isoformat(), "previous": period.previous().label(lang),
            "reported": None if reported is None or pd.isna(reported)
            else pd.Timestamp(reported).strftime("%Y-%m-%d")}
