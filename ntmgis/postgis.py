"""PostGIS: write the monitoring layers into a database schema, read input layers from one.

A province that keeps its data on a PostgreSQL server can use it both ways:

* :func:`write_postgis` stores the monitoring layers (``docs/CONTRACT.md``) in
  one schema per workspace, with a primary key and a spatial index on every
  table. The layers are written into a temporary schema and swapped in with
  two ``ALTER SCHEMA ... RENAME`` in the same transaction, so readers never see
  half a build and a failed build leaves the previous layers as they were.
* :func:`read_postgis_layer` reads a table (``"schema.table"``) or a query as a
  GeoDataFrame (or a DataFrame when it has no geometry), so that a workspace
  can name ``path = "postgresql://..."`` and ``layer = "schema.table"``.

The optional dependencies (SQLAlchemy, GeoAlchemy2, psycopg 3) are imported
lazily; without them the functions raise
:class:`~ntmgis.errors.MissingDependencyError` naming the extra to install
(``pip install 'ntmgis[postgis]'``).
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from .errors import DataError, MissingDependencyError, OutputExistsError, WorkspaceError
from .i18n import catalog, check_lang
from .text import fold

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import sqlalchemy

__all__ = [
    "LAYER_KEYS",
    "StoreResult",
    "is_postgis_url",
    "normalise_url",
    "schema_name",
    "write_postgis",
    "read_postgis_layer",
    "list_postgis_layers",
    "store_gpkg",
    "store_workspace",
    "cli_command",
]

#: Natural key of each monitoring layer; it gets a UNIQUE constraint (the primary
#: key is an integer ``fid`` in row order, which QGIS prefers).
LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "communes": ("code",),
    "commune_status": ("code", "year"),
    "villages": ("code",),
    "village_status": ("code", "year"),
    "projects": ("project_id",),
    "project_lines": ("project_id",),
    "facilities": ("facility_id",),
    "roads": ("road_id",),
    "commune_criteria": ("code", "year", "criterion"),
    "district_summary": ("year", "criterion"),
    "plan_targets": ("criterion",),
    "funding_by_source": ("source",),
    "funding_by_commune": ("commune_code",),
    "funding_by_criterion": ("criterion",),
    "metadata": ("key",),
    "communes_2025": ("code",),
    "commune_status_2025": ("code", "year"),
    "commune_criteria_2025": ("code", "year", "criterion"),
}

_URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgis://")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TMP_SUFFIX = "__ntmgis_new"
_OLD_SUFFIX = "__ntmgis_old"
_GEOM = "geom"

_MSG = {
    "missing_dep": (
        "Cần cài thêm gói cho PostGIS: pip install 'ntmgis[postgis]' ({reason})",
        "PostGIS support needs extra packages: pip install 'ntmgis[postgis]' ({reason})",
    ),
    "bad_url": (
        "'{url}' không phải địa chỉ PostgreSQL (cần postgresql://người_dùng@máy/cơ_sở_dữ_liệu)",
        "'{url}' is not a PostgreSQL address (expected postgresql://user@host/database)",
    ),
    "bad_schema": (
        "tên schema '{schema}' không hợp lệ: chỉ dùng chữ thường không dấu, số và '_'",
        "schema name '{schema}' is not valid: use lower-case ASCII letters, digits and '_'",
    ),
    "schema_exists": (
        "schema '{schema}' đã có trong {db}; thêm --overwrite để thay thế",
        "schema '{schema}' already exists in {db}; add --overwrite to replace it",
    ),
    "connect": (
        "Không kết nối được tới {db}: {reason}",
        "Cannot connect to {db}: {reason}",
    ),
    "no_layers": ("không có lớp nào để ghi", "there are no layers to write"),
    "duplicate_key": (
        "lớp {layer}: khóa ({key}) bị trùng, ví dụ {value}",
        "layer {layer}: key ({key}) is duplicated, e.g. {value}",
    ),
    "no_srid": (
        "lớp {layer}: hệ tọa độ {crs} không có mã EPSG; PostGIS cần mã SRID",
        "layer {layer}: CRS {crs} has no EPSG code; PostGIS needs an SRID",
    ),
    "srid_rights": (
        "PostGIS chưa có hệ tọa độ EPSG:{srid} ({name}) và người dùng này không được thêm vào "
        "spatial_ref_sys ({reason}); chạy 'ntmgis store' một lần bằng người dùng chủ cơ sở dữ "
        "liệu, hoặc nhờ quản trị viên thêm EPSG:{srid}",
        "PostGIS does not know EPSG:{srid} ({name}) and this user may not add it to "
        "spatial_ref_sys ({reason}); run 'ntmgis store' once as the database owner, or ask "
        "the administrator to add EPSG:{srid}",
    ),
    "not_found": (
        "không có bảng hoặc view '{name}' trong {db}",
        "there is no table or view '{name}' in {db}",
    ),
    "query_failed": (
        "truy vấn PostGIS lỗi ({db}): {reason}",
        "the PostGIS query failed ({db}): {reason}",
    ),
    "write_failed": (
        "ghi vào PostGIS lỗi ({db}, lớp {layer}); các lớp cũ được giữ nguyên: {reason}",
        "writing to PostGIS failed ({db}, layer {layer}); the previous layers are kept: {reason}",
    ),
}


_m = catalog(_MSG)


def _sqlalchemy(lang: str = "vi"):
    try:
        import geoalchemy2  # noqa: F401  (registers the geometry type with SQLAlchemy)
        import psycopg  # noqa: F401
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(_m("missing_dep", lang, reason=exc)) from exc
    return sqlalchemy


@dataclass(frozen=True)
class StoreResult:
    """What :func:`write_postgis` wrote.

    Attributes
    ----------
    url : str
        The database, without password.
    schema : str
        The schema now holding the layers.
    tables : dict of str to int
        Table name to number of rows, in the order written.
    replaced : bool
        Whether an earlier schema of that name was replaced.
    styled : tuple of str
        Tables that received a default QGIS style in ``public.layer_styles``.
    """

    url: str
    schema: str
    tables: dict[str, int]
    replaced: bool
    styled: tuple[str, ...] = ()


def is_postgis_url(path: object) -> bool:
    """Whether ``path`` (a workspace ``path`` value) names a PostgreSQL database.

    Examples
    --------
    >>> is_postgis_url("postgresql://gis@so-nnptnt/laichau")
    True
    >>> is_postgis_url("layers/villages.gpkg")
    False
    """
    return isinstance(path, str) and path.strip().lower().startswith(_URL_PREFIXES)


def normalise_url(url: str, *, lang: str = "vi") -> str:
    """Return ``url`` as a SQLAlchemy URL for psycopg 3 (``postgresql+psycopg://``).

    ``postgresql://``, ``postgres://`` and ``postgis://`` are accepted as users
    write them; passwords are best left out of the URL and given by libpq's
    ``PGPASSWORD`` or ``~/.pgpass``.
    """
    s = str(url).strip()
    if not is_postgis_url(s):
        raise WorkspaceError(_m("bad_url", lang, url=_safe(s)))
    scheme, rest = s.split("://", 1)
    return "postgresql+psycopg://" + rest


def _safe(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(url))


def schema_name(name: str) -> str:
    """Make a schema name for a workspace: ASCII, lower case, ``_`` for spaces.

    Examples
    --------
    >>> schema_name("Huyện Mường Tè")
    'huyen_muong_te'
    """
    s = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")
    if not s or s[0].isdigit():
        s = "ntm_" + s
    return s[:40]


def _check_schema(schema: str, lang: str) -> str:
    if not isinstance(schema, str) or not _IDENT.match(schema) or schema.startswith("pg_"):
        raise WorkspaceError(_m("bad_schema", lang, schema=schema))
    return schema


def _engine(url: str, lang: str) -> sqlalchemy.Engine:
    sa = _sqlalchemy(lang)
    return sa.create_engine(normalise_url(url, lang=lang), poolclass=sa.pool.NullPool)


def _as_mapping(layers: Any) -> dict[str, pd.DataFrame]:
    """Layers as an ordered name -> frame dict, from a mapping or a dataclass."""
    if dataclasses.is_dataclass(layers) and not isinstance(layers, type):
        items = [(f.name, getattr(layers, f.name)) for f in dataclasses.fields(layers)]
    elif isinstance(layers, Mapping):
        items = list(layers.items())
    else:
        raise TypeError(
            f"layers must be a mapping of name to (Geo)DataFrame or a MonitoringLayers, "
            f"got {type(layers).__name__}"
        )
    return {str(k): v for k, v in items if isinstance(v, pd.DataFrame)}


def _pg_type(series: pd.Series) -> str:
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "bigint"
    if pd.api.types.is_float_dtype(dt):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "timestamp"
    if pd.api.types.is_object_dtype(dt):
        values = series.dropna()
        if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
            return "boolean"
        if len(values) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
            for v in values
        ):
            return "bigint"
    return "text"


def _geometry_type(geoms: np.ndarray) -> str:
    kinds = {t for t in shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist()}
    names = {0: "POINT", 1: "LINESTRING", 2: "LINESTRING", 3: "POLYGON", 4: "MULTIPOINT",
             5: "MULTILINESTRING", 6: "MULTIPOLYGON", 7: "GEOMETRYCOLLECTION"}
    found = {names.get(k, "GEOMETRY") for k in kinds}
    if len(found) == 1:
        return found.pop()
    # A layer mixing single and multi parts of one kind is stored as the multi kind.
    for single, multi in (("POINT", "MULTIPOINT"), ("LINESTRING", "MULTILINESTRING"),
                          ("POLYGON", "MULTIPOLYGON")):
        if found == {single, multi}:
            return multi
    return "GEOMETRY"


def _srid(gdf: gpd.GeoDataFrame, layer: str, lang: str) -> int:
    if gdf.crs is None:
        return 0
    epsg = gdf.crs.to_epsg()
    if epsg is None:
        raise DataError(_m("no_srid", lang, layer=layer, crs=gdf.crs.name))
    return int(epsg)


def _ensure_srid(conn: Any, srid: int, lang: str = "vi") -> None:
    """Add EPSG ``srid`` to ``spatial_ref_sys`` if PostGIS's copy lacks it.

    PostGIS 3.3 (Debian 12) does not know EPSG:9205, VN-2000 / TM-3 103-00, the
    sample's CRS; PROJ does, so its definition is taken from pyproj.
    """
    sa = _sqlalchemy()
    if srid <= 0:
        return
    known = conn.execute(
        sa.text("SELECT 1 FROM spatial_ref_sys WHERE srid = :s"), {"s": srid}
    ).first()
    if known:
        return
    from pyproj import CRS

    crs = CRS.from_epsg(srid)
    with warnings.catch_warnings():
        # PROJ strings are lossy; PostGIS uses auth_name/auth_srid first anyway.
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4()
    savepoint = conn.begin_nested()
    try:
        conn.execute(
            sa.text(
                "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
                "VALUES (:s, 'EPSG', :s, :wkt, :proj4)"
            ),
            {"s": srid, "wkt": crs.to_wkt("WKT1_GDAL"), "proj4": proj4},
        )
        savepoint.commit()
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        raise DataError(_m("srid_rights", lang, srid=srid, name=crs.name,
                           reason=_first_line(exc))) from exc


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_rows(conn: Any, schema: str, table: str, columns: list[str],
               frame: pd.DataFrame) -> None:
    """Bulk-load ``frame`` with COPY (psycopg 3), NULL for missing values."""
    if frame.empty:
        return
    raw = conn.connection.driver_connection
    cols = ", ".join(_q(c) for c in columns)
    data = []
    for c in columns:
        s = frame[c]
        values = s.astype(object).where(s.notna(), None).tolist()
        data.append(values)
    with raw.cursor() as cur:
        with cur.copy(f"COPY {_q(schema)}.{_q(table)} ({cols}) FROM STDIN") as copy:
            for row in zip(*data, strict=True):
                copy.write_row(row)


def _write_table(conn: Any, schema: str, name: str, frame: pd.DataFrame,
                 lang: str) -> int:
    """Create ``schema.name`` with a ``fid`` primary key and load ``frame`` into it."""
    import geopandas as gpd

    sa = _sqlalchemy(lang)
    frame = frame.reset_index(drop=True)
    is_geo = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    geom_col = frame.geometry.name if is_geo else None
    attrs = [c for c in frame.columns if c != geom_col]
    for bad in ("fid", _GEOM):
        if bad in attrs:
            attrs.remove(bad)
            frame = frame.drop(columns=bad)
    coldefs = ["fid bigint NOT NULL"]
    for c in attrs:
        coldefs.append(f"{_q(str(c))} {_pg_type(frame[c])}")
    out = pd.DataFrame({"fid": np.arange(1, len(frame) + 1, dtype=np.int64)})
    for c in attrs:
        s = frame[c]
        if _pg_type(s) == "text":
            s = s.map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v), na_action="ignore")
        out[str(c)] = s.values
    if is_geo:
        srid = _srid(frame, name, lang)
        _ensure_srid(conn, srid, lang)
        geoms = np.asarray(frame.geometry.values, dtype=object)
        gtype = _geometry_type(geoms)
        if gtype.startswith("MULTI"):
            # Keep one type per column, as QGIS expects: promote single parts.
            single = shapely.get_type_id(geoms) == {
                "MULTIPOINT": 0, "MULTILINESTRING": 1, "MULTIPOLYGON": 3}[gtype]
            if single.any():
                geoms = geoms.copy()
                geoms[single] = [
                    {"MULTIPOINT": shapely.MultiPoint, "MULTILINESTRING": shapely.MultiLineString,
                     "MULTIPOLYGON": shapely.MultiPolygon}[gtype]([g]) for g in geoms[single]
                ]
        coldefs.append(f"{_GEOM} geometry({gtype}, {srid})")
        ewkb = shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True)
        out[_GEOM] = ewkb
    conn.execute(sa.text(f"CREATE TABLE {_q(schema)}.{_q(name)} ({', '.join(coldefs)})"))
    _copy_rows(conn, schema, name, list(out.columns), out)
    conn.execute(sa.text(
        f"ALTER TABLE {_q(schema)}.{_q(name)} ADD CONSTRAINT {_q(name + '_pkey')} "
        f"PRIMARY KEY (fid)"
    ))
    key = [k for k in LAYER_KEYS.get(name, ()) if k in attrs]
    if key and len(key) == len(LAYER_KEYS[name]) and len(frame):
        dup = frame.duplicated(subset=key, keep=False)
        if dup.any():
            example = frame.loc[dup, key].iloc[0].tolist()
            raise DataError(_m("duplicate_key", lang, layer=name, key=", ".join(key),
                               value=example))
        conn.execute(sa.text(
            f"ALTER TABLE {_q(schema)}.{_q(name)} ADD CONSTRAINT {_q(name + '_key')} "
            f"UNIQUE ({', '.join(_q(k) for k in key)})"
        ))
    if is_geo:
        conn.execute(sa.text(
            f"CREATE INDEX {_q(name + '_geom_idx')} ON {_q(schema)}.{_q(name)} "
            f"USING GIST ({_GEOM})"
        ))
    return len(frame)


def write_postgis(
    layers: Any,
    url: str,
    *,
    schema: str,
    overwrite: bool = False,
    comment: str | None = None,
    styles: bool = True,
    lang: str = "vi",
) -> StoreResult:
    """Write the monitoring layers into PostGIS, replacing ``schema`` in one transaction.

    Every layer becomes a table ``schema.<layer>`` with an integer primary key
    ``fid`` (row order, as in the GeoPackage), a UNIQUE constraint on the
    layer's natural key (:data:`LAYER_KEYS`, e.g. ``code, year`` for
    ``commune_status``) and, for spatial layers, a ``geom`` column of one
    geometry type with the layer's EPSG code as SRID and a GiST index.

    The tables are built in a temporary schema; then, in the same
    transaction, an existing ``schema`` is renamed away and dropped and the
    temporary schema takes its name. If anything fails the transaction is
    rolled back and the previous layers stay as they were.

    Parameters
    ----------
    layers : MonitoringLayers or mapping of str to DataFrame
        What :func:`ntmgis.layers.read_layers` returns, or a ``{name: frame}``
        dict; GeoDataFrames become spatial tables, DataFrames plain tables,
        other attributes are ignored.
    url : str
        ``postgresql://user@host:port/database`` (``postgresql+psycopg://``
        also accepted). Give the password with ``PGPASSWORD`` or ``~/.pgpass``.
    schema : str
        Target schema, lower-case ASCII (see :func:`schema_name`).
    overwrite : bool
        Replace an existing schema of that name; without it,
        :class:`~ntmgis.errors.OutputExistsError` is raised.
    comment : str, optional
        Stored as the schema's COMMENT (e.g. the workspace name and data date).
    styles : bool
        Also store the QGIS default styles (:mod:`ntmgis.qgis_styles`) in the
        ``public.layer_styles`` table QGIS reads, so the layers open styled from
        the database too. Where the user may not create or write that table the
        layers are still written and a :class:`~ntmgis.errors.DataWarning` says why
        the styles were not.
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    StoreResult
        The schema and the row count of each table.

    Raises
    ------
    OutputExistsError
        ``schema`` exists and ``overwrite`` is false.
    DataError
        A layer has a CRS without an EPSG code or a duplicated natural key.
    WorkspaceError
        The URL or schema name is malformed.
    ConnectionError
        The server cannot be reached (the message names the database).
    """
    check_lang(lang)
    sa = _sqlalchemy(lang)
    schema = _check_schema(schema, lang)
    frames = _as_mapping(layers)
    if not frames:
        raise DataError(_m("no_layers", lang))
    engine = _engine(url, lang)
    db = _safe(engine.url.render_as_string(hide_password=True))
    tmp, old = schema + _TMP_SUFFIX, schema + _OLD_SUFFIX
    counts: dict[str, int] = {}
    styled: list[str] = []
    current = ""
    try:
        with engine.begin() as conn:
            # One build at a time per schema: a transaction-scoped advisory lock.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
            ).first() is not None
            if exists and not overwrite:
                raise OutputExistsError(_m("schema_exists", lang, schema=schema, db=db))
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_q(tmp)} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {_q(tmp)}"))
            for name, frame in frames.items():
                current = name
                counts[name] = _write_table(conn, tmp, name, frame, lang)
            current = ""
            if comment:
                conn.execute(sa.text(
                    f"COMMENT ON SCHEMA {_q(tmp)} IS " + _literal(comment)
                ))
            if exists:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {_q(old)} CASCADE"))
                conn.execute(sa.text(f"ALTER SCHEMA {_q(schema)} RENAME TO {_q(old)}"))
            conn.execute(sa.text(f"ALTER SCHEMA {_q(tmp)} RENAME TO {_q(schema)}"))
            for name in counts:
                # Constraint and index names do not follow the schema; they need not.
                conn.execute(sa.text(f"ANALYZE {_q(schema)}.{_q(name)}"))
            if exists:
                conn.execute(sa.text(f"DROP SCHEMA {_q(old)} CASCADE"))
            if styles:
                styled = _store_styles(conn, schema, frames, lang)
    except sa.exc.OperationalError as exc:
        if current:
            raise DataError(_m("write_failed", lang, db=db, layer=current,
                               reason=_first_line(exc))) from exc
        raise ConnectionError(_m("connect", lang, db=db, reason=_first_line(exc))) from exc
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise DataError(_m("write_failed", lang, db=db, layer=current or "-",
                           reason=_first_line(exc))) from exc
    finally:
        engine.dispose()
    return StoreResult(url=db, schema=schema, tables=counts, replaced=exists,
                       styled=tuple(styled) if styles else ())


# QGIS's own definition of the table (QgsPostgresProviderMetadata::saveStyle).
_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS public.layer_styles (
  id SERIAL PRIMARY KEY,
  f_table_catalog varchar, f_table_schema varchar, f_table_name varchar,
  f_geometry_column varchar, stylename text, styleqml xml, stylesld xml,
  useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER,
  ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar
)"""


