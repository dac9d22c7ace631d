"""R9 on rektor's pages: Uppföljning shows where a case's appeal stands and when it is late to be
forwarded, Att göra says the appeal's tasks in Swedish, and Huvudmannens översikt counts appeals
and their outcomes (small counts as "färre än 5") on the page and in its CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from uuid import uuid4

from eventkit.vocabulary import labels
from projections.followup.ownerview import Appeal, Facts, Per, overview
from tests.frontend_unit.helpers import log_in

NAMES: dict[str, str] = {}


def _row(name: str, **extra) -> dict:
    case_id = str(uuid4())
    NAMES[case_id] = name
    return {"case_id": case_id, "school_unit": "0180-ENG", "opened_at": "2026-09-02T08:00:00+00:00",
            "status": "decided", "referred_on": "2026-09-10", "investigation_due": None, "decision_due": None,
            "days_waiting": None, "overdue": False, "adaptations": 2, **extra}


def _case_row(html: str, name: str) -> str:
    return re.search(rf"<tr[^>]*>\s*<th[^>]*><a[^>]*>{name}.*?</tr>", html, re.S).group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_r9_uppfoljning_shows_the_appeal_its_day_to_be_forwarded_by_and_when_that_day_passed(
        frontend, followup_service, cases_service):
    late = _row("Alva Överklagar", appeal_status="registered", appeal_forward_due="2026-11-09", appeal_waiting=True,
                appeal_forwarding_overdue=True, overdue=True)
    incomplete = _row("Bo Ensam", appeal_status="incomplete", appeal_forward_due="2026-11-20", appeal_waiting=True)
    forwarded = _row("Cissi Nämnd", appeal_status="forwarded", appeal_forwarded_on="2026-11-06")
    back = _row("Dan Tillbaka", status="investigated", appeal_status="decided", appeal_board_outcome="sent_back",
                sent_back_to="decision")
    followup_service.answer("GET", "/followup", 200, {"rows": [late, incomplete, forwarded, back], "summary": {
        "open": 4, "waiting": 1, "overdue": 1, "due_soon": 0, "undelivered": 0, "appeal_open": 0, "appeals_waiting": 2}})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": NAMES})
    log_in(frontend, "rolf.ek")

    html = frontend.get("/uppfoljning").text

    row = _text(_case_row(html, "Alva Överklagar"))
    assert "Överklagandet försenat" in row and "Ska omprövas eller lämnas vidare till nämnden, senast 2026-11-09" in row
    row = _text(_case_row(html, "Bo Ensam"))
    assert "Väntar på att båda vårdnadshavarna står bakom överklagandet, senast 2026-11-20" in row
    assert "försenat" not in row
    assert "Hos Skolväsendets överklagandenämnd sedan 2026-11-06" in _text(_case_row(html, "Cissi Nämnd"))
    row = _text(_case_row(html, "Dan Tillbaka"))
    assert "Nämnden upphävde beslutet och återförvisade ärendet till skolan" in row
    assert "Återförvisat av nämnden Nytt beslut" in row and "Utredd, väntar på beslut" in row
    assert "2 överklaganden att hantera." in html
    assert "registered" not in _text(html.split("<main")[1]) and "sent_back" not in _text(html.split("<main")[1])


def test_r9_att_gora_says_the_appeals_tasks_in_swedish(frontend, worklist_service, cases_service):
    case_id = str(uuid4())
    tasks = [{"kind": kind, "subject_kind": "case", "subject_id": case_id, "case_id": case_id, "school_unit": "0180-ENG",
              "due_on": due, "overdue": overdue}
             for kind, due, overdue in (("reconsider_appeal", "2026-11-09", True), ("complete_appeal", "2026-11-20", False),
                                        ("reject_late_appeal", "2026-11-21", False), ("decide_again", None, False))]
    worklist_service.answer("GET", "/tasks", 200, {"today": "2026-11-12", "count": 4, "overdue": 1, "tasks": tasks})
    cases_service.answer("POST", "/cases/pupil-names", 200, {"names": {case_id: "Alva Överklagar"}})
    log_in(frontend, "rolf.ek")

    items = re.findall(r'<li class="task[^"]*">.*?</li>', frontend.get("/att-gora").text, re.S)

    assert "Försenad" in items[0]
    assert "Ompröva beslutet eller lämna överklagandet till överklagandenämnden senast 9 november." in items[0]
    assert "Komplettera överklagandet" in items[1] and "senast 20 november." in items[1]
    assert "Avvisa överklagandet som kom in för sent senast 21 november." in items[2]
    assert "Fatta nytt beslut: överklagandenämnden återförvisade ärendet." in items[3]
    assert all("Alva Överklagar" in item for item in items)


def _owner_answer() -> dict:
    upheld = tuple(Appeal("0180-ENG", date(2026, 9, 10), True, date(2026, 9, 17), date(2026, 9, 14), board_outcome="upheld")
                   for _ in range(6))
    late = (Appeal("0180-ENG", date(2026, 9, 12), False, date(2026, 9, 19), rejected=True),)
    return overview(Facts(appeals=upheld + late), Per.MONTH, date(2026, 9, 1), date(2026, 10, 31), date(2026, 12, 7),
                    labels("DecisionKind"), over_time=None)


def test_r9_the_owners_view_counts_appeals_and_outcomes_on_the_page_and_in_the_csv(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 200, _owner_answer())
    log_in(frontend, "lars.moberg")

    text = _text(frontend.get("/huvudman?fran=2026-09-01&till=2026-10-31").text.split("<main")[1])
    assert "Överklaganden av beslut 7" in text
    assert "Överklaganden lämnade till överklagandenämnden inom 7 dagar 6" in text
    assert "Överklaganden avvisade för att de kom in för sent färre än 5" in text
    assert "Nämnden: beslutet står fast 6" in text and "upheld" not in text

    response = frontend.get("/huvudman/oversikt.csv?fran=2026-09-01&till=2026-10-31")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:]), delimiter=";"))
    by = {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    september = by[("Engelbrektsskolan", "september 2026")]
    assert september["Överklaganden av beslut"] == "7" and september["Överklaganden som kom in i tid"] == "6"
    assert september["Överklaganden avvisade för att de kom in för sent"] == "färre än 5"
    assert september["Nämnden: återförvisat till skolan"] == "0"
