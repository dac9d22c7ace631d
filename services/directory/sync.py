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
from typing import Any, Callable

from psycopg.types.json import Jsonb

from directory.application import DirectoryApplication
from directory.people import Item, PersonWriter, Report, iso_date
from ss12000.client import CLOCK_OVERLAP, Quarantined, RegisterRefused, RegisterUnavailable, SS12000Client
from ss12000.models import Duty, Group, Organisation
from ss12000.models import Person as RegisterPerson

log = logging.getLogger("directory.sync")
RESOURCES = ("organisations", "groups", "duties", "persons")


class RegisterSync(PersonWriter):
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
                "INSERT INTO reg_organisation (register_id, code, municipality, name, kind, address)"
                " VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (register_id) DO UPDATE SET code = EXCLUDED.code, municipality = EXCLUDED.municipality,"
                " name = EXCLUDED.name, kind = EXCLUDED.kind, address = EXCLUDED.address",
                [(i, o.school_unit_code, o.municipality_code or o.school_unit_code[:4], o.display_name,
                  o.organisation_type or "", Jsonb(_address(o))) for i, o in units.items()])

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

    # -- persons ---------------------------------------------------------------------------------------
    def _person_items(self, records: list[RegisterPerson]) -> tuple[list[Item], list[Item]]:
        """The page's persons with their municipality: an existing person's, the unit of an
        enrolment or a duty, or their pupil's (a guardian). A guardian whose pupil is not read
        yet is held back until the persons are all read."""
        units = self._units()
        items = [Item(str(p.id), "", _register_fields(p), (p.civic_no.value, _name(p), _work_email(p))) for p in records]
        with self.tables.connection() as conn:
            self._municipalities(conn, items, units)
        return [i for i in items if i.municipality], [i for i in items if not i.municipality]


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


def _name(person: RegisterPerson) -> str:
    return " ".join(part for part in (person.given_name, person.middle_name, person.family_name) if part)


def _work_email(person: RegisterPerson) -> str:
    """A staff member's work address (only for those who log in to Stödspår), kept beside the
    name in the key store, never in the person table."""
    return person.work_email if person.user_id else ""


def _register_fields(person: RegisterPerson) -> dict[str, Any]:
    """What of the register's record the structure is computed from (no name, no personnummer)."""
    return {
        "enrolments": [{"unit": str(e.enroled_at.id), "start_date": iso_date(e.start_date), "end_date": iso_date(e.end_date)}
                       for e in person.enrolments if not e.cancelled],
        "responsibles": [str(g) for g in person.guardian_ids],
        "protected": person.protected,
        "user_id": person.user_id or "",
    }


def _address(unit: Organisation) -> dict[str, str]:
    """The unit's postal address as the letters print it (the register's parts, trimmed), or {}."""
    if unit.address is None:
        return {}
    parts = {"street_address": unit.address.street_address, "postal_code": unit.address.postal_code,
             "locality": unit.address.locality}
    return {key: value.strip()[:200] for key, value in parts.items() if value and value.strip()}
