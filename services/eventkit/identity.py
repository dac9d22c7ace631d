"""The identity seam: who is acting, in which role, municipality and school units.

Every request to a service carries a signed identity in the `X-Stodspar-Identity` header.
The frontend signs it after login; a service verifies the signature and refuses requests
without one. The signature (itsdangerous, HMAC-SHA256 with a shared key and an expiry)
means a caller cannot widen its own scope by editing the header.

The signed claims also say which service the identity is for (`aud`, e.g. "cases"), who
sent it (`caller`, e.g. "frontend") and its own id (`jti`). A service refuses an identity
without an audience, meant for another service, or sent by a caller that may not call it
(CALLERS); an identity lives at most MAX_AGE_SECONDS, and one that has changed data once is
refused the second time (eventkit.http keeps the ids it has seen for their lifetime). So a
header captured on its way to one service can be replayed neither against another nor, for a
change, against the same one.
"""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from eventkit.config import env

HEADER = "X-Stodspar-Identity"
# A command's idempotency key, sent beside the identity (eventkit.http, ADR 0023).
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_AGE_SECONDS = 60

# Who may call each service (the audience): the frontend calls every one; the deviations
# service asks the cases service (the R22 register check) and the county view (held messages);
# the documentation service asks the cases service for the pupil's case; the county worker asks
# the cases service for the register check before publishing. Tests act as the frontend.
CALLERS: dict[str, frozenset[str]] = {
    "cases": frozenset({"frontend", "deviations", "documentation", "county"}),
    "deviations": frozenset({"frontend"}),
    "competence": frozenset({"frontend"}),
    "documentation": frozenset({"frontend"}),
    "followup": frozenset({"frontend"}),
    "county": frozenset({"frontend", "deviations"}),
    "quality": frozenset({"frontend"}),
    "accesslog": frozenset({"frontend"}),
    # Att göra: the frontend; the notifications service asks for a user's counts only.
    "worklist": frozenset({"frontend", "notifications"}),
    # The directory (ADR 0026): the frontend (login, pupil search, staff), the cases service (a
    # pupil to open a case for, the names for R22).
    "directory": frozenset({"frontend", "cases"}),
}


class Role(str, enum.Enum):
    TEACHER = "teacher"
    SPECIAL_EDUCATOR = "special_educator"
    EHT_MEMBER = "eht_member"
    REKTOR = "rektor"
    MUNICIPALITY_ADMIN = "municipality_admin"
    REGION_STAFF = "region_staff"
    BUS_SECRETARIAT = "bus_secretariat"


@dataclass(frozen=True)
class Identity:
    user_id: str
    display_name: str
    role: Role
    municipality: str  # kommunkod, e.g. "0180" for Stockholm
    school_units: tuple[str, ...] = field(default_factory=tuple)
    # R14: the medical part of the student health team (skolsköterska, skolläkare) is its own
    # confidentiality domain. Optional in the claims, so identities signed without it are non-medical.
    medical: bool = False

    def belongs_to(self, school_unit: str) -> bool:
        return school_unit in self.school_units

    def to_claims(self) -> dict:
        return {
            "sub": self.user_id,
            "name": self.display_name,
            "role": self.role.value,
            "kommun": self.municipality,
            "units": list(self.school_units),
            "medical": self.medical,
        }

    @classmethod
    def from_claims(cls, claims: dict) -> "Identity":
        return cls(
            user_id=claims["sub"],
            display_name=claims["name"],
            role=Role(claims["role"]),
            municipality=claims["kommun"],
            school_units=tuple(claims["units"]),
            medical=claims.get("medical", False) is True,
        )


class NotPermitted(Exception):
    """The acting identity may not do this (wrong role, municipality, organisation or unit)."""


class IdentityRejected(Exception):
    """The identity header was missing, forged or expired."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(env("IDENTITY_SIGNING_KEY"), salt="stodspar-identity")


def sign(identity: Identity, *, audience: str, caller: str) -> str:
    """The header value: `identity`, for the service `audience`, sent by `caller`, with an id
    of its own."""
    claims = identity.to_claims()
    claims.update(aud=audience, caller=caller, jti=uuid.uuid4().hex)
    return _serializer().dumps(claims)


@dataclass(frozen=True)
class Verified:
    identity: Identity
    token_id: str
    caller: str  # the service that sent it (CALLERS)


def verify(token: str | None, *, audience: str) -> Verified:
    """The identity in `token`, if signed with our key, not older than MAX_AGE_SECONDS, meant
    for `audience` and sent by a caller that may call it; else IdentityRejected."""
    if not token:
        raise IdentityRejected("Anropet saknar identitet (inloggning krävs).")
    try:
        claims = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except SignatureExpired as exc:
        raise IdentityRejected("Identiteten har gått ut; logga in igen.") from exc
    except BadSignature as exc:
        raise IdentityRejected("Identiteten är inte giltig.") from exc
    if not isinstance(claims, dict):
        raise IdentityRejected("Identiteten är ofullständig.")
    if claims.get("aud") != audience:
        raise IdentityRejected("Identiteten är avsedd för en annan tjänst.")
    if claims.get("caller") not in CALLERS.get(audience, ()):
        raise IdentityRejected("Den tjänsten får inte anropa den här.")
    token_id = claims.get("jti")
    if not isinstance(token_id, str) or not token_id:
        raise IdentityRejected("Identiteten är ofullständig.")
    try:
        return Verified(Identity.from_claims(claims), token_id, claims["caller"])
    except (KeyError, ValueError, TypeError) as exc:
        raise IdentityRejected("Identiteten är ofullständig.") from exc
