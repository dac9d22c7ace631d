"""Att göra's table of task kinds: the one in the code is the one docs/architecture.md shows, and
every deadline of the overdue topic marks a kind of task."""
from __future__ import annotations

from pathlib import Path

from eventkit.contracts import contract_for
from projections.worklist.tasks import KIND_OF_DEADLINE, KINDS, kinds_table

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_of_task_kinds_in_the_architecture_document_is_the_one_in_the_code():
    assert kinds_table() in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_deadline_of_the_overdue_topic_makes_a_kind_of_task_overdue():
    deadlines = contract_for("CaseDeadlineOverdue").schema["properties"]["deadline"].get("enum")
    assert deadlines, "the overdue contract lists its deadlines"
    assert set(deadlines) == set(KIND_OF_DEADLINE)
    assert {KINDS[kind].subject for kind in KIND_OF_DEADLINE.values()} == {"case"}