def _store_styles(conn: Any, schema: str, frames: dict[str, pd.DataFrame],
                  lang: str) -> list[str]:
    """Put QGIS default styles for ``schema``'s tables into ``public.layer_styles``.

    Runs in a savepoint: without the right to create or write the table the layers
    are kept and a DataWarning explains why the styles are missing.
    """
    import geopandas as gpd

    from .errors import DataWarning
    from .qgis_styles import STYLED_LAYERS, layer_style

    sa = _sqlalchemy(lang)
    names = [n for n in STYLED_LAYERS
             if isinstance(frames.get(n), gpd.GeoDataFrame)]
    if not names:
        return []
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(_STYLES_DDL))
        catalog = conn.execute(sa.text("SELECT current_database()")).scalar()
        conn.execute(sa.text(
            "DELETE FROM public.layer_styles WHERE f_table_catalog = :c "
            "AND f_table_schema = :s"), {"c": catalog, "s": schema})
        for name in names:
            style = layer_style(name, lang=lang)
            qml = style.qml.split("\n", 1)[1]  # the xml type refuses the DOCTYPE line
            conn.execute(sa.text(
                "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, "
                "f_table_name, f_geometry_column, stylename, styleqml, stylesld, "
                "useasdefault, description, ui, type) VALUES (:c, :s, :t, :g, :n, "
                "XMLPARSE(DOCUMENT :qml), XMLPARSE(DOCUMENT :sld), true, :d, NULL, NULL)"),
                # type NULL: QGIS matches "type = <geometry of the URI> OR type IS NULL",
                # and a URI without a geometry type asks for 'Unknown geometry'
                {"c": catalog, "s": schema, "t": name, "g": _GEOM, "n": name, "qml": qml,
                 "sld": style.sld, "d": style.description})
        savepoint.commit()
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        warnings.warn(
            ("không lưu được kiểu hiển thị QGIS vào public.layer_styles: "
             if lang != "en" else "QGIS styles not stored in public.layer_styles: ")
            + _first_line(exc), DataWarning, stacklevel=3)
        return []
    return names


