"""The support case's steps after the referral, one form each (R3–R11, R16), the history
with corrections and the case as it stood on a date, and the printable programme (R18).

A saved step goes back to the case page (the version shown is then the new one); a refused
one re-renders only its form block, with 422 and the messages next to their fields, or 409
when someone else saved in between."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from eventkit.identity import Identity
from frontend.actions import Attempt, attempt, go
from frontend.deps import CurrentUser
from frontend.forms import FormState, at_form_fields
from frontend.case_history import Names, correction_choices, history_lines, raw_value
from frontend.parties import Parties, parties_of
from frontend.letter_content import school_unit
from frontend.services_client import NotFound
from frontend.web import cases_client, flash, is_htmx, render
from frontend.workflow_labels import INVESTIGATION_PARTS, step_context

router = APIRouter()


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "")


def _or_none(value: str) -> str | None:
    return value or None


def _yes_no(value: str) -> bool | None:
    return {"ja": True, "nej": False}.get(value)


def _programme(form: FormData) -> dict[str, Any]:
    measures = []
    for i in range(3):
        measure = {k: _text(form, f"measures.{i}.{k}") for k in ("description", "extent", "responsible")}
        if any(measure.values()) or i == 0:
            measures.append(measure)
    if not any(measures[0].values()):
        measures = []
    return {
        "needs": _text(form, "needs"),
        "measures": measures,
        "follow_up_dates": [d for d in (_text(form, f"follow_up_dates.{i}") for i in range(3)) if d],
        "follow_up_responsible": _text(form, "follow_up_responsible"),
        "evaluation_on": _or_none(_text(form, "evaluation_on")),
        "evaluation_responsible": _text(form, "evaluation_responsible"),
    }


def _correction(choice: str) -> dict[str, Any]:
    """The form's one choice, 'entry:field' (cases.domain.corrections), as the command names it."""
    version, _, field = choice.partition(":")
    return {"corrects_version": int(version) if version.isdigit() else None, "field": field}


@dataclass(frozen=True)
class Step:
    path: Callable[[FormData], str]  # below /cases/{case_id}/ in the cases API
    block: str  # the case page's block to re-render on refusal
    anchor: str
    done: str
    fields: tuple[str, ...]
    body: Callable[[FormData], dict[str, Any]]


STEPS = {
    "utredning": Step(lambda f: "investigation", "investigation", "utredning", "Utredningen är inledd.",
                      ("investigator", "student_health_team", "without_team_reason"),
                      lambda f: {"investigator": _text(f, "investigator"), "student_health_team": _yes_no(_text(f, "student_health_team")),
                                 "without_team_reason": _text(f, "without_team_reason")}),
    "utredning-delar": Step(lambda f: "investigation/parts", "investigation", "utredning", "Utredningen är uppdaterad.",
                            tuple(n for n, _ in INVESTIGATION_PARTS),
                            lambda f: {n: _text(f, n) for n, _ in INVESTIGATION_PARTS}),
    "utredning-forslag": Step(lambda f: "investigation/conclusion", "investigation", "beslut",
                              "Utredningen är avslutad med ett förslag; nu fattas beslutet.", ("proposal",),
                              lambda f: {"proposal": _text(f, "proposal")}),
    # R14: rektor lets a named teacher of the unit take part in the investigation, or no longer.
    "inbjudan": Step(lambda f: "investigation/invitations", "invitation", "utredning",
                     "Läraren är inbjuden och ser nu utredningen.", ("user_id",), lambda f: {"user_id": _text(f, "user_id")}),
    "inbjudan-tillbaka": Step(lambda f: "investigation/withdrawals", "invitation", "utredning",
                              "Inbjudan är tillbakatagen; läraren ser inte längre utredningen.", ("user_id",),
                              lambda f: {"user_id": _text(f, "user_id")}),
    "beslut": Step(lambda f: "decisions", "decision", "beslut", "Beslutet är fattat.", ("kind", "placements", "reasons"),
                   lambda f: {"kind": _or_none(_text(f, "kind")), "placements": f.getlist("placements"),
                              "reasons": _text(f, "reasons")}),
    "delgivning": Step(lambda f: f"decisions/{int(_text(f, 'decision_number') or 0)}/delivery", "decision", "beslut",
                       "Delgivningen är registrerad; sista dag att överklaga visas vid beslutet.",
                       ("decision_number", "delivered_on"), lambda f: {"delivered_on": _or_none(_text(f, "delivered_on"))}),
    "delaktighet": Step(lambda f: "participation", "participation", "delaktighet", "Delaktigheten är sparad.",
                        ("party", "offered_on", "took_part", "views"),
                        lambda f: {"party": _text(f, "party"), "offered_on": _or_none(_text(f, "offered_on")),
                                   "took_part": _yes_no(_text(f, "took_part")), "views": _text(f, "views")}),
    "atgardsprogram": Step(lambda f: "programme", "programme", "atgardsprogram", "Åtgärdsprogrammet är utfärdat.",
                           ("needs", "follow_up_responsible", "evaluation_on", "evaluation_responsible",
                            *(f"measures.{i}.{k}" for i in range(3) for k in ("description", "extent", "responsible")),
                            *(f"follow_up_dates.{i}" for i in range(3))), _programme),
    "uppfoljning": Step(lambda f: "follow-ups", "follow_up", "uppfoljning", "Uppföljningen är sparad.", ("findings",),
                        lambda f: {"findings": _text(f, "findings")}),
    "utvardering": Step(lambda f: "evaluation", "follow_up", "uppfoljning", "Utvärderingen är sparad.", ("outcome",),
                        lambda f: {"outcome": _text(f, "outcome")}),
    "flytt": Step(lambda f: "move", "move", "", "Bytet av skolenhet är registrerat.", ("to_unit",),
                  lambda f: {"to_unit": _text(f, "to_unit")}),
    "rattelse": Step(lambda f: "corrections", "correction", "rattelse", "Rättelsen är sparad; båda uppgifterna syns i historiken.",
                     ("field", "value", "reason"), lambda f: _correction(_text(f, "field"))
                     | {"value": _text(f, "value"), "reason": _text(f, "reason")}),
}


