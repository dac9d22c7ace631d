"""Wiring of the notifications service, in one place."""
from __future__ import annotations

from eventkit.wiring import once_per_process
from notifications.application import NotificationsApplication


@once_per_process
def application() -> NotificationsApplication:
    return NotificationsApplication()


@once_per_process
def sender():
    """The scheduled job, with its settings from the environment (deploy/stodspar.env)."""
    from datetime import time

    from eventkit.config import env
    from notifications.clients import Directory, Worklist
    from notifications.mailer import SmtpMailer
    from notifications.sender import Sender

    hours, minutes = env("NOTIFICATIONS_DAILY_AT", "07:00").split(":")
    return Sender(application(), Directory(), Worklist(), SmtpMailer.from_env(), env("PUBLIC_URL"),
                  daily_at=time(int(hours), int(minutes)))
