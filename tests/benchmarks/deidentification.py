"""The R22 check's figures for `make bench` (phase "deidentify", also alone: `make bench-deidentify`):

- recall and false alarms on the two labelled corpora, with the municipality's register and
  without it (tests/support/deidentification_corpus.py);
- the time to check a 2,000-character text against a register of 100,000 pupils and guardians
  plus the lexicon (p50 / p95 / p99 over 500 texts), and the time to index that register;
- the lexicon's memory (traced allocations while it loads) and its load time.
The register's names are drawn, seeded, from the lexicon itself, so it is as varied as a real one.
"""
from __future__ import annotations

import random
import statistics
import time
import tracemalloc

import deidentify
from deidentify.names import Lexicon
from tests.support.deidentification_corpus import CORPORA, measure

REGISTER_SIZE = 100_000
TEXT_LENGTH = 2_000
TEXTS = 500


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def figures() -> dict:
    tracemalloc.start()
    started = time.perf_counter()
    lexicon = Lexicon.load()
    load_s = time.perf_counter() - started
    lexicon_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()

    corpora = {}
    for corpus in CORPORA:
        register, known = corpus.register(), corpus.known_organisations()
        with_register = measure(corpus, lambda t: deidentify.check(t, lexicon=lexicon, register=register, known=known))
        without = measure(corpus, lambda t: deidentify.check(t, lexicon=lexicon, known=known))
        corpora[corpus.name] = {
            "texts": len(corpus.texts()),
            "labelled": with_register.labelled, "clean": with_register.clean,
            "recall": round(with_register.recall, 4), "false_alarm_rate": round(with_register.false_alarm_rate, 4),
            "recall_without_register": round(without.recall, 4),
            "false_alarm_rate_without_register": round(without.false_alarm_rate, 4),
        }

    rng = random.Random(20261126)
    given, surnames = sorted(lexicon.given), sorted(lexicon.surnames)
    names = [f"{rng.choice(given).title()} {rng.choice(surnames).title()}" for _ in range(REGISTER_SIZE)]
    started = time.perf_counter()
    register = deidentify.Register.of(names)
    index_s = time.perf_counter() - started
    pieces = [t.text for corpus in CORPORA for t in corpus.texts()]
    texts = []
    for _ in range(TEXTS):
        text = ""
        while len(text) < TEXT_LENGTH:
            text += rng.choice(pieces) + " "
        texts.append(text[:TEXT_LENGTH])
    times = []
    for text in texts:
        started = time.perf_counter()
        deidentify.check(text, lexicon=lexicon, register=register)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "corpora": corpora,
        "check_ms": {"p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "p99": _percentile(times, 0.99),
                     "mean": round(statistics.fmean(times), 2), "texts": TEXTS, "characters": TEXT_LENGTH,
                     "register_people": REGISTER_SIZE},
        "register_index_s": round(index_s, 2),
        "lexicon": {"mb": round(lexicon_mb), "load_s": round(load_s, 2), "given": len(lexicon.given),
                    "surnames": len(lexicon.surnames), "words": len(lexicon.vocabulary)},
    }
