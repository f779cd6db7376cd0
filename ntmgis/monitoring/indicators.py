"""Indicator values judged against their thresholds, and the criteria they decide.

Each value is compared with the threshold of its indicator for the commune's
class (region or commune group) and year (:meth:`Indicator.threshold_for
<ntmgis.core.criteria.Indicator.threshold_for>`): met or not, and the signed
distance still missing, in the indicator's unit. An indicator the set marks
``missing`` (its threshold could not be found), or a yes/no one, is judged by
the reported met alone. A criterion is met when all of its indicators are, not
met when one is not, and unknown otherwise.

The criteria table (``[tables.commune_status]``) is the record of the official
assessment: where it has a value, it stands, and a criterion derived from the
indicators that disagrees is a warning; where it has none, the derived value
fills it. Layer columns: ``docs/CONTRACT.md`` (``indicator_status``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ntmgis.core.criteria import (
    COMMUNE_CRITERIA,
    DEFAULT_SET,
    CriteriaSet,
    load_criteria_set,
)
from ntmgis.core.errors import CriteriaError, ValidationFailed
from ntmgis.core.i18n import catalog, fmt_number, label, t
from ntmgis.core.issue_log import WARNING, Issue, IssueLog
from ntmgis.core.text import fold, is_missing
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.indicators import (
    class_key,
    read_indicator_thresholds,
    read_indicator_values,
)
from ntmgis.inputs.load import workspace_criteria_set

__all__ = ["STATUS_COLUMNS", "IndicatorResult", "criteria_set_for", "commune_classes",
           "evaluate_indicators", "criteria_from_indicators", "merge_criteria",
           "indicator_layers", "check_indicators"]

#: Columns of the ``indicator_status`` layer, in order.
STATUS_COLUMNS = ("code", "name", "year", "class", "criterion", "indicator", "unit",
                  "direction", "value", "threshold", "requirement", "threshold_year",
                  "threshold_source", "reported_met", "met", "distance", "judged_by")

_MSG: dict[str, tuple[str, str]] = {
    "disagrees": (
        "xã {code} ({name}) năm {year}, chỉ tiêu {indicator}: giá trị {value} {unit} so với "
        "ngưỡng {requirement} là '{computed}' nhưng ghi là '{reported}'; dùng kết quả theo "
        "giá trị",
        "commune {code} ({name}) in {year}, indicator {indicator}: value {value} {unit} "
        "against the threshold {requirement} is '{computed}' but is recorded as "
        "'{reported}'; the value's result is used"),
    "criterion_conflict": (
        "xã {code} năm {year}, tiêu chí {criterion}: bảng tiêu chí ghi '{table}', các chỉ "
        "tiêu cho '{derived}'; dùng bảng tiêu chí",
        "commune {code} in {year}, criterion {criterion}: the criteria table says "
        "'{table}', the indicators give '{derived}'; the table is used"),
    "unknown_group": (
        "nhóm/vùng '{value}' của xã {code} không có trong bộ {set}; dùng '{default}'",
        "class '{value}' of commune {code} is not in the set {set}; '{default}' is used"),
    "bad_commune_group": (
        "[criteria] commune_group = \"{value}\" không có trong bộ {set}; dùng '{default}'",
        "[criteria] commune_group = \"{value}\" is not in the set {set}; '{default}' is used"),
    "exp_agree": ("bảng tiêu chí khớp với các chỉ tiêu",
                  "a criteria table that agrees with the indicators"),
    "exp_value": ("giá trị và kết quả khớp nhau", "a value and a result that agree"),
    "exp_class": ("một trong: {keys}", "one of: {keys}"),
}

_m = catalog(_MSG, t)


def _met_word(v: Any, lang: str) -> str:
    return label("met", "" if is_missing(v) else str(int(v)), lang)


def criteria_set_for(ws: Workspace, *, lang: str = "vi") -> CriteriaSet:
    """The commune criteria set the workspace names (``[criteria] commune_set``).

    A key (``qd318-2022``, ``qd51-2025``) names a set shipped with ntmgis; a path
    ending in ``.toml`` (relative to the workspace) a province's own file in the
    same format (``docs/CRITERIA_SETS.md``). The one rule is
    :func:`ntmgis.inputs.load.workspace_criteria_set`; only the default key differs:
    here the shipped file is read (with its indicators, to judge values), where the
    layers take the built-in 19 criteria.
    """
    if ws.commune_set == DEFAULT_SET:
        return load_criteria_set(DEFAULT_SET, lang=lang)
    return workspace_criteria_set(ws, lang=lang)


def commune_classes(communes: pd.DataFrame, ws: Workspace, cset: CriteriaSet,
                    log: IssueLog | None = None) -> dict[str, str | None]:
    """Each commune's class: ``group`` column, ``[criteria] commune_group``, or the default.

    The set's default class comes last (``default_class``, else its first class).
    A value naming no class of the set (by key, name, or a group's digit: "3" is
    ``nhom3``) is a warning and falls back on the workspace's or the set's class.
    """
    default = cset.default_class
    if ws.commune_group is not None and cset.classes:
        found = class_key(ws.commune_group, cset)
        if found is None and log is not None:  # e.g. "nhom3" with the regions of QĐ 318
            log.issues.append(Issue(
                WARNING, "bad_enum", _m("bad_commune_group", log.lang, value=ws.commune_group,
                                         set=cset.key, default=default),
                log._rel(ws.config_path), None, "commune_group", str(ws.commune_group),
                _m("exp_class", log.lang, keys=", ".join(cset.class_keys()))))
        default = found or default
    out: dict[str, str | None] = {}
    groups = communes["group"] if "group" in communes else [None] * len(communes)
    for code, g in zip(communes["code"], groups, strict=True):
        cls = None if is_missing(g) else class_key(g, cset)
        if cls is None and not is_missing(g) and log is not None:
            layer = ws.layer("communes")
            log.issues.append(Issue(
                WARNING, "bad_enum",
                _m("unknown_group", log.lang, value=g, code=code, set=cset.key,
                   default=default), log._rel(layer.path if layer else None), None,
                "group", str(g), _m("exp_class", log.lang, keys=", ".join(cset.class_keys()))))
        out[code] = cls or default
    return out


def _by_group(looked: list, gid: np.ndarray, attr: Any, empty: Any) -> np.ndarray:
    """``attr`` of each group's threshold (``empty`` where none applies), one per row."""
    vals = np.array([empty if th is None else attr(th) for th in looked] + [empty],
                    dtype=object)
    return vals[gid] if len(gid) else np.empty(0, dtype=object)


