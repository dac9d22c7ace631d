"""Crypto-shredding (R17, ADR 0020): each pupil's personal data inside stored events is
encrypted with that pupil's own key; destroying the key makes it unreadable everywhere the
bytes went (event store, backups, anything copied from them), while the structure of the
events (ids, dates, kinds, statuses) stays readable for statistics.

A service marks which fields of which domain events are personal (`PersonalFields`) and runs
its commands `about(pupil_ref)`; the `ShreddingMapper` encrypts those fields (AES-256-GCM,
`cryptography`) under the pupil's key when an event is stored, and decrypts them when it is
read. Once the key is gone the fields read as empty values of their type ("" / [] / {}), so
aggregates still load and count, but say nothing about the pupil.

The keys live in `eventkit.keystore` (PostgreSQL, never Kafka).
"""
from __future__ import annotations

import base64
import contextvars
import json
import os
import re
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Protocol, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent

from eventkit.store import EnvelopeMapper, EventMeta

SUBJECT_KEY = "__subject__"
PREFIX = "pd1:"
_EMPTY = {"s": "", "l": [], "d": {}, "o": None}

_subject: contextvars.ContextVar[str] = contextvars.ContextVar("data_subject", default="")


class MissingDataSubject(RuntimeError):
    """An event with personal fields was stored outside `about(pupil_ref)`: refuse rather
    than store personal data unencrypted."""


class SubjectDisposed(RuntimeError):
    """The subject's key was destroyed (gallrad): nothing new may be stored about it."""


class KeyRing(Protocol):
    def key(self, subject: str) -> bytes | None:
        """The subject's data key, or None when it was destroyed (or never existed)."""


PersonalFields = Mapping[type, tuple[str, ...]]


@contextmanager
def about(subject: str) -> Iterator[None]:
    """Store events inside as being about `subject` (a pseudonymous pupil reference)."""
    token = _subject.set(subject)
    try:
        yield
    finally:
        _subject.reset(token)


# A subject as it stands in a stored event's JSON: a UUID (a pupil's reference, a deviation's
# id). A quote inside user text is escaped, so this cannot match there.
_STORED_SUBJECT = re.compile(rb'"' + SUBJECT_KEY.encode() + rb'":\s*"([0-9a-fA-F-]{36})"')


def _tag(value: Any) -> str:
    return "s" if isinstance(value, str) else "l" if isinstance(value, (list, tuple)) else "d" if isinstance(value, dict) else "o"


def seal(key: bytes, subject: str, value: Any) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(value, ensure_ascii=False, default=str).encode(), subject.encode())
    return f"{PREFIX}{_tag(value)}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_sealed(key: bytes | None, subject: str, token: Any) -> Any:
    if not isinstance(token, str) or not token.startswith(PREFIX):
        return token  # stored before the field was marked personal
    tag, payload = token[len(PREFIX):].split(":", 1)
    if key is None:
        empty = _EMPTY.get(tag)
        return type(empty)() if empty is not None else None
    raw = base64.urlsafe_b64decode(payload)
    return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], subject.encode()))


class ShreddingMapper(EnvelopeMapper):
    """The envelope mapper, plus per-subject encryption of the fields marked personal.
    `personal_fields` and `keys` are set by the application after construction."""

    personal_fields: PersonalFields = {}
    keys: KeyRing | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        fields = self.personal_fields.get(type(domain_event))
        if not fields:
            return super().to_stored_event(domain_event)
        subject = _subject.get()
        if not subject:
            raise MissingDataSubject(f"{type(domain_event).__qualname__} holds personal data but has no data subject")
        key = self.keys.key(subject) if self.keys is not None else None
        if key is None:
            raise SubjectDisposed("Elevens uppgifter är gallrade.")
        state = dict(vars(domain_event))
        for name in fields:
            if name in state and state[name] is not None:
                state[name] = seal(key, subject, state[name])
        state[SUBJECT_KEY] = subject
        shadow = object.__new__(type(domain_event))
        object.__setattr__(shadow, "__dict__", state)
        return super().to_stored_event(shadow)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self._open(super().to_domain_event(stored_event))

    def prefetch(self, stored_events: Sequence[StoredEvent]) -> None:
        """Load the keys of a batch's subjects with one query (the relay reads thousands of
        events of as many pupils), instead of one query per event. The subjects are found in
        the stored JSON without decoding it (decoding is the relay's largest cost, and each
        event is decoded once, afterwards); one not found so is loaded when its event is."""
        warm = getattr(self.keys, "warm", None)
        if warm is None or self.cipher is not None or self.compressor is not None:
            return
        subjects = set()
        for stored in stored_events:
            found = _STORED_SUBJECT.search(stored.state)
            if found:
                subjects.add(found.group(1).decode())
        if subjects:
            warm(subjects)

    def decode(self, stored_event: Any) -> tuple[Any, EventMeta]:
        event, meta = super().decode(stored_event)
        return self._open(event), meta

    def _open(self, event: Any) -> Any:
        state = vars(event)
        subject = state.pop(SUBJECT_KEY, None)
        if subject:
            key = self.keys.key(subject) if self.keys is not None else None
            for name in self.personal_fields.get(type(event), ()):
                if name in state:
                    state[name] = open_sealed(key, subject, state[name])
        return event


class Shredding:
    """Mixin for a ServiceApplication whose events hold personal data: its mapper is a
    `mapper_class` (ShreddingMapper or a subclass) with the service's `personal_fields` and its
    key store `self.keys`, which the application sets before the base constructor runs."""

    personal_fields: PersonalFields = {}
    mapper_class: type[ShreddingMapper] = ShreddingMapper
    keys: KeyRing

    def construct_mapper(self) -> ShreddingMapper:
        mapper = self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=self.mapper_class)
        mapper.personal_fields = self.personal_fields
        mapper.keys = self.keys
        return mapper
