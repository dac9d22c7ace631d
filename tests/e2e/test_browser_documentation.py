"""The special educator documents a pedagogical assessment from the pupil's case page and
attaches it to the investigation under way; the case page shows it, and the overview for the
school's development work counts it. A real Chromium against the whole running system."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REKTOR
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_support_case_workflow import post, referred_case

pytestmark = pytest.mark.e2e


def test_special_educator_attaches_an_assessment_to_the_investigation_from_the_case_page(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    case_id = referred_case(stack)
    post(stack, REKTOR, f"/cases/{case_id}/investigation", {"investigator": "sara.berg", "student_health_team": True})

    log_in_as(page, base, "Sara Berg")
    page.goto(f"{base}/arenden/{case_id}")
    investigation = page.locator("#investigation-documentation")
    expect(investigation).to_contain_text("Inget bifogat ännu.")  # loaded by htmx from the documentation service
    investigation.get_by_role("link", name="Bifoga en pedagogisk bedömning eller kartläggning").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dokumentera en specialpedagogisk insats")
    expect(page.get_by_label("Slag av insats")).to_have_value("pedagogical_assessment")
    page.get_by_label("Tid i minuter").fill("en timme")
    page.get_by_label("Vad gjordes?").fill("Läsbedömning med samtal om strategier.")
    page.get_by_role("button", name="Spara insatsen").click()
    minutes = page.get_by_label("Tid i minuter")
    expect(page.locator("#minutes-error")).to_contain_text("Ange ett heltal.")
    expect(minutes).to_have_accessible_description(re.compile("Ange ett heltal"))
    expect(page.get_by_label("Vad gjordes?")).to_have_value("Läsbedömning med samtal om strategier.")

    minutes.fill("75")
    page.get_by_role("button", name="Spara insatsen").click()
    expect(page.locator("#hinders-error")).to_contain_text("minst ett hinder eller ett stöd")
    expect(page.locator("#minutes-error")).to_have_count(0)
    page.locator("#hinders").get_by_label("Undervisningens upplägg och instruktioner").check()
    page.locator("#supports").get_by_label("Läromedel, hjälpmedel och digitala verktyg").check()
    page.get_by_role("button", name="Spara insatsen").click()

    expect(page).to_have_url(re.compile(rf"/arenden/{case_id}"))
    expect(page.locator("#investigation-documentation")).to_contain_text("Läsbedömning med samtal om strategier.")
    expect(page.locator("#case-documentation")).to_contain_text("Pedagogisk bedömning")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-documentation-case.png"), full_page=True)
    assert_no_axe_violations(page)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Dokumentation").click()
    page.get_by_role("link", name="Underlag för skolans utvecklingsarbete").click()
    hinders = page.locator("table", has_text="I lärmiljön")
    expect(hinders.locator("tr", has_text="Undervisningens upplägg och instruktioner")).to_be_visible()
