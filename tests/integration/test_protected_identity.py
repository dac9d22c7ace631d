"""Protected identity (skyddad identitet, R14) over the real stack: after rektor marks a pupil's
case, an ungranted colleague of the same unit learns nothing of it from any list, count,
search or suggestion of any service (no "1 hidden"), while the colleague rektor granted
access sees it; through the cases API, the relay, Kafka and the follow-up projection."""
from __future__ import annotations

import uuid

import httpx
import pytest

from eventkit.identity import Role
from tests.conftest import REKTOR, TEACHER, headers_for, identity
from tests.integration.test_support_case_workflow import post, referred_case
from tests.support.infrastructure import eventually
from tests.support.tenancy import operations

pytestmark = pytest.mark.integration

GRANTED = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
UNGRANTED = identity("tomas.ahl", Role.EHT_MEMBER, "0180", "0180-ENG")  # skolkurator, same unit


def followup(stack, who, **params) -> dict:
    response = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000, **params}, headers=headers_for(who, "followup"))
    assert response.status_code == 200, response.text
    return response.json()


def searches(investigator: str) -> dict[str, list[dict]]:
    """The ways each list can be searched or filtered, besides no filter at all."""
    return {"GET /followup": [{"page_size": 1000}, {"investigator": investigator}, {"status": "investigating"},
                              {"status": "overdue"}, {"school_unit": "0180-ENG"}]}


def lists_and_searches(stack) -> list[tuple[str, str]]:
    """Every GET without a path id, in every service's OpenAPI: the lists, counts and searches."""
    found = []
    for base in (stack.cases_url, stack.followup_url, stack.deviations_url, stack.county_url, stack.documentation_url,
                 stack.accesslog_url):
        spec = httpx.get(f"{base}/openapi.json").json()
        found += [(base, op) for op in sorted(operations(spec)) if op.startswith("GET ") and "{" not in op]
    return found


