//! Sources: PostHog's PostgreSQL, a SQLite archive with the same tables, or the embedded demo.
//! One API over all three: list the teams, list a team's reports, read one report's rows at a
//! time. Everything runs in one read-only transaction, so a build sees one consistent state.

mod demo;
pub mod git;
mod query;
pub mod schema;
pub mod seed;
mod signatures;
mod sqlite_sha256;

use std::collections::HashMap;
use std::path::Path;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use crate::model::record::{
    ArtefactRecord, AssignmentRecord, LinkRecord, PullRequestRecord, ReportRecord, ReportRows,
    RunRecord, SeenRecord, TaskRecord, UserRecord, VersionRecord,
};
use schema::{Dialect, Schema};
use signatures::Found;
pub use signatures::Signatures;

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
    /// The server could not be reached or refused the connection: the driver's error kept as
    /// the cause, said on one line without its details ([`describe`]) when printed.
    #[error("cannot connect to {url}: {}", describe(source))]
    Unreachable {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// SQLite says the file is not a database (SQLITE_NOTADB): another kind of file, or an
    /// encrypted database.
    #[error("{path}: not a SQLite database (or is encrypted)")]
    NotSqlite {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("table {0} not found: this database does not hold PostHog Signals reports")]
    MissingTable(String),
    /// A table, column or schema the database has but the role may not read: never read as
    /// absent (that would render authors as `user #1`, and a snapshot would record edits and
    /// deletions that never happened).
    #[error("cannot read {what}: permission denied; {fix}")]
    Permission {
        /// `table`, `table.column` or `schema NAME`, comma-separated.
        what: String,
        /// The statement that grants it.
        fix: String,
        #[source]
        source: Option<sqlx::Error>,
    },
    #[error("unknown team {missing}: the database holds reports of team {available}")]
    UnknownTeam { missing: String, available: String },
    #[error(
        "the database holds reports of several teams ({0}): choose with --team ID (repeatable)"
    )]
    SeveralTeams(String),
    /// A failure described in words only.
    #[error("{context}: {message}")]
    Query { context: String, message: String },
    /// A database error, kept as the cause; said, when printed, in one line of the database's
    /// own words ([`describe`]: none of the driver's details, such as the server's source line).
    #[error("{context}: {}", describe(source))]
    Database {
        context: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("fixture: {0}")]
    Fixture(String),
}

/// Who a `GRANT` is for when the role is not known.
pub(crate) const UNKNOWN_ROLE: &str = "<the role reportpress connects as>";

