"""Today, for the follow-up view and the overdue timer: Swedish calendar date, injectable.

FOLLOWUP_TODAY=YYYY-MM-DD fixes the date (demos, tests of a running system); tests of the
timer pass their own clock function instead."""
from __future__ import annotations

import os
from datetime import date

from eventkit.dates import local_today


def today() -> date:
    fixed = os.environ.get("FOLLOWUP_TODAY", "")
    return date.fromisoformat(fixed) if fixed else local_today()
