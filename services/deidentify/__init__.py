"""De-identification of free text (R22): what could identify a person, found so that a person
can decide it, and never let through where it must not pass. Pure: no I/O but reading the
lexicon file once per process (names.shared_lexicon). ADR 0022.

    findings = check(text, lexicon=shared_lexicon(), register=Register.of(names), known=KnownOrganisations.of(...))

Every detector works on the normalised text (normalise.py) and every finding points at the
text as it was written. The detectors, each a module with its own tests:
numbers (identity numbers, phone numbers, postcodes), dates (dates of birth), contact
(e-mail and street addresses), names (register, lexicon, capitalised words), organisations
(what stays readable).
"""
from deidentify.check import Finding, Kind, check, identity_numbers_in, never_sent_in, redact
from deidentify.names import EMPTY_REGISTER, Lexicon, LexiconMissing, Register, register_matches, shared_lexicon
from deidentify.normalise import normalise, plain
from deidentify.organisations import EVERYWHERE, KnownOrganisations, Organisation, configured

__all__ = [
    "EMPTY_REGISTER", "EVERYWHERE", "Finding", "Kind", "KnownOrganisations", "Lexicon", "LexiconMissing",
    "Organisation", "Register", "configured", "check", "identity_numbers_in", "never_sent_in", "normalise", "plain", "redact", "register_matches", "shared_lexicon",
]
