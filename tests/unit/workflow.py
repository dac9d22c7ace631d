"""Builders for unit tests: a support case brought to a given step, in memory."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

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


# -- R9: a younger pupil, delivery per recipient, an appeal ------------------------------------------
MOTHER = "guardian:6f1c3a52-0b7e-4c1a-9d55-2e8f0a1b3c4d"
FATHER = "guardian:9a2b4c6d-8e0f-4a1b-8c3d-5e7f9a1b2c3d"
TODAY = DAY + timedelta(days=60)  # the day the appeal tests act on, well after the decision


def young_case(kind: DecisionKind = DecisionKind.ESTABLISH_PROGRAMME) -> SupportCase:
    """A pupil of 12 (born 2014), decided on DAY."""
    case = SupportCase.open(municipality="0180", school_unit="0180-ENG", pupil=PersonalIdentityNumber.parse("201405122381"),
                            pupil_name="Elev Yngre", opened_by="anna.lind", today=date(2026, 9, 1))
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=REFERRED_AT, why_not_enough="Räcker inte")
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=True, on=DAY)
    case.record_investigation(ALL_PARTS, recorded_by="sara.berg")
    case.conclude_investigation(proposal="Särskild undervisningsgrupp", concluded_by="sara.berg", on=DAY)
    case.decide(kind=kind, decided_by="rolf.ek", by_rektor=True, on=DAY)
    return case


def received(case: SupportCase, *who_when: tuple[str, date], number: int = 1) -> SupportCase:
    for recipient, day in who_when:
        case.record_receipt(decision_number=number, recipient=recipient, method="post", received_on=day,
                            recorded_by="rolf.ek", today=TODAY)
    return case


def appeal(case: SupportCase, on: date, appellants=(MOTHER, FATHER), *, delay_caused_by_school=False, number=1) -> SupportCase:
    case.register_appeal(decision_number=number, received_on=on, appellants=list(appellants),
                         asks="Vi vill att Elev får plats i särskild undervisningsgrupp.", delay_caused_by_school=delay_caused_by_school,
                         registered_by="rolf.ek", today=TODAY)
    return case
