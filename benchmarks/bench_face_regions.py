"""Per-region numbers of faces before and after a change of the regions or of the detector, against their repeatability (issue 21).

The faces (12 MP, with pores drawn evenly over the whole photo: dark Gaussian
dots, ~1 per mm^2, 0.2-0.35 mm across, since the photos' own pores are far
below their resolution):

* ``astronaut_tight``: ``skimage.data.astronaut()`` (NASA, public domain)
  brows to chin, 4032x3024 (~20 px/mm);
* ``astronaut_head``: the same photo framed wider, her head with its hair and
  the background (~12 px/mm);
* ``grace_hopper``: matplotlib's sample portrait of Grace Hopper (U.S. Navy,
  public domain; glasses, cap), 3024x4032 portrait (~10 px/mm).

Re-captures: each face re-photographed --captures times (shifted by up to 1.5%
of the frame, scaled 0.97-1.03, rolled up to 2 degrees, JPEG quality 88-94).
Every photo is measured by three trees in the same run, one after the other:
--baseline (default 097ab73, before issue 21's regions), --main (default
43e4320, issue 21's regions with the detector's statistics read over the whole
face) and the current code.

Three tables per face:

1. Each region as reported (its whole skin), per tree: mean ± SD over the
   re-captures. Regions whose skin changed (the forehead lost her fringe, the
   nose gained its sides) read other skin; their change is not a regression.
2. The same skin: for each region that existed before, the pixels it covers
   both in the baseline's and in the current tree's regions of the same
   photo, and the clear pores whose centre lies there (density per cm²,
   coverage %, median pore area). A change of the mean of at most twice the
   larger SD over the re-captures is 'within'.
3. The change engine's verdict (``track.change.compare_metrics``, its 95%
   interval with the noise of re-capture from these captures and its floors)
   on each photo measured by one tree against the same photo measured by
   another: how many (photo, region, metric) read something other than
   'no detectable change'.
4. Each region in face mode against the same skin measured as a close-up
   (ROI = the region, the face's scale): a region should read as a photo of
   that skin alone would, whatever else the face holds.
5. Ground truth: each tree's clear pores against the drawn pores
   (``porescope.testing.synth.pored_face_truth``, moved into each re-capture),
   on the skin all three trees give each old region: recall (a drawn pore is
   found when a clear pore's centre lies within its radius + 1 px, or its
   centre inside the clear pore), recall of the larger pores, precision,
   clear / drawn density, and size (a clear pore's area over the 2-sigma disc
   of the one lone drawn pore it finds: the drawn pores are alike in every
   region, so a true measure reads the same size everywhere).

What it said on 2026-12-07 (``--captures 3 --closeups 2``, all trees in one
run; recall / clear:drawn density / precision pooled over the old regions;
size spread = largest / smallest region's median size):

==================  ========================  ========================  ========================
face                097ab73 (before 21)       43e4320 (face-wide stats)  now (per-region stats)
==================  ========================  ========================  ========================
astronaut_tight     58.4% 0.338 99.9% 1.09    58.9% 0.342 99.9% 1.08    59.5% 0.346 99.9% 1.06
astronaut_head      60.9% 0.363 100.0% 1.06   60.6% 0.361 99.9% 1.02    61.1% 0.365 99.9% 1.05
grace_hopper        63.8% 0.474 97.9% 1.14    63.2% 0.469 98.0% 1.16    64.8% 0.483 97.7% 1.33
==================  ========================  ========================  ========================

Reading each region against its own skin finds as many or more of the drawn
pores on every face (on the astronaut every old region within 0.3 points of
the best tree or better). On Grace Hopper it is mixed by region: her
wrinkled chin's texture SD (0.0275 ln on one capture, against 0.0205 over
the whole face) raises its edge threshold, so touching pores split: recall
56.9% (face-wide 50.9%), density 0.464 (0.399); her smoother forehead
(0.0176) lowers it, so pores grow and neighbours merge: recall 67.9%
(68.8%), density 0.479 (0.493). The same threshold sets a pore's outline,
so the same drawn pores read smaller on her chin (size 2.51 against 3.09)
and larger on her forehead (3.33 against 3.03): sizes vary more between her
regions (1.33 against 1.16). A close-up of each region reads the same way
(table 4), so this is what a texture-relative edge does, not a leak between
regions.

Usage: python benchmarks/bench_face_regions.py [--baseline REV] [--main REV] [--captures 4] [--faces a,b] [--closeups 2]
Prints; exits 0 (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from porescope.testing.synth import DrawnPores, pored_face, pored_face_truth

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
W, H = 4032, 3024
METRICS = ("area_px", "pore_count", "density_per_cm2", "coverage_pct", "median_area_mm2", "visibility_score")
SAME_SKIN = ("density_per_cm2", "coverage_pct", "median_area_mm2")
OLD_REGIONS = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
LABELS = {"forehead": 1, "nose": 2, "left_cheek": 3, "right_cheek": 4, "chin": 5}

RUNNER = r"""
import json, sys
import numpy as np
from porescope.measure.pipeline import run
from porescope.track.change import key_metrics
paths, metrics, out_dir, tag = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}
for i, p in enumerate(paths):
    r = run(p, mode="face")
    a = r.analysis
    clear = [q for q in a.pores if q.clear]
    np.savez_compressed(f"{out_dir}/{tag}_{i}.npz", labels=r.regions.label_image(),
                        x=np.array([q.x_px for q in clear]), y=np.array([q.y_px for q in clear]), area=np.array([q.area_px for q in clear]))
    out[p] = {"regions": {g.name: {k: getattr(g, k) for k in metrics} for g in a.regions},
              "key": key_metrics(a), "px_per_mm": a.scale.px_per_mm, "npz": f"{out_dir}/{tag}_{i}.npz", "closeup": {}}
    if i < int(sys.argv[5]):  # each region measured again as a close-up of its own skin (ROI = the region, the face's scale)
        lab = r.regions.label_image()
        for g in a.regions:
            if g.name != "face":
                c = run(r.image, mode="closeup", roi=lab == g.label, px_per_mm=a.scale.px_per_mm).analysis.regions[0]
                out[p]["closeup"][g.name] = {k: getattr(c, k) for k in metrics}