def test_r14_no_list_count_or_search_reveals_a_protected_pupil_to_an_ungranted_colleague(stack):
    investigator = f"utredare.{uuid.uuid4().hex[:8]}"
    case_id = referred_case(stack)
    post(stack, REKTOR, f"/cases/{case_id}/investigation", {"investigator": investigator, "student_health_team": True})
    name = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR, "cases")).json()["pupil_name"]
    markers = (case_id, name, investigator)

    # Before: the colleague sees the pupil like any other (so the test below can fail).
    eventually(lambda: followup(stack, UNGRANTED, investigator=investigator)["total"] == 1, timeout=60, interval=0.2)
    before = followup(stack, UNGRANTED)["summary"]

    post(stack, REKTOR, f"/cases/{case_id}/protection", {})
    post(stack, REKTOR, f"/cases/{case_id}/protection/grants", {"user_id": GRANTED.user_id})
    # Both events must have reached the view: the marking hides the pupil, the grant shows it again.
    eventually(lambda: followup(stack, UNGRANTED, investigator=investigator)["total"] == 0
               and followup(stack, GRANTED, investigator=investigator)["total"] == 1, timeout=60, interval=0.2)

    # The granted colleague and rektor see it, with its investigator among the suggestions.
    for who in (GRANTED, REKTOR):
        seen = followup(stack, who, investigator=investigator)
        assert [r["case_id"] for r in seen["rows"]] == [case_id] and seen["total"] == 1
        assert investigator in followup(stack, who)["investigators"]
        assert httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(who, "cases")).status_code == 200

    # The ungranted colleague: nothing in rows, totals, counts or suggestions; one fewer open case.
    view = followup(stack, UNGRANTED)
    assert view["total"] == len(view["rows"]) == before["open"] - 1
    assert view["summary"]["waiting"] == before["waiting"] - 1
    assert investigator not in view["investigators"]
    filtered = followup(stack, UNGRANTED, investigator=investigator)
    assert filtered["total"] == 0 and set(filtered["summary"].values()) == {0} and filtered["rows"] == []

    leaks, listed = [], lists_and_searches(stack)
    assert ("GET /followup" in {op for _, op in listed}) and ("GET /deviations" in {op for _, op in listed})
    for base, op in listed:
        path = op.split(" ", 1)[1]
        for params in searches(investigator).get(op, [{}]):
            response = httpx.get(f"{base}{path}", params=params, headers=headers_for(UNGRANTED, base))
            if response.status_code >= 500 or any(m in response.text for m in markers):
                leaks.append(f"{op} {params}: {response.status_code}")
    assert leaks == []

    # Names for the follow-up page's list: none for the hidden pupil.
    names = httpx.post(f"{stack.cases_url}/cases/pupil-names", json={"case_ids": [case_id]}, headers=headers_for(UNGRANTED, "cases"))
    assert names.status_code == 200 and name not in names.text
    assert name in httpx.post(f"{stack.cases_url}/cases/pupil-names", json={"case_ids": [case_id]},
                              headers=headers_for(GRANTED, "cases")).text

    # The case itself, its history, its grants: the same "not found" as a case that is not there.
    for path in ("", "/history", "/protection", "/medical"):
        for who in (UNGRANTED, TEACHER):  # the teacher who opened it is not granted either
            response = httpx.get(f"{stack.cases_url}/cases/{case_id}{path}", headers=headers_for(who, "cases"))
            assert response.status_code == 404, (path, who.user_id, response.text)
            assert name not in response.text

    # The grant is in the case's history: who granted whom.
    grants = httpx.get(f"{stack.cases_url}/cases/{case_id}/protection", headers=headers_for(REKTOR, "cases")).json()
    assert [(h["change"], h["user_id"], h["changed_by"]) for h in grants["history"]] == [
        ("ProtectedIdentityMarked", "rolf.ek", "rolf.ek"), ("AccessGranted", "sara.berg", "rolf.ek")]

    # A revocation reaches the projection too.
    post(stack, REKTOR, f"/cases/{case_id}/protection/revocations", {"user_id": GRANTED.user_id})
    eventually(lambda: followup(stack, GRANTED, investigator=investigator)["total"] == 0, timeout=60, interval=0.2)
    assert httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(GRANTED, "cases")).status_code == 404


def a_unique_name() -> tuple[str, str]:
    """A pupil name no other test pupil shares (test pupils are "Testelev <hex>")."""
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:9])
    return f"Zelmira {letters[:1].upper()}{letters[1:]}son", f"{letters[:1].upper()}{letters[1:]}son"


