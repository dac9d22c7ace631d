"""The tenant-isolation matrix over the running stack (R14): every operation of every service's
OpenAPI, tried by users of another municipality and of another unit against the owner's data.
The machinery is tests/support/tenancy.py; this file holds each service's expectations."""
from __future__ import annotations

import httpx
import pytest

from eventkit.identity import Identity, Role
from tests.conftest import OTHER_REKTOR, REKTOR, TEACHER, headers_for, identity
from tests.integration.test_support_case_workflow import investigate, post, referred_case
from tests.support import deviations as dev
from tests.support.infrastructure import eventually, query
from tests.support.pupils import personal_number, pupil_name
from tests.support.tenancy import ServiceTenancy, leaks, listing, owner_reads, scoped, stale, unclassified

pytestmark = pytest.mark.integration

NURSE = Identity("eva.nord", "Eva Nord", Role.EHT_MEMBER, "0180", ("0180-ENG",), medical=True)
OTHER_UNIT_NURSE = Identity("kat.nurse", "Skolsköterska Katarina", Role.EHT_MEMBER, "0180", ("0180-KAT",), medical=True)
SOLNA_REKTOR = identity("mia.falk", Role.REKTOR, "0184", "0184-TAL")
SOLNA_NURSE = Identity("tal.nurse", "Skolsköterska Tallbacka", Role.EHT_MEMBER, "0184", ("0184-TAL",), medical=True)
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
KAT_EDUCATOR = identity("nils.kat", Role.SPECIAL_EDUCATOR, "0180", "0180-KAT")

# Another unit of the same municipality, and another municipality; rektor and a nurse each,
# the roles that could otherwise do the most.
SOLNA_ADMIN = identity("solna.admin", Role.MUNICIPALITY_ADMIN, "0184", "0184-TAL")
CASE_ATTACKERS = [OTHER_REKTOR, OTHER_UNIT_NURSE, SOLNA_REKTOR, SOLNA_NURSE, SOLNA_ADMIN]
DEVIATION_ATTACKERS = [OTHER_REKTOR, dev.SOLNA_MANAGER, dev.REGION_MANAGER, dev.REGION_ADMIN]
COUNTY_ATTACKERS = [REKTOR, ADMIN, dev.REGION_MANAGER, dev.REGION_ADMIN]  # right data, wrong role

TEXT = {"text": "Försök från en annan enhet"}
DAY = "2026-09-01"

CASES = {
    "POST /cases": scoped(body=lambda s: {"school_unit": s["school_unit"], "pupil_personal_number": personal_number(),
                                          "pupil_name": pupil_name()}),
    "GET /cases/{case_id}": scoped(),
    "POST /cases/{case_id}/extra-adaptations": scoped(body=lambda s: {"description": "Extra tid"}),
    "POST /cases/{case_id}/referral": scoped(body=lambda s: {"special_reason": "Skäl"}),
    "POST /cases/{case_id}/investigation": scoped(body=lambda s: {"investigator": "sara.berg", "student_health_team": True}),
    "POST /cases/{case_id}/investigation/parts": scoped(body=lambda s: {"pupil_view": "Syn"}),
    "POST /cases/{case_id}/investigation/conclusion": scoped(body=lambda s: {"proposal": "Förslag"}),
    "POST /cases/{case_id}/decisions": scoped(body=lambda s: {"kind": "no_programme", "reasons": "Skäl"}),
    "POST /cases/{case_id}/decisions/{number}/delivery": scoped(body=lambda s: {"delivered_on": DAY}),
    "POST /cases/{case_id}/participation": scoped(body=lambda s: {"party": "pupil", "offered_on": DAY, "took_part": True}),
    "POST /cases/{case_id}/programme": scoped(body=lambda s: {"needs": "Behov"}),
    "POST /cases/{case_id}/follow-ups": scoped(body=lambda s: {"findings": "Fynd"}),
    "POST /cases/{case_id}/evaluation": scoped(body=lambda s: {"outcome": "Utfall"}),
    "POST /cases/{case_id}/move": scoped(body=lambda s: {"to_unit": "0180-KAT"}),
    "POST /cases/{case_id}/corrections": scoped(body=lambda s: {"corrects_version": 1, "value": "x", "reason": "Fel"}),
    "GET /cases/{case_id}/history": scoped(),
    "GET /delegations/{school_unit}": scoped(),
    "POST /delegations/{school_unit}": scoped(body=lambda s: {"delegate": "sara.berg", "kinds": ["no_programme"],
                                                              "valid_from": DAY, "valid_to": "2027-06-30"}),
    "POST /delegations/{school_unit}/{number}/revocation": scoped(),
    "GET /cases/{case_id}/protection": scoped(),
    "POST /cases/{case_id}/protection": scoped(),
    "POST /cases/{case_id}/protection/grants": scoped(body=lambda s: {"user_id": "karin.holm"}),
    "POST /cases/{case_id}/protection/revocations": scoped(body=lambda s: {"user_id": "rolf.ek"}),
    "GET /cases/{case_id}/medical": scoped(owner=NURSE),
    "POST /cases/{case_id}/medical/entries": scoped(body=lambda s: TEXT),
    # Names for a list (the follow-up page): only of cases the caller may see.
    "POST /cases/pupil-names": listing(body=lambda s: {"case_ids": [s["case_id"]]}),
    # The administrator's loggkontroll search and disposal: another municipality finds nothing.
    "POST /pupils/lookup": scoped(body=lambda s: {"personal_number": s["personal_number"]}),
    "POST /pupils/{pupil_ref}/disposal": scoped(),
    # R22 name check: answers with names the caller wrote that are the municipality's pupils'
    # (municipality-wide by design); another municipality must not learn the owner's pupil.
    "POST /pupils/names-in-text": listing(body=lambda s: {"texts": [f"Det gäller {s['name']}."]},
                                          markers=lambda s, who: [] if who.municipality == "0180" else [s["name"]]),
}

