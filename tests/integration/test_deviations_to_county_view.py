"""Deviation reporting through the real deviations API, relay, Kafka and the county faust
worker to bus.deviations.v1 and the BUS secretariat's county view; what is refused; and what
the check before the regional stream holds back and returns to the manager."""
from __future__ import annotations

import asyncio
import json
import random
import re
import uuid
from datetime import date, timedelta

import httpx
import pytest

import deidentify
from eventkit.config import topic
from eventkit.contracts import validate_message
from eventkit.vocabulary import labels
from tests.conftest import TEACHER, headers_for
from tests.support.deviations import (
    HUDDINGE_MANAGER, HUDDINGE_REPORTER, MANAGER, NOT_A_REPORTER, REGION_MANAGER, REGION_REPORTER, REPORTER,
    SECRETARIAT, SOLNA_MANAGER, SOLNA_REPORTER, a_report, act, configure_units, report, send,
)
from tests.support.infrastructure import decoded, end_of, eventually, messages_after, query
from tests.support.pupils import directory_pupil, personal_number

pytestmark = pytest.mark.integration
BUS_TOPIC = topic("bus.deviations.v1")
MUNICIPAL_TOPIC = topic("stodspar.deviations.v1")


@pytest.fixture(scope="module")
def deviations(stack):
    configure_units(stack.deviations_url)
    return stack.deviations_url


def stored_event_count() -> int:
    return query("DEVIATIONS_DB", "SELECT count(*) FROM deviations_events")[0][0]


def county(stack, path: str, who=SECRETARIAT, **params) -> httpx.Response:
    return httpx.get(f"{stack.county_url}{path}", headers=headers_for(who, "county"), params=params)


def in_county_view(stack, deviation_id: str) -> dict | None:
    response = county(stack, f"/county/deviations/{deviation_id}")
    return response.json() if response.status_code == 200 else None


def test_r22_a_sent_deviation_reaches_the_regional_topic_and_county_view_de_identified(stack, deviations):
    pupil = "Wilma Testsson" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])  # letters only
    opened = httpx.post(f"{stack.cases_url}/cases", headers=headers_for(TEACHER, "cases"),
                        json={"school_unit": "0180-ENG", "pupil_id": directory_pupil(stack, "0180-ENG", name=pupil)})
    assert opened.status_code == 201
    number = personal_number()
    description = f"{pupil} ({number}, vh 070-111 22 33) fick ingen tid hos BUP trots SIP."
    deviation_id = report(deviations, description=description)
    act(deviations, MANAGER, deviation_id, "actions", {"text": "Kontakt med BUP:s enhetschef."})

    def findings():
        """the pupil's name, in the cases service's register, is among the findings"""
        found = act(deviations, MANAGER, deviation_id, "check", {}, status=200).json()["findings"]
        return found if any(f["kind"] == "registered_name" for f in found) else None

    found = eventually(findings)
    assert {f["kind"] for f in found} == {"registered_name", "identity_number", "phone"}
    mark = end_of(BUS_TOPIC)
    act(deviations, MANAGER, deviation_id, "send", {"decisions": {f["key"]: "redact" for f in found}})

    [record] = messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode())
    message = decoded(record)
    validate_message(message)
    assert message["event_type"] == "BusDeviation" and message["municipality"] == "0180"
    text = record.value.decode()
    assert number not in text and number.replace("-", "") not in text and pupil not in text
    assert not deidentify.never_sent_in(f"{message['data']['description']} {message['data']['tried_locally']}")
    assert message["data"]["description"].startswith("[namn borttaget] ([personnummer borttaget]")

    shown = eventually(lambda: in_county_view(stack, deviation_id))
    assert shown["description"] == message["data"]["description"]
    assert shown["municipality"] == "0180" and shown["category"] == "party_absent_from_meetings"


def test_r22_a_report_still_holding_an_identity_number_is_refused_and_nothing_is_stored(stack, deviations):
    deviation_id = report(deviations, description=f"Gäller elev {personal_number()}.")
    act(deviations, MANAGER, deviation_id, "actions", {"text": "Samtal."})
    found = act(deviations, MANAGER, deviation_id, "check", {}, status=200).json()["findings"]
    before = stored_event_count()
    refused = act(deviations, MANAGER, deviation_id, "send", {"decisions": {f["key"]: "confirm" for f in found}}, status=422)
    assert refused.json()["rule"] == "R22"
    assert refused.json()["rule_name"] == "IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted"
    undecided = act(deviations, MANAGER, deviation_id, "send", {"decisions": {}}, status=422)
    assert undecided.json()["rule_name"] == "EveryFindingIsRedactedOrConfirmed"
    assert stored_event_count() == before


