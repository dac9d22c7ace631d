"""Loggkontroll as a log checker uses it (R15), in a real Chromium against the whole running
system: Karin Holm (rektor, Katarina Södra skola) opens a case and lists her pupils; Anna Lind
(lärare, Engelbrektsskolan) tries to open Karin's case and is told it is not there; Lars Moberg
(kommunadministratör) finds Karin's accesses fifty a page and turns the page, finds Anna's
refused attempt flagged as unusual, and is told at the field when a personnummer's check digit
is wrong. Every page passes axe-core."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_axe_violations, choose_pupil, fresh_personnummer, log_in_as
from tests.e2e.test_browser_my_pupils import _a_seeded_pupil_of

pytestmark = pytest.mark.e2e


def _search(page: Page, base: str, *, user: str, kind: str = "", until: str | None = None) -> None:
    """Search the log until `until` shows (the projection catches up within seconds)."""
    deadline = time.monotonic() + 60
    while True:
        page.goto(f"{base}/loggkontroll")
        page.get_by_label("Användare").fill(user)
        if kind:
            page.get_by_label("Slag av åtkomst").select_option(label=kind)
        page.get_by_role("button", name="Sök i loggen").click()
        expect(page.get_by_role("heading", name="Träffar")).to_be_visible()
        if until is None or page.get_by_text(until).count():
            return
        assert time.monotonic() < deadline, f"{until!r} never showed in loggkontroll"
        time.sleep(1)


def test_the_administrator_pages_filters_and_sees_a_refused_attempt(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    name, _ = _a_seeded_pupil_of("Katarina Södra skola")

    log_in_as(page, base, "Karin Holm")
    choose_pupil(page, base, name, name)
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"), timeout=30_000)
    case_url = page.url
    page.goto(f"{base}/elever")  # a page of her pupils: each one listed is logged
    expect(page.locator("#pupil-table tbody tr").first).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()

    log_in_as(page, base, "Anna Lind")
    page.goto(case_url)
    expect(page.get_by_text(re.compile("finns inte"))).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()

    log_in_as(page, base, "Lars Moberg")
    _search(page, base, user="Karin Holm", until="Karin Holm, rektor, såg eleven i elevregistret")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Visar 1–50 av \d+ åtkomster"))
    expect(page.locator("#accesslog tbody tr")).to_have_count(50)
    expect(page.locator("#accesslog")).not_to_contain_text("{")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Visar 51–"))
    expect(page.get_by_role("button", name="Föregående")).to_be_visible()

    _search(page, base, user="Anna Lind", kind="Nekad åtkomst", until="Anna Lind, lärare, försökte läsa elevärendet – nekades")
    refused = page.locator("#accesslog tbody tr").filter(has_text="försökte läsa elevärendet – nekades").first
    expect(refused).to_contain_text("Nekad åtkomst")
    expect(refused).to_contain_text("Katarina Södra skola")
    expect(refused).to_contain_text(name)  # the administrator sees whose record it was
    assert_no_axe_violations(page)

    _, wrong = fresh_personnummer()
    page.goto(f"{base}/loggkontroll")
    page.get_by_label("Elevens personnummer").fill(wrong)
    page.get_by_role("button", name="Sök i loggen").click()
    expect(page.locator("#personnummer-error")).to_contain_text("kontrollsiffra")
    assert_no_axe_violations(page)
