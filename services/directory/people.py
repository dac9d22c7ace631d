"""How the sync stores people (directory.sync): each person's structure computed from their
register record and the register's tables, their identity in the key store, one event per
changed person (all of a page in one save), and their state in the person table and the search
index. Every step is an idempotent upsert, so a run stopped between two is completed by the next."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from directory.application import DirectoryApplication
from directory.domain.model import GUARDIAN, LOCAL, PUPIL, STAFF, Person, duty_role, person_id_for, structure
from directory.tables import Tables
from eventkit.identity import Identity, Role
from eventkit.store import acting_as

CLASS = "Klass"


@dataclass
class Report:
    full: bool
    started: dt.datetime
    resumed_from: str | None = None
    persons: int = 0
    changes: int = 0
    quarantined: int = 0
    error: str | None = None


@dataclass
class Item:
    """A register person to store: their structure's inputs, and the identity when read now."""
    register_id: str
    municipality: str
    register: dict[str, Any]
    identity: tuple[str, str, str] | None = None  # (personnummer, name, work e-mail or ""), never logged
    removed: bool = False


def _sync_identity(municipality: str) -> Identity:
    """Who stores the register's changes: the register itself, in the person's municipality."""
    return Identity("ss12000", "Elevregistret", Role.MUNICIPALITY_ADMIN, municipality)


