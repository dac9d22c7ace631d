"""Login with OpenID Connect: the one way into Stödspår, in production and in development.

The frontend is an OIDC relying party (Authlib's Starlette client): authorization code flow
with PKCE (S256), `state` bound to the browser's session and a `nonce` bound to the ID token.
The ID token's signature is checked against the issuer's JWKS, and its `iss`, `aud`, `exp`,
`iat` and `nonce`. The issuer is whatever OIDC_ISSUER names: the municipality's identity
provider in production, the development provider (services/devidp) for `make run` and the
tests; there is no other code path.

Who the person is in Stödspår (role, municipality, school units) comes either from the ID
token's claims (OIDC_IDENTITY_SOURCE=token: `name`, `role`, `municipality`, `school_units`, `medical`,
the development provider issues them) or from the directory, looked up by the token's `sub`
(OIDC_IDENTITY_SOURCE=directory, for a federated provider that only knows who someone is, not
what they do in the school): the people SS 12000 does not carry from the seed file
(DEV_ORGANISATION_FILE: region, BUS secretariat, municipality administrators), school staff
from the directory service's GET /staff/{sub} (their role and units from their duties).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuth

from eventkit.config import env
from eventkit.identity import Identity, Role
from frontend.devlogin import Organisation

CLIENT_NAME = "idp"
TIMEOUT_SECONDS = 5.0


class LoginRefused(Exception):
    """The provider's answer cannot log anyone in; the message is for the person, in Swedish."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    metadata_url: str
    redirect_uri: str = ""  # empty: this site's /auth/callback as the browser addressed it
    post_logout_redirect_uri: str = ""  # empty: this site's /utloggad
    identity_source: str = "token"
    scope: str = "openid profile"

    @classmethod
    def from_env(cls) -> "OidcSettings":
        issuer = env("OIDC_ISSUER").rstrip("/")
        source = env("OIDC_IDENTITY_SOURCE", "token")
        if source not in ("token", "directory"):
            raise RuntimeError("OIDC_IDENTITY_SOURCE must be 'token' or 'directory'")
        return cls(
            issuer=issuer,
            client_id=env("OIDC_CLIENT_ID"),
            client_secret=env("OIDC_CLIENT_SECRET"),
            metadata_url=env("OIDC_METADATA_URL", "") or f"{issuer}/.well-known/openid-configuration",
            redirect_uri=env("OIDC_REDIRECT_URI", ""),
            post_logout_redirect_uri=env("OIDC_POST_LOGOUT_REDIRECT_URI", ""),
            identity_source=source,
            scope=env("OIDC_SCOPE", "openid profile"),
        )

    @property
    def issuer_origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def make_client(settings: OidcSettings):
    oauth = OAuth()
    oauth.register(
        CLIENT_NAME,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={"scope": settings.scope, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
    )
    return oauth.create_client(CLIENT_NAME)


async def check_issuer(client, settings: OidcSettings) -> None:
    """The discovery document must be the configured issuer's own (OIDC Discovery 4.3);
    Authlib then checks every ID token's `iss` against it."""
    metadata = await client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != settings.issuer:
        raise LoginRefused("Inloggningstjänsten svarade med fel utfärdare. Kontakta kommunens IT-stöd.")


NOT_IN_DIRECTORY = "Du finns inte i Stödspårs organisationskatalog. Kontakta din kommunadministratör."
# The directory's staff member by user id (None: not there, or without a current duty).
StaffLookup = Callable[[str], Awaitable[dict[str, Any] | None]]


async def identity_from_claims(
    claims: dict, organisation: Organisation, source: str, staff_member: StaffLookup | None = None
) -> Identity:
    """Who logged in, as Stödspår knows them; LoginRefused when the claims do not say enough.
    With source "directory", `staff_member` asks the directory (its faults pass through)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise LoginRefused("Inloggningstjänsten angav inte vem du är.")
    if source == "directory":
        known = organisation.user(subject)  # the people SS 12000 does not carry
        if known is not None:
            return known
        member = await staff_member(subject) if staff_member else None
        if member is None:
            raise LoginRefused(NOT_IN_DIRECTORY)
        try:
            return Identity(
                user_id=subject,
                display_name=str(member["name"]),
                role=Role(member["role"]),
                municipality=str(member["municipality"]),
                school_units=tuple(str(unit) for unit in member.get("school_units") or ()),
                medical=member.get("medical") is True,
            )
        except (KeyError, ValueError, TypeError):
            raise LoginRefused(NOT_IN_DIRECTORY) from None
    try:
        role = Role(claims["role"])
        municipality = str(claims["municipality"])
        units = claims.get("school_units") or []
        if isinstance(units, str):
            units = units.split()
        return Identity(
            user_id=subject,
            display_name=str(claims.get("name") or subject),
            role=role,
            municipality=municipality,
            school_units=tuple(str(unit) for unit in units),
            medical=claims.get("medical") is True,  # R14: optional; absent means non-medical
        )
    except (KeyError, ValueError, TypeError):
        raise LoginRefused(
            "Inloggningstjänsten angav inte din roll och kommun i Stödspår. Kontakta din kommunadministratör."
        ) from None
