"""Loggkontroll (R15): the municipality administrator searches the access log by user, by pupil
(personnummer, resolved to the pseudonymous reference by the cases service, where the search
itself is logged), by school unit, period and kind of access, 50 entries a page, and sees each
entry as a Swedish sentence with the pupil's name (or a neutral phrase), unusual access and
refused attempts flagged; the result can be exported as CSV, and the export is logged too.

The form is posted (a personnummer is in no URL); "Föregående" and "Nästa" post it again with
the page asked for. The rules of a period live in the read API (projections.accesslog.period)
and are shown at their fields here."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit import spreadsheet
from eventkit.dates import LOCAL_TIME
from eventkit.identity import Identity
from eventkit.personnummer import NotAPersonnummer, twelve_digits
from frontend.accesslog_labels import KINDS, pupil_words, sentence, what
from frontend.deps import signed_in_as
from frontend.devlogin import role_label
from frontend.forms import FormState
from frontend.records_client import accesslog_client, records_client
from frontend.services_client import Forbidden, NotFound, ServiceRefused, ServiceUnavailable
from frontend.web import render

router = APIRouter()
PAGE_SIZE = 50
EXPORT_MAX = 5000  # rows in one CSV file
API_FIELDS = {"personal_number": "personnummer", "from": "fran", "to": "till", "user": "anvandare",
              "school_unit": "enhet", "kind": "typ"}
FLAG_WORDS = {"refused": "Nekad åtkomst", "outside_usual_units": "Utanför användarens vanliga enheter",
              "many_records": "Många elever på kort tid"}

Administrator = signed_in_as("accesslog.read", "Loggkontrollen är till för kommunens administratör.")


class Refused(Exception):
    """The search cannot be made as asked: the form with its messages."""

    def __init__(self, state: FormState, status: int = 422) -> None:
        self.state, self.status = state, status


def _day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "Ange ett datum (ÅÅÅÅ-MM-DD)."
        return None


def _user_id(request: Request, who: Identity, typed: str) -> str:
    """A user typed as a user name (anna.lind) or as a name (Anna Lind)."""
    wanted = " ".join(typed.split()).casefold()
    for person in request.app.state.staff.users_in(who.municipality):
        if wanted in (person.user_id.casefold(), person.display_name.casefold()):
            return person.user_id
    return typed


def _values(anvandare: str, personnummer: str, enhet: str, fran: str, till: str, typ: str, ovanliga: str) -> dict[str, str]:
    return {"anvandare": anvandare.strip()[:100], "personnummer": personnummer.strip()[:20], "enhet": enhet.strip()[:64],
            "fran": fran.strip()[:10], "till": till.strip()[:10], "typ": typ if typ in KINDS else "",
            "ovanliga": "ja" if ovanliga else ""}


async def _filters(request: Request, who: Identity, values: dict[str, str]) -> dict[str, Any]:
    """The read API's filters for the form's values; Refused with the messages at their fields."""
    state = FormState(values=dict(values))
    since, until = _day(values["fran"], "fran", state.errors), _day(values["till"], "till", state.errors)
    if values["enhet"] and values["enhet"] not in dict(_units(request, who)):
        state.errors["enhet"] = "Välj en av kommunens skolenheter i listan."
    if values["personnummer"]:
        try:
            twelve_digits(values["personnummer"])
        except NotAPersonnummer:
            state.errors["personnummer"] = "Personnumret är inte giltigt – kontrollera datum och kontrollsiffra."
    if state.errors:
        raise Refused(state)
    pupil_ref = None
    try:
        if values["personnummer"]:
            pupil_ref = await records_client(request, who).find_pupil(values["personnummer"])
    except ServiceRefused as refusal:
        errors = {API_FIELDS.get(k, k): v for k, v in refusal.fields.items()}
        raise Refused(FormState(values=values, errors=errors or {"personnummer": refusal.message})) from None
    except NotFound:
        raise Refused(FormState(values=values, errors={"personnummer": (
            "Det finns ingen elev med det personnumret i kommunens register (eller så är elevens uppgifter gallrade).")})) from None
    return {"user": _user_id(request, who, values["anvandare"]) if values["anvandare"] else None,
            "pupil_ref": pupil_ref, "school_unit": values["enhet"] or None,
            "from": since.isoformat() if since else None, "to": until.isoformat() if until else None,
            "kind": values["typ"] or None, "flagged": "true" if values["ovanliga"] else None}


async def _names(request: Request, who: Identity, entries: list[dict[str, Any]], purpose: str = "list") -> dict[str, dict]:
    refs = list(dict.fromkeys(e["pupil_ref"] for e in entries if e.get("pupil_ref")))
    try:
        return await records_client(request, who).log_names(refs, purpose=purpose)
    except (ServiceUnavailable, NotFound, Forbidden):
        if purpose == "export":
            raise
        return {}


def _row(request: Request, entry: dict[str, Any], names: dict[str, dict]) -> dict[str, Any]:
    staff = request.app.state.staff
    at = datetime.fromisoformat(entry["at"]).astimezone(LOCAL_TIME)
    flagged_as = [(flag, words) for flag, words in FLAG_WORDS.items() if entry.get(flag)]
    return {
        **entry, "when": at.strftime("%Y-%m-%d %H:%M"), "moment": at,
        "sentence": sentence(staff.name(entry["user_id"]), entry["role"], entry["action"], entry["resource"],
                             entry.get("outcome", "granted")),
        "user_name": staff.name(entry["user_id"]), "role_words": _role(entry["role"]),
        "what": what(entry["action"], entry["resource"], entry.get("outcome", "granted")),
        "pupil": pupil_words(names.get(entry["pupil_ref"])) if entry.get("pupil_ref") else "–",
        "unit": request.app.state.organisation.unit_name(entry["school_unit"]) if entry.get("school_unit") else "–",
        "flags": [words for _, words in flagged_as], "flagged_as": flagged_as,
    }


def _role(role: str) -> str:
    try:
        return role_label(role)
    except ValueError:
        return "okänd roll"


def _units(request: Request, who: Identity) -> list[tuple[str, str]]:
    return [(code, name) for code, name in request.app.state.organisation.unit_names.items()
            if code.startswith(who.municipality)]


def _context(request: Request, who: Identity, state: FormState, **more: Any) -> dict[str, Any]:
    units = [("", "Alla skolenheter"), *_units(request, who)]
    return {"form": state, "entries": None, "units": units, "kinds": [("", "Alla slag")] + list(KINDS.items()), **more}


@router.get("/loggkontroll")
async def form(request: Request, who: Administrator) -> Response:
    return render(request, "loggkontroll.html", _context(request, who, FormState()))


def _refused_by_the_log(request: Request, who: Identity, values: dict[str, str], refusal: ServiceRefused) -> Response:
    """The read API's 422 (a period it will not search), at the field it names."""
    errors = {API_FIELDS.get(k, k): v for k, v in refusal.fields.items()}
    state = FormState(values=values, errors=errors, problem=None if errors else refusal.message)
    return render(request, "loggkontroll.html", _context(request, who, state), status_code=422)


