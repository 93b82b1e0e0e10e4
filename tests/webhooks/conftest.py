"""A real HTTP server on 127.0.0.1 that receives webhook deliveries, and a controllable clock."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leadpilot.jobs.queue import huey
from leadpilot.kit.clock import utcnow
from leadpilot.webhooks import service
from leadpilot.webhooks.models import WebhookEndpoint

SECRET = "whsec_test_secret_0123456789abcdef"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers each POST with the next queued status (200 when none is queued)."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._statuses: deque[tuple[int, dict[str, str]]] = deque()
        self._lock = threading.Lock()
        self.delay_seconds = 0.0
        self.on_request: Callable[[ReceivedRequest], None] | None = None
        self.url = ""

    def respond(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._statuses.extend((s, headers or {}) for s in statuses)

    def always(self, status: int) -> None:
        self.respond(*([status] * 100))

    def _next(self) -> tuple[int, dict[str, str]]:
        with self._lock:
            return self._statuses.popleft() if self._statuses else (200, {})

    def record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        received = ReceivedRequest(path=self.path, headers=dict(self.headers.items()), body=body)
        receiver.record(received)
        if receiver.on_request is not None:
            receiver.on_request(received)
        if receiver.delay_seconds:
            time.sleep(receiver.delay_seconds)
        status, headers = receiver._next()
        answer = b"thanks" if status < 300 else b"receiver is having a bad day"
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.receiver = Receiver()  # type: ignore[attr-defined]
    server.receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/leadpilot"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.receiver  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _empty_queue() -> Iterator[None]:
    """Retries scheduled by one test must not leak into the next (the test queue runs jobs immediately)."""
    huey.flush()
    yield
    huey.flush()


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(service, "utcnow", fake)
    return fake


def make_endpoint(
    session: Session, org_id: int, url: str, *, events: list[str] | None = None, **kwargs: Any
) -> WebhookEndpoint:
    kwargs.setdefault("is_active", True)
    endpoint = WebhookEndpoint(org_id=org_id, url=url, secret=SECRET, events=events or ["*"], **kwargs)
    session.add(endpoint)
    session.flush()
    return endpoint
