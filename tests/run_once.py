"""Build something once per test run, whatever the number of pytest-xdist workers.

A session-scoped fixture is built once per *worker*: with ``pytest -n 2`` an expensive
output (the sample's whole appendix, 35 pages at 300 dpi) would be rendered twice.
:func:`once` builds it in a folder shared by every worker of the run, under an
exclusive ``fcntl.flock``: the first worker to ask builds it, the others wait for the
lock and reuse the result. A failed build is recorded, so the other workers report the
same error at once instead of building again.

What is built this way is shared: the tests that use it must only read it (a test that
writes copies what it needs into its own ``tmp_path``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:
    import fcntl
except ImportError:  # not on POSIX: every worker builds its own copy
    fcntl = None  # type: ignore[assignment]


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this run sees: the parent of the workers' base temp."""
    base = factory.getbasetemp()
    # pytest-xdist gives each worker a base temp ``<run's base>/popen-gwN``.
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        return base.parent
    return base


def once(factory: pytest.TempPathFactory, name: str,
         build: Callable[[Path], dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """Return ``(folder, info)``, calling ``build(folder)`` only if no worker did yet.

    ``build`` fills the empty ``folder`` and returns a JSON-able ``info`` that is
    recorded with it (e.g. the hashes of the files just after the build, which later
    readers then cannot change).
    """
    root = shared_root(factory) / "run-once"
    root.mkdir(exist_ok=True)
    folder, done, failed = root / name, root / f"{name}.json", root / f"{name}.failed"
    with open(root / f"{name}.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if done.exists():
            return folder, json.loads(done.read_text(encoding="utf-8"))
        if failed.exists():
            pytest.fail(f"{name}: built by another worker, which failed:\n"
                        + failed.read_text(encoding="utf-8"), pytrace=False)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        try:
            info = build(folder)
        except BaseException as exc:
            failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
            raise
        done.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        return folder, info
