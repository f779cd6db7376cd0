"""Safe output: never clobber an input, never leave a half-written file or a mixed set.

* :func:`require_writable` refuses an existing output without ``overwrite``
  and, always, an output that is an input of the workspace (its
  ``ntmgis.toml`` or a file it names), whether the workspace is passed or is
  the one whose folder holds the output;
* :func:`atomic_output` writes one file beside its target and renames it into
  place; :func:`atomic_set` writes a set of files (the map pages, the appendix)
  into a temporary folder and swaps them in only when all are written;
* temporary files and folders carry the writer's process id, so the next run
  removes those of a process that is gone (:func:`remove_stale_temps`);
* :func:`workspace_lock` lets one command at a time write a workspace's
  GeoPackage (``build``, ``query --gpkg``);
* :func:`check_output_paths` refuses ``[output]`` paths outside the workspace
  unless ``[output] outside_workspace = true``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import re
import shutil
import socket
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from ntmgis.core.errors import (
    OutputExistsError,
    OutputIsInputError,
    WorkspaceBusyError,
    WorkspaceError,
)
from ntmgis.core.i18n import catalog, t
from ntmgis.core.workspace import CONFIG_NAME, Workspace, load_workspace

__all__ = ["atomic_output", "atomic_set", "check_output_paths", "LOCK_NAME",
           "protected_inputs", "refuse_input", "remove_stale_temps", "require_writable",
           "sha256_files", "workspace_lock"]

LOCK_NAME = ".ntmgis.lock"
# A temporary name without a process id comes from an ntmgis older than this
# module; it is removed once it is this old (its writer cannot be asked).
LEGACY_TEMP_AGE_S = 3600
# Files that belong to a Shapefile or MapInfo input besides the one named.
_SIDECARS = {
    ".shp": {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".fix", ".qmd"},
    ".tab": {".tab", ".dat", ".map", ".id", ".ind", ".cpg"},
}

_m = catalog({
    "output_is_input": (
        "Không ghi vào {path}: đó là dữ liệu đầu vào của thư mục dữ liệu (theo {config}); "
        "--overwrite không áp dụng cho dữ liệu đầu vào, hãy chọn đường dẫn khác",
        "Will not write {path}: it is an input of the workspace (see {config}); "
        "--overwrite never applies to inputs, choose another path",
    ),
    "output_outside": (
        "[output] {key} = {path} nằm ngoài thư mục dữ liệu {root}; nếu đúng là muốn ghi ra đó, "
        "thêm outside_workspace = true vào mục [output] của ntmgis.toml",
        "[output] {key} = {path} is outside the workspace {root}; if that is intended, add "
        "outside_workspace = true to the [output] section of ntmgis.toml",
    ),
    "busy": (
        "Vùng làm việc {root} đang được một lệnh khác ghi ({holder}); hãy chạy lại khi lệnh đó "
        "xong. Nếu chắc không còn lệnh nào chạy, xoá tệp {lock}",
        "The workspace {root} is being written by another command ({holder}); run again when "
        "it has finished. If you are sure none is running, delete {lock}",
    ),
    "holder": ("tiến trình {pid} trên máy {host}, từ {since}",
               "process {pid} on {host}, since {since}"),
    "holder_unknown": ("không rõ tiến trình", "process unknown"),
})

# ------------------------------------------------------------------ inputs


def _real(p: str | Path) -> str:
    return os.path.normcase(os.path.realpath(os.fspath(p)))


def protected_inputs(ws: Workspace) -> list[Path]:
    """The files an output must never replace: ``ntmgis.toml`` and every input it names.

    A Shapefile or MapInfo input brings its sidecar files (same name, other
    extension) with it; those are matched by :func:`refuse_input`.
    """
    return [Path(p) for p in ws.input_paths() if isinstance(p, (str, Path))]


_ENCLOSING: dict[tuple[str, int], tuple[Path, list[Path]]] = {}


def _enclosing_inputs(target: Path) -> tuple[Path, list[Path]] | None:
    """The config and inputs of the workspace whose folder holds ``target``, if any."""
    start = Path(os.path.realpath(target)).parent
    for d in (start, *start.parents):
        cfg = d / CONFIG_NAME
        if not cfg.is_file():
            continue
        try:
            key = (str(cfg), cfg.stat().st_mtime_ns)
        except OSError:
            return None
        if key not in _ENCLOSING:
            try:
                # Loaded only to learn its inputs: its own warnings were (or will be)
                # given by the command that loads it for real.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    inputs = protected_inputs(load_workspace(cfg))
            except (WorkspaceError, OSError, ValueError):
                inputs = [cfg]  # a broken configuration is still the user's file
            _ENCLOSING[key] = (cfg, inputs)
        return _ENCLOSING[key]
    return None


def _is_input(target: Path, inputs: Sequence[Path]) -> bool:
    real = _real(target)
    try:
        st = os.stat(target)
    except OSError:
        st = None
    for inp in inputs:
        r = _real(inp)
        if real == r:
            return True
        if st is not None:
            with contextlib.suppress(OSError):
                s2 = os.stat(inp)
                if (s2.st_dev, s2.st_ino) == (st.st_dev, st.st_ino):
                    return True  # a hard link or another spelling of the same file
        rp, tp = Path(r), Path(real)
        if tp.parent == rp.parent and tp.stem.lower() == rp.stem.lower() \
                and tp.suffix.lower() in _SIDECARS.get(rp.suffix.lower(), ()):
            return True
        if os.path.isdir(r) and real.startswith(r.rstrip(os.sep) + os.sep):
            return True  # inside an input folder (a File Geodatabase, say)
    return False


def refuse_input(path: str | Path, ws: Workspace | None = None, lang: str = "vi") -> Path:
    """Raise :class:`OutputIsInputError` when ``path`` is an input of a workspace.

    The workspace is ``ws`` when given, and also the one whose folder (or a
    parent of it) holds ``path``, so a caller that does not know the
    workspace still never overwrites ``ntmgis.toml`` or a file it names.
    """
    p = Path(path)
    found: list[tuple[Path, list[Path]]] = []
    if ws is not None and hasattr(ws, "input_paths"):  # a Workspace, not a stand-in
        found.append((Path(ws.config_path), protected_inputs(ws)))
    enclosing = _enclosing_inputs(p)
    if enclosing is not None:
        found.append(enclosing)
    for cfg, inputs in found:
        if _is_input(p, inputs):
            raise OutputIsInputError(_m("output_is_input", lang, path=p, config=cfg))
    return p


def require_writable(path: str | Path, overwrite: bool, lang: str = "vi", *,
                     ws: Workspace | None = None) -> Path:
    """Check that ``path`` may be written; return it as a Path.

    Raises
    ------
    OutputIsInputError
        ``path`` is an input of ``ws`` or of the workspace holding it (exit code 2:
        a wrong path was asked for; ``--overwrite`` does not change that).
    OutputExistsError
        ``path`` exists and ``overwrite`` is false (exit code 4).
    """
    p = refuse_input(path, ws, lang)
    if p.exists() and not overwrite:
        raise OutputExistsError(t("output_exists", lang, path=p))
    return p


def check_output_paths(ws: Workspace, lang: str = "vi") -> None:
    """Refuse ``[output]`` paths (gpkg, maps, reports) that lie outside the workspace.

    A configuration copied from elsewhere must not make ntmgis write into
    another folder unnoticed (``maps = "../../"``); ``[output] outside_workspace
    = true`` allows it. Paths are taken from ``ws.raw`` as written in
    ``ntmgis.toml``, relative to the workspace (an absolute one stays itself).

    Raises
    ------
    WorkspaceError
        A configured output path is outside ``ws.root`` (exit code 3).
    """
    raw = getattr(ws, "raw", None)
    out = raw.get("output", {}) if isinstance(raw, dict) else {}
    if not hasattr(ws, "root") or (isinstance(out, dict) and out.get("outside_workspace") is True):
        return
    root = Path(_real(ws.root))
    # Only what the file says: a program that sets ``maps_dir`` itself has chosen it.
    for key in ("gpkg", "maps", "reports"):
        path = out.get(key) if isinstance(out, dict) else None
        if not isinstance(path, str) or not path:
            continue
        real = Path(_real(Path(ws.root) / path))
        if real != root and root not in real.parents:
            raise WorkspaceError(_m("output_outside", lang, key=key, path=path, root=ws.root),
                                 path=ws.config_path)


# ------------------------------------------------------------ temporaries

# New names: ".<name>.ntmgis-<pid>-<random>.tmp<suffix>" and ".ntmgis-set-<pid>-<random>";
# old ones: ".<stem>.<8 random><suffix>.tmp<suffix>" and ".appendix-<8 random>".
_TEMP = re.compile(r"^(?:\..+\.ntmgis-(\d+)-[a-z0-9_]{8}\.tmp(?:\.\w+)?(?:-journal|-wal|-shm)?"
                   r"|\.ntmgis-set-(\d+)-[a-z0-9_]{8})$")
_LEGACY = re.compile(r"^(?:\..+\.[a-z0-9_]{8}(?:\.\w+)?\.tmp\.\w+(?:-journal|-wal|-shm)?"
                     r"|\.appendix-[a-z0-9_]{8})$")


def _pid_alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs on this machine; None where that cannot be asked."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) would end the process on Windows
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Remove the temporary files and folders that a killed ntmgis run left in ``folder``.

    A temporary name holds its writer's process id: it is removed when that
    process is gone (where that cannot be asked, and for names of older
    versions, when it is older than an hour). Returns what was removed.
    """
    d = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(d.iterdir())
    except OSError:
        return removed
    now = time.time()
    for e in sorted(entries):
        m = _TEMP.match(e.name)
        if m:
            alive = _pid_alive(int(m.group(1) or m.group(2)))
        elif _LEGACY.match(e.name):
            alive = None
        else:
            continue
        if alive is None:
            with contextlib.suppress(OSError):
                alive = now - e.lstat().st_mtime < LEGACY_TEMP_AGE_S
        if alive is not False:
            continue
        with contextlib.suppress(OSError):
            if e.is_dir() and not e.is_symlink():
                shutil.rmtree(e)
            else:
                e.unlink()
            removed.append(e)
    return removed


