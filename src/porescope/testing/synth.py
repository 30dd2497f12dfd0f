"""Synthetic skin with known truth: pores of chosen size, shape, density and
contrast, plus the distractors a real photo has (pigment spots, hairs,
wrinkle lines, specular glints, a lighting gradient, sensor noise, JPEG).

Used by the tests (counts, invariances, distractors), the benchmarks (a 12 MP
photo), the demo sample that ships with the package, and model training.
Everything is drawn from one ``numpy.random.Generator`` seeded by
``SkinSpec.seed``, so an image is reproducible from its spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np


@dataclass(frozen=True)
class SkinSpec:
    """What to draw. Sizes in pixels; contrast as a fraction of skin brightness."""

    height: int = 512
    width: int = 512
    pore_density_per_mpx: float = 3000.0
    pore_diameter_px: tuple[float, float] = (4.0, 8.0)  # uniform range of equivalent diameters
    pore_contrast: tuple[float, float] = (0.18, 0.32)  # fractional darkening at the centre
    elongation: tuple[float, float] = (1.0, 1.6)  # major/minor axis ratio range
    orientation_deg: float | None = None  # None = random; else all pores share it (+/- 15°)
    dark_fraction: float = 0.15  # share of plugged, much darker pores
    skin_rgb: tuple[int, int, int] = (214, 166, 140)
    texture: float = 0.025  # amplitude of fine skin texture (fraction)
    mottling: float = 0.04  # amplitude of low-frequency unevenness (fraction)
    lighting_gradient: float = 0.0  # brightness changes by this fraction across the frame
    exposure: float = 1.0  # global brightness multiplier
    noise_sigma: float = 2.0  # 8-bit grey levels
    spots: int = 0  # freckles / flat pigment spots (larger than pores)
    hairs: int = 0
    lines: int = 0  # wrinkle lines
    glints: int = 0  # specular highlights
    blur_sigma: float = 0.0
    jpeg_quality: int | None = None
    seed: int = 0


@dataclass
class SynthSkin:
    rgb: np.ndarray  # (H, W, 3) uint8
    pore_mask: np.ndarray  # (H, W) bool: truth
    centers: np.ndarray  # (N, 2) float x, y
    diameters_px: np.ndarray  # (N,) equivalent diameters
    elongations: np.ndarray  # (N,)
    angles_deg: np.ndarray  # (N,) counter-clockwise from +x
    dark: np.ndarray  # (N,) bool
    spec: SkinSpec
    distractor_mask: np.ndarray = field(default=None)  # (H, W) bool where distractors were drawn

    @property
    def count(self) -> int:
        return int(len(self.centers))


def _place(rng: np.random.Generator, h: int, w: int, n_target: float, dmax: float) -> np.ndarray:
    """Random, non-overlapping pore centres (dart throwing with a grid hash).

    Candidates are drawn uniformly and kept when no kept centre lies within
    1.2 x the largest diameter, until ``n_target`` are placed or the skin is
    full; real pores are scattered like this, not on a lattice.
    """
    if n_target <= 0:
        return np.zeros((0, 2))
    n_target = int(round(n_target))
    margin = dmax * 0.75 + 2
    r = dmax * 1.2
    cell = r / math.sqrt(2)
    gw, gh = int(w / cell) + 1, int(h / cell) + 1
    grid = -np.ones((gh, gw), np.int64)
    pts: list[tuple[float, float]] = []
    tries = 0
    batch = max(1024, n_target)
    while len(pts) < n_target and tries < 30 * n_target + 10_000:
        cand = np.column_stack([rng.uniform(margin, w - margin, batch), rng.uniform(margin, h - margin, batch)])
        tries += batch
        for x, y in cand:
            gx, gy = int(x / cell), int(y / cell)
            y0, y1, x0, x1 = max(0, gy - 2), min(gh, gy + 3), max(0, gx - 2), min(gw, gx + 3)
            near = grid[y0:y1, x0:x1]
            ok = True
            for j in near[near >= 0]:
                px, py = pts[j]
                if (px - x) ** 2 + (py - y) ** 2 < r * r:
                    ok = False
                    break
            if ok:
                grid[gy, gx] = len(pts)
                pts.append((x, y))
                if len(pts) >= n_target:
                    break
    return np.array(pts, dtype=np.float64).reshape(-1, 2)


def _stamp(canvas: np.ndarray, x: float, y: float, a: float, b: float, angle_deg: float, depth: float, mask: np.ndarray | None) -> None:
    """Darken an elliptical pore into ``canvas`` (a darkening field) and mark its truth pixels."""
    h, w = canvas.shape
    r = int(math.ceil(max(a, b) * 1.6)) + 2
    x0, x1 = max(0, int(x) - r), min(w, int(x) + r + 1)
    y0, y1 = max(0, int(y) - r), min(h, int(y) + r + 1)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx + 0.5 - x, yy + 0.5 - y
    t = math.radians(angle_deg)
    # Counter-clockwise from +x with image y pointing down.
    u = dx * math.cos(t) - dy * math.sin(t)
    v = dx * math.sin(t) + dy * math.cos(t)
    rr = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    # Soft-edged funnel: full depth inside ~70% of the radius, falling off to the rim and a little beyond.
    prof = depth * np.clip(1.0 - np.clip(rr - 0.7, 0, None) / 0.55, 0.0, 1.0) ** 1.5
    np.maximum(canvas[y0:y1, x0:x1], prof, out=canvas[y0:y1, x0:x1])
    if mask is not None:
        mask[y0:y1, x0:x1] |= rr <= 1.0


def _smooth_noise(rng, h, w, sigma) -> np.ndarray:
    """Unit-variance Gaussian noise smoothed at ``sigma`` px (coarse ones drawn small and upsampled)."""
    f = max(1, int(sigma / 4))
    n = rng.standard_normal((max(1, h // f + 1), max(1, w // f + 1))).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), sigma / f)
    if f > 1:
        n = cv2.resize(n, (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        n = n[:h, :w]
    s = n.std()
    return n / s if s > 0 else n


def _window(x: float, y: float, radius: float, h: int, w: int) -> tuple[slice, slice, int, int]:
    """Slices of the image around (x, y) and the window's top-left corner."""
    r = int(math.ceil(radius)) + 2
    x0, x1 = max(0, int(x) - r), min(w, int(x) + r + 1)
    y0, y1 = max(0, int(y) - r), min(h, int(y) + r + 1)
    return slice(y0, max(y0, y1)), slice(x0, max(x0, x1)), x0, y0


