"""The base of every porescope record, in a module of its own.

Importing :mod:`porescope.results` builds the whole result schema (~0.1 s);
modules that only need the base (label reading, routines) import it from here.
"""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Base of every porescope record: an unknown field is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")
