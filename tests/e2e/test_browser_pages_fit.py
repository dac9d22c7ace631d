"""Every main page fits the screen: a teacher, a special educator, a rektor, the municipality's
administrator and the BUS secretariat each open every page of their menu (frontend/menu.py),
a case page and a deviation page, on a desktop (1280×800) and on a phone (390×844). No page
scrolls sideways, the desktop menu is one line, a person's name in a table is one line, and
axe-core finds nothing. Each page is saved as a screenshot in test-results/. A real Chromium
against the whole running system."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from eventkit.identity import Identity, Role
from frontend import menu
from tests.e2e.browser import (
    RESULTS, axe_violations, fresh_family_name, fresh_personnummer, log_in_as, register_missing_pupil,
)
from tests.support.deviations import configure_units, report

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Who looks, in which role, and which of the data made here their role opens.
PEOPLE = [
    ("Anna Lind", Role.TEACHER, ("case", "deviation")),
    ("Sara Berg", Role.SPECIAL_EDUCATOR, ("case",)),
    ("Rolf Ek", Role.REKTOR, ("case", "deviation", "/uppfoljning/kvalitet")),
    ("Lars Moberg", Role.MUNICIPALITY_ADMIN, ("deviation",)),
    ("Birgitta Sund", Role.BUS_SECRETARIAT, ("/lan/avvikelser",)),
]

HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
# The wide menu's items by the line they stand on (none shown: an empty list).
MENU_LINES = """() => [...new Set([...document.querySelectorAll('.site-nav--wide li')]
    .filter(li => li.offsetParent !== null).map(li => Math.round(li.getBoundingClientRect().top)))]"""
# The names (class "name") in tables whose text runs over more than one line.
WRAPPED_NAMES = """() => [...document.querySelectorAll('table .name')].filter(el => {
    const range = document.createRange(); range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size > 1;
  }).map(el => el.textContent.trim())"""


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.strip("/").lower())[:40] or "start"


def check(page: Page, url: str, name: str, size: str) -> list[str]:
    """What is wrong with the page at `url` at `size` ([] when nothing); the screenshot is saved."""
    problems = []
    answer = page.goto(url)
    assert answer is not None
    if answer.status == 404:
        return [f"404 {url}"]  # allowed only for a menu page not built yet (see the test's end)
    if answer.status != 200:
        problems.append(f"{url} answered {answer.status}")
    page.screenshot(path=str(RESULTS / f"fit-{slug(name)}-{slug(url.split('/', 3)[-1])}-{size}.png"), full_page=True)
    if page.evaluate(HORIZONTAL_OVERFLOW):
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"{url} scrolls sideways at {size} ({width} px wide)")
    lines = page.evaluate(MENU_LINES)
    if size == "desktop" and len(lines) != 1:
        problems.append(f"{url}: the menu takes {len(lines)} lines at {size}")
    if size == "phone" and lines:
        problems.append(f"{url}: the wide menu shows on a phone")
    if wrapped := page.evaluate(WRAPPED_NAMES):
        problems.append(f"{url}: names wrap at {size}: {wrapped}")
    problems += [f"{url} at {size}: {v}" for v in axe_violations(page)]
    return problems


def test_every_main_page_of_every_role_fits_a_desktop_and_a_phone(stack, browser_page: Page):
    configure_units(stack.deviations_url)
    page, base = browser_page, stack.frontend_url
    RESULTS.mkdir(exist_ok=True)

    # Data to look at: a case with a long name (rektor registers the pupil), and a deviation.
    log_in_as(page, base, "Rolf Ek")
    personnummer, _ = fresh_personnummer()
    family = fresh_family_name()
    register_missing_pupil(page, base, personnummer=personnummer, given="Maja-Stina Karolina", family=family)
    expect(page).to_have_url(re.compile(r"/arenden/[0-9a-f-]{36}$"))
    made = {"case": page.url.removeprefix(base), "deviation": f"/avvikelser/{report(stack.deviations_url)}"}
    page.get_by_role("button", name="Logga ut").click()

    problems: list[str] = []
    not_built: set[str] = set()
    for name, role, extra in PEOPLE:
        page.set_viewport_size(SIZES["desktop"])
        log_in_as(page, base, name)
        who = Identity(name, name, role, "")
        paths = [e.path for e in menu.links_for(who)] + [made.get(x, x) for x in extra]
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            for path in paths:
                found = check(page, base + path, name, size)
                not_built |= {p[4:] for p in found if p.startswith("404 ")}
                problems += [p for p in found if not p.startswith("404 ")]
        # On the phone the menu folds into "Meny", and opens without scrolling sideways.
        page.goto(base + "/")
        page.get_by_text("Meny", exact=True).click()
        expect(page.locator(".site-menu").get_by_role("link", name="Start")).to_be_visible()
        page.screenshot(path=str(RESULTS / f"fit-{slug(name)}-menu-phone.png"), full_page=True)
        if page.evaluate(HORIZONTAL_OVERFLOW):
            problems.append(f"{name}: the open menu scrolls sideways on a phone")
        problems += [f"{name}'s open menu: {v}" for v in axe_violations(page)]
        page.get_by_role("button", name="Logga ut").click()

    print("menu pages not built on this branch (404):", sorted(not_built))
    assert not_built <= {base + e.path for e in menu.ENTRIES}, not_built  # only pages still to come
    assert not problems, "\n".join(problems)