@router.post("/loggkontroll")
async def search(
    request: Request, who: Administrator, anvandare: str = Form(""), personnummer: str = Form(""), enhet: str = Form(""),
    fran: str = Form(""), till: str = Form(""), typ: str = Form(""), ovanliga: str = Form(""), sida: int = Form(1, ge=1, le=200_000),
) -> Response:
    values = _values(anvandare, personnummer, enhet, fran, till, typ, ovanliga)
    try:
        filters = await _filters(request, who, values)
        answer = await accesslog_client(request, who).search(**filters, limit=PAGE_SIZE, offset=(sida - 1) * PAGE_SIZE)
    except Refused as refused:
        return render(request, "loggkontroll.html", _context(request, who, refused.state), status_code=refused.status)
    except ServiceRefused as refusal:
        return _refused_by_the_log(request, who, values, refusal)
    except ServiceUnavailable:
        state = FormState(values=values, problem="Loggkontrollen går inte att nå just nu. Försök igen om en stund.")
        return render(request, "loggkontroll.html", _context(request, who, state), status_code=503)
    names = await _names(request, who, answer["entries"])
    rows = [_row(request, e, names) for e in answer["entries"]]
    total, first = answer.get("total", len(rows)), (sida - 1) * PAGE_SIZE
    return render(request, "loggkontroll.html", _context(
        request, who, FormState(values=values), entries=rows, total=total, page=sida,
        first=first + 1 if rows else 0, last=first + len(rows), previous=sida - 1 if sida > 1 else None,
        next=sida + 1 if first + len(rows) < total else None, thresholds=answer.get("thresholds", {}),
        flagged=sum(1 for r in rows if r["flags"]),
    ))


COLUMNS = [
    spreadsheet.Column("Tid", "moment"), spreadsheet.Column("Användare", "user_name"),
    spreadsheet.Column("Roll", "role_words"), spreadsheet.Column("Vad", "what"), spreadsheet.Column("Elev", "pupil"),
    spreadsheet.Column("Skolenhet", "unit"), spreadsheet.Column("Ovanligt", "flags"),
]


@router.post("/loggkontroll/export")
async def export(
    request: Request, who: Administrator, anvandare: str = Form(""), personnummer: str = Form(""), enhet: str = Form(""),
    fran: str = Form(""), till: str = Form(""), typ: str = Form(""), ovanliga: str = Form(""),
) -> Response:
    """The whole filtered result (at most EXPORT_MAX rows) as CSV; the export is access-logged
    by the cases service as it names the pupils in it (R15), before the file is sent."""
    values = _values(anvandare, personnummer, enhet, fran, till, typ, ovanliga)
    try:
        filters = await _filters(request, who, values)
        entries: list[dict[str, Any]] = []
        while len(entries) < EXPORT_MAX:
            page = await accesslog_client(request, who).search(**filters, limit=500, offset=len(entries))
            entries += page["entries"]
            if len(entries) >= page.get("total", 0) or not page["entries"]:
                break
        names: dict[str, dict] = {}
        refs = list(dict.fromkeys(e["pupil_ref"] for e in entries if e.get("pupil_ref")))
        for start in range(0, max(len(refs), 1), 100):  # at least once: the export itself is logged
            names.update(await records_client(request, who).log_names(refs[start:start + 100], purpose="export"))
    except Refused as refused:
        return render(request, "loggkontroll.html", _context(request, who, refused.state), status_code=refused.status)
    except ServiceRefused as refusal:
        return _refused_by_the_log(request, who, values, refusal)
    except (ServiceUnavailable, NotFound, Forbidden):
        state = FormState(values=values, problem="Exporten kunde inte göras just nu (och loggades inte). Försök igen om en stund.")
        return render(request, "loggkontroll.html", _context(request, who, state), status_code=503)
    rows = [_row(request, e, names) for e in entries]
    return Response(spreadsheet.csv_text(COLUMNS, rows), media_type=spreadsheet.MEDIA_TYPE,
                    headers=spreadsheet.attachment("loggkontroll.csv"))
