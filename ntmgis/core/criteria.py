"""The criteria model: criteria sets (bộ tiêu chí), their indicators and thresholds.

A :class:`CriteriaSet` is data. The national commune sets ship as TOML files in
``ntmgis/core/criteria_sets/`` (format: ``docs/CRITERIA_SETS.md``) and are read
with :func:`load_criteria_set`; a village set is defined by each province and
read from the workspace (:func:`village_set_from_rows`). A unit is recognised
("đạt chuẩn") when it meets every criterion of its set; a criterion is met
when all its indicators (chỉ tiêu) are, each against the threshold for the
unit's class (region or commune group) and year (:meth:`Indicator.threshold_for`).

:data:`COMMUNE_CRITERIA` stays the built-in list of Decision 318/QĐ-TTg's 19
criteria under the names the outputs print; the shipped file carries the same
numbers and names (a test keeps the two equal).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from ntmgis.core.criteria_messages import Refused, SetError, both_langs, reason
from ntmgis.core.criteria_messages import criteria_msg as _msg
from ntmgis.core.errors import CriteriaError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Criterion",
    "Indicator",
    "Threshold",
    "CriteriaClass",
    "CriteriaSet",
    "COMMUNE_CRITERIA",
    "COMMUNE_GROUPS",
    "DEFAULT_SET",
    "get_criterion",
    "commune_class",
    "derive_bands",
    "band_keys",
    "CLASS_KEYS",
    "available_sets",
    "load_criteria_set",
    "criteria_set_from_dict",
    "village_set_from_rows",
]

#: The set a workspace uses when its ``[criteria] commune_set`` says nothing.
DEFAULT_SET = "qd318-2022"

KINDS = ("numeric", "yes_no")
DIRECTIONS = ("at_least", "at_most")


@dataclass(frozen=True)
class Threshold:
    """What an indicator requires, for one class of communes and from one year on.

    ``value`` is None for yes/no indicators (and where the number is missing);
    ``class_key`` None means every class, ``year`` None every year of the set.
    """

    value: float | None = None
    requirement_vi: str = ""
    requirement_en: str = ""
    class_key: str | None = None
    year: int | None = None
    source: str = ""

    def requirement(self, lang: str = "vi") -> str:
        """The requirement as the decision words it, in ``lang``."""
        return self.requirement_en if lang == "en" and self.requirement_en \
            else self.requirement_vi


def _lookup(rows: Iterable[Threshold], class_key: str | None, year: int | None
            ) -> Threshold | None:
    """The row for ``class_key`` and ``year``: the class's own first, then the latest year."""
    best: tuple[tuple[int, int], Threshold] | None = None
    for th in rows:
        if th.class_key is not None and th.class_key != class_key:
            continue
        if th.year is not None and (year is None or th.year > year):
            continue
        rank = (th.class_key is not None, -math.inf if th.year is None else th.year)
        if best is None or rank > best[0]:
            best = (rank, th)
    return None if best is None else best[1]


@dataclass(frozen=True)
class Indicator:
    """One indicator (chỉ tiêu) of a criterion, with its thresholds.

    ``overrides`` are a province's own thresholds (``[tables.indicator_thresholds]``,
    see :meth:`CriteriaSet.with_overrides`); they win over the set's.
    """

    key: str
    name_vi: str
    name_en: str = ""
    kind: str = "numeric"
    unit: str = ""
    direction: str = "at_least"
    source: str = ""
    missing: str = ""
    criterion: int = 0
    thresholds: tuple[Threshold, ...] = ()
    overrides: tuple[Threshold, ...] = ()

    def name(self, lang: str = "vi") -> str:
        """Name in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    @property
    def is_share(self) -> bool:
        """Whether the values are percentages (0-100)."""
        return self.unit.strip() == "%"

    @property
    def judged_by_report(self) -> bool:
        """Whether the indicator is judged by the reported met alone (yes/no, or missing)."""
        return self.kind == "yes_no" or bool(self.missing)

    def threshold_for(self, class_key: str | None, year: int | None) -> Threshold | None:
        """The threshold for a commune of class ``class_key`` in ``year``, or None.

        Among the rows naming ``class_key`` or no class, and with no year or a
        year up to ``year``, a row naming the class wins over one that does
        not, then the greatest year wins. The province's overrides are looked
        up first by the same rule; the set's rows only when none applies.
        """
        return _lookup(self.overrides, class_key, year) or \
            _lookup(self.thresholds, class_key, year)

    def is_met(self, value: float, threshold: Threshold) -> bool:
        """Whether ``value`` meets a numeric ``threshold``."""
        if threshold.value is None:
            raise CriteriaError(both_langs("no_threshold", key=self.key))
        if self.direction == "at_most":
            return value <= threshold.value
        return value >= threshold.value

    def distance(self, value: float, threshold: Threshold) -> float:
        """How far ``value`` still is from ``threshold``, in the unit (positive: missing)."""
        if threshold.value is None:
            raise CriteriaError(both_langs("no_threshold", key=self.key))
        gap = threshold.value - value if self.direction == "at_least" else value - threshold.value
        return float(gap)


@dataclass(frozen=True)
class Criterion:
    """One criterion (tiêu chí) of a set."""

    number: int
    name_vi: str
    name_en: str
    group: int = 0
    group_name_vi: str = ""
    group_name_en: str = ""
    prefix: str = "tc"
    indicators: tuple[Indicator, ...] = ()

    @property
    def key(self) -> str:
        """Column name of the criterion in layers: ``tc05`` (``vc03`` for villages)."""
        return f"{self.prefix}{self.number:02d}"

    def name(self, lang: str = "vi") -> str:
        """Name in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


