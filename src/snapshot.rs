//! `reportpress snapshot`: copy teams' reports from a database (PostHog's PostgreSQL, or another
//! archive) into a SQLite archive that keeps what PostHog does not — every version of an edited
//! row, and rows deleted upstream.
//!
//! The source is read in its one read-only transaction ([`Source`]). The archive is never
//! modified in place: the previous archive is copied beside it, the copy is updated in one
//! transaction and renamed over the archive only once committed, so a snapshot killed at any
//! point leaves the previous archive exactly as it was.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection, Row};

use crate::model::record::{ArtefactRecord, LinkRecord, ReportRecord, ReportRows};
use crate::source::{ARCHIVE_SCHEMA, Source, SourceError, encode_path, one_line};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("--to must name the SQLite archive to write")]
    EmptyPath,
    #[error("{0} is a directory: --to takes the path of a SQLite archive")]
    IsDirectory(String),
    #[error("cannot write {path}: the folder {dir} does not exist")]
    NoFolder { path: String, dir: String },
    #[error("{0} is not a reportpress SQLite archive: it has no signals_signalreport table")]
    NotAnArchive(String),
    #[error("writing {path}: {message}")]
    Write { path: String, message: String },
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
    /// Rows whose content (an artefact) or title, status or summary (a report) changed
    /// upstream since the last snapshot: their earlier version is kept.
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
    let shown = to.display().to_string();
    if to.as_os_str().is_empty() {
        return Err(SnapshotError::EmptyPath);
    }
    if to.is_dir() {
        return Err(SnapshotError::IsDirectory(shown));
    }
    let name = to
        .file_name()
        .ok_or(SnapshotError::EmptyPath)?
        .to_string_lossy()
        .into_owned();
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(SnapshotError::NoFolder {
            path: shown,
            dir: dir.display().to_string(),
        });
    }
    let teams = source.resolve_teams(&options.teams).await?;
    // Our own work file: a leftover of a killed snapshot is replaced.
    let work = dir.join(format!(".{name}.reportpress-snapshot"));
    let write_err = |e: std::io::Error| SnapshotError::Write {
        path: shown.clone(),
        message: e.to_string(),
    };
    remove_work_files(&work);
    if to.exists() {
        std::fs::copy(to, &work).map_err(write_err)?;
    }
    let result = update(source, &work, &shown, to.exists(), &teams).await;
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

