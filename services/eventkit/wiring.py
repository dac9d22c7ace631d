"""What each process builds once: its application, a read API's pool."""
from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def once_per_process(build: Callable[[], T]) -> Callable[[], T]:
    """`build()` called once, its result kept for the process; a failure is not kept, so the
    next call tries again (the database may be back). Unlike functools.lru_cache it builds once
    also when many threads ask at the same moment: an API restarted under load meets all its
    retrying clients at once, and each build opens its own connection pools, so a herd of builds
    took every connection PostgreSQL had."""
    built: list[T] = []
    lock = threading.Lock()

    @functools.wraps(build)
    def get() -> T:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    get.cache_clear = built.clear  # type: ignore[attr-defined]  # as lru_cache's, for tests
    return get
