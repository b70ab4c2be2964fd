"""Throttled logins for the web chat (``QA_AUTH``): a client that keeps giving wrong passwords
is refused for a while, so a password cannot be guessed at the speed of the network.

Gradio checks the password itself (``launch(auth=...)``), and its auth callable is given only the
user name and password, not who is asking: so the limit sits in front of Gradio's ``/login``
route, as ASGI middleware that knows the client's address and sees whether the login succeeded.

    >>> app.launch(server_name="127.0.0.1", **login_options(("ann", "s3cret")))  # doctest: +SKIP

Clients are told apart by their IP address: behind a reverse proxy every user has the proxy's
address, and one guesser locks everyone out for ``LOCKOUT_S``, which is still better than
unlimited guessing (run the proxy's own limit, or have it pass the client's address).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

log = logging.getLogger(__name__)

# Five wrong passwords from one client within a minute lock it out for five minutes. A person
# who mistypes a few times is never slowed down; a guesser gets at most five tries per six
# minutes (about 1,200 a day instead of thousands a second).
MAX_FAILURES = 5
FAILURE_WINDOW_S = 60.0
LOCKOUT_S = 300.0
# Clients remembered at most: beyond this, those with nothing recent are forgotten first, so
# that a flood of addresses cannot grow the server's memory without bound.
MAX_CLIENTS = 10_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LoginLimiter:
    """Failed logins per client, and the lockouts they earned. Thread-safe."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S,
                 lockout_s: float = LOCKOUT_S, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.max_clients = max_clients
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """Seconds until ``client`` may try to log in again (0: it may now)."""
        with self._lock:
            until = self._locked_until.get(client, 0.0)
            left = until - self._clock()
            if left > 0:
                return left
            self._locked_until.pop(client, None)
            return 0.0

    def record(self, client: str, ok: bool) -> None:
        """Count one login attempt of ``client``. A success clears its failures (not a lockout:
        a locked-out client is not let in to try)."""
        with self._lock:
            now = self._clock()
            if ok:
                self._failures.pop(client, None)
                return
            if self._locked_until.get(client, 0.0) > now:
                return
            failures = self._failures.setdefault(client, deque())
            failures.append(now)
            while failures and failures[0] <= now - self.window_s:
                failures.popleft()
            if len(failures) >= self.max_failures:
                del self._failures[client]
                self._locked_until[client] = now + self.lockout_s
                log.warning("login: %s gave %d wrong passwords within %.0f s: refused for %.0f s",
                            client, self.max_failures, self.window_s, self.lockout_s)  # fmt: skip
            if len(self._failures) + len(self._locked_until) > self.max_clients:
                self._forget(now)

    def tracked(self) -> int:
        """How many clients are remembered (failures or a lockout)."""
        with self._lock:
            return len(self._failures) + len(self._locked_until)

    def _forget(self, now: float) -> None:
        """Drop what no longer counts, then the oldest failures, down to ``max_clients``."""
        for client in [c for c, until in self._locked_until.items() if until <= now]:
            del self._locked_until[client]
        for client in [
            c for c, times in self._failures.items() if times[-1] <= now - self.window_s
        ]:
            del self._failures[client]
        excess = len(self._failures) + len(self._locked_until) - self.max_clients
        if excess > 0:
            oldest = sorted(self._failures, key=lambda c: self._failures[c][-1])[:excess]
            for client in oldest:
                del self._failures[client]


class LoginThrottle:
    """ASGI middleware: refuses ``POST .../login`` from a locked-out client with 429 and
    ``Retry-After``, and counts every other login's outcome (2xx: success) for its client."""

    def __init__(self, app: ASGIApp, limiter: LoginLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")).rstrip("/")
        if scope["type"] != "http" or scope.get("method") != "POST" or not path.endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        wait = self.limiter.retry_after(client)
        if wait > 0:
            log.debug("login: %s refused, locked out for %.0f s more", client, wait)
            await _too_many(send, wait)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        if status:
            self.limiter.record(client, ok=200 <= status[0] < 300)


async def _too_many(send: Send, wait: float) -> None:
    body = b'{"detail": "Too many failed logins from this address: try again later."}'
    seconds = str(max(1, round(wait)))
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", seconds.encode()),
    ]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def login_options(credentials: tuple[str, str] | None,
                  limiter: LoginLimiter | None = None) -> dict[str, Any]:  # fmt: skip
    """What ``Blocks.launch`` needs for a login (none without ``credentials``): the user and
    password, and the throttle in front of the login route."""
    if credentials is None:
        return {}
    from starlette.middleware import Middleware

    throttle = Middleware(LoginThrottle, limiter=limiter or LoginLimiter())
    return {"auth": credentials, "app_kwargs": {"middleware": [throttle]}}
