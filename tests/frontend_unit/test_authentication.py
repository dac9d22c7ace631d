"""What protects a session: the OIDC answers the frontend refuses, session rotation and
timeouts, the CSRF token on every state-changing request, and the security headers."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey

from devidp.app import Provider
from frontend import security
from frontend.app import create_app
from tests.frontend_unit.helpers import CSRF_HEADER, HTMX, log_in
from tests.support.identity_provider import free_port, provider_at, serving

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
CASE = {"school_unit": "0180-ENG", "pupil_id": "5a0c1e7e-7b1d-5c1e-9a53-2d8f0b7e9c41"}
NOT_COMPLETED = "Inloggningen kunde inte slutföras"


def _authorize_url(client) -> str:
    response = client.get("/login")
    assert response.status_code == 302, response.text
    return response.headers["location"]


def _callback_for(authorize_url: str, user_id: str) -> str:
    query = {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}
    chosen = httpx.post(authorize_url.split("?")[0], data={**query, "user_id": user_id})
    assert chosen.status_code == 303, chosen.text
    return chosen.headers["location"]


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def frontend_with(monkeypatch, cases_service, followup_service):
    """A frontend whose login goes to `provider` (served for the test)."""
    started = []

    def make(provider: Provider, port: int, *, issuer: str | None = None) -> TestClient:
        context = serving(provider, port)
        started.append(context)
        context.__enter__()
        monkeypatch.setenv("OIDC_ISSUER", issuer or provider.issuer)
        client = TestClient(create_app(cases_url=cases_service.url, followup_url=followup_service.url),
                            follow_redirects=False)
        started.append(client)
        client.__enter__()
        return client

    yield make
    for thing in reversed(started):
        thing.__exit__(None, None, None)


# --- OpenID Connect: what is refused -------------------------------------------------------

def test_an_answer_whose_state_belongs_to_another_browser_logs_no_one_in(frontend, cases_service, followup_service):
    with TestClient(create_app(cases_url=cases_service.url, followup_url=followup_service.url),
                    follow_redirects=False) as attacker:
        callback = _callback_for(_authorize_url(attacker), "rolf.ek")
    _authorize_url(frontend)  # the victim has a login of their own under way

    response = frontend.get(callback)

    assert response.status_code == 400 and NOT_COMPLETED in response.text
    assert not _logged_in(frontend)


def test_an_answer_without_any_login_under_way_is_refused(frontend):
    response = frontend.get("/auth/callback", params={"code": "abc", "state": "made-up"})

    assert response.status_code == 400 and NOT_COMPLETED in response.text
    assert not _logged_in(frontend)


def test_the_same_answer_cannot_log_in_twice(frontend):
    callback = _callback_for(_authorize_url(frontend), "rolf.ek")
    assert frontend.get(callback).status_code == 303
    frontend.post("/logout", headers={CSRF_HEADER: _token(frontend)})

    replayed = frontend.get(callback)

    assert replayed.status_code == 400 and not _logged_in(frontend)


class NonceOfAnotherLogin(Provider):
    def claims_for(self, grant):
        return {**super().claims_for(grant), "nonce": "a-nonce-of-another-login"}


class AnotherIssuerInTheToken(Provider):
    def claims_for(self, grant):
        return {**super().claims_for(grant), "iss": "https://idp.other-municipality.example"}


class TokenForAnotherClient(Provider):
    def claims_for(self, grant):
        return {**super().claims_for(grant), "aud": "another-client", "azp": "another-client"}


class ExpiredToken(Provider):
    def claims_for(self, grant):
        claims = super().claims_for(grant)
        return {**claims, "iat": claims["iat"] - 3600, "exp": claims["iat"] - 1800}


class SignedWithAKeyNotPublished(Provider):
    """The JWKS publishes one key; the token is signed with another (a forger's)."""
    forger = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)

    def id_token(self, grant):
        from joserfc import jwt
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, self.claims_for(grant), self.forger)


@pytest.mark.parametrize("provider_cls", [
    NonceOfAnotherLogin, AnotherIssuerInTheToken, TokenForAnotherClient, ExpiredToken, SignedWithAKeyNotPublished,
], ids=["nonce-mismatch", "wrong-issuer", "wrong-audience", "expired", "forged-signature"])
def test_an_id_token_that_cannot_be_trusted_logs_no_one_in(frontend_with, provider_cls):
    port = free_port()
    client = frontend_with(provider_at(port, provider_cls), port)

    response = client.get(_callback_for(_authorize_url(client), "rolf.ek"))

    assert response.status_code == 400 and NOT_COMPLETED in response.text
    assert not _logged_in(client)


