"""What a photo really resolves on the skin, and what the phone did to it.

A phone processes every photo: it denoises, smooths ("beauty" modes),
sharpens, zooms digitally and recompresses. The scale a photo claims (the
iris, ``--px-per-mm``) says how many pixels cover a millimetre; it does not
say how much *detail* those pixels hold. This module reads that detail from
the skin itself, in physical units, so the quality gate and the change engine
can act on it.

Four readings, all pure functions on arrays:

* :func:`band_spectrum`: the power spectrum of the skin's log luminance in
  fixed bands of **cycles per millimetre**, read at the analysis resolution
  (10 px/mm when the scale is known). Exposure, white balance and skin tone
  only shift log luminance, so they leave the spectrum's shape alone; blur,
  smoothing and sharpening change its shape (they are filters), while a real
  change of the pores mostly raises or lowers it evenly (measured on the real
  crops: pores' contrast x0.7 moved every band by -0.2 to -1.2 dB, a Gaussian
  blur of 0.1 mm moved 0.5 c/mm by -0.5 dB and 2.8 c/mm by -12 dB).
* :func:`effective_resolution`: the frequency where the skin's own texture
  sinks into the flat floor of the spectrum (sensor noise, or nothing at all
  in an enlarged photo), as an *effective* px/mm (two samples per cycle). An
  enlarged 2 px/mm photo that the iris reads as 8.6 px/mm holds detail only
  to about 1 cycle/mm; a 250 µm pore needs about 2 (Flament et al. 2015,
  doi:10.2147/CCID.S74401: 8-11 px/mm resolve it).
* :func:`own_grid_spectrum` and :func:`pore_detail_fall_db`: the same
  spectrum read on the photo's own pixels with the edges of JPEG's 8x8 blocks
  left out, and how far it falls from the scale of pores to the detail a
  250 µm pore needs. A JPEG copy of an enlarged photo fills the ordinary
  spectrum's fine bands with block noise; this one it cannot fool.
* :func:`flat_share` and :func:`blockiness`: a real sensor always leaves
  noise, so nearly no skin pixel has a second difference of zero; denoising
  and smoothing flatten the skin into patches where it has (Immerkær 1996's
  Laplacian-difference residual; Liu, Tanaka & Okutomi 2013,
  doi:10.1109/TIP.2013.2283400, on weak-texture patches). JPEG also flattens
  blocks at low quality; :func:`blockiness` tells its 8x8 grid apart.

Comparing two photos at the same detail (the change engine's matching filter)
is in :mod:`porescope.measure.match`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from porescope.measure.imaging import IMMERKAER_KERNEL, log_luminance, skin_tiles
from porescope.results import Detail, QualityProblem

#: Band edges of the stored spectrum, cycles per millimetre on the skin: from
#: 2 mm features (mottling) down to 0.1 mm (finer than any pore). At the
#: 10 px/mm analysis resolution the top edge is the Nyquist limit.
BAND_EDGES_CYC_PER_MM = (0.4, 0.6, 0.85, 1.1, 1.4, 1.75, 2.1, 2.5, 2.9, 3.35, 3.8, 4.35, 5.0)
#: When the scale is unknown, the same bands in cycles per pixel of a 10 px/mm photo.
NOMINAL_PX_PER_MM = 10.0
#: Spectrum tiles: 64 px (6.4 mm at 10 px/mm), Hann-windowed, at least this share skin.
TILE_PX = 64
TILE_MIN_SKIN = 0.95
#: At most this many tiles, spread evenly over the skin (plenty for a stable
#: spectrum: 128 tiles average the periodogram's scatter down to ~0.4 dB; ~50 ms).
MAX_TILES = 128
#: A band within this many dB of the spectrum's floor holds no more skin detail.
FLOOR_MARGIN_DB = 3.0
#: The floor is the mean of the two lowest bands at or above this frequency (cycles/mm).
FLOOR_FROM_CYC_PER_MM = 2.5
#: Immerkær residual (8-bit grey levels, kernel gain included) below which a
#: pixel counts as flat: sensor noise of even 0.5 grey level leaves under 15%
#: of skin pixels that flat (the real crops: 14%; synthetic skin with
#: sigma 2 noise: 4%); non-local-means denoising at h 3-6 leaves 42-68%.
FLAT_RESIDUAL = 1.0


@dataclass(frozen=True)
class Spectrum:
    """Band powers (dB) of log luminance; ``None`` where a band is past the photo's Nyquist limit."""

    centres: tuple[float, ...]  # band centres, cycles/mm (or cycles/px x NOMINAL_PX_PER_MM)
    power_db: tuple[float | None, ...]
    tiles: int


