"""The sync from the municipality's SS 12000 register (ADR 0026), run in the service's process.

A run reads organisations, classes (groups), duties and persons in that order, page by page
(the client, services/ss12000): everything the first time or when asked (full), else what the
register changed since the last run (`meta.modified.after`) and what it removed
(`/deletedEntities`). Each page is written in one transaction of the register's tables, and the
persons of a page are then stored at once: their identities in the key store (encrypted under
each person's key), one event per changed person in the event store, and their state in the
person table; where the run stands is saved after each page. So:

- a malformed record is quarantined (one log line, fields and error kinds only) and the rest
  of the page goes on; the directory keeps the last good version of that person;
- a register that is down (RegisterUnavailable) ends the run with the last directory in force,
  and the next run resumes at the page where this one stopped;
- a person the register removed is flagged (RemovedFromRegister), never deleted;
- a pupil rektor registered locally is taken over by the register's record with the same
  personnummer: the same person id, source "register".
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from psycopg.types.json import Jsonb

from directory.application import DirectoryApplication
from directory.domain.model import (
    GUARDIAN, LOCAL, PUPIL, STAFF, Person, duty_role, person_id_for, structure,
)
from eventkit.identity import Identity, Role
from eventkit.store import acting_as
from ss12000.client import CLOCK_OVERLAP, Quarantined, RegisterRefused, RegisterUnavailable, SS12000Client
from ss12000.models import Duty, Group, Organisation
from ss12000.models import Person as RegisterPerson

log = logging.getLogger("directory.sync")
RESOURCES = ("organisations", "groups", "duties", "persons")
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
    identity: tuple[str, str] | None = None  # (personnummer, name), never logged
    removed: bool = False


def _sync_identity(municipality: str) -> Identity:
    """Who stores the register's changes: the register itself, in the person's municipality."""
    return Identity("ss12000", "Elevregistret", Role.MUNICIPALITY_ADMIN, municipality)


class RegisterSync:
    def __init__(self, app: DirectoryApplication, client: Callable[[], SS12000Client]) -> None:
        self.app = app
        self.tables = app.tables
        self.client = client
        self.lock = threading.Lock()
        self.running = False

    # -- a run --------------------------------------------------------------------------------------
    def run(self, full: bool = False) -> dict[str, Any]:
        """One run now (waiting for one under way); its report."""
        with self.lock:
            self.running = True
            try:
                return asyncio.run(self._run(full))
            finally:
                self.running = False

    def synced(self) -> bool:
        return bool(self.tables.sync_state()["synced"])

    async def _run(self, full: bool) -> dict[str, Any]:
        state = await asyncio.to_thread(self.tables.sync_state)
        full = full or not state["synced"]
        resume = state["resume"] if state["resume"] and state["resume"].get("full") == full else None
        started = dt.datetime.now(dt.timezone.utc)
        if resume:
            started = dt.datetime.fromisoformat(resume["started"])
        since = None if full else (dt.datetime.fromisoformat(resume["since"]) if resume and resume.get("since")
                                   else state["since"])
        report = Report(full, dt.datetime.now(dt.timezone.utc),
                        f"{resume['resource']}" + (" (page)" if resume.get("page_token") else "") if resume else None)
        run_id = await asyncio.to_thread(self._begin, report)
        generation = resume["generation"] if resume else run_id
        position = {"full": full, "started": started.isoformat(), "since": since.isoformat() if since else None,
                    "generation": generation}
        try:
            async with self.client() as client:
                await self._read(client, report, since, resume, position, generation)
                if since is not None:
                    deleted = await client.deleted(since)
                    await asyncio.to_thread(self._deleted, report, deleted, generation)
            if full:
                await asyncio.to_thread(self._not_seen, report, generation)
            await asyncio.to_thread(self._recompute_dirty, report, generation)
            await asyncio.to_thread(self._finish, started - CLOCK_OVERLAP)
        except (RegisterUnavailable, RegisterRefused) as error:
            report.error = type(error).__name__
            log.warning("sync stopped: %s; the last synced directory stays in force", report.error)
        except Exception as error:  # a fault of ours or the database: say so, keep the directory
            report.error = type(error).__name__
            log.exception("sync failed: %s", report.error)
        await asyncio.to_thread(self._end, run_id, report)
        return self.report(report)

    @staticmethod
    def report(report: Report) -> dict[str, Any]:
        return {"started": report.started.isoformat(), "full": report.full, "persons": report.persons,
                "changes": report.changes, "quarantined": report.quarantined, "resumed_from": report.resumed_from,
                "error": report.error}

    async def _read(self, client: SS12000Client, report: Report, since: dt.datetime | None,
                    resume: dict[str, Any] | None, position: dict[str, Any], generation: int) -> None:
        start = 0
        if resume:
            start = RESOURCES.index(resume["resource"]) if resume["resource"] in RESOURCES else len(RESOURCES)
        deferred: list[Item] = []
        for number, resource in enumerate(RESOURCES[start:], start):
            token = resume.get("page_token") if resume and number == start else None
            if resource == "persons" and token and await asyncio.to_thread(self._has_deferred):
                token = None  # persons held back by a stopped run: read them again
            async for page in client.pages(resource, modified_after=since, page_token=token):
                following = ({"resource": resource, "page_token": page.next_token} if page.next_token else
                             {"resource": RESOURCES[number + 1] if number + 1 < len(RESOURCES) else "done",
                              "page_token": None})
                await asyncio.to_thread(self._page, report, resource, page.records, page.quarantined,
                                        {**position, **following}, generation, deferred)
        if deferred:
            await asyncio.to_thread(self._resolve_deferred, report, deferred, generation)
        await asyncio.to_thread(self._read_done)

    def _read_done(self) -> None:
        with self.tables.connection() as conn:
            conn.execute("UPDATE sync_state SET resume = jsonb_set(resume - 'deferred', '{resource}', '\"done\"')"
                         " WHERE resume IS NOT NULL")

    # -- the run's book-keeping -----------------------------------------------------------------------
    def _begin(self, report: Report) -> int:
        with self.tables.connection() as conn:
            (run_id,) = conn.execute("INSERT INTO sync_run (started, full_sync, resumed_from) VALUES (%s, %s, %s)"
                                     " RETURNING id", (report.started, report.full, report.resumed_from)).fetchone()
        return run_id

    def _end(self, run_id: int, report: Report) -> None:
        with self.tables.connection() as conn:
            conn.execute("UPDATE sync_run SET finished = now(), persons = %s, changes = %s, quarantined = %s, error = %s"
                         " WHERE id = %s", (report.persons, report.changes, report.quarantined, report.error, run_id))

    def _finish(self, next_since: dt.datetime) -> None:
        with self.tables.connection() as conn:
            conn.execute("UPDATE sync_state SET since = %s, synced = true, resume = NULL", (next_since,))
            conn.execute("DELETE FROM dirty")

    def _has_deferred(self) -> bool:
        with self.tables.connection() as conn:
            return conn.execute("SELECT 1 FROM sync_state WHERE resume ? 'deferred'").fetchone() is not None

    def _quarantine(self, conn, report: Report, entries: list[Quarantined]) -> None:
        for entry in entries:
            log.warning("SS 12000 %s record %s quarantined: %s", entry.resource, entry.id, entry.reason)
        if entries:
            report.quarantined += len(entries)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO quarantine (resource, register_id, reason) VALUES (%s, %s, %s)"
                    " ON CONFLICT (resource, register_id) DO UPDATE SET reason = EXCLUDED.reason, last_seen = now()",
                    [(e.resource, e.id or "", e.reason) for e in entries])

    # -- one page --------------------------------------------------------------------------------------
    def _page(self, report: Report, resource: str, records: list[Any], quarantined: list[Quarantined],
              position: dict[str, Any], generation: int, deferred: list[Item]) -> None:
        if resource == "persons":
            items, held = self._person_items(records)
            deferred.extend(held)
            if held:
                position = {**position, "deferred": True}
            if deferred:
                position.setdefault("deferred", True)
            self._store(report, items, generation, quarantined, position)
            return
        with self.tables.connection() as conn, conn.transaction():
            if resource == "organisations":
                self._organisations(conn, records)
            elif resource == "groups":
                self._groups(conn, records, generation)
            elif resource == "duties":
                self._duties(conn, records, generation)
            self._quarantine(conn, report, quarantined)
            conn.execute("UPDATE sync_state SET resume = %s", (Jsonb(position),))

    def _organisations(self, conn, records: list[Organisation]) -> None:
        units = {str(o.id): o for o in records}
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO reg_organisation (register_id, code, municipality, name, kind) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (register_id) DO UPDATE SET code = EXCLUDED.code, municipality = EXCLUDED.municipality,"
                " name = EXCLUDED.name, kind = EXCLUDED.kind",
                [(i, o.school_unit_code, o.municipality_code or o.school_unit_code[:4], o.display_name,
                  o.organisation_type or "") for i, o in units.items()])

    def _groups(self, conn, records: list[Group], generation: int) -> None:
        ids = [str(g.id) for g in records]
        before = conn.execute("SELECT person_register_id FROM reg_membership WHERE group_register_id = ANY(%s)",
                              (ids,)).fetchall()
        conn.execute("DELETE FROM reg_membership WHERE group_register_id = ANY(%s)", (ids,))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO reg_group (register_id, unit_register_id, name, group_type, removed, seen_run)"
                " VALUES (%s, %s, %s, %s, false, %s) ON CONFLICT (register_id) DO UPDATE SET"
                " unit_register_id = EXCLUDED.unit_register_id, name = EXCLUDED.name,"
                " group_type = EXCLUDED.group_type, removed = false, seen_run = EXCLUDED.seen_run",
                [(str(g.id), str(g.organisation.id), g.display_name, g.group_type, generation) for g in records])
            members = [(str(g.id), str(m.person.id), m.start_date, m.end_date) for g in records for m in g.group_memberships]
            cur.executemany("INSERT INTO reg_membership VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING", members)
        self._dirty(conn, [r for (r,) in before] + [m[1] for m in members])

    def _duties(self, conn, records: list[Duty], generation: int) -> None:
        ids = [str(d.id) for d in records]
        before = conn.execute("SELECT person_register_id FROM reg_duty WHERE register_id = ANY(%s)", (ids,)).fetchall()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO reg_duty (register_id, person_register_id, unit_register_id, role, start_date, end_date,"
                " removed, seen_run) VALUES (%s, %s, %s, %s, %s, %s, false, %s) ON CONFLICT (register_id) DO UPDATE SET"
                " person_register_id = EXCLUDED.person_register_id, unit_register_id = EXCLUDED.unit_register_id,"
                " role = EXCLUDED.role, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,"
                " removed = false, seen_run = EXCLUDED.seen_run",
                [(str(d.id), str(d.person.id), str(d.duty_at.id), d.duty_role.value, d.start_date, d.end_date,
                  generation) for d in records])
        self._dirty(conn, [r for (r,) in before] + [str(d.person.id) for d in records])

    @staticmethod
    def _dirty(conn, register_ids: list[str]) -> None:
        if register_ids:
            conn.execute("INSERT INTO dirty (register_id) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                         (sorted(set(register_ids)),))

    # -- persons ---------------------------------------------------------------------------------------
    def _person_items(self, records: list[RegisterPerson]) -> tuple[list[Item], list[Item]]:
        """The page's persons with their municipality: an existing person's, the unit of an
        enrolment or a duty, or their pupil's (a guardian). A guardian whose pupil is not read
        yet is held back until the persons are all read."""
        units = self._units()
        items = [Item(str(p.id), "", _register_fields(p), (p.civic_no.value, _name(p))) for p in records]
        with self.tables.connection() as conn:
            self._municipalities(conn, items, units)
        return [i for i in items if i.municipality], [i for i in items if not i.municipality]

    def _units(self) -> dict[str, dict[str, str]]:
        return self.tables.units()

    def _municipalities(self, conn, items: list[Item], units: dict[str, dict[str, str]]) -> None:
        ids = [i.register_id for i in items]
        known = dict(conn.execute("SELECT register_id, municipality FROM person WHERE register_id = ANY(%s)",
                                  (ids,)).fetchall())
        by_duty = dict(conn.execute(
            "SELECT d.person_register_id, o.municipality FROM reg_duty d JOIN reg_organisation o"
            " ON o.register_id = d.unit_register_id WHERE d.person_register_id = ANY(%s) AND NOT d.removed", (ids,)).fetchall())
        by_pupil = dict(conn.execute(
            "SELECT r.guardian_register_id, p.municipality FROM reg_responsible r JOIN person p"
            " ON p.register_id = r.pupil_register_id WHERE r.guardian_register_id = ANY(%s)", (ids,)).fetchall())
        for item in items:
            enrolled = [units[e["unit"]]["municipality"] for e in item.register["enrolments"] if e["unit"] in units]
            item.municipality = (known.get(item.register_id) or (enrolled[0] if enrolled else None)
                                 or by_duty.get(item.register_id) or by_pupil.get(item.register_id) or "")

    def _resolve_deferred(self, report: Report, deferred: list[Item], generation: int) -> None:
        units = self._units()
        municipalities = {u["municipality"] for u in units.values()}
        for start in range(0, len(deferred), 500):
            batch = deferred[start:start + 500]
            with self.tables.connection() as conn:
                self._municipalities(conn, batch, units)
            for item in batch:
                if not item.municipality and len(municipalities) == 1:
                    item.municipality = next(iter(municipalities))
            lost = [Quarantined("persons", i.register_id, "municipality: no unit, duty or pupil of the register")
                    for i in batch if not i.municipality]
            self._store(report, [i for i in batch if i.municipality], generation, lost, None)

    def _store(self, report: Report, items: list[Item], generation: int, quarantined: list[Quarantined],
               position: dict[str, Any] | None) -> None:
        """Store a page of persons: the register's tables, the identities, the events, the states."""
        with self.tables.connection() as conn, conn.transaction():
            pupils = [i for i in items if i.register["enrolments"] or i.register["responsibles"]]
            if pupils:
                conn.execute("DELETE FROM reg_responsible WHERE pupil_register_id = ANY(%s)",
                             ([i.register_id for i in pupils],))
                with conn.cursor() as cur:
                    cur.executemany("INSERT INTO reg_responsible VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                    [(i.register_id, g) for i in pupils for g in i.register["responsibles"]])
                # A guardian read earlier becomes a guardian now: their structure is recomputed.
                self._dirty(conn, [g for i in pupils for g in i.register["responsibles"]])
        report.persons += len(items)
        refused = self.apply(report, items, generation)
        with self.tables.connection() as conn, conn.transaction():
            self._quarantine(conn, report, quarantined + [
                Quarantined("persons", i.register_id, "civicNo: held by another person of the register")
                for i in items if i.register_id in refused])
            if position is not None:
                conn.execute("UPDATE sync_state SET resume = %s", (Jsonb(position),))

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
            held = self.app.keys.put_identities(municipality, identities)
            refused |= {i.register_id for i in group if ids[i.register_id] in held}
            chosen = [i for i in group if i.register_id not in refused and (i.identity or i.register_id in rows)]
            people = self._aggregates(chosen, ids, rows, takeovers, states, today)
            changed = [p for p, _ in people if p.pending_events]
            self._save(municipality, changed, people)
            report.changes += len(changed)
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
        self.app.index.put_many((row, *(item.identity or (None, None))) for row, (_, item) in zip(rows, people))

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
                                       "start_date": _iso(start), "end_date": _iso(end)})
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

    # -- removals and recomputation ------------------------------------------------------------------
    def _deleted(self, report: Report, deleted: Any, generation: int) -> None:
        with self.tables.connection() as conn, conn.transaction():
            duties = [str(i) for i in deleted.duties]
            groups = [str(i) for i in deleted.groups]
            people = [r for (r,) in conn.execute(
                "UPDATE reg_duty SET removed = true WHERE register_id = ANY(%s) RETURNING person_register_id", (duties,))]
            people += [r for (r,) in conn.execute(
                "SELECT person_register_id FROM reg_membership WHERE group_register_id = ANY(%s)", (groups,))]
            conn.execute("UPDATE reg_group SET removed = true WHERE register_id = ANY(%s)", (groups,))
            self._dirty(conn, people)
        self._remove(report, [str(i) for i in deleted.persons], generation)

    def _not_seen(self, report: Report, generation: int) -> None:
        """A full run: what the register no longer has is removed (flagged, never deleted)."""
        with self.tables.connection() as conn, conn.transaction():
            people = [r for (r,) in conn.execute(
                "UPDATE reg_duty SET removed = true WHERE seen_run < %s AND NOT removed RETURNING person_register_id",
                (generation,))]
            people += [r for (r,) in conn.execute(
                "SELECT m.person_register_id FROM reg_membership m JOIN reg_group g ON g.register_id = m.group_register_id"
                " WHERE g.seen_run < %s AND NOT g.removed", (generation,))]
            conn.execute("UPDATE reg_group SET removed = true WHERE seen_run < %s", (generation,))
            self._dirty(conn, people)
            gone = [r for (r,) in conn.execute(
                "SELECT register_id FROM person WHERE register_id IS NOT NULL AND seen_run < %s AND NOT removed",
                (generation,))]
        self._remove(report, gone, generation)

    def _remove(self, report: Report, register_ids: list[str], generation: int) -> None:
        for start in range(0, len(register_ids), 500):
            with self.tables.connection() as conn:
                rows = self.tables.persons_by_register_id(conn, register_ids[start:start + 500])
            items = [Item(r["register_id"], r["municipality"], r["register"], removed=True) for r in rows.values()]
            with self.tables.connection() as conn:
                conn.execute("DELETE FROM reg_responsible WHERE pupil_register_id = ANY(%s)",
                             ([i.register_id for i in items],))
            self._apply_known(report, items, generation)

    def _recompute_dirty(self, report: Report, generation: int) -> None:
        """People whose class, duty or guardianship changed without their own record."""
        while True:
            with self.tables.connection() as conn:
                ids = [r for (r,) in conn.execute("SELECT register_id FROM dirty ORDER BY register_id LIMIT 500")]
                rows = self.tables.persons_by_register_id(conn, ids)
                conn.execute("DELETE FROM dirty WHERE register_id = ANY(%s)", ([i for i in ids if i not in rows],))
            if not ids:
                return
            items = [Item(r["register_id"], r["municipality"], r["register"], removed=r["removed"])
                     for r in rows.values()]
            self._apply_known(report, [i for i in items if not i.removed], generation)
            with self.tables.connection() as conn:
                conn.execute("DELETE FROM dirty WHERE register_id = ANY(%s)", (ids,))

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


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _name(person: RegisterPerson) -> str:
    return " ".join(part for part in (person.given_name, person.middle_name, person.family_name) if part)


def _register_fields(person: RegisterPerson) -> dict[str, Any]:
    """What of the register's record the structure is computed from (no name, no personnummer)."""
    return {
        "enrolments": [{"unit": str(e.enroled_at.id), "start_date": _iso(e.start_date), "end_date": _iso(e.end_date)}
                       for e in person.enrolments if not e.cancelled],
        "responsibles": [str(g) for g in person.guardian_ids],
        "protected": person.protected,
        "user_id": person.user_id or "",
    }
