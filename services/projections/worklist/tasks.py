"""The kinds of task on the worklist, and whose each is: one table (docs/architecture.md, "Att göra").

A task is owned either by a user (`assignee`, a staff user id from an event) or by a role at
a unit (`role` at the task's school unit: every rektor of the unit sees it). `deadline` names
the deadline of the overdue topic (stodspar.followup.overdue.v1) that marks the task overdue.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskKind:
    subject: str  # "case", "deviation" or "mission"
    rule: str
    owner: str  # who, in words (for the docs)
    deadline: str | None = None


KINDS: dict[str, TaskKind] = {
    "start_investigation": TaskKind("case", "R2", "rektor of the case's unit", "investigation_start"),
    "conduct_investigation": TaskKind("case", "R2, R3", "the investigator rektor named", None),
    "decide": TaskKind("case", "R2, R4", "rektor of the case's unit", "decision"),
    "issue_programme": TaskKind("case", "R4, R7", "rektor of the case's unit"),
    "deliver_decision": TaskKind("case", "R9", "rektor of the case's unit"),
    "follow_up": TaskKind("case", "R10", "rektor of the programme's unit", "follow_up"),
    "evaluate": TaskKind("case", "R10", "rektor of the programme's unit", "evaluation"),
    "complete_appeal": TaskKind("case", "R9", "rektor of the case's unit"),
    "reject_late_appeal": TaskKind("case", "R9", "rektor of the case's unit"),
    "reconsider_appeal": TaskKind("case", "R9", "rektor of the case's unit", "appeal_forwarding"),
    "forward_appeal": TaskKind("case", "R9", "rektor of the case's unit"),
    "decide_again": TaskKind("case", "R9, R4", "rektor of the case's unit"),
    "investigate_again": TaskKind("case", "R9, R2", "rektor of the case's unit"),
    "handle_deviation": TaskKind("deviation", "R21", "the unit's responsible manager"),
    "record_deviation_answer": TaskKind("deviation", "R21", "the unit's responsible manager"),
    "confirm_mission": TaskKind("mission", "R12", "each party of the mission who has not confirmed"),
    "confirm_goal": TaskKind("mission", "R12, R13", "each party of the mission who has not confirmed"),
    "confirm_assessment": TaskKind("mission", "R13", "each party of the mission who has not confirmed"),
    "report_goal_follow_up": TaskKind("mission", "R13", "the mission's special educator"),
}

# The overdue topic's deadline → the kind of task it makes overdue.
KIND_OF_DEADLINE = {kind.deadline: name for name, kind in KINDS.items() if kind.deadline}
# Decisions that call for a programme to be issued (R4, R7).
PROGRAMME_DECISIONS = ("establish_programme", "continue_with_new_measures")
# Tasks that end with the programme: it stays with the unit that made it (R11).
PROGRAMME_TASKS = ("issue_programme", "follow_up", "evaluate")
# The party of AgreementConfirmed → the mission's column with that party's user id.
PARTIES = ("rektor", "special_educator")
CONFIRMING = {"mission_description": "confirm_mission", "goal": "confirm_goal", "assessment": "confirm_assessment"}


def kinds_table() -> str:
    """The table of task kinds as in docs/architecture.md."""
    lines = ["| task | about | rule | whose | marked overdue by the overdue topic |", "| --- | --- | --- | --- | --- |"]
    for name, kind in KINDS.items():
        lines.append(f"| `{name}` | {kind.subject} | {kind.rule} | {kind.owner} | {kind.deadline or '–'} |")
    return "\n".join(lines)