def store_gpkg(gpkg: str | Path, url: str, *, schema: str, overwrite: bool = False,
               styles: bool = True, comment: str | None = None,
               lang: str = "vi") -> StoreResult:
    """Copy every layer of a monitoring GeoPackage into PostGIS (see :func:`write_postgis`).

    All layers of the file are written, including the 2025 layers when the
    build made them; the GeoPackage's own ``layer_styles`` table is not copied
    (``styles`` writes the PostGIS equivalent).
    """
    import pyogrio

    path = Path(gpkg)
    if not path.is_file():
        raise FileNotFoundError(path)
    frames: dict[str, pd.DataFrame] = {}
    for name, gtype in pyogrio.list_layers(path):
        if name == "layer_styles":
            continue
        frame = pyogrio.read_dataframe(path, layer=name)
        if gtype is None:
            frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
        frames[str(name)] = frame
    return write_postgis(frames, url, schema=schema, overwrite=overwrite, styles=styles,
                         comment=comment, lang=lang)


def store_workspace(workspace: Any, url: str, *, schema: str | None = None,
                    overwrite: bool = False, styles: bool = True,
                    lang: str = "vi") -> StoreResult:
    """Store a workspace's built GeoPackage in PostGIS (``ntmgis build --store``).

    Parameters
    ----------
    workspace : Workspace or path
        A built workspace (``ntmgis build`` has written ``layers/monitoring.gpkg``).
    url : str
        ``postgresql://user@host/database``.
    schema : str, optional
        Default: :func:`schema_name` of the workspace name (``huyen_muong_te``).
    overwrite, styles, lang
        As in :func:`write_postgis`.
    """
    from .workspace import Workspace, load_workspace

    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    if not ws.output_gpkg.is_file():
        from .i18n import t

        raise FileNotFoundError(t("not_built", lang, path=ws.output_gpkg))
    comment = f"ntmgis: {ws.name}, {ws.province}, data {ws.data_date}".strip()
    return store_gpkg(ws.output_gpkg, url, schema=schema or schema_name(ws.name),
                      overwrite=overwrite, styles=styles, comment=comment, lang=lang)


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _split_name(name: str) -> tuple[str, str]:
    """``"schema.table"`` -> (schema, table); a bare name is in ``public``."""
    parts = [p.strip().strip('"') for p in name.split(".")]
    if len(parts) == 1:
        return "public", parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise WorkspaceError(f"'{name}': expected 'schema.table'")