@dataclass(frozen=True)
class CriteriaClass:
    """A class thresholds differ by: a region (QĐ 318) or a commune group (QĐ 51)."""

    key: str
    name_vi: str
    name_en: str = ""
    description_vi: str = ""
    description_en: str = ""
    source: str = ""

    def name(self, lang: str = "vi") -> str:
        """Name in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


def derive_bands(total: int) -> tuple[int, int, int]:
    """Lower bounds of the map bands of a set of ``total`` criteria, best first.

    All met; at least three quarters; at least half (both rounded up). For 19
    criteria this is ``(19, 15, 10)``, the planners' bands; for 10, ``(10, 8, 5)``.
    """
    return (total, math.ceil(total * 3 / 4), math.ceil(total / 2))


def band_keys(bands: tuple[int, ...]) -> tuple[str, ...]:
    """The band keys of ``bands``: ``("ntm", "15-18", "10-14", "lt10")`` for (19, 15, 10)."""
    keys = ["ntm"]
    for upper, lower in zip(bands, bands[1:], strict=False):
        keys.append(f"{lower}-{upper - 1}")
    keys.append(f"lt{bands[-1]}")
    return tuple(keys)


@dataclass(frozen=True)
class CriteriaSet:
    """An ordered set of criteria, e.g. the 19 commune criteria, with its metadata."""

    key: str
    name_vi: str
    name_en: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)
    level: str = "commune"
    decision: str = ""
    decision_en: str = ""
    annex: str = ""
    in_force: str = ""
    years: tuple[int, ...] = ()
    varies_by: str = "none"
    classes: tuple[CriteriaClass, ...] = ()
    default_class: str | None = None
    band_bounds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        numbers = [c.number for c in self.criteria]
        if len(set(numbers)) != len(numbers):
            raise SetError("repeats_number", key=self.key)
        keys = [i.key for c in self.criteria for i in c.indicators]
        if len(set(keys)) != len(keys):
            raise SetError("repeats_indicator", key=self.key)

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    def name(self, lang: str = "vi") -> str:
        """Name in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi

    @property
    def numbers(self) -> tuple[int, ...]:
        """The criterion numbers, in order."""
        return tuple(c.number for c in self.criteria)

    @property
    def keys(self) -> tuple[str, ...]:
        """The column names, in order (``tc01`` ... ``tc19``)."""
        return tuple(c.key for c in self.criteria)

    @property
    def bands(self) -> tuple[int, ...]:
        """Lower bounds of the map bands, best first: the file's ``bands`` or derived."""
        return self.band_bounds or derive_bands(len(self))

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator of the set, in the decision's order."""
        return tuple(i for c in self.criteria for i in c.indicators)

    def indicator(self, key: str) -> Indicator:
        """The indicator ``key`` ("10", "17.8"); CriteriaError if the set has none such."""
        for i in self.indicators:
            if i.key == str(key).strip():
                return i
        raise CriteriaError(
            f"chỉ tiêu '{key}' không có trong bộ '{self.name_vi}' / "
            f"indicator '{key}' is not in the set '{self.name_en}'")

    def class_keys(self) -> tuple[str, ...]:
        """The keys of the classes thresholds differ by."""
        return tuple(c.key for c in self.classes)

    def get(self, number: int) -> Criterion:
        """The criterion ``number``; CriteriaError names the valid range if unknown."""
        for c in self.criteria:
            if c.number == number:
                return c
        lo, hi = min(self.numbers), max(self.numbers)
        raise CriteriaError(
            f"tiêu chí {number} không có trong bộ '{self.name_vi}' ({lo}-{hi}) / "
            f"criterion {number} is not in the set '{self.name_en}' ({lo}-{hi})"
        )

    def is_recognised(self, met: Iterable[int]) -> bool:
        """Whether a unit meeting criteria ``met`` is recognised (all criteria met)."""
        return set(self.numbers) <= set(met)

    def band(self, n_met: int) -> str:
        """The band of a unit meeting ``n_met`` criteria (see :func:`commune_class`)."""
        return commune_class(n_met, len(self), self.bands)

    def groups(self) -> list[tuple[int, str, str, list[Criterion]]]:
        """Criteria grouped as in the decision: ``(group, name_vi, name_en, criteria)``."""
        out: dict[int, tuple[int, str, str, list[Criterion]]] = {}
        for c in self.criteria:
            out.setdefault(c.group, (c.group, c.group_name_vi, c.group_name_en, []))[3].append(c)
        return list(out.values())

    def with_overrides(self, overrides: Mapping[str, Iterable[Threshold]]) -> CriteriaSet:
        """A copy whose indicators carry a province's thresholds (indicator key -> rows).

        Raises
        ------
        CriteriaError
            For a key that is not an indicator of the set.
        """
        wanted = {str(k): tuple(v) for k, v in overrides.items()}
        for k in wanted:
            self.indicator(k)
        crits = tuple(
            replace(c, indicators=tuple(
                replace(i, overrides=wanted.get(i.key, i.overrides)) for i in c.indicators))
            for c in self.criteria)
        return replace(self, criteria=crits)


