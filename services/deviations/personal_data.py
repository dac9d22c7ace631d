"""Which fields of the deviation's events may name a person (R17, ADR 0024): every free text —
the report's description and what was tried locally, the actions, the answer, the summary,
the manager's checks and decisions (they quote what was found) and the de-identified texts
sent. They are encrypted (eventkit.shredding) under the deviation's own key, which the
deviations service keeps in its own database and destroys when the records of a pupil the
texts name are disposed of. Everything else (organisations, category, dates, outcome, staff
ids, counts) is structure and stays readable for the statistics and the regional stream.
"""
from __future__ import annotations

from deviations.domain.model import Deviation

PERSONAL_FIELDS: dict[type, tuple[str, ...]] = {
    Deviation.Reported: ("description", "tried_locally"),
    Deviation.ActionRecorded: ("action",),
    Deviation.AnswerRecorded: ("answer",),
    Deviation.SolvedLocally: ("summary",),
    Deviation.Checked: ("description", "tried_locally", "findings"),
    Deviation.FindingsDecided: ("decisions",),
    Deviation.SentToBus: ("description", "tried_locally"),
}
