"""Issue 16 in a real browser: rektor records that one guardian received a programme decision by
post, registers the appeal that guardian sent in, records that the other guardian joins it,
forwards it to Skolväsendets överklagandenämnd with a double click on the button (stored once),
and reads the appeal in the history as sentences with the guardians' names, the dates and the
law. No id or code on either page; axe-core finds nothing."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from eventkit.dates import local_today, swedish
from tests.conftest import REKTOR, TEACHER, headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_case_to_followup_view import add_adaptation
from tests.integration.test_support_case_workflow import investigate, post
from tests.support.pupils import register_pupil_with_a_new_case

pytestmark = pytest.mark.e2e
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)





def _history(stack, case_id: str) -> list[dict]:
    answer = httpx.get(f"{stack.cases_url}/cases/{case_id}/history", headers=headers_for(REKTOR, "cases"), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


def _open(page: Page, summary: str):
    """A step's form, folded under its summary until asked for."""
    page.locator("summary", has_text=summary).click()
    return page.locator("details[open]", has=page.locator("summary", has_text=summary)).locator("form")


def test_rektor_takes_an_appeal_from_delivery_to_the_board_and_reads_it_in_the_history(stack, browser_page: Page):
    page, base, today = browser_page, stack.frontend_url, local_today()
    pupil, case_id = register_pupil_with_a_new_case(stack)
    anna, johan = (g["name"] for g in pupil["guardians"])
    add_adaptation(stack, case_id, "Bildstöd")
    post(stack, TEACHER, f"/cases/{case_id}/referral", {"why_not_enough": "Når ändå inte målen"})
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "no_programme", "reasons": "Extra anpassningar räcker."})

    log_in_as(page, base, "Rolf Ek")
    page.goto(f"{base}/arenden/{case_id}")

    # The delivery: one guardian, by post, today.
    form = _open(page, "Registrera delgivning av beslut 1")
    form.get_by_label("Vem tog emot beslutet?").select_option(label=f"Vårdnadshavaren {anna}")
    form.get_by_label("Med post").check()
    form.get_by_label("Dag då mottagaren fick beslutet").fill(today.isoformat())
    form.get_by_role("button", name="Registrera delgivning").click()
    deliveries = page.locator("table.deliveries")
    expect(deliveries).to_contain_text(f"Vårdnadshavaren {anna}", timeout=15_000)
    expect(deliveries).to_contain_text(swedish(today + timedelta(weeks=3)))

    # The appeal, from that guardian alone: incomplete until the other joins.
    form = _open(page, "Registrera överklagande av beslut 1")
    form.get_by_label("Dag då överklagandet kom in till skolan").fill(today.isoformat())
    form.get_by_label(f"Vårdnadshavaren {anna}").check()
    form.get_by_label("Vad begärs?").fill("Att skolan upprättar ett åtgärdsprogram med stöd i matematik.")
    form.get_by_role("button", name="Registrera överklagandet").click()
    appeal = page.locator("#overklagande-1")
    expect(appeal).to_contain_text("Väntar på att båda vårdnadshavarna står bakom överklagandet", timeout=15_000)

    form = _open(page, "Den andra vårdnadshavaren ansluter sig")
    form.get_by_label("Vårdnadshavare som ansluter sig").select_option(label=f"Vårdnadshavaren {johan}")
    form.get_by_label("Dag då hen anslöt sig").fill(today.isoformat())
    form.get_by_role("button", name="Registrera att hen ansluter sig").click()
    expect(page.locator("#overklagande-1")).to_contain_text("Ska omprövas eller lämnas vidare till nämnden", timeout=15_000)
    assert_no_axe_violations(page)

    # Forwarded with a double click: stored once.
    form = _open(page, "Lämna till överklagandenämnden")
    form.get_by_label("Dag då överklagandet lämnades").fill(today.isoformat())
    form.get_by_label("Skolans kommentarer till nämnden").fill("Skolan står fast vid beslutet; anpassningarna har gett resultat.")
    expect(form.get_by_label("Det överklagade beslutet")).to_be_checked()
    form.get_by_role("button", name="Lämna till överklagandenämnden").dblclick()
    expect(page.locator("#overklagande-1")).to_contain_text("Hos Skolväsendets överklagandenämnd", timeout=15_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.wait_for_load_state("networkidle")
    events = [e["event_type"] for e in _history(stack, case_id)]
    assert events.count("AppealForwarded") == 1, events
    text = page.locator("main").inner_text()
    assert not UUID.search(text) and not re.search(r"\b[a-z]+_[a-z_]+\b", text)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-appeal-forwarded.png"), full_page=True)
    assert_no_axe_violations(page)

    # The history, in sentences.
    page.goto(f"{base}/arenden/{case_id}/historik")
    history = page.locator("main")
    expect(history).to_contain_text(f"Vårdnadshavaren {anna} fick beslut 1 med post den {swedish(today)}; sista dag att "
                                    f"överklaga är {swedish(today + timedelta(weeks=3))}.")
    expect(history).to_contain_text(f"Vårdnadshavaren {anna} överklagade beslut 1; överklagandet kom in till skolan den "
                                    f"{swedish(today)}, i tid")
    expect(history).to_contain_text(f"Vårdnadshavaren {johan} anslöt sig den {swedish(today)} till överklagande nr 1")
    expect(history).to_contain_text(f"Rolf Ek lämnade den {swedish(today)} överklagande nr 1 vidare till Skolväsendets "
                                    "överklagandenämnd (skollagen 28 kap. 16 §), inom en vecka från att det kom in.")
    expect(history).to_contain_text("förvaltningslagen 44 §")
    assert not UUID.search(history.inner_text())
    assert_no_axe_violations(page)
