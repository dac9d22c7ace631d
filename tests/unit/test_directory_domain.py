"""The directory's domain in memory: a local registration's rules (the register's own validity),
a person following the register, staff identity from duties, and the pupil search's matching."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from directory.domain.model import (
    LocalRegistrationReason, Person, person_id_for, pupil_name, pupil_personal_number, staff_identity, structure,
)
from directory.domain.rules import (
    BirthDateIsInThePast, BirthDateIsPlausibleForAPupil, FamilyNameIsGiven, FamilyNameIsWrittenInLetters,
    GivenNameIsGiven, GivenNameIsWrittenInLetters, PersonalNumberIsValid,
)
from directory.index import PupilIndex, fold
from tests.support.pupils import luhn_digit

TODAY = date(2026, 11, 26)


def number(born: str, serial: str = "238") -> str:
    """A valid personnummer for a birth date YYYYMMDD."""
    nine = born[2:] + serial
    return f"{born}-{serial}{luhn_digit(nine)}"


def test_a_valid_pupils_personnummer_is_kept_as_twelve_digits_however_typed():
    twelve = number("20150314")
    assert pupil_personal_number(twelve, TODAY) == twelve.replace("-", "")
    assert pupil_personal_number(twelve[2:], TODAY) == twelve.replace("-", "")  # 10 digits with dash
    assert pupil_personal_number(twelve.replace("-", "")[2:], TODAY) == twelve.replace("-", "")


def test_personal_number_is_valid_check_digit_and_real_date():
    wrong_digit = number("20150314")[:-1] + str((int(number("20150314")[-1]) + 1) % 10)
    for bad in (wrong_digit, "20150230-2384", "abc", "2015031"):
        with pytest.raises(PersonalNumberIsValid) as refused:
            pupil_personal_number(bad, TODAY)
        assert refused.value.fields == {"personal_number": PersonalNumberIsValid.message}


@pytest.mark.parametrize("born", ["20300101", "29990101"])
def test_birth_date_is_in_the_past(born):
    with pytest.raises((BirthDateIsInThePast, PersonalNumberIsValid)):
        pupil_personal_number(number(born), TODAY)


@pytest.mark.parametrize("born", ["19000101", "20000101", "20260601"])
def test_birth_date_is_plausible_for_a_pupil(born):
    with pytest.raises(BirthDateIsPlausibleForAPupil) as refused:
        pupil_personal_number(number(born), TODAY)
    assert "personal_number" in refused.value.fields


def test_names_are_given():
    assert pupil_name("  Åsa ", " Öberg  Lind ") == "Åsa Öberg Lind"
    with pytest.raises(GivenNameIsGiven):
        pupil_name(" ", "Öberg")
    with pytest.raises(FamilyNameIsGiven):
        pupil_name("Åsa", "")


@pytest.mark.parametrize("given, family", [("Kalle3", "Berg"), ("Sam", "<script>"), ("Ali", "12345"), ("Eva_", "Ek"),
                                           ("Nils", "Berg--Ek")])
def test_names_are_written_in_letters(given, family):
    with pytest.raises((GivenNameIsWrittenInLetters, FamilyNameIsWrittenInLetters)) as refused:
        pupil_name(given, family)
    assert set(refused.value.fields) & {"given_name", "family_name"}


def test_names_in_any_alphabet_with_hyphens_and_apostrophes_are_names():
    for given, family in [("Anna-Karin", "Lind-Åberg"), ("Zoë", "O'Neill"), ("Mohammed", "Al Amin"), ("Łukasz", "Nowak"),
                          ("Ngọc", "Nguyễn"), ("Юлия", "Иванова")]:
        assert pupil_name(given, family) == f"{given} {family}"


def test_a_register_person_has_the_same_id_at_every_sync_and_changes_only_when_the_register_does():
    state = structure(kinds=["pupil"], placements=[{"school_unit": "0180-ENG", "class_name": "7A",
                                                    "start_date": "2026-08-17", "end_date": None}])
    person = Person.from_register(municipality="0180", register_id="r1", state=state, on=TODAY)
    assert person.id == person_id_for("0180", "r1") and person.source == "register"
    assert person.follow_register("r1", dict(state), TODAY) is False
    assert person.follow_register("r1", {**state, "protected": True}, TODAY) is True
    assert person.protected
    assert person.remove_from_register(TODAY) and person.removed_from_register
    assert person.remove_from_register(TODAY) is False  # flagged once, never deleted
    assert person.follow_register("r1", state, TODAY) and not person.removed_from_register
    names = [type(e).__name__ for e in person.collect_events()]
    assert names == ["Registered", "Changed", "RemovedFromRegister", "ReturnedToRegister"]


def test_a_local_pupil_is_taken_over_by_the_register_keeping_its_id():
    pupil_id = uuid.uuid4()
    local = Person.register_locally(id=pupil_id, municipality="0180", school_unit="0180-ENG", class_name="7B",
                                    reason=LocalRegistrationReason.NEW_PUPIL, registered_by="rolf.ek", on=TODAY)
    assert local.source == "local" and local.kinds == ["pupil"]
    assert local.remove_from_register(TODAY) is False  # the register never had it
    local.follow_register("r9", structure(kinds=["pupil"]), TODAY)
    assert (local.id, local.source, local.register_id) == (pupil_id, "register", "r9")
    assert type(local.collect_events()[-1]).__name__ == "TakenOverByRegister"


def duty(role: str, unit: str = "0180-ENG", profession: str = "", end: str | None = None) -> dict:
    return {"school_unit": unit, "role": role, "profession": profession, "start_date": "2020-08-01", "end_date": end}


def test_staff_role_and_units_come_from_current_duties_the_highest_role_first():
    found = staff_identity([duty("teacher"), duty("rektor", "0180-KAT"), duty("eht_member", profession="skolkurator")],
                           TODAY)
    assert (found.role, found.school_units, found.medical) == ("rektor", ("0180-ENG", "0180-KAT"), False)
    nurse = staff_identity([duty("eht_member", profession="skolsköterska")], TODAY)
    assert (nurse.role, nurse.medical, nurse.profession) == ("eht_member", True, "skolsköterska")
    assert staff_identity([duty("teacher", end="2025-06-30")], TODAY) is None
    assert staff_identity([duty("other")], TODAY) is None


def pupil(pupil_id: str, name: str, pnr: str, class_name: str = "7A", protected: bool = False, removed: bool = False,
          unit: str = "0180-ENG", end: str | None = None) -> tuple:
    person = {"person_id": pupil_id, "municipality": "0180", "removed": removed,
              "state": structure(kinds=["pupil"], protected=protected, placements=[
                  {"school_unit": unit, "class_name": class_name, "start_date": "2026-08-17", "end_date": end}])}
    return person, pnr.replace("-", ""), name


def test_the_search_matches_name_starts_accent_free_classes_and_personnummer_in_scope():
    index = PupilIndex()
    index.put_many([
        pupil("1", "Åsa Öberg", number("20130101")), pupil("2", "Nils Asplund", number("20130202"), "7B"),
        pupil("3", "Maja Berg", number("20130303"), protected=True), pupil("4", "Asta Lind", number("20130404"),
                                                                           removed=True),
        pupil("5", "Anna Holm", number("20130505"), unit="0180-KAT"),
        pupil("6", "Alma Ek", number("20130606"), end="2026-10-01"),
    ])
    search = lambda q, protected=False: [h["pupil_id"] for h in index.search(  # noqa: E731
        "0180", ["0180-ENG"], q, see_protected=protected, today=TODAY)]
    assert search("asa") == ["1"] and search("obe") == ["1"] and search("as") == ["1", "2"]
    assert search("7b") == ["2"]
    assert search(number("20130101")) == ["1"] and search(number("20130101")[2:]) == ["1"]
    assert search("maja") == [] and search("maja", protected=True) == ["3"]  # R14: rektor only
    assert search("asta") == [] and search("anna") == [] and search("alma") == []
    assert fold("Åsa Öberg") == "asa oberg"


def test_the_search_finds_double_names_by_either_part_and_ignores_punctuation():
    index = PupilIndex()
    index.put_many([pupil("1", "Anna-Karin Lind-Åberg", number("20130101")), pupil("2", "Karin Ek", number("20130202")),
                    pupil("3", "Anna Lindqvist", number("20130303"))])
    search = lambda q: sorted(h["pupil_id"] for h in index.search(  # noqa: E731
        "0180", ["0180-ENG"], q, see_protected=False, today=TODAY))
    assert search("karin") == ["1", "2"] and search("åberg") == ["1"] and search("lind-åb") == ["1"]
    assert search("Lind-Åberg, Anna-Karin") == ["1"] and search("lind") == ["1", "3"]
    assert search("anna karin") == ["1"]


def test_the_list_of_a_units_pupils_is_in_class_order_then_by_family_name_in_swedish_order_and_in_scope():
    index = PupilIndex()
    index.put_many([
        pupil("1", "Åsa Öberg", number("20130101"), "10A"), pupil("2", "Nils Zetterberg", number("20130202"), "7B"),
        pupil("3", "Pia Åberg", number("20130303"), "7B"), pupil("4", "Eva Andersson", number("20130404"), "7B"),
        pupil("5", "Ali Ek", number("20130505"), "F"), pupil("6", "Maja Berg", number("20130606"), "7B", protected=True),
        pupil("7", "Asta Lind", number("20130707"), "7B", removed=True),
        pupil("8", "Anna Holm", number("20130808"), "7B", unit="0180-KAT"),
        pupil("9", "Alma Ek", number("20130909"), "7B", end="2026-10-01"),
        pupil("10", "Bo Ek", number("20131010"), ""),
    ])

    def listing(protected=False, **asked):
        total, found = index.listing("0180", ["0180-ENG"], see_protected=protected, today=TODAY, **asked)
        return total, [h["pupil_id"] for h in found]

    assert listing() == (6, ["5", "4", "2", "3", "1", "10"])  # F first, 7B before 10A, Å after Z, no class last
    assert listing(limit=2, offset=2) == (6, ["2", "3"]) and listing(offset=6) == (6, [])
    assert listing(class_name="7b") == (3, ["4", "2", "3"])
    assert listing(protected=True, class_name="7B") == (4, ["4", "6", "2", "3"])  # R14: rektor only
    total, both = index.listing("0180", ["0180-ENG", "0180-KAT"], see_protected=False, today=TODAY, class_name="7B")
    assert [(h["pupil_id"], h["school_unit"]) for h in both] == [
        ("4", "0180-ENG"), ("8", "0180-KAT"), ("2", "0180-ENG"), ("3", "0180-ENG")]
    index.put(pupil("4", "", "")[0] | {"removed": True}, None, None)  # the register no longer has her
    assert listing(class_name="7B") == (2, ["2", "3"])
