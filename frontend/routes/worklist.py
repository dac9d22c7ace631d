"""Att göra: the user's tasks as Swedish sentences, the overdue first, each linked to its case,
deviation or mission (the start page's count: frontend.worklist_client.start_page_counts).

The pupil's name is asked from the cases service for the cases on the page, as the follow-up
page does (R17: no read model keeps names; R15: the cases service logs the read).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontend.deps import signed_in_as
from frontend.records_client import with_pupil_names
from frontend.services_client import ServiceUnavailable
from frontend.templating import MONTHS
from frontend.web import render
from frontend.worklist_client import counts_text, worklist_client

router = APIRouter()
Worker = signed_in_as("worklist.read", "Din roll har inga uppgifter i Stödspår.")

# What each kind of task asks, as a sentence; " senast <date>" follows when it has a due date.
SENTENCES = {
    "start_investigation": "Utredning om särskilt stöd ska påbörjas",
    "conduct_investigation": "Utredningen ska vara klar i tid för beslutet, som ska fattas",
    "decide": "Beslut om åtgärdsprogram ska fattas",
    "issue_programme": "Åtgärdsprogrammet ska upprättas efter beslutet",
    "deliver_decision": "Beslutet ska lämnas till vårdnadshavarna och dagen registreras",
    "follow_up": "Åtgärdsprogrammet ska följas upp",
    "evaluate": "Åtgärdsprogrammet ska utvärderas",
    "complete_appeal": "Komplettera överklagandet: båda vårdnadshavarna ska stå bakom det, eller anteckna varför det räcker med en",
    "reject_late_appeal": "Avvisa överklagandet som kom in för sent",
    "reconsider_appeal": "Ompröva beslutet eller lämna överklagandet till överklagandenämnden",
    "forward_appeal": "Lämna överklagandet till överklagandenämnden (beslutet är omprövat)",
    "decide_again": "Fatta nytt beslut: överklagandenämnden återförvisade ärendet",
    "investigate_again": "Starta ny utredning: överklagandenämnden återförvisade ärendet",
    "handle_deviation": "Avvikelsen ska hanteras: lös den lokalt eller skicka den till BUS-sekretariatet",
    "record_deviation_answer": "Svaret från verksamheten där avvikelsen uppstod ska registreras",
    "confirm_mission": "Uppdragsbeskrivningen väntar på din bekräftelse",
    "confirm_goal": "Ett mål i uppdraget väntar på din bekräftelse",
    "confirm_assessment": "En bedömning av ett mål väntar på din bekräftelse",
    "report_goal_follow_up": "Uppföljningen av ett mål i uppdraget ska rapporteras",
}
UNKNOWN = "En uppgift väntar"
LINKS = {"case": "/arenden/{}", "deviation": "/avvikelser/{}", "mission": "/kompetens/uppdrag/{}"}


def day_text(value: str, today: date) -> str:
    """'3 december' (with the year when it is not this year's)."""
    day = date.fromisoformat(value)
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def sentence(task: dict[str, Any], today: date) -> str:
    text = SENTENCES.get(task["kind"], UNKNOWN)
    return f"{text} senast {day_text(task['due_on'], today)}." if task.get("due_on") else f"{text}."


@router.get("/att-gora")
async def worklist(request: Request, who: Worker) -> Response:
    try:
        answer = await worklist_client(request, who).tasks()
    except ServiceUnavailable:
        return render(request, "worklist.html", {"unavailable": True, "tasks": [], "summary": ""}, status_code=503)
    today = date.fromisoformat(answer["today"])
    tasks = list(answer.get("tasks", []))
    about_cases = await with_pupil_names(request, who, [t for t in tasks if t.get("case_id")])
    names = {t["case_id"]: t["pupil_name"] for t in about_cases}
    shown = [{
        **t, "sentence": sentence(t, today), "link": LINKS.get(t["subject_kind"], "/").format(t["subject_id"]),
        "about": names.get(t.get("case_id")) if t["subject_kind"] == "case" else None,
    } for t in tasks]
    count, overdue = int(answer.get("count", len(tasks))), int(answer.get("overdue", 0))
    summary = counts_text(count, overdue) + "." if count else "Du har inga uppgifter just nu."
    return render(request, "worklist.html", {"unavailable": False, "tasks": shown, "summary": summary,
                                             "more": max(0, count - len(tasks))})
