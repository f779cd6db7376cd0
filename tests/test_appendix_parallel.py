"""The map appendix rendered by several processes: same bytes, clean errors, quiet progress."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ntmgis.core.errors import DataError, OptionError
from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix import render_appendix

DATA = Path(__file__).resolve().parent / "data"
# A worker forked straight from the test process inherits a monkeypatched page builder;
# Python 3.12+ warns about forking a process with threads (numpy's BLAS), harmless here.
FORK_WARNING = "ignore:This process .* is multi-threaded:DeprecationWarning"


@pytest.fixture()
def relief_mini(tmp_path: Path):
    """The small test workspace, built, with an elevation raster (so pages hold relief)."""
    import rasterio
    from rasterio.transform import Affine

    from ntmgis.monitoring.build import build

    root = shutil.copytree(DATA / "mini", tmp_path / "mini")
    y, x = np.mgrid[0:60, 0:170]
    z = 400 + 900 * np.exp(-((x - 60.0) ** 2 + (y - 30.0) ** 2) / 500.0) + 3.0 * x
    with rasterio.open(root / "dem.tif", "w", driver="GTiff", width=170, height=60, count=1,
                       dtype="float32", crs="EPSG:9205",
                       transform=Affine(100, 0, 469500, 0, -100, 2485500)) as dst:
        dst.write(z.astype("float32"), 1)
    cfg = root / "ntmgis.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[terrain]\nelevation = "dem.tif"\n',
                   encoding="utf-8")
    ws = load_workspace(root)
    build(ws, overwrite=True)
    return ws


def _bytes(paths: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


def test_parallel_pages_are_the_serial_bytes(relief_mini):
    """Two workers write the files one worker writes, byte for byte (PDF and PNG)."""
    kw = {"pages": "overview,communes,investment", "dpi": 40, "overwrite": True}
    parallel = _bytes(render_appendix(relief_mini, workers=2, **kw))
    assert len(parallel) == 1 + 1 + 3 + 1  # the PDF, then one PNG per page
    assert _bytes(render_appendix(relief_mini, workers=1, **kw)) == parallel


def test_relief_resampled_once_per_frame_same_pixels(relief_mini, monkeypatch):
    """Two criterion pages share the relief's resampling; the pixels are those without it."""
    import matplotlib
    from matplotlib.image import AxesImage

    from ntmgis.outputs.appendix import _RC, _imagecache
    from ntmgis.outputs.appendix._carto import Hillshade
    from ntmgis.outputs.appendix._data import load_data
    from ntmgis.outputs.appendix._pages import Context, page_criterion
    from ntmgis.outputs.appendix._worker import draw_png

    resampled = []
    real = AxesImage.make_image

    def counted(self, renderer, magnification=1.0, unsampled=False):
        resampled.append(unsampled)
        return real(self, renderer, magnification, unsampled)

    monkeypatch.setattr(AxesImage, "make_image", counted)
    data = load_data(relief_mini, year=None, lang="vi")
    ctx = Context(data=data, lang="vi", size="A4", hillshade=Hillshade.from_raster(
        relief_mini.elevation, relief_mini.crs, data.district))
    _imagecache.clear_cache()
    with matplotlib.rc_context(_RC):
        pixels = [np.asarray(draw_png(page_criterion(ctx, n, n - 1), 40)) for n in (2, 3)]
        assert resampled == [False]  # the second page reused the first one's pixels
        monkeypatch.setattr(_imagecache, "_MAX_ENTRIES", 0)  # no cache: resampled afresh
        _imagecache.clear_cache()
        fresh = np.asarray(draw_png(page_criterion(ctx, 3, 2), 40))
    _imagecache.clear_cache()
    assert resampled == [False, False]
    assert np.array_equal(fresh, pixels[1])


def test_workers_from_the_environment_and_bad_values(relief_mini, monkeypatch):
    from ntmgis.outputs.appendix._render import LAST_RUN, resolve_workers

    monkeypatch.setenv("NTMGIS_WORKERS", "1")
    assert resolve_workers(None, "vi") == 1
    assert resolve_workers(3, "vi") == 3  # the argument wins
    render_appendix(relief_mini, pages="overview", formats="pdf")
    assert LAST_RUN.workers == 1 and LAST_RUN.pages == 1
    monkeypatch.setenv("NTMGIS_WORKERS", "nhiều")
    with pytest.raises(OptionError, match="nhiều"):
        render_appendix(relief_mini, pages="overview", formats="pdf", overwrite=True)
    monkeypatch.delenv("NTMGIS_WORKERS")
    assert resolve_workers(None, "en") >= 1
    with pytest.raises(OptionError, match="'0' is not valid"):
        resolve_workers(0, "en")


