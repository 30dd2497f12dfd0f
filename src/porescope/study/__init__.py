"""Study runner: many photos per subject and visit, on dask.distributed, to tables and a report.

``run_study(manifest, out)`` is the API behind ``porescope study run``; see
docs/STUDIES.md.
"""

from porescope.study.manifest import ManifestError, Row, read_manifest
from porescope.study.study import StudyOptions, run_study

__all__ = ["ManifestError", "Row", "StudyOptions", "read_manifest", "run_study"]