def _paint(field: np.ndarray, win, patch: np.ndarray) -> None:
    """field = max(field, patch) inside the window."""
    ys, xs = win[0], win[1]
    np.maximum(field[ys, xs], patch, out=field[ys, xs])


def _distractors(rng: np.random.Generator, spec: SkinSpec, h: int, w: int):
    """Draw spots, hairs, lines and glints (not pores): (distractor mask, pigment, lines, glints)."""
    # Each is drawn into its own field, in a window around it.
    dmin, dmax = spec.pore_diameter_px
    distract = np.zeros((h, w), bool)
    pigment = np.zeros((h, w), np.float32)
    for _ in range(spec.spots):
        d = rng.uniform(3.0, 6.0) * dmax
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        ratio, angle = rng.uniform(0.7, 1.0), rng.uniform(0, 180)
        sig = max(1.0, d / 10)
        win = _window(x, y, d / 2 + 4 * sig, h, w)
        m = np.zeros((win[0].stop - win[0].start, win[1].stop - win[1].start), np.float32)
        cv2.ellipse(m, (int(x) - win[2], int(y) - win[3]), (int(d / 2), int(d / 2 * ratio)), angle, 0, 360, 1.0, -1, cv2.LINE_AA)
        m = cv2.GaussianBlur(m, (0, 0), sig)
        _paint(pigment, win, m * rng.uniform(0.12, 0.22))
        distract[win[0], win[1]] |= m > 0.05
    lines_f = np.zeros((h, w), np.float32)
    for kind, count in (("hair", spec.hairs), ("line", spec.lines)):
        for _ in range(count):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            length = rng.uniform(6, 14) * dmax if kind == "hair" else rng.uniform(8, 25) * dmax
            th = rng.uniform(0, math.pi)
            curv = rng.uniform(-0.3, 0.3)
            win = _window(x, y, length + 6, h, w)
            m = np.zeros((win[0].stop - win[0].start, win[1].stop - win[1].start), np.float32)
            pts = [(x - win[2] + math.cos(th + curv * t) * length * t, y - win[3] + math.sin(th + curv * t) * length * t) for t in np.linspace(0, 1, 20)]
            pts = np.array(pts, np.int32).reshape(-1, 1, 2)
            thick = max(1, int(round(dmin * 0.45))) if kind == "hair" else 1
            cv2.polylines(m, [pts], False, 1.0, thick, cv2.LINE_AA)
            if kind == "line":
                m = cv2.GaussianBlur(m, (0, 0), 1.2)
                m /= max(float(m.max()), 1e-6)
                _paint(lines_f, win, m * rng.uniform(0.12, 0.2))
            else:
                _paint(lines_f, win, m * rng.uniform(0.45, 0.65))
            distract[win[0], win[1]] |= m > 0.05
    glint_f = np.zeros((h, w), np.float32)
    for _ in range(spec.glints):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.3, 1.0) * dmax
        sig = max(0.8, r / 3)
        win = _window(x, y, r + 4 * sig, h, w)
        m = np.zeros((win[0].stop - win[0].start, win[1].stop - win[1].start), np.float32)
        cv2.circle(m, (int(x) - win[2], int(y) - win[3]), max(1, int(r)), 1.0, -1, cv2.LINE_AA)
        distract[win[0], win[1]] |= m > 0.05
        _paint(glint_f, win, cv2.GaussianBlur(m, (0, 0), sig))
    return distract, pigment, lines_f, glint_f