def test_r23_the_county_view_counts_sent_deviations_of_every_municipality_and_never_unsent_ones(stack, deviations):
    only_reported = report(deviations, occurred_on="2025-05-05")
    solved = report(deviations, occurred_on="2025-05-06")
    act(deviations, MANAGER, solved, "solved-locally", {"text": "Löst vid möte."})
    handled_not_sent = report(deviations, occurred_on="2025-05-07")
    act(deviations, MANAGER, handled_not_sent, "actions", {"text": "Samtal."})
    before = county(stack, "/county/counts", period_kind="month", year=2025).json()
    sent = {
        "0180": report(deviations, occurred_on="2025-05-08", category="responsibility_disputed"),
        "0184": report(deviations, SOLNA_REPORTER, unit="0184-TAL", occurred_on="2025-05-09"),
        "0126": report(deviations, HUDDINGE_REPORTER, unit="0126-SKO", occurred_on="2025-11-10"),
    }
    for code, manager in (("0180", MANAGER), ("0184", SOLNA_MANAGER), ("0126", HUDDINGE_MANAGER)):
        send(deviations, manager, sent[code])
    for deviation_id in sent.values():
        eventually(lambda: in_county_view(stack, deviation_id))

    listed = {r["deviation_id"] for r in county(stack, "/county/deviations", year=2025).json()["rows"]}
    assert set(sent.values()) <= listed
    assert not {only_reported, solved, handled_not_sent} & listed
    for unsent in (only_reported, solved, handled_not_sent):
        assert county(stack, f"/county/deviations/{unsent}").status_code == 404

    after = county(stack, "/county/counts", period_kind="month", year=2025).json()
    def count(summary, dimension, key):
        return next((r["deviations"] for r in summary[dimension] if r["key"] == key), 0)
    assert count(after, "by_period", "2025-05") - count(before, "by_period", "2025-05") == 2
    assert count(after, "by_period", "2025-11") - count(before, "by_period", "2025-11") == 1
    for code in ("0180", "0184", "0126"):
        assert count(after, "by_municipality", code) - count(before, "by_municipality", code) == 1
    assert count(after, "by_organisation", "child_psychiatry") - count(before, "by_organisation", "child_psychiatry") == 3
    quarters = county(stack, "/county/counts", period_kind="quarter", year=2025).json()
    assert count(quarters, "by_period", "2025-Q2") >= 2
    csv = county(stack, "/county/deviations.csv", year=2025, municipality="0184")
    assert csv.status_code == 200 and "2025-05-09" in csv.text and "2025-05-08" not in csv.text
    yearly = county(stack, "/county/yearly/2025").json()
    assert {sent["0180"], sent["0184"], sent["0126"]} <= {r["deviation_id"] for r in yearly["reports"]}


def test_r23_the_county_csv_opens_in_a_swedish_excel_with_swedish_words_and_iso_dates(stack, deviations):
    """BOM, semicolons, Swedish headings, values in the county pages' words, ISO dates; no
    code of a list, no True/False and no id in any cell (eventkit.spreadsheet)."""
    day = date(2024, 1, 1) + timedelta(days=random.randrange(360))
    sent = report(deviations, SOLNA_REPORTER, unit="0184-TAL", occurred_on=day.isoformat(), principled=False)
    send(deviations, SOLNA_MANAGER, sent)
    eventually(lambda: in_county_view(stack, sent))

    response = county(stack, "/county/deviations.csv", year=2024, municipality="0184")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode("utf-8"))
    text = raw.decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert header.split(";")[:6] == ["Kommunkod", "Rapporterad av", "Berörda verksamheter", "Uppstod i", "Kategori",
                                     "Inträffade"]
    [row] = [line for line in lines if f";{day.isoformat()};" in line]
    cells = dict(zip(header.split(";"), row.split(";")))
    assert cells["Kategori"] == labels("DeviationCategory")["party_absent_from_meetings"]
    assert cells["Uppstod i"] == f"{labels('OrganisationKind')['child_psychiatry']} ({labels('OrganisationSide')['region']})"
    assert cells["Rapporterad av"] == labels("OrganisationSide")["municipality"]
    assert cells["Principiell"] == "Nej" and cells["Kvartal"].startswith("2024 kvartal ")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells["Skickad till BUS"])
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a raw code of a list in the file"
    assert not re.search(r"\b(True|False|None)\b", text) and sent not in text


