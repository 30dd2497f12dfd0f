"""The advice knowledge base: ingredients, evidence and routine rules, as data.

Files in this folder (validated by ``tests/advise/test_knowledge.py``):

- ``actives.json``: actives relevant to visible pores (schema: :class:`schema.Ingredient`).
- ``base.json``: common base ingredients and look-alikes.
- ``rules.json``: routine and combination rules (schema: :mod:`porescope.advise.knowledge.rules`).

Everything is loaded once per process and cached; loaders return immutable models.
EU annex status comes from the ``on-the-list`` package's offline CosIng copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from porescope.advise.knowledge.schema import ACTIVE_CATEGORIES, Ingredient, KnowledgeFile
from porescope.files import atomic_write

__all__ = [
    "ACTIVE_CATEGORIES",
    "Ingredient",
    "KnowledgeBase",
    "eu_annex_refs",
    "fold",
    "knowledge",
    "load_file",
]

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u00ad]")


def fold(name: str) -> str:
    """Comparison form of an ingredient name: NFKC, casefolded, one space, unified dashes.

    Deliberately not clever (no stemming): two different substances must never
    fold to the same string.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    text = unicodedata.normalize("NFKC", name)
    text = _DASHES.sub("-", text).casefold()
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    return _SPACES.sub(" ", text).strip(" .,;:")


def load_file(name: str) -> KnowledgeFile:
    """Read and validate one ingredient file of this package.

    Parameters
    ----------
    name : str
        ``actives.json`` or ``base.json``.

    Returns
    -------
    KnowledgeFile
    """
    raw = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return KnowledgeFile.model_validate(json.loads(raw))


@dataclass(frozen=True)
class KnowledgeBase:
    """All known ingredients and a name index: folded name -> (ingredient id, how the name is known)."""

    by_id: dict[str, Ingredient]
    #: folded name -> (id, "exact" for the INCI name / id, "synonym" otherwise)
    names: dict[str, tuple[str, str]]

    def get(self, ingredient_id: str) -> Ingredient:
        return self.by_id[ingredient_id]

    @property
    def actives(self) -> list[Ingredient]:
        return [i for i in self.by_id.values() if i.active]


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The knowledge base, loaded and indexed once per process.

    Returns
    -------
    KnowledgeBase
        Every ingredient by id, and a folded-name index (INCI names, ids and synonyms).
    """
    by_id: dict[str, Ingredient] = {}
    names: dict[str, tuple[str, str]] = {}
    for fname in ("actives.json", "base.json"):
        for ing in load_file(fname).ingredients:
            if ing.id in by_id:
                raise ValueError(f"duplicate ingredient id {ing.id!r} in {fname}")
            by_id[ing.id] = ing
    # INCI names first so that a synonym can never shadow an INCI name.
    for ing in by_id.values():
        for key in (fold(ing.inci), fold(ing.id.replace("_", " "))):
            names.setdefault(key, (ing.id, "exact"))
    for ing in by_id.values():
        for syn in ing.synonyms:
            names.setdefault(fold(syn), (ing.id, "synonym"))
    return KnowledgeBase(by_id=by_id, names=names)


@lru_cache(maxsize=1)
def _register():
    """The on-the-list CosIng register (annexes II-VI), loaded once (about 0.1 s)."""
    from on_the_list import register

    return register.load()


def _register_files() -> list[Path]:
    """The annex CSVs on-the-list will read: a downloaded register if complete, else its vendored copy.

    Reads on-the-list's manifest and paths only: its ``register`` module (CSV parsing, hash checks and its
    pydantic models, ~15-20 ms of `porescope ingredients`' start-up) is imported only when the cached
    index is missing (:func:`_register`). ``register.VENDORED`` is the package's ``data`` folder.
    """
    import importlib.util

    from on_the_list import registry_manifest
    from on_the_list.paths import register_dir

    names = [str(r["filename"]) for r in registry_manifest.ANNEXES.values()]
    cached = register_dir()
    if all((cached / n).is_file() for n in names):
        return [cached / n for n in names]
    spec = importlib.util.find_spec("on_the_list")
    vendored = Path(next(iter(spec.submodule_search_locations))) / "data"
    return [vendored / n for n in names]


def _index_cache_path(files: list[Path]) -> Path:
    """Where the name -> annex index of these exact files is cached (key: paths, sizes, mtimes)."""
    key = hashlib.sha256(
        "|".join(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files).encode()
    ).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "porescope" / f"cosing-index-{key}.json"


@lru_cache(maxsize=1)
def _annex_index() -> dict[str, list[str]]:
    """Folded name -> annex references, e.g. ``{"salicylic acid": ["Annex III/98", "Annex V/3"]}``.

    Parsing and hash-checking the register's 1 MB of CSV takes ~0.1 s per process,
    so the finished index is cached as JSON next to the user's other caches, keyed
    on the register files' paths, sizes and modification times (a new or updated
    register makes a new key). The cache is only an accelerator: when it cannot be
    read or written, the register is parsed as before.
    """
    try:
        path: Path | None = _index_cache_path(_register_files())
    except (OSError, ImportError, AttributeError, KeyError):
        path = None
    if path is not None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    index: dict[str, list[str]] = {}
    for folded, entries in _register().by_name.items():
        refs: list[str] = []
        for e in entries:
            ref = f"Annex {e.annex}/{e.reference.replace(' ', '')}"
            if ref not in refs:
                refs.append(ref)
        index[folded] = refs
    if path is not None:
        try:
            atomic_write(path, json.dumps(index).encode("utf-8"), clear_errors=False, make_folder=True)
        except OSError:
            pass
    return index


@lru_cache(maxsize=4096)
def eu_annex_refs(name: str) -> tuple[str, ...]:
    """EU CosIng annex entries naming an ingredient, e.g. ``("Annex III/98", "Annex V/3")``.

    Exact folded-name lookup in the offline register shipped with ``on-the-list``
    (no fuzzy matching: a near miss on a prohibited list is worse than none).

    Parameters
    ----------
    name : str
        The ingredient name.

    Returns
    -------
    tuple of str
        ``()`` when no annex names the ingredient, which means "not restricted by
        annexes II-VI", not "unknown".
    """
    from on_the_list.normalise import fold as otl_fold

    return tuple(_annex_index().get(otl_fold(name), ()))
