"""Seeded, deterministic SS 12000 data for the municipalities of deploy/dev-organisation.json.

Every school municipality gets a huvudman organisation and its school units; each unit gets
`pupils_per_unit` pupils (born 2011–2020, förskoleklass to year 9 in the school year starting
2026), one or two guardians each (siblings share them), classes of at most 25 ("7A", "7B"), and
staff with duties: the named school staff below (SCHOOL_STAFF: the people the tests and the
README log in as) and the seed file's users with a duty at a school (the municipality
administrators), and generated teachers and pupil-health staff beside them. Each school unit
has a postal address (Organisation.address), which the decision letters print. Every staff member
carries a Stödspår user id (externalIdentifiers, context urn:stodspar:user_id), so the
development identity provider can log them in and the directory can say their role, and a work
e-mail address (emails, type Skola personal: user id @ <kommun>.example) for the notifications.
A few pupils per unit are protected: Skyddad folkbokföring and Sekretessmarkering.

Everything comes from one `random.Random` seeded with a fixed string, and ids are uuid5 of
stable keys, so two starts serve the same register. Personnummer are valid (date and Luhn) and
the names are a small list of common Swedish ones; none of it is a real person's data.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from ss12000.models import USER_ID_CONTEXT, luhn_digit

NAMESPACE = uuid.UUID("6f1c5a2e-4b7d-4c1e-9a53-2d8f0b7e9c41")
SEEDED_AT = dt.datetime(2026, 8, 1, 6, 0, tzinfo=dt.timezone.utc)
SCHOOL_YEAR_STARTS = dt.date(2026, 8, 17)
CLASS_SIZE = 25
PROTECTED_PER_UNIT = (("Skyddad folkbokföring", 2), ("Sekretessmarkering", 2))
GIRLS = ("Alice", "Maja", "Elsa", "Astrid", "Wilma", "Freja", "Olivia", "Ebba", "Alma", "Selma",
         "Vera", "Agnes", "Ella", "Stella", "Signe", "Saga", "Nora", "Klara", "Alva", "Juni",
         "Lilly", "Ines", "Edith", "Tyra", "Leah", "Hedda", "Ronja", "Meja", "Amira", "Sara",
         "Hanna", "Emma", "Ida", "Linnea", "Matilda", "Elin", "Julia", "Nova", "Iris", "Yasmin")
BOYS = ("William", "Liam", "Noah", "Hugo", "Lucas", "Oliver", "Adam", "Elias", "Alexander",
        "Matteo", "Leo", "Vincent", "Theo", "Arvid", "Ludvig", "Oscar", "Nils", "Gustav", "Isak",
        "Olle", "Charlie", "Sixten", "Vidar", "Malte", "Albin", "Axel", "Melvin", "Viktor",
        "Emil", "Anton", "Filip", "Jonathan", "Omar", "Ali", "Mohammed", "Karl", "Erik", "Sam",
        "Benjamin", "Frans")
ADULT_WOMEN = ("Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kristina", "Emma", "Johanna",
               "Linda", "Malin", "Jenny", "Sofia", "Camilla", "Helena", "Therese", "Fatima",
               "Elin", "Jessica", "Ulrika", "Petra", "Cecilia", "Susanne", "Amanda")
ADULT_MEN = ("Johan", "Erik", "Anders", "Lars", "Per", "Mikael", "Karl", "Peter", "Fredrik",
             "Daniel", "Andreas", "Magnus", "Stefan", "Jonas", "Martin", "Mattias", "Henrik",
             "Tobias", "Ahmed", "Niklas", "Patrik", "Joakim", "David", "Marcus")
FAMILY = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
          "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
          "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
          "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren",
          "Lind", "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg",
          "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson",
          "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson",
          "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg",
          "Nyberg", "Blomqvist", "Claesson", "Nordström", "Hassan", "Mohamed", "Ali", "Ahmadi",
          "Yilmaz", "Kovač", "Nguyen", "Virtanen", "Öberg", "Åberg")
# Seeded roles → the standard's duty roles (pupil-health professions by the seed's profession).
SEED_DUTIES = {"teacher": "Lärare", "special_educator": "Speciallärare/specialpedagog",
               "rektor": "Rektor", "municipality_admin": "Övrig arbetsledning"}
PROFESSION_DUTIES = {"skolsköterska": "Skolsköterska", "skolkurator": "Kurator",
                     "skolpsykolog": "Skolpsykolog", "skolläkare": "Skolläkare"}
# The named school staff: the register carries their duties (the seed file only the people
# SS 12000 does not: region, BUS secretariat, municipality administrators).
SCHOOL_STAFF = (
    {"user_id": "anna.lind", "name": "Anna Lind", "role": "teacher", "municipality": "0180", "school_units": ["0180-ENG"]},
    {"user_id": "sara.berg", "name": "Sara Berg", "role": "special_educator", "municipality": "0180", "school_units": ["0180-ENG", "0180-KAT"]},
    {"user_id": "eva.nord", "name": "Eva Nord", "role": "eht_member", "profession": "skolsköterska", "medical": True, "municipality": "0180", "school_units": ["0180-ENG"]},
    {"user_id": "tomas.ahl", "name": "Tomas Åhl", "role": "eht_member", "profession": "skolkurator", "medical": False, "municipality": "0180", "school_units": ["0180-ENG"]},
    {"user_id": "rolf.ek", "name": "Rolf Ek", "role": "rektor", "municipality": "0180", "school_units": ["0180-ENG"]},
    {"user_id": "karin.holm", "name": "Karin Holm", "role": "rektor", "municipality": "0180", "school_units": ["0180-KAT"]},
    {"user_id": "ola.nilsson", "name": "Ola Nilsson", "role": "teacher", "municipality": "0184", "school_units": ["0184-TAL"]},
    {"user_id": "mia.falk", "name": "Mia Falk", "role": "rektor", "municipality": "0184", "school_units": ["0184-TAL"]},
    {"user_id": "lena.dahl", "name": "Lena Dahl", "role": "teacher", "municipality": "0126", "school_units": ["0126-SKO"]},
    {"user_id": "per.wiklund", "name": "Per Wiklund", "role": "rektor", "municipality": "0126", "school_units": ["0126-SKO"]},
)
GENERATED_STAFF = (("Lärare", 14), ("Speciallärare/specialpedagog", 1), ("Kurator", 1),
                   ("Skolsköterska", 1), ("Studie- och yrkesvägledare", 1))


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def meta(moment: dt.datetime = SEEDED_AT) -> dict:
    return {"created": iso(SEEDED_AT), "modified": iso(moment)}


@dataclass
class Register:
    """The seeded register: records by resource, as the API serves them."""
    organisations: list[dict]
    persons: list[dict]
    groups: list[dict]
    duties: list[dict]

    def by_resource(self) -> dict[str, list[dict]]:
        return {"organisations": self.organisations, "persons": self.persons,
                "groups": self.groups, "duties": self.duties}


class _People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.civic_numbers: set[str] = set()

    def personnummer(self, born_from: int, born_to: int, female: bool) -> str:
        while True:
            born = dt.date(born_from, 1, 1) + dt.timedelta(
                days=self.rng.randrange((dt.date(born_to, 12, 31) - dt.date(born_from, 1, 1)).days))
            serial = self.rng.randrange(0, 100) * 10 + self.rng.choice(
                (0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
            serial = serial or 10  # 000 is never given (the cases service refuses such a number)
            nine = born.strftime("%y%m%d") + f"{serial:03d}"
            number = born.strftime("%Y") + nine[2:] + str(luhn_digit(nine))
            if number not in self.civic_numbers:
                self.civic_numbers.add(number)
                return number

    def person(self, key: str, given: str, family: str, civic: str, **extra) -> dict:
        record = {"id": stable_id("person", key), "meta": meta(), "givenName": given,
                  "familyName": family, "eduPersonPrincipalNames": [],
                  "civicNo": {"value": civic, "nationality": "SE"}, "securityMarking": "Ingen"}
        record.update(extra)
        return record

    def adult(self, key: str, family: str) -> dict:
        female = self.rng.random() < 0.5
        given = self.rng.choice(ADULT_WOMEN if female else ADULT_MEN)
        return self.person(key, given, family, self.personnummer(1965, 1992, female))


# Postal addresses (Organisation.address): a street of the municipality with its postcode and
# post town, chosen by the unit's code (no draw from the seed's random stream, so nothing else moves).
STREETS = {"0180": (("Valhallavägen", "114 22", "Stockholm"), ("Högbergsgatan", "118 26", "Stockholm"),
                    ("Sveavägen", "113 50", "Stockholm")),
           "0184": (("Tallbackavägen", "169 51", "Solna"), ("Råsundavägen", "169 56", "Solna")),
           "0126": (("Skogåsvägen", "142 40", "Skogås"), ("Sjödalsvägen", "141 47", "Huddinge"))}


def _address(code: str, municipality: str, municipality_name: str) -> dict:
    streets = STREETS.get(municipality, (("Skolvägen", "100 00", municipality_name),))
    digest = int(uuid.uuid5(NAMESPACE, f"address/{code}").hex, 16)
    street, postcode, town = streets[digest % len(streets)]
    return {"streetAddress": f"{street} {digest % 97 + 1}", "postalCode": postcode, "locality": town}


def _organisation(key: str, name: str, code: str, kind: str, municipality: str,
                  parent: dict | None = None, address: dict | None = None) -> dict:
    record = {"id": stable_id("organisation", key), "meta": meta(), "displayName": name,
              "schoolUnitCode": code, "organisationType": kind, "organisationCode": code,
              "municipalityCode": municipality}
    if address:
        record["address"] = address
    if parent:
        record["parentOrganisation"] = {"id": parent["id"], "displayName": parent["displayName"]}
    return record


def _reference(record: dict) -> dict:
    name = record.get("displayName") or f"{record['givenName']} {record['familyName']}"
    return {"id": record["id"], "displayName": name}


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _user_id(person: dict, key: str) -> dict:
    """A generated staff member's Stödspår user id, as the register carries it."""
    value = f"{_slug(person['givenName'])}.{_slug(person['familyName'])}.{stable_id('user', key)[:4]}"
    return {"externalIdentifiers": [{"value": value, "context": USER_ID_CONTEXT, "globallyUnique": False}]}


