//! `reportpress snapshot`: copy teams' reports from a database (PostHog's PostgreSQL, or another
//! archive) into a SQLite archive that keeps what PostHog does not — every version of an edited
//! row, and rows deleted upstream.
//!
//! The source is read in its one read-only transaction ([`Source`]). The archive is never
//! modified in place: the previous archive is copied beside it, the copy is updated in one
//! transaction and renamed over the archive only once committed, so a snapshot killed at any
//! point leaves the previous archive exactly as it was.
//!
//! An archive written by an earlier version lacks the columns the archive schema has gained
//! since: the snapshot adds them ([`ADDED_COLUMNS`]) to its working copy before applying the
//! schema (which creates the tables it lacks), and the archive then takes the new rows like any
//! other.
//!
//! A snapshot records only what happened upstream. A row is kept as an earlier version only
//! when values it tracks differ; a row is found gone only when the source could have shown it
//! (a source without PostHog's pull request, assignment or link table deletes none of those rows, a
//! source without a newer column leaves the archive's value as it was); and a source that is
//! itself a snapshot archive shows the rows it found deleted upstream as deleted, not as live.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use super::target::{SqliteTargetError, check_target};
use crate::model::record::{
    ArtefactRecord, AssignmentRecord, LinkRecord, PullRequestRecord, ReportRecord, ReportRows,
    UserRecord,
};
use crate::model::time::Timestamp;
use crate::source::schema::{ARTEFACTS, ASSIGNMENTS, LINKS, PULL_REQUESTS, REPORTS, Schema};
use crate::source::{ARCHIVE_SCHEMA, Source, SourceError, describe, lossy_text, sqlite_url};

/// Columns added to the archive schema after archives were first written, as `(table, column,
/// SQLite type)`. `CREATE TABLE IF NOT EXISTS` leaves an older archive's tables as they are, so
/// a snapshot into one adds each of these its table lacks (`ALTER TABLE … ADD COLUMN`, NULL in
/// the rows already there, which reads as the column's absence did). Tables new to the schema
/// need no entry: the schema creates them whole. Append here whenever `archive_schema.sql` gains
/// a column on an existing table.
pub const ADDED_COLUMNS: [(&str, &str, &str); 6] = [
    (REPORTS, "corroboration_count", "INTEGER"),
    (REPORTS, "content_revision_count", "INTEGER"),
    (REPORTS, "implemented_at_run_count", "INTEGER"),
    (REPORTS, "implemented_at_revision_count", "INTEGER"),
    (ARTEFACTS, "claim_id", "TEXT"),
    (ARTEFACTS, "pull_request_id", "TEXT"),
];

/// Report counters copied as they are (no history: they only count).
const REPORT_COUNTERS: [&str; 5] = [
    "run_count",
    "corroboration_count",
    "content_revision_count",
    "implemented_at_run_count",
    "implemented_at_revision_count",
];

/// Artefact columns naming other rows, copied as they are.
const ARTEFACT_REFERENCES: [&str; 2] = ["claim_id", "pull_request_id"];

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Target(#[from] SqliteTargetError),
    #[error(
        "{} is not a reportpress SQLite archive: it has no signals_signalreport table",
        .0.display()
    )]
    NotAnArchive(PathBuf),
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("another snapshot is writing into {}: wait for it to end", .0.display())]
    Busy(PathBuf),
    /// A database error writing the archive: SQLite's message on one line, the error kept
    /// as the cause.
    #[error("writing {}: {message}", path.display())]
    Archive {
        path: PathBuf,
        message: String,
        #[source]
        source: sqlx::Error,
    },
}

impl SnapshotError {
    pub fn is_usage(&self) -> bool {
        matches!(self, SnapshotError::Source(e) if e.is_usage())
    }
}

#[derive(Clone, Debug)]
pub struct SnapshotOptions {
    /// The archive to create or update.
    pub to: PathBuf,
    /// Teams to copy; empty means the only team the source holds.
    pub teams: Vec<i64>,
}

/// What a snapshot did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapshotSummary {
    pub teams: Vec<i64>,
    pub reports: usize,
    pub artefacts: usize,
    /// Rows copied for the first time.
    pub new: usize,
    /// Rows whose tracked values changed upstream since the last snapshot — an artefact's
    /// content; a report's title, status or summary; a pull request's state, URL or merge time;
    /// an assignment's holder or PR — their earlier version is kept.
    pub edited: usize,
    /// Rows found deleted upstream by this snapshot.
    pub gone: usize,
    pub taken_at: String,
}

