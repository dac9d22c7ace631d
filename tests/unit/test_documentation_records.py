"""R15 and R17 for the documentation (ADR 0021), in memory: the application over the
library's in-memory event store, a key ring and an access log in memory, a case directory in
memory. No database, no broker, no cases service."""
from __future__ import annotations

import json
import uuid
from datetime import date
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from documentation.application import InterventionNotFound
from documentation.domain.disposal import DocumentationDisposal
from documentation.domain.model import Intervention
from documentation.domain.rules import DisposedPupilGetsNoNewDocumentation
from documentation.domain.values import CaseReference
from eventkit.disposal import disposal_in
from documentation.personal_data import PERSONAL_FIELDS, STRUCTURE
from documentation.records import RecordKeepingDocumentation
from eventkit.accesslog import AccessEntry, AccessNotLogged, purpose
from eventkit.identity import Identity, Role
from eventkit.shredding import MissingDataSubject

TODAY = date(2026, 3, 10)
SECRET = "Hemliga Hedvig läser långsamt"
EDUCATOR = Identity("sara.berg", "Sara Berg", Role.SPECIAL_EDUCATOR, "0126", ("0126-SKO",))
REKTOR = Identity("per.wiklund", "Per Wiklund", Role.REKTOR, "0126", ("0126-SKO",))


class Keys:
    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.links: dict[str, set[str]] = {}

    def key(self, subject: str) -> bytes | None:
        return self.keys.get(subject)

    def adopt(self, subject: str, municipality: str) -> None:
        self.keys.setdefault(subject, AESGCM.generate_key(bit_length=256))

    def link(self, subject: str, record_id: str) -> None:
        self.links.setdefault(subject, set()).add(record_id)

    def records(self, subject: str) -> list[str]:
        return sorted(self.links.get(subject, ()))

    def destroy(self, *subjects: str) -> int:
        return sum(self.keys.pop(subject, None) is not None for subject in subjects)


class Log:
    def __init__(self) -> None:
        self.entries: list[AccessEntry] = []
        self.broken = False

    def record(self, *entries: AccessEntry) -> None:
        if self.broken:
            raise AccessNotLogged("away")
        self.entries.extend(entries)


class Cases:
    def __init__(self, *cases: CaseReference) -> None:
        self.cases = {c.case_id: c for c in cases}

    def find(self, who: Identity, case_id: UUID) -> CaseReference | None:
        return self.cases.get(case_id)

    def names_in(self, who: Identity, texts: dict[str, str]) -> set[str]:
        return set()  # no one of the register is named in these tests' texts


def documentation(*cases: CaseReference):
    keys, log = Keys(), Log()
    app = RecordKeepingDocumentation(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keys=keys, access_log=log,
                                     cases=Cases(*cases), today=lambda: TODAY)
    return app, keys, log


def a_case(pupil_ref: str | None = None) -> CaseReference:
    return CaseReference(uuid4(), "0126", "0126-SKO", open_investigation=None, pupil_ref=pupil_ref or str(uuid4()))


def content(level="individual", **changes):
    fields = dict(level=level, kind="teaching", performed_on=date(2026, 3, 2), minutes=40, hinders=["structure"],
                  supports=["materials"], hinders_note=f"{SECRET} vid övergångar", supports_note=f"{SECRET} med ljudbok",
                  description=f"Enskild undervisning: {SECRET}", group="7B" if level == "group" else "")
    fields.update(changes)
    return fields


def edit(**changes):
    """A correction's content: everything but the level."""
    fields = {k: v for k, v in content().items() if k != "level"}
    fields.update(changes)
    return fields


def raw_events(app) -> bytes:
    return b"".join(n.state for n in app.recorder.select_notifications(1, 1000))


