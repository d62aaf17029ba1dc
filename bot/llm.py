"""An optional second opinion from an LLM, asked only when the built-in parser is unsure.

Any OpenAI-compatible ``/chat/completions`` endpoint (a company's own Qwen or DeepSeek, vLLM,
Ollama …), configured by ``TUOKE_LLM_BASE_URL`` (e.g. ``http://llm.internal:8000/v1``),
``TUOKE_LLM_MODEL``, ``TUOKE_LLM_API_KEY`` (optional) and ``TUOKE_LLM_TIMEOUT`` (seconds, default 2,
at most 3: the whole message must be answered inside WeChat's 5 s). Unset base URL or model: off.

The request carries ``response_format: {"type": "json_schema", …}`` with the JSON schema of
:class:`schemas.intents.ParsedMessage` (``msgspec.json.schema``); the answer is decoded into that
same type — unknown fields refused, as for any input — and then checked like any input (a known
stage, a due time with its offset, digits for a phone, sane lengths and amounts). On a timeout, an
HTTP or network error, or an answer that fails any of this, the built-in parse stands. The LLM's
reading still goes through the confirmation policy like any other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable

import httpx
import msgspec

from schemas.intents import FIELDS, ParsedMessage

log = logging.getLogger("tuoke.bot.llm")

DEFAULT_TIMEOUT = 2.0
MAX_TIMEOUT = 3.0  # hard cap, well under WeChat's 5 s for the whole message
MAX_TEXT = 500
_PHONE = re.compile(r"^\d{5,20}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


@dataclass(frozen=True)
class LlmSettings:
    base_url: str
    model: str
    api_key: str | None
    timeout: float


def settings() -> LlmSettings | None:
    """The adapter's settings from the environment, or None when it is not configured."""
    base = (os.environ.get("TUOKE_LLM_BASE_URL") or "").strip().rstrip("/")
    model = (os.environ.get("TUOKE_LLM_MODEL") or "").strip()
    if not base or not model:
        return None
    try:
        timeout = float(os.environ.get("TUOKE_LLM_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return LlmSettings(base_url=base, model=model, api_key=os.environ.get("TUOKE_LLM_API_KEY") or None,
                       timeout=min(max(timeout, 0.1), MAX_TIMEOUT))


def enabled() -> bool:
    return settings() is not None


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON schema of ParsedMessage, inlined (no ``$ref``) as ``response_format`` wants it."""
    full = msgspec.json.schema(ParsedMessage)
    defs = full.get("$defs", {})
    ref = full.get("$ref", "")
    out = dict(defs[ref.rsplit("/", 1)[-1]]) if ref else dict(full)
    out.pop("title", None)
    return out


_DECODER = msgspec.json.Decoder(ParsedMessage)

SYSTEM = """You read one chat message a B2B sales rep sent to a CRM assistant and answer with one JSON object
matching the given schema: the intent and exactly the fields the message states (leave the others out).
Intents: create_lead (a new customer: company, contact_name, contact_title, phone digits, email, product,
amount = budget), update_stage (an existing deal, named by deal_hint, moves to stage), mark_won (amount =
contract value), mark_lost (reason), log_activity (something already done: note), schedule_followup (a
future action: due, note), list_deals, search_kb (query, kb_kind), snooze (snooze_days), help, bind, undo,
unknown. Amounts are integer CNY (万 = 10000, 亿 = 100000000, k = 1000). due is ISO 8601 with seconds and
the UTC offset of {tz}; now is {now}. Stage keys: {stages}. confidence: your certainty from 0 to 1."""


def _request(cfg: LlmSettings, text: str, now: dt.datetime, tz: str, stages: Iterable[str]) -> dict[str, Any]:
    return {
        "model": cfg.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM.format(tz=tz, now=now.isoformat(timespec="seconds"),
                                                        stages=", ".join(stages))},
            {"role": "user", "content": text},
        ],
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "parsed_message", "schema": schema(), "strict": False}},
    }


class Invalid(ValueError):
    """The LLM's answer is not a valid ParsedMessage for this tenant."""


def _content(body: Any) -> str:
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise Invalid("no choices[0].message.content") from None
    if not isinstance(content, str):
        raise Invalid("content is not a string")
    content = content.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", content, re.DOTALL)
    return fenced[1] if fenced else content


def validate(parsed: ParsedMessage, *, stages: Iterable[str], lang: str) -> ParsedMessage:
    """Check an LLM reading like any input; the checked reading (in the message's language)."""
    keys = set(stages)
    for name in FIELDS + ("clarify",):
        value = getattr(parsed, name)
        if isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
            raise Invalid(f"{name} too long or not text")
    if parsed.stage is not None and parsed.stage not in keys:
        raise Invalid(f"unknown stage {parsed.stage!r}")
    if parsed.amount is not None and not 0 <= parsed.amount <= 10**13:
        raise Invalid("amount out of range")
    if parsed.snooze_days is not None and not 1 <= parsed.snooze_days <= 365:
        raise Invalid("snooze_days out of range")
    if parsed.phone is not None and not _PHONE.match(parsed.phone):
        raise Invalid("phone is not digits")
    if parsed.email is not None and not _EMAIL.match(parsed.email):
        raise Invalid("not an e-mail address")
    if parsed.due is not None:
        try:
            due = dt.datetime.fromisoformat(parsed.due)
        except ValueError:
            raise Invalid("due is not ISO 8601") from None
        if due.tzinfo is None:
            raise Invalid("due has no UTC offset")
    if not 0.0 <= parsed.confidence <= 1.0:
        raise Invalid("confidence out of range")
    return msgspec.structs.replace(parsed, lang=lang)


def decode(content: str | bytes, *, stages: Iterable[str], lang: str) -> ParsedMessage:
    try:
        parsed = _DECODER.decode(content)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Invalid(str(exc)) from None
    return validate(parsed, stages=stages, lang=lang)


async def ask(text: str, *, now: dt.datetime, tz: str, stages: Iterable[str], lang: str = "zh",
              cfg: LlmSettings | None = None) -> ParsedMessage:
    """The LLM's reading of ``text``; raises on timeout, HTTP error or an invalid answer."""
    cfg = cfg or settings()
    if cfg is None:
        raise Invalid("no LLM configured")
    stages = list(stages)
    headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(cfg.timeout)) as client:
        response = await asyncio.wait_for(
            client.post(f"{cfg.base_url}/chat/completions", json=_request(cfg, text, now, tz, stages), headers=headers),
            timeout=cfg.timeout,
        )
    response.raise_for_status()
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("the response is not JSON") from None
    return decode(_content(body), stages=stages, lang=lang)


async def refine(text: str, parsed: ParsedMessage, *, now: dt.datetime, tz: str, stages: Iterable[str]
                 ) -> ParsedMessage | None:
    """Ask the LLM about a message the built-in parser was unsure of; None to keep the built-in parse."""
    cfg = settings()
    if cfg is None:
        return None
    try:
        return await ask(text, now=now, tz=tz, stages=stages, lang=parsed.lang, cfg=cfg)
    except (asyncio.TimeoutError, httpx.HTTPError, Invalid) as exc:
        log.info("LLM not used (%s): %s", type(exc).__name__, str(exc)[:200])
        return None
