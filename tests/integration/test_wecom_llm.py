"""The optional LLM through the real callback: consulted only when the built-in parser is unsure,
its valid reading used, a slow or garbage answer leaving the built-in reading (and its question)."""

from __future__ import annotations

import time

import pytest

from tests.fakes.wecom_client import rep_chat


@pytest.fixture
def llm_on(fake_llm, monkeypatch):
    fake_llm.reset()
    monkeypatch.setenv("TUOKE_LLM_BASE_URL", fake_llm.url)
    monkeypatch.setenv("TUOKE_LLM_MODEL", "deepseek-chat")
    monkeypatch.setenv("TUOKE_LLM_TIMEOUT", "0.5")
    return fake_llm


async def _stage(db, tenant_id, deal_id):
    return await db.fetchval("SELECT stage FROM deals WHERE tenant_id = $1 AND deal_id = $2", tenant_id, deal_id)


async def test_never_consulted_when_the_parser_is_confident(client, factory, db, llm_on):
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    r = await wc.text(rep.wecom_userid, "顺和陶瓷那单进入方案")
    assert "已把" in r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "solution"
    assert llm_on.requests == []


async def test_an_unsure_parse_takes_the_llms_valid_reading(client, factory, db, llm_on, monkeypatch):
    monkeypatch.setenv("TUOKE_CONFIRM_BELOW", "0.95")  # every built-in reading counts as unsure here
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    llm_on.answer({"intent": "log_activity", "deal_hint": "顺和陶瓷", "note": "去现场看了产线", "confidence": 0.97})
    r = await wc.text(rep.wecom_userid, "顺和陶瓷 去现场看了产线")
    assert "已记录" in r.content and "去现场看了产线" in r.content, r.content
    assert len(llm_on.requests) == 1
    assert await db.fetchval("SELECT body FROM activities WHERE tenant_id = $1 AND deal_id = $2",
                             tenant.tenant_id, deal.deal_id) == "去现场看了产线"


async def test_the_llms_reading_is_still_confirmed_when_consequential(client, factory, db, llm_on, monkeypatch):
    monkeypatch.setenv("TUOKE_CONFIRM_BELOW", "0.95")
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    llm_on.answer({"intent": "mark_won", "deal_hint": "顺和", "amount": 800000, "confidence": 0.99})
    r = await wc.text(rep.wecom_userid, "顺和那个事儿搞定了 八十个")
    assert "签约" in r.content and "80万" in r.content and "回复1确认" in r.content, r.content
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "lead"


@pytest.mark.parametrize("failure", ["slow", "garbage", "http"])
async def test_a_failing_llm_leaves_the_built_in_reading(client, factory, db, llm_on, monkeypatch, failure):
    monkeypatch.setenv("TUOKE_CONFIRM_BELOW", "0.95")
    tenant, rep, wc = await rep_chat(client, factory)
    deal = await factory.deal(rep, "佛山顺和陶瓷有限公司")
    wrong = {"intent": "mark_lost", "deal_hint": "顺和陶瓷", "confidence": 0.99}
    if failure == "slow":
        llm_on.slow(2.0, wrong)
    elif failure == "garbage":
        llm_on.answer_raw("<html>502 Bad Gateway</html>")
    else:
        llm_on.http_error(503)
    t0 = time.perf_counter()
    r = await wc.text(rep.wecom_userid, "顺和陶瓷那单进入方案")
    assert time.perf_counter() - t0 < 2.0  # inside WeChat's 5 s, with room to spare
    # The built-in reading (a stage move), confirmed first because it is below the raised threshold.
    assert "方案" in r.content and "回复1确认" in r.content and "输单" not in r.content, r.content
    assert len(llm_on.requests) == 1
    await wc.text(rep.wecom_userid, "1")
    assert await _stage(db, tenant.tenant_id, deal.deal_id) == "solution"
