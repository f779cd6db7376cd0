"""PostGIS helpers that need no server (the server tests are in tests/postgis/)."""

from __future__ import annotations

import pytest

from ntmgis.core.errors import WorkspaceError
from ntmgis.inputs.postgis import is_postgis_url, normalise_url
from ntmgis.outputs.postgis_store import schema_name, write_postgis


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgresql://gis@so-tnmt.laichau/ntm", True),
        ("postgres://gis@localhost/ntm", True),
        ("postgresql+psycopg://gis@localhost:5433/ntm", True),
        ("  POSTGRESQL://gis@localhost/ntm", True),
        ("layers/villages.gpkg", False),
        ("C:/data/postgresql/villages.shp", False),
        (None, False),
    ],
)
def test_is_postgis_url(value, expected):
    assert is_postgis_url(value) is expected


def test_normalise_url_uses_psycopg3():
    assert normalise_url("postgres://a@h/db") == "postgresql+psycopg://a@h/db"
    assert normalise_url("postgresql+psycopg://a@h/db") == "postgresql+psycopg://a@h/db"
    with pytest.raises(WorkspaceError, match="mysql://a:\\*\\*\\*@h/db"):
        normalise_url("mysql://a:pw@h/db")


def test_schema_name_is_ascii():
    assert schema_name("Huyện Mường Tè") == "huyen_muong_te"
    assert schema_name("Tỉnh Lai Châu – 2025") == "tinh_lai_chau_2025"
    assert schema_name("2025") == "ntm_2025"


@pytest.mark.parametrize("bad", ["Muong Te", "muong-te", "pg_catalog", "mường_tè", ""])
def test_bad_schema_is_refused_before_connecting(bad):
    with pytest.raises(WorkspaceError, match="schema"):
        write_postgis({}, "postgresql://nobody@127.0.0.1:1/none", schema=bad, lang="en")
