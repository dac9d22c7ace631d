"""The pupil's support case: open it for a pupil chosen from the directory (one open case per
pupil and unit; rektor may register a pupil the register lacks), record extra adaptations
(R1), refer to rektor (R2)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit.identity import Identity, Role
from eventkit.vocabulary import labels
from frontend.actions import Attempt, go
from frontend.deps import CaseWorker, CurrentUser
from frontend.directory_client import DIRECTORY_DOWN, SEARCH_MIN_CHARS, DirectoryClient
from frontend.forms import FormState
from frontend.parties import Parties, parties_of
from frontend.services_client import CasesClient, Forbidden, ServiceRefused, ServiceUnavailable
from frontend.web import cases_client, first_unit, flash, is_htmx, own_unit, render
from frontend.workflow_labels import step_context

router = APIRouter()

# Where a broken rule's message belongs when it is about one field (by the rule's name).
RULE_FIELDS = {"ExtraAdaptationNeedsOneShortDescription": "description"}
attempt = Attempt(lambda values, refusal: FormState.refused(values, refusal, RULE_FIELDS))


# -- open a case: choose the pupil -------------------------------------------------------------
OPENED = "Elevärendet är öppnat. Skriv upp extra anpassningar nedan, eller anmäl till rektor."
ALREADY_OPEN = "Eleven har redan ett öppet ärende på skolenheten. Här är det."
REGISTRATION_FIELDS = ("school_unit", "personal_number", "given_name", "family_name", "class_name", "reason")
ALREADY_REGISTERED = "Eleven finns redan i elevregistret. Sök fram eleven ovan och öppna ärendet därifrån."
registering = Attempt(unavailable=DIRECTORY_DOWN)
# The choice has no field of its own to stand at: a refusal's messages are said above the pupils.
# 409: the pupil has an open case at the unit the user may not see (protected identity, R14).
choosing = Attempt(lambda values, refusal: FormState(
    values=dict(values), rule=refusal.rule,
    problem=" ".join(dict.fromkeys(refusal.fields.values())) or refusal.message),
    conflict="Eleven har redan ett öppet ärende på skolenheten, som du inte har behörighet till. Kontakta rektor.")


def registration_reasons() -> dict[str, str]:
    """Why rektor registers a pupil the register lacks: the directory's vocabulary, in Swedish."""
    return labels("LocalRegistrationReason")


def _new_case_page(
    request: Request, who: Identity, *, search: FormState | None = None, pupils: list[dict] | None = None,
    choice: FormState | None = None, registration: FormState | None = None, blocks: list[str] | None = None,
    status: int = 200,
) -> Response:
    is_rektor = who.role is Role.REKTOR
    context = {
        "search": search or FormState(values={"school_unit": first_unit(who)}),
        "pupils": pupils,
        "choice": choice or FormState(),
        "units": who.school_units,
        "can_register": is_rektor,
        "registration": registration or FormState(values={"school_unit": first_unit(who)}),
        "reasons": list(registration_reasons().items()) if is_rektor else [],
    }
    return render(request, "case_new.html", context, blocks=blocks or [], status_code=status)


@router.get("/arenden/nytt")
async def new_case(request: Request, who: CaseWorker, q: str = "", school_unit: str = "") -> Response:
    """The page, or (htmx, as the user types) the pupils found: name, class and birth date,
    never the personnummer; within the user's own units, as the directory decides (R14)."""
    unit = own_unit(who, school_unit)
    search = FormState(values={"q": q, "school_unit": unit})
    pupils = None
    if len(q.strip()) >= SEARCH_MIN_CHARS:
        try:
            pupils = await DirectoryClient.for_user(request, who).pupils(q.strip(), school_unit=unit or None)
        except ServiceUnavailable:
            search.problem = DIRECTORY_DOWN
        except ServiceRefused as refusal:
            search.errors["q"] = refusal.fields.get("q") or refusal.message
    return _new_case_page(request, who, search=search, pupils=pupils, blocks=["pupil_results"])


async def _open(request: Request, who: Identity, school_unit: str, pupil_id: str) -> tuple[Response | None, FormState | None, int]:
    """Open (or find) the case; on success the browser goes to it."""
    values = {"school_unit": school_unit, "pupil_id": pupil_id}
    opened, problem, status = await choosing(cases_client(request, who).open_case(**values), values)
    if problem:
        problem.conflict = False  # nothing to reload: the other case is not the user's to see
        return None, problem, status
    case_id, existing = opened
    flash(request, ALREADY_OPEN if existing else OPENED)
    return go(request, f"/arenden/{case_id}"), None, 200


