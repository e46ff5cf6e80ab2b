-- One row per polled feed (and any source that reports): what operators see
-- in the web inbox and in `earshot status`. Kept in the database, not in one
-- process, so every replica and the command line read the same lines.
CREATE TABLE source_status (
    name           TEXT    NOT NULL PRIMARY KEY,
    platform       TEXT    NOT NULL DEFAULT '',
    last_poll      INTEGER NOT NULL DEFAULT 0,
    last_ok        INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT    NOT NULL DEFAULT '',
    error_at       INTEGER NOT NULL DEFAULT 0,
    day            TEXT    NOT NULL DEFAULT '',
    mentions_today INTEGER NOT NULL DEFAULT 0,
    mentions_total INTEGER NOT NULL DEFAULT 0,
    next_poll      INTEGER NOT NULL DEFAULT 0,
    note           TEXT    NOT NULL DEFAULT ''
);
