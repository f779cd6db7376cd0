"""A message, never a traceback: what the machine or a user can cause, in both languages.

The bad-input corpus (tests/data/bad/cfg_*) covers ``ntmgis.toml`` and option values
through the command line; here are the faults a folder of files cannot provoke
(a full disk, a read-only folder, Ctrl-C) and the library-level contracts.
"""

from __future__ import annotations

import errno
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.cli.exits import EXIT_INTERRUPTED, EXIT_WORKSPACE, handle_errors
from ntmgis.cli.options import check_enum
from ntmgis.core.errors import DataError, OptionError, WorkspaceError
from ntmgis.core.workspace import YEAR_RANGE, load_workspace


def _command(exc: BaseException) -> click.Command:
    @click.command()
    @click.option("--lang", default=None)
    @handle_errors
    def cmd(lang: str | None) -> None:
        raise exc

    return cmd


@pytest.mark.parametrize(("code", "vi", "en"), [
    (errno.ENOSPC, "Ổ đĩa đã đầy", "The disk is full"),
    (errno.EROFS, "ổ chỉ đọc", "read-only file system"),
    (errno.EACCES, "Không có quyền", "Permission denied"),
    (errno.EISDIR, "là một thư mục", "is a folder, not a file"),
])
def test_machine_faults_name_the_path_in_both_languages(code, vi, en):
    exc = OSError(code, "strerror", "/data/ws/layers/monitoring.gpkg")
    for lang, words in (("vi", vi), ("en", en)):
        res = CliRunner().invoke(_command(exc), ["--lang", lang])
        assert res.exit_code == EXIT_WORKSPACE, res.output
        assert isinstance(res.exception, SystemExit)
        assert words in res.output and "/data/ws/layers/monitoring.gpkg" in res.output
        assert "Traceback" not in res.output


def test_a_safe_write_rename_names_its_target():
    exc = IsADirectoryError(errno.EISDIR, "Is a directory", "/ws/.tmp123", None, "/ws/out")
    res = CliRunner().invoke(_command(exc), [])
    assert "/ws/out là một thư mục" in res.output and ".tmp123" not in res.output


def test_ctrl_c_is_a_short_message_and_exit_130():
    for lang, words in (("vi", "Đã dừng theo yêu cầu"), ("en", "Interrupted")):
        res = CliRunner().invoke(_command(KeyboardInterrupt()), ["--lang", lang])
        assert res.exit_code == EXIT_INTERRUPTED == 130
        assert words in res.output and "Traceback" not in res.output


def test_a_plain_value_error_stays_a_bug():
    res = CliRunner().invoke(_command(ValueError("bug")), [])
    assert isinstance(res.exception, ValueError)


def test_workspace_not_found_follows_lang(tmp_path):
    res = CliRunner().invoke(main, ["build", "-w", str(tmp_path / "none"), "--lang", "en"])
    assert res.exit_code == 3 and "No ntmgis.toml" in res.output
    with pytest.raises(WorkspaceError, match="Không tìm thấy ntmgis.toml"):
        load_workspace(tmp_path)


def test_rich_markup_in_names_is_printed_as_typed(mini_ws):
    toml = mini_ws / "ntmgis.toml"
    name = "Huyện [/bold] Thử [link=http://x.vn]bấm[/link]"
    toml.write_text(toml.read_text(encoding="utf-8").replace('name = "Huyện Thử"',
                                                             f'name = "{name}"'),
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["report", "-w", str(mini_ws)])
    assert res.exit_code == 0, res.output
    assert name in res.output


def _edit(ws: Path, old: str, new: str) -> None:
    toml = ws / "ntmgis.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_years_are_bounded_and_ordered(mini_ws):
    _edit(mini_ws, "years = [2024, 2025]", "years = [2021, 20255]")
    with pytest.raises(WorkspaceError, match=r"\[area\] years = \[2021, 20255\]"):
        load_workspace(mini_ws)
    with pytest.raises(WorkspaceError, match=f"within {YEAR_RANGE[0]}-{YEAR_RANGE[1]}"):
        load_workspace(mini_ws, lang="en")