impl SourceError {
    /// `map_err` helper: a database error met while doing `context`.
    pub fn query(context: &str) -> impl Fn(sqlx::Error) -> SourceError + '_ {
        move |err| SourceError::database(context, err, None)
    }

    /// A database error met while doing `context`, as `role` (for the `GRANT` that fixes a
    /// permission error, SQLSTATE 42501: the same error as the one introspection raises).
    pub fn database(context: &str, err: sqlx::Error, role: Option<&str>) -> SourceError {
        if let sqlx::Error::Database(db) = &err
            && db.code().as_deref() == Some("42501")
        {
            let role = role.unwrap_or(UNKNOWN_ROLE);
            let message = one_line(db.message());
            // PostgreSQL says `permission denied for table NAME` (or schema, view, …).
            let (what, fix) = match message
                .strip_prefix("permission denied for ")
                .and_then(|rest| rest.rsplit_once(' '))
            {
                Some(("schema", name)) => (
                    format!("schema {name}"),
                    format!("GRANT USAGE ON SCHEMA {name} TO {role}"),
                ),
                Some((_, name)) => (
                    name.to_string(),
                    format!("GRANT SELECT ON {name} TO {role}"),
                ),
                None => (
                    format!("{context} ({message})"),
                    format!(
                        "GRANT SELECT ON the tables the README lists (\"Pointing it at PostHog\") TO {role}"
                    ),
                ),
            };
            return SourceError::Permission {
                what,
                fix,
                source: Some(err),
            };
        }
        SourceError::Database {
            context: context.to_string(),
            source: err,
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

/// A database error in one line of the database's own words: PostgreSQL's message without
/// the driver's ` at line 3319` (the line of the server's source that raised it).
pub(crate) fn describe(err: &sqlx::Error) -> String {
    match err {
        _ if is_not_a_database(err) => "not a SQLite database (or is encrypted)".into(),
        sqlx::Error::Database(db) => one_line(db.message()),
        // `Connection refused (os error 111)`, without sqlx's "error communicating with
        // database" before it.
        sqlx::Error::Io(io) => one_line(&io.to_string()),
        other => one_line(&other.to_string()),
    }
}

/// A connection that failed: [`SourceError::NotSqlite`] when SQLite says the file is not a
/// database, [`SourceError::Unreachable`] otherwise.
fn not_sqlite(label: &str, source: sqlx::Error) -> SourceError {
    if is_not_a_database(&source) {
        SourceError::NotSqlite {
            path: label.to_string(),
            source,
        }
    } else {
        SourceError::Unreachable {
            url: label.to_string(),
            source,
        }
    }
}

/// SQLite's SQLITE_NOTADB (26): the file is not a database, or is encrypted.
pub(crate) fn is_not_a_database(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.code().as_deref() == Some("26"))
}

pub struct Source {
    conn: AnyConnection,
    schema: Schema,
    /// Where the rows come from, for messages (`demo`, a redacted URL, a path).
    pub label: String,
    /// Notices met reading report rows ([`Source::reports`], [`Source::report`]), by report
    /// id, until [`Source::report_rows`] reads the rest of the report.
    pending: HashMap<String, Vec<String>>,
    /// The notices of the last [`Source::report_rows`]: cells that held bytes that are not
    /// UTF-8, each naming its table, column and row.
    notices: Vec<String>,
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
                    sqlite_url(Path::new(path), "ro").map_err(|err| SourceError::Connect {
                        url: path.to_string(),
                        message: err.to_string(),
                    })?,
                    path.to_string(),
                )
            };
        if dialect == Dialect::Sqlite {
            sqlite_functions(&label)?;
        }
        let conn = AnyConnection::connect(&connect_url)
            .await
            .map_err(|source| not_sqlite(&label, source))?;
        Source::start(conn, dialect, label.clone())
            .await
            .map_err(|err| match err {
                SourceError::Database { source, .. } if is_not_a_database(&source) => {
                    not_sqlite(&label, source)
                }
                err => err,
            })
    }

    /// The embedded demo archive: an in-memory SQLite seeded from `fixtures/demo.toml`.
    pub async fn demo() -> Result<Source, SourceError> {
        sqlx::any::install_default_drivers();
        sqlite_functions("the in-memory demo database")?;
        let mut conn = AnyConnection::connect("sqlite::memory:")
            .await
            .map_err(|source| not_sqlite("the in-memory demo database", source))?;
        demo::populate(&mut conn).await?;
        Source::start(conn, Dialect::Sqlite, "the embedded demo archive".into()).await
    }

    /// Every SQLite connection must be opened after [`sqlite_functions`]: its queries call them.
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
            pending: HashMap::new(),
            notices: Vec::new(),
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// What the last [`Source::report_rows`] met that the report's readers should be told:
    /// each cell that held bytes that are not UTF-8 (shown as U+FFFD), by table, column and
    /// row id.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Runs `query`; a database error is met while doing `context` (a permission error names
    /// the `GRANT` for this role).
    async fn fetch(
        &mut self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
        context: &str,
    ) -> Result<Vec<AnyRow>, SourceError> {
        let role = self.schema.role().map(str::to_string);
        query
            .fetch_all(&mut self.conn)
            .await
            .map_err(|err| SourceError::database(context, err, role.as_deref()))
    }

    /// The teams that own reports, ascending.
    pub async fn teams(&mut self) -> Result<Vec<i64>, SourceError> {
        let sql = query::teams(&self.schema);
        let rows = self
            .fetch(sqlx::query(sqlx::AssertSqlSafe(sql)), "listing teams")
            .await?;
        rows.iter()
            .map(|row| Ok(Cells::new(row).int("team_id")?.unwrap_or_default()))
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
        let rows = self
            .fetch(sqlx::query(sqlx::AssertSqlSafe(sql)), "listing teams")
            .await?;
        rows.iter()
            .map(|row| Ok(Cells::new(row).int("id")?.unwrap_or_default()))
            .collect()
    }

    /// Every `posthog_user` row, whatever its team, by id (empty without that table): the
    /// people `--redact people` hides.
    pub async fn people(&mut self) -> Result<Vec<UserRecord>, SourceError> {
        let Some(sql) = query::people(&self.schema) else {
            return Ok(Vec::new());
        };
        let rows = self
            .fetch(sqlx::query(sqlx::AssertSqlSafe(sql)), "listing people")
            .await?;
        // A name that is not UTF-8 is told of on the reports that show it.
        let mut unused = Vec::new();
        rows.iter().map(|r| user_record(r, &mut unused)).collect()
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
        let rows = self.fetch(q, "reading reports").await?;
        rows.iter().map(|row| self.report_record(row)).collect()
    }

    /// What changed, without reading any report's rows: a signature for each report of `teams`
    /// (as [`Source::reports`] lists them) over its own rows, and one for each row a report may
    /// draw on by reference (tasks, their runs, pull requests, people), from one query. `None`
    /// where the signatures cannot be trusted to change whenever a page would (see
    /// [`query::signatures_trusted`]): a caller then reads every report.
    pub async fn signatures(
        &mut self,
        teams: &[i64],
        include_deleted: bool,
    ) -> Result<Option<Signatures>, SourceError> {
        if !query::signatures_trusted(&self.schema) {
            return Ok(None);
        }
        if teams.is_empty() {
            return Ok(Some(Signatures::default()));
        }
        let sql = query::signatures(&self.schema, teams.len(), include_deleted);
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for team in teams {
            q = q.bind(*team);
        }
        let mut found = Found::default();
        for row in self.fetch(q, "reading what changed").await? {
            let mut c = Cells::new(&row);
            match self.schema.dialect {
                // A few rows, each packing many (see `query::signatures`).
                Dialect::Sqlite => found.add_packed(&c.text("packed")?.unwrap_or_default()),
                Dialect::Postgres => {
                    let (Some(kind), Some(key)) = (c.text("kind")?, c.text("key")?) else {
                        continue;
                    };
                    found.add(&kind, key, c.text("sig")?.unwrap_or_default());
                }
            }
        }
        Ok(Some(found.signatures()))
    }

    /// One report's row by id, whatever its team or status; `None` when there is none.
    pub async fn report(&mut self, id: uuid::Uuid) -> Result<Option<ReportRecord>, SourceError> {
        let sql = query::report(&self.schema);
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.to_string());
        let rows = self.fetch(q, "reading the report").await?;
        rows.first().map(|row| self.report_record(row)).transpose()
    }

    /// A report row; what its cells held that is not UTF-8 waits in `pending` for the rest of
    /// the report.
    fn report_record(&mut self, row: &AnyRow) -> Result<ReportRecord, SourceError> {
        let mut notices = Vec::new();
        let record = report_record(row, &mut notices)?;
        if !notices.is_empty() {
            self.pending
                .entry(record.id.clone())
                .or_default()
                .extend(notices);
        }
        Ok(record)
    }

    /// Everything one report needs: its artefacts (with their authors), its legacy task links,
    /// and the tasks and runs those mention. What its cells held that is not UTF-8 is shown as
    /// U+FFFD and told of in [`Source::notices`].
    pub async fn report_rows(&mut self, report: ReportRecord) -> Result<ReportRows, SourceError> {
        let context = format!("reading report {}", report.id);
        let context = context.as_str();
        let mut notices = self.pending.remove(&report.id).unwrap_or_default();
        let n = &mut notices;

        let sql = query::artefacts(&self.schema);
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(report.id.clone())
            .bind(report.team_id);
        let rows = self.fetch(q, context).await?;
        let artefacts = rows
            .iter()
            .map(|r| artefact_record(r, n))
            .collect::<Result<Vec<_>, _>>()?;

        let links = match query::links(&self.schema) {
            Some(sql) => {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(report.id.clone())
                    .bind(report.team_id);
                let rows = self.fetch(q, context).await?;
                rows.iter()
                    .map(|r| link_record(r, n))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => Vec::new(),
        };

        let assignments = match query::assignments(&self.schema) {
            Some(sql) => {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(report.id.clone())
                    .bind(report.team_id);
                let rows = self.fetch(q, context).await?;
                rows.iter()
                    .map(|r| assignment_record(r, n))
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
            let rows = self.fetch(q.bind(report.team_id), context).await?;
            pull_requests = rows
                .iter()
                .map(|r| pull_request_record(r, n))
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
            let rows = self.fetch(q, context).await?;
            people = rows
                .iter()
                .map(|r| user_record(r, n))
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
                let rows = self.fetch(q.bind(report.team_id), context).await?;
                tasks = rows
                    .iter()
                    .map(|r| task_record(r, n))
                    .collect::<Result<Vec<_>, _>>()?;
            }
            if let Some(sql) = query::runs(&self.schema, ids.len()) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in &ids {
                    q = q.bind(id.clone());
                }
                let rows = self.fetch(q.bind(report.team_id), context).await?;
                runs = rows
                    .iter()
                    .map(|r| run_record(r, n))
                    .collect::<Result<Vec<_>, _>>()?;
            }
        }
        let mut seen = Vec::new();
        if let Some(sql) = query::seen(&self.schema) {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(report.id.clone());
            let rows = self.fetch(q, context).await?;
            seen = rows
                .iter()
                .map(|r| seen_record(r, n))
                .collect::<Result<_, _>>()?;
        }
        let mut versions = Vec::new();
        if let Some(sql) = query::versions(&self.schema) {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(report.id.clone());
            let rows = self.fetch(q, context).await?;
            versions = rows
                .iter()
                .map(|r| version_record(r, n))
                .collect::<Result<_, _>>()?;
        }
        // One notice per cell, however many times the report shows it (an author of many
        // entries).
        let mut told = std::collections::HashSet::new();
        notices.retain(|notice| told.insert(notice.clone()));
        self.notices = notices;
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
            notices: self.notices.clone(),
        })
    }
}

