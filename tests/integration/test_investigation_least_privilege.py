"""R14, least privilege, over the real cases API, Kafka and loggkontroll: a teacher reads the
case she referred without the investigation's views, assessment and learning environment; rektor
invites her and she sees them; rektor withdraws the invitation and she does not. The invitation
and its withdrawal are in the case's history and in the access log (R15)."""
from __future__ import annotations

import uuid

import httpx
import pytest

from eventkit.identity import Role
from tests.conftest import REKTOR, TEACHER, headers_for, identity
from tests.support.infrastructure import eventually
from tests.support.pupils import directory_pupil

pytestmark = pytest.mark.integration
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")


def post(stack, who, path, body, expect=201):
    response = httpx.post(f"{stack.cases_url}{path}", json=body, headers=headers_for(who, "cases"))
    assert response.status_code == expect, response.text
    return response.json()


def get(stack, who, path, **params):
    response = httpx.get(f"{stack.cases_url}{path}", params=params, headers=headers_for(who, "cases"))
    assert response.status_code == 200, response.text
    return response.json()


def test_r14_the_teacher_sees_the_investigation_only_while_rektor_has_invited_her(stack):
    marker = uuid.uuid4().hex[:8]
    parts = {"pupil_view": f"Eleven vill sitta nära dörren {marker}", "guardians_view": "Föräldrarna ser trötthet",
             "school_view": "Skolan ser koncentrationssvårigheter", "pedagogical_assessment": f"Bedömning {marker}",
             "environment_organisation": "Stora grupper", "environment_group": "Stökig klass",
             "environment_individual": "Behöver lugn plats"}
    pupil = directory_pupil(stack, "0180-ENG")
    case_id = post(stack, TEACHER, "/cases", {"school_unit": "0180-ENG", "pupil_id": pupil})["case_id"]
    post(stack, TEACHER, f"/cases/{case_id}/extra-adaptations", {"description": "Förlängd skrivtid"})
    post(stack, TEACHER, f"/cases/{case_id}/referral", {"tried_adaptations": "Förlängd skrivtid", "why_not_enough": "Räcker inte"})
    post(stack, REKTOR, f"/cases/{case_id}/investigation", {"investigator": "sara.berg", "student_health_team": True})
    post(stack, EDUCATOR, f"/cases/{case_id}/investigation/parts", parts)
    post(stack, EDUCATOR, f"/cases/{case_id}/investigation/conclusion", {"proposal": f"Förslag {marker}"})

    def teacher_reads() -> str:
        case = get(stack, TEACHER, f"/cases/{case_id}")
        history = get(stack, TEACHER, f"/cases/{case_id}/history")
        as_of = get(stack, TEACHER, f"/cases/{case_id}", as_of=case["opened_at"][:10])
        return str(case) + str(history) + str(as_of)

    # Not invited: the course of the investigation, none of its content.
    case = get(stack, TEACHER, f"/cases/{case_id}")
    assert case["investigation_withheld"] and case["investigation"]["withheld"]
    assert case["investigation"]["investigator"] == "sara.berg" and case["investigation"]["concluded_on"]
    assert "parts" not in case["investigation"] and "proposal" not in case["investigation"]
    assert case["extra_adaptations"][0]["description"] == "Förlängd skrivtid" and case["referral"]["why_not_enough"]
    assert marker not in teacher_reads()
    refused = post(stack, TEACHER, f"/cases/{case_id}/investigation/parts", {"school_view": "Lärarens syn"}, expect=422)
    assert refused["rule"] == "R14" and refused["rule_name"] == "InvestigationIsForThoseTakingPart"
    # Special educators and rektor keep what they had.
    assert marker in str(get(stack, EDUCATOR, f"/cases/{case_id}")) and marker in str(get(stack, REKTOR, f"/cases/{case_id}"))

    # Only rektor invites, and only a teacher of the case's unit.
    post(stack, EDUCATOR, f"/cases/{case_id}/investigation/invitations", {"user_id": "anna.lind"}, expect=403)
    wrong = post(stack, REKTOR, f"/cases/{case_id}/investigation/invitations", {"user_id": "ola.nilsson"}, expect=422)
    assert wrong["rule_name"] == "InvitationNamesATeacherOfTheUnit" and "user_id" in wrong["fields"]

    post(stack, REKTOR, f"/cases/{case_id}/investigation/invitations", {"user_id": "anna.lind"})
    case = get(stack, TEACHER, f"/cases/{case_id}")
    assert not case["investigation_withheld"] and case["investigation"]["parts"] == parts
    assert case["invited_to_investigation"] == ["anna.lind"]
    assert f"Förslag {marker}" in teacher_reads()

    post(stack, REKTOR, f"/cases/{case_id}/investigation/withdrawals", {"user_id": "anna.lind"})
    assert get(stack, TEACHER, f"/cases/{case_id}")["investigation_withheld"] and marker not in teacher_reads()

    # Both are events in the case's history, with who did it ...
    history = get(stack, REKTOR, f"/cases/{case_id}/history")["events"]
    changes = [(e["event_type"], e["actor"], e["data"]["teacher"]) for e in history
               if e["event_type"] in ("InvitedToInvestigation", "InvitationWithdrawn")]
    assert changes == [("InvitedToInvestigation", "rolf.ek", "anna.lind"), ("InvitationWithdrawn", "rolf.ek", "anna.lind")]

    # ... and in loggkontroll, as rektor's changes of the pupil's record (R15).
    def logged(resource: str):
        response = httpx.get(f"{stack.accesslog_url}/accesslog", params={"user": "rolf.ek"},
                             headers=headers_for(ADMIN, "accesslog"))
        assert response.status_code == 200, response.text
        return [e for e in response.json()["entries"] if e["resource_id"] == case_id and e["resource"] == resource] or None

    for resource in ("/cases/{case_id}/investigation/invitations", "/cases/{case_id}/investigation/withdrawals"):
        # (the refused invitation of a teacher of another unit was logged as an attempt too)
        entries = eventually(lambda: logged(resource), timeout=40, interval=0.3)
        assert {(e["action"], e["role"], e["school_unit"]) for e in entries} == {("change", "rektor", "0180-ENG")}
