"""The WeChat Work reply is rendered and encrypted while the message's COMMIT is on its way
(bot.dispatch.handle's ``prepare``): the CPU work overlaps the wait for the WAL flush. What was
prepared is answered only when the COMMIT succeeded; a COMMIT that fails answers the apology and
leaves nothing written."""

from __future__ import annotations

from bot import dispatch
from bot.replies import say
from tests.factory import text_inbound


async def test_the_reply_is_prepared_while_the_commit_is_in_flight(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    seen: list[tuple[str | None, bool]] = []

    def prepare(reply: str | None) -> str:
        seen.append((reply, db.is_in_transaction()))  # the COMMIT was sent, its answer not read yet
        return f"<encrypted>{reply}</encrypted>"

    inbound = text_inbound(tenant, rep, "新客户 佛山顺和陶瓷有限公司 刘总 13826471935 想了解储能柜")
    outcome = await dispatch.handle(db, tenant, inbound, prepare=prepare)
    assert outcome.reply.startswith("已新建线索")
    assert seen == [(outcome.reply, True)]
    assert outcome.prepared == f"<encrypted>{outcome.reply}</encrypted>"
    assert not db.is_in_transaction()
    stored = await db.fetchval("SELECT reply FROM inbound_messages WHERE tenant_id = $1 AND msg_key = $2",
                               tenant.tenant_id, inbound.msg_key)
    assert stored == outcome.reply

    # a retry is answered from the stored reply, rendered by the caller (nothing prepared)
    again = await dispatch.handle(db, tenant, inbound, prepare=prepare)
    assert again.replayed and again.reply == outcome.reply and again.prepared is None


async def test_a_failed_commit_answers_the_apology_not_what_was_prepared(factory, db):
    tenant, _ = await factory.tenant()
    rep = await factory.user(tenant.tenant_id)
    # A deferred constraint trigger fails this tenant's transactions at COMMIT, after the reply was stored.
    fn, trigger = f"test_fail_commit_{tenant.tenant_id}", f"test_fail_commit_{tenant.tenant_id}"
    await db.execute(f"""CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS
                         $$ BEGIN RAISE EXCEPTION 'commit refused'; END $$""")
    await db.execute(f"""CREATE CONSTRAINT TRIGGER {trigger} AFTER UPDATE ON inbound_messages
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                         WHEN (NEW.tenant_id = {int(tenant.tenant_id)} AND NEW.reply IS NOT NULL)
                         EXECUTE FUNCTION {fn}()""")
    prepared: list[str | None] = []
    try:
        inbound = text_inbound(tenant, rep, "新客户 佛山顺和陶瓷有限公司 刘总 13826471935 想了解储能柜")
        outcome = await dispatch.handle(db, tenant, inbound, prepare=lambda reply: prepared.append(reply) or "x")
    finally:
        await db.execute(f"DROP TRIGGER IF EXISTS {trigger} ON inbound_messages")
        await db.execute(f"DROP FUNCTION IF EXISTS {fn}()")
    assert prepared and prepared[0].startswith("已新建线索")  # it was prepared while the COMMIT was sent …
    assert outcome.reply == say("busy", "zh") and outcome.prepared is None  # … and dropped when it failed
    assert not db.is_in_transaction()
    assert await db.fetchval("SELECT count(*) FROM deals WHERE tenant_id = $1", tenant.tenant_id) == 0
    assert await db.fetchval("SELECT count(*) FROM inbound_messages WHERE tenant_id = $1", tenant.tenant_id) == 0