/// Copies `options.teams` from `source` into the archive at `options.to`.
pub async fn snapshot(
    source: &mut Source,
    options: &SnapshotOptions,
) -> Result<SnapshotSummary, SnapshotError> {
    let to = &options.to;
    let target = check_target(to, "--to")?;
    let teams = source.resolve_teams(&options.teams).await?;
    // Our own work file: a leftover of a killed snapshot is replaced.
    let work = target.beside("reportpress-snapshot");
    let write_err = |source: std::io::Error| SnapshotError::Write {
        path: to.clone(),
        source,
    };
    // One snapshot into an archive at a time: a second one would replace the first one's work
    // file under it. The lock is held until this snapshot ends (the file itself stays).
    let lock_path = target.beside("reportpress-lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(write_err)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(SnapshotError::Busy(to.clone()));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(write_err(e)),
    }
    remove_work_files(&work);
    if to.exists() {
        std::fs::copy(to, &work).map_err(write_err)?;
    }
    let result = update(source, &work, to, to.exists(), &teams).await;
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => {
            remove_work_files(&work);
            return Err(err);
        }
    };
    if let Err(err) = std::fs::rename(&work, to) {
        remove_work_files(&work);
        return Err(write_err(err));
    }
    Ok(summary)
}

fn remove_work_files(work: &Path) {
    let _ = std::fs::remove_file(work);
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut side = work.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
}

fn db_err(path: &Path) -> impl Fn(sqlx::Error) -> SnapshotError + '_ {
    move |err| SnapshotError::Archive {
        path: path.to_path_buf(),
        message: describe(&err),
        source: err,
    }
}

/// A text cell the archive holds, bytes that are not UTF-8 as U+FFFD, as the reader shows
/// them: what the snapshot compares with the source's value is never a read that failed.
fn held_text(row: &AnyRow, name: &str) -> Result<Option<String>, sqlx::Error> {
    Ok(lossy_text(row, name)?.0)
}

fn held_int(row: &AnyRow, name: &str) -> Result<Option<i64>, sqlx::Error> {
    row.try_get::<Option<i64>, _>(name)
}

/// The time of this snapshot, in the form the reader normalises timestamps to.
fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

async fn update(
    source: &mut Source,
    work: &Path,
    shown: &Path,
    existed: bool,
    teams: &[i64],
) -> Result<SnapshotSummary, SnapshotError> {
    sqlx::any::install_default_drivers();
    let err = db_err(shown);
    let url = sqlite_url(work, "rwc").map_err(|source| SnapshotError::Write {
        path: shown.to_path_buf(),
        source,
    })?;
    let mut conn = AnyConnection::connect(&url).await.map_err(&err)?;
    if existed {
        let has_reports = sqlx::query(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'signals_signalreport'",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|_| SnapshotError::NotAnArchive(shown.to_path_buf()))?
        .try_get::<i64, _>("n")
        .map_err(&err)?;
        if has_reports == 0 {
            return Err(SnapshotError::NotAnArchive(shown.to_path_buf()));
        }
    }
    // Columns first: the schema's indexes may name an added column.
    add_missing_columns(&mut conn).await.map_err(&err)?;
    sqlx::raw_sql(ARCHIVE_SCHEMA)
        .execute(&mut conn)
        .await
        .map_err(&err)?;
    let upstream = Upstream::of(source.schema());
    let mut tx = conn.begin().await.map_err(&err)?;
    let mut writer = Writer {
        tx: &mut tx,
        err: &err,
        now: now(),
        summary: SnapshotSummary::default(),
        copied: Copied::default(),
        upstream,
    };
    writer.summary.teams = teams.to_vec();
    for team in teams {
        sqlx::query("INSERT INTO posthog_team (id) VALUES (?) ON CONFLICT (id) DO NOTHING")
            .bind(*team)
            .execute(&mut **writer.tx)
            .await
            .map_err(&err)?;
    }
    let records = source.reports(teams, true).await?;
    for record in records {
        let rows = source.report_rows(record).await?;
        writer.report(rows).await?;
    }
    writer.sweep(teams).await?;
    let Writer { now, summary, .. } = writer;
    let mut summary = summary;
    sqlx::query(
        "INSERT INTO reportpress_snapshot (taken_at, source, teams, reports, artefacts, edited, gone) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now.clone())
    .bind(source.label.clone())
    .bind(
        teams
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
    )
    .bind(summary.reports as i64)
    .bind(summary.artefacts as i64)
    .bind(summary.edited as i64)
    .bind(summary.gone as i64)
    .execute(&mut *tx)
    .await
    .map_err(&err)?;
    tx.commit().await.map_err(&err)?;
    conn.close().await.map_err(&err)?;
    summary.taken_at = now;
    Ok(summary)
}

/// Adds the [`ADDED_COLUMNS`] an existing table lacks (an archive of an earlier version).
async fn add_missing_columns(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for (table, column, ty) in ADDED_COLUMNS {
        let present: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("name"))
            .collect::<Result<_, _>>()?;
        // An absent table is created whole by the schema.
        if present.is_empty() || present.iter().any(|c| c == column) {
            continue;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} ADD COLUMN {column} {ty}"
        )))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What the source can show, so that what it cannot is neither overwritten nor taken for
