"""The school unit's postal address (issue 16, the decision letters): SS 12000's
Organisation.address read from the register, seeded for every development unit, and kept by the
directory as the letters print it."""
from __future__ import annotations

from directory.sync import _address
from frontend.letter_content import address_lines
from ss12000.models import Organisation
from ss12000dev import seed

UNIT = {"id": "6f1c5a2e-4b7d-4c1e-9a53-2d8f0b7e9c41", "displayName": "Engelbrektsskolan", "schoolUnitCode": "0180-ENG",
        "organisationType": "Skolenhet", "municipalityCode": "0180"}


def test_the_register_says_the_units_postal_address_and_the_directory_keeps_it_as_the_letter_prints_it():
    unit = Organisation.model_validate({**UNIT, "address": {
        "streetAddress": " Sveavägen 8 ", "postalCode": "113 50", "locality": "Stockholm", "type": "Besöksadress"}})

    kept = _address(unit)

    assert kept == {"street_address": "Sveavägen 8", "postal_code": "113 50", "locality": "Stockholm"}
    assert address_lines(kept) == ("Sveavägen 8", "113 50 Stockholm")
    assert unit.address.lines() == ("Sveavägen 8", "113 50 Stockholm")


def test_a_unit_without_an_address_is_read_and_kept_without_one():
    unit = Organisation.model_validate(UNIT)

    assert unit.address is None and _address(unit) == {} and address_lines({}) == ()


def test_every_seeded_school_unit_has_a_swedish_postal_address_the_same_on_every_start():
    from pathlib import Path

    organisation_file = Path(__file__).resolve().parents[2] / "deploy" / "dev-organisation.json"
    first = seed.build(organisation_file, pupils_per_unit=3)
    again = seed.build(organisation_file, pupils_per_unit=3)

    units = [o for o in first.organisations if o["organisationType"] == "Skolenhet"]
    assert units and all(Organisation.model_validate(o).address for o in units)
    for unit in units:
        address = unit["address"]
        assert address["streetAddress"][0].isupper() and address["streetAddress"].split()[-1].isdigit()
        assert len(address["postalCode"]) == 6 and address["postalCode"][3] == " "
    assert [o.get("address") for o in first.organisations] == [o.get("address") for o in again.organisations]
    assert first.persons == again.persons  # deterministic
