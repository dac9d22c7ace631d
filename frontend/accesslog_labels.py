"""Loggkontroll in Swedish words (R15): each access log entry as a sentence a log checker reads
— "Anna Lind, lärare, läste elevärendet", "Rolf Ek, rektor, skrev ut åtgärdsprogrammet",
"Anna Lind, lärare, försökte läsa elevärendet – nekades" — never a route template, role code
or action code. Every action of the access log (eventkit.accesslog.ACTIONS), every kind of
access one filters on (projections.accesslog.period.KINDS) and every route that hands out a
pupil's record has its words here; a unit test fails when one lacks them."""
from __future__ import annotations

import re

from frontend.devlogin import role_label

# What was done, in the past tense; and what was tried, when it was refused.
VERBS = {
    "read": "läste", "list": "såg", "change": "ändrade", "export": "exporterade", "print": "skrev ut",
    "search": "sökte fram", "disposal": "gallrade",
}
TRIED = {
    "read": "försökte läsa", "list": "försökte se", "change": "försökte ändra", "export": "försökte exportera",
    "print": "försökte skriva ut", "search": "försökte söka fram", "disposal": "försökte gallra",
}
# The kinds of access one filters on (the read API's `kind`), as the page offers them.
KINDS = {"read": "Läsning", "change": "Ändring", "print": "Utskrift", "export": "Export", "refused": "Nekad åtkomst"}

CASE = "elevärendet"
_CASE_PARTS = {
    "history": "elevärendets historik", "medical": "elevhälsans medicinska del",
    "medical/entries": "elevhälsans medicinska del", "protection": "sekretessen i elevärendet",
    "protection/grants": "vem som får se elevärendet", "protection/revocations": "vem som får se elevärendet",
    "interventions": "insatserna i elevärendet", "extra-adaptations": "extra anpassningar i elevärendet",
    "referral": "anmälan till rektor i elevärendet", "investigation": "utredningen i elevärendet",
    "investigation/parts": "utredningen i elevärendet", "investigation/conclusion": "utredningens slutsats",
    "investigation/invitations": "vilka lärare som deltar i utredningen",
    "investigation/withdrawals": "vilka lärare som deltar i utredningen",
    "decisions": "beslutet i elevärendet", "decisions/{number}/delivery": "delgivningen av beslutet",
    "decisions/{number}/receipts": "delgivningen av beslutet", "decisions/{number}/appeals": "ett överklagande av beslutet",
    "appeals/{number}/joined": "ett överklagande av beslutet", "appeals/{number}/one-guardian": "ett överklagande av beslutet",
    "appeals/{number}/rejection": "avvisningen av ett överklagande", "appeals/{number}/reconsideration": "omprövningen av ett beslut",
    "appeals/{number}/forwarding": "överlämnandet av ett överklagande till nämnden",
    "appeals/{number}/board": "överklagandenämndens avgörande",
    "programme": "åtgärdsprogrammet", "participation": "elevens och vårdnadshavarnas delaktighet",
    "follow-ups": "uppföljningen av åtgärdsprogrammet", "evaluation": "utvärderingen av åtgärdsprogrammet",
    "move": "elevens byte av skolenhet", "corrections": "en rättelse i elevärendet",
}
# Route templates (and the few fixed names the services log) → what was accessed.
RESOURCES = {
    "/cases": CASE,
    "/cases/{case_id}": CASE,
    "/cases/pupil-names": "elevens namn i en lista",
    "/pupils/lookup": "eleven på personnummer",
    "/pupils/names-in-text": "eleven i en text (namnkontrollen)",
    "/pupils/named-in-text": "eleven i en text (namnkontrollen)",
    "/pupils/{pupil_ref}/disposal": "elevens uppgifter",
    "/pupils/log-names": "elevens namn i loggkontrollen",
    "/pupils": "eleven i elevregistret",
    "/pupils/{pupil_id}": "elevens uppgifter i elevregistret",
    "/deviations/{deviation_id}": "avvikelserapporten",
    "/deviations/{deviation_id}/actions": "åtgärderna i avvikelserapporten",
    "/deviations/{deviation_id}/answer": "svaret på avvikelserapporten",
    "/deviations/{deviation_id}/check": "avidentifieringen av avvikelserapporten",
    "/deviations/{deviation_id}/reopen": "avvikelserapporten (öppnades igen)",
    "/deviations/{deviation_id}/send": "avvikelserapporten (skickades till BUS)",
    "/deviations/{deviation_id}/solved-locally": "avvikelserapporten (löst lokalt)",
    "/interventions/{intervention_id}/corrections": "en rättelse av en insats",
    "/interventions/{intervention_id}/withdrawal": "dokumentationen av en insats (återkallad)",
    "/interventions": "dokumentationen av insatser",
    "/interventions/{intervention_id}": "dokumentationen av en insats",
    "/units/{school_unit}/overview": "skolenhetens underlag för utvecklingsarbetet",
    "/accesslog/export": "loggkontrollens träffar",
    "scheduled": "elevens uppgifter (schemalagd gallring)",
    "PupilRecordsDisposed": "elevens uppgifter",
    **{f"/cases/{{case_id}}/{part}": words for part, words in _CASE_PARTS.items()},
}
# A print of the case is the action programme's printout (frontend.routes.workflow); opening a case.
SPECIAL = {
    ("print", "/cases/{case_id}"): "skrev ut åtgärdsprogrammet",
    ("change", "/cases"): "öppnade elevärendet",
    ("export", "/accesslog/export"): "exporterade loggkontrollens träffar",
}
_ID = re.compile(r"\{[a-z_]+\}")


def resource_words(resource: str) -> str:
    """What was accessed, in words; a route not listed is named by its first part's words."""
    if resource in RESOURCES:
        return RESOURCES[resource]
    for template, words in sorted(RESOURCES.items(), key=lambda item: -len(item[0])):
        if template.startswith("/") and _ID.search(template) and resource.startswith(template + "/"):
            return words
    return "elevens uppgifter"


def what(action: str, resource: str, outcome: str = "granted") -> str:
    """'läste elevärendet', 'skrev ut åtgärdsprogrammet', 'försökte läsa elevärendet – nekades'."""
    if outcome == "refused":
        return f"{TRIED.get(action, 'försökte nå')} {resource_words(resource)} – nekades"
    if (action, resource) in SPECIAL:
        return SPECIAL[(action, resource)]
    return f"{VERBS.get(action, 'använde')} {resource_words(resource)}"


def sentence(name: str, role: str, action: str, resource: str, outcome: str = "granted") -> str:
    """'Anna Lind, lärare, läste elevärendet'."""
    return f"{name}, {role_label(role)}, {what(action, resource, outcome)}"


def pupil_words(found: dict | None) -> str:
    """The pupil as the page shows it: the name, or a neutral phrase (R14, R17)."""
    if not found:
        return "–"
    if found.get("name"):
        return str(found["name"])
    if found.get("protected"):
        return "elev med skyddade personuppgifter"
    if found.get("disposed"):
        return "gallrad elev"
    return "elev (namnet kan inte visas just nu)"