print(json.dumps(out))
"""


def faces() -> dict[str, tuple]:
    """name -> (source photo, box, size (w, h), px_per_mm of the drawn pores, seed): ``pored_face``'s arguments."""
    import matplotlib.cbook as cbook
    from skimage import data

    a = data.astronaut()
    grace = np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB"))
    return {
        "astronaut_tight": (a, (150.0, 68.0, 300.0), (W, H), 20.0, 3),
        "astronaut_head": (a, (110.0, 10.0, 360.0), (W, H), 12.0, 4),
        "grace_hopper": (grace, (0.0, 0.0, float(grace.shape[1])), (H, W), 10.0, 5),
    }


def captures(img: np.ndarray, n: int, tmp: Path, name: str) -> tuple[list[str], list[np.ndarray]]:
    """The re-captures' paths and each one's 2x3 affine matrix (the face's pixels -> the capture's)."""
    rng = np.random.default_rng(11)
    h, w = img.shape[:2]
    out, mats = [], []
    for i in range(n):
        s = rng.uniform(0.97, 1.03)
        ang = rng.uniform(-2, 2)
        dx, dy = rng.uniform(-0.015, 0.015, 2) * (w, h)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), ang, s)
        m[:, 2] += (dx, dy)
        shot = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        p = tmp / f"{name}_{i}.jpg"
        Image.fromarray(shot).save(p, quality=int(rng.integers(88, 95)))
        out.append(str(p))
        mats.append(m)
    return out, mats


def measure(src: Path, paths: list[str], out_dir: Path, tag: str, closeups: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, "-c", RUNNER, json.dumps(paths), json.dumps(METRICS), str(out_dir), tag, str(closeups)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"measuring with {src} failed: {r.stderr.strip().splitlines()[-1:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def tree(rev: str, tmp: Path) -> Path:
    d = tmp / rev
    d.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(d)], input=archive, check=True)
    return d / "src"


def mean_sd(values: list[float]) -> tuple[float, float, int]:
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0, int(v.size)


def whole_regions(res: dict) -> dict[str, dict[str, tuple[float, float, int]]]:
    """region -> metric -> (mean, SD, captures with the region)."""
    vals: dict = {}
    for one in res.values():
        for name, m in one["regions"].items():
            for k, v in m.items():
                if v is not None:
                    vals.setdefault(name, {}).setdefault(k, []).append(float(v))
    return {n: {k: mean_sd(v) for k, v in d.items()} for n, d in vals.items()}


