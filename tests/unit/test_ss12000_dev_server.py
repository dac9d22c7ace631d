"""The development SS 12000 server serves what a municipality's register would: answers shaped
as Skolverket's reference OpenAPI says (tests/data/ss12000), only to a client with a token, and
a seed a teacher would recognise: her school's pupils with guardians and classes, the seeded
staff with their duties, a few protected pupils, valid personnummer."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from ss12000.models import Person, valid_personnummer
from ss12000dev.app import DEFAULT_ORGANISATION, Store, create_app
from ss12000dev.seed import SCHOOL_STAFF, build

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ss12000" / "reference-schemas.json"
PUPILS_PER_UNIT = 300
SCHOOL_UNITS = ("0180-ENG", "0180-KAT", "0184-TAL", "0126-SKO")


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` is JSON Schema's type [.., "null"]."""
    if isinstance(node, dict):
        node = {k: _json_schema(v) for k, v in node.items() if k != "example"}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    return node


@lru_cache
def validator(name: str) -> Draft202012Validator:
    components = _json_schema(json.loads(REFERENCE.read_text(encoding="utf-8"))["components"])
    return Draft202012Validator({"components": components, "$ref": f"#/components/schemas/{name}"},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache
def register():
    return build(DEFAULT_ORGANISATION, PUPILS_PER_UNIT)


@pytest.fixture(scope="module")
def api():
    with TestClient(create_app(Store.seeded(DEFAULT_ORGANISATION, PUPILS_PER_UNIT),
                               client_id="directory", client_secret="secret")) as client:
        token = client.post("/token", data={"grant_type": "client_credentials"},
                            auth=("directory", "secret")).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def everything(api, path: str, schema: str, key: str = "data") -> list[dict]:
    records, params = [], {"limit": 250}
    while True:
        body = api.get(path, params=params).json()
        errors = [e.message for e in validator(schema).iter_errors(body)]
        assert errors == [], errors[:3]
        records.extend(body[key])
        if not body["pageToken"]:
            return records
        params = {"pageToken": body["pageToken"]}


def test_every_list_answer_validates_against_the_reference_schemas(api):
    assert len(everything(api, "/organisations", "Organisations", "organisations")) == 7
    assert len(everything(api, "/persons", "Persons")) == len(register().persons)
    assert len(everything(api, "/groups", "Groups")) == len(register().groups)
    assert len(everything(api, "/duties", "Duties")) == len(register().duties)
    body = api.get("/deletedEntities", params={"after": "2026-01-01T00:00:00Z"}).json()
    assert list(validator("DeletedEntities").iter_errors(body)) == []
    assert list(validator("Error").iter_errors(
        api.get("/persons", params={"pageToken": "x", "meta.modified.after": "2026-01-01T00:00:00Z"}).json())) == []


def test_only_a_client_with_a_token_reads_the_register(api):
    assert api.get("/persons", headers={"Authorization": "Bearer guessed"}).status_code == 401
    assert api.post("/token", data={"grant_type": "client_credentials"},
                    auth=("directory", "wrong")).status_code == 401
    assert api.post("/token", data={"grant_type": "client_credentials", "client_id": "directory",
                                    "client_secret": "secret"}).status_code == 200


def test_each_school_unit_has_hundreds_of_pupils_with_guardians_and_a_class():
    seeded = register()
    units = {o["id"]: o["schoolUnitCode"] for o in seeded.organisations if o["organisationType"] == "Skolenhet"}
    people = {p["id"]: p for p in seeded.persons}
    pupils = [p for p in seeded.persons if p.get("enrolments")]
    assert Counter(units[p["enrolments"][0]["enroledAt"]["id"]] for p in pupils) == {
        code: PUPILS_PER_UNIT for code in SCHOOL_UNITS}
    in_class = {m["person"]["id"] for g in seeded.groups if g["groupType"] == "Klass" for m in g["groupMemberships"]}
    for pupil in pupils:
        assert 1 <= len(pupil["responsibles"]) <= 2
        assert all(r["person"]["id"] in people for r in pupil["responsibles"])
        assert pupil["id"] in in_class
        assert 2008 <= int(pupil["civicNo"]["value"][:4]) <= 2020
    assert all(len(g["groupMemberships"]) <= 25 for g in seeded.groups)


def test_personnummer_are_valid_unique_and_every_record_reads_with_our_models():
    numbers = [p["civicNo"]["value"] for p in register().persons]
    assert len(set(numbers)) == len(numbers)
    assert all(valid_personnummer(n) for n in numbers)
    assert all(Person.model_validate(p) for p in register().persons)
    given = Counter(p["givenName"] for p in register().persons)
    assert len(given) > 60 and given.most_common(1)[0][1] < len(numbers) / 20   # varied names


def test_each_school_unit_has_protected_pupils_of_both_kinds():
    seeded = register()
    marked = Counter((p["enrolments"][0]["enroledAt"]["displayName"], p["securityMarking"])
                     for p in seeded.persons if p.get("enrolments") and p["securityMarking"] != "Ingen")
    for unit in ("Engelbrektsskolan", "Katarina Södra skola", "Tallbackaskolan", "Skogås skola"):
        assert marked[(unit, "Skyddad folkbokföring")] >= 1
        assert marked[(unit, "Sekretessmarkering")] >= 1


def test_the_seeded_staff_are_in_the_register_with_their_duties():
    seeded = register()
    by_user = {p["externalIdentifiers"][0]["value"]: p for p in seeded.persons if p.get("externalIdentifiers")}
    units = {o["id"]: o["schoolUnitCode"] for o in seeded.organisations}
    duties = Counter((d["person"]["id"], units[d["dutyAt"]["id"]], d["dutyRole"]) for d in seeded.duties)
    expected = {"anna.lind": ("0180-ENG", "Lärare"), "sara.berg": ("0180-KAT", "Speciallärare/specialpedagog"),
                "eva.nord": ("0180-ENG", "Skolsköterska"), "tomas.ahl": ("0180-ENG", "Kurator"),
                "rolf.ek": ("0180-ENG", "Rektor"), "mia.falk": ("0184-TAL", "Rektor")}
    for user_id, (unit, role) in expected.items():
        user = next(u for u in SCHOOL_STAFF if u["user_id"] == user_id)
        person = by_user[user_id]
        assert f"{person['givenName']} {person['familyName']}" == user["name"]
        assert duties[(person["id"], unit, role)] == 1
    assert "erik.sjo" not in by_user          # the region's staff are not in a school register


def test_the_seed_is_the_same_at_every_start():
    assert build(DEFAULT_ORGANISATION, 20) == build(DEFAULT_ORGANISATION, 20)


def test_a_modified_filter_and_a_deletion_are_served():
    store = Store.seeded(DEFAULT_ORGANISATION, 10)
    with TestClient(create_app(store, client_id="c", client_secret="s")) as api:
        api.headers["Authorization"] = "Bearer " + api.post(
            "/token", data={"grant_type": "client_credentials"}, auth=("c", "s")).json()["access_token"]
        since = dt.datetime.now(dt.timezone.utc).isoformat()
        pupil = next(p for p in store.records["persons"].values() if p.get("enrolments"))
        store.change("persons", pupil["id"], familyName="Ny")
        group = next(iter(store.records["groups"]))
        store.delete("groups", group)
        changed = api.get("/persons", params={"meta.modified.after": since}).json()["data"]
        deleted = api.get("/deletedEntities", params={"after": since, "entities": ["Group"]}).json()["data"]
    assert [p["familyName"] for p in changed] == ["Ny"]
    assert deleted == {"groups": [group]}


def test_the_reference_schemas_would_catch_a_record_the_standard_refuses():
    good = register().persons[0]
    broken = [{k: v for k, v in good.items() if k != "civicNo"}, {**good, "securityMarking": "Hemlig"},
              {**good, "id": "not-a-uuid"}]
    for person in broken:
        assert list(validator("Persons").iter_errors({"data": [person], "pageToken": None})) != []
