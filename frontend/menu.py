"""Which role is offered what: the main menu and the start page's shortcuts, in one list.

An entry is shown to the roles of its policy entry (eventkit.authz), the same table the page's
route and its service decide by, so nobody is offered a page that refuses them. Where the
domain narrows a permission to fewer roles (a delegation is rektor's, R5), the entry names
those roles too. A unit test logs in as every role and opens every entry it is shown (200)
and every entry it is not (refused): the list and the routes cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from eventkit import authz
from eventkit.identity import Identity, Role


@dataclass(frozen=True)
class Entry:
    label: str
    path: str
    permission: str | None = None  # the eventkit.authz entry whose roles see it; None: everyone
    only: frozenset[Role] | None = None  # narrower than the permission: the domain's rule
    shortcut: str = ""  # the start page's line about it; none: not on the start page
    personal: bool = False  # the user's own (settings): beside the name, not in the main menu

    def __post_init__(self) -> None:
        if self.permission is not None:
            authz.POLICY[self.permission]  # an unknown entry fails at import

    def allows(self, who: Identity) -> bool:
        if self.permission is not None and not authz.allows(who, self.permission):
            return False
        return self.only is None or who.role in self.only

    def is_current(self, path: str) -> bool:
        """The entry a page belongs to: its own path or one below it (the start page: only itself)."""
        return path == self.path or (self.path != "/" and path.startswith(self.path + "/"))


ENTRIES: tuple[Entry, ...] = (
    Entry("Start", "/"),
    Entry("Att göra", "/att-gora", "worklist.read",
          shortcut="Det som väntar på dig: utredningar, beslut, uppföljningar och avvikelser – det försenade först."),
    Entry("Mina elever", "/elever", "directory.pupils.read",
          shortcut="Eleverna på dina skolenheter, med deras öppna ärenden. Sök på namn, klass eller personnummer."),
    Entry("Nytt elevärende", "/arenden/nytt", "cases.write",
          shortcut="Öppna ett ärende för en elev, skriv upp extra anpassningar och anmäl till rektor när de inte räcker."),
    Entry("Uppföljning", "/uppfoljning", "followup.read",
          shortcut="Se öppna ärenden och anmälningar per skolenhet – och vilka som väntat för länge."),
    Entry("Dokumentation", "/dokumentation", "documentation.read"),
    Entry("Uppdrag och mål", "/kompetens", "competence.read"),
    Entry("Delegationer", "/delegationer", "cases.delegations.write", only=frozenset({Role.REKTOR})),  # R5
    Entry("Loggkontroll", "/loggkontroll", "accesslog.read",
          shortcut="Sök i loggen över vem som läst och ändrat elevers uppgifter, och se ovanliga åtkomster."),
    Entry("Gallring", "/gallring", "cases.disposal.read",
          shortcut="Se vilka elevers handlingar som ska gallras enligt dokumenthanteringsplanen, gallra dem och se tidigare gallringar."),
    Entry("Avvikelser", "/avvikelser", "deviations.read",
          shortcut="Rapportera samverkansproblem mellan verksamheter, hantera dem lokalt och skicka till BUS-sekretariatet."),
    Entry("Huvudmannens översikt", "/huvudman", "owner.read",
          shortcut="Kommunens skolenheter över tid: anmälningar, utredningar, beslut, åtgärdsprogram och avvikelser – "
                   "bara antal, aldrig en elev."),
    Entry("Länsbilden", "/lan", "county.read",
          shortcut="Avvikelser från hela länet per kommun, verksamhet, kategori och period – och årssammanställningen."),
    Entry("Inställningar", "/installningar", "notifications.preferences", personal=True),
)


def menu_for(who: Identity) -> list[Entry]:
    """The main menu of `who`, in order."""
    return [e for e in ENTRIES if not e.personal and e.allows(who)]


def personal_for(who: Identity) -> list[Entry]:
    """The links beside the user's name."""
    return [e for e in ENTRIES if e.personal and e.allows(who)]


def shortcuts_for(who: Identity) -> list[Entry]:
    """The start page's choices of `who`."""
    return [e for e in ENTRIES if e.shortcut and e.allows(who)]


def links_for(who: Identity) -> list[Entry]:
    """Every link of the header `who` is offered."""
    return menu_for(who) + personal_for(who)
