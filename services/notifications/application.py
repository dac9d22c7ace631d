"""The notifications application: a staff member's own choice, and what the scheduled job
(notifications.sender) reads and records. Who may choose is the policy's
(`notifications.preferences`): every staff member chooses for themselves only, so the identity
is the scope (municipality and user id); no id comes from the request."""
from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from eventkit import authz
from eventkit.identity import Identity, Role
from eventkit.store import ServiceApplication, acting_as
from notifications.domain.recipient import Recipient, default_recipient, mode_of

# Who records what the job did: the job itself, in the recipient's municipality.
JOB_USER = "aviseringar"


def job_identity(municipality: str) -> Identity:
    return Identity(JOB_USER, "Aviseringar", Role.MUNICIPALITY_ADMIN, municipality)


class NotificationsApplication(ServiceApplication):
    name = "notifications"
    database_variable = "NOTIFICATIONS_DB"

    # -- the staff member's choice -----------------------------------------------------------------
    def preference(self, who: Identity) -> dict[str, Any]:
        authz.require(who, "notifications.preferences")
        return {"mode": self.recipient(who.municipality, who.user_id).mode.value}

    def choose(self, who: Identity, mode: str) -> dict[str, Any]:
        authz.require(who, "notifications.preferences")
        mode_of(mode)  # a wrong value is refused before anything is read
        found = self._stored(who.municipality, who.user_id)
        if found is None:
            found = Recipient.first(who.municipality, who.user_id, mode)
            changed = self.once(who, found, lambda r: True, answer=lambda event: True)
        else:
            changed = self.once(who, found, lambda r: r.choose(mode), answer=lambda event: True)
        return {"mode": mode, "changed": changed}

    # -- for the job ------------------------------------------------------------------------------------
    def recipient(self, municipality: str, user_id: str) -> Recipient:
        """The stored recipient, or one with the default choice (not stored)."""
        return self._stored(municipality, user_id) or default_recipient(municipality, user_id)

    def record_mail(self, municipality: str, user_id: str, on: date, count: int, overdue: int) -> None:
        """The mail is sent: recorded on the recipient (created with the default choice if it
        never chose). Tried again on a fresh copy if the person chose at the same moment."""
        for _ in range(3):
            recipient = self.recipient(municipality, user_id)
            recipient.mailed(on, count, overdue)
            try:
                with acting_as(job_identity(municipality)):
                    self.save(recipient)
                return
            except IntegrityError:
                continue
        raise RuntimeError("the mail could not be recorded after three attempts")

    def save_decisions(self, recipient: Recipient) -> None:
        """What deciding stored on the recipient (a count that fell), if anything; a lost race
        is left for the next round."""
        if recipient.pending_events:  # only a stored recipient (one who chose "at once") decides so
            try:
                with acting_as(job_identity(recipient.municipality)):
                    self.save(recipient)
            except IntegrityError:
                pass

    def _stored(self, municipality: str, user_id: str) -> Recipient | None:
        try:
            return self.repository.get(Recipient.id_for(municipality, user_id))
        except AggregateNotFoundError:
            return None
