//! Sources: PostHog's PostgreSQL, a SQLite archive with the same tables, or the embedded demo.
//! One API over all three: list the teams, list a team's reports, read one report's rows at a
//! time. Everything runs in one read-only transaction, so a build sees one consistent state.

mod demo;
pub mod generate;
pub mod git;
mod query;
pub mod schema;
pub mod seed;

use std::path::Path;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use crate::model::record::{
    ArtefactRecord, AssignmentRecord, LinkRecord, PullRequestRecord, ReportRecord, ReportRows,
    RunRecord, SeenRecord, TaskRecord, UserRecord, VersionRecord,
};
use schema::{Dialect, Schema};

/// The SQLite archive format (PostHog's table and column names, SQLite types).
pub const ARCHIVE_SCHEMA: &str = include_str!("archive_schema.sql");

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "{0:?} is not a database URL: expected postgres://USER@HOST/DB, postgresql://…, sqlite:PATH or the path of a SQLite archive"
    )]
    BadUrl(String),
    #[error("no SQLite archive at {0}")]
    NoArchive(String),
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("table {0} not found: this database does not hold PostHog Signals reports")]
    MissingTable(String),
    #[error("unknown team {missing}: the database holds reports of team {available}")]
    UnknownTeam { missing: String, available: String },
    #[error(
        "the database holds reports of several teams ({0}): choose with --team ID (repeatable)"
    )]
    SeveralTeams(String),
    #[error("{context}: {message}")]
    Query { context: String, message: String },
    #[error("fixture: {0}")]
    Fixture(String),
}

impl SourceError {
    /// `map_err` helper: a database error met while doing `context`.
    pub fn query(context: &str) -> impl Fn(sqlx::Error) -> SourceError + '_ {
        move |err| SourceError::Query {
            context: context.to_string(),
            message: one_line(&err.to_string()),
        }
    }

    /// A usage problem (exit code 2) rather than a failure.
    pub fn is_usage(&self) -> bool {
        matches!(self, SourceError::SeveralTeams(_))
    }
}

pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which reports to read.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Requested with `--team`; empty means "the only team there is".
    pub teams: Vec<i64>,
    pub include_deleted: bool,
}

pub struct Source {
    conn: AnyConnection,
    schema: Schema,
    /// Where the rows come from, for messages (`demo`, a redacted URL, a path).
    pub label: String,
}

