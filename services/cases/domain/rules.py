"""Business rules, each a small class named as the sentence it makes true.

A broken rule raises `RuleBroken`, carrying the rule's id from docs/rules.md (R1…) and its
name, so the API, the forms and the tests can all say exactly which rule refused a command.
"""
from __future__ import annotations

from eventkit.rules import RuleBroken  # noqa: F401  (re-exported: services name it from here)


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


class ReferralMustComeBeforeTheInvestigation(RuleBroken):
    rule_id = "R2"
    message = "Utredningen inleds efter en anmälan till rektor; ärendet är inte anmält."


# R3 the investigation ---------------------------------------------------------------------
class OnlyRektorStartsTheInvestigation(RuleBroken):
    rule_id = "R3"
    message = "Det är rektor som inleder utredningen och utser vem som utreder."


class InvestigationNeedsAnInvestigator(RuleBroken):
    rule_id = "R3"
    message = "Ange vem som ska utreda (oftast specialpedagogen)."


class InvestigationWithoutStudentHealthTeamNeedsAReason(RuleBroken):
    rule_id = "R3"
    message = (
        "Elevhälsan ska delta i utredningen. Om det är uppenbart obehövligt ska skälet skrivas ned."
    )


class InvestigationIsAlreadyUnderWay(RuleBroken):
    rule_id = "R4"
    message = "En utredning pågår redan eller väntar på beslut; den avslutas med ett beslut först."


class InvestigationMustBeUnderWay(RuleBroken):
    rule_id = "R3"
    message = "Det finns ingen pågående utredning i ärendet. Rektor inleder den först."


class InvestigationMustCoverEveryPerspective(RuleBroken):
    """Refused with one message per missing part (`fields`)."""

    rule_id = "R3"
    message = (
        "Utredningen ska ta med elevens, vårdnadshavarnas och skolans syn, den pedagogiska "
        "bedömningen och en analys av lärmiljön på organisations-, grupp- och individnivå."
    )

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


# R4–R6 the decision ------------------------------------------------------------------------
class DecisionNeedsAConcludedInvestigation(RuleBroken):
    rule_id = "R4"
    message = "Ett beslut fattas när utredningen är avslutad med ett förslag, och varje utredning leder till ett beslut."


class DecisionKindNeedsAProgrammeInPlace(RuleBroken):
    rule_id = "R4"
    message = "Att fortsätta med nya åtgärder eller avsluta förutsätter ett gällande åtgärdsprogram."


class ProgrammeIsAlreadyInPlace(RuleBroken):
    rule_id = "R4"
    message = "Ett åtgärdsprogram gäller redan. Besluta att fortsätta med nya åtgärder eller att avsluta det."


class DecisionByOthersThanRektorNeedsAValidDelegation(RuleBroken):
    rule_id = "R5"
    message = (
        "Du har ingen giltig delegation från rektor för det här beslutet (skollagen 2 kap. 10 §). "
        "Beslutet kan fattas av rektor, eller av den som rektor skriftligen delegerat det till."
    )


class OnlyRektorDelegates(RuleBroken):
    rule_id = "R5"
    message = "Bara rektor kan delegera beslut, och bara för sin egen skolenhet."


class DelegationMustStateWhoWhatAndWhen(RuleBroken):
    rule_id = "R5"
    message = "En delegation anger vem, vilka beslut och från och med–till och med vilket datum."

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


class DelegationDoesNotStartBeforeTheCurrentSchoolYear(RuleBroken):
    """Plausible dates (cases.domain.dates): a delegation is written for the school year at
    hand or the next, not back-dated past the school year's first day (1 July)."""

    rule_id = "R5"
    field = "valid_from"
    message = "En delegation kan inte börja före det här läsåret – kontrollera startdatumet."


class DelegationStartsAtMostAYearAhead(RuleBroken):
    rule_id = "R5"
    field = "valid_from"
    message = "En delegation kan börja högst ett år fram i tiden – kontrollera startdatumet."


class DelegationEndsNoEarlierThanItStarts(RuleBroken):
    rule_id = "R5"
    field = "valid_to"
    message = "Slutdatumet kan inte ligga före startdatumet."


class DelegationLastsAtMostToTheEndOfItsSchoolYear(RuleBroken):
    """A delegation ends no later than 30 June of the school year it starts in."""

    rule_id = "R5"
    field = "valid_to"
    message = "En delegation gäller högst läsåret ut, till och med den 30 juni – kontrollera slutdatumet."


class DecisionOnSpecialTeachingGroupCannotBeDelegated(RuleBroken):
    rule_id = "R6"
    message = (
        "Beslut om särskild undervisningsgrupp, enskild undervisning eller anpassad studiegång "
        "fattas av rektor personligen och kan inte delegeras (skollagen 3 kap. 11 § och 12 §, "
        "jämför 2 kap. 10 §)."
    )


