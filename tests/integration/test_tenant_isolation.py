"""The tenant-isolation matrix over the running stack (R14): every operation of every service's
OpenAPI, tried by users of another municipality and of another unit against the owner's data.
The machinery is tests/support/tenancy.py; this file holds each service's expectations."""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from competence.domain.profile import EducatorProfile
from eventkit.dates import school_year_end
from eventkit.identity import Identity, Role
from tests.conftest import OTHER_REKTOR, REKTOR, TEACHER, headers_for, identity
from tests.integration.test_api_fuzzing import SERVICES as FUZZED
from tests.integration.test_support_case_workflow import investigate, post, referred_case
from tests.support import competence as comp
from tests.support import deviations as dev
from tests.support import stack as running
from tests.support.infrastructure import eventually, query
from tests.support.pupils import directory_pupil, personal_number
from tests.support.tenancy import ServiceTenancy, leaks, listing, own, owner_reads, scoped, stale, unclassified
from eventkit.dates import local_today

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
DAY = local_today().isoformat()  # a delegation starts no earlier than the school year (R5)
LAST_DAY_OF_THE_SCHOOL_YEAR = school_year_end(local_today()).isoformat()

CASES = {
    "POST /cases": scoped(body=lambda s: {"school_unit": s["school_unit"], "pupil_id": s["pupil_ref"]}),
    "GET /cases/{case_id}": scoped(),
    "POST /cases/{case_id}/extra-adaptations": scoped(body=lambda s: {"description": "Extra tid"}),
    "POST /cases/{case_id}/referral": scoped(body=lambda s: {"special_reason": "Skäl"}),
    "POST /cases/{case_id}/investigation": scoped(body=lambda s: {"investigator": "sara.berg", "student_health_team": True}),
    "POST /cases/{case_id}/investigation/parts": scoped(body=lambda s: {"pupil_view": "Syn"}),
    "POST /cases/{case_id}/investigation/conclusion": scoped(body=lambda s: {"proposal": "Förslag"}),
    "POST /cases/{case_id}/decisions": scoped(body=lambda s: {"kind": "no_programme", "reasons": "Skäl"}),
    "POST /cases/{case_id}/decisions/{number}/delivery": scoped(body=lambda s: {"delivered_on": DAY}),
    # R9: delivery per recipient and the appeal's steps
    "POST /cases/{case_id}/decisions/{number}/receipts": scoped(body=lambda s: {"recipient": "guardians", "method": "post",
                                                                                "received_on": DAY}),
    "POST /cases/{case_id}/decisions/{number}/appeals": scoped(body=lambda s: {"received_on": DAY, "appellants": ["guardians"],
                                                                               "asks": "Ändra beslutet"}),
    "POST /cases/{case_id}/appeals/{number}/joined": scoped(body=lambda s: {
        "guardian": "guardian:6f1c3a52-0b7e-4c1a-9d55-2e8f0a1b3c4d", "joined_on": DAY}),
    "POST /cases/{case_id}/appeals/{number}/one-guardian": scoped(body=lambda s: {"reason": "Ensam vårdnad"}),
    "POST /cases/{case_id}/appeals/{number}/rejection": scoped(body=lambda s: {"reasons": "För sent"}),
    "POST /cases/{case_id}/appeals/{number}/reconsideration": scoped(body=lambda s: {"kind": "establish_programme",
                                                                                     "reasons": "Ändrat", "in_full": True}),
    "POST /cases/{case_id}/appeals/{number}/forwarding": scoped(body=lambda s: {"forwarded_on": DAY, "comments": "Yttrande"}),
    "POST /cases/{case_id}/appeals/{number}/board": scoped(body=lambda s: {"outcome": "upheld", "decided_on": DAY}),
    "POST /cases/{case_id}/participation": scoped(body=lambda s: {"party": "pupil", "offered_on": DAY, "took_part": True}),
    "POST /cases/{case_id}/programme": scoped(body=lambda s: {"needs": "Behov"}),
    "POST /cases/{case_id}/follow-ups": scoped(body=lambda s: {"findings": "Fynd"}),
    "POST /cases/{case_id}/evaluation": scoped(body=lambda s: {"outcome": "Utfall"}),
    "POST /cases/{case_id}/move": scoped(body=lambda s: {"to_unit": "0180-KAT"}),
    "POST /cases/{case_id}/corrections": scoped(body=lambda s: {"corrects_version": 1, "value": "x", "reason": "Fel"}),
    "GET /cases/{case_id}/history": scoped(),
    "GET /delegations/{school_unit}": scoped(),
    "POST /delegations/{school_unit}": scoped(body=lambda s: {"delegate": "sara.berg", "kinds": ["no_programme"],
                                                              "valid_from": DAY, "valid_to": LAST_DAY_OF_THE_SCHOOL_YEAR}),
    "POST /delegations/{school_unit}/{number}/revocation": scoped(),
    "GET /cases/{case_id}/protection": scoped(),
    "POST /cases/{case_id}/protection": scoped(),
    "POST /cases/{case_id}/protection/grants": scoped(body=lambda s: {"user_id": "karin.holm"}),
    "POST /cases/{case_id}/protection/revocations": scoped(body=lambda s: {"user_id": "rolf.ek"}),
    "POST /cases/{case_id}/investigation/invitations": scoped(body=lambda s: {"user_id": "anna.lind"}),
    "POST /cases/{case_id}/investigation/withdrawals": scoped(body=lambda s: {"user_id": "anna.lind"}),
    "GET /cases/{case_id}/medical": scoped(owner=NURSE),
    "POST /cases/{case_id}/medical/entries": scoped(body=lambda s: TEXT),
    # Names for a list (the follow-up page): only of cases the caller may see.
    "POST /cases/pupil-names": listing(body=lambda s: {"case_ids": [s["case_id"]]}),
    # The administrator's loggkontroll search and disposal: another municipality finds nothing.
    "POST /pupils/lookup": scoped(body=lambda s: {"personal_number": s["personal_number"]}),
    "POST /pupils/{pupil_ref}/disposal": scoped(),
    # Gallring (R17): what falls due and the runs' record are the caller's own municipality's, in
    # counts (no id or name of anyone); a run disposes of the caller's municipality's due pupils
    # only (another municipality's administrator: nothing due there, nothing stored).
    "GET /disposal": listing(owner=ADMIN, shown=lambda s: ['"held_back"']),
    "GET /disposal/runs": listing(owner=ADMIN, shown=lambda s: ['"runs"']),
    "POST /disposal/runs": own(),
    # Loggkontroll's names: the administrator's own municipality's pupils only.
    "POST /pupils/log-names": listing(body=lambda s: {"pupil_refs": [s["pupil_ref"]]}, owner=ADMIN),
    # R22 register check: answers where the caller's own text names one of the caller's
    # municipality's people (positions, never names; municipality-wide by design); another
    # municipality's caller is checked against its own register only.
    "POST /pupils/names-in-text": listing(body=lambda s: {"texts": [f"Det gäller {s['name']}."]},
                                          markers=lambda s, who: [] if who.municipality == "0180" else [s["name"]],
                                          shown=lambda s: ['"exact"']),
    # Which pupils a text names (pseudonymous references): for the deviations service's own
    # identity only (tests/integration/test_protected_identity.py); any frontend caller is refused.
    "POST /pupils/named-in-text": scoped(body=lambda s: {"texts": [f"Det gäller {s['name']}."]}),
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
    "POST /deviations/{deviation_id}/reopen": scoped(),
}

