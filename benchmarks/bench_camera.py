"""Same skin, any camera: what phone processing does to porescope's numbers, and what the change engine makes of it.

Samples: the real annotated crops in ../shared (10 px/mm; skipped when absent),
synthetic skin in three tones (benchmarks/bench_repeat.py) and a real face in
face mode (scikit-image's astronaut, when installed): as it ships (512 px, about
1 px/mm on the skin: the gate's decision only), and enlarged to 2000 x 1500 px
brows to chin with pores drawn at 9 px/mm (``porescope.testing.synth.pored_face``:
her landmarks, skin and edges, and pores a face photo of that scale resolves;
its known changes draw the same pores x0.7 / x1.3 as deep). Each photo is
processed once, as a phone or a user would:

* soft focus: Gaussian sigma 0.5 / 1.0 / 1.5 px;
* digital zoom x1.5 / x2 (area-shrunk, then enlarged back bicubically);
* night-mode denoise: OpenCV non-local means, h 3 / 4 / 5 / 6;
* beauty smoothing: bilateral filter (d 9, sigma colour 25, sigma space 9);
* sharpening: unsharp mask, radius 2 px, 40 / 60 / 80 / 100%;
* recompression: JPEG quality 30 / 45 / 60;
* an enlarged copy: shrunk x2 or x4 and enlarged back to the original size.

Printed:
1. per sample and variant, the move of pore count, density, coverage and
   visibility against the unprocessed photo, or the gate's decision
   (``refused: CODE`` when a blocking problem stops the measurement,
   ``counts left out`` when the photo's detail does not resolve pores);
2. through the one change engine (track.change.compare_visits, with each
   visit's photo and its single-photo noise): the share of processing-only
   pairs called a change (required <= 5%; pairs the engine refuses to compare
   are counted apart), the share of known changes found
   under mild opposite processing (the annotated pores' contrast x0.7 made
   sharper, x1.3 made softer; required >= 90%) and direction errors (required 0).

3. another phone and dimmer light (``porescope.testing.phone``: the sample
   photographed by a simulated phone, a Bayer sensor whose shot noise follows
   the ISO, noise reduction scaled to the noise, sharpening, JPEG with EXIF):
   phone A at ISO 50 against phone A at ISO 100-800 and against phones B and C
   at ISO 50, through the change engine as the files come (EXIF read: other
   cameras and more than a stop of ISO are not compared) and with the EXIF
   stripped (what the engine would say without it).

Usage: python benchmarks/bench_camera.py [--data DIR] [--quick]
Exits 0 whether or not targets are met (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_change as bc  # noqa: E402

from porescope.errors import PorescopeError  # noqa: E402
from porescope.measure.pipeline import run  # noqa: E402
from porescope.track.change import Side, compare_visits, key_metrics, perturbation_noise  # noqa: E402

HEADLINE = ("visibility_score", "density", "coverage_pct")
#: The face sample: the astronaut brows to chin (her pixels x0, y0 to x1), enlarged to 2000 x 1500 px
#: (her iris then reads 8.8 px/mm), pores drawn at 9 px/mm.
FACE_BOX = (150.0, 68.0, 300.0)
FACE_SIZE = (2000, 1500)
FACE_PORES_PX_PER_MM = 9.0
REQUIRED_FALSE_RATE = 0.05
REQUIRED_FOUND_RATE = 0.90


def soft_focus(rgb: np.ndarray, sigma_px: float) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (0, 0), sigma_px)


def shrink_enlarge(rgb: np.ndarray, factor: float) -> np.ndarray:
    """Digital zoom / an enlarged copy: area-shrunk by ``factor``, enlarged back bicubically."""
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (max(1, round(w / factor)), max(1, round(h / factor))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def denoise(rgb: np.ndarray, h: float) -> np.ndarray:
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, h, 7, 21)


def beauty(rgb: np.ndarray) -> np.ndarray:
    return cv2.bilateralFilter(np.ascontiguousarray(rgb), 9, 25, 9)


def sharpen(rgb: np.ndarray, amount: float, radius_px: float = 2.0) -> np.ndarray:
    f = rgb.astype(np.float32)
    return np.clip(f + amount * (f - cv2.GaussianBlur(f, (0, 0), radius_px)) + 0.5, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


VARIANTS = {
    "soft focus 0.5 px": lambda x: soft_focus(x, 0.5),
    "soft focus 1.0 px": lambda x: soft_focus(x, 1.0),
    "soft focus 1.5 px": lambda x: soft_focus(x, 1.5),
    "digital zoom x1.5": lambda x: shrink_enlarge(x, 1.5),
    "digital zoom x2": lambda x: shrink_enlarge(x, 2.0),
    "denoise h3": lambda x: denoise(x, 3),
    "denoise h4": lambda x: denoise(x, 4),
    "denoise h5": lambda x: denoise(x, 5),
    "denoise h6": lambda x: denoise(x, 6),
    "beauty smoothing": beauty,
    "sharpen 20%": lambda x: sharpen(x, 0.2),
    "sharpen 40%": lambda x: sharpen(x, 0.4),
    "sharpen 60%": lambda x: sharpen(x, 0.6),
    "sharpen 80%": lambda x: sharpen(x, 0.8),
    "sharpen 100%": lambda x: sharpen(x, 1.0),
    "JPEG q30": lambda x: jpeg(x, 30),
    "JPEG q45": lambda x: jpeg(x, 45),
    "JPEG q60": lambda x: jpeg(x, 60),
    "enlarged x2 copy": lambda x: shrink_enlarge(x, 2.0 + 1e-9),
    "enlarged x4 copy": lambda x: shrink_enlarge(x, 4.0),
}
QUICK = ("soft focus 1.0 px", "digital zoom x2", "denoise h4", "beauty smoothing", "sharpen 40%", "sharpen 80%", "JPEG q45", "enlarged x4 copy")
#: Mild processing that pushes against a known change: a real improvement photographed
#: sharper, a real worsening photographed softer, zoomed or recompressed. Mild
#: sharpening is below the issue's over-sharpening range (40-100%), which the
#: change engine refuses to compare.
MILD_AGAINST_IMPROVEMENT = ("sharpen 20%",)
MILD_AGAINST_WORSENING = ("soft focus 0.5 px", "digital zoom x1.5", "JPEG q60")


PHONE_SHOTS = (("A", 100), ("A", 200), ("A", 400), ("A", 800), ("B", 50), ("C", 50))


def _phone_pairs(ss) -> tuple[int, int, int, int]:
    """Table 3: (pairs, called a change as the files come, not compared as the files come, called a change without EXIF)."""
    from porescope.measure.pipeline import load_image
    from porescope.testing.phone import PHONES, phone_photo, strip_exif

    pairs = called = refused = blind_called = 0
    print("\nanother phone and dimmer light (simulated phones; A at ISO 50 is the baseline):")
    for name, rgb, roi, px, mode, _ in ss:
        if name == "astronaut as shipped (face)":
            continue
        base = {"exif": phone_photo(rgb, iso=50, seed=50, **PHONES["A"])}
        base["blind"] = strip_exif(base["exif"])
        sides = {}
        for kind, photo in base.items():
            a = _analyse(photo, roi, px, mode)
            sides[kind] = Side(_visit(0), a, perturbation_noise(load_image(photo).rgb, a, roi=roi), photo, roi)
        c0 = sides["exif"].analysis.regions[0]
        print(f"  {name}: phone A ISO 50: {c0.pore_count} pores, visibility {c0.visibility_score:.1f}")
        for k, (phone, iso) in enumerate(PHONE_SHOTS):
            shot = phone_photo(rgb, iso=iso, seed=100 + k, **PHONES[phone])
            out = []
            for kind, photo in (("exif", shot), ("blind", strip_exif(shot))):
                a = _analyse(photo, roi, px, mode)
                cmp = compare_visits(name, sides[kind], Side(_visit(1), a, perturbation_noise(load_image(photo).rgb, a, roi=roi), photo, roi),
                                     align=False)
                hit, verdicts = _called(cmp)
                if kind == "exif":
                    pairs += 1
                    called += hit
                    refused += not cmp.regions
                    r = a.regions[0]
                    out.append(f"{r.pore_count:5d} pores, visibility {r.visibility_score:5.1f} -> "
                               + ("not compared" if not cmp.regions else "CALLED A CHANGE" if hit else "no change"))
                else:
                    blind_called += hit
                    out.append("without EXIF: " + ("/".join(sorted(verdicts - {"no_detectable_change"})) if hit else
                                                   "not compared" if not cmp.regions else "no change"))
            print(f"    phone {phone} ISO {iso:3d}: " + "; ".join(out))
    return pairs, called, refused, blind_called


def _visit(i: int):
    return SimpleNamespace(id=i, taken_at=datetime(2026, 1, 1) + timedelta(weeks=4 * i), condition=None, device=None, lighting=None)


def _analyse(rgb, roi, px, mode):
    return run(rgb, roi=roi, px_per_mm=px, mode=mode).analysis


def _moves(a0, a1) -> str:
    blocking = [p.code for p in a1.quality.problems if p.severity == "blocking"]
    if blocking:
        return "refused: " + ", ".join(blocking)
    k0, k1 = key_metrics(a0), key_metrics(a1)
    if not k0:
        return "no region measured"
    out = []
    for reg in k0:
        if reg not in k1:
            continue
        cells = []
        for m, short in (("pore_count", "count"), ("density", "dens"), ("coverage_pct", "cov"), ("visibility_score", "vis")):
            if m in k0[reg] and m in k1[reg] and k0[reg][m]:
                cells.append(f"{short} {100 * (k1[reg][m] / k0[reg][m] - 1):+4.0f}%")
            elif m in k0[reg]:
                cells.append(f"{short} left out")
        out.append((reg + ": " if len(k0) > 1 else "") + " ".join(cells))
        if len(k0) > 1:
            break  # faces: the first region stands for the rest in this table
    notes = [p.code for p in a1.quality.problems if p.severity == "warning"]
    return "; ".join(out) + (f"  [{', '.join(notes)}]" if notes else "")


def _called(cmp) -> tuple[bool, set[str]]:
    verdicts = {c.verdict for r in cmp.regions for c in r.metrics if c.metric in HEADLINE}
    return bool(verdicts - {"no_detectable_change"}), verdicts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "real-pores")
    ap.add_argument("--quick", action="store_true", help="seven variants, the real crops and one synthetic tone")
    args = ap.parse_args()
    t0 = time.perf_counter()
    # (name, photo, roi, px/mm, mode, known change: factor -> the photo with its pores that much deeper, or None)
    ss = [(s.name, s.rgb, s.roi, s.px_per_mm, "closeup", (lambda f, s=s: bc.change_pores(s.rgb, s.truth, contrast=f)) if s.truth is not None else None)
          for s in bc.samples(args.data)]
    if args.quick:
        ss = [s for s in ss if "synthetic" not in s[0]] + [s for s in ss if s[0] == "synthetic medium"]
    try:
        from skimage import data as skdata

        from porescope.testing.synth import pored_face

        def face(depth_factor: float = 1.0) -> np.ndarray:
            return pored_face(skdata.astronaut(), FACE_BOX, FACE_SIZE, FACE_PORES_PX_PER_MM, 4, depth=0.3 * depth_factor)

        ss.append(("astronaut as shipped (face)", skdata.astronaut(), None, None, "face", None))
        ss.append(("astronaut, drawn pores (face)", face(), None, None, "face", face))
    except ImportError:
        print("scikit-image not installed: the face samples are skipped")
    names = QUICK if args.quick else tuple(VARIANTS)
    print(f"porescope bench_camera: {len(ss)} samples x {len(names)} processing variants\n")

    false_pairs = total_pairs = not_compared = 0
    found = known = wrong = 0
    for name, rgb, roi, px, mode, change in ss:
        a0 = _analyse(rgb, roi, px, mode)
        n0 = perturbation_noise(rgb, a0, roi=roi)
        gate = ", ".join(p.code for p in a0.quality.problems) or "accepted"
        detail = getattr(a0.quality, "detail", None)  # None on an engine from before the detail reading (--baseline runs)
        eff = detail.effective_px_per_mm if detail else None
        print(f"{name}: {'; '.join(f'{r.name} {r.pore_count} pores, visibility {r.visibility_score:.1f}' for r in a0.regions[:1])}"
              f"  (unprocessed: {gate}; detail {eff} px/mm effective)")
        processed = {}
        for v in names:
            img = VARIANTS[v](rgb)
            try:
                a1 = _analyse(img, roi, px, mode)
            except PorescopeError as exc:
                print(f"  {v:20s} refused: {exc}")
                continue
            processed[v] = (img, a1)
            line = _moves(a0, a1)
            if a1.quality.measurable:
                cmp = compare_visits(name, Side(_visit(0), a0, n0, rgb, roi), Side(_visit(1), a1, perturbation_noise(img, a1, roi=roi), img, roi), align=False)
                called, verdicts = _called(cmp)
                false_pairs += called
                total_pairs += 1
                not_compared += not cmp.regions
                line += "  -> " + ("CALLED A CHANGE " + "/".join(sorted(verdicts - {"no_detectable_change"})) if called
                                   else "not compared" if not cmp.regions else "no change")
            print(f"  {v:20s} {line}")
        if change is None:
            continue
        for factor, against, expect in ((0.7, MILD_AGAINST_IMPROVEMENT, "improved"), (1.3, MILD_AGAINST_WORSENING, "worse")):
            changed = change(factor)
            for v in against:
                img = VARIANTS[v](changed)
                a1 = _analyse(img, roi, px, mode)
                if not a1.quality.measurable:
                    print(f"  known change x{factor} + {v}: refused by the gate")
                    known += 1
                    continue
                cmp = compare_visits(name, Side(_visit(0), a0, n0, rgb, roi), Side(_visit(1), a1, perturbation_noise(img, a1, roi=roi), img, roi), align=False)
                vis = [c for r in cmp.regions for c in r.metrics if c.metric == "visibility_score"]
                verdict = vis[0].verdict if vis else "not compared"
                known += 1
                found += verdict == expect
                bad = verdict in ("improved", "worse") and verdict != expect
                wrong += bad
                d = f"{100 * vis[0].delta / vis[0].baseline:+.1f}%" if vis and vis[0].baseline else ""
                print(f"  known change x{factor} + {v:18s} visibility {d} -> {verdict}{'  DIRECTION ERROR' if bad else ''}")
    print()
    fr = false_pairs / max(1, total_pairs)
    print(f"processing-only pairs called a change (visibility, density or coverage): {false_pairs} of {total_pairs} = {100 * fr:.1f}% "
          f"(required <= {100 * REQUIRED_FALSE_RATE:.0f}%: {'met' if fr <= REQUIRED_FALSE_RATE else 'NOT met'}); "
          f"of them {not_compared} not compared (the engine said why), {total_pairs - not_compared - false_pairs} compared and no change")
    if known:
        print(f"known changes found under mild opposite processing: {found} of {known} = {100 * found / known:.0f}% "
              f"(required >= {100 * REQUIRED_FOUND_RATE:.0f}%: {'met' if found / known >= REQUIRED_FOUND_RATE else 'NOT met'})")
        print(f"direction errors: {wrong} (required 0)")
    pairs, called, refused, blind = _phone_pairs(ss)
    print(f"\nanother phone / dimmer light, pairs called a change: {called} of {pairs} as the files come ({refused} not compared, "
          f"the reason said); {blind} of {pairs} with the EXIF stripped")
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
