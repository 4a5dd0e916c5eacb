"""Small guards against abusive or broken clients: a token bucket and a rate-limited logger."""

from __future__ import annotations

import logging
import time
from typing import Any


class TokenBucket:
    """Up to `capacity` units at once, refilled at `rate` units per second."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self._tokens = capacity
        self._last: float | None = None

    def take(self, amount: float = 1.0, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self._last is not None:
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if amount <= self._tokens:
            self._tokens -= amount
            return True
        return False


class LogLimiter:
    """Logs at most `burst` lines per `interval` seconds per key, then one summary of what was skipped.

    A client that sends garbage in a loop must not flood the journal of a small device.
    """

    def __init__(self, logger: logging.Logger, burst: int = 5, interval: float = 30.0) -> None:
        self._logger = logger
        self._burst, self._interval = burst, interval
        self._windows: dict[str, tuple[float, int]] = {}

    def log(self, level: int, key: str, message: str, **extra: Any) -> None:
        now = time.monotonic()
        start, count = self._windows.get(key, (now, 0))
        if now - start > self._interval:
            if count > self._burst:
                self._logger.log(level, "similar messages skipped",
                                 extra={"key": key, "skipped": count - self._burst})
            start, count = now, 0
        count += 1
        self._windows[key] = (start, count)
        if count <= self._burst:
            self._logger.log(level, message, extra=extra)
        if len(self._windows) > 256:  # keys are few by design; never let them grow without bound
            self._windows.clear()
