"""A teacher reports a deviation, the responsible manager handles it locally and sends it
after the de-identification check, and the BUS secretariat sees it, de-identified, in the
county view. A real Chromium against the whole running system (R19–R23)."""
from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import RESULTS, assert_no_axe_violations, fresh_personnummer, log_in_as
from tests.support.deviations import configure_units

pytestmark = pytest.mark.e2e


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Logga ut").click()


def test_r19_r23_report_handle_locally_send_and_see_it_in_the_county_view(stack, browser_page: Page):
    configure_units(stack.deviations_url)
    page, base = browser_page, stack.frontend_url
    number, _ = fresh_personnummer()
    marker = uuid.uuid4().hex[:8]

    # The teacher reports (R19); a report with one organisation is refused next to the field.
    log_in_as(page, base, "Anna Lind")
    page.get_by_role("navigation").get_by_role("link", name="Avvikelser").click()
    page.get_by_role("link", name="Rapportera en avvikelse").click()
    page.get_by_label("Skola").select_option("municipality")
    page.get_by_label("Var uppstod avvikelsen?").select_option("child_psychiatry")
    page.get_by_label("Kategori").select_option("party_absent_from_meetings")
    page.get_by_label("Datum för avvikelsen").fill("2026-02-03")
    page.get_by_label("Beskriv avvikelsen").fill(f"BUP kom inte till SIP-mötet för eleven {number}. Ärende {marker}.")
    page.get_by_label("Vad har prövats lokalt?").fill("Rektor har ringt BUP:s enhetschef två gånger.")
    page.get_by_role("button", name="Rapportera avvikelsen").click()
    expect(page.locator("#organisations-error")).to_contain_text("minst två verksamheter")
    expect(page.get_by_label("Beskriv avvikelsen")).to_have_value(re.compile(marker))

    page.get_by_label("Barn- och ungdomspsykiatri (BUP)").select_option("region")
    page.get_by_role("button", name="Rapportera avvikelsen").click()
    expect(page).to_have_url(re.compile(r"/avvikelser/[0-9a-f-]{36}$"))
    deviation_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".flash")).to_contain_text("rapporterad")
    log_out(page)

    # The responsible manager handles it locally (R21) and sends it de-identified (R22).
    log_in_as(page, base, "Rolf Ek")
    page.goto(f"{base}/avvikelser")
    expect(page.get_by_role("table", name="Att hantera som ansvarig chef").locator(f'[data-deviation="{deviation_id}"]')).to_be_visible()
    page.goto(f"{base}/avvikelser/{deviation_id}")
    page.get_by_label("Ny åtgärd").fill("Möte med BUP:s enhetschef bokat.")
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.locator("#action-list")).to_contain_text("Möte med BUP:s enhetschef bokat.")
    page.get_by_role("link", name="Granska och skicka till BUS-sekretariatet").click()

    finding = page.locator('.finding[data-kind="identity_number"]')
    expect(finding).to_contain_text(number)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-deviation-send-check.png"), full_page=True)
    assert_no_axe_violations(page)
    # An identity number can only be removed: there is no choice to keep it, and the page says why.
    expect(finding.get_by_label(re.compile("^Behåll"))).to_have_count(0)
    expect(finding).to_contain_text("Kan inte behållas")
    expect(finding.get_by_label(re.compile("^Ta bort"))).to_be_checked()
    # The manager rewrites the text: it must be checked again before it can be sent.
    page.get_by_text("Skriv om texten").click()
    page.get_by_label("Beskrivning som skickas").fill(f"BUP kom inte till SIP-mötet för eleven {number} i tid. Ärende {marker}.")
    page.get_by_role("button", name="Skicka till BUS-sekretariatet").click()
    expect(page.get_by_role("alert")).to_contain_text("Granska texten igen")
    page.get_by_role("button", name="Granska texten igen").click()
    expect(page.locator('.finding[data-kind="identity_number"]').get_by_label(re.compile("^Ta bort"))).to_be_checked()
    page.get_by_role("button", name="Skicka till BUS-sekretariatet").click()
    expect(page).to_have_url(re.compile(f"/avvikelser/{deviation_id}$"))
    sent = page.locator("#sent")
    expect(sent).to_contain_text("[personnummer borttaget]")
    expect(sent).not_to_contain_text(number)
    log_out(page)

    # The BUS secretariat sees it in the county view, without the number (R23).
    log_in_as(page, base, "Birgitta Sund")
    page.get_by_role("navigation").get_by_role("link", name="Länsbilden").click()
    expect(page.get_by_role("heading", name="Per kommun", exact=True)).to_be_visible()
    row = page.locator(f'[data-deviation="{deviation_id}"]')
    deadline = time.monotonic() + 20
    page.goto(f"{base}/lan/avvikelser?ar=2026&kommun=0180")
    while not row.count() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    expect(row).to_contain_text("Stockholm")
    expect(page.locator("tbody tr", has_text="Stockholm").first).to_be_visible()
    row.get_by_role("link").click()
    description = page.locator("#county-description")
    expect(description).to_contain_text(marker)
    expect(description).to_contain_text("[personnummer borttaget]")
    expect(page.get_by_role("main")).not_to_contain_text(number)
    page.goto(f"{base}/lan?ar=2026")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Kommun").first).to_contain_text("Stockholm")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-deviation-county-view.png"), full_page=True)
    assert_no_axe_violations(page)
    page.goto(f"{base}/lan/arssammanstallning?ar=2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avvikelser i länet 2026")
    expect(page.locator(".yearly__reports")).to_contain_text(marker)


def test_r20_the_rektor_sets_who_reports_and_a_bad_answer_time_is_shown_at_its_field(stack, browser_page: Page):
    configure_units(stack.deviations_url)
    page, base = browser_page, stack.frontend_url
    log_in_as(page, base, "Rolf Ek")
    page.goto(f"{base}/avvikelser")
    page.get_by_role("link", name="Vem rapporterar och ansvarar").click()
    expect(page.get_by_label("Anna Lind, lärare")).to_be_checked()
    expect(page.get_by_label("Ansvarig chef")).to_have_value("rolf.ek")
    page.get_by_label("Svarstid i dagar").fill("0")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator("#answer_days-error")).to_contain_text("mellan 1 och 365")
    page.get_by_label("Svarstid i dagar").fill("60")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".form-done")).to_contain_text("sparade")
    page.reload()
    expect(page.locator("#configuration-history")).to_contain_text("ansvarig chef Rolf Ek")
    page.screenshot(path=str(RESULTS / "browser-deviation-configuration.png"), full_page=True)
    assert_no_axe_violations(page)
