"""The cases application: commands and queries in the words of the support case.

Authorization of the acting identity happens here (who may act on which school unit);
the rules of the case itself live in the domain model.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from cases.domain.deadlines import ReferralDeadlines
from cases.domain.model import SupportCase
from cases.domain.values import PersonalIdentityNumber
from eventkit.identity import Identity, Role
from eventkit.store import ServiceApplication, acting_as

CASE_WORKERS = {Role.TEACHER, Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER, Role.REKTOR}


class NotPermitted(Exception):
    """The acting identity may not do this (wrong role, municipality or school unit)."""


class CaseNotFound(Exception):
    pass


class CasesApplication(ServiceApplication):
    name = "cases"
    database_variable = "CASES_DB"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        deadlines: Callable[[str], ReferralDeadlines] = lambda municipality: ReferralDeadlines(),
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.deadlines = deadlines

    # -- commands ------------------------------------------------------------------------
    def open_case(self, who: Identity, *, school_unit: str, pupil_personal_number: str, pupil_name: str) -> UUID:
        _require_case_worker(who, school_unit)
        pupil = PersonalIdentityNumber.parse(pupil_personal_number)
        case = SupportCase.open(
            municipality=who.municipality,
            school_unit=school_unit,
            pupil=pupil,
            pupil_name=pupil_name,
            opened_by=who.user_id,
        )
        with acting_as(who):
            self.save(case)
        return case.id

    def record_extra_adaptation(self, who: Identity, case_id: UUID, description: str) -> None:
        case = self._case_for(who, case_id)
        case.record_extra_adaptation(description, recorded_by=who.user_id)
        with acting_as(who):
            self.save(case)

    def refer_to_rektor(
        self,
        who: Identity,
        case_id: UUID,
        *,
        tried_adaptations: str = "",
        why_not_enough: str = "",
        special_reason: str = "",
    ) -> None:
        case = self._case_for(who, case_id)
        case.refer_to_rektor(
            referred_by=who.user_id,
            referred_at=self.clock(),
            tried_adaptations=tried_adaptations,
            why_not_enough=why_not_enough,
            special_reason=special_reason,
            deadlines=self.deadlines(case.municipality),
        )
        with acting_as(who):
            self.save(case)

    # -- queries -------------------------------------------------------------------------
    def case_details(self, who: Identity, case_id: UUID) -> dict[str, Any]:
        case = self._case_for(who, case_id)
        return {
            "case_id": str(case.id),
            "version": case.version,
            "municipality": case.municipality,
            "school_unit": case.school_unit,
            "pupil_name": case.pupil_name,
            "pupil_personal_number": case.pupil_personal_number,
            "opened_at": case.created_on.isoformat(),
            "extra_adaptations": list(case.adaptations),
            "referral": _jsonable(case.referral),
        }

    # -- helpers -------------------------------------------------------------------------
    def _case_for(self, who: Identity, case_id: UUID) -> SupportCase:
        try:
            case: SupportCase = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise CaseNotFound(str(case_id)) from None
        # The same answer for "not yours" as for "not there": existence is not disclosed.
        if case.municipality != who.municipality or not who.belongs_to(case.school_unit):
            raise CaseNotFound(str(case_id))
        if who.role not in CASE_WORKERS:
            raise NotPermitted("Din roll kan inte arbeta med elevärenden.")
        return case


def _require_case_worker(who: Identity, school_unit: str) -> None:
    if who.role not in CASE_WORKERS:
        raise NotPermitted("Din roll kan inte öppna elevärenden.")
    if not who.belongs_to(school_unit):
        raise NotPermitted("Du arbetar inte på den skolenheten.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
