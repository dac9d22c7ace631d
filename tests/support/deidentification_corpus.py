"""The labelled corpora of deviation texts (tests/data/deidentification/) and how the R22
check is measured on them: recall on the labelled personal data, false alarms on clean texts.

Three corpora, each with its municipality's register and organisations, written by different
people who did not see the detectors, and each first measured before anything was changed for
it: `corpus` (a Stockholm municipality, 202 texts), `holdout` (Botkyrka/Södertälje, 162 texts;
92.5% recall when first run) and `norrland` (Uppsala county and Norrbotten, with Sami,
Tornedalian, Dari and Ukrainian names, 141 texts; 94.3% when first run).

A labelled item is caught when every letter and digit of it lies inside some finding (a full
name may be found as two findings). A clean text is a false alarm when anything is found in it.
Used by tests/unit/test_deidentification_corpus.py and by `make bench`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from deidentify import Finding, KnownOrganisations, Register

DATA = Path(__file__).resolve().parents[1] / "data" / "deidentification"


@dataclass(frozen=True)
class Text:
    id: str
    text: str
    personal: tuple[tuple[str, str], ...]  # (exact text, kind)


@dataclass(frozen=True)
class Corpus:
    name: str  # "corpus" or "holdout"

    @property
    def _register_file(self) -> Path:
        return DATA / ("register.json" if self.name == "corpus" else f"{self.name}-register.json")

    def texts(self) -> list[Text]:
        with (DATA / f"{self.name}.jsonl").open(encoding="utf-8") as stream:
            rows = [json.loads(line) for line in stream if line.strip()]
        return [Text(r["id"], r["text"], tuple((p["text"], p["kind"]) for p in r["personal"])) for r in rows]

    def register_data(self) -> dict:
        return json.loads(self._register_file.read_text(encoding="utf-8"))

    def names(self) -> list[str]:
        return [f"{p['given_names']} {p['surname']}" for p in self.register_data()["persons"]]

    def register(self) -> Register:
        return Register.of(self.names())

    def known_organisations(self) -> KnownOrganisations:
        return KnownOrganisations.of(self.register_data()["organisations"])


CORPORA = (Corpus("corpus"), Corpus("holdout"), Corpus("norrland"))


@dataclass
class Figures:
    labelled: int = 0
    caught: int = 0
    clean: int = 0
    false_alarms: int = 0
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (text id, item, kind)
    alarms: list[tuple[str, list[str]]] = field(default_factory=list)  # (text id, what was found)

    @property
    def recall(self) -> float:
        return self.caught / self.labelled if self.labelled else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0

    def summary(self) -> str:
        return (f"recall {self.caught}/{self.labelled} = {self.recall:.1%} of labelled personal data; "
                f"false alarms on {self.false_alarms}/{self.clean} = {self.false_alarm_rate:.1%} of clean texts")


def _covered(text: str, item: str, findings: list[Finding]) -> bool:
    start = text.find(item)
    while start != -1:
        for offset, char in enumerate(item):
            position = start + offset
            if char.isalnum() and not any(f.start <= position < f.end for f in findings):
                return False
        start = text.find(item, start + 1)
    return True


def measure(corpus: Corpus, check: Callable[[str], list[Finding]]) -> Figures:
    figures = Figures()
    for entry in corpus.texts():
        findings = check(entry.text)
        if entry.personal:
            for item, kind in entry.personal:
                figures.labelled += 1
                if _covered(entry.text, item, findings):
                    figures.caught += 1
                else:
                    figures.missed.append((entry.id, item, kind))
        else:
            figures.clean += 1
            if findings:
                figures.false_alarms += 1
                figures.alarms.append((entry.id, [f"{f.kind.value}:{f.text}" for f in findings]))
    return figures
