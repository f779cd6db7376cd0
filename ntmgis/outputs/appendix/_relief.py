"""The shaded relief of an appendix map: :class:`Hillshade` (drawn by ``MapFrame.hillshade``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

__all__ = ["Hillshade"]


@dataclass
class Hillshade:
    """A hillshade of the workspace's elevation raster, clipped to the area, as RGBA.

    ``levels`` holds the same image at several cell sizes (finest first) so that a
    district-wide map does not embed more pixels than it can show.
    """

    levels: list[tuple[np.ndarray, tuple[float, float, float, float], float]]

    @classmethod
    def from_raster(cls, path: Path, crs: str, area: shapely.Geometry, *,
                    azimuth: float = 315.0, altitude: float = 45.0,
                    finest: float = 40.0) -> Hillshade:
        """Read ``path`` (reprojected to ``crs`` if needed), shade it, clip to ``area``."""
        import rasterio
        from rasterio.enums import Resampling
        from rasterio.features import geometry_mask
        from rasterio.transform import Affine
        from rasterio.vrt import WarpedVRT

        with rasterio.open(path) as src:
            if src.crs is not None and src.crs != rasterio.crs.CRS.from_user_input(crs):
                ds = WarpedVRT(src, crs=crs, resampling=Resampling.bilinear)
            else:
                ds = src
            try:
                res = abs(ds.transform.a)
                f = max(1, min(4, int(round(res / finest))))
                shape = (ds.height * f, ds.width * f)
                z = ds.read(1, out_shape=shape, resampling=Resampling.bilinear,
                            masked=True).astype("float64")
                transform = ds.transform @ Affine.scale(ds.width / shape[1],
                                                              ds.height / shape[0])
            finally:
                if ds is not src:
                    ds.close()
        zf = z.filled(np.nan)
        if np.isnan(zf).all():
            zf = np.zeros_like(zf)
        elif np.isnan(zf).any():
            zf = np.where(np.isnan(zf), np.nanmean(zf), zf)
        dx, dy = abs(transform.a), abs(transform.e)
        # rows run southward (origin upper): the row spacing is negative northing, as in
        # matplotlib's LightSource.hillshade
        gy, gx = np.gradient(zf, -dy, dx)
        norm = np.sqrt(gx * gx + gy * gy + 1.0)
        az, alt = np.deg2rad(90.0 - azimuth), np.deg2rad(altitude)
        shaded = (-gx * np.cos(az) * np.cos(alt) - gy * np.sin(az) * np.cos(alt)
                  + np.sin(alt)) / norm
        shaded = np.clip(shaded, 0.0, 1.0)
        flat = math.sin(alt)
        # shadows darken, lit slopes lighten: a multiply/screen look over the fills
        dark = np.clip((flat - shaded) / flat, 0.0, 1.0)
        light = np.clip((shaded - flat) / (1.0 - flat), 0.0, 1.0)
        is_light = shaded > flat
        alpha = np.where(is_light, 0.35 * light, 0.55 * dark)
        inside = geometry_mask([area], out_shape=shaded.shape, transform=transform,
                               invert=True, all_touched=False)
        alpha[~inside | np.ma.getmaskarray(z)] = 0.0
        rgba = np.zeros(shaded.shape + (4,), dtype="float32")
        rgba[is_light, :3] = 1.0
        rgba[..., 3] = alpha
        left, top = transform.c, transform.f
        levels = []
        for k in (1, 2, 4):
            h, w = (rgba.shape[0] // k) * k, (rgba.shape[1] // k) * k
            lv = rgba[:h, :w].reshape(h // k, k, w // k, k, 4).mean(axis=(1, 3))
            img = np.round(lv * 255.0).astype(np.uint8)
            levels.append((img, (left, top - h * dy, left + w * dx, top), dx * k))
        return cls(levels=levels)

    def crop(self, extent: tuple[float, float, float, float],
             max_cell: float = 0.0) -> tuple[np.ndarray, list]:
        """The image within ``extent`` (xmin, xmax, ymin, ymax) and its extent.

        The coarsest level whose cells are no larger than ``max_cell`` is used.
        """
        img, bounds, cell = self.levels[0]
        for lv in self.levels[1:]:
            if lv[2] <= max_cell:
                img, bounds, cell = lv
        left, bottom, right, top = bounds
        x0, x1, y0, y1 = extent
        c0 = max(0, int(math.floor((x0 - left) / cell)))
        c1 = min(img.shape[1], int(math.ceil((x1 - left) / cell)))
        r0 = max(0, int(math.floor((top - y1) / cell)))
        r1 = min(img.shape[0], int(math.ceil((top - y0) / cell)))
        if c1 <= c0 or r1 <= r0:
            return img[:0, :0], [x0, x1, y0, y1]
        return img[r0:r1, c0:c1], [left + c0 * cell, left + c1 * cell,
                                   top - r1 * cell, top - r0 * cell]
