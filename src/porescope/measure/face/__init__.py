"""Full-face photos: where the face and its regions are, and the face's physical scale.

The modules, in the order a face photo meets them: :mod:`.litert` (the shipped
MediaPipe models in ``models/`` and the LiteRT interpreter that runs them),
:mod:`.mesh` (face search and 468 landmarks plus the irises; its fixed numbers
in :mod:`.mesh_params`), :mod:`.regions` (forehead, nose, cheeks, chin as
masks, the scale from the iris or eye distance; called by
:func:`porescope.measure.regions.find_regions`), :mod:`.checks` (lighting,
covered eyes, blur and pose per region). :mod:`.params` holds face mode's
landmark indices, thresholds and polygon helpers.
"""
