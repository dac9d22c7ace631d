"""Historik in a real browser: rektor decides on a case, the special educator corrects one part
of the investigation she chooses on the history page, and the history reads as sentences, the
correction with what stood before and after; no code, id or JSON on the page; axe clean."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REKTOR, headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_support_case_workflow import EDUCATOR, PARTS, investigate, referred_case

pytestmark = pytest.mark.e2e
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
CORRECTED = "Klassen är lugn på förmiddagen men stökig efter lunch."


def test_r16_a_chosen_investigation_part_is_corrected_from_the_history_which_reads_as_sentences(stack, browser_page: Page):
    page = browser_page
    case_id = referred_case(stack)
    investigate(stack, case_id)

    log_in_as(page, stack.frontend_url, "Rolf Ek")
    page.goto(f"{stack.frontend_url}/arenden/{case_id}#beslut")
    form = page.locator("#decision-form")
    form.get_by_label("Upprätta åtgärdsprogram", exact=True).check()
    form.get_by_label("Särskild undervisningsgrupp").check()
    form.get_by_role("button", name="Fatta beslutet").click()
    expect(page.locator("#step-decision")).to_contain_text("Särskild undervisningsgrupp", timeout=15_000)

    page.get_by_role("button", name="Logga ut").click()
    log_in_as(page, stack.frontend_url, "Sara Berg")
    page.goto(f"{stack.frontend_url}/arenden/{case_id}/historik")
    correction = page.locator("#correction-form")
    choice = correction.get_by_label("Vilken uppgift rättas?")
    choice.select_option(choice.locator("option", has_text="utredningen: Lärmiljön på gruppnivå").get_attribute("value"))
    expect(page.locator("#current-value")).to_contain_text(PARTS["environment_group"])  # its value now, shown
    value = page.locator("#correction-form").get_by_label("Rättad uppgift")
    expect(value).to_have_value(PARTS["environment_group"])  # ready to edit
    value.fill(CORRECTED)
    page.locator("#correction-form").get_by_label("Varför rättas uppgiften?").fill("Fel tid på dagen")
    page.locator("#correction-form").get_by_role("button", name="Spara rättelsen").click()

    history = page.locator("table.timeline")
    expect(history).to_contain_text(f"Rättelse: Lärmiljön på gruppnivå ändrades från ”{PARTS['environment_group']}” till "
                                    f"”{CORRECTED}”, av Sara Berg, skäl: ”Fel tid på dagen”.", timeout=15_000)
    expect(history).to_contain_text("Anna Lind öppnade ärendet för")
    expect(history).to_contain_text("Rolf Ek inledde utredningen den")
    expect(history).to_contain_text(f"Sara Berg skrev i utredningen. Elevens syn: ”{PARTS['pupil_view']}”")
    expect(history).to_contain_text(re.compile(r"Rolf Ek beslutade den \d{1,2} \w+ \d{4} att upprätta åtgärdsprogram, "
                                               r"med särskild undervisningsgrupp \(skollagen 3 kap\. 11 §\)"))
    expect(history).to_contain_text("R6, skollagen 3 kap. 11 och 12 §§")
    text = page.locator("main").inner_text()
    assert not UUID.search(text), UUID.findall(text)
    assert "{" not in text and "[" not in text, text
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert "sara.berg" not in text and "rolf.ek" not in text
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-case-history.png"), full_page=True)
    assert_no_axe_violations(page)

    # Stored once, the other parts as they were (R16: the original stays in the history).
    stored = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR, "cases")).json()
    assert stored["investigation"]["parts"] == {**PARTS, "environment_group": CORRECTED}
    events = httpx.get(f"{stack.cases_url}/cases/{case_id}/history", headers=headers_for(EDUCATOR, "cases")).json()["events"]
    assert [e["data"]["field"] for e in events if e["event_type"] == "Corrected"] == ["environment_group"]
