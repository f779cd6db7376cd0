"""ntmgis never drops what it did not create, reads read-only, and never prints a password.

The database starts with data that is not ntmgis's: a schema ``office_data`` with a
spatial table, a table in ``public`` and the ``postgis`` extension itself. Every
store below, refused or not, must leave all of it as it was.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from ntmgis.cli import main
from ntmgis.core.errors import DataError, OutputExistsError
from ntmgis.core.version import __version__
from ntmgis.core.workspace import load_workspace
from ntmgis.inputs.postgis import list_postgis_layers, read_postgis_layer
from ntmgis.monitoring.build import build
from ntmgis.outputs.postgis_store import write_postgis

pytestmark = pytest.mark.postgis

MINI = Path(__file__).resolve().parents[1] / "data" / "mini"
# Trust authentication accepts any password: one with '@' and '/' tests the URL parser too.
PASSWORD = "Kh0ng-l@/ra"

OFFICE_SQL = """
DROP SCHEMA IF EXISTS office_data CASCADE;
DROP TABLE IF EXISTS public.office_notes;
CREATE SCHEMA office_data;
CREATE TABLE office_data.parcels (id int PRIMARY KEY, name text,
                                  geom geometry(Point, 4326));
INSERT INTO office_data.parcels VALUES
  (1, 'Thửa 1', ST_SetSRID(ST_MakePoint(102.8, 22.3), 4326)),
  (2, 'Thửa 2', ST_SetSRID(ST_MakePoint(102.9, 22.4), 4326)),
  (3, 'Thửa 3', NULL);
CREATE TABLE office_data.audit (at timestamptz DEFAULT now());
CREATE FUNCTION office_data.bump() RETURNS int LANGUAGE sql
  AS 'INSERT INTO office_data.audit DEFAULT VALUES RETURNING 1';
CREATE TABLE public.office_notes (id int PRIMARY KEY, note text);
INSERT INTO public.office_notes VALUES (1, 'không được xóa'), (2, 'giữ nguyên');
"""


def _sql(url: str, *statements: str) -> list:
    """Run statements as the database owner; return the rows of the last one."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    rows: list = []
    try:
        with engine.begin() as conn:
            for statement in statements:
                result = conn.execute(sa.text(statement))
                rows = result.all() if result.returns_rows else []
    finally:
        engine.dispose()
    return rows


def _state(url: str) -> dict:
    """What must survive every store: the office's data and the postgis extension."""
    return {
        "extension": _sql(url, "SELECT extname, extnamespace::regnamespace::text "
                               "FROM pg_extension WHERE extname = 'postgis'"),
        "postgis_works": _sql(url, "SELECT ST_AsText(ST_MakePoint(1, 2))"),
        "parcels": _sql(url, "SELECT id, name, ST_AsText(geom) FROM office_data.parcels "
                             "ORDER BY id"),
        "geometry_columns": _sql(url, "SELECT f_table_schema, f_table_name, type, srid "
                                      "FROM geometry_columns "
                                      "WHERE f_table_schema = 'office_data'"),
        "audit": _sql(url, "SELECT count(*) FROM office_data.audit"),
        "notes": _sql(url, "SELECT id, note FROM public.office_notes ORDER BY id"),
    }


EXPECTED = {
    "extension": [("postgis", "public")],
    "postgis_works": [("POINT(1 2)",)],
    "parcels": [(1, "Thửa 1", "POINT(102.8 22.3)"), (2, "Thửa 2", "POINT(102.9 22.4)"),
                (3, "Thửa 3", None)],
    "geometry_columns": [("office_data", "parcels", "POINT", 4326)],
    "audit": [(0,)],
    "notes": [(1, "không được xóa"), (2, "giữ nguyên")],
}


@pytest.fixture(scope="module")
def office(postgis_url):
    """The database with the office's own data in it; checked untouched after each test."""
    _sql(postgis_url, *[s for s in OFFICE_SQL.split(";\n") if s.strip()])
    assert _state(postgis_url) == EXPECTED
    return postgis_url