FOLLOWUP = {
    # The caller's own units: nothing of the owner's; asked for the owner's unit: refused.
    "GET /followup": (listing(query=lambda s: {"page_size": 1000}),
                      scoped(query=lambda s: {"school_unit": s["school_unit"]})),
    # The school owner's view (ADR 0031): the administrator's own municipality, counts only (no
    # case id or name ever); another municipality's answer has none of the owner's units.
    "GET /owner/overview": listing(owner=ADMIN, markers=lambda s, who: [f'"{s["school_unit"]}"'],
                                   shown=lambda s: [f'"{s["school_unit"]}"']),
}

# Att göra: the caller's own tasks and counts (nothing of another's), and Mina elever of one of
# the caller's own units (the owner's unit asked by another: refused).
WORKLIST = {
    "GET /tasks": listing(),
    "GET /tasks/summary": listing(shown=lambda s: ['"count"']),
    "GET /pupil-cases": scoped(query=lambda s: {"unit": s["school_unit"]}),
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

# The special educator's mission (R12, R13): its two parties only, rektor of the unit and the
# special educator it concerns, in the same municipality.
M = "/missions/{mission_id}"
COMPETENCE = {
    # A rektor reads the profile of a special educator with a mission in the own units; others
    # (Sara of Solna has the same user id) see only their own.
    "GET /profiles/{user_id}": listing(),
    "PUT /profiles/me": own(body=lambda s: {"degree": "Försök", "qualification": "in_training"}),
    "POST /missions": scoped(body=lambda s: {"school_unit": "0180-ENG", "special_educator": "sara.berg"}),
    "GET /missions": listing(),
    f"GET {M}": scoped(),
    f"GET {M}/history": scoped(),
    f"POST {M}/description": scoped(body=lambda s: TEXT),
    f"POST {M}/description/confirmation": scoped(body=lambda s: {"revision": 1}),
    f"POST {M}/goals": scoped(body=lambda s: {**TEXT, "follow_up_dates": [comp.days(7)]}),
    f"GET {M}/goals/{{goal_id}}": scoped(),
    f"POST {M}/goals/{{goal_id}}/confirmation": scoped(),
    f"POST {M}/goals/{{goal_id}}/follow-ups": scoped(body=lambda s: TEXT),
    f"POST {M}/goals/{{goal_id}}/assessments": scoped(body=lambda s: {"attainment": "met", "analysis": "Försök"}),
    f"POST {M}/assessments/{{assessment_id}}/confirmation": scoped(),
    f"POST {M}/goals/{{goal_id}}/actions": scoped(body=lambda s: {"assessment_id": s["assessment_id"], **TEXT}),
    f"POST {M}/needs": scoped(body=lambda s: TEXT),
    f"POST {M}/activities": scoped(body=lambda s: {"need_id": s["need_id"], "title": "Kurs", "planned_hours": 8}),
    f"POST {M}/activities/{{activity_id}}/allotment": scoped(body=lambda s: {"hours": 4}),
    f"POST {M}/activities/{{activity_id}}/completion": scoped(body=lambda s: {"completed_on": comp.days(0), "hours": 4}),
    f"POST {M}/supervision": scoped(body=lambda s: {"provider": "external", "sessions_per_term": 2}),
    f"POST {M}/supervision/sessions": scoped(body=lambda s: {"held_on": comp.days(0), "minutes": 60}),
}
KAT_EDUCATOR_COMPETENCE = identity("nils.kat", Role.SPECIAL_EDUCATOR, "0180", "0180-KAT")
COMPETENCE_ATTACKERS = [comp.OTHER_REKTOR, KAT_EDUCATOR_COMPETENCE, comp.SOLNA_REKTOR, comp.SOLNA_EDUCATOR, comp.TEACHER]

# Rektor's quality view: the own units (asked for another's: refused); a special educator's own.
QUALITY = {"GET /quality": (listing(), scoped(query=lambda s: {"school_unit": "0180-ENG"}))}

COUNTY = {
    "GET /county/counts": scoped(),
    "GET /county/deviations": scoped(),
    "GET /county/deviations.csv": scoped(),
    "GET /county/deviations/{deviation_id}": scoped(),
    "GET /county/yearly/{year}": scoped(),
    # Whether the check before the regional stream holds a deviation back: for the staff of the
    # municipality it concerns (any role but the secretariat's); another municipality or region
    # gets 404, so must not see the deviation's id.
    "GET /county/held/{deviation_id}": listing(owner=dev.MANAGER,
                                               markers=lambda s, who: [] if who.municipality == "0180" else [s["deviation_id"]]),
}


@pytest.fixture(scope="module")
def case_seed(stack) -> dict:
    """A case of Engelbrektsskolan (0180-ENG) with a decision, a delegation and a medical note."""
    case_id = referred_case(stack)
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "no_programme", "reasons": "Stödet räcker"})
    post(stack, NURSE, f"/cases/{case_id}/medical/entries", {"text": "Hälsobesök"})
    number = post(stack, REKTOR, "/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["no_programme"],
                                                          "valid_from": DAY, "valid_to": LAST_DAY_OF_THE_SCHOOL_YEAR})["number"]
    case = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR, "cases")).json()
    found = httpx.post(f"{stack.cases_url}/pupils/lookup", json={"personal_number": case["pupil_personal_number"]},
                       headers=headers_for(ADMIN, "cases"))
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
        rows = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000}, headers=headers_for(REKTOR, "followup"))
        return seed["case_id"] in rows.text

    eventually(projected, timeout=60, interval=0.3)
    return ServiceTenancy("followup", stack.followup_url, FOLLOWUP, lambda: seed, REKTOR)


