"""The per-pore records the pipeline builds without validation are exactly the validated ones."""

from __future__ import annotations

from pydantic import TypeAdapter

from porescope.measure.pipeline import run
from porescope.results import Analysis, Pore, pores_from_trusted
from porescope.testing.synth import SkinSpec, render


def test_trusted_pore_records_equal_validated_records():
    skin = render(SkinSpec(height=300, width=300, pore_density_per_mpx=2500, pore_diameter_px=(4.0, 9.0), seed=3))
    analysis = run(skin.rgb, mode="closeup", px_per_mm=20.0).analysis
    assert len(analysis.pores) > 50
    rows = [p.model_dump() for p in analysis.pores]
    validated = TypeAdapter(list[Pore]).validate_python(rows)
    rebuilt = pores_from_trusted([dict(r) for r in rows])
    assert rebuilt == validated == analysis.pores
    assert all(p.model_fields_set == set(Pore.model_fields) for p in analysis.pores)
    # Types are what the schema says (a float where a float is due, etc.).
    for p in analysis.pores[:20]:
        assert type(p.id) is int and type(p.area_px) is int
        assert isinstance(p.x_px, float) and isinstance(p.area_mm2, float) and p.kind in ("dark", "open")
    # The whole result round-trips through its JSON and validates strictly.
    text = analysis.model_dump_json()
    again = Analysis.model_validate_json(text)
    assert again.model_dump_json() == text
