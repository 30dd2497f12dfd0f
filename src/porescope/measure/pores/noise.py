"""How sensor noise is kept out of the numbers: the texture's spread and the clear test.

Two places where a noisier photo of the same skin would otherwise give other
numbers:

* :func:`texture_sd` -- detection thresholds are set in units of the skin
  texture's spread, so the sensor noise's share of the darkness map's spread
  is taken out first (the photo's pixel noise through the map's filter).
* :func:`clear_threshold` -- noise scatters each pore's contrast up or down.
  Where many more pores sit just under the clear threshold than just over it,
  more cross upwards than downwards, and the count rises even though no pore
  got darker on average (Eddington 1913, MNRAS 73:359: the bias that inflates
  star counts near a survey's brightness limit). The threshold is raised by
  the expected net crossing, read from the photo's own distribution.
"""

from __future__ import annotations

import numpy as np

from porescope.measure.imaging import robust_sigma

#: The darkness map's robust spread is read on a grid of about this many
#: pixels: as stable as all of them, and cheap on 12 MP.
TEXTURE_SAMPLE_PX = 200_000
#: The texture SD is never taken below this share of the darkness map's total
#: spread when the sensor noise is subtracted (a guard against an
#: over-estimated noise).
MIN_TEXTURE_SHARE = 0.5
#: How far one pore's evidence moves under noise, in SDs of the sensor noise
#: in the evidence map: more than the map's own noise, because the pore's
#: pixels and the location of its peak move too. Measured with σ 3 noise
#: (SD of the change of matched pores over the noise's SD): 1.2 and 1.7 on
#: the real cheek and glabella crops, 1.1 on faint-pore synthetic skin.
EVIDENCE_SCATTER_PER_NOISE = 1.4
#: Width (ln units) of the two bins on either side of the clear threshold whose
#: counts give the local slope of the pores' evidence distribution: about two
#: SDs of the scatter under σ 3 noise (0.005), wide enough to hold ~50-150
#: pores each on the development crops.
SCATTER_SLOPE_WINDOW = 0.01


def texture_sd(darkness: np.ndarray, valid: np.ndarray, sensor: float) -> tuple[float, float]:
    """Median and texture SD of a darkness map in the skin, the sensor noise's share taken out.

    Parameters
    ----------
    darkness : ndarray
        (H, W) darkness map (ln units).
    valid : ndarray
        (H, W) bool: skin pixels that can be trusted.
    sensor : float
        SD of the sensor noise in the map (ln units): the photo's pixel noise
        through the map's filter.

    Returns
    -------
    tuple of float
        (median of the map in the skin, texture SD): the map's robust spread
        with the sensor's variance subtracted, at least MIN_TEXTURE_SHARE of
        that spread.
    """
    step = max(1, int(np.sqrt(darkness.size / TEXTURE_SAMPLE_PX)))
    sample = darkness[::step, ::step][valid[::step, ::step]]
    total = robust_sigma(sample)
    med = float(np.median(sample)) if sample.size else 0.0
    return med, float(np.sqrt(max(total**2 - sensor**2, (MIN_TEXTURE_SHARE * total) ** 2)))


def clear_threshold(evidence: np.ndarray, evidence_noise: float, base: float) -> float:
    """The clear test's threshold: ``base`` raised by the net share of pores noise scatters across it.

    With pores' true evidence distributed with density f and each observed
    with scatter of SD s, the count above a threshold T is, to second order,
    the true count plus ½ s² (−f'(T)). Moving the threshold up by
    ½ s² · (−d ln f / dT) cancels that. The log-slope is read from the photo:
    the pores within SCATTER_SLOPE_WINDOW below and above ``base``; s is
    EVIDENCE_SCATTER_PER_NOISE x ``evidence_noise``. Where the distribution
    is flat or rising at the threshold (typical of real skin) nothing moves;
    where it falls steeply (faint-pore skin) a noisy photo's threshold rises.
    Measured with σ 3 noise: real crops +0.0001-0.0003, faint-pore synthetic
    skin +0.001-0.005, on a base of 0.045.

    Parameters
    ----------
    evidence : ndarray
        (count,) each pore's contrast at its own scale (ln units), the noise's
        lift already taken off.
    evidence_noise : float
        SD of the sensor noise in the evidence map (ln units).
    base : float
        The threshold without noise (detect.CLEAR_CONTRAST).

    Returns
    -------
    float
        The threshold (ln units), never below ``base``.
    """
    w = SCATTER_SLOPE_WINDOW
    below = np.count_nonzero((evidence > base - w) & (evidence <= base))
    above = np.count_nonzero((evidence > base) & (evidence <= base + w))
    slope = max(0.0, float(np.log((below + 1) / (above + 1))) / w)  # −d ln f / dT, 0 when f rises
    scatter = EVIDENCE_SCATTER_PER_NOISE * evidence_noise
    return float(base + 0.5 * scatter**2 * slope)
