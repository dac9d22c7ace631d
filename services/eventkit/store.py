"""The event store: an eventsourcing Application on PostgreSQL whose stored events carry
an envelope of metadata (who acted, in which municipality, and the trace that caused it).

The domain model stays free of infrastructure: aggregates raise plain domain events, and the
mapper adds the metadata from the command's context when the event is stored. The relay
reads the same metadata back from the notification log.

What every service's application shares lives here too: a command stored once per
idempotency key (ADR 0023), refused with `VersionConflict` when the user's form is stale; an
aggregate's events with their envelopes, for history views; and the ids of a kind of aggregate
read from the notification log (ADR 0012).
"""
from __future__ import annotations

import contextvars
import types
import uuid
from contextlib import contextmanager
from functools import cached_property
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar

from datetime import date

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.utils import get_topic

from eventsourcing.persistence import (
    IntegrityError, JSONTranscoder, Mapper, Notification, Recording, StoredEvent, Transcoding,
)
from eventsourcing.persistence import InterfaceError as EventsourcingInterfaceError
from eventsourcing.persistence import OperationalError as EventsourcingOperationalError

from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from eventkit.config import Postgres
from eventkit.group_commit import GroupCommitter
from eventkit.identity import Identity
from eventkit.schema import schema_lock
from eventkit.telemetry import current_traceparent

META_KEY = "__meta__"
R = TypeVar("R")
NOTIFICATIONS_PER_PAGE = 500


class VersionConflict(Exception):
    """Someone else saved the aggregate after the user's form was loaded (a stale
    `expected_version`), or at the same moment: nothing was stored. Each service's API answers
    it with 409 and its own words."""


@dataclass(frozen=True)
class EventMeta:
    """Recorded with every event: the acting user (staff, not the pupil) and the trace."""

    actor: str = ""
    role: str = ""
    municipality: str = ""
    traceparent: str = ""
    request: str = ""  # the command's idempotency key, when the caller gave one


# The idempotency key of the request being handled (the `Idempotency-Key` header, set by
# eventkit.http): a retried command with the same key stores nothing more (ADR 0023).
_request_key: contextvars.ContextVar[str] = contextvars.ContextVar("request_key", default="")
REQUEST_NAMESPACE = uuid.UUID("6f1d2a8e-4c3b-4f7a-9b21-3e0c5d7a9f10")


@contextmanager
def request_key(key: str) -> Iterator[None]:
    token = _request_key.set(key)
    try:
        yield
    finally:
        _request_key.reset(token)


# Kept as the plain dict the mapper writes: stored with every event, so built once per command.
_meta: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("event_meta", default=asdict(EventMeta()))


@contextmanager
def acting_as(identity: Identity) -> Iterator[EventMeta]:
    """Run a command on behalf of `identity`; events stored inside carry who and the trace."""
    meta = EventMeta(
        actor=identity.user_id,
        role=identity.role.value,
        municipality=identity.municipality,
        traceparent=current_traceparent() or "",
        request=_request_key.get(),
    )
    token = _meta.set(asdict(meta))
    try:
        yield meta
    finally:
        _meta.reset(token)


class EnvelopeMapper(Mapper):
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        # Mapper reads vars(event); give it a copy with the envelope added.
        shadow = object.__new__(type(domain_event))
        object.__setattr__(shadow, "__dict__", {**vars(domain_event), META_KEY: _meta.get()})
        return super().to_stored_event(shadow)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        vars(event).pop(META_KEY, None)
        return event

    def decode(self, stored_event: StoredEvent | Notification) -> tuple[Any, EventMeta]:
        """The domain event and its envelope, for the relay and for history views."""
        event = super().to_domain_event(stored_event)
        raw = vars(event).pop(META_KEY, None) or {}
        return event, EventMeta(**raw)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _without_library_retries(recorder: Any) -> Any:
    """The recorder with each database call tried at most twice, the second time only after a
    broken connection (one PostgreSQL closed when it restarted), never after waiting for one.
    The library tries ten times, waiting for a connection each time, so a request met
    PostgreSQL being away only after some twenty seconds; a service answers 503 at once instead
    (eventkit.http), and the caller (or the relay's own loop) tries again."""
    for klass in type(recorder).__mro__:
        if not klass.__module__.startswith("eventsourcing."):
            continue
        for name, member in vars(klass).items():
            retried = getattr(getattr(member, "__code__", None), "co_name", "") == "retry_decorator"
            if retried and hasattr(member, "__wrapped__") and name not in vars(recorder):
                setattr(recorder, name, types.MethodType(_once_more_after_a_broken_connection(member.__wrapped__), recorder))
    return recorder


