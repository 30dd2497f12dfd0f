"""Output: the files and words every shell (CLI, web, history, studies) makes from a result.

:mod:`.render` writes overlays, pore masks, region label images and CSVs
(PNG/JPEG encoding, ISA-L deflate); :mod:`.explain` turns an
:class:`~porescope.results.Analysis` into plain sentences. Measuring
(:mod:`porescope.measure`) never imports this package: it turns pixels into
records, and this layer turns records into files and words.
"""
