-- Streaming sources (Bluesky, Mastodon): deletions, and the threads a
-- source follows.
--
-- deleted_at marks a mention whose author deleted the post: its text and
-- address are blanked wherever earshot keeps them, and a re-delivery of the
-- post never restores them (the row exists, so the insert is a duplicate).
ALTER TABLE mentions ADD COLUMN deleted_at INTEGER;

-- A deletion that arrived before its post (streams reorder): the post, if it
-- comes, is stored already redacted. Old rows are pruned: reordering spans
-- seconds, not days.
CREATE TABLE tombstones (
    platform    TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    deleted_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, external_id)
) WITHOUT ROWID;
CREATE INDEX tombstones_at ON tombstones (deleted_at);

-- ThreadPosts reads the open cases of one platform every minute per source;
-- with most cases long closed, only the open ones are indexed.
CREATE INDEX cases_open_platform ON cases (platform, id) WHERE state NOT IN ('resolved', 'dismissed');
-- ... and our replies on those cases.
CREATE INDEX replies_case ON replies (case_id, platform);
