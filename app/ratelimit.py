"""A per-client limit on API calls, counted by the `limits` library (moving window, in memory).

One process serves Kilde, so in-memory counts are exact. The client is the peer address, or the
address a trusted reverse proxy forwards (uvicorn trusts X-Forwarded-For from 127.0.0.1).
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

DEFAULT_RATE_LIMIT = "120/minute"  # two searches a second per client, sustained: generous for people


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def parse_rate_limit(spec: str) -> list[RateLimitItem]:
    """`120/minute`, or several joined by `;`; raises ValueError on anything else (and on 0/…)."""
    items = parse_many(spec)
    if any(item.amount < 1 for item in items):
        raise ValueError(spec)
    return items


def check_rate_limit(spec: str) -> str:
    parse_rate_limit(spec)
    return spec


class RateLimit:
    """A FastAPI dependency: counts the call, raises RateLimited when the client is over a limit."""

    def __init__(self, spec: str = DEFAULT_RATE_LIMIT) -> None:
        self.items = parse_rate_limit(spec)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        for item in self.items:
            if not self.limiter.hit(item, client):
                reset = self.limiter.get_window_stats(item, client).reset_time
                raise RateLimited(max(1, math.ceil(reset - time.time())))
