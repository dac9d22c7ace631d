"""Inställningar against a stub notifications service: the current choice checked, a choice
sent as the service takes it, a refusal next to the field, a service that is away said in Swedish,
and no settings for a role without notifications."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService


@pytest.fixture
def notifications():
    stub = StubService().start()
    yield stub
    stub.stop()


@pytest.fixture
def client(notifications, cases_service, followup_service):
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url, notifications_url=notifications.url)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_the_current_choice_is_checked_and_a_new_one_is_sent(client, notifications):
    notifications.answer("GET", "/preferences/me", 200, {"mode": "daily"})
    notifications.answer("PUT", "/preferences/me", 200, {"mode": "at_once", "changed": True})
    log_in(client, "anna.lind")
    page = client.get("/installningar")
    assert page.status_code == 200
    assert 'href="/installningar"' in client.get("/").text
    assert 'id="mode-daily" name="mode" value="daily" checked' in page.text
    assert "Inga aviseringar" in page.text and "Direkt när något nytt väntar" in page.text

    saved = client.post("/installningar", data={"mode": "at_once"})
    assert saved.status_code == 303 and saved.headers["location"] == "/installningar"
    [sent] = [r for r in notifications.received if r.method == "PUT"]
    assert sent.body == {"mode": "at_once"}


def test_a_refused_choice_is_shown_at_the_field(client, notifications):
    notifications.answer("PUT", "/preferences/me", 422, {"error": "validation", "message": "Uppgifterna behöver rättas.",
                                                         "fields": {"mode": "Välj ett av alternativen."}})
    log_in(client, "anna.lind")
    answer = client.post("/installningar", data={"mode": "hourly"})
    assert answer.status_code == 422
    assert 'id="mode-error"' in answer.text and "Välj ett av alternativen." in answer.text


def test_a_service_that_is_away_is_said_in_swedish(client, notifications):
    notifications.stop()
    log_in(client, "anna.lind")
    answer = client.get("/installningar")
    assert answer.status_code == 503
    assert "Inställningarna för aviseringar går inte att nå just nu." in answer.text


def test_the_bus_secretariat_has_no_notification_settings(client):
    log_in(client, "birgitta.sund")
    assert client.get("/installningar").status_code == 403
    assert 'href="/installningar"' not in client.get("/lan").text
