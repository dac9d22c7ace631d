"""Inställningar in Chromium: a staff member finds the notification settings from their name,
sees their current choice, changes it, and the notifications service has it."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import headers_for, identity
from tests.e2e.browser import log_in_as
from eventkit.identity import Role

pytestmark = pytest.mark.e2e
SARA = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")


def test_a_staff_member_chooses_how_often_to_be_mailed(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    httpx.put(f"{stack.notifications_url}/preferences/me", json={"mode": "daily"},
              headers=headers_for(SARA, "notifications"), timeout=10)
    log_in_as(page, base, "Sara Berg")

    page.get_by_role("link", name="Inställningar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inställningar")
    expect(page.get_by_role("heading", level=2)).to_have_text("Aviseringar")
    expect(page.get_by_label("En gång om dagen")).to_be_checked()
    expect(page.get_by_text("aldrig vilka elever eller ärenden det gäller")).to_be_visible()

    page.get_by_label("Direkt när något nytt väntar").check()
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("status")).to_have_text("Sparat: direkt när något nytt väntar.")
    expect(page.get_by_label("Direkt när något nytt väntar")).to_be_checked()
    page.reload()
    expect(page.get_by_label("Direkt när något nytt väntar")).to_be_checked()
    chosen = httpx.get(f"{stack.notifications_url}/preferences/me", headers=headers_for(SARA, "notifications"),
                       timeout=10).json()
    assert chosen == {"mode": "at_once"}

    page.get_by_label("Inga aviseringar").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_have_text("Sparat: du får inga aviseringar via e-post.")
    expect(page.get_by_label("Inga aviseringar")).to_be_checked()
