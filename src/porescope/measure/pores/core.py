"""Each pore's *core*: how dark it is at its centre, read at a fixed scale (the dark/open class reads it).

Apart from :mod:`porescope.measure.pores.detect`, which calls :func:`core_darkness` once its pores are known.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CORE_SIGMA_PER_DIAMETER", "core_darkness"]

#: A pore's *core* (its darkness for the dark/open class, measure.DARK_CORE_CONTRAST) is the background less
#: the log luminance averaged, around the pore's darkest pixel, by a Gaussian of this fraction of the typical
#: pore diameter: in millimetres when the scale is known (0.18 x 0.7 mm = 0.13 mm), a fixed share of
#: the pore when it is not, so the same pore reads the same at any distance. The old core, the peak of the
#: fine map (at most 1 px), read texture and noise on top of the pore and moved most under phone sharpening
#: (unsharp mask 20%: open pores' highest core +11-15%), so the dark share of synthetic skin went 0.17 -> 0.22
#: on a sharpened re-take. Chosen on the synthetic skins of benchmarks/bench_causes.py (seeds 3, 5, 7; 0.12,
#: 0.18 and 0.25 tried): at 0.18 plugged pores' 1% quantile lies 1.15-1.3x above open pores' 99%, and
#: sharpening moves open pores' highest core +9-11%; 0.12 moves like the peak (+14-16%), and at 0.25 the
#: smoothing nears the background's (0.4 d) and takes half the contrast: the classes overlap.
CORE_SIGMA_PER_DIAMETER = 0.18
#: Below this sigma (px) the average is the pixel itself (detect.MIN_FINE_SIGMA_PX).
MIN_SIGMA_PX = 0.3


def core_darkness(logy: np.ndarray, background: np.ndarray, darkness: np.ndarray, pixel_index: np.ndarray, pixel_label: np.ndarray,
                  count: int, sigma: float, peak: np.ndarray | None = None) -> np.ndarray:
    """Each pore's core: the background less the log luminance averaged by a Gaussian of ``sigma`` px around the
    pore's darkest pixel (on ``darkness``).

    Read at that one pixel per pore (a window of ±3 sigma), not by blurring the whole photo, which took ~0.1-0.2 s
    on 12 MP.

    Parameters
    ----------
    logy, background, darkness : ndarray
        (H, W) float32 maps of detection: log luminance, its local background, and their difference after the fine
        smoothing (ln units).
    pixel_index, pixel_label : ndarray
        Flat indices of the pore pixels and their labels (1..count).
    count : int
        Number of pores.
    sigma : float
        The Gaussian's sigma in px (CORE_SIGMA_PER_DIAMETER x the typical pore diameter).
    peak : ndarray, optional
        (count,) each pore's highest ``darkness`` when the caller knows it (saves finding it).

    Returns
    -------
    ndarray
        (count,) float64, ln units of linear luminance.
    """
    if count == 0:
        return np.zeros(0)
    h, w = logy.shape
    d = darkness.ravel()[pixel_index]
    if peak is None:
        peak = np.full(count, -np.inf, np.float32)
        np.maximum.at(peak, pixel_label - 1, d)
    at_peak = d == np.asarray(peak, d.dtype)[pixel_label - 1]
    _, first = np.unique(pixel_label[at_peak], return_index=True)  # the first darkest pixel of each pore (labels 1..count)
    if first.size != count:  # a peak given that is not one of the pore's pixels: find them
        return core_darkness(logy, background, darkness, pixel_index, pixel_label, count, sigma)
    ys, xs = np.divmod(pixel_index[at_peak][first], w)
    if sigma <= MIN_SIGMA_PX:
        return (background[ys, xs] - logy[ys, xs]).astype(np.float64)
    r = int(np.ceil(3 * sigma))
    off = np.arange(-r, r + 1)
    g = np.exp(-0.5 * (off / sigma) ** 2)
    g /= g.sum()
    # Rows then columns of the window (separable), clipped at the photo's edge.
    yy = np.clip(ys[:, None] + off[None, :], 0, h - 1)
    xx = np.clip(xs[:, None] + off[None, :], 0, w - 1)
    window = logy[yy[:, :, None], xx[:, None, :]]  # (count, 2r+1, 2r+1) float32
    gf = g.astype(np.float32)
    smooth = np.einsum("nij,i,j->n", window, gf, gf).astype(np.float64)
    return background[ys, xs].astype(np.float64) - smooth
