-- Dismissals keep their reason (spam, not_about_us, duplicate, other) so the
-- rules can be tuned from them; a mute action keeps what it silences (JSON
-- of bot.MuteSpec), fixed when the person clicked.
ALTER TABLE actions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN mute   TEXT NOT NULL DEFAULT '';

-- Muted authors and terms: their new mentions are stored but open no case.
-- until NULL: until someone unmutes; an unmute sets ended_at, keeping history.
CREATE TABLE mutes (
    id        BIGSERIAL PRIMARY KEY,
    kind      TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    platform  TEXT    NOT NULL DEFAULT '',
    until     BIGINT,
    muted_by  TEXT    NOT NULL,
    reason    TEXT    NOT NULL DEFAULT '',
    case_id   BIGINT  REFERENCES cases (id),
    action_id BIGINT,
    created   BIGINT  NOT NULL,
    ended_at  BIGINT,
    ended_by  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX mutes_open ON mutes (ended_at, until);
CREATE INDEX mutes_value ON mutes (kind, value);
-- A retried mute action records its mute once.
CREATE UNIQUE INDEX mutes_action ON mutes (action_id) WHERE action_id IS NOT NULL;

-- Coupon codes for delight gestures. A code is handed out once: reserved for
-- one case (case_id), in the transaction that offers it.
CREATE TABLE coupons (
    id       BIGSERIAL PRIMARY KEY,
    pool     TEXT    NOT NULL,
    code     TEXT    NOT NULL UNIQUE,
    case_id  BIGINT  REFERENCES cases (id),
    given_at BIGINT,
    added_at BIGINT  NOT NULL
);
CREATE INDEX coupons_free ON coupons (pool, id) WHERE case_id IS NULL;
-- One code per case and pool: offering again gives the same code.
CREATE UNIQUE INDEX coupons_case ON coupons (pool, case_id) WHERE case_id IS NOT NULL;