def test_a_provider_whose_discovery_names_another_issuer_is_not_used(frontend_with):
    port = free_port()
    client = frontend_with(provider_at(port, issuer="https://idp.other-municipality.example"), port,
                           issuer=f"http://127.0.0.1:{port}")

    response = client.get("/login")

    assert response.status_code == 502 and "fel utfärdare" in response.text
    assert "location" not in response.headers


def test_when_the_provider_does_not_answer_login_says_so_in_swedish(frontend, monkeypatch, cases_service, followup_service):
    monkeypatch.setenv("OIDC_ISSUER", f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(cases_url=cases_service.url, followup_url=followup_service.url),
                    follow_redirects=False) as client:
        response = client.get("/login")

    assert response.status_code == 503 and "Inloggningstjänsten svarar inte just nu" in response.text


class OnlyWhoYouAre(Provider):  # a federated provider that knows nothing of the school
    def claims_for(self, grant):
        claims = super().claims_for(grant)
        return {key: claims[key] for key in ("iss", "sub", "aud", "azp", "iat", "exp", "nonce")}


def test_school_staff_get_their_role_and_units_from_the_directory_by_subject(
        frontend_with, monkeypatch, directory_service):
    directory_service.answer("GET", "/staff/rolf.ek", 200, {
        "user_id": "rolf.ek", "name": "Rolf Ek", "role": "rektor", "municipality": "0180",
        "school_units": ["0180-ENG"], "medical": False, "profession": ""})
    monkeypatch.setenv("OIDC_IDENTITY_SOURCE", "directory")
    port = free_port()
    client = frontend_with(provider_at(port, OnlyWhoYouAre), port)

    assert client.get(_callback_for(_authorize_url(client), "rolf.ek")).status_code == 303
    page = client.get("/").text
    assert "Rolf Ek, rektor" in page and "Uppföljning" in page
    asked = next(r for r in directory_service.received if r.path == "/staff/rolf.ek")
    assert "X-Stodspar-Identity" in asked.headers  # a signed identity (the login job's), as every call


def test_people_the_register_does_not_carry_come_from_the_seed_file(frontend_with, monkeypatch, directory_service):
    monkeypatch.setenv("OIDC_IDENTITY_SOURCE", "directory")
    port = free_port()
    client = frontend_with(provider_at(port, OnlyWhoYouAre), port)

    assert client.get(_callback_for(_authorize_url(client), "birgitta.sund")).status_code == 303
    assert "Birgitta Sund, BUS-sekretariatet" in client.get("/").text
    assert not [r for r in directory_service.received if r.path.startswith("/staff/")]


def test_someone_the_directory_does_not_know_is_not_logged_in(frontend_with, monkeypatch, directory_service):
    monkeypatch.setenv("OIDC_IDENTITY_SOURCE", "directory")  # the stub answers 404 for /staff/anna.lind
    port = free_port()
    client = frontend_with(provider_at(port, OnlyWhoYouAre), port)

    response = client.get(_callback_for(_authorize_url(client), "anna.lind"))

    assert response.status_code == 403 and "finns inte i Stödspårs organisationskatalog" in response.text
    assert not _logged_in(client)


def test_a_directory_that_does_not_answer_at_login_is_said_plainly(frontend_with, monkeypatch, directory_service):
    directory_service.answer("GET", "/staff/anna.lind", 503, {"message": "nere"})
    monkeypatch.setenv("OIDC_IDENTITY_SOURCE", "directory")
    port = free_port()
    client = frontend_with(provider_at(port, OnlyWhoYouAre), port)

    response = client.get(_callback_for(_authorize_url(client), "anna.lind"))

    assert response.status_code == 503 and "Organisationskatalogen svarar inte just nu" in response.text
    assert not _logged_in(client)


def test_token_claims_without_a_role_log_no_one_in(frontend_with):
    class NoRole(Provider):
        def claims_for(self, grant):
            claims = super().claims_for(grant)
            claims.pop("role")
            return claims

    port = free_port()
    client = frontend_with(provider_at(port, NoRole), port)

    response = client.get(_callback_for(_authorize_url(client), "rolf.ek"))

    assert response.status_code == 403 and "roll och kommun" in response.text
    assert not _logged_in(client)


# --- Sessions ------------------------------------------------------------------------------

