"""The routes' dependencies, each named once as an `Annotated` alias (as FastAPI's full-stack
template names `CurrentUser`): a route says `who: CurrentUser`, or a role-bound alias made by
`signed_in_as`, instead of repeating `Depends(...)` in its signature.

Nobody logged in: the login page (frontend/errors.py); logged in with another role: 403 with
the alias's own Swedish explanation. The services check the same again (ADR 0018); this only
spares the user a form they cannot send.
"""
from __future__ import annotations

from typing import Annotated, Any, Iterable

from fastapi import Depends

from eventkit.identity import Identity, Role
from frontend.services_client import Forbidden
from frontend.web import current_identity

CurrentUser = Annotated[Identity, Depends(current_identity)]


def signed_in_as(roles: Iterable[Role], refusal: str) -> Any:
    """An alias for the logged-in user when their role is one of `roles`; another role is
    refused (403) with `refusal`."""
    allowed = frozenset(roles)

    def in_role(who: CurrentUser) -> Identity:
        if who.role not in allowed:
            raise Forbidden(refusal)
        return who

    return Annotated[Identity, Depends(in_role)]


# Everyone but the BUS secretariat, who sees deviations only in the county view (R23).
DeviationStaff = signed_in_as(set(Role) - {Role.BUS_SECRETARIAT}, "BUS-sekretariatet ser avvikelserna i länsbilden.")