/// deleted.
struct Upstream {
    /// Report counters and artefact references the source has (the others are left as the
    /// archive holds them).
    report_counters: Vec<&'static str>,
    artefact_references: Vec<&'static str>,
    /// Whether the source has the pull request rows (the table, and the artefact column
    /// linking them), and the assignment table.
    pull_requests: bool,
    assignments: bool,
    /// Whether the source has the legacy link table.
    links: bool,
}

impl Upstream {
    fn of(schema: &Schema) -> Upstream {
        Upstream {
            report_counters: REPORT_COUNTERS
                .into_iter()
                .filter(|c| schema.has_column(REPORTS, c))
                .collect(),
            artefact_references: ARTEFACT_REFERENCES
                .into_iter()
                .filter(|c| schema.has_column(ARTEFACTS, c))
                .collect(),
            pull_requests: schema.has_table(PULL_REQUESTS)
                && schema.has_column(ARTEFACTS, "pull_request_id"),
            assignments: schema.has_table(ASSIGNMENTS),
            links: schema.has_table(LINKS),
        }
    }

    /// Kinds of `reportpress_row` this source cannot show: none of them is gone for its absence.
    fn unseen_kinds(&self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        if !self.pull_requests {
            kinds.push("pull_request");
        }
        if !self.assignments {
            kinds.push("assignment");
        }
        if !self.links {
            kinds.push("link");
        }
        kinds
    }
}

/// `, column = excluded.column` for each of `columns`.
fn set_excluded(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!(", {c} = excluded.{c}"))
        .collect()
}

struct Writer<'t, 'c, E> {
    tx: &'t mut sqlx::Transaction<'c, sqlx::Any>,
    err: &'t E,
    now: String,
    summary: SnapshotSummary,
    copied: Copied,
    upstream: Upstream,
}

/// Users, tasks, runs and pull requests already copied by this snapshot: many reports share
/// them, and the source's one transaction gives the same row every time, so each is written
/// once.
#[derive(Default)]
struct Copied {
    users: HashSet<i64>,
    tasks: HashSet<String>,
    runs: HashSet<String>,
    pull_requests: HashSet<String>,
}

/// What the archive held for a row before this snapshot.
struct Held {
    values: String,
    updated_at: Option<String>,
}