def test_login_rotates_the_session_and_its_csrf_token(frontend):
    log_in(frontend, "anna.lind")
    first_cookie, first_token = frontend.cookies.get("stodspar_session"), frontend.headers[CSRF_HEADER]

    log_in(frontend, "rolf.ek")

    assert frontend.cookies.get("stodspar_session") != first_cookie
    assert frontend.headers[CSRF_HEADER] != first_token
    assert "Rolf Ek" in frontend.get("/").text


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_a_session_idle_for_longer_than_the_idle_timeout_ends(frontend, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(security, "time", clock)
    log_in(frontend, "anna.lind")

    clock.now += 29 * 60
    assert _logged_in(frontend)  # activity keeps it alive
    clock.now += 29 * 60
    assert _logged_in(frontend)
    clock.now += 31 * 60

    assert frontend.get("/arenden/nytt").headers["location"] == "/login?next=%2Farenden%2Fnytt"


def test_an_active_session_still_ends_after_a_school_day(frontend, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(security, "time", clock)
    log_in(frontend, "anna.lind")

    for _ in range(17):  # every 25 minutes for 7 hours 5 minutes
        clock.now += 25 * 60
        assert _logged_in(frontend)
    clock.now += 60 * 60  # 8 h 5 min after login

    assert not _logged_in(frontend)


# --- CSRF ----------------------------------------------------------------------------------

def _token(client) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text).group(1)


def test_a_form_posted_without_the_csrf_token_is_refused_in_swedish_and_nothing_is_stored(frontend, cases_service):
    log_in(frontend, "anna.lind")
    del frontend.headers[CSRF_HEADER]

    response = frontend.post("/arenden", data=CASE)

    assert response.status_code == 403
    assert "Formuläret godtogs inte" in response.text and "inget sparades" in response.text
    assert cases_service.received == []


def test_a_csrf_token_of_another_session_is_refused(frontend, cases_service, followup_service):
    with TestClient(create_app(cases_url=cases_service.url, followup_url=followup_service.url),
                    follow_redirects=False) as attacker:
        log_in(attacker, "anna.lind")
        foreign = attacker.headers[CSRF_HEADER]
    log_in(frontend, "anna.lind")
    del frontend.headers[CSRF_HEADER]

    as_field = frontend.post("/arenden", data={**CASE, "csrf_token": foreign})
    as_header = frontend.post("/arenden", data=CASE, headers={**HTMX, CSRF_HEADER: foreign})

    assert as_field.status_code == 403 and as_header.status_code == 403
    assert cases_service.received == []


def test_the_token_is_accepted_from_the_hidden_field_as_from_the_htmx_header(frontend, cases_service, directory_service):
    cases_service.answer("POST", "/cases", 201, {"case_id": "6f1b2c3d-0000-4000-8000-000000000001"})
    directory_service.answer("GET", "/pupils", 200, {"pupils": [
        {"pupil_id": CASE["pupil_id"], "name": "Elsa Exempel", "class_name": "4A", "school_unit": "0180-ENG",
         "birth_date": "2016-03-15", "protected": False}]})
    log_in(frontend, "anna.lind")
    token = frontend.headers.pop(CSRF_HEADER)
    form = frontend.get("/arenden/nytt", params={"q": "elsa"}).text
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in form

    by_field = frontend.post("/arenden", data={**CASE, "csrf_token": token})
    by_header = frontend.post("/arenden", data=CASE, headers={CSRF_HEADER: token})

    assert by_field.status_code == 303 and by_header.status_code == 303
    assert len([r for r in cases_service.received if r.method == "POST"]) == 2


def test_logout_needs_the_token_too(frontend):
    log_in(frontend, "anna.lind")

    refused = frontend.post("/logout", headers={CSRF_HEADER: "forged"})

    assert refused.status_code == 403 and _logged_in(frontend)


def test_every_post_form_in_the_templates_carries_the_csrf_field():
    for template in TEMPLATES.glob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.{0,40}", template.read_text(encoding="utf-8"), re.S):
            if 'method="post"' in form or "hx-post" in form:
                assert "{{ csrf_input() }}" in form, f"{template.name}: {form[:80]}"


def test_no_template_has_inline_script_style_or_event_handlers():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), template.name
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|hx-on|javascript:", text), template.name


# --- Headers -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/login", "/utloggad", "/static/stodspar.css", "/finns-inte"])
def test_every_response_carries_the_security_headers(frontend, path):
    log_in(frontend, "anna.lind")

    headers = frontend.get(path).headers

    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["form-action"].split() == ["'self'", os.environ["OIDC_ISSUER"]]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain http in the tests


def test_behind_tls_the_cookie_is_secure_and_hsts_is_sent(monkeypatch, cases_service, followup_service):
    monkeypatch.setenv("FRONTEND_BEHIND_TLS", "true")
    with TestClient(create_app(cases_url=cases_service.url, followup_url=followup_service.url),
                    base_url="https://testserver", follow_redirects=False) as client:
        response = client.get("/login")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_csrf_token_is_sent_by_htmx_from_the_body_and_htmx_injects_no_styles(frontend):
    log_in(frontend, "anna.lind")

    page = frontend.get("/").text

    assert re.search(r"<body hx-headers='\{\"X-CSRF-Token\": \"[^\"]+\"\}'>", page)
    assert '"includeIndicatorStyles": false' in page
