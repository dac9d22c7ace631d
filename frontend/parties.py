"""The pupil and the guardians by name, from the directory (R8 participation, the printed
programme). The case's `pupil_ref` is the directory's pupil id for a pupil chosen from it; a
case the directory cannot answer for (opened before the directory, a pupil outside the user's
scope, the directory down) falls back to "Eleven" and "Vårdnadshavarna" without names.

What is stored is the domain's party (cases.domain.programme): "pupil", "guardians" (together),
or one guardian by the register's id, "guardian:<id>", so each guardian's offer and views are
their own.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from eventkit.identity import Identity
from frontend.directory_client import DirectoryClient
from frontend.services_client import Forbidden, IdentityNotAccepted, NotFound, ServiceRefused, ServiceUnavailable

log = logging.getLogger(__name__)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


ONE_GUARDIAN = "guardian:"


@dataclass(frozen=True)
class Parties:
    pupil: str = ""
    guardians: list[str] = field(default_factory=list)
    guardian_ids: list[str] = field(default_factory=list)  # beside `guardians`, the register's ids

    def label(self, party: str) -> str:
        """'Eleven Elsa Exempel', 'Vårdnadshavaren Anna Exempel', 'Vårdnadshavarna Anna Exempel
        och Johan Exempel'."""
        if party == "pupil":
            return f"Eleven {self.pupil}" if self.pupil else "Eleven"
        if party.startswith(ONE_GUARDIAN):
            named = dict(zip(self.guardian_ids, self.guardians)).get(party[len(ONE_GUARDIAN):])
            return f"Vårdnadshavaren {named}" if named else "En vårdnadshavare"
        if not self.guardians:
            return "Vårdnadshavarna"
        return ("Vårdnadshavaren " if len(self.guardians) == 1 else "Vårdnadshavarna ") + _and(self.guardians)

    @property
    def options(self) -> list[tuple[str, str]]:
        """The pupil, each guardian the register names, and the guardians together."""
        each = [(f"{ONE_GUARDIAN}{gid}", self.label(f"{ONE_GUARDIAN}{gid}")) for gid in self.guardian_ids]
        together = [("guardians", "Vårdnadshavarna tillsammans" if len(each) > 1 else self.label("guardians"))]
        return [("pupil", self.label("pupil")), *each, *(together if len(each) != 1 else [])]


async def parties_of(request: Request, who: Identity, case: dict[str, Any] | None) -> Parties:
    if not case:
        return Parties()
    pupil_ref = case.get("pupil_ref")
    if not pupil_ref:
        return Parties(pupil=case.get("pupil_name") or "")
    try:
        pupil = await DirectoryClient.for_user(request, who).pupil(pupil_ref)
    except (NotFound, Forbidden, ServiceRefused):
        return Parties(pupil=case.get("pupil_name") or "")
    except (ServiceUnavailable, IdentityNotAccepted) as exc:
        log.warning("directory: guardians not read (%s)", type(exc).__name__)
        return Parties(pupil=case.get("pupil_name") or "")
    known = [g for g in pupil.get("guardians") or [] if g.get("name") and g.get("guardian_id")]
    return Parties(pupil=case.get("pupil_name") or str(pupil.get("name") or ""),
                   guardians=[str(g["name"]) for g in known], guardian_ids=[str(g["guardian_id"]) for g in known])
