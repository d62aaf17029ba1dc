"""The demo tenant: a manager, a team of three reps and ~30 deals in every stage (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import click

from pathlib import Path

from backend import clock
from backend.errors import NotFound
from backend.services import deals, tenants
from backend.settings import ensure_admin_token, get_settings
from schemas.deals import LeadCreate
from schemas.tenants import MiniappConfig, TenantCreate, WecomConfig
from schemas.users import UserCreate

DEMO_SLUG = "demo"
DEMO_KB = Path(__file__).parent / "demo_data" / "kb"  # the seller's selling points and competitor notes
DEMO_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"

PEOPLE = [
    ("李娜", "manager", "lina"),
    ("王磊", "rep", "wanglei"),
    ("陈静", "rep", "chenjing"),
    ("赵强", "rep", "zhaoqiang"),
]

# company, contact, title, phone, product, amount, stage, days in stage, owner index (1..3)
DEALS: list[tuple[str, str, str | None, str, str, int, str, int, int]] = [
    ("佛山顺和陶瓷有限公司", "刘建国", "生产总监", "13826471935", "HC-ESS-215 储能柜", 2_000_000, "lead", 1, 1),
    ("东莞安达电子厂", "黄志强", None, "13926874512", "储能", 800_000, "lead", 6, 2),
    ("苏州恒茂精密", "周敏", "采购经理", "13771520931", "EMS 云平台", 450_000, "lead", 2, 3),
    ("青岛海润冷链物流", "王磊", None, "18653920417", "冷库储能", 1_200_000, "qualified", 4, 1),
    ("成都锦城云谷数据中心", "杨总", None, "15828306479", "数据中心储能", 5_600_000, "qualified", 12, 2),
    ("西安渭河重工", "赵工", None, "02986473215", "HC-INV-50K 逆变器", 950_000, "qualified", 3, 3),
    ("长沙湘江机械制造有限公司", "孙丽丽", "设备科长", "13785210366", "储能柜", 1_200_000, "initiated", 8, 1),
    ("宁波梅山湾港务集团", "林海峰", "副总", "13905746621", "港口岸电+储能", 120_000_000, "initiated", 31, 2),
    ("合肥蓝拓新材料", "周敏", "采购经理", "13665512408", "HC-ESS-215", 1_200_000, "initiated", 5, 3),
    ("厦门鹭岛游艇码头", "罗晓燕", None, "13959270138", "EMS", 80_000, "solution", 9, 1),
    ("嘉兴禾丰农业科技", "马骏", None, "13857360294", "能源管理系统", 450_000, "solution", 20, 2),
    ("贵阳黔电科技", "王海涛", None, "13985072631", "储能柜", 2_000_000, "solution", 2, 3),
    ("绍兴柯桥华纺印染", "朱总", None, "13967541283", "光伏逆变器", 500_000, "solution", 35, 1),
    ("惠州德钧新能源", "吴凯文", "采购", "13502276418", "HC-ESS-215", 1_600_000, "bidding", 10, 2),
    ("南通启海化工园区管委会", "胡主任", None, "15951382706", "园区微电网", 8_800_000, "bidding", 25, 3),
    ("昆明滇南花卉交易中心", "郭总", None, "13888451276", "冷库储能", 30_000_000, "bidding", 47, 1),
    ("中投标准化研究院", "高文", None, "13701123645", "EMS云平台", 360_000, "bidding", 4, 2),
    ("鼎立项目管理咨询有限公司", "李波", None, "13671590382", "储能柜和逆变器", 700_000, "negotiation", 6, 3),
    ("郑州豫丰冷链", "何建军", None, "18637295081", "冷链储能", 1_500_000, "negotiation", 16, 1),
    ("常州滨湖精化", "徐经理", None, "13961527048", "储能柜", 200_000, "negotiation", 30, 2),
    ("无锡新锐半导体", "陈晓东", None, "13812093345", "EMS", 500_000, "negotiation", 3, 3),
    ("珠海横琴励拓科技", "梁倩", "行政总监", "13727150936", "储能", 650_000, "won", 5, 1),
    ("青岛鑫澜精细化工", "马丽", None, "05328392671", "储能柜", 300_000, "won", 40, 2),
    ("西安长乐文旅集团", "韩涛", "总经理", "13991268870", "光伏逆变器", 100_000_000, "won", 12, 3),
    ("杭州钱塘智造园", "沈洁", "园区主任", "13958102234", "园区微电网", 4_200_000, "paid", 3, 1),
    ("温州瓯江电器", "金晓峰", None, "13905778812", "HC-INV-50K", 380_000, "paid", 20, 2),
    ("武汉光谷储能示范基地", "熊伟", "项目经理", "13871239904", "HC-ESS-215", 2_700_000, "paid", 8, 3),
    ("天津滨海港机", "邢立", None, "13820447719", "储能", 900_000, "lost", 7, 1),
    ("重庆两江冷库", "邓海", None, "13983412287", "冷库储能", 1_100_000, "lost", 15, 2),
    ("福州马尾造船", "陈光", "设备部长", "13905913378", "岸电储能", 2_300_000, "lost", 3, 3),
]

OPEN_PATH = ["lead", "qualified", "initiated", "solution", "bidding", "negotiation", "won", "paid"]
LOST_REASONS = ["客户选了宁能科技，价格比我们低15%", "客户预算砍了明年再说", "绿峰电气低价抢走的"]


async def load_demo(conn: asyncpg.Connection) -> dict[str, Any]:
    """Create the demo tenant once; a second run changes nothing."""
    try:
        tenant = await tenants.tenant_by_slug(conn, DEMO_SLUG)
        return {"tenant": tenant, "created": False}
    except NotFound:
        pass
    async with conn.transaction():
        created = await tenants.create_tenant(
            conn,
            TenantCreate(
                slug=DEMO_SLUG,
                name="华储能源（演示）",
                wecom=WecomConfig(corp_id="wwdemo0000000001", agent_id=1000002, token="tuokedemo",
                                  encoding_aes_key=DEMO_AES_KEY, secret="demo-corp-secret"),
                miniapp=MiniappConfig(appid="wxdemo000000001", secret="demo-miniapp-secret"),
            ),
        )
        tenant = created.tenant
        actors = []
        for name, role, userid in PEOPLE:
            user = await tenants.create_user(
                conn, tenant.tenant_id, UserCreate(name=name, role=role, team="华东销售一组", wecom_userid=userid)
            )
            actors.append(await tenants.actor_for_user(conn, tenant.tenant_id, user.user_id))
        now = clock.now()
        for i, (company, contact, title, phone, product, amount, stage, days, owner) in enumerate(DEALS):
            rep = actors[owner]
            deal = await deals.create_lead(
                conn, rep,
                LeadCreate(company=company, contact_name=contact, contact_title=title, phone=phone,
                           product=product, amount=amount, source=("chat", "card", "import")[i % 3]),
            )
            # Walk the funnel stage by stage (a lost deal drops out after a few), so the history,
            # the digest's conversion rates and the funnel chart look like a real team's.
            path = OPEN_PATH[1:OPEN_PATH.index(stage) + 1] if stage in OPEN_PATH else OPEN_PATH[1:1 + i % 4] + ["lost"]
            for step in path:
                reason = LOST_REASONS[i % len(LOST_REASONS)] if step == "lost" else None
                await deals.move_stage(conn, rep, deal.deal_id, step, reason=reason)
            entered = now - dt.timedelta(days=days, hours=i)
            await conn.execute(
                """UPDATE deals SET stage_entered_at = $3::timestamptz,
                          last_activity_at = $3::timestamptz - interval '1 day' * ($4::int % 5),
                          created_at = $3::timestamptz - interval '5 days' * $5::int - interval '1 day'
                   WHERE tenant_id = $1 AND deal_id = $2""",
                tenant.tenant_id, deal.deal_id, entered, i, len(path),
            )
            # Each earlier step five days before the next; the last one when the deal entered its stage.
            await conn.execute(
                """WITH steps AS (
                       SELECT history_id, row_number() OVER (ORDER BY history_id DESC) - 1 AS back
                       FROM deal_stage_history WHERE tenant_id = $1 AND deal_id = $2)
                   UPDATE deal_stage_history h SET changed_at = $3::timestamptz - interval '5 days' * steps.back
                   FROM steps WHERE h.tenant_id = $1 AND h.history_id = steps.history_id""",
                tenant.tenant_id, deal.deal_id, entered,
            )
            if i % 4 == 0:
                await deals.log_activity(conn, rep, deal.deal_id, "visit", f"拜访{contact}，沟通了{product}的方案和预算")
        # The demo's history is not the reps' to undo.
        await conn.execute("DELETE FROM change_log WHERE tenant_id = $1", tenant.tenant_id)
    return {"tenant": tenant, "created": True, "api_token": created.api_token}


async def _cards(conn: asyncpg.Connection, reps: list[Any]) -> None:
    """Each rep's business card, featuring the seller's three products."""
    from backend.services.cards import cards
    from schemas.cards import CardUpdate, Product

    products = [
        Product(title="HC-ESS-215 储能柜", summary="215kWh 工商业储能，液冷温控，三级消防", doc_id="sp_ess215_performance"),
        Product(title="HC-INV-50K 光伏逆变器", summary="50kW 组串式，最高效率 98.7%", doc_id="sp_inv50k_performance"),
        Product(title="EMS 云平台", summary="峰谷套利、需量管理、虚拟电厂", doc_id="sp_ems_features"),
    ]
    for i, rep in enumerate(reps):
        await cards.my_card(conn, rep)
        await cards.update_card(conn, rep, CardUpdate(
            title="大客户经理", company="华储能源科技有限公司", phone=f"1380013800{i}",
            email=f"{rep.wecom_userid}@huachu.example.com", wechat_id=f"{rep.wecom_userid}_hc",
            bio="专注工商业储能与光伏，帮工厂把电费降下来。", products=products,
        ))


async def _knowledge(conn: asyncpg.Connection, tenant_id: int) -> int:
    """Ingest the demo knowledge base (unchanged files are skipped, so this is cheap the second time)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from backend.db.queries import queries
    from backend.services.kb import embedder, formats, ingest

    # A warm start: when every file is stored with the same content hash, there is nothing to embed,
    # so the models (seconds to load) are not even loaded. A changed file goes through ingest as usual.
    docs = [d for f in formats.files_under(DEMO_KB) for d in formats.parse_bytes(f.read_bytes(), name=f.name)]
    known = {r["doc_key"]: r["content_hash"] for r in await queries.kb_doc_hashes(
        conn, tenant_id=tenant_id, doc_keys=[d.doc_id for d in docs])}
    if docs and all(known.get(d.doc_id) == ingest.content_hash(d) for d in docs):
        return 0

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("knowledge base: loading models", total=None)
        models = await embedder.aget_models()
        bar.update(task, description="knowledge base: chunks")
        results = await ingest.ingest_path(
            conn, tenant_id, DEMO_KB, models=models,
            progress=lambda n: bar.advance(task, n), on_total=lambda n: bar.update(task, total=n),
        )
    return sum(1 for r in results if r.status not in ("unchanged", "failed"))


