"""The forms after the referral: refusals next to their fields (422), a stale form (409),
the programme with no place for a diagnosis and its printable public form (R18)."""
from __future__ import annotations

import re
from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in

R6_MESSAGE = ("Beslut om särskild undervisningsgrupp, enskild undervisning eller anpassad studiegång fattas av rektor "
              "personligen och kan inte delegeras (skollagen 3 kap. 11 § och 12 §, jämför 2 kap. 10 §). (R6)")
PARTS = {"pupil_view": "Vill ha lugn", "guardians_view": "Ser trötthet", "school_view": "Tappar fokus",
         "pedagogical_assessment": "Läser svagt", "environment_organisation": "Stora grupper",
         "environment_group": "Stökigt", "environment_individual": "HEMLIG-UTREDNINGSTEXT"}


def _case(case_id, **extra):
    case = {
        "case_id": str(case_id), "version": 9, "municipality": "0180", "school_unit": "0180-ENG", "status": "investigated",
        "pupil_name": "Elsa Exempel", "pupil_personal_number": "20150315-1234", "opened_at": "2026-03-02T08:15:00+00:00",
        "closed": False, "extra_adaptations": [], "participation": [], "decisions": [], "programme": None,
        "programme_in_force": False, "programme_to_issue": False, "correctable": {},
        "referral": {"referred_on": "2026-03-02", "tried_adaptations": "Bildstöd", "why_not_enough": "Räcker inte",
                     "special_reason": "", "direct": False, "investigation_due": "2026-03-09", "decision_due": "2026-03-30",
                     "days_since_referral": 3, "investigation_overdue": False, "decision_overdue": False},
        "investigation": {"number": 1, "school_unit": "0180-ENG", "started_on": "2026-03-03", "investigator": "sara.berg",
                          "student_health_team": True, "without_team_reason": "", "parts": PARTS, "proposal": "Program",
                          "concluded_on": "2026-03-04", "decided": False},
    }
    case.update(extra)
    return case


PROGRAMME = {"number": 1, "decision_number": 1, "school_unit": "0180-ENG", "needs": "Stöd i läsning",
             "measures": [{"description": "Lästräning", "extent": "2 x 40 min/vecka", "responsible": "sara.berg"}],
             "follow_up_dates": ["2026-04-01"], "follow_up_responsible": "sara.berg", "evaluation_on": "2026-06-01",
             "evaluation_responsible": "rolf.ek", "issued_on": "2026-03-05", "issued_by": "rolf.ek", "follow_ups": [],
             "evaluation": None, "closed_on": None, "superseded": False}
DECISION = {"number": 1, "kind": "establish_programme", "placements": [], "reasons": "", "decided_by": "rolf.ek",
            "delegation_number": None, "decided_on": "2026-03-05", "school_unit": "0180-ENG", "appealable": True,
            "appeal_instructions": "Hur man överklagar: Skolväsendets överklagandenämnd …", "delivered_on": "2026-03-06",
            "appeal_last_day": "2026-03-27", "programme_number": 1}


def test_r6_the_decision_form_shows_the_refusal_citing_the_law_in_its_block(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id))
    cases_service.answer("POST", f"/cases/{case_id}/decisions", 422, {
        "error": "rule", "message": R6_MESSAGE, "rule": "R6", "rule_name": "DecisionOnSpecialTeachingGroupCannotBeDelegated", "fields": {}})
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/beslut", headers=HTMX, data={
        "expected_version": "9", "kind": "establish_programme", "placements": "special_teaching_group"})

    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="step-decision">')
    assert 'data-rule="R6"' in response.text and "3 kap. 11 §" in response.text
    assert re.search(r'value="special_teaching_group"\s*checked', response.text)  # what was chosen stays
    assert cases_service.received[-2].body == {"kind": "establish_programme", "placements": ["special_teaching_group"],
                                               "reasons": "", "expected_version": 9}


def test_r7_each_missing_part_of_the_programme_is_shown_at_its_field(frontend, cases_service):
    case_id = uuid4()
    decided = _case(case_id, status="decided", decisions=[{**DECISION, "programme_number": None}], programme_to_issue=True)
    cases_service.answer("GET", f"/cases/{case_id}", 200, decided)
    cases_service.answer("POST", f"/cases/{case_id}/programme", 422, {
        "error": "rule", "rule": "R7", "rule_name": "ActionProgrammeMustStateNeedsMeasuresAndFollowUp",
        "message": "Åtgärdsprogrammet är inte komplett. (R7)",
        "fields": {"measures.0.extent": "Åtgärd 1: ange omfattningen (t.ex. 2 lektioner i veckan).",
                   "follow_up_dates": "Ange när uppföljningen ska göras."}})
    log_in(frontend, "rolf.ek")

    response = frontend.post(f"/arenden/{case_id}/steg/atgardsprogram", headers=HTMX, data={
        "expected_version": "9", "needs": "Stöd i läsning", "measures.0.description": "Lästräning"})

    html = response.text
    assert response.status_code == 422 and html.lstrip().startswith('<div id="step-programme">')
    assert 'id="measures.0.extent-error"' in html and "ange omfattningen" in html
    assert 'id="follow_up_dates.0-error"' in html
    assert ">Stöd i läsning</textarea>" in html