def same_skin(base: dict, now: dict) -> tuple[dict, dict]:
    """For each capture, each old region's numbers on the skin both trees give it: (base's, now's), as
    region -> metric -> [value per capture]."""
    out_b: dict = {}
    out_n: dict = {}
    for p in base:
        zb, zn = np.load(base[p]["npz"]), np.load(now[p]["npz"])
        for name, lab in LABELS.items():
            both = (zb["labels"] == lab) & (zn["labels"] == lab)
            area_px = int(np.count_nonzero(both))
            if area_px < 10_000:
                continue
            for res, z, out in ((base[p], zb, out_b), (now[p], zn, out_n)):
                ppm = res["px_per_mm"]
                x, y, area = z["x"], z["y"], z["area"]
                hh, ww = both.shape
                inside = both[np.clip(np.round(y).astype(int), 0, hh - 1), np.clip(np.round(x).astype(int), 0, ww - 1)] if x.size else x.astype(bool)
                a = area[inside].astype(float)
                d = out.setdefault(name, {})
                d.setdefault("density_per_cm2", []).append(a.size / (area_px / ppm**2 / 100.0))
                d.setdefault("coverage_pct", []).append(100.0 * a.sum() / area_px)
                d.setdefault("median_area_mm2", []).append(float(np.median(a)) / ppm**2 if a.size else float("nan"))
                d.setdefault("area_px", []).append(area_px)
    return out_b, out_n


def engine_calls(a: dict[str, dict], b: dict[str, dict], areas: tuple[dict, dict] | None = None) -> tuple[int, int, list[str]]:
    """(changes called, comparisons, which) for each photo's key metrics by tree a against the same photo's by tree b.

    ``a``/``b``: photo -> region -> metric -> value. As ``compare_visits`` does, pore counts of a region are left out
    where the two measured areas differ by more than SAME_AREA_TOLERANCE (``areas``: photo -> region -> area_px each).
    """
    from porescope.track.change import SAME_AREA_TOLERANCE, compare_metrics, noise_from_samples

    noise_a, noise_b = noise_from_samples(list(a.values())), noise_from_samples(list(b.values()))
    called, total, which = 0, 0, []
    for p in a:
        ma, mb = {r: dict(v) for r, v in a[p].items()}, {r: dict(v) for r, v in b[p].items()}
        for reg in ma:
            if areas and reg in mb:
                aa, ab = areas[0][p].get(reg), areas[1][p].get(reg)
                if aa and ab and abs(aa - ab) > SAME_AREA_TOLERANCE * max(aa, ab):
                    ma[reg].pop("pore_count", None)
                    mb[reg].pop("pore_count", None)
        for rc in compare_metrics(ma, mb, noise_a, noise_b):
            for mc in rc.metrics:
                total += 1
                if mc.verdict != "no_detectable_change":
                    called += 1
                    which.append(f"{Path(p).stem}:{rc.name}.{mc.metric} {mc.verdict} ({mc.baseline:g} -> {mc.latest:g}, {mc.low:+.3g}..{mc.high:+.3g})")
    return called, total, which


def _keys(res: dict) -> tuple[dict, dict]:
    """(photo -> region -> key metrics, photo -> region -> area_px) of one tree's run."""
    return ({p: r["key"] for p, r in res.items()},
            {p: {n: m["area_px"] for n, m in r["regions"].items()} for p, r in res.items()})


def _same_skin_keys(per: dict, paths: list[str]) -> dict:
    """photo -> region -> {'density', 'coverage_pct'} from same_skin()'s lists (one value per photo, in order)."""
    out: dict = {p: {} for p in paths}
    for reg, d in per.items():
        if len(d["density_per_cm2"]) != len(paths):  # too little shared skin in some photo: not compared
            continue
        for i, p in enumerate(paths):
            out[p][reg] = {"density": d["density_per_cm2"][i], "coverage_pct": d["coverage_pct"][i]}
    return out


def fmt(t: tuple[float, float, int] | None) -> str:
    return f"{t[0]:10.3f} ± {t[1]:7.3f}" if t else f"{'-':>20s}"


