"""Two photos of the same skin at the same detail: the numerics of the change engine's detail matching.

:func:`relative_blur` compares two photos' skin spectra
(:func:`porescope.measure.detail.band_spectrum`): the difference, less its
even part, fitted with the shape a Gaussian blur gives, says how much to blur
the sharper one so both hold the same detail (as remote sensing matches
sensors' MTF before comparing, Wald's protocol, and PET harmonises scanners
with a Gaussian post-filter, Kaalep et al. 2018, doi:10.1007/s00259-018-3977-4;
for Gaussian blurs the extra blur is sqrt(sigma_blurry^2 - sigma_sharp^2)).
:func:`match_filters` turns that and the band-by-band excess into a filter
(:func:`apply_band_filter`) for the sharper photo; :func:`common_detail` says
which visit to filter, or why two visits cannot be compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from porescope.measure.detail import NOMINAL_PX_PER_MM
from porescope.measure.exif import edited_with
from porescope.results import Detail, Quality

#: ``10 log10(e) * 4 pi^2``: a Gaussian blur of sigma (mm) lowers power at f
#: (cycles/mm) by this times sigma^2 f^2 dB.
GAUSS_DB = 10.0 * math.log10(math.e) * 4.0 * math.pi**2
#: The relative blur is fitted on bands up to this frequency (cycles/mm): above
#: it sensor noise, quantisation and JPEG decide the spectrum, not the optics.
FIT_MAX_CYC_PER_MM = 3.0


@dataclass(frozen=True)
class RelativeBlur:
    """How two spectra of the same skin differ in detail.

    ``extra_blur_mm`` blurs the sharper photo (``sharper``: 'a' or 'b') to the
    other's detail; ``shape_db`` is how far the difference's shape strays from a
    Gaussian's (RMS over the fitted bands, dB) once fitted; ``offset_db`` its
    even part (a real change of contrast lives there).
    """

    extra_blur_mm: float
    sharper: str
    shape_db: float
    offset_db: float
    detail_gap_db: float  # the largest band difference left after removing the even part


def relative_blur(centres, power_a, power_b) -> RelativeBlur | None:
    """Fit ``b - a = offset - GAUSS_DB * delta * f^2`` over the bands both resolve up to FIT_MAX_CYC_PER_MM.

    Parameters
    ----------
    centres : sequence of float
        Band centres (cycles/mm).
    power_a, power_b : sequence of float or None
        The two photos' band powers (dB).

    Returns
    -------
    RelativeBlur or None
        None when fewer than four bands are shared.
    """
    rows = [(c, b - a) for c, a, b in zip(centres, power_a, power_b) if a is not None and b is not None and c <= FIT_MAX_CYC_PER_MM]
    if len(rows) < 4:
        return None
    f = np.array([r[0] for r in rows])
    d = np.array([r[1] for r in rows])
    design = np.stack([np.ones_like(f), -GAUSS_DB * f**2], axis=1)
    (offset, delta), *_ = np.linalg.lstsq(design, d, rcond=None)
    resid = d - design @ np.array([offset, delta])
    even = d - np.median(d[: max(2, len(d) // 3)])  # relative to the coarsest bands
    return RelativeBlur(
        extra_blur_mm=round(float(math.sqrt(abs(delta))), 4),
        sharper="a" if delta > 0 else "b",
        shape_db=round(float(np.sqrt(np.mean(resid**2))), 3),
        offset_db=round(float(offset), 3),
        detail_gap_db=round(float(np.max(np.abs(even))), 3),
    )


#: The two visits' spectra are compared relative to their coarsest bands
#: (features of 1-2 mm, larger than pores, that focus and processing barely
#: touch: a 0.1 mm blur moves them by 0.5-0.9 dB), so an even change of the
#: skin (pores lighter or darker everywhere) is never taken for a filter.
REFERENCE_BANDS = 2
#: Differences of detail smaller than this (dB, any band) are within what the
#: spectrum's own scatter and a real change's uneven part give (pores'
#: contrast x0.7 on the real crops: at most 0.8 dB uneven), and are not matched.
MATCH_MIN_DB = 1.0


#: Focus, zoom and processing move the coarse reference bands by under 1 dB (a 0.1 mm
#: blur: 0.5-0.9 dB; JPEG q45: 0.3 dB); a larger gap there is the skin itself changing.
COARSE_CHANGE_DB = 1.5


def _reference_gap_db(power_a, power_b) -> float:
    """Mean difference (dB, a - b) of the two spectra over their coarsest REFERENCE_BANDS shared bands."""
    diffs = [x - y for x, y in zip(power_a, power_b) if x is not None and y is not None][:REFERENCE_BANDS]
    return float(np.mean(diffs)) if diffs else 0.0


def matching_filter_db(centres, power_sharp, power_other) -> tuple[float, ...]:
    """Per-band attenuation (dB, <= 0) that brings the sharper photo to the other's detail.

    Parameters
    ----------
    centres : sequence of float
        Band centres (cycles/mm).
    power_sharp, power_other : sequence of float or None
        Band powers (dB) of the photo to filter and of the one to match.

    Returns
    -------
    tuple of float
        Power change per band, never above 0 (the filter only removes detail
        the other photo does not hold); 0 where either band is missing.
    """
    diffs = [(a - b) if a is not None and b is not None else None for a, b in zip(power_sharp, power_other)]
    if sum(d is not None for d in diffs) < REFERENCE_BANDS + 1:
        return (0.0,) * len(centres)
    ref = _reference_gap_db(power_sharp, power_other)
    return tuple(round(-max(0.0, d - ref), 3) if d is not None else 0.0 for d in diffs)


def apply_band_filter(rgb: np.ndarray, *, px_per_mm: float | None, centres, gain_db) -> np.ndarray:
    """Filter a photo by a radially symmetric response given per band.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    px_per_mm : float or None
        Its scale (None: NOMINAL_PX_PER_MM, as the bands were read).
    centres : sequence of float
        Band centres, cycles/mm.
    gain_db : sequence of float
        Power change per band (dB); linear in between, the first band's below
        it (0 at zero frequency) and the last one's above it.

    Returns
    -------
    ndarray
        (H, W, 3) uint8, the same photo holding only the matched detail.
    """
    scale = px_per_mm or NOMINAL_PX_PER_MM
    h, w = rgb.shape[:2]
    ph, pw = cv2.getOptimalDFTSize(h + 32), cv2.getOptimalDFTSize(w + 32)
    f_mm = np.hypot(np.fft.fftfreq(ph)[:, None], np.fft.rfftfreq(pw)[None, :]) * scale
    xs = np.concatenate([[0.0], np.asarray(centres, float)])
    ys = np.concatenate([[0.0], np.asarray(gain_db, float)])
    amp = (10.0 ** (np.interp(f_mm, xs, ys) / 20.0)).astype(np.float32)
    out = np.empty_like(rgb)
    for ch in range(3):
        pad = cv2.copyMakeBorder(rgb[..., ch].astype(np.float32), 0, ph - h, 0, pw - w, cv2.BORDER_REFLECT)
        spec = np.fft.rfft2(pad)
        spec *= amp
        back = np.fft.irfft2(spec, s=(ph, pw))[:h, :w]
        out[..., ch] = np.clip(back + 0.5, 0, 255).astype(np.uint8)
    return out


def match_filters(a: Detail, b: Detail) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-band attenuation (dB) for photo ``a`` and for photo ``b`` so both hold the same detail.

    Two models of the difference, and the stronger attenuation of the two in
    each band: the band-by-band excess over the other photo (any filter:
    sharpening, noise, JPEG), and a Gaussian blur fitted where the optics
    decide the spectrum (:func:`relative_blur`), which carries the match past
    the band where the blurrier photo's detail sinks into its floor.

    Parameters
    ----------
    a, b : Detail
        The two photos' detail readings (same band centres).

    Returns
    -------
    tuple of tuple of float
        (gain for a, gain for b), dB per band, each <= 0.
    """
    centres = a.band_centres_cyc_per_mm
    if centres != b.band_centres_cyc_per_mm:
        return (0.0,) * len(centres), (0.0,) * len(b.band_centres_cyc_per_mm)
    gain_a = list(matching_filter_db(centres, a.spectrum_db, b.spectrum_db))
    gain_b = list(matching_filter_db(centres, b.spectrum_db, a.spectrum_db))
    rb = relative_blur(centres, a.spectrum_db, b.spectrum_db)
    if rb is not None and rb.extra_blur_mm > 0:
        # Past the fitted bands the other photo's floor, not its optics, sets
        # the spectrum: the Gaussian is held at its value at the last fitted band.
        gauss = [-GAUSS_DB * rb.extra_blur_mm**2 * min(c, FIT_MAX_CYC_PER_MM) ** 2 for c in centres]
        target = gain_a if rb.sharper == "a" else gain_b
        for i, g in enumerate(gauss):
            target[i] = round(min(target[i], g), 3)
    if abs(_reference_gap_db(a.spectrum_db, b.spectrum_db)) <= COARSE_CHANGE_DB:
        return tuple(gain_a), tuple(gain_b)
    # The coarse reference bands themselves differ: the skin changed at that scale (large pores
    # fading: the synthetic study's treated arm moves them 6 dB and its fine bands 0.5 dB, the same
    # way), and read against them, the visit that lost texture would look sharper. A filter then
    # removes only detail the sharper photo really holds beyond the other: never more than its
    # band's own excess over the other photo's power.
    return (_within_excess(gain_a, a.spectrum_db, b.spectrum_db), _within_excess(gain_b, b.spectrum_db, a.spectrum_db))



