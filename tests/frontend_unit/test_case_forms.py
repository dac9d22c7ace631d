"""What a teacher sees when a form is refused, and that nothing is lost when a service is down.

The stub answers with the cases service's documented error JSON (422 validation / rule).
"""
from __future__ import annotations

import re
from uuid import uuid4

from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from eventkit.identity import HEADER, verify
from frontend.app import create_app
from tests.frontend_unit.helpers import HTMX, log_in, unused_url

PUPIL_ID = "5a0c1e7e-7b1d-5c1e-9a53-2d8f0b7e9c41"
CHOSEN = {"school_unit": "0180-ENG", "pupil_id": PUPIL_ID}
NOT_PLACED = "Eleven är inte placerad på skolenheten."


def _refuse_choice(cases_service):
    cases_service.answer("POST", "/cases", 422, {
        "error": "validation", "message": "Uppgifterna behöver rättas.", "fields": {"pupil_id": NOT_PLACED},
    })


def _case(case_id, referral=None, adaptations=()):
    return {
        "case_id": str(case_id), "version": 2, "municipality": "0180", "school_unit": "0180-ENG",
        "pupil_name": "Elsa Exempel", "pupil_personal_number": "20150315-1234",
        "opened_at": "2026-03-02T08:15:00+00:00",
        "extra_adaptations": [{"description": d, "recorded_by": "anna.lind"} for d in adaptations],
        "referral": referral,
    }


def test_a_refused_choice_is_said_above_the_pupils_in_the_results_block_only(frontend, cases_service):
    _refuse_choice(cases_service)
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data=CHOSEN, headers=HTMX)

    assert response.status_code == 422
    html = response.text
    assert html.lstrip().startswith('<div id="pupil-results"') and "<html" not in html
    assert 'role="alert"' in html and NOT_PLACED in html


def test_without_javascript_the_whole_page_comes_back_with_the_message_and_422(frontend, cases_service):
    _refuse_choice(cases_service)
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data=CHOSEN)

    assert response.status_code == 422
    assert "<html" in response.text and NOT_PLACED in response.text


def test_opening_a_case_goes_to_the_case_page_and_the_service_gets_the_signed_identity(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("POST", "/cases", 201, {"case_id": str(case_id)})
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data=CHOSEN, headers=HTMX)

    assert response.headers["HX-Redirect"] == f"/arenden/{case_id}"
    sent = cases_service.received[-1]
    assert sent.body == CHOSEN
    assert verify(sent.headers[HEADER], audience="cases").identity.user_id == "anna.lind"


def test_one_trace_runs_from_the_form_into_the_service_and_carries_no_personal_data(frontend, cases_service):
    spans = InMemorySpanExporter()
    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(spans))
    cases_service.answer("POST", "/cases", 201, {"case_id": str(uuid4())})
    log_in(frontend, "anna.lind")

    frontend.post("/arenden", data=CHOSEN, headers=HTMX)
    spans.shutdown()

    trace_id = cases_service.received[-1].headers["traceparent"].split("-")[1]
    finished = spans.get_finished_spans()
    form_to_service = [s for s in finished if s.name in ("POST /arenden", "POST /cases")]
    assert {s.name for s in form_to_service} == {"POST /arenden", "POST /cases"}
    assert {format(s.context.trace_id, "032x") for s in form_to_service} == {trace_id}
    recorded = " ".join(str(v) for s in finished for v in s.attributes.values())
    assert "Elsa" not in recorded and "20150315" not in recorded and PUPIL_ID not in recorded


def test_r1_a_refused_adaptation_is_explained_at_its_one_field(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("POST", f"/cases/{case_id}/extra-adaptations", 422, {
        "error": "rule", "message": "Beskriv den extra anpassningen kort (högst 500 tecken).",
        "rule": "R1", "rule_name": "ExtraAdaptationNeedsOneShortDescription",
    })
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id))
    log_in(frontend, "anna.lind")

    response = frontend.post(f"/arenden/{case_id}/anpassningar", data={"description": " "}, headers=HTMX)

    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form id="adaptation-form"')
    assert 'id="description-error"' in response.text and "högst 500 tecken" in response.text


def test_r2_a_refused_referral_is_explained_at_the_top_of_the_referral_form(frontend, cases_service):
    case_id = uuid4()
    message = "En anmälan till rektor ska ange vilka extra anpassningar som prövats och varför de inte räcker, eller det särskilda skälet att anmäla direkt."
    cases_service.answer("POST", f"/cases/{case_id}/referral", 422, {
        "error": "rule", "message": message, "rule": "R2", "rule_name": "ReferralNeedsTriedAdaptationsOrSpecialReason",
    })
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id))
    log_in(frontend, "anna.lind")

    response = frontend.post(
        f"/arenden/{case_id}/anmalan", data={"tried_adaptations": "Bildstöd", "why_not_enough": ""}, headers=HTMX
    )

    assert response.status_code == 422
    html = response.text
    assert html.lstrip().startswith('<div id="referral">')
    assert 'data-rule="R2"' in html and message in html
    assert ">Bildstöd</textarea>" in html


def test_once_referred_the_case_page_shows_the_date_and_the_deadlines(frontend, cases_service):
    case_id = uuid4()
    referral = {"referred_on": "2026-03-02", "tried_adaptations": "Bildstöd", "why_not_enough": "Räcker inte",
                "special_reason": "", "direct": False, "investigation_due": "2026-03-09", "decision_due": "2026-03-30"}
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, referral, ["Bildstöd"]))
    log_in(frontend, "anna.lind")

    response = frontend.get(f"/arenden/{case_id}")
    html = response.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    assert "Anmäld till rektor 2 mars 2026" in text
    assert "Utredningen ska påbörjas senast 9 mars 2026" in text
    assert "Beslut senast 30 mars 2026" in text
    assert 'id="referral-form"' not in html
    assert response.headers["Cache-Control"] == "no-store"  # pupil data stays out of the browser cache