def worklist_service(stack, seed) -> ServiceTenancy:
    def projected():  # the decision not to establish a programme waits to be delivered (R9)
        tasks = httpx.get(f"{stack.worklist_url}/tasks", headers=headers_for(REKTOR, "worklist"))
        return seed["case_id"] in tasks.text

    eventually(projected, timeout=60, interval=0.3)
    return ServiceTenancy("worklist", stack.worklist_url, WORKLIST, lambda: seed, REKTOR)


def documentation_service(stack, case_seed) -> ServiceTenancy:
    def seed():
        recorded = httpx.post(f"{stack.documentation_url}/interventions", headers=headers_for(EDUCATOR, "documentation"),
                              json={**INTERVENTION, "school_unit": "0180-ENG", "description": "Handledning ENG-unik"})
        assert recorded.status_code == 201, recorded.text
        intervention_id = recorded.json()["intervention_id"]
        return {**case_seed, "intervention_id": intervention_id, "markers": [intervention_id, "ENG-unik"]}

    return ServiceTenancy("documentation", stack.documentation_url, DOCUMENTATION, seed, EDUCATOR,
                          stored=lambda: query("DOCUMENTATION_DB", "SELECT count(*) FROM documentation_events")[0][0])


def accesslog_service(stack, case_seed) -> ServiceTenancy:
    def logged():
        entries = httpx.get(f"{stack.accesslog_url}/accesslog", params={"pupil_ref": case_seed["pupil_ref"]},
                            headers=headers_for(ADMIN, "accesslog"))
        return entries.status_code == 200 and entries.json()["entries"]

    eventually(logged, timeout=60, interval=0.3)
    seed = {**case_seed, "markers": [case_seed["case_id"], case_seed["pupil_ref"]]}
    return ServiceTenancy("accesslog", stack.accesslog_url, ACCESSLOG, lambda: seed, ADMIN)


