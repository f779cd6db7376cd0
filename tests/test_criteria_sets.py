"""Criteria sets as data: the shipped TOML files, the threshold lookup, ``ntmgis criteria``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.criteria import (
    CLASS_KEYS,
    COMMUNE_CRITERIA,
    Threshold,
    available_sets,
    band_keys,
    commune_class,
    criteria_set_from_dict,
    derive_bands,
    load_criteria_set,
)
from ntmgis.core.errors import CriteriaError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = Path(__file__).resolve().parent / "data" / "indicators"


@pytest.fixture
def raw() -> dict:
    return tomllib.loads((DATA / "set.toml").read_text(encoding="utf-8"))


@pytest.fixture
def cset(raw):
    return criteria_set_from_dict(raw)


# -- the shipped sets -----------------------------------------------------------------

def test_the_two_national_sets_ship_with_the_package():
    assert {"qd318-2022", "qd51-2025"} <= set(available_sets())
    s318 = load_criteria_set("qd318-2022")
    assert len(s318) == 19 and s318.numbers == tuple(range(1, 20))
    assert s318.bands == (19, 15, 10)
    s51 = load_criteria_set("qd51-2025")
    assert len(s51) == 10 and s51.numbers == tuple(range(1, 11))
    assert s51.bands[0] == 10
    assert s51.varies_by == "group" and {"nhom1", "nhom2", "nhom3"} <= set(s51.class_keys())
    assert "tdmnpb" in s318.class_keys()


def test_the_built_in_19_criteria_agree_with_the_file():
    s318 = load_criteria_set("qd318-2022")
    for built_in, from_file in zip(COMMUNE_CRITERIA, s318, strict=True):
        assert (built_in.number, built_in.name_vi, built_in.name_en, built_in.group) == (
            from_file.number, from_file.name_vi, from_file.name_en, from_file.group)


@pytest.mark.parametrize("key", ["qd318-2022", "qd51-2025"])
def test_every_number_has_a_source_or_is_marked_missing(key):
    cset = load_criteria_set(key)
    for ind in cset.indicators:
        assert ind.kind in ("numeric", "yes_no") and ind.name_vi, ind.key
        assert ind.missing or ind.thresholds, ind.key
        for th in ind.thresholds:
            assert th.source, (ind.key, th)
            assert th.class_key is None or th.class_key in cset.class_keys()
            if ind.kind == "numeric":
                assert th.value is not None or ind.missing, ind.key


def test_unknown_set_names_the_sets():
    with pytest.raises(CriteriaError, match="qd318-2022, qd51-2025"):
        load_criteria_set("qd999")
    with pytest.raises(CriteriaError, match="the sets are"):
        load_criteria_set("qd999", lang="en")


# -- bands ----------------------------------------------------------------------------

def test_bands_of_19_are_the_planners_and_others_are_derived():
    assert CLASS_KEYS == ("ntm", "15-18", "10-14", "lt10")
    assert [commune_class(n) for n in (19, 18, 15, 14, 10, 9, 0)] == [
        "ntm", "15-18", "15-18", "10-14", "10-14", "lt10", "lt10"]
    assert [COMMUNE_CRITERIA.band(n) for n in (19, 15, 9)] == ["ntm", "15-18", "lt10"]
    assert derive_bands(19) == (19, 15, 10)
    assert derive_bands(10) == (10, 8, 5)
    assert band_keys((10, 8, 5)) == ("ntm", "8-9", "5-7", "lt5")
    assert [commune_class(n, 10, (10, 8, 5)) for n in (10, 9, 8, 7, 5, 4)] == [
        "ntm", "8-9", "8-9", "5-7", "5-7", "lt5"]
    assert load_criteria_set("qd51-2025").band(8) == commune_class(8, 10, (10, 8, 5))
    # Without the set's bands, the 19 criteria's bounds, as before sets carried them.
    assert [commune_class(n, 3) for n in (3, 2)] == ["ntm", "lt10"]
    assert commune_class(16, 20) == "15-18"
    assert commune_class(12, 19, (19, 12, 6)) == "12-18"


def test_bands_in_the_file_must_fit_the_set(raw):
    raw["bands"] = [3, 2, 1]
    assert criteria_set_from_dict(raw).bands == (3, 2, 1)
    raw["bands"] = [19, 15, 10]
    with pytest.raises(CriteriaError, match="bands"):
        criteria_set_from_dict(raw)
    # the maps have four colours: three bounds, no more, no fewer (a QGIS style and the
    # web map's legend zip them with the house colours)
    for bad in ([3, 2], [3, 2, 1, 0], [3, 2, 2]):
        raw["bands"] = bad
        with pytest.raises(CriteriaError, match="bands"):
            criteria_set_from_dict(raw)


# -- the threshold lookup ---------------------------------------------------------------

def test_class_rows_win_then_the_latest_year(cset):
    income = cset.indicator("10")
    assert income.threshold_for("vung_a", 2023).value == 40  # class row of 2022
    assert income.threshold_for("vung_a", 2025).value == 45  # class row of 2024
    assert income.threshold_for("vung_b", 2022).value == 60  # class row without a year
    assert income.threshold_for("other", 2023).value == 50  # the row for every class
    assert income.threshold_for("other", 2021) is None  # before the first year
    assert income.threshold_for("vung_a", 2021) is None
    th = income.threshold_for("vung_a", 2024)
    assert (th.requirement("vi"), th.requirement("en"), th.source) == (
        "≥45", ">= 45", "thử, vùng A, từ 2024")


def test_province_overrides_win_over_the_set(cset):
    mine = cset.with_overrides({"10": [Threshold(48.0, "≥48", class_key="vung_a", year=2025,
                                                 source="QĐ tỉnh")]})
    assert mine.indicator("10").threshold_for("vung_a", 2025).value == 48
    # Where no override applies, the set's rows do.
    assert mine.indicator("10").threshold_for("vung_a", 2024).value == 45
    assert cset.indicator("10").threshold_for("vung_a", 2025).value == 45  # a copy
    with pytest.raises(CriteriaError, match="99"):
        cset.with_overrides({"99": []})


def test_met_and_distance_follow_the_direction(cset):
    income, poverty = cset.indicator("10"), cset.indicator("11")
    th = income.threshold_for("vung_a", 2025)
    assert income.is_met(45, th) and not income.is_met(44.5, th)
    assert income.distance(44.5, th) == pytest.approx(0.5)  # positive: still missing
    assert income.distance(50, th) == pytest.approx(-5)
    th = poverty.threshold_for("vung_a", 2025)
    assert poverty.is_met(13, th) and not poverty.is_met(13.5, th)
    assert poverty.distance(15, th) == pytest.approx(2)
    assert poverty.is_share and not income.is_share
    assert cset.indicator("17.1").judged_by_report  # threshold missing
    assert cset.indicator("17.2").judged_by_report  # yes/no


def test_the_fixture_set_reads_as_documented(cset):
    assert cset.key == "test-set" and cset.default_class == "vung_a"
    assert [i.key for i in cset.indicators] == ["10", "11", "17.1", "17.2"]
    assert cset.get(17).group_name_vi == "Văn hóa - xã hội - môi trường"
    assert cset.indicator("17.1").missing and cset.indicator("17.1").criterion == 17
    with pytest.raises(CriteriaError, match="'12.9'"):
        cset.indicator("12.9")


@pytest.mark.parametrize("path,value,vi,en", [
    (("criteria", 0, "indicators", 0, "kind"), "number", "loại 'number'", "kind 'number'"),
    (("criteria", 0, "indicators", 0, "direction"), "more", "chiều so sánh 'more'",
     "direction 'more'"),
    (("criteria", 0, "indicators", 0, "thresholds", 1, "class"), "vung_z",
     "lớp 'vung_z' không có", "class 'vung_z' is not"),
    (("criteria", 0, "indicators", 0, "thresholds", 1, "value"), "40",
     "'40' không phải là số", "'40' is not a number"),
    (("criteria", 0, "indicators", 0, "thresholds"), [], "cần có ngưỡng", "needs thresholds"),
    (("criteria", 1, "indicators", 0, "key"), "10", "lặp lại mã của một chỉ tiêu",
     "repeats an indicator"),
    (("default_class",), "nowhere", "default_class 'nowhere' không có",
     "default_class 'nowhere' is not"),
    (("criteria", 0, "name_vi"), None, "thiếu khóa 'name_vi'|giá trị", "missing|not allowed"),
    # Python's own reason (int("mười")) inside a sentence in the user's language
    (("criteria", 0, "number"), "mười", "giá trị không hợp lệ", "a value is not allowed"),
])
def test_malformed_sets_say_where_in_the_users_language(raw, path, value, vi, en):
    import copy

    node = raw
    for p in path[:-1]:
        node = node[p]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    for lang, match, other in (("vi", vi, en), ("en", en, vi)):
        with pytest.raises(CriteriaError, match=match) as err:
            criteria_set_from_dict(copy.deepcopy(raw), lang=lang)
        assert "test-set" in str(err.value)
        # one language at a time: no English reason inside a Vietnamese message
        assert not re.search(other, str(err.value)), str(err.value)
    if path[-1] == "kind":
        assert "tiêu chí 10, chỉ tiêu 10" in str(_err(raw, "vi"))


def _err(raw, lang):
    with pytest.raises(CriteriaError) as err:
        criteria_set_from_dict(raw, lang=lang)
    return err.value


# -- ntmgis criteria ----------------------------------------------------------------------

def test_criteria_list_names_each_set_with_its_counts():
    res = CliRunner().invoke(main, ["criteria", "list"])
    assert res.exit_code == 0, res.output
    assert "qd318-2022" in res.output and "qd51-2025" in res.output
    assert "19 tiêu chí" in res.output and "10 tiêu chí" in res.output
    assert "318/QĐ-TTg" in res.output and "2022–2025" in res.output
    en = CliRunner().invoke(main, ["criteria", "list", "--lang", "en"])
    assert "19 criteria" in en.output and "Decision 318" in en.output


@pytest.mark.parametrize("key,n", [("qd318-2022", 19), ("qd51-2025", 10)])
def test_criteria_show_lists_every_criterion(key, n):
    res = CliRunner().invoke(main, ["criteria", "show", key])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Tiêu chí ")]
    assert len(lines) == n
    cset = load_criteria_set(key)
    for ind in cset.indicators:
        assert f"  {ind.key}. {ind.name_vi}" in res.output
        if ind.missing:
            assert f"THIẾU: {ind.missing}" in res.output
    # A set shipped without its indicators says so and why, instead of looking complete.
    said = "Chưa có chỉ tiêu: chưa đọc được phụ lục" in res.output
    assert said == (not cset.indicators)
    assert res.output.count("đánh giá theo kết quả đạt/chưa đạt") == sum(
        1 for c in cset if not c.indicators)


def test_criteria_show_one_criterion_in_english():
    res = CliRunner().invoke(main, ["criteria", "show", "qd318-2022", "--criterion", "10",
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Criterion 10. Income" in res.output
    assert "Criterion 9." not in res.output and "Northern Midlands" in res.output


def test_criteria_show_unknown_set_or_criterion_is_a_usage_error():
    res = CliRunner().invoke(main, ["criteria", "show", "qd999"])
    assert res.exit_code == 2
    assert "qd318-2022, qd51-2025" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["criteria", "show", "qd51-2025", "--criterion", "11"])
    assert res.exit_code == 2 and "1-10" in res.output
