"""A retried or double-submitted command stores once (#11, ADR 0023), over the real services
and PostgreSQL: the same Idempotency-Key answers with the first result and stores nothing more,
also when the first answer was never read (the client gave up and sent it again)."""
from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest

from cases.domain.disposal import PupilRecordsDisposal
from eventkit.dates import school_year_end
from tests.conftest import REKTOR, TEACHER, headers_for
from tests.integration.test_access_log_and_disposal import HUDDINGE_ADMIN, _finished_huddinge_case
from tests.integration.test_documentation_service import EDUCATOR as DOC_EDUCATOR, document
from tests.support import competence as comp
from tests.support import deviations as dev
from tests.support.infrastructure import query
from tests.support.pupils import directory_pupil, personal_number, pupil_name
from eventkit.dates import local_today

pytestmark = pytest.mark.integration


def events_of(database: str, table: str, aggregate_id: str) -> int:
    return query(database, f"SELECT count(*) FROM {table} WHERE originator_id = %s", (aggregate_id,))[0][0]


def test_a_case_opened_twice_with_one_key_is_one_case_and_an_adaptation_sent_twice_is_one(stack):
    body = {"school_unit": "0180-ENG", "pupil_id": directory_pupil(stack)}
    key = {"Idempotency-Key": f"retry-test-open-{body['pupil_id']}"}
    first = httpx.post(f"{stack.cases_url}/cases", json=body, headers={**headers_for(TEACHER, "cases"), **key})
    again = httpx.post(f"{stack.cases_url}/cases", json=body, headers={**headers_for(TEACHER, "cases"), **key})
    assert first.status_code == again.status_code == 201
    case_id = first.json()["case_id"]
    assert again.json()["case_id"] == case_id
    assert events_of("CASES_DB", "cases_events", case_id) == 1

    adaptation = {"description": "Förlängd skrivtid"}
    key = {"Idempotency-Key": f"retry-test-adaptation-{case_id}"}
    for _ in range(3):
        answered = httpx.post(f"{stack.cases_url}/cases/{case_id}/extra-adaptations", json=adaptation,
                              headers={**headers_for(TEACHER, "cases"), **key})
        assert answered.status_code == 201, answered.text
    assert events_of("CASES_DB", "cases_events", case_id) == 2


