"""Photos with known truth, for tests, benchmarks and synthetic studies.

:mod:`.synth` draws synthetic skin with pores of known position, size and
depth. It is not part of the measuring path: :mod:`porescope.measure` never
imports it. :mod:`porescope.study.synthetic` (a study with a known effect)
uses it at run time, which is why it ships inside the package; the demo photo
``data/sample_closeup.jpg`` was drawn with it by ``scripts/make_sample.py``.
"""
