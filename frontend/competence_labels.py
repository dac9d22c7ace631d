"""Swedish words for the competence service's values (R12, R13)."""
from __future__ import annotations

PARTIES = {"rektor": "rektor", "special_educator": "specialpedagog"}
GOAL_STATUS = {"proposed": "Väntar på bekräftelse", "in_force": "Gäller", "replaced": "Ersatt av nytt mål"}
ATTAINMENT = {"met": "Uppnått", "partly_met": "Delvis uppnått", "not_met": "Inte uppnått"}
QUALIFICATIONS = {
    "special_educator_degree": "Specialpedagogexamen",
    "special_teacher_degree": "Speciallärarexamen",
    "other_qualifying": "Annan behörighetsgivande utbildning",
    "in_training": "Under utbildning",
    "not_qualified": "Saknar behörighet",
}
SPECIALISATIONS = {
    "language_reading_writing": "Språk-, skriv- och läsutveckling",
    "mathematics": "Matematikutveckling",
    "deaf_hard_of_hearing": "Dövhet eller hörselnedsättning",
    "visual_impairment": "Synnedsättning",
    "language_disorder": "Grav språkstörning",
    "intellectual_disability": "Utvecklingsstörning",
}
PROVIDERS = {"external": "Extern handledare", "colleagues": "Kollegial handledning", "student_health": "Central elevhälsa"}
LEVELS = {"organisation": "Organisation", "group": "Grupp", "individual": "Individ"}
KINDS = {
    "supervision": "Handledning av personal",
    "pedagogical_assessment": "Pedagogisk bedömning",
    "mapping": "Kartläggning",
    "teaching": "Undervisning",
    "learning_environment": "Lärmiljöarbete",
    "collaboration": "Samverkan",
}


def install(env) -> None:
    env.globals.update(
        party_label=PARTIES, goal_status_label=GOAL_STATUS, attainment_label=ATTAINMENT,
        qualification_label=QUALIFICATIONS, specialisation_label=SPECIALISATIONS, provider_label=PROVIDERS,
        level_label=LEVELS, kind_label=KINDS,
    )
