"""Region statistics and the 0-100 visibility score.

Headline metrics
----------------
Count, density, coverage and the visibility score are computed over a
region's *clear* pores only (contrast at the pore's own scale at least
``detect.CLEAR_CONTRAST``; see :func:`region_metrics`), so pores at the edge
of detection cannot swing them. Contrast is *relative* (how much less light
the pore reflects than the skin around it, in linear light), so exposure,
white balance and skin tone cancel; areas are in the photo's pixels over the
region's skin pixels, so the camera's distance cancels too.

Visibility score (higher = more visible pores)
----------------------------------------------
For a region with skin area A (px) and clear pores i with area a_i (px) and
relative contrast at the pore's own scale c_i (ln units of linear luminance;
the evidence map's peak, see ``detect``: averaged over the pore, so noise and
slight blur barely move it, less the small lift sensor noise gives a peak,
``detect.EVIDENCE_NOISE_BIAS``):

    W = Σ_i a_i · min(c_i / C_REF, C_CAP) / A        (contrast-weighted coverage)
    score = 100 · (1 − exp(−W / W_REF))

* W is a fraction of skin area, so it does not depend on the pixel scale;
  more pores, larger pores and darker pores all raise it; nothing in it is
  normalized by the photo's own statistics, so scores compare across photos.
* C_REF = 0.2 (≈ 18% less light: 6 ΔL* on skin of L* 65, the contrast of a
  typical open pore on fair skin in our development crops); C_CAP caps one
  very dark pore's weight at 3.
* W_REF = 0.04: a cheek whose pores cover 4% of the skin at typical contrast
  scores 63; the dense, clearly visible cheek of the development set (9%
  coverage, the Pore-Net crops of Seo et al. 2022) lands in the 50s-70s. The mapping is
  monotonic and saturates, as Haut.AI's large-pore-coverage score does
  (Haut.AI's published pores score), but here higher means *more* visible.
"""

from __future__ import annotations

import math

import numpy as np

from porescope.measure.pores.measure import PoreTable, contrast_pct
from porescope.results import RegionMetrics

C_REF = 0.20
C_CAP = 3.0
W_REF = 0.04
#: A pore is "large" from this equivalent diameter (mm) when the scale is
#: known: twice the 250 µm detection threshold of Flament et al. 2015, doi:10.2147/CCID.S74401.
LARGE_PORE_DIAMETER_MM = 0.5
#: Without a scale, "large" is judged in pixels for a nominal close-up of
#: 12 px/mm (the Pore-Net crops are ~10 px/mm): 0.5 mm x 12 px/mm = 6 px.
LARGE_PORE_DIAMETER_PX_NOMINAL = 6.0
#: Pores below this elongation carry no direction (orientation coherence).
ORIENTED_MIN_ELONGATION = 1.3


def visibility_score(areas_px: np.ndarray, contrasts: np.ndarray, skin_area_px: float) -> float:
    """The 0-100 visibility score (formula in the module docstring).

    Parameters
    ----------
    areas_px : ndarray
        Pore areas (px).
    contrasts : ndarray
        Their relative contrasts (ln units).
    skin_area_px : float
        The region's skin area (px).

    Returns
    -------
    float
        0-100; the same skin scores the same in any photo (no per-photo normalization).
    """
    if skin_area_px <= 0 or areas_px.size == 0:
        return 0.0
    weight = np.clip(contrasts / C_REF, 0.0, C_CAP)
    w = float(np.sum(areas_px * weight) / skin_area_px)
    return round(100.0 * (1.0 - math.exp(-w / W_REF)), 2)


