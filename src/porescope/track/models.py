"""Records the store hands out: the one shape the CLI, web app, reports and
studies read. Pydantic, like :mod:`porescope.results`; the full per-photo
result stays the :class:`~porescope.results.Analysis` schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from porescope.strict import StrictModel
from porescope.track.values import KEY_METRICS  # noqa: F401  (re-exported: part of this module's API)

Verdict = Literal["improved", "no_detectable_change", "worse"]
NoiseSource = Literal["repeat_capture", "perturbation", "none"]



class RegionSummary(StrictModel):
    """Key metrics of one region of one analyzed photo (the indexed columns)."""

    name: str
    pore_count: int | None = None
    density: float | None = Field(default=None, description="Pores per cm² when the scale is known, else per megapixel.")
    density_unit: Literal["per_cm2", "per_mpx"] = "per_mpx"
    visibility_score: float | None = Field(default=None, description="0-100, higher = more visible pores.")
    coverage_pct: float | None = None
    mean_elongation: float | None = None
    dark_share: float | None = None
    counts_meaningful: bool = True


class VisitInfo(StrictModel):
    """One visit: when, under which conditions, and what the photo showed."""

    id: int
    subject: str
    taken_at: datetime
    condition: dict[str, Any] = Field(default_factory=dict, description="e.g. cleansed=yes, makeup=no, since_wash_h=2.")
    device: str | None = None
    lighting: str | None = None
    photo_sha256: str = Field(description="Content hash of capture 1's original photo.")
    captures: int = Field(default=1, description="Photos taken at this visit (2 = a repeat capture for the noise estimate).")
    mode: str = Field(default="closeup", description="Analysis mode of capture 1: 'closeup' or 'face'.")
    measurable: bool = True
    schema_version: str
    created_at: datetime
    regions: list[RegionSummary] = Field(default_factory=list, description="Key metrics of capture 1.")

    def region(self, name: str) -> RegionSummary | None:
        return next((r for r in self.regions if r.name == name), None)


class SubjectInfo(StrictModel):
    """A person (a study may hold many)."""

    name: str
    visits: int = 0
    first_visit: datetime | None = None
    last_visit: datetime | None = None
    created_at: datetime


class MetricChange(StrictModel):
    """One metric of one region between two visits, with its uncertainty.

    ``low``/``high`` bound the delta at 95%: delta ± 1.96·sqrt(noise_a² + noise_b²).
    """

    region: str
    metric: str
    baseline: float
    latest: float
    delta: float = Field(description="latest - baseline.")
    noise_baseline: float = Field(description="Measurement noise SD of the baseline value.")
    noise_latest: float = Field(description="Measurement noise SD of the latest value.")
    low: float
    high: float
    verdict: Verdict = Field(description="Lower = improved for every key metric; 'no_detectable_change' when the interval holds 0.")


class RegionChange(StrictModel):
    name: str
    verdict: Verdict = Field(description="The verdict of the region's headline metric (visibility_score).")
    metrics: list[MetricChange] = Field(default_factory=list)


class Comparison(StrictModel):
    """Baseline vs. latest visit of a subject, region by region, never a bare delta."""

    subject: str
    baseline_visit: int
    latest_visit: int
    baseline_taken_at: datetime
    latest_taken_at: datetime
    alignment: str = Field(description="Whether the two photos were found to show the same skin (registration), and what was compared: "
        "e.g. 'orb+ecc: same skin ...', 'none: ...; each photo's whole-frame metrics compared'.")
    noise_source: dict[str, NoiseSource] = Field(default_factory=dict, description="visit id -> where its noise figures came from.")
    regions: list[RegionChange] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    summary: str = ""

    def region(self, name: str) -> RegionChange | None:
        return next((r for r in self.regions if r.name == name), None)

    @property
    def changes(self) -> list[MetricChange]:
        return [m for r in self.regions for m in r.metrics]


class VersionRecord(StrictModel):
    """A saved version of a subject's profile or routine (newest = highest version)."""

    id: int
    subject: str
    version: int
    data: dict[str, Any]
    created_at: datetime


class ProductUse(StrictModel):
    """A product used between visits."""

    id: int
    subject: str
    name: str
    ingredients: list[str] = Field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
