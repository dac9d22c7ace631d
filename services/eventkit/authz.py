"""Who may see what: the least-privilege policy of every service, as one table (R14).

A permission is a role set and a scope. The role check is the first thing a service does
(403 whatever the ids, so it discloses nothing); the scope check is done on the data itself,
with the same "not found" for "not yours" as for "not there". Municipality and school units
come from the signed identity only (eventkit.identity), never from a query parameter or a body.

Every access decision by role goes through this table (`require`, `allows`); a role handed to
the domain as a fact (`by_rektor`, the party of a mission) is the domain's rule to judge. Every
route of every service's API names the entries it is decided by (`operation`), which a unit
test compares with the table of operations it keeps.

docs/architecture.md ("Who may see what") shows this table; a unit test keeps them equal.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from eventkit.identity import Identity, NotPermitted, Role


class Scope(str, enum.Enum):
    UNIT = "own school units"
    ORGANISATION = "own organisation (kommun or region)"
    COUNTY = "whole county, de-identified"
    OWN = "own record only"


CASE_WORKERS = frozenset({Role.TEACHER, Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER, Role.REKTOR})
STAFF = CASE_WORKERS | {Role.MUNICIPALITY_ADMIN, Role.REGION_STAFF}


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    scope: Scope
    what: str
    medical_only: bool = False  # R14: only the medical part of the student health team
    message: str = "Din roll har inte behörighet till det här."

    def allows(self, who: Identity) -> bool:
        return who.role in self.roles and (who.medical or not self.medical_only)


POLICY: dict[str, Permission] = {
    "cases.read": Permission(
        CASE_WORKERS, Scope.UNIT,
        "read a pupil's support case, its history and as-of views (protected pupils: granted staff only)",
        message="Din roll kan inte läsa elevärenden."),
    "cases.write": Permission(
        CASE_WORKERS, Scope.UNIT, "open a case and record its steps (the domain decides which steps are rektor's)",
        message="Din roll kan inte arbeta med elevärenden."),
    "cases.move": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT, "record that the pupil moves to another unit",
        message="Det är rektor som registrerar att eleven byter skolenhet."),
    "cases.protect": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT,
        "mark a pupil's case as protected identity, grant and revoke access to it (the rektor must have access)",
        message="Det är rektor som beslutar om skyddad identitet och vem som får se ärendet."),
    "cases.read_investigation": Permission(
        frozenset({Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER, Role.REKTOR}), Scope.UNIT,
        "read the investigation of a case: the views, the pedagogical assessment, the learning environment, the "
        "proposal (a teacher only while rektor has invited her, or as its investigator; otherwise her case read, "
        "history and as-of views leave it out)",
        message="Utredningen visas för den som deltar i den."),
    "cases.invite": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT,
        "invite a named teacher of the case's unit to its investigation, and withdraw the invitation (R14)",
        message="Det är rektor som bjuder in en lärare till utredningen."),
    "cases.medical": Permission(
        frozenset({Role.EHT_MEMBER}), Scope.UNIT,
        "read and write the medical record part of a case (school nurse, school doctor)", medical_only=True,
        message="Den medicinska delen av elevhälsan är ett eget sekretessområde."),
    "cases.delegations.read": Permission(
        CASE_WORKERS | {Role.MUNICIPALITY_ADMIN}, Scope.UNIT, "read a unit's register of delegations",
        message="Din roll kan inte se delegationer."),
    "cases.delegations.write": Permission(
        CASE_WORKERS, Scope.UNIT, "register or revoke a delegation (the domain allows rektor only, R5)",
        message="Din roll kan inte ändra delegationer."),
    "cases.names": Permission(
        STAFF, Scope.ORGANISATION,
        "where a text names one of the organisation's people, for the R22 check "
        "(positions, never a name; a protected pupil the caller is not granted: only \"protected\")",
        message="Din roll kan inte kontrollera namn."),
    "cases.pupils.find": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "find a pupil's pseudonymous reference by personnummer, for loggkontroll (R15)",
        message="Bara kommunens administratör kan söka elever i loggkontrollen."),
    "cases.dispose": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "dispose of a pupil's records when the municipality's plan says they are due (R17; the scheduled disposal too)",
        message="Bara kommunens administratör (eller den schemalagda gallringen) gallrar."),
    "cases.disposal.read": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "what falls due for disposal under the plan and the record of each run: counts per unit, year and kind "
        "of record, never a pupil's name (R17)",
        message="Gallringen sköts av kommunens administratör."),
    "followup.read": Permission(
        frozenset({Role.REKTOR, Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER}), Scope.UNIT,
        "rektor's follow-up view: open cases, counts, investigators (protected pupils: granted staff only)",
        message="Uppföljningsvyn är för rektor och elevhälsan."),
    "worklist.read": Permission(
        STAFF, Scope.OWN,
        "one's own tasks (Att göra) and their counts; the counts also for the notifications service "
        "(protected pupils: granted staff only)",
        message="Din roll har inga uppgifter i Stödspår."),
    "worklist.pupils": Permission(
        CASE_WORKERS, Scope.UNIT, "the open case and its status of each pupil of one's own unit (Mina elever; "
        "protected pupils: granted staff only)",
        message="Din roll kan inte se elevernas ärenden."),
    "deviations.read": Permission(
        STAFF, Scope.ORGANISATION,
        "the organisation's deviations: the unit's staff, the reporter and the administrator",
        message="Avvikelserapporteringen är till för kommunens och regionens personal."),
    "deviations.read.all": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "every deviation of the organisation, not only those of the own units or reported by oneself"),
    "deviations.report": Permission(
        STAFF, Scope.UNIT, "report a deviation from one's own unit (configured reporters, R20)",
        message="Avvikelserapporteringen är till för kommunens och regionens personal."),
    "deviations.configure": Permission(
        STAFF, Scope.UNIT,
        "who reports and who is responsible per unit: the administrator, the unit's rektor, its manager",
        message="Avvikelserapporteringen är till för kommunens och regionens personal."),
    "deviations.configure.units": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN, Role.REKTOR}), Scope.UNIT,
        "configure any of the own units (other staff: only a unit they are the responsible manager of)",
        message="Bara kommunens administratör, enhetens rektor eller ansvariga chef kan ändra inställningarna."),
    "deviations.handle": Permission(
        STAFF, Scope.ORGANISATION, "record actions and answers, solve locally, check and send to BUS "
        "(the domain allows the unit's responsible manager only, R21)",
        message="Avvikelserapporteringen är till för kommunens och regionens personal."),
    "competence.read": Permission(
        frozenset({Role.REKTOR, Role.SPECIAL_EDUCATOR}), Scope.UNIT,
        "a special educator's mission, goals, quality cycle, plan and profile: the mission's two parties only (R12)",
        message="Uppdrag och kvalitetsarbete är för rektor och specialpedagoger."),
    "competence.write": Permission(
        frozenset({Role.REKTOR, Role.SPECIAL_EDUCATOR}), Scope.UNIT,
        "start, describe, confirm and follow up a mission (the domain decides which steps are rektor's, R12, R13)",
        message="Uppdrag och kvalitetsarbete är för rektor och specialpedagoger."),
    "competence.start": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT, "start a special educator's mission in one's own unit (R12)",
        message="Uppdraget formuleras av rektor för den egna skolenheten."),
    "competence.profile.write": Permission(
        frozenset({Role.SPECIAL_EDUCATOR}), Scope.OWN, "record one's own profile: degree, qualification, specialisations",
        message="Profilen förs av specialpedagogen eller specialläraren själv."),
    "documentation.read": Permission(
        frozenset({Role.REKTOR, Role.SPECIAL_EDUCATOR}), Scope.UNIT,
        "the documentation of special educational interventions of the own units "
        "(pupil level: only for those who may see the pupil's case, R14)",
        message="Dokumentationen av specialpedagogiska insatser är för specialpedagoger och rektor."),
    "documentation.write": Permission(
        frozenset({Role.SPECIAL_EDUCATOR}), Scope.UNIT, "record, correct and withdraw an intervention of one's own unit",
        message="Det är specialpedagogen eller specialläraren som dokumenterar insatserna."),
    "quality.read": Permission(
        frozenset({Role.REKTOR, Role.SPECIAL_EDUCATOR}), Scope.UNIT,
        "rektor's quality view of the own units; a special educator's own record",
        message="Kvalitetsvyn är för rektor och specialpedagoger."),
    "quality.units": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT,
        "the quality view of every special educator of the own units (a special educator sees the own record)"),
    "county.read": Permission(
        frozenset({Role.BUS_SECRETARIAT}), Scope.COUNTY,
        "counts, trends, de-identified reports, CSV and the yearly compilation",
        message="Länsbilden är till för BUS-sekretariatet."),
    "directory.pupils.read": Permission(
        CASE_WORKERS, Scope.UNIT,
        "search or list the pupils placed at the own units and read one, with guardians (protected pupils: rektor only, R14)",
        message="Din roll kan inte söka elever."),
    "directory.pupils.register": Permission(
        frozenset({Role.REKTOR}), Scope.UNIT, "register a pupil the register does not know yet, at the own unit",
        message="Det är rektor som registrerar en elev som saknas i elevregistret."),
    "directory.staff.identity": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "who a login is: role and units from the person's current duties (the frontend's login job only)"),
    "directory.staff.read": Permission(
        STAFF, Scope.ORGANISATION, "the organisation's current staff, with role and units (names on pages, grants)",
        message="Din roll kan inte se personallistan."),
    "directory.staff.email": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "the staff's work e-mail addresses from the register, beside the staff list (the notifications job only)"),
    "directory.names": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "every pupil's and guardian's name of the municipality, for the R22 check (the cases service's job only)"),
    "directory.sync": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "run the sync from the SS 12000 register, see its last run and the quarantined records (or a service)",
        message="Bara kommunens administratör kan synkronisera katalogen."),
    "notifications.preferences": Permission(
        CASE_WORKERS | {Role.MUNICIPALITY_ADMIN}, Scope.OWN,
        "read and choose one's own e-mail notifications: none, once a day or at once (counts only, never a pupil)",
        message="Aviseringar om uppgifter finns för skolans personal."),
    "accesslog.read": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "search the access log of the municipality's records, with its flags (loggkontroll, R15)",
        message="Loggkontrollen är till för kommunens administratör."),
    "cases.pupils.log-names": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "the names of the pupils one page of loggkontroll shows, by pseudonymous reference (a protected pupil: "
        "only whether protected, unless granted; a disposed pupil: only that), access-logged (R14, R15)",
        message="Bara kommunens administratör ser elevernas namn i loggkontrollen."),
    "owner.read": Permission(
        frozenset({Role.MUNICIPALITY_ADMIN}), Scope.ORGANISATION,
        "the school owner's view: counts per school unit and period over the municipality's cases and deviations "
        "(never a pupil; counts from 1 to 4 and statistics over fewer than 5 cases not shown)",
        message="Huvudmannens översikt är till för kommunens administratör."),
}


def allows(who: Identity, key: str) -> bool:
    return POLICY[key].allows(who)


def require(who: Identity, key: str) -> None:
    """Refuse (403) a caller whose role is outside the permission, before any data is read."""
    permission = POLICY[key]
    if not permission.allows(who):
        raise NotPermitted(permission.message)


POLICY_EXTENSION = "x-policy"


def operation(*keys: str) -> dict[str, Any]:
    """A route's keyword arguments naming the policy entries its operation is decided by, as in
    `@router.post("/cases", **authz.operation("cases.write"))`. They are in the OpenAPI document
    as `x-policy`; a unit test compares every route's with its table of operations, so a route
    without them fails. An entry that is not in POLICY fails when the API is built."""
    unknown = [key for key in keys if key not in POLICY]
    if not keys or unknown:
        raise KeyError(f"an operation names one or more entries of eventkit.authz.POLICY, not {unknown or 'none'}")
    return {"openapi_extra": {POLICY_EXTENSION: list(keys)}}


def declared(route: Any) -> tuple[str, ...] | None:
    """The policy entries a route declared with `operation`; None for one that declared none."""
    keys = (getattr(route, "openapi_extra", None) or {}).get(POLICY_EXTENSION)
    return tuple(keys) if keys is not None else None


def in_unit(who: Identity, municipality: str, school_unit: str) -> bool:
    """The data is in the caller's municipality and one of the caller's school units."""
    return municipality == who.municipality and who.belongs_to(school_unit)


def units_in_scope(who: Identity, requested: str | None) -> list[str]:
    """The units a query may read: the caller's own, or one of them when asked for. A unit
    outside the identity is refused, not silently widened or emptied."""
    if requested is None or requested == "":
        return list(who.school_units)
    if not who.belongs_to(requested):
        raise NotPermitted("Du arbetar inte på den skolenheten.")
    return [requested]


ROLE_NAMES = {
    Role.TEACHER: "teacher", Role.SPECIAL_EDUCATOR: "special educator", Role.EHT_MEMBER: "EHT member",
    Role.REKTOR: "rektor", Role.MUNICIPALITY_ADMIN: "municipality admin", Role.REGION_STAFF: "region staff",
    Role.BUS_SECRETARIAT: "BUS secretariat",
}


def policy_table() -> str:
    """The policy as the Markdown table in docs/architecture.md."""
    lines = ["| permission | roles | scope | what |", "| --- | --- | --- | --- |"]
    for key, p in POLICY.items():
        roles = ", ".join(ROLE_NAMES[r] for r in Role if r in p.roles) + (" (medical only)" if p.medical_only else "")
        lines.append(f"| `{key}` | {roles} | {p.scope.value} | {p.what} |")
    return "\n".join(lines)
