"""Logging in through the identity provider (OpenID Connect), the start page, and what a
teacher is offered. The provider is the development one (services/devidp), over real HTTP."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
import pytest

from tests.frontend_unit.helpers import HTMX, log_in


@pytest.mark.parametrize("path", ["/", "/arenden/nytt", "/uppfoljning", f"/arenden/{uuid4()}"])
def test_every_page_sends_a_visitor_who_is_not_logged_in_to_the_login_page(frontend, path):
    response = frontend.get(path)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_an_htmx_request_without_login_navigates_the_whole_page_to_login(frontend):
    response = frontend.get("/uppfoljning", headers={**HTMX, "HX-Current-URL": "http://x/uppfoljning"})

    assert response.headers["HX-Redirect"] == "/login?next=%2Fuppfoljning"


def test_login_sends_the_browser_to_the_identity_provider_with_pkce_state_and_nonce(frontend, identity_provider):
    response = frontend.get("/login")

    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    query = {key: values[0] for key, values in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}" == identity_provider.issuer and target.path == "/authorize"
    assert query["response_type"] == "code" and "openid" in query["scope"].split()
    assert query["client_id"] == identity_provider.client_id
    assert query["redirect_uri"] == "http://testserver/auth/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20


def test_the_development_login_page_lists_the_registers_staff_by_unit_and_the_seed_files_others(frontend):
    page = httpx.get(frontend.get("/login").headers["location"]).text
    engelbrekt = page[page.index("<h3>Engelbrektsskolan</h3>"):page.index("<h3>Katarina Södra skola</h3>")]

    assert "Anna Lind" in engelbrekt and "Lärare" in engelbrekt
    assert "Sara Berg" in engelbrekt and "Specialpedagog · även Katarina Södra skola" in engelbrekt
    assert "Rolf Ek" in engelbrekt and "Rektor" in engelbrekt
    assert "Birgitta Sund" in page and "BUS-sekretariatet" in page
    assert "Solna" in page and "Tallbackaskolan" in page


def test_login_returns_to_the_page_asked_for_and_logout_ends_the_session(frontend, identity_provider):
    authorize = _start_login(frontend, next="/uppfoljning")
    before = frontend.cookies.get("stodspar_session")

    location = _come_back(frontend, _answer_for(authorize, "rolf.ek"))

    assert location == "/uppfoljning"
    assert frontend.cookies.get("stodspar_session") != before
    assert frontend.get("/uppfoljning").status_code != 303

    ending = frontend.post("/logout", data={"csrf_token": _csrf(frontend)})

    assert ending.status_code == 303
    end_session = urlsplit(ending.headers["location"])
    query = parse_qs(end_session.query)
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == identity_provider.issuer + "/logout"
    assert query["post_logout_redirect_uri"] == ["http://testserver/utloggad"] and "id_token_hint" in query
    assert frontend.get("/").headers["location"] == "/login"
    assert "Du är utloggad" in frontend.get("/utloggad").text


def test_the_session_cookie_is_httponly_and_samesite_lax(frontend):
    callback = _answer_for(_start_login(frontend), "anna.lind")

    response = frontend.get(callback)

    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # the test env is plain http (FRONTEND_BEHIND_TLS=false)


def test_login_never_redirects_to_another_site(frontend):
    authorize = _start_login(frontend, next="//evil.example/")

    assert _come_back(frontend, _answer_for(authorize, "rolf.ek")) == "/"


def test_the_new_case_form_offers_only_the_users_own_school_units(frontend):
    log_in(frontend, "anna.lind")
    teacher_form = frontend.get("/arenden/nytt").text
    log_in(frontend, "sara.berg")
    special_educator_form = frontend.get("/arenden/nytt").text

    assert "Engelbrektsskolan" in teacher_form and "Katarina Södra skola" not in teacher_form
    assert "Engelbrektsskolan" in special_educator_form and "Katarina Södra skola" in special_educator_form
    assert '<label class="label" for="q">Sök elev</label>' in teacher_form
    assert "Registrera en elev som saknas" not in teacher_form  # rektor's


def test_the_start_page_offers_followup_to_rektor_but_not_to_a_teacher(frontend):
    log_in(frontend, "anna.lind")
    teacher = frontend.get("/").text
    log_in(frontend, "rolf.ek")
    rektor = frontend.get("/").text

    assert "Nytt elevärende" in teacher and "Uppföljning" not in teacher
    assert "Uppföljning" in rektor


def _start_login(frontend, next: str | None = None) -> str:
    response = frontend.get("/login", params={"next": next} if next else None)
    assert response.status_code == 302
    return response.headers["location"]


def _answer_for(authorize_url: str, user_id: str) -> str:
    """Pick `user_id` on the provider's page; where the provider sends the browser back."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
    chosen = httpx.post(authorize_url.split("?")[0], data={**query, "user_id": user_id})
    assert chosen.status_code == 303
    return chosen.headers["location"]


def _come_back(frontend, callback_url: str) -> str:
    answer = frontend.get(callback_url)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def _csrf(frontend) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', frontend.get("/").text).group(1)
