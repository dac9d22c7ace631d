"""Who reports and who is responsible, per unit (R20): the unit's deviation configuration.

Each organisation decides this locally; every change is an event, so it is always known who
was the responsible manager when a deviation was handled.
"""
from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from deviations.domain.rules import (
    AnswerTimeIsAWholeNumberOfDays,
    OnlyConfiguredReportersMayReport,
    OnlyTheResponsibleManagerHandlesTheDeviation,
    UnitHasAResponsibleManager,
)

DEFAULT_ANSWER_DAYS = 60  # R21: the organisation where it arose answers within 60 days


def _checked(reporters: list[str], manager: str, answer_days: int) -> tuple[list[str], str, int]:
    manager = (manager or "").strip()
    if not manager:
        raise UnitHasAResponsibleManager()
    if not isinstance(answer_days, int) or isinstance(answer_days, bool) or not 1 <= answer_days <= 365:
        raise AnswerTimeIsAWholeNumberOfDays()
    cleaned = sorted({r.strip() for r in reporters if r and r.strip()})
    return cleaned, manager, answer_days


class UnitConfiguration(Aggregate):
    """Avvikelserapportering per enhet: reporters, the responsible manager, the answer time."""

    @staticmethod
    def create_id(organisation: str, unit: str, **_: object) -> UUID:
        return UnitConfiguration.id_for(organisation, unit)

    @staticmethod
    def id_for(organisation: str, unit: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:deviations:unit:{organisation}:{unit}")

    @classmethod
    def configure(
        cls, *, organisation: str, unit: str, reporters: list[str], manager: str,
        answer_days: int = DEFAULT_ANSWER_DAYS, configured_by: str,
    ) -> "UnitConfiguration":
        reporters, manager, answer_days = _checked(reporters, manager, answer_days)
        return cls(
            organisation=organisation, unit=unit, reporters=reporters, manager=manager,
            answer_days=answer_days, configured_by=configured_by,
        )

    @event("Configured")
    def __init__(
        self, organisation: str, unit: str, reporters: list[str], manager: str, answer_days: int, configured_by: str
    ) -> None:
        self.organisation = organisation
        self.unit = unit
        self.reporters = list(reporters)
        self.manager = manager
        self.answer_days = answer_days

    def change(self, *, reporters: list[str], manager: str, answer_days: int, changed_by: str) -> bool:
        """A new configuration; returns False (and records nothing) when nothing changed."""
        reporters, manager, answer_days = _checked(reporters, manager, answer_days)
        if (reporters, manager, answer_days) == (self.reporters, self.manager, self.answer_days):
            return False
        self._changed(reporters=reporters, manager=manager, answer_days=answer_days, changed_by=changed_by)
        return True

    @event("Changed")
    def _changed(self, reporters: list[str], manager: str, answer_days: int, changed_by: str) -> None:
        self.reporters = list(reporters)
        self.manager = manager
        self.answer_days = answer_days

    def authorise_reporter(self, user_id: str) -> None:
        # The responsible manager may always report for the unit.
        if user_id not in self.reporters and user_id != self.manager:
            raise OnlyConfiguredReportersMayReport()

    def authorise_manager(self, user_id: str) -> None:
        if user_id != self.manager:
            raise OnlyTheResponsibleManagerHandlesTheDeviation()
