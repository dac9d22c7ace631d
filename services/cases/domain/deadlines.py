"""Deadlines after a referral (R2): a municipality setting, with the defaults of docs/rules.md."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ReferralDeadlines:
    """How promptly ("skyndsamt") the municipality requires investigation and decision."""

    investigation_start_school_days: int = 5
    decision_weeks: int = 4

    def investigation_due(self, referred_on: date) -> date:
        return add_school_days(referred_on, self.investigation_start_school_days)

    def decision_due(self, referred_on: date) -> date:
        return referred_on + timedelta(weeks=self.decision_weeks)


def add_school_days(start: date, days: int) -> date:
    """Weekdays after `start`. Holidays and breaks are the municipality's calendar, not modelled yet."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
