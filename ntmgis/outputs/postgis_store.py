"""PostGIS as an output: write the monitoring layers into a database schema.

:func:`write_postgis` stores the monitoring layers (``docs/CONTRACT.md``) in
one schema per workspace, with a primary key and a spatial index on every
table. The layers are written into a temporary schema which, in the same
transaction, takes the place of the previous one, so readers never see half
a build and a failed build leaves the previous layers as they were.

ntmgis never drops what it did not create: which schemas it may replace, and
how it marks its own, is in :mod:`ntmgis.outputs.postgis_schema`. Reading
from PostGIS, and the connection helpers, are in :mod:`ntmgis.inputs.postgis`.
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

from ntmgis.core.errors import DataError, DataWarning, WorkspaceError
from ntmgis.core.i18n import check_lang, t
from ntmgis.core.text import fold
from ntmgis.core.workspace import Workspace, load_workspace
from ntmgis.inputs.postgis import (
    connection_error,
    engine_for,
    first_line,
    ident,
    parse_url,
    postgis_text,
    safe_url,
    sql_literal,
    sqlalchemy_module,
)
from ntmgis.monitoring.build import build
from ntmgis.monitoring.gpkg import list_layers, metadata_criteria_set, read_layer
from ntmgis.monitoring.qgis_styles import STYLED_LAYERS, layer_style
from ntmgis.outputs.postgis_schema import check_schema, drop_own, mark_schema, own_tables

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "LAYER_KEYS",
    "StoreResult",
    "schema_name",
    "write_postgis",
    "store_gpkg",
    "store_workspace",
    "build_and_store",
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
    "district_summary": ("year", "criterion", "group_code"),
    "plan_targets": ("criterion",),
    "funding_by_source": ("source",),
    "funding_by_commune": ("commune_code",),
    "funding_by_criterion": ("criterion",),
    "metadata": ("key",),
    "communes_2025": ("code",),
    "commune_status_2025": ("code", "year"),
    "commune_criteria_2025": ("code", "year", "criterion"),
}

_TMP_SUFFIX = "__ntmgis_new"
_GEOM = "geom"


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

    def summary(self, lang: str = "vi") -> str:
        """One line for the user: database (password masked), schema, tables and rows."""
        rows = sum(self.tables.values())
        tables, lines = ("tables", "rows") if lang == "en" else ("bảng", "dòng")
        return f"{self.url} → {self.schema}: {len(self.tables)} {tables}, {rows} {lines}"


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
        raise DataError(postgis_text("no_srid", lang, layer=layer, crs=gdf.crs.name))
    return int(epsg)


def _ensure_srid(conn: Any, srid: int, lang: str = "vi") -> None:
    """Add EPSG ``srid`` to ``spatial_ref_sys`` if PostGIS's copy lacks it.

    PostGIS 3.3 (Debian 12) does not know EPSG:9205, VN-2000 / TM-3 103-00, the
    sample's CRS; PROJ does, so its definition is taken from pyproj.
    """
    sa = sqlalchemy_module()
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
        raise DataError(postgis_text("srid_rights", lang, srid=srid, name=crs.name,
                           reason=first_line(exc))) from exc


def _copy_rows(conn: Any, schema: str, table: str, columns: list[str],
               frame: pd.DataFrame) -> None:
    """Bulk-load ``frame`` with COPY (psycopg 3), NULL for missing values."""
    if frame.empty:
        return
    raw = conn.connection.driver_connection
    cols = ", ".join(ident(c) for c in columns)
    data = []
    for c in columns:
        s = frame[c]
        values = s.astype(object).where(s.notna(), None).tolist()
        data.append(values)
    with raw.cursor() as cur:
        with cur.copy(f"COPY {ident(schema)}.{ident(table)} ({cols}) FROM STDIN") as copy:
            for row in zip(*data, strict=True):
                copy.write_row(row)


def _write_table(conn: Any, schema: str, name: str, frame: pd.DataFrame,
                 lang: str) -> int:
    """Create ``schema.name`` with a ``fid`` primary key and load ``frame`` into it."""
    import geopandas as gpd

    sa = sqlalchemy_module(lang)
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
        coldefs.append(f"{ident(str(c))} {_pg_type(frame[c])}")
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
    conn.execute(sa.text(f"CREATE TABLE {ident(schema)}.{ident(name)} ({', '.join(coldefs)})"))
    _copy_rows(conn, schema, name, list(out.columns), out)
    conn.execute(sa.text(
        f"ALTER TABLE {ident(schema)}.{ident(name)} ADD CONSTRAINT {ident(name + '_pkey')} "
        f"PRIMARY KEY (fid)"
    ))
    key = [k for k in LAYER_KEYS.get(name, ()) if k in attrs]
    if key and len(key) == len(LAYER_KEYS[name]) and len(frame):
        dup = frame.duplicated(subset=key, keep=False)
        if dup.any():
            example = frame.loc[dup, key].iloc[0].tolist()
            raise DataError(postgis_text("duplicate_key", lang, layer=name, key=", ".join(key),
                               value=example))
        conn.execute(sa.text(
            f"ALTER TABLE {ident(schema)}.{ident(name)} ADD CONSTRAINT {ident(name + '_key')} "
            f"UNIQUE ({', '.join(ident(k) for k in key)})"
        ))
    if is_geo:
        conn.execute(sa.text(
            f"CREATE INDEX {ident(name + '_geom_idx')} ON {ident(schema)}.{ident(name)} "
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
    ws: Any = None,
) -> StoreResult:
    """Write the monitoring layers into PostGIS, replacing ``schema`` in one transaction.

    Every layer becomes a table ``schema.<layer>`` with an integer primary key
    ``fid`` (row order, as in the GeoPackage), a UNIQUE constraint on the
    layer's natural key (:data:`LAYER_KEYS`, e.g. ``code, year`` for
    ``commune_status``) and, for spatial layers, a ``geom`` column of one
    geometry type with the layer's EPSG code as SRID and a GiST index.

    The tables are built in a temporary schema with the ntmgis marker (see the
    module docstring); then, in the same transaction, ntmgis's tables of an
    existing ``schema`` and the schema are dropped (``RESTRICT``) and the
    temporary schema takes its name. If anything fails the transaction is
    rolled back and the previous layers stay as they were.

    Parameters
    ----------
    layers : MonitoringLayers or mapping of str to DataFrame
        What :func:`ntmgis.monitoring.gpkg.read_layers` returns, or a ``{name: frame}``
        dict; GeoDataFrames become spatial tables, DataFrames plain tables,
        other attributes are ignored.
    url : str
        ``postgresql://user@host:port/database`` (``postgresql+psycopg://``
        also accepted). Give the password with ``PGPASSWORD`` or ``~/.pgpass``.
    schema : str
        Target schema, lower-case ASCII (see :func:`schema_name`).
    overwrite : bool
        Replace an existing schema of that name that ntmgis created; without it,
        :class:`~ntmgis.core.errors.OutputExistsError` is raised. A schema ntmgis
        did not create is never replaced.
    comment : str, optional
        Stored as the schema's COMMENT (e.g. the workspace name and data date);
        default ``ntmgis``.
    styles : bool
        Also store the QGIS default styles (:mod:`ntmgis.monitoring.qgis_styles`) in the
        ``public.layer_styles`` table QGIS reads, so the layers open styled from
        the database too. Where the user may not create or write that table the
        layers are still written and a :class:`~ntmgis.core.errors.DataWarning` says why
        the styles were not.
    lang : {"vi", "en"}
        Language of messages.
    ws : Workspace, optional
        The workspace the layers were built from: a criteria set of its own (a
        ``.toml`` path named in ``metadata``) is found through it for the styles.

    Returns
    -------
    StoreResult
        The schema and the row count of each table.

    Raises
    ------
    OutputExistsError
        ``schema`` exists and ``overwrite`` is false, or ntmgis may not replace it
        (no marker, an extension, objects ntmgis did not create in or on it).
    DataError
        A layer has a CRS without an EPSG code or a duplicated natural key.
    WorkspaceError
        The URL or schema name is malformed, or the schema is ``public`` or a system one.
    ConnectionError
        The server cannot be reached (the message names host and port, never the password).
    """
    check_lang(lang)
    sa = sqlalchemy_module(lang)
    schema = check_schema(schema, lang)
    frames = _as_mapping(layers)
    if not frames:
        raise DataError(postgis_text("no_layers", lang))
    engine = engine_for(url, lang)
    db = safe_url(url)
    tmp = schema + _TMP_SUFFIX
    counts: dict[str, int] = {}
    styled: list[str] = []
    current = ""
    connected = False
    try:
        with engine.begin() as conn:
            connected = True
            # One build at a time per schema: a transaction-scoped advisory lock.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
            own = own_tables(conn, schema, overwrite=overwrite, db=db, lang=lang)
            # A rolled-back build leaves no temporary schema; one found here is someone's.
            leftover = own_tables(conn, tmp, overwrite=True, db=db, lang=lang)
            if leftover is not None:
                drop_own(conn, tmp, leftover, db, lang)
            conn.execute(sa.text(f"CREATE SCHEMA {ident(tmp)}"))
            for name, frame in frames.items():
                current = name
                counts[name] = _write_table(conn, tmp, name, frame, lang)
            current = ""
            mark_schema(conn, tmp, counts, lang)
            conn.execute(sa.text(
                f"COMMENT ON SCHEMA {ident(tmp)} IS " + sql_literal(comment or "ntmgis")))
            if own is not None:
                drop_own(conn, schema, own, db, lang)
            conn.execute(sa.text(f"ALTER SCHEMA {ident(tmp)} RENAME TO {ident(schema)}"))
            for name in counts:
                # Constraint and index names do not follow the schema; they need not.
                conn.execute(sa.text(f"ANALYZE {ident(schema)}.{ident(name)}"))
            if styles:
                styled = _store_styles(conn, schema, frames, lang, ws)
    except sa.exc.OperationalError as exc:
        if connected:
            raise DataError(postgis_text("write_failed", lang, db=db, layer=current or "-",
                               reason=first_line(exc))) from exc
        raise connection_error(url, exc, lang) from exc
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise DataError(postgis_text("write_failed", lang, db=db, layer=current or "-",
                           reason=first_line(exc))) from exc
    finally:
        engine.dispose()
    return StoreResult(url=db, schema=schema, tables=counts, replaced=own is not None,
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
                  lang: str, ws: Any = None) -> list[str]:
    """Put QGIS default styles for ``schema``'s tables into ``public.layer_styles``.

    Runs in a savepoint: without the right to create or write the table the layers
    are kept and a DataWarning explains why the styles are missing.
    """
    import geopandas as gpd

    sa = sqlalchemy_module(lang)
    names = [n for n in STYLED_LAYERS
             if isinstance(frames.get(n), gpd.GeoDataFrame)]
    if not names:
        return []
    try:  # a workspace's own set (a .toml path) is found through ``ws``
        cset = metadata_criteria_set(frames.get("metadata"), ws, lang=lang)
    except WorkspaceError as exc:  # the layers are stored all the same, without styles
        warnings.warn(("không lưu được kiểu hiển thị QGIS: " if lang != "en" else
                       "QGIS styles not stored: ") + str(exc), DataWarning, stacklevel=3)
        return []
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(_STYLES_DDL))
        catalog = conn.execute(sa.text("SELECT current_database()")).scalar()
        conn.execute(sa.text(
            "DELETE FROM public.layer_styles WHERE f_table_catalog = :c "
            "AND f_table_schema = :s"), {"c": catalog, "s": schema})
        for name in names:
            style = layer_style(name, lang=lang, cset=cset)
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
            + first_line(exc), DataWarning, stacklevel=3)
        return []
    return names


def store_gpkg(gpkg: str | Path, url: str, *, schema: str, overwrite: bool = False,
               styles: bool = True, comment: str | None = None,
               lang: str = "vi", ws: Any = None) -> StoreResult:
    """Copy every layer of a monitoring GeoPackage into PostGIS (see :func:`write_postgis`).

    All layers of the file are written, including the 2025 layers when the
    build made them; the GeoPackage's own ``layer_styles`` table is not copied
    (``styles`` writes the PostGIS equivalent).
    """
    path = Path(gpkg)
    if not path.is_file():
        raise FileNotFoundError(path)
    frames: dict[str, pd.DataFrame] = {}
    for name, gtype in list_layers(path).items():
        if name == "layer_styles":
            continue
        frames[name] = read_layer(path, name, geometry=gtype is not None)
    return write_postgis(frames, url, schema=schema, overwrite=overwrite, styles=styles,
                         comment=comment, lang=lang, ws=ws)


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
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    schema = check_schema(schema or schema_name(ws.name), lang)
    parse_url(url, lang)
    if not ws.output_gpkg.is_file():
        raise FileNotFoundError(t("not_built", lang, path=ws.output_gpkg))
    comment = f"ntmgis: {ws.name}, {ws.province}, data {ws.data_date}".strip()
    return store_gpkg(ws.output_gpkg, url, schema=schema, overwrite=overwrite, styles=styles,
                      comment=comment, lang=lang, ws=ws)


def build_and_store(ws: Any, url: str | None, *, schema: str | None = None,
                    overwrite: bool = False, lang: str = "vi",
                    **build_options: Any) -> tuple[Path, StoreResult | None]:
    """Build the monitoring GeoPackage, then, when ``url`` is given, store it in PostGIS.

    Parameters
    ----------
    ws : Workspace
        The workspace.
    url : str or None
        The PostGIS database (``postgresql://user@host/db``); None builds only.
        The URL and schema are checked before the build, so a schema ntmgis
        would refuse (``public``) costs no build. The store is transactional: a
        failed store leaves the database's previous layers intact.
    schema : str, optional
        The database schema (default: derived from the workspace's name).
    overwrite : bool
        Replace an existing GeoPackage and a schema ntmgis created.
    lang : {"vi", "en"}
        Language of messages.
    **build_options
        Passed to :func:`ntmgis.monitoring.build.build` (``output``, ``progress``, ``log``).

    Returns
    -------
    tuple of Path and StoreResult or None
        The GeoPackage written, and what was stored (None without ``url``).
    """
    if url:
        schema = check_schema(schema or schema_name(ws.name), lang)
        parse_url(url, lang)
    target = build(ws, lang=lang, overwrite=overwrite, **build_options)
    if not url:
        return target, None
    progress = build_options.get("progress")
    if progress is not None:
        progress(t("step_postgis", lang))
    return target, store_gpkg(target, url, schema=schema, overwrite=overwrite, lang=lang, ws=ws)
