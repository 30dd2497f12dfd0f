"""Measure: a photo in, an :class:`~porescope.results.Analysis` out.

The stages, in the order a photo meets them: :mod:`.io` (read, orient, scale),
:mod:`.quality` (is it measurable?), :mod:`.regions` / :mod:`.face` /
:mod:`.facemesh` (where the skin is), :mod:`.pores` (detect, measure, score),
:mod:`.causes` and :mod:`.explain` (what the numbers suggest), :mod:`.render`
(overlays and files). :mod:`.pipeline` runs them; :mod:`.recapture` and
:mod:`.synth` make test and noise photos.
"""
