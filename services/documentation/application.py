"""The documentation application: commands and queries in the words of the special educator's
documentation of interventions.

Who may do what is checked here: special educators of the school unit record and correct;
rektor of the unit reads (and follows up the work, seed §3); other roles do not see the
documentation. A pupil-level intervention is shown only to a user the cases service lets see
the pupil's case (R14). "Not yours" gets the same answer as "not there".
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from documentation import views
from documentation.cases_directory import CaseDirectory
from documentation.domain.model import Intervention
from documentation.domain.rules import InvalidIntervention
from documentation.domain.values import CaseReference, Level
from eventkit import authz
from eventkit.identity import Identity, NotPermitted
from eventkit.store import ServiceApplication
from eventkit.dates import local_today

CASE_NOT_FOUND = "Elevärendet finns inte, eller så har du inte behörighet till det."


class InterventionNotFound(Exception):
    pass


class CaseNotFound(Exception):
    pass


class DocumentationApplication(ServiceApplication):
    name = "documentation"
    database_variable = "DOCUMENTATION_DB"

    def __init__(
        self, env: dict[str, str] | None = None, *, cases: CaseDirectory,
        today: Callable[[], date] = local_today,
    ) -> None:
        super().__init__(env)
        self.cases = cases
        self.today = today

    # -- commands -----------------------------------------------------------------------------
    def record(self, who: Identity, *, school_unit: str, case_id: UUID | None = None,
               attach_to_investigation: bool = False, **content: Any) -> UUID:
        _require_recorder(who, school_unit)
        case = None
        if case_id is not None and content.get("level") == Level.INDIVIDUAL.value:
            case = self.cases.find(who, case_id)
            if case is None:
                raise InvalidIntervention({"case_id": CASE_NOT_FOUND})
        elif case_id is not None:
            raise InvalidIntervention({"case_id": "Bara insatser på individnivå kopplas till ett elevärende."})
        intervention = Intervention.record(
            municipality=who.municipality, school_unit=school_unit, special_educator=who.user_id, case=case,
            attach_to_investigation=attach_to_investigation, today=self.today(), id=self.creation_id("intervention", who),
            names_in=lambda texts: self.cases.names_in(who, texts),
            **content,
        )
        return self.save_created(who, intervention)

    def correct(self, who: Identity, intervention_id: UUID, *, reason: str, expected_version: int | None = None,
                **content: Any) -> None:
        self._command(who, intervention_id, expected_version, lambda intervention: intervention.correct(
            reason=reason, corrected_by=who.user_id, today=self.today(),
            names_in=lambda texts: self.cases.names_in(who, texts), **content))

    def withdraw(self, who: Identity, intervention_id: UUID, *, reason: str, expected_version: int | None = None) -> None:
        self._command(who, intervention_id, expected_version, lambda intervention: intervention.withdraw(
            reason=reason, withdrawn_by=who.user_id, today=self.today()))

    # -- queries -------------------------------------------------------------------------------
    def details(self, who: Identity, intervention_id: UUID) -> dict[str, Any]:
        intervention = self._readable(who, intervention_id)
        history = [{"version": e.originator_version, "event_type": type(e).__name__, "at": e.timestamp.isoformat(),
                    "actor": meta.actor} for e, meta in self.events_with_envelopes(intervention.id)]
        return {**views.details(intervention), "history": history}

    def interventions(self, who: Identity, *, school_unit: str | None = None, term: str | None = None,
                      level: str | None = None, kind: str | None = None) -> dict[str, Any]:
        """The documentation of the user's units, newest first (no free text in a row)."""
        found = self._of_units(who, school_unit)
        terms = views.development_overview(found)["terms"]
        rows = [views.row(i) for i in found
                if (not term or i.term == term) and (not level or i.level == level) and (not kind or i.kind == kind)]
        rows.sort(key=lambda r: (r["performed_on"], r["intervention_id"]), reverse=True)
        return {"rows": rows, "terms": terms}

    def overview(self, who: Identity, *, school_unit: str, term: str | None = None) -> dict[str, Any]:
        """For the school's development work (seed §8): per level, kind and term, and the
        hinders and supports that recur."""
        overview = views.development_overview(self._of_units(who, school_unit), term)
        return {"school_unit": school_unit, **overview}

    def for_case(self, who: Identity, case_id: UUID) -> dict[str, Any]:
        """The documentation linked to a pupil's case, for the case page: what the user may see
        of the case (asked of the cases service), or not found."""
        _require_reader(who)
        case = self._shown_case(who, case_id)
        linked = [self.repository.get(i) for i in self._ids(lambda e: e.case_id == str(case_id))]
        shown = sorted((views.details(i) for i in linked if i.municipality == who.municipality),
                       key=lambda d: d["performed_on"], reverse=True)
        return {
            "case_id": str(case_id),
            "interventions": shown,
            "attached": [d for d in shown if d["investigation"] is not None and not d["withdrawn"]],
            "open_investigation": case.open_investigation,
        }

    # -- helpers -------------------------------------------------------------------------------
    def _shown_case(self, who: Identity, case_id: UUID) -> CaseReference:
        case = self.cases.find(who, case_id)
        if case is None:
            raise CaseNotFound(str(case_id))
        return case

    def _ids(self, wanted: Callable[[Any], bool]) -> list[UUID]:
        # Read from the event store's own log, the Recorded events only (as ADR 0012).
        return self.aggregate_ids(Intervention.Recorded, wanted)

    def _of_units(self, who: Identity, school_unit: str | None) -> list[Intervention]:
        _require_reader(who)
        units = set(who.school_units)
        if school_unit:
            if school_unit not in units:
                raise NotPermitted("Du arbetar inte på den skolenheten.")
            units = {school_unit}
        ids = self._ids(lambda e: e.municipality == who.municipality and e.school_unit in units)
        return [self.repository.get(i) for i in ids]

    def _load(self, who: Identity, intervention_id: UUID) -> Intervention:
        try:
            intervention = self.repository.get(intervention_id)
        except AggregateNotFoundError:
            raise InterventionNotFound(str(intervention_id)) from None
        if (not isinstance(intervention, Intervention) or intervention.municipality != who.municipality
                or not who.belongs_to(intervention.school_unit)):
            raise InterventionNotFound(str(intervention_id))
        return intervention

    def _readable(self, who: Identity, intervention_id: UUID) -> Intervention:
        intervention = self._load(who, intervention_id)
        _require_reader(who)
        if intervention.case_id is not None and self.cases.find(who, UUID(intervention.case_id)) is None:
            # Pupil-level documentation: only for those who may see the pupil's case (R14).
            raise InterventionNotFound(str(intervention_id))
        return intervention

    def _command(self, who: Identity, intervention_id: UUID, expected_version: int | None,
                 act: Callable[[Intervention], None]) -> None:
        """A correction or withdrawal by a recorder of the unit, stored once per idempotency key
        (ADR 0023): a retry stores nothing more; a stale `expected_version` is a conflict."""
        intervention = self._readable(who, intervention_id)
        _require_recorder(who, intervention.school_unit)
        self.once(who, intervention, act, expected_version=expected_version)


def _require_reader(who: Identity) -> None:
    authz.require(who, "documentation.read")


def _require_recorder(who: Identity, school_unit: str) -> None:
    authz.require(who, "documentation.write")
    if not who.belongs_to(school_unit):
        raise NotPermitted("Du arbetar inte på den skolenheten.")


