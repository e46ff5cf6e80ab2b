-- Cases linked to the issues that track their problem (filed by earshot or
-- "+1"ed), and the tracker deliveries already applied, so a redelivered
-- webhook changes nothing.
CREATE TABLE case_links (
    case_id      BIGINT  NOT NULL REFERENCES cases (id),
    tracker      TEXT    NOT NULL,
    repo         TEXT    NOT NULL,
    number       BIGINT  NOT NULL,
    url          TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL DEFAULT '',
    -- the key terms of the case's report (JSON list), to find the issue again
    terms        TEXT    NOT NULL DEFAULT '[]',
    via          TEXT    NOT NULL DEFAULT '',
    -- when the case hears about it: closed or released, fixed when linked
    notify       TEXT    NOT NULL DEFAULT 'closed',
    state        TEXT    NOT NULL DEFAULT 'open',
    release_name TEXT    NOT NULL DEFAULT '',
    -- the state the case's thread was last told about
    noted        TEXT    NOT NULL DEFAULT '',
    linked_at    BIGINT  NOT NULL,
    changed_at   BIGINT  NOT NULL,
    PRIMARY KEY (case_id, tracker, repo, number)
);
CREATE INDEX case_links_issue ON case_links (tracker, repo, number);
CREATE INDEX case_links_open ON case_links (tracker, repo, state, linked_at);

CREATE TABLE tracker_deliveries (
    tracker     TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT '',
    received_at BIGINT  NOT NULL,
    PRIMARY KEY (tracker, id)
);
CREATE INDEX tracker_deliveries_at ON tracker_deliveries (received_at);
