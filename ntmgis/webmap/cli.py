"""``ntmgis map``: parse options, call :func:`ntmgis.webmap.render_maps`, map errors."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NtmgisError, OutputExistsError
from ..i18n import LANGUAGES, t

__all__ = ["cli_command"]


@click.command(name="map")
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Workspace folder (with ntmgis.toml); default: current folder.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the maps (default: the workspace's, else vi).")
@click.option("--overwrite", is_flag=True, help="Replace existing maps.")
@click.option("--year", type=int, default=None, help="Year the maps open on (default: latest).")
@click.option("--online-tiles/--no-online-tiles", default=True, show_default=True,
              help="Offer an OpenStreetMap layer to switch on when online (off at opening).")
def cli_command(workspace: Path | None, lang: str | None, overwrite: bool, year: int | None,
                online_tiles: bool) -> None:
    """Write the offline HTML maps: maps/index.html, maps/criteria/tcNN.html, maps/list.html."""
    from ..workspace import load_workspace
    from .monitoring import render_maps

    try:
        ws = _find(workspace, load_workspace)
        lang = lang or getattr(ws, "language", "vi") or "vi"
        paths = render_maps(ws, lang=lang, overwrite=overwrite, year=year,
                            online_tiles=online_tiles)
    except OutputExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    except (NtmgisError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    for p in paths:
        click.echo(t("written", lang, path=p))


def _find(workspace: Path | None, load_workspace):  # noqa: ANN001, ANN202
    from ..workspace import find_workspace

    return load_workspace(find_workspace(workspace if workspace is not None else Path.cwd()))
