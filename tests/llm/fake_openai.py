"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions and embeddings protocol.

Each request to ``/v1/chat/completions`` is answered by the next queued ``Answer`` (a plain text reply when none is
queued): a JSON completion, a stream of server-sent events when the request asks for ``stream``, or an error status.
Every request is recorded with its headers and JSON body.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from leadpilot.llm.fakes import HashingEmbedder


@dataclass
class Answer:
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""
    usage: bool = True
    drop_after: int | None = None  # stream: close the connection after this many chunks


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.api_key: str | None = None
        self.model = "fake-model-1"
        self.embedder = HashingEmbedder(dimension=8)
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()
        self.url = ""

    def answer(self, *answers: Answer) -> FakeOpenAI:
        with self._lock:
            self._answers.extend(answers)
        return self

    def next_answer(self) -> Answer:
        with self._lock:
            return self._answers.popleft() if self._answers else Answer(text="Hello from the fake server.")

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]


def _words(text: str) -> list[str]:
    pieces = text.split(" ")
    return [piece + (" " if i < len(pieces) - 1 else "") for i, piece in enumerate(pieces)]


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        fake: FakeOpenAI = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.loads(raw or b"{}")
        fake.record(Received(path=self.path, headers=dict(self.headers.items()), body=body))
        if fake.api_key is not None and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._send_json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
            return
        if self.path == "/v1/embeddings":
            self._embeddings(fake, body)
        elif self.path == "/v1/chat/completions":
            self._chat(fake, body)
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def _embeddings(self, fake: FakeOpenAI, body: dict[str, Any]) -> None:
        texts = body["input"]
        vectors = fake.embedder.embed(texts) * 3.0  # not normalised: the client must normalise
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        data.reverse()  # out of order on purpose: the client must sort by index
        tokens = sum(len(text.split()) for text in texts)
        self._send_json(
            200, {"object": "list", "data": data, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        )

    def _chat(self, fake: FakeOpenAI, body: dict[str, Any]) -> None:
        answer = fake.next_answer()
        if answer.status != 200:
            self._send_json(answer.status, {"error": {"message": answer.error or "failure"}}, answer.headers)
            return
        prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in body["messages"])
        completion_tokens = len(answer.text.split())
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
        calls = [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(answer.tool_calls)
        ]
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
            if calls:
                message["tool_calls"] = calls
            completion: dict[str, Any] = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": fake.model,
                "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            }
            if answer.usage:
                completion["usage"] = {**usage, "total_tokens": prompt_tokens + completion_tokens}
            self._send_json(200, completion)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for count, event in enumerate(self._chunks(fake, answer, calls, usage, body)):
            if answer.drop_after is not None and count >= answer.drop_after:
                self.wfile.flush()
                self.connection.shutdown(2)
                return
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b": keep-alive comment\n\ndata: [DONE]\n\n")
        self.wfile.flush()

    def _chunks(
        self,
        fake: FakeOpenAI,
        answer: Answer,
        calls: list[dict[str, Any]],
        usage: dict[str, int],
        body: dict[str, Any],
    ) -> Iterator[dict[str, Any]]:
        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "model": fake.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        yield chunk({"role": "assistant", "content": ""})
        for word in _words(answer.text) if answer.text else []:
            yield chunk({"content": word})
        for index, call in enumerate(calls):
            arguments = call["function"]["arguments"]
            middle = len(arguments) // 2
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["function"]["name"], "arguments": arguments[:middle]},
                        }
                    ]
                }
            )
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments[middle:]}}]})
        yield chunk({}, "tool_calls" if calls else "stop")
        if answer.usage and (body.get("stream_options") or {}).get("include_usage"):
            yield {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "model": fake.model,
                "choices": [],
                "usage": usage,
            }


def start_fake_openai() -> tuple[FakeOpenAI, ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    fake = FakeOpenAI()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.fake = fake  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return fake, server, thread
