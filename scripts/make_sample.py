"""Render the demo photo that ships with the package (src/porescope/data/sample_closeup.jpg)
and the README's picture of porescope's overlay on it (docs/img/demo-overlay.png).

The photo is drawn by porescope's own synthetic skin generator
(porescope.testing.synth.DEMO_SPEC), so it carries no person's data.
Run: python scripts/make_sample.py
"""

from pathlib import Path

import cv2

from porescope.measure.pipeline import run
from porescope.output import render
from porescope.testing.synth import DEMO_SPEC
from porescope.testing.synth import render as render_skin

root = Path(__file__).resolve().parents[1]
out = root / "src" / "porescope" / "data" / "sample_closeup.jpg"
skin = render_skin(DEMO_SPEC)
cv2.imwrite(str(out), skin.rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
print(f"wrote {out} ({skin.count} pores drawn)")

r = run(out, mode="closeup")
ov = render.overlay(r.image.rgb, r.labels, r.pore_kind_dark)
crop = ov[150:450, 250:700]
crop = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
pic = root / "docs" / "img" / "demo-overlay.png"
pic.parent.mkdir(parents=True, exist_ok=True)
render.write_image(pic, crop)
print(f"wrote {pic}")
