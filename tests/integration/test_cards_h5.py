"""The H5 card page over plain HTTP: rendering, Open Graph, cookie visitor, beacon, vCard,
forwarding and the inquiry form (the browser test drives the same page in Chromium)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import httpx

from backend import clock
from backend.services import outbox
from tests.integration.miniapp_support import bound_rep, card_of

SH = dt.timezone(dt.timedelta(hours=8))


async def _card(client, factory, pool, **patch):
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    tenant, _ = await factory.tenant()
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟", phone="13800138000",
                                 wecom_userid="h5rep-" + secrets.token_hex(3))
    body = {"title": "大客户经理", "bio": "十年储能行业经验", "wechat_id": "zhangwei_88",
            "products": [{"title": "储能柜 S1", "summary": "215kWh 工商业储能"}], **patch}
    assert (await client.patch("/miniapp/v1/me/card", json=body, headers=rep["headers"])).status_code == 200
    return tenant, actor, rep, await card_of(client, rep)


async def _events(pool, tenant_id):
    async with pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(
            "SELECT e.kind, e.visitor_id, e.dwell_seconds, s.token AS share FROM card_events e"
            " LEFT JOIN card_shares s ON s.tenant_id = e.tenant_id AND s.share_id = e.share_id"
            " WHERE e.tenant_id = $1 ORDER BY e.event_id", tenant_id)]


async def test_page_renders_the_card_with_open_graph_and_sets_a_visitor_cookie(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    async with httpx.AsyncClient(base_url=app_url) as browser:
        r = await browser.get(f"/c/{card['code']}", params={"s": card["share"]})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html") and "utf-8" in r.headers["content-type"]
        html = r.text
        assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html
        assert '<meta property="og:title" content="张伟 · 大客户经理 | ' in html
        assert '<meta property="og:description" content="十年储能行业经验">' in html
        assert f'og:url" content="http' in html and f"/c/{card['code']}?s={card['share']}" in html
        assert 'href="tel:13800138000"' in html and f'href="/c/{card["code"]}/vcard"' in html
        assert "储能柜 S1" in html and 'id="inquiry-form"' in html
        assert "tkv" in browser.cookies
        # Rendering records nothing by itself: the page's beacon does.
        assert await _events(pool, tenant.tenant_id) == []
        r = await browser.get("/c/zzzzzzzz")
        assert r.status_code == 404 and "名片不存在" in r.text


async def test_card_text_is_escaped(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool, bio='<script>alert("x")</script>',
                                           title='"><img src=x onerror=alert(1)>')
    async with httpx.AsyncClient(base_url=app_url) as browser:
        html = (await browser.get(f"/c/{card['code']}")).text
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


async def test_beacon_records_view_dwell_and_taps_for_the_cookie_visitor(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    code = card["code"]
    async with httpx.AsyncClient(base_url=app_url) as browser:
        await browser.get(f"/c/{code}", params={"s": card["share"]})
        for body in ('{"kind":"view","id":"pv1","share":"%s"}' % card["share"],
                     '{"kind":"view","id":"pv1","share":"%s"}' % card["share"],  # the same beacon twice
                     '{"kind":"dwell","id":"pv1-d1","dwell_seconds":42}',
                     '{"kind":"tap_phone","id":"pv1-t1"}'):
            r = await browser.post(f"/c/{code}/beacon", content=body, headers={"Content-Type": "text/plain;charset=UTF-8"})
            assert r.status_code == 204, r.text
        for bad in ("not json", '{"kind":"hack"}', '{"kind":"dwell","dwell_seconds":-1}', "x" * 5000):
            r = await browser.post(f"/c/{code}/beacon", content=bad)
            assert r.status_code in (400, 413), bad
        r = await browser.post("/c/zzzzzzzz/beacon", content='{"kind":"view"}')
        assert r.status_code == 404
    events = await _events(pool, tenant.tenant_id)
    assert [(e["kind"], e["dwell_seconds"]) for e in events] == [("view", 0), ("dwell", 42), ("tap_phone", 0)]
    assert len({e["visitor_id"] for e in events}) == 1 and events[0]["visitor_id"] is not None
    assert events[0]["share"] == card["share"]
    v = (await client.get("/miniapp/v1/radar", headers=rep["headers"])).json()[0]
    assert (v["visits"], v["dwell_seconds"], v["phone_taps"]) == (1, 42, 1)


async def test_vcard_download_and_forwarding(app_url, client, factory, pool):
    tenant, actor, rep, card = await _card(client, factory, pool)
    code = card["code"]
    async with httpx.AsyncClient(base_url=app_url) as browser:
        await browser.get(f"/c/{code}")
        r = await browser.get(f"/c/{code}/vcard")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/vcard")
        assert "filename*=UTF-8''%E5%BC%A0%E4%BC%9F.vcf" in r.headers["content-disposition"]
        text = r.text
        assert "BEGIN:VCARD" in text and "FN:张伟" in text and "TEL;TYPE=CELL:13800138000" in text
        assert "TITLE:大客户经理" in text and "微信: zhangwei_88" in text
        r = await browser.post(f"/c/{code}/shares", json={"parent": card["share"]})
        assert r.status_code == 201, r.text
        child = r.json()
        assert child["depth"] == 1 and re.search(rf"/c/{code}\?s={re.escape(child['share'])}$", child["url"])
    kinds = [e["kind"] for e in await _events(pool, tenant.tenant_id)]
    assert kinds == ["save_contact", "forward"]


async def test_inquiry_form_without_and_with_javascript(app_url, client, factory, pool, fake_wechat):
    tenant, actor, rep, card = await _card(client, factory, pool)
    code = card["code"]
    async with httpx.AsyncClient(base_url=app_url) as browser:
        await browser.get(f"/c/{code}")
        # A plain form post (no JavaScript): a thank-you page.
        r = await browser.post(f"/c/{code}/inquiry", data={"name": "刘总", "phone": "13912345678", "company": "",
                                                            "message": "想了解报价", "share": card["share"]})
        assert r.status_code == 201 and "提交成功" in r.text and "张伟会尽快与您联系" in r.text
        # The page's script asks for JSON.
        r = await browser.post(f"/c/{code}/inquiry", data={"name": "陈女士", "phone": "13600000001", "company": "美的"},
                               headers={"Accept": "application/json"})
        assert r.status_code == 201 and r.json()["inquiry_id"] > 0
        r = await browser.post(f"/c/{code}/inquiry", data={"name": "", "phone": "123"}, headers={"Accept": "application/json"})
        assert r.status_code == 400 and r.json()["field"] in ("name", "phone")
        r = await browser.post(f"/c/{code}/inquiry", data={"name": "王", "phone": "abc"})
        assert r.status_code == 400 and "请填写正确的手机号" in r.text and "返回名片" in r.text
    async with pool.acquire() as conn:
        leads = await conn.fetch("SELECT d.source, a.name FROM deals d JOIN accounts a ON a.tenant_id = d.tenant_id"
                                 " AND a.account_id = d.account_id WHERE d.tenant_id = $1 ORDER BY d.deal_id", tenant.tenant_id)
    assert [(r["source"], r["name"]) for r in leads] == [("card", "刘总（个人）"), ("card", "美的")]
    await outbox.deliver_until_idle(pool)
    assert len(fake_wechat.sent(actor.wecom_userid)) == 2
