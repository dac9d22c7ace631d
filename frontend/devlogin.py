"""What the school register does not carry: municipalities, school units (with names) and the
people outside the schools (municipality administrators, the region's staff, the BUS secretariat).

Loaded from DEV_ORGANISATION_FILE (deploy/dev-organisation.json). School staff come from the
directory service (frontend/staff.py; at login frontend/oidc.py). Login itself is OpenID
Connect; with OIDC_IDENTITY_SOURCE=directory the people of this file are looked up here by the
ID token's `sub`. (The module keeps its old name so other imports stay valid.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eventkit.identity import Identity, Role

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "deploy" / "dev-organisation.json"

ROLE_LABELS = {
    Role.TEACHER: "lärare",
    Role.SPECIAL_EDUCATOR: "specialpedagog",
    Role.EHT_MEMBER: "elevhälsoteam",
    Role.REKTOR: "rektor",
    Role.MUNICIPALITY_ADMIN: "kommunadministratör",
    Role.REGION_STAFF: "regionens personal",
    Role.BUS_SECRETARIAT: "BUS-sekretariatet",
}


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(Role(role), str(role))


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str


@dataclass(frozen=True)
class Organisation:
    municipalities: tuple[Municipality, ...]
    unit_names: dict[str, str]
    users: tuple[Identity, ...]

    @classmethod
    def load(cls, path: Path | str = DEFAULT_FILE) -> "Organisation":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        municipalities = tuple(Municipality(m["code"], m["name"]) for m in data["municipalities"])
        unit_names = {
            unit["code"]: unit["name"] for m in data["municipalities"] for unit in m["school_units"]
        }
        users = tuple(
            Identity(
                user_id=u["user_id"],
                display_name=u["name"],
                role=Role(u["role"]),
                municipality=u["municipality"],
                school_units=tuple(u["school_units"]),
                medical=u.get("medical", False),
            )
            for u in data["users"]
        )
        return cls(municipalities, unit_names, users)

    def user(self, user_id: str) -> Identity | None:
        return next((u for u in self.users if u.user_id == user_id), None)

    def users_in(self, municipality: str) -> list[Identity]:
        return [u for u in self.users if u.municipality == municipality]

    def unit_name(self, code: str) -> str:
        return self.unit_names.get(code, code)
