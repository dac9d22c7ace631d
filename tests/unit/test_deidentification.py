"""R22: personal data about the child is found in free text, however it is written, and never
leaves redacted-or-not. Each detector of `deidentify` is tested here with a small lexicon of
its own (no file, no I/O); the real lexicon is measured on the labelled corpus
(test_deidentification_corpus.py).

Property-based (ADR 0010, ADR 0022): hypothesis generates valid personnummer and
samordningsnummer, and interim numbers with letters, writes them with every separator (none,
hyphen, plus, space, en dash, minus sign, non-breaking hyphen, no-break space, spaced dash)
and in every digit script (ASCII, full-width, Arabic-Indic, Devanagari), inside arbitrary
text, and checks that the detector finds them and that nothing the manager can do sends one.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from personnummer import personnummer

import deidentify
from deidentify import Kind, KnownOrganisations, Lexicon, Organisation, Register, numbers
from deviations.domain.configuration import UnitConfiguration
from deviations.domain.model import CONFIRM, REDACT, Deviation
from deviations.domain.rules import (
    IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted,
    ReportWithAPersonalIdentityNumberCannotBeSent,
)
from deviations.domain.values import InvolvedOrganisation, OrganisationKind, Side
from projections.county.republish import bus_data

# No text in these tests names a pupil with protected identity (R14 at entry is tested on its own).
NOBODY_PROTECTED = lambda text: False  # noqa: E731

TODAY = date(2026, 11, 26)
# A lexicon small enough to read: names, ordinary words (some both), places.
LEXICON = Lexicon.of(
    given=["kalle", "ida", "lukas", "max", "inez", "vilja", "saga", "wilma", "noah", "astrid", "omar", "elsa", "bo",
           "åsa", "örjan", "anna", "karl", "mohammed", "per"],
    surnames=["lindqvist", "andersson", "berg", "lindgren", "provsson", "ek"],
    common=["vilja", "berg", "saga", "per", "juni", "och", "i", "att", "elevens", "har", "en", "ett", "bo", "hemma",
            "mötet", "eleven", "skolan", "kom", "inte", "till", "pappa", "mamma", "med", "på"],
    vocabulary=["max", "elevhälsan", "socialtjänsten", "möte", "kallelse", "skola", "klass", "rektor", "remiss",
                "barnsjukhus", "sip", "ställdes", "in", "ärende", "ring", "vi", "familjen", "adress", "handlingsplan",
                "gånger", "mötet", "träffade", "rektor", "pratade", "om", "saken", "gällde", "lärare", "kompis",
                "väntade", "ringde", "alex", "även", "där", "hennes", "bror", "pratat"],
)
REGISTER = Register.of(["Karl Lindqvist", "Ida Andersson", "Lukas Berg", "Max Ek", "Inez Lindgren", "Mohammed Omar",
                        "Alexander Sandström", "Mikael Ek", "Vilja Berg", "Åsa Lindqvist"])


def found(text: str, register: Register = REGISTER, known: KnownOrganisations = deidentify.EVERYWHERE) -> list[tuple[str, str]]:
    return [(f.kind.value, f.text) for f in deidentify.check(text, lexicon=LEXICON, register=register, known=known, today=TODAY)]


# Identity numbers ----------------------------------------------------------------------------------------------------
def luhn(nine: str) -> int:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


SEPARATORS = ["", "-", " ", "+", "\u2013", "\u2212", "\u2011", "\u00a0", " - ", " \u2013 "]
DIGITS = {"ascii": "0123456789", "full-width": "０１２３４５６７８９", "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
          "devanagari": "०१२३४५६७८९"}


@st.composite
def identity_numbers(draw) -> str:
    """An identity number as someone might write it."""
    born = draw(st.dates(min_value=date(1905, 1, 1), max_value=date(2025, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    serial = draw(st.integers(min_value=1, max_value=999))
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    ten = nine + str(luhn(nine))
    if draw(st.booleans()):
        assert personnummer.valid(ten[:6] + "-" + ten[6:])  # a real number, as the library checks it
    if draw(st.integers(0, 9)) == 0:  # a typo in the check digit is still the child's number
        ten = ten[:9] + str((int(ten[9]) + 1) % 10)
    if draw(st.integers(0, 7)) == 0:  # an interim number: letters in the last four
        letters = draw(st.sampled_from(["T", "TF", "R"]))
        ten = ten[:6] + letters + ten[6 + len(letters):]
    long_form = draw(st.booleans())
    written = (f"{born.year // 100}" if long_form else "") + ten[:6] + draw(st.sampled_from(SEPARATORS)) + ten[6:]
    script = DIGITS[draw(st.sampled_from(sorted(DIGITS)))]
    return "".join(script[int(c)] if c.isdigit() else c for c in written)


surrounding = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "P", "Zs"), exclude_characters="\x00"),
                      max_size=60)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=identity_numbers(), before=surrounding, after=surrounding)
def test_r22_every_identity_number_in_any_format_is_found(number, before, after):
    assume(not numbers.REFERENCE_LABEL.search(before + " "))  # "dnr 100101-2382" is a reference (ADR 0022)
    text = f"{before} {number} {after}"
    findings = deidentify.identity_numbers_in(text)
    if not any(number.strip() in f.text for f in findings):
        # 0701010010 with a mistyped check digit is also a mobile number: found, as a phone number
        digits = deidentify.normalise(number).text
        assert numbers.MOBILE.fullmatch(digits) and not numbers.luhn_ok(digits), (text, findings)
        findings = [f for f in deidentify.check(text, lexicon=LEXICON, register=REGISTER, today=TODAY)
                    if number.strip() in f.text]
        assert [f.kind for f in findings] == [Kind.PHONE], (text, findings)
    redacted = deidentify.redact(text, findings)
    assert number.strip() not in redacted


def configuration() -> UnitConfiguration:
    return UnitConfiguration.configure(organisation="0180", unit="0180-ENG", reporters=["anna.lind"],
                                       manager="rolf.ek", configured_by="admin")


def checker(register: Register = REGISTER):
    return lambda text, field: deidentify.check(text, lexicon=LEXICON, register=register, field=field, today=TODAY)


def handled(description: str) -> Deviation:
    school = InvolvedOrganisation(OrganisationKind.SCHOOL, Side.MUNICIPALITY)
    bup = InvolvedOrganisation(OrganisationKind.CHILD_PSYCHIATRY, Side.REGION)
    deviation = Deviation.report(
        configuration=configuration(), reported_by="anna.lind", organisations=[school, bup], category="other",
        occurred_on=date(2026, 1, 5), description=description, tried_locally="Samtal", principled=False,
        arose_in=bup, today=date(2026, 1, 10), protected=NOBODY_PROTECTED,
    )
    deviation.record_action(configuration(), "rolf.ek", "Samtal med BUP", date(2026, 1, 11), protected=NOBODY_PROTECTED)
    deviation.collect_events()
    return deviation


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=identity_numbers(), before=surrounding, after=surrounding, confirm=st.booleans())
def test_r22_no_identity_number_in_any_format_reaches_the_regional_topic(number, before, after, confirm):
    """Whatever the manager decides, what is sent and republished to bus.deviations.v1 holds no
    identity number: confirming one is refused; redacting removes it."""
    assume(not numbers.REFERENCE_LABEL.search(before + " "))
    deviation = handled(f"{before} {number} {after}".strip() or number)
    findings = deviation.check(configuration(), "rolf.ek", checker=checker(), on=date(2026, 1, 12), protected=NOBODY_PROTECTED)
    decisions = {f.key: (CONFIRM if confirm and f.kind.redact_only else REDACT) for f in findings}
    try:
        deviation.send_to_bus(configuration(), "rolf.ek", decisions=decisions, checker=checker(), on=date(2026, 1, 12), protected=NOBODY_PROTECTED)
    except (IdentityNumbersBirthDatesAndRegisteredNamesAreAlwaysRedacted, ReportWithAPersonalIdentityNumberCannotBeSent):
        assert confirm
        return
    sent = deviation.collect_events()[-1]
    message = {"event_id": "00000000-0000-0000-0000-000000000000", "aggregate_id": str(deviation.id),
               "aggregate_version": sent.originator_version, "occurred_at": "2026-01-12T10:00:00+00:00",
               "municipality": "0180", "data": {
                   "deviation_id": str(deviation.id), "municipality": "0180", "reported_by": "municipality",
                   "organisations": deviation.organisations, "arose_in": deviation.arose_in, "category": "other",
                   "occurred_on": "2026-01-05", "principled": False, "description": sent.description,
                   "tried_locally": sent.tried_locally, "sent_on": "2026-01-12"}}
    published = bus_data(message)
    assert number.strip() not in str(published)
    assert not deidentify.never_sent_in(f"{published['description']} {published['tried_locally']}")


@pytest.mark.parametrize(
    "text",
    ["20100101-2382", "201001012382", "100101-2382", "100101+2382", "1001012382", "100101 2382", "100101 - 2382",
     "100101\u20132382", "100101\u22122382", "100101\u20112382", "100101\u00a02382", "１００１０１－２３８２",
     "١٠٠١٠١-٢٣٨٢", "701063-2391", "19701063-2391", "elevens nr:100101-2382.", "(20100101-2382)",
     "x 5201001012382 x", "100101-2383", "140302-T123", "20140302-TF23", "pnr 0912142387"],
)
def test_r22_identity_numbers_in_the_usual_and_unusual_formats_are_found(text):
    assert deidentify.identity_numbers_in(text), text


@pytest.mark.parametrize("text", [
    "2026-03-15", "möte 14.30 i rum 12", "SIP från 2025", "ärende 4711", "kl 8.00-12.00", "SIP-möte 2024-03-12 kl 13.30",
    "dnr 2024/1234", "ärendenr 240312-0045", "OCR 7612345678903", "org.nr 212000-0142", "SoL 11 kap. 1 §",
    "läsåret 2023/24", "v. 14", "3 av 5 tillfällen", "Ärende 231107-0011 (ärendenummer, inte personnummer)",
])
def test_r22_dates_references_and_small_numbers_are_not_mistaken_for_personal_data(text):
    assert found(text) == [], text


# Birth dates, phones, e-mail, addresses, postcodes ------------------------------------------------------------------
@pytest.mark.parametrize("text, date_text", [
    ("Eleven är född 3 maj 2015 och går i åk 5.", "3 maj 2015"),
    ("Eleven, f. 12/4-2013, har inte fått tid.", "12/4-2013"),
    ("Eleven (född 2010-06-14) väntar.", "2010-06-14"),
    ("Eleven är född den 14 juni 2011.", "14 juni 2011"),
    ("Kalle (2010-06-14) har väntat länge.", "2010-06-14"),
    ("Födelsedatum: 20150412.", "20150412"),
])
def test_r22_dates_of_birth_are_found_and_only_redacted(text, date_text):
    assert ("birth_date", date_text) in found(text)
    assert Kind.BIRTH_DATE.redact_only


def test_r22_a_former_teacher_and_a_meeting_date_are_not_dates_of_birth():
    assert found("Eleven har en f.d. lärare som kontaktperson; mötet (2026-03-12) ställdes in.") == []


@pytest.mark.parametrize("phone", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "0046 70 123 45 67",
                                   "+46(0)70-1234567", "08-712 34 56", "(08) 712 34 56", "073\u2013444 55 66"])
def test_r22_phone_numbers_are_found_in_every_swedish_form(phone):
    assert ("phone", phone) in found(f"Ring pappa på {phone} efter kl 16.")


def test_r22_an_organisations_public_number_and_name_stay_readable():
    known = KnownOrganisations.of([Organisation("BUP Söder", ("08-123 494 00",))])
    assert found("BUP Söder nås på 08-123 494 00 eller 08-12349400.", known=known) == []
    assert found("Remiss skickad till Astrid Lindgrens barnsjukhus.") == []


def test_r22_email_street_address_and_postcode_are_found():
    text = "Familjen bor på Storgatan 14 B, lgh 1102, 123 45 Farsta, mejl asa.lindqvist@gmail.com."
    kinds = found(text)
    assert ("address", "Storgatan 14 B, lgh 1102") in kinds
    assert ("postcode", "123 45") in kinds
    assert ("email", "asa.lindqvist@gmail.com") in kinds
    assert ("address", "Sjöviksbacken 12, 1 tr") in found("Adress: Sjöviksbacken 12, 1 tr.")


def test_r22_an_address_ends_at_its_number_or_house_letter():
    assert ("address", "Storgatan 3") in found("Familjen flyttar till Storgatan 3 i Solna.")
    assert ("address", "Storgatan 14b") in found("Familjen bor på Storgatan 14b nu.")


def test_r22_an_ordinary_word_and_a_number_is_not_an_address():
    assert found("Handlingsplan 2024 och vägen 3 gånger till skolan.") == []


# Names --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, name", [
    ("Mötet gällde Karl Lindqvist i klass 4.", "Karl Lindqvist"),
    ("Vi pratade med Lindqvist om saken.", "Lindqvist"),
    ("Idas skolgång har påverkats.", "Idas"),
    ("Lukas' mamma ringde.", "Lukas'"),
    ("Max' lärare och Max's kompis väntade.", "Max'"),
    ("Inez mamma ringde i går.", "Inez"),
    ("Kalles pappa ringde.", "Kalles"),  # the short form of the registered Karl
    ("pratade med kalle om det", "kalle"),
    ("Alex har inte fått tid hos BUP.", "Alex"),  # Alexander
    ("Eleven Mohammad har inte fått tid.", "Mohammad"),  # registered Mohammed
    ("Michael i 6B har inte fått hjälpmedel.", "Michael"),  # registered Mikael
    ("Ang. elev K. Lindqvist åk 6", "K. Lindqvist"),
])
def test_r22_registered_names_are_found_in_genitive_short_forms_and_other_spellings(text, name):
    findings = found(text)
    assert any(name in t and k == "registered_name" for k, t in findings), findings


def test_r22_a_childs_name_not_in_the_register_is_found_by_the_lexicon_and_capitalisation():
    findings = found("Vi har pratat med Wilma och hennes bror noah. Även Zyrafina var där.", register=deidentify.EMPTY_REGISTER)
    assert ("name", "Wilma") in findings
    assert ("name", "noah") in findings
    assert ("capitalised_word", "Zyrafina") in findings


def test_r22_words_that_are_also_names_are_words_unless_written_as_names():
    assert found("Elevens vilja att delta är stor, och i juni ska de bo hemma.") == []
    assert ("registered_name", "Vilja Berg") in found("Vi träffade Vilja Berg i går.")
    assert ("registered_name", "Vilja") in found("Rektor träffade Vilja i går.")


@pytest.mark.parametrize("text, compound", [
    ("Lindqvist-familjen kom inte till SIP-mötet.", "Lindqvist-familjen"),
    ("Vi ringde Vilja\u2011Bergs pappa.", "Vilja\u2011Bergs"),  # joined by a non-breaking hyphen
    ("Karl-Lindqvists mentor var sjuk.", "Karl-Lindqvists"),
])
def test_r22_a_registered_name_inside_a_hyphenated_compound_is_found_where_the_register_is_and_here(text, compound):
    """The register's answer (positions, made where the register is) takes the compound whole,
    and the check here reads it as a registered name, so it can only be redacted."""
    normal = deidentify.normalise(text).text
    spans = deidentify.register_matches(normal, REGISTER)
    assert [normal[s:e] for s, e, _ in spans] == [deidentify.normalise(compound).text]
    remote = deidentify.check(text, lexicon=LEXICON, registered_spans=spans, today=TODAY)
    assert [(f.kind, f.text) for f in remote] == [(Kind.REGISTERED_NAME, compound)]
    # A compound of ordinary words and abbreviations is no one.
    assert deidentify.register_matches(deidentify.normalise("BUP-psykologen och SIP-mötet").text, REGISTER) == []


def test_r22_registered_names_can_only_be_redacted_and_lexicon_names_can_be_confirmed():
    assert Kind.REGISTERED_NAME.redact_only and Kind.IDENTITY_NUMBER.redact_only
    assert not Kind.NAME.redact_only and not Kind.CAPITALISED_WORD.redact_only and not Kind.PHONE.redact_only


def test_r22_findings_point_at_the_text_as_written_and_redaction_says_what_was_removed():
    text = "Ring ０８-１２３ ４５６ ７８ om ﬁ 100101\u20132382."
    findings = deidentify.check(text, lexicon=LEXICON, register=REGISTER)
    assert [f.text for f in findings] == ["０８-１２３ ４５６ ７８", "100101\u20132382"]
    assert deidentify.redact(text, findings) == "Ring [telefonnummer borttaget] om ﬁ [personnummer borttaget]."


def test_r22_normalising_maps_every_character_back_to_what_was_typed():
    text = "Ｋａｌｌｅ\u00ad Lindqvist ﬁck e\u0301n 1２3"
    normal = deidentify.normalise(text)
    assert normal.text == "Kalle Lindqvist fick én 123"
    start = normal.text.index("fick")
    assert text[slice(*normal.original_span(start, start + 4))] == "ﬁck"
    assert text[slice(*normal.original_span(0, 5))] == "Ｋａｌｌｅ"


def test_r22_the_register_answers_positions_never_names():
    text = deidentify.normalise("Har någon sett Lindqvist?").text
    matches = deidentify.register_matches(text, REGISTER)
    assert matches == [(15, 24, "exact")]
    assert all(isinstance(value, (int, str)) and value != "Karl" for match in matches for value in match)


def test_threads_asking_for_the_lexicon_at_once_share_one_load(monkeypatch):
    """A service's first requests come together: each loading its own copy would hold 180 MB
    a copy while it lasted (the deviations service peaked at 752 MB in `make simulate`)."""
    import threading
    import time

    from deidentify import names

    loads = []

    def slow_load(cls, path=None):
        loads.append(threading.get_ident())
        time.sleep(0.2)
        return names.Lexicon.of(given=["Anna"])

    monkeypatch.setattr(names.Lexicon, "load", classmethod(slow_load))
    names._loaded.cache_clear()
    try:
        got = []
        threads = [threading.Thread(target=lambda: got.append(names.shared_lexicon())) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(loads) == 1 and len(got) == 8 and all(lexicon is got[0] for lexicon in got)
    finally:
        names._loaded.cache_clear()
