"""Typed case state (frozen values, decision kinds as DecisionKind) still loads the events the
dict-shaped case stored (ADR 0006: only events are stored, no snapshots, so the events are
the whole contract): three cases and a delegation register written by commit d63b3da replay
into the new types, show exactly what the case API showed of them then, and take new commands.
In memory; tests/integration/test_case_events_stored_before_typed_state.py does the same
through PostgreSQL and the running service."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from eventsourcing.persistence import StoredEvent

from cases.application import CasesApplication
from cases.domain.decision import Decision, DecisionKind, Placement
from cases.domain.delegation import DelegationRegister
from cases.domain.programme import Measure, Programme
from eventkit.identity import Identity, Role
from tests.support.stored_cases import FIXTURE, old_delegation_events, store_old_events

SEEN_BEFORE = FIXTURE.with_name("seen_before_typed_state.json")
REKTOR = Identity("rolf.ek", "Rolf Ek", Role.REKTOR, "0180", ("0180-ENG",))
OTHER_REKTOR = Identity("karin.holm", "Karin Holm", Role.REKTOR, "0180", ("0180-KAT",))


@pytest.fixture()
def old():
    """The application (its clock where the expected views were taken) and the old cases' ids."""
    app = CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                           clock=lambda: datetime(2027, 1, 11, 9, tzinfo=timezone.utc))
    ids = store_old_events(app.recorder)
    register = DelegationRegister.id_for("0180", "0180-ENG")
    app.recorder.insert_events([StoredEvent(register, e["version"], e["topic"], e["state"].encode())
                                for e in old_delegation_events()])
    return app, ids


# whether the programme form is offered (R7); what the register says of the pupil; each
# correctable entry's fields with their values (R16); whether the investigation's content is
# left out for the reader and whom rektor invited to it (R14)
ADDED_SINCE = {"programme_to_issue", "protected_by_register", "left_school_unit", "removed_from_register",
               "correctable_fields", "investigation_withheld", "invited_to_investigation",
               "appeals", "appeal_pending"}
# R9: what each decision has gained since (delivery per recipient, the decisions that change one)
DECISION_ADDED_SINCE = {"deliveries", "changes_decision", "changed_by_decision", "by_board", "overturned", "in_force"}
NEWLY_CORRECTABLE = {"proposal"}  # an investigation's proposal, correctable since (R16)


def test_old_events_show_exactly_what_they_showed_before(old):
    app, ids = old
    seen_before = json.loads(SEEN_BEFORE.read_text(encoding="utf-8"))
    for name, case_id in ids.items():
        details = {**app.case_details(OTHER_REKTOR if name == "case_c" else REKTOR, case_id), "case_id": name}
        details["correctable"] = {v: kind for v, kind in details["correctable"].items() if kind not in NEWLY_CORRECTABLE}
        assert all(set(d) >= DECISION_ADDED_SINCE and d["deliveries"] == [] for d in details["decisions"]), name
        details["decisions"] = [{k: v for k, v in d.items() if k not in DECISION_ADDED_SINCE} for d in details["decisions"]]
        # What was shown is shown alike; what the case view has gained since is named here.
        assert {key: details[key] for key in seen_before[name]} == seen_before[name], name
        assert set(details) - set(seen_before[name]) == ADDED_SINCE, name
    assert app.delegations(REKTOR, "0180-ENG") == seen_before["delegations"]


def test_old_events_replay_into_the_typed_state(old):
    app, ids = old
    case = app.repository.get(ids["case_a"])
    first, second = case.decisions
    assert isinstance(first, Decision) and first.kind is DecisionKind.ESTABLISH_PROGRAMME
    assert second.kind is DecisionKind.CONTINUE_WITH_NEW_MEASURES and second.delegation_number == 1
    assert first.delivered_on == date(2026, 9, 24) and first.appeal_last_day == date(2026, 10, 15)  # as corrected
    assert all(isinstance(p, Programme) for p in case.programmes)
    assert case.programme_in_force().measures == (Measure("Skrivstöd i datorn", "Alla lektioner", "anna.lind"),)
    # as corrected (the correction names the event that recorded all parts; it corrects the last of them)
    assert case.investigations[0].parts["environment_individual"] == "Eleven vill ha en lugn arbetsplats."
    closed = app.repository.get(ids["case_b"])
    assert closed.decisions[0].placements == (Placement.SPECIAL_TEACHING_GROUP,) and closed.status == "closed"
    register = app.repository.get(DelegationRegister.id_for("0180", "0180-ENG"))
    assert register.grants[0].kinds == (DecisionKind.CONTINUE_WITH_NEW_MEASURES, DecisionKind.NO_PROGRAMME)


def test_an_old_case_takes_new_commands(old):
    app, ids = old
    app.record_follow_up(REKTOR, ids["case_a"], findings="Skrivstödet används varje lektion.")
    programme = app.case_details(REKTOR, ids["case_a"])["programme"]
    assert [f["findings"] for f in programme["follow_ups"]] == ["Skrivstödet används varje lektion."]
    assert programme["follow_ups"][0]["followed_up_on"] == "2027-01-11"


def test_an_old_case_follows_the_register_and_counts_as_open_at_its_unit(old):
    """Stored before the register was followed: unprotected by it, not left, not removed."""
    app, ids = old
    case = app.repository.get(ids["case_a"])
    assert not case.protected_by_register and not case.marked_by_rektor and case.left_school_unit is None
    assert not case.removed_from_register and case.counts_as_open_at(case.school_unit)
    assert case.follow_register_protection(protected=True, on=date(2027, 1, 11), rektors=("rolf.ek",))
    assert case.pupil_left_school_unit(school_unit=case.school_unit, on=date(2027, 1, 11))
    app.save(case)
    again = app.repository.get(ids["case_a"])
    assert again.protected and again.granted_to == ("rolf.ek",) and again.left_school_unit.left_on == date(2027, 1, 11)