DEVIATIONS = {
    "GET /units/{unit}/configuration": scoped(),
    "PUT /units/{unit}/configuration": scoped(body=lambda s: {"reporters": ["ola.nilsson"], "manager": "mia.falk",
                                                              "answer_days": 30}),
    "POST /deviations": scoped(body=lambda s: dev.a_report(unit=s["unit"])),
    "GET /deviations": listing(),
    "GET /deviations/{deviation_id}": scoped(),
    "POST /deviations/{deviation_id}/actions": scoped(body=lambda s: TEXT),
    "POST /deviations/{deviation_id}/answer": scoped(body=lambda s: TEXT),
    "POST /deviations/{deviation_id}/solved-locally": scoped(body=lambda s: TEXT),
    "POST /deviations/{deviation_id}/check": scoped(),
    "POST /deviations/{deviation_id}/send": scoped(body=lambda s: {"decisions": {}}),
}

FOLLOWUP = {
    # The caller's own units: nothing of the owner's; asked for the owner's unit: refused.
    "GET /followup": (listing(query=lambda s: {"page_size": 1000}),
                      scoped(query=lambda s: {"school_unit": s["school_unit"]})),
}

DOCUMENTATION = {
    "POST /interventions": scoped(body=lambda s: {**INTERVENTION, "school_unit": s["school_unit"]}),
    "GET /interventions": (listing(), scoped(query=lambda s: {"school_unit": s["school_unit"]})),
    "GET /interventions/{intervention_id}": scoped(),
    "POST /interventions/{intervention_id}/corrections": scoped(body=lambda s: {**CONTENT, "reason": "Fel"}),
    "POST /interventions/{intervention_id}/withdrawal": scoped(body=lambda s: {"reason": "Fel"}),
    "GET /cases/{case_id}/interventions": scoped(),
    "GET /units/{school_unit}/overview": scoped(),
}
CONTENT = {"kind": "supervision", "performed_on": DAY, "minutes": 60, "hinders": ["structure"],
           "supports": ["staffing"], "description": "Handledning av arbetslaget.", "group": "7B"}
INTERVENTION = {**CONTENT, "level": "group"}

# The loggkontroll is the administrator's, of its own municipality only.
ACCESSLOG = {"GET /accesslog": (listing(), listing(query=lambda s: {"pupil_ref": s["pupil_ref"]}))}

COUNTY = {
    "GET /county/counts": scoped(),
    "GET /county/deviations": scoped(),
    "GET /county/deviations.csv": scoped(),
    "GET /county/deviations/{deviation_id}": scoped(),
    "GET /county/yearly/{year}": scoped(),
}


@pytest.fixture(scope="module")
def case_seed(stack) -> dict:
    """A case of Engelbrektsskolan (0180-ENG) with a decision, a delegation and a medical note."""
    case_id = referred_case(stack)
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "no_programme", "reasons": "Stödet räcker"})
    post(stack, NURSE, f"/cases/{case_id}/medical/entries", {"text": "Hälsobesök"})
    number = post(stack, REKTOR, "/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["no_programme"],
                                                          "valid_from": DAY, "valid_to": "2027-06-30"})["number"]
    case = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR)).json()
    found = httpx.post(f"{stack.cases_url}/pupils/lookup", json={"personal_number": case["pupil_personal_number"]},
                       headers=headers_for(ADMIN))
    assert found.status_code == 200, found.text
    return {"case_id": case_id, "number": number, "school_unit": "0180-ENG", "name": case["pupil_name"],
            "personal_number": case["pupil_personal_number"], "pupil_ref": found.json()["pupil_ref"],
            "markers": [case_id, case["pupil_name"]]}


def cases_service(stack, seed) -> ServiceTenancy:
    return ServiceTenancy("cases", stack.cases_url, CASES, lambda: seed, REKTOR,
                          stored=lambda: query("CASES_DB", "SELECT count(*) FROM cases_events")[0][0])