impl<E: Fn(sqlx::Error) -> SnapshotError> Writer<'_, '_, E> {
    async fn report(&mut self, rows: ReportRows) -> Result<(), SnapshotError> {
        let ReportRows {
            report,
            artefacts,
            tasks,
            runs,
            links,
            pull_requests,
            assignments,
            people,
            seen,
            ..
        } = rows;
        // A source that is itself a snapshot archive still holds the rows it found deleted
        // upstream: they are not live, and copying them as seen would undo their deletion.
        let gone: HashSet<(&str, &str)> = seen
            .iter()
            .filter(|s| s.gone_at.is_some())
            .map(|s| (s.kind.as_str(), s.id.as_str()))
            .collect();
        let live = |kind: &str, id: &str| !gone.contains(&(kind, id));
        if !live("report", &report.id) {
            return Ok(());
        }
        let report_id = report.id.clone();
        let team = report.team_id;
        self.summary.reports += 1;

        let held = self.held_report(&report.id).await?;
        let values = report_values(&report);
        let changed = self
            .keep_version("report", &report.id, team, &report.id, held, &values)
            .await?;
        self.upsert_report(&report).await?;
        self.seen("report", &report.id, team, &report.id, changed)
            .await?;

        let mut held = self.held_artefacts(&report_id).await?;
        for artefact in artefacts.iter().filter(|a| live("artefact", &a.id)) {
            self.summary.artefacts += 1;
            if let Some(user) = &artefact.created_by {
                self.user(user).await?;
            }
            let before = held.remove(&artefact.id);
            let content = artefact.content.clone().unwrap_or_default();
            let changed = self
                .keep_version("artefact", &artefact.id, team, &report_id, before, &content)
                .await?;
            self.upsert_artefact(artefact, team, &report_id).await?;
            self.seen("artefact", &artefact.id, team, &report_id, changed)
                .await?;
        }
        for person in &people {
            self.user(person).await?;
        }
        for task in tasks
            .iter()
            .filter(|t| self.copied.tasks.insert(t.id.clone()))
        {
            sqlx::query(
                "INSERT INTO posthog_task (id, team_id, title, repository, origin_product, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, \
                 repository = excluded.repository, origin_product = excluded.origin_product, \
                 created_at = excluded.created_at",
            )
            .bind(task.id.clone())
            .bind(team)
            .bind(task.title.clone().unwrap_or_default())
            .bind(task.repository.clone())
            .bind(task.origin_product.clone().unwrap_or_default())
            .bind(task.created_at.clone().unwrap_or_default())
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
        }
        for run in runs
            .iter()
            .filter(|r| self.copied.runs.insert(r.id.clone()))
        {
            sqlx::query(
                "INSERT INTO posthog_task_run (id, task_id, team_id, status, stage, branch, output, \
                 error_message, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, stage = excluded.stage, \
                 branch = excluded.branch, output = excluded.output, \
                 error_message = excluded.error_message, created_at = excluded.created_at, \
                 completed_at = excluded.completed_at",
            )
            .bind(run.id.clone())
            .bind(run.task_id.clone())
            .bind(team)
            .bind(run.status.clone().unwrap_or_else(|| "not_started".into()))
            .bind(run.stage.clone())
            .bind(run.branch.clone())
            .bind(run.output.clone())
            .bind(run.error_message.clone())
            .bind(run.created_at.clone().unwrap_or_default())
            .bind(run.completed_at.clone())
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
        }
        for link in links.iter().filter(|l| live("link", &l.id)) {
            self.upsert_link(link, team, &report_id).await?;
            self.seen("link", &link.id, team, &report_id, false).await?;
        }
        // A pull request row belongs, in `reportpress_row` and `reportpress_version`, to the
        // first report (by id) that links it in this snapshot; it is written once.
        for pr in pull_requests.iter().filter(|p| live("pull_request", &p.id)) {
            if !self.copied.pull_requests.insert(pr.id.clone()) {
                continue;
            }
            let before = self.held_pull_request(&pr.id).await?;
            let values = pull_request_values(pr);
            let changed = self
                .keep_version("pull_request", &pr.id, team, &report_id, before, &values)
                .await?;
            self.upsert_pull_request(pr, team).await?;
            self.seen("pull_request", &pr.id, team, &report_id, changed)
                .await?;
        }
        if self.upstream.assignments {
            let current: Vec<&AssignmentRecord> = assignments
                .iter()
                .filter(|a| live("assignment", &a.id))
                .collect();
            let mut held = self.held_assignments(&report_id).await?;
            // Replaced or removed upstream: PostHog holds at most one per report, so the
            // archive's table does too; the earlier row is kept as a version.
            let retired: Vec<String> = held
                .keys()
                .filter(|id| !current.iter().any(|a| &a.id == *id))
                .cloned()
                .collect();
            for id in retired {
                if let Some(before) = held.remove(&id) {
                    self.retire_assignment(&id, team, &report_id, before)
                        .await?;
                }
            }
            for assignment in current {
                if let Some(user) = &assignment.actor_user {
                    self.user(user).await?;
                }
                let before = held.remove(&assignment.id);
                let values = assignment_values(assignment);
                let changed = self
                    .keep_version(
                        "assignment",
                        &assignment.id,
                        team,
                        &report_id,
                        before,
                        &values,
                    )
                    .await?;
                self.upsert_assignment(assignment, team, &report_id).await?;
                self.seen("assignment", &assignment.id, team, &report_id, changed)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes a `posthog_user` row, once per snapshot.
    async fn user(&mut self, user: &UserRecord) -> Result<(), SnapshotError> {
        if !self.copied.users.insert(user.id) {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO posthog_user (id, uuid, email, first_name, last_name) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET uuid = excluded.uuid, email = excluded.email, \
             first_name = excluded.first_name, last_name = excluded.last_name",
        )
        .bind(user.id)
        .bind(
            user.uuid
                .clone()
                .unwrap_or_else(|| format!("unknown-{}", user.id)),
        )
        .bind(user.email.clone().unwrap_or_default())
        .bind(user.first_name.clone().unwrap_or_default())
        .bind(user.last_name.clone().unwrap_or_default())
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    async fn held_report(&mut self, id: &str) -> Result<Option<Held>, SnapshotError> {
        let row = sqlx::query(
            "SELECT CAST(title AS BLOB) AS title, CAST(status AS BLOB) AS status, \
             CAST(summary AS BLOB) AS summary, CAST(updated_at AS BLOB) AS updated_at \
             FROM signals_signalreport WHERE id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let Some(row) = row else { return Ok(None) };
        let err = self.err;
        let get = |name: &str| held_text(&row, name).map_err(err);
        let record = ReportRecord {
            title: get("title")?,
            status: get("status")?.unwrap_or_default(),
            summary: get("summary")?,
            ..ReportRecord::default()
        };
        Ok(Some(Held {
            values: report_values(&record),
            updated_at: get("updated_at")?,
        }))
    }

    async fn held_artefacts(
        &mut self,
        report_id: &str,
    ) -> Result<BTreeMap<String, Held>, SnapshotError> {
        let rows = sqlx::query(
            "SELECT CAST(id AS BLOB) AS id, CAST(content AS BLOB) AS content, \
             CAST(updated_at AS BLOB) AS updated_at \
             FROM signals_signalreportartefact WHERE report_id = ?",
        )
        .bind(report_id.to_string())
        .fetch_all(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let mut held = BTreeMap::new();
        let err = self.err;
        for row in rows {
            let get = |name: &str| held_text(&row, name).map_err(err);
            held.insert(
                get("id")?.unwrap_or_default(),
                Held {
                    values: get("content")?.unwrap_or_default(),
                    updated_at: get("updated_at")?,
                },
            );
        }
        Ok(held)
    }

    /// When the archive held other values for the row, keeps them as its next earlier
    /// version (seen from when the row's current version was first seen to the last snapshot
    /// that saw it). Returns whether the row changed.
    async fn keep_version(
        &mut self,
        kind: &str,
        id: &str,
        team: i64,
        report_id: &str,
        held: Option<Held>,
        values: &str,
    ) -> Result<bool, SnapshotError> {
        let Some(held) = held else {
            self.summary.new += 1;
            return Ok(false);
        };
        if held.values == values {
            return Ok(false);
        }
        self.summary.edited += 1;
        self.insert_version(kind, id, team, report_id, held).await?;
        Ok(true)
    }

    /// Appends `held` as the row's next earlier version.
    async fn insert_version(
        &mut self,
        kind: &str,
        id: &str,
        team: i64,
        report_id: &str,
        held: Held,
    ) -> Result<(), SnapshotError> {
        sqlx::query(
            "INSERT INTO reportpress_version (kind, id, version, team_id, report_id, content, updated_at, first_seen, last_seen) \
             SELECT ?1, ?2, COALESCE((SELECT MAX(version) FROM reportpress_version WHERE kind = ?1 AND id = ?2), 0) + 1, \
             ?3, ?4, ?5, ?6, COALESCE(r.since, ?7), COALESCE(r.last_seen, ?7) \
             FROM (SELECT 1) LEFT JOIN reportpress_row r ON r.kind = ?1 AND r.id = ?2",
        )
        .bind(kind.to_string())
        .bind(id.to_string())
        .bind(team)
        .bind(report_id.to_string())
        .bind(held.values)
        .bind(held.updated_at)
        .bind(self.now.clone())
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    /// An assignment the archive holds for a report whose upstream assignment is another row,
    /// or none: its values become its last version and the row leaves the table (PostHog
    /// holds at most one per report). Its `reportpress_row` stays; the sweep finds it gone.
    async fn retire_assignment(
        &mut self,
        id: &str,
        team: i64,
        report_id: &str,
        held: Held,
    ) -> Result<(), SnapshotError> {
        self.insert_version("assignment", id, team, report_id, held)
            .await?;
        sqlx::query("DELETE FROM signals_signalreportassignment WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
        Ok(())
    }

    async fn held_pull_request(&mut self, id: &str) -> Result<Option<Held>, SnapshotError> {
        let row = sqlx::query(
            "SELECT CAST(repository AS BLOB) AS repository, CAST(number AS INTEGER) AS number, \
             CAST(url AS BLOB) AS url, CAST(state AS BLOB) AS state, \
             CAST(checked_at AS BLOB) AS checked_at, CAST(merged_at AS BLOB) AS merged_at, \
             CAST(created_at AS BLOB) AS created_at, CAST(updated_at AS BLOB) AS updated_at \
             FROM signals_signalreportpullrequest WHERE id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let Some(row) = row else { return Ok(None) };
        let err = self.err;
        let text = |name: &str| held_text(&row, name).map_err(err);
        let record = PullRequestRecord {
            id: id.to_string(),
            repository: text("repository")?,
            number: held_int(&row, "number").map_err(err)?,
            url: text("url")?,
            state: text("state")?,
            checked_at: text("checked_at")?,
            merged_at: text("merged_at")?,
            created_at: text("created_at")?,
            updated_at: text("updated_at")?,
        };
        Ok(Some(Held {
            values: pull_request_values(&record),
            updated_at: record.updated_at,
        }))
    }

    /// The archive's assignment rows of one report, by id.
    async fn held_assignments(
        &mut self,
        report_id: &str,
    ) -> Result<BTreeMap<String, Held>, SnapshotError> {
        let rows = sqlx::query(
            "SELECT CAST(id AS BLOB) AS id, CAST(actor_kind AS BLOB) AS actor_kind, \
             CAST(actor_user_id AS INTEGER) AS actor_user_id, \
             CAST(actor_task_id AS BLOB) AS actor_task_id, CAST(actor_agent AS BLOB) AS actor_agent, \
             CAST(claimed_at AS BLOB) AS claimed_at, CAST(pr_url AS BLOB) AS pr_url, \
             CAST(repository AS BLOB) AS repository, CAST(pr_number AS INTEGER) AS pr_number, \
             CAST(pr_state AS BLOB) AS pr_state, CAST(pr_merged AS INTEGER) AS pr_merged, \
             CAST(created_at AS BLOB) AS created_at, CAST(updated_at AS BLOB) AS updated_at \
             FROM signals_signalreportassignment WHERE report_id = ?",
        )
        .bind(report_id.to_string())
        .fetch_all(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let mut held = BTreeMap::new();
        let err = self.err;
        for row in rows {
            let text = |name: &str| held_text(&row, name).map_err(err);
            let int = |name: &str| held_int(&row, name).map_err(err);
            let record = AssignmentRecord {
                id: text("id")?.unwrap_or_default(),
                actor_kind: text("actor_kind")?,
                actor_user_id: int("actor_user_id")?,
                actor_user: None,
                actor_task_id: text("actor_task_id")?,
                actor_agent: text("actor_agent")?,
                claimed_at: text("claimed_at")?,
                pr_url: text("pr_url")?,
                repository: text("repository")?,
                pr_number: int("pr_number")?,
                pr_state: text("pr_state")?,
                pr_merged: int("pr_merged")?.map(|v| v != 0),
                created_at: text("created_at")?,
                updated_at: text("updated_at")?,
            };
            held.insert(
                record.id.clone(),
                Held {
                    values: assignment_values(&record),
                    updated_at: record.updated_at,
                },
            );
        }
        Ok(held)
    }

    /// Records that this snapshot saw the row (and, when `changed`, a new current version).
    async fn seen(
        &mut self,
        kind: &str,
        id: &str,
        team: i64,
        report_id: &str,
        changed: bool,
    ) -> Result<(), SnapshotError> {
        sqlx::query(
            "INSERT INTO reportpress_row (kind, id, team_id, report_id, first_seen, since, last_seen, gone_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, NULL) ON CONFLICT (kind, id) DO UPDATE SET \
             team_id = excluded.team_id, report_id = excluded.report_id, \
             since = CASE WHEN ?6 = 1 OR reportpress_row.gone_at IS NOT NULL THEN excluded.since ELSE reportpress_row.since END, \
             last_seen = excluded.last_seen, gone_at = NULL",
        )
        .bind(kind.to_string())
        .bind(id.to_string())
        .bind(team)
        .bind(report_id.to_string())
        .bind(self.now.clone())
        .bind(i64::from(changed))
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    async fn upsert_report(&mut self, r: &ReportRecord) -> Result<(), SnapshotError> {
        let sql = format!(
            "INSERT INTO signals_signalreport (id, team_id, status, title, summary, error, signal_count, \
             created_at, updated_at, run_count, corroboration_count, content_revision_count, \
             implemented_at_run_count, implemented_at_revision_count) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, \
             status = excluded.status, title = excluded.title, summary = excluded.summary, \
             error = excluded.error, signal_count = excluded.signal_count, \
             created_at = excluded.created_at, updated_at = excluded.updated_at{}",
            set_excluded(&self.upstream.report_counters)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(r.id.clone())
            .bind(r.team_id)
            .bind(r.status.clone())
            .bind(r.title.clone())
            .bind(r.summary.clone())
            .bind(r.error.clone())
            .bind(r.signal_count.unwrap_or_default())
            .bind(r.created_at.clone().unwrap_or_default())
            .bind(r.updated_at.clone())
            .bind(r.run_count.unwrap_or_default())
            .bind(r.corroboration_count)
            .bind(r.content_revision_count)
            .bind(r.implemented_at_run_count)
            .bind(r.implemented_at_revision_count)
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
        Ok(())
    }

    async fn upsert_artefact(
        &mut self,
        a: &ArtefactRecord,
        team: i64,
        report_id: &str,
    ) -> Result<(), SnapshotError> {
        let sql = format!(
            "INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at, \
             updated_at, created_by_id, task_id, channel_id, actor_kind, actor_agent, claim_id, \
             pull_request_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
             team_id = excluded.team_id, report_id = excluded.report_id, type = excluded.type, \
             content = excluded.content, created_at = excluded.created_at, \
             updated_at = excluded.updated_at, created_by_id = excluded.created_by_id, \
             task_id = excluded.task_id, channel_id = excluded.channel_id, \
             actor_kind = excluded.actor_kind, actor_agent = excluded.actor_agent{}",
            set_excluded(&self.upstream.artefact_references)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(a.id.clone())
            .bind(team)
            .bind(report_id.to_string())
            .bind(a.kind.clone())
            .bind(a.content.clone().unwrap_or_default())
            .bind(a.created_at.clone().unwrap_or_default())
            .bind(a.updated_at.clone())
            .bind(a.created_by_id)
            .bind(a.task_id.clone())
            .bind(a.channel_id.clone())
            .bind(a.actor_kind.clone())
            .bind(a.actor_agent.clone())
            .bind(a.claim_id.clone())
            .bind(a.pull_request_id.clone())
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
        Ok(())
    }

    async fn upsert_pull_request(
        &mut self,
        p: &PullRequestRecord,
        team: i64,
    ) -> Result<(), SnapshotError> {
        sqlx::query(
            "INSERT INTO signals_signalreportpullrequest (id, team_id, repository, number, url, state, \
             checked_at, merged_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, \
             repository = excluded.repository, number = excluded.number, url = excluded.url, \
             state = excluded.state, checked_at = excluded.checked_at, \
             merged_at = excluded.merged_at, created_at = excluded.created_at, \
             updated_at = excluded.updated_at",
        )
        .bind(p.id.clone())
        .bind(team)
        .bind(p.repository.clone().unwrap_or_default())
        .bind(p.number.unwrap_or_default())
        .bind(p.url.clone().unwrap_or_default())
        .bind(p.state.clone().unwrap_or_else(|| "unknown".into()))
        .bind(p.checked_at.clone())
        .bind(p.merged_at.clone())
        .bind(p.created_at.clone().unwrap_or_default())
        .bind(p.updated_at.clone().unwrap_or_default())
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    async fn upsert_assignment(
        &mut self,
        a: &AssignmentRecord,
        team: i64,
        report_id: &str,
    ) -> Result<(), SnapshotError> {
        sqlx::query(
            "INSERT INTO signals_signalreportassignment (id, team_id, report_id, actor_kind, \
             actor_user_id, actor_task_id, actor_agent, claimed_at, pr_url, repository, pr_number, \
             pr_state, pr_merged, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
             team_id = excluded.team_id, report_id = excluded.report_id, \
             actor_kind = excluded.actor_kind, actor_user_id = excluded.actor_user_id, \
             actor_task_id = excluded.actor_task_id, actor_agent = excluded.actor_agent, \
             claimed_at = excluded.claimed_at, pr_url = excluded.pr_url, \
             repository = excluded.repository, pr_number = excluded.pr_number, \
             pr_state = excluded.pr_state, pr_merged = excluded.pr_merged, \
             created_at = excluded.created_at, updated_at = excluded.updated_at",
        )
        .bind(a.id.clone())
        .bind(team)
        .bind(report_id.to_string())
        .bind(a.actor_kind.clone())
        .bind(a.actor_user_id)
        .bind(a.actor_task_id.clone())
        .bind(a.actor_agent.clone())
        .bind(a.claimed_at.clone())
        .bind(a.pr_url.clone())
        .bind(a.repository.clone())
        .bind(a.pr_number)
        .bind(a.pr_state.clone())
        .bind(i64::from(a.pr_merged.unwrap_or_default()))
        .bind(a.created_at.clone().unwrap_or_default())
        .bind(a.updated_at.clone().unwrap_or_default())
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    async fn upsert_link(
        &mut self,
        l: &LinkRecord,
        team: i64,
        report_id: &str,
    ) -> Result<(), SnapshotError> {
        sqlx::query(
            "INSERT INTO signals_signalreporttask (id, team_id, report_id, task_id, relationship, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, \
             report_id = excluded.report_id, task_id = excluded.task_id, \
             relationship = excluded.relationship, created_at = excluded.created_at",
        )
        .bind(l.id.clone())
        .bind(team)
        .bind(report_id.to_string())
        .bind(l.task_id.clone())
        .bind(l.relationship.clone())
        .bind(l.created_at.clone().unwrap_or_default())
        .execute(&mut **self.tx)
        .await
        .map_err(self.err)?;
        Ok(())
    }

    /// Rows of these teams that an earlier snapshot saw and this one did not: deleted upstream
    /// (only of the kinds the source can show).
    async fn sweep(&mut self, teams: &[i64]) -> Result<(), SnapshotError> {
        let unseen = self.upstream.unseen_kinds();
        let skip: String = (0..unseen.len())
            .map(|i| format!(" AND kind <> ?{}", i + 3))
            .collect();
        for team in teams {
            let sql = format!(
                "UPDATE reportpress_row SET gone_at = ?1 \
                 WHERE team_id = ?2 AND last_seen < ?1 AND gone_at IS NULL{skip}"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(self.now.clone())
                .bind(*team);
            for kind in &unseen {
                query = query.bind(*kind);
            }
            let done = query.execute(&mut **self.tx).await.map_err(self.err)?;
            self.summary.gone += done.rows_affected() as usize;
        }
        Ok(())
    }
}

/// A report's values whose changes a snapshot keeps (title, status, summary), as JSON.
fn report_values(r: &ReportRecord) -> String {
    serde_json::json!({
        "title": r.title,
        "status": r.status,
        "summary": r.summary,
    })
    .to_string()
}

/// A timestamp in one form whichever database printed it (`…:00Z` and `…:00.000000Z` are one
/// instant), so that a change of source is not taken for a change of value; text that is no
/// timestamp as it is.
fn instant(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(|t| Timestamp::parse(t).map_or_else(|| t.to_string(), |t| t.iso()))
}

/// A pull request's values whose changes a snapshot keeps, as JSON. Not `checked_at` (PostHog
/// re-stamps it at every poll of GitHub: a check is not a change) nor `updated_at` (kept
/// beside the version).
fn pull_request_values(p: &PullRequestRecord) -> String {
    serde_json::json!({
        "repository": p.repository,
        "number": p.number,
        "url": p.url,
        "state": p.state,
        "merged_at": instant(&p.merged_at),
        "created_at": instant(&p.created_at),
    })
    .to_string()
}

/// An assignment's values whose changes a snapshot keeps (who holds the report, since when,
/// and its PR), as JSON.
fn assignment_values(a: &AssignmentRecord) -> String {
    serde_json::json!({
        "actor_kind": a.actor_kind,
        "actor_user_id": a.actor_user_id,
        "actor_task_id": a.actor_task_id,
        "actor_agent": a.actor_agent,
        "claimed_at": instant(&a.claimed_at),
        "pr_url": a.pr_url,
        "repository": a.repository,
        "pr_number": a.pr_number,
        "pr_state": a.pr_state,
        "pr_merged": a.pr_merged.unwrap_or_default(),
        "created_at": instant(&a.created_at),
    })
    .to_string()
}
