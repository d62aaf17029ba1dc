"""The Official Account callback: URL verification, plain and safe mode, binding a follower to a rep
with the bot's one-time code, and the same assistant behind it."""

from __future__ import annotations

import secrets

from backend.services import binding, tenants
from schemas.tenants import MpConfig, TenantUpdate
from tests.factory import AES_KEY
from tests.fakes.wecom_client import MpClient

MP_KEY = AES_KEY[::-1]  # a different 43-character key for the Official Account


async def _tenant_with_mp(factory, pool, *, safe: bool):
    tenant, _ = await factory.tenant()
    mp = MpConfig(appid="wx" + secrets.token_hex(8), token="mptoken", encoding_aes_key=MP_KEY if safe else "",
                  secret="mp-secret")
    async with pool.acquire() as conn:
        tenant = await tenants.update_tenant(conn, tenant.tenant_id, TenantUpdate(mp=mp))
    return tenant


def _client(client, tenant) -> MpClient:
    return MpClient(client, tenant.slug, tenant.mp.appid, tenant.mp.token, tenant.mp.encoding_aes_key)


async def _bind(mp: MpClient, pool, rep, openid: str) -> str:
    async with pool.acquire() as conn:
        code, _ = await binding.issue_code(conn, rep)
    return (await mp.post(mp.message(openid, f"绑定 {code}"))).content


async def test_url_verification(client, factory, pool):
    tenant = await _tenant_with_mp(factory, pool, safe=False)
    mp = _client(client, tenant)
    ok = await mp.verify_url("mp-echo-7")
    assert ok.status_code == 200 and ok.text == "mp-echo-7"
    assert (await mp.verify_url(bad_signature=True)).status_code == 403


async def test_plain_mode_stranger_binding_and_acting(client, factory, pool, db):
    tenant = await _tenant_with_mp(factory, pool, safe=False)
    rep = await factory.user(tenant.tenant_id, name="王五")
    mp = _client(client, tenant)
    openid = "o" + secrets.token_hex(10)
    r = await mp.post(mp.message(openid, "新客户 佛山顺和陶瓷 刘总 13800138000"))
    assert r.fields["MsgType"] == "text" and "绑定" in r.content
    assert r.fields["ToUserName"] == openid and r.fields["FromUserName"] == mp.account
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert "不对" in (await mp.post(mp.message(openid, "绑定 000000"))).content
    assert await db.fetchval("SELECT count(*) FROM bot_mp_identities WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert "绑定成功" in await _bind(mp, pool, rep, openid)
    r = await mp.post(mp.message(openid, "新客户 佛山顺和陶瓷 刘总 13800138000"))
    assert "已新建线索" in r.content
    assert await db.fetchval("SELECT owner_id FROM deals WHERE tenant_id = $1", tenant.tenant_id) == rep.user_id
    forged = await mp.post(mp.message(openid, "撤销"), bad_signature=True)
    assert forged.status == 403
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1


async def test_safe_mode_encrypted_round_trip_and_plain_refused(client, factory, pool, db):
    tenant = await _tenant_with_mp(factory, pool, safe=True)
    rep = await factory.user(tenant.tenant_id, name="赵六")
    mp = _client(client, tenant)
    openid = "o" + secrets.token_hex(10)
    assert "绑定成功" in await _bind(mp, pool, rep, openid)
    xml = mp.message(openid, "我的商机")
    r = await mp.post(xml)
    assert "Encrypt" in r.raw and "没有进行中的商机" in r.content
    plain = await mp.post(mp.message(openid, "我的商机"), encrypted=False)
    assert plain.status == 403  # an account in safe mode takes encrypted messages only
    other = MpClient(client, tenant.slug, "wxsomeotherapp", tenant.mp.token, tenant.mp.encoding_aes_key)
    assert (await other.post(other.message(openid, "我的商机"))).status == 403  # encrypted for another app id
    r1 = await mp.post(mp.message(openid, "新客户 苏州凯拓电子材料 赵工 13912345678", msg_id=777001))
    r2 = await mp.post(mp.message(openid, "新客户 苏州凯拓电子材料 赵工 13912345678", msg_id=777001))
    assert r1.content == r2.content and "已新建线索" in r1.content
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 1


async def test_unconfigured_account_is_404(client, factory):
    tenant, _ = await factory.tenant()
    mp = MpClient(client, tenant.slug, "wxnone", "sometoken")
    assert (await mp.verify_url()).status_code == 404


async def test_guessing_bind_codes_from_the_official_account_is_throttled(client, factory, pool):
    """Issue 11 #2 on the Official Account's path: a follower's wrong codes count like a session's."""
    tenant = await _tenant_with_mp(factory, pool, safe=False)
    rep = await factory.user(tenant.tenant_id, name="王五")
    mp = _client(client, tenant)
    openid = "o" + secrets.token_hex(10)
    replies = [(await mp.post(mp.message(openid, f"绑定 {100000 + i}"))).content for i in range(6)]
    assert all("不对" in r for r in replies[:5]) and "尝试次数太多" in replies[5], replies
    assert "尝试次数太多" in await _bind(mp, pool, rep, openid)  # even the right code, until the budget refills
