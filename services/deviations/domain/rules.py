"""Rules of deviation reporting (R19–R22), each a small class named as the sentence it makes true.

A broken rule raises `RuleBroken` with the rule's id from docs/rules.md and its name, before any
event exists, so a refused command stores nothing.
"""
from __future__ import annotations

from eventkit.rules import RuleBroken  # noqa: F401  (re-exported: services name it from here)


# R19 — what a deviation is --------------------------------------------------------------
class DeviationInvolvesTwoOrMoreOrganisations(RuleBroken):
    rule_id = "R19"
    field = "organisations"
    message = "En avvikelse gäller samverkan mellan minst två verksamheter – ange alla som berörs."


class DeviationHasACategoryFromTheAgreedList(RuleBroken):
    rule_id = "R23"
    field = "category"
    message = "Välj en kategori ur listan."


class DeviationNeedsADescription(RuleBroken):
    rule_id = "R19"
    field = "description"
    message = "Beskriv avvikelsen (högst 4000 tecken)."


class DeviationWasTriedLocallyOrIsOfAPrincipledNature(RuleBroken):
    rule_id = "R19"
    field = "tried_locally"
    message = (
        "Beskriv vad som prövats lokalt – eller markera att avvikelsen är av principiell karaktär."
    )


class DeviationDateIsNotInTheFuture(RuleBroken):
    rule_id = "R19"
    field = "occurred_on"
    message = "Datumet kan inte ligga i framtiden."


class DeviationOccurredWhileTheChildCouldBeAPupil(RuleBroken):
    """Plausible dates (deviations.domain.dates): not more than the oldest pupil's age ago."""

    rule_id = "R19"
    field = "occurred_on"
    message = "Datumet ligger för långt bak i tiden för en avvikelse som gäller ett barn – kontrollera datumet."


class DeviationAroseInOneOfTheInvolvedOrganisations(RuleBroken):
    rule_id = "R21"
    field = "arose_in"
    message = "Välj den verksamhet där avvikelsen uppstod, bland de berörda."


class RegionReportNamesTheMunicipalityConcerned(RuleBroken):
    rule_id = "R19"
    field = "counterpart_municipality"
    message = "En avvikelse från regionen ska ange vilken kommun som är den andra parten."


class DeviationInvolvesBothSidesOfTheCollaboration(RuleBroken):
    rule_id = "R19"
    field = "organisations"
    message = "Minst en berörd verksamhet ska vara din egen huvudmans."


# R20 — who reports, who is responsible -------------------------------------------------------
class OnlyConfiguredReportersMayReport(RuleBroken):
    rule_id = "R20"
    message = "Du är inte utsedd att rapportera avvikelser för den här enheten."


class UnitHasAResponsibleManager(RuleBroken):
    rule_id = "R20"
    field = "manager"
    message = "Enheten behöver en ansvarig chef innan avvikelser kan rapporteras."


class AnswerTimeIsAWholeNumberOfDays(RuleBroken):
    rule_id = "R21"
    field = "answer_days"
    message = "Svarstiden anges i dagar, mellan 1 och 365."


# R21 — local handling ---------------------------------------------------------------------------
class OnlyTheResponsibleManagerHandlesTheDeviation(RuleBroken):
    rule_id = "R21"
    message = "Bara enhetens ansvariga chef kan hantera avvikelsen."


class ActionNeedsADescription(RuleBroken):
    rule_id = "R21"
    field = "action"
    message = "Beskriv åtgärden (högst 2000 tecken)."


class DeviationHasOneOutcome(RuleBroken):
    rule_id = "R21"
    message = "Avvikelsen är redan avslutad lokalt eller skickad till BUS-sekretariatet."


class AnswerIsRecordedOnce(RuleBroken):
    rule_id = "R21"
    field = "answer"
    message = "Svaret är redan registrerat."


class AnswerNeedsAText(RuleBroken):
    rule_id = "R21"
    field = "answer"
    message = "Skriv vad verksamheten svarade (högst 4000 tecken)."


class SolvedLocallyNeedsASummary(RuleBroken):
    rule_id = "R21"
    field = "summary"
    message = "Beskriv kort hur avvikelsen löstes lokalt."


class DeviationIsHandledLocallyBeforeItIsSent(RuleBroken):
    rule_id = "R21"
    message = "Skriv upp minst en lokal åtgärd innan avvikelsen skickas till BUS-sekretariatet."


# R22 — de-identification -------------------------------------------------------------------------
class EveryFindingIsRedactedOrConfirmed(RuleBroken):
    rule_id = "R22"
    field = "findings"
    message = "Ta bort eller bekräfta varje markerad uppgift innan avvikelsen skickas."


class ReportWithAPersonalIdentityNumberCannotBeSent(RuleBroken):
    rule_id = "R22"
    field = "findings"
    message = (
        "Texten innehåller fortfarande ett personnummer, samordningsnummer eller födelsedatum. "
        "Det måste tas bort innan avvikelsen kan skickas."
    )


class TextIsCheckedBeforeItIsSent(RuleBroken):
    rule_id = "R22"
    field = "findings"
    message = "Granska texten innan avvikelsen skickas."


class TextIsSentAsChecked(RuleBroken):
    rule_id = "R22"
    field = "description"
    message = (
        "Texten eller registret har ändrats sedan granskningen. Granska texten igen och ta ställning "
        "till det som hittas innan du skickar."
    )


class IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted(RuleBroken):
    rule_id = "R22"
    field = "findings"
    message = (
        "Personnummer, födelsedatum och namn på kommunens elever och vårdnadshavare kan bara tas bort, "
        "aldrig behållas."
    )


class OnlyASentDeviationCanBeReturned(RuleBroken):
    rule_id = "R22"
    message = (
        "Bara en avvikelse som har skickats och som kontrollen före det regionala flödet har hållit kvar "
        "kan tas tillbaka och granskas igen."
    )


class TextNamingSomeoneWhoseNameIsWithheldIsRewrittenFirst(RuleBroken):
    """The text names a person whose name the register may not confirm to this user (R14):
    refused as a whole, with a message that names no one and points at nothing."""

    rule_id = "R22"
    field = "description"
    message = (
        "Texten kan inte granskas som den är skriven. Ta bort namnen på elever och vårdnadshavare "
        "ur texten och granska den igen."
    )


class DeviationTextNamesNoPupilWithProtectedIdentity(RuleBroken):
    """A deviation is read by more people than those granted a protected pupil (the unit's
    manager, the answering organisation, the secretariat after de-identification): a text that
    names a pupil with protected identity is not stored, whoever writes it, and the message
    names no one (R14). Asked of the register with no one's grants."""

    rule_id = "R14"
    field = "description"
    message = (
        "Texten kan inte sparas som den är skriven. Skriv ”eleven” eller ”vårdnadshavaren” i stället för namn: "
        "en avvikelse läses av fler än dem som får se alla elevers uppgifter."
    )

    def __init__(self, field: str = "description") -> None:
        super().__init__()
        self.field = field
        self.fields = {field: self.message}


class DisposedTextsAreNotWrittenTo(RuleBroken):
    rule_id = "R17"
    message = (
        "Avvikelsens texter är gallrade tillsammans med uppgifterna om en elev de nämnde. Den kan inte längre "
        "hanteras; rapportera en ny avvikelse utan elevens namn om det behövs."
    )
