"""`make simulate`: a school year of Stockholm county through the whole running system.

The county: Stockholm län's 26 municipalities with about 300,000 pupils in grundskolan (and
förskoleklass), in school units of about 400 pupils (MUNICIPALITIES, PUPILS_PER_UNIT). The
development SS 12000 register serves them (their guardians and staff with it, seeded as
services/ss12000dev builds any organisation); the directory syncs them as it syncs a real
municipality's register.

The year: what the county's schools record in a year, at the rates of RATES (the README's
"A year of Stockholm county" says where each comes from), planned up front from one seed (the
same seed gives the same plan: which pupils, which steps, which texts), then sent to the real
HTTP APIs (cases, documentation, competence, deviations) as the frontend sends them, many
cases at once, and carried by the relays, Kafka and the projections into every read model.
The school year is compressed into the run: a step's dates are the day it is sent.

Reported (printed, and written to tests/benchmarks/results/simulation.json): the commands sent
and what each answered, the events stored per service, events/s end to end (from the first
command until every view has caught up), every view's counts beside its store's
(tests/simulation/counts.py), the largest resident memory and the CPU time of every process, and rektor's
Uppföljning and the BUS secretariat's Länsbilden over HTTP with the county's data.

Knobs: SIMULATE_SCALE (1 = the county; 0.01 = a hundredth of the pupils, every municipality
still with a unit), SIMULATE_SEED, SIMULATE_CONCURRENCY (cases under way at once).
Runs against the test databases and topics (TEST_PREFIX=test_), which it empties first.
"""
from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.support import environment

environment.load()

import httpx  # noqa: E402

from directory.domain.model import person_id_for  # noqa: E402
from eventkit.dates import local_today  # noqa: E402
from eventkit.identity import HEADER, Identity, Role, sign  # noqa: E402
from ss12000dev.seed import build  # noqa: E402
from tests.frontend_unit.helpers import log_in  # noqa: E402
from tests.simulation import counts  # noqa: E402
from tests.support.environment import ROOT  # noqa: E402
from tests.support.infrastructure import eventually  # noqa: E402
from tests.support.stack import LISTENS_ON, Stack, emptied  # noqa: E402

SCALE = float(os.environ.get("SIMULATE_SCALE", "1"))
SEED = os.environ.get("SIMULATE_SEED", "stockholms-lan-2026")
CONCURRENCY = int(os.environ.get("SIMULATE_CONCURRENCY", "12"))
RESULTS = ROOT / "tests" / "benchmarks" / "results" / "simulation.json"
ORGANISATION = ROOT / ".state" / "simulation" / "county-organisation.json"
DEV_ORGANISATION = ROOT / "deploy" / "dev-organisation.json"

# Stockholm län's municipalities: kommunkod, name, pupils in förskoleklass and grundskolan
# (rounded, roughly in proportion to each municipality's population; 301,700 in all).
MUNICIPALITIES = (
    ("0180", "Stockholm", 110_000), ("0126", "Huddinge", 16_500), ("0182", "Nacka", 15_500),
    ("0127", "Botkyrka", 14_500), ("0181", "Södertälje", 14_000), ("0136", "Haninge", 12_500),
    ("0123", "Järfälla", 11_000), ("0160", "Täby", 10_500), ("0163", "Sollentuna", 10_500),
    ("0184", "Solna", 8_500), ("0138", "Tyresö", 6_800), ("0120", "Värmdö", 6_800),
    ("0188", "Norrtälje", 6_800), ("0114", "Upplands Väsby", 6_500), ("0117", "Österåker", 6_500),
    ("0191", "Sigtuna", 6_500), ("0183", "Sundbyberg", 6_000), ("0186", "Lidingö", 5_800),
    ("0162", "Danderyd", 4_600), ("0115", "Vallentuna", 4_800), ("0125", "Ekerö", 4_300),
    ("0139", "Upplands-Bro", 4_300), ("0192", "Nynäshamn", 3_200), ("0128", "Salem", 2_300),
    ("0140", "Nykvarn", 1_500), ("0187", "Vaxholm", 1_500),
)
PUPILS_PER_UNIT = 400
SCHOOL_NAMES = ("Björk", "Ek", "Lind", "Sjö", "Ängs", "Berg", "Dal", "Hag", "Mo", "Vik", "Ås", "Al",
                "Rönn", "Asp", "Lärk", "Gran", "Tall", "Äng", "Strand", "Park", "Kvarn", "Torp", "Kyrk", "Hög")


