"""A double click stores once, on every form that creates something: in a real Chromium against
the whole running system, each create form is filled and its button clicked twice, and the
services then hold exactly one of what it creates (one case, one adaptation, one referral, one
deviation, one intervention, one mission, one goal, one delegation, one decision, one follow-up).

Three ways to submit twice, as people and browsers do:
- `dblclick`: the mouse's double click on the button;
- `clicks`: two clicks dispatched in one go from the page's script (no time for the first
  answer to arrive);
- `posts`: the form's own fields posted twice at the same time (what a browser that does not
  absorb the second click, or a reload that sends again, sends): both answers lead to the same
  thing.
One login per person for the whole module.
"""
from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from eventkit.identity import Role
from tests.conftest import REKTOR, headers_for, identity
from tests.e2e.browser import CHROMIUM_ARGS, fresh_family_name, fresh_personnummer, log_in_as
from tests.integration.test_case_to_followup_view import add_adaptation, open_case
from tests.integration.test_support_case_workflow import EDUCATOR, investigate, referred_case
from tests.support.competence import agreed_mission, days
from tests.support.deviations import configure_units
from tests.support.pupils import directory_pupil
from eventkit.dates import local_today

pytestmark = pytest.mark.e2e
WAYS = ["dblclick", "clicks", "posts"]


