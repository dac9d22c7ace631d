"""The competence service: the special educator's profile, the mission and goals agreed in
dialogue with rektor, the competence plan and supervision (R12), and the quality cycle
goal → follow-ups → assessment → improvement action → new goal (R13)."""
