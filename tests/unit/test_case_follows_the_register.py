"""The support case and what the register says of its pupil, in memory: a plausible birth date
for a pupil, protection by the register beside rektor's marking (R14), the pupil leaving the
unit (R11), removal from the register, and one open case per pupil and unit."""
from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from cases.application import CaseNotFound, CasesApplication, OpenCaseHidden
from cases.domain.decision import DecisionKind
from cases.domain.model import LeftSchoolUnit, SupportCase
from cases.domain.open_cases import OpenCaseIndex
from cases.domain.rules import PupilBirthDateMustBePlausible, PupilMustBePlacedAtTheSchoolUnit, RuleBroken
from cases.domain.values import InvalidPersonalIdentityNumber, PersonalIdentityNumber, RegisterChange, plausible_pupil
from eventkit.identity import Identity, Role
from tests.support.pupils import register_pupil
from tests.unit.workflow import investigated, with_programme

TODAY = date(2026, 11, 26)
DAY = date(2026, 11, 20)
PUPIL = PersonalIdentityNumber.parse("201001012382")


def open_case(*, protected_by_register: bool = False, opened_by: str = "rolf.ek") -> SupportCase:
    return SupportCase.open(
        municipality="0180", school_unit="0180-ENG", pupil=PUPIL, pupil_name="Elev Test", opened_by=opened_by,
        pupil_ref=str(uuid4()), protected_by_register=protected_by_register, today=TODAY,
    )


# -- a plausible birth date for a pupil ----------------------------------------------------------
@pytest.mark.parametrize("number", ["19000101-2384", "20300101-2388", "29990101-2386", "20260101-2384", "20010101-2383"])
def test_pupil_birth_date_must_be_plausible_refuses_dates_no_pupil_has(number):
    """1900, the future, this year (younger than one), more than 25 years ago: never a pupil."""
    with pytest.raises(PupilBirthDateMustBePlausible) as refused:
        plausible_pupil(PersonalIdentityNumber(number), TODAY)
    assert refused.value.fields == {"pupil_id": refused.value.message}


@pytest.mark.parametrize("number", ["20300101-2388", "29990101-2386"])
def test_a_typed_number_born_in_the_future_is_refused_before_it_is_a_number(number):
    with pytest.raises(InvalidPersonalIdentityNumber, match="framtiden"):
        PersonalIdentityNumber.parse(number, today=TODAY)


@pytest.mark.parametrize("number", ["20011127-2384", "20251126-2386", "201001012382"])
def test_pupil_birth_date_must_be_plausible_accepts_one_to_twenty_five_years(number):
    pupil = PersonalIdentityNumber.parse(_valid(number))
    assert plausible_pupil(pupil, TODAY) == pupil


def test_pupil_birth_date_must_be_plausible_is_checked_when_a_case_opens():
    with pytest.raises(PupilBirthDateMustBePlausible):
        SupportCase.open(municipality="0180", school_unit="0180-ENG", pupil=PersonalIdentityNumber("19000101-2384"),
                         pupil_name="Elev Test", opened_by="anna.lind", today=TODAY)


def test_a_samordningsnummer_says_its_birth_date_less_sixty_days():
    assert PersonalIdentityNumber.parse("701063-2391").birth_date == date(1970, 10, 3)


# -- R14: protection by the register beside rektor's marking --------------------------------------
def test_r14_a_pupil_protected_by_the_register_has_a_protected_case_from_its_first_event():
    case = open_case(protected_by_register=True, opened_by="rolf.ek")
    events = case.collect_events()
    assert len(events) == 1 and events[0].protected_by_register is True
    assert case.protected and case.protected_by_register and not case.marked_by_rektor
    assert case.granted_to == ("rolf.ek",)
    assert case.may_see("rolf.ek") and not case.may_see("anna.lind")
    # Replayed from its one event, the case is protected alike.
    replayed = events[0].mutate(None)
    assert replayed.protected and replayed.granted_to == ("rolf.ek",)


def test_r14_the_register_protects_an_existing_case_and_grants_the_units_rektors():
    case = open_case(opened_by="anna.lind")
    assert case.follow_register_protection(protected=True, on=DAY, rektors=("rolf.ek", "karin.holm"))
    assert case.protected and case.granted_to == ("rolf.ek", "karin.holm")
    assert not case.may_see("anna.lind")
    assert type(case.collect_events()[-1]).__name__ == "RegisterProtectionChanged"


