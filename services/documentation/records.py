"""Record keeping of the documentation service: the access log (R15, ADR 0019) and disposal by
crypto-shredding (R17, ADR 0020), around the documentation application (ADR 0021).

- Pupil-level documentation (an individual intervention, linked to a pupil's case) is logged
  durably before it is returned or changed: its details (read, print, export), the list of a
  case's documentation, recording, corrections and withdrawal. The pupil is named by the
  cases service's pseudonymous `pupil_ref`, which the case lookup returns. Organisation- and
  group-level documentation is not a pupil's record and is not logged as one; the lists and
  the overview show no free text and name no pupil or case, and are not logged either.
- The free texts of individual interventions are encrypted under the pupil's key
  (documentation.personal_data); the documentation service keeps its own keys (`pupil_key`
  in its own database, eventkit.keystore), never reads the cases database, never puts a key
  on Kafka.
- When the cases service disposes of a pupil's records (PupilRecordsDisposed on
  stodspar.cases.v1), `dispose_pupil` (called by documentation.entrypoints.disposal_listener)
  records the disposal as an event, then destroys the keys: idempotent, so a repeated
  message only destroys what is left.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from documentation.application import (
    DocumentationApplication, InterventionNotFound, _require_reader,
)
from documentation.domain.disposal import DocumentationDisposal, may_document
from documentation.domain.model import Intervention
from documentation.domain.values import CaseReference
from documentation.personal_data import PERSONAL_FIELDS, DocumentationMapper, not_about_a_pupil
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose
from eventkit.identity import Identity, Role
from eventkit.keystore import KeyStore
from eventkit.shredding import Shredding, about
from eventkit.store import acting_as


def disposal_job(municipality: str) -> Identity:
    """Who disposes, in the documentation service: the cases service's disposal, carried out."""
    return Identity("gallring", "Gallring (dokumentation)", Role.MUNICIPALITY_ADMIN, municipality)


class RecordKeepingDocumentation(Shredding, DocumentationApplication):
    personal_fields = PERSONAL_FIELDS
    mapper_class = DocumentationMapper
    name = "documentation"  # the same event store tables as the plain application

    def __init__(self, env: dict[str, str] | None = None, *, keys: KeyStore | None = None,
                 access_log: AccessLog | None = None, **kwargs: Any) -> None:
        # The mapper is built by the base class's constructor and needs the keys.
        self.keys = keys or KeyStore("DOCUMENTATION_DB")
        self.access_log = access_log or AccessLog("DOCUMENTATION_DB", "documentation")
        super().__init__(env, **kwargs)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        pupils = [o for o in objs if isinstance(o, Intervention) and o.individual]
        if not pupils:
            with not_about_a_pupil():
                return super().save(*objs, **kwargs)
        [intervention] = pupils  # one intervention per command
        subject = intervention.subject
        may_document(self._disposal(intervention.pupil_ref or subject))
        self.keys.adopt(subject, intervention.municipality)
        self.keys.link(subject, str(intervention.id))
        with about(subject):
            return super().save(*objs, **kwargs)

    # -- R15 ------------------------------------------------------------------------------------
    def record(self, who: Identity, **kwargs: Any) -> UUID:
        intervention_id = super().record(who, **kwargs)
        intervention = self.repository.get(intervention_id)
        if intervention.individual:
            self._log(who, intervention, intervention.pupil_ref, current_purpose("change", "/interventions"))
        return intervention_id

    def _readable(self, who: Identity, intervention_id: UUID) -> Intervention:
        intervention = self._load(who, intervention_id)
        _require_reader(who)
        if intervention.case_id is None:
            return intervention  # organisation or group: not a pupil's record
        case = self.cases.find(who, UUID(intervention.case_id))
        if case is None or self._disposal(intervention.pupil_ref or case.pupil_ref or intervention.subject):
            # Pupil-level documentation: only for those who may see the pupil's case (R14),
            # and gone for everyone once disposed of (R17).
            raise InterventionNotFound(str(intervention_id))
        self._log(who, intervention, intervention.pupil_ref or case.pupil_ref,
                  current_purpose("read", "/interventions/{intervention_id}"))
        return intervention

    def _shown_case(self, who: Identity, case_id: UUID) -> CaseReference:
        case = super()._shown_case(who, case_id)
        asked = current_purpose("read", "/cases/{case_id}/interventions")
        self.access_log.record(AccessEntry(who, case.municipality, case.school_unit, asked.action, asked.resource,
                                           str(case.case_id), case.pupil_ref))
        return case

    def _log(self, who: Identity, intervention: Intervention, pupil_ref: str | None, asked: Any) -> None:
        self.access_log.record(AccessEntry(who, intervention.municipality, intervention.school_unit, asked.action,
                                           asked.resource, str(intervention.id), pupil_ref))

    # -- R17 ------------------------------------------------------------------------------------
    def dispose_pupil(self, *, pupil_ref: str, case_ids: list[str], municipality: str, disposed_on: date,
                      event_id: str) -> DocumentationDisposal:
        """The cases service disposed of the pupil's records: record it, then destroy the keys
        (of the pupil, and of the cases where documentation was keyed by case id)."""
        subjects = [pupil_ref, *case_ids]
        recorded = self._disposal(pupil_ref)
        if recorded is None:  # a disposal interrupted after it was recorded only destroys the keys
            wanted = set(case_ids)
            ids = {record for subject in subjects for record in self.keys.records(subject)}
            ids |= {str(i) for i in self._ids(lambda e: e.case_id in wanted or getattr(e, "pupil_ref", None) == pupil_ref)}
            interventions = [self.repository.get(UUID(i)) for i in sorted(ids)]
            job = disposal_job(municipality)
            self.access_log.record(*(AccessEntry(job, i.municipality, i.school_unit, "disposal", "PupilRecordsDisposed",
                                                 str(i.id), pupil_ref) for i in interventions))
            recorded = DocumentationDisposal(
                pupil_ref=pupil_ref, municipality=municipality, case_ids=list(case_ids),
                intervention_ids=[str(i.id) for i in interventions], disposed_on=disposed_on,
                disposed_by_event=event_id,
            )
            with acting_as(job):
                self.save(recorded)
        self.keys.destroy(*subjects)
        return recorded

    def _disposal(self, pupil_ref: str | None) -> DocumentationDisposal | None:
        if not pupil_ref:
            return None
        try:
            return self.repository.get(DocumentationDisposal.id_for(pupil_ref))
        except AggregateNotFoundError:
            return None
