"""PostGIS as an input: connect, and read a table or a query as a (Geo)DataFrame.

A workspace can name ``path = "postgresql://..."`` with ``layer = "schema.table"``
or ``layer = "SELECT ..."``: :func:`read_postgis_layer` reads it. The
connection helpers here are shared with the writer,
:mod:`ntmgis.outputs.postgis_store`.

Reading never changes the database: every read runs in a ``READ ONLY``
transaction, and a query is sent with a bind parameter, so the server parses it
with the extended protocol, which takes one statement only (``SELECT ...; DROP
TABLE x`` is refused, as is a ``COMMIT`` that would end the read-only
transaction). A password never reaches a message: :func:`safe_url` masks it
wherever a URL is shown.

The optional dependencies (SQLAlchemy, GeoAlchemy2, psycopg 3) are imported
lazily; without them the functions raise
:class:`~ntmgis.core.errors.MissingDependencyError` naming the extra to install
(``pip install 'ntmgis[postgis]'``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

import pandas as pd

from ntmgis.core.errors import DataError, MissingDependencyError, WorkspaceError
from ntmgis.core.i18n import catalog, check_lang

if TYPE_CHECKING:  # pragma: no cover
    import sqlalchemy

__all__ = [
    "MARKER_TABLE",
    "is_postgis_url",
    "normalise_url",
    "safe_url",
    "parse_url",
    "connection_error",
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
    "reserved_schema": (
        "'{schema}' là schema chung hoặc schema hệ thống của cơ sở dữ liệu (có thể chứa phần "
        "mở rộng PostGIS và bảng của người khác); ntmgis không bao giờ ghi vào hay thay thế "
        "nó: hãy chọn tên khác bằng --schema",
        "'{schema}' is the database's shared or system schema (it may hold the PostGIS "
        "extension and other people's tables); ntmgis never writes into or replaces it: "
        "choose another name with --schema",
    ),
    "has_extension": (
        "schema '{schema}' trong {db} chứa phần mở rộng {extensions}; ntmgis không bao giờ "
        "thay thế schema như vậy: hãy chọn --schema khác",
        "schema '{schema}' in {db} holds the extension(s) {extensions}; ntmgis never "
        "replaces such a schema: choose another --schema",
    ),
    "not_ours": (
        "schema '{schema}' đã có trong {db} nhưng không do ntmgis tạo (không có bảng đánh dấu "
        "{marker}); ntmgis không thay thế nó, kể cả với --overwrite: hãy chọn --schema khác",
        "schema '{schema}' already exists in {db} but was not created by ntmgis (it has no "
        "{marker} marker table); ntmgis will not replace it, not even with --overwrite: "
        "choose another --schema",
    ),
    "foreign_objects": (
        "schema '{schema}' trong {db} do ntmgis tạo nhưng nay có thêm {objects} không phải của "
        "ntmgis; ntmgis không xóa chúng: hãy chuyển chúng sang schema khác hoặc chọn --schema "
        "khác",
        "schema '{schema}' in {db} was created by ntmgis but now also holds {objects}, which "
        "ntmgis did not create; ntmgis will not drop them: move them to another schema or "
        "choose another --schema",
    ),
    "dependents": (
        "không thay thế được schema '{schema}' trong {db}: có đối tượng ngoài ntmgis phụ thuộc "
        "vào nó ({detail}); ntmgis không xóa chúng và các lớp cũ được giữ nguyên",
        "cannot replace schema '{schema}' in {db}: objects ntmgis did not create depend on it "
        "({detail}); ntmgis will not drop them and the previous layers are kept",
    ),
    "schema_exists": (
        "schema '{schema}' đã có trong {db}; thêm --overwrite để thay thế",
        "schema '{schema}' already exists in {db}; add --overwrite to replace it",
    ),
    "connect": (
        "Không kết nối được tới máy chủ PostgreSQL {host}:{port} (cơ sở dữ liệu {database}, "
        "{db}): {reason}",
        "Cannot connect to the PostgreSQL server {host}:{port} (database {database}, {db}): "
        "{reason}",
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
    "bad_table": (
        "'{name}': cần dạng 'schema.bảng' hoặc một câu lệnh SELECT",
        "'{name}': expected 'schema.table' or a SELECT query",
    ),
    "read_only": (
        "lớp PostGIS chỉ được đọc: truy vấn định thay đổi cơ sở dữ liệu {db} và bị từ chối "
        "({reason})",
        "PostGIS layers are read-only: the query tried to change the database {db} and was "
        "refused ({reason})",
    ),
    "one_statement": (
        "layer phải là một câu lệnh SELECT duy nhất, không nối nhiều lệnh bằng ';' ({db}): "
        "{reason}",
        "layer must be a single SELECT statement, not several joined by ';' ({db}): {reason}",
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


#: Name of the table that marks a schema as made by ntmgis (see ntmgis.outputs.postgis_store).
MARKER_TABLE = "_ntmgis"

#: Seconds to wait for the server before saying it cannot be reached (libpq waits for ever).
CONNECT_TIMEOUT = 10


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
    """Return ``url`` with any password replaced by ``***`` (for messages).

    The user part ends at the last ``@``, so a password holding ``@`` or ``/``
    (typed as is rather than percent-encoded) is masked whole; a ``password=``
    query parameter is masked too.

    Examples
    --------
    >>> safe_url("postgresql://gis:p@ss/w0rd@db.local/ntm")
    'postgresql://gis:***@db.local/ntm'
    >>> safe_url("postgresql://gis@db.local/ntm?password=x&sslmode=require")
    'postgresql://gis@db.local/ntm?password=***&sslmode=require'
    """
    head, sep, rest = str(url).partition("://")
    at = rest.rfind("@")
    if sep and at >= 0:
        user, colon, _ = rest[:at].partition(":")
        if colon:
            rest = f"{user}:***{rest[at:]}"
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", head + sep + rest)


def parse_url(url: str, lang: str = "vi") -> sqlalchemy.URL:
    """Split a PostgreSQL URL as users type it into a SQLAlchemy URL for psycopg 3.

    SQLAlchemy's own parser takes the host to start after the first ``@``, so a
    password holding ``@`` would be sent as part of the host name and shown in
    the error; here the user part ends at the last ``@``. Percent-encoded
    parts are decoded; ``password=`` in the query becomes the password.

    Raises
    ------
    WorkspaceError
        Not a PostgreSQL URL, or the port is not a number (the message masks the password).
    """
    sa = sqlalchemy_module(lang)
    raw = str(url).strip()
    bad = WorkspaceError(postgis_text("bad_url", lang, url=safe_url(raw)))
    if not is_postgis_url(raw):
        raise bad
    rest = raw.split("://", 1)[1]
    at = rest.rfind("@")
    userinfo, hostpart = (rest[:at], rest[at + 1:]) if at >= 0 else ("", rest)
    user, _, password = userinfo.partition(":")
    hostpart, _, query_text = hostpart.partition("?")
    hostport, _, database = hostpart.partition("/")
    if hostport.startswith("["):  # an IPv6 address: [::1]:5432
        host, _, after = hostport[1:].partition("]")
        port = after[1:] if after.startswith(":") else after
    else:
        host, _, port = hostport.partition(":")
    query = dict(parse_qsl(query_text, keep_blank_values=True))
    password = query.pop("password", None) or unquote(password) or None
    if port and not port.isdigit():
        raise bad
    return sa.engine.URL.create(
        "postgresql+psycopg", username=unquote(user) or None, password=password,
        host=unquote(host) or None, port=int(port) if port else None,
        database=unquote(database) or None, query=query)


def engine_for(url: str, lang: str) -> sqlalchemy.Engine:
    """A connection-less engine (NullPool): each command opens and closes its own.

    The server gets :data:`CONNECT_TIMEOUT` seconds to answer unless the URL
    sets ``connect_timeout``, so an unreachable host fails soon with a message.
    """
    sa = sqlalchemy_module(lang)
    parsed = parse_url(url, lang)
    args = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
    return sa.create_engine(parsed, poolclass=sa.pool.NullPool, connect_args=args)


def connection_error(url: str, exc: BaseException, lang: str) -> ConnectionError:
    """The error for a server that cannot be reached: host, port and database, no password."""
    parsed = parse_url(url, lang)
    reason = first_line(exc)
    if parsed.password:  # belt and braces: a driver message never echoes it, but be sure
        reason = reason.replace(str(parsed.password), "***")
    return ConnectionError(postgis_text(
        "connect", lang, host=parsed.host or "localhost", port=parsed.port or 5432,
        database=parsed.database or "-", db=safe_url(url), reason=reason))


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


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error ('' when there is none)."""
    return str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")


