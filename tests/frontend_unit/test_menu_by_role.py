"""Nobody is offered what their role cannot do: every role logs in, reads the links of its menu
and start page, opens every page of the menu module and gets each one it was offered (200) and
is refused each one it was not (403). The services are one stub answering empty lists."""
from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from eventkit.identity import Identity, Role
from frontend import menu
from frontend.app import create_app
from projections.followup.ownerview import Facts, Per, overview
from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService

# One person of each role (the register's school staff and the organisation file's others).
PEOPLE = {
    Role.TEACHER: "anna.lind",
    Role.SPECIAL_EDUCATOR: "sara.berg",
    Role.EHT_MEMBER: "tomas.ahl",
    Role.REKTOR: "rolf.ek",
    Role.MUNICIPALITY_ADMIN: "lars.moberg",
    Role.REGION_STAFF: "erik.sjo",
    Role.BUS_SECRETARIAT: "birgitta.sund",
}
EMPTY_COUNTS = {"total": 0, "years": [], "by_period": [], "by_municipality": [], "by_category": [],
                "by_organisation": [], "trend": [], "period_kind": "month"}
EMPTY_OVERVIEW = {**overview(Facts(), Per.MONTH, date(2026, 7, 1), date(2026, 11, 26), date(2026, 11, 26), ()),
                  "appeals": None}


@pytest.fixture
def services():
    """Every service the menu's pages ask, answering "nothing yet"."""
    stub = StubService().start()
    stub.answer("GET", "/followup", 200, {"rows": [], "total": 0, "investigators": []})
    stub.answer("GET", "/interventions", 200, {"rows": [], "terms": []})
    stub.answer("GET", "/missions", 200, {"rows": []})
    stub.answer("GET", "/deviations", 200, {"rows": []})
    stub.answer("GET", "/county/counts", 200, EMPTY_COUNTS)
    stub.answer("GET", "/disposal", 200, {"today": "2026-11-26", "retention_years": 5, "pupils": 0, "cases": 0,
                                          "per_unit_and_year": [], "kinds": [], "held_back": []})
    stub.answer("GET", "/disposal/runs", 200, {"runs": []})
    stub.answer("GET", "/owner/overview", 200, EMPTY_OVERVIEW)
    for unit in ("0180-ENG", "0180-KAT"):
        stub.answer("GET", f"/delegations/{unit}", 200, {"delegations": [], "history": []})
    yield stub
    stub.stop()


@pytest.fixture
def client(services, directory_service, worklist_service, monkeypatch):
    monkeypatch.setenv("ACCESSLOG_URL", services.url)
    directory_service.answer("GET", "/pupils", 200, {"pupils": [], "total": 0})
    services.answer("GET", "/preferences/me", 200, {"mode": "daily"})
    worklist_service.answer("GET", "/tasks", 200, {"tasks": [], "count": 0, "overdue": 0, "today": "2026-11-26"})
    worklist_service.answer("GET", "/pupil-cases", 200, {"cases": []})
    app = create_app(cases_url=services.url, followup_url=services.url, deviations_url=services.url,
                     county_url=services.url, documentation_url=services.url, competence_url=services.url,
                     quality_url=services.url, notifications_url=services.url)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def header_links(page: str) -> list[str]:
    """The links of the wide menu and beside the user's name, in order."""
    header = page[page.index('<header class="site-header">'):page.index("</header>")]
    wide = header[header.index('class="site-nav site-nav--wide"'):]
    user = header[header.index('class="site-user"'):header.index('class="site-menu"')]
    return re.findall(r'<a href="([^"]+)"', user) + re.findall(r'<a href="([^"]+)"', wide)


def paths(routes) -> set[str]:
    """Every path the app serves (an included router's routes are inside it)."""
    found = set()
    for route in routes:
        if hasattr(route, "path"):
            found.add(route.path)
        if hasattr(route, "original_router"):
            found |= paths(route.original_router.routes)
    return found


def exists(client: TestClient, path: str) -> bool:
    return path in paths(client.app.routes)


@pytest.mark.parametrize("role", list(PEOPLE), ids=[r.value for r in PEOPLE])
def test_a_role_opens_every_page_it_is_offered_and_is_refused_every_other(client, role):
    who = Identity(PEOPLE[role], "", role, "0180")  # what the menu is offered by: the role
    log_in(client, PEOPLE[role])
    start = client.get("/").text

    offered = menu.links_for(who)
    assert sorted(header_links(start)) == sorted(e.path for e in offered)
    for entry in menu.shortcuts_for(who):
        assert f'<a class="choice" href="{entry.path}">' in start
    assert exists(client, "/uppfoljning")  # the routes are found
    answers = {}
    for entry in menu.ENTRIES:
        if not exists(client, entry.path):
            continue  # a page another part of the work builds; its menu entry is already here
        answers[entry.path] = client.get(entry.path).status_code
    expected = {path: (200 if any(e.path == path for e in offered) else 403) for path in answers}
    assert answers == expected


def test_the_municipality_administrator_is_not_offered_a_new_case_and_cannot_open_the_form(client):
    log_in(client, "lars.moberg")

    start = client.get("/").text

    assert "Nytt elevärende" not in start and "/arenden/nytt" not in start
    assert "Loggkontroll" in start and "Avvikelser" in start
    refused = client.get("/arenden/nytt")
    assert refused.status_code == 403
    assert "Elevärenden öppnas och förs av skolans personal." in refused.text


def test_every_menu_entry_names_a_policy_entry_or_is_everyones():
    for entry in menu.ENTRIES:
        assert entry.permission is not None or entry.path in ("/", "/att-gora", "/installningar"), entry
