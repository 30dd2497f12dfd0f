"""Skin read zone by zone: each face region's pores judged against its own skin.

The detector sets its thresholds in units of the skin's texture (the
darkness map's median and robust spread), takes the sensor noise out of
that spread, and raises the clear threshold by the share of pores noise
scatters across it (:mod:`porescope.measure.pores.noise`). Read over the
whole face, those statistics mix every region's skin: the forehead's
numbers then move when the hair beside it, or another region's edge, is
drawn differently, though not one of its pixels changed (issue 21: leaving
the fringe out of the face moved the untouched chin's median pore area by
+3.9%). Read per region, a region's numbers depend on its own skin alone,
and a region whose texture differs (the nose's coarser skin, the smooth
glabella) is judged against itself, as a close-up of it would be.

Each statistic is read with the same estimator as on a close-up, inside the
zone's own bounding box (so even the sampling grid is the zone's own):
:func:`~porescope.measure.imaging.pixel_noise`,
:func:`~porescope.measure.pores.noise.texture_sd`,
:func:`~porescope.measure.pores.noise.clear_threshold`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from porescope.measure.imaging import pixel_noise
from porescope.measure.pores.noise import clear_threshold, texture_sd

__all__ = ["Zones", "zones_of"]

#: Zones are first located on every _COARSE-th pixel (a face region is hundreds of pixels across), then
#: their exact boxes read inside that; a zone no such pixel falls on is located on all its pixels.
_COARSE = 8


@dataclass
class Zones:
    """The skin split into zones whose statistics are read apart.

    ``labels`` is (H, W) uint8, 0 outside every zone; ``ids``, ``boxes`` and
    ``masks`` list each zone with its bounding box (row and column slices) and
    its valid pixels inside that box; ``pixel_sd`` is each zone's sensor noise
    per pixel (ln units); ``sensor`` is the whole skin's, read as without
    zones (the photo-wide noise gate uses it).
    """

    labels: np.ndarray
    ids: list[int]
    boxes: list[tuple[slice, slice]]
    masks: list[np.ndarray]
    pixel_sd: np.ndarray
    sensor: float = 0.0

    def texture(self, darkness: np.ndarray, gain: float, grow_t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each zone's darkness median and texture SD as 256-entry look-up tables by zone label.

        Parameters
        ----------
        darkness : ndarray
            (H, W) float32 darkness map (ln units).
        gain : float
            The map's filter gain for white noise (sensor SD in the map = pixel SD x gain).
        grow_t : float
            Grow threshold in texture SDs.

        Returns
        -------
        tuple of ndarray
            (median, 1 / texture SD, median + grow_t x texture SD), each (256,) float32;
            the threshold is +inf for labels that are no zone.
        """
        med_lut = np.zeros(256, np.float32)
        inv_lut = np.ones(256, np.float32)
        grow_lut = np.full(256, np.inf, np.float32)
        for k, box, m, sd in zip(self.ids, self.boxes, self.masks, self.pixel_sd):
            med, sigma = texture_sd(darkness[box], m, float(sd) * gain)
            med_lut[k], inv_lut[k], grow_lut[k] = med, 1.0 / sigma, med + grow_t * sigma
        return med_lut, inv_lut, grow_lut

    def of_pores(self, pixel_index: np.ndarray, pixel_label: np.ndarray, count: int) -> np.ndarray:
        """(count,) the zone label of each pore: the zone at its centroid, else the highest zone label among its pixels.

        Parameters
        ----------
        pixel_index, pixel_label : ndarray
            Flat indices of pore pixels and their pore labels (1..count).
        count : int
            Number of pores.

        Returns
        -------
        ndarray
            (count,) uint8 zone labels.
        """
        if count == 0:
            return np.zeros(0, np.uint8)
        w = self.labels.shape[1]
        ys, xs = np.divmod(pixel_index, w)
        n = np.bincount(pixel_label, minlength=count + 1)[1:].astype(np.float64)
        cy = np.bincount(pixel_label, weights=ys, minlength=count + 1)[1:] / np.maximum(n, 1)
        cx = np.bincount(pixel_label, weights=xs, minlength=count + 1)[1:] / np.maximum(n, 1)
        at = self.labels[np.round(cy).astype(np.int64), np.round(cx).astype(np.int64)]
        top = np.zeros(count + 1, np.uint8)
        np.maximum.at(top, pixel_label, self.labels.ravel()[pixel_index])
        return np.where(np.isin(at, self.ids), at, top[1:]).astype(np.uint8)

    def clear_thresholds(self, zone_of: np.ndarray, evidence: np.ndarray, counted: np.ndarray, energy: float, base: float) -> np.ndarray:
        """(count,) each pore's clear threshold and (count,) its evidence noise, read on its own zone's pores.

        Parameters
        ----------
        zone_of : ndarray
            (count,) each pore's zone label.
        evidence : ndarray
            (count,) each pore's evidence with the noise's lift already taken off.
        counted : ndarray
            (count,) bool: the pores the threshold is read on (those kept at sensitivity 1).
        energy : float
            Square root of the evidence filter's energy (sensor SD in the evidence map = pixel SD x energy).
        base : float
            The clear contrast without noise.

        Returns
        -------
        ndarray
            (count,) thresholds (ln units).
        """
        at = np.full(evidence.shape, base, np.float64)
        for k, sd in zip(self.ids, self.pixel_sd):
            sel = zone_of == k
            if sel.any():
                at[sel] = clear_threshold(evidence[sel & counted], float(sd) * energy, base)
        return at

    def evidence_noise(self, zone_of: np.ndarray, energy: float) -> np.ndarray:
        """(count,) the sensor noise's SD in the evidence map at each pore (its zone's pixel noise x ``energy``)."""
        lut = np.zeros(256, np.float64)
        lut[self.ids] = self.pixel_sd
        return lut[zone_of] * energy


