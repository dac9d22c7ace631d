"""The platform kit's pure parts: identity signatures and contract compatibility."""
import pytest

from eventkit.contracts import compatibility_problems
from eventkit.identity import Identity, IdentityRejected, Role, sign, verify

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


def test_a_signed_identity_comes_back_unchanged():
    assert verify(sign(TEACHER, audience="cases", caller="frontend"), audience="cases").identity == TEACHER


def test_an_edited_identity_is_rejected():
    token = sign(TEACHER, audience="cases", caller="frontend")
    with pytest.raises(IdentityRejected):
        verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), audience="cases")


def test_a_missing_identity_is_rejected():
    with pytest.raises(IdentityRejected):
        verify(None, audience="cases")


BASE = {
    "x-schema-version": "1.0",
    "required": ["case_id"],
    "properties": {"case_id": {"type": "string"}},
}


def test_adding_an_optional_field_with_a_new_minor_version_is_compatible():
    new = {**BASE, "x-schema-version": "1.1", "properties": {**BASE["properties"], "note": {"type": "string"}}}
    assert compatibility_problems(BASE, new) == []


def test_adding_a_field_without_a_new_minor_version_is_not():
    new = {**BASE, "properties": {**BASE["properties"], "note": {"type": "string"}}}
    assert compatibility_problems(BASE, new)


def test_a_new_required_field_is_not_compatible():
    new = {**BASE, "x-schema-version": "1.1", "required": ["case_id", "note"],
           "properties": {**BASE["properties"], "note": {"type": "string"}}}
    assert "required fields changed" in compatibility_problems(BASE, new)


def test_removing_or_retyping_a_field_is_not_compatible():
    assert compatibility_problems(BASE, {**BASE, "x-schema-version": "1.1", "properties": {}})
    assert compatibility_problems(BASE, {**BASE, "x-schema-version": "1.1", "properties": {"case_id": {"type": "integer"}}})


def test_a_new_major_version_may_change_anything():
    assert compatibility_problems(BASE, {"x-schema-version": "2.0", "required": [], "properties": {}}) == []


ENUMERATED = {
    "x-schema-version": "1.0",
    "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "enum": ["school", "region"]},
        "organisations": {"type": "array", "items": {"type": "object", "properties": {"side": {"enum": ["a", "b"]}}}},
    },
}


def _with(kind=None, side=None, version="1.0"):
    props = ENUMERATED["properties"]
    return {
        **ENUMERATED, "x-schema-version": version,
        "properties": {
            "kind": {**props["kind"], "enum": kind or props["kind"]["enum"]},
            "organisations": {**props["organisations"], "items": {"type": "object", "properties": {"side": {"enum": side or ["a", "b"]}}}},
        },
    }


def test_removing_a_value_from_an_enum_is_not_compatible_even_with_a_new_minor_version():
    assert compatibility_problems(ENUMERATED, _with(kind=["school"], version="1.1")) == ["enum /properties/kind/enum lost ['region']"]
    assert compatibility_problems(ENUMERATED, _with(side=["b"], version="1.1"))  # nested, too


def test_dropping_an_enum_is_not_compatible():
    dropped = _with(version="1.1")
    del dropped["properties"]["kind"]["enum"]
    assert compatibility_problems(ENUMERATED, dropped) == ["enum /properties/kind/enum was removed"]


def test_adding_a_value_to_an_enum_needs_a_new_minor_version():
    assert compatibility_problems(ENUMERATED, _with(side=["a", "b", "c"]))
    assert compatibility_problems(ENUMERATED, _with(side=["a", "b", "c"], version="1.1")) == []
    assert compatibility_problems(ENUMERATED, _with(kind=["region", "school"])) == []  # order is not meaning


def test_an_api_answers_its_own_errors_from_one_table_in_its_own_words():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from eventkit.http import answer_errors, conflict, not_found, unavailable
    from eventkit.store import VersionConflict

    class NoSuchThing(Exception):
        pass

    class Away(Exception):
        pass

    app = FastAPI()
    answer_errors(app, {
        NoSuchThing: not_found("Saken finns inte."),
        VersionConflict: conflict("Någon annan sparade först."),
        Away: lambda exc: unavailable(f"Borta: {exc}"),
    })
    raising = {"missing": NoSuchThing(), "stale": VersionConflict(), "away": Away("registret")}

    @app.get("/{what}")
    def fail(what: str):
        raise raising[what]

    client = TestClient(app)
    missing, stale, away = (client.get(f"/{what}") for what in ("missing", "stale", "away"))
    assert (missing.status_code, missing.json()) == (404, {"error": "not_found", "message": "Saken finns inte."})
    assert (stale.status_code, stale.json()["message"]) == (409, "Någon annan sparade först.")
    assert away.status_code == 503 and away.json()["message"] == "Borta: registret" and away.headers["Retry-After"]
