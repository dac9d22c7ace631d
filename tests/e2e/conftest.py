"""The browser fixture every browser test uses."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM_ARGS


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
