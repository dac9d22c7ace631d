"""What a user would check after a simulated school year, counted twice: in the event store of
the service that owns the facts (or in its access log), and in the read model that shows them.

Each figure is exact: the read model's number must equal the store's once the view has caught
up (the caller waits for that), whatever happened in the year — moves between units, protected
pupils, appeals, disposals, messages delivered twice. Each view's function says why. A figure
that SQL over the store cannot give exactly is left out rather than approximated.

The stores are the `eventsourcing` library's tables, `<application name>_events`
(`cases_events`, `deviations_events`, ...). An event is counted by its `topic` (its class path),
taken here from the very classes the relays' `isinstance` checks publish (`topics`), and by its
`originator_id` (the aggregate's id, which every public event carries as the case's, deviation's
or mission's id). Which cases are open also reads two fields of events: `state` is the
event's plain JSON (bytea, no cipher and no compressor: only the personal fields inside are
sealed one by one, `eventkit.shredding`), and the fields read — a decision's `kind`, a
disposal's `case_ids` — are structure that stays readable (`cases/personal_data.py`, `STRUCTURE`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic

from cases.domain.decision import DecisionKind, DecisionSteps
from cases.domain.disposal import PupilRecordsDisposal
from cases.domain.model import SupportCase
from competence.domain.cycle import QualityCycle
from competence.domain.mission import Mission
from deviations.domain.model import Deviation
from documentation.domain.model import Intervention
from tests.support.infrastructure import query


@dataclass(frozen=True)
class Figure:
    view: str  # "followup", "quality", "county", "accesslog", "worklist"
    what: str  # English phrase, e.g. "open support cases"
    store: int  # counted in the owning service's event store (or access-log store)
    shown: int  # counted in the read model


@dataclass(frozen=True)
class Count:
    """One number: a SELECT of one row and one column in one database (named by its variable
    in deploy/stodspar.env, in this run's namespace: eventkit.config.Postgres.for_database)."""

    database: str
    sql: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __call__(self) -> int:
        [(value,)] = query(self.database, self.sql, self.params)
        return int(value)


@dataclass(frozen=True)
class Check:
    view: str
    what: str
    store: Count
    shown: Count


def topics(*classes: type) -> list[str]:
    """The stored topics of these event classes and of their subclasses: the events a relay's
    `isinstance` publishes. (A step's event raised on a `SupportCase` or a `Mission` is stored
    under the step's class, `DecisionSteps.Decided`; the aggregate's subclass of it is listed too.)"""
    found, waiting = [], list(classes)
    while waiting:
        cls = waiting.pop(0)
        found.append(get_topic(cls))
        waiting.extend(cls.__subclasses__())
    return found


# -- the stores ----------------------------------------------------------------------------------
# A store is named by its application (`name` of its eventkit.store.ServiceApplication): its
# events are in the table `<store>_events` of the database `<STORE>_DB`.


def stored(store: str, *classes: type) -> Count:
    """The events of `classes` in `store`."""
    return Count(f"{store.upper()}_DB", f"SELECT count(*) FROM {store}_events WHERE topic = ANY(%(kinds)s)",
                 {"kinds": topics(*classes)})


def made_and_not_ended(store: str, made: type, *ending: type) -> Count:
    """The aggregates of `store` that a `made` event began and no event of `ending` has ended."""
    return Count(f"{store.upper()}_DB",
                 f"SELECT count(*) FROM {store}_events m WHERE m.topic = ANY(%(made)s) AND NOT EXISTS"
                 f" (SELECT 1 FROM {store}_events e WHERE e.originator_id = m.originator_id"
                 " AND e.topic = ANY(%(ending)s))",
                 {"made": topics(made), "ending": topics(*ending)})


# -- the cases store: which cases are open --------------------------------------------------------
CASES = {
    "opened": topics(SupportCase.Opened),
    "adapted": topics(SupportCase.ExtraAdaptationRecorded),
    "decided": topics(DecisionSteps.Decided),
    "closing": DecisionKind.CLOSE_PROGRAMME.value,
    "disposed": topics(PupilRecordsDisposal.Disposed),
}
# A case is closed by its decision to close the programme (R10). Reconsiderations and the board
# cannot close (their kinds are the appealable ones), and nothing reopens a closed case: every
# later command is refused (ClosedCaseTakesNoNewEntries), so the views' status 'closed' stays.
CLOSED_CASE_IDS = ("SELECT DISTINCT originator_id FROM cases_events WHERE topic = ANY(%(decided)s)"
                   " AND convert_from(state, 'UTF8')::jsonb ->> 'kind' = %(closing)s")
# R17: the cases a disposal names (stored as strings, or as the transcoder's {"_data_": hex} of a UUID).
DISPOSED_CASE_IDS = ("SELECT coalesce(named.id ->> '_data_', named.id #>> '{}')::uuid FROM cases_events,"
                     " jsonb_array_elements(convert_from(state, 'UTF8')::jsonb -> 'case_ids') AS named(id)"
                     " WHERE topic = ANY(%(disposed)s)")
OPEN_CASE_IDS = ("SELECT originator_id FROM cases_events WHERE topic = ANY(%(opened)s)"
                 f" EXCEPT {CLOSED_CASE_IDS} EXCEPT {DISPOSED_CASE_IDS}")
OPEN_CASES = Count("CASES_DB", f"SELECT count(*) FROM ({OPEN_CASE_IDS}) AS open_case", CASES)


# -- the views -----------------------------------------------------------------------------------
def followup() -> list[Check]:
    """Rektor's follow-up page and the school owner's view (stodspar_followup).

    - open support cases: the rows every follow-up page is cut from (status not 'closed', not
      disposed) == the cases opened, less those closed by decision and those a disposal names.
      A row is made once per CaseOpened and never deleted; a move changes its unit only; a
      disposal marks it in either order with the case's events (the tombstone). A protected
      pupil's case counts on both sides: the pages hide it per viewer, the table keeps it.
    - support cases closed by decision: rows with status 'closed' == cases with a closing
      decision (see CLOSED_CASE_IDS); a disposal leaves the status as it was.
    - extra adaptations on open cases: the open rows' `adaptations` == the
      ExtraAdaptationRecorded events of those cases. Each event adds one, once (processed_event),
      after its case's CaseOpened (one case's events keep their order on one partition); no
      event takes one away.
    - deviations reported (school owner's view): `owner_deviation` == every Deviation.Reported:
      one row per deviation, none filtered out or removed.
    """
    open_rows = "status <> 'closed' AND disposed_on IS NULL"
    return [
        Check("followup", "open support cases", OPEN_CASES,
              Count("FOLLOWUP_DB", f"SELECT count(*) FROM followup_case WHERE {open_rows}")),
        Check("followup", "support cases closed by decision",
              Count("CASES_DB", f"SELECT count(*) FROM ({CLOSED_CASE_IDS}) AS closed_case", CASES),
              Count("FOLLOWUP_DB", "SELECT count(*) FROM followup_case WHERE status = 'closed'")),
        Check("followup", "extra adaptations recorded on open cases",
              Count("CASES_DB", "SELECT count(*) FROM cases_events WHERE topic = ANY(%(adapted)s)"
                                f" AND originator_id IN ({OPEN_CASE_IDS})", CASES),
              Count("FOLLOWUP_DB", f"SELECT coalesce(sum(adaptations), 0) FROM followup_case WHERE {open_rows}")),
        Check("followup", "deviations reported (school owner's view)",
              stored("deviations", Deviation.Reported),
              Count("FOLLOWUP_DB", "SELECT count(*) FROM owner_deviation")),
    ]


def quality() -> list[Check]:
    """Rektor's quality view (stodspar_quality), from the competence and documentation stores.

    Every row below is inserted once per event, keyed by an id the event alone carries (the
    mission's id, a goal's or a supervision session's uuid4, the intervention's id), and never
    deleted; every contract read is at 1.x, so the view's version filter passes them all.
    - missions started: `quality_mission` == Mission.Started.
    - goals proposed: `quality_goal` == GoalProposed (a revised goal is a new goal; the one it
      replaces keeps its row).
    - supervision sessions held: `quality_supervision` == SupervisionHeld.
    - interventions in the counts: rows not withdrawn == interventions recorded without a
      withdrawal (withdrawn once and for good; a correction changes facts, never the count).
    """
    return [
        Check("quality", "missions started",
              stored("competence", Mission.Started),
              Count("QUALITY_DB", "SELECT count(*) FROM quality_mission")),
        Check("quality", "goals proposed",
              stored("competence", QualityCycle.GoalProposed),
              Count("QUALITY_DB", "SELECT count(*) FROM quality_goal")),
        Check("quality", "supervision sessions held",
              stored("competence", Mission.SupervisionHeld),
              Count("QUALITY_DB", "SELECT count(*) FROM quality_supervision")),
        Check("quality", "interventions in the counts (recorded, not withdrawn)",
              made_and_not_ended("documentation", Intervention.Recorded, Intervention.Withdrawn),
              Count("QUALITY_DB", "SELECT count(*) FROM quality_intervention WHERE NOT withdrawn")),
    ]


# What the county worker's regional check held back and never published (R22): kept beside the
# view in its database (`held_deviation`, shown to the municipality's staff), not in the view.
HELD_ONLY = ("SELECT count(DISTINCT h.deviation_id) FROM held_deviation h"
             " WHERE NOT EXISTS (SELECT 1 FROM county_deviation c WHERE c.deviation_id = h.deviation_id)")
SENT_DEVIATIONS = Count("DEVIATIONS_DB", "SELECT count(DISTINCT originator_id) FROM deviations_events"
                        " WHERE topic = ANY(%(sent)s)", {"sent": topics(Deviation.SentToBus)})


def county() -> list[Check]:
    """The BUS secretariat's county view (stodspar_county), built from bus.deviations.v1 only.

    Every DeviationSentToBus is either published (and then the deviation is a row of
    `county_deviation`, once however often it is sent) or held back by the regional check (a
    row of `held_deviation`); which one depends on the register and the lexicon at the time, so
    the view's own count is exact only together with what was held and never published.
    - deviations sent to the BUS secretariat: deviations in the view, plus those only held ==
      deviations with a SentToBus event (a sending returned by the check and sent again is
      still one deviation).
    - the same, counted by year: each deviation in the view adds one to exactly one yearly
      bucket of all organisations ('*'), so those buckets' sum plus the held ones == the same.
    """
    return [
        Check("county", "deviations sent to the BUS secretariat (in the view or held back)", SENT_DEVIATIONS,
              Count("COUNTY_DB", f"SELECT (SELECT count(*) FROM county_deviation) + ({HELD_ONLY})")),
        Check("county", "deviations sent to the BUS secretariat, in the yearly counts (or held back)", SENT_DEVIATIONS,
              Count("COUNTY_DB", "SELECT (SELECT coalesce(sum(deviations), 0) FROM county_count"
                                 f" WHERE period_kind = 'year' AND organisation = '*') + ({HELD_ONLY})")),
    ]


# The services that keep an access log (eventkit.accesslog.AccessLog(database, service)), each
# relayed by its relay process to stodspar.accesslog.v1.
ACCESS_LOGS = {"cases": "CASES_DB", "deviations": "DEVIATIONS_DB", "documentation": "DOCUMENTATION_DB",
               "directory": "DIRECTORY_DB"}


def accesslog() -> list[Check]:
    """Loggkontroll (stodspar_accesslog): one `access_entry` per entry of a service's
    `access_log`, refusals included, by the entry's own id (a redelivery inserts nothing; nothing
    is filtered or deleted). The entry carries its service, so each log is compared with its own
    share of the view."""
    return [
        Check("accesslog", f"access-log entries of the {service} service",
              Count(database, "SELECT count(*) FROM access_log"),
              Count("ACCESSLOG_DB", "SELECT count(*) FROM access_entry WHERE service = %(service)s",
                    {"service": service}))
        for service, database in ACCESS_LOGS.items()
    ]


def worklist() -> list[Check]:
    """Att göra and Mina elever (stodspar_worklist).

    - open support cases: `worklist_case` rows not closed and not disposed (what Mina elever
      lists from) == the same cases as the follow-up view's (OPEN_CASES): one row per CaseOpened,
      'closed' by the closing decision only, `disposed` in either order with the case's events.
    - deviations waiting to be handled: `handle_deviation` tasks == deviations reported with
      neither SolvedLocally nor SentToBus (one outcome; a sending returned by the regional
      check is not published, so it brings no task back).
    - deviations waiting for their answer: `record_deviation_answer` tasks == deviations
      reported without AnswerRecorded (recorded once). Deviation tasks are keyed by the
      deviation: made once by its report, ended by its event, untouched by disposal.
    """
    return [
        Check("worklist", "open support cases", OPEN_CASES,
              Count("WORKLIST_DB", "SELECT count(*) FROM worklist_case WHERE status <> 'closed' AND NOT disposed")),
        Check("worklist", "deviations waiting to be handled",
              made_and_not_ended("deviations", Deviation.Reported, Deviation.SolvedLocally, Deviation.SentToBus),
              Count("WORKLIST_DB", "SELECT count(*) FROM worklist_task WHERE kind = 'handle_deviation'")),
        Check("worklist", "deviations waiting for their answer",
              made_and_not_ended("deviations", Deviation.Reported, Deviation.AnswerRecorded),
              Count("WORKLIST_DB", "SELECT count(*) FROM worklist_task WHERE kind = 'record_deviation_answer'")),
    ]


def checks() -> list[Check]:
    return [*followup(), *quality(), *county(), *accesslog(), *worklist()]


def figures() -> list[Figure]:
    """Every figure, each counted in its store and in its view now."""
    return [Figure(c.view, c.what, c.store(), c.shown()) for c in checks()]


def mismatches(found: list[Figure]) -> list[Figure]:
    """The figures whose view does not show what the store holds."""
    return [f for f in found if f.store != f.shown]
