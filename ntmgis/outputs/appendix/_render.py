"""Rendering the chosen pages: in this process, or in a pool of processes.

Where the time goes (the sample's 35 pages, PDF + 300-dpi PNG, thread CPU under
cProfile, before the text caches): drawing at 300 dpi 0,47 s a page, the PDF
0,42 s, building the figure 0,31 s, closing the PDF 0,09 s; PNG encoding (about
0,17 s, numpy filter + zlib, see :func:`~ntmgis.outputs.appendix._worker.png_bytes`)
runs in a thread. Text is 72 % of both drawings: laying out each text (0,13 s),
shaping its string (libraqm, 0,08 s), then glyph by glyph rasterising (Agg) or
writing (PDF). Layouts, shaped strings and text metrics are now shared by the
pages of a run (:mod:`._rc`; same bytes), each distinct relief image and each
long path drawn again is written once into the PDF (:mod:`._imagecache`).

In parallel, each worker builds a page, draws its PDF page into a record
(:mod:`._record`: the content stream's bytes and the calls that name the file's
resources or write its texts), then draws and writes the PNG; the parent replays
the records in page order into the PDF, the bytes the serial loop writes (tested).
Before, the worker pickled the figure and the parent unpickled and drew it again:
0,3 s of a page's CPU in the parent of a 100-commune atlas, a serial bottleneck
beside the two workers; a replay costs it about 0,08 s (mostly compressing the
stream). One pool renders every file of a split atlas.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ntmgis.core.errors import OptionError
from ntmgis.core.progress import Progress
from ntmgis.outputs.appendix._text import tr

__all__ = ["Job", "RunStats", "LAST_RUN", "resolve_workers", "render_pages", "render_jobs",
           "job_for", "WORKERS_ENV"]

#: Environment variable with the number of page-rendering processes (1: in this process).
WORKERS_ENV = "NTMGIS_WORKERS"


@dataclass
class Job:
    """What to render: the pages chosen and where their files go."""

    ctx: Any  # the pages' Context
    pages: list[tuple[int, int]]  # (index in the plan, page number)
    names: list[str]  # a human name per chosen page, for the progress bar
    pdf: Path | None  # where the PDF goes (None: no PDF)
    pngs: list[Path] | None  # one PNG path per chosen page (None: no PNG)
    dpi: int
    meta: dict[str, Any]  # PDF metadata
    lang: str


@dataclass
class RunStats:
    """How the last render went (read by ``benchmarks/appendix_time.py``)."""

    workers: int = 1
    pages: int = 0
    wall: float = 0.0
    cpu_parent: float = 0.0
    cpu_pages: list[float] = field(default_factory=list)  # per page, in the worker

    @classmethod
    def total(cls, runs: list[RunStats]) -> RunStats:
        """The figures of several runs (the files of a split appendix) as one."""
        return cls(workers=max((r.workers for r in runs), default=1),
                   pages=sum(r.pages for r in runs), wall=sum(r.wall for r in runs),
                   cpu_parent=sum(r.cpu_parent for r in runs),
                   cpu_pages=[c for r in runs for c in r.cpu_pages])

    @property
    def cpu_total(self) -> float:
        """CPU seconds of the whole run: this process and the workers' pages."""
        return self.cpu_parent + (sum(self.cpu_pages) if self.workers > 1 else 0.0)


#: Figures of the last :func:`render_pages` call (of every file of the last split
#: appendix, once :func:`~ntmgis.outputs.appendix.render_appendix` returns).
LAST_RUN = RunStats()


def _usable_cpus() -> int:
    """Cores this process may run on (a container's or ``taskset``'s limit included)."""
    if hasattr(os, "sched_getaffinity"):
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except OSError:  # pragma: no cover - an odd platform
            pass
    return max(1, os.cpu_count() or 1)