impl Source {
    /// Opens `url` (PostgreSQL URL, `sqlite:PATH` or a path to a SQLite archive) read-only.
    pub async fn open(url: &str) -> Result<Source, SourceError> {
        sqlx::any::install_default_drivers();
        let url = url.trim();
        let (dialect, connect_url, label) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                (Dialect::Postgres, url.to_string(), redact(url))
            } else {
                let path = url
                    .strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url);
                let path = path.split('?').next().unwrap_or(path);
                let is_sqlite_url = url.starts_with("sqlite:");
                if !Path::new(path).is_file() {
                    return Err(if is_sqlite_url || looks_like_path(url) {
                        SourceError::NoArchive(path.to_string())
                    } else {
                        SourceError::BadUrl(url.to_string())
                    });
                }
                (
                    Dialect::Sqlite,
                    format!("sqlite://{}?mode=ro", encode_path(path)),
                    path.to_string(),
                )
            };
        let conn =
            AnyConnection::connect(&connect_url)
                .await
                .map_err(|err| SourceError::Connect {
                    url: label.clone(),
                    message: one_line(&err.to_string()),
                })?;
        Source::start(conn, dialect, label).await
    }

    /// The embedded demo archive: an in-memory SQLite seeded from `fixtures/demo.toml`.
    pub async fn demo() -> Result<Source, SourceError> {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:")
            .await
            .map_err(|err| SourceError::Connect {
                url: "the in-memory demo database".into(),
                message: one_line(&err.to_string()),
            })?;
        demo::populate(&mut conn).await?;
        Source::start(conn, Dialect::Sqlite, "the embedded demo archive".into()).await
    }

    async fn start(
        mut conn: AnyConnection,
        dialect: Dialect,
        label: String,
    ) -> Result<Source, SourceError> {
        let begin = match dialect {
            Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            Dialect::Sqlite => "BEGIN",
        };
        sqlx::raw_sql(begin)
            .execute(&mut conn)
            .await
            .map_err(SourceError::query("starting a read-only transaction"))?;
        let schema = Schema::introspect(&mut conn, dialect).await?;
        Ok(Source {
            conn,
            schema,
            label,
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The teams that own reports, ascending.
    pub async fn teams(&mut self) -> Result<Vec<i64>, SourceError> {
        let sql = query::teams(&self.schema);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut self.conn)
            .await
            .map_err(SourceError::query("listing teams"))?;
        rows.iter()
            .map(|row| Ok(int(row, "team_id")?.unwrap_or_default()))
            .collect()
    }

    /// The teams to read: the requested ones (each must exist), or the only one there is.
    pub async fn resolve_teams(&mut self, requested: &[i64]) -> Result<Vec<i64>, SourceError> {
        let present = self.teams().await?;
        let list = |teams: &[i64]| {
            teams
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if requested.is_empty() {
            if present.len() > 1 {
                return Err(SourceError::SeveralTeams(list(&present)));
            }
            return Ok(present);
        }
        let known = self.known_teams().await?;
        let missing: Vec<i64> = requested
            .iter()
            .copied()
            .filter(|t| !present.contains(t) && !known.contains(t))
            .collect();
        if !missing.is_empty() {
            let available = if present.is_empty() {
                "none (no reports at all)".to_string()
            } else {
                list(&present)
            };
            return Err(SourceError::UnknownTeam {
                missing: list(&missing),
                available,
            });
        }
        let mut teams = requested.to_vec();
        teams.sort_unstable();
        teams.dedup();
        Ok(teams)
    }

    /// Team ids of `posthog_team`, when the database has that table.
    async fn known_teams(&mut self) -> Result<Vec<i64>, SourceError> {
        let Some(sql) = query::known_teams(&self.schema) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut self.conn)
            .await
            .map_err(SourceError::query("listing teams"))?;
        rows.iter()
            .map(|row| Ok(int(row, "id")?.unwrap_or_default()))
            .collect()
    }

    /// Every `posthog_user` row, whatever its team, by id (empty without that table): the
    /// people `--redact people` hides.
    pub async fn people(&mut self) -> Result<Vec<UserRecord>, SourceError> {
        let Some(sql) = query::people(&self.schema) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut self.conn)
            .await
            .map_err(SourceError::query("listing people"))?;
        rows.iter().map(user_record).collect()
    }

    /// The report rows of `teams`, ordered by id (deleted ones only when asked).
    pub async fn reports(
        &mut self,
        teams: &[i64],
        include_deleted: bool,
    ) -> Result<Vec<ReportRecord>, SourceError> {
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        let sql = query::reports(&self.schema, teams.len(), include_deleted);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for team in teams {
            q = q.bind(*team);
        }
        let rows = q
            .fetch_all(&mut self.conn)
            .await
            .map_err(SourceError::query("reading reports"))?;
        rows.iter().map(report_record).collect()
    }

    /// One report's row by id, whatever its team or status; `None` when there is none.
    pub async fn report(&mut self, id: uuid::Uuid) -> Result<Option<ReportRecord>, SourceError> {
        let sql = query::report(&self.schema);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_all(&mut self.conn)
            .await
            .map_err(SourceError::query("reading the report"))?;
        rows.first().map(report_record).transpose()
    }

    /// Everything one report needs: its artefacts (with their authors), its legacy task links,
    /// and the tasks and runs those mention.
    pub async fn report_rows(&mut self, report: ReportRecord) -> Result<ReportRows, SourceError> {
        let context = format!("reading report {}", report.id);
        let err = |e: sqlx::Error| SourceError::query(&context)(e);

        let sql = query::artefacts(&self.schema);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(report.id.clone())
            .bind(report.team_id)
            .fetch_all(&mut self.conn)
            .await
            .map_err(err)?;
        let artefacts = rows
            .iter()
            .map(artefact_record)
            .collect::<Result<Vec<_>, _>>()?;

        let links = match query::links(&self.schema) {
            Some(sql) => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(report.id.clone())
                    .bind(report.team_id)
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(err)?;
                rows.iter()
                    .map(link_record)
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => Vec::new(),
        };

        let assignments = match query::assignments(&self.schema) {
            Some(sql) => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(report.id.clone())
                    .bind(report.team_id)
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(err)?;
                rows.iter()
                    .map(assignment_record)
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => Vec::new(),
        };

        let pr_ids = crate::model::referenced_pull_request_ids(&artefacts);
        let mut pull_requests = Vec::new();
        if !pr_ids.is_empty()
            && let Some(sql) = query::pull_requests(&self.schema, pr_ids.len())
        {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &pr_ids {
                q = q.bind(id.to_string());
            }
            let rows = q
                .bind(report.team_id)
                .fetch_all(&mut self.conn)
                .await
                .map_err(err)?;
            pull_requests = rows
                .iter()
                .map(pull_request_record)
                .collect::<Result<Vec<_>, _>>()?;
        }

        let uuids = crate::model::referenced_user_uuids(&artefacts);
        let mut people = Vec::new();
        if !uuids.is_empty()
            && let Some(sql) = query::people_by_uuid(&self.schema, uuids.len())
        {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &uuids {
                q = q.bind(id.to_string());
            }
            let rows = q.fetch_all(&mut self.conn).await.map_err(err)?;
            people = rows
                .iter()
                .map(user_record)
                .collect::<Result<Vec<_>, _>>()?;
        }

        let ids: Vec<String> = crate::model::referenced_task_ids(
            &artefacts,
            links.iter().map(|l| l.task_id.as_str()).chain(
                assignments
                    .iter()
                    .filter_map(|a| a.actor_task_id.as_deref()),
            ),
        )
        .into_iter()
        .map(|id| id.to_string())
        .collect();
        let mut tasks = Vec::new();
        let mut runs = Vec::new();
        if !ids.is_empty() {
            if let Some(sql) = query::tasks(&self.schema, ids.len()) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in &ids {
                    q = q.bind(id.clone());
                }
                let rows = q
                    .bind(report.team_id)
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(err)?;
                tasks = rows
                    .iter()
                    .map(task_record)
                    .collect::<Result<Vec<_>, _>>()?;
            }
            if let Some(sql) = query::runs(&self.schema, ids.len()) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in &ids {
                    q = q.bind(id.clone());
                }
                let rows = q
                    .bind(report.team_id)
                    .fetch_all(&mut self.conn)
                    .await
                    .map_err(err)?;
                runs = rows.iter().map(run_record).collect::<Result<Vec<_>, _>>()?;
            }
        }
        let mut seen = Vec::new();
        if let Some(sql) = query::seen(&self.schema) {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(report.id.clone())
                .fetch_all(&mut self.conn)
                .await
                .map_err(err)?;
            seen = rows.iter().map(seen_record).collect::<Result<_, _>>()?;
        }
        let mut versions = Vec::new();
        if let Some(sql) = query::versions(&self.schema) {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(report.id.clone())
                .fetch_all(&mut self.conn)
                .await
                .map_err(err)?;
            versions = rows.iter().map(version_record).collect::<Result<_, _>>()?;
        }
        Ok(ReportRows {
            report,
            artefacts,
            tasks,
            runs,
            links,
            pull_requests,
            assignments,
            people,
            seen,
            versions,
        })
    }
}

