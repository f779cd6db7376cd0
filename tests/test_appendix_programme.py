"""The programme on the map appendix (issue 14): district lines and commune pages by group,
the roadmap's late criteria on commune pages, ``appendix --office``."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix._data import load_data


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_province_groups_and_page_order(province):
    ws, _ = province
    d = load_data(ws, year=2025, lang="vi")
    assert [g[1] for g in d.groups] == ["Huyện Một", "Huyện Hai", "Huyện Ba"]
    members = [c for g in d.groups for c in g[3] if c in set(d.status["code"])]
    # commune pages follow the groups, then the codes within each
    assert list(d.status["code"]) == members
    for _code, _name, rings, _m in d.groups:
        assert rings.geom_type == "MultiLineString" and not rings.is_empty


def test_one_district_has_no_groups(built_sample):
    ws, _ = built_sample
    d = load_data(ws, year=2025, lang="vi")
    assert d.groups == [] and list(d.status["code"]) == sorted(d.status["code"])


def test_late_criteria_follow_the_roadmap(built_sample):
    ws, layers = built_sample
    d2023 = load_data(ws, year=2023, lang="vi")
    st = layers.commune_status[(layers.commune_status["year"] == 2023).to_numpy()]
    not_1 = set(st.loc[(st["tc01"] == 0).to_numpy(), "code"])
    # "năm 2023 … 100% quy hoạch chung": every commune without criterion 1 is late on it
    assert {c for c, crit in d2023.late.items() if 1 in crit} == not_1 and not_1
    d2021 = load_data(ws, year=2021, lang="vi")
    assert not any(1 in crit for crit in d2021.late.values())  # not due yet


def test_appendix_office_draws_its_criteria(built_sample, tmp_path):
    ws, _ = built_sample
    root = shutil.copytree(ws.root, tmp_path / "ws")
    r = _run("appendix", "-w", str(root), "--office", "VHTT", "--format", "pdf,png",
             "--dpi", "40", "-j", "1")
    assert r.exit_code == 0, r.output
    folder = root / "maps" / "co-quan" / "phong-van-hoa-thong-tin" / "appendix"
    pngs = sorted(p.name for p in folder.glob("*.png"))
    # the sample's (illustrative) table: criteria 6, 8 and 16; page numbers as in the
    # whole appendix (the overview is page 1, criterion N is page N + 1)
    assert [n.split("-")[2] for n in pngs] == ["07", "09", "17"]
    assert all("-tc06-" in n or "-tc08-" in n or "-tc16-" in n for n in pngs)
    assert len(list(folder.glob("*.pdf"))) == 1
    assert not (root / "maps" / "appendix").exists()  # the whole atlas is not touched
    r = _run("appendix", "-w", str(root), "--office", "Phòng Không Có", "--lang", "en")
    assert r.exit_code == 2 and "no office" in r.output.lower()


def test_province_subtitle_names_the_area_once(province, tmp_path):
    from ntmgis.outputs.appendix._page_common import Context

    ws, _ = province
    ctx = Context(data=load_data(ws, year=2025, lang="vi"), lang="vi", size="A4",
                  hillshade=None)
    assert ctx.subtitle() == "Tỉnh Lai Châu – năm 2025"
    assert ctx.group_boundary_label() == "Ranh giới huyện"
    names = set(load_data(load_workspace(ws.root), year=2025, lang="vi").communes["name"])
    assert "Xã Pa Ủ" in names and "Xã Pa ủ" not in names  # issue 11: names as displayed


@pytest.mark.parametrize("lang,words", [("vi", "Chậm so với lộ trình: tiêu chí 1"),
                                        ("en", "Behind the roadmap: criteria 1")])
def test_late_flag_on_the_commune_page(built_sample, lang, words):
    """A commune without criterion 1 in 2023 is flagged on its page; one with it is not."""
    from matplotlib.text import Text

    from ntmgis.outputs.appendix._page_common import Context
    from ntmgis.outputs.appendix._page_commune import page_commune

    ws, _ = built_sample
    d = load_data(ws, year=2023, lang=lang)
    ctx = Context(data=d, lang=lang, size="A4", hillshade=None)
    late = next(c for c, crit in d.late.items() if 1 in crit)
    on_time = next(c for c in d.status["code"] if c not in d.late)

    def texts(code):
        page = page_commune(ctx, 2, code)  # a bare Figure, no pyplot state to close
        return " ".join(t.get_text() for t in page.fig.findobj(Text))

    assert words in texts(late)
    assert words not in texts(on_time)
