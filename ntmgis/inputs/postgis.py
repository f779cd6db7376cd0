"""PostGIS as an input: connect, and read a table or a query as a (Geo)DataFrame.

A workspace can name ``path = "postgresql://..."`` with ``layer = "schema.table"``
or ``layer = "SELECT ..."``: :func:`read_postgis_layer` reads it. The
connection helpers here are shared with the writer,
:mod:`ntmgis.outputs.postgis_store`.

The optional dependencies (SQLAlchemy, GeoAlchemy2, psycopg 3) are imported
lazily; without them the functions raise
:class:`~ntmgis.core.errors.MissingDependencyError` naming the extra to install
(``pip install 'ntmgis[postgis]'``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from ntmgis.core.errors import DataError, MissingDependencyError, WorkspaceError
from ntmgis.core.i18n import catalog, check_lang

if TYPE_CHECKING:  # pragma: no cover
    import sqlalchemy

__all__ = [
    "is_postgis_url",
    "normalise_url",
    "safe_url",
    "read_postgis_layer",
    "list_postgis_layers",
]

_URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgis://")

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


#: The messages of both PostGIS modules (reading and storing).
postgis_text = catalog(_MSG)


def sqlalchemy_module(lang: str = "vi"):
    """Import SQLAlchemy with the PostGIS drivers, or say which extra to install."""
    try:
        import geoalchemy2  # noqa: F401  (registers the geometry type with SQLAlchemy)
        import psycopg  # noqa: F401
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(postgis_text("missing_dep", lang, reason=exc)) from exc
    return sqlalchemy



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
        raise WorkspaceError(postgis_text("bad_url", lang, url=safe_url(s)))
    scheme, rest = s.split("://", 1)
    return "postgresql+psycopg://" + rest


def safe_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***`` (for messages)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(url))



def engine_for(url: str, lang: str) -> sqlalchemy.Engine:
    """A connection-less engine (NullPool): each command opens and closes its own."""
    sa = sqlalchemy_module(lang)
    return sa.create_engine(normalise_url(url, lang=lang), poolclass=sa.pool.NullPool)



def ident(name: str) -> str:
    """Quote an SQL identifier (double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'




def sql_literal(text: str) -> str:
    """Quote a string as an SQL literal (for DDL, where parameters cannot go)."""
    return "'" + str(text).replace("'", "''") + "'"


def first_line(exc: BaseException) -> str:
    """The first line of a database error, for a one-line message."""
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
    sa = sqlalchemy_module(lang)
    engine = engine_for(url, lang)
    db = safe_url(engine.url.render_as_string(hide_password=True))
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
                    raise DataError(postgis_text("not_found", lang, name=table_or_sql, db=db))
                source = f"{ident(sch)}.{ident(tbl)}"
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
                raise DataError(postgis_text("query_failed", lang, db=db,
                                   reason=f"no geometry column '{geometry}' in {geom_cols}"))
            gcol = geometry or (geom_cols[0] if geom_cols else None)
            query = f"SELECT * FROM {source}{order}"
            if gcol is None:
                return pd.read_sql(sa.text(query), conn)
            frame = gpd.read_postgis(sa.text(query), conn, geom_col=gcol, crs=crs)
    except sa.exc.OperationalError as exc:
        raise ConnectionError(postgis_text("connect", lang, db=db, reason=first_line(exc))) from exc
    except (sa.exc.DBAPIError, sa.exc.StatementError) as exc:
        raise DataError(postgis_text("query_failed", lang, db=db, reason=first_line(exc))) from exc
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
    sa = sqlalchemy_module(lang)
    engine = engine_for(url, lang)
    db = safe_url(engine.url.render_as_string(hide_password=True))
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
                n: int(conn.execute(sa.text(f"SELECT count(*) FROM {ident(schema)}.{ident(n)}"))
                       .scalar())
                for n in names
            }
    except sa.exc.OperationalError as exc:
        raise ConnectionError(postgis_text("connect", lang, db=db, reason=first_line(exc))) from exc
    finally:
        engine.dispose()


