"""Rules of the special educator's mission and the quality cycle (R12, R13), each a small
class named as the sentence it makes true. A broken rule is raised before any event exists,
so a refused command stores nothing."""
from __future__ import annotations

from eventkit.rules import RuleBroken  # noqa: F401  (re-exported: services name it from here)


# R12 — mission, goals, competence plan and supervision, in dialogue ---------------------------
class OnlyRektorAndTheSpecialEducatorAreParties(RuleBroken):
    rule_id = "R12"
    message = "Bara skolenhetens rektor och specialpedagogen själv är parter i uppdraget."


class MissionIsStartedByRektorForASpecialEducator(RuleBroken):
    rule_id = "R12"
    field = "special_educator"
    message = "Välj den specialpedagog eller speciallärare som uppdraget gäller."


class MissionDescriptionNeedsAText(RuleBroken):
    rule_id = "R12"
    field = "text"
    message = "Skriv uppdragsbeskrivningen (högst 4000 tecken)."


class EachPartyConfirmsOnce(RuleBroken):
    rule_id = "R12"
    message = "Du har redan bekräftat detta."


class ConfirmationIsOfTheCurrentWording(RuleBroken):
    rule_id = "R12"
    message = "Texten har ändrats sedan du öppnade sidan. Läs den nya lydelsen och bekräfta igen."


class GoalsAreSetWithinADescribedMission(RuleBroken):
    rule_id = "R12"
    message = "Skriv uppdragsbeskrivningen innan målen formuleras."


class GoalNeedsAText(RuleBroken):
    rule_id = "R12"
    field = "text"
    message = "Formulera målet (högst 2000 tecken)."


class CompetenceNeedNeedsADescription(RuleBroken):
    rule_id = "R12"
    field = "text"
    message = "Beskriv kompetensbehovet (högst 2000 tecken)."


class ActivityAddressesAMappedNeed(RuleBroken):
    rule_id = "R12"
    field = "need_id"
    message = "Välj vilket kartlagt kompetensbehov aktiviteten ska möta."


class ActivityNeedsATitle(RuleBroken):
    rule_id = "R12"
    field = "title"
    message = "Ange aktiviteten (högst 300 tecken)."


class HoursAreBetweenHalfAnHourAndFiveHundred(RuleBroken):
    rule_id = "R12"
    field = "hours"
    message = "Ange timmar mellan 0,5 och 500."


class OnlyRektorAllotsTime(RuleBroken):
    rule_id = "R12"
    field = "hours"
    message = "Det är rektor som avsätter tid för kompetensutveckling."


class OnlyRektorArrangesSupervision(RuleBroken):
    rule_id = "R12"
    field = "provider"
    message = "Det är rektor som ordnar tillgång till handledning."


class ActivityIsCompletedOnce(RuleBroken):
    rule_id = "R12"
    message = "Aktiviteten är redan genomförd."


class DateIsNotInTheFuture(RuleBroken):
    rule_id = "R12"
    field = "on"
    message = "Datumet kan inte ligga i framtiden."


class DateIsNotBeforeTheMission(RuleBroken):
    """Plausible dates (competence.domain.dates): what belongs to the mission is not dated before it."""

    rule_id = "R12"
    field = "on"
    message = "Datumet kan inte ligga före uppdragets start."


class ActivityIsPlannedAtMostAYearAhead(RuleBroken):
    rule_id = "R12"
    field = "planned_by"
    message = "Aktiviteten kan planeras högst ett år fram i tiden."


class SupervisionSessionsPerTermAreCounted(RuleBroken):
    rule_id = "R12"
    field = "sessions_per_term"
    message = "Ange hur många handledningstillfällen per termin, 1–40."


class SupervisionHasAProvider(RuleBroken):
    rule_id = "R12"
    field = "provider"
    message = "Välj vem som ger handledningen."


class SupervisionSessionLastsFifteenMinutesToADay(RuleBroken):
    rule_id = "R12"
    field = "minutes"
    message = "Ange handledningens längd i minuter, 15–480."


class SupervisionIsRecordedWhenArranged(RuleBroken):
    rule_id = "R12"
    message = "Rektor behöver först ordna tillgång till handledning."


# R13 — follow-up, evaluation, development --------------------------------------------------------
class GoalHasAFollowUpSchedule(RuleBroken):
    rule_id = "R13"
    field = "follow_up_dates"
    message = "Ange minst ett och högst tolv uppföljningsdatum, i ordning och inte före i dag."


class GoalIsFollowedUpWithinAYear(RuleBroken):
    """Plausible dates (competence.domain.dates): the last follow-up at most a year ahead."""

    rule_id = "R13"
    field = "follow_up_dates"
    message = "Målet följs upp inom ett år: den sista uppföljningen kan ligga högst ett år fram i tiden."


class FollowUpsAreOnGoalsInForce(RuleBroken):
    rule_id = "R13"
    message = "Målet gäller först när både rektor och specialpedagogen har bekräftat det."


class TheSpecialEducatorReportsToRektor(RuleBroken):
    rule_id = "R13"
    message = "Uppföljningen rapporteras av specialpedagogen till rektor."


class FollowUpReportNeedsAText(RuleBroken):
    rule_id = "R13"
    field = "text"
    message = "Skriv vad uppföljningen visar (högst 4000 tecken)."


class AssessmentRestsOnAFollowUp(RuleBroken):
    rule_id = "R13"
    message = "Måluppfyllelsen bedöms efter minst en uppföljning av målet."


class AttainmentIsMetPartlyMetOrNotMet(RuleBroken):
    rule_id = "R13"
    field = "attainment"
    message = "Välj om målet är uppnått, delvis uppnått eller inte uppnått."


class AssessmentNeedsAnAnalysis(RuleBroken):
    rule_id = "R13"
    field = "analysis"
    message = "Skriv analysen av resultatet (högst 4000 tecken)."


class ActionsFollowAJointAssessment(RuleBroken):
    rule_id = "R13"
    field = "assessment_id"
    message = "En förbättringsåtgärd bygger på en bedömning som både rektor och specialpedagogen bekräftat."


class ImprovementActionNeedsADescription(RuleBroken):
    rule_id = "R13"
    field = "text"
    message = "Beskriv förbättringsåtgärden (högst 2000 tecken)."


class ANewGoalFollowsFromAnActionOnTheGoalItReplaces(RuleBroken):
    rule_id = "R13"
    field = "because_of"
    message = "Ett reviderat mål bygger på en förbättringsåtgärd för det mål det ersätter."


class AReplacedGoalIsNotFollowedUp(RuleBroken):
    rule_id = "R13"
    message = "Målet är ersatt av ett nytt mål; följ upp det nya målet."


class UnknownPartOfTheMission(RuleBroken):
    rule_id = "R13"
    message = "Det finns inget sådant mål, bedömning eller aktivitet i uppdraget."