@pytest.fixture(scope="module")
def mission_seed(stack) -> dict:
    """Rektor Rolf Ek's agreed mission for Sara Berg at 0180-ENG, with a goal in force, a
    follow-up, a joint assessment, a need, an activity, supervision, and Sara's profile."""
    base = stack.competence_url
    mark = f"ENG-{uuid.uuid4().hex[:8]}"
    mission_id = comp.agreed_mission(base)
    goal_id = comp.agreed_goal(base, mission_id)
    m = f"/missions/{mission_id}"
    comp.call(base, comp.EDUCATOR, f"{m}/goals/{goal_id}/follow-ups", {"text": "Två arbetslag handledda."})
    assessment_id = comp.call(base, comp.EDUCATOR, f"{m}/goals/{goal_id}/assessments",
                              {"attainment": "partly_met", "analysis": "För lite tid."})["assessment_id"]
    need_id = comp.call(base, comp.EDUCATOR, f"{m}/needs", {"text": "Samtalsmetodik"})["need_id"]
    activity_id = comp.call(base, comp.EDUCATOR, f"{m}/activities",
                            {"need_id": need_id, "title": "Kurs", "planned_hours": 8})["activity_id"]
    comp.call(base, comp.REKTOR, f"{m}/supervision", {"provider": "external", "sessions_per_term": 4})
    profile = httpx.put(f"{base}/profiles/me", headers=headers_for(comp.EDUCATOR, base),
                        json={"degree": f"Speciallärarexamen {mark}", "qualification": "special_teacher_degree"})
    assert profile.status_code == 200, profile.text
    return {"mission_id": mission_id, "goal_id": goal_id, "assessment_id": assessment_id, "need_id": need_id,
            "activity_id": activity_id, "user_id": "sara.berg", "markers": [mission_id, mark]}