def evaluate_indicators(values: pd.DataFrame, cset: CriteriaSet,
                        classes: dict[str, str | None] | str | None, *,
                        names: dict[str, str] | None = None, log: IssueLog | None = None,
                        lang: str = "vi") -> pd.DataFrame:
    """Judge each indicator value against its threshold.

    Parameters
    ----------
    values : DataFrame
        ``code``, ``year``, ``indicator``, ``value``, ``met`` (reported), as
        :func:`ntmgis.inputs.indicators.read_indicator_values` returns.
    cset : CriteriaSet
        The set with its thresholds (and a province's overrides).
    classes : dict or str or None
        Each commune's class (:func:`commune_classes`), or one class for all.
    names : dict, optional
        Commune names by code, for the layer and the messages.
    log : IssueLog, optional
        Receives a warning for each reported met that its value contradicts
        (naming commune, indicator, value and threshold); the value decides.
    lang : {"vi", "en"}
        Language of the requirement texts and messages.

    Returns
    -------
    DataFrame
        The columns of :data:`STATUS_COLUMNS`, one row per value row.
        ``distance`` is the signed amount still missing in the indicator's unit
        (positive: not met; zero or negative: met, by that margin);
        ``judged_by`` is ``value``, ``report`` or ``none``.
    """
    names = names or {}
    inds = {i.key: i for i in cset.indicators}
    v = values.loc[values["indicator"].isin(list(inds))].reset_index(drop=True)
    codes = v["code"].to_numpy(dtype=object)
    if isinstance(classes, dict):
        cls = np.array([classes.get(c, cset.default_class) for c in codes], dtype=object)
    else:
        cls = np.full(len(v), classes or cset.default_class, dtype=object)
    years = v["year"].astype("Int64")
    # Look each threshold up once per indicator, class and year (a national table
    # repeats a few hundred combinations over millions of rows).
    keys = pd.DataFrame({"indicator": v["indicator"].to_numpy(dtype=object), "class": cls,
                         "year": years.to_numpy(dtype=object)})
    gid = keys.groupby(["indicator", "class", "year"], dropna=False, sort=False).ngroup()
    gid = gid.to_numpy()
    first = keys.iloc[np.unique(gid, return_index=True)[1]]
    looked = [inds[k].threshold_for(c, None if is_missing(y) else int(y))
              for k, c, y in first.itertuples(index=False, name=None)]
    th_value = np.array([np.nan if th is None or th.value is None else th.value
                         for th in looked], dtype=float)[gid] if len(v) else np.empty(0)

    ind_code, ind_uniq = pd.factorize(keys["indicator"].to_numpy(dtype=object))

    def per_indicator(attr: Any, dtype: Any = object) -> np.ndarray:
        """``attr`` of each row's indicator, computed once per indicator."""
        return np.array([attr(inds[k]) for k in ind_uniq], dtype=dtype)[ind_code]

    by_report = per_indicator(lambda i: i.judged_by_report, bool)
    at_most = per_indicator(lambda i: i.direction == "at_most", bool)
    value = v["value"].to_numpy(dtype=float, na_value=np.nan)
    reported = v["met"].astype("Int64")
    has = ~by_report & ~np.isnan(value) & ~np.isnan(th_value)
    computed = np.where(at_most, value <= th_value, value >= th_value)
    distance = np.where(has, np.where(at_most, value - th_value, th_value - value), np.nan)
    rep = reported.to_numpy(dtype=float, na_value=np.nan)
    met = np.where(has, computed.astype(float), rep)
    judged = np.where(has, "value", np.where(np.isnan(rep), "none", "report"))
    out = pd.DataFrame({
        "code": codes,
        "name": [names.get(c) for c in codes],
        "year": years.to_numpy(dtype="int64", na_value=0),
        "class": cls,
        "criterion": per_indicator(lambda i: i.criterion, "int64"),
        "indicator": keys["indicator"].to_numpy(dtype=object),
        "unit": per_indicator(lambda i: i.unit if i.kind == "numeric" else ""),
        "direction": per_indicator(lambda i: i.direction if i.kind == "numeric" else ""),
        "value": value,
        "threshold": th_value,
        "requirement": _by_group(looked, gid, lambda th: th.requirement(lang), ""),
        "threshold_year": pd.array(_by_group(looked, gid, lambda th: th.year, None),
                                   dtype="Int64"),
        "threshold_source": _by_group(looked, gid, lambda th: th.source, ""),
        "reported_met": reported.reset_index(drop=True),
        "met": pd.Series(met, dtype="float64").astype("Int64"),
        "distance": distance,
        "judged_by": judged,
    })
    disagree = has & ~np.isnan(rep) & (rep != computed.astype(float))
    if log is not None and disagree.any():
        path = values.attrs.get("path")
        for i in np.flatnonzero(disagree):
            r = out.iloc[i]
            ind = inds[r["indicator"]]
            log.issues.append(Issue(
                WARNING, "indicator_disagrees",
                _m("disagrees", log.lang, code=r["code"], name=r["name"] or "–",
                   year=r["year"], indicator=r["indicator"],
                   value=fmt_number(r["value"], log.lang, 2).rstrip("0").rstrip(",."),
                   unit=ind.unit, requirement=r["requirement"] or fmt_number(
                       r["threshold"], log.lang, 2),
                   computed=_met_word(computed[i], log.lang),
                   reported=_met_word(rep[i], log.lang)),
                log._rel(path) if path else "",
                int(v["_row"].iat[i]) if "_row" in v and not is_missing(v["_row"].iat[i])
                else None, str(v["_column"].iat[i]) if "_column" in v else "",
                str(r["value"]), _m("exp_value", log.lang)))
    order = {k: n for n, k in enumerate(inds)}
    out = out.assign(_o=per_indicator(lambda i: order[i.key], "int64")).sort_values(
        ["code", "year", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out[list(STATUS_COLUMNS)]


def criteria_from_indicators(status: pd.DataFrame, cset: CriteriaSet) -> pd.DataFrame:
    """The criteria the indicators decide: ``code``, ``year``, ``criterion``, ``met``.

    Met (1) when every indicator of the criterion in the set is met, not met
    (0) when one is not, unknown (NA) otherwise. Criteria without indicators
    in the set are left out.
    """
    per_crit = pd.Series({c.number: len(c.indicators) for c in cset if c.indicators},
                         dtype="int64")
    cols = ["code", "year", "criterion", "met"]
    if status.empty or per_crit.empty:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c != "code" else object)
                             for c in cols})
    s = status.loc[status["criterion"].isin(per_crit.index), ["code", "year", "criterion"]]
    m = status.loc[s.index, "met"]
    g = s.assign(_met=(m == 1).fillna(False).astype(int), _unmet=(m == 0).fillna(False)
                 .astype(int)).groupby(["code", "year", "criterion"], sort=True)
    agg = g[["_met", "_unmet"]].sum().reset_index()
    need = agg["criterion"].map(per_crit).to_numpy()
    met = np.where(agg["_unmet"] > 0, 0.0, np.where(agg["_met"] >= need, 1.0, np.nan))
    agg["met"] = pd.array([None if np.isnan(x) else int(x) for x in met], dtype="Int64")
    return agg[cols].astype({"year": "int64", "criterion": "int64"}).reset_index(drop=True)