def test_r19_a_region_unit_reports_with_a_municipality_as_the_other_party(stack, deviations):
    deviation_id = report(
        deviations, REGION_REPORTER, unit="01-BUPS", counterpart_municipality="0126",
        arose_in={"kind": "school", "side": "municipality"},
    )
    send(deviations, REGION_MANAGER, deviation_id)
    shown = eventually(lambda: in_county_view(stack, deviation_id))
    assert (shown["municipality"], shown["reported_by"]) == ("0126", "region")
    assert httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(HUDDINGE_MANAGER, "deviations")).status_code == 404


def test_r20_a_municipality_cannot_read_or_handle_another_municipalitys_reports(stack, deviations):
    deviation_id = report(deviations)
    for outsider in (SOLNA_REPORTER, SOLNA_MANAGER, HUDDINGE_MANAGER, REGION_MANAGER):
        assert httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(outsider, "deviations")).status_code == 404
        listed = httpx.get(f"{deviations}/deviations", headers=headers_for(outsider, "deviations")).json()["rows"]
        assert deviation_id not in {r["deviation_id"] for r in listed}
        act(deviations, outsider, deviation_id, "actions", {"text": "x"}, status=404)
    assert deviation_id in {r["deviation_id"] for r in httpx.get(f"{deviations}/deviations", headers=headers_for(MANAGER, "deviations")).json()["rows"]}
    # The secretariat sees the county view only, and municipal staff do not see it.
    assert httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(SECRETARIAT, "deviations")).status_code == 403
    assert county(stack, "/county/counts", who=MANAGER).status_code == 403


def test_r20_only_configured_reporters_may_report_and_only_the_manager_handles(stack, deviations):
    before = stored_event_count()
    refused = httpx.post(f"{deviations}/deviations", json=a_report(), headers=headers_for(NOT_A_REPORTER, "deviations"))
    assert refused.status_code == 422 and refused.json()["rule"] == "R20"
    deviation_id = report(deviations)
    before = stored_event_count()
    not_manager = act(deviations, REPORTER, deviation_id, "actions", {"text": "x"}, status=422)
    assert not_manager.json()["rule_name"] == "OnlyTheResponsibleManagerHandlesTheDeviation"
    assert stored_event_count() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"organisations": [{"kind": "school", "side": "municipality"}]}, "organisations"),
        ({"organisations": [{"kind": "police", "side": "municipality"}]}, "organisations.0.kind"),
        ({"category": "weather"}, "category"),
        ({"occurred_on": "2026-13-45"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"description": "  "}, "description"),
        ({"tried_locally": "", "principled": False}, "tried_locally"),
        ({"child_name": "x"}, "child_name"),
    ],
)
def test_r19_bad_input_gets_a_clear_4xx_in_swedish_and_nothing_is_stored(stack, deviations, changes, field):
    before = stored_event_count()
    response = httpx.post(f"{deviations}/deviations", json=a_report(**changes), headers=headers_for(REPORTER, "deviations"))
    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    assert stored_event_count() == before


def test_r20_configuration_changes_are_events_and_bad_configuration_is_refused(stack, deviations):
    url = f"{deviations}/units/0180-ENG/configuration"
    before = stored_event_count()
    for body in ({"reporters": [], "manager": "", "answer_days": 60}, {"reporters": [], "manager": "rolf.ek", "answer_days": 0}):
        assert httpx.put(url, json=body, headers=headers_for(MANAGER, "deviations")).status_code == 422
    assert httpx.put(url, json={"reporters": [], "manager": "x", "answer_days": 9}, headers=headers_for(REPORTER, url)).status_code == 403
    assert stored_event_count() == before
    shown = httpx.get(url, headers=headers_for(MANAGER, url)).json()
    assert shown["manager"] == "rolf.ek" and shown["answer_days"] == 60 and "anna.lind" in shown["reporters"]
    assert shown["history"][0]["by"] == "rolf.ek"  # every change is an event, with who made it
    bad_filter = county(stack, "/county/deviations", municipality="Stockholm")
    assert bad_filter.status_code == 422 and bad_filter.json()["fields"] == {"query.municipality": "Värdet har fel format."}


