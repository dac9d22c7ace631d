"""Typed SS 12000 records: only what Stödspår needs, read leniently and checked strictly.

Written from Skolverket's reference API (skolverket/dnp-ss12000-reference-api, openapi.yml and
schema/*.json) and the standard's relations the reference leaves out (a person's
`responsibles` = guardians; start and end dates of enrolments and memberships). Unknown fields
are ignored, so a vendor's extras never stop a sync; a record whose required fields are missing
or wrong (a civicNo that is not a valid personnummer, an unknown securityMarking) fails here and
is quarantined by the client, never half-read.

A validation failure is turned into a reason by `reason_of`: field names and error kinds only,
never the values, so a quarantine line can be logged without personal data.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

USER_ID_CONTEXT = "urn:stodspar:user_id"


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class SecurityMarking(str, Enum):
    NONE = "Ingen"
    CONFIDENTIAL = "Sekretessmarkering"
    PROTECTED_REGISTRATION = "Skyddad folkbokföring"


class DutyRole(str, Enum):
    """The standard's Code_DutyRole; the ones Stödspår maps to its own roles are named."""
    REKTOR = "Rektor"
    TEACHER = "Lärare"
    SPECIAL_EDUCATOR = "Speciallärare/specialpedagog"
    COUNSELLOR = "Kurator"
    SCHOOL_NURSE = "Skolsköterska"
    SCHOOL_DOCTOR = "Skolläkare"
    SCHOOL_PSYCHOLOGIST = "Skolpsykolog"
    CAREERS_ADVISER = "Studie- och yrkesvägledare"
    FIRST_TEACHER = "Förstelärare"
    TEACHING_ASSISTANT = "Lärarassistent"
    LEISURE_TEACHER = "Fritidspedagog"
    PRESCHOOL_TEACHER = "Förskollärare"
    CHILDMINDER = "Barnskötare"
    LIBRARIAN = "Bibliotekarie"
    OTHER_STAFF = "Annan personal"
    ADMINISTRATOR = "Skoladministratör"
    OTHER_MANAGEMENT = "Övrig arbetsledning"
    OTHER_PEDAGOGICAL = "Övrig pedagogisk personal"
    PRESCHOOL_HEAD = "Förskolechef"


class Meta(Model):
    created: dt.datetime
    modified: dt.datetime


class Entity(Model):
    """What every record of the register has: its id and when it was created and changed."""
    id: UUID
    meta: Meta | None = None


class ObjectReference(Model):
    id: UUID
    display_name: str | None = Field(default=None, alias="displayName")


def valid_personnummer(value: str) -> bool:
    """Twelve digits YYYYMMDDNNNC: a real date (day + 60 for a samordningsnummer) not in the
    future, a serial number other than 000 (never given), and the Luhn check digit over the last ten."""
    if len(value) != 12 or not value.isdigit() or value[8:11] == "000":
        return False
    day = int(value[6:8])
    try:
        born = dt.date(int(value[:4]), int(value[4:6]), day - 60 if day > 60 else day)
    except ValueError:
        return False
    if born > dt.date.today() or born.year < 1890:
        return False
    return luhn_digit(value[2:11]) == int(value[11])


def luhn_digit(nine_digits: str) -> int:
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


class CivicNo(Model):
    value: str
    nationality: str = "SE"

    @field_validator("value")
    @classmethod
    def _personnummer(cls, value: str) -> str:
        digits = value.replace("-", "").replace("+", "")
        if not valid_personnummer(digits):
            raise ValueError("not a valid personnummer")
        return digits


class Enrolment(Model):
    enroled_at: ObjectReference = Field(alias="enroledAt")
    school_type: str = Field(alias="schoolType")
    school_year: int | None = Field(default=None, alias="schoolYear", ge=0, le=10)
    start_date: dt.date | None = Field(default=None, alias="startDate")
    end_date: dt.date | None = Field(default=None, alias="endDate")
    cancelled: bool = False

    def active_on(self, day: dt.date) -> bool:
        return (not self.cancelled and (self.start_date is None or self.start_date <= day)
                and (self.end_date is None or day <= self.end_date))


class Responsible(Model):
    """The standard's responsibles relation: relationType Vårdnadshavare is a guardian."""
    person: ObjectReference
    relation_type: str = Field(default="Vårdnadshavare", alias="relationType")


class ExternalIdentifier(Model):
    value: str
    context: str
    globally_unique: bool = Field(alias="globallyUnique")


class Email(Model):
    """The standard's Email: an address and its Code_EmailType."""
    value: str
    type: str = "Privat"


# Which of a person's addresses is their work address, best first (never Privat or Skola elev).
WORK_EMAIL_TYPES = ("Skola personal", "Arbete övrigt")