# -- R9: a decision's receipt per recipient and its appeals ------------------------------------------
@dataclass(frozen=True)
class AppealStep:
    """A form under one decision ("beslut": the decision's number) or one appeal ("overklagande"):
    its fields are named `<step><number>-<field>` so that the forms of several decisions and
    appeals on one page keep their own ids, values and messages; the service's field names are
    the part after the prefix. `chosen`: a choice the service would refuse as malformed, asked
    again with a message at its field and nothing sent."""

    path: Callable[[int], str]
    of: str  # "beslut" or "overklagande": whose number the form's hidden `number` is
    done: str
    fields: tuple[str, ...]
    body: Callable[[FormData], dict[str, Any]]
    chosen: tuple[tuple[str, str], ...] = ()


def _checked(form: FormData, name: str) -> bool:
    return _text(form, name) == "ja"


APPEAL_STEPS = {
    "mottagen": AppealStep(
        lambda n: f"decisions/{n}/receipts", "beslut", "Delgivningen är registrerad med sista dag att överklaga.",
        ("recipient", "method", "received_on"),
        lambda f: {"recipient": _text(f, "recipient"), "method": _or_none(_text(f, "method")),
                   "received_on": _or_none(_text(f, "received_on"))},
        (("recipient", "Välj vem som tog emot beslutet."),)),
    "overklagande": AppealStep(
        lambda n: f"decisions/{n}/appeals", "beslut", "Överklagandet är registrerat.",
        ("received_on", "appellants", "asks", "delay_caused_by_school"),
        lambda f: {"received_on": _or_none(_text(f, "received_on")), "appellants": f.getlist("appellants"),
                   "asks": _text(f, "asks"), "delay_caused_by_school": _checked(f, "delay_caused_by_school")},
        (("appellants", "Välj vem som överklagar."),)),
    "anslutning": AppealStep(
        lambda n: f"appeals/{n}/joined", "overklagande", "Den andra vårdnadshavaren står nu bakom överklagandet.",
        ("guardian", "joined_on"),
        lambda f: {"guardian": _text(f, "guardian"), "joined_on": _or_none(_text(f, "joined_on"))},
        (("guardian", "Välj vårdnadshavaren som ansluter sig."),)),
    "en-vardnadshavare": AppealStep(
        lambda n: f"appeals/{n}/one-guardian", "overklagande", "Skälet är antecknat; överklagandet kan prövas.",
        ("reason",), lambda f: {"reason": _text(f, "reason")}),
    "avvisning": AppealStep(
        lambda n: f"appeals/{n}/rejection", "overklagande", "Överklagandet är avvisat. Skicka beslutet om avvisning.",
        ("reasons",), lambda f: {"reasons": _text(f, "reasons")}),
    "omprovning": AppealStep(
        lambda n: f"appeals/{n}/reconsideration", "overklagande", "Beslutet är ändrat genom omprövning.",
        ("kind", "placements", "reasons", "in_full"),
        lambda f: {"kind": _or_none(_text(f, "kind")), "placements": f.getlist("placements"), "reasons": _text(f, "reasons"),
                   "in_full": _checked(f, "in_full")}),
    "overlamning": AppealStep(
        lambda n: f"appeals/{n}/forwarding", "overklagande", "Överklagandet är lämnat till Skolväsendets överklagandenämnd.",
        ("forwarded_on", "comments", "documents"),
        lambda f: {"forwarded_on": _or_none(_text(f, "forwarded_on")), "comments": _text(f, "comments"),
                   "documents": f.getlist("documents")}),
    "namndens-avgorande": AppealStep(
        lambda n: f"appeals/{n}/board", "overklagande", "Nämndens avgörande är registrerat.",
        ("outcome", "decided_on", "reasons", "sent_back_to", "kind", "placements"),
        lambda f: {"outcome": _or_none(_text(f, "outcome")), "decided_on": _or_none(_text(f, "decided_on")),
                   "reasons": _text(f, "reasons"), "sent_back_to": _or_none(_text(f, "sent_back_to")),
                   "kind": _or_none(_text(f, "kind")), "placements": f.getlist("placements")}),
}


