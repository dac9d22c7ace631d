"""Organisations and places that stay readable (R22): they are not the child.

Two sources: what every municipality shares (the public bodies of the collaboration, the
county's municipalities and Stockholm's districts, below), and the municipality's own list of
the organisations it works with and their public phone numbers (the deployment's settings,
`organisations` per kommunkod), passed in as `KnownOrganisations`. An organisation's name is
matched as a phrase, also in the genitive ("Skolverkets"); its phone numbers are not findings.
A name inside an organisation's name ("Astrid" in "Astrid Lindgrens barnsjukhus") is part of
the organisation, not a person.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from deidentify.numbers import phone_digits

PUBLIC_BODIES = """
Astrid Lindgrens barnsjukhus; Drottning Silvias barnsjukhus; Sankt Lars; Sachsska barnsjukhuset;
Akademiska sjukhuset; Norrlands universitetssjukhus; Sunderby sjukhus; Sahlgrenska; Skånes universitetssjukhus;
Universitetssjukhuset i Linköping; Gällivare sjukhus; Kiruna sjukhus; Region Uppsala; Region Västerbotten;
Region Norrbotten; Region Skåne; Västra Götalandsregionen; Länstrafiken; Apoteket; Kronofogden; Skatteverket; Sachsska; Karolinska universitetssjukhuset; Karolinska;
Södersjukhuset; Danderyds sjukhus; Södertälje sjukhus; S:t Görans sjukhus; Capio S:t Görans sjukhus;
Region Stockholm; Stockholms stad; Stockholms läns landsting; Skolverket; Skolinspektionen; Socialstyrelsen;
Specialpedagogiska skolmyndigheten; SPSM; Barnombudsmannen; Försäkringskassan; Migrationsverket; Polisen;
Arbetsförmedlingen; Inspektionen för vård och omsorg; IVO; Skolväsendets överklagandenämnd; Barn- och ungdomspsykiatrin;
Barn- och ungdomspsykiatri; Barn- och ungdomshabiliteringen; Habilitering & Hälsa; Habilitering och Hälsa;
Maria Ungdom; Rädda Barnen; BRIS; Stockholms Stadsmission; Stadsmissionen; Röda Korset; Ronald McDonald Hus;
BUS-sekretariatet; Barnahus; Ungdomsmottagningen; Vårdcentralen; Elevhälsan; Socialtjänsten; Kommunens
socialtjänst; Familjehemsenheten; Resursskolan; Skolskjutsen; Centrala elevhälsan; Elevhälsoteamet; Google Meet;
Microsoft Teams; Teams; Zoom; Vklass; IST; Skolplattformen; Unikum; TakeCare; Journal via nätet; 1177 Vårdguiden;
Vårdguiden; Skolfam; Mini-Maria; Prima Barn; Prima Maria; Sociala jouren; Socialjouren; BUP-akuten; BUP
"""

# The municipalities of Stockholm county, other large Swedish towns and Stockholm's districts.
PLACES = """
Stockholm; Botkyrka; Danderyd; Ekerö; Haninge; Huddinge; Järfälla; Lidingö; Nacka; Norrtälje; Nykvarn;
Nynäshamn; Salem; Sigtuna; Sollentuna; Solna; Sundbyberg; Södertälje; Tyresö; Täby; Upplands Väsby;
Upplands-Bro; Vallentuna; Vaxholm; Värmdö; Österåker; Göteborg; Malmö; Uppsala; Västerås; Örebro;
Linköping; Helsingborg; Jönköping; Norrköping; Umeå; Gävle; Borås; Eskilstuna; Karlstad; Sundsvall; Luleå;
Söder; Farsta; Skärholmen; Rinkeby; Kista; Tensta; Husby; Spånga; Bromma; Hägersten; Liljeholmen; Enskede; Årsta;
Vantör; Skarpnäck; Södermalm; Kungsholmen; Norrmalm; Östermalm; Hässelby; Vällingby; Älvsjö; Tallkrogen;
Bagarmossen; Rågsved; Hagsätra; Högdalen; Fittja; Alby; Hallunda; Norsborg; Flemingsberg; Tumba; Jakobsberg;
Hjulsta; Akalla; Hökarängen; Gubbängen; Sköndal; Fruängen; Västertorp; Midsommarkransen; Aspudden; Gröndal;
Hornstull; Slussen; Sergels torg; T-Centralen; Fridhemsplan; Medborgarplatsen; Globen; Gullmarsplan;
Björkhagen; Solberga; Örby; Stureby; Svedmyra; Hammarbyhöjden; Kärrtorp; Skogskyrkogården; Sandsborg;
Hammarby sjöstad; Sickla; Hjorthagen; Vasastan; Gamla stan; Lindhagen; Ulvsunda; Abrahamsberg; Blackeberg;
Råcksta; Grimsta; Bredäng; Sätra; Vårberg; Mälarhöjden; Axelsberg; Hässelby strand; Skärholmens centrum;
Geneta; Ronna; Hovsjö; Brunnsäng; Västergård; Pershagen; Järna; Mölnbo; Hölö; Grödinge; Vårsta; Storvreten;
Visättra; Sjödalen; Fullersta; Vårby; Segeltorp; Stuvsta; Snättringe; Trångsund; Skogås; Länna; Handen; Jordbro;
Uppsala; Enköping; Knivsta; Tierp; Östhammar; Håbo; Heby; Älvkarleby; Gottsunda; Sävja; Stenhagen; Gränby;
Umeå; Ålidhem; Holmsund; Teg; Mariehem; Skellefteå; Lycksele; Vindeln; Kiruna; Gällivare; Jokkmokk; Pajala;
Övertorneå; Haparanda; Kalix; Boden; Piteå; Arvidsjaur; Arjeplog; Älvsbyn; Vittangi; Karesuando; Tuolluvaara;
Lombolo; Malmberget; Koskullskulle; Jukkasjärvi; Abisko; Östersund; Luleå C; Kiruna C; Umeå C; Uppsala C;
Sverige; Norden; Europa; Stockholms län; Södertörn; Roslagen
"""


# Numbers everybody may write: the police, the health line, emergency, BRIS, the children's helpline.
PUBLIC_NUMBERS = ("114 14", "11414", "1177", "112", "116 111", "116111", "020-91 91 91", "0771-120 120")


def _split(listing: str) -> list[str]:
    return [item.strip() for item in listing.replace("\n", " ").split(";") if item.strip()]


@dataclass(frozen=True)
class Organisation:
    name: str
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownOrganisations:
    """The organisations (and places) whose names and public numbers are not personal data."""

    organisations: tuple[Organisation, ...] = ()
    _phrases: re.Pattern | None = field(default=None, compare=False, repr=False)
    _numbers: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def of(cls, organisations: Iterable[Organisation | dict] = ()) -> "KnownOrganisations":
        own = tuple(o if isinstance(o, Organisation) else Organisation(o["name"], tuple(o.get("phones", ())))
                    for o in organisations)
        names = sorted({*(o.name for o in own), *_split(PUBLIC_BODIES), *_split(PLACES)}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
        saints = r"|S:t\s+\w+|Sankt\s+\w+|S:ta\s+\w+"  # "S:t Gabriels kyrka": a church, not a person
        pattern = re.compile(r"(?<![\w])(?:" + alternatives + saints + r")(?:s|'s)?(?![\w])", re.IGNORECASE)
        numbers = frozenset(phone_digits(p) for o in own for p in (*o.phones, *PUBLIC_NUMBERS))
        return cls(own, pattern, numbers)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where known organisations and places are named in (normalised) text, and the
        numbers everybody may write (the police's 114 14)."""
        if self._phrases is None:
            return
        for match in self._phrases.finditer(text):
            yield match.start(), match.end()
        for number in PUBLIC_NUMBERS:
            for match in re.finditer(r"(?<![\w-])" + re.escape(number) + r"(?![\w-])", text):
                yield match.start(), match.end()

    def is_public_number(self, number: str) -> bool:
        return phone_digits(number) in self._numbers


EVERYWHERE = KnownOrganisations.of()
DEFAULT_SETTINGS = Path(__file__).resolve().parents[2] / "deploy" / "municipality-settings.json"


@lru_cache(maxsize=64)
def configured(municipality: str) -> KnownOrganisations:
    """The municipality's own organisations, from the deployment's settings
    (MUNICIPALITY_SETTINGS_FILE, `organisations` per kommunkod), with those everywhere shares."""
    path = Path(os.environ.get("MUNICIPALITY_SETTINGS_FILE") or DEFAULT_SETTINGS)
    try:
        settings = json.loads(path.read_text(encoding="utf-8")).get("municipalities", {})
    except OSError:
        settings = {}
    return KnownOrganisations.of(settings.get(municipality, {}).get("organisations", []))