def competence_service(stack, seed) -> ServiceTenancy:
    # The owner's data: the mission's stream and Sara's profile in 0180 (another special
    # educator, or Sara of Solna, may write their own profile).
    owned = (uuid.UUID(seed["mission_id"]), EducatorProfile.id_for("0180", "sara.berg"))
    return ServiceTenancy("competence", stack.competence_url, COMPETENCE, lambda: seed, comp.REKTOR, stored=lambda: query(
        "COMPETENCE_DB", "SELECT count(*) FROM competence_events WHERE originator_id = ANY(%s)", (list(owned),))[0][0])


def quality_service(stack, seed) -> ServiceTenancy:
    def projected():
        shown = httpx.get(f"{stack.quality_url}/quality", headers=headers_for(comp.REKTOR, "quality"))
        return seed["mission_id"] in shown.text

    eventually(projected, timeout=60, interval=0.3)
    return ServiceTenancy("quality", stack.quality_url, QUALITY, lambda: {**seed, "markers": [seed["mission_id"]]},
                          comp.REKTOR)


def county_service(stack) -> ServiceTenancy:
    def seed():
        dev.configure_units(stack.deviations_url)
        deviation_id = dev.report(stack.deviations_url)
        dev.send(stack.deviations_url, dev.MANAGER, deviation_id)

        def arrived():
            return httpx.get(f"{stack.county_url}/county/deviations/{deviation_id}",
                             headers=headers_for(dev.SECRETARIAT, "county")).status_code == 200

        eventually(arrived, timeout=60, interval=0.3)
        return {"deviation_id": deviation_id, "year": 2026, "markers": [deviation_id]}

    return ServiceTenancy("county", stack.county_url, COUNTY, seed, dev.SECRETARIAT)


# The directory: a pupil of Engelbrektsskolan, registered by its rektor with a name no other
# unit has; the staff lookup of logins and the name register (the cases service's) included.
NEW_PUPIL = {"given_name": "Tenanta", "reason": "new_pupil", "class_name": "7A"}
NO_PUPIL = lambda s, who: [s["pupil_id"], s["family_name"]]  # noqa: E731 - answers about the sync show no pupil
DIRECTORY = {
    "GET /pupils": listing(query=lambda s: {"q": s["family_name"]}),
    "POST /pupils": scoped(body=lambda s: {**NEW_PUPIL, "school_unit": "0180-ENG", "personal_number": personal_number(),
                                           "family_name": "Intrång"}),
    "GET /pupils/{pupil_id}": scoped(),
    "GET /staff/{user_id}": scoped(owner=ADMIN),
    # The municipality's staff list is the municipality's: another unit's rektor may read it.
    "GET /staff": listing(query=lambda s: {"school_unit": "0180-ENG"},
                          markers=lambda s, who: [] if who.municipality == "0180" else [s["user_id"]],
                          shown=lambda s: [s["user_id"]]),
    "GET /register/names": listing(owner=ADMIN, caller="cases"),
    # The municipality's school units and their addresses (the decision letters): its own only.
    "GET /units": listing(markers=lambda s, who: [] if who.municipality == "0180" else ['"0180-ENG"'],
                          shown=lambda s: ['"0180-ENG"']),
    "POST /sync": own(body=lambda s: {"full": False}, markers=NO_PUPIL),
    "GET /sync": listing(owner=ADMIN, markers=NO_PUPIL, shown=lambda s: ["last_run"]),
    "GET /quarantine": listing(owner=ADMIN, markers=NO_PUPIL, shown=lambda s: ["quarantined"]),
}
DIRECTORY_ATTACKERS = [OTHER_REKTOR, SOLNA_REKTOR, SOLNA_ADMIN]


