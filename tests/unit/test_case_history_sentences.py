"""The case's history as sentences (frontend.case_history), built from the domain's own events
through the timeline the cases service answers with: every event type of the SupportCase
aggregate has its sentence, in Swedish words only. No I/O."""
from __future__ import annotations

import re
from datetime import timedelta

from eventsourcing.domain import Aggregate

from cases import views
from cases.domain.decision import DecisionKind, Placement
from cases.domain.delegation import Grant
from cases.domain.disposal import PupilRecordsDisposal
from cases.domain.model import SupportCase
from eventkit.store import EventMeta
from frontend.case_history import SENTENCES, Names, correction_choices, history_lines
from tests.contract.test_contracts import every_cases_event
from tests.unit.workflow import ALL_PARTS, DAY, investigated, with_participation, PROGRAMME

STAFF = {"rolf.ek": "Rolf Ek", "sara.berg": "Sara Berg", "anna.lind": "Anna Lind", "karin.holm": "Karin Holm"}
UNITS = {"0180-ENG": "Engelbrektsskolan", "0180-KAT": "Katarina Södra skola"}
NAMES = Names(person=STAFF.get, unit=UNITS.get)
# What a person must never read on the history: an id, a code, structure, a raw date or value.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
RAW = [UUID, re.compile(r"[{}\[\]]"), re.compile(r"\b[a-z]+_[a-z_]+\b"), re.compile(r"\b[a-z]+\.[a-z]+\b"),
       re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\b(None|True|False|null)\b")]


def event_types(aggregate: type[Aggregate]) -> set[str]:
    """Every event class an aggregate (with the mixins it is made of) declares; not the
    library's own bases every aggregate class gets (Event, Created)."""
    return {
        name for cls in aggregate.__mro__ for name, value in vars(cls).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and name == value.__name__
        and value.__module__.startswith("cases.") and name not in ("Event", "Created")
    }


def timeline(events: list) -> list[dict]:
    """The events as GET /cases/{id}/history answers them (cases.views.timeline_entry)."""
    return [views.timeline_entry(e, EventMeta(actor=getattr(e, "recorded_by", "") or "rolf.ek", role="rektor"))
            for e in events]


def sentences_of(events: list) -> list[str]:
    return [line.sentence for line in history_lines(timeline(events), NAMES)]


def unreadable(text: str) -> list[str]:
    return [m.group(0) for pattern in RAW for m in pattern.finditer(text)]


def test_every_event_type_of_the_support_case_has_a_sentence():
    declared = event_types(SupportCase) | {"Disposed"}
    assert {"Opened", "Decided", "Corrected", "RegisterProtectionChanged", "PupilBackInRegister"} <= declared
    missing = declared - set(SENTENCES)
    assert not missing, f"event types without a sentence in frontend/case_history.py: {sorted(missing)}"
    assert event_types(PupilRecordsDisposal) == {"Disposed"}


def test_every_event_of_a_whole_case_reads_as_swedish_without_codes_ids_or_structure():
    events = every_cases_event()
    case = investigated()
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, placements=(Placement.ADAPTED_STUDY_PATH,), decided_by="rolf.ek",
                by_rektor=True, on=DAY)
    case.pupil_in_register(removed=True, on=DAY)
    case.pupil_in_register(removed=False, on=DAY)
    case.invite_to_investigation(teacher="anna.lind", invited_by="rolf.ek", by_rektor=True,
                                 teachers_of_unit=("anna.lind",), on=DAY)
    case.withdraw_invitation(teacher="anna.lind", withdrawn_by="rolf.ek", by_rektor=True, on=DAY)
    events += case.collect_events()
    assert {type(e).__name__ for e in events} >= event_types(SupportCase) | {"Disposed"}, "the walk covers every type"
    for sentence in sentences_of(events):
        assert sentence and sentence[0].isupper() and sentence.endswith("."), sentence
        assert not unreadable(sentence), (sentence, unreadable(sentence))


def test_r4_r6_a_decision_names_who_decided_what_with_the_placement_and_its_law():
    case = investigated()
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, placements=(Placement.SPECIAL_TEACHING_GROUP,),
                reasons="Eleven behöver särskild undervisningsgrupp i matematik.", decided_by="rolf.ek", by_rektor=True, on=DAY)
    decided = history_lines(timeline(case.collect_events()), NAMES)[-1]
    assert decided.sentence.startswith(
        "Rolf Ek beslutade den 8 september 2026 att upprätta åtgärdsprogram, med särskild undervisningsgrupp "
        "(skollagen 3 kap. 11 §) (beslut nr 1). Skäl: ”Eleven behöver särskild undervisningsgrupp i matematik.”.")
    assert "Skolväsendets överklagandenämnd" in decided.sentence
    assert decided.rule == "R4, skollagen 3 kap. 9 §; R6, skollagen 3 kap. 11 och 12 §§"


def test_r5_a_decision_under_a_delegation_says_so():
    case = investigated()
    grant = Grant(number=2, school_unit="0180-ENG", delegate="sara.berg", kinds=(DecisionKind.NO_PROGRAMME,),
                  valid_from=DAY, valid_to=DAY + timedelta(days=30))
    case.decide(kind=DecisionKind.NO_PROGRAMME, decided_by="sara.berg", by_rektor=False, delegation=grant, on=DAY)
    decided = history_lines(timeline(case.collect_events()), NAMES)[-1]
    assert decided.sentence.startswith("Sara Berg beslutade den 8 september 2026 att inte upprätta åtgärdsprogram, "
                                       "med stöd av rektors delegation nr 2 (beslut nr 1).")
    assert decided.rule.startswith("R4, skollagen 3 kap. 9 §; R5, skollagen 2 kap. 10 §")


