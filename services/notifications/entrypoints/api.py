"""The notifications service's JSON API (OpenAPI at /docs), and the scheduled job in the same
process (notifications.sender; NOTIFICATIONS_SCHEDULED=false leaves it off, as the test stack
does: the tests run rounds themselves)."""
from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import Depends

from eventkit import authz
from eventkit.config import env
from eventkit.http import conflict, answer_errors, current_identity, service_api
from eventkit.identity import Identity
from eventkit.inputs import StrictInput
from eventkit.store import VersionConflict
from eventkit.vocabulary import literal_of
from notifications.application import NotificationsApplication
from notifications.bootstrap import application, sender
from notifications.domain.values import Mode
from notifications.sender import run_on_schedule


@asynccontextmanager
async def lifespan(app):
    stop = threading.Event()
    if env("NOTIFICATIONS_SCHEDULED", "true").lower() in ("1", "true", "yes"):
        run_on_schedule(sender, stop, float(env("NOTIFICATIONS_INTERVAL_MINUTES", "5")) * 60)
    yield
    stop.set()


app = service_api("Stödspår – aviseringar (notifications)", audience="notifications", lifespan=lifespan)
CHOOSING = authz.operation("notifications.preferences")


class Preference(StrictInput):
    mode: literal_of(Mode)


def notifications() -> NotificationsApplication:
    return application()


answer_errors(app, {
    VersionConflict: conflict("Du ändrade valet i en annan flik samtidigt. Ladda om sidan och välj igen."),
})


@app.get("/preferences/me", **CHOOSING)
def get_preference(who: Identity = Depends(current_identity), n: NotificationsApplication = Depends(notifications)):
    return n.preference(who)


@app.put("/preferences/me", **CHOOSING)
def put_preference(body: Preference, who: Identity = Depends(current_identity),
                   n: NotificationsApplication = Depends(notifications)):
    return n.choose(who, body.mode)