/// Gives every SQLite connection opened from now on the functions the queries call
/// ([`sqlite_sha256`]).
fn sqlite_functions(label: &str) -> Result<(), SourceError> {
    sqlite_sha256::install().map_err(|code| SourceError::Connect {
        url: label.to_string(),
        message: format!(
            "SQLite refused the SQL function {} (error code {code})",
            sqlite_sha256::NAME
        ),
    })
}

fn looks_like_path(url: &str) -> bool {
    !url.contains("://")
        && (url.contains('/')
            || [".sqlite", ".sqlite3", ".db"]
                .iter()
                .any(|ext| url.ends_with(ext)))
}

/// The URL sqlx opens the SQLite file at `path` by, in `mode` (`ro`, `rwc`). A URL's path is
/// normalised (`dir/../file` would become `dir/file`, and a relative path's first folder a host),
/// so the path is first resolved as the operating system resolves it — absolute, `..` and links
/// followed — and then encoded: the file opened is the one the path names. A file that does not
/// exist yet is resolved through its folder.
pub(crate) fn sqlite_url(path: &Path, mode: &str) -> std::io::Result<String> {
    let resolved = match std::fs::canonicalize(path) {
        Ok(resolved) => resolved,
        Err(err) => {
            let name = path.file_name().ok_or(err)?;
            let folder = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            std::fs::canonicalize(folder)?.join(name)
        }
    };
    Ok(format!(
        "sqlite://{}?mode={mode}",
        encode_path(&resolved.to_string_lossy())
    ))
}

