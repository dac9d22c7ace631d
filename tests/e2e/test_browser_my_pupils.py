"""Mina elever: a teacher opens a case for a pupil of her school unit, later finds the pupil
on Mina elever (one click from the start page) by searching, and follows the link back to the
case. A real Chromium against the whole running system (the directory synced from the
development SS 12000 register). The page also fits a phone's width (390 px).

With the worklist in the stack (WORKLIST_URL set), the pupil's row shows the case's status and
"Öppna ärendet"; without it, the page says that the status cannot be shown and the pupil's
button leads to the open case all the same.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from ss12000dev.seed import build
from tests.e2e.browser import RESULTS, choose_pupil, log_in_as

pytestmark = pytest.mark.e2e
ORGANISATION = Path(__file__).resolve().parents[2] / "deploy" / "dev-organisation.json"


def _a_seeded_pupil_of(unit_name: str) -> tuple[str, str]:
    """(name, class) of an unprotected pupil the development register seeds at the unit: the last
    one, so no other test's case or change is hers."""
    register = build(Path(os.environ.get("DEV_ORGANISATION_FILE") or ORGANISATION),
                     int(os.environ.get("DEV_SS12000_PUPILS_PER_UNIT", "300")))
    classes = {m["person"]["id"]: g["displayName"] for g in register.groups
               if g["organisation"]["displayName"] == unit_name for m in g["groupMemberships"]}
    pupil = [p for p in register.persons if p.get("enrolments") and p["securityMarking"] == "Ingen"
             and p["enrolments"][0]["enroledAt"]["displayName"] == unit_name and p["id"] in classes][-1]
    return f"{pupil['givenName']} {pupil['familyName']}", classes[pupil["id"]]


def _row(page: Page, name: str):
    return page.locator("#pupil-table tbody tr").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_a_teacher_finds_her_pupil_on_mina_elever_and_goes_back_to_the_case(stack, browser_page: Page):
    page = browser_page
    base = stack.frontend_url
    name, class_name = _a_seeded_pupil_of("Engelbrektsskolan")

    log_in_as(page, base, "Anna Lind")
    choose_pupil(page, base, name, name)
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"), timeout=30_000)
    case_url = page.url

    page.goto(f"{base}/")
    page.get_by_role("main").get_by_role("link", name=re.compile("^Mina elever")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina elever")
    expect(page.locator("#pupil-table tbody tr").first).to_be_visible()
    page.get_by_label("Sök elev").fill(name)  # no submit: the table follows as she types
    row = _row(page, name)
    expect(row).to_be_visible()
    expect(row).to_contain_text(class_name)

    if os.environ.get("WORKLIST_URL"):
        # The worklist projection catches up with the opened case: the page is asked again until it has.
        deadline = time.monotonic() + 30
        while not _row(page, name).get_by_role("link", name=re.compile("^Öppna ärendet")).count():
            assert time.monotonic() < deadline, "the pupil's open case never showed on Mina elever"
            time.sleep(1)
            page.goto(f"{base}/elever?q={quote(name)}")
        row = _row(page, name)
        expect(row).to_contain_text("Öppet")
        expect(page.get_by_text("Ärendestatus kan inte visas just nu")).to_have_count(0)
        to_case = row.get_by_role("link", name=re.compile("^Öppna ärendet"))
    else:
        expect(page.get_by_text("Ärendestatus kan inte visas just nu")).to_be_visible()
        expect(row).not_to_contain_text("Inget ärende")
        to_case = row.get_by_role("button", name=re.compile("^Visa eller öppna ärendet"))

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-my-pupils-390.png"), full_page=True)
    to_case.click()

    expect(page).to_have_url(case_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
