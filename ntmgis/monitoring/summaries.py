"""The area's and each group's counts by year: ``district_summary`` and ``district_overview``.

Counted with one grouped pass over the status table instead of filtering it once per
group, year and criterion: at 10.000 communes in 700 districts the filters were most
of ``build``'s time, and the counts are the same (``tests/test_summaries.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ntmgis.core.criteria import CriteriaSet

__all__ = ["summaries"]


def _per_group(keys: np.ndarray, values: np.ndarray, n_keys: int) -> np.ndarray:
    """Sums of ``values`` rows (2-D) by ``keys`` in ``range(n_keys)``."""
    out = np.zeros((n_keys, values.shape[1]), dtype=np.int64)
    np.add.at(out, keys, values)
    return out


def summaries(wide: pd.DataFrame, village_status: pd.DataFrame | None,
              villages: pd.DataFrame | None, cset: CriteriaSet, years: tuple[int, ...],
              targets: dict, groups: dict[str, tuple[str, str]]
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``district_summary`` and ``district_overview``: the total's rows, then each group's.

    One group: its rows are the total's, named by the group. More than one: the total's
    rows have an empty group, each group follows (plan targets are the area's: a group's
    ``target`` is empty).

    Parameters
    ----------
    wide : DataFrame
        The communes' status, one row per commune and year: ``code``, ``year``, one
        column per criterion (1/0/null), ``ntm``, ``criteria_met``.
    village_status, villages : DataFrame or None
        The villages' status (``code``, ``year``, ``ntm``) and the villages
        (``code``, ``commune_code``).
    cset : CriteriaSet
        The commune criteria.
    years : tuple of int
        The years reported, in order.
    targets : dict
        Plan target (communes) by criterion number.
    groups : dict
        ``(group code, group name)`` of each commune in the programme.
    """
    distinct = sorted(set(groups.values())) or [(None, None)]
    many = len(distinct) > 1
    # Part 0 is the whole area; parts 1.. the groups (only when there are several).
    parts: list[tuple[str, str] | None] = [None if many else distinct[0]]
    if many:
        parts += distinct
    n_parts, n_years = len(parts), len(years)
    part_of = {g: i + 1 for i, g in enumerate(distinct)} if many else {}
    codes = list(groups)
    # each commune's part (0, the area's, when there is one group) and each village's
    part_of_code = {c: part_of.get(g, 0) for c, g in groups.items()}

    def parts_of(series: pd.Series) -> np.ndarray:
        return series.map(part_of_code).fillna(0).to_numpy(dtype=np.int64)

    size = np.bincount(np.fromiter(part_of_code.values(), np.int64, len(codes)),
                       minlength=n_parts)
    size[0] = len(codes)

    year_pos = {y: i for i, y in enumerate(years)}
    row_year = wide["year"].map(year_pos)
    in_prog = wide["code"].isin(set(codes)).to_numpy(dtype=bool) & row_year.notna().to_numpy()
    w = wide[in_prog]
    yi = row_year[in_prog].to_numpy(dtype=np.int64)
    gi = parts_of(w["code"])
    keys = list(cset.keys)
    met = (w[keys].to_numpy(dtype="float64", na_value=np.nan) == 1).astype(np.int64)
    crit = w["criteria_met"].to_numpy(dtype=np.int64)
    cols = np.column_stack([met, w["ntm"].to_numpy(dtype=bool).astype(np.int64), crit,
                            (crit < cset.bands[-1]).astype(np.int64),
                            np.ones(len(w), dtype=np.int64)])
    whole = _per_group(yi, cols, n_years)
    per = _per_group(gi * n_years + yi, cols, n_parts * n_years) if many else None
    counts = whole[None] if not many else np.concatenate(
        [whole[None], per.reshape(n_parts, n_years, -1)[1:]])

    vtotal: list[int | None] = [None] * n_parts
    vntm = np.zeros((n_parts, n_years), dtype=np.int64)
    if villages is not None:
        vpart = parts_of(villages["commune_code"])
        vtotal = [len(villages), *np.bincount(vpart, minlength=n_parts)[1:].tolist()]
        if village_status is not None:
            vs = village_status
            vy = vs["year"].map(year_pos)
            ok = vy.notna().to_numpy()
            ntm = vs["ntm"].to_numpy()[ok].astype(np.int64)
            vyi = vy[ok].to_numpy(dtype=np.int64)
            np.add.at(vntm[0], vyi, ntm)
            if many:
                village_part = dict(zip(villages["code"], vpart.tolist(), strict=True))
                vp = vs["code"][ok].map(village_part).fillna(0).to_numpy(dtype=np.int64)
                inside = vp > 0
                np.add.at(vntm, (vp[inside], vyi[inside]), ntm[inside])

    n_crit = len(keys)
    rows, over = [], []
    for p, grp in enumerate(parts):
        gcode, gname = grp if grp is not None else (None, None)
        n_prog = int(size[p])
        is_whole = p == 0
        for y, year in enumerate(years):
            c = counts[p, y]
            for k, cr in enumerate(cset):
                m = int(c[k])
                tg = targets.get(cr.number) if is_whole else None
                tg = None if tg is None or tg is pd.NA else int(tg)
                rows.append({"year": year, "criterion": cr.number, "name_vi": cr.name_vi,
                             "name_en": cr.name_en, "group": cr.group, "communes_met": m,
                             "communes_total": n_prog,
                             "share": m / n_prog if n_prog else None, "target": tg,
                             "target_share": (tg / n_prog if tg is not None and n_prog
                                              else None),
                             "gap": (tg - m) if tg is not None else None,
                             "group_code": gcode, "group_name": gname})
            n_rows = int(c[n_crit + 3])
            over.append({
                "year": year, "communes_total": n_prog, "ntm_communes": int(c[n_crit]),
                "criteria_sum": int(c[n_crit + 1]),
                # the mean as pandas takes it: the float sum over the count
                "avg_criteria": float(c[n_crit + 1]) / n_rows if n_rows else None,
                # The lowest band's bound (10 of 19, 5 of 10); the column keeps its name.
                "below_10": int(c[n_crit + 2]),
                "villages_total": vtotal[p],
                "ntm_villages": (int(vntm[p, y]) if village_status is not None
                                 and villages is not None else None),
                "group_code": gcode, "group_name": gname})
    summary = pd.DataFrame(rows).astype({"target": "Int64", "gap": "Int64",
                                         "group_code": object, "group_name": object})
    overview = pd.DataFrame(over).astype({"villages_total": "Int64", "ntm_villages": "Int64",
                                          "group_code": object, "group_name": object})
    return summary, overview
