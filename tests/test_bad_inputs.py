"""The corpus of bad inputs (tests/data/bad): each case must be reported precisely.

Every case folder replaces some files of tests/data/mini (``_delete`` lists
files to remove; ``replace = [["old", "new"], ...]`` in expect.toml edits
``ntmgis.toml``). Two kinds of case:

- a *check* case names the check, severity, file, row, column and value that
  ``validate`` must report;
- a *command* case (``command = ["build", "-w", "{ws}"]``) runs the command
  line in-process and names the exit code (``exit``) and the words the
  output must hold (``says``, a list; ``lang`` picks the language). It must
  never end in a traceback.

In both, the input files must come out unmodified.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from ntmgis.core.workspace import load_workspace
from ntmgis.monitoring.checks import validate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BAD = Path(__file__).resolve().parent / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


def _kind(case: str) -> str:
    text = (BAD / case / "expect.toml").read_text(encoding="utf-8")
    return "command" if tomllib.loads(text).get("command") else "check"


CHECK_CASES = [c for c in CASES if _kind(c) == "check"]
COMMAND_CASES = [c for c in CASES if _kind(c) == "command"]


def _overlay(case_dir: Path, ws_dir: Path) -> dict:
    expect = tomllib.loads((case_dir / "expect.toml").read_text(encoding="utf-8"))
    for f in case_dir.iterdir():
        if f.name == "expect.toml":
            continue
        if f.name == "_delete":
            for name in f.read_text(encoding="utf-8").split():
                (ws_dir / name).unlink()
            continue
        shutil.copyfile(f, ws_dir / f.name)
    if expect.get("replace"):
        toml_path = ws_dir / "ntmgis.toml"
        toml = toml_path.read_text(encoding="utf-8")
        for old, new in expect["replace"]:
            assert old in toml, f"{case_dir.name}: {old!r} is not in ntmgis.toml"
            toml = toml.replace(old, new)
        toml_path.write_text(toml, encoding="utf-8")
    if (case_dir / "villages.shp").exists():
        toml = (ws_dir / "ntmgis.toml").read_text(encoding="utf-8")
        toml = toml.replace('path = "villages.geojson"', 'path = "villages.shp"')
        if expect.get("config") == "no_assume_crs":
            toml = toml.replace('assume_crs = "EPSG:9205"\n', "")
        (ws_dir / "ntmgis.toml").write_text(toml, encoding="utf-8")
    return expect


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and p.name != "validation.csv"}


def test_mini_workspace_is_clean(mini_ws):
    log = validate(load_workspace(mini_ws))
    assert log.errors == []
    assert log.warnings == []


def test_corpus_is_not_empty():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CHECK_CASES)
def test_bad_input_is_reported(case, mini_ws):
    expect = _overlay(BAD / case, mini_ws)
    before = _digests(mini_ws)
    log = validate(load_workspace(mini_ws), csv_path=mini_ws / "validation.csv")
    hits = [i for i in log.issues if i.check == expect["check"]]
    assert hits, f"{case}: no {expect['check']} in {[i.format() for i in log.issues]}"
    hit = hits[0]
    assert hit.severity == expect["severity"]
    assert Path(hit.file).name == expect["file"]
    if "row" in expect and expect["row"]:
        assert hit.row == expect["row"]
    if "column" in expect:
        assert hit.column == expect["column"]
    if "value" in expect:
        assert hit.value == expect["value"]
    assert hit.message  # a sentence for a person, not just a code
    assert hit.expected  # and what was expected instead
    # Errors make validate fail; a warning-only case must not produce errors.
    if expect["severity"] == "warning":
        assert log.errors == [], [i.format() for i in log.errors]
    # Inputs are never modified; the CSV lists the same issue.
    assert _digests(mini_ws) == before
    text = (mini_ws / "validation.csv").read_text(encoding="utf-8-sig")
    assert expect["check"] in text


@pytest.mark.parametrize("case", COMMAND_CASES)
def test_bad_input_command_says_what_is_wrong(case, mini_ws, tmp_path):
    from click.testing import CliRunner

    from ntmgis.cli import main

    expect = _overlay(BAD / case, mini_ws)
    before = _digests(mini_ws)
    args = [a.replace("{ws}", str(mini_ws)).replace("{tmp}", str(tmp_path))
            for a in expect["command"]]
    if expect.get("lang"):
        args += ["--lang", expect["lang"]]
    result = CliRunner().invoke(main, args)
    out = result.output
    # A user's mistake is a message, never a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case}: traceback\n{out}")
    assert "Traceback" not in out, f"{case}: traceback in output\n{out}"
    assert result.exit_code == expect["exit"], f"{case}: exit {result.exit_code}\n{out}"
    for words in expect.get("says", []):
        assert words in out, f"{case}: {words!r} not in\n{out}"
    assert _digests(mini_ws) == before, f"{case}: an input was modified"


def test_messages_are_vietnamese_by_default_and_english_on_request(mini_ws):
    _overlay(BAD / "unknown_code", mini_ws)
    vi = validate(load_workspace(mini_ws))
    en = validate(load_workspace(mini_ws), lang="en")
    vi_msg = next(i for i in vi.issues if i.check == "unknown_code").format("vi")
    en_msg = next(i for i in en.issues if i.check == "unknown_code").format("en")
    assert vi_msg.startswith("LỖI projects.csv dòng 3, cột ma_xa: mã '09999' không có")
    assert en_msg.startswith("ERROR projects.csv row 3, column ma_xa: code '09999' is not in")