def render(spec: SkinSpec) -> SynthSkin:
    """Draw the skin described by ``spec``.

    Parameters
    ----------
    spec : SkinSpec
        Size, scale, tone, pores (count, sizes, contrast, elongation), lighting,
        noise and distractors.

    Returns
    -------
    SynthSkin
        The image and the true pores drawn in it.
    """
    rng = np.random.default_rng(spec.seed)
    h, w = spec.height, spec.width
    dmin, dmax = spec.pore_diameter_px
    n_target = spec.pore_density_per_mpx * h * w / 1e6
    centers = _place(rng, h, w, n_target, dmax)
    n = len(centers)
    diam = rng.uniform(dmin, dmax, n)
    elong = rng.uniform(spec.elongation[0], spec.elongation[1], n)
    if spec.orientation_deg is None:
        ang = rng.uniform(-90, 90, n)
    else:
        ang = spec.orientation_deg + rng.uniform(-15, 15, n)
    dark = rng.random(n) < spec.dark_fraction
    depth = rng.uniform(spec.pore_contrast[0], spec.pore_contrast[1], n)
    depth = np.where(dark, np.minimum(0.75, depth * 2.2), depth)

    darken = np.zeros((h, w), np.float32)
    truth = np.zeros((h, w), bool)
    for (x, y), d, e, a_, dp in zip(centers, diam, elong, ang, depth):
        # equivalent diameter d = 2*sqrt(a*b), a/b = e
        b = d / 2 / math.sqrt(e)
        a = b * e
        _stamp(darken, x, y, a, b, a_, dp, truth)

    distract, pigment, lines_f, glint_f = _distractors(rng, spec, h, w)

    # Skin: base tone x texture x mottling x lighting.
    base = np.array(spec.skin_rgb, np.float32) / 255.0
    tex = 1.0 + spec.texture * _smooth_noise(rng, h, w, 0.8)
    mott = 1.0 + spec.mottling * _smooth_noise(rng, h, w, max(h, w) / 12)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 + spec.lighting_gradient * ((xx / w - 0.5) * 0.8 + (yy / h - 0.5) * 0.6)
    shade = (tex * mott * light * spec.exposure)[..., None]
    # Pores and pigment darken more in blue than red (brownish shadow).
    tint_pore = np.array([0.9, 1.0, 1.1], np.float32)
    tint_pig = np.array([0.7, 1.0, 1.3], np.float32)
    img = base * shade
    img = img * (1.0 - darken[..., None] * tint_pore)
    img = img * (1.0 - pigment[..., None] * tint_pig)
    img = img * (1.0 - lines_f[..., None] * np.array([0.95, 1.0, 1.05], np.float32))
    img = img + glint_f[..., None] * (1.2 - img)
    img = img * 255.0
    if spec.blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), spec.blur_sigma)
    if spec.noise_sigma > 0:
        img = img + rng.normal(0, spec.noise_sigma, img.shape).astype(np.float32)
    rgb = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    if spec.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(spec.jpeg_quality)])
        rgb = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()
    return SynthSkin(
        rgb=rgb, pore_mask=truth, centers=centers, diameters_px=diam, elongations=elong,
        angles_deg=ang, dark=dark, spec=spec, distractor_mask=distract,
    )


def with_(spec: SkinSpec, **changes) -> SkinSpec:
    """A copy of ``spec`` with some fields changed.

    Parameters
    ----------
    spec : SkinSpec
    **changes
        Field values to replace.

    Returns
    -------
    SkinSpec
    """
    return replace(spec, **changes)


#: The spec of the demo photo that ships with the package (data/sample_closeup.jpg).
DEMO_SPEC = SkinSpec(
    height=900, width=1200, pore_density_per_mpx=1600, pore_diameter_px=(4.0, 11.0), pore_contrast=(0.12, 0.25),
    elongation=(1.0, 2.2), dark_fraction=0.1, texture=0.015, lighting_gradient=0.25, spots=3, hairs=2, lines=2, glints=4,
    noise_sigma=2.0, jpeg_quality=92, seed=2026,
)