def test_r14_the_registers_news_of_what_the_case_already_follows_changes_nothing():
    case = open_case(protected_by_register=True)
    case.collect_events()
    assert not case.follow_register_protection(protected=True, on=DAY, rektors=("rolf.ek",))
    assert case.collect_events() == []
    plain = open_case()
    assert not plain.follow_register_protection(protected=False, on=DAY)


def test_r14_a_lift_by_the_register_ends_protection_only_the_register_gave():
    case = open_case(protected_by_register=True)
    case.grant_access(user="anna.lind", granted_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.follow_register_protection(protected=False, on=DAY)
    assert not case.protected and case.granted_to == ()
    assert case.may_see("sara.berg")


def test_r14_a_lift_by_the_register_never_lifts_rektors_manual_marking():
    case = open_case(opened_by="anna.lind")
    case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)
    case.follow_register_protection(protected=True, on=DAY, rektors=("karin.holm",))
    case.follow_register_protection(protected=False, on=DAY)
    assert case.protected and case.marked_by_rektor and not case.protected_by_register
    assert case.granted_to == ("rolf.ek", "karin.holm")
    assert not case.may_see("anna.lind")


def test_r14_rektor_may_mark_a_case_the_register_protects_so_it_stays_protected_after_a_lift():
    case = open_case(protected_by_register=True, opened_by="rolf.ek")
    case.mark_protected(marked_by="karin.holm", by_rektor=True, on=DAY)
    assert case.granted_to == ("rolf.ek", "karin.holm")
    case.follow_register_protection(protected=False, on=DAY)
    assert case.protected


def test_r14_rektors_marking_is_still_made_once():
    case = open_case()
    case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)
    with pytest.raises(RuleBroken, match="redan markerat"):
        case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=DAY)


def test_r14_a_closed_case_follows_the_register_too():
    case = with_programme()
    case.record_evaluation(outcome="Målen nådda", evaluated_by="rolf.ek", on=DAY)
    investigated(case)
    case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.closed
    assert case.follow_register_protection(protected=True, on=DAY, rektors=("rolf.ek",))
    assert case.protected and case.pupil_in_register(removed=True, on=DAY)
    assert not case.counts_as_open_at("0180-ENG")


# -- R11: the pupil left the unit ------------------------------------------------------------------
def test_r11_the_case_shows_that_the_pupil_left_its_unit_on_a_date():
    case = open_case()
    assert case.pupil_left_school_unit(school_unit="0180-ENG", on=DAY)
    assert case.left_school_unit == LeftSchoolUnit("0180-ENG", DAY)
    assert type(case.collect_events()[-1]).__name__ == "PupilLeftSchoolUnit"
    assert not case.pupil_left_school_unit(school_unit="0180-ENG", on=DAY)  # once
    assert case.collect_events() == []


def test_r11_leaving_another_unit_is_not_this_cases_news():
    case = open_case()
    assert not case.pupil_left_school_unit(school_unit="0180-KAT", on=DAY)
    assert case.left_school_unit is None


def test_r11_a_case_moved_away_is_not_left_by_a_placement_ending_at_its_old_unit():
    case = open_case()
    case.move_to_school_unit(to_unit="0180-KAT", moved_by="rolf.ek", on=DAY)
    assert not case.pupil_left_school_unit(school_unit="0180-ENG", on=DAY)
    assert case.pupil_left_school_unit(school_unit="0180-KAT", on=DAY)


# -- removed from the register ---------------------------------------------------------------------
def test_a_pupil_removed_from_the_register_keeps_the_case_flagged():
    case = open_case()
    assert case.pupil_in_register(removed=True, on=DAY)
    assert case.removed_from_register
    assert not case.pupil_in_register(removed=True, on=DAY)
    assert case.pupil_in_register(removed=False, on=DAY) and not case.removed_from_register
    kinds = [type(e).__name__ for e in case.collect_events()]
    assert kinds[-2:] == ["PupilRemovedFromRegister", "PupilBackInRegister"]