def test_when_the_cases_service_is_down_the_teacher_is_told_so():
    app = create_app(cases_url=unused_url(), followup_url=unused_url())
    with TestClient(app, follow_redirects=False) as frontend:
        log_in(frontend, "anna.lind")

        in_form = frontend.post("/arenden", data=CHOSEN, headers=HTMX)
        page = frontend.get(f"/arenden/{uuid4()}")

    assert in_form.status_code == 503
    assert "går inte att nå just nu" in in_form.text
    assert page.status_code == 503 and "Tjänsten svarar inte just nu" in page.text
    assert "Traceback" not in page.text


def test_a_double_click_on_a_form_sends_its_own_key_twice_so_the_service_stores_once(frontend, cases_service):
    """Every rendered form carries a key of its own (ADR 0023); submitting it twice sends the
    same Idempotency-Key, and a new rendering of the form a new one."""
    import re

    case_id = uuid4()
    cases_service.answer("POST", "/cases", 201, {"case_id": str(case_id)})
    log_in(frontend, "anna.lind")

    def rendered_key() -> str:
        return re.search(r'name="request_key" value="([0-9a-f]{32})"', frontend.get("/arenden/nytt").text).group(1)

    log_in(frontend, "rolf.ek")  # rektor's page has a form from the start (register a missing pupil)
    key = rendered_key()
    for _ in range(2):
        assert frontend.post("/arenden", data={**CHOSEN, "request_key": key}, headers=HTMX).headers["HX-Redirect"] == f"/arenden/{case_id}"
    first, second = cases_service.received[-2:]
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.headers["Idempotency-Key"].startswith(f"{key}.1.")
    assert rendered_key() != key


def test_a_revocation_of_a_delegation_sent_twice_from_its_form_carries_the_forms_key_both_times(frontend, cases_service):
    """The delegations register's forms (as every form, test_authentication checks that each
    has csrf_input) send the form's key, so the cases service revokes once (ADR 0023)."""
    cases_service.answer("POST", "/delegations/0180-ENG/1/revocation", 201, {"school_unit": "0180-ENG", "number": 1})
    cases_service.answer("GET", "/delegations/0180-ENG", 200, {"school_unit": "0180-ENG", "delegations": [], "history": []})
    log_in(frontend, "rolf.ek")
    key = uuid4().hex
    for _ in range(2):
        frontend.post("/delegationer/0180-ENG/1/aterkalla", data={"request_key": key}, headers=HTMX)
    sent = [r for r in cases_service.received if r.path == "/delegations/0180-ENG/1/revocation"]
    keys = [r.headers["Idempotency-Key"] for r in sent]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith(f"{key}.1.")


def _form_key(html: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f]{32})"', html).group(1)


def test_a_form_given_back_after_a_lost_answer_keeps_its_key_so_sending_it_again_stores_once(frontend, cases_service):
    """The root of a deviation or an adaptation stored twice: the service stored it but its
    answer was lost (503, a timeout), the form came back with a new key, and sending it again
    stored a second one. A form given back keeps the key it was sent with (ADR 0023)."""
    case_id = uuid4()
    path = f"/cases/{case_id}/extra-adaptations"
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id))
    cases_service.answer("POST", path, 503, {"error": "unavailable", "message": "Databasen svarar inte."})
    log_in(frontend, "anna.lind")
    key = uuid4().hex

    given_back = frontend.post(f"/arenden/{case_id}/anpassningar", data={"description": "Bildstöd", "request_key": key}, headers=HTMX)
    assert given_back.status_code == 503 and _form_key(given_back.text) == key
    cases_service.answer("POST", path, 201, {})
    again = frontend.post(f"/arenden/{case_id}/anpassningar", data={"description": "Bildstöd", "request_key": key}, headers=HTMX)

    assert again.status_code == 200
    first, second = [r.headers["Idempotency-Key"] for r in cases_service.received if r.path == path]
    assert first == second
    assert _form_key(again.text) != key  # it went through: the next adaptation is a new command


def test_forms_given_back_with_one_key_send_different_keys_for_different_commands(frontend, cases_service):
    """A page given back whole (without JavaScript) has the kept key in every form: what each
    form asks is part of its command's key, so one form's command is never taken for another's,
    and a corrected form is a new command."""
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, adaptations=["Bildstöd"]))
    cases_service.answer("POST", f"/cases/{case_id}/extra-adaptations", 422, {
        "error": "validation", "message": "Uppgifterna behöver rättas.", "fields": {"description": "För lång."}})
    cases_service.answer("POST", f"/cases/{case_id}/referral", 201, {})
    log_in(frontend, "anna.lind")
    key = uuid4().hex

    page = frontend.post(f"/arenden/{case_id}/anpassningar", data={"description": "x" * 300, "request_key": key})
    assert page.status_code == 422
    assert set(re.findall(r'name="request_key" value="([0-9a-f]{32})"', page.text)) == {key}
    frontend.post(f"/arenden/{case_id}/anpassningar", data={"description": "Bildstöd", "request_key": key})
    frontend.post(f"/arenden/{case_id}/anmalan", data={"why_not_enough": "Räcker inte.", "request_key": key})

    sent = [r.headers["Idempotency-Key"] for r in cases_service.received if r.method == "POST"]
    assert len(sent) == 3 and len(set(sent)) == 3 and all(k.startswith(f"{key}.1.") for k in sent)
