"""`make rebuild VIEW=<name>` (#11 item 6, ADR 0025): each read model is rebuilt from its Kafka
topics beside the live one while the live one keeps serving, and switched to when it has caught
up. The rebuilt view equals what the live view had, row for row, disposals included (a disposed
case does not come back); the read API answers the same right after the switch, and an event
produced after the switch reaches the switched view through the live worker.

The topics are shared with `make run` and earlier test sessions, so each test first starts its
live view afresh at the topics' current end (worker stopped, its group moved to the end, its
tables emptied, worker started) and rebuilds from that same place.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any, Callable

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from eventkit.config import Postgres, kafka_bootstrap
from eventkit.identity import Role
from eventkit.projection import Projection
from projections import rebuild
from tests.conftest import REKTOR, TEACHER, headers_for, identity
from tests.support import competence
from tests.support.deviations import MANAGER, SECRETARIAT, configure_units, report, send
from tests.support.environment import ROOT
from tests.support.infrastructure import eventually
from tests.support.pupils import directory_pupil, personal_number
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
HUDDINGE_TEACHER = identity("lena.dahl", Role.TEACHER, "0126", "0126-SKO")
HUDDINGE_REKTOR = identity("per.wiklund", Role.REKTOR, "0126", "0126-SKO")
HUDDINGE_ADMIN = identity("huddinge.admin", Role.MUNICIPALITY_ADMIN, "0126", "0126-SKO")
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")
WORKER_PORTS = {"followup": "FOLLOWUP_FAUST_WEB_PORT", "quality": "QUALITY_FAUST_WEB_PORT",
                "county": "COUNTY_FAUST_WEB_PORT", "accesslog": "ACCESSLOG_FAUST_WEB_PORT"}
RATES: dict[str, dict[str, Any]] = {}


# -- the live view, started afresh at the topics' end ---------------------------------------------
def group_of(name: str) -> str:
    return os.environ["TEST_PREFIX"] + f"stodspar-{name}"


async def _partitions(consumer: AIOKafkaConsumer, topics: tuple[str, ...]) -> list[TopicPartition]:
    await consumer._client.force_metadata_update()
    return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]


async def _move_group_to_end(group: str, topics: tuple[str, ...]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topics)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + 30
        while True:  # the stopped worker may still be a member for a few seconds
            try:
                await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
                return dict(ends)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await consumer.stop()


async def _lag(group: str, topics: tuple[str, ...]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topics)
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for tp, end in ends.items():
            lag += end - (await consumer.committed(tp) or 0)
        return lag
    finally:
        await consumer.stop()


def conninfo(view: Projection) -> str:
    return Postgres.for_database(view.database).conninfo


async def _empty(view: Projection) -> None:
    async with await psycopg.AsyncConnection.connect(conninfo(view), autocommit=True) as conn:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        await view.create_schema(conn)


def fresh_live_view(stack, name: str) -> dict[TopicPartition, int]:
    """The live worker starts again, at the end of its topics, into empty tables: from here on,
    the live view and a rebuild from the same offsets see the same events."""
    view = rebuild.views()[name]
    stack.stop(name)
    try:
        marks = asyncio.run(_move_group_to_end(group_of(name), view.topics))
        asyncio.run(_empty(view))
    finally:  # the tests after this one need the worker, whatever happened here
        stack.start(name)
    stack.wait_until_listening(name, int(os.environ[WORKER_PORTS[name]]))
    return marks


def settled(name: str) -> None:
    """The live worker has applied (and committed) everything on its topics."""
    topics = rebuild.views()[name].topics
    eventually(lambda: asyncio.run(_lag(group_of(name), topics)) == 0, timeout=60, interval=0.3)
    time.sleep(0.6)  # a commit is at most broker_commit_interval behind the applied transaction


def rows(name: str) -> dict[str, list[str]]:
    """Every relation of the view's database, each row as JSON (the time an event was
    processed left out: the rebuild processed it at another moment), sorted."""
    with psycopg.connect(conninfo(rebuild.views()[name])) as conn:
        relations = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') ORDER BY 1").fetchall()]
        return {relation: sorted(r[0] for r in conn.execute(
            f"SELECT (to_jsonb(t) - 'processed_at')::text FROM {relation} t").fetchall()) for relation in relations}


def other_schemas(name: str) -> list[str]:
    with psycopg.connect(conninfo(rebuild.views()[name])) as conn:
        return [r[0] for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'stodspar_%' ORDER BY 1").fetchall()]


class Reader(threading.Thread):
    """Asks the read API again and again while the rebuild runs: the live view keeps serving."""

    def __init__(self, ask: Callable[[], httpx.Response]) -> None:
        super().__init__(daemon=True)
        self.ask, self.answers, self.done = ask, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            response = self.ask()
            self.answers.append((response.status_code, response.json() if response.status_code == 200 else response.text))
            time.sleep(0.02)


def rebuilt_while_serving(stack, name: str, marks: dict[TopicPartition, int], ask: Callable[[], httpx.Response],
                          answer: Callable[[Any], Any] = lambda body: body) -> dict[str, list[str]]:
    """Rebuild `name` from `marks` while a reader keeps asking the read API (`answer` picks what
    must stay the same from its JSON); the view's rows before. Checked here for every view: the
    same rows after, the same answers during and right after the switch, nothing left beside."""
    settled(name)
    before = rows(name)
    answered_before = answer(ask().json())
    for _ in range(8):  # often enough that the API's connection has prepared its statements
        assert answer(ask().json()) == answered_before
    reader = Reader(ask)
    reader.start()
    try:
        done = asyncio.run(rebuild.rebuild(rebuild.views()[name], start=marks))
    finally:
        reader.done.set()
        reader.join(timeout=10)
    right_after = ask()
    assert right_after.status_code == 200, right_after.text
    assert answer(right_after.json()) == answered_before
    assert reader.answers and all(status == 200 for status, _ in reader.answers), reader.answers[:3]
    assert all(answer(body) == answered_before for _, body in reader.answers)
    assert rows(name) == before
    assert other_schemas(name) == []
    assert done.events >= 1 and done.tables
    RATES[name] = done.as_dict()
    print(f"\nrebuild {name}: {done.as_dict()}")
    return before


# -- the services, as a user would drive them ----------------------------------------------------
def cases_post(stack, who, path: str, body: dict | None = None, expect: int = 201) -> dict:
    response = httpx.post(f"{stack.cases_url}{path}", json=body or {}, headers=headers_for(who, "cases"))
    assert response.status_code == expect, response.text
    return response.json()


def open_case(stack, who=TEACHER, unit: str = "0180-ENG", pin: str | None = None) -> str:
    return cases_post(stack, who, "/cases", {"school_unit": unit,
                                             "pupil_id": directory_pupil(stack, unit, number=pin)})["case_id"]


def disposed_huddinge_case(stack) -> str:
    """A Huddinge case finished weeks ago (retention 0 years in the test settings, its appeal
    window closed; tests/support/past_cases.py), disposed of."""
    from tests.support.past_cases import finished_huddinge_case
    from tests.support.pupils import pupil_name

    pin = personal_number()
    case_id = finished_huddinge_case(stack, pin, pupil_name())
    pupil_ref = cases_post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]
    assert cases_post(stack, HUDDINGE_ADMIN, f"/pupils/{pupil_ref}/disposal")["case_ids"] == [case_id]
    return case_id


def followup_page(stack, who=REKTOR) -> httpx.Response:
    return httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000}, headers=headers_for(who, "followup"))


def case_ids(response: httpx.Response) -> list[str]:
    return ids_on(response.json())


def ids_on(page: dict) -> list[str]:
    return sorted(row["case_id"] for row in page["rows"])


# -- the tests ------------------------------------------------------------------------------------
def test_an_unknown_view_is_refused_clearly_with_a_nonzero_exit():
    done = subprocess.run([sys.executable, "-m", "projections.rebuild", "uppfoljning"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": f"{ROOT / 'services'}{os.pathsep}{ROOT}"})
    assert done.returncode == 2
    assert "Okänd vy 'uppfoljning'" in done.stderr and "followup, quality, county, accesslog" in done.stderr


def test_the_followup_view_is_rebuilt_beside_the_live_one_disposal_included(stack):
    marks = fresh_live_view(stack, "followup")
    shown = [open_case(stack) for _ in range(3)]
    cases_post(stack, TEACHER, f"/cases/{shown[0]}/extra-adaptations", {"description": "Extra tid"})
    cases_post(stack, TEACHER, f"/cases/{shown[0]}/referral", {"tried_adaptations": "Extra tid", "why_not_enough": "Mer"})
    disposed = disposed_huddinge_case(stack)
    kept_huddinge = open_case(stack, HUDDINGE_TEACHER, "0126-SKO")

    def live_has_everything():
        """the live view shows the open cases and has the disposal"""
        with psycopg.connect(conninfo(rebuild.views()["followup"])) as conn:
            gone = conn.execute("SELECT 1 FROM followup_case WHERE case_id = %s AND disposed_on IS NOT NULL",
                                (disposed,)).fetchone()
        return (gone and set(shown) <= set(case_ids(followup_page(stack)))
                and kept_huddinge in case_ids(followup_page(stack, HUDDINGE_REKTOR)))
    eventually(live_has_everything, timeout=60, interval=0.3)

    before = rebuilt_while_serving(stack, "followup", marks, lambda: followup_page(stack, HUDDINGE_REKTOR),
                                   lambda page: (ids_on(page), page["summary"]))
    # The disposal came with the rebuild: the case stays off every page and in the statistics.
    assert disposed not in case_ids(followup_page(stack, HUDDINGE_REKTOR))
    assert any(json.loads(row)["case_id"] == disposed for row in before["followup_disposal"])
    assert [json.loads(row)["school_unit"] for row in rows("followup")["followup_disposed_case"]] == ["0126-SKO"]
    # The school owner's view's tables are rebuilt with it, row for row (ADR 0031; compared above).
    assert before["owner_case"] and before["owner_decision"]
    assert set(shown) <= set(case_ids(followup_page(stack)))

    later = open_case(stack)  # the live worker writes into the switched view
    eventually(lambda: later in case_ids(followup_page(stack)), timeout=30, interval=0.2)


def test_the_quality_view_is_rebuilt_beside_the_live_one(stack):
    marks = fresh_live_view(stack, "quality")
    base = stack.competence_url
    mission_id = competence.agreed_mission(base)
    competence.agreed_goal(base, mission_id)
    docs = stack.documentation_url

    def intervention(level: str, kind: str) -> str:
        response = httpx.post(f"{docs}/interventions", headers=headers_for(competence.EDUCATOR, docs), json={
            "school_unit": "0180-ENG", "level": level, "kind": kind, "performed_on": local_today().isoformat(),
            "minutes": 30, "hinders": ["schedule"], "supports": ["competence"], "group": "Arbetslag 7",
            "description": "Handledning av arbetslag 7."})
        assert response.status_code == 201, response.text
        return response.json()["intervention_id"]

    intervention("organisation", "learning_environment")

    def page() -> httpx.Response:
        return httpx.get(f"{stack.quality_url}/quality", headers=headers_for(competence.REKTOR, "quality"))

    def total() -> int:
        return page().json()["interventions"]["units"][0]["total"]

    eventually(lambda: total() == 1 and page().json()["educators"], timeout=60, interval=0.3)
    rebuilt_while_serving(stack, "quality", marks, page)
    intervention("group", "supervision")
    eventually(lambda: total() == 2, timeout=30, interval=0.2)


def test_the_county_view_is_rebuilt_beside_the_live_one(stack):
    marks = fresh_live_view(stack, "county")
    base = stack.deviations_url
    configure_units(base)
    sent = [report(base, description=f"BUP kom inte till mötet nummer {n}.") for n in range(2)]
    for deviation_id in sent:
        send(base, MANAGER, deviation_id)

    def county() -> httpx.Response:
        return httpx.get(f"{stack.county_url}/county/counts", params={"period_kind": "year"},
                         headers=headers_for(SECRETARIAT, "county"))

    def shown(deviation_id: str) -> bool:
        return httpx.get(f"{stack.county_url}/county/deviations/{deviation_id}",
                         headers=headers_for(SECRETARIAT, "county")).status_code == 200

    eventually(lambda: all(shown(d) for d in sent), timeout=60, interval=0.3)
    rebuilt_while_serving(stack, "county", marks, county)
    later = report(base, description="BUP kom inte till mötet efter bytet.")
    send(base, MANAGER, later)
    eventually(lambda: shown(later), timeout=60, interval=0.3)


def test_the_access_log_view_is_rebuilt_beside_the_live_one(stack):
    marks = fresh_live_view(stack, "accesslog")
    case_id = open_case(stack)

    def read(case: str) -> None:
        response = httpx.get(f"{stack.cases_url}/cases/{case}", headers=headers_for(TEACHER, "cases"))
        assert response.status_code == 200, response.text

    read(case_id)

    def search() -> httpx.Response:
        return httpx.get(f"{stack.accesslog_url}/accesslog", params={"user": "anna.lind"},
                         headers=headers_for(ADMIN, "accesslog"))

    def reads_of(case: str) -> list:
        return [e for e in search().json()["entries"] if e["resource_id"] == case and e["action"] == "read"]

    eventually(lambda: reads_of(case_id), timeout=60, interval=0.3)
    rebuilt_while_serving(stack, "accesslog", marks, search)
    later = open_case(stack)
    read(later)
    eventually(lambda: reads_of(later), timeout=60, interval=0.3)


def test_cases_opened_during_a_rebuild_are_all_in_the_switched_view_once(stack):
    """While the rebuild runs and switches, a teacher keeps opening cases: each one is on rektor's
    page afterwards, once, and a second rebuild from the same place gives the same rows."""
    marks = fresh_live_view(stack, "followup")
    opened = [open_case(stack) for _ in range(5)]
    eventually(lambda: set(opened) <= set(case_ids(followup_page(stack))), timeout=60, interval=0.3)
    stop = threading.Event()

    def keep_opening() -> None:
        while not stop.is_set():
            opened.append(open_case(stack))

    writer = threading.Thread(target=keep_opening, daemon=True)
    writer.start()
    try:
        time.sleep(0.5)
        done = asyncio.run(rebuild.rebuild(rebuild.views()["followup"], start=marks))
        time.sleep(0.5)
    finally:
        stop.set()
        writer.join(timeout=30)
    print(f"\nrebuild followup while writing: {done.as_dict()}, {len(opened)} cases opened")

    def all_shown():
        """every opened case is on rektor's page, and the page has no other"""
        page = followup_page(stack).json()
        return ids_on(page) == sorted(opened) and page["total"] == len(opened)
    eventually(all_shown, timeout=60, interval=0.3)
    settled("followup")
    switched = rows("followup")
    asyncio.run(rebuild.rebuild(rebuild.views()["followup"], start=marks))
    assert rows("followup") == switched
    assert len(switched["followup_case"]) == len(opened)