def _band_index(px_per_mm: float, tile: int = TILE_PX) -> tuple[np.ndarray, tuple[float, ...], list[bool]]:
    fy = np.fft.fftfreq(tile)[:, None]
    fx = np.fft.fftfreq(tile)[None, :]
    f_mm = np.hypot(fy, fx) * px_per_mm  # cycles/px -> cycles/mm
    idx = np.full(f_mm.shape, -1, np.int64)
    edges = BAND_EDGES_CYC_PER_MM
    ok = []
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        sel = (f_mm >= a) & (f_mm < b)
        idx[sel] = i
        ok.append(bool(sel.any()) and b <= px_per_mm / 2 + 1e-6)
    centres = tuple(round(0.5 * (a + b), 3) for a, b in zip(edges[:-1], edges[1:]))
    return idx, centres, ok


def band_spectrum(rgb: np.ndarray, skin: np.ndarray, *, px_per_mm: float | None) -> Spectrum:
    """The skin's power spectrum in fixed bands of cycles/mm.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo at the analysis resolution.
    skin : ndarray
        (H, W) bool skin mask.
    px_per_mm : float or None
        Scale of ``rgb``; None reads the bands as if it were NOMINAL_PX_PER_MM.

    Returns
    -------
    Spectrum
        Mean periodogram power per band in dB (log luminance, Hann window);
        ``power_db`` is all None when no tile of skin fits.
    """
    scale = px_per_mm or NOMINAL_PX_PER_MM
    idx, centres, ok = _band_index(scale)
    h, w = skin.shape
    nty, ntx = h // TILE_PX, w // TILE_PX
    if nty == 0 or ntx == 0:
        return Spectrum(centres=centres, power_db=(None,) * len(centres), tiles=0)
    # Share of skin in each whole tile, read on every 4th pixel (plenty for a 95% test, 16x cheaper).
    grid = skin[: nty * TILE_PX : 4, : ntx * TILE_PX : 4]
    cover = grid.reshape(nty, TILE_PX // 4, ntx, TILE_PX // 4).mean(axis=(1, 3))
    cands = [(ty * TILE_PX, tx * TILE_PX) for ty, tx in zip(*np.nonzero(cover >= TILE_MIN_SKIN))]
    if not cands:
        return Spectrum(centres=centres, power_db=(None,) * len(centres), tiles=0)
    if len(cands) > MAX_TILES:
        cands = [cands[i] for i in np.linspace(0, len(cands) - 1, MAX_TILES).astype(int)]
    stack = np.stack([log_luminance(np.ascontiguousarray(rgb[y : y + TILE_PX, x : x + TILE_PX])) for y, x in cands])
    stack -= stack.mean(axis=(1, 2), keepdims=True)
    win = np.outer(np.hanning(TILE_PX), np.hanning(TILE_PX)).astype(np.float32)
    spec = np.fft.fft2(stack * win)
    power = (spec.real**2 + spec.imag**2).mean(axis=0, dtype=np.float64)
    return Spectrum(centres=centres, power_db=_band_db(power, idx, ok), tiles=len(cands))


def _band_db(power: np.ndarray, idx: np.ndarray, ok: list[bool]) -> tuple[float | None, ...]:
    """Mean power of each band (from :func:`_band_index`) in dB; None for bands past the Nyquist limit or empty."""
    out: list[float | None] = []
    for i, good in enumerate(ok):
        sel = idx == i
        v = float(power[sel].mean()) if good and sel.any() else 0.0
        out.append(round(10.0 * math.log10(v), 3) if v > 0 else None)
    return tuple(out)


#: JPEG codes a photo in blocks of this many pixels; its errors pile up at their edges.
JPEG_BLOCK_PX = 8
#: Own-grid spectrum tiles (see :func:`own_grid_spectrum`): each TILE_PX x (scale / 10 px/mm) pixels (so a tile
#: covers 6.4 mm at any scale), at most OWN_TILE_MAX_PX; at most OWN_MAX_TILES of TILE_PX, fewer in proportion to
#: their area when larger (a larger tile holds as many more frequencies per band), never under OWN_MIN_TILES.
OWN_MAX_TILES = 64
OWN_MIN_TILES = 8
OWN_TILE_MAX_PX = 256


def _block_phase(tiles: list[tuple[np.ndarray, int, int]]) -> tuple[int, int]:
    """(row, column) phase of the 8-px grid whose pixel steps are strongest: where JPEG's block edges lie."""
    phases = []
    for axis in (0, 1):
        sums = np.zeros(JPEG_BLOCK_PX)
        for tile, y0, x0 in tiles:
            step = np.abs(np.diff(tile, axis=axis)).mean(axis=1 - axis)
            start = y0 if axis == 0 else x0
            sums += np.bincount((start + np.arange(step.size)) % JPEG_BLOCK_PX, weights=step, minlength=JPEG_BLOCK_PX)
        phases.append(int(np.argmax(sums)))
    return phases[0], phases[1]


def own_grid_spectrum(rgb: np.ndarray, skin: np.ndarray, *, px_per_mm: float | None) -> Spectrum:
    """The skin's band spectrum read on the photo's own pixels, with JPEG's block edges left out.

    A JPEG copy of an enlarged photo holds no fine detail, but its block edges
    (steps every 8 px) fill the fine bands of an ordinary spectrum with energy
    the skin never had, so it reads as sharper than it is (the real crops
    shrunk x4, enlarged and saved at q95: 5.8-6.0 effective px/mm, as against
    4.7 for the same pixels in a PNG). Here the spectrum is built from the
    pixel-to-pixel differences of log luminance inside the blocks: each
    difference across a block edge of the strongest 8-px grid is replaced by
    the mean of its two neighbours, and the difference filter's own gain
    (4 sin^2(pi f) per axis) is divided out. JPEG's errors inside a block are
    the coefficients it rounded: in an enlarged copy the fine ones were near
    zero, so they stay near zero. Measured on the real crops, synthetic skin
    and the demo photo (each as taken and through three simulated phones):
    the x4 copies' fall from the pore scale to 2 cycles/mm is the same within
    4 dB as a PNG, q95 or q85 JPEG, where the ordinary spectrum's moved up to 6 dB.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo at its own resolution (JPEG's grid lives on its pixels).
    skin : ndarray
        (H, W) bool skin mask.
    px_per_mm : float or None
        The photo's own scale; None reads the bands as if it were NOMINAL_PX_PER_MM.

    Returns
    -------
    Spectrum
        Mean power per band in dB, as :func:`band_spectrum`; all None when no tile of skin fits.
    """
    scale = px_per_mm or NOMINAL_PX_PER_MM
    tile = int(min(OWN_TILE_MAX_PX, JPEG_BLOCK_PX * max(TILE_PX // JPEG_BLOCK_PX, round(TILE_PX * scale / NOMINAL_PX_PER_MM / JPEG_BLOCK_PX))))
    idx, centres, ok = _band_index(scale, tile)
    h, w = skin.shape
    span = tile + 1  # one pixel more than the tile: its differences
    cands = [(y, x) for y in range(0, h - span + 1, tile) for x in range(0, w - span + 1, tile)
             if skin[y : y + span : 4, x : x + span : 4].mean() >= TILE_MIN_SKIN]
    if not cands:
        return Spectrum(centres=centres, power_db=(None,) * len(centres), tiles=0)
    most = max(OWN_MIN_TILES, round(OWN_MAX_TILES * (TILE_PX / tile) ** 2))
    if len(cands) > most:
        cands = [cands[i] for i in np.linspace(0, len(cands) - 1, most).astype(int)]
    logs = [(log_luminance(np.ascontiguousarray(rgb[y : y + span, x : x + span])).astype(np.float64), y, x) for y, x in cands]
    phase_y, phase_x = _block_phase(logs[:16])
    f = np.fft.fftfreq(tile)
    gain = 4.0 * np.sin(np.pi * f[:, None]) ** 2 + 4.0 * np.sin(np.pi * f[None, :]) ** 2
    gain[0, 0] = 1.0
    win = np.outer(np.hanning(tile), np.hanning(tile))
    power = np.zeros((tile, tile))
    for lg, y0, x0 in logs:
        for axis, phase, start in ((1, phase_x, x0), (0, phase_y, y0)):
            d = np.diff(lg, axis=axis)[:tile, :tile]
            edge = np.flatnonzero((start + np.arange(tile)) % JPEG_BLOCK_PX == phase)
            edge = edge[(edge > 0) & (edge < tile - 1)]
            if axis == 1:
                d[:, edge] = 0.5 * (d[:, edge - 1] + d[:, edge + 1])
            else:
                d[edge, :] = 0.5 * (d[edge - 1, :] + d[edge + 1, :])
            spec = np.fft.fft2((d - d.mean()) * win)
            power += spec.real**2 + spec.imag**2
    power /= gain * len(logs)
    return Spectrum(centres=centres, power_db=_band_db(power, idx, ok), tiles=len(logs))


#: The fall that says a photo holds no detail for pores, read on :func:`own_grid_spectrum`: from the scale of
#: pores themselves (PORE_SCALE_BAND, cycles/mm: features 0.45-0.8 mm, which an enlarged copy keeps) to the
#: detail a 250 µm pore needs (PORE_DETAIL_BAND: about 2 cycles/mm; Flament et al. 2015, doi:10.2147/CCID.S74401,
#: resolve it at 8-11 px/mm). Measured (as taken, through three simulated phones at ISO 50-800, PNG and JPEG
#: q85-95): unprocessed skin falls 10.0-15.3 dB (real crops 12.2-15.3, synthetic skin 10.0-10.7, the demo photo
#: 13.0-14.3, a face with pores drawn at 9 px/mm 11.0-11.4); copies shrunk x4 and enlarged back (2.5 px/mm of
#: real detail: 53% fewer pores on the real cheek) 20.0-29.6. In between lie photos that lose 10-30% of their
#: pores: soft focus of 0.1 mm 15.7-20.7, x2 copies 13.9-18.9, x3 copies 18.4-22.8; the limit sits nearer the
#: x4 copies, so that soft focus and digital zoom are mostly left to the change engine's matching (it compares
#: them at the same detail) rather than losing their counts.
PORE_SCALE_BAND = (0.6, 1.1)
PORE_DETAIL_BAND = (1.75, 2.5)
MAX_PORE_DETAIL_FALL_DB = 19.0


def pore_detail_fall_db(centres, power_db) -> float | None:
    """How far the spectrum falls from the scale of pores to the detail a 250 µm pore needs (dB; see MAX_PORE_DETAIL_FALL_DB).

    Parameters
    ----------
    centres : sequence of float
        Band centres, cycles/mm.
    power_db : sequence of float or None
        Band powers (dB), from :func:`own_grid_spectrum`.

    Returns
    -------
    float or None
        None when either band is past the photo's Nyquist limit.
    """
    return _fall_db(centres, power_db, PORE_SCALE_BAND, PORE_DETAIL_BAND)


def own_pore_detail_fall_db(rgb: np.ndarray, skin: np.ndarray, *, px_per_mm: float | None) -> float | None:
    """:func:`pore_detail_fall_db` of :func:`own_grid_spectrum` (None when the scale is unknown: the bands cannot be placed).

    Parameters
    ----------
    rgb, skin : ndarray
        The photo and its skin at its own resolution.
    px_per_mm : float or None
        The photo's own scale.

    Returns
    -------
    float or None
    """
    if not px_per_mm:
        return None
    own = own_grid_spectrum(rgb, skin, px_per_mm=px_per_mm)
    return pore_detail_fall_db(own.centres, own.power_db)


def _fall_db(centres, power_db, upper: tuple[float, float], lower: tuple[float, float]) -> float | None:
    """Mean power of the bands centred in ``upper`` (cycles/mm) less that of those in ``lower`` (dB); None when either has none."""
    a = [p for c, p in zip(centres, power_db) if upper[0] <= c <= upper[1] and p is not None]
    b = [p for c, p in zip(centres, power_db) if lower[0] <= c <= lower[1] and p is not None]
    return round(float(np.mean(a) - np.mean(b)), 2) if a and b else None


def effective_resolution(centres, power_db) -> float | None:
    """Where the skin's detail sinks into the spectrum's floor, as an effective px/mm.

    Parameters
    ----------
    centres : sequence of float
        Band centres, cycles/mm.
    power_db : sequence of float or None
        Band powers (dB); None for bands past the photo's Nyquist limit.

    Returns
    -------
    float or None
        Two samples per cycle of the frequency where the spectrum first comes
        within FLOOR_MARGIN_DB of its floor (linear between band centres); None
        when the spectrum cannot tell (fewer than two bands at and above
        FLOOR_FROM_CYC_PER_MM).
    """
    pairs = [(c, p) for c, p in zip(centres, power_db) if p is not None]
    high = sorted(p for c, p in pairs if c >= FLOOR_FROM_CYC_PER_MM)
    if len(high) < 2:
        return None
    level = 0.5 * (high[0] + high[1]) + FLOOR_MARGIN_DB
    for (c0, p0), (c1, p1) in zip(pairs[:-1], pairs[1:]):
        if p1 <= level:
            t = 1.0 if p0 <= level or p0 == p1 else (p0 - level) / (p0 - p1)
            return round(2.0 * (c0 + t * (c1 - c0)) if p0 > level else 2.0 * c0, 2)
    return round(2.0 * pairs[-1][0], 2)


def _grey_tiles(rgb: np.ndarray, skin: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(grey float32, skin mask) of the few skin tiles the noise floor and the JPEG grid are read on."""
    return [(cv2.cvtColor(rgb[ys, xs], cv2.COLOR_RGB2GRAY).astype(np.float32), skin[ys, xs]) for ys, xs in skin_tiles(skin, most=4)]


def flat_share(rgb: np.ndarray, skin: np.ndarray, *, tiles=None) -> float:
    """Share of skin pixels with no pixel-level variation (see FLAT_RESIDUAL).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo, at its own resolution (sensor noise lives on its pixels).
    skin : ndarray
        (H, W) bool.
    tiles : list, optional
        The grey skin tiles, when the caller has them already.

    Returns
    -------
    float
        0-1; 0 when no skin.
    """
    flat = total = 0
    for grey, mask in tiles if tiles is not None else _grey_tiles(rgb, skin):
        r = np.abs(cv2.filter2D(grey, -1, IMMERKAER_KERNEL)[1:-1, 1:-1])
        m = mask[1:-1, 1:-1]
        flat += int(np.count_nonzero(r[m] < FLAT_RESIDUAL))
        total += int(np.count_nonzero(m))
    return flat / total if total else 0.0


def blockiness(rgb: np.ndarray, skin: np.ndarray, *, tiles=None) -> float:
    """How much stronger pixel steps are on one 8-px grid than off it (JPEG's blocks), 1 = no grid.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo at its own resolution.
    skin : ndarray
        (H, W) bool.
    tiles : list, optional
        The grey skin tiles, when the caller has them already.

    Returns
    -------
    float
        Mean absolute horizontal and vertical step on the strongest of the 8
        grid phases over the mean of all phases (JPEG q30-60: 1.2-2; an
        unprocessed or denoised PNG: about 1).
    """
    ratios = []
    for grey, m in tiles if tiles is not None else _grey_tiles(rgb, skin):
        for axis in (0, 1):
            step = np.abs(np.diff(grey, axis=axis))
            ok = (m[1:, :] & m[:-1, :]) if axis == 0 else (m[:, 1:] & m[:, :-1])
            n = step.shape[axis]
            if n < 16:
                continue
            # Sum and count of the steps on each line across the axis, then per grid phase.
            total = (step * ok).sum(axis=1 - axis)
            count = ok.sum(axis=1 - axis)
            phase = np.arange(n) % 8
            sums = np.bincount(phase, weights=total, minlength=8)
            counts = np.bincount(phase, weights=count, minlength=8)
            means = sums / np.maximum(counts, 1)
            mean_all = float(means.mean())
            if mean_all > 1e-6:
                ratios.append(float(means.max()) / mean_all)
    return float(np.mean(ratios)) if ratios else 1.0




#: Below this effective resolution, with the fine band falling away as blur
#: leaves it (FINE_DROP_MIN_DB), a 250 µm pore is not resolved whatever the
#: photo's nominal scale: counts and sizes are left out, as for a coarse scale.
#: Measured (bench_camera; the knee read on 10 px/mm photos): unprocessed real
#: crops 7.1-7.2, synthetic skin and the demo photo 6.3-7.3; soft focus of
#: 0.1 mm 6.2-7.0 (matched by the change engine, not refused); soft focus of
#: 0.15 mm 5.0-5.6 and a photo shrunk x4 and enlarged back 4.6-5.3.
MIN_EFFECTIVE_PX_PER_MM = 5.8
#: Sensor noise also brings the knee down (it raises the floor: sigma 3 noise
#: reads 4.6-6.4, sigma 6 3.1-5.4) but it raises the finest band too, where blur
#: and enlargement empty it. The drop from the pore band (1.1-1.8 cycles/mm)
#: to the fine band (2.5-3.4 cycles/mm): unprocessed skin 8-15 dB, with noise
#: 3-12 dB; soft focus of 0.15 mm and the x4 enlarged copies 16-26 dB. Only
#: a knee below MIN_EFFECTIVE_PX_PER_MM with at least this drop is blur's:
#: noise has its own gate (too_noisy).
FINE_DROP_MIN_DB = 16.0
#: A drop this deep says the fine detail is gone whatever the knee reads: a
#: JPEG copy of an enlarged photo fills its empty bands with block noise, which
#: lifts the knee (the demo photo shrunk x4, enlarged and saved at q95: knee
#: 6.1 px/mm, drop 21.9 dB). Unprocessed skin drops 8-15 dB; soft focus of
#: 0.1 mm 16-23 dB (counts 25-32% low on the real crops).
FINE_DROP_ALONE_DB = 21.0
DROP_PORE_BAND = (1.1, 1.8)
DROP_FINE_BAND = (2.5, 3.4)


def fine_drop_db(centres, power_db) -> float | None:
    """How far the spectrum falls from the pore band to the fine band (dB; see FINE_DROP_MIN_DB).

    Parameters
    ----------
    centres : sequence of float
        Band centres, cycles/mm.
    power_db : sequence of float or None
        Band powers (dB).

    Returns
    -------
    float or None
        None when either band is past the photo's Nyquist limit.
    """
    return _fall_db(centres, power_db, DROP_PORE_BAND, DROP_FINE_BAND)


def resolves_pores(effective_px_per_mm: float | None, drop_db: float | None, fall_db: float | None = None) -> bool | None:
    """Whether a photo's detail resolves 250 µm pores (None when it cannot be told).

    Parameters
    ----------
    effective_px_per_mm : float or None
        :func:`effective_resolution`.
    drop_db : float or None
        :func:`fine_drop_db`.
    fall_db : float or None
        :func:`pore_detail_fall_db` on the photo's own pixels (JPEG's block edges left out).

    Returns
    -------
    bool or None
    """
    if fall_db is not None and fall_db > MAX_PORE_DETAIL_FALL_DB:
        return False
    if effective_px_per_mm is None:
        return None
    if drop_db is not None and drop_db >= FINE_DROP_ALONE_DB:
        return False
    return not (effective_px_per_mm < MIN_EFFECTIVE_PX_PER_MM and (drop_db is None or drop_db >= FINE_DROP_MIN_DB))


#: flat_share at and above which the skin was smoothed (denoise, beauty mode):
#: non-local-means denoising at h 3-6 leaves 0.42-0.68 of skin flat (real
#: crops and synthetic skin), unprocessed skin 0.04-0.14, soft focus and
#: enlargement 0.2-0.27. JPEG at low quality flattens too (0.5-0.64 at q30);
#: its 8x8 grid tells it apart (BLOCKY).
SMOOTHED_FLAT_SHARE = 0.40
#: blockiness at and above which flat skin is put down to JPEG compression
#: (q30-60: 1.8-3.0; unprocessed, blurred or denoised photos: 1.0-1.1).
BLOCKY = 1.3


def read_detail(rgb_a: np.ndarray, skin_a: np.ndarray, *, px_per_mm_a: float | None, rgb: np.ndarray, skin: np.ndarray,
                px_per_mm: float | None = None) -> Detail:
    """All detail readings of one photo.

    Parameters
    ----------
    rgb_a, skin_a : ndarray
        The photo and its skin at the analysis resolution (the spectrum is read there, in cycles/mm).
    px_per_mm_a : float or None
        The analysis resolution (None: unknown scale).
    rgb, skin : ndarray
        The photo and its skin at its own resolution (noise floor and JPEG grid live on its pixels).
    px_per_mm : float or None
        The photo's own scale (None: unknown, and the fall to pore detail is not read).

    Returns
    -------
    Detail
    """
    spec = band_spectrum(rgb_a, skin_a, px_per_mm=px_per_mm_a)
    eff = effective_resolution(spec.centres, spec.power_db) if px_per_mm_a else None
    drop = fine_drop_db(spec.centres, spec.power_db)
    fall = own_pore_detail_fall_db(rgb, skin, px_per_mm=px_per_mm)
    tiles = _grey_tiles(rgb, skin)  # read once for the noise floor and the JPEG grid
    return Detail(
        band_centres_cyc_per_mm=list(spec.centres), spectrum_db=list(spec.power_db), effective_px_per_mm=eff, fine_drop_db=drop,
        pore_detail_fall_db=fall, flat_share=round(flat_share(rgb, skin, tiles=tiles), 4),
        blockiness=round(blockiness(rgb, skin, tiles=tiles), 3), resolves_pores=resolves_pores(eff, drop, fall),
    )


#: What to do, said once for every processing problem.
PHONE_ADVICE = ("Turn off beauty, portrait and night modes and any skin filter, use plenty of light, hold still and tap to focus "
                "on the skin, and upload the original photo file, not a copy sent through a messaging app.")


def detail_problems(d: Detail) -> list[QualityProblem]:
    """Capture problems the detail readings show.

    Parameters
    ----------
    d : Detail

    Returns
    -------
    list of QualityProblem
        ``smoothed`` (blocking: faint pores erased), ``compressed`` (warning),
        ``detail_too_low`` (warning: counts and sizes left out).
    """
    out = []
    if d.flat_share >= SMOOTHED_FLAT_SHARE and d.blockiness < BLOCKY:
        out.append(QualityProblem(
            code="smoothed", severity="blocking", value=round(d.flat_share, 3), limit=SMOOTHED_FLAT_SHARE,
            message="The photo was smoothed (night-mode denoising, a beauty or skin filter): the faint pores and the skin's "
            "fine texture were erased, so pores cannot be measured. " + PHONE_ADVICE))
    elif d.flat_share >= SMOOTHED_FLAT_SHARE:
        out.append(QualityProblem(
            code="compressed", severity="warning", value=round(d.blockiness, 3), limit=BLOCKY,
            message="The photo is a heavily compressed copy (JPEG blocks): the faintest pores may be lost. "
            "Use the original photo file, not one sent through a messaging app or downloaded."))
    if d.resolves_pores is False:
        by_fall = d.pore_detail_fall_db is not None and d.pore_detail_fall_db > MAX_PORE_DETAIL_FALL_DB
        holds = (f"almost no detail at 2 cycles per mm ({d.pore_detail_fall_db:.0f} dB fainter than at the scale of pores)"
                 if by_fall else f"detail of only about {d.effective_px_per_mm:.1f} px per mm of skin")
        out.append(QualityProblem(
            code="detail_too_low", severity="warning",
            value=d.pore_detail_fall_db if by_fall else d.effective_px_per_mm, limit=MAX_PORE_DETAIL_FALL_DB if by_fall else MIN_EFFECTIVE_PX_PER_MM,
            message=f"The photo holds {holds}, as soft focus, digital zoom or an enlarged copy leave it, whatever its size says: a "
            "250 µm pore is not resolved, so pore counts and sizes are left out and only the visibility score is reported. " + PHONE_ADVICE))
    return out


def quick_detail_problems(rgb: np.ndarray, skin: np.ndarray, *, px_per_mm: float | None, own_pixels: bool) -> list[QualityProblem]:
    """The detail gate on a reduced copy of a photo (the web's check before upload).

    Parameters
    ----------
    rgb, skin : ndarray
        The copy and where its skin is.
    px_per_mm : float or None
        The copy's scale; the spectrum is read only when it reaches the 10 px/mm it is defined at.
    own_pixels : bool
        Whether the copy is the photo's own pixels (a camera frame, a small
        photo): only then can smoothing be told, as shrinking a photo averages its grain away.

    Returns
    -------
    list of QualityProblem
        As :func:`detail_problems`.
    """
    eff = drop = None
    if px_per_mm and px_per_mm >= NOMINAL_PX_PER_MM:
        f = NOMINAL_PX_PER_MM / px_per_mm
        small = cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 0.99 else rgb
        mask = cv2.resize(skin.view(np.uint8), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
        spec = band_spectrum(small, mask, px_per_mm=NOMINAL_PX_PER_MM)
        eff, drop = effective_resolution(spec.centres, spec.power_db), fine_drop_db(spec.centres, spec.power_db)
    tiles = _grey_tiles(rgb, skin) if own_pixels else None
    flat, blocks = (flat_share(rgb, skin, tiles=tiles), blockiness(rgb, skin, tiles=tiles)) if own_pixels else (0.0, 1.0)
    fall = own_pore_detail_fall_db(rgb, skin, px_per_mm=px_per_mm) if own_pixels else None
    d = Detail(band_centres_cyc_per_mm=[], spectrum_db=[], effective_px_per_mm=eff, fine_drop_db=drop, pore_detail_fall_db=fall,
               flat_share=flat, blockiness=blocks, resolves_pores=resolves_pores(eff, drop, fall))
    return detail_problems(d)
