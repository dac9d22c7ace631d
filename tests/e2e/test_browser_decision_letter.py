"""Issue 16 in a real browser: rektor opens the decision letter of a decided, delivered
programme decision for a pupil of the register, reads what the guardians will read (their
names, the school's postal address, the last day to appeal), downloads the PDF and reads its
text, and the print is in the access log (R15)."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from eventkit.dates import local_today, swedish
from eventkit.identity import HEADER, sign
from tests.conftest import REKTOR, TEACHER, headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_access_log_and_disposal import ADMIN
from tests.integration.test_case_to_followup_view import add_adaptation
from tests.integration.test_directory import sync
from tests.integration.test_support_case_workflow import EDUCATOR, investigate, post
from tests.support.infrastructure import eventually
from tests.support.pupils import register_pupil_with_a_new_case

pytestmark = pytest.mark.e2e


def _directory(stack, path: str, **params) -> dict:
    answer = httpx.get(f"{stack.directory_url}{path}", params=params, timeout=30,
                       headers={HEADER: sign(REKTOR, audience="directory", caller="frontend")})
    assert answer.status_code == 200, answer.text
    return answer.json()




def test_the_decision_letter_and_its_pdf_say_what_the_guardians_need_and_the_print_is_logged(stack, browser_page: Page):
    page, base, today = browser_page, stack.frontend_url, local_today()
    unit = next(u for u in _directory(stack, "/units")["units"] if u["code"] == "0180-ENG")
    if not unit["address"]:  # a directory synced before it kept addresses: read the register again
        sync(stack, full=True)
        unit = next(u for u in _directory(stack, "/units")["units"] if u["code"] == "0180-ENG")
    street, postcode = unit["address"]["street_address"], unit["address"]["postal_code"]
    pupil, case_id = register_pupil_with_a_new_case(stack)
    add_adaptation(stack, case_id, "Bildstöd")
    post(stack, TEACHER, f"/cases/{case_id}/referral", {"why_not_enough": "Når ändå inte målen"})
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions",
         {"kind": "establish_programme", "reasons": "Utredningen visar behov av stöd i läsförståelse."})
    for party in ("pupil", "guardians"):
        post(stack, EDUCATOR, f"/cases/{case_id}/participation",
             {"party": party, "offered_on": today.isoformat(), "took_part": True, "views": ""})
    post(stack, REKTOR, f"/cases/{case_id}/programme", {
        "needs": "Stöd att förstå längre texter.",
        "measures": [{"description": "Läsförståelse med speciallärare", "extent": "2 x 40 min/vecka", "responsible": "sara.berg"}],
        "follow_up_dates": [(today + timedelta(days=30)).isoformat()], "follow_up_responsible": "sara.berg",
        "evaluation_on": (today + timedelta(days=90)).isoformat(), "evaluation_responsible": "rolf.ek"})
    delivered = httpx.post(f"{stack.cases_url}/cases/{case_id}/decisions/1/receipts", headers=headers_for(REKTOR, "cases"),
                           json={"recipient": "guardians", "method": "post", "received_on": today.isoformat()})
    assert delivered.status_code == 201, delivered.text
    last_day = swedish(today + timedelta(weeks=3))
    anna, johan = (g["name"] for g in pupil["guardians"])

    log_in_as(page, base, "Rolf Ek")
    page.goto(f"{base}/arenden/{case_id}#beslut")
    page.get_by_role("link", name="Beslutsbrev till vårdnadshavarna (beslut 1)").click()

    letter = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beslut om åtgärdsprogram")
    expect(letter).to_contain_text(f"Till vårdnadshavarna för {pupil['name']}")
    expect(letter).to_contain_text(anna)
    expect(letter).to_contain_text(johan)
    expect(letter).to_contain_text(street)
    expect(letter).to_contain_text(postcode)
    expect(letter).to_contain_text("Utredningen visar behov av stöd i läsförståelse.")
    expect(letter).to_contain_text("Läsförståelse med speciallärare")
    expect(letter).to_contain_text("Skolväsendets överklagandenämnd")
    expect(letter).to_contain_text(f"Sista dag att överklaga: {last_day}.")
    expect(letter).to_contain_text("Rolf Ek, rektor")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-decision-letter.png"), full_page=True)
    assert_no_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner som PDF").click()
    download = download_info.value
    assert download.suggested_filename == "beslut-1.pdf"
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages))
    for words in (f"Till vårdnadshavarna för {pupil['name']}", anna, johan, street, "Beslut om åtgärdsprogram",
                  "Så här överklagar ni", f"Sista dag att överklaga: {last_day}"):
        assert words in text, words
    assert "Ladda ner som PDF" not in text

    def printed():
        answer = httpx.get(f"{stack.accesslog_url}/accesslog", params={"user": "rolf.ek"},
                           headers=headers_for(ADMIN, "accesslog"))
        assert answer.status_code == 200, answer.text
        return [e for e in answer.json().get("entries", []) if e.get("resource_id") == case_id and e.get("action") == "print"]

    assert len(eventually(printed, timeout=40, interval=0.3)) >= 2  # the page and the PDF

