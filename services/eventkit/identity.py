"""The identity seam: who is acting, in which role, municipality and school units.

Every request to a service carries a signed identity in the `X-Stodspar-Identity` header.
The frontend signs it after login; a service verifies the signature and refuses requests
without one. The signature (itsdangerous, HMAC-SHA256 with a shared key and an expiry)
means a caller cannot widen its own scope by editing the header.

The signed claims also say which service the identity is for (`aud`, e.g. "cases") and who
sent it (`caller`, e.g. "frontend"): a service refuses an identity meant for another one, so
a header captured on its way to one service cannot be replayed against another. Identities
without an audience (older callers, the tests' `headers_for`) are accepted by every service.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from eventkit.config import env

HEADER = "X-Stodspar-Identity"
MAX_AGE_SECONDS = 15 * 60


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


def sign(identity: Identity, *, audience: str | None = None, caller: str | None = None) -> str:
    """The header value: `identity`, for the service `audience`, sent by `caller`."""
    claims = identity.to_claims()
    if audience:
        claims["aud"] = audience
    if caller:
        claims["caller"] = caller
    return _serializer().dumps(claims)


def verify(token: str | None, *, audience: str | None = None) -> Identity:
    """The identity in `token`, if signed with our key, not expired and (when this service
    names itself as `audience`) not meant for another service; else IdentityRejected."""
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
    if audience and claims.get("aud") not in (None, audience):
        raise IdentityRejected("Identiteten är avsedd för en annan tjänst.")
    try:
        return Identity.from_claims(claims)
    except (KeyError, ValueError, TypeError) as exc:
        raise IdentityRejected("Identiteten är ofullständig.") from exc
