-- PostHog's Signals tables as an early 2026 PostgreSQL held them: the artefact table without
-- updated_at, created_by_id, task_id, channel_id, actor_kind, actor_agent, and no legacy link table
-- (kept from the schema notes' DDL; columns reportpress does not read are kept too,
-- so the reader is tested against the real shape, not a trimmed one). As in PostHog, only
-- db_default fields have an SQL default: everything else is written by Django, and by the seeder.
CREATE TABLE posthog_team (
    id          serial PRIMARY KEY,
    uuid        uuid NOT NULL UNIQUE,
    name        varchar(200) NOT NULL,
    timezone    varchar(240) NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE TABLE posthog_user (
    id            serial PRIMARY KEY,
    uuid          uuid NOT NULL UNIQUE,
    password      varchar(128) NOT NULL,
    email         varchar(254) NOT NULL UNIQUE,
    first_name    varchar(150) NOT NULL,
    last_name     varchar(150) NOT NULL,
    distinct_id   varchar(200) UNIQUE,
    is_active     boolean NOT NULL,
    is_staff      boolean NOT NULL,
    date_joined   timestamptz NOT NULL
);
CREATE TABLE posthog_task (
    id                 uuid PRIMARY KEY,
    team_id            integer NOT NULL REFERENCES posthog_team(id) DEFERRABLE INITIALLY DEFERRED,
    created_by_id      integer REFERENCES posthog_user(id) DEFERRABLE INITIALLY DEFERRED,
    task_number        integer,
    title              varchar(255) NOT NULL,
    title_manually_set boolean NOT NULL,
    description        text NOT NULL,
    origin_product     varchar(20) NOT NULL,
    repository         varchar(255),
    repositories       varchar(255)[] NOT NULL DEFAULT '{}',
    internal           boolean NOT NULL,
    archived           boolean NOT NULL,
    state              jsonb,
    deleted            boolean,
    deleted_at         timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE TABLE posthog_task_run (
    id            uuid PRIMARY KEY,
    task_id       uuid NOT NULL REFERENCES posthog_task(id) DEFERRABLE INITIALLY DEFERRED,
    team_id       integer NOT NULL REFERENCES posthog_team(id) DEFERRABLE INITIALLY DEFERRED,
    branch        varchar(255),
    environment   varchar(10) NOT NULL,
    stage         varchar(100),
    status        varchar(20) NOT NULL,
    error_message text,
    output        jsonb,
    artifacts     jsonb NOT NULL,
    state         jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    completed_at  timestamptz
);
CREATE TABLE signals_signalreport (
    id                          uuid PRIMARY KEY,
    team_id                     integer NOT NULL REFERENCES posthog_team(id) DEFERRABLE INITIALLY DEFERRED,
    status                      varchar(20) NOT NULL,
    status_before_suppression   varchar(20),
    billing_exempt_reason       varchar(30),
    total_weight                double precision NOT NULL,
    signal_count                integer NOT NULL,
    signals_at_run              integer NOT NULL,
    run_count                   integer NOT NULL,
    signals_researched          integer,
    title                       text,
    summary                     text,
    error                       text,
    charts                      jsonb NOT NULL DEFAULT '[]',
    suggested_prompts           jsonb NOT NULL DEFAULT '[]',
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    promoted_at                 timestamptz,
    last_run_at                 timestamptz,
    first_visible_at            timestamptz,
    inbox_notified_at           timestamptz,
    conversation_id             uuid,
    cluster_centroid            double precision[],
    cluster_centroid_updated_at timestamptz,
    relevant_user_count         integer,
    scout_idempotency_key       varchar(255),
    validation_prompt           text,
    latest_actionability        varchar(30),
    latest_already_addressed    boolean
);
CREATE INDEX signals_sig_team_id_9cf061_idx ON signals_signalreport (team_id, status, promoted_at);
CREATE INDEX signals_sig_team_id_84c1a8_idx ON signals_signalreport (team_id, created_at);
CREATE TABLE signals_signalreportartefact (
    id            uuid PRIMARY KEY,
    team_id       integer NOT NULL REFERENCES posthog_team(id) DEFERRABLE INITIALLY DEFERRED,
    report_id     uuid NOT NULL REFERENCES signals_signalreport(id) DEFERRABLE INITIALLY DEFERRED,
    type          varchar(100) NOT NULL,
    content       text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX signals_sig_report__idx      ON signals_signalreportartefact (report_id);
CREATE INDEX signals_sig_report_type_idx  ON signals_signalreportartefact (report_id, type);
CREATE INDEX signals_sig_rpt_type_ct_idx  ON signals_signalreportartefact (report_id, type, created_at DESC);
CREATE INDEX signals_sig_team_type_ct_idx ON signals_signalreportartefact (team_id, type, created_at DESC);
-- Django's default foreign-key indexes (see posthog_schema_notes.sql).
CREATE INDEX posthog_task_run_task_id_fk_idx ON posthog_task_run (task_id);