def _work_email(user_id: str, municipality: dict) -> dict:
    """A staff member's work address, fornamn.efternamn@<kommun>.example (a generated one keeps
    the user id's suffix, so two Anna Andersson get two addresses); .example is never delivered."""
    return {"value": f"{user_id}@{_slug(municipality['name'])}.example", "type": "Skola personal"}


def build(organisation_file: Path | dict, pupils_per_unit: int = 300, seed: str = "stodspar-ss12000") -> Register:
    """`organisation_file`: deploy/dev-organisation.json's path, or its content."""
    seeded = (organisation_file if isinstance(organisation_file, dict)
              else json.loads(organisation_file.read_text(encoding="utf-8")))
    rng = random.Random(seed)
    people = _People(rng)
    register = Register([], [], [], [])
    users_by_unit: dict[str, list[dict]] = {}
    for user in (*SCHOOL_STAFF, *seeded["users"]):
        for unit in user["school_units"]:
            users_by_unit.setdefault(unit, []).append(user)
    staff: dict[str, dict] = {}
    for municipality in seeded["municipalities"]:
        units = municipality["school_units"]
        if not units or len(municipality["code"]) != 4:   # region and secretariat: no schools
            continue
        owner = _organisation(municipality["code"], f"{municipality['name']}s kommun",
                              municipality["code"], "Huvudman", municipality["code"])
        register.organisations.append(owner)
        for unit in units:
            school = _organisation(unit["code"], unit["name"], unit["code"], "Skolenhet",
                                   municipality["code"], owner,
                                   _address(unit["code"], municipality["code"], municipality["name"]))
            register.organisations.append(school)
            _pupils(register, people, rng, school, pupils_per_unit)
            for user in users_by_unit.get(unit["code"], []):
                role = PROFESSION_DUTIES.get(user.get("profession", "")) or SEED_DUTIES.get(user["role"])
                if role is None:
                    continue
                if user["user_id"] not in staff:
                    given, _, family = user["name"].partition(" ")
                    record = people.adult(f"user/{user['user_id']}", family)
                    record.update(givenName=given, familyName=family,
                                  eduPersonPrincipalNames=[f"{user['user_id']}@{municipality['code']}.dev.stodspar.se"],
                                  externalIdentifiers=[{"value": user["user_id"], "context": USER_ID_CONTEXT,
                                                        "globallyUnique": False}],
                                  emails=[_work_email(user["user_id"], municipality)])
                    staff[user["user_id"]] = record
                    register.persons.append(record)
                register.duties.append(_duty(staff[user["user_id"]], school, role))
            for role, count in GENERATED_STAFF:
                for n in range(count):
                    key = f"staff/{unit['code']}/{role}/{n}"
                    record = people.adult(key, rng.choice(FAMILY))
                    record.update(_user_id(record, key))
                    record["emails"] = [_work_email(record["externalIdentifiers"][0]["value"], municipality)]
                    register.persons.append(record)
                    register.duties.append(_duty(record, school, role))
    return register


