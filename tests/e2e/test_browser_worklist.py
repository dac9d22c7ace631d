"""Att göra in a real Chromium against the whole running system: a teacher's referral becomes
rektor's task, counted on the start page, said as a sentence with the pupil's name and a link to
the case."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import RESULTS, fresh_family_name, fresh_personnummer, log_in_as, register_missing_pupil

pytestmark = pytest.mark.e2e


def test_a_referral_is_rektors_task_on_att_gora(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    personnummer, _ = fresh_personnummer()
    family = fresh_family_name()
    pupil = f"Tove {family}"

    # Solna: a unit of its own, so the tasks are this test's.
    log_in_as(page, base, "Mia Falk")
    register_missing_pupil(page, base, personnummer=personnummer, given="Tove", family=family)
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
    case_path = re.sub(r"^https?://[^/]+", "", page.url)
    page.get_by_role("button", name="Logga ut").click()

    log_in_as(page, base, "Ola Nilsson")
    page.goto(base + case_path)
    page.get_by_label("Ny extra anpassning").fill("Bildstöd vid genomgångar")
    page.get_by_role("button", name="Spara anpassningen").click()
    expect(page.locator("#adaptation-list")).to_contain_text("Bildstöd vid genomgångar")
    page.get_by_label("Varför räcker de inte?").fill("Eleven kommer ändå inte igång med uppgifterna.")
    page.get_by_role("button", name="Anmäl till rektor").click()
    expect(page.locator("#referral")).to_contain_text("Anmäld till rektor")
    page.get_by_role("button", name="Logga ut").click()

    log_in_as(page, base, "Mia Falk")
    task = page.locator("li.task", has_text=pupil).filter(has_text="Utredning om särskilt stöd ska påbörjas senast")
    for _ in range(30):  # the referral reaches the worklist through Kafka
        page.goto(f"{base}/")
        count = page.get_by_role("link", name=re.compile(r"^Att göra: \d+ uppgift"))
        expect(count).to_be_visible()
        count.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Att göra")
        if task.count():
            break
        page.wait_for_timeout(1000)
    expect(task).to_be_visible()
    expect(page.locator("li.task", has_text=pupil).filter(has_text="Beslut om åtgärdsprogram ska fattas senast")).to_be_visible()
    expect(task.locator(".badge--overdue")).to_have_count(0)
    task.get_by_role("link", name=re.compile(pupil)).click()
    expect(page).to_have_url(base + case_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(pupil)
    RESULTS.mkdir(exist_ok=True)
    page.goto(f"{base}/att-gora")
    page.screenshot(path=str(RESULTS / "browser-worklist.png"), full_page=True)
