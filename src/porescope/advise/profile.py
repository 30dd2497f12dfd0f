"""The person a routine is built for. Shared by the CLI, the web app and the routine builder.

Missing keys get safe defaults; unknown keys and bad values raise a
:class:`~porescope.errors.PorescopeError` with one clear line (see :func:`load_profile`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from porescope.errors import PorescopeError

__all__ = ["Concern", "CurrentProduct", "Profile", "load_profile"]

Concern = Literal["visible_pores", "blackheads", "oiliness", "texture", "firmness", "sun_damage"]
SkinType = Literal["oily", "dry", "combination", "normal"]
SunExposure = Literal["low", "moderate", "high"]


class CurrentProduct(BaseModel):
    """A product the person already uses."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    ingredients: str = Field(default="", max_length=20000, description="The label's ingredient list, as printed.")


class Profile(BaseModel):
    """Who the routine is for. ``extra="forbid"``: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    age: int | None = Field(default=None, ge=1, le=120, description="Years; None if not given.")
    skin_type: SkinType = "normal"
    sensitive: bool | None = Field(
        default=None, description="None (not stated) is treated as sensitive: gentler strengths and slower ramps."
    )
    concerns: list[Concern] = Field(default_factory=lambda: ["visible_pores"])
    pregnant_or_breastfeeding: bool = False
    allergies: list[str] = Field(default_factory=list, description="Ingredient names the person reacts to.")
    current_products: list[CurrentProduct] = Field(default_factory=list)
    prescriptions: list[str] = Field(default_factory=list, description="Prescribed ingredient names, e.g. 'tretinoin'.")
    sun_exposure: SunExposure = "moderate"

    @property
    def treat_as_sensitive(self) -> bool:
        return self.sensitive is not False


def _one_line(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "profile"
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(Profile.model_fields)
        return f"profile: unknown key '{where}' (allowed keys: {allowed})"
    got = first.get("input")
    got_text = f" (got {json.dumps(got)[:60]})" if isinstance(got, (str, int, float, bool)) or got is None else ""
    more = f"; {len(err.errors()) - 1} more problem(s)" if len(err.errors()) > 1 else ""
    return f"profile: {where}: {first['msg']}{got_text}{more}"


def _choice(value: Any) -> Any:
    """'Oily' -> 'oily', 'Visible pores' -> 'visible_pores': choices are not case-sensitive."""
    if isinstance(value, str):
        return "_".join(value.strip().lower().replace("-", " ").split())
    return value


def _fold_choices(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key in ("skin_type", "sun_exposure"):
        if key in out:
            out[key] = _choice(out[key])
    if isinstance(out.get("concerns"), list):
        out["concerns"] = [_choice(c) for c in out["concerns"]]
    return out


def load_profile(data: str | bytes | dict[str, Any]) -> Profile:
    """Validate a profile.

    Parameters
    ----------
    data : str, bytes or dict
        The profile as JSON text or a dict (see ``porescope routine --example-profile``).

    Returns
    -------
    Profile

    Raises
    ------
    PorescopeError
        One line on any problem (bad JSON, an unknown field, a bad value).
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PorescopeError(f"profile: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise PorescopeError("profile: expected a JSON object with keys like 'skin_type' and 'concerns'")
    data = _fold_choices(data)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise PorescopeError(_one_line(exc)) from None