def test_r23_the_example_consumer_prints_the_regional_stream(stack, deviations):
    import os
    import subprocess
    import sys
    import tempfile
    import threading
    import uuid

    from tests.support.environment import ROOT

    # Letters only: a hex marker with eight digits in a row is a phone number to R22, and is redacted.
    marker = uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))
    deviation_id = report(deviations, description=f"Exempel {marker}: socialtjänsten kom inte.")
    send(deviations, MANAGER, deviation_id)
    eventually(lambda: in_county_view(stack, deviation_id))
    errors = tempfile.TemporaryFile(mode="w+")  # the consumer's own log, shown if it prints nothing
    consumer = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "bus_consumer_example.py"), "--from-beginning",
         "--topic", BUS_TOPIC, "--group", f"{os.environ['TEST_PREFIX']}bus.example-{marker}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True,
    )
    # No line within 60 s (joining a new group on a busy two-core machine takes a while): the loop ends.
    watchdog = threading.Timer(60, consumer.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        printed = next((line for line in consumer.stdout if lines.append(line) or marker in line), "")
    finally:
        watchdog.cancel()
        consumer.terminate()
        consumer.wait(timeout=10)
    errors.seek(0)
    assert printed, (f"the example printed {len(lines)} lines, none for the deviation (last: {lines[-1:]}); "
                     f"its log ends: {errors.read()[-2000:]}")
    assert printed.split()[1] == "0180" and "party_absent_from_meetings" in printed


def test_r23_a_redelivered_message_is_counted_once_in_the_county_view(stack, deviations):
    import asyncio
    import json
    import uuid

    from aiokafka import AIOKafkaProducer

    from eventkit.config import kafka_bootstrap

    mark = end_of(BUS_TOPIC)
    deviation_id = report(deviations, occurred_on="2024-03-03")
    send(deviations, MANAGER, deviation_id)
    [record] = messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode())
    eventually(lambda: in_county_view(stack, deviation_id))
    before = county(stack, "/county/counts", period_kind="year", year=2024).json()["total"]

    original = decoded(record)
    same_deviation_new_id = {**original, "event_id": str(uuid.uuid4())}

    async def redeliver():
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all")
        await producer.start()
        try:
            for message in (original, same_deviation_new_id):  # same key: same partition, in order
                await producer.send_and_wait(BUS_TOPIC, key=record.key, value=json.dumps(message).encode())
        finally:
            await producer.stop()

    asyncio.run(redeliver())
    eventually(lambda: query("COUNTY_DB", "SELECT 1 FROM processed_event WHERE event_id = %s",
                             (same_deviation_new_id["event_id"],)))
    assert county(stack, "/county/counts", period_kind="year", year=2024).json()["total"] == before
    listed = [r["deviation_id"] for r in county(stack, "/county/deviations", year=2024).json()["rows"]]
    assert listed.count(deviation_id) == 1


# -- R22, checked again on the way out: held, not published, not lost, returned to the manager --------
def held(stack, deviation_id: str, who=MANAGER, **params) -> httpx.Response:
    return county(stack, f"/county/held/{deviation_id}", who=who, **params)


def deviation_sent_to_bus(deviation_id: str, description: str, *, version: int = 5, tried_locally: str = "Ringt BUP.",
                          municipality: str = "0180") -> dict:
    """A DeviationSentToBus message as the deviations relay publishes it, valid per the contract.
    The deviations service refuses to send a text with an identity number, so a message that
    still holds one can only come some other way: this is that way."""
    message = {
        "event_id": str(uuid.uuid4()), "event_type": "DeviationSentToBus", "schema_version": "1.0",
        "occurred_at": "2026-02-12T09:14:03.512000+00:00", "aggregate_id": deviation_id, "aggregate_version": version,
        "municipality": municipality,
        "data": {
            "deviation_id": deviation_id, "municipality": municipality, "reported_by": "municipality",
            "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "child_psychiatry", "side": "region"}],
            "arose_in": {"kind": "child_psychiatry", "side": "region"}, "category": "party_absent_from_meetings",
            "occurred_on": "2026-02-10", "principled": False, "description": description, "tried_locally": tried_locally,
            "sent_on": "2026-02-12",
        },
    }
    validate_message(message)
    return message


