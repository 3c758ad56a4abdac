"""Rate limits that cost the same whatever the rate: a sliding-window counter in the shared cache.

DRF's ``SimpleRateThrottle`` keeps, per client, the list of its request times within the window and reads,
unpickles, pickles and writes the whole list on every request: 1,000 entries at the default API rate, tens
of thousands when a load test raises it (the benchmark's API throughput fell to a fifth of the stack's
ceiling on that alone). Here each client has one counter per window (``cache.incr``, atomic in Redis) and
the previous window's counter weighs in by how much of it still overlaps the last ``duration`` seconds
(the estimate Cloudflare and nginx-style limiters use): one read of both counters and one increment per
request; on Redis, one script that does both in a round trip (``count_in_window``). A refused request is
not counted, as in DRF.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class WindowCounterThrottle(SimpleRateThrottle):
    """A drop-in ``SimpleRateThrottle`` (same rates, same ``get_cache_key``, same ``wait`` for Retry-After)
    counting requests in fixed windows, the previous one weighted by its overlap. ``cost`` is how many
    requests this one counts for."""

    cost = 1
    num_requests: int  # set by SimpleRateThrottle.__init__ from the rate
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        duration, limit = self.duration, self.num_requests
        self.now = self.timer()
        window = int(self.now // duration)
        self.elapsed = (self.now - window * duration) / duration  # share of the current window gone by
        current_key, previous_key = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        in_one_trip = getattr(self.cache, "count_in_window", None)  # Redis (npp_db.redis_cache)
        if in_one_trip is not None:
            allowed, self.current, self.previous = in_one_trip(
                current_key,
                previous_key,
                cost=self.cost,
                weight=1 - self.elapsed,
                limit=limit,
                timeout=2 * duration,
            )
            return allowed
        counts = self.cache.get_many([current_key, previous_key])
        self.current, self.previous = counts.get(current_key, 0), counts.get(previous_key, 0)
        if self.previous * (1 - self.elapsed) + self.current + self.cost > limit:
            return False
        # Kept while it is the next window's previous one. Three round trips to Redis in all (get_many, and
        # incr's EXISTS + INCRBY); two for a window's first request.
        if current_key not in counts and self.cache.add(current_key, self.cost, 2 * duration):
            return True
        try:
            self.cache.incr(current_key, self.cost)
        except ValueError:  # expired since it was read
            self.cache.set(current_key, self.cost, 2 * duration)
        return True

    def wait(self) -> float | None:
        """Seconds until a request of this cost would be allowed (the Retry-After of a 429)."""
        duration, limit = self.duration, self.num_requests
        room = limit - self.current - self.cost  # what the previous window's weight must fall to
        if room >= 0 and self.previous:
            # previous * (1 - t) <= room  <=>  t >= 1 - room / previous
            until = (1 - room / self.previous) * duration
            return max(1.0, math.ceil(until - self.elapsed * duration))
        return max(1.0, math.ceil((1 - self.elapsed) * duration))  # the current window alone is full
