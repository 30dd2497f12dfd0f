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
    """Jittered-grid placement: exact expected count, no overlaps, natural look."""
    if n_target <= 0:
        return np.zeros((0, 2))
    cell = math.sqrt(h * w / n_target)
    margin = dmax * 0.75 + 2
    xs = np.arange(margin, w - margin, cell)
    ys = np.arange(margin, h - margin, cell)
    gx, gy = np.meshgrid(xs, ys)
    jitter = max(0.0, (cell - dmax * 1.2) / 2)
    pts = np.stack([gx.ravel(), gy.ravel()], 1)
    pts += rng.uniform(-jitter, jitter, pts.shape)
    return pts


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
    n = rng.standard_normal((h, w)).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), sigma)
    s = n.std()
    return n / s if s > 0 else n


def render(spec: SkinSpec) -> SynthSkin:
    """Draw the skin described by ``spec``."""
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

    # Distractors (not pores): drawn into their own fields.
    distract = np.zeros((h, w), bool)
    pigment = np.zeros((h, w), np.float32)
    for _ in range(spec.spots):
        d = rng.uniform(3.0, 6.0) * dmax
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        m = np.zeros((h, w), np.float32)
        cv2.ellipse(m, (int(x), int(y)), (int(d / 2), int(d / 2 * rng.uniform(0.7, 1.0))), rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
        m = cv2.GaussianBlur(m, (0, 0), max(1.0, d / 10))
        pigment = np.maximum(pigment, m * rng.uniform(0.12, 0.22))
        distract |= m > 0.05
    lines_f = np.zeros((h, w), np.float32)
    for kind, count in (("hair", spec.hairs), ("line", spec.lines)):
        for _ in range(count):
            m = np.zeros((h, w), np.float32)
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            length = rng.uniform(6, 14) * dmax if kind == "hair" else rng.uniform(8, 25) * dmax
            th = rng.uniform(0, math.pi)
            pts = []
            curv = rng.uniform(-0.3, 0.3)
            for s in np.linspace(0, 1, 20):
                pts.append((x + math.cos(th + curv * s) * length * s, y + math.sin(th + curv * s) * length * s))
            pts = np.array(pts, np.int32).reshape(-1, 1, 2)
            thick = max(1, int(round(dmin * 0.45))) if kind == "hair" else 1
            cv2.polylines(m, [pts], False, 1.0, thick, cv2.LINE_AA)
            if kind == "line":
                m = cv2.GaussianBlur(m, (0, 0), 1.2)
                m /= max(m.max(), 1e-6)
                lines_f = np.maximum(lines_f, m * rng.uniform(0.12, 0.2))
            else:
                lines_f = np.maximum(lines_f, m * rng.uniform(0.45, 0.65))
            distract |= m > 0.05
    glint_f = np.zeros((h, w), np.float32)
    for _ in range(spec.glints):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.3, 1.0) * dmax
        m = np.zeros((h, w), np.float32)
        cv2.circle(m, (int(x), int(y)), max(1, int(r)), 1.0, -1, cv2.LINE_AA)
        glint_f = np.maximum(glint_f, cv2.GaussianBlur(m, (0, 0), max(0.8, r / 3)))
        distract |= m > 0.05

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
    """A copy of ``spec`` with some fields changed."""
    return replace(spec, **changes)


#: The spec of the demo photo that ships with the package (data/sample_closeup.jpg).
DEMO_SPEC = SkinSpec(
    height=900, width=1200, pore_density_per_mpx=2600, pore_diameter_px=(4.0, 11.0), pore_contrast=(0.15, 0.3),
    elongation=(1.0, 2.2), dark_fraction=0.2, lighting_gradient=0.25, spots=3, hairs=2, lines=2, glints=4,
    noise_sigma=2.0, jpeg_quality=92, seed=2026,
)