def publish_on_the_municipal_topic(message: dict) -> None:
    from aiokafka import AIOKafkaProducer

    from eventkit.config import kafka_bootstrap

    async def publish():
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all", enable_idempotence=True)
        await producer.start()
        try:
            headers = [(k, str(message[k]).encode()) for k in ("event_type", "schema_version", "event_id", "municipality")]
            await producer.send_and_wait(MUNICIPAL_TOPIC, key=message["aggregate_id"].encode(), headers=headers,
                                         value=json.dumps(message, ensure_ascii=False).encode())
        finally:
            await producer.stop()

    asyncio.run(publish())


def held_back(stack, deviation_id: str, **params):
    def answered():
        """the county worker has held the message back"""
        response = held(stack, deviation_id, **params)
        return response.json() if response.status_code == 200 and response.json()["held"] else None

    return eventually(answered, timeout=30, interval=0.2)


def nothing_logged_of(number: str) -> None:
    """Personal data never reaches the county worker's log or its spans."""
    from tests.support.stack import LOGS

    for name in ("county.log", "county.spans.jsonl", "county_api.log"):
        path = LOGS / name
        if path.exists():
            written = path.read_text(encoding="utf-8", errors="replace")
            assert number not in written and number.replace("-", "") not in written, name


def test_r22_a_message_still_holding_an_identity_number_is_held_not_published_and_not_lost(stack, deviations):
    deviation_id = str(uuid.uuid4())
    number = personal_number()
    message = deviation_sent_to_bus(deviation_id, f"Eleven {number} fick ingen tid hos BUP trots SIP.")
    mark = end_of(BUS_TOPIC)
    publish_on_the_municipal_topic(message)

    answer = held_back(stack, deviation_id)
    assert answer["reasons"] == ["identity_number"] and answer["deviation_id"] == deviation_id
    assert answer["held_at"] and answer["sent_version"] == 5
    # Not published: nothing of it on the regional stream, nor in the county view.
    assert messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode(), timeout=4) == []
    assert in_county_view(stack, deviation_id) is None
    # Not lost: kept with why, once, even if the message comes again.
    publish_on_the_municipal_topic(message)
    later = deviation_sent_to_bus(deviation_id, "Eleven, ２０１２０９１４－２３８７, född 3 maj 2015.", version=6)
    publish_on_the_municipal_topic(later)
    eventually(lambda: held(stack, deviation_id).json()["sent_version"] == 6, timeout=30, interval=0.2)
    rows = query("COUNTY_DB", "SELECT event_id::text, reasons, released FROM held_deviation WHERE deviation_id = %s"
                 " ORDER BY sent_version", (deviation_id,))
    assert rows == [(message["event_id"], ["identity_number"], True), (later["event_id"], ["identity_number", "birth_date"], False)]
    assert held(stack, deviation_id).json()["reasons"] == ["identity_number", "birth_date"]
    # Only an earlier sending is held: not the one the deviations service stands at.
    assert held(stack, deviation_id, sent_version=7).json()["held"] is False
    assert messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode(), timeout=2) == []
    # Whose it is: the staff of the municipality it concerns; not another municipality, a region
    # or the secretariat.
    for outsider in (SOLNA_MANAGER, HUDDINGE_MANAGER, REGION_MANAGER):
        assert held(stack, deviation_id, who=outsider).status_code == 404
    assert held(stack, deviation_id, who=SECRETARIAT).status_code == 403
    assert held(stack, str(uuid.uuid4())).status_code == 404
    nothing_logged_of(number)


