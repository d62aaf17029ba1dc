"""The H5 card page in a real headless browser (Debian's chromium driven by Playwright):
it renders the card, its beacon records a view and dwell, forwarding and the inquiry form work,
and a screenshot is kept under tests/artifacts/."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
from pathlib import Path

import pytest

from backend import clock
from backend.services import outbox
from tests.integration.miniapp_support import bound_rep, card_of

CHROMIUM = os.environ.get("TUOKE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SH = dt.timezone(dt.timedelta(hours=8))

# scripts/test installs Debian's chromium; a machine without it fails here rather than skipping the
# browser check quietly (set TUOKE_SKIP_BROWSER=1 to skip it on purpose).
pytestmark = pytest.mark.skipif(
    os.environ.get("TUOKE_SKIP_BROWSER") == "1", reason="TUOKE_SKIP_BROWSER=1: browser tests skipped on purpose"
)


@pytest.fixture(autouse=True)
def _chromium_present():
    assert Path(CHROMIUM).exists(), f"no chromium at {CHROMIUM}: apt-get install chromium (scripts/test does)"


async def _wait_for(pool, sql: str, *args, timeout: float = 10.0):
    """Poll until ``sql`` returns a truthy value (beacons are sent asynchronously by the page)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with pool.acquire() as conn:
            value = await conn.fetchval(sql, *args)
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.1)


async def test_h5_card_in_headless_chromium(app_url, client, factory, pool, fake_wechat):
    from playwright.async_api import async_playwright

    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    tenant, _ = await factory.tenant(name="华储能源")
    actor, rep = await bound_rep(client, pool, factory, tenant, name="张伟", phone="13800138000",
                                 wecom_userid="browser-" + secrets.token_hex(3))
    r = await client.patch("/miniapp/v1/me/card", headers=rep["headers"], json={
        "title": "大客户经理", "company": "华储能源科技有限公司", "bio": "十年储能行业经验，服务过 200 多家工厂。",
        "wechat_id": "zhangwei_88", "email": "zhangwei@huachu.example.com",
        "products": [{"title": "储能柜 S1", "summary": "215kWh 工商业储能，循环寿命 8000 次"},
                     {"title": "光伏逆变器 P5", "summary": "转换效率 98.6%"}],
    })
    assert r.status_code == 200
    card = await card_of(client, rep)
    code, share = card["code"], card["share"]

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                accept_downloads=True, user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0",
            )
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            response = await page.goto(f"{app_url}/c/{code}?s={share}", wait_until="load")
            assert response is not None and response.status == 200

            # It renders the card, in Chinese, with tap-to-call and the Open Graph preview.
            assert await page.title() == "张伟 · 大客户经理 | 华储能源科技有限公司"
            assert await page.locator("#name").inner_text() == "张伟"
            assert "十年储能行业经验" in await page.locator(".bio").inner_text()
            assert await page.locator("#call").get_attribute("href") == "tel:13800138000"
            assert await page.locator('meta[property="og:title"]').get_attribute("content") == "张伟 · 大客户经理 | 华储能源科技有限公司"
            assert await page.locator(".product").count() == 2
            box = await page.locator("#card").bounding_box()
            assert box is not None and box["width"] <= 390  # fits a phone screen

            # The beacon recorded the view, through the share in the link, for a cookie visitor.
            visitor = await _wait_for(
                pool, "SELECT e.visitor_id FROM card_events e JOIN card_shares s ON s.tenant_id = e.tenant_id"
                " AND s.share_id = e.share_id WHERE e.tenant_id = $1 AND e.kind = 'view' AND s.token = $2",
                tenant.tenant_id, share)
            assert visitor is not None

            # A product tap and the dwell time (reported when the page is hidden) are recorded too.
            await page.locator(".product").first.click()
            await asyncio.sleep(1.2)
            await page.evaluate("window.dispatchEvent(new Event('pagehide'))")
            assert await _wait_for(pool, "SELECT count(*) FROM card_events WHERE tenant_id = $1 AND kind = 'dwell'"
                                   " AND dwell_seconds >= 1 AND visitor_id = $2", tenant.tenant_id, visitor)
            assert await _wait_for(pool, "SELECT detail->>'product' FROM card_events WHERE tenant_id = $1"
                                   " AND kind = 'view_product'", tenant.tenant_id) == "储能柜 S1"

            # Save to contacts downloads a vCard.
            async with page.expect_download() as info:
                await page.locator("#save").click()
            download = await info.value
            vcf = Path(await download.path()).read_text(encoding="utf-8")
            assert "FN:张伟" in vcf and "13800138000" in vcf

            # Forwarding mints a child share and shows its link.
            await page.locator("#forward").click()
            await page.wait_for_function("document.getElementById('share-url').textContent.includes('/c/')")
            assert f"/c/{code}?s=" in await page.locator("#share-url").inner_text()

            # The inquiry form creates a lead and says so on the page.
            await page.fill("#f-name", "刘总")
            await page.fill("#f-phone", "13912345678")
            await page.fill("#f-company", "佛山顺和陶瓷有限公司")
            await page.fill("#f-message", "想了解储能柜 S1 的报价")
            await page.locator("#inquiry-form button[type=submit]").click()
            await page.wait_for_function("document.getElementById('inquiry-result').textContent.includes('已收到')")
            assert "张伟会尽快与您联系" in await page.locator("#inquiry-result").inner_text()

            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "h5_card.png"), full_page=True)
            assert errors == []
        finally:
            await browser.close()

    async with pool.acquire() as conn:
        lead = await conn.fetchrow("SELECT owner_id, source, contact_id FROM deals WHERE tenant_id = $1", tenant.tenant_id)
        linked = await conn.fetchval("SELECT contact_id FROM card_visitors WHERE tenant_id = $1 AND visitor_id = $2",
                                     tenant.tenant_id, visitor)
    assert lead["owner_id"] == actor.user_id and lead["source"] == "card" and linked == lead["contact_id"]
    await outbox.deliver_until_idle(pool)
    sent = fake_wechat.sent(actor.wecom_userid)
    assert len(sent) == 1 and "刘总" in sent[0]["text"]["content"]
    assert (ARTIFACTS / "h5_card.png").stat().st_size > 10_000
