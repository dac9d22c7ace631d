"""Gallring in a real Chromium against the whole running system (R17): Huddinge's administrator
(Hanna Ekström; retention 0 years in the test settings) opens Gallring from the menu, sees the
pupil whose case ended weeks ago counted (no name), is told at the field to confirm, confirms,
and sees the run's record with her name; the pupil's case is gone. axe-core finds nothing on
any of the page's states."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_access_log_and_disposal import HUDDINGE_ADMIN, HUDDINGE_TEACHER
from tests.support.past_cases import finished_huddinge_case
from tests.support.pupils import personal_number, pupil_name

pytestmark = pytest.mark.e2e


def test_a_disposal_run_from_the_page_preview_confirm_and_the_runs_record(stack, browser_page: Page):
    page, base = browser_page, stack.frontend_url
    # What an earlier test left due in Huddinge is disposed of first: the counts are this test's.
    cleaned = httpx.post(f"{stack.cases_url}/disposal/runs", json={}, timeout=120,
                         headers={**headers_for(HUDDINGE_ADMIN, "cases"), "Idempotency-Key": f"e2e-{personal_number()}"})
    assert cleaned.status_code == 201, cleaned.text
    name = pupil_name()
    case_id = finished_huddinge_case(stack, personal_number(), name)

    log_in_as(page, base, "Hanna Ekström")
    page.get_by_role("navigation").first.get_by_role("link", name="Gallring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gallring")
    expect(page.locator("#disposal-summary")).to_have_text("1 elevs handlingar ska gallras, i 1 ärende.")
    expect(page.locator("#disposal-due")).to_contain_text("Skogås skola")
    expect(page.locator("#disposal-kinds")).to_contain_text("Utredning")
    expect(page.locator("body")).not_to_contain_text(name)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Gallra 1 elevs handlingar").click()  # not confirmed yet
    expect(page.locator("#bekraftat-error")).to_contain_text("Kryssa i")
    expect(page.locator("#bekraftat")).to_be_focused()
    assert_no_axe_violations(page)

    page.get_by_label("Jag har sett vad som gallras och vet att gallringen inte går att ångra").check()
    page.get_by_role("button", name="Gallra 1 elevs handlingar").click()
    expect(page.locator(".flash")).to_have_text("1 elevs handlingar är gallrade. Gallringen finns nu bland de genomförda.")
    expect(page.locator("#disposal-summary")).to_have_text("Inga elevers handlingar ska gallras i dag.")
    latest = page.locator("#disposal-runs tbody tr").first
    expect(latest).to_contain_text("Hanna Ekström")
    expect(latest.locator('[data-label="Elever"]')).to_have_text("1")
    expect(latest).to_contain_text("Skogås skola")
    assert_no_axe_violations(page)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-disposal.png"), full_page=True)

    gone = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(HUDDINGE_TEACHER, "cases"))
    assert gone.status_code == 404
