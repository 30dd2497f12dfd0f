"""The detector's tunable values, in one frozen record: :class:`DetectorParams`.

:func:`porescope.measure.pipeline.run` takes one (default: these constants)
and writes it into every result (``settings.params``) beside the detector
version (``settings.detector``), so a study can state exactly how it
measured. Each default below says where it comes from; the detector's other
constants (filter shapes, shape filters) are fixed parts of its version and
live in :mod:`porescope.measure.pores.detect`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Physical pore diameter range used when px_per_mm is known. 0.08 mm is
#: below visible pores (a third of the 250 µm detection threshold); facial
#: pores seen in clinical imaging reach about 0.5 mm in equivalent diameter
#: and enlarged ones up to ~1 mm (Flament et al. 2015,
#: doi:10.2147/CCID.S74401: detection threshold 250 µm).
MIN_PORE_DIAMETER_MM = 0.08
MAX_PORE_DIAMETER_MM = 1.2
#: Hysteresis thresholds on the darkness map, in robust noise units (z) of
#: the skin's texture.
#: Chosen on synthetic skin with known truth (benchmarks/bench_accuracy.py
#: prints the effect) and checked on the real development crops.
SEED_Z = 2.5
GROW_Z = 1.5

#: A pore is *clear* (counted in the headline metrics: count, density,
#: coverage, visibility) when its contrast at its own scale reaches this, in
#: ln units of linear luminance (0.045 ≈ 4.4% less light than the skin
#: around it). Detection itself goes fainter (the noise-unit thresholds
#: above, for the recall of faint real pores); those faint pores are drawn
#: and listed but cannot swing the headline numbers. The contrast is read on
#: the *evidence* map: a matched filter at the pore's scale (core Gaussian
#: of EVIDENCE_SIGMA_PER_DIAMETER x d against a surround of
#: EVIDENCE_SURROUND_FACTOR x the background sigma), which averages sensor
#: noise over the pore's area and is barely moved by slight blur, JPEG or
#: resampling. Chosen on benchmarks/bench_repeat.py (synthetic skin in three
#: tones and the real crops re-captured 9 ways): 0.035-0.05 all keep the
#: count's CV under 0.05; 0.045 the lowest on synthetic skin.
CLEAR_CONTRAST = 0.045

#: When the photo's scale is known, every filter is set for this pore
#: diameter in millimetres instead of a diameter estimated from the photo:
#: the estimate (scale selection, step 2) moves with the capture -- sensor
#: noise of σ 3 shrank it by 7-17% and JPEG grew it by 5-12%
#: (benchmarks/bench_repeat.py), and every area moved with it. 0.7 mm is
#: what scale selection finds on the real close-ups run without a scale
#: (0.70-0.72 mm at their 10 px/mm; inside
#: the visible range, from the 0.25 mm detection threshold of clinical
#: imaging, Flament et al. 2015, doi:10.2147/CCID.S74401, to
#: MAX_PORE_DIAMETER_MM). Any value from 0.6 to 0.8 mm keeps every
#: repeatability CV under 0.05 (bench_repeat); 0.7 gave the best real-crop
#: Dice and F1 with the scale given. Smaller pores are still found, with
#: outlines drawn somewhat wide (synthetic 0.3-0.7 mm pores: recall 0.997,
#: coverage +50%); larger ones are measured whole.
TYPICAL_PORE_DIAMETER_MM = 0.7


@dataclass(frozen=True)
class DetectorParams:
    """The values a study may tune, frozen so one record describes one way of measuring.

    ``sensitivity`` divides the hysteresis thresholds (above 1 finds fainter
    pores); ``seed_z`` / ``grow_z`` are those thresholds in noise units of the
    skin's texture (the coarse scale-selection pass keeps :data:`SEED_Z` /
    :data:`GROW_Z`); ``clear_contrast`` is the contrast a pore needs to be
    counted; ``typical_pore_diameter_mm`` sets every filter when the scale is
    known; ``min_pore_diameter_mm`` / ``max_pore_diameter_mm`` give the
    diameter range in pixels when it is known.
    """

    sensitivity: float = 1.0
    seed_z: float = SEED_Z
    grow_z: float = GROW_Z
    clear_contrast: float = CLEAR_CONTRAST
    typical_pore_diameter_mm: float = TYPICAL_PORE_DIAMETER_MM
    min_pore_diameter_mm: float = MIN_PORE_DIAMETER_MM
    max_pore_diameter_mm: float = MAX_PORE_DIAMETER_MM

    def record(self) -> dict[str, float]:
        """The values by name, as the result's ``settings.params`` stores them.

        Returns
        -------
        dict
            Field name -> value.
        """
        return asdict(self)