def test_a_deviation_reported_twice_with_one_key_is_one_deviation(stack):
    dev.configure_units(stack.deviations_url)
    key = {"Idempotency-Key": "retry-test-deviation-1"}
    answers = [httpx.post(f"{stack.deviations_url}/deviations", json=dev.a_report(),
                          headers={**headers_for(dev.REPORTER, "deviations"), **key}) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert events_of("DEVIATIONS_DB", "deviations_events", answers[0].json()["deviation_id"]) == 1


def sent_twice(method: str, url: str, who, body: dict, service: str, key: str | None = None) -> list[httpx.Response]:
    """The same command twice with one key, each time with a fresh identity (as a retrying
    client signs anew); both answers."""
    key = key or f"retry-{uuid.uuid4().hex}"
    return [httpx.request(method, url, json=body, headers={**headers_for(who, service), "Idempotency-Key": key})
            for _ in range(2)]


def same_answer(answers: list[httpx.Response], status: int = 201) -> dict:
    assert [a.status_code for a in answers] == [status, status], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    return answers[0].json()


def test_mission_commands_sent_twice_with_one_key_store_once_and_answer_the_same_id(stack):
    base = stack.competence_url
    mission_id = comp.agreed_mission(base)
    before = events_of("COMPETENCE_DB", "competence_events", mission_id)
    need = same_answer(sent_twice("POST", f"{base}/missions/{mission_id}/needs", comp.REKTOR,
                                  {"text": "Språkstörning och läsinlärning."}, "competence"))
    activity = same_answer(sent_twice("POST", f"{base}/missions/{mission_id}/activities", comp.EDUCATOR,
                                      {"need_id": need["need_id"], "title": "Kurs i språkstörning", "planned_hours": 8},
                                      "competence"))
    body = {"text": "Alla arbetslag får handledning.", "follow_up_dates": [comp.days(7), comp.days(60)],
            "expected_version": before + 2}  # the form's version: the retry's is stale by then, and still no 409
    goal = same_answer(sent_twice("POST", f"{base}/missions/{mission_id}/goals", comp.REKTOR, body, "competence"))
    confirmed = same_answer(sent_twice("POST", f"{base}/missions/{mission_id}/goals/{goal['goal_id']}/confirmation",
                                       comp.REKTOR, {}, "competence"))
    assert confirmed == {"in_force": False}
    assert events_of("COMPETENCE_DB", "competence_events", mission_id) == before + 4
    shown = comp.call(base, comp.REKTOR, f"/missions/{mission_id}", status=200)
    assert activity["activity_id"] in str(shown) and goal["goal_id"] in str(shown)

    other = comp.call(base, comp.REKTOR, f"/missions/{mission_id}/needs", {"text": "Språkstörning och läsinlärning."})
    assert other["need_id"] != need["need_id"]  # another key (none): another need
    assert events_of("COMPETENCE_DB", "competence_events", mission_id) == before + 5


def test_a_delegation_sent_twice_with_one_key_is_registered_and_revoked_once(stack):
    grant = {"delegate": "tomas.ahl", "kinds": ["no_programme"], "valid_from": local_today().isoformat(),
             "valid_to": school_year_end(local_today()).isoformat()}
    url = f"{stack.cases_url}/delegations/0180-ENG"

    def changes() -> Counter:
        history = httpx.get(url, headers=headers_for(REKTOR, "cases")).json()["history"]
        return Counter(e["event_type"] for e in history if e["event_type"] != "Created")

    before = changes()
    registered = same_answer(sent_twice("POST", url, REKTOR, grant, "cases"))
    same_answer(sent_twice("POST", f"{url}/{registered['number']}/revocation", REKTOR, {}, "cases"))
    assert changes() - before == Counter({"DelegationRegistered": 1, "DelegationRevoked": 1})


def test_a_correction_and_a_withdrawal_sent_twice_with_one_key_are_stored_once(stack):
    intervention_id = document(stack)["intervention_id"]
    url = f"{stack.documentation_url}/interventions/{intervention_id}"
    body = {"kind": "supervision", "performed_on": local_today().isoformat(), "minutes": 45, "hinders": ["structure"],
            "supports": ["staffing"], "hinders_note": "Otydliga övergångar.", "description": "Handledning av arbetslaget.",
            "group": "7B", "expected_version": 1, "reason": "Mötet var kortare."}
    same_answer(sent_twice("POST", f"{url}/corrections", DOC_EDUCATOR, body, "documentation"))
    same_answer(sent_twice("POST", f"{url}/withdrawal", DOC_EDUCATOR, {"reason": "Fel grupp", "expected_version": 2},
                           "documentation"))
    assert events_of("DOCUMENTATION_DB", "documentation_events", intervention_id) == 3


def test_a_units_configuration_put_twice_with_one_key_answers_changed_both_times(stack):
    dev.configure_units(stack.deviations_url)
    url = f"{stack.deviations_url}/units/0180-ENG/configuration"
    current = httpx.get(url, headers=headers_for(dev.MANAGER, "deviations")).json()
    days = 45 if current.get("answer_days") != 45 else 50
    body = {"reporters": [dev.REPORTER.user_id], "manager": dev.MANAGER.user_id, "answer_days": days}
    assert same_answer(sent_twice("PUT", url, dev.MANAGER, body, "deviations"), 200)["changed"] is True
    assert same_answer(sent_twice("PUT", url, dev.MANAGER, body, "deviations"), 200)["changed"] is False
    restored = {k: current[k] for k in ("reporters", "manager", "answer_days")}  # as the other tests expect it
    assert httpx.put(url, json=restored, headers=headers_for(dev.MANAGER, "deviations")).status_code == 200


def test_a_disposal_sent_twice_with_one_key_answers_the_same_and_another_is_refused(stack):
    pin = personal_number()
    case_id = _finished_huddinge_case(stack, pin, pupil_name())
    pupil_ref = httpx.post(f"{stack.cases_url}/pupils/lookup", json={"personal_number": pin},
                           headers=headers_for(HUDDINGE_ADMIN, "cases")).json()["pupil_ref"]
    disposed = same_answer(sent_twice("POST", f"{stack.cases_url}/pupils/{pupil_ref}/disposal", HUDDINGE_ADMIN, {},
                                      "cases"))
    assert disposed["case_ids"] == [case_id]
    assert events_of("CASES_DB", "cases_events", str(PupilRecordsDisposal.id_for(pupil_ref))) == 1
    again = httpx.post(f"{stack.cases_url}/pupils/{pupil_ref}/disposal",
                       headers={**headers_for(HUDDINGE_ADMIN, "cases"), "Idempotency-Key": "another-disposal-key"})
    assert again.status_code == 422 and again.json()["rule"] == "R17"
