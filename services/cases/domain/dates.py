"""Plausible dates on a support case and in rektor's delegations: the one place the cases
service says which typed date it believes (docs/rules.md, "Plausible dates"). The school year
and the bounds are eventkit.dates'; the rules refusing a date are named in cases.domain.rules.

- Delivery of a decision (R9): not before the decision was taken, at most a year ahead.
- Offer of participation (R8): not before the case was opened, at most a year ahead.
- Follow-up and evaluation dates of a programme (R10): not before the programme is issued
  (R7 says so), at most a year ahead.
- A delegation (R5): starts no earlier than the current school year (1 July) and at most a year
  ahead; ends no earlier than it starts and no later than 30 June of the school year it starts in.
"""
from __future__ import annotations

from datetime import date

from cases.domain.rules import (
    DelegationDoesNotStartBeforeTheCurrentSchoolYear,
    DelegationEndsNoEarlierThanItStarts,
    DelegationLastsAtMostToTheEndOfItsSchoolYear,
    DelegationStartsAtMostAYearAhead,
    DeliveryCannotPrecedeTheDecision,
    DeliveryDateIsAtMostAYearAhead,
    FollowUpAndEvaluationAreAtMostAYearAhead,
    ParticipationDateIsAtMostAYearAhead,
    ParticipationDateIsNotBeforeTheCaseWasOpened,
)
from eventkit.dates import latest_ahead, school_year_end, school_year_start, swedish


def delivery(delivered_on: date, *, decided_on: date, today: date, who: str = "vårdnadshavarna",
             field: str = "delivered_on") -> date:
    """`who`: the recipient in words ("vårdnadshavarna", "mottagaren"); `field`: the form's field."""
    if delivered_on < decided_on:
        raise DeliveryCannotPrecedeTheDecision(
            f"Beslutet fattades {swedish(decided_on)} och kan inte ha nått {who} före det.").at(field)
    if delivered_on > latest_ahead(today):
        raise DeliveryDateIsAtMostAYearAhead(
            f"Dagen då beslutet nådde {who} kan ligga högst ett år fram i tiden, senast "
            f"{swedish(latest_ahead(today))} – kontrollera datumet.").at(field)
    return delivered_on


def participation(offered_on: date, *, opened_on: date, today: date) -> date:
    if offered_on < opened_on:
        raise ParticipationDateIsNotBeforeTheCaseWasOpened(
            f"Ärendet öppnades {swedish(opened_on)}; erbjudandet kan inte ha lämnats före det.")
    if offered_on > latest_ahead(today):
        raise ParticipationDateIsAtMostAYearAhead(
            f"Datumet för erbjudandet kan ligga högst ett år fram i tiden, senast {swedish(latest_ahead(today))}.")
    return offered_on


def programme_dates(follow_up_dates: list[date], evaluation_on: date, *, today: date) -> None:
    latest = latest_ahead(today)
    problems = {}
    if any(day > latest for day in follow_up_dates):
        problems["follow_up_dates"] = f"Uppföljningen kan planeras högst ett år fram i tiden, senast {swedish(latest)}."
    if evaluation_on > latest:
        problems["evaluation_on"] = f"Utvärderingen kan planeras högst ett år fram i tiden, senast {swedish(latest)}."
    if problems:
        raise FollowUpAndEvaluationAreAtMostAYearAhead(problems)


def delegation_period(valid_from: date, valid_to: date, *, today: date) -> None:
    if valid_from < school_year_start(today):
        raise DelegationDoesNotStartBeforeTheCurrentSchoolYear(
            f"En delegation kan inte börja före det här läsåret, som började {swedish(school_year_start(today))}.")
    if valid_from > latest_ahead(today):
        raise DelegationStartsAtMostAYearAhead(
            f"En delegation kan börja högst ett år fram i tiden, senast {swedish(latest_ahead(today))}.")
    if valid_to < valid_from:
        raise DelegationEndsNoEarlierThanItStarts()
    if valid_to > school_year_end(valid_from):
        raise DelegationLastsAtMostToTheEndOfItsSchoolYear(
            f"En delegation gäller högst läsåret ut: en delegation från {swedish(valid_from)} gäller till och med "
            f"{swedish(school_year_end(valid_from))} som längst.")
