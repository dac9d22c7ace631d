"""R22 measured, not assumed: the check on labelled deviation texts written by people who did
not see the detectors (tests/data/deidentification/, tests/support/deidentification_corpus.py).

With the municipality's register every labelled piece of personal data is found, and at most
one clean text in ten raises anything. Without the register (a child with no record here) the
lexicon and capitalisation still find nearly all. `make bench` prints the same figures.
"""
import pytest

import deidentify
from tests.support.deidentification_corpus import CORPORA, Corpus, measure


@pytest.fixture(scope="module")
def lexicon():
    return deidentify.shared_lexicon()


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_r22_every_labelled_piece_of_personal_data_is_found_and_few_clean_texts_are_flagged(corpus: Corpus, lexicon):
    register, known = corpus.register(), corpus.known_organisations()
    figures = measure(corpus, lambda text: deidentify.check(text, lexicon=lexicon, register=register, known=known))
    print(f"{corpus.name} with register: {figures.summary()}")
    assert figures.labelled >= 150 and figures.clean >= 50
    assert figures.missed == [], figures.summary()
    assert figures.false_alarm_rate <= 0.10, (figures.summary(), figures.alarms)


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_r22_a_child_with_no_record_here_is_still_found(corpus: Corpus, lexicon):
    known = corpus.known_organisations()
    figures = measure(corpus, lambda text: deidentify.check(text, lexicon=lexicon, known=known))
    print(f"{corpus.name} without register: {figures.summary()}")
    assert figures.recall >= 0.95, (figures.summary(), figures.missed)
    assert figures.false_alarm_rate <= 0.10, (figures.summary(), figures.alarms)


def test_r22_the_corpus_is_at_least_150_texts_half_of_them_with_personal_data():
    texts = [t for c in CORPORA for t in c.texts()]
    with_data = [t for t in texts if t.personal]
    assert len(texts) >= 150 and len(with_data) >= len(texts) / 2
    kinds = {kind for t in with_data for _, kind in t.personal}
    assert kinds == {"identity_number", "birth_date", "phone", "email", "address", "postcode", "name"}
    for text in texts:
        assert all(item in text.text for item, _ in text.personal), text.id
