"""What every API's input models share: unknown fields refused, whitespace stripped, and no
NUL or other control characters in text (PostgreSQL cannot store NUL in text, and a read
model that cannot store an event's text would stop at it)."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # for query parameters


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and CONTROL.search(t) for t in texts):
            raise PydanticCustomError("control_characters", "Texten innehåller otillåtna tecken.")
        return value
