"""The scheduled job: mail each staff member how many tasks wait, as they chose.

- Once a day (NOTIFICATIONS_DAILY_AT, 07:00 Europe/Stockholm): everyone whose choice is
  "daily" (the default) and who has not been mailed today, when at least one task waits.
- Every NOTIFICATIONS_INTERVAL_MINUTES: everyone whose choice is "at once", when more tasks wait
  than the last mail said (or than since waited, if the count fell in between).

Each staff member comes from the directory with their work e-mail address, their counts from
the task list, asked as them (notifications.clients). A mail is recorded on the recipient as
soon as the mail server took it (notifications.application.record_mail), so a restart does
not mail the same day twice. Whatever stops a round half-way (the mail server, the task list
or the directory away) is tried again at the next tick: a day's round counts as done only when
nobody was left out. The log says how many, never who or to which address.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable, Iterable

from notifications.application import NotificationsApplication
from notifications.clients import Directory, StaffMember, Unavailable, Worklist
from notifications.domain.mail import compose
from notifications.domain.values import Mode
from notifications.mailer import MailServerAway
from eventkit.dates import LOCAL_TIME as LOCAL

log = logging.getLogger("notifications")
SETTINGS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "municipality-settings.json"


def deployment_municipalities() -> list[str]:
    """The municipalities this deployment serves: those of its settings file
    (MUNICIPALITY_SETTINGS_FILE, as the cases service reads it)."""
    path = Path(os.environ.get("MUNICIPALITY_SETTINGS_FILE") or SETTINGS_FILE)
    return sorted(json.loads(path.read_text(encoding="utf-8")).get("municipalities", {}))


@dataclass
class Round:
    kind: str
    mailed: int = 0
    nothing_waiting: int = 0
    without_address: int = 0
    left_for_later: int = 0

    @property
    def complete(self) -> bool:
        return self.left_for_later == 0

    def __str__(self) -> str:
        return (f"{self.kind} round: {self.mailed} mailed, {self.nothing_waiting} with nothing waiting, "
                f"{self.without_address} without an e-mail address, {self.left_for_later} left for the next try")


class Sender:
    def __init__(self, app: NotificationsApplication, directory: Directory, worklist: Worklist, mailer,
                 public_url: str, municipalities: Callable[[], Iterable[str]] = deployment_municipalities,
                 daily_at: time = time(7, 0), now: Callable[[], datetime] = lambda: datetime.now(LOCAL)) -> None:
        self.app = app
        self.directory = directory
        self.worklist = worklist
        self.mailer = mailer
        self.public_url = public_url
        self.municipalities = municipalities
        self.daily_at = daily_at
        self.now = now
        self._daily_done: date | None = None

    def tick(self) -> list[Round]:
        """What the schedule runs each interval: the day's round until it is complete, then
        "at once"."""
        now = self.now()
        rounds = []
        if now.time() >= self.daily_at and self._daily_done != now.date():
            daily = self.daily(now.date())
            rounds.append(daily)
            if daily.complete:
                self._daily_done = now.date()
        rounds.append(self.at_once(now.date()))
        for done in rounds:
            if done.mailed or not done.complete:
                log.info("%s", done)
        return rounds

    def daily(self, today: date) -> Round:
        return self._round(Round("daily"), today, lambda recipient, summary: recipient.daily_mail_due(today),
                           wanted=lambda recipient: recipient.daily_mail_due(today))

    def at_once(self, today: date) -> Round:
        return self._round(Round("at once"), today, lambda recipient, summary: recipient.news(summary.count),
                           wanted=lambda recipient: recipient.mode is Mode.AT_ONCE)

    def _round(self, report: Round, today: date, due, wanted) -> Round:
        for municipality in self.municipalities():
            try:
                staff = self.directory.staff(municipality)
            except Unavailable:
                report.left_for_later += 1
                continue
            for member in staff:
                try:
                    self._one(report, member, today, due, wanted)
                except MailServerAway:
                    report.left_for_later += 1
                    return report  # the others would meet the same server: all of them next time
        return report

    def _one(self, report: Round, member: StaffMember, today: date, due, wanted) -> None:
        recipient = self.app.recipient(member.municipality, member.user_id)
        if not wanted(recipient):
            return
        if not member.email:
            report.without_address += 1
            return
        try:
            summary = self.worklist.summary(member)
        except Unavailable:
            report.left_for_later += 1
            return
        news = due(recipient, summary)
        self.app.save_decisions(recipient)
        if summary.count < 1 or not news:
            report.nothing_waiting += 1
            return
        key = f"{member.municipality}:{member.user_id}:{today.isoformat()}:{summary.count}"
        self.mailer.send(member.email, compose(count=summary.count, overdue=summary.overdue,
                                               public_url=self.public_url, key=key))
        self.app.record_mail(member.municipality, member.user_id, today, summary.count, summary.overdue)
        report.mailed += 1


def run_on_schedule(sender: Callable[[], Sender], stop: threading.Event, interval_seconds: float) -> threading.Thread:
    """`sender().tick()` now and every `interval_seconds` in a thread of its own, until `stop`."""

    def loop() -> None:
        while not stop.is_set():
            try:
                sender().tick()
            except Exception as exc:  # the database or a setting away: the next tick tries again
                log.warning("notifications could not run: %s", type(exc).__name__)
            if stop.wait(interval_seconds):
                return

    thread = threading.Thread(target=loop, name="notifications-sender", daemon=True)
    thread.start()
    return thread