COMMUNE_GROUPS = {
    1: ("I. Quy hoạch", "I. Planning"),
    2: ("II. Hạ tầng kinh tế - xã hội", "II. Socio-economic infrastructure"),
    3: ("III. Kinh tế và tổ chức sản xuất", "III. Economy and production"),
    4: ("IV. Văn hóa - xã hội - môi trường", "IV. Culture, society, environment"),
    5: ("V. Hệ thống chính trị", "V. Political system"),
}

_COMMUNE = [
    (1, "Quy hoạch", "Planning", 1),
    (2, "Giao thông", "Transport", 2),
    (3, "Thủy lợi và phòng, chống thiên tai", "Irrigation and disaster prevention", 2),
    (4, "Điện", "Electricity", 2),
    (5, "Trường học", "Schools", 2),
    (6, "Cơ sở vật chất văn hóa", "Cultural facilities", 2),
    (7, "Cơ sở hạ tầng thương mại nông thôn", "Rural commercial infrastructure", 2),
    (8, "Thông tin và Truyền thông", "Information and communications", 2),
    (9, "Nhà ở dân cư", "Residential housing", 2),
    (10, "Thu nhập", "Income", 3),
    (11, "Nghèo đa chiều", "Multidimensional poverty", 3),
    (12, "Lao động", "Labour", 3),
    (13, "Tổ chức sản xuất và phát triển kinh tế nông thôn",
     "Production organisation and rural economy", 3),
    (14, "Giáo dục và Đào tạo", "Education and training", 4),
    (15, "Y tế", "Health", 4),
    (16, "Văn hóa", "Culture", 4),
    (17, "Môi trường và an toàn thực phẩm", "Environment and food safety", 4),
    (18, "Hệ thống chính trị và tiếp cận pháp luật", "Political system and access to law", 5),
    (19, "Quốc phòng và An ninh", "Defence and security", 5),
]

COMMUNE_CRITERIA = CriteriaSet(
    key="qd318-2022",
    name_vi="Bộ tiêu chí quốc gia về xã nông thôn mới (QĐ 318/QĐ-TTg)",
    name_en="National commune criteria for new rural development (Decision 318/QĐ-TTg)",
    criteria=tuple(
        Criterion(n, vi, en, g, COMMUNE_GROUPS[g][0], COMMUNE_GROUPS[g][1])
        for n, vi, en, g in _COMMUNE
    ),
    band_bounds=(19, 15, 10),
)

CLASS_KEYS = band_keys(COMMUNE_CRITERIA.bands)


def get_criterion(number: int) -> Criterion:
    """The commune criterion ``number`` (1-19)."""
    return COMMUNE_CRITERIA.get(int(number))