@pytest.fixture(scope="module")
def people(stack):
    """A logged-in page per person, made when first asked for and kept for the module."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        pages: dict[str, Page] = {}

        def page_of(name: str) -> Page:
            if name not in pages:
                context = browser.new_context(locale="sv-SE", viewport={"width": 1200, "height": 900})
                pages[name] = context.new_page()
                log_in_as(pages[name], stack.frontend_url, name)
            return pages[name]

        try:
            yield page_of
        finally:
            browser.close()


def submit_twice(page: Page, form: Locator, button: Locator, way: str) -> list[dict[str, Any]]:
    """Submit `form` twice by `button`, the `way` asked for. For `posts`: both answers (status,
    where they ended), else []. Returns once every request the page sent has been answered."""
    if way == "dblclick":
        button.dblclick()
    elif way == "clicks":
        button.evaluate("b => { b.click(); b.click(); }")
    else:
        return form.evaluate("""async (form, button) => {
            const send = () => fetch(form.getAttribute('action'), {method: 'POST', body: new URLSearchParams(new FormData(form, button))})
                .then(async r => ({status: r.status, url: new URL(r.url).pathname, text: await r.text()}));
            return await Promise.all([send(), send()]);
        }""", button.element_handle())
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # a request htmx queued behind the first one
    page.wait_for_load_state("networkidle")
    return []


def both_ended_at_the_same_place(answers: list[dict[str, Any]], where: str) -> str:
    assert [a["status"] for a in answers] == [200, 200], answers
    assert answers[0]["url"] == answers[1]["url"], answers
    assert re.fullmatch(where, answers[0]["url"]), answers
    return answers[0]["url"]


def get(url: str, who) -> Any:
    response = httpx.get(url, headers=headers_for(who, url), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def case_of(stack, case_id: str, who=REKTOR) -> dict[str, Any]:
    return get(f"{stack.cases_url}/cases/{case_id}", who)


def count(rows: list[Any], marker: str) -> int:
    return sum(1 for row in rows if marker in str(row))


def no_problem_shown(page: Page) -> None:
    expect(page.locator(".form-problem")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)


# -- cases ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("way", WAYS)
def test_a_pupil_registered_and_the_case_opened_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    personnummer, _ = fresh_personnummer()
    family = fresh_family_name()
    page.goto(f"{base}/arenden/nytt")
    form = page.locator("#registration-form")
    form.get_by_label("Personnummer").fill(personnummer)
    form.get_by_label("Förnamn").fill("Elsa")
    form.get_by_label("Efternamn").fill(family)
    form.get_by_label("Klass").fill("5A")
    form.get_by_label("Skäl").select_option("new_pupil")
    answers = submit_twice(page, form, form.get_by_role("button", name="Registrera eleven och öppna ärendet"), way)
    if answers:
        both_ended_at_the_same_place(answers, r"/arenden/[0-9a-f-]{36}")
    else:
        expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
        expect(page.get_by_role("main")).not_to_contain_text("redan")
    found = get(f"{stack.directory_url}/pupils?q={family}&school_unit=0180-ENG", REKTOR)
    assert len(found["pupils"] if isinstance(found, dict) else found) == 1


@pytest.mark.parametrize("way", WAYS)
def test_a_case_opened_from_new_case_once(stack, people, way):
    page, base = people("Anna Lind"), stack.frontend_url
    family = fresh_family_name()
    directory_pupil(stack, "0180-ENG", name=f"Ella {family}")
    page.goto(f"{base}/arenden/nytt")
    page.get_by_label("Sök elev").fill(family)
    form = page.locator("#pupil-choice")
    button = form.get_by_role("button", name=re.compile(f"^Ella {family}"))
    expect(button).to_be_visible()
    answers = submit_twice(page, form, button, way)
    # The second submission is answered as the first, not as "the pupil already had a case".
    if answers:
        both_ended_at_the_same_place(answers, r"/arenden/[0-9a-f-]{36}")
        assert not any("redan ett öppet ärende" in a["text"] for a in answers)
    else:
        expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
        expect(page.get_by_role("main")).not_to_contain_text("redan ett öppet ärende")


@pytest.mark.parametrize("way", WAYS)
def test_an_extra_adaptation_recorded_once(stack, people, way):
    page, base = people("Anna Lind"), stack.frontend_url
    case_id = open_case(stack)
    marker = f"Förlängd skrivtid {uuid.uuid4().hex[:8]}"
    page.goto(f"{base}/arenden/{case_id}")
    form = page.locator("#adaptation-form")
    form.get_by_label("Ny extra anpassning").fill(marker)
    answers = submit_twice(page, form, form.get_by_role("button", name="Spara anpassningen"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/arenden/{case_id}")
    else:
        expect(page.locator("#adaptation-list")).to_contain_text(marker)
    assert count(case_of(stack, case_id)["extra_adaptations"], marker) == 1


@pytest.mark.parametrize("way", WAYS)
def test_a_referral_to_rektor_sent_once(stack, people, way):
    page, base = people("Anna Lind"), stack.frontend_url
    case_id = open_case(stack)
    add_adaptation(stack, case_id, "Bildstöd")
    page.goto(f"{base}/arenden/{case_id}")
    form = page.locator("#referral-form")
    form.get_by_label("Varför räcker de inte?").fill("Eleven når ändå inte målen.")
    answers = submit_twice(page, form, form.get_by_role("button", name="Anmäl till rektor"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/arenden/{case_id}")
        page.goto(f"{base}/arenden/{case_id}")
    expect(page.locator("#referral")).to_contain_text("Anmäld till rektor")
    no_problem_shown(page)
    history = get(f"{stack.cases_url}/cases/{case_id}/history", REKTOR)["events"]
    assert sum(1 for e in history if "ReferredToRektor" in str(e.get("event_type", e))) == 1, history


@pytest.mark.parametrize("way", WAYS)
def test_a_delegation_registered_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    before = len(get(f"{stack.cases_url}/delegations/0180-ENG", REKTOR)["delegations"])
    page.goto(f"{base}/delegationer?skolenhet=0180-ENG")
    form = page.locator("#delegation-form")
    form.get_by_label("Vem får besluta?").select_option("sara.berg")
    form.get_by_label("Upprätta åtgärdsprogram", exact=True).check()
    form.get_by_label("Gäller från och med").fill(local_today().isoformat())
    form.get_by_label("Gäller till och med").fill((local_today() + timedelta(days=30)).isoformat())
    answers = submit_twice(page, form, form.get_by_role("button", name="Registrera delegationen"), way)
    if answers:
        both_ended_at_the_same_place(answers, "/delegationer")
    else:
        # What rektor sees: the list with the new delegation once. (Not the one-line
        # confirmation: the page the first click led to can show it and be replaced by the
        # second's before anyone sees it.)
        expect(page.locator("table.cases tbody tr:has(td.num)")).to_have_count(before + 1)
    assert len(get(f"{stack.cases_url}/delegations/0180-ENG", REKTOR)["delegations"]) == before + 1


@pytest.mark.parametrize("way", WAYS)
def test_a_decision_taken_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    case_id = referred_case(stack)
    investigate(stack, case_id)
    page.goto(f"{base}/arenden/{case_id}")
    form = page.locator("#decision-form")
    form.get_by_label("Upprätta åtgärdsprogram", exact=True).check()
    answers = submit_twice(page, form, form.get_by_role("button", name="Fatta beslutet"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/arenden/{case_id}")
        page.goto(f"{base}/arenden/{case_id}")
    expect(page.locator("#step-decision")).to_contain_text("Beslut")
    no_problem_shown(page)
    assert len(case_of(stack, case_id)["decisions"]) == 1


@pytest.mark.parametrize("way", WAYS)
def test_an_investigation_started_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    case_id = referred_case(stack)
    page.goto(f"{base}/arenden/{case_id}")
    form = page.locator("#investigation-start-form")
    form.get_by_label("Vem utreder?").select_option("sara.berg")
    form.get_by_label("Ja, elevhälsan deltar").check()
    answers = submit_twice(page, form, form.get_by_role("button", name="Inled utredningen"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/arenden/{case_id}")
        page.goto(f"{base}/arenden/{case_id}")
    no_problem_shown(page)
    history = get(f"{stack.cases_url}/cases/{case_id}/history", REKTOR)["events"]
    assert sum(1 for e in history if "InvestigationStarted" in str(e.get("event_type", e))) == 1, history


# -- deviations ----------------------------------------------------------------------------------
@pytest.mark.parametrize("way", WAYS)
def test_a_deviation_reported_once(stack, people, way):
    configure_units(stack.deviations_url)
    page, base = people("Anna Lind"), stack.frontend_url
    marker = uuid.uuid4().hex[:8]
    page.goto(f"{base}/avvikelser/ny")
    form = page.locator("#report-form")
    form.get_by_label("Skola").select_option("municipality")
    form.get_by_label("Barn- och ungdomspsykiatri (BUP)").select_option("region")
    form.get_by_label("Var uppstod avvikelsen?").select_option("child_psychiatry")
    form.get_by_label("Kategori").select_option("party_absent_from_meetings")
    form.get_by_label("Datum för avvikelsen").fill((local_today() - timedelta(days=3)).isoformat())
    form.get_by_label("Beskriv avvikelsen").fill(f"BUP kom inte till SIP-mötet. Ärende {marker}.")
    form.get_by_label("Vad har prövats lokalt?").fill("Rektor har ringt BUP:s enhetschef.")
    answers = submit_twice(page, form, form.get_by_role("button", name="Rapportera avvikelsen"), way)
    if answers:
        both_ended_at_the_same_place(answers, r"/avvikelser/[0-9a-f-]{36}")
    else:
        expect(page).to_have_url(re.compile(r"/avvikelser/[0-9a-f-]{36}$"))
    reporter = identity("anna.lind", Role.TEACHER, "0180", "0180-ENG")
    rows = get(f"{stack.deviations_url}/deviations", reporter)["rows"]
    details = [get(f"{stack.deviations_url}/deviations/{r['deviation_id']}", reporter) for r in rows]
    assert sum(1 for d in details if marker in d["description"]) == 1


# -- documentation -------------------------------------------------------------------------------
@pytest.mark.parametrize("way", WAYS)
def test_an_intervention_documented_once(stack, people, way):
    page, base = people("Sara Berg"), stack.frontend_url
    case_id = open_case(stack)
    marker = f"Läsbedömning {uuid.uuid4().hex[:8]}"
    page.goto(f"{base}/dokumentation/ny?arende={case_id}")
    form = page.locator("#intervention-form")
    form.get_by_label("Slag av insats").select_option("pedagogical_assessment")
    form.get_by_label("Tid i minuter").fill("45")
    form.get_by_label("Vad gjordes?").fill(marker)
    form.locator("#hinders").get_by_label("Undervisningens upplägg och instruktioner").check()
    answers = submit_twice(page, form, form.get_by_role("button", name="Spara insatsen"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/arenden/{case_id}")
    else:
        expect(page).to_have_url(re.compile(f"/arenden/{case_id}"))
    found = get(f"{stack.documentation_url}/cases/{case_id}/interventions", EDUCATOR)
    assert str(found).count(marker) == 1, found


# -- the special educator's mission (competence) ---------------------------------------------------
@pytest.mark.parametrize("way", WAYS)
def test_a_mission_started_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    before = len(get(f"{stack.competence_url}/missions", REKTOR)["rows"])
    page.goto(f"{base}/kompetens")
    form = page.locator("form[action='/kompetens/uppdrag']")
    form.get_by_label("Specialpedagog eller speciallärare").select_option("sara.berg")
    answers = submit_twice(page, form, form.get_by_role("button", name="Påbörja uppdraget"), way)
    if answers:
        both_ended_at_the_same_place(answers, r"/kompetens/uppdrag/[0-9a-f-]{36}")
    else:
        expect(page).to_have_url(re.compile(r"/kompetens/uppdrag/[0-9a-f-]{36}$"))
    assert len(get(f"{stack.competence_url}/missions", REKTOR)["rows"]) == before + 1


@pytest.mark.parametrize("way", WAYS)
def test_a_goal_written_once(stack, people, way):
    page, base = people("Rolf Ek"), stack.frontend_url
    mission_id = agreed_mission(stack.competence_url)
    marker = f"Alla arbetslag får handledning ({uuid.uuid4().hex[:8]})."
    page.goto(f"{base}/kompetens/uppdrag/{mission_id}")
    form = page.locator(f"form[action='/kompetens/uppdrag/{mission_id}/mal']")
    form.get_by_label("Nytt mål").fill(marker)
    form.get_by_label("Uppföljning 1").fill(days(14))
    answers = submit_twice(page, form, form.get_by_role("button", name="Spara målet"), way)
    if answers:
        both_ended_at_the_same_place(answers, f"/kompetens/uppdrag/{mission_id}")
    else:
        expect(page.locator("article[data-goal]", has_text=marker)).to_have_count(1)
    goals = get(f"{stack.competence_url}/missions/{mission_id}", REKTOR)["goals"]
    assert count(goals, marker) == 1, goals
