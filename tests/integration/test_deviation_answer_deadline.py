"""R21: the organisation where the deviation arose answers within the unit's configured time;
an unanswered deviation past it shows as overdue on the manager's view. The application runs
in-process on the real PostgreSQL with a controlled clock."""
from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from deviations.application import DeviationsApplication
from deviations.domain.values import InvolvedOrganisation
from tests.support.deviations import MANAGER, REPORTER
from tests.support.infrastructure import reset_database

pytestmark = pytest.mark.integration
REPORTED = date(2026, 1, 15)


class Clock:
    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


class ClockedDeviations(DeviationsApplication):
    # A database of its own: the running stack keeps using the deviations test database.
    database_variable = "DEVIATIONS_CLOCK_DB"


@pytest.fixture
def clock_and_app():
    os.environ.setdefault("DEVIATIONS_CLOCK_DB", "stodspar_deviations_clock")
    reset_database("DEVIATIONS_CLOCK_DB")
    clock = Clock(REPORTED)
    app = ClockedDeviations(today=clock)
    yield clock, app
    app.close()


def report(app: DeviationsApplication) -> str:
    school, bup = InvolvedOrganisation.parse("school", "municipality"), InvolvedOrganisation.parse("child_psychiatry", "region")
    return app.report(REPORTER, unit="0180-ENG", organisations=[school, bup], category="other", occurred_on=REPORTED,
                      description="BUP svarade inte på remissen.", tried_locally="Påminnelse skickad.", principled=False,
                      arose_in=bup)


def row(app: DeviationsApplication, deviation_id) -> dict:
    return next(r for r in app.overview(MANAGER) if r["deviation_id"] == str(deviation_id))


def test_r21_the_answer_deadline_flags_overdue_with_a_controlled_clock(clock_and_app):
    clock, app = clock_and_app
    app.configure_unit(MANAGER, "0180-ENG", reporters=[REPORTER.user_id], manager=MANAGER.user_id, answer_days=60)
    unanswered, answered = report(app), report(app)

    clock.today = REPORTED + timedelta(days=60)
    assert row(app, unanswered)["answer_due"] == "2026-03-16"
    assert not row(app, unanswered)["answer_overdue"]

    app.record_answer(MANAGER, answered, "BUP har gått igenom rutinen.")
    clock.today = REPORTED + timedelta(days=61)
    late = row(app, unanswered)
    assert late["answer_overdue"] and late["days_overdue"] == 1 and late["mine_to_handle"]
    assert not row(app, answered)["answer_overdue"]
    assert app.overview(MANAGER)[0]["deviation_id"] == str(unanswered)  # overdue first on the manager's view


def test_r21_the_answer_time_is_the_units_setting(clock_and_app):
    clock, app = clock_and_app
    app.configure_unit(MANAGER, "0180-ENG", reporters=[REPORTER.user_id], manager=MANAGER.user_id, answer_days=14)
    deviation_id = report(app)
    clock.today = REPORTED + timedelta(days=15)
    assert row(app, deviation_id)["answer_due"] == "2026-01-29" and row(app, deviation_id)["answer_overdue"]
