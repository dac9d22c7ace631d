"""The school owner's view (huvudmannens översikt): the domain of its read model, no I/O.

What the municipality's administrator sees of its schools is counts per school unit and period,
never a pupil: referrals, investigations started within the municipality's deadline, the days
from referral to the investigation's start and to the decision (median and 90th percentile),
decisions by kind, action programmes in force, follow-ups and evaluations overdue, deviations
and the answers given within the unit's answer time (R21), and the appeals of decisions (R9): in
time, forwarded to the board within 7 days, rejected as late, lapsed after reconsideration, and the
board's outcomes.

**Small numbers (one rule, here):** a count from 1 to 4 is never shown: it is "färre än 5" in
the API's answer, on the page and in the CSV alike, so no small group of pupils can be singled
out; 0 stays 0. A median or percentile computed over fewer than 5 cases is not shown either
("färre än 5 ärenden"). `shown_count` and `shown_statistic` are the only way a figure leaves
this module; the aggregation hands out nothing else.

Periods: a month, a term (VT January–June, HT July–December: the summer goes with the autumn it
leads into, so two terms make a school year) or a school year (1 July – 30 June, eventkit.dates).
A flow (referrals, decisions, deviations) counts in the period its first date falls in; what the
referral led to (started in time, days to start and to decision) counts with the referral, a
deviation's answer with the report, and what became of an appeal (forwarded within 7 days, rejected
as late, lapsed on reconsideration, the board's outcome) with the appeal, in the period it came in. A stock (programmes in force, follow-ups and evaluations
overdue) is counted on the period's last day, or today for the period that is under way.
"""
from __future__ import annotations

import enum
import math
import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, NamedTuple

from eventkit.dates import MONTHS, school_year_start, years_after
from eventkit.rules import RuleBroken

SMALLEST_SHOWN = 5
FEWER_THAN_FIVE = "färre än 5"
TOO_FEW_CASES = "färre än 5 ärenden"
WHOLE_MUNICIPALITY = ""  # the key of the municipality's own row (every unit together)


def shown_count(n: int) -> int | str:
    """A count as it may be shown: 0 and 5 or more as they are, 1–4 as "färre än 5"."""
    if n < 0:
        raise ValueError("a count is never negative")
    return n if n == 0 or n >= SMALLEST_SHOWN else FEWER_THAN_FIVE


def shown_statistic(days: list[int]) -> dict[str, float | int | str | None]:
    """Median and 90th percentile (nearest rank) of day counts: none for no cases, "färre än 5
    ärenden" for 1–4, the figures from 5 cases on."""
    if not days:
        return {"median": None, "p90": None}
    if len(days) < SMALLEST_SHOWN:
        return {"median": TOO_FEW_CASES, "p90": TOO_FEW_CASES}
    ordered = sorted(days)
    median = statistics.median(ordered)
    return {"median": int(median) if median == int(median) else round(median, 1),
            "p90": ordered[math.ceil(0.9 * len(ordered)) - 1]}


class Per(str, enum.Enum):
    MONTH = "month"
    TERM = "term"
    SCHOOL_YEAR = "school_year"


PER_LABELS = {Per.MONTH: "Månad", Per.TERM: "Termin", Per.SCHOOL_YEAR: "Läsår"}


def period_of(day: date, per: Per) -> str:
    if per is Per.MONTH:
        return f"{day.year}-{day.month:02d}"
    if per is Per.TERM:
        return f"{'VT' if day.month <= 6 else 'HT'}{day.year}"
    start = school_year_start(day).year
    return f"{start}/{(start + 1) % 100:02d}"


def period_start(key: str, per: Per) -> date:
    if per is Per.MONTH:
        return date(int(key[:4]), int(key[5:7]), 1)
    if per is Per.TERM:
        return date(int(key[2:]), 1 if key.startswith("VT") else 7, 1)
    return date(int(key[:4]), 7, 1)


def period_end(key: str, per: Per) -> date:
    """The period's last day."""
    start = period_start(key, per)
    if per is Per.MONTH:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    elif per is Per.TERM:
        following = date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)
    else:
        following = date(start.year + 1, 7, 1)
    return following - timedelta(days=1)


