"""Form fields and names from requests, checked into what the stages take (errors are one line)."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from porescope.errors import PorescopeError

#: Subject names made on the web: letters, digits, space and . _ - @ (the store
#: takes any text; the web keeps names easy to type and to read in a URL).
SUBJECT_NAME = re.compile(r"^[\w .@-]{1,64}$")
#: Longest label text the checker takes, characters.
MAX_LABEL_CHARS = 50_000
#: The concerns the routine form offers (value, words).
CONCERNS = (
    ("visible_pores", "Visible pores"), ("blackheads", "Blackheads"), ("oiliness", "Oiliness / shine"),
    ("texture", "Uneven texture"), ("firmness", "Loss of firmness"), ("sun_damage", "Sun damage"),
)
#: Products the routine form has room for.
PRODUCT_SLOTS = 3


def float_or_none(text: str | None, what: str) -> float | None:
    """A positive number from a form field, or None when the field is empty.

    Parameters
    ----------
    text : str or None
        The field (a decimal comma is taken).
    what : str
        The field's name in the error message.

    Raises
    ------
    PorescopeError
        Not a number, not finite or not positive.
    """
    if text is None or not str(text).strip():
        return None
    try:
        v = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise PorescopeError(f"{what} must be a number, got {text!r}.") from None
    if not math.isfinite(v) or v <= 0:
        raise PorescopeError(f"{what} must be a positive number, got {text!r}.")
    return v


def clean_text(text: str, limit: int = 100) -> str:
    """Free text from a form (condition notes): printable and at most ``limit`` characters.

    Parameters
    ----------
    text : str
        The field.
    limit : int
        Longest result, characters.
    """
    text = "".join(ch for ch in str(text or "") if unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


def check_subject_name(name: str) -> str:
    """A subject name made on the web, stripped.

    Parameters
    ----------
    name : str
        The field.

    Raises
    ------
    PorescopeError
        Not 1-64 letters, digits, spaces or . _ - @.
    """
    name = (name or "").strip()
    if not SUBJECT_NAME.match(name):
        raise PorescopeError("a subject name is 1-64 letters, digits, spaces or . _ - @ (e.g. 'me' or 'P-017').")
    return name


def visits_or_raise(store, subject: str):
    """A subject's visits, oldest first.

    Names no store could hold (control characters, over 200 characters) are
    'no such subject', not a database error.

    Parameters
    ----------
    store : porescope.track.Store
        The history store.
    subject : str
        The name from the request.

    Raises
    ------
    PorescopeError
        No such subject.
    """
    if not subject or len(subject) > 200 or any(unicodedata.category(ch) == "Cc" for ch in subject):
        raise PorescopeError(f"no subject named {subject[:80]!r}; see the History page for the names.")
    return store.visits(subject)


def subject_visits(store, subject: str):
    """A subject's visits, or an empty list when there is no such subject.

    Parameters
    ----------
    store : porescope.track.Store
        The history store.
    subject : str
        A checked name.
    """
    try:
        return store.visits(subject)
    except PorescopeError:
        return []


def form_dict(form) -> dict[str, Any]:
    """A submitted form as a dict for refilling it: lists for repeated fields and ``concerns``.

    Parameters
    ----------
    form : starlette.datastructures.FormData
        The form.
    """
    out: dict[str, Any] = {}
    for k in form.keys():
        vals = form.getlist(k)
        out[k] = vals if len(vals) > 1 or k == "concerns" else vals[0]
    return out


def split_list(text: str) -> list[str]:
    """Items of a comma-, semicolon- or line-separated field, stripped, empty ones dropped.

    Parameters
    ----------
    text : str
        The field.
    """
    return [t.strip() for t in re.split(r"[,;\n]", text or "") if t.strip()]


def profile_from_form(form) -> dict[str, Any]:
    """The profile dict the advice stage validates (:func:`porescope.advise.profile.load_profile`).

    Parameters
    ----------
    form : starlette.datastructures.FormData
        The routine form.

    Raises
    ------
    PorescopeError
        The age is not a whole number.
    """
    d: dict[str, Any] = {}
    age = str(form.get("age") or "").strip()
    if age:
        try:
            d["age"] = int(age)
        except ValueError:
            raise PorescopeError(f"age must be a whole number of years, got {age!r}.") from None
    for key in ("skin_type", "sun_exposure"):
        v = str(form.get(key) or "").strip()
        if v:
            d[key] = v
    sens = str(form.get("sensitive") or "")
    if sens in ("yes", "no"):
        d["sensitive"] = sens == "yes"
    d["concerns"] = [str(c) for c in form.getlist("concerns")] or ["visible_pores"]
    d["pregnant_or_breastfeeding"] = bool(form.get("pregnant"))
    d["allergies"] = split_list(str(form.get("allergies") or ""))
    d["prescriptions"] = split_list(str(form.get("prescriptions") or ""))
    products = []
    for i in range(1, PRODUCT_SLOTS + 1):
        name = str(form.get(f"product{i}_name") or "").strip()
        ingr = str(form.get(f"product{i}_ingredients") or "").strip()
        if name or ingr:
            products.append({"name": name or f"product {i}", "ingredients": ingr})
    d["current_products"] = products
    return d
