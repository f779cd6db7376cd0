"""The criteria model: Decision 318/QĐ-TTg's 19 commune criteria and configurable sets.

A :class:`CriteriaSet` is data: the commune set is built in; a village set is
defined by each province and read from the workspace (Lai Châu's 2021-2025
village set is not public, so the sample ships an illustrative one).
A unit is recognised ("đạt chuẩn") when it meets every criterion of its set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ntmgis.core.errors import CriteriaError

__all__ = [
    "Criterion",
    "SubIndicator",
    "CriteriaSet",
    "COMMUNE_CRITERIA",
    "COMMUNE_GROUPS",
    "get_criterion",
    "commune_class",
    "CLASS_KEYS",
]


@dataclass(frozen=True)
class SubIndicator:
    """An optional sub-indicator (chỉ tiêu) of a criterion, e.g. "5.1"."""

    key: str
    name_vi: str
    name_en: str = ""
    threshold: str = ""


@dataclass(frozen=True)
class Criterion:
    """One criterion (tiêu chí) of a set."""

    number: int
    name_vi: str
    name_en: str
    group: int = 0
    group_name_vi: str = ""
    group_name_en: str = ""
    sub_indicators: tuple[SubIndicator, ...] = ()
    prefix: str = "tc"

    @property
    def key(self) -> str:
        """Column name of the criterion in layers: ``tc05`` (``vc03`` for villages)."""
        return f"{self.prefix}{self.number:02d}"

    def name(self, lang: str = "vi") -> str:
        """Name in ``lang``."""
        return self.name_en if lang == "en" and self.name_en else self.name_vi


@dataclass(frozen=True)
class CriteriaSet:
    """An ordered set of criteria, e.g. the 19 commune criteria."""

    key: str
    name_vi: str
    name_en: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        numbers = [c.number for c in self.criteria]
        if len(set(numbers)) != len(numbers):
            raise CriteriaError(f"criteria set {self.key!r} repeats a criterion number")

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __len__(self) -> int:
        return len(self.criteria)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The criterion numbers, in order."""
        return tuple(c.number for c in self.criteria)

    @property
    def keys(self) -> tuple[str, ...]:
        """The column names, in order (``tc01`` ... ``tc19``)."""
        return tuple(c.key for c in self.criteria)

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

    def groups(self) -> list[tuple[int, str, str, list[Criterion]]]:
        """Criteria grouped as in the decision: ``(group, name_vi, name_en, criteria)``."""
        out: dict[int, tuple[int, str, str, list[Criterion]]] = {}
        for c in self.criteria:
            out.setdefault(c.group, (c.group, c.group_name_vi, c.group_name_en, []))[3].append(c)
        return list(out.values())


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
)

CLASS_KEYS = ("ntm", "15-18", "10-14", "lt10")


def get_criterion(number: int) -> Criterion:
    """The commune criterion ``number`` (1-19)."""
    return COMMUNE_CRITERIA.get(int(number))


def commune_class(n_met: int, total: int = 19) -> str:
    """The planners' class of a commune: ``ntm`` (all met), ``15-18``, ``10-14`` or ``lt10``.

    The bounds are those of the 19-criteria set; for another total the top
    class is still "all met" and the others keep their absolute bounds.
    """
    if n_met >= total:
        return "ntm"
    if n_met >= 15:
        return "15-18"
    if n_met >= 10:
        return "10-14"
    return "lt10"


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
            raise CriteriaError(f"village criterion without a valid number: {r!r}") from exc
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
        raise CriteriaError("the village criteria set is empty")
    return CriteriaSet(key=key, name_vi=name_vi, name_en=name_en or name_vi,
                       criteria=tuple(sorted(crits, key=lambda c: c.number)))
