"""The disposal of a pupil's documentation (R17, ADR 0021): when the cases service has disposed
of a pupil's records (PupilRecordsDisposed), the documentation service destroys its own key of
the pupil and records that it did, here. The record holds no personal data: the pseudonymous
pupil reference, the case and intervention ids, the day."""
from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from documentation.domain.rules import DisposedPupilGetsNoNewDocumentation

RECORD_TYPE = "special_educator_documentation"


class DocumentationDisposal(Aggregate):
    """That the documentation of one pupil was disposed of (one per pupil reference)."""

    @staticmethod
    def id_for(pupil_ref: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:documentation-disposal:{pupil_ref}")

    @classmethod
    def create_id(cls, pupil_ref: str, **_: object) -> UUID:
        return cls.id_for(pupil_ref)

    @event("Disposed")
    def __init__(
        self, pupil_ref: str, municipality: str, case_ids: list, intervention_ids: list, disposed_on: date,
        disposed_by_event: str,
    ) -> None:
        self.pupil_ref = pupil_ref
        self.municipality = municipality
        self.case_ids = sorted(case_ids)
        self.intervention_ids = sorted(intervention_ids)
        self.record_types = [RECORD_TYPE]
        self.disposed_on = disposed_on
        self.disposed_by_event = disposed_by_event  # the event id of the cases service's PupilRecordsDisposed


def may_document(disposal: DocumentationDisposal | None) -> None:
    """Nothing new is recorded about a pupil whose records were disposed of (R17)."""
    if disposal is not None:
        raise DisposedPupilGetsNoNewDocumentation()
