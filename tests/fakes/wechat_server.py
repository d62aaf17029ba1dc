"""A local fake of the WeChat Work and WeChat APIs tuoke calls (every outbound call goes here).

Endpoints: ``GET /cgi-bin/gettoken``, ``POST /cgi-bin/message/send``,
``POST /cgi-bin/message/update_template_card``, ``GET /cgi-bin/media/get`` (WeChat Work),
``GET /sns/jscode2session`` (mini-program login), and an OpenAI-compatible speech-to-text endpoint
``POST /v1/audio/transcriptions`` (fake AMR: ``#!AMR\n`` + the words, see ``add_voice``). It records what it received and fails on
demand: ``fail_next("send", "http500" | "timeout" | "token_expired" | "rate_limit" | "busy" |
"bad_user", times=1)``; ``send_delay`` makes every send slow. Run by hand: ``python -m tests.fakes.wechat_server --port 9100``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.serving import ThreadedHTTP, run_main

AMR_MAGIC = b"#!AMR\n"

ERRORS = {
    "token_expired": {"errcode": 42001, "errmsg": "access_token expired"},
    "rate_limit": {"errcode": 45009, "errmsg": "reach max api daily quota limit"},
    "busy": {"errcode": -1, "errmsg": "system busy"},
    "bad_user": {"errcode": 81013, "errmsg": "user & party & tag all invalid"},
    "bad_code": {"errcode": 40029, "errmsg": "invalid code"},
}


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float = field(default_factory=time.time)


class FakeWeChat(ThreadedHTTP):
    def __init__(self, host: str = "127.0.0.1", port: int = 0, timeout_seconds: float = 6.0) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.tokens: dict[str, str] = {}  # token -> corpid
        self.used_codes: set[str] = set()
        self.code_openids: dict[str, str] = {}
        self.failures: dict[str, list[str]] = {}
        self.timeout_seconds = timeout_seconds
        self.send_delay = 0.0  # seconds message/send takes before answering (a slow WeChat)
        self.token_fetches = 0
        self.media: dict[str, bytes] = {}
        self.tickets: list[str] = []  # jsapi tickets handed out, newest last
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _reply(self, status: int, body: dict[str, Any] | bytes) -> None:
                raw = isinstance(body, bytes)
                data = body if raw else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "audio/amr" if raw else "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body: Any = None
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    raw = self.rfile.read(length)
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw.decode(errors="replace")
                if fake.send_delay and parts.path == "/cgi-bin/message/send":
                    time.sleep(fake.send_delay)
                status, reply = fake.route(method, parts.path, query, body)
                if status == -1:  # a timeout: say nothing for longer than the client waits
                    time.sleep(fake.timeout_seconds)
                    return
                self._reply(status, reply)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self._serve(host, port, Handler)

    # -- control -------------------------------------------------------------------------
    def fail_next(self, endpoint: str, mode: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``endpoint`` ("token", "send", "session") fail."""
        with self.lock:
            self.failures.setdefault(endpoint, []).extend([mode] * times)

    def expire_tokens(self) -> None:
        """Every access token handed out so far stops working (42001)."""
        with self.lock:
            self.tokens.clear()

    def register_code(self, code: str, openid: str) -> None:
        with self.lock:
            self.code_openids[code] = openid

    def add_voice(self, media_id: str, words: str) -> None:
        """A voice message's audio for media/get; the fake speech-to-text hears ``words`` in it."""
        with self.lock:
            self.media[media_id] = AMR_MAGIC + words.encode()

    def transcriptions(self) -> list[Any]:
        with self.lock:
            return [r.body for r in self.received if r.path == "/v1/audio/transcriptions"]

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.failures.clear()
            self.used_codes.clear()
            self.send_delay = 0.0

    def forget(self, predicate: Any) -> None:
        """Drop the received requests whose body matches ``predicate`` (set-up noise)."""
        with self.lock:
            self.received = [r for r in self.received if not (isinstance(r.body, dict) and predicate(r.body))]

    def sent(self, touser: str | None = None) -> list[dict[str, Any]]:
        """Messages accepted by message/send (optionally for one member)."""
        with self.lock:
            out = [r.body for r in self.received if r.path == "/cgi-bin/message/send" and r.query.get("_ok")]
        return [m for m in out if touser is None or m.get("touser") == touser]

    # -- behaviour -----------------------------------------------------------------------
    def _failure(self, endpoint: str) -> str | None:
        with self.lock:
            queue = self.failures.get(endpoint)
            return queue.pop(0) if queue else None

    def route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, dict[str, Any] | bytes]:
        record = Received(method, path, dict(query), body)
        with self.lock:
            self.received.append(record)
        endpoint = {"/cgi-bin/gettoken": "token", "/cgi-bin/message/send": "send",
                    "/cgi-bin/message/update_template_card": "update_card", "/sns/jscode2session": "session",
                    "/cgi-bin/media/get": "media", "/v1/audio/transcriptions": "stt",
                    "/cgi-bin/token": "mp_token", "/cgi-bin/ticket/getticket": "ticket",
                    "/cgi-bin/get_jsapi_ticket": "ticket"}.get(path)
        if endpoint is None:
            return 404, {"errcode": 404, "errmsg": "no such api in the fake"}
        failure = self._failure(endpoint)
        if failure == "http500":
            return 500, {"errcode": -1, "errmsg": "internal"}
        if failure == "timeout":
            return -1, {}
        if failure:
            return 200, ERRORS[failure]
        if endpoint == "token":
            if not query.get("corpid") or not query.get("corpsecret"):
                return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
            token = "fake-token-" + secrets.token_hex(8)
            with self.lock:
                self.tokens[token] = query["corpid"]
                self.token_fetches += 1
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if endpoint == "mp_token":  # the Official Account's token (client_credential)
            if query.get("grant_type") != "client_credential" or not query.get("appid") or not query.get("secret"):
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            token = "fake-mp-token-" + secrets.token_hex(8)
            with self.lock:
                self.tokens[token] = query["appid"]
                self.token_fetches += 1
            return 200, {"access_token": token, "expires_in": 7200}
        if endpoint == "ticket":  # JS-SDK jsapi_ticket: Official Account (type=jsapi) or WeChat Work
            with self.lock:
                valid = query.get("access_token") in self.tokens
            if not valid:
                return 200, ERRORS["token_expired"]
            if path == "/cgi-bin/ticket/getticket" and query.get("type") != "jsapi":
                return 200, {"errcode": 40097, "errmsg": "invalid args"}
            ticket = "fake-ticket-" + secrets.token_hex(16)
            with self.lock:
                self.tickets.append(ticket)
            return 200, {"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200}
        if endpoint == "media":
            with self.lock:
                valid = query.get("access_token") in self.tokens
                audio = self.media.get(query.get("media_id", ""))
            if not valid:
                return 200, ERRORS["token_expired"]
            if audio is None:
                return 200, {"errcode": 40007, "errmsg": "invalid media_id"}
            return 200, audio
        if endpoint == "stt":
            text = body if isinstance(body, str) else ""
            start = text.find(AMR_MAGIC.decode())
            if start < 0 or 'name="model"' not in text:
                return 400, {"error": {"message": "no audio file or model"}}
            words = text[start + len(AMR_MAGIC):].split("\r\n--", 1)[0]
            return 200, {"text": words}
        if endpoint == "update_card":
            with self.lock:
                valid = query.get("access_token") in self.tokens
            if not valid:
                return 200, ERRORS["token_expired"]
            if not isinstance(body, dict) or not body.get("response_code") or not body.get("userids"):
                return 200, {"errcode": 40003, "errmsg": "invalid response_code or userids"}
            record.query["_ok"] = "1"
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": []}
        if endpoint == "send":
            with self.lock:
                valid = query.get("access_token") in self.tokens
            if not valid:
                return 200, ERRORS["token_expired"]
            if not isinstance(body, dict) or not body.get("touser") or not body.get("msgtype"):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            record.query["_ok"] = "1"
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(8)}
        # jscode2session
        code = query.get("js_code", "")
        if not code or not query.get("appid") or not query.get("secret"):
            return 200, ERRORS["bad_code"]
        with self.lock:
            if code in self.used_codes:
                return 200, {"errcode": 40163, "errmsg": "code been used"}
            self.used_codes.add(code)
            openid = self.code_openids.get(code)
        if openid is None:
            # Codes are one-time, the person is not: "alice#1" and "alice#2" are two logins of one user.
            person = code.split("#", 1)[0]
            openid = "o" + hashlib.sha1(f"{query['appid']}:{person}".encode()).hexdigest()[:27]
        return 200, {"openid": openid, "session_key": secrets.token_hex(12), "unionid": "u" + openid[1:]}


def main() -> None:
    run_main(__doc__, lambda args: FakeWeChat(args.host, args.port), 9100, "fake WeChat API")


if __name__ == "__main__":
    main()
