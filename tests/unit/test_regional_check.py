"""R22, checked again on the way out: the county worker's check before bus.deviations.v1
(projections.county.republish) holds what may never leave the municipality, in any form, and
lets the rest through unchanged; a held deviation returns to its manager (the domain and the
application, in memory). No database, no broker."""
from __future__ import annotations

import json
from datetime import date
from uuid import UUID, uuid4

import pytest

import deidentify
from deidentify import EVERYWHERE, Lexicon
from deviations.domain import rules
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.model import SENT_TO_BUS, Deviation
from deviations.domain.values import InvolvedOrganisation, OrganisationKind, Side
from deviations.views import deviation_details, status_of
from eventkit.contracts import validate_message
from eventkit.identity import Identity, Role
from projections.county.republish import bus_data, bus_message, reasons_to_hold

# No text in these tests names a pupil with protected identity (R14 at entry is tested on its own).
NOBODY_PROTECTED = lambda text: False  # noqa: E731

TODAY = date(2026, 3, 10)
NO_LEXICON = Lexicon.of()  # the detectors that hold need none; names come from the register


def nothing_registered(text: str) -> list[tuple[int, int, str]]:
    return []


def sent(description: str, tried_locally: str = "Rektor har ringt BUP:s enhetschef.") -> dict:
    """A DeviationSentToBus message as the deviations relay publishes it."""
    deviation_id = str(uuid4())
    return {
        "event_id": str(uuid4()), "event_type": "DeviationSentToBus", "schema_version": "1.0",
        "occurred_at": "2026-03-10T09:00:00+00:00", "aggregate_id": deviation_id, "aggregate_version": 4,
        "municipality": "0180",
        "data": {
            "deviation_id": deviation_id, "municipality": "0180", "reported_by": "municipality",
            "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}],
            "arose_in": {"kind": "child_psychiatry", "side": "region"}, "category": "party_absent_from_meetings",
            "occurred_on": "2026-03-02", "principled": False, "description": description,
            "tried_locally": tried_locally, "sent_on": "2026-03-10",
        },
    }


def reasons(message: dict, registered=nothing_registered, lexicon: Lexicon = NO_LEXICON) -> list[str]:
    return reasons_to_hold(message["data"], registered, lexicon=lexicon, known=EVERYWHERE)


# -- the check before the regional stream -----------------------------------------------------------
@pytest.mark.parametrize(
    "text, reason",
    [
        ("Gäller elev 20120914-2387 i klass 4.", "identity_number"),
        ("Gäller elev ２０１２０９１４－２３８７ i klass 4.", "identity_number"),  # full-width digits and dash
        ("Gäller elev 120914\u20132387 i klass 4.", "identity_number"),  # en dash
        ("Gäller elev 120914\u22122387 i klass 4.", "identity_number"),  # minus sign U+2212
        ("Gäller elev 120914 - 2387 i klass 4.", "identity_number"),
        ("Eleven, född 3 maj 2015, fick ingen tid hos BUP.", "birth_date"),
        ("Eleven (född 2015-05-03) fick ingen tid hos BUP.", "birth_date"),
        ("Eleven, f. ３/５-２０１５, fick ingen tid hos BUP.", "birth_date"),
    ],
)
def test_r22_republisher_holds_identity_numbers_and_birth_dates_in_any_form(text, reason):
    assert reasons(sent(text)) == [reason]
    assert reasons(sent("BUP kom inte till SIP-mötet.", tried_locally=text)) == [reason]  # either text


def test_r22_republisher_gives_each_reason_once_in_a_fixed_order():
    message = sent("Född 3 maj 2015. Nummer 20120914-2387 och 120914\u22122387.", tried_locally="född 2015")
    assert reasons(message) == ["identity_number", "birth_date"]


