"""The manager's digest page on a phone (390×844, headless chromium): chart text at least 12 px,
no date cut off by a chart's edge, a real funnel (one band per open stage, in pipeline order), and
table cells with stage names on one line; a screenshot is kept under tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from backend import clock
from backend.services import tenants
from backend.services.digests import send
from tests.browser.test_h5_card import ARGS, ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.skipif(
    os.environ.get("TUOKE_SKIP_BROWSER") == "1", reason="TUOKE_SKIP_BROWSER=1: browser tests skipped on purpose"
)
SH = dt.timezone(dt.timedelta(hours=8))

CHECKS = """() => {
  const out = {small: [], clipped: [], funnel: [], wrapped: [], overflow: document.documentElement.scrollWidth};
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    const scale = vb && vb.width ? box.width / vb.width : 1;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 11.95) out.small.push(t.textContent.trim() + ' ' + px.toFixed(1));
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || t.textContent.includes('…'))
        out.clipped.push(t.textContent.trim());
    }
  }
  for (const band of document.querySelectorAll('svg.funnel rect.band'))
    out.funnel.push([band.dataset.stage, +band.dataset.count, band.getBoundingClientRect().width]);
  for (const td of document.querySelectorAll('td.stage')) {
    const range = document.createRange(); range.selectNodeContents(td);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) out.wrapped.push(td.textContent);
  }
  return out;
}"""


async def test_digest_page_on_a_phone(app_url, factory, pool):
    from playwright.async_api import async_playwright

    clock.set_now(dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    tenant, _ = await factory.tenant(name="华储能源")
    manager = await factory.user(tenant.tenant_id, "王经理", role="manager", team="华东一组")
    reps = [await factory.user(tenant.tenant_id, name, team="华东一组") for name in ("李雷", "韩梅梅", "欧阳娜娜")]
    plan = [("lead", 1), ("qualified", 4), ("initiated", 9), ("solution", 16), ("bidding", 30), ("negotiation", 20),
            ("won", 2), ("lead", 2), ("qualified", 10), ("solution", 3), ("bidding", 26)]
    for i, (stage, days) in enumerate(plan):
        await factory.deal(reps[i % 3], f"苏州工业园区新能源储能示范项目{i}", stage=stage, amount=(i + 3) * 230_000,
                           entered_days_ago=days)
    async with pool.acquire() as conn:
        t = await tenants.get_tenant(conn, tenant.tenant_id)
        _, text = await send.preview(conn, t, manager.user_id)
    token = re.search(r"/d/([A-Za-z0-9_-]{20,64})", text)[1]

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                                locale="zh-CN")
            page = await context.new_page()
            response = await page.goto(f"{app_url}/d/{token}", wait_until="load")
            assert response.status == 200
            found = await page.evaluate(CHECKS)
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "digest_page.png"), full_page=True)
            await page.locator("section", has_text="近14天趋势").screenshot(path=str(ARTIFACTS / "digest_trend.png"))
        finally:
            await browser.close()
    assert not found["small"], f"chart text under 12 px: {found['small'][:8]}"
    assert not found["clipped"], f"labels cut by a chart's edge or shortened: {found['clipped']}"
    assert found["overflow"] <= 390, "the page scrolls sideways"
    stages = [f[0] for f in found["funnel"]]
    assert stages == ["lead", "qualified", "initiated", "solution", "bidding", "negotiation", "won"]
    widest = max(f[2] for f in found["funnel"])
    assert [round(f[2] / widest, 2) for f in found["funnel"]] == [
        round(f[1] / max(g[1] for g in found["funnel"]), 2) if f[1] else round(f[2] / widest, 2) for f in found["funnel"]]
    assert not found["wrapped"], f"stage names broken over lines: {found['wrapped']}"
