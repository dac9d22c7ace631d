"""R15 (access log) and R17 (disposal by crypto-shredding), in memory: no database, no broker."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from starlette.requests import Request

from cases.domain.decision import DecisionKind
from cases.domain.disposal import (
    PupilRecordsDisposal, RecordsAreDisposedOnlyWhenDue, RetentionPlan, case_record,
)
from cases.domain.model import SupportCase
from cases.domain.values import PersonalIdentityNumber
from cases.personal_data import PERSONAL_FIELDS, STRUCTURE
from cases.public_events import translate
from eventkit.accesslog import api_purpose, current_purpose, to_message
from eventkit.contracts import ContractViolation, validate_message
from eventkit.shredding import MissingDataSubject, ShreddingMapper, SubjectDisposed, about
from eventkit.store import DateAsISO, EventMeta
from tests.unit.workflow import DAY, REFERRED_AT, a_decision, decided, with_programme

PIN, NAME = "20100101-2382", "Hemliga Hedvig"


class Keys:
    """A key ring in memory (the real one is eventkit.keystore in PostgreSQL)."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    def key(self, subject: str) -> bytes | None:
        return self.keys.get(subject)


def mapper(keys: Keys) -> ShreddingMapper:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr(), DateAsISO()):
        transcoder.register(transcoding)
    built = ShreddingMapper(transcoder=transcoder)
    built.personal_fields, built.keys = PERSONAL_FIELDS, keys
    return built


def a_case(ref: str) -> SupportCase:
    case = SupportCase.open(municipality="0126", school_unit="0126-SKO", pupil=PersonalIdentityNumber.parse(PIN),
                            pupil_name=NAME, opened_by="lena.dahl", pupil_ref=ref)
    case.record_extra_adaptation(f"{NAME} får extra tid", recorded_by="lena.dahl")
    case.refer_to_rektor(referred_by="lena.dahl", referred_at=REFERRED_AT, why_not_enough=f"{NAME} behöver mer")
    return case


def stored(keys: Keys, ref: str):
    case = decided(DecisionKind.NO_PROGRAMME, case=a_case(ref))
    with about(ref):
        return [mapper(keys).to_stored_event(e) for e in case.collect_events()]


def replay(keys: Keys, events) -> SupportCase:
    case = None
    for stored_event in events:
        case = mapper(keys).to_domain_event(stored_event).mutate(case)
    return case


def readable(state: bytes) -> bool:
    return any(text.encode() in state for text in (PIN, PIN.replace("-", ""), PIN[2:], NAME, "Hedvig"))


def test_r17_personal_fields_are_stored_encrypted_under_the_pupils_own_key():
    keys, ref = Keys(), str(uuid.uuid4())
    keys.keys[ref] = AESGCM.generate_key(bit_length=256)

    events = stored(keys, ref)

    assert not any(readable(e.state) for e in events)
    opened = mapper(keys).to_domain_event(events[0])
    assert (opened.pupil_name, opened.pupil_personal_number, opened.pupil_ref) == (NAME, PIN, ref)
    case = replay(keys, events)
    assert case.adaptations[0].description == f"{NAME} får extra tid"


def test_r17_after_the_key_is_destroyed_the_structure_remains_and_the_pupil_is_gone():
    keys, ref = Keys(), str(uuid.uuid4())
    keys.keys[ref] = AESGCM.generate_key(bit_length=256)
    events = stored(keys, ref)

    del keys.keys[ref]  # disposal
    case = replay(keys, events)

    assert (case.pupil_name, case.pupil_personal_number, case.adaptations[0].description) == ("", "", "")
    assert case.status == "decided" and case.school_unit == "0126-SKO" and len(case.decisions) == 1
    assert case.investigations[0].parts == {} and case.decisions[0].decided_on == DAY
    with pytest.raises(SubjectDisposed), about(ref):
        mapper(keys).to_stored_event(a_case(ref).collect_events()[0])


def test_r17_an_event_with_personal_data_and_no_pupil_is_refused_rather_than_stored_in_clear():
    with pytest.raises(MissingDataSubject):
        mapper(Keys()).to_stored_event(a_case("").collect_events()[0])


def test_r17_every_field_of_every_case_event_is_marked_personal_or_is_structure():
    case = with_programme()
    case.record_follow_up(findings="Läser", followed_up_by="sara.berg", on=DAY)
    case.record_evaluation(outcome="Nått", evaluated_by="rolf.ek", on=DAY)
    case.correct(corrects_version=2, value="Ny text", reason="Fel", corrected_by="rolf.ek", today=DAY)
    case.move_to_school_unit(to_unit="0180-KAT", moved_by="rolf.ek", on=DAY)
    for event in case.collect_events():
        unmarked = set(vars(event)) - STRUCTURE - set(PERSONAL_FIELDS.get(type(event), ()))
        assert not unmarked, f"{type(event).__qualname__}: {unmarked} must be marked personal or structure"


def test_r17_the_cases_topic_carries_no_name_or_personnummer():
    [opened] = a_case(str(uuid.uuid4())).collect_events()[:1]
    public = translate(opened, EventMeta(municipality="0126"))
    # The pupil only by the pseudonymous reference (the directory's id), never a name or number.
    assert public.data.keys() <= {"case_id", "school_unit", "pupil_ref"}
    assert public.data.get("pupil_ref", opened.pupil_ref) == opened.pupil_ref


