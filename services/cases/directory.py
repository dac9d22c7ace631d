"""What the cases service asks the directory (the municipality's people from SS 12000, ADR 0026)
over HTTP. A pupil is asked for with the acting user's own signed identity, so the directory
applies the user's scope and protected identity (R14) itself; the unit's rektors and the
register's names are asked for by this service on the municipality's behalf. The cases service
never reads the directory's database."""
from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import httpx
from opentelemetry import propagate

from cases.domain.values import RegisterPupil
from eventkit.config import env
from eventkit.identity import HEADER, Identity, Role, sign
from eventkit.dates import local_today

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class DirectoryUnavailable(Exception):
    """The directory did not answer, or failed on its side (the API answers 503)."""


class Directory(Protocol):
    def pupil(self, who: Identity, pupil_id: str) -> RegisterPupil | None:
        """The pupil if the directory knows it and `who` may see it; None otherwise."""

    def rektors(self, municipality: str, school_unit: str) -> tuple[str, ...]:
        """The user ids of the unit's rektors now."""

    def teachers(self, municipality: str, school_unit: str) -> tuple[str, ...]:
        """The user ids of the unit's teachers now (whom rektor may invite to an investigation)."""

    def register_names(self, municipality: str) -> list[dict[str, Any]]:
        """Every pupil's and guardian's name of the municipality: {person_id, name, kind, protected}."""


def service_identity(municipality: str) -> Identity:
    """The cases service asking on the municipality's behalf (no user: the directory listener,
    the name register)."""
    return Identity("elevarenden", "Elevärendetjänsten", Role.MUNICIPALITY_ADMIN, municipality)


def current_units(placements: list[dict[str, Any]], today: date) -> tuple[str, ...]:
    """The units where the pupil is placed on `today` (a placement not ended, or ending later)."""
    return tuple(dict.fromkeys(
        p["school_unit"] for p in placements
        if not p.get("end_date") or date.fromisoformat(str(p["end_date"])) >= today
    ))


def pupil_from(answer: dict[str, Any], today: date) -> RegisterPupil:
    return RegisterPupil(
        pupil_id=str(answer["pupil_id"]), personal_number=answer["personal_number"], name=answer["name"],
        protected=bool(answer.get("protected")), school_units=current_units(answer.get("placements") or [], today),
        removed_from_register=bool(answer.get("removed_from_register")),
    )


class DirectoryOverHttp:
    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or env("DIRECTORY_URL", "http://127.0.0.1:8007")).rstrip("/")
        self.http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def _get(self, who: Identity, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        headers = {HEADER: sign(who, audience="directory", caller="cases")}
        propagate.inject(headers)  # the same trace runs on into the directory
        try:
            response = self.http.get(f"{self.base_url}{path}", params=params, headers=headers)
        except httpx.HTTPError:
            raise DirectoryUnavailable() from None
        if response.status_code >= 500:
            raise DirectoryUnavailable()
        return response

    def pupil(self, who: Identity, pupil_id: str, today: date | None = None) -> RegisterPupil | None:
        response = self._get(who, f"/pupils/{pupil_id}")
        if response.status_code in (403, 404, 422):
            return None
        if response.status_code != 200:
            raise DirectoryUnavailable()
        return pupil_from(response.json(), today or local_today())

    def rektors(self, municipality: str, school_unit: str) -> tuple[str, ...]:
        return self._staff(municipality, school_unit, "rektor")

    def teachers(self, municipality: str, school_unit: str) -> tuple[str, ...]:
        return self._staff(municipality, school_unit, "teacher")

    def _staff(self, municipality: str, school_unit: str, role: str) -> tuple[str, ...]:
        response = self._get(service_identity(municipality), "/staff", {"school_unit": school_unit})
        if response.status_code != 200:
            raise DirectoryUnavailable()
        return tuple(s["user_id"] for s in response.json()["staff"]
                     if s.get("role") == role and school_unit in (s.get("school_units") or [school_unit]))

    def register_names(self, municipality: str) -> list[dict[str, Any]]:
        response = self._get(service_identity(municipality), "/register/names")
        if response.status_code != 200:
            raise DirectoryUnavailable()
        return list(response.json()["people"])
