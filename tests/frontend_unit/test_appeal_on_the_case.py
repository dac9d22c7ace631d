"""R9 on the case page (issue 16): a decision's deliveries per recipient by name, the appeals
with where each stands in Swedish, and the form for each next step, against the stub cases
service: what is sent, a refusal at its field (the form's own prefixed field), a choice left
out asked again with nothing sent, a double submit sent with one key, and no id or code on the
page. The history's sentences of the appeal, by the guardians' names."""
from __future__ import annotations

import re
from html import unescape
from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.test_register_on_the_case import PUPIL, PUPIL_ID
from tests.frontend_unit.test_workflow_forms import DECISION, PROGRAMME, _case

ANNA = "guardian:" + PUPIL["guardians"][0]["guardian_id"]
JOHAN = "guardian:" + PUPIL["guardians"][1]["guardian_id"]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
UNDELIVERED = {**DECISION, "delivered_on": None, "appeal_last_day": None, "deliveries": [], "in_force": True,
               "changes_decision": None, "changed_by_decision": None, "by_board": False, "overturned": False}
RECEIVED = {**UNDELIVERED, "delivered_on": "2026-03-06", "appeal_last_day": "2026-03-27", "deliveries": [
    {"recipient": ANNA, "method": "post", "received_on": "2026-03-06", "recorded_by": "rolf.ek", "last_day_to_appeal": "2026-03-27"}]}


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def appeal(number=1, status="registered", appellants=(ANNA, JOHAN), **extra):
    return {"number": number, "decision_number": 1, "received_on": "2026-03-10", "appellants": list(appellants),
            "asks": "Plats i särskild undervisningsgrupp.", "registered_by": "rolf.ek", "last_day": "2026-03-27",
            "timely": status != "late", "delay_caused_by_school": False, "pupil_may_appeal_alone": False,
            "single_guardian_reason": "", "rejection": None, "reconsidered": None, "forwarded": None, "board": None,
            "status": status, "complete": status != "incomplete", "forward_due": "2026-03-17",
            "pending": status in ("incomplete", "late", "registered", "forwarded"), "decision_in_question": 1, **extra}


def page_of(frontend, cases_service, directory_service, case_id, **case):
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="programme", pupil_ref=PUPIL_ID,
                                                                   programme=PROGRAMME, **case))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    log_in(frontend, "rolf.ek")
    return frontend.get(f"/arenden/{case_id}").text


def form_of(html: str, action: str) -> str:
    found = re.search(rf'<form[^>]*action="[^"]*/steg/{re.escape(action)}".*?</form>', html, re.S)
    assert found, f"no form {action}"
    return found.group(0)


def error_at(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert found, f"no message at {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Fel: ", "").strip()


