"""Find pores: small openings darker than the skin around them.

The flow of :func:`detect` (each step a function on arrays):

1. :func:`~porescope.measure.imaging.log_luminance` — the log of linear-light
   luminance. Exposure, white balance and the skin's own tone multiply linear
   luminance, so in the log they are offsets, which step 3 removes.
2. :func:`estimate_pore_scale` — scale selection, only when the photo's
   scale is unknown: a coarse pass over a few skin tiles; the clearest
   candidates' median diameter is the photo's typical pore size. With a
   known scale the typical size is fixed in millimetres
   (:data:`~porescope.measure.pores.params.TYPICAL_PORE_DIAMETER_MM`), so no filter depends on the capture.
3. :func:`_components` at that scale — darkness = local background (a
   Gaussian of 0.4 x the typical diameter) minus the lightly smoothed image,
   in ln units (0.1 ≈ 10% less light than the skin around it); hysteresis
   thresholds in units of the skin texture's spread, with the sensor noise's
   share taken out (:func:`~porescope.measure.imaging.pixel_noise`,
   :func:`~porescope.measure.pores.noise.texture_sd`); rejection
   of what is not a pore: too small / too large (spots), long and thin
   (hairs, wrinkle lines), touching the frame, next to glints or clipped
   pixels (:func:`untrusted_pixels`).
4. :func:`contrast_gap` — when faint texture and clear pores form two
   separate groups, the seed threshold moves into the gap between them (the
   clearer the split, the further; only when the scale is unknown).
5. :func:`_peak_evidence` — each pore's contrast at its own scale (a matched
   filter, fixed in millimetres when the scale is known), less the lift that
   sensor noise gives a peak (:data:`EVIDENCE_NOISE_BIAS`); pores reaching
   :data:`~porescope.measure.pores.params.CLEAR_CONTRAST` (raised by the share that noise scatters across it,
   :func:`~porescope.measure.pores.noise.clear_threshold`) are *clear*, the
   ones the headline numbers count.

Sizes are relative to the expected pore diameter range
``(min_diameter_px, max_diameter_px)`` (from ``px_per_mm`` when known) and to
the selected scale, so the same code works on a 10 px/mm crop and on a
40 px/mm macro shot (the pipeline resamples to 10 px/mm when the scale is
known). When sensor noise rivals the texture
(:data:`MAX_SENSOR_NOISE_SHARE`), the pipeline refuses the photo as too noisy.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from porescope.measure.imaging import (
    blur,
    log_luminance,
    pixel_noise,
    skin_tiles,
    untrusted_pixels,
)
from porescope.measure.pores.core import CORE_SIGMA_PER_DIAMETER, core_darkness
from porescope.measure.pores.noise import clear_threshold, texture_sd
from porescope.measure.pores.params import CLEAR_CONTRAST, GROW_Z, SEED_Z, TYPICAL_PORE_DIAMETER_MM, DetectorParams
from porescope.measure.pores.zones import Zones, zones_of

# --- constants -------------------------------------------------------------

#: Name and version of this detector and of the metric definitions built on
#: it (recorded in every result's settings). Change it whenever a change makes
#: the numbers of the same photo differ: the change engine re-measures a stored
#: visit from an older version before comparing it (change.compare_visits).
#: v9: counts are left out when a photo's own pixels hold no detail for pores, JPEG copies included
#: (detail.pore_detail_fall_db), so stored visits are re-measured under that gate. v8: the dark/open class reads a
#: core at a fixed scale (CORE_SIGMA_PER_DIAMETER); glare is judged against the skin's own light
#: (imaging.glare_pixels). v7: a face's regions each read against their own skin (zones.py).
DETECTOR = "linear-light-hysteresis/clear-pores/mm-scale v9"

#: Default pore diameter range in pixels when no physical scale is known.
#: The issue's brief: "photos where pores are roughly 2-20 px across".
DEFAULT_MIN_DIAMETER_PX = 2.0
DEFAULT_MAX_DIAMETER_PX = 20.0
#: Automatic scale (see detect): the clearest AUTO_SCALE_TOP_FRACTION of
#: candidates give the typical pore diameter; candidates smaller than
#: AUTO_MIN_DIAMETER_FRACTION of it are texture. Pore diameters within one
#: skin region vary about 3x (Flament 2015 size distributions), so 0.35 keeps
#: the small ones of a region.
AUTO_SCALE_MIN_PORES = 20
AUTO_SCALE_TOP_FRACTION = 0.3
AUTO_MIN_DIAMETER_FRACTION = 0.35
#: Once the typical pore diameter d is known, the background is a Gaussian of
#: sigma = 0.4 d (a pore is dark against skin within about one diameter) and
#: the fine smoothing sigma = min(1, 0.2 d) px. Chosen on synthetic skin of
#: 2-20 px pores (counts within ±10%) and checked, not fitted, on the crops
#: (benchmarks/bench_accuracy.py).
BACKGROUND_SIGMA_PER_DIAMETER = 0.4
FINE_SIGMA_PER_DIAMETER = 0.2
#: Bounds of those sigmas (px): the background blur never narrows below
#: 1.5 px (it would follow the pore itself) and the fine smoothing is skipped
#: below 0.3 px (a Gaussian that narrow changes nothing).
MIN_BACKGROUND_SIGMA_PX = 1.5
MIN_FINE_SIGMA_PX = 0.3
#: Before the typical diameter is known (the coarse scale-selection pass, or
#: when too few pores are seen): background sigma = 0.3 x the largest pore
#: diameter but at least 2.5 px, fine sigma = 0.35 x the smallest, at most
#: 1 px. Wide enough that no pore in the range is taken for background.
COARSE_BACKGROUND_SIGMA_PER_MAX_DIAMETER = 0.3
COARSE_MIN_BACKGROUND_SIGMA_PX = 2.5
COARSE_FINE_SIGMA_PER_MIN_DIAMETER = 0.35
MAX_FINE_SIGMA_PX = 1.0
#: Scale selection reads this many skin tiles of this size (px): ~0.6 MP,
#: enough pores for a stable median at a fraction of a full pass.
SCALE_TILES = 4
SCALE_TILE_PX = 384
#: See contrast_gap: how clearly texture and pores split, as the share of
#: the variance between the two groups (Otsu's eta; two equal Gaussian
#: groups d SD apart give d^2 / (4 + d^2)). Below the first value (3.5 SD)
#: there is no gap; from the second (4.8 SD) the seed moves all the way into
#: it; in between, part of the way, in proportion -- a photo at the edge
#: must not jump between two counts (a hard switch at 0.8 moved a synthetic
#: count by 11% for eta 0.7996 against 0.8084).
BIMODAL_ETA = (0.75, 0.85)
#: Bins of the histogram contrast_gap splits.
GAP_HISTOGRAM_BINS = 64
#: The clear test reads each pore's contrast on the *evidence* map, a matched
#: filter at the pore's scale: a core Gaussian of EVIDENCE_SIGMA_PER_DIAMETER
#: x d against a surround of EVIDENCE_SURROUND_FACTOR x the background sigma
#: (chosen with the clear contrast on benchmarks/bench_repeat.py; see
#: porescope.measure.pores.params.CLEAR_CONTRAST).
EVIDENCE_SIGMA_PER_DIAMETER = 0.3
EVIDENCE_SURROUND_FACTOR = 2.5


def _evidence_mm(typical_pore_diameter_mm: float) -> tuple[float, float]:
    """(core, surround) sigmas in mm of the clear test's matched filter for a typical pore diameter (mm)."""
    return (EVIDENCE_SIGMA_PER_DIAMETER * typical_pore_diameter_mm,
            EVIDENCE_SURROUND_FACTOR * BACKGROUND_SIGMA_PER_DIAMETER * typical_pore_diameter_mm)


