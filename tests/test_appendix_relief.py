"""The relief enlarged by Pillow for the PNG pages: matplotlib's frame, pixels within 3 levels."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from ntmgis.outputs.appendix._imagecache import upsampled


def _relief(h: int, w: int, seed: int) -> np.ndarray:
    """Pixels shaped like the appendix's relief: white or black, alpha up to 0,55, edges."""
    rng = np.random.default_rng(seed)
    alpha = np.kron((rng.random((h // 9 + 1, w // 9 + 1)) * 140).astype(np.uint8),
                    np.ones((9, 9), np.uint8))[:h, :w]
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 3] = alpha
    light = np.kron(rng.random((h // 7 + 1, w // 7 + 1)) > 0.5, np.ones((7, 7), bool))[:h, :w]
    rgba[light, :3] = 255
    rgba[::13, :, :3] = 128  # a mix, as the coarser levels' averages make
    rgba[:, :5, 3] = 0  # outside the area
    return rgba


def _image(rgba: np.ndarray, *, dpi: int, origin: str, extent: tuple,
           limits: tuple) -> tuple[AxesImage, object]:
    fig = Figure(figsize=(8.27, 11.69), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.07, 0.31, 0.86, 0.61))
    ax.set_axis_off()
    im = ax.imshow(rgba, extent=extent, origin=origin, interpolation="bilinear")
    ax.set_xlim(*limits[:2])
    ax.set_ylim(*limits[2:])
    return im, fig.canvas.get_renderer()


CASES = [  # dpi, origin, image extent, map limits (the image inside, at an edge, cut)
    (300, "upper", (1000.3, 5210.7, 2000.1, 5050.9), (900, 5300, 1900, 5200)),
    (300, "lower", (1000.3, 5210.7, 2000.1, 5050.9), (900, 5300, 1900, 5200)),
    (300, "upper", (0.0, 4000.0, 0.0, 3000.0), (1234.5, 2345.6, 1000.25, 2000.75)),
    (150, "upper", (-20.5, 1980.25, 7.0, 1507.0), (-20.5, 1980.25, 7.0, 1507.0)),
]


@pytest.mark.parametrize("case", CASES)
def test_enlarged_relief_is_matplotlibs_within_two_levels(case: tuple) -> None:
    dpi, origin, extent, limits = case
    with matplotlib.rc_context({"image.resample": True}):
        im, renderer = _image(_relief(301, 419, seed=dpi), dpi=dpi, origin=origin,
                              extent=extent, limits=limits)
        ref = AxesImage.make_image(im, renderer, 1.0)
        ours = upsampled(im, 1.0)
    assert ours is not None
    assert ours[0].shape == ref[0].shape and ours[0].dtype == np.uint8
    assert (ours[1], ours[2]) == (ref[1], ref[2])
    assert np.array_equal(ours[3].get_matrix(), ref[3].get_matrix())
    a, b = ref[0].astype(int), ours[0].astype(int)
    assert np.abs(a[..., 3] - b[..., 3]).max() <= 2
    # the colour as it shows over the map (premultiplied): a nearly transparent pixel's
    # colour may differ more, its effect may not
    shown = np.abs(a[..., :3] * a[..., 3:] // 255 - b[..., :3] * b[..., 3:] // 255)
    assert shown.max() <= 3 and shown.mean() < 0.5
    assert a[..., 3].max() > 100 and (a[..., 3] == 0).any()  # the check is not empty


def test_left_to_matplotlib_where_pillow_would_differ() -> None:
    rgba = _relief(301, 419, seed=1)
    big = (0.0, 4000.0, 0.0, 3000.0)
    # shrunk: 3.000 pixels of image onto a 150-dpi frame of about 1.000
    shrunk, _ = _image(np.repeat(np.repeat(rgba, 10, 0), 10, 1), dpi=150, origin="upper",
                       extent=big, limits=big)
    assert upsampled(shrunk) is None
    for change in ({"interpolation": "nearest"}, {"alpha": 0.5}):
        im, _ = _image(rgba, dpi=300, origin="upper", extent=big, limits=big)
        im.set(**change)
        assert upsampled(im) is None
    im, _ = _image(rgba.astype(np.float32) / 255, dpi=300, origin="upper", extent=big,
                   limits=big)
    assert upsampled(im) is None
    im, _ = _image(np.ma.masked_equal(rgba, 0), dpi=300, origin="upper", extent=big,
                   limits=big)
    assert upsampled(im) is None
