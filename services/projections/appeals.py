"""An appeal of a decision as the views see it (R9), folded from the public events; no I/O.

The follow-up view (Uppföljning, the school owner's counts) and the worklist (Att göra) keep one
row per appeal in a table of these columns (`table_sql`), and change it only through `apply`, so
both read the appeal's state the same way: registered (to be reconsidered or forwarded),
incomplete (one guardian so far), late (to be rejected), rejected, lapsed (changed as asked on
reconsideration), forwarded to Skolväsendets överklagandenämnd, or decided by the board. The
status words are the cases service's (contracts/vocabularies/AppealStatus), derived the same way
as in cases.domain.appeal.

Rows hold ids, numbers, dates and kinds only: who appealed and what was asked stay in the cases
service.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any, Iterable

import psycopg

# The school still has to act: complete it, reject it, or reconsider and forward it.
AWAITING_SCHOOL = ("incomplete", "late", "registered")
PROGRAMME_KINDS = ("establish_programme", "continue_with_new_measures")
# The appeal's own tasks on Att göra (key "<kind>:<case>:appeal:<n>"), and the board's sending back.
APPEAL_TASKS = ("complete_appeal", "reject_late_appeal", "reconsider_appeal", "forward_appeal")
SENT_BACK_TASKS = {"decision": "decide_again", "investigation": "investigate_again"}


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@dataclass(frozen=True)
class Appeal:
    case_id: str
    appeal_number: int
    decision_number: int  # the decision appealed
    received_on: date
    forward_due: date
    timely: bool  # in time, or late by the school's own doing
    complete: bool  # both guardians, the pupil of 16, or the school's note why one suffices
    by_pupil: bool = False
    reconsidered_as: int | None = None  # changed in part on reconsideration: the new decision
    lapsed_on: date | None = None  # changed in full as asked: the appeal lapsed
    rejected_on: date | None = None
    forwarded_on: date | None = None
    forwarded_late: bool = False
    board_outcome: str | None = None  # upheld, changed, sent_back
    board_on: date | None = None
    sent_back_to: str | None = None  # investigation, decision
    board_decision: int | None = None  # changed: the board's decision, now in force

    @property
    def status(self) -> str:
        if self.board_outcome is not None:
            return "decided"
        if self.rejected_on is not None:
            return "rejected"
        if self.lapsed_on is not None:
            return "lapsed"
        if self.forwarded_on is not None:
            return "forwarded"
        if not self.timely:
            return "late"
        if not self.complete:
            return "incomplete"
        return "registered"

    @property
    def awaiting_school(self) -> bool:
        return self.status in AWAITING_SCHOOL

    @property
    def decision_in_question(self) -> int:
        """A decision changed in part on reconsideration is appealed in its new form (FL 39 §)."""
        return self.reconsidered_as or self.decision_number

    def forwarding_overdue(self, today: date) -> bool:
        """The day to forward it by has passed and it was neither forwarded, rejected nor lapsed."""
        return self.awaiting_school and self.forward_due < today


def registered(data: dict[str, Any]) -> Appeal:
    """The appeal as AppealRegistered tells it."""
    return Appeal(
        case_id=str(data["case_id"]), appeal_number=int(data["appeal_number"]),
        decision_number=int(data["decision_number"]), received_on=_day(data["received_on"]),
        forward_due=_day(data["forward_due"]), timely=bool(data["timely"]), complete=bool(data["complete"]),
        by_pupil=bool(data.get("by_pupil")),
    )


def concerns(event_type: str, data: dict[str, Any]) -> int | None:
    """The number of the appeal an event changes, or None when it changes none."""
    if event_type in ("AppealCompleted", "AppealRejected", "AppealForwarded", "AppealDecidedByBoard"):
        return int(data["appeal_number"])
    if event_type == "CaseDecided" and data.get("appeal_number"):
        return int(data["appeal_number"])
    return None


def apply(appeal: Appeal, event_type: str, data: dict[str, Any]) -> Appeal:
    """The appeal after one event about it (the same event twice changes nothing more)."""
    if event_type == "AppealCompleted":
        return replace(appeal, complete=True)
    if event_type == "AppealRejected":
        return replace(appeal, rejected_on=_day(data["rejected_on"]))
    if event_type == "AppealForwarded":
        return replace(appeal, forwarded_on=_day(data["forwarded_on"]), forwarded_late=bool(data["late"]))
    if event_type == "CaseDecided":  # a decision changed on reconsideration (1.1)
        if data.get("appeal_lapsed"):
            return replace(appeal, lapsed_on=_day(data["decided_on"]))
        return replace(appeal, reconsidered_as=int(data["decision_number"]))
    if event_type == "AppealDecidedByBoard":
        return replace(appeal, board_outcome=data["outcome"], board_on=_day(data["decided_on"]),
                       sent_back_to=data.get("sent_back_to"), board_decision=data.get("decision_number"))
    return appeal


def current(appeals: Iterable[Appeal]) -> Appeal | None:
    """The case's appeal to show: the latest the school still has to act on, else the latest."""
    ordered = sorted(appeals, key=lambda a: a.appeal_number)
    waiting = [a for a in ordered if a.awaiting_school]
    return (waiting or ordered or [None])[-1]


