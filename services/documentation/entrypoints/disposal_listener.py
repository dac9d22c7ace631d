"""The documentation's part of a disposal (R17, ADR 0021):
`python -m documentation.entrypoints.disposal_listener`.

Listens to stodspar.cases.v1 for PupilRecordsDisposed (eventkit.disposal) and destroys the
documentation service's own key of that pupil (and of those cases), after recording the
disposal as an event (documentation.records).
"""
from __future__ import annotations

from documentation.bootstrap import application
from eventkit.disposal import run_disposal_listener

if __name__ == "__main__":
    run_disposal_listener("documentation-disposal", "stodspar-documentation-disposal", application,
                          lambda **disposal: application().dispose_pupil(**disposal))