#: The pores :func:`pore_shade` draws: (Gaussian sigma in mm, share of one pore per mm²). A drawn pore's diameter is
#: taken as 2 sigma (0.2 and 0.35 mm: the small facial pores a 10-20 px/mm face photo resolves).
FACE_PORES = ((0.1, 0.6), (0.175, 0.4))


def _pore_field(h: int, w: int, px_per_mm: float, seed: int) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, float]]]:
    """(h, w) float32 pore field (1 at the strongest peak) and each pore kind's (rows, cols, sigma px)."""
    rng = np.random.default_rng(seed)
    field = np.zeros((h, w), np.float32)
    dots_of = []
    for sigma_mm, share in FACE_PORES:
        n = int(share * h * w / px_per_mm**2)
        rows, cols = rng.integers(0, h, n), rng.integers(0, w, n)
        dots = np.zeros((h, w), np.float32)
        dots[rows, cols] = 1.0
        g = cv2.GaussianBlur(dots, (0, 0), sigma_mm * px_per_mm)
        field += g / g.max()
        dots_of.append((rows, cols, sigma_mm * px_per_mm))
    return field, dots_of


def pore_shade(h: int, w: int, px_per_mm: float, seed: int, *, depth: float = 0.3) -> np.ndarray:
    """(h, w) float32 light factor: 1 on skin, down to ``1 - depth`` at the centre of each drawn pore
    (about one per mm², 0.2-0.35 mm across at ``px_per_mm``; where they are: :func:`pore_truth`)."""
    field, _ = _pore_field(h, w, px_per_mm, seed)
    return 1.0 - depth * np.clip(field, 0, 1)


@dataclass
class DrawnPores:
    """The pores :func:`pore_shade` / :func:`pored_face` drew, in the output image's pixels.

    ``x_px``, ``y_px``: centres (pixel centres: column, row); ``diameter_px``: 2 sigma of each pore's Gaussian;
    ``darkening``: the fraction of light taken at its centre in the image (``depth`` x the pore field there, so
    overlapping pores read deeper and, since the field is scaled by its strongest peak, a lone pore can read
    shallower than ``depth``). Several pores may fall on one spot (positions are drawn independently).
    """

    x_px: np.ndarray
    y_px: np.ndarray
    diameter_px: np.ndarray
    darkening: np.ndarray

    @property
    def count(self) -> int:
        return int(self.x_px.size)


def pore_truth(h: int, w: int, px_per_mm: float, seed: int, *, depth: float = 0.3) -> DrawnPores:
    """Where :func:`pore_shade` with the same arguments draws its pores (the same random draws, so the same pores)."""
    field, dots_of = _pore_field(h, w, px_per_mm, seed)
    rows = np.concatenate([r for r, _, _ in dots_of])
    cols = np.concatenate([c for _, c, _ in dots_of])
    diam = np.concatenate([np.full(r.size, 2.0 * s) for r, _, s in dots_of])
    return DrawnPores(x_px=cols.astype(np.float64), y_px=rows.astype(np.float64), diameter_px=diam,
                      darkening=depth * np.clip(field[rows, cols], 0, 1).astype(np.float64))


def pored_face(src: np.ndarray, box: tuple[float, float, float], size: tuple[int, int], px_per_mm: float, seed: int, *,
               depth: float = 0.3) -> np.ndarray:
    """A real face photo too coarse to show pores (``src``, e.g. scikit-image's astronaut), enlarged from
    x0, y0 to x1 of its pixels (``box``) to ``size`` (w, h), with pores drawn at ``px_per_mm`` (:func:`pore_shade`):
    real landmarks, skin tones and edges, and pores with known density a face photo of that scale resolves (where they
    are: :func:`pored_face_truth`)."""
    x0, y0, x1 = box
    w, h = size
    f = w / (x1 - x0)
    m = np.array([[f, 0, -x0 * f], [0, f, -y0 * f]])
    img = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    img *= pore_shade(h, w, px_per_mm, seed, depth=depth)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def pored_face_truth(size: tuple[int, int], px_per_mm: float, seed: int, *, depth: float = 0.3) -> DrawnPores:
    """The pores :func:`pored_face` with the same ``size``, ``px_per_mm``, ``seed`` and ``depth`` draws, in its output
    pixels (they do not depend on the source photo or the box)."""
    w, h = size
    return pore_truth(h, w, px_per_mm, seed, depth=depth)
