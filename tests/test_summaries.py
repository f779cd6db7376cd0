"""The area's and groups' counts: one grouped pass gives what a filter per group gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ntmgis.core.criteria import COMMUNE_CRITERIA, CriteriaSet
from ntmgis.monitoring.summaries import summaries


# The naive reference: the loop ntmgis used until stop 21 (one filter of the status
# table per group, year and criterion), kept to check the grouped pass against it.
def loop_summaries(wide: pd.DataFrame, village_status: pd.DataFrame | None,
               villages: pd.DataFrame | None, cset: CriteriaSet, years: tuple[int, ...],
               targets: dict, groups: dict[str, tuple[str, str]]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``district_summary`` and ``district_overview``: the total's rows, then each group's.

    One group: its rows are the total's, named by the group. More than one: the total's
    rows have an empty group, each group follows (plan targets are the area's: a group's
    ``target`` is empty).
    """
    distinct = sorted(set(groups.values())) or [(None, None)]
    parts: list[tuple[tuple[str, str] | None, list[str]]] = [
        (distinct[0] if len(distinct) == 1 else None, list(groups))]
    if len(distinct) > 1:
        parts += [(g, [k for k, v in groups.items() if v == g]) for g in distinct]
    vill_commune = (dict(zip(villages["code"], villages["commune_code"], strict=True))
                    if villages is not None else {})
    rows, over = [], []
    for grp, codes in parts:
        gcode, gname = grp if grp is not None else (None, None)
        whole = grp is None or len(distinct) == 1
        keep = set(codes)
        sub = wide[wide["code"].isin(keep)]
        n_prog = len(codes)
        vs = village_status
        vtotal = len(villages) if villages is not None else None
        if not whole and villages is not None:
            vtotal = int(villages["commune_code"].isin(keep).sum())
            if vs is not None:
                vs = vs[vs["code"].map(vill_commune).isin(keep)]  # the village's commune
        for year in years:
            w = sub[sub["year"] == year]
            for cr in cset:
                met = int((w[cr.key] == 1).sum())
                tg = targets.get(cr.number) if whole else None
                tg = None if tg is None or tg is pd.NA else int(tg)
                rows.append({"year": year, "criterion": cr.number, "name_vi": cr.name_vi,
                             "name_en": cr.name_en, "group": cr.group, "communes_met": met,
                             "communes_total": n_prog,
                             "share": met / n_prog if n_prog else None, "target": tg,
                             "target_share": (tg / n_prog if tg is not None and n_prog
                                              else None),
                             "gap": (tg - met) if tg is not None else None,
                             "group_code": gcode, "group_name": gname})
            vrow = vs[vs["year"] == year] if vs is not None else None
            over.append({
                "year": year, "communes_total": n_prog, "ntm_communes": int(w["ntm"].sum()),
                "criteria_sum": int(w["criteria_met"].sum()),
                "avg_criteria": float(w["criteria_met"].mean()) if len(w) else None,
                # The lowest band's bound (10 of 19, 5 of 10); the column keeps its name.
                "below_10": int((w["criteria_met"] < cset.bands[-1]).sum()),
                "villages_total": vtotal,
                "ntm_villages": int(vrow["ntm"].sum()) if vrow is not None else None,
                "group_code": gcode, "group_name": gname})
    summary = pd.DataFrame(rows).astype({"target": "Int64", "gap": "Int64",
                                         "group_code": object, "group_name": object})
    overview = pd.DataFrame(over).astype({"villages_total": "Int64", "ntm_villages": "Int64",
                                          "group_code": object, "group_name": object})
    return summary, overview


def _inputs(n_communes: int, n_groups: int, seed: int):
    rng = np.random.default_rng(seed)
    cset = COMMUNE_CRITERIA
    years = (2021, 2023, 2025)
    codes = [f"{i:05d}" for i in range(n_communes)]
    # uneven groups, a commune outside the programme, names that sort differently
    gi = rng.integers(0, n_groups, n_communes)
    groups = {c: (f"{g:03d}", f"Huyện {chr(ord('Z') - g)}") for c, g in zip(codes, gi, strict=True)}
    groups.pop(codes[-1])
    rows = []
    for c in codes:
        for y in (*years, 2030):  # a year outside the report's is not counted
            rec = {"code": c, "year": y}
            for cr in cset:
                rec[cr.key] = rng.choice([1, 0, pd.NA], p=[0.6, 0.3, 0.1])
            rows.append(rec)
    wide = pd.DataFrame(rows)
    for cr in cset:
        wide[cr.key] = wide[cr.key].astype("Int64")
    vals = wide[list(cset.keys)].to_numpy(dtype="float64", na_value=np.nan)
    wide["criteria_met"] = np.nansum(vals == 1, axis=1).astype(int)
    wide["ntm"] = (vals == 1).all(axis=1) | (rng.random(len(wide)) < 0.2)
    vcodes = [f"{c}{k:02d}" for c in codes for k in range(rng.integers(0, 4))]
    villages = pd.DataFrame({"code": vcodes, "commune_code": [v[:5] for v in vcodes]})
    vstatus = pd.DataFrame({"code": [v for v in vcodes for _ in years],
                            "year": [y for _ in vcodes for y in years]})
    vstatus["ntm"] = rng.random(len(vstatus)) < 0.4
    targets = {1: 5, 2: pd.NA, 19: n_communes // 2}
    return wide, vstatus, villages, cset, years, targets, groups


@pytest.mark.parametrize(("n", "g", "villages"), [(40, 1, True), (60, 7, True),
                                                   (60, 7, False), (0, 1, True)])
def test_grouped_counts_equal_the_loop(n, g, villages):
    wide, vs, vil, cset, years, targets, groups = _inputs(max(n, 1), g, seed=n + g)
    if n == 0:
        groups = {}
    if not villages:
        vs = vil = None
    want = loop_summaries(wide, vs, vil, cset, years, targets, groups)
    got = summaries(wide, vs, vil, cset, years, targets, groups)
    for a, b in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(a, b)
    if n and g > 1:
        over = got[1]
        # the total's rows come first, then one block of years per group
        assert over["group_code"].isna().sum() == len(years)
        assert over.loc[over["group_code"].notna(), "communes_total"].sum() == (
            len(groups) * len(years))


def test_a_set_of_ten_criteria_counts_below_its_own_band():
    from ntmgis.core.criteria import load_criteria_set

    cset: CriteriaSet = load_criteria_set("qd51-2025")
    wide = pd.DataFrame({"code": ["A", "B"], "year": [2026, 2026]})
    for k, cr in enumerate(cset):
        wide[cr.key] = pd.array([1, 1 if k < 4 else 0], dtype="Int64")
    wide["criteria_met"] = [len(cset), 4]
    wide["ntm"] = [True, False]
    summary, over = summaries(wide, None, None, cset, (2026,), {}, {"A": ("1", "X"),
                                                                   "B": ("1", "X")})
    assert over.loc[0, "below_10"] == 1 and over.loc[0, "ntm_communes"] == 1
    assert summary["communes_met"].tolist() == [2] * 4 + [1] * (len(cset) - 4)
