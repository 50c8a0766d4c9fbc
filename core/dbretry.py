"""Trying a write again when SQLite says the database is locked.

PostgreSQL waits on row locks by itself. SQLite waits for its busy timeout, but can still
give up under a burst of writers; nothing was written then, so trying again is safe.
"""

import random
import time
from collections.abc import Callable
from functools import partial, wraps
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")
_LOCK_RETRIES = 40


def retry_when_locked(operation: Callable[[], T]) -> T:
    """Run `operation`, again after a short random pause if SQLite reports a lock.

    PostgreSQL waits on row locks by itself. SQLite waits for its busy timeout, but can
    still give up under a burst of writers; nothing was written then, so trying again is
    safe.
    """
    for attempt in range(_LOCK_RETRIES):
        try:
            return operation()
        except OperationalError as error:
            if (
                "locked" not in str(error)
                or connection.in_atomic_block
                or attempt == _LOCK_RETRIES - 1
            ):
                raise
            time.sleep(random.uniform(0.005, min(0.25, 0.01 * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover


def retried_when_locked(function: Callable[..., T]) -> Callable[..., T]:
    @wraps(function)
    def wrapper(*args, **kwargs) -> T:
        return retry_when_locked(partial(function, *args, **kwargs))

    return wrapper
