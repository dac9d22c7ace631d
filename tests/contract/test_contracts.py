"""The public event contracts: well-formed, honoured by every publisher, and only ever
changed compatibly within a major version (checked against every committed version)."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone

import pytest
from jsonschema import Draft202012Validator

from cases.domain.model import SupportCase
from cases.domain.values import PersonalIdentityNumber
from cases.public_events import TOPIC as CASES_TOPIC
from cases.public_events import translate as cases_translate
from deviations.public_events import TOPIC as DEVIATIONS_TOPIC
from deviations.public_events import translate as deviations_translate
from eventkit.contracts import CONTRACTS_DIR, ContractViolation, compatibility_problems, registry, validate_message
from eventkit.relay import PublicEvent, to_message
from eventkit.store import EventMeta
from tests.support.environment import ROOT

SCHEMAS = sorted(p for p in CONTRACTS_DIR.rglob("*.json") if p.name != "topics.json")
EVENT_SCHEMAS = sorted((CONTRACTS_DIR / "events").glob("*.json"))


def every_cases_event():
    case = SupportCase.open(
        municipality="0180",
        school_unit="0180-ENG",
        pupil=PersonalIdentityNumber.parse("201001012382"),
        pupil_name="Elev Exempel",
        opened_by="anna.lind",
    )
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=datetime.now(timezone.utc), why_not_enough="Räcker inte")
    return case.collect_events()


def every_deviations_event():
    from datetime import date

    from deviations.domain.configuration import UnitConfiguration
    from deviations.domain.model import Deviation
    from deviations.domain.values import InvolvedOrganisation

    unit = UnitConfiguration.configure(organisation="0180", unit="0180-ENG", reporters=["anna.lind"], manager="rolf.ek", configured_by="a")
    school, bup = InvolvedOrganisation.parse("school", "municipality"), InvolvedOrganisation.parse("child_psychiatry", "region")
    deviation = Deviation.report(
        configuration=unit, reported_by="anna.lind", organisations=[school, bup], category="other", occurred_on=date(2026, 1, 2),
        description="BUP kom inte.", tried_locally="", principled=True, arose_in=bup, today=date(2026, 1, 3),
    )
    deviation.record_action(unit, "rolf.ek", "Samtal", date(2026, 1, 4))
    deviation.record_answer(unit, "rolf.ek", "Svar", date(2026, 1, 5))
    deviation.send_to_bus(unit, "rolf.ek", decisions={}, names=[], on=date(2026, 1, 6))
    solved = Deviation.report(
        configuration=unit, reported_by="anna.lind", organisations=[school, bup], category="other", occurred_on=date(2026, 1, 2),
        description="BUP kom inte.", tried_locally="Ringt", principled=False, arose_in=bup, today=date(2026, 1, 3),
    )
    solved.solve_locally(unit, "rolf.ek", "Löst", date(2026, 1, 4))
    return deviation.collect_events() + solved.collect_events()


def bus_translate(event, meta):
    """The regional stream's messages are made by the county agent from DeviationSentToBus."""
    from projections.county.republish import BUS_EVENT, bus_message

    public = deviations_translate(event, meta)
    if public is None or public.event_type != "DeviationSentToBus":
        return None
    return PublicEvent(BUS_EVENT, bus_message(to_message(event, meta, public))["data"])


PUBLISHERS = {
    CASES_TOPIC: (cases_translate, every_cases_event),
    DEVIATIONS_TOPIC: (deviations_translate, every_deviations_event),
    "bus.deviations.v1": (bus_translate, every_deviations_event),
}


@pytest.mark.parametrize("path", EVENT_SCHEMAS, ids=lambda p: p.name)
def test_every_event_schema_is_valid_and_named_after_its_type_and_major_version(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    major = schema["x-schema-version"].split(".")[0]
    assert path.name == f"{schema['title']}.v{major}.json"
    assert schema["x-topic"] in {t["name"] for t in json.loads((CONTRACTS_DIR / "topics.json").read_text())["topics"]}


@pytest.mark.parametrize("topic", PUBLISHERS)
def test_every_event_a_service_publishes_validates_against_its_contract(topic):
    translate, events = PUBLISHERS[topic]
    published = set()
    for event in events():
        public = translate(event, EventMeta(actor="anna.lind", role="teacher", municipality="0180"))
        if public is None:
            continue
        message = to_message(event, EventMeta(municipality="0180"), public)
        validate_message(message)
        assert registry()[public.event_type].schema["x-topic"] == topic
        published.add(public.event_type)
    contracted = {c.event_type for c in registry().values() if c.schema["x-topic"] == topic}
    assert published == contracted, "every contract on the topic has a publisher, and vice versa"


def _committed_versions(path):
    relative = path.relative_to(ROOT)
    try:
        commits = subprocess.run(
            ["git", "log", "--format=%H", "--", str(relative)], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return []
    return [
        json.loads(subprocess.run(["git", "show", f"{c}:{relative}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        for c in commits
    ]


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_a_schema_changed_in_place_stays_backward_compatible(path):
    current = json.loads(path.read_text(encoding="utf-8"))
    for old in _committed_versions(path):
        assert compatibility_problems(old, current) == []


def test_a_message_that_breaks_its_contract_is_refused():
    translate, events = PUBLISHERS[CASES_TOPIC]
    event = events()[-1]
    message = to_message(event, EventMeta(municipality="0180"), translate(event, EventMeta()))
    for broken in (
        {**message, "data": {**message["data"], "diagnosis": "ADHD"}},  # R18: no sensitive extras
        {**message, "data": {k: v for k, v in message["data"].items() if k != "decision_due"}},
        {**message, "municipality": "Stockholm"},
        {**message, "schema_version": "9.0"},
    ):
        with pytest.raises(ContractViolation):
            validate_message(broken)
