"""What the decision letters say (issue 16, FL 33 §, 44 §, 45 §; skollagen 3 kap. 9, 11, 12 §§,
28 kap. 16 §): the school unit with its postal address from the register, the words of each kind
of decision, who decided, and the appeal with its last day per recipient. The route module
(frontend/routes/letters.py) and the programme's print view ask the directory for the unit;
everything else here is made from the case as the cases service answers it, so the templates
can be rendered from a case dict alone (the tests do).

The letter goes to the family: it names the guardians and the pupil, with the pupil's
personnummer, as a decision letter to the party does (the board's appeal asks for it); the
programme's print view (a public decision, R18) does not carry it.

Until the appeal domain's fields are in every case, `deliveries` and `appeals` may be missing:
a decision delivered as a whole has only `delivered_on` and `appeal_last_day`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from eventkit.identity import Identity
from eventkit.vocabulary import labels as vocabulary_labels
from frontend.directory_client import DirectoryClient
from frontend.parties import Parties
from frontend.services_client import Forbidden, IdentityNotAccepted, NotFound, ServiceRefused, ServiceUnavailable

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

# The words of each decision, as "… har beslutat att …" goes on (the pupil's name is filled in).
DECISION_WORDS = {
    "establish_programme": "ett åtgärdsprogram ska utarbetas för {pupil}",
    "no_programme": "inte utarbeta något åtgärdsprogram för {pupil}",
    "continue_with_new_measures": "åtgärdsprogrammet för {pupil} ska fortsätta med nya åtgärder",
    "close_programme": "avsluta åtgärdsprogrammet för {pupil}",
}
PLACEMENT_WORDS = {
    "special_teaching_group": "{pupil} ska få sin undervisning i en särskild undervisningsgrupp",
    "individual_tuition": "{pupil} ska få enskild undervisning",
    "adapted_study_path": "{pupil} ska ha en anpassad studiegång",
}
TITLES = {
    "establish_programme": "Beslut om åtgärdsprogram",
    "no_programme": "Beslut att inte utarbeta åtgärdsprogram",
    "continue_with_new_measures": "Beslut om nya åtgärder i åtgärdsprogrammet",
    "close_programme": "Beslut att avsluta åtgärdsprogrammet",
}
PLACEMENT_TITLES = {
    "special_teaching_group": "särskild undervisningsgrupp",
    "individual_tuition": "enskild undervisning",
    "adapted_study_path": "anpassad studiegång",
}
KIND_LAW = "skollagen 3 kap. 9 §"
PLACEMENT_LAW = {"special_teaching_group": "3 kap. 11 §", "individual_tuition": "3 kap. 11 §",
                 "adapted_study_path": "3 kap. 12 §"}
# How a decision reached its recipient (the cases service's DeliveryMethod; kept here until its
# vocabulary is published in contracts/).
# How a decision reached a recipient, in the letter's words (the cases service's DeliveryMethod list).
METHOD_WORDS = {value: label[0].lower() + label[1:] for value, label in vocabulary_labels("DeliveryMethod").items()}

NO_DECISION = "Beslutet finns inte i ärendet."
NOT_APPEALABLE = "Beslutet kan inte överklagas, så det har inget beslutsbrev med besked om hur man överklagar."
NO_APPEAL = "Överklagandet finns inte i ärendet."
NOT_REJECTED = "Överklagandet har inte avvisats, så det finns inget avvisningsbeslut att skriva ut."


@dataclass(frozen=True)
class SchoolUnit:
    """The unit a letter comes from: its name and postal address lines as the register gives them."""
    code: str
    name: str
    address: tuple[str, ...] = field(default_factory=tuple)

    @property
    def one_line(self) -> str:
        return ", ".join((self.name, *self.address))


def address_lines(address: dict[str, Any] | None) -> tuple[str, ...]:
    """'Sveavägen 8', '113 50 Stockholm' from the directory's {street_address, postal_code, locality}."""
    address = address or {}
    town = " ".join(str(address[k]).strip() for k in ("postal_code", "locality") if str(address.get(k) or "").strip())
    street = str(address.get("street_address") or "").strip()
    return tuple(line for line in (street, town) if line)