def test_r18_the_programme_form_has_no_field_for_a_diagnosis(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="decided", decisions=[{**DECISION, "programme_number": None}], programme_to_issue=True))
    log_in(frontend, "rolf.ek")

    html = frontend.get(f"/arenden/{case_id}").text
    form = re.search(r'<form id="programme-form".*?</form>', html, re.S).group(0)

    names = set(re.findall(r'name="([^"]+)"', form))
    assert "needs" in names and "evaluation_on" in names
    assert not [n for n in names if re.search("diagnos|medicin|hälsa", n)]


def test_r18_the_printable_programme_shows_the_public_decision_only(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="programme", programme=PROGRAMME, decisions=[DECISION]))
    log_in(frontend, "rolf.ek")

    html = frontend.get(f"/arenden/{case_id}/atgardsprogram").text

    assert "Stöd i läsning" in html and "2 x 40 min/vecka" in html and "Skolväsendets överklagandenämnd" in html
    assert "20150315-1234" not in html and "HEMLIG-UTREDNINGSTEXT" not in html


def test_a_stale_form_gets_409_says_to_reload_and_keeps_what_was_typed(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="programme", programme=PROGRAMME,
                                                                   decisions=[DECISION], programme_in_force=True))
    cases_service.answer("POST", f"/cases/{case_id}/follow-ups", 409, {"error": "conflict", "message": "Ladda om."})
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/uppfoljning", headers=HTMX,
                             data={"expected_version": "8", "findings": "Läser bättre"})

    assert response.status_code == 409
    assert "Ladda om sidan" in response.text and ">Läser bättre</textarea>" in response.text


def test_r9_the_case_page_shows_appeal_instructions_and_the_last_day_to_appeal(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="programme", programme=PROGRAMME, decisions=[DECISION]))
    log_in(frontend, "rolf.ek")

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", frontend.get(f"/arenden/{case_id}").text))

    assert "Skolväsendets överklagandenämnd" in text
    assert "Sista dag att överklaga: 27 mars 2026" in text


def test_the_followup_page_passes_its_filters_and_pages(frontend, followup_service):
    rows = [{"case_id": str(uuid4()), "school_unit": "0180-ENG", "pupil_name": "Olle", "opened_at": "2026-02-02T08:00:00+00:00",
             "status": "programme", "investigator": "sara.berg", "next_follow_up": "2026-03-10", "follow_up_soon": True,
             "undelivered": 1, "appeal_open": False, "overdue": False, "days_waiting": None}]
    followup_service.answer("GET", "/followup", 200, {"rows": rows, "total": 60, "page": 2, "page_size": 25,
                                                      "summary": {"open": 60, "waiting": 3, "overdue": 2, "due_soon": 5, "undelivered": 1, "appeal_open": 4},
                                                      "investigators": ["sara.berg"]})
    log_in(frontend, "rolf.ek")

    html = frontend.get("/uppfoljning?skolenhet=0180-ENG&status=programme&utredare=sara.berg&sida=2").text

    assert followup_service.received[-1].query == "school_unit=0180-ENG&status=programme&investigator=sara.berg&page=2"
    assert "Sida 2 av 3 (60 ärenden)" in html and "sida=3" in html and "sida=1" in html
    assert "60 öppna ärenden" in html and "2 försenade" in html
    assert "Beslut ej delgivet" in html and "Uppföljning</span> 2026-03-10" in html
    assert '<option value="sara.berg" selected>Sara Berg</option>' in html


def test_a_refusal_by_a_rule_does_not_offer_to_reload(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id))
    cases_service.answer("POST", f"/cases/{case_id}/decisions", 422, {
        "error": "rule", "message": R6_MESSAGE, "rule": "R6", "rule_name": "DecisionOnSpecialTeachingGroupCannotBeDelegated"})
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/beslut", headers=HTMX, data={"kind": "establish_programme"})

    assert "Ladda om sidan" not in response.text
