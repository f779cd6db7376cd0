"""ntmgis.outputs.postgis_store against a real PostgreSQL + PostGIS server (see conftest.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from ntmgis.core.errors import DataError, OutputExistsError
from ntmgis.inputs.postgis import list_postgis_layers, read_postgis_layer
from ntmgis.outputs.postgis_store import write_postgis

pytestmark = pytest.mark.postgis

CRS = "EPSG:9205"


def _layers(n_communes: int = 3) -> dict[str, pd.DataFrame]:
    """Small monitoring layers following docs/CONTRACT.md."""
    codes = [f"0{3433 + 3 * i}" for i in range(n_communes)]
    polys = [shapely.MultiPolygon([shapely.box(480000 + 1000 * i, 2470000,
                                               480900 + 1000 * i, 2471000)])
             for i in range(n_communes)]
    communes = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [f"Xã Thử {i} – Mường Tè" for i in range(n_communes)],
            "unit_type": ["xã"] * n_communes,
            "in_programme": [i > 0 for i in range(n_communes)],
            "population": pd.array([2655, None, 4100][:n_communes], dtype="Int64"),
            "area_km2": [0.9] * n_communes,
        },
        geometry=polys, crs=CRS,
    )
    rows = []
    for c in codes:
        for y in (2024, 2025):
            rows.append({"code": c, "year": y, "tc01": 1, "tc02": None if y == 2024 else 0})
    status = pd.DataFrame(rows)
    status["tc02"] = status["tc02"].astype("Int64")
    status_g = gpd.GeoDataFrame(
        status, geometry=[polys[codes.index(c)] for c in status["code"]], crs=CRS)
    villages = gpd.GeoDataFrame(
        {"code": ["0343301", "0343302"], "name": ["Bản Nậm Củm", "Bản Pa Ủ"],
         "commune_code": [codes[0], codes[0]]},
        geometry=shapely.points([[480100.5, 2470100.25], [480200.125, 2470300.0]]), crs=CRS,
    )
    criteria = pd.DataFrame({"code": codes * 2, "year": [2025] * (2 * n_communes),
                             "criterion": [1] * n_communes + [2] * n_communes,
                             "met": pd.array([1, 0, None] * 2, dtype="Int64")[: 2 * n_communes]})
    metadata = pd.DataFrame({"key": ["area", "crs"], "value": ["Huyện Mường Tè", CRS]})
    return {"communes": communes, "commune_status": status_g, "villages": villages,
            "commune_criteria": criteria, "metadata": metadata}


def test_write_and_read_back_is_lossless(postgis_url):
    layers = _layers()
    result = write_postgis(layers, postgis_url, schema="t_roundtrip")
    assert result.schema == "t_roundtrip"
    assert result.tables == {"communes": 3, "commune_status": 6, "villages": 2,
                             "commune_criteria": 6, "metadata": 2}
    assert not result.replaced
    assert list_postgis_layers(postgis_url, schema="t_roundtrip") == {
        "commune_criteria": 6, "commune_status": 6, "communes": 3, "metadata": 2,
        "villages": 2}

    back = read_postgis_layer(postgis_url, "t_roundtrip.communes")
    assert back.crs.to_epsg() == 9205
    assert back["code"].tolist() == ["03433", "03436", "03439"]  # leading zeros kept
    assert back.pop("fid").tolist() == [1, 2, 3]
    expected = layers["communes"].copy()
    back["population"] = back["population"].astype("Int64")
    assert_geodataframe_equal(back, expected, check_dtype=True)

    villages = read_postgis_layer(postgis_url, "t_roundtrip.villages").drop(columns="fid")
    assert_geodataframe_equal(villages, layers["villages"])  # exact coordinates

    crit = read_postgis_layer(postgis_url, "t_roundtrip.commune_criteria")
    assert not isinstance(crit, gpd.GeoDataFrame)
    assert crit["met"].isna().sum() == 2
    assert crit["code"].tolist() == layers["commune_criteria"]["code"].tolist()


def test_keys_indexes_and_geometry_types(postgis_url):
    import sqlalchemy as sa

    write_postgis(_layers(), postgis_url, schema="t_keys")
    engine = sa.create_engine(postgis_url)
    with engine.connect() as conn:
        pk = conn.execute(sa.text(
            "SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 't_keys'::regnamespace "
            "ORDER BY 1, 2")).all()
        idx = conn.execute(sa.text(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 't_keys' "
            "AND indexdef LIKE '%gist%' ORDER BY 1")).all()
        gcols = conn.execute(sa.text(
            "SELECT f_table_name, type, srid FROM geometry_columns "
            "WHERE f_table_schema = 't_keys' ORDER BY 1")).all()
    engine.dispose()
    constraints = {(t.split(".")[-1], c, d) for t, c, d in pk}
    assert ("communes", "p", "PRIMARY KEY (fid)") in constraints
    assert ("communes", "u", "UNIQUE (code)") in constraints
    assert ("commune_status", "u", "UNIQUE (code, year)") in constraints
    assert ("commune_criteria", "u", "UNIQUE (code, year, criterion)") in constraints
    assert ("metadata", "p", "PRIMARY KEY (fid)") in constraints
    assert [t for t, _ in idx] == ["commune_status", "communes", "villages"]
    assert gcols == [("commune_status", "MULTIPOLYGON", 9205),
                     ("communes", "MULTIPOLYGON", 9205), ("villages", "POINT", 9205)]


def test_refuses_to_overwrite_without_permission(postgis_url):
    write_postgis(_layers(2), postgis_url, schema="t_over")
    with pytest.raises(OutputExistsError, match="t_over"):
        write_postgis(_layers(3), postgis_url, schema="t_over")
    assert len(read_postgis_layer(postgis_url, "t_over.communes")) == 2
    result = write_postgis(_layers(3), postgis_url, schema="t_over", overwrite=True)
    assert result.replaced
    assert len(read_postgis_layer(postgis_url, "t_over.communes")) == 3


@pytest.mark.parametrize("breakage", ["duplicate_key", "no_epsg"])
def test_failed_build_leaves_previous_layers_intact(postgis_url, breakage):
    import sqlalchemy as sa

    schema = f"t_fail_{breakage}"
    write_postgis(_layers(2), postgis_url, schema=schema)
    bad = _layers(3)
    if breakage == "duplicate_key":
        # the last layer written fails, after the others went into the new schema
        bad["metadata"] = pd.DataFrame({"key": ["crs", "crs"], "value": ["a", "b"]})
        match = "metadata"
    else:
        bad["villages"] = bad["villages"].set_crs(
            "+proj=tmerc +lon_0=103.1 +k=0.9999 +x_0=500000 +ellps=WGS84", allow_override=True)
        match = "villages"
    with pytest.raises(DataError, match=match):
        write_postgis(bad, postgis_url, schema=schema, overwrite=True)
    communes = read_postgis_layer(postgis_url, f"{schema}.communes")
    assert communes["code"].tolist() == ["03433", "03436"]
    engine = sa.create_engine(postgis_url)
    with engine.connect() as conn:
        schemas = conn.execute(sa.text(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE :p ORDER BY 1"),
            {"p": schema + "%"}).scalars().all()
    engine.dispose()
    assert schemas == [schema]  # no temporary schema left behind


def test_read_query_and_missing_table(postgis_url):
    write_postgis(_layers(), postgis_url, schema="t_query")
    q = read_postgis_layer(
        postgis_url,
        "SELECT code, name, ST_Centroid(geom) AS centre FROM t_query.communes "
        "WHERE in_programme ORDER BY code",
    )
    assert isinstance(q, gpd.GeoDataFrame)
    assert q.geometry.name == "geometry"
    assert q["code"].tolist() == ["03436", "03439"]
    np.testing.assert_allclose(q.geometry.x, [481450.0, 482450.0])
    with pytest.raises(DataError, match="t_query.nothing"):
        read_postgis_layer(postgis_url, "t_query.nothing")
    with pytest.raises(DataError, match="no_such_column"):
        read_postgis_layer(postgis_url, "SELECT no_such_column FROM t_query.communes")


def test_connection_refused_names_the_database():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(ConnectionError, match=f"127.0.0.1:{port}/nowhere") as info:
        write_postgis(_layers(), f"postgresql://u:secret@127.0.0.1:{port}/nowhere",
                      schema="x", lang="en")
    assert "secret" not in str(info.value)  # the password never reaches a message


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory):
    import shutil
    from pathlib import Path

    from ntmgis.core.workspace import load_workspace
    from ntmgis.monitoring.build import build

    root = Path(__file__).resolve().parents[2]
    ws_dir = tmp_path_factory.mktemp("ws")
    shutil.copy(root / "ntmgis.toml", ws_dir)
    shutil.copytree(root / "layers", ws_dir / "layers",
                    ignore=shutil.ignore_patterns("monitoring.gpkg"))
    ws = load_workspace(ws_dir)
    build(ws, overwrite=True)
    return ws


def test_store_sample_workspace_with_qgis_styles(postgis_url, built_sample):
    import pyogrio
    import sqlalchemy as sa

    from ntmgis.outputs.postgis_store import store_workspace

    res = store_workspace(built_sample, postgis_url, overwrite=True)
    assert res.schema == "huyen_muong_te"
    gpkg_layers = [n for n, _ in pyogrio.list_layers(built_sample.output_gpkg)
                   if n != "layer_styles"]
    assert list(res.tables) == gpkg_layers
    assert res.tables["communes"] == 14
    assert set(res.styled) >= {"communes", "commune_status", "villages", "projects", "roads"}
    status = read_postgis_layer(postgis_url, "huyen_muong_te.commune_status")
    expected = pyogrio.read_dataframe(built_sample.output_gpkg, layer="commune_status")
    assert status["code"].tolist() == expected["code"].tolist()
    assert status[[f"tc{n:02d}" for n in range(1, 20)]].to_numpy().tolist() == \
        expected[[f"tc{n:02d}" for n in range(1, 20)]].to_numpy().tolist()
    assert status.geometry.geom_equals_exact(expected.geometry, tolerance=0).all()
    engine = sa.create_engine(postgis_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT f_table_name, f_geometry_column, useasdefault, "
            "xpath_exists('/qgis/renderer-v2', styleqml) FROM public.layer_styles "
            "WHERE f_table_schema = 'huyen_muong_te' ORDER BY id")).all()
        comment = conn.execute(sa.text(
            "SELECT obj_description('huyen_muong_te'::regnamespace)")).scalar()
    engine.dispose()
    assert [r[0] for r in rows] == list(res.styled)
    assert all(r[1] == "geom" and r[2] and r[3] for r in rows)
    assert comment.startswith("ntmgis: Huyện Mường Tè")
    # storing again replaces the styles rather than piling them up
    res2 = store_workspace(built_sample, postgis_url, overwrite=True)
    assert res2.replaced


def test_store_cli(postgis_url, built_sample):
    from click.testing import CliRunner

    from ntmgis.cli import main

    runner = CliRunner()
    args = ["store", postgis_url, "-w", str(built_sample.root), "--schema", "t_cli"]
    ok = runner.invoke(main, args)
    assert ok.exit_code == 0, ok.output
    assert "t_cli" in ok.output and "bảng" in ok.output
    again = runner.invoke(main, args + ["--lang", "en"])
    assert again.exit_code == 4  # exists, no --overwrite
    assert "add --overwrite" in again.output


def test_styles_without_rights_warn_but_layers_are_written(postgis_url):
    import sqlalchemy as sa

    from ntmgis.core.errors import DataWarning
    from ntmgis.outputs.postgis_store import _STYLES_DDL

    engine = sa.create_engine(postgis_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP ROLE IF EXISTS ntm_clerk"))
        conn.execute(sa.text("CREATE ROLE ntm_clerk LOGIN"))
        conn.execute(sa.text("GRANT CREATE ON DATABASE ntmgis_test TO ntm_clerk"))
        conn.execute(sa.text(_STYLES_DDL))  # as QGIS or an earlier store made it
        conn.execute(sa.text("REVOKE ALL ON public.layer_styles FROM PUBLIC"))
    engine.dispose()
    clerk_url = postgis_url.replace("postgres@", "ntm_clerk@")
    # PostGIS 3.3 lacks the VN-2000 TM-3 zones; a plain user may not add them
    zone_105 = {k: (v.to_crs("EPSG:9210") if isinstance(v, gpd.GeoDataFrame) else v)
                for k, v in _layers().items()}
    with pytest.raises(DataError, match=r"EPSG:9210 .*database owner"):
        write_postgis(zone_105, clerk_url, schema="t_clerk", lang="en")
    write_postgis(_layers(), postgis_url, schema="t_owner", overwrite=True)  # adds EPSG:9205
    with pytest.warns(DataWarning, match="layer_styles"):
        res = write_postgis(_layers(), clerk_url, schema="t_clerk", lang="en")
    assert res.styled == ()
    assert len(read_postgis_layer(clerk_url, "t_clerk.communes")) == 3


def test_an_input_layer_reads_from_postgis_as_from_its_file(postgis_url):
    """What a workspace with ``path = "postgresql://..."``, ``layer = "dia_chinh.ban"`` gets."""
    from pathlib import Path

    import pyogrio

    src = Path(__file__).resolve().parents[2] / "layers" / "villages.gpkg"
    from_file = pyogrio.read_dataframe(src)
    write_postgis({"ban": from_file}, postgis_url, schema="dia_chinh", overwrite=True)
    from_db = read_postgis_layer(postgis_url, "dia_chinh.ban").drop(columns="fid")
    assert_geodataframe_equal(from_db, from_file, check_dtype=False)
    assert from_db["ma_xa"].str.startswith("0").all()  # codes stay text
    query = read_postgis_layer(
        postgis_url, "SELECT ma_ban, ten_ban, geom FROM dia_chinh.ban WHERE ma_xa = '03436' "
                     "ORDER BY ma_ban")
    assert query["ma_ban"].tolist() == sorted(from_file.loc[from_file["ma_xa"] == "03436",
                                                            "ma_ban"])


def test_real_qgis_opens_the_postgis_layers_styled(postgis_url, built_sample):
    import importlib.util
    from pathlib import Path

    from ntmgis.outputs.postgis_store import store_workspace

    spec = importlib.util.spec_from_file_location(
        "qgis_check", Path(__file__).resolve().parents[1] / "qgis_check.py")
    qgis_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(qgis_check)
    store_workspace(built_sample, postgis_url, schema="t_qgis", overwrite=True)
    got = qgis_check.run_qgis("postgres", postgis_url, "t_qgis",
                              "commune_status", "projects", "roads")
    assert all(v["valid"] and v["loaded"] for v in got.values()), got
    assert got["commune_status"]["renderer"] == "RuleRenderer"
    assert got["commune_status"]["features"] == 65
    assert got["roads"]["renderer"] == "categorizedSymbol"
