"""Every operation of every API names the entries of the one policy table it is decided by
(eventkit.authz.operation, R14, ADR 0018), and they are the ones listed here.

A new route without its entries fails here, and so does a route whose entries changed without
this table (and docs/architecture.md's "Who may see what") being read again. An entry no
operation uses fails too: the table says only what some API decides. The apps are imported, not
started: no database, no Kafka, no lifespan.
"""
from __future__ import annotations

import importlib

import pytest
from fastapi.routing import iter_route_contexts

from eventkit import authz

PUBLIC = "public"
# What every app serves unauthenticated: its health and its own description.
SERVED_BY_EVERY_APP = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
}

STEP = ("cases.read", "cases.write")  # a step of a case: readable (else not found), then writable
PROTECTING = ("cases.protect", "cases.read", "cases.write")
HANDLING = ("deviations.handle", "deviations.read", "deviations.read.all")

OPERATIONS: dict[str, dict[tuple[str, str], tuple[str, ...] | str]] = {
    "cases.entrypoints.api": {
        ("POST", "/cases"): ("cases.write",),
        ("GET", "/cases/{case_id}"): ("cases.read", "cases.read_investigation"),
        ("POST", "/cases/{case_id}/extra-adaptations"): STEP,
        ("POST", "/cases/{case_id}/referral"): STEP,
        ("POST", "/cases/{case_id}/investigation"): STEP,
        ("POST", "/cases/{case_id}/investigation/parts"): (*STEP, "cases.read_investigation"),
        ("POST", "/cases/{case_id}/investigation/conclusion"): (*STEP, "cases.read_investigation"),
        ("POST", "/cases/{case_id}/decisions"): STEP,
        ("POST", "/cases/{case_id}/decisions/{number}/delivery"): STEP,
        ("POST", "/cases/{case_id}/decisions/{number}/receipts"): STEP,
        ("POST", "/cases/{case_id}/decisions/{number}/appeals"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/joined"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/one-guardian"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/rejection"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/reconsideration"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/forwarding"): STEP,
        ("POST", "/cases/{case_id}/appeals/{number}/board"): STEP,
        ("POST", "/cases/{case_id}/participation"): STEP,
        ("POST", "/cases/{case_id}/programme"): STEP,
        ("POST", "/cases/{case_id}/follow-ups"): STEP,
        ("POST", "/cases/{case_id}/evaluation"): STEP,
        ("POST", "/cases/{case_id}/move"): ("cases.move", *STEP),
        ("POST", "/cases/{case_id}/corrections"): (*STEP, "cases.read_investigation"),
        ("GET", "/cases/{case_id}/history"): ("cases.read", "cases.read_investigation"),
        ("GET", "/delegations/{school_unit}"): ("cases.delegations.read",),
        ("POST", "/delegations/{school_unit}"): ("cases.write", "cases.delegations.write"),
        ("POST", "/delegations/{school_unit}/{number}/revocation"): ("cases.write", "cases.delegations.write"),
        ("POST", "/cases/{case_id}/protection"): PROTECTING,
        ("GET", "/cases/{case_id}/protection"): ("cases.read",),
        ("POST", "/cases/{case_id}/protection/grants"): PROTECTING,
        ("POST", "/cases/{case_id}/protection/revocations"): PROTECTING,
        ("POST", "/cases/{case_id}/investigation/invitations"): ("cases.invite", "cases.read", "cases.write"),
        ("POST", "/cases/{case_id}/investigation/withdrawals"): ("cases.invite", "cases.read", "cases.write"),
        ("GET", "/cases/{case_id}/medical"): ("cases.medical", "cases.read"),
        ("POST", "/cases/{case_id}/medical/entries"): ("cases.medical", "cases.read"),
        ("POST", "/cases/pupil-names"): ("cases.read",),
        ("POST", "/pupils/lookup"): ("cases.pupils.find",),
        ("POST", "/pupils/log-names"): ("cases.pupils.log-names",),
        ("POST", "/pupils/names-in-text"): ("cases.names",),
        ("POST", "/pupils/named-in-text"): ("cases.names",),  # and the calling service must be deviations
        ("POST", "/pupils/{pupil_ref}/disposal"): ("cases.dispose",),
        ("GET", "/disposal"): ("cases.disposal.read",),
        ("POST", "/disposal/runs"): ("cases.dispose",),
        ("GET", "/disposal/runs"): ("cases.disposal.read",),
    },
    "deviations.entrypoints.api": {
        ("GET", "/units/{unit}/configuration"): ("deviations.configure",),
        ("PUT", "/units/{unit}/configuration"): ("deviations.configure", "deviations.configure.units"),
        ("POST", "/deviations"): ("deviations.report",),
        ("GET", "/deviations"): ("deviations.read", "deviations.read.all"),
        ("GET", "/deviations/{deviation_id}"): ("deviations.read", "deviations.read.all"),
        ("POST", "/deviations/{deviation_id}/actions"): HANDLING,
        ("POST", "/deviations/{deviation_id}/answer"): HANDLING,
        ("POST", "/deviations/{deviation_id}/solved-locally"): HANDLING,
        ("POST", "/deviations/{deviation_id}/check"): HANDLING,
        ("POST", "/deviations/{deviation_id}/send"): HANDLING,
        ("POST", "/deviations/{deviation_id}/reopen"): HANDLING,
    },
    "documentation.entrypoints.api": {
        ("POST", "/interventions"): ("documentation.write",),
        ("GET", "/interventions"): ("documentation.read",),
        ("GET", "/interventions/{intervention_id}"): ("documentation.read",),
        ("POST", "/interventions/{intervention_id}/corrections"): ("documentation.read", "documentation.write"),
        ("POST", "/interventions/{intervention_id}/withdrawal"): ("documentation.read", "documentation.write"),
        ("GET", "/cases/{case_id}/interventions"): ("documentation.read",),
        ("GET", "/units/{school_unit}/overview"): ("documentation.read",),
    },
    "competence.entrypoints.api": {
        ("GET", "/profiles/{user_id}"): ("competence.read",),
        ("PUT", "/profiles/me"): ("competence.write", "competence.profile.write"),
        ("POST", "/missions"): ("competence.write", "competence.start"),
        ("GET", "/missions"): ("competence.read",),
        ("GET", "/missions/{mission_id}"): ("competence.read",),
        ("GET", "/missions/{mission_id}/history"): ("competence.read",),
        ("GET", "/missions/{mission_id}/goals/{goal_id}"): ("competence.read",),
        **{("POST", path): ("competence.write",) for path in (
            "/missions/{mission_id}/description",
            "/missions/{mission_id}/description/confirmation",
            "/missions/{mission_id}/goals",
            "/missions/{mission_id}/goals/{goal_id}/confirmation",
            "/missions/{mission_id}/goals/{goal_id}/follow-ups",
            "/missions/{mission_id}/goals/{goal_id}/assessments",
            "/missions/{mission_id}/assessments/{assessment_id}/confirmation",
            "/missions/{mission_id}/goals/{goal_id}/actions",
            "/missions/{mission_id}/needs",
            "/missions/{mission_id}/activities",
            "/missions/{mission_id}/activities/{activity_id}/allotment",
            "/missions/{mission_id}/activities/{activity_id}/completion",
            "/missions/{mission_id}/supervision",
            "/missions/{mission_id}/supervision/sessions",
        )},
    },
    "directory.entrypoints.api": {
        ("GET", "/pupils"): ("directory.pupils.read",),
        ("POST", "/pupils"): ("directory.pupils.register",),
        ("GET", "/pupils/{pupil_id}"): ("directory.pupils.read",),
        ("GET", "/staff/{user_id}"): ("directory.staff.identity",),  # and the calling service must be the frontend
        ("GET", "/staff"): ("directory.staff.read", "directory.staff.email"),  # the address: to notifications only
        ("GET", "/units"): ("directory.staff.read",),  # names and postal addresses of the units (the letters)
        ("GET", "/register/names"): ("directory.names",),  # and the calling service must be cases
        ("POST", "/sync"): ("directory.sync",),
        ("GET", "/sync"): ("directory.sync",),
        ("GET", "/quarantine"): ("directory.sync",),
    },
    "notifications.entrypoints.api": {
        ("GET", "/preferences/me"): ("notifications.preferences",),
        ("PUT", "/preferences/me"): ("notifications.preferences",),
    },
    "projections.followup.api": {
        ("GET", "/followup"): ("followup.read",),
        ("GET", "/owner/overview"): ("owner.read",),
    },
    "projections.worklist.api": {
        ("GET", "/tasks"): ("worklist.read",),  # and the calling service must be the frontend
        ("GET", "/tasks/summary"): ("worklist.read",),  # the frontend, or notifications for a user
        ("GET", "/pupil-cases"): ("worklist.pupils",),  # and the calling service must be the frontend
    },
    "projections.quality.api": {
        ("GET", "/quality"): ("quality.read", "quality.units"),
    },
    "projections.county.api": {
        **{("GET", path): ("county.read",) for path in (
            "/county/counts", "/county/deviations", "/county/deviations.csv", "/county/deviations/{deviation_id}",
            "/county/yearly/{year}",
        )},
        ("GET", "/county/held/{deviation_id}"): ("deviations.read",),  # the staff a deviation concerns
    },
    "projections.accesslog.api": {
        ("GET", "/accesslog"): ("accesslog.read",),
    },
}


def declared_operations(module: str) -> dict[tuple[str, str], tuple[str, ...] | str]:
    """(method, path) → the entries the route declared, or "public" for one that declared none."""
    app = importlib.import_module(module).app
    found = {}
    for route in iter_route_contexts(app.routes):
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found[(method, route.path)] = authz.declared(route) or PUBLIC
    return found


@pytest.mark.parametrize("module", sorted(OPERATIONS))
def test_every_operation_declares_the_policy_entries_listed_here(module):
    assert declared_operations(module) == {**SERVED_BY_EVERY_APP, **OPERATIONS[module]}


def test_every_entry_of_the_policy_decides_some_operation():
    used = {key for table in OPERATIONS.values() for entries in table.values() if entries != PUBLIC for key in entries}
    assert set(authz.POLICY) - used == set()


def test_an_operation_names_entries_that_are_in_the_policy():
    assert authz.operation("cases.read", "cases.write") == {"openapi_extra": {"x-policy": ["cases.read", "cases.write"]}}
    for wrong in ((), ("cases.reed",)):
        with pytest.raises(KeyError):
            authz.operation(*wrong)
