"""A local fake of an OpenAI-compatible ``POST /v1/chat/completions`` endpoint (for ``bot.llm``).

It answers from a queue set by the test: ``answer(obj)`` (a JSON object as the message content),
``answer_raw(text)`` (any content, e.g. garbage), ``slow(seconds, obj)``, ``http_error(status)``;
with an empty queue it answers ``{"intent": "unknown"}``. Every request is recorded (``requests``).
Run by hand: ``python -m tests.fakes.llm_server --port 9200``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.serving import ThreadedHTTP, run_main


class FakeLLM(ThreadedHTTP):
    path_prefix = "/v1"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.queue: list[tuple[str, Any, float]] = []  # (kind, payload, delay)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake.lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                    kind, payload, delay = fake.queue.pop(0) if fake.queue else ("json", {"intent": "unknown"}, 0.0)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if delay:
                    time.sleep(delay)
                if kind == "http":
                    return self._send(payload, {"error": {"message": "upstream failure"}})
                content = payload if kind == "raw" else json.dumps(payload, ensure_ascii=False)
                model = body.get("model") if isinstance(body, dict) else None
                try:
                    self._send(200, {
                        "id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                    })
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._serve(host, port, Handler)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.headers.clear()
            self.queue.clear()

    def answer(self, obj: dict[str, Any], *, delay: float = 0.0) -> None:
        with self.lock:
            self.queue.append(("json", obj, delay))

    def answer_raw(self, content: str) -> None:
        with self.lock:
            self.queue.append(("raw", content, 0.0))

    def slow(self, seconds: float, obj: dict[str, Any]) -> None:
        self.answer(obj, delay=seconds)

    def http_error(self, status: int = 500) -> None:
        with self.lock:
            self.queue.append(("http", status, 0.0))


def main() -> None:
    run_main(__doc__, lambda args: FakeLLM(args.host, args.port), 9200, "fake OpenAI-compatible endpoint")


if __name__ == "__main__":
    main()
