"""Rules of the directory, each a small class named as the sentence it makes true. A broken
rule is raised before any event exists, so a refused registration stores nothing. The rules of
a local registration are those of the register itself (ADR 0026): a pupil rektor registers is
held to the same validity as one the register brings."""
from __future__ import annotations

from eventkit.rules import RuleBroken


class DirectoryRule(RuleBroken):
    rule_id = "ADR 0026"


class PersonalNumberIsValid(DirectoryRule):
    field = "personal_number"
    message = "Personnumret är inte giltigt – kontrollera datum och kontrollsiffra."


class BirthDateIsInThePast(DirectoryRule):
    field = "personal_number"
    message = "Födelsedatumet i personnumret ligger i framtiden – kontrollera numret."


class BirthDateIsPlausibleForAPupil(DirectoryRule):
    field = "personal_number"
    message = "Födelsedatumet i personnumret passar inte en elev: eleven ska vara mellan 1 och 25 år."


class GivenNameIsGiven(DirectoryRule):
    field = "given_name"
    message = "Ange elevens förnamn."


class FamilyNameIsGiven(DirectoryRule):
    field = "family_name"
    message = "Ange elevens efternamn."


class GivenNameIsWrittenInLetters(DirectoryRule):
    field = "given_name"
    message = "Förnamnet kan bara innehålla bokstäver, mellanslag, bindestreck och apostrof."


class FamilyNameIsWrittenInLetters(DirectoryRule):
    field = "family_name"
    message = "Efternamnet kan bara innehålla bokstäver, mellanslag, bindestreck och apostrof."


class RegistrationIsAtAKnownSchoolUnit(DirectoryRule):
    field = "school_unit"
    message = "Skolenheten finns inte i kommunens register."


class PersonalNumberIsNotInTheDirectory(Exception):
    """The personnummer is already the directory's (register or local): the existing pupil is
    the one to choose (409 with its id), never a second person."""

    def __init__(self, pupil_id: str) -> None:
        super().__init__("already in the directory")
        self.pupil_id = pupil_id