async def school_unit(request: Request, who: Identity, code: str) -> SchoolUnit:
    """The unit by the register's name and postal address; its name alone (from the organisation
    file) when the directory does not answer or does not know it."""
    fallback = SchoolUnit(code, request.app.state.organisation.unit_name(code))
    try:
        units = await DirectoryClient.for_user(request, who).units()
    except (NotFound, Forbidden, ServiceRefused, ServiceUnavailable, IdentityNotAccepted) as exc:
        log.warning("directory: school unit address not read (%s)", type(exc).__name__)
        return fallback
    found = next((u for u in units if u.get("code") == code), None)
    if found is None:
        return fallback
    return SchoolUnit(code, str(found.get("name") or fallback.name), address_lines(found.get("address")))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def decided_by(person, decision: dict[str, Any]) -> str:
    """'Rolf Ek, rektor' or 'Sara Berg enligt rektors delegation nr 3' (`person`: user id → name)."""
    name = person(decision.get("decided_by") or "")
    if decision.get("by_board"):
        return "Skolväsendets överklagandenämnd"
    if decision.get("delegation_number"):
        return f"{name} enligt rektors delegation nr {decision['delegation_number']}"
    return f"{name}, rektor"


def subject(person, decision: dict[str, Any]) -> str:
    """Who decided, as a sentence begins: 'Rektor Rolf Ek' or 'Sara Berg, med rektors delegation nr 3,'."""
    if decision.get("by_board"):
        return "Skolväsendets överklagandenämnd"
    name = person(decision.get("decided_by") or "")
    number = decision.get("delegation_number")
    return f"{name}, med rektors delegation nr {number}," if number else f"Rektor {name}"


def signer_title(decision: dict[str, Any]) -> str:
    """What follows the signer's name: ', rektor' or ' enligt rektors delegation nr 3'."""
    number = decision.get("delegation_number")
    return f" enligt rektors delegation nr {number}" if number else ", rektor"


def deliveries_of(decision_or_rejection: dict[str, Any], parties: Parties) -> list[dict[str, str]]:
    """Each recipient's day of receipt and last day to appeal, in words ('Vårdnadshavarna Anna …',
    'med post'); one line for a decision delivered as a whole (before deliveries per recipient)."""
    found = []
    for d in decision_or_rejection.get("deliveries") or []:
        found.append({"who": parties.label(str(d.get("recipient") or "guardians")),
                      "method": METHOD_WORDS.get(d.get("method") or "", ""),
                      "received_on": d.get("received_on"), "last_day": d.get("last_day_to_appeal")})
    if not found and decision_or_rejection.get("delivered_on"):
        found.append({"who": parties.label("guardians"), "method": "",
                      "received_on": decision_or_rejection.get("delivered_on"),
                      "last_day": decision_or_rejection.get("appeal_last_day")})
    return found


def _addressed(parties: Parties, pupil: str) -> dict[str, Any]:
    one = len(parties.guardians) == 1
    return {"to": f"Till {'vårdnadshavaren' if one else 'vårdnadshavarna'} för {pupil}",
            "guardians": list(parties.guardians)}


