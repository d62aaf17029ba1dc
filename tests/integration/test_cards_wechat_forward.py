"""The H5 card inside WeChat: the JS-SDK config (a jsapi_ticket through TUOKE_WECHAT_API_BASE,
cached; WeChat's signature of the page address), and a forward recorded as a share when the
link the page minted is first opened by someone else."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

import httpx

from backend import clock
from backend.wechat_api import jssdk_signature
from schemas.tenants import MpConfig
from tests.integration.miniapp_support import bound_rep, card_of

SH = dt.timezone(dt.timedelta(hours=8))
WECHAT_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
             " Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN")


async def _card(client, factory, pool, mp: bool = True):
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    extra = {"mp": MpConfig(appid="wxmp" + secrets.token_hex(6), secret="mp-secret")} if mp else {}
    tenant, _ = await factory.tenant(**extra)
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟", phone="13800138000",
                                 wecom_userid="wxrep-" + secrets.token_hex(3))
    body = {"title": "大客户经理", "bio": "十年储能行业经验", "avatar_url": "https://img.example.com/zw.png"}
    assert (await client.patch("/miniapp/v1/me/card", json=body, headers=rep["headers"])).status_code == 200
    return tenant, actor, rep, await card_of(client, rep)


async def _forwards(pool, tenant_id):
    async with pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(
            "SELECT e.visitor_id, s.token AS share, e.detail->>'parent_share_id' AS parent FROM card_events e"
            " JOIN card_shares s ON s.tenant_id = e.tenant_id AND s.share_id = e.share_id"
            " WHERE e.tenant_id = $1 AND e.kind = 'forward' ORDER BY e.event_id", tenant_id)]


async def test_jssdk_config_signs_the_page_with_a_cached_official_account_ticket(app_url, client, factory, pool,
                                                                                fake_wechat):
    tenant, actor, rep, card = await _card(client, factory, pool)
    code = card["code"]
    page = f"{app_url}/c/{code}?s={card['share']}"
    async with httpx.AsyncClient(base_url=app_url) as browser:
        r = await browser.get(f"/c/{code}/jssdk", params={"url": page + "#inquiry"})
        assert r.status_code == 200, r.text
        c = r.json()
        assert c["app_id"] == tenant.mp.appid
        ticket = fake_wechat.tickets[-1]
        assert c["signature"] == jssdk_signature(ticket, c["nonce_str"], c["timestamp"], page)
        assert "updateAppMessageShareData" in c["js_api_list"]
        again = (await browser.get(f"/c/{code}/jssdk", params={"url": page})).json()
        assert len(fake_wechat.tickets) == 1  # the ticket is cached, like access tokens
        assert again["signature"] == jssdk_signature(ticket, again["nonce_str"], again["timestamp"], page)
        paths = [x.path for x in fake_wechat.received]
        assert paths.count("/cgi-bin/token") == 1 and paths.count("/cgi-bin/ticket/getticket") == 1
        # only this card's page is signed; bad input is a 4xx with a reason
        for bad in ("https://evil.example.com/phish", f"{app_url}/c/other", "javascript:alert(1)"):
            r = await browser.get(f"/c/{code}/jssdk", params={"url": bad})
            assert r.status_code == 400 and "url" in r.text, bad
        assert (await browser.get(f"/c/{code}/jssdk")).status_code == 400


async def test_without_an_official_account_the_wecom_ticket_signs(app_url, client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _card(client, factory, pool, mp=False)
    page = f"{app_url}/c/{card['code']}"
    async with httpx.AsyncClient(base_url=app_url) as browser:
        c = (await browser.get(f"/c/{card['code']}/jssdk", params={"url": page})).json()
    assert c["app_id"] == tenant.wecom.corp_id
    assert c["signature"] == jssdk_signature(fake_wechat.tickets[-1], c["nonce_str"], c["timestamp"], page)
    assert "/cgi-bin/get_jsapi_ticket" in [x.path for x in fake_wechat.received]


async def test_page_inside_wechat_carries_the_share_data(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    async with httpx.AsyncClient(base_url=app_url, headers={"User-Agent": WECHAT_UA}) as browser:
        html = (await browser.get(f"/c/{card['code']}")).text
    assert "jweixin-1.6.0.js" in html and "updateAppMessageShareData" in html
    data = json.loads(re.search(r"var wxShare = (\{.*?\});", html)[1])
    assert data == {"title": "张伟 · 大客户经理", "desc": "十年储能行业经验", "img_url": "https://img.example.com/zw.png"}


async def test_a_forward_is_recorded_when_someone_else_opens_the_minted_link(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    code, root = card["code"], card["share"]
    view = '{"kind":"view","id":"%s","share":"%s"}'
    async with httpx.AsyncClient(base_url=app_url) as a, httpx.AsyncClient(base_url=app_url) as b:
        await a.get(f"/c/{code}", params={"s": root})
        assert (await a.post(f"/c/{code}/beacon", content=view % ("a1", root))).status_code == 204
        # the page loads inside WeChat: A's link is minted, no forward yet (A may never forward)
        r = await a.post(f"/c/{code}/shares", json={"parent": root, "pending": True})
        assert r.status_code == 201, r.text
        child = r.json()["share"]
        assert r.json()["depth"] == 1 and f"s={child}" in r.json()["url"]
        assert (await a.post(f"/c/{code}/shares", json={"parent": root, "pending": True})).json()["share"] == child
        assert await _forwards(pool, tenant.tenant_id) == []
        # A opening their own link again is no forward
        assert (await a.post(f"/c/{code}/beacon", content=view % ("a2", child))).status_code == 204
        assert await _forwards(pool, tenant.tenant_id) == []
        # B opens A's link: now A forwarded it, once, with the chain root → A
        await b.get(f"/c/{code}", params={"s": child})
        assert (await b.post(f"/c/{code}/beacon", content=view % ("b1", child))).status_code == 204
        assert (await b.post(f"/c/{code}/beacon", content=view % ("b2", child))).status_code == 204
        forwards = await _forwards(pool, tenant.tenant_id)
        assert len(forwards) == 1 and forwards[0]["share"] == child
        # B's own page mints B's link under A's: the chain grows when C opens it
        r = await b.post(f"/c/{code}/shares", json={"parent": child, "pending": True})
        grandchild = r.json()["share"]
        assert r.json()["depth"] == 2
    async with httpx.AsyncClient(base_url=app_url) as c:
        assert (await c.post(f"/c/{code}/beacon", content=view % ("c1", grandchild))).status_code == 204
    forwards = await _forwards(pool, tenant.tenant_id)
    assert [f["share"] for f in forwards] == [child, grandchild]
    async with pool.acquire() as conn:
        chain = await conn.fetch(
            "SELECT s.depth, p.token AS parent FROM card_shares s JOIN card_shares p"
            " ON p.tenant_id = s.tenant_id AND p.share_id = s.parent_share_id WHERE s.tenant_id = $1 AND s.token = $2",
            tenant.tenant_id, grandchild)
    assert [(r["depth"], r["parent"]) for r in chain] == [(2, child)]


async def test_the_forward_button_still_records_at_once(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    async with httpx.AsyncClient(base_url=app_url) as a:
        await a.get(f"/c/{card['code']}")
        pending = (await a.post(f"/c/{card['code']}/shares", json={"parent": card["share"], "pending": True})).json()
        clicked = (await a.post(f"/c/{card['code']}/shares", json={"parent": card["share"]})).json()
    assert clicked["share"] == pending["share"]
    assert len(await _forwards(pool, tenant.tenant_id)) == 1
