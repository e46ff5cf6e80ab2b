-- What the drafter said about a case's current drafts (origin, why the
-- built-in drafter answered, the model's summary), shown on the card. One
-- row per case, replaced with each drafting; info is JSON (bot.DraftInfo).
CREATE TABLE drafts (
    case_id BIGINT  NOT NULL PRIMARY KEY REFERENCES cases (id),
    info    TEXT    NOT NULL DEFAULT '{}',
    at      BIGINT  NOT NULL
);