/// SQLite URLs are percent-decoded by sqlx: keep paths with `%`, `?`, `#` or spaces intact.
fn encode_path(path: &str) -> String {
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

/// One row's cells, decoded so that nothing a cell holds fails the read: text arrives as the
/// bytes the database holds where they may not be UTF-8 (SQLite, a `SQL_ASCII` PostgreSQL
/// database, a `bytea` column), and bytes that are not UTF-8 become U+FFFD, the column
/// remembered for a notice naming it.
struct Cells<'r> {
    row: &'r AnyRow,
    /// Columns (as selected) whose bytes were not UTF-8.
    invalid: Vec<&'static str>,
}

impl<'r> Cells<'r> {
    fn new(row: &'r AnyRow) -> Cells<'r> {
        Cells {
            row,
            invalid: Vec::new(),
        }
    }

    fn text(&mut self, name: &'static str) -> Result<Option<String>, SourceError> {
        let (text, valid) =
            lossy_text(self.row, name).map_err(SourceError::query("decoding a row"))?;
        if !valid {
            self.invalid.push(name);
        }
        Ok(text)
    }

    fn int(&self, name: &str) -> Result<Option<i64>, SourceError> {
        self.row
            .try_get::<Option<i64>, _>(name)
            .map_err(SourceError::query("decoding a row"))
    }

    /// A notice for each column that held bytes that are not UTF-8: a cell of `table`'s row
    /// `id`, or, for the joined `user_*` columns, of `posthog_user`'s row `user`.
    fn tell(&self, table: &str, id: &str, user: Option<i64>, notices: &mut Vec<String>) {
        for column in &self.invalid {
            let notice = match (column.strip_prefix("user_"), user) {
                (Some(column), Some(user)) => {
                    invalid_utf8(schema::USERS, column, &user.to_string())
                }
                _ => invalid_utf8(table, column, id),
            };
            notices.push(notice);
        }
    }
}

/// The notice for a cell that held bytes that are not UTF-8.
fn invalid_utf8(table: &str, column: &str, id: &str) -> String {
    format!("{table}.{column} of row {id} holds bytes that are not UTF-8, shown as U+FFFD")
}

/// A text cell, whether the database sent text or bytes, and whether its bytes were UTF-8
/// (those that are not become U+FFFD). Never fails on what the cell holds.
pub(crate) fn lossy_text(row: &AnyRow, name: &str) -> Result<(Option<String>, bool), sqlx::Error> {
    use sqlx::ValueRef;
    let raw = row.try_get_raw(name)?;
    if raw.is_null() {
        return Ok((None, true));
    }
    if raw.type_info().kind() != sqlx::any::AnyTypeInfoKind::Blob {
        return Ok((row.try_get::<Option<String>, _>(name)?, true));
    }
    let bytes: Vec<u8> = row.try_get(name)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => (Some(text), true),
        Err(err) => (
            Some(String::from_utf8_lossy(err.as_bytes()).into_owned()),
            false,
        ),
    })
}

