"""The special educator's documentation of interventions (seed §6, §8): record, list, correct
and withdraw (R16), the overview for the school's development work, and the fragment on the
pupil's case page. Rektor reads; the special educator writes; the service decides."""
from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eventkit import authz
from eventkit.dates import local_today
from eventkit.identity import Identity
from frontend import charts
from frontend.actions import Attempt, go
from frontend.deps import CurrentUser
from frontend.documentation_client import documentation_client
from frontend.documentation_labels import FACTORS, KINDS, LEVELS
from frontend.forms import FormState, at_form_fields
from frontend.services_client import Forbidden, NotFound, ServiceRefused, ServiceUnavailable
from frontend.web import cases_client, first_unit, flash, own_unit, render

router = APIRouter()
CONTENT = ("kind", "performed_on", "minutes", "hinders_note", "supports_note", "description", "group")


def _require_reader(who: Identity) -> None:
    if not authz.allows(who, "documentation.read"):
        raise Forbidden("Dokumentationen av specialpedagogiska insatser är för specialpedagoger och rektor.")


def _refused(values: dict[str, str], refusal: ServiceRefused) -> FormState:
    """The service's field names (hinders.0, case_id …) onto the form's; no case chosen: the
    answer is to start from the pupil's case (the level field)."""
    return at_form_fields(values, refusal, lambda name: "level" if name == "case_id" and "case_id" not in values else name)


def _withdrawal_refused(values: dict[str, str], refusal: ServiceRefused) -> FormState:
    """A withdrawal has one field, its reason (R16): the rule's message stands there."""
    state = _refused(values, refusal)
    if "reason" in state.errors or state.rule == "R16":
        state.errors = {"withdraw_reason": state.errors.pop("reason", None) or state.problem or ""}
        state.problem = None
    return state


attempt = Attempt(_refused, conflict=(
    "Någon annan har sparat insatsen efter att du öppnade sidan, så inget sparades nu. "
    "Ladda om sidan och gör ändringen igen."))
attempt_withdrawal = replace(attempt, refused=_withdrawal_refused)


async def _content(request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's values (to show again) and the body for the service."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in (*CONTENT, "school_unit", "level", "case_id", "reason",
                                                      "attach_to_investigation", "expected_version")}
    hinders, supports = [str(v) for v in form.getlist("hinders")], [str(v) for v in form.getlist("supports")]
    values.update(hinders=",".join(hinders), supports=",".join(supports))
    body: dict[str, Any] = {key: values[key] for key in CONTENT}
    body.update(hinders=hinders, supports=supports, performed_on=values["performed_on"] or None)
    body["minutes"] = values["minutes"].strip()
    return values, body


# -- the list -------------------------------------------------------------------------------------
@router.get("/dokumentation")
async def interventions(request: Request, who: CurrentUser, enhet: str = "", termin: str = "", niva: str = "",
                        slag: str = "") -> Response:
    _require_reader(who)
    filters = {"school_unit": own_unit(who, enhet, first_by_default=False), "term": termin,
               "level": niva if niva in LEVELS else "", "kind": slag if slag in KINDS else ""}
    answer = await documentation_client(request, who).interventions({k: v for k, v in filters.items() if v})
    return render(request, "documentation_list.html", {
        "rows": answer["rows"], "terms": answer["terms"], "filters": filters, "units": who.school_units,
        "may_record": authz.allows(who, "documentation.write"),
    }, blocks=["results"])


# -- record -----------------------------------------------------------------------------------------
def _new_page(request: Request, who: Identity, form: FormState, case: dict[str, Any] | None = None,
              status: int = 200) -> Response:
    return render(request, "documentation_new.html", {"form": form, "units": who.school_units, "case": case},
                  blocks=["intervention_form"], status_code=status)


async def _case_for_form(request: Request, who: Identity, case_id: str) -> dict[str, Any] | None:
    try:
        return await cases_client(request, who).case(UUID(case_id)) if case_id else None
    except (ValueError, NotFound, Forbidden, ServiceUnavailable):
        return None


@router.get("/dokumentation/ny")
async def new_intervention(request: Request, who: CurrentUser, arende: str = "", bifoga: str = "") -> Response:
    if not authz.allows(who, "documentation.write"):
        raise Forbidden("Det är specialpedagogen eller specialläraren som dokumenterar insatserna.")
    case = await _case_for_form(request, who, arende)
    values = {"school_unit": case["school_unit"] if case else first_unit(who),
              "performed_on": local_today().isoformat(), "level": "individual" if case else "group",
              "case_id": case["case_id"] if case else "", "kind": "pedagogical_assessment" if bifoga else "",
              "attach_to_investigation": "ja" if bifoga and case else ""}
    return _new_page(request, who, FormState(values=values), case)


@router.post("/dokumentation")
async def record(request: Request, who: CurrentUser) -> Response:
    values, body = await _content(request)
    body.update(school_unit=values["school_unit"], level=values["level"] or None,
                attach_to_investigation=values["attach_to_investigation"] == "ja")
    if values["case_id"]:
        body["case_id"] = values["case_id"]
    case = await _case_for_form(request, who, values["case_id"])
    if values["case_id"] and case is None:
        values["case_id"] = ""
    if not values["case_id"]:
        values.pop("case_id")  # a missing case is answered at the level field
    intervention_id, problem, status = await attempt(documentation_client(request, who).record(body), values)
    if problem:
        return _new_page(request, who, problem, case, status)
    flash(request, "Insatsen är dokumenterad.")
    return go(request, f"/arenden/{values['case_id']}#dokumentation" if case else f"/dokumentation/{intervention_id}")


