"""Hillshade background for the HTML maps: computed with numpy, inlined as a PNG.

The elevation raster is read with rasterio (decimated if larger than needed),
shaded in its own metric grid, warped to Web Mercator (EPSG:3857, the CRS of
the Leaflet map, so that an image overlay stretched over its lat/lon bounds
lines up exactly) and written as a JPEG (a hillshade has no sharp edges, so
JPEG at quality 70 is four times smaller than PNG and looks the same). Outside
the area the shading fades into the map's background colour; cells without
data take that colour.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ntmgis.core.errors import DataError

__all__ = ["Hillshade", "hillshade", "render_hillshade"]


BACKGROUND = (238, 240, 234)  # the map's background colour (app.css .leaflet-container)


@dataclass(frozen=True)
class Hillshade:
    """An inlinable hillshade image and its ``[[south, west], [north, east]]`` bounds."""

    image: bytes
    mime: str
    bounds: list[list[float]]

    @property
    def data_uri(self) -> str:
        """The image as a ``data:`` URI."""
        return f"data:{self.mime};base64," + base64.b64encode(self.image).decode("ascii")


def hillshade(elev: np.ndarray, *, xres: float, yres: float, azimuth: float = 315.0,
              altitude: float = 45.0, z_factor: float = 1.0) -> np.ndarray:
    """Hillshade (0..1) of an elevation grid; NaN where the input is NaN.

    Parameters
    ----------
    elev : numpy.ndarray
        Elevation in metres, rows from north to south.
    xres, yres : float
        Cell size in metres (positive).
    azimuth, altitude : float
        Sun direction (degrees clockwise from north) and height (degrees).
    z_factor : float
        Vertical exaggeration.
    """
    z = np.asarray(elev, dtype="float64") * z_factor
    # np.gradient keeps the shape; NaN spreads to neighbours, which is what we want
    dzdy, dzdx = np.gradient(z, yres, xres)
    dzdy = -dzdy  # rows go south, y goes north
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, -dzdy)  # direction the slope faces, from north clockwise
    az = np.radians(azimuth)
    alt = np.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.clip(shade, 0.0, 1.0)


def render_hillshade(path: str | Path, *, max_size: int = 720, quality: int = 70,
                     image_format: str = "jpeg",
                     mask_geoms: object | None = None) -> Hillshade:
    """Read an elevation GeoTIFF and return the inlinable hillshade.

    Parameters
    ----------
    path : str or Path
        The elevation raster (any CRS with metres, or geographic).
    max_size : int
        Largest side of the output image in pixels; the raster is read
        decimated to about this size (the map opens at a zoom where a pixel
        of a 720-pixel image is about a screen pixel).
    quality : int
        JPEG quality (1-95).
    image_format : {"jpeg", "png"}
        Image format; PNG is lossless and about four times larger.
    mask_geoms : sequence of shapely geometries, optional
        In EPSG:3857; outside them the hillshade is drawn fainter, so the
        area stands out.

    Returns
    -------
    Hillshade
    """
    import warnings

    from rasterio.errors import RasterioError

    with warnings.catch_warnings():
        # rasterio < 1.5 multiplies Affine objects with `*`, which affine >= 3.1 flags
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return _render(Path(path), max_size=max_size, quality=quality,
                           image_format=image_format, mask_geoms=mask_geoms)
        except RasterioError as exc:
            # A file cut short opens and fails where its data stop: say which file.
            raise DataError(f"Không đọc được tệp độ cao {path} (bị hỏng hoặc không đầy đủ) / "
                            f"cannot read the elevation raster {path} (damaged or incomplete)",
                            path=path, value=str(exc)) from exc


def _render(path: Path, *, max_size: int, quality: int, image_format: str,
            mask_geoms: object | None) -> Hillshade:
    if image_format not in ("jpeg", "png"):
        raise ValueError(f"image_format must be 'jpeg' or 'png', got {image_format!r}")
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.warp import calculate_default_transform, reproject, transform_bounds

    with rasterio.open(path) as src:
        scale = max(src.width, src.height) / max_size
        factor = max(1.0, scale)
        out_h = max(2, int(round(src.height / factor)))
        out_w = max(2, int(round(src.width / factor)))
        band = src.read(1, out_shape=(out_h, out_w), masked=True,
                        resampling=Resampling.average if factor > 1 else Resampling.nearest)
        elev = band.astype("float64").filled(np.nan)
        transform = src.transform @ src.transform.scale(src.width / out_w, src.height / out_h)
        crs = src.crs
        if crs is None:
            raise ValueError(f"{path}: the elevation raster has no CRS")
        xres, yres = abs(transform.a), abs(transform.e)
        if crs.is_geographic:
            lat = (src.bounds.top + src.bounds.bottom) / 2
            xres *= 111_320 * np.cos(np.radians(lat))
            yres *= 110_540
        # exaggerate relief on coarse cells so that the hillshade still reads
        shade = hillshade(elev, xres=xres, yres=yres, z_factor=2.0)
        left, bottom, right, top = rasterio.transform.array_bounds(out_h, out_w, transform)

    dst_crs = "EPSG:3857"
    dst_transform, dst_w, dst_h = calculate_default_transform(
        crs, dst_crs, out_w, out_h, left=left, bottom=bottom, right=right, top=top)
    dst = np.full((dst_h, dst_w), np.nan, dtype="float64")
    reproject(shade, dst, src_transform=transform, src_crs=crs, dst_transform=dst_transform,
              dst_crs=dst_crs, src_nodata=np.nan, dst_nodata=np.nan,
              resampling=Resampling.bilinear)
    valid = ~np.isnan(dst)
    # brighten: a background, not a subject
    grey = 90 + np.where(valid, dst, 1.0) * 165
    weight = np.where(valid, 1.0, 0.0)
    if mask_geoms is not None:
        import shapely
        from rasterio.features import geometry_mask

        # a quarter of a pixel is as fine as the mask can tell: simplifying first
        # makes rasterizing a national coverage seconds faster
        geoms = np.asarray(list(mask_geoms), dtype=object)
        geoms = shapely.simplify(geoms, abs(dst_transform.a) / 4)
        geoms = geoms[~(shapely.is_empty(geoms) | shapely.is_missing(geoms))]
        outside = geometry_mask(list(geoms), out_shape=(dst_h, dst_w),
                                transform=dst_transform)
        weight = np.where(valid & outside, 0.45, weight)
    bg = np.asarray(BACKGROUND, dtype="float64")
    rgb = weight[..., None] * grey[..., None] + (1 - weight[..., None]) * bg
    from PIL import Image

    img = Image.fromarray(np.round(rgb).astype(np.uint8))  # (h, w, 3) -> "RGB"
    buf = io.BytesIO()
    if image_format == "jpeg":
        img.save(buf, format="JPEG", quality=quality, optimize=True)
        mime = "image/jpeg"
    else:
        img.save(buf, format="PNG", optimize=True)
        mime = "image/png"
    x0 = dst_transform.c
    y1 = dst_transform.f
    x1 = x0 + dst_transform.a * dst_w
    y0 = y1 + dst_transform.e * dst_h
    w, s, e, n = transform_bounds(dst_crs, "EPSG:4326", x0, y0, x1, y1)
    bounds = [[round(s, 6), round(w, 6)], [round(n, 6), round(e, 6)]]
    return Hillshade(image=buf.getvalue(), mime=mime, bounds=bounds)
