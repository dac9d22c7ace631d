"""What every browser test needs: Debian's Chromium, a login, a fresh personnummer.

Log in only through `log_in_as`: how login works is decided here, not in each test. It is the
real OpenID Connect flow: /login sends the browser to the development identity provider
(services/devidp), the person picks themselves, the provider sends the browser back.
"""
from __future__ import annotations

import os
import random
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from playwright.sync_api import Page, expect

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


def log_in_as(page: Page, base: str, name: str) -> None:
    # A logout clicked just before may still be under way: its answer, arriving after /login
    # began, would clear the session that holds the login's state (a mismatching state).
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/login")  # answered with a redirect to the identity provider's page
    page.get_by_role("button", name=re.compile(f"^{name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hej {name.split()[0]}!")


@cache
def axe_source() -> str:
    """axe-core, as `make` fetched it from npm into .cache/ (AXE_CORE_JS; the version is the Makefile's)."""
    path = os.environ.get("AXE_CORE_JS", "")
    if not path or not Path(path).is_file():
        raise RuntimeError(f"axe-core is not at {path or '(AXE_CORE_JS unset)'}: run the browser tests with make test-e2e, "
                           "which fetches it")
    return Path(path).read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each: rule, impact, what, where.
    The script is evaluated by the browser's debugger, so the page's CSP stays as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
        v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in found]


def assert_no_axe_violations(page: Page) -> None:
    """Fails listing every accessibility rule axe-core finds broken on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def fresh_family_name() -> str:
    """A family name no seeded pupil has and no earlier run used (letters only: one search word)."""
    return "Provsson" + "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))


def register_missing_pupil(page: Page, base: str, *, personnummer: str, given: str, family: str,
                           class_name: str = "5A") -> None:
    """As rektor (logged in): register a pupil the register lacks; the case opens."""
    page.goto(f"{base}/arenden/nytt")
    form = page.locator("#registration-form")
    form.get_by_label("Personnummer").fill(personnummer)
    form.get_by_label("Förnamn").fill(given)
    form.get_by_label("Efternamn").fill(family)
    form.get_by_label("Klass").fill(class_name)
    form.get_by_label("Skäl").select_option("new_pupil")
    form.get_by_role("button", name="Registrera eleven och öppna ärendet").click()


def choose_pupil(page: Page, base: str, search: str, name: str) -> None:
    """On Nytt elevärende: search, then choose the pupil called `name` among the suggestions."""
    page.goto(f"{base}/arenden/nytt")
    page.get_by_label("Sök elev").fill(search)
    page.locator("#pupil-results").get_by_role("button", name=re.compile(f"^{re.escape(name)}")).first.click()