def print_face(name: str, runs: dict[str, dict], revs: dict[str, str]) -> None:
    print(f"\n=== {name}: {len(runs['now'])} re-captures; scale {np.mean([r['px_per_mm'] for r in runs['now'].values()]):.1f} px/mm")
    tabs = {k: whole_regions(v) for k, v in runs.items()}
    print(f"\n1. Each region as reported (its whole skin): mean ± SD; {revs['base']} = before issue 21, {revs['main']} = main, now = this tree")
    print(f"{'region':14s} {'metric':17s} {revs['base']:>20s} {revs['main']:>20s} {'now':>20s}  now vs before")
    for reg in sorted(set().union(*tabs.values()), key=lambda n: (n not in tabs["base"], n)):
        for k in METRICS:
            b, m, c = (tabs[t].get(reg, {}).get(k) for t in ("base", "main", "now"))
            rel = f"{100 * (c[0] - b[0]) / b[0]:+6.1f}%" if b and c and b[0] else ""
            print(f"{reg:14s} {k:17s} {fmt(b):>20s} {fmt(m):>20s} {fmt(c):>20s}  {rel}")

    print(f"\n2. The same skin (pixels both {revs['base']} and this tree give the region): mean ± SD; within = change ≤ 2 x the larger SD")
    print(f"{'region':12s} {'metric':16s} {'share of now':>12s} {revs['base']:>20s} {revs['main'] + ' (same px)':>20s} {'now':>20s}  {'now-before':>9s} within")
    sb, sn = same_skin(runs["base"], runs["now"])
    _, sm = same_skin(runs["base"], runs["main"])
    for reg in OLD_REGIONS:
        if reg not in sb:
            print(f"{reg:12s} (not measured by both trees)")
            continue
        share = np.mean(sn[reg]["area_px"]) / max(1.0, tabs["now"].get(reg, {}).get("area_px", (1, 0, 0))[0])
        for k in SAME_SKIN:
            b, c = mean_sd(sb[reg][k]), mean_sd(sn[reg][k])
            m = mean_sd(sm[reg][k]) if reg in sm else None
            d = c[0] - b[0]
            ok = abs(d) <= 2 * max(b[1], c[1])
            print(f"{reg:12s} {k:16s} {share:11.0%} {fmt(b):>20s} {fmt(m):>20s} {fmt(c):>20s}  {100 * d / b[0]:+8.1f}% {'yes' if ok else 'NO'}")

    print("\n3. The change engine on the same photo measured by two trees (95% interval, re-capture noise of these captures;")
    print("   pore counts left out where the region's area differs by more than 10%, as compare_visits does)")
    for a, b in (("base", "now"), ("main", "now"), ("base", "main")):
        ka, kb = _keys(runs[a]), _keys(runs[b])
        called, total, which = engine_calls(ka[0], kb[0], (ka[1], kb[1]))
        print(f"   whole regions {revs[a]:>8s} -> {revs[b]:<8s}: {called} of {total} (photo, region, metric) called a change")
        for w in which[:6]:
            print(f"      {w}")
    paths = list(runs["base"])
    if set(sb) == set(sn) and len(paths) > 1:
        called, total, which = engine_calls(_same_skin_keys(sb, paths), _same_skin_keys(sn, paths))
        print(f"   same skin     {revs['base']:>8s} -> now     : {called} of {total} (photo, region, density or coverage) called a change")
        for w in which[:6]:
            print(f"      {w}")
    if set(sm) == set(sn) and len(paths) > 1:
        called, total, which = engine_calls(_same_skin_keys(sm, paths), _same_skin_keys(sn, paths))
        print(f"   same skin     {revs['main']:>8s} -> now     : {called} of {total} (photo, region, density or coverage) called a change")
        for w in which[:6]:
            print(f"      {w}")


def print_closeups(runs: dict[str, dict], revs: dict[str, str]) -> None:
    """Table 4: each region in face mode against the same skin measured as a close-up (ROI = the region)."""
    print("\n4. Face mode against a close-up of the same region (ROI = the region, the face's scale): median |face - close-up| / close-up")
    print(f"{'region':14s} " + " ".join(f"{revs[t] + ' ' + k[:8]:>18s}" for t in ("main", "now") for k in SAME_SKIN))
    regions = sorted({n for one in runs["now"].values() for n in one["closeup"]})
    for reg in regions:
        cells = []
        for t in ("main", "now"):
            for k in SAME_SKIN:
                d = [abs(one["regions"][reg][k] - one["closeup"][reg][k]) / one["closeup"][reg][k]
                     for one in runs[t].values() if reg in one["closeup"] and one["closeup"][reg][k] and one["regions"][reg][k] is not None]
                cells.append(f"{100 * np.median(d):17.1f}%" if d else f"{'-':>18s}")
        print(f"{reg:14s} " + " ".join(cells))


