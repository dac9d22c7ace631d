"""The notifications service's values (no I/O)."""
from __future__ import annotations

from eventkit.vocabulary import LabelledEnum


class Mode(LabelledEnum):
    """How often a staff member is mailed about waiting tasks (published as NotificationMode)."""

    OFF = "off", "Inga aviseringar"
    DAILY = "daily", "En gång om dagen"
    AT_ONCE = "at_once", "Direkt när något nytt väntar"


DEFAULT_MODE = Mode.DAILY  # a staff member who never chose is mailed once a day