def _is_query(text: str) -> bool:
    return bool(re.match(r"^\s*(select|with)\b", text, flags=re.IGNORECASE))


def read_postgis_layer(
    url: str,
    table_or_sql: str,
    *,
    geometry: str | None = None,
    crs: Any = None,
    lang: str = "vi",
) -> pd.DataFrame:
    """Read a PostGIS table, view or query as a GeoDataFrame (DataFrame if it has no geometry).

    Parameters
    ----------
    url : str
        ``postgresql://user@host:port/database``.
    table_or_sql : str
        ``"schema.table"`` (or ``"table"`` in ``public``), or a query starting
        with ``SELECT`` or ``WITH``.
    geometry : str, optional
        Name of the geometry column when there are several; by default the
        first column of type ``geometry``.
    crs : optional
        CRS to assign; by default the SRID of the geometries.
    lang : {"vi", "en"}
        Language of messages.

    Returns
    -------
    GeoDataFrame or DataFrame
        Columns as in the database; the geometry column is named ``geometry``
        so that the layer looks like one read from a file. Rows of a table
        come in ``fid`` order when there is such a column, else in the
        server's order (give ``ORDER BY`` in a query).

    Raises
    ------
    DataError
        The table does not exist or the query fails; the message names it.
    ConnectionError
        The server cannot be reached.
    """
    import geopandas as gpd

    check_lang(lang)
    sa = _sqlalchemy(lang)
    engine = _engine(url, lang)
    db = _safe(engine.url.render_as_string(hide_password=True))
    try:
        with engine.connect() as conn:
            if _is_query(table_or_sql):
                sql = table_or_sql.strip().rstrip(";")
                source = f"({sql}) AS q"
                order = ""
            else:
                sch, tbl = _split_name(table_or_sql)
                found = conn.execute(
                    sa.text(
                        "SELECT 1 FROM information_schema.tables "
                        "WHERE table_schema = :s AND table_name = :t"
                    ),
                    {"s": sch, "t": tbl},
                ).first()
                if not found:
                    raise DataError(_m("not_found", lang, name=table_or_sql, db=db))
                source = f"{_q(sch)}.{_q(tbl)}"
                cols = conn.execute(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = :s AND table_name = :t"
                    ),
                    {"s": sch, "t": tbl},
                ).scalars().all()
                order = " ORDER BY fid" if "fid" in cols else ""
            probe = conn.execute(sa.text(f"SELECT * FROM {source} LIMIT 0"))
            geom_oid = conn.execute(
                sa.text("SELECT oid FROM pg_type WHERE typname = 'geometry'")
            ).scalar()
            cursor_desc = probe.cursor.description
            geom_cols = [d.name for d in cursor_desc if d.type_code == geom_oid]
            probe.close()
            if geometry is not None and geometry not in geom_cols:
                raise DataError(_m("query_failed", lang, db=db,
                                   reason=f"no geometry column '{geometry}' in {geom_cols}"))
            gcol = geometry or (geom_cols[0] if geom_cols else None)
            query = f"SELECT * FROM {source}{order}"
            if gcol is None:
                return pd.read_sql(sa.text(query), conn)
            frame = gpd.read_postgis(sa.text(query), conn, geom_col=gcol, crs=crs)
    except sa.exc.OperationalError as exc:
        raise ConnectionError(_m("connect", lang, db=db, reason=_first_line(exc))) from exc
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise DataError(_m("query_failed", lang, db=db, reason=_first_line(exc))) from exc
    finally:
        engine.dispose()
    others = [c for c in geom_cols if c != gcol and c in frame.columns]
    if others:
        frame = frame.drop(columns=others)
    if gcol != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


