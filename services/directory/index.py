"""The pupil search (GET /pupils): an index in the service's memory, so a search within the
caller's units answers in milliseconds with 100,000 persons, and no name is ever stored in clear
in PostgreSQL (names are in the key store, encrypted under each person's key, R17).

Built at start from the person table and the key store's identities; the sync and the local
registration update it as they write. Names are matched at the start of any word, case and
accents ignored ("asa" finds "Åsa").
"""
from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from directory.domain.model import PUPIL, birth_date_of, current


def fold(text: str) -> str:
    """Lower case without accents: "Åsa Öberg" → "asa oberg"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass
class Entry:
    pupil_id: str
    municipality: str
    name: str
    words: tuple[str, ...]
    personal_number: str
    protected: bool
    removed: bool
    placements: list[dict[str, Any]]

    def hit(self, unit: str) -> dict[str, Any]:
        placement = next((p for p in self.placements if p["school_unit"] == unit), {"class_name": ""})
        return {"pupil_id": self.pupil_id, "name": self.name, "class_name": placement["class_name"],
                "school_unit": unit, "birth_date": birth_date_of(self.personal_number).isoformat(),
                "protected": self.protected}


class PupilIndex:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._by_unit: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()

    def put(self, person: dict[str, Any], personal_number: str | None, name: str | None) -> None:
        """The person as now (a pupil placed somewhere, or not a pupil any more: dropped). Without
        an identity the one indexed is kept (a change of structure only)."""
        pupil_id = person["person_id"]
        with self._lock:
            old = self._entries.pop(pupil_id, None)
            if old is not None:
                for placement in old.placements:
                    self._by_unit.get((old.municipality, placement["school_unit"]), set()).discard(pupil_id)
            state = person["state"]
            if PUPIL not in state["kinds"]:
                return
            if personal_number is None or name is None:
                if old is None:
                    return
                personal_number, name = old.personal_number, old.name
            entry = Entry(pupil_id, person["municipality"], name, tuple(fold(name).split()), personal_number,
                          bool(state["protected"]), bool(person["removed"]), list(state["placements"]))
            self._entries[pupil_id] = entry
            for placement in entry.placements:
                self._by_unit.setdefault((entry.municipality, placement["school_unit"]), set()).add(pupil_id)

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
        words = fold(q).split()
        wanted = fold(q.replace(" ", ""))
        hits = []
        with self._lock:
            for unit in units:
                for pupil_id in self._by_unit.get((municipality, unit), ()):
                    entry = self._entries[pupil_id]
                    if entry.removed or (entry.protected and not see_protected):
                        continue
                    placement = next((p for p in entry.placements if p["school_unit"] == unit and current(p, today)),
                                     None)
                    if placement is None:
                        continue
                    if by_number:
                        matched = entry.personal_number[-len(digits):] == digits
                    else:
                        matched = fold(placement["class_name"]) == wanted or all(
                            any(word.startswith(part) for word in entry.words) for part in words)
                    if matched:
                        hits.append(entry.hit(unit))
        hits.sort(key=lambda h: (fold(h["name"]), h["school_unit"]))
        return hits[:limit]
