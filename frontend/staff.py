"""Who works where: the directory's staff (from their duties in the register) beside the seed
file's people SS 12000 does not carry (region, BUS secretariat, municipality administrators).

Pages name staff (`person(user_id)`) and offer them (whom to grant access, managers, special
educators); templates are rendered synchronously, so each request first makes sure the staff
of the user's municipality are at hand (`refresh`, an app dependency), read from the
directory's GET /staff at most once per TTL_SECONDS per municipality. A directory that does not
answer leaves the last list in force (and is asked again after FAILED_RETRY_SECONDS).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from fastapi import Request

from eventkit.identity import Identity, Role
from frontend.devlogin import Organisation
from frontend.directory_client import DirectoryClient
from frontend.services_client import Forbidden, IdentityNotAccepted, NotFound, ServiceRefused, ServiceUnavailable
from frontend.web import LoginRequired, current_identity

log = logging.getLogger(__name__)
TTL_SECONDS = 60.0
FAILED_RETRY_SECONDS = 10.0


@dataclass
class StaffDirectory:
    organisation: Organisation
    ttl: float = TTL_SECONDS
    _staff: dict[str, tuple[Identity, ...]] = field(default_factory=dict)  # by municipality
    _until: dict[str, float] = field(default_factory=dict)

    @property
    def users(self) -> tuple[Identity, ...]:
        """Everyone known: the directory's staff of the municipalities asked so far, then the seed file's."""
        seeded = {u.user_id for u in self.organisation.users}
        directory = tuple(u for staff in self._staff.values() for u in staff if u.user_id not in seeded)
        return (*directory, *self.organisation.users)

    def user(self, user_id: str) -> Identity | None:
        return next((u for u in self.users if u.user_id == user_id), None)

    def users_in(self, municipality: str) -> list[Identity]:
        return [u for u in self.users if u.municipality == municipality]

    def name(self, user_id: str) -> str:
        known = self.user(user_id)
        return known.display_name if known else user_id

    def remember(self, municipality: str, staff: list[dict]) -> None:
        people = []
        for member in staff:
            try:
                people.append(Identity(
                    user_id=str(member["user_id"]), display_name=str(member["name"]), role=Role(member["role"]),
                    municipality=str(member.get("municipality") or municipality), school_units=tuple(member.get("school_units") or ()),
                ))
            except (KeyError, ValueError):
                continue  # a role Stödspår does not know: not offered
        self._staff[municipality] = tuple(people)

    async def refresh(self, request: Request, who: Identity) -> None:
        """The staff of `who`'s municipality, asked as `who` when the list is older than the TTL."""
        municipality = who.municipality
        if time.monotonic() < self._until.get(municipality, 0.0) or len(municipality) != 4:
            return  # fresh, or not a municipality with schools (region, BUS secretariat)
        try:
            self.remember(municipality, await DirectoryClient.for_user(request, who).staff())
            self._until[municipality] = time.monotonic() + self.ttl
        except (ServiceUnavailable, NotFound, Forbidden, IdentityNotAccepted, ServiceRefused) as exc:
            log.warning("directory staff list not refreshed (%s)", type(exc).__name__)
            self._until[municipality] = time.monotonic() + FAILED_RETRY_SECONDS


async def staff_at_hand(request: Request) -> None:
    """App dependency: the logged-in user's municipality's staff are known before a page renders."""
    try:
        who = current_identity(request)
    except LoginRequired:
        return
    if request.app.state.backends.http is not None:
        await request.app.state.staff.refresh(request, who)
