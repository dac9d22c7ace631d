"""Swedish names of the documentation's levels, kinds, hinders and supports (from their
vocabularies in contracts/, eventkit.vocabulary), and of terms and durations."""
from __future__ import annotations

from eventkit.vocabulary import labels

LEVELS = labels("InterventionLevel")
KINDS = labels("InterventionKind")
# The same vocabulary for what hinders and what supports (seed §6), so both can be counted.
FACTORS = labels("LearningEnvironmentFactor")
# Names of the intervention's fields in the history, not a list of values.
FIELD_LABELS = {
    "kind": "Slag", "performed_on": "Datum", "minutes": "Tid", "hinders": "Hinder", "supports": "Stöd",
    "hinders_note": "Om hindren", "supports_note": "Om stöden", "description": "Vad gjordes", "group": "Grupp",
}


def term_label(term: str | None) -> str:
    """'HT2026' → 'Höstterminen 2026'."""
    if not term:
        return "–"
    return f"{'Höstterminen' if term.startswith('HT') else 'Vårterminen'} {term[2:]}"


def minutes_label(minutes: int | None) -> str:
    if not minutes:
        return "0 min"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def install(env) -> None:
    env.filters.update(
        niva=lambda code: LEVELS.get(code, code),
        insatstyp=lambda code: KINDS.get(code, code),
        faktor=lambda code: FACTORS.get(code, code),
        termin=term_label,
        tid=minutes_label,
    )
    env.globals.update(LEVELS=LEVELS, KINDS=KINDS, FACTORS=FACTORS, FIELD_LABELS=FIELD_LABELS)
