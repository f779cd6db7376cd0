"""The ``ntmgis`` command line: a thin skin over the library.

Each command lives in a module of its own in this package, parses options,
calls one library function, and leaves errors to :mod:`ntmgis.cli.exits`, the
one mapping from library errors to a message and an exit code. Commands are
registered explicitly below; nothing outside this package imports it.

The command line speaks Vietnamese by default and English with ``--lang en``,
``NTMGIS_LANG=en`` or a workspace whose ``[area] language`` is ``"en"``: click's own
words, every help text and usage errors (:mod:`ntmgis.cli.language`).
"""

from __future__ import annotations

import click

from ntmgis.cli import appendix, build, criteria, forms, init, query, report, store, validate
from ntmgis.cli import map as map_
from ntmgis.cli.language import Group, Option
from ntmgis.cli.options import lang_option
from ntmgis.core.version import __version__

__all__ = ["main"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             help_en="""ntmgis: monitoring Vietnam's New Rural Development programme
             (nông thôn mới) on digital maps.

             Monitoring layers, offline web maps, map appendices, and spatial queries
             on infrastructure gaps.""")
@click.version_option(__version__, prog_name="ntmgis", cls=Option,
                      message="%(prog)s %(version)s",
                      help=("Hiện phiên bản rồi thoát.", "Show the version and exit."))
@lang_option
def main(lang: str | None) -> None:
    """ntmgis: giám sát Chương trình xây dựng nông thôn mới trên bản đồ số.

    Lớp giám sát, bản đồ web ngoại tuyến, phụ lục bản đồ và truy vấn không gian về
    những chỗ còn thiếu hạ tầng.
    """


for _module in (init, validate, build, report, map_, appendix, query, store, forms, criteria):
    main.add_command(_module.command)
