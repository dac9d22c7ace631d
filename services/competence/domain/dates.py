"""Plausible dates of the special educator's mission: the one place the competence service
says which typed date it believes (docs/rules.md, "Plausible dates").

- A goal's follow-ups (R13): in order, from today on (GoalHasAFollowUpSchedule), the last at
  most a year ahead.
- An activity's planned day (R12): not before the mission started, at most a year ahead.
- What was done — an activity completed, a supervision session held (R12): not in the future,
  not before the mission started.
"""
from __future__ import annotations

from datetime import date

from competence.domain.rules import (
    ActivityIsPlannedAtMostAYearAhead,
    DateIsNotBeforeTheMission,
    DateIsNotInTheFuture,
    GoalHasAFollowUpSchedule,
    GoalIsFollowedUpWithinAYear,
)
from competence.domain.values import schedule
from eventkit.dates import latest_ahead, swedish


def follow_up_schedule(dates: list[date], *, today: date) -> list[date]:
    dates = schedule(dates, today, GoalHasAFollowUpSchedule)
    if dates[-1] > latest_ahead(today):
        raise GoalIsFollowedUpWithinAYear(
            f"Målet följs upp inom ett år: den sista uppföljningen senast {swedish(latest_ahead(today))}.")
    return dates


def planned_by(day: date | None, *, started_on: date, today: date) -> date | None:
    if day is None:
        return None
    if day < started_on:
        raise DateIsNotBeforeTheMission(_before_the_mission(started_on)).at("planned_by")
    if day > latest_ahead(today):
        raise ActivityIsPlannedAtMostAYearAhead(
            f"Aktiviteten kan planeras högst ett år fram i tiden, senast {swedish(latest_ahead(today))}.")
    return day


def done_on(day: date, *, started_on: date, today: date) -> date:
    if day > today:
        raise DateIsNotInTheFuture()
    if day < started_on:
        raise DateIsNotBeforeTheMission(_before_the_mission(started_on))
    return day


def _before_the_mission(started_on: date) -> str:
    return f"Uppdraget påbörjades {swedish(started_on)}; datumet kan inte ligga före det."