#: The core and surround sigmas (mm) of that matched filter when the photo's
#: scale is known: EVIDENCE_SIGMA_PER_DIAMETER and EVIDENCE_SURROUND_FACTOR x
#: BACKGROUND_SIGMA_PER_DIAMETER applied to the typical pore, so the clear
#: test is one fixed filter in millimetres (the default typical pore's; run
#: with DetectorParams.typical_pore_diameter_mm's).
EVIDENCE_MM = _evidence_mm(TYPICAL_PORE_DIAMETER_MM)
#: When sensor noise makes up more than this share of the darkness map's
#: spread (SD ratio), faint pores cannot be told from noise: the photo gets a
#: blocking 'too_noisy' problem rather than numbers that drift with the noise.
#: Measured (v5, scale given): clean real crops 0.09, with σ 3 noise added
#: 0.31-0.34; synthetic deep skin with σ 3 noise 0.61 (its count then moves
#: +85%); deep skin with fainter pores (bench_change's null pool) 0.28 clean,
#: 0.50-0.52 with σ 3 noise, where coverage moved up to +5.4% -- so the limit
#: sits at 0.45, between the real crops and that.
MAX_SENSOR_NOISE_SHARE = 0.45
#: Hairs and wrinkle lines, not pores: a component whose bounding-box
#: diagonal exceeds MAX_LENGTH_FACTOR x the largest pore's box diagonal
#: (max diameter x √2), or a thin one -- box sides more than
#: MAX_ELONGATION_LONG : 1, or filling less than MIN_FILL of its box -- whose
#: diagonal exceeds THIN_MAX_LENGTH_FACTOR x the largest pore diameter.
MAX_LENGTH_FACTOR = 1.6
MAX_ELONGATION_LONG = 4.0
THIN_MAX_LENGTH_FACTOR = 1.0
#: Smallest component kept (px²): at least 2 px, and at least half the area
#: of a disc of the smallest pore diameter.
MIN_AREA_PX = 2.0
MIN_AREA_SHARE = 0.5
#: A Gaussian kernel is cut at this many sigmas (its tails beyond hold <1e-4).
KERNEL_RADIUS_SIGMAS = 4
#: Relative-contrast floor of a visible pore, in ln units of linear
#: luminance: 0.055 ≈ 5.4% less light, which is 1.5 ΔL* on skin of L* 65.
#: ΔE00 ≈ 1 is built to be a just-noticeable difference (CIEDE2000, Luo, Cui
#: & Rigg 2001); 1.5 keeps a margin above it. Expressed as relative contrast
#: (not ΔL*) so it does not move with exposure or skin tone.
MIN_PEAK_CONTRAST = 0.055
#: Components longer than the largest pore that fill less than this share of
#: their bounding box are curves (hairs, wrinkle lines, the rim of a
#: pigment spot), not pores; an elongated pore (length/width 2.2) lying
#: diagonally fills about 0.4. Raised from 0.18 with the linear-light
#: darkness map, which gives dark curves more contrast than ΔL* did
#: (tests/measure/test_detect.py::test_distractors_are_not_counted).
MIN_FILL = 0.35
#: Sensor noise lifts each pore's evidence (the highest of several noisy
#: values lies above their mean), so this many SDs of the sensor noise in the
#: evidence map (pixel noise through the filter, _gaussian_energy) are taken
#: off it. Measured with σ 3 noise: the evidence of pores near the clear
#: threshold rose by 0.16-0.29 of the added noise's SD (real crops and
#: faint-pore synthetic skin alike). The v4 engine took 0.7, tuned on
#: synthetic skin alone; on the real glabella that moved coverage beyond
#: -5% on 4 of 8 noise draws. The other half of the noise's effect on the
#: count is scatter, not lift: see noise.clear_threshold.
EVIDENCE_NOISE_BIAS = 0.25


