"""Loggkontroll in Swedish (R15): every action of the access log, every kind one filters on,
every role and every route that hands out a pupil's record has its words; a new one without
them fails here. And the period one searches is refused where it cannot be true (no I/O)."""
from __future__ import annotations

from datetime import date

import pytest

from eventkit.accesslog import ACTIONS, OUTCOMES, PUPIL_RECORDS, RECORD_IDS
from eventkit.identity import Role
from frontend import accesslog_labels as words
from frontend.devlogin import ROLE_LABELS
from projections.accesslog.period import (
    KINDS, Period, PeriodEndsNoEarlierThanItStarts, PeriodIsNotInTheFuture, PeriodIsWithinTheLog,
)

TODAY = date(2026, 12, 7)


def test_r15_every_action_has_swedish_words_done_and_tried():
    assert set(words.VERBS) == set(ACTIONS) and set(words.TRIED) == set(ACTIONS)
    assert all(v and v.islower() for v in [*words.VERBS.values(), *words.TRIED.values()])


def test_r15_every_kind_of_access_one_filters_on_has_swedish_words_and_covers_every_action_once():
    assert set(words.KINDS) == set(KINDS)
    granted = [a for actions, outcome in KINDS.values() if outcome == "granted" for a in actions]
    assert sorted(granted) == sorted(ACTIONS)  # each action in exactly one kind
    assert {outcome for _, outcome in KINDS.values()} == set(OUTCOMES)


def test_r15_every_role_has_swedish_words():
    assert set(ROLE_LABELS) == set(Role)
    for role in Role:
        said = words.sentence("Anna Lind", role.value, "read", "/cases/{case_id}").split(", ")[1]
        assert said == ROLE_LABELS[role] and "_" not in said and said not in ("teacher", "special educator")


def _pupil_record_routes() -> set[str]:
    """Every route of the services that log accesses, decided by a pupil-record policy entry."""
    from fastapi.routing import iter_route_contexts

    from eventkit import authz
    from cases.entrypoints.api import app as cases
    from deviations.entrypoints.api import app as deviations
    from directory.entrypoints.api import app as directory
    from documentation.entrypoints.api import app as documentation

    found = set()
    for app in (cases, deviations, directory, documentation):
        for route in iter_route_contexts(app.routes):
            names_a_record = any(f"{{{name}}}" in route.path for name in RECORD_IDS)
            if set(authz.declared(route) or ()) & PUPIL_RECORDS and names_a_record:
                found.add(route.path)
    return found


def test_r15_every_route_that_hands_out_a_pupils_record_is_named_in_words_not_as_a_template():
    routes = _pupil_record_routes()
    assert "/cases/{case_id}" in routes and "/cases/{case_id}/medical" in routes
    missing = sorted(r for r in routes if r not in words.RESOURCES)
    assert missing == [], f"routes without Swedish words in frontend/accesslog_labels.py: {missing}"
    for route in routes:
        assert "{" not in words.resource_words(route) and "/" not in words.resource_words(route)


@pytest.mark.parametrize("action, resource, outcome, said", [
    ("read", "/cases/{case_id}", "granted", "Anna Lind, lärare, läste elevärendet"),
    ("print", "/cases/{case_id}", "granted", "Anna Lind, lärare, skrev ut åtgärdsprogrammet"),
    ("export", "/accesslog/export", "granted", "Anna Lind, lärare, exporterade loggkontrollens träffar"),
    ("change", "/cases", "granted", "Anna Lind, lärare, öppnade elevärendet"),
    ("change", "/cases/{case_id}/referral", "granted", "Anna Lind, lärare, ändrade anmälan till rektor i elevärendet"),
    ("read", "/cases/{case_id}", "refused", "Anna Lind, lärare, försökte läsa elevärendet – nekades"),
    ("read", "/cases/{case_id}/medical", "refused", "Anna Lind, lärare, försökte läsa elevhälsans medicinska del – nekades"),
])
def test_r15_an_entry_reads_as_a_sentence(action, resource, outcome, said):
    assert words.sentence("Anna Lind", "teacher", action, resource, outcome) == said


def test_r15_a_pupil_is_named_or_described_in_neutral_words():
    assert words.pupil_words({"name": "Hedvig Holm"}) == "Hedvig Holm"
    assert words.pupil_words({"protected": True}) == "elev med skyddade personuppgifter"
    assert words.pupil_words({"disposed": True}) == "gallrad elev"
    assert words.pupil_words({"unknown": True}) == "elev (namnet kan inte visas just nu)"


def test_r15_a_period_ends_no_earlier_than_it_starts():
    with pytest.raises(PeriodEndsNoEarlierThanItStarts) as refused:
        Period.of(date(2026, 9, 10), date(2026, 9, 1), TODAY)
    assert refused.value.fields == {"to": "Slutdatumet kan inte vara före startdatumet."}
    assert Period.of(date(2026, 9, 1), date(2026, 9, 1), TODAY).end.isoformat() == "2026-09-02T00:00:00+02:00"


def test_r15_a_period_is_not_in_the_future_nor_older_than_the_log_can_be():
    with pytest.raises(PeriodIsNotInTheFuture) as ahead:
        Period.of(date(2026, 12, 8), None, TODAY)
    assert "from" in ahead.value.fields
    with pytest.raises(PeriodIsWithinTheLog) as old:
        Period.of(None, date(1990, 1, 1), TODAY)
    assert "to" in old.value.fields
    assert Period.of(None, None, TODAY).start is None
