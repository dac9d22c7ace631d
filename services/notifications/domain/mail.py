"""The notification mail's text (no I/O): how many tasks wait and how many are overdue, and
the link to Stödspår. Nothing else: no pupil's name, no case, no number that identifies a
pupil, not even the recipient's own name; the counts are the only variable part."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    message_id: str  # the same for the same recipient, day and count: a resend is recognisable


def _tasks(count: int) -> str:
    return "1 uppgift" if count == 1 else f"{count} uppgifter"


def compose(*, count: int, overdue: int, public_url: str, key: str) -> Mail:
    """`key` makes the Message-ID (e.g. municipality, user, day and count; hashed, never shown)."""
    base = public_url.rstrip("/")
    waiting = f"I Stödspår väntar {_tasks(count)} på dig"
    if overdue > 0:
        waiting += f", varav {overdue} {'är försenad' if overdue == 1 else 'är försenade'}"
    text = (
        "Hej!\n\n"
        f"{waiting}.\n\n"
        f"Logga in för att se dem: {base}/\n\n"
        "Meddelandet innehåller inga uppgifter om elever eller ärenden; dem ser du bara i Stödspår.\n"
        f"Du väljer själv hur ofta du får aviseringar: {base}/installningar\n"
    )
    domain = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "stodspar.invalid"
    message_id = f"<{uuid5(NAMESPACE_URL, 'stodspar:notification:' + key).hex}@{domain}>"
    return Mail(subject=f"Stödspår: {_tasks(count)} väntar på dig", text=text, message_id=message_id)