@dataclass
class Detection:
    """What :func:`detect` found: a label image and the maps behind it.

    ``darkness`` is relative contrast in natural-log units: ln(local
    background luminance) − ln(lightly smoothed luminance), in linear light.
    0.1 means about 10% less light than the surrounding skin reflects; it does
    not change with exposure, white balance or skin tone.
    """

    labels: np.ndarray  # (H, W) int32, 0 = background, 1..n = pores
    count: int
    darkness: np.ndarray  # (H, W) float32, ln contrast (see above)
    background: np.ndarray  # (H, W) float32, ln linear luminance of the local background
    noise_sigma: float  # robust SD of the darkness map in the skin from skin texture alone (ln units)
    sensor_noise: float  # SD of the sensor noise in the darkness map (ln units)
    detector: str
    typical_diameter_px: float | None = None  # the automatically selected pore scale
    pixel_index: np.ndarray | None = None  # flat indices of pore pixels (raster order)
    pixel_label: np.ndarray | None = None  # their pore labels
    core: np.ndarray | None = None  # (count,) core darkness of each pore (CORE_SIGMA_PER_DIAMETER), ln units (index = label - 1)
    evidence: np.ndarray | None = None  # (count,) contrast at the pore's own scale (evidence map peak less the sensor noise's lift), ln units
    clear_at: float | np.ndarray = CLEAR_CONTRAST  # the clear test's threshold on evidence: CLEAR_CONTRAST plus the noise's scatter term
    # (noise.clear_threshold); with zones, (count,) each pore's, read in its zone

    @property
    def clear(self) -> np.ndarray:
        """(count,) bool: contrast at the pore's own scale reaches the clear threshold (``clear_at``)."""
        return np.zeros(0, bool) if self.evidence is None else self.evidence >= self.clear_at

    @property
    def sensor_noise_share(self) -> float:
        """Sensor noise's share of the darkness map's spread (SD ratio, 0-1)."""
        return float(self.sensor_noise / max(np.hypot(self.noise_sigma, self.sensor_noise), 1e-12))


