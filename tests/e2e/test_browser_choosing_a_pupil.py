"""Nytt elevärende: a teacher finds a pupil of her school unit from the register as she
types (name, class, birth date; never the personnummer), opens the case, and choosing the
same pupil again leads to that case instead of a second one. A real Chromium against the
whole running system (the directory synced from the development SS 12000 register)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ss12000dev.seed import build
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as

pytestmark = pytest.mark.e2e
ORGANISATION = Path(__file__).resolve().parents[2] / "deploy" / "dev-organisation.json"


def _a_seeded_pupil_of(unit_name: str) -> tuple[str, str, str]:
    """(name, class, personnummer) of an unprotected pupil the development register seeds at the unit."""
    register = build(Path(os.environ.get("DEV_ORGANISATION_FILE") or ORGANISATION),
                     int(os.environ.get("DEV_SS12000_PUPILS_PER_UNIT", "300")))
    classes = {m["person"]["id"]: g["displayName"] for g in register.groups
               if g["organisation"]["displayName"] == unit_name for m in g["groupMemberships"]}
    pupil = next(p for p in register.persons if p.get("enrolments") and p["securityMarking"] == "Ingen"
                 and p["enrolments"][0]["enroledAt"]["displayName"] == unit_name and p["id"] in classes)
    return f"{pupil['givenName']} {pupil['familyName']}", classes[pupil["id"]], pupil["civicNo"]["value"]


def test_a_teacher_chooses_a_pupil_and_choosing_again_leads_to_the_same_case(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    name, class_name, personnummer = _a_seeded_pupil_of("Tallbackaskolan")

    log_in_as(page, base, "Ola Nilsson")
    page.get_by_role("main").get_by_role("link", name=re.compile("Nytt elevärende")).click()
    page.get_by_label("Sök elev").fill(name)  # no submit: the suggestions come as she types
    results = page.locator("#pupil-results")
    choice = results.get_by_role("button", name=re.compile(f"^{re.escape(name)}.*Klass {class_name}"))
    expect(choice.first).to_be_visible(timeout=30_000)  # the directory's first sync may still be running
    expect(results).not_to_contain_text(personnummer[:8])
    expect(results).not_to_contain_text(personnummer[-4:])
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-choose-pupil.png"), full_page=True)
    assert_no_axe_violations(page)
    choice.first.click()

    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    case_url = page.url

    page.goto(f"{base}/arenden/nytt")
    page.get_by_label("Sök elev").fill(name)
    page.locator("#pupil-results").get_by_role(
        "button", name=re.compile(f"^{re.escape(name)}.*Klass {class_name}")).first.click()

    expect(page).to_have_url(case_url)
    expect(page.get_by_text("Eleven har redan ett öppet ärende på skolenheten")).to_be_visible()
