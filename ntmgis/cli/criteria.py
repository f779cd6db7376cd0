"""``ntmgis criteria``: the criteria sets shipped with ntmgis, their indicators and thresholds."""

from __future__ import annotations

import click

from ntmgis.cli.exits import handle_errors
from ntmgis.cli.language import Group, argument, current, option
from ntmgis.core.criteria import (
    CriteriaSet,
    Criterion,
    Indicator,
    available_sets,
    load_criteria_set,
)
from ntmgis.core.errors import CriteriaError
from ntmgis.core.i18n import catalog, fmt_number

__all__ = ["command"]

_MSG: dict[str, tuple[str, str]] = {
    "unknown_set": ("không có bộ tiêu chí '{key}'; các bộ có: {sets}",
                    "there is no criteria set '{key}'; the sets are: {sets}"),
    "header": ("{key}  {name}", "{key}  {name}"),
    "counts": ("    {decision}; {criteria} tiêu chí, {indicators} chỉ tiêu; năm {years}",
               "    {decision}; {criteria} criteria, {indicators} indicators; years {years}"),
    "missing_count": ("; {n} chỉ tiêu thiếu ngưỡng", "; {n} indicators without threshold"),
    "classes": ("Ngưỡng khác nhau theo {by}: {classes}", "Thresholds differ by {by}: {classes}"),
    "criterion": ("Tiêu chí {n}. {name}", "Criterion {n}. {name}"),
    "no_indicators": ("  (chưa có chỉ tiêu: đánh giá theo kết quả đạt/chưa đạt được báo cáo)",
                      "  (no indicators yet: judged by the reported met/not met)"),
    "none_sourced": (
        "Chưa có chỉ tiêu: chưa đọc được phụ lục của quyết định, nên không ghi chỉ tiêu "
        "hay ngưỡng nào (không tự đặt ra); những gì còn thiếu và nơi đã tìm: "
        "ntmgis/core/criteria_sets/SOURCES.md, ANNEX_SEARCH.md",
        "No indicators yet: the decision's annex could not be read, so no indicator or "
        "threshold is recorded rather than invented ones; what is missing and where it was "
        "searched: ntmgis/core/criteria_sets/SOURCES.md, ANNEX_SEARCH.md"),
    "indicator": ("  {key}. {name} [{kind}{unit}{direction}]",
                  "  {key}. {name} [{kind}{unit}{direction}]"),
    "missing": ("      THIẾU: {what}", "      MISSING: {what}"),
    "threshold": ("      {req}  ({where}) — {source}", "      {req}  ({where}) — {source}"),
    "every_class": ("mọi {by}", "every {by}"),
    "from_year": ("từ {year}", "from {year}"),
    "source": ("      nguồn: {source}", "      source: {source}"),
    "decision": ("{decision}, {annex}", "{decision}, {annex}"),
    "bands": ("Các mức tô màu trên bản đồ (số tiêu chí đạt, từ): {bands}",
              "Map colour bands (criteria met, from): {bands}"),
}
_m = catalog(_MSG)

