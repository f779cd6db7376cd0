"""The command line: thin, Vietnamese by default, clear exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ntmgis import __version__
from ntmgis.cli import main


def _commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", list(_commands(main)))
def test_every_command_has_help(path):
    res = CliRunner().invoke(main, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Cách dùng:" in res.output  # Vietnamese by default (tests/test_language.py)
    assert len(res.output.splitlines()) > 3


def test_version_and_python_m():
    assert CliRunner().invoke(main, ["--version"]).output.strip().endswith(__version__)
    out = subprocess.run([sys.executable, "-m", "ntmgis", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert __version__ in out


def test_init_sample_then_validate_build_report(tmp_path: Path):
    runner = CliRunner()
    ws = tmp_path / "mt"
    res = runner.invoke(main, ["init", "--sample", str(ws)])
    assert res.exit_code == 0, res.output
    assert (ws / "ntmgis.toml").is_file() and (ws / "layers" / "SOURCES.md").is_file()
    assert not (ws / "layers" / "monitoring.gpkg").exists()
    res = runner.invoke(main, ["init", "--sample", str(ws)])
    assert res.exit_code == 4 and "--overwrite" in res.output

    res = runner.invoke(main, ["validate", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    assert "0 lỗi" in res.output
    assert "chồng lấn" in res.output  # the real overlaps, as warnings
    assert (ws / "validation.csv").is_file()

    res = runner.invoke(main, ["build", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    assert "monitoring.gpkg" in res.output
    res = runner.invoke(main, ["build", "-w", str(ws)])
    assert res.exit_code == 4
    assert "đã có; thêm --overwrite" in res.output

    res = runner.invoke(main, ["report", "-w", str(ws), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "4/13 = 30.8%" in res.output
    assert (ws / "reports" / "plan_vs_actual.md").is_file()


def test_bad_data_exits_1_with_the_file_row_and_column(mini_ws):
    csv = (mini_ws / "projects.csv").read_text(encoding="utf-8")
    (mini_ws / "projects.csv").write_text(csv.replace("00002,", "09999,", 1), encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", "-w", str(mini_ws)])
    assert res.exit_code == 1
    assert "LỖI projects.csv dòng 3, cột ma_xa: mã '09999' không có trong lớp ranh giới xã" \
        in res.output
    res = CliRunner().invoke(main, ["build", "-w", str(mini_ws)])
    assert res.exit_code == 1
    assert "09999" in res.output


def test_missing_workspace_exits_3(tmp_path):
    res = CliRunner().invoke(main, ["build", "-w", str(tmp_path)])
    assert res.exit_code == 3
    assert "ntmgis init" in res.output


def test_init_empty_workspace_has_templates(tmp_path):
    res = CliRunner().invoke(main, ["init", str(tmp_path / "new")])
    assert res.exit_code == 0, res.output
    toml = (tmp_path / "new" / "ntmgis.toml").read_text(encoding="utf-8")
    assert "[layers.communes]" in toml and "# " in toml
    header = (tmp_path / "new" / "layers" / "commune_status.csv").read_text(
        encoding="utf-8-sig").splitlines()[0]
    assert header.split(",")[:4] == ["MaXa", "TenXa", "Nam", "TC1"]
    assert header.endswith("TC19")