# -- one open case per pupil and unit ---------------------------------------------------------------
def test_the_index_of_a_pupil_at_a_unit_has_one_id_and_names_one_case():
    ref = str(uuid4())
    first, second = uuid4(), uuid4()
    index = OpenCaseIndex(municipality="0180", school_unit="0180-ENG", pupil_ref=ref, case_id=first)
    assert index.id == OpenCaseIndex.id_for("0180", "0180-ENG", ref) != OpenCaseIndex.id_for("0180", "0180-KAT", ref)
    index.name_case(first)
    assert len(index.collect_events()) == 1  # naming the same case again stores nothing
    index.name_case(second)
    assert index.case_id == second


def test_an_open_case_counts_at_its_unit_until_it_is_closed_or_moved_away():
    case = open_case()
    assert case.counts_as_open_at("0180-ENG") and not case.counts_as_open_at("0180-KAT")
    case.pupil_left_school_unit(school_unit="0180-ENG", on=DAY)
    assert case.counts_as_open_at("0180-ENG")  # still the pupil's case there until rektor closes it
    case.move_to_school_unit(to_unit="0180-KAT", moved_by="rolf.ek", on=DAY)
    assert not case.counts_as_open_at("0180-ENG") and case.counts_as_open_at("0180-KAT")


def _valid(number: str) -> str:
    from tests.support.pupils import luhn_digit

    digits = number.replace("-", "")
    if len(digits) == 12 and number.count("-") == 1:
        return f"{digits[:8]}-{digits[8:11]}{luhn_digit(digits[2:11])}"
    return number


# -- the application: a case for a pupil of the register ---------------------------------------------
TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))
REKTOR = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG",))


@pytest.fixture()
def app() -> CasesApplication:
    return CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_a_case_is_opened_for_a_pupil_of_the_register_under_the_directorys_id(app):
    pupil = register_pupil("201001012382", "Elsa Provsson")
    opened_case = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    details = app.case_details(TEACHER, opened_case.case_id)
    assert not opened_case.existing
    assert (details["pupil_ref"], details["pupil_name"], details["pupil_personal_number"]) == (
        pupil.pupil_id, "Elsa Provsson", "20100101-2382")


def test_a_pupil_not_placed_at_the_unit_gets_no_case_there(app):
    with pytest.raises(PupilMustBePlacedAtTheSchoolUnit):
        app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil(school_units=("0180-KAT",)))


def test_pupil_birth_date_must_be_plausible_when_the_case_is_opened_and_nothing_is_stored(app):
    with pytest.raises(PupilBirthDateMustBePlausible):
        app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil("19000101-2384"))
    assert app.recorder.max_notification_id() in (None, 0)


def test_r14_a_case_for_a_pupil_the_register_protects_is_protected_and_its_opener_granted(app):
    opened_case = app.open_case(REKTOR, school_unit="0180-ENG", pupil=register_pupil(protected=True))
    assert app.case_details(REKTOR, opened_case.case_id)["protected_by_register"] is True
    assert [type(e).__name__ for e in app.events.get(opened_case.case_id)] == ["Opened"]
    with pytest.raises(CaseNotFound):
        app.case_details(TEACHER, opened_case.case_id)


def test_two_requests_opening_a_case_at_the_same_moment_store_one_and_answer_it(app, monkeypatch):
    """The second looked before the first was stored: its save conflicts on the index and it
    answers the first one's case, marked existing."""
    pupil = register_pupil()
    real = app._open_case_index
    looks = []

    def nothing_yet(*args):  # the second request looked before the first committed
        looks.append(1)
        return None if len(looks) == 2 else real(*args)

    first = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    monkeypatch.setattr(app, "_open_case_index", nothing_yet)
    looks.clear()
    looks.append(1)
    second = app.open_case(REKTOR, school_unit="0180-ENG", pupil=pupil)
    assert second == (first.case_id, True)
    assert len(app.aggregate_ids(SupportCase.Opened)) == 1


def test_a_closed_or_moved_case_is_followed_by_a_new_open_case_at_the_unit(app):
    pupil = register_pupil(school_units=("0180-ENG", "0180-KAT"))
    mover = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG", "0180-KAT"))
    first = app.open_case(mover, school_unit="0180-ENG", pupil=pupil)
    app.move_to_school_unit(mover, first.case_id, to_unit="0180-KAT")
    second = app.open_case(mover, school_unit="0180-ENG", pupil=pupil)
    assert not second.existing and second.case_id != first.case_id


