"""Builders for unit tests: a support case brought to a given step, in memory."""
from __future__ import annotations

from datetime import date, datetime, timezone

from cases.domain.decision import Decision, DecisionKind, is_appealable
from cases.domain.investigation import PARTS
from cases.domain.model import SupportCase
from cases.domain.values import PersonalIdentityNumber

OPENED = date(2026, 9, 1)  # the case's day one; the steps after it are on DAY, which is "today" where a rule asks
REFERRED_AT = datetime(2026, 9, 7, 9, 0, tzinfo=timezone.utc)
DAY = date(2026, 9, 8)
ALL_PARTS = {name: f"{label}: beskrivet." for name, label in PARTS.items()}
MEASURES = [{"description": "Stöd i läsförståelse med speciallärare", "extent": "2 x 40 min/vecka", "responsible": "sara.berg"}]
PROGRAMME = {
    "needs": "Behöver stöd att förstå längre texter i alla ämnen.",
    "measures": MEASURES,
    "follow_up_dates": [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)],
    "follow_up_responsible": "sara.berg",
    "evaluation_on": date(2027, 1, 15),
    "evaluation_responsible": "rolf.ek",
}


def opened() -> SupportCase:
    return SupportCase.open(
        municipality="0180", school_unit="0180-ENG", pupil=PersonalIdentityNumber.parse("201001012382"),
        pupil_name="Elev Test", opened_by="anna.lind", today=OPENED,
    )


def referred() -> SupportCase:
    case = opened()
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=REFERRED_AT, why_not_enough="Räcker inte")
    return case


def investigating(case: SupportCase | None = None) -> SupportCase:
    case = case or referred()
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg",
                             student_health_team=True, on=DAY)
    return case


def investigated(case: SupportCase | None = None) -> SupportCase:
    case = investigating(case)
    case.record_investigation(ALL_PARTS, recorded_by="sara.berg")
    case.conclude_investigation(proposal="Upprätta åtgärdsprogram", concluded_by="sara.berg", on=DAY)
    return case


def decided(kind: DecisionKind = DecisionKind.ESTABLISH_PROGRAMME, case: SupportCase | None = None) -> SupportCase:
    case = investigated(case)
    case.decide(kind=kind, decided_by="rolf.ek", by_rektor=True, on=DAY)
    return case


def with_participation(case: SupportCase) -> SupportCase:
    for party in ("pupil", "guardians"):
        case.record_participation(party=party, offered_on=DAY, took_part=True, views="Vill ha stöd", recorded_by="sara.berg", today=DAY)
    return case


def with_programme() -> SupportCase:
    case = with_participation(decided())
    case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY)
    return case


def a_decision(kind: DecisionKind, on: date = DAY) -> Decision:
    """A decision as a case holds it, for what reads decisions without a case around them."""
    return Decision(number=1, kind=kind, placements=(), reasons="", decided_by="rolf.ek", delegation_number=None,
                    decided_on=on, school_unit="0180-ENG", appealable=is_appealable(kind, ()), appeal_instructions="")
