"""The signed identity between the frontend and the services: who it is for and who sent it,
and the 401 every service gives for a missing, forged, expired or misdirected identity."""
from __future__ import annotations

import os

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

os.environ.setdefault("IDENTITY_SIGNING_KEY", "unit-tests")

from eventkit import identity as identity_module  # noqa: E402
from eventkit.http import current_identity, install_error_handlers  # noqa: E402
from eventkit.identity import HEADER, Identity, IdentityRejected, Role, sign, verify  # noqa: E402

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


def _service(audience: str) -> TestClient:
    app = FastAPI()
    install_error_handlers(app, audience=audience)

    @app.get("/whoami")
    def whoami(who: Identity = Depends(current_identity)) -> dict:
        return {"user": who.user_id}

    return TestClient(app)


def test_the_signed_identity_names_its_audience_and_caller():
    token = sign(TEACHER, audience="cases", caller="frontend")
    claims = URLSafeTimedSerializer(os.environ["IDENTITY_SIGNING_KEY"], salt="stodspar-identity").loads(token)

    assert claims["aud"] == "cases" and claims["caller"] == "frontend"
    assert verify(token, audience="cases") == TEACHER
    assert verify(token) == TEACHER  # callers that name no audience keep working


def test_an_identity_for_another_service_is_refused():
    with pytest.raises(IdentityRejected, match="annan tjänst"):
        verify(sign(TEACHER, audience="cases"), audience="deviations")


def test_a_service_accepts_an_identity_signed_for_it():
    response = _service("cases").get("/whoami", headers={HEADER: sign(TEACHER, audience="cases", caller="frontend")})

    assert response.status_code == 200 and response.json() == {"user": "anna.lind"}


@pytest.mark.parametrize("header", [
    None,
    "",
    "not-a-token",
    URLSafeTimedSerializer("another-key", salt="stodspar-identity").dumps(TEACHER.to_claims()),
    sign(TEACHER, audience="deviations"),
], ids=["missing", "empty", "garbage", "forged", "for-another-service"])
def test_a_service_refuses_a_missing_forged_or_misdirected_identity_with_401(header):
    response = _service("cases").get("/whoami", headers={HEADER: header} if header is not None else {})

    assert response.status_code == 401
    assert response.json()["error"] == "http" and response.json()["message"]


def test_a_service_refuses_an_expired_identity_with_401(monkeypatch):
    token = sign(TEACHER, audience="cases")
    monkeypatch.setattr(identity_module, "MAX_AGE_SECONDS", -1)

    response = _service("cases").get("/whoami", headers={HEADER: token})

    assert response.status_code == 401 and "gått ut" in response.json()["message"]
