"""The progress bar of long commands (issue 13): on a terminal only, outputs unchanged.

:mod:`ntmgis.core.progress` draws a bar naming the step under way (and counting pages,
steps or directions) on standard error when it is a terminal. These tests draw it on
a fake terminal (a ``StringIO`` that says it is one) and on a real pseudo-terminal,
check that a pipe gets nothing, and that every output is the same byte for byte with
and without the bar.
"""

from __future__ import annotations

import hashlib
import io
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ntmgis.core.progress import PROGRESS_ENV, Progress, as_progress, unit_text, wants_progress

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _Terminal(io.StringIO):
    """A stream that says it is a terminal (rich then draws on it)."""

    def isatty(self) -> bool:
        return True


def _shown(stream: io.StringIO) -> str:
    """What was drawn, escape codes removed (a redrawn line is one of several)."""
    return ANSI.sub("", stream.getvalue())


def _digests(folder: Path, pattern: str) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob(pattern)) if p.is_file()}


@pytest.fixture
def wide(monkeypatch):
    """A wide terminal, so that no step name is cut short; the bar not turned off."""
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.delenv(PROGRESS_ENV, raising=False)


# --------------------------------------------------------------------------- the object

def test_wants_progress_only_on_a_terminal(monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    assert wants_progress(_Terminal())
    assert not wants_progress(io.StringIO())
    closed = io.StringIO()
    closed.close()
    assert not wants_progress(closed)  # a closed stream (isatty raises): no bar, no error
    for off in ("0", "no", "off", "false"):
        monkeypatch.setenv(PROGRESS_ENV, off)
        assert not wants_progress(_Terminal())


@pytest.mark.parametrize(("lang", "count", "title"), [
    ("vi", "2/3 trang", "Vẽ bản đồ web"),
    ("en", "2/3 pages", "Drawing the web maps"),
])
def test_bar_names_steps_and_counts_on_a_terminal(wide, lang, count, title):
    term = _Terminal()
    with Progress(title, lang, enabled=wants_progress(term), stream=term) as bar:
        bar.step("Đọc dữ liệu" if lang == "vi" else "Reading data")
        bar.begin(3, "pages")
        time.sleep(0.06)  # items are drawn at most 20 times a second
        bar.advance("Tiêu chí 1: Quy hoạch")
        time.sleep(0.06)
        bar.advance("Xã [Mường] Tè")  # brackets from the data print as they are
    shown = _shown(term)
    for words in (title, count, "Tiêu chí 1: Quy hoạch", "Xã [Mường] Tè",
                  "Đọc dữ liệu" if lang == "vi" else "Reading data"):
        assert words in shown, (words, shown)
    assert unit_text("directions", lang, 4, 16) in ("4/16 hướng", "4/16 directions")


def test_many_quick_items_are_not_each_drawn(wide):
    term = _Terminal()
    with Progress("Truy vấn", "vi", enabled=True, stream=term, total=5000) as bar:
        for i in range(1, 5001):
            bar.advance(f"Xã {i}")
    frames = _shown(term).count("Truy vấn")
    assert 1 < frames < 200  # a drawing costs ~1 ms: not 5000 of them
    assert "5000/5000" in _shown(term) and "Xã 5000" in _shown(term)  # the last is drawn


def test_nothing_on_a_pipe(wide):
    pipe = io.StringIO()
    with Progress("Dựng lớp giám sát", "vi", enabled=wants_progress(pipe), stream=pipe) as bar:
        bar.step("Đọc dữ liệu")
        bar.begin(2, "steps")
        bar.advance("x")
    assert pipe.getvalue() == ""
    assert (bar.done, bar.total, bar.what) == (1, 2, "x")  # counts kept, nothing drawn


def test_as_progress_takes_a_callable_or_nothing():
    heard: list[str] = []
    bar = as_progress(heard.append)
    bar.step("một")
    bar.begin(2, "steps", what="hai")  # a callable hears steps only, not counts
    bar.advance("ba")
    bar("bốn")
    assert heard == ["một", "bốn"]
    silent = as_progress(None)
    silent.step("x")
    silent.advance()
    assert silent.done == 1
    p = Progress()
    assert as_progress(p) is p


# --------------------------------------------------------------------------- the library

@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The repository's sample, copied and built once (read-only use)."""
    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    root = tmp_path_factory.mktemp("progress") / "ws"
    root.mkdir()
    (root / "ntmgis.toml").write_bytes((REPO / "ntmgis.toml").read_bytes())
    import shutil

    shutil.copytree(REPO / "layers", root / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg", "*.tmp*"))
    ws = load_workspace(root)
    build(ws, overwrite=True)
    return ws


@pytest.mark.parametrize(("lang", "steps"), [
    ("vi", ["Đọc dữ liệu", "Kiểm tra dữ liệu", "Ghép dữ liệu", "Gộp về xã sau sắp xếp 2025",
            "Ghi lớp bản đồ", "Ghi kiểu hiển thị QGIS"]),
    ("en", ["Reading data", "Checking the data", "Joining", "Aggregating to the 2025 communes",
            "Writing layers", "Writing the QGIS styles"]),
])
def test_build_names_its_steps_and_writes_the_same_bytes(sample, tmp_path, wide, lang, steps):
    from ntmgis.monitoring.build import build

    heard: list[str] = []
    quiet = build(sample, lang=lang, output=tmp_path / "quiet.gpkg", progress=heard.append)
    assert heard == steps  # the sample has a 2025 crosswalk: six steps, in order
    term = _Terminal()
    with Progress("build", lang, enabled=True, stream=term) as bar:
        shown = build(sample, lang=lang, output=tmp_path / "shown.gpkg", progress=bar)
    text = _shown(term)
    assert all(s in text for s in steps), text
    assert ("bước 6/6" if lang == "vi" else "step 6/6") in text
    assert quiet.read_bytes() == shown.read_bytes()


def test_map_names_each_page_and_writes_the_same_bytes(sample, wide):
    from dataclasses import replace

    from ntmgis.outputs.webmap import render_maps

    # two folders of maps inside the workspace (the maps may not be written outside it)
    ws_quiet = replace(sample, maps_dir=sample.root / "maps_quiet")
    ws_shown = replace(sample, maps_dir=sample.root / "maps_shown")
    render_maps(ws_quiet, lang="en", overwrite=True)
    term = _Terminal()
    with Progress("map", "en", enabled=True, stream=term) as bar:
        paths = render_maps(ws_shown, lang="en", overwrite=True, progress=bar)
    text = _shown(term)
    n = len(paths)
    for words in ("Reading data", "Preparing the maps", "New rural development overview map",
                  "Criterion 2: Transport", "All maps", f"{n}/{n} pages"):
        assert words in text, (words, text)
    quiet = _digests(ws_quiet.maps_dir, "**/*.html")
    assert len(quiet) == n and quiet == _digests(ws_shown.maps_dir, "**/*.html")


def test_map_pages_in_vietnamese(sample, wide):
    from dataclasses import replace

    from ntmgis.outputs.webmap import render_maps

    term = _Terminal()
    with Progress("map", "vi", enabled=True, stream=term) as bar:
        render_maps(replace(sample, maps_dir=sample.root / "maps_vi"), lang="vi",
                    overwrite=True, progress=bar)
    text = _shown(term)
    for words in ("Đọc dữ liệu", "Chuẩn bị bản đồ (đơn giản hóa ranh giới",
                  "Tiêu chí 2: Giao thông", "Danh sách bản đồ", "trang"):
        assert words in text, (words, text)


@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ("Đọc bản đồ độ cao", "Dựng đồ thị di chuyển 16 hướng", "16/16 hướng",
            "Tìm thời gian tới cơ sở gần nhất (Dijkstra)", "Ghi bản đồ số phút")),
    ("en", ("Reading the elevation raster", "Building the 16-direction travel graph",
            "16/16 directions", "(Dijkstra)", "Writing the minutes raster")),
])
def test_terrain_access_counts_the_moves_and_gives_the_same_result(sample, tmp_path, wide,
                                                                   lang, words):
    from ntmgis.analysis.access import access

    quiet = access(sample, by="terrain", raster_out=tmp_path / "quiet.tif", lang=lang)
    term = _Terminal()
    with Progress("access", lang, enabled=True, stream=term) as bar:
        shown = access(sample, by="terrain", raster_out=tmp_path / "shown.tif", lang=lang,
                       progress=bar)
    text = _shown(term)
    for w in words:
        assert w in text, (w, text)
    assert quiet.drop(columns="geometry").equals(shown.drop(columns="geometry"))
    assert (tmp_path / "quiet.tif").read_bytes() == (tmp_path / "shown.tif").read_bytes()