# R7, R8, R18 the action programme --------------------------------------------------------
class ProgrammeNeedsADecisionToEstablishIt(RuleBroken):
    rule_id = "R4"
    message = "Ett åtgärdsprogram utfärdas efter rektors beslut att upprätta det (eller att fortsätta med nya åtgärder)."


class ActionProgrammeMustStateNeedsMeasuresAndFollowUp(RuleBroken):
    """Refused with one message per missing part (`fields`)."""

    rule_id = "R7"
    message = (
        "Åtgärdsprogrammet är inte komplett: det ska ange behovet, åtgärderna med omfattning och "
        "ansvarig, och när uppföljning och utvärdering sker och vem som ansvarar."
    )

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


class ProgrammeNeedsPupilAndGuardiansOfferedParticipation(RuleBroken):
    rule_id = "R8"
    message = (
        "Eleven och vårdnadshavarna ska ha erbjudits att delta när åtgärdsprogrammet utarbetas. "
        "Skriv upp erbjudandet och deras synpunkter först."
    )


class ParticipationDateIsNotBeforeTheCaseWasOpened(RuleBroken):
    """Plausible dates (cases.domain.dates): an offer of participation is made in the case."""

    rule_id = "R8"
    field = "offered_on"
    message = "Erbjudandet kan inte ha lämnats innan ärendet öppnades – kontrollera datumet."


class ParticipationDateIsAtMostAYearAhead(RuleBroken):
    rule_id = "R8"
    field = "offered_on"
    message = "Datumet för erbjudandet kan ligga högst ett år fram i tiden – kontrollera datumet."


class ActionProgrammeHoldsNoDiagnoses(RuleBroken):
    rule_id = "R18"
    message = (
        "Åtgärdsprogrammet är ett beslut som kan lämnas ut; diagnoser och andra känsliga uppgifter "
        "hör hemma i utredningen. Beskriv behovet pedagogiskt i stället."
    )

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


# R9 appeal --------------------------------------------------------------------------------
class DecisionMustExist(RuleBroken):
    rule_id = "R9"
    message = "Det finns inget sådant beslut i ärendet."


class DeliveryCannotPrecedeTheDecision(RuleBroken):
    rule_id = "R9"
    field = "delivered_on"
    message = "Beslutet kan inte ha nått vårdnadshavarna innan det fattades."


class DeliveryDateIsAtMostAYearAhead(RuleBroken):
    """Plausible dates (cases.domain.dates): a delivery lies at most a year after today."""

    rule_id = "R9"
    field = "delivered_on"
    message = "Dagen då beslutet nådde vårdnadshavarna kan ligga högst ett år fram i tiden – kontrollera datumet."


class DeliveryIsRecordedOnce(RuleBroken):
    rule_id = "R16"
    message = "Delgivningen är redan registrerad. Rätta den i stället, så syns båda i historiken."


class DeliveryToARecipientIsRecordedOnce(RuleBroken):
    rule_id = "R16"
    field = "recipient"
    message = "Det är redan registrerat när den här mottagaren fick beslutet. Rätta det i stället, så syns båda i historiken."


class DeliveryNamesARecipient(RuleBroken):
    rule_id = "R9"
    field = "recipient"
    message = "Ange vem som fick beslutet: eleven, en vårdnadshavare eller vårdnadshavarna."


# R9 the appeal (förvaltningslagen 44–45 §§, 37–39 §§; skollagen 28 kap. 16 §) ---------------------
class AppealIsOnlyOfAnAppealableDecision(RuleBroken):
    """Only a decision on an action programme (or not to establish one) and on placements can be
    appealed to the board (skollagen 28 kap. 16 §)."""

    rule_id = "R9"
    field = "decision_number"
    message = ("Beslutet går inte att överklaga till Skolväsendets överklagandenämnd. Bara beslut om "
               "åtgärdsprogram (också att inte upprätta ett), särskild undervisningsgrupp, enskild "
               "undervisning och anpassad studiegång kan överklagas (skollagen 28 kap. 16 §).")


class AppealNamesWhoAppeals(RuleBroken):
    rule_id = "R9"
    field = "appellants"
    message = "Ange vem som överklagar: vårdnadshavarna, en vårdnadshavare eller eleven."


class AppealSaysWhatIsAsked(RuleBroken):
    rule_id = "R9"
    field = "asks"
    message = "Skriv kort vad den som överklagar vill att beslutet ändras till."


class AppealDateIsPlausible(RuleBroken):
    rule_id = "R9"
    field = "received_on"
    message = "Överklagandet kan inte ha kommit in före beslutet eller senare än i dag."


class PupilUnderSixteenAppealsWithTheGuardians(RuleBroken):
    rule_id = "R9"
    field = "appellants"
    message = ("Eleven är under 16 år och kan inte överklaga ensam: vårdnadshavarna överklagar för eleven "
               "(eleven kan stå med tillsammans med dem).")


