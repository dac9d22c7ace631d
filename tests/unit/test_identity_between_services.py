"""The signed identity between the frontend and the services (#11: strict service identity):
who it is for, who sent it, how long it lives and that it changes data once; and the 401
every service gives otherwise."""
from __future__ import annotations

import os

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

os.environ.setdefault("IDENTITY_SIGNING_KEY", "unit-tests")

from eventkit import identity as identity_module  # noqa: E402
from eventkit.http import current_identity, install_error_handlers  # noqa: E402
from eventkit.identity import CALLERS, HEADER, MAX_AGE_SECONDS, Identity, IdentityRejected, Role, sign, verify  # noqa: E402

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


def _service(audience: str) -> TestClient:
    app = FastAPI()
    install_error_handlers(app, audience=audience)

    @app.get("/whoami")
    def whoami(who: Identity = Depends(current_identity)) -> dict:
        return {"user": who.user_id}

    @app.post("/changes", status_code=201)
    def change(who: Identity = Depends(current_identity)) -> dict:
        return {"by": who.user_id}

    return TestClient(app)


def _handmade(claims: dict) -> str:
    """A token signed with the right key but with claims of one's own choosing (a caller that
    knows the key but not the rules)."""
    return URLSafeTimedSerializer(os.environ["IDENTITY_SIGNING_KEY"], salt="stodspar-identity").dumps(claims)


def test_the_signed_identity_names_its_audience_caller_and_its_own_id():
    token = sign(TEACHER, audience="cases", caller="frontend")
    claims = URLSafeTimedSerializer(os.environ["IDENTITY_SIGNING_KEY"], salt="stodspar-identity").loads(token)

    assert claims["aud"] == "cases" and claims["caller"] == "frontend" and len(claims["jti"]) == 32
    assert verify(token, audience="cases").identity == TEACHER
    assert sign(TEACHER, audience="cases", caller="frontend") != token  # every token has its own id


def test_an_identity_lives_at_most_a_minute():
    assert MAX_AGE_SECONDS <= 60


def test_an_identity_for_another_service_is_refused():
    with pytest.raises(IdentityRejected, match="annan tjänst"):
        verify(sign(TEACHER, audience="cases", caller="frontend"), audience="deviations")


def test_a_caller_that_may_not_call_the_service_is_refused():
    assert "deviations" not in CALLERS["competence"]
    with pytest.raises(IdentityRejected, match="får inte anropa"):
        verify(sign(TEACHER, audience="competence", caller="deviations"), audience="competence")


def test_a_service_accepts_an_identity_signed_for_it():
    response = _service("cases").get("/whoami", headers={HEADER: sign(TEACHER, audience="cases", caller="frontend")})

    assert response.status_code == 200 and response.json() == {"user": "anna.lind"}


@pytest.mark.parametrize("header", [
    None,
    "",
    "not-a-token",
    URLSafeTimedSerializer("another-key", salt="stodspar-identity").dumps(TEACHER.to_claims()),
    sign(TEACHER, audience="deviations", caller="frontend"),
    _handmade({**TEACHER.to_claims(), "caller": "frontend", "jti": "x" * 32}),
    _handmade({**TEACHER.to_claims(), "aud": None, "caller": "frontend", "jti": "x" * 32}),
    _handmade({**TEACHER.to_claims(), "aud": "cases", "jti": "x" * 32}),
    _handmade({**TEACHER.to_claims(), "aud": "cases", "caller": "someone", "jti": "x" * 32}),
    _handmade({**TEACHER.to_claims(), "aud": "cases", "caller": "frontend"}),
], ids=["missing", "empty", "garbage", "forged", "for-another-service", "no-audience", "audience-null", "no-caller",
        "unknown-caller", "no-id"])
def test_a_service_refuses_a_missing_forged_misdirected_or_incomplete_identity_with_401(header):
    client = _service("cases")
    headers = {HEADER: header} if header is not None else {}

    for response in (client.get("/whoami", headers=headers), client.post("/changes", headers=headers)):
        assert response.status_code == 401
        assert response.json()["error"] == "http" and response.json()["message"]


def test_a_service_refuses_an_expired_identity_with_401(monkeypatch):
    token = sign(TEACHER, audience="cases", caller="frontend")
    monkeypatch.setattr(identity_module, "MAX_AGE_SECONDS", -1)

    response = _service("cases").get("/whoami", headers={HEADER: token})

    assert response.status_code == 401 and "gått ut" in response.json()["message"]


def test_an_identity_that_changed_data_once_is_refused_the_second_time():
    client = _service("cases")
    header = {HEADER: sign(TEACHER, audience="cases", caller="frontend")}

    assert client.post("/changes", headers=header).status_code == 201
    replayed = client.post("/changes", headers=header)
    assert replayed.status_code == 401 and "redan använts" in replayed.json()["message"]
    # Reading with it again is harmless and allowed; a fresh token changes data again.
    assert client.get("/whoami", headers=header).status_code == 200
    assert client.post("/changes", headers={HEADER: sign(TEACHER, audience="cases", caller="frontend")}).status_code == 201