fn user_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<UserRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = UserRecord {
        id: c.int("id")?.unwrap_or_default(),
        uuid: c.text("uuid")?,
        email: c.text("email")?,
        first_name: c.text("first_name")?,
        last_name: c.text("last_name")?,
    };
    c.tell(schema::USERS, &record.id.to_string(), None, notices);
    Ok(record)
}

/// The user joined to a row under `user_*` names, when the join found one.
fn joined_user(c: &mut Cells<'_>) -> Result<Option<UserRecord>, SourceError> {
    Ok(match c.int("user_id")? {
        Some(id) => Some(UserRecord {
            id,
            uuid: c.text("user_uuid")?,
            email: c.text("user_email")?,
            first_name: c.text("user_first_name")?,
            last_name: c.text("user_last_name")?,
        }),
        None => None,
    })
}

fn pull_request_record(
    row: &AnyRow,
    notices: &mut Vec<String>,
) -> Result<PullRequestRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = PullRequestRecord {
        id: c.text("id")?.unwrap_or_default(),
        repository: c.text("repository")?,
        number: c.int("number")?,
        url: c.text("url")?,
        state: c.text("state")?,
        checked_at: c.text("checked_at")?,
        merged_at: c.text("merged_at")?,
        created_at: c.text("created_at")?,
        updated_at: c.text("updated_at")?,
    };
    c.tell(schema::PULL_REQUESTS, &record.id, None, notices);
    Ok(record)
}

fn assignment_record(
    row: &AnyRow,
    notices: &mut Vec<String>,
) -> Result<AssignmentRecord, SourceError> {
    let mut c = Cells::new(row);
    let actor_user = joined_user(&mut c)?;
    let record = AssignmentRecord {
        id: c.text("id")?.unwrap_or_default(),
        actor_kind: c.text("actor_kind")?,
        actor_user_id: c.int("actor_user_id")?,
        actor_user,
        actor_task_id: c.text("actor_task_id")?,
        actor_agent: c.text("actor_agent")?,
        claimed_at: c.text("claimed_at")?,
        pr_url: c.text("pr_url")?,
        repository: c.text("repository")?,
        pr_number: c.int("pr_number")?,
        pr_state: c.text("pr_state")?,
        pr_merged: c.int("pr_merged")?.map(|v| v != 0),
        created_at: c.text("created_at")?,
        updated_at: c.text("updated_at")?,
    };
    let user = record.actor_user.as_ref().map(|u| u.id);
    c.tell(schema::ASSIGNMENTS, &record.id, user, notices);
    Ok(record)
}