# -- R15 ------------------------------------------------------------------------------------------
def test_r15_reading_recording_and_correcting_pupil_documentation_is_logged_with_the_pupils_reference():
    case = a_case()
    app, _, log = documentation(case)
    with purpose("change", "/interventions"):
        intervention_id = app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())
    with purpose("print", "/interventions/{intervention_id}"):
        assert SECRET in app.details(REKTOR, intervention_id)["description"]
    with purpose("read", "/cases/{case_id}/interventions"):
        app.for_case(REKTOR, case.case_id)
    with purpose("change", "/interventions/{intervention_id}/corrections"):
        app.correct(EDUCATOR, intervention_id, reason="Fel tid", **edit(minutes=50))
    with purpose("change", "/interventions/{intervention_id}/withdrawal"):
        app.withdraw(EDUCATOR, intervention_id, reason="Fel elev")

    seen = [(e.who.user_id, e.action, e.resource, e.resource_id, e.pupil_ref) for e in log.entries]
    assert seen == [
        ("sara.berg", "change", "/interventions", str(intervention_id), case.pupil_ref),
        ("per.wiklund", "print", "/interventions/{intervention_id}", str(intervention_id), case.pupil_ref),
        ("per.wiklund", "read", "/cases/{case_id}/interventions", str(case.case_id), case.pupil_ref),
        ("sara.berg", "change", "/interventions/{intervention_id}/corrections", str(intervention_id), case.pupil_ref),
        ("sara.berg", "change", "/interventions/{intervention_id}/withdrawal", str(intervention_id), case.pupil_ref),
    ]
    assert all(e.municipality == "0126" and e.school_unit == "0126-SKO" for e in log.entries)


def test_r15_organisation_and_group_documentation_is_not_logged_as_a_pupils_record():
    app, _, log = documentation()
    group = app.record(EDUCATOR, school_unit="0126-SKO", **content("group", hinders_note="Stökigt", supports_note="",
                                                                   description="Handledning"))
    app.details(REKTOR, group)
    app.interventions(REKTOR)
    app.overview(REKTOR, school_unit="0126-SKO")
    assert log.entries == []


def test_r15_pupil_documentation_that_cannot_be_logged_is_not_shown():
    case = a_case()
    app, _, log = documentation(case)
    intervention_id = app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())
    log.broken = True
    with pytest.raises(AccessNotLogged):
        app.details(REKTOR, intervention_id)
    with pytest.raises(AccessNotLogged):
        app.for_case(REKTOR, case.case_id)
    with pytest.raises(AccessNotLogged):
        app.correct(EDUCATOR, intervention_id, reason="Fel tid", **edit(minutes=50))
    assert app.repository.get(intervention_id).minutes == 40  # the unlogged change was not made


# -- R17 ------------------------------------------------------------------------------------------
def test_r17_the_texts_of_pupil_documentation_are_stored_encrypted_under_the_pupils_key():
    case = a_case()
    app, keys, _ = documentation(case)
    intervention_id = app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())
    app.correct(EDUCATOR, intervention_id, reason=f"{SECRET}: rättad", **edit(description=f"Ny: {SECRET}"))
    app.withdraw(EDUCATOR, intervention_id, reason=f"{SECRET}: fel")

    assert SECRET.encode() not in raw_events(app)
    assert set(keys.keys) == {case.pupil_ref} and keys.records(case.pupil_ref) == [str(intervention_id)]
    details = app.details(REKTOR, intervention_id)
    assert details["description"] == f"Ny: {SECRET}" and details["withdrawal"]["reason"] == f"{SECRET}: fel"


def test_r17_group_documentation_needs_no_key_and_pupil_documentation_is_never_stored_without_one():
    app, keys, _ = documentation()
    group = app.record(EDUCATOR, school_unit="0126-SKO", **content("group", description="Handledning i 7B"))
    assert keys.keys == {} and b"Handledning i 7B" in raw_events(app)
    individual = Intervention.record(names_in=lambda texts: set(), municipality="0126", school_unit="0126-SKO", special_educator="sara.berg",
                                     case=a_case(), today=TODAY, **content())
    with pytest.raises(MissingDataSubject):
        app.mapper.to_stored_event(individual.collect_events()[0])
    assert app.repository.get(group).description == "Handledning i 7B"