@dataclass(frozen=True)
class Rates:
    """A school year's volumes (the README's "A year of Stockholm county" gives the sources)."""

    case: float = 0.15             # of pupils: extra adaptations documented in a support case
    adaptations: tuple[int, ...] = (1, 2, 2, 3)  # per case, drawn
    referral: float = 0.40         # of cases: referred to rektor, investigated (6% of pupils)
    programme: float = 0.85        # of investigations: an åtgärdsprogram (5.1% of pupils)
    placement: float = 0.04        # of programmes: also a placement only rektor decides (R6)
    follow_ups: tuple[int, ...] = (1, 2, 2, 3)  # per programme, drawn
    evaluated: float = 0.60        # of programmes: evaluated within the year, then a new decision
    closed: float = 0.50           # of those: the programme closed (the others: new measures)
    appeal: float = 0.01           # of appealable decisions delivered: appealed by the guardians
    documented: float = 0.50       # of investigations: an assessment documented by the special educator
    unit_interventions: int = 40   # group and organisation interventions per unit and year
    deviations_per_1000: float = 2.0  # deviations reported between the parties, per 1,000 pupils


RATES = Rates()
PARTS = {
    "pupil_view": "Eleven vill ha en lugnare arbetsplats och kortare pass.",
    "guardians_view": "Vårdnadshavarna ser att eleven är trött efter skoldagen.",
    "school_view": "Lärarna ser att eleven tappar fokus efter en kvart.",
    "pedagogical_assessment": "Läsförståelsen ligger under årskursens nivå.",
    "environment_organisation": "Stora undervisningsgrupper i de flesta ämnen.",
    "environment_group": "Gruppen är orolig under eftermiddagarna.",
    "environment_individual": "Eleven saknar strategier för längre texter.",
}
ADAPTATIONS = ("Förlängd skrivtid", "Bildstöd i matematik", "Tydligt veckoschema", "Enskild arbetsplats",
               "Inläsningstjänst", "Muntliga prov", "Korta instruktioner i steg", "Hörselkåpor under lektion")


# --- the county's organisation -------------------------------------------------------------------

def units_of(pupils: int) -> int:
    return max(1, round(pupils * SCALE / PUPILS_PER_UNIT))


def organisation() -> dict:
    """The development organisation (its named schools, region, BUS secretariat and users),
    widened to the county: every municipality with its units, a rektor for each new unit."""
    dev = json.loads(DEV_ORGANISATION.read_text(encoding="utf-8"))
    named = {m["code"]: m for m in dev["municipalities"]}
    municipalities, users = [], list(dev["users"])
    for code, name, pupils in MUNICIPALITIES:
        units = list(named.get(code, {}).get("school_units", []))
        for n in range(len(units), units_of(pupils)):
            prefix = SCHOOL_NAMES[n % len(SCHOOL_NAMES)]
            suffix = f" {n // len(SCHOOL_NAMES) + 1}" if n >= len(SCHOOL_NAMES) else ""
            unit = {"code": f"{code}-S{n:03d}", "name": f"{prefix}skolan{suffix}"}
            units.append(unit)
            users.append({"user_id": f"rektor.{unit['code'].lower()}", "name": f"Rektor {prefix}skolan{suffix}",
                          "role": "rektor", "municipality": code, "school_units": [unit["code"]]})
        municipalities.append({"code": code, "name": name, "school_units": units})
    municipalities += [m for m in dev["municipalities"] if len(m["code"]) != 4]  # region, secretariat
    return {"description": f"Stockholm county at scale {SCALE} (make simulate)", "municipalities": municipalities,
            "users": users}


def pupils_per_unit(county: dict) -> int:
    units = sum(len(m["school_units"]) for m in county["municipalities"] if len(m["code"]) == 4)
    return max(20, round(sum(p for *_, p in MUNICIPALITIES) * SCALE / units))


@dataclass
class Unit:
    code: str
    municipality: str
    rektor: Identity
    educator: Identity
    teacher: Identity
    pupils: list[str] = field(default_factory=list)  # the directory's ids of the unprotected pupils