# --------------------------------------------------------------------------- the commands

# What a bar would leave on standard error: its titles, steps, counts, drawing.
_BAR_WORDS = ("Dựng lớp giám sát", "Vẽ bản đồ web", "Tính khả năng tiếp cận", "Truy vấn",
              "Kiểm tra dữ liệu", "Lập báo cáo", "Đọc dữ liệu", "bước ", " trang", " hướng",
              "━", "\r", "\x1b")


@pytest.mark.parametrize("args", [
    ["build", "--overwrite"],
    ["map", "--overwrite"],
    ["query", "access", "--by", "terrain", "--overwrite", "--limit", "2"],
    ["query", "gaps", "--limit", "2"],
    ["query", "misplaced", "--limit", "2"],
    ["query", "projects", "--limit", "2"],
    ["validate", "--overwrite"],
    ["report", "--overwrite"],
], ids=lambda a: " ".join(a[:3]))
def test_commands_print_no_bar_when_not_a_terminal(sample, monkeypatch, args):
    from ntmgis.cli import main

    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    res = CliRunner().invoke(main, [*args, "-w", str(sample.root)])
    assert res.exit_code == 0, res.output
    for w in _BAR_WORDS:
        assert w not in res.stderr, (w, res.stderr)
    if args[0] != "build":  # build reports its warnings' count there, as before
        assert res.stderr == ""