async def load_and_report(conn: asyncpg.Connection) -> None:
    result = await load_demo(conn)
    if DEMO_KB.is_dir():
        changed = await _knowledge(conn, result["tenant"].tenant_id)
        if changed:
            click.echo(f"knowledge base: {changed} documents ingested")
    if result["created"]:
        reps = [await tenants.actor_for_wecom(conn, result["tenant"].tenant_id, userid) for _, role, userid in PEOPLE if role == "rep"]
        await _cards(conn, [r for r in reps if r is not None])
    settings = get_settings()
    admin_token = ensure_admin_token(settings.data_dir)
    base = settings.public_base_url
    tenant = result["tenant"]
    n = await conn.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id)
    click.echo(f"demo tenant {tenant.slug!r} ({tenant.name}): {n} deals" + (" — created now" if result["created"] else " — already there"))
    click.echo(f"admin token: {admin_token}")
    click.echo("worth opening:")
    click.echo(f"  {base}/health")
    click.echo(f"  {base}/schema/swagger          (OpenAPI)")
    click.echo(f"  curl -H 'Authorization: Bearer {admin_token}' {base}/admin/v1/tenants/demo/deals")
    click.echo(f"  WeChat Work callback: {base}/wecom/demo/callback  (token tuokedemo, EncodingAESKey {DEMO_AES_KEY})")
    codes = await conn.fetch(
        "SELECT u.name, c.code FROM cards c JOIN users u ON u.tenant_id = c.tenant_id AND u.user_id = c.user_id"
        " WHERE c.tenant_id = $1 ORDER BY u.user_id", tenant.tenant_id,
    )
    for row in codes:
        click.echo(f"  {row['name']}'s business card (H5): {base}/c/{row['code']}")
    click.echo(f"  try the bot without WeChat: .venv/bin/tuoke bot say demo wanglei '我的商机'")
