"""PostGIS helpers that need no server (the server tests are in tests/postgis/)."""

from __future__ import annotations

import socket

import pandas as pd
import pytest
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.errors import WorkspaceError
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs.postgis import is_postgis_url, normalise_url, parse_url, safe_url
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


@pytest.mark.parametrize(("url", "masked"), [
    ("postgresql://gis:pw@db.local/ntm", "postgresql://gis:***@db.local/ntm"),
    ("postgresql://gis:p@ss/w0rd@db.local:5433/ntm", "postgresql://gis:***@db.local:5433/ntm"),
    ("postgresql://gis@db.local/ntm?sslmode=require&password=pw",
     "postgresql://gis@db.local/ntm?sslmode=require&password=***"),
    ("postgresql://gis@db.local/ntm", "postgresql://gis@db.local/ntm"),
    ("layers/villages.gpkg", "layers/villages.gpkg"),
])
def test_safe_url_masks_every_password(url, masked):
    assert safe_url(url) == masked


def test_parse_url_takes_the_user_part_up_to_the_last_at():
    pytest.importorskip("sqlalchemy")
    u = parse_url("postgres://gis:p@ss/w0rd@db.local:5433/ntm?sslmode=require")
    assert (u.username, u.password, u.host, u.port, u.database) == (
        "gis", "p@ss/w0rd", "db.local", 5433, "ntm")
    assert dict(u.query) == {"sslmode": "require"}
    u = parse_url("postgresql://gis:p%40ss@[::1]:5432/ntm?password=other")
    assert (u.password, u.host, u.port) == ("other", "::1", 5432)
    assert parse_url("postgresql:///ntm").host is None


def test_a_bad_port_is_a_workspace_error_without_the_password():
    pytest.importorskip("sqlalchemy")
    with pytest.raises(WorkspaceError, match=r"postgresql://gis:\*\*\*@h:abc/db") as info:
        parse_url("postgresql://gis:Secr3t@h:abc/db", lang="en")
    assert "Secr3t" not in str(info.value)


@pytest.mark.parametrize("schema", ["public", "information_schema", "pg_temp"])
def test_shared_and_system_schemas_are_refused_before_connecting(schema):
    with pytest.raises(WorkspaceError, match=f"'{schema}' is the database's shared or system "
                                             "schema"):
        write_postgis({"a": pd.DataFrame({"x": [1]})}, "postgresql://nobody@127.0.0.1:1/none",
                      schema=schema, overwrite=True, lang="en")


def test_build_store_into_public_is_refused_before_the_build(mini_ws):
    toml = mini_ws / "ntmgis.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'name = "Huyện Thử"', 'name = "Public"'), encoding="utf-8")
    res = CliRunner().invoke(main, ["build", "-w", str(mini_ws), "--store",
                                    "postgresql://gis:Secr3t@127.0.0.1:1/ntm"])
    assert res.exit_code == 3, res.output
    assert "'public' là schema chung hoặc schema hệ thống" in res.output
    assert "Secr3t" not in res.output
    assert not (mini_ws / "layers" / "monitoring.gpkg").exists()


def test_store_connection_refused_is_exit_3_naming_host_and_port(mini_ws):
    from ntmgis.monitoring.build import build

    build(load_workspace(mini_ws))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    res = CliRunner().invoke(main, ["store", f"postgresql://gis:Secr3t@127.0.0.1:{port}/ntm",
                                    "-w", str(mini_ws), "--lang", "en"])
    assert res.exit_code == 3, res.output
    assert f"Cannot connect to the PostgreSQL server 127.0.0.1:{port} (database ntm, " \
           f"postgresql://gis:***@127.0.0.1:{port}/ntm)" in res.output
    assert "Secr3t" not in res.output and "Traceback" not in res.output