def directory_service(stack) -> ServiceTenancy:
    family = f"Enhetsdottir{uuid.uuid4().hex[:6].translate(str.maketrans('0123456789', 'ghijklmnop'))}"
    pupil_id = directory_pupil(stack, "0180-ENG", name=f"Tenanta {family}")
    seed = {"pupil_id": pupil_id, "family_name": family, "user_id": "anna.lind", "markers": [pupil_id, family]}
    return ServiceTenancy("directory", stack.directory_url, DIRECTORY, lambda: seed, REKTOR,
                          stored=lambda: query("DIRECTORY_DB", "SELECT count(*) FROM directory_events")[0][0])


# Notifications: one's own choice only. The owner chooses "at once"; the others' answers show
# their own choice (they choose "daily" here), never the owner's.
NOTIFICATIONS = {
    "GET /preferences/me": listing(shown=lambda s: ['"at_once"']),
    "PUT /preferences/me": own(body=lambda s: {"mode": "daily"}),
}


def notifications_service(stack) -> ServiceTenancy:
    def owners_choice():
        return httpx.get(f"{stack.notifications_url}/preferences/me", headers=headers_for(REKTOR, "notifications")).json()

    chosen = httpx.put(f"{stack.notifications_url}/preferences/me", json={"mode": "at_once"},
                       headers=headers_for(REKTOR, "notifications"))
    assert chosen.status_code == 200, chosen.text
    seed = {"markers": ['"at_once"']}
    return ServiceTenancy("notifications", stack.notifications_url, NOTIFICATIONS, lambda: seed, REKTOR,
                          stored=owners_choice)


@pytest.fixture(scope="module")
def services(stack, case_seed, mission_seed) -> list[tuple[ServiceTenancy, list[Identity]]]:
    return [
        (cases_service(stack, case_seed), CASE_ATTACKERS),
        (deviations_service(stack), DEVIATION_ATTACKERS),
        (followup_service(stack, case_seed), [OTHER_REKTOR, SOLNA_REKTOR, SOLNA_ADMIN]),
        (worklist_service(stack, case_seed), [OTHER_REKTOR, OTHER_UNIT_NURSE, SOLNA_REKTOR, SOLNA_ADMIN]),
        (county_service(stack), COUNTY_ATTACKERS),
        (documentation_service(stack, case_seed), [OTHER_REKTOR, KAT_EDUCATOR, SOLNA_REKTOR]),
        (accesslog_service(stack, case_seed), [SOLNA_ADMIN, REKTOR, dev.REGION_ADMIN]),
        (competence_service(stack, mission_seed), COMPETENCE_ATTACKERS),
        (quality_service(stack, mission_seed), COMPETENCE_ATTACKERS),
        (directory_service(stack), DIRECTORY_ATTACKERS),
        (notifications_service(stack), [OTHER_REKTOR, SOLNA_REKTOR, SOLNA_ADMIN]),
    ]


# Processes of the stack that listen on HTTP but are not APIs of the matrix, and why.
NOT_IN_THE_MATRIX = {
    "frontend": "the browser's HTML pages; every page calls the APIs above with the user's identity",
    "devidp": "the development identity provider; not part of a deployment (ADR 0017)",
    "ss12000dev": "the development SS 12000 register; not part of a deployment (ADR 0026)",
    "devmail": "the development mail server's inbox; not part of a deployment (ADR 0027)",
}