def test_r22_republisher_holds_a_registered_name():
    text = "BUP kom inte till mötet om Kalle trots kallelse."
    start = deidentify.normalise(text).text.index("Kalle")
    asked: list[str] = []

    def registered(checked: str) -> list[tuple[int, int, str]]:
        """the cases service's answer: positions in the normalised text, never a name"""
        asked.append(checked)
        return [(start, start + len("Kalle"), "exact")] if checked == text else []

    assert reasons(sent(text), registered) == ["registered_name"]
    assert text in asked and "Rektor har ringt BUP:s enhetschef." in asked  # both texts were asked about
    # A protected pupil's name (R14), which the register answers without confirming it: held the
    # same way, and the reason does not tell that the pupil is protected.
    protected = lambda checked: [(start, start + len("Kalle"), "protected")] if checked == text else []  # noqa: E731
    assert reasons(sent(text), protected) == ["registered_name"]
    # A name the register does not know is the manager's decision (R22), not a reason to hold.
    lexicon = Lexicon.of(given=["kalle"])
    assert reasons(sent(text), nothing_registered, lexicon) == []


def test_r22_clean_message_passes_unchanged():
    description = "BUP kom inte till SIP-mötet den 3 mars, fast kallelsen gick ut i februari. Ring 08-123 456 78."
    message = sent(description, tried_locally="")
    assert reasons(message) == []
    data = bus_data(message)
    assert data["description"] == description and data["tried_locally"] == ""
    outgoing = bus_message(message)
    validate_message(outgoing)
    assert outgoing["data"]["description"] == description and outgoing["aggregate_id"] == message["aggregate_id"]
    # No silent redaction any more: what would need it is held instead, never rewritten here.
    held = sent("Gäller elev 20120914-2387.")
    assert reasons(held) == ["identity_number"]
    assert bus_data(held)["description"] == "Gäller elev 20120914-2387."


# -- the county worker: a text that cannot be checked is not published, and not skipped ------------
@pytest.fixture
def republisher(monkeypatch):
    monkeypatch.setenv("IDENTITY_SIGNING_KEY", "unit-test-key")
    from projections.county import app as county

    monkeypatch.setattr(deidentify, "shared_lexicon", lambda: NO_LEXICON)
    return county.Republisher()


@pytest.fixture
def cases_service():
    from tests.frontend_unit.stub_service import StubService

    stub = StubService().start()
    yield stub
    stub.stop()


async def test_r22_a_message_that_cannot_be_checked_is_neither_published_nor_held(republisher, monkeypatch, caplog):
    from projections.county.app import CheckUnavailable
    from tests.support.identity_provider import free_port

    message = sent("Eleven Kalle Berg fick ingen tid hos BUP.")
    monkeypatch.setenv("CASES_URL", f"http://127.0.0.1:{free_port()}")  # the register does not answer
    with pytest.raises(CheckUnavailable):
        await republisher.handle(json.dumps(message).encode(), {})

    def missing():
        raise deidentify.LexiconMissing("/nowhere/lexicon-sv.json.gz")

    monkeypatch.setattr(deidentify, "shared_lexicon", missing)  # the lexicon is missing
    with pytest.raises(CheckUnavailable):
        await republisher.handle(json.dumps(message).encode(), {})
    # Raised to the agent's loop, which retries the same message: nothing published, nothing held.
    assert not republisher._producer.started and not republisher._view.connected
    assert "Kalle" not in caplog.text and message["data"]["tried_locally"] not in caplog.text
    assert message["event_id"] in caplog.text  # ids only
    await republisher.reset()


async def test_r22_the_register_is_asked_as_the_check_job_of_the_municipality_concerned(republisher, cases_service,
                                                                                        monkeypatch):
    from projections.county.app import CheckUnavailable
    from eventkit.identity import HEADER, verify

    monkeypatch.setenv("CASES_URL", cases_service.url)
    message = sent("Vi har pratat med Kalle om mötet.", tried_locally="Ringt BUP.")
    start = message["data"]["description"].index("Kalle")
    cases_service.answer("POST", "/pupils/names-in-text", 200, {"matches": [[[start, start + 5, "exact"]], []]})
    assert await republisher.reasons(message["data"]) == ["registered_name"]
    asked = cases_service.received[-1]
    assert asked.body == {"texts": ["Vi har pratat med Kalle om mötet.", "Ringt BUP."]}
    job = verify(asked.headers[HEADER], audience="cases").identity  # caller "county" may ask the cases service
    assert (job.user_id, job.role, job.municipality, job.school_units) == ("bus-kontroll", Role.MUNICIPALITY_ADMIN, "0180", ())

    for status in (401, 403, 500):  # anything but an answer: not checked, so not sent
        cases_service.answer("POST", "/pupils/names-in-text", status, {"error": "x", "message": "x"})
        with pytest.raises(CheckUnavailable):
            await republisher.reasons(message["data"])
    await republisher.reset()