def commune_class(n_met: int, total: int = 19, bands: tuple[int, ...] | None = None) -> str:
    """The planners' band of a commune: ``ntm`` (all met), then one per lower bound.

    Parameters
    ----------
    n_met : int
        Criteria met.
    total : int
        Criteria in the set; all met is always the top band ``ntm``.
    bands : tuple of int, optional
        Lower bounds best first, as :attr:`CriteriaSet.bands` (use
        :meth:`CriteriaSet.band`). Without them the bounds are those of the 19
        criteria (``15-18``, ``10-14``, ``lt10``) whatever ``total``, as before
        sets carried their own bands.
    """
    if n_met >= total:
        return "ntm"
    bounds = tuple(bands) if bands else COMMUNE_CRITERIA.bands
    keys = band_keys(bounds)
    for key, lower in zip(keys[1:], bounds[1:], strict=False):
        if n_met >= lower:
            return key
    return keys[-1]


# --------------------------------------------------------------------------------------
# Criteria sets as data (docs/CRITERIA_SETS.md)
# --------------------------------------------------------------------------------------

def _sets_dir() -> Any:
    return resources.files("ntmgis.core").joinpath("criteria_sets")


def available_sets() -> tuple[str, ...]:
    """The keys of the criteria sets shipped with ntmgis (``qd318-2022``, ``qd51-2025``)."""
    return tuple(sorted(p.name.removesuffix(".toml") for p in _sets_dir().iterdir()
                        if p.name.endswith(".toml")))


def load_criteria_set(key: str = DEFAULT_SET, *, lang: str = "vi") -> CriteriaSet:
    """The shipped criteria set ``key``, read from its TOML file (once per process).

    Raises
    ------
    CriteriaError
        For an unknown key (the message lists the sets) or a malformed file
        (the message names the criterion, indicator or threshold).
    """
    key = str(key).strip()
    if key not in available_sets():
        raise CriteriaError(_msg("unknown_set", lang, key=key,
                                 sets=", ".join(available_sets())))
    return _load_cached(key, lang)


@cache
def _load_cached(key: str, lang: str) -> CriteriaSet:
    text = _sets_dir().joinpath(f"{key}.toml").read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CriteriaError(_msg("bad_set", lang, key=key, where=f"{key}.toml",
                                 reason=exc)) from exc
    return criteria_set_from_dict(raw, lang=lang)


def _opt_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _threshold(raw: Mapping[str, Any], classes: set[str], lang: str) -> Threshold:
    value = raw.get("value")
    cls = raw.get("class")
    if cls is not None and classes and str(cls) not in classes:
        raise Refused(_msg("class_unknown", lang, cls=cls, classes=sorted(classes)))
    if isinstance(value, bool) or (value is not None and not isinstance(value, (int, float))):
        raise Refused(_msg("not_a_number", lang, value=repr(value)))
    return Threshold(
        value=None if value is None else float(value),
        requirement_vi=str(raw.get("requirement_vi", "")),
        requirement_en=str(raw.get("requirement_en", "")),
        class_key=None if cls is None else str(cls),
        year=_opt_int(raw.get("year")),
        source=str(raw.get("source", "")),
    )


def _indicator(raw: Mapping[str, Any], number: int, classes: set[str], lang: str
               ) -> Indicator:
    kind = str(raw.get("kind", "numeric"))
    if kind not in KINDS:
        raise Refused(_msg("kind_unknown", lang, kind=kind, kinds=KINDS))
    direction = str(raw.get("direction", "at_least"))
    if direction not in DIRECTIONS:
        raise Refused(_msg("direction_unknown", lang, direction=direction,
                              directions=DIRECTIONS))
    ind = Indicator(
        key=str(raw["key"]).strip(), name_vi=str(raw.get("name_vi", "")),
        name_en=str(raw.get("name_en", "")), kind=kind, unit=str(raw.get("unit", "")),
        direction=direction, source=str(raw.get("source", "")),
        missing=str(raw.get("missing", "")), criterion=number,
        thresholds=tuple(_threshold(t, classes, lang) for t in raw.get("thresholds", ())),
    )
    if kind == "numeric" and not ind.missing:
        if not ind.thresholds:
            raise Refused(_msg("needs_thresholds", lang))
        if any(t.value is None for t in ind.thresholds):
            raise Refused(_msg("threshold_value", lang))
    return ind