def period_label(key: str, per: Per) -> str:
    """"mars 2026", "HT 2026", "läsåret 2026/27"."""
    if per is Per.MONTH:
        return f"{MONTHS[int(key[5:7]) - 1]} {key[:4]}"
    if per is Per.TERM:
        return f"{key[:2]} {key[2:]}"
    return f"läsåret {key}"


def periods(first: date, last: date, per: Per) -> list[str]:
    """Every period from the one `first` falls in to the one `last` falls in, in order."""
    keys, day = [], first
    while day <= last:
        key = period_of(day, per)
        keys.append(key)
        day = period_end(key, per) + timedelta(days=1)
    if keys and keys[-1] != period_of(last, per):
        keys.append(period_of(last, per))
    return keys


# -- the facts the read model keeps (ids never leave it; these carry none) ---------------------
# Named tuples: tens of thousands are made per request, and a tuple is made fastest.
class Referral(NamedTuple):
    unit: str
    referred_on: date
    investigation_due: date
    started_on: date | None = None  # the first investigation's start after the referral
    decided_on: date | None = None  # the first decision after the referral


class Decision(NamedTuple):
    unit: str
    decided_on: date
    kind: str


class Programme(NamedTuple):
    unit: str
    issued_on: date
    ended_on: date | None = None  # replaced, closed, the pupil moved (R11) or the records disposed (R17)
    follow_up_dates: tuple[date, ...] = ()
    followed_up_on: tuple[date, ...] = ()  # in the order recorded: the n-th answers the n-th date
    evaluation_on: date | None = None
    evaluated_on: date | None = None

    def overdue_spans(self) -> tuple[list[tuple[date, date | None]], list[tuple[date, date | None]]]:
        """When a follow-up, and when the evaluation, was overdue: (from the day after it was
        due, to the day it was done or None). Only while the programme was in force."""
        follow_ups = []
        for index, due in enumerate(self.follow_up_dates):
            done = self.followed_up_on[index] if index < len(self.followed_up_on) else None
            if done is None or done > due:
                follow_ups.append((due + timedelta(days=1), done))
        evaluation = []
        if self.evaluation_on and (self.evaluated_on is None or self.evaluated_on > self.evaluation_on):
            evaluation.append((self.evaluation_on + timedelta(days=1), self.evaluated_on))
        return follow_ups, evaluation


class Appeal(NamedTuple):
    """An appeal of a decision (R9), counted in the period it came in, with what became of it."""

    unit: str
    received_on: date
    timely: bool  # in time (or late by the school's own doing)
    forward_due: date
    forwarded_on: date | None = None
    rejected: bool = False  # rejected as late (FL 45 §)
    lapsed: bool = False  # changed in full as asked on reconsideration
    board_outcome: str | None = None  # upheld, changed, sent_back


# The appeal figures of a cell, in order: "received", then what became of them.
APPEAL_FIGURES = ("received", "in_time", "forwarded_in_time", "rejected_late", "lapsed", "upheld", "changed", "sent_back")


class Deviation(NamedTuple):
    unit: str
    reported_on: date
    answer_due: date
    answered_on: date | None = None


@dataclass
class Figures:
    """One cell's raw figures (a unit or the municipality, a period or the whole range)."""

    referrals: int = 0
    started_in_time: int = 0
    days_to_start: list[int] = field(default_factory=list)
    days_to_decision: list[int] = field(default_factory=list)
    decisions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    programmes_in_force: int = 0
    follow_ups_overdue: int = 0
    evaluations_overdue: int = 0
    deviations: int = 0
    answered_in_time: int = 0
    appeals: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def shown(self, kinds: Iterable[str]) -> dict[str, Any]:
        """The cell as it may leave the read model: every count and statistic suppressed by
        the one rule above."""
        return {
            "referrals": shown_count(self.referrals),
            "started_in_time": shown_count(self.started_in_time),
            "days_to_start": shown_statistic(self.days_to_start),
            "days_to_decision": shown_statistic(self.days_to_decision),
            "decisions": {kind: shown_count(self.decisions.get(kind, 0)) for kind in kinds},
            "programmes_in_force": shown_count(self.programmes_in_force),
            "follow_ups_overdue": shown_count(self.follow_ups_overdue),
            "evaluations_overdue": shown_count(self.evaluations_overdue),
            "deviations": shown_count(self.deviations),
            "answered_in_time": shown_count(self.answered_in_time),
            "appeals": {name: shown_count(self.appeals.get(name, 0)) for name in APPEAL_FIGURES},
        }


