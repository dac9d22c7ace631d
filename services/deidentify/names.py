"""Names of people in normalised text: the register's, the lexicon's, and unknown ones.

Three detectors, strongest first:
(a) the register (`Register`): every pupil and guardian of the municipality that Stödspår
    knows, given as input. Found as full names and as any part alone, in the genitive
    ("Idas", "Lukas'", "Max's"), as a short form or the registered name of a short form
    ("Kalle" for Karl, nicknames), and spelled differently where the letters sound alike
    ("Mohammad" for Mohammed: `skeleton`);
(b) the lexicon (`Lexicon`): given names and surnames used in Sweden, so a child with no
    record here is still found;
(c) a capitalised word that is not at the start of a sentence and is not a Swedish word, a
    known organisation or a place: flagged for the manager to look at.

A word that is both an ordinary Swedish word and a name ("vilja", "juni", "berg") is read as
the word unless it is capitalised mid-sentence or stands beside another name ("Vilja Berg").
Words inside a known organisation's name are never names (organisations.py).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from deidentify.nicknames import variants

TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?")
SENTENCE_END = ".!?:;\n\u2022*•>|"
DEFAULT_LEXICON = Path(__file__).resolve().parents[2] / ".cache" / "deidentify" / "lexicon-sv.json.gz"


class LexiconMissing(Exception):
    """The lexicon file is not there: a text cannot be checked without it."""


@dataclass(frozen=True)
class Lexicon:
    given: frozenset[str]
    surnames: frozenset[str]
    common: frozenset[str]  # ordinary words (both word lists): a lower-case name here is the word
    vocabulary: frozenset[str]  # every Swedish word form: a capitalised one here is not an unknown name
    places: frozenset[str]
    proper: frozenset[str] = frozenset()  # every proper noun of the dictionary, names and places

    @classmethod
    def of(cls, *, given: Iterable[str] = (), surnames: Iterable[str] = (), common: Iterable[str] = (),
           vocabulary: Iterable[str] = (), places: Iterable[str] = (), proper: Iterable[str] = ()) -> "Lexicon":
        return cls(frozenset(given), frozenset(surnames), frozenset(common), frozenset(vocabulary) | frozenset(common),
                   frozenset(places), frozenset(proper) | frozenset(places))

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "Lexicon":
        path = Path(path or os.environ.get("DEIDENTIFY_LEXICON") or DEFAULT_LEXICON)
        try:
            with gzip.open(path, "rt", encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError) as exc:
            raise LexiconMissing(str(path)) from exc
        return cls.of(**data)

    def is_name(self, word: str) -> bool:
        return word in self.given or word in self.surnames

    def is_word(self, word: str) -> bool:
        """Whether a (lower-case) word is Swedish: a listed form, or a compound of two (never
        a name split in two: "karlsson" is not "karls" + "son")."""
        if word in self.vocabulary:
            return True
        if self.is_name(word) or word.endswith("s") and self.is_name(word[:-1]):
            return False
        for split in range(3, len(word) - 3):  # both parts words of three and four letters at least
            head, tail = word[:split], word[split:]
            if tail in self.vocabulary and (head in self.vocabulary or head.endswith("s") and head[:-1] in self.vocabulary):
                return True
        return False


_LOADING = threading.Lock()


def shared_lexicon() -> Lexicon:
    """The lexicon, loaded once per process: requests that ask at once (a service's threads) wait
    for the one load (each loading its own would hold a copy each while it lasted: 180 MB a copy)."""
    with _LOADING:
        return _loaded()


@lru_cache(maxsize=1)
def _loaded() -> Lexicon:
    return Lexicon.load()


_SOUNDS = (("ph", "f"), ("th", "t"), ("ch", "k"), ("ck", "k"), ("qu", "kv"), ("q", "k"), ("c", "k"),
           ("x", "ks"), ("z", "s"), ("w", "v"), ("dj", "j"), ("gj", "j"), ("hj", "j"), ("lj", "j"))
_VOWELS = set("aeiouyåäöéèáàüæø")


def skeleton(word: str) -> str:
    """A spelling-independent key: letters that sound alike are one, vowel runs are one, double
    letters are one. "Mohammed", "Muhammad" and "Mohamad" share one; so do "Mikael" and "Michael"."""
    word = unicodedata.normalize("NFC", word.lower())
    if word.startswith("y") and len(word) > 1 and word[1] in _VOWELS:
        word = "j" + word[1:]
    for sound, plain in _SOUNDS:
        word = word.replace(sound, plain)
    out: list[str] = []
    for index, char in enumerate(word):
        if char in _VOWELS:
            char = char if index == 0 else "V"
        elif char == "h" and index > 0:
            continue
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


def word_forms(word: str) -> tuple[str, ...]:
    """The word and what it may be the genitive of: "idas" → ida, "lukas'" → lukas, "max's" → max."""
    low = word.lower()
    forms = [low]
    if low.endswith("'s"):
        forms.append(low[:-2])
    elif low.endswith("'"):
        forms.append(low[:-1])
    elif low.endswith("s") and len(low) >= 3:
        forms.append(low[:-1])
    return tuple(forms)


@dataclass(frozen=True)
class Register:
    """The names of the municipality's people, indexed for one pass over a text."""

    parts: frozenset[str] = frozenset()
    skeletons: frozenset[str] = frozenset()
    size: int = 0

    @classmethod
    def of(cls, names: Iterable[str]) -> "Register":
        table = variants()
        parts: set[str] = set()
        count = 0
        for name in names:
            count += 1
            for part in TOKEN.findall(name.lower()):
                part = part.strip("'")
                if len(part) < 2:
                    continue
                parts.add(part)
                parts.update(table.get(part, ()))
                if "-" in part:  # "Anna-Karin", "Ali-Hassan": the parts alone too
                    parts.update(p for p in part.split("-") if len(p) >= 2)
        skeletons = {skeleton(p) for p in parts if len(p) >= 4}
        return cls(frozenset(parts), frozenset(skeletons), count)

    @classmethod
    def joined(cls, *registers: "Register") -> "Register":
        return cls(frozenset().union(*(r.parts for r in registers)), frozenset().union(*(r.skeletons for r in registers)),
                   sum(r.size for r in registers))

    def matches(self, word: str) -> str | None:
        """"exact" if the word (or what it is the genitive of) is a registered name part,
        "sound" if it only sounds like one, else None."""
        forms = word_forms(word)
        if any(f in self.parts for f in forms):
            return "exact"
        if len(word) >= 4 and any(skeleton(f) in self.skeletons for f in forms if len(f) >= 4):
            return "sound"
        return None


EMPTY_REGISTER = Register()


def at_sentence_start(text: str, start: int) -> bool:
    """Whether the word at `start` begins a sentence, a line or a list item."""
    index = start - 1
    while index >= 0 and text[index] in " \t\"'(«»[-–":
        index -= 1
    return index < 0 or text[index] in SENTENCE_END


def register_matches(text: str, register: Register) -> list[tuple[int, int, str]]:
    """(start, end, "exact" or "sound") of every word of normalised `text` that matches the
    register: what the service keeping the register answers, never the registered names."""
    found = []
    for match in TOKEN.finditer(text):
        word = match.group()
        how = register.matches(word)
        if not how and "-" in word:  # "Hassan-familjen", "Zelmira-Kvarnson": a registered part in a compound
            pieces = [register.matches(piece) for piece in word.split("-") if len(piece.strip("'")) >= 2]
            how = "exact" if "exact" in pieces else "sound" if "sound" in pieces else None
        if how:
            found.append((match.start(), match.end(), how))
    return found


@dataclass(frozen=True)
class NameSpan:
    start: int
    end: int
    strength: int  # 3 registered, 2 lexicon, 1 capitalised unknown word


REGISTERED, LEXICON, CAPITALISED = 3, 2, 1


@dataclass
class _Token:
    start: int
    end: int
    text: str
    strength: int = 0
    name_part: bool = False  # a name in register or lexicon, even if read as a word here


def find_names(text: str, lexicon: Lexicon, register: Register, excluded: Iterable[tuple[int, int]] = (),
               registered_spans: Iterable[tuple[int, int, str]] = ()) -> list[NameSpan]:
    """Names in normalised `text`. `excluded`: spans of known organisations and places;
    `registered_spans`: (start, end, "exact" or "sound") of register matches made where the
    register is (`register_matches`, run by the service that keeps the register)."""
    blocked = sorted(excluded)
    registered = sorted(registered_spans)
    tokens: list[_Token] = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if any(s <= start and end <= e for s, e in blocked):
            continue
        tokens.append(_Token(start, end, match.group()))
    for token in tokens:
        token.strength, token.name_part = _judge(text, token, lexicon, register, registered)
    _join_neighbours(text, tokens)
    spans = _spans(text, tokens)
    for match in INITIALS.finditer(text):  # "G.A. kommer ha kvar sin plats"
        if not any(s.start <= match.start() < s.end for s in spans) and \
                not any(s <= match.start() and match.end() <= e for s, e in blocked):
            spans.append(NameSpan(match.start(), match.end(), LEXICON))
    return sorted(spans, key=lambda s: s.start)


# Words after which a name follows ("mamma Åsa", "storasyster saga", "eleven Vilja").
KIN = frozenset(
    "mamma pappa mor far mamman pappan modern fadern bror syster brodern systern storebror lillebror storasyster "
    "lillasyster storebrodern lillebrodern storasystern lillasystern styvpappa styvmamma bonuspappa bonusmamma "
    "mormor morfar farmor farfar kusin kusinen kompis kompisen klasskompis klasskompisen vän vännen dotter son "
    "dottern sonen tvilling tvillingen tvillingbror tvillingsyster elev eleven eleverna vh vårdnadshavare "
    "vårdnadshavaren vårdnadshavarna barnet flickan pojken tjejen killen flicka pojke familjen syskon syskonet "
    "halvbror halvsyster fosterhemsmamma fosterhemspappa familjehemsmamma familjehemspappa moster mostern "
    "morbror morbrodern faster fastern farbror farbrodern styvfar styvmor mormorn farmorn morfadern farfadern "
    "sambo sambon flickvän pojkvän fru man maken frun hustru hustrun make".split()
)
# Words for people that are not names, though written first or capitalised ("Eleven (6 år)").
ROLES = frozenset(
    "rektor rektorn lärare läraren mentor mentorn kurator kuratorn skolsköterskan specialpedagog specialpedagogen "
    "elevassistent elevassistenten handläggare handläggaren psykolog psykologen läkare läkaren personal personalen "
    "skolan klassen gruppen ingen någon alla båda".split()
)
# After a name, set off by a comma, who the person is ("Liv, hennes kompis, …").
APPOSITION_AFTER = re.compile(r"\s*,\s*(?:hennes|hans|deras|elevens|barnets|min|vår|dennes)\s+(?P<who>\w+)", re.IGNORECASE)
# A signature: the name after a greeting that closes a message ("Mvh Inga", "/Ronja").
SIGNED = re.compile(r"(?:\b(?:mvh|vh|hälsningar|hälsning|hälsn|vänliga hälsningar|med vänlig hälsning|kram)[.,:!]?|(?:^|\s)/)\s*$",
                    re.IGNORECASE)
# After a name: a class or year ("Vilja i 2B", "ask i 6c", "Sol (åk 3)").
CLASS_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:\(\s*)?(?:i\s+)?(?:åk\.?\s*\d|år\s*\d|klass\s*\d|\d{1,2}\s?[a-zA-ZÅÄÖåäö]\b|förskoleklass"
    r"|\d{1,2}\s*år\b|\d{6}(?:\d{2})?\s?[-+]\s?\d{4}|f\.\s?\d|född\b)",
    re.IGNORECASE,
)
AGE_OR_CLASS_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:\(\s*)?(?:i\s+)?(?:åk\.?\s*\d|\d{1,2}\s*år\b|\d{1,2}\s?[a-zA-ZÅÄÖåäö]\b|förskoleklass)", re.IGNORECASE)
# A parenthesis after a name that says who the person is ("Lilja (Love Eks syster)").
WHO_AFTER = re.compile(r"\s*\((?P<inside>[^)]{0,60})\)")
# After a preposition of place a proper noun is a place ("i Lund", "från Tumba").
PLACE_BEFORE = re.compile(r"(?:^|\s)(?:i|från|till|vid|utanför|nära|mot|genom|via|runt)\s+$", re.IGNORECASE)
# Abbreviations written first in a sentence or a note ("Mvh", "Ang.", "Ev."): not names.
ABBREVIATIONS = frozenset(
    "mvh vh vg ang ev bl obs tel nr kl enl inkl resp dvs osv mfl ca st fr tom fom pga tex mm ink ref anm "
    "fakturanr dnr ärendenr orgnr remissnr ocr ht vt lgh tr ggr gg anteckn antecknat sekr hälsn hälsningar "
    "tack hej hejsan mejl sms info org".split()
)


def _acronym(word: str) -> bool:
    """BUP, SoL, LVU, EHT: a short word in capitals, or with capitals inside."""
    letters = word.replace("-", "")
    return len(letters) <= 4 and (letters.isupper() and len(letters) > 1 or any(c.isupper() for c in letters[1:]))


# Verbs that follow a person as the subject: "Sol har inte varit i skolan", "Vilja kom inte".
PERSON_VERBS = frozenset((PERSON_VERBS_TEXT := (
    "har hade är var kom kommer berättar berättade säger sa sade vill ville ska skulle kan kunde behöver behövde "
    "går gick fick får mår mådde brukar verkar saknar saknade missade missar slutade började börjar pratar pratade "
    "tycker tyckte bor bodde känner kände vägrar vägrade uppger uppgav träffar träffade följer följde "
    "ringer ringde skriver skrev gråter grät springer sprang sover sov äter åt vet visste hämtade hämtar "
    "lämnade lämnar väntar väntade mejlade mejlar ska slog sparkade hotade uteblev")).split())
INITIALS = re.compile(r"(?<![\w.])(?:[A-ZÅÄÖ]\.\s?){2,3}(?=\s+(?:" + "|".join(sorted(PERSON_VERBS_TEXT.split())) + r")\b)")


def _judge(text: str, token: "_Token", lexicon: Lexicon, register: Register,
           registered: list[tuple[int, int, str]]) -> tuple[int, bool]:
    """(how strongly the token is a name, whether it is a name part at all)."""
    word = token.text
    forms = word_forms(word)
    low = forms[0].strip("'")
    if low in lexicon.common and not lexicon.is_name(low) and (word[0].islower() or at_sentence_start(text, token.start)):
        forms = (low,)  # "klass" is the word, not Klas's; "hos Lunds" may be the Lund family's
    if "-" in low and not any(f in lexicon.given or register.matches(f) for f in (low,)):
        parts = [p for p in low.split("-") if p]
        originals = [o for o in word.split("-") if o]
        if all(lexicon.is_word(p) or p in lexicon.places or p in ABBREVIATIONS or _acronym(o)
               for p, o in zip(parts, originals)):
            return 0, False  # "SIP-möte", "BUP-psykologen", "Hägersten-Älvsjö"
        matched_remotely = next((how for s, e, how in registered if s <= token.start and token.end <= e
                                 and how != "protected"), None)  # register_matches takes a compound whole
        if matched_remotely == "exact":
            return REGISTERED, True  # "Hassan-familjen" of a registered Hassan
        if word[0].isupper() and any(register.matches(o) or any(lexicon.is_name(f) for f in word_forms(p))
                                     for p, o in zip(parts, originals)):
            in_register = any(register.matches(o) == "exact" for o in originals)
            return (REGISTERED if in_register else LEXICON), True  # "Karlsson-Berg", "Al-Hassans"
    if _acronym(word):
        return 0, False
    if low in ABBREVIATIONS and (word[:1].isupper() or text[token.end:token.end + 1] == "."):
        return 0, False
    shouted = word.isupper() and len(word) > 1
    capitalised = word[0].isupper() and not shouted
    first_in_sentence = at_sentence_start(text, token.start)
    if capitalised and low in lexicon.proper and low not in lexicon.given and not _after_kin(text, token) \
            and PLACE_BEFORE.search(text[max(0, token.start - 12):token.start]):
        return 0, False  # "i Lund", "från Tumba": a place (a given name after "till" is a person)
    mid_capital = capitalised and not first_in_sentence
    common = any(f in lexicon.common for f in forms)
    in_register = register.matches(word)
    if not in_register:
        in_register = next((how for s, e, how in registered if s <= token.start and token.end <= e and how != "protected"), None)
    in_lexicon = any(lexicon.is_name(f) or f in _NICKNAMES for f in forms) and (len(low) > 2 or word[0].isupper())
    if in_register == "sound" and any(lexicon.is_word(f) for f in forms):
        in_register = None  # sounds like a registered name but is a Swedish word
    name_part = bool(in_register or in_lexicon)
    if name_part and _in_strong_context(text, token, first_in_sentence):
        return (REGISTERED if in_register else LEXICON), True
    if capitalised and low not in KIN and low not in ROLES and low not in ABBREVIATIONS \
            and (len(low) <= 5 or not lexicon.is_word(low)) \
            and (AGE_OR_CLASS_AFTER.match(text, token.end) or _who_after(text, token) or _apposition_after(text, token)
                 or SIGNED.search(text[max(0, token.start - 40):token.start]) or _after_kin(text, token)):
        return LEXICON, False  # "Sol (6 år)", "Liv, hennes kompis", "Mvh Inga": a capitalised word said to be a person
    if (in_register or in_lexicon and not common) and _in_name_context(text, token, lexicon):
        return (REGISTERED if in_register and not common else LEXICON), True
    if in_register:
        if mid_capital or shouted or (not capitalised and not any(f in lexicon.vocabulary for f in forms)):
            return REGISTERED, True
        if capitalised and re.match(r" \d", text[token.end:token.end + 2]) and any(f in lexicon.vocabulary for f in forms):
            return 0, True  # "Max 2 besök per termin"
        if capitalised and (not common or _followed_by_a_verb(text, token)):
            return REGISTERED, True  # "Kalle kom inte", "Sol har inte varit …", first in a sentence
        return 0, True
    place = any(f in lexicon.places for f in forms)
    if in_lexicon and not place:
        if mid_capital:
            return LEXICON, name_part
        if capitalised:  # first in a sentence: a name unless it is also an ordinary word
            return (0 if common else LEXICON), name_part
        return (0 if any(f in lexicon.vocabulary for f in forms) else LEXICON), name_part
    if capitalised and len(low) > 2 and not place and not any(lexicon.is_word(f) for f in forms):
        return CAPITALISED, name_part  # (c): an unknown capitalised word, for the manager to look at
    return 0, name_part


def _followed_by_a_verb(text: str, token: "_Token") -> bool:
    following = TOKEN.match(text, token.end + 1) if text[token.end:token.end + 1] == " " else None
    return following is not None and following.group().lower() in PERSON_VERBS


def _after_kin(text: str, token: "_Token") -> bool:
    """Right after a word for a relation: "mamma Åsa", "mamma till Rosa", "bror åt Kalle"."""
    before = text[max(0, token.start - 40):token.start]
    previous = [w.lower() for w in TOKEN.findall(before)]
    if previous[-2:-1] and previous[-1] in ("till", "åt", "för") and previous[-2] in KIN:
        return True
    return bool(previous) and previous[-1] in KIN and before.rstrip(" :,")[-1:].isalpha()


def _apposition_after(text: str, token: "_Token") -> bool:
    after = APPOSITION_AFTER.match(text, token.end)
    return bool(after) and after["who"].lower() in KIN


def _who_after(text: str, token: "_Token") -> bool:
    who = WHO_AFTER.match(text, token.end)
    return bool(who) and any(w.lower() in KIN for w in TOKEN.findall(who["inside"]))


def _in_strong_context(text: str, token: "_Token", first_in_sentence: bool) -> bool:
    """A class, an age or an identity number after it ("Vilja i 2B", "Sol (6 år)", "Tindra
    160101+3251"), a parenthesis saying who the person is, a kinship word after its genitive
    ("Tindras mamma"), or a person's verb after it where a subject stands ("Sol har inte
    varit …", "storasyster saga följer med …")."""
    if CLASS_AFTER.match(text, token.end):
        return True
    if _who_after(text, token) or _apposition_after(text, token):
        return True
    if SIGNED.search(text[max(0, token.start - 40):token.start]):
        return True
    following = TOKEN.match(text, token.end + 1) if text[token.end:token.end + 1] == " " else None
    if token.text.lower().endswith(("s", "'")) and following is not None and following.group().lower() in KIN:
        return True
    return (first_in_sentence or _after_kin(text, token)) and _followed_by_a_verb(text, token)


def _in_name_context(text: str, token: "_Token", lexicon: Lexicon) -> bool:
    word = token.text.lower()
    if _after_kin(text, token):
        # "eleven Vilja", "mamma maria", not "eleven max 20"
        return token.text[0].isupper() or word not in lexicon.vocabulary or (
            word in lexicon.given and word not in lexicon.common and not re.match(r"\s+\d", text[token.end:]))
    return bool(CLASS_AFTER.match(text, token.end))


def _join_neighbours(text: str, tokens: list[_Token]) -> None:
    """A name part beside a found name is part of it ("Vilja Berg", "K. Lindqvist"), and a
    word found as a name once is a name wherever else it stands in the text ("Sol Andersson …
    Sol berättar")."""
    changed = True
    while changed:
        changed = False
        for index, token in enumerate(tokens):
            if token.strength:
                continue
            initial = len(token.text) == 1 and (token.text.isupper() or text[token.end:token.end + 1] == ".")
            for other in (tokens[index - 1] if index else None, tokens[index + 1] if index + 1 < len(tokens) else None):
                if other is None or not other.strength:
                    continue
                gap = text[min(token.end, other.end):max(token.start, other.start)]
                if "\n" in gap:
                    continue
                inverted = gap.strip() == "," and token.name_part and token.text[0].isupper() and other.text[0].isupper() \
                    and other.start > token.start and at_sentence_start(text, token.start)  # "Ek, Love –"
                if gap.strip() not in ("", "-") and not (initial and gap.strip() == ".") and not inverted:
                    continue
                if inverted:
                    token.strength = other.strength
                    changed = True
                    break
                capital_before = token.text[0].isupper() and other.start > token.start and other.strength >= LEXICON
                if token.name_part and (token.text[0].isupper() or other.text[0].islower()) or initial or capital_before:
                    token.strength = other.strength
                    changed = True
                    break
        for index, token in enumerate(tokens[:-2]):  # "Hannes och Felix Åkesson": names in a row
            middle, other = tokens[index + 1], tokens[index + 2]
            if (not token.strength and token.name_part and token.text[0].isupper() and other.strength
                    and other.text[0].isupper() and middle.text.lower() in ("och", "eller")):
                token.strength = LEXICON
                changed = True
        named = {t.text.lower() for t in tokens if t.strength >= LEXICON}
        for token in tokens:
            if not token.strength and token.text.lower() in named and (token.name_part or token.text[0].isupper()):
                token.strength = LEXICON
                changed = True


def _spans(text: str, tokens: list[_Token]) -> list[NameSpan]:
    spans: list[NameSpan] = []
    for token in tokens:
        if not token.strength:
            continue
        end = token.end
        if len(token.text) == 1 and text[end:end + 1] == ".":
            end += 1  # "K." as an initial
        if spans and not text[spans[-1].end:token.start].strip(" .-") and "\n" not in text[spans[-1].end:token.start]:
            last = spans.pop()
            spans.append(NameSpan(last.start, end, max(last.strength, token.strength)))
        else:
            spans.append(NameSpan(token.start, end, token.strength))
    return spans


_NICKNAMES = frozenset(variants())
