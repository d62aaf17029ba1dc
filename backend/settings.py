"""Settings from the environment (DESIGN.md lists the variables); read once per process."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

import msgspec

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    database_url: str | None
    admin_token: str | None
    secret_key: str
    wechat_api_base: str | None  # None: WeChat's own hosts
    embed_model: str | None
    host: str
    port: int
    data_dir: Path
    public_base_url: str
    run_worker_in_process: bool
    # Speech to text for the self-built app's voice messages: any OpenAI-compatible endpoint.
    stt_base_url: str | None = None  # e.g. http://host:9000/v1 (POST {base}/audio/transcriptions)
    stt_model: str = "whisper-1"
    stt_api_key: str | None = None


def _data_dir() -> Path:
    return Path(os.environ.get("TUOKE_DATA_DIR", REPO_ROOT / ".tuoke"))


def _secret_key(data_dir: Path) -> str:
    """TUOKE_SECRET_KEY, else one generated once and kept under the data folder."""
    key = os.environ.get("TUOKE_SECRET_KEY")
    if key:
        return key
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _admin_token(data_dir: Path) -> str | None:
    """TUOKE_ADMIN_TOKEN, else the one ``tuoke demo`` generated and kept under the data folder."""
    token = os.environ.get("TUOKE_ADMIN_TOKEN")
    if token:
        return token
    try:
        return (data_dir / "admin_token").read_text().strip() or None
    except FileNotFoundError:
        return None


def ensure_admin_token(data_dir: Path) -> str:
    """The admin token, generating and keeping one under the data folder when none is set."""
    token = _admin_token(data_dir)
    if token:
        return token
    data_dir.mkdir(parents=True, exist_ok=True)
    token = "adm_" + secrets.token_urlsafe(24)
    path = data_dir / "admin_token"
    path.write_text(token)
    path.chmod(0o600)
    reset_settings()
    return token


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = _data_dir()
    host = os.environ.get("TUOKE_HOST", "127.0.0.1")
    port = int(os.environ.get("TUOKE_PORT", "8000"))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or None,
        admin_token=_admin_token(data_dir),
        secret_key=_secret_key(data_dir),
        wechat_api_base=(os.environ.get("TUOKE_WECHAT_API_BASE") or "").rstrip("/") or None,
        embed_model=os.environ.get("TUOKE_EMBED_MODEL") or None,
        host=host,
        port=port,
        data_dir=data_dir,
        public_base_url=os.environ.get("TUOKE_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
        run_worker_in_process=os.environ.get("TUOKE_INPROCESS_WORKER", "1") not in ("0", "false", "no"),
        stt_base_url=(os.environ.get("TUOKE_STT_BASE_URL") or "").rstrip("/") or None,
        stt_model=os.environ.get("TUOKE_STT_MODEL") or "whisper-1",
        stt_api_key=os.environ.get("TUOKE_STT_API_KEY") or None,
    )


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
