"""`python -m devmail`: SMTP on DEV_MAIL_HOST:DEV_SMTP_PORT, the inbox over HTTP on DEV_MAIL_HTTP_PORT."""
from __future__ import annotations

import uvicorn
from aiosmtpd.controller import Controller

from devmail.app import Handler, Inbox, create_app
from eventkit.config import env


def main() -> None:
    inbox = Inbox()
    host = env("DEV_MAIL_HOST", "127.0.0.1")
    smtp = Controller(Handler(inbox), hostname=host, port=int(env("DEV_SMTP_PORT")))
    smtp.start()  # its own thread and event loop
    try:
        uvicorn.run(create_app(inbox), host=host, port=int(env("DEV_MAIL_HTTP_PORT")), log_level="warning")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
