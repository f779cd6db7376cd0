"""Vietnamese first means correct Vietnamese: every command-line screen in one language.

Walks every command's and subcommand's ``--help`` in both languages, checks click's usage
errors, ``validate --brief``'s check names, the terms of the issue and how names display.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.i18n import check_label, t
from ntmgis.core.text import display_name
from ntmgis.outputs.appendix._text import tr as appendix_text
from ntmgis.outputs.webmap.strings import map_strings

#: Click's English words that must not appear in a Vietnamese screen.
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message and exit.",
           "Show the version and exit.", "[default:", "required]", " TEXT", " INTEGER",
           " PATH", " FLOAT", "Error:", "Try '", "Positional arguments")
#: Their Vietnamese counterparts, which must not appear in an English screen.
VIETNAMESE = ("Cách dùng:", "Tùy chọn:", "Lệnh:", "Hiện hướng dẫn này rồi thoát.",
              "[mặc định:", "CHUỖI", "SỐ_NGUYÊN", "ĐƯỜNG_DẪN", "Lỗi:", "Xem '")


def _commands(group: click.Group, prefix=()):
    yield prefix
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = list(_commands(main))


@pytest.fixture(autouse=True)
def _no_env_lang(monkeypatch, tmp_path):
    monkeypatch.delenv("NTMGIS_LANG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ntmgis.toml here: the language comes from the line


def _run(args, **kw):
    return CliRunner().invoke(main, args, **kw)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "ntmgis")
def test_help_vietnamese(path):
    res = _run([*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Cách dùng:" in res.output and "Tùy chọn:" in res.output
    for w in ENGLISH:
        assert w not in res.output, (w, res.output)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "ntmgis")
def test_help_english(path):
    res = _run([*path, "--help", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output and "Options:" in res.output
    for w in VIETNAMESE:
        assert w not in res.output, (w, res.output)
    # The help itself is English: no Vietnamese letters outside names and decisions.
    lines = [ln for ln in res.output.splitlines()
             if not any(k in ln for k in ("Mường Tè", "QĐ", "Biểu", "nông thôn mới", "TÊN"))]
    assert not any(c in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ"
                   for c in "\n".join(lines).lower()), res.output


def test_english_from_environment_and_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("NTMGIS_LANG", "en")
    assert "Usage:" in _run(["validate", "--help"]).output
    monkeypatch.delenv("NTMGIS_LANG")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "ntmgis.toml").write_text('[area]\nlanguage = "en"\n', encoding="utf-8")
    assert "Usage:" in _run(["validate", "-w", str(ws), "--help"]).output
    assert "Cách dùng:" in _run(["validate", "-w", str(ws), "--help", "--lang", "vi"]).output


def test_status_and_category_help_name_labels():
    out = " ".join(_run(["query", "projects", "--help"]).output.split())
    assert "Tình trạng:" in out and "Đang thực hiện" in out
    assert "Loại công trình:" in out and "Giao thông" in out
    out = " ".join(_run(["query", "projects", "--help", "--lang", "en"]).output.split())
    assert "Status:" in out and "Under way" in out and "Category:" in out


@pytest.mark.parametrize(("args", "words"), [
    (["validate", "--nope"], "Không có tùy chọn '--nope'"),
    (["query", "gaps", "--year", "3000"], "Giá trị không hợp lệ cho '--year'"),
    (["query", "gaps", "--limit", "x"], "không phải là số nguyên"),
    (["init"], "Thiếu tham số 'THƯ_MỤC'"),
    (["qury"], "Không có lệnh 'qury'"),
    (["query", "access", "--by", "plane"], "không phải một trong"),
    (["validate", "extra"], "Thừa tham số"),
])
def test_usage_errors_vietnamese(args, words):
    res = _run(args)
    assert res.exit_code == 2, res.output
    assert words in res.output, res.output
    assert "Lỗi:" in res.output
    for w in ("Usage:", "Error:", "Try '", "No such", "Invalid value", "Missing argument"):
        assert w not in res.output, res.output


def test_usage_errors_english():
    res = _run(["validate", "--nope", "--lang", "en"])
    assert res.exit_code == 2
    assert "Error: No such option '--nope'" in res.output and "Usage:" in res.output


def test_validate_brief_check_names(sample_copy: Path, tmp_path: Path):
    res = _run(["validate", "-w", str(sample_copy), "--brief", "--csv",
                str(tmp_path / "v.csv")])
    assert res.exit_code == 0, res.output
    assert "khoảng hở giữa các xã" in res.output
    assert "ranh giới xã chồng lấn" in res.output
    for key in (" gap ", " overlap ", "village_far", "outside_commune"):
        assert key not in res.output, res.output
    en = _run(["validate", "-w", str(sample_copy), "--brief", "--lang", "en", "--csv",
               str(tmp_path / "v2.csv")]).output
    assert "gap between communes" in en and "village_far" not in en
    # validation.csv keeps the machine key in its check column.
    assert ",gap," in (tmp_path / "v.csv").read_text(encoding="utf-8-sig")


def test_check_labels_never_show_underscores():
    assert check_label("village_far") == "dự án xa bản đã kê khai"
    assert "_" not in check_label("some_new_check")


def test_names_display_properly():
    assert display_name("Pa ủ") == "Pa Ủ"
    assert display_name("Xã Pa ủ") == "Xã Pa Ủ"
    assert display_name("Thị trấn Mường Tè") == "Thị trấn Mường Tè"
    assert display_name("03442") == "03442"


def test_query_shows_pa_u_capitalised(built_sample):
    ws, _ = built_sample
    res = _run(["query", "gaps", "-w", str(ws.root), "--limit", "0"])
    assert res.exit_code == 0, res.output
    assert "Xã Pa Ủ" in res.output and "Pa ủ" not in res.output


def test_terms():
    assert "thư mục dữ liệu" in t("workspace_created", "vi", path="x")
    assert "vùng làm việc" not in t("workspace_missing", "vi", path="x")
    assert "đã kê khai" in t("village_far", "vi", distance=1, limit=2)
    web = map_strings("vi")
    assert web["not_in_programme"] == "Thị trấn (không xét xã NTM)"
    assert "không còn đạt" in web["change_both"]
    assert appendix_text("project_line", "vi") == web["project_lines"]


def test_every_check_the_code_logs_has_a_label():
    """validate --brief names checks in words: a check logged without a label would show
    as its key ("roadmap target") in a Vietnamese line."""
    import re
    from pathlib import Path

    from ntmgis.core.i18n import _LABELS

    root = Path(__file__).resolve().parents[1] / "ntmgis"
    used = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'log\.(?:error|warning)\(\s*"([a-z_0-9]+)"', text))
        used |= set(re.findall(r'report\(\s*\w+,\s*"(?:error|warning)",\s*"([a-z_0-9]+)"',
                               text))
    assert len(used) > 30  # the scan finds the checks
    assert sorted(used - set(_LABELS["check"])) == []


def test_a_workspace_in_english_speaks_english_from_a_subfolder(tmp_path, monkeypatch,
                                                                copy_sample):
    """Commands find the workspace in a parent folder; so does the language of their errors."""
    from click.testing import CliRunner

    from ntmgis.cli import main

    root = copy_sample(tmp_path / "ws")
    toml = root / "ntmgis.toml"
    text = re.sub(r'(?m)^language = ".*"$', 'language = "en"', toml.read_text(encoding="utf-8"))
    assert 'language = "en"' in text
    toml.write_text(text, encoding="utf-8")
    monkeypatch.chdir(root / "layers")
    res = CliRunner().invoke(main, ["appendix", "--dpi", "5"])
    assert res.exit_code == 2 and "Invalid value for '--dpi'" in res.output
