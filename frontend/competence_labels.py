"""Swedish words for the competence service's values (R12, R13), from their vocabularies in
contracts/ (eventkit.vocabulary); only the derived goal statuses are written here."""
from __future__ import annotations

from eventkit.vocabulary import labels
from frontend.documentation_labels import KINDS, LEVELS  # the quality view counts interventions by them

PARTIES = labels("DialogueParty")
# The goal's status is derived by the competence service and the quality view, not a published list.
GOAL_STATUS = {"proposed": "Väntar på bekräftelse", "in_force": "Gäller", "replaced": "Ersatt av nytt mål"}
ATTAINMENT = labels("Attainment")
QUALIFICATIONS = labels("Qualification")
SPECIALISATIONS = labels("Specialisation")
PROVIDERS = labels("SupervisionProvider")


def install(env) -> None:
    env.globals.update(
        party_label=PARTIES, goal_status_label=GOAL_STATUS, attainment_label=ATTAINMENT,
        qualification_label=QUALIFICATIONS, specialisation_label=SPECIALISATIONS, provider_label=PROVIDERS,
        level_label=LEVELS, kind_label=KINDS,
    )
