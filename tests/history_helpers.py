"""Synthetic skin photos (JPEG files) for the history, change and report tests."""

from __future__ import annotations

from pathlib import Path

import cv2

from porescope.testing.synth import SkinSpec, render, with_

#: Moderate pores so the visibility score is well below its 100 ceiling.
BASE = SkinSpec(height=384, width=384, pore_density_per_mpx=1500, pore_contrast=(0.12, 0.22), noise_sigma=2.0, seed=11)


def photo(path: Path, spec: SkinSpec = BASE, **changes) -> Path:
    """Render ``spec`` (with ``changes``) and write it as a JPEG; returns the path."""
    sk = render(with_(spec, **changes) if changes else spec)
    path = Path(path)
    cv2.imwrite(str(path), sk.rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


def worse_spec(spec: SkinSpec = BASE) -> SkinSpec:
    """A real change: 40% more pores, higher contrast."""
    lo, hi = spec.pore_contrast
    return with_(spec, pore_density_per_mpx=spec.pore_density_per_mpx * 1.4, pore_contrast=(lo * 1.4, hi * 1.4))


def add_visit(store, photo, subject: str, *, roi=None, px_per_mm: float | None = None, mode: str = "auto", **kw):
    """Analyze a photo as the shells do, then hand the store the photo and its analysis
    (the store never runs the pipeline); returns the stored visit."""
    from porescope.track.photos import analyze_visit_photo

    data, r = analyze_visit_photo(photo, roi=roi, px_per_mm=px_per_mm, mode=mode)
    return store.add_visit(data, subject, analysis=r.analysis, skin_mask=r.regions.skin if roi is not None else None, **kw)
