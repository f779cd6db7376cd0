"""A real PostgreSQL + PostGIS server for the PostGIS tests.

The session fixture ``postgis_url`` starts a throwaway cluster with
``scripts/pg-test-server.sh`` (Debian's postgresql and postgresql-postgis
packages) and stops it at the end of the session. Set ``NTMGIS_TEST_POSTGRES_URL``
to use a server of your own instead (a database where ``CREATE EXTENSION
postgis`` has been run and the user may create schemas). The tests are skipped,
with the reason, only when no server can be started; set
``NTMGIS_REQUIRE_POSTGIS=1`` (CI) to make that a failure instead.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg-test-server.sh"


def _unavailable(reason: str) -> None:
    if os.environ.get("NTMGIS_REQUIRE_POSTGIS") == "1":
        pytest.fail(f"PostGIS server required (NTMGIS_REQUIRE_POSTGIS=1) but: {reason}")
    pytest.skip(f"no PostgreSQL/PostGIS server: {reason}")


@pytest.fixture(scope="session")
def postgis_url():
    """SQLAlchemy URL of a database with PostGIS, for the whole test session."""
    pytest.importorskip("sqlalchemy", reason="sqlalchemy not installed (pip install '.[postgis]')")
    pytest.importorskip("geoalchemy2", reason="geoalchemy2 not installed")
    pytest.importorskip("psycopg", reason="psycopg 3 not installed")
    own = os.environ.get("NTMGIS_TEST_POSTGRES_URL")
    if own:
        yield own
        return
    # As root the cluster runs as `postgres`, which must reach the folder: under /tmp,
    # not under a private TMPDIR.
    base = "/tmp" if hasattr(os, "geteuid") and os.geteuid() == 0 and os.path.isdir("/tmp") \
        else None
    workdir = tempfile.mkdtemp(prefix="ntmgis-pg-", dir=base)
    try:
        proc = subprocess.run(
            ["bash", str(SCRIPT), "start", workdir],
            capture_output=True, text=True, timeout=120, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        subprocess.run(["bash", str(SCRIPT), "stop", workdir], capture_output=True, check=False)
        _unavailable(f"{SCRIPT.name} could not run: {exc}")
    if proc.returncode != 0:
        subprocess.run(["bash", str(SCRIPT), "stop", workdir], capture_output=True, check=False)
        _unavailable(proc.stderr.strip() or f"{SCRIPT.name} exited with {proc.returncode}")
    url = proc.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", workdir], capture_output=True,
                       timeout=120, check=False)
