"""A teacher opens a case, records an extra adaptation and refers to rektor; rektor sees the
referral appear in the follow-up view. A real Chromium against the whole running system."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import RESULTS, fresh_personnummer, log_in_as

pytestmark = pytest.mark.e2e


def test_teacher_refers_a_pupil_and_rektor_sees_it_in_the_followup_view(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    personnummer, mistyped = fresh_personnummer()
    pupil = f"Elsa Provsson {uuid.uuid4().hex[:6]}"

    # Solna: other test sessions on the shared topic fill Stockholm's follow-up view.
    log_in_as(page, base, "Ola Nilsson")
    page.get_by_role("main").get_by_role("link", name=re.compile("Nytt elevärende")).click()
    page.get_by_label("Elevens personnummer").fill(mistyped)
    page.get_by_label("Elevens namn").fill(pupil)
    page.get_by_role("button", name="Öppna ärendet").click()

    pin_field = page.get_by_label("Elevens personnummer")
    expect(page.locator("#pupil_personal_number-error")).to_contain_text("Personnumret är inte giltigt")
    expect(pin_field).to_have_accessible_description(re.compile("Personnumret är inte giltigt"))
    expect(page.get_by_label("Elevens namn")).to_have_value(pupil)

    pin_field.fill(personnummer)
    page.get_by_role("button", name="Öppna ärendet").click()
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(pupil)

    page.get_by_label("Ny extra anpassning").fill("Förlängd skrivtid på prov")
    page.get_by_role("button", name="Spara anpassningen").click()
    expect(page.locator("#adaptation-list")).to_contain_text("Förlängd skrivtid på prov")

    page.get_by_label("Varför räcker de inte?").fill("Eleven hinner ändå inte klart och tappar motivationen.")
    page.get_by_role("button", name="Anmäl till rektor").click()
    referred = page.locator("#referral")
    expect(referred).to_contain_text("Anmäld till rektor")
    expect(referred).to_contain_text("Utredningen ska påbörjas senast")
    referred_on = referred.locator("time").first.get_attribute("datetime")

    page.get_by_role("button", name="Logga ut").click()
    log_in_as(page, base, "Mia Falk")
    page.get_by_role("main").get_by_role("link", name=re.compile("Uppföljning")).click()

    row = page.locator("tr", has_text=pupil)
    expect(row).to_contain_text("Anmäld till rektor", timeout=30_000)  # arrives by htmx polling
    expect(row).to_contain_text(referred_on)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-case-flow-followup.png"), full_page=True)