@dataclass
class _Pass:
    """One detection pass: candidate components and the maps behind them."""

    labels: np.ndarray  # (H, W) int32 raw component labels, 0 = background
    n: int  # number of labels including background
    keep: np.ndarray  # (n,) bool: passed the seed test and the shape filters
    area: np.ndarray  # (n,) px
    peak_z: np.ndarray  # (n,) highest evidence of each component (texture-noise units)
    peak_dark: np.ndarray  # (n,) highest darkness (ln contrast) of each component
    on: np.ndarray  # flat indices of candidate pixels
    lab_on: np.ndarray  # their component labels
    z_on: np.ndarray  # their evidence (z)
    darkness: np.ndarray
    background: np.ndarray
    sigma: float  # texture SD of the darkness map (ln units)
    sensor: float  # sensor-noise SD of the darkness map (ln units)
    shaped: np.ndarray | None = None  # (n,) bool: passed the shape filters (keep = seed test & shaped)


def _gaussian_energy(sigma_fine: float, sigma_bg: float) -> float:
    """Sum of squares of the 2-D kernel (background blur − fine blur).

    White noise of SD s leaves SD s·sqrt(this) in the darkness map, so the
    sensor noise's share of the map's spread is known once s is.
    """
    r = int(np.ceil(KERNEL_RADIUS_SIGMAS * max(sigma_bg, sigma_fine, 0.5)))
    x = np.arange(-r, r + 1, dtype=np.float64)

    def g(s):
        if s <= MIN_FINE_SIGMA_PX:
            k = np.zeros_like(x)
            k[r] = 1.0
            return k
        k = np.exp(-0.5 * (x / s) ** 2)
        return k / k.sum()

    k2 = np.outer(g(sigma_bg), g(sigma_bg)) - np.outer(g(sigma_fine), g(sigma_fine))
    return float(np.sum(k2 * k2))


def _coarse_background_sigma(max_diameter_px: float) -> float:
    """Background sigma (px) before the typical pore diameter is known."""
    return max(COARSE_MIN_BACKGROUND_SIGMA_PX, COARSE_BACKGROUND_SIGMA_PER_MAX_DIAMETER * max_diameter_px)


def _coarse_fine_sigma(min_diameter_px: float) -> float:
    """Fine smoothing sigma (px) before the typical pore diameter is known."""
    return min(MAX_FINE_SIGMA_PX, COARSE_FINE_SIGMA_PER_MIN_DIAMETER * min_diameter_px)


