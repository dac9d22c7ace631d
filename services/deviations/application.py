"""The deviations application: commands and queries in the words of deviation reporting.

Who may act on which unit is checked here; the rules of the deviation live in the domain.
A deviation belongs to the organisation that reported it (kommunkod, or länskod for a region
unit); its staff see it, no one else does (not found, so existence is not disclosed).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from deviations.domain.configuration import DEFAULT_ANSWER_DAYS, UnitConfiguration
import deidentify
from deidentify import EVERYWHERE, Finding, KnownOrganisations, Lexicon, LexiconMissing, shared_lexicon
from deviations.domain.model import SENT_TO_BUS, Checker, Deviation
from deviations.domain.rules import OnlyASentDeviationCanBeReturned, UnitHasAResponsibleManager
from deviations.domain.values import InvolvedOrganisation, is_region_code
from deviations.views import deviation_details, deviation_row
from eventkit import authz
from eventkit.identity import Identity, NotPermitted
from eventkit.store import ServiceApplication, acting_as
from eventkit.dates import local_today



class DeviationNotFound(Exception):
    pass


class CheckUnavailable(Exception):
    """The R22 check cannot be made (the register does not answer, the lexicon is missing):
    nothing may be checked or sent, and the report stays with the manager."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# (who, the municipality whose register, the texts) → for each text, the register's matches in
# it (start, end, "exact"/"sound"/"protected"), from the service that keeps the register
# (deviations.records); never the names themselves.
RegisterMatches = Callable[[Identity, str, list[str]], list[list[tuple[int, int, str]]]]
# (who, the deviation, the version of its sending) → why the county's check before the regional
# stream holds that sending back (kinds), or None when it does not (deviations.records asks the
# county read API with the user's identity).
HeldReasons = Callable[..., "list[str] | None"]
# (who, the municipality whose register, the texts) → the pupils the texts name, as
# (pseudonymous reference, whether the pupil's identity is protected), asked of the register
# with no one's grants (deviations.records): for R14 at entry and R17 disposal.
PupilsNamed = Callable[[Identity, str, list[str]], list[tuple[str, bool]]]


