"""Which PostgreSQL schemas ntmgis may replace, and how it marks its own.

ntmgis never drops what it did not create. Every schema
:func:`ntmgis.outputs.postgis_store.write_postgis` writes holds a marker table
``_ntmgis`` (:data:`~ntmgis.inputs.postgis.MARKER_TABLE`) with one row per table
it wrote (``table_name``, ``row_count``, ``ntmgis_version``, ``created``) and the
table comment :data:`MARKER`; the schema's own comment starts with ``ntmgis``.
A table named ``_ntmgis`` without that comment is not a mark. Before replacing
a schema ntmgis refuses, and changes nothing, when

- the name is ``public``, ``information_schema`` or ``pg_*``: refused before
  connecting (:class:`~ntmgis.core.errors.WorkspaceError`, exit code 3);
- the schema holds an extension (``pg_extension.extnamespace``), marked or not;
- it has no marker: ntmgis did not create it, and ``--overwrite`` does not help;
- it holds tables, views, sequences or types the marker does not list (added
  by someone else);
- an object elsewhere depends on it (a view in another schema on one of its
  tables): ntmgis's tables and the schema are dropped with ``RESTRICT``, never
  ``CASCADE``.

The last four raise :class:`~ntmgis.core.errors.OutputExistsError` (exit code 4),
as an existing schema without ``--overwrite`` does. Identifiers are quoted with
:func:`~ntmgis.inputs.postgis.ident`; values go as parameters.
"""

from __future__ import annotations

import re
from typing import Any

from ntmgis.core.errors import OutputExistsError, WorkspaceError
from ntmgis.core.version import __version__
from ntmgis.inputs.postgis import (
    MARKER_TABLE,
    first_line,
    ident,
    postgis_text,
    sql_literal,
    sqlalchemy_module,
    sqlstate,
)

__all__ = ["MARKER", "check_schema", "own_tables", "drop_own", "mark_schema"]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Comment on the marker table that makes a schema ntmgis's (a table named ``_ntmgis``
#: alone could be anyone's).
MARKER = "ntmgis schema marker 1"
_RESERVED = ("public", "information_schema")


def check_schema(schema: str, lang: str) -> str:
    """Return ``schema`` if ntmgis may write a schema of that name (before connecting).

    Raises
    ------
    WorkspaceError
        Not lower-case ASCII, or ``public``, ``information_schema`` or ``pg_*``.
    """
    if not isinstance(schema, str) or not _IDENT.match(schema):
        raise WorkspaceError(postgis_text("bad_schema", lang, schema=schema))
    if schema in _RESERVED or schema.startswith("pg_"):
        raise WorkspaceError(postgis_text("reserved_schema", lang, schema=schema))
    return schema


def own_tables(conn: Any, schema: str, *, overwrite: bool, db: str,
               lang: str) -> tuple[str, ...] | None:
    """The tables ntmgis may drop in ``schema``, or None when there is no such schema.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        In the transaction that will replace the schema.
    schema : str
        The schema to check.
    overwrite : bool
        Whether the user asked to replace an existing schema.
    db : str
        The database, password masked, for messages.
    lang : {"vi", "en"}
        Language of messages.

    Raises
    ------
    OutputExistsError
        The schema holds an extension, has no ntmgis marker, holds relations the
        marker does not list, or exists and ``overwrite`` is false.
    """
    sa = sqlalchemy_module(lang)
    oid = conn.execute(sa.text("SELECT oid FROM pg_namespace WHERE nspname = :s"),
                       {"s": schema}).scalar()
    if oid is None:
        return None
    args = {"o": oid, "m": MARKER_TABLE}
    extensions = conn.execute(sa.text(
        "SELECT extname FROM pg_extension WHERE extnamespace = :o ORDER BY 1"), args).scalars()
    if found := ", ".join(extensions):
        raise OutputExistsError(postgis_text("has_extension", lang, schema=schema, db=db,
                                             extensions=found))
    mark = conn.execute(sa.text(
        "SELECT obj_description(oid, 'pg_class') FROM pg_class "
        "WHERE relnamespace = :o AND relname = :m AND relkind = 'r'"), args).scalar()
    if mark != MARKER:
        raise OutputExistsError(postgis_text("not_ours", lang, schema=schema, db=db,
                                             marker=MARKER_TABLE))
    if not overwrite:
        raise OutputExistsError(postgis_text("schema_exists", lang, schema=schema, db=db))
    own = {MARKER_TABLE, *conn.execute(sa.text(
        f"SELECT table_name FROM {ident(schema)}.{ident(MARKER_TABLE)}")).scalars()}
    # Indexes and TOAST tables belong to their tables; anything else was added by someone.
    others = [n for n in conn.execute(sa.text(
        "SELECT relname FROM pg_class WHERE relnamespace = :o "
        "AND relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c') ORDER BY 1"), args).scalars()
        if n not in own]
    if others:
        raise OutputExistsError(postgis_text("foreign_objects", lang, schema=schema, db=db,
                                             objects=", ".join(others[:5])))
    return tuple(sorted(own))


def drop_own(conn: Any, schema: str, tables: tuple[str, ...], db: str, lang: str) -> None:
    """Drop ntmgis's ``tables`` and then ``schema``, RESTRICT: what depends on them stays."""
    sa = sqlalchemy_module(lang)
    names = ", ".join(f"{ident(schema)}.{ident(t)}" for t in tables)
    try:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {names} RESTRICT"))
        conn.execute(sa.text(f"DROP SCHEMA {ident(schema)} RESTRICT"))
    except sa.exc.DBAPIError as exc:
        if sqlstate(exc) != "2BP01":  # dependent_objects_still_exist
            raise
        diag = getattr(exc.orig, "diag", None)
        lines = (getattr(diag, "message_detail", None) or first_line(exc)).splitlines()
        detail = "; ".join(lines[:3]) + ("; …" if len(lines) > 3 else "")
        raise OutputExistsError(postgis_text("dependents", lang, schema=schema, db=db,
                                             detail=detail)) from exc


def mark_schema(conn: Any, schema: str, counts: dict[str, int], lang: str) -> None:
    """Write the marker table that lets a later store replace ``schema``."""
    sa = sqlalchemy_module(lang)
    table = f"{ident(schema)}.{ident(MARKER_TABLE)}"
    conn.execute(sa.text(
        f"CREATE TABLE {table} (table_name text PRIMARY KEY, row_count bigint NOT NULL, "
        "ntmgis_version text NOT NULL, created timestamptz NOT NULL DEFAULT now())"))
    conn.execute(sa.text(f"COMMENT ON TABLE {table} IS " + sql_literal(MARKER)))
    conn.execute(
        sa.text(f"INSERT INTO {table} (table_name, row_count, ntmgis_version) "
                "VALUES (:t, :n, :v)"),
        [{"t": name, "n": n, "v": __version__} for name, n in counts.items()])
