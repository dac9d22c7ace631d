"""The pupil search and listing (GET /pupils): an index in the service's memory, so a search or
a list of the caller's units answers in milliseconds with 100,000 persons, and no name is ever
stored in clear in PostgreSQL (names are in the key store, encrypted under each person's key, R17).

Built at start from the person table and the key store's identities; the sync and the local
registration update it as they write. Names are matched at the start of any word, case and
accents ignored ("asa" finds "Åsa"). A list is in class order, then by family name (the name's
last word: the key store holds the whole name), in Swedish order (å, ä, ö after z; 7A before 10A).
"""
from __future__ import annotations

import bisect
import heapq
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from directory.domain.model import PUPIL, birth_date_of


def fold(text: str) -> str:
    """Lower case without accents: "Åsa Öberg" → "asa oberg"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    """The folded words of a query, punctuation left out: "Öberg, Åsa" → oberg, asa."""
    return re.findall(r"\w[\w'-]*", fold(text))


# Swedish order: å, ä, ö are letters of their own after z (Danish and Norwegian spellings with
# them, ü with y); other accents sort as the letter without one (é as e).
_SWEDISH = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})


def swedish_key(text: str) -> str:
    """A sort key in Swedish alphabetical order: "Åberg" after "Zetterberg", "Éva" as "Eva"."""
    return fold(text.casefold().translate(_SWEDISH))


def class_key(class_name: str) -> tuple:
    """Classes in the order a school counts them: förskoleklass (F, FA, Fsk B) first, then 1A,
    2B, … 9C, 10A; no class last."""
    preschool = re.fullmatch(r"f[a-z]{0,2}|fsk.*|forskoleklass.*", fold(class_name)) is not None
    parts = re.split(r"(\d+)", swedish_key(class_name))
    return (not class_name, not preschool, tuple(int(p) if n % 2 else p for n, p in enumerate(parts)))


def name_order(name: str) -> tuple[str, str]:
    """Family name (the last word), then the whole name."""
    words = name.split()
    return swedish_key(words[-1] if words else ""), swedish_key(name)


def name_words(name: str) -> list[str]:
    """The words a name is found by: each word, and a double name's parts as well, so
    "Anna-Karin Lind-Åberg" is found by "karin" and by "aberg"."""
    words = words_of(name)
    return words + [piece for word in words if "-" in word for piece in word.split("-") if piece]


@dataclass
class Entry:
    pupil_id: str
    municipality: str
    name: str
    haystack: str  # " " + the folded name words: a query word matches where " " + it occurs
    personal_number: str
    protected: bool
    removed: bool
    placements: list[dict[str, Any]]
    order: tuple[str, str] = ("", "")  # name_order(name)

    def hit(self, unit: str, class_name: str) -> dict[str, Any]:
        return {"pupil_id": self.pupil_id, "name": self.name, "class_name": class_name, "school_unit": unit,
                "birth_date": birth_date_of(self.personal_number).isoformat(), "protected": self.protected}


# A placement at one unit as the search reads it: (folded class, class, start, end), dates as ISO
# text (which compare as the dates do), so nothing is parsed per search.
Placed = tuple[str, str, str, str]
# A placement in a unit's list: (class order, name order, pupil id, entry, class, start, end, folded class).
Listed = tuple[tuple, tuple[str, str], str, Entry, str, str, str, str]


class Bucket:
    """The pupils placed at one unit, with the look-ups a search starts from: the sorted words of
    their names (a prefix is a range), their classes, rebuilt when the unit's pupils changed."""

    def __init__(self) -> None:
        self.pupils: dict[str, tuple[Entry, list[Placed]]] = {}
        self._words: list[tuple[str, str]] | None = None
        self._classes: dict[str, set[str]] | None = None
        self._listed: list[Listed] | None = None

    def changed(self) -> None:
        self._words = self._classes = self._listed = None

    def listed(self) -> list[Listed]:
        """Every placement at the unit in list order (class, family name), sorted once per change."""
        if self._listed is None:
            self._listed = sorted(
                ((class_key(class_name), entry.order, pupil_id, entry, class_name, start, end, class_folded)
                 for pupil_id, (entry, placed) in self.pupils.items()
                 for class_folded, class_name, start, end in placed),
                key=lambda row: row[:3])
        return self._listed

    def starting_with(self, prefix: str) -> set[str]:
        if self._words is None:
            self._words = sorted((word, pupil_id) for pupil_id, (entry, _) in self.pupils.items()
                                 for word in set(entry.haystack.split()))
        found, at = set(), bisect.bisect_left(self._words, (prefix, ""))
        while at < len(self._words) and self._words[at][0].startswith(prefix):
            found.add(self._words[at][1])
            at += 1
        return found

    def in_class(self, folded: str) -> set[str]:
        if self._classes is None:
            self._classes = {}
            for pupil_id, (_, placed) in self.pupils.items():
                for class_folded, *_ in placed:
                    self._classes.setdefault(class_folded, set()).add(pupil_id)
        return self._classes.get(folded, set())


