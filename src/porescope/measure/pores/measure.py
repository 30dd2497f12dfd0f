"""Measure each detected pore: position, size, shape, contrast, kind.

All per-pore statistics are computed at once from the label image with
``np.bincount`` (image moments), so 20,000 pores cost about as much as one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A pore whose core reflects at least this much less light than the skin
#: around it (relative contrast, ln units of linear luminance) is classed
#: "dark": a blackhead-like plugged core rather than an open, shadowed
#: opening. The core is read at a fixed scale (core.CORE_SIGMA_PER_DIAMETER:
#: in millimetres when the scale is known), not at the pore's single darkest
#: pixel, so phone sharpening, a slightly soft focus or JPEG barely move it.
#: 0.50 ≈ 39% less light, which is 12.4 ΔL* on skin of L* 65. On the synthetic
#: skins of benchmarks/bench_causes.py (seeds 3 and 7, round and stretched;
#: plugged pores drawn 2.2x as dark as open ones) open pores' cores reach at
#: most 0.45 as shot and 0.50 after sharpening 20% (one or two of 800);
#: plugged ones' 1% quantile is 0.49-0.54. At 0.50 their dark share stays
#: within 0.02 of itself under every re-capture the change engine applies,
#: and moves +0.02-0.03 when a sharpened photo is sharpened again (0.48: +0.05-0.07,
#: which made a sharpened re-take's own range reach "possible" clogging; the old
#: peak core at 0.57 moved it 0.17 -> 0.22 under one sharpening). Open pores
#: on the real crops reach 0.26 (ΔL* 3-10 on fair skin); oxidized plugs are
#: much darker. In relative contrast, so the class does not move with
#: exposure or skin tone.
DARK_CORE_CONTRAST = 0.50


def is_dark(core: np.ndarray) -> np.ndarray:
    """Which pores are classed 'dark' (plugged).

    Parameters
    ----------
    core : ndarray
        Each pore's core contrast (ln units of linear luminance).

    Returns
    -------
    ndarray
        bool per pore.
    """
    return np.asarray(core) >= DARK_CORE_CONTRAST


def contrast_pct(ln_contrast: np.ndarray) -> np.ndarray:
    """Relative contrast in percent of the surrounding skin's light: 100·(1 − e^−c).

    Parameters
    ----------
    ln_contrast : ndarray
        Contrast in ln units.

    Returns
    -------
    ndarray
        Percent.
    """
    return 100.0 * -np.expm1(-np.asarray(ln_contrast, np.float64))


def delta_lstar(ln_background: np.ndarray, ln_contrast: np.ndarray) -> np.ndarray:
    """ΔL* (CIELAB) between a background of linear luminance e^b and a pore e^(b − c).

    Parameters
    ----------
    ln_background : ndarray
        b, the local background (ln units).
    ln_contrast : ndarray
        c, the pore's contrast (ln units).

    Returns
    -------
    ndarray
        ΔL* (0-100 scale).
    """

    def lstar(ln_y):
        y = np.exp(np.minimum(ln_y, 0.0))
        return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, 24389 / 27 * y)

    b = np.asarray(ln_background, np.float64)
    return lstar(b) - lstar(b - np.asarray(ln_contrast, np.float64))


@dataclass
class PoreTable:
    """Column-wise per-pore measurements (index i = pore label i + 1)."""

    x_px: np.ndarray
    y_px: np.ndarray
    area_px: np.ndarray
    equiv_diameter_px: np.ndarray
    major_axis_px: np.ndarray
    minor_axis_px: np.ndarray
    elongation: np.ndarray
    orientation_deg: np.ndarray
    contrast: np.ndarray  # mean darkness, ln units of linear luminance (capture-invariant)
    core: np.ndarray  # core darkness (core.CORE_SIGMA_PER_DIAMETER; the dark/open class reads it), ln units
    contrast_dl: np.ndarray  # the same contrast as ΔL* against the pore's own background (moves with exposure)
    core_dl: np.ndarray
    dark: np.ndarray  # bool
    evidence: np.ndarray  # contrast at the pore's own scale, ln units (detect's evidence map)
    clear: np.ndarray  # bool: counted in the headline metrics (see detect.CLEAR_CONTRAST)

    def __len__(self) -> int:
        return int(self.area_px.size)

    def select(self, idx: np.ndarray) -> PoreTable:
        return PoreTable(**{k: getattr(self, k)[idx] for k in self.__dataclass_fields__})


def _ellipse_axes(mu20: np.ndarray, mu02: np.ndarray, mu11: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(major, minor axis in px, orientation in degrees counter-clockwise from +x) of the moment ellipses."""
    common = np.sqrt(((mu20 - mu02) / 2) ** 2 + mu11**2)
    major = 4 * np.sqrt((mu20 + mu02) / 2 + common)
    minor = 4 * np.sqrt(np.maximum((mu20 + mu02) / 2 - common, 1e-6))
    # Image y grows downward; report the angle counter-clockwise from +x.
    theta = -0.5 * np.degrees(np.arctan2(2 * mu11, mu20 - mu02))
    return major, minor, (theta + 90.0) % 180.0 - 90.0


