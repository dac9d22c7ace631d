"""What the competence tests do again and again: the seeded people, and the dialogue between
rektor and the special educator through the real competence API."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from eventkit.identity import Identity, Role
from tests.conftest import headers_for, identity
from eventkit.dates import local_today

REKTOR = identity("rolf.ek", Role.REKTOR, "0180", "0180-ENG")
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
OTHER_REKTOR = identity("karin.holm", Role.REKTOR, "0180", "0180-KAT")
TEACHER = identity("anna.lind", Role.TEACHER, "0180", "0180-ENG")
SOLNA_REKTOR = identity("mia.falk", Role.REKTOR, "0184", "0184-TAL")
SOLNA_EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0184", "0184-TAL")  # same id, other municipality


def days(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


def call(base: str, who: Identity, path: str, body: dict[str, Any] | None = None, status: int = 201) -> dict[str, Any]:
    if body is None:
        response = httpx.get(f"{base}{path}", headers=headers_for(who, base))
    else:
        response = httpx.post(f"{base}{path}", json=body, headers=headers_for(who, base))
    assert response.status_code == status, response.text
    return response.json()


def agreed_mission(base: str) -> str:
    """Rektor starts the mission; both parties confirm its description (R12)."""
    mission_id = call(base, REKTOR, "/missions", {"school_unit": "0180-ENG", "special_educator": "sara.berg"})["mission_id"]
    call(base, REKTOR, f"/missions/{mission_id}/description",
         {"text": "Främst förebyggande arbete på organisations- och gruppnivå."})
    for who in (REKTOR, EDUCATOR):
        call(base, who, f"/missions/{mission_id}/description/confirmation", {"revision": 1})
    return mission_id


def agreed_goal(base: str, mission_id: str, **changes: Any) -> str:
    body = {"text": "Alla arbetslag får handledning i läsfrämjande lärmiljö.", "follow_up_dates": [days(7), days(60)]}
    body.update(changes)
    goal_id = call(base, REKTOR, f"/missions/{mission_id}/goals", body)["goal_id"]
    for who in (REKTOR, EDUCATOR):
        call(base, who, f"/missions/{mission_id}/goals/{goal_id}/confirmation", {})
    return goal_id
