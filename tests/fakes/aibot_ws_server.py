"""A local fake of WeChat Work's AI bot long-connection server (the frames ``wecom-aibot-python-sdk`` speaks).

Client → server: ``aibot_subscribe`` (bot_id, secret), ``ping``, and the replies
``aibot_respond_msg`` / ``aibot_respond_welcome_msg`` / ``aibot_respond_update_msg`` /
``aibot_send_msg``, each acknowledged with ``{"headers": {"req_id"}, "errcode": 0}``.
Server → client: ``aibot_msg_callback`` and ``aibot_event_callback`` frames whose body is the
same JSON as the callback's decrypted message. It records every reply, can push one frame to
every connection (two tuoke processes on one bot) and can drop every connection (reconnects).
Run by hand: ``python -m tests.fakes.aibot_ws_server --port 9200``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import threading
import time
from typing import Any

import websockets
from websockets.asyncio.server import ServerConnection, serve


class FakeAibotWs:
    def __init__(self, bot_id: str = "aib-test", secret: str = "aibot-secret", host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.bot_id, self.secret = bot_id, secret
        self.host, self.port = host, port
        self.lock = threading.Lock()
        self.connections: list[ServerConnection] = []
        self.frames: list[dict[str, Any]] = []  # every reply frame received (not auth, not ping)
        self.auths = 0
        self.refused = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._server: Any = None

    # -- control -------------------------------------------------------------------------
    def start(self) -> "FakeAibotWs":
        self.thread.start()
        async def open_server() -> Any:
            return await serve(self._handler, self.host, self.port)

        self._server = asyncio.run_coroutine_threadsafe(open_server(), self.loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def live(self) -> int:
        with self.lock:
            return len(self.connections)

    def push(self, body: dict[str, Any], *, event: bool = False, req_id: str | None = None) -> str:
        """Send one callback frame to every authenticated connection; its req_id."""
        req_id = req_id or f"{'evt' if event else 'msg'}_{int(time.time() * 1000)}_{secrets.token_hex(4)}"
        frame = {"cmd": "aibot_event_callback" if event else "aibot_msg_callback", "headers": {"req_id": req_id},
                 "body": body}

        async def send() -> None:
            with self.lock:
                conns = list(self.connections)
            for ws in conns:
                try:
                    await ws.send(json.dumps(frame, ensure_ascii=False))
                except websockets.ConnectionClosed:
                    pass

        asyncio.run_coroutine_threadsafe(send(), self.loop).result(10)
        return req_id

    def drop_all(self) -> None:
        """Close every connection as a network failure would."""
        async def drop() -> None:
            with self.lock:
                conns = list(self.connections)
            for ws in conns:
                await ws.close(code=1011, reason="fake drop")

        asyncio.run_coroutine_threadsafe(drop(), self.loop).result(10)

    def replies(self, req_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [f for f in self.frames if f.get("headers", {}).get("req_id") == req_id]

    # -- behaviour -----------------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        authed = False
        try:
            async for raw in ws:
                frame = json.loads(raw)
                cmd = frame.get("cmd")
                req_id = frame.get("headers", {}).get("req_id", "")
                if cmd == "aibot_subscribe":
                    body = frame.get("body") or {}
                    ok = body.get("bot_id") == self.bot_id and body.get("secret") == self.secret
                    await ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": 0 if ok else 40058,
                                              "errmsg": "ok" if ok else "invalid bot_id or secret"}))
                    with self.lock:
                        if ok:
                            self.auths += 1
                            self.connections.append(ws)
                            authed = True
                        else:
                            self.refused += 1
                    continue
                if cmd == "ping":
                    await ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"}))
                    continue
                if not authed:
                    await ws.close(code=1008, reason="not subscribed")
                    return
                with self.lock:
                    self.frames.append(frame)
                await ws.send(json.dumps({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"}))
        except websockets.ConnectionClosed:
            pass
        finally:
            with self.lock:
                if ws in self.connections:
                    self.connections.remove(ws)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9200)
    args = parser.parse_args()
    fake = FakeAibotWs(port=args.port).start()
    print(f"fake AI bot long connection on {fake.url} (Ctrl-C to stop)")
    try:
        fake.thread.join()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