def test_r16_a_correction_reads_what_stood_before_and_what_stands_after_by_whom_and_why():
    case = with_participation(investigated())
    case.decide(kind=DecisionKind.NO_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    case.record_delivery(decision_number=1, delivered_on=DAY, recorded_by="rolf.ek", today=DAY)
    delivery = case.version
    case.correct(corrects_version=delivery, value=(DAY + timedelta(days=1)).isoformat(), reason="Fel datum",
                 corrected_by="rolf.ek", today=DAY)
    recorded = next(v for v, (kind, _) in case.entries.items() if kind == "investigation")
    case.correct(corrects_version=recorded, field="environment_group", value="Gruppen är lugn på förmiddagen.",
                 reason="Fel grupp", corrected_by="sara.berg", today=DAY)
    case.correct(corrects_version=recorded, field="environment_group", value="Gruppen är lugn hela dagen.",
                 reason="Förtydligat", corrected_by="sara.berg", today=DAY)
    lines = history_lines(timeline(case.collect_events()), NAMES)
    first, second, third = (line for line in lines if line.corrects_version)
    assert first.sentence == ("Rättelse: Delgivningsdatum för beslut nr 1 ändrades från 8 september 2026 till "
                              "9 september 2026, av Rolf Ek, skäl: ”Fel datum”.")
    assert second.sentence == (f"Rättelse: Lärmiljön på gruppnivå ändrades från ”{ALL_PARTS['environment_group']}” till "
                               "”Gruppen är lugn på förmiddagen.”, av Sara Berg, skäl: ”Fel grupp”.")
    assert third.sentence.startswith("Rättelse: Lärmiljön på gruppnivå ändrades från ”Gruppen är lugn på förmiddagen.” "
                                     "till ”Gruppen är lugn hela dagen.”")
    assert first.rule == "R16, förvaltningslagen 36 §" and first.corrects_version == delivery


def test_the_correction_form_offers_each_part_of_an_investigation_by_its_label_with_its_value_now():
    case = investigated()
    events = case.collect_events()
    details = views.details(case, DAY)
    choices = correction_choices(details, history_lines(timeline(events), NAMES))
    recorded = next(v for v, (kind, _) in case.entries.items() if kind == "investigation")
    labels = [c.label for c in choices]
    assert any(label.startswith(f"Nr {recorded}, ") and label.endswith("utredningen: Vårdnadshavarnas syn") for label in labels)
    assert any(label.endswith("utredningens förslag: Förslaget till beslut") for label in labels)
    guardians = next(c for c in choices if c.value == f"{recorded}:guardians_view")
    assert guardians.current == f"”{ALL_PARTS['guardians_view']}”"
    assert not any(unreadable(c.label) for c in choices)


def test_codes_the_page_does_not_know_and_texts_gone_with_disposal_read_as_swedish_phrases():
    events = [
        {"version": 1, "event_type": "Opened", "at": "2026-09-01T08:00:00+00:00", "actor": "ulla.okand", "role": "teacher",
         "corrects_version": None, "data": {"pupil_name": "", "school_unit": "9999-XXX", "opened_by": "ulla.okand"}},
        {"version": 2, "event_type": "ExtraAdaptationRecorded", "at": "2026-09-01T08:05:00+00:00", "actor": "anna.lind",
         "role": "teacher", "corrects_version": None, "data": {"description": "", "recorded_by": "anna.lind"}},
        {"version": 3, "event_type": "Decided", "at": "2026-09-02T08:00:00+00:00", "actor": "rolf.ek", "role": "rektor",
         "corrects_version": None, "data": {"number": 1, "kind": "a_new_kind", "placements": ["a_new_placement"],
                                            "decided_by": "rolf.ek", "decided_on": "not a day", "reasons": ""}},
        {"version": 4, "event_type": "SomethingNew", "at": "2026-09-03T08:00:00+00:00", "actor": "rolf.ek", "role": "rektor",
         "corrects_version": None, "data": {"what": "x_y"}},
    ]
    opened, adaptation, decided, new = (line.sentence for line in history_lines(events, NAMES))
    assert opened == ("En medarbetare som inte finns i personalkatalogen öppnade ärendet för eleven vid en skolenhet "
                      "som inte finns i katalogen.") or opened.startswith("en medarbetare")
    assert adaptation == "Anna Lind antecknade en extra anpassning: (texten finns inte kvar)."
    assert decided.startswith("Rolf Ek beslutade den en dag som inte är känd ett beslut av okänt slag, med en placering av okänt slag")
    assert new == "Något hände i ärendet som Stödspår ännu inte kan beskriva."
    assert not any(unreadable(s) for s in (opened, adaptation, decided, new))


def test_a_programme_names_its_measures_and_who_is_responsible_for_them():
    case = with_participation(investigated())
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    case.issue_programme(**{**PROGRAMME, "measures": [*PROGRAMME["measures"], {
        "description": "Lugn arbetsplats", "extent": "Varje lektion", "responsible": "lärare"}]}, issued_by="rolf.ek", on=DAY)
    issued = history_lines(timeline(case.collect_events()), NAMES)[-1].sentence
    assert issued.startswith("Rolf Ek utfärdade åtgärdsprogram nr 1 den 8 september 2026 efter beslut nr 1.")
    assert "”Stöd i läsförståelse med speciallärare” (2 x 40 min/vecka, ansvarig Sara Berg)" in issued
    assert "”Lugn arbetsplats” (Varje lektion, ansvarig undervisande lärare)" in issued
    assert "Uppföljning 1 oktober 2026, 1 november 2026 och 1 december 2026 (ansvarig Sara Berg)" in issued
