"""Support cases that ended weeks ago, for the tests of disposal (R17): a pupil's records are
never disposed of while an appeal window is open (a decision delivered less than three weeks
ago, or not yet delivered), so a case finished today is not due for weeks. As the demo seed
does (deploy/demo_seed.py), the case is stored by the cases application in this process, with
a clock set back, into the same event store, key store and access log as the running cases
service; its relay publishes the events as any others. Nothing is faked: the same commands,
under the same rules, on the days they would have been given."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from functools import cache
from typing import Iterator
from uuid import UUID

import eventsourcing.domain

from eventkit.dates import LOCAL_TIME, local_today
from eventkit.identity import Identity, Role
from tests.support.pupils import directory_pupil

TEACHER = Identity("lena.dahl", "Lena Dahl", Role.TEACHER, "0126", ("0126-SKO",))
REKTOR = Identity("per.wiklund", "Per Wiklund", Role.REKTOR, "0126", ("0126-SKO",))
PARTS = ("pupil_view", "guardians_view", "school_view", "pedagogical_assessment", "environment_organisation",
         "environment_group", "environment_individual")


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(LOCAL_TIME)

    def __call__(self) -> datetime:
        return self.now


@cache
def _cases(directory_url: str):
    from cases.directory import DirectoryOverHttp
    from cases.records import RecordKeepingCases
    from cases.settings import deadlines_for, retention_for

    clock = Clock()
    return RecordKeepingCases(deadlines=deadlines_for, retention=retention_for, directory=DirectoryOverHttp(directory_url),
                              clock=clock), clock


@contextmanager
def _on(clock: Clock, days_ago: int) -> Iterator[None]:
    """Commands inside are given `days_ago` (events stamped so too, as the demo seed's are)."""
    clock.now = datetime.combine(local_today() - timedelta(days=days_ago), time(9), LOCAL_TIME)
    original = eventsourcing.domain.datetime_now_with_tzinfo
    eventsourcing.domain.datetime_now_with_tzinfo = lambda: clock.now
    try:
        yield
    finally:
        eventsourcing.domain.datetime_now_with_tzinfo = original


def finished_huddinge_case(stack, pin: str, name: str, *, days_ago: int = 40, delivered: bool = True) -> str:
    """A Huddinge pupil's case (retention 0 years in the test settings) opened, investigated and
    decided `days_ago` (no programme), the decision delivered the same day unless not
    `delivered`: with the default, its appeal window closed weeks ago and it is due today. Its
    texts name the pupil (name and personnummer), as the disposal scans want."""

    cases, clock = _cases(stack.directory_url)
    pupil_id = directory_pupil(stack, "0126-SKO", number=pin, name=name)
    with _on(clock, days_ago):
        pupil = cases.directory.pupil(TEACHER, pupil_id)
        assert pupil is not None, "the directory knows the pupil it just registered"
        case_id: UUID = cases.open_case(TEACHER, school_unit="0126-SKO", pupil=pupil).case_id
        cases.record_extra_adaptation(TEACHER, case_id, f"{name} får extra tid")
        cases.refer_to_rektor(TEACHER, case_id, tried_adaptations=f"Extra tid för {name}",
                              why_not_enough=f"{name} ({pin}) behöver mer")
        cases.start_investigation(REKTOR, case_id, investigator="per.wiklund", student_health_team=True)
        cases.record_investigation(REKTOR, case_id, parts={p: f"{name}: {p}" for p in PARTS})
        cases.conclude_investigation(REKTOR, case_id, proposal=f"Inget program för {name}")
        cases.decide(REKTOR, case_id, kind="no_programme", reasons=f"{name} klarar sig.")
        if delivered:
            cases.record_delivery(REKTOR, case_id, decision_number=1, delivered_on=clock.now.date())
    return str(case_id)