def _port(url: str) -> int:
    return urlsplit(url).port


def test_every_api_of_the_running_stack_is_in_the_matrix_and_fuzzed(stack, services):
    """A new service added to the stack (tests/support/stack.py) without a line in the matrix,
    and in the fuzzing table, fails here: every process that serves an OpenAPI is covered."""
    commands = running._commands()
    uvicorn = {name for name, command in commands.items() if command[0].endswith("uvicorn")}
    assert uvicorn <= set(running.LISTENS_ON), "every HTTP process of the stack needs a LISTENS_ON entry"
    apis = {}
    for name, variable in running.LISTENS_ON.items():
        port = int(os.environ[variable])
        answer = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10)
        if name in NOT_IN_THE_MATRIX:
            continue
        if answer.status_code == 200 and "paths" in answer.json():
            apis[port] = name
        else:
            assert name not in uvicorn, f"{name} runs uvicorn but serves no OpenAPI: add it to NOT_IN_THE_MATRIX with why"
    assert {name for port, name in apis.items()} >= uvicorn - set(NOT_IN_THE_MATRIX)
    in_matrix = {apis.get(_port(service.base_url), service.base_url) for service, _ in services}
    assert in_matrix == set(apis.values()), "add the missing service to the matrix (tests/support/tenancy.py)"
    fuzzed = {apis.get(_port(getattr(stack, attribute)), attribute) for attribute, _, _ in FUZZED.values()}
    assert fuzzed == set(apis.values()), "add the missing service to SERVICES in test_api_fuzzing.py"


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
        response = httpx.get(f"{stack.cases_url}/cases/{case_seed['case_id']}/medical", headers=headers_for(who, "cases"))
        assert response.status_code == 404, (who.user_id, response.text)
    response = httpx.get(f"{stack.cases_url}/cases/{case_seed['case_id']}/medical", headers=headers_for(NURSE, "cases"))
    assert [e["text"] for e in response.json()["entries"]] == ["Hälsobesök"]


def test_r14_the_competence_and_quality_services_serve_rektor_and_special_educators_only(stack, mission_seed):
    """Found when the fuzzing and the matrix first covered them: a teacher, an administrator or
    the BUS secretariat got 200 from the competence service (an empty missions list, an empty
    profile of their own), and a special educator asking the quality view for a unit outside the
    identity got 200 (her own record). Now 403 before any data is read (`competence.*`,
    `quality.read` in eventkit.authz.POLICY)."""
    bus = identity("birgitta.sund", Role.BUS_SECRETARIAT, "00")
    for who in (comp.TEACHER, ADMIN, bus):
        for path in ("/missions", f"/profiles/{who.user_id}"):
            response = httpx.get(f"{stack.competence_url}{path}", headers=headers_for(who, "competence"))
            assert response.status_code == 403, (who.user_id, path, response.text)
        assert httpx.get(f"{stack.quality_url}/quality", headers=headers_for(who, "quality")).status_code == 403
    asked = httpx.get(f"{stack.quality_url}/quality", params={"school_unit": "0180-ENG"},
                      headers=headers_for(KAT_EDUCATOR_COMPETENCE, "quality"))
    assert asked.status_code == 403 and asked.json()["message"] == "Du arbetar inte på den skolenheten."
    # Sara, in both units, narrows her own record to one of them.
    def in_eng():
        """the mission reached the quality view and shows in Sara's record for 0180-ENG"""
        eng = httpx.get(f"{stack.quality_url}/quality", params={"school_unit": "0180-ENG"}, headers=headers_for(comp.EDUCATOR, "quality"))
        return eng.status_code == 200 and mission_seed["mission_id"] in eng.text

    eventually(in_eng, timeout=60, interval=0.3)
    own_unit = httpx.get(f"{stack.quality_url}/quality", params={"school_unit": "0180-KAT"}, headers=headers_for(comp.EDUCATOR, "quality"))
    assert own_unit.status_code == 200 and mission_seed["mission_id"] not in own_unit.text
