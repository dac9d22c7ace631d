"""Att göra: every user's tasks, overdue first, built from the cases, overdue, deviations and
competence topics (a read model of ids, kinds, dates, units and user ids only)."""
