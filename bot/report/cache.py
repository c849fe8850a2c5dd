"""A demand report kept ready for a page that must answer in under a second.

Building the report reads every event of the period (2–3 s on 50,000 conversations), so a page cannot build it
per request. ``ReportCache`` keeps the last report per ``since`` and serves it; once older than ``max_age`` it is
still served while one background thread builds the next (stale-while-revalidate). Only the very first request
for a ``since`` waits — call ``warm()`` at start-up to spare it. Thread-safe; the build function is the caller's
(typically ``functools.partial(demand_report, records_url, tracker_url, kb, tokenizer)``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.report.demand import DemandReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cached:
    report: DemandReport
    built_at: float  # the clock's time when the build finished
    seconds: float  # how long the build took


class ReportCache:
    def __init__(
        self,
        build: Callable[[date | None], DemandReport],
        max_age: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._build = build
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: dict[date | None, Cached] = {}
        self._building: set[date | None] = set()

    def get(self, since: date | None = None) -> Cached:
        """The report for ``since``: cached (and refreshed behind the scenes when old), or built now if never built."""
        with self._lock:
            found = self._cached.get(since)
            stale = found is not None and self._clock() - found.built_at > self._max_age
            if stale and since not in self._building:
                self._building.add(since)
                threading.Thread(target=self._refresh, args=(since,), name="report-refresh", daemon=True).start()
        return found if found is not None else self._store(since)

    def warm(self, since: date | None = None) -> None:
        """Build in the background now, so the first page view does not wait."""
        with self._lock:
            if since in self._building:
                return
            self._building.add(since)
        threading.Thread(target=self._refresh, args=(since,), name="report-warm", daemon=True).start()

    def _refresh(self, since: date | None) -> None:
        try:
            self._store(since)
        except Exception:  # a failed refresh keeps the last good report; the next get() tries again
            log.exception("demand report refresh failed")
        finally:
            with self._lock:
                self._building.discard(since)

    def _store(self, since: date | None) -> Cached:
        started = self._clock()
        report = self._build(since)
        cached = Cached(report, self._clock(), self._clock() - started)
        with self._lock:
            self._cached[since] = cached
        return cached