def test_r17_after_disposal_nothing_of_the_pupils_text_is_readable_and_the_counts_remain():
    case, other = a_case(), a_case()
    app, keys, log = documentation(case, other)
    gone = app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())
    app.correct(EDUCATOR, gone, reason="Fel tid", **edit(minutes=50, description=f"Ny: {SECRET}"))
    kept = app.record(EDUCATOR, school_unit="0126-SKO", case_id=other.case_id, **content(description="Kvar"))

    disposal = app.dispose_pupil(pupil_ref=case.pupil_ref, case_ids=[str(case.case_id)], municipality="0126",
                                 disposed_on=TODAY, event_id=str(uuid4()))

    assert disposal.intervention_ids == [str(gone)] and case.pupil_ref not in keys.keys and other.pupil_ref in keys.keys
    assert [(e.action, e.resource_id, e.pupil_ref) for e in log.entries[-1:]] == [("disposal", str(gone), case.pupil_ref)]
    reloaded = app.repository.get(gone)
    assert (reloaded.description, reloaded.hinders_note, reloaded.supports_note) == ("", "", "")
    assert (reloaded.level, reloaded.kind, reloaded.minutes, reloaded.term) == ("individual", "teaching", 50, "VT2026")
    assert app.repository.get(kept).description == "Kvar"
    overview = app.overview(REKTOR, school_unit="0126-SKO")
    assert overview["by_level"]["individual"] == {"count": 2, "minutes": 90}
    with pytest.raises(InterventionNotFound):
        app.details(REKTOR, gone)
    with pytest.raises(DisposedPupilGetsNoNewDocumentation):
        app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())


def test_r17_a_disposal_seen_twice_is_recorded_once_and_destroys_what_is_left():
    case = a_case()
    app, keys, _ = documentation(case)
    app.record(EDUCATOR, school_unit="0126-SKO", case_id=case.case_id, **content())
    args = dict(pupil_ref=case.pupil_ref, case_ids=[str(case.case_id)], municipality="0126", disposed_on=TODAY,
                event_id=str(uuid4()))
    first = app.dispose_pupil(**args)
    keys.keys[case.pupil_ref] = b"\0" * 32  # as if the first destruction had not happened
    again = app.dispose_pupil(**args)
    assert again.id == first.id == DocumentationDisposal.id_for(case.pupil_ref) and again.version == 1
    assert case.pupil_ref not in keys.keys


def test_r17_the_listener_acts_on_pupil_records_disposed_only():
    ref, case_id, event_id = str(uuid4()), str(uuid4()), str(uuid4())
    message = {"event_id": event_id, "event_type": "PupilRecordsDisposed", "schema_version": "1.0",
               "occurred_at": "2026-03-10T10:00:00+00:00", "aggregate_id": str(uuid4()), "aggregate_version": 1,
               "municipality": "0126", "data": {"pupil_ref": ref, "case_ids": [case_id], "disposed_on": "2026-03-10",
                                                "record_types": ["support_case"]}}
    assert disposal_in(json.dumps(message).encode()) == {
        "pupil_ref": ref, "case_ids": [case_id], "municipality": "0126", "disposed_on": TODAY, "event_id": event_id}
    assert disposal_in(json.dumps({**message, "event_type": "CaseOpened"}).encode()) is None


def test_r17_every_field_of_every_documentation_event_is_marked_personal_or_is_structure():
    intervention = Intervention.record(names_in=lambda texts: set(), municipality="0126", school_unit="0126-SKO", special_educator="sara.berg",
                                       case=a_case(), today=TODAY, **content())
    intervention.correct(names_in=lambda texts: set(), reason="Fel", corrected_by="sara.berg", today=TODAY, **edit(minutes=50, description="Ny"))
    intervention.withdraw(reason="Fel elev", withdrawn_by="sara.berg", today=TODAY)
    disposal = DocumentationDisposal(pupil_ref=str(uuid.uuid4()), municipality="0126", case_ids=[], intervention_ids=[],
                                     disposed_on=TODAY, disposed_by_event="x")
    for event in [*intervention.collect_events(), *disposal.collect_events()]:
        unmarked = set(vars(event)) - STRUCTURE - set(PERSONAL_FIELDS.get(type(event), ()))
        assert not unmarked, f"{type(event).__qualname__}: {unmarked} must be marked personal or structure"
    assert not set(STRUCTURE) & {f for fields in PERSONAL_FIELDS.values() for f in fields}
