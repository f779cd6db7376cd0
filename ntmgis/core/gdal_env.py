"""The one place that sets GDAL configuration options (as rasterio's ``env.py`` does).

ntmgis sets one today: ``OGR_CURRENT_DATE``, so that GDAL stamps GeoPackage
contents with the data's date rather than the clock and the same inputs give
the same bytes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["gdal_config", "gpkg_timestamp", "pinned_gpkg_date"]


@contextlib.contextmanager
def gdal_config(**options: str | None) -> Iterator[None]:
    """Set GDAL configuration options for the block, then restore what was there.

    GDAL reads a configuration option from the environment when it is not set
    through its API, so an environment variable reaches every driver pyogrio
    and rasterio open. ``None`` unsets an option for the block.
    """
    old = {k: os.environ.get(k) for k in options}
    try:
        for k, v in options.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def gpkg_timestamp(date: str) -> str:
    """``"2025-12-31"`` -> ``"2025-12-31T00:00:00.000Z"``, the form GeoPackage requires.

    An empty date gives a fixed one (2000-01-01): never the clock.
    """
    return (date or "2000-01-01") + "T00:00:00.000Z"


def pinned_gpkg_date(date: str) -> contextlib.AbstractContextManager[None]:
    """GeoPackages written in the block are stamped with ``date`` (see :func:`gpkg_timestamp`)."""
    return gdal_config(OGR_CURRENT_DATE=gpkg_timestamp(date))