def _split_name(name: str, lang: str) -> tuple[str, str]:
    """``"schema.table"`` -> (schema, table); a bare name is in ``public``."""
    parts = [p.strip().strip('"') for p in name.split(".")]
    if len(parts) == 1:
        return "public", parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise WorkspaceError(postgis_text("bad_table", lang, name=name))


def _is_query(text: str) -> bool:
    return bool(re.match(r"^\s*(select|with)\b", text, flags=re.IGNORECASE))


def _query_error(exc: BaseException, query: str, db: str, lang: str) -> DataError:
    """A failed read as a DataError; an attempt to write or to run several statements is named."""
    if exc.__cause__ is not None and not hasattr(exc, "orig"):
        exc = exc.__cause__  # pandas wraps the database error in its own DatabaseError
    reason = first_line(exc)
    if sqlstate(exc) in ("25006", "25001") or "data-modifying" in reason:
        return DataError(postgis_text("read_only", lang, db=db, reason=reason))
    if "multiple commands" in reason or (sqlstate(exc) == "42601" and ";" in query):
        return DataError(postgis_text("one_statement", lang, db=db, reason=reason))
    return DataError(postgis_text("query_failed", lang, db=db, reason=reason))


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
        ``"schema.table"`` (or ``"table"`` in ``public``), or one query starting
        with ``SELECT`` or ``WITH``. It runs in a read-only transaction: a query
        that would change the database fails.
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
        The table does not exist, the query fails, tries to write or holds
        several statements; the message says which.
    ConnectionError
        The server cannot be reached (the message names host and port, never the password).
    """
    import geopandas as gpd

    check_lang(lang)
    sa = sqlalchemy_module(lang)
    engine = engine_for(url, lang)
    db = safe_url(url)
    # A bound LIMIT makes psycopg use the extended protocol: one statement only, so no
    # "; COMMIT; DROP ..." after the query. NULL means no limit.
    limit = " LIMIT :ntmgis_limit"
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            if _is_query(table_or_sql):
                # The user's ":name" is text, not a bind parameter of ours.
                sql = re.sub(r"(?<![:\w\\]):(?=\w)", r"\\:", table_or_sql.strip().rstrip(";"))
                source = f"({sql}) AS q"
                order = ""
            else:
                sch, tbl = _split_name(table_or_sql, lang)
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
            probe = conn.execute(sa.text(f"SELECT * FROM {source}{limit}"), {"ntmgis_limit": 0})
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
            query = sa.text(f"SELECT * FROM {source}{order}{limit}")
            params = {"ntmgis_limit": None}
            if gcol is None:
                return pd.read_sql(query, conn, params=params)
            frame = gpd.read_postgis(query, conn, geom_col=gcol, crs=crs, params=params)
    except sa.exc.OperationalError as exc:
        if sqlstate(exc) in ("", "08000", "08001", "08004", "08006", "28000", "28P01", "3D000"):
            raise connection_error(url, exc, lang) from exc
        raise _query_error(exc, table_or_sql, db, lang) from exc
    except (sa.exc.DBAPIError, sa.exc.StatementError, pd.errors.DatabaseError) as exc:
        raise _query_error(exc, table_or_sql, db, lang) from exc
    finally:
        engine.dispose()
    others = [c for c in geom_cols if c != gcol and c in frame.columns]
    if others:
        frame = frame.drop(columns=others)
    if gcol != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


def list_postgis_layers(url: str, *, schema: str, lang: str = "vi") -> dict[str, int]:
    """List the tables of ``schema`` with their row counts (for checks and the CLI).

    ntmgis's marker table (:data:`MARKER_TABLE`) is not a layer and is left out.
    """
    check_lang(lang)
    sa = sqlalchemy_module(lang)
    engine = engine_for(url, lang)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            names = conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = :s AND table_name <> :m ORDER BY table_name"
                ),
                {"s": schema, "m": MARKER_TABLE},
            ).scalars().all()
            return {
                n: int(conn.execute(sa.text(f"SELECT count(*) FROM {ident(schema)}.{ident(n)}"))
                       .scalar())
                for n in names
            }
    except sa.exc.OperationalError as exc:
        raise connection_error(url, exc, lang) from exc
    finally:
        engine.dispose()