def _moved(truth: DrawnPores, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The drawn pores' centres (N, 2) and radii (N,) in a re-capture made with affine ``m``."""
    xy = np.column_stack([truth.x_px, truth.y_px]) @ m[:, :2].T + m[:, 2]
    return xy, truth.diameter_px / 2 * float(np.sqrt(abs(np.linalg.det(m[:, :2]))))


def _separable(xy: np.ndarray, r: np.ndarray) -> np.ndarray:
    """(N,) a cluster id per drawn pore: pores whose 2-sigma discs touch (positions are drawn independently, so some
    overlap) count as one, since no detector can split them; clusters are what a perfect detector would count."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pairs = cKDTree(xy).query_pairs(2 * float(r.max()), output_type="ndarray")
    if pairs.size:
        pairs = pairs[np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) < r[pairs[:, 0]] + r[pairs[:, 1]]]
    g = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(xy), len(xy)))
    return connected_components(g, directed=False)[1]


def truth_scores(npz: dict, skin: np.ndarray, xy: np.ndarray, r: np.ndarray, cluster: np.ndarray) -> dict[str, float]:
    """One tree's clear pores in one capture against the drawn pores, on ``skin`` (a drawn or detected pore belongs to
    it by its centre). A drawn pore is found when a clear pore's centre lies within its radius + 1 px, or the drawn
    centre lies inside the clear pore (its area as a disc); a clear pore is true when it finds some drawn pore."""
    from scipy.spatial import cKDTree

    h, w = skin.shape
    dx, dy, area = npz["x"].astype(float), npz["y"].astype(float), npz["area"].astype(float)

    def on(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ok = (x >= 0) & (y >= 0) & (x < w - 0.5) & (y < h - 0.5)
        out = np.zeros(x.shape, bool)
        out[ok] = skin[np.round(y[ok]).astype(int), np.round(x[ok]).astype(int)]
        return out

    drawn_on, det_on = on(xy[:, 0], xy[:, 1]), on(dx, dy)
    det_r = np.sqrt(area / np.pi)
    reach = max(float(r.max()) + 1.0, float(det_r.max()) if det_r.size else 0.0)
    found = np.zeros(len(xy), bool)
    true = np.zeros(dx.size, bool)
    hits = np.zeros(len(xy), int)  # clear pores finding each drawn pore
    pair = np.full(dx.size, -1)  # the drawn pore a clear pore finds, when it finds exactly one
    if dx.size:
        for j, near in enumerate(cKDTree(xy).query_ball_point(np.column_stack([dx, dy]), reach)):
            if near:
                near = np.asarray(near)
                d = np.hypot(xy[near, 0] - dx[j], xy[near, 1] - dy[j])
                hit = near[(d <= r[near] + 1.0) | (d <= det_r[j])]
                found[hit] = True
                hits[hit] += 1
                true[j] = hit.size > 0
                pair[j] = hit[0] if hit.size == 1 else -1
    n_drawn, n_det = int(drawn_on.sum()), int(det_on.sum())
    large = drawn_on & (r >= r.max() - 1e-9)
    # Size: a clear pore that finds one lone drawn pore (no other touches it) found by it alone, its area over the
    # drawn pore's 2-sigma disc. The drawn pores are alike in every region, so a true measure reads alike everywhere.
    lone = np.bincount(cluster, minlength=cluster.max() + 1)[cluster] == 1
    one = det_on & (pair >= 0)
    one[one] = lone[pair[one]] & (hits[pair[one]] == 1) & drawn_on[pair[one]]
    size = area[one] / (np.pi * r[pair[one]] ** 2)
    return {"size": size,"drawn": n_drawn, "clusters": int(np.unique(cluster[drawn_on]).size), "found": int(found[drawn_on].sum()),
            "clear": n_det, "true": int(true[det_on].sum()), "large": int(large.sum()), "found_large": int(found[large].sum())}


def print_truth(runs: dict[str, dict], revs: dict[str, str], truth: DrawnPores, mats: list[np.ndarray]) -> None:
    """Table 5: each old region's same skin (the pixels all three trees give it) against the drawn pores."""
    trees = ("base", "main", "now")
    print("\n5. Against the drawn pores (ground truth), on the skin all three trees give each old region; pooled over the")
    print("   re-captures. recall = drawn pores found by a clear pore; precision = clear pores that find a drawn one (the")
    print("   photo's own texture can be found too); dens = clear / drawn pores; sep = clear / drawn pores counted as a")
    print("   perfect detector could (touching 2-sigma discs as one); ± = SD of dens over the re-captures; big = recall of")
    print("   the larger drawn pores (0.35 mm) alone; size = median area of a clear pore that finds one lone drawn pore over")
    print("   that pore's 2-sigma disc (the drawn pores are alike everywhere: a true measure reads the same in every region)")
    print(f"{'region':12s} {'drawn/cm2':>9s} " + " ".join(f"{revs[t] + ' recall   big  prec dens±SD   sep  size':>48s}" for t in trees))
    paths = list(runs["now"])
    moved = [_moved(truth, m) for m in mats]
    pooled: dict[str, dict] = {t: {} for t in trees}
    size_of: dict[str, dict[str, float]] = {t: {} for t in trees}
    clusters = [_separable(xy, r) for xy, r in moved]
    for reg, lab in LABELS.items():
        tot = {t: {} for t in trees}
        dens: dict[str, list[float]] = {t: [] for t in trees}
        sizes: dict[str, list[np.ndarray]] = {t: [] for t in trees}
        area_cm2 = 0.0
        for p, (xy, r), cl in zip(paths, moved, clusters):
            z = {t: np.load(runs[t][p]["npz"]) for t in trees}
            skin = np.logical_and.reduce([z[t]["labels"] == lab for t in trees])
            if np.count_nonzero(skin) < 10_000:
                continue
            area_cm2 += np.count_nonzero(skin) / runs["now"][p]["px_per_mm"] ** 2 / 100.0
            for t in trees:
                sc = truth_scores(z[t], skin, xy, r, cl)
                sizes[t].append(sc.pop("size"))
                for k, v in sc.items():
                    tot[t][k] = tot[t].get(k, 0) + v
                    pooled[t][k] = pooled[t].get(k, 0) + v
                dens[t].append(sc["clear"] / max(1, sc["drawn"]))
        if not tot["now"]:
            print(f"{reg:12s} (not measured by all three trees)")
            continue
        cells = []
        for t in trees:
            c = tot[t]
            d = mean_sd(dens[t])
            size_of[t][reg] = float(np.median(np.concatenate(sizes[t])))
            cells.append(_truth_cells(c, d) + f" {size_of[t][reg]:5.2f}")
        print(f"{reg:12s} {tot['now']['drawn'] / area_cm2:9.1f} " + " ".join(f"{x:>48s}" for x in cells))
    cells = []
    for t in trees:
        c, v = pooled[t], list(size_of[t].values())
        cells.append(_truth_cells(c, None) + (f" {max(v) / min(v):5.2f}" if v else ""))
    print(f"{'all old':12s} {'':9s} " + " ".join(f"{x:>48s}" for x in cells) + "  (size: largest / smallest region's)")


