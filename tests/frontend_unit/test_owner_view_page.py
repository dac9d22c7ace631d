"""Huvudmannens översikt in the frontend: for the municipality administrator only; the read
API's suppressed figures on the page, in the charts and in the CSV file, with unit names and
Swedish headings, never a code; a period that cannot be is explained at its field."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from eventkit.spreadsheet import BOM
from eventkit.vocabulary import labels
from projections.followup.ownerview import Decision, Facts, Per, Referral, overview
from tests.frontend_unit.helpers import log_in

TODAY = date(2026, 12, 7)


def answer() -> dict:
    referrals = tuple(Referral("0180-ENG", date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 3)) for _ in range(7))
    facts = Facts(referrals=referrals + (Referral("0180-KAT", date(2026, 10, 1), date(2026, 10, 8)),),
                  decisions=(Decision("0180-KAT", date(2026, 10, 20), "no_programme"),))
    return {**overview(facts, Per.MONTH, date(2026, 9, 1), date(2026, 10, 31), TODAY, labels("DecisionKind"),
                        over_time=None), "appeals": None}


def test_the_administrator_sees_the_figures_with_small_counts_suppressed(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 200, answer())
    log_in(frontend, "lars.moberg")
    assert 'href="/huvudman"' in frontend.get("/").text
    page = frontend.get("/huvudman?indelning=month&fran=2026-09-01&till=2026-10-31")
    assert page.status_code == 200
    html = page.text
    [asked] = [r for r in followup_service.received if r.path == "/owner/overview"]
    assert "per=month" in asked.query and "from=2026-09-01" in asked.query and "to=2026-10-31" in asked.query
    text = re.sub(r"<[^>]+>", " ", html.split("<main")[1])  # what the page says, not its attributes
    assert "Engelbrektsskolan" in text and "Katarina Södra skola" in text and "0180-" not in text
    assert "färre än 5" in text and f"Beslut: {labels('DecisionKind')['no_programme']}" in text
    assert "no_programme" not in text and "referrals" not in text
    assert "september 2026" in html and "<svg" in html
    assert "Överklaganden och utfall" in html


def test_the_csv_has_swedish_headings_unit_names_and_no_count_under_five(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 200, answer())
    log_in(frontend, "lars.moberg")
    response = frontend.get("/huvudman/oversikt.csv?fran=2026-09-01&till=2026-10-31")
    assert response.status_code == 200 and "huvudmannens-oversikt.csv" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Skolenhet", "Period", "Anmälningar till rektor"]
    by = {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    assert by[("Engelbrektsskolan", "september 2026")]["Anmälningar till rektor"] == "7"
    assert by[("Katarina Södra skola", "Hela perioden")]["Anmälningar till rektor"] == "färre än 5"
    counts = [heading for heading in rows[0][2:] if not heading.startswith("Dagar")]  # days are not counts
    for row in by.values():
        assert not any(row[heading] in {"1", "2", "3", "4"} for heading in counts), row


def test_other_roles_are_refused(frontend, followup_service):
    log_in(frontend, "rolf.ek")
    assert frontend.get("/huvudman").status_code == 403
    assert frontend.get("/huvudman/oversikt.csv").status_code == 403
    assert not followup_service.received


def test_a_period_that_cannot_be_is_explained_at_its_field(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 422, {
        "error": "rule", "message": "Perioden kan inte sluta innan den börjar.", "rule": "", "rule_name": "PeriodEndsBeforeItStarts",
        "fields": {"to": "Perioden kan inte sluta innan den börjar."}})
    log_in(frontend, "lars.moberg")
    page = frontend.get("/huvudman?fran=2026-10-01&till=2026-09-01")
    assert page.status_code == 422
    assert 'id="till-error"' in page.text and "Perioden kan inte sluta innan den börjar." in page.text


def test_a_chosen_unit_is_shown_over_time(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 200, answer())
    log_in(frontend, "lars.moberg")
    html = frontend.get("/huvudman?indelning=term&skolenhet=0180-KAT").text
    [asked] = [r for r in followup_service.received if r.path == "/owner/overview"]
    assert "school_unit=0180-KAT" in asked.query and "per=term" in asked.query
    assert '<caption id="over-tid-caption">Katarina Södra skola per månad</caption>' in html  # as the answer is divided
    assert 'option value="0180-KAT" selected' in html


def test_another_municipalitys_unit_in_the_url_shows_nothing_of_it(frontend, followup_service):
    followup_service.answer("GET", "/owner/overview", 200, answer())
    log_in(frontend, "lars.moberg")
    html = frontend.get("/huvudman?skolenhet=0184-TAL").text
    assert "Tallbackaskolan" not in html and '<caption id="over-tid-caption">Hela kommunen per månad</caption>' in html
