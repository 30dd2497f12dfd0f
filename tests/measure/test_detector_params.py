"""The detector's tunable values: one frozen record, passed to run() and written into the result."""

from __future__ import annotations

import dataclasses

import pytest

from porescope.errors import PorescopeError
from porescope.measure.pipeline import run
from porescope.measure.pores import detect
from porescope.measure.pores.params import DetectorParams
from porescope.results import Analysis
from porescope.testing.synth import SkinSpec, render

SKIN = SkinSpec(height=320, width=320, pore_density_per_mpx=1500, pore_contrast=(0.06, 0.2), noise_sigma=1.0, seed=21)


@pytest.fixture(scope="module")
def rgb():
    return render(SKIN).rgb


def test_params_are_frozen_and_default_to_the_detector_constants():
    p = DetectorParams()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.seed_z = 3.0
    assert (p.sensitivity, p.seed_z, p.grow_z) == (1.0, detect.SEED_Z, detect.GROW_Z)
    assert p.clear_contrast == detect.CLEAR_CONTRAST and p.typical_pore_diameter_mm == detect.TYPICAL_PORE_DIAMETER_MM


def test_result_records_the_params_beside_the_detector_version(rgb):
    a = run(rgb, mode="closeup", px_per_mm=10.0).analysis
    assert a.settings.detector == detect.DETECTOR
    assert a.settings.params == DetectorParams().record()
    custom = DetectorParams(clear_contrast=0.09)
    b = run(rgb, mode="closeup", px_per_mm=10.0, params=custom).analysis
    assert b.settings.params == custom.record()
    # A stricter clear test counts fewer pores: the record is what the detector used, not a label.
    assert b.regions[0].pore_count < a.regions[0].pore_count
    s = run(rgb, mode="closeup", px_per_mm=10.0, sensitivity=1.5).analysis
    assert s.settings.params["sensitivity"] == s.settings.sensitivity == 1.5


def test_sensitivity_and_params_given_twice_is_refused(rgb):
    with pytest.raises(PorescopeError, match="sensitivity once"):
        run(rgb, mode="closeup", sensitivity=2.0, params=DetectorParams(sensitivity=1.0))


def test_results_stored_before_params_were_recorded_still_read(rgb):
    d = run(rgb, mode="closeup").analysis.model_dump(mode="json")
    del d["settings"]["params"]
    old = Analysis.model_validate(d)
    assert old.settings.params is None
    from porescope.track.change import stored_params

    assert stored_params(old.settings) == DetectorParams(sensitivity=old.settings.sensitivity)