def orientation_coherence(theta_deg: np.ndarray, elongation: np.ndarray) -> tuple[float | None, float | None]:
    """How strongly elongated pores share a direction.

    Mean resultant length of doubled angles (axial data), weighted by elongation excess.

    Parameters
    ----------
    theta_deg : ndarray
        Pore orientations (degrees).
    elongation : ndarray
        Their length/width.

    Returns
    -------
    tuple
        (coherence 0-1, dominant orientation in degrees), or (None, None) with
        too few elongated pores.
    """
    sel = elongation >= ORIENTED_MIN_ELONGATION
    if sel.sum() < 5:
        return None, None
    t = np.radians(theta_deg[sel]) * 2
    wts = elongation[sel] - 1.0
    c = float(np.sum(wts * np.cos(t)) / np.sum(wts))
    s = float(np.sum(wts * np.sin(t)) / np.sum(wts))
    coherence = math.hypot(c, s)
    dominant = math.degrees(math.atan2(s, c)) / 2
    return round(coherence, 4), round(dominant, 2)


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


def region_metrics(
    name: str,
    label: int,
    table: PoreTable,
    skin_area_px: int,
    *,
    px_per_mm: float | None,
    counts_meaningful: bool = True,
) -> RegionMetrics:
    """Aggregate the pores of one region into :class:`~porescope.results.RegionMetrics`.

    Every number is computed over the region's *clear* pores (``table.clear``,
    see :data:`porescope.measure.pores.detect.CLEAR_CONTRAST`); the fainter ones
    found beside them are only counted in ``faint_pore_count``. So a pore at the
    edge of detection, which a little noise or a different exposure can make or
    unmake, cannot move the count, density, coverage or visibility score.

    Parameters
    ----------
    name : str
        Region name.
    label : int
        Region label value.
    table : PoreTable
        The region's pores.
    skin_area_px : int
        The region's skin area (px).
    px_per_mm : float or None
        Scale: densities per cm² and areas in mm² when known.
    counts_meaningful : bool
        False when the photo is too coarse to resolve pores (only the
        visibility score is then reported as meaningful).

    Returns
    -------
    RegionMetrics
    """
    faint = int(np.count_nonzero(~table.clear))
    table = table.select(table.clear)
    n = len(table)
    mm2_per_px = (1.0 / px_per_mm**2) if px_per_mm else None
    area_cm2 = skin_area_px * mm2_per_px / 100.0 if mm2_per_px else None
    areas = table.area_px.astype(np.float64)
    if px_per_mm:
        large = table.equiv_diameter_px / px_per_mm >= LARGE_PORE_DIAMETER_MM
    else:
        large = table.equiv_diameter_px >= LARGE_PORE_DIAMETER_PX_NOMINAL
    coh, dom = orientation_coherence(table.orientation_deg, table.elongation)

    def stat(f, scale=1.0):
        return _r(f(areas) * scale) if n else None

    return RegionMetrics(
        name=name,
        label=label,
        area_px=int(skin_area_px),
        area_cm2=_r(area_cm2, 5),
        pore_count=n,
        faint_pore_count=faint,
        density_per_cm2=_r(n / area_cm2, 2) if area_cm2 else None,
        density_per_mpx=round(n / max(skin_area_px, 1) * 1e6, 2),
        mean_area_px=stat(np.mean),
        median_area_px=stat(np.median),
        p90_area_px=stat(lambda a: np.percentile(a, 90)),
        mean_area_mm2=stat(np.mean, mm2_per_px) if mm2_per_px else None,
        median_area_mm2=stat(np.median, mm2_per_px) if mm2_per_px else None,
        p90_area_mm2=stat(lambda a: np.percentile(a, 90), mm2_per_px) if mm2_per_px else None,
        coverage_pct=round(100.0 * float(areas.sum()) / max(skin_area_px, 1), 3),
        large_pore_share=round(float(large.mean()) if n else 0.0, 4),
        mean_elongation=_r(np.mean(table.elongation)) if n else None,
        orientation_coherence=coh,
        dominant_orientation_deg=dom,
        dark_share=round(float(table.dark.mean()) if n else 0.0, 4),
        mean_contrast_dl=_r(np.mean(table.contrast_dl), 3) if n else None,
        mean_contrast_pct=_r(np.mean(contrast_pct(table.contrast)), 3) if n else None,
        visibility_score=visibility_score(areas, table.evidence, skin_area_px),
        counts_meaningful=counts_meaningful,
    )
