"""The routes' dependencies, each named once as an `Annotated` alias (as FastAPI's full-stack
template names `CurrentUser`): a route says `who: CurrentUser`, or a role-bound alias made by
`signed_in_as`, instead of repeating `Depends(...)` in its signature.

Nobody logged in: the login page (frontend/errors.py); logged in with another role: 403 with
the alias's own Swedish explanation. The services check the same again (ADR 0018); this only
spares the user a form they cannot send.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from eventkit import authz
from eventkit.identity import Identity
from frontend.services_client import Forbidden
from frontend.web import current_identity

CurrentUser = Annotated[Identity, Depends(current_identity)]


def signed_in_as(permission: str, refusal: str) -> Any:
    """An alias for the logged-in user when the policy entry `permission` (eventkit.authz)
    allows them; anyone else is refused (403) with `refusal`, said as this page would say it."""
    authz.POLICY[permission]  # an unknown entry fails at import, not at the first request

    def in_role(who: CurrentUser) -> Identity:
        if not authz.allows(who, permission):
            raise Forbidden(refusal)
        return who

    return Annotated[Identity, Depends(in_role)]


# The municipality's and region's staff; the BUS secretariat sees deviations only in the county view (R23).
DeviationStaff = signed_in_as("deviations.read", "BUS-sekretariatet ser avvikelserna i länsbilden.")
# Those who open and keep pupils' cases: the school's staff (the municipality's administrator does not).
CaseWorker = signed_in_as("cases.write", "Elevärenden öppnas och förs av skolans personal.")