def appeal_prefix(name: str, number: int) -> str:
    """The prefix of the fields of step `name`'s form for decision or appeal `number`."""
    return f"{name}{number}-"


async def _appeal_step(request: Request, case_id: UUID, name: str, spec: AppealStep, form: FormData,
                       who: Identity) -> Response:
    number = int(_text(form, "number")) if _text(form, "number").isdigit() else 0
    prefix = appeal_prefix(name, number)
    values = {prefix + field: "" for field in spec.fields}
    values.update({key: ",".join(str(v) for v in form.getlist(key)) for key in form.keys() if key.startswith(prefix)})
    own = FormData([(key[len(prefix):], value) for key, value in form.multi_items() if key.startswith(prefix)])
    body = spec.body(own)
    if _text(form, "expected_version").isdigit():
        body["expected_version"] = int(_text(form, "expected_version"))
    client = cases_client(request, who)
    missing = {prefix + field: message for field, message in spec.chosen if not own.getlist(field) or not any(own.getlist(field))}
    if not number:
        problem, status = FormState(values=values, problem="Formuläret hör inte till något beslut eller överklagande."), 422
    elif missing:  # asked again, nothing sent
        problem, status = FormState(values=values, errors=missing), 422
    else:
        placing = Attempt(refused=lambda v, refusal: at_form_fields(v, refusal, rename=lambda field: prefix + field))
        _, problem, status = await placing(client.step(case_id, spec.path(number), body), values)
    if problem:
        case = await client.case(case_id)
        context = {**step_context(), "case_id": case_id, "case": case, "adaptation": FormState(), "referral_form": FormState(),
                   "parties": await parties_of(request, who, case)}
        context["forms"][prefix] = problem
        return render(request, "case.html", context, blocks=["decision"], status_code=status)
    flash(request, spec.done)
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return go(request, f"/arenden/{case_id}#{'overklagande-' + str(number) if spec.of == 'overklagande' else 'beslut-' + str(number)}")


def _values(form: FormData, step: Step) -> dict[str, str]:
    values = {name: "" for name in step.fields}
    values.update({key: ",".join(str(v) for v in form.getlist(key)) for key in form.keys()})
    return values