def units_from(county: dict, register) -> list[Unit]:
    """Each unit with its rektor, special educator and a teacher as the register has them."""
    by_id = {o["id"]: o for o in register.organisations}
    people = {p["id"]: p for p in register.persons if p.get("externalIdentifiers")}
    staff: dict[tuple[str, str], list[tuple[str, str]]] = collections.defaultdict(list)
    for duty in register.duties:
        person = people[duty["person"]["id"]]
        user_id = person["externalIdentifiers"][0]["value"]
        staff[(by_id[duty["dutyAt"]["id"]]["schoolUnitCode"], duty["dutyRole"])].append(
            (user_id, f"{person['givenName']} {person['familyName']}"))
    units_by_user: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for (code, role), members in staff.items():
        for user_id, _ in members:
            units_by_user[(user_id, role)].append(code)
    units = []
    for municipality in county["municipalities"]:
        for unit in municipality["school_units"]:
            code, mun = unit["code"], municipality["code"]
            if len(mun) != 4:
                continue

            def one(role: str, as_role: Role) -> Identity:
                user_id, name = sorted(staff[(code, role)])[0]
                return Identity(user_id, name, as_role, mun, tuple(sorted(units_by_user[(user_id, role)])))

            units.append(Unit(code, mun, one("Rektor", Role.REKTOR),
                              one("Speciallärare/specialpedagog", Role.SPECIAL_EDUCATOR), one("Lärare", Role.TEACHER)))
    by_code = {u.code: u for u in units}
    for person in register.persons:
        for enrolment in person.get("enrolments", ()):
            if person["securityMarking"] == "Ingen":  # a protected pupil's case is not simulated
                unit = by_code[by_id[enrolment["enroledAt"]["id"]]["schoolUnitCode"]]
                unit.pupils.append(str(person_id_for(unit.municipality, person["id"])))  # the directory's id
    return units


# --- the year's plan ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    service: str
    who: Identity
    method: str
    path: str  # may hold {case_id}, filled in when the case is opened
    body: dict | None
    what: str  # a name for the report: "open case", "decision establish_programme", ...


def case_plan(rng: random.Random, unit: Unit, pupil: str) -> list[Step]:
    """One pupil's support case through the year, from the first adaptation as far as the rates take it."""
    today = local_today()
    teacher, rektor, educator = unit.teacher, unit.rektor, unit.educator
    steps = [Step("cases", teacher, "POST", "/cases", {"school_unit": unit.code, "pupil_id": pupil}, "open case")]
    for description in rng.sample(ADAPTATIONS, rng.choice(RATES.adaptations)):
        steps.append(Step("cases", teacher, "POST", "/cases/{case_id}/extra-adaptations", {"description": description},
                          "extra adaptation"))
    if rng.random() >= RATES.referral:
        return steps
    steps.append(Step("cases", teacher, "POST", "/cases/{case_id}/referral",
                      {"why_not_enough": "Eleven når ändå inte kunskapskraven i svenska."}, "referral"))
    started, parts, concluded = investigation(rektor, educator, "Upprätta åtgärdsprogram")
    steps += [started, parts]
    if rng.random() < RATES.documented:  # attached to the investigation while it is under way (R3)
        steps.append(Step("documentation", educator, "POST", "/interventions", {
            "school_unit": unit.code, "level": "individual", "case_id": "{case_id}", "attach_to_investigation": True,
            "kind": "pedagogical_assessment", "performed_on": today.isoformat(), "minutes": rng.choice((45, 60, 90)),
            "hinders": ["instruction"], "supports": ["materials"], "description": "Läsbedömning."}, "intervention"))
    steps.append(concluded)
    if rng.random() >= RATES.programme:
        steps.append(decision(rektor, "no_programme", reasons="Extra anpassningar räcker med de ändringar som gjorts."))
        steps.append(delivery(rektor, 1))
        return steps + (appeal(rektor, 1) if rng.random() < RATES.appeal else [])
    placements = ["special_teaching_group"] if rng.random() < RATES.placement else []
    steps.append(decision(rektor, "establish_programme", placements=placements))
    for party in ("pupil", "guardians"):
        steps.append(Step("cases", educator, "POST", "/cases/{case_id}/participation",
                          {"party": party, "offered_on": today.isoformat(), "took_part": True,
                           "views": "Vill ha stöd i läsning."}, "participation"))
    steps.append(Step("cases", rektor, "POST", "/cases/{case_id}/programme", {
        "needs": "Stöd att förstå längre texter.",
        "measures": [{"description": "Läsförståelse med speciallärare", "extent": "2 x 40 min/vecka",
                      "responsible": educator.user_id}],
        "follow_up_dates": [(today + timedelta(days=d)).isoformat() for d in (30, 60, 90)],
        "follow_up_responsible": educator.user_id,
        "evaluation_on": (today + timedelta(days=120)).isoformat(), "evaluation_responsible": rektor.user_id,
    }, "programme"))
    steps.append(delivery(rektor, 1))
    if rng.random() < RATES.appeal:
        steps += appeal(rektor, 1)
    for n in range(rng.choice(RATES.follow_ups)):
        steps.append(Step("cases", educator, "POST", "/cases/{case_id}/follow-ups",
                          {"findings": f"Uppföljning {n + 1}: eleven läser mer självständigt."}, "follow-up"))
    if rng.random() >= RATES.evaluated:
        return steps
    steps.append(Step("cases", rektor, "POST", "/cases/{case_id}/evaluation", {"outcome": "Målen delvis nådda."},
                      "evaluation"))
    closing = rng.random() < RATES.closed
    steps += investigation(rektor, educator, "Avsluta åtgärdsprogrammet" if closing else "Fortsätta med nya åtgärder")
    steps.append(decision(rektor, "close_programme" if closing else "continue_with_new_measures"))
    return steps + [delivery(rektor, 2)]