@pytest.fixture
def db(office):
    """The database URL; after the test the office's data must be exactly as before."""
    yield office
    assert _state(office) == EXPECTED


@pytest.fixture
def pw_url(db):
    """The same database, with a password in the URL (which must never be printed)."""
    return db.replace("postgres@", f"postgres:{PASSWORD}@")


@pytest.fixture(scope="module")
def built_ws(tmp_path_factory) -> Path:
    """The mini workspace, built once."""
    root = shutil.copytree(MINI, tmp_path_factory.mktemp("ws") / "mini")
    build(load_workspace(root))
    return root


def _public_ws(tmp_path: Path) -> Path:
    """A copy of the mini workspace whose [area] name is "Public" (schema "public")."""
    root = shutil.copytree(MINI, tmp_path / "public_ws")
    toml = root / "ntmgis.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'name = "Huyện Thử"', 'name = "Public"'), encoding="utf-8")
    return root


def _layers(n: int = 2) -> dict[str, pd.DataFrame]:
    communes = gpd.GeoDataFrame(
        {"code": [f"0{3433 + i}" for i in range(n)], "name": [f"Xã {i}" for i in range(n)]},
        geometry=[shapely.box(480000 + 1000 * i, 2470000, 480900 + 1000 * i, 2471000)
                  for i in range(n)], crs="EPSG:9205")
    return {"communes": communes, "metadata": pd.DataFrame({"key": ["n"], "value": [str(n)]})}


