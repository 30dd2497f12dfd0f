"""The measurement flow, end to end: load → regions (and scale) → analysis resolution →
quality (in a second thread, beside the next three) → find pores → measure → score → causes.

:func:`run` returns the :class:`Analysis` plus the arrays the shells need
(pore label image, region labels, the photo) as a :class:`Run`;
:func:`analyze` returns only the :class:`Analysis` (the public API).
"""

from __future__ import annotations

import gc
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from porescope._version import __version__
from porescope.errors import PorescopeError
from porescope.measure.causes import likely_causes
from porescope.measure.detail import detail_problems, read_detail
from porescope.measure.exif import source_fields
from porescope.measure.imaging import lightness
from porescope.measure.io import LoadedImage, read_image, read_mask
from porescope.measure.match import apply_band_filter
from porescope.measure.pores import detect as _detect
from porescope.measure.pores.measure import PoreTable, contrast_pct, is_dark, measure
from porescope.measure.pores.params import DetectorParams
from porescope.measure.pores.score import region_metrics
from porescope.measure.quality import MIN_PX_PER_MM, assess, exif_problems, is_measurable
from porescope.measure.regions import RegionSet, check_mode, find_regions
from porescope.results import Analysis, Pore, Quality, QualityProblem, RegionNotMeasured, Scale, Settings, SourceImage, pores_from_trusted

log = logging.getLogger(__name__)


@dataclass
class Run:
    """An analysis with the arrays behind it (not serialized)."""

    analysis: Analysis
    image: LoadedImage
    labels: np.ndarray  # (H, W) int32 pore labels; pore id i = label i
    regions: RegionSet
    pore_kind_dark: np.ndarray  # (n,) bool, index = pore id - 1


@dataclass
class Findings:
    """What the pipeline has found so far, stage by stage (the state :func:`run` hands on)."""

    image: LoadedImage
    shape: tuple[int, int]  # (height, width) px of the upright photo
    regions: RegionSet
    scale: Scale
    min_d: float  # expected pore diameter range, photo px
    max_d: float
    factor: float = 1.0  # photo -> analysis resolution
    quality: Quality | None = None
    detection: _detect.Detection | None = None
    metrics: list = field(default_factory=list)  # RegionMetrics per region
    pores: list[Pore] = field(default_factory=list)


#: Pores are found at this physical resolution whenever the scale is known.
#: 10 px/mm resolves a 250 µm pore as 2.5 px (8-11 px/mm resolve a 250 µm pore, Flament et al. 2015)
#: and is the resolution of the annotated real crops the detector was checked
#: on; a sharper photo is reduced to it (area-averaged, which also lowers its
#: noise), a slightly coarser one enlarged.
ANALYSIS_PX_PER_MM = 10.0
#: A photo coarser than the analysis resolution is enlarged by at most this
#: factor (beyond it the pores are not resolved anyway; the quality gate says
#: so), so a distant 12 MP photo is not blown up to 50 MP.
MAX_UPSAMPLE = 1.5


def analysis_factor(px_per_mm: float | None) -> float:
    """Resampling factor from the photo to the analysis resolution.

    Parameters
    ----------
    px_per_mm : float or None
        The photo's scale; None when unknown.

    Returns
    -------
    float
        ``ANALYSIS_PX_PER_MM / px_per_mm``, at most ``MAX_UPSAMPLE``; 1 when the scale is unknown.
    """
    if not px_per_mm:
        return 1.0
    f = ANALYSIS_PX_PER_MM / px_per_mm
    if f > MAX_UPSAMPLE:
        return 1.0
    return 1.0 if abs(f - 1.0) < 0.01 else f


