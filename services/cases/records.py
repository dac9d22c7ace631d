"""Record keeping of the cases service: the access log (R15, ADR 0019) and disposal by
crypto-shredding (R17, ADR 0020), around the cases application.

- Every case the application hands out (read, history, as-of, print, export, every command)
  passes `_case_for`; here it is logged durably before anything is returned or changed.
- The pupil's personal data in events is encrypted under the pupil's own key
  (eventkit.shredding, fields in cases.personal_data); keys in `pupil_key` (eventkit.keystore)
  in this service's own database.
- Disposal follows the municipality's plan (cases.domain.disposal), is recorded as an event
  (published as PupilRecordsDisposed), then destroys the key.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import replace
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

import deidentify
from cases import access
from cases.directory import Directory, DirectoryUnavailable
from cases.application import CaseNotFound, CasesApplication, OpenedCase
from cases.domain.disposal import (
    HELD_BACK, RECORD_KINDS, CaseRecord, DisposalRun, Preview, PupilRecordsDisposal, RecordsAreDisposedOnce,
    RecordsAreDisposedOnlyWhenDue, RetentionPlan, SUPPORT_CASE, disposed_pupil, record_of, why_held_back,
)
from cases.domain.model import SupportCase
from cases.domain.protection import ProtectionSteps
from cases.domain.values import PersonalIdentityNumber, RegisterPupil
from cases.personal_data import PERSONAL_FIELDS
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose, purpose, refused_record
from eventkit.identity import Identity, NotPermitted, Role
from eventkit.keystore import KeyStore
from eventkit.shredding import Shredding, about
from eventkit.store import acting_as

MAX_NAMES = 100
REGISTER_SECONDS = 30


class PupilNotFound(Exception):
    pass


class RecordKeepingCases(Shredding, CasesApplication):
    personal_fields = PERSONAL_FIELDS
    name = "cases"  # the same event store tables as the plain application

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        keys: KeyStore | None = None,
        access_log: AccessLog | None = None,
        retention: Callable[[str], RetentionPlan] = lambda municipality: RetentionPlan(),
        directory: Directory | None = None,
        **kwargs: Any,
    ) -> None:
        # The mapper is built by the base class's constructor and needs the keys.
        self.keys = keys or KeyStore("CASES_DB")
        self.access_log = access_log or AccessLog("CASES_DB", "cases")
        self.retention = retention
        # municipality → (until, register of open names, pupils' name words, protected, every ref named)
        self._registers: dict[str, tuple[float, deidentify.Register, list, list, frozenset]] = {}
        self._reading: dict[str, threading.Lock] = {}  # municipality → held while its register is read
        self.directory = directory  # the directory's names for the name check (R22)
        self._directory_people: dict[str, list[dict[str, Any]]] = {}
        super().__init__(env, **kwargs)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        # Events of a case are about its pupil: encrypt their personal fields under that key.
        subject = next((o.pupil_ref for o in objs if getattr(o, "pupil_ref", "")), "")  # a case, or its medical record
        with about(subject):
            return super().save(*objs, **kwargs)

    # -- R15: every case handed out is logged first ----------------------------------------------
    def open_case(self, who: Identity, *, school_unit: str, pupil: RegisterPupil) -> OpenedCase:
        """The pupil's personnummer and name are kept under the pupil's own key, whose reference
        is the directory's id of the pupil (a pupil who had a case before the directory keeps
        the reference given then)."""
        number = self.admissible_pupil(who, school_unit, pupil)
        ref = self.keys.pupil_for(who.municipality, number.value, " ".join(pupil.name.split()), ref=pupil.pupil_id)
        opened = super().open_case(who, school_unit=school_unit, pupil=replace(pupil, pupil_id=ref))
        self.keys.link(ref, str(opened.case_id))
        self._named_by_register(who.municipality, ref)
        if opened.existing:  # the pupil's open case is answered: its id is handed out, not changed
            action = current_purpose("read", "/cases")
            self.access_log.record(AccessEntry(who, who.municipality, school_unit, "read", action.resource,
                                               str(opened.case_id), ref))
        else:
            action = current_purpose("change", "/cases")
            self.access_log.record(AccessEntry(who, who.municipality, school_unit, "change", action.resource,
                                               str(opened.case_id), ref))
        return opened

    def _case_for(self, who: Identity, case_id: UUID) -> SupportCase:
        case = self._authorized_case(who, case_id)
        asked = current_purpose("read", "case")
        self.access_log.record(AccessEntry(
            who, case.municipality, case.school_unit, asked.action, asked.resource, str(case.id), case.pupil_ref or None,
        ))
        return case

    def _authorized_case(self, who: Identity, case_id: UUID) -> SupportCase:
        case = super()._case_for(who, case_id)
        if _disposed(case, self.keys.existing([case.pupil_ref] if case.pupil_ref else [])):
            raise refused_record(CaseNotFound(str(case_id)), case.municipality, case.school_unit,
                                 case.pupil_ref)  # disposed of: gone for everyone
        return case

    def pupil_names(self, who: Identity, case_ids: list[UUID]) -> dict[str, str]:
        """Names for a list the user may see (the follow-up page), logged as one list access
        per pupil, in one transaction, before they are returned. Whose keys are left is asked
        once for the whole list."""
        access.require_role(who, access.READ)  # a role without case access: refused, not an empty list
        seen = []
        cases = self.get_many(case_ids[:MAX_NAMES])  # one read for the page, not one per row
        for case_id in case_ids[:MAX_NAMES]:
            try:
                seen.append(self._seen_by(who, case_id, cases.get(case_id)))
            except (CaseNotFound, NotPermitted):
                continue
        living = self.keys.existing(case.pupil_ref for case in seen if case.pupil_ref)
        names, entries = {}, []
        for case in seen:
            if _disposed(case, living):
                continue
            names[str(case.id)] = case.pupil_name
            entries.append(AccessEntry(who, case.municipality, case.school_unit, "list", "/cases/pupil-names",
                                       str(case.id), case.pupil_ref or None))
        self.access_log.record(*entries)
        return names

    # -- loggkontroll: personnummer → pseudonymous reference --------------------------------------
    def find_pupil(self, who: Identity, personal_number: str) -> str:
        access.require_role(who, access.FIND_PUPIL)
        pupil = PersonalIdentityNumber.parse(personal_number)
        ref = self.keys.find(who.municipality, pupil.value)
        self.access_log.record(AccessEntry(who, who.municipality, "", "search", "/pupils/lookup", ref or "", ref))
        if ref is None:
            raise PupilNotFound()
        return ref

    # -- loggkontroll: who the pupils of one page are ----------------------------------------------
    def pupils_for_log(self, who: Identity, pupil_refs: list[str], *, export: bool = False) -> dict[str, dict[str, Any]]:
        """For each reference of the administrator's municipality: {"name": ...}, or
        {"protected": True} for a pupil with protected identity the caller is not granted (R14),
        or {"disposed": True} when the pupil's records are disposed of (R17), or {"unknown": True}
        when no name can be given (the directory does not answer; not a pupil of the municipality). Pupils of a case here are
        named from this service's key store, others from the directory's register. Every name
        given is access-logged (R15) before it is returned; for an `export` (loggkontroll's CSV
        file) every pupil in it is logged as exported, and an export naming no pupil once."""
        access.require_role(who, access.LOG_NAMES)
        refs = list(dict.fromkeys(pupil_refs))[:MAX_NAMES]
        answer: dict[str, dict[str, Any]] = {}
        identities = self.keys.identities_of(refs)
        try:
            register = {p["person_id"]: p for p in self._directory_names(who.municipality)}
        except DirectoryUnavailable:
            register = None
        shielded = self._protected_pupils(who.municipality)
        entries = []
        for ref in refs:
            known = identities.get(ref)
            if known is not None and self.keys.owner(ref) != who.municipality:
                known = None  # another municipality's pupil: not named here
            listed = (register or {}).get(ref)
            disposal = self._disposal(ref)
            if disposal is not None and disposal.municipality == who.municipality:
                answer[ref] = {"disposed": True}
            elif (ref in shielded and who.user_id not in shielded[ref]) or (
                    listed and listed["protected"] and who.user_id not in self._granted_on_cases_of(ref)):
                answer[ref] = {"protected": True}
            elif known is not None or listed is not None:
                answer[ref] = {"name": known.name if known is not None else listed["name"]}
                entries.append(AccessEntry(who, who.municipality, "", "list", "/pupils/log-names", ref, ref))
            else:
                answer[ref] = {"unknown": True}  # not of this municipality, or gone from the register too
        if export:
            entries = [AccessEntry(who, who.municipality, "", "export", "/accesslog/export", ref, ref) for ref in refs] or [
                AccessEntry(who, who.municipality, "", "export", "/accesslog/export", "", None)]
        self.access_log.record(*entries)
        return answer

    # -- R22 for the deviations service: where does a text name one of our people? -----------------
    def register_matches_in(self, who: Identity, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """For each text, the positions of the words that match the name of one of the
        municipality's people (deidentify.register_matches, on the normalised text): only where
        the caller's own text names someone, never a name (ADR 0022). A word that matches only a
        protected pupil the caller is not granted (R14) is answered "protected", which the check
        turns into a refusal that names no one. Each pupil whose name was matched is logged as
        searched (R15)."""
        return self._names_in(who, texts)[0]

    def pupils_named_in(self, who: Identity, texts: list[str]) -> list[dict[str, Any]]:
        """The pupils the texts name, as pseudonymous references with whether their identity is
        protected: for the deviations service alone (the route checks the calling service),
        which keeps a deviation's texts under a key of its own, disposed of with these pupils'
        records (R17), and refuses a text naming a protected pupil (R14). Logged as searched."""
        refs = self._names_in(who, texts)[1]
        shielded = {ref for ref, _, _ in self._register(who.municipality)[2]}
        for text in texts:  # a personnummer names its pupil as surely as a name
            for found in deidentify.identity_numbers_in(text):
                try:
                    pupil = PersonalIdentityNumber.parse(found.text)
                except ValueError:
                    continue
                if ref := self.keys.find(who.municipality, pupil.value):
                    refs.add(ref)
        return [{"pupil_ref": ref, "protected": ref in shielded} for ref in sorted(refs)]

    def _names_in(self, who: Identity, texts: list[str]) -> tuple[list[list[tuple[int, int, str]]], set[str]]:
        access.require_role(who, access.NAMES)
        register, people, protected = self._register(who.municipality)
        withheld = deidentify.Register.of(name for _, name, granted in protected if who.user_id not in granted)
        seen = deidentify.Register.of(name for _, name, granted in protected if who.user_id in granted)
        answer, refs = [], set()
        everyone = people + [(ref, {w.lower() for w in re.findall(r"\w+", name)}) for ref, name, _ in protected]
        for text in texts:
            normal = deidentify.normalise(text).text
            found = []
            for start, end, how in deidentify.register_matches(normal, deidentify.Register.joined(register, seen, withheld)):
                word = normal[start:end]
                if not register.matches(word) and not seen.matches(word):
                    how = "protected"
                found.append((start, end, how))
            answer.append(found)
            refs |= _best_matching(everyone, {normal[s:e].lower().strip("'") for s, e, _ in found})
        if refs:
            self.access_log.record(*(AccessEntry(who, who.municipality, "", "search", "/pupils/names-in-text", "", ref)
                                     for ref in sorted(refs)))
        return answer, refs

    def _register(self, municipality: str) -> tuple[deidentify.Register, list[tuple[str, set[str]]], list[tuple[str, str, frozenset]]]:
        """The municipality's register of names — the open part indexed, and the protected
        people apart with who is granted — kept for REGISTER_SECONDS (and dropped at once when
        this process adds or disposes of a pupil, or changes a protection). The names are every
        pupil's with a case here and every pupil's and guardian's of the directory; a person the
        register protects is withheld from everyone not granted on a case of theirs (R14).
        The pupils (`people`) are those a text can be said to name (pupils_named_in).
        One request reads it at a time per municipality; the others asking meanwhile wait for
        that reading instead of each reading the whole municipality at once."""
        cached = self._registers.get(municipality)
        if cached is None or cached[0] < time.monotonic():
            with self._reading.setdefault(municipality, threading.Lock()):
                cached = self._registers.get(municipality)
                if cached is None or cached[0] < time.monotonic():
                    cached = self._registers[municipality] = self._read_register(municipality)
        return cached[1], cached[2], cached[3]

    def _read_register(self, municipality: str) -> tuple[float, deidentify.Register, list, list, frozenset]:
        shielded = self._protected_pupils(municipality)
        directory = self._directory_names(municipality)
        for person in directory:
            if person["protected"] and person["person_id"] not in shielded:
                shielded[person["person_id"]] = self._granted_on_cases_of(person["person_id"])
        identities = [(p.pupil_ref, p.name) for p in self.keys.identities(municipality)]
        pupils = identities + [(p["person_id"], p["name"]) for p in directory if p["kind"] == "pupil"]
        everyone = identities + [(p["person_id"], p["name"]) for p in directory]
        register = deidentify.Register.of(name for ref, name in everyone if ref not in shielded)
        people = [(ref, {w.lower() for w in re.findall(r"\w+", name)}) for ref, name in pupils if ref not in shielded]
        protected = [(ref, name, shielded[ref]) for ref, name in dict.fromkeys(everyone) if ref in shielded]
        return time.monotonic() + REGISTER_SECONDS, register, people, protected, frozenset(ref for ref, _ in everyone)

    def _named_by_register(self, municipality: str, ref: str) -> None:
        """A pupil now has a case here: the municipality's register is read again only if it does
        not know the pupil (every opening dropped it, and with a county's openings and texts the
        whole municipality's names were read and decrypted again for nearly every text checked)."""
        cached = self._registers.get(municipality)
        if cached is not None and ref not in cached[4]:
            self._registers.pop(municipality, None)

    def _directory_names(self, municipality: str) -> list[dict[str, Any]]:
        """Every pupil's and guardian's name from the directory; while it does not answer, the
        last names it gave (never none: a check without them would pass names it should find)."""
        if self.directory is None:
            return []
        try:
            people = [{"person_id": str(p["person_id"]), "name": p["name"], "kind": p.get("kind", "pupil"),
                       "protected": bool(p.get("protected"))} for p in self.directory.register_names(municipality)]
        except DirectoryUnavailable:
            if municipality not in self._directory_people:
                raise
            return self._directory_people[municipality]
        self._directory_people[municipality] = people
        return people

    def _protected_pupils(self, municipality: str) -> dict[str, frozenset[str]]:
        """pupil_ref → the users granted, for every protected pupil of the municipality (R14)."""
        shielded: dict[str, frozenset[str]] = {}
        # Stored under the mixin's event class; not decoded (a disposed pupil's key is gone).
        marked = self.aggregate_ids(ProtectionSteps.ProtectedIdentityMarked)
        for case_id in dict.fromkeys([*marked, *self.aggregate_ids(ProtectionSteps.RegisterProtectionChanged)]):
            case = self._stored_case(str(case_id))
            if case is not None and case.municipality == municipality and case.protected and case.pupil_ref:
                shielded[case.pupil_ref] = frozenset(shielded.get(case.pupil_ref, frozenset()) | set(case.granted_to))
        return shielded

    def _cases_of_pupil(self, pupil_ref: str) -> list[UUID]:
        """The pupil's cases, from the pupil's records (no case decoded to find them)."""
        records = self.keys.records(pupil_ref)  # one query for the many pupils without a case here
        if not records or not self.keys.exists(pupil_ref):
            return []  # no case here, or disposed of
        return [UUID(record) for record in records]

    def follow_register(self, change, rektors) -> int:
        changed = super().follow_register(change, rektors)
        if changed:
            self._registers.pop(change.municipality, None)
        return changed

    def _granted_on_cases_of(self, pupil_ref: str) -> frozenset[str]:
        """Who is granted on the protected cases of a pupil the register protects."""
        granted: set[str] = set()
        for case_id in self.keys.records(pupil_ref):
            case = self._stored_case(case_id)
            if isinstance(case, SupportCase) and case.protected:
                granted |= set(case.granted_to)
        return frozenset(granted)

    def mark_protected(self, who: Identity, case_id: UUID, expected_version: int | None = None) -> None:
        super().mark_protected(who, case_id, expected_version)
        self._registers.clear()

    def grant_access(self, who: Identity, case_id: UUID, *, user_id: str, expected_version: int | None = None) -> None:
        super().grant_access(who, case_id, user_id=user_id, expected_version=expected_version)
        self._registers.clear()

    def revoke_access(self, who: Identity, case_id: UUID, *, user_id: str, expected_version: int | None = None) -> None:
        super().revoke_access(who, case_id, user_id=user_id, expected_version=expected_version)
        self._registers.clear()

    # -- R17 disposal -----------------------------------------------------------------------------
    def dispose(self, who: Identity, pupil_ref: str, *, scheduled: bool = False, rotate: bool = True) -> dict[str, Any]:
        """One pupil's disposal, when the plan says the records are due (cases.domain.disposal's
        holds, the same for the single pupil, the page's run and the scheduled job). `rotate`:
        re-wrap the living keys now (a run rotates once, at its end)."""
        access.require_role(who, access.DISPOSE)
        recorded = self._disposal(pupil_ref)
        owner = self.keys.owner(pupil_ref)
        if owner is None or owner != who.municipality:
            if recorded is not None and recorded.municipality == who.municipality:
                if self.repeated(recorded.id):  # a retry of this very disposal (ADR 0023): the first answer
                    return _disposal_answer(pupil_ref, recorded)
                raise RecordsAreDisposedOnce()
            raise PupilNotFound()
        if recorded is None:  # a disposal interrupted after it was recorded only destroys the key
            cases = self._pupil_cases(pupil_ref)
            recorded = PupilRecordsDisposal.dispose(
                pupil_ref=pupil_ref, municipality=owner, cases=[record_of(c) for c in cases],
                plan=self.retention(owner), today=self.today(), disposed_by=who.user_id, scheduled=scheduled,
            )
            self.access_log.record(*(AccessEntry(who, c.municipality, c.school_unit, "disposal",
                                                 "/pupils/{pupil_ref}/disposal", str(c.id), pupil_ref) for c in cases))
            with acting_as(who):
                self.save(recorded)
        self.keys.destroy(pupil_ref, rotate=rotate)
        self._registers.pop(owner, None)
        return _disposal_answer(pupil_ref, recorded)

    # -- R17 in the open: what falls due, a run, and the record of each run -----------------------
    def disposal_preview(self, who: Identity) -> dict[str, Any]:
        """What a run today would dispose of in the caller's municipality, in counts per school
        unit, year and kind of record, and how many pupils each hold keeps (never a name or a
        reference: the administrator sees counts, so nothing here is a pupil's record read)."""
        access.require_role(who, access.DISPOSAL_READ)
        plan = self.retention(who.municipality)
        preview = Preview.of(plan, [records for _, records in self._pupils_of(who.municipality)], self.today())
        return {"today": self.today().isoformat(), "retention_years": int(plan.years.get(SUPPORT_CASE, 5)),
                **_counts_answer(preview.counts()),
                "held_back": [{"rule": rule, "label": HELD_BACK[rule], "pupils": n}
                              for rule, n in sorted(preview.held_back.items(), key=lambda item: list(HELD_BACK).index(item[0]))]}

    def run_disposal(self, who: Identity, *, scheduled: bool = False, rotate: bool = True) -> dict[str, Any] | None:
        """Dispose of every pupil of the municipality whose records are due, each as `dispose`
        does, and record the run (`DisposalRun`). One run at a time per municipality; a retried
        or double-submitted run (the same idempotency key) answers the first one's record. A run
        that disposed of nobody records nothing (the scheduled job's answer is then None)."""
        access.require_role(who, access.DISPOSE)
        run_id = self.creation_id("disposal-run", who)
        with self.keys.exclusive(f"disposal-run:{who.municipality}"):
            if run_id is not None and (done := self._run(run_id)) is not None:
                return _run_answer(done)
            plan, today, disposed = self.retention(who.municipality), self.today(), []
            for pupil_ref, records in self._pupils_of(who.municipality):
                if why_held_back(plan, records, today) is not None:
                    continue
                try:
                    with purpose("disposal", "/disposal/runs"):
                        self.dispose(who, pupil_ref, scheduled=scheduled, rotate=False)
                except (RecordsAreDisposedOnlyWhenDue, RecordsAreDisposedOnce, PupilNotFound):
                    continue  # changed since it was read (a new step on the case, another run)
                disposed.append(disposed_pupil(plan, records))
            if disposed and rotate:
                self.keys.rotate()  # the disposed keys' old copies are now under destroyed versions only
            if not disposed:  # nothing to record: a run that disposed of nobody stores nothing
                return None if scheduled else {"run_id": None, "run_by": who.user_id, "scheduled": False,
                                               "run_on": today.isoformat(), "recorded_at": None,
                                               **_counts_answer(Preview((), {}).counts())}
            run = DisposalRun.record(municipality=who.municipality, run_by=who.user_id, scheduled=scheduled, on=today,
                                     pupils=disposed, id=run_id)
            self.save_created(who, run)
            return _run_answer(self._run(run.id) or run)

    def disposal_runs(self, who: Identity, limit: int = 50) -> list[dict[str, Any]]:
        """The record of the municipality's runs, the newest first."""
        access.require_role(who, access.DISPOSAL_READ)
        ids = self.aggregate_ids(DisposalRun.Recorded, lambda e: e.municipality == who.municipality)
        runs = [self._run(run_id) for run_id in reversed(ids[-limit:])]
        return [_run_answer(run) for run in runs if run is not None]

    def dispose_due(self) -> int:
        """The scheduled disposal: a run in every municipality that has pupils, as the
        administrator's run from the page (the same holds, the same record), rotating once."""
        disposed = 0
        for municipality in dict.fromkeys(m for _, m in self.keys.living()):
            job = Identity("gallring", "Schemalagd gallring", Role.MUNICIPALITY_ADMIN, municipality)
            with purpose("disposal", "scheduled"):
                run = self.run_disposal(job, scheduled=True, rotate=False)
            disposed += run["pupils"] if run else 0
        if disposed:
            self.keys.rotate()
        return disposed

    def _pupils_of(self, municipality: str) -> list[tuple[str, list[CaseRecord]]]:
        """Every living pupil of the municipality with their cases as disposal sees them."""
        return [(ref, [record_of(c) for c in self._pupil_cases(ref)])
                for ref, owner in self.keys.living() if owner == municipality]

    def _pupil_cases(self, pupil_ref: str) -> list[SupportCase]:
        cases = [self._stored_case(case_id) for case_id in self.keys.records(pupil_ref)]
        return [c for c in cases if isinstance(c, SupportCase)]

    def _run(self, run_id: UUID) -> DisposalRun | None:
        try:
            run = self.repository.get(run_id)
        except AggregateNotFoundError:
            return None
        return run if isinstance(run, DisposalRun) else None

    def _disposal(self, pupil_ref: str) -> PupilRecordsDisposal | None:
        try:
            return self.repository.get(PupilRecordsDisposal.id_for(pupil_ref))
        except AggregateNotFoundError:
            return None

    def _stored_case(self, case_id: str) -> SupportCase | None:
        try:
            return self.repository.get(UUID(case_id))
        except AggregateNotFoundError:
            return None


def _counts_answer(counts: dict[str, Any]) -> dict[str, Any]:
    return {
        "pupils": counts["pupils"], "cases": counts["cases"],
        "per_unit_and_year": [{"school_unit": unit, "year": year, "pupils": n} for unit, year, n in counts["per_unit_and_year"]],
        "kinds": [{"kind": kind, "label": RECORD_KINDS.get(kind, kind), "pupils": n} for kind, n in counts["kinds"]],
    }


def _run_answer(run: DisposalRun) -> dict[str, Any]:
    return {
        "run_id": str(run.id), "run_by": run.run_by, "scheduled": run.scheduled, "run_on": run.run_on.isoformat(),
        "recorded_at": run.created_on.isoformat(),
        **_counts_answer({"pupils": run.pupils, "cases": run.cases, "per_unit_and_year": run.per_unit_and_year,
                          "kinds": run.kinds}),
    }


def _disposal_answer(pupil_ref: str, recorded: PupilRecordsDisposal) -> dict[str, Any]:
    return {"pupil_ref": pupil_ref, "case_ids": recorded.case_ids, "disposed_on": recorded.disposed_on.isoformat()}


def _best_matching(people: list[tuple[str, set[str]]], matched: set[str]) -> set[str]:
    """The pupils a text's matched words name: those with the most of their name parts among
    them (a genitive counts), so "Kalle Lindqvist" is that one pupil, and "Kalles" alone every
    Kalle."""
    if not matched:
        return set()
    words = matched | {piece for w in matched if "-" in w for piece in w.split("-")}  # "hassan-familjen"
    words |= {w[:-1] for w in words if w.endswith(("s", "x", "z"))}
    scores = {ref: len(parts & words) for ref, parts in people}
    best = max(scores.values(), default=0)
    return {ref for ref, score in scores.items() if score == best and best > 0}


def _disposed(case: SupportCase, living: set[str]) -> bool:
    """The case's pupil's records were disposed of (the key is gone): the case is gone for everyone."""
    return bool(case.pupil_ref) and case.pupil_ref not in living