fn db_err(path: &str) -> impl Fn(sqlx::Error) -> SnapshotError + '_ {
    move |err| SnapshotError::Write {
        path: path.to_string(),
        message: one_line(&err.to_string()),
    }
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
    shown: &str,
    existed: bool,
    teams: &[i64],
) -> Result<SnapshotSummary, SnapshotError> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", encode_path(&work.to_string_lossy()));
    let err = db_err(shown);
    let mut conn = AnyConnection::connect(&url).await.map_err(&err)?;
    if existed {
        let has_reports = sqlx::query(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'signals_signalreport'",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|_| SnapshotError::NotAnArchive(shown.to_string()))?
        .try_get::<i64, _>("n")
        .map_err(&err)?;
        if has_reports == 0 {
            return Err(SnapshotError::NotAnArchive(shown.to_string()));
        }
    }
    sqlx::raw_sql(ARCHIVE_SCHEMA)
        .execute(&mut conn)
        .await
        .map_err(&err)?;
    let mut tx = conn.begin().await.map_err(&err)?;
    let mut writer = Writer {
        tx: &mut tx,
        err: &err,
        now: now(),
        summary: SnapshotSummary::default(),
        copied: Copied::default(),
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

struct Writer<'t, 'c, E> {
    tx: &'t mut sqlx::Transaction<'c, sqlx::Any>,
    err: &'t E,
    now: String,
    summary: SnapshotSummary,
    copied: Copied,
}

/// Users, tasks and runs already copied by this snapshot: many reports share them, and the
/// source's one transaction gives the same row every time, so each is written once.
#[derive(Default)]
struct Copied {
    users: HashSet<i64>,
    tasks: HashSet<String>,
    runs: HashSet<String>,
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
            ..
        } = rows;
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
        for artefact in &artefacts {
            self.summary.artefacts += 1;
            if let Some(user) = &artefact.created_by
                && self.copied.users.insert(user.id)
            {
                sqlx::query(
                    "INSERT INTO posthog_user (id, uuid, email, first_name, last_name) VALUES (?, ?, ?, ?, ?) \
                     ON CONFLICT (id) DO UPDATE SET uuid = excluded.uuid, email = excluded.email, \
                     first_name = excluded.first_name, last_name = excluded.last_name",
                )
                .bind(user.id)
                .bind(user.uuid.clone().unwrap_or_else(|| format!("unknown-{}", user.id)))
                .bind(user.email.clone().unwrap_or_default())
                .bind(user.first_name.clone().unwrap_or_default())
                .bind(user.last_name.clone().unwrap_or_default())
                .execute(&mut **self.tx)
                .await
                .map_err(self.err)?;
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
        for link in &links {
            self.upsert_link(link, team, &report_id).await?;
            self.seen("link", &link.id, team, &report_id, false).await?;
        }
        Ok(())
    }

    async fn held_report(&mut self, id: &str) -> Result<Option<Held>, SnapshotError> {
        let row = sqlx::query(
            "SELECT title, status, summary, updated_at FROM signals_signalreport WHERE id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let Some(row) = row else { return Ok(None) };
        let get = |name: &str| row.try_get::<Option<String>, _>(name).ok().flatten();
        let record = ReportRecord {
            title: get("title"),
            status: get("status").unwrap_or_default(),
            summary: get("summary"),
            ..ReportRecord::default()
        };
        Ok(Some(Held {
            values: report_values(&record),
            updated_at: get("updated_at"),
        }))
    }

    async fn held_artefacts(
        &mut self,
        report_id: &str,
    ) -> Result<BTreeMap<String, Held>, SnapshotError> {
        let rows = sqlx::query(
            "SELECT id, content, updated_at FROM signals_signalreportartefact WHERE report_id = ?",
        )
        .bind(report_id.to_string())
        .fetch_all(&mut **self.tx)
        .await
        .map_err(self.err)?;
        let mut held = BTreeMap::new();
        for row in rows {
            let get = |name: &str| row.try_get::<Option<String>, _>(name).ok().flatten();
            held.insert(
                get("id").unwrap_or_default(),
                Held {
                    values: get("content").unwrap_or_default(),
                    updated_at: get("updated_at"),
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
        Ok(true)
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
        sqlx::query(
            "INSERT INTO signals_signalreport (id, team_id, status, title, summary, error, signal_count, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, \
             status = excluded.status, title = excluded.title, summary = excluded.summary, \
             error = excluded.error, signal_count = excluded.signal_count, \
             created_at = excluded.created_at, updated_at = excluded.updated_at",
        )
        .bind(r.id.clone())
        .bind(r.team_id)
        .bind(r.status.clone())
        .bind(r.title.clone())
        .bind(r.summary.clone())
        .bind(r.error.clone())
        .bind(r.signal_count.unwrap_or_default())
        .bind(r.created_at.clone().unwrap_or_default())
        .bind(r.updated_at.clone())
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
        sqlx::query(
            "INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, created_at, \
             updated_at, created_by_id, task_id, channel_id, actor_kind, actor_agent) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET \
             team_id = excluded.team_id, report_id = excluded.report_id, type = excluded.type, \
             content = excluded.content, created_at = excluded.created_at, \
             updated_at = excluded.updated_at, created_by_id = excluded.created_by_id, \
             task_id = excluded.task_id, channel_id = excluded.channel_id, \
             actor_kind = excluded.actor_kind, actor_agent = excluded.actor_agent",
        )
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

    /// Rows of these teams that an earlier snapshot saw and this one did not: deleted upstream.
    async fn sweep(&mut self, teams: &[i64]) -> Result<(), SnapshotError> {
        for team in teams {
            let done = sqlx::query(
                "UPDATE reportpress_row SET gone_at = ?1 \
                 WHERE team_id = ?2 AND last_seen < ?1 AND gone_at IS NULL",
            )
            .bind(self.now.clone())
            .bind(*team)
            .execute(&mut **self.tx)
            .await
            .map_err(self.err)?;
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