class AppealAfterThreeWeeksIsLate(RuleBroken):
    """FL 44–45 §§: an appeal that came in after the last day is rejected (avvisas) by the school,
    not forwarded, unless the delay was the school's own doing."""

    rule_id = "R9"
    message = ("Överklagandet kom in efter sista dagen (tre veckor från den dag beslutet togs emot) och ska "
               "avvisas, inte lämnas vidare (förvaltningslagen 45 §). Har förseningen orsakats av skolan, "
               "registrera det på överklagandet.")


class OnlyALateAppealIsRejected(RuleBroken):
    rule_id = "R9"
    message = "Överklagandet kom in i tid och kan inte avvisas: ompröva beslutet eller lämna det vidare till nämnden."


class AppealFromOneGuardianIsIncomplete(RuleBroken):
    """Both guardians stand behind an appeal made for a child (föräldrabalken 6 kap. 13 §); the
    school records when the other joins, or why one suffices."""

    rule_id = "R9"
    message = ("Överklagandet kommer från en vårdnadshavare. Båda vårdnadshavarna behöver stå bakom det: "
               "registrera när den andra ansluter sig, eller skriv varför en räcker (till exempel ensam vårdnad).")


class AppealIsCompleteAlready(RuleBroken):
    rule_id = "R9"
    message = "Överklagandet har redan stöd av båda vårdnadshavarna (eller av eleven själv)."


class SingleGuardianNeedsAReason(RuleBroken):
    rule_id = "R9"
    field = "reason"
    message = "Skriv varför en vårdnadshavare räcker, till exempel att hen har ensam vårdnad."


class AppealMustExist(RuleBroken):
    rule_id = "R9"
    message = "Det finns inget sådant överklagande i ärendet."


class AppealIsHandledOnce(RuleBroken):
    rule_id = "R9"
    message = "Överklagandet är redan avgjort av skolan: avvisat, förfallet eller överlämnat till nämnden."


class DecisionCannotBeForwardedAndChangedAtOnce(RuleBroken):
    """FL 37–39 §§: the school either changes its decision (and if it meets the appeal in full, the
    appeal lapses) or keeps it and forwards the appeal; once forwarded, the board has the matter."""

    rule_id = "R9"
    message = ("Ett beslut kan inte både ändras och lämnas vidare: ett överklagande som lämnats till nämnden "
               "ompröver skolan inte, och ett beslut som ändrats helt som begärt lämnas inte vidare.")


class OnlyRektorOrTheDeciderReconsiders(RuleBroken):
    """The deciding authority answers an appeal of its decision: rektor, or the delegate who took it."""

    rule_id = "R9"
    message = "Bara rektor, eller den som fattade beslutet på rektors delegation, kan ompröva det eller avvisa överklagandet."


class ForwardingDateIsPlausible(RuleBroken):
    rule_id = "R9"
    field = "forwarded_on"
    message = "Överklagandet kan inte ha lämnats vidare före den dag det kom in eller senare än i dag."


class BoardDecidesOnAForwardedAppeal(RuleBroken):
    rule_id = "R9"
    message = "Nämndens avgörande registreras på ett överklagande som skolan har lämnat vidare till nämnden."


class BoardOutcomeIsRecordedOnce(RuleBroken):
    rule_id = "R16"
    message = "Nämndens avgörande är redan registrerat."


class BoardDateIsPlausible(RuleBroken):
    rule_id = "R9"
    field = "decided_on"
    message = "Nämnden kan inte ha avgjort överklagandet före den dag det lämnades vidare eller senare än i dag."


class ChangedDecisionStatesTheNewDecision(RuleBroken):
    rule_id = "R9"
    field = "kind"
    message = "Ange vad beslutet ändrades till."


class SentBackSaysWhereTheMatterGoes(RuleBroken):
    rule_id = "R9"
    field = "sent_back_to"
    message = "Ange om nämnden återförvisade ärendet för ny utredning eller för nytt beslut."


# R10 follow-up and evaluation -------------------------------------------------------------
class FollowUpNeedsAProgrammeInForce(RuleBroken):
    rule_id = "R10"
    message = "Uppföljning och utvärdering görs av ett gällande åtgärdsprogram."


class FollowUpNeedsWhatWasFound(RuleBroken):
    rule_id = "R10"
    message = "Skriv kort vad uppföljningen visade."


class FollowUpAndEvaluationAreAtMostAYearAhead(RuleBroken):
    """Plausible dates (cases.domain.dates): the programme's follow-ups and evaluation lie at
    most a year after the day it is issued. Refused with one message per date field (`fields`)."""

    rule_id = "R10"
    message = "Uppföljning och utvärdering kan planeras högst ett år fram i tiden – kontrollera datumen."

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self.fields = fields


