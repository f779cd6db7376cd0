"""Safe output: refuse to overwrite without permission, never leave half-written files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ntmgis.core.errors import OutputExistsError
from ntmgis.core.i18n import t

__all__ = ["atomic_output", "require_writable", "sha256_files"]


def require_writable(path: str | Path, overwrite: bool, lang: str = "vi") -> Path:
    """Raise OutputExistsError if ``path`` exists and ``overwrite`` is false."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise OutputExistsError(t("output_exists", lang, path=p))
    return p


@contextlib.contextmanager
def atomic_output(path: str | Path, *, overwrite: bool = False, lang: str = "vi",
                  suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it
    was, so a failed run never leaves a half-written output. The temporary
    file keeps the target's suffix because GDAL picks the driver from it.
    """
    target = require_writable(path, overwrite, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=(suffix or target.suffix) + ".tmp" + target.suffix,
        dir=target.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL) want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal"),
                         Path(str(tmp) + "-shm")):
            if leftover.exists():
                leftover.unlink()


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