def _break_pages(monkeypatch, action) -> None:
    """Page builders that fail in the worker (forked, so that it inherits the patch)."""
    from ntmgis.outputs.appendix import _page_commune, _pages, _render

    def broken(ctx, n, code):
        action(n)

    monkeypatch.setattr(_render, "_start_method", lambda: "fork")
    monkeypatch.setattr(_pages, "page_commune", broken)
    monkeypatch.setattr(_page_commune, "page_commune", broken)


def _data_error(n: int) -> None:
    raise DataError(f"communes.geojson: xã của trang {n} không có ranh giới", path="x.geojson")


@pytest.mark.filterwarnings(FORK_WARNING)
def test_worker_error_is_the_serial_error(relief_mini, monkeypatch):
    """A user-caused error in a worker: same type and message, no worker traceback."""
    _break_pages(monkeypatch, _data_error)
    out = relief_mini.maps_dir / "appendix"
    for workers in (1, 2):
        with pytest.raises(DataError, match="trang 21 không có ranh giới") as err:
            render_appendix(relief_mini, pages="overview,communes", dpi=20, workers=workers)
        assert err.value.path == "x.geojson"
        assert err.value.__cause__ is None  # no "_RemoteTraceback" chained to it
        assert not out.exists() or not any(out.iterdir())  # nothing written

    from ntmgis.cli import main

    res = CliRunner().invoke(main, ["appendix", "-w", str(relief_mini.root), "-j", "2",
                                    "--pages", "communes", "--dpi", "20"])
    assert res.exit_code == 1
    assert "trang 21 không có ranh giới" in res.output
    assert "Traceback" not in res.output


@pytest.mark.filterwarnings(FORK_WARNING)
def test_worker_killed_is_a_clear_error(relief_mini, monkeypatch):
    _break_pages(monkeypatch, lambda n: os._exit(9))
    from ntmgis.cli import main

    res = CliRunner().invoke(main, ["appendix", "-w", str(relief_mini.root), "-j", "2",
                                    "--pages", "communes", "--dpi", "20", "--lang", "en"])
    assert res.exit_code == 3
    assert "A page-rendering process stopped abruptly" in res.output
    assert "--workers 1" in res.output and "Traceback" not in res.output


def test_unpicklable_error_still_says_what_happened():
    from ntmgis.outputs.appendix._worker import Portable, _portable

    class Local(Exception):  # a class defined in a function cannot be pickled
        pass

    err = _portable(Local("boom"))
    assert isinstance(err, Portable) and "Local: boom" in str(err)
    same = DataError("x", path="p")
    assert _portable(same) is same


def test_progress_quiet_when_not_a_terminal(relief_mini):
    from ntmgis.cli import main
    from ntmgis.core.progress import wants_progress

    assert not wants_progress(io.StringIO())
    res = CliRunner().invoke(main, ["appendix", "-w", str(relief_mini.root), "--format", "pdf",
                                    "--pages", "overview,investment"])
    assert res.exit_code == 0, res.output
    assert "Vẽ phụ lục" not in res.output and "Tổng quan" not in res.output
    assert res.output.startswith("Đã ghi phụ lục bản đồ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ("Vẽ phụ lục bản đồ", "trang", "Tổng quan", "Xã Một")),
    ("en", ("Rendering the map appendix", "pages", "Overview", "Criterion 1:")),
])
def test_progress_names_the_pages_on_a_terminal(relief_mini, monkeypatch, lang, words):
    import sys

    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setenv("COLUMNS", "200")
    from ntmgis.core.progress import Progress
    from ntmgis.outputs.appendix._text import tr

    with Progress(tr("progress_title", lang), lang, enabled=True, stream=term, total=3,
                  unit="pages") as bar:
        bar.advance("Tổng quan" if lang == "vi" else "Overview")
        bar.advance("Xã Một" if lang == "vi" else "Criterion 1: Planning")
    shown = term.getvalue()
    for w in words:
        assert w in shown, (w, shown)
    # rendering with progress on: the bar goes to standard error, the files are unchanged
    render_appendix(relief_mini, pages="overview", formats="pdf", lang=lang, workers=1)
    assert words[0] in term.getvalue()
