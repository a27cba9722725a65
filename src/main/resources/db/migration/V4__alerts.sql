-- Alerts: one row per rule, key and cool-down period. The id is deterministic, so a replay, a
-- restart or a second replica raising the same alert hits the primary key (ON CONFLICT DO NOTHING).
CREATE TABLE alerts (
    id             text        PRIMARY KEY,
    seq            bigserial   NOT NULL UNIQUE,
    rule           text        NOT NULL,
    severity       text        NOT NULL,
    alert_key      text        NOT NULL,
    wiki           text,
    title          text,
    user_name      text,
    incident_start timestamptz NOT NULL,
    event_time     timestamptz NOT NULL,
    summary        text        NOT NULL,
    details        jsonb       NOT NULL,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    -- set once pulse.alerts acknowledged it; an unpublished row is published again when re-raised
    published_at   timestamptz
);
CREATE INDEX alerts_event_time ON alerts (event_time DESC, seq DESC);
CREATE INDEX alerts_rule_event_time ON alerts (rule, event_time DESC);

-- Rules changed at run time through the admin endpoint; every replica reads them back.
CREATE TABLE alert_rules (
    name       text        PRIMARY KEY,
    definition jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
