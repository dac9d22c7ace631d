"""Skyddad identitet (protected identity, R14): part of the support case.

Rektor marks the pupil's case as protected; from then on only the staff rektor grants access
see it (the marking rektor is granted at once). Grants and revocations are events, so who
granted whom, and when, is part of the case's history. Each event carries the whole list of
grants after it, so a read model can apply it without knowing the earlier ones.

Two sources protect a case: the population register's marking of the pupil (Skyddad
folkbokföring or Sekretessmarkering, followed from the directory: `RegisterProtectionChanged`)
and rektor's manual marking (for what the register does not know). The case is protected
while either says so; a lift by the register never lifts rektor's marking, and a case whose
protection ends keeps no grants (a later protection starts from its own).
"""
from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate, event

from cases.domain.rules import (
    AccessIsGrantedOnlyToAProtectedPupilsCase,
    AProtectedCaseKeepsSomeoneWithAccess,
    GrantIsGivenOnce,
    GrantNamesOneStaffMember,
    OnlyAGrantedAccessCanBeRevoked,
    OnlyRektorDecidesOnProtectedIdentity,
    ProtectedIdentityIsMarkedOnce,
)


class ProtectionSteps(Aggregate):
    """The protected-identity part of the support case (mixed into `SupportCase`)."""

    # Class defaults: cases opened before protection existed are unprotected; cases stored
    # before the register was followed were protected only by rektor's marking.
    protected = False
    granted_to = ()  # staff user ids with access
    marked_by_rektor = False
    protected_by_register = False

    def may_see(self, user_id: str) -> bool:
        return not self.protected or user_id in self.granted_to

    def mark_protected(self, *, marked_by: str, by_rektor: bool, on: date) -> None:
        if not by_rektor:
            raise OnlyRektorDecidesOnProtectedIdentity()
        if self.marked_by_rektor:
            raise ProtectedIdentityIsMarkedOnce()
        granted = self.granted_to if marked_by in self.granted_to else (*self.granted_to, marked_by)
        self._protected_identity_marked(user=marked_by, changed_by=marked_by, changed_on=on, granted_to=granted)

    def follow_register_protection(self, *, protected: bool, on: date, rektors: tuple[str, ...] = (), changed_by: str = "") -> bool:
        """The register protects the pupil, or lifts its protection (R14). Protected: the unit's
        rektors (`rektors`) are granted, so someone decides on access. Lifted: the case stays
        protected while rektor's own marking stands. Whether anything changed (the register's
        news of what the case already follows changes nothing)."""
        if protected == self.protected_by_register:
            return False
        if protected:
            granted = (*self.granted_to, *(r for r in dict.fromkeys(rektors) if r and r not in self.granted_to))
        else:
            granted = self.granted_to if self.marked_by_rektor else ()
        self._register_protection_changed(register_protected=protected, protected=protected or self.marked_by_rektor,
                                          changed_by=changed_by, changed_on=on, granted_to=granted)
        return True

    def grant_access(self, *, user: str, granted_by: str, by_rektor: bool, on: date) -> None:
        if not by_rektor:
            raise OnlyRektorDecidesOnProtectedIdentity()
        if not self.protected:
            raise AccessIsGrantedOnlyToAProtectedPupilsCase()
        user = (user or "").strip()
        if not user:
            raise GrantNamesOneStaffMember()
        if user in self.granted_to:
            raise GrantIsGivenOnce()
        self._access_granted(user=user, changed_by=granted_by, changed_on=on, granted_to=(*self.granted_to, user))

    def revoke_access(self, *, user: str, revoked_by: str, by_rektor: bool, on: date) -> None:
        if not by_rektor:
            raise OnlyRektorDecidesOnProtectedIdentity()
        user = (user or "").strip()
        if not self.protected or user not in self.granted_to:
            raise OnlyAGrantedAccessCanBeRevoked()
        remaining = tuple(u for u in self.granted_to if u != user)
        if not remaining:
            raise AProtectedCaseKeepsSomeoneWithAccess()
        self._access_revoked(user=user, changed_by=revoked_by, changed_on=on, granted_to=remaining)

    @event("ProtectedIdentityMarked")
    def _protected_identity_marked(self, user: str, changed_by: str, changed_on: date, granted_to: tuple[str, ...]) -> None:
        self.protected = True
        self.marked_by_rektor = True
        self.granted_to = tuple(granted_to)

    @event("RegisterProtectionChanged")
    def _register_protection_changed(
        self, register_protected: bool, protected: bool, changed_by: str, changed_on: date, granted_to: tuple[str, ...],
    ) -> None:
        """`register_protected`: what the register says now; `protected`: the case after it."""
        self.protected_by_register = register_protected
        self.protected = protected
        self.granted_to = tuple(granted_to)

    @event("AccessGranted")
    def _access_granted(self, user: str, changed_by: str, changed_on: date, granted_to: tuple[str, ...]) -> None:
        self.granted_to = tuple(granted_to)

    @event("AccessRevoked")
    def _access_revoked(self, user: str, changed_by: str, changed_on: date, granted_to: tuple[str, ...]) -> None:
        self.granted_to = tuple(granted_to)