class PupilIndex:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._by_unit: dict[tuple[str, str], Bucket] = {}
        self._numbers: dict[tuple[str, str], set[str]] = {}  # (municipality, 12 or last 10 digits) → ids
        self._lock = threading.Lock()

    def put(self, person: dict[str, Any], personal_number: str | None, name: str | None) -> None:
        """The person as now (a pupil placed somewhere, or not a pupil any more: dropped). Without
        an identity the one indexed is kept (a change of structure only)."""
        pupil_id = person["person_id"]
        with self._lock:
            old = self._entries.pop(pupil_id, None)
            if old is not None:
                for placement in old.placements:
                    bucket = self._by_unit.get((old.municipality, placement["school_unit"]))
                    if bucket is not None and bucket.pupils.pop(pupil_id, None) is not None:
                        bucket.changed()
                for digits in (old.personal_number, old.personal_number[2:]):
                    self._numbers.get((old.municipality, digits), set()).discard(pupil_id)
            state = person["state"]
            if PUPIL not in state["kinds"]:
                return
            if personal_number is None or name is None:
                if old is None:
                    return
                personal_number, name = old.personal_number, old.name
            entry = Entry(pupil_id, person["municipality"], name, " " + " ".join(name_words(name)), personal_number,
                          bool(state["protected"]), bool(person["removed"]), list(state["placements"]), name_order(name))
            self._entries[pupil_id] = entry
            for digits in (personal_number, personal_number[2:]):
                self._numbers.setdefault((entry.municipality, digits), set()).add(pupil_id)
            for placement in entry.placements:
                bucket = self._by_unit.setdefault((entry.municipality, placement["school_unit"]), Bucket())
                placed = bucket.pupils.setdefault(pupil_id, (entry, []))[1]
                placed.append((fold(placement["class_name"]), placement["class_name"], placement["start_date"] or "",
                               placement["end_date"] or ""))
                bucket.changed()

    def put_many(self, people: Iterable[tuple[dict[str, Any], str | None, str | None]]) -> None:
        for person, number, name in people:
            self.put(person, number, name)

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, municipality: str, units: list[str], q: str, *, see_protected: bool, today: date,
               limit: int = 25) -> list[dict[str, Any]]:
        """Pupils placed now at one of `units` whose name, class or personnummer `q` matches."""
        digits = "".join(ch for ch in q if ch.isdigit())
        by_number = len(digits) in (10, 12) and not any(ch.isalpha() for ch in q)
        words = words_of(q)
        parts = [" " + word for word in words]
        wanted = fold(q.replace(" ", ""))
        day = today.isoformat()
        hits = []
        with self._lock:
            for unit in units:
                bucket = self._by_unit.get((municipality, unit))
                if bucket is None:
                    continue
                if by_number:
                    candidates = self._numbers.get((municipality, digits), set())
                else:
                    candidates = bucket.in_class(wanted) | (bucket.starting_with(max(words, key=len)) if words else set())
                for pupil_id in candidates:
                    found = bucket.pupils.get(pupil_id)
                    if found is None:
                        continue
                    entry, placed = found
                    if entry.removed or (entry.protected and not see_protected):
                        continue
                    for class_folded, class_name, start, end in placed:
                        if start > day or (end and end < day):
                            continue
                        if by_number or class_folded == wanted or all(part in entry.haystack for part in parts):
                            hits.append((entry.haystack, unit, entry.pupil_id, entry, class_name))
                        break
        first = heapq.nsmallest(limit, hits, key=lambda h: h[:3])
        return [entry.hit(unit, class_name) for _, unit, _, entry, class_name in first]

    def listing(self, municipality: str, units: list[str], *, class_name: str | None = None, see_protected: bool,
                today: date, limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """The pupils placed now at one of `units` (of one class, when asked), in class order and
        then by family name: (how many in all, the page from `offset`). A pupil placed at two of
        the units is listed at each."""
        wanted = fold(class_name.replace(" ", "")) if class_name else None
        day = today.isoformat()
        rows: list[tuple[Listed, str]] = []
        with self._lock:
            for unit in units:
                bucket = self._by_unit.get((municipality, unit))
                if bucket is None:
                    continue
                for row in bucket.listed():
                    entry, start, end, class_folded = row[3], row[5], row[6], row[7]
                    if (start > day or (end and end < day) or entry.removed or (entry.protected and not see_protected)
                            or (wanted is not None and class_folded != wanted)):
                        continue
                    rows.append((row, unit))
        if len(units) > 1:
            rows.sort(key=lambda found: found[0][:3])
        # A placement of the same pupil at the same unit twice (two classes at once): listed once.
        seen: set[tuple[str, str]] = set()
        unique = []
        for row, unit in rows:
            if (row[2], unit) not in seen:
                seen.add((row[2], unit))
                unique.append((row, unit))
        page = unique[offset:offset + limit]
        return len(unique), [row[3].hit(unit, row[4]) for row, unit in page]
