"""The special educator's mission and the quality cycle (R12, R13): profile, mission
description and goals confirmed by both parties, competence needs, plan and activities,
supervision, follow-up reports, the joint assessment, improvement actions and new goals that
replace old ones; and rektor's quality view, a tab of the follow-up page."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eventkit import authz
from eventkit.identity import Identity, Role
from frontend.actions import Attempt, go
from frontend.competence_client import competence_client, quality_client
from frontend.deps import signed_in_as
from frontend.forms import UNAVAILABLE, FormState, at_form_fields
from frontend.services_client import Forbidden, NotFound, ServiceRefused, ServiceUnavailable
from frontend.web import first_unit, flash, own_unit, render

router = APIRouter()
ID = re.compile(r"^[0-9a-f-]{36}$")
# The mission's two parties; the profile is the special educator's own.
Party = signed_in_as("competence.read", "Uppdrag och mål formuleras av rektor och specialpedagog.")
Educator = signed_in_as("competence.profile.write", "Profilen förs av specialpedagogen själv.")

# Each form of the mission pages: the service's route (path and trace template), the form's
# fields, and the confirmation shown after it was saved. `{x}` are ids from the page's URL.
FORMS: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "beskrivning": ("description", "description", ("text",), "Uppdragsbeskrivningen är sparad. Båda parter behöver bekräfta den."),
    "beskrivning-bekrafta": ("description/confirmation", "description/confirmation", ("revision",), "Du har bekräftat uppdragsbeskrivningen."),
    "mal": ("goals", "goals", ("text", "follow_up_dates", "replaces", "because_of"), "Målet är sparat. Det gäller när både rektor och specialpedagogen har bekräftat det."),
    "mal-bekrafta": ("goals/{goal}/confirmation", "goals/{goal_id}/confirmation", (), "Du har bekräftat målet."),
    "uppfoljning": ("goals/{goal}/follow-ups", "goals/{goal_id}/follow-ups", ("text",), "Uppföljningen är rapporterad till rektor."),
    "bedomning": ("goals/{goal}/assessments", "goals/{goal_id}/assessments", ("attainment", "analysis"), "Bedömningen är sparad. Den blir gemensam när båda har bekräftat den."),
    "bedomning-bekrafta": ("assessments/{assessment}/confirmation", "assessments/{assessment_id}/confirmation", (), "Du har bekräftat bedömningen."),
    "atgard": ("goals/{goal}/actions", "goals/{goal_id}/actions", ("assessment_id", "text"), "Förbättringsåtgärden är sparad."),
    "behov": ("needs", "needs", ("text",), "Kompetensbehovet är sparat."),
    "aktivitet": ("activities", "activities", ("need_id", "title", "planned_hours", "planned_by"), "Aktiviteten är tillagd i kompetensplanen."),
    "tid": ("activities/{activity}/allotment", "activities/{activity_id}/allotment", ("hours",), "Tiden är avsatt."),
    "genomford": ("activities/{activity}/completion", "activities/{activity_id}/completion", ("completed_on", "hours"), "Aktiviteten är markerad som genomförd."),
    "handledning": ("supervision", "supervision", ("provider", "sessions_per_term"), "Tillgången till handledning är sparad."),
    "handledningstillfalle": ("supervision/sessions", "supervision/sessions", ("held_on", "minutes"), "Handledningstillfället är sparat."),
}
# A rule's field in the service, where the form calls it something else.
ALIASES = {"on": ("completed_on", "held_on"), "planned_hours": ("planned_hours",), "hours": ("hours", "planned_hours")}


def _well_formed(*ids: str) -> None:
    if any(not ID.match(value) for value in ids):
        raise NotFound("")  # ids go into the service's path: nothing else may


def _refused(values: dict[str, str], refusal: ServiceRefused) -> FormState:
    return at_form_fields(values, refusal, lambda name: next(
        (alias for alias in ALIASES.get(name, (name,)) if alias in values), name))


# The service's own words for a 503 are not shown here: the forms say the part is unreachable.
attempt = Attempt(_refused, unavailable=UNAVAILABLE["competence"])


def _body(form_name: str, values: dict[str, str], dates: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {k: (v.replace(",", ".") if k in ("planned_hours", "hours") else v) for k, v in values.items()}
    if form_name == "mal":
        body["follow_up_dates"] = dates
        body["replaces"] = values.get("replaces") or None
        body["because_of"] = values.get("because_of") or None
    for key in ("planned_by", "completed_on", "held_on"):
        if key in body and not body[key]:
            body[key] = None  # an empty date: "missing" for a required one, none for an optional one
    return body


# -- overview -----------------------------------------------------------------------------------
@router.get("/kompetens")
async def overview(request: Request, who: Party) -> Response:
    return await _overview(request, who, FormState(values={"school_unit": first_unit(who)}))


async def _overview(request: Request, who: Identity, form: FormState, status: int = 200) -> Response:
    educators = [(u.user_id, u.display_name) for u in request.app.state.staff.users_in(who.municipality)
                 if u.role is Role.SPECIAL_EDUCATOR and set(u.school_units) & set(who.school_units)]
    missions = await competence_client(request, who).missions()
    return render(request, "competence_overview.html", {
        "missions": missions, "form": form, "units": who.school_units, "educators": educators,
    }, status_code=status)


@router.post("/kompetens/uppdrag")
async def start(request: Request, who: Party) -> Response:
    form = await request.form()
    values = {"school_unit": str(form.get("school_unit", "")), "special_educator": str(form.get("special_educator", ""))}
    try:
        mission_id = await competence_client(request, who).start(values["school_unit"], values["special_educator"])
    except ServiceRefused as refusal:
        return await _overview(request, who, _refused(values, refusal), 422)
    except Forbidden as refused:
        return await _overview(request, who, FormState(values=values, problem=str(refused)), 403)
    flash(request, "Uppdraget är påbörjat. Skriv uppdragsbeskrivningen tillsammans.")
    return go(request, f"/kompetens/uppdrag/{mission_id}")


# -- the mission page -------------------------------------------------------------------------------
async def _mission_page(request: Request, who: Identity, mission_id: str, forms: dict[str, FormState] | None = None,
                        status: int = 200) -> Response:
    client = competence_client(request, who)
    mission = await client.mission(mission_id)
    try:
        profile = await client.profile(mission["special_educator"])
    except NotFound:
        profile = None
    return render(request, "competence_mission.html", {
        "mission": mission, "profile": profile, "forms": forms or {}, "empty": FormState(),
        "needs": {n["need_id"]: n for n in mission["needs"]},
        "need_options": [("", "Välj…")] + [(n["need_id"], n["text"][:80]) for n in mission["needs"]],
        "goals_by_id": {g["goal_id"]: g for g in mission["goals"]},
    }, status_code=status)


@router.get("/kompetens/uppdrag/{mission_id}")
async def mission(request: Request, mission_id: str, who: Party) -> Response:
    _well_formed(mission_id)
    return await _mission_page(request, who, mission_id)


@router.get("/kompetens/uppdrag/{mission_id}/mal/{goal_id}")
async def goal(request: Request, mission_id: str, goal_id: str, who: Party) -> Response:
    _well_formed(mission_id, goal_id)
    return await _goal_page(request, who, mission_id, goal_id)


async def _goal_page(request: Request, who: Identity, mission_id: str, goal_id: str,
                     forms: dict[str, FormState] | None = None, status: int = 200) -> Response:
    chain = await competence_client(request, who).goal(mission_id, goal_id)
    actions = [(a["action_id"], a["text"][:80]) for a in chain["actions"]]
    return render(request, "competence_goal.html", {"chain": chain, "forms": forms or {}, "empty": FormState(),
                                                    "action_options": actions}, status_code=status)


@router.get("/kompetens/uppdrag/{mission_id}/historik")
async def history(request: Request, mission_id: str, who: Party) -> Response:
    _well_formed(mission_id)
    client = competence_client(request, who)
    return render(request, "competence_history.html", {
        "mission": await client.mission(mission_id), "events": await client.history(mission_id)})


@router.post("/kompetens/uppdrag/{mission_id}/{form_name}")
async def act(request: Request, mission_id: str, form_name: str, who: Party) -> Response:
    """Every form of the mission and goal pages. The answer is the page it came from: on a
    refusal with the form's values and the messages next to its fields; else a redirect."""
    _well_formed(mission_id)
    if form_name not in FORMS:
        raise NotFound(form_name)
    path, template, fields, done = FORMS[form_name]
    form = await request.form()
    ids = {key: str(form.get(key, "")) for key in ("goal", "assessment", "activity")}
    _well_formed(*(value for value in ids.values() if value))
    values = {key: str(form.get(key, "")) for key in fields if key != "follow_up_dates"}
    dates = [str(d) for d in form.getlist("follow_up_dates") if str(d).strip()]
    body = _body(form_name, values, dates)
    if form_name == "mal":
        values.update({f"follow_up_dates_{n}": str(d) for n, d in enumerate(form.getlist("follow_up_dates"))})
        values["follow_up_dates"] = ""  # the schedule's message stands at its fieldset
    version = str(form.get("expected_version", ""))
    if version.isdigit():
        body["expected_version"] = int(version)
    back_to_goal = str(form.get("back", "")) == "goal" and ids["goal"]
    key = f"{form_name}:{ids['goal'] or ids['assessment'] or ids['activity']}"
    _, problem, status = await attempt(
        competence_client(request, who).act(mission_id, template, path.format(**ids), body), values)
    if problem:
        if back_to_goal:
            return await _goal_page(request, who, mission_id, ids["goal"], {key: problem}, status)
        return await _mission_page(request, who, mission_id, {key: problem}, status)
    flash(request, done)
    if back_to_goal:
        return go(request, f"/kompetens/uppdrag/{mission_id}/mal/{ids['goal']}")
    return go(request, f"/kompetens/uppdrag/{mission_id}#{form.get('anchor', '')}".rstrip("#"))