@dataclass(frozen=True)
class Facts:
    referrals: tuple[Referral, ...] = ()
    decisions: tuple[Decision, ...] = ()
    programmes: tuple[Programme, ...] = ()
    deviations: tuple[Deviation, ...] = ()
    appeals: tuple[Appeal, ...] = ()


STOCKS = ("programmes_in_force", "follow_ups_overdue", "evaluations_overdue")


def _indices(refs: list[date], start: date, end: date | None) -> range:
    """The reference days r with start <= r and (end is None or r < end)."""
    return range(bisect_left(refs, start), len(refs) if end is None else bisect_left(refs, end))


def _merged(spans: list[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """Overlapping spans as one, so a programme counts once a day however much is overdue."""
    out: list[tuple[date, date | None]] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last_start, last_end = out[-1]
            out[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            out.append((start, end))
    return out


FLOWS = ("referrals", "started_in_time", "deviations", "answered_in_time")


def _roll_up(into: Figures, cell: Figures, stocks: bool) -> None:
    for name in FLOWS:
        setattr(into, name, getattr(into, name) + getattr(cell, name))
    into.days_to_start += cell.days_to_start
    into.days_to_decision += cell.days_to_decision
    for kind, n in cell.decisions.items():
        into.decisions[kind] += n
    for name, n in cell.appeals.items():
        into.appeals[name] += n
    if stocks:
        for name in STOCKS:
            setattr(into, name, getattr(into, name) + getattr(cell, name))


def aggregate(facts: Facts, per: Per, first: date, last: date, today: date) -> dict[tuple[str, str], Figures]:
    """The raw figures by (unit, period), with WHOLE_MUNICIPALITY as the unit of the
    municipality's rows and "" as the period of the whole range. Pure; nothing is suppressed
    yet (`overview` does that). Each fact touches its own unit's period once; the whole range
    and the municipality are summed from those at the end."""
    keys = periods(first, last, per)
    cells: dict[tuple[str, str], Figures] = defaultdict(Figures)
    known: dict[date, str | None] = {}

    def within(day: date) -> str | None:
        if day not in known:
            known[day] = period_of(day, per) if first <= day <= last else None
        return known[day]

    for r in facts.referrals:
        period = within(r.referred_on)
        if period is None:
            continue
        cell = cells[(r.unit, period)]
        cell.referrals += 1
        if r.started_on is not None:
            cell.started_in_time += r.started_on <= r.investigation_due
            cell.days_to_start.append((r.started_on - r.referred_on).days)
        if r.decided_on is not None:
            cell.days_to_decision.append((r.decided_on - r.referred_on).days)
    for d in facts.decisions:
        period = within(d.decided_on)
        if period is not None:
            cells[(d.unit, period)].decisions[d.kind] += 1
    for a in facts.appeals:
        period = within(a.received_on)
        if period is not None:
            counted = cells[(a.unit, period)].appeals
            counted["received"] += 1
            counted["in_time"] += a.timely
            counted["forwarded_in_time"] += a.forwarded_on is not None and a.forwarded_on <= a.forward_due
            counted["rejected_late"] += a.rejected
            counted["lapsed"] += a.lapsed
            if a.board_outcome in ("upheld", "changed", "sent_back"):
                counted[a.board_outcome] += 1
    for v in facts.deviations:
        period = within(v.reported_on)
        if period is not None:
            cell = cells[(v.unit, period)]
            cell.deviations += 1
            cell.answered_in_time += v.answered_on is not None and v.answered_on <= v.answer_due

    # Stocks, on each period's reference day (its last, or today for the one under way), and on
    # the range's last reference day for the whole range: a difference array per unit and stock.
    refs = [min(period_end(key, per), today) for key in keys]
    counted = sorted(set(refs))
    index_of = {day: i for i, day in enumerate(counted)}
    diffs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(counted) + 1))

    def add(unit: str, stock: str, lo: int, hi: int) -> None:
        if lo < hi:
            diff = diffs[(unit, stock)]
            diff[lo] += 1
            diff[hi] -= 1

    for p in facts.programmes:
        in_force = _indices(counted, p.issued_on, p.ended_on)
        if in_force.start >= in_force.stop:
            continue
        add(p.unit, "programmes_in_force", in_force.start, in_force.stop)
        follow_ups, evaluation = p.overdue_spans()
        for stock, spans in (("follow_ups_overdue", follow_ups), ("evaluations_overdue", evaluation)):
            for start, end in (_merged(spans) if len(spans) > 1 else spans):
                span = _indices(counted, start, end)
                add(p.unit, stock, max(span.start, in_force.start), min(span.stop, in_force.stop))
    for (unit, stock), diff in diffs.items():
        running, at = 0, []
        for step in diff[:-1]:
            running += step
            at.append(running)
        for key, ref in zip(keys, refs):
            if at[index_of[ref]]:
                cell = cells[(unit, key)]
                setattr(cell, stock, getattr(cell, stock) + at[index_of[ref]])
        if counted:
            cell = cells[(unit, "")]
            setattr(cell, stock, getattr(cell, stock) + at[index_of[max(refs)]])

    for (unit, period), cell in list(cells.items()):
        if period:
            _roll_up(cells[(unit, "")], cell, stocks=False)  # the unit's stocks stand on the range's last day
            _roll_up(cells[(WHOLE_MUNICIPALITY, period)], cell, stocks=True)
    for (unit, period), cell in list(cells.items()):
        if not period and unit != WHOLE_MUNICIPALITY:
            _roll_up(cells[(WHOLE_MUNICIPALITY, "")], cell, stocks=True)
    return cells


def overview(facts: Facts, per: Per, first: date, last: date, today: date, kinds: Iterable[str], *,
             over_time: Iterable[str] | None = ()) -> dict[str, Any]:
    """The owner's view as the API answers it: the municipality's figures per period, each
    unit's for the whole range, and per period for the units in `over_time` (None: every unit);
    every figure already suppressed (small numbers)."""
    kinds = list(kinds)
    keys = periods(first, last, per)
    cells = aggregate(facts, per, first, last, today)
    units = sorted({unit for unit, _ in cells} - {WHOLE_MUNICIPALITY})
    wanted = set(units) if over_time is None else set(over_time)
    nothing = Figures().shown(kinds)

    def row(unit: str, period: str) -> dict[str, Any]:
        return cells[(unit, period)].shown(kinds) if (unit, period) in cells else nothing

    def unit_row(unit: str) -> dict[str, Any]:
        found = {"school_unit": unit, "total": row(unit, "")}
        if unit in wanted:
            found["periods"] = [{"period": key, **row(unit, key)} for key in keys]
        return found

    return {
        "per": per.value,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "today": today.isoformat(),
        "periods": [{"key": key, "label": period_label(key, per)} for key in keys],
        "municipality": {"total": row(WHOLE_MUNICIPALITY, ""),
                         "periods": [{"period": key, **row(WHOLE_MUNICIPALITY, key)} for key in keys]},
        "units": [unit_row(unit) for unit in units],
    }


# -- the period asked for ----------------------------------------------------------------------
class PeriodEndsBeforeItStarts(RuleBroken):
    message = "Perioden kan inte sluta innan den börjar."
    field = "to"


class PeriodIsAtMostTenYears(RuleBroken):
    message = "Välj en period på högst tio år."
    field = "from"


class PeriodStartsBeforeStodspar(RuleBroken):
    message = "Perioden kan börja tidigast 1 januari 2000."
    field = "from"


EARLIEST = date(2000, 1, 1)
LONGEST_YEARS = 10


def chosen_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The days the view covers: from the start of the school year and to today unless asked
    otherwise; never past today (nothing has happened there yet)."""
    first = first or school_year_start(today)
    last = min(last or today, today)
    if first < EARLIEST:
        raise PeriodStartsBeforeStodspar()
    if last < first:
        raise PeriodEndsBeforeItStarts()
    if years_after(first, LONGEST_YEARS) < last:
        raise PeriodIsAtMostTenYears()
    return first, last
