"""Who may see and do what with a support case (R14): the cases service's policy functions.

Roles come from eventkit.authz.POLICY; here they meet the case itself: its municipality and
school unit, its protected identity, and the medical domain. Every "may not see" answers as
"not found" (CaseNotFound in the application), so existence is not disclosed.
"""
from __future__ import annotations

from eventkit import authz
from eventkit.identity import Identity, NotPermitted

READ, WRITE, MOVE, PROTECT, MEDICAL = "cases.read", "cases.write", "cases.move", "cases.protect", "cases.medical"
DELEGATIONS_READ, DELEGATIONS_WRITE = "cases.delegations.read", "cases.delegations.write"
NAMES, FIND_PUPIL, DISPOSE = "cases.names", "cases.pupils.find", "cases.dispose"
READ_INVESTIGATION, INVITE = "cases.read_investigation", "cases.invite"
DISPOSAL_READ = "cases.disposal.read"
LOG_NAMES = "cases.pupils.log-names"


def sees_case(who: Identity, case) -> bool:
    """Own municipality and unit, and for a protected pupil an explicit grant."""
    return authz.in_unit(who, case.municipality, case.school_unit) and case.may_see(who.user_id)


def sees_investigation(who: Identity, case) -> bool:
    """The investigation's content (R14): by role (special educator, EHT member, rektor), or a
    teacher who takes part in it (invited by rektor, or its investigator)."""
    return case.investigation_visible_to(who.user_id, by_role=authz.allows(who, READ_INVESTIGATION))


def sees_medical_record_role(who: Identity) -> bool:
    """School nurse or doctor (an EHT member with the medical claim); rektor never (R14)."""
    return authz.allows(who, MEDICAL)


def require_role(who: Identity, permission: str) -> None:
    authz.require(who, permission)


def require_unit(who: Identity, permission: str, school_unit: str) -> None:
    """For commands that name a unit (open a case, delegations): role first, then the unit."""
    authz.require(who, permission)
    if not who.belongs_to(school_unit):
        raise NotPermitted("Du arbetar inte på den skolenheten.")
