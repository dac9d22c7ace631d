"""What the notifications job asks other services over HTTP, on the municipality's behalf or
for one staff member; it never reads another service's database.

- The directory (`GET /staff`, caller "notifications"): the municipality's current staff with
  role, units and work e-mail address (from the register; only this caller gets the address).
- The task list (`GET {WORKLIST_URL}/tasks/summary`): {"count": n, "overdue": m} of one staff
  member, asked with that person's own identity, signed for the worklist by "notifications",
  so the task list applies the person's own scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from eventkit.config import env
from eventkit.identity import HEADER, Identity, Role, sign

TIMEOUT = httpx.Timeout(10.0, connect=2.0)
CALLER = "notifications"


class Unavailable(Exception):
    """The service did not answer, or failed on its side: the job tries again later."""


@dataclass(frozen=True)
class StaffMember:
    user_id: str
    role: str
    municipality: str
    school_units: tuple[str, ...]
    email: str

    def identity(self) -> Identity:
        """The person as the task list must see them (their name is not needed there)."""
        return Identity(self.user_id, self.user_id, Role(self.role), self.municipality, self.school_units)


@dataclass(frozen=True)
class Summary:
    count: int
    overdue: int


def directory_job(municipality: str) -> Identity:
    """The notifications job asking the directory on the municipality's behalf."""
    return Identity("aviseringar", "Aviseringar", Role.MUNICIPALITY_ADMIN, municipality)


class Directory:
    def __init__(self, base_url: str | None = None, http: httpx.Client | None = None) -> None:
        self.base_url = (base_url or env("DIRECTORY_URL")).rstrip("/")
        self.http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def staff(self, municipality: str) -> list[StaffMember]:
        headers = {HEADER: sign(directory_job(municipality), audience="directory", caller=CALLER)}
        try:
            response = self.http.get(f"{self.base_url}/staff", headers=headers)
        except httpx.HTTPError:
            raise Unavailable("directory") from None
        if response.status_code != 200:
            raise Unavailable(f"directory answered {response.status_code}")
        return [StaffMember(s["user_id"], s["role"], municipality, tuple(s.get("school_units") or ()),
                            s.get("email") or "") for s in response.json()["staff"]]


class Worklist:
    def __init__(self, base_url: str | None = None, http: httpx.Client | None = None) -> None:
        self.base_url = (base_url or env("WORKLIST_URL")).rstrip("/")
        self.http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def summary(self, who: StaffMember) -> Summary:
        headers = {HEADER: sign(who.identity(), audience="worklist", caller=CALLER)}
        try:
            response = self.http.get(f"{self.base_url}/tasks/summary", headers=headers)
        except httpx.HTTPError:
            raise Unavailable("worklist") from None
        if response.status_code in (403, 404):
            return Summary(0, 0)  # a role without tasks
        if response.status_code != 200:
            raise Unavailable(f"worklist answered {response.status_code}")
        answer: dict[str, Any] = response.json()
        return Summary(max(0, int(answer.get("count", 0))), max(0, int(answer.get("overdue", 0))))