def _on_a_pty(args: list[str], cwd: Path, **env: str) -> tuple[int, str, str]:
    """Run ``python -m ntmgis args`` with standard error on a pseudo-terminal, stdout a file."""
    full_env = {k: v for k, v in os.environ.items() if k != PROGRESS_ENV}
    full_env.update(PYTHONPATH=str(REPO), COLUMNS="200", TERM="xterm", **env)
    master, slave = pty.openpty()
    err = bytearray()
    with tempfile.TemporaryFile() as out:
        with subprocess.Popen([sys.executable, "-m", "ntmgis", *args], cwd=cwd, env=full_env,
                              stdout=out, stderr=slave, stdin=subprocess.DEVNULL) as proc:
            os.close(slave)
            while True:  # drain the terminal while the command runs (a full pty blocks it)
                ready, _, _ = select.select([master], [], [], 0.2)
                chunk = b""
                if ready:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:  # the command has closed its end
                        break
                    err += chunk
                if not chunk and proc.poll() is not None:
                    break
        os.close(master)
        out.seek(0)
        text = out.read().decode("utf-8")
    return proc.returncode, text, ANSI.sub("", err.decode("utf-8", "replace"))


def test_build_draws_its_bar_on_a_real_terminal_only(sample):
    code, out, err = _on_a_pty(["build", "--overwrite"], sample.root)
    assert code == 0, err
    assert "Dựng lớp giám sát" in err and "Ghi kiểu hiển thị QGIS" in err and "bước" in err
    assert "Dựng lớp giám sát" not in out and out.startswith("Đã ghi các lớp giám sát")
    code, out, err = _on_a_pty(["--lang", "en", "map", "--overwrite"], sample.root,
                               **{PROGRESS_ENV: "0"})
    assert code == 0, err
    assert "Drawing the web maps" not in err and "pages" not in err  # turned off
