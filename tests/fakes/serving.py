"""What every local fake server shares: serving a handler on a loopback port in a daemon thread,
start / stop, and the ``python -m tests.fakes.X --port N`` entry point."""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


class ThreadedHTTP:
    """A ThreadingHTTPServer for ``handler`` in a daemon thread (``port`` 0: a free one)."""

    path_prefix = ""  # appended to the base URL (an OpenAI-compatible API lives under /v1)

    def _serve(self, host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.path_prefix}"

    def start(self) -> Any:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_main(doc: str | None, make: Callable[[argparse.Namespace], Any], default_port: int, what: str) -> None:
    """``--host`` / ``--port``, start the fake, say where, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    fake = make(parser.parse_args()).start()
    print(f"{what} on {fake.url} (Ctrl-C to stop)")
    try:
        fake.thread.join()
    except KeyboardInterrupt:
        fake.stop()
