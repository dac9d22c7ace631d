"""The directory application: the municipality's people in the words of the register.

Queries (a search, a list of the caller's pupils, one pupil) answer within the caller's scope
(R14): pupils placed at one of the caller's school units, protected ones for rektor only, "not there" for everything else. Every pupil read is
written to the access log first (R15). The sync (directory.sync) writes through `apply`, which
stores a page of people in the event store, the key store and the person table.
"""
from __future__ import annotations

import uuid
from datetime import date
from functools import cached_property
from typing import Any, Callable, Iterator

from directory.domain.model import (
    GUARDIAN, LOCAL, PUPIL, LocalRegistrationReason, Person, birth_date_of, pupil_name,
    pupil_personal_number, staff_identity,
)
from directory.domain.rules import PersonalNumberIsNotInTheDirectory, RegistrationIsAtAKnownSchoolUnit
from directory.index import PupilIndex
from directory.tables import Tables
from eventkit import authz
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose, refused_record
from eventkit.identity import Identity, NotPermitted, Role
from eventkit.keystore import KeyStore
from eventkit.store import ServiceApplication
from eventkit.dates import local_today



class PersonNotFound(Exception):
    pass


class DirectoryApplication(ServiceApplication):
    name = "directory"
    database_variable = "DIRECTORY_DB"

    def __init__(self, env: dict[str, str] | None = None,
                 today: Callable[[], date] = local_today) -> None:
        super().__init__(env)
        self.today = today
        self.keys = KeyStore(self.database_variable)
        self.tables = Tables(self.database_variable)
        self.access_log = AccessLog(self.database_variable, "directory")
        self._index: PupilIndex | None = None

    # -- the search index ---------------------------------------------------------------------------
    @cached_property
    def index(self) -> PupilIndex:
        """Built once per process from the person table and the key store, a municipality's
        pupils at a time (the county's persons at once were the service's largest memory)."""
        index = PupilIndex()
        for municipality in self.tables.municipalities():
            pupils = self.tables.pupils(municipality)
            identities = self.keys.identities_of([p["person_id"] for p in pupils])
            index.put_many((person, identity.personal_number, identity.name) for person in pupils
                           if (identity := identities.get(person["person_id"])) is not None)
        return index

    # -- local registration ------------------------------------------------------------------------
    def register_locally(self, who: Identity, *, school_unit: str, personal_number: str, given_name: str,
                         family_name: str, class_name: str, reason: LocalRegistrationReason) -> str:
        """Rektor registers a pupil the register does not know yet (rules: directory.domain)."""
        authz.require(who, "directory.pupils.register")
        if not who.belongs_to(school_unit):
            raise NotPermitted("Du kan bara registrera elever på din egen skolenhet.")
        if school_unit not in {u["code"] for u in self.tables.units().values() if u["municipality"] == who.municipality}:
            raise RegistrationIsAtAKnownSchoolUnit()
        today = self.today()
        number = pupil_personal_number(personal_number, today)
        name = pupil_name(given_name, family_name)
        wanted = str(self.creation_id("local-pupil", who) or uuid.uuid4())
        existing = self.keys.find(who.municipality, number)
        if existing is not None and existing != wanted:
            raise PersonalNumberIsNotInTheDirectory(existing)
        ref = self.keys.pupil_for(who.municipality, number, name, ref=wanted)
        if ref != wanted:  # another registration of the same personnummer came first
            raise PersonalNumberIsNotInTheDirectory(ref)
        person = Person.register_locally(id=uuid.UUID(ref), municipality=who.municipality, school_unit=school_unit,
                                         class_name=(class_name or "").strip(), reason=reason,
                                         registered_by=who.user_id, on=today)
        self.save_created(who, person)
        row = {"person_id": ref, "municipality": who.municipality, "register_id": "", "source": LOCAL,
               "version": person.version, "state": person.state, "removed": False, "changed_on": today,
               "register": {}}
        with self.tables.connection() as conn:
            self.tables.put_persons(conn, [row], 0)
        self.index.put(row, number, name)
        self.access_log.record(AccessEntry(who, who.municipality, school_unit, "change", "/pupils", ref, ref))
        return ref

    # -- pupils ------------------------------------------------------------------------------------
    def search(self, who: Identity, q: str, school_unit: str | None, limit: int = 25) -> list[dict[str, Any]]:
        authz.require(who, "directory.pupils.read")
        units = authz.units_in_scope(who, school_unit)
        hits = self.index.search(who.municipality, units, q, see_protected=who.role is Role.REKTOR,
                                 today=self.today(), limit=limit)
        self.access_log.record(*(AccessEntry(who, who.municipality, h["school_unit"], "search", "/pupils",
                                             h["pupil_id"], h["pupil_id"]) for h in hits))
        return hits

    def pupils(self, who: Identity, school_unit: str | None, class_name: str | None = None, limit: int = 100,
               offset: int = 0) -> dict[str, Any]:
        """The pupils placed now at the caller's units (or one of them; of one class when asked),
        in class order and then by family name, a page at a time: those listed are access-logged."""
        authz.require(who, "directory.pupils.read")
        units = authz.units_in_scope(who, school_unit)
        total, listed = self.index.listing(who.municipality, units, class_name=class_name,
                                           see_protected=who.role is Role.REKTOR, today=self.today(),
                                           limit=limit, offset=offset)
        self.access_log.record(*(AccessEntry(who, who.municipality, p["school_unit"], "list", "/pupils",
                                             p["pupil_id"], p["pupil_id"]) for p in listed))
        return {"pupils": listed, "total": total, "offset": offset, "limit": limit}

    def pupil(self, who: Identity, pupil_id: uuid.UUID) -> dict[str, Any]:
        authz.require(who, "directory.pupils.read")
        person = self.tables.person(pupil_id)
        if person is None or person["municipality"] != who.municipality or PUPIL not in person["state"]["kinds"]:
            raise PersonNotFound(str(pupil_id))
        state = person["state"]
        units = [p["school_unit"] for p in state["placements"] if who.belongs_to(p["school_unit"])]
        if not units or (state["protected"] and who.role is not Role.REKTOR):  # logged as refused (R15)
            placed = [p["school_unit"] for p in state["placements"]]
            raise refused_record(PersonNotFound(str(pupil_id)), who.municipality, (units or placed or [""])[0],
                                 person["person_id"])
        identities = self.keys.identities_of([person["person_id"], *state["guardian_ids"]])
        identity = identities.get(person["person_id"])
        if identity is None:  # disposed of: the key is gone
            raise PersonNotFound(str(pupil_id))
        purpose = current_purpose("read", "/pupils/{pupil_id}")
        self.access_log.record(AccessEntry(who, who.municipality, units[0], purpose.action, purpose.resource,
                                           person["person_id"], person["person_id"]))
        return {
            "pupil_id": person["person_id"], "name": identity.name, "personal_number": identity.personal_number,
            "birth_date": birth_date_of(identity.personal_number).isoformat(), "protected": state["protected"],
            "removed_from_register": person["removed"], "source": person["source"],
            "placements": state["placements"],
            "guardians": [{"guardian_id": g, "name": identities[g].name} for g in state["guardian_ids"] if g in identities],
        }

    # -- staff -------------------------------------------------------------------------------------
    def staff_member(self, who: Identity, user_id: str) -> dict[str, Any]:
        """Who a login is: role and units from the person's current duties."""
        authz.require(who, "directory.staff.identity")
        person = self.tables.staff_by_user_id(user_id)
        if person is not None and who.municipality and person["municipality"] != who.municipality:
            person = None  # the login job asks for anyone; a municipality's own job only for its own
        found = staff_identity(person["state"]["duties"], self.today()) if person else None
        if found is None:
            raise PersonNotFound(user_id)
        identity = self.keys.identities_of([person["person_id"]]).get(person["person_id"])
        if identity is None:
            raise PersonNotFound(user_id)
        return {"user_id": user_id, "name": identity.name, "role": found.role, "municipality": person["municipality"],
                "school_units": list(found.school_units), "medical": found.medical, "profession": found.profession}

    def staff(self, who: Identity, school_unit: str | None, with_email: bool = False) -> list[dict[str, Any]]:
        """The municipality's current staff with role and units; `with_email`: with each one's
        work address too (the notifications job only: `directory.staff.email`)."""
        authz.require(who, "directory.staff.read")
        if with_email:
            authz.require(who, "directory.staff.email")
        today = self.today()
        chosen = []
        for person in self.tables.staff(who.municipality):
            found = staff_identity(person["state"]["duties"], today)
            if found is None or not person["user_id"] or (school_unit and school_unit not in found.school_units):
                continue
            chosen.append((person, found))
        names = self.keys.identities_of([p["person_id"] for p, _ in chosen])
        staff = [{"user_id": p["user_id"], "name": names[p["person_id"]].name, "role": f.role,
                  "school_units": list(f.school_units),
                  **({"email": names[p["person_id"]].email} if with_email else {})}
                 for p, f in chosen if p["person_id"] in names]
        return sorted(staff, key=lambda s: s["name"])

    # -- the register's organisations ----------------------------------------------------------------
    def school_units(self, who: Identity) -> list[dict[str, Any]]:
        """The caller's municipality's organisations as the register names them, with each one's
        postal address (what a decision letter prints under the school's name); no pupil in it."""
        authz.require(who, "directory.staff.read")
        units = [{"code": u["code"], "name": u["name"], "address": u["address"]}
                 for u in self.tables.units().values() if u["municipality"] == who.municipality]
        return sorted(units, key=lambda u: u["code"])

    # -- the name register (R22) --------------------------------------------------------------------
    def register_names(self, who: Identity) -> Iterator[list[dict[str, Any]]]:
        """Every pupil's and guardian's name of the caller's municipality, for the name check,
        a page at a time (the caller's permission is checked before the first)."""
        authz.require(who, "directory.names")

        def pages() -> Iterator[list[dict[str, Any]]]:
            for identities in self.keys.identities_in_pages(who.municipality):
                kinds = self.tables.kinds_of([identity.pupil_ref for identity in identities])
                page = []
                for identity in identities:
                    if identity.pupil_ref not in kinds:
                        continue
                    person_kinds, protected = kinds[identity.pupil_ref]
                    kind = PUPIL if PUPIL in person_kinds else GUARDIAN if GUARDIAN in person_kinds else None
                    if kind is not None:
                        page.append({"person_id": identity.pupil_ref, "name": identity.name, "kind": kind,
                                     "protected": protected})
                yield page

        return pages()
