"""Rektor registers a pupil the register lacks (a wrong personnummer is said at its field);
a teacher finds the pupil, is led to the case already open, records an extra adaptation and
refers to rektor; rektor sees the referral appear in the follow-up view. A real Chromium
against the whole running system."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    RESULTS, assert_no_axe_violations, choose_pupil, fresh_family_name, fresh_personnummer, log_in_as, register_missing_pupil,
)

pytestmark = pytest.mark.e2e


def test_teacher_refers_a_pupil_and_rektor_sees_it_in_the_followup_view(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    personnummer, mistyped = fresh_personnummer()
    family = fresh_family_name()
    pupil = f"Elsa {family}"

    # Solna: other test sessions on the shared topic fill Stockholm's follow-up view.
    log_in_as(page, base, "Mia Falk")
    register_missing_pupil(page, base, personnummer=mistyped, given="Elsa", family=family)
    form = page.locator("#registration-form")
    pin_field = form.get_by_label("Personnummer")
    expect(form.locator("#personal_number-error")).to_be_visible()
    expect(pin_field).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Efternamn")).to_have_value(family)
    pin_field.fill(personnummer)
    form.get_by_role("button", name="Registrera eleven och öppna ärendet").click()
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(pupil)
    case_url = page.url
    page.get_by_role("button", name="Logga ut").click()

    log_in_as(page, base, "Ola Nilsson")
    choose_pupil(page, base, family[:11], pupil)
    expect(page).to_have_url(case_url)
    expect(page.get_by_text("Eleven har redan ett öppet ärende på skolenheten")).to_be_visible()

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
    assert_no_axe_violations(page)
