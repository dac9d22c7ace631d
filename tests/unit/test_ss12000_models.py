"""The SS 12000 models read what the register sends and refuse what a directory must not keep:
an invalid or future personnummer, an unknown security marking; the refusal names fields, not values."""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from ss12000.models import (USER_ID_CONTEXT, Duty, DutyRole, Person, SecurityMarking,
                            luhn_digit, reason_of, valid_personnummer)

PUPIL = {
    "id": "0b8a2f4e-1111-4c1e-9a53-2d8f0b7e9c41",
    "meta": {"created": "2026-08-01T06:00:00Z", "modified": "2026-08-01T06:00:00Z"},
    "givenName": "Ebba", "familyName": "Lindqvist", "eduPersonPrincipalNames": [],
    "civicNo": {"value": "201403122383"}, "securityMarking": "Skyddad folkbokföring",
    "enrolments": [{"enroledAt": {"id": "0b8a2f4e-2222-4c1e-9a53-2d8f0b7e9c41"}, "schoolType": "GR",
                    "schoolYear": 6, "startDate": "2026-08-17", "endDate": "2027-06-10"}],
    "responsibles": [{"person": {"id": "0b8a2f4e-3333-4c1e-9a53-2d8f0b7e9c41"}, "relationType": "Vårdnadshavare"},
                     {"person": {"id": "0b8a2f4e-4444-4c1e-9a53-2d8f0b7e9c41"}, "relationType": "Annan ansvarig"}],
    "aVendorsOwnField": {"ignored": True},
}


def test_the_check_digit_is_luhn_over_the_last_ten_digits():
    assert luhn_digit("811218987") == 6           # Skatteverket's example 811218-9876
    assert valid_personnummer("198112189876")
    assert not valid_personnummer("198112189875")


def test_serial_number_000_is_never_given_so_not_valid_though_its_check_digit_is():
    # The development register once drew such numbers; the cases service refused them (make simulate).
    assert luhn_digit("160509000") == 8
    assert not valid_personnummer("201605090008")
    assert valid_personnummer("201605090107")


def test_a_pupil_reads_with_protection_guardians_and_enrolment():
    pupil = Person.model_validate(PUPIL)
    assert pupil.protected and pupil.security_marking is SecurityMarking.PROTECTED_REGISTRATION
    assert [str(g) for g in pupil.guardian_ids] == ["0b8a2f4e-3333-4c1e-9a53-2d8f0b7e9c41"]
    assert pupil.enrolments[0].active_on(dt.date(2027, 1, 15))
    assert not pupil.enrolments[0].active_on(dt.date(2027, 8, 1))   # left the unit


def test_a_person_without_marking_is_not_protected_and_staff_carry_their_login():
    person = Person.model_validate({**PUPIL, "securityMarking": "Ingen", "externalIdentifiers": [{"value": "anna.lind", "context": USER_ID_CONTEXT, "globallyUnique": False}]})
    assert not person.protected
    assert person.user_id == "anna.lind"


@pytest.mark.parametrize("civic", ["201403122384", "290001011234", "203001010000", "19000101", "abc"])
def test_an_invalid_or_future_personnummer_is_refused_without_echoing_it(civic):
    with pytest.raises(ValidationError) as refused:
        Person.model_validate({**PUPIL, "civicNo": {"value": civic}})
    reason = reason_of(refused.value)
    assert "civicNo.value" in reason
    assert civic not in reason


def test_an_unknown_security_marking_is_refused_by_field_name():
    with pytest.raises(ValidationError) as refused:
        Person.model_validate({**PUPIL, "securityMarking": "Hemlig"})
    assert reason_of(refused.value).startswith("securityMarking")
    assert "Hemlig" not in reason_of(refused.value) and "Ebba" not in reason_of(refused.value)


def test_a_duty_names_the_role_at_a_unit():
    duty = Duty.model_validate({"id": "0b8a2f4e-5555-4c1e-9a53-2d8f0b7e9c41",
                                "person": {"id": PUPIL["id"]}, "dutyAt": {"id": PUPIL["id"]},
                                "dutyRole": "Speciallärare/specialpedagog"})
    assert duty.duty_role is DutyRole.SPECIAL_EDUCATOR