# -- the domain: a held deviation returns to its manager --------------------------------------------
SCHOOL = InvolvedOrganisation(OrganisationKind.SCHOOL, Side.MUNICIPALITY)
BUP = InvolvedOrganisation(OrganisationKind.CHILD_PSYCHIATRY, Side.REGION)


def unit() -> UnitConfiguration:
    return UnitConfiguration.configure(organisation="0180", unit="0180-ENG", configured_by="admin",
                                       reporters=["anna.lind"], manager="rolf.ek", answer_days=60)


def checker(text: str, field: str):
    return deidentify.check(text, lexicon=NO_LEXICON, field=field, today=TODAY)


def sent_deviation(configuration: UnitConfiguration) -> Deviation:
    deviation = Deviation.report(
        configuration=configuration, reported_by="anna.lind", organisations=[SCHOOL, BUP],
        category="agreed_measures_not_carried_out", occurred_on=date(2026, 3, 2),
        description="kallelsen till mötet kom aldrig fram.", tried_locally="ringt två gånger.", principled=False,
        arose_in=BUP, today=TODAY, protected=NOBODY_PROTECTED,
    )
    deviation.record_action(configuration, "rolf.ek", "ringt igen", TODAY, protected=NOBODY_PROTECTED)
    assert deviation.check(configuration, "rolf.ek", checker=checker, on=TODAY, protected=NOBODY_PROTECTED) == []
    deviation.send_to_bus(configuration, "rolf.ek", decisions={}, checker=checker, on=TODAY, protected=NOBODY_PROTECTED)
    return deviation


def test_r22_a_deviation_held_by_the_regional_check_returns_to_the_manager():
    configuration = unit()
    deviation = sent_deviation(configuration)
    assert deviation.outcome == SENT_TO_BUS and deviation.returned is None
    deviation.collect_events()

    deviation.return_from_regional_check(["identity_number"], TODAY)
    [returned] = deviation.collect_events()
    assert isinstance(returned, Deviation.ReturnedByTheRegionalCheck)
    assert (returned.reasons, returned.on) == (["identity_number"], TODAY)
    assert (deviation.outcome, deviation.outcome_on, deviation.sent, deviation.last_check) == (None, None, None, None)
    assert deviation.returned == {"reasons": ["identity_number"], "on": TODAY}
    assert status_of(deviation) == "returned"
    manager = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG",))
    details = deviation_details(deviation, configuration, manager, TODAY)
    assert details["status"] == "returned" and details["returned"] == {"reasons": ["identity_number"], "on": "2026-03-10"}

    # Only a sent deviation can be returned: not twice, and nothing is recorded when refused.
    broken = pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviation.return_from_regional_check, ["birth_date"], TODAY)
    assert broken.value.rule_id == "R22"
    assert deviation.collect_events() == []

    # The manager checks again and sends anew; the return stays as history.
    refused = pytest.raises(rules.TextIsCheckedBeforeItIsSent, deviation.send_to_bus, configuration, "rolf.ek",
                            decisions={}, checker=checker, on=TODAY, protected=NOBODY_PROTECTED)
    assert refused.value.rule_id == "R22"
    deviation.check(configuration, "rolf.ek", checker=checker, on=TODAY, protected=NOBODY_PROTECTED)
    deviation.send_to_bus(configuration, "rolf.ek", decisions={}, checker=checker, on=TODAY, protected=NOBODY_PROTECTED)
    assert deviation.outcome == SENT_TO_BUS and deviation.returned["reasons"] == ["identity_number"]