# -- the development overview (seed §8) ------------------------------------------------------------
@router.get("/dokumentation/utveckling")
async def development(request: Request, who: CurrentUser, enhet: str = "", termin: str = "") -> Response:
    _require_reader(who)
    unit = own_unit(who, enhet)
    if not unit:
        raise Forbidden("Du har ingen skolenhet.")
    overview = await documentation_client(request, who).overview(unit, {"term": termin} if termin else {})
    level_rows = [(LEVELS[k], v["count"]) for k, v in overview["by_level"].items()]
    kind_rows = [(KINDS[k], v["count"]) for k, v in overview["by_kind"].items()]
    hinder_rows = [(FACTORS.get(k, k), n) for k, n in overview["hinders"]]
    support_rows = [(FACTORS.get(k, k), n) for k, n in overview["supports"]]
    return render(request, "documentation_overview.html", {
        "o": overview, "unit": unit, "units": who.school_units,
        "charts": {
            "levels": charts.bars(level_rows, "Insatser per nivå", empty="Inga insatser"),
            "kinds": charts.bars(kind_rows, "Insatser per slag", empty="Inga insatser"),
            "hinders": charts.bars(hinder_rows, "Hinder som återkommer", empty="Inga hinder dokumenterade"),
            "supports": charts.bars(support_rows, "Stöd som återkommer", empty="Inga stöd dokumenterade"),
            "terms": charts.columns([(t["term"], t["count"]) for t in overview["by_term"]], "Insatser per termin",
                                    empty="Inga insatser"),
        },
    })


# -- one intervention: details, correction and withdrawal (R16) -----------------------------------
def _detail_page(request: Request, who: Identity, item: dict[str, Any], correction: FormState | None = None,
                 withdrawal: FormState | None = None, status: int = 200) -> Response:
    if correction is None:
        values = {key: str(item.get(key) or "") for key in CONTENT}
        values.update(hinders=",".join(item["hinders"]), supports=",".join(item["supports"]))
        correction = FormState(values=values)
    return render(request, "documentation_detail.html", {
        "i": item, "form": correction, "withdrawal": withdrawal or FormState(),
        "may_correct": authz.allows(who, "documentation.write") and not item["withdrawn"],
    }, status_code=status)


@router.get("/dokumentation/{intervention_id}")
async def intervention(request: Request, intervention_id: UUID, who: CurrentUser) -> Response:
    _require_reader(who)
    return _detail_page(request, who, await documentation_client(request, who).intervention(str(intervention_id)))


@router.post("/dokumentation/{intervention_id}/rattelse")
async def correct(request: Request, intervention_id: UUID, who: CurrentUser) -> Response:
    _require_reader(who)
    values, body = await _content(request)
    body.update(reason=values["reason"], expected_version=values["expected_version"] or None)
    return await _act(request, who, intervention_id, "corrections", body, values, attempt, form="correction",
                      done="Rättelsen är sparad. Det som stod tidigare finns kvar i historiken.")


@router.post("/dokumentation/{intervention_id}/makulering")
async def withdraw(request: Request, intervention_id: UUID, who: CurrentUser) -> Response:
    _require_reader(who)
    form = await request.form()
    values = {"withdraw_reason": str(form.get("withdraw_reason", "")), "expected_version": str(form.get("expected_version", ""))}
    body = {"reason": values["withdraw_reason"], "expected_version": values["expected_version"] or None}
    return await _act(request, who, intervention_id, "withdrawal", body, values, attempt_withdrawal, form="withdrawal",
                      done="Insatsen är makulerad. Den finns kvar i historiken men räknas inte längre.")


async def _act(request: Request, who: Identity, intervention_id: UUID, what: str, body: dict[str, Any],
               values: dict[str, str], run: Attempt, *, form: str, done: str) -> Response:
    """A correction or a withdrawal: refused, the intervention's page again with the messages in
    `form`; done, back to the page with `done` said."""
    client = documentation_client(request, who)
    _, problem, status = await run(client.act(str(intervention_id), what, body), values)
    if problem:
        return _detail_page(request, who, await client.intervention(str(intervention_id)), status=status,
                            **{form: problem})
    flash(request, done)
    return go(request, f"/dokumentation/{intervention_id}")


# -- on the pupil's case page ------------------------------------------------------------------------------
@router.get("/arenden/{case_id}/dokumentation")
async def case_documentation(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    """Loaded into the case page by htmx (and a page of its own without JavaScript). Shows
    nothing to those who may not see the documentation."""
    part = request.query_params.get("del", "")
    linked: dict[str, Any] | None = None
    unavailable = False
    if authz.allows(who, "documentation.read"):
        try:
            linked = await documentation_client(request, who).for_case(str(case_id))
        except (NotFound, Forbidden):
            linked = None
        except ServiceUnavailable:
            unavailable = True
    block = "investigation_documentation" if part == "utredning" else "case_documentation"
    return render(request, "case_documentation.html", {
        "case_id": case_id, "linked": linked, "unavailable": unavailable,
        "may_record": authz.allows(who, "documentation.write"),
    }, blocks=[block])
