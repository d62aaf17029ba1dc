"""The self-built app's voice messages: WeChat Work sends only a MediaId and AMR audio, no words.

When a speech-to-text endpoint is configured (``TUOKE_STT_BASE_URL``, any OpenAI-compatible
``/audio/transcriptions``; ``TUOKE_STT_MODEL``, ``TUOKE_STT_API_KEY``), the audio is fetched
through the media API (``TUOKE_WECHAT_API_BASE``) and transcribed, and the words go on as a text
message would. The AMR is sent as it is (``audio/amr``): converting it to WAV would need ffmpeg,
which no package here ships; use an endpoint that takes AMR. Without an endpoint, or when either
call fails or is too slow for WeChat's 5 s, the rep is told in one line how to send voice that
arrives as words (the AI bot, or the keyboard's voice input): never silence.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import httpx

from backend import wechat_api
from backend.errors import UpstreamError
from backend.settings import get_settings
from schemas.tenants import Tenant

log = logging.getLogger("tuoke.bot.voice")

BUDGET = 3.5  # seconds for fetching and transcribing, inside WeChat's 5 s


def configured() -> bool:
    return get_settings().stt_base_url is not None


async def transcribe(conn: asyncpg.Connection, tenant: Tenant, media_id: str) -> str | None:
    """The words of a voice message, or None (not configured, failed, or over budget)."""
    settings = get_settings()
    if settings.stt_base_url is None or not media_id:
        return None

    async def go() -> str | None:
        audio, kind = await wechat_api.wecom_media_get(conn, tenant, media_id)
        headers = {"Authorization": f"Bearer {settings.stt_api_key}"} if settings.stt_api_key else {}
        response = await wechat_api.client().post(
            f"{settings.stt_base_url}/audio/transcriptions", headers=headers,
            data={"model": settings.stt_model, "response_format": "json"},
            files={"file": (f"{media_id[:40]}.amr", audio, "audio/amr" if "amr" in kind or not kind else kind)},
        )
        if response.status_code != 200:
            raise UpstreamError(f"speech to text answered HTTP {response.status_code}")
        text = response.json().get("text")
        return text.strip() if isinstance(text, str) else None

    try:
        return await asyncio.wait_for(go(), timeout=BUDGET)
    except (UpstreamError, httpx.HTTPError, ValueError, asyncio.TimeoutError) as exc:
        log.warning("voice %s of %s not transcribed: %s", media_id[:40], tenant.slug, exc)
        return None
