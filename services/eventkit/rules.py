"""The base of every service's business rules (no I/O; safe for domain models to import).

A rule is a small subclass named as the sentence it makes true, carrying its id from
docs/rules.md (R1…) and a message a person understands. A broken rule is raised before any event
exists, so a refused command stores nothing; APIs turn it into a 422 naming the rule.
"""
from __future__ import annotations


class RuleBroken(Exception):
    rule_id: str = ""
    message: str = ""
    field: str | None = None  # the form field the message belongs to, when it is about one

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        # The messages per form field; rules about several parts set their own.
        self.fields: dict[str, str] = {self.field: self.message} if self.field else {}
        super().__init__(f"{self.rule_id} {type(self).__name__}: {self.message}")

    def at(self, field: str) -> "RuleBroken":
        """The same refusal, its message at another form field (the same date typed in another
        form, say a correction's `value`)."""
        self.field = field
        self.fields = {field: self.message}
        return self

    @property
    def rule_name(self) -> str:
        return type(self).__name__