def investigation(rektor: Identity, educator: Identity, proposal: str) -> list[Step]:
    return [
        Step("cases", rektor, "POST", "/cases/{case_id}/investigation",
             {"investigator": educator.user_id, "student_health_team": True}, "investigation started"),
        Step("cases", educator, "POST", "/cases/{case_id}/investigation/parts", PARTS, "investigation parts"),
        Step("cases", educator, "POST", "/cases/{case_id}/investigation/conclusion", {"proposal": proposal},
             "investigation concluded"),
    ]


def decision(rektor: Identity, kind: str, placements: list[str] = (), reasons: str = "") -> Step:
    body = {"kind": kind, "placements": list(placements), "reasons": reasons}
    return Step("cases", rektor, "POST", "/cases/{case_id}/decisions", body, f"decision {kind}")


def delivery(rektor: Identity, number: int) -> Step:
    return Step("cases", rektor, "POST", f"/cases/{{case_id}}/decisions/{number}/delivery",
                {"delivered_on": local_today().isoformat()}, "decision delivered")


def appeal(rektor: Identity, number: int) -> list[Step]:
    """The guardians appeal in time; the school forwards it; the board lets the decision stand."""
    today = local_today().isoformat()
    return [
        Step("cases", rektor, "POST", f"/cases/{{case_id}}/decisions/{number}/appeals",
             {"received_on": today, "appellants": ["guardians"], "asks": "Mer stöd i matematik."}, "appeal"),
        Step("cases", rektor, "POST", "/cases/{case_id}/appeals/1/forwarding",
             {"forwarded_on": today, "comments": "Skolan står fast vid beslutet."}, "appeal forwarded"),
        Step("cases", rektor, "POST", "/cases/{case_id}/appeals/1/board",
             {"outcome": "upheld", "decided_on": today, "reasons": "Skolans bedömning står fast."}, "board's outcome"),
    ]


def unit_plan(rng: random.Random, unit: Unit) -> list[list[Step]]:
    """The special educator's mission for the year (R12), and the unit's group and organisation
    interventions: each list runs in order, the lists beside each other."""
    today = local_today()
    mission = [
        Step("competence", unit.rektor, "POST", "/missions", {"school_unit": unit.code, "special_educator": unit.educator.user_id},
             "mission started"),
        Step("competence", unit.rektor, "POST", "/missions/{mission_id}/description",
             {"text": "Främst förebyggande arbete på organisations- och gruppnivå."}, "mission described"),
        Step("competence", unit.rektor, "POST", "/missions/{mission_id}/description/confirmation", {"revision": 1},
             "description confirmed"),
        Step("competence", unit.educator, "POST", "/missions/{mission_id}/description/confirmation", {"revision": 1},
             "description confirmed"),
        Step("competence", unit.rektor, "POST", "/missions/{mission_id}/goals", {
            "text": "Alla arbetslag får handledning i en läsfrämjande lärmiljö.",
            "follow_up_dates": [(today + timedelta(days=d)).isoformat() for d in (60, 150)]}, "goal proposed"),
        *(Step("competence", who, "POST", "/missions/{mission_id}/goals/{goal_id}/confirmation", {}, "goal confirmed")
          for who in (unit.rektor, unit.educator)),
    ]
    interventions = [Step("documentation", unit.educator, "POST", "/interventions", {
        "school_unit": unit.code, "level": rng.choice(("group", "group", "organisation")),
        "kind": rng.choice(("supervision", "learning_environment", "collaboration", "mapping")),
        "performed_on": today.isoformat(), "minutes": rng.choice((30, 45, 60, 90)),
        "hinders": [rng.choice(("structure", "instruction", "physical", "social"))], "supports": ["staffing"],
        "description": "Handledning av arbetslaget.", "group": "7B"}, "intervention")
        for _ in range(RATES.unit_interventions)]
    return [mission, interventions]


