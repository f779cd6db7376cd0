"""The criteria model and Vietnamese formats."""

from __future__ import annotations

import pytest

from ntmgis.core.criteria import (
    COMMUNE_CRITERIA,
    commune_class,
    get_criterion,
    village_set_from_rows,
)
from ntmgis.core.errors import CriteriaError
from ntmgis.core.i18n import fmt_money, fmt_number, fmt_percent, label


def test_nineteen_criteria_in_five_groups():
    assert len(COMMUNE_CRITERIA) == 19
    assert COMMUNE_CRITERIA.keys[4] == "tc05"
    assert get_criterion(5).name_vi == "Trường học"
    assert get_criterion(5).name("en") == "Schools"
    groups = COMMUNE_CRITERIA.groups()
    assert [len(g[3]) for g in groups] == [1, 8, 4, 4, 2]
    assert groups[1][1] == "II. Hạ tầng kinh tế - xã hội"


def test_recognition_needs_every_criterion():
    assert COMMUNE_CRITERIA.is_recognised(range(1, 20))
    assert not COMMUNE_CRITERIA.is_recognised(range(1, 19))
    assert [commune_class(n) for n in (19, 18, 15, 14, 10, 9, 0)] == [
        "ntm", "15-18", "15-18", "10-14", "10-14", "lt10", "lt10"]


def test_unknown_criterion_names_the_range():
    with pytest.raises(CriteriaError, match="20.*1-19"):
        get_criterion(20)
    with pytest.raises(ValueError):  # subclasses a built-in
        get_criterion(0)


def test_village_set_is_configuration():
    vs = village_set_from_rows([{"number": 2, "name_vi": "Điện"}, {"number": 1,
                                                                    "name_vi": "Giao thông"}],
                               key="lc", name_vi="Bộ tiêu chí bản")
    assert vs.keys == ("vc01", "vc02")
    assert vs.is_recognised([1, 2]) and not vs.is_recognised([1])
    with pytest.raises(CriteriaError):
        village_set_from_rows([], key="x", name_vi="x")


@pytest.mark.parametrize("value,lang,decimals,text", [
    (608989, "vi", 0, "608.989"), (608989, "en", 0, "608,989"), (16.375, "vi", 2, "16,38"),
    (1234.5, "vi", 1, "1.234,5"), (-5, "vi", 0, "-5"), (None, "vi", 0, "–"),
])
def test_fmt_number(value, lang, decimals, text):
    assert fmt_number(value, lang, decimals) == text


def test_percent_and_money_round_as_the_plan():
    assert fmt_percent(4 / 13) == "30,8%"
    assert fmt_percent(10 / 13) == "76,9%"
    assert fmt_percent(18 / 101) == "17,8%"
    assert fmt_percent(11 / 13) == "84,6%"
    assert fmt_percent(1.0) == "100,0%"
    assert fmt_money(2500.5) == "2.500,5"
    assert fmt_money(30614.0, "en") == "30,614"


def test_labels_are_vietnamese_first():
    assert label("status", "under_way") == "Đang thực hiện"
    assert label("status", "under_way", "en") == "Under way"
    assert label("facility", "health_station") == "Trạm y tế"
    assert label("category", "my own kind") == "my own kind"
