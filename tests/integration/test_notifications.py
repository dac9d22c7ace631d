"""Notifications without personal data, against the real stack: the notifications service's
API and PostgreSQL, the directory synced from the development register (staff with their work
e-mail), and the development mail server, read over TCP through its HTTP inbox.

The task list is not under test here: a tiny real HTTP server in the test answers
`GET /tasks/summary` as the worklist does, and checks that it is asked with the person's own
identity, signed for the worklist by the notifications service. The sender's rounds run in
the test process (the stack's scheduled job is off in tests), at a moment the test chooses."""
from __future__ import annotations

import json
import os
import re
import threading
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from eventkit.dates import LOCAL_TIME as LOCAL

import httpx
import pytest

from eventkit.identity import HEADER, IdentityRejected, Role, verify
from notifications.application import NotificationsApplication
from notifications.clients import Directory, Worklist
from notifications.mailer import SmtpMailer
from notifications.sender import Sender
from tests.conftest import REKTOR, TEACHER, headers_for, identity

pytestmark = pytest.mark.integration
ANNA = "anna.lind@stockholm.example"
ROLF = "rolf.ek@stockholm.example"
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")


class SummaryServer:
    """The worklist's `GET /tasks/summary`, answering `counts` per user id (others: nothing)."""

    def __init__(self, counts: dict[str, tuple[int, int]]) -> None:
        self.counts = counts
        self.asked: list[tuple[str, str]] = []  # (user id, calling service)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                try:
                    verified = verify(self.headers.get(HEADER), audience="worklist")
                except IdentityRejected:
                    self.send_response(401)
                    self.end_headers()
                    return
                outer.asked.append((verified.identity.user_id, verified.caller))
                count, overdue = outer.counts.get(verified.identity.user_id, (0, 0))
                body = json.dumps({"count": count, "overdue": overdue}).encode()
                self.send_response(200 if self.path == "/tasks/summary" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def summaries():
    server = SummaryServer({"anna.lind": (3, 1), "rolf.ek": (5, 2)})
    try:
        yield server
    finally:
        server.close()


def inbox(stack, address: str) -> list[dict]:
    return httpx.get(f"{stack.devmail_url}/messages", params={"to": address}, timeout=10).json()["messages"]


def choose(stack, who, mode: str) -> httpx.Response:
    return httpx.put(f"{stack.notifications_url}/preferences/me", json={"mode": mode},
                     headers=headers_for(who, "notifications"), timeout=10)


def sender(stack, summaries: SummaryServer, at: datetime) -> Sender:
    mailer = SmtpMailer("127.0.0.1", int(os.environ["DEV_SMTP_PORT"]), os.environ["SMTP_FROM"])
    return Sender(NotificationsApplication(), Directory(stack.directory_url), Worklist(summaries.url), mailer,
                  os.environ["PUBLIC_URL"], daily_at=time(7, 0), now=lambda: at)


def pupil_names(stack) -> list[str]:
    """Every pupil's and guardian's name of Stockholm, as the register has them."""
    answer = httpx.get(f"{stack.directory_url}/register/names", headers=headers_for(ADMIN, "directory", caller="cases"),
                       timeout=30)
    assert answer.status_code == 200
    return [p["name"] for p in answer.json()["people"]]


def test_a_daily_user_with_tasks_gets_one_mail_that_carries_nothing_personal(stack, summaries):
    for address in (ANNA, ROLF):
        httpx.delete(f"{stack.devmail_url}/messages", params={"to": address}, timeout=10)
    assert choose(stack, TEACHER, "daily").status_code == 200
    assert choose(stack, REKTOR, "off").status_code == 200
    assert httpx.get(f"{stack.notifications_url}/preferences/me", headers=headers_for(REKTOR, "notifications"),
                     timeout=10).json() == {"mode": "off"}
    morning = datetime.now(LOCAL).replace(hour=7, minute=30)

    sender(stack, summaries, morning).tick()
    sender(stack, summaries, morning.replace(hour=9)).tick()  # later the same day, as after a restart

    mails = inbox(stack, ANNA)
    assert len(mails) == 1
    assert inbox(stack, ROLF) == []  # off: none, though five tasks wait
    assert ("anna.lind", "notifications") in summaries.asked
    mail = mails[0]
    assert mail["subject"] == "Stödspår: 3 uppgifter väntar på dig"
    assert "I Stödspår väntar 3 uppgifter på dig, varav 1 är försenad." in mail["text"]
    assert f"{os.environ['PUBLIC_URL']}/" in mail["text"]
    # Nothing personal: no name of the municipality's pupils or guardians, no personnummer,
    # no id; the only numbers outside the links are the two counts.
    words = set(re.findall(r"\w+", f"{mail['subject']} {mail['text']}"))
    names = pupil_names(stack)
    assert len(names) > 1000
    assert [n for n in names if n in mail["text"]] == []
    assert words & {part for n in names for part in n.split() if len(part) > 2} == set()
    outside_links = re.sub(r"https?://\S+", "", mail["text"])
    assert sorted(re.findall(r"\d+", outside_links)) == ["1", "3"]
    assert "Anna" not in mail["text"] and "Lind" not in mail["text"]


def test_the_directory_gives_work_addresses_to_the_notifications_job_only(stack):
    job = identity("aviseringar", Role.MUNICIPALITY_ADMIN, "0180")
    for_notifications = httpx.get(f"{stack.directory_url}/staff", timeout=10,
                                  headers=headers_for(job, "directory", caller="notifications")).json()["staff"]
    assert {s["user_id"]: s["email"] for s in for_notifications}["anna.lind"] == ANNA
    for_the_frontend = httpx.get(f"{stack.directory_url}/staff", timeout=10,
                                 headers=headers_for(REKTOR, "directory")).json()["staff"]
    assert for_the_frontend and all("email" not in s for s in for_the_frontend)


def test_a_mode_outside_the_choices_is_refused_and_nothing_changes(stack):
    assert choose(stack, TEACHER, "daily").status_code == 200
    refused = choose(stack, TEACHER, "hourly")
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"mode": "Välj ett av alternativen."}
    assert httpx.get(f"{stack.notifications_url}/preferences/me", headers=headers_for(TEACHER, "notifications"),
                     timeout=10).json() == {"mode": "daily"}