REGION_REPORTER = Identity("erik.sjo", "Erik Sjö", Role.REGION_STAFF, "01", ("01-BUPS",))
REGION_MANAGER = Identity("helena.bjork", "Helena Björk", Role.REGION_STAFF, "01", ("01-BUPS",))
REGION_ADMIN = Identity("maria.lund", "Maria Lund", Role.MUNICIPALITY_ADMIN, "01", ("01-BUPS",))


def deviation_plan(rng: random.Random, unit: Unit, from_region: bool) -> list[Step]:
    """A deviation between a school and BUP, reported by the school (or by BUP against the
    school), handled and sent to the BUS secretariat de-identified."""
    reporter, manager, at = (REGION_REPORTER, REGION_MANAGER, "01-BUPS") if from_region else (unit.teacher, unit.rektor, unit.code)
    school, bup = {"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}
    report = {"unit": at, "organisations": [school, bup], "arose_in": school if from_region else bup,
              "category": "party_absent_from_meetings", "occurred_on": (local_today() - timedelta(days=rng.randint(1, 20))).isoformat(),
              "description": "En part deltog inte i det planerade SIP-mötet.",
              "tried_locally": "Enhetscheferna har talats vid.", "principled": rng.random() < 0.2}
    if from_region:  # the region names the municipality on the other side (R19)
        report["counterpart_municipality"] = unit.municipality
    return [Step("deviations", reporter, "POST", "/deviations", report, "deviation reported"),
            Step("deviations", manager, "POST", "/deviations/{deviation_id}/actions", {"text": "Möte med chefen bokat."},
                 "deviation action"),
            Step("deviations", manager, "POST", "/deviations/{deviation_id}/check", {}, "deviation checked"),
            Step("deviations", manager, "POST", "/deviations/{deviation_id}/send", {"decisions": "{findings}"}, "deviation sent")]


def plan(units: list[Unit]) -> tuple[list[list[Step]], list[tuple[Identity, str, dict]]]:
    """Every sequence of the year (cases, missions, interventions, deviations), in a seeded
    order, and the deviation configurations they need first."""
    sequences: list[list[Step]] = []
    configurations = [(REGION_ADMIN, "01-BUPS", {"reporters": [REGION_REPORTER.user_id], "manager": REGION_MANAGER.user_id,
                                                 "answer_days": 60})]
    first_units = {}
    for unit in units:
        rng = random.Random(f"{SEED}/{unit.code}")
        for pupil in unit.pupils:
            if rng.random() < RATES.case:
                sequences.append(case_plan(rng, unit, pupil))
        sequences += unit_plan(rng, unit)
        first_units.setdefault(unit.municipality, unit)
    pupils = collections.Counter(u.municipality for u in units for _ in u.pupils)
    for municipality, unit in first_units.items():
        configurations.append((unit.rektor, unit.code, {"reporters": [unit.teacher.user_id], "manager": unit.rektor.user_id,
                                                        "answer_days": 60}))
        rng = random.Random(f"{SEED}/deviations/{municipality}")
        for n in range(max(1, round(pupils[municipality] * RATES.deviations_per_1000 / 1000))):
            sequences.append(deviation_plan(rng, unit, from_region=n % 5 == 4))
    random.Random(SEED).shuffle(sequences)
    return sequences, configurations


# --- sending it -----------------------------------------------------------------------------------

SERVICES = {"cases": "CASES_URL", "documentation": "DOCUMENTATION_URL", "competence": "COMPETENCE_URL",
            "deviations": "DEVIATIONS_URL"}


@dataclass
class Tally:
    answered: collections.Counter = field(default_factory=collections.Counter)  # (what, status)
    failures: dict[str, list[str]] = field(default_factory=lambda: collections.defaultdict(list))  # a few per step
    seconds: list[float] = field(default_factory=list)

    def unexpected(self) -> int:
        return sum(n for (_, status), n in self.answered.items() if status >= 300)


def fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


async def run_sequence(client: httpx.AsyncClient, steps: list[Step], tally: Tally) -> None:
    ids: dict[str, Any] = {}
    for step in steps:
        path = step.path.format(**ids) if "{" in step.path else step.path
        body = fill(step.body, ids)
        started = time.perf_counter()
        try:
            answer = await client.request(step.method, os.environ[SERVICES[step.service]] + path, json=body,
                                          headers={HEADER: sign(step.who, audience=step.service, caller="frontend")})
        except httpx.HTTPError as exc:
            tally.answered[(step.what, 599)] += 1
            tally.failures[step.what].append(type(exc).__name__)
            return
        tally.seconds.append(time.perf_counter() - started)
        tally.answered[(step.what, answer.status_code)] += 1
        if answer.status_code >= 300:
            seen = tally.failures[f"{step.what}: {answer.status_code}"]
            if len(seen) < 3:
                seen.append(f"{step.who.user_id}: {answer.text[:300]}")
            return
        result = answer.json()
        for key in ("case_id", "mission_id", "goal_id", "deviation_id"):
            if key in result and key not in ids:
                ids[key] = result[key]
        if step.what == "deviation checked":
            ids["findings"] = {f["key"]: "redact" for f in result["findings"]}


async def send_all(sequences: list[list[Step]], configurations, tally: Tally) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        for who, unit, body in configurations:
            answer = await client.put(f"{os.environ['DEVIATIONS_URL']}/units/{unit}/configuration", json=body,
                                      headers={HEADER: sign(who, audience="deviations", caller="frontend")})
            tally.answered[("deviation unit configured", answer.status_code)] += 1
            if answer.status_code != 200:
                tally.failures["deviation unit configured"].append(f"{unit}: {answer.status_code} {answer.text[:300]}")
        queue = iter(sequences)
        done = [0]
        started = time.monotonic()

        async def worker() -> None:
            for steps in queue:
                await run_sequence(client, steps, tally)
                done[0] += 1
                if done[0] % 2000 == 0:
                    sent = sum(tally.answered.values())
                    print(f"  {done[0]:,} of {len(sequences):,} sequences, {sent:,} commands, "
                          f"{sent / (time.monotonic() - started):.0f} commands/s, {tally.unexpected()} refused", flush=True)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


# --- watching it ----------------------------------------------------------------------------------

class Watch(threading.Thread):
    """Every second, each process of the stack (with its children): the largest resident set
    seen in each phase (`phase`: the directory's first sync, then the year), and the CPU time it
    has used (user and system) so far."""

    TICKS = os.sysconf("SC_CLK_TCK")

    def __init__(self, stack: Stack):
        super().__init__(daemon=True)
        self.stack, self.stop, self.phase = stack, threading.Event(), "sync"
        self.largest_mb: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.cpu_s: dict[str, float] = {}

    def run(self) -> None:
        while not self.stop.wait(1.0):
            stats = {}
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
            children = collections.defaultdict(list)
            for pid, fields in stats.items():
                children[int(fields[1])].append(pid)
            for name, process in list(self.stack.processes.items()):
                pending, cpu = [process.pid], 0.0
                while pending:
                    pid = pending.pop()
                    pending += children.get(pid, [])
                    largest = self.largest_mb[self.phase]
                    largest[name] = max(largest[name], rss_mb(pid))
                    if pid in stats:  # utime and stime, fields 14 and 15 of /proc/<pid>/stat
                        cpu += (int(stats[pid][11]) + int(stats[pid][12])) / self.TICKS
                self.cpu_s[name] = max(self.cpu_s.get(name, 0.0), cpu)


def rss_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def page_times(stack: Stack, user_id: str, path: str, requests: int = 100) -> dict[str, float]:
    """A page as its user asks for it over HTTP, after logging in through the identity provider."""
    with httpx.Client(base_url=stack.frontend_url, timeout=60) as client:
        log_in(client, user_id)
        for _ in range(5):
            client.get(path)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text[:300]
    q = statistics.quantiles(times, n=100)
    return {"requests": requests, "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}


def events_stored() -> dict[str, int]:
    from tests.support.infrastructure import query

    return {service: query(database, f"SELECT count(*) FROM {service}_events")[0][0]
            for service, database in (("cases", "CASES_DB"), ("documentation", "DOCUMENTATION_DB"),
                                      ("competence", "COMPETENCE_DB"), ("deviations", "DEVIATIONS_DB"),
                                      ("directory", "DIRECTORY_DB"))}


# --- the run --------------------------------------------------------------------------------------

def main() -> dict:
    began = time.monotonic()
    county = organisation()
    per_unit = pupils_per_unit(county)
    ORGANISATION.parent.mkdir(parents=True, exist_ok=True)
    ORGANISATION.write_text(json.dumps(county, ensure_ascii=False, indent=1), encoding="utf-8")
    os.environ.update(DEV_ORGANISATION_FILE=str(ORGANISATION), DEV_SS12000_PUPILS_PER_UNIT=str(per_unit),
                      DEV_SS12000_TOKEN_SECONDS="3600")
    register = build(county, per_unit)
    units = units_from(county, register)
    pupils = sum(1 for p in register.persons if p.get("enrolments"))
    persons = len(register.persons)
    del register
    sequences, configurations = plan(units)
    commands = sum(map(len, sequences))
    print(f"{len(county['municipalities']) - 2} municipalities, {len(units)} school units, {pupils:,} pupils "
          f"({persons:,} persons in the register); {len(sequences):,} sequences, {commands:,} commands planned", flush=True)

    emptied()
    stack = Stack(env={"OTEL_SPANS_FILE": ""})  # as `make run` runs them: no span files (the tests read those)
    watch = Watch(stack)
    result: dict[str, Any] = {"scale": SCALE, "seed": SEED, "municipalities": len(county["municipalities"]) - 2,
                              "school_units": len(units), "pupils": pupils, "register_persons": persons,
                              "commands_planned": commands, "concurrency": CONCURRENCY}
    try:
        stack.start("ss12000dev")
        stack.wait_until_listening("ss12000dev", int(os.environ[LISTENS_ON["ss12000dev"]]), timeout=1800)
        watch.start()
        started = time.monotonic()
        stack.start_all(sync_timeout=3600)
        result["directory_synced_s"] = round(time.monotonic() - started, 1)
        print(f"the directory synced the county's register in {result['directory_synced_s']} s", flush=True)
        watch.phase = "year"

        tally = Tally()
        started = time.monotonic()
        asyncio.run(send_all(sequences, configurations, tally))
        sent_s = time.monotonic() - started
        stored = events_stored()
        figures = eventually(caught_up, timeout=1800, interval=5)
        caught_up_s = time.monotonic() - started
        events = sum(v for k, v in stored.items() if k != "directory")
        result.update(
            commands_sent=sum(tally.answered.values()), commands_refused=tally.unexpected(), sent_s=round(sent_s, 1),
            commands_per_s=round(sum(tally.answered.values()) / sent_s, 1),
            command_p50_ms=round(statistics.median(tally.seconds) * 1000, 1),
            command_p95_ms=round(statistics.quantiles(tally.seconds, n=100)[94] * 1000, 1),
            events_stored=stored, caught_up_s=round(caught_up_s, 1), events_per_s=round(events / caught_up_s, 1),
            answered={f"{what}: {status}": n for (what, status), n in sorted(tally.answered.items())},
            failures=dict(tally.failures),
            views=[{"view": f.view, "what": f.what, "store": f.store, "shown": f.shown} for f in figures],
        )
        result["followup_page"] = page_times(stack, "rolf.ek", "/uppfoljning")  # rektor of Engelbrektsskolan, Stockholm
        result["county_page"] = page_times(stack, "birgitta.sund", "/lan")
    finally:
        watch.stop.set()
        stack.stop_all()
    result["largest_rss_mb"] = {phase: dict(largest.most_common()) for phase, largest in watch.largest_mb.items()}
    result["cpu_s"] = {name: round(s) for name, s in sorted(watch.cpu_s.items(), key=lambda item: -item[1])}
    result["total_s"] = round(time.monotonic() - began, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def caught_up() -> list[counts.Figure] | None:
    """Every view's figures once they equal their stores' (None while a view is behind)."""
    found = counts.figures()
    behind = counts.mismatches(found)
    if behind:
        print("  waiting for: " + "; ".join(f"{f.view} {f.what} {f.shown}/{f.store}" for f in behind), flush=True)
        return None
    return found


if __name__ == "__main__":
    outcome = main()
    raise SystemExit(1 if outcome.get("commands_refused") else 0)
