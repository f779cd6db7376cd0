"""A progress bar naming each page of the map appendix, on a terminal only.

Rendering a province atlas takes minutes; a bar that names the page just drawn
tells the user the run is alive and how far it is. It is drawn with rich (a
dependency of the project already) on standard error, and only when standard
error is a terminal: logs, pipes, notebooks and tests stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import IO

from ntmgis.outputs.appendix._text import tr

__all__ = ["PageProgress", "wants_progress"]


def wants_progress(stream: IO[str] | None = None) -> bool:
    """Whether a progress bar belongs on ``stream`` (standard error by default): a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


class PageProgress:
    """``with PageProgress(total, lang, enabled) as bar: bar.page_done(name)``.

    Parameters
    ----------
    total : int
        Number of pages to render.
    lang : {"vi", "en"}
        Language of the bar's words.
    enabled : bool
        Draw the bar; when false every method does nothing.
    stream : file, optional
        Where to draw (standard error by default).
    """

    def __init__(self, total: int, lang: str, enabled: bool,
                 stream: IO[str] | None = None) -> None:
        self.total, self.lang, self.enabled = total, lang, enabled
        self.done = 0
        self._stream = stream
        self._progress = None
        self._task = None

    def __enter__(self) -> PageProgress:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(file=self._stream or sys.stderr, highlight=False)
        self._progress = Progress(
            TextColumn("{task.fields[title]}"), BarColumn(),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console, transient=True, redirect_stdout=False, redirect_stderr=False)
        self._progress.start()
        self._task = self._progress.add_task("", total=self.total, count=self._count(),
                                             title=tr("progress_title", self.lang))
        return self

    def _count(self) -> str:
        return tr("progress_pages", self.lang, done=self.done, total=self.total)

    def page_done(self, name: str) -> None:
        """One more page rendered: ``name`` is shown beside the bar."""
        self.done += 1
        if self._progress is not None:
            # markup off: a commune name with brackets must print as it is
            from rich.markup import escape

            # refreshed now, not at the next tick: pages can be quicker than a tick
            self._progress.update(self._task, advance=1, description=escape(name),
                                  count=self._count(), refresh=True)

    def step(self, what: str) -> None:
        """A step after the pages (writing the PDF) shown in place of a page name."""
        if self._progress is not None:
            from rich.markup import escape

            self._progress.update(self._task, description=escape(what), refresh=True)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
