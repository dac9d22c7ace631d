"""The development identity provider: a small but real OpenID Connect provider.

`make run` and the tests log in through it exactly as production logs in through a
municipality's identity provider: the frontend's OIDC client (authorization code flow with
PKCE, state and nonce) does not know the difference. It serves

- `/.well-known/openid-configuration` (discovery) and `/jwks` (its public signing key),
- `/authorize`: a Swedish page listing who can log in, one button each: the school staff of the
  development SS 12000 register (services/ss12000dev's seed, built here in-process, so the
  same people the directory syncs), by municipality and school unit with their duties' roles,
  and the people the register does not carry (deploy/dev-organisation.json's users: region,
  BUS secretariat, municipality administrators); choosing one sends an authorization code to
  the client's redirect URI,
- `/token`: exchanges the code (client secret and PKCE verifier checked) for an ID token
  signed with RS256, carrying name, role, municipality and school units,
- `/logout`: RP-initiated logout (end_session_endpoint).

Configuration (deploy/stodspar.env): OIDC_ISSUER (its own address), OIDC_CLIENT_ID and
OIDC_CLIENT_SECRET (the one client it knows, the frontend), DEV_IDP_REDIRECT_URIS (the
client's registered redirect URIs, comma separated), DEV_ORGANISATION_FILE,
DEV_SS12000_PUPILS_PER_UNIT (the register's seed depends on it, as the development SS 12000
server's does). Optionally
DEV_IDP_BACKCHANNEL_URL: where the client reaches /token and /jwks when that differs from
the address the browser uses (containers). The signing key is made at start and kept in
memory only, as are the codes (single use, one minute).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from joserfc import jwt
from joserfc.jwk import RSAKey

from eventkit.config import env
from directory.domain.model import duty_role, staff_identity
from ss12000.models import Person
from ss12000dev import seed
from eventkit.dates import local_today

HERE = Path(__file__).resolve().parent
DEFAULT_ORGANISATION = HERE.parents[1] / "deploy" / "dev-organisation.json"
CODE_SECONDS = 60
ID_TOKEN_SECONDS = 5 * 60
ROLE_LABELS = {
    "teacher": "Lärare",
    "special_educator": "Specialpedagog",
    "eht_member": "Elevhälsoteam",
    "rektor": "Rektor",
    "municipality_admin": "Kommunadministratör",
    "region_staff": "Regionens personal",
    "bus_secretariat": "BUS-sekretariatet",
}
# The pupil-health team's professions, as the login page names them.
PROFESSION_LABELS = {"skolkurator": "Kurator", "skolsköterska": "Skolsköterska", "skolläkare": "Skolläkare",
                     "skolpsykolog": "Skolpsykolog"}
AUTHORIZE_FIELDS = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
                    "code_challenge", "code_challenge_method")


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    user: dict
    nonce: str | None
    code_challenge: str
    expires: float


def register_staff(organisation: dict, pupils_per_unit: int, on: dt.date | None = None) -> tuple[dict, ...]:
    """The development register's staff who have a Stödspår role by their current duties (the
    directory's own rule, directory.domain.model.staff_identity), in the seed file's user format."""
    return _register_staff(json.dumps(organisation, sort_keys=True), pupils_per_unit, on or local_today())


@lru_cache(maxsize=4)
def _register_staff(organisation_json: str, pupils_per_unit: int, on: dt.date) -> tuple[dict, ...]:
    register = seed.build(json.loads(organisation_json), pupils_per_unit)
    units = {o["id"]: o for o in register.organisations}
    duties: dict[str, list[dict]] = {}
    for duty in register.duties:  # as the directory keeps them: Stödspår's role and the profession
        role, profession = duty_role(duty["dutyRole"])
        duties.setdefault(duty["person"]["id"], []).append({
            "school_unit": units[duty["dutyAt"]["id"]]["schoolUnitCode"], "role": role, "profession": profession,
            "start_date": duty.get("startDate"), "end_date": duty.get("endDate")})
    people = []
    for record in register.persons:
        person = Person.model_validate(record)
        found = staff_identity(duties.get(record["id"], []), on) if person.user_id else None
        if found is None:
            continue
        municipality = next(o["municipalityCode"] for o in units.values()
                            if o["schoolUnitCode"] == found.school_units[0])
        people.append({
            "user_id": person.user_id, "name": f"{person.given_name} {person.family_name}", "role": found.role,
            "municipality": municipality, "school_units": list(found.school_units), "medical": found.medical,
            "profession": found.profession, "source": "register",
        })
    return tuple(people)


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    organisation: dict
    backchannel: str = ""
    # Who can log in: the register's staff and the seed file's users (None: made from
    # `organisation` and DEV_SS12000_PUPILS_PER_UNIT, as the development register seeds).
    people: tuple[dict, ...] | None = None
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True))
    codes: dict[str, Grant] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.people is None:
            others = tuple(self.organisation["users"])
            known = {u["user_id"] for u in others}
            staff = register_staff(self.organisation, int(env("DEV_SS12000_PUPILS_PER_UNIT", "300")))
            self.people = (*(p for p in staff if p["user_id"] not in known), *others)

    def user(self, user_id: str) -> dict | None:
        return next((u for u in self.people if u["user_id"] == user_id), None)

    def login_groups(self) -> list[dict]:
        """The login page's sections: per municipality its school units' staff (rektor first,
        then by name) and the others of the seed file by role; each person as (user, what the
        button says under the name)."""
        order = ["rektor", "special_educator", "eht_member", "teacher", *list(ROLE_LABELS)]
        names = {u["code"]: u["name"] for m in self.organisation["municipalities"] for u in m["school_units"]}

        def by_role(people):
            return sorted(people, key=lambda p: (order.index(p["role"]), p["name"]))

        groups = []
        for municipality in self.organisation["municipalities"]:
            units = []
            for unit in municipality["school_units"]:
                # Each person once, under their first unit (one button per person to choose).
                staff = [p for p in self.people if p.get("source") == "register" and p["school_units"][0] == unit["code"]]
                entries = []
                for user in by_role(staff):
                    label = PROFESSION_LABELS.get(user.get("profession", "")) or ROLE_LABELS[user["role"]]
                    elsewhere = [names.get(code, code) for code in user["school_units"] if code != unit["code"]]
                    entries.append((user, label + (f" · även {', '.join(elsewhere)}" if elsewhere else "")))
                if entries:
                    units.append((unit, entries))
            others = [
                (user, ROLE_LABELS[user["role"]] + (
                    " · " + ", ".join(names.get(c, c) for c in user["school_units"]) if user["school_units"] else ""))
                for user in by_role(p for p in self.people
                                    if p.get("source") != "register" and p["municipality"] == municipality["code"])
            ]
            if units or others:
                groups.append({"municipality": municipality, "units": units, "others": others})
        return groups

    def discovery(self) -> dict:
        back = (self.backchannel or self.issuer).rstrip("/")
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer.rstrip('/')}/authorize",
            "token_endpoint": f"{back}/token",
            "jwks_uri": f"{back}/jwks",
            "end_session_endpoint": f"{self.issuer.rstrip('/')}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "role", "municipality", "school_units", "medical", "nonce"],
        }

    def problem_with(self, params: dict) -> str | None:
        """Why an authorization request cannot be answered, in Swedish; None when it can."""
        if params.get("client_id") != self.client_id:
            return "Okänd klient (client_id)."
        if params.get("redirect_uri") not in self.redirect_uris:
            return "Återhoppsadressen (redirect_uri) är inte registrerad för klienten."
        if params.get("response_type") != "code":
            return "Bara auktoriseringskodflödet (response_type=code) stöds."
        if "openid" not in (params.get("scope") or "").split():
            return "Begäran saknar omfånget openid."
        if not params.get("state"):
            return "Begäran saknar state."
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return "Begäran saknar PKCE (code_challenge med S256)."
        return None

    def issue_code(self, params: dict, user: dict) -> str:
        code = secrets.token_urlsafe(32)
        with self.lock:
            now = time.time()
            for old in [c for c, g in self.codes.items() if g.expires < now]:
                del self.codes[old]
            self.codes[code] = Grant(params["client_id"], params["redirect_uri"], user,
                                     params.get("nonce"), params["code_challenge"], now + CODE_SECONDS)
        return code

    def redeem(self, code: str) -> Grant | None:
        with self.lock:
            grant = self.codes.pop(code, None)  # single use
        if grant is None or grant.expires < time.time():
            return None
        return grant

    def id_token(self, grant: Grant) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, self.claims_for(grant), self.key)

    def claims_for(self, grant: Grant) -> dict:
        now = int(time.time())
        user = grant.user
        claims = {
            "iss": self.issuer,
            "sub": user["user_id"],
            "aud": grant.client_id,
            "azp": grant.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + ID_TOKEN_SECONDS,
            "name": user["name"],
            "role": user["role"],
            "municipality": user["municipality"],
            "school_units": list(user["school_units"]),
            "medical": bool(user.get("medical", False)),  # R14: school nurse and doctor
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return claims


def _headers(response: Response, form_target: str = "") -> Response:
    form_action = "'self'" + (f" {form_target}" if form_target else "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"frame-ancestors 'none'; form-action {form_action}; base-uri 'none'; object-src 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _token_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def create_app(provider: Provider | None = None) -> FastAPI:
    if provider is None:
        organisation_file = env("DEV_ORGANISATION_FILE", str(DEFAULT_ORGANISATION))
        provider = Provider(
            issuer=env("OIDC_ISSUER"),
            client_id=env("OIDC_CLIENT_ID"),
            client_secret=env("OIDC_CLIENT_SECRET"),
            redirect_uris=tuple(u.strip() for u in env("DEV_IDP_REDIRECT_URIS").split(",") if u.strip()),
            organisation=json.loads(Path(organisation_file).read_text(encoding="utf-8")),
            backchannel=env("DEV_IDP_BACKCHANNEL_URL", ""),
        )
    app = FastAPI(title="Stödspår – utvecklingsinloggning (OIDC)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.provider = provider
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, context: dict, status: int = 200, form_target: str = "") -> Response:
        return _headers(templates.TemplateResponse(request, name, context, status_code=status), form_target)

    def chooser(request: Request, params: dict) -> Response:
        problem = provider.problem_with(params)
        if problem:
            # Never redirect to an unverified address: say what is wrong here.
            return page(request, "problem.html", {"problem": problem}, status=400)
        return page(request, "authorize.html", {
            "groups": provider.login_groups(), "roles": ROLE_LABELS,
            "params": {k: params[k] for k in AUTHORIZE_FIELDS if params.get(k)},
        }, form_target=_origin(params["redirect_uri"]))

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict:
        return provider.discovery()

    @app.get("/jwks")
    def jwks() -> dict:
        return {"keys": [provider.key.as_dict(private=False)]}

    @app.get("/authorize")
    def authorize_page(request: Request) -> Response:
        return chooser(request, dict(request.query_params))

    @app.post("/authorize")
    async def authorize(request: Request) -> Response:
        form = await request.form()
        params = {k: str(form.get(k, "")) for k in AUTHORIZE_FIELDS}
        problem = provider.problem_with(params)
        user = provider.user(str(form.get("user_id", "")))
        if problem or user is None:
            return chooser(request, params)
        code = provider.issue_code(params, user)
        target = params["redirect_uri"] + "?" + urlencode({"code": code, "state": params["state"]})
        return _headers(RedirectResponse(target, status_code=303))

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if request.headers.get("authorization", "").lower().startswith("basic "):
            raw = base64.b64decode(request.headers["authorization"][6:]).decode()
            client_id, _, client_secret = (unquote(part) for part in raw.partition(":"))
        if client_id != provider.client_id or not secrets.compare_digest(
                str(client_secret or ""), provider.client_secret):
            return _token_error("invalid_client", "Unknown client or wrong secret.", 401)
        if form.get("grant_type") != "authorization_code":
            return _token_error("unsupported_grant_type", "Only authorization_code.")
        grant = provider.redeem(str(form.get("code", "")))
        if grant is None or grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
            return _token_error("invalid_grant", "Unknown, used or expired code, or another redirect_uri.")
        verifier = str(form.get("code_verifier", ""))
        if not verifier or not secrets.compare_digest(create_s256_code_challenge(verifier), grant.code_challenge):
            return _token_error("invalid_grant", "PKCE verification failed.")
        return JSONResponse({
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": ID_TOKEN_SECONDS,
            "scope": "openid profile",
            "id_token": provider.id_token(grant),
        }, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.get("/logout")
    def logout(request: Request, post_logout_redirect_uri: str = "", state: str = "") -> Response:
        allowed = {_origin(uri) for uri in provider.redirect_uris}
        if post_logout_redirect_uri and _origin(post_logout_redirect_uri) in allowed:
            target = post_logout_redirect_uri + (("?" + urlencode({"state": state})) if state else "")
            return _headers(RedirectResponse(target, status_code=303))
        return page(request, "logged_out.html", {})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # browsers ask; nothing to show

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    return app


app = create_app()
