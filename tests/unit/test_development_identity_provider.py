"""The development identity provider keeps the rules a real one keeps: registered redirect
URIs only, single-use codes, the client's secret and the PKCE verifier."""
from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet

from devidp.app import DEFAULT_ORGANISATION, Provider, create_app

CALLBACK = "http://127.0.0.1:8000/auth/callback"
VERIFIER = "a-verifier-of-enough-length-for-pkce-0123456789abcdef"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
REQUEST = {"client_id": "stodspar-frontend", "redirect_uri": CALLBACK, "response_type": "code",
           "scope": "openid profile", "state": "s1", "nonce": "n1",
           "code_challenge": CHALLENGE, "code_challenge_method": "S256"}


@pytest.fixture
def idp():
    provider = Provider(issuer="http://idp.test", client_id="stodspar-frontend", client_secret="secret",
                        redirect_uris=(CALLBACK,),
                        organisation=json.loads(DEFAULT_ORGANISATION.read_text(encoding="utf-8")))
    with TestClient(create_app(provider), base_url="http://idp.test", follow_redirects=False) as client:
        yield client


def _code(idp, user_id="rolf.ek") -> str:
    response = idp.post("/authorize", data={**REQUEST, "user_id": user_id})
    assert response.status_code == 303
    answer = urlsplit(response.headers["location"])
    assert f"{answer.scheme}://{answer.netloc}{answer.path}" == CALLBACK
    query = parse_qs(answer.query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def _exchange(idp, code, verifier=VERIFIER, secret="secret"):
    return idp.post("/token", data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                                    "code_verifier": verifier}, auth=("stodspar-frontend", secret))




def test_the_code_gives_an_id_token_signed_with_the_published_key(idp):
    discovery = idp.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "http://idp.test" and discovery["code_challenge_methods_supported"] == ["S256"]

    token = _exchange(idp, _code(idp)).json()

    keys = KeySet.import_key_set(idp.get("/jwks").json())
    claims = jwt.decode(token["id_token"], keys).claims
    assert claims["iss"] == "http://idp.test" and claims["aud"] == "stodspar-frontend" and claims["nonce"] == "n1"
    assert (claims["sub"], claims["name"], claims["role"], claims["municipality"], claims["school_units"]) == (
        "rolf.ek", "Rolf Ek", "rektor", "0180", ["0180-ENG"])


def test_a_code_is_used_once(idp):
    code = _code(idp)
    assert _exchange(idp, code).status_code == 200

    assert _exchange(idp, code).json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_or_client_secret_gets_no_token(idp):
    assert _exchange(idp, _code(idp), verifier="another-verifier-0123456789-0123456789-0123456789").json()["error"] == "invalid_grant"
    assert _exchange(idp, _code(idp), secret="guess").status_code == 401


@pytest.mark.parametrize("change", [
    {"redirect_uri": "https://evil.example/auth/callback"},
    {"client_id": "someone-else"},
    {"code_challenge": ""},
    {"scope": "profile"},
], ids=["unregistered-redirect", "unknown-client", "no-pkce", "not-openid"])
def test_a_bad_authorization_request_is_answered_on_the_page_never_redirected(idp, change):
    response = idp.get("/authorize", params={**REQUEST, **change})

    assert response.status_code == 400 and "Inloggningen kan inte fortsätta" in response.text
    assert "location" not in response.headers


def test_the_login_page_has_one_button_per_seeded_user_and_a_strict_csp(idp):
    organisation = json.loads(DEFAULT_ORGANISATION.read_text(encoding="utf-8"))

    response = idp.get("/authorize", params=REQUEST)

    assert response.status_code == 200
    for user in organisation["users"]:
        assert response.text.count(f'name="user_id" value="{user["user_id"]}"') == 1
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_the_login_page_lists_the_registers_staff_by_school_unit_with_swedish_role_names(idp):
    page = idp.get("/authorize", params=REQUEST).text

    engelbrekt = page[page.index("<h3>Engelbrektsskolan</h3>"):page.index("<h3>Katarina Södra skola</h3>")]
    for name, role in (("Rolf Ek", "Rektor"), ("Anna Lind", "Lärare"), ("Eva Nord", "Skolsköterska"),
                       ("Tomas Åhl", "Kurator"), ("Sara Berg", "Specialpedagog · även Katarina Södra skola")):
        assert f'<span class="person__name">{name}</span>\n          <span class="person__detail">{role}</span>' in engelbrekt
    assert engelbrekt.index("Rolf Ek") < engelbrekt.index("Anna Lind")  # rektor first
    assert engelbrekt.count('class="person"') > 15  # the register's generated teachers and pupil-health staff too
    assert "Studie- och yrkesvägledare" not in page and "teacher" not in page  # no role Stödspår lacks, no codes
    assert "<h3>Kommunadministratör</h3>" in page and "Birgitta Sund" in page  # the seed file's others


def test_the_registers_staff_get_the_same_claims_as_before_from_their_duties(idp):
    def claims(user_id):
        token = _exchange(idp, _code(idp, user_id)).json()
        return jwt.decode(token["id_token"], KeySet.import_key_set(idp.get("/jwks").json())).claims

    nurse = claims("eva.nord")
    assert (nurse["name"], nurse["role"], nurse["municipality"], nurse["school_units"], nurse["medical"]) == (
        "Eva Nord", "eht_member", "0180", ["0180-ENG"], True)
    assert claims("sara.berg")["school_units"] == ["0180-ENG", "0180-KAT"]
    assert (claims("lars.moberg")["role"], claims("birgitta.sund")["municipality"]) == ("municipality_admin", "00")
    generated = idp.app.state.provider.login_groups()[0]["units"][1][1][-1][0]  # someone at Katarina Södra skola
    assert claims(generated["user_id"])["school_units"] == ["0180-KAT"]