fn report_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<ReportRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = ReportRecord {
        id: c.text("id")?.unwrap_or_default(),
        team_id: c.int("team_id")?.unwrap_or_default(),
        status: c.text("status")?.unwrap_or_else(|| "potential".into()),
        title: c.text("title")?,
        summary: c.text("summary")?,
        error: c.text("error")?,
        signal_count: c.int("signal_count")?,
        created_at: c.text("created_at")?,
        updated_at: c.text("updated_at")?,
        run_count: c.int("run_count")?,
        corroboration_count: c.int("corroboration_count")?,
        content_revision_count: c.int("content_revision_count")?,
        implemented_at_run_count: c.int("implemented_at_run_count")?,
        implemented_at_revision_count: c.int("implemented_at_revision_count")?,
    };
    c.tell(schema::REPORTS, &record.id, None, notices);
    Ok(record)
}

fn artefact_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<ArtefactRecord, SourceError> {
    let mut c = Cells::new(row);
    let created_by_id = c.int("created_by_id")?;
    let created_by = joined_user(&mut c)?;
    let record = ArtefactRecord {
        id: c.text("id")?.unwrap_or_default(),
        kind: c.text("type")?.unwrap_or_default(),
        content: c.text("content")?,
        created_at: c.text("created_at")?,
        updated_at: c.text("updated_at")?,
        created_by_id,
        created_by,
        task_id: c.text("task_id")?,
        channel_id: c.text("channel_id")?,
        actor_kind: c.text("actor_kind")?,
        actor_agent: c.text("actor_agent")?,
        claim_id: c.text("claim_id")?,
        pull_request_id: c.text("pull_request_id")?,
    };
    let user = record.created_by.as_ref().map(|u| u.id);
    c.tell(schema::ARTEFACTS, &record.id, user, notices);
    Ok(record)
}

fn link_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<LinkRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = LinkRecord {
        id: c.text("id")?.unwrap_or_default(),
        task_id: c.text("task_id")?.unwrap_or_default(),
        relationship: c.text("relationship")?,
        created_at: c.text("created_at")?,
    };
    c.tell(schema::LINKS, &record.id, None, notices);
    Ok(record)
}

fn task_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<TaskRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = TaskRecord {
        id: c.text("id")?.unwrap_or_default(),
        title: c.text("title")?,
        repository: c.text("repository")?,
        origin_product: c.text("origin_product")?,
        created_at: c.text("created_at")?,
    };
    c.tell(schema::TASKS, &record.id, None, notices);
    Ok(record)
}

fn seen_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<SeenRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = SeenRecord {
        kind: c.text("kind")?.unwrap_or_default(),
        id: c.text("id")?.unwrap_or_default(),
        first_seen: c.text("first_seen")?,
        since: c.text("since")?,
        last_seen: c.text("last_seen")?,
        gone_at: c.text("gone_at")?,
    };
    c.tell(schema::SEEN, &record.id, None, notices);
    Ok(record)
}

fn version_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<VersionRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = VersionRecord {
        kind: c.text("kind")?.unwrap_or_default(),
        id: c.text("id")?.unwrap_or_default(),
        version: c.int("version")?.unwrap_or_default(),
        content: c.text("content")?,
        updated_at: c.text("updated_at")?,
        first_seen: c.text("first_seen")?,
        last_seen: c.text("last_seen")?,
    };
    let id = format!("{} {} version {}", record.kind, record.id, record.version);
    c.tell(schema::VERSIONS, &id, None, notices);
    Ok(record)
}

fn run_record(row: &AnyRow, notices: &mut Vec<String>) -> Result<RunRecord, SourceError> {
    let mut c = Cells::new(row);
    let record = RunRecord {
        id: c.text("id")?.unwrap_or_default(),
        task_id: c.text("task_id")?.unwrap_or_default(),
        status: c.text("status")?,
        stage: c.text("stage")?,
        branch: c.text("branch")?,
        output: c.text("output")?,
        error_message: c.text("error_message")?,
        created_at: c.text("created_at")?,
        completed_at: c.text("completed_at")?,
    };
    c.tell(schema::RUNS, &record.id, None, notices);
    Ok(record)
}