def _within_excess(gain, power_this, power_other) -> tuple[float, ...]:
    """``gain`` (dB, <= 0) limited per band to how far ``power_this`` lies above ``power_other``."""
    return tuple(round(max(g, -max(0.0, x - y)), 3) if x is not None and y is not None else g
                 for g, x, y in zip(gain, power_this, power_other))


#: A difference of detail that no blur explains: the sharper photo's excess is
#: nearly as strong in the pore band (1.1-1.8 cycles/mm) as in the finest band
#: it is read in (2.3-3.1 cycles/mm), where soft focus, digital zoom and
#: enlargement take 2.6-6x more from the finest band than from the pore band
#: (real crops and synthetic skin; soft focus 0.15 mm, 2.6x, is refused by the
#: gate anyway). Sharpening (unsharp mask 40-100%: 1.3-1.5x) and beauty
#: smoothing (bilateral: 1.3-2.2x) leave this shape, and a measurement matched
#: through it is not to be trusted: such visits are not compared.
#: A real change of the pores' contrast (x0.7, x1.3) can leave a similar
#: shape on synthetic skin (2.2-3x), but it moves the finest band's own power
#: by at most 1 dB (down for fainter pores), where sharpening by 40% adds 3 dB
#: and a beauty filter takes 6-12 dB (SHELF_ABS_DB); mild sharpening (20%:
#: +1.5 dB) is matched, not refused.
SHELF_MIN_DB = 1.5
SHELF_MAX_RATIO = 2.5
SHELF_ABS_DB = 2.0
SHELF_PORE_BAND = (1.1, 1.8)
SHELF_FINE_BAND = (2.3, 3.1)