def test_a_referral_reaches_rektors_morning_mail_through_the_real_task_list_as_a_count_only(stack):
    """The whole way: a teacher's referral (cases → Kafka → the worklist projection) is rektor's
    task; the morning round asks the running worklist for rektor's counts and mails them."""
    from tests.integration.test_worklist import _open_and_refer, _tasks
    from tests.support.infrastructure import eventually

    httpx.delete(f"{stack.devmail_url}/messages", params={"to": ROLF}, timeout=10)
    assert choose(stack, REKTOR, "daily").status_code == 200
    case_id, _ = _open_and_refer(stack)
    eventually(lambda: [t for t in _tasks(stack, REKTOR) if t["case_id"] == case_id])
    waiting = httpx.get(f"{stack.worklist_url}/tasks/summary", headers=headers_for(REKTOR, "worklist"), timeout=10).json()

    mailer = SmtpMailer("127.0.0.1", int(os.environ["DEV_SMTP_PORT"]), os.environ["SMTP_FROM"])
    # Tomorrow morning: today's round may have mailed rektor already in this session.
    tomorrow = datetime.now(LOCAL).replace(hour=7, minute=30) + timedelta(days=1)
    Sender(NotificationsApplication(), Directory(stack.directory_url), Worklist(stack.worklist_url), mailer,
           os.environ["PUBLIC_URL"], daily_at=time(7, 0), now=lambda: tomorrow).tick()

    [mail] = inbox(stack, ROLF)
    assert f"I Stödspår väntar {waiting['count']} uppgifter på dig" in mail["text"]
    assert case_id not in mail["text"] and "0180-ENG" not in mail["text"]
