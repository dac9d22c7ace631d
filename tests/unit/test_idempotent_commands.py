"""A retried or double-submitted command stores once (#11, ADR 0023): the same idempotency key
creates the same aggregate once and appends the same command once, with the events in memory.
And the key's form is checked at the door of every service."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from cases.application import CasesApplication
from eventkit.dates import school_year_end
from eventkit.http import current_identity, service_api
from eventkit.identity import HEADER, Identity, Role, sign
from eventkit.store import request_key
from tests.support.pupils import register_pupil

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))
REKTOR = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG",))
EDUCATOR = Identity("sara.berg", "Sara Berg", Role.SPECIAL_EDUCATOR, "0180", ("0180-ENG",))
NURSE = Identity("eva.nord", "Eva Nord", Role.EHT_MEMBER, "0180", ("0180-ENG",), medical=True)
TODAY = date(2026, 3, 10)
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def app() -> CasesApplication:
    return CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


PUPIL = register_pupil("201001012382", "Elsa Provsson")


def open_case(app: CasesApplication, pupil=PUPIL):
    return app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil).case_id


def stored(app: CasesApplication, case_id) -> list[str]:
    return [type(e).__name__ for e in app.events.get(case_id)]


def test_a_create_retried_with_the_same_key_stores_one_aggregate_and_answers_with_it(app):
    with request_key("form-1234567890.1"):
        first = open_case(app)
        again = open_case(app)
    assert again == first
    assert stored(app, first) == ["Opened"]
    with request_key("form-0987654321.1"):
        other = open_case(app, register_pupil())  # another pupil
    assert other != first
    assert open_case(app, register_pupil()) not in (first, other)  # without a key every call creates


def test_opening_again_for_the_same_pupil_and_unit_answers_the_open_case(app):
    """One open case per pupil and unit, whatever the key: the second form answers the first case."""
    pupil = register_pupil()
    with request_key("form-a.1"):
        first = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    with request_key("form-b.1"):
        second = app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil)
    assert (first.existing, second) == (False, (first.case_id, True))
    assert app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil) == (first.case_id, True)
    with request_key("form-a.1"):  # a retry of the first answers as the first did
        assert app.open_case(TEACHER, school_unit="0180-ENG", pupil=pupil) == (first.case_id, False)


def test_a_command_retried_with_the_same_key_is_stored_once(app):
    case_id = open_case(app)
    with request_key("form-adaptation-1.1"):
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")  # the double click
    with request_key("form-adaptation-2.1"):
        app.record_extra_adaptation(TEACHER, case_id, "Bildstöd")
    assert stored(app, case_id) == ["Opened", "ExtraAdaptationRecorded", "ExtraAdaptationRecorded"]


def test_every_service_refuses_a_malformed_key_and_ignores_one_on_reads():
    api = service_api("test", audience="cases")

    @api.post("/things", status_code=201)
    def make(who: Identity = Depends(current_identity)) -> dict:
        return {"by": who.user_id}

    @api.get("/things")
    def read(who: Identity = Depends(current_identity)) -> dict:
        return {"by": who.user_id}

    client = TestClient(api)

    def header(key: str) -> dict:
        return {HEADER: sign(TEACHER, audience="cases", caller="frontend"), "Idempotency-Key": key}

    refused = client.post("/things", headers=header("no spaces allowed"))
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json()["message"]
    assert client.post("/things", headers=header("a" * 8)).status_code == 201
    assert client.get("/things", headers=header("no spaces allowed")).status_code == 200


def kinds(app, aggregate_id) -> list[str]:
    return [type(e).__name__ for e in app.events.get(aggregate_id)]


def twice(call, key: str):
    """The same command sent twice with one key (a retry after a lost answer, a double click):
    both answers, which must be the same."""
    with request_key(key):
        first, again = call(), call()
    assert again == first, (first, again)
    return first


# -- the competence service: every command on a mission, and the profile --------------------------
@pytest.fixture
def competence(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "COMPETENCE_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from competence.application import CompetenceApplication

    return CompetenceApplication(env=IN_MEMORY, today=lambda: TODAY)


def test_every_mission_command_retried_with_its_key_is_stored_once_and_answers_the_same_id(competence):
    c = competence
    mission_id = twice(lambda: c.start_mission(REKTOR, school_unit="0180-ENG", special_educator="sara.berg"), "m-start-1")
    # Each command sent twice with the form's expected version: the retry is not a 409 (its
    # version is stale only because the first attempt was stored) but the first answer.
    v = lambda: c.repository.get(mission_id).version  # noqa: E731
    assert twice(lambda: c.describe(REKTOR, mission_id, "Förebyggande arbete.", expected_version=1), "m-describe") == 1
    assert twice(lambda: c.confirm_description(REKTOR, mission_id, 1, expected_version=2), "m-confirm-r") is False
    assert twice(lambda: c.confirm_description(EDUCATOR, mission_id, 1), "m-confirm-e") is True
    dates = [TODAY + timedelta(days=7), TODAY + timedelta(days=60)]
    version = v()
    goal_id = twice(lambda: c.propose_goal(REKTOR, mission_id, text="Läsfrämjande lärmiljö.", follow_up_dates=dates,
                                           expected_version=version), "m-goal")
    assert twice(lambda: c.confirm_goal(REKTOR, mission_id, goal_id), "m-goal-r") is False
    assert twice(lambda: c.confirm_goal(EDUCATOR, mission_id, goal_id), "m-goal-e") is True
    report_id = twice(lambda: c.report_follow_up(EDUCATOR, mission_id, goal_id, "Hälften av arbetslagen."), "m-report")
    assessment_id = twice(lambda: c.assess_goal(REKTOR, mission_id, goal_id, attainment="partly_met",
                                                analysis="Tiden räckte inte."), "m-assess")
    twice(lambda: c.confirm_assessment(REKTOR, mission_id, assessment_id), "m-assess-r")
    assert twice(lambda: c.confirm_assessment(EDUCATOR, mission_id, assessment_id), "m-assess-e") is True
    action_id = twice(lambda: c.decide_action(REKTOR, mission_id, goal_id, assessment_id=assessment_id,
                                              text="Schemalagd tid."), "m-action")
    need_id = twice(lambda: c.map_need(REKTOR, mission_id, "Språkstörning."), "m-need")
    activity_id = twice(lambda: c.plan_activity(EDUCATOR, mission_id, need_id=need_id, title="Kurs", planned_hours=8,
                                                expected_version=v()), "m-activity")
    twice(lambda: c.allot_time(REKTOR, mission_id, activity_id, 8), "m-allot")
    twice(lambda: c.complete_activity(EDUCATOR, mission_id, activity_id, completed_on=TODAY, hours=8), "m-complete")
    twice(lambda: c.arrange_supervision(REKTOR, mission_id, provider="external", sessions_per_term=4), "m-supervision")
    session_id = twice(lambda: c.record_supervision(EDUCATOR, mission_id, held_on=TODAY, minutes=60), "m-session")

    mission = c.repository.get(mission_id)
    assert list(mission.goals) == [goal_id] and list(mission.reports) == [report_id]
    assert list(mission.actions) == [action_id] and list(mission.needs) == [need_id]
    assert list(mission.activities) == [activity_id] and [s["session_id"] for s in mission.sessions] == [session_id]
    assert kinds(c, mission_id) == [
        "Started", "Described", "Confirmed", "Confirmed", "GoalProposed", "Confirmed", "Confirmed", "FollowUpReported",
        "GoalAssessed", "Confirmed", "Confirmed", "ImprovementActionDecided", "CompetenceNeedMapped", "ActivityPlanned",
        "TimeAllotted", "ActivityCompleted", "SupervisionArranged", "SupervisionHeld",
    ]
    # Another key is another command: a second need, with an id of its own.
    with request_key("m-need-2"):
        assert c.map_need(REKTOR, mission_id, "Språkstörning.") not in (need_id, None)
    # And a stale version without the key's first attempt behind it is still a conflict.
    from eventkit.store import VersionConflict

    with request_key("m-describe-2"), pytest.raises(VersionConflict):
        c.describe(REKTOR, mission_id, "Ny lydelse.", expected_version=1)


def test_the_profile_retried_with_its_key_is_stored_once_and_answers_changed_both_times(competence):
    profile = dict(degree="Specialpedagogexamen, 2015", qualification="special_educator_degree",
                   specialisations=["language_reading_writing"])
    assert twice(lambda: competence.record_profile(EDUCATOR, **profile), "profile-1") is True
    assert twice(lambda: competence.record_profile(EDUCATOR, **{**profile, "degree": "Speciallärarexamen"}),
                 "profile-2") is True
    with request_key("profile-3"):
        assert competence.record_profile(EDUCATOR, **{**profile, "degree": "Speciallärarexamen"}) is False
    from competence.domain.profile import EducatorProfile

    assert kinds(competence, EducatorProfile.id_for("0180", "sara.berg")) == ["Recorded", "Changed"]


# -- the cases service: delegations, the medical record ---------------------------------------------
def test_a_delegation_retried_with_its_key_is_registered_once_with_the_same_number_and_revoked_once(app):
    from cases.domain.delegation import DelegationRegister

    grant = dict(school_unit="0180-ENG", delegate="tomas.ahl", kinds=["no_programme"], valid_from=app.today(),
                 valid_to=school_year_end(app.today()))  # at most the school year (R5)
    assert twice(lambda: app.register_delegation(REKTOR, **grant), "deleg-1") == 1  # creates the register too
    assert twice(lambda: app.register_delegation(REKTOR, **{**grant, "delegate": "eva.nord"}), "deleg-2") == 2
    twice(lambda: app.revoke_delegation(REKTOR, school_unit="0180-ENG", number=1), "deleg-revoke-1")
    assert kinds(app, DelegationRegister.id_for("0180", "0180-ENG")) == [
        "Created", "DelegationRegistered", "DelegationRegistered", "DelegationRevoked"]


def test_a_medical_entry_and_a_protection_step_retried_with_their_keys_are_stored_once(app):
    from cases.domain.medical import MedicalRecord

    case_id = open_case(app)
    twice(lambda: app.record_medical_entry(NURSE, case_id, text="Synundersökning"), "medical-1")
    twice(lambda: app.record_medical_entry(NURSE, case_id, text="Synundersökning"), "medical-2")
    assert [e["text"] for e in app.medical_record(NURSE, case_id)["entries"]] == ["Synundersökning"] * 2
    assert kinds(app, MedicalRecord.id_for(case_id)) == ["Started", "EntryRecorded", "EntryRecorded"]
    twice(lambda: app.mark_protected(REKTOR, case_id, expected_version=1), "protect-1")
    twice(lambda: app.grant_access(REKTOR, case_id, user_id="anna.lind"), "grant-1")
    assert kinds(app, case_id) == ["Opened", "ProtectedIdentityMarked", "AccessGranted"]


def test_a_retry_that_races_its_first_attempt_gets_the_first_answer_not_a_conflict(app, monkeypatch):
    """The client gave up waiting and sent the command again while the first attempt was still
    being stored: the retry looked before the first was committed, so it finds the version
    taken when it stores. That is the same command, not someone else's: no 409, stored once."""
    case_id = open_case(app)
    stale = app.repository.get(case_id)  # what the retry loaded while the first attempt was in flight
    looked: list[int] = []
    real = app.stored_by_this_request

    def first_look_sees_nothing(aggregate_id):  # the first attempt not yet committed when it looked
        looked.append(1)
        return [] if len(looked) == 1 else real(aggregate_id)

    with request_key("race-1"):
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")  # the first attempt commits
        monkeypatch.setattr(app, "stored_by_this_request", first_look_sees_nothing)
        monkeypatch.setattr(app, "_case_for", lambda who, i: app.repository.get(case_id, version=stale.version))
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")  # the retry: no 409
    assert len(looked) == 2  # before acting (nothing yet), and after losing the version
    assert kinds(app, case_id) == ["Opened", "ExtraAdaptationRecorded"]
    from eventkit.store import VersionConflict

    looked.clear()
    with request_key("race-2"), pytest.raises(VersionConflict):  # someone else's command: a conflict
        app.record_extra_adaptation(TEACHER, case_id, "Bildstöd")
    assert kinds(app, case_id) == ["Opened", "ExtraAdaptationRecorded"]


