-- Times are unix milliseconds (UTC) in BIGINT and JSON blobs are TEXT, as in
-- the SQLite schema, so both dialects share every query.

CREATE TABLE mentions (
    id               BIGSERIAL PRIMARY KEY,
    platform         TEXT   NOT NULL,
    external_id      TEXT   NOT NULL,
    url              TEXT   NOT NULL DEFAULT '',
    author_id        TEXT   NOT NULL DEFAULT '',
    author_handle    TEXT   NOT NULL DEFAULT '',
    author_name      TEXT   NOT NULL DEFAULT '',
    author_followers BIGINT NOT NULL DEFAULT 0,
    text             TEXT   NOT NULL DEFAULT '',
    lang             TEXT   NOT NULL DEFAULT '',
    created_at       BIGINT,
    in_reply_to      TEXT   NOT NULL DEFAULT '',
    ours             BOOLEAN NOT NULL DEFAULT FALSE,
    labels           TEXT   NOT NULL DEFAULT '{}',
    stored_at        BIGINT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE cases (
    id               BIGSERIAL PRIMARY KEY,
    team             TEXT   NOT NULL,
    state            TEXT   NOT NULL,
    platform         TEXT   NOT NULL,
    customer         TEXT   NOT NULL DEFAULT '{}',
    first_mention_id BIGINT NOT NULL REFERENCES mentions (id),
    labels           TEXT   NOT NULL DEFAULT '{}',
    rules            TEXT   NOT NULL DEFAULT '[]',
    assignee         TEXT   NOT NULL DEFAULT '',
    opened_at        BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    due_at           BIGINT,
    rev              BIGINT NOT NULL DEFAULT 1,
    summary          TEXT   NOT NULL DEFAULT '',
    url              TEXT   NOT NULL DEFAULT '',
    mentions         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_team_id ON cases (team, id);
CREATE INDEX cases_state_id ON cases (state, id);
CREATE INDEX cases_team_state ON cases (team, state);

CREATE TABLE case_mentions (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    mention_id BIGINT NOT NULL REFERENCES mentions (id),
    PRIMARY KEY (case_id, mention_id)
);
CREATE INDEX case_mentions_mention ON case_mentions (mention_id);

CREATE TABLE events (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    actor      TEXT   NOT NULL DEFAULT '',
    text       TEXT   NOT NULL DEFAULT '',
    mention_id BIGINT,
    action_id  BIGINT,
    url        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX events_case ON events (case_id, at, id);

CREATE TABLE suggestions (
    case_id  BIGINT NOT NULL REFERENCES cases (id),
    rank     BIGINT NOT NULL,
    text     TEXT   NOT NULL,
    approach TEXT   NOT NULL DEFAULT '',
    origin   TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, rank)
);

CREATE TABLE actions (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    kind       TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    surface    TEXT   NOT NULL DEFAULT '',
    suggestion BIGINT NOT NULL DEFAULT 0,
    text       TEXT   NOT NULL DEFAULT '',
    -- the customer's post a reply answers, fixed when the person clicked
    mention_id BIGINT NOT NULL DEFAULT 0,
    key        TEXT,
    status     TEXT   NOT NULL,
    result     TEXT   NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    done_at    BIGINT 
);
-- Denied attempts have no key: they are records, not claims.
CREATE UNIQUE INDEX actions_key ON actions (key) WHERE key IS NOT NULL;
CREATE INDEX actions_case ON actions (case_id, id);

CREATE TABLE replies (
    platform    TEXT   NOT NULL,
    external_id TEXT   NOT NULL,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    url         TEXT   NOT NULL DEFAULT '',
    stored_at   BIGINT NOT NULL,
    PRIMARY KEY (platform, external_id)
);

CREATE TABLE card_refs (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    surface    TEXT   NOT NULL,
    ref        TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, surface)
);

CREATE TABLE cursors (
    source     TEXT   NOT NULL PRIMARY KEY,
    cursor     TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
