"""HTTP to OpenAI-compatible endpoints: retries with backoff, a circuit breaker per URL, errors that name the URL.

One attempt::

    breaker closed (or half-open and this is the trial call)?  no -> LlmCircuitOpen, without a request
    send -> 2xx                        -> breaker: success
         -> 429                        -> retry after Retry-After / backoff (the endpoint is alive: breaker untouched)
         -> 5xx, connect error, timeout -> breaker: failure; retry with backoff
         -> 401/403/404, bad URL       -> LlmMisconfigured (no retry)
         -> other 4xx                  -> LlmRequestRejected (no retry)

After ``max_retries`` retries the last failure becomes ``LlmUnavailable``. The breaker opens after
``failure_threshold`` consecutive failed attempts and lets one trial call through every ``reset_seconds``. Breakers
are per process and per base URL, so every provider instance talking to one endpoint shares one.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import httpx
from pydantic import SecretStr

from leadpilot.llm.errors import LlmCircuitOpen, LlmError, LlmMisconfigured, LlmRequestRejected, LlmUnavailable

log = logging.getLogger("leadpilot.llm")

_RETRY_AFTER_CAP_SECONDS = 30.0
_BACKOFF_CAP_SECONDS = 20.0


class CircuitBreaker:
    """closed -> (``failure_threshold`` consecutive failures) -> open -> (``reset_seconds``) -> half-open: one trial
    call; its success closes the breaker, its failure opens it again."""

    def __init__(
        self, *, failure_threshold: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failure_threshold = max(1, failure_threshold)
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.reset_seconds else "open"

    def seconds_until_trial(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_seconds - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.reset_seconds or self._trial_running:
                return False
            self._trial_running = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._trial_running = False

    def release_trial(self) -> None:
        """The trial call ended without telling anything about the endpoint (e.g. it was rejected as a bad request)."""
        with self._lock:
            self._trial_running = False


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, *, failure_threshold: int, reset_seconds: float) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(url)
        if breaker is None:
            breaker = _breakers[url] = CircuitBreaker(failure_threshold=failure_threshold, reset_seconds=reset_seconds)
        return breaker


def reset_breakers() -> None:
    with _breakers_lock:
        _breakers.clear()


class _Retryable(Exception):
    def __init__(self, error: LlmError, *, retry_after: float | None = None, counts_as_failure: bool = True) -> None:
        super().__init__(error.detail)
        self.error = error
        self.retry_after = retry_after
        self.counts_as_failure = counts_as_failure


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip()
        return text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    if error:
        return str(error)[:200]
    return str(body.get("detail") or body.get("message") or "")[:200] if isinstance(body, dict) else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(_RETRY_AFTER_CAP_SECONDS, max(0.0, float(value)))
    except ValueError:
        return None


class EndpointClient:
    """POSTs JSON to ``base_url + path``. ``setting_prefix`` (``LEADPILOT_LLM``, ``LEADPILOT_EMBEDDINGS``) is named in
    errors so that an operator knows which variable to fix. The API key is only ever put in the Authorization header.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr | str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        circuit_failures: int = 5,
        circuit_reset_seconds: float = 30.0,
        setting_prefix: str = "LEADPILOT_LLM",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base_url = (base_url or "").strip().rstrip("/")
        self.setting_prefix = setting_prefix
        if not base_url.startswith(("http://", "https://")):
            raise LlmMisconfigured(
                f"{setting_prefix}_BASE_URL must be an http(s) URL such as http://localhost:11434/v1, "
                f"got {_without_userinfo(base_url)!r}"
            )
        try:
            parsed = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise LlmMisconfigured(f"{setting_prefix}_BASE_URL is not a valid URL ({exc})") from None
        if not parsed.host:
            raise LlmMisconfigured(f"{setting_prefix}_BASE_URL has no host: {_without_userinfo(base_url)!r}")
        self.base_url = base_url
        # What errors, logs and the status endpoint show: a password in the URL (proxies) stays out of them.
        self.shown_url = _without_userinfo(base_url)
        self._api_key = api_key if isinstance(api_key, SecretStr) or api_key is None else SecretStr(api_key)
        self.max_retries = max(0, max_retries)
        self.retry_backoff = max(0.0, retry_backoff)
        self.breaker = breaker_for(base_url, failure_threshold=circuit_failures, reset_seconds=circuit_reset_seconds)
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout), transport=transport, follow_redirects=True
        )

    def __repr__(self) -> str:
        return f"EndpointClient(base_url={self.shown_url!r})"

    def close(self) -> None:
        self._client.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key is not None and self._api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return headers

    def _scrub(self, text: str) -> str:
        key = self._api_key.get_secret_value() if self._api_key is not None else ""
        return text.replace(key, "***") if key else text

    # -- error mapping -------------------------------------------------------------------------------------------

    def _check_status(self, response: httpx.Response, url: str) -> None:
        status = response.status_code
        if status < 400:
            return
        message = self._scrub(_server_message(response))
        said = f": {message}" if message else ""
        prefix = self.setting_prefix
        if status in (401, 403):
            raise LlmMisconfigured(
                f"{url} refused the credentials (HTTP {status}){said}; check {prefix}_API_KEY", extra={"url": url}
            )
        if status == 404:
            raise LlmMisconfigured(
                f"{url} answered 404 Not Found{said}; check {prefix}_BASE_URL (it usually ends in /v1) and "
                f"{prefix}_MODEL",
                extra={"url": url},
            )
        if status == 429:
            raise _Retryable(
                LlmUnavailable(f"{url} is rate limiting requests (HTTP 429){said}", extra={"url": url}),
                retry_after=_retry_after(response),
                counts_as_failure=False,
            )
        if status >= 500:
            raise _Retryable(
                LlmUnavailable(f"{url} failed with HTTP {status}{said}", extra={"url": url}),
                retry_after=_retry_after(response) if status == 503 else None,
            )
        raise LlmRequestRejected(f"{url} rejected the request (HTTP {status}){said}", extra={"url": url})

    def _transport_error(self, exc: httpx.HTTPError, url: str) -> LlmError | _Retryable:
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return LlmMisconfigured(f"{self.setting_prefix}_BASE_URL is not usable ({exc})", extra={"url": url})
        if isinstance(exc, httpx.ConnectError):
            reason = "connection refused or host unreachable"
        elif isinstance(exc, httpx.TimeoutException):
            reason = "timed out"
        else:
            reason = type(exc).__name__
        return _Retryable(LlmUnavailable(f"Cannot reach {url}: {reason}", extra={"url": url}))

    # -- the retry loop ------------------------------------------------------------------------------------------

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        delay = min(_BACKOFF_CAP_SECONDS, self.retry_backoff * 2**attempt)
        return delay * random.uniform(0.8, 1.2)  # jitter, so that replicas do not retry in step

    def _attempts(self, url: str) -> Iterator[int]:
        for attempt in range(self.max_retries + 1):
            if not self.breaker.allow():
                raise LlmCircuitOpen(
                    f"{url} failed {self.breaker.failure_threshold} times in a row; calls are paused for "
                    f"{self.breaker.seconds_until_trial():.0f} s more",
                    extra={"url": url},
                )
            yield attempt

    @contextmanager
    def _attempt(self, url: str, attempt: int) -> Iterator[list[LlmError]]:
        """Runs one attempt; records the outcome in the breaker; swallows a retryable failure unless it was the last
        attempt, appending it to the yielded list."""
        failures: list[LlmError] = []
        try:
            yield failures
        except _Retryable as retryable:
            if retryable.counts_as_failure:
                self.breaker.record_failure()
            else:
                self.breaker.release_trial()
            log.warning(
                "llm endpoint attempt failed",
                extra={"url": url, "attempt": attempt + 1, "error": retryable.error.detail},
            )
            if attempt >= self.max_retries:
                raise retryable.error from None
            failures.append(retryable.error)
            self._sleep(self._backoff(attempt, retryable.retry_after))
        except BaseException:
            # Misconfiguration, a rejected request or the caller's own error say nothing about the endpoint's health.
            self.breaker.release_trial()
            raise
        else:
            self.breaker.record_success()

    def post_json(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        target, url = f"{self.base_url}{path}", f"{self.shown_url}{path}"
        for attempt in self._attempts(url):
            with self._attempt(url, attempt) as failed:
                try:
                    response = self._client.post(target, json=payload, headers=self._headers())
                except httpx.HTTPError as exc:
                    raise self._transport_error(exc, url) from None
                self._check_status(response, url)
                try:
                    body = response.json()
                except (json.JSONDecodeError, UnicodeDecodeError):
                    raise _Retryable(LlmUnavailable(f"{url} answered with something that is not JSON")) from None
            if not failed:
                if not isinstance(body, dict):
                    raise LlmUnavailable(f"{url} answered with JSON that is not an object", extra={"url": url})
                return body
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def post_stream(self, path: str, payload: dict[str, Any]) -> Iterator[Iterator[dict[str, Any]]]:
        """Yields the server-sent events of a streamed answer, each parsed from JSON. Retries happen only until the
        response headers arrive; a failure in the middle of the stream raises ``LlmUnavailable``."""
        target, url = f"{self.base_url}{path}", f"{self.shown_url}{path}"
        headers = {**self._headers(), "Accept": "text/event-stream"}
        for attempt in self._attempts(url):
            response: httpx.Response | None = None
            with self._attempt(url, attempt) as failed:
                try:
                    request = self._client.build_request("POST", target, json=payload, headers=headers)
                    response = self._client.send(request, stream=True)
                except httpx.HTTPError as exc:
                    raise self._transport_error(exc, url) from None
                if response.status_code >= 400:
                    with suppress(httpx.HTTPError):
                        response.read()
                    response.close()
                    self._check_status(response, url)
            if failed or response is None:
                continue
            try:
                yield self._events(response, url)
            finally:
                response.close()
            return

    def _events(self, response: httpx.Response, url: str) -> Iterator[dict[str, Any]]:
        try:
            for data in iter_sse_data(response.iter_lines()):
                if data.strip() == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except json.JSONDecodeError:
                    raise LlmUnavailable(f"{url} sent a stream event that is not JSON", extra={"url": url}) from None
                if isinstance(event, dict) and event.get("error"):
                    message = self._scrub(str(event["error"].get("message", event["error"]))[:200])
                    raise LlmUnavailable(f"{url} failed in the middle of the answer: {message}", extra={"url": url})
                if isinstance(event, dict):
                    yield event
        except httpx.HTTPError as exc:
            self.breaker.record_failure()
            raise LlmUnavailable(f"{url} dropped the stream ({type(exc).__name__})", extra={"url": url}) from None


def _without_userinfo(url: str) -> str:
    scheme, separator, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if separator and "@" in authority:
        return f"{scheme}{separator}{authority.rpartition('@')[2]}{slash}{path}"
    return url


def iter_sse_data(lines: Iterator[str]) -> Iterator[str]:
    """The ``data`` of each server-sent event (several ``data:`` lines of one event are joined with newlines)."""
    buffer: list[str] = []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if buffer:
                yield "\n".join(buffer)
                buffer = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            buffer.append(value[1:] if value.startswith(" ") else value)
    if buffer:
        yield "\n".join(buffer)