def test_r22_a_deviation_not_sent_cannot_be_returned():
    configuration = unit()
    deviation = Deviation.report(
        configuration=configuration, reported_by="anna.lind", organisations=[SCHOOL, BUP], category="other",
        occurred_on=date(2026, 3, 2), description="kallelsen kom inte.", tried_locally="ringt.", principled=False,
        arose_in=BUP, today=TODAY, protected=NOBODY_PROTECTED,
    )
    deviation.collect_events()
    pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviation.return_from_regional_check, ["identity_number"], TODAY)
    deviation.solve_locally(configuration, "rolf.ek", "löst vid möte", TODAY, protected=NOBODY_PROTECTED)
    deviation.collect_events()
    pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviation.return_from_regional_check, ["identity_number"], TODAY)
    assert deviation.collect_events() == []


# -- the application: the manager reopens what the county holds -----------------------------------
MANAGER = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG",))
REPORTER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


@pytest.fixture
def deviations(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "DEVIATIONS_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from deviations.application import DeviationsApplication

    held: dict[UUID, tuple[int, list[str]]] = {}
    asked: list[tuple[str, UUID, int | None]] = []

    def held_reasons(who: Identity, deviation_id: UUID, sent_version: int | None = None) -> list[str] | None:
        asked.append((who.user_id, deviation_id, sent_version))
        version, reasons = held.get(deviation_id, (0, []))
        return reasons if reasons and (sent_version is None or version >= sent_version) else None

    app = DeviationsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY,
                                lexicon=lambda: NO_LEXICON, held_reasons=held_reasons)
    app.configure_unit(MANAGER, "0180-ENG", reporters=["anna.lind"], manager="rolf.ek", answer_days=60)
    app.held, app.asked = held, asked
    return app


def _sent(app) -> UUID:
    from deviations.domain.values import InvolvedOrganisation as Org

    deviation_id = app.report(REPORTER, unit="0180-ENG", organisations=[SCHOOL, BUP], category="other",
                              occurred_on=date(2026, 3, 2), description="kallelsen kom inte.", tried_locally="ringt.",
                              principled=False, arose_in=Org(OrganisationKind.CHILD_PSYCHIATRY, Side.REGION))
    app.record_action(MANAGER, deviation_id, "ringt igen")
    app.check(MANAGER, deviation_id)
    app.send_to_bus(MANAGER, deviation_id, decisions={})
    return deviation_id


def test_r22_only_the_responsible_manager_reopens_what_the_county_holds_for_this_sending(deviations):
    deviation_id = _sent(deviations)
    version = deviations.details(MANAGER, deviation_id)["sent_version"]
    assert version == deviations.repository.get(deviation_id).version  # the SentToBus event is the last one

    refused = pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviations.reopen_after_regional_check, MANAGER,
                            deviation_id)  # not held
    assert refused.value.rule_id == "R22"
    assert deviations.asked[-1] == ("rolf.ek", deviation_id, version)

    deviations.held[deviation_id] = (version - 1, ["identity_number"])  # an earlier sending's hold
    pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviations.reopen_after_regional_check, MANAGER, deviation_id)

    deviations.held[deviation_id] = (version, ["identity_number", "registered_name"])
    pytest.raises(rules.OnlyTheResponsibleManagerHandlesTheDeviation, deviations.reopen_after_regional_check,
                  REPORTER, deviation_id)
    assert deviations.reopen_after_regional_check(MANAGER, deviation_id) == ["identity_number", "registered_name"]
    shown = deviations.details(MANAGER, deviation_id)
    assert shown["status"] == "returned" and shown["outcome"] is None and shown["sent_version"] is None
    assert shown["returned"] == {"reasons": ["identity_number", "registered_name"], "on": "2026-03-10"}
    assert [r["status"] for r in deviations.overview(MANAGER)] == ["returned"]
    pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviations.reopen_after_regional_check, MANAGER, deviation_id)

    # Sent again: a new sending, which an earlier hold does not concern.
    deviations.check(MANAGER, deviation_id)
    deviations.send_to_bus(MANAGER, deviation_id, decisions={})
    assert deviations.details(MANAGER, deviation_id)["sent_version"] > version
    pytest.raises(rules.OnlyASentDeviationCanBeReturned, deviations.reopen_after_regional_check, MANAGER, deviation_id)