def criteria_set_from_dict(raw: Mapping[str, Any], *, lang: str = "vi") -> CriteriaSet:
    """Build a :class:`CriteriaSet` from the parsed TOML of ``docs/CRITERIA_SETS.md``.

    Raises
    ------
    CriteriaError
        When a required key is missing or a value is not allowed; the message
        names where (``tiêu chí 10, chỉ tiêu 10.1``).
    """
    key = str(raw.get("key", "?"))
    level = str(raw.get("level", "commune"))
    where = key

    def bad(why: Exception | str) -> CriteriaError:
        text = why if isinstance(why, str) else reason(why, lang)
        return CriteriaError(_msg("bad_set", lang, key=key, where=where, reason=text))

    try:
        classes = tuple(CriteriaClass(
            key=str(c["key"]), name_vi=str(c.get("name_vi", c["key"])),
            name_en=str(c.get("name_en", "")), description_vi=str(c.get("description_vi", "")),
            description_en=str(c.get("description_en", "")), source=str(c.get("source", "")))
            for c in raw.get("classes", ()))
        class_keys = {c.key for c in classes}
        groups = {int(g["number"]): (str(g.get("name_vi", "")), str(g.get("name_en", "")))
                  for g in raw.get("groups", ())}
        years = tuple(int(y) for y in raw.get("years", ()))
        bands = tuple(int(b) for b in raw.get("bands", ()))
        default = raw.get("default_class")
        if default is not None and str(default) not in class_keys:
            raise Refused(_msg("default_class", lang, cls=default))
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(exc) from exc
    crits = []
    for c in raw.get("criteria", ()):
        where = _msg("where_criterion", lang, key=key, number=c.get("number", "?"))
        try:
            number = int(c["number"])
            group = int(c.get("group", 0) or 0)
            if group and groups and group not in groups:
                raise Refused(_msg("group_unknown", lang, group=group))
            inds = []
            for i in c.get("indicators", ()):
                where = _msg("where_indicator", lang, key=key, number=number,
                             indicator=i.get("key", "?"))
                inds.append(_indicator(i, number, class_keys, lang))
            gvi, gen = groups.get(group, ("", ""))
            crits.append(Criterion(number=number, name_vi=str(c["name_vi"]),
                                   name_en=str(c.get("name_en", "")), group=group,
                                   group_name_vi=gvi, group_name_en=gen,
                                   prefix="vc" if level == "village" else "tc",
                                   indicators=tuple(inds)))
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(exc) from exc
    where = key
    if not crits:
        raise bad(_msg("no_criteria", lang))
    if bands and (len(bands) != 3 or bands[0] != len(crits)  # 4 bands, 4 house colours
                  or list(bands) != sorted(set(bands), reverse=True)):
        raise bad(_msg("bands", lang, bands=list(bands), n=len(crits),
                       example=list(derive_bands(len(crits)))))
    try:
        return CriteriaSet(
            key=key, name_vi=str(raw.get("name_vi", key)), name_en=str(raw.get("name_en", "")),
            criteria=tuple(sorted(crits, key=lambda x: x.number)), level=level,
            decision=str(raw.get("decision", "")), decision_en=str(raw.get("decision_en", "")),
            annex=str(raw.get("annex", "")), in_force=str(raw.get("in_force", "")),
            years=years, varies_by=str(raw.get("varies_by", "none")), classes=classes,
            default_class=str(default) if default is not None
            else (classes[0].key if classes else None),
            band_bounds=bands)
    except CriteriaError as exc:
        raise bad(exc) from exc


def village_set_from_rows(rows: Iterable[dict], *, key: str, name_vi: str,
                          name_en: str = "") -> CriteriaSet:
    """Build a village criteria set from table rows with ``number``, ``name_vi``, ``name_en``.

    Rows may carry ``group`` and ``group_name_vi``/``group_name_en``; missing
    values are left empty.
    """
    crits = []
    for r in rows:
        try:
            number = int(r["number"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CriteriaError(both_langs("village_number", row=repr(r))) from exc
        crits.append(
            Criterion(
                number=number,
                name_vi=str(r.get("name_vi") or ""),
                name_en=str(r.get("name_en") or ""),
                group=int(r.get("group") or 0),
                group_name_vi=str(r.get("group_name_vi") or ""),
                group_name_en=str(r.get("group_name_en") or ""),
                prefix="vc",
            )
        )
    if not crits:
        raise CriteriaError(both_langs("village_empty"))
    return CriteriaSet(key=key, name_vi=name_vi, name_en=name_en or name_vi,
                       criteria=tuple(sorted(crits, key=lambda c: c.number)), level="village")
