"""Group commit: commands running at the same time share one transaction.

The event store serialises writers (the notification log must be gap-free, so each
transaction locks the events table until it commits), so concurrent commands wait for each
other's fsync. A single writer thread instead takes every command that is waiting, stores all
their events in one transaction and wakes them together: one lock, one commit, many commands.
A command still returns only after its own events are durably stored. If the shared
transaction fails on one command's conflict, each command of the batch is stored on its own,
so only the conflicting one sees the error.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from eventsourcing.persistence import IntegrityError

Insert = Callable[[Sequence[Any]], Sequence[int] | None]  # stored events -> notification ids


@dataclass
class _Pending:
    events: Sequence[Any]
    done: threading.Event = field(default_factory=threading.Event)
    ids: Sequence[int] = ()
    error: BaseException | None = None


class GroupCommitter:
    def __init__(self, insert: Insert, max_batch: int = 256) -> None:
        self._insert = insert
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._writer.start()

    def put(self, stored_events: Sequence[Any]) -> Sequence[int]:
        """Store the events of one command; returns their notification ids once committed."""
        pending = _Pending(list(stored_events))
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.ids

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._store(batch)

    def _store(self, batch: list[_Pending]) -> None:
        if len(batch) > 1:
            try:
                ids = list(self._insert([event for item in batch for event in item.events]) or [])
            except IntegrityError:
                pass  # someone's version conflict: store one by one to find whose
            except BaseException as exc:  # database away: every command of the batch fails
                self._finish(batch, error=exc)
                return
            else:
                start = 0
                for item in batch:
                    item.ids = ids[start : start + len(item.events)]
                    start += len(item.events)
                self._finish(batch)
                return
        for item in batch:
            try:
                item.ids = self._insert(item.events) or []
            except BaseException as exc:
                item.error = exc
            item.done.set()

    @staticmethod
    def _finish(batch: list[_Pending], error: BaseException | None = None) -> None:
        for item in batch:
            item.error = error
            item.done.set()
