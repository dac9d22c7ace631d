"""The directory service against the real stack: the development SS 12000 register, the
directory's API and sync, PostgreSQL, its relay and Kafka. The register is moved through the
development server's test hooks (/dev/*), as a municipality's register would move."""
from __future__ import annotations

import os
import uuid

import httpx
import pytest

from eventkit.config import topic
from eventkit.identity import HEADER, Role, sign
from tests.conftest import OTHER_REKTOR, REKTOR, SOLNA_TEACHER, TEACHER, identity
from tests.support.infrastructure import decoded, end_of, messages_after, query
from tests.support.pupils import luhn_digit

pytestmark = pytest.mark.integration
TOPIC = topic("stodspar.directory.v1")
ADMIN = identity("maria.admin", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")
ENG = "0180-ENG"


# -- the development register --------------------------------------------------------------------
def register(stack, path: str, body: dict | None = None, params: dict | None = None) -> httpx.Response:
    token = httpx.post(f"{stack.ss12000_url}/token", data={"grant_type": "client_credentials"},
                       auth=(os.environ["SS12000_CLIENT_ID"], os.environ["SS12000_CLIENT_SECRET"])).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    if body is None:
        return httpx.get(f"{stack.ss12000_url}{path}", headers=headers, params=params)
    return httpx.post(f"{stack.ss12000_url}{path}", headers=headers, json=body)


def register_records(stack, resource: str) -> list[dict]:
    found, token = [], None
    while True:
        answer = register(stack, f"/{resource}", params={"pageToken": token} if token else {"limit": 1000}).json()
        found += answer.get("data", answer.get(resource, []))
        token = answer.get("pageToken")
        if not token:
            return found


def unit_id(stack, code: str) -> str:
    return next(o["id"] for o in register_records(stack, "organisations") if o["schoolUnitCode"] == code)


def register_pupils(stack, code: str = ENG) -> list[dict]:
    unit = unit_id(stack, code)
    return [p for p in register_records(stack, "persons")
            if any(e["enroledAt"]["id"] == unit for e in p.get("enrolments", []))]


# -- the directory -----------------------------------------------------------------------------------
def get(stack, who, path: str, caller: str = "frontend", **params) -> httpx.Response:
    return httpx.get(f"{stack.directory_url}{path}", params=params,
                     headers={HEADER: sign(who, audience="directory", caller=caller)})


def post(stack, who, path: str, body: dict, caller: str = "frontend") -> httpx.Response:
    return httpx.post(f"{stack.directory_url}{path}", json=body, timeout=120,
                      headers={HEADER: sign(who, audience="directory", caller=caller)})


def sync(stack, full: bool = False) -> dict:
    answer = post(stack, ADMIN, "/sync", {"full": full})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def directory(stack):
    """The stack (which is up once the directory's first sync is done)."""
    return stack


def search(stack, who, q: str, **params) -> list[dict]:
    answer = get(stack, who, "/pupils", q=q, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()["pupils"]


def number(born: str, serial: str) -> str:
    nine = born[2:] + serial
    return f"{born}{serial}{luhn_digit(nine)}"


def fresh_number(born: str = "20140512") -> str:
    serial = f"{uuid.uuid4().int % 900 + 100:03d}"
    return number(born, serial)


# -- search and reading in scope (R14) -------------------------------------------------------------------
def test_a_teacher_finds_pupils_of_her_unit_by_name_class_and_personnummer(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    found = search(directory, TEACHER, pupil["givenName"][:3].lower())
    assert found and all(h["school_unit"] == ENG and not h["protected"] for h in found)
    by_number = search(directory, TEACHER, pupil["civicNo"]["value"][2:8] + "-" + pupil["civicNo"]["value"][8:])
    assert [h["name"] for h in by_number] == [f"{pupil['givenName']} {pupil['familyName']}"]
    hit = by_number[0]
    assert hit["birth_date"] == f"{pupil['civicNo']['value'][:4]}-{pupil['civicNo']['value'][4:6]}-{pupil['civicNo']['value'][6:8]}"
    assert hit["class_name"] and search(directory, TEACHER, hit["class_name"])
    assert get(directory, TEACHER, "/pupils", q="").status_code == 422
    details = get(directory, TEACHER, f"/pupils/{hit['pupil_id']}").json()
    assert details["personal_number"] == pupil["civicNo"]["value"] and details["guardians"]
    assert all(g["name"] for g in details["guardians"])
    logged = query("DIRECTORY_DB", "SELECT count(*) FROM access_log WHERE pupil_ref = %s AND user_id = %s",
                   (hit["pupil_id"], TEACHER.user_id))[0][0]
    assert logged >= 2  # the search's hit and the read (R15)


def test_a_directory_started_again_on_its_synced_database_finds_the_same_pupils(directory):
    """The pupil search is an index in the process's memory, built at start from the person
    table and the key store, a municipality's pupils at a time (the stack's directory built it
    on an empty database and the sync filled it): a process started again on what was synced
    builds it from the tables, and finds every pupil, the protected ones for rektor only (R14)."""
    from directory.application import DirectoryApplication

    started_again = DirectoryApplication()
    pupils = register_pupils(directory)
    for pupil in (next(p for p in pupils if p["securityMarking"] == "Ingen"), pupils[-1]):
        digits = pupil["civicNo"]["value"]
        hits = started_again.search(REKTOR, digits[2:8] + "-" + digits[8:], None)
        assert [h["name"] for h in hits] == [f"{pupil['givenName']} {pupil['familyName']}"]
    protected = next(p for p in pupils if p["securityMarking"] != "Ingen")
    digits = protected["civicNo"]["value"]
    assert started_again.search(REKTOR, digits[2:8] + "-" + digits[8:], None)
    assert started_again.search(TEACHER, digits[2:8] + "-" + digits[8:], None) == []
    listed = get(directory, TEACHER, "/pupils", school_unit=ENG)
    assert listed.status_code == 200, listed.text
    assert started_again.pupils(TEACHER, ENG)["total"] == listed.json()["total"] > 0


def test_r14_a_protected_pupil_is_found_and_read_by_rektor_only(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] != "Ingen")
    pnr = pupil["civicNo"]["value"]
    assert search(directory, TEACHER, pnr) == []
    [hit] = search(directory, REKTOR, pnr)
    assert hit["protected"] is True
    assert get(directory, TEACHER, f"/pupils/{hit['pupil_id']}").status_code == 404
    assert get(directory, REKTOR, f"/pupils/{hit['pupil_id']}").json()["protected"] is True


def test_another_units_pupil_is_not_there(directory):
    [hit, *_] = search(directory, OTHER_REKTOR, "a")
    assert hit["school_unit"] == "0180-KAT"
    answer = get(directory, REKTOR, f"/pupils/{hit['pupil_id']}")
    assert answer.status_code == 404
    assert get(directory, REKTOR, f"/pupils/{uuid.uuid4()}").json()["message"] == answer.json()["message"]
    assert get(directory, REKTOR, "/pupils", q="a", school_unit="0180-KAT").status_code == 403


# -- Mina elever: the list of the caller's pupils (R14, R15) ------------------------------------------------
def listing(stack, who, **params) -> dict:
    answer = get(stack, who, "/pupils", **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def whole_list(stack, who, page: int = 40, **params) -> list[dict]:
    found, offset = [], 0
    while True:
        answer = listing(stack, who, limit=page, offset=offset, **params)
        found += answer["pupils"]
        offset += page
        if offset >= answer["total"]:
            assert len(found) == answer["total"]
            return found


def test_a_teacher_lists_the_pupils_placed_at_her_unit_page_by_page_in_class_order(directory):
    from directory.domain.model import person_id_for
    from directory.index import class_key, name_order

    assert sync(directory)["error"] is None
    register = register_pupils(directory)
    unprotected = {str(person_id_for("0180", p["id"])) for p in register if p["securityMarking"] == "Ingen"}
    protected = {str(person_id_for("0180", p["id"])) for p in register if p["securityMarking"] != "Ingen"}

    first = listing(directory, TEACHER)
    assert len(first["pupils"]) == min(100, first["total"])  # 100 a page unless asked
    pupils = whole_list(directory, TEACHER)
    ids = [p["pupil_id"] for p in pupils]
    assert len(set(ids)) == len(ids) and ids[:100] == [p["pupil_id"] for p in first["pupils"]]
    assert unprotected <= set(ids) and not protected & set(ids)  # R14: a teacher never sees a protected pupil
    for extra in set(ids) - unprotected:  # only pupils rektor registered (another test's)
        assert get(directory, REKTOR, f"/pupils/{extra}").json()["source"] == "local"
    assert all(p["school_unit"] == ENG and not p["protected"] and "personal_number" not in p for p in pupils)
    order = [(class_key(p["class_name"]), name_order(p["name"])) for p in pupils]
    assert order == sorted(order)

    one_class = pupils[0]["class_name"]
    in_class = listing(directory, TEACHER, **{"class": one_class.lower()})
    assert in_class["pupils"] == [p for p in pupils if p["class_name"] == one_class]
    assert in_class["total"] == len(in_class["pupils"])

    logged = query("DIRECTORY_DB", "SELECT count(DISTINCT pupil_ref) FROM access_log WHERE user_id = %s"
                   " AND action = 'list' AND pupil_ref = ANY(%s)", (TEACHER.user_id, ids))[0][0]
    assert logged == len(ids)  # every listed pupil is in the access log (R15)


def test_r14_the_list_shows_protected_pupils_to_rektor_only_and_no_other_units(directory):
    teacher = {p["pupil_id"] for p in whole_list(directory, TEACHER, page=500)}
    rektor = whole_list(directory, REKTOR, page=500)
    shown_protected = {p["pupil_id"] for p in rektor if p["protected"]}
    assert shown_protected and {p["pupil_id"] for p in rektor} == teacher | shown_protected
    other = whole_list(directory, OTHER_REKTOR, page=500)
    assert other and all(p["school_unit"] == "0180-KAT" for p in other) and not teacher & {p["pupil_id"] for p in other}
    assert get(directory, TEACHER, "/pupils", school_unit="0180-KAT").status_code == 403
    assert get(directory, SOLNA_TEACHER, "/pupils").json()["total"] and not teacher & {
        p["pupil_id"] for p in whole_list(directory, SOLNA_TEACHER, page=500)}
    assert get(directory, TEACHER, "/pupils", limit=0).status_code == 422


def test_a_pupil_the_register_removed_is_not_listed(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    [hit] = search(directory, TEACHER, pupil["civicNo"]["value"])
    assert hit["pupil_id"] in {p["pupil_id"] for p in whole_list(directory, TEACHER, page=500)}
    register(directory, "/dev/delete", {"resource": "persons", "id": pupil["id"]})
    assert sync(directory)["error"] is None
    assert hit["pupil_id"] not in {p["pupil_id"] for p in whole_list(directory, TEACHER, page=500)}


# -- local registration ---------------------------------------------------------------------------------
def local(pnr: str, **overrides) -> dict:
    return {"school_unit": ENG, "personal_number": pnr, "given_name": "Tove", "family_name": "Testsson",
            "class_name": "7A", "reason": "new_pupil", **overrides}


def stored_events() -> int:
    return query("DIRECTORY_DB", "SELECT count(*) FROM directory_events")[0][0]


@pytest.mark.parametrize("pnr, field_message", [
    ("20140512-0000", "Personnumret är inte giltigt"),
    (number("19000101", "238"), "mellan 1 och 25 år"),
    (number("20300101", "238"), ""),
])
def test_a_bad_personnummer_is_refused_next_to_the_field_and_nothing_is_stored(directory, pnr, field_message):
    before = stored_events()
    answer = post(directory, REKTOR, "/pupils", local(pnr))
    assert answer.status_code == 422, answer.text
    assert field_message in answer.json()["fields"]["personal_number"]
    assert stored_events() == before


def test_rektor_registers_a_missing_pupil_once_and_the_register_takes_it_over(directory):
    pnr = fresh_number()
    assert post(directory, TEACHER, "/pupils", local(pnr)).status_code == 403
    assert post(directory, REKTOR, "/pupils", local(pnr, given_name=" ")).json()["fields"] == {
        "given_name": "Fältet måste fyllas i."}
    answer = post(directory, REKTOR, "/pupils", local(pnr))
    assert answer.status_code == 201, answer.text
    pupil_id = answer.json()["pupil_id"]
    again = post(directory, REKTOR, "/pupils", local(pnr, given_name="Annan"))
    assert again.status_code == 409 and again.json()["pupil_id"] == pupil_id
    [hit] = search(directory, TEACHER, pnr)
    assert (hit["pupil_id"], hit["name"]) == (pupil_id, "Tove Testsson")
    assert get(directory, REKTOR, f"/pupils/{pupil_id}").json()["source"] == "local"

    # The register brings the same personnummer: the same pupil, now the register's.
    mark = end_of(TOPIC)
    register_id = str(uuid.uuid4())
    register(directory, "/dev/put", {"resource": "persons", "record": {
        "id": register_id, "givenName": "Tove", "familyName": "Registersson",
        "civicNo": {"value": pnr, "nationality": "SE"}, "securityMarking": "Ingen",
        "enrolments": [{"enroledAt": {"id": unit_id(directory, ENG)}, "schoolType": "GR", "schoolYear": 7,
                        "startDate": "2026-08-17"}]}})
    sync(directory)
    details = get(directory, REKTOR, f"/pupils/{pupil_id}").json()
    assert (details["source"], details["name"]) == ("register", "Tove Registersson")
    [message] = messages_after(TOPIC, mark, lambda r: r.key.decode() == pupil_id)
    assert decoded(message)["data"]["source"] == "register"


# -- staff from duties ----------------------------------------------------------------------------------
LOGIN_JOB = identity("inloggning", Role.MUNICIPALITY_ADMIN, "")  # the frontend's login, no person
CASES_JOB = identity("elevarenden", Role.MUNICIPALITY_ADMIN, "0180")  # the cases service, no person


def test_staff_identity_comes_from_duties(directory):
    anna = get(directory, LOGIN_JOB, "/staff/anna.lind").json()
    assert (anna["role"], anna["school_units"], anna["municipality"]) == ("teacher", [ENG], "0180")
    assert get(directory, LOGIN_JOB, "/staff/rolf.ek").json()["role"] == "rektor"
    eva = get(directory, LOGIN_JOB, "/staff/eva.nord").json()
    assert (eva["role"], eva["medical"], eva["profession"]) == ("eht_member", True, "skolsköterska")
    assert get(directory, LOGIN_JOB, "/staff/nobody.here").status_code == 404
    assert get(directory, LOGIN_JOB, "/staff/anna.lind", caller="cases").status_code == 403
    assert get(directory, TEACHER, "/staff/anna.lind").status_code == 403
    staff = get(directory, REKTOR, "/staff", school_unit=ENG).json()["staff"]
    assert {"anna.lind", "rolf.ek", "eva.nord"} <= {s["user_id"] for s in staff}


def test_the_name_register_is_for_the_cases_service(directory):
    assert get(directory, CASES_JOB, "/register/names").status_code == 403
    assert get(directory, REKTOR, "/register/names", caller="cases").status_code == 403
    people = get(directory, CASES_JOB, "/register/names", caller="cases").json()["people"]
    kinds = {p["kind"] for p in people}
    assert kinds == {"pupil", "guardian"} and all(p["name"] and "personal_number" not in p for p in people)


# -- the sync -----------------------------------------------------------------------------------------
def test_an_incremental_sync_brings_a_change_and_publishes_no_personal_data(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    [hit] = search(directory, REKTOR, pupil["civicNo"]["value"])
    mark = end_of(TOPIC)
    register(directory, "/dev/change", {"resource": "persons", "id": pupil["id"],
                                        "fields": {"familyName": "Nyström-Ändrad", "securityMarking": "Sekretessmarkering"}})
    report = sync(directory)
    assert report["error"] is None and report["changes"] >= 1 and not report["full"]
    details = get(directory, REKTOR, f"/pupils/{hit['pupil_id']}").json()
    assert details["name"].endswith("Nyström-Ändrad") and details["protected"] is True
    assert search(directory, TEACHER, pupil["civicNo"]["value"]) == []
    [message] = messages_after(TOPIC, mark, lambda r: r.key.decode() == hit["pupil_id"])
    event = decoded(message)
    assert event["event_type"] == "DirectoryPersonChanged" and event["data"]["protected"] is True
    text = message.value.decode()
    assert pupil["civicNo"]["value"] not in text and "Nyström" not in text and pupil["givenName"] not in text


def test_a_person_removed_from_the_register_is_flagged_not_deleted(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    [hit] = search(directory, REKTOR, pupil["civicNo"]["value"])
    register(directory, "/dev/delete", {"resource": "persons", "id": pupil["id"]})
    assert sync(directory)["error"] is None
    details = get(directory, REKTOR, f"/pupils/{hit['pupil_id']}").json()
    assert details["removed_from_register"] is True and details["name"]
    assert search(directory, REKTOR, pupil["civicNo"]["value"]) == []  # not offered for a new case


def test_a_malformed_record_is_quarantined_without_stopping_the_sync(directory):
    good = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    bad_id = str(uuid.uuid4())
    register(directory, "/dev/put", {"resource": "persons", "record": {
        "id": bad_id, "givenName": "Felaktig", "familyName": "Post", "civicNo": {"value": "20140512-1234"},
        "securityMarking": "Okänd"}})
    register(directory, "/dev/change", {"resource": "persons", "id": good["id"], "fields": {"givenName": "Villemo"}})
    report = sync(directory)
    assert report["error"] is None and report["quarantined"] >= 1
    assert [h["name"] for h in search(directory, REKTOR, good["civicNo"]["value"])] == [f"Villemo {good['familyName']}"]
    listed = get(directory, ADMIN, "/quarantine").json()["quarantined"]
    entry = next(q for q in listed if q["register_id"] == bad_id)
    assert {"civicNo.value", "securityMarking"} <= set(entry["fields"])
    assert "Felaktig" not in str(listed) and "20140512" not in str(listed)
    assert get(directory, REKTOR, "/quarantine").status_code == 403


def test_a_register_that_is_down_leaves_the_directory_in_force_and_the_next_run_resumes(directory):
    pupil = next(p for p in register_pupils(directory) if p["securityMarking"] == "Ingen")
    before = search(directory, REKTOR, pupil["civicNo"]["value"])
    register(directory, "/dev/outage", {"down": True, "after": 2})  # two pages, then down
    stopped = sync(directory, full=True)
    assert stopped["error"] == "RegisterUnavailable"
    assert search(directory, REKTOR, pupil["civicNo"]["value"]) == before
    assert get(directory, ADMIN, "/sync").json()["last_run"]["error"] == "RegisterUnavailable"
    register(directory, "/dev/outage", {"down": False})
    resumed = sync(directory, full=True)
    assert resumed["error"] is None and resumed["resumed_from"]
    assert search(directory, REKTOR, pupil["civicNo"]["value"]) == before