def unmatched_processing(centres, power_sharp, power_other) -> bool:
    """Whether the sharper photo's extra detail has the shape sharpening or edge-preserving smoothing leaves (see SHELF_MIN_DB).

    Parameters
    ----------
    centres : sequence of float
        Band centres (cycles/mm).
    power_sharp, power_other : sequence of float or None
        Band powers (dB) of the photo holding more detail and of the other.

    Returns
    -------
    bool
    """
    excess = -np.asarray(matching_filter_db(centres, power_sharp, power_other), float)
    c = np.asarray(centres, float)
    pore = excess[(c >= SHELF_PORE_BAND[0]) & (c <= SHELF_PORE_BAND[1])]
    fine = excess[(c >= SHELF_FINE_BAND[0]) & (c <= SHELF_FINE_BAND[1])]
    if not pore.size or not fine.size:
        return False
    sel = [i for i, x in enumerate(centres) if SHELF_FINE_BAND[0] <= x <= SHELF_FINE_BAND[1]
           and power_sharp[i] is not None and power_other[i] is not None]
    absolute = float(np.mean([power_sharp[i] - power_other[i] for i in sel])) if sel else 0.0
    return bool(fine.mean() >= SHELF_MIN_DB and fine.mean() < SHELF_MAX_RATIO * max(pore.mean(), 1e-6) and absolute >= SHELF_ABS_DB)


def needs_matching(gain_db) -> bool:
    """Whether a matching filter removes more than MATCH_MIN_DB in any band.

    Parameters
    ----------
    gain_db : sequence of float
        Power change per band (dB), as :func:`match_filters` gives.

    Returns
    -------
    bool
    """
    return bool(gain_db) and min(gain_db) < -MATCH_MIN_DB


#: Capture problems that say a photo holds less (or other) detail than pores
#: need; a visit with one is compared only with a visit that has one too.
DETAIL_PROBLEMS = ("slightly_blurry", "detail_too_low", "compressed")


@dataclass(frozen=True)
class CommonDetail:
    """How two visits are brought to the same detail: a filter per visit (None: as measured), or why they cannot be."""

    centres: tuple[float, ...]
    gains: tuple[tuple[float, ...] | None, tuple[float, ...] | None]
    reason: str | None = None


#: Two photos of one camera are compared only when their ISO differs by at most this factor (one stop). A phone
#: reduces noise in proportion to it, and its noise reduction erases the faintest pores along with the grain.
#: Measured with porescope.testing.phone (a Bayer sensor whose noise follows the ISO, noise reduction scaled to the
#: noise, 30% sharpening, JPEG q92; benchmarks/bench_camera.py, table 3) on the real crops, synthetic skin and a face:
#: ISO 50 vs 100 changed no verdict on any; ISO 50 vs 200 took 15-20% of the real crops' pores and read "improved",
#: and ISO 400-800 read "improved" on the crops and synthetic skin.
MAX_ISO_RATIO = 2.0


