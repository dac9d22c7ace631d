"""Read shapes of the documentation: a row, the details with their history, and the overview
for the school's development work (seed §8, second paragraph). Plain values only; the
frontend renders them in Swedish."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from documentation.domain.model import Intervention
from documentation.domain.values import Kind, Level, term_order


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def row(intervention: Intervention) -> dict[str, Any]:
    """What a list shows: no free text, no case id (those are on the details, after the
    check that the user may see the pupil's case)."""
    return jsonable({
        "intervention_id": str(intervention.id),
        "version": intervention.version,
        "school_unit": intervention.school_unit,
        "special_educator": intervention.special_educator,
        "level": intervention.level,
        "kind": intervention.kind,
        "group": intervention.group,
        "performed_on": intervention.performed_on,
        "term": intervention.term,
        "minutes": intervention.minutes,
        "hinders": intervention.hinders,
        "supports": intervention.supports,
        "attached_to_investigation": intervention.investigation is not None,
        "corrected": bool(intervention.corrections),
        "withdrawn": intervention.withdrawn is not None,
    })


def details(intervention: Intervention) -> dict[str, Any]:
    return {
        **row(intervention),
        **jsonable({
            "case_id": intervention.case_id,
            "investigation": intervention.investigation,
            "description": intervention.description,
            "hinders_note": intervention.hinders_note,
            "supports_note": intervention.supports_note,
            "corrections": intervention.corrections,
            "withdrawal": intervention.withdrawn,
        }),
    }


def _tally(interventions: list[Intervention], key) -> dict[str, dict[str, int]]:
    tally: dict[str, dict[str, int]] = {}
    for intervention in interventions:
        entry = tally.setdefault(key(intervention), {"count": 0, "minutes": 0})
        entry["count"] += 1
        entry["minutes"] += intervention.minutes
    return tally


def development_overview(interventions: Iterable[Intervention], term: str | None = None) -> dict[str, Any]:
    """Interventions per level, kind and term, and the hinders and supports that recur, for
    one term (the latest with documentation when none is given). Withdrawn ones do not count."""
    standing = [i for i in interventions if i.withdrawn is None]
    terms = sorted({i.term for i in standing}, key=term_order, reverse=True)
    term = term or (terms[0] if terms else None)
    chosen = [i for i in standing if i.term == term]
    by_level = _tally(chosen, lambda i: i.level)
    by_kind = _tally(chosen, lambda i: i.kind)
    return {
        "term": term,
        "terms": terms,
        "count": len(chosen),
        "minutes": sum(i.minutes for i in chosen),
        "by_level": {level.value: by_level[level.value] for level in Level if level.value in by_level},
        "by_kind": {kind.value: by_kind[kind.value] for kind in Kind if kind.value in by_kind},
        "by_term": [{"term": t, **v} for t, v in sorted(_tally(standing, lambda i: i.term).items(),
                                                           key=lambda item: term_order(item[0]))],
        # Counted once per intervention; most frequent first, then in the vocabulary's order.
        "hinders": Counter(f for i in chosen for f in i.hinders).most_common(),
        "supports": Counter(f for i in chosen for f in i.supports).most_common(),
    }
