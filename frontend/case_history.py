"""The support case's history as a person would write it (Historik): one Swedish sentence per
event, with staff by name, dates in words, the parts by their labels, the rule the step
followed (its id in docs/rules.md and the law where there is one), and each correction with
what stood before and what stands after. No I/O: names come in as functions (`Names`), the
events as the cases service's timeline (GET /cases/{id}/history).

Every event type the SupportCase aggregate stores has its sentence in `SENTENCES` (a unit test
enumerates the aggregate's event classes); a value the page cannot name (a code it does not
know, a text gone with the pupil's disposal) reads as a Swedish phrase, never as the code."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

from eventkit.dates import LOCAL_TIME, swedish
from frontend.workflow_labels import (
    CORRECTABLE_LABELS,
    CORRECTION_FIELD_LABELS,
    DATE_FIELDS,
    DECISION_LABELS,
    EVENT_LAW,
    EVENT_RULES,
    INVESTIGATION_LABELS,
    LAW,
    PLACEMENT_LABELS,
    PLACEMENT_LAW,
    TEACHERS,
)

GONE = "texten finns inte kvar"  # a free text emptied by disposal (R17), or never written
# The investigation's content, left out for a teacher who does not take part in it (R14).
WITHHELD = "Utredningen visas för den som deltar i den."
UNKNOWN_DATE = "en dag som inte är känd"
UNKNOWN_PERSON = "en medarbetare som inte finns i personalkatalogen"
UNKNOWN_UNIT = "en skolenhet som inte finns i katalogen"
# Who acts when no staff member does (cases.application.register_identity, the scheduled disposal).
NOT_STAFF = {"elevregistret": "Elevregistret", "gallring": "Den schemalagda gallringen"}


@dataclass(frozen=True)
class Names:
    """How the page names people, units and parties; each answers None when it does not know."""

    person: Callable[[str], str | None] = lambda user_id: None
    unit: Callable[[str], str | None] = lambda code: None
    party: Callable[[str], str] = lambda party: {"pupil": "Eleven", "guardians": "Vårdnadshavarna"}.get(party, "En vårdnadshavare")

    def who(self, user_id: str | None) -> str:
        if not user_id:
            return "Någon"
        return NOT_STAFF.get(user_id) or self.person(user_id) or UNKNOWN_PERSON

    def responsible(self, value: str | None) -> str:
        """A programme's responsible: a staff member, or the pupil's teachers."""
        if value == TEACHERS[0]:
            return lower_first(TEACHERS[1])
        return self.who(value)

    def school_unit(self, code: str | None) -> str:
        return (self.unit(code) if code else None) or UNKNOWN_UNIT


@dataclass(frozen=True)
class Line:
    """One event of the history: its number in the case, when, the sentence and the rule."""

    version: int
    at: str  # "8 september 2026 kl. 10.15", Swedish time
    at_iso: str
    sentence: str
    rule: str = ""  # "R4, skollagen 3 kap. 9 §"
    corrects_version: int | None = None


def day(value: Any) -> str:
    """'3 december 2026'; a missing or unreadable day as a phrase."""
    if not value:
        return UNKNOWN_DATE
    try:
        return swedish(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return UNKNOWN_DATE


def moment(value: str) -> str:
    """'3 december 2026 kl. 10.15' in Swedish time."""
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return UNKNOWN_DATE
    at = at.astimezone(LOCAL_TIME) if at.tzinfo else at
    return f"{swedish(at.date())} kl. {at:%H.%M}"


def quoted(text: Any) -> str:
    text = str(text or "").strip()
    return f"”{text}”" if text else f"({GONE})"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def field_label(field_name: str) -> str:
    """The Swedish name of a correctable field: an investigation's part or another step's field."""
    return INVESTIGATION_LABELS.get(field_name) or CORRECTION_FIELD_LABELS.get(field_name) or "En uppgift i ärendet"


def shown_value(field_name: str, value: Any) -> str:
    return day(value) if field_name in DATE_FIELDS else quoted(value)


@dataclass
class _Walk:
    """What the sentences need to remember while the history is read oldest first."""

    names: Names
    values: dict[tuple[int, str], Any] = field(default_factory=dict)  # (version, field) → value now
    appealable: dict[int, bool] = field(default_factory=dict)  # decision number → appealable
    receipts: dict[int, tuple[Any, str]] = field(default_factory=dict)  # version → (decision number, recipient)
    appeals: dict[int, dict] = field(default_factory=dict)  # appeal number → its AppealRegistered data


# -- one function per event type: (data, the event, the walk) → sentence ------------------------------
def _opened(d: dict, e: dict, w: _Walk) -> str:
    pupil = d.get("pupil_name") or "eleven"
    text = f"{w.names.who(d.get('opened_by') or e.get('actor'))} öppnade ärendet för {pupil} vid {w.names.school_unit(d.get('school_unit'))}."
    if d.get("protected_by_register"):
        text += " Elevregistret skyddar elevens identitet, så ärendet var skyddat från början."
    return text


def _adaptation(d: dict, e: dict, w: _Walk) -> str:
    w.values[(e["version"], "description")] = d.get("description")
    return f"{w.names.who(d.get('recorded_by'))} antecknade en extra anpassning: {quoted(d.get('description'))}."


def _referred(d: dict, e: dict, w: _Walk) -> str:
    text = f"{w.names.who(d.get('referred_by'))} anmälde till rektor den {day(d.get('referred_on'))} att eleven kan behöva särskilt stöd"
    if d.get("special_reason"):
        text += f", direkt av ett särskilt skäl: {quoted(d.get('special_reason'))}."
    else:
        text += (f". Prövade extra anpassningar: {quoted(d.get('tried_adaptations'))}; "
                 f"varför de inte räcker: {quoted(d.get('why_not_enough'))}.")
    return text + (f" Utredningen ska inledas senast {day(d.get('investigation_due'))} "
                   f"och beslut fattas senast {day(d.get('decision_due'))}.")


def _investigation_started(d: dict, e: dict, w: _Walk) -> str:
    text = (f"{w.names.who(d.get('started_by'))} inledde utredningen den {day(d.get('started_on'))} "
            f"och utsåg {w.names.who(d.get('investigator'))} att utreda")
    if d.get("student_health_team"):
        return text + ", tillsammans med elevhälsan."
    if e.get("withheld"):
        return text + ", utan elevhälsan."
    return text + f", utan elevhälsan eftersom {lower_first(quoted(d.get('without_team_reason')))}."


def _investigation_recorded(d: dict, e: dict, w: _Walk) -> str:
    if e.get("withheld"):
        return f"{w.names.who(d.get('recorded_by') or e.get('actor'))} skrev i utredningen. {WITHHELD}"
    parts = d.get("parts") or {}
    said = []
    for name, label in INVESTIGATION_LABELS.items():
        if name in parts:
            w.values[(e["version"], name)] = parts[name]
            said.append(f"{label}: {quoted(parts[name])}")
    who = w.names.who(d.get("recorded_by") or e.get("actor"))
    if not said:  # the parts are gone with the pupil's records
        return f"{who} skrev i utredningen ({GONE})."
    return f"{who} skrev i utredningen. " + "; ".join(said) + "."


def _investigation_concluded(d: dict, e: dict, w: _Walk) -> str:
    if e.get("withheld"):
        return (f"{w.names.who(d.get('concluded_by') or e.get('actor'))} avslutade utredningen den "
                f"{day(d.get('concluded_on'))} med ett förslag. {WITHHELD}")
    w.values[(e["version"], "proposal")] = d.get("proposal")
    return (f"{w.names.who(d.get('concluded_by') or e.get('actor'))} avslutade utredningen den {day(d.get('concluded_on'))} "
            f"med förslaget {quoted(d.get('proposal'))}.")


def _placements(codes: list) -> str:
    named = []
    for code in codes or []:
        label = PLACEMENT_LABELS.get(code)
        named.append(f"{lower_first(label)} ({PLACEMENT_LAW[code]})" if label else "en placering av okänt slag")
    return _and(named)


def _decided(d: dict, e: dict, w: _Walk) -> str:
    number = d.get("number")
    w.appealable[number] = bool(d.get("appealable"))
    kind = DECISION_LABELS.get(d.get("kind"))
    what = f"att {lower_first(kind)}" if kind else "ett beslut av okänt slag"
    text = f"{w.names.who(d.get('decided_by'))} beslutade den {day(d.get('decided_on'))} {what}"
    if d.get("placements"):
        text += f", med {_placements(d['placements'])}"
    if d.get("delegation_number") is not None:
        text += f", med stöd av rektors delegation nr {d['delegation_number']}"
    text += f" (beslut nr {number})." if number else "."
    if d.get("reasons"):
        text += f" Skäl: {quoted(d['reasons'])}."
    if d.get("appealable"):
        text += " Beslutet kan överklagas till Skolväsendets överklagandenämnd."
    if d.get("kind") == "close_programme":
        text += " Åtgärdsprogrammet och ärendet avslutades."
    return text


def _delivered(d: dict, e: dict, w: _Walk) -> str:
    number = d.get("decision_number")
    w.values[(e["version"], "delivered_on")] = d.get("delivered_on")
    text = f"{w.names.who(d.get('recorded_by'))} registrerade att beslut nr {number} delgavs den {day(d.get('delivered_on'))}"
    if w.appealable.get(number):
        text += "; tiden för att överklaga räknas från den dagen"
    return text + "."


def _participation(d: dict, e: dict, w: _Walk) -> str:
    w.values[(e["version"], "views")] = d.get("views")
    party = w.names.party(d.get("party") or "")
    took = "deltog" if d.get("took_part") else "avstod"
    text = (f"{w.names.who(d.get('recorded_by'))} antecknade att {lower_first(party)} erbjöds att delta "
            f"den {day(d.get('offered_on'))} och {took}.")
    if d.get("views"):
        text += f" Synpunkter: {quoted(d['views'])}."
    return text


def _programme(d: dict, e: dict, w: _Walk) -> str:
    measures = [
        f"{quoted(m.get('description'))} ({m.get('extent') or 'omfattning saknas'}, ansvarig {w.names.responsible(m.get('responsible'))})"
        for m in d.get("measures") or [] if isinstance(m, dict)
    ]
    follow_ups = _and([day(x) for x in d.get("follow_up_dates") or []] or [UNKNOWN_DATE])
    return (f"{w.names.who(d.get('issued_by'))} utfärdade åtgärdsprogram nr {d.get('number')} den {day(d.get('issued_on'))} "
            f"efter beslut nr {d.get('decision_number')}. Behov: {quoted(d.get('needs'))}. "
            f"Åtgärder: {'; '.join(measures) if measures else GONE}. "
            f"Uppföljning {follow_ups} (ansvarig {w.names.responsible(d.get('follow_up_responsible'))}), "
            f"utvärdering {day(d.get('evaluation_on'))} (ansvarig {w.names.responsible(d.get('evaluation_responsible'))}).")


def _follow_up(d: dict, e: dict, w: _Walk) -> str:
    w.values[(e["version"], "findings")] = d.get("findings")
    return (f"{w.names.who(d.get('followed_up_by'))} följde upp åtgärdsprogram nr {d.get('programme_number')} "
            f"den {day(d.get('followed_up_on'))}: {quoted(d.get('findings'))}.")


def _evaluated(d: dict, e: dict, w: _Walk) -> str:
    w.values[(e["version"], "outcome")] = d.get("outcome")
    return (f"{w.names.who(d.get('evaluated_by'))} utvärderade åtgärdsprogram nr {d.get('programme_number')} "
            f"den {day(d.get('evaluated_on'))}: {quoted(d.get('outcome'))}.")


def _moved(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('moved_by'))} registrerade att eleven bytte skolenhet den {day(d.get('moved_on'))}, "
            f"från {w.names.school_unit(d.get('from_unit'))} till {w.names.school_unit(d.get('to_unit'))}. "
            "Ett åtgärdsprogram gäller vid skolenheten som beslutade det; den nya skolenheten utreder och beslutar själv.")


def _left_unit(d: dict, e: dict, w: _Walk) -> str:
    return (f"Elevregistret visar att elevens placering vid {w.names.school_unit(d.get('school_unit'))} "
            f"upphörde den {day(d.get('left_on'))}.")


def _removed(d: dict, e: dict, w: _Walk) -> str:
    return f"Eleven fanns inte längre i elevregistret från den {day(d.get('changed_on'))}; ärendet finns kvar."


def _back(d: dict, e: dict, w: _Walk) -> str:
    return f"Eleven fanns i elevregistret igen från den {day(d.get('changed_on'))}."


def _marked(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('changed_by'))} markerade den {day(d.get('changed_on'))} att eleven har skyddad identitet; "
            "bara de som rektor ger behörighet ser ärendet.")


def _register_protection(d: dict, e: dict, w: _Walk) -> str:
    if d.get("register_protected"):
        granted = [w.names.who(u) for u in d.get("granted_to") or []]
        text = f"Elevregistret markerade den {day(d.get('changed_on'))} att elevens identitet är skyddad."
        return text + (f" Behörighet till ärendet har {_and(granted)}." if granted else "")
    if d.get("protected"):
        return (f"Elevregistret tog bort sin skyddsmarkering den {day(d.get('changed_on'))}; "
                "ärendet är fortfarande skyddat genom rektors markering.")
    return f"Elevregistret tog bort sin skyddsmarkering den {day(d.get('changed_on'))}; ärendet är inte längre skyddat."


def _granted(d: dict, e: dict, w: _Walk) -> str:
    return f"{w.names.who(d.get('changed_by'))} gav {w.names.who(d.get('user'))} behörighet till ärendet den {day(d.get('changed_on'))}."


def _revoked(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('changed_by'))} tog bort behörigheten till ärendet för {w.names.who(d.get('user'))} "
            f"den {day(d.get('changed_on'))}.")


def correction_field(d: dict) -> str:
    """The corrected field: named by the event; an investigation's corrections stored before
    they named it ("text") carry the part in `ref`."""
    name = d.get("field") or ""
    ref = d.get("ref")
    if name == "text" and isinstance(ref, (list, tuple)) and len(ref) == 2:
        return str(ref[1])
    return name


def _corrected(d: dict, e: dict, w: _Walk) -> str:
    if e.get("withheld"):
        return f"Rättelse av en uppgift i utredningen, av {w.names.who(d.get('corrected_by'))}. {WITHHELD}"
    name = correction_field(d)
    key = (d.get("corrects_version"), name)
    before, after = w.values.get(key), d.get("value")
    w.values[key] = after
    what = field_label(name)
    if d.get("kind") == "delivery" and isinstance(d.get("ref"), int):
        what += f" för beslut nr {d['ref']}"
    receipt = w.receipts.get(d.get("corrects_version")) if d.get("kind") == "receipt" else None
    if receipt:  # one recipient's day of receipt (R9): whose, and their new last day
        number, recipient = receipt
        what = f"Dagen då {lower_first(w.names.party(recipient))} fick beslut {number}"
    change = (f"ändrades från {shown_value(name, before)} till {shown_value(name, after)}" if before not in (None, "")
              else f"ändrades till {shown_value(name, after)}")
    text = f"Rättelse: {what} {change}, av {w.names.who(d.get('corrected_by'))}, skäl: {quoted(d.get('reason'))}."
    if receipt and w.appealable.get(receipt[0]) and _plus_days(after, APPEAL_DAYS):
        text += f" Sista dag att överklaga för {lower_first(w.names.party(receipt[1]))} är nu {day(_plus_days(after, APPEAL_DAYS))}."
    return text


def _invited(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('invited_by'))} bjöd den {day(d.get('invited_on'))} in "
            f"{w.names.who(d.get('teacher'))} att delta i utredningen och läsa den.")


def _invitation_withdrawn(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('withdrawn_by'))} tog den {day(d.get('withdrawn_on'))} tillbaka inbjudan till "
            f"{w.names.who(d.get('teacher'))} att delta i utredningen.")


def _disposed(d: dict, e: dict, w: _Walk) -> str:
    years = (d.get("retention_years") or {}).get("support_case")
    plan = f" efter {years} års bevarandetid" if years else ""
    return (f"Elevens handlingar gallrades den {day(d.get('disposed_on'))} enligt dokumenthanteringsplanen{plan}; "
            "det som skrevs om eleven går inte längre att läsa.")


# -- R9: delivery per recipient and the appeal -----------------------------------------------------
APPEAL_DAYS = 21  # three weeks from the day the party received the decision (förvaltningslagen 44 §)
FORWARD_DAYS = 7  # "without delay": within a week of the appeal's arrival (JO)
BOARD = "Skolväsendets överklagandenämnd"
# How the decision reached the recipient (the DeliveryMethod vocabulary, as a phrase in a sentence).
RECEIVED_HOW = {"handed_over": "överlämnat personligen", "post": "med post", "secure_digital": "med säker digital post"}


def _plus_days(value: Any, days: int) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) + timedelta(days=days)
    except ValueError:
        return None


def _parties(w: _Walk, parties: list | None) -> str:
    """'Vårdnadshavaren Anna Exempel och eleven Elsa Exempel': each by name, never by id."""
    named = [w.names.party(str(p)) for p in parties or []] or ["Någon"]
    return _and([named[0], *(lower_first(p) for p in named[1:])])


def _complete(appellants: list, pupil_may_appeal_alone: bool) -> bool:
    """Both guardians, or the pupil of 16 or more (cases.domain.appeal.is_complete, before any note)."""
    guardians = {a for a in appellants if str(a).startswith("guardian:")}
    return "guardians" in appellants or len(guardians) >= 2 or ("pupil" in appellants and pupil_may_appeal_alone)


def _by_whom(decided_by: str | None, delegation_number: Any, w: _Walk) -> str:
    text = w.names.who(decided_by)
    return text + (f", med stöd av rektors delegation nr {delegation_number}," if delegation_number is not None else "")


def _what_decided(kind: Any, placements: list | None) -> str:
    label = DECISION_LABELS.get(kind)
    text = f"att {lower_first(label)}" if label else "ett beslut av okänt slag"
    return text + (f", med {_placements(placements)}" if placements else "")


def _received(d: dict, e: dict, w: _Walk) -> str:
    number, recipient = d.get("decision_number"), str(d.get("recipient") or "")
    w.receipts[e["version"]] = (number, recipient)
    w.values[(e["version"], "received_on")] = d.get("received_on")
    how = RECEIVED_HOW.get(d.get("method") or "")
    text = f"{w.names.party(recipient)} fick beslut {number}{' ' + how if how else ''} den {day(d.get('received_on'))}"
    last = _plus_days(d.get("received_on"), APPEAL_DAYS)
    if w.appealable.get(number, True) and last and d.get("appeal_last_day") is not None:
        text += f"; sista dag att överklaga är {day(last)}"
    return text + f". Registrerat av {w.names.who(d.get('recorded_by'))}."


def _appeal_registered(d: dict, e: dict, w: _Walk) -> str:
    number, decision = d.get("number"), d.get("decision_number")
    w.appeals[number] = d
    appellants = [str(a) for a in d.get("appellants") or []]
    text = (f"{_parties(w, appellants)} överklagade beslut {decision}; överklagandet kom in till skolan den "
            f"{day(d.get('received_on'))}")
    last = d.get("last_day")
    if d.get("timely"):
        text += (f", i tid (sista dag var {day(last)}, förvaltningslagen 44 §)." if last else
                 ", i tid (beslutet var inte registrerat som mottaget av den som överklagar, förvaltningslagen 44 §).")
    elif d.get("delay_caused_by_school"):
        text += (f", efter sista dagen {day(last)}, men förseningen orsakades av skolan och överklagandet prövas ändå "
                 "(förvaltningslagen 45 §).")
    else:
        text += (f", för sent: sista dag var {day(last)}. Skolan avvisar ett överklagande som kommit in för sent "
                 "(förvaltningslagen 45 §).")
    text += f" Begäran: {quoted(d.get('asks'))}."
    if not _complete(appellants, bool(d.get("pupil_may_appeal_alone"))):
        text += (" Överklagandet kommer från en vårdnadshavare; den andra behöver ansluta sig, eller skolan anteckna "
                 "varför en räcker.")
    return text + f" Registrerat av {w.names.who(d.get('registered_by'))} som överklagande nr {number}."


def _appeal_joined(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.party(str(d.get('guardian') or ''))} anslöt sig den {day(d.get('joined_on'))} till överklagande "
            f"nr {d.get('appeal_number')}, som nu har stöd av båda vårdnadshavarna. "
            f"Registrerat av {w.names.who(d.get('recorded_by'))}.")


def _one_guardian_suffices(d: dict, e: dict, w: _Walk) -> str:
    return (f"{w.names.who(d.get('recorded_by'))} antecknade att en vårdnadshavares överklagande räcker för överklagande nr "
            f"{d.get('appeal_number')}. Skäl: {quoted(d.get('reason'))}.")


def _appeal_rejected(d: dict, e: dict, w: _Walk) -> str:
    number = d.get("appeal_number")
    decision = (w.appeals.get(number) or {}).get("decision_number")
    of = f" av beslut {decision}" if decision else ""
    text = (f"{_by_whom(d.get('decided_by'), d.get('delegation_number'), w)} beslutade den {day(d.get('decided_on'))} "
            f"att avvisa överklagande nr {number}{of} eftersom det kom in för sent (förvaltningslagen 45 §).")
    if d.get("reasons"):
        text += f" Skäl: {quoted(d.get('reasons'))}."
    return text + f" Beslutet att avvisa kan självt överklagas till {BOARD}."


def _reconsidered(d: dict, e: dict, w: _Walk) -> str:
    number, old = d.get("number"), d.get("changes_decision")
    w.appealable[number] = bool(d.get("appealable"))
    text = (f"{_by_whom(d.get('decided_by'), d.get('delegation_number'), w)} omprövade beslut {old} med anledning av "
            f"överklagande nr {d.get('appeal_number')} och ändrade det den {day(d.get('decided_on'))} "
            f"(förvaltningslagen 37–39 §§): nytt beslut {number}, {_what_decided(d.get('kind'), d.get('placements'))}.")
    if d.get("reasons"):
        text += f" Skäl: {quoted(d.get('reasons'))}."
    if d.get("in_full"):
        return text + " Beslutet ändrades helt som den som överklagade begärde, så överklagandet förföll."
    return (text + f" Beslutet ändrades bara delvis som begärt; överklagandet gäller nu beslut {number} "
            f"och lämnas vidare till {BOARD}.")


def _forwarded(d: dict, e: dict, w: _Walk) -> str:
    number = d.get("appeal_number")
    text = (f"{w.names.who(d.get('forwarded_by'))} lämnade den {day(d.get('forwarded_on'))} överklagande nr {number} "
            f"vidare till {BOARD} (skollagen 28 kap. 16 §)")
    due = _plus_days((w.appeals.get(number) or {}).get("received_on"), FORWARD_DAYS)
    if d.get("late"):
        text += f", senare än inom en vecka: det skulle ha lämnats senast {day(due)}." if due else ", senare än inom en vecka."
    else:
        text += ", inom en vecka från att det kom in."
    documents = [str(x).strip() for x in d.get("documents") or [] if str(x).strip()]
    text += f" Handlingar som skickades med: {_and([lower_first(x) for x in documents])}." if documents else " Inga handlingar listades."
    if d.get("comments"):
        text += f" Skolans yttrande: {quoted(d.get('comments'))}."
    return text


def _board_decided(d: dict, e: dict, w: _Walk) -> str:
    number, decision, outcome = d.get("appeal_number"), d.get("decision_in_question"), d.get("board_outcome")
    on = day(d.get("decided_on"))
    if outcome == "upheld":
        text = f"{BOARD} avslog den {on} överklagande nr {number}: beslut {decision} står fast."
    elif outcome == "changed":
        w.appealable[d.get("number")] = False
        text = (f"{BOARD} ändrade den {on} beslut {decision} (överklagande nr {number}): nämndens beslut, "
                f"beslut {d.get('number')}, är {_what_decided(d.get('kind'), d.get('placements'))}, och det gäller nu.")
    elif outcome == "sent_back":
        again = {"investigation": "utreder ärendet på nytt", "decision": "fattar ett nytt beslut"}.get(d.get("sent_back_to") or "")
        text = (f"{BOARD} upphävde den {on} beslut {decision} (överklagande nr {number}) och återförvisade ärendet till "
                f"skolan, som {again or 'handlägger ärendet på nytt'}.")
    else:
        text = f"{BOARD} avgjorde den {on} överklagande nr {number}."
    if d.get("reasons"):
        text += f" Nämndens skäl: {quoted(d.get('reasons'))}."
    return text + f" Nämndens beslut kan inte överklagas. Registrerat av {w.names.who(d.get('recorded_by'))}."


SENTENCES: dict[str, Callable[[dict, dict, _Walk], str]] = {
    "Opened": _opened,
    "ExtraAdaptationRecorded": _adaptation,
    "ReferredToRektor": _referred,
    "InvestigationStarted": _investigation_started,
    "InvestigationRecorded": _investigation_recorded,
    "InvestigationConcluded": _investigation_concluded,
    "Decided": _decided,
    "DecisionDelivered": _delivered,
    "ParticipationRecorded": _participation,
    "ProgrammeIssued": _programme,
    "FollowUpRecorded": _follow_up,
    "ProgrammeEvaluated": _evaluated,
    "MovedToSchoolUnit": _moved,
    "PupilLeftSchoolUnit": _left_unit,
    "PupilRemovedFromRegister": _removed,
    "PupilBackInRegister": _back,
    "ProtectedIdentityMarked": _marked,
    "RegisterProtectionChanged": _register_protection,
    "AccessGranted": _granted,
    "AccessRevoked": _revoked,
    "Corrected": _corrected,
    "InvitedToInvestigation": _invited,
    "InvitationWithdrawn": _invitation_withdrawn,
    "Disposed": _disposed,
    "DecisionReceived": _received,
    "AppealRegistered": _appeal_registered,
    "AppealJoined": _appeal_joined,
    "OneGuardianSuffices": _one_guardian_suffices,
    "AppealRejected": _appeal_rejected,
    "DecisionReconsidered": _reconsidered,
    "AppealForwarded": _forwarded,
    "BoardDecided": _board_decided,
}


def rule_of(event_type: str, data: dict) -> str:
    """The rule the step followed: its id and the law, where there is one ('R6, skollagen 3 kap. 11 §')."""
    rules = list(EVENT_RULES.get(event_type, ()))
    if event_type in EVENT_LAW:  # a step of the appeal (R9): the law it follows
        return f"{rules[0]}, {EVENT_LAW[event_type]}"
    if event_type == "Decided":
        if data.get("delegation_number") is not None:
            rules.append("R5")
        if data.get("placements"):
            rules.append("R6")
    return "; ".join(f"{rule}, {LAW[rule]}" if rule in LAW else rule for rule in dict.fromkeys(rules))


def history_lines(events: list[dict[str, Any]], names: Names) -> list[Line]:
    """The case's events, oldest first, as sentences."""
    walk = _Walk(names)
    lines = []
    for e in events:
        data = e.get("data") or {}
        build = SENTENCES.get(e.get("event_type"))
        sentence = build(data, e, walk) if build else "Något hände i ärendet som Stödspår ännu inte kan beskriva."
        lines.append(Line(version=e.get("version"), at=moment(e.get("at")), at_iso=str(e.get("at") or ""),
                          sentence=sentence, rule=rule_of(e.get("event_type"), data),
                          corrects_version=e.get("corrects_version")))
    return lines