def list_postgis_layers(url: str, *, schema: str, lang: str = "vi") -> dict[str, int]:
    """List the tables of ``schema`` with their row counts (for checks and the CLI)."""
    check_lang(lang)
    sa = _sqlalchemy(lang)
    engine = _engine(url, lang)
    db = _safe(engine.url.render_as_string(hide_password=True))
    try:
        with engine.connect() as conn:
            names = conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = :s ORDER BY table_name"
                ),
                {"s": schema},
            ).scalars().all()
            return {
                n: int(conn.execute(sa.text(f"SELECT count(*) FROM {_q(schema)}.{_q(n)}"))
                       .scalar())
                for n in names
            }
    except sa.exc.OperationalError as exc:
        raise ConnectionError(_m("connect", lang, db=db, reason=_first_line(exc))) from exc
    finally:
        engine.dispose()



def _command() -> Any:
    import click

    from ._options import lang_option, overwrite_option, workspace_option

    @click.command(name="store")
    @click.argument("url")
    @workspace_option
    @click.option("--schema", default=None,
                  help="Schema đích (mặc định: tên vùng, ví dụ huyen_muong_te) / target schema.")
    @click.option("--no-styles", is_flag=True, default=False,
                  help="Không ghi kiểu hiển thị QGIS / do not store QGIS styles.")
    @overwrite_option
    @lang_option
    def store(url: str, workspace: str, schema: str | None, no_styles: bool,
              overwrite: bool, lang: str | None) -> None:
        """Ghi các lớp giám sát đã dựng vào PostGIS / store the built layers in PostGIS.

        URL: postgresql://người_dùng@máy:cổng/cơ_sở_dữ_liệu (mật khẩu qua PGPASSWORD
        hoặc ~/.pgpass).
        """
        from .cli import handle_errors

        @handle_errors
        def run(lang: str | None = None) -> None:
            from .workspace import load_workspace

            ws = load_workspace(workspace, lang=lang)
            lg = lang or ws.language
            res = store_workspace(ws, url, schema=schema, overwrite=overwrite,
                                  styles=not no_styles, lang=lg)
            rows = sum(res.tables.values())
            click.echo(
                f"{res.url} → {res.schema}: {len(res.tables)} "
                + ("tables, " if lg == "en" else "bảng, ")
                + f"{rows} " + ("rows" if lg == "en" else "dòng"))

        run(lang=lang)

    return store


#: ``ntmgis store URL``, registered by ntmgis.cli.
cli_command = _command()