def _truth_cells(c: dict, d: tuple[float, float, int] | None) -> str:
    dens = f"{d[0]:5.3f}±{d[1]:5.3f}" if d else f"{c['clear'] / max(1, c['drawn']):5.3f}      "
    return (f"{100 * c['found'] / max(1, c['drawn']):9.1f}% {100 * c['found_large'] / max(1, c['large']):5.1f}% "
            f"{100 * c['true'] / max(1, c['clear']):5.1f}% {dens} {c['clear'] / max(1, c['clusters']):5.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="097ab73", help="git revision before issue 21's regions")
    ap.add_argument("--main", default="43e4320", help="git revision with issue 21's regions, before the per-region statistics")
    ap.add_argument("--captures", type=int, default=4)
    ap.add_argument("--faces", default="astronaut_tight,astronaut_head,grace_hopper")
    ap.add_argument("--closeups", type=int, default=2, help="re-captures whose regions are also measured as close-ups")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_face_regions_"))
    srcs = {"base": tree(args.baseline, tmp), "main": tree(args.main, tmp), "now": ROOT / "src"}
    revs = {"base": args.baseline, "main": args.main, "now": "now"}
    makers = faces()
    for name in args.faces.split(","):
        spec = makers[name]
        paths, mats = captures(pored_face(*spec), args.captures, tmp, name)
        runs = {k: measure(src, paths, tmp, f"{name}_{k}", args.closeups) for k, src in srcs.items()}
        print_face(name, runs, revs)
        print_truth(runs, revs, pored_face_truth(spec[2], spec[3], spec[4]), mats)
        if args.closeups:
            print_closeups(runs, revs)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
