"""Huvudmannens översikt in a real Chromium against the whole running system: Huddinge's
administrator finds the page in the menu, sees a referral of Skogås skola counted as "färre än
5" in the tables and the chart, changes the period and downloads the CSV file; axe-clean."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from playwright.sync_api import Page, expect

from eventkit.dates import local_today
from tests.conftest import headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.support import deviations as dev
from tests.support.pupils import directory_pupil

pytestmark = pytest.mark.e2e
UNIT = "0126-SKO"


def a_referral_at_skogas(stack) -> None:
    teacher = dev.HUDDINGE_REPORTER
    opened = httpx.post(f"{stack.cases_url}/cases", json={"school_unit": UNIT, "pupil_id": directory_pupil(stack, UNIT)},
                        headers=headers_for(teacher, "cases"))
    assert opened.status_code == 201, opened.text
    referred = httpx.post(f"{stack.cases_url}/cases/{opened.json()['case_id']}/referral",
                          json={"special_reason": "Eleven behöver stöd direkt."}, headers=headers_for(teacher, "cases"))
    assert referred.status_code == 201, referred.text


def test_the_owner_sees_small_counts_suppressed_and_downloads_the_csv(stack, browser_page: Page):
    page, base = browser_page, stack.frontend_url
    a_referral_at_skogas(stack)

    log_in_as(page, base, "Olof Lindqvist")
    page.get_by_role("link", name="Huvudmannens översikt").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huvudmannens översikt")
    referrals = page.locator("#per-unit tr", has_text="Anmälningar till rektor")
    for _ in range(30):  # the referral reaches the read model through Kafka
        if "Skogås skola" in page.locator("#per-unit").inner_text() and "färre än 5" in referrals.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator("#per-unit thead")).to_contain_text("Skogås skola")
    expect(referrals).to_contain_text("färre än 5")
    expect(page.locator("#over-time")).to_contain_text("färre än 5")
    expect(page.locator("svg.chart").first).to_contain_text("färre")
    expect(page.get_by_role("heading", name="Överklaganden och utfall")).to_be_visible()
    assert "0126-SKO" not in page.locator("main").inner_text()
    assert_no_axe_violations(page)

    # Per term, from the school year's start to today.
    page.get_by_label("Indelning").select_option(label="Termin")
    page.get_by_role("button", name="Visa", exact=True).click()
    term = f"{'VT' if local_today().month <= 6 else 'HT'} {local_today().year}"
    expect(page.locator("#over-time thead")).to_contain_text(term)
    assert_no_axe_violations(page)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-owner-view.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som CSV").click()
    assert download.value.suggested_filename == "huvudmannens-oversikt.csv"
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Skolenhet", "Period", "Anmälningar till rektor",
                           "Utredningar påbörjade inom kommunens tidsgräns"]
    skogas = {row[1]: dict(zip(rows[0], row)) for row in rows[1:] if row[0] == "Skolenhet" or row[0] == "Skogås skola"}
    assert skogas["Hela perioden"]["Anmälningar till rektor"] == "färre än 5"
    assert skogas[term]["Anmälningar till rektor"] == "färre än 5"