def test_r9_each_recipients_delivery_shows_who_how_when_and_their_last_day_and_the_form_offers_the_others_by_name(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    html = page_of(frontend, cases_service, directory_service, case_id, decisions=[RECEIVED])
    text = visible(html)

    assert re.search(r"Vårdnadshavaren Anna Exempel Med post 6 mars 2026 27 mars 2026", text)
    assert "Sista dag att överklaga: 27 mars 2026" in text
    form = form_of(html, "mottagen")
    offered = re.findall(r'<option value="([^"]*)">([^<]*)</option>', form)
    assert ("pupil", "Eleven Elsa Exempel") in offered and (JOHAN, "Vårdnadshavaren Johan Exempel") in offered
    assert ANNA not in [value for value, _ in offered]  # her delivery is recorded
    assert "Registrera delgivning" in form
    assert not UUID.search(text) and not CODE.search(text)


def test_r9_a_delivery_is_sent_as_the_service_names_it_and_a_refusal_stands_at_the_forms_own_date_field(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    page_of(frontend, cases_service, directory_service, case_id, decisions=[UNDELIVERED])
    cases_service.answer("POST", f"/cases/{case_id}/decisions/1/receipts", 201, {})

    done = frontend.post(f"/arenden/{case_id}/steg/mottagen", headers=HTMX, data={
        "expected_version": "9", "number": "1", "mottagen1-recipient": JOHAN, "mottagen1-method": "secure_digital",
        "mottagen1-received_on": "2026-03-07"})
    assert done.headers.get("HX-Refresh") == "true"
    assert cases_service.received[-1].body == {"recipient": JOHAN, "method": "secure_digital", "received_on": "2026-03-07",
                                               "expected_version": 9}

    cases_service.answer("POST", f"/cases/{case_id}/decisions/1/receipts", 422, {
        "error": "rule", "rule": "R9", "rule_name": "DeliveryCannotPrecedeTheDecision",
        "message": "Beslutet kan inte ha delgetts före beslutsdagen. (R9)", "fields": {"received_on": "Beslutet fattades 5 mars 2026."}})
    refused = frontend.post(f"/arenden/{case_id}/steg/mottagen", headers=HTMX, data={
        "expected_version": "9", "number": "1", "mottagen1-recipient": JOHAN, "mottagen1-method": "post",
        "mottagen1-received_on": "2026-03-01"})
    assert refused.status_code == 422 and refused.text.lstrip().startswith('<div id="step-decision">')
    assert error_at(refused.text, "mottagen1-received_on") == "Beslutet fattades 5 mars 2026."
    assert 'value="2026-03-01"' in refused.text and "<details class=\"rewrite\" open>" in refused.text


def test_r9_an_appeal_is_registered_from_the_guardians_chosen_by_name_and_without_a_choice_nothing_is_sent(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    html = page_of(frontend, cases_service, directory_service, case_id, decisions=[RECEIVED])
    form = form_of(html, "overklagande")
    assert re.search(r'value="' + re.escape(ANNA) + r'"[^>]*>\s*<label[^>]*>Vårdnadshavaren Anna Exempel</label>', form)
    assert "Eleven Elsa Exempel" in form and "Förseningen orsakades av skolan" in form
    cases_service.answer("POST", f"/cases/{case_id}/decisions/1/appeals", 201, {})
    posts = len([r for r in cases_service.received if r.method == "POST"])

    asked_again = frontend.post(f"/arenden/{case_id}/steg/overklagande", headers=HTMX, data={
        "expected_version": "9", "number": "1", "overklagande1-received_on": "2026-03-10", "overklagande1-asks": "Ändra"})
    assert asked_again.status_code == 422
    assert error_at(asked_again.text, "overklagande1-appellants") == "Välj vem som överklagar."
    assert len([r for r in cases_service.received if r.method == "POST"]) == posts

    frontend.post(f"/arenden/{case_id}/steg/overklagande", headers=HTMX, data={
        "expected_version": "9", "number": "1", "overklagande1-received_on": "2026-03-10", "overklagande1-appellants": ANNA,
        "overklagande1-asks": "Plats i särskild undervisningsgrupp.", "overklagande1-delay_caused_by_school": "ja"})
    assert cases_service.received[-1].path == f"/cases/{case_id}/decisions/1/appeals"
    assert cases_service.received[-1].body == {"received_on": "2026-03-10", "appellants": [ANNA],
                                               "asks": "Plats i särskild undervisningsgrupp.", "delay_caused_by_school": True,
                                               "expected_version": 9}


def test_r9_each_status_offers_its_next_step_only(frontend, cases_service, directory_service):
    case_id = uuid4()
    appeals = [appeal(1, "incomplete", appellants=(ANNA,)), appeal(2, "late"), appeal(3, "registered"), appeal(4, "forwarded",
               forwarded={"forwarded_on": "2026-03-12", "forwarded_by": "rolf.ek", "comments": "", "documents": ["Överklagandet"],
                          "late": False})]
    html = page_of(frontend, cases_service, directory_service, case_id, decisions=[RECEIVED], appeals=appeals)
    text = visible(html)

    def section(number):
        return re.search(rf'<div class="appeal-record" id="overklagande-{number}">.*?(?=<div class="appeal-record"|<details class="rewrite"[^>]*>\s*<summary>Registrera överklagande)', html, re.S).group(0)

    assert "Väntar på att båda vårdnadshavarna står bakom överklagandet" in text
    assert "Kom in för sent – ska avvisas" in text and "Hos Skolväsendets överklagandenämnd" in text
    first = section(1)
    assert "Den andra vårdnadshavaren ansluter sig" in first and "En vårdnadshavare räcker eftersom" in first
    joiners = re.findall(r'<option value="([^"]*)">([^<]*)</option>', form_of(first, "anslutning"))
    assert joiners == [("", "Välj …"), (JOHAN, "Vårdnadshavaren Johan Exempel")]
    assert "Avvisa (kom in för sent)" in section(2) and "Ompröva" not in section(2)
    third = section(3)
    assert "Ompröva: ändra beslutet" in third and "Lämna till överklagandenämnden" in third
    documents = dict((label, checked) for checked, label in re.findall(
        r'<input type="checkbox" id="overlamning3-documents-\d+" name="overlamning3-documents" value="[^"]*"( checked)?>\s*<label[^>]*>([^<]*)</label>',
        form_of(third, "overlamning")))
    assert documents == {"Överklagandet": " checked", "Det överklagade beslutet": " checked", "Utredningen": " checked",
                         "Åtgärdsprogrammet": " checked", "Skolans yttrande": " checked"}
    fourth = section(4)
    assert "Registrera nämndens avgörande" in fourth and "Nämnden upphävde beslutet och återförvisade ärendet till skolan" in fourth
    assert "Lämna till överklagandenämnden" not in fourth
    assert not UUID.search(text) and not CODE.search(text)
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_r9_forwarding_twice_from_one_form_sends_one_key_so_the_service_stores_once(frontend, cases_service, directory_service):
    case_id = uuid4()
    html = page_of(frontend, cases_service, directory_service, case_id, decisions=[RECEIVED], appeals=[appeal(1)])
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', form_of(html, "overlamning")).group(1)
    cases_service.answer("POST", f"/cases/{case_id}/appeals/1/forwarding", 201, {})
    data = {"expected_version": "9", "number": "1", "request_key": key, "overlamning1-forwarded_on": "2026-03-12",
            "overlamning1-comments": "Skolan står fast vid beslutet.",
            "overlamning1-documents": ["Överklagandet", "Det överklagade beslutet"]}

    for _ in range(2):
        assert frontend.post(f"/arenden/{case_id}/steg/overlamning", headers=HTMX, data=data).headers.get("HX-Refresh") == "true"

    first, second = [r for r in cases_service.received if r.path == f"/cases/{case_id}/appeals/1/forwarding"]
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.body == {"forwarded_on": "2026-03-12", "comments": "Skolan står fast vid beslutet.",
                          "documents": ["Överklagandet", "Det överklagade beslutet"], "expected_version": 9}


def test_r9_the_boards_outcome_and_a_reconsideration_are_sent_with_the_services_values(frontend, cases_service, directory_service):
    case_id = uuid4()
    page_of(frontend, cases_service, directory_service, case_id, decisions=[RECEIVED], appeals=[appeal(1)])
    cases_service.answer("POST", f"/cases/{case_id}/appeals/1/reconsideration", 201, {})
    cases_service.answer("POST", f"/cases/{case_id}/appeals/1/board", 201, {})

    frontend.post(f"/arenden/{case_id}/steg/omprovning", headers=HTMX, data={
        "expected_version": "9", "number": "1", "omprovning1-kind": "establish_programme",
        "omprovning1-placements": "special_teaching_group", "omprovning1-reasons": "Som begärt.", "omprovning1-in_full": "ja"})
    assert cases_service.received[-1].body == {"kind": "establish_programme", "placements": ["special_teaching_group"],
                                               "reasons": "Som begärt.", "in_full": True, "expected_version": 9}
    frontend.post(f"/arenden/{case_id}/steg/namndens-avgorande", headers=HTMX, data={
        "expected_version": "9", "number": "1", "namndens-avgorande1-outcome": "sent_back",
        "namndens-avgorande1-decided_on": "2026-05-02", "namndens-avgorande1-sent_back_to": "investigation"})
    assert cases_service.received[-1].body == {"outcome": "sent_back", "decided_on": "2026-05-02", "reasons": "",
                                               "sent_back_to": "investigation", "kind": None, "placements": [],
                                               "expected_version": 9}


def test_r9_a_decision_changed_or_overturned_says_so_and_the_case_sent_back_has_its_swedish_status(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    changed = {**RECEIVED, "changed_by_decision": 2, "in_force": False}
    by_board = {**UNDELIVERED, "number": 2, "appealable": False, "by_board": True, "changes_decision": 1, "decided_by": "",
                "delivered_on": None, "programme_number": None}
    overturned = {**RECEIVED, "number": 3, "overturned": True, "in_force": False}
    text = visible(page_of(frontend, cases_service, directory_service, case_id, decisions=[changed, by_board, overturned]))

    assert "Ändrat genom beslut 2 (överklagandenämndens beslut)." in text
    assert "av Skolväsendets överklagandenämnd, som ändrade beslut 1. Nämndens beslut kan inte överklagas." in text
    assert "Upphävt av överklagandenämnden." in text
    assert "Registrera överklagande av beslut 1" not in text and "Registrera överklagande av beslut 3" not in text

    from frontend.workflow_labels import STATUS_LABELS
    assert STATUS_LABELS["sent_back"] == "Återförvisat – ny utredning"


def test_r9_the_history_tells_the_appeal_by_the_guardians_names_and_the_law(frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, pupil_ref=PUPIL_ID, decisions=[RECEIVED]))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)

    def event(version, event_type, data):
        return {"version": version, "event_type": event_type, "at": "2026-03-10T09:00:00+00:00", "actor": "rolf.ek",
                "role": "rektor", "corrects_version": None, "data": data}

    cases_service.answer("GET", f"/cases/{case_id}/history", 200, {"events": [
        event(1, "Decided", {"number": 1, "kind": "establish_programme", "placements": [], "reasons": "", "decided_by": "rolf.ek",
                             "delegation_number": None, "decided_on": "2026-03-05", "appealable": True}),
        event(2, "DecisionReceived", {"decision_number": 1, "recipient": ANNA, "method": "post", "received_on": "2026-10-03",
                                      "recorded_by": "rolf.ek", "appeal_last_day": "2026-10-24"}),
        event(3, "AppealRegistered", {"number": 1, "decision_number": 1, "received_on": "2026-10-10", "appellants": [ANNA],
                                      "asks": "Plats i liten grupp.", "registered_by": "rolf.ek", "last_day": "2026-10-24",
                                      "timely": True, "delay_caused_by_school": False, "pupil_may_appeal_alone": False}),
        event(4, "AppealJoined", {"appeal_number": 1, "guardian": JOHAN, "joined_on": "2026-10-11", "recorded_by": "rolf.ek"}),
        event(5, "AppealForwarded", {"appeal_number": 1, "forwarded_on": "2026-10-19", "forwarded_by": "rolf.ek", "comments": "",
                                     "documents": ["Överklagandet", "Utredningen"], "late": True}),
    ]})
    log_in(frontend, "rolf.ek")

    text = visible(frontend.get(f"/arenden/{case_id}/historik").text)

    assert ("Vårdnadshavaren Anna Exempel fick beslut 1 med post den 3 oktober 2026; sista dag att överklaga är "
            "24 oktober 2026.") in text
    assert "Vårdnadshavaren Anna Exempel överklagade beslut 1; överklagandet kom in till skolan den 10 oktober 2026, i tid" in text
    assert "den andra behöver ansluta sig" in text
    assert "Vårdnadshavaren Johan Exempel anslöt sig den 11 oktober 2026 till överklagande nr 1" in text
    assert ("lämnade den 19 oktober 2026 överklagande nr 1 vidare till Skolväsendets överklagandenämnd (skollagen 28 kap. 16 §), "
            "senare än inom en vecka: det skulle ha lämnats senast 17 oktober 2026.") in text
    assert "förvaltningslagen 44 §" in text
    assert not UUID.search(text)