def test_r17_records_are_disposed_only_when_every_case_has_ended_and_its_retention_has_run_out():
    plan = RetentionPlan({"support_case": 5})
    ended = case_record("a", "decided", [a_decision(DecisionKind.NO_PROGRAMME, date(2020, 6, 1)).delivered(date(2020, 6, 2))])
    running = case_record("b", "programme", [a_decision(DecisionKind.ESTABLISH_PROGRAMME, date(2020, 6, 1))])
    assert ended.ended_on == date(2020, 6, 1) and running.ended_on is None
    assert plan.due_on("support_case", date(2020, 2, 29)) == date(2025, 2, 28)

    def dispose(cases, today):
        return PupilRecordsDisposal.dispose(pupil_ref="r", municipality="0126", cases=cases, plan=plan, today=today,
                                            disposed_by="admin", scheduled=False)

    with pytest.raises(RecordsAreDisposedOnlyWhenDue) as refused:
        dispose([ended], date(2025, 5, 31))
    assert str(refused.value).endswith(refused.value.message) and refused.value.rule_id == "R17"
    with pytest.raises(RecordsAreDisposedOnlyWhenDue):
        dispose([ended, running], date(2030, 1, 1))
    with pytest.raises(RecordsAreDisposedOnlyWhenDue):
        dispose([], date(2030, 1, 1))
    assert dispose([ended], date(2025, 6, 1)).case_ids == ["a"]


def test_r17_the_disposal_is_recorded_and_published_without_personal_data():
    ref = str(uuid.uuid4())
    disposal = PupilRecordsDisposal.dispose(
        pupil_ref=ref, municipality="0126", cases=[case_record("9d0b3a3e-2b1e-4a53-9f5e-0a8c4b1d2e3f", "closed",
                                                               [a_decision(DecisionKind.CLOSE_PROGRAMME, DAY)])],
        plan=RetentionPlan({"support_case": 0}), today=DAY, disposed_by="admin", scheduled=True,
    )
    [event] = disposal.collect_events()
    public = translate(event, EventMeta(municipality="0126"))
    assert public.event_type == "PupilRecordsDisposed" and public.data["pupil_ref"] == ref
    assert disposal.id == PupilRecordsDisposal.id_for(ref)  # one record per pupil


ROW = (1, uuid.uuid4(), datetime(2026, 9, 8, 8, 0, tzinfo=timezone.utc), "cases", "sara.berg", "special_educator", "0180",
       ["0180-ENG", "0180-KAT"], "0180", "0180-KAT", "read", "/cases/{case_id}", str(uuid.uuid4()), uuid.uuid4(), "granted", "")


def test_r15_an_access_log_entry_says_who_which_unit_when_what_and_which_pupil_by_reference_only():
    message = to_message(ROW)
    validate_message(message)
    data = message["data"]
    assert (data["user_id"], data["role"], data["school_unit"], data["action"], data["resource"]) == (
        "sara.berg", "special_educator", "0180-KAT", "read", "/cases/{case_id}")
    assert message["occurred_at"].startswith("2026-09-08T08:00") and data["pupil_ref"] == str(ROW[13])
    with pytest.raises(ContractViolation):  # there is no place for a name or personnummer
        validate_message(replace_data(message, pupil_name=NAME))


def replace_data(message: dict, **extra) -> dict:
    return json.loads(json.dumps({**message, "data": {**message["data"], **extra}}))


@pytest.mark.parametrize("method, query, action", [
    ("GET", b"", "read"), ("GET", b"purpose=print", "print"), ("GET", b"purpose=export", "export"),
    ("POST", b"", "change"), ("POST", b"purpose=print", "change"),
])
def test_r15_what_a_request_does_with_a_record_is_read_from_its_method_and_purpose(method, query, action):
    import asyncio

    class Route:
        path = "/cases/{case_id}"

    request = Request({"type": "http", "method": method, "path": "/cases/x", "query_string": query, "headers": [],
                       "route": Route()})

    async def run():
        await api_purpose(request)
        return current_purpose()

    found = asyncio.run(run())
    assert (found.action, found.resource) == (action, "/cases/{case_id}")



class CountingKeys(Keys):
    """A key ring that says how often it was asked, one pupil or a batch at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.warmed: list[set[str]] = []

    def warm(self, subjects) -> None:
        self.warmed.append(set(subjects))


def test_r17_the_relay_loads_a_batchs_keys_at_once_and_still_reads_every_pupil():
    keys = CountingKeys()
    refs = [str(uuid.uuid4()) for _ in range(3)]
    for ref in refs:
        keys.keys[ref] = AESGCM.generate_key(bit_length=256)
    batch = [event for ref in refs for event in stored(keys, ref)]

    reader = mapper(keys)
    reader.prefetch(batch)

    assert keys.warmed == [set(refs)]
    opened = [reader.to_domain_event(e) for e in batch if b"pupil_name" in e.state]
    assert [e.pupil_name for e in opened] == [NAME] * 3


def test_r17_a_text_is_linked_to_the_pupils_it_names_best():
    """Which pupils' disposal takes a deviation's texts with it: those with the most of their
    name parts in the text (a genitive and a compound count), not everyone sharing one part."""
    from cases.records import _best_matching

    people = [("kalle-l", {"kalle", "lindqvist"}), ("kalle-b", {"kalle", "berg"}), ("ida", {"ida", "berg"})]
    assert _best_matching(people, {"kalle", "lindqvist"}) == {"kalle-l"}
    assert _best_matching(people, {"kalles"}) == {"kalle-l", "kalle-b"}  # "Kalles" alone: every Kalle
    assert _best_matching(people, {"lindqvist-familjen"}) == {"kalle-l"}
    assert _best_matching(people, {"bergs", "ida"}) == {"ida"}
    assert _best_matching(people, set()) == set()