class PostalAddress(Model):
    """The standard's postal address, as an organisation carries it (Organisation.address): what
    a letter from the school unit prints under its name."""
    street_address: str | None = Field(default=None, alias="streetAddress")
    postal_code: str | None = Field(default=None, alias="postalCode")
    locality: str | None = None

    def lines(self) -> tuple[str, ...]:
        """'Valhallavägen 12', '114 22 Stockholm': the parts the register filled in."""
        town = " ".join(part.strip() for part in (self.postal_code, self.locality) if part and part.strip())
        return tuple(line for line in ((self.street_address or "").strip(), town) if line)


class Organisation(Entity):
    display_name: str = Field(alias="displayName")
    school_unit_code: str = Field(alias="schoolUnitCode")
    organisation_type: str | None = Field(default=None, alias="organisationType")
    organisation_code: str | None = Field(default=None, alias="organisationCode")
    municipality_code: str | None = Field(default=None, alias="municipalityCode")
    parent_organisation: ObjectReference | None = Field(default=None, alias="parentOrganisation")
    address: PostalAddress | None = None


class Person(Entity):
    given_name: str = Field(alias="givenName", min_length=1)
    middle_name: str | None = Field(default=None, alias="middleName")
    family_name: str = Field(alias="familyName", min_length=1)
    edu_person_principal_names: tuple[str, ...] = Field(default=(), alias="eduPersonPrincipalNames")
    civic_no: CivicNo = Field(alias="civicNo")
    security_marking: SecurityMarking = Field(default=SecurityMarking.NONE, alias="securityMarking")
    enrolments: tuple[Enrolment, ...] = ()
    responsibles: tuple[Responsible, ...] = ()
    external_identifiers: tuple[ExternalIdentifier, ...] = Field(default=(), alias="externalIdentifiers")
    emails: tuple[Email, ...] = ()

    @property
    def work_email(self) -> str:
        """The staff member's work address (Skola personal, else Arbete övrigt), or ""."""
        for kind in WORK_EMAIL_TYPES:
            found = next((e.value.strip() for e in self.emails if e.type == kind and "@" in e.value
                          and len(e.value) <= 320), None)
            if found:
                return found
        return ""

    @property
    def protected(self) -> bool:
        """Protected identity (R14) as the register says it: any marking but Ingen."""
        return self.security_marking is not SecurityMarking.NONE

    @property
    def guardian_ids(self) -> tuple[UUID, ...]:
        return tuple(r.person.id for r in self.responsibles if r.relation_type == "Vårdnadshavare")

    @property
    def user_id(self) -> str | None:
        """Stödspår's login name, when the register carries it as an external identifier."""
        return next((e.value for e in self.external_identifiers if e.context == USER_ID_CONTEXT), None)


class GroupMembership(Model):
    person: ObjectReference
    start_date: dt.date | None = Field(default=None, alias="startDate")
    end_date: dt.date | None = Field(default=None, alias="endDate")


class Group(Entity):
    display_name: str = Field(alias="displayName")
    group_type: str = Field(alias="groupType")
    school_type: str | None = Field(default=None, alias="schoolType")
    organisation: ObjectReference
    group_memberships: tuple[GroupMembership, ...] = Field(default=(), alias="groupMemberships")


class Duty(Entity):
    person: ObjectReference
    duty_at: ObjectReference = Field(alias="dutyAt")
    duty_role: DutyRole = Field(alias="dutyRole")
    start_date: dt.date | None = Field(default=None, alias="startDate")
    end_date: dt.date | None = Field(default=None, alias="endDate")


class DeletedEntities(Model):
    """Ids the register removed, by type (the reference spells activities `activitites`)."""
    organisations: tuple[UUID, ...] = ()
    persons: tuple[UUID, ...] = ()
    groups: tuple[UUID, ...] = ()
    duties: tuple[UUID, ...] = ()

    def merged(self, other: "DeletedEntities") -> "DeletedEntities":
        return DeletedEntities(**{name: getattr(self, name) + getattr(other, name)
                                  for name in type(self).model_fields})

    def count(self) -> int:
        return sum(len(getattr(self, name)) for name in type(self).model_fields)


RESOURCES: dict[str, type[Model]] = {
    "organisations": Organisation, "persons": Person, "groups": Group, "duties": Duty}
# The standard's EndPointsEnum names, for the deletedEntities `entities` filter.
ENTITY_NAMES = {"organisations": "Organisation", "persons": "Person", "groups": "Group",
                "duties": "Duty"}


def reason_of(error: ValidationError) -> str:
    """Which fields failed and how, without any value (safe to log)."""
    parts = []
    for detail in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in detail["loc"]) or "record"
        # Our own validators' messages name the rule, never the value; pydantic's others are
        # reported by their kind only.
        kind = detail["msg"] if detail["type"] == "value_error" else detail["type"]
        parts.append(f"{where}: {kind}")
    return "; ".join(parts)