def merge_criteria(table: pd.DataFrame, derived: pd.DataFrame, *, log: IssueLog | None = None,
                   path: Any = None) -> pd.DataFrame:
    """The criteria table with the derived criteria filling its gaps.

    A row of ``table`` with a value stands; one without (or no row at all) takes
    the derived value. Where both have values and differ, ``log`` gets a warning
    naming commune, year and criterion, and the table is kept.
    """
    if derived.empty:
        return table
    d = derived.dropna(subset=["met"])
    keys = ["code", "year", "criterion"]
    t_ = table.dropna(subset=keys)
    t_key = pd.MultiIndex.from_frame(t_[keys].astype({"year": "int64", "criterion": "int64"}))
    t_met = pd.Series(t_["met"].to_numpy(), index=t_key)
    t_met = t_met[~t_met.index.duplicated(keep="first")]
    d_key = pd.MultiIndex.from_frame(d[keys])
    in_table = d_key.isin(t_met.index)
    table_val = pd.Series(pd.NA, index=range(len(d)), dtype="Int64")
    table_val[in_table] = t_met.reindex(d_key[in_table]).to_numpy()
    has = table_val.notna().to_numpy()
    differ = has & (table_val.fillna(-1).to_numpy() != d["met"].to_numpy(dtype=float))
    if log is not None and differ.any():
        # Where the table says it: its row and column, for the person who fixes it.
        where = (t_[["_row", "_column"]].set_axis(t_key)
                 if {"_row", "_column"} <= set(t_.columns) else None)
        for i in np.flatnonzero(differ):
            r = d.iloc[i]
            row, column = None, ""
            if where is not None:
                hit = where.loc[[d_key[i]]].iloc[0]
                row = None if is_missing(hit["_row"]) else int(hit["_row"])
                column = "" if is_missing(hit["_column"]) else str(hit["_column"])
            log.issues.append(Issue(
                WARNING, "criterion_conflict",
                _m("criterion_conflict", log.lang, code=r["code"], year=r["year"],
                   criterion=r["criterion"], table=_met_word(table_val.iat[i], log.lang),
                   derived=_met_word(r["met"], log.lang)),
                log._rel(path) if path else "", row, column, str(table_val.iat[i]),
                _m("exp_agree", log.lang)))
    fill = d[~has]
    if fill.empty:
        return table
    # Rows of the table without a value, where the indicators give one, are replaced.
    tk = pd.MultiIndex.from_arrays([
        table["code"].to_numpy(dtype=object),
        pd.to_numeric(table["year"]).to_numpy(dtype="float64", na_value=np.nan),
        pd.to_numeric(table["criterion"]).to_numpy(dtype="float64", na_value=np.nan)])
    fk = pd.MultiIndex.from_arrays([fill["code"].to_numpy(dtype=object),
                                    fill["year"].to_numpy(dtype="float64"),
                                    fill["criterion"].to_numpy(dtype="float64")])
    drop = tk.isin(fk) & table["met"].isna().to_numpy()
    add = fill.astype({"year": "Int64", "criterion": "Int64"})
    out = pd.concat([table[~drop], add], ignore_index=True)
    return out