def _components(
    logy: np.ndarray,
    valid: np.ndarray,
    *,
    sigma_bg: float,
    sigma_fine: float,
    seed_t: float,
    grow_t: float,
    min_d: float,
    max_d: float,
    pixel_sd: float = 0.0,
    zones: Zones | None = None,
) -> _Pass:
    """One detection pass at one scale: darkness map, hysteresis, shape filters.

    The darkness map is the local background (a Gaussian of ``sigma_bg``)
    minus the lightly smoothed image (``sigma_fine``), both on log luminance.
    Hysteresis thresholds are in units of the skin texture's SD: ``pixel_sd``
    is the sensor noise of ``logy`` per pixel (ln units); its share of the
    map's spread is taken out before the thresholds are set, so extra sensor
    noise does not raise them (a photo where it dominates is refused instead,
    see MAX_SENSOR_NOISE_SHARE). With ``zones``, each pixel is read against its own zone's median, texture and noise.
    """
    h, w = logy.shape
    background = blur(logy, sigma_bg)
    if sigma_fine > MIN_FINE_SIGMA_PX:
        fine = blur(logy, sigma_fine)
        darkness = cv2.subtract(background, fine, dst=fine)  # reuse the temporary's memory
    else:
        darkness = cv2.subtract(background, logy)
    gain = float(np.sqrt(_gaussian_energy(sigma_fine, sigma_bg)))
    sensor = pixel_sd * gain  # with zones: the whole skin's noise and texture, for the photo-wide noise gate only
    med, sigma = texture_sd(darkness, valid, sensor)
    if zones is None:
        grow = (darkness > med + grow_t * sigma) & valid
    else:
        med_lut, inv_lut, grow_lut = zones.texture(darkness, gain, grow_t)
        grow = (darkness > cv2.LUT(zones.labels, grow_lut)) & valid
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grow.view(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    on = np.flatnonzero(grow.ravel())  # only candidate pixels carry a label
    lab_on = labels.ravel()[on]
    dark_on = darkness.ravel()[on]
    zone_on = zones.labels.ravel()[on] if zones is not None else None
    z_on = (dark_on - med) * (1.0 / sigma) if zones is None else (dark_on - med_lut[zone_on]) * inv_lut[zone_on]
    peak_dark = np.zeros(n, np.float32)
    if n <= 1:
        return _Pass(labels, n, np.zeros(n, bool), area, peak_dark, peak_dark.copy(), on, lab_on, z_on, darkness, background, sigma, sensor)
    # Peak darkness of every component (for the seed test of hysteresis),
    # without a Python loop; the peak evidence z follows from it (each pixel's against its own zone).
    np.maximum.at(peak_dark, lab_on, dark_on)
    peak_z = (peak_dark - med) * (1.0 / sigma) if zones is None else np.zeros(n, np.float32)
    if zones is not None:
        np.maximum.at(peak_z, lab_on, z_on.astype(np.float32))
    seeded = (peak_z > seed_t) & (peak_dark > MIN_PEAK_CONTRAST)
    bw = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    bh = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    x0 = stats[:, cv2.CC_STAT_LEFT]
    y0 = stats[:, cv2.CC_STAT_TOP]
    length = np.hypot(bw, bh)
    min_area = max(MIN_AREA_PX, MIN_AREA_SHARE * np.pi * (min_d / 2) ** 2)
    max_area = np.pi * (max_d / 2) ** 2
    shaped = (area >= min_area) & (area <= max_area)
    # Hairs and lines (see MAX_LENGTH_FACTOR).
    shaped &= length <= MAX_LENGTH_FACTOR * max_d * np.sqrt(2)
    fill = area / np.maximum(1.0, bw * bh)
    thin = (np.maximum(bw, bh) / np.maximum(1.0, np.minimum(bw, bh)) > MAX_ELONGATION_LONG) | (fill < MIN_FILL)
    shaped &= ~(thin & (length > THIN_MAX_LENGTH_FACTOR * max_d))
    # Image border: a pore cut by the frame cannot be measured.
    touches = (x0 == 0) | (y0 == 0) | (x0 + bw >= w) | (y0 + bh >= h)
    shaped &= ~touches
    shaped[0] = False
    return _Pass(labels, n, seeded & shaped, area, peak_z, peak_dark, on, lab_on, z_on, darkness, background, sigma, sensor, shaped)


def _peak_evidence(logy: np.ndarray, pixel_index: np.ndarray, pixel_label: np.ndarray, count: int, *, core: float, surround: float) -> np.ndarray:
    """Each pore's contrast at its own scale: the peak, inside the pore, of the
    matched filter blur(surround) − blur(core) on log luminance (ln units)."""
    if count == 0:
        return np.zeros(0)
    # The matched filter is smooth at the pore's scale, so it runs on a copy
    # reduced 2x (area averaging; the core's sigma in reduced pixels accounts
    # for it) and only its value at the pore pixels is read back.
    h, w = logy.shape
    small = cv2.resize(logy, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    core_s = np.sqrt(max(core**2 - 0.25, 0.25)) / 2
    ev_small = cv2.subtract(blur(small, surround / 2), cv2.GaussianBlur(small, (0, 0), core_s, borderType=cv2.BORDER_REFLECT))
    ys, xs = np.divmod(pixel_index, w)
    ev = ev_small[np.minimum(ys // 2, ev_small.shape[0] - 1), np.minimum(xs // 2, ev_small.shape[1] - 1)]
    peak = np.full(count + 1, -np.inf, np.float32)
    np.maximum.at(peak, pixel_label, ev)
    return peak[1:].astype(np.float64)


def _clear_test(evidence: np.ndarray, counted: np.ndarray, energy: float, pixel_sd: float, zoned: Zones | None, pores, base: float):
    """Take the sensor noise's lift off ``evidence`` (in place) and return the clear threshold, read on the
    ``counted`` pores: one for the photo, or with zones (count,) each pore's, from its own zone's noise and pores.
    ``energy``: the evidence filter's noise gain; ``pores``: (pixel_index, pixel_label, count)."""
    if zoned is None:
        evidence_noise = pixel_sd * energy  # sensor noise's SD in the evidence map
        evidence -= EVIDENCE_NOISE_BIAS * evidence_noise  # the noise's lift
        return clear_threshold(evidence[counted], evidence_noise, base)
    zone_of = zoned.of_pores(*pores)
    evidence -= EVIDENCE_NOISE_BIAS * zoned.evidence_noise(zone_of, energy)
    return zoned.clear_thresholds(zone_of, evidence, counted, energy, base)


def contrast_gap(peak_z: np.ndarray, seed: float) -> float:
    """The seed threshold, moved towards the gap between faint texture and clear pores.

    Otsu's threshold on log peak evidence of the candidates, weighted by how
    clear the split is: Otsu's effectiveness (between-class over total
    variance) below BIMODAL_ETA[0] leaves ``seed`` as it is, from
    BIMODAL_ETA[1] on the seed becomes the gap, and in between it moves part
    of the way (geometrically), so the result changes smoothly with the photo.

    Parameters
    ----------
    peak_z : ndarray
        Peak evidence of each candidate (noise units).
    seed : float
        The seed threshold without a gap (noise units).

    Returns
    -------
    float
        The seed threshold in noise units (never below ``seed``).
    """
    v = peak_z[peak_z > 0]
    if v.size < AUTO_SCALE_MIN_PORES:
        return seed
    x = np.log(v)
    hist, edges = np.histogram(x, bins=GAP_HISTOGRAM_BINS)
    centres = (edges[:-1] + edges[1:]) / 2
    p = hist / hist.sum()
    w0 = np.cumsum(p)
    m = np.cumsum(p * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m[-1] * w0 - m) ** 2 / (w0 * (1 - w0))
    between[~np.isfinite(between)] = 0
    k = int(np.argmax(between))
    eta = between[k] / max(float(np.var(x)), 1e-12)
    share = float(np.clip((eta - BIMODAL_ETA[0]) / (BIMODAL_ETA[1] - BIMODAL_ETA[0]), 0.0, 1.0))
    gap = float(np.exp(centres[k]))
    return seed if gap <= seed else float(seed ** (1.0 - share) * gap**share)


def estimate_pore_scale(logy: np.ndarray, skin: np.ndarray, *, min_diameter_px: float, max_diameter_px: float, pixel_sd: float = 0.0) -> float | None:
    """Typical pore diameter of a photo, from a coarse pass over a few skin tiles.

    The scale-selection step: the pass uses the widest background the diameter
    range allows, and the clearest candidates' median diameter is returned.

    Parameters
    ----------
    logy : ndarray
        (H, W) log luminance (:func:`~porescope.measure.imaging.log_luminance`).
    skin : ndarray
        (H, W) bool.
    min_diameter_px, max_diameter_px : float
        The expected pore diameter range (px).
    pixel_sd : float
        Sensor noise of ``logy`` per pixel (ln units).

    Returns
    -------
    float or None
        The typical diameter in px; None when too few pores are seen to say.
    """
    tiles = skin_tiles(skin, tile=SCALE_TILE_PX, most=SCALE_TILES)
    diameters, zs = [], []
    for ys, xs in tiles:
        ps = _components(
            logy[ys, xs], skin[ys, xs], sigma_bg=_coarse_background_sigma(max_diameter_px),
            sigma_fine=_coarse_fine_sigma(min_diameter_px), seed_t=SEED_Z, grow_t=GROW_Z, min_d=min_diameter_px,
            max_d=max_diameter_px, pixel_sd=pixel_sd,
        )
        if ps.n <= 1:
            continue
        idx = np.flatnonzero(ps.keep)
        diameters.append(np.sqrt(4.0 * ps.area[idx] / np.pi))
        zs.append(np.bincount(ps.lab_on, weights=ps.z_on, minlength=ps.n)[idx])
    if not diameters:
        return None
    d = np.concatenate(diameters)
    s = np.concatenate(zs)
    if d.size < AUTO_SCALE_MIN_PORES:
        return None
    strong = s >= np.quantile(s, 1.0 - AUTO_SCALE_TOP_FRACTION)
    return float(np.median(d[strong]))


def _relabel(ps: _Pass, keep: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """(label image, count, pore pixel indices, their labels) of the kept components, numbered 1..k (only candidate pixels are touched)."""
    new_id = np.zeros(ps.n, np.int32)
    count = int(keep.sum())
    new_id[keep] = np.arange(1, count + 1, dtype=np.int32)
    lab = new_id[ps.lab_on]
    sel = lab > 0
    pixel_index, pixel_label = ps.on[sel], lab[sel]
    out = np.zeros(shape, np.int32)
    out.ravel()[pixel_index] = pixel_label
    return out, count, pixel_index, pixel_label


def _scale_sigmas(typical_d: float | None, min_d: float, max_d: float) -> tuple[float, float, float, float]:
    """(background, fine, evidence-core sigmas in px, smallest kept diameter in px) for a typical pore diameter."""
    if typical_d is None:
        return _coarse_background_sigma(max_d), _coarse_fine_sigma(min_d), EVIDENCE_SIGMA_PER_DIAMETER * 2 * min_d, min_d
    sigma_bg = float(np.clip(BACKGROUND_SIGMA_PER_DIAMETER * typical_d, MIN_BACKGROUND_SIGMA_PX, _coarse_background_sigma(max_d)))
    sigma_fine = min(MAX_FINE_SIGMA_PX, FINE_SIGMA_PER_DIAMETER * typical_d)
    return sigma_bg, sigma_fine, EVIDENCE_SIGMA_PER_DIAMETER * typical_d, max(min_d, AUTO_MIN_DIAMETER_FRACTION * typical_d)


def _sensitivity_keep(ps: _Pass, base: np.ndarray, seed_threshold: float, sensitivity: float, *, scale_known: bool):
    """(pores kept at ``sensitivity``, at 1) among ``base``: the seed and the peak-contrast floor set at 1 are divided by
    it; the grow threshold (outlines) is not -- it merged neighbours (the real cheek counted 451, 399, 275 pores at 1, 2,
    4) -- so a higher sensitivity keeps every pore a lower one keeps, with the same outline."""
    keep1 = base & (ps.peak_dark > MIN_PEAK_CONTRAST)
    # Gap only when the scale is unknown: sensor noise can make the split appear or vanish (it moved a synthetic count 10%).
    seed1 = seed_threshold if scale_known else contrast_gap(ps.peak_z[keep1], seed_threshold)
    keep1 &= ps.peak_z > seed1
    if sensitivity == 1:
        return keep1, keep1
    return base & (ps.peak_dark > MIN_PEAK_CONTRAST / sensitivity) & (ps.peak_z > seed1 / sensitivity), keep1


def detect(
    rgb: np.ndarray,
    skin: np.ndarray | None = None,
    *,
    min_diameter_px: float = DEFAULT_MIN_DIAMETER_PX,
    max_diameter_px: float = DEFAULT_MAX_DIAMETER_PX,
    params: DetectorParams | None = None,
    logy: np.ndarray | None = None,
    typical_diameter_px: float | None = None,
    px_per_mm: float | None = None,
    zones: np.ndarray | None = None,
) -> Detection:
    """Find pores in a photo's skin.

    Two steps: the typical pore diameter is estimated on a few skin tiles
    (scale selection), then the whole skin is searched with a background and
    smoothing matched to that scale.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    skin : ndarray, optional
        (H, W) bool, where to look (default: everywhere).
    min_diameter_px, max_diameter_px : float
        The expected pore diameter range (px).
    params : DetectorParams, optional
        The tunable values (sensitivity, hysteresis thresholds, clear
        contrast, typical pore diameter); default :class:`DetectorParams()`.
        Sensitivity above 1 finds and counts fainter pores, below 1 only
        clearer ones; outlines never change, so what it finds and counts nests
        (:func:`_sensitivity_keep`). 1 is the detector the figures were measured on.
    logy : ndarray, optional
        :func:`~porescope.measure.imaging.log_luminance` of ``rgb`` when the caller already has it.
    typical_diameter_px : float, optional
        Skip scale selection and use this diameter.
    px_per_mm : float, optional
        The scale of ``rgb`` when known. Then every filter is fixed in
        millimetres (``params.typical_pore_diameter_mm``, EVIDENCE_MM) and the seed is
        not moved by :func:`contrast_gap`, so nothing about what is found
        depends on an estimate from the photo itself.
    zones : ndarray, optional
        (H, W) uint8 labels (a face's regions; 0 = none, not searched): texture, sensor noise and clear threshold are then
        each zone's own (:mod:`porescope.measure.pores.zones`); scale selection (unknown scale) still reads all the skin.

    Returns
    -------
    Detection
        The pore label image, the darkness and background maps, the noise
        figures, each pore's core and evidence, and which pores are clear.
    """
    h, w = rgb.shape[:2]
    logy = log_luminance(rgb) if logy is None else logy
    skin = np.ones((h, w), bool) if skin is None else skin
    p = params if params is not None else DetectorParams()

    bad = untrusted_pixels(rgb)
    valid = skin if bad is None else skin & (bad == 0)
    zoned = zones_of(zones, logy, valid) if zones is not None else None
    pixel_sd = zoned.sensor if zoned is not None else pixel_noise(logy, valid)
    if typical_diameter_px is not None:
        typical_d = typical_diameter_px
    elif px_per_mm is not None:
        typical_d = p.typical_pore_diameter_mm * px_per_mm
    else:
        typical_d = estimate_pore_scale(logy, valid, min_diameter_px=min_diameter_px, max_diameter_px=max_diameter_px, pixel_sd=pixel_sd)
    sigma_bg, sigma_fine, sigma_seed, floor_d = _scale_sigmas(typical_d, min_diameter_px, max_diameter_px)
    sigma_surround = None
    if px_per_mm is not None:  # the scale is known: the clear test is one fixed filter in millimetres
        sigma_seed, sigma_surround = (v * px_per_mm for v in _evidence_mm(p.typical_pore_diameter_mm))
    # All candidates first (seed = grow), so the gap test sees the faint ones too.
    ps = _components(
        logy, valid, sigma_bg=sigma_bg, sigma_fine=sigma_fine, seed_t=p.grow_z, grow_t=p.grow_z,  # grow never moves (_sensitivity_keep)
        min_d=min_diameter_px, max_d=max_diameter_px, pixel_sd=pixel_sd, zones=zoned,
    )
    name = DETECTOR
    if ps.n <= 1:
        return Detection(np.zeros((h, w), np.int32), 0, ps.darkness, ps.background, ps.sigma, ps.sensor, name, typical_d,
                         core=np.zeros(0), evidence=np.zeros(0))
    keep = ps.shaped & (ps.peak_z > p.grow_z)  # the peak-contrast floor is _sensitivity_keep's
    # Smaller than a fraction of the typical pore: skin texture, not a pore.
    keep &= np.sqrt(4.0 * ps.area / np.pi) >= floor_d
    keep[0] = False
    keep, keep1 = _sensitivity_keep(ps, keep, p.seed_z, p.sensitivity, scale_known=px_per_mm is not None)
    both = keep | keep1  # evidence is needed for keep1's pores too (the clear threshold is read on them)

    out, count, pixel_index, pixel_label = _relabel(ps, both, (h, w))
    ev_core = max(sigma_fine, sigma_seed)
    ev_surround = sigma_surround if sigma_surround is not None else sigma_bg * EVIDENCE_SURROUND_FACTOR
    evidence = _peak_evidence(logy, pixel_index, pixel_label, count, core=ev_core, surround=ev_surround)
    energy = float(np.sqrt(_gaussian_energy(ev_core, ev_surround)))
    # The clear threshold is read on keep1's pores and moved by the same share of the clear contrast at any sensitivity.
    clear_at = _clear_test(evidence, keep1[both], energy, pixel_sd, zoned, (pixel_index, pixel_label, count), p.clear_contrast)
    clear_at = clear_at - p.clear_contrast * (1.0 - 1.0 / p.sensitivity)
    if not np.array_equal(both, keep):  # below 1: drop keep1's pores that this sensitivity does not keep
        evidence, clear_at = evidence[keep[both]], (clear_at if zoned is None else clear_at[keep[both]])
        out, count, pixel_index, pixel_label = _relabel(ps, keep, (h, w))
    core_sigma = CORE_SIGMA_PER_DIAMETER * (typical_d if typical_d is not None else 2 * min_diameter_px)
    core = core_darkness(logy, ps.background, ps.darkness, pixel_index, pixel_label, count, core_sigma, peak=ps.peak_dark[keep])
    return Detection(out, count, ps.darkness, ps.background, ps.sigma, ps.sensor, name, typical_d, pixel_index, pixel_label, core, evidence, clear_at)
