"""Historik: the case's events as sentences a person reads (no JSON, ids or codes), and the
correction form that names the exact field (an investigation's part), showing its value now."""
from __future__ import annotations

import re
from html import unescape
from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.test_workflow_forms import _case

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags, attributes, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def event(version, event_type, at, actor, data, corrects=None):
    return {"version": version, "event_type": event_type, "at": at, "actor": actor, "role": "rektor",
            "corrects_version": corrects, "data": data}


def history(case_id):
    return {"events": [
        event(1, "Opened", "2026-03-02T08:15:00+00:00", "anna.lind",
              {"municipality": "0180", "school_unit": "0180-ENG", "pupil_name": "Elsa Exempel", "opened_by": "anna.lind",
               "pupil_ref": str(uuid4()), "opened_on": "2026-03-02"}),
        event(2, "ExtraAdaptationRecorded", "2026-03-02T08:16:00+00:00", "anna.lind",
              {"description": "Extra tid", "recorded_by": "anna.lind"}),
        event(3, "InvestigationRecorded", "2026-03-03T09:00:00+00:00", "sara.berg",
              {"parts": {"environment_group": "Text för gruppen", "pupil_view": "Vill ha lugn"}, "recorded_by": "sara.berg"}),
        event(4, "Decided", "2026-03-05T10:00:00+00:00", "rolf.ek",
              {"number": 1, "kind": "establish_programme", "placements": ["special_teaching_group"], "reasons": "I matematik",
               "decided_by": "rolf.ek", "delegation_number": None, "decided_on": "2026-03-05", "appealable": True}),
        event(5, "Corrected", "2026-03-06T10:00:00+00:00", "sara.berg",
              {"corrects_version": 3, "kind": "investigation", "ref": [1, "environment_group"], "field": "environment_group",
               "value": "Gruppen är lugn", "reason": "Fel grupp", "corrected_by": "sara.berg"}, corrects=3),
    ]}


def correctable():
    return {"correctable": {"2": "adaptation", "3": "investigation"},
            "correctable_fields": {"2": {"description": "Extra tid"},
                                   "3": {"pupil_view": "Vill ha lugn", "environment_group": "Gruppen är lugn"}}}


def test_r16_the_history_reads_as_sentences_with_names_dates_rules_and_the_correction_before_and_after(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, **correctable()))
    cases_service.answer("GET", f"/cases/{case_id}/history", 200, history(case_id))
    log_in(frontend, "rolf.ek")

    page = frontend.get(f"/arenden/{case_id}/historik")

    text = " ".join(visible_text(page.text).split())
    assert page.status_code == 200
    assert "Anna Lind öppnade ärendet för Elsa Exempel vid Engelbrektsskolan." in text
    assert "Sara Berg skrev i utredningen. Elevens syn: ”Vill ha lugn”; Lärmiljön på gruppnivå: ”Text för gruppen”." in text
    assert ("Rolf Ek beslutade den 5 mars 2026 att upprätta åtgärdsprogram, med särskild undervisningsgrupp "
            "(skollagen 3 kap. 11 §) (beslut nr 1). Skäl: ”I matematik”.") in text
    assert "R4, skollagen 3 kap. 9 §; R6, skollagen 3 kap. 11 och 12 §§" in text
    assert ("Rättelse: Lärmiljön på gruppnivå ändrades från ”Text för gruppen” till ”Gruppen är lugn”, av Sara Berg, "
            "skäl: ”Fel grupp”.") in text
    assert "2 mars 2026 kl. 09.15" in text  # Swedish time
    assert '<a href="#h3">Se nr 3, det som rättades.</a>' in page.text
    # No JSON, ids or codes anywhere a person reads.
    assert not UUID.search(text) and "{" not in text and "[" not in text, text
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert "rolf.ek" not in text and "sara.berg" not in text and "Opened" not in text


def test_r16_the_correction_form_offers_each_part_by_its_label_and_shows_the_chosen_ones_value(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, **correctable()))
    cases_service.answer("GET", f"/cases/{case_id}/history", 200, history(case_id))
    log_in(frontend, "rolf.ek")

    page = frontend.get(f"/arenden/{case_id}/historik").text
    assert '<option value="3:environment_group">Nr 3, 3 mars 2026 kl. 10.00, utredningen: Lärmiljön på gruppnivå</option>' in page
    assert '<option value="2:description">Nr 2, 2 mars 2026 kl. 09.16, extra anpassning: Den extra anpassningen</option>' in page
    assert 'id="current-value"' not in page
    assert f'href="/arenden/{case_id}/historik?field=3#rattelse">Rätta en uppgift i nr 3</a>' in page

    # Choosing a part (htmx asks for the form alone): its value now, shown and ready to edit.
    block = frontend.get(f"/arenden/{case_id}/historik?field=3:environment_group", headers=HTMX).text
    assert block.lstrip().startswith('<div id="step-correction">')
    assert re.search(r'<option value="3:environment_group"\s*selected>', block)
    assert "<blockquote>”Gruppen är lugn”</blockquote>" in block
    assert re.search(r'<textarea[^>]*id="value"[^>]*>Gruppen är lugn</textarea>', block)
    # An entry asked for as a whole: its first field.
    whole = frontend.get(f"/arenden/{case_id}/historik?field=3").text
    assert re.search(r'<option value="3:pupil_view"\s*selected>', whole) and "<blockquote>”Vill ha lugn”</blockquote>" in whole


def test_r16_a_correction_sends_the_entry_and_the_field_and_a_refusal_stands_at_the_field(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, **correctable()))
    cases_service.answer("GET", f"/cases/{case_id}/history", 200, history(case_id))
    cases_service.answer("POST", f"/cases/{case_id}/corrections", 422, {
        "error": "rule", "rule": "R16", "rule_name": "CorrectionChangesTheValue",
        "message": "Den rättade uppgiften är densamma som den som står i ärendet; skriv in den nya. (R16)",
        "fields": {"value": "Den rättade uppgiften är densamma som den som står i ärendet; skriv in den nya."}})
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/rattelse", headers=HTMX, data={
        "expected_version": "9", "field": "3:environment_group", "value": "Gruppen är lugn", "reason": "Fel"})

    assert cases_service.received[-3].body == {"corrects_version": 3, "field": "environment_group", "value": "Gruppen är lugn",
                                               "reason": "Fel", "expected_version": 9}
    assert response.status_code == 422 and response.text.lstrip().startswith('<div id="step-correction">')
    assert 'id="value-error"' in response.text and "densamma som den som står" in response.text
    assert "<blockquote>”Gruppen är lugn”</blockquote>" in response.text  # the chosen part stays chosen


def test_a_correction_without_a_chosen_field_is_asked_again_and_nothing_is_sent(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, **correctable()))
    cases_service.answer("GET", f"/cases/{case_id}/history", 200, history(case_id))
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/rattelse", headers=HTMX, data={
        "expected_version": "9", "field": "", "value": "Ny text", "reason": "Fel"})

    assert response.status_code == 422 and 'id="field-error"' in response.text
    assert "Välj vilken uppgift som rättas." in response.text
    assert not any(r.method == "POST" for r in cases_service.received)