def zones_of(labels: np.ndarray, logy: np.ndarray, valid: np.ndarray) -> Zones:
    """The zones of a label image, each with its box, its valid pixels and its sensor noise.

    Parameters
    ----------
    labels : ndarray
        (H, W) uint8 zone labels (a face's region label image), 0 = no zone.
    logy : ndarray
        (H, W) log luminance the noise is read on.
    valid : ndarray
        (H, W) bool: skin pixels that can be trusted.

    Returns
    -------
    Zones
        Zones without a valid pixel are left out.
    """
    ids, boxes, masks, sds = [], [], [], []
    labels = np.ascontiguousarray(labels, np.uint8)
    h, w = labels.shape
    coarse = labels[::_COARSE, ::_COARSE]  # where each zone lies, roughly; its exact box is found inside that
    seen = cv2.calcHist([labels], [0], None, [256], [0, 256]).ravel() > 0
    for k in np.flatnonzero(seen[1:]).tolist():
        k += 1
        rows = np.flatnonzero((coarse == k).any(axis=1))
        cols = np.flatnonzero((coarse == k).any(axis=0))
        if rows.size:
            y0, x0 = max(0, (int(rows[0]) - 1) * _COARSE), max(0, (int(cols[0]) - 1) * _COARSE)
            y1, x1 = min(h, (int(rows[-1]) + 2) * _COARSE), min(w, (int(cols[-1]) + 2) * _COARSE)
        else:  # thinner than the coarse grid everywhere
            y0, y1, x0, x1 = 0, h, 0, w
        m = (labels[y0:y1, x0:x1] == k) & valid[y0:y1, x0:x1]
        rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
        if rows.size == 0:
            continue
        box = (slice(y0 + int(rows[0]), y0 + int(rows[-1]) + 1), slice(x0 + int(cols[0]), x0 + int(cols[-1]) + 1))
        ids.append(int(k))
        boxes.append(box)
        masks.append(m[int(rows[0]) : int(rows[-1]) + 1, int(cols[0]) : int(cols[-1]) + 1])
        sds.append(pixel_noise(logy[box], masks[-1]))
    return Zones(labels=labels, ids=ids, boxes=boxes, masks=masks,
                 pixel_sd=np.asarray(sds, np.float64), sensor=pixel_noise(logy, valid))
