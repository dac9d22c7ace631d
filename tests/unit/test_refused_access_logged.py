"""R15: a refused request for a pupil's record is written to the access log once, by
eventkit.http for every service, as "refused" — with whose record it was when the service knew
— while the caller gets exactly the "not found" an unknown id gets (R14). No I/O: the access
log is a list in memory."""
from __future__ import annotations

from uuid import UUID, uuid4

from fastapi import Depends
from fastapi.testclient import TestClient

from eventkit import authz
from eventkit.accesslog import api_purpose, refused_record
from eventkit.http import answer_errors, current_identity, not_found, service_api
from eventkit.identity import Identity, NotPermitted
from tests.conftest import TEACHER, headers_for

OTHER_UNITS_CASE = uuid4()
REF = str(uuid4())


class CaseNotFound(Exception):
    pass


class MemoryLog:
    def __init__(self) -> None:
        self.entries = []

    def record(self, *entries) -> None:
        self.entries += entries


def an_api(log: MemoryLog):
    app = service_api("test", audience="cases", dependencies=[Depends(api_purpose)], access_log=lambda: log)
    answer_errors(app, {CaseNotFound: not_found("Ärendet finns inte, eller så har du inte behörighet till det.")})

    @app.get("/cases/{case_id}", **authz.operation("cases.read"))
    def case(case_id: UUID, who: Identity = Depends(current_identity)):
        if case_id == OTHER_UNITS_CASE:  # found, but another unit's
            raise refused_record(CaseNotFound(str(case_id)), "0180", "0180-KAT", REF)
        raise CaseNotFound(str(case_id))

    @app.get("/delegations/{school_unit}", **authz.operation("cases.delegations.read"))
    def delegations(school_unit: str, who: Identity = Depends(current_identity)):
        raise NotPermitted("Du arbetar inte på den skolenheten.")

    return TestClient(app)


def test_r15_a_refused_read_of_another_units_case_is_logged_and_answered_as_not_found():
    log = MemoryLog()
    client = an_api(log)
    refused = client.get(f"/cases/{OTHER_UNITS_CASE}", headers=headers_for(TEACHER, "cases"))
    unknown = client.get(f"/cases/{uuid4()}", params={"purpose": "print"}, headers=headers_for(TEACHER, "cases"))
    assert refused.status_code == unknown.status_code == 404 and refused.json() == unknown.json()

    first, second = log.entries
    assert (first.outcome, first.action, first.resource, first.resource_id) == (
        "refused", "read", "/cases/{case_id}", str(OTHER_UNITS_CASE))
    assert (first.municipality, first.school_unit, first.pupil_ref, first.who.user_id) == ("0180", "0180-KAT", REF, "anna.lind")
    # An id no service marked as its municipality's (another municipality's, or none) is not kept:
    # the caller's municipality's log would otherwise show another municipality's ids.
    assert (second.outcome, second.action, second.school_unit, second.pupil_ref, second.resource_id) == (
        "refused", "print", "", None, "")
    assert second.municipality == "0180"  # the caller's own


def test_r15_a_refusal_of_something_else_than_a_pupils_record_is_not_logged():
    log = MemoryLog()
    assert an_api(log).get("/delegations/0180-KAT", headers=headers_for(TEACHER, "cases")).status_code == 403
    assert log.entries == []


def test_r15_a_refusal_of_a_caller_outside_the_municipalities_names_no_municipality_and_stops_no_relay():
    # The BUS secretariat ("00") or the region ("01") asking for a case no municipality of theirs
    # holds: there is no municipality whose log it concerns, and an entry under "00" could not be
    # published on the access-log stream (its envelope carries kommunkoder), which would stop the
    # service's relay for every entry after it.
    from tests.support.deviations import SECRETARIAT

    log = MemoryLog()
    client = an_api(log)
    assert client.get(f"/cases/{uuid4()}", headers=headers_for(SECRETARIAT, "cases")).status_code in (403, 404)
    assert log.entries == []
