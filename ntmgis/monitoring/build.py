"""``ntmgis build``: check the inputs, compute the monitoring layers, write them atomically.

Output is deterministic: rows are sorted by code and year, GDAL's
``last_change`` timestamp is pinned to the workspace's data date, and nothing
random is written, so the same inputs give a byte-identical file.

A build holds the workspace's lock (:func:`ntmgis.core.safe_write.workspace_lock`)
from its "output exists" check to the rename of the finished file, so two
builds of one workspace cannot both pass that check; the second is refused.
The output may never be an input of the workspace, even with ``overwrite``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from ntmgis.core.errors import CRSWarning, ValidationFailed
from ntmgis.core.i18n import catalog, t
from ntmgis.core.issue_log import IssueLog
from ntmgis.core.progress import Progress, as_progress
from ntmgis.core.safe_write import (
    atomic_output,
    check_output_paths,
    require_writable,
    workspace_lock,
)
from ntmgis.core.workspace import Workspace
from ntmgis.inputs.load import load_inputs
from ntmgis.monitoring.checks import check_inputs
from ntmgis.monitoring.compute import compute_layers
from ntmgis.monitoring.crosswalk import aggregate_workspace
from ntmgis.monitoring.gpkg import layers_criteria_set, write_gpkg
from ntmgis.monitoring.qgis_styles import add_qgis_styles

__all__ = ["build"]

# The steps a progress bar names (``step_read``, ``step_join``, ``step_write`` are shared).
_m = catalog({
    "step_check": ("Kiểm tra dữ liệu", "Checking the data"),
    "step_2025": ("Gộp về xã sau sắp xếp 2025", "Aggregating to the 2025 communes"),
    "step_styles": ("Ghi kiểu hiển thị QGIS", "Writing the QGIS styles"),
}, t)


def build(ws: Workspace, *, lang: str = "vi", overwrite: bool = False,
          output: str | Path | None = None,
          progress: Progress | Callable[[str], None] | None = None,
          log: IssueLog | None = None) -> Path:
    """Validate the workspace's inputs and write the monitoring GeoPackage.

    Parameters
    ----------
    ws : Workspace
        The workspace; its inputs are only read.
    lang : {"vi", "en"}
        Language of messages and label columns.
    overwrite : bool
        Replace an existing output. Without it an existing file is an error.
    output : path, optional
        Where to write; defaults to ``ws.output_gpkg`` (``layers/monitoring.gpkg``).
    progress : Progress or callable, optional
        Told each step (reading, checking, joining, writing...) and how many of them
        are done (:class:`ntmgis.core.progress.Progress`); a callable hears each
        step's name. Nothing is shown by the library itself.
    log : IssueLog, optional
        Receives every issue the checks found (the warnings a build accepts).

    Returns
    -------
    Path
        The GeoPackage written.

    Raises
    ------
    ValidationFailed
        When the inputs have errors (``exc.issues`` lists all of them); nothing is written.
    OutputExistsError
        When the output exists and ``overwrite`` is false.
    OutputIsInputError
        When the output is an input of the workspace (``ntmgis.toml`` or a file it names).
    WorkspaceBusyError
        When another command holds the workspace's lock (a build under way).
    WorkspaceError
        When ``[output] gpkg`` is outside the workspace without
        ``[output] outside_workspace = true``.
    """
    if not output:
        check_output_paths(ws, lang)
    target = Path(output) if output else ws.output_gpkg
    require_writable(target, overwrite, lang, ws=ws)  # refuse before taking the lock
    with workspace_lock(ws, lang):
        return _build_locked(ws, target, lang=lang, overwrite=overwrite, progress=progress,
                             log=log)


def _build_locked(ws: Workspace, target: Path, *, lang: str, overwrite: bool,
                  progress: Progress | Callable[[str], None] | None,
                  log: IssueLog | None) -> Path:
    """The build itself, under the lock (see :func:`build`)."""
    bar = as_progress(progress)
    # checked again under the lock: another build may have written it since
    require_writable(target, overwrite, lang, ws=ws)
    crosswalk = ws.table("crosswalk_2025") is not None
    bar.begin(5 + crosswalk, "steps")
    bar.step(t("step_read", lang))
    if log is None:
        log = IssueLog(lang=lang, root=ws.root)
    inp = load_inputs(ws, log)
    bar.advance()
    bar.step(_m("step_check", lang))
    # Overlaps and gaps (warnings only) are looked for beside the rest of the build.
    log_coverage = check_inputs(inp, log, background=True)
    bar.advance()
    if log.errors:
        log_coverage()  # the report names every issue
        lines = "\n".join(i.format(lang) for i in log.errors[:20])
        more = len(log.errors) - 20
        if more > 0:
            lines += f"\n… (+{more})"
        raise ValidationFailed(
            t("validation_failed", lang, errors=len(log.errors), path="ntmgis validate")
            + "\n" + lines, log.sorted())
    try:
        # A CRS taken from the configuration is never silent (as geopandas warns on a mismatch).
        for issue in log.warnings:
            if issue.check == "no_crs":
                warnings.warn(f"{issue.file}: {issue.message}", CRSWarning, stacklevel=3)
        layers = compute_layers(inp, lang=lang, progress=bar)  # names its step (step_join)
        bar.advance()
        if crosswalk:
            bar.step(_m("step_2025", lang))
        extra = aggregate_workspace(ws, layers, lang=lang)
        if extra is not None:
            for name, frame in extra.items():
                setattr(layers, name, frame)
        bar.advance(n=int(crosswalk))
        bar.step(t("step_write", lang))
        with atomic_output(target, overwrite=overwrite, lang=lang, ws=ws) as tmp:
            write_gpkg(layers, tmp, data_date=ws.data_date)
            bar.advance()
            bar.step(_m("step_styles", lang))
            # the set the layers were built on classes commune_status (QĐ 51: 10 criteria)
            add_qgis_styles(tmp, lang=lang, cset=layers_criteria_set(layers, ws, lang=lang))
            bar.advance()
            log_coverage()  # before the file is in place: a failure there leaves nothing behind
    except BaseException:
        log_coverage()  # the thread's work is waited for, not left running
        raise
    return target