def test_r22_the_manager_takes_back_a_deviation_the_regional_check_held_and_sends_it_again(stack, deviations):
    deviation_id = report(deviations, description="BUP kom inte till SIP-mötet i februari.")
    mark = end_of(BUS_TOPIC)
    send(deviations, MANAGER, deviation_id)
    [record] = messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode())
    published = decoded(record)
    eventually(lambda: in_county_view(stack, deviation_id))
    shown = httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(MANAGER, "deviations")).json()
    version = shown["sent_version"]
    assert shown["status"] == "sent_to_bus" and version == published["aggregate_version"]
    assert held(stack, deviation_id, sent_version=version).json()["held"] is False
    refused = act(deviations, MANAGER, deviation_id, "reopen", {}, status=422)
    assert refused.json()["rule"] == "R22" and refused.json()["rule_name"] == "OnlyASentDeviationCanBeReturned"

    # The same sending arrives again with an identity number in it (as if changed on its way).
    number = personal_number()
    data = {k: v for k, v in published["data"].items() if k != "period"}
    altered = deviation_sent_to_bus(deviation_id, f"{data['description']} Gäller {number}.", version=version,
                                    tried_locally=data["tried_locally"])
    altered["data"] = {**data, "description": altered["data"]["description"]}
    validate_message(altered)
    publish_on_the_municipal_topic(altered)
    assert held_back(stack, deviation_id, sent_version=version)["reasons"] == ["identity_number"]

    before = stored_event_count()
    not_manager = act(deviations, REPORTER, deviation_id, "reopen", {}, status=422)
    assert not_manager.json()["rule_name"] == "OnlyTheResponsibleManagerHandlesTheDeviation"
    act(deviations, SOLNA_MANAGER, deviation_id, "reopen", {}, status=404)
    assert stored_event_count() == before
    reopened = act(deviations, MANAGER, deviation_id, "reopen", {})
    assert reopened.json()["reasons"] == ["identity_number"]

    returned = httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(MANAGER, "deviations")).json()
    assert returned["outcome"] is None and returned["sent"] is None and returned["sent_version"] is None
    assert returned["status"] == "returned"  # back in local handling, marked as returned by the check
    assert returned["returned"]["reasons"] == ["identity_number"]
    listed = httpx.get(f"{deviations}/deviations", headers=headers_for(MANAGER, "deviations")).json()["rows"]
    assert next(r for r in listed if r["deviation_id"] == deviation_id)["status"] == "returned"
    act(deviations, MANAGER, deviation_id, "reopen", {}, status=422)  # once only

    # Checked and sent again: it passes, is published, and the hold is released.
    mark = end_of(BUS_TOPIC)
    findings = act(deviations, MANAGER, deviation_id, "check", {}, status=200).json()["findings"]
    act(deviations, MANAGER, deviation_id, "send", {"decisions": {f["key"]: "redact" for f in findings}})
    [again] = messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode())
    assert decoded(again)["aggregate_version"] > version
    eventually(lambda: query("COUNTY_DB", "SELECT bool_and(released) FROM held_deviation WHERE deviation_id = %s",
                             (deviation_id,))[0][0], timeout=30, interval=0.2)
    resent = httpx.get(f"{deviations}/deviations/{deviation_id}", headers=headers_for(MANAGER, "deviations")).json()
    assert resent["status"] == "sent_to_bus" and resent["returned"]["reasons"] == ["identity_number"]
    assert held(stack, deviation_id, sent_version=resent["sent_version"]).json()["held"] is False
    rows = [r for r in county(stack, "/county/deviations", year=2026).json()["rows"] if r["deviation_id"] == deviation_id]
    assert len(rows) == 1 and number not in json.dumps(rows)
    nothing_logged_of(number)


def test_r22_a_message_that_cannot_be_checked_is_not_published_and_not_lost(stack, deviations):
    """The register (the cases service) does not answer: the county worker publishes nothing
    unchecked and skips nothing; when the register is back, the same message is checked and passes."""
    import os

    from tests.support.stack import LOGS

    deviation_id = str(uuid.uuid4())
    message = deviation_sent_to_bus(deviation_id, "BUP kom inte till mötet, fast kallelsen gick ut i tid.")
    mark = end_of(BUS_TOPIC)
    stack.stop("cases")
    try:
        publish_on_the_municipal_topic(message)

        def refused():
            """the county worker found the check unavailable for this very message"""
            log = (LOGS / "county.log").read_text(encoding="utf-8", errors="replace")
            return f"check unavailable for event {message['event_id']}" in log

        eventually(refused, timeout=30, interval=0.3)
        assert messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode(), timeout=3) == []
        assert held(stack, deviation_id).status_code == 404  # not held either: it was not checked
    finally:
        stack.start("cases")
        stack.wait_until_listening("cases", int(os.environ["CASES_PORT"]))
    [record] = messages_after(BUS_TOPIC, mark, lambda r: r.key == deviation_id.encode(), timeout=60)
    assert decoded(record)["data"]["description"] == message["data"]["description"]
    eventually(lambda: in_county_view(stack, deviation_id))