def _temp_prefix(name: str) -> str:
    return f".{name}.ntmgis-{os.getpid()}-"


def _remove_with_sidecars(tmp: Path) -> None:
    for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        if leftover.exists():
            leftover.unlink()


@contextlib.contextmanager
def atomic_output(path: str | Path, *, overwrite: bool = False, lang: str = "vi",
                  suffix: str | None = None, ws: Workspace | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it
    was, so a failed run never leaves a half-written output. The temporary
    file keeps the target's suffix because GDAL picks the driver from it; its
    name holds the process id so that a later run can remove it if this one
    is killed. ``path`` is checked with :func:`require_writable`.
    """
    target = require_writable(path, overwrite, lang, ws=ws)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(target.stem),
                                    suffix=".tmp" + (suffix or target.suffix),
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL) want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        _remove_with_sidecars(tmp)


class Staging:
    """Where :func:`atomic_set` writes a set: ``staging.path(target)`` for each target."""

    def __init__(self, folder: Path, base: Path) -> None:
        self.folder, self.base = folder, base

    def path(self, target: str | Path) -> Path:
        """The temporary file standing for ``target`` (its folders are created)."""
        p = self.folder / "new" / Path(target).relative_to(self.base)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


@contextlib.contextmanager
def atomic_set(targets: Sequence[str | Path], *, overwrite: bool = False, lang: str = "vi",
               ws: Workspace | None = None) -> Iterator[Staging]:
    """Write a set of files all at once: every target is replaced, or none is.

    Yields a :class:`Staging`; write each target to ``staging.path(target)``.
    When the block ends without an exception, the old files are moved aside and
    the new ones moved in (renames only, within one file system, so the set is
    mixed for milliseconds at most, not for the minutes of rendering); if a
    rename fails, the old set is put back. On an exception, or a target left
    unwritten, nothing is replaced. The temporary folder is always removed,
    and one left by a killed run is removed by the next.

    Raises
    ------
    OutputExistsError, OutputIsInputError
        As :func:`require_writable`, for any target, before anything is written.
    """
    paths = [require_writable(p, overwrite, lang, ws=ws) for p in targets]
    if not paths:
        yield Staging(Path(tempfile.gettempdir()), Path("/"))
        return
    base = Path(os.path.commonpath([str(p.parent.absolute()) for p in paths]))
    base.mkdir(parents=True, exist_ok=True)
    for folder in sorted({p.parent.absolute() for p in paths} | {base}):
        remove_stale_temps(folder)
    stage = Path(tempfile.mkdtemp(prefix=f".ntmgis-set-{os.getpid()}-", dir=base))
    try:
        staging = Staging(stage, base)
        yield staging
        news = [staging.path(p.absolute()) for p in paths]
        missing = [p for p, n in zip(paths, news, strict=True) if not n.is_file()]
        if missing:
            raise FileNotFoundError(t("file_missing", lang, path=missing[0]))
        _swap_in(paths, news, stage / "old")
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _swap_in(paths: list[Path], news: list[Path], old_dir: Path) -> None:
    """Move ``paths`` aside into ``old_dir`` and ``news`` onto them; undo on a failure."""
    moved: list[tuple[Path, Path | None]] = []  # (target, its old file aside or None)
    try:
        for i, (target, new) in enumerate(zip(paths, news, strict=True)):
            target.parent.mkdir(parents=True, exist_ok=True)
            aside = None
            if target.exists():
                aside = old_dir / str(i)
                aside.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, aside)
            moved.append((target, aside))
            os.replace(new, target)
    except BaseException:
        for target, aside in reversed(moved):
            with contextlib.suppress(OSError):
                if aside is not None:
                    os.replace(aside, target)
                elif target.exists():
                    target.unlink()
        raise


# ------------------------------------------------------------------- lock


def _holder_text(lock: Path, lang: str) -> str:
    try:
        pid, host, since = lock.read_text(encoding="utf-8").split("\n")[:3]
        return _m("holder", lang, pid=pid, host=host, since=since)
    except (OSError, ValueError):
        return _m("holder_unknown", lang)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: a byte-range lock, also released when the process dies
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def workspace_lock(ws: Workspace, lang: str = "vi") -> Iterator[Path | None]:
    """Hold the workspace's write lock (``.ntmgis.lock`` in its folder) for the block.

    The lock is an operating-system lock on that file (``flock`` on Linux),
    which the system releases when the holder ends, however it ends: a lock
    file left by a killed run is stale by construction and is simply taken
    over. The file names the holder's process id, machine and start time for
    the message, and is removed on release. Another command finding the lock
    held is refused at once rather than left waiting. In a read-only workspace
    folder no lock can be taken, nor is one needed: the block runs unlocked
    (``None`` is yielded).

    Raises
    ------
    WorkspaceBusyError
        Another process holds the lock (exit code 3: the workspace cannot be
        used right now).
    """
    lock = Path(ws.root) / LOCK_NAME
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            # A read-only workspace (a CD, a shared folder) can still be built elsewhere
            # with -o; nothing in it can be written, so there is nothing to guard.
            yield None
            return
        if not _try_lock(fd):
            os.close(fd)
            raise WorkspaceBusyError(
                _m("busy", lang, root=ws.root, holder=_holder_text(lock, lang), lock=lock),
                path=lock)
        # The holder before us may have removed the file between our open and our lock:
        # then we hold a lock on a file nobody else can see; start again.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        since = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n{socket.gethostname()}\n{since}\n".encode())
        yield lock
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # before unlocking, so no one locks a file that is going away
        os.close(fd)


def sha256_files(paths: list[Path]) -> str:
    """One SHA-256 over the bytes of ``paths`` (in the given order), for provenance."""
    import hashlib

    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        if p.is_file():
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()

