-- 0007 outbox: a held message that no longer applies (the deal moved or was snoozed before it was
-- due) is kept as 'cancelled' with its reason instead of being sent.

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'cancelled'));