def resample(rgb: np.ndarray, skin: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """``rgb`` and its skin mask resized by ``factor``.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 image.
    skin : ndarray
        (H, W) bool mask.
    factor : float
        Size factor (area averaging down, bicubic up).

    Returns
    -------
    tuple of ndarray
        The resized image and mask.
    """
    if factor == 1.0:
        return rgb, skin
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    out = cv2.resize(rgb, size, interpolation=interp)
    mask = cv2.resize(skin.view(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return out, mask


def _scale_of(px_per_mm: float | None, regions: RegionSet) -> Scale:
    """The photo's scale: the user's, else the face's (iris / eye distance), else unknown."""
    if px_per_mm:
        scale = Scale(px_per_mm=px_per_mm, source="user", uncertainty_pct=None)
    elif regions.scale_px_per_mm:
        scale = Scale(px_per_mm=regions.scale_px_per_mm, source=regions.scale_source, uncertainty_pct=regions.scale_uncertainty_pct)
    else:
        scale = Scale()
    if scale.px_per_mm:
        scale.resolves_pores = scale.px_per_mm >= MIN_PX_PER_MM
    return scale


def _labels_to_image(labels: np.ndarray, factor: float, box, shape, skin: np.ndarray) -> np.ndarray:
    """Pore labels found at the analysis resolution, back on the photo's pixels (never outside ``skin``)."""
    h, w = box[1] - box[0], box[3] - box[2]
    if factor != 1.0:
        labels = cv2.resize(labels, (w, h), interpolation=cv2.INTER_NEAREST)
    if labels.shape != tuple(shape):
        full = np.zeros(shape, np.int32)
        full[box[0] : box[1], box[2] : box[3]] = labels
        labels = full
    if factor != 1.0:  # nearest-neighbour enlargement can step a pixel past the skin's edge
        labels[~skin] = 0
    return labels


def _assess(rgb: np.ndarray, skin: np.ndarray, px_per_mm: float | None, min_d: float, rgb_a: np.ndarray, skin_a: np.ndarray, px_per_mm_a: float | None):
    """The capture gate, with what the photo really resolves (read at the analysis resolution) and its problems."""
    quality = assess(rgb, skin, lightness(rgb), px_per_mm=px_per_mm, min_diameter_px=min_d)
    if not skin.any():
        return quality
    quality.detail = read_detail(rgb_a, skin_a, px_per_mm_a=px_per_mm_a, rgb=rgb, skin=skin, px_per_mm=px_per_mm)
    quality.problems += detail_problems(quality.detail)
    quality.measurable = is_measurable(quality.problems)
    return quality


def diameter_range_px(px_per_mm: float | None, params: DetectorParams | None = None) -> tuple[float, float]:
    """Expected pore diameter range in pixels for a scale.

    Parameters
    ----------
    px_per_mm : float or None
        The scale; None gives the default 2-20 px range.
    params : DetectorParams, optional
        The physical diameter range used when the scale is known (default: the detector's).

    Returns
    -------
    tuple of float
        (smallest, largest) pore diameter in px.
    """
    if not px_per_mm:
        return _detect.DEFAULT_MIN_DIAMETER_PX, _detect.DEFAULT_MAX_DIAMETER_PX
    p = params if params is not None else DetectorParams()
    lo = max(1.5, p.min_pore_diameter_mm * px_per_mm)
    hi = max(lo * 4, p.max_pore_diameter_mm * px_per_mm)
    return lo, hi


def load_image(image_or_path) -> LoadedImage:
    """A photo as a :class:`~porescope.measure.io.LoadedImage`.

    Parameters
    ----------
    image_or_path : str, Path, bytes, ndarray or LoadedImage
        A photo file, its bytes, an RGB/RGBA/grey array or an already loaded image.

    Returns
    -------
    LoadedImage
    """
    if isinstance(image_or_path, LoadedImage):
        return image_or_path
    if isinstance(image_or_path, np.ndarray):
        arr = image_or_path
        if arr.ndim == 2:
            arr = np.repeat(arr[..., None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise PorescopeError("image array must be (H, W), (H, W, 3) RGB or (H, W, 4) RGBA.")
        if arr.dtype != np.uint8:
            from porescope.measure.io import to_uint8

            arr, _ = to_uint8(arr)
        valid = arr[..., 3] >= 128 if arr.shape[2] == 4 else None
        return LoadedImage(rgb=np.ascontiguousarray(arr[..., :3]), valid=valid)
    if isinstance(image_or_path, (str, Path, bytes, bytearray)):
        return read_image(image_or_path)
    raise PorescopeError(f"cannot analyze an object of type {type(image_or_path).__name__}; pass a path or an RGB array.")


def _roi_mask(roi, shape) -> np.ndarray | None:
    if roi is None:
        return None
    if isinstance(roi, np.ndarray):
        m = roi.astype(bool) if roi.dtype != bool else roi
        if m.ndim == 3:
            m = m.any(axis=2)
        if m.shape != tuple(shape):
            raise PorescopeError(f"ROI mask shape {m.shape} does not match the photo {tuple(shape)}.")
        return m
    return read_mask(roi, shape=shape)


def run(
    image_or_path,
    *,
    roi=None,
    px_per_mm: float | None = None,
    mode: str = "auto",
    sensitivity: float = 1.0,
    params: DetectorParams | None = None,
    on_pores=None,
    on_analysis=None,
    detail_filter: tuple | None = None,
) -> Run:
    """Analyze one photo and keep the arrays behind the result.

    Parameters
    ----------
    image_or_path : str, Path, bytes, ndarray or LoadedImage
        The photo (see :func:`analyze`).
    roi : str, Path or ndarray, optional
        Mask of the skin to analyze, the photo's size.
    px_per_mm : float, optional
        Physical scale.
    mode : {'auto', 'face', 'closeup'}
        What the photo shows.
    sensitivity : float
        Above 1 finds fainter pores; short for ``params=DetectorParams(sensitivity=...)``.
    params : DetectorParams, optional
        The detector's tunable values, written into ``settings.params`` (default ``DetectorParams()``).
    on_pores : callable, optional
        ``on_pores(image, labels, dark, regions)`` is called in a background
        thread as soon as the pores are found and classed (before the per-pore
        records are built), so a shell can start encoding overlay and mask
        images while the rest finishes; its exceptions are re-raised.
    on_analysis : callable, optional
        ``on_analysis(analysis)`` is called in this thread as soon as the result
        is assembled, while those images may still be encoding (a shell writes
        the JSON there).
    detail_filter : (band centres, gain dB) tuple, optional
        The change engine's filter to another visit's detail (:mod:`porescope.measure.match`).

    Returns
    -------
    Run
        The :class:`~porescope.results.Analysis` with the image, the pore label
        image, the regions and which pores are dark.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    params = _checked(px_per_mm, mode, params, sensitivity)
    img = load_image(image_or_path)
    t = _lap(timings, "load", t0)
    shape = img.rgb.shape[:2]
    roi_mask = _roi_mask(roi, shape)
    regions = find_regions(img.rgb, mode=mode, roi=roi_mask, valid=img.valid, camera=img.exif)
    t = _lap(timings, "regions", t)

    scale = _scale_of(px_per_mm, regions)
    min_d, max_d = diameter_range_px(scale.px_per_mm, params)

    box, factor, (rgb_sub, skin_sub), (rgb_a, skin_a) = _analysis_image(img.rgb, regions, scale.px_per_mm, max_d, detail_filter)
    px_per_mm_a = scale.px_per_mm * factor if scale.px_per_mm else None  # the scale detection works at
    region_labels = regions.label_image()
    zones_a = _zones(region_labels, regions.mode, box, skin_a.shape)
    min_da, max_da = (min_d * factor, max_d * factor)
    # The quality gate (OpenCV/numpy work that mostly releases the GIL) runs
    # in a second thread from here on, beside detection and measurement.
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        quality_job = pool.submit(_assess, rgb_sub, skin_sub, scale.px_per_mm, min_d, rgb_a, skin_a, px_per_mm_a)
        det = _detect.detect(rgb_a, skin_a, min_diameter_px=min_da, max_diameter_px=max_da, params=params, px_per_mm=px_per_mm_a, zones=zones_a)
        t = _lap(timings, "detect", t)
        pore_labels = _labels_to_image(det.labels, factor, box, shape, regions.skin)
        # The hook (overlay and mask images) needs only the labels and each
        # pore's kind, which detection already knows: it starts now, beside
        # the measurement, the per-pore records and the result's assembly.
        hook_job = pool.submit(on_pores, img, pore_labels, is_dark(det.core), regions) if on_pores else None
        table = _measure_table(det, box, factor)
        quality = quality_job.result()
        metrics, pores = _region_records(table, regions, region_labels, scale, detail_ok=not (quality.detail and quality.detail.resolves_pores is False))
        _noise_gate(quality, det)
        _lap(timings, "measure_and_quality", t)
        found = Findings(img, shape, regions, scale, min_d, max_d, factor, quality=quality, detection=det, metrics=metrics, pores=pores)
        analysis = _assemble(found, roi=roi, px_per_mm=px_per_mm, params=params)
        timings["total"] = round((time.perf_counter() - t0) * 1000, 2)
        analysis.timings_ms = timings
        if on_analysis is not None:
            on_analysis(analysis)
        if hook_job is not None:
            hook_job.result()
    finally:
        pool.shutdown(wait=True)
    return Run(analysis=analysis, image=img, labels=pore_labels, regions=regions, pore_kind_dark=table.dark)


def _analysis_image(rgb: np.ndarray, regions: RegionSet, px_per_mm: float | None, max_d: float, detail_filter):
    """(box, factor, (photo crop, its skin), (analysis image, its skin)): what detection and the gate read.

    Work inside the skin's bounding box (plus room for the background
    filters): a face covers a part of a selfie, and every full-frame filter
    costs ~0.1 s at 12 MP (pore coordinates are shifted back afterwards).
    On a face the box also takes in the face's landmark box, which does not
    move when a region's edge or an exclusion (hair, glasses) does: the
    analysis image's pixel grid, and so each region's pores, stay the same.
    Pores are found at one physical resolution whenever the scale is known,
    so the same skin photographed closer or farther gives the same pores; the
    change engine's filter to another visit's detail is applied there.
    """
    skin = regions.skin
    margin = int(4 * max_d) + 8
    box = _skin_box(skin, margin=margin)
    if regions.mode == "face" and "face_box_px" in regions.extra and skin.any():  # the skin lies inside it: the box is the face's
        fx0, fy0, fx1, fy1 = regions.extra["face_box_px"]
        h, w = skin.shape
        box = (min(box[0], max(0, fy0 - margin)), max(box[1], min(h, fy1 + margin)),
               min(box[2], max(0, fx0 - margin)), max(box[3], min(w, fx1 + margin)))
    sub = (slice(box[0], box[1]), slice(box[2], box[3]))
    rgb_sub, skin_sub = rgb[sub], skin[sub]
    factor = analysis_factor(px_per_mm)
    rgb_a, skin_a = resample(rgb_sub, skin_sub, factor)
    if detail_filter is not None:
        rgb_a = apply_band_filter(rgb_a, px_per_mm=px_per_mm * factor if px_per_mm else None, centres=detail_filter[0], gain_db=detail_filter[1])
        if factor == 1.0:  # the gate reads the photo's own pixels then: the same filtered ones
            rgb_sub = rgb_a
    return box, factor, (rgb_sub, skin_sub), (rgb_a, skin_a)


def _zones(region_labels: np.ndarray, mode: str, box, shape_a: tuple[int, int]) -> np.ndarray | None:
    """A face's region labels on the analysis image (``box`` of the photo resized to ``shape_a``): the zones whose
    texture and noise the detector reads apart, so each region's pores depend on its own skin only (issue 21: the
    fringe left out of the face moved the untouched chin's numbers). None for a close-up (one region, the frame)."""
    if mode != "face":
        return None
    sub = region_labels[box[0] : box[1], box[2] : box[3]]
    if sub.shape == tuple(shape_a):
        return sub
    return cv2.resize(sub, (shape_a[1], shape_a[0]), interpolation=cv2.INTER_NEAREST)


def _noise_gate(quality: Quality, det) -> None:
    """A photo whose sensor noise rivals the skin's own texture is not measured (see detect.MAX_SENSOR_NOISE_SHARE)."""
    share = det.sensor_noise_share
    if share > _detect.MAX_SENSOR_NOISE_SHARE and quality.measurable:
        quality.problems.append(QualityProblem(
            code="too_noisy", severity="blocking", value=round(share, 3), limit=_detect.MAX_SENSOR_NOISE_SHARE,
            message="The photo is too grainy to measure pores: its sensor noise is as strong as the skin's own texture, "
            "so faint pores cannot be told from noise and the numbers would change from photo to photo. "
            "Retake in brighter light (daylight from a window), without digital zoom.",
        ))
        quality.measurable = is_measurable(quality.problems)


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    """Record the ms since ``since`` as ``timings[name]``; returns now."""
    now = time.perf_counter()
    timings[name] = round((now - since) * 1000, 2)
    return now


def _checked(px_per_mm: float | None, mode: str, params: DetectorParams | None, sensitivity: float) -> DetectorParams:
    """Check the request (one-line errors) and return the run's parameters record: ``params``, or the defaults with ``sensitivity``."""
    if px_per_mm is not None and not (0 < px_per_mm < 10_000):
        raise PorescopeError(f"--px-per-mm must be a positive number of pixels per millimetre, got {px_per_mm}.")
    check_mode(mode)
    if params is None:
        return DetectorParams(sensitivity=sensitivity)
    if sensitivity != 1.0 and sensitivity != params.sensitivity:
        raise PorescopeError("give the sensitivity once: inside params (DetectorParams(sensitivity=...)) or as sensitivity=, not both.")
    return params


def _assemble(found: Findings, *, roi, px_per_mm: float | None, params: DetectorParams) -> Analysis:
    """The result record, with region problems merged into quality and the likely causes."""
    img, shape, scale, quality, regions = found.image, found.shape, found.scale, found.quality, found.regions
    from_exif = exif_problems(img.exif, scale.px_per_mm)  # what the file says of light, editing and zoom
    if regions.problems or from_exif:
        quality.problems = list(regions.problems) + quality.problems + from_exif
        quality.measurable = is_measurable(quality.problems)
    analysis = Analysis(
        porescope_version=__version__,
        source=SourceImage(
            path=img.path, sha256=img.sha256, width_px=shape[1], height_px=shape[0], format=img.format,
            exif_orientation=img.exif_orientation, bit_depth=img.bit_depth,
            **source_fields(img.exif),
        ),
        scale=scale,
        quality=quality,
        regions=found.metrics,
        regions_not_measured=[RegionNotMeasured(name=n, reason=why) for n, why in regions.not_measured.items()],
        pores=found.pores,
        settings=Settings(
            mode=regions.mode, roi=str(roi) if isinstance(roi, (str, Path)) else ("array" if roi is not None else None),
            px_per_mm_given=px_per_mm, min_diameter_px=round(found.min_d, 3), max_diameter_px=round(found.max_d, 3),
            detector=found.detection.detector, sensitivity=params.sensitivity, params=params.record(),
            analysis_px_per_mm=round(scale.px_per_mm * found.factor, 4) if scale.px_per_mm else None,
        ),
    )
    if quality.measurable:
        analysis.causes = likely_causes(analysis)
    return analysis


def _skin_box(skin: np.ndarray, *, margin: int) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1): bounding box of the skin mask grown by ``margin``
    px, clipped to the image; the whole image when the mask is empty or fills it."""
    h, w = skin.shape
    rows = np.flatnonzero(skin.any(axis=1))
    if rows.size == 0:
        return 0, h, 0, w
    cols = np.flatnonzero(skin[rows[0] : rows[-1] + 1].any(axis=0))
    return (max(0, int(rows[0]) - margin), min(h, int(rows[-1]) + 1 + margin),
            max(0, int(cols[0]) - margin), min(w, int(cols[-1]) + 1 + margin))


def _measure_table(det, box, factor: float = 1.0) -> PoreTable:
    """Per-pore measurements in the photo's pixels (detection ran inside ``box``, resampled by ``factor``)."""
    table = measure(det.labels, det.count, det.darkness, det.background,
        pixel_index=det.pixel_index, pixel_label=det.pixel_label, core=det.core, evidence=det.evidence, clear=det.clear)
    if factor != 1.0:
        # Pixel centres: x_photo + 0.5 = (x_analysis + 0.5) / factor.
        table.x_px = (table.x_px + 0.5) / factor - 0.5
        table.y_px = (table.y_px + 0.5) / factor - 0.5
        table.area_px = table.area_px / factor**2
        for k in ("equiv_diameter_px", "major_axis_px", "minor_axis_px"):
            setattr(table, k, getattr(table, k) / factor)
    if box[0] or box[2]:
        table.x_px = table.x_px + box[2]
        table.y_px = table.y_px + box[0]
    return table


def _region_records(table: PoreTable, regions: RegionSet, region_label_img: np.ndarray, scale: Scale, *, detail_ok: bool = True):
    """Per-region metrics and the per-pore records (counts meaningful only when the scale and the photo's detail resolve pores)."""
    counts_ok = scale.resolves_pores is not False and detail_ok
    shape = region_label_img.shape
    # Assign each pore to the region holding its centroid (``region_label_img``: regions.label_image()).
    cy = np.clip(np.round(table.y_px).astype(np.int64), 0, shape[0] - 1)
    cx = np.clip(np.round(table.x_px).astype(np.int64), 0, shape[1] - 1)
    pore_region_label = region_label_img[cy, cx]
    label_to_name = {r.label: r.name for r in regions.regions if not r.outline_only}
    metrics = []
    for r in regions.regions:
        sel = np.ones(len(table), bool) if r.outline_only else pore_region_label == r.label
        metrics.append(
            region_metrics(r.name, r.label, table.select(sel), int(np.count_nonzero(r.mask)), px_per_mm=scale.px_per_mm, counts_meaningful=counts_ok)
        )
    pores = _pore_records(table, pore_region_label, label_to_name, scale.px_per_mm)
    return metrics, pores



def _pore_records(table: PoreTable, region_labels: np.ndarray, names: dict[int, str], px_per_mm: float | None) -> list[Pore]:
    """Per-pore records from the measurement columns (typed here, so not re-validated)."""
    n = len(table)
    if n == 0:
        return []
    mm = (1.0 / px_per_mm) if px_per_mm else None
    none = [None] * n
    cols = {
        "id": range(1, n + 1),
        "region": [names.get(v, "none") for v in region_labels.tolist()],
        "x_px": np.round(table.x_px, 2).tolist(),
        "y_px": np.round(table.y_px, 2).tolist(),
        "area_px": np.round(table.area_px).astype(np.int64).tolist(),
        "area_mm2": np.round(table.area_px * mm * mm, 5).tolist() if mm else none,
        "equiv_diameter_px": np.round(table.equiv_diameter_px, 3).tolist(),
        "equiv_diameter_mm": np.round(table.equiv_diameter_px * mm, 4).tolist() if mm else none,
        "major_axis_px": np.round(table.major_axis_px, 3).tolist(),
        "minor_axis_px": np.round(table.minor_axis_px, 3).tolist(),
        "elongation": np.round(table.elongation, 3).tolist(),
        "orientation_deg": np.round(table.orientation_deg, 2).tolist(),
        "contrast_pct": np.round(contrast_pct(table.contrast), 2).tolist(),
        "core_pct": np.round(contrast_pct(table.core), 2).tolist(),
        "contrast_dl": np.round(table.contrast_dl, 3).tolist(),
        "core_dl": np.round(table.core_dl, 3).tolist(),
        "kind": np.where(table.dark, "dark", "open").tolist(),
        "clear": table.clear.tolist(),
    }
    keys = list(cols)
    # Tens of thousands of new objects would set off several cyclic-garbage
    # passes over the whole heap (~60 ms here); none of them can be garbage.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return pores_from_trusted([dict(zip(keys, row)) for row in zip(*cols.values())])
    finally:
        if gc_was_on:
            gc.enable()


def analyze(
    image_or_path, *, roi=None, px_per_mm: float | None = None, mode: str = "auto", sensitivity: float = 1.0, params: DetectorParams | None = None,
) -> Analysis:
    """Analyze one photo and return its :class:`~porescope.results.Analysis`.

    Parameters
    ----------
    image_or_path : str | Path | bytes | ndarray
        A photo file (JPEG, PNG, TIFF, WebP, HEIC), its bytes, or an RGB array.
    roi : str | Path | ndarray, optional
        Mask of the skin to analyze (white/True = analyze), the photo's size.
    px_per_mm : float, optional
        Physical scale; enables mm² areas and densities per cm².
    mode : {'auto', 'face', 'closeup'}
        Face regions when a face is found ('auto'), always ('face') or never.
    sensitivity : float
        Above 1 finds fainter pores.
    params : DetectorParams, optional
        The detector's tunable values (see :func:`run`).
    """
    return run(image_or_path, roi=roi, px_per_mm=px_per_mm, mode=mode, sensitivity=sensitivity, params=params).analysis
