"""What loggkontroll can be asked (R15), without I/O: the kinds of access one filters on, and a
period of whole Swedish calendar days that can be true. A refusal names its rule and stands at
its field (the read API's `from` and `to`; the page's Från och med, Till och med)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from eventkit.dates import LOCAL_TIME, swedish, years_before
from eventkit.rules import RuleBroken

# What one filters on → which entries it means: (actions, outcome). Every action of the access
# log (eventkit.accesslog.ACTIONS) is in exactly one kind; a refused request is its own kind.
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "read": (("read", "list", "search"), "granted"),
    "change": (("change", "disposal"), "granted"),
    "print": (("print",), "granted"),
    "export": (("export",), "granted"),
    "refused": ((), "refused"),
}
YEARS_BACK = 25  # the oldest pupil's records: nothing in the log can be older


class PeriodEndsNoEarlierThanItStarts(RuleBroken):
    rule_id = "R15"
    field = "to"
    message = "Slutdatumet kan inte vara före startdatumet."


class PeriodIsNotInTheFuture(RuleBroken):
    rule_id = "R15"
    message = "Datumet ligger i framtiden; loggen har inget därifrån."


class PeriodIsWithinTheLog(RuleBroken):
    rule_id = "R15"
    message = "Datumet ligger för långt bak i tiden."


@dataclass(frozen=True)
class Period:
    since: date | None
    until: date | None

    @classmethod
    def of(cls, since: date | None, until: date | None, today: date) -> "Period":
        oldest = years_before(today, YEARS_BACK)
        for field, day in (("from", since), ("to", until)):
            if day is not None and day > today:
                raise PeriodIsNotInTheFuture(f"Datumet ligger efter i dag ({swedish(today)}); loggen har inget därifrån.").at(field)
            if day is not None and day < oldest:
                raise PeriodIsWithinTheLog(f"Ange ett datum från och med {swedish(oldest)}.").at(field)
        if since and until and until < since:
            raise PeriodEndsNoEarlierThanItStarts()
        return cls(since, until)

    @property
    def start(self) -> datetime | None:
        """The first moment of the first day, in Swedish time."""
        return datetime.combine(self.since, time(), LOCAL_TIME) if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the last day, in Swedish time."""
        return datetime.combine(self.until + timedelta(days=1), time(), LOCAL_TIME) if self.until else None