def resolve_workers(workers: int | str | None, lang: str) -> int:
    """The number of page-rendering processes: ``workers``, else ``NTMGIS_WORKERS``, else cores.

    Raises
    ------
    OptionError
        ``workers`` (or the environment variable) is not a whole number >= 1.
    """
    raw: Any = workers
    if raw is None:
        raw = os.environ.get(WORKERS_ENV, "").strip() or None
    if raw is None:
        return _usable_cpus()
    try:
        n = int(str(raw).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise OptionError(tr("bad_workers", lang, n=raw))
    return n


def render_pages(job: Job, workers: int, progress: bool) -> RunStats:
    """Render ``job``'s pages with ``workers`` processes (1: here); returns the run's figures."""
    return render_jobs([job], workers, progress)[0]


def render_jobs(jobs: Sequence[Job], workers: int, progress: bool) -> list[RunStats]:
    """Render several files' pages (a split appendix) with ``workers`` processes (1: here).

    In parallel one pool renders every file's pages, and keeps rendering the next
    file's first pages while this process closes a file (its fonts are subset then,
    about a second): a pool per file started its workers and warmed their caches
    (text, glyphs, relief) again for each file, and idled while the file closed.
    Returns each file's figures.
    """
    from ntmgis.outputs.appendix._carto import clear_views
    from ntmgis.outputs.appendix._imagecache import clear_cache

    total = sum(len(j.pages) for j in jobs)
    workers = max(1, min(workers, total))
    runs = [RunStats(workers=workers, pages=len(j.pages)) for j in jobs]
    try:
        if workers > 1 and len({id(j.ctx) for j in jobs}) == 1:
            _parallel(jobs, workers, progress, runs)
        else:  # (jobs of different contexts: a pool each)
            for job, stats in zip(jobs, runs, strict=True):
                if workers == 1 or len(job.pages) <= 1:
                    stats.workers = 1
                    _timed(stats, lambda job=job, stats=stats: _serial_job(job, progress, stats))
                else:
                    _parallel([job], workers, progress, [stats])
    finally:
        clear_cache()  # the resampled relief is only reused within a run
        clear_views()
        LAST_RUN.__dict__.update(RunStats.total(runs).__dict__)
    return runs


def _timed(stats: RunStats, work: Callable[[], None]) -> None:
    """Run ``work()``, adding its wall and this process's CPU seconds to ``stats``."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        work()
    finally:
        stats.wall += time.perf_counter() - t0
        stats.cpu_parent += time.process_time() - c0


def _serial_job(job: Job, progress: bool, stats: RunStats) -> None:
    """One file's pages, rendered in this process, under its progress bar."""
    with Progress(tr("progress_title", job.lang), job.lang, enabled=progress,
                  total=len(job.pages), unit="pages") as bar:
        _serial(job, bar, stats)


def _serial(job: Job, bar: Progress, stats: RunStats) -> None:
    """Build each page once; write it to the PDF, then draw it at ``dpi`` for its PNG.

    PNG compression runs in a worker thread (zlib releases the GIL) while the
    next page is drawn, so two cores are used without a second process.
    """
    from concurrent.futures import ThreadPoolExecutor

    import matplotlib

    from ntmgis.outputs.appendix._pages import plan_pages
    from ntmgis.outputs.appendix._rc import RC as _RC
    from ntmgis.outputs.appendix._rc import shared_text_metrics
    from ntmgis.outputs.appendix._worker import draw_png, write_png

    every = plan_pages(job.ctx)
    pending: list[Future] = []
    with (matplotlib.rc_context(_RC), shared_text_metrics(),
          ThreadPoolExecutor(max_workers=1) as pool):
        pdf = _open_pdf(job)
        try:
            for i, (index, number) in enumerate(job.pages):
                c0 = time.process_time()
                page = every[index][2](number)
                if pdf is not None:
                    _named(pdf.savefig, job.pdf, page.fig)
                if job.pngs:
                    rgba = draw_png(page, job.dpi)
                    while len(pending) >= 2:  # bound memory: at most two pages waiting
                        pending.pop(0).result()
                    pending.append(pool.submit(write_png, rgba, job.pngs[i], job.dpi))
                del page  # figures are not kept: memory stays at one page
                stats.cpu_pages.append(time.process_time() - c0)
                bar.advance(job.names[i])
            for f in pending:
                f.result()
            if pdf is not None:
                bar.step(tr("progress_pdf", job.lang))
        finally:
            _close_pdf(pdf, job)


def _close_pdf(pdf: Any, job: Job) -> None:
    """Close the PDF; its write error names the file, and never hides an earlier error.

    matplotlib's PDF writer reports a full disk as an ``OSError`` without a file name
    (the message would say "không ghi được ?"); while another error is on its way out
    (a full disk met by a PNG, say), a second one from closing would replace it.
    """
    if pdf is None:
        return
    failing = sys.exc_info()[1] is not None
    try:
        pdf.close()
    except OSError as exc:
        if failing:
            return
        if exc.filename is None:
            exc.filename = str(job.pdf)
        raise


def _named(write: Any, path: Any, *args: Any) -> None:
    """``write(*args)``, a file-system error naming ``path`` when the system gave no name."""
    try:
        write(*args)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def _open_pdf(job: Job):
    from ntmgis.outputs.appendix._imagecache import SharedImagesPdfPages

    return SharedImagesPdfPages(job.pdf, metadata=job.meta) if job.pdf is not None else None


def _start_method() -> str:
    """'forkserver' where there is one, else 'spawn'; never a plain 'fork'.

    Forking this process copies its threads' locks (numpy's BLAS starts threads at
    import), which can hang a child and makes Python 3.12+ warn. A fork server is a
    fresh single process: workers forked from it start in milliseconds, with the
    page modules already imported (it preloads them once per run of the program).
    """
    import multiprocessing as mp

    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def _parallel(jobs: Sequence[Job], workers: int, progress: bool,
              runs: list[RunStats]) -> None:
    """Pages built, drawn and their PNGs written in ``workers`` processes; the PDFs here.

    The jobs share one context (the pool's). Each worker draws its pages' PDF pages
    into records (:mod:`._record`) that this process replays, in page order, into
    each job's PDF: the bytes the serial loop writes.
    """
    import multiprocessing as mp

    import matplotlib

    from ntmgis.outputs.appendix._rc import RC as _RC
    from ntmgis.outputs.appendix._rc import shared_text_metrics
    from ntmgis.outputs.appendix._worker import init_worker, render_page

    ctx = mp.get_context(_start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["ntmgis.outputs.appendix._worker"])
    rc = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
    t0, c0 = time.perf_counter(), time.process_time()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                               initargs=(jobs[0].ctx, rc))
    # every page of every file in order; a few ahead of the PDF being written, not all
    order = [(job, i) for job in jobs for i in range(len(job.pages))]
    window = 2 * workers
    futures: dict[int, Future] = {}
    images: dict = {}  # the pixels of the images the records name, by digest

    def submit(k: int) -> None:
        job, i = order[k]
        index, number = job.pages[i]
        png = str(job.pngs[i]) if job.pngs else None
        try:
            futures[k] = pool.submit(render_page, index, number, png, job.dpi,
                                     job.pdf is not None)
        except BrokenProcessPool:  # a worker died before this page was handed out
            raise BrokenProcessPool(tr("worker_died", job.lang)) from None

    try:
        with matplotlib.rc_context(_RC), shared_text_metrics():
            ahead = done = 0
            for job, stats in zip(jobs, runs, strict=True):
                with Progress(tr("progress_title", job.lang), job.lang, enabled=progress,
                              total=len(job.pages), unit="pages") as bar:
                    pdf = _open_pdf(job)
                    try:
                        for i in range(len(job.pages)):
                            while ahead < len(order) and ahead < done + window:
                                submit(ahead)
                                ahead += 1
                            out, cpu = _result(futures.pop(done), job.lang)
                            done += 1
                            stats.cpu_pages.append(cpu)
                            if pdf is not None:
                                _named(_write_page, job.pdf, pdf, out, images)
                            bar.advance(job.names[i])
                        if pdf is not None:
                            bar.step(tr("progress_pdf", job.lang))
                    finally:
                        _close_pdf(pdf, job)
                # this file's time: since the last one ended (the pool's start in the first)
                t1, c1 = time.perf_counter(), time.process_time()
                stats.wall, stats.cpu_parent = t1 - t0, c1 - c0
                t0, c0 = t1, c1
    except BaseException:
        # a failed page or Ctrl-C: drop the pages not started, wait for the running ones
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _write_page(pdf: Any, out: tuple[str, Any], images: dict) -> None:
    """Add a worker's page to ``pdf``: its record replayed, or its pickled figure drawn."""
    from ntmgis.outputs.appendix._record import replay_page
    from ntmgis.outputs.appendix._worker import load_figure

    kind, payload = out
    if kind == "page":
        replay_page(pdf._ensure_file(), payload, images)
    else:
        pdf.savefig(load_figure(payload))


def _result(future: Future, lang: str) -> tuple[tuple[str, Any] | None, float]:
    """A worker's result, its error raised here as serial rendering would raise it.

    An error the user can act on (ntmgis's own, a file the system refused) is
    re-raised without the worker's traceback attached, so the command line prints
    the same one-line message as in serial mode; any other error keeps it (a bug
    must show where it happened).
    """
    from ntmgis.core.errors import NtmgisError

    try:
        return future.result()
    except BrokenProcessPool:
        raise BrokenProcessPool(tr("worker_died", lang)) from None
    except (NtmgisError, OSError, MemoryError) as exc:
        raise exc.with_traceback(None) from None


def job_for(ctx: Any, chosen: Sequence[tuple[int, int]], names: Sequence[str],
            pdf: Path | None, pngs: Sequence[Path] | None, dpi: int, meta: dict[str, Any],
            lang: str) -> Job:
    """A :class:`Job` (a helper so that callers need not know the field order)."""
    return Job(ctx=ctx, pages=list(chosen), names=list(names), pdf=pdf,
               pngs=list(pngs) if pngs else None, dpi=dpi, meta=meta, lang=lang)

