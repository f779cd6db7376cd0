"""The ``ntmgis`` command line: a thin skin over the library.

Each command lives in a module of its own in this package, parses options,
calls one library function, and leaves errors to :mod:`ntmgis.cli.exits`, the
one mapping from library errors to a message and an exit code. Commands are
registered explicitly below; nothing outside this package imports it.
"""

from __future__ import annotations

import click

from ntmgis.cli import appendix, build, criteria, forms, init, query, report, store, validate
from ntmgis.cli import map as map_
from ntmgis.core.version import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ntmgis")
def main() -> None:
    """ntmgis: giám sát Chương trình xây dựng nông thôn mới trên bản đồ số.

    Monitoring Vietnam's New Rural Development programme (nông thôn mới) on
    digital maps: monitoring layers, offline web maps, map appendices, and
    spatial queries on infrastructure gaps.
    """


for _module in (init, validate, build, report, map_, appendix, query, store, forms, criteria):
    main.add_command(_module.command)
