-- Durable timers: SLA reminders and breaches, escalation steps. due_at is by
-- earshot's clock (unix ms). Firing a timer sets fired_at and queues its job
-- in one transaction (rows claimed FOR UPDATE SKIP LOCKED, so each replica
-- fires different timers); the job's effect deletes the row in its own, so a
-- job that runs twice acts once. job is the bot.Job as JSON: equal alarms
-- are one timer.
CREATE TABLE timers (
    id       BIGSERIAL PRIMARY KEY,
    case_id  BIGINT NOT NULL REFERENCES cases (id),
    kind     TEXT   NOT NULL,
    due_at   BIGINT NOT NULL,
    job      TEXT   NOT NULL,
    fired_at BIGINT,
    UNIQUE (job)
);
CREATE INDEX timers_due ON timers (due_at, id) WHERE fired_at IS NULL;
CREATE INDEX timers_case ON timers (case_id, kind);
