"""R14, least privilege: the teacher's case page shows no investigation text where the cases
service leaves it out, only a line saying who sees it; rektor invites a teacher of the unit to
the investigation, and takes the invitation back."""
from __future__ import annotations

from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.test_workflow_forms import PARTS, _case

WITHHELD = {"number": 1, "school_unit": "0180-ENG", "started_on": "2026-03-03", "started_by": "rolf.ek",
            "investigator": "sara.berg", "student_health_team": False, "concluded_on": "2026-03-04", "decided": False,
            "withheld": True}


def test_r14_the_teachers_case_page_shows_no_investigation_text_only_who_sees_it(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, investigation=WITHHELD, investigations=[WITHHELD], investigation_withheld=True, invited_to_investigation=[]))
    log_in(frontend, "anna.lind")

    page = frontend.get(f"/arenden/{case_id}")

    assert page.status_code == 200
    assert "Utredningen visas för den som deltar i den." in page.text
    assert "Sara Berg" in page.text and "Deltar inte" in page.text  # the course of it, who investigates
    for text in [*PARTS.values(), "Program"]:
        assert text not in page.text
    for label in ("Elevens syn", "Pedagogisk bedömning", "Förslag (utredningen"):
        assert label not in page.text
    assert 'id="investigation-parts-form"' not in page.text and "Bjud in till utredningen" not in page.text


def test_r14_rektor_invites_a_teacher_of_the_unit_and_takes_the_invitation_back(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, invited_to_investigation=["anna.lind"],
                                                                  investigation_withheld=False))
    cases_service.answer("POST", f"/cases/{case_id}/investigation/invitations", 201, {"case_id": str(case_id)})
    cases_service.answer("POST", f"/cases/{case_id}/investigation/withdrawals", 201, {"case_id": str(case_id)})
    log_in(frontend, "rolf.ek")

    page = frontend.get(f"/arenden/{case_id}")
    assert PARTS["pupil_view"] in page.text and "Ta tillbaka inbjudan för Anna Lind" in page.text

    frontend.post(f"/arenden/{case_id}/steg/inbjudan-tillbaka", headers=HTMX,
                  data={"expected_version": "9", "user_id": "anna.lind"})
    assert cases_service.received[-1].body == {"user_id": "anna.lind", "expected_version": 9}
    assert cases_service.received[-1].path == f"/cases/{case_id}/investigation/withdrawals"


def test_r14_a_refused_invitation_is_said_at_the_teacher_field(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, invited_to_investigation=[]))
    cases_service.answer("POST", f"/cases/{case_id}/investigation/invitations", 422, {
        "error": "rule", "rule": "R14", "rule_name": "InvitationNamesATeacherOfTheUnit",
        "message": "Välj en lärare på ärendets skolenhet. (R14)", "fields": {"user_id": "Välj en lärare på ärendets skolenhet."}})
    log_in(frontend, "rolf.ek")
    page = frontend.get(f"/arenden/{case_id}")
    assert "Bjud in till utredningen" in page.text and '<option value="anna.lind">Anna Lind</option>' in page.text

    response = frontend.post(f"/arenden/{case_id}/steg/inbjudan", headers=HTMX, data={"expected_version": "9", "user_id": ""})

    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="step-invitation">')
    assert "Välj en lärare på ärendets skolenhet." in response.text
