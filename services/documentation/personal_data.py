"""Which fields of the documentation's events hold personal data (R17, ADR 0021), and the
mapper that encrypts them under the pupil's own key.

Pupil-level (individual) interventions: the free texts — what was done (description), the
notes on what hinders and what supports, and the reasons of corrections and withdrawals —
may describe the pupil, so they are encrypted (eventkit.shredding) under the key the
documentation service keeps for the pupil in its own database. Everything else (ids, unit,
level, kind, date, minutes, the fixed vocabulary of hinders and supports, staff ids) is
structure: it stays readable after disposal, so the counts per level, kind and term remain.

Organisation- and group-level interventions are not about a pupil (R-rule: their texts may
name no pupil) and are stored as they are: the application stores them `not_about_a_pupil()`.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Any, Iterator

from eventsourcing.persistence import StoredEvent

from documentation.domain.disposal import DocumentationDisposal
from documentation.domain.model import Intervention
from eventkit.shredding import ShreddingMapper
from eventkit.store import EnvelopeMapper

PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {
    Intervention.Recorded: ("description", "hinders_note", "supports_note"),
    Intervention.Corrected: ("text_changes", "reason"),
    Intervention.Withdrawn: ("reason",),
}

# Fields that are not about the pupil: structure that stays readable after disposal.
STRUCTURE = {
    "originator_id", "originator_version", "timestamp", "originator_topic", "municipality", "school_unit",
    "special_educator", "case_id", "investigation", "level", "kind", "performed_on", "minutes", "hinders",
    "supports", "group", "pupil_ref", "corrects_version", "changes", "corrected_by", "withdrawn_by", "on",
    # DocumentationDisposal.Disposed: pseudonymous ids and a day
    "case_ids", "intervention_ids", "disposed_on", "disposed_by_event",
}
DISPOSAL_EVENTS = (DocumentationDisposal.Disposed,)

_impersonal: contextvars.ContextVar[bool] = contextvars.ContextVar("not_about_a_pupil", default=False)


@contextmanager
def not_about_a_pupil() -> Iterator[None]:
    """Store the events inside as documentation above pupil level: nothing to encrypt."""
    token = _impersonal.set(True)
    try:
        yield
    finally:
        _impersonal.reset(token)


class DocumentationMapper(ShreddingMapper):
    """The shredding mapper, except for documentation that is explicitly not about a pupil.
    Anything else with personal fields needs a subject (the pupil) or is refused."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        if _impersonal.get():
            return EnvelopeMapper.to_stored_event(self, domain_event)
        return super().to_stored_event(domain_event)
