"""One staff member as a recipient of notifications: their choice (off, daily, at once) and the
mails sent to them, each an event (who, day, how many tasks), so a restart never mails the
same day twice and "at once" knows what the last mail said.

The decisions are made here, from the state, with no I/O: whether a daily mail is due today,
and whether a count seen now is news for someone who wants to know at once.
"""
from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventkit.rules import RuleBroken
from notifications.domain.values import DEFAULT_MODE, Mode


class ModeIsOneOfTheChoices(RuleBroken):
    field = "mode"
    message = "Välj hur ofta du vill få aviseringar: inga, en gång om dagen eller direkt."


class AMailTellsOfWaitingTasks(RuleBroken):
    message = "Ett meddelande skickas bara när minst en uppgift väntar."


def mode_of(value: str) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        raise ModeIsOneOfTheChoices() from None


class Recipient(Aggregate):
    """Identified by municipality and user id (the same id every time, so the first event of
    two processes at once is stored once)."""

    @staticmethod
    def id_for(municipality: str, user_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"stodspar:notifications:recipient:{municipality}:{user_id}")

    @staticmethod
    def create_id(municipality: str, user_id: str, **_: object) -> UUID:
        return Recipient.id_for(municipality, user_id)

    @classmethod
    def first(cls, municipality: str, user_id: str, mode: str = DEFAULT_MODE.value) -> "Recipient":
        return cls(municipality=municipality, user_id=user_id, mode=mode_of(mode).value)

    @event("Registered")
    def __init__(self, municipality: str, user_id: str, mode: str) -> None:
        self.municipality = municipality
        self.user_id = user_id
        self.mode = Mode(mode)
        self.last_mailed_on: date | None = None
        # What "at once" compares with: the count of the last mail, or lower if it fell since.
        self.baseline = 0

    # -- the choice -----------------------------------------------------------------------------------
    def choose(self, mode: str) -> bool:
        chosen = mode_of(mode)
        if chosen is self.mode:
            return False
        self._chosen(mode=chosen.value)
        return True

    @event("ModeChosen")
    def _chosen(self, mode: str) -> None:
        self.mode = Mode(mode)

    # -- the decisions ---------------------------------------------------------------------------------
    def daily_mail_due(self, today: date) -> bool:
        return self.mode is Mode.DAILY and self.last_mailed_on != today

    def news(self, count: int) -> bool:
        """For "at once": whether `count` tasks are more than the last mail said (or than the
        count has been since). A count that fell is remembered, so the next task is news."""
        if self.mode is not Mode.AT_ONCE:
            return False
        if count < self.baseline:
            self._count_fell(count=count)
        return count > self.baseline

    @event("CountFell")
    def _count_fell(self, count: int) -> None:
        self.baseline = count

    # -- what was sent ---------------------------------------------------------------------------------
    def mailed(self, on: date, count: int, overdue: int) -> None:
        if count < 1:
            raise AMailTellsOfWaitingTasks()
        self._mailed(on=on, count=count, overdue=overdue, mode=self.mode.value)

    @event("Mailed")
    def _mailed(self, on: date, count: int, overdue: int, mode: str) -> None:
        self.last_mailed_on = on
        self.baseline = count


def default_recipient(municipality: str, user_id: str) -> Recipient:
    """Someone who never chose: the default mode (nothing stored until something happens)."""
    return Recipient.first(municipality, user_id)
