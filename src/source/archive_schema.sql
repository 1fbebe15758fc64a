-- The SQLite archive format: PostHog's table and column names, SQLite types.
-- uuids and timestamps are TEXT (RFC 3339, UTC), JSON documents are TEXT, booleans INTEGER (0/1).
-- Used by the embedded demo and by anyone who keeps an offline snapshot.
-- Every statement is idempotent (IF NOT EXISTS). A column added to a table that archives made by
-- an earlier version already have must also be listed in `ADDED_COLUMNS` (src/snapshot.rs):
-- `snapshot` adds it to such an archive before applying this file. Nullable, so an older
-- archive's rows read as they did (a NULL is what the reader substitutes for an absent column).
CREATE TABLE IF NOT EXISTS posthog_team (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT,
    name        TEXT NOT NULL DEFAULT 'Default project',
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    created_at  TEXT,
    updated_at  TEXT
);
CREATE TABLE IF NOT EXISTS posthog_user (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    distinct_id TEXT,
    is_active   INTEGER NOT NULL DEFAULT 1,
    date_joined TEXT
);
CREATE TABLE IF NOT EXISTS posthog_task (
    id             TEXT PRIMARY KEY,
    team_id        INTEGER NOT NULL,
    created_by_id  INTEGER,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    origin_product TEXT NOT NULL DEFAULT '',
    repository     TEXT,
    deleted        INTEGER DEFAULT 0,
    deleted_at     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT
);
CREATE TABLE IF NOT EXISTS posthog_task_run (
    id            TEXT PRIMARY KEY,
    task_id       TEXT NOT NULL,
    team_id       INTEGER NOT NULL,
    branch        TEXT,
    environment   TEXT NOT NULL DEFAULT 'cloud',
    stage         TEXT,
    status        TEXT NOT NULL DEFAULT 'not_started',
    error_message TEXT,
    output        TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT,
    completed_at  TEXT
);
-- Runs are read by task (PostHog's own table has this index through its foreign key).
CREATE INDEX IF NOT EXISTS posthog_task_run_task_idx ON posthog_task_run (task_id);
CREATE TABLE IF NOT EXISTS signals_signalreport (
    id                            TEXT PRIMARY KEY,
    team_id                       INTEGER NOT NULL,
    status                        TEXT NOT NULL DEFAULT 'potential',
    status_before_suppression     TEXT,
    total_weight                  REAL NOT NULL DEFAULT 0,
    signal_count                  INTEGER NOT NULL DEFAULT 0,
    run_count                     INTEGER NOT NULL DEFAULT 0,
    title                         TEXT,
    summary                       TEXT,
    error                         TEXT,
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT,
    promoted_at                   TEXT,
    last_run_at                   TEXT,
    corroboration_count           INTEGER,
    content_revision_count        INTEGER,
    implemented_at_run_count      INTEGER,
    implemented_at_revision_count INTEGER
);
-- The last four columns are PostHog 2026-09's counters (nullable there too), added to older
-- archives by `snapshot`. Notes on columns stay outside table bodies: a comment line before a
-- table's last column makes SQLite's `ALTER TABLE … DROP COLUMN` of it fail.
CREATE INDEX IF NOT EXISTS signals_report_team_idx ON signals_signalreport (team_id, created_at);
CREATE TABLE IF NOT EXISTS signals_signalreportartefact (
    id              TEXT PRIMARY KEY,
    team_id         INTEGER NOT NULL,
    report_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT,
    created_by_id   INTEGER,
    task_id         TEXT,
    channel_id      TEXT,
    actor_kind      TEXT,
    actor_agent     TEXT,
    claim_id        TEXT,
    pull_request_id TEXT
);
-- claim_id (the `work_claim` entry the row belongs to) and pull_request_id (the
-- signals_signalreportpullrequest row a `pull_request` entry links) are PostHog 2026-09's,
-- added to older archives by `snapshot`.
CREATE INDEX IF NOT EXISTS signals_artefact_report_idx ON signals_signalreportartefact (report_id);
CREATE TABLE IF NOT EXISTS signals_signalreporttask (
    id           TEXT PRIMARY KEY,
    team_id      INTEGER NOT NULL,
    report_id    TEXT NOT NULL,
    task_id      TEXT NOT NULL,
    relationship TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (report_id, task_id)
);
-- One GitHub pull request and its last known state (PostHog 2026-09), read by id through the
-- artefacts' pull_request_id. NOT NULL where PostHog's column is, so that fixtures seed the same
-- rows into both databases. Without PostHog's UNIQUE (team_id, repository, number): a snapshot
-- keeps a row deleted upstream, and PostHog may then create another for the same PR.
CREATE TABLE IF NOT EXISTS signals_signalreportpullrequest (
    id          TEXT PRIMARY KEY,
    team_id     INTEGER NOT NULL,
    repository  TEXT NOT NULL,
    number      INTEGER NOT NULL,
    url         TEXT NOT NULL,
    state       TEXT NOT NULL,      -- 'unknown', 'draft', 'open', 'closed' or 'merged'
    checked_at  TEXT,
    merged_at   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- PostHog's legacy record of who holds a report and its PR (PostHog 2026-09): at most one per
-- report, as in PostHog. A snapshot that finds it replaced or removed upstream keeps the
-- earlier row in reportpress_version (kind 'assignment').
CREATE TABLE IF NOT EXISTS signals_signalreportassignment (
    id            TEXT PRIMARY KEY,
    team_id       INTEGER NOT NULL,
    report_id     TEXT NOT NULL UNIQUE,
    actor_kind    TEXT,
    actor_user_id INTEGER,
    actor_task_id TEXT,
    actor_agent   TEXT,
    claimed_at    TEXT,
    pr_url        TEXT,
    repository    TEXT,
    pr_number     INTEGER,
    pr_state      TEXT,
    pr_merged     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- History kept by `reportpress snapshot` (PostHog keeps none: PATCH rewrites `content`, DELETE
-- removes the row). Absent from PostHog's own database and from archives never snapshotted.
-- Every row a snapshot copied: when it was first and last seen upstream, since when its current
-- version has been seen, and when a later snapshot found it gone (deleted upstream). A pull
-- request row belongs to the first report (by id) that linked it in the latest snapshot that
-- saw it.
CREATE TABLE IF NOT EXISTS reportpress_row (
    kind        TEXT NOT NULL,      -- 'report', 'artefact', 'link', 'pull_request' or 'assignment'
    id          TEXT NOT NULL,
    team_id     INTEGER NOT NULL,
    report_id   TEXT NOT NULL,      -- a pull request's: the first report (by id) linking it
    first_seen  TEXT NOT NULL,
    since       TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    gone_at     TEXT,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS reportpress_row_report_idx ON reportpress_row (report_id);
-- Earlier versions of edited rows, oldest first: an artefact's content and updated_at; or, as a
-- JSON object, a report's title, status and summary, a pull request's repository, number, url,
-- state, merged_at and created_at (not checked_at, which PostHog re-stamps at every poll), or an
-- assignment's actor, claimed_at, PR fields and created_at (also kept when a snapshot finds the
-- assignment replaced or removed upstream); with the row's updated_at.
CREATE TABLE IF NOT EXISTS reportpress_version (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    team_id     INTEGER NOT NULL,
    report_id   TEXT NOT NULL,
    content     TEXT,
    updated_at  TEXT,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    PRIMARY KEY (kind, id, version)
);
CREATE INDEX IF NOT EXISTS reportpress_version_report_idx ON reportpress_version (report_id);
-- One row per snapshot taken into this archive.
CREATE TABLE IF NOT EXISTS reportpress_snapshot (
    id          INTEGER PRIMARY KEY,
    taken_at    TEXT NOT NULL,
    source      TEXT NOT NULL,
    teams       TEXT NOT NULL,
    reports     INTEGER NOT NULL,
    artefacts   INTEGER NOT NULL,
    edited      INTEGER NOT NULL,
    gone        INTEGER NOT NULL
);