def _duty(person: dict, school: dict, role: str) -> dict:
    return {"id": stable_id("duty", person["id"], school["id"], role), "meta": meta(),
            "person": _reference(person), "dutyAt": _reference(school), "dutyRole": role,
            "startDate": "2020-08-01"}


def _pupils(register: Register, people: _People, rng: random.Random, school: dict, count: int) -> None:
    code = school["schoolUnitCode"]
    unit_ref = _reference(school)
    by_year: dict[int, list[dict]] = {}
    family_of_last: tuple[str, list[dict]] | None = None
    for n in range(count):
        female = rng.random() < 0.5
        civic = people.personnummer(2011, 2020, female)
        school_year = max(0, min(9, SCHOOL_YEAR_STARTS.year - int(civic[:4]) - 6))
        if family_of_last and rng.random() < 0.15:       # a sibling: same family, same guardians
            family, guardians = family_of_last
        else:
            family = rng.choice(FAMILY)
            guardians = [people.adult(f"guardian/{code}/{n}/{g}", family if g == 0 or rng.random() < 0.6
                                      else rng.choice(FAMILY))
                         for g in range(1 if rng.random() < 0.2 else 2)]
            register.persons.extend(guardians)
        family_of_last = (family, guardians)
        pupil = people.person(
            f"pupil/{code}/{n}", rng.choice(GIRLS if female else BOYS), family, civic,
            enrolments=[{"enroledAt": unit_ref, "schoolType": "FKLASS" if school_year == 0 else "GR",
                         "schoolYear": school_year, "startDate": "2026-08-17"}],
            responsibles=[{"person": _reference(g), "relationType": "Vårdnadshavare"} for g in guardians])
        register.persons.append(pupil)
        by_year.setdefault(school_year, []).append(pupil)
    pupils = [p for year in sorted(by_year) for p in by_year[year]]
    marked = iter(rng.sample(pupils, min(len(pupils), sum(n for _, n in PROTECTED_PER_UNIT))))
    for marking, n in PROTECTED_PER_UNIT:
        for pupil in [p for _, p in zip(range(n), marked)]:
            pupil["securityMarking"] = marking
    for year, members in sorted(by_year.items()):
        classes = max(1, -(-len(members) // CLASS_SIZE))
        for index in range(classes):
            name = f"{'F' if year == 0 else year}{_class_letters(index)}"
            register.groups.append({
                "id": stable_id("group", code, name), "meta": meta(), "displayName": name,
                "groupType": "Klass", "schoolType": "FKLASS" if year == 0 else "GR",
                "organisation": unit_ref,
                "groupMemberships": [{"person": _reference(p), "startDate": "2026-08-17"}
                                     for p in members[index::classes]]})


def _class_letters(index: int) -> str:
    """A, B, … Z, then AA, AB, …: a benchmark's register has many classes per year."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < len(letters) else letters[index // len(letters) - 1] + letters[index % len(letters)]