def deviations_service(stack) -> ServiceTenancy:
    def seed():
        dev.configure_units(stack.deviations_url)
        deviation_id = dev.report(stack.deviations_url)
        return {"deviation_id": deviation_id, "unit": "0180-ENG", "markers": [deviation_id]}

    return ServiceTenancy("deviations", stack.deviations_url, DEVIATIONS, seed, dev.MANAGER,
                          stored=lambda: query("DEVIATIONS_DB", "SELECT count(*) FROM deviations_events")[0][0])


def followup_service(stack, seed) -> ServiceTenancy:
    def projected():
        rows = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000}, headers=headers_for(REKTOR))
        return seed["case_id"] in rows.text

    eventually(projected, timeout=60, interval=0.3)
    return ServiceTenancy("followup", stack.followup_url, FOLLOWUP, lambda: seed, REKTOR)


def documentation_service(stack, case_seed) -> ServiceTenancy:
    def seed():
        recorded = httpx.post(f"{stack.documentation_url}/interventions", headers=headers_for(EDUCATOR),
                              json={**INTERVENTION, "school_unit": "0180-ENG", "description": "Handledning ENG-unik"})
        assert recorded.status_code == 201, recorded.text
        intervention_id = recorded.json()["intervention_id"]
        return {**case_seed, "intervention_id": intervention_id, "markers": [intervention_id, "ENG-unik"]}

    return ServiceTenancy("documentation", stack.documentation_url, DOCUMENTATION, seed, EDUCATOR,
                          stored=lambda: query("DOCUMENTATION_DB", "SELECT count(*) FROM documentation_events")[0][0])


def accesslog_service(stack, case_seed) -> ServiceTenancy:
    def logged():
        entries = httpx.get(f"{stack.accesslog_url}/accesslog", params={"pupil_ref": case_seed["pupil_ref"]},
                            headers=headers_for(ADMIN))
        return entries.status_code == 200 and entries.json()["entries"]

    eventually(logged, timeout=60, interval=0.3)
    seed = {**case_seed, "markers": [case_seed["case_id"], case_seed["pupil_ref"]]}
    return ServiceTenancy("accesslog", stack.accesslog_url, ACCESSLOG, lambda: seed, ADMIN)


def county_service(stack) -> ServiceTenancy:
    def seed():
        dev.configure_units(stack.deviations_url)
        deviation_id = dev.report(stack.deviations_url)
        dev.send(stack.deviations_url, dev.MANAGER, deviation_id)

        def arrived():
            return httpx.get(f"{stack.county_url}/county/deviations/{deviation_id}",
                             headers=headers_for(dev.SECRETARIAT)).status_code == 200

        eventually(arrived, timeout=60, interval=0.3)
        return {"deviation_id": deviation_id, "year": 2026, "markers": [deviation_id]}

    return ServiceTenancy("county", stack.county_url, COUNTY, seed, dev.SECRETARIAT)


@pytest.fixture(scope="module")
def services(stack, case_seed) -> list[tuple[ServiceTenancy, list[Identity]]]:
    return [
        (cases_service(stack, case_seed), CASE_ATTACKERS),
        (deviations_service(stack), DEVIATION_ATTACKERS),
        (followup_service(stack, case_seed), [OTHER_REKTOR, SOLNA_REKTOR]),
        (county_service(stack), COUNTY_ATTACKERS),
        (documentation_service(stack, case_seed), [OTHER_REKTOR, KAT_EDUCATOR, SOLNA_REKTOR]),
        (accesslog_service(stack, case_seed), [SOLNA_ADMIN, REKTOR, dev.REGION_ADMIN]),
    ]


def test_every_operation_of_every_service_is_classified(services):
    """A new endpoint without an entry here fails: someone must decide how it is scoped."""
    for service, _ in services:
        assert unclassified(service) == [], f"{service.name}: classify these in tests/integration/test_tenant_isolation.py"
        assert stale(service) == [], f"{service.name}: these operations no longer exist"


def test_no_operation_lets_another_municipality_or_unit_read_or_write(services):
    problems = []
    for service, attackers in services:
        seed = service.seed()
        problems += owner_reads(service, seed)
        for attacker in attackers:
            problems += leaks(service, attacker, seed)
    assert problems == []


def test_a_teacher_of_the_unit_does_not_reach_its_medical_record(stack, case_seed):
    """Same unit, same case, wrong profession (R14): not found, like a case that is not there."""
    for who in (TEACHER, REKTOR, identity("tomas.ahl", Role.EHT_MEMBER, "0180", "0180-ENG")):
        response = httpx.get(f"{stack.cases_url}/cases/{case_seed['case_id']}/medical", headers=headers_for(who))
        assert response.status_code == 404, (who.user_id, response.text)
    response = httpx.get(f"{stack.cases_url}/cases/{case_seed['case_id']}/medical", headers=headers_for(NURSE))
    assert [e["text"] for e in response.json()["entries"]] == ["Hälsobesök"]
