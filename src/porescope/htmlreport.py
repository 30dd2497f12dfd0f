"""Jinja2 for the self-contained HTML reports (history and study).

Each report's HTML lives in a template shipped beside its code
(``track/templates``, ``study/templates``); values are escaped by Jinja's
autoescape, so no report builds HTML by hand. Undefined names are errors,
not empty text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["environment", "render"]

ROOT = Path(__file__).resolve().parent


@cache
def environment(folder: str):
    """The Jinja environment of one template folder, relative to the package (e.g. ``"track/templates"``)."""
    import jinja2

    from porescope.labels import metric_label, metric_words, region_name
    from porescope.plots import data_uri

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROOT / folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(data_uri=data_uri, region=region_name, metric=metric_words, metric_label=metric_label)
    return env


def render(folder: str, name: str, **context) -> str:
    """Render template ``name`` of ``folder`` with ``context``."""
    return environment(folder).get_template(name).render(**context)