class ProgrammeCannotBeClosedWithoutAnEvaluation(RuleBroken):
    rule_id = "R10"
    message = "Åtgärdsprogrammet kan inte avslutas utan en utvärdering och ett beslut om att avsluta det."


# R11 scope --------------------------------------------------------------------------------
class ProgrammeIsValidOnlyAtTheSchoolUnitThatMadeIt(RuleBroken):
    rule_id = "R11"
    message = (
        "Åtgärdsprogrammet gäller vid skolenheten som beslutade det. Eleven har bytt skolenhet; "
        "där behövs en ny utredning och ett nytt beslut."
    )


class MoveMustBeToAnotherSchoolUnit(RuleBroken):
    rule_id = "R11"
    message = "Ange den skolenhet eleven flyttar till (en annan än den nuvarande)."


# Opening a case for a pupil ------------------------------------------------------------------
class PupilBirthDateMustBePlausible(RuleBroken):
    """A pupil is born in the past: at least a year and at most 25 years ago (what a
    personnummer of a child in förskoleklass to gymnasieskola can say)."""

    field = "pupil_id"
    message = (
        "Födelsedatumet i elevens personnummer är inte rimligt för en elev (högst 25 år och minst "
        "ett år sedan) – kontrollera personnumret i elevregistret."
    )


class PupilMustBePlacedAtTheSchoolUnit(RuleBroken):
    field = "pupil_id"
    message = "Eleven är inte placerad på den skolenheten; välj en elev på skolenheten."


# R16 corrections --------------------------------------------------------------------------
class CorrectionMustReferenceACorrectableEntry(RuleBroken):
    rule_id = "R16"
    message = "En rättelse ska hänvisa till en tidigare uppgift i ärendet som går att rätta."


class CorrectionNamesAFieldOfTheEntry(RuleBroken):
    rule_id = "R16"
    field = "field"
    message = "Välj vilken uppgift i händelsen som rättas."


class CorrectionChangesTheValue(RuleBroken):
    rule_id = "R16"
    field = "value"
    message = "Den rättade uppgiften är densamma som den som står i ärendet; skriv in den nya."


class CorrectionNeedsAReason(RuleBroken):
    rule_id = "R16"
    message = "Skriv varför uppgiften rättas; den ursprungliga finns kvar i historiken."


# R14 confidentiality: protected identity and the medical domain ---------------------------
class OnlyRektorDecidesOnProtectedIdentity(RuleBroken):
    rule_id = "R14"
    message = "Det är rektor som markerar skyddad identitet och beslutar vem som får se ärendet."


class ProtectedIdentityIsMarkedOnce(RuleBroken):
    rule_id = "R14"
    message = "Ärendet är redan markerat med skyddad identitet."


class AccessIsGrantedOnlyToAProtectedPupilsCase(RuleBroken):
    rule_id = "R14"
    message = "Behörighet delas bara ut till ärenden med skyddad identitet; markera ärendet först."


class GrantNamesOneStaffMember(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Ange vilken medarbetare (användar-id) som ska få se ärendet."


class GrantIsGivenOnce(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Medarbetaren har redan behörighet till ärendet."


class OnlyAGrantedAccessCanBeRevoked(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Medarbetaren har ingen behörighet till ärendet att återkalla."


class AProtectedCaseKeepsSomeoneWithAccess(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Minst en medarbetare måste ha behörighet till ett ärende med skyddad identitet."


class OnlyMedicalStaffKeepTheMedicalRecord(RuleBroken):
    rule_id = "R14"
    message = "Den medicinska delen (skolsköterska, skolläkare) är ett eget sekretessområde; bara medicinsk personal skriver i den."


class MedicalEntryNeedsText(RuleBroken):
    rule_id = "R14"
    field = "text"
    message = "Skriv anteckningen (högst 8000 tecken)."


# R14 least privilege: the investigation is for those who take part in it --------------------
class OnlyRektorInvitesToTheInvestigation(RuleBroken):
    rule_id = "R14"
    message = "Det är rektor som bjuder in en lärare till utredningen."


class InvitationNamesATeacherOfTheUnit(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Välj en lärare på ärendets skolenhet. Specialpedagoger, elevhälsan och rektor ser redan utredningen."


class InvitationIsGivenOnce(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Läraren är redan inbjuden till utredningen."


class OnlyAnInvitationCanBeWithdrawn(RuleBroken):
    rule_id = "R14"
    field = "user_id"
    message = "Läraren är inte inbjuden till utredningen, så det finns ingen inbjudan att ta tillbaka."


class InvestigationIsForThoseTakingPart(RuleBroken):
    rule_id = "R14"
    message = "Utredningen visas för och skrivs av den som deltar i den. Rektor kan bjuda in dig."
