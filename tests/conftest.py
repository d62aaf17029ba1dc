"""Test fixtures: a fresh PostgreSQL database per run, the real app over real HTTP, the fake WeChat.

The database is the embedded server (``.tuoke/pgdata``) unless ``DATABASE_URL`` names another;
either way this run gets its own database, dropped at the end. The app runs in a uvicorn thread
on a free loopback port, exactly as ``tuoke serve`` runs it; its outbound WeChat calls go to the
fake server (``TUOKE_WECHAT_API_BASE``). Jobs do not run on their own in tests: a test runs the
pass it needs (delivery, scans) so that what it asserts is deterministic.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "test-admin-" + secrets.token_hex(8)

os.environ["TUOKE_ADMIN_TOKEN"] = ADMIN_TOKEN
os.environ["TUOKE_INPROCESS_WORKER"] = "0"
os.environ["TUOKE_WARM_MODELS"] = "0"  # tests that need a warm model warm it themselves
os.environ["TUOKE_DATA_DIR"] = tempfile.mkdtemp(prefix="tuoke-test-")
os.environ["TUOKE_SECRET_KEY"] = "test-secret-key"
os.environ["TUOKE_WECHAT_TIMEOUT"] = "1"  # the fake's "timeout" failure stays silent for 1.5 s
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from tests.fakes.wechat_server import FakeWeChat  # noqa: E402

_FAKE = FakeWeChat(timeout_seconds=1.5).start()
os.environ["TUOKE_WECHAT_API_BASE"] = _FAKE.url

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import uvicorn  # noqa: E402

from backend import clock  # noqa: E402
from backend.db import embedded  # noqa: E402
from backend.db.migrate import migrate_url  # noqa: E402
from backend.db.pool import create_pool  # noqa: E402
from backend.settings import reset_settings  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_url() -> str:
    base = os.environ.get("DATABASE_URL")
    if base:
        return base
    return embedded.start_embedded(REPO / ".tuoke")


@pytest.fixture(scope="session")
def database_url() -> str:
    """A fresh database for this test run, migrated; dropped when the run ends."""
    name = f"tuoke_test_{os.getpid()}_{secrets.token_hex(3)}"
    url = embedded.with_database(_server_url(), name)
    asyncio.run(embedded.ensure_database(url))
    asyncio.run(migrate_url(url))
    os.environ["DATABASE_URL"] = url
    reset_settings()
    yield url
    asyncio.run(embedded.drop_database(url))


@pytest.fixture(scope="session")
def fake_wechat() -> FakeWeChat:
    return _FAKE


@pytest.fixture(scope="module")
def fake_llm():
    """The local fake OpenAI-compatible LLM endpoint (tests/fakes/llm_server.py), for a module's tests."""
    from tests.fakes.llm_server import FakeLLM

    fake = FakeLLM().start()
    yield fake
    fake.stop()


# Every test starts on the same Monday morning in Shanghai (10:00, outside quiet hours) with the
# clock running from there: nothing a test asserts depends on today's date or the hour CI runs.
TEST_EPOCH = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_fake_and_clock(fake_wechat: FakeWeChat):
    fake_wechat.reset()
    clock.start_at(TEST_EPOCH)
    os.environ["TUOKE_CLOCK_ORIGIN"] = TEST_EPOCH.isoformat()  # processes a test starts run from it too
    yield
    clock.start_at(TEST_EPOCH)


class _ServerThread:
    def __init__(self, app, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.time() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.time() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def app_url(database_url: str) -> str:
    """The real app, served over HTTP on a free loopback port."""
    from backend.asgi import create_app

    port = _free_port()
    server = _ServerThread(create_app(), port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
async def pool(database_url: str) -> asyncpg.Pool:
    pool = await create_pool(database_url, min_size=1, max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
async def db(pool: asyncpg.Pool) -> asyncpg.Connection:
    async with pool.acquire() as conn:
        yield conn


@pytest.fixture(scope="session")
async def client(app_url: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as c:
        yield c


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def factory(pool: asyncpg.Pool):
    from tests.factory import Factory

    return Factory(pool)