def _invoke(args: list[str]):
    res = CliRunner().invoke(main, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output
    assert PASSWORD not in res.output and "l@/ra" not in res.output
    return res


# --- stores that must be refused -------------------------------------------------------

@pytest.mark.parametrize(("args", "code", "words"), [
    (["--schema", "public", "--overwrite"], 3, "'public' là schema chung"),
    (["--schema", "public"], 3, "không bao giờ ghi vào hay thay thế"),
    (["--schema", "public", "--overwrite", "--lang", "en"], 3,
     "ntmgis never writes into or replaces it"),
    (["--schema", "information_schema", "--overwrite"], 3, "'information_schema'"),
    (["--schema", "office_data", "--overwrite"], 4, "không do ntmgis tạo"),
    (["--schema", "office_data"], 4, "kể cả với --overwrite"),
    (["--schema", "office_data", "--overwrite", "--lang", "en"], 4,
     "was not created by ntmgis (it has no _ntmgis marker table); ntmgis will not replace "
     "it, not even with --overwrite"),
])
def test_store_refuses_a_schema_ntmgis_did_not_create(pw_url, built_ws, args, code, words):
    res = _invoke(["store", pw_url, "-w", str(built_ws), *args])
    assert res.exit_code == code, res.output
    assert words in res.output


@pytest.mark.parametrize("command", ["store", "build"])
def test_a_workspace_named_public_is_refused_before_any_work(pw_url, tmp_path, command):
    root = _public_ws(tmp_path)
    if command == "store":
        build(load_workspace(root))
        args = ["store", pw_url, "-w", str(root), "--overwrite"]
    else:
        args = ["build", "-w", str(root), "--store", pw_url, "--overwrite", "--lang", "en"]
    res = _invoke(args)
    assert res.exit_code == 3, res.output
    assert "'public'" in res.output and "--schema" in res.output
    if command == "build":  # refused before the build, not after it
        assert not (root / "layers" / "monitoring.gpkg").exists()


def test_build_store_into_an_existing_foreign_schema_is_refused(pw_url, tmp_path):
    root = shutil.copytree(MINI, tmp_path / "ws")
    res = _invoke(["build", "-w", str(root), "--store", pw_url, "--schema", "office_data",
                   "--overwrite"])
    assert res.exit_code == 4, res.output
    assert "schema 'office_data'" in res.output and "không do ntmgis tạo" in res.output


def test_a_schema_holding_an_extension_is_never_replaced(db):
    write_postgis(_layers(), db, schema="t_ext_marked", styles=False)
    _sql(db, "CREATE EXTENSION IF NOT EXISTS hstore SCHEMA t_ext_marked",
         "CREATE SCHEMA IF NOT EXISTS t_ext_plain",
         "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA t_ext_plain")
    with pytest.raises(OutputExistsError, match="t_ext_marked.*extension.*hstore"):
        write_postgis(_layers(3), db, schema="t_ext_marked", overwrite=True, lang="en")
    with pytest.raises(OutputExistsError, match="t_ext_plain.*phần mở rộng pg_trgm"):
        write_postgis(_layers(3), db, schema="t_ext_plain", overwrite=True)
    assert _sql(db, "SELECT t_ext_marked.exist('a=>1'::t_ext_marked.hstore, 'a')") == [(True,)]
    assert len(read_postgis_layer(db, "t_ext_marked.communes")) == 2


def test_a_table_named_like_the_marker_is_not_a_mark(db):
    _sql(db, "DROP SCHEMA IF EXISTS t_forged CASCADE", "CREATE SCHEMA t_forged",
         "CREATE TABLE t_forged._ntmgis (table_name text)", "CREATE TABLE t_forged.ledger (x int)",
         "INSERT INTO t_forged.ledger VALUES (7)")
    with pytest.raises(OutputExistsError, match="t_forged"):
        write_postgis(_layers(), db, schema="t_forged", overwrite=True)
    assert _sql(db, "SELECT x FROM t_forged.ledger") == [(7,)]


def test_objects_added_to_ntmgis_schema_are_not_dropped(db):
    write_postgis(_layers(), db, schema="t_shared", styles=False)
    _sql(db, "CREATE TABLE t_shared.my_notes (note text)",
         "INSERT INTO t_shared.my_notes VALUES ('của tôi')")
    with pytest.raises(OutputExistsError, match=r"also holds my_notes, which ntmgis did not"):
        write_postgis(_layers(3), db, schema="t_shared", overwrite=True, lang="en")
    assert _sql(db, "SELECT note FROM t_shared.my_notes") == [("của tôi",)]
    assert len(read_postgis_layer(db, "t_shared.communes")) == 2  # previous layers kept


def test_a_view_elsewhere_on_ntmgis_tables_stops_the_replace(db):
    write_postgis(_layers(), db, schema="t_dep", styles=False)
    _sql(db, "CREATE VIEW office_data.v_communes AS SELECT code FROM t_dep.communes")
    try:
        with pytest.raises(OutputExistsError, match=r"view office_data\.v_communes depends"):
            write_postgis(_layers(3), db, schema="t_dep", overwrite=True, lang="en")
        assert _sql(db, "SELECT code FROM office_data.v_communes ORDER BY 1") == [
            ("03433",), ("03434",)]
    finally:
        _sql(db, "DROP VIEW office_data.v_communes")
    assert write_postgis(_layers(3), db, schema="t_dep", overwrite=True).replaced


def test_a_foreign_schema_with_the_temporary_name_is_not_dropped(db):
    _sql(db, "DROP SCHEMA IF EXISTS t_tmpname__ntmgis_new CASCADE",
         "CREATE SCHEMA t_tmpname__ntmgis_new", "CREATE TABLE t_tmpname__ntmgis_new.x (a int)")
    with pytest.raises(OutputExistsError, match="t_tmpname__ntmgis_new"):
        write_postgis(_layers(), db, schema="t_tmpname")
    assert _sql(db, "SELECT to_regclass('t_tmpname__ntmgis_new.x') IS NOT NULL") == [(True,)]
    assert _sql(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 't_tmpname'") == [(0,)]


def test_ntmgis_replaces_its_own_schema_and_marks_it(db, pw_url, built_ws):
    first = _invoke(["store", pw_url, "-w", str(built_ws), "--schema", "t_own", "--overwrite"])
    assert first.exit_code == 0, first.output
    again = _invoke(["store", pw_url, "-w", str(built_ws), "--schema", "t_own", "--overwrite",
                     "--lang", "en"])
    assert again.exit_code == 0, again.output
    assert f"postgres:***@127.0.0.1:{pw_url.split(':')[-1].split('/')[0]}" in again.output
    assert "→ t_own: " in again.output and " tables, " in again.output
    tables = list_postgis_layers(pw_url, schema="t_own")
    assert "_ntmgis" not in tables and tables["communes"] == 3
    marker = _sql(db, "SELECT table_name, row_count, ntmgis_version FROM t_own._ntmgis "
                      "ORDER BY 1")
    assert {(name, n) for name, n, _ in marker} == set(tables.items())
    assert {v for _, _, v in marker} == {__version__}
    assert _sql(db, "SELECT obj_description('t_own._ntmgis'::regclass, 'pg_class'), "
                    "obj_description('t_own'::regnamespace)") == [
        ("ntmgis schema marker 1", "ntmgis: Huyện Thử, Tỉnh Lai Châu, data 2025-12-31")]


def test_build_store_prints_no_password(pw_url, tmp_path):
    root = shutil.copytree(MINI, tmp_path / "ws")
    res = _invoke(["build", "-w", str(root), "--store", pw_url, "--schema", "t_build_pw",
                   "--overwrite"])
    assert res.exit_code == 0, res.output
    assert "postgres:***@" in res.output and "→ t_build_pw: " in res.output
    assert "bảng" in res.output
    assert len(read_postgis_layer(pw_url, "t_build_pw.communes")) == 3


# --- reading is read-only --------------------------------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ("SELECT 1 AS a) AS q; COMMIT; DROP TABLE office_data.parcels; "
     "SELECT * FROM (SELECT 1 AS a", "single SELECT statement"),
    ("SELECT 1 AS a; DROP TABLE public.office_notes", "single SELECT statement"),
    ("WITH d AS (DELETE FROM office_data.parcels RETURNING *) SELECT * FROM d", "read-only"),
    ("SELECT office_data.bump() AS n", "read-only"),
    ("SELECT * FROM office_data.parcels FOR UPDATE", "read-only"),
    ("SELECT set_config('transaction_read_only', 'off', true) AS x", "read-only"),
])
def test_a_query_layer_cannot_change_the_database(db, query, words):
    with pytest.raises(DataError, match=words):
        read_postgis_layer(db, query, lang="en")


