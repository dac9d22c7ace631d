"""A teacher opens a case, records an extra adaptation and refers to rektor; rektor sees the
referral appear in the follow-up view. A real Chromium against the whole running system."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for position, digit in enumerate(nine_digits):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def fresh_personnummer() -> tuple[str, str]:
    """A valid personnummer (long form) that no earlier run used, and the same one made invalid."""
    born = date(2010, 1, 1) + timedelta(days=random.randrange(3000))
    serial = f"{random.randrange(1000):03d}"
    check = luhn_check_digit(born.strftime("%y%m%d") + serial)
    valid = f"{born:%Y%m%d}-{serial}{check}"
    return valid, valid[:-1] + str((check + 1) % 10)


@pytest.fixture
def browser_page():
    """Debian's Chromium, headless (named so it does not clash with pytest-playwright's `page`)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(locale="sv-SE", viewport={"width": 1200, "height": 900})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def log_in_as(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_role("button", name=re.compile(f"^{name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hej {name.split()[0]}!")


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