# -- the special educator's profile (seed §2) ----------------------------------------------------------
@router.get("/kompetens/profil")
async def profile(request: Request, who: Educator) -> Response:
    current = await competence_client(request, who).profile(who.user_id)
    values = {"degree": current["degree"], "qualification": current["qualification"],
              "specialisations": ",".join(current["specialisations"])}
    return render(request, "competence_profile.html", {"form": FormState(values=values), "profile": current})


@router.post("/kompetens/profil")
async def save_profile(request: Request, who: Educator) -> Response:
    form = await request.form()
    chosen = [str(s) for s in form.getlist("specialisations")]
    values = {"degree": str(form.get("degree", "")), "qualification": str(form.get("qualification", "")),
              "specialisations": ",".join(chosen)}
    client = competence_client(request, who)
    try:
        await client.save_profile({"degree": values["degree"], "qualification": values["qualification"],
                                   "specialisations": chosen})
    except ServiceRefused as refusal:
        current = await client.profile(who.user_id)
        return render(request, "competence_profile.html", {"form": _refused(values, refusal), "profile": current},
                      status_code=422)
    flash(request, "Din profil är sparad.")
    return go(request, "/kompetens/profil")


# -- rektor's quality view: a tab of the follow-up page --------------------------------------------------
@router.get("/uppfoljning/kvalitet")
async def quality(request: Request, who: Party, skolenhet: str = "") -> Response:
    unit = own_unit(who, skolenhet, first_by_default=False) if authz.allows(who, "quality.units") else ""
    try:
        view = await quality_client(request, who).view(unit or None)
    except ServiceUnavailable:
        return render(request, "quality_view.html", {"unavailable": True, "unit": unit, "units": who.school_units},
                      status_code=503)
    return render(request, "quality_view.html", {"unavailable": False, "view": view, "unit": unit,
                                                 "units": who.school_units})