def test_r14_a_pupils_open_case_someone_may_not_see_is_not_opened_twice(app):
    pupil = register_pupil()
    first = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    app.mark_protected(REKTOR, first.case_id)
    with pytest.raises(OpenCaseHidden):
        app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    assert app.open_case(REKTOR, school_unit="0180-ENG", pupil=pupil) == (first.case_id, True)


# -- the directory listener: the pupil's cases follow the register ------------------------------------
def change(pupil, *, protected=False, removed=False, placements=(("0180-ENG", None),)):
    return RegisterChange(pupil_ref=pupil.pupil_id, municipality="0180", protected=protected, removed_from_register=removed,
                          placements=tuple(placements), changed_on=DAY)


def test_r14_the_register_protects_the_pupils_cases_and_grants_the_units_rektors_once(app):
    pupil = register_pupil()
    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil).case_id
    asked = []
    rektors = lambda municipality, unit: asked.append(unit) or ("rolf.ek",)  # noqa: E731
    assert app.follow_register(change(pupil, protected=True), rektors) == 1
    assert app.follow_register(change(pupil, protected=True), rektors) == 0  # delivered again: nothing more
    assert asked == ["0180-ENG"]
    with pytest.raises(CaseNotFound):
        app.case_details(TEACHER, case_id)
    assert app.case_details(REKTOR, case_id)["protected_by_register"] is True
    assert app.follow_register(change(pupil, protected=False), rektors) == 1
    assert app.case_details(TEACHER, case_id)["protected"] is False


def test_r11_the_register_ending_the_placement_shows_on_the_case(app):
    pupil = register_pupil()
    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil).case_id
    app.follow_register(change(pupil, placements=[("0180-ENG", date(2026, 11, 30)), ("0180-KAT", None)]), lambda *_: ())
    assert app.case_details(TEACHER, case_id)["left_school_unit"] == {"school_unit": "0180-ENG", "left_on": "2026-11-30"}


def test_a_pupil_removed_from_the_register_keeps_the_case_flagged_by_the_listener(app):
    pupil = register_pupil()
    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil).case_id
    app.follow_register(change(pupil, removed=True), lambda *_: ())
    assert app.case_details(TEACHER, case_id)["removed_from_register"] is True
    assert app.history(TEACHER, case_id)[-1]["actor"] == "elevregistret"


def test_the_listener_reads_a_pupils_change_and_leaves_other_people_alone():
    import json

    from cases.entrypoints.directory_listener import change_in
    from eventkit.contracts import ContractViolation

    data = {"person_id": str(uuid4()), "municipality": "0180", "source": "register", "kinds": ["pupil"], "protected": True,
            "removed_from_register": False, "guardian_ids": [], "duties": [], "changed_on": "2026-11-20",
            "placements": [{"school_unit": "0180-ENG", "class_name": "7B", "start_date": "2023-08-15", "end_date": "2026-11-30"}]}
    message = {"event_id": str(uuid4()), "event_type": "DirectoryPersonChanged", "schema_version": "1.0",
               "occurred_at": "2026-11-20T08:00:00+00:00", "aggregate_id": data["person_id"], "aggregate_version": 2,
               "municipality": "0180", "data": data}
    found = change_in(json.dumps(message).encode())
    assert found is not None and found.protected and found.left_on("0180-ENG") == date(2026, 11, 30)
    guardian = {**message, "data": {**data, "kinds": ["guardian"]}}
    assert change_in(json.dumps(guardian).encode()) is None
    assert change_in(json.dumps({"event_type": "CaseOpened"}).encode()) is None
    with pytest.raises(ContractViolation):  # a message that breaks the contract is not followed
        change_in(json.dumps({**message, "data": {**data, "protected": "yes"}}).encode())


def test_r14_a_unit_without_a_rektor_known_keeps_the_protected_case_visible_to_its_opener(app):
    pupil = register_pupil()
    case_id = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil).case_id
    app.follow_register(change(pupil, protected=True), lambda *_: ())
    assert app.case_details(TEACHER, case_id)["protected"] is True
    with pytest.raises(CaseNotFound):
        app.case_details(REKTOR, case_id)