@dataclass(frozen=True)
class Choice:
    """One field a correction may name: 'version:field', how the form says it, its value now."""

    value: str
    label: str
    current: str  # as the page shows it


def correction_choices(case: dict[str, Any], lines: list[Line]) -> list[Choice]:
    """Every field of every correctable entry (R16), newest entry first: 'Nr 6, 8 september 2026
    kl. 10.15, utredningen: Vårdnadshavarnas syn'."""
    when = {line.version: line.at for line in lines}
    kinds = case.get("correctable") or {}
    choices = []
    for version, fields in sorted((case.get("correctable_fields") or {}).items(), key=lambda item: -int(item[0])):
        kind = CORRECTABLE_LABELS.get(kinds.get(version, ""), "en uppgift")
        for name, value in fields.items():
            label = f"Nr {version}, {when.get(int(version), UNKNOWN_DATE)}, {kind}: {field_label(name)}"
            choices.append(Choice(f"{version}:{name}", label, shown_value(name, value)))
    return choices


def raw_value(case: dict[str, Any], choice: str) -> str:
    """The chosen field's value now, as the form takes it (a date as ÅÅÅÅ-MM-DD)."""
    version, _, name = choice.partition(":")
    return str(((case.get("correctable_fields") or {}).get(version) or {}).get(name) or "")
