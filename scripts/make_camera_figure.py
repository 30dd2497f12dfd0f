"""The README's picture of an accepted and a refused capture of the same skin (docs/img/camera-gate.png).

The skin is the shipped demo photo (porescope's own synthetic skin, no person's
data). Three captures of it, each analysed as ``porescope analyze --px-per-mm 10``
would: as taken; after a phone's night-mode denoising (OpenCV non-local means,
h 4); and as a copy shrunk to a quarter and enlarged back (a digital zoom or a
downloaded copy). Under each, porescope's verdict in its own words.
Run: python scripts/make_camera_figure.py
"""

from pathlib import Path

import cv2
import numpy as np

from porescope.measure.pipeline import run
from porescope.output import render

root = Path(__file__).resolve().parents[1]
photo = cv2.imread(str(root / "src" / "porescope" / "data" / "sample_closeup.jpg"))[..., ::-1].copy()
box = (slice(200, 440), slice(300, 620))


def enlarged_copy(rgb, factor=4.0):
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


captures = [
    ("as taken", photo),
    ("night-mode denoise", cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(photo), None, 4, 4, 7, 21)),
    ("enlarged x4 copy", enlarged_copy(photo)),
]
panels = []
for title, rgb in captures:
    r = run(rgb, mode="closeup", px_per_mm=10.0)
    a = r.analysis
    reg = a.regions[0]
    if not a.quality.measurable:
        verdict = "REFUSED: " + ", ".join(p.code for p in a.quality.problems if p.severity == "blocking")
    elif not reg.counts_meaningful:
        verdict = f"counts left out; visibility {reg.visibility_score:.0f}"
    else:
        verdict = f"accepted: {reg.pore_count} pores, visibility {reg.visibility_score:.0f}"
    eff = a.quality.detail.effective_px_per_mm
    ov = render.overlay(r.image.rgb, r.labels, r.pore_kind_dark) if a.quality.measurable else r.image.rgb
    tile = cv2.resize(np.ascontiguousarray(ov[box]), None, fx=1.5, fy=1.5, interpolation=cv2.INTER_NEAREST)
    band = np.full((70, tile.shape[1], 3), 255, np.uint8)
    for i, text in enumerate((title, verdict, f"detail {eff:.1f} px/mm, flat share {a.quality.detail.flat_share:.2f}")):
        cv2.putText(band, text, (8, 20 + 22 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20) if i else (0, 0, 160), 1, cv2.LINE_AA)
    panels.append(np.vstack([tile, band]))
    print(f"{title}: {verdict}")
gap = np.full((panels[0].shape[0], 8, 3), 255, np.uint8)
figure = np.hstack([panels[0], gap, panels[1], gap, panels[2]])
out = root / "docs" / "img" / "camera-gate.png"
render.write_image(out, figure)
print(f"wrote {out}")
