"""Public event contracts: JSON Schemas under contracts/, the only thing services share.

File layout: contracts/envelope.v1.json describes every Kafka message value; each public
event type has contracts/events/<EventType>.v<major>.json describing its `data`, with its
full version in `x-schema-version` ("major.minor"). A minor version may only add optional
fields or add values to an enum; anything else needs a new major version (a new file).
contracts/vocabularies/<Name>.v<major>.json publishes each list of allowed values with its
Swedish labels (eventkit.vocabulary); event enums that follow one say so in `x-vocabulary`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable

import fastjsonschema
from jsonschema import Draft202012Validator

CONTRACTS_DIR = Path(
    os.environ.get("CONTRACTS_DIR", Path(__file__).resolve().parents[2] / "contracts")
)


class ContractViolation(ValueError):
    """A message does not match its published schema."""


@dataclass(frozen=True)
class Contract:
    event_type: str
    major: int
    version: str
    schema: dict[str, Any]
    path: Path

    @cached_property  # looked up once per contract: a path hashed for every message cost the relay 5%
    def validate(self) -> Callable[[Any], Any]:
        return _validator(self.path)


@lru_cache(maxsize=None)
def _validator(path: Path) -> Callable[[Any], Any]:
    """The schema compiled to Python (fastjsonschema): the relay validates every message it
    publishes, and an interpreting validator would cost more than the rest of the relay."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return fastjsonschema.compile(schema)


@lru_cache(maxsize=None)
def registry() -> dict[str, Contract]:
    """Newest major version of every event type, by event type."""
    found: dict[str, Contract] = {}
    for path in sorted((CONTRACTS_DIR / "events").glob("*.v*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        event_type = schema["title"]
        version = schema["x-schema-version"]
        contract = Contract(event_type, int(version.split(".")[0]), version, schema, path)
        if event_type not in found or contract.major > found[event_type].major:
            found[event_type] = contract
    return found


def contract_for(event_type: str) -> Contract:
    try:
        return registry()[event_type]
    except KeyError:
        raise ContractViolation(f"No contract for public event type {event_type!r}") from None


@lru_cache(maxsize=1)
def _envelope_validator() -> Callable[[Any], Any]:
    return _validator(CONTRACTS_DIR / "envelope.v1.json")


def validate_message(message: dict[str, Any]) -> None:
    """Validate a whole Kafka message value: the envelope and the event's data."""
    try:
        _envelope_validator()(message)
    except fastjsonschema.JsonSchemaException as exc:
        raise ContractViolation(f"Envelope: {exc.message}") from None
    contract = contract_for(message["event_type"])
    if message["schema_version"] != contract.version:
        raise ContractViolation(
            f"{message['event_type']} declares {message['schema_version']}, contract is {contract.version}"
        )
    try:
        contract.validate(message["data"])
    except fastjsonschema.JsonSchemaException as exc:
        raise ContractViolation(f"{message['event_type']}: {exc.message}") from None


def compatibility_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why `new` cannot replace `old` under the same major version (empty if it can).

    Within a major version a schema may only gain optional properties: every old property
    keeps its type, nothing required is added or removed, and the version does not go back.
    A list of allowed values (`enum`, wherever it stands) may only grow, with the minor version.
    """
    problems: list[str] = []
    old_major, old_minor = (int(p) for p in old["x-schema-version"].split("."))
    new_major, new_minor = (int(p) for p in new["x-schema-version"].split("."))
    if new_major != old_major:
        return []  # a new major version is a new contract; consumers opt in
    if new_minor < old_minor:
        problems.append(f"version went back from {old['x-schema-version']} to {new['x-schema-version']}")
    if set(new.get("required", [])) != set(old.get("required", [])):
        problems.append("required fields changed")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, spec in old_props.items():
        if name not in new_props:
            problems.append(f"property {name!r} was removed")
        elif new_props[name].get("type") != spec.get("type") or new_props[name].get("format") != spec.get("format"):
            problems.append(f"property {name!r} changed type")
    added = set(new_props) - set(old_props)
    if added and new_minor == old_minor:
        problems.append(f"properties {sorted(added)} added without raising the minor version")
    problems += _enum_problems(old, new, same_minor=new_minor == old_minor)
    return problems


def _enums(node: Any, at: str = "") -> dict[str, list[Any]]:
    """Every `enum` in a schema, by where it stands ("/properties/kind/enum"), nested ones too."""
    found: dict[str, list[Any]] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum" and isinstance(value, list):
                found[f"{at}/enum"] = value
            else:
                found.update(_enums(value, f"{at}/{key}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.update(_enums(item, f"{at}/{index}"))
    return found


def _enum_problems(old: dict[str, Any], new: dict[str, Any], *, same_minor: bool) -> list[str]:
    """A value removed from a list (or the list dropped) breaks the consumers that rely on it;
    a value added breaks none that ignore what they do not know, but they must be told: a new
    minor version. Vocabularies (contracts/vocabularies/) are compared the same way."""
    problems: list[str] = []
    new_enums = _enums(new)
    for where, before in _enums(old).items():
        after = new_enums.get(where)
        if after is None:
            problems.append(f"enum {where} was removed")
        elif removed := [v for v in before if v not in after]:
            problems.append(f"enum {where} lost {removed}")
        elif same_minor and (added := [v for v in after if v not in before]):
            problems.append(f"enum {where} gained {added} without raising the minor version")
    return problems