@dataclass
class IndicatorResult:
    """What the indicator values of a workspace give: the layer, and the criteria derived."""

    criteria_set: CriteriaSet
    status: pd.DataFrame
    criteria: pd.DataFrame

    def fills_commune_criteria(self) -> bool:
        """Whether the derived criteria are those of the commune status layer.

        True when every criterion of the set has the number and the name of a
        criterion of :data:`~ntmgis.core.criteria.COMMUNE_CRITERIA` (the layers are
        built on the 19 criteria of QĐ 318 for now).
        """
        try:
            return all(fold(COMMUNE_CRITERIA.get(c.number).name_vi) == fold(c.name_vi)
                       for c in self.criteria_set)
        except CriteriaError:
            return False


def indicator_layers(ws: Workspace, communes: pd.DataFrame, *, log: IssueLog | None = None,
                     values: pd.DataFrame | None = None, lang: str = "vi"
                     ) -> IndicatorResult | None:
    """Read, judge and derive the workspace's indicators; None when it has no values.

    Parameters
    ----------
    ws : Workspace
        Names the set (``[criteria] commune_set``), the commune group, and the
        tables ``indicator_values`` and ``indicator_thresholds``.
    communes : DataFrame
        The communes in the programme: ``code``, ``name``, optionally ``group``.
    log : IssueLog, optional
        Receives the readers' issues and the warnings. Without one, a reading
        error raises :class:`~ntmgis.core.errors.ValidationFailed`.
    values : DataFrame, optional
        Values already read (by the workspace's loader); read here otherwise.
    lang : {"vi", "en"}
        Language of texts and messages.
    """
    if values is None and ws.table("indicator_values") is None:
        return None
    own = log is None
    log = log if log is not None else IssueLog(lang=lang, root=ws.root)
    cset = criteria_set_for(ws, lang=lang)
    overrides = read_indicator_thresholds(ws, log, cset)
    if overrides:
        cset = cset.with_overrides(overrides)
    if values is None:
        values = read_indicator_values(ws, log, cset)
    if own and log.errors:
        lines = "\n".join(i.format(lang) for i in log.errors[:20])
        raise ValidationFailed(t("validation_failed", lang, errors=len(log.errors),
                                 path="ntmgis validate") + "\n" + lines, log.sorted())
    if values is None:
        return None
    path = values.attrs.get("path")
    values = values[values["code"].isin(set(communes["code"]))]
    values.attrs["path"] = path
    classes = commune_classes(communes, ws, cset, log)
    names = dict(zip(communes["code"], communes["name"], strict=False))
    status = evaluate_indicators(values, cset, classes, names=names, log=log, lang=lang)
    return IndicatorResult(cset, status, criteria_from_indicators(status, cset))


def check_indicators(ws: Workspace, communes: pd.DataFrame, commune_status: pd.DataFrame | None,
                     log: IssueLog, *, lang: str = "vi") -> IndicatorResult | None:
    """What ``ntmgis validate`` says about the indicators: every issue, nothing computed.

    Reads both indicator tables into ``log`` (bad cells), judges the values
    (a reported met the value contradicts) and compares the criteria they
    decide with the criteria table (``criterion_conflict``). ``communes`` are
    the communes read (``code``, ``name``, optionally ``group``).
    """
    res = indicator_layers(ws, communes, log=log, lang=lang)
    if res is not None and commune_status is not None and res.fills_commune_criteria():
        cfg = ws.table("commune_status")
        merge_criteria(commune_status, res.criteria, log=log, path=cfg.path if cfg else None)
    return res
