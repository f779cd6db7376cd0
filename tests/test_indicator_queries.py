"""``ntmgis query gaps --indicator``, ``closest`` and ``income``: the indicator questions.

Two workspaces: the mini workspace with indicator values judged against a fixture
criteria set (built here, as tests/test_indicators.py does, but with a set of 19
criteria so that the status table's columns are all the set's), and the Mường Tè
sample, which has criteria but no indicator values.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.analysis.indicators import (
    check_indicator,
    closest_to_recognition,
    describe_indicators,
    income_target,
    indicator_gaps,
    indicator_table,
)
from ntmgis.cli import main
from ntmgis.core.criteria import COMMUNE_CRITERIA
from ntmgis.core.errors import DataError, OptionError

DATA = Path(__file__).resolve().parent / "data"


def _set_toml() -> str:
    """The fixture set of tests/data/indicators with the other 16 criteria of 2021-2025.

    Criteria 10, 11 and 17 keep their indicators and thresholds; the others are
    judged by the reported result alone (as in the shipped sets).
    """
    text = (DATA / "indicators" / "set.toml").read_text("utf-8")
    head, _, body = text.partition("[[criteria]]\n")
    blocks = {int(re.search(r"^number = (\d+)", b, re.M).group(1)): "[[criteria]]\n" + b
              for b in body.split("[[criteria]]\n")}
    for c in COMMUNE_CRITERIA:
        blocks.setdefault(c.number, f'[[criteria]]\nnumber = {c.number}\nname_vi = '
                                    f'"{c.name_vi}"\nname_en = "{c.name_en}"\ngroup = 4\n\n')
    return head + "".join(blocks[n] for n in sorted(blocks))


def _mini(root: Path, *, values: bool = True, extra: str = "",
          source: Path = DATA / "mini") -> Path:
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    shutil.copytree(source, root)
    shutil.copy(DATA / "indicators" / "values_mini.csv", root)
    (root / "set19.toml").write_text(_set_toml(), "utf-8")
    cfg = (root / "ntmgis.toml").read_text("utf-8")
    cfg += f'\n[criteria]\ncommune_set = "set19.toml"\n{extra}\n'
    if values:
        cfg += '\n[tables.indicator_values]\npath = "values_mini.csv"\nform = "long"\n'
    (root / "ntmgis.toml").write_text(cfg, "utf-8")
    build(load_workspace(root), overwrite=True)
    return root


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """The mini workspace with indicator values, built once (read-only use)."""
    return _mini(tmp_path_factory.mktemp("iq") / "mini")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The Mường Tè sample built once: 13 communes, 19 criteria, no indicator values."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build
    from ntmgis.outputs.scaffold import init_workspace

    root = init_workspace(tmp_path_factory.mktemp("iqs") / "mt", sample=True)
    build(load_workspace(root), overwrite=True)
    return root


def run(*args: str, code: int = 0):
    res = CliRunner().invoke(main, ["query", *args], catch_exceptions=False)
    assert res.exit_code == code, res.output + res.stderr
    return res


def flat(text: str) -> str:
    """The output with runs of spaces and line breaks as one space (titles wrap)."""
    return " ".join(text.split())


# -- gaps --indicator ------------------------------------------------------------------

def test_gaps_indicator_lists_communes_below_the_threshold(mini):
    out = run("gaps", "--indicator", "10", "--year", "2024", "-w", str(mini)).output
    assert "Chỉ tiêu 10 (Thu nhập bình quân đầu người khu vực nông thôn)" in out
    assert "1/1 xã có số liệu chưa đạt năm 2024" in flat(out)  # Xã Hai: no 2024 value
    for heading in ("Mã xã", "Giá trị", "Ngưỡng", "Đơn vị", "Còn thiếu", "Nguồn ngưỡng"):
        assert heading in out
    one = next(line for line in out.splitlines() if "Xã Một" in line)
    # 2024, region A: threshold 45 (from 2024); 45 - 38,5 = 6,5 still missing
    assert re.search(r"│ 38,5\s+│ ≥45\s+│ triệu đồng/người/năm │ 6,5\s+│ thử, vùng A, từ 2024", one)
    assert "Xã Hai" not in out


def test_gaps_indicator_latest_year_by_default_and_distance(mini):
    out = run("gaps", "-i", "10", "-w", str(mini)).output
    assert "1/2 xã có số liệu chưa đạt năm 2025" in flat(out)
    line = next(x for x in out.splitlines() if "Xã Hai" in x)
    assert "44" in line and "≥45" in line and re.search(r"│\s*1\s*│", line)
    assert "Xã Một" not in out  # 46 >= 45


def test_gaps_indicator_csv_is_written_and_reads_back(mini, tmp_path):
    csv = tmp_path / "ct10.csv"
    res = run("gaps", "--indicator", "10", "--csv", str(csv), "-w", str(mini))
    assert str(csv) in res.output
    back = pd.read_csv(csv, dtype={"code": str}, encoding="utf-8-sig")
    assert back["code"].tolist() == ["00002"]
    assert back.loc[0, "distance"] == 1.0 and back.loc[0, "threshold"] == 45.0
    assert back.loc[0, "threshold_source"] == "thử, vùng A, từ 2024"
    # decimal comma typed the Vietnamese way
    assert run("gaps", "-i", "17,1", "-w", str(mini)).output.count("17.1") >= 1


def test_gaps_indicator_in_english(mini):
    out = run("gaps", "--indicator", "10", "--year", "2024", "--lang", "en",
              "-w", str(mini)).output
    assert "Indicator 10 (Rural income per head)" in out
    assert "1 of 1 communes with values below the threshold in 2024" in flat(out)
    assert "Short by" in out and "Threshold source" in out
    assert "6.5" in next(x for x in out.splitlines() if "Xã Một" in x)


def test_unknown_indicator_is_a_usage_error_listing_those_present(mini):
    res = run("gaps", "--indicator", "99", "-w", str(mini), code=2)
    assert "--indicator 99" in res.stderr and "10, 11, 17.1, 17.2" in res.stderr
    res = run("gaps", "--indicator", "99", "-w", str(mini), "--lang", "en", code=2)
    assert "indicators present: 10, 11, 17.1, 17.2" in res.stderr


def test_indicator_with_criterion_is_a_usage_error(mini):
    res = run("gaps", "--indicator", "10", "--criterion", "10", "-w", str(mini), code=2)
    assert "--criterion" in res.stderr


def test_map_is_not_offered_for_indicator_results(mini):
    res = run("gaps", "--indicator", "10", "--map", "-w", str(mini), code=2)
    assert "ntmgis map --indicator" in res.stderr
    for sub in ("closest", "income"):
        assert "--map" not in run(sub, "--help").output
        run(sub, "--map", "-w", str(mini), code=2)


def test_names_from_the_data_print_as_typed(tmp_path):
    """A name holding Rich markup shows as typed (not red, not dropped)."""
    src = Path(shutil.copytree(DATA / "mini", tmp_path / "src"))
    for name in ("communes.geojson", "commune_status.csv"):
        f = src / name
        f.write_text(f.read_text("utf-8").replace("Xã Hai", "[red]Hai[/red]"), "utf-8")
    ws = _mini(tmp_path / "mini", source=src)
    for args in (("gaps", "-i", "10"), ("closest",), ("income", "--factor", "2")):
        assert "[red]Hai[/red]" in run(*args, "-w", str(ws)).output


def test_a_year_without_values_is_a_data_error(mini):
    # The year is a valid year, the data have none for it: like `query gaps --year`, the
    # answer is about the data (exit 1), listing the years present.
    res = run("gaps", "--indicator", "10", "--year", "2030", "-w", str(mini), code=1)
    assert "2030" in res.stderr and "2023, 2024, 2025" in res.stderr
    res = run("closest", "--year", "2030", "-w", str(mini), code=1)
    assert "2024, 2025" in res.stderr
    # A number that is no year at all is refused by the option itself (exit 2).
    assert run("closest", "--year", "20", "-w", str(mini), code=2).exit_code == 2


# -- closest ---------------------------------------------------------------------------

def test_closest_ranks_by_criteria_then_indicators(mini):
    out = run("closest", "-w", str(mini)).output
    assert ("Xã gần đạt chuẩn nông thôn mới nhất năm 2025: 2 xã chưa đạt chuẩn, theo 19 "
            "tiêu chí và các chỉ tiêu") in flat(out)
    lines = [x for x in out.splitlines() if "Xã Hai" in x or "Xã Ba" in x]
    assert "Xã Một" not in out  # recognised in 2025
    # Same seven criteria missing; Xã Ba misses no indicator, Xã Hai income by 1.
    assert "Xã Ba" in lines[0] and "Xã Hai" in out
    assert "12/19" in lines[0]
    assert "13. Tổ chức sản xuất và phát triển kinh tế nông thôn; 14. Giáo dục" in out
    assert "10: thiếu 1 triệu đồng/người/năm" in out


def test_closest_csv_and_english(mini, tmp_path):
    csv = tmp_path / "closest.csv"
    out = run("closest", "--lang", "en", "--csv", str(csv), "-w", str(mini)).output
    assert "Closest to recognition in 2025" in flat(out) and "Criteria met" in out
    back = pd.read_csv(csv, dtype={"code": str, "unmet": str}, encoding="utf-8-sig")
    assert back["rank"].tolist() == [1, 2] and set(back["code"]) == {"00002", "00003"}
    assert (back["criteria_total"] == 19).all()
    hai = back.set_index("code").loc["00002"]
    assert hai["unmet"] == "13;14;15;16;17;18;19" and hai["indicators_unmet"] == 1


# -- income ----------------------------------------------------------------------------

def test_income_prints_target_and_reached_count(mini, tmp_path):
    out = run("income", "--factor", "1.5", "-w", str(mini)).output
    assert "Mục tiêu thu nhập: gấp 1,5 lần năm 2023; 1/2 xã đạt năm 2025" in flat(out)
    one = next(x for x in out.splitlines() if "Xã Một" in x)
    assert "30" in one and "45" in one and "46" in one and "Có" in one
    hai = next(x for x in out.splitlines() if "Xã Hai" in x)
    assert "44" in hai and "Không" in hai and "1,47" in hai
    en = run("income", "--factor", "1.5", "--lang", "en", "-w", str(mini)).output
    assert "Income target: 1.5 × 2023; 1 of 2 communes reached it in 2025" in flat(en)
    csv = tmp_path / "income.csv"
    run("income", "--factor", "1.5", "--csv", str(csv), "-w", str(mini))
    back = pd.read_csv(csv, dtype={"code": str}, encoding="utf-8-sig").set_index("code")
    assert back.loc["00001", "target"] == 45 and bool(back.loc["00001", "reached"])


def test_income_without_a_factor_says_how_to_give_one(mini):
    res = run("income", "-w", str(mini), code=1)
    assert "income_factor" in res.stderr and "--factor" in res.stderr


# -- the sample: criteria, no indicator values ------------------------------------------

def test_closest_on_the_sample_works_from_criteria_alone(sample):
    out = run("closest", "-w", str(sample), "--limit", "0").output
    assert "chỉ theo 19 tiêu chí (chưa có số liệu chỉ tiêu)" in flat(out)
    assert "Chỉ tiêu chưa đạt" not in out  # no indicator column without values
    # The answer straight from the input table: communes missing a criterion in 2025,
    # the fewest missing first.
    raw = pd.read_csv(sample / "layers" / "commune_status.csv", dtype=str,
                      encoding="utf-8-sig")
    last = raw[raw["Nam"] == "2025"].set_index("TenXa")
    unmet = (last[[c for c in last.columns if re.fullmatch(r"TC\d+", c)]] == "Chưa đạt").sum(axis=1)
    unmet = unmet[unmet > 0].sort_values(kind="stable")
    ranked = [x for x in out.splitlines() if re.match(r"│ \d+\s+│", x)]
    assert len(ranked) == len(unmet) == 10
    for line, n in zip(ranked, [int(v) for v in unmet], strict=True):
        assert f"│ {19 - n}/19 " in line
    assert unmet.index[0] in ranked[0] and unmet.iloc[0] < unmet.iloc[1]
    r = closest_to_recognition(sample, lang="en")
    assert (r["criteria_total"] == 19).all() and not r.attrs["with_indicators"]


def test_gaps_indicator_on_the_sample_says_to_declare_values(sample):
    res = run("gaps", "--indicator", "10", "-w", str(sample), code=1)
    assert "[tables.indicator_values]" in res.stderr and "ntmgis build" in res.stderr
    res = run("income", "-w", str(sample), "--lang", "en", code=1)
    assert "no indicator values" in res.stderr


# -- the library, on other criteria sets -----------------------------------------------

def test_closest_follows_a_ten_criterion_set():
    """The 2026-2030 set (Decision 51/2025): ten criteria, ten columns, ten names."""
    from ntmgis.core.criteria import load_criteria_set

    qd51 = load_criteria_set("qd51-2025")
    rows = []
    for code, met in (("00001", 10), ("00002", 8), ("00003", 9)):
        rows.append({"code": code, "name": f"Xã {code}", "year": 2026,
                     **{f"tc{n:02d}": int(n <= met) for n in range(1, 11)},
                     "ntm": met == 10})
    status = pd.DataFrame(rows)
    meta = pd.DataFrame({"key": ["criteria_set"], "value": ["qd51-2025"]})
    r = closest_to_recognition({"commune_status": status, "metadata": meta})
    assert r["code"].tolist() == ["00003", "00002"]
    assert (r["criteria_total"] == 10).all() and r.attrs["criteria_set"] == "qd51-2025"
    assert r.loc[0, "unmet_names"] == qd51.get(10).name("vi")
    table = indicator_table(r)
    assert table.iloc[0].tolist()[:4] == ["1", "00003", "Xã 00003", "9/10"]
    assert "10 tiêu chí" in describe_indicators(r)
    # An older build's empty columns of criteria the set lacks are not counted.
    old = status.assign(**{f"tc{n}": None for n in range(11, 20)})
    assert (closest_to_recognition({"commune_status": old, "metadata": meta})
            ["criteria_total"] == 10).all()


def test_library_checks_and_errors(mini):
    assert check_indicator(mini, " 17,1 ") == "17.1"
    with pytest.raises(OptionError, match="10, 11, 17.1, 17.2"):
        check_indicator(mini, "99")
    with pytest.raises(DataError, match="'99'"):  # the query itself: a DataError
        indicator_gaps(mini, "99")
    assert income_target(mini, factor=2).attrs["reached"] == 0


SAMPLE_2026 = Path(__file__).resolve().parents[1] / "sample_2026"


@pytest.mark.skipif(not (SAMPLE_2026 / "ntmgis.toml").is_file(), reason="no 2026 sample")
def test_closest_on_the_2026_sample_counts_ten_criteria(tmp_path):
    from ntmgis.core.criteria import load_criteria_set
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    root = Path(shutil.copytree(SAMPLE_2026, tmp_path / "s26",
                                ignore=shutil.ignore_patterns("monitoring.gpkg", "maps")))
    build(load_workspace(root), overwrite=True)
    out = run("closest", "--lang", "en", "-w", str(root)).output
    assert "by 10 criteria" in flat(out) and "/10 " in out and "/19" not in out
    qd51 = load_criteria_set("qd51-2025", lang="en")
    r = closest_to_recognition(root, lang="en")
    assert (r["criteria_total"] == 10).all() and r.attrs["criteria_set"] == "qd51-2025"
    names = {n for cell in r["unmet_names"] for n in cell.split("; ") if n}
    assert names and names <= {c.name("en") for c in qd51}
