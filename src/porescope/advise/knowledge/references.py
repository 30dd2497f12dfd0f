"""The sources porescope cites, shipped with the package (``references.json``).

A citation in the knowledge files is a list of reference ids separated by
``"; "``, each with an optional pinpoint after ``@``::

    "hughes2013"
    "eu_1223_2009@Annex III/98; cfr21_333@21 CFR 333.310"

:func:`check_citation` raises on an id that is not in ``references.json`` (the
knowledge schemas call it, so a bad citation fails loading and the tests);
:func:`render` turns a citation into the words a user reads: authors, year,
title, journal, DOI/PMID, or the regulator's document.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Reference", "check_citation", "parse_citation", "references", "render", "render_each"]


class Reference(BaseModel):
    """One published source: an article, a report or guidance, a regulation, a database."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["article", "report", "guidance", "regulation", "database"]
    authors: str = ""
    year: int | None = None
    title: str
    journal: str = ""
    volume: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = Field(default="", pattern=r"^(\d{5,9})?$")
    document: str = ""

    @model_validator(mode="after")
    def _findable(self) -> Reference:
        if self.kind == "article":
            if not self.journal or self.year is None:
                raise ValueError(f"reference {self.id!r}: an article needs journal and year")
            if not (self.doi or self.pmid or (self.volume and self.pages)):
                raise ValueError(f"reference {self.id!r}: an article needs a DOI, a PMID or volume and pages")
            if not (self.authors or self.doi or self.pmid):
                raise ValueError(f"reference {self.id!r}: an article without authors needs a DOI or PMID")
        elif not self.document and not self.journal:
            raise ValueError(f"reference {self.id!r}: a {self.kind} needs the document that identifies it")
        if self.doi and not self.doi.startswith("10."):
            raise ValueError(f"reference {self.id!r}: a DOI starts with '10.'")
        return self

    def text(self, pinpoint: str = "") -> str:
        """The reference as one line a person can look up."""
        bits: list[str] = []
        if self.kind == "article" or (self.journal and self.kind == "report"):
            head = f"{self.authors} ({self.year})" if self.authors else f"({self.year})"
            where = self.journal + (f" {self.volume}" if self.volume else "") + (f":{self.pages}" if self.pages else "")
            bits = [head, self.title.rstrip(".") + ".", where + "."]
        else:
            head = f"{self.authors}" + (f" ({self.year})" if self.year else "")
            bits = [head + ".", self.title.rstrip(".") + ".", self.document.rstrip(".") + "."]
        if pinpoint:
            bits.append(pinpoint.rstrip(".") + ".")
        if self.doi:
            bits.append(f"doi:{self.doi}")
        if self.pmid:
            bits.append(f"PMID {self.pmid}")
        return " ".join(b for b in bits if b.strip(". "))


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str
    references: list[Reference]


@lru_cache(maxsize=1)
def references() -> dict[str, Reference]:
    """All shipped references by id, validated, loaded once.

    Returns
    -------
    dict
        Reference id -> Reference (authors, year, title, journal, DOI/PMID or regulation).
    """
    raw = resources.files("porescope.advise.knowledge").joinpath("references.json").read_text(encoding="utf-8")
    refs = _File.model_validate(json.loads(raw)).references
    out: dict[str, Reference] = {}
    for r in refs:
        if r.id in out:
            raise ValueError(f"duplicate reference id {r.id!r}")
        out[r.id] = r
    return out


def parse_citation(citation: str) -> list[tuple[str, str]]:
    """Split a citation into (reference id, pinpoint) pairs.

    Parameters
    ----------
    citation : str
        E.g. ``"a@p; b"``.

    Returns
    -------
    list of tuple
        E.g. ``[("a", "p"), ("b", "")]``.

    Raises
    ------
    ValueError
        On an unknown reference id.
    """
    out: list[tuple[str, str]] = []
    if not citation.strip():
        return out
    known = references()
    for token in citation.split(";"):
        token = token.strip()
        if not token:
            continue
        ref_id, _, pinpoint = token.partition("@")
        ref_id = ref_id.strip()
        if ref_id not in known:
            raise ValueError(f"citation {token!r} names no reference in references.json")
        out.append((ref_id, pinpoint.strip()))
    return out


def check_citation(citation: str) -> str:
    """Check that every reference id in a citation resolves.

    Parameters
    ----------
    citation : str

    Returns
    -------
    str
        ``citation`` unchanged.

    Raises
    ------
    ValueError
        On an unknown reference id.
    """
    parse_citation(citation)
    return citation


def render_each(citation: str) -> list[str]:
    """One line per source named in a citation.

    Parameters
    ----------
    citation : str

    Returns
    -------
    list of str
        Full references as users read them.
    """
    refs = references()
    return [refs[i].text(p) for i, p in parse_citation(citation)]


def render(citation: str) -> str:
    """The whole citation as the text a user reads.

    Parameters
    ----------
    citation : str

    Returns
    -------
    str
        "" for an empty citation.
    """
    return " | ".join(render_each(citation))