fn looks_like_path(url: &str) -> bool {
    !url.contains("://")
        && (url.contains('/')
            || [".sqlite", ".sqlite3", ".db"]
                .iter()
                .any(|ext| url.ends_with(ext)))
}

/// SQLite URLs are percent-decoded by sqlx: keep paths with `%`, `?`, `#` or spaces intact.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => url.to_string(),
    }
}

fn text(row: &AnyRow, name: &str) -> Result<Option<String>, SourceError> {
    row.try_get::<Option<String>, _>(name)
        .map_err(SourceError::query("decoding a row"))
}

fn int(row: &AnyRow, name: &str) -> Result<Option<i64>, SourceError> {
    row.try_get::<Option<i64>, _>(name)
        .map_err(SourceError::query("decoding a row"))
}

fn user_record(row: &AnyRow) -> Result<UserRecord, SourceError> {
    Ok(UserRecord {
        id: int(row, "id")?.unwrap_or_default(),
        uuid: text(row, "uuid")?,
        email: text(row, "email")?,
        first_name: text(row, "first_name")?,
        last_name: text(row, "last_name")?,
    })
}

/// The user joined to a row under `user_*` names, when the join found one.
fn joined_user(row: &AnyRow) -> Result<Option<UserRecord>, SourceError> {
    Ok(match int(row, "user_id")? {
        Some(id) => Some(UserRecord {
            id,
            uuid: text(row, "user_uuid")?,
            email: text(row, "user_email")?,
            first_name: text(row, "user_first_name")?,
            last_name: text(row, "user_last_name")?,
        }),
        None => None,
    })
}

fn pull_request_record(row: &AnyRow) -> Result<PullRequestRecord, SourceError> {
    Ok(PullRequestRecord {
        id: text(row, "id")?.unwrap_or_default(),
        repository: text(row, "repository")?,
        number: int(row, "number")?,
        url: text(row, "url")?,
        state: text(row, "state")?,
        checked_at: text(row, "checked_at")?,
        merged_at: text(row, "merged_at")?,
        created_at: text(row, "created_at")?,
        updated_at: text(row, "updated_at")?,
    })
}