def test_a_query_keeps_colons_as_text(db):
    got = read_postgis_layer(db, "SELECT name, ':x' AS c, '10:30'::time::text AS t, geom "
                                 "FROM office_data.parcels WHERE id < 3 ORDER BY id")
    assert got["c"].tolist() == [":x", ":x"] and got["t"].tolist() == ["10:30:00"] * 2
    assert got.crs.to_epsg() == 4326


def test_a_workspace_query_that_writes_is_an_issue(db, tmp_path):
    root = shutil.copytree(MINI, tmp_path / "ws")
    toml = root / "ntmgis.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'path = "projects.csv"',
        f'path = "{db}"\nlayer = "WITH d AS (DELETE FROM public.office_notes RETURNING *) '
        'SELECT * FROM d"'), encoding="utf-8")
    res = _invoke(["validate", "-w", str(root), "--lang", "en"])
    assert res.exit_code == 1, res.output
    assert "PostGIS layers are read-only" in res.output


# --- an unreachable server --------------------------------------------------------------

def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_unreachable_server_is_a_message_with_host_and_port(built_ws, lang):
    port = _free_port()
    url = f"postgresql://gis:{PASSWORD}@127.0.0.1:{port}/ntm"
    res = _invoke(["store", url, "-w", str(built_ws), "--schema", "t_x", "--lang", lang])
    assert res.exit_code == 3, res.output
    where = f"127.0.0.1:{port}"
    assert (f"Không kết nối được tới máy chủ PostgreSQL {where} (cơ sở dữ liệu ntm"
            if lang == "vi" else f"Cannot connect to the PostgreSQL server {where}") in res.output
    assert "gis:***@" in res.output
    with pytest.raises(ConnectionError, match=where) as info:
        read_postgis_layer(url, "SELECT 1")
    assert PASSWORD not in str(info.value)
