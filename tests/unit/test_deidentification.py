"""R22: personal data about the child is found in free text and never leaves redacted-or-not.

Property-based: hypothesis generates valid personnummer and samordningsnummer, writes them
in every format (10 or 12 digits, with dash, plus, space or nothing) inside arbitrary text,
and checks that the detector finds them and that nothing the manager can do sends one.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from personnummer import personnummer

from deviations.domain import deidentify
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.model import CONFIRM, REDACT, Deviation
from deviations.domain.rules import ReportWithAPersonalIdentityNumberCannotBeSent
from deviations.domain.values import InvolvedOrganisation, OrganisationKind, Side
from projections.county.republish import bus_data


def luhn(nine: str) -> int:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


@st.composite
def identity_numbers(draw) -> tuple[str, str]:
    """(the number written in some format, its 10 significant digits)."""
    born = draw(st.dates(min_value=date(1905, 1, 1), max_value=date(2025, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    serial = draw(st.integers(min_value=1, max_value=999))
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    ten = nine + str(luhn(nine))
    century = f"{born.year // 100}"
    separator = draw(st.sampled_from(["", "-", " ", "+"]))
    long_form = draw(st.booleans())
    written = (century if long_form else "") + ten[:6] + separator + ten[6:]
    if separator in ("", "-"):
        assert personnummer.valid(written)  # a real number, as the library checks it
    return written, ten


surrounding = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "P", "Zs", "Nd"), exclude_characters="\x00"), max_size=60
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=identity_numbers(), before=surrounding, after=surrounding)
def test_r22_every_identity_number_in_any_format_is_found(number, before, after):
    written, _ = number
    text = f"{before} {written} {after}"
    found = deidentify.identity_numbers_in(text)
    assert any(written in f.text for f in found)
    assert written not in deidentify.without_identity_numbers(text)


def configuration() -> UnitConfiguration:
    return UnitConfiguration.configure(organisation="0180", unit="0180-ENG", reporters=["anna.lind"],
                                       manager="rolf.ek", configured_by="admin")


def handled(description: str) -> Deviation:
    school = InvolvedOrganisation(OrganisationKind.SCHOOL, Side.MUNICIPALITY)
    bup = InvolvedOrganisation(OrganisationKind.CHILD_PSYCHIATRY, Side.REGION)
    deviation = Deviation.report(
        configuration=configuration(), reported_by="anna.lind", organisations=[school, bup], category="other",
        occurred_on=date(2026, 1, 5), description=description, tried_locally="Samtal", principled=False,
        arose_in=bup, today=date(2026, 1, 10),
    )
    deviation.record_action(configuration(), "rolf.ek", "Samtal med BUP", date(2026, 1, 11))
    deviation.collect_events()
    return deviation


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=identity_numbers(), before=surrounding, after=surrounding, confirm=st.booleans())
def test_r22_no_identity_number_in_any_format_reaches_the_regional_topic(number, before, after, confirm):
    """Whatever the manager decides, what is sent and republished to bus.deviations.v1 holds no
    identity number: confirming one is refused; redacting removes it."""
    written, _ = number
    deviation = handled(f"{before} {written} {after}".strip() or written)
    findings = deviation.findings([])
    decisions = {f.key: (CONFIRM if confirm and f.kind == deidentify.IDENTITY else REDACT) for f in findings}
    try:
        deviation.send_to_bus(configuration(), "rolf.ek", decisions=decisions, names=[], on=date(2026, 1, 12))
    except ReportWithAPersonalIdentityNumberCannotBeSent:
        assert confirm
        return
    sent = deviation.collect_events()[-1]
    message = {"event_id": "00000000-0000-0000-0000-000000000000", "aggregate_id": str(deviation.id),
               "aggregate_version": sent.originator_version, "occurred_at": "2026-01-12T10:00:00+00:00",
               "municipality": "0180", "data": {
                   "deviation_id": str(deviation.id), "municipality": "0180", "reported_by": "municipality",
                   "organisations": deviation.organisations, "arose_in": deviation.arose_in, "category": "other",
                   "occurred_on": "2026-01-05", "principled": False, "description": sent.description,
                   "tried_locally": sent.tried_locally, "sent_on": "2026-01-12"}}
    published = bus_data(message)
    assert written not in str(published)
    # The free texts only: ids are UUIDs, whose digit runs may look like anything.
    assert not deidentify.identity_numbers_in(f"{published['description']} {published['tried_locally']}")


@pytest.mark.parametrize(
    "text",
    ["20100101-2382", "201001012382", "100101-2382", "100101+2382", "1001012382", "100101 2382",
     "701063-2391", "19701063-2391", "elevens nr:100101-2382.", "(20100101-2382)", "x 5201001012382 x",
     "100101-2383"],  # the last: wrong check digit, still written like one
)
def test_r22_identity_numbers_in_the_usual_formats_are_found(text):
    assert deidentify.identity_numbers_in(text), text


@pytest.mark.parametrize("text", ["2026-03-15", "möte 14.30 i rum 12", "SIP från 2025", "ärende 4711", "kl 8.00-12.00"])
def test_r22_dates_times_and_small_numbers_are_not_mistaken_for_identity_numbers(text):
    assert deidentify.find(text) == []


def test_r22_phone_numbers_emails_and_pupil_names_are_found():
    text = "Elsa Provsson (vh: 08-123 456 78, +46 70 123 45 67, anna.vh@exempel.se). Elsa var inte med."
    kinds = [(f.kind, f.text) for f in deidentify.find(text, ["Elsa Provsson", "Bo Ek"])]
    assert kinds == [("name", "Elsa Provsson"), ("phone", "08-123 456 78"), ("phone", "+46 70 123 45 67"),
                     ("email", "anna.vh@exempel.se"), ("name", "Elsa")]


def test_r22_redaction_says_what_was_removed():
    text = "Ring 08-123 456 78 om 100101-2382."
    assert deidentify.redact(text, deidentify.find(text)) == "Ring [telefonnummer borttaget] om [personnummer borttaget]."
