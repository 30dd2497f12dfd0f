"""Render the demo photo that ships with the package (src/porescope/data/sample_closeup.jpg).

It is drawn by porescope's own synthetic skin generator (porescope.synth.DEMO_SPEC),
so it carries no person's data. Run: python scripts/make_sample.py
"""

from pathlib import Path

import cv2

from porescope.synth import DEMO_SPEC, render

out = Path(__file__).resolve().parents[1] / "src" / "porescope" / "data" / "sample_closeup.jpg"
skin = render(DEMO_SPEC)
cv2.imwrite(str(out), skin.rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
print(f"wrote {out} ({skin.count} pores drawn)")
