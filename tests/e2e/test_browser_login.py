"""Logging in through the development identity provider in Chromium, the same OpenID Connect
flow production uses with a municipality's provider; the main pages under the strict
Content-Security-Policy without a single violation; logout ends the session at both ends."""
from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_no_axe_violations, fresh_family_name, fresh_personnummer, log_in_as, register_missing_pupil

pytestmark = pytest.mark.e2e


def _collect_problems(page: Page) -> list[str]:
    """Console errors (a CSP violation is reported there: "Refused to ...") and page errors."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return problems


def test_login_goes_through_the_identity_provider_and_back(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    problems = _collect_problems(page)

    page.goto(f"{base}/uppfoljning")

    expect(page).to_have_url(re.compile("^" + re.escape(stack.devidp_url) + "/authorize\\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Stödspår")
    page.get_by_role("button", name=re.compile("^Rolf Ek")).click()
    expect(page).to_have_url(f"{base}/uppfoljning")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning")
    cookie = next(c for c in page.context.cookies(base) if c["name"] == "stodspar_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Logga ut").click()

    expect(page).to_have_url(re.compile("^" + re.escape(f"{base}/utloggad") + r"(\?state=[\w-]+)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utloggad")
    page.goto(f"{base}/uppfoljning")
    expect(page).to_have_url(re.compile("^" + re.escape(os.environ["OIDC_ISSUER"]) + "/authorize"))
    assert problems == []


def test_the_main_pages_and_an_htmx_form_run_under_the_csp_without_violations(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    problems = _collect_problems(page)
    personnummer, _ = fresh_personnummer()
    family = fresh_family_name()
    pupil = f"Nils {family}"

    log_in_as(page, base, "Ola Nilsson")
    for path in ("/", "/arenden/nytt", "/avvikelser", "/avvikelser/ny"):
        response = page.goto(f"{base}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert_no_axe_violations(page)
    page.goto(f"{base}/arenden/nytt")
    page.get_by_label("Sök elev").fill("7A")  # htmx suggestions as the teacher types
    expect(page.locator("#pupil-results [role=status]")).to_contain_text("hittades")
    page.get_by_role("button", name="Logga ut").click()
    log_in_as(page, base, "Mia Falk")
    register_missing_pupil(page, base, personnummer=personnummer, given="Nils", family=family)
    expect(page.get_by_role("heading", level=1)).to_have_text(pupil)
    # An htmx request: it carries the CSRF token from <body hx-headers>, or it would be refused.
    page.get_by_label("Ny extra anpassning").fill("Bildstöd vid genomgångar")
    page.get_by_role("button", name="Spara anpassningen").click()
    expect(page.locator("#adaptation-list")).to_contain_text("Bildstöd vid genomgångar")
    assert_no_axe_violations(page)

    log_in_as(page, base, "Mia Falk")
    for path in ("/uppfoljning", "/delegationer"):
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_axe_violations(page)

    assert problems == []