def measure(
    labels: np.ndarray,
    count: int,
    darkness: np.ndarray,
    background: np.ndarray,
    *,
    pixel_index: np.ndarray | None = None,
    pixel_label: np.ndarray | None = None,
    core: np.ndarray | None = None,
    evidence: np.ndarray | None = None,
    clear: np.ndarray | None = None,
) -> PoreTable:
    """Per-pore measurements from a label image and the darkness map.

    Contrast is the pore's mean darkness; the core is detection's reading of
    its core at a fixed scale (``Detection.core``), or, without one, the peak of
    ``darkness`` inside the pore. Both are also given as ΔL* against the pore's
    own background; the dark/open class reads the core.

    Parameters
    ----------
    labels : ndarray
        (H, W) int pore label image (1..count).
    count : int
        Number of pores.
    darkness, background : ndarray
        :class:`~porescope.measure.pores.detect.Detection`'s maps: relative
        contrast and the local background, both in ln units of linear luminance.
    pixel_index, pixel_label : ndarray, optional
        Flat indices of the pore pixels and their labels (as ``Detection``
        carries them); they save a scan of the whole label image.
    core : ndarray, optional
        Each pore's core darkness, as detection reads it (``Detection.core``); default the peak of ``darkness``.
    evidence : ndarray, optional
        Each pore's matched-filter contrast.
    clear : ndarray, optional
        bool per pore: counted in the headline metrics.

    Returns
    -------
    PoreTable
        Centroid, area, equivalent diameter, axes, elongation, orientation,
        contrast, core, ΔL*, dark/open and clear, per pore.
    """
    n = count + 1
    h, w = labels.shape
    if pixel_index is None:
        pixel_index = np.flatnonzero(labels)
        pixel_label = labels.ravel()[pixel_index]
    ys, xs = np.divmod(pixel_index, w)
    lab = pixel_label
    area = np.bincount(lab, minlength=n).astype(np.float64)[1:]
    safe = np.maximum(area, 1.0)
    xs_f = xs.astype(np.float64)
    ys_f = ys.astype(np.float64)
    mx = np.bincount(lab, xs_f, n)[1:] / safe
    my = np.bincount(lab, ys_f, n)[1:] / safe
    # Second central moments from raw ones, E[x²] - E[x]² (exact enough in
    # float64 for pixel coordinates; avoids per-pixel centring), +1/12 for
    # the pixel's own extent.
    mu20 = np.bincount(lab, xs_f * xs_f, n)[1:] / safe - mx * mx + 1 / 12
    mu02 = np.bincount(lab, ys_f * ys_f, n)[1:] / safe - my * my + 1 / 12
    mu11 = np.bincount(lab, xs_f * ys_f, n)[1:] / safe - mx * my
    major, minor, theta = _ellipse_axes(mu20, mu02, mu11)

    flat = darkness.ravel()
    d = flat[pixel_index].astype(np.float64)
    contrast = np.bincount(lab, d, n)[1:] / safe
    bg = np.bincount(lab, background.ravel()[pixel_index].astype(np.float64), n)[1:] / safe
    # Without detection's core: the peak of the darkness map (already smoothed at ~1 px) inside the pore.
    if core is None:
        peak = np.zeros(n, np.float64)
        np.maximum.at(peak, lab, d)
        core = peak[1:]
    else:
        core = np.asarray(core, np.float64)
    dark = is_dark(core)
    return PoreTable(
        x_px=mx,
        y_px=my,
        area_px=area.astype(np.int64),
        equiv_diameter_px=np.sqrt(4 * area / np.pi),
        major_axis_px=major,
        minor_axis_px=minor,
        elongation=major / np.maximum(minor, 1e-6),
        orientation_deg=theta,
        contrast=contrast,
        core=core,
        contrast_dl=delta_lstar(bg, contrast),
        core_dl=delta_lstar(bg, core),
        dark=dark,
        evidence=contrast if evidence is None else np.asarray(evidence, np.float64),
        clear=np.ones(count, bool) if clear is None else np.asarray(clear, bool),
    )
