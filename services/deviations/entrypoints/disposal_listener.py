"""The deviations' part of a disposal (R17, ADR 0024):
`python -m deviations.entrypoints.disposal_listener`.

Listens to stodspar.cases.v1 for PupilRecordsDisposed (eventkit.disposal): every deviation
whose texts named the pupil records the disposal and loses its key (deviations.records).
"""
from __future__ import annotations

from deviations.bootstrap import application
from eventkit.disposal import run_disposal_listener

if __name__ == "__main__":
    run_disposal_listener("deviations-disposal", "stodspar-deviations-disposal", application,
                          lambda **disposal: application().dispose_texts_of(**disposal))