def test_r14_r22_the_name_check_never_confirms_a_protected_pupils_name_to_someone_not_granted(stack):
    from tests.support import deviations as dev
    from tests.support.pupils import directory_pupil

    full_name, surname = a_unique_name()
    opened = httpx.post(f"{stack.cases_url}/cases", headers=headers_for(TEACHER, "cases"),
                        json={"school_unit": "0180-ENG", "pupil_id": directory_pupil(stack, name=full_name)})
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    text = {"texts": [f"Har någon sett {surname}?"]}
    where = [[15, 15 + len(surname)]]

    def asked(who) -> httpx.Response:
        return httpx.post(f"{stack.cases_url}/pupils/names-in-text", json=text, headers=headers_for(who, "cases"))

    # Which pupils a text names (pseudonymous references) is for the deviations service alone:
    # asked as the frontend, by anyone, it is refused.
    from eventkit.identity import HEADER, sign
    for who in (TEACHER, REKTOR):
        assert httpx.post(f"{stack.cases_url}/pupils/named-in-text", json=text,
                          headers=headers_for(who, "cases")).status_code == 403
    named = httpx.post(f"{stack.cases_url}/pupils/named-in-text", json=text,
                       headers={HEADER: sign(REKTOR, audience="cases", caller="deviations")})
    assert named.status_code == 200 and full_name not in named.text and len(named.json()["pupils"]) == 1

    # Before protection the check finds the name — as a position, never the name.
    before = asked(UNGRANTED)
    assert before.status_code == 200 and full_name not in before.text
    assert before.json()["matches"] == [[[*where[0], "exact"]]]

    post(stack, REKTOR, f"/cases/{case_id}/protection", {})
    post(stack, REKTOR, f"/cases/{case_id}/protection/grants", {"user_id": GRANTED.user_id})

    # Granted: still a registered name. Not granted, in the unit or another unit's rektor: only
    # "protected", which names no one. Another municipality: nothing at all.
    assert asked(GRANTED).json()["matches"] == [[[*where[0], "exact"]]]
    other_rektor = identity("karin.holm", Role.REKTOR, "0180", "0180-KAT")
    for who in (UNGRANTED, other_rektor):
        answer = asked(who)
        assert answer.json()["matches"] == [[[*where[0], "protected"]]] and full_name not in answer.text
    assert asked(identity("mia.falk", Role.REKTOR, "0184", "0184-TAL")).json()["matches"] == [[]]

    # A deviation is read by more people than those granted: a text naming the protected pupil
    # is not stored at all — reported by a region unit about the municipality's pupil (checked
    # against that municipality's register), by a colleague, or by the one granted — and the
    # message names no one. Nothing is stored, so no ungranted colleague can ever read it.
    dev.configure_units(stack.deviations_url)
    region = {"unit": "01-BUPS", "counterpart_municipality": "0180",
              "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}],
              "arose_in": {"kind": "school", "side": "municipality"}}
    before_reports = len(httpx.get(f"{stack.deviations_url}/deviations", headers=headers_for(dev.MANAGER, "deviations")).json()["rows"])
    for who, where_from in ((dev.REGION_REPORTER, region), (dev.REPORTER, {})):
        refused = httpx.post(f"{stack.deviations_url}/deviations", headers=headers_for(who, "deviations"),
                             json=dev.a_report(**where_from, description=f"Skolan kallade inte BUP till mötet om {surname}."))
        assert refused.status_code == 422, (who.user_id, refused.text)
        assert refused.json()["rule"] == "R14" and refused.json()["rule_name"] == "DeviationTextNamesNoPupilWithProtectedIdentity"
        assert surname not in refused.text and "skydd" not in refused.text.lower()
    assert len(httpx.get(f"{stack.deviations_url}/deviations", headers=headers_for(dev.MANAGER, "deviations")).json()["rows"]) == before_reports
    # Nor can a text naming the pupil be added later, or rewritten into the texts to send — not
    # even by the manager, rektor, who marked the protection and is granted the pupil.
    deviation_id = dev.report(stack.deviations_url)
    for path, body in (("actions", {"text": f"Pratat med {surname}s mentor."}), ("answer", {"text": f"Svar om {surname}."})):
        refused = dev.act(stack.deviations_url, dev.MANAGER, deviation_id, path, body, status=422)
        assert refused.json()["rule"] == "R14" and surname not in refused.text
    dev.act(stack.deviations_url, dev.MANAGER, deviation_id, "actions", {"text": "Ringt BUP."})
    refused = dev.act(stack.deviations_url, dev.MANAGER, deviation_id, "check",
                      {"description": f"BUP kom inte till mötet om {surname}."}, status=422)
    assert refused.json()["rule"] == "R14" and surname not in refused.text

    # An unprotected pupil named in a region's report is found as a registered name.
    open_name, open_surname = a_unique_name()
    assert httpx.post(f"{stack.cases_url}/cases", headers=headers_for(TEACHER, "cases"),
                      json={"school_unit": "0180-ENG",
                            "pupil_id": directory_pupil(stack, name=open_name)}).status_code == 201
    other = dev.report(stack.deviations_url, dev.REGION_REPORTER, **region,
                       description=f"Skolan kallade inte BUP till mötet om {open_surname}.")
    dev.act(stack.deviations_url, dev.REGION_MANAGER, other, "actions", {"text": "Ringt skolan."})
    found = dev.act(stack.deviations_url, dev.REGION_MANAGER, other, "check", {}, status=200).json()["findings"]
    assert [(f["kind"], f["text"]) for f in found] == [("registered_name", open_surname)]
