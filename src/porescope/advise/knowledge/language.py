"""Health-language guard: phrases porescope must never use about pores.

Pore size is largely genetic; care changes how visible pores look (Dong et al., Cutis 2016;98:33).
Output must say "reduce how visible pores look", never promise to shrink, close
or eliminate pores, and never claim to cure or diagnose. Tests scan every data
file and every generated report with :data:`FORBIDDEN_PROMISES`; other shells
(web app, reports) can use :func:`forbidden_phrases` the same way.
"""

from __future__ import annotations

import re

__all__ = ["FORBIDDEN_PROMISES", "forbidden_phrases"]

FORBIDDEN_PROMISES = re.compile(
    r"\bshrink\w*"
    r"|\beliminat\w*\s+(?:your\s+|the\s+)?pores"
    r"|\bcur(?:e|es|ed|ing)\b"
    r"|\bget\s+rid\s+of\s+(?:your\s+|the\s+)?pores"
    r"|\bclos(?:e|es|ing)\s+(?:your\s+|the\s+)?pores"
    r"|\bpores?\s+(?:will\s+)?(?:disappear|vanish)"
    r"|\bpermanently\s+smaller"
    r"|\bguarantee\w*"
    r"|\bdiagnos(?:e|es|is)\s+(?:you|your)\b",
    re.IGNORECASE,
)


def forbidden_phrases(text: str) -> list[str]:
    """Every forbidden promise found in a text (e.g. "shrinks pores").

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
        The phrases found; empty when the text is clean.
    """
    return [m.group(0) for m in FORBIDDEN_PROMISES.finditer(text)]
