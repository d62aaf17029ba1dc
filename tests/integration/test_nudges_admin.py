"""Nudge rules through the admin API, the nudges listing, a dry-run scan and a digest preview, over HTTP."""

from __future__ import annotations

import datetime as dt

from backend import clock

SH = dt.timezone(dt.timedelta(hours=8))


async def test_rules_default_edit_validate_and_reset(client, admin_headers, factory):
    tenant, token = await factory.tenant()
    base = f"/admin/v1/tenants/{tenant.slug}/nudge-rules"
    r = await client.get(base, headers=admin_headers)
    assert r.status_code == 200
    assert r.json() == {"stalled": True, "escalate_factor": 2.0, "idle": True, "idle_days": 14, "close_passed": True,
                        "unpaid": True, "followup": True, "hot_signal": True, "daily_cap": 5, "engaged_days": 3}
    r = await client.patch(base, json={"idle_days": 10, "daily_cap": 3}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["idle_days"] == 10 and r.json()["daily_cap"] == 3
    assert (await client.get(base, headers=admin_headers)).json()["idle_days"] == 10
    bad = await client.patch(base, json={"daily_cap": 0}, headers=admin_headers)
    assert bad.status_code == 400 and bad.json()["field"] == "daily_cap"
    unknown = await client.patch(base, json={"nag_hourly": True}, headers=admin_headers)
    assert unknown.status_code == 400
    assert (await client.get(base, headers=admin_headers)).json()["daily_cap"] == 3  # nothing half-written
    r = await client.delete(base, headers=admin_headers)
    assert r.status_code == 200 and r.json()["daily_cap"] == 5


async def test_another_tenants_token_sees_nothing(client, factory):
    tenant, _ = await factory.tenant()
    other, other_token = await factory.tenant()
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/nudge-rules", headers={"Authorization": f"Bearer {other_token}"})
    assert r.status_code == 404
    r = await client.get(f"/admin/v1/tenants/{tenant.slug}/nudges", headers={})
    assert r.status_code == 401


async def test_dry_run_scan_then_listing_and_digest_preview(client, admin_headers, factory, db):
    clock.set_now(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH))
    tenant, _ = await factory.tenant()
    manager = await factory.user(tenant.tenant_id, "王经理", role="manager", team="华东一组")
    rep = await factory.user(tenant.tenant_id, "李雷", team="华东一组")
    await factory.deal(rep, "华为", stage="bidding", amount=500_000, entered_days_ago=22)
    base = f"/admin/v1/tenants/{tenant.slug}"
    r = await client.post(f"{base}/nudges/scan", headers=admin_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dry_run"] is True and body["queued"] >= 2  # stalled + idle for the rep (22 days)
    assert any(n["rule"] == "stalled" and "这单已在投标22天（时限21天）" in n["reason"] for n in body["nudges"])
    assert (await client.get(f"{base}/nudges", headers=admin_headers)).json() == []
    r = await client.post(f"{base}/nudges/scan?dry_run=false", headers=admin_headers)
    assert r.status_code == 200 and r.json()["dry_run"] is False
    listed = (await client.get(f"{base}/nudges", headers=admin_headers)).json()
    assert {(n["rule"], n["recipient_name"]) for n in listed} >= {("stalled", "李雷"), ("idle", "李雷")}
    r = await client.get(f"{base}/digests/preview", params={"manager_id": manager.user_id}, headers=admin_headers)
    assert r.status_code == 200
    preview = r.json()
    assert preview["figures"]["stalled_total"] == 1 and "华为" in preview["markdown"]
    r = await client.get(f"{base}/digests/preview", params={"manager_id": rep.user_id}, headers=admin_headers)
    assert r.status_code == 404
    r = await client.get(f"{base}/digests/preview", params={"manager_id": "x"}, headers=admin_headers)
    assert r.status_code == 400