def tasks(appeal: Appeal) -> dict[str, date | None]:
    """What the school has to do about the appeal now (Att göra), each due the day the appeal is
    to be forwarded by: reject it when late, complete it when one guardian stands behind it so
    far, else reconsider the decision or forward the appeal. None once forwarded, rejected or
    lapsed."""
    status = appeal.status
    if status == "late":
        return {"reject_late_appeal": appeal.forward_due}
    if status == "incomplete":
        return {"complete_appeal": appeal.forward_due}
    if status == "registered":
        return {"forward_appeal" if appeal.reconsidered_as else "reconsider_appeal": appeal.forward_due}
    return {}


# -- the table both views keep -------------------------------------------------------------------
_TYPES = {
    "case_id": "uuid NOT NULL", "appeal_number": "integer NOT NULL", "decision_number": "integer NOT NULL",
    "received_on": "date NOT NULL", "forward_due": "date NOT NULL", "timely": "boolean NOT NULL",
    "complete": "boolean NOT NULL", "by_pupil": "boolean NOT NULL DEFAULT false", "reconsidered_as": "integer",
    "lapsed_on": "date", "rejected_on": "date", "forwarded_on": "date", "forwarded_late": "boolean NOT NULL DEFAULT false",
    "board_outcome": "text", "board_on": "date", "sent_back_to": "text", "board_decision": "integer",
}
COLUMNS = tuple(f.name for f in fields(Appeal))
assert set(COLUMNS) == set(_TYPES)


def table_sql(table: str, extra: str = "") -> str:
    columns = ",\n    ".join(f"{name} {_TYPES[name]}" for name in COLUMNS)
    return (f"CREATE TABLE IF NOT EXISTS {table} (\n    {columns},{extra}\n"
            f"    PRIMARY KEY (case_id, appeal_number)\n);\n")


def _from_row(row: tuple) -> Appeal:
    values = dict(zip(COLUMNS, row))
    values["case_id"] = str(values["case_id"])
    return Appeal(**values)


async def load(conn: psycopg.AsyncConnection, table: str, case_id: str, number: int) -> Appeal | None:
    cur = await conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE case_id = %s AND appeal_number = %s",
                             (case_id, number))
    row = await cur.fetchone()
    return _from_row(row) if row else None


async def of_case(conn: psycopg.AsyncConnection, table: str, case_id: str) -> list[Appeal]:
    cur = await conn.execute(f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE case_id = %s ORDER BY appeal_number",
                             (case_id,))
    return [_from_row(row) for row in await cur.fetchall()]


async def save(conn: psycopg.AsyncConnection, table: str, appeal: Appeal) -> None:
    """The appeal's row as `appeal` says (inserted when new)."""
    values = asdict(appeal)
    changed = ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS if name not in ("case_id", "appeal_number"))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(f'%({n})s' for n in COLUMNS)})"
        f" ON CONFLICT (case_id, appeal_number) DO UPDATE SET {changed}", values)


async def follow(conn: psycopg.AsyncConnection, table: str, event_type: str, data: dict[str, Any]) -> Appeal | None:
    """Apply an appeal's event to its row in `table`; the appeal after it, or None when the event
    is about no appeal this view has."""
    if event_type == "AppealRegistered":
        found = await load(conn, table, str(data["case_id"]), int(data["appeal_number"]))
        appeal = found or registered(data)
        if found is None:
            await save(conn, table, appeal)
        return appeal
    number = concerns(event_type, data)
    if number is None:
        return None
    appeal = await load(conn, table, str(data["case_id"]), number)
    if appeal is None:
        return None
    appeal = apply(appeal, event_type, data)
    await save(conn, table, appeal)
    return appeal