@router.post("/arenden/{case_id}/steg/{name}")
async def step(request: Request, case_id: UUID, name: str, who: CurrentUser) -> Response:
    if name in APPEAL_STEPS:
        return await _appeal_step(request, case_id, name, APPEAL_STEPS[name], await request.form(), who)
    spec = STEPS.get(name)
    if spec is None:
        raise NotFound("")
    form = await request.form()
    values = _values(form, spec)
    body = spec.body(form)
    if _text(form, "expected_version").isdigit():
        body["expected_version"] = int(_text(form, "expected_version"))
    client = cases_client(request, who)
    if name == "rattelse" and body["corrects_version"] is None:  # nothing chosen: asked again, nothing sent
        problem, status = FormState(values=values, errors={"field": "Välj vilken uppgift som rättas."}), 422
    else:
        _, problem, status = await attempt(client.step(case_id, spec.path(form), body), values)
    if problem:
        case = await client.case(case_id)
        if spec.block == "correction":
            return await _history_page(request, who, client, case_id, case, problem, status)
        context = {**step_context(), "case_id": case_id, "case": case, "adaptation": FormState(), "referral_form": FormState(),
                   "parties": await parties_of(request, who, case)}
        context["forms"][spec.block] = problem
        return render(request, "case.html", context, blocks=[spec.block], status_code=status)
    flash(request, spec.done)
    if is_htmx(request):
        # The form is on the page to reload; a redirect to the same page and a #fragment would
        # only scroll. The whole page comes back with the new version in every form.
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    target = f"/arenden/{case_id}/historik" if spec.block == "correction" else f"/arenden/{case_id}"
    return go(request, target + (f"#{spec.anchor}" if spec.anchor else ""))


def _names(request: Request, parties: Parties) -> Names:
    """Staff by name (the directory's and the seed file's), units by name, the parties by name."""
    staff, units = request.app.state.staff, request.app.state.organisation.unit_names

    def person(user_id: str) -> str | None:
        known = staff.user(user_id)
        return known.display_name if known else None

    return Names(person=person, unit=units.get, party=parties.label)


async def _history_page(request: Request, who: Identity, client, case_id: UUID, case: dict,
                        form: FormState | None = None, status: int = 200, as_of: str = "", chosen: str = "") -> Response:
    events = await client.history(case_id)
    past = None
    if as_of:
        try:
            past = await client.case_as_of(case_id, as_of)
        except NotFound:
            past = {}
    parties = await parties_of(request, who, case)
    lines = history_lines(events, _names(request, parties))
    choices = correction_choices(case, lines)
    if form is None:  # the field asked for (a whole entry: its first field), with its value now to edit
        chosen = next((c.value for c in choices if c.value == chosen or c.value.startswith(f"{chosen}:")), "") if chosen else ""
        form = FormState(values={"field": chosen, "value": raw_value(case, chosen)} if chosen else {})
    current = next((c for c in choices if c.value == form.values.get("field")), None)
    context = {
        **step_context(), "case_id": case_id, "case": case, "lines": lines, "as_of": as_of, "past": past,
        "correction": form, "choices": choices, "choice_options": [(c.value, c.label) for c in choices],
        "current": current, "parties": parties,
        "correctable_versions": {int(c.value.partition(":")[0]) for c in choices},
    }
    return render(request, "history.html", context, blocks=["correction"], status_code=status)


@router.get("/arenden/{case_id}/historik")
async def history(request: Request, case_id: UUID, who: CurrentUser, per: str = "", field: str = "") -> Response:
    """Every event as a sentence with who and when; the case as it stood at the end of a chosen
    day; and the correction form, with the field asked for (`field`: 'entry:field' or an entry)
    and its value now (htmx asks for the form alone when the choice changes)."""
    client = cases_client(request, who)
    return await _history_page(request, who, client, case_id, await client.case(case_id), as_of=per[:10],
                               chosen=field[:80])


@router.get("/arenden/{case_id}/atgardsprogram")
async def printable_programme(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    """The programme as a public decision (R18): no investigation, no personal identity number;
    the pupil and the guardians by name (the guardians from the directory)."""
    case = await cases_client(request, who).case(case_id, purpose="print")
    if not case.get("programme"):
        raise NotFound("Ärendet har inget åtgärdsprogram.")
    programme = case["programme"]
    decision = case["decisions"][programme["decision_number"] - 1]
    parties = await parties_of(request, who, case)
    context = {**step_context(), "case_id": case_id, "pupil_name": case["pupil_name"], "programme": programme, "decision": decision,
               "guardians": parties.guardians, "parties": parties, "participation": case.get("participation") or [],
               "unit": await school_unit(request, who, programme["school_unit"])}
    return render(request, "programme_print.html", context)
