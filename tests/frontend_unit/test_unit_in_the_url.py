"""The URL's resource is the one acted on: a page, form or URL naming another unit's (or
another municipality's) school unit is not found — never quietly swapped for the user's own.

Walks every frontend route that takes a school unit (in its path, its query or its form),
and fails when a new one is added without being walked here.
"""
from __future__ import annotations

import inspect

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from frontend.app import create_app
from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService

STOCKHOLM_UNIT = "0180-ENG"
NOT_OURS = "Skolenheten finns inte bland dina enheter."
UNIT_PARAMETERS = {"unit", "skolenhet", "enhet", "school_unit"}

# (method, path, query, form): each names Engelbrektsskolan (Stockholm); the user is Solna's rektor.
WALK = {
    ("GET", "/delegationer"): ({"skolenhet": STOCKHOLM_UNIT}, None),
    ("POST", "/delegationer"): (None, {"school_unit": STOCKHOLM_UNIT, "delegate": "sara.berg", "kinds": "no_programme"}),
    ("POST", "/delegationer/{unit}/{number}/aterkalla"): (None, {}),
    ("GET", "/uppfoljning"): ({"skolenhet": STOCKHOLM_UNIT}, None),
    ("GET", "/uppfoljning/kvalitet"): ({"skolenhet": STOCKHOLM_UNIT}, None),
    ("GET", "/avvikelser/installningar"): ({"enhet": STOCKHOLM_UNIT}, None),
    ("GET", "/dokumentation"): ({"enhet": STOCKHOLM_UNIT}, None),
    ("GET", "/dokumentation/utveckling"): ({"enhet": STOCKHOLM_UNIT}, None),
    ("GET", "/arenden/nytt"): ({"school_unit": STOCKHOLM_UNIT, "q": "elsa"}, None),
    ("GET", "/elever"): ({"skolenhet": STOCKHOLM_UNIT, "q": "elsa"}, None),
}
# Routes whose unit is checked by the service itself (the form posts to the service, which
# refuses another unit with 403, and nothing is swapped on the way).
CHECKED_BY_THE_SERVICE = {("POST", "/arenden")}
# Loggkontroll's unit filter (the administrator's, municipality-wide): a unit not of the
# administrator's municipality is refused at the field, and the read API answers only that
# municipality's entries (tests/frontend_unit/test_loggkontroll_page.py).
CHECKED_BY_THE_SERVICE |= {("POST", "/loggkontroll"), ("POST", "/loggkontroll/export")}
# The school owner's view: the unit only picks which of the municipality's own units is shown
# over time; the read API answers the identity's municipality alone (ADR 0031), so another's unit
# is never among them (tests/frontend_unit/test_owner_view_page.py).
SCOPED_BY_THE_MUNICIPALITY = {("GET", "/huvudman")}


def _api_routes(routes):
    """Every API route, also inside included routers (none of the frontend's has a prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def unit_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in _api_routes(app.routes):
        names = set(inspect.signature(route.endpoint).parameters) | set(route.param_convertors)
        if names & UNIT_PARAMETERS:
            found.update((method, route.path) for method in route.methods if method in ("GET", "POST"))
    return found


@pytest.fixture
def client(cases_service, followup_service):
    others = [StubService().start() for _ in range(5)]
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url, deviations_url=others[0].url,
                     county_url=others[1].url, documentation_url=others[2].url, competence_url=others[3].url,
                     quality_url=others[4].url)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client
    for stub in others:
        stub.stop()


def test_r14_every_route_that_names_a_unit_is_walked_here(client):
    assert unit_routes(client.app) == set(WALK) | CHECKED_BY_THE_SERVICE | SCOPED_BY_THE_MUNICIPALITY


@pytest.mark.parametrize("method, path", sorted(WALK))
def test_r14_a_url_naming_another_municipalitys_unit_is_not_found_and_nothing_is_done(client, cases_service, method, path):
    log_in(client, "mia.falk")  # rektor of Tallbackaskolan, Solna
    query, form = WALK[(method, path)]
    url = path.replace("{unit}", STOCKHOLM_UNIT).replace("{number}", "1")
    response = client.request(method, url, params=query, data=form)
    assert response.status_code == 404, response.text[:300]
    assert NOT_OURS in response.text
    assert not [r for r in cases_service.received if "delegation" in r.path]  # nothing was asked of the service
