"""Notifications without personal data: the mail's text (counts and the link only, in Swedish),
the recipient's choice and what it decides (daily once a day, "at once" on news, off never), and
the sender's rounds with the directory, the task list and the mail server as stand-ins in
memory (the integration test runs them for real: tests/integration/test_notifications.py)."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from eventkit.dates import LOCAL_TIME as LOCAL

import pytest

from devmail.app import Inbox
from eventkit.identity import Identity, NotPermitted, Role
from notifications.application import NotificationsApplication
from notifications.clients import StaffMember, Summary, Unavailable
from notifications.domain.mail import compose
from notifications.domain.recipient import AMailTellsOfWaitingTasks, ModeIsOneOfTheChoices, Recipient
from notifications.domain.values import Mode
from notifications.mailer import MailServerAway
from notifications.sender import Sender
from ss12000.models import Person
from ss12000dev.seed import BOYS, FAMILY, GIRLS

TODAY = date(2026, 11, 27)
URL = "https://stodspar.kommun.example"
IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


# -- the mail's text ---------------------------------------------------------------------------------
def test_the_mail_says_how_many_tasks_wait_and_how_many_are_overdue_in_swedish():
    mail = compose(count=3, overdue=1, public_url=URL, key="0180:anna.lind:2026-11-27:3")
    assert mail.subject == "Stödspår: 3 uppgifter väntar på dig"
    assert "I Stödspår väntar 3 uppgifter på dig, varav 1 är försenad." in mail.text
    assert f"Logga in för att se dem: {URL}/" in mail.text
    assert f"{URL}/installningar" in mail.text


def test_one_task_and_none_overdue_read_as_swedish_does():
    mail = compose(count=1, overdue=0, public_url=URL, key="k")
    assert "I Stödspår väntar 1 uppgift på dig." in mail.text
    assert "försenad" not in mail.text


def test_the_mail_carries_only_the_counts_and_the_link():
    mail = compose(count=12, overdue=4, public_url=URL, key="0180:anna.lind:2026-11-27:12")
    without_links = mail.text.replace(f"{URL}/installningar", "").replace(f"{URL}/", "")
    # No personnummer, case id or any other number than the two counts.
    assert sorted(int(n) for n in re.findall(r"\d+", without_links)) == [4, 12]
    assert sorted(int(n) for n in re.findall(r"\d+", mail.subject)) == [12]
    # No name: no pupil's (the development register's names) and not the recipient's own user id.
    words = set(re.findall(r"\w+", mail.text + " " + mail.subject))
    assert words & (set(GIRLS) | set(BOYS) | set(FAMILY)) == set()
    assert "anna" not in (mail.text + mail.message_id).lower()


def test_the_same_recipient_day_and_count_give_the_same_message_id():
    first = compose(count=2, overdue=0, public_url=URL, key="0180:anna.lind:2026-11-27:2")
    again = compose(count=2, overdue=0, public_url=URL, key="0180:anna.lind:2026-11-27:2")
    other = compose(count=2, overdue=0, public_url=URL, key="0180:anna.lind:2026-11-28:2")
    assert first.message_id == again.message_id != other.message_id
    assert first.message_id.endswith("@stodspar.kommun.example>")


# -- the recipient's choice and decisions ---------------------------------------------------------------------
def test_someone_who_never_chose_is_mailed_once_a_day():
    recipient = Recipient.first("0180", "anna.lind")
    assert recipient.mode is Mode.DAILY
    assert recipient.daily_mail_due(TODAY)
    recipient.mailed(TODAY, 3, 0)
    assert not recipient.daily_mail_due(TODAY)
    assert recipient.daily_mail_due(date(2026, 11, 28))


def test_off_is_never_mailed():
    recipient = Recipient.first("0180", "anna.lind", "off")
    assert not recipient.daily_mail_due(TODAY)
    assert not recipient.news(10)


def test_at_once_is_news_when_more_tasks_wait_than_the_last_mail_said_or_since():
    recipient = Recipient.first("0180", "anna.lind", "at_once")
    assert not recipient.daily_mail_due(TODAY)
    assert recipient.news(2)
    recipient.mailed(TODAY, 2, 0)
    assert not recipient.news(2)
    assert not recipient.news(1)   # one done: no mail, but remembered
    assert recipient.news(2)       # a new one since: news again
    recipient.mailed(TODAY, 2, 0)
    assert recipient.news(3)


def test_a_mode_outside_the_choices_is_refused_next_to_the_field():
    with pytest.raises(ModeIsOneOfTheChoices) as refused:
        Recipient.first("0180", "anna.lind", "hourly")
    assert refused.value.fields == {"mode": "Välj hur ofta du vill få aviseringar: inga, en gång om dagen eller direkt."}


def test_a_mail_is_only_about_waiting_tasks():
    with pytest.raises(AMailTellsOfWaitingTasks):
        Recipient.first("0180", "anna.lind").mailed(TODAY, 0, 0)


# -- the application ----------------------------------------------------------------------------------------
ANNA = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


def test_a_staff_member_reads_and_changes_their_own_choice():
    app = NotificationsApplication(env=IN_MEMORY)
    assert app.preference(ANNA) == {"mode": "daily"}
    assert app.choose(ANNA, "at_once")["changed"] is True
    assert app.preference(ANNA) == {"mode": "at_once"}
    app.choose(ANNA, "off")
    assert app.preference(ANNA) == {"mode": "off"}
    assert app.preference(Identity("anna.lind", "Anna Lind", Role.TEACHER, "0184", ("0184-TAL",))) == {"mode": "daily"}


def test_the_bus_secretariat_has_no_notifications_to_choose():
    app = NotificationsApplication(env=IN_MEMORY)
    with pytest.raises(NotPermitted):
        app.choose(Identity("birgitta.sund", "Birgitta Sund", Role.BUS_SECRETARIAT, "00"), "off")


# -- the sender's rounds ----------------------------------------------------------------------------------
class Staff:
    def __init__(self, *members: StaffMember) -> None:
        self.members = list(members)
        self.away = False

    def staff(self, municipality: str) -> list[StaffMember]:
        if self.away:
            raise Unavailable("directory")
        return [m for m in self.members if m.municipality == municipality]


class Tasks:
    def __init__(self, **counts: tuple[int, int]) -> None:
        self.counts = counts
        self.asked_as: list[Identity] = []

    def summary(self, who: StaffMember) -> Summary:
        self.asked_as.append(who.identity())
        return Summary(*self.counts.get(who.user_id.replace(".", "_"), (0, 0)))


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []
        self.away = False

    def send(self, to: str, mail) -> None:
        if self.away:
            raise MailServerAway("ConnectionRefusedError")
        self.sent.append((to, mail))


def member(user_id: str, email: str | None = None) -> StaffMember:
    return StaffMember(user_id, "teacher", "0180", ("0180-ENG",), email if email is not None else f"{user_id}@stockholm.example")


def sender_at(app, staff, tasks, mailbox, clock: list[datetime]) -> Sender:
    return Sender(app, staff, tasks, mailbox, URL, municipalities=lambda: ["0180"], daily_at=time(7, 0),
                  now=lambda: clock[0])




def test_the_daily_round_mails_those_with_tasks_once_a_day_at_seven():
    app = NotificationsApplication(env=IN_MEMORY)
    app.choose(Identity("ola.off", "Ola", Role.TEACHER, "0180", ("0180-ENG",)), "off")
    staff = Staff(member("anna.lind"), member("ola.off"), member("per.idle"), member("eva.noaddress", email=""))
    tasks = Tasks(anna_lind=(3, 1), ola_off=(5, 0), eva_noaddress=(2, 0))
    mailbox = Mailbox()
    clock = [datetime(2026, 11, 27, 6, 55, tzinfo=LOCAL)]
    sender = sender_at(app, staff, tasks, mailbox, clock)

    sender.tick()
    assert mailbox.sent == []                       # before seven
    clock[0] = datetime(2026, 11, 27, 7, 0, tzinfo=LOCAL)
    (daily, _) = sender.tick()
    assert [to for to, _ in mailbox.sent] == ["anna.lind@stockholm.example"]
    assert (daily.mailed, daily.nothing_waiting, daily.without_address) == (1, 1, 1)
    # Asked as the person, for the person's own tasks.
    assert {w.user_id for w in tasks.asked_as} == {"anna.lind", "per.idle"}

    clock[0] = datetime(2026, 11, 27, 12, 0, tzinfo=LOCAL)
    sender.tick()
    restarted = sender_at(app, staff, tasks, mailbox, clock)  # a restart the same day
    restarted.tick()
    assert len(mailbox.sent) == 1

    clock[0] = datetime(2026, 11, 28, 7, 5, tzinfo=LOCAL)
    restarted.tick()
    assert len(mailbox.sent) == 2


def test_a_mail_server_that_is_away_loses_nothing():
    app = NotificationsApplication(env=IN_MEMORY)
    staff = Staff(member("anna.lind"), member("rolf.ek"))
    tasks = Tasks(anna_lind=(1, 0), rolf_ek=(4, 2))
    mailbox = Mailbox()
    mailbox.away = True
    clock = [datetime(2026, 11, 27, 7, 0, tzinfo=LOCAL)]
    sender = sender_at(app, staff, tasks, mailbox, clock)

    (daily, _) = sender.tick()
    assert not daily.complete and mailbox.sent == []
    mailbox.away = False
    clock[0] = datetime(2026, 11, 27, 7, 5, tzinfo=LOCAL)
    sender.tick()
    assert sorted(to for to, _ in mailbox.sent) == ["anna.lind@stockholm.example", "rolf.ek@stockholm.example"]
    sender.tick()
    assert len(mailbox.sent) == 2


def test_at_once_mails_when_more_tasks_wait():
    app = NotificationsApplication(env=IN_MEMORY)
    app.choose(Identity("sara.berg", "Sara", Role.SPECIAL_EDUCATOR, "0180", ("0180-ENG",)), "at_once")
    staff = Staff(member("sara.berg"))
    tasks = Tasks(sara_berg=(1, 0))
    mailbox = Mailbox()
    clock = [datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL)]
    sender = sender_at(app, staff, tasks, mailbox, clock)

    sender.tick()
    sender.tick()
    assert len(mailbox.sent) == 1
    tasks.counts["sara_berg"] = (0, 0)
    sender.tick()
    tasks.counts["sara_berg"] = (1, 0)
    sender.tick()
    assert len(mailbox.sent) == 2
    assert "1 uppgift" in mailbox.sent[-1][1].text


# -- the development mail server and the register's address ---------------------------------------------------
def test_the_development_inbox_keeps_each_message_by_recipient():
    inbox = Inbox()
    inbox.put("noreply@stodspar.example", ["Anna.Lind@stockholm.example"],
              b"Subject: =?utf-8?q?St=C3=B6dsp=C3=A5r?=\r\nMessage-ID: <x@y>\r\n\r\nHej!\r\n")
    inbox.put("noreply@stodspar.example", ["rolf.ek@stockholm.example"], b"Subject: Annat\r\n\r\nHej!\r\n")
    found = inbox.to("anna.lind@stockholm.example")
    assert [(m.subject, m.text.strip(), m.message_id) for m in found] == [("Stödspår", "Hej!", "<x@y>")]
    assert inbox.forget("anna.lind@stockholm.example") == 1 and len(inbox.to(None)) == 1


def test_the_work_address_is_the_registers_staff_address_never_a_private_one():
    base = {"id": "6f1c5a2e-4b7d-4c1e-9a53-2d8f0b7e9c41", "givenName": "Anna", "familyName": "Lind",
            "civicNo": {"value": "198001019804"}}
    private = Person.model_validate({**base, "emails": [{"value": "anna@hem.example", "type": "Privat"}]})
    work = Person.model_validate({**base, "emails": [{"value": "anna@hem.example", "type": "Privat"},
                                                     {"value": "anna.lind@stockholm.example", "type": "Skola personal"}]})
    assert private.work_email == "" and work.work_email == "anna.lind@stockholm.example"
