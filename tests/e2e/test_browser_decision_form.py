"""R6 in a real browser: a special educator with a delegation tries to place a pupil in a
special teaching group; the decision form refuses, citing the law, and nothing is decided."""
from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REKTOR, headers_for
from tests.e2e.browser import RESULTS, assert_no_axe_violations, log_in_as
from tests.integration.test_support_case_workflow import EDUCATOR, investigate, post, referred_case
from eventkit.dates import local_today

pytestmark = pytest.mark.e2e


def test_r6_the_decision_form_refuses_a_delegated_special_teaching_group_decision(stack, browser_page: Page):
    page = browser_page
    case_id = referred_case(stack)
    investigate(stack, case_id)
    today = local_today().isoformat()
    post(stack, REKTOR, "/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["establish_programme"],
                                                  "valid_from": today, "valid_to": today})

    log_in_as(page, stack.frontend_url, "Sara Berg")
    page.goto(f"{stack.frontend_url}/arenden/{case_id}#beslut")
    form = page.locator("#decision-form")
    form.get_by_label("Upprätta åtgärdsprogram", exact=True).check()
    form.get_by_label("Särskild undervisningsgrupp").check()
    form.get_by_role("button", name="Fatta beslutet").click()

    problem = page.locator("#step-decision .form-problem")
    expect(problem).to_contain_text("kan inte delegeras")
    expect(problem).to_contain_text("skollagen 3 kap. 11 § och 12 §")
    expect(problem).to_contain_text("2 kap. 10 §")
    expect(problem).to_have_attribute("data-rule", "R6")
    expect(page.locator("#decision-form").get_by_label("Särskild undervisningsgrupp")).to_be_checked()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "browser-r6-refused.png"), full_page=True)
    assert_no_axe_violations(page)

    case = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(EDUCATOR, "cases")).json()
    assert case["decisions"] == [] and case["status"] == "investigated"

    # Without the placement the same delegate may decide; the page then shows the decision.
    page.goto(f"{stack.frontend_url}/arenden/{case_id}")
    form = page.locator("#decision-form")
    form.get_by_label("Särskild undervisningsgrupp").uncheck()
    form.get_by_label("Upprätta åtgärdsprogram", exact=True).check()
    form.get_by_role("button", name="Fatta beslutet").click()
    expect(page.locator("#step-decision")).to_contain_text(re.compile("enligt delegation nr \\d+ från rektor"), timeout=15_000)