def _once_more_after_a_broken_connection(call: Any) -> Any:
    def attempt(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except (EventsourcingOperationalError, EventsourcingInterfaceError) as exc:
            if isinstance(exc, TimeoutError):
                raise  # no connection to be had: the database is away
            return call(*args, **kwargs)

    return attempt


def replayed(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The aggregate after the events, as the library's `project_aggregate` makes it, without its
    assertion that each event is a `CanMutateProtocol`: an isinstance against a runtime-checkable
    Protocol for every event replayed, about a tenth of a command's CPU time."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class ReplayingRepository(Repository):
    """The library's repository, replaying with `replayed` unless told otherwise."""

    def get(self, aggregate_id: Any, *, projector_func: Any = replayed, **kwargs: Any) -> Any:
        return super().get(aggregate_id, projector_func=projector_func, **kwargs)


class ServiceApplication(Application):
    """Base for a service's application: PostgreSQL from the environment, enveloped events."""

    database_variable: str = ""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        settings = Postgres.for_database(self.database_variable).eventsourcing_env()
        settings.update(env or {})
        self._settings = settings
        super().__init__(env=settings)

    def construct_recorder(self) -> Any:
        if self._settings.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
            return super().construct_recorder()  # in memory (unit tests): nothing to race
        # The service's API, relay and listeners start together; see eventkit.schema.
        conninfo = make_conninfo(
            host=self._settings["POSTGRES_HOST"], port=self._settings["POSTGRES_PORT"],
            user=self._settings["POSTGRES_USER"], password=self._settings["POSTGRES_PASSWORD"],
            dbname=self._settings["POSTGRES_DBNAME"],
        )
        with schema_lock(conninfo):
            recorder = super().construct_recorder()
        return _without_library_retries(recorder)

    def construct_repository(self) -> ReplayingRepository:
        return ReplayingRepository(event_store=self.events, snapshot_store=self.snapshots)

    def _record(self, processing_event: Any) -> list[Recording]:
        # As the library's EventStore.put, but the insert goes through the group committer
        # (see group_commit.py). Mapping happens here, in the command's own context, so the
        # envelope gets this command's actor and trace.
        if processing_event.tracking is not None or processing_event.saved_kwargs:
            return super()._record(processing_event)
        events = processing_event.events
        stored = [self.mapper.to_stored_event(event) for event in events]
        notification_ids = self._group_commit.put(stored) or []
        return [
            Recording(event, Notification(s.originator_id, s.originator_version, s.topic, s.state, id=n))
            for event, s, n in zip(events, stored, notification_ids)
        ]

    @cached_property
    def _group_commit(self) -> GroupCommitter:
        return GroupCommitter(self.recorder.insert_events)

    def get_many(self, aggregate_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        """The aggregates of these ids that exist, as `repository.get` gives each, from their
        events read in one query: a page of a list costs one round trip, not one per row."""
        ids = list(dict.fromkeys(aggregate_ids))
        datastore = getattr(self.recorder, "datastore", None)
        if not ids or datastore is None:  # in memory (unit tests): one at a time is as cheap
            return {i: a for i in ids if (a := self._found(i)) is not None}
        statement = SQL("SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s)"
                        " ORDER BY originator_id, originator_version").format(
            schema=Identifier(datastore.schema), table=Identifier(self.recorder.events_table_name))
        with datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(statement, (ids,))
            rows = cursor.fetchall()
        events: dict[uuid.UUID, list[StoredEvent]] = {}
        for row in rows:
            events.setdefault(row["originator_id"], []).append(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
        found = {}
        for aggregate_id, stored in events.items():
            aggregate = replayed(None, map(self.mapper.to_domain_event, stored))
            if aggregate is not None:
                found[aggregate_id] = aggregate
        return found

    def _found(self, aggregate_id: uuid.UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # -- idempotent commands (ADR 0023) -----------------------------------------------------------
    def creation_id(self, kind: str, who: Identity) -> uuid.UUID | None:
        """The id of the aggregate a create command with an idempotency key makes: the same for
        the same key, caller and kind, so a retry meets the first one in the event store and
        stores nothing (its first event's version is taken). None without a key."""
        key = _request_key.get()
        if not key:
            return None
        return uuid.uuid5(REQUEST_NAMESPACE, f"{self.name}|{kind}|{who.municipality}|{who.user_id}|{key}")

    def save_created(self, who: Identity, aggregate: Any) -> uuid.UUID:
        """Store a newly created aggregate as `who`. A retry of the same create (same
        idempotency key, so the same `creation_id`) meets the first one's events and stores
        nothing: its answer is the first one's id."""
        try:
            with acting_as(who):
                self.save(aggregate)
        except IntegrityError:
            if not _request_key.get():
                raise
        return aggregate.id

    def repeated(self, aggregate_id: uuid.UUID) -> bool:
        """Whether this request's command has already been stored on the aggregate: an event of
        it carries the same idempotency key in its envelope (stored with the events, so the
        answer is exact even if the first answer was lost)."""
        return bool(self.stored_by_this_request(aggregate_id))

    def stored_by_this_request(self, aggregate_id: uuid.UUID) -> list[Any]:
        """The aggregate's events that this request's command stored the first time it was
        sent (same idempotency key), oldest first; empty when it has not been, or without a key."""
        key = _request_key.get()
        if not key:
            return []
        # An event without the key's bytes in its state cannot carry it (keys are letters, digits
        # and . _ : -, never escaped in JSON): only those are decoded (decrypted), unless the
        # whole state is compressed or enciphered.
        plain = getattr(self.mapper, "cipher", None) is None and getattr(self.mapper, "compressor", None) is None
        needle = key.encode()
        found = []
        for stored in self.recorder.select_events(aggregate_id):
            if plain and needle not in stored.state:
                continue
            event, meta = self.mapper.decode(stored)
            if meta.request == key:
                found.append(event)
        return found

    def once(
        self, who: Identity, aggregate: Any, act: Callable[[Any], R], *,
        answer: Callable[[Any], R] = lambda last_event: None, expected_version: int | None = None,
    ) -> R:
        """Run a command on a loaded (or newly made) aggregate and store its events as `who`,
        once per idempotency key (ADR 0023). A retry of a command already stored stores nothing
        and answers as the first time did: `answer` reads that from the last event the first
        attempt stored (a new part's id, a revision). A stale `expected_version` raises
        `VersionConflict`, and so does losing the race for the next version to another command;
        losing it to the first attempt of this very command (a client that gave up waiting and
        sent it again) is a retry like any other."""
        if done := self.stored_by_this_request(aggregate.id):
            return answer(done[-1])
        if expected_version is not None and expected_version != aggregate.version:
            raise VersionConflict(str(aggregate.id))
        result = act(aggregate)
        try:
            with acting_as(who):
                self.save(aggregate)
        except IntegrityError:
            if done := self.stored_by_this_request(aggregate.id):
                return answer(done[-1])
            raise VersionConflict(str(aggregate.id)) from None
        return result

    # -- reading (ADR 0012) -----------------------------------------------------------------------
    def events_with_envelopes(self, aggregate_id: uuid.UUID) -> Iterator[tuple[Any, EventMeta]]:
        """The aggregate's stored events, oldest first, each with its envelope (who acted, when
        and in which trace): what every history view shows."""
        for stored in self.recorder.select_events(aggregate_id):
            yield self.mapper.decode(stored)

    def aggregate_ids(self, event_class: type, wanted: Callable[[Any], bool] | None = None) -> list[uuid.UUID]:
        """The ids of the aggregates that stored an `event_class` event (their first, for a
        "created" class), oldest first, read from the event store's own notification log. With
        `wanted`, only those whose event it accepts; without it, no event is decoded (nor
        decrypted), so aggregates whose keys are destroyed are listed too."""
        topic = get_topic(event_class)
        ids, start = [], 1
        while True:
            batch = self.recorder.select_notifications(start, NOTIFICATIONS_PER_PAGE, topics=[topic])
            for notification in batch:
                if wanted is None:
                    ids.append(notification.originator_id)
                    continue
                event, _ = self.mapper.decode(notification)
                if wanted(event):
                    ids.append(event.originator_id)
            if len(batch) < NOTIFICATIONS_PER_PAGE:
                return ids
            start = batch[-1].id + 1

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> EnvelopeMapper:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=EnvelopeMapper)
