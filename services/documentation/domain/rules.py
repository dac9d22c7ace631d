"""Rules of the documentation, each a small class named as the sentence it makes true.

A broken rule raises before any event exists, so a refused command stores nothing. Where
docs/rules.md has a rule for it the class carries that id; plain input checks (a date, a number,
a choice from a list) are `InvalidIntervention`, with a Swedish message per form field.
"""
from __future__ import annotations

from eventkit.rules import RuleBroken


class InvalidIntervention(ValueError):
    """The input needs correcting; `fields` holds a Swedish message per form field."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


# R3 — the investigation --------------------------------------------------------------------
class OnlyAssessmentsAndMappingsAreAttachedToTheInvestigation(RuleBroken):
    rule_id = "R3"
    field = "attach_to_investigation"
    message = "Bara pedagogiska bedömningar och kartläggningar kan bifogas till utredningen."


class InvestigationMustBeOpenToAttach(RuleBroken):
    rule_id = "R3"
    field = "attach_to_investigation"
    message = (
        "Ärendet har ingen pågående utredning att bifoga till. Utredningen ska vara inledd av rektor "
        "och inte avslutad."
    )


class AttachedInterventionStaysAnAssessmentOrMapping(RuleBroken):
    rule_id = "R3"
    field = "kind"
    message = (
        "Insatsen är bifogad till en utredning och ska vara en pedagogisk bedömning eller en kartläggning. "
        "Makulera den och dokumentera på nytt om den var fel."
    )


# Plausible dates (documentation.domain.dates) ------------------------------------------------
class InterventionDateIsNotInTheFuture(RuleBroken):
    field = "performed_on"
    message = "Datumet kan inte ligga i framtiden; dokumentera insatsen när den är gjord."


class InterventionDateIsAtMostAYearBack(RuleBroken):
    field = "performed_on"
    message = "Dokumentera insatser löpande: datumet kan ligga högst ett år bakåt."


class InterventionDateIsNotBeforeThePupilsCase(RuleBroken):
    rule_id = "R14"
    field = "performed_on"
    message = "En insats i elevens ärende kan inte ha gjorts innan ärendet öppnades."


# R14 — pupil data stays in the pupil's case -------------------------------------------------
class IndividualInterventionBelongsToAPupilsCase(RuleBroken):
    rule_id = "R14"
    field = "case_id"
    message = "En insats på individnivå dokumenteras i elevens ärende – välj elevärendet."


class CaseBelongsToTheInterventionsSchoolUnit(RuleBroken):
    rule_id = "R14"
    field = "case_id"
    message = "Elevärendet hör till en annan skolenhet än insatsen."


class OrganisationAndGroupNotesNameNoPupil(RuleBroken):
    rule_id = "R14"
    field = "description"
    message = (
        "Texten pekar ut en person: ett personnummer eller ett namn ur kommunens elevregister. Dokumentation på "
        "organisations- och gruppnivå ska inte peka ut en elev – skriv utan namn, eller dokumentera insatsen på "
        "individnivå i elevens ärende."
    )


# R16 — corrections are new events ------------------------------------------------------------
class CorrectionNeedsAReason(RuleBroken):
    rule_id = "R16"
    field = "reason"
    message = "Skriv varför uppgiften rättas; den ursprungliga finns kvar i historiken."


class CorrectionMustChangeSomething(RuleBroken):
    rule_id = "R16"
    message = "Rättelsen ändrar ingenting – ändra någon uppgift, eller låt bli att rätta."


class WithdrawnInterventionStaysWithdrawn(RuleBroken):
    rule_id = "R16"
    message = "Insatsen är makulerad och kan inte ändras; dokumentera en ny insats i stället."


# R17 — disposal ----------------------------------------------------------------------------
class DisposedPupilGetsNoNewDocumentation(RuleBroken):
    rule_id = "R17"
    field = "case_id"
    message = "Elevens uppgifter är gallrade; ingen ny dokumentation kan kopplas till eleven."
