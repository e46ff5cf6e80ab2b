-- Durable timers: SLA reminders and breaches, escalation steps. due_at is by
-- earshot's clock (unix ms). Firing a timer sets fired_at and queues its job
-- in one transaction; the job's effect deletes the row in its own, so a job
-- that runs twice acts once. job is the bot.Job as JSON: equal alarms are
-- one timer.
CREATE TABLE timers (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    kind     TEXT    NOT NULL,
    due_at   INTEGER NOT NULL,
    job      TEXT    NOT NULL,
    fired_at INTEGER,
    UNIQUE (job)
);
CREATE INDEX timers_due ON timers (due_at, id) WHERE fired_at IS NULL;
CREATE INDEX timers_case ON timers (case_id, kind);
