"""The notifications service: each staff member's choice of e-mail notifications (off, once a
day, at once) and the scheduled job that mails them how many tasks wait in Stödspår, never
what the tasks are about (ADR 0027)."""