def test_messages_follow_the_workspace_language_without_lang(mini_ws):
    _edit(mini_ws, 'encoding = "utf-8"', 'encoding = "klingon"\nlanguage = "en"')
    with pytest.raises(WorkspaceError, match="unknown encoding"):
        load_workspace(mini_ws)


def test_swapped_words_of_a_key_are_suggested(mini_ws):
    _edit(mini_ws, "code_width", "width_code")
    with pytest.raises(WorkspaceError, match="did you mean 'code_width'"):
        load_workspace(mini_ws, lang="en")


def test_keys_others_read_are_accepted(mini_ws):
    _edit(mini_ws, "[plan]", '[criteria]\ncommune_set = "qd318-2022"\ncommune_group = "nhom1"\n'
          '[terrain]\nroad_speeds_kmh = { commune = 15 }\n[appendix]\nsource = "x"\n'
          '[checks]\nvillage_distance_m = 2500\n[output]\noutside_workspace = true\n\n[plan]')
    _edit(mini_ws, 'form = "wide"', 'form = "wide"\nblank = "unknown"\ncriterion_columns = "TC{n}"')
    _edit(mini_ws, 'code = "ma_xa"', 'code = "ma_xa"\ngroup = "nhom"')
    _edit(mini_ws, 'data_date = "2025-12-31"', "data_date = 2025-12-31")
    ws = load_workspace(mini_ws)
    assert ws.data_date == "2025-12-31" and ws.village_distance_m == 2500
    assert ws.tables["commune_status"].options == {"blank": "unknown",
                                                   "criterion_columns": "TC{n}"}
    assert ws.layers["communes"].fields["group"] == "nhom"


def test_the_samples_load():
    root = Path(__file__).resolve().parent.parent
    assert load_workspace(root).years == (2021, 2022, 2023, 2024, 2025)


def test_option_values_accept_keys_and_labels():
    assert check_enum("--status", "status", ["finished", "Hoàn thành", "hoan thanh"], "vi") \
        == ["finished"] * 3
    with pytest.raises(OptionError, match="--status: status 'done'.*preparing, under_way"):
        check_enum("--status", "status", ["done"], "en")


def test_option_values_exit_2_with_the_range(mini_ws):
    res = CliRunner().invoke(main, ["query", "gaps", "-w", str(mini_ws), "--criterion", "0"])
    assert res.exit_code == 2  # below any set: click's range check
    res = CliRunner().invoke(main, ["query", "access", "-w", str(mini_ws), "--to", "shop",
                                    "--lang", "en"])
    assert res.exit_code == 2 and "--to: facility type 'shop'" in res.output
    res = CliRunner().invoke(main, ["query", "projects", "-w", str(mini_ws),
                                    "--within-km", "-3"])
    assert res.exit_code == 2
    assert check_enum("--to", "facility", ["Trạm y tế"], "vi") == ["health_station"]


def test_a_truncated_elevation_raster_is_a_data_error(tmp_path):
    from ntmgis.analysis.terrain import read_elevation

    rasterio = pytest.importorskip("rasterio")
    import numpy as np
    from rasterio.transform import from_origin

    path = tmp_path / "dem.tif"
    # Tiled with the header first, as COGs are: the file opens and fails on reading.
    with warnings.catch_warnings():
        # rasterio's COG writer multiplies Affine objects with `*` (affine >= 3.1 warns);
        # only the making of the test file is concerned, not the reading under test.
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        with rasterio.open(path, "w", driver="COG", width=256, height=256, count=1,
                           dtype="float32", crs="EPSG:9205", nodata=-9999,
                           transform=from_origin(470000, 2490000, 30, 30)) as dst:
            dst.write(np.random.default_rng(1).random((1, 256, 256), dtype="float32") * 1000)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(DataError, match="không đầy đủ") as err:
        read_elevation(path)
    assert str(path) in str(err.value)
    with pytest.raises(DataError, match="damaged or incomplete"):
        read_elevation(path, lang="en")
