-- 0014: a forward inside WeChat is recorded when the forwarded link is first opened.
--
-- The H5 card mints its child share when it loads inside WeChat (so the link WeChat forwards
-- carries it), without recording a forward: many who open a card never forward it. The share's
-- ``forwarded_at`` stays NULL until someone other than the forwarder opens that link; then the
-- forward event is recorded (once) and the chain rep → A → B is known. Shares minted by the
-- page's own forward button are forwarded at once, as before; so were all shares until now.
ALTER TABLE card_shares ADD COLUMN forwarded_at timestamptz;
UPDATE card_shares SET forwarded_at = created_at WHERE parent_share_id IS NOT NULL;
