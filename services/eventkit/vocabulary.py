"""Lists of allowed values (vocabularies), each declared once, with its Swedish labels.

The owning service's domain declares a list as a `LabelledEnum` (value and Swedish label side by
side). `make contracts` (deploy/contracts.py) publishes it as contracts/vocabularies/<Name>.v<major>.json
— a JSON Schema `enum` with the labels in `x-labels` — and rewrites every event contract's inline
`enum` annotated with `"x-vocabulary": "<Name>"`. Whatever may not import the owning domain (the
frontend, the projections) reads the list and its labels here, from that file, so a new value
reaches forms, filters and API Literals without being written again (ADR 0001: services share
only eventkit and contracts/).
"""
from __future__ import annotations

import enum
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal


class LabelledEnum(str, enum.Enum):
    """A str enum whose members carry their Swedish label: `SCHOOL = "school", "Skola"`."""

    label: str

    def __new__(cls, value: str, label: str) -> "LabelledEnum":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}


def vocabularies_dir(contracts_dir: Path) -> Path:
    return contracts_dir / "vocabularies"


def newest_file(contracts_dir: Path, name: str) -> Path | None:
    """contracts/vocabularies/<name>.v<major>.json of the highest major version, if any."""
    paths = vocabularies_dir(contracts_dir).glob(f"{name}.v*.json")
    return max(paths, key=lambda p: int(p.name.rsplit(".v", 1)[1].removesuffix(".json")), default=None)


@lru_cache(maxsize=None)
def vocabulary(name: str) -> dict[str, Any]:
    """The newest major version of the published vocabulary `name`."""
    # Imported here, not above: domain models import LabelledEnum and need none of it.
    from eventkit.contracts import CONTRACTS_DIR

    path = newest_file(CONTRACTS_DIR, name)
    if path is None:
        raise KeyError(f"No vocabulary {name!r} under {vocabularies_dir(CONTRACTS_DIR)} (run make contracts)")
    return json.loads(path.read_text(encoding="utf-8"))


def values(name: str) -> tuple[str, ...]:
    return tuple(vocabulary(name)["enum"])


def labels(name: str) -> dict[str, str]:
    """Value → Swedish label, in the vocabulary's order (a fresh dict, so no caller changes another's)."""
    found = vocabulary(name)
    return {value: found["x-labels"][value] for value in found["enum"]}


def literal(name: str) -> Any:
    """`Literal[...]` of the vocabulary's values, for an API parameter or body field."""
    return Literal[values(name)]  # type: ignore[valid-type]


def literal_of(enum_class: type[enum.Enum]) -> Any:
    """`Literal[...]` of an enum's values, for an API owned by the enum's service; the OpenAPI
    document then lists the values inline, as it did when they were written out."""
    return Literal[tuple(member.value for member in enum_class)]  # type: ignore[valid-type]
