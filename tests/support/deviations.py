"""What the deviation tests do again and again: the seeded people, configuring units,
reporting and handling through the real deviations API."""
from __future__ import annotations

import httpx

from eventkit.identity import Identity, Role
from tests.conftest import headers_for, identity

REPORTER = identity("anna.lind", Role.TEACHER, "0180", "0180-ENG")
MANAGER = identity("rolf.ek", Role.REKTOR, "0180", "0180-ENG")
NOT_A_REPORTER = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
SOLNA_REPORTER = identity("ola.nilsson", Role.TEACHER, "0184", "0184-TAL")
SOLNA_MANAGER = identity("mia.falk", Role.REKTOR, "0184", "0184-TAL")
HUDDINGE_REPORTER = identity("lena.dahl", Role.TEACHER, "0126", "0126-SKO")
HUDDINGE_MANAGER = identity("per.wiklund", Role.REKTOR, "0126", "0126-SKO")
REGION_REPORTER = identity("erik.sjo", Role.REGION_STAFF, "01", "01-BUPS")
REGION_MANAGER = identity("helena.bjork", Role.REGION_STAFF, "01", "01-BUPS")
REGION_ADMIN = identity("maria.lund", Role.MUNICIPALITY_ADMIN, "01", "01-BUPS")
SECRETARIAT = identity("birgitta.sund", Role.BUS_SECRETARIAT, "00")

UNITS = [
    (MANAGER, "0180-ENG", [REPORTER.user_id], MANAGER.user_id),
    (SOLNA_MANAGER, "0184-TAL", [SOLNA_REPORTER.user_id], SOLNA_MANAGER.user_id),
    (HUDDINGE_MANAGER, "0126-SKO", [HUDDINGE_REPORTER.user_id], HUDDINGE_MANAGER.user_id),
    (REGION_ADMIN, "01-BUPS", [REGION_REPORTER.user_id], REGION_MANAGER.user_id),
]


def configure_units(base: str) -> None:
    for who, unit, reporters, manager in UNITS:
        response = httpx.put(f"{base}/units/{unit}/configuration", headers=headers_for(who, base),
                             json={"reporters": reporters, "manager": manager, "answer_days": 60})
        assert response.status_code == 200, response.text


def a_report(**changes) -> dict:
    body = {
        "unit": "0180-ENG",
        "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}],
        "arose_in": {"kind": "child_psychiatry", "side": "region"},
        "category": "party_absent_from_meetings",
        "occurred_on": "2026-02-10",
        "description": "BUP deltog inte i det planerade SIP-mötet.",
        "tried_locally": "Rektor har ringt BUP:s enhetschef.",
        "principled": False,
    }
    body.update(changes)
    return body


def report(base: str, who: Identity = REPORTER, **changes) -> str:
    response = httpx.post(f"{base}/deviations", json=a_report(**changes), headers=headers_for(who, base))
    assert response.status_code == 201, response.text
    return response.json()["deviation_id"]


def act(base: str, who: Identity, deviation_id: str, path: str, body: dict, status: int = 201) -> httpx.Response:
    response = httpx.post(f"{base}/deviations/{deviation_id}/{path}", json=body, headers=headers_for(who, base))
    assert response.status_code == status, response.text
    return response


def send(base: str, who: Identity, deviation_id: str, decide: str = "redact") -> None:
    """Record a local action, then check the texts, redact (or confirm, where that is allowed)
    every finding and send."""
    act(base, who, deviation_id, "actions", {"text": "Möte med BUP:s chef bokat."})
    findings = act(base, who, deviation_id, "check", {}, status=200).json()["findings"]
    act(base, who, deviation_id, "send", {"decisions": {f["key"]: "redact" if f["redact_only"] else decide for f in findings}})