# -- the documentation service: corrections and withdrawals ------------------------------------------
def test_a_correction_and_a_withdrawal_retried_with_their_keys_are_stored_once(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "DOCUMENTATION_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from documentation.application import DocumentationApplication

    class NoCases:  # group level: no case to find, no registered name in the texts
        def find(self, who, case_id):
            return None

        def names_in(self, who, texts):
            return set()

    docs = DocumentationApplication(env=IN_MEMORY, cases=NoCases(), today=lambda: TODAY)
    content = dict(level="group", kind="teaching", performed_on=TODAY, minutes=40, hinders=["structure"],
                   supports=["materials"], hinders_note="", supports_note="", description="Läsgrupp", group="7B")
    educator = Identity("sara.berg", "Sara Berg", Role.SPECIAL_EDUCATOR, "0180", ("0180-ENG",))
    intervention_id = twice(lambda: docs.record(educator, school_unit="0180-ENG", **content), "doc-record")
    edit = {k: v for k, v in content.items() if k != "level"}
    twice(lambda: docs.correct(educator, intervention_id, reason="Fel tid", expected_version=1,
                               **{**edit, "minutes": 50}), "doc-correct")
    twice(lambda: docs.withdraw(educator, intervention_id, reason="Fel grupp", expected_version=2), "doc-withdraw")
    assert kinds(docs, intervention_id) == ["Recorded", "Corrected", "Withdrawn"]


# -- the deviations service: the unit's configuration ----------------------------------------------
def test_a_units_configuration_retried_with_its_key_is_stored_once_and_answers_changed_both_times(monkeypatch):
    for name, value in {"POSTGRES_USER": "unused", "POSTGRES_PASSWORD": "unused", "DEVIATIONS_DB": "unused"}.items():
        monkeypatch.setenv(name, value)
    from deviations.application import DeviationsApplication
    from deviations.domain.configuration import UnitConfiguration

    deviations = DeviationsApplication(env=IN_MEMORY, today=lambda: TODAY)
    setting = dict(reporters=["anna.lind"], manager="rolf.ek", answer_days=60)
    assert twice(lambda: deviations.configure_unit(REKTOR, "0180-ENG", **setting), "conf-1") is True
    assert twice(lambda: deviations.configure_unit(REKTOR, "0180-ENG", **{**setting, "answer_days": 30}), "conf-2") is True
    assert kinds(deviations, UnitConfiguration.id_for("0180", "0180-ENG")) == ["Configured", "Changed"]


def test_a_process_builds_its_application_once_when_its_retrying_clients_all_ask_at_the_same_moment():
    """A restarted API meets every retrying client at once; each build opens connection pools,
    so a herd of builds took every connection PostgreSQL had. One is built; a failed build is
    not kept."""
    import threading
    import time

    from eventkit.wiring import once_per_process

    builds: list[int] = []
    failing = [True]

    @once_per_process
    def application() -> object:
        builds.append(1)
        time.sleep(0.05)
        if failing[0]:
            failing[0] = False
            raise ConnectionError("the database is not there yet")
        return object()

    with pytest.raises(ConnectionError):
        application()
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(application())) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 2 and len(got) == 24 and len({id(a) for a in got}) == 1


def test_a_correction_of_a_chosen_investigation_part_retried_with_its_key_is_stored_once(app):
    """The retry would be refused as unchanged if it ran again (R16); it answers as the first did."""
    case_id = open_case(app)
    app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")
    app.refer_to_rektor(TEACHER, case_id, why_not_enough="Räcker inte")
    app.start_investigation(REKTOR, case_id, investigator="sara.berg", student_health_team=True)
    app.record_investigation(EDUCATOR, case_id, parts={"pupil_view": "Vill ha lugn", "school_view": "Tappar fokus"})
    version = len(stored(app, case_id))
    twice(lambda: app.correct(EDUCATOR, case_id, corrects_version=version, field="school_view",
                              value="Tappar fokus efter lunch", reason="Förtydligat", expected_version=version),
          "correction-1")
    assert stored(app, case_id)[-2:] == ["InvestigationRecorded", "Corrected"]
    assert app.case_details(EDUCATOR, case_id)["investigation"]["parts"] == {
        "pupil_view": "Vill ha lugn", "school_view": "Tappar fokus efter lunch"}
