"""What aggregates of every service share (no I/O; safe for domain models to import)."""
from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

A = TypeVar("A")


def created(cls: type[A], event_class: type, id: UUID | None, **kwargs: Any) -> A:  # noqa: A002
    """A new aggregate from its "created" event: with the given id (an idempotent create,
    eventkit.store.ServiceApplication.creation_id), or a new one."""
    if id is None:
        return cls(**kwargs)
    return cls._create(event_class, id=id, **kwargs)  # the library's way to give the id
