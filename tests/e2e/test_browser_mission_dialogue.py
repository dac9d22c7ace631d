"""Rektor and the special educator formulate the mission and a goal in dialogue and both
confirm them; only then is the goal in force, on the mission page and in rektor's quality
view (a tab of the follow-up page). A real Chromium against the whole running system (R12)."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_axe_violations, log_in_as
from eventkit.dates import local_today

pytestmark = pytest.mark.e2e


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()


def test_r12_rektor_and_the_special_educator_both_confirm_a_goal_and_it_is_in_force(stack, browser_page: Page):
    page, base = browser_page, stack.frontend_url
    marker = uuid.uuid4().hex[:8]
    goal_text = f"Alla arbetslag får handledning i läsfrämjande lärmiljö ({marker})."

    # Rektor starts the mission, writes the description and a goal, and confirms both.
    log_in_as(page, base, "Rolf Ek")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppdrag och mål").click()
    page.get_by_label("Specialpedagog eller speciallärare").select_option("sara.berg")
    page.get_by_role("button", name="Påbörja uppdraget").click()
    expect(page).to_have_url(re.compile(r"/kompetens/uppdrag/[0-9a-f-]{36}$"))
    mission_url = page.url
    page.get_by_role("button", name="Spara uppdragsbeskrivningen").click()  # empty: refused next to the field
    expect(page.locator("#uppdrag-text-error")).to_contain_text("Skriv uppdragsbeskrivningen")
    page.get_by_role("textbox", name="Uppdragsbeskrivning", exact=True).fill("Främst förebyggande arbete på organisations- och gruppnivå.")
    page.get_by_role("button", name="Spara uppdragsbeskrivningen").click()
    page.get_by_role("button", name="Bekräfta uppdragsbeskrivningen").click()
    expect(page.locator("#uppdraget-status")).to_contain_text("Gäller inte än")

    page.get_by_label("Nytt mål").fill(goal_text)
    page.get_by_label("Uppföljning 1").fill((local_today() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Spara målet").click()  # a date in the past: refused (R13)
    expect(page.locator("#nytt-mal-dates-error")).to_contain_text("uppföljningsdatum")
    expect(page.get_by_label("Nytt mål")).to_have_value(goal_text)
    page.get_by_label("Uppföljning 1").fill((local_today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Spara målet").click()
    goal = page.locator("article[data-goal]", has_text=marker)
    goal.get_by_role("button", name="Bekräfta målet").click()
    expect(goal.locator(".goal-status")).to_have_text("Väntar på bekräftelse")
    expect(goal).to_contain_text("Väntar på specialpedagog")
    log_out(page)

    # Sara Berg, the special educator, sees what waits for her and confirms.
    log_in_as(page, base, "Sara Berg")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppdrag och mål").click()
    row = page.locator(f'tr[data-mission="{mission_url.rsplit("/", 1)[1]}"]')
    expect(row).to_contain_text("väntar på din bekräftelse")
    row.get_by_role("link").click()
    page.get_by_role("button", name="Bekräfta uppdragsbeskrivningen").click()
    expect(page.locator("#uppdraget-status")).to_contain_text("Gäller sedan")
    goal = page.locator("article[data-goal]", has_text=marker)
    goal.get_by_role("button", name="Bekräfta målet").click()
    expect(goal.locator(".goal-status")).to_have_text("Gäller")
    goal_id = goal.get_attribute("data-goal")
    log_out(page)

    # Rektor sees it in force in the quality view, a tab of the follow-up page (via Kafka).
    log_in_as(page, base, "Rolf Ek")
    page.goto(f"{base}/uppfoljning")
    page.get_by_role("navigation", name="Uppföljningens flikar").get_by_role("link", name="Rektors kvalitetsvy").click()
    expect(page).to_have_url(re.compile(r"/uppfoljning/kvalitet$"))
    row = page.locator(f'tr[data-goal="{goal_id}"]')
    for _ in range(20):  # the view is eventually consistent: reload until the projection caught up
        if row.count() and "Gäller" in row.locator(".goal-status").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(row.locator(".goal-status")).to_have_text("Gäller")
    assert_no_axe_violations(page)
    expect(row).to_contain_text("Snart")
    page.get_by_role("link", name="Elevärenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljning")
    expect(page.locator("#followup-table")).to_be_visible()
