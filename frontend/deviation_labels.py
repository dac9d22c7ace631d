"""Swedish words for deviation reporting's codes, for forms and views. The published lists
(organisations, sides, categories) come from their vocabularies in contracts/ (eventkit.vocabulary);
only the deviation's derived statuses and the field and period names are written here."""
from __future__ import annotations

from eventkit.vocabulary import labels

ORGANISATIONS = labels("OrganisationKind")
# Where each organisation usually belongs; the reporter can mark it otherwise.
USUAL_SIDE = {"school": "municipality", "social_services": "municipality", "child_psychiatry": "region",
              "child_medicine": "region", "habilitation": "region"}
SIDES = labels("OrganisationSide")
CATEGORIES = labels("DeviationCategory")
# Internal states the deviations service derives, not a published list (yet).
STATUSES = {
    "reported": "Rapporterad",
    "handling": "Under lokal hantering",
    "solved_locally": "Löst lokalt",
    "sent_to_bus": "Skickad till BUS-sekretariatet",
    "returned": "Returnerad av kontrollen före det regionala flödet",
}
FIELDS = {"description": "Beskrivning", "tried_locally": "Vad som prövats lokalt"}
PERIOD_KINDS = {"month": "Månad", "quarter": "Kvartal", "year": "År"}


def organisation(value: dict | None) -> str:
    if not value:
        return "–"
    return f"{ORGANISATIONS.get(value['kind'], value['kind'])} ({SIDES.get(value['side'], value['side'])})"


def install(env, organisation_directory) -> None:
    """Filters and globals for the templates."""
    names = {m.code: m.name for m in organisation_directory.municipalities}
    env.filters.update(
        verksamhet=organisation,
        verksamhetstyp=lambda kind: ORGANISATIONS.get(kind, kind),
        kategori=lambda code: CATEGORIES.get(code, code),
        avvikelsestatus=lambda code: STATUSES.get(code, code),
        faltnamn=lambda code: FIELDS.get(code, code),
        kommun=lambda code: names.get(code, code),
    )
    env.globals.update(
        ORGANISATIONS=ORGANISATIONS, CATEGORIES=CATEGORIES, SIDES=SIDES, PERIOD_KINDS=PERIOD_KINDS,
        municipality_names=names,
    )