def decision_letter(case: dict[str, Any], number: int, unit: SchoolUnit, parties: Parties, person) -> dict[str, Any]:
    """The decision letter's context; NotFound (in Swedish) for a decision that is not there or
    cannot be appealed."""
    decisions = case.get("decisions") or []
    if not 1 <= number <= len(decisions):
        raise NotFound(NO_DECISION)
    decision = decisions[number - 1]
    if not decision.get("appealable"):
        raise NotFound(NOT_APPEALABLE)
    pupil = case.get("pupil_name") or parties.pupil or "eleven"
    kind, placements = decision.get("kind") or "", list(decision.get("placements") or [])
    what = [DECISION_WORDS[kind].format(pupil=pupil)] if kind in DECISION_WORDS else []
    what += [PLACEMENT_WORDS[p].format(pupil=pupil) for p in placements if p in PLACEMENT_WORDS]
    title = TITLES.get(kind, "Beslut")
    if placements:
        title += " och " + _and([PLACEMENT_TITLES[p] for p in placements if p in PLACEMENT_TITLES])
    laws = [KIND_LAW, *(f"skollagen {PLACEMENT_LAW[p]}" for p in placements if p in PLACEMENT_LAW)]
    programme = case.get("programme")
    if not programme or not decision.get("programme_number") or programme.get("number") != decision.get("programme_number"):
        programme = None
    return {
        "letter_title": title, "unit": unit, "letter_date": decision.get("decided_on"),
        "addressed": _addressed(parties, pupil), "pupil_name": pupil,
        "pupil_personal_number": case.get("pupil_personal_number") or "",
        "decision": decision, "what": _and([f"att {w}" for w in what]) if what else "", "laws": _and(sorted(set(laws), key=laws.index)),
        "decided_by": decided_by(person, decision), "subject": subject(person, decision), "signer": person(decision.get("decided_by") or ""),
        "signer_title": signer_title(decision),
        "programme": programme, "programme_expected": kind in ("establish_programme", "continue_with_new_measures"),
        "deliveries": deliveries_of(decision, parties),
    }


def rejection_letter(case: dict[str, Any], number: int, unit: SchoolUnit, parties: Parties, person) -> dict[str, Any]:
    """The letter of a decision to reject a late appeal (FL 45 §); NotFound when the appeal is not
    there or was not rejected."""
    appeals = case.get("appeals") or []
    if not 1 <= number <= len(appeals):
        raise NotFound(NO_APPEAL)
    appeal = appeals[number - 1]
    rejection = appeal.get("rejection")
    if not rejection:
        raise NotFound(NOT_REJECTED)
    decisions = case.get("decisions") or []
    n = appeal.get("decision_number") or 0
    appealed = decisions[n - 1] if 1 <= n <= len(decisions) else {}
    pupil = case.get("pupil_name") or parties.pupil or "eleven"
    appellants = [_lower_first(parties.label(str(a))) for a in appeal.get("appellants") or []]
    return {
        "letter_title": "Beslut att avvisa överklagande", "unit": unit, "letter_date": rejection.get("decided_on"),
        "addressed": {"to": "Till " + _and(appellants) if appellants else _addressed(parties, pupil)["to"],
                      "guardians": [] if appellants else list(parties.guardians)},
        "pupil_name": pupil, "pupil_personal_number": case.get("pupil_personal_number") or "",
        "appeal": appeal, "rejection": rejection, "appealed": appealed,
        "appealed_title": _lower_first(TITLES.get(appealed.get("kind") or "", "beslut")) if appealed else "beslut",
        "decided_by": decided_by(person, rejection), "subject": subject(person, rejection), "signer": person(rejection.get("decided_by") or ""),
        "signer_title": signer_title(rejection),
        "deliveries": deliveries_of(rejection, parties),
    }


# -- the PDF -------------------------------------------------------------------------------------
def static_file(url: str) -> Path | None:
    """The frontend's own static file a letter links to (its stylesheet), or None for anything
    else: the PDF is drawn without fetching from the network or the disk beyond static/."""
    path = urlsplit(url).path
    if not path.startswith("/static/"):
        return None
    candidate = (STATIC / path.removeprefix("/static/")).resolve()
    return candidate if candidate.is_file() and STATIC in candidate.parents else None


def pdf_of(html: str) -> bytes:
    """The letter's HTML as a PDF, drawn by WeasyPrint with the page's print CSS."""
    import weasyprint  # imported on first use: the frontend starts without it
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_file(url)
            if found is None:
                raise ValueError("a letter's PDF fetches only the frontend's static files")
            kind = {".css": "text/css", ".svg": "image/svg+xml"}.get(found.suffix, "application/octet-stream")
            return URLFetcherResponse(url, body=found.read_bytes(), headers={"Content-Type": kind})

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint.HTML(string=html, base_url="http://stodspar.invalid/", url_fetcher=StaticOnly()).write_pdf()