@router.post("/arenden")
async def open_case(request: Request, who: CaseWorker, school_unit: str = Form(""), pupil_id: str = Form("")) -> Response:
    search = FormState(values={"school_unit": school_unit})
    if not pupil_id:
        search.problem = "Välj eleven i listan: sök på namn, klass eller personnummer."
        return _new_case_page(request, who, search=search, blocks=["pupil_results"], status=422)
    done, problem, status = await _open(request, who, school_unit, pupil_id)
    if done:
        return done
    return _new_case_page(request, who, search=search, choice=problem, blocks=["pupil_results"], status=status)


@router.post("/arenden/elev-saknas")
async def register_missing_pupil(request: Request, who: CurrentUser) -> Response:
    """Rektor registers a pupil the register does not know yet (with a reason), then the case
    opens for that pupil. The form's key makes a double submit register and open once."""
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in REGISTRATION_FIELDS}
    if who.role is not Role.REKTOR:
        raise Forbidden("Bara rektor kan registrera en elev som saknas i elevregistret.")
    body = dict(values)
    pupil_id, problem, status = await registering(DirectoryClient.for_user(request, who).register_pupil(body), values)
    if problem and problem.conflict:
        problem = FormState(values=values, errors={"personal_number": ALREADY_REGISTERED})
    if problem:
        return _new_case_page(request, who, registration=problem, blocks=["registration_form"], status=status)
    done, problem, status = await _open(request, who, values["school_unit"], str(pupil_id))
    if done:
        return done
    return _new_case_page(request, who, registration=FormState(values=values, problem=problem.problem),
                          blocks=["registration_form"], status=status)


# -- the case page ---------------------------------------------------------------------------
def _case_page(
    request: Request,
    case_id: UUID,
    case: dict[str, Any] | None,
    *,
    adaptation: FormState | None = None,
    referral: FormState | None = None,
    blocks: list[str] | None = None,
    status: int = 200,
    announce: str | None = None,
    refresh_lists: bool = False,
    parties: Parties | None = None,
) -> Response:
    context = {
        **step_context(),
        "case_id": case_id,
        "case": case,
        "parties": parties or Parties(pupil=(case or {}).get("pupil_name") or ""),
        "adaptation": adaptation or FormState(),
        "referral_form": referral or FormState(),
        # After an htmx save: the list and the referral form's hint are swapped out of band.
        "oob": refresh_lists,
        "announce": announce,
    }
    return render(request, "case.html", context, blocks=blocks or [], status_code=status)


async def _case_if_reachable(client: CasesClient, case_id: UUID) -> dict[str, Any] | None:
    try:
        return await client.case(case_id)
    except ServiceUnavailable:
        return None


@router.get("/arenden/{case_id}")
async def case_page(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    case = await cases_client(request, who).case(case_id)
    return _case_page(request, case_id, case, parties=await parties_of(request, who, case))


@router.post("/arenden/{case_id}/anpassningar")
async def record_extra_adaptation(
    request: Request, case_id: UUID, who: CurrentUser, description: str = Form("")
) -> Response:
    """R1: one short field, no approval step; the teacher decides."""
    client = cases_client(request, who)
    values = {"description": description}
    _, problem, status = await attempt(client.record_extra_adaptation(case_id, description), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, adaptation=problem, blocks=["adaptation_form"], status=status)
    saved = f"Den extra anpassningen är sparad: {description.strip()}"
    if not is_htmx(request):
        flash(request, saved)
        return go(request, f"/arenden/{case_id}#extra-anpassningar")
    case = await client.case(case_id)
    blocks = ["adaptation_form", "adaptation_list"]
    if case["referral"] is None:
        blocks.append("tried_hint")  # the referral form's hint lists the adaptations
    return _case_page(
        request, case_id, case, adaptation=FormState(done=saved), blocks=blocks, announce=saved, refresh_lists=True
    )


@router.post("/arenden/{case_id}/anmalan")
async def refer_to_rektor(
    request: Request,
    case_id: UUID,
    who: CurrentUser,
    tried_adaptations: str = Form(""),
    why_not_enough: str = Form(""),
    special_reason: str = Form(""),
) -> Response:
    """R2: tried adaptations and why they are not enough, or a special reason to refer directly."""
    client = cases_client(request, who)
    values = {
        "tried_adaptations": tried_adaptations,
        "why_not_enough": why_not_enough,
        "special_reason": special_reason,
    }
    _, problem, status = await attempt(client.refer_to_rektor(case_id, **values), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, referral=problem, blocks=["referral"], status=status)
    sent = "Anmälan är skickad till rektor."
    if not is_htmx(request):
        flash(request, sent)
        return go(request, f"/arenden/{case_id}#anmalan")
    case = await client.case(case_id)
    # The focus moves to the confirmation (autofocus), which reads it out; no live announcement.
    return _case_page(request, case_id, case, referral=FormState(done=sent), blocks=["referral"])
