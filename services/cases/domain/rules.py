"""Business rules, each a small class named as the sentence it makes true.

A broken rule raises `RuleBroken`, carrying the rule's id from RULES.md (R1…) and its
name, so the API, the forms and the tests can all say exactly which rule refused a command.
"""
from __future__ import annotations


class RuleBroken(Exception):
    rule_id: str = ""
    message: str = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(f"{self.rule_id} {type(self).__name__}: {self.message}")

    @property
    def rule_name(self) -> str:
        return type(self).__name__


class ExtraAdaptationNeedsOneShortDescription(RuleBroken):
    rule_id = "R1"
    message = "Beskriv den extra anpassningen kort (högst 500 tecken)."


class ReferralNeedsTriedAdaptationsOrSpecialReason(RuleBroken):
    rule_id = "R2"
    message = (
        "En anmälan till rektor ska ange vilka extra anpassningar som prövats och varför de "
        "inte räcker, eller det särskilda skälet att anmäla direkt."
    )


class OpenReferralCannotBeMadeTwice(RuleBroken):
    rule_id = "R2"
    message = "Ärendet är redan anmält till rektor; utredningen ska inledas skyndsamt."


class ClosedCaseTakesNoNewEntries(RuleBroken):
    rule_id = "R16"
    message = "Ärendet är avslutat; öppna ett nytt ärende."