fn assignment_record(row: &AnyRow) -> Result<AssignmentRecord, SourceError> {
    Ok(AssignmentRecord {
        id: text(row, "id")?.unwrap_or_default(),
        actor_kind: text(row, "actor_kind")?,
        actor_user_id: int(row, "actor_user_id")?,
        actor_user: joined_user(row)?,
        actor_task_id: text(row, "actor_task_id")?,
        actor_agent: text(row, "actor_agent")?,
        claimed_at: text(row, "claimed_at")?,
        pr_url: text(row, "pr_url")?,
        repository: text(row, "repository")?,
        pr_number: int(row, "pr_number")?,
        pr_state: text(row, "pr_state")?,
        pr_merged: int(row, "pr_merged")?.map(|v| v != 0),
        created_at: text(row, "created_at")?,
        updated_at: text(row, "updated_at")?,
    })
}

fn report_record(row: &AnyRow) -> Result<ReportRecord, SourceError> {
    Ok(ReportRecord {
        id: text(row, "id")?.unwrap_or_default(),
        team_id: int(row, "team_id")?.unwrap_or_default(),
        status: text(row, "status")?.unwrap_or_else(|| "potential".into()),
        title: text(row, "title")?,
        summary: text(row, "summary")?,
        error: text(row, "error")?,
        signal_count: int(row, "signal_count")?,
        created_at: text(row, "created_at")?,
        updated_at: text(row, "updated_at")?,
        run_count: int(row, "run_count")?,
        corroboration_count: int(row, "corroboration_count")?,
        content_revision_count: int(row, "content_revision_count")?,
        implemented_at_run_count: int(row, "implemented_at_run_count")?,
        implemented_at_revision_count: int(row, "implemented_at_revision_count")?,
    })
}

fn artefact_record(row: &AnyRow) -> Result<ArtefactRecord, SourceError> {
    let created_by_id = int(row, "created_by_id")?;
    let created_by = joined_user(row)?;
    Ok(ArtefactRecord {
        id: text(row, "id")?.unwrap_or_default(),
        kind: text(row, "type")?.unwrap_or_default(),
        content: text(row, "content")?,
        created_at: text(row, "created_at")?,
        updated_at: text(row, "updated_at")?,
        created_by_id,
        created_by,
        task_id: text(row, "task_id")?,
        channel_id: text(row, "channel_id")?,
        actor_kind: text(row, "actor_kind")?,
        actor_agent: text(row, "actor_agent")?,
        claim_id: text(row, "claim_id")?,
        pull_request_id: text(row, "pull_request_id")?,
    })
}

fn link_record(row: &AnyRow) -> Result<LinkRecord, SourceError> {
    Ok(LinkRecord {
        id: text(row, "id")?.unwrap_or_default(),
        task_id: text(row, "task_id")?.unwrap_or_default(),
        relationship: text(row, "relationship")?,
        created_at: text(row, "created_at")?,
    })
}

fn task_record(row: &AnyRow) -> Result<TaskRecord, SourceError> {
    Ok(TaskRecord {
        id: text(row, "id")?.unwrap_or_default(),
        title: text(row, "title")?,
        repository: text(row, "repository")?,
        origin_product: text(row, "origin_product")?,
        created_at: text(row, "created_at")?,
    })
}

fn seen_record(row: &AnyRow) -> Result<SeenRecord, SourceError> {
    Ok(SeenRecord {
        kind: text(row, "kind")?.unwrap_or_default(),
        id: text(row, "id")?.unwrap_or_default(),
        first_seen: text(row, "first_seen")?,
        since: text(row, "since")?,
        last_seen: text(row, "last_seen")?,
        gone_at: text(row, "gone_at")?,
    })
}

fn version_record(row: &AnyRow) -> Result<VersionRecord, SourceError> {
    Ok(VersionRecord {
        kind: text(row, "kind")?.unwrap_or_default(),
        id: text(row, "id")?.unwrap_or_default(),
        version: int(row, "version")?.unwrap_or_default(),
        content: text(row, "content")?,
        updated_at: text(row, "updated_at")?,
        first_seen: text(row, "first_seen")?,
        last_seen: text(row, "last_seen")?,
    })
}

fn run_record(row: &AnyRow) -> Result<RunRecord, SourceError> {
    Ok(RunRecord {
        id: text(row, "id")?.unwrap_or_default(),
        task_id: text(row, "task_id")?.unwrap_or_default(),
        status: text(row, "status")?,
        stage: text(row, "stage")?,
        branch: text(row, "branch")?,
        output: text(row, "output")?,
        error_message: text(row, "error_message")?,
        created_at: text(row, "created_at")?,
        completed_at: text(row, "completed_at")?,
    })
}
