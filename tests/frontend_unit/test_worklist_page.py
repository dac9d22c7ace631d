"""Att göra: each task as a Swedish sentence, the overdue first and marked, linked to its case,
deviation or mission, with the pupil's name from the cases service; the start page's count."""
from __future__ import annotations

import re
from uuid import uuid4

from projections.worklist.tasks import KINDS
from frontend.routes.worklist import SENTENCES
from tests.frontend_unit.helpers import log_in

LATE_CASE, SOON_CASE, DEVIATION, MISSION = (str(uuid4()) for _ in range(4))
TASKS = {
    "today": "2026-11-26", "count": 4, "overdue": 1,
    "tasks": [
        {"kind": "start_investigation", "subject_kind": "case", "subject_id": LATE_CASE, "case_id": LATE_CASE,
         "school_unit": "0180-ENG", "due_on": "2026-11-20", "overdue": True},
        {"kind": "decide", "subject_kind": "case", "subject_id": SOON_CASE, "case_id": SOON_CASE,
         "school_unit": "0180-ENG", "due_on": "2026-12-03", "overdue": False},
        {"kind": "handle_deviation", "subject_kind": "deviation", "subject_id": DEVIATION, "case_id": None,
         "school_unit": "0180-ENG", "due_on": "2027-01-25", "overdue": False},
        {"kind": "confirm_goal", "subject_kind": "mission", "subject_id": MISSION, "case_id": None,
         "school_unit": "0180-ENG", "due_on": None, "overdue": False},
    ],
}


def _items(html: str) -> list[str]:
    return re.findall(r'<li class="task[^"]*">.*?</li>', html, re.S)


def test_every_kind_of_task_has_its_sentence():
    assert set(SENTENCES) == set(KINDS)


def test_the_tasks_are_sentences_overdue_first_and_linked(frontend, worklist_service, cases_service):
    worklist_service.answer("GET", "/tasks", 200, TASKS)
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": {LATE_CASE: "Frida Försenad",
                                                                       SOON_CASE: "Sam Snart"}})
    log_in(frontend, "rolf.ek")

    page = frontend.get("/att-gora")

    assert page.status_code == 200
    items = _items(page.text)
    assert len(items) == 4
    assert 'class="task is-overdue"' in items[0] and "Försenad</span>" in items[0]
    assert "Utredning om särskilt stöd ska påbörjas senast 20 november." in items[0]
    assert f'href="/arenden/{LATE_CASE}"' in items[0] and "Frida Försenad" in items[0]
    assert "Beslut om åtgärdsprogram ska fattas senast 3 december." in items[1] and "Försenad" not in items[1]
    assert "Sam Snart" in items[1]
    assert "senast 25 januari 2027." in items[2] and f'href="/avvikelser/{DEVIATION}"' in items[2]
    assert "Ett mål i uppdraget väntar på din bekräftelse." in items[3]
    assert f'href="/kompetens/uppdrag/{MISSION}"' in items[3]
    assert "4 uppgifter, 1 försenad." in page.text
    # The names were asked for the cases on the page only, and nothing else shows an id.
    [asked] = [r for r in cases_service.received if r.path == "/cases/pupil-names"]
    assert sorted(asked.body["case_ids"]) == sorted([LATE_CASE, SOON_CASE])
    visible = re.sub(r"<[^>]+>", " ", page.text)
    assert LATE_CASE not in visible and "start_investigation" not in visible


def test_without_tasks_the_page_says_so(frontend, worklist_service):
    worklist_service.answer("GET", "/tasks", 200, {"today": "2026-11-26", "count": 0, "overdue": 0, "tasks": []})
    log_in(frontend, "sara.berg")

    assert "Du har inga uppgifter just nu." in frontend.get("/att-gora").text


def test_when_the_worklist_does_not_answer_the_page_says_so(frontend, worklist_service):
    worklist_service.answer("GET", "/tasks", 503, {"error": "unavailable", "message": "nere"})
    log_in(frontend, "rolf.ek")

    page = frontend.get("/att-gora")

    assert page.status_code == 503 and "Att göra går inte att nå just nu." in page.text


def test_the_start_page_counts_the_tasks_and_links_to_them(frontend, worklist_service):
    worklist_service.answer("GET", "/tasks/summary", 200, {"count": 3, "overdue": 2})
    log_in(frontend, "rolf.ek")

    page = frontend.get("/").text

    assert re.search(r'<a href="/att-gora">Att göra: 3 uppgifter, 2 försenade</a>', page)


def test_the_start_page_shows_without_the_count_when_the_worklist_is_down(frontend, worklist_service):
    worklist_service.answer("GET", "/tasks/summary", 503, {"error": "unavailable", "message": "nere"})
    log_in(frontend, "rolf.ek")

    page = frontend.get("/")

    assert page.status_code == 200 and "Att göra:" not in page.text