class PersonWriter:
    app: DirectoryApplication
    tables: Tables

    def _units(self) -> dict[str, dict[str, str]]:
        return self.tables.units()

    @staticmethod
    def _dirty(conn, register_ids: list[str]) -> None:
        if register_ids:
            conn.execute("INSERT INTO dirty (register_id) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                         (sorted(set(register_ids)),))

    # -- applying to the aggregates -------------------------------------------------------------------
    def apply(self, report: Report, items: list[Item], generation: int) -> set[str]:
        """Each person's structure from the register's tables, stored where it changed. Returns
        the register ids refused (a personnummer another person holds)."""
        if not items:
            return set()
        today = self.app.today()
        with self.tables.connection() as conn:
            rows = self.tables.persons_by_register_id(conn, [i.register_id for i in items])
            states = self._structures(conn, items)
            takeovers = self._local_pupils(conn, [i for i in items if i.register_id not in rows and i.identity])
        refused: set[str] = set()
        by_municipality: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            by_municipality[item.municipality].append(item)
        for municipality, group in by_municipality.items():
            ids = {i.register_id: (rows[i.register_id]["person_id"] if i.register_id in rows
                                   else takeovers.get((municipality, i.identity[0]) if i.identity else None)
                                   or str(person_id_for(municipality, i.register_id))) for i in group}
            identities = [(ids[i.register_id], *i.identity) for i in group if i.identity]
            held, renamed = self.app.keys.put_identities(municipality, identities)
            refused |= {i.register_id for i in group if ids[i.register_id] in held}
            chosen = [i for i in group if i.register_id not in refused and (i.identity or i.register_id in rows)]
            people = self._aggregates(chosen, ids, rows, takeovers, states, today)
            changed = [p for p, _ in people if p.pending_events]
            self._save(municipality, changed, people)
            # A change of name or personnummer is a change too, though no event carries it.
            report.changes += len({str(p.id) for p in changed} | renamed)
            self._remember(people, generation)
        return refused

    def _aggregates(self, items: list[Item], ids: dict[str, str], rows: dict[str, dict[str, Any]],
                    takeovers: dict, states: dict[str, dict[str, Any]], today: dt.date) -> list[tuple[Person, Item]]:
        people = []
        local = {}
        if takeovers:
            with self.tables.connection() as conn:
                local = self.tables.persons(conn, takeovers.values())
        for item in items:
            person_id = ids[item.register_id]
            row = rows.get(item.register_id) or local.get(person_id)
            state = states[item.register_id]
            if row is None:
                person = Person.from_register(municipality=item.municipality, register_id=item.register_id,
                                              state=state, on=today)
            else:
                person = _resumed(row)
                if item.removed:
                    person.remove_from_register(today)
                else:
                    person.follow_register(item.register_id, state, today)
            people.append((person, item))
        return people

    def _save(self, municipality: str, changed: list[Person], people: list[tuple[Person, Item]]) -> None:
        if not changed:
            return
        try:
            with acting_as(_sync_identity(municipality)):
                self.app.save(*changed)
        except IntegrityError:
            # The person table was behind the event store (a run stopped between the two):
            # replay those people and apply the register's record again.
            today = self.app.today()
            redone = []
            for index, (person, item) in enumerate(people):
                if not person.pending_events:
                    continue
                try:
                    fresh: Person = self.app.repository.get(person.id)
                except AggregateNotFoundError:
                    redone.append(person)
                    continue
                if person.removed_from_register:
                    fresh.remove_from_register(today)
                else:
                    fresh.follow_register(item.register_id, person.state, today)
                people[index] = (fresh, item)
                redone.append(fresh)
            with acting_as(_sync_identity(municipality)):
                self.app.save(*[p for p in redone if p.pending_events])

    def _remember(self, people: list[tuple[Person, Item]], generation: int) -> None:
        rows = [{"person_id": str(p.id), "municipality": p.municipality, "register_id": p.register_id,
                 "source": p.source, "version": p.version, "state": p.state, "removed": p.removed_from_register,
                 "changed_on": p.changed_on, "register": item.register} for p, item in people]
        with self.tables.connection() as conn, conn.transaction():
            self.tables.put_persons(conn, rows, generation)
            ids = [item.register_id for _, item in people]
            conn.execute("DELETE FROM dirty WHERE register_id = ANY(%s)", (ids,))
        self.app.index.put_many((row, *(item.identity[:2] if item.identity else (None, None)))
                                for row, (_, item) in zip(rows, people))

    def _local_pupils(self, conn, items: list[Item]) -> dict[tuple[str, str], str]:
        """(municipality, personnummer) → the id of a pupil registered locally with it."""
        if not items or conn.execute("SELECT 1 FROM person WHERE source = %s LIMIT 1", (LOCAL,)).fetchone() is None:
            return {}
        found = {}
        for item in items:
            ref = self.app.keys.find(item.municipality, item.identity[0])
            if ref is not None:
                row = conn.execute("SELECT source FROM person WHERE person_id = %s", (ref,)).fetchone()
                if row and row[0] == LOCAL:
                    found[(item.municipality, item.identity[0])] = ref
        return found

    def _structures(self, conn, items: list[Item]) -> dict[str, dict[str, Any]]:
        """Each person's structure from their record and the register's tables."""
        ids = [i.register_id for i in items]
        units = self._units()
        classes: dict[str, list[tuple]] = defaultdict(list)
        for person, unit, name, start, end in conn.execute(
                "SELECT m.person_register_id, g.unit_register_id, g.name, m.start_date, m.end_date FROM reg_membership m"
                " JOIN reg_group g ON g.register_id = m.group_register_id"
                " WHERE m.person_register_id = ANY(%s) AND NOT g.removed AND g.group_type = %s", (ids, CLASS)).fetchall():
            classes[person].append((unit, name, start, end))
        duties: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for person, unit, role, start, end in conn.execute(
                "SELECT person_register_id, unit_register_id, role, start_date, end_date FROM reg_duty"
                " WHERE person_register_id = ANY(%s) AND NOT removed", (ids,)).fetchall():
            if unit in units:
                ours, profession = duty_role(role)
                duties[person].append({"school_unit": units[unit]["code"], "role": ours, "profession": profession,
                                       "start_date": iso_date(start), "end_date": iso_date(end)})
        guardians = {r for (r,) in conn.execute(
            "SELECT DISTINCT guardian_register_id FROM reg_responsible WHERE guardian_register_id = ANY(%s)", (ids,))}
        states = {}
        today = self.app.today()
        for item in items:
            record = item.register
            placements = []
            for enrolment in record["enrolments"]:
                if enrolment["unit"] not in units:
                    continue
                mine = [c for c in classes[item.register_id] if c[0] == enrolment["unit"]]
                now = [c for c in mine if (c[2] is None or c[2] <= today) and (c[3] is None or c[3] >= today)]
                class_name = (now or mine or [("", "")])[0][1]
                placements.append({"school_unit": units[enrolment["unit"]]["code"], "class_name": class_name,
                                   "start_date": enrolment["start_date"], "end_date": enrolment["end_date"]})
            kinds = ([PUPIL] if placements else []) + ([STAFF] if duties[item.register_id] else []) + (
                [GUARDIAN] if item.register_id in guardians else [])
            states[item.register_id] = structure(
                kinds=kinds, protected=record["protected"], placements=placements,
                guardian_ids=[str(person_id_for(item.municipality, g)) for g in record["responsibles"]],
                duties=duties[item.register_id], user_id=record["user_id"])
        return states

    def _apply_known(self, report: Report, items: list[Item], generation: int) -> None:
        """Known people without their record read now (no identity: the stored one stays)."""
        today = self.app.today()
        with self.tables.connection() as conn:
            rows = self.tables.persons_by_register_id(conn, [i.register_id for i in items])
            states = self._structures(conn, items)
        by_municipality: dict[str, list[tuple[Person, Item]]] = defaultdict(list)
        for item in items:
            person = _resumed(rows[item.register_id])
            if item.removed:
                person.remove_from_register(today)
            else:
                person.follow_register(item.register_id, states[item.register_id], today)
            by_municipality[item.municipality].append((person, item))
        for municipality, people in by_municipality.items():
            changed = [p for p, _ in people if p.pending_events]
            self._save(municipality, changed, people)
            report.changes += len(changed)
            self._remember(people, generation)


def _resumed(row: dict[str, Any]) -> Person:
    return Person.resumed(id=uuid.UUID(str(row["person_id"])),
                          version=row["version"], municipality=row["municipality"], register_id=row["register_id"],
                          source=row["source"], state=row["state"], removed_from_register=row["removed"],
                          changed_on=row["changed_on"])


def iso_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