_KIND = {"numeric": ("số", "number"), "yes_no": ("đạt/không", "yes/no")}
_DIRECTION = {"at_least": ("≥", ">="), "at_most": ("≤", "<=")}
_BY = {"region": ("vùng", "region"), "group": ("nhóm xã", "commune group"),
       "none": ("", "")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _open(key: str, lang: str) -> CriteriaSet:
    """The set ``key``; an unknown key is a usage error (exit 2) naming the sets."""
    if key not in available_sets():
        raise click.BadParameter(_m("unknown_set", lang, key=key,
                                    sets=", ".join(available_sets())),
                                param_hint="SET" if lang == "en" else "BỘ")
    return load_criteria_set(key, lang=lang)


def _years(cset: CriteriaSet) -> str:
    return "–".join(str(y) for y in cset.years) if cset.years else "–"


@click.group(name="criteria", cls=Group,
             help_en="Criteria sets, indicators and thresholds.")
@option("--lang", type=click.Choice(["vi", "en"]), default=None,
        help=("Ngôn ngữ (mặc định vi).", "Language (default vi)."))
def command(lang: str | None) -> None:
    """Bộ tiêu chí, chỉ tiêu và ngưỡng."""


@command.command(name="list", help_en="The criteria sets shipped with ntmgis.")
@option("--lang", type=click.Choice(["vi", "en"]), default=None,
        help=("Ngôn ngữ (mặc định vi).", "Language (default vi)."))
@handle_errors
def list_sets(lang: str | None) -> None:
    """Các bộ tiêu chí có sẵn trong ntmgis."""
    lang = lang or current()
    for key in available_sets():
        cset = load_criteria_set(key, lang=lang)
        missing = sum(1 for i in cset.indicators if i.missing)
        click.echo(_m("header", lang, key=key, name=cset.name(lang)))
        line = _m("counts", lang, decision=cset.decision_en if lang == "en" and
                  cset.decision_en else cset.decision or "–", criteria=len(cset),
                  indicators=len(cset.indicators), years=_years(cset))
        if missing:
            line += _m("missing_count", lang, n=missing)
        click.echo(line)


def _threshold_lines(ind: Indicator, cset: CriteriaSet, lang: str) -> list[str]:
    by = _pick(_BY.get(cset.varies_by, ("", "")), lang)
    names = {c.key: c.name(lang) for c in cset.classes}
    out = []
    for th in (*ind.overrides, *ind.thresholds):
        where = [names.get(th.class_key, th.class_key) if th.class_key
                 else _m("every_class", lang, by=by).strip()]
        if th.year is not None:
            where.append(_m("from_year", lang, year=th.year))
        req = th.requirement(lang) or (
            f"{_pick(_DIRECTION[ind.direction], lang)}{fmt_number(th.value, lang, 2)}"
            if th.value is not None else "–")
        out.append(_m("threshold", lang, req=req, where=", ".join(w for w in where if w),
                      source=th.source or "–"))
    return out


def _criterion_lines(c: Criterion, cset: CriteriaSet, lang: str) -> list[str]:
    lines = [_m("criterion", lang, n=c.number, name=c.name(lang))]
    if not c.indicators:
        lines.append(_m("no_indicators", lang))
    for ind in c.indicators:
        numeric = ind.kind == "numeric"
        lines.append(_m(
            "indicator", lang, key=ind.key, name=ind.name(lang),
            kind=_pick(_KIND.get(ind.kind, (ind.kind, ind.kind)), lang),
            unit=f", {ind.unit}" if numeric and ind.unit else "",
            direction=f", {_pick(_DIRECTION[ind.direction], lang)}" if numeric else ""))
        if ind.missing:
            lines.append(_m("missing", lang, what=ind.missing))
        lines += _threshold_lines(ind, cset, lang)
        if ind.source:
            lines.append(_m("source", lang, source=ind.source))
    return lines


@command.command(name="show", help_en="A set's criteria, indicators, thresholds and sources.")
@argument("set_key", metavar=("BỘ", "SET"))
@option("--criterion", "criterion", type=int, default=None,
        help=("Chỉ một tiêu chí.", "Only this criterion."))
@option("--lang", type=click.Choice(["vi", "en"]), default=None,
        help=("Ngôn ngữ (mặc định vi).", "Language (default vi)."))
@handle_errors
def show(set_key: str, criterion: int | None, lang: str | None) -> None:
    """Tiêu chí, chỉ tiêu, ngưỡng và nguồn của một bộ tiêu chí."""
    lang = lang or current()
    cset = _open(set_key, lang)
    if criterion is not None:
        try:
            crits = [cset.get(criterion)]
        except CriteriaError as exc:
            raise click.BadParameter(str(exc), param_hint="--criterion") from exc
    else:
        crits = list(cset)
    click.echo(_m("header", lang, key=cset.key, name=cset.name(lang)))
    decision = cset.decision_en if lang == "en" and cset.decision_en else cset.decision
    click.echo(_m("decision", lang, decision=decision or "–", annex=cset.annex or "–"))
    if cset.classes:
        by = _pick(_BY.get(cset.varies_by, (cset.varies_by, cset.varies_by)), lang)
        click.echo(_m("classes", lang, by=by or cset.varies_by, classes="; ".join(
            f"{c.key} = {c.name(lang)}" for c in cset.classes)))
    click.echo(_m("bands", lang, bands=", ".join(str(b) for b in cset.bands)))
    if not cset.indicators:
        click.echo(_m("none_sourced", lang))
    for c in crits:
        click.echo("")
        for line in _criterion_lines(c, cset, lang):
            click.echo(line)
