"""The optional LLM adapter against a local fake OpenAI-compatible endpoint: a good answer is
decoded into ParsedMessage and used; slow, failing, garbage or invalid answers fall back (None)."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from bot import llm
from bot.intents import parse
from schemas.intents import ParsedMessage

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STAGES = ["lead", "qualified", "initiated", "solution", "bidding", "negotiation", "won", "paid", "lost"]
TEXT = "顺和那边 嗯 就那样吧 方案"


@pytest.fixture
def llm_env(fake_llm, monkeypatch):
    fake_llm.reset()
    monkeypatch.setenv("TUOKE_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("TUOKE_LLM_MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("TUOKE_LLM_API_KEY", "sk-test-123")
    monkeypatch.setenv("TUOKE_LLM_TIMEOUT", "0.5")
    return fake_llm


async def _refine(text: str = TEXT):
    built_in = parse(text, now=NOW, tz="Asia/Shanghai")
    return await llm.refine(text, built_in, now=NOW, tz="Asia/Shanghai", stages=STAGES)


def test_off_unless_configured(monkeypatch):
    monkeypatch.delenv("TUOKE_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("TUOKE_LLM_MODEL", raising=False)
    assert not llm.enabled()
    monkeypatch.setenv("TUOKE_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    assert not llm.enabled()  # a model is needed too
    monkeypatch.setenv("TUOKE_LLM_MODEL", "m")
    monkeypatch.setenv("TUOKE_LLM_TIMEOUT", "30")
    assert llm.settings().timeout == llm.MAX_TIMEOUT  # never more than 3 s, inside WeChat's 5 s


def test_the_schema_is_parsed_message_inlined():
    schema = llm.schema()
    assert schema["type"] == "object" and "$ref" not in json.dumps(schema)
    assert set(schema["properties"]) == set(ParsedMessage.__struct_fields__)
    assert "update_stage" in schema["properties"]["intent"]["enum"]


async def test_a_good_answer_is_used(llm_env):
    llm_env.answer({"intent": "update_stage", "deal_hint": "顺和", "stage": "solution", "confidence": 0.9})
    got = await _refine()
    assert got == ParsedMessage(intent="update_stage", deal_hint="顺和", stage="solution", confidence=0.9, lang="zh")
    request = llm_env.requests[0]
    assert request["model"] == "qwen2.5-7b-instruct" and request["messages"][-1]["content"] == TEXT
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"] == llm.schema()
    assert "2026-11-23T10:00:00+08:00" in request["messages"][0]["content"]
    assert llm_env.headers[0].get("Authorization") == "Bearer sk-test-123"


async def test_a_fenced_json_answer_is_read(llm_env):
    llm_env.answer_raw('```json\n{"intent": "mark_lost", "deal_hint": "顺和", "reason": "价格"}\n```')
    got = await _refine()
    assert (got.intent, got.deal_hint, got.reason) == ("mark_lost", "顺和", "价格")


async def test_a_slow_answer_falls_back_within_the_timeout(llm_env):
    llm_env.slow(2.0, {"intent": "update_stage", "deal_hint": "顺和", "stage": "solution"})
    t0 = time.perf_counter()
    assert await _refine() is None
    assert time.perf_counter() - t0 < 1.5


@pytest.mark.parametrize("content", [
    "I think the rep wants to move the deal to the solution stage.",        # not JSON
    '{"intent": "update_stage", "stage": "solution", "mood": "happy"}',     # an unknown field
    '{"intent": "teleport"}',                                               # an unknown intent
    '{"intent": "update_stage", "stage": "launch"}',                        # not one of the tenant's stages
    '{"intent": "schedule_followup", "due": "tomorrow 3pm"}',               # a due time that is not ISO 8601
    '{"intent": "schedule_followup", "due": "2026-11-24T15:00:00"}',        # without its UTC offset
    '{"intent": "create_lead", "company": "A", "phone": "138-0000"}',       # a phone that is not digits
    '{"intent": "mark_won", "amount": -5}',                                 # a negative amount
    '{"intent": "update_stage", "stage": "solution", "confidence": 7}',     # confidence out of range
    '{"intent": "log_activity", "note": "' + "x" * 600 + '"}',              # too long
    '[]',
])
async def test_garbage_falls_back(llm_env, content):
    llm_env.answer_raw(content)
    assert await _refine() is None


async def test_an_http_error_or_no_server_falls_back(llm_env, monkeypatch):
    llm_env.http_error(500)
    assert await _refine() is None
    llm_env.http_error(429)
    assert await _refine() is None
    monkeypatch.setenv("TUOKE_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    assert await _refine() is None
