"""Rektor's follow-up view: per school unit, overdue marked, and the polled table block."""
from __future__ import annotations

import re
from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in


NAMES: dict[str, str] = {}  # R17: names come from the cases service, not the read model


def _row(name, unit="0180-ENG", **extra):
    case_id = str(uuid4())
    NAMES[case_id] = name
    row = {"case_id": case_id, "school_unit": unit, "opened_at": "2026-02-02T08:00:00+00:00",
           "status": "open", "referred_on": None, "investigation_due": None, "decision_due": None,
           "days_waiting": None, "overdue": False, "adaptations": 1}
    row.update(extra)
    return row


ROWS = [
    _row("Olle Öppen"),
    _row("Frida Försenad", status="referred", referred_on="2026-02-10", investigation_due="2026-02-17",
         decision_due="2026-03-10", days_waiting=12, overdue=True),
]


def test_rektor_sees_open_cases_per_school_unit_with_overdue_ones_marked(frontend, followup_service, cases_service):
    followup_service.answer("GET", "/followup", 200, {"rows": ROWS})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": NAMES})
    log_in(frontend, "rolf.ek")

    html = frontend.get("/uppfoljning").text

    assert "<caption>Engelbrektsskolan</caption>" in html
    assert "2 öppna ärenden, 1 anmält till rektor, 1 försenat." in html
    overdue_row = re.search(r'<tr class="is-overdue".*?</tr>', html, re.S).group(0)
    assert "Frida Försenad" in overdue_row and "Försenad</span>" in overdue_row
    assert "2026-02-10" in overdue_row and "12 dagar" in overdue_row
    assert html.index("Frida Försenad") < html.index("Olle Öppen")  # overdue first


def test_r11_a_pupil_who_left_the_unit_is_marked_on_the_follow_up_view(frontend, followup_service, cases_service):
    left = _row("Lova Lämnat", status="programme", pupil_left_on="2026-10-02")
    followup_service.answer("GET", "/followup", 200, {"rows": [left, ROWS[0]]})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": NAMES})
    log_in(frontend, "rolf.ek")

    html = frontend.get("/uppfoljning").text

    row = re.search(r"<tr[^>]*>\s*<th[^>]*><a[^>]*>Lova Lämnat.*?</tr>", html, re.S).group(0)
    assert "Har lämnat skolenheten</span> 2026-10-02" in row
    assert "Har lämnat skolenheten" not in re.search(r"<tr[^>]*>\s*<th[^>]*><a[^>]*>Olle Öppen.*?</tr>", html, re.S).group(0)


def test_the_polled_table_block_comes_alone_and_only_when_something_changed(frontend, followup_service, cases_service):
    followup_service.answer("GET", "/followup", 200, {"rows": ROWS})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": NAMES})
    log_in(frontend, "rolf.ek")

    block = frontend.get("/uppfoljning?skolenhet=0180-ENG", headers=HTMX)
    poll_url = re.search(r'hx-get="([^"]+)" hx-trigger="every 5s"', block.text).group(1).replace("&amp;", "&")
    unchanged = frontend.get(poll_url, headers=HTMX)
    followup_service.answer("GET", "/followup", 200, {"rows": [*ROWS, _row("Nils Ny")]})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": NAMES})
    changed = frontend.get(poll_url, headers=HTMX)

    assert block.text.lstrip().startswith('<div id="followup-table"') and "<html" not in block.text
    assert followup_service.received[0].query == "school_unit=0180-ENG"
    assert unchanged.status_code == 204
    assert changed.status_code == 200 and "Nils Ny" in changed.text
    assert 'id="announcer" hx-swap-oob="innerHTML"' in changed.text


def test_the_followup_view_is_not_for_teachers(frontend):
    log_in(frontend, "anna.lind")

    response = frontend.get("/uppfoljning")

    assert response.status_code == 403 and "rektor och elevhälsan" in response.text


def test_r17_names_on_the_followup_page_come_from_the_cases_service_for_the_shown_rows_only(frontend, followup_service, cases_service):
    followup_service.answer("GET", "/followup", 200, {"rows": ROWS})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": {ROWS[0]["case_id"]: "Olle Öppen"}})
    log_in(frontend, "rolf.ek")

    html = frontend.get("/uppfoljning").text

    [asked] = [r for r in cases_service.received if r.path == "/cases/pupil-names"]
    assert sorted(asked.body["case_ids"]) == sorted(r["case_id"] for r in ROWS)
    assert "Olle Öppen" in html and "Frida Försenad" not in html and "namnet kan inte visas" in html
