"""Workers draw the appendix's PDF pages; the parent replays them into one file, same bytes."""

from __future__ import annotations

import io
import pickle
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from ntmgis.core.workspace import load_workspace
from ntmgis.outputs.appendix import render_appendix

DATA = Path(__file__).resolve().parent / "data"
FORK_WARNING = "ignore:This process .* is multi-threaded:DeprecationWarning"


def _figure(seed: int = 0, *, link: bool = False, math: bool = False):
    """A page-like figure: relief image, hatch, transparency, markers, texts, a long path."""
    from matplotlib.figure import Figure

    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(8.27, 5.0), dpi=72)
    ax = fig.add_axes((0.05, 0.05, 0.6, 0.9))
    ax.imshow(np.add.outer(np.arange(40), np.arange(60)) % 17, cmap="Greys", alpha=0.5,
              extent=(0, 10, 0, 10))
    ax.fill([1, 4, 4, 1], [1, 1, 4, 4], hatch="//", facecolor="#ffeeaa", alpha=0.7)
    angle = np.linspace(0, 2 * np.pi, 3000)  # a long outline, drawn twice: a shared form
    r = 3.0 + 0.5 * np.random.default_rng(7).uniform(size=angle.size)  # (not simplified away)
    for _ in range(2):
        ax.plot(5 + r * np.cos(angle), 5 + r * np.sin(angle), lw=0.5, color="#345")
    ax.plot(rng.uniform(0, 10, 30), rng.uniform(0, 10, 30), "o", ms=3, color="#c33")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    for i, word in enumerate(["Xã Mường Tè", "Tiêu chí 17", "Huyện Sìn Hồ", "ffi fl"]):
        fig.text(0.7, 0.8 - 0.1 * i, word, fontsize=9 + i, rotation=10 * i)
    if link:
        fig.text(0.7, 0.2, "ntmgis", url="https://example.org")
    if math:
        fig.text(0.7, 0.1, r"$\alpha^2$")
    return fig


def _serial_pdf(figs) -> bytes:
    from ntmgis.outputs.appendix._imagecache import SharedImagesPdfPages

    out = io.BytesIO()
    pdf = SharedImagesPdfPages(out, metadata={"CreationDate": None})
    for fig in figs:
        pdf.savefig(fig)
    pdf.close()
    return out.getvalue()


def test_replayed_pages_are_the_serial_bytes():
    """Recorded, pickled, the figure then drawn at another dpi, replayed: the same PDF."""
    from ntmgis.outputs.appendix import _RC
    from ntmgis.outputs.appendix._imagecache import SharedImagesPdfPages
    from ntmgis.outputs.appendix._rc import shared_text_metrics
    from ntmgis.outputs.appendix._record import record_page, replay_page

    with matplotlib.rc_context(_RC), shared_text_metrics():
        serial = _serial_pdf([_figure(s) for s in range(3)])
        sent: set = set()
        blobs = []
        for s in range(3):
            fig = _figure(s)
            record = record_page(fig, sent)
            assert record is not None
            fig.set_dpi(40)  # the PNG is drawn before the record leaves the worker
            fig.canvas.draw()
            blobs.append(pickle.dumps(record))
        # the relief's pixels travel with the first page that shows it, not again
        images = [a for _, _, items in map(pickle.loads, blobs) for i in items
                  if type(i) is tuple and i[0] == "name" and i[1].kind == "image"
                  for a in [i[1].args[1]]]
        assert len(images) == 3 and images[0] is not None and images[1:] == [None, None]
        out = io.BytesIO()
        pdf = SharedImagesPdfPages(out, metadata={"CreationDate": None})
        store: dict = {}
        for blob in blobs:
            replay_page(pdf._ensure_file(), pickle.loads(blob), store)
        pdf.close()
    assert out.getvalue() == serial
    # (the resources' names, in the file's uncompressed tables)
    assert b"/NtmPath0 " in serial and b"/H1 " in serial and b"/M0 " in serial


@pytest.mark.parametrize("kind", ["link", "math"])
def test_what_a_record_cannot_hold_is_left_to_the_parent(kind):
    """A link or math text: no record (the worker sends the figure), its image not marked sent."""
    from ntmgis.outputs.appendix import _RC
    from ntmgis.outputs.appendix._rc import shared_text_metrics
    from ntmgis.outputs.appendix._record import record_page

    with matplotlib.rc_context(_RC), shared_text_metrics():
        sent: set = set()
        assert record_page(_figure(link=kind == "link", math=kind == "math"), sent) is None
        assert sent == set()  # the parent has not seen the image: it must come again
        assert record_page(_figure(), sent) is not None and len(sent) == 1


@pytest.fixture()
def districts(province, tmp_path: Path):
    """The built ``province`` workspace (3 districts) copied, so its outputs are this test's."""
    ws, _ = province
    root = tmp_path / "lai_chau"
    root.mkdir()
    shutil.copy(ws.config_path, root / "ntmgis.toml")
    shutil.copytree(Path(ws.root) / "layers", root / "layers")
    return load_workspace(root)


def _bytes(paths: list[Path]) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


@pytest.mark.filterwarnings(FORK_WARNING)
def test_split_appendix_one_pool_and_figures_sent_when_unrecordable(districts, monkeypatch):
    """A split appendix's files come from one pool; a page sent as a figure writes the same."""
    from concurrent import futures

    from ntmgis.outputs.appendix import _record, _render

    # PDF only: the pool and the records are what is tested (the PNGs do not go through
    # them). That a split atlas drawn by workers is the serial one's bytes is
    # tests/test_appendix_split.py's check; here the records and the figures are compared.
    kw = {"pages": "communes", "formats": "pdf", "dpi": 20, "overwrite": True, "split_above": 0}
    pools = []
    real_pool = futures.ProcessPoolExecutor

    def counted(*args, **kwargs):
        pools.append(1)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(_render, "ProcessPoolExecutor", counted)
    recorded = _bytes(render_appendix(districts, workers=2, **kw))
    assert sum(n.endswith(".pdf") for n in recorded) >= 3  # the index and two districts
    assert len(pools) == 1  # not one per file
    # workers forked from here inherit a recorder that gives up: figures are sent
    monkeypatch.setattr(_render, "_start_method", lambda: "fork")
    monkeypatch.setattr(_record, "record_page", lambda fig, sent: None)
    assert _bytes(render_appendix(districts, workers=2, **kw)) == recorded
