"""`make contracts`: publish every list of allowed values from the domain that owns it.

Each list lives once, in its owning service's domain, as a `LabelledEnum` (value and Swedish
label). This writes contracts/vocabularies/<Name>.v<major>.json from it (a JSON Schema `enum`
with the labels in `x-labels`), and rewrites the inline `enum` of every event-contract property
annotated `"x-vocabulary": "<Name>"`; event contracts keep their values inline so that the
relay's compiled validator stays as fast as before (ADR 0014).

A file whose values grow gets its minor version raised here (consumers must accept the new
value); a value removed is refused, since that needs a new major version (a new file) and the
consumers that go with it. `--check` writes nothing and lists what is stale;
tests/unit/test_vocabularies.py runs the same check.

Run with PYTHONPATH=services:. (the Makefile sets it).
"""
from __future__ import annotations

import argparse
import enum
import json
import sys
from pathlib import Path
from typing import Any, Mapping

from cases.domain.appeal import AppealStatus, BoardOutcome, SentBackTo
from cases.domain.decision import DecisionKind, DeliveryMethod, Placement
from cases.domain.investigation import PARTS as INVESTIGATION_PARTS
from competence.domain.values import Attainment, Party, Qualification, Specialisation, SupervisionProvider
from deviations.domain.values import Category, OrganisationKind, Side
from directory.domain.model import LocalRegistrationReason
from documentation.domain.values import Factor, Kind, Level
from eventkit.contracts import CONTRACTS_DIR
from eventkit.vocabulary import newest_file, vocabularies_dir
from notifications.domain.values import Mode as NotificationMode

# Published name → the owning service and its list (a LabelledEnum, or value → label).
VOCABULARIES: dict[str, tuple[str, type[enum.Enum] | Mapping[str, str]]] = {
    "OrganisationKind": ("deviations", OrganisationKind),
    "OrganisationSide": ("deviations", Side),
    "DeviationCategory": ("deviations", Category),
    "DecisionKind": ("cases", DecisionKind),
    "Placement": ("cases", Placement),
    "DeliveryMethod": ("cases", DeliveryMethod),
    "BoardOutcome": ("cases", BoardOutcome),
    "SentBackTo": ("cases", SentBackTo),
    "AppealStatus": ("cases", AppealStatus),
    "InvestigationPart": ("cases", INVESTIGATION_PARTS),
    "InterventionLevel": ("documentation", Level),
    "InterventionKind": ("documentation", Kind),
    "LearningEnvironmentFactor": ("documentation", Factor),
    "DialogueParty": ("competence", Party),
    "Attainment": ("competence", Attainment),
    "Qualification": ("competence", Qualification),
    "Specialisation": ("competence", Specialisation),
    "SupervisionProvider": ("competence", SupervisionProvider),
    "LocalRegistrationReason": ("directory", LocalRegistrationReason),
    "NotificationMode": ("notifications", NotificationMode),
}


class ValueRemoved(Exception):
    """A value was removed from a published list: a breaking change, a new major version."""


def _labels(source: type[enum.Enum] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(source, Mapping):
        return dict(source)
    return {member.value: member.label for member in source}


# Lists kept as a value → label mapping in their domain have no docstring of their own.
MAPPING_DESCRIPTIONS = {"InvestigationPart": "The parts an investigation must cover (R3), in the order the form asks for them."}


def _description(name: str, source: type[enum.Enum] | Mapping[str, str]) -> str:
    return " ".join((MAPPING_DESCRIPTIONS.get(name) or source.__doc__ or "").split())


def _versioned(old: dict[str, Any] | None, values: list[str], where: str) -> str:
    """The version `new` needs: the old one if the values are the same, minor + 1 if added."""
    if old is None:
        return "1.0"
    before = old.get("enum", [])
    if set(before) - set(values):
        raise ValueRemoved(
            f"{where}: {sorted(set(before) - set(values))} removed; that is a breaking change and needs a new major version"
        )
    major, minor = (int(p) for p in old["x-schema-version"].split("."))
    return f"{major}.{minor + 1}" if set(values) - set(before) else old["x-schema-version"]


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def vocabulary_files(contracts_dir: Path = CONTRACTS_DIR) -> dict[Path, dict[str, Any]]:
    """What every vocabulary file must hold, by path."""
    files = {}
    for name, (owner, source) in VOCABULARIES.items():
        path = newest_file(contracts_dir, name) or vocabularies_dir(contracts_dir) / f"{name}.v1.json"
        labels = _labels(source)
        old = _read(path)
        version = _versioned(old, list(labels), str(path))
        major = version.split(".")[0]
        files[path] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:stodspar:contracts:vocabularies:{name}:v{major}",
            "title": name,
            "x-schema-version": version,
            "x-owner": owner,
            "description": _description(name, source),
            "type": "string",
            "enum": list(labels),
            "x-labels": labels,
        }
    return files


def _annotated(node: Any, values: Mapping[str, list[str]]) -> tuple[Any, list[tuple[list[str], list[str]]]]:
    """`node` with every annotated enum set from its vocabulary, and the (old, new) enums."""
    changes: list[tuple[list[str], list[str]]] = []
    if isinstance(node, list):
        parts = [_annotated(item, values) for item in node]
        return [p for p, _ in parts], [c for _, cs in parts for c in cs]
    if not isinstance(node, dict):
        return node, changes
    out = {}
    for key, value in node.items():
        out[key], found = _annotated(value, values)
        changes += found
    if "x-vocabulary" in node:
        name = node["x-vocabulary"]
        if name not in values:
            raise KeyError(f"x-vocabulary {name!r} is not one of deploy/contracts.py's VOCABULARIES")
        out["enum"] = list(values[name])
        changes.append((node.get("enum", []), out["enum"]))
    return out, changes


def event_contract_files(contracts_dir: Path = CONTRACTS_DIR) -> dict[Path, dict[str, Any]]:
    """What every event contract with an annotated enum must hold, by path."""
    values = {name: list(_labels(source)) for name, (_, source) in VOCABULARIES.items()}
    files = {}
    for path in sorted((contracts_dir / "events").glob("*.json")):
        old = _read(path)
        new, changes = _annotated(old, values)
        if not changes:
            continue
        version = old["x-schema-version"]
        for before, after in changes:
            bumped = _versioned({"enum": before, "x-schema-version": old["x-schema-version"]}, after, str(path))
            version = max(version, bumped, key=lambda v: tuple(int(p) for p in v.split(".")))
        new["x-schema-version"] = version
        files[path] = new
    return files


def generated(contracts_dir: Path = CONTRACTS_DIR) -> dict[Path, dict[str, Any]]:
    return {**vocabulary_files(contracts_dir), **event_contract_files(contracts_dir)}


def stale(contracts_dir: Path = CONTRACTS_DIR) -> list[Path]:
    """The files `make contracts` would write (compared as JSON, not as text)."""
    return [path for path, content in generated(contracts_dir).items() if _read(path) != content]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    try:
        files = generated()
    except ValueRemoved as exc:
        print(f"contracts: {exc}", file=sys.stderr)
        return 2
    outdated = [path for path, content in files.items() if _read(path) != content]
    for path in outdated:
        if args.check:
            print(f"stale: {path.relative_to(CONTRACTS_DIR.parent)}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(files[path], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(CONTRACTS_DIR.parent)}")
    return 1 if args.check and outdated else 0


if __name__ == "__main__":
    sys.exit(main())
