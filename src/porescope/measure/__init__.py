"""Measure: a photo in, an :class:`~porescope.results.Analysis` out.

The stages, in the order :func:`.pipeline.run` calls them: :mod:`.io` (read and
orient), :mod:`.regions` with :mod:`.regionset` and :mod:`.face` (where the skin
is, and the face's scale), the analysis resolution (:mod:`.pipeline`),
:mod:`.quality` (is it measurable? in a second thread beside the next three),
:mod:`.pores` (detect with its :mod:`~.pores.params`, measure, score), and
:mod:`.causes` (what the numbers suggest). Beside them: :mod:`.register`
(registration of two photos, for the change engine), :mod:`.recapture`
(capture changes, for the noise model) and :mod:`.imaging` (shared image
helpers). Measuring writes no files and no sentences: that is
:mod:`porescope.output`; test photos come from :mod:`porescope.testing`.
"""
