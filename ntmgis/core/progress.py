"""Progress of a long command: named steps and counted items, drawn on a terminal only.

Building a province's layers, drawing its maps or its atlas, or a cost-distance
over a large elevation raster takes from seconds to minutes; a bar that names
the step under way tells the user the run is alive and how far it is.

The library never decides to draw: a function that can take long accepts an
optional ``progress`` (a :class:`Progress`, or any callable taking a step's name
as older hooks did, or None) and reports to it; :func:`as_progress` turns any of
these into an object with the same methods, doing nothing for None. The command
line decides to draw, on standard error and only when standard error is a
terminal (:func:`wants_progress`), so logs, pipes, notebooks and tests stay
clean and every output is the same with or without a bar. ``NTMGIS_PROGRESS=0``
turns the bar off on a terminal too.

The bar is drawn with rich (a dependency of the project already) and is
transient: it is gone when the command ends, leaving only the command's own lines.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from ntmgis.core.i18n import catalog

__all__ = ["Progress", "as_progress", "wants_progress", "PROGRESS_ENV", "unit_text"]

#: The environment variable that turns the bar off even on a terminal (``0``, ``no``, ``off``).
PROGRESS_ENV = "NTMGIS_PROGRESS"

# What is counted: key -> (Vietnamese, English).
_UNITS = catalog({
    "pages": ("{done}/{total} trang", "{done}/{total} pages"),
    "steps": ("bước {done}/{total}", "step {done}/{total}"),
    "directions": ("{done}/{total} hướng", "{done}/{total} directions"),
    "items": ("{done}/{total}", "{done}/{total}"),
})
# A drawing costs about a millisecond: counted items are drawn at most this often (s),
# the ones between shown by the bar's own refresh (10 a second) and its last drawing.
_MIN_REDRAW = 0.05
# Units whose items take very different times: no time left is guessed from them.
_NO_ESTIMATE = frozenset({"steps"})


def unit_text(unit: str, lang: str, done: int, total: int) -> str:
    """How far a counted step is, in words: ``unit_text("pages", "vi", 3, 21) == "3/21 trang"``."""
    return _UNITS(unit, lang, done=done, total=total)


def wants_progress(stream: IO[str] | None = None) -> bool:
    """Whether a progress bar belongs on ``stream`` (standard error by default).

    True when the stream is a terminal and ``NTMGIS_PROGRESS`` does not turn the
    bar off (``0``, ``no``, ``off``, ``false``).
    """
    if os.environ.get(PROGRESS_ENV, "").strip().lower() in ("0", "no", "off", "false"):
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


class Progress:
    """A bar naming the step under way, and counting items when a step has some.

    ``with Progress(title, lang, enabled=wants_progress()) as bar:`` then, inside,
    ``bar.step(name)`` (a named step), ``bar.begin(total, unit)`` (a counted step,
    from 0), ``bar.advance(name)`` (one more item done). Calling the object with a
    name is ``step``: it can stand where a ``progress(message)`` callback was taken.

    Parameters
    ----------
    title : str
        The bar's first column (what the command does), in the user's language.
    lang : {"vi", "en"}
        Language of the count's words (``3/21 trang``).
    enabled : bool
        Draw the bar; when false every method only keeps count (nothing is printed).
    stream : file, optional
        Where to draw (standard error by default).
    total : int, optional
        Items to count from the start (same as :meth:`begin` right after entering).
    unit : str
        What ``total`` counts: ``pages``, ``steps``, ``directions`` or ``items``.
    """

    def __init__(self, title: str = "", lang: str = "vi", *, enabled: bool = False,
                 stream: IO[str] | None = None, total: int | None = None,
                 unit: str = "items") -> None:
        self.title, self.lang, self.enabled = title, lang, enabled
        self.total, self.unit, self.done = total, unit, 0
        self.what = ""
        self._stream = stream
        self._progress: Any = None
        self._task: Any = None
        self._drawn = 0.0  # time.monotonic() of the last drawing forced

    def __enter__(self) -> Progress:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        class Remaining(TimeRemainingColumn):
            """The time left, only when the items counted take about the same time."""

            def render(self, task: Any) -> Any:
                return super().render(task) if task.fields["estimate"] else ""

        console = Console(file=self._stream or sys.stderr, highlight=False)
        self._progress = RichProgress(
            TextColumn("{task.fields[title]}"), BarColumn(),
            TextColumn("{task.fields[count]}"), TimeElapsedColumn(), Remaining(),
            TextColumn("{task.description}"),
            console=console, transient=True,
            # a warning written to standard error meanwhile prints above the bar, whole;
            # standard output is never redirected (it may be a pipe while this is a terminal)
            redirect_stdout=False, redirect_stderr=self._stream in (None, sys.stderr))
        self._progress.start()
        self._task = self._progress.add_task("", total=self.total, count=self._count(),
                                             title=_escape(self.title),
                                             estimate=self.unit not in _NO_ESTIMATE)
        return self

    def _count(self) -> str:
        return "" if self.total is None else unit_text(self.unit, self.lang, self.done,
                                                       self.total)

    def _show(self, *, now: bool = True, **fields: Any) -> None:
        if self._progress is not None:
            # a step is drawn at once, not at the next tick (it can be quicker than one);
            # counted items at most every _MIN_REDRAW seconds, or thousands would cost seconds
            t = time.monotonic()
            now = now or t - self._drawn >= _MIN_REDRAW
            if now:
                self._drawn = t
            self._progress.update(self._task, description=_escape(self.what),
                                  count=self._count(), refresh=now, **fields)

    def step(self, what: str) -> None:
        """A named step begins: ``what`` is shown beside the bar (the count stays)."""
        self.what = what
        self._show()

    __call__ = step

    def begin(self, total: int, unit: str = "items", what: str | None = None) -> None:
        """A counted step begins: ``total`` items of ``unit``, none done yet."""
        self.total, self.unit, self.done = total, unit, 0
        if what is not None:
            self.what = what
        self._show(total=total, completed=0, estimate=unit not in _NO_ESTIMATE)

    def advance(self, name: str | None = None, n: int = 1) -> None:
        """``n`` more items done; ``name`` (the item just done) is shown beside the bar."""
        self.done += n
        if name is not None:
            self.what = name
        self._show(now=False, completed=self.done)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _escape(text: str) -> str:
    """``text`` as it is: a commune name with brackets must not act as rich markup."""
    from rich.markup import escape

    return escape(text)


class _Callback(Progress):
    """A plain ``progress(message)`` callable seen as a :class:`Progress`: steps only."""

    def __init__(self, say: Callable[[str], Any]) -> None:
        super().__init__()
        self._say = say

    def step(self, what: str) -> None:
        self.what = what
        self._say(what)

    __call__ = step


def as_progress(progress: Progress | Callable[[str], Any] | None) -> Progress:
    """What a library function reports to: ``progress`` itself, a callable's steps, or nothing.

    Parameters
    ----------
    progress : Progress, callable or None
        A :class:`Progress`; a callable taking a step's name (it hears the steps, not
        the counts); None (a silent :class:`Progress` that only keeps count).
    """
    if isinstance(progress, Progress):
        return progress
    if progress is None:
        return Progress()
    return _Callback(progress)
