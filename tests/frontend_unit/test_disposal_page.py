"""Gallring (R17) in the frontend: the municipality administrator sees what falls due in counts
(per school unit and year, kinds of record, how many pupils each rule keeps; never a name),
confirms a run with a form that carries its key (a double submit records one run), and sees
each run's record with the staff member's name; other roles are neither offered nor shown it."""
from __future__ import annotations

import pytest

from tests.frontend_unit.helpers import log_in

PREVIEW = {
    "today": "2026-12-07", "retention_years": 5, "pupils": 3, "cases": 4,
    "per_unit_and_year": [{"school_unit": "0180-ENG", "year": 2025, "pupils": 2},
                          {"school_unit": "0180-KAT", "year": 2026, "pupils": 1}],
    "kinds": [{"kind": "decision", "label": "Beslut", "pupils": 3},
              {"kind": "investigation", "label": "Utredning", "pupils": 2}],
    "held_back": [{"rule": "PupilWithAnOpenCaseIsNotDisposed", "label": "har ett ärende som inte är avslutat", "pupils": 7},
                  {"rule": "PupilIsNotDisposedWhileAnAppealWindowIsOpen",
                   "label": "har ett beslut som fortfarande kan överklagas", "pupils": 1}],
}
RUN = {"run_id": "5f0c3a52-9a43-4d2e-8a55-4e2a0f5b7c11", "run_by": "lars.moberg", "scheduled": False,
       "run_on": "2026-12-07", "recorded_at": "2026-12-07T09:30:00+00:00", "pupils": 3, "cases": 4,
       "per_unit_and_year": PREVIEW["per_unit_and_year"], "kinds": PREVIEW["kinds"]}
SCHEDULED = {**RUN, "run_id": "0b6f3f8e-3f2c-4b8e-9d4e-6c3f1f1b2a10", "run_by": "gallring", "scheduled": True,
             "run_on": "2026-12-06", "recorded_at": "2026-12-06T01:00:00+00:00", "pupils": 1, "cases": 1}


@pytest.fixture
def admin(frontend, cases_service):
    cases_service.answer("GET", "/disposal", 200, PREVIEW)
    cases_service.answer("GET", "/disposal/runs", 200, {"runs": [RUN, SCHEDULED]})
    log_in(frontend, "lars.moberg")
    return frontend


def test_r17_the_administrator_sees_what_falls_due_in_counts_and_the_rules_that_keep_the_rest(admin):
    assert 'href="/gallring"' in admin.get("/").text  # in the menu, by the policy table
    html = admin.get("/gallring").text
    assert "3 elevers handlingar ska gallras, i 4 ärenden." in html
    assert "Engelbrektsskolan" in html and "Katarina Södra skola" in html and "0180-ENG" not in html
    assert "<td data-label=\"År\">2025</td>" in html and "Utredning" in html
    assert "7 elever har ett ärende som inte är avslutat." in html
    assert "1 elev har ett beslut som fortfarande kan överklagas." in html
    assert "PupilWithAnOpenCaseIsNotDisposed" not in html.replace('data-rule="PupilWithAnOpenCaseIsNotDisposed"', "")
    assert 'name="bekraftat"' in html and "Gallra 3 elevers handlingar" in html


def test_r17_each_run_is_shown_with_the_staff_members_name_and_the_scheduled_job_by_its_name(admin):
    html = admin.get("/gallring").text
    runs = html[html.index('id="disposal-runs"'):]
    assert "7 december 2026 kl. 10:30" in runs and "Lars Moberg" in runs and "lars.moberg" not in runs
    assert "Schemalagd gallring" in runs and ">gallring<" not in runs
    assert "Beslut (3)" in runs and "Engelbrektsskolan 2025 (2)" in runs
    assert RUN["run_id"] not in html  # no ids on the page


def test_r17_a_run_is_confirmed_with_the_forms_key_and_afterwards_its_record_is_on_the_page(admin, cases_service):
    cases_service.answer("POST", "/disposal/runs", 201, RUN)
    page = admin.get("/gallring").text
    response = admin.post("/gallring", data={"bekraftat": "ja", "request_key": _form_key(page)})
    assert response.status_code == 303 and response.headers["location"] == "/gallring"
    [sent] = [r for r in cases_service.received if r.method == "POST"]
    assert sent.path == "/disposal/runs" and sent.headers.get("Idempotency-Key", "").startswith(_form_key(page))
    assert "3 elevers handlingar är gallrade." in admin.get("/gallring").text


def test_r17_a_run_without_the_confirmation_is_explained_at_the_field_and_nothing_is_sent(admin, cases_service):
    page = admin.get("/gallring").text
    response = admin.post("/gallring", data={"request_key": _form_key(page)})
    assert response.status_code == 422 and 'id="bekraftat-error"' in response.text
    assert not [r for r in cases_service.received if r.method == "POST"]


def test_r17_with_nothing_due_there_is_no_form_to_send(frontend, cases_service):
    cases_service.answer("GET", "/disposal", 200, {**PREVIEW, "pupils": 0, "cases": 0, "per_unit_and_year": [],
                                                   "kinds": [], "held_back": []})
    cases_service.answer("GET", "/disposal/runs", 200, {"runs": []})
    log_in(frontend, "lars.moberg")
    html = frontend.get("/gallring").text
    assert "Inga elevers handlingar ska gallras i dag." in html and 'id="disposal-form"' not in html
    assert "Ingen gallring har gjorts ännu." in html


def test_r17_when_the_cases_service_is_away_the_page_says_so(frontend, cases_service):
    cases_service.stop()
    log_in(frontend, "lars.moberg")
    response = frontend.get("/gallring")
    assert response.status_code == 503 and "Gallringen går inte att nå just nu" in response.text


@pytest.mark.parametrize("user", ["anna.lind", "rolf.ek", "birgitta.sund"])
def test_r17_gallring_is_not_for_other_roles(frontend, cases_service, user):
    log_in(frontend, user)
    assert frontend.get("/gallring").status_code == 403
    assert 'href="/gallring"' not in frontend.get("/").text
    assert not [r for r in cases_service.received if r.path.startswith("/disposal")]


def _form_key(page: str) -> str:
    import re
    return re.search(r'name="request_key" value="([^"]+)"', page).group(1)