def capture_mismatch(sa, sb, *, ids=("a", "b")) -> str | None:
    """Why two photos' cameras process the skin too differently to compare their pores, or None.

    Parameters
    ----------
    sa, sb : SourceImage or None
        The photos' sources (``camera`` and ``iso`` from EXIF; None where unknown).
    ids : pair
        How the visits are named in the reason.

    Returns
    -------
    str or None
        Set when both name their camera and the cameras differ (each phone and each of a phone's cameras has
        its own noise reduction and sharpening, which move pore counts more than weeks of care do), when one
        was saved by a photo editor or beauty app and the other not (or by another one), or when both record
        their ISO and it differs by more than MAX_ISO_RATIO.
    """
    ca, cb = getattr(sa, "camera", None), getattr(sb, "camera", None)
    if ca and cb and ca.casefold() != cb.casefold():
        return (f"visit {ids[0]} was taken with {ca} and visit {ids[1]} with {cb}: each camera reduces noise and sharpens in its own "
                "way, which moves pore counts and visibility more than the skin changes, so they are not compared. Compare photos "
                "from the same camera, or start a new series with the new one.")
    ea, eb = edited_with(getattr(sa, "software", None)), edited_with(getattr(sb, "software", None))
    if (ea or eb) and (ea or "").casefold() != (eb or "").casefold():
        (this, app), (other, other_app) = ((ids[0], ea), (ids[1], eb)) if ea else ((ids[1], eb), (ids[0], ea))
        return (f"visit {this}'s photo was saved by {app}, a photo editor or beauty app, and visit {other}'s "
                + (f"by {other_app}" if other_app else "was not")
                + ": the app's filters may have smoothed or sharpened the skin, so they are not compared. Use the camera's "
                "original photo files.")
    ia, ib = getattr(sa, "iso", None), getattr(sb, "iso", None)
    if ia and ib and max(ia, ib) / min(ia, ib) > MAX_ISO_RATIO:
        lo, hi = (ids[0], ids[1]) if ia < ib else (ids[1], ids[0])
        return (f"visit {hi}'s photo was taken at ISO {max(ia, ib):.0f} and visit {lo}'s at ISO {min(ia, ib):.0f}: in dimmer light the "
                "phone reduces noise harder, which erases the faintest pores, so they are not compared. Take the photos in the same "
                "bright light (by a window in daylight) and compare again.")
    return None


def common_detail(qa: Quality, qb: Quality, *, ids=("a", "b"), sources=None) -> CommonDetail | None:
    """What it takes to compare two photos of the same skin at the same detail.

    Parameters
    ----------
    qa, qb : Quality
        The two visits' capture judgements (with their ``detail``).
    ids : pair
        How the visits are named in the reason.
    sources : pair of SourceImage, optional
        The photos' sources, for :func:`capture_mismatch`.

    Returns
    -------
    CommonDetail or None
        None when either visit has no detail reading (stored by an older
        porescope). ``reason`` is set when the visits are not to be compared:
        only one of them holds too little detail for pores (DETAIL_PROBLEMS),
        or their difference has the shape sharpening or a beauty filter leaves
        (:func:`unmatched_processing`), or, given ``sources``, the cameras or
        light levels differ (:func:`capture_mismatch`). Otherwise ``gains``
        holds the filter for the visit that holds more detail (:func:`match_filters`).
    """
    da, db = qa.detail, qb.detail
    if sources is not None and (why := capture_mismatch(*sources, ids=ids)):
        return CommonDetail(tuple(da.band_centres_cyc_per_mm) if da else (), (None, None), reason=why)
    if da is None or db is None:
        return None
    centres = tuple(da.band_centres_cyc_per_mm)
    soft = [i for i, q in zip(ids, (qa, qb)) if any(p.code in DETAIL_PROBLEMS for p in q.problems)]
    if len(soft) == 1:
        other = ids[1] if soft[0] == ids[0] else ids[0]
        return CommonDetail(centres, (None, None), reason=(
            f"visit {soft[0]}'s photo holds too little detail for pores (soft focus, digital zoom, smoothing, heavy compression or an "
            f"enlarged copy) while visit {other}'s does: their numbers would differ by the camera, not the skin, so they are not "
            "compared. Retake that visit's photo in focus, with beauty and night modes off, and compare again."))
    gains = match_filters(da, db)
    for (this, that), (x, y), gain in zip((ids, ids[::-1]), ((da, db), (db, da)), gains):
        if needs_matching(gain) and unmatched_processing(centres, x.spectrum_db, y.spectrum_db):
            return CommonDetail(centres, (None, None), reason=(
                f"visit {this}'s photo holds extra fine texture of the shape sharpening or a beauty filter leaves, compared with visit "
                f"{that}'s: the camera's processing differs too much to compare the pores. Take both photos with the same phone and "
                "settings, sharpening and beauty modes off."))
    return CommonDetail(centres, tuple(g if needs_matching(g) else None for g in gains))