class DeviationsApplication(ServiceApplication):
    name = "deviations"
    database_variable = "DEVIATIONS_DB"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        today: Callable[[], date] = local_today,
        register_matches: RegisterMatches = lambda who, municipality, texts: [[] for _ in texts],
        lexicon: Callable[[], Lexicon] = shared_lexicon,
        known_organisations: Callable[[str], KnownOrganisations] = lambda municipality: EVERYWHERE,
        held_reasons: HeldReasons = lambda who, deviation_id, sent_version=None: None,
        pupils_named: PupilsNamed = lambda who, municipality, texts: [],
    ) -> None:
        super().__init__(env)
        self.pupils_named = pupils_named
        self.today = today
        self.register_matches = register_matches
        self.lexicon = lexicon
        self.known_organisations = known_organisations
        self.held_reasons = held_reasons

    # -- configuration (R20) ---------------------------------------------------------------
    def configuration(self, who: Identity, unit: str) -> dict[str, Any]:
        authz.require(who, "deviations.configure")
        if not who.belongs_to(unit):  # the administrator too: units of the identity only (R14)
            raise NotPermitted("Du arbetar inte på den enheten.")
        found = self._configuration(who.municipality, unit)
        if found is None:
            return {"unit": unit, "configured": False, "reporters": [], "manager": "", "answer_days": DEFAULT_ANSWER_DAYS}
        return {"unit": unit, "configured": True, "reporters": found.reporters, "manager": found.manager,
                "answer_days": found.answer_days, "version": found.version, "history": self._history(found.id)}

    def _history(self, aggregate_id: UUID) -> list[dict[str, Any]]:
        """Every change of the unit's configuration: who, when, what it became (R20)."""
        history = []
        for event, meta in self.events_with_envelopes(aggregate_id):
            history.append({"at": event.timestamp.isoformat(), "by": meta.actor, "manager": event.manager,
                            "reporters": list(event.reporters), "answer_days": event.answer_days})
        return history

    def configure_unit(self, who: Identity, unit: str, *, reporters: list[str], manager: str, answer_days: int) -> bool:
        found = self._configuration(who.municipality, unit)
        authz.require(who, "deviations.configure")
        any_unit = authz.POLICY["deviations.configure.units"]
        may = (any_unit.allows(who) and who.belongs_to(unit)) or (found is not None and found.manager == who.user_id)
        if not may:
            raise NotPermitted(any_unit.message)
        if found is None:  # the first configuration: its first event records it
            found = UnitConfiguration.configure(organisation=who.municipality, unit=unit, reporters=reporters,
                                                manager=manager, answer_days=answer_days, configured_by=who.user_id)
            act: Callable[[UnitConfiguration], bool] = lambda configuration: True
        else:
            act = lambda configuration: configuration.change(reporters=reporters, manager=manager,
                                                             answer_days=answer_days, changed_by=who.user_id)
        # A retry (same idempotency key) answers "changed" as the first time: it stored a change.
        return self.once(who, found, act, answer=lambda event: True)

    # -- report (R19) -----------------------------------------------------------------------
    def report(
        self, who: Identity, *, unit: str, organisations: Iterable[InvolvedOrganisation], category: str,
        occurred_on: date, description: str, tried_locally: str, principled: bool,
        arose_in: InvolvedOrganisation, counterpart_municipality: str = "",
    ) -> UUID:
        authz.require(who, "deviations.report")
        if not who.belongs_to(unit):
            raise NotPermitted("Du arbetar inte på den enheten.")
        configuration = self._configuration(who.municipality, unit)
        if configuration is None:
            raise UnitHasAResponsibleManager()
        concerned = (counterpart_municipality or "").strip() if is_region_code(who.municipality) else who.municipality
        protected, named = self._screen(who, concerned)
        deviation = Deviation.report(
            configuration=configuration, reported_by=who.user_id, organisations=organisations, category=category,
            occurred_on=occurred_on, description=description, tried_locally=tried_locally, principled=principled,
            arose_in=arose_in, counterpart_municipality=counterpart_municipality, today=self.today(),
            protected=protected, id=self.creation_id("deviation", who),
        )
        self.concerns(deviation, named)
        return self.save_created(replace(who, municipality=deviation.municipality), deviation)

    # -- local handling (R21) and sending (R22) ---------------------------------------------------
    def record_action(self, who: Identity, deviation_id: UUID, action: str) -> None:
        deviation, configuration = self._handled_by(who, deviation_id)
        protected, named = self._screen(who, deviation.municipality)
        self._command(who, deviation, lambda d: self.concerns(
            d, named, d.record_action(configuration, who.user_id, action, self.today(), protected=protected)))

    def record_answer(self, who: Identity, deviation_id: UUID, answer: str) -> None:
        deviation, configuration = self._handled_by(who, deviation_id)
        protected, named = self._screen(who, deviation.municipality)
        self._command(who, deviation, lambda d: self.concerns(
            d, named, d.record_answer(configuration, who.user_id, answer, self.today(), protected=protected)))

    def solve_locally(self, who: Identity, deviation_id: UUID, summary: str) -> None:
        deviation, configuration = self._handled_by(who, deviation_id)
        protected, named = self._screen(who, deviation.municipality)
        self._command(who, deviation, lambda d: self.concerns(
            d, named, d.solve_locally(configuration, who.user_id, summary, self.today(), protected=protected)))

    def check(self, who: Identity, deviation_id: UUID, description: str | None = None,
              tried_locally: str | None = None) -> list[dict[str, Any]]:
        """The manager's R22 check of the texts to send: the findings to redact or confirm,
        recorded on the deviation (a new event only when the texts or findings changed)."""
        deviation, configuration = self._handled_by(who, deviation_id)
        protected, named = self._screen(who, deviation.municipality)
        findings = deviation.check(configuration, who.user_id, checker=self._checker(who, deviation), on=self.today(),
                                   protected=protected, description=description, tried_locally=tried_locally)
        self.concerns(deviation, named)
        self._save(who, deviation)
        return [{"key": f.key, "field": f.field, "kind": f.kind.value, "label": f.label, "redact_only": f.kind.redact_only,
                 "text": f.text, "start": f.start, "end": f.end} for f in findings]

    def send_to_bus(self, who: Identity, deviation_id: UUID, *, decisions: dict[str, str],
                    description: str | None = None, tried_locally: str | None = None) -> None:
        deviation, configuration = self._handled_by(who, deviation_id)
        protected, named = self._screen(who, deviation.municipality)
        self._command(who, deviation, lambda d: self.concerns(d, named, d.send_to_bus(
            configuration, who.user_id, decisions=decisions, checker=self._checker(who, d), on=self.today(),
            protected=protected, description=description, tried_locally=tried_locally)))

    def reopen_after_regional_check(self, who: Identity, deviation_id: UUID) -> list[str]:
        """The county's check before the regional stream held the sent deviation back: the
        responsible manager takes it back, to check and send it again (R22). The reasons are
        the county's, asked for this very sending; a sending the check has not held (or not
        yet seen) is not returned."""
        deviation, configuration = self._handled_by(who, deviation_id)
        configuration.authorise_manager(who.user_id)
        if self.repeated(deviation_id) and deviation.returned:
            return list(deviation.returned["reasons"])  # a retry: the first answer, nothing stored
        if deviation.outcome != SENT_TO_BUS:
            raise OnlyASentDeviationCanBeReturned()
        reasons = self.held_reasons(who, deviation_id, self._sent_version(deviation_id))
        if not reasons:
            raise OnlyASentDeviationCanBeReturned()
        deviation.return_from_regional_check(reasons, self.today())
        self._save(who, deviation)
        return list(reasons)

    def _sent_version(self, deviation_id: UUID) -> int | None:
        """The version of the deviation's latest SentToBus event (the envelope's aggregate_version
        of the DeviationSentToBus it was published as)."""
        topic = get_topic(Deviation.SentToBus)
        for stored in self.recorder.select_events(deviation_id, desc=True):
            if stored.topic == topic:
                return stored.originator_version
        return None

    def _screen(self, who: Identity, municipality: str) -> tuple[Callable[[str], bool], set[str]]:
        """The domain's R14 question for each text it is about to store (does it name a pupil
        with protected identity?), and the pupils the texts name, collected as it asks."""
        named: set[str] = set()

        def protected(text: str) -> bool:
            pupils = self.pupils_named(who, municipality, [text])
            named.update(ref for ref, _ in pupils)
            return any(shielded for _, shielded in pupils)

        return protected, named

    def concerns(self, deviation: Deviation, pupils: set[str], result: Any = None) -> Any:
        """The deviation's texts name these pupils (R17: record keeping links them, so the texts
        are disposed of with the pupils' records). Returns `result`, for use inside a command."""
        return result

    def _checker(self, who: Identity, deviation: Deviation) -> Checker:
        """The R22 check as the domain applies it: the lexicon (loaded once per process), the
        register's matches for each text (asked where the register is: the register of the
        municipality the deviation concerns, also when a region unit reported it) and the
        organisations that municipality works with. Refused as a whole if any part is missing."""
        try:
            lexicon = self.lexicon()
        except LexiconMissing:
            raise CheckUnavailable("lexicon") from None
        known = self.known_organisations(deviation.municipality)
        asked: dict[str, list[tuple[int, int, str]]] = {}

        def check(text: str, field: str) -> list[Finding]:
            if text not in asked:
                asked[text] = [tuple(m) for m in self.register_matches(who, deviation.municipality, [text])[0]] if text else []
            return deidentify.check(text, lexicon=lexicon, registered_spans=asked[text], known=known, field=field,
                                    today=self.today())

        return check

    # -- queries ------------------------------------------------------------------------------------
    def details(self, who: Identity, deviation_id: UUID) -> dict[str, Any]:
        deviation = self._deviation_for(who, deviation_id)
        configuration = self._configuration(deviation.organisation, deviation.unit)
        found = deviation_details(deviation, configuration, who, self.today())
        # Which sending the county's check is asked about (the frontend shows whether it is held).
        found["sent_version"] = self._sent_version(deviation.id) if deviation.outcome == SENT_TO_BUS else None
        return found

    def overview(self, who: Identity) -> list[dict[str, Any]]:
        """The organisation's deviations this user may see; the manager's own first, overdue
        answers first (the manager's view, R21)."""
        _require_staff(who)
        rows = []
        managers: dict[str, str] = {}
        # The manager's view reads the event store directly (ADR 0012): the Reported events only.
        for deviation_id in self.aggregate_ids(Deviation.Reported, lambda e: e.organisation == who.municipality):
            deviation: Deviation = self.repository.get(deviation_id)
            if not _may_read(who, deviation):
                continue
            if deviation.unit not in managers:
                configuration = self._configuration(deviation.organisation, deviation.unit)
                managers[deviation.unit] = configuration.manager if configuration else ""
            rows.append(deviation_row(deviation, managers[deviation.unit] == who.user_id, self.today()))
        return sorted(rows, key=lambda r: (not r["mine_to_handle"], not r["answer_overdue"], r["answer_due"]))

    # -- helpers -------------------------------------------------------------------------------------
    def _configuration(self, organisation: str, unit: str) -> UnitConfiguration | None:
        try:
            return self.repository.get(UnitConfiguration.id_for(organisation, unit))
        except AggregateNotFoundError:
            return None

    def _deviation_for(self, who: Identity, deviation_id: UUID) -> Deviation:
        _require_staff(who)
        try:
            deviation: Deviation = self.repository.get(deviation_id)
        except AggregateNotFoundError:
            raise DeviationNotFound(str(deviation_id)) from None
        if not isinstance(deviation, Deviation) or not _may_read(who, deviation):
            raise DeviationNotFound(str(deviation_id))
        return deviation

    def _handled_by(self, who: Identity, deviation_id: UUID) -> tuple[Deviation, UnitConfiguration]:
        authz.require(who, "deviations.handle")
        deviation = self._deviation_for(who, deviation_id)
        configuration = self._configuration(deviation.organisation, deviation.unit)
        if configuration is None:
            raise UnitHasAResponsibleManager()
        return deviation, configuration

    def _save(self, who: Identity, deviation: Deviation) -> None:
        with acting_as(_envelope(who, deviation)):
            self.save(deviation)

    def _command(self, who: Identity, deviation: Deviation, act: Callable[[Deviation], None]) -> None:
        """A step of the local handling or the sending, stored once per idempotency key (ADR 0023)."""
        self.once(_envelope(who, deviation), deviation, act)


def _envelope(who: Identity, deviation: Deviation) -> Identity:
    # The envelope names the municipality the deviation concerns (a region's report names the
    # other party's), so consumers of the municipal topic can filter by kommunkod.
    return replace(who, municipality=deviation.municipality)


def _require_staff(who: Identity) -> None:
    authz.require(who, "deviations.read")


def _may_read(who: Identity, deviation: Deviation) -> bool:
    """Own organisation only; within it, the unit's staff, the reporter and the administrator."""
    if who.municipality != deviation.organisation:
        return False
    return authz.allows(who, "deviations.read.all") or who.belongs_to(deviation.unit) or who.user_id == deviation.reported_by
