"""Sending a notification over SMTP (stdlib smtplib; the job runs in its own thread).

Settings (deploy/stodspar.env; production: the municipality's mail relay): SMTP_HOST,
SMTP_PORT, SMTP_FROM, SMTP_STARTTLS (true: STARTTLS before anything is sent, with the
system's certificate check), SMTP_USERNAME and SMTP_PASSWORD (both empty: no login).
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from eventkit.config import env
from notifications.domain.mail import Mail

TIMEOUT_SECONDS = 10


class MailServerAway(Exception):
    """The mail server did not take the message: nothing was sent, the job tries again later."""


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""

    @classmethod
    def from_env(cls) -> "SmtpMailer":
        return cls(env("SMTP_HOST"), int(env("SMTP_PORT")), env("SMTP_FROM"),
                   env("SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
                   env("SMTP_USERNAME", ""), env("SMTP_PASSWORD", ""))

    def send(self, to: str, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = mail.message_id
        message.set_content(mail.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # The exception's kind only: its text may quote the address.
            raise MailServerAway(type(exc).__name__) from None
